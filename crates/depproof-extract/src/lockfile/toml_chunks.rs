//! TOML lockfiles read one `[[package]]` table at a time.
//!
//! Each table (with the `[package.x]` sub-tables that follow it) is a TOML document of its
//! own, so a syntax error costs only its table and the rest of the file is still read;
//! spans come from `toml::Spanned`, shifted by the table's offset.

use serde::de::DeserializeOwned;

use super::warn_at;
use crate::location::Code;
use crate::reference::Output;

/// The parts of `text` that start at a line that is exactly `header` (`[[package]]`), each
/// with its byte offset; the first part is what comes before the first header (or the
/// first table, when the file starts with one).
pub(crate) fn split<'a>(text: &'a str, header: &str) -> Vec<(usize, &'a str)> {
    let mut starts = vec![0usize];
    let mut at = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        // A comment may follow the header.
        let bare = trimmed.split('#').next().unwrap_or("").trim_end();
        // A file that starts with a header has no preamble: its first part starts at 0.
        if at > 0 && bare == header {
            starts.push(at);
        }
        at += line.len();
    }
    let mut parts = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        parts.push((s, text.get(s..e).unwrap_or("")));
    }
    parts
}

/// Parses one part as `T`; a failure is a warning naming the line, and `None`.
pub(crate) fn parse<T: DeserializeOwned>(
    code: &Code,
    out: &mut Output,
    offset: usize,
    part: &str,
    what: &str,
) -> Option<T> {
    match toml::from_str::<T>(part) {
        Ok(v) => Some(v),
        Err(e) => {
            let at = offset + e.span().map_or(0, |s| s.start);
            let message = e.message().trim().replace('\n', " ");
            warn_at(
                code,
                out,
                at,
                &format!("{what} could not be read: {message}"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_headers() {
        let text = "version = 1\n\n[[package]]\nname = \"a\"\n[package.x]\n\n[[package]] # c\nname = \"b\"\n";
        let parts = split(text, "[[package]]");
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], (0, "version = 1\n\n"));
        assert!(parts[1].1.starts_with("[[package]]\nname = \"a\""));
        assert_eq!(&text[parts[2].0..], parts[2].1);
        let parts = split("[[package]]\nname = 1\n", "[[package]]");
        assert_eq!(parts, [(0, "[[package]]\nname = 1\n")]);
        assert_eq!(split("", "[[package]]"), [(0, "")]);
    }
}
