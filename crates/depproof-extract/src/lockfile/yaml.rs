//! A line reader for the block-YAML that pnpm and Yarn Berry write.
//!
//! Both tools emit a narrow, regular subset of YAML: nested block mappings indented by
//! spaces, plain or quoted keys, one-line scalar or flow values. Reading it line by line
//! gives exact spans for keys and values, runs in one pass with no tree, and survives a
//! broken line (it is reported and skipped). What is outside the subset (block scalars,
//! sequences) is skipped over, never misread as keys of the mapping around it.

use std::borrow::Cow;

/// A key or a one-line value, decoded, with its span in the text.
#[derive(Debug, Clone)]
pub(crate) struct Scalar<'a> {
    pub text: Cow<'a, str>,
    /// Byte span in the text: of the characters inside the quotes for a quoted scalar.
    pub start: usize,
    pub end: usize,
}

impl Scalar<'_> {
    /// Whether `text` is exactly the source bytes at `start..end` (no quote escapes), so
    /// offsets into `text` are offsets into the file.
    pub fn exact(&self) -> bool {
        matches!(self.text, Cow::Borrowed(_))
    }

    /// The span of `text[from..to]` in the file, or the whole scalar's span if inexact.
    pub fn span(&self, from: usize, to: usize) -> (usize, usize) {
        if self.exact() && from <= to && to <= self.text.len() {
            (self.start + from, self.start + to)
        } else {
            (self.start, self.end)
        }
    }
}

/// Calls `on_entry(path, key, value)` for every `key: value` or `key:` line, where `path`
/// holds the keys of the enclosing mappings, and `on_error(offset, message)` for every
/// line that cannot be read.
pub(crate) fn walk<'a>(
    text: &'a str,
    mut on_entry: impl FnMut(&[Scalar<'a>], &Scalar<'a>, Option<&Scalar<'a>>),
    mut on_error: impl FnMut(usize, &str),
) {
    let mut keys: Vec<Scalar<'a>> = Vec::new();
    let mut indents: Vec<usize> = Vec::new();
    // While inside a block scalar or a sequence, the indentation that ends it.
    let mut skip_deeper_than: Option<usize> = None;
    // `? key` waiting for its `: value` line.
    let mut explicit: Option<(usize, Scalar<'a>)> = None;
    let mut line_start = 0usize;
    for raw in text.split('\n') {
        let start = line_start;
        line_start += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(limit) = skip_deeper_than {
            if indent > limit {
                continue;
            }
            skip_deeper_than = None;
        }
        if content.starts_with('\t') {
            on_error(start + indent, "tab in indentation");
            continue;
        }
        if indent == 0 && (content == "---" || content.starts_with("--- ") || content == "...") {
            keys.clear();
            indents.clear();
            explicit = None;
            continue;
        }
        if content == "-" || content.starts_with("- ") {
            // A sequence: not part of what lockfiles pin by name.
            skip_deeper_than = Some(indent);
            continue;
        }
        while indents.last().is_some_and(|&i| i >= indent) {
            indents.pop();
            keys.pop();
        }
        let at = start + indent;
        if let Some(rest) = content.strip_prefix("? ") {
            let off = at + 2;
            let lead = rest.len() - rest.trim_start().len();
            match scalar(rest.trim_start(), off + lead) {
                Some((key, _)) => explicit = Some((indent, key)),
                None => on_error(at, "unreadable explicit key"),
            }
            continue;
        }
        let (key, after) =
            if content.starts_with(':') && explicit.as_ref().is_some_and(|e| e.0 == indent) {
                match explicit.take() {
                    Some((_, key)) => (key, content.get(1..).unwrap_or("")),
                    None => continue,
                }
            } else {
                match key_of(content, at) {
                    Some(k) => k,
                    None => {
                        if indents.last().is_some_and(|&i| indent > i) {
                            // A continuation line of a multi-line value.
                            continue;
                        }
                        on_error(at, "expected `key: value`");
                        continue;
                    }
                }
            };
        let after_off = at + (content.len() - after.len());
        let lead = after.len() - after.trim_start().len();
        let v = after.trim_start();
        let value = if v.is_empty() || v.starts_with('#') {
            None
        } else if v.starts_with('|') || v.starts_with('>') {
            skip_deeper_than = Some(indent);
            None
        } else {
            match scalar(v, after_off + lead) {
                Some((s, _)) => Some(s),
                None => {
                    on_error(after_off + lead, "unterminated quoted value");
                    None
                }
            }
        };
        on_entry(&keys, &key, value.as_ref());
        keys.push(key);
        indents.push(indent);
    }
}

/// The key at the start of `content` (which starts at byte `at`), and the text after its
/// colon; `None` when the line is not `key:` or `key: value`.
fn key_of(content: &str, at: usize) -> Option<(Scalar<'_>, &str)> {
    if content.starts_with(['"', '\'']) {
        let (key, len) = scalar(content, at)?;
        let rest = content.get(len..)?.trim_start_matches(' ');
        let rest = rest.strip_prefix(':')?;
        return (rest.is_empty() || rest.starts_with(' ')).then_some((key, rest));
    }
    let bytes = content.as_bytes();
    let colon = (0..bytes.len())
        .find(|&i| bytes[i] == b':' && matches!(bytes.get(i + 1), None | Some(b' ')))?;
    let raw = content.get(..colon)?.trim_end();
    if raw.is_empty() {
        return None;
    }
    let key = Scalar {
        text: Cow::Borrowed(raw),
        start: at,
        end: at + raw.len(),
    };
    Some((key, content.get(colon + 1..)?))
}

/// A scalar at the start of `s` (at byte `at`): quoted (to its closing quote) or plain (to
/// the end of the line, less a trailing comment). Returns it and the bytes it used.
fn scalar(s: &str, at: usize) -> Option<(Scalar<'_>, usize)> {
    let bytes = s.as_bytes();
    match bytes.first()? {
        b'"' => {
            let mut i = 1;
            let mut escaped = false;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => {
                        escaped = true;
                        i += 2;
                    }
                    b'"' => {
                        let raw = s.get(1..i)?;
                        let text = if escaped {
                            Cow::Owned(unescape_double(raw))
                        } else {
                            Cow::Borrowed(raw)
                        };
                        let sc = Scalar {
                            text,
                            start: at + 1,
                            end: at + i,
                        };
                        return Some((sc, i + 1));
                    }
                    _ => i += 1,
                }
            }
            None
        }
        b'\'' => {
            let mut i = 1;
            let mut escaped = false;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        escaped = true;
                        i += 2;
                        continue;
                    }
                    let raw = s.get(1..i)?;
                    let text = if escaped {
                        Cow::Owned(raw.replace("''", "'"))
                    } else {
                        Cow::Borrowed(raw)
                    };
                    let sc = Scalar {
                        text,
                        start: at + 1,
                        end: at + i,
                    };
                    return Some((sc, i + 1));
                }
                i += 1;
            }
            None
        }
        _ => {
            let end = s.find(" #").unwrap_or(s.len());
            let raw = s.get(..end)?.trim_end();
            let sc = Scalar {
                text: Cow::Borrowed(raw),
                start: at,
                end: at + raw.len(),
            };
            Some((sc, end))
        }
    }
}

/// Decodes the common escapes of a YAML double-quoted scalar.
fn unescape_double(raw: &str) -> String {
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
            Some('0') => out.push('\0'),
            Some(c @ ('x' | 'u' | 'U')) => {
                let n = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(ch.unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => out.push('\u{fffd}'),
        }
    }
    out
}

/// The `key: value` pairs of a one-line flow mapping such as
/// `{integrity: sha512-…, tarball: https://…}` (quotes removed; nested flows kept raw).
pub(crate) fn flow_map(s: &str) -> Vec<(&str, &str)> {
    let Some(inner) = s.trim().strip_prefix('{').and_then(|r| r.strip_suffix('}')) else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut from = 0;
    let mut parts = Vec::new();
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&inner[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[from..]);
    for part in parts {
        if let Some((k, v)) = part.split_once(':') {
            pairs.push((unquote_flow(k), unquote_flow(v)));
        }
    }
    pairs
}

fn unquote_flow(x: &str) -> &str {
    let x = x.trim();
    x.strip_prefix(['"', '\''])
        .and_then(|y| y.strip_suffix(['"', '\'']))
        .unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> (Vec<String>, Vec<(usize, String)>) {
        let mut ev = Vec::new();
        let mut errs = Vec::new();
        walk(
            text,
            |path, key, value| {
                let p: Vec<&str> = path.iter().map(|s| s.text.as_ref()).collect();
                if key.exact() {
                    assert_eq!(&text[key.start..key.end], key.text.as_ref(), "key span");
                }
                ev.push(format!(
                    "{}|{}={}",
                    p.join("/"),
                    key.text,
                    value.map_or("~".into(), |v| v.text.to_string())
                ));
            },
            |off, msg| errs.push((off, msg.to_string())),
        );
        (ev, errs)
    }

    #[test]
    fn nested_mappings_and_quotes() {
        let text = "lockfileVersion: '9.0'\n\npackages:\n\n  '@types/node@20.1.0':\n    resolution: {integrity: sha512-x}\n    dev: true # yes\n\n  \"a b\": 1\n  it''s: x\n  'it''s': y\nz:\n";
        let (ev, errs) = events(text);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(
            ev,
            [
                "|lockfileVersion=9.0",
                "|packages=~",
                "packages|@types/node@20.1.0=~",
                "packages/@types/node@20.1.0|resolution={integrity: sha512-x}",
                "packages/@types/node@20.1.0|dev=true",
                "packages|a b=1",
                "packages|it''s=x",
                "packages|it's=y",
                "|z=~",
            ]
        );
    }

    #[test]
    fn skips_sequences_block_scalars_and_reports_bad_lines() {
        let text = "a:\n  list:\n    - x: 1\n    - y\n  text: |\n    k: v\n  b: 2\n\tc: 3\nnot a key\n? long key\n: v\n---\nd: \"unterminated\n";
        let (ev, errs) = events(text);
        assert_eq!(
            ev,
            [
                "|a=~",
                "a|list=~",
                "a|text=~",
                "a|b=2",
                "|long key=v",
                "|d=~"
            ]
        );
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_eq!(errs[0].0, text.find("\tc").unwrap());
        assert_eq!(errs[1].0, text.find("not a key").unwrap());
        assert_eq!(errs[2].1, "unterminated quoted value");
    }

    #[test]
    fn flow_mappings() {
        assert_eq!(
            flow_map("{commit: abc, repo: 'https://x/y.git', type: git}"),
            [
                ("commit", "abc"),
                ("repo", "https://x/y.git"),
                ("type", "git")
            ]
        );
        assert_eq!(
            flow_map("{a: [1, 2], b: {c: d}}"),
            [("a", "[1, 2]"), ("b", "{c: d}")]
        );
        assert!(flow_map("not a map").is_empty());
        assert!(flow_map("{}").is_empty());
    }
}
