//! `study import`: answers produced elsewhere, as JSONL (`prompt`, `answer`, `model`,
//! `language`, optional `id`, `iteration`, `kind`, `prompt_set`) or as a JSON object
//! mapping task ids to lists of answers (model and language given by the caller).

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::config::Language;
use crate::db::{self, NewJob};
use crate::prompts;

/// Defaults for fields a file does not carry.
#[derive(Debug, Clone, Default)]
pub struct ImportDefaults {
    /// Model label.
    pub model: Option<String>,
    /// Language.
    pub language: Option<Language>,
    /// Prompt set label (default: the file's stem).
    pub prompt_set: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    /// Answers read.
    pub read: u64,
    /// Answers new to the database.
    pub imported: u64,
    /// Answers already there (same model, prompt set, id, iteration, kind).
    pub already_present: u64,
}

/// Imports `file` into the study database at `db_path`.
pub fn import(file: &Path, db_path: &Path, defaults: &ImportDefaults) -> Result<ImportSummary> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let set_default = defaults.prompt_set.clone().unwrap_or_else(|| {
        file.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "imported".to_owned())
    });
    let mut records = Vec::new();
    let trimmed = text.trim_start();
    let whole: Option<Value> = if trimmed.starts_with('{') {
        serde_json::from_str(&text).ok()
    } else {
        None
    };
    match whole {
        Some(Value::Object(map)) if !map.contains_key("answer") => {
            let model = defaults.model.clone().with_context(|| {
                format!(
                    "{}: a JSON object of task ids needs --model",
                    file.display()
                )
            })?;
            let language = defaults.language.with_context(|| {
                format!(
                    "{}: a JSON object of task ids needs --language",
                    file.display()
                )
            })?;
            for (task, answers) in map {
                let list = match answers {
                    Value::Array(a) => a,
                    Value::String(s) => vec![Value::String(s)],
                    other => bail!(
                        "{}: task `{task}`: expected a list of answers, found {other}",
                        file.display()
                    ),
                };
                for (i, a) in list.into_iter().enumerate() {
                    let answer = match a {
                        Value::String(s) => Some(s),
                        Value::Null => None,
                        other => bail!(
                            "{}: task `{task}` answer {}: not a string: {other}",
                            file.display(),
                            i + 1
                        ),
                    };
                    records.push(Record {
                        model: model.clone(),
                        language,
                        prompt_set: set_default.clone(),
                        pid: task.clone(),
                        prompt: String::new(),
                        iteration: i as u32 + 1,
                        kind: "code".to_owned(),
                        answer,
                        temperature: None,
                    });
                }
            }
        }
        _ => {
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let at = || format!("{}:{}", file.display(), n + 1);
                let v: Value = serde_json::from_str(line)
                    .with_context(|| format!("{}: not a JSON line", at()))?;
                let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
                let model = field("model")
                    .or_else(|| defaults.model.clone())
                    .with_context(|| format!("{}: no `model` (and no --model)", at()))?;
                let language = match field("language") {
                    Some(l) => Language::parse(&l)
                        .with_context(|| format!("{}: unknown language `{l}`", at()))?,
                    None => defaults
                        .language
                        .with_context(|| format!("{}: no `language` (and no --language)", at()))?,
                };
                let prompt = field("prompt").unwrap_or_default();
                let answer = match v.get("answer") {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Null) => None,
                    None => bail!("{}: no `answer`", at()),
                    Some(other) => bail!("{}: `answer` is not a string: {other}", at()),
                };
                let pid = match v.get("id") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(x)) => x.to_string(),
                    _ => format!("line{}", n + 1),
                };
                let iteration = v.get("iteration").and_then(Value::as_u64).unwrap_or(1) as u32;
                let kind = field("kind").unwrap_or_else(|| "code".to_owned());
                if !matches!(kind.as_str(), "code" | "code_packages" | "prompt_packages") {
                    bail!(
                        "{}: `kind` must be code, code_packages or prompt_packages, not `{kind}`",
                        at()
                    );
                }
                records.push(Record {
                    model,
                    language,
                    prompt_set: field("prompt_set").unwrap_or_else(|| set_default.clone()),
                    pid,
                    prompt,
                    iteration,
                    kind,
                    answer,
                    temperature: v.get("temperature").and_then(Value::as_f64),
                });
            }
        }
    }
    let mut conn = db::open(db_path)?;
    let tx = conn.transaction()?;
    let mut summary = ImportSummary::default();
    for r in &records {
        summary.read += 1;
        let prompt_id = db::prompt_id(&tx, &r.prompt_set, r.language.id(), &r.pid, &r.prompt)?;
        let messages = match r.kind.as_str() {
            "prompt_packages" => prompts::prompt_packages_messages(r.language, &r.prompt),
            _ => prompts::code_messages(r.language, &r.prompt),
        };
        let job = NewJob {
            key: format!("import|{}|{}|{prompt_id}|i{}", r.kind, r.model, r.iteration),
            model: &r.model,
            prompt_id,
            kind: &r.kind,
            parent: None,
            repetition: r.iteration,
            temperature: r.temperature,
            max_tokens: 0,
            messages,
            extra: None,
        };
        let (id, new) = db::plan(&tx, &job)?;
        if new {
            tx.execute("UPDATE jobs SET source = 'import' WHERE id = ?1", [id])?;
            tx.execute(
                "INSERT OR IGNORE INTO answers(job_id, text, received_at) VALUES(?1, ?2, ?3)",
                rusqlite::params![id, r.answer, db::now()],
            )?;
            tx.execute("UPDATE jobs SET status = 'done' WHERE id = ?1", [id])?;
            summary.imported += 1;
        } else {
            summary.already_present += 1;
        }
    }
    tx.commit()?;
    Ok(summary)
}

struct Record {
    model: String,
    language: Language,
    prompt_set: String,
    pid: String,
    prompt: String,
    iteration: u32,
    kind: String,
    answer: Option<String>,
    temperature: Option<f64>,
}
