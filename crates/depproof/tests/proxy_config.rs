//! `depproof proxy` settings from `--proxy-config`, and failing closed when the upstream
//! is not there at all. No registry server needed.

mod guard_support;

use std::time::Duration;

use guard_support::*;

#[test]
fn settings_come_from_the_file_and_a_missing_upstream_is_refused() {
    let base = fresh_dir("proxy-config");
    // A port nothing listens on.
    let dead = free_port();
    let audit = base.join("audit.jsonl");
    std::fs::write(
        base.join("proxy.toml"),
        format!(
            "npm-upstream = \"http://127.0.0.1:{dead}/\"\nconnect-timeout = 2\ntimeout = 5\n\
             audit-log = \"{}\"\nallow = [\"lodahs\"]\n",
            audit.display()
        ),
    )
    .unwrap();
    let (proxy, addr) = proxy(&["--proxy-config", "proxy.toml"], &base);

    let (status, body) = http_get(addr, "/is-number", "application/json");
    assert_eq!(status, 502, "{body}");
    let err: serde_json::Value = serde_json::from_str(&body).unwrap();
    let message = err["error"].as_str().unwrap();
    assert!(
        message.contains("refused is-number (npm): the upstream cannot answer"),
        "{message}"
    );
    assert!(message.contains("failing closed"), "{message}");

    // The file's allow list: a blocked name goes on to the upstream, recorded as an override.
    let (status, _) = http_get(addr, "/lodahs", "application/json");
    assert_eq!(status, 502);
    let records = audit_records(&audit);
    let r = find_record(&records, "lodahs", "warn").expect("override recorded");
    assert_eq!(r["override"], "--allow");
    assert_eq!(r["verdict"], "block");

    // No PyPI upstream configured: a clear 404, not a request anywhere.
    let (status, body) = http_get(addr, "/simple/six/", "text/html");
    assert_eq!(status, 404);
    assert!(body.contains("no PyPI upstream is configured"), "{body}");
    assert!(proxy.log().contains("listening on"));
}

#[test]
fn unknown_settings_name_the_file_and_the_key() {
    let base = fresh_dir("proxy-config-bad");
    std::fs::write(
        base.join("proxy.toml"),
        "npm-upstrem = \"http://127.0.0.1:1/\"\n",
    )
    .unwrap();
    let o = output_within(
        {
            let mut c = depproof();
            c.args(["proxy", "--no-config", "--proxy-config", "proxy.toml"])
                .current_dir(&base);
            c
        },
        Duration::from_secs(30),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("proxy.toml") && err.contains("npm-upstrem"),
        "{err}"
    );
}

#[test]
fn settings_come_from_the_proxy_table_of_depproof_toml() {
    let base = fresh_dir("proxy-table");
    let dead = free_port();
    std::fs::write(
        base.join("depproof.toml"),
        format!(
            "fail-on = \"block\"\n\n[proxy]\nnpm-upstream = \"http://127.0.0.1:{dead}/\"\n\
             connect-timeout = 2\naudit-log = \"logs/audit.jsonl\"\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(base.join("logs")).unwrap();
    // Started below the file: it is found, and its relative paths are the file's.
    let sub = base.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let mut cmd = depproof();
    cmd.args(["proxy", "--listen", "127.0.0.1:0"])
        .current_dir(&sub);
    let (_proxy, addr) = start_proxy(cmd);
    let (status, body) = http_get(addr, "/is-number", "application/json");
    assert_eq!(status, 502, "{body}");
    let records = audit_records(&base.join("logs/audit.jsonl"));
    assert!(
        records.iter().any(|r| r["package"] == "is-number"),
        "{records:?}"
    );

    // A key the proxy does not know names the file, the table and the key.
    std::fs::write(
        base.join("depproof.toml"),
        "[proxy]\nnpm-upstrem = \"http://127.0.0.1:1/\"\n",
    )
    .unwrap();
    let o = output_within(
        {
            let mut c = depproof();
            c.args(["proxy"]).current_dir(&sub);
            c
        },
        Duration::from_secs(30),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("depproof.toml") && err.contains("[proxy]") && err.contains("npm-upstrem"),
        "{err}"
    );
}
