//! `study analyze`: the paper's rate (invented references / all references, deduplicated
//! within each answer) per model × language × prompt set × heuristic × temperature, and
//! beside it what the paper could not say.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use depproof_assess::Assessor;
use depproof_registry::overlay::HallucinationEntry;
use depproof_registry::{Ecosystem, Lookup};
use rusqlite::Connection;
use serde::Serialize;

use crate::config::{Heuristic, Language};
use crate::db::{self, AnsweredJob};
use crate::extract::{self, NameRef, Status};
use crate::run::heuristics_of;

/// Figures of one model × language × prompt set × heuristic × temperature.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Group {
    /// Model label.
    pub model: String,
    /// Language id.
    pub language: String,
    /// Prompt set.
    pub prompt_set: String,
    /// Heuristic id.
    pub heuristic: String,
    /// Code temperature the answers descend from (`None`: not from generated code, or
    /// unknown).
    pub temperature: Option<f64>,
    /// Answers read.
    pub answers: u64,
    /// Package references (deduplicated within each answer).
    pub references: u64,
    /// References to names that exist (including squatted ones).
    pub existing: u64,
    /// References to names absent from a complete snapshot: invented.
    pub invented: u64,
    /// References to names absent from a partial snapshot (npm): invented or obscure.
    pub unknown: u64,
    /// References to names that exist but look registered to catch an invented name.
    pub squatted: u64,
    /// invented / references (the paper's rate), in percent.
    pub rate: f64,
    /// (invented + unknown) / references: the rate if every unknown name were invented.
    pub rate_with_unknown: f64,
    /// Answers with at least one invented name.
    pub answers_with_invented: u64,
    /// answers_with_invented / answers, in percent.
    pub answer_share: f64,
    /// Distinct invented names.
    pub unique_invented: u64,
    /// The most repeated invented names: (name, answers naming it), at most 10.
    pub top_invented: Vec<(String, u64)>,
}

/// Re-prompting answers that invented names.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Persistence {
    /// Repeats per answer.
    pub repeats: u32,
    /// Invented names re-prompted (one per name per original answer).
    pub names: u64,
    /// `histogram[k]`: names that came back in exactly k repeats.
    pub histogram: Vec<u64>,
    /// Came back in every repeat.
    pub all: u64,
    /// Came back in some but not all.
    pub some: u64,
    /// Never came back.
    pub none: u64,
}

/// Invented names that are real packages of the other registry.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CrossEcosystem {
    /// Distinct names invented for PyPI.
    pub pypi_invented: u64,
    /// Of them, names that exist on npm.
    pub pypi_on_npm: u64,
    /// Distinct names invented for npm.
    pub npm_invented: u64,
    /// Of them, names that exist on PyPI.
    pub npm_on_pypi: u64,
    /// Examples (ecosystem invented for, name), at most 10.
    pub examples: Vec<(Ecosystem, String)>,
}

/// Everything `study analyze` reports.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Analysis {
    /// Answers read (every kind).
    pub answers: u64,
    /// Requests that have no answer yet (given up or never sent).
    pub unanswered: u64,
    /// One entry per model × language × prompt set × heuristic × temperature.
    pub groups: Vec<Group>,
    /// Per model: references, invented references, rate %, distinct invented names.
    pub models: Vec<ModelTotals>,
    /// Over everything.
    pub overall: ModelTotals,
    /// Re-prompting, when the study did it.
    pub persistence: Option<Persistence>,
    /// Invented names real on the other registry.
    pub cross_ecosystem: CrossEcosystem,
    /// Distinct invented names by edit distance to the nearest real name: "1", "2",
    /// ">2" (none within 2; the snapshot suggests distance 2 among popular names only).
    pub distance: BTreeMap<String, u64>,
    /// Distinct names by how many models produced them: (models, invented, existing).
    pub overlap: Vec<(u64, u64, u64)>,
    /// Per model × language × temperature: the rate over every heuristic, when the
    /// study varies the temperature.
    pub temperature: Vec<(String, String, f64, f64)>,
    /// Distinct names absent from a complete snapshot, and absent from a partial one.
    pub invented_names: u64,
    /// Distinct names unknown to a partial snapshot (counted apart from invented).
    pub unknown_names: u64,
    /// Names the models used that exist but look registered after the fact (placeholder,
    /// security holding, research squat, new, known hallucination, known malicious),
    /// with the signal codes: the slopsquatting signal.
    pub squatted_names: Vec<(Ecosystem, String, Vec<String>)>,
    /// Every invented name with the answers naming it, for export.
    pub invented: Vec<(Ecosystem, String, u64)>,
}

/// Totals of one model (or overall).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ModelTotals {
    /// Model label (empty for overall).
    pub model: String,
    /// References.
    pub references: u64,
    /// Invented references.
    pub invented: u64,
    /// invented / references, in percent.
    pub rate: f64,
    /// Distinct invented names.
    pub unique_invented: u64,
    /// Answers (code answers and package lists).
    pub answers: u64,
}

fn pct(n: u64, d: u64) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// The configured heuristics recorded in the database (all four when none are).
fn configured(conn: &Connection) -> Result<Vec<Heuristic>> {
    Ok(match db::meta(conn, "heuristics")? {
        Some(s) if !s.is_empty() => s.split(',').filter_map(Heuristic::parse).collect(),
        _ => Heuristic::ALL.to_vec(),
    })
}

/// The invented names (absent from a complete snapshot) in one answer, under the
/// heuristics that read answers of its kind.
pub fn invented_in(a: &AnsweredJob, configured: &[Heuristic], assessor: &Assessor) -> Vec<NameRef> {
    refs_of(a, &a.kind, configured, assessor)
        .into_iter()
        .filter(|r| r.status.invented())
        .collect()
}

fn refs_of(
    a: &AnsweredJob,
    kind: &str,
    configured: &[Heuristic],
    assessor: &Assessor,
) -> Vec<NameRef> {
    let (Some(text), Some(language)) = (a.answer.as_deref(), Language::parse(&a.language)) else {
        return Vec::new();
    };
    let mut out: Vec<NameRef> = Vec::new();
    for h in heuristics_of(kind, configured) {
        for r in extract::references(text, h, language, assessor) {
            if !out
                .iter()
                .any(|o| o.ecosystem == r.ecosystem && o.name == r.name)
            {
                out.push(r);
            }
        }
    }
    out
}

/// Analyses the study database.
pub fn analyze(conn: &Connection, assessor: &Assessor) -> Result<Analysis> {
    let configured = configured(conn)?;
    let jobs = db::answered(conn)?;
    let by_id: BTreeMap<i64, &AnsweredJob> = jobs.iter().map(|j| (j.id, j)).collect();
    let (_, failed, waiting) = db::job_counts(conn)?;
    let mut analysis = Analysis {
        answers: jobs.len() as u64,
        unanswered: failed + waiting,
        ..Analysis::default()
    };

    type Key = (String, String, String, String, Option<u64>);
    let mut groups: BTreeMap<Key, (Group, BTreeMap<String, u64>)> = BTreeMap::new();
    let mut model_totals: BTreeMap<String, (ModelTotals, BTreeSet<(Ecosystem, String)>)> =
        BTreeMap::new();
    // (eco, name) -> (status, models, references, signal codes)
    type NameFacts = (Status, BTreeSet<String>, u64, Vec<String>);
    let mut names: BTreeMap<(Ecosystem, String), NameFacts> = BTreeMap::new();
    let mut temps: BTreeMap<(String, String, u64), (u64, u64)> = BTreeMap::new();
    let mut refs_by_job: BTreeMap<i64, Vec<NameRef>> = BTreeMap::new();

    for a in &jobs {
        if !matches!(
            a.kind.as_str(),
            "code" | "code_packages" | "prompt_packages"
        ) {
            continue;
        }
        let Some(language) = Language::parse(&a.language) else {
            continue;
        };
        let temperature = match a.kind.as_str() {
            "code" => a.temperature,
            "code_packages" => a
                .parent
                .and_then(|p| by_id.get(&p))
                .and_then(|p| p.temperature),
            _ => None,
        };
        let text = a.answer.as_deref().unwrap_or("");
        let mut job_refs: Vec<NameRef> = Vec::new();
        let mt = &mut model_totals.entry(a.model.clone()).or_insert_with(|| {
            (
                ModelTotals {
                    model: a.model.clone(),
                    ..Default::default()
                },
                BTreeSet::new(),
            )
        });
        mt.0.answers += 1;
        for h in heuristics_of(&a.kind, &configured) {
            let refs = extract::references(text, h, language, assessor);
            let key = (
                a.model.clone(),
                a.language.clone(),
                a.prompt_set.clone(),
                h.id().to_owned(),
                temperature.map(f64::to_bits),
            );
            let (g, counts) = groups.entry(key).or_insert_with(|| {
                (
                    Group {
                        model: a.model.clone(),
                        language: a.language.clone(),
                        prompt_set: a.prompt_set.clone(),
                        heuristic: h.id().to_owned(),
                        temperature,
                        ..Group::default()
                    },
                    BTreeMap::new(),
                )
            });
            g.answers += 1;
            let mut any_invented = false;
            for r in &refs {
                g.references += 1;
                match r.status {
                    Status::Exists => g.existing += 1,
                    Status::Squatted => {
                        g.existing += 1;
                        g.squatted += 1;
                    }
                    Status::Absent => {
                        g.invented += 1;
                        any_invented = true;
                        *counts.entry(r.name.clone()).or_default() += 1;
                    }
                    Status::Unknown => g.unknown += 1,
                }
                let e = names
                    .entry((r.ecosystem, r.name.clone()))
                    .or_insert_with(|| (r.status, BTreeSet::new(), 0, r.signals.clone()));
                e.1.insert(a.model.clone());
                e.2 += 1;
                mt.0.references += 1;
                if r.status.invented() {
                    mt.0.invented += 1;
                    mt.1.insert((r.ecosystem, r.name.clone()));
                }
                if let Some(t) = temperature {
                    let te = temps
                        .entry((a.model.clone(), a.language.clone(), t.to_bits()))
                        .or_default();
                    te.0 += 1;
                    te.1 += u64::from(r.status.invented());
                }
                if !job_refs
                    .iter()
                    .any(|o| o.ecosystem == r.ecosystem && o.name == r.name)
                {
                    job_refs.push(r.clone());
                }
            }
            g.answers_with_invented += u64::from(any_invented);
        }
        refs_by_job.insert(a.id, job_refs);
    }

    for (_, (mut g, counts)) in groups {
        g.rate = pct(g.invented, g.references);
        g.rate_with_unknown = pct(g.invented + g.unknown, g.references);
        g.answer_share = pct(g.answers_with_invented, g.answers);
        g.unique_invented = counts.len() as u64;
        let mut top: Vec<(String, u64)> = counts.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(10);
        g.top_invented = top;
        analysis.groups.push(g);
    }
    let mut overall = ModelTotals::default();
    let mut all_invented: BTreeSet<(Ecosystem, String)> = BTreeSet::new();
    for (_, (mut m, set)) in model_totals {
        m.rate = pct(m.invented, m.references);
        m.unique_invented = set.len() as u64;
        overall.references += m.references;
        overall.invented += m.invented;
        overall.answers += m.answers;
        all_invented.extend(set);
        analysis.models.push(m);
    }
    overall.rate = pct(overall.invented, overall.references);
    overall.unique_invented = all_invented.len() as u64;
    analysis.overall = overall;

    // Per name: cross-ecosystem, distance, overlap, squats.
    let registry = assessor.registry();
    let mut overlap: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for ((eco, name), (status, models, count, signals)) in &names {
        let o = overlap.entry(models.len() as u64).or_default();
        match status {
            Status::Absent => {
                o.0 += 1;
                analysis.invented_names += 1;
                analysis.invented.push((*eco, name.clone(), *count));
                let other = match eco {
                    Ecosystem::PyPI => Ecosystem::Npm,
                    Ecosystem::Npm => Ecosystem::PyPI,
                };
                let on_other = other.validate(name).is_ok()
                    && matches!(
                        registry.snapshot(other).lookup(&other.normalize(name)),
                        Lookup::Found(_)
                    );
                let cx = &mut analysis.cross_ecosystem;
                match eco {
                    Ecosystem::PyPI => {
                        cx.pypi_invented += 1;
                        cx.pypi_on_npm += u64::from(on_other);
                    }
                    Ecosystem::Npm => {
                        cx.npm_invented += 1;
                        cx.npm_on_pypi += u64::from(on_other);
                    }
                }
                if on_other && cx.examples.len() < 10 {
                    cx.examples.push((*eco, name.clone()));
                }
                let nearest = registry
                    .snapshot(*eco)
                    .suggest(name, 1)
                    .first()
                    .map(|s| s.distance);
                let bucket = match nearest {
                    Some(d) if d <= 1 => "1",
                    Some(_) => "2",
                    None => ">2",
                };
                *analysis.distance.entry(bucket.to_owned()).or_default() += 1;
            }
            Status::Unknown => analysis.unknown_names += 1,
            Status::Squatted => {
                o.1 += 1;
                analysis
                    .squatted_names
                    .push((*eco, name.clone(), signals.clone()));
            }
            Status::Exists => o.1 += 1,
        }
    }
    for b in ["1", "2", ">2"] {
        analysis.distance.entry(b.to_owned()).or_default();
    }
    analysis.overlap = overlap.into_iter().map(|(k, (h, v))| (k, h, v)).collect();

    let distinct_temps: BTreeSet<u64> = temps.keys().map(|k| k.2).collect();
    if distinct_temps.len() > 1 {
        analysis.temperature = temps
            .into_iter()
            .map(|((m, l, t), (refs, inv))| (m, l, f64::from_bits(t), pct(inv, refs)))
            .collect();
    }

    // Persistence: each invented name of an answer, against that answer's repeats.
    let mut repeats: BTreeMap<i64, Vec<&AnsweredJob>> = BTreeMap::new();
    for a in jobs.iter().filter(|a| a.kind == "repeat") {
        if let Some(p) = a.parent {
            repeats.entry(p).or_default().push(a);
        }
    }
    if !repeats.is_empty() {
        let n: u32 = db::meta(conn, "persistence")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let n = n.max(repeats.values().map(|r| r.len() as u32).max().unwrap_or(0));
        let mut p = Persistence {
            repeats: n,
            histogram: vec![0; n as usize + 1],
            ..Persistence::default()
        };
        for (parent, reps) in &repeats {
            let Some(parent_job) = by_id.get(parent) else {
                continue;
            };
            let Some(refs) = refs_by_job.get(parent) else {
                continue;
            };
            let rep_refs: Vec<Vec<NameRef>> = reps
                .iter()
                .map(|r| refs_of(r, &parent_job.kind, &configured, assessor))
                .collect();
            for r in refs.iter().filter(|r| r.status.invented()) {
                let back = rep_refs
                    .iter()
                    .filter(|rr| {
                        rr.iter()
                            .any(|x| x.ecosystem == r.ecosystem && x.name == r.name)
                    })
                    .count();
                p.names += 1;
                p.histogram[back.min(n as usize)] += 1;
                if back == 0 {
                    p.none += 1;
                } else if back as u32 >= n {
                    p.all += 1;
                } else {
                    p.some += 1;
                }
            }
        }
        analysis.persistence = Some(p);
    }
    Ok(analysis)
}

/// The invented names as entries for the hallucination overlay.
pub fn overlay_entries(a: &Analysis) -> Vec<HallucinationEntry> {
    a.invented
        .iter()
        .map(|(eco, name, count)| HallucinationEntry {
            ecosystem: *eco,
            name: name.clone(),
            count: *count,
        })
        .collect()
}

/// The analysis as text for a person.
pub fn human(a: &Analysis) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} answers read; {} requests without an answer",
        a.answers, a.unanswered
    );
    let _ = writeln!(
        s,
        "overall: {} of {} package references invented ({:.2}%), {} distinct invented names",
        a.overall.invented, a.overall.references, a.overall.rate, a.overall.unique_invented
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<16} {:<10} {:<12} {:<15} {:>5} {:>7} {:>6} {:>8} {:>7} {:>8} {:>7} {:>6}",
        "model",
        "language",
        "prompts",
        "heuristic",
        "temp",
        "answers",
        "refs",
        "invented",
        "rate%",
        "unknown",
        "ans%",
        "uniq"
    );
    for g in &a.groups {
        let _ = writeln!(
            s,
            "{:<16} {:<10} {:<12} {:<15} {:>5} {:>7} {:>6} {:>8} {:>7.2} {:>8} {:>7.2} {:>6}",
            g.model,
            g.language,
            g.prompt_set,
            g.heuristic,
            g.temperature
                .map(|t| format!("{t}"))
                .unwrap_or_else(|| "-".into()),
            g.answers,
            g.references,
            g.invented,
            g.rate,
            g.unknown,
            g.answer_share,
            g.unique_invented
        );
        if !g.top_invented.is_empty() {
            let top: Vec<String> = g
                .top_invented
                .iter()
                .take(5)
                .map(|(n, c)| format!("{n} ({c})"))
                .collect();
            let _ = writeln!(s, "    most repeated: {}", top.join(", "));
        }
    }
    let _ = writeln!(s);
    let cx = &a.cross_ecosystem;
    let _ = writeln!(
        s,
        "cross-ecosystem: {} of {} invented PyPI names exist on npm ({:.1}%); {} of {} invented npm names exist on PyPI ({:.1}%)",
        cx.pypi_on_npm,
        cx.pypi_invented,
        pct(cx.pypi_on_npm, cx.pypi_invented),
        cx.npm_on_pypi,
        cx.npm_invented,
        pct(cx.npm_on_pypi, cx.npm_invented)
    );
    let d: Vec<String> = a
        .distance
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let _ = writeln!(
        s,
        "distance to the nearest real name (distinct invented names): {}",
        d.join(", ")
    );
    let o: Vec<String> = a
        .overlap
        .iter()
        .map(|(k, h, v)| format!("{k} model(s): {h} invented, {v} real"))
        .collect();
    let _ = writeln!(s, "names by number of models: {}", o.join("; "));
    let _ = writeln!(
        s,
        "distinct names: {} invented (absent from a complete snapshot), {} unknown to a partial snapshot (counted apart)",
        a.invented_names, a.unknown_names
    );
    let _ = writeln!(
        s,
        "names that exist but look registered after the fact: {}",
        a.squatted_names.len()
    );
    for (eco, n, codes) in a.squatted_names.iter().take(20) {
        let _ = writeln!(s, "    {} {n}: {}", eco.id(), codes.join(", "));
    }
    if let Some(p) = &a.persistence {
        let _ = writeln!(
            s,
            "persistence ({} repeats, {} invented names): all {} ({:.1}%), some {} ({:.1}%), none {} ({:.1}%)",
            p.repeats,
            p.names,
            p.all,
            pct(p.all, p.names),
            p.some,
            pct(p.some, p.names),
            p.none,
            pct(p.none, p.names)
        );
    }
    if !a.temperature.is_empty() {
        let _ = writeln!(s, "temperature:");
        for (m, l, t, r) in &a.temperature {
            let _ = writeln!(s, "    {m} {l} {t}: {r:.2}%");
        }
    }
    s
}
