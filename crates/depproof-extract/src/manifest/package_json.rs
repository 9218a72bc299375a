//! npm's `package.json`.

use depproof_registry::Ecosystem;

use super::json::{JStr, Node, Value, parse};
use super::{Flags, Piece, push_not_registry, push_package};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

/// How deep `overrides` nest before the rest is ignored.
const MAX_OVERRIDE_DEPTH: usize = 32;

/// Reports the dependencies a `package.json` declares.
///
/// - `dependencies`: runtime; `devDependencies`: dev; `optionalDependencies`: optional.
/// - `peerDependencies`: runtime (npm 7+ installs them), optional when
///   `peerDependenciesMeta.<name>.optional` is true.
/// - `bundleDependencies`/`bundledDependencies`: each name, without a version.
/// - `overrides`, `pnpm.overrides` and `resolutions` only force versions of packages that
///   are already in the tree, so a plain version there is not reported; a redirection to
///   another package (`npm:other@1`) or to a non-registry source (git, file, URL) is, since
///   it brings in something new.
///
/// Value specs: `workspace:*` and `link:`/`portal:` are workspace packages, `file:` and
/// paths local, `git+…`/`github:user/repo`/`user/repo` VCS links, `http(s)://…` URLs,
/// `jsr:` another registry; `npm:real@^1` is the package `real` with version `^1`, its span
/// on `real` inside the value (the key is only a local alias); `catalog:` (pnpm) is a
/// registry package whose version lives in the catalog (kept as written).
pub fn find_package_json(code: &Code, out: &mut Output) {
    let parsed = parse(code.text);
    if let Some((at, message)) = &parsed.error {
        let l = code.location(*at, *at);
        out.warn(
            &code.path,
            Some(l.line),
            format!(
                "invalid JSON at line {}, column {}: {message}; read what could be read",
                l.line, l.column
            ),
        );
    }
    let Some(root) = parsed.root else {
        return;
    };
    if !matches!(root.value, Value::Object(_)) {
        out.warn(
            &code.path,
            None,
            "package.json is not a JSON object; not read",
        );
        return;
    }
    let peer_optional = |name: &str| {
        root.get("peerDependenciesMeta")
            .and_then(|m| m.get(name))
            .and_then(|m| m.get("optional"))
            .is_some_and(|o| o.value == Value::Bool(true))
    };
    let sections: [(&str, Flags); 4] = [
        ("dependencies", Flags::RUNTIME),
        ("devDependencies", Flags::DEV),
        ("peerDependencies", Flags::RUNTIME),
        ("optionalDependencies", Flags::OPTIONAL),
    ];
    for (section, flags) in sections {
        let Some(node) = root.get(section) else {
            continue;
        };
        let Value::Object(entries) = &node.value else {
            warn_at(
                code,
                out,
                node.start,
                format!("{section} is not an object; not read"),
            );
            continue;
        };
        for (key, value) in entries {
            let flags = if section == "peerDependencies" && peer_optional(&key.value) {
                Flags::OPTIONAL
            } else {
                flags
            };
            match value.as_str() {
                Some(spec) => dependency(code, out, key, spec, flags),
                None => warn_at(
                    code,
                    out,
                    value.start,
                    format!(
                        "{section}: `{}` is not a version string; not read",
                        key.value
                    ),
                ),
            }
        }
    }
    for section in ["bundleDependencies", "bundledDependencies"] {
        // `true` bundles every dependency, already reported above.
        if let Some(Value::Array(items)) = root.get(section).map(|n| &n.value) {
            for item in items {
                if let Some(name) = item.as_str() {
                    let span = string_span(code, name);
                    push_package(
                        out,
                        code,
                        Ecosystem::Npm,
                        &name.value,
                        span,
                        None,
                        Flags::RUNTIME,
                    );
                }
            }
        }
    }
    if let Some(o) = root.get("overrides") {
        overrides(code, out, o, 0);
    }
    if let Some(o) = root.get("pnpm").and_then(|p| p.get("overrides")) {
        overrides(code, out, o, 0);
    }
    if let Some(o) = root.get("resolutions") {
        overrides(code, out, o, 0);
    }
}

/// The project's `name` and its `workspaces` globs (an array, or yarn's
/// `{"packages": [...]}`), for the resolver.
pub fn package_json_name_and_workspaces(text: &str) -> (Option<String>, Vec<String>) {
    let Some(root) = parse(text).root else {
        return (None, Vec::new());
    };
    let name = root
        .get("name")
        .and_then(Node::as_str)
        .map(|s| s.value.trim().to_string())
        .filter(|s| !s.is_empty());
    let workspaces = root.get("workspaces");
    let list = match workspaces.map(|w| &w.value) {
        Some(Value::Array(_)) => workspaces,
        Some(Value::Object(_)) => workspaces.and_then(|w| w.get("packages")),
        _ => None,
    };
    let globs = match list.map(|l| &l.value) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Node::as_str)
            .map(|s| s.value.clone())
            .collect(),
        _ => Vec::new(),
    };
    (name, globs)
}

fn warn_at(code: &Code, out: &mut Output, at: usize, message: String) {
    let line = code.location(at, at).line;
    out.warn(&code.path, Some(line), message);
}

fn string_span(code: &Code, s: &JStr) -> (usize, usize) {
    Piece::literal(code.text, s.start, s.end, &s.value).span(0, s.value.len())
}

/// What a dependency's value spec says.
#[derive(Debug, PartialEq, Eq)]
enum Spec<'s> {
    /// From the registry: another name (for `npm:` aliases, with its byte range in the
    /// spec) and the version as written.
    Registry {
        alias_of: Option<(usize, usize)>,
        version: Option<&'s str>,
    },
    /// Not from the registry.
    Elsewhere(NotRegistry),
}

fn classify(spec: &str) -> Spec<'_> {
    let trimmed = spec.trim();
    let lead = spec.len() - spec.trim_start().len();
    let lower = trimmed.to_ascii_lowercase();
    if let Some(rest) = trimmed.strip_prefix("npm:") {
        let at = rest.get(1..).and_then(|r| r.find('@')).map(|i| i + 1);
        let (name_len, version) = match at {
            Some(i) => (i, Some(&rest[i + 1..]).filter(|v| !v.is_empty())),
            None => (rest.len(), None),
        };
        let start = lead + 4;
        return Spec::Registry {
            alias_of: Some((start, start + name_len)),
            version,
        };
    }
    let elsewhere = |what| Spec::Elsewhere(what);
    if lower.starts_with("workspace:") || lower.starts_with("link:") || lower.starts_with("portal:")
    {
        return elsewhere(NotRegistry::Workspace);
    }
    if lower.starts_with("file:")
        || trimmed.starts_with("./")
        || trimmed.starts_with("../")
        || trimmed.starts_with("~/")
        || trimmed.starts_with('/')
        || trimmed == "."
        || trimmed == ".."
    {
        return elsewhere(NotRegistry::LocalPath);
    }
    if lower.starts_with("jsr:") {
        return elsewhere(NotRegistry::OtherRegistry("jsr".into()));
    }
    let vcs = [
        "git+",
        "git://",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
        "ssh://",
    ];
    if vcs.iter().any(|p| lower.starts_with(p)) {
        return elsewhere(NotRegistry::Vcs);
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let path = lower.split('#').next().unwrap_or("");
        return elsewhere(if path.ends_with(".git") {
            NotRegistry::Vcs
        } else {
            NotRegistry::Url
        });
    }
    // GitHub shorthand `user/repo` or `user/repo#ref`: a version range has no `/`.
    let repo = trimmed.split('#').next().unwrap_or("");
    if let Some((user, name)) = repo.split_once('/')
        && !user.is_empty()
        && !name.is_empty()
        && !user.starts_with('@')
        && !repo.contains([' ', ':'])
    {
        return elsewhere(NotRegistry::Vcs);
    }
    Spec::Registry {
        alias_of: None,
        version: (!trimmed.is_empty()).then_some(trimmed),
    }
}

/// `"name": "spec"` in a dependency section.
fn dependency(code: &Code, out: &mut Output, key: &JStr, spec: &JStr, flags: Flags) {
    let key_span = string_span(code, key);
    match classify(&spec.value) {
        Spec::Registry {
            alias_of: Some((s, e)),
            version,
        } => {
            let name = spec.value.get(s..e).unwrap_or("");
            if name.is_empty() {
                warn_at(
                    code,
                    out,
                    spec.start,
                    format!(
                        "`{}`: `npm:` alias without a package name; not read",
                        key.value
                    ),
                );
                return;
            }
            let piece = Piece::literal(code.text, spec.start, spec.end, &spec.value);
            push_package(
                out,
                code,
                Ecosystem::Npm,
                name,
                piece.span(s, e),
                version.map(str::to_string),
                flags,
            );
        }
        Spec::Registry {
            alias_of: None,
            version,
        } => push_package(
            out,
            code,
            Ecosystem::Npm,
            &key.value,
            key_span,
            version.map(str::to_string),
            flags,
        ),
        Spec::Elsewhere(what) => push_not_registry(
            out,
            code,
            Some(Ecosystem::Npm),
            spec.value.trim(),
            what,
            key_span,
            flags,
        ),
    }
}

/// Redirections in `overrides`/`resolutions`: nested objects of selector to spec.
fn overrides(code: &Code, out: &mut Output, node: &Node, depth: usize) {
    let Value::Object(entries) = &node.value else {
        return;
    };
    if depth > MAX_OVERRIDE_DEPTH {
        return;
    }
    for (key, value) in entries {
        match &value.value {
            Value::Str(spec) => match classify(&spec.value) {
                Spec::Registry {
                    alias_of: Some(_), ..
                }
                | Spec::Elsewhere(_) => dependency(code, out, key, spec, Flags::RUNTIME),
                Spec::Registry { alias_of: None, .. } => {}
            },
            Value::Object(_) => overrides(code, out, value, depth + 1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_util::{get, names, run, spanned};
    use crate::reference::Mention;

    // create-react-app's generated package.json, with a few additions.
    const CRA: &str = r#"{
  "name": "my-app",
  "version": "0.1.0",
  "private": true,
  "dependencies": {
    "@testing-library/jest-dom": "^5.17.0",
    "@testing-library/react": "^13.4.0",
    "react": "^18.2.0",
    "react-dom": "^18.2.0",
    "react-scripts": "5.0.1",
    "web-vitals": "^2.1.4",
    "lodash-legacy": "npm:lodash@^3.10.1",
    "my-fork": "github:me/react-thing#v2",
    "shorthand": "expressjs/express",
    "tarball": "https://example.com/pkg-1.0.0.tgz",
    "local-lib": "file:../local-lib",
    "@std/path": "jsr:^1.0.0",
    "any": ""
  },
  "peerDependencies": {
    "react-native": ">=0.70",
    "typescript": "*"
  },
  "peerDependenciesMeta": {
    "typescript": { "optional": true }
  },
  "optionalDependencies": {
    "fsevents": "~2.3.2"
  },
  "scripts": {
    "start": "react-scripts start",
    "build": "react-scripts build"
  },
  "eslintConfig": {
    "extends": ["react-app", "react-app/jest"]
  },
  "browserslist": {
    "production": [">0.2%", "not dead", "not op_mini all"]
  }
}
"#;

    #[test]
    fn create_react_app() {
        let out = run("package.json", CRA, find_package_json);
        assert_eq!(
            names(&out),
            [
                "@testing-library/jest-dom",
                "@testing-library/react",
                "react",
                "react-dom",
                "react-scripts",
                "web-vitals",
                "lodash",
                "!github:me/react-thing#v2",
                "!expressjs/express",
                "!https://example.com/pkg-1.0.0.tgz",
                "!file:../local-lib",
                "!jsr:^1.0.0",
                "any",
                "react-native",
                "typescript",
                "fsevents",
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let react = get(&out, "react");
        assert_eq!(react.version.as_deref(), Some("^18.2.0"));
        assert_eq!((react.location.line, react.location.column), (8, 6));
        assert_eq!(spanned(CRA, react), "react");
        let scoped = get(&out, "@testing-library/jest-dom");
        assert_eq!(spanned(CRA, scoped), "@testing-library/jest-dom");
        let lodash = get(&out, "lodash");
        assert_eq!(lodash.version.as_deref(), Some("^3.10.1"));
        assert_eq!(spanned(CRA, lodash), "lodash");
        assert_eq!(lodash.location.line, 12);
        let fork = get(&out, "!github:me/react-thing#v2");
        assert_eq!(spanned(CRA, fork), "my-fork");
        assert!(matches!(
            fork.mention,
            Mention::NotRegistry {
                what: NotRegistry::Vcs,
                ..
            }
        ));
        assert!(matches!(
            get(&out, "!https://example.com/pkg-1.0.0.tgz").mention,
            Mention::NotRegistry {
                what: NotRegistry::Url,
                ..
            }
        ));
        assert!(matches!(
            &get(&out, "!jsr:^1.0.0").mention,
            Mention::NotRegistry { what: NotRegistry::OtherRegistry(r), .. } if r == "jsr"
        ));
        assert_eq!(get(&out, "any").version, None);
        let rn = get(&out, "react-native");
        assert!(!rn.optional && !rn.dev);
        assert!(get(&out, "typescript").optional);
        assert!(get(&out, "fsevents").optional);
        assert_eq!(
            package_json_name_and_workspaces(CRA),
            (Some("my-app".to_string()), vec![])
        );
    }

    // A monorepo root (yarn/pnpm workspaces) with overrides and resolutions.
    const MONOREPO: &str = r#"{
  "name": "@acme/root",
  "private": true,
  "workspaces": {
    "packages": ["packages/*", "apps/*"]
  },
  "devDependencies": {
    "@acme/eslint-config": "workspace:*",
    "@acme/ui": "workspace:^",
    "turbo": "^2.0.4",
    "typescript": "catalog:",
    "prettier": "link:../prettier",
    "jest": "latest"
  },
  "bundledDependencies": ["turbo"],
  "overrides": {
    "semver": "7.5.4",
    "glob": { "minimatch": "npm:@acme/minimatch@9", ".": "10.0.0" },
    "left-pad": "git+https://github.com/acme/left-pad.git",
    "foo": "$foo"
  },
  "resolutions": {
    "**/lodash": "4.17.21"
  }
}
"#;

    #[test]
    fn monorepo_root() {
        let out = run("package.json", MONOREPO, find_package_json);
        assert_eq!(
            names(&out),
            [
                "!workspace:*",
                "!workspace:^",
                "turbo",
                "typescript",
                "!link:../prettier",
                "jest",
                "turbo",
                "@acme/minimatch",
                "!git+https://github.com/acme/left-pad.git",
            ]
        );
        assert!(out.found.iter().take(6).all(|f| f.dev));
        let ws = get(&out, "!workspace:*");
        assert_eq!(spanned(MONOREPO, ws), "@acme/eslint-config");
        assert!(matches!(
            ws.mention,
            Mention::NotRegistry {
                what: NotRegistry::Workspace,
                ..
            }
        ));
        assert_eq!(get(&out, "typescript").version.as_deref(), Some("catalog:"));
        assert_eq!(get(&out, "jest").version.as_deref(), Some("latest"));
        let minimatch = get(&out, "@acme/minimatch");
        assert_eq!(minimatch.version.as_deref(), Some("9"));
        assert_eq!(spanned(MONOREPO, minimatch), "@acme/minimatch");
        assert_eq!(
            spanned(
                MONOREPO,
                get(&out, "!git+https://github.com/acme/left-pad.git")
            ),
            "left-pad"
        );
        let bundled = &out.found[6];
        assert_eq!(bundled.location.line, 15);
        assert_eq!(bundled.version, None);
        assert_eq!(
            package_json_name_and_workspaces(MONOREPO),
            (
                Some("@acme/root".to_string()),
                vec!["packages/*".to_string(), "apps/*".to_string()]
            )
        );
        assert_eq!(
            package_json_name_and_workspaces(r#"{"workspaces": ["a", 3, "b"]}"#),
            (None, vec!["a".to_string(), "b".to_string()])
        );
    }

    #[test]
    fn broken_json_reads_what_comes_before() {
        let text = "{\n  \"dependencies\": {\n    \"express\": \"^4.18.2\",\n    \"cors\": \"^2.8.5\",\n  },\n  \"devDependencies\": {\"jest\": \"^29\"}\n}\n";
        let out = run("package.json", text, find_package_json);
        assert_eq!(names(&out), ["express", "cors"]);
        assert_eq!(out.diagnostics.len(), 1);
        let d = &out.diagnostics[0];
        assert_eq!(d.line, Some(5));
        assert!(
            d.message.starts_with("invalid JSON at line 5, column 3"),
            "{}",
            d.message
        );
    }

    #[test]
    fn odd_shapes_and_escapes() {
        let text = r#"{"dependencies": {"a\u0062c": "1.0", "x": 3, "y": "npm:"}, "devDependencies": [], "bundleDependencies": true}"#;
        let out = run("package.json", text, find_package_json);
        assert_eq!(names(&out), ["abc"]);
        assert_eq!(spanned(text, &out.found[0]), "a\\u0062c");
        assert_eq!(out.diagnostics.len(), 3, "{:?}", out.diagnostics);
        let out = run("package.json", "[1, 2]", find_package_json);
        assert!(out.found.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(package_json_name_and_workspaces("nope"), (None, vec![]));
    }
}
