//! `--live` against a local npm registry: unknown names settled, failures kept unknown,
//! `--offline` never connecting, live answers in the JSON reports (schema-valid).

mod support;

#[path = "../../depproof-live/tests/support/fake_npm.rs"]
mod fake_npm;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::Ordering;

use fake_npm::{FakeNpm, Fault, document};
use serde_json::Value;

/// A name the partial npm snapshot does not hold (checked by the first test).
const UNKNOWN: &str = "zq-helper-kit-for-tests";
const SCOPED: &str = "@zq-tests/helper-kit";

fn run(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depproof"))
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .env("DEPPROOF_CACHE_DIR", cache)
        .args(args)
        .current_dir(cache)
        .stdin(Stdio::null())
        .output()
        .expect("run depproof")
}

fn registry() -> FakeNpm {
    let s = FakeNpm::start();
    let today = depproof_live_today();
    s.publish(document(UNKNOWN, &[("1.0.0", &today)]));
    s.publish(document(
        SCOPED,
        &[
            ("0.1.0", "2019-04-01T00:00:00.000Z"),
            ("0.2.0", "2019-05-01T00:00:00.000Z"),
        ],
    ));
    s
}

/// Today, RFC 3339: a package published today is new.
fn depproof_live_today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Days to a civil date without a dependency: via `date -u`, which every test machine has.
    let o = Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%S.000Z"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

#[test]
fn live_answers_settle_names_the_snapshot_does_not_hold() {
    let s = registry();
    let cache = support::fresh_dir("live-npm-settle");
    // Without --live: unknown to the partial snapshot.
    let o = run(&cache, &["check", "-e", "npm", "--format", "json", UNKNOWN]);
    let doc = support::json(&o);
    assert_eq!(
        support::check_result(&doc, UNKNOWN)["status"],
        "unknown",
        "{doc:#}"
    );
    assert_eq!(doc["live"], Value::Null);
    assert_eq!(s.connections.load(Ordering::SeqCst), 0);

    let url = s.url();
    let o = run(
        &cache,
        &[
            "check",
            "--live",
            "--npm-url",
            &url,
            "-e",
            "npm",
            "--format",
            "json",
            UNKNOWN,
            SCOPED,
            "zq-not-published-anywhere",
        ],
    );
    let doc = support::json(&o);
    support::check_schema().assert_valid(&doc, "check --live");
    let new = support::check_result(&doc, UNKNOWN);
    assert_eq!(new["status"], "exists", "{doc:#}");
    let codes: Vec<&str> = new["findings"][0]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"DP103"),
        "published today is new: {codes:?}"
    );
    assert_eq!(
        new["ecosystems"][0]["live"]["public"]["registry"],
        url.as_str()
    );
    let old = support::check_result(&doc, SCOPED);
    assert_eq!(old["status"], "exists");
    assert_eq!(
        old["ecosystems"][0]["live"]["public"]["outcome"]["releases"],
        2
    );
    let missing = support::check_result(&doc, "zq-not-published-anywhere");
    assert_eq!(
        missing["status"], "does_not_exist",
        "asked live, the registry has none: {doc:#}"
    );
    assert_eq!(missing["verdict"], "block");
    assert_eq!(doc["live"]["asked"], 3);
    assert_eq!(doc["live"]["failed"], 0);
    assert!(
        s.requests().iter().any(|r| r == "/@zq-tests%2Fhelper-kit"),
        "{:?}",
        s.requests()
    );
    // Popular names are settled by the snapshot: never asked.
    let before = s.requests().len();
    let o = run(
        &cache,
        &["check", "--live", "--npm-url", &url, "-e", "npm", "react"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(s.requests().len(), before);
}

#[test]
fn a_registry_in_trouble_leaves_names_unknown() {
    let s = registry();
    let cache = support::fresh_dir("live-npm-faults");
    s.fault(&format!("/{UNKNOWN}"), Fault::Error500(1000));
    let url = s.url();
    let o = run(
        &cache,
        &[
            "check",
            "--live",
            "--npm-url",
            &url,
            "-e",
            "npm",
            "--format",
            "json",
            UNKNOWN,
        ],
    );
    let doc = support::json(&o);
    support::check_schema().assert_valid(&doc, "check --live, failed");
    let r = support::check_result(&doc, UNKNOWN);
    assert_eq!(r["status"], "unknown", "{doc:#}");
    assert_eq!(r["findings"][0]["status"], "unknown");
    assert_eq!(r["findings"][0]["signals"][0]["code"], "DP005");
    assert!(
        r["findings"][0]["signals"][0]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 500")
    );
    assert_ne!(r["verdict"], "ok");
    assert_eq!(doc["live"]["failed"], 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 live lookup failed"));

    // Truncated JSON, then a registry that is gone.
    s.fault(&format!("/{UNKNOWN}"), Fault::BadJson);
    let o = run(
        &cache,
        &[
            "check",
            "--live",
            "--npm-url",
            &url,
            "-e",
            "npm",
            "--format",
            "json",
            UNKNOWN,
        ],
    );
    let doc = support::json(&o);
    assert_eq!(support::check_result(&doc, UNKNOWN)["status"], "unknown");
    drop(s);
    let o = run(
        &cache,
        &[
            "check",
            "--live",
            "--npm-url",
            &url,
            "-e",
            "npm",
            "--format",
            "json",
            UNKNOWN,
        ],
    );
    let doc = support::json(&o);
    let r = support::check_result(&doc, UNKNOWN);
    assert_eq!(r["status"], "unknown");
    assert!(
        r["findings"][0]["signals"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{r:#}"
    );
}

#[test]
fn offline_never_connects_and_uses_cached_answers() {
    let s = registry();
    let cache = support::fresh_dir("live-npm-offline");
    let url = s.url();
    // Fill the cache with one answer.
    let o = run(
        &cache,
        &["check", "--live", "--npm-url", &url, "-e", "npm", SCOPED],
    );
    assert!(o.status.code().is_some());
    let before = s.connections.load(Ordering::SeqCst);
    assert!(before > 0);
    let o = run(
        &cache,
        &[
            "check",
            "--live",
            "--offline",
            "--npm-url",
            &url,
            "-e",
            "npm",
            "--format",
            "json",
            SCOPED,
            UNKNOWN,
        ],
    );
    let doc = support::json(&o);
    support::check_schema().assert_valid(&doc, "check --offline");
    assert_eq!(
        s.connections.load(Ordering::SeqCst),
        before,
        "--offline connected"
    );
    assert_eq!(support::check_result(&doc, SCOPED)["status"], "exists");
    assert_eq!(
        support::check_result(&doc, SCOPED)["ecosystems"][0]["live"]["public"]["cached"],
        true
    );
    assert_eq!(support::check_result(&doc, UNKNOWN)["status"], "unknown");
    assert_eq!(doc["live"]["offline"], true);
    assert_eq!(doc["live"]["not_asked"][0]["name"], UNKNOWN);

    // Configured live in depproof.toml, forbidden by --offline.
    std::fs::write(
        cache.join("depproof.toml"),
        format!("[registries]\nlive = true\nnpm = \"{url}\"\n"),
    )
    .unwrap();
    let o = run(
        &cache,
        &[
            "check",
            "--offline",
            "-e",
            "npm",
            UNKNOWN,
            "zq-another-name",
        ],
    );
    assert!(o.status.code().is_some());
    assert_eq!(
        s.connections.load(Ordering::SeqCst),
        before,
        "--offline connected"
    );
    // The same configuration without --offline asks.
    let o = run(&cache, &["check", "-e", "npm", "zq-another-name"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(s.connections.load(Ordering::SeqCst) > before);
}

#[test]
fn scan_reports_carry_live_answers_and_the_training_cutoff() {
    let s = registry();
    let dir = support::fresh_dir("live-npm-scan");
    std::fs::write(
        dir.join("package.json"),
        format!(r#"{{"name":"app","version":"1.0.0","dependencies":{{"{UNKNOWN}":"^1.0.0","{SCOPED}":"^0.2.0"}}}}"#),
    )
    .unwrap();
    let url = s.url();
    let o = run(
        &dir,
        &[
            "scan",
            "--live",
            "--npm-url",
            &url,
            "--training-cutoff",
            "2024-01",
            "--format",
            "json,sarif:out.sarif",
            ".",
        ],
    );
    let doc = support::json(&o);
    support::scan_schema().assert_valid(&doc, "scan --live");
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == UNKNOWN)
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(f["status"], "exists");
    assert_eq!(f["live"]["public"]["outcome"]["state"], "found");
    let codes: Vec<&str> = f["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"DP105"), "{codes:?}");
    assert_eq!(f["verdict"], "block", "new and after the cutoff: {f:#}");
    assert_eq!(doc["live"]["asked"], 2);
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out.sarif")).unwrap()).unwrap();
    support::sarif().assert_valid(&sarif, "scan --live sarif");
    assert_eq!(sarif["runs"][0]["properties"]["live"]["asked"], 2);
}

#[test]
fn run_asks_the_registry_before_the_install_runs() {
    let s = registry();
    let cache = support::fresh_dir("live-npm-run");
    let url = s.url();
    let name = "zq-not-published-anywhere";
    // Offline, a name outside the partial snapshot is only unknown: a warning, and the
    // command would go ahead.
    let o = run(&cache, &["run", "--dry-run", "--", "npm", "install", name]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("warning"), "{err}");
    assert_eq!(s.connections.load(Ordering::SeqCst), 0);
    // Live, the registry says it has no such package: refused before anything runs.
    let o = run(
        &cache,
        &[
            "run",
            "--live",
            "--npm-url",
            &url,
            "--dry-run",
            "--",
            "npm",
            "install",
            name,
            UNKNOWN,
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("refused {name}")), "{err}");
    assert!(!err.contains(&format!("refused {UNKNOWN}")), "{err}");
    let asked = s.requests();
    assert!(asked.iter().any(|r| r == &format!("/{name}")), "{asked:?}");
    assert!(
        asked.iter().any(|r| r == &format!("/{UNKNOWN}")),
        "{asked:?}"
    );
}
