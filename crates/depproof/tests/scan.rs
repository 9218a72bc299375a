//! `depproof scan` on real trees, files and standard input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn depproof(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_depproof"))
        // The user's own overlays must not change what these tests see.
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run depproof");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn package<'a>(v: &'a Value, eco: &str, name: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ecosystem"] == eco && p["name"] == name)
        .unwrap_or_else(|| panic!("no {eco} package {name} in {:#}", v["findings"]))
}

fn kinds(p: &Value) -> Vec<String> {
    let mut k: Vec<String> = p["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect();
    k.sort();
    k.dedup();
    k
}

#[test]
fn a_real_project_has_no_false_alarm() {
    let dir = examples().join("weather-service");
    let o = depproof(&["scan", "--format", "json", dir.to_str().unwrap()], None);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{:#}", v["findings"]);
    for (eco, name) in [
        ("pypi", "flask"),
        ("pypi", "requests"),
        ("pypi", "pyyaml"),
        ("pypi", "python-dotenv"),
        ("pypi", "redis"),
        ("pypi", "ujson"),
        ("pypi", "gunicorn"),
        ("pypi", "pytest-cov"),
        ("npm", "react"),
        ("npm", "react-dom"),
        ("npm", "lodash"),
        ("npm", "axios"),
        ("npm", "@types/react"),
    ] {
        assert_eq!(package(&v, eco, name)["status"], "exists", "{eco} {name}");
    }
    // `import yaml` is PyYAML, by the import-name table; the project's own `weather` is skipped.
    let yaml = package(&v, "pypi", "pyyaml");
    let import = yaml["references"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "import")
        .unwrap();
    assert_eq!(import["via"]["import"], "yaml");
    assert_eq!(import["via"]["rule"], "table");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != "weather")
    );
    // The guarded ujson import is optional; lodash/debounce is lodash.
    let ujson = package(&v, "pypi", "ujson");
    assert_eq!(ujson["references"][0]["optional"], true);
    assert!(kinds(package(&v, "npm", "lodash")).contains(&"import".to_owned()));
    assert!(v["summary"]["skipped_imports"]["builtin"].as_u64().unwrap() >= 3);
    assert!(v["summary"]["skipped_imports"]["project"].as_u64().unwrap() >= 3);
}

#[test]
fn a_model_answer_with_invented_packages() {
    let file = examples().join("chat-answer.md");
    let o = depproof(&["scan", "--format", "json", file.to_str().unwrap()], None);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1));
    let fake = package(&v, "pypi", "flask-jwt-simple-auth");
    assert_eq!(fake["status"], "does_not_exist");
    assert_eq!(fake["verdict"], "block");
    assert_eq!(fake["signals"][0]["code"], "DP001");
    assert_eq!(fake["signals"][0]["severity"], "critical");
    assert_eq!(fake["signals"][0]["data"]["install_command"], true);
    assert_eq!(kinds(fake), ["import", "install_command"]);
    let r = &fake["references"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "install_command")
        .unwrap()["location"];
    assert_eq!(r["line"], 6);
    assert_eq!(r["column"], 19);
    let npm = package(&v, "npm", "express-jwt-auth-middleware");
    assert_eq!(npm["status"], "unknown");
    assert_eq!(npm["verdict"], "warn");
    assert_eq!(npm["signals"][0]["code"], "DP003");
    assert_eq!(kinds(npm), ["import", "install_command"]);
    assert_eq!(v["summary"]["block"], 1);
    assert_eq!(v["summary"]["warn"], 1);
    assert_eq!(package(&v, "pypi", "flask")["status"], "exists");
    assert_eq!(package(&v, "npm", "express")["status"], "exists");
    // Human output names the problem, the place and the reason.
    let o = depproof(&["scan", file.to_str().unwrap()], None);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "block  flask-jwt-simple-auth (PyPI): `flask-jwt-simple-auth` does not exist on PyPI"
        ),
        "{out}"
    );
    assert!(
        out.contains("chat-answer.md:6:19  install command"),
        "{out}"
    );
}

#[test]
fn standard_input_of_each_kind() {
    let o = depproof(
        &["scan", "--format", "json", "-", "--stdin-kind", "shell"],
        Some(b"pip install reqeusts==2.0 && npm i lodash\n"),
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1));
    let p = package(&v, "pypi", "reqeusts");
    assert_eq!(p["status"], "does_not_exist");
    assert_eq!(p["suggestions"][0]["name"], "requests");
    assert_eq!(p["references"][0]["version"], "==2.0");
    assert_eq!(p["references"][0]["location"]["path"], "-");
    assert_eq!(package(&v, "npm", "lodash")["status"], "exists");

    let o = depproof(
        &["scan", "--format", "json", "-", "--stdin-kind", "python"],
        Some(b"import numpy as np\nimport os\nfrom sklearn import svm\n"),
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(package(&v, "pypi", "scikit-learn")["status"], "exists");
    // Default kind: a chat answer in Markdown.
    let o = depproof(
        &["scan", "--format", "json", "-"],
        Some(b"Install it with `pip install huggingface-cli`.\n"),
    );
    assert_eq!(
        package(&json(&o), "pypi", "huggingface-cli")["status"],
        "does_not_exist"
    );
    let o = depproof(&["scan", "-", "--stdin-kind", "cobol"], Some(b""));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_input_is_reported_and_the_rest_is_scanned() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scan-bad-input");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("good.py"), "import requests\n").unwrap();
    std::fs::write(dir.join("latin1.py"), b"# caf\xe9\nimport numpy\n").unwrap();
    std::fs::write(dir.join("binary.py"), b"\x00\x01\x02import x").unwrap();
    std::fs::write(
        dir.join("package.json"),
        "{\"dependencies\": {\"lodash\": \"^4\",",
    )
    .unwrap();
    std::fs::write(dir.join("pyproject.toml"), "[project\nname = 'x'\n").unwrap();
    std::fs::write(dir.join("huge.py"), "x = 1\n".repeat(400_000)).unwrap();
    std::fs::write(
        dir.join("deep.py"),
        format!(
            "x = {}1{}\nimport flask\n",
            "(".repeat(20_000),
            ")".repeat(20_000)
        ),
    )
    .unwrap();
    std::fs::write(dir.join("notebook.ipynb"), "{\"cells\": [").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&dir, dir.join("pkg/loop")).unwrap();
    let o = depproof(
        &[
            "scan",
            "--format",
            "json",
            "--max-file-size",
            "1",
            "--follow-links",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let v = json(&o);
    let diags: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["path"], d["message"]))
        .collect();
    let has = |file: &str, words: &str| diags.iter().any(|d| d.contains(file) && d.contains(words));
    assert!(has("latin1.py", "UTF-8"), "{diags:#?}");
    assert!(has("binary.py", "binary"), "{diags:#?}");
    assert!(has("huge.py", "limit"), "{diags:#?}");
    assert!(has("notebook.ipynb", ""), "{diags:#?}");
    assert!(diags.iter().any(|d| d.contains("loop")), "{diags:#?}");
    assert_eq!(package(&v, "pypi", "requests")["status"], "exists");
    assert_eq!(package(&v, "pypi", "numpy")["status"], "exists");
    assert_eq!(package(&v, "pypi", "flask")["status"], "exists");
}

#[test]
fn notebooks_and_chat_logs() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scan-notebooks");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let nb = serde_json::json!({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Analysis\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
             "source": ["!pip install pandas-profiling-tools\n", "%matplotlib inline\n", "import pandas as pd\n", "import matplotlib.pyplot as plt\n"]}
        ]
    });
    std::fs::write(dir.join("analysis.ipynb"), nb.to_string()).unwrap();
    let log = serde_json::json!({"messages": [
        {"role": "user", "content": "how do I parse YAML?"},
        {"role": "assistant", "content": "Use PyYAML:\n\n```bash\npip install pyyaml-safe-loader\n```\n"}
    ]});
    std::fs::write(dir.join("chat.jsonl"), format!("{log}\n")).unwrap();
    let o = depproof(&["scan", "--format", "json", dir.to_str().unwrap()], None);
    let v = json(&o);
    let fake = package(&v, "pypi", "pandas-profiling-tools");
    assert_eq!(fake["status"], "does_not_exist");
    assert_eq!(fake["references"][0]["location"]["cell"], 2);
    assert_eq!(fake["references"][0]["location"]["line"], 1);
    assert_eq!(package(&v, "pypi", "pandas")["status"], "exists");
    assert_eq!(package(&v, "pypi", "matplotlib")["status"], "exists");
    let chat = package(&v, "pypi", "pyyaml-safe-loader");
    assert_eq!(chat["status"], "does_not_exist");
    assert_eq!(chat["references"][0]["location"]["cell"], 1);
    let o = depproof(&["scan", dir.to_str().unwrap()], None);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("analysis.ipynb cell 2:1:"), "{out}");
    assert!(out.contains("chat.jsonl message 1:"), "{out}");
}

#[test]
fn requirement_includes_are_followed_outside_the_tree_and_cycles_end() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scan-includes");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proj")).unwrap();
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    std::fs::write(
        dir.join("proj/requirements.txt"),
        "-r ../shared/base.txt\n-r missing.txt\nflask\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("shared/base.txt"),
        "-r ../proj/requirements.txt\nreqeusts==2.0\n",
    )
    .unwrap();
    let o = depproof(
        &[
            "scan",
            "--format",
            "json",
            dir.join("proj").to_str().unwrap(),
        ],
        None,
    );
    let v = json(&o);
    assert_eq!(
        package(&v, "pypi", "flask")["references"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let p = package(&v, "pypi", "reqeusts");
    assert_eq!(p["status"], "does_not_exist");
    assert!(
        p["references"][0]["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("shared/base.txt")
    );
    let diags = v["diagnostics"].to_string();
    assert!(
        diags.contains("`missing.txt` is included but does not exist"),
        "{diags}"
    );
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("depproof-scan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn policy_file_suppressions_and_fail_on() {
    let dir = fresh_dir("policy");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("vendor")).unwrap();
    std::fs::write(
        dir.join("depproof.toml"),
        "[scan]\nexclude = [\"vendor/**\"]\n\n[[allow]]\nname = \"crossenv\"\nreason = \"cross-compiling venvs, reviewed\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("requirements.txt"),
        "# depproof: ignore[not-found]\nreqeusts==2.0\ncolourama\ncrossenv\nflask  # depproof: ignore[DP999]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/app.py"),
        "import flask\nimport flask_jwt_simple_auth  # depproof: ignore[unresolved-import]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("vendor/requirements.txt"),
        "zzz-not-a-real-package-zzz\n",
    )
    .unwrap();

    // The configuration is found from a subfolder too.
    let o = depproof(&["scan", "--format", "json", dir.to_str().unwrap()], None);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "colourama blocks");
    assert!(v["config"].as_str().unwrap().ends_with("depproof.toml"));
    let col = package(&v, "pypi", "colourama");
    assert_eq!(col["verdict"], "block");
    assert!(
        col["summary"]
            .as_str()
            .unwrap()
            .contains("did you mean `colorama`"),
        "{col}"
    );
    let req = package(&v, "pypi", "reqeusts");
    assert_eq!(req["verdict"], "ok");
    assert_eq!(req["signals"].as_array().unwrap().len(), 0);
    assert_eq!(req["suppressed"][0]["code"], "DP001");
    assert_eq!(req["suppressed"][0]["by"], "inline");
    let imp = package(&v, "pypi", "flask-jwt-simple-auth");
    assert_eq!(imp["suppressed"][0]["code"], "DP002");
    let cross = package(&v, "pypi", "crossenv");
    assert_eq!(cross["verdict"], "ok");
    assert_eq!(cross["suppressed"][0]["by"], "allow");
    assert_eq!(
        cross["suppressed"][0]["detail"],
        "cross-compiling venvs, reviewed"
    );
    assert!(
        !v["findings"].to_string().contains("zzz-not-a-real"),
        "vendor/ is excluded by the configuration"
    );
    assert_eq!(v["summary"]["suppressed_signals"], 3);
    assert!(
        v["diagnostics"].to_string().contains("`DP999`"),
        "unknown codes in comments are reported: {}",
        v["diagnostics"]
    );

    // Human output lists suppressed signals with what suppressed them.
    let o = depproof(&["scan", dir.to_str().unwrap()], None);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("(suppressed) DP001 not-found"), "{out}");
    assert!(out.contains("suppressed by a comment at"), "{out}");
    assert!(stderr(&o).contains("DP999"), "{}", stderr(&o));

    // --fail-on decides the exit status.
    let o = depproof(&["scan", "--fail-on", "never", dir.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0));
    // Without the configuration, crossenv's warning and vendor/ come back.
    let o = depproof(
        &[
            "scan",
            "--no-config",
            "--format",
            "json",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let v = json(&o);
    assert_eq!(package(&v, "pypi", "crossenv")["verdict"], "warn");
    assert_eq!(
        package(&v, "pypi", "zzz-not-a-real-package-zzz")["verdict"],
        "block"
    );

    // A broken configuration is a usage error naming the file and the key.
    std::fs::write(dir.join("depproof.toml"), "[thresholds]\nnew-dayz = 3\n").unwrap();
    let o = depproof(&["scan", dir.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("depproof.toml") && err.contains("new-dayz"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
