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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Mention;

    /// (specifier, line, column, dev) of every mention, checking each span.
    fn found(
        path: &str,
        text: &str,
        kind: ComponentKind,
    ) -> (Vec<(String, u32, u32, bool)>, Output) {
        let code = Code::file(path.into(), text);
        let mut out = Output::default();
        find_in_component(&code, kind, &mut out);
        let found = out
            .found
            .iter()
            .map(|f| {
                let Mention::JsImport { specifier } = &f.mention else {
                    panic!("unexpected {:?}", f.mention);
                };
                let l = &f.location;
                assert_eq!(&text[l.start as usize..l.end as usize], specifier.as_str());
                (specifier.clone(), l.line, l.column, f.dev)
            })
            .collect();
        (found, out)
    }

    fn f(spec: &str, line: u32, column: u32, dev: bool) -> (String, u32, u32, bool) {
        (spec.to_owned(), line, column, dev)
    }

    #[test]
    fn vue_component_with_script_setup_in_typescript() {
        let text = r#"<template>
  <div class="user">
    <UserCard :user="user" @select="onSelect" />
    <p>{{ format(user.createdAt) }} — import x from 'not-code'</p>
  </div>
</template>

<!-- <script>import old from 'commented-out'</script> -->
<script lang="ts">
export default { name: 'UserView' }
</script>

<script setup lang="ts" generic="T extends Record<string, unknown>">
import { ref, computed } from 'vue'
import type { User } from '@/types'
import UserCard from './UserCard.vue'
import { format } from 'date-fns'

const props = defineProps<{ user: User }>()
const user = ref(props.user)
const Chart = defineAsyncComponent(() => import('vue-chartjs'))
</script>

<style scoped>
.user { color: red; }
</style>
"#;
        let (found, out) = found("src/views/User.vue", text, ComponentKind::Vue);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            found,
            vec![
                f("vue", 14, 32, false),
                f("@/types", 15, 28, true),
                f("./UserCard.vue", 16, 23, false),
                f("date-fns", 17, 25, false),
                f("vue-chartjs", 21, 50, false),
            ]
        );
    }

    #[test]
    fn svelte_component_with_module_script() {
        let text = r#"<script context="module" lang="ts">
  import type { Load } from '@sveltejs/kit';
  export const prerender = true;
</script>

<script lang="ts">
  import { onMount } from 'svelte';
  import { writable } from "svelte/store";
  import Chart from 'chart.js/auto';
  export let data: { items: string[] };
  let ready = false;
  onMount(async () => { const { default: confetti } = await import('canvas-confetti'); });
</script>

<svelte:head><title>{data.items.length} items</title></svelte:head>
{#each data.items as item}<li on:click={() => ready = !ready}>{item}</li>{/each}
<SCRIPT>import legacy from "upper-case-tag";</SCRIPT>
"#;
        let (found, out) = found("src/routes/+page.svelte", text, ComponentKind::Svelte);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let specs: Vec<(&str, bool)> = found.iter().map(|x| (x.0.as_str(), x.3)).collect();
        assert_eq!(
            specs,
            [
                ("@sveltejs/kit", true),
                ("svelte", false),
                ("svelte/store", false),
                ("chart.js/auto", false),
                ("canvas-confetti", false),
                ("upper-case-tag", false),
            ]
        );
        assert_eq!(found[0].1, 2);
        assert_eq!(found[1], f("svelte", 7, 28, false));
    }

    #[test]
    fn astro_page_frontmatter_and_scripts() {
        let text = r#"---
import Layout from '../layouts/Layout.astro';
import { getCollection } from 'astro:content';
import { Image } from "astro:assets";
import dayjs from 'dayjs';
const posts = (await getCollection('blog')).sort((a, b) => b.data.date - a.data.date);
const html = "<script>import bad from 'in-a-string'</script>";
---
<Layout title="Blog">
  {posts.map((p) => <a href={`/blog/${p.slug}`}>{p.data.title}</a>)}
  <script>
    import { animate } from 'motion';
    animate('.title', { opacity: 1 });
  </script>
  <script is:inline src="https://plausible.io/js/script.js"></script>
  <script type="application/ld+json">{"@context": "https://schema.org", "import": "x"}</script>
  <script define:vars={{ limit: posts.length > 3 ? 3 : 1 }}>
    const lib = require('inline-lib');
  </script>
</Layout>
"#;
        let (found, out) = found("src/pages/blog.astro", text, ComponentKind::Astro);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            found,
            vec![
                f("../layouts/Layout.astro", 2, 21, false),
                f("astro:content", 3, 32, false),
                f("astro:assets", 4, 24, false),
                f("dayjs", 5, 20, false),
                f("motion", 12, 30, false),
                f("inline-lib", 18, 26, false),
            ]
        );
    }

    #[test]
    fn malformed_components_do_not_crash() {
        let inputs = [
            "<script",
            "<script lang=\"ts\">import a from 'a'",
            "<script setup lang='ts' >\n import a from 'a';\n const = ;\n</script>",
            "<script src=\"./x.js\"/>",
            "---\nimport a from 'a';\n",
            "---",
            "<!-- never closed <script>import x from 'x'</script>",
            "<script type=\"text/template\"><div>${x}</div></script>",
            "<script lang=\"coffee\">x = require 'y'</script>",
            "<script define:vars={{a: '}'}}>import b from 'b'</script>",
            "<scripts>import c from 'c'</scripts>",
            "\u{0}<script>\u{0}</script>",
        ];
        for input in inputs {
            for kind in [
                ComponentKind::Vue,
                ComponentKind::Svelte,
                ComponentKind::Astro,
            ] {
                let _ = found("x.vue", input, kind);
            }
        }
        let (got, out) = found("x.vue", inputs[1], ComponentKind::Vue);
        assert_eq!(got, vec![f("a", 1, 34, false)]);
        assert!(out.diagnostics[0].message.contains("never closed"));
        let (got, out) = found("x.svelte", inputs[2], ComponentKind::Svelte);
        assert_eq!(got, vec![f("a", 2, 17, false)]);
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(3));
        assert!(found("x.vue", inputs[6], ComponentKind::Vue).0.is_empty());
        assert!(found("x.vue", inputs[7], ComponentKind::Vue).0.is_empty());
        assert!(found("x.vue", inputs[8], ComponentKind::Vue).0.is_empty());
        assert_eq!(found("x.astro", inputs[9], ComponentKind::Astro).0.len(), 1);
        assert!(found("x.vue", inputs[10], ComponentKind::Vue).0.is_empty());
    }

    #[test]
    fn component_kinds_from_paths() {
        assert_eq!(
            component_kind_for_path("src/App.vue"),
            Some(ComponentKind::Vue)
        );
        assert_eq!(
            component_kind_for_path("a/B.SVELTE"),
            Some(ComponentKind::Svelte)
        );
        assert_eq!(
            component_kind_for_path("index.astro"),
            Some(ComponentKind::Astro)
        );
        assert_eq!(component_kind_for_path("a.js"), None);
        assert_eq!(component_kind_for_path(".vue"), None);
    }
}
