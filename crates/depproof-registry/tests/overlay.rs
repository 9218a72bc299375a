//! Overlays end to end: OSV records (tests/fixtures/osv, and a zip built from them)
//! imported, merged, withdrawn and looked up; hallucination lists and CSV files; damaged
//! and half-written overlay files.

use std::io::Write;
use std::path::{Path, PathBuf};

use depproof_registry::Ecosystem;
use depproof_registry::overlay::{
    self, HallucinationEntry, ImportOptions, ImportReport, OverlayError, OverlayKind, Overlays,
    VersionStatus,
};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

/// A fresh directory under the target directory.
fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("overlay")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn import(data: &Path, source: &Path) -> ImportReport {
    overlay::import_osv(data, source, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("import of {}: {e}", source.display()))
}

/// Every `*.json` below `dir`, relative and sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p.strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

/// A zip of the fixtures, as osv.dev and GitHub archives are laid out (deflated entries
/// under a top folder).
fn fixture_zip(at: &Path) -> PathBuf {
    let path = at.join("malicious-packages-main.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.add_directory("malicious-packages-main/osv/", opts)
        .unwrap();
    for rel in json_files(&fixtures()) {
        let name = format!(
            "malicious-packages-main/osv/{}",
            rel.to_string_lossy().replace('\\', "/")
        );
        z.start_file(name, opts).unwrap();
        z.write_all(&std::fs::read(fixtures().join(&rel)).unwrap())
            .unwrap();
    }
    z.start_file("malicious-packages-main/README.md", opts)
        .unwrap();
    z.write_all(b"not a record").unwrap();
    z.start_file("malicious-packages-main/.github/renovate.json", opts)
        .unwrap();
    z.write_all(b"{\"extends\": [\"config:base\"]}").unwrap();
    z.finish().unwrap();
    path
}

fn ids(o: &Overlays, eco: Ecosystem, name: &str, version: Option<&str>) -> Vec<String> {
    o.malicious(eco, name, version)
        .unwrap()
        .into_iter()
        .filter(|m| m.version.concerns())
        .map(|m| m.id)
        .collect()
}

#[test]
fn a_directory_of_records_imports_with_counts_and_warnings() {
    let data = tmp("dir");
    let r = import(&data, &fixtures());
    let files = json_files(&fixtures()).len() as u64;
    assert_eq!(r.read, files);
    assert_eq!(r.imported, 8, "{r:#?}");
    assert_eq!(r.withdrawn, 1);
    assert_eq!(r.removed, 0, "nothing was held before");
    assert_eq!(r.total, 8);
    assert_eq!(r.by_ecosystem.get(&Ecosystem::PyPI), Some(&5));
    assert_eq!(r.by_ecosystem.get(&Ecosystem::Npm), Some(&3));
    assert_eq!(r.skipped["not malicious (a vulnerability advisory)"], 1);
    assert_eq!(r.skipped["no PyPI or npm package"], 1);
    assert_eq!(r.other_ecosystems["crates.io"], 1);
    assert_eq!(r.skipped["malformed"], 3);
    assert_eq!(
        r.skipped["older copy of a record read twice"], 1,
        "the live copy of the withdrawn record"
    );
    // Every skip and every partial read is a warning naming its file.
    let kinds = r.warning_kinds();
    assert_eq!(kinds["malformed"], 3, "{:#?}", r.warnings);
    assert_eq!(kinds["record partly unreadable"], 1, "{:#?}", r.warnings);
    let warned = |file: &str, needle: &str| {
        assert!(
            r.warnings
                .iter()
                .any(|w| w.place.ends_with(file) && w.reason.contains(needle)),
            "no warning for {file} saying {needle}: {:#?}",
            r.warnings
        )
    };
    warned("MAL-2025-90011.json", "bad JSON");
    warned("MAL-2025-90007.json", "no `modified`");
    warned("MAL-2025-90012.json", "not an OSV record");
    warned(
        "MAL-2025-90008.json",
        "`3.1.x-beta` is not a PEP 440 version",
    );
    assert_eq!(
        r.overlay,
        overlay::overlay_path(&data, OverlayKind::Malicious)
    );
    assert!(r.overlay.exists());
}

#[test]
fn lookups_follow_names_and_versions() {
    let data = tmp("lookups");
    import(&data, &fixtures());
    let o = Overlays::open(&data).unwrap();
    let (py, npm) = (Ecosystem::PyPI, Ecosystem::Npm);

    // All versions: any spelling PEP 503 folds together, any version.
    let m = o.malicious(py, "Colourama", None).unwrap();
    assert_eq!(m.len(), 1);
    let m = &m[0];
    assert_eq!(m.id, "MAL-2025-90001");
    assert_eq!(m.version, VersionStatus::NotGiven);
    assert!(m.all_versions);
    assert_eq!(m.affected_versions, "all versions");
    assert_eq!(m.summary, "Malicious code in colourama (PyPI)");
    assert_eq!(m.reported_by, ["kam193", "reversing-labs"]);
    assert_eq!(m.published.as_deref(), Some("2024-06-28T20:16:20Z"));
    assert_eq!(m.modified, "2025-12-11T09:27:52Z");
    assert!(
        m.source
            .ends_with("osv/malicious/pypi/colourama/MAL-2025-90001.json"),
        "{}",
        m.source
    );
    assert_eq!(ids(&o, py, "colourama", Some("99.1")), ["MAL-2025-90001"]);
    // npm names are not folded, and the ecosystems are apart.
    assert!(ids(&o, npm, "colourama", None).is_empty());

    // A versions list, matched by PEP 440 equality.
    let name = "discord-selfbot-tools";
    assert_eq!(ids(&o, py, name, None), ["MAL-2025-90002"]);
    assert_eq!(
        ids(&o, py, "discord_selfbot.TOOLS", Some("0.1.1")),
        ["MAL-2025-90002"]
    );
    assert_eq!(ids(&o, py, name, Some("1.0.0")), ["MAL-2025-90002"]);
    let clean = o.malicious(py, name, Some("0.2.0")).unwrap();
    assert_eq!(clean[0].version, VersionStatus::NotAffected);
    assert_eq!(clean[0].affected_versions, "0.1.0, 0.1.1, 1.0");
    assert_eq!(
        clean[0].summary,
        "Malicious code in Discord_Selfbot.Tools (PyPI)"
    );
    assert_eq!(clean[0].name, "Discord_Selfbot.Tools");

    // A SEMVER range with last_affected, and one with a fix.
    let t = "@ctrl/tinycolor";
    assert_eq!(ids(&o, npm, t, Some("4.1.1")), ["MAL-2025-90003"]);
    assert_eq!(ids(&o, npm, t, Some("4.1.2")), ["MAL-2025-90003"]);
    assert!(ids(&o, npm, t, Some("4.1.0")).is_empty());
    assert!(ids(&o, npm, t, Some("4.1.3")).is_empty());
    let m = &o.malicious(npm, t, None).unwrap()[0];
    assert_eq!(m.aliases, ["GHSA-9q2w-7j6f-8xc4"]);
    assert_eq!(m.affected_versions, ">= 4.1.1, <= 4.1.2");
    assert!(!m.all_versions);
    let rc = "rc-config-loader-ext";
    for (v, hit) in [
        ("2.2.9", false),
        ("2.3.0", true),
        ("2.3.5", true),
        ("2.4.1-rc.1", true),
        ("2.4.1", false),
        ("3.0.0", false),
    ] {
        assert_eq!(!ids(&o, npm, rc, Some(v)).is_empty(), hit, "{rc}@{v}");
    }
    let m = &o.malicious(npm, rc, Some("latest")).unwrap()[0];
    assert!(
        matches!(&m.version, VersionStatus::Unknown(r) if r.contains("`latest`")),
        "{m:?}"
    );

    // A GitHub malware advisory; the PyPI half of a Go + PyPI record.
    assert_eq!(
        ids(&o, npm, "solana-wallet-kit", Some("0.0.1")),
        ["GHSA-3x8v-q2m4-wr7p"]
    );
    assert_eq!(
        o.malicious(npm, "solana-wallet-kit", None).unwrap()[0].summary,
        "Malware in solana-wallet-kit"
    );
    assert_eq!(
        ids(&o, py, "requests_go", Some("0.1.5")),
        ["MAL-2025-90009"]
    );
    assert!(ids(&o, py, "requests-go", Some("0.2.0")).is_empty());

    // A record awaiting its id keeps its file's name.
    assert_eq!(
        ids(&o, py, "tlgm-bot-api", None),
        ["MAL-0000-kam193-7d3f9a1c2b4e6f80"]
    );
    // A range that could not be read: the listed version matches, others are unknown.
    assert_eq!(
        ids(&o, py, "pyp-cryptolib", Some("3.0.0")),
        ["MAL-2025-90008"]
    );
    let m = &o.malicious(py, "pyp-cryptolib", Some("3.1.5")).unwrap()[0];
    assert!(matches!(m.version, VersionStatus::Unknown(_)), "{m:?}");

    // Withdrawn, advisories, other ecosystems, malformed records: nothing.
    for (eco, name) in [
        (npm, "0x2ai-demo1"),
        (py, "pyyaml-include"),
        (py, "evm-units"),
        (py, "broken-record"),
        (py, "no-modified-date"),
        (npm, "typed-wrong"),
        (py, "requests"),
    ] {
        assert!(
            o.malicious(eco, name, None).unwrap().is_empty(),
            "{eco} {name}"
        );
    }
    let mut keys = Vec::new();
    o.for_each_key(OverlayKind::Malicious, |e, k| {
        keys.push(format!("{}:{k}", e.id()))
    });
    assert_eq!(keys.len(), 8, "{keys:?}");
}

#[test]
fn a_zip_imports_like_the_directory_and_names_its_entries() {
    let data_dir = tmp("zip-dir");
    let data_zip = tmp("zip-zip");
    import(&data_dir, &fixtures());
    let zip = fixture_zip(&data_zip);
    let r = import(&data_zip, &zip);
    assert_eq!(
        r.read,
        json_files(&fixtures()).len() as u64,
        "the README is not read"
    );
    assert_eq!((r.imported, r.withdrawn, r.total), (8, 1, 8));
    assert!(
        r.warnings.iter().any(|w| w.place
            == format!(
                "{}:malicious-packages-main/osv/malformed/MAL-2025-90011.json",
                zip.display()
            )),
        "{:#?}",
        r.warnings
    );
    let (a, b) = (
        Overlays::open(&data_dir).unwrap(),
        Overlays::open(&data_zip).unwrap(),
    );
    let mut keys = Vec::new();
    a.for_each_key(OverlayKind::Malicious, |e, k| keys.push((e, k.to_owned())));
    for (eco, key) in &keys {
        for v in [None, Some("1.0.0"), Some("4.1.2")] {
            let (x, y) = (
                a.malicious(*eco, key, v).unwrap(),
                b.malicious(*eco, key, v).unwrap(),
            );
            assert_eq!(x.len(), y.len());
            for (x, y) in x.iter().zip(&y) {
                assert_eq!(
                    (&x.id, &x.version, &x.affected_versions),
                    (&y.id, &y.version, &y.affected_versions)
                );
            }
        }
    }
    let m = &b.malicious(Ecosystem::PyPI, "colourama", None).unwrap()[0];
    assert_eq!(
        m.source,
        "malicious-packages-main.zip:malicious-packages-main/osv/malicious/pypi/colourama/MAL-2025-90001.json"
    );
}

#[test]
fn reimport_is_idempotent_and_modified_wins() {
    let data = tmp("reimport");
    let first = import(&data, &fixtures());
    let before = Overlays::open(&data).unwrap();
    let before_hits = before
        .malicious(Ecosystem::Npm, "rc-config-loader-ext", None)
        .unwrap();
    let again = import(&data, &fixtures());
    assert_eq!(again.imported, 0);
    assert_eq!(again.unchanged, first.imported);
    assert_eq!(again.replaced, 0);
    assert_eq!(again.total, first.total);
    let after = Overlays::open(&data).unwrap();
    assert_eq!(
        after
            .malicious(Ecosystem::Npm, "rc-config-loader-ext", None)
            .unwrap(),
        before_hits
    );
    assert_eq!(after.provenance()[0].records, 8);
    assert_eq!(after.provenance()[0].withdrawn, 1);

    // A newer version of a record replaces it...
    let newer_dir = tmp("reimport-newer");
    let src = fixtures().join("malicious/npm/rc-config-loader-ext/MAL-2025-90004.json");
    let mut rec: serde_json::Value = serde_json::from_slice(&std::fs::read(&src).unwrap()).unwrap();
    rec["modified"] = "2026-01-10T00:00:00Z".into();
    rec["affected"][0]["ranges"][0]["events"][1] = serde_json::json!({"fixed": "2.5.0"});
    rec["affected"][0]["versions"] = serde_json::json!([]);
    std::fs::write(newer_dir.join("MAL-2025-90004.json"), rec.to_string()).unwrap();
    let r = import(&data, &newer_dir);
    assert_eq!((r.imported, r.replaced, r.older_ignored), (0, 1, 0));
    let o = Overlays::open(&data).unwrap();
    assert!(!ids(&o, Ecosystem::Npm, "rc-config-loader-ext", Some("2.4.5")).is_empty());
    // ...and importing the older one again does not bring it back.
    let r = import(&data, &src);
    assert_eq!((r.imported, r.replaced, r.older_ignored), (0, 0, 1));
    let o = Overlays::open(&data).unwrap();
    let m = &o
        .malicious(Ecosystem::Npm, "rc-config-loader-ext", None)
        .unwrap()[0];
    assert_eq!(m.modified, "2026-01-10T00:00:00Z");
    assert_eq!(m.affected_versions, ">= 2.3.0, < 2.5.0");
}

#[test]
fn withdrawal_removes_a_record_for_good() {
    let data = tmp("withdraw");
    let live = fixtures().join("malicious/npm/0x2ai-demo1");
    let r = import(&data, &live);
    assert_eq!(r.imported, 1);
    let o = Overlays::open(&data).unwrap();
    assert_eq!(
        ids(&o, Ecosystem::Npm, "0x2ai-demo1", Some("1.0.0")),
        ["MAL-2025-90005"]
    );
    let r = import(&data, &fixtures().join("withdrawn"));
    assert_eq!((r.withdrawn, r.removed, r.total), (1, 1, 0));
    let o = Overlays::open(&data).unwrap();
    assert!(ids(&o, Ecosystem::Npm, "0x2ai-demo1", None).is_empty());
    assert_eq!(o.provenance()[0].withdrawn, 1);
    // The older live copy is older than the tombstone.
    let r = import(&data, &live);
    assert_eq!((r.imported, r.older_ignored), (0, 1));
    let o = Overlays::open(&data).unwrap();
    assert!(ids(&o, Ecosystem::Npm, "0x2ai-demo1", None).is_empty());
}

/// Replaces `len` bytes at `at` of a file with their complement.
fn damage(path: &Path, at: usize, len: usize) {
    let mut b = std::fs::read(path).unwrap();
    for x in &mut b[at..at + len] {
        *x = !*x;
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn damaged_overlays_are_errors_naming_the_file() {
    let data = tmp("damaged");
    import(&data, &fixtures());
    overlay::add_hallucinations(
        &data,
        &[HallucinationEntry {
            ecosystem: Ecosystem::PyPI,
            name: "flask-jwt-simple-auth".into(),
            count: 3,
        }],
        "study run 1",
    )
    .unwrap();
    let mal = overlay::overlay_path(&data, OverlayKind::Malicious);
    let good = std::fs::read(&mal).unwrap();
    let expect_err = |needle: &str| {
        let e = Overlays::open(&data).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with(&mal.display().to_string()), "{s}");
        assert!(s.contains(needle), "{s}");
        // The lenient open keeps the other overlay.
        let (o, errors) = Overlays::open_lenient(&data);
        assert_eq!(errors.len(), 1);
        assert!(
            o.malicious(Ecosystem::PyPI, "colourama", None)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            o.hallucination(Ecosystem::PyPI, "Flask_JWT_Simple_Auth")
                .unwrap()
                .unwrap()
                .count,
            3
        );
    };

    // A flipped byte in the header's metadata or in the fst: caught on open.
    damage(&mal, 120, 1);
    expect_err("checksum mismatch");
    std::fs::write(&mal, &good).unwrap();
    let keys_at = u64::from_le_bytes(good[64..72].try_into().unwrap()) as usize;
    damage(&mal, keys_at + 3, 1);
    expect_err("checksum mismatch");

    // Truncated, empty, another file.
    std::fs::write(&mal, &good[..good.len() / 2]).unwrap();
    expect_err("outside");
    std::fs::write(&mal, &good[..40]).unwrap();
    expect_err("truncated");
    std::fs::write(&mal, b"").unwrap();
    expect_err("empty");
    std::fs::write(&mal, b"{\"id\": \"MAL-1\"}").unwrap();
    expect_err("not a depproof overlay");
    std::fs::remove_file(&mal).unwrap();
    std::fs::create_dir(&mal).unwrap();
    expect_err("not a regular file");
    std::fs::remove_dir(&mal).unwrap();
    // The other kind's file in its place.
    std::fs::copy(
        overlay::overlay_path(&data, OverlayKind::Hallucinations),
        &mal,
    )
    .unwrap();
    expect_err("holds hallucinations records");

    // A flipped byte inside a record: open stays cheap, the record's own checksum
    // catches it when it is read, and a full verify catches it too.
    std::fs::write(&mal, &good).unwrap();
    let records_at = u64::from_le_bytes(good[96..104].try_into().unwrap()) as usize;
    let records_len = u64::from_le_bytes(good[104..112].try_into().unwrap()) as usize;
    damage(&mal, records_at + records_len - 2, 1);
    let o = Overlays::open(&data).unwrap();
    let bad = o.verify();
    assert!(
        bad[0]
            .as_ref()
            .is_err_and(|e| e.to_string().contains("checksum mismatch"))
    );
    assert!(bad[1].is_ok());
    let mut failed = 0;
    let mut keys = Vec::new();
    o.for_each_key(OverlayKind::Malicious, |e, k| keys.push((e, k.to_owned())));
    for (e, k) in &keys {
        if let Err(err) = o.malicious(*e, k, None) {
            assert!(matches!(err, OverlayError::Damaged { .. }));
            assert!(err.to_string().contains("fails its checksum"), "{err}");
            failed += 1;
        }
    }
    assert_eq!(failed, 1, "exactly the last record is damaged");

    // An import does not build on a damaged overlay, unless told to start afresh.
    let e = overlay::import_osv(&data, &fixtures(), &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("checksum mismatch"), "{e}");
    let r = overlay::import_osv(&data, &fixtures(), &ImportOptions { replace: true }).unwrap();
    assert_eq!(r.imported, 8);
    let o = Overlays::open(&data).unwrap();
    assert!(o.verify().iter().all(Result::is_ok));
}

#[test]
fn a_failed_import_leaves_the_previous_overlay() {
    let data = tmp("failed");
    import(&data, &fixtures());
    let mal = overlay::overlay_path(&data, OverlayKind::Malicious);
    let before = std::fs::read(&mal).unwrap();
    // A source that is not there.
    let e = overlay::import_osv(&data, &data.join("nope"), &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    // A source of another kind.
    let txt = data.join("notes.txt");
    std::fs::write(&txt, "hello").unwrap();
    let e = overlay::import_osv(&data, &txt, &ImportOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("not a directory, a zip archive"),
        "{e}"
    );
    // A zip that is not one.
    let fake = data.join("all.zip");
    std::fs::write(&fake, b"PK\x03\x04 but nothing else").unwrap();
    let e = overlay::import_osv(&data, &fake, &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("not a readable zip archive"), "{e}");
    // The temporary file cannot be written: the rename never happens.
    let tmp_path = mal
        .parent()
        .unwrap()
        .join(format!(".malicious.dpo.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp_path).unwrap();
    let newer = tmp("failed-newer");
    std::fs::copy(
        fixtures().join("other/MAL-2025-90009.json"),
        newer.join("a.json"),
    )
    .unwrap();
    let mut rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(newer.join("a.json")).unwrap()).unwrap();
    rec["id"] = "MAL-2026-1".into();
    std::fs::write(newer.join("a.json"), rec.to_string()).unwrap();
    assert!(overlay::import_osv(&data, &newer, &ImportOptions::default()).is_err());
    std::fs::remove_dir_all(&tmp_path).unwrap();
    assert_eq!(std::fs::read(&mal).unwrap(), before);
    Overlays::open(&data).unwrap();
}

#[test]
fn hallucination_lists_and_csv_files_merge_with_counts() {
    let data = tmp("hallucinations");
    let list = data.join("invented-pypi.txt");
    std::fs::write(
        &list,
        "# names GPT-4 invented for flask questions\n\
         flask-jwt-simple-auth\n\
         \n\
         Flask_JWT_Simple_Auth   # the same name, another spelling\n\
         pandas-profiler-pro\n\
         not a name\n\
         bad!name\n",
    )
    .unwrap();
    let r = overlay::import_hallucinations(
        &data,
        &list,
        Some(Ecosystem::PyPI),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(r.read, 5);
    assert_eq!(r.imported, 2);
    assert_eq!(r.skipped["invalid name"], 2);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.place.ends_with("invented-pypi.txt:7") && w.reason.contains("`!`")),
        "{:#?}",
        r.warnings
    );
    let o = Overlays::open(&data).unwrap();
    let h = o
        .hallucination(Ecosystem::PyPI, "flask.jwt.simple.auth")
        .unwrap()
        .unwrap();
    assert_eq!(h.count, 2);
    assert_eq!(h.name, "flask-jwt-simple-auth");
    assert_eq!(h.sources, ["invented-pypi.txt"]);
    assert!(
        o.hallucination(Ecosystem::Npm, "flask-jwt-simple-auth")
            .unwrap()
            .is_none()
    );

    let csv = data.join("study.csv");
    std::fs::write(
        &csv,
        "model,name,count,ecosystem\n\
         gpt-4o,flask-jwt-simple-auth,5,pypi\n\
         codellama,express-jwt-auth-middleware,7,npm\n\
         codellama,\"@acme/invented-helper\",2,\n\
         codellama,react-native-ble-manager-pro,many,npm\n\
         codellama,left-padder,1,rubygems\n\
         codellama,\"unterminated,1,npm\n",
    )
    .unwrap();
    let r = overlay::import_hallucinations(
        &data,
        &csv,
        Some(Ecosystem::Npm),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(r.read, 6);
    assert_eq!((r.imported, r.replaced), (2, 1));
    assert_eq!(r.skipped["bad count"], 1);
    assert_eq!(r.skipped["unknown ecosystem"], 1);
    assert_eq!(r.skipped["malformed line"], 1);
    assert_eq!(r.by_ecosystem[&Ecosystem::Npm], 2);
    let o = Overlays::open(&data).unwrap();
    let h = o
        .hallucination(Ecosystem::PyPI, "flask-jwt-simple-auth")
        .unwrap()
        .unwrap();
    assert_eq!(h.count, 7);
    assert_eq!(h.sources, ["invented-pypi.txt", "study.csv"]);
    assert_eq!(
        o.hallucination(Ecosystem::Npm, "@acme/invented-helper")
            .unwrap()
            .unwrap()
            .count,
        2
    );

    // The programmatic way in, as a study harness feeds it.
    let r = overlay::add_hallucinations(
        &data,
        &[
            HallucinationEntry {
                ecosystem: Ecosystem::Npm,
                name: "express-jwt-auth-middleware".into(),
                count: 10,
            },
            HallucinationEntry {
                ecosystem: Ecosystem::Npm,
                name: "Has Spaces".into(),
                count: 1,
            },
        ],
        "study 2026-11 codellama-13b",
    )
    .unwrap();
    assert_eq!((r.imported, r.replaced), (0, 1));
    assert_eq!(r.skipped["invalid name"], 1);
    let o = Overlays::open(&data).unwrap();
    let h = o
        .hallucination(Ecosystem::Npm, "express-jwt-auth-middleware")
        .unwrap()
        .unwrap();
    assert_eq!(h.count, 17);
    assert_eq!(h.sources, ["study.csv", "study 2026-11 codellama-13b"]);
    let p = o.provenance();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].kind, OverlayKind::Hallucinations);
    assert_eq!(p[0].records, 4);
    assert_eq!(p[0].by_ecosystem[&Ecosystem::Npm], 2);
    assert_eq!(p[0].sources.len(), 3);
    assert_eq!(p[0].sources[2].source, "study 2026-11 codellama-13b");
    assert!(p[0].checksum.starts_with("xxh3:") && p[0].checksum.len() == 21);

    // A CSV without a name column, and a list without an ecosystem: errors naming the file.
    let bad = data.join("bad.csv");
    std::fs::write(&bad, "package,count\nx,1\n").unwrap();
    let e = overlay::import_hallucinations(
        &data,
        &bad,
        Some(Ecosystem::PyPI),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("bad.csv:1") && e.to_string().contains("`name` column"),
        "{e}"
    );
    let e =
        overlay::import_hallucinations(&data, &list, None, &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("--ecosystem"), "{e}");
}

#[test]
fn provenance_and_the_data_directory() {
    let data = tmp("provenance");
    assert!(Overlays::open(&data).unwrap().is_empty());
    assert!(Overlays::open(&data.join("missing")).unwrap().is_empty());
    import(&data, &fixtures());
    let o = Overlays::open(&data).unwrap();
    let p = &o.provenance()[0];
    assert_eq!(p.kind, OverlayKind::Malicious);
    assert_eq!((p.records, p.withdrawn), (8, 1));
    assert_eq!(p.by_ecosystem[&Ecosystem::PyPI], 5);
    assert_eq!(p.by_ecosystem[&Ecosystem::Npm], 3);
    assert_eq!(p.sources.len(), 1);
    assert_eq!(
        p.sources[0].source,
        std::fs::canonicalize(fixtures())
            .unwrap()
            .display()
            .to_string()
    );
    assert_eq!(p.sources[0].records, 9);
    assert_eq!(p.created, p.updated);
    assert_eq!(p.size, std::fs::metadata(&p.path).unwrap().len());
    assert_eq!(
        overlay::data_dir(Some(Path::new("/x/y"))).unwrap(),
        PathBuf::from("/x/y")
    );
}
