//! `depproof scan [PATH...]`: every package reference in a tree, each with its verdict.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use depproof_assess::Assessor;
use depproof_extract::Severity;
use depproof_extract::scan::{Reference, ScanOptions, ScanResult, SourceKind, Target};
use depproof_registry::Ecosystem;
use depproof_report::{Format, Options, ScanReport, ScanStats, Sources};

use crate::cli::{GlobalArgs, ScanArgs};
use crate::findings::{color, load_policy, outputs, tool, write_outputs};
use crate::snapshots::Snapshots;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

pub fn run(global: &GlobalArgs, args: ScanArgs) -> Result<u8> {
    let outputs = outputs(&args.output, &Format::ALL, "scan")?;
    let snaps = Snapshots::load(global)?;
    let start = match (&args.project, args.paths.first()) {
        (Some(dir), _) => dir.clone(),
        (None, Some(p)) if p.as_os_str() != "-" => p.clone(),
        _ => PathBuf::from("."),
    };
    let mut policy = load_policy(&args.policy, &start)?;
    crate::live::apply_cutoff(&global.live, &mut policy)?;
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
    let mut stdin = None;
    let roots: Vec<PathBuf> = if let Some(dir) = &args.project {
        vec![dir.clone()]
    } else if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let result = if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            bail!("`-` (standard input) cannot be combined with other paths");
        }
        if args.diff.is_some() {
            bail!("--diff compares files with a git revision: it cannot read standard input");
        }
        if args.project.is_some() {
            bail!("--project reports files of a project: it cannot read standard input");
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
        let result = depproof_extract::scan::scan_bytes(Arc::from("-"), &bytes, kind, pypi);
        stdin = Some(bytes);
        result
    } else {
        let show = !args.no_progress && !args.output.quiet && std::io::stderr().is_terminal();
        let bar = Progress::new(show);
        let result = depproof_extract::scan::scan_paths(&roots, &opts, pypi, &|done, total| {
            bar.update(done, total)
        });
        bar.finish();
        result
    };
    let result = match &args.project {
        Some(dir) if !args.paths.is_empty() => only_paths(result, dir, &args.paths)?,
        _ => result,
    };
    let (result, diff) = match &args.diff {
        Some(rev) => {
            let (result, base) = crate::diff::restrict(result, rev, &roots, pypi)?;
            (result, Some(base))
        }
        None => (result, None),
    };

    let live = crate::live::settle(
        &global.live,
        &policy,
        &Assessor::new(snaps.registry(), &policy),
        result.references.iter().filter_map(|r| match &r.target {
            Target::Package { ecosystem, name } => Some((*ecosystem, name.clone())),
            _ => None,
        }),
    )?;
    let registry = depproof_assess::Registry {
        live: live.as_ref(),
        ..snaps.registry()
    };
    let assessment = Assessor::new(registry, &policy).assess_scan(&result);

    let not_registry: Vec<Reference> = result
        .references
        .iter()
        .filter(|r| matches!(r.target, Target::NotRegistry { .. }))
        .cloned()
        .collect();
    let mut diagnostics = result.diagnostics.clone();
    diagnostics.extend(assessment.diagnostics.iter().cloned());
    let tool = tool();
    let report = ScanReport {
        tool: &tool,
        registry,
        policy: &policy,
        findings: &assessment.findings,
        not_registry: &not_registry,
        diagnostics: &diagnostics,
        stats: ScanStats {
            files: result.files,
            bytes: result.bytes,
            skipped: result.skipped.clone(),
        },
        provenance: crate::snapshots::provenance(&snaps, &Ecosystem::ALL),
        diff,
    };
    let sources = match stdin {
        Some(bytes) => Sources::new().with_stdin(bytes),
        None => Sources::new(),
    };
    let options = Options {
        all: args.all,
        quiet: args.output.quiet,
        link_base: args.link_base.clone(),
        color: false,
    };
    if outputs.iter().any(|o| o.format == Format::Human) {
        let o = Options {
            color: color(args.output.color, std::io::stderr().is_terminal()),
            ..options.clone()
        };
        eprint!("{}", depproof_report::human::diagnostics(&report, &o));
    }
    write_outputs(&outputs, args.output.color, |format, color| {
        let o = Options {
            color,
            ..options.clone()
        };
        depproof_report::render_scan(format, &report, &o, &sources)
    })?;
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

/// Keeps the references and diagnostics of the files at or under `paths`, which must lie
/// in the project `dir`.
fn only_paths(mut result: ScanResult, dir: &Path, paths: &[PathBuf]) -> Result<ScanResult> {
    let canonical = |p: &Path| {
        p.canonicalize()
            .with_context(|| format!("cannot read {}", p.display()))
    };
    let project = canonical(dir)?;
    let mut wanted = Vec::new();
    for p in paths {
        let c = canonical(p)?;
        if !c.starts_with(&project) {
            bail!(
                "{} is not in the project {} (--project)",
                p.display(),
                dir.display()
            );
        }
        wanted.push(c);
    }
    let mut seen: HashMap<Arc<str>, bool> = HashMap::new();
    let mut keep = |path: &Arc<str>| {
        *seen.entry(Arc::clone(path)).or_insert_with(|| {
            Path::new(path.as_ref())
                .canonicalize()
                .is_ok_and(|c| wanted.iter().any(|w| c.starts_with(w)))
        })
    };
    result.references.retain(|r| keep(&r.location.path));
    result.diagnostics.retain(|d| keep(&d.path));
    Ok(result)
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
