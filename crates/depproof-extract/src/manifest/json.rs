//! A small JSON parser that keeps the byte span of every value and key, and keeps what it
//! read before a syntax error (serde_json has no spans and gives nothing back on error).

/// A string with the span of its characters (between the quotes) in the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JStr {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// A JSON value; numbers, booleans and null are of no interest here.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(JStr),
    Bool(bool),
    Array(Vec<Node>),
    Object(Vec<(JStr, Node)>),
    Other,
}

/// A value and the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub start: usize,
    pub end: usize,
}

impl Node {
    /// The value of `key`, if this is an object that has it (the last one wins, as in
    /// JavaScript).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.value == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&JStr> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// What [`parse`] read: the value (possibly cut short) and the first error, with its byte
/// offset.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub root: Option<Node>,
    pub error: Option<(usize, String)>,
}

const MAX_DEPTH: usize = 128;

/// Parses a JSON document. After an error, arrays and objects keep the items read so far.
pub(crate) fn parse(text: &str) -> Parsed {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        error: None,
    };
    if text.starts_with('\u{feff}') {
        p.pos = 3;
    }
    p.ws();
    let root = p.value(0);
    if p.error.is_none() {
        p.ws();
        if p.pos < p.bytes.len() {
            p.fail("unexpected characters after the end of the document");
        }
    }
    Parsed {
        root,
        error: p.error,
    }
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    error: Option<(usize, String)>,
}

impl Parser<'_> {
    fn fail(&mut self, message: &str) {
        if self.error.is_none() {
            self.error = Some((self.pos, message.to_string()));
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            self.fail("nested too deeply");
            return None;
        }
        let value = match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Value::Str(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Other)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => {
                self.fail("expected a value");
                return None;
            }
            None => {
                self.fail("unexpected end of the document");
                return None;
            }
        };
        Some(Node {
            value,
            start,
            end: self.pos,
        })
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        if self.text.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Some(value)
        } else {
            self.fail("expected a value");
            None
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let n = &self.text[start..self.pos];
        if n.parse::<f64>().is_err() || n.starts_with('+') {
            self.pos = start;
            self.fail("invalid number");
            return None;
        }
        Some(Value::Other)
    }

    fn string(&mut self) -> Option<JStr> {
        self.pos += 1;
        let start = self.pos;
        let mut value = String::new();
        let mut run = self.pos;
        loop {
            match self.peek() {
                None => {
                    self.fail("unterminated string");
                    return None;
                }
                Some(b'"') => {
                    value.push_str(&self.text[run..self.pos]);
                    let end = self.pos;
                    self.pos += 1;
                    return Some(JStr { value, start, end });
                }
                Some(b'\\') => {
                    value.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    let c = self.escape()?;
                    value.push(c);
                    run = self.pos;
                }
                Some(b) if b < 0x20 => {
                    self.fail("control character in a string");
                    return None;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// After a backslash: the escaped character.
    fn escape(&mut self) -> Option<char> {
        let b = self.peek();
        self.pos += 1;
        let c = match b {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high)
                    && self.text.get(self.pos..self.pos + 2) == Some("\\u")
                {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        return Some(char::from_u32(c).unwrap_or('\u{fffd}'));
                    }
                    self.pos = save;
                }
                char::from_u32(high).unwrap_or('\u{fffd}')
            }
            _ => {
                self.pos -= 1;
                self.fail("invalid escape in a string");
                return None;
            }
        };
        Some(c)
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4);
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) if digits.is_some_and(|d| d.bytes().all(|b| b.is_ascii_hexdigit())) => {
                self.pos += 4;
                Some(v)
            }
            _ => {
                self.fail("invalid \\u escape");
                None
            }
        }
    }

    fn array(&mut self, depth: usize) -> Value {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Value::Array(items);
        }
        loop {
            self.ws();
            match self.value(depth + 1) {
                Some(v) => items.push(v),
                None => return Value::Array(items),
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Value::Array(items);
                }
                _ => {
                    self.fail("expected `,` or `]`");
                    return Value::Array(items);
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Value {
        self.pos += 1;
        let mut entries = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Value::Object(entries);
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                self.fail("expected a key string");
                return Value::Object(entries);
            }
            let Some(key) = self.string() else {
                return Value::Object(entries);
            };
            self.ws();
            if self.peek() != Some(b':') {
                self.fail("expected `:`");
                return Value::Object(entries);
            }
            self.pos += 1;
            self.ws();
            match self.value(depth + 1) {
                Some(v) => entries.push((key, v)),
                None => return Value::Object(entries),
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Value::Object(entries);
                }
                _ => {
                    self.fail("expected `,` or `}`");
                    return Value::Object(entries);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_spans() {
        let text =
            "\u{feff}{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\ud83d\\ude00\"], \"b\\\"\": {}}";
        let p = parse(text);
        assert_eq!(p.error, None);
        let root = p.root.unwrap();
        let a = root.get("a").unwrap();
        let Value::Array(items) = &a.value else {
            panic!()
        };
        assert_eq!(items.len(), 5);
        let s = items[4].as_str().unwrap();
        assert_eq!(s.value, "xé😀");
        assert_eq!(&text[s.start..s.end], "x\\u00e9\\ud83d\\ude00");
        assert_eq!(
            &text[a.start..a.end],
            "[1, -2.5e3, true, null, \"x\\u00e9\\ud83d\\ude00\"]"
        );
        assert!(root.get("b\"").is_some());
    }

    #[test]
    fn errors_keep_what_was_read() {
        let text = "{\"a\": \"1\", \"b\": [\"x\", \"y\",], \"c\": 3}";
        let p = parse(text);
        let (at, message) = p.error.unwrap();
        assert_eq!(&text[at..at + 1], "]");
        assert_eq!(message, "expected a value");
        let root = p.root.unwrap();
        assert_eq!(root.get("a").unwrap().as_str().unwrap().value, "1");
        let Value::Array(b) = &root.get("b").unwrap().value else {
            panic!()
        };
        assert_eq!(b.len(), 2);
        assert!(root.get("c").is_none());
        for bad in [
            "",
            "{",
            "[",
            "\"",
            "{\"a\"",
            "{\"a\":",
            "tru",
            "-",
            "1 2",
            "\"\\x\"",
            "\"\\u12\"",
            "{\"a\" 1}",
            "\"a\nb\"",
        ] {
            assert!(parse(bad).error.is_some(), "{bad:?}");
        }
        let deep = "[".repeat(10_000);
        assert_eq!(parse(&deep).error.unwrap().1, "nested too deeply");
    }
}
