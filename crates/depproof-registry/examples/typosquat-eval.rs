//! Measures the typosquat detector on the embedded snapshots and prints the tables of
//! the README: hit rate on documented incidents (`data/typosquats/incidents.tsv`), and
//! how many legitimate names it flags.
//!
//! `cargo run -p depproof-registry --release --example typosquat-eval [-- --list]`
//! (`--list` prints every flagged legitimate name of the less popular band).

#[path = "../tests/typosquat/eval.rs"]
mod eval;

use std::time::Instant;

use depproof_registry::typosquat::Detector;
use depproof_registry::{Ecosystem, embedded};
use eval::Outcome;

fn main() {
    let list = std::env::args().any(|a| a == "--list");
    let incidents = match eval::incidents() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut total = [0usize; 4];
    println!("## Documented incidents\n");
    println!("| registry | incidents | strong | weak | other target | missed |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut misses = Vec::new();
    let mut detectors = Vec::new();
    for eco in Ecosystem::ALL {
        let index = embedded::open(eco).expect("embedded snapshot");
        let t = Instant::now();
        let detector = Detector::new(&index);
        let built = t.elapsed();
        let mut counts = [0usize; 4];
        for inc in incidents.iter().filter(|i| i.ecosystem == eco) {
            let (outcome, matches) = eval::check_incident(&detector, inc);
            let slot = match &outcome {
                Outcome::Strong => 0,
                Outcome::Weak => 1,
                Outcome::OtherTarget(_) => 2,
                Outcome::Missed => 3,
            };
            counts[slot] += 1;
            if slot >= 2 {
                let target_status = match index.get(&inc.target) {
                    Some(i) if i.popular => "target popular".to_owned(),
                    Some(i) => format!("target not among the popular names ({:?})", i.popularity),
                    None => "target not in the snapshot".to_owned(),
                };
                let found = matches
                    .iter()
                    .map(|m| format!("{} ({}, {})", m.target.name, m.technique, m.strength))
                    .collect::<Vec<_>>()
                    .join(", ");
                misses.push(format!(
                    "| {} | `{}` | `{}` | {} | {} |",
                    eco.id(),
                    inc.name,
                    inc.target,
                    target_status,
                    if found.is_empty() {
                        "—".to_owned()
                    } else {
                        found
                    }
                ));
            }
        }
        let n: usize = counts.iter().sum();
        println!(
            "| {} | {n} | {} | {} | {} | {} |",
            eco.display_name(),
            counts[0],
            counts[1],
            counts[2],
            counts[3]
        );
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
        detectors.push((eco, index, detector, built));
    }
    let n: usize = total.iter().sum();
    println!(
        "| all | {n} | {} ({:.0}%) | {} ({:.0}%) | {} | {} |",
        total[0],
        pct(total[0], n),
        total[1],
        pct(total[1], n),
        total[2],
        total[3]
    );
    println!("\nMissed or flagged against another name:\n");
    println!("| registry | name | documented target | target in snapshot | found |");
    println!("|---|---|---|---|---|");
    for m in &misses {
        println!("{m}");
    }

    println!("\n## Legitimate names\n");
    println!("| names | checked | strong | weak | of which taken down by npm | per check |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut listed = Vec::new();
    for (eco, index, detector, _) in &detectors {
        let top = eval::top(index, 5_000);
        let f = eval::check_all(detector, &top);
        println!(
            "| {} top 5,000 (own info) | {} | {} | {} | {} | |",
            eco.display_name(),
            f.checked,
            f.strong.len(),
            f.weak.len(),
            f.taken_down
        );
        let band = eval::band(index, 1);
        let t = Instant::now();
        let f = eval::check_all(detector, &band);
        let per = t.elapsed() / band.len().max(1) as u32;
        let label = match eco {
            Ecosystem::PyPI => "PyPI ranks 5,001–15,000 as unranked",
            Ecosystem::Npm => "npm 480–5,000 downloads a month",
        };
        println!(
            "| {label} | {} | {} ({:.2}%) | {} ({:.2}%) | {} | {per:.1?} |",
            f.checked,
            f.strong.len(),
            pct(f.strong.len(), f.checked),
            f.weak.len(),
            pct(f.weak.len(), f.checked),
            f.taken_down
        );
        for (name, m) in f.strong.iter().chain(&f.weak) {
            let holding = index
                .get(name)
                .is_some_and(|i| i.flags.contains(depproof_registry::Flags::SECURITY_HOLDING));
            listed.push(format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                if holding { "taken-down" } else { "" },
                eco.id(),
                m.strength,
                m.technique,
                name,
                m.target.name,
                m.affix
            ));
        }
    }
    println!();
    for (eco, _, d, built) in &detectors {
        println!(
            "{} detector: {} popular names, built in {built:.1?}",
            eco.display_name(),
            d.popular_count()
        );
    }
    if list {
        println!("\nnpm\tregistry\tstrength\ttechnique\tname\ttarget\taffix");
        for l in listed {
            println!("{l}");
        }
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}
