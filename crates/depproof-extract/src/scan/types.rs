//! What a scan produces: references resolved to registry packages.

use depproof_registry::Ecosystem;

use crate::location::Location;
use crate::reference::{Diagnostic, Kind, NotRegistry};
use crate::suppress::Suppression;

/// How an import name became a package name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportRule {
    /// The curated table of import names whose package differs (`cv2` → opencv-python).
    Table,
    /// A namespace-package rule (`google.cloud.storage` → google-cloud-storage).
    Namespace,
    /// The import name itself.
    ImportName,
    /// A JavaScript specifier's package part (`lodash/fp` → lodash).
    Specifier,
}

/// How an import was resolved to a package.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ImportVia {
    /// The module or specifier as written (`cv2`, `lodash/fp`).
    pub import: String,
    /// The rule that decided.
    pub rule: ImportRule,
}

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Target {
    /// A registry package: the name as written or as resolved (not normalized).
    Package {
        /// Its registry.
        ecosystem: Ecosystem,
        /// Its name.
        name: String,
    },
    /// Not a registry name: a URL, VCS link, local path, workspace package, other registry.
    NotRegistry {
        /// The ecosystem whose tool it was given to, when known.
        ecosystem: Option<Ecosystem>,
        /// The text as written.
        text: String,
        /// What it is.
        what: NotRegistry,
    },
}

/// One mention of a package, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Reference {
    /// The package (or non-registry thing) referred to.
    pub target: Target,
    /// How it entered the project.
    pub kind: Kind,
    /// Where.
    pub location: Location,
    /// The version requirement or pin as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Guarded import, optional or extra dependency.
    pub optional: bool,
    /// Development-only.
    pub dev: bool,
    /// Found by a reading that can be wrong (see [`Found::uncertain`](crate::Found::uncertain)).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
    /// For imports: the import as written and the rule that resolved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<ImportVia>,
    /// An inline `depproof: ignore[...]` comment covering this reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

/// Counts of imports that need no package.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Standard-library (Python) and built-in (Node) modules.
    pub builtin: u64,
    /// The project's own modules, relative specifiers, workspace packages, path aliases.
    pub project: u64,
    /// Modules an application or platform provides (Blender, ROS, Colab…).
    pub runtime: u64,
}

/// The result of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    /// Every reference, sorted by location.
    pub references: Vec<Reference>,
    /// Problems with the input; the rest was scanned.
    pub diagnostics: Vec<Diagnostic>,
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Imports that need no package.
    pub skipped: Skipped,
}
