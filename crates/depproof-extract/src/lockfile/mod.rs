//! Lockfiles: every package a lockfile pins, with its exact version.
//!
//! One module per format. Each reports one [`Found`] per entry of the lockfile (the
//! dispatcher deduplicates per package), of kind [`Kind::Lockfile`], with the pinned version
//! and the dev/optional flags where the format records them. Entries that do not come from
//! a registry (git, URL, local path, workspace) are [`Mention::NotRegistry`], whose `text`
//! is `name@source` for npm and `name @ source` (PEP 508 style) for PyPI.
//!
//! Locations point at the package name's own text in the file for every format (see each
//! module for which occurrence of the name is used). The parsers are hand-written for the
//! JSON and YAML formats so that spans come for free and a broken file still yields the
//! entries before the break; TOML formats are parsed per `[[package]]` table with the
//! `toml` crate, so one broken table costs only that table.

mod bun;
pub(crate) mod json;
mod package_lock;
mod pipfile;
mod pnpm;
mod poetry;
mod pylock;
mod toml_chunks;
mod uv;
mod yaml;
mod yarn;

use std::borrow::Cow;

use depproof_registry::Ecosystem;

use crate::location::Code;
use crate::reference::{Found, Kind, Mention, NotRegistry, Output};

/// The lockfile formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockfileKind {
    /// npm's `package-lock.json` or `npm-shrinkwrap.json` (lockfile versions 1, 2 and 3).
    PackageLock,
    /// Yarn's `yarn.lock`, classic (v1) or Berry (v2 and later).
    YarnLock,
    /// pnpm's `pnpm-lock.yaml` (lockfile versions 5.x, 6 and 9).
    PnpmLock,
    /// Bun's text lockfile `bun.lock`.
    BunLock,
    /// Bun's binary lockfile `bun.lockb`, which is not read.
    BunLockb,
    /// Poetry's `poetry.lock`.
    PoetryLock,
    /// uv's `uv.lock`.
    UvLock,
    /// Pipenv's `Pipfile.lock`.
    PipfileLock,
    /// A PEP 751 lockfile: `pylock.toml` or `pylock.NAME.toml`.
    PyLock,
}

impl LockfileKind {
    /// The ecosystem whose packages the lockfile pins.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            LockfileKind::PackageLock
            | LockfileKind::YarnLock
            | LockfileKind::PnpmLock
            | LockfileKind::BunLock
            | LockfileKind::BunLockb => Ecosystem::Npm,
            LockfileKind::PoetryLock
            | LockfileKind::UvLock
            | LockfileKind::PipfileLock
            | LockfileKind::PyLock => Ecosystem::PyPI,
        }
    }
}

/// The lockfile format of a file, from its name (a bare name or a path with `/` or `\`).
pub fn lockfile_kind(file_name: &str) -> Option<LockfileKind> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    Some(match base {
        "package-lock.json" | "npm-shrinkwrap.json" => LockfileKind::PackageLock,
        "yarn.lock" => LockfileKind::YarnLock,
        "pnpm-lock.yaml" => LockfileKind::PnpmLock,
        "bun.lock" => LockfileKind::BunLock,
        "bun.lockb" => LockfileKind::BunLockb,
        "poetry.lock" => LockfileKind::PoetryLock,
        "uv.lock" => LockfileKind::UvLock,
        "Pipfile.lock" => LockfileKind::PipfileLock,
        "pylock.toml" => LockfileKind::PyLock,
        // PEP 751: `pylock.<name>.toml`, where the name has no dots.
        _ if base.starts_with("pylock.")
            && base.ends_with(".toml")
            && base.len() > "pylock..toml".len()
            && !base["pylock.".len()..base.len() - ".toml".len()].contains('.') =>
        {
            LockfileKind::PyLock
        }
        _ => return None,
    })
}

/// Reports every package that the lockfile `code` (of format `kind`) pins.
pub fn find(code: &Code, kind: LockfileKind, out: &mut Output) {
    match kind {
        LockfileKind::PackageLock => package_lock::find(code, out),
        LockfileKind::YarnLock => yarn::find(code, out),
        LockfileKind::PnpmLock => pnpm::find(code, out),
        LockfileKind::BunLock => bun::find(code, out),
        LockfileKind::BunLockb => out.warn(
            &code.path,
            None,
            "binary lockfile not read; run `bun install --save-text-lockfile`",
        ),
        LockfileKind::PoetryLock => poetry::find(code, out),
        LockfileKind::UvLock => uv::find(code, out),
        LockfileKind::PipfileLock => pipfile::find(code, out),
        LockfileKind::PyLock => pylock::find(code, out),
    }
}

/// Where a pinned package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The package registry of the ecosystem (the default one or another index/registry).
    Registry,
    /// Somewhere else: what it is, and the source as written (URL, path, spec).
    Other(NotRegistry, String),
}

/// One lockfile entry, ready to be reported.
pub(crate) struct Entry<'t> {
    pub name: Cow<'t, str>,
    /// Byte span of the name in `code.text`.
    pub span: (usize, usize),
    pub version: Option<String>,
    pub source: Source,
    pub dev: bool,
    pub optional: bool,
}

/// Reports `entry` as a lockfile mention of `ecosystem`.
pub(crate) fn emit(code: &Code, out: &mut Output, ecosystem: Ecosystem, entry: Entry) {
    let (start, end) = entry.span;
    let location = code.location(start.min(code.text.len()), end.min(code.text.len()));
    let mention = match entry.source {
        Source::Registry => Mention::Package {
            ecosystem,
            name: entry.name.into_owned(),
        },
        Source::Other(what, source) => {
            let text = match ecosystem {
                // Some entries name no package (a pnpm v5 git key): the source alone.
                _ if entry.name.is_empty() => source,
                Ecosystem::PyPI => format!("{} @ {}", entry.name, source),
                Ecosystem::Npm => format!("{}@{}", entry.name, source),
            };
            Mention::NotRegistry {
                ecosystem: Some(ecosystem),
                text,
                what,
            }
        }
    };
    let mut found = Found::new(mention, Kind::Lockfile, location);
    found.version = entry.version.filter(|v| !v.is_empty());
    found.dev = entry.dev;
    found.optional = entry.optional;
    out.found.push(found);
}

/// Records a warning about `code` at byte `offset` of its text.
/// Parses a JSON lockfile: a warning for a syntax error (what was read before it is kept)
/// or for a root that is not an object, in which case there is nothing to read.
pub(crate) fn json_object<'a>(
    code: &Code<'a>,
    out: &mut Output,
    what: &str,
) -> Option<json::Node<'a>> {
    let (root, err) = json::parse(code.text);
    if let Some(e) = &err {
        warn_at(
            code,
            out,
            e.offset,
            &format!("{what} is not valid JSON: {}", e.message),
        );
    }
    let root = root?;
    if !matches!(root.value, json::Value::Object(_)) {
        warn_at(
            code,
            out,
            root.start,
            &format!("{what} is not a JSON object"),
        );
        return None;
    }
    Some(root)
}

pub(crate) fn warn_at(code: &Code, out: &mut Output, offset: usize, message: &str) {
    let loc = code.location(offset.min(code.text.len()), offset.min(code.text.len()));
    out.warn(
        &code.path,
        Some(loc.line),
        format!("{} (line {}, column {})", message, loc.line, loc.column),
    );
}

/// Splits an npm `name@spec` at the `@` that ends the name (a scope's leading `@` is
/// part of the name). `None` when there is no such `@`.
pub(crate) fn split_name_at(s: &str) -> Option<(&str, &str)> {
    let from = usize::from(s.starts_with('@'));
    let at = s.get(from..)?.find('@')? + from;
    Some((&s[..at], &s[at + 1..]))
}

/// Whether `s` has the shape of an npm package name (`name` or `@scope/name`), loosely:
/// no URL or path syntax. The registry's own rules are applied later, not here.
pub(crate) fn looks_like_npm_name(s: &str) -> bool {
    if s.is_empty()
        || s.contains([':', ' ', '#', '\\', '(', ')', '!', '*', '~', '\''])
        || s.get(1..).is_some_and(|r| r.contains('@'))
        || s.starts_with('.')
    {
        return false;
    }
    match s.strip_prefix('@') {
        Some(rest) => {
            matches!(rest.split_once('/'), Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains('/'))
        }
        None => !s.contains('/'),
    }
}

/// What an npm dependency spec or resolution that is not a plain version or range points
/// at, or `None` when it is a registry version, range or tag.
pub(crate) fn classify_npm_spec(spec: &str) -> Option<NotRegistry> {
    let lower = spec.trim().to_ascii_lowercase();
    let s = lower.as_str();
    if s.starts_with("npm:") {
        return None;
    }
    if s.starts_with("workspace:") || s.starts_with("link:") || s.starts_with("portal:") {
        return Some(NotRegistry::Workspace);
    }
    if s.starts_with("file:")
        || s.starts_with("exec:")
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with('/')
        || s.starts_with("~/")
        || s == "."
        || s == ".."
    {
        return Some(NotRegistry::LocalPath);
    }
    if s.starts_with("jsr:") {
        return Some(NotRegistry::OtherRegistry("jsr".into()));
    }
    if s.starts_with("git+")
        || s.starts_with("git:")
        || s.starts_with("git@")
        || s.starts_with("ssh:")
        || s.starts_with("github:")
        || s.starts_with("gitlab:")
        || s.starts_with("bitbucket:")
        || s.starts_with("gist:")
    {
        return Some(NotRegistry::Vcs);
    }
    if s.starts_with("http://") || s.starts_with("https://") {
        return Some(classify_url(s));
    }
    // `user/repo` and `user/repo#ref`: GitHub shorthand.
    if !s.starts_with('@') && s.contains('/') && !s.contains(':') && !s.contains(' ') {
        return Some(NotRegistry::Vcs);
    }
    None
}

/// An http(s) URL in a package position: a git repository or an archive.
fn classify_url(url: &str) -> NotRegistry {
    let lower = url.to_ascii_lowercase();
    let no_frag = lower.split('#').next().unwrap_or("");
    if no_frag.ends_with(".git")
        || lower.contains("#commit=")
        || lower.starts_with("https://codeload.github.com/")
        || lower.starts_with("http://codeload.github.com/")
    {
        NotRegistry::Vcs
    } else {
        NotRegistry::Url
    }
}

/// Whether an http(s) `resolved` URL is a registry tarball (`…/name/-/name-1.0.0.tgz`,
/// the layout of the npm registry and of the registries and proxies that mimic it).
pub(crate) fn is_registry_tarball(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && (lower.split(['#', '?']).next().unwrap_or("").contains("/-/")
            || lower.starts_with("https://npm.pkg.github.com/download/"))
}

/// The source of an npm entry from its `resolved` URL or path, when it has one.
pub(crate) fn npm_resolved_source(resolved: &str) -> Source {
    if is_registry_tarball(resolved) {
        return Source::Registry;
    }
    match classify_npm_spec(resolved) {
        Some(what) => Source::Other(what, resolved.to_string()),
        // A bare relative path (`resolved: "packages/a"` of a link).
        None if !resolved.is_empty() => Source::Other(NotRegistry::LocalPath, resolved.to_string()),
        None => Source::Registry,
    }
}

/// Nodes reachable from `roots` along `edges` (node indexes; out-of-range ones are ignored).
pub(crate) fn reachable(roots: impl IntoIterator<Item = usize>, edges: &[Vec<usize>]) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut stack: Vec<usize> = Vec::new();
    for r in roots {
        if r < seen.len() && !seen[r] {
            seen[r] = true;
            stack.push(r);
        }
    }
    while let Some(n) = stack.pop() {
        for &m in edges.get(n).map(Vec::as_slice).unwrap_or(&[]) {
            if m < seen.len() && !seen[m] {
                seen[m] = true;
                stack.push(m);
            }
        }
    }
    seen
}

/// Strips the enclosing quotes from a span of `text` when it is quoted, so that the span
/// covers the name itself.
pub(crate) fn unquote_span(text: &str, (start, end): (usize, usize)) -> (usize, usize) {
    let bytes = text.as_bytes();
    if end >= start + 2
        && end <= bytes.len()
        && matches!(bytes[start], b'"' | b'\'')
        && bytes[end - 1] == bytes[start]
    {
        (start + 1, end - 1)
    } else {
        (start, end)
    }
}

#[cfg(test)]
mod test_util;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_file_names() {
        assert_eq!(
            lockfile_kind("package-lock.json"),
            Some(LockfileKind::PackageLock)
        );
        assert_eq!(
            lockfile_kind("a/b/npm-shrinkwrap.json"),
            Some(LockfileKind::PackageLock)
        );
        assert_eq!(
            lockfile_kind("web\\yarn.lock"),
            Some(LockfileKind::YarnLock)
        );
        assert_eq!(
            lockfile_kind("pnpm-lock.yaml"),
            Some(LockfileKind::PnpmLock)
        );
        assert_eq!(lockfile_kind("bun.lock"), Some(LockfileKind::BunLock));
        assert_eq!(lockfile_kind("bun.lockb"), Some(LockfileKind::BunLockb));
        assert_eq!(lockfile_kind("poetry.lock"), Some(LockfileKind::PoetryLock));
        assert_eq!(lockfile_kind("uv.lock"), Some(LockfileKind::UvLock));
        assert_eq!(
            lockfile_kind("Pipfile.lock"),
            Some(LockfileKind::PipfileLock)
        );
        assert_eq!(lockfile_kind("pylock.toml"), Some(LockfileKind::PyLock));
        assert_eq!(lockfile_kind("pylock.dev.toml"), Some(LockfileKind::PyLock));
        assert_eq!(lockfile_kind("pylock.a.b.toml"), None);
        assert_eq!(lockfile_kind("pylock..toml"), None);
        assert_eq!(lockfile_kind("package.json"), None);
        assert_eq!(lockfile_kind("pnpm-lock.yml"), None);
        assert_eq!(lockfile_kind("Cargo.lock"), None);
        assert_eq!(LockfileKind::UvLock.ecosystem(), Ecosystem::PyPI);
        assert_eq!(LockfileKind::BunLock.ecosystem(), Ecosystem::Npm);
    }

    #[test]
    fn bun_lockb_is_a_warning() {
        let code = Code::file("bun.lockb".into(), "");
        let mut out = Output::default();
        find(&code, LockfileKind::BunLockb, &mut out);
        assert!(out.found.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        assert!(out.diagnostics[0].message.contains("--save-text-lockfile"));
    }

    #[test]
    fn npm_specs() {
        assert_eq!(classify_npm_spec("^1.2.3"), None);
        assert_eq!(classify_npm_spec("latest"), None);
        assert_eq!(classify_npm_spec("npm:lodash@4"), None);
        assert_eq!(
            classify_npm_spec("workspace:*"),
            Some(NotRegistry::Workspace)
        );
        assert_eq!(classify_npm_spec("link:../x"), Some(NotRegistry::Workspace));
        assert_eq!(classify_npm_spec("file:../x"), Some(NotRegistry::LocalPath));
        assert_eq!(classify_npm_spec("../x"), Some(NotRegistry::LocalPath));
        assert_eq!(classify_npm_spec("github:u/r#abc"), Some(NotRegistry::Vcs));
        assert_eq!(classify_npm_spec("u/r#abc"), Some(NotRegistry::Vcs));
        assert_eq!(
            classify_npm_spec("git+ssh://git@github.com/u/r.git"),
            Some(NotRegistry::Vcs)
        );
        assert_eq!(
            classify_npm_spec("https://github.com/u/r.git#v1"),
            Some(NotRegistry::Vcs)
        );
        assert_eq!(
            classify_npm_spec("https://example.com/x.tgz"),
            Some(NotRegistry::Url)
        );
        assert_eq!(
            classify_npm_spec("jsr:@std/path"),
            Some(NotRegistry::OtherRegistry("jsr".into()))
        );
        assert!(is_registry_tarball(
            "https://registry.npmjs.org/@types/node/-/node-20.1.0.tgz"
        ));
        assert!(is_registry_tarball(
            "https://npm.corp.example/artifactory/api/npm/npm/lodash/-/lodash-4.17.21.tgz"
        ));
        assert!(!is_registry_tarball(
            "http://127.0.0.1:8765/tar-pkg-2.0.0.tgz"
        ));
        assert!(!is_registry_tarball("git+https://x/-/y.git"));
        assert_eq!(
            split_name_at("@types/node@20.1.0"),
            Some(("@types/node", "20.1.0"))
        );
        assert_eq!(
            split_name_at("a@git+ssh://git@h/x"),
            Some(("a", "git+ssh://git@h/x"))
        );
        assert_eq!(split_name_at("@scope"), None);
        assert!(looks_like_npm_name("@types/node"));
        assert!(!looks_like_npm_name("@types/node/x"));
        assert!(!looks_like_npm_name("git+file:///x"));
    }

    #[test]
    fn reachability() {
        let edges = vec![vec![1], vec![2], vec![], vec![0, 9]];
        assert_eq!(reachable([0], &edges), vec![true, true, true, false]);
        assert_eq!(reachable([3, 42], &edges), vec![true, true, true, true]);
    }
}
