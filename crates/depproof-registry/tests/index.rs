//! Build -> open -> query round trips on the real registry listings in ../shared/data,
//! the embedded snapshots against a fresh build, and damaged index files.

use std::path::PathBuf;
use std::sync::OnceLock;

use depproof_registry::index::build::{BuildOptions, build_from_path, build_from_reader};
use depproof_registry::index::{Completeness, Popularity};
use depproof_registry::{Ecosystem, Flags, Index, IndexError, Lookup, embedded};

fn shared(file: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/registry")
        .join(file);
    assert!(
        p.exists(),
        "{} is missing: these tests read the registry listings in ../shared/data beside the repository",
        p.display()
    );
    p
}

/// Options that reproduce an embedded snapshot from its own header.
fn options_like(index: &Index) -> BuildOptions {
    let h = index.header();
    let mut o = BuildOptions::new(h.ecosystem, h.source.clone());
    o.snapshot_date = Some(h.snapshot_date.clone());
    o.completeness = Some(h.completeness.clone());
    o
}

fn fresh(eco: Ecosystem) -> &'static (Vec<u8>, Index) {
    static PYPI: OnceLock<(Vec<u8>, Index)> = OnceLock::new();
    static NPM: OnceLock<(Vec<u8>, Index)> = OnceLock::new();
    let (cell, file) = match eco {
        Ecosystem::PyPI => (&PYPI, "pypi.tsv.gz"),
        Ecosystem::Npm => (&NPM, "npm.tsv.gz"),
    };
    cell.get_or_init(|| {
        let opts = options_like(&embedded::open(eco).unwrap());
        let (bytes, _) = build_from_path(&shared(file), &opts).unwrap();
        let index = Index::from_vec(bytes.clone(), format!("fresh {file}")).unwrap();
        (bytes, index)
    })
}

#[test]
fn embedded_snapshots_equal_a_fresh_build_from_the_shared_data() {
    for eco in Ecosystem::ALL {
        let (bytes, _) = fresh(eco);
        let emb = embedded::bytes(eco);
        assert_eq!(
            emb.len(),
            bytes.len(),
            "{eco}: size differs from a fresh build"
        );
        assert!(
            emb == bytes.as_slice(),
            "{eco}: embedded snapshot differs from a fresh build"
        );
        embedded::open(eco).unwrap().verify().unwrap();
    }
}

#[test]
fn pypi_round_trip_finds_real_projects() {
    let (_, idx) = fresh(Ecosystem::PyPI);
    let h = idx.header();
    assert_eq!(h.ecosystem, Ecosystem::PyPI);
    assert_eq!(h.completeness, Completeness::Complete);
    assert!(h.name_count > 880_000, "{}", h.name_count);
    // 15,000 ranks, a few of whose projects are gone from the listing.
    assert!(
        (14_900..=15_000).contains(&h.popular_count),
        "{}",
        h.popular_count
    );
    for name in [
        "requests",
        "numpy",
        "Flask",
        "python_dateutil",
        "Django",
        "zope.interface",
    ] {
        let key = Ecosystem::PyPI.normalize(name);
        let Lookup::Found(info) = idx.lookup(&key) else {
            panic!("{name} not found");
        };
        assert_eq!(info.name, key);
        assert!(!info.latest_version.is_empty());
        assert!(info.release_month.is_some());
        assert!(info.popular, "{name} should be popular: {info:?}");
        assert!(matches!(info.popularity, Popularity::Rank(r) if r <= 15_000));
    }
    assert!(matches!(idx.get("requests").unwrap().popularity, Popularity::Rank(r) if r < 100));
}

#[test]
fn pypi_misspelling_is_absent_and_suggests_the_real_name_first() {
    let (_, idx) = fresh(Ecosystem::PyPI);
    assert_eq!(idx.lookup("reqeusts"), Lookup::Absent);
    let s = idx.suggest("reqeusts", 5);
    assert!(!s.is_empty());
    assert_eq!(s[0].info.name, "requests");
    assert_eq!(s[0].distance, 1);
    assert!(s.len() <= 5);
    // Ranked by distance, then popularity.
    for w in s.windows(2) {
        assert!(w[0].distance <= w[1].distance, "{s:?}");
    }
    assert!(s.iter().all(|x| x.info.name != "reqeusts"));
    // Distance 2 reaches popular names only.
    let s = idx.suggest("nmupyy", 5);
    assert!(
        s.iter().any(|x| x.info.name == "numpy" && x.distance == 2),
        "{s:?}"
    );
    assert!(s.iter().all(|x| x.distance < 2 || x.info.popular), "{s:?}");
}

#[test]
fn npm_round_trip_and_honest_unknowns() {
    let (_, idx) = fresh(Ecosystem::Npm);
    let h = idx.header();
    assert_eq!(h.ecosystem, Ecosystem::Npm);
    let Completeness::Partial {
        min_downloads,
        description,
    } = &h.completeness
    else {
        panic!("npm snapshot must be partial");
    };
    assert!(
        *min_downloads > 0 && description.contains("downloads a month"),
        "{description}"
    );
    for name in ["lodash", "@types/node", "react", "JSONStream"] {
        let Lookup::Found(info) = idx.lookup(name) else {
            panic!("{name} not found");
        };
        assert!(
            matches!(info.popularity, Popularity::MonthlyDownloads(d) if d as u64 >= *min_downloads)
        );
    }
    // A made-up scoped name is unknown, never "does not exist".
    assert_eq!(
        idx.lookup("@depproof-test/surely-made-up-pkg"),
        Lookup::Unknown
    );
    assert_eq!(idx.lookup("lodahs"), Lookup::Unknown);
    assert_eq!(idx.suggest("lodahs", 5)[0].info.name, "lodash");
    assert_eq!(idx.suggest("@types/nod", 5)[0].info.name, "@types/node");
    // Legacy capitals: found exactly, and suggested for other spellings.
    let s = idx.suggest("jsonStream", 5);
    assert_eq!(s[0].info.name, "JSONStream", "{s:?}");
    assert_eq!(s[0].distance, 0);
}

#[test]
fn npm_security_holding_packages_are_flagged() {
    let (_, idx) = fresh(Ecosystem::Npm);
    let mut n = 0;
    idx.for_each_name(|_, info| {
        if info.latest_version.contains("-security") {
            assert!(info.flags.contains(Flags::SECURITY_HOLDING), "{info:?}");
            n += 1;
        }
    });
    assert!(n > 0);
}

fn small_npm() -> Vec<u8> {
    let tsv = "name\tversion\tdownloads_a_month\tsummary\n\
               left-pad\t1.3.0\t3000000\tString left pad\n\
               lodash\t4.17.21\t50000000\tLodash modular utilities.\n\
               @types/node\t22.0.0\t90000000\tTypeScript definitions for node\n\
               JSONStream\t1.3.5\t9000000\trawStream.pipe(JSONStream.parse()).pipe(streamOfObjects)\n";
    let mut o = BuildOptions::new(Ecosystem::Npm, "test");
    o.snapshot_date = Some("2026-11".into());
    o.popular_top = 2;
    build_from_reader(tsv.as_bytes(), "test.tsv", &o).unwrap().0
}

#[test]
fn small_build_round_trip() {
    let idx = Index::from_vec(small_npm(), "small").unwrap();
    let h = idx.header();
    assert_eq!(h.name_count, 4);
    assert_eq!(h.popular_count, 2);
    assert_eq!(h.popular_threshold, 50_000_000);
    assert_eq!(h.snapshot_date, "2026-11");
    assert!(matches!(
        &h.completeness,
        Completeness::Partial {
            min_downloads: 3_000_000,
            ..
        }
    ));
    let info = idx.get("@types/node").unwrap();
    assert_eq!(info.latest_version, "22.0.0");
    assert!(info.popular);
    assert!(!idx.get("left-pad").unwrap().popular);
    assert_eq!(idx.get("jsonstream"), None);
    assert_eq!(idx.case_variants("jsonstream")[0].name, "JSONStream");
}

fn expect_invalid(bytes: Vec<u8>, needle: &str) {
    match Index::from_vec(bytes, "damaged.dpi") {
        Err(IndexError::Invalid { origin, reason }) => {
            assert_eq!(origin, "damaged.dpi");
            assert!(reason.contains(needle), "expected `{needle}` in: {reason}");
        }
        Err(e) => panic!("unexpected error kind: {e}"),
        Ok(_) => panic!("a damaged index opened (expected `{needle}`)"),
    }
}

#[test]
fn damaged_files_are_reported_not_misread() {
    let good = small_npm();
    expect_invalid(Vec::new(), "empty");
    expect_invalid(b"name\tversion\n".to_vec(), "not a depproof index");
    expect_invalid(good[..40].to_vec(), "truncated");
    // Every possible truncation fails cleanly.
    for len in 8..good.len() {
        assert!(
            Index::from_vec(good[..len].to_vec(), "t").is_err(),
            "truncated to {len} opened"
        );
    }
    let mut v = good.clone();
    v[8] = 2;
    expect_invalid(v, "format version 2");
    // Every single-byte corruption after the magic is caught (by the checksum or by a
    // header check), and never panics.
    for at in 8..good.len() {
        let mut v = good.clone();
        v[at] ^= 0x5a;
        assert!(
            Index::from_vec(v, "c").is_err(),
            "corruption at byte {at} went unnoticed"
        );
    }
}

#[test]
fn random_damage_is_always_caught() {
    let good = small_npm();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..3000 {
        let mut v = good.clone();
        let hits = 1 + round % 4;
        for _ in 0..hits {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = 8 + (seed % (v.len() as u64 - 8)) as usize;
            v[at] = v[at].wrapping_add(1 + (seed >> 56) as u8 % 255);
        }
        assert!(
            Index::from_vec(v, "fuzz").is_err(),
            "round {round}: damage went unnoticed"
        );
    }
}

#[test]
fn bad_listings_name_the_line() {
    let o = BuildOptions::new(Ecosystem::PyPI, "t");
    let err = |tsv: &str| {
        build_from_reader(tsv.as_bytes(), "l.tsv", &o)
            .unwrap_err()
            .to_string()
    };
    assert!(err("").contains("empty"));
    assert!(err("nom\tversion\n").contains("no `name` column"));
    assert!(err("name\tversion\tmonth\n").contains("no packages"));
    let (bytes, stats) = build_from_reader(
        "name\tversion\tmonth\nfoo\t1.0\t2020-01\nbar\t1.0\tlast year\n".as_bytes(),
        "l.tsv",
        &o,
    )
    .unwrap();
    // A bad value costs the value, not the package.
    assert_eq!(stats.warning_count, 1);
    assert!(
        stats.warnings[0].starts_with("l.tsv:3: `last year` is not a month"),
        "{:?}",
        stats.warnings
    );
    let idx = Index::from_vec(bytes, "l").unwrap();
    assert_eq!(idx.get("bar").unwrap().release_month, None);
    let e = err("name\tversion\tmonth\nfoo\t1.0\t2020-01\n\t1.0\t2020-01\n");
    assert!(e.starts_with("l.tsv:3: the name is empty"), "{e}");
    let e = err("name\tversion\tmonth\nfoo\t1.0\t2020-01\textra\tmore\n");
    assert!(e.starts_with("l.tsv:2:") && e.contains("fields"), "{e}");
}

#[test]
fn pypi_spellings_of_one_project_merge() {
    let tsv = "name\tversion\tmonth\trank_among_15000_most_downloaded\tsummary\n\
               Foo_Bar\t1.0\t2020-01\t\told\n\
               foo-bar\t2.0\t2021-05\t7\tnew\n\
               foo.bar\t1.5\t2020-06\t\tmid\n";
    let (bytes, stats) = build_from_reader(
        tsv.as_bytes(),
        "t",
        &BuildOptions::new(Ecosystem::PyPI, "t"),
    )
    .unwrap();
    assert_eq!((stats.names, stats.merged), (1, 2));
    let idx = Index::from_vec(bytes, "t").unwrap();
    let info = idx.get("foo-bar").unwrap();
    assert_eq!(info.latest_version, "2.0");
    assert_eq!(info.release_month, Some((2021, 5)));
    assert_eq!(info.popularity, Popularity::Rank(7));
    assert_eq!(idx.header().snapshot_date, "2021-05");
}

#[test]
fn extreme_queries_are_safe() {
    let (_, idx) = fresh(Ecosystem::PyPI);
    let long = "a".repeat(10_000);
    assert_eq!(idx.lookup(&long), Lookup::Absent);
    assert!(idx.suggest(&long, 5).is_empty());
    assert!(idx.suggest("", 5).is_empty());
    assert_eq!(idx.lookup("réquests"), Lookup::Absent);
    let s = idx.suggest("réquests", 5);
    assert_eq!(s[0].info.name, "requests");
}

#[test]
fn arbitrary_listings_never_panic_the_builder() {
    // Rows assembled from fragments that stress the parser: separators, months, numbers,
    // non-UTF-8 bytes, long fields; now and then a stray tab or line break.
    let fragments: [&[u8]; 14] = [
        b"-",
        b"_.",
        b"Foo",
        b"2026-11",
        b"2026-13",
        b"12345",
        b"99999999999",
        b"\xff\xfe",
        b"\xc3\xa9",
        b"0.0.1-security",
        b"placeholder",
        b"@scope/x",
        b"",
        b"\r",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut built, mut refused) = (0, 0);
    for round in 0..2000 {
        let eco = if round % 2 == 0 {
            Ecosystem::PyPI
        } else {
            Ecosystem::Npm
        };
        let (header, columns): (&[u8], u64) = if round % 3 == 0 {
            (b"name\tversion\tdownloads_a_month\tsummary\n", 4)
        } else {
            (
                b"name\tversion\tmonth\trank_among_15000_most_downloaded\tsummary\n",
                5,
            )
        };
        let mut tsv = header.to_vec();
        for _ in 0..(next() % 8) {
            for col in 0..columns {
                if col > 0 {
                    tsv.push(b'\t');
                }
                for _ in 0..(1 + next() % 2) {
                    tsv.extend_from_slice(fragments[(next() % 14) as usize]);
                }
                match next() % 40 {
                    0 => tsv.push(b'\t'),
                    1 => tsv.push(b'\n'),
                    2 => tsv.extend(std::iter::repeat_n(b'a', 300)),
                    _ => {}
                }
            }
            tsv.push(b'\n');
        }
        let mut o = BuildOptions::new(eco, "fuzz");
        o.fallback_date = Some("2026-11".into());
        let Ok((bytes, stats)) = build_from_reader(tsv.as_slice(), "fuzz.tsv", &o) else {
            refused += 1;
            continue;
        };
        built += 1;
        let idx = Index::from_vec(bytes, "fuzz").expect("a built index opens");
        assert_eq!(idx.header().name_count, stats.names);
        idx.for_each_name(|k, _| {
            assert!(idx.get(k).is_some());
            let _ = idx.suggest(k, 5);
        });
    }
    assert!(
        built > 100 && refused > 100,
        "{built} built, {refused} refused"
    );
}
