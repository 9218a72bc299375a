//! pnpm's `pnpm-lock.yaml`, lockfile versions 5.x (`/name/1.0.0_peer`), 6
//! (`/name@1.0.0(peer)`) and 9 (`name@1.0.0` in `packages`, peers in `snapshots`).
//!
//! One entry per key of `packages`; the span covers the name inside the key. Entries from
//! elsewhere than the registry are recognised by their `resolution` (`type: git`,
//! `directory`, a `tarball` that is not a registry package's); when their key holds no
//! name (v5/v6 `github.com/u/r/sha`, `file:x`), the `name:` field is used and pointed at.
//! Dev and optional flags come from the `dev:`/`optional:` fields (v5/v6); version 9
//! dropped `dev:`, so a package is dev there when the importers' `devDependencies` reach it
//! through `snapshots` and their `dependencies`/`optionalDependencies` do not, and optional
//! when every snapshot of it is `optional: true`.

use std::collections::HashMap;

use depproof_registry::Ecosystem;

use super::yaml::{self, Scalar, flow_map};
use super::{
    Entry, Source, classify_npm_spec, emit, looks_like_npm_name, reachable, split_name_at, warn_at,
};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

struct Pkg<'a> {
    key: Scalar<'a>,
    name: Option<Scalar<'a>>,
    version: Option<String>,
    resolution: Option<String>,
    dev: Option<bool>,
    optional: bool,
}

struct Snapshot {
    key: String,
    deps: Vec<String>,
    optional: bool,
}

pub(super) fn find(code: &Code, out: &mut Output) {
    let mut pkgs: Vec<Pkg> = Vec::new();
    let mut snaps: Vec<Snapshot> = Vec::new();
    // (is dev, snapshot key) of every importer dependency.
    let mut roots: Vec<(bool, String)> = Vec::new();
    let mut errors: Vec<(usize, String)> = Vec::new();
    yaml::walk(
        code.text,
        |path, key, value| {
            let Some(section) = path.first() else { return };
            let val = || value.map(|v| v.text.to_string());
            match (section.text.as_ref(), path.len()) {
                ("packages", 1) => pkgs.push(Pkg {
                    key: key.clone(),
                    name: None,
                    version: None,
                    resolution: None,
                    dev: None,
                    optional: false,
                }),
                ("packages", 2) => {
                    let Some(p) = pkgs.last_mut() else { return };
                    match key.text.as_ref() {
                        "name" => p.name = value.cloned(),
                        "version" => p.version = val(),
                        "resolution" => p.resolution = val(),
                        "dev" => p.dev = value.map(|v| v.text == "true"),
                        "optional" => p.optional = value.is_some_and(|v| v.text == "true"),
                        _ => {}
                    }
                }
                ("snapshots", 1) => snaps.push(Snapshot {
                    key: key.text.to_string(),
                    deps: Vec::new(),
                    optional: false,
                }),
                ("snapshots", 2) if key.text == "optional" => {
                    if let Some(s) = snaps.last_mut() {
                        s.optional = value.is_some_and(|v| v.text == "true");
                    }
                }
                ("snapshots", 3)
                    if matches!(
                        path[2].text.as_ref(),
                        "dependencies" | "optionalDependencies"
                    ) =>
                {
                    if let (Some(s), Some(v)) = (snaps.last_mut(), value) {
                        s.deps.push(dep_key(&key.text, &v.text));
                    }
                }
                ("importers", 4) if key.text == "version" => {
                    let kind = path[2].text.as_ref();
                    if let Some(v) = value
                        && matches!(
                            kind,
                            "dependencies" | "devDependencies" | "optionalDependencies"
                        )
                    {
                        roots.push((kind == "devDependencies", dep_key(&path[3].text, &v.text)));
                    }
                }
                _ => {}
            }
        },
        |offset, msg| errors.push((offset, msg.to_string())),
    );
    for (offset, msg) in errors {
        warn_at(
            code,
            out,
            offset,
            &format!("unreadable pnpm-lock.yaml line: {msg}"),
        );
    }
    let flags = if snaps.is_empty() {
        HashMap::new()
    } else {
        v9_flags(&snaps, &roots)
    };
    for p in pkgs {
        entry(code, out, p, &flags);
    }
}

/// The snapshot key a dependency `name: version` refers to: `name@version`, or the version
/// itself when it names another package (an alias: `lodash@4.17.20`).
fn dep_key(name: &str, version: &str) -> String {
    match split_name_at(version) {
        Some((real, _)) if looks_like_npm_name(real) => version.to_string(),
        _ => format!("{name}@{version}"),
    }
}

/// A `packages` key without its peer-dependency suffix: `a@1.0.0(react@18.2.0)` → `a@1.0.0`.
fn without_peers(key: &str) -> &str {
    key.split('(').next().unwrap_or(key)
}

#[derive(Default, Clone, Copy)]
struct Flags {
    prod: bool,
    dev: bool,
    all_optional: bool,
}

/// Dev and optional flags per `packages` key, from the importers and the snapshot graph.
fn v9_flags(snaps: &[Snapshot], roots: &[(bool, String)]) -> HashMap<String, (bool, bool)> {
    let index: HashMap<&str, usize> = snaps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = snaps
        .iter()
        .map(|s| {
            s.deps
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect()
        })
        .collect();
    let pick = |dev: bool| {
        roots
            .iter()
            .filter(move |(d, _)| *d == dev)
            .filter_map(|(_, k)| index.get(k.as_str()).copied())
    };
    let prod = reachable(pick(false), &edges);
    let dev = reachable(pick(true), &edges);
    let mut flags: HashMap<&str, Flags> = HashMap::new();
    for (i, s) in snaps.iter().enumerate() {
        let f = flags.entry(without_peers(&s.key)).or_insert(Flags {
            all_optional: true,
            ..Flags::default()
        });
        f.prod |= prod.get(i).copied().unwrap_or(false);
        f.dev |= dev.get(i).copied().unwrap_or(false);
        f.all_optional &= s.optional;
    }
    flags
        .into_iter()
        .map(|(k, f)| (k.to_string(), (f.dev && !f.prod, f.all_optional)))
        .collect()
}

/// Name (as a byte range of the key), version and whether the key has the shape of a
/// registry package (`name@1.0.0`, `/name@1.0.0`, `/name/1.0.0`).
fn parse_key(key: &str) -> Option<(usize, usize, String, bool)> {
    let registry_shaped = |v: &str| v.starts_with(|c: char| c.is_ascii_digit());
    if let Some(body) = key.strip_prefix('/') {
        // v6: `/name@1.0.0(peers)`.
        if let Some((name, rest)) = split_name_at(body)
            && looks_like_npm_name(name)
        {
            let v = without_peers(rest);
            return Some((1, 1 + name.len(), v.to_string(), registry_shaped(v)));
        }
        // v5: `/name/1.0.0_peers` or `/@scope/name/1.0.0_peers`.
        let slashes = if body.starts_with('@') { 2 } else { 1 };
        let mut cut = 0;
        for _ in 0..slashes {
            cut += body.get(cut..)?.find('/')? + 1;
        }
        let name = body.get(..cut - 1)?;
        let v = body.get(cut..)?;
        let v = v.split(['_', '(']).next().unwrap_or(v);
        if looks_like_npm_name(name) && registry_shaped(v) && !v.contains('/') {
            return Some((1, 1 + name.len(), v.to_string(), true));
        }
        return None;
    }
    // v9: `name@1.0.0(peers)`, `name@git+https://…`, `name@file:../x`.
    let (name, rest) = split_name_at(key)?;
    if !looks_like_npm_name(name) {
        return None;
    }
    let v = without_peers(rest);
    Some((0, name.len(), v.to_string(), registry_shaped(v)))
}

fn entry(code: &Code, out: &mut Output, p: Pkg, flags: &HashMap<String, (bool, bool)>) {
    let parsed = parse_key(&p.key.text);
    let res = p.resolution.as_deref().map(flow_map).unwrap_or_default();
    let get = |k: &str| res.iter().find(|(a, _)| *a == k).map(|(_, v)| *v);
    let registry_shaped = parsed.as_ref().is_some_and(|x| x.3);
    // The source spec as the key writes it (v9), else as the resolution gives it.
    let key_spec = parsed
        .as_ref()
        .and_then(|x| p.key.text.get(x.1 + 1..))
        .map(|s| without_peers(s).to_string());
    let other = |what: NotRegistry, fallback: String| {
        Source::Other(
            what,
            key_spec
                .clone()
                .filter(|_| parsed.is_some() && !registry_shaped)
                .unwrap_or(fallback),
        )
    };
    let source = if get("type") == Some("git") || get("repo").is_some() {
        let repo = get("repo").unwrap_or("");
        let commit = get("commit").map(|c| format!("#{c}")).unwrap_or_default();
        other(NotRegistry::Vcs, format!("{repo}{commit}"))
    } else if get("type") == Some("directory") || get("directory").is_some() {
        other(
            NotRegistry::LocalPath,
            format!("file:{}", get("directory").unwrap_or("")),
        )
    } else if let Some(t) = get("tarball") {
        if t.starts_with("file:") {
            other(NotRegistry::LocalPath, t.to_string())
        } else if registry_shaped {
            Source::Registry
        } else {
            other(
                classify_npm_spec(t).unwrap_or(NotRegistry::Url),
                t.to_string(),
            )
        }
    } else if registry_shaped || parsed.is_none() {
        Source::Registry
    } else {
        let spec = key_spec.clone().unwrap_or_default();
        match classify_npm_spec(&spec) {
            Some(what) => Source::Other(what, spec),
            None => Source::Registry,
        }
    };
    let (name, span) = match (&parsed, &p.name) {
        (Some((s, e, _, _)), _) => (
            p.key.text.get(*s..*e).unwrap_or("").to_string(),
            p.key.span(*s, *e),
        ),
        (None, Some(n)) => (n.text.to_string(), (n.start, n.end)),
        (None, None) => (String::new(), (p.key.start, p.key.end)),
    };
    if name.is_empty() && source == Source::Registry {
        warn_at(
            code,
            out,
            p.key.start,
            "pnpm-lock.yaml package key without a package name",
        );
        return;
    }
    let version = match &parsed {
        Some((_, _, v, true)) => Some(v.clone()),
        _ => p.version.clone(),
    };
    let (dev, optional) = match p.dev {
        Some(dev) => (dev, p.optional),
        None => {
            let (d, o) = flags
                .get(without_peers(&p.key.text))
                .copied()
                .unwrap_or((false, false));
            (d, o || p.optional)
        }
    };
    emit(
        code,
        out,
        Ecosystem::Npm,
        Entry {
            name: name.into(),
            span,
            version,
            source,
            dev,
            optional,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn v9_real_lockfile() {
        let text = fixture("pnpm-v9.pnpm-lock.yaml");
        let out = run("pnpm-lock.yaml", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 18);
        let node = one(&out, "@types/node");
        assert_eq!(spanned(&text, node), "@types/node");
        assert_eq!(
            node.location.line,
            line_of(&text, "  '@types/node@20.19.43':")
        );
        assert_eq!(node.version.as_deref(), Some("20.19.43"));
        // Computed from the importers: only devDependencies reach these.
        assert!(node.dev);
        assert!(one(&out, "undici-types").dev);
        assert!(one(&out, "ms@2.0.0").dev);
        assert!(!one(&out, "ms@2.1.3").dev);
        assert!(!one(&out, "loose-envify").dev);
        assert!(!one(&out, "is-odd").dev);
        let opt = one(&out, "is-number@7.0.0");
        assert!(opt.optional && !opt.dev);
        assert!(!one(&out, "is-number@6.0.0").optional);
        assert_eq!(find_all(&out, "lodash").len(), 2);
        let git = not_registry(&out, "git-pkg@");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(
            text_of(git.0),
            "git-pkg@git+file:///tmp/lk/gitpkg#0635a133c8fa460354f3e10f2f71c8397fdc0354"
        );
        assert_eq!(git.0.version.as_deref(), Some("0.3.0"));
        assert_eq!(spanned(&text, git.0), "git-pkg");
        let tar = not_registry(&out, "tar-pkg@");
        assert_eq!(
            (tar.1, tar.0.version.as_deref()),
            (NotRegistry::Url, Some("2.0.0"))
        );
        let local = not_registry(&out, "local-lib@");
        assert_eq!(
            (local.1, text_of(local.0)),
            (NotRegistry::LocalPath, "local-lib@file:local-lib".into())
        );
    }

    #[test]
    fn v6_real_lockfile() {
        let text = fixture("pnpm-v6.pnpm-lock.yaml");
        let out = run("pnpm-lock.yaml", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 17);
        let rd = one(&out, "react-dom");
        assert_eq!(rd.version.as_deref(), Some("18.3.1"));
        assert_eq!(spanned(&text, rd), "react-dom");
        assert_eq!(
            rd.location.line,
            line_of(&text, "/react-dom@18.3.1(react@18.3.1):")
        );
        assert!(one(&out, "@types/node").dev);
        assert!(!one(&out, "react").dev);
        assert!(one(&out, "is-number@7.0.0").optional);
        let tar = not_registry(&out, "tar-pkg@");
        assert_eq!(tar.1, NotRegistry::Url);
        assert_eq!(
            text_of(tar.0),
            "tar-pkg@http://127.0.0.1:8765/tar-pkg-2.0.0.tgz"
        );
        // The key holds no name: the `name:` field is pointed at.
        assert_eq!(spanned(&text, tar.0), "tar-pkg");
        assert_eq!(tar.0.location.line, line_of(&text, "name: tar-pkg"));
        let local = not_registry(&out, "local-lib@");
        assert_eq!(local.1, NotRegistry::LocalPath);
    }

    #[test]
    fn v5_real_lockfile() {
        let text = fixture("pnpm-v5.pnpm-lock.yaml");
        let out = run("pnpm-lock.yaml", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 18);
        let rd = one(&out, "react-dom");
        assert_eq!(rd.version.as_deref(), Some("18.3.1"));
        assert_eq!(
            rd.location.line,
            line_of(&text, "/react-dom/18.3.1_react@18.3.1:")
        );
        let node = one(&out, "@types/node");
        assert_eq!(spanned(&text, node), "@types/node");
        assert!(node.dev);
        // A git dependency whose key looks like a path and which has no `name:`.
        let git = out
            .found
            .iter()
            .find(|f| text_of(f).starts_with("file:///tmp/lk/gitpkg#"))
            .unwrap();
        assert_eq!(
            spanned(&text, git),
            "/tmp/lk/gitpkg/0635a133c8fa460354f3e10f2f71c8397fdc0354"
        );
        assert_eq!(not_registry(&out, "local-lib@").1, NotRegistry::LocalPath);
    }

    #[test]
    fn two_documents() {
        // pnpm 10+ puts config dependencies in a first YAML document.
        let text = fixture("pnpm-v9-env.pnpm-lock.yaml");
        let out = run("pnpm-lock.yaml", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let names: Vec<String> = out.found.iter().map(text_of).collect();
        assert_eq!(names, ["is-number", "ms"]);
        assert_eq!(out.found[1].location.line, line_of(&text, "  ms@2.1.3:"));
        assert!(out.found.iter().all(|f| !f.dev && !f.optional));
    }

    #[test]
    fn keys() {
        assert_eq!(
            parse_key("/@babel/core/7.0.0_@babel+x@1.0.0"),
            Some((1, 12, "7.0.0".into(), true))
        );
        assert_eq!(
            parse_key("/a/1.0.0_b@2.0.0+c@3.0.0"),
            Some((1, 2, "1.0.0".into(), true))
        );
        assert_eq!(
            parse_key("/a@1.0.0(b@2.0.0)(c@3.0.0)"),
            Some((1, 2, "1.0.0".into(), true))
        );
        assert_eq!(
            parse_key("@s/a@1.0.0(b@2.0.0)"),
            Some((0, 4, "1.0.0".into(), true))
        );
        assert_eq!(
            parse_key("a@https://x/a.tgz"),
            Some((0, 1, "https://x/a.tgz".into(), false))
        );
        assert_eq!(parse_key("github.com/u/r/abc"), None);
        assert_eq!(parse_key("/tmp/x/abc"), None);
        assert_eq!(parse_key("/"), None);
        assert_eq!(parse_key("/@"), None);
        assert_eq!(dep_key("alias", "real@1.0.0"), "real@1.0.0");
        assert_eq!(dep_key("a", "1.0.0(b@1.0.0)"), "a@1.0.0(b@1.0.0)");
        assert_eq!(dep_key("a", "link:../a"), "a@link:../a");
    }

    #[test]
    fn handwritten_shapes_and_broken_lines() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    devDependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-x, tarball: https://npm.corp.example/a/-/a-1.0.0.tgz}\n\n  b@https://codeload.github.com/u/b/tar.gz/abc:\n    resolution: {tarball: https://codeload.github.com/u/b/tar.gz/abc}\n    version: 2.0.0\n\n\tbroken: x\n  c@jsr:1.0.0:\n    resolution: {integrity: sha512-y}\n\nsnapshots:\n\n  a@1.0.0: {}\n";
        let out = run("pnpm-lock.yaml", text, find);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        assert_eq!(out.diagnostics[0].line, Some(19));
        let a = one(&out, "a");
        assert!(a.dev);
        assert_eq!(not_registry(&out, "b@").1, NotRegistry::Vcs);
        assert_eq!(
            not_registry(&out, "c@").1,
            NotRegistry::OtherRegistry("jsr".into())
        );
        assert_eq!(out.found.len(), 3);
    }
}
