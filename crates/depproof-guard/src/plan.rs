//! Which registry packages an install command would fetch.
//!
//! The argument vector is read with the same grammar as install commands in scripts
//! ([`depproof_extract::install::parse_argv`]); requirement files named with `-r` (and the
//! files they include) are read as pip reads them.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use depproof_extract::install::{self, Tool};
use depproof_extract::manifest::{find_requirements, requirement_includes};
use depproof_extract::{Code, Mention, NotRegistry, Output};
use depproof_registry::Ecosystem;

/// How deeply requirement files may include one another.
const MAX_INCLUDE_DEPTH: usize = 16;
/// The largest requirement file read.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// Where a package was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An argument of the command (0-based index in the argument vector).
    Arg(usize),
    /// A line of a requirement file.
    File {
        /// The file, as the command (or the including file) names it, resolved against
        /// the working directory.
        path: PathBuf,
        /// 1-based line.
        line: u32,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Arg(i) => write!(f, "argument {i}"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
        }
    }
}

/// A registry package the command would install or run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Its registry.
    pub ecosystem: Ecosystem,
    /// The name as written.
    pub name: String,
    /// The version requirement as written.
    pub version: Option<String>,
    /// Where it is named.
    pub origin: Origin,
}

/// Something in a package position that is not checked, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotChecked {
    /// The text as written.
    pub text: String,
    /// Why it is not a registry name.
    pub reason: &'static str,
}

/// What an install command would fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The installers recognized (empty: not an install command; nothing to check).
    pub tools: Vec<Tool>,
    /// Every registry package, in the order named, each once.
    pub packages: Vec<Planned>,
    /// Arguments that are files, URLs, paths or names on other registries.
    pub not_checked: Vec<NotChecked>,
    /// Parts of the command or its files that could not be read.
    pub warnings: Vec<String>,
}

/// A requirement file that cannot be read: the command cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for PlanError {}

/// Reads the install commands in `argv` (the command and its arguments, as a process
/// receives them); relative requirement files are resolved against `cwd`.
pub fn plan(argv: &[String], cwd: &Path) -> Result<Plan, PlanError> {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut out = Plan::default();
    let mut seen: BTreeSet<(Ecosystem, String)> = BTreeSet::new();
    for cmd in install::parse_argv(&words) {
        if !out.tools.contains(&cmd.tool) {
            out.tools.push(cmd.tool);
        }
        for (arg, message) in &cmd.warnings {
            out.warnings.push(format!("argument {arg}: {message}"));
        }
        for p in &cmd.packages {
            let text = argv.get(p.arg).cloned().unwrap_or_default();
            match &p.mention {
                // With --no-index nothing comes from the registry.
                Mention::Package { .. } if cmd.no_index => out.not_checked.push(NotChecked {
                    text,
                    reason: "--no-index: installed from local locations",
                }),
                Mention::Package { ecosystem, name } => {
                    if seen.insert((*ecosystem, ecosystem.normalize(name).into_owned())) {
                        out.packages.push(Planned {
                            ecosystem: *ecosystem,
                            name: name.clone(),
                            version: p.version.clone(),
                            origin: Origin::Arg(p.arg),
                        });
                    }
                }
                Mention::NotRegistry { what, .. } => out.not_checked.push(NotChecked {
                    text,
                    reason: not_registry_reason(what),
                }),
                Mention::PythonImport { .. } | Mention::JsImport { .. } => {}
            }
        }
        if cmd.ecosystem != Some(Ecosystem::PyPI) || cmd.no_index {
            continue;
        }
        let mut read = BTreeSet::new();
        for file in &cmd.requirement_files {
            let text = file.text.as_str();
            if text == "-" || text.contains("://") {
                out.not_checked.push(NotChecked {
                    text: text.to_owned(),
                    reason: "a requirement file that is not a local file",
                });
                continue;
            }
            read_requirements(&cwd.join(text), 0, &mut read, &mut seen, &mut out)?;
        }
    }
    Ok(out)
}

/// Adds the packages of one requirement file, then of the files it includes with `-r`.
fn read_requirements(
    path: &Path,
    depth: usize,
    read: &mut BTreeSet<PathBuf>,
    seen: &mut BTreeSet<(Ecosystem, String)>,
    out: &mut Plan,
) -> Result<(), PlanError> {
    let error = |reason: String| PlanError {
        path: path.to_path_buf(),
        reason,
    };
    if depth > MAX_INCLUDE_DEPTH {
        return Err(error(format!(
            "requirement files include one another more than {MAX_INCLUDE_DEPTH} levels deep"
        )));
    }
    let canonical = path.canonicalize().map_err(|e| error(e.to_string()))?;
    if !read.insert(canonical.clone()) {
        return Ok(());
    }
    let meta = std::fs::metadata(&canonical).map_err(|e| error(e.to_string()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(error(format!(
            "larger than {} MiB, too large for a requirement file",
            MAX_FILE_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(&canonical).map_err(|e| error(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        error(format!(
            "not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let display: Arc<str> = Arc::from(path.display().to_string());
    let code = Code::file(Arc::clone(&display), &text);
    let mut found = Output::default();
    find_requirements(&code, &mut found);
    for d in &found.diagnostics {
        let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
        out.warnings
            .push(format!("{}{line}: {}", path.display(), d.message));
    }
    for f in found.found {
        match f.mention {
            Mention::Package { ecosystem, name } => {
                if seen.insert((ecosystem, ecosystem.normalize(&name).into_owned())) {
                    out.packages.push(Planned {
                        ecosystem,
                        name,
                        version: f.version,
                        origin: Origin::File {
                            path: path.to_path_buf(),
                            line: f.location.line,
                        },
                    });
                }
            }
            Mention::NotRegistry { text, what, .. } => out.not_checked.push(NotChecked {
                text,
                reason: not_registry_reason(&what),
            }),
            Mention::PythonImport { .. } | Mention::JsImport { .. } => {}
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    for (included, _line) in requirement_includes(&code) {
        if included.contains("://") {
            out.not_checked.push(NotChecked {
                text: included,
                reason: "a requirement file that is not a local file",
            });
            continue;
        }
        // Constraint files (`-c`) are listed too; they install nothing but may include
        // requirement files, and reading one twice is harmless.
        read_requirements(&dir.join(&included), depth + 1, read, seen, out)?;
    }
    Ok(())
}

fn not_registry_reason(what: &NotRegistry) -> &'static str {
    match what {
        NotRegistry::Url => "a URL, not a registry name",
        NotRegistry::Vcs => "a version-control link, not a registry name",
        NotRegistry::LocalPath => "a local path, not a registry name",
        NotRegistry::Workspace => "a workspace or linked package",
        NotRegistry::OtherRegistry(_) => "a name on another registry",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn names(plan: &Plan) -> Vec<(Ecosystem, &str)> {
        plan.packages
            .iter()
            .map(|p| (p.ecosystem, p.name.as_str()))
            .collect()
    }

    #[test]
    fn names_flags_paths_and_urls_are_told_apart() {
        let dir = std::env::temp_dir();
        let p = plan(
            &argv(&[
                "pip",
                "install",
                "-U",
                "--index-url",
                "https://example.invalid/simple",
                "requests[socks]>=2",
                "./local-dir",
                "https://example.invalid/x.whl",
            ]),
            &dir,
        )
        .unwrap();
        assert_eq!(names(&p), vec![(Ecosystem::PyPI, "requests")]);
        assert_eq!(p.packages[0].version.as_deref(), Some(">=2"));
        assert_eq!(p.not_checked.len(), 2, "{:?}", p.not_checked);
    }

    #[test]
    fn every_installer_form_is_read() {
        let dir = std::env::temp_dir();
        let cases: &[(&[&str], Ecosystem, &str)] = &[
            (&["pip3", "install", "flask"], Ecosystem::PyPI, "flask"),
            (
                &["python", "-m", "pip", "install", "flask"],
                Ecosystem::PyPI,
                "flask",
            ),
            (&["uv", "pip", "install", "flask"], Ecosystem::PyPI, "flask"),
            (&["uv", "add", "flask"], Ecosystem::PyPI, "flask"),
            (&["uv", "tool", "install", "ruff"], Ecosystem::PyPI, "ruff"),
            (&["uvx", "ruff"], Ecosystem::PyPI, "ruff"),
            (&["pipx", "install", "black"], Ecosystem::PyPI, "black"),
            (&["poetry", "add", "flask"], Ecosystem::PyPI, "flask"),
            (&["pdm", "add", "flask"], Ecosystem::PyPI, "flask"),
            (&["pipenv", "install", "flask"], Ecosystem::PyPI, "flask"),
            (
                &["npm", "install", "-D", "lodash"],
                Ecosystem::Npm,
                "lodash",
            ),
            (&["npx", "cowsay"], Ecosystem::Npm, "cowsay"),
            (
                &["yarn", "add", "@types/node"],
                Ecosystem::Npm,
                "@types/node",
            ),
            (&["pnpm", "add", "lodash"], Ecosystem::Npm, "lodash"),
            (&["bun", "add", "lodash"], Ecosystem::Npm, "lodash"),
        ];
        for (words, eco, name) in cases {
            let p = plan(&argv(words), &dir).unwrap();
            assert_eq!(names(&p), vec![(*eco, *name)], "{words:?}");
        }
    }

    #[test]
    fn commands_that_install_nothing_plan_nothing() {
        let dir = std::env::temp_dir();
        for words in [&["pip", "list"][..], &["npm", "run", "build"], &["ls"]] {
            let p = plan(&argv(words), &dir).unwrap();
            assert!(p.packages.is_empty(), "{words:?}: {p:?}");
        }
    }

    #[test]
    fn requirement_files_and_their_includes_are_read_once() {
        let dir = std::env::temp_dir().join(format!("depproof-guard-plan-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(
            dir.join("requirements.txt"),
            "# top\nflask==3.0\n-r sub/more.txt\n-e ./local\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("sub/more.txt"),
            "requests\n-r ../requirements.txt\n",
        )
        .unwrap();
        let p = plan(
            &argv(&["pip", "install", "-r", "requirements.txt", "flask"]),
            &dir,
        )
        .unwrap();
        assert_eq!(
            names(&p),
            vec![(Ecosystem::PyPI, "flask"), (Ecosystem::PyPI, "requests")]
        );
        assert_eq!(
            p.packages[1].origin,
            Origin::File {
                path: dir.join("sub/more.txt"),
                line: 1
            }
        );
        let missing = plan(&argv(&["pip", "install", "-r", "absent.txt"]), &dir).unwrap_err();
        assert_eq!(missing.path, dir.join("absent.txt"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_index_installs_are_not_registry_names() {
        let p = plan(
            &argv(&[
                "pip",
                "install",
                "--no-index",
                "--find-links",
                "wheels",
                "x",
            ]),
            &std::env::temp_dir(),
        )
        .unwrap();
        assert!(p.packages.is_empty());
        assert_eq!(p.not_checked.len(), 1);
    }
}
