//! Yarn's `yarn.lock`: classic (v1, Yarn's own format) and Berry (Yarn 2+, YAML).
//!
//! Classic: one entry per header line (`"@s/a@^1.0.0", "@s/a@^1.1.0":`); the span covers
//! the name in the header's first descriptor (for an alias `x@npm:real@^1`, the real name
//! after `npm:`). Berry: the authoritative `resolution: "name@npm:1.2.3"` field names the
//! package; the span covers the name inside it (the header's first descriptor when an
//! entry has no resolution). Neither format records dev or optional dependencies: both
//! flags are false.

use std::borrow::Cow;

use depproof_registry::Ecosystem;

use super::yaml::{self, Scalar};
use super::{
    Entry, Source, classify_npm_spec, emit, is_registry_tarball, npm_resolved_source,
    split_name_at, warn_at,
};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

pub(super) fn find(code: &Code, out: &mut Output) {
    let berry = code
        .text
        .lines()
        .take(64)
        .any(|l| l.starts_with("__metadata:"));
    if berry {
        find_berry(code, out);
    } else {
        find_classic(code, out);
    }
}

/// A `name@range` descriptor and the span of the name in the file.
struct Descriptor<'a> {
    name: Cow<'a, str>,
    range: Cow<'a, str>,
    span: (usize, usize),
}

/// Splits descriptor `d` (exact text at `at` when `exact`) into name and range, resolving
/// an `npm:` alias to the real package.
fn descriptor<'a>(d: Cow<'a, str>, at: usize, exact: bool) -> Option<Descriptor<'a>> {
    let (name, range) = split_name_at(&d)?;
    let (name, range, off) = match range.strip_prefix("npm:").and_then(split_name_at) {
        Some((real, real_range)) => (real, real_range, name.len() + 1 + 4),
        None => (name, range, 0),
    };
    let len = d.len();
    let span = if exact {
        (at + off, at + off + name.len())
    } else {
        (at, at + len)
    };
    Some(Descriptor {
        name: Cow::Owned(name.to_string()),
        range: Cow::Owned(range.to_string()),
        span,
    })
}

// ---- classic ----

#[derive(Default)]
struct Classic<'a> {
    desc: Option<Descriptor<'a>>,
    version: Option<String>,
    resolved: Option<String>,
}

fn find_classic(code: &Code, out: &mut Output) {
    let text = code.text;
    let mut cur: Option<Classic> = None;
    // After an unreadable header, its indented lines are skipped without more warnings.
    let mut skipping = false;
    let mut line_start = 0usize;
    for raw in text.split('\n') {
        let start = line_start;
        line_start += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            if let Some(e) = cur.take() {
                classic_entry(code, out, e);
            }
            match header(content, start) {
                Some(desc) => {
                    skipping = false;
                    cur = Some(Classic {
                        desc: Some(desc),
                        ..Classic::default()
                    })
                }
                None => {
                    skipping = true;
                    warn_at(code, out, start, "unreadable yarn.lock entry header");
                }
            }
            continue;
        }
        let Some(e) = cur.as_mut() else {
            if !skipping {
                skipping = true;
                warn_at(code, out, start + indent, "indented line outside an entry");
            }
            continue;
        };
        if indent != 2 {
            continue;
        }
        let (key, value) = match content.split_once(' ') {
            Some((k, v)) => (k.trim_end_matches(':'), v.trim()),
            None => (content.trim_end_matches(':'), ""),
        };
        let value = unquote(value);
        match key {
            "version" | "\"version\"" => e.version = Some(value.into_owned()),
            "resolved" | "\"resolved\"" => e.resolved = Some(value.into_owned()),
            _ => {}
        }
    }
    if let Some(e) = cur.take() {
        classic_entry(code, out, e);
    }
}

/// The first descriptor of a header line `a@^1, "b@^2":` starting at byte `at`.
fn header(content: &str, at: usize) -> Option<Descriptor<'_>> {
    let body = content.trim_end().strip_suffix(':')?;
    if let Some(rest) = body.strip_prefix('"') {
        let close = rest.find('"')?;
        let d = rest.get(..close)?;
        descriptor(Cow::Borrowed(d), at + 1, true)
    } else {
        let d = body.split(',').next()?.trim_end();
        descriptor(Cow::Borrowed(d), at, true)
    }
}

fn unquote(v: &str) -> Cow<'_, str> {
    match v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if inner.contains('\\') => {
            Cow::Owned(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
        }
        Some(inner) => Cow::Borrowed(inner),
        None => Cow::Borrowed(v),
    }
}

fn classic_entry(code: &Code, out: &mut Output, e: Classic) {
    let Some(desc) = e.desc else { return };
    let source = match classify_npm_spec(&desc.range) {
        Some(what) => Source::Other(what, e.resolved.unwrap_or_else(|| desc.range.to_string())),
        None => match &e.resolved {
            Some(r) if !is_registry_tarball(r) => npm_resolved_source(r),
            _ => Source::Registry,
        },
    };
    emit(
        code,
        out,
        Ecosystem::Npm,
        Entry {
            name: desc.name,
            span: desc.span,
            version: e.version,
            source,
            dev: false,
            optional: false,
        },
    );
}

// ---- Berry ----

struct Berry<'a> {
    header: Scalar<'a>,
    version: Option<String>,
    resolution: Option<Scalar<'a>>,
}

fn find_berry(code: &Code, out: &mut Output) {
    let mut entries: Vec<Berry> = Vec::new();
    let mut errors: Vec<usize> = Vec::new();
    yaml::walk(
        code.text,
        |path, key, value| match path.len() {
            0 => entries.push(Berry {
                header: key.clone(),
                version: None,
                resolution: None,
            }),
            1 => {
                if let Some(e) = entries.last_mut() {
                    match (key.text.as_ref(), value) {
                        ("version", Some(v)) => e.version = Some(v.text.to_string()),
                        ("resolution", Some(v)) => e.resolution = Some(v.clone()),
                        _ => {}
                    }
                }
            }
            _ => {}
        },
        |offset, _| errors.push(offset),
    );
    for offset in errors {
        warn_at(code, out, offset, "unreadable yarn.lock line");
    }
    for e in entries {
        if e.header.text == "__metadata" {
            continue;
        }
        berry_entry(code, out, e);
    }
}

fn berry_entry(code: &Code, out: &mut Output, e: Berry) {
    // The resolution names the locked package; the header only the ranges asked for.
    let (name, rest, span) = match &e.resolution {
        Some(r) => match split_name_at(&r.text) {
            Some((name, rest)) => (name.to_string(), rest.to_string(), r.span(0, name.len())),
            None => {
                warn_at(code, out, r.start, "unreadable yarn.lock resolution");
                return;
            }
        },
        None => {
            let first = e.header.text.split(", ").next().unwrap_or("");
            match descriptor(Cow::Borrowed(first), e.header.start, e.header.exact()) {
                Some(d) => (d.name.into_owned(), d.range.into_owned(), d.span),
                None => {
                    warn_at(
                        code,
                        out,
                        e.header.start,
                        "unreadable yarn.lock entry header",
                    );
                    return;
                }
            }
        }
    };
    let source = if let Some(v) = rest.strip_prefix("npm:") {
        // A resolution is exact; a header range (`npm:^1.0.0`) is not a pin.
        let _ = v;
        Source::Registry
    } else if let Some(patched) = rest.strip_prefix("patch:") {
        // `patch:real@npm%3A1.0.0#…`: a local patch over a locked package; the package is
        // the one patched.
        let inner = percent_decode(patched.split('#').next().unwrap_or(""));
        match split_name_at(&inner) {
            Some((_, r)) if r.starts_with("npm:") => Source::Registry,
            Some((_, r)) => berry_other(r),
            None => Source::Other(NotRegistry::LocalPath, rest.clone()),
        }
    } else if rest == "workspace:." {
        // The project itself.
        return;
    } else {
        berry_other(&rest)
    };
    emit(
        code,
        out,
        Ecosystem::Npm,
        Entry {
            name: name.into(),
            span,
            version: e.version,
            source,
            dev: false,
            optional: false,
        },
    );
}

/// A non-npm Berry resolution (`git://…#commit=…`, `file:./x#./x::hash=…&locator=…`).
fn berry_other(rest: &str) -> Source {
    // `::locator=…` and `::hash=…` are Yarn's bookkeeping, not part of the source.
    let shown = rest.split("::").next().unwrap_or(rest).to_string();
    match classify_npm_spec(rest) {
        Some(what) => Source::Other(what, shown),
        None if rest.starts_with(|c: char| c.is_ascii_digit()) => Source::Registry,
        None => Source::Other(NotRegistry::Url, shown),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(h);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn classic_real_lockfile() {
        let text = fixture("yarn-v1.yarn.lock");
        let out = run("yarn.lock", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.found.len(), 18);
        let node = one(&out, "@types/node");
        assert_eq!(node.version.as_deref(), Some("20.19.43"));
        assert_eq!(spanned(&text, node), "@types/node");
        assert_eq!(
            node.location.line,
            line_of(&text, "\"@types/node@^20.0.0\":")
        );
        assert_eq!(node.location.column, 2);
        let alias = one(&out, "lodash@4.17.20");
        assert_eq!(
            alias.location.line,
            line_of(&text, "lodash-alias@npm:lodash")
        );
        assert_eq!(spanned(&text, alias), "lodash");
        let range = one(&out, "js-tokens");
        assert_eq!(spanned(&text, range), "js-tokens");
        let git = not_registry(&out, "git-pkg@");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(
            text_of(git.0),
            "git-pkg@git+file:///tmp/lk/gitpkg#0635a133c8fa460354f3e10f2f71c8397fdc0354"
        );
        assert_eq!(git.0.version.as_deref(), Some("0.3.0"));
        assert_eq!(not_registry(&out, "tar-pkg@").1, NotRegistry::Url);
        let local = not_registry(&out, "local-lib@");
        assert_eq!(
            (local.1, text_of(local.0)),
            (NotRegistry::LocalPath, "local-lib@file:./local-lib".into())
        );
        assert!(out.found.iter().all(|f| !f.dev && !f.optional));
    }

    #[test]
    fn classic_other_shapes() {
        let text = "# yarn lockfile v1\n\n\nunquoted@^1.0.0, unquoted@^1.1.0:\n  version \"1.1.0\"\n  resolved \"https://npm.corp.example/unquoted/-/unquoted-1.1.0.tgz#abc\"\n\n\"gh@user/repo#v1\":\n  version \"2.0.0\"\n  resolved \"https://codeload.github.com/user/repo/tar.gz/abc\"\n\n@bad header\n  version \"1\"\n    deep \"x\"\n\"@s/p@npm:@s/q@^2\":\n  version \"2.1.0\"\n";
        let out = run("yarn.lock", text, find);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        assert_eq!(out.diagnostics[0].line, Some(12));
        let u = one(&out, "unquoted@1.1.0");
        assert_eq!((u.location.line, u.location.column), (4, 1));
        let gh = not_registry(&out, "gh@");
        assert_eq!(gh.1, NotRegistry::Vcs);
        let q = one(&out, "@s/q@2.1.0");
        assert_eq!(spanned(text, q), "@s/q");
        assert_eq!(out.found.len(), 3);
    }

    #[test]
    fn berry_real_lockfile() {
        let text = fixture("yarn-berry.yarn.lock");
        let out = run("yarn.lock", &text, find);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        // 26 entries less __metadata and the root workspace.
        let entries = text
            .lines()
            .filter(|l| !l.starts_with([' ', '#']) && !l.is_empty())
            .count();
        assert_eq!(out.found.len(), entries - 2);
        let node = one(&out, "@types/node");
        assert_eq!(node.version.as_deref(), Some("20.19.43"));
        assert_eq!(spanned(&text, node), "@types/node");
        assert_eq!(
            node.location.line,
            line_of(&text, "resolution: \"@types/node@npm:20.19.43\"")
        );
        let alias = one(&out, "lodash@4.17.20");
        assert_eq!(
            alias.location.line,
            line_of(&text, "resolution: \"lodash@npm:4.17.20\"")
        );
        // The patched package is the registry package, reported by its patch entry too.
        let resolve = find_all(&out, "resolve");
        assert_eq!(resolve.len(), 2);
        assert!(
            resolve
                .iter()
                .all(|f| f.version.as_deref() == Some("1.22.14"))
        );
        let git = not_registry(&out, "git-pkg@");
        assert_eq!(git.1, NotRegistry::Vcs);
        assert_eq!(
            text_of(git.0),
            "git-pkg@git://127.0.0.1/gitpkg#commit=0635a133c8fa460354f3e10f2f71c8397fdc0354"
        );
        assert_eq!(not_registry(&out, "tar-pkg@").1, NotRegistry::Url);
        let local = not_registry(&out, "local-lib@");
        assert_eq!(local.1, NotRegistry::LocalPath);
        assert_eq!(text_of(local.0), "local-lib@file:./local-lib#./local-lib");
        let ws = not_registry(&out, "ws-a@");
        assert_eq!(
            (ws.1, text_of(ws.0)),
            (
                NotRegistry::Workspace,
                "ws-a@workspace:packages/ws-a".into()
            )
        );
        assert!(out.found.iter().all(|f| text_of(f) != "lkapp@workspace:."));
    }

    #[test]
    fn berry_broken_lines_and_missing_resolution() {
        let text = "__metadata:\n  version: 8\n\n\"a@npm:^1.0.0\":\n  version: 1.0.1\n\n\"b@npm:^2.0.0\":\n  version: 2.0.0\n  resolution: \"b@npm:2.0.0\n\tbad: 1\nno colon here\n\"c@npm:3.0.0\":\n  resolution: \"c\"\n";
        let out = run("yarn.lock", text, find);
        let names: Vec<String> = out.found.iter().map(text_of).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(out.found[0].version.as_deref(), Some("1.0.1"));
        assert_eq!(spanned(text, &out.found[0]), "a");
        let lines: Vec<Option<u32>> = out.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(9), Some(10), Some(11), Some(13)]);
    }

    #[test]
    fn crlf_line_ends() {
        for name in ["yarn-v1.yarn.lock", "yarn-berry.yarn.lock"] {
            let lf = fixture(name);
            let crlf = lf.replace('\n', "\r\n");
            let a = run("yarn.lock", &lf, find);
            let b = run("yarn.lock", &crlf, find);
            assert!(b.diagnostics.is_empty(), "{:?}", b.diagnostics);
            assert_eq!(a.found.len(), b.found.len());
            for (x, y) in a.found.iter().zip(&b.found) {
                assert_eq!(
                    (&x.mention, x.location.line, x.location.column),
                    (&y.mention, y.location.line, y.location.column)
                );
                assert_eq!(x.version, y.version);
            }
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("resolve@npm%3A1.22.8"), "resolve@npm:1.22.8");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz%40"), "%zz@");
    }
}
