//! Reports: golden outputs of every format on examples/, validation against the official
//! SARIF 2.1.0 and CycloneDX 1.6 schemas and depproof's own JSON schemas, and the output
//! options (`--format FORMAT:FILE,...`, `--output`, `--color`, `--quiet`).
//!
//! Regenerate the goldens with `DEPPROOF_BLESS=1 cargo test -p depproof --test reports`.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{cyclonedx, fresh_dir, json, root, run_in, sarif, scan_schema, stderr, stdout};

const LINK_BASE: &str = "https://github.com/depproof/depproof/blob/main/";

fn golden_cases() -> Vec<(&'static str, Vec<&'static str>, i32)> {
    let scan = ["scan", "examples", "--no-config", "--color", "never"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        scan.iter().chain(extra).copied().collect()
    };
    let check = ["check", "requests", "reqeusts", "crossenv", "--no-config"];
    vec![
        ("scan.txt", with(&[]), 1),
        ("scan-all.txt", with(&["--all"]), 1),
        ("scan-quiet.txt", with(&["--quiet"]), 1),
        ("scan.json", with(&["--format", "json"]), 1),
        ("scan.sarif", with(&["--format", "sarif"]), 1),
        ("scan.cdx.json", with(&["--format", "cyclonedx"]), 1),
        (
            "scan.md",
            with(&["--format", "markdown", "--link-base", LINK_BASE]),
            1,
        ),
        (
            "check.txt",
            check.iter().chain(&["--color", "never"]).copied().collect(),
            1,
        ),
        (
            "check.json",
            check.iter().chain(&["--format", "json"]).copied().collect(),
            1,
        ),
    ]
}

#[test]
fn golden_outputs_for_each_format() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("DEPPROOF_BLESS").is_some_and(|v| v == "1");
    let root = root();
    let machine = root.to_string_lossy().into_owned();
    let mut failures = Vec::new();
    for (name, args, code) in golden_cases() {
        let o = run_in(&root, &args, None);
        assert_eq!(o.status.code(), Some(code), "{name}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(
            !out.contains(&machine),
            "{name} holds a machine-dependent path ({machine})"
        );
        // Identical input, identical bytes.
        assert_eq!(
            out,
            stdout(&run_in(&root, &args, None)),
            "{name} differs between runs"
        );
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, &out).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; create it with DEPPROOF_BLESS=1", path.display()));
        if want != out {
            failures.push(format!(
                "{name} differs from its golden (`depproof {}`); if the change is deliberate, rerun with DEPPROOF_BLESS=1\n--- golden\n{want}\n--- now\n{out}",
                args.join(" ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A tree with what reports must carry: inline and configured suppressions, a notebook, a
/// chat log, a lockfile pin, dev and optional dependencies, names that are not registry
/// names, a broken file, a path with a space and a non-ASCII name.
fn varied_tree(name: &str) -> std::path::PathBuf {
    let dir = fresh_dir(name);
    std::fs::create_dir_all(dir.join("web")).unwrap();
    std::fs::create_dir_all(dir.join("my app")).unwrap();
    std::fs::write(
        dir.join("depproof.toml"),
        "[[allow]]\nname = \"crossenv\"\nreason = \"cross-compiling venvs, reviewed\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("requirements.txt"),
        "# depproof: ignore[not-found]\nreqeusts==2.0\nflask==3.0.0\ncrossenv\ngit+https://github.com/pallets/click.git#egg=click\ncolourama>=0.4\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("my app/main.py"),
        "import flask\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\nimport café_utils\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("web/package.json"),
        r#"{"name": "web", "dependencies": {"lodash": "4.17.21", "left-pad": "^1.3.0"},
 "devDependencies": {"@types/node": "^20.0.0", "typescript": "5.4.5"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("web/package-lock.json"),
        r#"{"name": "web", "lockfileVersion": 3, "packages": {
 "": {"name": "web"},
 "node_modules/lodash": {"version": "4.17.21"},
 "node_modules/left-pad": {"version": "1.3.0"},
 "node_modules/typescript": {"version": "5.4.5", "dev": true}}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("pyproject.toml"), "[project\nname = 'x'\n").unwrap();
    let nb = json!({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                   "source": ["!pip install pandas-profiling-tools\n", "import pandas\n"]}]
    });
    std::fs::write(dir.join("analysis.ipynb"), nb.to_string()).unwrap();
    let log = json!({"messages": [
        {"role": "user", "content": "parse YAML?"},
        {"role": "assistant", "content": "```bash\npip install pyyaml-safe-loader\n```\n"}
    ]});
    std::fs::write(dir.join("chat.jsonl"), format!("{log}\n")).unwrap();
    dir
}

fn formats(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (Value, Value, Value) {
    let run = |format: &str| {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--format", format]);
        let o = run_in(dir, &a, stdin);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{format}: {}",
            stderr(&o)
        );
        json(&o)
    };
    (run("json"), run("sarif"), run("cyclonedx"))
}

/// What is scanned, where, with which arguments and standard input.
type Case<'a> = (&'a str, &'a Path, Vec<&'a str>, Option<&'a [u8]>);

#[test]
fn every_scan_validates_against_the_official_schemas() {
    let (sarif_schema, cdx_schema, own) = (sarif(), cyclonedx(), scan_schema());
    let empty = fresh_dir("reports-empty");
    let varied = varied_tree("reports-varied");
    let root = root();
    let cases: Vec<Case> = vec![
        (
            "examples",
            &root,
            vec!["scan", "examples", "--no-config"],
            None,
        ),
        ("an empty tree", &empty, vec!["scan", "."], None),
        ("a varied tree", &varied, vec!["scan", "."], None),
        (
            "standard input",
            &root,
            vec!["scan", "-", "--stdin-kind", "shell", "--no-config"],
            Some(b"pip install reqeusts && npm i @types/react\n".as_slice()),
        ),
    ];
    for (what, dir, args, stdin) in cases {
        let (j, s, c) = formats(dir, &args, stdin);
        own.assert_valid(&j, &format!("the JSON report of {what}"));
        sarif_schema.assert_valid(&s, &format!("the SARIF report of {what}"));
        cdx_schema.assert_valid(&c, &format!("the CycloneDX report of {what}"));
        // Every format tells the same story.
        let findings = j["findings"].as_array().unwrap();
        let signals: usize = findings
            .iter()
            .map(|f| {
                let refs = f["references"].as_array().unwrap().len();
                refs * (f["signals"].as_array().unwrap().len()
                    + f["suppressed"].as_array().unwrap().len())
            })
            .sum();
        assert_eq!(
            s["runs"][0]["results"].as_array().unwrap().len(),
            signals,
            "{what}: one SARIF result per signal and location"
        );
        let packages: std::collections::BTreeSet<String> = c["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            packages.len(),
            findings.len(),
            "{what}: a component per package"
        );
    }

    // An empty tree: valid documents with nothing in them.
    let (j, s, c) = formats(&empty, &["scan", "."], None);
    assert_eq!(j["findings"], json!([]));
    assert_eq!(s["runs"][0]["results"], json!([]));
    assert_eq!(c["components"], json!([]));
}

#[test]
fn sarif_carries_rules_locations_fingerprints_and_suppressions() {
    let dir = varied_tree("reports-sarif");
    let (j, s, _) = formats(&dir, &["scan", "."], None);
    let run = &s["runs"][0];
    assert_eq!(s["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "depproof");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // One rule per signal code: as many as docs/signals.md documents.
    let documented = std::fs::read_to_string(root().join("docs/signals.md"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("## DP"))
        .count();
    assert_eq!(ids.len(), documented, "{ids:?}");
    assert!(ids.contains(&"DP001") && ids.contains(&"DP402"));
    for r in rules {
        assert!(
            r["helpUri"]
                .as_str()
                .unwrap()
                .starts_with("https://github.com/depproof/depproof/blob/main/docs/signals.md#dp"),
            "{r}"
        );
        assert!(
            r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("**What to do.**")
        );
    }
    let results = run["results"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the rule");
        assert!(r["partialFingerprints"]["depproofFinding/v1"].is_string());
    }
    let find = |rule: &str, package: &str| -> Vec<&Value> {
        results
            .iter()
            .filter(|r| r["ruleId"] == rule && r["properties"]["package"] == package)
            .collect()
    };
    // colourama does not exist: an error at its line in requirements.txt, with its span.
    let col = find("DP001", "colourama");
    assert_eq!(col.len(), 1);
    assert_eq!(col[0]["level"], "error");
    let loc = &col[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "requirements.txt");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 6);
    assert_eq!(loc["region"]["startColumn"], 1);
    assert_eq!(loc["region"]["endColumn"], 10);
    assert!(col[0].get("suppressions").is_none());
    // The inline comment and the allow entry are suppressions, in source and external.
    let req = find("DP001", "reqeusts");
    assert_eq!(req[0]["suppressions"][0]["kind"], "inSource");
    let cross: Vec<&Value> = results
        .iter()
        .filter(|r| r["properties"]["package"] == "crossenv")
        .collect();
    assert!(
        !cross.is_empty(),
        "crossenv's suppressed signals are results"
    );
    for r in cross {
        assert_eq!(r["suppressions"][0]["kind"], "external");
        assert!(
            r["suppressions"][0]["justification"]
                .as_str()
                .unwrap()
                .contains("cross-compiling venvs")
        );
    }
    // A notebook location names its cell instead of a file line.
    let nb = find("DP001", "pandas-profiling-tools");
    let nb_loc = &nb[0]["locations"][0];
    assert_eq!(
        nb_loc["physicalLocation"]["artifactLocation"]["uri"],
        "analysis.ipynb"
    );
    assert!(nb_loc["physicalLocation"].get("region").is_none());
    assert!(
        nb_loc["message"]["text"]
            .as_str()
            .unwrap()
            .contains("cell 1")
    );
    // A path with a space is percent-encoded.
    let imp = find("DP002", "café_utils");
    assert_eq!(
        imp[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20app/main.py"
    );
    // Input problems are tool notifications.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), j["diagnostics"].as_array().unwrap().len());
    assert!(
        notes.iter().any(
            |n| n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "pyproject.toml"
        ),
        "{notes:#?}"
    );

    // Fingerprints survive lines moving: add a line above, and the identities are equal.
    let before: Vec<Value> = results
        .iter()
        .map(|r| r["partialFingerprints"].clone())
        .collect();
    let text = std::fs::read_to_string(dir.join("requirements.txt")).unwrap();
    std::fs::write(dir.join("requirements.txt"), format!("# pinned\n{text}")).unwrap();
    let (_, s2, _) = formats(&dir, &["scan", "."], None);
    let after: Vec<Value> = s2["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"].clone())
        .collect();
    assert_eq!(before, after);
    let moved = s2["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "DP001" && r["properties"]["package"] == "colourama")
        .unwrap();
    assert_eq!(
        moved["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );

    // The validator does reject what the schema forbids.
    let sarif_schema = sarif();
    let mut bad = s.clone();
    bad["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!sarif_schema.is_valid(&bad));
}

#[test]
fn cyclonedx_lists_packages_with_purls_versions_scopes_and_verdicts() {
    let dir = varied_tree("reports-cdx");
    let (_, _, c) = formats(&dir, &["scan", "."], None);
    assert_eq!(c["bomFormat"], "CycloneDX");
    assert_eq!(c["specVersion"], "1.6");
    assert!(c.get("serialNumber").is_none() && c["metadata"].get("timestamp").is_none());
    let comps = c["components"].as_array().unwrap();
    let get = |purl: &str| -> &Value {
        comps
            .iter()
            .find(|c| c["purl"] == purl)
            .unwrap_or_else(|| panic!("no component {purl} in {comps:#?}"))
    };
    let prop = |c: &Value, name: &str| -> Vec<String> {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_owned())
            .collect()
    };
    // Pinned by the manifest and the lockfile.
    let lodash = get("pkg:npm/lodash@4.17.21");
    assert_eq!(lodash["version"], "4.17.21");
    assert_eq!(lodash["scope"], "required");
    assert_eq!(prop(lodash, "depproof:verdict"), ["ok"]);
    assert_eq!(
        lodash["evidence"]["occurrences"].as_array().unwrap().len(),
        2,
        "package.json and package-lock.json"
    );
    let flask = get("pkg:pypi/flask@3.0.0");
    assert_eq!(flask["scope"], "required");
    // Dev-only: excluded, and said so.
    let ts = get("pkg:npm/typescript@5.4.5");
    assert_eq!(ts["scope"], "excluded");
    assert_eq!(prop(ts, "depproof:scope"), ["dev"]);
    let types = get("pkg:npm/%40types/node");
    assert_eq!(types["scope"], "excluded");
    assert_eq!(prop(types, "depproof:requirement"), ["^20.0.0"]);
    // A guarded import only: optional.
    assert_eq!(get("pkg:pypi/ujson")["scope"], "optional");
    // Verdicts and signals, active and suppressed.
    let col = get("pkg:pypi/colourama");
    assert_eq!(prop(col, "depproof:verdict"), ["block"]);
    assert!(prop(col, "depproof:signal")[0].starts_with("DP001 not-found (block, high)"));
    assert!(prop(col, "depproof:suggestion").contains(&"colorama".to_owned()));
    let req = get("pkg:pypi/reqeusts@2.0");
    assert_eq!(prop(req, "depproof:verdict"), ["ok"]);
    assert!(
        prop(req, "depproof:suppressed")[0].starts_with("DP001 not-found (suppressed by inline")
    );
    // Snapshots are recorded in the metadata.
    let meta: Vec<String> = c["metadata"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "depproof:snapshot")
        .map(|p| p["value"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(meta.len(), 2, "{meta:?}");
    assert!(meta[0].starts_with("PyPI snapshot") && meta[0].contains("xxh3:"));
    // No component for what is not a registry name.
    assert!(
        !comps
            .iter()
            .any(|c| c["name"].as_str().unwrap().contains("git+"))
    );

    let schema = cyclonedx();
    let mut bad = c.clone();
    bad["components"][0]["scope"] = json!("dev");
    assert!(
        !schema.is_valid(&bad),
        "the validator rejects an unknown scope"
    );
}

#[test]
fn check_json_validates_against_its_schema() {
    let schema = support::check_schema();
    for args in [
        vec![
            "check", "--format", "json", "requests", "reqeusts", "crossenv", "lodash",
        ],
        vec![
            "check",
            "--format",
            "json",
            "-e",
            "npm",
            "@types/node",
            "JSONStream",
        ],
        vec!["check", "--format", "json", "foo bar", "flask"],
    ] {
        let o = run_in(&root(), &args, None);
        schema.assert_valid(&json(&o), &args.join(" "));
    }
    let o = run_in(&root(), &["check", "--format", "json", "requests"], None);
    let mut bad = json(&o);
    bad["results"][0]["status"] = json!("maybe");
    assert!(!schema.is_valid(&bad));
}

#[test]
fn several_formats_in_one_run_and_output_files() {
    let dir = fresh_dir("reports-outputs");
    let root = root();
    let sarif_path = dir.join("out.sarif");
    let json_path = dir.join("out.json");
    let spec = format!(
        "sarif:{},json:{}",
        sarif_path.display(),
        json_path.display()
    );
    let o = run_in(
        &root,
        &[
            "scan",
            "examples",
            "--no-config",
            "--format",
            &spec,
            "--format",
            "markdown",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("### depproof:"), "{}", stdout(&o));
    let sarif_doc: Value = serde_json::from_slice(&std::fs::read(&sarif_path).unwrap()).unwrap();
    sarif().assert_valid(&sarif_doc, "out.sarif");
    let json_doc: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(json_doc["summary"]["block"], 1);

    // --output for the single-format case.
    let out = dir.join("bom.json");
    let o = run_in(
        &root,
        &[
            "scan",
            "examples",
            "--format",
            "cyclonedx",
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let bom: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    cyclonedx().assert_valid(&bom, "bom.json");

    // Usage errors, named.
    for (args, words) in [
        (
            vec!["scan", "examples", "--format", "json,sarif"],
            "standard output",
        ),
        (
            vec![
                "scan",
                "examples",
                "--format",
                "json:a.json,sarif:b.sarif",
                "--output",
                "c",
            ],
            "--output names one file",
        ),
        (
            vec!["scan", "examples", "--format", "xml"],
            "`xml` is not a format",
        ),
        (
            vec!["scan", "examples", "--format", "json:"],
            "a file name must follow",
        ),
        (
            vec!["check", "requests", "--format", "sarif"],
            "`check` writes human or json",
        ),
        (
            vec!["scan", "-", "--diff", "HEAD"],
            "cannot read standard input",
        ),
    ] {
        let o = run_in(&root, &args, Some(b""));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
    }
    let o = run_in(
        &root,
        &[
            "scan",
            "examples",
            "--format",
            &format!("json:{}", dir.join("no/such/dir/x.json").display()),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot write the json report"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn colors_quiet_and_source_lines() {
    let root = root();
    let o = run_in(&root, &["scan", "examples", "--color", "always"], None);
    let colored = stdout(&o);
    assert!(colored.contains("\x1b[1;31mblock\x1b[0m"), "{colored}");
    // Piped output has no colors unless asked, and NO_COLOR is respected.
    let plain = stdout(&run_in(&root, &["scan", "examples"], None));
    assert!(!plain.contains('\x1b'));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_depproof"))
        .args(["scan", "examples", "--color", "never"])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .output()
        .unwrap();
    assert_eq!(stdout(&o), plain);
    // The source line, with a caret under the name.
    let lines: Vec<&str> = plain.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("--> examples/chat-answer.md:6:19  install command"))
        .unwrap_or_else(|| panic!("{plain}"));
    let source = lines[at + 2];
    let caret = lines[at + 3];
    let name_at = source.find("flask-jwt-simple-auth").unwrap();
    assert_eq!(caret.find('^'), Some(name_at), "{source}\n{caret}");
    assert_eq!(
        caret.trim_start_matches([' ', '|']).len(),
        "flask-jwt-simple-auth".len()
    );
    assert!(source.trim_start().starts_with("6 |"), "{source}");

    // --quiet: only the problems.
    let quiet = stdout(&run_in(&root, &["scan", "examples", "--quiet"], None));
    assert!(quiet.contains("flask-jwt-simple-auth"));
    assert!(!quiet.contains("files,"), "no summary: {quiet}");
    let ok_dir = root.join("examples/weather-service");
    let o = run_in(&root, &["scan", ok_dir.to_str().unwrap(), "--quiet"], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "", "nothing to report");
    let o = run_in(&root, &["check", "--quiet", "requests", "reqeusts"], None);
    assert!(!stdout(&o).contains("requests: exists"), "{}", stdout(&o));
    assert!(stdout(&o).contains("reqeusts: not found"), "{}", stdout(&o));

    // Standard input keeps its bytes for the source lines.
    let o = run_in(
        &root,
        &["scan", "-", "--stdin-kind", "shell"],
        Some(b"set -e\npip install --upgrade reqeusts\n"),
    );
    let out = stdout(&o);
    assert!(out.contains("--> -:2:23  install command"), "{out}");
    assert!(out.contains("2 | pip install --upgrade reqeusts"), "{out}");
}

#[test]
fn project_mode_reports_the_given_files_with_the_project_known() {
    let service = root().join("examples/weather-service");
    // Alone, app.py's `weather` package looks like an unknown import.
    let alone = run_in(&service, &["scan", "--format", "json", "app.py"], None);
    assert!(
        json(&alone)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "weather")
    );
    // With the project, it is the project's own; only app.py is reported.
    let o = run_in(
        &service,
        &[
            "scan",
            "--format",
            "json",
            "--project",
            ".",
            "app.py",
            "web/src",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let mut paths: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["references"].as_array().unwrap().clone())
        .map(|r| r["location"]["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    paths.dedup();
    assert_eq!(
        paths,
        ["app.py", "web/src/App.tsx", "web/src/main.tsx"],
        "{:#}",
        v["findings"]
    );
    assert!(!v["findings"].to_string().contains("\"weather\""));
    // A file outside the project is a usage error.
    let o = run_in(&service, &["scan", "--project", "web", "app.py"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not in the project"),
        "{}",
        stderr(&o)
    );
}
