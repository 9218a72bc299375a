//! Short answers for a model's context: per package one plain-words answer ("does not
//! exist", "exists but suspicious: why", "unknown"), the verdict, what to do, and real
//! names that were probably meant. Derived from the same findings as the full reports.

use depproof_assess::signal::Doc;
use depproof_assess::words::popularity_short;
use depproof_assess::{Code, Finding, Presence, Registry, Verdict};
use depproof_registry::{Ecosystem, Index, PackageInfo, Suggestion};
use depproof_report::check::{CheckedName, NameStatus, Status};
use schemars::JsonSchema;
use serde::Serialize;

use crate::Scanned;

/// The answer for one name.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NameAnswer {
    /// The name as given.
    pub name: String,
    /// In plain words: "exists", "exists but suspicious: …", "does not exist", "unknown:
    /// …", "invalid name: …".
    pub answer: String,
    /// `ok` (safe to use), `warn` (look before installing) or `block` (do not install);
    /// absent for a name that breaks every ecosystem's rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "optional_verdict_schema")]
    pub verdict: Option<Verdict>,
    /// Where it exists, with its latest version and popularity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<Package>,
    /// Why it is flagged: signal code, name and message, most serious first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalLine>,
    /// Real packages that were probably meant.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub did_you_mean: Vec<Package>,
    /// What to do, when the verdict is not `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_to_do: Option<String>,
}

/// A real package.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Package {
    /// `pypi` or `npm`.
    pub ecosystem: String,
    /// Its name on the registry.
    pub name: String,
    /// Its latest version, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    /// How established it is, in words ("the 3rd most downloaded", "52,000 downloads a
    /// month"), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub popularity: Option<String>,
    /// Among the most downloaded of its registry.
    pub popular: bool,
}

/// One signal.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignalLine {
    /// Stable code (`DP101`); `explain_signal` tells more.
    pub code: String,
    /// Its name (`typosquat`).
    pub signal: String,
    /// What was seen.
    pub message: String,
}

/// The answers of a check.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckAnswer {
    /// One answer per name, in the order given.
    pub results: Vec<NameAnswer>,
    /// The snapshots answered from (ecosystem and date).
    pub snapshots: Vec<String>,
}

/// The answers of a scan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScanAnswer {
    /// One entry per package referred to, blocked first.
    pub packages: Vec<ScanPackage>,
    /// Problems reading the text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// In words: how many packages, how many blocked or to look at.
    pub summary: String,
}

/// A package referred to in scanned text.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScanPackage {
    /// `pypi` or `npm`.
    pub ecosystem: String,
    /// The package name.
    pub name: String,
    /// In plain words, as for `check_packages`.
    pub answer: String,
    /// `ok`, `warn` or `block`.
    #[schemars(schema_with = "verdict_schema")]
    pub verdict: Verdict,
    /// The lines (1-based) that refer to it.
    pub lines: Vec<u32>,
    /// How it is referred to (import, install command, manifest…), per line.
    pub uses: Vec<String>,
    /// Why it is flagged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalLine>,
    /// Real packages that were probably meant.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub did_you_mean: Vec<Package>,
    /// What to do, when the verdict is not `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_to_do: Option<String>,
}

/// Real names near a name.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SuggestAnswer {
    /// The name as given.
    pub name: String,
    /// Whether the name itself exists, per ecosystem asked.
    pub exists_in: Vec<String>,
    /// Candidates, nearest first, then most popular.
    pub candidates: Vec<Candidate>,
}

/// A real name near the one asked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Candidate {
    /// The package.
    #[serde(flatten)]
    pub package: Package,
    /// Edits (insertions, deletions, substitutions, transpositions) from the name asked.
    pub distance: u8,
}

/// What a signal means.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignalDoc {
    /// Stable code (`DP101`).
    pub code: String,
    /// Name (`typosquat`).
    pub name: String,
    /// One-line title.
    pub title: String,
    /// Severity, in words.
    pub severity: String,
    /// What it means.
    pub meaning: String,
    /// Why it matters.
    pub why: String,
    /// How to resolve it.
    pub fix: String,
    /// What to do, in one sentence.
    pub action: String,
}

fn verdict_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["ok", "warn", "block"] })
}

fn optional_verdict_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["ok", "warn", "block"] })
}

fn package(eco: Ecosystem, info: &PackageInfo) -> Package {
    Package {
        ecosystem: eco.id().to_owned(),
        name: info.name.clone(),
        latest_version: (!info.latest_version.is_empty()).then(|| info.latest_version.clone()),
        popularity: popularity_short(info.popularity),
        popular: info.popular,
    }
}

fn signals(findings: &[&Finding]) -> Vec<SignalLine> {
    let mut out: Vec<SignalLine> = Vec::new();
    for f in findings {
        for s in &f.signals {
            if !out
                .iter()
                .any(|o| o.code == s.code.id() && o.message == s.message)
            {
                out.push(SignalLine {
                    code: s.code.id().to_owned(),
                    signal: s.code.name().to_owned(),
                    message: s.message.clone(),
                });
            }
        }
    }
    out
}

/// "exists", "exists but suspicious: why", "does not exist", "unknown: …".
fn finding_answer(registry: &Registry, f: &Finding) -> String {
    let why = f.signals.first().map(|s| s.message.as_str());
    match (&f.presence, f.verdict) {
        (Presence::Found(_), Verdict::Ok) => "exists".to_owned(),
        (Presence::Found(_), Verdict::Warn) => {
            format!("exists but suspicious: {}", why.unwrap_or("see signals"))
        }
        (Presence::Found(_), Verdict::Block) => {
            format!(
                "exists but do not install: {}",
                why.unwrap_or("see signals")
            )
        }
        (Presence::Absent, _) if f.private.is_none() => "does not exist".to_owned(),
        (Presence::Unknown, _) if f.private.is_none() => format!(
            "unknown: not in the {} snapshot, which holds only established packages; it may not exist, or be obscure",
            f.ecosystem.display_name()
        ),
        (Presence::LookupFailed { reason }, _) if f.private.is_none() => {
            format!("unknown: the registry could not be asked ({reason})")
        }
        _ => f.summary(registry),
    }
}

/// The compact answer for a checked name.
pub fn name_answer(registry: &Registry, n: &CheckedName) -> NameAnswer {
    let findings: Vec<&Finding> = n.findings.iter().collect();
    let worst = n.findings.iter().max_by_key(|f| f.verdict);
    let answer = match n.status() {
        NameStatus::Invalid => {
            let reasons: Vec<String> = n
                .results
                .iter()
                .filter_map(|r| match &r.status {
                    Status::Invalid(e) => Some(format!("{}: {}", r.ecosystem.id(), e.reason)),
                    _ => None,
                })
                .collect();
            format!("invalid name: {}", reasons.join("; "))
        }
        NameStatus::DoesNotExist => "does not exist".to_owned(),
        _ => match worst {
            Some(f) => finding_answer(registry, f),
            None => n.status().id().replace('_', " "),
        },
    };
    let found = n
        .results
        .iter()
        .filter_map(|r| match &r.status {
            Status::Found(info) => Some(package(r.ecosystem, info)),
            _ => None,
        })
        .collect();
    // Suggestions of the check, else those the assessment made (a typosquat's target).
    let mut did_you_mean: Vec<Package> = n
        .suggestions
        .iter()
        .map(|(eco, s)| package(*eco, &s.info))
        .collect();
    if did_you_mean.is_empty() {
        for f in &n.findings {
            did_you_mean.extend(f.suggestions.iter().map(|s| package(f.ecosystem, &s.info)));
        }
    }
    NameAnswer {
        name: n.input.clone(),
        answer,
        verdict: n.verdict(),
        found,
        signals: signals(&findings),
        did_you_mean,
        what_to_do: worst
            .filter(|f| f.verdict != Verdict::Ok)
            .and_then(|f| f.advice())
            .map(str::to_owned),
    }
}

/// The compact answer for a scan.
pub fn scan_answer(registry: &Registry, s: &Scanned) -> ScanAnswer {
    let packages: Vec<ScanPackage> = s
        .assessment
        .findings
        .iter()
        .map(|f| ScanPackage {
            ecosystem: f.ecosystem.id().to_owned(),
            name: f.name.clone(),
            answer: finding_answer(registry, f),
            verdict: f.verdict,
            lines: f.references.iter().map(|r| r.location.line).collect(),
            uses: f
                .references
                .iter()
                .map(depproof_report::kind_words)
                .collect(),
            signals: signals(&[f]),
            did_you_mean: f
                .suggestions
                .iter()
                .map(|s| package(f.ecosystem, &s.info))
                .collect(),
            what_to_do: (f.verdict != Verdict::Ok)
                .then(|| f.advice())
                .flatten()
                .map(str::to_owned),
        })
        .collect();
    let mut problems: Vec<String> = s
        .result
        .diagnostics
        .iter()
        .chain(&s.assessment.diagnostics)
        .map(|d| match d.line {
            Some(l) => format!("line {l}: {}", d.message),
            None => d.message.clone(),
        })
        .collect();
    problems.dedup();
    let count = |v: Verdict| packages.iter().filter(|p| p.verdict == v).count();
    let summary = format!(
        "{} packages: {} blocked, {} to look at, {} ok",
        packages.len(),
        count(Verdict::Block),
        count(Verdict::Warn),
        count(Verdict::Ok)
    );
    ScanAnswer {
        packages,
        problems,
        summary,
    }
}

/// Real names near `name` in `ecosystems`, nearest first, then popular.
pub fn suggest(
    registry: &Registry,
    ecosystems: &[Ecosystem],
    name: &str,
    limit: usize,
) -> SuggestAnswer {
    let mut exists_in = Vec::new();
    let mut all: Vec<(Ecosystem, Suggestion)> = Vec::new();
    for &eco in ecosystems {
        let index: &Index = registry.snapshot(eco);
        if eco.validate(name).is_err() {
            continue;
        }
        let key = eco.normalize(name);
        if matches!(index.lookup(&key), depproof_registry::Lookup::Found(_)) {
            exists_in.push(eco.id().to_owned());
        }
        all.extend(index.suggest(&key, limit).into_iter().map(|s| (eco, s)));
    }
    all.sort_by_key(|(_, s)| (s.distance, !s.info.popular));
    all.truncate(limit);
    SuggestAnswer {
        name: name.to_owned(),
        exists_in,
        candidates: all
            .iter()
            .map(|(eco, s)| Candidate {
                package: package(*eco, &s.info),
                distance: s.distance,
            })
            .collect(),
    }
}

/// The documentation of a signal.
pub fn signal_doc(code: Code) -> SignalDoc {
    let d: &Doc = code.doc();
    SignalDoc {
        code: code.id().to_owned(),
        name: code.name().to_owned(),
        title: d.title.to_owned(),
        severity: d.severity.to_owned(),
        meaning: d.meaning.to_owned(),
        why: d.why.to_owned(),
        fix: d.fix.to_owned(),
        action: d.action.to_owned(),
    }
}

/// Every signal code and name, for error messages.
pub fn signal_list() -> String {
    Code::ALL
        .iter()
        .map(|c| format!("{} {}", c.id(), c.name()))
        .collect::<Vec<_>>()
        .join(", ")
}
