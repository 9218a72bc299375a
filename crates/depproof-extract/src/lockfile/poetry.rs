//! Poetry's `poetry.lock` (lock versions 1.x and 2.x).
//!
//! One entry per `[[package]]`; the span covers the value of its `name = "…"`. Dev: the old
//! `category = "dev"`, or `groups` (Poetry 2) without `main`. Optional: `optional = true`
//! (a package needed only by an extra). `[package.source]` of type `git`, `url`, `file` or
//! `directory` is not the registry; `legacy` (a configured index) still is.

use depproof_registry::Ecosystem;
use serde::Deserialize;
use toml::Spanned;

use super::{Entry, Source, emit, toml_chunks, unquote_span};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    version: Option<String>,
    #[serde(default)]
    optional: bool,
    category: Option<String>,
    groups: Option<Vec<String>>,
    source: Option<PackageSource>,
}

#[derive(Deserialize)]
struct PackageSource {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    reference: Option<String>,
    resolved_reference: Option<String>,
}

pub(super) fn find(code: &Code, out: &mut Output) {
    for (offset, part) in toml_chunks::split(code.text, "[[package]]") {
        let Some(doc) = toml_chunks::parse::<Doc>(code, out, offset, part, "poetry.lock table")
        else {
            continue;
        };
        for p in doc.package {
            let span = p.name.span();
            let span = unquote_span(code.text, (offset + span.start, offset + span.end));
            let source = match p.source {
                None => Source::Registry,
                Some(s) => source(s),
            };
            let dev = p.category.as_deref() == Some("dev")
                || p.groups
                    .as_ref()
                    .is_some_and(|g| !g.is_empty() && !g.iter().any(|x| x == "main"));
            emit(
                code,
                out,
                Ecosystem::PyPI,
                Entry {
                    name: p.name.into_inner().into(),
                    span,
                    version: p.version,
                    source,
                    dev,
                    optional: p.optional,
                },
            );
        }
    }
}

fn source(s: PackageSource) -> Source {
    let url = s.url.unwrap_or_default();
    match s.kind.as_deref() {
        Some("git") => {
            let rev = s.resolved_reference.or(s.reference);
            let base = if url.starts_with("git+") {
                url
            } else {
                format!("git+{url}")
            };
            let text = match rev {
                Some(r) if !r.is_empty() => format!("{base}@{r}"),
                _ => base,
            };
            Source::Other(NotRegistry::Vcs, text)
        }
        Some("url") => Source::Other(NotRegistry::Url, url),
        Some("file" | "directory") => Source::Other(NotRegistry::LocalPath, url),
        // `legacy`, `pypi`, or anything else served by an index.
        _ => Source::Registry,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn real_lockfile() {
        let text = fixture("poetry.lock");
        let out = run("poetry.lock", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 11);
        let requests = one(&out, "requests");
        assert_eq!(requests.version.as_deref(), Some("2.34.2"));
        assert_eq!(spanned(&text, requests), "requests");
        assert_eq!(
            requests.location.line,
            line_of(&text, "name = \"requests\"")
        );
        assert_eq!(requests.location.column, 9);
        assert!(!requests.dev && !requests.optional);
        assert!(one(&out, "iniconfig").dev);
        assert!(one(&out, "pysocks").optional);
        let git = not_registry(&out, "pygitpkg @ ");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(
            text_of(git.0),
            "pygitpkg @ git+file://None/tmp/lk/pygitpkg@882a54105242b6bdf6bc8e841e9b18bed04826d1"
        );
        assert_eq!(git.0.version.as_deref(), Some("0.2.0"));
        assert_eq!(not_registry(&out, "pyurlpkg @ ").1, NotRegistry::Url);
        assert_eq!(not_registry(&out, "localpy @ ").1, NotRegistry::LocalPath);
    }

    #[test]
    fn old_format_and_broken_tables() {
        let text = "[[package]]\nname = \"pytest\"\nversion = \"7.0.0\"\ncategory = \"dev\"\noptional = false\n\n[[package]]\nname = \"broken\nversion = \"1\"\n\n[[package]]\nname = 'six'\nversion = \"1.16.0\"\ncategory = \"main\"\n\n[[package]]\nversion = \"2\"\n\n[metadata]\nlock-version = \"1.1\"\n";
        let out = run("poetry.lock", text, find);
        let names: Vec<String> = out.found.iter().map(text_of).collect();
        assert_eq!(names, ["pytest", "six"]);
        assert!(out.found[0].dev && !out.found[1].dev);
        assert_eq!(spanned(text, &out.found[1]), "six");
        let lines: Vec<Option<u32>> = out.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines.len(), 2, "{:?}", out.diagnostics);
        assert_eq!(lines[0], Some(8));
        assert!(
            out.diagnostics[1].message.contains("name"),
            "{:?}",
            out.diagnostics[1]
        );
    }
}
