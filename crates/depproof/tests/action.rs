//! The GitHub Action (`action.yml`): its shape, and its scan and verdict steps run by bash
//! the way the runner runs them, on a pull request's merge commit in a shallow clone.
//! Only GitHub's own parts (the cache, the SARIF upload) are not run here.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use support::{fresh_dir, git, root};
use yaml_rust2::{Yaml, YamlLoader};

fn action() -> Yaml {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    YamlLoader::load_from_str(&text)
        .expect("action.yml is YAML")
        .remove(0)
}

fn step<'a>(action: &'a Yaml, name: &str) -> &'a Yaml {
    action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name}"))
}

#[test]
fn a_composite_action_that_scans_uploads_and_summarizes() {
    let a = action();
    assert_eq!(a["runs"]["using"].as_str(), Some("composite"));
    for input in [
        "path",
        "diff",
        "fail-on",
        "upload-sarif",
        "sarif-file",
        "summary",
        "version",
    ] {
        assert!(!a["inputs"][input].is_badvalue(), "input {input}");
    }
    let upload = step(&a, "Upload SARIF");
    assert!(
        upload["uses"]
            .as_str()
            .unwrap()
            .starts_with("github/codeql-action/upload-sarif@")
    );
    let build = step(&a, "Build depproof")["run"].as_str().unwrap();
    assert!(
        build.contains("cargo \"+$RUST\" install --locked"),
        "{build}"
    );
    assert!(build.contains("--path \"$GITHUB_ACTION_PATH/crates/depproof\""));
    assert!(build.contains("--git https://github.com/depproof/depproof"));
    // The crate the action builds is this one.
    assert!(root().join("crates/depproof/Cargo.toml").is_file());
    // Every step that runs a script says its shell (composite actions require it).
    for s in a["runs"]["steps"].as_vec().unwrap() {
        if !s["run"].is_badvalue() {
            assert_eq!(s["shell"].as_str(), Some("bash"), "{:?}", s["name"]);
        }
    }
}

/// Runs a step's script with bash, `env` as the runner would set it from `with:`.
fn run_step(a: &Yaml, name: &str, dir: &Path, env: &HashMap<&str, String>) -> std::process::Output {
    let script = step(a, name)["run"].as_str().unwrap();
    assert!(
        !script.contains("${{"),
        "{name}: expressions belong in `env:`, not in the script"
    );
    let declared: Vec<&str> = step(a, name)["env"]
        .as_hash()
        .map(|h| h.keys().filter_map(Yaml::as_str).collect())
        .unwrap_or_default();
    for k in env.keys() {
        assert!(
            declared.contains(k) || k.starts_with("GITHUB_") || k.starts_with("RUNNER_"),
            "{name}: {k} is not in the step's env"
        );
    }
    Command::new("bash")
        .args(["-e", "-c", script])
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap()
}

#[test]
fn the_scan_step_reports_what_a_pull_request_adds() {
    let a = action();
    let base = fresh_dir("action");
    let origin = base.join("origin");
    std::fs::create_dir_all(&origin).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    std::fs::write(origin.join("requirements.txt"), "flask\ncolourama\n").unwrap();
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "base"]);
    let base_sha = git(&origin, &["rev-parse", "HEAD"]);
    git(&origin, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        origin.join("requirements.txt"),
        "flask\ncolourama\nflask-jwt-simple-auth\n",
    )
    .unwrap();
    git(&origin, &["commit", "-q", "-am", "add auth"]);
    // The base moves on after the branch, as bases do.
    git(&origin, &["checkout", "-q", "main"]);
    std::fs::write(origin.join("app.py"), "import requests\n").unwrap();
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "app"]);
    // GitHub's merge commit for the pull request, checked out as actions/checkout does:
    // one commit deep.
    git(&origin, &["checkout", "-q", "-b", "pull/1/merge"]);
    git(
        &origin,
        &["merge", "-q", "--no-ff", "-m", "merge", "feature"],
    );
    let work = base.join("work");
    git(
        &base,
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "pull/1/merge",
            &format!("file://{}", origin.display()),
            "work",
        ],
    );

    let temp = base.join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let output = base.join("github-output");
    let summary = base.join("step-summary");
    std::fs::write(&summary, "").unwrap();
    let mut env: HashMap<&str, String> = HashMap::new();
    env.insert("DEPPROOF_BIN", env!("CARGO_BIN_EXE_depproof").to_owned());
    env.insert("ROOT", String::new());
    env.insert("SCAN_PATH", ".".into());
    env.insert("DIFF", "auto".into());
    env.insert("FAIL_ON", String::new());
    env.insert("SARIF", "depproof.sarif".into());
    env.insert("SUMMARY", "true".into());
    env.insert("ARGS", "--no-config".into());
    env.insert("EVENT", "pull_request".into());
    env.insert("BASE_SHA", base_sha);
    env.insert(
        "LINK_BASE",
        "https://github.com/acme/app/blob/0123abc/".into(),
    );
    env.insert("GITHUB_OUTPUT", output.display().to_string());
    env.insert("GITHUB_STEP_SUMMARY", summary.display().to_string());
    env.insert("RUNNER_TEMP", temp.display().to_string());
    let o = run_step(&a, "Scan", &work, &env);
    let log = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "the scan step itself succeeds: {log}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "exit-code=1\n");
    // The log has the human report: only the package the pull request adds.
    assert!(log.contains("flask-jwt-simple-auth"), "{log}");
    assert!(
        !log.contains("colourama"),
        "not added by the pull request: {log}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("### depproof: 1 package blocks"), "{md}");
    assert!(
        md.contains("(https://github.com/acme/app/blob/0123abc/requirements.txt#L3)"),
        "{md}"
    );
    assert!(!md.contains("colourama"), "{md}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.join("depproof.sarif")).unwrap()).unwrap();
    support::sarif().assert_valid(&sarif, "the action's SARIF");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["properties"]["package"], "flask-jwt-simple-auth");

    // The verdict step fails the job on 1 and 2, not on 0.
    for (status, code) in [("0", 0), ("1", 1), ("2", 2)] {
        let mut env = HashMap::new();
        env.insert("STATUS", status.to_owned());
        let o = run_step(&a, "Verdict", &work, &env);
        assert_eq!(o.status.code(), Some(code), "status {status}");
    }
}
