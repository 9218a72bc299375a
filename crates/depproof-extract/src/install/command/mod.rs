//! The argument grammar of package installers, on a list of arguments.
//!
//! This is shared by the text finder (which first splits shell-like text into words) and
//! by argv users such as a `depproof run -- pip install …` guard (which get the words
//! from the operating system). It strips shell wrappers (`sudo`, `env X=1`, `time`…),
//! recognizes the installer and its subcommand, skips options with their values and
//! classifies each package argument.

use std::ops::Range;

use depproof_registry::Ecosystem;

mod javascript;
mod python;

use javascript::{BUNX_OPTS, NPX_OPTS, PNPM_DLX_OPTS, bun, npm, pnpm, yarn};
use python::{
    EASY_INSTALL_OPTS, UV_GLOBAL, UV_RUN_OPTS, conda, pdm, pip, pipenv, pipx, poetry, python, uv,
};

use super::spec::{self, Outcome, PyStyle};
use crate::reference::Mention;

/// One argument as the grammar sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arg<'a> {
    /// The value after quote removal.
    pub value: &'a str,
    /// The text as written (kept for Windows paths, whose `\` a shell would eat).
    pub raw: &'a str,
    /// Byte offset in `value` of the first unexpanded shell expansion (`$VAR`, `$(…)`),
    /// if any: what follows is unknown.
    pub dynamic_from: Option<usize>,
}

impl<'a> Arg<'a> {
    /// A literal argument, as a process receives it.
    pub(crate) fn literal(value: &'a str) -> Arg<'a> {
        Arg {
            value,
            raw: value,
            dynamic_from: None,
        }
    }
}

/// The installer a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    /// `pip`, `pip3`, `python -m pip`.
    Pip,
    /// `uv` and `uvx`.
    Uv,
    /// `pipx`.
    Pipx,
    /// `poetry`.
    Poetry,
    /// `pdm`.
    Pdm,
    /// `pipenv`.
    Pipenv,
    /// `conda`, `mamba`, `micromamba`.
    Conda,
    /// `easy_install`.
    EasyInstall,
    /// `npm` and `npx`.
    Npm,
    /// `yarn`.
    Yarn,
    /// `pnpm` and `pnpx`.
    Pnpm,
    /// `bun` and `bunx`.
    Bun,
}

/// What the command does with the packages it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Installs them into an environment or a project (`pip install`, `npm i`, `uv add`).
    Install,
    /// Downloads and runs one (`npx`, `uvx`, `pipx run`, `yarn dlx`).
    Run,
    /// Runs a project initializer (`npm create vite` runs `create-vite`).
    Create,
}

/// A package argument of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgMention {
    /// Index of the argument in the list given.
    pub arg: usize,
    /// Byte range in that argument: the name for a registry package (as written, so
    /// `vite` in `npm create vite`), the whole text for anything else.
    pub range: Range<usize>,
    /// What it names.
    pub mention: Mention,
    /// The version requirement as written (`==1.2`, `^1.2`, `latest`).
    pub version: Option<String>,
    /// Optional: an environment marker, `--save-optional`, an optional group.
    pub optional: bool,
    /// A development dependency (`-D`, `--dev`, a non-main poetry group).
    pub dev: bool,
}

/// A file or URL given as an option value (`-r requirements.txt`, `--index-url URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgValue {
    /// Index of the argument holding the value.
    pub arg: usize,
    /// Byte range of the value in that argument (`-rreqs.txt` holds it after `-r`).
    pub range: Range<usize>,
    /// The value.
    pub text: String,
}

/// One recognized install command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallCommand {
    /// The installer.
    pub tool: Tool,
    /// What it does with the packages.
    pub action: Action,
    /// The registry its names belong to; `None` for conda, whose names are its own.
    pub ecosystem: Option<Ecosystem>,
    /// Index of the argument naming the installer (`pip`, `npx`; the module in
    /// `python -m pip`).
    pub program: usize,
    /// The package arguments, in order.
    pub packages: Vec<ArgMention>,
    /// Requirement files to read for more packages (`-r`, `--requirement`, conda `--file`,
    /// `--with-requirements`).
    pub requirement_files: Vec<ArgValue>,
    /// Constraint and override files (`-c`, `--constraint`, `--overrides`).
    pub constraint_files: Vec<ArgValue>,
    /// Package indexes and registries named (`-i`, `--extra-index-url`, `-f`, `--registry`).
    pub indexes: Vec<ArgValue>,
    /// A global or user-wide install (`npm i -g`, `yarn global add`, `pipx install`…
    /// only where the tool says so with `-g`/`--global`).
    pub global: bool,
    /// `--no-index`: the packages come from `--find-links` locations, not a registry.
    pub no_index: bool,
    /// Arguments that could not be read, with the reason.
    pub warnings: Vec<(usize, String)>,
}

/// How deep runners may nest (`poetry run uv run python -m pip …`).
const MAX_DEPTH: u8 = 12;

/// Every install command in `args`, a single command line already split into words:
/// usually one, two when a runner both installs and runs (`uv run --with x pip install y`).
pub(crate) fn parse(args: &[Arg<'_>]) -> Vec<InstallCommand> {
    let mut out = Vec::new();
    parse_at(args, 0, 0, &mut out);
    out
}

fn parse_at(args: &[Arg<'_>], start: usize, depth: u8, out: &mut Vec<InstallCommand>) {
    if depth > MAX_DEPTH {
        return;
    }
    let i = skip_wrappers(args, start);
    let Some(word) = args.get(i) else { return };
    let Some(program) = program_of(word) else {
        return;
    };
    dispatch(program, args, i, depth, out);
}

fn dispatch(
    program: Program,
    args: &[Arg<'_>],
    at: usize,
    depth: u8,
    out: &mut Vec<InstallCommand>,
) {
    let next = at + 1;
    match program {
        Program::Python => python(args, next, depth, out),
        Program::Pip => push(out, pip(args, at, next)),
        Program::Uv => uv(args, at, next, depth, out),
        Program::Uvx => push(
            out,
            Some(runner(
                args,
                at,
                &[],
                Tool::Uv,
                &[UV_RUN_OPTS, UV_GLOBAL],
                Style::Py(PyStyle::AtVersion),
            )),
        ),
        Program::Pipx => push(out, pipx(args, at, next)),
        Program::Poetry => poetry(args, at, next, depth, out),
        Program::Pdm => pdm(args, at, next, depth, out),
        Program::Pipenv => pipenv(args, at, next, depth, out),
        Program::Conda => conda(args, at, next, depth, out),
        Program::EasyInstall => push(
            out,
            Some(install(
                args,
                next,
                &[],
                Builder::new(Tool::EasyInstall, Action::Install, at),
                &[EASY_INSTALL_OPTS],
                Style::Py(PyStyle::Pep508),
            )),
        ),
        Program::Npm => push(out, npm(args, at, next)),
        Program::Npx => push(
            out,
            Some(runner(args, at, &[], Tool::Npm, &[NPX_OPTS], Style::Npm)),
        ),
        Program::Yarn => push(out, yarn(args, at, next)),
        Program::Pnpm => push(out, pnpm(args, at, next)),
        Program::Pnpx => push(
            out,
            Some(runner(
                args,
                at,
                &[],
                Tool::Pnpm,
                &[PNPM_DLX_OPTS],
                Style::Npm,
            )),
        ),
        Program::Bun => push(out, bun(args, at, next)),
        Program::Bunx => push(
            out,
            Some(runner(args, at, &[], Tool::Bun, &[BUNX_OPTS], Style::Npm)),
        ),
    }
}

fn push(out: &mut Vec<InstallCommand>, cmd: Option<InstallCommand>) {
    if let Some(cmd) = cmd {
        out.push(cmd);
    }
}

// ---------------------------------------------------------------------------------------
// Programs

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Program {
    Python,
    Pip,
    Uv,
    Uvx,
    Pipx,
    Poetry,
    Pdm,
    Pipenv,
    Conda,
    EasyInstall,
    Npm,
    Npx,
    Yarn,
    Pnpm,
    Pnpx,
    Bun,
    Bunx,
}

/// `name` followed by digits and dots only (`pip3.11`, `python3.12`), or exactly `name`.
fn versioned(word: &str, name: &str) -> bool {
    word.strip_prefix(name)
        .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !v.starts_with('.'))
}

/// The program a bare command name runs.
pub(crate) fn program_named(name: &str) -> Option<Program> {
    let name = [".exe", ".cmd", ".bat", ".ps1"]
        .iter()
        .find_map(|s| {
            (name.len() > s.len() && name.is_char_boundary(name.len() - s.len()))
                .then(|| &name[name.len() - s.len()..])
                .filter(|tail| tail.eq_ignore_ascii_case(s))
                .map(|_| &name[..name.len() - s.len()])
        })
        .unwrap_or(name);
    Some(match name {
        "py" | "pythonw" | "sys.executable" => Program::Python,
        "uv" => Program::Uv,
        "uvx" => Program::Uvx,
        "pipx" => Program::Pipx,
        "poetry" => Program::Poetry,
        "pdm" => Program::Pdm,
        "pipenv" => Program::Pipenv,
        "conda" | "mamba" | "micromamba" => Program::Conda,
        "npm" => Program::Npm,
        "npx" => Program::Npx,
        "yarn" | "yarnpkg" => Program::Yarn,
        "pnpm" => Program::Pnpm,
        "pnpx" => Program::Pnpx,
        "bun" => Program::Bun,
        "bunx" => Program::Bunx,
        n if versioned(n, "python") || versioned(n, "pypy") => Program::Python,
        n if n
            .strip_suffix('t')
            .is_some_and(|p| versioned(p, "python") && p.len() > 6) =>
        {
            Program::Python
        }
        n if versioned(n, "pip") => Program::Pip,
        n if n == "easy_install"
            || n.strip_prefix("easy_install-")
                .is_some_and(|v| versioned(v, "")) =>
        {
            Program::EasyInstall
        }
        _ => return None,
    })
}

/// The program a command word runs: a name, a path to it, or a variable whose name says
/// what it holds (`$(PYTHON)`, `${PIP}`, `{sys.executable}`).
pub(crate) fn program_of(arg: &Arg<'_>) -> Option<Program> {
    let value = if !arg.value.contains(['/', '\\']) && arg.raw.contains('\\') {
        arg.raw
    } else {
        arg.value
    };
    let base = value.rsplit(['/', '\\']).next().unwrap_or(value);
    if arg.dynamic_from.is_some_and(|d| d < value.len()) || base.contains(['$', '{', '%']) {
        return variable_program(base);
    }
    program_named(base)
}

fn variable_program(word: &str) -> Option<Program> {
    if word.contains("executable") {
        return Some(Program::Python);
    }
    let inner = word.trim_matches(|c| matches!(c, '$' | '{' | '}' | '(' | ')' | '%' | '"' | '`'));
    // `$(which python3)`: the last word names the program.
    let last = inner.rsplit(char::is_whitespace).next().unwrap_or(inner);
    if last.is_empty()
        || !last
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return None;
    }
    if let Some(p) = program_named(last) {
        return Some(p);
    }
    let upper = last.to_ascii_uppercase();
    if upper.contains("PYTHON") {
        Some(Program::Python)
    } else if upper
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .ends_with("PIP")
    {
        Some(Program::Pip)
    } else if upper == "NPM" {
        Some(Program::Npm)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// Options

/// What an option does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    /// Takes no value.
    Flag,
    /// Takes a value that does not matter here.
    Value,
    /// Takes a requirements file.
    ReqFile,
    /// Takes a constraints or overrides file.
    Constraint,
    /// Takes a package index or registry URL.
    Index,
    /// Takes a path or URL installed in editable mode.
    Editable,
    /// Takes a package to install alongside (`--with`, `npx -p`).
    Package,
    /// Takes the package a runner installs; the command word is then not a package.
    From,
    /// Marks the packages as development dependencies.
    Dev,
    /// Turns the registry off (`pip install --no-index`).
    NoIndex,
    /// Marks the packages as optional.
    Optional,
    /// Takes an extra's name and marks the packages as optional.
    OptionalValue,
    /// Takes a dependency group's name.
    Group,
    /// Installs globally.
    Global,
    /// Takes a module to run (`python -m`).
    Module,
    /// Ends what can be read (`python -c CODE`).
    Stop,
}

impl K {
    fn takes_value(self) -> bool {
        !matches!(
            self,
            K::Flag | K::Dev | K::Optional | K::Global | K::NoIndex
        )
    }
}

type Table = &'static [(&'static str, K)];

fn lookup(tables: &[Table], name: &str) -> K {
    tables
        .iter()
        .find_map(|t| t.iter().find(|(n, _)| *n == name).map(|(_, k)| *k))
        // Unknown options are taken to have no value: a value mistaken for a package is
        // a false alarm, a package mistaken for a value would be a miss — but an unknown
        // option with a value is rarer than one without.
        .unwrap_or(K::Flag)
}

/// Where an option's value is: argument `arg`, from byte `start`.
#[derive(Debug, Clone, Copy)]
struct ValRef {
    arg: usize,
    start: usize,
}

enum Ev {
    Opt(K, Option<ValRef>),
    Pos(usize),
}

/// Walks arguments as options (with their values) and positionals.
struct Opts<'t, 's, 'a> {
    args: &'s [Arg<'a>],
    i: usize,
    tables: &'t [Table],
    ended: bool,
    cluster: Option<(usize, usize)>,
}

impl<'t, 's, 'a> Opts<'t, 's, 'a> {
    fn new(args: &'s [Arg<'a>], i: usize, tables: &'t [Table]) -> Self {
        Opts {
            args,
            i,
            tables,
            ended: false,
            cluster: None,
        }
    }

    fn take_next(&mut self) -> Option<ValRef> {
        let v = self.args.get(self.i).map(|_| ValRef {
            arg: self.i,
            start: 0,
        });
        if v.is_some() {
            self.i += 1;
        }
        v
    }

    fn next(&mut self) -> Option<Ev> {
        loop {
            if let Some((arg, pos)) = self.cluster {
                let v = self.args.get(arg).map_or("", |a| a.value);
                let Some(c) = v.get(pos..).and_then(|s| s.chars().next()) else {
                    self.cluster = None;
                    continue;
                };
                let end = pos + c.len_utf8();
                let mut buf = [0u8; 8];
                buf[0] = b'-';
                let name = c.encode_utf8(&mut buf[1..]).len() + 1;
                let k = lookup(self.tables, std::str::from_utf8(&buf[..name]).unwrap_or(""));
                if k.takes_value() {
                    self.cluster = None;
                    let val = if end < v.len() {
                        Some(ValRef { arg, start: end })
                    } else {
                        self.take_next()
                    };
                    return Some(Ev::Opt(k, val));
                }
                self.cluster = Some((arg, end));
                return Some(Ev::Opt(k, None));
            }
            let idx = self.i;
            let a = self.args.get(idx)?;
            self.i += 1;
            let v = a.value;
            if self.ended || v.len() < 2 || !v.starts_with('-') || a.dynamic_from == Some(0) {
                return Some(Ev::Pos(idx));
            }
            if v == "--" {
                self.ended = true;
                continue;
            }
            if v.starts_with("--") {
                let (name, eq) = match v.find('=') {
                    Some(e) => (&v[..e], Some(e + 1)),
                    None => (v, None),
                };
                let k = lookup(self.tables, name);
                let val = if !k.takes_value() {
                    None
                } else if let Some(start) = eq {
                    Some(ValRef { arg: idx, start })
                } else {
                    self.take_next()
                };
                return Some(Ev::Opt(k, val));
            }
            // A multi-letter option spelled with one dash (`-ws`), else a cluster of
            // single-letter ones (`-qU`, `-rrequirements.txt`).
            let whole = lookup(self.tables, v);
            if whole != K::Flag || self.tables.iter().any(|t| t.iter().any(|(n, _)| *n == v)) {
                let val = if whole.takes_value() {
                    self.take_next()
                } else {
                    None
                };
                return Some(Ev::Opt(whole, val));
            }
            self.cluster = Some((idx, 1));
        }
    }

    /// Skips options up to the first positional and returns its index (or the end).
    fn skip_to_positional(mut self) -> usize {
        while let Some(ev) = self.next() {
            if let Ev::Pos(i) = ev {
                return i;
            }
        }
        self.args.len()
    }
}

fn value_of<'a>(args: &[Arg<'a>], v: ValRef) -> Option<(Arg<'a>, usize)> {
    let a = args.get(v.arg)?;
    let value = a.value.get(v.start..)?;
    Some((
        Arg {
            value,
            raw: value,
            dynamic_from: a.dynamic_from.map(|d| d.saturating_sub(v.start)),
        },
        v.start,
    ))
}

// ---------------------------------------------------------------------------------------
// Shell wrappers

const SUDO_OPTS: Table = &[
    ("-u", K::Value),
    ("--user", K::Value),
    ("-g", K::Value),
    ("--group", K::Value),
    ("-C", K::Value),
    ("--close-from", K::Value),
    ("-D", K::Value),
    ("--chdir", K::Value),
    ("-h", K::Value),
    ("--host", K::Value),
    ("-p", K::Value),
    ("--prompt", K::Value),
    ("-r", K::Value),
    ("--role", K::Value),
    ("-t", K::Value),
    ("--type", K::Value),
    ("-T", K::Value),
    ("--command-timeout", K::Value),
    ("-U", K::Value),
    ("--other-user", K::Value),
];
const ENV_OPTS: Table = &[
    ("-u", K::Value),
    ("--unset", K::Value),
    ("-C", K::Value),
    ("--chdir", K::Value),
    ("-S", K::Value),
    ("--split-string", K::Value),
];
const EXEC_OPTS: Table = &[("-a", K::Value)];
const NICE_OPTS: Table = &[("-n", K::Value), ("--adjustment", K::Value)];
const IONICE_OPTS: Table = &[("-c", K::Value), ("-n", K::Value), ("-p", K::Value)];
const TIMEOUT_OPTS: Table = &[
    ("-k", K::Value),
    ("--kill-after", K::Value),
    ("-s", K::Value),
    ("--signal", K::Value),
];
const XARGS_OPTS: Table = &[
    ("-n", K::Value),
    ("--max-args", K::Value),
    ("-I", K::Value),
    ("-P", K::Value),
    ("--max-procs", K::Value),
    ("-L", K::Value),
    ("--max-lines", K::Value),
    ("-d", K::Value),
    ("--delimiter", K::Value),
    ("-a", K::Value),
    ("--arg-file", K::Value),
    ("-E", K::Value),
    ("-s", K::Value),
    ("--max-chars", K::Value),
];
const STDBUF_OPTS: Table = &[("-i", K::Value), ("-o", K::Value), ("-e", K::Value)];
const NO_OPTS: Table = &[];

fn is_assignment(v: &str) -> bool {
    match v.find('=') {
        Some(eq) if eq > 0 => {
            let name = &v[..eq];
            let name = name.strip_suffix('+').unwrap_or(name);
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        _ => false,
    }
}

/// Skips words that run the rest of the line as a command: assignments, `sudo`, `env`,
/// `time`, shell keywords and the like.
fn skip_wrappers(args: &[Arg<'_>], mut i: usize) -> usize {
    while let Some(a) = args.get(i) {
        if is_assignment(a.value) {
            i += 1;
            continue;
        }
        let opts = |table: Table| Opts::new(args, i + 1, &[table]).skip_to_positional();
        i = match a.value {
            "sudo" | "doas" => opts(SUDO_OPTS),
            "env" => opts(ENV_OPTS),
            "exec" => opts(EXEC_OPTS),
            "time" | "command" | "nohup" | "builtin" | "winpty" | "unbuffer" | "fakeroot"
            | "torsocks" | "noglob" | "chronic" | "proxychains" | "proxychains4" | "corepack" => {
                opts(NO_OPTS)
            }
            "nice" => opts(NICE_OPTS),
            "ionice" => opts(IONICE_OPTS),
            "stdbuf" => opts(STDBUF_OPTS),
            "xargs" => opts(XARGS_OPTS),
            // The positional after the options is the duration.
            "timeout" => opts(TIMEOUT_OPTS) + 1,
            "then" | "do" | "else" | "elif" | "if" | "while" | "until" | "!" | "{" | "("
            | "call" => i + 1,
            "cmd" | "cmd.exe"
                if args
                    .get(i + 1)
                    .is_some_and(|n| matches!(n.value, "/c" | "/C" | "/k" | "/K")) =>
            {
                i + 2
            }
            _ => return i,
        };
    }
    i
}

// ---------------------------------------------------------------------------------------
// Building a command

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Py(PyStyle),
    Conda,
    Npm,
    NpmCreate,
}

/// How a tool's groups read: which make packages dev and which optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Groups {
    /// Any group is a development group (uv).
    Dev,
    /// Any group but `main` is a development group (poetry).
    DevUnlessMain,
    /// A group is optional unless `--dev` is also given (pdm).
    OptionalUnlessDev,
    /// Groups (pipenv categories) are dev when they say so.
    DevIfNamed,
}

struct Builder {
    cmd: InstallCommand,
    dev: bool,
    optional: bool,
    groups: Vec<String>,
    group_rule: Groups,
    /// A `--from`/`--spec`/`-p` named the package, so the command word is not one.
    from_given: bool,
}

impl Builder {
    fn new(tool: Tool, action: Action, program: usize) -> Builder {
        let ecosystem = match tool {
            Tool::Conda => None,
            Tool::Npm | Tool::Yarn | Tool::Pnpm | Tool::Bun => Some(Ecosystem::Npm),
            _ => Some(Ecosystem::PyPI),
        };
        Builder {
            cmd: InstallCommand {
                tool,
                action,
                ecosystem,
                program,
                packages: Vec::new(),
                requirement_files: Vec::new(),
                constraint_files: Vec::new(),
                indexes: Vec::new(),
                global: false,
                no_index: false,
                warnings: Vec::new(),
            },
            dev: false,
            optional: false,
            groups: Vec::new(),
            group_rule: Groups::Dev,
            from_given: false,
        }
    }

    fn groups(mut self, rule: Groups) -> Builder {
        self.group_rule = rule;
        self
    }

    /// Classifies `arg` (at byte `offset` of argument `index`) and records it.
    fn package(&mut self, index: usize, arg: Arg<'_>, offset: usize, style: Style) {
        let outcome = match style {
            Style::Py(s) => spec::pypi(arg.value, arg.dynamic_from, s),
            Style::Conda => spec::conda(arg.value, arg.dynamic_from),
            Style::Npm => spec::npm(arg.value, arg.dynamic_from),
            Style::NpmCreate => spec::npm_create(arg.value, arg.dynamic_from),
        };
        self.record(index, offset, outcome);
    }

    fn record(&mut self, index: usize, offset: usize, outcome: Outcome) {
        match outcome {
            Outcome::Found(c) => {
                if let Some(w) = c.warning {
                    self.cmd.warnings.push((index, w));
                }
                self.cmd.packages.push(ArgMention {
                    arg: index,
                    range: c.range.start + offset..c.range.end + offset,
                    mention: c.mention,
                    version: c.version,
                    optional: c.optional,
                    dev: false,
                });
            }
            Outcome::Skip => {}
            Outcome::Bad(reason) => self.cmd.warnings.push((index, reason)),
        }
    }

    fn positional(&mut self, args: &[Arg<'_>], i: usize, style: Style) {
        if let Some(a) = args.get(i) {
            self.package(i, *a, 0, style);
        }
    }

    fn option(&mut self, args: &[Arg<'_>], k: K, v: Option<ValRef>, style: Style) {
        let value = v.and_then(|v| value_of(args, v).map(|(a, off)| (v.arg, a, off)));
        let text = |(i, a, off): (usize, Arg<'_>, usize)| ArgValue {
            arg: i,
            range: off..off + a.value.len(),
            text: a.value.to_string(),
        };
        match k {
            K::ReqFile => self.cmd.requirement_files.extend(value.map(text)),
            K::Constraint => self.cmd.constraint_files.extend(value.map(text)),
            K::Index => self.cmd.indexes.extend(value.map(text)),
            K::Editable => {
                if let Some((i, a, off)) = value {
                    self.record(i, off, spec::editable(a.value, a.dynamic_from));
                }
            }
            K::Package | K::From => {
                if let Some((i, a, off)) = value {
                    let style = if style == Style::NpmCreate {
                        Style::Npm
                    } else {
                        style
                    };
                    if matches!(style, Style::Py(_)) {
                        for (at, part) in comma_list(a.value) {
                            let part_arg = Arg {
                                value: part,
                                raw: part,
                                dynamic_from: a.dynamic_from.map(|d| d.saturating_sub(at)),
                            };
                            if a.dynamic_from.is_some_and(|d| d < at) {
                                continue;
                            }
                            self.package(i, part_arg, off + at, style);
                        }
                    } else {
                        self.package(i, a, off, style);
                    }
                }
                self.from_given |= k == K::From;
            }
            K::Dev => self.dev = true,
            K::Optional | K::OptionalValue => self.optional = true,
            K::Group => self
                .groups
                .extend(value.map(|(_, a, _)| a.value.to_string())),
            K::Global => self.cmd.global = true,
            K::NoIndex => self.cmd.no_index = true,
            K::Flag | K::Value | K::Module | K::Stop => {}
        }
    }

    fn finish(mut self) -> InstallCommand {
        let named_dev = |g: &String| {
            let g = g.to_ascii_lowercase();
            ["dev", "test", "lint", "doc", "typing"]
                .iter()
                .any(|d| g.contains(d))
        };
        let (dev, optional) = match self.group_rule {
            Groups::Dev => (self.dev || !self.groups.is_empty(), self.optional),
            Groups::DevUnlessMain => (
                self.dev || self.groups.iter().any(|g| g != "main"),
                self.optional,
            ),
            Groups::OptionalUnlessDev => (
                self.dev,
                self.optional || (!self.dev && !self.groups.is_empty()),
            ),
            Groups::DevIfNamed => (self.dev || self.groups.iter().any(named_dev), self.optional),
        };
        for p in &mut self.cmd.packages {
            p.dev |= dev;
            p.optional |= optional;
        }
        self.cmd
    }
}

/// An install-like command from argument `start` on: every positional is a package, but
/// those in `skip` (the subcommand words, found first).
fn install(
    args: &[Arg<'_>],
    start: usize,
    skip: &[usize],
    mut b: Builder,
    tables: &[Table],
    style: Style,
) -> InstallCommand {
    let mut o = Opts::new(args, start, tables);
    while let Some(ev) = o.next() {
        match ev {
            Ev::Opt(k, v) => b.option(args, k, v, style),
            Ev::Pos(i) if skip.contains(&i) => {}
            Ev::Pos(i) => {
                // `name @ url` written unquoted is three arguments.
                let direct = style == Style::Py(PyStyle::Pep508)
                    && args.get(i + 1).is_some_and(|a| a.value == "@")
                    && args.get(i + 2).is_some();
                if direct {
                    if let (Some(n), Some(u)) = (args.get(i), args.get(i + 2)) {
                        let joined = format!("{} @ {}", n.value, u.value);
                        if let Outcome::Found(mut c) = spec::pypi(&joined, None, PyStyle::Pep508) {
                            c.range = 0..n.value.len();
                            b.record(i, 0, Outcome::Found(c));
                        }
                    }
                    o.i = i + 3;
                    continue;
                }
                b.positional(args, i, style);
            }
        }
    }
    b.finish()
}

/// A runner (`npx`, `uvx`, `pipx run`, `yarn dlx`): options, then the command, which is the
/// package unless an option named it; what follows is the command's own arguments.
fn runner(
    args: &[Arg<'_>],
    program: usize,
    skip: &[usize],
    tool: Tool,
    tables: &[Table],
    style: Style,
) -> InstallCommand {
    let mut b = Builder::new(tool, Action::Run, program);
    let mut o = Opts::new(args, program + 1, tables);
    while let Some(ev) = o.next() {
        match ev {
            Ev::Opt(k, v) => b.option(args, k, v, style),
            Ev::Pos(i) if skip.contains(&i) => {}
            Ev::Pos(i) => {
                if !b.from_given {
                    b.positional(args, i, style);
                }
                break;
            }
        }
    }
    b.finish()
}

/// An initializer (`npm create vite@latest my-app`): the first positional only.
fn create(
    args: &[Arg<'_>],
    program: usize,
    skip: &[usize],
    tool: Tool,
    tables: &[Table],
) -> InstallCommand {
    let mut b = Builder::new(tool, Action::Create, program);
    let mut o = Opts::new(args, program + 1, tables);
    while let Some(ev) = o.next() {
        match ev {
            Ev::Opt(k, v) => b.option(args, k, v, Style::NpmCreate),
            Ev::Pos(i) if skip.contains(&i) => {}
            Ev::Pos(i) => {
                b.positional(args, i, Style::NpmCreate);
                break;
            }
        }
    }
    b.finish()
}

/// The subcommand: the first positional after global options. Returns its index and value.
fn subcommand<'a>(args: &[Arg<'a>], start: usize, tables: &[Table]) -> Option<(usize, &'a str)> {
    let i = Opts::new(args, start, tables).skip_to_positional();
    args.get(i).map(|a| (i, a.value))
}

/// Splits uv's comma-separated `--with` lists (`rich,httpx>=0.27,<0.28`): a comma starts
/// a new requirement only when a name follows it, since version ranges have commas too.
fn comma_list(value: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut brackets = 0i32;
    for (i, c) in value.char_indices() {
        match c {
            '[' => brackets += 1,
            ']' => brackets -= 1,
            ',' if brackets <= 0 => {
                let next = value[i + 1..].trim_start();
                if next.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                    parts.push((start, &value[start..i]));
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    parts.push((start, &value[start..]));
    parts
}
