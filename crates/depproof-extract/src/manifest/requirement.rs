//! One Python requirement string (PEP 508, plus the bare URLs and paths pip accepts), with
//! the offsets of its parts so that spans can point at the name.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use depproof_registry::Ecosystem;

use super::{
    Flags, Piece, classify_python_source, normalize_pypi, push_not_registry, push_package,
};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

/// A parsed requirement; ranges are byte offsets in the string given to [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Requirement {
    /// A registry package: `requests[socks]>=2.8 ; python_version >= "3.8"`.
    Registry {
        name: Range<usize>,
        /// The version specifier as written, trimmed (`>=2.8`), if any.
        version: Option<String>,
        /// The markers only hold with some extra active (`extra == "test"`).
        extra_only: bool,
    },
    /// A direct reference: `name @ https://…`, or a bare URL or path with no name.
    Direct {
        name: Option<Range<usize>>,
        target: Range<usize>,
        what: NotRegistry,
        extra_only: bool,
    },
}

/// pep508_rs wants to parse the URL of `name @ url`; any text is fine for us, since we
/// only report it as written (a relative path has no base directory here).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct AnyUrl(String);

impl fmt::Display for AnyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl pep508_rs::Pep508Url for AnyUrl {
    type Err = std::convert::Infallible;

    fn parse_url(url: &str, _working_dir: Option<&Path>) -> Result<Self, Self::Err> {
        Ok(AnyUrl(url.to_string()))
    }
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

const ARCHIVES: [&str; 9] = [
    ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar",
];

/// Whether a requirement token is a URL or a path rather than a name (as pip decides:
/// a URL, something with a path separator or a leading dot, an archive file).
fn looks_like_source(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let b = lower.as_bytes();
    lower.contains("://")
        || ["git+", "hg+", "svn+", "bzr+", "git@", "file:"]
            .iter()
            .any(|p| lower.starts_with(p))
        || matches!(b.first(), Some(b'.' | b'/' | b'~' | b'\\'))
        || lower.contains('/')
        || lower.contains('\\')
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
        || ARCHIVES.iter().any(|a| lower.ends_with(a))
}

/// Parses one requirement. Errors are messages for a warning.
pub(crate) fn parse(s: &str) -> Result<Requirement, String> {
    let start = s.len() - s.trim_start().len();
    let end = s.trim_end().len();
    if start >= end {
        return Err("empty requirement".into());
    }
    let bytes = s.as_bytes();
    let name_end = (start..end)
        .find(|&i| !bytes.get(i).copied().is_some_and(is_name_char))
        .unwrap_or(end);
    // After the name: optional extras, then `@` for a direct reference.
    let mut at = skip_ws(s, name_end);
    let extras_start = (bytes.get(at) == Some(&b'[')).then_some(at);
    if extras_start.is_some() {
        at = s[at..].find(']').map_or(end, |i| at + i + 1);
        at = skip_ws(s, at);
    }
    // Trailing whitespace is past `end`.
    let at = at.min(end);
    let direct = name_end > start && bytes.get(at) == Some(&b'@');
    if !direct {
        let token_end = s[start..end]
            .find(char::is_whitespace)
            .map_or(end, |i| start + i);
        let token = &s[start..token_end];
        if looks_like_source(token) {
            return Ok(Requirement::Direct {
                name: None,
                target: start..token_end,
                what: classify_python_source(token),
                extra_only: false,
            });
        }
    }
    if name_end == start {
        return Err(format!(
            "expected a package name, found `{}`",
            s[start..].chars().next().unwrap_or(' ')
        ));
    }
    check_names(s, start..name_end, extras_start)?;
    let parsed = pep508_rs::Requirement::<AnyUrl>::from_str(&ascii_stand_in(&s[start..end]))
        .map_err(|e| e.message.to_string())?;
    let extra_only = !parsed.marker.evaluate_extras(&[]);
    let name = start..name_end;
    if direct {
        let url_start = skip_ws(s, at + 1).min(end);
        let url_end = s[url_start..end]
            .find(char::is_whitespace)
            .map_or(end, |i| url_start + i);
        let url = &s[url_start..url_end];
        return Ok(Requirement::Direct {
            name: Some(name),
            target: url_start..url_end,
            what: classify_python_source(url),
            extra_only,
        });
    }
    if let Some(pep508_rs::VersionOrUrl::Url(url)) = &parsed.version_or_url {
        // Unreachable in practice (the `@` check above comes first), but a URL is a URL.
        return Ok(Requirement::Direct {
            name: Some(name),
            target: start..end,
            what: classify_python_source(&url.0),
            extra_only,
        });
    }
    let version_end = s[at..end].find(';').map_or(end, |i| at + i);
    let version = s.get(at..version_end).unwrap_or("").trim();
    Ok(Requirement::Registry {
        name,
        version: (!version.is_empty()).then(|| version.to_string()),
        extra_only,
    })
}

/// Rejects names and extras that start or end with punctuation: pep508_rs 0.9 panics on
/// some of them (`2.1. x`, `foo[bar-]`) instead of returning an error.
fn check_names(s: &str, name: Range<usize>, extras: Option<usize>) -> Result<(), String> {
    let bad = |n: &str| {
        let b = n.as_bytes();
        !b.first().is_some_and(u8::is_ascii_alphanumeric)
            || !b.last().is_some_and(u8::is_ascii_alphanumeric)
    };
    let n = s.get(name).unwrap_or("");
    if bad(n) {
        return Err(format!(
            "package name `{n}` must start and end with a letter or digit"
        ));
    }
    if let Some(open) = extras {
        let rest = s.get(open + 1..).unwrap_or("");
        let content = rest.split(']').next().unwrap_or("");
        for part in content.split(',') {
            let part = part.trim();
            let ident_len = part.bytes().take_while(|&b| is_name_char(b)).count();
            let ident = &part[..ident_len];
            if !ident.is_empty() && bad(ident) {
                return Err(format!(
                    "extra `{ident}` must start and end with a letter or digit"
                ));
            }
        }
    }
    Ok(())
}

/// pep508_rs 0.9 mixes character counts and byte offsets in its marker parser and panics
/// on some non-ASCII input, so it only ever sees ASCII: Unicode whitespace becomes a space
/// (it treats both as whitespace), anything else non-ASCII becomes `~`, which is invalid
/// where a non-ASCII character is invalid (names, versions, operators) and allowed where
/// one is allowed (quoted marker values, URLs). Offsets are never taken from its result.
fn ascii_stand_in(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                c if c.is_ascii() => c,
                c if c.is_whitespace() => ' ',
                _ => '~',
            })
            .collect(),
    )
}

fn skip_ws(s: &str, from: usize) -> usize {
    s.get(from..)
        .map_or(from, |rest| from + (rest.len() - rest.trim_start().len()))
}

/// Dependencies whose source is given elsewhere (uv's `[tool.uv.sources]`): normalized
/// name to what the source is and its text.
pub(crate) type Sources = HashMap<String, (NotRegistry, String)>;

/// Parses `piece.text[range]` as a requirement and reports it (or warns).
pub(crate) fn report(
    code: &Code,
    out: &mut Output,
    piece: &Piece,
    range: Range<usize>,
    flags: Flags,
    sources: &Sources,
) {
    let Some(text) = piece.text.get(range.clone()) else {
        return;
    };
    let base = range.start;
    match parse(text) {
        Err(reason) => out.warn(
            &code.path,
            Some(piece.line(code, base)),
            format!("not a valid requirement `{}`: {reason}", text.trim()),
        ),
        Ok(Requirement::Registry {
            name,
            version,
            extra_only,
        }) => {
            let flags = Flags {
                optional: flags.optional || extra_only,
                ..flags
            };
            let span = piece.span(base + name.start, base + name.end);
            let name = &text[name];
            match sources.get(&normalize_pypi(name)) {
                Some((what, source)) => push_not_registry(
                    out,
                    code,
                    Some(Ecosystem::PyPI),
                    source,
                    what.clone(),
                    span,
                    flags,
                ),
                None => push_package(out, code, Ecosystem::PyPI, name, span, version, flags),
            }
        }
        Ok(Requirement::Direct {
            name,
            target,
            what,
            extra_only,
        }) => {
            let flags = Flags {
                optional: flags.optional || extra_only,
                ..flags
            };
            let at = name.unwrap_or_else(|| target.clone());
            let span = piece.span(base + at.start, base + at.end);
            push_not_registry(
                out,
                code,
                Some(Ecosystem::PyPI),
                &text[target],
                what,
                span,
                flags,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(s: &str) -> (String, Option<String>, bool) {
        match parse(s) {
            Ok(Requirement::Registry {
                name,
                version,
                extra_only,
            }) => (s[name].to_string(), version, extra_only),
            other => panic!("{s}: {other:?}"),
        }
    }

    fn direct(s: &str) -> (Option<String>, String, NotRegistry) {
        match parse(s) {
            Ok(Requirement::Direct {
                name, target, what, ..
            }) => (name.map(|n| s[n].to_string()), s[target].to_string(), what),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn registry_requirements() {
        assert_eq!(reg("requests"), ("requests".into(), None, false));
        assert_eq!(
            reg("  requests [security,tests] >= 2.8.1, == 2.8.* ; python_version > \"3.8\""),
            ("requests".into(), Some(">= 2.8.1, == 2.8.*".into()), false)
        );
        assert_eq!(
            reg("zope.interface>=5"),
            ("zope.interface".into(), Some(">=5".into()), false)
        );
        assert_eq!(
            reg("pytest>=7; extra == 'test'"),
            ("pytest".into(), Some(">=7".into()), true)
        );
        assert_eq!(
            reg("colorama; sys_platform == 'win32'"),
            ("colorama".into(), None, false)
        );
        assert_eq!(
            reg("typing-extensions (>=4.0)"),
            ("typing-extensions".into(), Some("(>=4.0)".into()), false)
        );
        // Either branch may hold without extras: not optional.
        assert!(!reg("x; extra == 'a' or python_version < '3'").2);
        // Trailing whitespace after a bare name or extras.
        assert_eq!(reg("foo   "), ("foo".into(), None, false));
        assert_eq!(reg("foo[bar]  \t"), ("foo".into(), None, false));
    }

    #[test]
    fn direct_references() {
        assert_eq!(
            direct("pip @ https://github.com/pypa/pip/archive/22.0.2.zip"),
            (
                Some("pip".into()),
                "https://github.com/pypa/pip/archive/22.0.2.zip".into(),
                NotRegistry::Url
            )
        );
        assert_eq!(
            direct("mylib[x] @ git+https://github.com/me/mylib@v1 ; python_version>'3'"),
            (
                Some("mylib".into()),
                "git+https://github.com/me/mylib@v1".into(),
                NotRegistry::Vcs
            )
        );
        assert_eq!(
            direct("local @ file:///home/me/local"),
            (
                Some("local".into()),
                "file:///home/me/local".into(),
                NotRegistry::LocalPath
            )
        );
        assert_eq!(
            direct("./downloads/numpy-1.9.2-cp34-none-win32.whl"),
            (
                None,
                "./downloads/numpy-1.9.2-cp34-none-win32.whl".into(),
                NotRegistry::LocalPath
            )
        );
        assert_eq!(
            direct("https://example.com/pkg-1.0.tar.gz"),
            (
                None,
                "https://example.com/pkg-1.0.tar.gz".into(),
                NotRegistry::Url
            )
        );
        assert_eq!(
            direct("git+https://github.com/psf/requests.git#egg=requests"),
            (
                None,
                "git+https://github.com/psf/requests.git#egg=requests".into(),
                NotRegistry::Vcs
            )
        );
        assert_eq!(direct(".").1, ".");
    }

    #[test]
    fn invalid_requirements_are_errors() {
        assert!(parse("").is_err());
        assert!(parse("   ").is_err());
        assert!(parse(">=2.0").is_err());
        assert!(parse("requests>=").is_err());
        assert!(parse("requests ==2.0 ; python_version ~~ '3'").is_err());
        assert!(parse("foo bar").is_err());
        // pep508_rs would panic on these.
        assert!(parse("2.1. *cuda*").is_err());
        assert!(parse("foo[bar-]").is_err());
        assert!(parse("foo[bar_ , baz]").is_err());
        assert!(parse("foo[bar.,").is_err());
        assert!(parse("foo- >=1").is_err());
        assert!(
            parse("arg; python_version >= \"3.8\"     ;--hash=sha975:5430a4fe2ac7dЙɜɝ").is_err()
        );
        assert!(parse("fooé>=1").is_err());
        assert_eq!(
            reg("foo\u{a0}>=1 ; platform_version == 'é'"),
            ("foo".into(), Some(">=1".into()), false)
        );
    }
}
