//! pip requirements and constraints files, as pip reads them: `\` joins lines, `#` after
//! whitespace starts a comment, a line is a requirement followed by per-requirement
//! options (`--hash=…`), or options alone (`-r`, `-e`, `--index-url`, …).

use std::ops::Range;

use depproof_registry::Ecosystem;

use super::requirement::{Sources, report};
use super::{Flags, Piece, classify_python_source, push_not_registry};
use crate::location::Code;
use crate::reference::Output;

/// Reports every requirement of a pip requirements (or constraints) file.
///
/// Lines that name another file (`-r`, `-c`) are not followed: see [`requirement_includes`].
/// `-e`/`--editable` targets are reported as non-registry sources; index and other global
/// options are ignored; a line whose name uses an environment variable (`${VAR}`) cannot be
/// read without the environment and is skipped with a warning.
pub fn find_requirements(code: &Code, out: &mut Output) {
    for piece in logical_lines(code.text) {
        read_line(code, out, &piece, Flags::RUNTIME);
    }
}

/// The files a requirements file includes with `-r`/`--requirement` and
/// `-c`/`--constraint`: each path as written, with the 1-based line where it is named.
///
/// The walker resolves each path against the including file's directory (pip does so for
/// relative paths; a URL is not a file to follow), reads it as a requirements file, and
/// keeps a set of canonical paths already read so that cycles (`a.txt` includes `b.txt`
/// includes `a.txt`) end.
pub fn requirement_includes(code: &Code) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for piece in logical_lines(code.text) {
        line_includes(code, &piece, &mut found);
    }
    found
}

/// Adds the files that one logical line includes (`-r`, `-c`) to `found`.
pub(crate) fn line_includes(code: &Code, piece: &Piece, found: &mut Vec<(String, u32)>) {
    for event in line_events(&piece.text) {
        if let Event::Include(r) = event
            && let Some(path) = piece.text.get(r.clone())
        {
            found.push((unquote(path).to_string(), piece.line(code, r.start)));
        }
    }
}

/// Reads one logical line (pip syntax) and reports what it declares.
pub(crate) fn read_line(code: &Code, out: &mut Output, piece: &Piece, flags: Flags) {
    for event in line_events(&piece.text) {
        match event {
            Event::Requirement(r) => {
                let text = piece.text.get(r.clone()).unwrap_or("");
                if let Some(var) = env_var_in_name(text) {
                    out.warn(
                        &code.path,
                        Some(piece.line(code, r.start)),
                        format!(
                            "requirement `{}` uses the environment variable {var}; not read",
                            text.trim()
                        ),
                    );
                    continue;
                }
                report(code, out, piece, r, flags, &Sources::new());
            }
            Event::Editable(r) => {
                let raw = piece.text.get(r.clone()).unwrap_or("");
                let target = unquote(raw);
                let offset = raw.find(target).unwrap_or(0);
                let span = piece.span(r.start + offset, r.start + offset + target.len());
                push_not_registry(
                    out,
                    code,
                    Some(Ecosystem::PyPI),
                    target,
                    classify_python_source(target),
                    span,
                    flags,
                );
            }
            Event::MissingValue(ref r) | Event::Unknown(ref r) => {
                let option = piece.text.get(r.clone()).unwrap_or("");
                let reason = if matches!(event, Event::Unknown(_)) {
                    "unknown option"
                } else {
                    "option without its value"
                };
                out.warn(
                    &code.path,
                    Some(piece.line(code, r.start)),
                    format!("{reason} `{option}`"),
                );
            }
            Event::Include(_) => {}
        }
    }
}

/// What a logical line holds; ranges are offsets in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// The requirement part (before the first option).
    Requirement(Range<usize>),
    /// The target of `-e`/`--editable`.
    Editable(Range<usize>),
    /// The path of `-r`/`-c` and their long forms.
    Include(Range<usize>),
    /// An option pip does not know.
    Unknown(Range<usize>),
    /// An option whose value is missing.
    MissingValue(Range<usize>),
}

/// Options that take a value (the next token, `--opt=value`, or `-Xvalue` when short).
const WITH_VALUE: [&str; 20] = [
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "--hash",
    "--global-option",
    "--install-option",
    "--config-settings",
    "-C",
    "--build-option",
    "-e",
    "--editable",
    "-r",
    "--requirement",
    "-c",
];

/// Options without a value.
const FLAGS: [&str; 6] = [
    "--pre",
    "--no-index",
    "--prefer-binary",
    "--require-hashes",
    "-Z",
    "--always-unzip",
];

fn line_events(line: &str) -> Vec<Event> {
    let line = &line[..comment_start(line)];
    // pip splits the requirement from its options at the first space-separated token that
    // starts with `-`.
    let mut options_at = line.len();
    let mut pos = 0;
    for token in line.split(' ') {
        if token.starts_with('-') {
            options_at = pos;
            break;
        }
        pos += token.len() + 1;
    }
    let mut events = Vec::new();
    let requirement = &line[..options_at];
    if !requirement.trim().is_empty() {
        events.push(Event::Requirement(0..options_at));
    }
    let tokens = tokens(line, options_at);
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        i += 1;
        let text = &line[token.clone()];
        if !text.starts_with('-') {
            // A stray argument after options: pip would reject the line.
            events.push(Event::Unknown(token.clone()));
            continue;
        }
        let (option, attached) = split_option(text);
        let option = if option == "--constraint" {
            "-c"
        } else {
            option
        };
        let value = if option == "-c" || WITH_VALUE.contains(&option) {
            match attached {
                Some(at) => Some(token.start + at..token.end),
                None => {
                    let next = tokens.get(i).cloned();
                    i += 1;
                    next
                }
            }
        } else if FLAGS.contains(&option) {
            continue;
        } else {
            events.push(Event::Unknown(token.clone()));
            continue;
        };
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            events.push(Event::MissingValue(token.clone()));
            continue;
        };
        match option {
            "-e" | "--editable" => events.push(Event::Editable(value)),
            "-r" | "--requirement" | "-c" => events.push(Event::Include(value)),
            _ => {}
        }
    }
    events
}

/// Splits `--opt=value` and `-Xvalue` into the option and the offset of the value.
fn split_option(token: &str) -> (&str, Option<usize>) {
    if token.starts_with("--") {
        match token.find('=') {
            Some(eq) => (&token[..eq], Some(eq + 1)),
            None => (token, None),
        }
    } else {
        match token.char_indices().nth(2) {
            Some((at, _)) => {
                let value = if token.as_bytes().get(at) == Some(&b'=') {
                    at + 1
                } else {
                    at
                };
                (&token[..at], Some(value))
            }
            None => (token, None),
        }
    }
}

/// Whitespace-separated tokens of `line[from..]`; a token that starts with a quote runs to
/// the closing quote (paths with spaces).
fn tokens(line: &str, from: usize) -> Vec<Range<usize>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let quote = matches!(bytes[i], b'"' | b'\'').then_some(bytes[i]);
        i += 1;
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            match quote {
                Some(q) if b == q => break,
                None if b.is_ascii_whitespace() => {
                    i -= 1;
                    break;
                }
                _ => {}
            }
        }
        out.push(start..i);
    }
    out
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Where a comment starts: a `#` at the start of the line or after whitespace (a `#` in a
/// URL fragment such as `#egg=name` is not a comment).
fn comment_start(line: &str) -> usize {
    let bytes = line.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
        .unwrap_or(line.len())
}

/// `${VAR}` in the name part of a requirement (pip expands `${NAME}` with NAME made of
/// upper-case letters, digits and `_`; in a URL it does not hide a package name).
fn env_var_in_name(requirement: &str) -> Option<&str> {
    let start = requirement.find("${")?;
    let end = start + requirement[start..].find('}')? + 1;
    let var = &requirement[start..end];
    let well_formed = var[2..var.len() - 1]
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let before = &requirement[..start];
    let in_url = before.contains("://") || before.contains('@') || before.contains('/');
    (well_formed && !in_url).then_some(var)
}

/// The logical lines of a requirements file: physical lines joined where one ends with a
/// backslash (a comment line ends a continuation, as in pip), mapped back to the file.
pub(crate) fn logical_lines(text: &str) -> Vec<Piece<'_>> {
    let mut lines = Vec::new();
    let mut joined = String::new();
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let is_comment = line.trim_start().starts_with('#');
        if let Some(head) = line.strip_suffix('\\').filter(|_| !is_comment) {
            segments.push((joined.len(), start));
            joined.push_str(head);
            continue;
        }
        if segments.is_empty() {
            lines.push(Piece::exact(line, start));
        } else {
            if !is_comment {
                segments.push((joined.len(), start));
                joined.push_str(line);
            }
            lines.push(Piece::segments(
                std::mem::take(&mut joined),
                std::mem::take(&mut segments),
            ));
        }
    }
    if !segments.is_empty() {
        lines.push(Piece::segments(joined, segments));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_util::{get, names, run, spanned};
    use crate::reference::{Mention, NotRegistry};

    // Modelled on pip's own documentation example and on real projects' files.
    const PIP_DOCS: &str = r#"#
####### example-requirements.txt #######
#
###### Requirements without Version Specifiers ######
pytest
pytest-cov
beautifulsoup4

###### Requirements with Version Specifiers ######
#   See https://www.python.org/dev/peps/pep-0440/#version-specifiers
docopt == 0.6.1             # Version Matching. Must be version 0.6.1
keyring >= 4.1.1            # Minimum version 4.1.1
coverage != 3.5             # Version Exclusion. Anything except version 3.5
Mopidy-Dirble ~= 1.1        # Compatible release. Same as >= 1.1, == 1.*
#
###### Refer to other requirements files ######
-r other-requirements.txt
#
#
###### A particular file ######
./downloads/numpy-1.9.2-cp34-none-win32.whl
http://wxpython.org/Phoenix/snapshot-builds/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl
#
###### Additional Requirements without Version Specifiers ######
#   Same as 1st section, just here to show that you can put things in any order.
rejected
green
#
"#;

    #[test]
    fn pip_documentation_example() {
        let out = run("requirements.txt", PIP_DOCS, find_requirements);
        assert_eq!(
            names(&out),
            [
                "pytest",
                "pytest-cov",
                "beautifulsoup4",
                "docopt",
                "keyring",
                "coverage",
                "Mopidy-Dirble",
                "!./downloads/numpy-1.9.2-cp34-none-win32.whl",
                "!http://wxpython.org/Phoenix/snapshot-builds/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl",
                "rejected",
                "green"
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let docopt = get(&out, "docopt");
        assert_eq!(docopt.version.as_deref(), Some("== 0.6.1"));
        assert_eq!((docopt.location.line, docopt.location.column), (11, 1));
        assert_eq!(spanned(PIP_DOCS, docopt), "docopt");
        let dirble = get(&out, "Mopidy-Dirble");
        assert_eq!(dirble.version.as_deref(), Some("~= 1.1"));
        assert_eq!(spanned(PIP_DOCS, dirble), "Mopidy-Dirble");
        assert!(out.found.iter().all(|f| !f.optional && !f.dev));
        let whl = get(&out, "!./downloads/numpy-1.9.2-cp34-none-win32.whl");
        assert!(matches!(
            whl.mention,
            Mention::NotRegistry {
                what: NotRegistry::LocalPath,
                ..
            }
        ));
        let code = Code::file("requirements.txt".into(), PIP_DOCS);
        assert_eq!(
            requirement_includes(&code),
            [("other-requirements.txt".to_string(), 17)]
        );
    }

    // pip-compile output: hashes on continuation lines, "via" comments.
    const PIP_COMPILE: &str = "\
#
# This file is autogenerated by pip-compile with Python 3.11
#
#    pip-compile --generate-hashes requirements.in
#
--index-url https://pypi.org/simple
--extra-index-url https://internal.example.com/simple
--trusted-host internal.example.com

asgiref==3.7.2 \\
    --hash=sha256:89b2ef2247e3b562a16eef663bc0e2e703ec6468e2fa8a5cd61cd449786d4f6e \\
    --hash=sha256:9e0ce3aa93a819ba5b45120216b23878cf6e8525eb3848653452b4192b92afed
    # via django
django==4.2.7 \\
    --hash=sha256:8e0f1c2c2786b5c0e39fe1afce24c926040fad47c8ea8ad30aaf1188df29fc41
    # via -r requirements.in
sqlparse==0.4.4 ; python_version >= \"3.8\" \\
    --hash=sha256:5430a4fe2ac7d0f6c6b9b4b5d5b8a1c1a0b2b6c1f3b0f2d4e0f5a5c5e5d5c5b5
    # via django
";

    #[test]
    fn pip_compile_output_with_hashes() {
        let out = run("requirements.txt", PIP_COMPILE, find_requirements);
        assert_eq!(names(&out), ["asgiref", "django", "sqlparse"]);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let django = get(&out, "django");
        assert_eq!(django.version.as_deref(), Some("==4.2.7"));
        assert_eq!(django.location.line, 14);
        assert_eq!(spanned(PIP_COMPILE, django), "django");
        let sqlparse = get(&out, "sqlparse");
        assert_eq!(sqlparse.version.as_deref(), Some("==0.4.4"));
        assert!(!sqlparse.optional, "a platform marker is not an extra");
        assert_eq!(spanned(PIP_COMPILE, sqlparse), "sqlparse");
    }

    #[test]
    fn options_editables_and_includes() {
        let text = "\
-r base.txt
--requirement=common.txt
-c constraints.txt
--constraint \"my constraints.txt\"
-rdev.txt
-e .
-e git+https://github.com/django/django.git@stable/4.2.x#egg=django
--editable=./libs/mylib
--pre
--no-binary :all:
-i https://pypi.org/simple
requests[socks] >= 2.31 --config-settings=x=y
mylib @ file:///srv/mylib
--frobnicate
-e
";
        let out = run("requirements-dev.txt", text, find_requirements);
        assert_eq!(
            names(&out),
            [
                "!.",
                "!git+https://github.com/django/django.git@stable/4.2.x#egg=django",
                "!./libs/mylib",
                "requests",
                "!file:///srv/mylib",
            ]
        );
        let vcs = &out.found[1];
        assert!(matches!(
            vcs.mention,
            Mention::NotRegistry {
                what: NotRegistry::Vcs,
                ..
            }
        ));
        assert_eq!(vcs.location.line, 7);
        assert_eq!(vcs.location.column, 4);
        let mylib = get(&out, "!file:///srv/mylib");
        assert_eq!(spanned(text, mylib), "mylib");
        let requests = get(&out, "requests");
        assert_eq!(requests.version.as_deref(), Some(">= 2.31"));
        let messages: Vec<_> = out
            .diagnostics
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (Some(14), "unknown option `--frobnicate`"),
                (Some(15), "option without its value `-e`")
            ]
        );
        let code = Code::file("r.txt".into(), text);
        let includes = requirement_includes(&code);
        assert_eq!(
            includes,
            [
                ("base.txt".to_string(), 1),
                ("common.txt".to_string(), 2),
                ("constraints.txt".to_string(), 3),
                ("my constraints.txt".to_string(), 4),
                ("dev.txt".to_string(), 5),
            ]
        );
    }

    #[test]
    fn continuation_lines_keep_spans() {
        let text = "numpy>=1.21 \\\n  ; python_version >= '3.8'\nfoo\\\n\\\nbar==1\n# c \\\nlast";
        let out = run("requirements.txt", text, find_requirements);
        assert_eq!(names(&out), ["numpy", "foobar", "last"]);
        let foobar = get(&out, "foobar");
        assert_eq!(foobar.location.line, 3);
        // The name runs over a line break: the span covers both parts.
        assert_eq!(spanned(text, foobar), "foo\\\n\\\nbar");
        assert_eq!(foobar.version.as_deref(), Some("==1"));
        assert_eq!(get(&out, "last").location.line, 7);
    }

    #[test]
    fn bad_lines_warn_and_the_rest_is_read() {
        let text = "requests>=\nflask\n${PKG_NAME}==1.0\ngit+https://${TOKEN}@github.com/me/private.git\n!!!\nDjango>=3.2,<4 ; extra == 'web'\n";
        let out = run("requirements.txt", text, find_requirements);
        assert_eq!(
            names(&out),
            [
                "flask",
                "!git+https://${TOKEN}@github.com/me/private.git",
                "Django"
            ]
        );
        assert!(get(&out, "Django").optional);
        let lines: Vec<_> = out.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(1), Some(3), Some(5)]);
        assert!(out.diagnostics[1].message.contains("${PKG_NAME}"));
    }

    #[test]
    fn crlf_and_tabs() {
        let text = "flask==2.0\r\n\trequests\r\n";
        let out = run("requirements.txt", text, find_requirements);
        assert_eq!(names(&out), ["flask", "requests"]);
        assert_eq!(spanned(text, &out.found[0]), "flask");
        assert_eq!(spanned(text, &out.found[1]), "requests");
        assert_eq!(out.found[0].version.as_deref(), Some("==2.0"));
    }
}
