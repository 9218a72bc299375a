//! From files, directories or text to resolved references: the walk, the dispatch of
//! each file (and each piece of a file) to its finder, and the resolution of import
//! names to packages with what the project itself provides.

mod dispatch;
mod project;
#[cfg(test)]
mod tests;
mod types;

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use depproof_registry::{Ecosystem, Index};
use rayon::prelude::*;

pub use self::dispatch::SourceKind;
pub use self::types::{ImportRule, ImportVia, Reference, ScanResult, Skipped, Target};

use self::project::{FileFacts, Include, Project};
use crate::javascript::{SpecifierTarget, package_of_specifier};
use crate::location::Code;
use crate::reference::{Diagnostic, Found, Mention, NotRegistry, Output, Severity};
use crate::resolve::python::{PyResolution, Rule, resolve_python};
use crate::suppress::{self, Directive};
use crate::walk::{WalkOptions, WalkedFile, display_path, walk};

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// How to walk directories.
    pub walk: WalkOptions,
}

/// What one file gave.
struct FileResult {
    output: Output,
    bytes: u64,
    facts: FileFacts,
    /// Inline suppression comments.
    directives: Vec<Directive>,
}

/// Reads a file as text: a BOM is blanked (offsets kept), invalid UTF-8 is replaced and
/// noted, binary content is refused.
fn decode(display: &Arc<str>, bytes: Vec<u8>, out: &mut Output) -> Option<String> {
    if bytes.iter().take(8192).any(|&b| b == 0) {
        out.warn(display, None, "skipped: binary content (a NUL byte)");
        return None;
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = crate::location::count_line_ends(&bytes[..at]) as u32 + 1;
            out.warn(
                display,
                Some(line),
                "not valid UTF-8: read with replacement characters from here on",
            );
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    if text.starts_with('\u{feff}') {
        text.replace_range(..3, "   ");
    }
    Some(text)
}

fn process(display: Arc<str>, bytes: Vec<u8>, kind: SourceKind) -> FileResult {
    let mut output = Output::default();
    let len = bytes.len() as u64;
    let Some(text) = decode(&display, bytes, &mut output) else {
        return FileResult {
            output,
            bytes: len,
            facts: FileFacts::default(),
            directives: Vec::new(),
        };
    };
    let code = Code::file(Arc::clone(&display), &text);
    let mut facts = FileFacts::of(kind, &code, &mut output);
    for f in dispatch::extract(&code, kind, &mut output) {
        facts.includes.push(Include {
            path: f.path,
            line: f.location.line,
            cell: f.location.cell,
            by_command: true,
        });
    }
    let directives = dispatch::directives(&code, kind);
    FileResult {
        output,
        bytes: len,
        facts,
        directives,
    }
}

/// Scans text of a known kind (standard input).
pub fn scan_bytes(display: Arc<str>, bytes: &[u8], kind: SourceKind, pypi: &Index) -> ScanResult {
    let file = process(display, bytes.to_vec(), kind);
    let mut project = Project::default();
    project.add_facts(&file.facts);
    finish(vec![file], project, Vec::new(), pypi)
}

/// Walks `roots` and scans every file depproof reads, in parallel. `progress(done,
/// total)` is called as files complete.
pub fn scan_paths(
    roots: &[PathBuf],
    opts: &ScanOptions,
    pypi: &Index,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> ScanResult {
    let (files, mut diagnostics) = walk(roots, &opts.walk, &|p: &Path| {
        SourceKind::for_path(p).is_some()
    });
    let total = files.len() as u64;
    let done = AtomicU64::new(0);
    let mut project = Project::default();
    for f in &files {
        project.add_path(f);
    }
    let read = |f: &WalkedFile, kind: SourceKind| -> FileResult {
        let result = match std::fs::read(&f.path) {
            Ok(bytes) => process(Arc::clone(&f.display), bytes, kind),
            Err(e) => {
                let mut output = Output::default();
                output.warn(&f.display, None, format!("cannot read: {e}"));
                FileResult {
                    output,
                    bytes: 0,
                    facts: FileFacts::default(),
                    directives: Vec::new(),
                }
            }
        };
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        result
    };
    let mut results: Vec<FileResult> = files
        .par_iter()
        .map(|f| {
            // Explicitly named files of no known kind are read as Markdown (prose).
            let kind = SourceKind::for_path(&f.path).unwrap_or(SourceKind::Markdown);
            read(f, kind)
        })
        .collect();

    // Files that requirement files include (`-r base.txt`) and that install commands read
    // (`pip install -r requirements-dev.txt`), scanned too when the walk did not reach them.
    let mut queue: VecDeque<Pending> = VecDeque::new();
    for (f, r) in files.iter().zip(&results) {
        if r.facts.includes.is_empty() {
            continue;
        }
        // Commands in CI configuration run in a checkout of the repository, and those in
        // a document often assume its root: the directories above the file, up to the
        // scanned root, are tried after its own.
        let at_root = f.root != f.path
            && (SourceKind::for_path(&f.path) == Some(SourceKind::Markdown)
                || dispatch::is_ci_yaml(&f.path));
        for include in &r.facts.includes {
            queue.push_back(Pending {
                from: f.path.clone(),
                from_display: Arc::clone(&f.display),
                root: at_root.then(|| f.root.clone()),
                include: include.clone(),
            });
        }
    }
    let mut seen = if queue.is_empty() {
        Seen::default()
    } else {
        Seen::new(&files, opts.walk.follow_links)
    };
    while let Some(p) = queue.pop_front() {
        let inc = &p.include;
        if inc.by_command && !is_tree_path(&inc.path) {
            continue;
        }
        let dir = p.from.parent().unwrap_or(Path::new("."));
        let mut candidates = vec![dir.join(&inc.path)];
        if let Some(root) = &p.root {
            candidates.extend(
                dir.ancestors()
                    .skip(1)
                    .take_while(|a| a.starts_with(root))
                    .map(|a| a.join(&inc.path)),
            );
        }
        let Some((path, canonical)) = candidates
            .iter()
            .find_map(|c| c.canonicalize().ok().map(|k| (c.clone(), k)))
        else {
            diagnostics.push(missing_include(&p, candidates.len() > 1));
            continue;
        };
        // `a/../b.txt` is shown as `b.txt`, unless a symbolic link makes them differ.
        let tidied = tidy(&path);
        let display = if tidied.canonicalize().is_ok_and(|t| t == canonical) {
            display_path(&tidied)
        } else {
            display_path(&path)
        };
        if !seen.insert(canonical) {
            continue; // already scanned, or an include cycle
        }
        let kind = SourceKind::for_path(&path).unwrap_or(SourceKind::REQUIREMENTS);
        let file = WalkedFile {
            path: path.clone(),
            display: Arc::clone(&display),
            root: path.clone(),
        };
        let r = read(&file, kind);
        for include in &r.facts.includes {
            queue.push_back(Pending {
                from: path.clone(),
                from_display: Arc::clone(&display),
                root: None,
                include: include.clone(),
            });
        }
        results.push(r);
    }
    for r in &results {
        project.add_facts(&r.facts);
    }
    finish(results, project, diagnostics, pypi)
}

/// A file named by another, still to be followed.
struct Pending {
    /// The file that names it.
    from: PathBuf,
    from_display: Arc<str>,
    /// The scanned root, when paths may also be relative to the directories up to it.
    root: Option<PathBuf>,
    include: Include,
}

/// The warning for a named file that is not there.
fn missing_include(p: &Pending, tried_root: bool) -> Diagnostic {
    let inc = &p.include;
    let cell = inc.cell.map(|c| format!(" (cell {c})")).unwrap_or_default();
    let message = if inc.by_command {
        let also = if tried_root {
            " beside this file nor in a directory above it"
        } else {
            ""
        };
        format!(
            "`{}` is read by an install command{cell} but does not exist{also}",
            inc.path
        )
    } else {
        format!("`{}` is included{cell} but does not exist", inc.path)
    };
    Diagnostic {
        path: Arc::clone(&p.from_display),
        line: Some(inc.line),
        severity: Severity::Warning,
        message,
    }
}

/// Whether a path an install command reads can be looked up in the scanned tree: not a URL,
/// not absolute (`/code/requirements.txt` in a Dockerfile is inside the image), not made
/// of variables or home-relative (`$REQS`, `~/reqs.txt`, `${{ matrix.reqs }}`).
fn is_tree_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains("://")
        && !path.contains(['$', '`', '%', '{', '}', '*', '?'])
        && !path.starts_with(['~', '/', '\\'])
        && !Path::new(path).is_absolute()
        && path.as_bytes().get(1) != Some(&b':')
}

/// `path` with `.` parts left out and `..` taken back where a name precedes it, for
/// display only: through a symbolic link, `link/..` is not `.`.
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The scanned files by canonical path, so that a named file is read once. Canonical
/// paths cost a system call each, so a walked file is canonicalized only when a named file
/// has its name: with links not followed, a walked file is not a symbolic link and its name
/// is its target's. Files given by name, and with links followed every walked file, may be
/// links, and are canonicalized up front.
#[derive(Default)]
struct Seen<'w> {
    canonical: HashSet<PathBuf>,
    by_name: HashMap<&'w OsStr, Vec<&'w Path>>,
}

impl<'w> Seen<'w> {
    fn new(files: &'w [WalkedFile], follow_links: bool) -> Seen<'w> {
        let mut seen = Seen {
            canonical: HashSet::new(),
            by_name: HashMap::new(),
        };
        for f in files {
            match f.path.file_name() {
                Some(name) if !follow_links && f.root != f.path => {
                    seen.by_name.entry(name).or_default().push(&f.path)
                }
                _ => {
                    if let Ok(c) = f.path.canonicalize() {
                        seen.canonical.insert(c);
                    }
                }
            }
        }
        seen
    }

    /// Records `canonical`; false if it was scanned already.
    fn insert(&mut self, canonical: PathBuf) -> bool {
        if let Some(same_name) = canonical.file_name().and_then(|n| self.by_name.remove(n)) {
            self.canonical
                .extend(same_name.iter().filter_map(|p| p.canonicalize().ok()));
        }
        self.canonical.insert(canonical)
    }
}

fn finish(
    results: Vec<FileResult>,
    project: Project,
    mut diagnostics: Vec<Diagnostic>,
    pypi: &Index,
) -> ScanResult {
    let mut scan = ScanResult {
        files: results.len() as u64,
        ..ScanResult::default()
    };
    for r in results {
        scan.bytes += r.bytes;
        diagnostics.extend(r.output.diagnostics);
        for found in r.output.found {
            if let Some(mut reference) = resolve(found, &project, pypi, &mut scan.skipped) {
                let l = &reference.location;
                reference.suppression = suppress::covering(&r.directives, l.cell, l.line);
                scan.references.push(reference);
            }
        }
    }
    scan.references.sort();
    scan.references.dedup();
    diagnostics.sort();
    diagnostics.dedup();
    scan.diagnostics = diagnostics;
    scan
}

fn resolve(
    found: Found,
    project: &Project,
    pypi: &Index,
    skipped: &mut Skipped,
) -> Option<Reference> {
    let Found {
        mention,
        kind,
        location,
        version,
        optional,
        dev,
        uncertain,
    } = found;
    let (target, via) = match mention {
        Mention::Package { ecosystem, name } => (Target::Package { ecosystem, name }, None),
        Mention::NotRegistry {
            ecosystem,
            text,
            what,
        } => (
            Target::NotRegistry {
                ecosystem,
                text,
                what,
            },
            None,
        ),
        Mention::PythonImport { module } => match resolve_python(&module, &project.python, pypi) {
            PyResolution::Stdlib { .. } => {
                skipped.builtin += 1;
                return None;
            }
            PyResolution::Project { .. } => {
                skipped.project += 1;
                return None;
            }
            PyResolution::Runtime { .. } => {
                skipped.runtime += 1;
                return None;
            }
            PyResolution::Package { name, rule } => (
                Target::Package {
                    ecosystem: Ecosystem::PyPI,
                    name,
                },
                Some(ImportVia {
                    import: module,
                    rule: match rule {
                        Rule::Table => ImportRule::Table,
                        Rule::Namespace => ImportRule::Namespace,
                        Rule::ImportName => ImportRule::ImportName,
                    },
                }),
            ),
        },
        Mention::JsImport { specifier } => {
            if project.is_js_alias(&specifier) {
                skipped.project += 1;
                return None;
            }
            match package_of_specifier(&specifier) {
                SpecifierTarget::Package(name) => {
                    if project.is_js_workspace(&name) {
                        skipped.project += 1;
                        return None;
                    }
                    (
                        Target::Package {
                            ecosystem: Ecosystem::Npm,
                            name,
                        },
                        Some(ImportVia {
                            import: specifier,
                            rule: ImportRule::Specifier,
                        }),
                    )
                }
                SpecifierTarget::NodeBuiltin(_) => {
                    skipped.builtin += 1;
                    return None;
                }
                SpecifierTarget::Relative
                | SpecifierTarget::Absolute
                | SpecifierTarget::Subpath
                | SpecifierTarget::Alias
                | SpecifierTarget::Invalid => {
                    skipped.project += 1;
                    return None;
                }
                SpecifierTarget::Url => (
                    Target::NotRegistry {
                        ecosystem: Some(Ecosystem::Npm),
                        text: specifier,
                        what: NotRegistry::Url,
                    },
                    None,
                ),
                SpecifierTarget::OtherRegistry { registry, .. } => (
                    Target::NotRegistry {
                        ecosystem: Some(Ecosystem::Npm),
                        text: specifier,
                        what: NotRegistry::OtherRegistry(registry),
                    },
                    None,
                ),
            }
        }
    };
    Some(Reference {
        target,
        kind,
        location,
        version,
        optional,
        dev,
        uncertain,
        via,
        suppression: None,
    })
}
