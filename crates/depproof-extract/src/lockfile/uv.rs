//! uv's `uv.lock`.
//!
//! One entry per `[[package]]`, except the project itself (`source = { editable = "." }` or
//! `{ virtual = "." }`); the span covers the value of `name = "…"`. Workspace members
//! (`[manifest] members`) are `Workspace`; other `editable`/`path`/`directory` sources are
//! local paths, `git` is VCS, `url` is a URL, `registry` (any index) is the registry.
//!
//! uv records no per-package flags: from the project and workspace members, a package is
//! dev when only their `dev-dependencies` reach it and optional when only their
//! `optional-dependencies` (extras) do, following `dependencies` and the extras that each
//! dependency edge asks for.

use std::collections::{BTreeMap, HashMap};

use depproof_registry::Ecosystem;
use serde::Deserialize;
use toml::Spanned;

use super::{Entry, Source, emit, reachable, toml_chunks, unquote_span};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    package: Vec<Package>,
    manifest: Option<Manifest>,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    version: Option<String>,
    source: Option<PackageSource>,
    #[serde(default)]
    dependencies: Vec<Dep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<Dep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<Dep>>,
}

#[derive(Deserialize, Default)]
struct PackageSource {
    registry: Option<String>,
    git: Option<String>,
    url: Option<String>,
    path: Option<String>,
    directory: Option<String>,
    editable: Option<String>,
    #[serde(rename = "virtual")]
    virtual_: Option<String>,
}

#[derive(Deserialize)]
struct Dep {
    name: String,
    version: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
}

/// A package read from the file, with its offset-adjusted name span.
struct Read {
    p: Package,
    span: (usize, usize),
}

pub(super) fn find(code: &Code, out: &mut Output) {
    let mut members: Vec<String> = Vec::new();
    let mut pkgs: Vec<Read> = Vec::new();
    for (offset, part) in toml_chunks::split(code.text, "[[package]]") {
        let Some(doc) = toml_chunks::parse::<Doc>(code, out, offset, part, "uv.lock table") else {
            continue;
        };
        if let Some(m) = doc.manifest {
            members.extend(m.members);
        }
        for p in doc.package {
            let s = p.name.span();
            let span = unquote_span(code.text, (offset + s.start, offset + s.end));
            pkgs.push(Read { p, span });
        }
    }
    let is_root = |r: &Read| {
        let s = r.p.source.as_ref();
        let local = s.and_then(|s| s.editable.as_deref().or(s.virtual_.as_deref()));
        local == Some(".") || (local.is_some() && members.iter().any(|m| m == r.p.name.get_ref()))
    };
    let roots: Vec<usize> = (0..pkgs.len()).filter(|&i| is_root(&pkgs[i])).collect();
    let flags = flags(&pkgs, &roots);
    for (i, r) in pkgs.into_iter().enumerate() {
        let src = r.p.source.unwrap_or_default();
        let local = src.editable.clone().or(src.virtual_.clone());
        if local.as_deref() == Some(".") {
            continue;
        }
        let source = if let Some(g) = src.git {
            Source::Other(
                NotRegistry::Vcs,
                format!("git+{}", g.trim_start_matches("git+")),
            )
        } else if let Some(u) = src.url {
            Source::Other(NotRegistry::Url, u)
        } else if let Some(l) = local.or(src.path).or(src.directory) {
            let what = if roots.contains(&i) {
                NotRegistry::Workspace
            } else {
                NotRegistry::LocalPath
            };
            Source::Other(what, l)
        } else {
            // `registry = "https://pypi.org/simple"` or another index.
            let _ = src.registry;
            Source::Registry
        };
        let (dev, optional) = flags.get(i).copied().unwrap_or((false, false));
        emit(
            code,
            out,
            Ecosystem::PyPI,
            Entry {
                name: r.p.name.into_inner().into(),
                span: r.span,
                version: r.p.version,
                source,
                dev,
                optional,
            },
        );
    }
}

/// (dev, optional) per package. Nodes are the packages, then one per (package, extra).
fn flags(pkgs: &[Read], roots: &[usize]) -> Vec<(bool, bool)> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in pkgs.iter().enumerate() {
        by_name
            .entry(r.p.name.get_ref().as_str())
            .or_default()
            .push(i);
    }
    let mut extra_node: HashMap<(usize, &str), usize> = HashMap::new();
    for (i, r) in pkgs.iter().enumerate() {
        for e in r.p.optional_dependencies.keys() {
            let n = pkgs.len() + extra_node.len();
            extra_node.insert((i, e.as_str()), n);
        }
    }
    let targets = |d: &Dep| -> Vec<usize> {
        let mut t = Vec::new();
        for &i in by_name
            .get(d.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if d.version.is_some() && pkgs[i].p.version != d.version {
                continue;
            }
            t.push(i);
            for e in &d.extra {
                if let Some(&n) = extra_node.get(&(i, e.as_str())) {
                    t.push(n);
                }
            }
        }
        t
    };
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); pkgs.len() + extra_node.len()];
    for (i, r) in pkgs.iter().enumerate() {
        edges[i] = r.p.dependencies.iter().flat_map(&targets).collect();
        for (e, deps) in &r.p.optional_dependencies {
            if let Some(&n) = extra_node.get(&(i, e.as_str())) {
                edges[n] = deps.iter().flat_map(&targets).collect();
            }
        }
    }
    let from_roots = |pick: &dyn Fn(&Package) -> Vec<usize>| -> Vec<usize> {
        roots.iter().flat_map(|&r| pick(&pkgs[r].p)).collect()
    };
    let needed = reachable(
        from_roots(&|p| p.dependencies.iter().flat_map(&targets).collect())
            .into_iter()
            .chain(roots.iter().copied()),
        &edges,
    );
    let extras = reachable(
        from_roots(&|p| {
            p.optional_dependencies
                .values()
                .flatten()
                .flat_map(&targets)
                .collect()
        }),
        &edges,
    );
    let dev = reachable(
        from_roots(&|p| {
            p.dev_dependencies
                .values()
                .flatten()
                .flat_map(&targets)
                .collect()
        }),
        &edges,
    );
    (0..pkgs.len())
        .map(|i| {
            let n = needed.get(i).copied().unwrap_or(false);
            (
                !n && dev.get(i).copied().unwrap_or(false),
                !n && extras.get(i).copied().unwrap_or(false),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn real_lockfile() {
        let text = fixture("uv.lock");
        let out = run("uv.lock", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        // 12 packages less the project itself.
        assert_eq!(out.found.len(), 11);
        let requests = one(&out, "requests");
        assert_eq!(requests.version.as_deref(), Some("2.34.2"));
        assert_eq!(spanned(&text, requests), "requests");
        assert_eq!(
            requests.location.line,
            line_of(&text, "[[package]]\nname = \"requests\"") + 1
        );
        assert!(!requests.dev && !requests.optional);
        assert!(!one(&out, "urllib3").dev);
        assert!(!one(&out, "colorama").optional);
        let ini = one(&out, "iniconfig");
        assert!(ini.dev && !ini.optional);
        let socks = one(&out, "pysocks");
        assert!(socks.optional && !socks.dev);
        let git = not_registry(&out, "pygitpkg @ ");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(
            text_of(git.0),
            "pygitpkg @ git+file:///tmp/lk/pygitpkg#882a54105242b6bdf6bc8e841e9b18bed04826d1"
        );
        assert_eq!(not_registry(&out, "pyurlpkg @ ").1, NotRegistry::Url);
        let local = not_registry(&out, "localpy @ ");
        assert_eq!(
            (local.1, text_of(local.0)),
            (NotRegistry::LocalPath, "localpy @ localpy".into())
        );
    }

    #[test]
    fn workspace_extras_and_broken_tables() {
        let text = r#"version = 1
requires-python = ">=3.12"

[manifest]
members = ["app", "lib"]

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "lib" }, { name = "httpx", extra = ["http2"] }]

[package.dev-dependencies]
test = [{ name = "pytest" }]

[[package]]
name = "lib"
version = "0.1.0"
source = { editable = "packages/lib" }

[[package]]
name = "httpx"
version = "0.27.0"
source = { registry = "https://pypi.example.com/simple" }
dependencies = [{ name = "anyio" }]

[package.optional-dependencies]
http2 = [{ name = "h2" }]
brotli = [{ name = "brotli" }]

[[package]]
name = "h2"
version = "4.1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "brotli"
version = "1.1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "anyio", marker = "sys_platform == 'win32'" }]

[[package]]
name = "anyio
"#;
        let out = run("uv.lock", text, find);
        let names: Vec<String> = out.found.iter().map(text_of).collect();
        assert_eq!(
            names,
            ["lib @ packages/lib", "httpx", "h2", "brotli", "pytest"]
        );
        assert_eq!(not_registry(&out, "lib @").1, NotRegistry::Workspace);
        assert!(
            !one(&out, "h2").optional,
            "asked for by the http2 extra of a needed dep"
        );
        assert!(one(&out, "pytest").dev);
        assert!(!one(&out, "brotli").dev && !one(&out, "brotli").optional);
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(
            out.diagnostics[0].line,
            Some(line_of(text, "[[package]]\nname = \"anyio") + 1)
        );
    }
}
