//! `depproof mcp` driven by the official Python MCP SDK (tests/fixtures/mcp_client.py),
//! over standard input/output and over streamable HTTP: initialize, list the tools, call
//! each with real names from the snapshot, and with bad arguments.
//!
//! `scripts/test.sh` installs the SDK under target/test-tools (scripts/test-tools/mcp.sh)
//! and sets `DEPPROOF_MCP_PYTHON` to its interpreter. Without it these tests fail, unless
//! `DEPPROOF_SKIP_ORACLES=1`.

mod serve_support;
mod support;

#[path = "../../depproof-live/tests/support/fake_npm.rs"]
mod fake_npm;

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use support::{fresh_dir, root, run_in};

fn python() -> Option<PathBuf> {
    match std::env::var_os("DEPPROOF_MCP_PYTHON") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "DEPPROOF_MCP_PYTHON={} is not a file: run scripts/test.sh, which installs the MCP SDK",
                p.display()
            );
            Some(p)
        }
        _ => {
            assert!(
                std::env::var_os("DEPPROOF_SKIP_ORACLES").is_some_and(|v| v == "1"),
                "this test drives depproof with the official Python MCP SDK: run scripts/test.sh \
                 (it installs the SDK under target/test-tools and sets DEPPROOF_MCP_PYTHON), or \
                 set DEPPROOF_SKIP_ORACLES=1 to skip it"
            );
            None
        }
    }
}

/// The calls every transport is put through, in order.
fn calls() -> Value {
    json!([
        // A popular name, a typosquat that exists, a misspelling that does not exist.
        ["check_packages", { "names": ["requests", "numpi", "reqeusts"], "ecosystem": "pypi" }],
        ["check_packages", { "names": ["lodash"] }],
        ["scan_code", {
            "text": "Install the client:\n\n```bash\npip install reqeusts flask\n```\n\n```python\nimport numpi\n```\n",
            "language": "markdown"
        }],
        ["scan_code", { "text": "import express from 'express';\nimport lodahs from 'lodahs';\n", "language": "js" }],
        ["suggest_packages", { "name": "reqeusts", "ecosystem": "pypi" }],
        ["suggest_packages", { "name": "requests", "ecosystem": "pypi", "limit": 3 }],
        ["explain_signal", { "code": "DP101" }],
        ["explain_signal", { "code": "typosquat" }],
        // Bad arguments.
        ["explain_signal", { "code": "DP999" }],
        ["check_packages", { "names": "requests" }],
        ["check_packages", { "names": ["x"], "ecosystem": "cargo" }],
        ["check_packages", {}],
        ["check_packages", { "names": [] }],
        ["scan_code", { "text": "x", "language": "cobol" }],
        ["suggest_packages", { "name": "x", "limit": 0 }],
        ["no_such_tool", {}]
    ])
}

fn drive(python: &PathBuf, args: &[&str]) -> Value {
    drive_calls(python, &calls(), args)
}

/// Drives the server with `calls` instead of the usual ones.
fn drive_calls(python: &PathBuf, calls: &Value, args: &[&str]) -> Value {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = fresh_dir(&format!("mcp-{}-{n}", args[0]));
    let calls_path = dir.join("calls.json");
    std::fs::write(&calls_path, calls.to_string()).unwrap();
    let script = root().join("crates/depproof/tests/fixtures/mcp_client.py");
    let out = Command::new(python)
        .arg(&script)
        .arg(args[0])
        .arg(&calls_path)
        .args(&args[1..])
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .output()
        .expect("run the MCP client");
    assert!(
        out.status.success(),
        "the MCP client failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the MCP client printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn call(seen: &Value, i: usize) -> &Value {
    let c = &seen["calls"][i];
    assert_eq!(c["tool"], calls()[i][0], "call {i}");
    c
}

/// The structured answer of a successful call, which its text repeats as JSON.
fn ok(seen: &Value, i: usize) -> &Value {
    let c = call(seen, i);
    assert_eq!(c["is_error"], false, "call {i}: {c}");
    let text: Value = serde_json::from_str(c["text"][0].as_str().unwrap()).unwrap();
    assert_eq!(text, c["structured"], "call {i}");
    &c["structured"]
}

/// The message of a call that failed as a tool error the model can read.
fn tool_error(seen: &Value, i: usize) -> String {
    let c = call(seen, i);
    assert_eq!(c["is_error"], true, "call {i}: {c}");
    c["text"][0].as_str().unwrap().to_owned()
}

fn cli_check(names: &[&str], eco: Option<&str>) -> Value {
    let mut args = vec!["check", "--no-config", "--format", "json"];
    if let Some(e) = eco {
        args.extend(["--ecosystem", e]);
    }
    args.extend_from_slice(names);
    let o = run_in(&root(), &args, None);
    serde_json::from_slice(&o.stdout).unwrap()
}

fn judge(seen: &Value) {
    assert_eq!(seen["server"], "depproof");
    assert!(
        seen["instructions"]
            .as_str()
            .unwrap()
            .contains("check_packages"),
        "{}",
        seen["instructions"]
    );
    let mut names: Vec<&str> = seen["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "check_packages",
            "explain_signal",
            "scan_code",
            "suggest_packages"
        ]
    );
    for t in seen["tools"].as_array().unwrap() {
        assert!(t["description"].as_str().unwrap().len() > 60, "{t}");
        assert_eq!(t["input_schema"]["type"], "object", "{t}");
        assert_eq!(t["output_schema"]["type"], "object", "{t}");
        assert_eq!(t["read_only"], true, "{t}");
    }
    let check_tool = seen["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "check_packages")
        .unwrap();
    assert_eq!(check_tool["input_schema"]["required"], json!(["names"]));

    // check_packages agrees with `depproof check`.
    let answer = ok(seen, 0);
    let cli = cli_check(&["requests", "numpi", "reqeusts"], Some("pypi"));
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (a, c) in results.iter().zip(cli["results"].as_array().unwrap()) {
        assert_eq!(a["name"], c["name"]);
        assert_eq!(a["verdict"], c["verdict"], "{a}");
    }
    assert_eq!(results[0]["answer"], "exists");
    assert_eq!(results[0]["found"][0]["name"], "requests");
    assert!(
        results[0]["found"][0]["popularity"]
            .as_str()
            .unwrap()
            .contains("most downloaded")
    );
    let numpi = &results[1];
    assert!(
        numpi["answer"]
            .as_str()
            .unwrap()
            .starts_with("exists but suspicious: "),
        "{numpi}"
    );
    assert!(
        numpi["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "DP101")
    );
    assert_eq!(numpi["did_you_mean"][0]["name"], "numpy");
    assert!(numpi["what_to_do"].is_string(), "{numpi}");
    let reqeusts = &results[2];
    assert_eq!(reqeusts["answer"], "does not exist");
    assert_eq!(reqeusts["verdict"], "block");
    assert_eq!(
        reqeusts["did_you_mean"][0]["name"],
        cli["results"][2]["suggestions"][0]["name"]
    );
    assert!(
        answer["snapshots"][0]
            .as_str()
            .unwrap()
            .contains("PyPI snapshot")
    );

    // Without an ecosystem: both, as the CLI.
    let lodash = &ok(seen, 1)["results"][0];
    let cli = cli_check(&["lodash"], None);
    assert_eq!(lodash["verdict"], cli["results"][0]["verdict"]);
    assert_eq!(lodash["found"].as_array().unwrap().len(), 2, "{lodash}");

    // scan_code: findings with their lines.
    let scan = ok(seen, 2);
    let find = |scan: &Value, name: &str| -> Value {
        scan["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {scan}"))
            .clone()
    };
    let r = find(scan, "reqeusts");
    assert_eq!(r["answer"], "does not exist");
    assert_eq!(r["lines"], json!([4]));
    assert_eq!(r["uses"], json!(["install command"]));
    assert_eq!(r["did_you_mean"][0]["name"], "requests");
    assert_eq!(find(scan, "flask")["verdict"], "ok");
    let n = find(scan, "numpi");
    assert_eq!(n["verdict"], "warn");
    assert_eq!(n["lines"], json!([8]));
    assert!(
        scan["summary"]
            .as_str()
            .unwrap()
            .starts_with("3 packages: 1 blocked, 1 to look at, 1 ok")
    );
    let js = ok(seen, 3);
    assert_eq!(find(js, "express")["verdict"], "ok");
    assert_eq!(find(js, "lodahs")["lines"], json!([2]));
    assert_ne!(find(js, "lodahs")["verdict"], "ok");

    // suggest_packages.
    let s = ok(seen, 4);
    assert_eq!(s["exists_in"], json!([]));
    assert_eq!(s["candidates"][0]["name"], "requests");
    assert_eq!(s["candidates"][0]["distance"], 1);
    assert!(s["candidates"][0]["popularity"].is_string());
    let s = ok(seen, 5);
    assert_eq!(s["exists_in"], json!(["pypi"]));
    let n = s["candidates"].as_array().unwrap().len();
    assert!((1..=3).contains(&n), "{s}");

    // explain_signal says what `depproof explain` says.
    let e = ok(seen, 6);
    assert_eq!(e["code"], "DP101");
    assert_eq!(e["name"], "typosquat");
    let md = run_in(&root(), &["explain", "DP101"], None);
    let md = String::from_utf8_lossy(&md.stdout).into_owned();
    for field in ["meaning", "why", "fix"] {
        let words: String = e[field].as_str().unwrap().chars().take(40).collect();
        assert!(md.contains(&words), "{field}: {words} not in\n{md}");
    }
    assert_eq!(ok(seen, 7), e);

    // Bad arguments: errors the model can read, naming what is wrong.
    let m = tool_error(seen, 8);
    assert!(m.contains("DP999") && m.contains("DP101 typosquat"), "{m}");
    let m = tool_error(seen, 9);
    assert!(m.contains("expected a sequence"), "{m}");
    let m = tool_error(seen, 10);
    assert!(m.contains("cargo") && m.contains("pypi"), "{m}");
    let m = tool_error(seen, 11);
    assert!(m.contains("names"), "{m}");
    let m = tool_error(seen, 12);
    assert!(m.contains("at least one name"), "{m}");
    let m = tool_error(seen, 13);
    assert!(m.contains("cobol") && m.contains("markdown"), "{m}");
    let m = tool_error(seen, 14);
    assert!(m.contains("limit"), "{m}");
    let c = call(seen, 15);
    assert_eq!(c["protocol_error"]["code"], -32602, "{c}");
}

#[test]
fn python_sdk_over_stdio() {
    let Some(python) = python() else { return };
    let bin = env!("CARGO_BIN_EXE_depproof");
    let seen = drive(&python, &["stdio", bin, "mcp", "--no-config"]);
    judge(&seen);
}

#[test]
fn python_sdk_over_streamable_http() {
    let Some(python) = python() else { return };
    let server = serve_support::start(&["mcp", "--http", "127.0.0.1:0", "--no-config"], &[]);
    let url = format!("http://{}/mcp", server.addr);
    let seen = drive(&python, &["http", &url]);
    judge(&seen);
}

#[test]
fn streamable_http_needs_the_token_when_one_is_set() {
    let Some(python) = python() else { return };
    let token = "mcp-test-token";
    let server = serve_support::start(
        &["mcp", "--http", "127.0.0.1:0", "--no-config"],
        &[("DEPPROOF_API_TOKEN", token)],
    );
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": { "name": "test", "version": "1" } }
    })
    .to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    let a = serve_support::request(&server.addr, "POST", "/mcp", &headers, init.as_bytes());
    a.error(401, "unauthorized");
    // The SDK with the token gets through.
    let url = format!("http://{}/mcp", server.addr);
    let seen = drive(&python, &["http", &url, token]);
    judge(&seen);
}

#[test]
fn live_answers_over_mcp() {
    let Some(python) = python() else { return };
    // Names the partial npm snapshot does not hold, settled by a local registry.
    let registry = fake_npm::FakeNpm::start();
    registry.publish(fake_npm::document(
        "zq-mcp-old-kit",
        &[("1.0.0", "2018-03-01T00:00:00.000Z")],
    ));
    let cache = fresh_dir("mcp-live-cache");
    let server = serve_support::start(
        &[
            "mcp",
            "--http",
            "127.0.0.1:0",
            "--no-config",
            "--live",
            "--npm-url",
            &registry.url(),
        ],
        &[("DEPPROOF_CACHE_DIR", cache.to_str().unwrap())],
    );
    let url = format!("http://{}/mcp", server.addr);
    let calls = json!([
        ["check_packages", { "names": ["zq-mcp-old-kit", "zq-mcp-invented-kit"], "ecosystem": "npm" }],
        ["scan_code", { "text": "npm install zq-mcp-invented-kit\n", "language": "shell" }],
    ]);
    let seen = drive_calls(&python, &calls, &["http", &url]);
    let check = &seen["calls"][0];
    assert_eq!(check["is_error"], false, "{check}");
    let results = check["structured"]["results"].as_array().unwrap();
    let answer = |name: &str| {
        results
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {check}"))["answer"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(answer("zq-mcp-old-kit").starts_with("exists"), "{check}");
    assert!(
        answer("zq-mcp-invented-kit").starts_with("does not exist"),
        "asked live, the registry has none: {check}"
    );
    let scan = &seen["calls"][1];
    assert_eq!(scan["is_error"], false, "{scan}");
    assert!(
        scan["structured"].to_string().contains("does not exist"),
        "{scan}"
    );
    let asked = registry.requests();
    assert!(
        asked.iter().any(|r| r == "/zq-mcp-invented-kit"),
        "{asked:?}"
    );
    assert!(asked.iter().any(|r| r == "/zq-mcp-old-kit"), "{asked:?}");
}
