//! Splits Markdown (READMEs, docs, chat answers, plain-text answers) into regions of code
//! and prose, each tagged with the kind of finder that should read it.
//!
//! The splitter does not look for packages itself: a dispatcher sends each [`Region`] to
//! the finder for its [`RegionKind`]. Regions are byte ranges of the input, so locations
//! stay exact. Where the raw bytes are not valid code (the `> ` of a block quote, console
//! prompts and output, diff markers, notebook magics, markup inside prose) the region
//! lists them in [`Region::blank`]; [`Region::text`] replaces them with spaces, which
//! keeps every offset, line and (for ASCII) column of the rest.
//!
//! Parsing is done by `pulldown-cmark`, which is iterative: deep nesting does not grow
//! the stack, and unclosed constructs end at the end of their container.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::location::Code;
use crate::reference::{Diagnostic, Severity};

/// What a region holds, and so which finder should read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionKind {
    /// Python source (a `python`/`py`/`ipython` block, or sniffed). Notebook magics and
    /// bare install commands in it are blanked and returned as separate `Shell` regions.
    /// The code may be uniformly indented (a block inside a list or quote).
    Python,
    /// A Python console or doctest session (`pycon`, or a block starting with `>>> ` or
    /// `In [1]: `). [`Region::text`] blanks the prompts and the output lines, leaving
    /// Python code indented by the prompt width (see [`strip_console_prompts`]).
    PythonConsole,
    /// JavaScript or TypeScript source, possibly with JSX.
    JavaScript {
        /// TypeScript (`ts`, `tsx`, or sniffed type annotations).
        typescript: bool,
        /// JSX may appear (`jsx`, `tsx`, or sniffed tags).
        jsx: bool,
    },
    /// Shell commands (sh, bash, zsh, PowerShell, cmd, Makefile recipes, inline code
    /// spans): search for install commands.
    Shell,
    /// A terminal session (`console`, or lines starting with a prompt such as `$ `):
    /// [`Region::text`] blanks prompts and output, leaving the commands.
    ShellSession,
    /// The content of a requirements.txt file.
    Requirements,
    /// The content of a package.json file (JSON with a dependencies table).
    PackageJson,
    /// The content of a pyproject.toml file (TOML with `[project]` or `[tool.poetry]`).
    PyprojectToml,
    /// A Dockerfile: its `RUN` lines are shell commands.
    Dockerfile,
    /// YAML (a conda environment file, a CI workflow): search for install commands.
    Yaml,
    /// Text outside code: search for install commands written in a sentence. Code spans,
    /// link targets, HTML tags and Markdown markup are blanked.
    Prose,
    /// Code in a language no finder reads (Rust, R, a traceback, plain output). Searching
    /// it for install commands is harmless but optional.
    Unknown,
}

/// A piece of the input for one finder: bytes `start..start + len` of `code.text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Which finder should read it.
    pub kind: RegionKind,
    /// Byte offset in the text given to [`regions`].
    pub start: usize,
    /// Length in bytes.
    pub len: usize,
    /// Byte ranges relative to `start`, sorted and disjoint, that are not part of the
    /// code or prose (container markers, prompts, output, markup). [`Region::text`]
    /// replaces them with spaces, keeping line ends and tabs.
    pub blank: Vec<Range<usize>>,
}

impl Region {
    /// Byte offset just past the region.
    pub fn end(&self) -> usize {
        self.start.saturating_add(self.len)
    }

    /// The text a finder should read: the region of `doc` (the same text given to
    /// [`regions`]) with its blank ranges replaced by spaces. Byte offsets are the same
    /// as in `doc`, so offsets found in it are offsets of the region.
    pub fn text<'a>(&self, doc: &'a str) -> Cow<'a, str> {
        let Some(raw) = doc.get(self.start..self.end()) else {
            return Cow::Borrowed("");
        };
        apply_blanks(raw, &self.blank)
    }

    /// A [`Code`] for `text` (what [`Region::text`] returned for this region) that maps
    /// its offsets back to the file through `parent`, the code given to [`regions`].
    ///
    /// `code.sub(start, len)` gives the same mapping over the raw bytes; this one is for
    /// the cleaned text, which cannot be borrowed from `parent`.
    pub fn code<'b>(&self, parent: &Code<'_>, text: &'b str) -> Code<'b> {
        let at = parent.location(self.start, self.start);
        let code = Code::embedded(
            Arc::clone(&parent.path),
            text,
            parent.offset + self.start.min(parent.text.len()),
            at.line.saturating_sub(1),
            at.column.saturating_sub(1),
        );
        match parent.cell {
            Some(cell) => code.in_cell(cell),
            None => code,
        }
    }
}

/// Splits Markdown `code` into regions, in document order.
///
/// Fenced blocks are classified by their info string (`python`, `ts title="x.ts"`,
/// `{python}`, `requirements.txt`…) and, when it says nothing useful (untagged, `text`),
/// by their content. Indented blocks are sniffed. Inline code spans become `Shell`
/// regions (or `Python`/`JavaScript` when they hold an import). Text outside code becomes
/// one `Prose` region per paragraph, heading, list item text, table cell or HTML block.
/// YAML front matter is skipped. A diagnostic notes each fenced block that is never
/// closed (a truncated chat answer, a broken README).
pub fn regions(code: &Code) -> (Vec<Region>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut unclosed = Vec::new();
    split_markdown(code.text, 0, &mut out, &mut unclosed);
    out.sort_by_key(|r| r.start);
    let diagnostics = unclosed
        .into_iter()
        .map(|at| {
            let line = code.location(at, at).line;
            let place = match code.cell {
                Some(n) => format!(" (notebook cell or message {n})"),
                None => String::new(),
            };
            Diagnostic {
                path: Arc::clone(&code.path),
                line: Some(line),
                severity: Severity::Warning,
                message: format!(
                    "code block opened on line {line}{place} is never closed; \
                     the rest of its container was read as code"
                ),
            }
        })
        .collect();
    (out, diagnostics)
}

/// Blanks the prompts and output lines of a Python console or doctest session
/// (`>>> `, `... `, `In [1]: `, `   ...: `), keeping every byte offset: what is left is the
/// code, indented by the prompt width. Text without any prompt is returned unchanged.
pub fn strip_console_prompts(text: &str) -> String {
    match python_prompt_blanks(text) {
        Some(blanks) => apply_blanks(text, &blanks).into_owned(),
        None => text.to_owned(),
    }
}

/// Blanks the prompts and output lines of a terminal session (`$ `, `(venv) $ `,
/// `user@host:~$ `, `PS C:\> `), keeping every byte offset. Text whose first command line
/// has no prompt is returned unchanged.
pub fn strip_shell_prompts(text: &str) -> String {
    match shell_prompt_blanks(text) {
        Some(blanks) => apply_blanks(text, &blanks).into_owned(),
        None => text.to_owned(),
    }
}

/// How deep ` ```markdown ` blocks are split again as Markdown.
const MAX_NESTED_MARKDOWN: u8 = 2;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// A code block being read.
struct Block {
    /// The info string of a fenced block; `None` for an indented block.
    info: Option<String>,
    range: Range<usize>,
    texts: Vec<Range<usize>>,
}

/// Splits `text`, pushing regions relative to `text` and the start offsets of unclosed
/// fenced blocks.
fn split_markdown(text: &str, depth: u8, out: &mut Vec<Region>, unclosed: &mut Vec<usize>) {
    let mut prose: Vec<Range<usize>> = Vec::new();
    let mut block: Option<Block> = None;
    let mut html: Option<Vec<Range<usize>>> = None;
    let mut metadata = false;
    let mut quote_depth = 0usize;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        if range.start > range.end || text.get(range.clone()).is_none() {
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                flush_prose(text, &mut prose, out);
                block = Some(Block {
                    info: match kind {
                        CodeBlockKind::Fenced(info) => Some(info.to_string()),
                        CodeBlockKind::Indented => None,
                    },
                    range,
                    texts: Vec::new(),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(b) = block.take() {
                    finish_code_block(text, b, depth, out, unclosed);
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                flush_prose(text, &mut prose, out);
                html = Some(Vec::new());
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(lines) = html.take() {
                    finish_html_block(text, &lines, out);
                }
            }
            Event::Start(Tag::MetadataBlock(_)) => {
                flush_prose(text, &mut prose, out);
                metadata = true;
            }
            Event::End(TagEnd::MetadataBlock(_)) => metadata = false,
            Event::Text(_) => {
                if metadata {
                } else if let Some(b) = block.as_mut() {
                    if b.texts.last().is_none_or(|last| last.end <= range.start) {
                        b.texts.push(range);
                    }
                } else if prose.last().is_none_or(|last| last.end <= range.start) {
                    prose.push(range);
                }
            }
            Event::Html(_) => {
                if let Some(lines) = html.as_mut()
                    && lines.last().is_none_or(|last| last.end <= range.start)
                {
                    lines.push(range);
                }
            }
            Event::Code(_) => code_span(text, range, quote_depth, out),
            Event::Start(Tag::BlockQuote(_)) => {
                flush_prose(text, &mut prose, out);
                quote_depth += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                flush_prose(text, &mut prose, out);
                quote_depth = quote_depth.saturating_sub(1);
            }
            Event::Start(tag) if !is_inline(&tag) => flush_prose(text, &mut prose, out),
            Event::End(tag) if !is_inline_end(&tag) => flush_prose(text, &mut prose, out),
            _ => {}
        }
    }
    flush_prose(text, &mut prose, out);
    if let Some(b) = block.take() {
        finish_code_block(text, b, depth, out, unclosed);
    }
}

fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Emits the prose gathered so far (the text runs of one block) as one region whose gaps
/// (markup, code spans, link targets, quote markers) are blanked.
fn flush_prose(text: &str, prose: &mut Vec<Range<usize>>, out: &mut Vec<Region>) {
    let (Some(first), Some(last)) = (prose.first(), prose.last()) else {
        return;
    };
    let (start, end) = (first.start, last.end);
    let has_text = prose
        .iter()
        .any(|r| text.get(r.clone()).is_some_and(|t| !t.trim().is_empty()));
    if !has_text || text.get(start..end).is_none() {
        prose.clear();
        return;
    }
    let blank = gaps(prose, start);
    prose.clear();
    out.push(Region {
        kind: RegionKind::Prose,
        start,
        len: end - start,
        blank,
    });
}

/// The ranges between consecutive `covered` ranges, relative to `base`.
fn gaps(covered: &[Range<usize>], base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut prev: Option<usize> = None;
    for r in covered {
        if let Some(p) = prev
            && r.start > p
        {
            out.push(p - base..r.start - base);
        }
        prev = Some(prev.map_or(r.end, |p| p.max(r.end)));
    }
    out
}

fn finish_html_block(text: &str, lines: &[Range<usize>], out: &mut Vec<Region>) {
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return;
    };
    let (start, end) = (first.start, last.end);
    let Some(raw) = text.get(start..end) else {
        return;
    };
    let mut blank = gaps(lines, start);
    let cleaned = apply_blanks(raw, &blank);
    blank = merge(blank, tag_blanks(&cleaned));
    if apply_blanks(raw, &blank).trim().is_empty() {
        return;
    }
    out.push(Region {
        kind: RegionKind::Prose,
        start,
        len: end - start,
        blank,
    });
}

/// HTML tags and comments in `s`, so that only the text between them is prose.
fn tag_blanks(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // Once a `>` or `-->` is missing, no later tag or comment can be closed either: stop
    // looking, so that many unclosed `<` stay linear.
    let (mut tags_closable, mut comments_closable) = (true, true);
    while tags_closable && let Some(off) = s.get(i..).and_then(|rest| rest.find('<')) {
        let at = i + off;
        let rest = s.get(at..).unwrap_or("");
        let close = if rest.starts_with("<!--") {
            if comments_closable {
                let c = rest.find("-->").map(|e| e + 3);
                comments_closable = c.is_some();
                c
            } else {
                None
            }
        } else if b
            .get(at + 1)
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
        {
            let c = rest.find('>').map(|e| e + 1);
            tags_closable = c.is_some();
            c
        } else {
            None
        };
        match close {
            Some(len) => {
                out.push(at..at + len);
                i = at + len;
            }
            None => i = at + 1,
        }
    }
    out
}

/// An inline code span: the content between the backticks, as a `Shell` region (or
/// `Python`/`JavaScript` when it is an import).
fn code_span(text: &str, range: Range<usize>, quote_depth: usize, out: &mut Vec<Region>) {
    let Some(raw) = text.get(range.clone()) else {
        return;
    };
    let ticks = raw.bytes().take_while(|&c| c == b'`').count();
    let closing = raw.bytes().rev().take_while(|&c| c == b'`').count();
    if ticks == 0 || ticks + closing > raw.len() {
        return;
    }
    let (mut s, mut e) = (range.start + ticks, range.end - closing.min(ticks));
    let inner = text.get(s..e).unwrap_or("");
    // CommonMark strips one space on each side when both are there.
    if inner.len() >= 2
        && inner.starts_with(' ')
        && inner.ends_with(' ')
        && !inner.trim().is_empty()
    {
        s += 1;
        e -= 1;
    }
    let Some(content) = text.get(s..e) else {
        return;
    };
    if content.trim().is_empty() {
        return;
    }
    let mut blank = Vec::new();
    if quote_depth > 0 {
        // Continuation lines of a span inside a block quote start with `>` markers.
        for (ls, _) in lines(content).skip(1) {
            let line = content.get(ls..).unwrap_or("");
            let mut n = 0;
            let mut markers = 0;
            for c in line.bytes() {
                match c {
                    b' ' | b'\t' => n += 1,
                    b'>' if markers < quote_depth => {
                        n += 1;
                        markers += 1;
                    }
                    _ => break,
                }
            }
            if n > 0 {
                blank.push(ls..ls + n);
            }
        }
    }
    let cleaned = apply_blanks(content, &blank);
    let kind = inline_kind(cleaned.trim());
    out.push(Region {
        kind,
        start: s,
        len: e - s,
        blank,
    });
}

fn inline_kind(s: &str) -> RegionKind {
    if is_js_import_line(s) || s.starts_with("require(") || s.contains("= require(") {
        RegionKind::JavaScript {
            typescript: false,
            jsx: false,
        }
    } else if is_py_import_line(s) {
        RegionKind::Python
    } else {
        RegionKind::Shell
    }
}

/// Whether a fenced block's closing fence is missing.
fn is_unclosed(text: &str, b: &Block) -> bool {
    let Some(raw) = text.get(b.range.clone()) else {
        return false;
    };
    let opener_end = raw
        .find('\n')
        .map_or(b.range.end, |i| b.range.start + i + 1);
    let tail_start = b.texts.last().map_or(opener_end, |t| t.end.max(opener_end));
    let tail = text
        .get(tail_start.min(b.range.end)..b.range.end)
        .unwrap_or("");
    !(tail.contains("```") || tail.contains("~~~"))
}

fn finish_code_block(
    text: &str,
    b: Block,
    depth: u8,
    out: &mut Vec<Region>,
    unclosed: &mut Vec<usize>,
) {
    if b.info.is_some() && is_unclosed(text, &b) {
        unclosed.push(b.range.start);
    }
    let (Some(first), Some(last)) = (b.texts.first(), b.texts.last()) else {
        return;
    };
    let (mut start, end) = (first.start, last.end);
    let mut blank = gaps(&b.texts, start);
    let prefixed = blank.iter().any(|g| {
        text.get(g.start + start..g.end + start)
            .is_some_and(|s| s.bytes().any(|c| c != b'\r' && c != b'\n'))
    });
    if prefixed {
        // Inside a list or quote: start at the line start so that every line carries the
        // same (blanked) container prefix and the code keeps its relative indentation.
        let line_start = text
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let shift = start - line_start;
        for g in &mut blank {
            *g = g.start + shift..g.end + shift;
        }
        if shift > 0 {
            blank.insert(0, 0..shift);
        }
        start = line_start;
    }
    let lang = match &b.info {
        Some(info) => info_lang(info),
        None => Lang::Sniff,
    };
    emit_code(text, lang, start, end - start, blank, depth, out, unclosed);
}

/// What an info string (or a file name) says about a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Kind(RegionKind),
    /// Nothing useful: look at the content.
    Sniff,
    /// JSON: a package.json or not.
    Json,
    /// TOML: a pyproject.toml or not.
    Toml,
    Diff,
    Markdown,
}

#[allow(clippy::too_many_arguments)]
fn emit_code(
    text: &str,
    lang: Lang,
    start: usize,
    len: usize,
    blank: Vec<Range<usize>>,
    depth: u8,
    out: &mut Vec<Region>,
    unclosed: &mut Vec<usize>,
) {
    let Some(raw) = text.get(start..start + len) else {
        return;
    };
    let mut blank = blank;
    let mut cleaned = apply_blanks(raw, &blank);
    let lang = if lang == Lang::Diff {
        let (diff_blank, file) = diff_blanks(&cleaned);
        blank = merge(blank, diff_blank);
        cleaned = apply_blanks(raw, &blank);
        match file.and_then(|f| filename_lang(&f)) {
            Some(Lang::Diff) | None => Lang::Sniff,
            Some(l) => l,
        }
    } else {
        lang
    };
    let kind = match lang {
        Lang::Kind(k) => k,
        Lang::Sniff | Lang::Diff => sniff(&cleaned),
        Lang::Json if looks_like_package_json(&cleaned) => RegionKind::PackageJson,
        Lang::Toml if looks_like_pyproject(&cleaned) => RegionKind::PyprojectToml,
        Lang::Json | Lang::Toml => RegionKind::Unknown,
        Lang::Markdown => {
            if depth >= MAX_NESTED_MARKDOWN {
                RegionKind::Prose
            } else {
                let mut inner = Vec::new();
                let mut inner_unclosed = Vec::new();
                split_markdown(&cleaned, depth + 1, &mut inner, &mut inner_unclosed);
                for r in inner {
                    let range = r.start..r.end();
                    out.push(Region {
                        kind: r.kind,
                        start: start + r.start,
                        len: r.len,
                        blank: merge(r.blank, sub_blanks(&blank, &range)),
                    });
                }
                unclosed.extend(inner_unclosed.into_iter().map(|u| u + start));
                return;
            }
        }
    };
    push_code(raw, kind, start, blank, out);
}

/// Cleans code of `kind` (prompts, magics, install lines) and pushes its regions.
pub(crate) fn push_code(
    raw: &str,
    mut kind: RegionKind,
    start: usize,
    mut blank: Vec<Range<usize>>,
    out: &mut Vec<Region>,
) {
    let len = raw.len();
    let cleaned = apply_blanks(raw, &blank);
    let script = match kind {
        RegionKind::Python | RegionKind::PythonConsole => {
            if let Some(prompts) = python_prompt_blanks(&cleaned) {
                kind = RegionKind::PythonConsole;
                blank = merge(blank, prompts);
            }
            Some(true)
        }
        RegionKind::JavaScript { .. } => Some(false),
        RegionKind::Shell | RegionKind::ShellSession => {
            if let Some(prompts) = shell_prompt_blanks(&cleaned) {
                kind = RegionKind::ShellSession;
                blank = merge(blank, prompts);
            }
            None
        }
        _ => None,
    };
    if let Some(python) = script {
        let cleaned = apply_blanks(raw, &blank);
        let split = split_script(&cleaned, python);
        for (k, r) in split.extra {
            out.push(Region {
                kind: k,
                start: start + r.start,
                len: r.len(),
                blank: sub_blanks(&blank, &r),
            });
        }
        blank = merge(blank, split.blank);
        if !split.keep_main {
            return;
        }
    }
    if apply_blanks(raw, &blank).trim().is_empty() {
        return;
    }
    out.push(Region {
        kind,
        start,
        len,
        blank,
    });
}

/// The parts of `blank` (sorted and disjoint) that fall in `r`, relative to `r.start`.
fn sub_blanks(blank: &[Range<usize>], r: &Range<usize>) -> Vec<Range<usize>> {
    let first = blank.partition_point(|b| b.end <= r.start);
    blank
        .get(first..)
        .unwrap_or(&[])
        .iter()
        .take_while(|b| b.start < r.end)
        .filter_map(|b| {
            let (s, e) = (b.start.max(r.start), b.end.min(r.end));
            (s < e).then(|| s - r.start..e - r.start)
        })
        .collect()
}

/// Sorted, coalesced union of two range lists.
fn merge(mut a: Vec<Range<usize>>, b: Vec<Range<usize>>) -> Vec<Range<usize>> {
    if b.is_empty() {
        return a;
    }
    a.extend(b);
    a.retain(|r| r.start < r.end);
    a.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(a.len());
    for r in a {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `s` with the bytes of `blanks` (widened to whole characters) turned into spaces,
/// except line ends and tabs.
fn apply_blanks<'a>(s: &'a str, blanks: &[Range<usize>]) -> Cow<'a, str> {
    if blanks.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut bytes = s.as_bytes().to_vec();
    for r in blanks {
        let mut a = r.start.min(s.len());
        while !s.is_char_boundary(a) {
            a -= 1;
        }
        let mut e = r.end.min(s.len()).max(a);
        while !s.is_char_boundary(e) {
            e += 1;
        }
        if let Some(part) = bytes.get_mut(a..e) {
            for c in part {
                if !matches!(*c, b'\n' | b'\r' | b'\t') {
                    *c = b' ';
                }
            }
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Lines of `s` as `(start, end)`, `end` excluding the line end (`\n` or `\r\n`).
fn lines(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= s.len() {
            return None;
        }
        let rest = s.get(pos..)?;
        let (n, advance) = match rest.find('\n') {
            Some(i) => (i, i + 1),
            None => (rest.len(), rest.len()),
        };
        let start = pos;
        let mut end = pos + n;
        if end > start && s.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        pos += advance;
        Some((start, end))
    })
}

fn line_text(s: &str, (a, e): (usize, usize)) -> &str {
    s.get(a..e).unwrap_or("")
}

// ---------------------------------------------------------------------------------------
// Info strings and file names

/// Reads an info string: ```` ```python title="app.py" ````, ```` ```{python} ````,
/// ```` ```{.python .numberLines} ````, ```` ```js{1,3} ````, ```` ```python:app.py ````,
/// ```` ```requirements.txt ````.
fn info_lang(info: &str) -> Lang {
    let info = info.trim();
    let (head, attrs) = if let Some(inner) = info.strip_prefix('{') {
        let inner = inner.split('}').next().unwrap_or("");
        let head_len = inner
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(inner.len());
        let (h, rest) = inner.split_at(head_len);
        (h.trim_start_matches('.'), rest)
    } else {
        let head_len = info
            .find(|c: char| c.is_whitespace() || c == '{' || c == ',' || c == '[')
            .unwrap_or(info.len());
        info.split_at(head_len)
    };
    let (lang, inline_file) = match head.split_once(':') {
        Some((l, f)) if !f.is_empty() => (l, Some(f)),
        _ => (head, None),
    };
    let lang = lang.trim_start_matches('.').to_ascii_lowercase();
    let file = inline_file.or_else(|| attr_file(attrs));
    let by_lang = language_lang(&lang);
    let by_file = file.and_then(filename_lang).or_else(|| {
        (lang.contains('.') || lang == "dockerfile" || lang == "makefile")
            .then(|| filename_lang(head))
            .flatten()
    });
    match (by_lang, by_file) {
        (Some(Lang::Sniff) | None, Some(f)) => f,
        (Some(Lang::Json), Some(f @ Lang::Kind(RegionKind::PackageJson))) => f,
        (Some(Lang::Toml), Some(f @ Lang::Kind(RegionKind::PyprojectToml))) => f,
        (Some(Lang::Kind(RegionKind::Yaml)), Some(f)) => f,
        (Some(l), _) => l,
        (None, None) => Lang::Kind(RegionKind::Unknown),
    }
}

/// A file name given as an attribute: `title="x"`, `filename=x`, `file="x"`, `[x]`.
fn attr_file(attrs: &str) -> Option<&str> {
    for key in ["title=", "filename=", "file=", "name="] {
        if let Some(i) = attrs.find(key) {
            let rest = attrs.get(i + key.len()..).unwrap_or("");
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest.get(1..).and_then(|r| r.split(q).next()),
                _ => rest
                    .split(|c: char| c.is_whitespace() || c == '}' || c == ',')
                    .next(),
            };
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                return Some(v);
            }
        }
    }
    let open = attrs.find('[')?;
    let rest = attrs.get(open + 1..)?;
    let name = rest.split(']').next()?.trim();
    (!name.is_empty()).then_some(name)
}

/// What a fenced block's language name says.
fn language_lang(lang: &str) -> Option<Lang> {
    let js = |typescript, jsx| Lang::Kind(RegionKind::JavaScript { typescript, jsx });
    Some(match lang {
        "python" | "py" | "python3" | "py3" | "python2" | "ipython" | "ipython3" | "jupyter"
        | "sage" | "pyi" | "gyp" | "starlark" | "bazel" | "bzl" | "py2" => {
            Lang::Kind(RegionKind::Python)
        }
        "pycon" | "python-console" | "pythonconsole" | "doctest" | "ipythonconsole"
        | "python-repl" | "pyrepl" | "repl" => Lang::Kind(RegionKind::PythonConsole),
        "js" | "javascript" | "mjs" | "cjs" | "node" | "nodejs" | "es6" | "ecmascript" | "es" => {
            js(false, false)
        }
        "jsx" => js(false, true),
        "ts" | "typescript" | "mts" | "cts" => js(true, false),
        "tsx" => js(true, true),
        "sh" | "bash" | "shell" | "zsh" | "fish" | "ksh" | "shellscript" | "shell-script"
        | "posix" | "nu" | "nushell" | "powershell" | "ps1" | "ps" | "pwsh" | "posh" | "cmd"
        | "bat" | "batch" | "dos" | "make" | "makefile" | "mk" | "just" | "justfile"
        | "bash-script" | "zsh-script" | "csh" | "tcsh" | "command" | "commands" => {
            Lang::Kind(RegionKind::Shell)
        }
        "console" | "shell-session" | "sh-session" | "bash-session" | "shellsession"
        | "terminal" | "term" | "command-line" | "commandline" | "cli" | "prompt" | "doscon"
        | "ps1con" | "pwsh-session" | "powershell-session" | "zsh-session" => {
            Lang::Kind(RegionKind::ShellSession)
        }
        "dockerfile" | "docker" | "containerfile" => Lang::Kind(RegionKind::Dockerfile),
        "requirements"
        | "pip-requirements"
        | "requirements.txt"
        | "pip-requirements.txt"
        | "reqs"
        | "constraints" => Lang::Kind(RegionKind::Requirements),
        "yaml" | "yml" | "conda" => Lang::Kind(RegionKind::Yaml),
        "json" | "jsonc" | "json5" => Lang::Json,
        "toml" => Lang::Toml,
        "diff" | "patch" | "udiff" | "git-diff" => Lang::Diff,
        "markdown" | "md" | "gfm" | "commonmark" => Lang::Markdown,
        "" | "text" | "txt" | "plain" | "plaintext" | "plain-text" | "none" | "output" | "code"
        | "pip" | "raw" | "nohighlight" | "no-highlight" | "default" | "sample" | "example" => {
            Lang::Sniff
        }
        _ => return None,
    })
}

/// What a file name says: `requirements-dev.txt`, `package.json`, `app.py`, `Dockerfile`.
fn filename_lang(path: &str) -> Option<Lang> {
    let path = path
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`');
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = base.to_ascii_lowercase();
    let full = path.to_ascii_lowercase();
    let kind = |k| Some(Lang::Kind(k));
    if (full.contains("requirements") || full.contains("constraints"))
        && (lower.ends_with(".txt") || lower.ends_with(".in"))
    {
        return kind(RegionKind::Requirements);
    }
    match lower.as_str() {
        "package.json" => return kind(RegionKind::PackageJson),
        "pyproject.toml" => return kind(RegionKind::PyprojectToml),
        "dockerfile" | "containerfile" => return kind(RegionKind::Dockerfile),
        "makefile" | "gnumakefile" | "justfile" => return kind(RegionKind::Shell),
        _ => {}
    }
    if lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return kind(RegionKind::Dockerfile);
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "py" | "pyw" | "pyi" | "ipy" => kind(RegionKind::Python),
        "js" | "mjs" | "cjs" => kind(RegionKind::JavaScript {
            typescript: false,
            jsx: false,
        }),
        "jsx" => kind(RegionKind::JavaScript {
            typescript: false,
            jsx: true,
        }),
        "ts" | "mts" | "cts" => kind(RegionKind::JavaScript {
            typescript: true,
            jsx: false,
        }),
        "tsx" => kind(RegionKind::JavaScript {
            typescript: true,
            jsx: true,
        }),
        "sh" | "bash" | "zsh" | "ps1" | "bat" | "cmd" | "fish" => kind(RegionKind::Shell),
        "yml" | "yaml" => kind(RegionKind::Yaml),
        "json" => Some(Lang::Json),
        "toml" => Some(Lang::Toml),
        "md" | "markdown" => Some(Lang::Markdown),
        "diff" | "patch" => Some(Lang::Diff),
        "txt" | "text" => Some(Lang::Sniff),
        _ => None,
    }
}

/// The kind of code a language name stands for (a notebook's kernel language, a fenced
/// block's info string): `python` → `Python`, `typescript` → `JavaScript`, `bash` →
/// `Shell`. `None` for languages no finder reads (R, Julia, SQL…) and for names that
/// need the content to decide (`json`, `text`).
pub fn kind_for_language(language: &str) -> Option<RegionKind> {
    match language_lang(&language.trim().to_ascii_lowercase()) {
        Some(Lang::Kind(RegionKind::Unknown)) | None => None,
        Some(Lang::Kind(k)) => Some(k),
        Some(_) => None,
    }
}

/// The kind of a file's content from its name (`%%writefile requirements.txt`).
pub(crate) fn kind_for_filename(name: &str, content: &str) -> RegionKind {
    match filename_lang(name) {
        Some(Lang::Kind(k)) => k,
        Some(Lang::Json) if looks_like_package_json(content) => RegionKind::PackageJson,
        Some(Lang::Toml) if looks_like_pyproject(content) => RegionKind::PyprojectToml,
        Some(Lang::Sniff) => sniff(content),
        _ => RegionKind::Unknown,
    }
}

// ---------------------------------------------------------------------------------------
// Content sniffing

/// Guesses what untagged code is from its content.
pub(crate) fn sniff(text: &str) -> RegionKind {
    let significant = || {
        lines(text)
            .map(|l| line_text(text, l).trim())
            .filter(|l| !l.is_empty())
    };
    let Some(first) = significant().next() else {
        return RegionKind::Unknown;
    };
    if first.starts_with(">>>") || ipython_in_prompt(first).is_some() {
        return RegionKind::PythonConsole;
    }
    if shell_prompt_len(first).is_some() {
        return RegionKind::ShellSession;
    }
    if let Some(interp) = first.strip_prefix("#!") {
        if interp.contains("python") {
            return RegionKind::Python;
        }
        if interp.contains("node") || interp.contains("deno") || interp.contains("bun") {
            return RegionKind::JavaScript {
                typescript: false,
                jsx: false,
            };
        }
        if ["sh", "bash", "zsh", "fish", "ksh", "dash"]
            .iter()
            .any(|s| interp.ends_with(s) || interp.contains(&format!("{s} ")))
        {
            return RegionKind::Shell;
        }
    }
    if first.starts_with('{') {
        return if looks_like_package_json(text) {
            RegionKind::PackageJson
        } else {
            RegionKind::Unknown
        };
    }
    if looks_like_pyproject(text) {
        return RegionKind::PyprojectToml;
    }
    let first_word = first.split_whitespace().next().unwrap_or("");
    if first_word == "FROM" || (first_word == "ARG" && text.contains("\nFROM ")) {
        return RegionKind::Dockerfile;
    }
    let (mut py, mut js, mut sh) = (0usize, 0usize, 0usize);
    let (mut ts, mut jsx) = (false, false);
    let (mut req_names, mut req_spec, mut all_req) = (0usize, false, true);
    for line in significant().take(2000) {
        if line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        if is_py_line(line) {
            py += 1;
        }
        if is_js_line(line) {
            js += 1;
        }
        if is_shell_line(line) {
            sh += 1;
        }
        ts |= ts_hint(line);
        jsx |= line.contains("/>") || has_closing_tag(line);
        if all_req {
            match requirement_line(line) {
                Some(spec) => {
                    if spec != ReqLine::Option {
                        req_names += 1;
                    }
                    req_spec |= spec == ReqLine::Pinned;
                }
                None => all_req = false,
            }
        }
    }
    if py > 0 && py >= js {
        RegionKind::Python
    } else if js > 0 {
        RegionKind::JavaScript {
            typescript: ts,
            jsx,
        }
    } else if sh > 0 {
        RegionKind::Shell
    } else if all_req && req_names > 0 && req_spec {
        // Bare names alone are too often something else: branch names, module paths.
        // (Tagged blocks and `requirements.txt` titles are read whatever their lines.)
        RegionKind::Requirements
    } else {
        RegionKind::Unknown
    }
}

fn has_closing_tag(line: &str) -> bool {
    line.match_indices("</").any(|(i, _)| {
        line.as_bytes()
            .get(i + 2)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'>')
    })
}

fn ts_hint(line: &str) -> bool {
    [
        ": string",
        ": number",
        ": boolean",
        ": any",
        "import type ",
        " as const",
        "readonly ",
        "implements ",
        ": Promise<",
    ]
    .iter()
    .any(|p| line.contains(p))
        || line.starts_with("interface ")
        || line.starts_with("export interface ")
        || line.starts_with("enum ")
        || line.starts_with("export type ")
        || (line.starts_with("type ") && line.contains('='))
}

fn is_ident_start(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// `import x` / `import x.y as z` / `from x import y`, as Python writes them.
fn is_py_import_line(line: &str) -> bool {
    if let Some(rest) = line.strip_prefix("from ") {
        return is_ident_start(rest.chars().next()) && rest.contains(" import ");
    }
    if let Some(rest) = line.strip_prefix("import ") {
        return is_ident_start(rest.trim_start().chars().next())
            && !rest.contains(['\'', '"', '{', '}', '*'])
            && !rest.contains(" from ")
            && !rest.trim_end().ends_with(';');
    }
    false
}

/// `import x from 'y'`, `import 'y'`, `import {a} from "y"`, `import * as x from 'y'`.
fn is_js_import_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("import") else {
        return false;
    };
    let rest_trim = rest.trim_start();
    (rest.starts_with([' ', '{', '\'', '"', '*']) || rest.starts_with("type "))
        && (rest.contains(" from '")
            || rest.contains(" from \"")
            || rest.contains("from'")
            || rest.contains("from\"")
            || rest_trim.starts_with(['\'', '"']))
}

fn is_py_line(line: &str) -> bool {
    is_py_import_line(line)
        || (line.starts_with("def ") && line.contains('('))
        || line.starts_with("async def ")
        || (line.starts_with("class ") && line.ends_with(':'))
        || line.starts_with("if __name__")
        || line.starts_with("print(")
        || line.starts_with("elif ")
        || line == "try:"
        || line.starts_with("except")
        || (line.starts_with("with ") && line.ends_with(':'))
        || (line.starts_with("for ") && line.contains(" in ") && line.ends_with(':'))
        || line.starts_with("self.")
}

fn is_js_line(line: &str) -> bool {
    let decl = |kw: &str| {
        line.strip_prefix(kw)
            .is_some_and(|r| r.contains('=') || r.ends_with(';'))
    };
    is_js_import_line(line)
        || decl("const ")
        || decl("let ")
        || decl("var ")
        || line.contains("require(")
        || line.starts_with("module.exports")
        || line.starts_with("console.log(")
        || (line.starts_with("function ") && line.contains('('))
        || line.starts_with("async function ")
        || line.starts_with("await ")
        || line.starts_with("export default ")
        || line.starts_with("export const ")
        || line.starts_with("export function ")
        || line.starts_with("export {")
        || line.starts_with("export class ")
        || line.starts_with("export interface ")
        || line.starts_with("interface ")
        || line.contains(") => {")
}

/// Words that start a shell command line (after an optional `sudo`).
const SHELL_WORDS: &[&str] = &[
    "pip",
    "pip3",
    "pipx",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "pnpx",
    "bun",
    "bunx",
    "deno",
    "conda",
    "mamba",
    "micromamba",
    "uv",
    "uvx",
    "poetry",
    "pdm",
    "hatch",
    "pipenv",
    "apt",
    "apt-get",
    "yum",
    "dnf",
    "apk",
    "brew",
    "choco",
    "winget",
    "curl",
    "wget",
    "git",
    "cd",
    "export",
    "source",
    "docker",
    "mkdir",
    "virtualenv",
    "easy_install",
    "corepack",
    "nvm",
    "pyenv",
    "sudo",
];

fn is_shell_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let Some(mut first) = words.next() else {
        return false;
    };
    if first == "sudo" {
        match words.next() {
            Some(w) => first = w,
            None => return false,
        }
    }
    let second = words.next();
    if matches!(first, "python" | "python3" | "py" | "python2") {
        return second.is_some_and(|s| s.starts_with('-') || s.ends_with(".py"));
    }
    if first.starts_with("./") && !first.contains(['(', '=']) {
        return true;
    }
    SHELL_WORDS.contains(&first)
        && second.is_some_and(|s| {
            !s.starts_with(['=', '(', '.', '[', ':', '+', '*', '/', '%', '<', '>'])
                && !s.starts_with("==")
        })
        && !line.contains("require(")
}

/// Whether a line is a shell command, so it cannot be Python or JavaScript: `pip install
/// x`, `sudo apt-get install y`, `python -m venv .venv`, `cd app`. No Python statement
/// and (but for `export`) no JavaScript statement starts with one of these words followed
/// by a word.
fn is_command_line(line: &str, python: bool) -> bool {
    let mut words = line.split_whitespace();
    let Some(mut first) = words.next() else {
        return false;
    };
    if first == "sudo" {
        match words.next() {
            Some(w) => first = w,
            None => return false,
        }
    }
    let second = words.next();
    if matches!(first, "python" | "python3" | "py" | "python2") {
        return second.is_some_and(|s| matches!(s, "-m" | "-c") || s.ends_with(".py"));
    }
    if first == "export" && !python {
        return false;
    }
    SHELL_WORDS.contains(&first)
        && second.is_some_and(|s| {
            s.starts_with(|c: char| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '~' | '$' | '"' | '\'')
            })
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReqLine {
    /// A bare name (or name with extras).
    Name,
    /// A name with a version, marker or URL.
    Pinned,
    /// A pip option (`-r x`, `-e .`, `--index-url …`) or a URL line.
    Option,
}

/// Whether a line reads as a line of requirements.txt.
fn requirement_line(line: &str) -> Option<ReqLine> {
    let line = line.split(" #").next().unwrap_or(line).trim();
    if line.starts_with('-') {
        return Some(ReqLine::Option);
    }
    if ["http://", "https://", "git+", "file:"]
        .iter()
        .any(|p| line.starts_with(p))
    {
        return Some(ReqLine::Option);
    }
    let name_len = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = line.get(..name_len)?;
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let mut rest = line.get(name_len..)?.trim_start();
    if rest.is_empty() {
        return Some(ReqLine::Name);
    }
    if let Some(extras) = rest.strip_prefix('[') {
        let close = extras.find(']')?;
        let inside = extras.get(..close)?;
        if !inside
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ',' | ' '))
        {
            return None;
        }
        rest = extras.get(close + 1..)?.trim_start();
        if rest.is_empty() {
            return Some(ReqLine::Name);
        }
    }
    rest.starts_with(['=', '<', '>', '!', '~', '@', ';', '('])
        .then_some(ReqLine::Pinned)
}

fn looks_like_package_json(text: &str) -> bool {
    [
        "\"dependencies\"",
        "\"devDependencies\"",
        "\"peerDependencies\"",
        "\"optionalDependencies\"",
    ]
    .iter()
    .any(|key| {
        text.match_indices(key).any(|(i, _)| {
            text.get(i + key.len()..)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
    })
}

fn looks_like_pyproject(text: &str) -> bool {
    lines(text).any(|l| {
        let l = line_text(text, l).trim();
        matches!(l, "[project]" | "[build-system]" | "[dependency-groups]")
            || l.starts_with("[tool.poetry")
            || l.starts_with("[project.")
    })
}

// ---------------------------------------------------------------------------------------
// Prompts, magics, diffs

/// `In [12]: ` → its length.
fn ipython_in_prompt(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("In [")?;
    let close = rest.find("]:")?;
    let num = rest.get(..close)?;
    if !num.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return None;
    }
    let mut n = 4 + close + 2;
    if s.as_bytes().get(n) == Some(&b' ') {
        n += 1;
    }
    Some(n)
}

/// Length of a Python console prompt at the start of `s` (leading spaces excluded).
fn python_prompt_len(s: &str) -> Option<usize> {
    for p in [">>>", "..."] {
        if let Some(rest) = s.strip_prefix(p) {
            if rest.is_empty() {
                return Some(3);
            }
            if rest.starts_with(' ') {
                return Some(4);
            }
            if p == "..." && rest.starts_with(':') {
                // IPython continuation `   ...: `.
                return Some(if rest.starts_with(": ") { 5 } else { 4 });
            }
        }
    }
    ipython_in_prompt(s)
}

/// Blanks for a Python console session: prompts, and whole output lines. `None` when no
/// line has a prompt.
fn python_prompt_blanks(text: &str) -> Option<Vec<Range<usize>>> {
    let first = lines(text)
        .map(|l| line_text(text, l).trim_start())
        .find(|l| !l.is_empty())?;
    python_prompt_len(first)?;
    let mut out = Vec::new();
    for (a, e) in lines(text) {
        let line = line_text(text, (a, e));
        let indent = line.len() - line.trim_start().len();
        let rest = line.get(indent..).unwrap_or("");
        if rest.is_empty() {
            continue;
        }
        match python_prompt_len(rest) {
            Some(n) => out.push(a..a + indent + n),
            None => out.push(a..e),
        }
    }
    Some(out)
}

/// Length of a shell prompt at the start of `s` (leading spaces excluded).
fn shell_prompt_len(s: &str) -> Option<usize> {
    if s == "$" || s == "%" {
        return Some(1);
    }
    if s.starts_with("$ ") || s.starts_with("% ") {
        return Some(2);
    }
    if let Some(rest) = s.strip_prefix('(') {
        // A virtualenv or conda prefix: `(venv) $ `.
        let close = rest.find(") ")?;
        if close > 64 || rest.get(..close)?.contains(char::is_whitespace) {
            return None;
        }
        let after = rest.get(close + 2..)?;
        let inner = shell_prompt_len(after)?;
        return Some(1 + close + 2 + inner);
    }
    if s.starts_with("PS ") || s.starts_with("PS>") {
        let end = s.get(..s.len().min(200))?.find("> ")?;
        return Some(end + 2);
    }
    let bytes = s.as_bytes();
    if bytes.len() > 3
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1..3) == Some(b":\\")
    {
        let end = s.get(..s.len().min(200))?.find("> ")?;
        return Some(end + 2);
    }
    if let Some(rest) = s.strip_prefix('[') {
        // `[user@host dir]$ `.
        let close = rest.find(']')?;
        let inside = rest.get(..close)?;
        let after = rest.get(close + 1..)?;
        if inside.contains('@') && (after.starts_with("$ ") || after.starts_with("# ")) {
            return Some(1 + close + 1 + 2);
        }
        return None;
    }
    // `user@host:~/dir$ `, `~/proj$ `, `root@host:/# `.
    let token_len = s.find(' ')?;
    let token = s.get(..token_len)?;
    let sigil = token.chars().last()?;
    let body = token.get(..token.len() - 1)?;
    let ok = match sigil {
        '$' | '%' | '>' => !body.is_empty() && body.contains(['@', ':', '~']),
        '#' => body.contains('@'),
        _ => false,
    };
    ok.then_some(token_len + 1)
}

/// Blanks for a terminal session: prompts, and output lines. `None` unless the first
/// line that is not a comment has a prompt.
fn shell_prompt_blanks(text: &str) -> Option<Vec<Range<usize>>> {
    let first = lines(text)
        .map(|l| line_text(text, l).trim_start())
        .find(|l| !l.is_empty() && !l.starts_with("# "))?;
    shell_prompt_len(first)?;
    let mut out = Vec::new();
    let mut continued = false;
    for (a, e) in lines(text) {
        let line = line_text(text, (a, e));
        let indent = line.len() - line.trim_start().len();
        let rest = line.get(indent..).unwrap_or("");
        let is_command = if continued {
            true
        } else if let Some(n) = shell_prompt_len(rest) {
            out.push(a..a + indent + n);
            true
        } else {
            if !rest.is_empty() {
                out.push(a..e);
            }
            false
        };
        let end = rest.trim_end();
        continued = is_command && (end.ends_with('\\') || end.ends_with('`') || end.ends_with('^'));
    }
    Some(out)
}

/// Blanks that leave the new side of a unified diff (added and context lines, without
/// their first column), and the new file's name from its header.
fn diff_blanks(text: &str) -> (Vec<Range<usize>>, Option<String>) {
    let mut out = Vec::new();
    let mut file = None;
    let is_diff = lines(text).any(|l| {
        let s = line_text(text, l);
        s.starts_with("@@") || s.starts_with("+++ ") || s.starts_with("diff --git")
    }) || lines(text).all(|l| {
        let s = line_text(text, l);
        s.is_empty() || s.starts_with(['+', '-', ' '])
    });
    if !is_diff {
        return (out, None);
    }
    for (a, e) in lines(text) {
        let s = line_text(text, (a, e));
        if let Some(name) = s.strip_prefix("+++ ") {
            let name = name.split('\t').next().unwrap_or(name).trim();
            let name = name.strip_prefix("b/").unwrap_or(name);
            if name != "/dev/null" {
                file = Some(name.to_owned());
            }
            out.push(a..e);
        } else if let Some(rest) = s.strip_prefix("diff --git ") {
            if file.is_none() {
                file = rest
                    .rsplit(' ')
                    .next()
                    .map(|n| n.strip_prefix("b/").unwrap_or(n).to_owned());
            }
            out.push(a..e);
        } else if s.starts_with('+') || s.starts_with(' ') {
            out.push(a..a + 1);
        } else if !s.is_empty() {
            // Removed lines, hunk headers, `index`, `---`, `\ No newline at end of file`.
            out.push(a..e);
        }
    }
    (out, file)
}

/// What [`split_script`] found in Python or JavaScript code.
pub(crate) struct Split {
    /// Lines that are not code of the main language.
    pub(crate) blank: Vec<Range<usize>>,
    /// Pieces for other finders (magics, install commands, `%%writefile` bodies).
    pub(crate) extra: Vec<(RegionKind, Range<usize>)>,
    /// Whether anything of the main language is left.
    pub(crate) keep_main: bool,
}

/// Finds IPython magics (`!pip install x`, `%pip install x`, `%%bash`, `%%writefile`) in
/// Python code, and bare shell commands (`pip install x`, `cd app` written into a Python
/// or JavaScript block) in both.
pub(crate) fn split_script(text: &str, python: bool) -> Split {
    let mut split = Split {
        blank: Vec::new(),
        extra: Vec::new(),
        keep_main: true,
    };
    let mut body_start = 0;
    if python && let Some((a, e)) = lines(text).find(|&l| !line_text(text, l).trim().is_empty()) {
        let first = line_text(text, (a, e)).trim();
        if let Some(magic) = first.strip_prefix("%%") {
            let mut words = magic.split_whitespace();
            let name = words.next().unwrap_or("");
            let rest_start = text
                .get(e..)
                .map_or(text.len(), |r| e + r.find('\n').map_or(r.len(), |i| i + 1));
            let body = rest_start..text.len();
            let cell_kind = match name {
                "bash" | "sh" | "zsh" | "shell" | "system" | "sx" | "cmd" | "powershell"
                | "pwsh" => Some(Some(RegionKind::Shell)),
                "script" => match words.next() {
                    Some("bash" | "sh" | "zsh" | "shell") => Some(Some(RegionKind::Shell)),
                    Some("python" | "python3" | "python2" | "pypy") => None,
                    Some("node") => Some(Some(RegionKind::JavaScript {
                        typescript: false,
                        jsx: false,
                    })),
                    _ => Some(None),
                },
                "writefile" | "file" => {
                    let path = words.find(|w| !w.starts_with('-')).unwrap_or("");
                    let content = text.get(body.clone()).unwrap_or("");
                    Some(Some(kind_for_filename(path, content)))
                }
                "javascript" | "js" => Some(Some(RegionKind::JavaScript {
                    typescript: false,
                    jsx: false,
                })),
                "capture" | "time" | "timeit" | "prun" | "debug" | "python" | "python3"
                | "python2" | "pypy" | "ipython" | "memit" | "snakeviz" | "cython" => None,
                _ => Some(None),
            };
            match cell_kind {
                None => {
                    split.blank.push(a..rest_start);
                    body_start = rest_start;
                }
                Some(kind) => {
                    split.keep_main = false;
                    split.blank.push(0..text.len());
                    if let Some(kind) = kind
                        && kind != RegionKind::Unknown
                        && text.get(body.clone()).is_some_and(|b| !b.trim().is_empty())
                    {
                        split.extra.push((kind, body));
                    }
                    return split;
                }
            }
        }
    }
    for (a, e) in lines(text) {
        if a < body_start {
            continue;
        }
        let line = line_text(text, (a, e));
        let indent = line.len() - line.trim_start().len();
        let s = line.get(indent..).unwrap_or("").trim_end();
        let at = a + indent;
        let shell_from = |skip: usize| {
            let rest = s.get(skip..).unwrap_or("");
            let lead = rest.len() - rest.trim_start().len();
            at + skip + lead..at + s.len()
        };
        if python && s.starts_with('!') {
            let r = shell_from(1);
            if r.start < r.end {
                split.extra.push((RegionKind::Shell, r));
            }
            split.blank.push(at..e);
        } else if python && s.starts_with("%%") {
            split.blank.push(at..e);
        } else if python && s.starts_with('%') {
            let name = s
                .get(1..)
                .unwrap_or("")
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            match name {
                "pip" | "conda" | "mamba" | "micromamba" | "uv" => {
                    split.extra.push((RegionKind::Shell, shell_from(1)));
                }
                "sx" | "system" => {
                    let r = shell_from(1 + name.len());
                    if r.start < r.end {
                        split.extra.push((RegionKind::Shell, r));
                    }
                }
                _ => {}
            }
            split.blank.push(at..e);
        } else if python && let Some(bang) = assigned_shell(s) {
            let r = shell_from(bang + 1);
            if r.start < r.end {
                split.extra.push((RegionKind::Shell, r));
            }
            split.blank.push(at..e);
        } else if is_command_line(s, python) {
            split.extra.push((RegionKind::Shell, at..at + s.len()));
            split.blank.push(at..e);
        }
    }
    split
}

/// `files = !ls` → the offset of `!`.
fn assigned_shell(s: &str) -> Option<usize> {
    let eq = s.find('=')?;
    let lhs = s.get(..eq)?;
    if lhs.is_empty()
        || !lhs
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | ',' | ' '))
    {
        return None;
    }
    let rhs = s.get(eq + 1..)?;
    let lead = rhs.len() - rhs.trim_start().len();
    rhs.trim_start().starts_with('!').then_some(eq + 1 + lead)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JS: RegionKind = RegionKind::JavaScript {
        typescript: false,
        jsx: false,
    };

    fn split(doc: &str) -> (Vec<Region>, Vec<Diagnostic>) {
        regions(&Code::file("README.md".into(), doc))
    }

    /// Regions as (kind, raw bytes, cleaned text), with the invariants every region keeps.
    fn parts(doc: &str) -> Vec<(RegionKind, String, String)> {
        let (rs, _) = split(doc);
        check_invariants(doc, &rs);
        rs.iter()
            .map(|r| {
                (
                    r.kind,
                    doc[r.start..r.end()].to_owned(),
                    r.text(doc).into_owned(),
                )
            })
            .collect()
    }

    fn check_invariants(doc: &str, rs: &[Region]) {
        for w in rs.windows(2) {
            assert!(w[0].start <= w[1].start, "regions out of order: {w:?}");
        }
        for r in rs {
            assert!(r.end() <= doc.len(), "{r:?} past the end");
            assert!(
                doc.get(r.start..r.end()).is_some(),
                "{r:?} not on char boundaries"
            );
            let mut prev = 0;
            for b in &r.blank {
                assert!(
                    b.start >= prev && b.start < b.end && b.end <= r.len,
                    "{r:?}"
                );
                prev = b.end;
            }
            let text = r.text(doc);
            assert_eq!(text.len(), r.len, "cleaning changed the length of {r:?}");
            let raw = &doc[r.start..r.end()];
            for (a, b) in raw.bytes().zip(text.bytes()) {
                if a == b'\n' || a == b'\r' {
                    assert_eq!(a, b, "line ends must be kept");
                }
            }
        }
    }

    fn of_kind(doc: &str, kind: RegionKind) -> Vec<String> {
        parts(doc)
            .into_iter()
            .filter(|p| p.0 == kind)
            .map(|p| p.2)
            .collect()
    }

    /// Modeled on the README of `requests`.
    const REQUESTS_README: &str = r#"# Requests

**Requests** is a simple, yet elegant, HTTP library.

```python
>>> import requests
>>> r = requests.get('https://httpbin.org/basic-auth/user/pass', auth=('user', 'pass'))
>>> r.status_code
200
>>> r.json()
{'authenticated': True, ...}
```

Requests allows you to send HTTP/1.1 requests extremely easily. There’s no need to
manually add query strings to your URLs.

## Installing Requests and Supported Versions

Requests is available on PyPI:

```console
$ python -m pip install requests
```

Requests officially supports Python 3.8+.

## Cloning the repository

When cloning the Requests repository, you may need to add the `-c
fetch.fsck.badTimezone=ignore` flag to avoid an error about a bad commit:

```shell
git clone -c fetch.fsck.badTimezone=ignore https://github.com/psf/requests.git
```
"#;

    #[test]
    fn requests_readme() {
        let doc = REQUESTS_README;
        let (rs, diags) = split(doc);
        check_invariants(doc, &rs);
        assert!(diags.is_empty(), "{diags:?}");
        let kinds: Vec<RegionKind> = rs.iter().map(|r| r.kind).collect();
        use RegionKind::*;
        assert_eq!(
            kinds,
            [
                Prose,
                Prose,
                PythonConsole,
                Prose,
                Prose,
                Prose,
                ShellSession,
                Prose,
                Prose,
                Prose,
                Shell,
                Shell
            ]
        );
        // The console block: exact content range, prompts and output blanked.
        let pycon = &rs[2];
        let body = ">>> import requests\n>>> r = requests.get('https://httpbin.org/basic-auth/user/pass', auth=('user', 'pass'))\n>>> r.status_code\n200\n>>> r.json()\n{'authenticated': True, ...}\n";
        assert_eq!(&doc[pycon.start..pycon.end()], body);
        assert_eq!(pycon.start, doc.find(">>> import").unwrap());
        assert_eq!(
            pycon.text(doc),
            "    import requests\n    r = requests.get('https://httpbin.org/basic-auth/user/pass', auth=('user', 'pass'))\n    r.status_code\n   \n    r.json()\n                            \n"
        );
        assert_eq!(pycon.text(doc), strip_console_prompts(body));
        let install = &rs[6];
        assert_eq!(
            &doc[install.start..install.end()],
            "$ python -m pip install requests\n"
        );
        assert_eq!(install.text(doc), "  python -m pip install requests\n");
        // A code span that crosses a line, then the prose around it without it.
        assert_eq!(
            rs[9].text(doc),
            "When cloning the Requests repository, you may need to add the    \n                               flag to avoid an error about a bad commit:"
        );
        assert_eq!(
            &doc[rs[10].start..rs[10].end()],
            "-c\nfetch.fsck.badTimezone=ignore"
        );
        assert_eq!(
            &doc[rs[11].start..rs[11].end()],
            "git clone -c fetch.fsck.badTimezone=ignore https://github.com/psf/requests.git\n"
        );
        // A two-line paragraph is one prose region.
        assert!(rs[3].text(doc).contains("no need to\nmanually add"));
    }

    /// Modeled on the README of FastAPI: HTML, console blocks with output, `Python`
    /// with attributes.
    #[test]
    fn fastapi_readme() {
        let doc = r#"<p align="center">
  <a href="https://fastapi.tiangolo.com"><img src="https://fastapi.tiangolo.com/img/logo-margin/logo-teal.png" alt="FastAPI"></a>
</p>
<p align="center">
    <em>FastAPI framework, high performance, easy to learn, fast to code, ready for production</em>
</p>

---

**Documentation**: <a href="https://fastapi.tiangolo.com" target="_blank">https://fastapi.tiangolo.com</a>

## Installation

Create and activate a <a href="https://fastapi.tiangolo.com/virtual-environments/" class="external-link" target="_blank">virtual environment</a> and then install FastAPI:

<div class="termy">

```console
$ pip install "fastapi[standard]"

---> 100%
```

</div>

**Note**: Make sure you put `"fastapi[standard]"` in quotes to ensure it works in all terminals.

Create a file `main.py` with:

```Python hl_lines="9  14"
from typing import Union

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def read_root():
    return {"Hello": "World"}
```

Run the server with:

```console
$ fastapi dev main.py

 ╭────────── FastAPI CLI - Development mode ───────────╮
 │  Serving at: http://127.0.0.1:8000                  │
 ╰─────────────────────────────────────────────────────╯

INFO:     Application startup complete.
```
"#;
        let p = parts(doc);
        let sessions: Vec<&(RegionKind, String, String)> = p
            .iter()
            .filter(|x| x.0 == RegionKind::ShellSession)
            .collect();
        assert_eq!(sessions.len(), 2);
        assert_eq!(
            sessions[0].1,
            "$ pip install \"fastapi[standard]\"\n\n---> 100%\n"
        );
        assert_eq!(
            sessions[0].2,
            "  pip install \"fastapi[standard]\"\n\n         \n"
        );
        assert_eq!(sessions[1].2.trim(), "fastapi dev main.py");
        let python = of_kind(doc, RegionKind::Python);
        assert_eq!(python.len(), 1);
        assert!(python[0].starts_with("from typing import Union\n\nfrom fastapi"));
        assert!(python[0].ends_with("return {\"Hello\": \"World\"}\n"));
        let prose = of_kind(doc, RegionKind::Prose);
        // HTML tags and link targets are blanked, their text kept.
        assert!(prose[0].contains("FastAPI framework, high performance"));
        assert!(!prose.iter().any(|t| t.contains("href") || t.contains("<")));
        assert!(
            prose.iter().any(
                |t| t.contains("Create and activate a ") && t.contains(" virtual environment ")
            )
        );
        // No prose region holds code.
        assert!(
            !prose
                .iter()
                .any(|t| t.contains("main.py") || t.contains("fastapi["))
        );
        let spans = of_kind(doc, RegionKind::Shell);
        assert_eq!(spans, ["\"fastapi[standard]\"", "main.py"]);
    }

    /// A typical chat answer: prose, a `bash` install block, a `python` block, an inline
    /// `npm i`.
    #[test]
    fn llm_answer() {
        let doc = "To scrape a page, use **requests** with [Beautiful Soup](https://www.crummy.com/software/BeautifulSoup/).\n\nFirst install them:\n\n```bash\npip install requests beautifulsoup4\n```\n\nThen:\n\n```python\nimport requests\nfrom bs4 import BeautifulSoup\n\nresp = requests.get(\"https://example.com\", timeout=10)\nsoup = BeautifulSoup(resp.text, \"html.parser\")\nprint(soup.title.string)\n```\n\nIn Node.js, run `npm i axios cheerio` instead.\n";
        let (rs, diags) = split(doc);
        check_invariants(doc, &rs);
        assert!(diags.is_empty());
        let got: Vec<(RegionKind, &str)> = rs
            .iter()
            .map(|r| (r.kind, &doc[r.start..r.end()]))
            .collect();
        assert_eq!(
            got,
            [
                (
                    RegionKind::Prose,
                    "To scrape a page, use **requests** with [Beautiful Soup](https://www.crummy.com/software/BeautifulSoup/)."
                ),
                (RegionKind::Prose, "First install them:"),
                (RegionKind::Shell, "pip install requests beautifulsoup4\n"),
                (RegionKind::Prose, "Then:"),
                (
                    RegionKind::Python,
                    "import requests\nfrom bs4 import BeautifulSoup\n\nresp = requests.get(\"https://example.com\", timeout=10)\nsoup = BeautifulSoup(resp.text, \"html.parser\")\nprint(soup.title.string)\n"
                ),
                (
                    RegionKind::Prose,
                    "In Node.js, run `npm i axios cheerio` instead."
                ),
                (RegionKind::Shell, "npm i axios cheerio"),
            ]
        );
        assert_eq!(rs[2].start, doc.find("pip install").unwrap());
        assert!(rs[2].blank.is_empty() && rs[4].blank.is_empty());
        assert_eq!(
            rs[0].text(doc),
            "To scrape a page, use   requests   with  Beautiful Soup                                                 ."
        );
        assert_eq!(
            rs[5].text(doc),
            "In Node.js, run                       instead."
        );
    }

    #[test]
    fn region_code_maps_cleaned_text_to_the_file() {
        let doc = "Intro\n\n> ```python\n> import numpy\n> import reqeusts\n> ```\n";
        let file = Code::embedded("chat.json".into(), doc, 100, 9, 0).in_cell(3);
        let (rs, _) = regions(&file);
        let r = rs.iter().find(|r| r.kind == RegionKind::Python).unwrap();
        let text = r.text(doc);
        assert_eq!(text, "  import numpy\n  import reqeusts\n");
        let code = r.code(&file, &text);
        let at = text.find("reqeusts").unwrap();
        let l = code.location(at, at + 8);
        assert_eq!((l.line, l.column, l.cell), (14, 10, Some(3)));
        assert_eq!(
            &doc[l.start as usize - 100..l.end as usize - 100],
            "reqeusts"
        );
        // The raw sub-code agrees.
        let sub = file.sub(r.start, r.len);
        assert_eq!(sub.location(at, at + 8), l);
    }

    #[test]
    fn code_in_lists_and_quotes_keeps_uniform_indentation() {
        let doc = "1. Install:\n\n   ```py\n   import a\n   if b:\n       import c\n   ```\n\n> ```python\n> import x\n>\n>     import y\n> ```\n\n> > ```sh\n> > pip install deep\n> > npm i deeper\n> > ```\n\n- ```python\n  import single\n  ```\n";
        let p = parts(doc);
        let python: Vec<(&str, &str)> = p
            .iter()
            .filter(|x| x.0 == RegionKind::Python)
            .map(|x| (x.1.as_str(), x.2.as_str()))
            .collect();
        assert_eq!(
            python,
            [
                (
                    "   import a\n   if b:\n       import c\n",
                    "   import a\n   if b:\n       import c\n"
                ),
                (
                    "> import x\n>\n>     import y\n",
                    "  import x\n \n      import y\n"
                ),
                ("import single\n", "import single\n"),
            ]
        );
        let shell: Vec<&str> = p
            .iter()
            .filter(|x| x.0 == RegionKind::Shell)
            .map(|x| x.2.as_str())
            .collect();
        assert_eq!(shell, ["    pip install deep\n    npm i deeper\n"]);
    }

    #[test]
    fn info_strings() {
        let cases: &[(&str, &str, RegionKind)] = &[
            ("python", "x = 1\n", RegionKind::Python),
            ("py3", "x = 1\n", RegionKind::Python),
            ("ipython", "x = 1\n", RegionKind::Python),
            ("Python", "x = 1\n", RegionKind::Python),
            ("{python}", "x = 1\n", RegionKind::Python),
            ("{python echo=FALSE}", "x = 1\n", RegionKind::Python),
            ("{.python .numberLines}", "x = 1\n", RegionKind::Python),
            ("python title=\"app.py\"", "x = 1\n", RegionKind::Python),
            ("python:app.py", "x = 1\n", RegionKind::Python),
            ("app.py", "x = 1\n", RegionKind::Python),
            ("pycon", ">>> import os\n", RegionKind::PythonConsole),
            ("doctest", ">>> import os\n", RegionKind::PythonConsole),
            ("js", "f()\n", JS),
            ("js{1,3}", "f()\n", JS),
            ("mjs", "f()\n", JS),
            (
                "jsx",
                "f()\n",
                RegionKind::JavaScript {
                    typescript: false,
                    jsx: true,
                },
            ),
            (
                "typescript",
                "f()\n",
                RegionKind::JavaScript {
                    typescript: true,
                    jsx: false,
                },
            ),
            (
                "tsx",
                "f()\n",
                RegionKind::JavaScript {
                    typescript: true,
                    jsx: true,
                },
            ),
            ("sh", "ls\n", RegionKind::Shell),
            ("zsh", "ls\n", RegionKind::Shell),
            ("powershell", "ls\n", RegionKind::Shell),
            ("bat", "dir\n", RegionKind::Shell),
            ("bash", "$ pip install x\n", RegionKind::ShellSession),
            ("console", "pip install x\n", RegionKind::ShellSession),
            ("dockerfile", "FROM python:3.12\n", RegionKind::Dockerfile),
            ("Dockerfile", "FROM python:3.12\n", RegionKind::Dockerfile),
            ("requirements", "flask\n", RegionKind::Requirements),
            ("pip-requirements", "flask\n", RegionKind::Requirements),
            ("requirements.txt", "flask\n", RegionKind::Requirements),
            (
                "text title=\"requirements-dev.txt\"",
                "pytest\n",
                RegionKind::Requirements,
            ),
            ("txt", "flask==3.0\n", RegionKind::Requirements),
            (
                "json",
                "{\"dependencies\": {\"a\": \"1\"}}\n",
                RegionKind::PackageJson,
            ),
            ("json", "{\"name\": \"x\"}\n", RegionKind::Unknown),
            (
                "json title=\"package.json\"",
                "{\"name\": \"x\"}\n",
                RegionKind::PackageJson,
            ),
            (
                "toml",
                "[project]\nname = \"x\"\n",
                RegionKind::PyprojectToml,
            ),
            (
                "toml",
                "[tool.poetry.dependencies]\nx = \"1\"\n",
                RegionKind::PyprojectToml,
            ),
            ("toml", "[package]\nname = \"x\"\n", RegionKind::Unknown),
            ("yaml", "dependencies:\n  - numpy\n", RegionKind::Yaml),
            ("yml", "steps:\n  - run: pip install x\n", RegionKind::Yaml),
            ("rust", "use x;\n", RegionKind::Unknown),
            ("r", "library(x)\n", RegionKind::Unknown),
            (
                "{r setup, include=FALSE}",
                "library(x)\n",
                RegionKind::Unknown,
            ),
            ("java", "import java.util.List;\n", RegionKind::Unknown),
        ];
        for (info, body, want) in cases {
            let doc = format!("```{info}\n{body}```\n");
            let p = parts(&doc);
            assert_eq!(p.len(), 1, "{info}: {p:?}");
            assert_eq!(p[0].0, *want, "info string {info:?}");
            assert_eq!(p[0].1, *body, "{info}");
        }
    }

    #[test]
    fn untagged_blocks_are_sniffed() {
        let cases: &[(&str, RegionKind)] = &[
            ("import os\nimport numpy as np\n", RegionKind::Python),
            (
                "from flask import Flask\napp = Flask(__name__)\n",
                RegionKind::Python,
            ),
            ("def main():\n    pass\n", RegionKind::Python),
            ("#!/usr/bin/env python3\nprint(1)\n", RegionKind::Python),
            (
                ">>> import os\n>>> os.getcwd()\n'/tmp'\n",
                RegionKind::PythonConsole,
            ),
            ("In [1]: import pandas as pd\n", RegionKind::PythonConsole),
            ("const express = require('express');\n", JS),
            ("import express from 'express';\n", JS),
            ("import 'dotenv/config';\n", JS),
            (
                "import { z } from \"zod\";\nconst s: string = z.string().parse(x);\n",
                RegionKind::JavaScript {
                    typescript: true,
                    jsx: false,
                },
            ),
            (
                "import React from 'react';\nexport default () => <div>hi</div>;\n",
                RegionKind::JavaScript {
                    typescript: false,
                    jsx: true,
                },
            ),
            ("pip install -r requirements.txt\n", RegionKind::Shell),
            ("sudo apt-get install -y libpq-dev\n", RegionKind::Shell),
            ("npm install express\nnode index.js\n", RegionKind::Shell),
            (
                "curl -LsSf https://astral.sh/uv/install.sh | sh\n",
                RegionKind::Shell,
            ),
            ("python -m venv .venv\n", RegionKind::Shell),
            ("#!/bin/bash\nset -e\n", RegionKind::Shell),
            (
                "$ npm i left-pad\nadded 1 package\n",
                RegionKind::ShellSession,
            ),
            ("(venv) $ pip install x\n", RegionKind::ShellSession),
            ("user@host:~/app$ pip install x\n", RegionKind::ShellSession),
            (
                "PS C:\\Users\\me> pip install x\n",
                RegionKind::ShellSession,
            ),
            ("flask\nrequests\n", RegionKind::Unknown),
            // Branch names in sympy's contributing guide: names alone are not requirements.
            (
                "fix-solve-bug\ntypo-fix\ncore-improvements\n",
                RegionKind::Unknown,
            ),
            ("flask\nrequests>=2\n", RegionKind::Requirements),
            (
                "Django>=4.2,<5  # web\n-r base.txt\n",
                RegionKind::Requirements,
            ),
            ("uvicorn[standard]==0.29.0\n", RegionKind::Requirements),
            (
                "numpy; python_version >= \"3.9\"\n",
                RegionKind::Requirements,
            ),
            (
                "{\n  \"devDependencies\": {\"jest\": \"^29\"}\n}\n",
                RegionKind::PackageJson,
            ),
            (
                "[build-system]\nrequires = [\"hatchling\"]\n",
                RegionKind::PyprojectToml,
            ),
            ("FROM node:20\nRUN npm ci\n", RegionKind::Dockerfile),
            // Not requirements: one bare word, English, output.
            ("numpy\n", RegionKind::Unknown),
            ("Hello world\nThis is output\n", RegionKind::Unknown),
            ("200 OK\n", RegionKind::Unknown),
            ("import java.util.List;\n", RegionKind::Unknown),
        ];
        for (body, want) in cases {
            for doc in [format!("```\n{body}```\n"), format!("~~~text\n{body}~~~\n")] {
                let p = parts(&doc);
                assert_eq!(p.len(), 1, "{doc}: {p:?}");
                assert_eq!(p[0].0, *want, "{doc}");
                assert_eq!(p[0].1, *body);
            }
        }
        // Indented blocks are sniffed too.
        let doc = "Install:\n\n    pip install requests\n    pip install httpx\n";
        let p = parts(doc);
        assert_eq!(p[1].0, RegionKind::Shell);
        assert_eq!(p[1].1, "    pip install requests\n    pip install httpx\n");
    }

    #[test]
    fn notebook_magics_and_install_lines_in_python_blocks() {
        let doc = "```python\n!pip install -q transformers\n%pip install datasets\n%matplotlib inline\nfiles = !ls\nimport transformers\n```\n\n```python\npip install torch\nimport torch\n```\n";
        let p = parts(doc);
        let shell: Vec<&str> = p
            .iter()
            .filter(|x| x.0 == RegionKind::Shell)
            .map(|x| x.1.as_str())
            .collect();
        assert_eq!(
            shell,
            [
                "pip install -q transformers",
                "pip install datasets",
                "ls",
                "pip install torch"
            ]
        );
        let python = of_kind(doc, RegionKind::Python);
        assert_eq!(
            python,
            [
                "                            \n                     \n                  \n           \nimport transformers\n",
                "                 \nimport torch\n"
            ]
        );
    }

    #[test]
    fn cell_magics() {
        let doc = "```python\n%%writefile requirements.txt\npandas>=2\nscikit-learn\n```\n\n```python\n%%bash\npip install a\n```\n\n```python\n%%time\nimport b\n```\n\n```python\n%%sql\nSELECT 1\n```\n";
        let p = parts(doc);
        let got: Vec<(RegionKind, &str)> = p.iter().map(|x| (x.0, x.2.as_str())).collect();
        assert_eq!(
            got,
            [
                (RegionKind::Requirements, "pandas>=2\nscikit-learn\n"),
                (RegionKind::Shell, "pip install a\n"),
                (RegionKind::Python, "      \nimport b\n"),
            ]
        );
    }

    #[test]
    fn js_block_with_install_line() {
        let doc = "```js\nnpm install express\nconst express = require('express')\n```\n";
        let p = parts(doc);
        assert_eq!(
            p[0],
            (
                RegionKind::Shell,
                "npm install express".into(),
                "npm install express".into()
            )
        );
        assert_eq!(p[1].0, JS);
        assert_eq!(
            p[1].2,
            "                   \nconst express = require('express')\n"
        );
    }

    #[test]
    fn diffs_keep_the_new_side() {
        let doc = "```diff\n--- a/requirements.txt\n+++ b/requirements.txt\n@@ -1,2 +1,3 @@\n flask==3.0.0\n-requests\n+requests>=2.31\n+httpx\n```\n\n```diff\n-import simplejson\n+import json\n```\n";
        let p = parts(doc);
        assert_eq!(p[0].0, RegionKind::Requirements);
        assert_eq!(
            p[0].2,
            "                      \n                      \n               \n flask==3.0.0\n         \n requests>=2.31\n httpx\n"
        );
        assert_eq!(p[1].0, RegionKind::Python);
        assert_eq!(
            p[1].2,
            format!("{}\n import json\n", " ".repeat("-import simplejson".len()))
        );
    }

    #[test]
    fn console_sessions() {
        let doc = "```console\n$ pip install \\\n    requests\nCollecting requests\n# comment\n(venv) $ npm i x\n```\n";
        let p = parts(doc);
        assert_eq!(p[0].0, RegionKind::ShellSession);
        assert_eq!(
            p[0].2,
            "  pip install \\\n    requests\n                   \n         \n         npm i x\n"
        );
        let ipy = "In [1]: import pandas as pd\n   ...: df = pd.DataFrame()\n\nIn [2]: !pip install x\nOut[2]: 3\n";
        assert_eq!(
            strip_console_prompts(ipy),
            "        import pandas as pd\n        df = pd.DataFrame()\n\n        !pip install x\n         \n"
        );
        assert_eq!(strip_console_prompts("import os\n"), "import os\n");
        assert_eq!(strip_shell_prompts("$ ls\nfile\n"), "  ls\n    \n");
        assert_eq!(strip_shell_prompts("ls\n$ x\n"), "ls\n$ x\n");
    }

    #[test]
    fn prose_blanks_markup_but_keeps_text() {
        let doc = "# Install `foo` \\_x\n\nRun pip install *fancy*-pkg or see <b>docs</b> &amp; [here](https://x.io \"t\").\n> quoted pip install q\n\n| tool | command |\n|---|---|\n| pip | pip install tab |\n\n- tight item\n- second `code` item\n";
        let prose = of_kind(doc, RegionKind::Prose);
        assert_eq!(
            prose,
            [
                "Install        _x",
                "Run pip install  fancy -pkg or see    docs     &amp;  here                   .",
                "quoted pip install q",
                "tool",
                "command",
                "pip",
                "pip install tab",
                "tight item",
                "second        item",
            ]
        );
    }

    #[test]
    fn front_matter_and_html_comments_are_not_prose() {
        let doc = "---\ntitle: pip install nothing\n---\n\n<!-- pip install hidden -->\n\nText.\n";
        let p = parts(doc);
        assert_eq!(p, [(RegionKind::Prose, "Text.".into(), "Text.".into())]);
    }

    #[test]
    fn unclosed_fence_reads_to_the_end_and_warns() {
        let doc = "Answer:\n\n```python\nimport numpy\nimport pandas\n";
        let (rs, diags) = split(doc);
        check_invariants(doc, &rs);
        assert_eq!(rs[1].kind, RegionKind::Python);
        assert_eq!(
            &doc[rs[1].start..rs[1].end()],
            "import numpy\nimport pandas\n"
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, Some(3));
        assert_eq!(diags[0].severity, Severity::Warning);
        assert!(
            diags[0].message.contains("never closed"),
            "{}",
            diags[0].message
        );
        // In a quote, it ends with the quote.
        let doc = "> ```sh\n> pip install a\n\nafter\n";
        let (rs, diags) = split(doc);
        assert_eq!(rs[0].kind, RegionKind::Shell);
        assert_eq!(rs[0].text(doc), "pip install a\n");
        assert_eq!(diags.len(), 1);
        // Closed ones do not warn; an empty closed block gives no region.
        let (rs, diags) = split("```\n```\n\n~~~~py\nx = 1\n~~~~\n");
        assert!(diags.is_empty());
        assert_eq!(rs.len(), 1);
    }

    #[test]
    fn nested_markdown_blocks_are_split_again() {
        let doc = "````markdown\n# Setup\n\nRun `pip install inner`.\n\n```python\nimport inner\n```\n````\n";
        let p = parts(doc);
        let got: Vec<(RegionKind, &str)> = p.iter().map(|x| (x.0, x.1.as_str())).collect();
        assert_eq!(
            got,
            [
                (RegionKind::Prose, "Setup"),
                (RegionKind::Prose, "Run `pip install inner`."),
                (RegionKind::Shell, "pip install inner"),
                (RegionKind::Python, "import inner\n"),
            ]
        );
    }

    #[test]
    fn crlf_documents() {
        let doc = "Intro\r\n\r\n```python\r\nimport x\r\nimport y\r\n```\r\n\r\n> ```sh\r\n> pip install z\r\n> npm i w\r\n> ```\r\n";
        let p = parts(doc);
        assert_eq!(
            p[1],
            (
                RegionKind::Python,
                "import x\r\nimport y\r\n".into(),
                "import x\r\nimport y\r\n".into()
            )
        );
        assert_eq!(p[2].0, RegionKind::Shell);
        assert_eq!(p[2].2, "  pip install z\r\n  npm i w\r\n");
    }

    #[test]
    fn inline_spans() {
        let doc = "Use `import numpy as np`, `const x = require('x')`, `` pip install `odd` ``, or ` `.\n";
        let got: Vec<(RegionKind, String)> = parts(doc)
            .into_iter()
            .filter(|p| p.0 != RegionKind::Prose)
            .map(|p| (p.0, p.1))
            .collect();
        assert_eq!(
            got,
            [
                (RegionKind::Python, "import numpy as np".into()),
                (JS, "const x = require('x')".into()),
                (RegionKind::Shell, "pip install `odd`".into()),
            ]
        );
        // A span across quoted lines loses the quote marker.
        let doc = "> run `pip install\n> foo` now\n";
        let spans = of_kind(doc, RegionKind::Shell);
        assert_eq!(spans, ["pip install\n  foo"]);
    }

    #[test]
    fn plain_text_answers() {
        let doc =
            "Sure! You can install it with pip install fastapi-users and then import it.\nThanks.";
        let p = parts(doc);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, RegionKind::Prose);
        assert_eq!(p[0].1, doc);
        assert!(split("").0.is_empty());
        assert!(split("\n\n   \n").0.is_empty());
    }

    #[test]
    fn deep_nesting_does_not_overflow_or_hang() {
        let quotes = format!(
            "{} ```python\n{} import x\n",
            ">".repeat(10_000),
            ">".repeat(10_000)
        );
        let lists: String = (0..10_000).map(|_| "- ").collect::<String>() + "`pip install x`\n";
        let indented: String = (0..2_000)
            .map(|i| format!("{}- a\n", "  ".repeat(i)))
            .collect();
        let mixed = "> - ".repeat(5_000) + "```\n" + &("> ".repeat(3_000) + "   code\n").repeat(50);
        let brackets =
            "[".repeat(20_000) + &"*a".repeat(20_000) + &"`".repeat(5_000) + &"<a ".repeat(10_000);
        for doc in [quotes, lists, indented, mixed, brackets] {
            let started = std::time::Instant::now();
            let (rs, _) = split(&doc);
            check_invariants(&doc, &rs);
            assert!(
                started.elapsed().as_secs() < 20,
                "took {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn pathological_inputs_stay_fast() {
        let many_magics = format!("```python\n{}```\n", "!pip install x\n".repeat(50_000));
        let unclosed_tags = format!("<div>\n{}\n", "<a x".repeat(100_000));
        let unclosed_comments = format!("<div>\n{}\n", "<!-- x".repeat(100_000));
        let spans = "`a` ".repeat(100_000);
        let console = format!("```pycon\n{}```\n", ">>> import x\nout\n".repeat(50_000));
        for doc in [
            many_magics,
            unclosed_tags,
            unclosed_comments,
            spans,
            console,
        ] {
            let started = std::time::Instant::now();
            let (rs, _) = split(&doc);
            check_invariants(&doc, &rs);
            assert!(
                started.elapsed().as_secs() < 20,
                "took {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn large_document() {
        let doc = REQUESTS_README.repeat(2_000);
        let (rs, diags) = split(&doc);
        assert!(diags.is_empty());
        assert_eq!(rs.len(), 12 * 2_000);
        assert_eq!(
            rs.iter()
                .filter(|r| r.kind == RegionKind::ShellSession)
                .count(),
            2_000
        );
    }

    /// Deterministic mutations of realistic inputs: no panic, and every region keeps the
    /// invariants.
    #[test]
    fn randomized_mutations_keep_invariants() {
        let seeds = [
            REQUESTS_README,
            "1. a\n   ```py\n   import a\n   ```\n> ```sh\n> $ pip install x\n> ```\n<div>\n`x`\n</div>\n",
            "```diff\n+++ b/package.json\n+{\"dependencies\": {}}\n```\n```pycon\n>>> 1\n```\n~~~\n%%bash\n~~~\n",
            "é `ü` **ß**\r\n\r\n    $ x\r\n\t$ y\r\n| a | `b` |\n|-|-|\n",
        ];
        let alphabet: &[&str] = &[
            "`",
            "```",
            "~~~",
            ">",
            "> ",
            "- ",
            "1. ",
            "\n",
            "\r\n",
            "    ",
            "\t",
            "$ ",
            ">>> ",
            "... ",
            "!",
            "%%",
            "%",
            "<",
            ">",
            "[",
            "]",
            "(",
            ")",
            "*",
            "_",
            "\\",
            "é",
            "😀",
            "{",
            "}",
            "|",
            "+",
            "-",
            "#",
            "pip install ",
            "import ",
            "python",
            "\u{0}",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..3_000 {
            let mut doc = seeds[i % seeds.len()].to_owned();
            for _ in 0..(next() % 8 + 1) {
                let mut at = (next() as usize) % (doc.len() + 1);
                while !doc.is_char_boundary(at) {
                    at -= 1;
                }
                match next() % 3 {
                    0 => doc.insert_str(at, alphabet[(next() as usize) % alphabet.len()]),
                    1 => {
                        let mut end = (at + (next() as usize) % 8).min(doc.len());
                        while !doc.is_char_boundary(end) {
                            end += 1;
                        }
                        doc.replace_range(at..end, "");
                    }
                    _ => {
                        let piece = doc[at..].chars().take(20).collect::<String>();
                        doc.insert_str(at, &piece);
                    }
                }
            }
            let (rs, _) = split(&doc);
            check_invariants(&doc, &rs);
        }
    }
}
