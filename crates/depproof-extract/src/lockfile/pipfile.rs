//! Pipenv's `Pipfile.lock` (JSON).
//!
//! One entry per member of `default` and `develop` (dev); the span covers the member's key.
//! `version` is `==x.y` (reported as `x.y`; `*` for a package locked for another platform
//! is no version). `git`, `path` and `file` entries are not from an index.

use depproof_registry::Ecosystem;

use super::json::Node;
use super::{Entry, Source, emit};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

pub(super) fn find(code: &Code, out: &mut Output) {
    let Some(root) = super::json_object(code, out, "Pipfile.lock") else {
        return;
    };
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(members) = root.get(section) else {
            continue;
        };
        for (key, entry) in members.members() {
            let field = |k: &str| {
                entry
                    .get(k)
                    .and_then(Node::str)
                    .map(|s| s.value().into_owned())
            };
            let version = field("version").and_then(|v| {
                let v = v.trim();
                let exact = v.strip_prefix("===").or_else(|| v.strip_prefix("=="))?;
                Some(exact.trim().to_string())
            });
            let source = if let Some(git) = field("git") {
                let text = match field("ref") {
                    Some(r) => format!("git+{}@{r}", git.trim_start_matches("git+")),
                    None => git,
                };
                Source::Other(NotRegistry::Vcs, text)
            } else if let Some(path) = field("path") {
                Source::Other(NotRegistry::LocalPath, path)
            } else if let Some(file) = field("file") {
                let what = if file.contains("://") && !file.starts_with("file:") {
                    NotRegistry::Url
                } else {
                    NotRegistry::LocalPath
                };
                Source::Other(what, file)
            } else {
                Source::Registry
            };
            emit(
                code,
                out,
                Ecosystem::PyPI,
                Entry {
                    name: key.value(),
                    span: key.full_span(),
                    version,
                    source,
                    dev,
                    optional: false,
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
        let text = fixture("Pipfile.lock");
        let out = run("Pipfile.lock", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 10);
        let requests = one(&out, "requests");
        assert_eq!(requests.version.as_deref(), Some("2.34.2"));
        assert_eq!(spanned(&text, requests), "requests");
        assert_eq!(requests.location.line, line_of(&text, "\"requests\": {"));
        assert_eq!(requests.location.column, 10);
        assert!(!requests.dev);
        assert!(one(&out, "iniconfig").dev);
        assert_eq!(one(&out, "colorama").version, None);
        let git = not_registry(&out, "pygitpkg @ ");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(
            text_of(git.0),
            "pygitpkg @ git+file:///tmp/lk/pygitpkg@882a54105242b6bdf6bc8e841e9b18bed04826d1"
        );
        assert_eq!(not_registry(&out, "pyurlpkg @ ").1, NotRegistry::Url);
        assert_eq!(not_registry(&out, "localpy @ ").1, NotRegistry::LocalPath);
    }

    #[test]
    fn broken_file() {
        let text = "{\n  \"default\": {\n    \"six\": {\"version\": \"==1.16.0\"},\n    \"idna\": {\"version\": \"==3.7\",\n  }\n";
        let out = run("Pipfile.lock", text, find);
        let names: Vec<String> = out.found.iter().map(text_of).collect();
        assert_eq!(names, ["six", "idna"]);
        assert_eq!(out.found[0].version.as_deref(), Some("1.16.0"));
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(6));
        assert_eq!(run("Pipfile.lock", "[1]", find).diagnostics.len(), 1);
    }
}
