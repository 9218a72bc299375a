//! `depproof study`: run against an OpenAI-compatible server started here (recorded
//! answers, with 429s, 500s, malformed and slow answers), kill and resume, import, analyze,
//! mitigate and report, the report rendered by headless Chromium.
//!
//! `scripts/test.sh` installs Chromium and sets `DEPPROOF_CHROMIUM`. Without it the
//! report test fails, unless `DEPPROOF_SKIP_ORACLES=1`.

mod study_support;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use study_support::Fake;
use support::{fresh_dir, stderr, stdout};

const KEY_VAR: &str = "DEPPROOF_STUDY_TEST_KEY";
const SECRET: &str = "sk-test-Zq8dQ2-never-on-disk";

fn depproof(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_depproof"));
    c.env("DEPPROOF_DATA_DIR", dir.join("data"))
        .env(KEY_VAR, SECRET)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    depproof(dir, args).output().unwrap()
}

fn write_prompts(dir: &Path, fixtures: &[Value]) {
    let prompts: Vec<&str> = fixtures
        .iter()
        .map(|f| f["prompt"].as_str().unwrap())
        .collect();
    let py: Vec<&str> = prompts
        .iter()
        .copied()
        .filter(|p| p.contains("Python"))
        .collect();
    let js: Vec<&str> = prompts
        .iter()
        .copied()
        .filter(|p| p.contains("Javascript"))
        .collect();
    // As in the paper's files: one JSON string a line, and one line holding two numbered
    // prompts.
    let mut lines: Vec<String> = py[..py.len() - 2]
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect();
    lines.push(
        serde_json::to_string(&format!(
            "{}\"\n2. \"{}",
            py[py.len() - 2],
            py[py.len() - 1]
        ))
        .unwrap(),
    );
    std::fs::write(dir.join("python.jsonl"), lines.join("\n") + "\n").unwrap();
    let js: Vec<String> = js
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect();
    std::fs::write(dir.join("javascript.jsonl"), js.join("\n") + "\n").unwrap();
}

fn write_config(dir: &Path, fake: &Fake, extra: &str) -> PathBuf {
    let path = dir.join("study.toml");
    std::fs::write(
        &path,
        format!(
            r#"repetitions = 1
persistence = 3
concurrency = 4
timeout_secs = 2
max_retries = 2
{extra}

[[model]]
name = "fake-coder"
model = "fake/coder-7b"
endpoints = ["{base}", "{base}/"]
api_key_env = "{KEY_VAR}"

[[prompts]]
name = "LLM_AT"
language = "python"
file = "python.jsonl"

[[prompts]]
name = "LLM_AT"
language = "javascript"
file = "javascript.jsonl"

[mitigate]
rounds = 2
candidates = 5
"#,
            base = fake.base()
        ),
    )
    .unwrap();
    path
}

fn db_rows(db: &Path, sql: &str) -> Vec<Vec<Value>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(x) => Value::from(x),
                rusqlite::types::ValueRef::Real(x) => Value::from(x),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::from(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Blob(_) => Value::Null,
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn count(db: &Path, sql: &str) -> i64 {
    db_rows(db, sql)[0][0].as_i64().unwrap()
}

/// No file of the study directory holds the API key.
fn assert_no_secret(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "{} holds the API key",
                p.display()
            );
        }
    }
}

#[test]
fn run_resume_analyze_mitigate_report() {
    let dir = fresh_dir("study-e2e");
    let fixtures = study_support::fixtures();
    let fake = Fake::start(fixtures.clone(), Duration::ZERO);
    write_prompts(&dir, &fixtures);
    write_config(&dir, &fake, "");
    let db = dir.join("study.db");
    let db_s = db.to_str().unwrap();

    // First run: the plotting prompt fails 4 times, more than max_retries allows.
    let o = run(&dir, &["study", "run", "study.toml", "--db", db_s]);
    assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("1 given up"), "{}", stdout(&o));
    let failed = db_rows(
        &db,
        "SELECT j.kind, p.text, j.last_error, j.attempts FROM jobs j JOIN prompts p ON p.id = j.prompt_id WHERE j.status = 'failed'",
    );
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0][0], "code");
    assert!(failed[0][1].as_str().unwrap().contains("histogram"));
    assert!(
        failed[0][2].as_str().unwrap().contains("HTTP 500"),
        "{failed:?}"
    );
    assert_eq!(failed[0][3], 3, "1 try and 2 retries");

    assert!(!stdout(&o).contains(SECRET) && !stderr(&o).contains(SECRET));
    // The 8 prompts (one line held two) were all loaded.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM prompts"), 8);
    // Retried until answered: 429 with Retry-After, two 500s, a malformed body, a slow answer.
    let log = fake.log();
    // The faults met by each code request before its answer, in arrival order.
    let faults_before_answer = |needle: &str| {
        log.iter()
            .filter(|l| {
                l.body["messages"].as_array().unwrap().len() == 1 && l.text().contains(needle)
            })
            .map_while(|l| l.fault.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(faults_before_answer("cleans a CSV"), ["429"]);
    assert_eq!(faults_before_answer("sends an email"), ["500", "500"]);
    assert_eq!(faults_before_answer("Flask route"), ["malformed"]);
    assert_eq!(faults_before_answer("explains what a closure"), ["slow"]);
    assert_eq!(
        faults_before_answer("plots a histogram"),
        ["500", "500", "500"]
    );
    // The null content is stored as no answer, not as text.
    let null = db_rows(
        &db,
        "SELECT a.text, a.finish_reason FROM answers a JOIN jobs j ON j.id = a.job_id JOIN prompts p ON p.id = j.prompt_id WHERE j.kind = 'code' AND p.text LIKE '%current date%'",
    );
    assert_eq!(null, vec![vec![Value::Null, Value::from("length")]]);
    // The paper's decoding settings and prompts were sent, with the key, to both endpoints.
    for l in &log {
        assert_eq!(l.auth.as_deref(), Some(format!("Bearer {SECRET}").as_str()));
        assert_eq!(l.body["model"], "fake/coder-7b");
        assert_eq!(l.body["top_p"], 0.9);
        assert_eq!(l.body["top_k"], 20);
    }
    let code_req = log.iter().find(|l| l.body["max_tokens"] == 2048).unwrap();
    assert_eq!(code_req.body["temperature"], 0.7);
    assert!(code_req.text().starts_with(
        "You are a coding assistant that generates Python code. Provide only the Python code"
    ));
    let list_req = log.iter().find(|l| l.body["max_tokens"] == 64).unwrap();
    assert_eq!(list_req.body["temperature"], 0.01);
    let answered_first: Vec<String> = log
        .iter()
        .filter(|l| l.status == 200 && l.content.is_some())
        .map(|l| l.body.to_string())
        .collect();
    // Every request done has exactly one answer.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM answers"),
        count(&db, "SELECT COUNT(*) FROM jobs WHERE status = 'done'")
    );
    // Requests were spread over both endpoints of the model.
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT endpoint) FROM answers"),
        2
    );
    // Heuristic 2 asked about the model's own code; persistence repeated the answers with
    // invented names 3 times.
    assert!(
        count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'code_packages'"
        ) >= 6
    );
    let repeats = count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'repeat'");
    assert!(repeats > 0 && repeats % 3 == 0, "{repeats}");

    // Second run: only the failed request and what depends on it are sent.
    let before = fake.log().len();
    let o = run(&dir, &["study", "run", "study.toml", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let second: Vec<_> = fake.log()[before..].to_vec();
    assert!(!second.is_empty());
    for l in &second {
        assert!(
            !answered_first.contains(&l.body.to_string()),
            "asked again: {}",
            l.text()
        );
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM jobs WHERE status <> 'done'"),
        0
    );
    // Third run: nothing left to ask.
    let before = fake.log().len();
    let o = run(&dir, &["study", "run", "study.toml", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with("planned 0 new requests; 0 answers received"),
        "{}",
        stdout(&o)
    );
    assert_eq!(fake.log().len(), before);

    // Without the key's variable the run stops before sending anything, naming it.
    let before = fake.log().len();
    let o = depproof(&dir, &["study", "run", "study.toml", "--db", db_s])
        .env_remove(KEY_VAR)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(KEY_VAR), "{}", stderr(&o));
    assert_eq!(fake.log().len(), before);

    // Analysis.
    let o = run(
        &dir,
        &["study", "analyze", "--db", db_s, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a: Value = serde_json::from_slice(&o.stdout).unwrap();
    let invented: Vec<&str> = a["invented"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[1].as_str().unwrap())
        .collect();
    for n in [
        "pyhttpx-client",
        "dataframe-sanitizer",
        "flask-easy-auth-pro",
        "huggingface-cli",
        "express-session",
        "nodemailer",
    ] {
        assert!(invented.contains(&n), "{n} not in {invented:?}");
    }
    for n in [
        "requests",
        "beautifulsoup4",
        "pandas",
        "express-validatorx",
        "smtplib",
        "fs",
    ] {
        assert!(!invented.contains(&n), "{n} counted as invented");
    }
    // npm's snapshot is partial: names absent from it are unknown, counted apart.
    assert!(
        a["unknown_names"].as_u64().unwrap() >= 2,
        "{}",
        a["unknown_names"]
    );
    // Python answers naming npm packages.
    assert_eq!(
        a["cross_ecosystem"]["pypi_on_npm"], 2,
        "{}",
        a["cross_ecosystem"]
    );
    let p = &a["persistence"];
    assert_eq!(p["repeats"], 3);
    // dataframe-sanitizer in the numbered list came back in 1 of 3 repeats (the fake
    // answers "pandas, dataframe-sanitizer" then "pandas"); the others in all 3.
    assert!(p["some"].as_u64().unwrap() >= 1, "{p}");
    assert!(p["all"].as_u64().unwrap() >= 1, "{p}");
    let groups = a["groups"].as_array().unwrap();
    let install = groups
        .iter()
        .find(|g| g["heuristic"] == "install" && g["language"] == "python")
        .unwrap();
    // Install commands in Python answers: requests, beautifulsoup4, pyhttpx-client (1),
    // flask, flask-easy-auth-pro (4): 5 references, 2 invented.
    assert_eq!(
        (install["references"].as_u64(), install["invented"].as_u64()),
        (Some(5), Some(2)),
        "{install}"
    );
    let o = run(&dir, &["study", "analyze", "--db", db_s]);
    assert!(stdout(&o).contains("overall:"), "{}", stdout(&o));

    // Mitigations. First with the model unreachable: every request is given up, the run
    // says so and exits 1; the next run sends them again.
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = std::fs::read_to_string(dir.join("study.toml")).unwrap();
    std::fs::write(
        dir.join("study-dead.toml"),
        config.replace(&fake.base(), &format!("http://127.0.0.1:{dead_port}")),
    )
    .unwrap();
    let o = run(
        &dir,
        &["study", "mitigate", "study-dead.toml", "--db", db_s],
    );
    assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("requests were given up after every retry"),
        "{}",
        stderr(&o)
    );
    let o = run(&dir, &["study", "mitigate", "study.toml", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let rows = db_rows(&db, "SELECT value FROM meta WHERE key = 'mitigation'");
    let m: Value = serde_json::from_str(rows[0][0].as_str().unwrap()).unwrap();
    let row = |lang: &str, mit: &str| {
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["language"] == lang && r["mitigation"] == mit)
            .cloned()
            .unwrap()
    };
    let sd = row("python", "self_detection");
    assert!(
        sd["invented_after"].as_u64() < sd["invented_before"].as_u64(),
        "{sd}"
    );
    let v = row("python", "verifier");
    assert!(
        v["invented_after"].as_u64() < v["invented_before"].as_u64(),
        "{v}"
    );
    assert!(v["changed"].as_u64().unwrap() >= 1);
    let g = row("python", "grounding");
    assert!(g["answers"].as_u64().unwrap() >= 1);
    // The verifier named the invented names and real suggestions.
    let feedback: Vec<String> = fake
        .log()
        .into_iter()
        .map(|l| l.text())
        .filter(|t| t.contains("These packages do not exist"))
        .collect();
    assert!(
        feedback
            .iter()
            .any(|t| t.contains("- pyhttpx-client (PyPI)")),
        "{feedback:#?}"
    );
    assert!(stdout(&o).contains("verifier"));

    // Report.
    let out = dir.join("report");
    let o = run(
        &dir,
        &[
            "study",
            "report",
            "--db",
            db_s,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("| invented (rate, all references) | 19.7% |"),
        "{md}"
    );
    assert!(md.contains("GPT 4 Turbo (paper)"));
    assert!(md.contains("fake-coder (this study)"));
    assert!(md.contains("## Mitigations"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        4,
        "rate, persistence, distance, overlap"
    );
    check_in_chromium(&out.join("report.html"));

    // Invented names go to the hallucination overlay.
    let o = run(
        &dir,
        &["study", "analyze", "--db", db_s, "--export-overlay"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        &dir,
        &["check", "pyhttpx-client", "-e", "pypi", "--format", "json"],
    );
    assert!(stdout(&o).contains("DP302"), "{}", stdout(&o));

    // The key is in no file and no output.
    assert_no_secret(&dir);
    assert_no_secret(&out);
    drop(fake);
}

fn chromium() -> Option<PathBuf> {
    match std::env::var_os("DEPPROOF_CHROMIUM") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            assert!(
                std::env::var_os("DEPPROOF_SKIP_ORACLES").is_some_and(|v| v == "1"),
                "this test renders the report in headless Chromium: run scripts/test.sh (it installs \
                 Chromium and sets DEPPROOF_CHROMIUM), or set DEPPROOF_SKIP_ORACLES=1 to skip it"
            );
            None
        }
    }
}

/// Renders the page in headless Chromium and reads back the DOM it built: the tables and
/// the inline SVG charts are there, with drawn content.
fn check_in_chromium(page: &Path) {
    let Some(chromium) = chromium() else { return };
    let profile = page.parent().unwrap().join("chromium-profile");
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        dom.contains("<h1>Package hallucination study</h1>"),
        "{dom}"
    );
    for id in ["rate", "persistence", "distance", "overlap"] {
        let at = dom
            .find(&format!("id=\"chart-{id}\""))
            .unwrap_or_else(|| panic!("chart {id} missing"));
        let chart = &dom[at..];
        let end = chart.find("</figure>").unwrap();
        let chart = &chart[..end];
        assert!(chart.contains("<svg"), "chart {id} has no svg");
        assert!(
            chart.contains("<rect") || chart.contains("<polyline") || chart.contains("<path"),
            "chart {id} draws nothing"
        );
    }
    assert!(dom.matches("<table>").count() >= 3);
    let _ = std::fs::remove_dir_all(profile);
}

#[test]
fn killed_run_resumes_without_repeating_or_losing_answers() {
    let dir = fresh_dir("study-kill");
    // 40 prompts the fake answers with a plain real answer, 100 ms each, 2 at a time.
    let fake = Fake::start(Vec::new(), Duration::from_millis(100));
    let lines: Vec<String> = (1..=40)
        .map(|i| {
            serde_json::to_string(&format!("Generate Python code that prints the number {i}."))
                .unwrap()
        })
        .collect();
    std::fs::write(dir.join("python.jsonl"), lines.join("\n")).unwrap();
    std::fs::write(dir.join("javascript.jsonl"), "").unwrap();
    write_config(
        &dir,
        &fake,
        "heuristics = [\"install\", \"imports\", \"prompt_packages\"]\n",
    );
    let text = std::fs::read_to_string(dir.join("study.toml"))
        .unwrap()
        .replace("concurrency = 4", "concurrency = 2");
    std::fs::write(dir.join("study.toml"), text).unwrap();
    let db = dir.join("study.db");
    let db_s = db.to_str().unwrap();

    let mut child = depproof(&dir, &["study", "run", "study.toml", "--db", db_s])
        .spawn()
        .unwrap();
    // Kill it once some answers are stored, long before all 80 are.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "no answers stored in time");
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("the run ended before it was killed ({status}): {err}");
        }
        if db.exists() {
            let conn = rusqlite::Connection::open(&db).unwrap();
            let n: i64 = conn
                .query_row("SELECT COUNT(*) FROM answers", [], |r| r.get(0))
                .unwrap_or(0);
            if n >= 10 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let stored_before = db_rows(&db, "SELECT job_id, text FROM answers ORDER BY job_id");
    assert!(
        stored_before.len() >= 10 && stored_before.len() < 80,
        "{}",
        stored_before.len()
    );
    let log_before = fake.log().len();

    let o = run(&dir, &["study", "run", "study.toml", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains(&format!("{} already answered before", stored_before.len())),
        "{}",
        stdout(&o)
    );

    // Nothing lost: every planned request has exactly one answer, and those stored before
    // the kill are unchanged.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs"), 80);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM answers"), 80);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM jobs WHERE status = 'done'"),
        80
    );
    let after = db_rows(&db, "SELECT job_id, text FROM answers ORDER BY job_id");
    for row in &stored_before {
        assert!(after.contains(row));
    }
    // Nothing repeated: no request answered before the kill was sent again.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let answered_ids: Vec<i64> = stored_before
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect();
    let mut answered_messages = std::collections::BTreeSet::new();
    for id in answered_ids {
        let m: String = conn
            .query_row("SELECT messages FROM jobs WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        answered_messages.insert(serde_json::from_str::<Value>(&m).unwrap().to_string());
    }
    for l in &fake.log()[log_before..] {
        assert!(
            !answered_messages.contains(&l.body["messages"].to_string()),
            "asked again after the kill: {}",
            l.text()
        );
    }
    drop(fake);
}

#[test]
fn import_jsonl_and_task_map() {
    let dir = fresh_dir("study-import");
    let db = dir.join("study.db");
    let db_s = db.to_str().unwrap();
    std::fs::write(
        dir.join("answers.jsonl"),
        concat!(
            r#"{"prompt": "Parse a date", "answer": "```python\nimport dateutil\nimport datetime_parser_ultra\n```", "model": "m1", "language": "python", "id": "p1", "iteration": 1}"#, "\n",
            r#"{"prompt": "Parse a date", "answer": "```python\nimport dateutil\n```", "model": "m1", "language": "python", "id": "p1", "iteration": 2}"#, "\n",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("tasks.json"),
        r#"{"HumanEval/1": ["```js\nconst _ = require('lodash');\n```", "```js\nconst x = require('lodash-deep-merge-plusx');\n```"], "HumanEval/2": [null]}"#,
    )
    .unwrap();
    let o = run(&dir, &["study", "import", "answers.jsonl", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "read 2 answers: 2 imported, 0 already present"
    );
    let o = run(&dir, &["study", "import", "tasks.json", "--db", db_s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs --model"), "{}", stderr(&o));
    let o = run(
        &dir,
        &[
            "study",
            "import",
            "tasks.json",
            "--db",
            db_s,
            "--model",
            "m2",
            "--language",
            "javascript",
        ],
    );
    assert_eq!(
        stdout(&o).trim(),
        "read 3 answers: 3 imported, 0 already present",
        "{}",
        stderr(&o)
    );
    // Importing again adds nothing.
    let o = run(&dir, &["study", "import", "answers.jsonl", "--db", db_s]);
    assert_eq!(
        stdout(&o).trim(),
        "read 2 answers: 0 imported, 2 already present"
    );
    let o = run(
        &dir,
        &["study", "analyze", "--db", db_s, "--format", "json"],
    );
    let a: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(a["answers"], 5);
    let invented: Vec<&str> = a["invented"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[1].as_str().unwrap())
        .collect();
    assert_eq!(invented, ["datetime-parser-ultra"]);
    // The npm name is unknown to the partial npm snapshot, not invented.
    assert_eq!(a["unknown_names"], 1);
    // A line that is not JSON is an error naming the file and line.
    std::fs::write(
        dir.join("bad.jsonl"),
        "{\"answer\": \"x\", \"model\": \"m\", \"language\": \"python\"}\nnot json\n",
    )
    .unwrap();
    let o = run(&dir, &["study", "import", "bad.jsonl", "--db", db_s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.jsonl:2: not a JSON line"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn temperature_sweep_gives_a_curve() {
    let dir = fresh_dir("study-sweep");
    let fixtures: Vec<Value> = study_support::fixtures()
        .into_iter()
        .filter(|f| {
            f["prompt"]
                .as_str()
                .unwrap()
                .contains("downloads a web page")
        })
        .collect();
    let fake = Fake::start(fixtures.clone(), Duration::ZERO);
    let prompt = fixtures[0]["prompt"].as_str().unwrap();
    std::fs::write(
        dir.join("python.jsonl"),
        serde_json::to_string(prompt).unwrap() + "\n",
    )
    .unwrap();
    std::fs::write(dir.join("javascript.jsonl"), "").unwrap();
    write_config(
        &dir,
        &fake,
        "heuristics = [\"install\", \"imports\"]\n[decoding]\ntemperatures = [0.2, 1.0]\n",
    );
    let text = std::fs::read_to_string(dir.join("study.toml"))
        .unwrap()
        .replace("persistence = 3", "persistence = 0");
    std::fs::write(dir.join("study.toml"), text).unwrap();
    let o = run(&dir, &["study", "run", "study.toml", "--db", "s.db"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // One code request per temperature, each sent with its temperature.
    let mut temps: Vec<f64> = fake
        .log()
        .iter()
        .map(|l| l.body["temperature"].as_f64().unwrap())
        .collect();
    temps.sort_by(f64::total_cmp);
    assert_eq!(temps, [0.2, 1.0]);
    let o = run(
        &dir,
        &["study", "analyze", "--db", "s.db", "--format", "json"],
    );
    let a: Value = serde_json::from_slice(&o.stdout).unwrap();
    // Both answers reference requests, beautifulsoup4 and pyhttpx-client by install
    // command and by import: 6 references, 2 invented at each temperature: 33.33%.
    let curve = a["temperature"].as_array().unwrap();
    assert_eq!(curve.len(), 2, "{curve:?}");
    for (point, t) in curve.iter().zip([0.2, 1.0]) {
        assert_eq!(point[0], "fake-coder");
        assert_eq!(point[2], t);
        assert!(
            (point[3].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9,
            "{point}"
        );
    }
    let o = run(&dir, &["study", "report", "--db", "s.db", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.join("r/report.html")).unwrap();
    assert!(html.contains("id=\"chart-temperature\""));
    assert!(dir.join("r/temperature.svg").exists());
    drop(fake);
}
