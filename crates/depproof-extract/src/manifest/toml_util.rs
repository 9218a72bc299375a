//! TOML with spans, for `pyproject.toml` and `Pipfile`.
//!
//! `toml::de::DeTable::parse_recoverable` keeps the byte span of every key and value and
//! goes on after a syntax error, so a broken file still yields the tables that could be
//! read, and each error has a place for its warning.

use std::ops::Range;

use serde_spanned::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use depproof_registry::Ecosystem;

use super::{Flags, Piece, classify_python_source, push_not_registry, push_package};
use crate::location::Code;
use crate::reference::NotRegistry;
use crate::reference::Output;

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;
pub(crate) type Key<'i> = Spanned<DeString<'i>>;

/// Parses a TOML document; a syntax error becomes a warning with its line and column (the
/// first error of a line only: the parser's recovery often adds more on the same line).
pub(crate) fn parse<'i>(code: &Code<'i>, out: &mut Output) -> DeTable<'i> {
    let (table, errors) = DeTable::parse_recoverable(code.text);
    let mut last_line = 0;
    for error in errors {
        let at = error.span().map_or(0, |s| s.start);
        let location = code.location(at, at);
        if location.line == last_line {
            continue;
        }
        last_line = location.line;
        out.warn(
            &code.path,
            Some(location.line),
            format!(
                "invalid TOML at line {}, column {}: {}; read what could be read",
                location.line,
                location.column,
                error.message().trim()
            ),
        );
    }
    table.into_inner()
}

/// The value of `key` in `table`.
pub(crate) fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// The table at a dotted path of keys.
pub(crate) fn table_at<'t, 'i>(table: &'t DeTable<'i>, path: &[&str]) -> Option<&'t DeTable<'i>> {
    let mut current = table;
    for key in path {
        current = get(current, key)?.get_ref().as_table()?;
    }
    Some(current)
}

/// The string value at `key`, if it is a string.
pub(crate) fn get_str<'t>(table: &'t DeTable<'_>, key: &str) -> Option<&'t str> {
    get(table, key)?.get_ref().as_str()
}

/// Where the characters of a string or key whose TOML spans `span` are: inside the
/// quotes (the span of a quoted item includes them).
pub(crate) fn content_range(text: &str, span: Range<usize>) -> Range<usize> {
    let Some(raw) = text.get(span.clone()) else {
        return span;
    };
    for quotes in ["\"\"\"", "'''"] {
        if raw.len() >= 6 && raw.starts_with(quotes) && raw.ends_with(quotes) {
            let mut start = span.start + 3;
            // A newline right after the opening quotes is not part of the value.
            if let Some(rest) = text.get(start..span.end) {
                start += if rest.starts_with("\r\n") {
                    2
                } else {
                    usize::from(rest.starts_with('\n'))
                };
            }
            return start..(span.end - 3).max(start);
        }
    }
    for quote in ['"', '\''] {
        if raw.len() >= 2 && raw.starts_with(quote) && raw.ends_with(quote) {
            return span.start + 1..span.end - 1;
        }
    }
    span
}

/// A string value as a [`Piece`] mapped back to the file, if the value is a string.
pub(crate) fn string_piece<'t>(text: &str, value: &'t Value<'_>) -> Option<Piece<'t>> {
    let s = value.get_ref().as_str()?;
    let r = content_range(text, value.span());
    Some(Piece::literal(text, r.start, r.end, s))
}

/// The span of a key's name (without quotes).
pub(crate) fn key_span(text: &str, key: &Key<'_>) -> (usize, usize) {
    let r = content_range(text, key.span());
    (r.start, r.end)
}

/// The 1-based line of a spanned item.
pub(crate) fn line_of<T>(code: &Code, item: &Spanned<T>) -> u32 {
    let at = item.span().start;
    code.location(at, at).line
}

/// Reports a dependency declared as `name = value` (Poetry, Pipfile): the value is a
/// version string (`"^2.0"`, `"*"`), a table (`{version = "…", optional = true}`,
/// `{git = "…"}`, `{path = "…"}`, `{url = "…"}`, Pipfile's `{file = "…"}`), or an array of
/// such tables (Poetry's multiple constraints; the first one that is not from the registry
/// wins, else the first).
pub(crate) fn named_dependency(
    code: &Code,
    out: &mut Output,
    key: &Key<'_>,
    value: &Value<'_>,
    flags: Flags,
    section: &str,
) {
    let name = key.get_ref().as_ref();
    let span = key_span(code.text, key);
    let table = match value.get_ref() {
        DeValue::String(version) => {
            push_package(
                out,
                code,
                Ecosystem::PyPI,
                name,
                span,
                non_empty(version),
                flags,
            );
            return;
        }
        DeValue::Table(t) => Some(t),
        DeValue::Array(items) => {
            let tables: Vec<&DeTable> = items
                .iter()
                .filter_map(|i| i.get_ref().as_table())
                .collect();
            tables
                .iter()
                .find(|t| source_of(t).is_some())
                .or(tables.first())
                .copied()
        }
        _ => None,
    };
    let Some(table) = table else {
        out.warn(
            &code.path,
            Some(line_of(code, value)),
            format!("{section}: `{name}` is neither a version string nor a table; not read"),
        );
        return;
    };
    let flags = Flags {
        optional: flags.optional
            || get(table, "optional").and_then(|v| v.get_ref().as_bool()) == Some(true),
        ..flags
    };
    match source_of(table) {
        Some((what, text)) => {
            push_not_registry(out, code, Some(Ecosystem::PyPI), text, what, span, flags)
        }
        None => {
            let version = get_str(table, "version").and_then(non_empty);
            push_package(out, code, Ecosystem::PyPI, name, span, version, flags);
        }
    }
}

fn non_empty(version: &str) -> Option<String> {
    let v = version.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Where a dependency table says the package comes from, when not from the registry.
pub(crate) fn source_of<'t>(table: &'t DeTable<'_>) -> Option<(NotRegistry, &'t str)> {
    if let Some(git) = get_str(table, "git") {
        return Some((NotRegistry::Vcs, git));
    }
    for key in ["hg", "svn", "bzr"] {
        if let Some(url) = get_str(table, key) {
            return Some((NotRegistry::Vcs, url));
        }
    }
    if let Some(path) = get_str(table, "path") {
        return Some((NotRegistry::LocalPath, path));
    }
    if let Some(url) = get_str(table, "url").or_else(|| get_str(table, "file")) {
        return Some((classify_python_source(url), url));
    }
    if get(table, "workspace").and_then(|v| v.get_ref().as_bool()) == Some(true) {
        return Some((NotRegistry::Workspace, "workspace"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_strings_and_keys() {
        let text =
            "[a]\n\"quoted.key\" = 'lit'\nplain = \"\"\"\nmulti\"\"\"\nesc = \"a\\u0062c\"\n";
        let code = Code::file("x.toml".into(), text);
        let mut out = Output::default();
        let doc = parse(&code, &mut out);
        assert!(out.diagnostics.is_empty());
        let a = table_at(&doc, &["a"]).unwrap();
        let (k, v) = a.iter().next().unwrap();
        let ks = key_span(text, k);
        assert_eq!(&text[ks.0..ks.1], "quoted.key");
        let p = string_piece(text, v).unwrap();
        assert_eq!(
            p.span(0, 3),
            (text.find("lit").unwrap(), text.find("lit").unwrap() + 3)
        );
        let multi = string_piece(text, get(a, "plain").unwrap()).unwrap();
        let (s, e) = multi.span(0, 5);
        assert_eq!(&text[s..e], "multi");
        // Escapes: only the whole literal can be pointed at.
        let esc = string_piece(text, get(a, "esc").unwrap()).unwrap();
        assert_eq!(esc.text, "abc");
        let (s, e) = esc.span(0, 1);
        assert_eq!(&text[s..e], "a\\u0062c");
    }

    #[test]
    fn errors_have_places_and_the_rest_is_read() {
        let text = "[a]\nx = 1\ny = = 2\n[b]\nz = \"ok\"\n";
        let code = Code::file("x.toml".into(), text);
        let mut out = Output::default();
        let doc = parse(&code, &mut out);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        assert_eq!(out.diagnostics[0].line, Some(3));
        assert!(out.diagnostics[0].message.contains("line 3, column"));
        assert_eq!(get_str(table_at(&doc, &["b"]).unwrap(), "z"), Some("ok"));
    }
}
