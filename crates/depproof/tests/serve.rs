//! `depproof serve`, the HTTP API, over real HTTP: answers agree with `depproof check`
//! and `depproof scan`, bad input gets structured 4xx JSON errors, the bearer token is
//! enforced, and the served OpenAPI document is the committed one.

mod serve_support;
mod support;

use std::io::Write;

use serde_json::{Value, json};
use serve_support::{get, post_json, request, start};
use support::{check_schema, run_in, scan_schema};

fn serve(extra: &[&str], env: &[(&str, &str)]) -> serve_support::Server {
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--no-config"];
    args.extend_from_slice(extra);
    start(&args, env)
}

fn cli_json(args: &[&str], stdin: Option<&[u8]>) -> Value {
    let o = run_in(&support::root(), args, stdin);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "depproof {args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn check_answers_as_the_cli_does() {
    let server = serve(&[], &[]);
    // A popular name, a typosquat that exists, a misspelling that does not exist.
    let names = ["requests", "numpi", "reqeusts"];
    let a = post_json(
        &server.addr,
        "/v1/check",
        &json!({ "ecosystem": "pypi", "names": names }).to_string(),
    );
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.header("content-type"), Some("application/json"));
    let doc = a.json();
    check_schema().assert_valid(&doc, "the /v1/check answer");
    let mut args = vec![
        "check",
        "--no-config",
        "--ecosystem",
        "pypi",
        "--format",
        "json",
    ];
    args.extend_from_slice(&names);
    let cli = cli_json(&args, None);
    assert_eq!(doc["results"], cli["results"]);
    assert_eq!(doc["summary"], cli["summary"]);
    assert_eq!(doc["snapshots"], cli["snapshots"]);
    let r = &doc["results"];
    assert_eq!(r[0]["status"], "exists");
    assert_eq!(r[0]["verdict"], "ok");
    assert_eq!(r[1]["status"], "exists");
    assert_eq!(r[1]["verdict"], "warn");
    assert!(
        r[1]["findings"][0]["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "DP101"),
        "{}",
        r[1]
    );
    assert_eq!(r[2]["status"], "does_not_exist");
    assert_eq!(r[2]["verdict"], "block");
    assert_eq!(r[2]["suggestions"][0]["name"], "requests");

    // Without an ecosystem both are asked, as the CLI does.
    let both = post_json(&server.addr, "/v1/check", r#"{"names": ["lodash"]}"#).json();
    let cli = cli_json(
        &["check", "--no-config", "--format", "json", "lodash"],
        None,
    );
    assert_eq!(both["results"], cli["results"]);
    assert_eq!(
        both["results"][0]["ecosystems"].as_array().unwrap().len(),
        2
    );

    // No names is an empty answer, not an error.
    let empty = post_json(&server.addr, "/v1/check", r#"{"names": []}"#);
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json()["results"], json!([]));
}

#[test]
fn scan_of_text_answers_as_the_cli_does() {
    let server = serve(&[], &[]);
    let answer = "To fetch pages:\n\n```bash\npip install reqeusts beautifulsoup4\n```\n\n```python\nimport numpi\nimport requests\n```\n";
    let a = post_json(
        &server.addr,
        "/v1/scan",
        &json!({ "kind": "markdown", "text": answer }).to_string(),
    );
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let doc = a.json();
    scan_schema().assert_valid(&doc, "the /v1/scan answer");
    let cli = cli_json(
        &[
            "scan",
            "--no-config",
            "--format",
            "json",
            "--stdin-kind",
            "markdown",
            "-",
        ],
        Some(answer.as_bytes()),
    );
    // The same findings; the text is called `text` rather than `-`.
    let served = doc["findings"]
        .to_string()
        .replace("\"path\":\"text\"", "\"path\":\"-\"");
    assert_eq!(served, cli["findings"].to_string());
    assert_eq!(doc["summary"], cli["summary"]);
    let verdict = |name: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no finding for {name}: {doc}"))["verdict"]
            .clone()
    };
    assert_eq!(verdict("reqeusts"), "block");
    assert_eq!(verdict("numpi"), "warn");
    assert_eq!(verdict("beautifulsoup4"), "ok");
    let reqeusts = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "reqeusts")
        .unwrap();
    assert_eq!(reqeusts["references"][0]["location"]["line"], 4);

    // Another kind: Python source.
    let py = post_json(
        &server.addr,
        "/v1/scan",
        r#"{"kind": "python", "text": "import yaml\nfrom bs4 import BeautifulSoup\n"}"#,
    )
    .json();
    let names: Vec<&str> = py["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"pyyaml"), "{names:?}");
    assert!(names.contains(&"beautifulsoup4"), "{names:?}");
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, text) in files {
        w.start_file(*path, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn paths_of(doc: &Value, name: &str) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no finding for {name}: {doc}"))["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["location"]["path"].as_str().unwrap(),
                r["location"]["line"]
            )
        })
        .collect()
}

#[test]
fn scan_of_files_and_of_an_archive_reads_them_as_a_project() {
    let server = serve(&[], &[]);
    let files = [
        ("requirements.txt", "flask==3.0.0\nreqeusts\n"),
        ("src/app.py", "import flask\nimport yaml\nimport helpers\n"),
        ("src/helpers.py", "X = 1\n"),
        (
            "web/package.json",
            r#"{"dependencies": {"lodash": "^4.17.0"}}"#,
        ),
    ];
    let list: Vec<Value> = files
        .iter()
        .map(|(p, t)| json!({ "path": p, "text": t }))
        .collect();
    let a = post_json(
        &server.addr,
        "/v1/scan",
        &json!({ "files": list }).to_string(),
    );
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let from_json = a.json();
    scan_schema().assert_valid(&from_json, "the /v1/scan answer for files");
    assert_eq!(
        paths_of(&from_json, "flask"),
        ["requirements.txt:1", "src/app.py:1"]
    );
    assert_eq!(paths_of(&from_json, "reqeusts"), ["requirements.txt:2"]);
    assert_eq!(paths_of(&from_json, "pyyaml"), ["src/app.py:2"]);
    assert_eq!(paths_of(&from_json, "lodash"), ["web/package.json:1"]);
    // A module of the project is not a package.
    assert!(!from_json.to_string().contains("\"name\":\"helpers\""));
    assert_eq!(from_json["summary"]["files"], 4);
    // No trace of where the server unpacked them.
    assert!(
        !from_json.to_string().contains("depproof-scan-"),
        "{from_json}"
    );

    let zip = zip_of(&files);
    let z = request(
        &server.addr,
        "POST",
        "/v1/scan",
        &[("Content-Type", "application/zip")],
        &zip,
    );
    assert_eq!(z.status, 200, "{}", String::from_utf8_lossy(&z.body));
    let from_zip = z.json();
    assert_eq!(from_zip["findings"], from_json["findings"]);
    assert_eq!(from_zip["summary"], from_json["summary"]);
}

#[test]
fn bad_input_gets_structured_errors() {
    let server = serve(&["--max-body-bytes", "2000", "--max-names", "5"], &[]);
    let addr = server.addr.as_str();
    let m = post_json(addr, "/v1/check", r#"{"names": ["requests""#).error(400, "malformed_json");
    assert!(m.contains("line 1 column"), "{m}");
    post_json(addr, "/v1/check", "").error(400, "malformed_json");
    post_json(addr, "/v1/check", "\u{0}\u{ff}garbage").error(400, "malformed_json");
    let m = post_json(addr, "/v1/check", r#"{"names": "requests"}"#).error(422, "invalid_request");
    assert!(m.contains("expected a sequence"), "{m}");
    post_json(addr, "/v1/check", r#"{"names": [1, 2]}"#).error(422, "invalid_request");
    post_json(addr, "/v1/check", r#"{"ecosystem": "pypi"}"#).error(422, "invalid_request");
    post_json(addr, "/v1/check", "[]").error(422, "invalid_request");
    let m = post_json(addr, "/v1/check", r#"{"names": ["x"], "extra": 1}"#)
        .error(422, "invalid_request");
    assert!(m.contains("extra"), "{m}");
    let m = post_json(
        addr,
        "/v1/check",
        r#"{"ecosystem": "cargo", "names": ["serde"]}"#,
    )
    .error(422, "invalid_request");
    assert!(m.contains("cargo") && m.contains("pypi"), "{m}");
    let six = json!({ "names": ["a", "b", "c", "d", "e", "f"] }).to_string();
    let m = post_json(addr, "/v1/check", &six).error(422, "too_many_names");
    assert!(m.contains("at most 5"), "{m}");
    let big = json!({ "names": ["x".repeat(3000)] }).to_string();
    let m = post_json(addr, "/v1/check", &big).error(413, "body_too_large");
    assert!(m.contains("2000"), "{m}");
    // A body too large without a length announced up front (chunked).
    let mut chunked = format!(
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..5 {
        chunked.extend_from_slice(format!("{:x}\r\n{}\r\n", 1000, "a".repeat(1000)).as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    serve_support::raw(addr, &chunked).error(413, "body_too_large");
    request(
        addr,
        "POST",
        "/v1/check",
        &[("Content-Type", "text/plain")],
        b"requests",
    )
    .error(415, "unsupported_media_type");

    // Names that break the rules are answers, not errors.
    let a = post_json(
        addr,
        "/v1/check",
        r#"{"ecosystem": "npm", "names": ["UPPER CASE"]}"#,
    );
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["results"][0]["status"], "invalid");

    let m = post_json(addr, "/v1/scan", r#"{"kind": "cobol", "text": "x"}"#)
        .error(422, "invalid_request");
    assert!(m.contains("cobol") && m.contains("markdown"), "{m}");
    post_json(addr, "/v1/scan", "{}").error(422, "invalid_request");
    post_json(addr, "/v1/scan", r#"{"text": "x", "files": []}"#).error(422, "invalid_request");
    post_json(addr, "/v1/scan", r#"{"text": 5}"#).error(422, "invalid_request");
    let m = post_json(
        addr,
        "/v1/scan",
        r#"{"files": [{"path": "../etc/passwd", "text": "x"}]}"#,
    )
    .error(422, "invalid_request");
    assert!(m.contains("inside the project"), "{m}");
    post_json(
        addr,
        "/v1/scan",
        r#"{"files": [{"path": "/abs/requirements.txt", "text": "x"}]}"#,
    )
    .error(422, "invalid_request");
    post_json(
        addr,
        "/v1/scan",
        r#"{"files": [{"path": "a.txt", "text": "x"}, {"path": "a.txt", "text": "y"}]}"#,
    )
    .error(422, "invalid_request");
    post_json(
        addr,
        "/v1/scan",
        r#"{"files": [{"path": "a", "text": "x"}, {"path": "a/b.py", "text": "y"}]}"#,
    )
    .error(422, "invalid_request");
    request(
        addr,
        "POST",
        "/v1/scan",
        &[("Content-Type", "application/zip")],
        b"PK not a zip",
    )
    .error(400, "bad_archive");
    let evil = zip_of(&[("../../outside.txt", "requests\n")]);
    let m = request(
        addr,
        "POST",
        "/v1/scan",
        &[("Content-Type", "application/zip")],
        &evil,
    )
    .error(400, "bad_archive");
    assert!(m.contains("outside"), "{m}");

    get(addr, "/v2/check").error(404, "not_found");
    get(addr, "/v1/check").error(405, "method_not_allowed");
    request(addr, "DELETE", "/healthz", &[], b"").error(405, "method_not_allowed");

    // The server is still there after all that.
    assert_eq!(get(addr, "/healthz").json(), json!({ "status": "ok" }));
}

#[test]
fn bearer_token_guards_the_api() {
    let token = "s3cret-token-for-tests";
    let server = serve(&[], &[("DEPPROOF_API_TOKEN", token)]);
    let addr = server.addr.as_str();
    let body = br#"{"names": ["requests"]}"#;
    let json_type = ("Content-Type", "application/json");
    let none = request(addr, "POST", "/v1/check", &[json_type], body);
    none.error(401, "unauthorized");
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    let wrong = format!("Bearer {token}x");
    request(
        addr,
        "POST",
        "/v1/check",
        &[json_type, ("Authorization", &wrong)],
        body,
    )
    .error(401, "unauthorized");
    request(
        addr,
        "POST",
        "/v1/check",
        &[json_type, ("Authorization", token)],
        body,
    )
    .error(401, "unauthorized");
    get(addr, "/v1/snapshots").error(401, "unauthorized");
    let right = format!("Bearer {token}");
    let ok = request(
        addr,
        "POST",
        "/v1/check",
        &[json_type, ("Authorization", &right)],
        body,
    );
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(ok.json()["results"][0]["status"], "exists");
    // Health and the API's description stay open.
    assert_eq!(get(addr, "/healthz").status, 200);
    assert_eq!(get(addr, "/openapi.json").status, 200);
}

#[test]
fn snapshots_and_openapi_are_served() {
    let server = serve(&[], &[]);
    let snaps = get(&server.addr, "/v1/snapshots");
    assert_eq!(snaps.status, 200);
    let snaps = snaps.json();
    let cli = cli_json(&["check", "--no-config", "--format", "json", "x"], None);
    assert_eq!(snaps["snapshots"], cli["snapshots"]);
    assert_eq!(snaps["overlays"], cli["overlays"]);
    assert_eq!(snaps["tool"], cli["tool"]);

    let served = get(&server.addr, "/openapi.json").json();
    let path = support::root().join("docs/openapi.json");
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        served == committed,
        "docs/openapi.json is not what the server serves: regenerate it with \
         `depproof serve --openapi > docs/openapi.json`"
    );
    let printed = run_in(&support::root(), &["serve", "--openapi"], None);
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout),
        std::fs::read_to_string(&path).unwrap(),
        "docs/openapi.json is exactly what `depproof serve --openapi` prints"
    );
    // Every operation the router answers is described.
    for p in [
        "/v1/check",
        "/v1/scan",
        "/v1/snapshots",
        "/healthz",
        "/openapi.json",
    ] {
        assert!(served["paths"][p].is_object(), "{p} is not in the document");
    }
}

#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use std::io::Read;
    let server = serve(&[], &[]);
    let mut slow = std::net::TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // Served meanwhile.
    let a = post_json(&server.addr, "/v1/check", r#"{"names":["requests"]}"#);
    assert_eq!(a.status, 200);
    // The server closes the half-sent request (after 10 s), well before this limit.
    slow.set_read_timeout(Some(std::time::Duration::from_secs(40)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let read = slow.read_to_end(&mut rest);
    assert!(
        read.is_ok() && started.elapsed() < std::time::Duration::from_secs(40),
        "still open after {:?}: {read:?}",
        started.elapsed()
    );
}
