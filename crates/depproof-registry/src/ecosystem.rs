//! Package ecosystems and the name rules each registry enforces.
//!
//! Every ecosystem is a module (`pypi`, `npm`) that owns its own validation and
//! normalization; [`Ecosystem`] dispatches to them. Adding crates.io or RubyGems means
//! adding a variant and a module, nothing else.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::{npm, pypi};

/// A package registry whose names depproof understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// The Python Package Index.
    PyPI,
    /// The npm registry.
    Npm,
}

impl Ecosystem {
    /// Every supported ecosystem, in a fixed order (used when a name is looked up everywhere).
    pub const ALL: [Ecosystem; 2] = [Ecosystem::PyPI, Ecosystem::Npm];

    /// The identifier used on the command line, in file headers and in JSON: `pypi`, `npm`.
    pub fn id(self) -> &'static str {
        match self {
            Ecosystem::PyPI => "pypi",
            Ecosystem::Npm => "npm",
        }
    }

    /// The registry's own spelling, for messages: `PyPI`, `npm`.
    pub fn display_name(self) -> &'static str {
        match self {
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
        }
    }

    /// Checks `name` against the registry's rules. Never alters the name.
    pub fn validate(self, name: &str) -> Result<Validity, NameError> {
        match self {
            Ecosystem::PyPI => pypi::validate(name),
            Ecosystem::Npm => npm::validate(name),
        }
    }

    /// The key under which the registry files `name` (PEP 503 for PyPI; npm names are
    /// case-sensitive and kept as written). Call only on names that passed [`validate`].
    ///
    /// [`validate`]: Ecosystem::validate
    pub fn normalize(self, name: &str) -> Cow<'_, str> {
        match self {
            Ecosystem::PyPI => pypi::normalize(name),
            Ecosystem::Npm => Cow::Borrowed(name),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Ecosystem {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "pypi" | "python" | "pip" => Ok(Ecosystem::PyPI),
            "npm" | "node" | "javascript" | "js" => Ok(Ecosystem::Npm),
            _ => Err(format!("unknown ecosystem `{s}`: expected `pypi` or `npm`")),
        }
    }
}

/// A name that passed its registry's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validity {
    /// Valid for a package published today.
    Valid,
    /// Accepted by the registry only for packages published before a rule came in
    /// (npm: capital letters, `~'!()*`, more than 214 characters, core module names).
    /// The string says which rule, in words.
    LegacyOnly(String),
}

/// Why a name can never be a package name on a registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a valid {ecosystem} package name: {reason}")]
pub struct NameError {
    /// The ecosystem whose rule is broken.
    pub ecosystem: Ecosystem,
    /// The name as written.
    pub name: String,
    /// A stable identifier of the broken rule, e.g. `pypi-invalid-character`.
    pub rule: &'static str,
    /// The broken rule in words, naming the offending character or length.
    pub reason: String,
}

/// A package name validated for its ecosystem, keeping the spelling as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PackageName {
    ecosystem: Ecosystem,
    written: String,
    normalized: String,
}

impl PackageName {
    /// Validates `name` for `ecosystem`; legacy-only names are accepted.
    pub fn new(ecosystem: Ecosystem, name: &str) -> Result<Self, NameError> {
        ecosystem.validate(name)?;
        Ok(PackageName {
            ecosystem,
            written: name.to_owned(),
            normalized: ecosystem.normalize(name).into_owned(),
        })
    }

    /// The ecosystem the name belongs to.
    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// The name exactly as the user wrote it.
    pub fn written(&self) -> &str {
        &self.written
    }

    /// The registry's key for this name.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}
