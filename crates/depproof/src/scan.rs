//! `depproof scan [PATH...]`: every package reference in a tree, each with its verdict.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use depproof_assess::words::{popularity, popularity_short};
use depproof_assess::{Assessment, Assessor, Code, Policy, Presence, Registry, Verdict};
use depproof_extract::scan::{ImportRule, Reference, ScanOptions, ScanResult, SourceKind, Target};
use depproof_extract::{Kind, Severity};
use depproof_registry::Ecosystem;
use serde_json::{Value, json};

use crate::cli::{Format, GlobalArgs, ScanArgs};
use crate::findings::{finding_json, load_policy, signal_lines};
use crate::snapshots::Snapshots;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

pub fn run(global: &GlobalArgs, args: ScanArgs) -> Result<u8> {
    let snaps = Snapshots::load(global)?;
    let start = match args.paths.first() {
        Some(p) if p.as_os_str() != "-" => p.clone(),
        _ => PathBuf::from("."),
    };
    let policy = load_policy(&args.policy, &start)?;
    let mut exclude = args.exclude.clone();
    exclude.extend(policy.config.scan.exclude.iter().cloned());
    let opts = ScanOptions {
        walk: depproof_extract::walk::WalkOptions {
            max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
            default_excludes: !args.no_default_excludes,
            exclude,
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

    let registry = snaps.registry();
    let assessment = Assessor::new(registry, &policy).assess_scan(&result);
    match args.format {
        Format::Human => print_human(&registry, &policy, &result, &assessment, args.all),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&registry, &policy, &result, &assessment))?
        ),
    }
    let fatal = result
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.path.as_ref() == "-");
    let fail_on = policy.config.fail_on.unwrap_or_default();
    Ok(if fatal {
        EXIT_ERROR
    } else if assessment.findings.iter().any(|f| fail_on.fails(f.verdict)) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
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

fn print_human(
    registry: &Registry,
    policy: &Policy,
    result: &ScanResult,
    assessment: &Assessment,
    all: bool,
) {
    use std::fmt::Write;
    let mut out = String::new();
    for d in result.diagnostics.iter().chain(&assessment.diagnostics) {
        let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
        let level = match d.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        eprintln!("{level}: {}{line}: {}", d.path, d.message);
    }
    for f in assessment
        .findings
        .iter()
        .filter(|f| all || f.verdict != Verdict::Ok || !f.suppressed.is_empty())
    {
        let _ = writeln!(
            out,
            "{:<5}  {} ({}): {}",
            f.verdict.id(),
            f.name,
            f.ecosystem,
            f.summary(registry)
        );
        if let Presence::Found(info) = &f.presence {
            let mut line = format!("  {}", info.latest_version);
            if let Some(m) = info.release_month_str() {
                let _ = write!(line, " (released {m})");
            }
            let index = registry.snapshot(f.ecosystem);
            let _ = write!(line, "; {}", popularity(index, info.popularity));
            let _ = writeln!(out, "{line}");
        }
        if let Some(advice) = f.advice() {
            let _ = writeln!(out, "  what to do: {advice}");
        }
        // The first signal is the summary line already.
        let lines = signal_lines(policy, f);
        for l in lines.iter().skip(usize::from(!f.signals.is_empty())) {
            let _ = writeln!(out, "{l}");
        }
        if f.suggestions.len() > 1 {
            let list: Vec<String> = f
                .suggestions
                .iter()
                .map(|s| match popularity_short(s.info.popularity) {
                    Some(pop) => format!("{} ({pop})", s.info.name),
                    None => s.info.name.clone(),
                })
                .collect();
            let _ = writeln!(out, "  did you mean: {}", list.join(", "));
        }
        for r in &f.references {
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
    let c = Counts::of(assessment);
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} files, {} packages ({} references): {} block, {} warn, {} ok; {} suppressed signals; \
         {} do not exist, {} unresolved imports, {} unknown, {} invalid names; {} not registry names; \
         {} standard-library/built-in, {} project and {} platform imports skipped",
        result.files,
        assessment.findings.len(),
        c.references,
        c.block,
        c.warn,
        c.ok,
        c.suppressed,
        c.not_found,
        c.unresolved,
        c.unknown,
        c.invalid,
        not_registry.len(),
        result.skipped.builtin,
        result.skipped.project,
        result.skipped.runtime,
    );
    print!("{out}");
}

#[derive(Default)]
struct Counts {
    references: usize,
    block: usize,
    warn: usize,
    ok: usize,
    suppressed: usize,
    not_found: usize,
    unresolved: usize,
    unknown: usize,
    invalid: usize,
}

impl Counts {
    fn of(a: &Assessment) -> Counts {
        let mut c = Counts::default();
        for f in &a.findings {
            c.references += f.references.len();
            match f.verdict {
                Verdict::Block => c.block += 1,
                Verdict::Warn => c.warn += 1,
                Verdict::Ok => c.ok += 1,
            }
            c.suppressed += f.suppressed.len();
            let has = |code: Code| {
                f.signals.iter().any(|s| s.code == code)
                    || f.suppressed.iter().any(|s| s.signal.code == code)
            };
            c.not_found += usize::from(has(Code::NotFound));
            c.unresolved += usize::from(has(Code::UnresolvedImport));
            c.unknown += usize::from(has(Code::Unknown));
            c.invalid += usize::from(has(Code::InvalidName));
        }
        c
    }
}

fn to_json(
    registry: &Registry,
    policy: &Policy,
    result: &ScanResult,
    assessment: &Assessment,
) -> Value {
    let snapshots: Vec<Value> = Ecosystem::ALL
        .iter()
        .map(|e| crate::index_cmd::snapshot_json(registry.snapshot(*e), None))
        .collect();
    let findings: Vec<Value> = assessment
        .findings
        .iter()
        .map(|f| {
            let mut v = finding_json(registry, policy, f);
            v["references"] = json!(f.references);
            v
        })
        .collect();
    let not_registry: Vec<&Reference> = result
        .references
        .iter()
        .filter(|r| matches!(r.target, Target::NotRegistry { .. }))
        .collect();
    let mut diagnostics = result.diagnostics.clone();
    diagnostics.extend(assessment.diagnostics.iter().cloned());
    let c = Counts::of(assessment);
    json!({
        "schema_version": 2,
        "snapshots": snapshots,
        "config": policy.path.as_ref().map(|p| p.display().to_string()),
        "fail_on": policy.config.fail_on.unwrap_or_default(),
        "findings": findings,
        "not_registry": not_registry,
        "diagnostics": diagnostics,
        "summary": {
            "files": result.files,
            "bytes": result.bytes,
            "packages": assessment.findings.len(),
            "references": c.references,
            "block": c.block,
            "warn": c.warn,
            "ok": c.ok,
            "suppressed_signals": c.suppressed,
            "does_not_exist": c.not_found,
            "unresolved_import": c.unresolved,
            "unknown": c.unknown,
            "invalid_name": c.invalid,
            "not_registry": not_registry.len(),
            "skipped_imports": result.skipped,
        },
    })
}
