//! ANSI styles for terminal output, and the cleaning of text read from scanned files.

use std::borrow::Cow;

use depproof_assess::Verdict;

/// A text style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Blocking findings.
    Block,
    /// Warnings.
    Warn,
    /// Passing findings.
    Ok,
    /// Package names, headings.
    Bold,
    /// Arrows and gutters.
    Gutter,
    /// Suppressed signals, notes.
    Dim,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Block => "\x1b[1;31m",
            Style::Warn => "\x1b[1;33m",
            Style::Ok => "\x1b[1;32m",
            Style::Bold => "\x1b[1m",
            Style::Gutter => "\x1b[1;34m",
            Style::Dim => "\x1b[2m",
        }
    }

    /// The style of a verdict.
    pub fn of(v: Verdict) -> Style {
        match v {
            Verdict::Block => Style::Block,
            Verdict::Warn => Style::Warn,
            Verdict::Ok => Style::Ok,
        }
    }
}

/// Applies styles when colors are on.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    /// Colors on.
    pub on: bool,
}

impl Paint {
    /// `text` in `style`.
    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("{}{text}\x1b[0m", style.code())
        } else {
            text.to_owned()
        }
    }
}

/// Text from a scanned file made safe for a terminal: control characters (an escape
/// sequence in a file must not drive the terminal) become U+FFFD, tabs become spaces.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' => ' ',
                c if c.is_control() => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_from_files_are_neutralized() {
        assert_eq!(clean("flask"), "flask");
        assert_eq!(clean("a\x1b[2Jb\tc"), "a\u{FFFD}[2Jb c");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn paint_only_when_on() {
        assert_eq!(Paint { on: false }.paint(Style::Block, "block"), "block");
        assert_eq!(
            Paint { on: true }.paint(Style::Block, "block"),
            "\x1b[1;31mblock\x1b[0m"
        );
    }
}
