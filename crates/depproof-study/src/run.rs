//! `study run`: plans every request of a study in the database, then sends those without
//! an answer to the models' endpoints, with bounded concurrency, a rate limit per
//! endpoint, retries and timeouts, storing each answer as it arrives.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use depproof_assess::Assessor;
use rusqlite::Connection;
use serde_json::Value;

use crate::client;
use crate::config::{Heuristic, Language, StudyConfig};
use crate::db::{self, NewAnswer, NewJob, PendingJob};

use crate::prompts;

/// Where a run stands, for a progress bar.
#[derive(Debug, Clone)]
pub struct Progress {
    /// `answers`, `package lists`, `repeats`, `self-checks`…
    pub stage: &'static str,
    /// Requests of this stage answered or given up.
    pub done: u64,
    /// Requests of this stage.
    pub total: u64,
    /// Requests given up after every retry.
    pub failed: u64,
}

/// A progress callback.
pub type ProgressFn<'a> = &'a (dyn Fn(&Progress) + Send + Sync);

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunSummary {
    /// Requests planned by this run (new in the database).
    pub planned: u64,
    /// Answers received by this run.
    pub answered: u64,
    /// Requests given up after every retry (they are retried by the next run).
    pub failed: u64,
    /// Requests already answered by an earlier run, not sent again.
    pub already_answered: u64,
}

/// One model as the run talks to it.
pub(crate) struct ModelRt {
    api_model: String,
    endpoints: Vec<String>,
    key: Option<String>,
    next: AtomicUsize,
    limiters: Vec<Limiter>,
}

/// Spaces request starts on one endpoint.
struct Limiter {
    interval: Option<Duration>,
    next: tokio::sync::Mutex<Instant>,
}

impl Limiter {
    async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + interval;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

/// The models of a study, with their keys read from the environment.
pub(crate) fn models(config: &StudyConfig) -> Result<HashMap<String, Arc<ModelRt>>> {
    let mut out = HashMap::new();
    for m in &config.models {
        let key = match &m.api_key_env {
            Some(var) => Some(std::env::var(var).map_err(|_| {
                anyhow::anyhow!(
                    "model `{}`: the environment variable {var} (its api_key_env) is not set",
                    m.name
                )
            })?),
            None => None,
        };
        let interval = m
            .requests_per_minute
            .map(|r| Duration::from_secs_f64(60.0 / f64::from(r)));
        out.insert(
            m.name.clone(),
            Arc::new(ModelRt {
                api_model: m.api_model().to_owned(),
                endpoints: m.endpoints.clone(),
                key,
                next: AtomicUsize::new(0),
                limiters: m
                    .endpoints
                    .iter()
                    .map(|_| Limiter {
                        interval,
                        next: tokio::sync::Mutex::new(Instant::now()),
                    })
                    .collect(),
            }),
        );
    }
    Ok(out)
}

fn temp_key(t: f64) -> String {
    format!("{t:.4}")
}

/// Runs a study: plans, then sends what has no answer yet.
pub fn run(
    config: &StudyConfig,
    db_path: &Path,
    assessor: &Assessor,
    progress: ProgressFn,
) -> Result<RunSummary> {
    let mut conn = db::open(db_path)?;
    let rt_models = models(config)?;
    record_settings(&conn, config)?;
    let model_names: Vec<&str> = config.models.iter().map(|m| m.name.as_str()).collect();
    let mut summary = RunSummary::default();

    // Stage 1: code, and package lists for the prompt (heuristic 3).
    let tx = conn.transaction()?;
    for set in &config.prompt_sets {
        let list = prompts::load(&config.prompt_path(set), set.limit)?;
        for p in &list {
            let pid = db::prompt_id(&tx, &set.name, set.language.id(), &p.pid, &p.text)?;
            for m in &config.models {
                for rep in 1..=config.repetitions {
                    if config.needs_code() {
                        for t in config.decoding.code_temperatures() {
                            let job = NewJob {
                                key: format!("code|{}|{pid}|r{rep}|t{}", m.name, temp_key(t)),
                                model: &m.name,
                                prompt_id: pid,
                                kind: "code",
                                parent: None,
                                repetition: rep,
                                temperature: Some(t),
                                max_tokens: config.decoding.code_max_tokens,
                                messages: prompts::code_messages(set.language, &p.text),
                                extra: None,
                            };
                            summary.planned += u64::from(db::plan(&tx, &job)?.1);
                        }
                    }
                    if config.heuristics.contains(&Heuristic::PromptPackages) {
                        let job = NewJob {
                            key: format!("prompt_packages|{}|{pid}|r{rep}", m.name),
                            model: &m.name,
                            prompt_id: pid,
                            kind: "prompt_packages",
                            parent: None,
                            repetition: rep,
                            temperature: Some(config.decoding.list_temperature),
                            max_tokens: config.decoding.list_max_tokens,
                            messages: prompts::prompt_packages_messages(set.language, &p.text),
                            extra: None,
                        };
                        summary.planned += u64::from(db::plan(&tx, &job)?.1);
                    }
                }
            }
        }
    }
    tx.commit()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let conn = Arc::new(Mutex::new(conn));
    execute_stage(
        &runtime,
        &conn,
        &rt_models,
        config,
        &["code", "prompt_packages"],
        &model_names,
        "answers",
        progress,
        &mut summary,
    )?;

    // Stage 2: the packages the model's own code needs (heuristic 2).
    if config.heuristics.contains(&Heuristic::CodePackages) {
        let mut c = conn
            .lock()
            .map_err(|_| anyhow::anyhow!("database lock poisoned"))?;
        let answered = db::answered(&c)?;
        let tx = c.transaction()?;
        for a in answered
            .iter()
            .filter(|a| a.kind == "code" && model_names.contains(&a.model.as_str()))
        {
            let (Some(code), Some(language)) = (a.answer.as_deref(), Language::parse(&a.language))
            else {
                continue;
            };
            if code.trim().is_empty() {
                continue;
            }
            let prompt_id: i64 =
                tx.query_row("SELECT prompt_id FROM jobs WHERE id = ?1", [a.id], |r| {
                    r.get(0)
                })?;
            let job = NewJob {
                key: format!("code_packages|job{}", a.id),
                model: &a.model,
                prompt_id,
                kind: "code_packages",
                parent: Some(a.id),
                repetition: a.repetition,
                temperature: Some(config.decoding.list_temperature),
                max_tokens: config.decoding.list_max_tokens,
                messages: prompts::code_packages_messages(language, code),
                extra: None,
            };
            summary.planned += u64::from(db::plan(&tx, &job)?.1);
        }
        tx.commit()?;
        drop(c);
        execute_stage(
            &runtime,
            &conn,
            &rt_models,
            config,
            &["code_packages"],
            &model_names,
            "package lists",
            progress,
            &mut summary,
        )?;
    }

    // Stage 3: persistence, the same request again for answers that invented a name.
    if config.persistence > 0 {
        let mut c = conn
            .lock()
            .map_err(|_| anyhow::anyhow!("database lock poisoned"))?;
        let answered = db::answered(&c)?;
        let tx = c.transaction()?;
        for a in answered
            .iter()
            .filter(|a| model_names.contains(&a.model.as_str()))
        {
            if !matches!(
                a.kind.as_str(),
                "code" | "code_packages" | "prompt_packages"
            ) {
                continue;
            }
            let invented = crate::analyze::invented_in(a, &config.heuristics, assessor);
            if invented.is_empty() {
                continue;
            }
            let (prompt_id, messages, temperature, max_tokens): (i64, String, Option<f64>, u32) =
                tx.query_row(
                    "SELECT prompt_id, messages, temperature, max_tokens FROM jobs WHERE id = ?1",
                    [a.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
            let messages = parse_messages(&messages)?;
            for i in 1..=config.persistence {
                let job = NewJob {
                    key: format!("repeat|job{}|{i}", a.id),
                    model: &a.model,
                    prompt_id,
                    kind: "repeat",
                    parent: Some(a.id),
                    repetition: i,
                    temperature,
                    max_tokens,
                    messages: messages.clone(),
                    extra: None,
                };
                summary.planned += u64::from(db::plan(&tx, &job)?.1);
            }
        }
        tx.commit()?;
        drop(c);
        execute_stage(
            &runtime,
            &conn,
            &rt_models,
            config,
            &["repeat"],
            &model_names,
            "repeats",
            progress,
            &mut summary,
        )?;
    }
    Ok(summary)
}

/// Writes what the analysis needs to know of the study's design.
fn record_settings(conn: &Connection, config: &StudyConfig) -> Result<()> {
    let heuristics: Vec<&str> = config.heuristics.iter().map(|h| h.id()).collect();
    db::set_meta(conn, "heuristics", &heuristics.join(","))?;
    db::set_meta(conn, "persistence", &config.persistence.to_string())?;
    Ok(())
}

/// Stored messages back to `(role, content)` pairs.
pub(crate) fn parse_messages(s: &str) -> Result<Vec<(String, String)>> {
    let v: Value = serde_json::from_str(s).context("stored messages are not JSON")?;
    let Some(arr) = v.as_array() else {
        bail!("stored messages are not a list")
    };
    Ok(arr
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap_or("user").to_owned(),
                m["content"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect())
}

/// Sends every pending job of `kinds` and stores the answers.
#[allow(clippy::too_many_arguments)]
pub(crate) fn execute_stage(
    runtime: &tokio::runtime::Runtime,
    conn: &Arc<Mutex<Connection>>,
    models: &HashMap<String, Arc<ModelRt>>,
    config: &StudyConfig,
    kinds: &[&str],
    model_names: &[&str],
    stage: &'static str,
    progress: ProgressFn,
    summary: &mut RunSummary,
) -> Result<()> {
    let (jobs, already) = {
        let c = conn
            .lock()
            .map_err(|_| anyhow::anyhow!("database lock poisoned"))?;
        let jobs = db::pending(&c, kinds, model_names)?;
        let placeholders = kinds
            .iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(",");
        let already: i64 = c.query_row(
            &format!("SELECT COUNT(*) FROM jobs j JOIN answers a ON a.job_id = j.id WHERE j.kind IN ({placeholders})"),
            [],
            |r| r.get(0),
        )?;
        (jobs, already as u64)
    };
    summary.already_answered += already;
    let total = jobs.len() as u64;
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    progress(&Progress {
        stage,
        done: 0,
        total,
        failed: 0,
    });
    if jobs.is_empty() {
        return Ok(());
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(config.timeout_secs))
        .build()
        .context("cannot build the HTTP client")?;
    let result: Result<()> = runtime.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(config.concurrency));
        let mut set = tokio::task::JoinSet::new();
        for job in jobs {
            let permit = Arc::clone(&sem).acquire_owned().await?;
            let Some(model) = models.get(&job.model).cloned() else {
                continue;
            };
            let http = http.clone();
            let conn = Arc::clone(conn);
            let done_c = Arc::clone(&done);
            let failed_c = Arc::clone(&failed);
            let top_p = config.decoding.top_p;
            let top_k = config.decoding.top_k;
            let retries = config.max_retries;
            set.spawn(async move {
                let r = one_job(&http, &conn, &model, &job, top_p, top_k, retries).await;
                drop(permit);
                match r {
                    Ok(true) => {}
                    Ok(false) => {
                        failed_c.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => return Err(e),
                }
                done_c.fetch_add(1, Ordering::Relaxed);
                Ok(())
            });
            // Report finished tasks as they come, without waiting for the others.
            while let Some(r) = set.try_join_next() {
                r??;
                progress(&Progress {
                    stage,
                    done: done.load(Ordering::Relaxed),
                    total,
                    failed: failed.load(Ordering::Relaxed),
                });
            }
        }
        while let Some(r) = set.join_next().await {
            r??;
            progress(&Progress {
                stage,
                done: done.load(Ordering::Relaxed),
                total,
                failed: failed.load(Ordering::Relaxed),
            });
        }
        Ok(())
    });
    result?;
    let f = failed.load(Ordering::Relaxed);
    summary.failed += f;
    summary.answered += done.load(Ordering::Relaxed) - f;
    Ok(())
}

/// Sends one job with retries; stores the answer or the failure. `Ok(false)`: given up.
async fn one_job(
    http: &reqwest::Client,
    conn: &Arc<Mutex<Connection>>,
    model: &ModelRt,
    job: &PendingJob,
    top_p: f64,
    top_k: u32,
    retries: u32,
) -> Result<bool> {
    let messages: Value =
        serde_json::from_str(&job.messages).context("stored messages are not JSON")?;
    let body = client::body(
        &model.api_model,
        &messages,
        job.temperature,
        top_p,
        top_k,
        job.max_tokens,
    );
    {
        let c = conn
            .lock()
            .map_err(|_| anyhow::anyhow!("database lock poisoned"))?;
        db::mark_sent(&c, job.id)?;
    }
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let i = model.next.fetch_add(1, Ordering::Relaxed) % model.endpoints.len();
        let endpoint = &model.endpoints[i];
        model.limiters[i].wait().await;
        match client::send(http, endpoint, model.key.as_deref(), &body).await {
            Ok(reply) => {
                let answer = NewAnswer {
                    text: reply.content,
                    finish_reason: reply.finish_reason,
                    endpoint: Some(endpoint.clone()),
                    latency_ms: Some(reply.latency_ms),
                    prompt_tokens: reply.prompt_tokens,
                    completion_tokens: reply.completion_tokens,
                };
                let mut c = conn
                    .lock()
                    .map_err(|_| anyhow::anyhow!("database lock poisoned"))?;
                db::store_answer(&mut c, job.id, &answer, attempts)?;
                return Ok(true);
            }
            Err(f) => {
                if !f.retryable || attempts > retries {
                    let c = conn
                        .lock()
                        .map_err(|_| anyhow::anyhow!("database lock poisoned"))?;
                    db::store_failure(&c, job.id, &f.message, attempts)?;
                    return Ok(false);
                }
                tokio::time::sleep(client::backoff(attempts, f.retry_after)).await;
            }
        }
    }
}

/// Which heuristics read the answers of a job kind.
pub fn heuristics_of(kind: &str, configured: &[Heuristic]) -> Vec<Heuristic> {
    let of: &[Heuristic] = match kind {
        "code" => &[Heuristic::Install, Heuristic::Imports],
        "code_packages" => &[Heuristic::CodePackages],
        "prompt_packages" => &[Heuristic::PromptPackages],
        _ => &[],
    };
    of.iter()
        .copied()
        .filter(|h| configured.contains(h))
        .collect()
}
