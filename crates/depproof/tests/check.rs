//! `depproof check` and `depproof index` as a user runs them: the real binary, the
//! embedded snapshots, indexes built from files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn depproof(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_depproof"))
        // The user's own overlays must not change what these tests see.
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .args(args)
        .env("NO_COLOR", "1")
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
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(o).0))
}

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn existing_names_exit_zero_and_say_where() {
    let o = depproof(
        &["check", "requests", "lodash", "@types/node", "Flask"],
        None,
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(out.contains("requests: exists on PyPI"), "{out}");
    // lodash is also a (tiny, old) PyPI project: both are said.
    assert!(out.contains("lodash: exists on PyPI and npm"), "{out}");
    assert!(out.contains("npm   lodash 4."), "{out}");
    assert!(out.contains("@types/node: exists on npm"), "{out}");
    assert!(out.contains("Flask: exists on PyPI"), "{out}");
    assert!(out.contains("flask"), "the registry's name is shown: {out}");
    assert!(out.contains("download rank"), "{out}");
}

#[test]
fn misspelling_does_not_exist_and_suggests() {
    let o = depproof(&["check", "--ecosystem", "pypi", "reqeusts"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 1, "{out}{err}");
    assert!(out.contains("reqeusts: does not exist"), "{out}");
    assert!(out.contains("complete snapshot of 2026-11"), "{out}");
    let mean = out
        .lines()
        .find(|l| l.contains("did you mean:"))
        .expect("suggestions");
    assert!(
        mean.trim_start().starts_with("did you mean: requests"),
        "{mean}"
    );
}

#[test]
fn partial_snapshot_says_unknown_never_does_not_exist() {
    let o = depproof(
        &["check", "-e", "npm", "@depproof-test/invented-helper"],
        None,
    );
    let (out, _) = text(&o);
    // Unknown warns; by default only blocked names fail the run.
    assert_eq!(code(&o), 0);
    assert!(
        out.contains("@depproof-test/invented-helper: unknown [warn]"),
        "{out}"
    );
    assert!(out.contains("DP003 unknown"), "{out}");
    let strict = depproof(
        &[
            "check",
            "--fail-on",
            "warn",
            "-e",
            "npm",
            "@depproof-test/invented-helper",
        ],
        None,
    );
    assert_eq!(code(&strict), 1);
    assert!(out.contains("it may not exist, or be obscure"), "{out}");
    assert!(!out.contains("does not exist"), "{out}");
    let v = json(&depproof(
        &[
            "check",
            "-e",
            "npm",
            "--format",
            "json",
            "@depproof-test/invented-helper",
        ],
        None,
    ));
    assert_eq!(v["results"][0]["status"], "unknown");
    assert_eq!(v["results"][0]["verdict"], "warn");
    assert_eq!(v["results"][0]["ecosystems"][0]["status"], "unknown");
    assert_eq!(
        v["results"][0]["findings"][0]["signals"][0]["code"],
        "DP003"
    );
}

#[test]
fn invalid_names_are_usage_errors_but_the_rest_is_checked() {
    let o = depproof(&["check", "-e", "pypi", "foo bar", "requests"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 2, "{out}{err}");
    assert!(
        err.contains("`foo bar` is not a valid PyPI package name"),
        "{err}"
    );
    assert!(err.contains("space"), "{err}");
    assert!(out.contains("requests: exists on PyPI"), "{out}");
    // Valid nowhere: an error; valid somewhere: looked up there.
    let o = depproof(&["check", "@scope/name with space"], None);
    assert_eq!(code(&o), 2);
    let o = depproof(&["check", "@types/node"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(
        out.contains("@types/node: exists on npm") && err.is_empty(),
        "{out}{err}"
    );
    let v = json(&depproof(
        &["check", "--format", "json", "@types/node"],
        None,
    ));
    assert_eq!(v["results"][0]["ecosystems"][0]["status"], "invalid");
    assert_eq!(
        v["results"][0]["ecosystems"][0]["rule"],
        "pypi-invalid-character"
    );
}

#[test]
fn non_ascii_and_very_long_names() {
    let o = depproof(&["check", "réquests"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 2, "{out}{err}");
    assert!(err.contains("é"), "{err}");
    let long = "a".repeat(10_000);
    let o = depproof(&["check", "-e", "pypi", &long], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(out.contains("does not exist"));
    let o = depproof(&["check", "-e", "npm", &long], None);
    let (out, _) = text(&o);
    assert_eq!(code(&o), 0, "unknown warns");
    assert!(
        out.contains("note:") && out.contains("214"),
        "{}",
        &out[out.len() - 400..]
    );
}

#[test]
fn names_from_stdin() {
    let o = depproof(
        &["check", "-e", "pypi", "-"],
        Some("requests numpy  # the usual\n\n# a comment line\nreqeusts\n"),
    );
    let (out, _) = text(&o);
    assert_eq!(code(&o), 1);
    assert!(out.contains("requests: exists"));
    assert!(out.contains("numpy: exists"));
    assert!(out.contains("reqeusts: does not exist"));
    assert!(!out.contains("comment"));
    assert!(out.contains("3 names: 2 exist, 1 do not exist"), "{out}");
}

#[test]
fn empty_stdin_checks_nothing() {
    let o = depproof(&["check", "-"], Some(""));
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(err.contains("no names"), "{err}");
    let v = json(&depproof(&["check", "--format", "json", "-"], Some("  \n")));
    assert_eq!(v["results"].as_array().unwrap().len(), 0);
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(code(&depproof(&["check"], None)), 2);
    assert_eq!(code(&depproof(&["check", "-e", "cargo", "serde"], None)), 2);
    assert_eq!(code(&depproof(&["frobnicate"], None)), 2);
    assert_eq!(code(&depproof(&["--help"], None)), 0);
}

#[test]
fn json_output_is_complete_and_deterministic() {
    let args = [
        "check", "--format", "json", "requests", "reqeusts", "lodash",
    ];
    let a = depproof(&args, None);
    let b = depproof(&args, None);
    assert_eq!(a.stdout, b.stdout);
    let v = json(&a);
    assert_eq!(v["schema_version"], 2);
    let snaps = v["snapshots"].as_array().unwrap();
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[0]["ecosystem"], "pypi");
    assert_eq!(snaps[0]["complete"], true);
    assert_eq!(snaps[1]["complete"], false);
    assert!(snaps[0]["checksum"].as_str().unwrap().starts_with("xxh3:"));
    let r = &v["results"];
    assert_eq!(r[0]["status"], "exists");
    assert_eq!(r[0]["verdict"], "ok");
    let pypi = &r[0]["ecosystems"][0];
    assert_eq!(pypi["package"]["name"], "requests");
    assert!(pypi["package"]["popularity"]["rank"].as_u64().unwrap() < 100);
    assert_eq!(r[1]["status"], "not_found");
    assert_eq!(r[1]["verdict"], "block");
    let signal = &r[1]["findings"][0]["signals"][0];
    assert_eq!(signal["code"], "DP001");
    assert_eq!(signal["severity"], "critical");
    assert_eq!(
        signal["message"],
        "`reqeusts` does not exist on PyPI; did you mean `requests` (the 6th most downloaded)?"
    );
    assert_eq!(r[1]["ecosystems"][0]["status"], "does_not_exist");
    assert_eq!(r[1]["ecosystems"][1]["status"], "unknown");
    assert_eq!(r[1]["suggestions"][0]["name"], "requests");
    assert_eq!(r[1]["suggestions"][0]["ecosystem"], "pypi");
    assert_eq!(r[1]["suggestions"][0]["distance"], 1);
    assert_eq!(v["summary"]["exists"], 2);
    assert_eq!(v["summary"]["not_found"], 1);
}

fn write_listing(dir: &Path) -> PathBuf {
    let p = dir.join("npm.tsv");
    std::fs::write(
        &p,
        "name\tversion\tdownloads_a_month\tsummary\n\
         internal-widgets\t0.0.1-security\t900\tsecurity holding package\n\
         zzz-real-tool\t2.0.0\t120000\tA real tool\n",
    )
    .unwrap();
    p
}

#[test]
fn build_then_use_an_index_file() {
    let dir = tmp("build_then_use");
    let listing = write_listing(&dir);
    let out = dir.join("npm.dpi");
    let o = depproof(
        &[
            "index",
            "build",
            "-e",
            "npm",
            "--from-tsv",
            listing.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--date",
            "2026-10",
        ],
        None,
    );
    let (_, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("2 npm names"), "{err}");
    let o = depproof(
        &[
            "--index",
            out.to_str().unwrap(),
            "check",
            "-e",
            "npm",
            "zzz-real-tool",
            "internal-widgets",
            "lodash",
        ],
        None,
    );
    let (stdout, _) = text(&o);
    assert_eq!(code(&o), 1, "{stdout}");
    assert!(stdout.contains("zzz-real-tool: exists on npm"), "{stdout}");
    assert!(stdout.contains("flagged: security-holding"), "{stdout}");
    // lodash is not in this small snapshot, whose cut is 900 downloads a month.
    assert!(
        stdout.contains("lodash: unknown") && stdout.contains("at least 900 downloads a month"),
        "{stdout}"
    );
    let o = depproof(&["--index", out.to_str().unwrap(), "index", "info"], None);
    let (stdout, _) = text(&o);
    assert_eq!(code(&o), 0);
    assert!(stdout.contains(out.to_str().unwrap()), "{stdout}");
    assert!(
        stdout.contains("2026-10") && stdout.contains("(verified)"),
        "{stdout}"
    );
    assert!(stdout.contains("embedded pypi snapshot"), "{stdout}");
}

#[test]
fn index_info_describes_the_embedded_snapshots() {
    let o = depproof(&["index", "info"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    for needle in [
        "PyPI snapshot",
        "npm snapshot",
        "2026-11",
        "complete",
        "partial: npm packages with at least",
        "names:",
        "checksum:",
        "size:",
        "(verified)",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
    let v = json(&depproof(&["index", "info", "--format", "json"], None));
    let s = v["snapshots"].as_array().unwrap();
    assert_eq!(s[0]["ecosystem"], "pypi");
    assert!(s[0]["names"].as_u64().unwrap() > 880_000);
    assert_eq!(s[1]["ecosystem"], "npm");
    assert!(s[1]["names"].as_u64().unwrap() > 200_000);
}

#[test]
fn damaged_index_files_are_clear_errors() {
    let dir = tmp("damaged");
    let listing = write_listing(&dir);
    let good = dir.join("good.dpi");
    let o = depproof(
        &[
            "index",
            "build",
            "-e",
            "npm",
            "--from-tsv",
            listing.to_str().unwrap(),
            "--out",
            good.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", text(&o).1);
    let bytes = std::fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.dpi", Vec::new(), "empty"),
        (
            "truncated.dpi",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "flipped.dpi",
            {
                let mut v = bytes.clone();
                let n = v.len();
                v[n - 30] ^= 1;
                v
            },
            "checksum mismatch",
        ),
        (
            "version.dpi",
            {
                let mut v = bytes.clone();
                v[8] = 9;
                v
            },
            "format version 9",
        ),
        (
            "text.dpi",
            b"name\tversion\nfoo\t1\n".to_vec(),
            "not a depproof index",
        ),
    ];
    for (name, content, needle) in cases {
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        let o = depproof(&["--index", p.to_str().unwrap(), "check", "lodash"], None);
        let (out, err) = text(&o);
        assert_eq!(code(&o), 2, "{name}: {out}{err}");
        assert!(
            err.contains(p.to_str().unwrap()) && err.contains(needle),
            "{name}: {err}"
        );
        let o = depproof(&["index", "info", p.to_str().unwrap()], None);
        assert_eq!(code(&o), 2, "{name}");
    }
    let o = depproof(
        &[
            "--index",
            dir.join("missing.dpi").to_str().unwrap(),
            "check",
            "x",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    assert!(text(&o).1.contains("missing.dpi"));
}

#[test]
fn a_failed_build_keeps_the_old_index() {
    let dir = tmp("failed_build");
    let listing = write_listing(&dir);
    let out = dir.join("npm.dpi");
    let ok = depproof(
        &[
            "index",
            "build",
            "-e",
            "npm",
            "--from-tsv",
            listing.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&ok), 0);
    let before = std::fs::read(&out).unwrap();
    let bad = dir.join("bad.tsv");
    std::fs::write(
        &bad,
        "name\tversion\tdownloads_a_month\nfoo\t1.0\t5\nbar\t1.0\n",
    )
    .unwrap();
    let o = depproof(
        &[
            "index",
            "build",
            "-e",
            "npm",
            "--from-tsv",
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let (_, err) = text(&o);
    assert_eq!(code(&o), 2);
    assert!(
        err.contains("bad.tsv:3:") && err.contains("expected 3 tab-separated fields, found 2"),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn signal_documentation_is_current_and_explain_answers() {
    let o = depproof(&["explain", "--all"], None);
    assert_eq!(code(&o), 0);
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/signals.md");
    let committed = std::fs::read_to_string(&docs).unwrap();
    assert_eq!(
        text(&o).0,
        committed,
        "docs/signals.md is stale: run `depproof explain --all > docs/signals.md`"
    );
    let o = depproof(&["explain", "typosquat"], None);
    assert_eq!(code(&o), 0);
    assert!(text(&o).0.starts_with("## DP101 `typosquat`"));
    let o = depproof(&["explain", "dp001"], None);
    assert!(text(&o).0.contains("does not exist"));
    let o = depproof(&["explain", "DP999"], None);
    assert_eq!(code(&o), 2);
    assert!(text(&o).1.contains("DP001 not-found"), "{}", text(&o).1);
}
