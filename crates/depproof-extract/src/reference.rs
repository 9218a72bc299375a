//! What finders report.

use std::sync::Arc;

use depproof_registry::Ecosystem;

use crate::location::Location;

/// How a package name entered the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An import or require in code.
    Import,
    /// An argument of an install command (`pip install x`, `npm i x`, `npx x`).
    InstallCommand,
    /// A dependency declared in a manifest (requirements.txt, pyproject.toml, package.json…).
    Manifest,
    /// A package pinned in a lockfile.
    Lockfile,
    /// A name a model listed when asked which packages to use.
    ListedByModel,
}

/// Why something in a package position is not a registry package name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotRegistry {
    /// An http(s) or other URL (an archive, a wheel).
    Url,
    /// A version-control link (`git+https://…`, `github:user/repo`).
    Vcs,
    /// A local file or directory (`./pkg`, `file:`, `-e .`).
    LocalPath,
    /// A workspace or linked package (`workspace:*`, `link:`).
    Workspace,
    /// A name on another registry (`jsr:@std/path`).
    OtherRegistry(String),
}

/// A raw mention, before import names are resolved to packages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Mention {
    /// A Python absolute import: the full dotted module as written (`google.cloud.storage`).
    /// Relative imports are the project's own and are not reported.
    PythonImport { module: String },
    /// A JavaScript/TypeScript module specifier exactly as written (`lodash/fp`, `node:fs`,
    /// `./x`); deciding which are packages is the resolver's job.
    JsImport { specifier: String },
    /// A registry package named directly: its name as written (not normalized).
    Package { ecosystem: Ecosystem, name: String },
    /// Something in a package position that is not a registry name.
    NotRegistry {
        /// The ecosystem whose tool it was given to, when known.
        ecosystem: Option<Ecosystem>,
        /// The text as written.
        text: String,
        /// What it is instead.
        what: NotRegistry,
    },
}

/// One mention found by a finder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Found {
    /// What was mentioned.
    pub mention: Mention,
    /// How it entered the project.
    pub kind: Kind,
    /// Where: the span covers the name itself.
    pub location: Location,
    /// The version requirement or pinned version as written (`==2.0`, `^1.2`, `1.2.3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Optional: a guarded import (`try/except ImportError`, `if TYPE_CHECKING`), an
    /// optional or extra dependency, an environment marker.
    pub optional: bool,
    /// A development-only dependency.
    pub dev: bool,
    /// Found by a reading that can be wrong, and worth less weight than a parsed one: the
    /// line scan of a Python file the parser could not read, or a package name inferred
    /// rather than written (`@types/x` for `/// <reference types="x" />`, which TypeScript
    /// resolves to `x` itself when `x` ships its own types).
    pub uncertain: bool,
}

impl Found {
    /// A mention with no version, neither optional, dev nor uncertain.
    pub fn new(mention: Mention, kind: Kind, location: Location) -> Found {
        Found {
            mention,
            kind,
            location,
            version: None,
            optional: false,
            dev: false,
            uncertain: false,
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Part of the file could not be read; what could be read was.
    Warning,
    /// The file could not be read at all.
    Error,
}

/// A problem with the input, naming the file, the place and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Diagnostic {
    /// The file.
    pub path: Arc<str>,
    /// 1-based line, when the problem has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Warning or error.
    pub severity: Severity,
    /// What is wrong, in words.
    pub message: String,
}

/// What a finder collects: mentions and diagnostics.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Mentions, in the order found.
    pub found: Vec<Found>,
    /// Problems with the input.
    pub diagnostics: Vec<Diagnostic>,
}

impl Output {
    /// Records a warning about `path` at 1-based `line`.
    pub fn warn(&mut self, path: &Arc<str>, line: Option<u32>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            path: Arc::clone(path),
            line,
            severity: Severity::Warning,
            message: message.into(),
        });
    }
}
