//! Text for a person: one block per package that needs attention, each location with its
//! source line and a caret under the name (the way ruff and cargo show diagnostics), then
//! a summary with counts per verdict.

use std::fmt::Write;

use depproof_assess::words::{popularity, popularity_short};
use depproof_assess::{Finding, Policy, Presence, Registry, Verdict};
use depproof_extract::Severity;
use depproof_extract::scan::Target;

use crate::style::{Paint, Style, clean};
use crate::{Counts, Options, ScanReport, Sources, kind_words, level_id, location_words};

/// Locations per package shown with their source line; the rest are listed.
const SNIPPETS_PER_FINDING: usize = 10;

/// The scan report.
pub fn scan(r: &ScanReport, o: &Options, sources: &Sources) -> String {
    let p = Paint { on: o.color };
    let mut out = String::new();
    let shown = r.findings.iter().filter(|f| {
        if o.quiet {
            f.verdict != Verdict::Ok
        } else {
            o.all || f.verdict != Verdict::Ok || !f.suppressed.is_empty()
        }
    });
    for f in shown {
        if !out.is_empty() {
            out.push('\n');
        }
        finding(&mut out, &p, &r.registry, r.policy, f, sources);
    }
    if o.all && !o.quiet && !r.not_registry.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", p.paint(Style::Bold, "not registry names:"));
        for n in r.not_registry {
            if let Target::NotRegistry { text, what, .. } = &n.target {
                let _ = writeln!(
                    out,
                    "  {}  {} ({what:?}, {})",
                    clean(&location_words(&n.location)),
                    clean(text),
                    clean(&kind_words(n))
                );
            }
        }
    }
    if o.quiet {
        return out;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    summary(&mut out, &p, r);
    out
}

/// The diagnostics, one line each, for standard error (`--quiet`: errors only).
pub fn diagnostics(r: &ScanReport, o: &Options) -> String {
    let p = Paint { on: o.color };
    let mut out = String::new();
    for d in r.diagnostics {
        if o.quiet && d.severity != Severity::Error {
            continue;
        }
        let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
        let level = match d.severity {
            Severity::Warning => p.paint(Style::Warn, "warning"),
            Severity::Error => p.paint(Style::Block, "error"),
        };
        let _ = writeln!(
            out,
            "{level}: {}{line}: {}",
            clean(&d.path),
            clean(&d.message)
        );
    }
    out
}

fn finding(
    out: &mut String,
    p: &Paint,
    registry: &Registry,
    policy: &Policy,
    f: &Finding,
    sources: &Sources,
) {
    let style = Style::of(f.verdict);
    let _ = writeln!(
        out,
        "{}  {} ({}): {}",
        p.paint(style, &format!("{:<5}", f.verdict.id())),
        p.paint(Style::Bold, &clean(&f.name)),
        f.ecosystem,
        clean(&f.summary(registry))
    );
    if let Presence::Found(info) = &f.presence {
        let mut line = format!("  {}", info.latest_version);
        if let Some(m) = info.release_month_str() {
            let _ = write!(line, " (released {m})");
        }
        let index = registry.snapshot(f.ecosystem);
        let _ = write!(line, "; {}", popularity(index, info.popularity));
        let _ = writeln!(out, "{}", clean(&line));
    }
    if let Some(advice) = f.advice() {
        let _ = writeln!(out, "  what to do: {advice}");
    }
    // The first signal is the headline already.
    signal_lines(
        out,
        p,
        policy,
        f.signals.get(1..).unwrap_or_default(),
        &f.suppressed,
    );
    if f.suggestions.len() > 1 {
        let list: Vec<String> = f
            .suggestions
            .iter()
            .map(|s| match popularity_short(s.info.popularity) {
                Some(pop) => format!("{} ({pop})", s.info.name),
                None => s.info.name.clone(),
            })
            .collect();
        let _ = writeln!(out, "  did you mean: {}", clean(&list.join(", ")));
    }
    let with_lines = f.verdict != Verdict::Ok || !f.suppressed.is_empty();
    let snippets: Vec<_> = f
        .references
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (with_lines && i < SNIPPETS_PER_FINDING)
                .then(|| sources.snippet(&r.location))
                .flatten()
        })
        .collect();
    let width = snippets
        .iter()
        .flatten()
        .map(|s| s.line.to_string().len())
        .max()
        .unwrap_or(0);
    let caret = match f.verdict {
        Verdict::Block => Style::Block,
        Verdict::Warn => Style::Warn,
        Verdict::Ok => Style::Dim,
    };
    for (r, snippet) in f.references.iter().zip(&snippets) {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            p.paint(Style::Gutter, "-->"),
            clean(&location_words(&r.location)),
            clean(&kind_words(r))
        );
        if let Some(s) = snippet {
            let bar = p.paint(Style::Gutter, "|");
            let pad = " ".repeat(width + 3);
            let _ = writeln!(out, "{pad}{bar}");
            let _ = writeln!(
                out,
                "  {} {bar} {}",
                p.paint(Style::Gutter, &format!("{:>width$}", s.line)),
                s.text
            );
            let _ = writeln!(
                out,
                "{pad}{bar} {}{}",
                " ".repeat(s.caret_column),
                p.paint(caret, &"^".repeat(s.caret_width))
            );
        }
    }
    if let Some(s) = f.signals.first() {
        let _ = writeln!(
            out,
            "  {}: depproof explain {}",
            p.paint(Style::Bold, "help"),
            s.code.id()
        );
    }
}

fn summary(out: &mut String, p: &Paint, r: &ScanReport) {
    let c = Counts::of(r.findings);
    let count = |n: usize, word: &str, style: Style| {
        let text = format!("{n} {word}");
        if n > 0 { p.paint(style, &text) } else { text }
    };
    let _ = writeln!(
        out,
        "{} files, {} packages ({} references): {}, {}, {}; {} suppressed signals; \
         {} do not exist, {} unresolved imports, {} unknown, {} invalid names; {} not registry names; \
         {} standard-library/built-in, {} project and {} platform imports skipped",
        r.stats.files,
        r.findings.len(),
        c.references,
        count(c.block, "block", Style::Block),
        count(c.warn, "warn", Style::Warn),
        count(c.ok, "ok", Style::Ok),
        c.suppressed,
        c.not_found,
        c.unresolved,
        c.unknown,
        c.invalid,
        r.not_registry.len(),
        r.stats.skipped.builtin,
        r.stats.skipped.project,
        r.stats.skipped.runtime,
    );
    if let Some(d) = &r.diff {
        let short: String = d.commit.chars().take(12).collect();
        let base = if d.merge_base {
            format!("merge base {short}")
        } else {
            short
        };
        let _ = writeln!(
            out,
            "only references added since {} ({base}), in {} changed files",
            clean(&d.reference),
            d.changed_files
        );
    }
}

/// The signals of a finding, one line each with its level, then the suppressed ones.
pub(crate) fn signal_lines(
    out: &mut String,
    p: &Paint,
    policy: &Policy,
    signals: &[depproof_assess::Signal],
    suppressed: &[depproof_assess::Suppressed],
) {
    for s in signals {
        let level = level_id(policy, s.code, s.severity);
        let st = match level {
            "block" => Style::Block,
            "warn" => Style::Warn,
            _ => Style::Dim,
        };
        let _ = writeln!(
            out,
            "  {}  {} {}: {}",
            p.paint(st, &format!("{level:<5}")),
            s.code.id(),
            s.code.name(),
            clean(&s.message)
        );
    }
    for s in suppressed {
        let line = format!(
            "  (suppressed) {} {}: {} [{}]",
            s.signal.code.id(),
            s.signal.code.name(),
            clean(&s.signal.message),
            clean(&s.by.words())
        );
        let _ = writeln!(out, "{}", p.paint(Style::Dim, &line));
    }
}
