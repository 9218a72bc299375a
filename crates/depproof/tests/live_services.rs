//! `--live` in the long-running commands: the proxy and the HTTP API ask a local npm
//! registry about the names the snapshot cannot settle, per request, and a registry that
//! is too slow leaves a name unknown within the request's time instead of holding it.

mod guard_support;
mod serve_support;
mod support;

#[path = "../../depproof-live/tests/support/fake_npm.rs"]
mod fake_npm;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fake_npm::{FakeNpm, Fault, document};
use serde_json::{Value, json};

/// Names the partial npm snapshot does not hold.
const OLD: &str = "zq-old-helper-kit";
const FRESH: &str = "zq-fresh-helper-kit";
const MISSING: &str = "zq-never-published-kit";
const SLOW: &str = "zq-slow-helper-kit";

/// Now, RFC 3339, as npm writes times: a package published now is new.
fn now() -> String {
    let o = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%S.000Z"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

fn registry() -> FakeNpm {
    let s = FakeNpm::start();
    s.publish(document(
        OLD,
        &[
            ("1.0.0", "2019-04-01T00:00:00.000Z"),
            ("1.1.0", "2019-06-01T00:00:00.000Z"),
            ("1.2.0", "2020-01-01T00:00:00.000Z"),
        ],
    ));
    s.publish(document(FRESH, &[("0.0.1", &now())]));
    s.publish(document(SLOW, &[("2.0.0", "2018-01-01T00:00:00.000Z")]));
    s
}

fn env(cache: &Path) -> Vec<(&'static str, String)> {
    vec![("DEPPROOF_CACHE_DIR", cache.display().to_string())]
}

fn start(args: &[&str], cache: &Path) -> serve_support::Server {
    let env = env(cache);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    serve_support::start(args, &env)
}

fn get(addr: &str, path: &str) -> serve_support::Answer {
    serve_support::request(addr, "GET", path, &[("Accept", "application/json")], b"")
}

/// The last audit record about `package`.
fn audit(path: &Path, package: &str) -> Value {
    guard_support::audit_records(path)
        .into_iter()
        .rev()
        .find(|r| r["package"] == package)
        .unwrap_or_else(|| panic!("no audit record for {package}"))
}

#[test]
fn the_proxy_asks_its_upstream_live_before_it_decides() {
    let s = registry();
    let dir = support::fresh_dir("live-proxy");
    let url = s.url();

    // Without --live an npm name the snapshot does not hold is only "unknown": the proxy
    // warns and forwards, and the upstream's 404 is all the client learns.
    let offline_log = dir.join("offline.jsonl");
    let offline = start(
        &[
            "proxy",
            "--no-config",
            "--listen",
            "127.0.0.1:0",
            "--npm-upstream",
            &url,
            "--audit-log",
            offline_log.to_str().unwrap(),
        ],
        &dir,
    );
    let a = get(&offline.addr, &format!("/{MISSING}"));
    assert_eq!(a.status, 404, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(audit(&offline_log, MISSING)["action"], "warn");
    drop(offline);
    let asked_before = s.requests().len();

    // With --live (and no --npm-url) the proxy asks the registry it forwards to.
    let log = dir.join("live.jsonl");
    let proxy = start(
        &[
            "proxy",
            "--no-config",
            "--live",
            "--listen",
            "127.0.0.1:0",
            "--npm-upstream",
            &url,
            "--audit-log",
            log.to_str().unwrap(),
        ],
        &dir,
    );
    let a = get(&proxy.addr, &format!("/{MISSING}"));
    let body = String::from_utf8_lossy(&a.body).into_owned();
    assert_eq!(a.status, 403, "{body}");
    assert!(
        body.contains("has no such package (asked live)") || body.contains("does not exist"),
        "{body}"
    );
    let rec = audit(&log, MISSING);
    assert_eq!(rec["action"], "refuse", "{rec}");
    assert_eq!(rec["verdict"], "block", "{rec}");

    // An old package settled live is served: known to exist, and little used (absent
    // from the snapshot of every package with some use) rather than unknown; a package
    // first published today is served with the new-package signal recorded.
    let a = get(&proxy.addr, &format!("/{OLD}"));
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["name"], OLD);
    let rec = audit(&log, OLD);
    assert_eq!(rec["action"], "warn", "{rec}");
    assert_eq!(codes_of(&rec), ["DP104"], "{rec}");
    let a = get(&proxy.addr, &format!("/{FRESH}"));
    assert_eq!(a.status, 200);
    let rec = audit(&log, FRESH);
    assert!(codes_of(&rec).contains(&"DP103".to_owned()), "{rec}");
    assert_eq!(rec["action"], "warn", "{rec}");

    // Live lookups went to the upstream; a popular name never is asked about.
    let asked: Vec<String> = s.requests()[asked_before..].to_vec();
    assert!(
        asked.iter().any(|r| r == &format!("/{MISSING}")),
        "{asked:?}"
    );
    let n = s.requests().len();
    let a = get(&proxy.addr, "/react");
    assert_eq!(a.status, 404, "the fake registry has no react");
    assert_eq!(
        s.requests().len(),
        n + 1,
        "react is forwarded once, never asked about live: {:?}",
        &s.requests()[n..]
    );
    assert_eq!(audit(&log, "react")["action"], "allow");

    // A real npm client is told why.
    let home = dir.join("npm-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut npm = Command::new("npm");
    guard_support::isolate_npm(&mut npm, &home);
    npm.args([
        "view",
        MISSING,
        "--json",
        "--registry",
        &format!("http://{}/", proxy.addr),
    ]);
    let o = npm.output().expect("npm (Node.js) is needed by the tests");
    let out = guard_support::all_output(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("403") && out.contains("depproof refused"),
        "{out}"
    );
}

fn codes_of(rec: &Value) -> Vec<String> {
    rec["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_proxy_keeps_a_name_unknown_when_the_live_registry_is_too_slow() {
    let upstream = registry();
    let slow = registry();
    slow.fault(&format!("/{SLOW}"), Fault::Slow(Duration::from_secs(20)));
    let dir = support::fresh_dir("live-proxy-slow");
    let log = dir.join("audit.jsonl");
    let proxy = start(
        &[
            "proxy",
            "--no-config",
            "--live",
            "--npm-url",
            &slow.url(),
            "--timeout",
            "2",
            "--listen",
            "127.0.0.1:0",
            "--npm-upstream",
            &upstream.url(),
            "--audit-log",
            log.to_str().unwrap(),
        ],
        &dir,
    );
    let t = Instant::now();
    let a = get(&proxy.addr, &format!("/{SLOW}"));
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    // Unknown, as without --live: served with a warning, never called established.
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let rec = audit(&log, SLOW);
    assert_eq!(rec["action"], "warn", "{rec}");
    assert!(codes_of(&rec).contains(&"DP005".to_owned()), "{rec}");
    assert!(
        rec["reason"].as_str().unwrap().contains("no answer within"),
        "{rec}"
    );
}

#[test]
fn the_http_api_asks_live_per_request_and_answers_in_time() {
    let s = registry();
    s.fault(&format!("/{SLOW}"), Fault::Slow(Duration::from_secs(20)));
    let dir = support::fresh_dir("live-serve");
    let url = s.url();
    let server = start(
        &[
            "serve",
            "--no-config",
            "--live",
            "--npm-url",
            &url,
            "--timeout",
            "6",
            "--listen",
            "127.0.0.1:0",
        ],
        &dir,
    );
    let body = json!({ "names": [OLD, FRESH, MISSING], "ecosystem": "npm" }).to_string();
    let a = serve_support::post_json(&server.addr, "/v1/check", &body);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let doc = a.json();
    support::check_schema().assert_valid(&doc, "/v1/check --live");
    assert_eq!(
        support::check_result(&doc, OLD)["status"],
        "exists",
        "{doc:#}"
    );
    assert_eq!(
        support::check_result(&doc, FRESH)["status"],
        "exists",
        "{doc:#}"
    );
    assert!(
        support::signal_codes(support::check_result(&doc, FRESH)).contains(&"DP103".to_owned()),
        "{doc:#}"
    );
    assert_eq!(
        support::check_result(&doc, MISSING)["status"],
        "does_not_exist",
        "{doc:#}"
    );
    assert_eq!(support::check_result(&doc, MISSING)["verdict"], "block");
    assert_eq!(doc["live"]["asked"], 3, "{doc:#}");
    assert_eq!(doc["live"]["failed"], 0);

    // A scan asks about what it found.
    let body =
        json!({ "text": format!("npm install {MISSING} {OLD}\n"), "kind": "shell" }).to_string();
    let a = serve_support::post_json(&server.addr, "/v1/scan", &body);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let doc = a.json();
    support::scan_schema().assert_valid(&doc, "/v1/scan --live");
    assert_eq!(doc["live"]["asked"], 2, "{doc:#}");
    let missing = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == MISSING)
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(missing["verdict"], "block", "{missing:#}");

    // Too slow a registry: the answer still comes within the request time, the name
    // unknown with the reason.
    let t = Instant::now();
    let body = json!({ "names": [SLOW], "ecosystem": "npm" }).to_string();
    let a = serve_support::post_json(&server.addr, "/v1/check", &body);
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let doc = a.json();
    assert_eq!(
        support::check_result(&doc, SLOW)["status"],
        "unknown",
        "{doc:#}"
    );
    assert_eq!(doc["live"]["failed"], 1, "{doc:#}");
    assert!(doc.to_string().contains("no answer within"), "{doc:#}");
}

#[test]
fn the_proxy_asks_again_once_a_decision_and_the_answer_have_expired() {
    let s = registry();
    let dir = support::fresh_dir("live-proxy-expiry");
    // "Does not exist" answers stay fresh for a second; decisions are not kept.
    std::fs::write(dir.join("depproof.toml"), "[registries]\nmissing-ttl = 1\n").unwrap();
    let log = dir.join("audit.jsonl");
    let url = s.url();
    let proxy = start(
        &[
            "proxy",
            "--config",
            dir.join("depproof.toml").to_str().unwrap(),
            "--live",
            "--cache-ttl",
            "0",
            "--listen",
            "127.0.0.1:0",
            "--npm-upstream",
            &url,
            "--audit-log",
            log.to_str().unwrap(),
        ],
        &dir,
    );
    const LATE: &str = "zq-registered-later-kit";
    let a = get(&proxy.addr, &format!("/{LATE}"));
    assert_eq!(a.status, 403, "{}", String::from_utf8_lossy(&a.body));
    // Someone registers the name (as squatters do after a model invents it): once the
    // answer has expired the proxy sees a brand-new package, not a missing one.
    s.publish(document(LATE, &[("0.0.1", &now())]));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let a = get(&proxy.addr, &format!("/{LATE}"));
        if a.status == 200 {
            break;
        }
        assert_eq!(a.status, 403);
        assert!(Instant::now() < deadline, "still refused after 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    let rec = audit(&log, LATE);
    assert_eq!(rec["action"], "warn", "{rec}");
    assert!(codes_of(&rec).contains(&"DP103".to_owned()), "{rec}");
}
