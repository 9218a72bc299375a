//! conda's `environment.yml`.
//!
//! Parsed with `serde-saphyr` into a small tree whose every node keeps its byte span
//! (`serde_saphyr::Spanned`), so names are located exactly. Only the `pip:` list under
//! `dependencies` installs from PyPI; its items are pip requirement lines (`-r file`, `-e`
//! and options included). Conda packages are reported as
//! [`NotRegistry::OtherRegistry`]`("conda")` so that they are seen but never checked
//! against PyPI: conda channels are another registry.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::requirements::{line_includes, read_line};
use super::{Flags, Piece, push_not_registry};
use crate::location::Code;
use crate::reference::{NotRegistry, Output};

/// A YAML node; scalars other than strings are of no interest.
#[derive(Debug)]
enum Node {
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<Node>, Spanned<Node>)>),
    Other,
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<Spanned<Node>, Spanned<Node>>()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Spanned<Node>> {
    match node {
        Node::Map(entries) => entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Node::Str(s) if s == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// A string scalar as a [`Piece`]: exact when its source is the plain or simply quoted
/// text, else the whole scalar.
fn scalar_piece<'n>(code: &Code, node: &'n Spanned<Node>) -> Option<Piece<'n>> {
    let Node::Str(value) = &node.value else {
        return None;
    };
    let span = node.referenced.span();
    let start = span.byte_offset()? as usize;
    let end = start + span.byte_len()? as usize;
    let raw = code.text.get(start..end)?;
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    let (start, end) = if quoted && raw.get(1..raw.len() - 1) == Some(value.as_str()) {
        (start + 1, end - 1)
    } else {
        (start, end)
    };
    Some(Piece::literal(code.text, start, end, value))
}

/// The `dependencies` list and, in it, the `pip:` list of a parsed environment file.
fn lists(root: &Node) -> (Vec<&Spanned<Node>>, Vec<&Spanned<Node>>) {
    let mut conda = Vec::new();
    let mut pip = Vec::new();
    if let Some(Node::Seq(items)) = get(root, "dependencies").map(|d| &d.value) {
        for item in items {
            match &item.value {
                Node::Str(_) => conda.push(item),
                Node::Map(_) => {
                    if let Some(Node::Seq(p)) = get(&item.value, "pip").map(|p| &p.value) {
                        pip.extend(p.iter());
                    }
                }
                _ => {}
            }
        }
    }
    (conda, pip)
}

fn parse(code: &Code) -> Result<Spanned<Node>, String> {
    serde_saphyr::from_str::<Spanned<Node>>(code.text).map_err(|e| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("").trim().to_string();
        match e.location() {
            Some(l) => format!(
                "invalid YAML at line {}, column {}: {first}",
                l.line(),
                l.column()
            ),
            None => format!("invalid YAML: {first}"),
        }
    })
}

fn error_line(code: &Code, message: &str) -> Option<u32> {
    let rest = message.strip_prefix("invalid YAML at line ")?;
    let line: u32 = rest.split(',').next()?.parse().ok()?;
    Some(line + code.first_line)
}

/// Reports what a conda environment file declares: each conda package as a non-registry
/// mention of the `conda` registry, each item of the `pip:` list as a pip requirement line.
///
/// A file that is not valid YAML gets a warning with the place of the error, and its
/// `pip:` list is still read line by line.
pub fn find_conda_environment(code: &Code, out: &mut Output) {
    let root = match parse(code) {
        Ok(root) => root,
        Err(message) => {
            out.warn(
                &code.path,
                error_line(code, &message),
                format!("{message}; only the pip list is read"),
            );
            for piece in fallback_pip_items(code.text) {
                read_line(code, out, &piece, Flags::RUNTIME);
            }
            return;
        }
    };
    let (conda, pip) = lists(&root.value);
    for item in conda {
        let Some(piece) = scalar_piece(code, item) else {
            continue;
        };
        let spec = piece.text.trim();
        if spec.is_empty() {
            continue;
        }
        let (s, e) = conda_name(&piece.text);
        push_not_registry(
            out,
            code,
            None,
            spec,
            NotRegistry::OtherRegistry("conda".into()),
            piece.span(s, e),
            Flags::RUNTIME,
        );
    }
    for item in pip {
        match scalar_piece(code, item) {
            Some(piece) => read_line(code, out, &piece, Flags::RUNTIME),
            None => {
                let line = item.referenced.line();
                out.warn(
                    &code.path,
                    u32::try_from(line).ok().map(|l| l + code.first_line),
                    "an item of the pip list is not a string; not read",
                );
            }
        }
    }
}

/// The files the `pip:` list includes (`-r requirements.txt`), as written, with their
/// 1-based lines; the walker reads them as requirements files relative to this file.
pub fn environment_includes(code: &Code) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    match parse(code) {
        Ok(root) => {
            let (_, pip) = lists(&root.value);
            for item in pip {
                if let Some(piece) = scalar_piece(code, item) {
                    line_includes(code, &piece, &mut found);
                }
            }
        }
        Err(_) => {
            for piece in fallback_pip_items(code.text) {
                line_includes(code, &piece, &mut found);
            }
        }
    }
    found
}

/// The name in a conda match spec (`conda-forge::numpy>=1.21`, `python=3.11`,
/// `pytorch 2.1.* *cuda*`): after the channel, up to the version.
fn conda_name(spec: &str) -> (usize, usize) {
    let lead = spec.len() - spec.trim_start().len();
    let start = spec.rfind("::").map_or(lead, |i| i + 2);
    let end = spec[start..]
        .find([' ', '\t', '=', '<', '>', '!', '~', '[', '#'])
        .map_or(spec.len(), |i| start + i);
    (start, end.max(start))
}

/// When the YAML cannot be parsed: the items of a `- pip:` block found by indentation.
fn fallback_pip_items(text: &str) -> Vec<Piece<'_>> {
    let mut items = Vec::new();
    let mut pip_indent: Option<usize> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(pi) = pip_indent {
            if indent <= pi {
                pip_indent = None;
            } else if let Some(item) = trimmed.strip_prefix('-') {
                let body = item.trim_start();
                let end = comment_start(body);
                let body = body[..end].trim_end();
                let body_start =
                    start + (line.len() - item.len()) + (item.len() - item.trim_start().len());
                let (body, body_start) = unquote(body, body_start);
                if !body.is_empty() {
                    items.push(Piece::exact(body, body_start));
                }
                continue;
            }
        }
        let item = trimmed.strip_prefix('-').map(str::trim);
        if let Some(item) = item {
            let head = item[..comment_start(item)].trim_end();
            if head == "pip:" || head.strip_prefix("pip").is_some_and(|r| r.trim() == ":") {
                pip_indent = Some(indent);
            }
        }
    }
    items
}

fn comment_start(s: &str) -> usize {
    let b = s.as_bytes();
    (0..b.len())
        .find(|&i| b[i] == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()))
        .unwrap_or(s.len())
}

fn unquote(s: &str, start: usize) -> (&str, usize) {
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return (&s[1..s.len() - 1], start + 1);
        }
    }
    (s, start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_util::{get, names, run, spanned};
    use crate::reference::Mention;

    // Modelled on pandas' and scikit-learn's development environments.
    const ENV: &str = r#"# To use:
#   $ conda env create -f environment.yml
name: pandas-dev
channels:
  - conda-forge
dependencies:
  - python=3.10
  - pip

  # required dependencies
  - numpy>=1.23.5,<2
  - conda-forge::pytz
  - "cython~=3.0.5"
  - pytorch 2.1.* *cuda*

  - pip:
      - -r requirements-extra.txt
      - "tzdata>=2022.7"
      - git+https://github.com/pandas-dev/pandas-sphinx-theme.git@main
      - typing_extensions; python_version < "3.11"   # backport
      - -e .
"#;

    #[test]
    fn pandas_like_environment() {
        let out = run("environment.yml", ENV, find_conda_environment);
        assert_eq!(
            names(&out),
            [
                "!python=3.10",
                "!pip",
                "!numpy>=1.23.5,<2",
                "!conda-forge::pytz",
                "!cython~=3.0.5",
                "!pytorch 2.1.* *cuda*",
                "tzdata",
                "!git+https://github.com/pandas-dev/pandas-sphinx-theme.git@main",
                "typing_extensions",
                "!.",
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let numpy = get(&out, "!numpy>=1.23.5,<2");
        assert!(matches!(
            &numpy.mention,
            Mention::NotRegistry { what: NotRegistry::OtherRegistry(r), ecosystem: None, .. } if r == "conda"
        ));
        assert_eq!(spanned(ENV, numpy), "numpy");
        assert_eq!(spanned(ENV, get(&out, "!conda-forge::pytz")), "pytz");
        assert_eq!(spanned(ENV, get(&out, "!cython~=3.0.5")), "cython");
        assert_eq!(spanned(ENV, get(&out, "!pytorch 2.1.* *cuda*")), "pytorch");
        let tzdata = get(&out, "tzdata");
        assert_eq!(tzdata.version.as_deref(), Some(">=2022.7"));
        assert_eq!((tzdata.location.line, tzdata.location.column), (18, 10));
        assert_eq!(spanned(ENV, tzdata), "tzdata");
        let te = get(&out, "typing_extensions");
        assert_eq!(spanned(ENV, te), "typing_extensions");
        assert!(!te.optional);
        let code = Code::file("environment.yml".into(), ENV);
        assert_eq!(
            environment_includes(&code),
            [("requirements-extra.txt".to_string(), 17)]
        );
    }

    #[test]
    fn broken_yaml_still_reads_the_pip_list() {
        let text = "name: x\ndependencies:\n  - numpy\n  - [unclosed\n  - pip:\n    - requests==2.31  # pinned\n    - 'flask'\n    - -r extra.txt\n  - scipy\n";
        let out = run("environment.yml", text, find_conda_environment);
        assert_eq!(names(&out), ["requests", "flask"]);
        assert_eq!(spanned(text, get(&out, "flask")), "flask");
        assert_eq!(out.diagnostics.len(), 1);
        let d = &out.diagnostics[0];
        assert!(d.message.starts_with("invalid YAML at line"), "{d:?}");
        assert!(d.line.is_some());
        let code = Code::file("environment.yml".into(), text);
        assert_eq!(environment_includes(&code), [("extra.txt".to_string(), 8)]);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text =
            String::from("a: &a [\"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\"]\n");
        let mut prev = 'a';
        for c in 'b'..='i' {
            text.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = c;
        }
        text.push_str("dependencies:\n  - pip: *i\n");
        let start = std::time::Instant::now();
        let out = run("environment.yml", &text, find_conda_environment);
        assert!(start.elapsed().as_secs() < 5);
        assert!(out.found.len() < 100_000, "{}", out.found.len());
    }

    #[test]
    fn odd_shapes() {
        for text in [
            "",
            "dependencies: 3\n",
            "- a\n- b\n",
            "dependencies:\n  - pip: nope\n  - 3.9\n  - {a: b}\n",
        ] {
            let out = run("environment.yml", text, find_conda_environment);
            assert!(out.found.is_empty(), "{text}: {:?}", out.found);
        }
        let out = run(
            "environment.yml",
            "dependencies:\n  - pip:\n    - 42\n",
            find_conda_environment,
        );
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(3));
    }
}
