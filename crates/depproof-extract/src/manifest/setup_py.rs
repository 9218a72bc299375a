//! setuptools' `setup.py`: the literal requirement lists given to `setup(...)`.
//!
//! The file is parsed (with error recovery) by ruff's Python parser. Lists may be written in
//! the call or assigned to a variable first (`REQUIRES = [...]`, `REQUIRES += [...]`,
//! `REQUIRES.append("x")`, `setup(**config)`); every value ever given to such a variable
//! counts, since a branch (`if sys.platform == "win32": REQUIRES.append(...)`) may run.
//! What is computed at run time (reading a file, a comprehension) is not executed: it is
//! a warning.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{Expr, ExprCall, Keyword, Operator, PySourceType, Stmt, StringFlags};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::Ranged;

use super::requirement::{Sources, report};
use super::{Flags, Piece};
use crate::location::Code;
use crate::reference::Output;

/// How deep variable references are followed (`a = b`, `b = c`, …).
const MAX_DEPTH: usize = 16;

/// Reports the requirements a `setup.py` gives to `setup()`: `install_requires` (runtime),
/// `extras_require` (optional), `setup_requires` and `tests_require` (dev).
pub fn find_setup_py(code: &Code, out: &mut Output) {
    if code.text.len() > MAX_SIZE {
        out.warn(
            &code.path,
            None,
            format!("setup.py is larger than {} KiB; not read", MAX_SIZE / 1024),
        );
        return;
    }
    if too_deep(code.text) {
        out.warn(
            &code.path,
            None,
            "setup.py nests brackets too deeply to be parsed; not read",
        );
        return;
    }
    // Operator chains (`a + b + …`, `not not …`, `x.y.z…`) nest the syntax tree without
    // brackets, and walking and dropping the tree recurse: a thread with a large stack
    // makes any file up to MAX_SIZE safe (measured: 256 KiB of the worst chains need
    // under 64 MiB).
    let outcome = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("depproof-setup.py".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || read(code, out))
            .map(|handle| handle.join().is_ok())
    });
    match outcome {
        Ok(true) => {}
        Ok(false) => out.warn(&code.path, None, "setup.py could not be parsed; not read"),
        Err(e) => out.warn(
            &code.path,
            None,
            format!("setup.py not read: cannot start its parser thread: {e}"),
        ),
    }
}

/// Larger files are not read (real ones are a few KiB).
const MAX_SIZE: usize = 256 * 1024;

/// Stack of the parsing thread (reserved address space; only what is used is committed).
const STACK_SIZE: usize = 128 << 20;

fn read(code: &Code, out: &mut Output) {
    let parsed = parse_unchecked_source(code.text, PySourceType::Python);
    if let Some(error) = parsed.errors().first() {
        let at = error.location.start().to_usize();
        let location = code.location(at, at);
        out.warn(
            &code.path,
            Some(location.line),
            format!(
                "invalid Python at line {}, column {}: {}; read what could be read",
                location.line, location.column, error.error
            ),
        );
    }
    let mut collector = Collector::default();
    collector.visit_body(&parsed.syntax().body);
    let mut reader = Reader {
        code,
        out,
        names: &collector.names,
        visiting: Vec::new(),
        expanded: HashSet::new(),
        expanded_dicts: HashSet::new(),
    };
    for call in &collector.setup_calls {
        for keyword in &call.arguments.keywords {
            reader.keyword(keyword);
        }
    }
}

/// Python source nested deeper than this is refused: the parser and the AST walk recurse.
const MAX_NESTING: usize = 200;

fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Assignments to plain names, and calls to `setup`.
#[derive(Default)]
struct Collector<'a> {
    names: HashMap<&'a str, Vec<&'a Expr>>,
    setup_calls: Vec<&'a ExprCall>,
}

impl<'a> Collector<'a> {
    fn assign(&mut self, target: &'a Expr, value: &'a Expr) {
        if let Expr::Name(name) = target {
            self.names.entry(name.id.as_str()).or_default().push(value);
        }
    }
}

impl<'a> Visitor<'a> for Collector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(s) => {
                for target in &s.targets {
                    self.assign(target, &s.value);
                }
            }
            Stmt::AnnAssign(s) => {
                if let Some(value) = &s.value {
                    self.assign(&s.target, value);
                }
            }
            Stmt::AugAssign(s) if s.op == Operator::Add => self.assign(&s.target, &s.value),
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            match &*call.func {
                Expr::Name(n) if n.id.as_str() == "setup" => self.setup_calls.push(call),
                Expr::Attribute(a) if a.attr.as_str() == "setup" => self.setup_calls.push(call),
                // `REQUIRES.append("x")`, `REQUIRES.extend([...])`.
                Expr::Attribute(a) if matches!(a.attr.as_str(), "append" | "extend") => {
                    if let (Expr::Name(target), [arg]) = (&*a.value, &*call.arguments.args) {
                        self.names.entry(target.id.as_str()).or_default().push(arg);
                    }
                }
                _ => {}
            }
        }
        walk_expr(self, expr);
    }
}

struct Reader<'r, 'c, 'a> {
    code: &'r Code<'c>,
    out: &'r mut Output,
    names: &'r HashMap<&'a str, Vec<&'a Expr>>,
    /// The variables being followed, innermost last (ends cycles, bounds the depth).
    visiting: Vec<&'a str>,
    /// Variables already read as requirement lists with these flags: reading one again
    /// would only repeat its items, and `b = a + a; c = b + b; …` would double each time.
    expanded: HashSet<(&'a str, Flags)>,
    /// The same for variables read as `extras_require` or `setup(**kwargs)` dicts.
    expanded_dicts: HashSet<(&'a str, &'static str)>,
}

impl<'a> Reader<'_, '_, 'a> {
    fn keyword(&mut self, keyword: &'a Keyword) {
        match keyword.arg.as_ref().map(|a| a.as_str()) {
            Some(arg) => self.argument(arg, &keyword.value),
            // `setup(**config)`.
            None => self.kwargs(&keyword.value),
        }
    }

    fn argument(&mut self, arg: &str, value: &'a Expr) {
        match arg {
            "install_requires" => self.requirements(value, Flags::RUNTIME, arg),
            "setup_requires" | "tests_require" => self.requirements(value, Flags::DEV, arg),
            "extras_require" => self.extras(value),
            _ => {}
        }
    }

    fn computed(&mut self, expr: &Expr, what: &str) {
        let at = expr.range().start().to_usize();
        let line = self.code.location(at, at).line;
        self.out.warn(
            &self.code.path,
            Some(line),
            format!("{what} is computed at run time; not read"),
        );
    }

    /// Follows a variable to what was assigned to it; `f` reads each value.
    fn variable(
        &mut self,
        name: &'a str,
        expr: &Expr,
        what: &'static str,
        f: fn(&mut Self, &'a Expr),
    ) {
        if self.visiting.contains(&name) || !self.expanded_dicts.insert((name, what)) {
            return;
        }
        let Some(values) = self.names.get(name).cloned() else {
            self.computed(expr, what);
            return;
        };
        if self.visiting.len() >= MAX_DEPTH {
            self.computed(expr, what);
            return;
        }
        self.visiting.push(name);
        for value in values {
            f(self, value);
        }
        self.visiting.pop();
    }

    /// `setup(**config)`: `config` is a dict literal or `dict(...)`.
    fn kwargs(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Dict(d) => {
                for item in &d.items {
                    match &item.key {
                        Some(Expr::StringLiteral(k)) => {
                            self.argument(k.value.to_str(), &item.value)
                        }
                        Some(_) => {}
                        None => self.kwargs(&item.value),
                    }
                }
            }
            Expr::Call(c) if is_name(&c.func, "dict") => {
                for keyword in &c.arguments.keywords {
                    self.keyword(keyword);
                }
            }
            Expr::Name(n) => {
                self.variable(n.id.as_str(), expr, "setup()'s arguments", Self::kwargs)
            }
            _ => {}
        }
    }

    fn extras(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Dict(d) => {
                for item in &d.items {
                    match item.key {
                        Some(_) => {
                            self.requirements(&item.value, Flags::OPTIONAL, "extras_require")
                        }
                        None => self.extras(&item.value),
                    }
                }
            }
            Expr::Call(c) if is_name(&c.func, "dict") => {
                for keyword in &c.arguments.keywords {
                    match keyword.arg {
                        Some(_) => {
                            self.requirements(&keyword.value, Flags::OPTIONAL, "extras_require")
                        }
                        None => self.extras(&keyword.value),
                    }
                }
            }
            Expr::Name(n) => self.variable(n.id.as_str(), expr, "extras_require", Self::extras),
            _ => self.computed(expr, "extras_require"),
        }
    }

    /// A list of requirements (or a string of them, one per line).
    fn requirements(&mut self, expr: &'a Expr, flags: Flags, what: &str) {
        match expr {
            Expr::List(l) => self.items(&l.elts, flags, what),
            Expr::Tuple(t) => self.items(&t.elts, flags, what),
            Expr::Set(s) => self.items(&s.elts, flags, what),
            Expr::BinOp(b) if b.op == Operator::Add => {
                self.requirements(&b.left, flags, what);
                self.requirements(&b.right, flags, what);
            }
            Expr::StringLiteral(_) => self.item(expr, flags, what),
            Expr::Starred(s) => self.requirements(&s.value, flags, what),
            Expr::Call(c)
                if ["list", "tuple", "sorted", "set"]
                    .iter()
                    .any(|f| is_name(&c.func, f))
                    && c.arguments.args.len() == 1 =>
            {
                if let Some(arg) = c.arguments.args.first() {
                    self.requirements(arg, flags, what);
                }
            }
            Expr::Name(n) => {
                let name = n.id.as_str();
                if self.visiting.contains(&name) || !self.expanded.insert((name, flags)) {
                    return;
                }
                let Some(values) = self.names.get(name).cloned() else {
                    self.computed(expr, what);
                    return;
                };
                if self.visiting.len() >= MAX_DEPTH {
                    self.computed(expr, what);
                    return;
                }
                self.visiting.push(name);
                for value in values {
                    self.requirements(value, flags, what);
                }
                self.visiting.pop();
            }
            _ => self.computed(expr, what),
        }
    }

    fn items(&mut self, items: &'a [Expr], flags: Flags, what: &str) {
        for item in items {
            self.item(item, flags, what);
        }
    }

    /// One item of a list: a string literal, or something that holds more of them.
    fn item(&mut self, expr: &'a Expr, flags: Flags, what: &str) {
        let Expr::StringLiteral(s) = expr else {
            self.requirements(expr, flags, what);
            return;
        };
        let value = s.value.to_str();
        let piece = match s.value.as_slice() {
            [part] => {
                let start = part.range.start().to_usize() + part.flags.opener_len().to_usize();
                let end = (part.range.end().to_usize())
                    .saturating_sub(part.flags.closer_len().to_usize());
                Piece::literal(self.code.text, start, end.max(start), value)
            }
            // Implicit concatenation: only the whole expression can be pointed at.
            _ => {
                let r = s.range;
                Piece::literal(
                    self.code.text,
                    r.start().to_usize(),
                    r.end().to_usize(),
                    value,
                )
            }
        };
        // setuptools accepts a string holding one requirement per line.
        let mut at = 0;
        for line in value.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let body_start = at;
            at += line.len();
            let trimmed = body.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            report(
                self.code,
                self.out,
                &piece,
                body_start..body_start + body.len(),
                flags,
                &Sources::new(),
            );
        }
    }
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_util::{get, names, run, spanned};

    // requests' setup.py (2.31), trimmed.
    const REQUESTS: &str = r#"#!/usr/bin/env python
import os
import sys
from codecs import open

from setuptools import setup

CURRENT_PYTHON = sys.version_info[:2]
REQUIRED_PYTHON = (3, 7)

if CURRENT_PYTHON < REQUIRED_PYTHON:
    sys.stderr.write("unsupported")
    sys.exit(1)

requires = [
    "charset_normalizer>=2,<4",
    "idna>=2.5,<4",
    "urllib3>=1.21.1,<3",
    "certifi>=2017.4.17",
]
test_requirements = [
    "pytest-httpbin==2.0.0",
    "pytest-cov",
    "pytest-mock",
    "pytest-xdist",
    "PySocks>=1.5.6, !=1.5.7",
    "pytest>=3",
]

about = {}
here = os.path.abspath(os.path.dirname(__file__))
with open(os.path.join(here, "src", "requests", "__version__.py"), "r", "utf-8") as f:
    exec(f.read(), about)

setup(
    name=about["__title__"],
    version=about["__version__"],
    packages=["requests"],
    package_dir={"": "src"},
    include_package_data=True,
    python_requires=">=3.7",
    install_requires=requires,
    license=about["__license__"],
    zip_safe=False,
    tests_require=test_requirements,
    extras_require={
        "security": [],
        "socks": ["PySocks>=1.5.6, !=1.5.7"],
        "use_chardet_on_py3": ["chardet>=3.0.2,<6"],
    },
    project_urls={
        "Documentation": "https://requests.readthedocs.io",
        "Source": "https://github.com/psf/requests",
    },
)
"#;

    #[test]
    fn requests() {
        let out = run("setup.py", REQUESTS, find_setup_py);
        assert_eq!(
            names(&out),
            [
                "charset_normalizer",
                "idna",
                "urllib3",
                "certifi",
                "pytest-httpbin",
                "pytest-cov",
                "pytest-mock",
                "pytest-xdist",
                "PySocks",
                "pytest",
                "PySocks",
                "chardet",
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let urllib3 = get(&out, "urllib3");
        assert_eq!(urllib3.version.as_deref(), Some(">=1.21.1,<3"));
        assert_eq!((urllib3.location.line, urllib3.location.column), (18, 6));
        assert_eq!(spanned(REQUESTS, urllib3), "urllib3");
        assert!(!urllib3.dev && !urllib3.optional);
        assert!(get(&out, "pytest-mock").dev);
        let chardet = get(&out, "chardet");
        assert!(chardet.optional && !chardet.dev);
        assert_eq!(spanned(REQUESTS, chardet), "chardet");
    }

    #[test]
    fn variables_appends_kwargs_and_computed_values() {
        let text = r#"import setuptools
REQS = ["numpy>=1.20"]
if sys.platform == "win32":
    REQS.append("pywin32")
REQS += ['scipy']
extras = dict(plot=["matplotlib"], **{"all": ["seaborn"]})
config = {"install_requires": REQS, "extras_require": extras}
setuptools.setup(
    name="pkg",
    setup_requires=open("build-reqs.txt").read().splitlines(),
    tests_require=["pytest"] + [r for r in DEV],
    **config,
)
"#;
        let out = run("setup.py", text, find_setup_py);
        assert_eq!(
            names(&out),
            [
                "pytest",
                "numpy",
                "pywin32",
                "scipy",
                "matplotlib",
                "seaborn"
            ]
        );
        assert!(get(&out, "pytest").dev);
        assert!(get(&out, "seaborn").optional);
        assert_eq!(get(&out, "pywin32").location.line, 4);
        let messages: Vec<_> = out
            .diagnostics
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (Some(10), "setup_requires is computed at run time; not read"),
                (Some(11), "tests_require is computed at run time; not read"),
            ]
        );
    }

    #[test]
    fn strings_escapes_and_broken_code() {
        let text = "from distutils.core import setup\nsetup(install_requires=\"\"\"\n  six\n  attrs>=20\n\"\"\", extras_require={'x': ['a\\x62c', 'd' 'e>=1']}, tests_require=[\n    'mock',\n    def\n";
        let out = run("setup.py", text, find_setup_py);
        assert_eq!(names(&out), ["six", "attrs", "abc", "de", "mock"]);
        assert_eq!(spanned(text, get(&out, "six")), "six");
        assert_eq!(spanned(text, get(&out, "attrs")), "attrs");
        // Escaped or concatenated: the span covers the whole literal.
        assert_eq!(spanned(text, get(&out, "abc")), "a\\x62c");
        assert_eq!(spanned(text, get(&out, "de")), "'d' 'e>=1'");
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.message.starts_with("invalid Python at line")),
            "{:?}",
            out.diagnostics
        );
    }

    #[test]
    fn doubling_variables_and_long_chains_stay_cheap() {
        let mut text = String::from("x0 = ['a', 'b', 'c']\n");
        for i in 1..15 {
            text.push_str(&format!("x{i} = x{} + x{}\n", i - 1, i - 1));
        }
        text.push_str("setup(install_requires=x14, tests_require=x14)\n");
        let out = run("setup.py", &text, find_setup_py);
        assert_eq!(names(&out), ["a", "b", "c", "a", "b", "c"]);
        let mut dicts = String::from("d0 = {'x': ['a']}\n");
        for i in 1..15 {
            dicts.push_str(&format!("d{i} = {{**d{}, **d{}}}\n", i - 1, i - 1));
        }
        dicts.push_str("setup(extras_require=d14)\n");
        assert_eq!(names(&run("setup.py", &dicts, find_setup_py)), ["a"]);
        assert!(out.found[3].dev);
        // 20,000 chained `+` overflow a test thread's 2 MiB stack when walked in place.
        let chain = format!("setup(install_requires={}['b'])\n", "['a']+".repeat(20_000));
        let out = run("setup.py", &chain, find_setup_py);
        assert_eq!(out.found.len(), 20_001);
        let huge = "#".repeat(MAX_SIZE + 1);
        let out = run("setup.py", &huge, find_setup_py);
        assert!(out.diagnostics[0].message.contains("larger than"));
    }

    #[test]
    fn self_reference_and_deep_nesting_end() {
        let text = "a = a + ['x']\nsetup(install_requires=a)\n";
        let out = run("setup.py", text, find_setup_py);
        assert_eq!(names(&out), ["x"]);
        let deep = format!(
            "setup(install_requires={}{})",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let out = run("setup.py", &deep, find_setup_py);
        assert!(out.found.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
    }
}
