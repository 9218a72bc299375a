//! The answers of `depproof check NAME...`: per name, where it exists, how established it
//! is, what was probably meant, and its findings; as text or as JSON
//! (`docs/schema/check-v2.json`).

use std::fmt::Write;

use depproof_assess::assess::info_json;
use depproof_assess::words::thousands;
use depproof_assess::{Assessor, Finding, Policy, Registry, Use, Verdict};
use depproof_registry::index::Completeness;
use depproof_registry::{
    Ecosystem, Index, Lookup, NameError, PackageInfo, Popularity, Suggestion, Validity,
};
use serde_json::{Value, json};

use crate::style::{Paint, Style, clean};
use crate::{DataKind, Options, Provenance, SCHEMA_VERSION, Tool};

/// The outcome for one name in one ecosystem.
#[derive(Debug, Clone)]
pub enum Status {
    /// On the registry.
    Found(PackageInfo),
    /// Absent from a complete snapshot.
    Absent,
    /// Absent from a partial snapshot.
    Unknown,
    /// Breaks the ecosystem's name rules.
    Invalid(NameError),
}

/// One name looked up in one ecosystem.
#[derive(Debug, Clone)]
pub struct EcoResult {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The normalized name looked up (empty for an invalid name).
    pub key: String,
    /// What the snapshot says.
    pub status: Status,
    /// Why a valid name could only belong to an old package (npm legacy rules).
    pub legacy: Option<String>,
}

/// The overall answer for one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStatus {
    /// Found in at least one ecosystem.
    Exists,
    /// Absent from every complete snapshot asked.
    DoesNotExist,
    /// Absent from every partial snapshot asked.
    Unknown,
    /// Absent from some, unknown to others.
    NotFound,
    /// Valid in no ecosystem asked.
    Invalid,
}

impl NameStatus {
    /// Lowercase identifier.
    pub fn id(self) -> &'static str {
        match self {
            NameStatus::Exists => "exists",
            NameStatus::DoesNotExist => "does_not_exist",
            NameStatus::Unknown => "unknown",
            NameStatus::NotFound => "not_found",
            NameStatus::Invalid => "invalid",
        }
    }

    fn words(self) -> &'static str {
        match self {
            NameStatus::Exists => "exists",
            NameStatus::DoesNotExist => "does not exist",
            NameStatus::Unknown => "unknown",
            NameStatus::NotFound => "not found",
            NameStatus::Invalid => "invalid name",
        }
    }
}

/// Everything concluded about one name.
#[derive(Debug, Clone)]
pub struct CheckedName {
    /// The name as given.
    pub input: String,
    /// Per ecosystem asked.
    pub results: Vec<EcoResult>,
    /// Real names near it, with their ecosystem, when it exists nowhere.
    pub suggestions: Vec<(Ecosystem, Suggestion)>,
    /// The assessment in each ecosystem where the name exists, or in every ecosystem
    /// whose rules it meets when it exists nowhere.
    pub findings: Vec<Finding>,
}

impl CheckedName {
    /// The most serious verdict of the findings; `None` for a name valid nowhere.
    pub fn verdict(&self) -> Option<Verdict> {
        self.findings.iter().map(|f| f.verdict).max()
    }

    /// Whether it exists, and where not.
    pub fn status(&self) -> NameStatus {
        let valid: Vec<&EcoResult> = self
            .results
            .iter()
            .filter(|r| !matches!(r.status, Status::Invalid(_)))
            .collect();
        if valid.is_empty() {
            NameStatus::Invalid
        } else if valid.iter().any(|r| matches!(r.status, Status::Found(_))) {
            NameStatus::Exists
        } else if valid.iter().all(|r| matches!(r.status, Status::Absent)) {
            NameStatus::DoesNotExist
        } else if valid.iter().all(|r| matches!(r.status, Status::Unknown)) {
            NameStatus::Unknown
        } else {
            NameStatus::NotFound
        }
    }
}

/// Everything a check report shows.
pub struct CheckReport<'a> {
    /// The program.
    pub tool: &'a Tool,
    /// The snapshots consulted.
    pub registry: Registry<'a>,
    /// The policy applied.
    pub policy: &'a Policy,
    /// The snapshots (of the ecosystems asked) and overlays used.
    pub provenance: Vec<Provenance>,
    /// The answers, in the order the names were given.
    pub names: &'a [CheckedName],
}

fn short_popularity(p: Popularity) -> Option<String> {
    match p {
        Popularity::Rank(r) => Some(format!("rank {}", thousands(r.into()))),
        Popularity::MonthlyDownloads(d) => Some(format!("{}/month", thousands(d.into()))),
        Popularity::Unranked | Popularity::Unknown => None,
    }
}

/// The live answer of the public registry about `key`, if it was asked.
fn live_answer<'r>(
    registry: &Registry<'r>,
    eco: Ecosystem,
    key: &str,
) -> Option<&'r depproof_live::Answer> {
    registry.live?.get(eco, key).map(|r| &r.public)
}

/// Whether a name absent from the snapshot does not exist: absent from a complete
/// snapshot, or the registry said so when asked live.
fn absent_for_sure(registry: &Registry, eco: Ecosystem, key: &str) -> bool {
    match live_answer(registry, eco, key).map(|a| &a.outcome) {
        Some(depproof_live::Outcome::Missing) => true,
        Some(depproof_live::Outcome::Failed { .. }) => false,
        _ => registry.snapshot(eco).header().completeness.is_complete(),
    }
}

/// Why a name is absent or unknown, in words, live answers included.
fn absent_reason(registry: &Registry, eco: Ecosystem, key: &str) -> String {
    match live_answer(registry, eco, key).map(|a| (&a.outcome, &a.registry)) {
        Some((depproof_live::Outcome::Missing, url)) => {
            format!("does not exist: {url} has no such package (asked live)")
        }
        Some((depproof_live::Outcome::Failed { reason }, _)) => {
            let index = registry.snapshot(eco);
            if index.header().completeness.is_complete() {
                format!("{} (the live lookup failed: {reason})", absent_words(index))
            } else {
                format!(
                    "unknown: not in the {} snapshot, and the live lookup failed: {reason}",
                    index.header().snapshot_date
                )
            }
        }
        _ => absent_words(registry.snapshot(eco)),
    }
}

/// "does not exist: not among …" or "unknown: not among …".
fn absent_words(index: &Index) -> String {
    let h = index.header();
    match &h.completeness {
        Completeness::Complete => format!(
            "does not exist: not among the {} {} names of the complete snapshot of {}",
            thousands(h.name_count),
            h.ecosystem,
            h.snapshot_date
        ),
        Completeness::Partial { description, .. } => format!(
            "unknown: not among {description} ({} snapshot): it may not exist, or be obscure",
            h.snapshot_date
        ),
    }
}

/// Looks `name` up in each of `ecosystems`: where it exists, what was probably meant if
/// it exists nowhere, and the assessment's findings. The one answer `check`, the guard
/// and the servers give for a bare name.
pub fn check_name(assessor: &Assessor, ecosystems: &[Ecosystem], name: &str) -> CheckedName {
    let mut results = Vec::new();
    let mut suggestions = Vec::new();
    for &eco in ecosystems {
        let index = assessor.registry().snapshot(eco);
        let (status, key, legacy) = match eco.validate(name) {
            Err(e) => (Status::Invalid(e), String::new(), None),
            Ok(validity) => {
                let key = eco.normalize(name).into_owned();
                let legacy = match validity {
                    Validity::Valid => None,
                    Validity::LegacyOnly(why) => Some(why),
                };
                let status = match index.lookup(&key) {
                    Lookup::Found(info) => Status::Found(info),
                    Lookup::Absent => Status::Absent,
                    Lookup::Unknown => Status::Unknown,
                };
                // A live answer settles what the snapshot could not; a failed lookup
                // changes nothing.
                let status = match (
                    status,
                    live_answer(assessor.registry(), eco, &key).map(|a| &a.outcome),
                ) {
                    (Status::Absent | Status::Unknown, Some(depproof_live::Outcome::Found(f))) => {
                        Status::Found(depproof_assess::assess::live_info(f))
                    }
                    (Status::Found(_) | Status::Unknown, Some(depproof_live::Outcome::Missing)) => {
                        Status::Absent
                    }
                    (s, _) => s,
                };
                (status, key, legacy)
            }
        };
        results.push(EcoResult {
            ecosystem: eco,
            key,
            status,
            legacy,
        });
    }
    let found_anywhere = results.iter().any(|r| matches!(r.status, Status::Found(_)));
    if !found_anywhere {
        for r in &results {
            if matches!(r.status, Status::Absent | Status::Unknown) {
                let index = assessor.registry().snapshot(r.ecosystem);
                suggestions.extend(
                    index
                        .suggest(&r.key, depproof_registry::index::MAX_SUGGESTIONS)
                        .into_iter()
                        .map(|s| (r.ecosystem, s)),
                );
            }
        }
        // Across ecosystems: nearer first, then popular names, each ecosystem's own order kept.
        suggestions.sort_by_key(|(_, s)| (s.distance, !s.info.popular));
        suggestions.truncate(depproof_registry::index::MAX_SUGGESTIONS);
    }
    let asked = [Use::ASKED];
    let findings = results
        .iter()
        .filter(|r| match r.status {
            Status::Found(_) => true,
            Status::Absent | Status::Unknown => !found_anywhere,
            Status::Invalid(_) => false,
        })
        .map(|r| assessor.assess(r.ecosystem, name, &asked))
        .collect();
    CheckedName {
        input: name.to_owned(),
        results,
        suggestions,
        findings,
    }
}

/// The answers as text. With `quiet`, only names that warn, block or are invalid.
pub fn human(r: &CheckReport, o: &Options) -> String {
    let p = Paint { on: o.color };
    let mut out = String::new();
    for n in r.names {
        let status = n.status();
        if o.quiet && status != NameStatus::Invalid && n.verdict().is_none_or(|v| v == Verdict::Ok)
        {
            continue;
        }
        name(&mut out, &p, r, n);
    }
    if r.names.len() > 1 && !o.quiet {
        let c = count(r.names);
        let _ = writeln!(
            out,
            "\n{} names: {} exist, {} do not exist, {} unknown or not found, {} invalid",
            r.names.len(),
            c[0],
            c[1],
            c[2],
            c[3]
        );
    }
    out
}

fn name(out: &mut String, p: &Paint, r: &CheckReport, n: &CheckedName) {
    let status = n.status();
    let found_in: Vec<&str> = n
        .results
        .iter()
        .filter(|e| matches!(e.status, Status::Found(_)))
        .map(|e| e.ecosystem.display_name())
        .collect();
    let assessed = n
        .verdict()
        .map(|v| format!(" [{}]", p.paint(Style::of(v), v.id())))
        .unwrap_or_default();
    let input = p.paint(Style::Bold, &clean(&n.input));
    if found_in.is_empty() {
        let _ = writeln!(out, "{input}: {}{assessed}", status.words());
    } else {
        let _ = writeln!(
            out,
            "{input}: {} on {}{assessed}",
            status.words(),
            found_in.join(" and ")
        );
    }
    // Once a name is found, the ecosystems where it is not are noise (JSON keeps them);
    // so is an ecosystem whose rules the name breaks, unless it breaks them all.
    let shown: Vec<&EcoResult> = n
        .results
        .iter()
        .filter(|e| match e.status {
            Status::Found(_) => true,
            Status::Absent | Status::Unknown => found_in.is_empty(),
            Status::Invalid(_) => status == NameStatus::Invalid,
        })
        .collect();
    let width = shown
        .iter()
        .map(|e| e.ecosystem.display_name().len())
        .max()
        .unwrap_or(0);
    for e in shown {
        let index = r.registry.snapshot(e.ecosystem);
        let label = format!("{:width$}", e.ecosystem.display_name());
        match &e.status {
            Status::Found(info) => {
                let mut line = format!("  {label}  {}", info.name);
                if !info.latest_version.is_empty() {
                    let _ = write!(line, " {}", info.latest_version);
                }
                if let Some(m) = info.release_month_str() {
                    let _ = write!(line, " (released {m})");
                }
                match live_answer(&r.registry, e.ecosystem, &e.key).and_then(|a| a.facts()) {
                    Some(f) if info.popularity == Popularity::Unknown => {
                        let _ = write!(
                            line,
                            "; asked live: {} release{}",
                            f.releases,
                            if f.releases == 1 { "" } else { "s" }
                        );
                        if let Some(d) = &f.first_release {
                            let _ = write!(line, ", first {}", &d[..d.len().min(10)]);
                        }
                    }
                    _ => {
                        let _ = write!(
                            line,
                            "; {}",
                            depproof_assess::words::popularity(index, info.popularity)
                        );
                    }
                }
                let flags: Vec<&str> = info.flags.names().collect();
                if !flags.is_empty() {
                    let _ = write!(line, "; flagged: {}", flags.join(", "));
                }
                let _ = writeln!(out, "{}", clean(&line));
            }
            Status::Absent | Status::Unknown => {
                let _ = writeln!(
                    out,
                    "  {label}  {}",
                    clean(&absent_reason(&r.registry, e.ecosystem, &e.key))
                );
            }
            Status::Invalid(err) => {
                let _ = writeln!(out, "  {label}  not a valid name: {}", clean(&err.reason));
            }
        }
        if let Some(why) = &e.legacy
            && !matches!(e.status, Status::Found(_))
        {
            let _ = writeln!(out, "  {:width$}  note: {why}", "");
        }
    }
    if !n.suggestions.is_empty() {
        let several = n
            .results
            .iter()
            .filter(|e| !matches!(e.status, Status::Invalid(_)))
            .count()
            > 1;
        let list: Vec<String> = n
            .suggestions
            .iter()
            .map(|(eco, s)| {
                let mut details: Vec<String> = Vec::new();
                if several {
                    details.push(eco.display_name().to_owned());
                }
                details.extend(short_popularity(s.info.popularity));
                if details.is_empty() {
                    s.info.name.clone()
                } else {
                    format!("{} ({})", s.info.name, details.join(", "))
                }
            })
            .collect();
        let _ = writeln!(out, "  did you mean: {}", list.join(", "));
    }
    for f in &n.findings {
        crate::human::signal_lines(out, p, r.policy, &f.signals, &f.suppressed);
    }
    if let Some(advice) = n
        .findings
        .iter()
        .max_by_key(|f| f.verdict)
        .filter(|f| f.verdict != depproof_assess::Verdict::Ok)
        .and_then(|f| f.advice())
    {
        let _ = writeln!(out, "  what to do: {advice}");
    }
}

/// [exists, does not exist, unknown or not found, invalid]
fn count(names: &[CheckedName]) -> [usize; 4] {
    let mut c = [0; 4];
    for n in names {
        c[match n.status() {
            NameStatus::Exists => 0,
            NameStatus::DoesNotExist => 1,
            NameStatus::Unknown | NameStatus::NotFound => 2,
            NameStatus::Invalid => 3,
        }] += 1;
    }
    c
}

/// The answers as one JSON document.
pub fn json(r: &CheckReport) -> Value {
    let results: Vec<Value> = r
        .names
        .iter()
        .map(|n| {
            let ecos: Vec<Value> = n
                .results
                .iter()
                .map(|e| {
                    let index = r.registry.snapshot(e.ecosystem);
                    let mut v = json!({ "ecosystem": e.ecosystem.id() });
                    match &e.status {
                        Status::Found(info) => {
                            v["status"] = json!("exists");
                            v["key"] = json!(e.key);
                            v["package"] = info_json(index, info);
                        }
                        Status::Absent | Status::Unknown => {
                            let sure = absent_for_sure(&r.registry, e.ecosystem, &e.key);
                            v["status"] = json!(if sure { "does_not_exist" } else { "unknown" });
                            v["key"] = json!(e.key);
                            v["reason"] = json!(absent_reason(&r.registry, e.ecosystem, &e.key));
                        }
                        Status::Invalid(err) => {
                            v["status"] = json!("invalid");
                            v["rule"] = json!(err.rule);
                            v["reason"] = json!(err.reason);
                        }
                    }
                    if let Some(why) = &e.legacy {
                        v["legacy_only"] = json!(why);
                    }
                    if let Some(rec) = r.registry.live.and_then(|l| l.get(e.ecosystem, &e.key)) {
                        v["live"] = json!(rec);
                    }
                    v
                })
                .collect();
            let suggestions: Vec<Value> = n
                .suggestions
                .iter()
                .map(|(eco, s)| {
                    let mut v = info_json(r.registry.snapshot(*eco), &s.info);
                    v["ecosystem"] = json!(eco.id());
                    v["distance"] = json!(s.distance);
                    v
                })
                .collect();
            let findings: Vec<Value> = n
                .findings
                .iter()
                .map(|f| crate::json::finding(&r.registry, r.policy, f))
                .collect();
            json!({
                "name": n.input,
                "status": n.status().id(),
                "verdict": n.verdict(),
                "ecosystems": ecos,
                "suggestions": suggestions,
                "findings": findings,
            })
        })
        .collect();
    let mut summary = serde_json::Map::new();
    for k in [
        "exists",
        "does_not_exist",
        "unknown",
        "not_found",
        "invalid",
    ] {
        let n = results.iter().filter(|r| r["status"] == k).count();
        summary.insert(k.to_owned(), json!(n));
    }
    for k in ["block", "warn", "ok"] {
        let n = results.iter().filter(|r| r["verdict"] == k).count();
        summary.insert(k.to_owned(), json!(n));
    }
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": crate::json::tool(r.tool),
        "config": r.policy.path.as_ref().map(|p| p.display().to_string()),
        "fail_on": r.policy.config.fail_on.unwrap_or_default(),
        "snapshots": crate::json::provenance(&r.provenance, DataKind::Snapshot),
        "live": crate::json::live(&r.registry),
        "overlays": crate::json::provenance(&r.provenance, DataKind::Overlay),
        "results": results,
        "summary": summary,
    })
}
