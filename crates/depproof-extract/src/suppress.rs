//! Inline suppressions: `# depproof: ignore[DP101]` or `// depproof: ignore[typosquat, new]`
//! in a comment on a reference's line, or alone on the line above it. Without brackets
//! (`# depproof: ignore`) every signal of that line is suppressed.
//!
//! The extraction only records which codes a comment names; what the codes mean, and
//! whether they are known, is the assessment's business.

use serde::Serialize;

/// What a suppression comment covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "codes")]
pub enum Suppression {
    /// Every signal.
    All,
    /// The signals named, by code (`DP101`) or name (`typosquat`), as written.
    Codes(Vec<String>),
}

/// A suppression comment found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Notebook cell of the comment, if any.
    pub cell: Option<u32>,
    /// 1-based line of the comment (within the cell for notebooks).
    pub line: u32,
    /// True when the line holds nothing but the comment: it then covers the next line too.
    pub own_line: bool,
    /// What it suppresses.
    pub suppression: Suppression,
}

const MARKER: &str = "depproof:";

/// Comment openers a directive may follow: shell/Python/YAML/TOML, C-like, Markdown/HTML.
const OPENERS: [&str; 4] = ["#", "//", "/*", "<!--"];

/// Every suppression comment of `text` (cheap when there is none: one substring search).
pub fn directives(text: &str, cell: Option<u32>) -> Vec<Directive> {
    let mut out = Vec::new();
    if !text.contains(MARKER) {
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..at];
        let trimmed = before.trim_end();
        let Some(opener) = OPENERS.iter().find(|o| trimmed.ends_with(*o)) else {
            continue;
        };
        let Some(suppression) = parse(&line[at + MARKER.len()..]) else {
            continue;
        };
        let own_line = trimmed[..trimmed.len() - opener.len()].trim().is_empty();
        out.push(Directive {
            cell,
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            own_line,
            suppression,
        });
    }
    out
}

/// Parses what follows `depproof:`: ` ignore`, ` ignore[CODE, CODE]`.
fn parse(rest: &str) -> Option<Suppression> {
    let rest = rest.trim_start().strip_prefix("ignore")?;
    let Some(list) = rest.strip_prefix('[') else {
        // `ignore` must end there (`ignored`, `ignore-me` are prose).
        return match rest.chars().next() {
            None => Some(Suppression::All),
            Some(c) if c.is_whitespace() || c == '*' || c == '-' && rest.starts_with("-->") => {
                Some(Suppression::All)
            }
            _ => None,
        };
    };
    let list = &list[..list.find(']')?];
    let codes: Vec<String> = list
        .split(',')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() {
        None
    } else {
        Some(Suppression::Codes(codes))
    }
}

/// The suppression covering a reference on `line` of `cell`, if any: a directive on that
/// line, or one alone on the line above. Several directives covering it merge.
pub fn covering(directives: &[Directive], cell: Option<u32>, line: u32) -> Option<Suppression> {
    let mut codes: Vec<String> = Vec::new();
    let mut any = false;
    for d in directives {
        if d.cell != cell || !(d.line == line || d.own_line && d.line + 1 == line) {
            continue;
        }
        any = true;
        match &d.suppression {
            Suppression::All => return Some(Suppression::All),
            Suppression::Codes(c) => codes.extend(c.iter().cloned()),
        }
    }
    any.then(|| {
        codes.sort();
        codes.dedup();
        Suppression::Codes(codes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(c: &[&str]) -> Option<Suppression> {
        Some(Suppression::Codes(
            c.iter().map(|s| s.to_string()).collect(),
        ))
    }

    #[test]
    fn python_and_shell_comments() {
        let text = "import reqeusts  # depproof: ignore[DP002]\n\
                    # depproof: ignore[typosquat, new]\n\
                    import colourama\n\
                    import other\n";
        let d = directives(text, None);
        assert_eq!(d.len(), 2);
        assert_eq!(covering(&d, None, 1), codes(&["DP002"]));
        assert_eq!(covering(&d, None, 3), codes(&["new", "typosquat"]));
        // A trailing comment covers its own line only.
        assert_eq!(covering(&d, None, 2), codes(&["new", "typosquat"]));
        assert_eq!(covering(&d, None, 4), None);
    }

    #[test]
    fn js_html_and_bare_ignore() {
        let text = "const x = require('loadsh'); // depproof: ignore\n\
                    <!-- depproof: ignore[DP001] -->\n\
                    pip install flask-jwt-simple-auth\n\
                    /* depproof: ignore */\n\
                    import y from 'crossenv';\n";
        let d = directives(text, Some(2));
        assert_eq!(covering(&d, Some(2), 1), Some(Suppression::All));
        assert_eq!(covering(&d, Some(2), 3), codes(&["DP001"]));
        assert_eq!(covering(&d, Some(2), 5), Some(Suppression::All));
        assert_eq!(covering(&d, None, 1), None, "another cell");
    }

    #[test]
    fn prose_and_strings_are_not_directives() {
        let text = "The depproof: ignore comment is documented.\n\
                    x = 'depproof: ignore[DP001]'\n\
                    # depproof: ignored\n\
                    # depproof: ignore[]\n\
                    # depproof: ignore[DP001\n";
        assert!(directives(text, None).is_empty());
    }
}
