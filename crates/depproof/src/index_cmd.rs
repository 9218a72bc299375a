//! `depproof index build`, `info`, `import-osv` and `import-hallucinations`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use depproof_registry::index::build::{BuildOptions, build_from_path};
use depproof_registry::index::{Completeness, Header};
use depproof_registry::overlay::{
    self, ImportOptions, ImportReport, OverlayInfo, OverlayKind, Overlays,
};
use depproof_registry::{Ecosystem, Index};
use serde_json::json;

use crate::cli::{
    BuildArgs, Format, GlobalArgs, ImportHallucinationsArgs, ImportOsvArgs, InfoArgs,
};
use crate::{EXIT_ERROR, EXIT_OK, snapshots};

pub fn build(args: BuildArgs) -> Result<u8> {
    let ecosystem = Ecosystem::from(args.ecosystem);
    let source = args.source.clone().unwrap_or_else(|| {
        args.from_tsv
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let mut opts = BuildOptions::new(ecosystem, source);
    if let Some(date) = &args.date {
        check_date(date)?;
        opts.snapshot_date = Some(date.clone());
    }
    if args.complete {
        opts.completeness = Some(Completeness::Complete);
    } else if let Some(description) = &args.partial {
        opts.completeness = Some(Completeness::Partial {
            min_downloads: 0,
            description: description.clone(),
        });
    }
    opts.fallback_date = file_month(&args.from_tsv).ok();
    let start = Instant::now();
    let (bytes, stats) = build_from_path(&args.from_tsv, &opts)?;
    for w in &stats.warnings {
        eprintln!("warning: {w}");
    }
    if stats.warning_count > stats.warnings.len() as u64 {
        eprintln!(
            "warning: {} more lines with a bad value",
            stats.warning_count - stats.warnings.len() as u64
        );
    }
    if stats.date_from_fallback {
        eprintln!(
            "note: {} has no release months; the snapshot is dated {} from the file's modification time (set it with --date)",
            args.from_tsv.display(),
            stats.snapshot_date
        );
    }
    write_atomically(&args.out, &bytes)?;
    let index = Index::open(&args.out)?;
    let h = index.header();
    let flagged: Vec<String> = stats
        .flagged
        .iter()
        .map(|(n, c)| format!("{n} {c}"))
        .collect();
    eprintln!(
        "built {} in {:.2}s: {} {} names ({} rows, {} merged by normalization), {} popular, {} distinct versions; flags: {}; {}",
        args.out.display(),
        start.elapsed().as_secs_f64(),
        h.name_count,
        ecosystem,
        stats.rows,
        stats.merged,
        h.popular_count,
        stats.versions,
        flagged.join(", "),
        describe_completeness(h),
    );
    Ok(EXIT_OK)
}

fn check_date(date: &str) -> Result<()> {
    let ok = date.len() >= 7
        && depproof_registry::index::format::encode_month(&date[..7]).is_some()
        && (date.len() == 7
            || (date.len() == 10
                && date.as_bytes()[7] == b'-'
                && date[8..].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))));
    if !ok {
        bail!("--date `{date}` is not a date: expected YYYY-MM or YYYY-MM-DD");
    }
    Ok(())
}

/// `YYYY-MM` of a file's modification time (UTC).
fn file_month(path: &Path) -> Result<String> {
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .with_context(|| format!("{}: cannot read the modification time", path.display()))?;
    let secs = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, _) = depproof_registry::overlay::time::civil_from_days((secs / 86_400) as i64);
    Ok(format!("{y:04}-{m:02}"))
}

/// Writes to a temporary file beside `path`, then renames: a failed build never leaves a
/// half-written index where a good one was.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .with_context(|| format!("{}: not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("{}: cannot write the index: {e}", path.display())
    })
}

pub fn describe_completeness(h: &Header) -> String {
    match &h.completeness {
        Completeness::Complete => "complete".to_owned(),
        Completeness::Partial { description, .. } => format!("partial: {description}"),
    }
}

pub fn info(global: &GlobalArgs, args: InfoArgs) -> Result<u8> {
    let mut entries: Vec<(Index, Result<(), String>)> = Vec::new();
    let mut failed = false;
    let overlays = args.files.is_empty().then(|| OverlayListing::load(global));
    if args.files.is_empty() {
        let snaps = snapshots::Snapshots::load(global)?;
        for index in snaps.into_all() {
            let verified = index.verify().map_err(|e| e.to_string());
            entries.push((index, verified));
        }
    } else {
        for f in &args.files {
            match Index::open(f) {
                Ok(index) => entries.push((index, Ok(()))),
                Err(e) => {
                    eprintln!("error: {e}");
                    failed = true;
                }
            }
        }
    }
    match args.format {
        Format::Human => {
            for (index, verified) in &entries {
                let h = index.header();
                println!("{} snapshot ({})", h.ecosystem, index.origin());
                if args.files.is_empty() {
                    let what = match snapshots::kind(global, index) {
                        "embedded" => "the embedded snapshot",
                        "user" => {
                            "the user's snapshot in the data directory (newer than the embedded one)"
                        }
                        _ => "the file given with --index",
                    };
                    println!("  in use:       {what}");
                }
                match snapshots::age_days(index) {
                    Some(age) => println!("  date:         {} ({age} days old)", h.snapshot_date),
                    None => println!("  date:         {}", h.snapshot_date),
                }
                println!("  completeness: {}", describe_completeness(h));
                println!("  names:        {}", h.name_count);
                println!("  popular:      {} ({})", h.popular_count, popular_rule(h));
                println!("  source:       {}", h.source);
                match verified {
                    Ok(()) => println!("  checksum:     xxh3:{} (verified)", h.checksum_hex()),
                    Err(e) => println!("  checksum:     xxh3:{} (FAILED: {e})", h.checksum_hex()),
                }
                println!("  size:         {} bytes", h.file_size);
                println!("  format:       version {}", h.format_version);
            }
            if let Some(o) = &overlays {
                o.print_human();
            }
        }
        Format::Json => {
            let list: Vec<_> = entries
                .iter()
                .map(|(i, v)| {
                    let mut j = snapshot_json(i, v.as_ref().err());
                    if args.files.is_empty() {
                        j["in_use"] = json!(snapshots::kind(global, i));
                    }
                    j["age_days"] = json!(snapshots::age_days(i));
                    j
                })
                .collect();
            let mut doc = json!({ "snapshots": list });
            if let Some(o) = &overlays {
                doc["data_dir"] = json!(o.data_dir);
                doc["overlays"] = o.json();
                doc["overlay_errors"] = json!(o.errors);
            }
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    let bad = entries.iter().any(|(_, v)| v.is_err()) || overlays.is_some_and(|o| o.failed());
    Ok(if failed || bad { EXIT_ERROR } else { EXIT_OK })
}

/// The overlays of the data directory, for `index info`.
struct OverlayListing {
    data_dir: Option<String>,
    /// Each open overlay with the outcome of its full checksum.
    overlays: Vec<(OverlayInfo, Result<(), String>)>,
    /// Files that could not be opened, and a data directory that could not be found.
    errors: Vec<String>,
}

impl OverlayListing {
    fn load(global: &GlobalArgs) -> OverlayListing {
        let dir = match overlay::data_dir(global.data_dir.as_deref()) {
            Ok(d) => d,
            Err(e) => {
                return OverlayListing {
                    data_dir: None,
                    overlays: Vec::new(),
                    errors: vec![e.to_string()],
                };
            }
        };
        let (open, errors) = Overlays::open_lenient(&dir);
        let overlays = open
            .provenance()
            .into_iter()
            .zip(open.verify())
            .map(|(info, v)| (info, v.map_err(|e| e.to_string())))
            .collect();
        OverlayListing {
            data_dir: Some(dir.display().to_string()),
            overlays,
            errors: errors.iter().map(ToString::to_string).collect(),
        }
    }

    fn failed(&self) -> bool {
        // No data directory is not a failure: there is nothing to list.
        let unusable = self.data_dir.is_some() && !self.errors.is_empty();
        unusable || self.overlays.iter().any(|(_, v)| v.is_err())
    }

    fn print_human(&self) {
        let Some(dir) = &self.data_dir else {
            for e in &self.errors {
                println!("overlays: none ({e})");
            }
            return;
        };
        if self.overlays.is_empty() && self.errors.is_empty() {
            println!(
                "overlays: none in {} (add some with `depproof index import-osv` or `import-hallucinations`)",
                Path::new(dir).join(overlay::OVERLAY_DIR).display()
            );
        }
        for (o, verified) in &self.overlays {
            let what = match o.kind {
                OverlayKind::Malicious => "malicious-package",
                OverlayKind::Hallucinations => "invented-name",
            };
            println!("{} overlay ({})", o.kind.id(), o.path.display());
            let by: Vec<String> = o
                .by_ecosystem
                .iter()
                .map(|(e, n)| format!("{e} {n}"))
                .collect();
            let mut records = format!("{} {what} records ({})", o.records, by.join(", "));
            if o.withdrawn > 0 {
                records.push_str(&format!("; {} withdrawn", o.withdrawn));
            }
            println!("  records:      {records}");
            if let Some(u) = &o.updated {
                println!(
                    "  updated:      {u} (created {})",
                    o.created.as_deref().unwrap_or("?")
                );
            }
            for (i, s) in o.sources.iter().rev().enumerate() {
                println!(
                    "  {}{} ({}, {} records)",
                    if i == 0 {
                        "sources:      "
                    } else {
                        "              "
                    },
                    s.source,
                    s.imported,
                    s.records
                );
            }
            match verified {
                Ok(()) => println!("  checksum:     {} (verified)", o.checksum),
                Err(e) => println!("  checksum:     {} (FAILED: {e})", o.checksum),
            }
            println!("  size:         {} bytes", o.size);
            println!("  format:       version {}", o.format_version);
        }
        for e in &self.errors {
            println!("overlay unusable: {e}");
        }
    }

    fn json(&self) -> serde_json::Value {
        json!(
            self.overlays
                .iter()
                .map(|(o, v)| {
                    let mut j = json!(o);
                    if let Err(e) = v {
                        j["verify_error"] = json!(e);
                    }
                    j
                })
                .collect::<Vec<_>>()
        )
    }
}

/// Most warnings printed one by one; `--format json` has them all.
const WARNINGS_SHOWN: usize = 20;

fn print_warnings(report: &ImportReport) {
    for w in report.warnings.iter().take(WARNINGS_SHOWN) {
        eprintln!("warning: {}: {}", w.place, w.reason);
    }
    let n = report.warnings.len();
    if n > WARNINGS_SHOWN {
        eprintln!(
            "warning: {} more (all of them with --format json)",
            n - WARNINGS_SHOWN
        );
    }
    if n > 0 {
        let kinds: Vec<String> = report
            .warning_kinds()
            .iter()
            .map(|(k, c)| format!("{c} {k}"))
            .collect();
        eprintln!("{n} warnings: {}", kinds.join(", "));
    }
}

fn counts(m: &std::collections::BTreeMap<Ecosystem, u64>) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter()
        .map(|(e, n)| format!("{e} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn skipped(report: &ImportReport) -> String {
    let total: u64 = report.skipped.values().sum();
    if total == 0 {
        return "0".into();
    }
    let parts: Vec<String> = report
        .skipped
        .iter()
        .map(|(reason, n)| {
            if reason == "no PyPI or npm package" && !report.other_ecosystems.is_empty() {
                let others: Vec<String> = report
                    .other_ecosystems
                    .iter()
                    .map(|(e, n)| format!("{e} {n}"))
                    .collect();
                format!("{n} {reason} ({})", others.join(", "))
            } else {
                format!("{n} {reason}")
            }
        })
        .collect();
    format!("{total}: {}", parts.join("; "))
}

pub fn import_osv(global: &GlobalArgs, args: ImportOsvArgs) -> Result<u8> {
    let dir = overlay::data_dir(global.data_dir.as_deref())?;
    let start = Instant::now();
    let report = overlay::import_osv(
        &dir,
        &args.path,
        &ImportOptions {
            replace: args.replace,
        },
    )?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(EXIT_OK);
    }
    print_warnings(&report);
    println!(
        "imported {} into {} in {:.2}s",
        report.source,
        report.overlay.display(),
        start.elapsed().as_secs_f64()
    );
    println!("  read:       {} record files", report.read);
    println!(
        "  taken:      {} new, {} replaced by a newer version, {} unchanged; by ecosystem: {}",
        report.imported,
        report.replaced,
        report.unchanged,
        counts(&report.by_ecosystem)
    );
    println!(
        "  withdrawn:  {} ({} removed from the overlay)",
        report.withdrawn, report.removed
    );
    if report.older_ignored > 0 {
        println!(
            "  older:      {} (the overlay holds a newer version)",
            report.older_ignored
        );
    }
    println!("  skipped:    {}", skipped(&report));
    println!("  overlay:    {} malicious-package records", report.total);
    Ok(EXIT_OK)
}

pub fn import_hallucinations(global: &GlobalArgs, args: ImportHallucinationsArgs) -> Result<u8> {
    let dir = overlay::data_dir(global.data_dir.as_deref())?;
    let report = overlay::import_hallucinations(
        &dir,
        &args.file,
        args.ecosystem.map(Ecosystem::from),
        &ImportOptions {
            replace: args.replace,
        },
    )?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(EXIT_OK);
    }
    print_warnings(&report);
    println!(
        "imported {} into {}",
        report.source,
        report.overlay.display()
    );
    println!(
        "  read:       {} names; by ecosystem: {}",
        report.read,
        counts(&report.by_ecosystem)
    );
    println!(
        "  taken:      {} new names, {} already known (counts added)",
        report.imported, report.replaced
    );
    println!("  skipped:    {}", skipped(&report));
    println!("  overlay:    {} invented names", report.total);
    Ok(EXIT_OK)
}

pub fn popular_rule(h: &Header) -> String {
    use depproof_registry::index::PopularityKind;
    match h.popularity_kind {
        PopularityKind::Rank => format!("download rank at most {}", h.popular_threshold),
        PopularityKind::MonthlyDownloads => {
            format!("at least {} downloads a month", h.popular_threshold)
        }
        PopularityKind::None => "no popularity data".to_owned(),
    }
}

/// A snapshot as `index info --format json` shows it: the report's provenance detail,
/// with why verification failed when it did.
pub fn snapshot_json(index: &Index, verify_error: Option<&String>) -> serde_json::Value {
    let mut v = depproof_report::Provenance::snapshot(index).detail;
    if let Some(e) = verify_error {
        v["verify_error"] = json!(e);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        use depproof_registry::overlay::time::civil_from_days;
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_781), (2026, 11, 24));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn dates_are_checked() {
        for ok in ["2026-11", "2026-11-24"] {
            assert!(check_date(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2026",
            "2026-13",
            "2026-11-32",
            "2026-11-2",
            "yesterday",
            "2026-11-24x",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }
}
