//! Pull-request mode (`scan --diff REF`): keeps only the references added since a git
//! revision, because new dependencies are where invented names enter.
//!
//! - Code, scripts and documents: references on lines added since the revision
//!   (`git diff --unified=0`, against the working tree, so uncommitted changes count),
//!   and every reference in files git does not track yet.
//! - Manifests, lockfiles, notebooks and chat logs: references to packages the file did
//!   not name at the revision (its old version is read with `git show` and scanned the
//!   same way), so that a version bump or a reformatted lockfile is not news.
//!
//! The revision compared against is the merge base of REF and HEAD, as a pull request
//! shows its changes; when the history to find it is missing (a shallow clone), REF
//! itself, which is right for the merge commit a pull-request build checks out.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use depproof_extract::Kind;
use depproof_extract::scan::{Reference, ScanResult, SourceKind, Target};
use depproof_registry::{Ecosystem, Index};
use depproof_report::DiffBase;

/// What changed in one file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Change {
    /// The file's path at the base revision, if it existed there.
    old_path: Option<String>,
    /// Added line ranges (1-based, inclusive) in the current file.
    added: Vec<(u32, u32)>,
    /// Not in the base at all (new, or untracked): everything in it is added.
    whole: bool,
}

impl Change {
    fn has_line(&self, line: u32) -> bool {
        self.whole || self.added.iter().any(|&(a, b)| a <= line && line <= b)
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .context("--diff runs git, which could not be started")
}

fn git_ok(dir: &Path, args: &[&str]) -> Result<Option<String>> {
    let o = git(dir, args)?;
    Ok(o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned()))
}

/// The repository holding `root`, canonical.
fn toplevel(root: &Path) -> Result<PathBuf> {
    let dir = if root.is_dir() {
        root.to_path_buf()
    } else {
        match root.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let o = git(&dir, &["rev-parse", "--show-toplevel"])?;
    if !o.status.success() {
        bail!(
            "--diff needs a git repository, and {} is not in one: {}",
            dir.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        );
    }
    let top = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
    Ok(top.canonicalize().unwrap_or(top))
}

/// The commit `rev` names, or an error that says how to get it.
fn resolve(top: &Path, rev: &str) -> Result<String> {
    if rev.starts_with('-') {
        bail!("--diff `{rev}`: a revision cannot start with `-`");
    }
    if let Some(sha) = git_ok(
        top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )? {
        return Ok(sha);
    }
    let shallow =
        git_ok(top, &["rev-parse", "--is-shallow-repository"])?.as_deref() == Some("true");
    let remotes = git_ok(top, &["remote"])?.unwrap_or_default();
    let fetch = match rev.split_once('/') {
        Some((remote, branch)) if remotes.lines().any(|r| r == remote) => {
            format!("git fetch --depth=1 {remote} {branch}")
        }
        _ => format!(
            "git fetch --depth=1 {} {rev}",
            remotes.lines().next().unwrap_or("origin")
        ),
    };
    let mut msg = format!(
        "--diff {rev}: no such revision in the repository at {}; fetch it first: `{fetch}`",
        top.display()
    );
    if shallow {
        msg.push_str(
            " (this clone is shallow and holds only the commits it was cloned with; \
             with actions/checkout, fetch the base as above or set fetch-depth: 0)",
        );
    }
    bail!(msg)
}

/// Undoes git's C-style quoting of unusual paths (`"a\tb"`).
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_owned();
    };
    let mut bytes = Vec::new();
    let mut it = inner.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(7),
            Some(b'b') => bytes.push(8),
            Some(b'f') => bytes.push(12),
            Some(b'v') => bytes.push(11),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        it.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `git diff --unified=0` output to changes per file (current path).
fn parse_diff(text: &str) -> HashMap<String, Change> {
    let mut changes: HashMap<String, Change> = HashMap::new();
    let mut old: Option<String> = None;
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("diff --git ") {
            old = None;
            current = None;
        } else if let Some(p) = line.strip_prefix("--- ") {
            old = (p != "/dev/null").then(|| {
                let p = unquote(p);
                p.strip_prefix("a/").unwrap_or(&p).to_owned()
            });
        } else if let Some(p) = line.strip_prefix("+++ ") {
            current = (p != "/dev/null").then(|| {
                let p = unquote(p);
                p.strip_prefix("b/").unwrap_or(&p).to_owned()
            });
            if let Some(c) = &current {
                let entry = changes.entry(c.clone()).or_default();
                entry.whole = old.is_none();
                entry.old_path = old.clone();
            }
        } else if let Some(h) = line.strip_prefix("@@ ") {
            let Some(c) = &current else { continue };
            // `@@ -l[,s] +l[,s] @@`
            let Some(plus) = h.split_whitespace().find(|w| w.starts_with('+')) else {
                continue;
            };
            let plus = &plus[1..];
            let (start, count) = match plus.split_once(',') {
                Some((s, n)) => (s.parse().unwrap_or(0), n.parse().unwrap_or(0)),
                None => (plus.parse().unwrap_or(0), 1),
            };
            if count > 0
                && let Some(entry) = changes.get_mut(c)
            {
                entry.added.push((start, start + count - 1));
            }
        }
    }
    changes
}

/// What identifies a package across versions of a file.
fn key(r: &Reference) -> (Option<Ecosystem>, String) {
    match &r.target {
        Target::Package { ecosystem, name } => (
            Some(*ecosystem),
            match ecosystem.validate(name) {
                Ok(_) => ecosystem.normalize(name).into_owned(),
                Err(_) => name.clone(),
            },
        ),
        Target::NotRegistry { text, .. } => (None, text.clone()),
    }
}

/// Keeps the references of `scan` added since `rev` in the repository of `roots`.
pub fn restrict(
    mut scan: ScanResult,
    rev: &str,
    roots: &[PathBuf],
    pypi: &Index,
) -> Result<(ScanResult, DiffBase)> {
    let root = roots.first().map_or(Path::new("."), PathBuf::as_path);
    let top = toplevel(root)?;
    let commit = resolve(&top, rev)?;
    let merge_base = git_ok(&top, &["merge-base", &commit, "HEAD"])?;
    let (base, is_merge_base) = match merge_base {
        Some(mb) if !mb.is_empty() && mb != commit => (mb, true),
        _ => (commit, false),
    };

    let o = git(
        &top,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            &base,
            "--",
        ],
    )?;
    if !o.status.success() {
        bail!(
            "--diff {rev}: git diff failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        );
    }
    let mut changes = parse_diff(&String::from_utf8_lossy(&o.stdout));
    let o = git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    if o.status.success() {
        for p in o.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            changes.insert(
                String::from_utf8_lossy(p).into_owned(),
                Change {
                    old_path: None,
                    added: Vec::new(),
                    whole: true,
                },
            );
        }
    }

    // Display paths (as the user gave them) to paths in the repository.
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut in_repo: HashMap<Arc<str>, Option<String>> = HashMap::new();
    let mut repo_path = |display: &Arc<str>| -> Option<String> {
        in_repo
            .entry(Arc::clone(display))
            .or_insert_with(|| {
                let p = cwd.join(display.as_ref());
                let p = p.canonicalize().unwrap_or(p);
                let rel = p.strip_prefix(&top).ok()?;
                Some(rel.to_string_lossy().replace('\\', "/"))
            })
            .clone()
    };
    let mut old_keys: HashMap<String, HashSet<(Option<Ecosystem>, String)>> = HashMap::new();
    let mut old_packages = |path: &str, change: &Change, kind: Kind| {
        old_keys
            .entry(path.to_owned())
            .or_insert_with(|| {
                let Some(old) = &change.old_path else {
                    return HashSet::new();
                };
                let o = match git(&top, &["show", &format!("{base}:{old}")]) {
                    Ok(o) if o.status.success() => o,
                    _ => return HashSet::new(),
                };
                let fallback = if kind == Kind::Manifest {
                    SourceKind::REQUIREMENTS
                } else {
                    SourceKind::Markdown
                };
                let source_kind = SourceKind::for_path(Path::new(old)).unwrap_or(fallback);
                depproof_extract::scan::scan_bytes(
                    Arc::from(old.as_str()),
                    &o.stdout,
                    source_kind,
                    pypi,
                )
                .references
                .iter()
                .map(key)
                .collect()
            })
            .clone()
    };

    let mut kept = Vec::new();
    for r in std::mem::take(&mut scan.references) {
        let Some(path) = repo_path(&r.location.path) else {
            continue;
        };
        let Some(change) = changes.get(&path) else {
            continue;
        };
        let by_package =
            r.location.cell.is_some() || matches!(r.kind, Kind::Manifest | Kind::Lockfile);
        let new = if change.whole {
            true
        } else if by_package {
            !old_packages(&path, change, r.kind).contains(&key(&r))
        } else {
            change.has_line(r.location.line)
        };
        if new {
            kept.push(r);
        }
    }
    scan.references = kept;
    scan.diagnostics.retain(|d| {
        let p = Arc::clone(&d.path);
        repo_path(&p).is_some_and(|p| changes.contains_key(&p))
    });
    let changed_files = changes.len();
    Ok((
        scan,
        DiffBase {
            reference: rev.to_owned(),
            commit: base,
            merge_base: is_merge_base,
            changed_files,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_zero_diffs() {
        let text = "\
diff --git a/requirements.txt b/requirements.txt
index 1..2 100644
--- a/requirements.txt
+++ b/requirements.txt
@@ -1 +1,2 @@
-flask==2.0
+flask==3.0
+reqeusts
@@ -5,0 +7 @@ x
+numpy
diff --git a/new.py b/new.py
new file mode 100644
--- /dev/null
+++ b/new.py
@@ -0,0 +1,3 @@
+import a
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1,2 +0,0 @@
-import b
diff --git a/old name.py b/src/new name.py
similarity index 90%
rename from old name.py
rename to src/new name.py
--- a/old name.py
+++ b/src/new name.py
@@ -3,0 +4 @@
+import c
diff --git \"a/tab\\there.py\" \"b/tab\\there.py\"
--- \"a/tab\\there.py\"
+++ \"b/tab\\there.py\"
@@ -1,0 +2,0 @@
";
        let c = parse_diff(text);
        let req = &c["requirements.txt"];
        assert_eq!(req.added, vec![(1, 2), (7, 7)]);
        assert_eq!(req.old_path.as_deref(), Some("requirements.txt"));
        assert!(!req.whole && req.has_line(2) && !req.has_line(3) && req.has_line(7));
        assert!(c["new.py"].whole && c["new.py"].old_path.is_none());
        assert!(!c.contains_key("gone.py"));
        let renamed = &c["src/new name.py"];
        assert_eq!(renamed.old_path.as_deref(), Some("old name.py"));
        assert_eq!(renamed.added, vec![(4, 4)]);
        assert!(c["tab\there.py"].added.is_empty());
    }

    #[test]
    fn quoted_paths() {
        assert_eq!(unquote("plain"), "plain");
        assert_eq!(unquote("\"a\\\"b\\\\c\""), "a\"b\\c");
        assert_eq!(unquote("\"caf\\303\\251\""), "café");
    }
}
