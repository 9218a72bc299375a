//! JavaScript and TypeScript imports: every module specifier a file loads.
//!
//! [`find`] parses a file with oxc and reports each specifier exactly as written
//! (`lodash/fp`, `./util`, `node:fs`, `#internal`, `https://esm.sh/x`) as a
//! [`Mention::JsImport`]; deciding which specifiers name packages is the resolver's job,
//! helped by [`package_of_specifier`].
//!
//! What counts as an import: static `import … from "x"` and `import "x"`, `export … from
//! "x"`, `require("x")`, `require.resolve("x")`, `module.require("x")`,
//! `import.meta.resolve("x")`, dynamic `import("x")` with a literal (or a template literal
//! without substitutions), TypeScript's `import x = require("x")` and `import("x")` types,
//! `/// <reference types="x" />` directives and `@jsxImportSource x` pragmas. Ambient
//! `declare module "x"` blocks declare a module rather than load one and are not reported
//! (imports inside them are).
//!
//! A types directive naming a plain package (`types="node"`) is reported as the
//! DefinitelyTyped package `@types/node`, a [`Mention::Package`] marked `uncertain`: that
//! is where TypeScript looks first, but a package that ships its own types is found under
//! its own name. One with a scope or a subpath (`types="vite/client"`) names the package's
//! own types and is reported as a specifier. `path=` and `lib=` directives name files and
//! TypeScript's own libraries, not packages.
//!
//! Flags: type-only imports (`import type`, `export type … from`, `import { type A }`,
//! `typeof import("x")`, types directives, everything in a `.d.ts` file) are `dev`, as the
//! package is needed only to type-check. Imports inside a `try` block, and `import("x")`
//! whose promise has a `.catch(…)`, are `optional`.
//!
//! Webpack and RequireJS loader chains (`style-loader!css-loader!./x.css`) are reported as
//! one mention per part, each with its own span, since every loader is a module to install.
//!
//! Robustness: oxc abandons a file at its first fatal syntax error, so a broken file is
//! read again with the offending lines blanked out (offsets stay the same), and when that
//! does not help a token scan finds the import forms above instead. oxc's parser recurses
//! once per nesting level without a limit, so parsing runs on a stack sized for the input
//! (see `stack_plan`); a file nested too deeply for any sane stack gets the token scan.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use depproof_registry::npm::{NODE_BUILTIN_MODULES, validate};
use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, CallExpression, Comment, ExportAllDeclaration, ExportFromDeclaration, Expression,
    ImportDeclaration, ImportDeclarationSpecifier, ImportExpression, Program, StringLiteral,
    TSImportEqualsDeclaration, TSImportType, TSModuleReference, TryStatement,
};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType};

use depproof_registry::Ecosystem;

use crate::location::Code;
use crate::reference::{Found, Kind, Mention, Output};

/// The language of a JavaScript-family file, which decides how it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsDialect {
    /// `.js`, `.mjs`, `.cjs` (parsed with JSX allowed, as React projects put JSX in `.js`).
    Js,
    /// `.jsx`.
    Jsx,
    /// `.ts`, `.mts`, `.cts`.
    Ts,
    /// `.tsx`.
    Tsx,
    /// A declaration file: `.d.ts`, `.d.mts`, `.d.cts`, `.d.css.ts`; all its imports are
    /// type-only.
    Dts,
}

/// The dialect of a file from its name (`.js .mjs .cjs .jsx .ts .mts .cts .tsx .d.ts`);
/// `None` for anything else, including components (see `crate::sfc`).
pub fn dialect_for_path(path: &str) -> Option<JsDialect> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    let ext = ext.to_ascii_lowercase();
    let declaration = || {
        let stem = stem.to_ascii_lowercase();
        stem.ends_with(".d") || stem.contains(".d.")
    };
    Some(match ext.as_str() {
        "js" | "mjs" | "cjs" => JsDialect::Js,
        "jsx" => JsDialect::Jsx,
        "ts" | "mts" | "cts" if declaration() => JsDialect::Dts,
        "ts" | "mts" | "cts" => JsDialect::Ts,
        "tsx" => JsDialect::Tsx,
        _ => return None,
    })
}

impl JsDialect {
    fn source_type(self) -> SourceType {
        match self {
            // Unambiguous: CommonJS files are scripts (octal literals, `with`), ES
            // modules are modules; JSX is a superset of plain JS in expression position.
            JsDialect::Js | JsDialect::Jsx => SourceType::unambiguous().with_jsx(true),
            JsDialect::Ts => SourceType::ts(),
            JsDialect::Tsx => SourceType::tsx(),
            JsDialect::Dts => SourceType::d_ts(),
        }
    }

    /// Dialects to try, in order, when the file does not parse as named: `.js` files
    /// often hold Flow or TypeScript syntax (React Native), `.ts` files sometimes JSX.
    fn attempts(self) -> &'static [JsDialect] {
        match self {
            JsDialect::Js | JsDialect::Jsx => &[JsDialect::Js, JsDialect::Tsx],
            JsDialect::Ts => &[JsDialect::Ts, JsDialect::Tsx],
            JsDialect::Tsx => &[JsDialect::Tsx, JsDialect::Ts],
            JsDialect::Dts => &[JsDialect::Dts, JsDialect::Ts],
        }
    }

    fn name(self) -> &'static str {
        match self {
            JsDialect::Js => "JavaScript",
            JsDialect::Jsx => "JSX",
            JsDialect::Ts => "TypeScript",
            JsDialect::Tsx => "TSX",
            JsDialect::Dts => "TypeScript declarations",
        }
    }
}

/// One specifier found, with byte offsets into the searched text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    spec: String,
    start: usize,
    end: usize,
    dev: bool,
    optional: bool,
    /// `spec` is a package name inferred from what is written (`@types/node` for a
    /// `types="node"` directive), not a specifier.
    inferred: bool,
}

/// Reports every module specifier in `code` (see the module documentation).
///
/// Never fails: a syntax error becomes one warning (its line and message) and the rest of
/// the file is still searched.
pub fn find(code: &Code, dialect: JsDialect, out: &mut Output) {
    let text = code.text;
    if text.trim().is_empty() {
        return;
    }
    let (hits, warning) = search(text, dialect);
    if let Some((offset, message)) = warning {
        let line = code.location(offset, offset).line;
        out.warn(&code.path, Some(line), message);
    }
    for hit in hits {
        let mention = if hit.inferred {
            Mention::Package {
                ecosystem: Ecosystem::Npm,
                name: hit.spec,
            }
        } else {
            Mention::JsImport {
                specifier: hit.spec,
            }
        };
        let mut found = Found::new(mention, Kind::Import, code.location(hit.start, hit.end));
        found.dev = hit.dev;
        found.optional = hit.optional;
        found.uncertain = hit.inferred;
        out.found.push(found);
    }
}

/// The hits in `text` and at most one warning (byte offset, message).
fn search(text: &str, dialect: JsDialect) -> (Vec<Hit>, Option<(usize, String)>) {
    let Some(stack) = stack_plan(text) else {
        let hits = scan::find(text, dialect == JsDialect::Dts);
        let message = "code nested too deeply to parse; found imports with a token scan, \
                       which can miss some"
            .to_owned();
        return (hits, Some((0, message)));
    };
    let parsed = catch_unwind(AssertUnwindSafe(|| match stack {
        Stack::Current => parse_with_recovery(text, dialect),
        Stack::Grow(size) => stacker::grow(size, || parse_with_recovery(text, dialect)),
    }));
    match parsed {
        Ok(result) => result,
        Err(_) => {
            // oxc itself panicked (a bug in it, or no memory for the stack): the arena may
            // be in any state, so start the next file with a fresh one.
            ARENA.with(|a| {
                if let Ok(mut a) = a.try_borrow_mut() {
                    *a = Allocator::default();
                }
            });
            let hits = scan::find(text, dialect == JsDialect::Dts);
            let message = "the JavaScript parser failed on this file; found imports with a \
                           token scan, which can miss some"
                .to_owned();
            (hits, Some((0, message)))
        }
    }
}

// Stack sizing. oxc's recursive descent uses up to ~1.5 KiB of stack per nesting level in
// a release build (measured for `(((…`, `[[[…`, `{a:{a:…`, `` `${`${…``, `A<A<…`, `f(f(…`
// at 4,000 levels), and one nesting level needs at least one byte of input.

/// Stack per byte of input (or per nesting unit counted by [`scan::nesting`]): the
/// measured worst case with a wide margin; far wider for unoptimized and sanitizer builds.
const STACK_PER_LEVEL: usize = if cfg!(debug_assertions) {
    24 << 10
} else {
    4 << 10
};
/// Stack for everything but nesting.
const STACK_BASE: usize = 256 << 10;
/// The largest stack a file may get (address space reserved, touched only as used).
const STACK_CAP: usize = 256 << 20;

/// Files at least this long whose per-byte bound is under the cap get a new stack
/// without a nesting scan: mapping a stack costs about as much as scanning 4 KiB.
const SCAN_BELOW: usize = 4 << 10;

/// Where to parse a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stack {
    /// On the caller's stack, which is deep enough.
    Current,
    /// On a new stack of this many bytes.
    Grow(usize),
}

/// Where parsing and walking `text` can run without overflowing, or `None` if it could
/// need more than [`STACK_CAP`].
///
/// A bound that holds for any input is one level per byte; files for which that fits on
/// the current stack are parsed there, and files of [`SCAN_BELOW`] bytes or more for
/// which it is under the cap get a stack of that size. Otherwise a token scan estimates
/// the nesting,
/// counting brackets and the bracket-free constructs oxc recurses on (unary,
/// conditional and assignment chains, `if`/`else` chains, `<`…) and erring high. If the
/// estimate fits the current stack (the usual case, as code nests a few dozen levels)
/// the file is parsed there; else on a new stack sized by the per-byte bound when that
/// is below the cap (small files), by the estimate otherwise.
fn stack_plan(text: &str) -> Option<Stack> {
    let remaining = stacker::remaining_stack().unwrap_or(0);
    let bound = text
        .len()
        .checked_mul(STACK_PER_LEVEL)
        .and_then(|b| b.checked_add(STACK_BASE));
    if bound.is_some_and(|b| b <= remaining) {
        return Some(Stack::Current);
    }
    if text.len() >= SCAN_BELOW
        && let Some(bound) = bound.filter(|&b| b <= STACK_CAP)
    {
        return Some(Stack::Grow(bound));
    }
    let estimate = scan::nesting(text)
        .checked_mul(STACK_PER_LEVEL)?
        .checked_add(STACK_BASE)?;
    if estimate > STACK_CAP {
        return None;
    }
    if estimate <= remaining {
        return Some(Stack::Current);
    }
    let size = bound.filter(|&b| b <= STACK_CAP).unwrap_or(estimate);
    Some(Stack::Grow(size.max(estimate)))
}

thread_local! {
    /// One arena per thread, reset between files, so that parsing a file allocates
    /// nothing once the arena has grown to the thread's usual file size.
    static ARENA: RefCell<Allocator> = RefCell::new(Allocator::default());
}

/// Arenas larger than this are freed after use, so that one huge bundle does not keep
/// its memory for the rest of the scan.
const ARENA_KEEP: usize = 64 << 20;

/// Runs `f` with a reset arena (a fresh one if the thread's arena is in use).
fn with_arena<R>(f: impl FnOnce(&Allocator) -> R) -> R {
    ARENA.with(|cell| match cell.try_borrow_mut() {
        Ok(mut arena) => {
            arena.reset();
            let r = f(&arena);
            if arena.capacity() > ARENA_KEEP {
                *arena = Allocator::default();
            } else {
                arena.reset();
            }
            r
        }
        Err(_) => f(&Allocator::default()),
    })
}

/// The outcome of one parse.
struct Attempt {
    dialect: JsDialect,
    hits: Vec<Hit>,
    /// Whether oxc gave up (and returned an empty program).
    panicked: bool,
    /// Offset and message of the first syntax error.
    error: Option<(usize, String)>,
}

fn parse_once(text: &str, dialect: JsDialect) -> Attempt {
    with_arena(|arena| {
        let options = ParseOptions {
            allow_return_outside_function: true,
            preserve_parens: false,
            enable_ident_hashes: false,
            ..ParseOptions::default()
        };
        let ret = Parser::new(arena, text, dialect.source_type())
            .with_options(options)
            .parse();
        let error = ret.diagnostics.first().map(|d| {
            let offset = d.labels.first().map_or(0, |l| l.offset() as usize);
            (offset.min(text.len()), d.message.to_string())
        });
        let mut collector = Collector::new(text, dialect == JsDialect::Dts);
        if !ret.panicked {
            collector.directives(&ret.program);
            collector.visit_program(&ret.program);
            collector.hits.sort_by_key(|h| h.start);
        }
        Attempt {
            dialect,
            hits: collector.hits,
            panicked: ret.panicked,
            error,
        }
    })
}

/// How many times a broken file is parsed again with its offending line blanked out.
const MAX_REPAIRS: usize = 4;
/// Lines longer than this are not blanked out (in a minified file the line is the file).
const MAX_BLANKED_LINE: usize = 16 << 10;

fn parse_with_recovery(text: &str, dialect: JsDialect) -> (Vec<Hit>, Option<(usize, String)>) {
    let mut best: Option<Attempt> = None;
    for &d in dialect.attempts() {
        let attempt = parse_once(text, d);
        if attempt.error.is_none() {
            return (attempt.hits, None);
        }
        // Prefer a recovered parse, then the dialect that got furthest.
        let better = best.as_ref().is_none_or(|b| {
            let key = |a: &Attempt| (!a.panicked, a.error.as_ref().map_or(0, |e| e.0));
            key(&attempt) > key(b)
        });
        if better {
            best = Some(attempt);
        }
    }
    let Some(best) = best else {
        return (Vec::new(), None);
    };
    let (offset, message) = best.error.clone().unwrap_or_default();
    let what = best.dialect.name();
    if !best.panicked {
        return (
            best.hits,
            Some((offset, format!("{what} syntax error: {message}"))),
        );
    }
    if let Some(hits) = repair(text, best.dialect, offset) {
        let note = format!(
            "{what} syntax error: {message}; read the rest of the file without the lines \
             that do not parse"
        );
        return (hits, Some((offset, note)));
    }
    let hits = scan::find(text, dialect == JsDialect::Dts);
    let note = format!(
        "{what} syntax error: {message}; found imports with a token scan, which can miss some"
    );
    (hits, Some((offset, note)))
}

/// Parses `text` again with the line holding each fatal error blanked out, up to
/// [`MAX_REPAIRS`] times; imports on blanked lines are found by the token scan.
fn repair(text: &str, dialect: JsDialect, first_error: usize) -> Option<Vec<Hit>> {
    let mut patched = text.as_bytes().to_vec();
    let mut blanked: Vec<(usize, usize)> = Vec::new();
    let mut error = first_error;
    for _ in 0..MAX_REPAIRS {
        let start = patched[..error.min(patched.len())]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let end = patched[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(patched.len(), |p| start + p);
        if end - start > MAX_BLANKED_LINE || blanked.contains(&(start, end)) {
            return None;
        }
        // Spaces keep every offset, and replacing whole lines byte by byte keeps UTF-8
        // valid (a line ends at `\n`, never inside a character).
        patched[start..end].fill(b' ');
        blanked.push((start, end));
        let patched_text = std::str::from_utf8(&patched).ok()?;
        let attempt = parse_once(patched_text, dialect);
        if attempt.panicked {
            error = attempt.error.map_or(0, |e| e.0);
            continue;
        }
        let mut hits = attempt.hits;
        let dts = dialect == JsDialect::Dts;
        for &(s, e) in &blanked {
            let line = text.get(s..e).unwrap_or("");
            hits.extend(scan::find(line, dts).into_iter().map(|mut h| {
                h.start += s;
                h.end += s;
                h
            }));
        }
        hits.sort_by_key(|h| h.start);
        return Some(hits);
    }
    None
}

/// Walks the AST collecting specifiers.
struct Collector<'s> {
    text: &'s str,
    hits: Vec<Hit>,
    /// Everything is type-only (a declaration file).
    all_dev: bool,
    /// Inside the block of a `try` statement.
    in_try: u32,
    /// Start of an `import(…)` whose promise is caught (`import("x").catch(…)`).
    caught_import: Option<u32>,
}

impl<'s> Collector<'s> {
    fn new(text: &'s str, all_dev: bool) -> Self {
        Collector {
            text,
            hits: Vec::new(),
            all_dev,
            in_try: 0,
            caught_import: None,
        }
    }

    /// Records a specifier whose contents lie at `start..end` of the text (without
    /// quotes).
    fn push(&mut self, value: &str, start: usize, end: usize, dev: bool, optional: bool) {
        let dev = dev || self.all_dev;
        let optional = optional || self.in_try > 0;
        add_hit(&mut self.hits, self.text, value, start, end, dev, optional);
    }

    fn push_literal(&mut self, lit: &StringLiteral, dev: bool, optional: bool) {
        let (start, end) = inner(lit.span.start, lit.span.end);
        self.push(lit.value.as_str(), start, end, dev, optional);
    }

    /// Records `expr` if it is a string literal or a template literal without
    /// substitutions.
    fn push_expression(&mut self, expr: &Expression, dev: bool, optional: bool) {
        match expr {
            Expression::StringLiteral(lit) => self.push_literal(lit, dev, optional),
            Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
                if let Some(q) = t.quasis.first() {
                    let value = q.value.cooked.as_ref().unwrap_or(&q.value.raw).as_str();
                    let (start, end) = inner(t.span.start, t.span.end);
                    self.push(value, start, end, dev, optional);
                }
            }
            _ => {}
        }
    }

    fn push_argument(&mut self, args: &[Argument]) {
        if let Some(expr) = args.first().and_then(Argument::as_expression) {
            self.push_expression(expr, false, false);
        }
    }

    /// Triple-slash `types` directives (which TypeScript reads only before the first
    /// statement) and `@jsxImportSource` pragmas.
    fn directives(&mut self, program: &Program) {
        let code_start = program
            .directives
            .first()
            .map(|d| d.span.start)
            .into_iter()
            .chain(program.body.first().map(|s| s.span().start))
            .min()
            .unwrap_or(u32::MAX);
        for comment in &program.comments {
            self.comment(comment, comment.span.end <= code_start);
        }
    }

    fn comment(&mut self, comment: &Comment, leading: bool) {
        let (start, end) = (comment.span.start as usize, comment.span.end as usize);
        let Some(body) = self.text.get(start..end) else {
            return;
        };
        if leading && body.starts_with("///") {
            if let Some((s, e)) = reference_types(body) {
                let name = body.get(s..e).unwrap_or("");
                match definitely_typed(name) {
                    // TypeScript looks for `types="node"` in node_modules/@types first: the
                    // package to install is DefinitelyTyped's `@types/node`. (A package
                    // that ships its own types is found there second, hence `inferred`.)
                    Some(package) => self.hits.push(Hit {
                        spec: package,
                        start: start + s,
                        end: start + e,
                        dev: true,
                        optional: self.in_try > 0,
                        inferred: true,
                    }),
                    // `vite/client`, `@cloudflare/workers-types`: the package's own types.
                    None => {
                        let name = name.to_owned();
                        self.push(&name, start + s, start + e, true, false);
                    }
                }
            }
        } else if let Some(at) = body.find("@jsxImportSource") {
            let rest = &body[at + "@jsxImportSource".len()..];
            let skip = rest.len() - rest.trim_start().len();
            let name_len = rest[skip..]
                .find(|c: char| c.is_whitespace() || c == '*')
                .unwrap_or(rest.len() - skip);
            if skip > 0 && name_len > 0 {
                let s = start + at + "@jsxImportSource".len() + skip;
                let name = self.text.get(s..s + name_len).unwrap_or("").to_owned();
                self.push(&name, s, s + name_len, false, false);
            }
        }
    }
}

/// Adds a specifier whose contents lie at `start..end` of `text`, splitting loader chains
/// (`style-loader!css-loader!./x.css`) into their parts, each with its own span.
fn add_hit(
    hits: &mut Vec<Hit>,
    text: &str,
    value: &str,
    start: usize,
    end: usize,
    dev: bool,
    optional: bool,
) {
    if value.is_empty() {
        return;
    }
    let raw = text.get(start..end);
    if value.contains('!') && !value.contains("://") && raw == Some(value) {
        let mut at = start;
        for part in value.split('!') {
            if !part.is_empty() && part != "-" {
                hits.push(Hit {
                    spec: part.to_owned(),
                    start: at,
                    end: at + part.len(),
                    dev,
                    optional,
                    inferred: false,
                });
            }
            at += part.len() + 1;
        }
        return;
    }
    hits.push(Hit {
        spec: value.to_owned(),
        start,
        end: end.max(start),
        dev,
        optional,
        inferred: false,
    });
}

/// Offsets of the contents of a literal spanning `start..end` (quotes or backticks are
/// one byte each).
fn inner(start: u32, end: u32) -> (usize, usize) {
    let s = start as usize + 1;
    let e = (end as usize).saturating_sub(1).max(s);
    (s, e)
}

/// The span of `NAME` in a `/// <reference types="NAME" />` comment (not of `path=`,
/// which names a file, nor of `lib=`, which names one of TypeScript's own libraries).
fn reference_types(comment: &str) -> Option<(usize, usize)> {
    let b = comment.as_bytes();
    let tag = comment.strip_prefix("///")?.trim_start();
    let mut i = comment.len() - tag.strip_prefix("<reference")?.len();
    let skip_space = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    // Attributes, `name="value"` or `name='value'`, until something else.
    loop {
        let name_start = skip_space(i);
        let mut name_end = name_start;
        while b
            .get(name_end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            name_end += 1;
        }
        if name_end == name_start || name_start == i {
            return None;
        }
        let eq = skip_space(name_end);
        if b.get(eq) != Some(&b'=') {
            return None;
        }
        let open = skip_space(eq + 1);
        let quote = *b.get(open).filter(|c| matches!(c, b'"' | b'\''))?;
        let value_start = open + 1;
        let value_end = value_start + b[value_start..].iter().position(|&c| c == quote)?;
        if &comment[name_start..name_end] == "types" {
            return (value_end > value_start).then_some((value_start, value_end));
        }
        i = value_end + 1;
    }
}

/// The DefinitelyTyped package for a `types` directive that names a package without a
/// subpath or scope (`node` → `@types/node`).
fn definitely_typed(name: &str) -> Option<String> {
    let plain = !name.is_empty()
        && !name.starts_with(['.', '_'])
        && name.bytes().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'.' | b'_')
        });
    plain.then(|| format!("@types/{name}"))
}

fn is_named(expr: &Expression, name: &str) -> bool {
    matches!(expr, Expression::Identifier(id) if id.name.as_str() == name)
}

impl<'a> Visit<'a> for Collector<'_> {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let type_only = it.import_kind.is_type()
            || it.specifiers.as_ref().is_some_and(|specs| {
                !specs.is_empty()
                    && specs.iter().all(|s| {
                        matches!(s, ImportDeclarationSpecifier::ImportSpecifier(s)
                                     if s.import_kind.is_type())
                    })
            });
        self.push_literal(&it.source, type_only, false);
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        let type_only = it.export_kind.is_type()
            || (!it.specifiers.is_empty() && it.specifiers.iter().all(|s| s.export_kind.is_type()));
        self.push_literal(&it.source, type_only, false);
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        self.push_literal(&it.source, it.export_kind.is_type(), false);
    }

    fn visit_ts_import_equals_declaration(&mut self, it: &TSImportEqualsDeclaration<'a>) {
        if let TSModuleReference::ExternalModuleReference(r) = &it.module_reference {
            self.push_literal(&r.expression, it.import_kind.is_type(), false);
        }
    }

    fn visit_ts_import_type(&mut self, it: &TSImportType<'a>) {
        self.push_literal(&it.source, true, false);
        walk::walk_ts_import_type(self, it);
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        let caught = self.caught_import == Some(it.span.start);
        self.push_expression(&it.source, false, caught);
        walk::walk_import_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        match &it.callee {
            callee if is_named(callee, "require") => self.push_argument(&it.arguments),
            Expression::StaticMemberExpression(m) => {
                let prop = m.property.name.as_str();
                let loads = match (&m.object, prop) {
                    (obj, "resolve") if is_named(obj, "require") => true,
                    (obj, "require") if is_named(obj, "module") => true,
                    (Expression::ImportMeta(_), "resolve") => true,
                    (Expression::ImportExpression(import), "catch") => {
                        self.caught_import = Some(import.span.start);
                        false
                    }
                    _ => false,
                };
                if loads {
                    self.push_argument(&it.arguments);
                }
            }
            _ => {}
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        self.in_try += 1;
        self.visit_block_statement(&it.block);
        self.in_try -= 1;
        if let Some(handler) = &it.handler {
            self.visit_catch_clause(handler);
        }
        if let Some(finalizer) = &it.finalizer {
            self.visit_block_statement(finalizer);
        }
    }
}

/// Where a module specifier points, as far as its text tells.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpecifierTarget {
    /// An npm package: the package name (`lodash/fp` → `lodash`, `@scope/pkg/sub` →
    /// `@scope/pkg`, `npm:chalk@5` → `chalk`, `buffer/` → `buffer`: the trailing slash
    /// asks for the package rather than the built-in).
    Package(String),
    /// `./x`, `../x`, `.`, `..`: the project's own files.
    Relative,
    /// `/x`, `C:\x`, `file:///x`.
    Absolute,
    /// `https://…`, `//cdn…`, `data:…`.
    Url,
    /// A runtime built-in: the Node.js module name (`node:fs` and `fs` → `fs`,
    /// `fs/promises`, `node:test`) or a Bun module with its prefix (`bun:sqlite`).
    NodeBuiltin(String),
    /// A package-internal import (`#internal`), mapped by package.json `imports`.
    Subpath,
    /// A package on another registry (`jsr:@std/path@1` → `jsr`, `@std/path`).
    OtherRegistry {
        /// The registry (`jsr`).
        registry: String,
        /// The package name, without version and subpath.
        name: String,
    },
    /// A bundler or framework alias or virtual module, never an npm package:
    /// `virtual:x`, `astro:content`, any other `word:` scheme, `~/x`, `~icons/x`,
    /// `@/x`, `$lib/x`, `\0x`.
    Alias,
    /// Cannot name anything installable (`@scope` alone, empty, spaces…).
    Invalid,
}

/// What a specifier as written points to, for the resolver.
///
/// Loader chains (`style-loader!css-loader!./x.css`, `!!raw-loader!./x`) give their first
/// loader (the finder reports each part separately); query strings and fragments
/// (`./x.svg?raw`, `lodash?x`) are ignored.
pub fn package_of_specifier(spec: &str) -> SpecifierTarget {
    let mut spec = spec;
    if !spec.contains("://") {
        spec = spec
            .strip_prefix("-!")
            .or_else(|| spec.strip_prefix("!!"))
            .or_else(|| spec.strip_prefix('!'))
            .unwrap_or(spec);
        if let Some((first, _)) = spec.split_once('!') {
            spec = first;
        }
    }
    if spec.is_empty() {
        return SpecifierTarget::Invalid;
    }
    if spec.starts_with('\0') {
        return SpecifierTarget::Alias;
    }
    if matches!(spec, "." | "..")
        || ["./", "../", ".\\", "..\\"]
            .iter()
            .any(|p| spec.starts_with(p))
    {
        return SpecifierTarget::Relative;
    }
    if spec.starts_with("//") || spec.starts_with("\\\\") {
        return if spec.starts_with("//") {
            SpecifierTarget::Url
        } else {
            SpecifierTarget::Absolute
        };
    }
    if spec.starts_with('/') || spec.starts_with('\\') {
        return SpecifierTarget::Absolute;
    }
    if spec.starts_with('#') {
        return SpecifierTarget::Subpath;
    }
    if let Some((scheme, rest)) = split_scheme(spec) {
        return scheme_target(spec, &scheme, rest);
    }
    let bare = strip_query(spec);
    if bare.starts_with('~') || bare.starts_with('$') || bare.starts_with("@/") {
        return SpecifierTarget::Alias;
    }
    if NODE_BUILTIN_MODULES.contains(&bare) {
        return SpecifierTarget::NodeBuiltin(bare.to_owned());
    }
    match package_name(bare) {
        Some(name) => SpecifierTarget::Package(name.to_owned()),
        None => SpecifierTarget::Invalid,
    }
}

/// `spec` without a `?query` or `#fragment`.
fn strip_query(spec: &str) -> &str {
    spec.find(['?', '#']).map_or(spec, |i| &spec[..i])
}

/// The scheme (lowercased) and the rest of `scheme:rest`, for RFC 3986 schemes.
fn split_scheme(spec: &str) -> Option<(String, &str)> {
    let (scheme, rest) = spec.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_ok && rest_ok).then(|| (scheme.to_ascii_lowercase(), rest))
}

fn scheme_target(spec: &str, scheme: &str, rest: &str) -> SpecifierTarget {
    match scheme {
        "node" => match strip_query(rest) {
            "" => SpecifierTarget::Invalid,
            name => SpecifierTarget::NodeBuiltin(name.to_owned()),
        },
        "bun" => match strip_query(rest) {
            "" => SpecifierTarget::Invalid,
            _ => SpecifierTarget::NodeBuiltin(strip_query(spec).to_owned()),
        },
        "npm" => match versioned_name(rest.trim_start_matches('/')) {
            Some(name) if validate(name).is_ok() => SpecifierTarget::Package(name.to_owned()),
            _ => SpecifierTarget::Invalid,
        },
        "jsr" => match versioned_name(rest.trim_start_matches('/')) {
            Some(name) => SpecifierTarget::OtherRegistry {
                registry: "jsr".to_owned(),
                name: name.to_owned(),
            },
            None => SpecifierTarget::Invalid,
        },
        "http" | "https" | "ftp" | "data" | "blob" => SpecifierTarget::Url,
        "file" => SpecifierTarget::Absolute,
        // A Windows drive: `C:\x`, `c:/x`.
        s if s.len() == 1 && (rest.starts_with('\\') || rest.starts_with('/')) => {
            SpecifierTarget::Absolute
        }
        _ => SpecifierTarget::Alias,
    }
}

/// The name in `name@version/sub` or `@scope/name@version/sub` (Deno's `npm:` and `jsr:`).
fn versioned_name(s: &str) -> Option<&str> {
    let s = strip_query(s);
    let name_start = if s.starts_with('@') {
        s.find('/')? + 1
    } else {
        0
    };
    let end = s[name_start..]
        .find(['@', '/'])
        .map_or(s.len(), |i| name_start + i);
    let name = &s[..end];
    (end > name_start).then_some(name)
}

/// The package name of a bare specifier: `pkg/sub` → `pkg`, `@scope/pkg/sub` →
/// `@scope/pkg`, if it is a name npm accepts (legacy names included).
fn package_name(bare: &str) -> Option<&str> {
    let end = if bare.starts_with('@') {
        let slash = bare.find('/')?;
        if slash == 1 {
            return None;
        }
        bare[slash + 1..]
            .find('/')
            .map_or(bare.len(), |i| slash + 1 + i)
    } else {
        bare.find('/').unwrap_or(bare.len())
    };
    let name = &bare[..end];
    validate(name).is_ok().then_some(name)
}

/// A rough tokenizer for text oxc cannot parse: it never fails, never recurses, and
/// knows just enough JavaScript (comments, strings, templates, regular expressions,
/// brackets) to find import forms and to estimate how deeply code nests.
mod scan {
    use super::Hit;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Tok {
        /// An identifier or keyword.
        Word,
        /// A string literal; the span is its contents.
        Str,
        /// A whole template literal without substitutions; the span is its contents.
        Template,
        /// One punctuation byte.
        Punct(u8),
        /// Numbers, regular expressions, template parts.
        Other,
    }

    /// Opener kinds on the bracket stack.
    const TEMPLATE: u8 = b'`';

    pub(super) struct Lexer<'s> {
        b: &'s [u8],
        pos: usize,
        regex_ok: bool,
        /// Open brackets `(`, `[`, `{` and template substitutions.
        pub(super) stack: Vec<u8>,
    }

    /// After this word `/` starts a regular expression.
    const REGEX_AFTER: u8 = 1;
    /// A prefix operator or chain keyword (see [`Level::expr`]).
    const EXPR: u8 = 2;
    /// A statement keyword with a nested body (see [`Level::stmt`]).
    const STMT: u8 = 4;
    /// A keyword that continues the statement before it.
    const CONTINUES: u8 = 8;

    /// What a word is to the scanner; one `match` (a jump on length) rather than list
    /// look-ups, as this runs for every identifier of every file.
    fn word_class(w: &[u8]) -> u8 {
        match w {
            b"in" | b"of" | b"case" | b"throw" | b"return" | b"instanceof" => REGEX_AFTER,
            b"typeof" | b"void" | b"delete" | b"await" | b"yield" | b"new" => EXPR | REGEX_AFTER,
            b"keyof" | b"readonly" | b"infer" | b"unique" | b"async" | b"extends" => EXPR,
            b"do" | b"else" => STMT | CONTINUES | REGEX_AFTER,
            b"while" => STMT | CONTINUES,
            b"if" | b"for" | b"with" => STMT,
            b"catch" | b"finally" => CONTINUES,
            _ => 0,
        }
    }

    /// Bytes that continue an identifier (`\` for escapes, all non-ASCII bytes).
    static IDENT: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let c = i as u8;
            t[i] = c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 || c == b'\\';
            i += 1;
        }
        t
    };

    fn is_ident(c: u8) -> bool {
        IDENT[c as usize]
    }

    impl<'s> Lexer<'s> {
        pub(super) fn new(text: &'s str) -> Self {
            let b = text.as_bytes();
            let mut pos = 0;
            if b.starts_with(b"#!") {
                pos = b.iter().position(|&c| c == b'\n').unwrap_or(b.len());
            }
            Lexer {
                b,
                pos,
                regex_ok: true,
                stack: Vec::new(),
            }
        }

        fn at(&self, i: usize) -> u8 {
            self.b.get(i).copied().unwrap_or(0)
        }

        /// Skips to the end of the template part starting at `self.pos` (just after a
        /// backtick or a substitution's `}`); true if the template ended.
        fn template_part(&mut self) -> bool {
            while self.pos < self.b.len() {
                match self.b[self.pos] {
                    b'\\' => self.pos += 2,
                    b'`' => {
                        self.pos += 1;
                        return true;
                    }
                    b'$' if self.at(self.pos + 1) == b'{' => {
                        self.pos += 2;
                        self.stack.push(TEMPLATE);
                        return false;
                    }
                    _ => self.pos += 1,
                }
            }
            self.pos = self.b.len();
            true
        }

        /// The next token and its span.
        pub(super) fn next_token(&mut self) -> Option<(Tok, usize, usize)> {
            let b = self.b;
            loop {
                while self.pos < b.len() && b[self.pos].is_ascii_whitespace() {
                    self.pos += 1;
                }
                if self.pos >= b.len() {
                    return None;
                }
                let start = self.pos;
                let c = b[start];
                match c {
                    b'/' if self.at(start + 1) == b'/' => {
                        self.pos = b[start..]
                            .iter()
                            .position(|&c| c == b'\n')
                            .map_or(b.len(), |p| start + p);
                    }
                    b'/' if self.at(start + 1) == b'*' => {
                        self.pos = b[start + 2..]
                            .windows(2)
                            .position(|w| w == b"*/")
                            .map_or(b.len(), |p| start + 2 + p + 2);
                    }
                    b'/' if self.regex_ok => {
                        let mut i = start + 1;
                        let mut class = false;
                        while i < b.len() && b[i] != b'\n' {
                            match b[i] {
                                b'\\' => i += 1,
                                b'[' => class = true,
                                b']' => class = false,
                                b'/' if !class => break,
                                _ => {}
                            }
                            i += 1;
                        }
                        i = (i + 1).min(b.len());
                        while i < b.len() && b[i].is_ascii_alphabetic() {
                            i += 1;
                        }
                        self.pos = i;
                        self.regex_ok = false;
                        return Some((Tok::Other, start, i));
                    }
                    b'"' | b'\'' => {
                        let mut i = start + 1;
                        while i < b.len() && b[i] != c && b[i] != b'\n' {
                            if b[i] == b'\\' {
                                i += 1;
                            }
                            i += 1;
                        }
                        let end = i.min(b.len());
                        self.pos = (i + 1).min(b.len());
                        self.regex_ok = false;
                        return Some((Tok::Str, start + 1, end));
                    }
                    b'`' => {
                        self.pos = start + 1;
                        let ended = self.template_part();
                        self.regex_ok = !ended;
                        if ended && !b[start + 1..self.pos].contains(&b'$') {
                            let end = self.pos.saturating_sub(1).max(start + 1);
                            return Some((Tok::Template, start + 1, end));
                        }
                        return Some((Tok::Other, start, self.pos));
                    }
                    b'}' if self.stack.last() == Some(&TEMPLATE) => {
                        self.stack.pop();
                        self.pos = start + 1;
                        let ended = self.template_part();
                        self.regex_ok = !ended;
                        return Some((Tok::Other, start, self.pos));
                    }
                    b'(' | b'[' | b'{' => {
                        self.stack.push(c);
                        self.pos = start + 1;
                        self.regex_ok = true;
                        return Some((Tok::Punct(c), start, start + 1));
                    }
                    b')' | b']' | b'}' => {
                        // Tolerant: a stray closer pops whatever is open, but never a
                        // template, whose `}` decides where its text resumes.
                        if self.stack.last().is_some_and(|&t| t != TEMPLATE) {
                            self.stack.pop();
                        }
                        self.pos = start + 1;
                        self.regex_ok = c == b'}';
                        return Some((Tok::Punct(c), start, start + 1));
                    }
                    b'0'..=b'9' => {
                        let mut i = start + 1;
                        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                            i += 1;
                        }
                        self.pos = i;
                        self.regex_ok = false;
                        return Some((Tok::Other, start, i));
                    }
                    c if is_ident(c) || c == b'#' => {
                        let mut i = start + 1;
                        while i < b.len() && is_ident(b[i]) {
                            i += if b[i] == b'\\' { 2 } else { 1 };
                        }
                        let i = i.min(b.len());
                        self.pos = i;
                        self.regex_ok = word_class(&b[start..i]) & REGEX_AFTER != 0;
                        return Some((Tok::Word, start, i));
                    }
                    _ => {
                        self.pos = start + 1;
                        self.regex_ok = true;
                        return Some((Tok::Punct(c), start, start + 1));
                    }
                }
            }
        }
    }

    /// Per-bracket counts of constructs oxc recurses on without brackets.
    #[derive(Default, Clone, Copy)]
    struct Level {
        /// Unary operators, `?`, `:`, assignments, arrows: they end at `;` or `,`.
        expr: usize,
        /// `if`, `else`, `for`, `while`, `with`, `do`: they end at `;` unless `else`
        /// (or `while`, `catch`, `finally`) continues them.
        stmt: usize,
        /// `<`, for JSX elements and type arguments, whose text may hold `;` and `,`.
        angle: usize,
    }

    /// An estimate (meant to err high) of how many levels deep oxc will recurse on
    /// `text`, in units of one bracket.
    pub(super) fn nesting(text: &str) -> usize {
        let mut lex = Lexer::new(text);
        let mut levels = vec![Level::default()];
        let mut current = 0usize;
        let mut max = 0usize;
        let mut pending_stmt_reset = false;
        while let Some((tok, s, e)) = lex.next_token() {
            // Follow the lexer's bracket stack (it changes by at most one per token).
            while levels.len() > lex.stack.len() + 1 {
                if let Some(l) = levels.pop() {
                    current = current.saturating_sub(1 + l.expr + l.stmt + l.angle);
                }
            }
            while levels.len() < lex.stack.len() + 1 {
                levels.push(Level::default());
                current += 1;
            }
            let Some(level) = levels.last_mut() else {
                break;
            };
            let class = if tok == Tok::Word {
                word_class(&text.as_bytes()[s..e])
            } else {
                0
            };
            if pending_stmt_reset {
                pending_stmt_reset = false;
                if class & CONTINUES == 0 {
                    current = current.saturating_sub(level.stmt);
                    level.stmt = 0;
                }
            }
            match tok {
                Tok::Punct(b';') => {
                    current = current.saturating_sub(level.expr);
                    level.expr = 0;
                    pending_stmt_reset = true;
                }
                Tok::Punct(b',') => {
                    current = current.saturating_sub(level.expr);
                    level.expr = 0;
                }
                Tok::Punct(b'<') => {
                    level.angle += 1;
                    current += 1;
                }
                Tok::Punct(b'?' | b':' | b'=' | b'!' | b'~' | b'+' | b'-' | b'*' | b'@') => {
                    level.expr += 1;
                    current += 1;
                }
                Tok::Word if class & EXPR != 0 => {
                    level.expr += 1;
                    current += 1;
                }
                Tok::Word if class & STMT != 0 => {
                    level.stmt += 1;
                    current += 1;
                }
                _ => {}
            }
            max = max.max(current);
        }
        max + 1
    }

    /// Import forms found by tokens: `import "x"`, `… from "x"`, `import("x")`,
    /// `require("x")`, `require.resolve("x")`; type-only when the statement starts with
    /// `import type` or `export type`.
    pub(super) fn find(text: &str, all_dev: bool) -> Vec<Hit> {
        let mut lex = Lexer::new(text);
        let mut toks = Vec::new();
        while let Some(t) = lex.next_token() {
            toks.push(t);
        }
        let word = |i: usize| -> &str {
            match toks.get(i) {
                Some(&(Tok::Word, s, e)) => text.get(s..e).unwrap_or(""),
                _ => "",
            }
        };
        let punct = |i: usize, c: u8| matches!(toks.get(i), Some(&(Tok::Punct(p), _, _)) if p == c);
        let string = |i: usize| match toks.get(i) {
            Some(&(Tok::Str | Tok::Template, s, e)) => text.get(s..e).map(|v| (v, s, e)),
            _ => None,
        };
        let mut hits = Vec::new();
        let mut type_only = false;
        for i in 0..toks.len() {
            let after_dot = i > 0 && punct(i - 1, b'.');
            let spec = match word(i) {
                "import" | "export" if !after_dot => {
                    type_only =
                        word(i + 1) == "type" && !punct(i + 2, b',') && word(i + 2) != "from";
                    if word(i) == "import" && punct(i + 1, b'(') {
                        string(i + 2)
                    } else if word(i) == "import" {
                        string(i + 1)
                    } else {
                        None
                    }
                }
                "from" => string(i + 1),
                "require" if !after_dot || word(i.wrapping_sub(2)) == "module" => {
                    if punct(i + 1, b'(') {
                        string(i + 2)
                    } else if punct(i + 1, b'.') && word(i + 2) == "resolve" && punct(i + 3, b'(') {
                        string(i + 4)
                    } else {
                        None
                    }
                }
                _ => None,
            };
            if punct(i, b';') {
                type_only = false;
            }
            if let Some((value, s, e)) = spec {
                super::add_hit(&mut hits, text, value, s, e, all_dev || type_only, false);
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (specifier, dev, optional) of every mention, in order.
    fn found(text: &str, dialect: JsDialect) -> (Vec<(String, bool, bool)>, Output) {
        let code = Code::file("src/app.js".into(), text);
        let mut out = Output::default();
        find(&code, dialect, &mut out);
        let specs = out
            .found
            .iter()
            .map(|f| match &f.mention {
                Mention::JsImport { specifier } if !f.uncertain => {
                    (specifier.clone(), f.dev, f.optional)
                }
                Mention::Package {
                    ecosystem: Ecosystem::Npm,
                    name,
                } if f.uncertain => (name.clone(), f.dev, f.optional),
                other => panic!("unexpected mention {other:?}"),
            })
            .collect();
        (specs, out)
    }

    fn specs(text: &str, dialect: JsDialect) -> Vec<String> {
        found(text, dialect).0.into_iter().map(|s| s.0).collect()
    }

    fn s(v: &str, dev: bool, optional: bool) -> (String, bool, bool) {
        (v.to_owned(), dev, optional)
    }

    /// The text each mention's span covers, with its line and column.
    fn spans(text: &str, out: &Output) -> Vec<(String, u32, u32)> {
        out.found
            .iter()
            .map(|f| {
                let l = &f.location;
                (
                    text[l.start as usize..l.end as usize].to_owned(),
                    l.line,
                    l.column,
                )
            })
            .collect()
    }

    const EXPRESS: &str = r#"'use strict';

const express = require('express');
const path = require("path");
const { promisify } = require('node:util');
const bodyParser = require('body-parser');
let redis;
try {
  redis = require('ioredis');
} catch (err) {
  redis = null;
}
const app = express();
app.use(bodyParser.json());
app.use('/static', express.static(path.join(__dirname, 'public')));
const views = require.resolve('./views/index.ejs');
const config = require(`./config/${process.env.NODE_ENV}.json`);
const helpers = module.require('./helpers');
app.get('/', (req, res) => res.send('require("not-an-import")'));
if (require.main === module) {
  return app.listen(3000);
}
module.exports = app;
"#;

    #[test]
    fn express_server_in_commonjs() {
        let (found, out) = found(EXPRESS, JsDialect::Js);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            found,
            vec![
                s("express", false, false),
                s("path", false, false),
                s("node:util", false, false),
                s("body-parser", false, false),
                s("ioredis", false, true),
                s("./views/index.ejs", false, false),
                s("./helpers", false, false),
            ]
        );
        let spans = spans(EXPRESS, &out);
        assert_eq!(spans[0], ("express".to_owned(), 3, 26));
        assert_eq!(spans[4], ("ioredis".to_owned(), 9, 20));
        assert_eq!(spans[5], ("./views/index.ejs".to_owned(), 16, 32));
    }

    const REACT_TSX: &str = r#"import React, { useState, type ReactNode } from "react";
import type { FC } from "react";
import { type Theme, type Palette } from "@mui/material/styles";
import styled from '@emotion/styled';
import './App.css';
import * as api from "../api/client";
export type { User } from "./types";
export { Button } from "@/components/ui/button";

const Settings = React.lazy(() => import("./pages/Settings"));
type Icons = typeof import("lucide-react");

interface Props { children: ReactNode; theme: Theme }

export const App: FC<Props> = ({ children }) => {
  const [n, setN] = useState<number>(0);
  return <div onClick={() => setN(n + 1)}>{children}<Settings /></div>;
};
"#;

    #[test]
    fn react_component_in_tsx_with_type_imports() {
        let (found, out) = found(REACT_TSX, JsDialect::Tsx);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            found,
            vec![
                s("react", false, false),
                s("react", true, false),
                s("@mui/material/styles", true, false),
                s("@emotion/styled", false, false),
                s("./App.css", false, false),
                s("../api/client", false, false),
                s("./types", true, false),
                s("@/components/ui/button", false, false),
                s("./pages/Settings", false, false),
                s("lucide-react", true, false),
            ]
        );
        let spans = spans(REACT_TSX, &out);
        assert_eq!(spans[0], ("react".to_owned(), 1, 50));
        assert_eq!(spans[2], ("@mui/material/styles".to_owned(), 3, 43));
        assert_eq!(spans[9], ("lucide-react".to_owned(), 11, 29));
    }

    const ESM_SCRIPT: &str = r#"#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import chalk from 'chalk';
import pkg from './package.json' with { type: 'json' };
export * from './lib/index.js';
export * as utils from "lodash-es";
export { default as debounce } from 'lodash/debounce';

const plugin = process.argv[2];
const mod = await import(plugin);
const { marked } = await import(`marked`);
let sharp;
try {
  sharp = (await import('sharp')).default;
} catch {}
const yaml = await import('js-yaml').catch(() => null);
const workerUrl = import.meta.resolve('./worker.js');
console.log(chalk.green(await readFile(path.join('.', 'x'))));
"#;

    #[test]
    fn esm_node_script_with_dynamic_imports() {
        let (found, out) = found(ESM_SCRIPT, JsDialect::Js);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            found,
            vec![
                s("node:fs/promises", false, false),
                s("node:path", false, false),
                s("chalk", false, false),
                s("./package.json", false, false),
                s("./lib/index.js", false, false),
                s("lodash-es", false, false),
                s("lodash/debounce", false, false),
                s("marked", false, false),
                s("sharp", false, true),
                s("js-yaml", false, true),
                s("./worker.js", false, false),
            ]
        );
        let spans = spans(ESM_SCRIPT, &out);
        assert_eq!(spans[7], ("marked".to_owned(), 12, 34));
    }

    #[test]
    fn typescript_specific_forms() {
        let text = r#"/// <reference types="node" />
/// <reference types="vite/client" />
/// <reference path="./globals.d.ts" />
/// <reference path="./types.d.ts" />
/// <reference lib="dom" />
/// <reference path='./mytypes.d.ts' types='google.maps' />
///<reference types="@cloudflare/workers-types" />
/// <reference no-default-lib="true"/>
/** @jsxImportSource @emotion/react */
import fs = require("fs");
import type Express = require("express");
export import Yaml = require("yaml");
declare module "virtual-config" {
  import { Schema } from "zod";
  export const schema: Schema;
}
declare module "*.svg" {
  const src: string;
  export default src;
}
let x: import("./types").Config;
/// <reference types="late" />
"#;
        let (found, out) = found(text, JsDialect::Ts);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            found,
            vec![
                s("@types/node", true, false),
                s("vite/client", true, false),
                s("@types/google.maps", true, false),
                s("@cloudflare/workers-types", true, false),
                s("@emotion/react", false, false),
                s("fs", false, false),
                s("express", true, false),
                s("yaml", false, false),
                s("zod", false, false),
                s("./types", true, false),
            ]
        );
        let spans = spans(text, &out);
        // The span covers the name as written.
        assert_eq!(spans[0], ("node".to_owned(), 1, 23));
        assert_eq!(spans[2], ("google.maps".to_owned(), 6, 45));
        assert_eq!(spans[4], ("@emotion/react".to_owned(), 9, 22));
    }

    #[test]
    fn declaration_files_are_type_only() {
        let text = "import { Readable } from 'stream';\nexport * from './a';\n\
                    declare const x: typeof import('rxjs');\n";
        let (found, _) = found(text, JsDialect::Dts);
        assert_eq!(
            found,
            vec![
                s("stream", true, false),
                s("./a", true, false),
                s("rxjs", true, false)
            ]
        );
    }

    #[test]
    fn loader_chains_are_split_into_their_parts() {
        let text = "import css from '!!style-loader!css-loader?modules!./app.css';\n\
                    require('raw-loader!lodash/README.md');\n";
        let (found, out) = found(text, JsDialect::Js);
        let specs: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            specs,
            [
                "style-loader",
                "css-loader?modules",
                "./app.css",
                "raw-loader",
                "lodash/README.md"
            ]
        );
        for (f, (spec, _, _)) in out.found.iter().zip(&found) {
            assert_eq!(
                &text[f.location.start as usize..f.location.end as usize],
                spec
            );
        }
        // URLs keep their `!`.
        assert_eq!(
            specs_of("import 'https://x.dev/a!b.js';"),
            ["https://x.dev/a!b.js"]
        );
    }

    fn specs_of(text: &str) -> Vec<String> {
        specs(text, JsDialect::Js)
    }

    #[test]
    fn non_literal_and_lookalike_calls_are_not_imports() {
        let text = "require(name);\nrequire('a' + b);\nimport(`./locale/${lang}.js`);\n\
                    foo.require('x');\nnew require('y');\nobj.import;\nrequire();\n\
                    const s = \"import x from 'nope'\";\n// require('commented')\n\
                    /* import 'commented' */\nrequire.context('./dir', true);\n";
        assert_eq!(specs_of(text), Vec::<String>::new());
    }

    #[test]
    fn syntax_error_is_one_warning_and_the_rest_is_still_read() {
        let text = "import a from 'alpha';\nconst x = ;\nimport b from 'beta';\n\
                    const y = require('gamma');\n";
        let (found, out) = found(text, JsDialect::Js);
        let specs: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(specs, ["alpha", "beta", "gamma"]);
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(2));
        assert!(
            out.diagnostics[0].message.contains("Unexpected token"),
            "{:?}",
            out.diagnostics
        );
        // An import on the broken line itself is found by the token scan.
        let text = "import a from 'alpha';\nimport { b from 'beta';\nrequire('gamma');\n";
        assert_eq!(specs_of(text), ["alpha", "beta", "gamma"]);
    }

    #[test]
    fn unclosed_code_falls_back_to_the_token_scan() {
        let text = "import a from 'alpha';\nfunction f() {\n  if (x) {\n    require('beta');\n";
        let (found, out) = found(text, JsDialect::Js);
        let specs: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(specs, ["alpha", "beta"]);
        assert_eq!(out.diagnostics.len(), 1);
        assert!(
            out.diagnostics[0].message.contains("token scan"),
            "{:?}",
            out.diagnostics
        );
    }

    #[test]
    fn flow_and_typescript_in_js_files_are_retried() {
        // React Native style: Flow annotations in a `.js` file.
        let flow = "// @flow\nimport type { Node } from 'react';\nimport { View } from \
                    'react-native';\nfunction App(props: Props): Node { return null; }\n";
        let (got, out) = found(flow, JsDialect::Js);
        assert_eq!(
            got,
            vec![s("react", true, false), s("react-native", false, false)]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        // Flow-only syntax that TypeScript cannot read either still gives its imports.
        let exact = "// @flow\nimport type { T } from 't';\nimport a from 'a';\n\
                     type P = {| a: ?string |};\nconst z = require('z');\n";
        let (got, out) = found(exact, JsDialect::Js);
        assert_eq!(
            got,
            vec![
                s("t", true, false),
                s("a", false, false),
                s("z", false, false)
            ]
        );
        assert_eq!(out.diagnostics.len(), 1);
        // JSX in a `.ts` file.
        let tsx = "import React from 'react';\nexport const A = () => <div>{1}</div>;\n";
        assert_eq!(specs(tsx, JsDialect::Ts), ["react"]);
    }

    #[test]
    fn text_that_is_not_javascript_does_not_crash() {
        let inputs = [
            "import os\nfrom pathlib import Path\nprint(os.getcwd())\n",
            "# Title\n\nSome *markdown* with `code` and a [link](http://x).\n",
            "\u{0}\u{1}\u{2}\u{fffd}\u{7f}binary\u{0}",
            "\"unterminated",
            "`unterminated ${ template",
            "/* unterminated comment",
            "import",
            "import(",
            "require('",
            "}}}}]]]))))",
            "<div><span>",
            "\u{feff}import x from 'bom';",
        ];
        for input in inputs {
            for dialect in [JsDialect::Js, JsDialect::Ts, JsDialect::Tsx, JsDialect::Dts] {
                let _ = found(input, dialect);
            }
        }
        assert_eq!(specs_of("\u{feff}import x from 'bom';"), ["bom"]);
    }

    /// Runs `f` on a thread with a small stack, like a scanner's worker thread.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let shapes: [(&str, &str, &str, &str, JsDialect); 11] = [
            ("x = ", "[", "1", "]", JsDialect::Js),
            ("x = ", "(", "1", ")", JsDialect::Js),
            ("x = ", "{a:", "1", "}", JsDialect::Js),
            ("x = ", "!", "x", "", JsDialect::Js),
            ("x = ", "a ? b : ", "c", "", JsDialect::Js),
            ("", "if (a) ", "x", "", JsDialect::Js),
            ("x = ", "f(", "1", ")", JsDialect::Js),
            ("x = ", "`${", "1", "}`", JsDialect::Js),
            ("x = ", "<a>", "", "</a>", JsDialect::Jsx),
            ("x = ", "y => ", "1", "", JsDialect::Ts),
            ("x = null as ", "A<", "B", ">", JsDialect::Ts),
        ];
        for (prefix, open, mid, close, dialect) in shapes {
            for depth in [3_000, 10_000] {
                let text = format!(
                    "import first from 'first';\n{prefix}{}{mid}{};\nrequire('last');\n",
                    open.repeat(depth),
                    close.repeat(depth)
                );
                let (got, out) = on_small_stack(move || found(&text, dialect));
                let got: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
                assert_eq!(got, ["first", "last"], "{open} x {depth}");
                // Parsed for real, not by the token scan (unoptimized builds reserve six
                // times the stack per level, so their deepest shapes may exceed the cap).
                if !cfg!(debug_assertions) || depth <= 3_000 {
                    assert!(out.diagnostics.is_empty(), "{open}: {:?}", out.diagnostics);
                }
            }
        }
        // Too deep for any stack: the token scan, with a warning.
        let text = format!("import a from 'a';\nx = {}1;\n", "[".repeat(300_000));
        let (found, out) = on_small_stack(move || found(&text, JsDialect::Js));
        assert_eq!(found, vec![s("a", false, false)]);
        assert!(out.diagnostics[0].message.contains("nested too deeply"));
    }

    #[test]
    fn minified_bundle_on_one_line() {
        let module = "function(e,t,n){\"use strict\";var r=n(12),o=/[a-z]+\\//g;\
                      e.exports=function(e){return r(e)?o.test(e):`x${e}`}},";
        let mut text = String::from("!function(){var a=require(\"react\");var m=[");
        while text.len() < 5_000_000 {
            text.push_str(module);
        }
        text.push_str("];require(\"react-dom/client\")}();");
        let start = std::time::Instant::now();
        let (found, out) = found(&text, JsDialect::Js);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            found,
            vec![
                s("react", false, false),
                s("react-dom/client", false, false)
            ]
        );
        // Generous: a few hundred MB/s in release, and this runs unoptimized.
        assert!(start.elapsed().as_secs() < 20);
        assert_eq!(out.found[1].location.line, 1);
    }

    #[test]
    fn dialects_from_paths() {
        let cases = [
            ("a.js", Some(JsDialect::Js)),
            ("dir/a.mjs", Some(JsDialect::Js)),
            ("a.cjs", Some(JsDialect::Js)),
            ("A.JSX", Some(JsDialect::Jsx)),
            ("a.ts", Some(JsDialect::Ts)),
            ("a.mts", Some(JsDialect::Ts)),
            ("a.cts", Some(JsDialect::Ts)),
            ("a.tsx", Some(JsDialect::Tsx)),
            ("types/index.d.ts", Some(JsDialect::Dts)),
            ("a.d.mts", Some(JsDialect::Dts)),
            ("styles.d.css.ts", Some(JsDialect::Dts)),
            ("c:\\src\\a.d.ts", Some(JsDialect::Dts)),
            ("my.data.ts", Some(JsDialect::Ts)),
            ("a.vue", None),
            ("a.json", None),
            (".ts", None),
            ("Makefile", None),
        ];
        for (path, want) in cases {
            assert_eq!(dialect_for_path(path), want, "{path}");
        }
    }

    #[test]
    fn specifier_targets() {
        use SpecifierTarget::*;
        let pkg = |s: &str| Package(s.to_owned());
        let cases = [
            ("lodash", pkg("lodash")),
            ("lodash/fp", pkg("lodash")),
            ("lodash/", pkg("lodash")),
            ("@scope/pkg", pkg("@scope/pkg")),
            ("@scope/pkg/sub/path.js", pkg("@scope/pkg")),
            ("@babel/core/", pkg("@babel/core")),
            ("@scope", Invalid),
            ("@scope/", Invalid),
            ("@/components/Button.vue", Alias),
            ("React", pkg("React")),
            ("lodash.merge", pkg("lodash.merge")),
            ("./util", Relative),
            ("../util/index.js", Relative),
            (".", Relative),
            ("..", Relative),
            (".\\win", Relative),
            (".bin/x", Invalid),
            ("/abs/path.js", Absolute),
            ("C:\\src\\x.js", Absolute),
            ("file:///src/x.js", Absolute),
            ("https://esm.sh/react@18", Url),
            ("http://cdn.x/a.js", Url),
            ("//cdn.skypack.dev/x", Url),
            ("data:text/javascript,export default 1", Url),
            ("node:fs", NodeBuiltin("fs".to_owned())),
            ("node:fs/promises", NodeBuiltin("fs/promises".to_owned())),
            ("node:test", NodeBuiltin("test".to_owned())),
            ("fs", NodeBuiltin("fs".to_owned())),
            ("fs/promises", NodeBuiltin("fs/promises".to_owned())),
            ("path/posix", NodeBuiltin("path/posix".to_owned())),
            ("fs/nope", pkg("fs")),
            ("buffer/", pkg("buffer")),
            ("test", pkg("test")),
            ("bun:sqlite", NodeBuiltin("bun:sqlite".to_owned())),
            ("node:", Invalid),
            ("#internal/x", Subpath),
            ("npm:chalk@5", pkg("chalk")),
            ("npm:@types/node@20/x", pkg("@types/node")),
            ("npm:", Invalid),
            (
                "jsr:@std/path@^1.0/join",
                OtherRegistry {
                    registry: "jsr".to_owned(),
                    name: "@std/path".to_owned(),
                },
            ),
            ("virtual:pwa-register", Alias),
            ("astro:content", Alias),
            ("cloudflare:workers", Alias),
            ("~icons/mdi/home", Alias),
            ("~/components/x", Alias),
            ("$lib/db", Alias),
            ("$app/stores", Alias),
            ("\0commonjsHelpers.js", Alias),
            ("./icon.svg?raw", Relative),
            ("lodash?raw", pkg("lodash")),
            ("pkg#frag", pkg("pkg")),
            ("style-loader!css-loader!./x.css", pkg("style-loader")),
            ("!!raw-loader!./x.txt", pkg("raw-loader")),
            ("-!css-loader?modules!./x.css", pkg("css-loader")),
            ("!./x.css", Relative),
            ("", Invalid),
            ("has space", Invalid),
            ("lodash@4", Invalid),
            ("_private", Invalid),
        ];
        for (spec, want) in cases {
            assert_eq!(package_of_specifier(spec), want, "{spec:?}");
        }
    }

    #[test]
    fn nesting_estimate_follows_brackets_and_chains() {
        let flat = "a = 1;\n".repeat(10_000);
        assert!(scan::nesting(&flat) < 10, "{}", scan::nesting(&flat));
        let ifs = "if (a) { b(); }\n".repeat(10_000);
        assert!(scan::nesting(&ifs) < 10);
        assert!(scan::nesting(&"(".repeat(5000)) >= 5000);
        assert!(scan::nesting(&format!("x = {}1", "!".repeat(5000))) >= 5000);
        let elses = "if (a) x; else ".repeat(5000);
        assert!(scan::nesting(&elses) >= 5000);
        let jsx = "<a>;".repeat(5000);
        assert!(scan::nesting(&jsx) >= 5000);
        // Brackets inside strings, comments, templates and regexes do not count.
        let quoted = "x = '((((((((((' + \"[[[[[[[\" + `{{{{{{` + /[(((((]/ // (((((\n";
        assert!(scan::nesting(quoted) < 8, "{}", scan::nesting(quoted));
    }

    #[test]
    fn token_scan_finds_import_forms() {
        let text = "import type { A } from 'a';\nimport type from 'b';\nexport * from \"c\";\n\
                    const d = require.resolve('d'), e = module.require(`e`);\n\
                    x.require('no'); const s = \"import 'no'\"; // require('no')\n\
                    /* import 'no' */ import 'f'; const g = await import('g');\n\
                    const re = /import 'no'/g; export type { H } from 'h'; {{{\n";
        let hits: Vec<(String, bool)> = scan::find(text, false)
            .into_iter()
            .map(|h| {
                assert_eq!(&text[h.start..h.end], h.spec);
                (h.spec, h.dev)
            })
            .collect();
        let want = [
            ("a", true),
            ("b", false),
            ("c", false),
            ("d", false),
            ("e", false),
            ("f", false),
            ("g", false),
            ("h", true),
        ];
        let want: Vec<(String, bool)> = want.iter().map(|(s, d)| (s.to_string(), *d)).collect();
        assert_eq!(hits, want);
    }

    /// Deterministic mutations of realistic inputs (xorshift), checking that nothing
    /// panics, hangs or reports a span outside the text.
    #[test]
    fn mutated_inputs_never_panic() {
        let seeds = [EXPRESS, REACT_TSX, ESM_SCRIPT];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pieces = [
            "(", ")", "{", "}", "[", "]", "`", "${", "'", "\"", "/", "*/", "/*", "<", ">",
            "import", "require(", "from", " ", "\n", "!", "?", ":", "=>", "é", "\u{0}",
        ];
        for i in 0..400 {
            let seed = seeds[i % seeds.len()];
            let mut text = seed.to_owned();
            for _ in 0..1 + next() % 8 {
                let mut at = (next() as usize) % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match next() % 3 {
                    0 => text.insert_str(at, pieces[(next() as usize) % pieces.len()]),
                    1 => {
                        let mut end = (at + (next() as usize) % 20).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    _ => {
                        let piece = pieces[(next() as usize) % pieces.len()];
                        text.insert_str(at, &piece.repeat(1 + (next() as usize) % 50));
                    }
                }
            }
            for dialect in [JsDialect::Js, JsDialect::Tsx] {
                let (_, out) = found(&text, dialect);
                for f in &out.found {
                    assert!(
                        text.get(f.location.start as usize..f.location.end as usize)
                            .is_some()
                    );
                }
            }
        }
    }
}
