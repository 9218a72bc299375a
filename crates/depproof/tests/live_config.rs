//! The live client's settings under `[registries]` in depproof.toml, against a local npm
//! registry that counts what it is asked: cache lifetimes, no cache, the cache directory,
//! timeout and retries; bad values are errors naming the file, the key and the reason.

mod support;

#[path = "../../depproof-live/tests/support/fake_npm.rs"]
mod fake_npm;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_npm::{FakeNpm, Fault, document};
use serde_json::Value;

/// Names the partial npm snapshot does not hold: every run that wants them asks.
const PRESENT: &str = "zq-cfg-present-pkg";
const ABSENT: &str = "zq-cfg-absent-pkg";

fn registry() -> FakeNpm {
    let s = FakeNpm::start();
    s.publish(document(PRESENT, &[("1.0.0", "2020-01-01T00:00:00.000Z")]));
    s
}

/// A project directory holding `depproof.toml` with `[registries]` pointing at `url` and
/// the extra lines; runs start in its `sub` directory, so the file is found by walking up.
fn project(name: &str, url: &str, extra: &str) -> PathBuf {
    let dir = support::fresh_dir(name);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("depproof.toml"),
        format!("[registries]\nlive = true\nnpm = \"{url}\"\n{extra}"),
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depproof"))
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .env("DEPPROOF_CACHE_DIR", dir.join("env-cache"))
        .args(args)
        .current_dir(dir.join("sub"))
        .stdin(Stdio::null())
        .output()
        .expect("run depproof")
}

fn check(dir: &Path, names: &[&str]) -> Value {
    let mut args = vec!["check", "-e", "npm", "--format", "json"];
    args.extend_from_slice(names);
    support::json(&run(dir, &args))
}

fn asked(s: &FakeNpm, name: &str) -> usize {
    let path = format!("/{name}");
    s.requests().iter().filter(|r| **r == path).count()
}

fn status(doc: &Value, name: &str) -> String {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no result for {name}: {doc:#}"))
}

#[test]
fn a_short_missing_ttl_is_honoured_and_the_cache_dir_is_the_files() {
    let s = registry();
    let dir = project(
        "live-config-ttl",
        &s.url(),
        "missing-ttl = \"1s\"\ncache-dir = \"answers\"\n",
    );
    let doc = check(&dir, &[PRESENT, ABSENT]);
    assert_eq!(status(&doc, PRESENT), "exists", "{doc:#}");
    assert_eq!(status(&doc, ABSENT), "does_not_exist", "{doc:#}");
    assert_eq!((asked(&s, PRESENT), asked(&s, ABSENT)), (1, 1));
    // The cache is where the file says, relative to the file, not the environment's.
    assert!(dir.join("answers/npm").is_dir());
    assert!(!dir.join("env-cache").exists());

    // Runs go on until the answer that the name does not exist has gone stale and is asked
    // again; the answer that the other exists stays fresh (6 hours) all along.
    let deadline = Instant::now() + Duration::from_secs(30);
    while asked(&s, ABSENT) < 2 {
        assert!(
            Instant::now() < deadline,
            "the missing answer was never asked again: {:?}",
            s.requests()
        );
        let doc = check(&dir, &[PRESENT, ABSENT]);
        assert_eq!(status(&doc, ABSENT), "does_not_exist");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(asked(&s, PRESENT), 1, "{:?}", s.requests());
}

#[test]
fn no_cache_asks_every_time() {
    let s = registry();
    let dir = project("live-config-nocache", &s.url(), "cache = false\n");
    for round in 1..=2 {
        let doc = check(&dir, &[PRESENT]);
        assert_eq!(status(&doc, PRESENT), "exists");
        assert_eq!(doc["live"]["cached"], 0, "{doc:#}");
        assert_eq!(asked(&s, PRESENT), round);
    }
    assert!(!dir.join("env-cache").exists());
}

#[test]
fn timeout_and_retries_come_from_the_file() {
    let s = registry();
    s.fault(&format!("/{PRESENT}"), Fault::Slow(Duration::from_secs(20)));
    let dir = project(
        "live-config-timeout",
        &s.url(),
        "timeout = \"1s\"\nretries = 0\ncache = false\nconcurrency = 1\n",
    );
    let doc = check(&dir, &[PRESENT]);
    assert_eq!(status(&doc, PRESENT), "unknown", "{doc:#}");
    let message = doc["results"][0]["findings"][0]["signals"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("timed out"), "{doc:#}");
    assert_eq!(asked(&s, PRESENT), 1, "retries = 0 retried");

    s.fault(&format!("/{PRESENT}"), Fault::Error500(1000));
    std::fs::write(
        dir.join("depproof.toml"),
        format!(
            "[registries]\nlive = true\nnpm = \"{}\"\nretries = 2\ncache = false\n",
            s.url()
        ),
    )
    .unwrap();
    let doc = check(&dir, &[PRESENT]);
    assert_eq!(status(&doc, PRESENT), "unknown", "{doc:#}");
    assert_eq!(asked(&s, PRESENT), 1 + 3, "{:?}", s.requests());
}

#[test]
fn bad_values_name_the_file_the_key_and_the_reason() {
    let s = registry();
    for (line, key, reason) in [
        (
            "missing-ttl = \"soon\"",
            "missing-ttl",
            "`soon` is not a duration",
        ),
        ("cache-ttl = -1", "cache-ttl", "-1 is negative"),
        ("concurrency = 0", "concurrency", "between 1 and 256"),
        (
            "timeout = false",
            "timeout",
            "a number of seconds or a duration",
        ),
    ] {
        let dir = project("live-config-bad", &s.url(), &format!("{line}\n"));
        let o = run(&dir, &["check", "-e", "npm", PRESENT]);
        let err = support::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{line}: {err}");
        assert!(err.contains("depproof.toml"), "{line}: {err}");
        assert!(err.contains(key) && err.contains(reason), "{line}: {err}");
    }
    assert!(s.requests().is_empty(), "{:?}", s.requests());
}
