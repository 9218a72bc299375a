//! Typosquat checks on the embedded snapshots: building the detector, and one check of
//! names as a scan meets them (mostly real packages, some unknown look-alikes).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use depproof_registry::typosquat::Detector;
use depproof_registry::{Ecosystem, PackageInfo, embedded};

/// Every `every`th name of the snapshot with its info, plus typo'd variants unknown to it.
fn names(eco: Ecosystem, every: usize) -> Vec<(String, Option<PackageInfo>)> {
    let index = embedded::open(eco).unwrap();
    let mut v = Vec::new();
    let mut i = 0;
    index.for_each_name(|k, info| {
        if i % every == 0 {
            v.push((k.to_owned(), Some(info)));
        }
        i += 1;
    });
    let typos: Vec<(String, Option<PackageInfo>)> = v
        .iter()
        .step_by(10)
        .map(|(k, _)| {
            let mut b = k.clone().into_bytes();
            if b.len() > 3 {
                b.swap(1, 2);
            }
            (String::from_utf8_lossy(&b).into_owned(), None)
        })
        .collect();
    v.extend(typos);
    v
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("typosquat detector build");
    g.sample_size(20);
    for eco in Ecosystem::ALL {
        let index = embedded::open(eco).unwrap();
        g.bench_function(eco.id(), |b| b.iter(|| black_box(Detector::new(&index))));
    }
    g.finish();
}

fn check(c: &mut Criterion) {
    let mut g = c.benchmark_group("typosquat check");
    for (eco, every) in [(Ecosystem::PyPI, 887), (Ecosystem::Npm, 227)] {
        let index = embedded::open(eco).unwrap();
        let detector = Detector::new(&index);
        let names = names(eco, every); // ~1,100 names spread over the key space
        g.throughput(criterion::Throughput::Elements(names.len() as u64));
        g.bench_function(format!("{}, snapshot names and typos", eco.id()), |b| {
            b.iter(|| {
                for (k, info) in &names {
                    black_box(detector.check(black_box(k), info.as_ref()));
                }
            })
        });
        let typos: Vec<&str> = match eco {
            Ecosystem::PyPI => vec![
                "reqeusts",
                "colourama",
                "python3-dateutil",
                "jeilyfish",
                "djanga",
            ],
            Ecosystem::Npm => vec![
                "crossenv",
                "electorn",
                "loadsh",
                "types-node",
                "nodemailer.js",
            ],
        };
        g.throughput(criterion::Throughput::Elements(1));
        g.bench_function(format!("{}, known squats", eco.id()), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % typos.len();
                black_box(detector.check(black_box(typos[i]), None))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, build, check);
criterion_main!(benches);
