//! The study database: one SQLite file holding prompts, every request (job) and every
//! answer as it arrives. Jobs have a unique key built from what they ask, so planning a
//! study twice plans nothing new, and a run that was killed resumes with the jobs that
//! have no answer yet.

use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// The schema version written in `meta`.
pub const SCHEMA_VERSION: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS prompts(
    id INTEGER PRIMARY KEY,
    prompt_set TEXT NOT NULL,
    language TEXT NOT NULL,
    pid TEXT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE(prompt_set, language, pid)
);
CREATE TABLE IF NOT EXISTS jobs(
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    model TEXT NOT NULL,
    prompt_id INTEGER NOT NULL REFERENCES prompts(id),
    kind TEXT NOT NULL,
    parent INTEGER REFERENCES jobs(id),
    repetition INTEGER NOT NULL,
    temperature REAL,
    max_tokens INTEGER NOT NULL,
    messages TEXT NOT NULL,
    extra TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    source TEXT NOT NULL DEFAULT 'run'
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
CREATE INDEX IF NOT EXISTS jobs_parent ON jobs(parent);
CREATE TABLE IF NOT EXISTS answers(
    job_id INTEGER PRIMARY KEY REFERENCES jobs(id),
    text TEXT,
    finish_reason TEXT,
    endpoint TEXT,
    latency_ms INTEGER,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    received_at INTEGER NOT NULL
);
";

/// Opens (creating if needed) a study database.
pub fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("cannot open the study database {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // WAL: readers (analyze, a progress check) never block the run, and a killed run
    // keeps every committed answer.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA)
        .with_context(|| format!("{}: not a study database", path.display()))?;
    let version: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match version.as_deref() {
        None => {
            conn.execute(
                "INSERT INTO meta(key, value) VALUES('schema', ?1)",
                [SCHEMA_VERSION],
            )?;
        }
        Some(SCHEMA_VERSION) => {}
        Some(v) => anyhow::bail!(
            "{}: study database schema {v}, this depproof reads {SCHEMA_VERSION}",
            path.display()
        ),
    }
    Ok(conn)
}

/// Opens an existing study database (for analysis): an error if the file is missing.
pub fn open_existing(path: &Path) -> Result<Connection> {
    if !path.exists() {
        anyhow::bail!("{}: no such study database", path.display());
    }
    open(path)
}

/// Sets a `meta` value.
pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// A `meta` value.
pub fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// The id of a prompt, inserting it if new.
pub fn prompt_id(
    conn: &Connection,
    set: &str,
    language: &str,
    pid: &str,
    text: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT OR IGNORE INTO prompts(prompt_set, language, pid, text) VALUES(?1, ?2, ?3, ?4)",
        params![set, language, pid, text],
    )?;
    Ok(conn.query_row(
        "SELECT id FROM prompts WHERE prompt_set = ?1 AND language = ?2 AND pid = ?3",
        params![set, language, pid],
        |r| r.get(0),
    )?)
}

/// A job to plan.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// Unique identity of the request.
    pub key: String,
    /// Model label.
    pub model: &'a str,
    /// The prompt it belongs to.
    pub prompt_id: i64,
    /// What it asks (`code`, `code_packages`, `prompt_packages`, `repeat`, `self_check`,
    /// `verifier`, `grounding`).
    pub kind: &'a str,
    /// The job whose answer it builds on.
    pub parent: Option<i64>,
    /// Repetition number.
    pub repetition: u32,
    /// Sampling temperature (`None`: unknown, for imported answers).
    pub temperature: Option<f64>,
    /// Token limit.
    pub max_tokens: u32,
    /// The chat messages, as `(role, content)`.
    pub messages: Vec<(String, String)>,
    /// Other facts (JSON), e.g. the name a self-check asks about.
    pub extra: Option<serde_json::Value>,
}

/// Messages as stored: `[{"role":…,"content":…}]`.
pub fn messages_json(messages: &[(String, String)]) -> String {
    serde_json::Value::Array(
        messages
            .iter()
            .map(|(r, c)| serde_json::json!({"role": r, "content": c}))
            .collect(),
    )
    .to_string()
}

/// Plans a job; returns its id and whether it is new.
pub fn plan(conn: &Connection, j: &NewJob) -> Result<(i64, bool)> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO jobs(key, model, prompt_id, kind, parent, repetition, temperature, max_tokens, messages, extra)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            j.key,
            j.model,
            j.prompt_id,
            j.kind,
            j.parent,
            j.repetition,
            j.temperature,
            j.max_tokens,
            messages_json(&j.messages),
            j.extra.as_ref().map(|e| e.to_string()),
        ],
    )?;
    let id = conn.query_row("SELECT id FROM jobs WHERE key = ?1", [&j.key], |r| r.get(0))?;
    Ok((id, n > 0))
}

/// An answer as received.
#[derive(Debug, Clone, Default)]
pub struct NewAnswer {
    /// The content (`None`: the model gave none).
    pub text: Option<String>,
    /// `stop`, `length`…
    pub finish_reason: Option<String>,
    /// The endpoint that answered.
    pub endpoint: Option<String>,
    /// Milliseconds from request to answer.
    pub latency_ms: Option<i64>,
    /// Token counts reported by the server.
    pub prompt_tokens: Option<i64>,
    /// Token counts reported by the server.
    pub completion_tokens: Option<i64>,
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Stores an answer and marks its job done, in one transaction. A job that already has
/// an answer keeps it (the first answer is the one analysed).
pub fn store_answer(conn: &mut Connection, job: i64, a: &NewAnswer, attempts: u32) -> Result<bool> {
    let tx = conn.transaction()?;
    let n = tx.execute(
        "INSERT OR IGNORE INTO answers(job_id, text, finish_reason, endpoint, latency_ms, prompt_tokens, completion_tokens, received_at)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            job,
            a.text,
            a.finish_reason,
            a.endpoint,
            a.latency_ms,
            a.prompt_tokens,
            a.completion_tokens,
            now()
        ],
    )?;
    tx.execute(
        "UPDATE jobs SET status = 'done', attempts = attempts + ?2, last_error = NULL WHERE id = ?1",
        params![job, attempts],
    )?;
    tx.commit()?;
    Ok(n > 0)
}

/// Marks a job failed with the last error.
pub fn store_failure(conn: &Connection, job: i64, error: &str, attempts: u32) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET status = 'failed', attempts = attempts + ?2, last_error = ?3 WHERE id = ?1",
        params![job, attempts, error],
    )?;
    Ok(())
}

/// Marks a job sent (the request left; no answer yet).
pub fn mark_sent(conn: &Connection, job: i64) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET status = 'sent' WHERE id = ?1 AND status <> 'done'",
        [job],
    )?;
    Ok(())
}

/// A job still to send.
#[derive(Debug, Clone)]
pub struct PendingJob {
    /// Its id.
    pub id: i64,
    /// Model label.
    pub model: String,
    /// Chat messages (stored JSON).
    pub messages: String,
    /// Temperature.
    pub temperature: f64,
    /// Token limit.
    pub max_tokens: u32,
}

/// Jobs of `kinds` without an answer, in id order (models not in `models` are left).
pub fn pending(conn: &Connection, kinds: &[&str], models: &[&str]) -> Result<Vec<PendingJob>> {
    let mut stmt = conn.prepare(
        "SELECT j.id, j.model, j.messages, j.temperature, j.max_tokens, j.kind FROM jobs j
         LEFT JOIN answers a ON a.job_id = j.id
         WHERE a.job_id IS NULL AND j.source = 'run' ORDER BY j.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            PendingJob {
                id: r.get(0)?,
                model: r.get(1)?,
                messages: r.get(2)?,
                temperature: r.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
                max_tokens: r.get(4)?,
            },
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (job, kind) = row?;
        if kinds.contains(&kind.as_str()) && models.contains(&job.model.as_str()) {
            out.push(job);
        }
    }
    Ok(out)
}

/// One answered job, with what the analysis needs.
#[derive(Debug, Clone)]
pub struct AnsweredJob {
    /// Job id.
    pub id: i64,
    /// Model label.
    pub model: String,
    /// Prompt set.
    pub prompt_set: String,
    /// Language id.
    pub language: String,
    /// Prompt id within the set.
    pub pid: String,
    /// Prompt text.
    pub prompt: String,
    /// Job kind.
    pub kind: String,
    /// Parent job.
    pub parent: Option<i64>,
    /// Repetition.
    pub repetition: u32,
    /// Temperature (`None`: unknown).
    pub temperature: Option<f64>,
    /// Extra facts.
    pub extra: Option<serde_json::Value>,
    /// The answer (`None`: empty).
    pub answer: Option<String>,
}

/// Every answered job, in id order.
pub fn answered(conn: &Connection) -> Result<Vec<AnsweredJob>> {
    let mut stmt = conn.prepare(
        "SELECT j.id, j.model, p.prompt_set, p.language, p.pid, p.text, j.kind, j.parent, j.repetition, j.temperature, j.extra, a.text
         FROM jobs j JOIN answers a ON a.job_id = j.id JOIN prompts p ON p.id = j.prompt_id
         ORDER BY j.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let extra: Option<String> = r.get(10)?;
        Ok(AnsweredJob {
            id: r.get(0)?,
            model: r.get(1)?,
            prompt_set: r.get(2)?,
            language: r.get(3)?,
            pid: r.get(4)?,
            prompt: r.get(5)?,
            kind: r.get(6)?,
            parent: r.get(7)?,
            repetition: r.get(8)?,
            temperature: r.get(9)?,
            extra: extra.and_then(|e| serde_json::from_str(&e).ok()),
            answer: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Counts of jobs by status: (done, failed, waiting).
pub fn job_counts(conn: &Connection) -> Result<(u64, u64, u64)> {
    let mut done = 0;
    let mut failed = 0;
    let mut waiting = 0;
    let mut stmt = conn.prepare("SELECT status, COUNT(*) FROM jobs GROUP BY status")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (s, n) = row?;
        match s.as_str() {
            "done" => done += n as u64,
            "failed" => failed += n as u64,
            _ => waiting += n as u64,
        }
    }
    Ok((done, failed, waiting))
}
