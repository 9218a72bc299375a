//! A small set of files sent in one request (a zip archive, or a list of paths and
//! texts), scanned as a project: written to a private temporary directory, walked like a
//! checkout, and reported with the paths as sent.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use depproof_extract::scan::{ScanOptions, scan_paths};

use crate::{Limits, Service};
use depproof_extract::scan::ScanResult;

/// One file of a request: its path in the project, and its content.
#[derive(Debug, Clone)]
pub struct InFile {
    /// Relative, `/`-separated.
    pub path: String,
    /// The bytes.
    pub content: Vec<u8>,
}

/// Why a set of files cannot be scanned: a user's mistake, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveError(pub String);

impl std::fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(s: impl Into<String>) -> ArchiveError {
    ArchiveError(s.into())
}

/// Checks that `path` stays inside the project: relative, no `..`, no empty part.
pub fn check_path(path: &str) -> Result<PathBuf, ArchiveError> {
    if path.is_empty() || path.len() > 1024 {
        return Err(err(format!(
            "file path `{}` must have 1 to 1024 bytes",
            path.escape_debug()
        )));
    }
    if path.contains('\0') || path.contains('\\') {
        return Err(err(format!(
            "file path `{}` holds a NUL byte or a backslash: use `/` between directories",
            path.escape_debug()
        )));
    }
    let p = Path::new(path);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => {
                return Err(err(format!(
                    "file path `{}` must be relative and stay inside the project (no `/` at the start, no `..`)",
                    path.escape_debug()
                )));
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Err(err(format!(
            "file path `{}` names no file",
            path.escape_debug()
        )));
    }
    Ok(out)
}

/// The files of a zip archive; directories and links are skipped.
pub fn unzip(bytes: &[u8], limits: &Limits) -> Result<Vec<InFile>, ArchiveError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| err(format!("the body is not a readable zip archive: {e}")))?;
    if zip.len() > limits.max_files {
        return Err(err(format!(
            "the archive holds {} entries; at most {} are read",
            zip.len(),
            limits.max_files
        )));
    }
    let mut files = Vec::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| err(format!("archive entry {}: {e}", i + 1)))?;
        if f.is_dir() || f.is_symlink() {
            continue;
        }
        let name = f
            .name()
            .map_err(|e| err(format!("archive entry {}: {e}", i + 1)))?
            .into_owned();
        if f.enclosed_name().is_none() {
            return Err(err(format!(
                "archive entry `{}` would be written outside the project",
                name.escape_debug()
            )));
        }
        // The declared size can lie: the read itself is bounded too.
        let room = limits.max_unpacked_bytes.saturating_sub(total);
        let mut content = Vec::new();
        (&mut f)
            .take(room + 1)
            .read_to_end(&mut content)
            .map_err(|e| err(format!("archive entry `{}`: {e}", name.escape_debug())))?;
        total += content.len() as u64;
        if total > limits.max_unpacked_bytes {
            return Err(err(format!(
                "the archive unpacks to more than {} bytes",
                limits.max_unpacked_bytes
            )));
        }
        files.push(InFile {
            path: name,
            content,
        });
    }
    Ok(files)
}

/// Finds the references in `files`, read as one project.
pub fn scan_files(service: &Service, files: &[InFile]) -> Result<ScanResult, ArchiveError> {
    if files.len() > service.limits.max_files {
        return Err(err(format!(
            "{} files were sent; at most {} are read",
            files.len(),
            service.limits.max_files
        )));
    }
    let total: u64 = files.iter().map(|f| f.content.len() as u64).sum();
    if total > service.limits.max_unpacked_bytes {
        return Err(err(format!(
            "the files hold more than {} bytes",
            service.limits.max_unpacked_bytes
        )));
    }
    let dir = tempfile::Builder::new()
        .prefix("depproof-scan-")
        .tempdir()
        .map_err(|e| err(format!("cannot make a temporary directory: {e}")))?;
    let mut seen = std::collections::BTreeSet::new();
    for f in files {
        let rel = check_path(&f.path)?;
        if !seen.insert(rel.clone()) {
            return Err(err(format!(
                "file path `{}` is given twice",
                f.path.escape_debug()
            )));
        }
        // A file where another needs a directory (or the reverse) is a user's mistake.
        if seen
            .iter()
            .any(|other| other != &rel && (other.starts_with(&rel) || rel.starts_with(other)))
        {
            return Err(err(format!(
                "file path `{}` is both a file and a directory",
                f.path.escape_debug()
            )));
        }
        let target = dir.path().join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| err(format!("cannot write `{}`: {e}", f.path.escape_debug())))?;
        }
        std::fs::write(&target, &f.content)
            .map_err(|e| err(format!("cannot write `{}`: {e}", f.path.escape_debug())))?;
    }
    let root = dir.path().to_path_buf();
    let opts = ScanOptions {
        walk: depproof_extract::walk::WalkOptions {
            // What a user sends is what they want read: no ignore files of this machine.
            respect_ignore_files: false,
            ..Default::default()
        },
    };
    let result = scan_paths(
        std::slice::from_ref(&root),
        &opts,
        service.registry().pypi,
        &|_, _| {},
    );
    let prefix = format!("{}/", depproof_extract::walk::display_path(&root));
    let result = strip_root(result, &prefix);
    Ok(result)
}

/// Shows paths as they were sent, without the temporary directory.
fn strip_root(
    mut r: depproof_extract::scan::ScanResult,
    prefix: &str,
) -> depproof_extract::scan::ScanResult {
    let strip = |p: &mut std::sync::Arc<str>| {
        if let Some(rest) = p.strip_prefix(prefix) {
            *p = std::sync::Arc::from(rest);
        }
    };
    for reference in &mut r.references {
        strip(&mut reference.location.path);
    }
    for d in &mut r.diagnostics {
        strip(&mut d.path);
    }
    r
}
