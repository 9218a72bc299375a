//! A JSON reader that keeps byte offsets, borrows its strings and, when the text is broken,
//! keeps everything it read before the break.
//!
//! It also accepts the JSONC extensions of `bun.lock` (comments, trailing commas); being
//! lenient costs nothing for package-lock.json and Pipfile.lock.

use std::borrow::Cow;

/// Containers nested deeper than this are an error rather than a stack overflow.
const MAX_DEPTH: usize = 256;

/// A JSON string as written: the text between its quotes, and where that starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Str<'a> {
    /// The raw text between the quotes (escapes not decoded).
    pub raw: &'a str,
    /// Byte offset of `raw` in the parsed text.
    pub start: usize,
}

impl<'a> Str<'a> {
    /// The string's value, with escapes decoded.
    pub fn value(&self) -> Cow<'a, str> {
        if self.raw.contains('\\') {
            Cow::Owned(unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// Whether the value equals `s`.
    pub fn is(&self, s: &str) -> bool {
        if self.raw.contains('\\') {
            unescape(self.raw) == s
        } else {
            self.raw == s
        }
    }

    /// The span of the value's bytes `from..to` in the text: exact when the string has no
    /// escapes, the whole string otherwise.
    pub fn span(&self, from: usize, to: usize) -> (usize, usize) {
        if self.raw.contains('\\') || to > self.raw.len() || from > to {
            (self.start, self.start + self.raw.len())
        } else {
            (self.start + from, self.start + to)
        }
    }

    /// The span of the whole string (without its quotes).
    pub fn full_span(&self) -> (usize, usize) {
        (self.start, self.start + self.raw.len())
    }
}

/// A value and where it starts.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    pub start: usize,
    pub value: Value<'a>,
}

#[derive(Debug)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number,
    String(Str<'a>),
    Array(Vec<Node<'a>>),
    /// Members in the order written (duplicates kept).
    Object(Vec<(Str<'a>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The members of an object (empty for anything else).
    pub fn members(&self) -> &[(Str<'a>, Node<'a>)] {
        match &self.value {
            Value::Object(m) => m,
            _ => &[],
        }
    }

    /// The elements of an array (empty for anything else).
    pub fn elements(&self) -> &[Node<'a>] {
        match &self.value {
            Value::Array(a) => a,
            _ => &[],
        }
    }

    /// The first member named `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.members()
            .iter()
            .find(|(k, _)| k.is(key))
            .map(|(_, v)| v)
    }

    /// This value as a string.
    pub fn str(&self) -> Option<Str<'a>> {
        match self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// This value as a boolean (`None` for anything else).
    pub fn bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// Why the text is not valid JSON, and where (byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    pub offset: usize,
    pub message: String,
}

/// Parses `text`. Returns what could be read (`None` only when not even the start of a
/// value could be) and the first error, if any.
pub(crate) fn parse(text: &str) -> (Option<Node<'_>>, Option<Error>) {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        err: None,
    };
    // A byte-order mark is tolerated.
    if text.starts_with('\u{feff}') {
        p.pos = 3;
    }
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return (None, Some(p.error_here("empty file")));
    }
    let node = p.value(0);
    if p.err.is_none() {
        p.skip_ws();
        if p.pos < p.bytes.len() {
            p.fail("unexpected text after the end of the JSON value");
        }
    }
    (node, p.err)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    err: Option<Error>,
}

impl<'a> Parser<'a> {
    fn error_here(&self, message: &str) -> Error {
        Error {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    fn fail(&mut self, message: &str) {
        if self.err.is_none() {
            self.err = Some(self.error_here(message));
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        while let Some(b) = self.peek() {
                            if b == b'\n' {
                                break;
                            }
                            self.pos += 1;
                        }
                    }
                    Some(b'*') => {
                        let from = self.pos;
                        match self.text.get(self.pos + 2..).and_then(|r| r.find("*/")) {
                            Some(i) => self.pos += 2 + i + 2,
                            None => {
                                self.pos = from;
                                self.fail("unterminated comment");
                                self.pos = self.bytes.len();
                            }
                        }
                    }
                    _ => return,
                },
                _ => return,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Node<'a>> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    self.fail("nested too deeply");
                    return None;
                }
                Value::Object(self.object(depth))
            }
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    self.fail("nested too deeply");
                    return None;
                }
                Value::Array(self.array(depth))
            }
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => {
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                Value::Number
            }
            Some(_) => {
                self.fail("expected a value");
                return None;
            }
            None => {
                self.fail("unexpected end of file");
                return None;
            }
        };
        Some(Node { start, value })
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Option<Value<'a>> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Some(value)
        } else {
            self.fail("expected a value");
            None
        }
    }

    fn string(&mut self) -> Option<Str<'a>> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b'"') => {
                    let raw = self.text.get(start..self.pos).unwrap_or("");
                    self.pos += 1;
                    return Some(Str { raw, start });
                }
                Some(b'\\') => self.pos += 2,
                Some(b'\n') | None => {
                    self.pos = open;
                    self.fail("unterminated string");
                    return None;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Vec<(Str<'a>, Node<'a>)> {
        let mut members = Vec::new();
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return members;
                }
                Some(b'"') => {}
                Some(_) => {
                    self.fail("expected a string key or `}`");
                    return members;
                }
                None => {
                    self.fail("unexpected end of file inside an object");
                    return members;
                }
            }
            let Some(key) = self.string() else {
                return members;
            };
            self.skip_ws();
            if self.peek() != Some(b':') {
                self.fail("expected `:` after the key");
                return members;
            }
            self.pos += 1;
            self.skip_ws();
            let Some(value) = self.value(depth + 1) else {
                return members;
            };
            members.push((key, value));
            if self.err.is_some() {
                return members;
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                Some(_) => {
                    self.fail("expected `,` or `}`");
                    return members;
                }
                None => {
                    self.fail("unexpected end of file inside an object");
                    return members;
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Vec<Node<'a>> {
        let mut elements = Vec::new();
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return elements;
                }
                None => {
                    self.fail("unexpected end of file inside an array");
                    return elements;
                }
                Some(_) => {}
            }
            let Some(value) = self.value(depth + 1) else {
                return elements;
            };
            elements.push(value);
            if self.err.is_some() {
                return elements;
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                Some(_) => {
                    self.fail("expected `,` or `]`");
                    return elements;
                }
                None => {
                    self.fail("unexpected end of file inside an array");
                    return elements;
                }
            }
        }
    }
}

/// Decodes the escapes of a JSON string's raw text; bad escapes become U+FFFD.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hi = hex4(&mut chars);
                let c = match hi {
                    Some(h @ 0xD800..=0xDBFF) => {
                        let mut look = chars.clone();
                        if look.next() == Some('\\') && look.next() == Some('u') {
                            match hex4(&mut look) {
                                Some(l @ 0xDC00..=0xDFFF) => {
                                    chars = look;
                                    char::from_u32(0x10000 + ((h - 0xD800) << 10) + (l - 0xDC00))
                                }
                                _ => None,
                            }
                        } else {
                            None
                        }
                    }
                    Some(h) => char::from_u32(h),
                    None => None,
                };
                out.push(c.unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => out.push('\u{fffd}'),
        }
    }
    out
}

fn hex4(chars: &mut std::str::Chars) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_spans() {
        let text = r#"{"a": {"b": [1, true, null, "x\"y"]}, "c\u0041": "d"}"#;
        let (node, err) = parse(text);
        assert_eq!(err, None);
        let node = node.unwrap();
        let a = node.get("a").unwrap();
        let b = a.get("b").unwrap();
        assert_eq!(b.elements().len(), 4);
        assert_eq!(b.elements()[3].str().unwrap().value(), "x\"y");
        let (k, v) = &node.members()[1];
        assert_eq!(k.value(), "cA");
        assert!(k.is("cA"));
        let s = v.str().unwrap();
        assert_eq!(&text[s.full_span().0..s.full_span().1], "d");
        assert_eq!(a.start, text.find("{\"b").unwrap());
    }

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let text = "{ // c\n \"a\": [1, 2,], /* x */ \"b\": {\"c\": 1,},\n}";
        let (node, err) = parse(text);
        assert_eq!(err, None);
        assert_eq!(node.unwrap().members().len(), 2);
    }

    #[test]
    fn keeps_what_was_read_before_an_error() {
        let text = "{\"a\": {\"x\": 1}, \"b\": {\"y\": \"z\", \"w\": tru";
        let (node, err) = parse(text);
        let err = err.unwrap();
        assert_eq!(err.offset, text.find("tru").unwrap());
        let node = node.unwrap();
        assert_eq!(node.members().len(), 2);
        assert_eq!(node.get("b").unwrap().members().len(), 1);
    }

    #[test]
    fn errors_do_not_panic() {
        for text in [
            "",
            "{",
            "[",
            "\"",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "[1,",
            "{\"a\" 1}",
            "{1:2}",
            "/*",
            "[\"\\",
            "tru",
            "{\"a\":1}}",
            "\u{feff}",
        ] {
            let (_, err) = parse(text);
            assert!(err.is_some(), "{text:?}");
        }
        // Bad escapes are read (and decoded to U+FFFD), not rejected.
        for text in ["\"\\u12\"", "[\"\\ud800\\u\"]"] {
            assert_eq!(parse(text).1, None, "{text:?}");
        }
        let deep = "[".repeat(100_000);
        let (_, err) = parse(&deep);
        assert_eq!(err.unwrap().message, "nested too deeply");
    }

    #[test]
    fn unescapes() {
        assert_eq!(unescape(r"a\n\u00e9\ud83d\ude00\/"), "a\né😀/");
        assert_eq!(unescape(r"\ud800x"), "\u{fffd}x");
        assert_eq!(unescape("\\"), "\u{fffd}");
    }
}
