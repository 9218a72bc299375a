//! PEP 751 lockfiles: `pylock.toml` and `pylock.NAME.toml`.
//!
//! One entry per `[[packages]]`, except the project itself (`directory = { path = "." }`);
//! the span covers the value of `name = "…"`. `vcs` is VCS, `directory` a local path,
//! `archive` a URL or a local path; otherwise the package comes from `index` (any index).
//! PEP 751 has no dev or optional fields: a package whose `marker` tests
//! `dependency_groups` is counted as dev, one whose marker tests `extras` as optional.

use depproof_registry::Ecosystem;
use serde::Deserialize;
use toml::Spanned;

use super::{Entry, Source, emit, toml_chunks, unquote_span};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    version: Option<String>,
    marker: Option<String>,
    vcs: Option<Vcs>,
    directory: Option<Directory>,
    archive: Option<Archive>,
}

#[derive(Deserialize)]
struct Vcs {
    url: Option<String>,
    path: Option<String>,
    #[serde(rename = "commit-id")]
    commit_id: Option<String>,
}

#[derive(Deserialize)]
struct Directory {
    path: String,
}

#[derive(Deserialize)]
struct Archive {
    url: Option<String>,
    path: Option<String>,
}

pub(super) fn find(code: &Code, out: &mut Output) {
    for (offset, part) in toml_chunks::split(code.text, "[[packages]]") {
        let Some(doc) = toml_chunks::parse::<Doc>(code, out, offset, part, "pylock.toml table")
        else {
            continue;
        };
        for p in doc.packages {
            let source = if let Some(v) = p.vcs {
                let at = v.url.or(v.path).unwrap_or_default();
                let text = match v.commit_id {
                    Some(c) => format!("git+{}@{c}", at.trim_start_matches("git+")),
                    None => at,
                };
                Source::Other(NotRegistry::Vcs, text)
            } else if let Some(d) = p.directory {
                if matches!(d.path.as_str(), "." | "./") {
                    // The project itself.
                    continue;
                }
                Source::Other(NotRegistry::LocalPath, d.path)
            } else if let Some(a) = p.archive {
                match (a.url, a.path) {
                    (Some(u), _) => Source::Other(NotRegistry::Url, u),
                    (None, p) => Source::Other(NotRegistry::LocalPath, p.unwrap_or_default()),
                }
            } else {
                Source::Registry
            };
            let s = p.name.span();
            let span = unquote_span(code.text, (offset + s.start, offset + s.end));
            let marker = p.marker.unwrap_or_default();
            emit(
                code,
                out,
                Ecosystem::PyPI,
                Entry {
                    name: p.name.into_inner().into(),
                    span,
                    version: p.version,
                    source,
                    dev: marker.contains("dependency_groups"),
                    optional: marker.contains("extras"),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn real_lockfile() {
        let text = fixture("pylock.toml");
        let out = run("pylock.toml", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 11);
        let requests = one(&out, "requests");
        assert_eq!(requests.version.as_deref(), Some("2.34.2"));
        assert_eq!(spanned(&text, requests), "requests");
        assert_eq!(
            requests.location.line,
            line_of(&text, "name = \"requests\"")
        );
        let git = not_registry(&out, "pygitpkg @ ");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(
            text_of(git.0),
            "pygitpkg @ git+file:///tmp/lk/pygitpkg@882a54105242b6bdf6bc8e841e9b18bed04826d1"
        );
        assert_eq!(not_registry(&out, "pyurlpkg @ ").1, NotRegistry::Url);
        assert_eq!(not_registry(&out, "localpy @ ").1, NotRegistry::LocalPath);
        assert!(out.found.iter().all(|f| !text_of(f).starts_with("lkpy")));
    }

    #[test]
    fn markers_and_broken_tables() {
        let text = "lock-version = \"1.0\"\n\n[[packages]]\nname = \"pytest\"\nversion = \"8.0\"\nmarker = \"'dev' in dependency_groups\"\n\n[[packages]]\nname = \"socks\"\nmarker = \"'socks' in extras\"\narchive = { path = \"dist/socks.whl\" }\n\n[[packages]]\nname = = \"x\"\n";
        let out = run("pylock.toml", text, find);
        assert_eq!(out.found.len(), 2);
        assert!(out.found[0].dev && !out.found[0].optional);
        assert!(out.found[1].optional);
        assert_eq!(out.found[1].version, None);
        assert_eq!(
            not_registry(&out, "socks @ dist/").1,
            NotRegistry::LocalPath
        );
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(14));
    }
}
