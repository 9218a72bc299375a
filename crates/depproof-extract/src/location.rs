//! Locations of mentions, and the mapping from a span of code to a place in a file.

use std::sync::Arc;

/// Where a mention is, for a person and for tools.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    /// The file, relative to the scan root where possible, with `/` separators; `-` for stdin.
    pub path: Arc<str>,
    /// Notebook cell number (1-based), when the file is a notebook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<u32>,
    /// 1-based line (within the cell for notebooks).
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte offset of the mention's start in the file (in the cell's source for notebooks).
    pub start: u32,
    /// Byte offset just past the mention's end.
    pub end: u32,
}

/// How many line ends `bytes` holds (`\n`, `\r\n` or a lone `\r`), as [`LineIndex`] counts
/// them.
pub(crate) fn count_line_ends(bytes: &[u8]) -> usize {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| !(bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
        .count()
}

/// Start offsets of the lines of a text, for turning byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// The last answer (offset, line, column): mentions come mostly in order, so on a
    /// long line (minified code, a one-line lockfile) the count of characters resumes
    /// from there instead of from the line's start each time.
    last: std::sync::Arc<std::sync::Mutex<(usize, usize, u32)>>,
}

impl LineIndex {
    /// Indexes `text`: `\n`, `\r\n` and a lone `\r` each end a line, as in Python's
    /// tokenizer, the ECMAScript spec and CommonMark.
    pub fn new(text: &str) -> LineIndex {
        let b = text.as_bytes();
        let mut starts = vec![0u32];
        starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', b)
                .filter(|&i| !(b[i] == b'\r' && b.get(i + 1) == Some(&b'\n')))
                .map(|i| (i + 1) as u32),
        );
        LineIndex {
            starts,
            last: Default::default(),
        }
    }

    /// 0-based line and 0-based character column of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = self.starts[line] as usize;
        // A finder handing code to another thread meets a held lock: it counts afresh.
        let mut cache = self.last.try_lock().ok();
        let (last_offset, last_line, last_col) =
            cache.as_deref().copied().unwrap_or((0, usize::MAX, 0));
        let (from, base) = if last_line == line
            && last_offset >= start
            && last_offset <= offset
            && text.is_char_boundary(last_offset)
        {
            (last_offset, last_col)
        } else {
            (start, 0)
        };
        let col = base
            + text
                .get(from..offset)
                .map_or(offset - from, |s| s.chars().count()) as u32;
        if let Some(c) = cache.as_deref_mut() {
            *c = (offset, line, col);
        }
        (line as u32, col)
    }
}

/// A piece of code or text to search, and where it sits in its file.
///
/// Finders work on `text` with offsets relative to it; [`Code::location`] maps them back
/// to the file (a fenced block inside Markdown, a cell of a notebook, a `RUN` line of a
/// Dockerfile all start somewhere inside their file).
#[derive(Debug, Clone)]
pub struct Code<'a> {
    /// The file's display path.
    pub path: Arc<str>,
    /// The code itself.
    pub text: &'a str,
    /// Byte offset of `text` in the file (or in the cell source).
    pub offset: usize,
    /// 0-based line of the file on which `text` starts.
    pub first_line: u32,
    /// 0-based character column at which `text` starts on its first line.
    pub first_column: u32,
    /// Notebook cell number, if any.
    pub cell: Option<u32>,
    /// Built on the first location asked for: most files and pieces mention nothing.
    lines: std::sync::OnceLock<LineIndex>,
}

impl<'a> Code<'a> {
    /// A whole file.
    pub fn file(path: Arc<str>, text: &'a str) -> Code<'a> {
        Code::embedded(path, text, 0, 0, 0)
    }

    /// A part of a file that starts at byte `offset`, line `first_line` (0-based),
    /// column `first_column` (0-based, in characters).
    pub fn embedded(
        path: Arc<str>,
        text: &'a str,
        offset: usize,
        first_line: u32,
        first_column: u32,
    ) -> Code<'a> {
        Code {
            path,
            text,
            offset,
            first_line,
            first_column,
            cell: None,
            lines: std::sync::OnceLock::new(),
        }
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(self.text))
    }

    /// The same code, as notebook cell `cell`.
    pub fn in_cell(mut self, cell: u32) -> Code<'a> {
        self.cell = Some(cell);
        self
    }

    /// A part of this code (`start..start + sub.len()` must lie within `text`), for a
    /// finder that hands a piece of its input to another finder.
    pub fn sub(&self, start: usize, len: usize) -> Code<'a> {
        let start = start.min(self.text.len());
        let end = (start + len).min(self.text.len());
        let (line, col) = self.lines().line_col(self.text, start);
        let mut c = Code::embedded(
            Arc::clone(&self.path),
            self.text.get(start..end).unwrap_or(""),
            self.offset + start,
            self.first_line + line,
            if line == 0 {
                self.first_column + col
            } else {
                col
            },
        );
        c.cell = self.cell;
        c
    }

    /// The file location of bytes `start..end` of `text`.
    pub fn location(&self, start: usize, end: usize) -> Location {
        let (line, col) = self.lines().line_col(self.text, start);
        let column = if line == 0 {
            self.first_column + col
        } else {
            col
        };
        Location {
            path: Arc::clone(&self.path),
            cell: self.cell,
            line: self.first_line + line + 1,
            column: column + 1,
            start: (self.offset + start) as u32,
            end: (self.offset + end.max(start)) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "import os\r\nfrom é import x\n\nimport y";
        let code = Code::file("a.py".into(), text);
        let at = |needle: &str| {
            let s = text.find(needle).unwrap();
            let l = code.location(s, s + needle.len());
            (l.line, l.column)
        };
        assert_eq!(at("os"), (1, 8));
        assert_eq!(at("é"), (2, 6));
        assert_eq!(at("x"), (2, 15));
        assert_eq!(at("y"), (4, 8));
    }

    #[test]
    fn cr_crlf_and_lf_each_end_one_line() {
        for nl in ["\n", "\r\n", "\r"] {
            let text = ["import os", "from é import x", "", "import y", ""].join(nl);
            let code = Code::file("a.py".into(), &text);
            let at = |needle: &str| {
                let s = text.find(needle).unwrap();
                let l = code.location(s, s + needle.len());
                (l.line, l.column)
            };
            assert_eq!(at("os"), (1, 8), "{nl:?}");
            assert_eq!(at("é"), (2, 6), "{nl:?}");
            assert_eq!(at("x"), (2, 15), "{nl:?}");
            assert_eq!(at("y"), (4, 8), "{nl:?}");
            assert_eq!(count_line_ends(text.as_bytes()), 4, "{nl:?}");
        }
        // Mixed endings, a blank line made of two lone CRs, and offsets on the line ends
        // themselves (which belong to the line they end).
        let text = "a\rb\r\nc\nd\r\re\r";
        let code = Code::file("m.txt".into(), text);
        let lines: Vec<u32> = (0..=text.len()).map(|i| code.location(i, i).line).collect();
        assert_eq!(lines, [1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 6, 7]);
        assert_eq!(count_line_ends(text.as_bytes()), 6);
        let e = text.find('e').unwrap();
        assert_eq!(code.location(e, e + 1).column, 1);
        // A piece handed on keeps the file's numbering.
        let sub = code.sub(text.find('c').unwrap(), 6);
        assert_eq!(sub.location(sub.text.find('e').unwrap(), 0).line, 6);
    }

    #[test]
    fn long_lines_resume_counting_and_stay_exact() {
        let line = "é".repeat(200_000) + "x";
        let code = Code::file("min.js".into(), &line);
        // Out-of-order queries still give exact columns.
        for &at in &[399_990usize, 10, 200_000, 400_000] {
            assert_eq!(code.location(at, at).column as usize, at / 2 + 1);
        }
        // In order, as finders report: each answer resumes from the previous one.
        for i in 1..1000 {
            assert_eq!(code.location(i * 400, i * 400).column as usize, i * 200 + 1);
        }
    }

    #[test]
    fn embedded_code_maps_back_to_the_file() {
        let file = "# Title\n\n```python\nimport numpy\n```\nRun `pip install reqeusts` now.\n";
        let block = file.find("import numpy").unwrap();
        let code = Code::embedded("r.md".into(), &file[block..block + 12], block, 3, 0);
        let l = code.location(7, 12);
        assert_eq!((l.line, l.column, l.start as usize), (4, 8, block + 7));
        assert_eq!(&file[l.start as usize..l.end as usize], "numpy");
        let whole = Code::file("r.md".into(), file);
        let inline = file.find("pip install").unwrap();
        let sub = whole.sub(inline, "pip install reqeusts".len());
        let l = sub.location(12, 20);
        assert_eq!((l.line, l.column), (6, 18));
        assert_eq!(&file[l.start as usize..l.end as usize], "reqeusts");
    }
}
