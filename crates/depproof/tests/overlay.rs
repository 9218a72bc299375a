//! `depproof index import-osv`, `import-hallucinations` and `info` as a user runs them:
//! the real binary, the OSV fixtures of the registry crate, `--data-dir` and
//! `DEPPROOF_DATA_DIR`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn depproof(args: &[&str], env_data_dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_depproof"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("DEPPROOF_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = env_data_dir {
        cmd.env("DEPPROOF_DATA_DIR", d);
    }
    cmd.output().expect("run depproof")
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
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("overlay-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../depproof-registry/tests/fixtures/osv")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn import_osv_reports_counts_and_warnings() {
    let data = tmp("import");
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-osv",
            s(&fixtures()),
        ],
        None,
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    let overlay = data.join("overlays/malicious.dpo");
    assert!(overlay.exists());
    assert!(
        out.contains(&format!("into {}", overlay.display())),
        "{out}"
    );
    assert!(out.contains("read:       15 record files"), "{out}");
    assert!(
        out.contains(
            "8 new, 0 replaced by a newer version, 0 unchanged; by ecosystem: PyPI 5, npm 3"
        ),
        "{out}"
    );
    assert!(
        out.contains("withdrawn:  1 (0 removed from the overlay)"),
        "{out}"
    );
    assert!(out.contains("3 malformed"), "{out}");
    assert!(
        out.contains("1 no PyPI or npm package (crates.io 1)"),
        "{out}"
    );
    assert!(
        out.contains("1 not malicious (a vulnerability advisory)"),
        "{out}"
    );
    assert!(
        out.contains("overlay:    8 malicious-package records"),
        "{out}"
    );
    // Warnings go to stderr, each naming its file, then a summary.
    assert!(
        err.lines().any(|l| l.starts_with("warning: ")
            && l.contains("malformed/MAL-2025-90011.json")
            && l.contains("bad JSON")),
        "{err}"
    );
    assert!(
        err.contains("4 warnings: 3 malformed, 1 record partly unreadable"),
        "{err}"
    );

    // Again: nothing new, everything unchanged.
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-osv",
            s(&fixtures()),
        ],
        None,
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(
        out.contains("0 new, 0 replaced by a newer version, 8 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("overlay:    8 malicious-package records"),
        "{out}"
    );
}

#[test]
fn import_reports_as_json_and_reads_zips() {
    let data = tmp("zip");
    let zip_path = data.join("osv-all.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for rel in [
            "malicious/pypi/colourama/MAL-2025-90001.json",
            "malicious/npm/@ctrl/tinycolor/MAL-2025-90003.json",
            "advisories/PYSEC-2025-90010.json",
            "malformed/MAL-2025-90011.json",
        ] {
            let name = rel.rsplit('/').next().unwrap();
            z.start_file(name, opts).unwrap();
            z.write_all(&std::fs::read(fixtures().join(rel)).unwrap())
                .unwrap();
        }
        z.finish().unwrap();
    }
    let o = depproof(
        &["index", "import-osv", s(&zip_path), "--format", "json"],
        Some(&data),
    );
    assert_eq!(code(&o), 0, "{:?}", text(&o));
    let r = json(&o);
    assert_eq!(r["read"], 4);
    assert_eq!(r["imported"], 2);
    assert_eq!(r["by_ecosystem"]["pypi"], 1);
    assert_eq!(r["by_ecosystem"]["npm"], 1);
    assert_eq!(r["skipped"]["not malicious (a vulnerability advisory)"], 1);
    assert_eq!(
        r["warnings"][0]["place"],
        format!("{}:MAL-2025-90011.json", zip_path.display())
    );
    assert_eq!(r["warnings"][0]["kind"], "malformed");
    assert!(
        data.join("overlays/malicious.dpo").exists(),
        "DEPPROOF_DATA_DIR is used"
    );
}

#[test]
fn import_hallucinations_and_info_lists_overlays() {
    let data = tmp("info");
    let list = data.join("names.txt");
    std::fs::write(
        &list,
        "# invented by a model\nflask-jwt-simple-auth\nfastapi-auth-helper\nbad name\n",
    )
    .unwrap();
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-hallucinations",
            s(&list),
            "--ecosystem",
            "pypi",
        ],
        None,
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(
        out.contains("read:       3 names; by ecosystem: PyPI 2"),
        "{out}"
    );
    assert!(out.contains("2 new names, 0 already known"), "{out}");
    assert!(out.contains("1 invalid name"), "{out}");
    assert!(err.contains("names.txt:4"), "{err}");
    // Without an ecosystem a list is refused, naming the file.
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-hallucinations",
            s(&list),
        ],
        None,
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), 2, "{out}{err}");
    assert!(
        err.contains("names.txt") && err.contains("--ecosystem"),
        "{err}"
    );

    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-osv",
            s(&fixtures()),
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{:?}", text(&o));

    let o = depproof(&["--data-dir", s(&data), "index", "info"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(out.contains("PyPI snapshot"), "{out}");
    let mal = data.join("overlays/malicious.dpo");
    assert!(
        out.contains(&format!("malicious overlay ({})", mal.display())),
        "{out}"
    );
    assert!(
        out.contains("records:      8 malicious-package records (PyPI 5, npm 3); 1 withdrawn"),
        "{out}"
    );
    assert!(out.contains("hallucinations overlay ("), "{out}");
    assert!(
        out.contains("records:      2 invented-name records (PyPI 2)"),
        "{out}"
    );
    assert!(out.matches("(verified)").count() >= 4, "{out}");

    let o = depproof(&["index", "info", "--format", "json"], Some(&data));
    assert_eq!(code(&o), 0);
    let j = json(&o);
    assert_eq!(j["data_dir"], s(&data));
    let overlays = j["overlays"].as_array().unwrap();
    assert_eq!(overlays.len(), 2);
    assert_eq!(overlays[0]["kind"], "malicious");
    assert_eq!(overlays[0]["records"], 8);
    assert_eq!(overlays[0]["by_ecosystem"]["pypi"], 5);
    assert_eq!(overlays[1]["kind"], "hallucinations");
    assert!(
        overlays[1]["sources"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("names.txt")
    );

    // A damaged overlay: info names it and fails; the other is still listed.
    let mut b = std::fs::read(&mal).unwrap();
    let n = b.len();
    b.truncate(n - 10);
    std::fs::write(&mal, b).unwrap();
    let o = depproof(&["--data-dir", s(&data), "index", "info"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 2, "{out}{err}");
    assert!(
        out.contains(&format!("overlay unusable: {}", mal.display())),
        "{out}"
    );
    assert!(out.contains("hallucinations overlay ("), "{out}");
    // Importing on top of it is refused until --replace.
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-osv",
            s(&fixtures()),
        ],
        None,
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), 2, "{out}{err}");
    assert!(err.contains(&mal.display().to_string()), "{err}");
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-osv",
            "--replace",
            s(&fixtures()),
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{:?}", text(&o));
}

#[test]
fn info_without_overlays_says_where_it_looked() {
    let data = tmp("empty");
    let o = depproof(&["--data-dir", s(&data), "index", "info"], None);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "overlays: none in {}",
            data.join("overlays").display()
        )),
        "{out}"
    );
}

#[test]
fn a_missing_source_is_an_error() {
    let data = tmp("missing");
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-osv",
            s(&data.join("no-such-dir")),
        ],
        None,
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), 2, "{out}{err}");
    assert!(err.contains("no-such-dir"), "{err}");
    assert!(!data.join("overlays/malicious.dpo").exists());
}

#[test]
fn check_and_scan_report_known_malicious_and_hallucinated_names() {
    let data = tmp("assess");
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-osv",
            s(&fixtures()),
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{:?}", text(&o));
    let names = data.join("invented.txt");
    std::fs::write(
        &names,
        "# names models invented\nloadsh\nflask-jwt-simple-auth\n",
    )
    .unwrap();
    let o = depproof(
        &[
            "--data-dir",
            s(&data),
            "index",
            "import-hallucinations",
            s(&names),
            "--ecosystem",
            "npm",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{:?}", text(&o));

    // All versions malicious: critical, whatever the version.
    let o = depproof(
        &[
            "check",
            "-e",
            "npm",
            "--format",
            "json",
            "solana-wallet-kit",
        ],
        Some(&data),
    );
    let v = json(&o);
    assert_eq!(code(&o), 1);
    let sig = &v["results"][0]["findings"][0]["signals"][0];
    assert_eq!(sig["code"], "DP301");
    assert_eq!(sig["severity"], "critical");
    assert!(
        sig["message"].as_str().unwrap().contains("all versions"),
        "{sig}"
    );

    // Some versions: a popular package with two malicious releases blocks when its
    // version is not pinned, and is quiet-ish when pinned outside them.
    let o = depproof(&["check", "-e", "npm", "@ctrl/tinycolor"], Some(&data));
    assert_eq!(code(&o), 1, "{}", text(&o).0);
    assert!(
        text(&o).0.contains("DP301 known-malicious"),
        "{}",
        text(&o).0
    );

    // A scan reads pins from manifests and lockfiles.
    let tree = data.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(
        tree.join("package.json"),
        r#"{"dependencies": {"@ctrl/tinycolor": "4.1.0", "rc-config-loader-ext": "2.3.1", "loadsh": "^1.0.0"}}"#,
    )
    .unwrap();
    let o = depproof(
        &["scan", "--no-config", "--format", "json", s(&tree)],
        Some(&data),
    );
    let v = json(&o);
    let find = |name: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {:#}", v["findings"]))
            .clone()
    };
    let tiny = find("@ctrl/tinycolor");
    assert_eq!(
        tiny["verdict"], "warn",
        "pinned outside the malicious versions: {tiny}"
    );
    assert_eq!(tiny["signals"][0]["code"], "DP301");
    assert_eq!(tiny["signals"][0]["severity"], "medium");
    let rc = find("rc-config-loader-ext");
    assert_eq!(rc["verdict"], "block");
    let rc_sig = rc["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "DP301")
        .unwrap();
    assert_eq!(rc_sig["data"]["versions_used_affected"][0], "2.3.1");
    // loadsh: a typosquat that models also invent, and someone registered.
    let loadsh = find("loadsh");
    let codes: Vec<&str> = loadsh["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"DP302") && codes.contains(&"DP101"),
        "{codes:?}"
    );
    let hal = loadsh["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "DP302")
        .unwrap();
    assert_eq!(hal["severity"], "high");
    assert_eq!(hal["data"]["count"], 1);

    // A damaged overlay is a warning and the run goes on with the snapshots.
    let file = data.join("overlays/malicious.dpo");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let o = depproof(&["check", "-e", "npm", "lodash"], Some(&data));
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(out.contains("lodash: exists on npm [ok]"), "{out}");
    assert!(
        err.contains("warning") && err.contains("malicious"),
        "{err}"
    );
}
