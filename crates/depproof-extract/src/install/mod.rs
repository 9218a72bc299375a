//! Package-installing commands in shell-like text, and every package they name.
//!
//! The same finder reads shell scripts, Dockerfiles, CI YAML, Makefiles, Markdown code
//! blocks and inline code, notebook `!pip`/`%pip` lines and the prose of chat answers. It
//! scans any text and reports only arguments of commands it recognizes: `pip install`,
//! `python -m pip install`, `uv add`/`uv pip install`/`uvx`, `pipx`, `poetry add`,
//! `pdm add`, `pipenv install`, `conda install` (as conda names), `easy_install`, `npm i`,
//! `npx`, `npm create`, `yarn add`/`dlx`/`create`, `pnpm add`/`dlx`/`create`, `pnpx`,
//! `bun add`/`x`/`create`, `bunx`.
//!
//! Two readings of text exist. [`find_in_script`] (alias [`find`]) reads shell: `#`
//! starts a comment, quotes and `\` newline work as in a shell, commands are found after
//! `&&`, `;`, `|`, in `$(…)`, after `sudo`/`env X=1`/`time`, and after the prefixes that
//! wrap commands in other files (`RUN`, `run:`, `- `, `@`, `!`, `%`, `$ ` prompts), and in
//! exec-form lists (`RUN ["pip", "install", "x"]`). [`find_in_prose`] reads sentences:
//! a command may start anywhere, `#` is text, and the argument list stops where the
//! sentence goes on (see `prose`).
//!
//! [`parse_argv`] and [`packages_in_argv`] apply the same grammar to an argument vector,
//! for a guard that wraps `pip install …` itself.

mod command;
mod prose;
mod shell;
mod spec;
#[cfg(test)]
mod tests;

use std::ops::Range;

pub use command::{Action, ArgMention, ArgValue, InstallCommand, Tool};

use command::Arg;
use shell::{Tok, Word};

use crate::location::{Code, Location};
use crate::reference::{Found, Kind, Mention, NotRegistry, Output};

/// How to read the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Shell-like code: comments are comments, commands stand at command positions.
    Script,
    /// Sentences: an installer's name anywhere starts a command, the sentence ends it.
    Prose,
}

/// What a file named by an install command holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileRole {
    /// More packages to install (`-r requirements.txt`, conda `--file`).
    Requirements,
    /// Constraints or overrides on versions (`-c constraints.txt`).
    Constraints,
}

/// A file that an install command reads packages from: the caller may scan it too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReference {
    /// The path as written, relative to where the command runs.
    pub path: String,
    /// What it holds.
    pub role: FileRole,
    /// The installer that reads it.
    pub tool: Tool,
    /// Where the path is written.
    pub location: Location,
}

/// Finds install commands in shell-like code (see [`find_in_script`]).
pub fn find(code: &Code<'_>, out: &mut Output) {
    find_with(code, Mode::Script, out);
}

/// Finds install commands in shell-like code: scripts, Dockerfiles, CI YAML, Makefiles,
/// code blocks, notebook cells, inline code.
pub fn find_in_script(code: &Code<'_>, out: &mut Output) {
    find_with(code, Mode::Script, out);
}

/// Finds install commands in prose: a chat answer, the text of a README.
pub fn find_in_prose(code: &Code<'_>, out: &mut Output) {
    find_with(code, Mode::Prose, out);
}

/// Finds install commands read as `mode`, and returns the requirement and constraint
/// files they name, which the caller may want to scan as well.
pub fn find_with(code: &Code<'_>, mode: Mode, out: &mut Output) -> Vec<FileReference> {
    let first_new = out.found.len();
    let mut sink = Sink {
        code,
        out,
        mode,
        files: Vec::new(),
        nesting_warned: false,
    };
    match mode {
        Mode::Script => {
            scan_script(&mut sink, 0..code.text.len(), 0);
            scan_lists(&mut sink);
        }
        Mode::Prose => scan_prose(&mut sink),
    }
    let mut files = sink.files;
    // Quoted strings, substitutions and exec-form lists are searched after the line that
    // holds them: put mentions back in text order, and never report one place twice.
    let mut found = out.found.split_off(first_new);
    found.sort_by_key(|f| (f.location.start, f.location.end));
    found.dedup_by(|a, b| a.location == b.location && a.mention == b.mention);
    out.found.append(&mut found);
    files.sort_by_key(|f| f.location.start);
    files.dedup();
    files
}

/// The install commands in an argument vector (`["sudo", "pip", "install", "x"]`), as a
/// process receives it: no quoting, no expansion. Usually one command; two when a runner
/// installs and then runs another installer (`uv run --with x pip install y`).
pub fn parse_argv(argv: &[&str]) -> Vec<InstallCommand> {
    let args: Vec<Arg<'_>> = argv.iter().map(|a| Arg::literal(a)).collect();
    command::parse(&args)
}

/// The package arguments of the install commands in an argument vector.
pub fn packages_in_argv(argv: &[&str]) -> Vec<ArgMention> {
    parse_argv(argv)
        .into_iter()
        .flat_map(|c| c.packages)
        .collect()
}

/// How deeply quoted strings and substitutions are searched for commands.
const MAX_NESTING: u8 = 8;
/// How many items of a bracketed list are read.
const MAX_LIST_ITEMS: usize = 256;
/// How many words of a command in prose are read.
const MAX_PROSE_WORDS: usize = 64;

struct Sink<'c, 'o> {
    code: &'c Code<'c>,
    out: &'o mut Output,
    mode: Mode,
    files: Vec<FileReference>,
    nesting_warned: bool,
}

impl Sink<'_, '_> {
    /// Records the commands' packages, warnings and files; `locate` maps a byte range of
    /// an argument to a byte range of the text.
    fn emit(
        &mut self,
        cmds: &[InstallCommand],
        locate: impl Fn(usize, Range<usize>) -> Option<Range<usize>>,
    ) {
        for cmd in cmds {
            for p in &cmd.packages {
                let Some(r) = locate(p.arg, p.range.clone()) else {
                    continue;
                };
                let mention = match &p.mention {
                    // With --no-index nothing is fetched from the registry.
                    Mention::Package { ecosystem, name } if cmd.no_index => Mention::NotRegistry {
                        ecosystem: Some(*ecosystem),
                        text: name.clone(),
                        what: NotRegistry::LocalPath,
                    },
                    m => m.clone(),
                };
                self.out.found.push(Found {
                    mention,
                    kind: Kind::InstallCommand,
                    location: self.code.location(r.start, r.end),
                    version: p.version.clone(),
                    optional: p.optional,
                    dev: p.dev,
                    uncertain: false,
                });
            }
            // In prose a word that is not a requirement is just a word.
            if self.mode == Mode::Script {
                for (arg, message) in &cmd.warnings {
                    let line =
                        locate(*arg, 0..0).map(|r| self.code.location(r.start, r.start).line);
                    self.out
                        .warn(&self.code.path, line, format!("install command: {message}"));
                }
            }
            let files = [
                (&cmd.requirement_files, FileRole::Requirements),
                (&cmd.constraint_files, FileRole::Constraints),
            ];
            for (values, role) in files {
                for v in values {
                    if let Some(r) = locate(v.arg, v.range.clone()) {
                        self.files.push(FileReference {
                            path: v.text.clone(),
                            role,
                            tool: cmd.tool,
                            location: self.code.location(r.start, r.end),
                        });
                    }
                }
            }
        }
    }
}

/// Whether `s` may hold an installer's name at all (a fast filter, case-insensitive so
/// that `$(PIP)` passes).
fn might_have_command(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).enumerate().any(|(i, pair)| {
        // `| 0x20` lower-cases ASCII letters and maps no other byte onto one.
        let needle: &[u8] = match [pair[0] | 0x20, pair[1] | 0x20] {
            [b'p', b'i'] => b"pip",
            [b'p', b'y'] => b"py",
            [b'u', b'v'] => b"uv",
            [b'n', b'p'] => b"np",
            [b'p', b'n'] => b"pn",
            [b'y', b'a'] => b"yarn",
            [b'b', b'u'] => b"bun",
            [b'c', b'o'] => b"conda",
            [b'm', b'a'] => b"mamba",
            [b'p', b'o'] => b"poetry",
            [b'p', b'd'] => b"pdm",
            [b'e', b'a'] => b"easy_install",
            [b'e', b'x'] => b"executable",
            _ => return false,
        };
        b.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

// ---------------------------------------------------------------------------------------
// Script mode

fn scan_script(sink: &mut Sink<'_, '_>, range: Range<usize>, depth: u8) {
    let text = sink.code.text;
    if depth > MAX_NESTING {
        if !sink.nesting_warned {
            sink.nesting_warned = true;
            let line = sink.code.location(range.start, range.start).line;
            sink.out.warn(
                &sink.code.path,
                Some(line),
                format!("install command: quoting nested deeper than {MAX_NESTING} levels was not searched"),
            );
        }
        return;
    }
    for line in shell::logical_lines(text, range) {
        if !text.get(line.clone()).is_some_and(might_have_command) {
            continue;
        }
        let lexed = shell::tokenize(text, line);
        let mut words: Vec<&Word> = Vec::new();
        for t in &lexed.toks {
            match t {
                Tok::Word(w) => words.push(w),
                Tok::Sep => {
                    simple_command(sink, &words);
                    words.clear();
                }
            }
        }
        simple_command(sink, &words);
        let rescans: Vec<Range<usize>> = lexed
            .quoted
            .iter()
            .filter(|r| {
                text.get((*r).clone())
                    .is_some_and(|s| s.contains(char::is_whitespace) && might_have_command(s))
            })
            .cloned()
            .collect();
        for r in &rescans {
            scan_script(sink, r.clone(), depth + 1);
        }
        for s in &lexed.substitutions {
            if !rescans.iter().any(|q| q.start <= s.start && s.end <= q.end) {
                scan_script(sink, s.clone(), depth + 1);
            }
        }
    }
}

fn is_yaml_key(v: &str) -> bool {
    v.len() > 1
        && v.ends_with(':')
        && v[..v.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn is_prompt(v: &str) -> bool {
    matches!(v, "$" | ">" | "%" | "❯" | "➜" | "λ" | "→" | "PS")
        || (v.len() > 1 && (v.ends_with('$') || v.ends_with('>')) && v.contains([':', '@', '~']))
}

fn is_list_marker(v: &str) -> bool {
    matches!(v, "-" | "*" | "+" | "•")
        || (v.len() > 1
            && v.ends_with(['.', ')'])
            && v[..v.len() - 1].bytes().all(|b| b.is_ascii_digit()))
}

/// Skips what stands before a command in files that wrap shell: YAML keys and list
/// markers (`- run:`), Dockerfile instructions and their `--mount=…` flags, prompts,
/// numbered steps, tox's `commands =`.
fn skip_text_prefixes(words: &[&Word]) -> usize {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if is_list_marker(v) || is_yaml_key(v) || is_prompt(v) {
            i += 1;
        } else if matches!(v, "RUN" | "CMD" | "ENTRYPOINT" | "ONBUILD") {
            i += 1;
            while words.get(i).is_some_and(|w| w.value.starts_with("--")) {
                i += 1;
            }
        } else if words.get(i + 1).is_some_and(|n| n.value == "=")
            && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            i += 2;
        } else {
            break;
        }
    }
    i
}

fn simple_command(sink: &mut Sink<'_, '_>, words: &[&Word]) {
    let text = sink.code.text;
    let start = skip_text_prefixes(words);
    let Some(words) = words.get(start..).filter(|w| !w.is_empty()) else {
        return;
    };
    // `@pip` (Makefile), `!pip` and `%pip` (notebooks), `-pip` (Makefile, errors ignored).
    let first = &words[0];
    let stripped = first.value.trim_start_matches(['@', '-', '+', '!', '%']);
    let lead = first.value.len() - stripped.len();
    let shift = if lead > 0 && lead <= 2 {
        let a = Arg {
            value: stripped,
            raw: stripped,
            dynamic_from: first.dynamic_from.map(|d| d.saturating_sub(lead)),
        };
        if command::program_of(&a).is_some() {
            lead
        } else {
            0
        }
    } else {
        0
    };
    let args: Vec<Arg<'_>> = words
        .iter()
        .enumerate()
        .map(|(j, w)| {
            let s = if j == 0 { shift } else { 0 };
            let value = w.value.get(s..).unwrap_or("");
            Arg {
                value,
                raw: if s == 0 {
                    text.get(w.start..w.end).unwrap_or(value)
                } else {
                    value
                },
                dynamic_from: w.dynamic_from.map(|d| d.saturating_sub(s)),
            }
        })
        .collect();
    let cmds = command::parse(&args);
    if cmds.is_empty() {
        return;
    }
    sink.emit(&cmds, |arg, r| {
        let w = words.get(arg)?;
        let s = if arg == 0 { shift } else { 0 };
        w.source(r.start + s..r.end + s).or(Some(w.start..w.start))
    });
}

/// Exec-form lists anywhere in the text: `RUN ["pip", "install", "x"]`,
/// `subprocess.check_call([sys.executable, "-m", "pip", "install", "x"])`.
fn scan_lists(sink: &mut Sink<'_, '_>) {
    let text = sink.code.text;
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(p) = b
        .get(i..)
        .and_then(|r| r.iter().position(|&c| c == b'['))
        .map(|p| i + p)
    {
        i = p + 1;
        let (head, _) = shell::bracket_list(text, p, 1);
        let Some(first) = head.first() else { continue };
        let first = item_arg(&first.word);
        if command::program_of(&first).is_none() && !matches!(first.value, "sudo" | "env" | "doas")
        {
            continue;
        }
        let (items, end) = shell::bracket_list(text, p, MAX_LIST_ITEMS);
        let args: Vec<Arg<'_>> = items.iter().map(|it| item_arg(&it.word)).collect();
        let cmds = command::parse(&args);
        sink.emit(&cmds, |arg, r| {
            let w = &items.get(arg)?.word;
            w.source(r).or(Some(w.start..w.start))
        });
        i = end.max(i);
    }
}

fn item_arg(w: &Word) -> Arg<'_> {
    Arg {
        value: &w.value,
        raw: &w.value,
        dynamic_from: w.dynamic_from,
    }
}

// ---------------------------------------------------------------------------------------
// Prose mode

fn scan_prose(sink: &mut Sink<'_, '_>) {
    let text = sink.code.text;
    let b = text.as_bytes();
    let mut line_start = 0;
    while line_start <= b.len() {
        let line_end = b[line_start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| line_start + p);
        if text
            .get(line_start..line_end)
            .is_some_and(might_have_command)
        {
            prose_line(sink, line_start, line_end);
        }
        line_start = line_end + 1;
    }
}

fn follows_determiner(text: &str, line_start: usize, at: usize) -> bool {
    let before = text.get(line_start..at).unwrap_or("").trim_end();
    let word = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    matches!(
        word.to_ascii_lowercase().as_str(),
        "your"
            | "the"
            | "a"
            | "an"
            | "this"
            | "that"
            | "my"
            | "our"
            | "their"
            | "its"
            | "his"
            | "her"
            | "each"
            | "every"
    )
}

fn prose_line(sink: &mut Sink<'_, '_>, start: usize, end: usize) {
    let text = sink.code.text;
    let b = text.as_bytes();
    let mut p = start;
    while p < end {
        let at_word = b[p].is_ascii_lowercase() && (p == start || !prose::name_byte(b[p - 1]));
        if !at_word {
            p += 1;
            continue;
        }
        let word_end = p + b[p..end]
            .iter()
            .take_while(|&&c| prose::name_byte(c) && c != b'@')
            .count();
        let is_program = text
            .get(p..word_end)
            .and_then(command::program_named)
            .is_some();
        // "your pip install invocation", "the npm install step": a determiner before the
        // installer makes it a noun phrase, not a command.
        if !is_program || follows_determiner(text, start, p) {
            p = word_end.max(p + 1);
            continue;
        }
        let ranges = prose::words(text, p, end, MAX_PROSE_WORDS);
        let args: Vec<Arg<'_>> = ranges
            .iter()
            .map(|r| {
                let v = text.get(r.clone()).unwrap_or("");
                Arg {
                    value: v,
                    raw: v,
                    dynamic_from: v.find(['$', '{', '%']),
                }
            })
            .collect();
        let cmds = command::parse(&args);
        if cmds.is_empty() {
            p = word_end.max(p + 1);
            continue;
        }
        sink.emit(&cmds, |arg, r| {
            let w = ranges.get(arg)?;
            Some(w.start + r.start..w.start + r.end)
        });
        p = ranges.last().map_or(word_end, |r| r.end).max(word_end);
    }
}
