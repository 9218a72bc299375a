//! `study mitigate`: on the answers that invented names, measure how much each
//! mitigation lowers the rate: self-detection (the model judges each name it gave),
//! verifier feedback (depproof's findings sent back, up to K rounds) and grounding
//! (real candidate names in the prompt).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use depproof_assess::Assessor;
use depproof_registry::Ecosystem;
use serde::{Deserialize, Serialize};

use crate::config::{Language, Mitigation, StudyConfig};
use crate::db::{self, AnsweredJob, NewJob};
use crate::extract::{self, NameRef, Status};
use crate::run::{self, ProgressFn, RunSummary, heuristics_of};

/// Before and after one mitigation, for one model and language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MitigationRow {
    /// Model label.
    pub model: String,
    /// Language id.
    pub language: String,
    /// Mitigation id.
    pub mitigation: String,
    /// Answers measured (those that invented a name and got a mitigated answer).
    pub answers: u64,
    /// References in the original answers.
    pub references_before: u64,
    /// Invented references in them.
    pub invented_before: u64,
    /// References after the mitigation.
    pub references_after: u64,
    /// Invented references after it.
    pub invented_after: u64,
    /// Answers whose names changed.
    pub changed: u64,
}

/// A stored request: prompt id, messages, temperature, token limit.
type StoredRequest = (i64, Vec<(String, String)>, Option<f64>, u32);

/// What `study mitigate` measured (also kept in the database for `study report`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MitigationReport {
    /// One row per model × language × mitigation.
    pub rows: Vec<MitigationRow>,
    /// Requests given up after every retry by this run (the next run retries them); the
    /// rows measure only what was answered.
    #[serde(default)]
    pub failed: u64,
}

fn refs(a: &AnsweredJob, kind: &str, assessor: &Assessor) -> Vec<NameRef> {
    let (Some(text), Some(language)) = (a.answer.as_deref(), Language::parse(&a.language)) else {
        return Vec::new();
    };
    let mut out: Vec<NameRef> = Vec::new();
    for h in heuristics_of(kind, &crate::config::Heuristic::ALL) {
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

/// The feedback message of the verifier.
pub fn feedback(invented: &[NameRef], assessor: &Assessor) -> String {
    let mut s = String::from("These packages do not exist:");
    for r in invented {
        let eco = r.ecosystem;
        let sugg: Vec<String> = assessor
            .registry()
            .snapshot(eco)
            .suggest(&r.name, 3)
            .into_iter()
            .map(|s| s.info.name)
            .collect();
        s.push_str(&format!("\n- {} ({})", r.name, eco.display_name()));
        if !sugg.is_empty() {
            s.push_str(&format!(
                ": real packages with a close name are {}",
                sugg.join(", ")
            ));
        }
    }
    s.push_str("\nRewrite your answer using only packages that exist, in the same format.");
    s
}

/// Real candidate names for grounding: words of the prompt that are popular packages,
/// then the registry's suggestions for the names the model invented.
pub fn candidates(
    prompt: &str,
    eco: Ecosystem,
    invented: &[NameRef],
    assessor: &Assessor,
    limit: usize,
) -> Vec<String> {
    let index = assessor.registry().snapshot(eco);
    let mut out: Vec<String> = Vec::new();
    for w in prompt.split(|c: char| {
        !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' || c == '@' || c == '/')
    }) {
        let w = w.trim_matches('.');
        if w.len() < 2 || eco.validate(w).is_err() {
            continue;
        }
        let key = eco.normalize(w).into_owned();
        if let Some(info) = index.get(&key)
            && info.popular
            && !out.contains(&info.name)
        {
            out.push(info.name);
        }
    }
    for r in invented {
        for s in index.suggest(&r.name, 3) {
            if !out.contains(&s.info.name) {
                out.push(s.info.name);
            }
        }
    }
    out.truncate(limit);
    out
}

fn lock(
    c: &Mutex<rusqlite::Connection>,
) -> Result<std::sync::MutexGuard<'_, rusqlite::Connection>> {
    c.lock()
        .map_err(|_| anyhow::anyhow!("database lock poisoned"))
}

/// Plans and sends the mitigation requests, then measures.
pub fn mitigate(
    config: &StudyConfig,
    db_path: &Path,
    assessor: &Assessor,
    progress: ProgressFn,
) -> Result<MitigationReport> {
    let conn = db::open(db_path)?;
    let models = run::models(config)?;
    let model_names: Vec<&str> = config.models.iter().map(|m| m.name.as_str()).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let conn = Arc::new(Mutex::new(conn));
    let mut summary = RunSummary::default();

    // The answers to mitigate: originals with an invented name.
    let targets: Vec<(AnsweredJob, Vec<NameRef>)> = {
        let c = lock(&conn)?;
        let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut out = Vec::new();
        for a in db::answered(&c)? {
            if !model_names.contains(&a.model.as_str())
                || !matches!(
                    a.kind.as_str(),
                    "code" | "code_packages" | "prompt_packages"
                )
            {
                continue;
            }
            let r = refs(&a, &a.kind, assessor);
            if !r.iter().any(|x| x.status.invented()) {
                continue;
            }
            let n = per
                .entry((a.model.clone(), a.language.clone()))
                .or_default();
            if config.mitigate.limit > 0 && *n >= config.mitigate.limit {
                continue;
            }
            *n += 1;
            out.push((a, r));
        }
        out
    };
    let list_t = Some(config.decoding.list_temperature);
    let messages_of = |c: &rusqlite::Connection, id: i64| -> Result<StoredRequest> {
        let (pid, m, t, mt): (i64, String, Option<f64>, u32) = c.query_row(
            "SELECT prompt_id, messages, temperature, max_tokens FROM jobs WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok((pid, run::parse_messages(&m)?, t, mt))
    };

    let methods = &config.mitigate.methods;
    {
        let mut c = lock(&conn)?;
        let tx = c.transaction()?;
        for (a, r) in &targets {
            let Some(language) = Language::parse(&a.language) else {
                continue;
            };
            let (pid, messages, temperature, max_tokens) = messages_of(&tx, a.id)?;
            if methods.contains(&Mitigation::SelfDetection) {
                for x in r {
                    db::plan(
                        &tx,
                        &NewJob {
                            key: format!("self_check|job{}|{}:{}", a.id, x.ecosystem.id(), x.name),
                            model: &a.model,
                            prompt_id: pid,
                            kind: "self_check",
                            parent: Some(a.id),
                            repetition: 1,
                            temperature: list_t,
                            max_tokens: config.decoding.list_max_tokens,
                            messages: crate::prompts::self_check_messages(language, &x.name),
                            extra: Some(
                                serde_json::json!({"ecosystem": x.ecosystem.id(), "name": x.name}),
                            ),
                        },
                    )?;
                }
            }
            if methods.contains(&Mitigation::Grounding) {
                let invented: Vec<NameRef> =
                    r.iter().filter(|x| x.status.invented()).cloned().collect();
                let cands = candidates(
                    &a.prompt,
                    language.ecosystem(),
                    &invented,
                    assessor,
                    config.mitigate.candidates,
                );
                let mut m = messages.clone();
                if let Some(last) = m.iter_mut().rev().find(|(role, _)| role == "user") {
                    last.1.push_str(&format!(
                        "\n\nReal {} packages you may use: {}.",
                        language.ecosystem().display_name(),
                        cands.join(", ")
                    ));
                }
                db::plan(
                    &tx,
                    &NewJob {
                        key: format!("grounding|job{}", a.id),
                        model: &a.model,
                        prompt_id: pid,
                        kind: "grounding",
                        parent: Some(a.id),
                        repetition: 1,
                        temperature,
                        max_tokens,
                        messages: m,
                        extra: Some(serde_json::json!({"candidates": cands})),
                    },
                )?;
            }
        }
        tx.commit()?;
    }
    run::execute_stage(
        &runtime,
        &conn,
        &models,
        config,
        &["self_check", "grounding"],
        &model_names,
        "self-checks and grounding",
        progress,
        &mut summary,
    )?;

    // Verifier feedback, round by round.
    if methods.contains(&Mitigation::Verifier) {
        for round in 1..=config.mitigate.rounds {
            let mut planned = 0;
            {
                let mut c = lock(&conn)?;
                let answered = db::answered(&c)?;
                let by_id: BTreeMap<i64, &AnsweredJob> =
                    answered.iter().map(|j| (j.id, j)).collect();
                let tx = c.transaction()?;
                for (a, r) in &targets {
                    // The latest answer of this chain, and its invented names.
                    let (prev_id, prev_refs) = if round == 1 {
                        (a.id, r.clone())
                    } else {
                        let key = format!("verifier|job{}|{}", a.id, round - 1);
                        let id: Option<i64> = tx
                            .query_row("SELECT id FROM jobs WHERE key = ?1", [&key], |r| r.get(0))
                            .ok();
                        let Some(prev) = id.and_then(|id| by_id.get(&id)) else {
                            continue;
                        };
                        (prev.id, refs(prev, &a.kind, assessor))
                    };
                    let invented: Vec<NameRef> = prev_refs
                        .iter()
                        .filter(|x| x.status.invented())
                        .cloned()
                        .collect();
                    if invented.is_empty() {
                        continue;
                    }
                    let Some(prev) = by_id.get(&prev_id) else {
                        continue;
                    };
                    let (pid, mut m, temperature, max_tokens) = messages_of(&tx, prev_id)?;
                    m.push(("assistant".into(), prev.answer.clone().unwrap_or_default()));
                    m.push(("user".into(), feedback(&invented, assessor)));
                    let (_, new) = db::plan(
                        &tx,
                        &NewJob {
                            key: format!("verifier|job{}|{round}", a.id),
                            model: &a.model,
                            prompt_id: pid,
                            kind: "verifier",
                            parent: Some(a.id),
                            repetition: round,
                            temperature,
                            max_tokens,
                            messages: m,
                            extra: Some(serde_json::json!({"round": round})),
                        },
                    )?;
                    planned += u64::from(new);
                }
                tx.commit()?;
            }
            let _ = planned;
            run::execute_stage(
                &runtime,
                &conn,
                &models,
                config,
                &["verifier"],
                &model_names,
                "verifier rounds",
                progress,
                &mut summary,
            )?;
        }
    }

    let c = lock(&conn)?;
    let report = MitigationReport {
        failed: summary.failed,
        ..measure(&c, &targets, config, assessor)?
    };
    db::set_meta(&c, "mitigation", &serde_json::to_string(&report)?)?;
    Ok(report)
}

/// Before and after, from the answers in the database.
fn measure(
    c: &rusqlite::Connection,
    targets: &[(AnsweredJob, Vec<NameRef>)],
    config: &StudyConfig,
    assessor: &Assessor,
) -> Result<MitigationReport> {
    let answered = db::answered(c)?;
    let mut children: BTreeMap<i64, Vec<&AnsweredJob>> = BTreeMap::new();
    for j in &answered {
        if let Some(p) = j.parent {
            children.entry(p).or_default().push(j);
        }
    }
    let mut rows: BTreeMap<(String, String, String), MitigationRow> = BTreeMap::new();
    let count = |r: &[NameRef]| {
        (
            r.len() as u64,
            r.iter().filter(|x| x.status.invented()).count() as u64,
        )
    };
    for (a, before) in targets {
        let kids = children.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
        let (rb, ib) = count(before);
        let mut add = |m: Mitigation, after: Vec<NameRef>| {
            let (ra, ia) = count(&after);
            let row = rows
                .entry((a.model.clone(), a.language.clone(), m.id().to_owned()))
                .or_insert_with(|| MitigationRow {
                    model: a.model.clone(),
                    language: a.language.clone(),
                    mitigation: m.id().to_owned(),
                    ..Default::default()
                });
            row.answers += 1;
            row.references_before += rb;
            row.invented_before += ib;
            row.references_after += ra;
            row.invented_after += ia;
            let names = |r: &[NameRef]| {
                r.iter()
                    .map(|x| (x.ecosystem, x.name.clone()))
                    .collect::<std::collections::BTreeSet<_>>()
            };
            row.changed += u64::from(names(before) != names(&after));
        };
        if config.mitigate.methods.contains(&Mitigation::SelfDetection) {
            let checks: Vec<&&AnsweredJob> =
                kids.iter().filter(|k| k.kind == "self_check").collect();
            if !checks.is_empty() {
                let rejected = |x: &NameRef| {
                    checks.iter().any(|k| {
                        k.extra.as_ref().is_some_and(|e| {
                            e["name"] == x.name.as_str() && e["ecosystem"] == x.ecosystem.id()
                        }) && says_no(k.answer.as_deref().unwrap_or(""))
                    })
                };
                add(
                    Mitigation::SelfDetection,
                    before.iter().filter(|x| !rejected(x)).cloned().collect(),
                );
            }
        }
        if let Some(g) = kids.iter().find(|k| k.kind == "grounding") {
            add(Mitigation::Grounding, refs(g, &a.kind, assessor));
        }
        if config.mitigate.methods.contains(&Mitigation::Verifier) {
            let last = kids
                .iter()
                .filter(|k| k.kind == "verifier")
                .max_by_key(|k| k.repetition);
            if let Some(v) = last {
                add(Mitigation::Verifier, refs(v, &a.kind, assessor));
            }
        }
    }
    let _ = Status::Exists;
    Ok(MitigationReport {
        rows: rows.into_values().collect(),
        failed: 0,
    })
}

/// Whether a self-check answer rejects the name ("No", "No, it is not…", "False").
pub fn says_no(answer: &str) -> bool {
    let t = answer
        .trim()
        .trim_start_matches(['*', '`', '"', '\''])
        .to_ascii_lowercase();
    t.starts_with("no") && !t.starts_with("not sure")
        || t.starts_with("false")
        || t.starts_with("invalid")
}

/// The mitigation report kept in the database by the last `study mitigate`.
pub fn stored(conn: &rusqlite::Connection) -> Result<Option<MitigationReport>> {
    Ok(match db::meta(conn, "mitigation")? {
        Some(s) => Some(serde_json::from_str(&s).context("stored mitigation report")?),
        None => None,
    })
}
