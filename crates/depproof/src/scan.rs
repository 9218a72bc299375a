//! `depproof scan [PATH...]`: every package reference in a tree, each with its verdict.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use depproof_extract::scan::{ImportRule, Reference, ScanOptions, ScanResult, SourceKind, Target};
use depproof_extract::{Kind, Severity};
use depproof_registry::index::MAX_SUGGESTIONS;
use depproof_registry::{Ecosystem, Lookup, PackageInfo, Suggestion};
use serde_json::{Value, json};

use crate::check::{absent_words, info_json, popularity_words, short_popularity};
use crate::cli::{Format, GlobalArgs, ScanArgs};
use crate::snapshots::Snapshots;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// The verdict on one referenced package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// Named by an install command, manifest or lockfile, and absent from a complete snapshot.
    DoesNotExist,
    /// Only imported, and no package of that name exists.
    UnresolvedImport,
    /// Absent from a partial snapshot.
    Unknown,
    /// Breaks the registry's name rules.
    InvalidName,
    /// On the registry.
    Exists,
}

impl Verdict {
    fn id(self) -> &'static str {
        match self {
            Verdict::DoesNotExist => "does_not_exist",
            Verdict::UnresolvedImport => "unresolved_import",
            Verdict::Unknown => "unknown",
            Verdict::InvalidName => "invalid_name",
            Verdict::Exists => "exists",
        }
    }

    fn is_problem(self) -> bool {
        self != Verdict::Exists
    }
}

struct Package<'a> {
    ecosystem: Ecosystem,
    key: String,
    verdict: Verdict,
    info: Option<PackageInfo>,
    reason: Option<String>,
    suggestions: Vec<Suggestion>,
    refs: Vec<&'a Reference>,
}

pub fn run(global: &GlobalArgs, args: ScanArgs) -> Result<u8> {
    let snaps = Snapshots::load(global)?;
    let opts = ScanOptions {
        walk: depproof_extract::walk::WalkOptions {
            max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
            default_excludes: !args.no_default_excludes,
            exclude: args.exclude.clone(),
            respect_ignore_files: !args.no_ignore,
            follow_links: args.follow_links,
        },
    };
    let pypi = snaps.get(Ecosystem::PyPI);
    let result = if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            bail!("`-` (standard input) cannot be combined with other paths");
        }
        let kind = match &args.stdin_kind {
            Some(k) => SourceKind::from_name(k).ok_or_else(|| {
                anyhow::anyhow!(
                    "--stdin-kind `{k}` is not a kind depproof reads; one of: {}",
                    SourceKind::NAMES.join(", ")
                )
            })?,
            None => SourceKind::Markdown,
        };
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        depproof_extract::scan::scan_bytes(Arc::from("-"), &bytes, kind, pypi)
    } else {
        let roots: Vec<PathBuf> = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        let show = !args.no_progress && std::io::stderr().is_terminal();
        let bar = Progress::new(show);
        let result = depproof_extract::scan::scan_paths(&roots, &opts, pypi, &|done, total| {
            bar.update(done, total)
        });
        bar.finish();
        result
    };

    let packages = assess(&snaps, &result);
    match args.format {
        Format::Human => print_human(&snaps, &result, &packages, args.all),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&snaps, &result, &packages))?
        ),
    }
    let fatal = result
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.path.as_ref() == "-");
    Ok(if fatal {
        EXIT_ERROR
    } else if packages.iter().any(|p| p.verdict.is_problem()) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

fn assess<'a>(snaps: &Snapshots, result: &'a ScanResult) -> Vec<Package<'a>> {
    let mut groups: BTreeMap<(Ecosystem, String), Vec<&'a Reference>> = BTreeMap::new();
    let mut invalid: BTreeMap<(Ecosystem, String), (String, Vec<&'a Reference>)> = BTreeMap::new();
    for r in &result.references {
        if let Target::Package { ecosystem, name } = &r.target {
            match ecosystem.validate(name) {
                Ok(_) => groups
                    .entry((*ecosystem, ecosystem.normalize(name).into_owned()))
                    .or_default()
                    .push(r),
                // An import no registry name can match (`_private`, `__pypy__`) is
                // unresolved, not a badly written package name.
                Err(_) if r.kind == Kind::Import => groups
                    .entry((*ecosystem, name.clone()))
                    .or_default()
                    .push(r),
                Err(e) => invalid
                    .entry((*ecosystem, name.clone()))
                    .or_insert_with(|| (e.reason, Vec::new()))
                    .1
                    .push(r),
            }
        }
    }
    let mut out = Vec::new();
    for ((ecosystem, key), mut refs) in groups {
        refs.sort_by(|a, b| a.location.cmp(&b.location));
        let index = snaps.get(ecosystem);
        let (verdict, info, reason) = match index.lookup(&key) {
            Lookup::Found(info) => (Verdict::Exists, Some(info), None),
            Lookup::Absent => {
                let only_imports = refs.iter().all(|r| r.kind == Kind::Import);
                (
                    if only_imports {
                        Verdict::UnresolvedImport
                    } else {
                        Verdict::DoesNotExist
                    },
                    None,
                    Some(absent_words(index)),
                )
            }
            Lookup::Unknown => (Verdict::Unknown, None, Some(absent_words(index))),
        };
        let suggestions = if verdict == Verdict::Exists {
            Vec::new()
        } else {
            index.suggest(&key, MAX_SUGGESTIONS)
        };
        out.push(Package {
            ecosystem,
            key,
            verdict,
            info,
            reason,
            suggestions,
            refs,
        });
    }
    for ((ecosystem, name), (reason, refs)) in invalid {
        out.push(Package {
            ecosystem,
            key: name,
            verdict: Verdict::InvalidName,
            info: None,
            reason: Some(format!("not a valid {ecosystem} name: {reason}")),
            suggestions: Vec::new(),
            refs,
        });
    }
    out.sort_by(|a, b| (a.verdict, a.ecosystem, &a.key).cmp(&(b.verdict, b.ecosystem, &b.key)));
    out
}

fn kind_words(r: &Reference) -> String {
    let base = match r.kind {
        Kind::Import => "import",
        Kind::InstallCommand => "install command",
        Kind::Manifest => "manifest",
        Kind::Lockfile => "lockfile",
        Kind::ListedByModel => "listed by a model",
    };
    let mut s = base.to_owned();
    if let Some(via) = &r.via
        && (via.rule != ImportRule::ImportName || !via.import.eq_ignore_ascii_case(target_name(r)))
        && via.rule != ImportRule::Specifier
    {
        s = format!("imported as `{}`", via.import);
    }
    if r.dev {
        s.push_str(", dev");
    }
    if r.optional {
        s.push_str(", optional");
    }
    if let Some(v) = &r.version {
        s.push_str(&format!(", {v}"));
    }
    s
}

fn target_name(r: &Reference) -> &str {
    match &r.target {
        Target::Package { name, .. } => name,
        Target::NotRegistry { text, .. } => text,
    }
}

fn location(r: &Reference) -> String {
    let l = &r.location;
    match l.cell {
        // Cells are notebook cells, or the messages of a chat log.
        Some(c) if l.path.ends_with(".ipynb") => {
            format!("{} cell {c}:{}:{}", l.path, l.line, l.column)
        }
        Some(c) => format!("{} message {c}:{}:{}", l.path, l.line, l.column),
        None => format!("{}:{}:{}", l.path, l.line, l.column),
    }
}

/// A progress bar on standard error, shown only once a scan has run for a moment.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: std::time::Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        let bar = enabled.then(|| {
            let bar = indicatif::ProgressBar::hidden();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} scanning {pos}/{len} files {wide_bar} {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            start: std::time::Instant::now(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn update(&self, done: u64, total: u64) {
        let Some(bar) = &self.bar else { return };
        if self.start.elapsed() > std::time::Duration::from_millis(300)
            && !self.shown.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        bar.set_length(total);
        bar.set_position(done);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn verdict_words(p: &Package) -> String {
    match p.verdict {
        Verdict::Exists => "exists".into(),
        Verdict::DoesNotExist => "does not exist".into(),
        Verdict::UnresolvedImport => "unresolved import: no package of that name".into(),
        Verdict::Unknown => "unknown".into(),
        Verdict::InvalidName => "invalid name".into(),
    }
}

fn print_human(snaps: &Snapshots, result: &ScanResult, packages: &[Package], all: bool) {
    use std::fmt::Write;
    let mut out = String::new();
    for d in &result.diagnostics {
        let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
        let level = match d.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        eprintln!("{level}: {}{line}: {}", d.path, d.message);
    }
    for p in packages.iter().filter(|p| all || p.verdict.is_problem()) {
        let index = snaps.get(p.ecosystem);
        let _ = writeln!(out, "{} ({}): {}", p.key, p.ecosystem, verdict_words(p));
        if let Some(info) = &p.info {
            let mut line = format!("  {}", info.latest_version);
            if let Some(m) = info.release_month_str() {
                let _ = write!(line, " (released {m})");
            }
            let _ = write!(line, "; {}", popularity_words(index, info.popularity));
            let _ = writeln!(out, "{line}");
        } else if let Some(reason) = &p.reason {
            let _ = writeln!(out, "  {reason}");
        }
        if !p.suggestions.is_empty() {
            let list: Vec<String> = p
                .suggestions
                .iter()
                .map(|s| match short_popularity(s.info.popularity) {
                    Some(pop) => format!("{} ({pop})", s.info.name),
                    None => s.info.name.clone(),
                })
                .collect();
            let _ = writeln!(out, "  did you mean: {}", list.join(", "));
        }
        for r in &p.refs {
            let _ = writeln!(out, "  {}  {}", location(r), kind_words(r));
        }
    }
    let not_registry: Vec<&Reference> = result
        .references
        .iter()
        .filter(|r| matches!(r.target, Target::NotRegistry { .. }))
        .collect();
    if all && !not_registry.is_empty() {
        let _ = writeln!(out, "not registry names:");
        for r in &not_registry {
            if let Target::NotRegistry { text, what, .. } = &r.target {
                let _ = writeln!(
                    out,
                    "  {}  {text} ({what:?}, {})",
                    location(r),
                    kind_words(r)
                );
            }
        }
    }
    let count = |v: Verdict| packages.iter().filter(|p| p.verdict == v).count();
    let refs: usize = packages.iter().map(|p| p.refs.len()).sum();
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} files, {} packages ({} references): {} exist, {} do not exist, {} unresolved imports, {} unknown, {} invalid names; {} not registry names; {} standard-library/built-in, {} project and {} platform imports skipped",
        result.files,
        packages.len(),
        refs,
        count(Verdict::Exists),
        count(Verdict::DoesNotExist),
        count(Verdict::UnresolvedImport),
        count(Verdict::Unknown),
        count(Verdict::InvalidName),
        not_registry.len(),
        result.skipped.builtin,
        result.skipped.project,
        result.skipped.runtime,
    );
    print!("{out}");
}

fn to_json(snaps: &Snapshots, result: &ScanResult, packages: &[Package]) -> Value {
    let snapshots: Vec<Value> = Ecosystem::ALL
        .iter()
        .map(|e| crate::index_cmd::snapshot_json(snaps.get(*e), None))
        .collect();
    let pkgs: Vec<Value> = packages
        .iter()
        .map(|p| {
            let index = snaps.get(p.ecosystem);
            let suggestions: Vec<Value> = p
                .suggestions
                .iter()
                .map(|s| {
                    let mut v = info_json(index, &s.info);
                    v["distance"] = json!(s.distance);
                    v
                })
                .collect();
            json!({
                "ecosystem": p.ecosystem.id(),
                "name": p.key,
                "verdict": p.verdict.id(),
                "package": p.info.as_ref().map(|i| info_json(index, i)),
                "reason": p.reason,
                "suggestions": suggestions,
                "references": p.refs,
            })
        })
        .collect();
    let not_registry: Vec<&Reference> = result
        .references
        .iter()
        .filter(|r| matches!(r.target, Target::NotRegistry { .. }))
        .collect();
    let count = |v: Verdict| packages.iter().filter(|p| p.verdict == v).count();
    json!({
        "schema_version": 1,
        "snapshots": snapshots,
        "packages": pkgs,
        "not_registry": not_registry,
        "diagnostics": result.diagnostics,
        "summary": {
            "files": result.files,
            "bytes": result.bytes,
            "packages": packages.len(),
            "exists": count(Verdict::Exists),
            "does_not_exist": count(Verdict::DoesNotExist),
            "unresolved_import": count(Verdict::UnresolvedImport),
            "unknown": count(Verdict::Unknown),
            "invalid_name": count(Verdict::InvalidName),
            "not_registry": not_registry.len(),
            "skipped_imports": result.skipped,
        },
    })
}
