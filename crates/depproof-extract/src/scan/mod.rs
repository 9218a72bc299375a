//! From files, directories or text to resolved references: the walk, the dispatch of
//! each file (and each piece of a file) to its finder, and the resolution of import
//! names to packages with what the project itself provides.

mod dispatch;
mod project;
#[cfg(test)]
mod tests;
mod types;

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use depproof_registry::{Ecosystem, Index};
use rayon::prelude::*;

pub use self::dispatch::SourceKind;
pub use self::types::{ImportRule, ImportVia, Reference, ScanResult, Skipped, Target};

use self::project::{FileFacts, Project};
use crate::javascript::{SpecifierTarget, package_of_specifier};
use crate::location::Code;
use crate::reference::{Diagnostic, Found, Mention, NotRegistry, Output, Severity};
use crate::resolve::python::{PyResolution, Rule, resolve_python};
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
        };
    };
    let code = Code::file(Arc::clone(&display), &text);
    let facts = FileFacts::of(kind, &code, &mut output);
    dispatch::extract(&code, kind, &mut output);
    FileResult {
        output,
        bytes: len,
        facts,
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

    // Requirement files included with -r/-c from outside the scanned files.
    let mut queue: VecDeque<(PathBuf, Arc<str>, String, u32)> = VecDeque::new();
    for (f, r) in files.iter().zip(&results) {
        for (inc, line) in &r.facts.includes {
            queue.push_back((f.path.clone(), Arc::clone(&f.display), inc.clone(), *line));
        }
    }
    // Canonical paths cost a system call each: only a tree with includes needs them.
    let mut seen: HashSet<PathBuf> = if queue.is_empty() {
        HashSet::new()
    } else {
        files
            .iter()
            .filter_map(|f| f.path.canonicalize().ok())
            .collect()
    };
    while let Some((from, from_display, inc, line)) = queue.pop_front() {
        let path = from.parent().unwrap_or(Path::new(".")).join(&inc);
        let Ok(canonical) = path.canonicalize() else {
            diagnostics.push(Diagnostic {
                path: from_display,
                line: Some(line),
                severity: Severity::Warning,
                message: format!("`{inc}` is included but does not exist"),
            });
            continue;
        };
        if !seen.insert(canonical) {
            continue; // already scanned, or an include cycle
        }
        let display = display_path(&path);
        let kind = SourceKind::for_path(&path).unwrap_or(SourceKind::REQUIREMENTS);
        let file = WalkedFile {
            path: path.clone(),
            display: Arc::clone(&display),
            root: path.clone(),
        };
        let r = read(&file, kind);
        for (inc, line) in &r.facts.includes {
            queue.push_back((path.clone(), Arc::clone(&display), inc.clone(), *line));
        }
        results.push(r);
    }
    for r in &results {
        project.add_facts(&r.facts);
    }
    finish(results, project, diagnostics, pypi)
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
            if let Some(reference) = resolve(found, &project, pypi, &mut scan.skipped) {
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
    })
}
