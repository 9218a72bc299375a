//! Install commands inside prose: a chat answer or a README sentence such as "Run
//! `pip install reqeusts` first" or "install it with pip install fastapi-users-db, then…".
//!
//! A command starts at an installer's name standing as a word; its arguments run until
//! what cannot be one in prose: the end of the line or of a code span, sentence
//! punctuation followed by a space, a shell operator, a placeholder (`<package>`), a
//! parenthesis, or an ordinary English word ("and", "then", "to"…). The installer must
//! still be followed by its subcommand (`pip install`, `npm i`, `yarn add`), so "install
//! the requirements with pip" names nothing.

use std::ops::Range;

/// Words that end an argument list in prose. Lower-case; matched whole.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "an",
    "and",
    "any",
    "anything",
    "are",
    "as",
    "at",
    "because",
    "before",
    "below",
    "both",
    "but",
    "by",
    "can",
    "command",
    "commands",
    "could",
    "dependencies",
    "dependency",
    "did",
    "do",
    "does",
    "done",
    "e.g",
    "each",
    "either",
    "else",
    "etc",
    "every",
    "everything",
    "first",
    "following",
    "for",
    "from",
    "globally",
    "has",
    "have",
    "he",
    "here",
    "how",
    "i.e",
    "if",
    "in",
    "inside",
    "instead",
    "into",
    "is",
    "it",
    "its",
    "just",
    "libraries",
    "library",
    "like",
    "locally",
    "manually",
    "may",
    "me",
    "might",
    "module",
    "modules",
    "more",
    "must",
    "my",
    "neither",
    "no",
    "nor",
    "not",
    "nothing",
    "now",
    "of",
    "on",
    "once",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "our",
    "outside",
    "over",
    "package",
    "packages",
    "please",
    "random",
    "running",
    "see",
    "she",
    "should",
    "simply",
    "since",
    "so",
    "some",
    "something",
    "stuff",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "unless",
    "until",
    "use",
    "using",
    "via",
    "was",
    "we",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "which",
    "while",
    "who",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yes",
    "you",
    "your",
    "yourself",
];

fn is_stop_word(w: &str) -> bool {
    w.len() <= 12 && {
        let lower = w.to_ascii_lowercase();
        STOP_WORDS.binary_search(&lower.as_str()).is_ok()
    }
}

/// Bytes that may be part of a command name (a trigger starts where none precedes it).
pub(crate) fn name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'@')
}

/// Characters that end a word and the argument list in prose.
fn hard_stop(c: char) -> bool {
    matches!(
        c,
        '`' | '"'
            | '\''
            | '“'
            | '”'
            | '‘'
            | '’'
            | '«'
            | '»'
            | '|'
            | ';'
            | '&'
            | '('
            | ')'
            | '{'
            | '}'
    )
}

/// Punctuation that ends a sentence or clause when followed by a space or the end.
fn clause_end(c: char) -> bool {
    matches!(c, '.' | ',' | ':' | '!' | '?')
}

/// The words of a command starting at `from` on the line ending at `line_end`, as byte
/// ranges of the text.
pub(crate) fn words(text: &str, from: usize, line_end: usize, max: usize) -> Vec<Range<usize>> {
    let line_end = line_end.min(text.len());
    let Some(line) = text.get(from..line_end) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut it = line.char_indices().peekable();
    while out.len() < max {
        while it.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, first)) = it.peek() else {
            break;
        };
        if matches!(first, '"' | '\'') {
            // A quoted argument (`pip install "fastapi[all]"`) must close on the line and be
            // followed by a space or the end of a clause.
            it.next();
            let inner = start + 1;
            let Some(close) = line[inner..].find(first).map(|p| inner + p) else {
                break;
            };
            if close == inner {
                break;
            }
            let after = line[close + 1..].chars().next();
            let last = match after {
                None => false,
                Some(c) if c.is_whitespace() => false,
                Some(c) if clause_end(c) || hard_stop(c) => true,
                Some(_) => break,
            };
            out.push(from + inner..from + close);
            if last {
                break;
            }
            while it.next_if(|&(i, _)| i <= close).is_some() {}
            continue;
        }
        if hard_stop(first) || matches!(first, '<' | '[' | '*' | '#' | '>') {
            break;
        }
        let mut end = start;
        let mut prev = ' ';
        while let Some(&(i, c)) = it.peek() {
            if c.is_whitespace() || hard_stop(c) || (c == '*' && !matches!(prev, '.' | '=' | '@')) {
                break;
            }
            end = i + c.len_utf8();
            prev = c;
            it.next();
        }
        let stopped_by = it.peek().map(|&(_, c)| c);
        // Trailing sentence punctuation is not part of the word, and ends the list.
        let word = &line[start..end];
        let trimmed = word.trim_end_matches(clause_end);
        let last = trimmed.len() < word.len() || stopped_by.is_some_and(|c| !c.is_whitespace());
        if trimmed.is_empty() || is_stop_word(trimmed) {
            break;
        }
        out.push(from + start..from + start + trimmed.len());
        if last {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<&str> {
        words(s, 0, s.len(), 64)
            .into_iter()
            .map(|r| &s[r])
            .collect()
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn prose_words_stop_where_the_sentence_goes_on() {
        assert_eq!(
            w("pip install fastapi-users-db then run it"),
            ["pip", "install", "fastapi-users-db"]
        );
        assert_eq!(
            w("pip install requests, numpy and pandas"),
            ["pip", "install", "requests"]
        );
        assert_eq!(
            w("pip install \"fastapi[all]\" first"),
            ["pip", "install", "fastapi[all]"]
        );
        assert_eq!(w("pip install flask."), ["pip", "install", "flask"]);
        assert_eq!(
            w("pip install numpy==1.26.4."),
            ["pip", "install", "numpy==1.26.4"]
        );
        assert_eq!(
            w("pip install numpy>=1.2,<2 now"),
            ["pip", "install", "numpy>=1.2,<2"]
        );
        assert_eq!(w("npm i -D vitest` and"), ["npm", "i", "-D", "vitest"]);
        assert_eq!(w("pip install <package>"), ["pip", "install"]);
        assert_eq!(w("pip install foo (optional)"), ["pip", "install", "foo"]);
        assert_eq!(w("pip install foo**"), ["pip", "install", "foo"]);
        assert_eq!(w("pip install the requirements"), ["pip", "install"]);
        assert_eq!(w("pip install 'x"), ["pip", "install"]);
        assert_eq!(w("pip install foo's"), ["pip", "install", "foo"]);
        assert_eq!(
            w("pip install torch==2.*"),
            ["pip", "install", "torch==2.*"]
        );
    }
}
