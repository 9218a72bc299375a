//! The snapshot indexes a run uses: per ecosystem, the file given with `--index`, else the
//! user's snapshot in the data directory (`snapshots/pypi.idx`, `snapshots/npm.idx`) when
//! it is newer than the embedded one, else the embedded one.

use std::path::PathBuf;

use anyhow::{Result, bail};
use depproof_registry::overlay::{self, Overlays};
use depproof_registry::{Ecosystem, Index, embedded};

use crate::cli::GlobalArgs;

/// One index per ecosystem, and the overlays of the data directory.
pub struct Snapshots {
    indexes: Vec<Index>,
    /// Known malicious packages and known hallucinations, if imported.
    pub overlays: Overlays,
}

impl Snapshots {
    /// Opens the `--index` files, then the embedded snapshot of every other ecosystem.
    pub fn load(global: &GlobalArgs) -> Result<Snapshots> {
        let mut indexes: Vec<Index> = Vec::new();
        for path in &global.index {
            let index = Index::open(path)?;
            if let Some(other) = indexes.iter().find(|i| i.ecosystem() == index.ecosystem()) {
                bail!(
                    "--index {} and --index {} are both {} snapshots: give one per ecosystem",
                    other.origin(),
                    index.origin(),
                    index.ecosystem()
                );
            }
            indexes.push(index);
        }
        for eco in Ecosystem::ALL {
            if !indexes.iter().any(|i| i.ecosystem() == eco) {
                indexes.push(default_index(global, eco)?);
            }
        }
        indexes.sort_by_key(|i| i.ecosystem());
        Ok(Snapshots {
            indexes,
            overlays: open_overlays(global),
        })
    }

    /// What the assessment consults.
    pub fn registry(&self) -> depproof_assess::Registry<'_> {
        depproof_assess::Registry {
            pypi: self.get(Ecosystem::PyPI),
            npm: self.get(Ecosystem::Npm),
            overlays: (!self.overlays.is_empty()).then_some(&self.overlays),
            live: None,
        }
    }

    /// The index for `ecosystem`.
    pub fn get(&self, ecosystem: Ecosystem) -> &Index {
        self.indexes
            .iter()
            .find(|i| i.ecosystem() == ecosystem)
            .expect("load() opens one index per ecosystem")
    }

    /// Every index, by value.
    pub fn into_all(self) -> Vec<Index> {
        self.indexes
    }
}

/// Where the user's snapshot of `eco` lives: `snapshots/ECO.idx` in the data directory.
pub fn user_snapshot_path(global: &GlobalArgs, eco: Ecosystem) -> Option<PathBuf> {
    overlay::data_dir(global.data_dir.as_deref())
        .ok()
        .map(|d| d.join("snapshots").join(format!("{}.idx", eco.id())))
}

/// The user's snapshot when it is newer than the embedded one, else the embedded one. A
/// user snapshot that cannot be opened is a warning: the embedded one still answers.
fn default_index(global: &GlobalArgs, eco: Ecosystem) -> Result<Index> {
    let embedded = embedded::open(eco)?;
    let Some(path) = user_snapshot_path(global, eco).filter(|p| p.is_file()) else {
        return Ok(embedded);
    };
    match Index::open(&path) {
        Ok(user) if user.ecosystem() != eco => {
            eprintln!(
                "warning: {} holds a {} snapshot, not {eco}; using the embedded one",
                path.display(),
                user.ecosystem()
            );
            Ok(embedded)
        }
        Ok(user) if newer(&user, &embedded) => Ok(user),
        Ok(_) => Ok(embedded),
        Err(e) => {
            eprintln!("warning: {e}; using the embedded {eco} snapshot");
            Ok(embedded)
        }
    }
}

fn newer(a: &Index, b: &Index) -> bool {
    use depproof_live::date::days;
    match (
        days(&a.header().snapshot_date),
        days(&b.header().snapshot_date),
    ) {
        (Some(x), Some(y)) => x > y,
        _ => false,
    }
}

/// Which snapshot a run uses, in words: `embedded`, `user (data directory)`, `--index`.
pub fn kind(global: &GlobalArgs, index: &Index) -> &'static str {
    if index.origin().starts_with("embedded") {
        "embedded"
    } else if user_snapshot_path(global, index.ecosystem())
        .is_some_and(|p| p.display().to_string() == index.origin())
    {
        "user"
    } else {
        "file"
    }
}

/// Whole days from a snapshot's date to today.
pub fn age_days(index: &Index) -> Option<i64> {
    use depproof_live::date;
    Some(date::days(&date::now())? - date::days(&index.header().snapshot_date)?)
}

/// The overlays of the data directory. A damaged or unreadable overlay is a warning and
/// the run goes on without it: the snapshots still answer.
fn open_overlays(global: &GlobalArgs) -> Overlays {
    let dir = match overlay::data_dir(global.data_dir.as_deref()) {
        Ok(d) => d,
        // No data directory on this system: nothing was ever imported.
        Err(_) => return Overlays::empty(),
    };
    let (overlays, errors) = Overlays::open_lenient(&dir);
    for e in errors {
        eprintln!("warning: {e}; going on without it (re-import it to repair)");
    }
    overlays
}

/// Where the data of a run came from: each snapshot in `ecosystems`, then each overlay.
pub fn provenance(snaps: &Snapshots, ecosystems: &[Ecosystem]) -> Vec<depproof_report::Provenance> {
    let mut out: Vec<depproof_report::Provenance> = ecosystems
        .iter()
        .map(|e| depproof_report::Provenance::snapshot(snaps.get(*e)))
        .collect();
    for o in snaps.overlays.provenance() {
        out.push(depproof_report::Provenance::overlay(
            o.kind.id(),
            o.path.display().to_string(),
            o.updated.clone().or_else(|| o.created.clone()),
            o.checksum.clone(),
            serde_json::to_value(&o).unwrap_or(serde_json::Value::Null),
        ));
    }
    out
}
