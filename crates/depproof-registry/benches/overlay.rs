//! Opening overlays and looking names up, on a synthetic malicious overlay of 200,000 OSV
//! records (about the size of the OpenSSF malicious-packages repository) and a
//! hallucination overlay of 200,000 names. The overlays are built once, by the real
//! import path (a zip of OSV records), under the target directory.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use depproof_registry::Ecosystem;
use depproof_registry::overlay::{self, HallucinationEntry, ImportOptions, OverlayKind, Overlays};

const RECORDS: usize = 200_000;

const WORDS: [&str; 24] = [
    "react", "discord", "token", "crypto", "wallet", "solana", "requests", "flask", "utils",
    "helper", "sdk", "api", "core", "plugin", "loader", "config", "auth", "jwt", "web3", "colors",
    "lodash", "express", "async", "parser",
];

/// A deterministic package name: a few words and a number, sometimes scoped.
fn name(i: usize, eco: Ecosystem) -> String {
    let w = |k: usize| WORDS[(i / k + k * 7) % WORDS.len()];
    let base = format!("{}-{}-{}{}", w(1), w(3), w(11), i % 997);
    if eco == Ecosystem::Npm && i.is_multiple_of(5) {
        format!("@{}-{}/{base}", w(13), i % 31)
    } else {
        base
    }
}

fn eco_of(i: usize) -> Ecosystem {
    // The malicious-packages repository is mostly npm.
    if i % 10 < 8 {
        Ecosystem::Npm
    } else {
        Ecosystem::PyPI
    }
}

fn record(i: usize) -> String {
    let eco = eco_of(i);
    let (osv_eco, name) = (eco.display_name(), name(i, eco));
    let affected = match i % 4 {
        0 => r#""ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]"#.to_owned(),
        1 => format!(r#""versions":["1.0.{}","1.0.{}"]"#, i % 7, i % 7 + 1),
        2 => format!(
            r#""ranges":[{{"type":"{}","events":[{{"introduced":"2.{}.0"}},{{"fixed":"2.{}.3"}}]}}]"#,
            if eco == Ecosystem::Npm {
                "SEMVER"
            } else {
                "ECOSYSTEM"
            },
            i % 5,
            i % 5
        ),
        _ => r#""versions":["0.0.1"]"#.to_owned(),
    };
    format!(
        r#"{{"schema_version":"1.7.4","id":"MAL-2025-{i}","modified":"2025-09-04T00:47:46Z","published":"2025-09-03T17:00:47Z",
"summary":"Malicious code in {name} ({osv_eco})","details":"Exfiltrates environment variables on install.",
"affected":[{{"package":{{"ecosystem":"{osv_eco}","name":"{name}"}},{affected}}}],
"database_specific":{{"malicious-packages-origins":[{{"source":"kam193","id":"x/{i}"}}]}}}}"#
    )
}

/// The data directory with both overlays, built on first use.
fn data_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("overlay-bench-200k");
    let mal = overlay::overlay_path(&dir, OverlayKind::Malicious);
    let hal = overlay::overlay_path(&dir, OverlayKind::Hallucinations);
    if mal.exists() && hal.exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let zip_path = dir.join("records.zip");
    let t = Instant::now();
    {
        let mut z = zip::ZipWriter::new(std::io::BufWriter::new(
            std::fs::File::create(&zip_path).unwrap(),
        ));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..RECORDS {
            z.start_file(format!("MAL-2025-{i}.json"), opts).unwrap();
            z.write_all(record(i).as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    eprintln!("wrote {RECORDS} records to a zip in {:.1?}", t.elapsed());
    let t = Instant::now();
    let r = overlay::import_osv(&dir, &zip_path, &ImportOptions { replace: true }).unwrap();
    eprintln!(
        "imported {} records in {:.1?}: {} bytes",
        r.total,
        t.elapsed(),
        std::fs::metadata(&mal).unwrap().len()
    );
    let entries: Vec<HallucinationEntry> = (0..RECORDS)
        .map(|i| HallucinationEntry {
            ecosystem: eco_of(i + 3),
            name: format!("{}-pro", name(i, eco_of(i + 3))),
            count: (i % 9 + 1) as u64,
        })
        .collect();
    let t = Instant::now();
    let r = overlay::add_hallucinations(&dir, &entries, "bench").unwrap();
    eprintln!(
        "added {} names in {:.1?}: {} bytes",
        r.total,
        t.elapsed(),
        std::fs::metadata(&hal).unwrap().len()
    );
    std::fs::remove_file(&zip_path).unwrap();
    dir
}

fn open(c: &mut Criterion) {
    let dir = data_dir();
    let mut g = c.benchmark_group("open");
    g.bench_function("both overlays, 200k records each", |b| {
        b.iter(|| black_box(Overlays::open(black_box(&dir)).unwrap()))
    });
    g.bench_function("open + one malicious and one hallucination lookup", |b| {
        b.iter(|| {
            let o = Overlays::open(&dir).unwrap();
            black_box(
                o.malicious(Ecosystem::Npm, black_box("lodash"), None)
                    .unwrap(),
            );
            black_box(
                o.hallucination(Ecosystem::PyPI, black_box("flask-jwt-pro"))
                    .unwrap(),
            );
        })
    });
    g.finish();
}

fn lookups(c: &mut Criterion) {
    let dir = data_dir();
    let o = Overlays::open(&dir).unwrap();
    let present: Vec<(Ecosystem, String)> = (0..RECORDS)
        .step_by(RECORDS / 1000)
        .map(|i| (eco_of(i), name(i, eco_of(i))))
        .collect();
    assert!(
        present
            .iter()
            .all(|(e, n)| !o.malicious(*e, n, None).unwrap().is_empty()),
        "every sampled name is in the overlay"
    );
    let absent: Vec<(Ecosystem, String)> = present
        .iter()
        .map(|(e, n)| (*e, format!("{n}-zq")))
        .collect();
    let mut g = c.benchmark_group("malicious lookup");
    g.throughput(criterion::Throughput::Elements(present.len() as u64));
    g.bench_function("present, no version", |b| {
        b.iter(|| {
            for (e, n) in &present {
                black_box(o.malicious(*e, black_box(n), None).unwrap());
            }
        })
    });
    g.bench_function("present, with a version", |b| {
        b.iter(|| {
            for (e, n) in &present {
                black_box(o.malicious(*e, black_box(n), Some("2.1.1")).unwrap());
            }
        })
    });
    g.bench_function("absent", |b| {
        b.iter(|| {
            for (e, n) in &absent {
                black_box(o.malicious(*e, black_box(n), None).unwrap());
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("hallucination lookup");
    g.throughput(criterion::Throughput::Elements(present.len() as u64));
    let names: Vec<(Ecosystem, String)> = (0..RECORDS)
        .step_by(RECORDS / 1000)
        .map(|i| (eco_of(i + 3), format!("{}-pro", name(i, eco_of(i + 3)))))
        .collect();
    assert!(
        names
            .iter()
            .all(|(e, n)| o.hallucination(*e, n).unwrap().is_some())
    );
    g.bench_function("present", |b| {
        b.iter(|| {
            for (e, n) in &names {
                black_box(o.hallucination(*e, black_box(n)).unwrap());
            }
        })
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    let dir = data_dir();
    let o = Overlays::open(&dir).unwrap();
    let mut g = c.benchmark_group("verify");
    g.sample_size(20);
    g.bench_function("full checksum of both files", |b| {
        b.iter(|| black_box(o.verify()))
    });
    g.finish();
}

criterion_group!(benches, open, lookups, verify);
criterion_main!(benches);
