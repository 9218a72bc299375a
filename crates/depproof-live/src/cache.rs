//! The answer cache: one small JSON file per registry and name, shared by every run of
//! the user. Writes go to a temporary file beside the entry and are renamed over it, so a
//! concurrent run reads either the old answer or the new one, never half of one. The cache
//! is best effort: an entry that cannot be read or written is a miss.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use depproof_registry::Ecosystem;
use depproof_registry::overlay::time::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Answer, Outcome};

#[derive(Serialize, Deserialize)]
struct Entry {
    registry: String,
    name: String,
    answer: Answer,
}

/// A cache directory with its lifetimes.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    ttl: Duration,
    missing_ttl: Duration,
}

impl Cache {
    pub fn new(dir: PathBuf, ttl: Duration, missing_ttl: Duration) -> Cache {
        Cache {
            dir,
            ttl,
            missing_ttl,
        }
    }

    fn path(&self, eco: Ecosystem, registry: &str, name: &str) -> PathBuf {
        let h = xxhash_rust::xxh3::xxh3_64(format!("{registry}\n{name}").as_bytes());
        self.dir.join(eco.id()).join(format!("{h:016x}.json"))
    }

    /// A fresh answer, if one is cached.
    pub fn get(&self, eco: Ecosystem, registry: &str, name: &str, now: u64) -> Option<Answer> {
        let bytes = std::fs::read(self.path(eco, registry, name)).ok()?;
        let e: Entry = serde_json::from_slice(&bytes).ok()?;
        if e.registry != registry || e.name != name {
            return None;
        }
        let at = u64::try_from(Timestamp::parse(&e.answer.fetched_at)?.secs).ok()?;
        let ttl = match e.answer.outcome {
            Outcome::Found(_) => self.ttl,
            Outcome::Missing => self.missing_ttl,
            Outcome::Failed { .. } => return None,
        };
        if now.saturating_sub(at) > ttl.as_secs() || at > now + 300 {
            return None;
        }
        let mut a = e.answer;
        a.cached = true;
        Some(a)
    }

    /// Stores an answer (failures are never stored).
    pub fn put(&self, eco: Ecosystem, name: &str, answer: &Answer) {
        if matches!(answer.outcome, Outcome::Failed { .. }) {
            return;
        }
        let path = self.path(eco, &answer.registry, name);
        let entry = Entry {
            registry: answer.registry.clone(),
            name: name.to_owned(),
            answer: Answer {
                cached: false,
                ..answer.clone()
            },
        };
        let _ = write_atomic(&path, &serde_json::to_vec(&entry).unwrap_or_default());
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
