//! Bun's text lockfile `bun.lock` (Bun 1.2 and later; JSON with trailing commas).
//!
//! `"packages": { "<install path>": ["name@resolution", registry, metadata, integrity] }`:
//! one entry per member; the span covers the name inside the first array element (the
//! real name for an alias). Bun records no dev or optional flags, so they are derived the
//! way Bun installs: from the workspaces' `dependencies`/`optionalDependencies`/
//! `devDependencies`, following each package's metadata and Bun's lookup of a dependency
//! from its dependent's install path (`parent/dep`, then up, then `dep`).

use std::collections::HashMap;

use depproof_registry::Ecosystem;

use super::json::{Node, Value};
use super::{Entry, Source, classify_npm_spec, emit, reachable, split_name_at, warn_at};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

struct Pkg<'a> {
    path: String,
    node: &'a Node<'a>,
}

pub(super) fn find(code: &Code, out: &mut Output) {
    let Some(root) = super::json_object(code, out, "bun.lock") else {
        return;
    };
    let Some(packages) = root.get("packages") else {
        return;
    };
    let pkgs: Vec<Pkg> = packages
        .members()
        .iter()
        .map(|(k, v)| Pkg {
            path: k.value().into_owned(),
            node: v,
        })
        .collect();
    let flags = flags(root.get("workspaces"), &pkgs);
    for (i, p) in pkgs.iter().enumerate() {
        let Some(first) = p.node.elements().first().and_then(Node::str) else {
            warn_at(
                code,
                out,
                p.node.start,
                "bun.lock package entry is not [\"name@version\", …]",
            );
            continue;
        };
        let ident = first.value();
        let Some((name, res)) = split_name_at(&ident) else {
            warn_at(
                code,
                out,
                first.start,
                "bun.lock package entry without `name@version`",
            );
            continue;
        };
        let span = first.span(0, name.len());
        let (source, version) = if res.starts_with(|c: char| c.is_ascii_digit()) {
            (Source::Registry, Some(res.to_string()))
        } else {
            match classify_npm_spec(res) {
                Some(what) => (Source::Other(what, res.to_string()), None),
                None if res.starts_with("npm:") => (Source::Registry, None),
                None => (Source::Other(NotRegistry::Url, res.to_string()), None),
            }
        };
        let (dev, optional) = flags.get(i).copied().unwrap_or((false, false));
        emit(
            code,
            out,
            Ecosystem::Npm,
            Entry {
                name: name.to_string().into(),
                span,
                version,
                source,
                dev,
                optional,
            },
        );
    }
}

/// The metadata object of a package entry (its first object element).
fn metadata<'n>(p: &'n Node<'n>) -> Option<&'n Node<'n>> {
    p.elements()
        .iter()
        .find(|e| matches!(e.value, Value::Object(_)))
}

/// The names in `node[field]` (a `{ name: range }` object).
fn dep_names<'n>(node: Option<&'n Node<'n>>, field: &str) -> Vec<String> {
    node.and_then(|n| n.get(field))
        .map(|d| {
            d.members()
                .iter()
                .map(|(k, _)| k.value().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The package Bun installs for dependency `dep` of the package at install path `from`.
fn lookup(index: &HashMap<&str, usize>, from: &str, dep: &str) -> Option<usize> {
    let mut prefix = from;
    loop {
        if !prefix.is_empty()
            && let Some(&i) = index.get(format!("{prefix}/{dep}").as_str())
        {
            return Some(i);
        }
        match prefix.rfind('/') {
            Some(cut) => prefix = &prefix[..cut],
            None if !prefix.is_empty() => prefix = "",
            None => return index.get(dep).copied(),
        }
    }
}

/// (dev, optional) per package, in `pkgs` order.
fn flags(workspaces: Option<&Node>, pkgs: &[Pkg]) -> Vec<(bool, bool)> {
    let Some(workspaces) = workspaces else {
        return vec![(false, false); pkgs.len()];
    };
    let index: HashMap<&str, usize> = pkgs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.as_str(), i))
        .collect();
    let mut required: Vec<Vec<usize>> = Vec::with_capacity(pkgs.len());
    let mut all: Vec<Vec<usize>> = Vec::with_capacity(pkgs.len());
    for p in pkgs {
        let meta = metadata(p.node);
        let resolve = |names: Vec<String>| -> Vec<usize> {
            names
                .iter()
                .filter_map(|d| lookup(&index, &p.path, d))
                .collect()
        };
        let mut req = resolve(dep_names(meta, "dependencies"));
        req.extend(resolve(dep_names(meta, "peerDependencies")));
        let mut every = req.clone();
        every.extend(resolve(dep_names(meta, "optionalDependencies")));
        required.push(req);
        all.push(every);
    }
    let mut req_roots = Vec::new();
    let mut opt_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for (_, ws) in workspaces.members() {
        let base = ws
            .get("name")
            .and_then(Node::str)
            .map(|s| s.value().into_owned())
            .unwrap_or_default();
        let find = |names: Vec<String>| -> Vec<usize> {
            names
                .iter()
                .filter_map(|d| lookup(&index, &base, d))
                .collect()
        };
        req_roots.extend(find(dep_names(Some(ws), "dependencies")));
        req_roots.extend(find(dep_names(Some(ws), "peerDependencies")));
        opt_roots.extend(find(dep_names(Some(ws), "optionalDependencies")));
        dev_roots.extend(find(dep_names(Some(ws), "devDependencies")));
    }
    let needed = reachable(req_roots.iter().copied(), &required);
    let prod = reachable(req_roots.iter().chain(&opt_roots).copied(), &all);
    let dev = reachable(dev_roots, &all);
    (0..pkgs.len())
        .map(|i| {
            let p = prod.get(i).copied().unwrap_or(false);
            let n = needed.get(i).copied().unwrap_or(false);
            let d = dev.get(i).copied().unwrap_or(false);
            (d && !p, p && !n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn real_lockfile() {
        let text = fixture("bun.lock");
        let out = run("bun.lock", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 19);
        let node = one(&out, "@types/node");
        assert_eq!(node.version.as_deref(), Some("20.19.43"));
        assert_eq!(spanned(&text, node), "@types/node");
        assert_eq!(
            node.location.line,
            line_of(&text, "\"@types/node\": [\"@types/node@20")
        );
        assert_eq!(node.location.column, 22);
        assert!(node.dev && one(&out, "undici-types").dev);
        // Nested under debug: found by Bun's lookup from `debug`.
        let ms = one(&out, "ms@2.0.0");
        assert!(ms.dev);
        assert_eq!(ms.location.line, line_of(&text, "\"debug/ms\""));
        assert!(!one(&out, "ms@2.1.3").dev);
        assert!(!one(&out, "is-odd").dev);
        assert!(!one(&out, "is-number@6.0.0").optional);
        let opt = one(&out, "is-number@7.0.0");
        assert!(opt.optional && !opt.dev);
        let alias = one(&out, "lodash@4.17.20");
        assert_eq!(alias.location.line, line_of(&text, "\"lodash-alias\": ["));
        assert_eq!(spanned(&text, alias), "lodash");
        assert_eq!(not_registry(&out, "git-pkg@").1, NotRegistry::Vcs);
        assert_eq!(not_registry(&out, "tar-pkg@").1, NotRegistry::Url);
        assert_eq!(not_registry(&out, "local-lib@").1, NotRegistry::LocalPath);
        assert_eq!(not_registry(&out, "ws-a@").1, NotRegistry::Workspace);
    }

    #[test]
    fn broken_and_odd_entries() {
        let text = "{\n  \"lockfileVersion\": 1,\n  \"packages\": {\n    \"a\": [\"a@1.0.0\", \"https://npm.corp.example/\", {}],\n    \"b\": \"b@1.0.0\",\n    \"c\": [\"c\"],\n    \"d\": [\"d@github:u/d#abc\", {}],\n    \"e\": [\"e@1.0";
        let out = run("bun.lock", text, find);
        let names: Vec<String> = out.found.iter().map(text_of).collect();
        assert_eq!(names, ["a", "d@github:u/d#abc"]);
        let lines: Vec<Option<u32>> = out.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(8), Some(5), Some(6), Some(8)]);
        assert!(out.diagnostics[0].message.contains("not valid JSON"));
    }

    #[test]
    fn lookups() {
        let keys = ["a", "a/b", "@s/x", "@s/x/b", "c"];
        let index: HashMap<&str, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        assert_eq!(lookup(&index, "a", "b"), Some(1));
        assert_eq!(lookup(&index, "@s/x", "b"), Some(3));
        assert_eq!(lookup(&index, "@s/x/b", "c"), Some(4));
        assert_eq!(lookup(&index, "", "a"), Some(0));
        assert_eq!(lookup(&index, "c", "zzz"), None);
    }
}
