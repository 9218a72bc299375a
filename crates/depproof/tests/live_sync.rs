//! `depproof index sync -e npm` against a local registry with the replication endpoints:
//! a complete snapshot, incremental updates, an interrupted sync that leaves the old
//! snapshot in use and resumes.

mod support;

#[path = "../../depproof-live/tests/support/fake_npm.rs"]
mod fake_npm;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use fake_npm::{FakeNpm, document};
use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depproof"))
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run depproof")
}

fn check(dir: &Path, index: &Path, names: &[&str]) -> Value {
    let mut args = vec![
        "--index",
        index.to_str().unwrap(),
        "check",
        "-e",
        "npm",
        "--format",
        "json",
    ];
    args.extend_from_slice(names);
    support::json(&run(dir, &args))
}

fn status(doc: &Value, name: &str) -> String {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn sync(dir: &Path, url: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "--npm-url",
        url,
        "index",
        "sync",
        "-e",
        "npm",
        "--out",
        out.to_str().unwrap(),
        "--page-size",
        "2",
    ];
    args.extend_from_slice(extra);
    run(dir, &args)
}

#[test]
fn sync_builds_updates_and_resumes() {
    let s = FakeNpm::start();
    for n in ["react", "zq-sync-a", "zq-sync-b", "@zq-sync/c", "zq-sync-d"] {
        s.publish(document(n, &[("1.0.0", "2025-01-01T00:00:00.000Z")]));
    }
    let dir = support::fresh_dir("live-sync");
    let out = dir.join("snapshots");
    let url = s.url();
    let o = sync(&dir, &url, &out, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let index = out.join("npm.idx");
    let doc = check(
        &dir,
        &index,
        &["zq-sync-a", "@zq-sync/c", "zq-never-published"],
    );
    assert_eq!(status(&doc, "zq-sync-a"), "exists", "{doc:#}");
    assert_eq!(status(&doc, "@zq-sync/c"), "exists");
    // The synced snapshot is complete: a name it lacks does not exist.
    assert_eq!(status(&doc, "zq-never-published"), "does_not_exist");
    assert_eq!(doc["snapshots"][0]["complete"], true);
    // The previous snapshot's download counts are kept.
    let react = &check(&dir, &index, &["react"])["results"][0]["ecosystems"][0]["package"];
    assert!(
        react["popularity"]["downloads_a_month"].as_u64().unwrap() > 1_000_000,
        "{react:#}"
    );

    // Incremental: only the changes since the recorded sequence.
    s.publish(document(
        "zq-sync-e",
        &[("1.0.0", "2025-02-01T00:00:00.000Z")],
    ));
    s.unpublish("zq-sync-b");
    let before = s.requests().len();
    let o = sync(&dir, &url, &out, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let later: Vec<String> = s.requests()[before..].to_vec();
    assert!(
        later.iter().all(|r| r.starts_with("/_changes?since=")),
        "{later:?}"
    );
    let doc = check(&dir, &index, &["zq-sync-e", "zq-sync-b", "zq-sync-a"]);
    assert_eq!(status(&doc, "zq-sync-e"), "exists");
    assert_eq!(status(&doc, "zq-sync-b"), "does_not_exist");
    assert_eq!(status(&doc, "zq-sync-a"), "exists");

    // Interrupted: a fresh listing stopped after one page leaves the old snapshot whole.
    let out2 = dir.join("snapshots2");
    std::fs::create_dir_all(&out2).unwrap();
    std::fs::copy(&index, out2.join("npm.idx")).unwrap();
    let old = std::fs::read(out2.join("npm.idx")).unwrap();
    s.publish(document(
        "zq-sync-f",
        &[("1.0.0", "2025-03-01T00:00:00.000Z")],
    ));
    let o = sync(&dir, &url, &out2, &["--stop-after-pages", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("previous snapshot is still used"));
    assert_eq!(std::fs::read(out2.join("npm.idx")).unwrap(), old);
    assert_eq!(
        status(
            &check(&dir, &out2.join("npm.idx"), &["zq-sync-a"]),
            "zq-sync-a"
        ),
        "exists"
    );
    // A stop between appending a page and saving the state leaves bytes the state does
    // not vouch for: the resumed sync cuts them off.
    {
        use std::io::Write;
        let mut names = std::fs::OpenOptions::new()
            .append(true)
            .open(out2.join("npm-sync/npm-names.txt"))
            .unwrap();
        names.write_all(b"zq-half-written-pa").unwrap();
    }
    // The next sync resumes after the first page instead of starting over.
    let before = s.requests().len();
    let o = sync(&dir, &url, &out2, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("resumed"));
    let later: Vec<String> = s.requests()[before..].to_vec();
    let first = later.iter().find(|r| r.starts_with("/_all_docs")).unwrap();
    assert!(!first.ends_with("startkey=%22%22"), "{later:?}");
    let doc = check(
        &dir,
        &out2.join("npm.idx"),
        &["zq-sync-f", "zq-sync-b", "react", "zq-half-written-pa"],
    );
    assert_eq!(status(&doc, "zq-half-written-pa"), "does_not_exist");
    assert_eq!(status(&doc, "zq-sync-f"), "exists");
    assert_eq!(status(&doc, "zq-sync-b"), "does_not_exist");
    assert_eq!(status(&doc, "react"), "exists");
}
