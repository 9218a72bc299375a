//! The evaluation shared by `examples/typosquat-eval.rs` (which prints it) and
//! `tests/typosquat.rs` (which bounds it): documented incidents, and the names that
//! must stay quiet.

#![allow(dead_code)] // each user takes what it needs

use std::path::PathBuf;

use depproof_registry::typosquat::{Detector, Strength};
use depproof_registry::{Ecosystem, Flags, Index, PackageInfo, Popularity, TyposquatMatch};

/// One documented typosquat: a name published to imitate `target`.
#[derive(Debug, Clone)]
pub struct Incident {
    pub ecosystem: Ecosystem,
    /// As reported.
    pub name: String,
    /// Normalized for the registry.
    pub key: String,
    pub target: String,
    pub year: String,
    pub source: String,
}

/// Reads `data/typosquats/incidents.tsv`.
pub fn incidents() -> Result<Vec<Incident>, String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/typosquats/incidents.tsv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let [registry, name, target, year, source] = f[..] else {
            return Err(format!(
                "{}:{}: expected 5 tab-separated columns",
                path.display(),
                i + 1
            ));
        };
        let ecosystem: Ecosystem = registry
            .parse()
            .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if source.is_empty() {
            return Err(format!("{}:{}: no source", path.display(), i + 1));
        }
        out.push(Incident {
            ecosystem,
            name: name.to_owned(),
            key: ecosystem.normalize(name).into_owned(),
            target: ecosystem.normalize(target).into_owned(),
            year: year.to_owned(),
            source: source.to_owned(),
        });
    }
    Ok(out)
}

/// What the detector made of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The documented target, strong.
    Strong,
    /// The documented target, weak.
    Weak,
    /// Flagged, but as a look-alike of another popular name.
    OtherTarget(String),
    /// Not flagged.
    Missed,
}

/// Checks an incident as an unknown candidate: most were removed from their registry.
pub fn check_incident(detector: &Detector, incident: &Incident) -> (Outcome, Vec<TyposquatMatch>) {
    let matches = detector.check(&incident.key, None);
    let outcome = match matches.iter().find(|m| m.target.name == incident.target) {
        Some(m) if m.strength == Strength::Strong => Outcome::Strong,
        Some(_) => Outcome::Weak,
        None => match matches.first() {
            Some(m) => Outcome::OtherTarget(m.target.name.clone()),
            None => Outcome::Missed,
        },
    };
    (outcome, matches)
}

/// The `n` most popular names of `index` with their real info.
pub fn top(index: &Index, n: usize) -> Vec<(String, PackageInfo)> {
    let mut all = Vec::new();
    index.for_each_name(|k, info| {
        if info.popular {
            all.push((k.to_owned(), info));
        }
    });
    all.sort_by_key(|(_, i)| std::cmp::Reverse(weight(i)));
    all.truncate(n);
    all
}

/// Legitimate but less popular names: PyPI ranks 5,001–15,000 as if unranked (their real
/// release month kept), npm packages with at most 5,000 downloads a month (every `every`th).
pub fn band(index: &Index, every: usize) -> Vec<(String, PackageInfo)> {
    let mut out = Vec::new();
    let mut i = 0usize;
    index.for_each_name(|k, info| match info.popularity {
        Popularity::Rank(r) if r > 5_000 => {
            let mut info = info;
            info.popular = false;
            info.popularity = Popularity::Unranked;
            out.push((k.to_owned(), info));
        }
        Popularity::MonthlyDownloads(d) if d <= 5_000 => {
            if i.is_multiple_of(every) {
                out.push((k.to_owned(), info));
            }
            i += 1;
        }
        _ => {}
    });
    out
}

/// Flagged names among `names`: (name, its best match).
pub struct Flagged {
    pub checked: usize,
    pub strong: Vec<(String, TyposquatMatch)>,
    pub weak: Vec<(String, TyposquatMatch)>,
    /// Flagged names that npm itself took down for malware (`0.0.1-security`): squats
    /// confirmed by the registry, not false alarms.
    pub taken_down: usize,
}

pub fn check_all(detector: &Detector, names: &[(String, PackageInfo)]) -> Flagged {
    let mut f = Flagged {
        checked: names.len(),
        strong: Vec::new(),
        weak: Vec::new(),
        taken_down: 0,
    };
    for (k, info) in names {
        if let Some(m) = detector.check(k, Some(info)).into_iter().next() {
            if info.flags.contains(Flags::SECURITY_HOLDING) {
                f.taken_down += 1;
            }
            match m.strength {
                Strength::Strong => f.strong.push((k.clone(), m)),
                Strength::Weak => f.weak.push((k.clone(), m)),
            }
        }
    }
    f
}

fn weight(info: &PackageInfo) -> u64 {
    match info.popularity {
        Popularity::Rank(r) => u64::from(u32::MAX - r),
        Popularity::MonthlyDownloads(d) => u64::from(d),
        _ => 0,
    }
}
