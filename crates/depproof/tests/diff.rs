//! Pull-request mode (`scan --diff REF`) on real git repositories built by the test: new
//! lines in code and documents, new entries in manifests, lockfiles and notebooks, files
//! not yet tracked, the merge base, shallow clones, and a missing revision.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};
use support::{fresh_dir, git, json, run_in, stderr, stdout};

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn notebook(cells: &[&str]) -> String {
    let cells: Vec<Value> = cells
        .iter()
        .map(|src| {
            json!({"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [],
                   "source": [src]})
        })
        .collect();
    json!({"nbformat": 4, "nbformat_minor": 5,
           "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
           "cells": cells})
    .to_string()
}

/// Names of the packages reported, as `ecosystem:name`.
fn reported(v: &Value) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["ecosystem"].as_str().unwrap(),
                f["name"].as_str().unwrap()
            )
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A repository whose `main` has old problems, and a branch `feature` that adds new ones.
fn repository(name: &str) -> std::path::PathBuf {
    let dir = fresh_dir(name);
    git(&dir, &["init", "-q", "-b", "main"]);
    write(
        &dir,
        "requirements.txt",
        "flask==2.0\ncolourama\nrequests\n",
    );
    write(
        &dir,
        "app.py",
        "import flask\nimport old_invented_module_zz\n\n\ndef main():\n    return flask\n",
    );
    write(
        &dir,
        "README.md",
        "# App\n\nInstall with `pip install reqeusts`.\n",
    );
    write(
        &dir,
        "web/package-lock.json",
        r#"{"name": "web", "lockfileVersion": 3, "packages": {
  "": {"name": "web"},
  "node_modules/lodash": {"version": "4.17.20"},
  "node_modules/left-pad-invented-zz": {"version": "1.0.0"}
}}"#,
    );
    write(
        &dir,
        "analysis.ipynb",
        &notebook(&["!pip install pandas-profiling-tools\n"]),
    );
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    // A version bump and a new entry; the old problem stays.
    write(
        &dir,
        "requirements.txt",
        "flask==3.0\ncolourama\nrequests\nnew-invented-package-zz\n",
    );
    // A new import above the old lines.
    write(
        &dir,
        "app.py",
        "import brand_new_invented_zz\nimport flask\nimport old_invented_module_zz\n\n\ndef main():\n    return flask\n",
    );
    // The lockfile is rewritten: lodash bumped, entries reordered, one new package.
    write(
        &dir,
        "web/package-lock.json",
        r#"{"name": "web", "lockfileVersion": 3, "packages": {
  "": {"name": "web"},
  "node_modules/left-pad-invented-zz": {"version": "1.0.0"},
  "node_modules/lodash": {"version": "4.17.21"},
  "node_modules/express-jwt-auth-invented-zz": {"version": "0.1.0"}
}}"#,
    );
    write(
        &dir,
        "analysis.ipynb",
        &notebook(&[
            "!pip install pandas-profiling-tools\n",
            "!pip install seaborn-extra-invented-zz\n",
        ]),
    );
    git(&dir, &["commit", "-q", "-am", "feature"]);
    // Not committed, not tracked: everything in it is new.
    write(
        &dir,
        "scripts/setup.sh",
        "pip install another-invented-zz\n",
    );
    dir
}

fn expected() -> BTreeSet<String> {
    set(&[
        "pypi:new-invented-package-zz",
        "pypi:brand-new-invented-zz",
        "npm:express-jwt-auth-invented-zz",
        "pypi:seaborn-extra-invented-zz",
        "pypi:another-invented-zz",
    ])
}

#[test]
fn only_references_added_since_the_revision() {
    let dir = repository("diff-repo");
    // Without --diff, every problem.
    let all = reported(&json(&run_in(
        &dir,
        &["scan", "--format", "json", "."],
        None,
    )));
    for old in [
        "pypi:colourama",
        "pypi:old-invented-module-zz",
        "pypi:reqeusts",
        "npm:left-pad-invented-zz",
        "pypi:pandas-profiling-tools",
    ] {
        assert!(all.contains(old), "{old} in {all:?}");
    }
    let o = run_in(
        &dir,
        &["scan", "--format", "json", "--diff", "main", "."],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(reported(&v), expected());
    assert_eq!(v["diff"]["ref"], "main");
    assert_eq!(v["diff"]["commit"], git(&dir, &["rev-parse", "main"]));
    assert_eq!(
        v["diff"]["merge_base"], false,
        "main is the merge base itself"
    );
    assert_eq!(v["diff"]["changed_files"], 5);
    // The new import is on line 1 of app.py.
    let imp = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "brand-new-invented-zz")
        .unwrap();
    assert_eq!(imp["references"][0]["location"]["line"], 1);

    // Human output says what was compared.
    let o = run_in(&dir, &["scan", "--diff", "main", "."], None);
    assert!(
        stdout(&o).contains("only references added since main"),
        "{}",
        stdout(&o)
    );
    // From a subfolder, and with a path inside the repository.
    let o = run_in(
        &dir.join("web"),
        &["scan", "--format", "json", "--diff", "main", "."],
        None,
    );
    assert_eq!(
        reported(&json(&o)),
        set(&["npm:express-jwt-auth-invented-zz"])
    );

    // Nothing added: nothing reported.
    let o = run_in(
        &dir,
        &["scan", "--format", "json", "--diff", "HEAD", "app.py"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(reported(&json(&o)), set(&[]));
}

#[test]
fn the_merge_base_keeps_changes_made_on_the_base_branch_out() {
    let dir = repository("diff-merge-base");
    // main moves on: it drops colourama. Compared with main's tip, colourama would look
    // added by the branch; compared with the merge base, it is not.
    git(&dir, &["checkout", "-q", "main"]);
    write(&dir, "requirements.txt", "flask==2.0\nrequests\n");
    git(&dir, &["commit", "-q", "-am", "drop colourama"]);
    git(&dir, &["checkout", "-q", "feature"]);
    let v = json(&run_in(
        &dir,
        &["scan", "--format", "json", "--diff", "main", "."],
        None,
    ));
    assert_eq!(reported(&v), expected());
    assert_eq!(v["diff"]["merge_base"], true);
    assert_eq!(
        v["diff"]["commit"],
        git(&dir, &["merge-base", "main", "feature"])
    );
}

#[test]
fn shallow_clones_work_once_the_revision_is_fetched() {
    let origin = repository("diff-origin");
    let clone = fresh_dir("diff-shallow").join("clone");
    let url = format!("file://{}", origin.display());
    git(
        clone.parent().unwrap(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "clone",
        ],
    );
    assert_eq!(
        git(&clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    // The untracked file of the origin is not in the clone; add one here.
    write(
        &clone,
        "scripts/setup.sh",
        "pip install another-invented-zz\n",
    );

    let o = run_in(&clone, &["scan", "--diff", "origin/main", "."], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--diff origin/main: no such revision"),
        "{err}"
    );
    assert!(err.contains("git fetch --depth=1 origin main"), "{err}");
    assert!(err.contains("shallow"), "{err}");

    git(
        &clone,
        &[
            "fetch",
            "-q",
            "--depth=1",
            "origin",
            "main:refs/remotes/origin/main",
        ],
    );
    let o = run_in(
        &clone,
        &["scan", "--format", "json", "--diff", "origin/main", "."],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(reported(&v), expected());
    assert_eq!(
        v["diff"]["merge_base"], false,
        "no history to find a merge base in"
    );
}

#[test]
fn a_missing_revision_or_repository_is_a_clear_error() {
    let dir = repository("diff-missing");
    let o = run_in(&dir, &["scan", "--diff", "no-such-branch", "."], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--diff no-such-branch: no such revision") && err.contains("fetch it first"),
        "{err}"
    );
    assert!(!err.contains("shallow"), "{err}");

    let outside = std::env::temp_dir().join(format!("depproof-not-a-repo-{}", std::process::id()));
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("requirements.txt"), "flask\n").unwrap();
    let o = run_in(&outside, &["scan", "--diff", "main", "."], None);
    let _ = std::fs::remove_dir_all(&outside);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("needs a git repository"),
        "{}",
        stderr(&o)
    );
}
