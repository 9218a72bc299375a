//! The cost of the assessment next to the scan it follows: the target is at most 10% of
//! the scan's time. Runs on the real-code corpus (`scripts/corpus.sh`, or
//! `DEPPROOF_CORPUS=DIR`) when present, else on `examples/`.

use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use depproof_assess::{Assessor, Policy, Registry};
use depproof_extract::scan::{ScanOptions, scan_paths};
use depproof_registry::{Ecosystem, embedded};

fn tree() -> PathBuf {
    if let Some(dir) = std::env::var_os("DEPPROOF_CORPUS") {
        return PathBuf::from(dir);
    }
    let corpus = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/depproof-corpus"))
        .filter(|p| p.is_dir());
    corpus.unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples")))
}

fn bench(c: &mut Criterion) {
    let pypi = embedded::open(Ecosystem::PyPI).unwrap();
    let npm = embedded::open(Ecosystem::Npm).unwrap();
    let root = tree();
    let t = Instant::now();
    let scan = scan_paths(
        std::slice::from_ref(&root),
        &ScanOptions::default(),
        &pypi,
        &|_, _| {},
    );
    let scan_time = t.elapsed();
    let policy = Policy::default();
    let assessor = Assessor::new(Registry::new(&pypi, &npm), &policy);
    let t = Instant::now();
    let runs = 5;
    let mut packages = 0;
    for _ in 0..runs {
        packages = assessor.assess_scan(&scan).findings.len();
    }
    let assess_time = t.elapsed() / runs;
    eprintln!(
        "{}: scan {:.0} ms ({} files, {} references); assessment of {packages} packages {:.1} ms = {:.1}% of the scan",
        root.display(),
        scan_time.as_secs_f64() * 1e3,
        scan.files,
        scan.references.len(),
        assess_time.as_secs_f64() * 1e3,
        100.0 * assess_time.as_secs_f64() / scan_time.as_secs_f64()
    );
    let mut g = c.benchmark_group("assess");
    g.sample_size(10);
    g.bench_function("assess_scan", |b| b.iter(|| assessor.assess_scan(&scan)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
