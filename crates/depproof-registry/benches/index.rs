//! Lookup and "did you mean" speed on the embedded snapshots (the full PyPI list).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use depproof_registry::{Ecosystem, embedded};

fn names(eco: Ecosystem, every: usize) -> Vec<String> {
    let idx = embedded::open(eco).unwrap();
    let mut v = Vec::new();
    let mut i = 0;
    idx.for_each_name(|k, _| {
        if i % every == 0 {
            v.push(k.to_owned());
        }
        i += 1;
    });
    v
}

fn lookups(c: &mut Criterion) {
    let pypi = embedded::open(Ecosystem::PyPI).unwrap();
    let present = names(Ecosystem::PyPI, 887); // ~1,000 names spread over the key space
    let absent: Vec<String> = present.iter().map(|n| format!("{n}-zq")).collect();
    let mut g = c.benchmark_group("pypi exact lookup");
    g.throughput(criterion::Throughput::Elements(present.len() as u64));
    g.bench_function("present names", |b| {
        b.iter(|| {
            for n in &present {
                black_box(pypi.get(black_box(n)));
            }
        })
    });
    g.bench_function("absent names", |b| {
        b.iter(|| {
            for n in &absent {
                black_box(pypi.get(black_box(n)));
            }
        })
    });
    g.bench_function("normalize + lookup of written names", |b| {
        let written: Vec<String> = present
            .iter()
            .map(|n| n.replace('-', "_").to_uppercase())
            .collect();
        b.iter(|| {
            for n in &written {
                let key = Ecosystem::PyPI.normalize(black_box(n));
                black_box(pypi.get(&key));
            }
        })
    });
    g.finish();
}

fn suggestions(c: &mut Criterion) {
    let pypi = embedded::open(Ecosystem::PyPI).unwrap();
    let npm = embedded::open(Ecosystem::Npm).unwrap();
    // Typical invented or mistyped names.
    let typos = [
        "reqeusts",
        "nmupy",
        "pandsa",
        "flask-restfull",
        "scikit-learnn",
        "tensorflow-gpu-utils",
        "djangorestframework-jwt-auth",
        "beautifulsoup5",
    ];
    let mut g = c.benchmark_group("did you mean");
    g.bench_function("pypi, one name", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % typos.len();
            black_box(pypi.suggest(black_box(typos[i]), 5))
        })
    });
    g.bench_function("npm, one name", |b| {
        let npm_typos = ["lodahs", "@types/nod", "expresss", "react-domm", "axois"];
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % npm_typos.len();
            black_box(npm.suggest(black_box(npm_typos[i]), 5))
        })
    });
    g.finish();
}

fn open(c: &mut Criterion) {
    c.bench_function("open embedded pypi snapshot", |b| {
        b.iter(|| black_box(embedded::open(Ecosystem::PyPI).unwrap()))
    });
}

criterion_group!(benches, lookups, suggestions, open);
criterion_main!(benches);
