//! Which finder reads which file, and which piece of a document.

use std::path::Path;

use crate::install::{FileReference, Mode, Tool};
use crate::javascript::{self, JsDialect};
use crate::location::Code;
use crate::lockfile::{self, LockfileKind};
use crate::manifest::{self, ManifestKind};
use crate::markdown::{self, RegionKind};
use crate::notebook::{self, CellKind};
use crate::reference::Output;
use crate::sfc::{self, ComponentKind};
use crate::{install, python, suppress, transcript};

/// What a file (or standard input) holds, which decides how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Python source.
    Python,
    /// JavaScript or TypeScript source.
    JavaScript(JsDialect),
    /// A Vue, Svelte or Astro component.
    Component(ComponentKind),
    /// A Jupyter notebook.
    Notebook,
    /// Markdown, or the plain text of a model's answer.
    Markdown,
    /// A JSON file that may be a chat log (read only if it looks like one).
    MaybeTranscript,
    /// A JSON or JSONL chat log.
    Transcript,
    /// A dependency manifest.
    Manifest(ManifestKind),
    /// A lockfile.
    Lockfile(LockfileKind),
    /// Shell-like text: scripts, Dockerfiles, CI configuration, Makefiles.
    Script,
    /// tsconfig.json / jsconfig.json: read only for path aliases.
    TsConfig,
}

impl SourceKind {
    /// Requirements file, for includes of unknown name.
    pub const REQUIREMENTS: SourceKind = SourceKind::Manifest(ManifestKind::Requirements);

    /// The names `--stdin-kind` accepts.
    pub const NAMES: &'static [&'static str] = &[
        "markdown",
        "text",
        "python",
        "js",
        "jsx",
        "ts",
        "tsx",
        "requirements",
        "pyproject",
        "setup.cfg",
        "setup.py",
        "pipfile",
        "environment.yml",
        "package.json",
        "shell",
        "dockerfile",
        "notebook",
        "transcript",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "pylock.toml",
    ];

    /// The kind named `name` (see [`SourceKind::NAMES`]).
    pub fn from_name(name: &str) -> Option<SourceKind> {
        let n = name.to_ascii_lowercase();
        Some(match n.as_str() {
            "markdown" | "md" | "text" | "txt" | "answer" => SourceKind::Markdown,
            "python" | "py" => SourceKind::Python,
            "js" | "javascript" => SourceKind::JavaScript(JsDialect::Js),
            "jsx" => SourceKind::JavaScript(JsDialect::Jsx),
            "ts" | "typescript" => SourceKind::JavaScript(JsDialect::Ts),
            "tsx" => SourceKind::JavaScript(JsDialect::Tsx),
            "shell" | "sh" | "bash" | "dockerfile" | "makefile" | "yaml" => SourceKind::Script,
            "notebook" | "ipynb" => SourceKind::Notebook,
            "transcript" | "json" | "jsonl" => SourceKind::Transcript,
            "requirements" | "requirements.txt" => SourceKind::REQUIREMENTS,
            "pyproject" => SourceKind::Manifest(ManifestKind::Pyproject),
            "pipfile" => SourceKind::Manifest(ManifestKind::Pipfile),
            "environment.yml" | "conda" => SourceKind::Manifest(ManifestKind::CondaEnvironment),
            _ => {
                if let Some(k) = lockfile::lockfile_kind(&n) {
                    SourceKind::Lockfile(k)
                } else if let Some(k) = manifest::manifest_kind(&n) {
                    SourceKind::Manifest(k)
                } else {
                    return None;
                }
            }
        })
    }

    /// The kind of a file from its path, or `None` for files depproof does not read.
    pub fn for_path(path: &Path) -> Option<SourceKind> {
        let full = path.to_string_lossy().replace('\\', "/");
        let name = full.rsplit('/').next().unwrap_or("");
        let lower = name.to_ascii_lowercase();
        if let Some(k) = lockfile::lockfile_kind(name) {
            return Some(SourceKind::Lockfile(k));
        }
        if let Some(k) = manifest::manifest_kind(&full) {
            return Some(SourceKind::Manifest(k));
        }
        if let Some(d) = javascript::dialect_for_path(name) {
            return Some(SourceKind::JavaScript(d));
        }
        if let Some(k) = sfc::component_kind_for_path(name) {
            return Some(SourceKind::Component(k));
        }
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let kind = match ext {
            "py" | "pyi" | "pyw" => SourceKind::Python,
            "ipynb" => SourceKind::Notebook,
            "md" | "markdown" | "mdown" | "mkd" | "mdx" => SourceKind::Markdown,
            "jsonl" => SourceKind::Transcript,
            "json"
                if lower == "tsconfig.json"
                    || lower == "jsconfig.json"
                    || lower.starts_with("tsconfig.") =>
            {
                SourceKind::TsConfig
            }
            "json" => SourceKind::MaybeTranscript,
            "sh" | "bash" | "zsh" | "ksh" | "fish" | "ps1" | "bat" | "cmd" | "mk" => {
                SourceKind::Script
            }
            "yml" | "yaml" if is_ci_config(&full, &lower) => SourceKind::Script,
            _ => match lower.as_str() {
                "dockerfile" | "containerfile" | "makefile" | "gnumakefile" | "justfile"
                | "tox.ini" | "procfile" => SourceKind::Script,
                l if l.starts_with("dockerfile.") || l.ends_with(".dockerfile") => {
                    SourceKind::Script
                }
                _ => return None,
            },
        };
        Some(kind)
    }
}

/// Whether `path` is a CI configuration in YAML, whose commands run at the repository root.
pub(super) fn is_ci_yaml(path: &Path) -> bool {
    let full = path.to_string_lossy().replace('\\', "/");
    let lower = full.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    (lower.ends_with(".yml") || lower.ends_with(".yaml")) && is_ci_config(&full, &lower)
}

fn is_ci_config(full: &str, lower: &str) -> bool {
    full.contains(".github/workflows/")
        || full.contains(".github/actions/")
        || full.contains(".circleci/")
        || matches!(
            lower,
            ".gitlab-ci.yml"
                | ".travis.yml"
                | "azure-pipelines.yml"
                | "bitbucket-pipelines.yml"
                | "appveyor.yml"
                | ".readthedocs.yml"
                | ".readthedocs.yaml"
                | "action.yml"
                | "action.yaml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
        )
}

/// Runs the finders for `kind` over `code`, and returns the requirement and constraint files
/// its install commands read (`pip install -r requirements-dev.txt`), to be scanned too.
///
/// Files are returned from code that runs in the project: scripts, Dockerfiles, CI
/// configuration, Makefiles, notebook cells, and the code (blocks and inline) of Markdown
/// documents. Not from the prose of a document, where a path's end is a guess, nor from
/// chat logs, whose commands ran on someone else's machine; not conda's `--file`, which
/// holds conda specs rather than requirements.
pub fn extract(code: &Code, kind: SourceKind, out: &mut Output) -> Vec<FileReference> {
    let mut files = Vec::new();
    match kind {
        SourceKind::Python => python::find(code, out),
        SourceKind::JavaScript(d) => javascript::find(code, d, out),
        SourceKind::Component(k) => sfc::find_in_component(code, k, out),
        SourceKind::Notebook => extract_notebook(code, out, &mut files),
        SourceKind::Markdown => extract_markdown(code, out, &mut files),
        SourceKind::MaybeTranscript => {
            if transcript::looks_like_transcript(code.text) {
                extract_transcript(code, out);
            }
        }
        SourceKind::Transcript => extract_transcript(code, out),
        SourceKind::Manifest(ManifestKind::Requirements) => {
            // `constraints.txt` and `requirements.txt` are also names of documents (Django's
            // docs have a constraints.txt in reStructuredText): a file in which most lines
            // are not requirements is prose, whose odd word that parses as a name
            // (`PostgreSQL`) is no package; it gets one warning, not one per line.
            let mut inner = Output::default();
            manifest::find_requirements(code, &mut inner);
            let bad = inner.diagnostics.len();
            if bad >= 3 && bad > 2 * inner.found.len() {
                out.warn(
                    &code.path,
                    None,
                    format!(
                        "skipped: named like a requirements file, but {bad} of its non-blank lines are not requirements (and {} are): read as a document",
                        inner.found.len()
                    ),
                );
            } else {
                out.found.extend(inner.found);
                out.diagnostics.extend(inner.diagnostics);
            }
        }
        SourceKind::Manifest(k) => manifest::find_manifest(k, code, out),
        SourceKind::Lockfile(k) => lockfile::find(code, k, out),
        SourceKind::Script => script(code, out, &mut files),
        SourceKind::TsConfig => {}
    }
    files.retain(|f| f.tool != Tool::Conda);
    files
}

/// Install commands in shell-like code, keeping the files they read.
fn script(code: &Code, out: &mut Output, files: &mut Vec<FileReference>) {
    files.extend(install::find_with(code, Mode::Script, out));
}

/// Code quoted in a document is often a fragment: its parse errors are not the user's
/// problem, so only what it mentions is kept.
fn quiet(out: &mut Output, f: impl FnOnce(&mut Output)) {
    let mut inner = Output::default();
    f(&mut inner);
    out.found.extend(inner.found);
}

fn extract_markdown(code: &Code, out: &mut Output, files: &mut Vec<FileReference>) {
    let (regions, diags) = markdown::regions(code);
    out.diagnostics.extend(diags);
    for r in regions {
        let text = r.text(code.text);
        let sub = r.code(code, &text);
        match r.kind {
            RegionKind::Python | RegionKind::PythonConsole => quiet(out, |o| python::find(&sub, o)),
            RegionKind::JavaScript { typescript, jsx } => {
                let d = match (typescript, jsx) {
                    (true, true) => JsDialect::Tsx,
                    (true, false) => JsDialect::Ts,
                    (false, true) => JsDialect::Jsx,
                    (false, false) => JsDialect::Js,
                };
                quiet(out, |o| javascript::find(&sub, d, o));
            }
            RegionKind::Shell
            | RegionKind::ShellSession
            | RegionKind::Dockerfile
            | RegionKind::Yaml
            | RegionKind::Unknown => script(&sub, out, files),
            RegionKind::Prose => install::find_in_prose(&sub, out),
            RegionKind::Requirements => quiet(out, |o| manifest::find_requirements(&sub, o)),
            RegionKind::PackageJson => quiet(out, |o| manifest::find_package_json(&sub, o)),
            RegionKind::PyprojectToml => quiet(out, |o| manifest::find_pyproject(&sub, o)),
        }
    }
}

fn extract_notebook(code: &Code, out: &mut Output, files: &mut Vec<FileReference>) {
    let (cells, diags) = notebook::cells(&code.path, code.text);
    out.diagnostics.extend(diags);
    for cell in &cells {
        let cell_code = cell.code(&code.path);
        match cell.kind {
            CellKind::Markdown => extract_markdown(&cell_code, out, files),
            CellKind::Code if cell.is_python() => {
                // Magics and shell escapes come out as Shell regions, the rest as Python.
                let (regions, _) = cell.regions(&code.path);
                for r in regions {
                    let text = r.text(&cell.source);
                    let sub = r.code(&cell_code, &text);
                    match r.kind {
                        RegionKind::Python | RegionKind::PythonConsole => python::find(&sub, out),
                        RegionKind::Requirements => manifest::find_requirements(&sub, out),
                        _ => script(&sub, out, files),
                    }
                }
            }
            // Other languages: only their shell escapes (`!pip install`) are read.
            CellKind::Code | CellKind::Raw => {
                let mut start = 0;
                for line in cell.source.split_inclusive('\n') {
                    let t = line.trim_start();
                    if t.starts_with('!') || t.starts_with('%') {
                        script(&cell_code.sub(start, line.len()), out, files);
                    }
                    start += line.len();
                }
            }
        }
    }
}

fn extract_transcript(code: &Code, out: &mut Output) {
    let (messages, diags) = transcript::assistant_messages(&code.path, code.text);
    out.diagnostics.extend(diags);
    for m in &messages {
        let c = Code::embedded(code.path.clone(), &m.text, 0, m.line.saturating_sub(1), 0)
            .in_cell(m.index);
        // The commands of a chat ran elsewhere: the files they read are not followed.
        extract_markdown(&c, out, &mut Vec::new());
    }
}

/// The inline suppression comments of a file (of each cell, for notebooks). Chat logs
/// have none: a model's answer does not speak for the project.
pub fn directives(code: &Code, kind: SourceKind) -> Vec<suppress::Directive> {
    if !code.text.contains("depproof:") {
        return Vec::new();
    }
    match kind {
        SourceKind::Notebook => {
            let (cells, _) = notebook::cells(&code.path, code.text);
            cells
                .iter()
                .flat_map(|c| suppress::directives(&c.source, Some(c.number)))
                .collect()
        }
        SourceKind::Transcript | SourceKind::MaybeTranscript => Vec::new(),
        _ => suppress::directives(code.text, None),
    }
}
