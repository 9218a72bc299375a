//! npm's `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! Versions 2 and 3 list installed packages in `packages`, keyed by install path
//! (`node_modules/a/node_modules/@s/b`): the name is the last `node_modules/` segment and
//! the span covers it inside the key; for an alias (`"x": "npm:real@1"`) the real name is
//! the entry's `name` field and the span covers that value. Version 1 (and the copy that
//! version 2 keeps for old npm) is the nested `dependencies` tree: the span covers the key,
//! or for an alias the real name inside `"version": "npm:real@1.0.0"`. Entries of
//! `dependencies` already reported from `packages` (same name and version) are skipped.

use std::collections::HashSet;

use depproof_registry::Ecosystem;

use super::json::{Node, Str};
use super::{Entry, Source, classify_npm_spec, emit, npm_resolved_source, split_name_at};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

pub(super) fn find(code: &Code, out: &mut Output) {
    let Some(root) = super::json_object(code, out, "lockfile") else {
        return;
    };
    let mut seen = Seen::default();
    if let Some(packages) = root.get("packages") {
        let workspaces = workspace_globs(packages);
        for (key, entry) in packages.members() {
            package_entry(code, out, key, entry, &workspaces, &mut seen);
        }
    }
    if let Some(deps) = root.get("dependencies") {
        dependencies(code, out, deps, &seen);
    }
}

/// What `packages` reported, so that `dependencies` does not report it again.
#[derive(Default)]
struct Seen {
    pins: HashSet<(String, Option<String>)>,
    names: HashSet<String>,
}

/// The root project's `workspaces` globs (an array, or Yarn's `{ "packages": [...] }`).
fn workspace_globs(packages: &Node) -> Vec<String> {
    let Some(ws) = packages.get("").and_then(|root| root.get("workspaces")) else {
        return Vec::new();
    };
    let list = ws.get("packages").unwrap_or(ws);
    list.elements()
        .iter()
        .filter_map(|e| e.str().map(|s| s.value().into_owned()))
        .collect()
}

fn package_entry(
    code: &Code,
    out: &mut Output,
    key: &Str,
    entry: &Node,
    workspaces: &[String],
    seen: &mut Seen,
) {
    let path = key.value();
    // The root project is "", a workspace or linked folder is its own path: the
    // `node_modules/...` link entry pointing at it is the one reported.
    let Some(i) = path.rfind("node_modules/") else {
        return;
    };
    let name_at = i + "node_modules/".len();
    let mut name = path.get(name_at..).unwrap_or("").to_string();
    let mut span = key.span(name_at, key.raw.len());
    if name.is_empty() {
        return;
    }
    if let Some(real) = entry.get("name").and_then(Node::str)
        && !real.is(&name)
    {
        name = real.value().into_owned();
        span = real.full_span();
    }
    let version = entry
        .get("version")
        .and_then(Node::str)
        .map(|v| v.value().into_owned());
    let resolved = entry
        .get("resolved")
        .and_then(Node::str)
        .map(|r| r.value().into_owned());
    let flag = |k: &str| entry.get(k).and_then(Node::bool) == Some(true);
    let source = if flag("link") {
        let target = resolved.clone().unwrap_or_default();
        if workspaces.iter().any(|g| glob_match(g, &target)) {
            Source::Other(NotRegistry::Workspace, target)
        } else {
            // npm's own spelling of a linked folder (lockfile v1 writes `file:x`).
            Source::Other(NotRegistry::LocalPath, format!("file:{target}"))
        }
    } else {
        match &resolved {
            Some(r) => npm_resolved_source(r),
            None => Source::Registry,
        }
    };
    seen.names.insert(name.clone());
    seen.pins.insert((name.clone(), version.clone()));
    emit(
        code,
        out,
        Ecosystem::Npm,
        Entry {
            name: name.into(),
            span,
            version,
            source,
            dev: flag("dev") || flag("devOptional"),
            optional: flag("optional") || flag("devOptional"),
        },
    );
}

/// The lockfile v1 tree: `{ name: { version, resolved, dev, optional, dependencies } }`.
fn dependencies(code: &Code, out: &mut Output, deps: &Node, seen: &Seen) {
    for (key, entry) in deps.members() {
        let flag = |k: &str| entry.get(k).and_then(Node::bool) == Some(true);
        let mut name = key.value().into_owned();
        let mut span = key.full_span();
        let version_str = entry.get("version").and_then(Node::str);
        let mut version = version_str.map(|v| v.value().into_owned());
        let resolved = entry
            .get("resolved")
            .and_then(Node::str)
            .map(|r| r.value().into_owned());
        let mut source = Source::Registry;
        if let (Some(vs), Some(v)) = (version_str, version.clone()) {
            if let Some((real, ver)) = v.strip_prefix("npm:").and_then(split_name_at) {
                span = vs.span(4, 4 + real.len());
                name = real.to_string();
                version = Some(ver.to_string());
            } else if let Some(what) = classify_npm_spec(&v) {
                source = Source::Other(what, v);
                version = None;
            }
        }
        if source == Source::Registry
            && let Some(r) = &resolved
        {
            source = npm_resolved_source(r);
        }
        // A v2 file repeats `packages` here; a non-registry entry has its spec here and its
        // package version there, so it is matched by name alone.
        let reported = match source {
            Source::Registry => seen.pins.contains(&(name.clone(), version.clone())),
            Source::Other(..) => seen.names.contains(&name),
        };
        if !reported {
            emit(
                code,
                out,
                Ecosystem::Npm,
                Entry {
                    name: name.into(),
                    span,
                    version,
                    source,
                    dev: flag("dev") || flag("devOptional"),
                    optional: flag("optional") || flag("devOptional"),
                },
            );
        }
        if let Some(nested) = entry.get("dependencies") {
            dependencies(code, out, nested, seen);
        }
    }
}

/// Whether workspace glob `pattern` (`packages/*`, `apps/**`, `tools/cli`) matches the
/// folder `path`; `*` matches within one path segment, `**` any number of segments.
fn glob_match(pattern: &str, path: &str) -> bool {
    fn segs(s: &str) -> Vec<&str> {
        s.trim_start_matches("./")
            .split('/')
            .filter(|x| !x.is_empty() && *x != ".")
            .collect()
    }
    // Wildcard matching with one backtrack point: linear in practice, never exponential.
    fn seg_match(p: &[u8], s: &[u8]) -> bool {
        let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
        while si < s.len() {
            if p.get(pi) == Some(&b'*') {
                star = Some(pi);
                mark = si;
                pi += 1;
            } else if p.get(pi).is_some() && p.get(pi) == s.get(si) {
                pi += 1;
                si += 1;
            } else if let Some(st) = star {
                pi = st + 1;
                mark += 1;
                si = mark;
            } else {
                return false;
            }
        }
        while p.get(pi) == Some(&b'*') {
            pi += 1;
        }
        pi == p.len()
    }
    fn rec(p: &[&str], s: &[&str], budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match p.split_first() {
            None => s.is_empty(),
            Some((&"**", rest)) => (0..=s.len()).any(|i| rec(rest, &s[i..], budget)),
            Some((seg, rest)) => match s.split_first() {
                Some((first, srest)) => {
                    seg_match(seg.as_bytes(), first.as_bytes()) && rec(rest, srest, budget)
                }
                None => false,
            },
        }
    }
    // A budget keeps patterns like `**/**/**/…` from going exponential.
    rec(&segs(pattern), &segs(path), &mut 10_000)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn v3_real_lockfile() {
        let text = fixture("npm-v3.package-lock.json");
        let out = run("package-lock.json", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        // 19 entries under node_modules/; "", "local-lib" and "packages/ws-a" are skipped.
        assert_eq!(out.found.len(), 19);
        let f = one(&out, "@types/node");
        assert_eq!(f.version.as_deref(), Some("20.19.43"));
        assert!(f.dev && !f.optional);
        assert_eq!(spanned(&text, f), "@types/node");
        assert_eq!(
            f.location.line,
            line_of(&text, "\"node_modules/@types/node\"")
        );
        let nested = find_all(&out, "ms");
        assert_eq!(nested.len(), 2);
        let ms200 = nested
            .iter()
            .find(|f| f.version.as_deref() == Some("2.0.0"))
            .unwrap();
        assert!(ms200.dev);
        assert_eq!(
            ms200.location.line,
            line_of(&text, "node_modules/debug/node_modules/ms")
        );
        assert!(one(&out, "is-number@7.0.0").optional);
        // The alias reports the real package, pointing at its `name` field.
        let lodash = find_all(&out, "lodash");
        assert_eq!(lodash.len(), 2);
        let alias = lodash
            .iter()
            .find(|f| f.version.as_deref() == Some("4.17.20"))
            .unwrap();
        assert_eq!(alias.location.line, line_of(&text, "\"name\": \"lodash\""));
        assert_eq!(spanned(&text, alias), "lodash");
        let git = not_registry(&out, "git-pkg@");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(git.0.version.as_deref(), Some("0.3.0"));
        assert_eq!(not_registry(&out, "tar-pkg@").1, NotRegistry::Url);
        let local = not_registry(&out, "local-lib@");
        assert_eq!(
            (local.1, text_of(local.0)),
            (NotRegistry::LocalPath, "local-lib@file:local-lib".into())
        );
        let ws = not_registry(&out, "ws-a@");
        assert_eq!(ws.1, NotRegistry::Workspace);
        assert_eq!(text_of(ws.0), "ws-a@packages/ws-a");
    }

    #[test]
    fn v2_reports_each_package_once() {
        let text = fixture("npm-v2.package-lock.json");
        let out = run("package-lock.json", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 19);
        // Everything points into the `packages` section.
        let deps_at = text.find("\n  \"dependencies\"").unwrap() as u32;
        assert!(out.found.iter().all(|f| f.location.start < deps_at));
    }

    #[test]
    fn v1_nested_tree() {
        let text = fixture("npm-v1.package-lock.json");
        let out = run("package-lock.json", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 19);
        let ms = find_all(&out, "ms");
        assert_eq!(ms.len(), 2);
        assert!(
            ms.iter()
                .any(|f| f.version.as_deref() == Some("2.0.0") && f.dev)
        );
        let alias = find_all(&out, "lodash")
            .into_iter()
            .find(|f| f.version.as_deref() == Some("4.17.20"))
            .unwrap();
        assert_eq!(spanned(&text, alias), "lodash");
        assert_eq!(
            alias.location.line,
            line_of(&text, "\"version\": \"npm:lodash@4.17.20\"")
        );
        let git = not_registry(&out, "git-pkg@");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(git.0.version, None);
        assert_eq!(spanned(&text, git.0), "git-pkg");
        assert_eq!(not_registry(&out, "tar-pkg@").1, NotRegistry::Url);
        assert_eq!(not_registry(&out, "local-lib@").1, NotRegistry::LocalPath);
        assert_eq!(not_registry(&out, "ws-a@").1, NotRegistry::LocalPath);
        assert!(one(&out, "undici-types").dev);
        assert!(one(&out, "is-number@7.0.0").optional);
    }

    #[test]
    fn truncated_file_keeps_what_was_read() {
        let text = fixture("npm-v3.package-lock.json");
        let cut = text.find("\"node_modules/is-number\"").unwrap() + 40;
        let out = run("package-lock.json", &text[..cut], find);
        assert_eq!(out.diagnostics.len(), 1);
        let d = &out.diagnostics[0];
        assert!(d.message.contains("not valid JSON"), "{}", d.message);
        assert_eq!(
            d.line,
            Some(line_of(&text, "\"node_modules/is-number\"") + 1)
        );
        // @types/node, debug, debug/ms, git-pkg and the partly read is-number.
        assert_eq!(out.found.len(), 5);
        assert_eq!(out.found[4].version, None);
    }

    #[test]
    fn other_shapes_and_broken_values() {
        let text = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "app", "workspaces": {"packages": ["apps/**"]}},
    "node_modules/priv": {"version": "1.0.0", "resolved": "https://npm.corp.example/api/npm/priv/-/priv-1.0.0.tgz"},
    "node_modules/web": {"resolved": "apps/site/web", "link": true},
    "node_modules/@s/dev-opt": {"version": "2.0.0", "devOptional": true},
    "node_modules/weird": "not an object",
    "node_modules/": {"version": "1.0.0"},
    "node_modules/gh": {"version": "1.0.0", "resolved": "git+ssh://git@github.com/u/gh.git#abc"},
    "node_modules/n\u0061me": {"version": "1.0.0"}
  },
  "dependencies": []
}"#;
        let out = run("npm-shrinkwrap.json", text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let names: Vec<String> = out.found.iter().map(text_of).collect();
        assert_eq!(
            names,
            [
                "priv",
                "web@apps/site/web",
                "@s/dev-opt",
                "weird",
                "gh@git+ssh://git@github.com/u/gh.git#abc",
                "name"
            ]
        );
        assert_eq!(not_registry(&out, "web@").1, NotRegistry::Workspace);
        let d = one(&out, "@s/dev-opt");
        assert!(d.dev && d.optional);
        // An escaped key cannot be pointed into exactly: the whole key is used.
        assert_eq!(spanned(text, one(&out, "name")), "node_modules/n\\u0061me");
        for bad in [
            "[]",
            "\"x\"",
            "",
            "{\"packages\": {\"node_modules/a\": {\"version\": 1}}}",
        ] {
            let out = run("package-lock.json", bad, find);
            assert!(out.found.len() <= 1);
        }
        assert_eq!(run("package-lock.json", "[]", find).diagnostics.len(), 1);
    }

    #[test]
    fn globs() {
        assert!(glob_match("packages/*", "packages/ws-a"));
        assert!(glob_match("./packages/*", "packages/ws-a"));
        assert!(!glob_match("packages/*", "packages/a/b"));
        assert!(glob_match("apps/**", "apps/a/b"));
        assert!(glob_match("apps/**/web", "apps/a/b/web"));
        assert!(glob_match("pkg-*", "pkg-one"));
        assert!(!glob_match("pkg-*", "lib-one"));
        assert!(glob_match("tools/cli", "tools/cli/"));
        let evil = "**/".repeat(30) + "x";
        assert!(!glob_match(&evil, &"a/".repeat(30)));
    }
}
