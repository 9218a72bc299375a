//! A real `depproof index sync -e npm`, killed with SIGKILL in the middle of the listing
//! (the local registry serves `_all_docs` pages slowly): the snapshot in use is untouched
//! and still works, and the next sync resumes from the key recorded before the kill.

#![cfg(unix)]

mod support;

#[path = "../../depproof-live/tests/support/fake_npm.rs"]
mod fake_npm;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_npm::{FakeNpm, Fault, document};
use serde_json::Value;

const NAMES: usize = 40;

fn command(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_depproof"));
    c.env("DEPPROOF_DATA_DIR", data)
        .args(args)
        .current_dir(data)
        .stdin(Stdio::null());
    c
}

fn run(data: &Path, args: &[&str]) -> Output {
    command(data, args).output().expect("run depproof")
}

fn ok(o: &Output, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Kills the sync if the test fails before it does.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn names() -> Vec<String> {
    (0..NAMES).map(|i| format!("zq-kill-{i:03}")).collect()
}

/// Today as YYYY-MM-DD, from `date -u`, which every test machine has.
fn today() -> String {
    let o = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

/// The user's snapshot in the data directory before any sync: a partial listing of one
/// name, dated today (so newer than the embedded snapshot, hence in use).
fn previous_snapshot(data: &Path) -> PathBuf {
    let listing = data.join("npm.tsv");
    std::fs::write(
        &listing,
        "name\tversion\tdownloads_a_month\tsummary\nzq-kill-before\t1.0.0\t5000\tA tool\n",
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
            &today(),
            "--partial",
            "a test listing",
        ],
    );
    ok(&o, "index build");
    out
}

fn info(data: &Path) -> Value {
    let o = run(data, &["index", "info", "--format", "json"]);
    ok(&o, "index info");
    let doc = support::json(&o);
    doc["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ecosystem"] == "npm")
        .cloned()
        .unwrap()
}

fn statuses(data: &Path, names: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["check", "-e", "npm", "--format", "json"];
    args.extend_from_slice(names);
    let doc = support::json(&run(data, &args));
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn listing_requests(s: &FakeNpm) -> Vec<String> {
    s.requests()
        .into_iter()
        .filter(|r| r.starts_with("/_all_docs"))
        .collect()
}

#[test]
fn a_sync_killed_mid_listing_leaves_the_snapshot_in_use_and_resumes() {
    let s = FakeNpm::start();
    for n in names() {
        s.publish(document(&n, &[("1.0.0", "2025-01-01T00:00:00.000Z")]));
    }
    let data = support::fresh_dir("live-sync-kill");
    let snapshot = previous_snapshot(&data);
    let before = std::fs::read(&snapshot).unwrap();
    assert_eq!(info(&data)["in_use"], "user");

    // Every page waits; the kill lands while the second is on its way.
    s.fault("/_all_docs", Fault::Slow(Duration::from_millis(1500)));
    let url = s.url();
    let sync_args = [
        "--npm-url",
        &url,
        "index",
        "sync",
        "-e",
        "npm",
        "--page-size",
        "2",
    ];
    let mut child = Killed(
        command(&data, &sync_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the sync"),
    );
    // The second page is asked for only once the first has been served and recorded.
    let deadline = Instant::now() + Duration::from_secs(60);
    while listing_requests(&s).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the sync never asked for a second page: {:?}",
            s.requests()
        );
        assert!(
            child.0.try_wait().unwrap().is_none(),
            "the sync ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status:?}");

    // The snapshot in use is the one from before, byte for byte, and still answers.
    assert_eq!(std::fs::read(&snapshot).unwrap(), before);
    let i = info(&data);
    assert_eq!(i["in_use"], "user", "{i:#}");
    assert_eq!(i["names"], 1, "{i:#}");
    assert_eq!(
        statuses(&data, &["zq-kill-before"]),
        vec![("zq-kill-before".to_owned(), "exists".to_owned())]
    );
    // The state records where the listing stopped.
    let state: Value = serde_json::from_slice(
        &std::fs::read(data.join("snapshots/npm-sync/npm-sync.json")).unwrap(),
    )
    .unwrap();
    let resume_at = state["resume_at"].as_str().unwrap_or_default().to_owned();
    assert!(!resume_at.is_empty(), "{state:#}");

    // The next sync starts from the recorded key, not the first page, and completes.
    s.clear_faults();
    let seen = s.requests().len();
    let o = run(&data, &sync_args);
    ok(&o, "the resumed sync");
    assert!(String::from_utf8_lossy(&o.stderr).contains("resumed"));
    let later: Vec<String> = s.requests()[seen..].to_vec();
    let first = later
        .iter()
        .find(|r| r.starts_with("/_all_docs"))
        .unwrap_or_else(|| panic!("{later:?}"));
    assert!(
        first.ends_with(&format!("startkey=%22{resume_at}%22")),
        "{first} does not start from {resume_at}"
    );
    assert!(
        !later.iter().any(|r| r.ends_with("startkey=%22%22")),
        "{later:?}"
    );

    // The new snapshot holds every name and nothing else: it is complete.
    assert_ne!(std::fs::read(&snapshot).unwrap(), before);
    let i = info(&data);
    assert_eq!(i["in_use"], "user");
    assert_eq!(i["names"], NAMES, "{i:#}");
    let all = names();
    let mut asked: Vec<&str> = all.iter().map(String::as_str).collect();
    asked.push("zq-kill-before");
    let got = statuses(&data, &asked);
    for (name, status) in &got {
        let want = if name == "zq-kill-before" {
            "does_not_exist"
        } else {
            "exists"
        };
        assert_eq!(status, want, "{name}: {got:?}");
    }
    assert_eq!(got.len(), NAMES + 1);
}
