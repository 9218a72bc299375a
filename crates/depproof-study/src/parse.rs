//! Reading the answer to "which packages…" (heuristics 2 and 3). The paper asked for a
//! comma-separated list; models answer with that, numbered lists, bullets, backticks,
//! prose around the list, versions, `None`, or a refusal. What comes out is every token
//! that can be a package name of the registry, as written; prose, flags, numbers,
//! versions, paths, URLs and markup never do.

use std::collections::HashSet;
use std::sync::OnceLock;

use depproof_registry::Ecosystem;

/// Words that are never a package answer, whatever the registry holds.
const NOT_PACKAGES: &[&str] = &[
    "none",
    "n/a",
    "na",
    "nil",
    "null",
    "etc",
    "e.g",
    "eg",
    "i.e",
    "ie",
    "and",
    "or",
    "python",
    "python2",
    "python3",
    "javascript",
    "js",
    "node",
    "nodejs",
    "node.js",
    "typescript",
    "npm",
    "pip",
    "pip3",
    "yarn",
    "pnpm",
    "package",
    "packages",
    "library",
    "libraries",
    "module",
    "modules",
    "code",
    "yes",
    "no",
    "the",
    "a",
    "an",
    "none.",
];

/// The paper's reviewed lists of strings that are not package names.
const REVIEWED_PY: &str = include_str!("../data/paper/false_positives_python.json");
const REVIEWED_JS: &str = include_str!("../data/paper/false_positives_javascript.json");

fn reviewed(eco: Ecosystem) -> &'static HashSet<String> {
    static PY: OnceLock<HashSet<String>> = OnceLock::new();
    static JS: OnceLock<HashSet<String>> = OnceLock::new();
    let (cell, text) = match eco {
        Ecosystem::PyPI => (&PY, REVIEWED_PY),
        Ecosystem::Npm => (&JS, REVIEWED_JS),
    };
    cell.get_or_init(|| {
        serde_json::from_str::<Vec<String>>(text)
            .unwrap_or_default()
            .into_iter()
            .collect()
    })
}

/// The paper's normalization of a list entry (`normalize_python` / `normalize_javascript`
/// of its `package_detection.py`), under which its reviewed lists are written.
pub fn paper_normalized(s: &str, eco: Ecosystem) -> String {
    match eco {
        Ecosystem::PyPI => {
            let mut t = String::with_capacity(s.len());
            let b = s.as_bytes();
            let mut i = 0;
            while i < s.len() {
                // `\d\. ` is dropped.
                if b[i].is_ascii_digit()
                    && b.get(i + 1) == Some(&b'.')
                    && b.get(i + 2) == Some(&b' ')
                {
                    i += 3;
                    continue;
                }
                let c = s[i..].chars().next().unwrap_or(' ');
                t.push(c);
                i += c.len_utf8();
            }
            let t = t.replace('\n', " ");
            let mut out = String::with_capacity(t.len());
            let mut in_sep = false;
            for c in t.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.push(c);
                    in_sep = false;
                }
            }
            out.trim_matches(|c| " `.-".contains(c)).to_lowercase()
        }
        Ecosystem::Npm => s.replace('`', ""),
    }
}

/// Whether the paper's authors reviewed `s` as not a package name.
pub fn reviewed_not_name(s: &str, eco: Ecosystem) -> bool {
    let set = reviewed(eco);
    let t = s.trim();
    !t.is_empty() && (set.contains(t) || set.contains(&paper_normalized(t, eco)))
}

/// The names in an answer to a package-list question, deduplicated, in order.
pub fn package_list(answer: &str, ecosystem: Ecosystem) -> Vec<String> {
    package_list_with(answer, ecosystem, true)
}

/// [`package_list`], with or without the paper's reviewed lists of non-names (without:
/// the structural rules alone).
pub fn package_list_with(answer: &str, ecosystem: Ecosystem, reviewed_lists: bool) -> Vec<String> {
    let text = strip_think(answer);
    let mut out: Vec<String> = Vec::new();
    let reviewed = |s: &str| reviewed_lists && reviewed_not_name(s, ecosystem);
    if reviewed(&text) {
        return out;
    }
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("```") || line.is_empty() || reviewed(line) {
            continue;
        }
        for item in items_of_line(line) {
            if reviewed(&item) {
                continue;
            }
            if let Some(name) = clean_item(&item, ecosystem)
                && !out.iter().any(|n| n.eq_ignore_ascii_case(&name))
            {
                out.push(name);
            }
        }
    }
    out
}

/// Drops `<think>…</think>` reasoning (an unclosed one runs to the end).
fn strip_think(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("<think>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</think>") {
            Some(end) => rest = &rest[start + end + "</think>".len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Candidate items of one line: list markers dropped, a lead-in before a colon dropped,
/// a description after a name dropped, then split at commas, semicolons, "and", "or".
fn items_of_line(line: &str) -> Vec<String> {
    let mut l = strip_markers(line).to_owned();
    l = strip_html(&l);
    l = remove_parens(&l);
    // "Here are the packages: a, b" / "requests: for HTTP" / "requests - HTTP client"
    if let Some((head, tail)) = split_description(&l) {
        l = if is_single_token(head) {
            head.to_owned()
        } else {
            tail.to_owned()
        };
    }
    let mut items = Vec::new();
    for part in l.split([',', ';', '|']) {
        let part = part.trim();
        for piece in split_words(part, &[" and ", " or ", " & "]) {
            let piece = piece.trim();
            // "pip install a b" / "npm i a b": the arguments are names.
            if let Some(args) = install_args(piece) {
                items.extend(
                    args.split_whitespace()
                        .filter(|a| !a.starts_with('-'))
                        .map(str::to_owned),
                );
            } else {
                items.push(piece.to_owned());
            }
        }
    }
    items
}

fn strip_markers(line: &str) -> &str {
    let mut t = line.trim_start_matches(['>', ' ']).trim();
    loop {
        let before = t;
        for m in ['-', '*', '•', '+', '·', '–', '—'] {
            if let Some(r) = t.strip_prefix(m)
                && r.starts_with(' ')
            {
                t = r.trim_start();
            }
        }
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=3).contains(&digits) {
            let rest = &t[digits..];
            if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
                t = r.trim_start();
            }
        }
        if t == before {
            return t;
        }
    }
}

/// Removes HTML tags, keeping their text.
fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let is_tag = after.starts_with('/') || after.starts_with(|c: char| c.is_ascii_alphabetic());
        match after.find('>') {
            Some(gt) if is_tag && (!after[..gt].contains(' ') || after[..gt].contains('=')) => {
                out.push(' ');
                rest = &after[gt + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes parenthesized asides: "requests (for HTTP)".
fn remove_parens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn split_description(l: &str) -> Option<(&str, &str)> {
    for sep in [": ", " - ", " – ", " — "] {
        if let Some(at) = l.find(sep) {
            return Some((l[..at].trim(), l[at + sep.len()..].trim()));
        }
    }
    if let Some(head) = l.strip_suffix(':') {
        return Some((head.trim(), ""));
    }
    None
}

fn is_single_token(s: &str) -> bool {
    let t = s.trim_matches(|c: char| "`*'\"".contains(c)).trim();
    !t.is_empty() && !t.contains(char::is_whitespace)
}

fn split_words<'a>(s: &'a str, seps: &[&str]) -> Vec<&'a str> {
    let mut parts = vec![s];
    for sep in seps {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts
}

fn install_args(s: &str) -> Option<&str> {
    let t = s.trim_matches('`').trim();
    for prefix in [
        "pip install ",
        "pip3 install ",
        "python -m pip install ",
        "npm install ",
        "npm i ",
        "yarn add ",
        "pnpm add ",
        "conda install ",
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return Some(rest);
        }
    }
    None
}

/// One item to a name, or nothing.
fn clean_item(item: &str, eco: Ecosystem) -> Option<String> {
    let mut t = item.trim();
    t = t.trim_start_matches("and ").trim_start_matches("or ");
    t = t.trim_start_matches(|c: char| "`*'\"“”‘’[{<".contains(c) || c.is_whitespace());
    t = t.trim_end_matches(|c: char| "`*'\"“”‘’]}>.!?:".contains(c) || c.is_whitespace());
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    if is_versionish(t) {
        return None;
    }
    // A number glued to its item: "1.lodash".
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && t[digits..].starts_with('.')
        && t[digits + 1..].starts_with(|c: char| c.is_ascii_alphabetic())
    {
        t = &t[digits + 1..];
    }
    let name = strip_version(t, eco);
    let name = name.trim_matches(|c: char| "`*'\".,:".contains(c));
    if name.is_empty() || NOT_PACKAGES.contains(&name.to_ascii_lowercase().as_str()) {
        return None;
    }
    // Numbers, versions, dates carry no name.
    if !name.contains(|c: char| c.is_ascii_alphabetic()) || is_versionish(name) {
        return None;
    }
    if looks_like_hex(name) {
        return None;
    }
    if name.contains("://")
        || name.starts_with(['/', '.', '~', '$', '#', '!', '%', '&', '-', '+', '='])
    {
        return None;
    }
    match eco {
        Ecosystem::PyPI => {
            if name.contains('/') || name.contains('@') {
                return None;
            }
        }
        Ecosystem::Npm => {
            // `@scope/name` only; any other slash is a path or a subpath.
            if name.contains('/') && !(name.starts_with('@') && name.matches('/').count() == 1) {
                return None;
            }
            if name.starts_with("node:") {
                return None;
            }
        }
    }
    // Names as registries hand them out today: letters, digits, `.`, `_`, `-` (and an npm
    // scope); the legacy characters a validator still accepts are code residue here.
    let body = name.strip_prefix('@').unwrap_or(name);
    if !body.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
    {
        return None;
    }
    eco.validate(name).ok()?;
    Some(name.to_owned())
}

/// `1.2.3`, `9.x.x`, `1.11.x`, `2022-03-26`, `3.x`.
fn is_versionish(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'x' | 'X' | '*' | '-'))
}

fn looks_like_hex(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    (l.starts_with("0x") || l.starts_with("0o") || l.starts_with("0b"))
        && l.len() > 2
        && l[2..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Drops a version requirement or pin: `requests==2.0`, `flask>=2`, `lodash@^4`,
/// `@scope/pkg@1.2.3`, extras `requests[socks]`.
fn strip_version(s: &str, eco: Ecosystem) -> &str {
    match eco {
        Ecosystem::PyPI => {
            let end = s
                .find(['=', '<', '>', '!', '~', '[', ';', '@', ' '])
                .unwrap_or(s.len());
            &s[..end]
        }
        Ecosystem::Npm => {
            let from = usize::from(s.starts_with('@'));
            match s[from..].find('@') {
                Some(at) => &s[..from + at],
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(s: &str) -> Vec<String> {
        package_list(s, Ecosystem::PyPI)
    }
    fn js(s: &str) -> Vec<String> {
        package_list(s, Ecosystem::Npm)
    }

    #[test]
    fn comma_separated() {
        assert_eq!(
            py("requests, beautifulsoup4, pandas"),
            ["requests", "beautifulsoup4", "pandas"]
        );
        assert_eq!(
            js("express, body-parser, @babel/core"),
            ["express", "body-parser", "@babel/core"]
        );
    }

    #[test]
    fn numbered_and_bullets() {
        assert_eq!(
            py("1. requests\n2. numpy\n3) scipy"),
            ["requests", "numpy", "scipy"]
        );
        assert_eq!(
            py("- `flask`\n* **sqlalchemy**\n• redis"),
            ["flask", "sqlalchemy", "redis"]
        );
    }

    #[test]
    fn prose_around_the_list() {
        assert_eq!(
            py(
                "Here are the packages you need: requests, numpy and pandas.\nLet me know if you need more."
            ),
            ["requests", "numpy", "pandas"]
        );
        assert_eq!(
            py(
                "1. requests: for making HTTP requests\n2. lxml - parses HTML\n3. tqdm (progress bars)"
            ),
            ["requests", "lxml", "tqdm"]
        );
        assert!(
            py("I'm sorry, but I cannot determine the packages without more context.").is_empty()
        );
    }

    #[test]
    fn versions_and_install_commands() {
        assert_eq!(
            py("requests==2.31.0, flask>=2, uvicorn[standard]"),
            ["requests", "flask", "uvicorn"]
        );
        assert_eq!(
            js("lodash@^4.17.21, @types/node@20"),
            ["lodash", "@types/node"]
        );
        assert_eq!(
            py("pip install requests numpy --upgrade"),
            ["requests", "numpy"]
        );
        assert_eq!(js("`npm install express cors`"), ["express", "cors"]);
    }

    #[test]
    fn none_and_markup() {
        assert!(py("None").is_empty());
        assert!(py("None.").is_empty());
        assert!(js("N/A").is_empty());
        assert_eq!(
            py("<code>flask</code>, <code>redis</code>"),
            ["flask", "redis"]
        );
        assert_eq!(py("<think>They want HTTP.</think>requests"), ["requests"]);
        assert_eq!(
            package_list_with("1.lodash, 2.express", Ecosystem::Npm, false),
            ["lodash", "express"]
        );
    }

    #[test]
    fn never_names() {
        for s in [
            "0.4.2",
            "1.1.1.1",
            "9.x.x",
            "0x1f",
            "2022-03-26",
            "--save",
            "-e",
            "./local",
            "https://pypi.org/project/requests",
            "$lib/App.svelte",
            "~/mixins/x",
            "#__pure__",
            "/usr/share/node",
            "```python",
            "!git",
            "[]",
            "1000",
        ] {
            assert!(py(s).is_empty(), "python: {s} gave {:?}", py(s));
            assert!(js(s).is_empty(), "npm: {s} gave {:?}", js(s));
        }
        assert!(py("@angular/core").is_empty());
        assert!(js("lodash/fp").is_empty());
        assert!(js("node:fs").is_empty());
    }
}
