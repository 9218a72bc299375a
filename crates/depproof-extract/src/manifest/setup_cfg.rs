//! setuptools' `setup.cfg`.
//!
//! A small tolerant INI reader with configparser's rules as setuptools uses them: keys are
//! case-insensitive, `=` or `:` separates key and value, an indented line continues the
//! value above it, whole-line comments start with `#` or `;`. A line it cannot read is a
//! warning and the rest of the file is still read.

use super::requirement::{Sources, report};
use super::{Flags, Piece};
use crate::location::Code;
use crate::reference::Output;

/// One `key = value` of an INI file; each value line with its offset in the file.
struct Entry<'t> {
    section: &'t str,
    key: String,
    lines: Vec<(usize, &'t str)>,
    line: u32,
}

fn entries<'t>(code: &Code<'t>, out: &mut Output) -> Vec<Entry<'t>> {
    let text = code.text;
    let mut entries: Vec<Entry> = Vec::new();
    let mut section = "";
    let mut in_value = false;
    let mut offset = 0;
    for (number, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if indented && in_value {
            if let Some(entry) = entries.last_mut() {
                let lead = line.len() - line.trim_start().len();
                entry.lines.push((start + lead, line.trim()));
            }
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        in_value = false;
        if let Some(rest) = trimmed.strip_prefix('[') {
            section = rest.split(']').next().unwrap_or("").trim();
            continue;
        }
        let Some(delimiter) = line.find(['=', ':']) else {
            out.warn(
                &code.path,
                Some(number as u32 + 1),
                format!("setup.cfg: cannot read line `{trimmed}`; skipped"),
            );
            continue;
        };
        let value = &line[delimiter + 1..];
        let lead = value.len() - value.trim_start().len();
        entries.push(Entry {
            section,
            key: line[..delimiter].trim().to_ascii_lowercase(),
            lines: vec![(start + delimiter + 1 + lead, value.trim())],
            line: number as u32 + 1,
        });
        in_value = true;
    }
    entries
}

/// Reports the requirements a `setup.cfg` declares: `[options] install_requires`
/// (runtime), `setup_requires` and `tests_require` (dev), `[options.extras_require]`
/// (optional).
pub fn find_setup_cfg(code: &Code, out: &mut Output) {
    for entry in entries(code, out) {
        let flags = match (entry.section, entry.key.as_str()) {
            ("options", "install_requires") => Flags::RUNTIME,
            ("options", "setup_requires" | "tests_require") => Flags::DEV,
            ("options.extras_require", _) => Flags::OPTIONAL,
            _ => continue,
        };
        requirement_list(code, out, &entry, flags);
    }
}

/// setuptools' list of requirements: one per line when the value has several lines, else
/// separated by `;` on its single line; lines starting with `#` are comments.
fn requirement_list(code: &Code, out: &mut Output, entry: &Entry, flags: Flags) {
    let (first_at, first) = entry.lines.first().copied().unwrap_or((0, ""));
    if let Some(file) = first.strip_prefix("file:") {
        out.warn(
            &code.path,
            Some(entry.line),
            format!(
                "{} reads its requirements from `{}`; read that file as a requirements file",
                entry.key,
                file.trim()
            ),
        );
        return;
    }
    let mut items: Vec<(usize, &str)> = Vec::new();
    if entry.lines.len() > 1 {
        items.extend(entry.lines.iter().copied());
    } else {
        let mut at = 0;
        for part in first.split(';') {
            let lead = part.len() - part.trim_start().len();
            items.push((first_at + at + lead, part.trim()));
            at += part.len() + 1;
        }
    }
    for (offset, item) in items {
        let item = &item[..comment_start(item)];
        let item = item.trim_end();
        if item.is_empty() {
            continue;
        }
        let piece = Piece::exact(item, offset);
        report(code, out, &piece, 0..item.len(), flags, &Sources::new());
    }
}

/// A `#` at the start or after whitespace starts a comment.
fn comment_start(item: &str) -> usize {
    let bytes = item.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
        .unwrap_or(item.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_util::{get, names, run, spanned};

    // Django 4.2's setup.cfg, trimmed, with a tests_require added.
    const DJANGO: &str = "[metadata]
name = Django
version = attr: django.__version__
url = https://www.djangoproject.com/

[options]
python_requires = >=3.8
packages = find:
include_package_data = true
zip_safe = false
install_requires =
    asgiref >= 3.6.0, < 4
    backports.zoneinfo; python_version<\"3.9\"
    # a comment inside the value
    sqlparse >= 0.3.1

    tzdata; sys_platform == 'win32'
Tests_Require = pytest; coverage>=7
setup_requires =

[options.entry_points]
console_scripts =
    django-admin = django.core.management:execute_from_command_line

[options.extras_require]
argon2 = argon2-cffi >= 19.1.0
bcrypt = bcrypt

[bdist_rpm]
doc_files = docs extras AUTHORS INSTALL LICENSE README.rst
install-script = scripts/rpm-install.sh

[flake8]
exclude = build,.git,.tox,./tests/.env
";

    #[test]
    fn django() {
        let out = run("setup.cfg", DJANGO, find_setup_cfg);
        assert_eq!(
            names(&out),
            [
                "asgiref",
                "backports.zoneinfo",
                "sqlparse",
                "tzdata",
                "pytest",
                "coverage",
                "argon2-cffi",
                "bcrypt"
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let asgiref = get(&out, "asgiref");
        assert_eq!(asgiref.version.as_deref(), Some(">= 3.6.0, < 4"));
        assert_eq!((asgiref.location.line, asgiref.location.column), (12, 5));
        assert_eq!(spanned(DJANGO, asgiref), "asgiref");
        let tzdata = get(&out, "tzdata");
        assert_eq!(tzdata.location.line, 17);
        assert!(!tzdata.optional && !tzdata.dev);
        let coverage = get(&out, "coverage");
        assert!(coverage.dev);
        assert_eq!(spanned(DJANGO, coverage), "coverage");
        assert_eq!(coverage.version.as_deref(), Some(">=7"));
        let argon = get(&out, "argon2-cffi");
        assert!(argon.optional);
        assert_eq!((argon.location.line, argon.location.column), (26, 10));
    }

    #[test]
    fn unreadable_lines_and_file_directive() {
        let text = "[options]\ninstall_requires = file: requirements.txt\nthis line has no delimiter\n[options.extras_require]\ntest =\n  pytest\n  !!bad\n";
        let out = run("setup.cfg", text, find_setup_cfg);
        assert_eq!(names(&out), ["pytest"]);
        let lines: Vec<_> = out.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(3), Some(2), Some(7)], "{:?}", out.diagnostics);
        assert!(out.diagnostics[1].message.contains("requirements.txt"));
    }
}
