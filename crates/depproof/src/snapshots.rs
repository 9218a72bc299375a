//! The snapshot indexes a run uses: the embedded defaults, replaced per ecosystem by
//! files given with `--index`.

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
                indexes.push(embedded::open(eco)?);
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
