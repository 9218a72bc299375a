//! What one package argument means: a registry name with a version, or a URL, a VCS
//! link, a path, a workspace link or a name on another registry.
//!
//! Each installer takes its own argument syntax: pip takes PEP 508 requirements plus
//! paths and URLs, poetry and uvx also take `name@version`, conda takes
//! `[channel::]name[=version]`, npm-family tools take `name@range` with aliases and
//! git, file and workspace protocols.

use std::ops::Range;
use std::str::FromStr;

use depproof_registry::Ecosystem;

use crate::reference::{Mention, NotRegistry};

/// A package argument, classified. `range` is a byte range in the argument's value: the
/// name itself for a registry package, the whole text otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Classified {
    pub range: Range<usize>,
    pub mention: Mention,
    pub version: Option<String>,
    pub optional: bool,
    /// Set when the argument was read but is not quite valid (reported all the same).
    pub warning: Option<String>,
}

/// What came of classifying an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Found(Classified),
    /// Nothing to report and nothing wrong (an unexpanded `$VAR`, an empty argument).
    Skip,
    /// Not readable as a package argument: the reason.
    Bad(String),
}

/// Which Python argument syntax a tool takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PyStyle {
    /// PEP 508 requirements, paths and URLs (pip, uv pip, pipenv, easy_install).
    Pep508,
    /// The same plus `name@version` (poetry, pdm, uvx, uv tool, uv add).
    AtVersion,
}

/// Archive suffixes that make an argument a local file rather than a name.
const PY_ARCHIVES: &[&str] = &[
    ".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".egg",
];
const NPM_ARCHIVES: &[&str] = &[".tgz", ".tar.gz", ".tar"];

fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Length of a leading `scheme://`, if the text starts with a URL.
fn url_scheme(s: &str) -> Option<usize> {
    let colon = s.find("://")?;
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(colon)
}

fn looks_like_path(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b'.' | b'/' | b'~' | b'\\'))
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// A Python argument that is not a registry name, by its form alone.
fn pypi_not_registry(t: &str) -> Option<NotRegistry> {
    if ["git+", "hg+", "svn+", "bzr+", "git://", "git@"]
        .iter()
        .any(|p| starts_with_ci(t, p))
    {
        return Some(NotRegistry::Vcs);
    }
    if starts_with_ci(t, "file:") {
        return Some(NotRegistry::LocalPath);
    }
    if url_scheme(t).is_some() {
        return Some(NotRegistry::Url);
    }
    if looks_like_path(t) {
        return Some(NotRegistry::LocalPath);
    }
    None
}

/// What the target of a PEP 508 direct reference (`name @ target`) is.
fn direct_reference(target: &str) -> NotRegistry {
    match pypi_not_registry(target) {
        Some(what) => what,
        None if target.contains('/') || target.contains('\\') => NotRegistry::LocalPath,
        None => NotRegistry::Url,
    }
}

/// Length of the leading run of characters allowed in a Python package name.
fn py_name_len(t: &str) -> usize {
    t.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        .count()
}

/// A name or extra as PEP 508 spells it: letters, digits and `._-`, starting and ending
/// with a letter or digit.
fn valid_py_name(s: &str) -> bool {
    let b = s.as_bytes();
    py_name_len(s) == b.len()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// Whether the `[extras]` after a name, if any, are closed and well formed. pep508_rs
/// panics on an extra that ends in `-`, `_` or `.`, so such input never reaches it.
fn extras_ok(t: &str, name_end: usize) -> bool {
    let Some(inner) = t[name_end..].trim_start().strip_prefix('[') else {
        return true;
    };
    let Some(close) = inner.find(']') else {
        return false;
    };
    inner[..close]
        .split(',')
        .map(str::trim)
        .all(|e| e.is_empty() || valid_py_name(e))
}

/// The text after a name and its `[extras]`, with the offset where it starts.
fn after_extras(t: &str, name_end: usize) -> usize {
    let rest = &t[name_end..];
    let ws = rest.len() - rest.trim_start().len();
    let at = name_end + ws;
    if t[at..].starts_with('[') {
        match t[at..].find(']') {
            Some(close) => at + close + 1,
            None => t.len(),
        }
    } else {
        name_end
    }
}

/// A version requirement as written: up to a marker, without surrounding parentheses.
fn version_text(spec: &str) -> Option<String> {
    let spec = spec.split(';').next().unwrap_or("").trim();
    let spec = spec
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(spec)
        .trim();
    (!spec.is_empty()).then(|| spec.to_string())
}

fn has_marker(t: &str) -> bool {
    t.split_once(';').is_some_and(|(_, m)| !m.trim().is_empty())
}

fn not_registry(
    eco: Option<Ecosystem>,
    text: &str,
    what: NotRegistry,
    range: Range<usize>,
) -> Outcome {
    Outcome::Found(Classified {
        range,
        mention: Mention::NotRegistry {
            ecosystem: eco,
            text: text.to_string(),
            what,
        },
        version: None,
        optional: false,
        warning: None,
    })
}

fn package(eco: Ecosystem, name: &str, range: Range<usize>, version: Option<String>) -> Classified {
    Classified {
        range,
        mention: Mention::Package {
            ecosystem: eco,
            name: name.to_string(),
        },
        version,
        optional: false,
        warning: None,
    }
}

/// Splits `value` into its trimmed text and the offset of that text, and moves the
/// position of the first shell expansion with it.
fn trimmed(value: &str, dynamic_from: Option<usize>) -> (&str, usize, Option<usize>) {
    let lead = value.len() - value.trim_start().len();
    let t = value.trim();
    (t, lead, dynamic_from.map(|d| d.saturating_sub(lead)))
}

fn shift(mut o: Outcome, by: usize) -> Outcome {
    if let Outcome::Found(c) = &mut o {
        c.range = c.range.start + by..c.range.end + by;
    }
    o
}

/// Classifies an argument given to a Python installer.
pub(crate) fn pypi(value: &str, dynamic_from: Option<usize>, style: PyStyle) -> Outcome {
    let (t, lead, dynamic) = trimmed(value, dynamic_from);
    shift(pypi_trimmed(t, dynamic, style), lead)
}

fn pypi_trimmed(t: &str, dynamic: Option<usize>, style: PyStyle) -> Outcome {
    let eco = Some(Ecosystem::PyPI);
    if t.is_empty() || dynamic == Some(0) {
        return Outcome::Skip;
    }
    if let Some(what) = pypi_not_registry(t) {
        return not_registry(eco, t, what, 0..t.len());
    }
    let full_len = py_name_len(t);
    let mut name_len = full_len;
    // A name ends with a letter or digit: `foo.` is `foo` at the end of a sentence.
    while name_len > 0 && !t.as_bytes()[name_len - 1].is_ascii_alphanumeric() {
        name_len -= 1;
    }
    if name_len == 0 || !t.as_bytes()[0].is_ascii_alphanumeric() {
        return Outcome::Bad(format!("`{t}` is not a package requirement"));
    }
    // An expansion right after the name may continue it (`py${V}`).
    if dynamic.is_some_and(|d| d <= full_len) {
        return Outcome::Skip;
    }
    let name = &t[..name_len];
    let spec_at = after_extras(t, name_len);
    let spec = &t[spec_at..];
    if let Some(target) = spec.trim_start().strip_prefix('@') {
        let target = target.trim();
        let is_version = style == PyStyle::AtVersion
            && !target.is_empty()
            && url_scheme(target).is_none()
            && !looks_like_path(target)
            && !target.contains('/');
        if !is_version {
            if target.is_empty() {
                return Outcome::Bad(format!("`{t}` has no URL after `@`"));
            }
            return not_registry(eco, t, direct_reference(target), 0..t.len());
        }
        let mut c = package(Ecosystem::PyPI, name, 0..name_len, version_text(target));
        c.optional = has_marker(target);
        return Outcome::Found(c);
    }
    if ["/", "\\"].iter().any(|s| t.contains(s)) || PY_ARCHIVES.iter().any(|s| ends_with_ci(t, s)) {
        return not_registry(eco, t, NotRegistry::LocalPath, 0..t.len());
    }
    let mut c = package(Ecosystem::PyPI, name, 0..name_len, version_text(spec));
    c.optional = has_marker(spec);
    if dynamic.is_some() {
        // `name==$VERSION`: the name is all that can be read.
        return Outcome::Found(c);
    }
    let invalid = if name_len != full_len {
        Some("a name ends with a letter or digit".to_string())
    } else if !extras_ok(t, name_len) {
        Some("malformed extras".to_string())
    } else if !t.is_ascii() {
        Some("non-ASCII character".to_string())
    } else {
        // Only the name, extras and version go to the parser: URLs were handled above, and
        // markers only make the package optional. pep508_rs panics on a name or extra that
        // ends in `-`, `_` or `.` before other text, which the checks above rule out.
        let requirement = t.split(';').next().unwrap_or(t);
        match pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) {
            Ok(_) => None,
            // The error's `Display` slices by character index; only the message is safe.
            Err(e) => Some(e.message.to_string()),
        }
    };
    if let Some(reason) = invalid {
        let first = spec.trim_start().chars().next();
        let readable = name_len == full_len
            && matches!(
                first,
                None | Some('=' | '<' | '>' | '!' | '~' | '[' | '(' | ';' | ',')
            );
        if !readable {
            return Outcome::Bad(format!("`{t}` is not a valid requirement: {reason}"));
        }
        c.warning = Some(format!(
            "`{t}` is not a valid requirement ({reason}); reporting `{name}`"
        ));
    }
    Outcome::Found(c)
}

/// Classifies the value of `-e`/`--editable`: a path, a URL or a VCS link.
pub(crate) fn editable(value: &str, dynamic_from: Option<usize>) -> Outcome {
    let (t, lead, dynamic) = trimmed(value, dynamic_from);
    if t.is_empty() || dynamic == Some(0) {
        return Outcome::Skip;
    }
    let what = pypi_not_registry(t).unwrap_or(NotRegistry::LocalPath);
    shift(
        not_registry(Some(Ecosystem::PyPI), t, what, 0..t.len()),
        lead,
    )
}

/// Classifies an argument given to conda, mamba or micromamba. Conda names are not PyPI
/// names: they are reported as another registry's, with the version apart.
pub(crate) fn conda(value: &str, dynamic_from: Option<usize>) -> Outcome {
    let (t, lead, dynamic) = trimmed(value, dynamic_from);
    if t.is_empty() || dynamic == Some(0) {
        return Outcome::Skip;
    }
    if let Some(what) = pypi_not_registry(t) {
        return shift(not_registry(None, t, what, 0..t.len()), lead);
    }
    let start = t.find("::").map_or(0, |i| i + 2);
    let name_len = py_name_len(&t[start..]);
    if name_len == 0 {
        return Outcome::Bad(format!("`{t}` is not a conda package spec"));
    }
    if dynamic.is_some_and(|d| d <= start + name_len) {
        return Outcome::Skip;
    }
    let end = start + name_len;
    let version = t[end..].trim();
    let version = (!version.is_empty()).then(|| version.to_string());
    if PY_ARCHIVES.iter().any(|s| ends_with_ci(t, s)) || t.contains('/') {
        return shift(
            not_registry(None, t, NotRegistry::LocalPath, 0..t.len()),
            lead,
        );
    }
    Outcome::Found(Classified {
        range: lead + start..lead + end,
        mention: Mention::NotRegistry {
            ecosystem: None,
            text: t[start..end].to_string(),
            what: NotRegistry::OtherRegistry("conda".to_string()),
        },
        version,
        optional: false,
        warning: None,
    })
}

/// Characters npm accepts in a name (old names may have capitals and `~`).
fn npm_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~')
}

/// Length of a leading npm name, `name` or `@scope/name` (`@scope` alone if `scope_only`).
fn npm_name_len(t: &str, scope_only: bool) -> usize {
    let b = t.as_bytes();
    let part = |from: usize| {
        b.get(from..)
            .map_or(0, |r| r.iter().take_while(|&&c| npm_name_char(c)).count())
    };
    if b.first() == Some(&b'@') {
        let scope = part(1);
        if scope == 0 {
            return 0;
        }
        if b.get(1 + scope) == Some(&b'/') {
            let name = part(2 + scope);
            if name > 0 {
                return 2 + scope + name;
            }
            return 0;
        }
        if scope_only { 1 + scope } else { 0 }
    } else {
        part(0)
    }
}

/// An npm spec that is not a registry name, by its form alone.
fn npm_not_registry(t: &str) -> Option<NotRegistry> {
    if starts_with_ci(t, "jsr:") {
        return Some(NotRegistry::OtherRegistry("jsr".to_string()));
    }
    if [
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
        "git+",
        "git://",
        "git@",
    ]
    .iter()
    .any(|p| starts_with_ci(t, p))
    {
        return Some(NotRegistry::Vcs);
    }
    if starts_with_ci(t, "file:") {
        return Some(NotRegistry::LocalPath);
    }
    if ["workspace:", "link:", "portal:"]
        .iter()
        .any(|p| starts_with_ci(t, p))
    {
        return Some(NotRegistry::Workspace);
    }
    if ["patch:", "exec:"].iter().any(|p| starts_with_ci(t, p)) {
        return Some(NotRegistry::LocalPath);
    }
    if let Some(colon) = url_scheme(t) {
        let rest = &t[colon + 3..];
        let host = rest.split(['/', '#']).next().unwrap_or("");
        let hosted = ["github.com", "gitlab.com", "bitbucket.org"]
            .iter()
            .any(|h| host.eq_ignore_ascii_case(h) || ends_with_ci(host, &format!(".{h}")));
        let archive = NPM_ARCHIVES
            .iter()
            .any(|s| ends_with_ci(t.split('#').next().unwrap_or(t), s));
        let git = ends_with_ci(t.split('#').next().unwrap_or(t), ".git");
        return Some(if git || (hosted && !archive) {
            NotRegistry::Vcs
        } else {
            NotRegistry::Url
        });
    }
    if looks_like_path(t) || NPM_ARCHIVES.iter().any(|s| ends_with_ci(t, s)) {
        return Some(NotRegistry::LocalPath);
    }
    None
}

/// Classifies an argument given to npm, npx, yarn, pnpm or bun.
pub(crate) fn npm(value: &str, dynamic_from: Option<usize>) -> Outcome {
    let (t, lead, dynamic) = trimmed(value, dynamic_from);
    shift(npm_trimmed(t, dynamic, 0), lead)
}

fn npm_trimmed(t: &str, dynamic: Option<usize>, depth: u8) -> Outcome {
    let eco = Some(Ecosystem::Npm);
    if t.is_empty() || dynamic == Some(0) {
        return Outcome::Skip;
    }
    if let Some(rest) = t.strip_prefix("npm:").filter(|_| depth == 0) {
        return shift(
            npm_trimmed(rest, dynamic.map(|d| d.saturating_sub(4)), depth + 1),
            4,
        );
    }
    if let Some(what) = npm_not_registry(t) {
        return not_registry(eco, t, what, 0..t.len());
    }
    let name_len = npm_name_len(t, false);
    if name_len == 0 {
        return Outcome::Bad(format!("`{t}` is not an npm package spec"));
    }
    if dynamic.is_some_and(|d| d <= name_len) {
        return Outcome::Skip;
    }
    let rest = &t[name_len..];
    if rest.starts_with('/') || rest.starts_with('#') {
        // `user/repo` and `user/repo#ref` are GitHub shorthands.
        return not_registry(eco, t, NotRegistry::Vcs, 0..t.len());
    }
    let version = match rest.strip_prefix('@') {
        Some(v) => v,
        None if rest.is_empty() => "",
        None => return Outcome::Bad(format!("`{t}` is not an npm package spec")),
    };
    if dynamic.is_none() {
        if let Some(real) = version.strip_prefix("npm:").filter(|_| depth == 0) {
            // `alias@npm:real@1`: what is installed is `real`.
            return shift(npm_trimmed(real, None, depth + 1), name_len + 5);
        }
        if let Some(what) = npm_not_registry(version) {
            return not_registry(eco, t, what, 0..t.len());
        }
        if version.contains('/') && !version.starts_with(|c: char| c.is_ascii_digit()) {
            return not_registry(eco, t, NotRegistry::Vcs, 0..t.len());
        }
    }
    let version = (!version.is_empty()).then(|| version.to_string());
    Outcome::Found(package(
        Ecosystem::Npm,
        &t[..name_len],
        0..name_len,
        version,
    ))
}

/// Classifies the initializer of `npm create`/`npm init`/`yarn create`/`pnpm create`/
/// `bun create`: `foo` runs `create-foo`, `@scope` runs `@scope/create`, `@scope/foo`
/// runs `@scope/create-foo`. The range covers the name as written.
pub(crate) fn npm_create(value: &str, dynamic_from: Option<usize>) -> Outcome {
    let (t, lead, dynamic) = trimmed(value, dynamic_from);
    if t.is_empty() || dynamic == Some(0) {
        return Outcome::Skip;
    }
    if npm_not_registry(t).is_some() {
        return npm(value, dynamic_from);
    }
    let name_len = npm_name_len(t, true);
    if name_len == 0 {
        return Outcome::Bad(format!("`{t}` is not an npm initializer"));
    }
    if dynamic.is_some_and(|d| d <= name_len) {
        return Outcome::Skip;
    }
    let written = &t[..name_len];
    let rest = &t[name_len..];
    if rest.starts_with('/') || rest.starts_with('#') {
        return shift(
            not_registry(Some(Ecosystem::Npm), t, NotRegistry::Vcs, 0..t.len()),
            lead,
        );
    }
    let version = match rest.strip_prefix('@') {
        Some(v) => v,
        None if rest.is_empty() => "",
        None => return Outcome::Bad(format!("`{t}` is not an npm initializer")),
    };
    let name = match written.split_once('/') {
        Some((scope, name)) => format!("{scope}/create-{name}"),
        None if written.starts_with('@') => format!("{written}/create"),
        None => format!("create-{written}"),
    };
    let version = (!version.is_empty()).then(|| version.to_string());
    Outcome::Found(package(
        Ecosystem::Npm,
        &name,
        lead..lead + name_len,
        version,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(o: Outcome) -> (String, Option<String>, Range<usize>) {
        match o {
            Outcome::Found(Classified {
                mention: Mention::Package { name, .. },
                version,
                range,
                ..
            }) => (name, version, range),
            other => panic!("not a package: {other:?}"),
        }
    }

    fn what(o: Outcome) -> NotRegistry {
        match o {
            Outcome::Found(Classified {
                mention: Mention::NotRegistry { what, .. },
                ..
            }) => what,
            other => panic!("not a non-registry mention: {other:?}"),
        }
    }

    #[test]
    fn pep508_requirements() {
        let p = |s| pkg(pypi(s, None, PyStyle::Pep508));
        assert_eq!(p("requests"), ("requests".into(), None, 0..8));
        assert_eq!(
            p("requests==2.31.0"),
            ("requests".into(), Some("==2.31.0".into()), 0..8)
        );
        assert_eq!(
            p("requests[socks,security] >=2.8.1, ==2.8.* ; python_version < \"2.7\""),
            ("requests".into(), Some(">=2.8.1, ==2.8.*".into()), 0..8)
        );
        assert_eq!(
            p("  Flask (>=2)"),
            ("Flask".into(), Some(">=2".into()), 2..7)
        );
        let marked = pypi("tomli; python_version<'3.11'", None, PyStyle::Pep508);
        assert!(matches!(
            marked,
            Outcome::Found(Classified { optional: true, .. })
        ));
    }

    #[test]
    fn pip_only_forms_are_not_names() {
        let w = |s| what(pypi(s, None, PyStyle::Pep508));
        assert_eq!(
            w("git+https://github.com/psf/requests.git@main#egg=requests"),
            NotRegistry::Vcs
        );
        assert_eq!(
            w("https://example.com/pkg-1.0-py3-none-any.whl"),
            NotRegistry::Url
        );
        assert_eq!(w("./dist/pkg-1.0-py3-none-any.whl"), NotRegistry::LocalPath);
        assert_eq!(w("pkg-1.0.tar.gz"), NotRegistry::LocalPath);
        assert_eq!(w("."), NotRegistry::LocalPath);
        assert_eq!(w(".[dev,test]"), NotRegistry::LocalPath);
        assert_eq!(w("src/mypkg"), NotRegistry::LocalPath);
        assert_eq!(w("C:\\work\\pkg"), NotRegistry::LocalPath);
        assert_eq!(w("pkg @ https://example.com/pkg.zip"), NotRegistry::Url);
        assert_eq!(w("pkg@ git+https://github.com/o/pkg"), NotRegistry::Vcs);
        assert_eq!(w("pkg @ file:///tmp/pkg"), NotRegistry::LocalPath);
    }

    #[test]
    fn at_version_only_where_the_tool_takes_it() {
        assert_eq!(
            pkg(pypi("ruff@0.3.0", None, PyStyle::AtVersion)),
            ("ruff".into(), Some("0.3.0".into()), 0..4)
        );
        assert_eq!(
            pkg(pypi("pendulum@^2.0.5", None, PyStyle::AtVersion)),
            ("pendulum".into(), Some("^2.0.5".into()), 0..8)
        );
        assert_eq!(
            what(pypi("ruff@0.3.0", None, PyStyle::Pep508)),
            NotRegistry::Url
        );
    }

    #[test]
    fn invalid_requirements_keep_a_readable_name() {
        match pypi("numpy=1.26", None, PyStyle::Pep508) {
            Outcome::Found(c) => {
                assert_eq!(c.version.as_deref(), Some("=1.26"));
                assert!(c.warning.is_some());
            }
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            pypi("==1.0", None, PyStyle::Pep508),
            Outcome::Bad(_)
        ));
        assert!(matches!(
            pypi("foo*bar", None, PyStyle::Pep508),
            Outcome::Bad(_)
        ));
        // Inputs on which pep508_rs 0.9.2 panics (found by fuzzing) never reach it.
        for s in [
            "fastapi-users-db- x",
            "xs[riPt.",
            "xs[a_]",
            "a[b-,c]>=1",
            "a.[x]",
        ] {
            let o = pypi(s, None, PyStyle::Pep508);
            assert!(
                matches!(
                    o,
                    Outcome::Found(Classified {
                        warning: Some(_),
                        ..
                    }) | Outcome::Bad(_)
                ),
                "{s}: {o:?}"
            );
        }
        // The version is an unexpanded variable: the name is still known.
        assert_eq!(
            pkg(pypi("torch==$TORCH", Some(7), PyStyle::Pep508)),
            ("torch".into(), Some("==$TORCH".into()), 0..5)
        );
        assert_eq!(pypi("$PKG", Some(0), PyStyle::Pep508), Outcome::Skip);
        assert_eq!(pypi("py${V}", Some(2), PyStyle::Pep508), Outcome::Skip);
    }

    #[test]
    fn npm_specs() {
        let p = |s| pkg(npm(s, None));
        assert_eq!(p("lodash"), ("lodash".into(), None, 0..6));
        assert_eq!(
            p("react@^18.2.0"),
            ("react".into(), Some("^18.2.0".into()), 0..5)
        );
        assert_eq!(
            p("@types/node@latest"),
            ("@types/node".into(), Some("latest".into()), 0..11)
        );
        assert_eq!(
            p("my-react@npm:react@18"),
            ("react".into(), Some("18".into()), 13..18)
        );
        assert_eq!(
            p("npm:left-pad@1"),
            ("left-pad".into(), Some("1".into()), 4..12)
        );
        assert_eq!(p("JSONStream"), ("JSONStream".into(), None, 0..10));
        let w = |s| what(npm(s, None));
        assert_eq!(w("user/repo"), NotRegistry::Vcs);
        assert_eq!(w("github:user/repo#v1"), NotRegistry::Vcs);
        assert_eq!(w("git+ssh://git@github.com/u/r.git"), NotRegistry::Vcs);
        assert_eq!(
            w("https://registry.example.com/x/-/x-1.0.0.tgz"),
            NotRegistry::Url
        );
        assert_eq!(w("https://github.com/user/repo"), NotRegistry::Vcs);
        assert_eq!(w("file:../lib"), NotRegistry::LocalPath);
        assert_eq!(w("../lib"), NotRegistry::LocalPath);
        assert_eq!(w("~/lib"), NotRegistry::LocalPath);
        assert_eq!(w("./pkg-1.0.0.tgz"), NotRegistry::LocalPath);
        assert_eq!(w("foo@workspace:*"), NotRegistry::Workspace);
        assert_eq!(w("foo@file:../foo"), NotRegistry::LocalPath);
        assert_eq!(w("jsr:@std/path"), NotRegistry::OtherRegistry("jsr".into()));
        assert_eq!(w("foo@github:user/foo"), NotRegistry::Vcs);
        assert!(matches!(npm("<package>", None), Outcome::Bad(_)));
        assert!(matches!(npm("@/x", None), Outcome::Bad(_)));
    }

    #[test]
    fn create_initializers() {
        let p = |s| pkg(npm_create(s, None));
        assert_eq!(
            p("vite@latest"),
            ("create-vite".into(), Some("latest".into()), 0..4)
        );
        assert_eq!(p("@vitejs/app"), ("@vitejs/create-app".into(), None, 0..11));
        assert_eq!(p("@usr"), ("@usr/create".into(), None, 0..4));
        assert_eq!(
            p("@usr@2.0.0"),
            ("@usr/create".into(), Some("2.0.0".into()), 0..4)
        );
        assert_eq!(what(npm_create("user/template", None)), NotRegistry::Vcs);
        assert_eq!(what(npm_create("./template", None)), NotRegistry::LocalPath);
    }

    #[test]
    fn conda_specs() {
        let c = |s| match conda(s, None) {
            Outcome::Found(Classified {
                mention: Mention::NotRegistry { text, what, .. },
                version,
                range,
                ..
            }) => (text, what, version, range),
            o => panic!("{o:?}"),
        };
        let other = NotRegistry::OtherRegistry("conda".into());
        assert_eq!(c("numpy"), ("numpy".into(), other.clone(), None, 0..5));
        assert_eq!(
            c("python=3.11"),
            ("python".into(), other.clone(), Some("=3.11".into()), 0..6)
        );
        assert_eq!(
            c("conda-forge::scipy>=1.11"),
            ("scipy".into(), other, Some(">=1.11".into()), 13..18)
        );
    }
}
