//! Walking the trees to scan: .gitignore respected, dependency and environment
//! directories skipped, every problem a diagnostic (never a stop).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkState;

use crate::reference::{Diagnostic, Severity};

/// Directories never worth scanning: installed dependencies, caches, VCS metadata.
/// (Virtual environments are also recognized by their `pyvenv.cfg`.)
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "site-packages",
    "dist-packages",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".eggs",
    ".yarn",
    ".pnpm-store",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".cache",
];

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Files larger than this are skipped with a warning.
    pub max_file_size: u64,
    /// Skip [`DEFAULT_EXCLUDED_DIRS`] and virtual environments.
    pub default_excludes: bool,
    /// Glob patterns (gitignore-style, matched against the path below the root) to skip.
    pub exclude: Vec<String>,
    /// Respect `.gitignore`, `.ignore` and git's global excludes.
    pub respect_ignore_files: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_file_size: 32 * 1024 * 1024,
            default_excludes: true,
            exclude: Vec::new(),
            respect_ignore_files: true,
            follow_links: false,
        }
    }
}

/// A file to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    /// The path to open.
    pub path: PathBuf,
    /// The path to show: as reached from the root given, `/`-separated, without `./`.
    pub display: Arc<str>,
    /// The directory given as root that this file was found under (the file itself
    /// when a file was given).
    pub root: PathBuf,
}

/// Shows `path` the way a user would type it.
pub fn display_path(path: &Path) -> Arc<str> {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    Arc::from(if s.is_empty() { "." } else { s })
}

fn excludes(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        // A bare name matches at any depth, as in .gitignore.
        let p = p.trim_end_matches('/');
        let pattern = if p.contains('/') {
            p.trim_start_matches('/').to_owned()
        } else {
            format!("**/{p}")
        };
        b.add(Glob::new(&pattern).map_err(|e| format!("--exclude `{p}`: {e}"))?);
        b.add(Glob::new(&format!("{pattern}/**")).map_err(|e| format!("--exclude `{p}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// Walks `roots` (files or directories) and returns the files for which `wanted` is true,
/// sorted by display path, with diagnostics for what could not be walked.
pub fn walk(
    roots: &[PathBuf],
    opts: &WalkOptions,
    wanted: &(dyn Fn(&Path) -> bool + Sync),
) -> (Vec<WalkedFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let exclude = match excludes(&opts.exclude) {
        Ok(g) => g,
        Err(e) => {
            diags.push(Diagnostic {
                path: Arc::from("-"),
                line: None,
                severity: Severity::Error,
                message: e,
            });
            GlobSet::empty()
        }
    };
    for root in roots {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                diags.push(Diagnostic {
                    severity: Severity::Error,
                    ..warning(root, format!("cannot read: {e}"))
                });
                continue;
            }
        };
        if meta.is_file() {
            // A file named explicitly is scanned whatever its name, if it is not too big.
            if meta.len() > opts.max_file_size {
                diags.push(warning(root, too_big(meta.len(), opts.max_file_size)));
            } else {
                files.push(WalkedFile {
                    path: root.clone(),
                    display: display_path(root),
                    root: root.clone(),
                });
            }
            continue;
        }
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .hidden(false)
            .parents(opts.respect_ignore_files)
            .ignore(opts.respect_ignore_files)
            .git_ignore(opts.respect_ignore_files)
            .git_global(opts.respect_ignore_files)
            .git_exclude(opts.respect_ignore_files)
            .require_git(false)
            .follow_links(opts.follow_links);
        let default_excludes = opts.default_excludes;
        let root_for_filter = root.clone();
        let exclude = exclude.clone();
        builder.filter_entry(move |entry| {
            let rel = entry
                .path()
                .strip_prefix(&root_for_filter)
                .unwrap_or(entry.path());
            if !exclude.is_empty() && !rel.as_os_str().is_empty() && exclude.is_match(rel) {
                return false;
            }
            if default_excludes
                && entry.file_type().is_some_and(|t| t.is_dir())
                && entry.depth() > 0
            {
                let name = entry.file_name().to_string_lossy();
                if DEFAULT_EXCLUDED_DIRS.contains(&name.as_ref())
                    || entry.path().join("pyvenv.cfg").is_file()
                {
                    return false;
                }
            }
            true
        });
        // Directory reads and the size of each file cost system calls: on several threads.
        let found = Mutex::new((Vec::new(), Vec::new()));
        builder.build_parallel().run(|| {
            let found = &found;
            Box::new(move |result| {
                let (file, problem) = match result {
                    Ok(entry) => visit(&entry, root, opts.max_file_size, wanted),
                    Err(e) => {
                        let path = error_path(&e).unwrap_or_else(|| root.clone());
                        (None, Some(warning(&path, describe_walk_error(&e))))
                    }
                };
                if file.is_some() || problem.is_some() {
                    let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                    found.0.extend(file);
                    found.1.extend(problem);
                }
                WalkState::Continue
            })
        });
        let (f, d) = found.into_inner().unwrap_or_else(|e| e.into_inner());
        files.extend(f);
        diags.extend(d);
    }
    diags.sort();
    files.sort_by(|a, b| a.display.cmp(&b.display));
    files.dedup_by(|a, b| a.display == b.display);
    (files, diags)
}

/// The walked file for `entry` if it is wanted, or what is wrong with it.
fn visit(
    entry: &ignore::DirEntry,
    root: &Path,
    max_file_size: u64,
    wanted: &(dyn Fn(&Path) -> bool + Sync),
) -> (Option<WalkedFile>, Option<Diagnostic>) {
    if !entry.file_type().is_some_and(|t| t.is_file()) || !wanted(entry.path()) {
        return (None, None);
    }
    match entry.metadata() {
        Ok(m) if m.len() > max_file_size => (
            None,
            Some(warning(entry.path(), too_big(m.len(), max_file_size))),
        ),
        Ok(_) => (
            Some(WalkedFile {
                path: entry.path().to_path_buf(),
                display: display_path(entry.path()),
                root: root.to_path_buf(),
            }),
            None,
        ),
        Err(e) => (
            None,
            Some(warning(entry.path(), format!("cannot read: {e}"))),
        ),
    }
}

fn warning(path: &Path, message: String) -> Diagnostic {
    Diagnostic {
        path: display_path(path),
        line: None,
        severity: Severity::Warning,
        message,
    }
}

fn too_big(len: u64, max: u64) -> String {
    format!(
        "skipped: {} MiB is over the {} MiB limit (raise it with --max-file-size)",
        len.div_ceil(1024 * 1024),
        max / (1024 * 1024)
    )
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn describe_walk_error(e: &ignore::Error) -> String {
    match e {
        ignore::Error::Loop { ancestor, .. } => {
            format!(
                "skipped: symbolic link loop back to {}",
                display_path(ancestor)
            )
        }
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        ignore::Error::Io(io) => format!("cannot read: {io}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("depproof-walk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (p, content) in files {
            let p = dir.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        dir
    }

    fn names(files: &[WalkedFile], root: &Path) -> Vec<String> {
        files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn skips_dependencies_environments_and_ignored_files() {
        let root = tree(
            "skips",
            &[
                ("app.py", "import requests"),
                (".github/workflows/ci.yml", "run: pip install x"),
                ("node_modules/left-pad/index.js", ""),
                ("env/pyvenv.cfg", "home = /usr"),
                ("env/lib/python3.11/site-packages/x.py", ""),
                ("build/gen.py", ""),
                (".gitignore", "build/\n"),
                ("pkg/__pycache__/m.py", ""),
                ("docs/README.md", ""),
            ],
        );
        let (files, diags) = walk(
            std::slice::from_ref(&root),
            &WalkOptions::default(),
            &|_| true,
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            names(&files, &root),
            [
                ".github/workflows/ci.yml",
                ".gitignore",
                "app.py",
                "docs/README.md"
            ]
        );
        let opts = WalkOptions {
            default_excludes: false,
            respect_ignore_files: false,
            exclude: vec!["docs".into(), "*.yml".into()],
            ..WalkOptions::default()
        };
        let (files, _) = walk(std::slice::from_ref(&root), &opts, &|p| {
            p.extension().is_some_and(|e| e == "py")
        });
        assert_eq!(
            names(&files, &root),
            [
                "app.py",
                "build/gen.py",
                "env/lib/python3.11/site-packages/x.py",
                "pkg/__pycache__/m.py"
            ]
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn big_files_missing_roots_and_link_loops_are_diagnostics() {
        let root = tree(
            "limits",
            &[("big.py", &"x".repeat(2048)), ("small.py", "import os")],
        );
        #[cfg(unix)]
        std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
        let opts = WalkOptions {
            max_file_size: 1024,
            follow_links: true,
            ..WalkOptions::default()
        };
        let missing = root.join("missing");
        let (files, diags) = walk(&[root.clone(), missing], &opts, &|_| true);
        assert_eq!(names(&files, &root), ["small.py"]);
        let text: Vec<String> = diags
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect();
        assert!(
            text.iter()
                .any(|d| d.contains("big.py: skipped: 1 MiB is over the 0 MiB limit")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|d| d.contains("missing: cannot read")),
            "{text:?}"
        );
        #[cfg(unix)]
        assert!(
            text.iter().any(|d| d.contains("symbolic link loop")),
            "{text:?}"
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn display_paths() {
        assert_eq!(&*display_path(Path::new("./a/b.py")), "a/b.py");
        assert_eq!(&*display_path(Path::new(".")), ".");
        assert_eq!(&*display_path(Path::new("/abs/x")), "/abs/x");
    }
}
