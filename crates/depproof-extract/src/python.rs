//! Python imports: every absolute module a `.py` or `.pyi` file imports.
//!
//! The file is parsed once with ruff's parser and its syntax tree walked once. The parser
//! recovers from syntax errors and returns a partial tree, so a file that is not valid
//! Python 3 (Python 2 code, a truncated answer from a model, an exported notebook) still
//! yields the imports the tree has; the lines the tree did not cover are then read by a
//! line scanner, and the file gets one warning.
//!
//! A file with syntax errors and IPython lines (`%magic`, `!shell`, `obj?`: a `.py` exported
//! from a notebook) is parsed a second time with those lines blanked out, and the better
//! reading kept. The parser's own IPython mode is not used: ruff_python_parser 0.0.10 hits an
//! `unreachable!` in it on inputs as small as `[)\n?`.
//!
//! Deep input cannot overflow the stack: the parser grows its stack as it recurses, the
//! walk does too, and a deep tree is taken apart without recursion. A file whose brackets
//! nest deeper than Python allows is not parsed at all (the parser reads such input at under
//! 1 MB/s) but read line by line, with a warning.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use ruff_python_ast::visitor::transformer::{self, Transformer};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, AtomicNodeIndex, ExceptHandler, Expr, Mod, Number, Pattern, Stmt, StringFlags,
};
use ruff_python_parser::{LexicalErrorType, Mode, ParseErrorType, ParseOptions, parse_unchecked};
use ruff_text_size::{Ranged, TextRange};

use crate::{Code, Found, Kind, Mention, Output};

/// Syntax-tree depth up to which the walk runs on the caller's stack without checks; real
/// code stays far below it (CPython refuses more than 200 nested brackets and 100 levels of
/// indentation), so the common path pays nothing for the deep-input guard.
const UNCHECKED_DEPTH: usize = 48;
/// Stack kept free before going one level deeper: more than any single walk frame needs.
const RED_ZONE: usize = 64 * 1024;
/// Size of each extra stack segment the walk allocates on deep input.
const STACK_SEGMENT: usize = 1024 * 1024;
/// Open brackets past which a file is not parsed. CPython's tokenizer refuses more than 200
/// ("too many nested parentheses"); brackets in strings and comments count too here, hence
/// the margin. Deeper input is adversarial or generated, and ruff's parser, safe on it
/// thanks to its stack growth, reads it at under 1 MB/s.
const MAX_BRACKET_DEPTH: u32 = 1_000;
/// Depth past which a syntax tree is taken apart by hand instead of by its recursive drop
/// glue, which would need stack in proportion to the depth.
const DROP_DEPTH: usize = 32;

/// Reports every absolute import in the Python source `code` (`.py`, `.pyi`, or a notebook
/// cell) into `out` as [`Mention::PythonImport`] of [`Kind::Import`].
///
/// Found: `import a.b.c` (module `a.b.c`), `import a as b`, `import a, b`, `from a.b import
/// c` (module `a.b`: which of `a.b` or `a.b.c` is a module is the resolver's call),
/// `__import__("x")`, `importlib.import_module("x")` and `import_module("x")` after `from
/// importlib import import_module`, with a string-literal name (the span covers the string's
/// contents). Imports anywhere count: in functions, classes, nested blocks. Relative
/// imports (`from . import x`, `import_module(".x", ...)`, `__import__(name, ..., level=1)`)
/// are the project's own and are not reported.
///
/// `optional` is set for imports that the program survives without: in a `try` body whose
/// handlers catch `ImportError`, `ModuleNotFoundError`, `Exception` or everything; in a
/// `with contextlib.suppress(ImportError)` body; under `if TYPE_CHECKING:` (which never
/// runs) or `if False:`. Version switches such as `if sys.version_info >= (3, 11):` are not
/// optional.
///
/// Never fails: a file with syntax errors gets one warning and the imports that error
/// recovery found.
pub fn find(code: &Code, out: &mut Output) {
    let text = code.text;
    if u32::try_from(text.len()).is_err() {
        out.warn(
            &code.path,
            None,
            "file too large to parse (over 4 GiB); its imports were not read",
        );
        return;
    }
    if let Some(at) = too_deep_at(text.as_bytes()) {
        let line = code.location(at, at).line;
        out.warn(
            &code.path,
            Some(line),
            format!(
                "brackets nested more than {MAX_BRACKET_DEPTH} deep, which Python refuses; \
                 imports read line by line"
            ),
        );
        scan_lines_outside_strings(code, &mut out.found);
        return;
    }
    let mut parsed = parse_unchecked(text, ParseOptions::from(Mode::Module));
    if parsed.has_invalid_syntax()
        && let Cow::Owned(blanked) = blank_ipython_magics(text)
    {
        let reparsed = parse_unchecked(&blanked, ParseOptions::from(Mode::Module));
        if reparsed.errors().len() < parsed.errors().len() {
            drop_deep(std::mem::replace(&mut parsed, reparsed).into_syntax());
        } else {
            drop_deep(reparsed.into_syntax());
        }
    }
    let errors = parsed.errors();
    let mut walker = Walker::new(code, !errors.is_empty());
    if let Some(module) = parsed.syntax().as_module() {
        // The first levels of the walk run unchecked: make sure they have room.
        stacker::maybe_grow(4 * RED_ZONE, STACK_SEGMENT, || {
            walker.visit_body(&module.body);
        });
    }
    let Walker {
        mut found,
        covered,
        max_depth,
        ..
    } = walker;
    if let Some(first) = errors.iter().min_by_key(|e| e.location.start()) {
        let line = code
            .location(
                first.location.start().to_usize(),
                first.location.end().to_usize(),
            )
            .line;
        let more = match errors.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more syntax error)".to_owned(),
            n => format!(" (and {n} more syntax errors)"),
        };
        out.warn(
            &code.path,
            Some(line),
            format!(
                "could not fully parse: {}{more}; imports found by error recovery",
                first.error
            ),
        );
        // An unclosed string swallows the rest of the file into one literal; the code in
        // it is more likely meant as code than as text.
        let swallowed: Vec<TextRange> = errors
            .iter()
            .filter(|e| {
                matches!(
                    e.error,
                    ParseErrorType::Lexical(LexicalErrorType::UnclosedStringError)
                )
            })
            .map(|e| e.location)
            .collect();
        scan_uncovered_lines(code, covered.unwrap_or_default(), swallowed, &mut found);
    }
    found.sort_by_key(|f| f.location.start);
    found.dedup_by(|a, b| a.location.start == b.location.start && a.mention == b.mention);
    out.found.append(&mut found);
    if max_depth > DROP_DEPTH {
        drop_deep(parsed.into_syntax());
    }
}

/// Where the brackets of `bytes` first nest deeper than [`MAX_BRACKET_DEPTH`], counting
/// every bracket byte (also in strings and comments), without tokenizing. Runs on every
/// file, so it counts brackets a block at a time (which the compiler vectorizes) and only
/// looks at single bytes in a block that might cross the limit; a dip inside a block is
/// not seen, so the depth it finds can be up to a block's length too low.
fn too_deep_at(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    // `[` and `{` differ from each other only in bit 0x20, as do `]` and `}`.
    let is_open = |b: u8| b == b'(' || b | 0x20 == b'{';
    let is_close = |b: u8| b == b')' || b | 0x20 == b'}';
    let limit = i64::from(MAX_BRACKET_DEPTH);
    // Opens minus closes so far, and its lowest value at a block boundary: their difference
    // is the depth, as closing brackets never take it below zero.
    let (mut sum, mut floor) = (0i64, 0i64);
    for (n, block) in bytes.chunks(BLOCK).enumerate() {
        // Byte-wide sums (a block has under 256 bytes) vectorize best.
        let count = |f: &dyn Fn(u8) -> bool| {
            block
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from(f(b))))
        };
        let (opens, closes) = (i64::from(count(&is_open)), i64::from(count(&is_close)));
        if sum - floor + opens > limit {
            let mut depth = sum - floor;
            for (i, &b) in block.iter().enumerate() {
                if is_open(b) {
                    depth += 1;
                    if depth > limit {
                        return Some(n * BLOCK + i);
                    }
                } else if is_close(b) {
                    depth = (depth - 1).max(0);
                }
            }
        }
        sum += opens - closes;
        floor = floor.min(sum);
    }
    None
}

/// Returns `text` with its IPython-only lines blanked out: line magics and cell-magic
/// headers (`%matplotlib inline`, `%%time`), shell escapes (`!pip install x`), magic output
/// assignments (`files = !ls`), and help lines (`?obj`, `obj?`, `obj??`), each byte replaced
/// by a space so that byte offsets and line numbers stay the same. Only lines that begin a
/// logical line count, so `% b` that continues an expression inside brackets stays. A magic
/// ending in `\` continues on the next line, which is blanked too. Line breaks (`\n`, `\r`)
/// are kept. Borrows when there is nothing to blank.
///
/// The body of a non-Python cell magic (`%%bash`, `%%writefile`) is left alone: telling it
/// apart is the notebook reader's job.
pub fn blank_ipython_magics(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut blanked: Option<String> = None;
    // Bytes of `text` already copied into `blanked`.
    let mut copied = 0;
    let mut state = LineState::default();
    let mut magic_continues = false;
    let mut start = 0;
    while start < bytes.len() {
        let (end, next) = line_end(bytes, start);
        let content = bytes.get(start..end).unwrap_or(&[]);
        let blank = if magic_continues {
            true
        } else if state.at_logical_line_start() {
            is_ipython_line(content)
        } else {
            false
        };
        if blank {
            magic_continues = content.ends_with(b"\\");
            let out = blanked.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(text.get(copied..start).unwrap_or(""));
            out.extend(std::iter::repeat_n(' ', content.len()));
            copied = start + content.len();
        } else {
            state.scan_line(content);
        }
        start = next;
    }
    match blanked {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(text.get(copied..).unwrap_or(""));
            Cow::Owned(out)
        }
    }
}

/// Whether a line at the start of a logical line is IPython syntax rather than Python.
fn is_ipython_line(line: &[u8]) -> bool {
    let trimmed = trim_ascii_indent(line);
    match trimmed.first() {
        Some(b'%' | b'!' | b'?') => true,
        Some(b'#') | None => false,
        Some(_) if is_magic_assignment(trimmed) => true,
        Some(_) => {
            // `obj?` / `obj.attr??`: a dotted name followed by one or two question marks.
            let body = trimmed.trim_ascii_end();
            let Some(name) = body.strip_suffix(b"?") else {
                return false;
            };
            let name = name.strip_suffix(b"?").unwrap_or(name);
            !name.is_empty()
                && name.iter().all(|&b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'*') || b >= 0x80
                })
        }
    }
}

/// `files = !ls`, `a, b = %sx cmd`: a magic's output assigned to names.
fn is_magic_assignment(line: &[u8]) -> bool {
    let Some(eq) = line.iter().position(|&b| b == b'=') else {
        return false;
    };
    let (targets, value) = line.split_at(eq);
    let value = trim_ascii_indent(value.get(1..).unwrap_or(&[]));
    !targets.trim_ascii().is_empty()
        && targets
            .iter()
            .all(|&b| is_identifier_byte(b) || matches!(b, b'.' | b',' | b' ' | b'\t'))
        && matches!(value.first(), Some(b'%' | b'!'))
        && value.get(1) != Some(&b'=')
}

fn trim_ascii_indent(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
        .count();
    line.get(n..).unwrap_or(&[])
}

/// End of the line starting at `start` and start of the next one. Like Python, a lone `\r`
/// ends a line too, as do `\n` and `\r\n`.
fn line_end(bytes: &[u8], start: usize) -> (usize, usize) {
    let Some(end) = bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
        .map(|p| start + p)
    else {
        return (bytes.len(), bytes.len());
    };
    let crlf = bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n');
    (end, end + if crlf { 2 } else { 1 })
}

/// Just enough of Python's tokenizer to know whether a line starts a logical line: open
/// brackets, open strings and backslash continuations carry over from one line to the next.
#[derive(Default)]
struct LineState {
    depth: u32,
    /// The quote byte and whether the string is triple-quoted.
    string: Option<(u8, bool)>,
    continued: bool,
}

impl LineState {
    fn at_logical_line_start(&self) -> bool {
        self.depth == 0 && self.string.is_none() && !self.continued
    }

    fn scan_line(&mut self, line: &[u8]) {
        self.continued = false;
        let mut i = 0;
        while let Some(&b) = line.get(i) {
            if let Some((quote, triple)) = self.string {
                if b == b'\\' {
                    if i + 1 == line.len() {
                        // An escaped newline continues even a single-quoted string.
                        return;
                    }
                    i += 2;
                    continue;
                }
                if b == quote {
                    if !triple {
                        self.string = None;
                    } else if line.get(i + 1) == Some(&quote) && line.get(i + 2) == Some(&quote) {
                        self.string = None;
                        i += 2;
                    }
                }
                i += 1;
                continue;
            }
            match b {
                b'#' => break,
                b'\'' | b'"' => {
                    let triple = line.get(i + 1) == Some(&b) && line.get(i + 2) == Some(&b);
                    self.string = Some((b, triple));
                    if triple {
                        i += 2;
                    }
                }
                b'(' | b'[' | b'{' => self.depth = self.depth.saturating_add(1),
                b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                b'\\' if i + 1 == line.len() => self.continued = true,
                _ => {}
            }
            i += 1;
        }
        if matches!(self.string, Some((_, false))) {
            // An unterminated single-quoted string ends at the end of its line.
            self.string = None;
        }
    }
}

/// Walks the syntax tree once, collecting imports and the guards around them.
struct Walker<'c, 'a> {
    /// The code being read: its text and where it sits in its file.
    code: &'c Code<'a>,
    found: Vec<Found>,
    /// Inside a `try` body whose handlers catch a failed import, or a `with suppress(...)`.
    in_import_guard: bool,
    /// Under `if TYPE_CHECKING:` or `if False:`: never runs.
    type_checking_only: bool,
    /// Names bound to the `importlib` module (`import importlib as il`).
    importlib_names: Vec<String>,
    /// Names bound to `importlib.import_module`.
    import_module_names: Vec<String>,
    depth: usize,
    max_depth: usize,
    /// Ranges of the simple statements the tree has, for the fallback line scanner; only
    /// collected when the file has syntax errors.
    covered: Option<Vec<TextRange>>,
}

impl<'c, 'a> Walker<'c, 'a> {
    fn new(code: &'c Code<'a>, collect_covered: bool) -> Self {
        Walker {
            code,
            found: Vec::new(),
            in_import_guard: false,
            type_checking_only: false,
            importlib_names: vec!["importlib".to_owned()],
            import_module_names: Vec::new(),
            depth: 0,
            max_depth: 0,
            covered: collect_covered.then(Vec::new),
        }
    }

    /// Runs `f` one level deeper in the tree, on a fresh stack segment when the input nests
    /// deeper than real code does.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
        if self.depth > UNCHECKED_DEPTH {
            stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || f(self));
        } else {
            f(self);
        }
        self.depth -= 1;
    }

    fn report(&mut self, module: &str, range: TextRange) {
        let optional = self.in_import_guard || self.type_checking_only;
        if let Some(found) = import_found(
            self.code,
            module,
            range.start().to_usize(),
            range.end().to_usize(),
            optional,
        ) {
            self.found.push(found);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        if let Some(covered) = &mut self.covered
            && !is_compound(stmt)
        {
            covered.push(stmt.range());
        }
        match stmt {
            Stmt::Import(ast::StmtImport { names, .. }) => {
                for alias in names {
                    self.report(alias.name.as_str(), alias.name.range);
                    if alias.name.as_str() == "importlib"
                        && let Some(asname) = &alias.asname
                    {
                        bind(&mut self.importlib_names, asname.as_str());
                    }
                }
            }
            Stmt::ImportFrom(ast::StmtImportFrom {
                module: Some(module),
                names,
                level: 0,
                ..
            }) => {
                // Error recovery turns prose such as `from the start` into an import of
                // `the`; a real one has its `import` keyword.
                let has_import = self
                    .code
                    .text
                    .get(module.range.end().to_usize()..)
                    .is_some_and(|rest| skip_line_space(rest).starts_with("import"));
                if has_import {
                    // In a namespace shared by several distributions (`from google.cloud
                    // import storage`), the imported name says which one.
                    let names: Vec<&str> = names
                        .iter()
                        .map(|a| a.name.as_str())
                        .filter(|n| *n != "*")
                        .collect();
                    if !names.is_empty()
                        && crate::resolve::python::expects_imported_name(module.as_str())
                    {
                        for name in names {
                            self.report(&format!("{}.{name}", module.as_str()), module.range);
                        }
                    } else {
                        self.report(module.as_str(), module.range);
                    }
                }
                if module.as_str() == "importlib" {
                    for alias in names.iter().filter(|a| a.name.as_str() == "import_module") {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        bind(&mut self.import_module_names, bound.as_str());
                    }
                }
            }
            Stmt::Try(ast::StmtTry {
                body,
                handlers,
                orelse,
                finalbody,
                ..
            }) => {
                let outer = self.in_import_guard;
                self.in_import_guard |= handlers.iter().any(catches_import_error);
                self.visit_body(body);
                self.in_import_guard = outer;
                for handler in handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(orelse);
                self.visit_body(finalbody);
            }
            Stmt::If(ast::StmtIf {
                test,
                body,
                elif_else_clauses,
                ..
            }) => {
                self.visit_expr(test);
                let outer = self.type_checking_only;
                let test = type_checking_test(test);
                self.type_checking_only = outer || test == TypeCheckingTest::OnlyThen;
                self.visit_body(body);
                // After `if not TYPE_CHECKING:`, the other branches run only when type checking.
                let rest = outer || test == TypeCheckingTest::OnlyElse;
                for clause in elif_else_clauses {
                    self.type_checking_only = rest;
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                        self.type_checking_only |=
                            type_checking_test(test) == TypeCheckingTest::OnlyThen;
                    }
                    self.visit_body(&clause.body);
                }
                self.type_checking_only = outer;
            }
            Stmt::With(ast::StmtWith { items, body, .. }) => {
                for item in items {
                    self.visit_with_item(item);
                }
                let outer = self.in_import_guard;
                self.in_import_guard |= items
                    .iter()
                    .any(|item| suppresses_import_error(&item.context_expr));
                self.visit_body(body);
                self.in_import_guard = outer;
            }
            Stmt::FunctionDef(_) => {
                // A function body runs when called, outside the `try` around its definition;
                // `if TYPE_CHECKING:` still holds, since then the function never exists.
                let outer = self.in_import_guard;
                self.in_import_guard = false;
                visitor::walk_stmt(self, stmt);
                self.in_import_guard = outer;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    /// `__import__("x")`, `importlib.import_module("x")`, `import_module("x")`.
    fn call(&mut self, call: &ast::ExprCall) {
        let dunder = match &*call.func {
            Expr::Name(name) if name.id.as_str() == "__import__" => true,
            Expr::Name(name)
                if self
                    .import_module_names
                    .iter()
                    .any(|n| n == name.id.as_str()) =>
            {
                false
            }
            Expr::Attribute(attr)
                if attr.attr.as_str() == "import_module"
                    && matches!(&*attr.value, Expr::Name(m)
                        if self.importlib_names.iter().any(|n| n == m.id.as_str())) =>
            {
                false
            }
            _ => return,
        };
        let args = &call.arguments;
        // `__import__(name, globals, locals, fromlist, level)`: a level other than 0 is
        // relative to the calling package (Python 2's default, -1, tried that first).
        if dunder
            && let Some(level) = args.find_argument_value("level", 4)
            && !is_zero(level)
        {
            return;
        }
        let Some(Expr::StringLiteral(literal)) = args.find_argument_value("name", 0) else {
            return;
        };
        let parts = literal.value.as_slice();
        let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
            return;
        };
        // The span covers the contents without prefix and quotes.
        let start = first.range.start() + first.flags.opener_len();
        let end = (last.range.end() - last.flags.closer_len()).max(start);
        self.report(literal.value.to_str(), TextRange::new(start, end));
    }
}

impl<'ast> Visitor<'ast> for Walker<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        self.nested(|w| w.stmt(stmt));
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        self.nested(|w| {
            if let Expr::Call(call) = expr {
                w.call(call);
            }
            visitor::walk_expr(w, expr);
        });
    }

    fn visit_pattern(&mut self, pattern: &'ast Pattern) {
        self.nested(|w| visitor::walk_pattern(w, pattern));
    }
}

/// Remembers a name bound to `importlib` or its `import_module`. Real code binds one or two;
/// the cap keeps a hostile file with thousands from making every call a long search.
fn bind(names: &mut Vec<String>, name: &str) {
    if names.len() < 8 && !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

fn is_compound(stmt: &Stmt) -> bool {
    matches!(
        stmt,
        Stmt::FunctionDef(_)
            | Stmt::ClassDef(_)
            | Stmt::For(_)
            | Stmt::While(_)
            | Stmt::If(_)
            | Stmt::With(_)
            | Stmt::Match(_)
            | Stmt::Try(_)
    )
}

fn is_zero(expr: &Expr) -> bool {
    matches!(expr, Expr::NumberLiteral(ast::ExprNumberLiteral { value: Number::Int(i), .. })
        if i.as_u64() == Some(0))
}

/// The last name of `x` or `a.b.x`.
fn last_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// Whether an exception type expression covers a failed import.
fn covers_import_error(expr: &Expr) -> bool {
    match expr {
        Expr::Tuple(tuple) => tuple.elts.iter().any(covers_import_error),
        _ => matches!(
            last_name(expr),
            Some("ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException")
        ),
    }
}

fn catches_import_error(handler: &ExceptHandler) -> bool {
    let ExceptHandler::ExceptHandler(handler) = handler;
    handler.type_.as_deref().is_none_or(covers_import_error)
}

/// `contextlib.suppress(ImportError)` or `suppress(ModuleNotFoundError, ...)`.
fn suppresses_import_error(expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call)
        if last_name(&call.func) == Some("suppress")
            && call.arguments.args.iter().any(covers_import_error))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TypeCheckingTest {
    /// `if TYPE_CHECKING:`, `if typing.TYPE_CHECKING and ...:`, `if False:`.
    OnlyThen,
    /// `if not TYPE_CHECKING:`.
    OnlyElse,
    Other,
}

fn type_checking_test(test: &Expr) -> TypeCheckingTest {
    let only_then = |e: &Expr| {
        last_name(e) == Some("TYPE_CHECKING")
            || matches!(e, Expr::BooleanLiteral(b) if !b.value)
            || is_zero(e)
    };
    match test {
        _ if only_then(test) => TypeCheckingTest::OnlyThen,
        Expr::BoolOp(op) if op.op == ast::BoolOp::And && op.values.iter().any(only_then) => {
            TypeCheckingTest::OnlyThen
        }
        Expr::UnaryOp(op)
            if op.op == ast::UnaryOp::Not && last_name(&op.operand) == Some("TYPE_CHECKING") =>
        {
            TypeCheckingTest::OnlyElse
        }
        _ => TypeCheckingTest::Other,
    }
}

/// Whether `module` is a dotted name of identifiers (`a`, `a.b_c`, `é.x`): not empty, not
/// relative, no empty part. Error recovery can produce empty or broken names.
fn is_dotted_name(module: &str) -> bool {
    !module.is_empty()
        && module.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

fn import_found(
    code: &Code,
    module: &str,
    start: usize,
    end: usize,
    optional: bool,
) -> Option<Found> {
    if !is_dotted_name(module) {
        return None;
    }
    let mut found = Found::new(
        Mention::PythonImport {
            module: module.to_owned(),
        },
        Kind::Import,
        code.location(start, end),
    );
    found.optional = optional;
    Some(found)
}

/// Finds `import a.b, c` and `from a.b import x` on lines that start outside every simple
/// statement of the (partial) syntax tree, for files the parser could not fully read.
fn scan_uncovered_lines(
    code: &Code,
    covered: Vec<TextRange>,
    swallowed: Vec<TextRange>,
    found: &mut Vec<Found>,
) {
    let mut covered = RangeCursor::new(covered);
    let mut swallowed = RangeCursor::new(swallowed);
    let text = code.text;
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let (end, next) = line_end(bytes, start);
        let line = bytes.get(start..end).unwrap_or(&[]);
        let indent = line.len() - trim_ascii_indent(line).len();
        let at = start + indent;
        let rest = line.get(indent..).unwrap_or(&[]);
        if rest.starts_with(b"import") || rest.starts_with(b"from") {
            // Both cursors must see every line, so no short-circuit.
            let (in_statement, in_swallowed) = (covered.contains(at), swallowed.contains(at));
            if !in_statement || in_swallowed {
                scan_import_line(code, rest, at, found);
            }
        }
        start = next;
    }
}

/// Tells whether ranges contain offsets asked in increasing order, in linear time overall.
struct RangeCursor {
    ranges: std::iter::Peekable<std::vec::IntoIter<TextRange>>,
}

impl RangeCursor {
    fn new(mut ranges: Vec<TextRange>) -> Self {
        ranges.sort_by_key(|r| r.start());
        RangeCursor {
            ranges: ranges.into_iter().peekable(),
        }
    }

    fn contains(&mut self, at: usize) -> bool {
        while self.ranges.next_if(|r| r.end().to_usize() <= at).is_some() {}
        self.ranges
            .peek()
            .is_some_and(|r| r.start().to_usize() <= at)
    }
}

/// Finds `import a.b, c` and `from a.b import x` on every line that does not start inside a
/// string, for files that are not parsed at all.
fn scan_lines_outside_strings(code: &Code, found: &mut Vec<Found>) {
    let bytes = code.text.as_bytes();
    let mut state = LineState::default();
    let mut start = 0;
    while start < bytes.len() {
        let (end, next) = line_end(bytes, start);
        let line = bytes.get(start..end).unwrap_or(&[]);
        if state.string.is_none() {
            let rest = trim_ascii_indent(line);
            if rest.starts_with(b"import") || rest.starts_with(b"from") {
                scan_import_line(code, rest, end - rest.len(), found);
            }
        }
        state.scan_line(line);
        start = next;
    }
}

/// Reads `import a.b as c, d` or `from a.b import ...` from `line`, which starts at byte
/// `at` of `code.text`.
fn scan_import_line(code: &Code, line: &[u8], at: usize, found: &mut Vec<Found>) {
    let keyword_end = |kw: &[u8]| {
        line.strip_prefix(kw)
            .filter(|rest| {
                rest.first()
                    .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
            })
            .map(|_| kw.len())
    };
    let text = code.text;
    let mut push = |from: usize, to: usize| {
        if let Some(module) = text.get(at + from..at + to)
            && let Some(mut f) = import_found(code, module, at + from, at + to, false)
        {
            // A line scan cannot tell a statement from text that only looks like one.
            f.uncertain = true;
            found.push(f);
        }
    };
    if let Some(mut i) = keyword_end(b"import") {
        loop {
            i = skip_spaces(line, i);
            let name_end = dotted_name_end(line, i);
            if name_end == i {
                return;
            }
            push(i, name_end);
            i = skip_spaces(line, name_end);
            if line.get(i..).is_some_and(|r| r.starts_with(b"as")) {
                i = skip_spaces(line, i + 2);
                i = dotted_name_end(line, i);
                i = skip_spaces(line, i);
            }
            if line.get(i) != Some(&b',') {
                return;
            }
            i += 1;
        }
    } else if let Some(i) = keyword_end(b"from") {
        let i = skip_spaces(line, i);
        let name_end = dotted_name_end(line, i);
        let after = skip_spaces(line, name_end);
        let imports = line.get(after..).is_some_and(|r| {
            r.strip_prefix(b"import")
                .is_some_and(|r| r.first().is_none_or(|b| !is_identifier_byte(*b)))
        });
        if name_end > i && imports {
            push(i, name_end);
        }
    }
}

/// `text` without its leading spaces and backslash-newline continuations.
fn skip_line_space(mut text: &str) -> &str {
    loop {
        let trimmed = text.trim_start_matches([' ', '\t', '\x0c']);
        match trimmed
            .strip_prefix("\\\n")
            .or_else(|| trimmed.strip_prefix("\\\r\n"))
        {
            Some(rest) => text = rest,
            None => return trimmed,
        }
    }
}

fn skip_spaces(line: &[u8], mut i: usize) -> usize {
    while line
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
    {
        i += 1;
    }
    i
}

/// Non-ASCII bytes count as identifier bytes, so a name never ends inside a character.
fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// End of the dotted name at `i` (`i` itself when there is none); a trailing dot is left out.
fn dotted_name_end(line: &[u8], i: usize) -> usize {
    let mut end = i;
    let mut j = i;
    while let Some(&b) = line.get(j) {
        if is_identifier_byte(b) {
            j += 1;
            end = j;
        } else if b == b'.' && j > i && line.get(j + 1).is_some_and(|&n| is_identifier_byte(n)) {
            j += 1;
        } else {
            break;
        }
    }
    end
}

/// Drops a deep syntax tree without deep recursion: nodes deeper than [`DROP_DEPTH`] below
/// the node being taken apart are swapped for leaves and queued, so that no drop glue
/// recurses more than that many levels.
fn drop_deep(tree: Mod) {
    let mut queue: Vec<Node> = match tree {
        Mod::Module(module) => module.body.into_iter().map(Node::Stmt).collect(),
        Mod::Expression(expression) => vec![Node::Expr(*expression.body)],
    };
    let dismantler = Dismantler::default();
    stacker::maybe_grow(4 * RED_ZONE, STACK_SEGMENT, || {
        while let Some(mut node) = queue.pop() {
            match &mut node {
                Node::Stmt(stmt) => transformer::walk_stmt(&dismantler, stmt),
                Node::Expr(expr) => transformer::walk_expr(&dismantler, expr),
                Node::Pattern(pattern) => transformer::walk_pattern(&dismantler, pattern),
            }
            queue.append(&mut dismantler.cut.borrow_mut());
            drop(node);
        }
    });
}

enum Node {
    Stmt(Stmt),
    Expr(Expr),
    Pattern(Pattern),
}

/// Cuts a syntax tree at [`DROP_DEPTH`], collecting the cut-off subtrees.
#[derive(Default)]
struct Dismantler {
    depth: Cell<usize>,
    cut: RefCell<Vec<Node>>,
}

impl Dismantler {
    fn descend<T>(
        &self,
        node: &mut T,
        walk: impl FnOnce(&Self, &mut T),
        cut: impl FnOnce(&mut T) -> Node,
    ) {
        let depth = self.depth.get();
        if depth < DROP_DEPTH {
            self.depth.set(depth + 1);
            walk(self, node);
            self.depth.set(depth);
        } else {
            let node = cut(node);
            self.cut.borrow_mut().push(node);
        }
    }
}

impl Transformer for Dismantler {
    fn visit_stmt(&self, stmt: &mut Stmt) {
        self.descend(stmt, transformer::walk_stmt, |s| {
            let leaf = Stmt::Pass(ast::StmtPass {
                node_index: AtomicNodeIndex::NONE,
                range: TextRange::default(),
            });
            Node::Stmt(std::mem::replace(s, leaf))
        });
    }

    fn visit_expr(&self, expr: &mut Expr) {
        self.descend(expr, transformer::walk_expr, |e| {
            let leaf = Expr::NoneLiteral(ast::ExprNoneLiteral::default());
            Node::Expr(std::mem::replace(e, leaf))
        });
    }

    fn visit_pattern(&self, pattern: &mut Pattern) {
        self.descend(pattern, transformer::walk_pattern, |p| {
            let leaf = Pattern::MatchAs(ast::PatternMatchAs {
                node_index: AtomicNodeIndex::NONE,
                range: TextRange::default(),
                pattern: None,
                name: None,
            });
            Node::Pattern(std::mem::replace(p, leaf))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    fn run(path: &str, text: &str) -> Output {
        let mut out = Output::default();
        find(&Code::file(path.into(), text), &mut out);
        for f in &out.found {
            let (s, e) = (f.location.start as usize, f.location.end as usize);
            assert!(
                text.get(s..e).is_some(),
                "span {s}..{e} off char boundaries"
            );
        }
        out
    }

    /// `(module, optional)` for each import found.
    fn modules(path: &str, text: &str) -> Vec<(String, bool)> {
        run(path, text)
            .found
            .into_iter()
            .map(|f| match f.mention {
                Mention::PythonImport { module } => (module, f.optional),
                other => panic!("unexpected mention {other:?}"),
            })
            .collect()
    }

    fn names(list: &[(String, bool)]) -> Vec<&str> {
        list.iter().map(|(m, _)| m.as_str()).collect()
    }

    fn optional(list: &[(String, bool)]) -> Vec<&str> {
        list.iter()
            .filter(|(_, o)| *o)
            .map(|(m, _)| m.as_str())
            .collect()
    }

    const DJANGO_SETTINGS: &str = r#""""
Django settings for mysite project.

Generated by 'django-admin startproject' using Django 5.0.

For more information on this file, see
https://docs.djangoproject.com/en/5.0/topics/settings/
import this_is_prose_not_code
"""

import os
from pathlib import Path

import dj_database_url
import environ

env = environ.Env(DEBUG=(bool, False))

# Build paths inside the project like this: BASE_DIR / 'subdir'.
BASE_DIR = Path(__file__).resolve().parent.parent
environ.Env.read_env(os.path.join(BASE_DIR, ".env"))

SECRET_KEY = env("SECRET_KEY")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "corsheaders",
    "polls.apps.PollsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
]

DATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3")}

if DEBUG:
    INSTALLED_APPS += ["debug_toolbar"]
    import debug_toolbar  # noqa: F401

try:
    from .local_settings import *  # noqa
except ImportError:
    pass
"#;

    #[test]
    fn django_settings() {
        let found = modules("mysite/settings.py", DJANGO_SETTINGS);
        assert_eq!(
            names(&found),
            [
                "os",
                "pathlib",
                "dj_database_url",
                "environ",
                "debug_toolbar"
            ]
        );
        assert!(optional(&found).is_empty());
        assert!(run("s.py", DJANGO_SETTINGS).diagnostics.is_empty());
    }

    #[test]
    fn import_forms_and_exact_spans() {
        let text = "import a.b.c\nimport numpy as np, pandas\nfrom  google.cloud import storage\n\
                    if True:\n    from x . y import (z,\n        w)\nimport é_mod\n";
        let out = run("m.py", text);
        let got: Vec<(&str, u32, u32, &str)> = out
            .found
            .iter()
            .map(|f| {
                let Mention::PythonImport { module } = &f.mention else {
                    unreachable!()
                };
                (
                    module.as_str(),
                    f.location.line,
                    f.location.column,
                    &text[f.location.start as usize..f.location.end as usize],
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a.b.c", 1, 8, "a.b.c"),
                ("numpy", 2, 8, "numpy"),
                ("pandas", 2, 21, "pandas"),
                ("google.cloud.storage", 3, 7, "google.cloud"),
                ("x.y", 5, 10, "x . y"),
                ("é_mod", 7, 8, "é_mod"),
            ]
        );
        assert!(out.found.iter().all(|f| f.kind == Kind::Import && !f.dev));
        assert_eq!(out.found[0].location.path.as_ref(), "m.py");
    }

    #[test]
    fn spans_map_into_the_file_for_embedded_code() {
        let file = "# notes\n```python\nx = 1; import requests\n```\n";
        let start = file.find("x = 1").unwrap();
        let block = &file[start..file.rfind("```").unwrap()];
        let code = Code::embedded("README.md".into(), block, start, 2, 0);
        let mut out = Output::default();
        find(&code, &mut out);
        let l = &out.found[0].location;
        assert_eq!((l.line, l.column), (3, 15));
        assert_eq!(&file[l.start as usize..l.end as usize], "requests");
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        let text = "\u{feff}import os\r\nfrom\tpathlib import Path\r\n";
        let out = run("bom.py", text);
        let spans: Vec<(&str, u32, u32)> = out
            .found
            .iter()
            .map(|f| {
                let l = &f.location;
                (&text[l.start as usize..l.end as usize], l.line, l.column)
            })
            .collect();
        assert_eq!(spans, [("os", 1, 9), ("pathlib", 2, 6)]);
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn identifiers_are_nfkc_normalized_like_python_does() {
        // Python imports `file` for `import \u{fb01}le` (the "fi" ligature).
        let text = "import \u{fb01}le\n";
        let out = run("nfkc.py", text);
        let f = &out.found[0];
        assert_eq!(
            f.mention,
            Mention::PythonImport {
                module: "file".into()
            }
        );
        assert_eq!(
            &text[f.location.start as usize..f.location.end as usize],
            "\u{fb01}le"
        );
    }

    #[test]
    fn relative_imports_are_not_reported() {
        let text = "from . import views\nfrom .models import Poll\nfrom ..utils.text import slug\n\
                    from ... import x\nimport polls\n";
        assert_eq!(names(&modules("polls/urls.py", text)), ["polls"]);
    }

    #[test]
    fn imports_anywhere() {
        let text = r#"
import sys

class Loader:
    import abc

    def load(self):
        import yaml
        for x in range(3):
            while True:
                with open("f") as fh:
                    from lxml import etree
        return [__import__("toml") for _ in ()]

def main():
    match sys.argv:
        case [_, "fast"]:
            import orjson
        case _:
            lambda: __import__("ujson")

if __name__ == "__main__":
    import argparse
    lazy import json
    main()
"#;
        let found = modules("tool.py", text);
        assert_eq!(
            names(&found),
            [
                "sys", "abc", "yaml", "lxml", "toml", "orjson", "ujson", "argparse", "json"
            ]
        );
        assert!(optional(&found).is_empty());
    }

    #[test]
    fn try_except_import_error_fallbacks() {
        let text = r#"
try:
    import simplejson as json
except ImportError:
    import json

try:
    from yaml import CSafeLoader as Loader
except (AttributeError, ModuleNotFoundError):
    from yaml import SafeLoader as Loader

try:
    import ujson
except:  # noqa: E722
    ujson = None

try:
    import regex
except Exception:
    regex = None

try:
    import cchardet as chardet
except ValueError:
    import chardet

try:
    import lzma
except builtins.ImportError:
    lzma = None
else:
    import backports_else
finally:
    import finally_mod

try:
    def later():
        import runs_when_called
except ImportError:
    pass

from contextlib import suppress
with suppress(ImportError):
    import uvloop
with contextlib.suppress(OSError):
    import not_guarded
"#;
        let found = modules("compat.py", text);
        assert_eq!(
            optional(&found),
            ["simplejson", "yaml", "ujson", "regex", "lzma", "uvloop"]
        );
        assert_eq!(
            names(&found),
            [
                "simplejson",
                "json",
                "yaml",
                "yaml",
                "ujson",
                "regex",
                "cchardet",
                "chardet",
                "lzma",
                "backports_else",
                "finally_mod",
                "runs_when_called",
                "contextlib",
                "uvloop",
                "not_guarded",
            ]
        );
    }

    #[test]
    fn type_checking_blocks_are_optional_version_switches_are_not() {
        let text = r#"
from __future__ import annotations

import sys
import typing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    import pandas as pd

if typing.TYPE_CHECKING:
    from _typeshed import StrPath
elif sys.platform == "win32":
    import winreg
else:
    import fcntl

if not TYPE_CHECKING:
    import runtime_only
else:
    import mypy_extensions

if TYPE_CHECKING and sys.version_info >= (3, 11):
    from typing import Self

if False:  # pragma: no cover
    from typing import NoReturn

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

def f(df: pd.DataFrame) -> Sequence[str]:
    return list(df)
"#;
        let found = modules("types.py", text);
        assert_eq!(
            optional(&found),
            [
                "collections.abc",
                "pandas",
                "_typeshed",
                "mypy_extensions",
                "typing",
                "typing"
            ]
        );
        assert_eq!(
            names(&found),
            [
                "__future__",
                "sys",
                "typing",
                "typing",
                "collections.abc",
                "pandas",
                "_typeshed",
                "winreg",
                "fcntl",
                "runtime_only",
                "mypy_extensions",
                "typing",
                "typing",
                "tomllib",
                "tomli",
            ]
        );
    }

    #[test]
    fn importlib_and_dunder_import() {
        let text = r#"
import importlib
import importlib as il
from importlib import import_module
from importlib import import_module as load

yaml = importlib.import_module("yaml")
backend = import_module('myapp.backends.redis')
np = __import__("numpy")
il.import_module(name="scipy.sparse")
load("attr")
importlib.import_module("json", package=__name__)
plugin = importlib.import_module(".plugins", package="myapp")
rel = import_module(".x", __package__)
dyn = importlib.import_module(f"drivers.{name}")
var = importlib.import_module(name)
sibling = __import__("sibling", globals(), locals(), [], 1)
py2 = __import__("implicit", level=-1)
abs0 = __import__("os.path", globals(), locals(), ["join"], 0)
other.import_module("not_importlib")
nonsense = __import__("not a module")
joined = __import__("con" "cat")
"#;
        let out = run("dyn.py", text);
        let got: Vec<(&str, &str)> = out
            .found
            .iter()
            .map(|f| {
                let Mention::PythonImport { module } = &f.mention else {
                    unreachable!()
                };
                (
                    module.as_str(),
                    &text[f.location.start as usize..f.location.end as usize],
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("importlib", "importlib"),
                ("importlib", "importlib"),
                ("importlib", "importlib"),
                ("importlib", "importlib"),
                ("yaml", "yaml"),
                ("myapp.backends.redis", "myapp.backends.redis"),
                ("numpy", "numpy"),
                ("scipy.sparse", "scipy.sparse"),
                ("attr", "attr"),
                ("json", "json"),
                ("os.path", "os.path"),
                ("concat", r#"con" "cat"#),
            ]
        );
        let yaml = &out.found[4].location;
        assert_eq!((yaml.line, yaml.column), (7, 33));
    }

    #[test]
    fn pyi_stub() {
        let text = r#"import sys
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar, overload

import numpy as np
from typing_extensions import ParamSpec, Self, TypeAlias

_T = TypeVar("_T")
_P = ParamSpec("_P")
_Mode: TypeAlias = Literal["r", "w"]

class Session:
    verify: bool
    def __init__(self, *, timeout: float | None = ...) -> None: ...
    def __enter__(self) -> Self: ...
    @overload
    def get(self, url: str) -> bytes: ...
    @overload
    def get(self, url: str, *, stream: Literal[True]) -> Iterator[bytes]: ...
    def array(self) -> np.ndarray[Any, np.dtype[np.float64]]: ...

type Handler[**P, R] = Callable[P, R]

if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer
"#;
        let out = run("requests/__init__.pyi", text);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let found: Vec<(String, bool)> = out
            .found
            .into_iter()
            .map(|f| match f.mention {
                Mention::PythonImport { module } => (module, f.optional),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            names(&found),
            [
                "sys",
                "collections.abc",
                "typing",
                "numpy",
                "typing_extensions",
                "collections.abc",
                "typing_extensions"
            ]
        );
    }

    const PYTHON2: &str = r#"#!/usr/bin/env python
# -*- coding: utf-8 -*-
import os, sys
import urllib2
from StringIO import StringIO

try:
    import cPickle as pickle
except ImportError, e:
    import pickle

def main():
    print "fetching", sys.argv[1]
    try:
        data = urllib2.urlopen(sys.argv[1]).read()
    except Exception, e:
        print >>sys.stderr, "failed: %s" % e
        sys.exit(1)
    exec "import generated"
    if len(data) <> 0:
        import gzip
    print `data`[:10]
    mode = 0755
    name = ur"raw"
    from ConfigParser import SafeConfigParser

if __name__ == '__main__':
    main()
"#;

    #[test]
    fn python2_file() {
        let out = run("legacy/fetch.py", PYTHON2);
        let found: Vec<(String, bool)> = out
            .found
            .iter()
            .map(|f| match &f.mention {
                Mention::PythonImport { module } => (module.clone(), f.optional),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            names(&found),
            [
                "os",
                "sys",
                "urllib2",
                "StringIO",
                "cPickle",
                "pickle",
                "gzip",
                "ConfigParser"
            ]
        );
        assert_eq!(optional(&found), ["cPickle"]);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        let d = &out.diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.line, Some(13));
        assert!(
            d.message.starts_with("could not fully parse: ")
                && d.message.ends_with("; imports found by error recovery"),
            "{}",
            d.message
        );
    }

    #[test]
    fn unclosed_string_and_unclosed_bracket() {
        let text = "import os\nsettings = dict(\n    debug=True,\nimport json\n\
                    s = \"\"\"docstring never closed\nimport yaml\nfrom requests import get\n";
        let out = run("broken.py", text);
        let got: Vec<_> = out
            .found
            .iter()
            .map(|f| (f.mention.clone(), f.location.line, f.uncertain))
            .collect();
        let m = |s: &str| Mention::PythonImport {
            module: s.to_owned(),
        };
        // What the parser recovered is read from the syntax tree; what the unclosed string
        // swallowed is found by the line scan, and marked uncertain.
        assert_eq!(
            got,
            [
                (m("os"), 1, false),
                (m("json"), 4, false),
                (m("yaml"), 6, true),
                (m("requests"), 7, true)
            ]
        );
        assert_eq!(out.diagnostics.len(), 1);
    }

    #[test]
    fn only_the_line_scan_is_uncertain() {
        let parsed = run(
            "ok.py",
            "import os\nimport requests\nfrom yaml import load\n",
        );
        assert_eq!(parsed.found.len(), 3);
        assert!(parsed.found.iter().all(|f| !f.uncertain));
        // Too deep to parse: every import comes from the line scan.
        let deep = format!(
            "import requests\nx = {}\nfrom yaml import load\n",
            "(".repeat(MAX_BRACKET_DEPTH as usize + 1)
        );
        let out = run("deep.py", &deep);
        let got: Vec<_> = out
            .found
            .iter()
            .map(|f| (f.location.line, f.uncertain))
            .collect();
        assert_eq!(got, [(1, true), (3, true)]);
    }

    #[test]
    fn fallback_scanner_reads_import_lines() {
        let line = "import a.b as c, d.e,f  # comment\n";
        let mut found = Vec::new();
        scan_import_line(
            &Code::file("x.py".into(), line),
            line.as_bytes(),
            0,
            &mut found,
        );
        let spans: Vec<&str> = found
            .iter()
            .map(|f| &line[f.location.start as usize..f.location.end as usize])
            .collect();
        assert_eq!(spans, ["a.b", "d.e", "f"]);
        for (line, want) in [
            ("from a.b import (c)", Some("a.b")),
            ("from a.b import*", Some("a.b")),
            ("from .a import b", None),
            ("from a.b importx", None),
            ("from a.", None),
            ("import 9abc", None),
            ("important = 1", None),
            ("fromage = 2", None),
        ] {
            let c = Code::file("x.py".into(), line);
            let mut found = Vec::new();
            scan_import_line(&c, line.as_bytes(), 0, &mut found);
            let got = found
                .first()
                .map(|f| &line[f.location.start as usize..f.location.end as usize]);
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn jupyter_magics_in_a_py_file() {
        let text = "%matplotlib inline\n%load_ext autoreload\n!pip install -q seaborn\n\
                    import numpy as np\nimport seaborn as sns\nnp.linspace?\n??sns\nfiles = !ls\n\
                    %%time\nfrom sklearn.model_selection import train_test_split\n";
        let out = run("analysis.py", text);
        assert_eq!(
            names(&modules("analysis.py", text)),
            ["numpy", "seaborn", "sklearn.model_selection"]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    }

    #[test]
    fn blanking_magics_keeps_offsets() {
        let text = "%matplotlib inline\r\n  !pip install \\\n    x y\nx = (1\n     % 2)\nnp.sum?\n\
                    s = '''\n%not magic\n'''\n# comment?\nprint(x)  # what?\n  %%timeit\n\
                    import é\n\
                    files = !ls\na, b = %sx ls\nn = 10 % 3\nif a != b: pass\n";
        let blanked = blank_ipython_magics(text);
        assert_eq!(blanked.len(), text.len());
        let lines: Vec<&str> = blanked.split('\n').collect();
        assert_eq!(
            lines,
            [
                "                  \r",
                "                ",
                "       ",
                "x = (1",
                "     % 2)",
                "       ",
                "s = '''",
                "%not magic",
                "'''",
                "# comment?",
                "print(x)  # what?",
                "          ",
                "import é",
                "           ",
                "             ",
                "n = 10 % 3",
                "if a != b: pass",
                "",
            ]
        );
        let old_mac = "%pylab\rimport os\r!ls\r\n";
        assert_eq!(blank_ipython_magics(old_mac), "      \rimport os\r   \r\n");
        let clean = "import os\nx = 1 % 2\nwhile x != 3: x = (x\n% 7)\n";
        assert!(matches!(blank_ipython_magics(clean), Cow::Borrowed(_)));
        assert!(matches!(blank_ipython_magics(""), Cow::Borrowed(_)));
    }

    #[test]
    fn ipython_lines_that_crash_ruffs_ipython_mode() {
        // Found by fuzzing: ruff_python_parser 0.0.10 panics on these in `Mode::Ipython`.
        for text in ["[)\n?", "[)\n?\nimport os\n"] {
            run("crash.py", text);
        }
        assert_eq!(names(&modules("crash.py", "[)\n?\nimport os\n")), ["os"]);
    }

    #[test]
    fn not_python_at_all() {
        let mut garbage = String::new();
        let mut x: u32 = 0x9e37_79b9;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            garbage.push(char::from_u32(x % 0x800).unwrap_or('\u{fffd}'));
        }
        garbage.push_str("\0\0\u{1b}[0m\nimport after_garbage\n");
        let out = run("blob.py", &garbage);
        assert_eq!(out.diagnostics.len(), 1);
        assert!(out.found.iter().any(|f| f.mention
            == Mention::PythonImport {
                module: "after_garbage".into()
            }));

        let long_line = format!("x = [{}]\n", "1, 'a', {None: (2,)}, ".repeat(100_000));
        let out = run("data.py", &long_line);
        assert!(out.found.is_empty() && out.diagnostics.is_empty());

        let minified = "a=1;".repeat(200_000) + "import zlib";
        assert_eq!(names(&modules("min.py", &minified)), ["zlib"]);

        let html = "<!DOCTYPE html><html><body><p>import this</p>\nfrom the start\n</body></html>";
        let out = run("page.py", html);
        assert!(out.found.is_empty(), "{:?}", out.found);
        assert_eq!(out.diagnostics.len(), 1);

        let prose = "from the\nimport of goods";
        assert!(!names(&modules("prose.py", prose)).contains(&"the"));
        let continued = "from a.b \\\n    import c";
        assert_eq!(names(&modules("cont.py", continued)), ["a.b"]);
        let truncated = "import os\nfrom sklearn.model_selection import";
        assert_eq!(
            names(&modules("cut.py", truncated)),
            ["os", "sklearn.model_selection"]
        );

        let out = run("empty.py", "");
        assert!(out.found.is_empty() && out.diagnostics.is_empty());
    }

    /// Runs `f` on a thread with a small stack, as a worker pool might.
    fn on_small_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn brackets_deeper_than_python_allows_are_read_line_by_line() {
        let parens = format!(
            "import before\nx = {}1{}\n  import after\ns = '''\nfrom a import b\n'''\n",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let out = run("p.py", &parens);
        assert_eq!(names(&modules("p.py", &parens)), ["before", "after"]);
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(2));
        assert!(
            out.diagnostics[0]
                .message
                .contains("imports read line by line")
        );
        let limit = MAX_BRACKET_DEPTH as usize;
        assert_eq!(too_deep_at("([{".repeat(limit / 3).as_bytes()), None);
        assert_eq!(too_deep_at(")))".repeat(limit).as_bytes()), None);
        let deep = "(".repeat(limit + 1);
        assert_eq!(too_deep_at(deep.as_bytes()), Some(limit));
    }

    #[test]
    fn bracket_check_is_within_a_block_of_the_exact_depth() {
        let exact = |bytes: &[u8]| {
            let (mut depth, mut max) = (0u32, 0u32);
            for &b in bytes {
                match b {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                max = max.max(depth);
            }
            max
        };
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let (mut deep, mut near) = (0, 0);
        for round in 0..300 {
            // Random walks that drift upwards, with dips and noise between the brackets.
            let mut text = Vec::new();
            let bias = 1 + round % 3;
            while text.len() < 6_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                text.push(match x % (5 + bias) {
                    0 => b')',
                    1 => b']',
                    2 => b'a',
                    3 => b' ',
                    4 => b'{',
                    _ => b'(',
                });
            }
            let max = exact(&text);
            match too_deep_at(&text) {
                None => {
                    assert!(max <= MAX_BRACKET_DEPTH + 64, "{max}");
                    near += usize::from(max > MAX_BRACKET_DEPTH - 200);
                }
                Some(at) => {
                    deep += 1;
                    assert!(max > MAX_BRACKET_DEPTH, "{max}");
                    assert!(exact(&text[..=at]) > MAX_BRACKET_DEPTH);
                }
            }
        }
        assert!(
            deep >= 50 && near >= 20,
            "{deep} deep, {near} near the limit"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        // Within the bracket limit, and beyond it with constructs that need no brackets, the
        // syntax tree is deeper than a small stack can walk or drop recursively.
        on_small_stack(|| {
            let depth = MAX_BRACKET_DEPTH as usize - 10;
            let calls = format!(
                "x = {}__import__('deep'){}\n",
                "f(".repeat(depth - 1),
                ")".repeat(depth - 1)
            );
            assert_eq!(names(&modules("c.py", &calls)), ["deep"]);

            let lists = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            assert!(modules("l.py", &lists).is_empty());

            let unclosed = "[{(".repeat(depth / 3);
            assert_eq!(run("u.py", &unclosed).diagnostics.len(), 1);

            let mut ifs = String::new();
            for depth in 0..5_000 {
                ifs.push_str(&" ".repeat(depth));
                ifs.push_str("if x:\n");
            }
            ifs.push_str(&" ".repeat(5_000));
            ifs.push_str("import deep_if\n");
            assert_eq!(names(&modules("i.py", &ifs)), ["deep_if"]);

            for chain in [
                "not ",
                "-",
                "lambda: ",
                "1 if 1 else ",
                "1**",
                "await ",
                "yield ",
            ] {
                let src = format!("x = {}1\nimport ok\n", chain.repeat(10_000));
                assert_eq!(names(&modules("chain.py", &src)), ["ok"], "{chain}");
            }

            let pattern = format!(
                "match x:\n case {}y{}:\n  import m\n",
                "[".repeat(depth),
                "]".repeat(depth)
            );
            assert_eq!(names(&modules("m.py", &pattern)), ["m"]);

            let fstrings = format!("x = {}1{}\n", "f'{".repeat(depth), "}'".repeat(depth));
            run("f.py", &fstrings);
        });
    }

    #[test]
    fn one_megabyte_file() {
        let mut text = String::with_capacity(1 << 20);
        let mut n = 0;
        while text.len() < 1 << 20 {
            text.push_str(&format!(
                "import pkg_{n}.sub\nfrom lib_{n} import thing\n\n\
                 def handler_{n}(request, *args, **kwargs):\n    \"\"\"Handle it.\"\"\"\n    \
                 value = request.get('key_{n}', None)\n    if value is None:\n        \
                 return {{'status': 404, 'items': [i * 2 for i in range(10)]}}\n    \
                 return dict(ok=True, value=value)\n\n"
            ));
            n += 1;
        }
        let out = run("big.py", &text);
        assert_eq!(out.found.len(), 2 * n);
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn huge_file_of_errors_stays_linear() {
        // Every line an error: recovery must not go quadratic or report one warning each.
        let text = "print 'x'\n".repeat(100_000);
        let out = run("py2.py", &text);
        assert!(out.found.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        assert!(
            out.diagnostics[0]
                .message
                .contains("99999 more syntax errors")
        );

        // Many unclosed strings between import lines: the fallback scanner stays linear.
        let text = "'\nimport x\n".repeat(50_000);
        let out = run("quotes.py", &text);
        assert_eq!(out.found.len(), 50_000);

        // Many names for importlib: each call is still checked in constant time.
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!(
                "import importlib as il{i}\nil{i}.import_module('m')\n"
            ));
        }
        let found = modules("aliases.py", &text);
        assert_eq!(found.len(), 20_000 + 7);
    }

    /// CPU time this thread has used, from /proc (the machine may be shared, so wall time
    /// alone says little).
    fn thread_cpu_seconds() -> Option<f64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / 100.0)
    }

    /// Throughput on real code: `DEPPROOF_PY_BENCH=<file or directory of .py files>
    /// cargo test --release -p depproof-extract throughput -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark; needs DEPPROOF_PY_BENCH"]
    fn throughput() {
        let Some(path) = std::env::var_os("DEPPROOF_PY_BENCH") else {
            return;
        };
        let path = std::path::PathBuf::from(path);
        let mut files = Vec::new();
        let mut dirs = vec![path];
        while let Some(p) = dirs.pop() {
            if p.is_dir() {
                dirs.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else if p.extension().is_some_and(|e| e == "py" || e == "pyi") {
                let bytes = std::fs::read(&p).unwrap();
                files.push((
                    p.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
        let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
        let rounds = std::env::var("DEPPROOF_PY_BENCH_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or((200_000_000 / bytes.max(1)).clamp(1, 100));
        let (wall, cpu) = (std::time::Instant::now(), thread_cpu_seconds());
        let (mut imports, mut warned) = (0, 0);
        for _ in 0..rounds {
            for (path, text) in &files {
                let mut out = Output::default();
                find(&Code::file(path.as_str().into(), text), &mut out);
                imports += out.found.len();
                warned += usize::from(!out.diagnostics.is_empty());
                if rounds == 1 {
                    for d in &out.diagnostics {
                        println!("{}:{}: {}", d.path, d.line.unwrap_or(0), d.message);
                    }
                }
            }
        }
        let wall = wall.elapsed().as_secs_f64();
        let mb = (bytes * rounds) as f64 / 1e6;
        let cpu = cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
        println!(
            "{} files, {:.1} MB x {rounds}: {imports} imports, {warned} warned; wall {:.1} MB/s; \
             cpu {}",
            files.len(),
            bytes as f64 / 1e6,
            mb / wall,
            cpu.map_or("n/a".to_owned(), |c| format!(
                "{:.1} MB/s ({c:.2} s)",
                mb / c
            )),
        );
        let check_cpu = thread_cpu_seconds();
        for _ in 0..rounds {
            for (_, text) in &files {
                std::hint::black_box(too_deep_at(std::hint::black_box(text.as_bytes())));
            }
        }
        if let Some(c) = check_cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a) {
            println!("bracket depth check only: cpu {:.1} MB/s", mb / c);
        }
        // The parser alone, for comparison.
        let parse_cpu = thread_cpu_seconds();
        for _ in 0..rounds {
            for (_, text) in &files {
                let parsed = parse_unchecked(text, ParseOptions::from(Mode::Module));
                drop_deep(std::hint::black_box(parsed).into_syntax());
            }
        }
        if let Some(c) = parse_cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a) {
            println!("parse and iterative drop only: cpu {:.1} MB/s", mb / c);
        }
    }
}
