//! The source lines under references, read back from the scanned files (or from the bytes
//! of standard input) for the human format's snippets and SARIF's regions.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use depproof_extract::Location;
use unicode_width::UnicodeWidthChar;

use crate::style::clean;

/// Snippets wider than this many columns are cut around the name.
const MAX_WIDTH: usize = 120;
/// Columns of context kept before the name when a line is cut.
const CONTEXT: usize = 40;
/// Tabs expand to the next multiple of this many columns.
const TAB: usize = 4;

struct FileText {
    bytes: Vec<u8>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl FileText {
    fn new(bytes: Vec<u8>) -> FileText {
        let mut line_starts = vec![0];
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        FileText { bytes, line_starts }
    }
}

/// The files behind the locations of a report. Files are read on first use, relative to
/// the current directory (locations carry paths as the user gave them), and kept.
pub struct Sources {
    stdin: Option<Rc<FileText>>,
    read_files: bool,
    cache: RefCell<HashMap<String, Option<Rc<FileText>>>>,
}

/// One source line prepared for display, with where the caret goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The 1-based line number.
    pub line: u32,
    /// The line, cleaned for a terminal, tabs expanded, cut with `…` when too wide.
    pub text: String,
    /// Display columns before the caret.
    pub caret_column: usize,
    /// Display columns the caret covers (at least 1).
    pub caret_width: usize,
}

/// A reference's line in its file.
struct Line<'a> {
    text: &'a [u8],
    /// Byte range of the name within `text`.
    start: usize,
    end: usize,
}

impl Default for Sources {
    fn default() -> Self {
        Sources::new()
    }
}

impl Sources {
    /// Reads files from the file system as needed.
    pub fn new() -> Sources {
        Sources {
            stdin: None,
            read_files: true,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// Reads no files: reports have no source lines (standard input is still known if
    /// given with [`Sources::with_stdin`]).
    pub fn none() -> Sources {
        Sources {
            read_files: false,
            ..Sources::new()
        }
    }

    /// Standard input's bytes, for locations whose path is `-`.
    pub fn with_stdin(mut self, bytes: Vec<u8>) -> Sources {
        self.stdin = Some(Rc::new(FileText::new(bytes)));
        self
    }

    fn file(&self, path: &str) -> Option<Rc<FileText>> {
        if path == "-" {
            return self.stdin.clone();
        }
        if !self.read_files {
            return None;
        }
        self.cache
            .borrow_mut()
            .entry(path.to_owned())
            .or_insert_with(|| std::fs::read(path).ok().map(|b| Rc::new(FileText::new(b))))
            .clone()
    }

    /// Calls `f` with the line of `loc`, if the file is at hand and still agrees with the
    /// location (same line number at that offset). Notebook cells and chat messages have
    /// offsets within the cell, not the file: they have no line here.
    fn with_line<T>(&self, loc: &Location, f: impl FnOnce(Line) -> T) -> Option<T> {
        if loc.cell.is_some() {
            return None;
        }
        let file = self.file(&loc.path)?;
        let start = loc.start as usize;
        if start > file.bytes.len() {
            return None;
        }
        let idx = file.line_starts.partition_point(|&s| s <= start) - 1;
        if idx + 1 != loc.line as usize {
            return None;
        }
        let mut ls = file.line_starts[idx];
        let mut le = file
            .line_starts
            .get(idx + 1)
            .map_or(file.bytes.len(), |&s| s - 1);
        if le > ls && file.bytes[le - 1] == b'\r' {
            le -= 1;
        }
        if ls == 0 && file.bytes.starts_with(b"\xEF\xBB\xBF") && start >= 3 {
            ls = 3;
        }
        if start < ls || start > le {
            return None;
        }
        let end = (loc.end as usize).clamp(start, le);
        Some(f(Line {
            text: &file.bytes[ls..le],
            start: start - ls,
            end: end - ls,
        }))
    }

    /// The line of `loc` with a caret under the name.
    pub fn snippet(&self, loc: &Location) -> Option<Snippet> {
        self.with_line(loc, |l| build_snippet(loc.line, &l))
    }

    /// The column just past the name (1-based, in characters), for SARIF regions.
    pub fn end_column(&self, loc: &Location) -> Option<u32> {
        self.with_line(loc, |l| {
            let name = String::from_utf8_lossy(&l.text[l.start..l.end]);
            loc.column + name.chars().count() as u32
        })
    }

    /// The text of the line of `loc`, trimmed (for fingerprints that survive moves).
    pub fn line_text(&self, loc: &Location) -> Option<String> {
        self.with_line(loc, |l| String::from_utf8_lossy(l.text).trim().to_owned())
    }
}

/// Display cells of a piece of text starting at display column `col`.
fn cells(text: &str, mut col: usize, out: &mut Vec<(String, usize)>) -> usize {
    for c in text.chars() {
        let (s, w) = match c {
            '\t' => {
                let w = TAB - col % TAB;
                (" ".repeat(w), w)
            }
            c => {
                let c = clean(c.encode_utf8(&mut [0; 4])).into_owned();
                let w = c.chars().next().and_then(|c| c.width()).unwrap_or(0);
                (c, w)
            }
        };
        col += w;
        out.push((s, w));
    }
    col
}

fn build_snippet(line: u32, l: &Line) -> Snippet {
    let prefix = String::from_utf8_lossy(&l.text[..l.start]);
    let name = String::from_utf8_lossy(&l.text[l.start..l.end]);
    let rest = String::from_utf8_lossy(&l.text[l.end..]);
    let mut out = Vec::new();
    let prefix_w = cells(&prefix, 0, &mut out);
    let name_w = cells(&name, prefix_w, &mut out) - prefix_w;
    cells(&rest, prefix_w + name_w, &mut out);
    let total: usize = out.iter().map(|(_, w)| w).sum();

    let from = if total <= MAX_WIDTH || prefix_w + name_w + 10 <= MAX_WIDTH {
        0
    } else {
        prefix_w.saturating_sub(CONTEXT)
    };
    let budget = MAX_WIDTH - usize::from(from > 0);
    let mut text = String::new();
    if from > 0 {
        text.push('…');
    }
    let (mut col, mut shown) = (0, 0);
    let mut cut = false;
    for (s, w) in &out {
        if col >= from {
            if shown + w > budget {
                cut = true;
                break;
            }
            text.push_str(s);
            shown += w;
        }
        col += w;
    }
    if cut {
        text.push('…');
    }
    let caret_column = prefix_w - from + usize::from(from > 0);
    let caret_width = name_w.min(budget.saturating_sub(prefix_w - from)).max(1);
    Snippet {
        line,
        text: text.trim_end().to_owned(),
        caret_column,
        caret_width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn loc(text: &str, needle: &str, line: u32) -> Location {
        let start = text.find(needle).unwrap();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        Location {
            path: Arc::from("-"),
            cell: None,
            line,
            column: text[line_start..start].chars().count() as u32 + 1,
            start: start as u32,
            end: (start + needle.len()) as u32,
        }
    }

    #[test]
    fn the_caret_sits_under_the_name() {
        let text = "# deps\r\npip install\tflask reqeusts\n";
        let s = Sources::none().with_stdin(text.as_bytes().to_vec());
        let sn = s.snippet(&loc(text, "reqeusts", 2)).unwrap();
        assert_eq!(sn.text, "pip install flask reqeusts");
        assert_eq!(
            &sn.text[sn.caret_column..sn.caret_column + sn.caret_width],
            "reqeusts"
        );
        assert_eq!(s.end_column(&loc(text, "reqeusts", 2)), Some(27));
        assert_eq!(
            s.line_text(&loc(text, "flask", 2)).as_deref(),
            Some("pip install\tflask reqeusts")
        );
    }

    #[test]
    fn wide_characters_and_stale_locations() {
        let text = "x = \"日本\"; import 漢字\n";
        let s = Sources::none().with_stdin(text.as_bytes().to_vec());
        let sn = s.snippet(&loc(text, "漢字", 1)).unwrap();
        // Each of 日本 and 漢字 takes two columns.
        assert_eq!(sn.caret_column, 19);
        assert_eq!(sn.caret_width, 4);
        // A location that no longer matches the file (another line number) gives nothing.
        let mut stale = loc(text, "漢字", 1);
        stale.line = 3;
        assert_eq!(s.snippet(&stale), None);
        stale.line = 1;
        stale.start = 10_000;
        assert_eq!(s.snippet(&stale), None);
    }

    #[test]
    fn long_lines_are_cut_around_the_name() {
        let text = format!(
            "{}require('left-pad'){}\n",
            "a".repeat(5000),
            "b".repeat(5000)
        );
        let s = Sources::none().with_stdin(text.clone().into_bytes());
        let sn = s.snippet(&loc(&text, "left-pad", 1)).unwrap();
        assert!(
            sn.text.chars().count() <= MAX_WIDTH + 1,
            "{}",
            sn.text.len()
        );
        assert!(sn.text.starts_with('…') && sn.text.ends_with('…'));
        let under: String = sn
            .text
            .chars()
            .skip(sn.caret_column)
            .take(sn.caret_width)
            .collect();
        assert_eq!(under, "left-pad");
    }

    #[test]
    fn terminal_escapes_in_files_are_cleaned() {
        let text = "\x1b[31mimport evil\n";
        let s = Sources::none().with_stdin(text.as_bytes().to_vec());
        let sn = s.snippet(&loc(text, "evil", 1)).unwrap();
        assert!(!sn.text.contains('\x1b'), "{:?}", sn.text);
    }

    #[test]
    fn cells_have_no_file_line() {
        let text = "import x\n";
        let s = Sources::none().with_stdin(text.as_bytes().to_vec());
        let mut l = loc(text, "x", 1);
        l.cell = Some(1);
        assert_eq!(s.snippet(&l), None);
    }
}
