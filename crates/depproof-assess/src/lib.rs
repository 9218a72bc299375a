//! The assessment: turns package references and registry evidence into findings, each
//! with signals (stable codes, severities, one sentence each), a verdict (ok / warn /
//! block) under a policy that teams configure in `depproof.toml`, and advice.

pub mod assess;
pub mod config;
pub mod signal;
pub mod words;

pub use assess::{
    Assessment, Assessor, Finding, Presence, Registry, Suppressed, SuppressedBy, Use,
};
pub use config::{Config, ConfigError, FailOn, Level, Policy, Verdict};
pub use signal::{Code, Severity, Signal};
