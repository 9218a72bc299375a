//! The user's snapshots in the data directory: used instead of the embedded ones when
//! newer, reported by `index info` and in every report.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depproof"))
        .env("DEPPROOF_DATA_DIR", data)
        .args(args)
        .current_dir(data)
        .stdin(Stdio::null())
        .output()
        .expect("run depproof")
}

fn build(data: &Path, date: &str) {
    let listing = data.join("npm.tsv");
    std::fs::write(
        &listing,
        "name\tversion\tdownloads_a_month\tsummary\nzq-user-snapshot-only\t1.0.0\t5000\tA tool\n",
    )
    .unwrap();
    std::fs::create_dir_all(data.join("snapshots")).unwrap();
    let out = data.join("snapshots/npm.idx");
    let o = run(
        data,
        &[
            "index",
            "build",
            "-e",
            "npm",
            "--from-tsv",
            listing.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--date",
            date,
            "--partial",
            "a test listing",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_newer_user_snapshot_takes_precedence() {
    let data = support::fresh_dir("user-snapshot-newer");
    build(&data, "2099-01");
    let o = run(
        &data,
        &[
            "check",
            "-e",
            "npm",
            "--format",
            "json",
            "zq-user-snapshot-only",
        ],
    );
    let doc = support::json(&o);
    assert_eq!(doc["results"][0]["status"], "exists", "{doc:#}");
    let origin = doc["snapshots"][0]["origin"].as_str().unwrap();
    assert!(
        origin.ends_with("snapshots/npm.idx"),
        "the report records the snapshot used: {origin}"
    );
    let o = run(&data, &["index", "info", "--format", "json"]);
    let info = support::json(&o);
    let npm = info["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ecosystem"] == "npm")
        .unwrap();
    assert_eq!(npm["in_use"], "user");
    assert!(
        npm["age_days"].as_i64().unwrap() < 0,
        "dated in the future: {npm:#}"
    );
    let pypi = info["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ecosystem"] == "pypi")
        .unwrap();
    assert_eq!(pypi["in_use"], "embedded");
    assert!(pypi["age_days"].as_i64().unwrap() >= 0);
    let text = String::from_utf8_lossy(&run(&data, &["index", "info"]).stdout).into_owned();
    assert!(text.contains("in use:       the user's snapshot"), "{text}");
}

#[test]
fn an_older_or_damaged_user_snapshot_is_passed_over() {
    let data = support::fresh_dir("user-snapshot-older");
    build(&data, "2001-01");
    let o = run(
        &data,
        &[
            "check",
            "-e",
            "npm",
            "--format",
            "json",
            "zq-user-snapshot-only",
        ],
    );
    let doc = support::json(&o);
    assert_eq!(doc["results"][0]["status"], "unknown", "{doc:#}");
    assert!(
        doc["snapshots"][0]["origin"]
            .as_str()
            .unwrap()
            .starts_with("embedded")
    );

    std::fs::write(data.join("snapshots/npm.idx"), b"not an index").unwrap();
    let o = run(&data, &["check", "-e", "npm", "react"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("using the embedded npm snapshot"));
}
