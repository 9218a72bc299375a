//! `depproof proxy` with the real pip, uv and npm as clients, in front of pypiserver and
//! Verdaccio on 127.0.0.1, each loaded with real packages and test packages named like
//! invented ones. Then the upstream is stopped: requests are refused, nothing hangs.

mod guard_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use guard_support::*;

const LIMIT: Duration = Duration::from_secs(120);

fn pip(
    tools: &Tools,
    home: &Path,
    index: &str,
    target: &Path,
    names: &[&str],
) -> std::process::Output {
    let mut cmd = Command::new(tools.bin().join("pip"));
    cmd.args(["install", "--index-url", index, "--target"])
        .arg(target)
        .args(names);
    isolate_pip(&mut cmd, home);
    output_within(cmd, LIMIT)
}

fn uv(
    tools: &Tools,
    home: &Path,
    index: &str,
    target: &Path,
    names: &[&str],
) -> std::process::Output {
    let mut cmd = Command::new(&tools.uv);
    cmd.args(["pip", "install", "--python"])
        .arg(&tools.python)
        .args(["--index-url", index, "--target"])
        .arg(target)
        .args(names);
    isolate_pip(&mut cmd, home);
    output_within(cmd, LIMIT)
}

#[test]
fn pip_and_uv_through_the_proxy() {
    let Some(tools) = tools() else { return };
    let base = fresh_dir("proxy-pypi");
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let packages = base.join("packages");
    pypi_registry_dir(&tools, &packages, &["flask-gpt-helperz"]);
    let (mut upstream, up) = pypiserver(&tools, &packages);
    let audit = base.join("audit.jsonl");
    let (proxy, addr) = proxy(
        &[
            "--pypi-upstream",
            &format!("http://{up}/simple/"),
            "--audit-log",
            audit.to_str().unwrap(),
            "--cache-ttl",
            "0",
            "--timeout",
            "10",
            "--connect-timeout",
            "2",
        ],
        &base,
    );
    let index = format!("http://{addr}/simple/");

    // Without the proxy, the registry installs the invented name: the proxy is what stops it.
    let o = pip(
        &tools,
        &home,
        &format!("http://{up}/simple/"),
        &base.join("direct"),
        &["flask-gpt-helperz"],
    );
    assert!(o.status.success(), "{}", all_output(&o));

    let o = pip(&tools, &home, &index, &base.join("t-pip"), &["six"]);
    let out = all_output(&o);
    assert!(o.status.success(), "{out}\n{}", proxy.log());
    assert!(base.join("t-pip/six.py").is_file());

    // Refused: pip lists the placeholder version that spells the reason.
    for name in ["flask-gpt-helperz", "reqeusts"] {
        let o = pip(&tools, &home, &index, &base.join("t-pip-no"), &[name]);
        let out = all_output(&o);
        assert!(!o.status.success(), "{out}");
        assert!(out.contains("refused.by.depproof"), "{out}");
        assert!(out.contains("does.not.exist.on.pypi"), "{out}");
    }
    assert!(!base.join("t-pip-no/flask_gpt_helperz").exists());

    // uv prints the whole reason.
    let o = uv(&tools, &home, &index, &base.join("t-uv"), &["idna"]);
    assert!(o.status.success(), "{}", all_output(&o));
    let o = uv(
        &tools,
        &home,
        &index,
        &base.join("t-uv-no"),
        &["flask-gpt-helperz"],
    );
    let out = all_output(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("depproof refused flask-gpt-helperz (PyPI): block: `flask-gpt-helperz` does not exist on PyPI [DP001]"),
        "{out}"
    );

    // Both forms of the Simple API, chosen by Accept; the refused placeholder is a 404.
    let (status, body) = http_get(addr, "/simple/six/", "application/vnd.pypi.simple.v1+json");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(
        addr,
        "/simple/reqeusts/",
        "application/vnd.pypi.simple.v1+json",
    );
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let file_url = doc["files"][0]["url"].as_str().unwrap().to_owned();
    assert!(
        doc["files"][0]["yanked"]
            .as_str()
            .unwrap()
            .contains("DP001"),
        "{body}"
    );
    let (status, body) = http_get(addr, "/simple/reqeusts/", "text/html");
    assert_eq!(status, 200);
    assert!(
        body.contains("data-yanked=\"depproof refused reqeusts"),
        "{body}"
    );
    let (status, body) = http_get(addr, &file_url, "*/*");
    assert_eq!(status, 404);
    assert!(body.contains("depproof refused reqeusts"), "{body}");

    // No traversal, no open proxying.
    for target in [
        "/simple/../../etc/passwd",
        "/-/pypi-files/0/%2e%2e/x",
        "http://example.com/simple/six/",
    ] {
        let (status, body) = http_get(addr, target, "*/*");
        assert_eq!(status, 400, "{target}: {body}");
    }

    // The audit log holds both decisions.
    let records = audit_records(&audit);
    let allowed = find_record(&records, "six", "allow").expect("six allowed");
    assert_eq!(allowed["ecosystem"], "pypi");
    assert_eq!(allowed["verdict"], "ok");
    let refused = find_record(&records, "flask-gpt-helperz", "refuse").expect("refusal recorded");
    assert_eq!(refused["verdict"], "block");
    assert_eq!(refused["signals"], serde_json::json!(["DP001"]));
    assert!(
        refused["client"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    assert!(refused["time"].as_str().unwrap().ends_with('Z'));
    assert!(
        records.iter().any(|r| r["package"] == "six"
            && r["request"] == "download"
            && r["version"] == "1.17.0"),
        "downloads go through the proxy and record their version: {records:?}"
    );

    // The upstream stops: refused with the reason, and nothing hangs.
    upstream.kill();
    let (status, body) = http_get(addr, "/simple/idna/", "text/html");
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("the upstream cannot answer"), "{body}");
    assert!(body.contains("failing closed"), "{body}");
    let o = pip(&tools, &home, &index, &base.join("t-down"), &["six"]);
    assert!(!o.status.success(), "{}", all_output(&o));
    assert!(
        proxy.log().contains("the upstream cannot answer"),
        "{}",
        proxy.log()
    );
}

fn npm(home: &Path, project: &Path, registry: &str, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("npm");
    cmd.arg("install")
        .args(["--registry", registry])
        .args(args)
        .current_dir(project);
    isolate_npm(&mut cmd, home);
    output_within(cmd, LIMIT)
}

#[test]
fn npm_through_the_proxy() {
    let Some(tools) = tools() else { return };
    let base = fresh_dir("proxy-npm");
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();
    npm_registry_storage(
        &tools,
        &base,
        &["lodahs", "zzq-invented-helper", "@zzq-invented/left-padz"],
    );
    let (mut upstream, up) = verdaccio(&tools, &base);
    let audit = base.join("audit.jsonl");
    let (proxy, addr) = proxy(
        &[
            "--npm-upstream",
            &format!("http://{up}/"),
            "--audit-log",
            audit.to_str().unwrap(),
            "--fail-on",
            "warn",
            "--cache-ttl",
            "0",
            "--timeout",
            "10",
            "--connect-timeout",
            "2",
        ],
        &base,
    );
    let registry = format!("http://{addr}/");
    let project = base.join("project");
    npm_project(&project);

    let o = npm(
        &home,
        &project,
        &registry,
        &["ms", "is-number", "@types/ms"],
    );
    let out = all_output(&o);
    assert!(o.status.success(), "{out}\n{}", proxy.log());
    assert!(
        project
            .join("node_modules/is-number/package.json")
            .is_file()
    );
    let lock = std::fs::read_to_string(project.join("package-lock.json")).unwrap();
    assert!(
        lock.contains(&format!("{registry}ms/-/ms-2.1.3.tgz")),
        "tarballs come through the proxy: {lock}"
    );

    // Verdaccio has both test packages; the proxy refuses them with the reason npm prints.
    let o = npm(&home, &project, &registry, &["lodahs"]);
    let out = all_output(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("403 Forbidden"), "{out}");
    assert!(
        out.contains("depproof refused lodahs (npm): block: `lodahs` looks like `lodash`"),
        "{out}"
    );
    let o = npm(&home, &project, &registry, &["zzq-invented-helper"]);
    let out = all_output(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("depproof refused zzq-invented-helper (npm): warn"),
        "{out}"
    );
    assert!(!project.join("node_modules/lodahs").exists());
    // Scoped names: the document and tarball paths of an established one work (above),
    // an invented one is refused.
    assert!(
        project
            .join("node_modules/@types/ms/package.json")
            .is_file()
    );
    let o = npm(&home, &project, &registry, &["@zzq-invented/left-padz"]);
    let out = all_output(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("depproof refused @zzq-invented/left-padz (npm)"),
        "{out}"
    );

    // Tarballs of a refused package are refused too.
    let (status, body) = http_get(addr, "/lodahs/-/lodahs-1.0.0.tgz", "*/*");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("depproof refused lodahs"), "{body}");

    let records = audit_records(&audit);
    assert!(
        find_record(&records, "is-number", "allow").is_some(),
        "{records:?}"
    );
    let r = find_record(&records, "lodahs", "refuse").expect("refusal recorded");
    assert_eq!(r["ecosystem"], "npm");
    assert_eq!(r["verdict"], "block");
    assert!(
        r["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "DP101"),
        "{r}"
    );
    let tarball = records
        .iter()
        .find(|r| r["package"] == "ms" && r["request"] == "download")
        .expect("tarball download recorded");
    assert_eq!(tarball["version"], "2.1.3");

    // The upstream stops: npm fails with the proxy's reason, within its timeouts.
    upstream.kill();
    std::fs::remove_dir_all(home.join("npm-cache")).unwrap();
    std::fs::remove_dir_all(project.join("node_modules")).unwrap();
    std::fs::remove_file(project.join("package-lock.json")).unwrap();
    let o = npm(&home, &project, &registry, &["ms"]);
    let out = all_output(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("the upstream cannot answer"), "{out}");
    assert!(out.contains("failing closed"), "{out}");
}

#[test]
fn npm_through_the_proxy_to_an_upstream_that_needs_credentials() {
    let Some(tools) = tools() else { return };
    let base = fresh_dir("proxy-npm-auth");
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();
    npm_registry_storage(&tools, &base, &[]);
    // One Verdaccio user, in the SHA-1 htpasswd form Verdaccio reads.
    let password = "p@ss:w0rd-zq";
    let hash = Command::new(&tools.python)
        .args([
            "-c",
            "import base64, hashlib, sys; \
             print(base64.b64encode(hashlib.sha1(sys.argv[1].encode()).digest()).decode())",
            password,
        ])
        .output()
        .unwrap();
    std::fs::write(
        base.join("htpasswd"),
        format!("alice:{{SHA}}{}\n", text(&hash.stdout).trim()),
    )
    .unwrap();
    let (mut upstream, up) = verdaccio_for(&tools, &base, "$authenticated");
    let project = base.join("project");
    npm_project(&project);

    // Without credentials the upstream refuses, and so the install fails.
    let (anonymous, addr) = proxy(&["--npm-upstream", &format!("http://{up}/")], &base);
    let o = npm(&home, &project, &format!("http://{addr}/"), &["ms"]);
    assert!(!o.status.success(), "{}", all_output(&o));
    drop(anonymous);

    // With them in the upstream URL (percent-encoded, as in any URL), it succeeds, and
    // the password shows nowhere: not in the proxy's output, the audit log, npm's output
    // or the lockfile.
    let audit = base.join("audit.jsonl");
    let url = format!("http://alice:p%40ss%3Aw0rd-zq@{up}/");
    let (proxy, addr) = proxy(
        &[
            "--npm-upstream",
            &url,
            "--audit-log",
            audit.to_str().unwrap(),
            "--timeout",
            "10",
            "--connect-timeout",
            "2",
        ],
        &base,
    );
    let registry = format!("http://{addr}/");
    let o = npm(&home, &project, &registry, &["ms", "is-number"]);
    let out = all_output(&o);
    assert!(o.status.success(), "{out}\n{}", proxy.log());
    assert!(project.join("node_modules/ms/package.json").is_file());
    assert!(
        proxy.log().contains("(with credentials)"),
        "{}",
        proxy.log()
    );

    // The upstream gone: refused, the message naming the upstream without the password.
    upstream.kill();
    let o = npm(&home, &project, &registry, &["@types/ms"]);
    let failed = all_output(&o);
    assert!(!o.status.success(), "{failed}");
    assert!(failed.contains("the upstream cannot answer"), "{failed}");

    let lock = std::fs::read_to_string(project.join("package-lock.json")).unwrap();
    let audit_text = std::fs::read_to_string(&audit).unwrap();
    for (what, seen) in [
        ("npm", &out),
        ("npm, failing", &failed),
        ("the proxy", &proxy.log()),
        ("the audit log", &audit_text),
        ("the lockfile", &lock),
    ] {
        assert!(
            !seen.contains("w0rd") && !seen.contains("alice"),
            "{what} shows the credentials: {seen}"
        );
    }
}
