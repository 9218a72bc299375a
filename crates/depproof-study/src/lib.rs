//! Measures how often language models invent package names, after Spracklen et al.,
//! "We Have a Package for You!" (USENIX Security 2025): runs a study against any
//! OpenAI-compatible endpoint into one SQLite file, imports answers produced elsewhere,
//! analyses them with depproof's extraction and assessment, measures mitigations, and
//! writes a report. The snapshot registry is given by the caller.

pub mod analyze;
pub mod client;
pub mod config;
pub mod db;
pub mod extract;
pub mod import;
pub mod mitigate;
pub mod parse;
pub mod prompts;
pub mod report;
pub mod run;

pub use analyze::{Analysis, analyze};
pub use config::{Heuristic, Language, StudyConfig};
pub use import::{ImportDefaults, ImportSummary, import};
pub use run::{Progress, RunSummary, run};
