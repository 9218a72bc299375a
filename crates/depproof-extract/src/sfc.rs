//! Single-file components: the scripts inside `.vue`, `.svelte` and `.astro` files.
//!
//! Each `<script>` element (`<script setup lang="ts">`, `<script context="module">`,
//! `<script module>`…) and an Astro file's frontmatter (TypeScript between the leading
//! `---` fences) is handed to [`crate::javascript::find`] as a part of the file, so that
//! locations point into the component. Scripts that are not code (`type="application/json"`,
//! `type="importmap"`, `type="text/x-template"`) and external scripts (`src="…"`) are
//! skipped, and so is anything inside `<!-- comments -->`.

use crate::javascript::{self, JsDialect};
use crate::location::Code;
use crate::reference::Output;

/// The kind of a component file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// A Vue single-file component (`.vue`).
    Vue,
    /// A Svelte component (`.svelte`).
    Svelte,
    /// An Astro component or page (`.astro`).
    Astro,
}

/// The component kind of a file from its name (`.vue`, `.svelte`, `.astro`).
pub fn component_kind_for_path(path: &str) -> Option<ComponentKind> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    match ext.to_ascii_lowercase().as_str() {
        "vue" => Some(ComponentKind::Vue),
        "svelte" => Some(ComponentKind::Svelte),
        "astro" => Some(ComponentKind::Astro),
        _ => None,
    }
}

/// Reports the module specifiers of every script in a component (see the module
/// documentation); never fails.
pub fn find_in_component(code: &Code, kind: ComponentKind, out: &mut Output) {
    let text = code.text;
    let mut markup_start = 0;
    if kind == ComponentKind::Astro
        && let Some((start, end, after)) = frontmatter(text)
    {
        javascript::find(&code.sub(start, end - start), JsDialect::Ts, out);
        markup_start = after;
    }
    let default = match kind {
        // Astro compiles its `<script>` tags as TypeScript.
        ComponentKind::Astro => JsDialect::Ts,
        ComponentKind::Vue | ComponentKind::Svelte => JsDialect::Js,
    };
    for script in scripts(text, markup_start) {
        if let Some(dialect) = script.dialect(default) {
            let len = script.content_end - script.content_start;
            javascript::find(&code.sub(script.content_start, len), dialect, out);
        }
        if script.unclosed {
            let line = code.location(script.tag_start, script.tag_start).line;
            out.warn(
                &code.path,
                Some(line),
                "<script> element is never closed; read it to the end of the file",
            );
        }
    }
}

/// Astro frontmatter: the byte range of the code between the fences, and where the
/// markup starts.
fn frontmatter(text: &str) -> Option<(usize, usize, usize)> {
    let lead = text.len()
        - text
            .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
            .len();
    let rest = &text[lead..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != "---" {
        return None;
    }
    let start = lead + first_line_end;
    let mut line_start = start;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i + 1);
        if text[line_start..line_end].trim_end() == "---" {
            return Some((start, line_start, line_end));
        }
        line_start = line_end;
    }
    // No closing fence: Astro rejects the file; read it all as code rather than nothing.
    Some((start, text.len(), text.len()))
}

/// One `<script>` element.
#[derive(Debug)]
struct Script {
    tag_start: usize,
    content_start: usize,
    content_end: usize,
    unclosed: bool,
    /// Attribute names (lowercased) and values.
    attrs: Vec<(String, String)>,
}

impl Script {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The dialect of the script's code, or `None` if it is not inline code.
    fn dialect(&self, default: JsDialect) -> Option<JsDialect> {
        if self.attr("src").is_some_and(|s| !s.is_empty()) {
            return None;
        }
        let mut dialect = default;
        if let Some(t) = self.attr("type") {
            let t = t.trim().to_ascii_lowercase();
            let code = t.is_empty()
                || t == "module"
                || t == "ts"
                || t == "text/partytown"
                || ["javascript", "ecmascript", "typescript", "jsx", "babel"]
                    .iter()
                    .any(|k| t.contains(k));
            if !code {
                return None;
            }
            if t.contains("typescript") || t == "ts" {
                dialect = JsDialect::Ts;
            }
        }
        if let Some(lang) = self.attr("lang") {
            dialect = match lang.trim().to_ascii_lowercase().as_str() {
                "ts" | "typescript" => JsDialect::Ts,
                "tsx" => JsDialect::Tsx,
                "jsx" => JsDialect::Jsx,
                "js" | "javascript" | "" => JsDialect::Js,
                // CoffeeScript and other compile-to-JS languages are not JavaScript.
                _ => return None,
            };
        }
        Some(dialect)
    }
}

/// Whether `hay` at `at` starts with `needle`, ASCII case-insensitively.
fn starts_with_ci(hay: &[u8], at: usize, needle: &[u8]) -> bool {
    hay.get(at..at + needle.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(needle))
}

/// The `<script>` elements of `text` from `from` on, skipping HTML comments.
fn scripts(text: &str, from: usize) -> Vec<Script> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = from;
    while let Some(p) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'<'))
    {
        let lt = i + p;
        if b[lt..].starts_with(b"<!--") {
            i = find_from(b, lt + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let name_end = lt + "<script".len();
        let tag = starts_with_ci(b, lt, b"<script")
            && b.get(name_end)
                .is_some_and(|&c| c.is_ascii_whitespace() || c == b'>' || c == b'/');
        if !tag {
            i = lt + 1;
            continue;
        }
        let Some((attrs, tag_end, self_closing)) = attributes(b, name_end) else {
            break;
        };
        if self_closing {
            i = tag_end;
            continue;
        }
        let close = find_ci_from(b, tag_end, b"</script");
        let content_end = close.unwrap_or(b.len());
        found.push(Script {
            tag_start: lt,
            content_start: tag_end,
            content_end,
            unclosed: close.is_none(),
            attrs,
        });
        i = close.map_or(b.len(), |c| c + "</script".len());
    }
    found
}

fn find_from(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ci_from(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// Parses the attributes of a start tag from `at` (just after its name): the attributes,
/// the offset just past `>`, and whether the tag was self-closing; `None` if the tag is
/// never closed.
///
/// Values may be quoted, unquoted or (Svelte, Astro) `{expressions}`, which may hold `>`.
#[allow(clippy::type_complexity)]
fn attributes(b: &[u8], at: usize) -> Option<(Vec<(String, String)>, usize, bool)> {
    let mut attrs = Vec::new();
    let mut i = at;
    loop {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => return Some((attrs, i + 1, false)),
            b'/' if b.get(i + 1) == Some(&b'>') => return Some((attrs, i + 2, true)),
            b'{' => i = skip_braces(b, i)?,
            _ => {
                let name_start = i;
                while let Some(&c) = b.get(i) {
                    let ends = c.is_ascii_whitespace()
                        || matches!(c, b'=' | b'>' | b'{')
                        || (c == b'/' && b.get(i + 1) == Some(&b'>'));
                    if ends {
                        break;
                    }
                    i += 1;
                }
                if i == name_start {
                    // A lone `/` or `=`: step over it.
                    i += 1;
                    continue;
                }
                let name = String::from_utf8_lossy(&b[name_start..i]).to_ascii_lowercase();
                let mut j = i;
                while b.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                let mut value = String::new();
                if b.get(j) == Some(&b'=') {
                    j += 1;
                    while b.get(j).is_some_and(u8::is_ascii_whitespace) {
                        j += 1;
                    }
                    match *b.get(j)? {
                        q @ (b'"' | b'\'') => {
                            let end = b[j + 1..].iter().position(|&c| c == q)? + j + 1;
                            value = String::from_utf8_lossy(&b[j + 1..end]).into_owned();
                            j = end + 1;
                        }
                        b'{' => j = skip_braces(b, j)?,
                        _ => {
                            let s = j;
                            while b
                                .get(j)
                                .is_some_and(|&c| !c.is_ascii_whitespace() && c != b'>')
                            {
                                j += 1;
                            }
                            value = String::from_utf8_lossy(&b[s..j]).into_owned();
                        }
                    }
                    i = j;
                }
                attrs.push((name, value));
            }
        }
    }
}

/// The offset just past the `}` matching the `{` at `at` (quotes inside are skipped).
fn skip_braces(b: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    let mut quote = None;
    while let Some(&c) = b.get(i) {
        match (quote, c) {
            (Some(_), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'' | b'`') => quote = Some(c),
            (None, b'{') => depth += 1,
            (None, b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}
