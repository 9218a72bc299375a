//! Lookup and "did you mean" speed on the embedded snapshots (the full PyPI list).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
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

/// A deterministic xorshift generator, so that every run measures the same names.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One random edit (insertion, deletion, substitution or transposition) of `name`.
fn edit(name: &str, rng: &mut Rng, alphabet: &[u8]) -> String {
    let mut b = name.as_bytes().to_vec();
    let i = rng.below(b.len() + 1);
    let c = alphabet[rng.below(alphabet.len())];
    match rng.below(4) {
        0 => b.insert(i, c),
        1 if i < b.len() => {
            b.remove(i);
        }
        2 if i < b.len() => b[i] = c,
        _ if i + 1 < b.len() => b.swap(i, i + 1),
        _ => b.push(c),
    }
    String::from_utf8(b).expect("ASCII edits of an ASCII name")
}

/// Names a user or a model might ask for that are not in the snapshot: popular names with
/// one typo, any names with one or two, and invented names joined from the words of
/// popular ones (`flask-jwt-tools`), the way models make names up.
fn misspelt(eco: Ecosystem, count: usize) -> Vec<String> {
    let idx = embedded::open(eco).unwrap();
    let mut popular = Vec::new();
    idx.for_each_popular(|k, _| popular.push(k.to_owned()));
    let all = names(eco, 97);
    let words: Vec<&str> = popular
        .iter()
        .flat_map(|n| n.split(['-', '/', '.', '_']))
        .filter(|w| w.len() > 2 && !w.starts_with('@'))
        .collect();
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789-";
    let mut rng = Rng(0x005e_ed0f_7e57);
    let mut out = Vec::new();
    while out.len() < count {
        let name = match out.len() % 4 {
            0 => edit(&popular[rng.below(popular.len())], &mut rng, alphabet),
            1 => edit(&all[rng.below(all.len())], &mut rng, alphabet),
            2 => {
                let once = edit(&all[rng.below(all.len())], &mut rng, alphabet);
                edit(&once, &mut rng, alphabet)
            }
            _ => {
                let n = 2 + rng.below(2);
                (0..n)
                    .map(|_| words[rng.below(words.len())])
                    .collect::<Vec<_>>()
                    .join("-")
            }
        };
        if idx.get(&name).is_none() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
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
    // Each iteration on a fresh index (opening one costs about a microsecond, outside
    // the timing), so that the answers an index keeps are not what is measured.
    let mut g = c.benchmark_group("did you mean");
    g.bench_function("pypi, one name", |b| {
        let mut i = 0;
        b.iter_batched(
            || embedded::open(Ecosystem::PyPI).unwrap(),
            |idx| {
                i = (i + 1) % typos.len();
                black_box(idx.suggest(black_box(typos[i]), 5))
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("npm, one name", |b| {
        let npm_typos = ["lodahs", "@types/nod", "expresss", "react-domm", "axois"];
        let mut i = 0;
        b.iter_batched(
            || embedded::open(Ecosystem::Npm).unwrap(),
            |idx| {
                i = (i + 1) % npm_typos.len();
                black_box(idx.suggest(black_box(npm_typos[i]), 5))
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("pypi, the same name again (kept answer)", |b| {
        b.iter(|| black_box(pypi.suggest(black_box("reqeusts"), 5)))
    });
    g.finish();

    // A realistic mix of 400 names that are not in the snapshot, time per name. An index
    // keeps only its last 32 answers, so none of these is answered from them.
    let mut g = c.benchmark_group("did you mean, misspelt mix");
    for (eco, idx) in [(Ecosystem::PyPI, &pypi), (Ecosystem::Npm, &npm)] {
        let names = misspelt(eco, 400);
        g.throughput(criterion::Throughput::Elements(names.len() as u64));
        g.bench_function(eco.id(), |b| {
            b.iter(|| {
                for n in &names {
                    black_box(idx.suggest(black_box(n), 5));
                }
            })
        });
    }
    g.finish();
}

fn open(c: &mut Criterion) {
    c.bench_function("open embedded pypi snapshot", |b| {
        b.iter(|| black_box(embedded::open(Ecosystem::PyPI).unwrap()))
    });
}

criterion_group!(benches, lookups, suggestions, open);
criterion_main!(benches);
