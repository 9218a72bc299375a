//! The snapshot indexes a run uses: the embedded defaults, replaced per ecosystem by
//! files given with `--index`.

use anyhow::{Result, bail};
use depproof_registry::{Ecosystem, Index, embedded};

use crate::cli::GlobalArgs;

/// One index per ecosystem.
pub struct Snapshots {
    indexes: Vec<Index>,
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
        Ok(Snapshots { indexes })
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
