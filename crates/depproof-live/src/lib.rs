//! Live registry answers: what PyPI (Simple API in JSON form, PEP 691 with PEP 700 upload
//! times and PEP 792 project status) and npm (package documents) say about a name right
//! now, for the names a snapshot cannot settle. Answers are cached on disk with a TTL.
//!
//! The types here are plain data; the network client (`Live`) is behind the `client`
//! feature (on by default), so that the assessment can consume answers without an HTTP
//! stack.

use std::collections::BTreeMap;

use depproof_registry::Ecosystem;
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
mod cache;
#[cfg(feature = "client")]
mod client;
pub mod date;
#[cfg(feature = "client")]
pub mod parse;
#[cfg(feature = "client")]
mod retry;
#[cfg(feature = "client")]
pub mod sync;

#[cfg(feature = "client")]
pub use client::{Live, LiveConfig, LiveError, RegistryUrls};

/// The public PyPI Simple index.
pub const PYPI_URL: &str = "https://pypi.org/simple/";
/// The public npm registry.
pub const NPM_URL: &str = "https://registry.npmjs.org/";

/// What a registry says about an existing package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFacts {
    /// The name as the registry spells it.
    pub name: String,
    /// The earliest upload (PyPI) or `time.created` (npm), RFC 3339 UTC; `None` when the
    /// registry gives no dates.
    pub first_release: Option<String>,
    /// The latest version (npm `dist-tags.latest`; PyPI the highest final release, else
    /// the highest version).
    pub latest_version: Option<String>,
    /// When the latest version was published.
    pub latest_release: Option<String>,
    /// How many versions were published.
    pub releases: u32,
    /// Every file of every release is yanked (PyPI).
    pub all_yanked: bool,
    /// The project status the registry declares (PEP 792: `archived`, `quarantined`,
    /// `deprecated`); `None` for an active project.
    pub status: Option<String>,
    /// npm replaced it with a security holding package.
    pub security_holding: bool,
}

/// One registry's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    /// The package exists.
    Found(PackageFacts),
    /// The registry has no package of that name (404, or npm: unpublished).
    Missing,
    /// The registry could not be asked, or its answer could not be read.
    Failed {
        /// Why, in words.
        reason: String,
    },
}

/// One registry's answer about one name, with where and when it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The registry's base URL.
    pub registry: String,
    /// What it said.
    pub outcome: Outcome,
    /// When it said it, RFC 3339 UTC.
    pub fetched_at: String,
    /// Read from the on-disk cache rather than asked now.
    #[serde(default)]
    pub cached: bool,
}

impl Answer {
    /// The facts, when the package exists.
    pub fn facts(&self) -> Option<&PackageFacts> {
        match &self.outcome {
            Outcome::Found(f) => Some(f),
            _ => None,
        }
    }
}

/// The registries' answers about one name: the private registry's (asked first, when one
/// is configured) and the public one's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The public registry's answer.
    pub public: Answer,
    /// The private registry's answer, when one is configured.
    pub private: Option<Answer>,
}

/// Every answer of a run, keyed by ecosystem and normalized name.
#[derive(Debug, Clone, Default)]
pub struct LiveFacts {
    records: BTreeMap<(Ecosystem, String), Record>,
    /// The day ages are counted to (`YYYY-MM-DD`, UTC): the day of the run.
    pub today: String,
    /// No connection was allowed: only cached answers are present.
    pub offline: bool,
    /// The names that were to be asked but had no cached answer (offline only).
    pub not_asked: Vec<(Ecosystem, String)>,
}

impl LiveFacts {
    /// An empty set of answers for a run on `today`.
    pub fn new(today: impl Into<String>, offline: bool) -> LiveFacts {
        LiveFacts {
            records: BTreeMap::new(),
            today: today.into(),
            offline,
            not_asked: Vec::new(),
        }
    }

    /// The answers about `key` (normalized for `eco`).
    pub fn get(&self, eco: Ecosystem, key: &str) -> Option<&Record> {
        self.records.get(&(eco, key.to_owned()))
    }

    /// Records the answers about `key`.
    pub fn insert(&mut self, eco: Ecosystem, key: impl Into<String>, record: Record) {
        self.records.insert((eco, key.into()), record);
    }

    /// Every record, by ecosystem and name.
    pub fn iter(&self) -> impl Iterator<Item = (&(Ecosystem, String), &Record)> {
        self.records.iter()
    }

    /// How many names have answers.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// No answers.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// How many public lookups failed.
    pub fn failed(&self) -> usize {
        self.records
            .values()
            .filter(|r| matches!(r.public.outcome, Outcome::Failed { .. }))
            .count()
    }
}
