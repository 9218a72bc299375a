//! Overlays: what the immutable snapshot index lacks, kept beside it without rebuilding it.
//!
//! Two kinds, one file each in `<data dir>/overlays/`:
//! - `malicious.dpo`: packages reported as malicious, from OSV records (the OpenSSF
//!   malicious-packages repository, osv.dev exports); see [`import_osv`] for which records
//!   count, and [`versions`] for how versions are matched;
//! - `hallucinations.dpo`: names language models were seen to invent, with counts; see
//!   [`import_hallucinations`] and [`add_hallucinations`].
//!
//! The data directory is `$DEPPROOF_DATA_DIR`, else the platform's data directory plus
//! `depproof` (`~/.local/share/depproof` on Linux); see [`data_dir`]. Files are
//! memory-mapped fst maps keyed by ecosystem and registry key, laid out in [`format`]:
//! opening one reads its header and verifies the part the lookup structure depends on
//! (well under a millisecond for 200,000 records); each record is verified when read.
//! Every import rewrites the file to a temporary name and renames it into place, so a
//! failed import leaves the previous overlay intact. Two imports running at once do not
//! corrupt anything, but the later rename wins and the other import's records are lost.

pub mod format;
mod hallucinations;
mod malicious;
mod osv;
mod store;
pub mod time;
pub mod versions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use self::format::OverlayKind;
use self::format::{OverlayFile, key_bytes};
use self::hallucinations::HalRecord;
pub use self::hallucinations::{HallucinationEntry, HallucinationRecord};
use self::malicious::MalRecord;
pub use self::malicious::MaliciousMatch;
pub use self::versions::VersionStatus;
use crate::Ecosystem;

/// The environment variable naming the data directory.
pub const DATA_DIR_ENV: &str = "DEPPROOF_DATA_DIR";
/// The overlay directory inside the data directory.
pub const OVERLAY_DIR: &str = "overlays";

/// Errors opening, reading or importing overlays. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (in the message, not chained: it would be printed twice).
        error: std::io::Error,
    },
    /// An overlay file is damaged or not an overlay.
    #[error("{path}: {reason}")]
    Damaged {
        /// The overlay file.
        path: PathBuf,
        /// What is wrong, with the remedy.
        reason: String,
    },
    /// An import source cannot be used at all (as opposed to single bad records, which
    /// are warnings).
    #[error("{origin}: {reason}")]
    Source {
        /// The source file or directory.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// No data directory could be determined.
    #[error(
        "no data directory: the platform has none for this user; set {DATA_DIR_ENV} or give --data-dir"
    )]
    NoDataDir,
}

impl OverlayError {
    pub(crate) fn io(path: &Path, error: std::io::Error) -> Self {
        OverlayError::Io {
            path: path.to_owned(),
            error,
        }
    }
}

/// The data directory: `explicit` if given, else `$DEPPROOF_DATA_DIR` if set and not
/// empty, else the platform data directory plus `depproof`.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, OverlayError> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("depproof"))
        .ok_or(OverlayError::NoDataDir)
}

/// The path of an overlay file in `data_dir`.
pub fn overlay_path(data_dir: &Path, kind: OverlayKind) -> PathBuf {
    store::overlay_path(data_dir, kind)
}

/// How an import treats what the overlay already holds.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Start from an empty overlay instead of merging (also the way out of a damaged one).
    pub replace: bool,
}

/// A record or line an import skipped or only partly read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportWarning {
    /// The file, `file:line`, or `archive.zip:entry`.
    pub place: String,
    /// A short category, for summaries: `malformed`, `record partly unreadable`,
    /// `invalid name`…
    pub kind: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// The overlay file written.
    pub overlay: PathBuf,
    /// What was imported (path or label).
    pub source: String,
    /// Record files or lines read.
    pub read: u64,
    /// New records (ids, names).
    pub imported: u64,
    /// Held records replaced by a newer version (malicious), or names whose count grew
    /// (hallucinations).
    pub replaced: u64,
    /// Held records read again with the same `modified` date (malicious).
    pub unchanged: u64,
    /// Records the source gives as withdrawn (kept as tombstones).
    pub withdrawn: u64,
    /// Of those, records the overlay held as live and no longer reports.
    pub removed: u64,
    /// Records older than the version the overlay holds (kept the held one).
    pub older_ignored: u64,
    /// Records taken from this source, by ecosystem (withdrawn ones aside).
    pub by_ecosystem: BTreeMap<Ecosystem, u64>,
    /// Records skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Records skipped for naming only other ecosystems, by ecosystem.
    pub other_ecosystems: BTreeMap<String, u64>,
    /// Live records in the overlay after the import.
    pub total: u64,
    /// Every skipped or partly read record, with the reason.
    pub warnings: Vec<ImportWarning>,
}

impl ImportReport {
    fn new(overlay: &Path, source: &Path) -> Self {
        ImportReport {
            overlay: overlay.to_owned(),
            source: std::fs::canonicalize(source)
                .unwrap_or_else(|_| source.to_owned())
                .display()
                .to_string(),
            ..Default::default()
        }
    }

    /// Warnings counted by kind.
    pub fn warning_kinds(&self) -> BTreeMap<&'static str, u64> {
        let mut m = BTreeMap::new();
        for w in &self.warnings {
            *m.entry(w.kind).or_default() += 1;
        }
        m
    }
}

/// Imports OSV records into the malicious overlay of `data_dir`.
///
/// `source` is a directory (every `*.json` below it; the malicious-packages repository
/// or its `osv/` folder), a zip archive (osv.dev's `all.zip`, `PyPI/all.zip`,
/// `npm/all.zip`, or a GitHub archive of the repository), or one `.json` record. Only the
/// PyPI and npm packages of a record are kept; records naming neither are counted and
/// skipped, and so are vulnerability advisories (see the `osv` module for the rule that
/// tells them from malicious-package reports).
///
/// Records merge by id: the version with the later `modified` date wins, whichever
/// import it came from; a withdrawn record removes the package from the findings and is
/// kept as a tombstone, so that importing an older copy later does not bring it back.
/// Bad records are warnings in the report naming the file (or `archive.zip:entry`), and
/// the import goes on; an existing overlay that fails its checksum stops the import
/// unless `opts.replace` is set.
pub fn import_osv(
    data_dir: &Path,
    source: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, OverlayError> {
    osv::import(data_dir, source, opts)
}

/// Imports invented names from `file` into the hallucination overlay of `data_dir`.
///
/// The file is either one name a line (blank lines and `#` comments ignored), which
/// needs `eco`, or a CSV file whose header has a `name` column and optionally `count`
/// and `ecosystem` columns (`eco` stands in for a missing or empty `ecosystem`). Counts
/// add to what the overlay holds. Names that break their registry's rules are warnings.
pub fn import_hallucinations(
    data_dir: &Path,
    file: &Path,
    eco: Option<Ecosystem>,
    opts: &ImportOptions,
) -> Result<ImportReport, OverlayError> {
    hallucinations::import_file(data_dir, file, eco, opts)
}

/// Adds invented names to the hallucination overlay of `data_dir`, counts adding up;
/// `source` says where they came from (a study run, a model) and is kept per name.
pub fn add_hallucinations(
    data_dir: &Path,
    entries: &[HallucinationEntry],
    source: &str,
) -> Result<ImportReport, OverlayError> {
    hallucinations::add(data_dir, entries, source)
}

/// Where an overlay came from, for `index info` and reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OverlayInfo {
    /// The file.
    pub path: PathBuf,
    /// What it holds.
    pub kind: OverlayKind,
    /// Live records (packages reported malicious, or invented names).
    pub records: u64,
    /// Withdrawn records kept as tombstones.
    pub withdrawn: u64,
    /// Live records by ecosystem.
    pub by_ecosystem: BTreeMap<Ecosystem, u64>,
    /// When the file was first created.
    pub created: Option<String>,
    /// When it was last imported into.
    pub updated: Option<String>,
    /// The latest imports: what, when, how many records.
    pub sources: Vec<OverlaySource>,
    /// `xxh3:` and the file checksum in hex.
    pub checksum: String,
    /// Size in bytes.
    pub size: u64,
    /// Format version.
    pub format_version: u32,
}

/// One import into an overlay.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OverlaySource {
    /// The file, directory or label imported.
    pub source: String,
    /// When (`YYYY-MM-DDTHH:MM:SSZ`).
    pub imported: String,
    /// Records taken from it.
    pub records: u64,
}

/// The overlays of a data directory, open for lookups. Absent files are empty overlays.
#[derive(Default)]
pub struct Overlays {
    malicious: Option<OverlayFile>,
    hallucinations: Option<OverlayFile>,
}

impl std::fmt::Debug for Overlays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Overlays")
            .field("malicious", &self.malicious.as_ref().map(|o| &o.path))
            .field(
                "hallucinations",
                &self.hallucinations.as_ref().map(|o| &o.path),
            )
            .finish()
    }
}

impl Overlays {
    /// No overlays.
    pub fn empty() -> Overlays {
        Overlays::default()
    }

    /// Opens the overlays of `data_dir`; missing files (or a missing directory) are empty
    /// overlays, a damaged or unreadable file is an error naming it.
    pub fn open(data_dir: &Path) -> Result<Overlays, OverlayError> {
        let (o, errors) = Overlays::open_lenient(data_dir);
        match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(o),
        }
    }

    /// Opens what can be opened: a damaged file is left out and its error returned, so
    /// that a run can warn and go on with the other overlay.
    pub fn open_lenient(data_dir: &Path) -> (Overlays, Vec<OverlayError>) {
        let mut errors = Vec::new();
        let mut open = |kind| match OverlayFile::open(&overlay_path(data_dir, kind), kind) {
            Ok(f) => Some(f),
            Err(OverlayError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let o = Overlays {
            malicious: open(OverlayKind::Malicious),
            hallucinations: open(OverlayKind::Hallucinations),
        };
        (o, errors)
    }

    /// True when no overlay file is open.
    pub fn is_empty(&self) -> bool {
        self.malicious.is_none() && self.hallucinations.is_none()
    }

    /// The malicious-package records for `name` (as written, or its registry key) in
    /// `eco`, sorted by id. Without a version, every record of the package is returned
    /// with [`VersionStatus::NotGiven`] (it has affected versions); with one, each says
    /// whether that version is affected; keep those where [`VersionStatus::concerns`].
    pub fn malicious(
        &self,
        eco: Ecosystem,
        name: &str,
        version: Option<&str>,
    ) -> Result<Vec<MaliciousMatch>, OverlayError> {
        let Some(file) = &self.malicious else {
            return Ok(Vec::new());
        };
        let key = eco.normalize(name);
        let mut out = Vec::new();
        for body in file.lookup(&key_bytes(eco, &key))? {
            let r = MalRecord::decode(body).ok_or_else(|| OverlayError::Damaged {
                path: file.path.clone(),
                reason: "a record does not decode; import again with --replace".into(),
            })?;
            out.extend(r.matching(eco, &key, version));
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// What the hallucination overlay knows about `name` in `eco`.
    pub fn hallucination(
        &self,
        eco: Ecosystem,
        name: &str,
    ) -> Result<Option<HallucinationRecord>, OverlayError> {
        let Some(file) = &self.hallucinations else {
            return Ok(None);
        };
        let key = eco.normalize(name);
        let Some(body) = file.lookup(&key_bytes(eco, &key))?.into_iter().next() else {
            return Ok(None);
        };
        HalRecord::decode(body)
            .map(|r| Some(r.public()))
            .ok_or_else(|| OverlayError::Damaged {
                path: file.path.clone(),
                reason: "a record does not decode; import again with --replace".into(),
            })
    }

    fn files(&self) -> impl Iterator<Item = &OverlayFile> {
        self.malicious.iter().chain(self.hallucinations.iter())
    }

    /// Where each open overlay came from.
    pub fn provenance(&self) -> Vec<OverlayInfo> {
        self.files()
            .map(|f| {
                let m = f.metadata();
                let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
                OverlayInfo {
                    path: f.path.clone(),
                    kind: f.kind,
                    records: f.live,
                    withdrawn: f.withdrawn,
                    by_ecosystem: m
                        .get("by_ecosystem")
                        .and_then(Value::as_object)
                        .map(|o| {
                            o.iter()
                                .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_u64()?)))
                                .collect()
                        })
                        .unwrap_or_default(),
                    created: s("created"),
                    updated: s("updated"),
                    sources: m
                        .get("sources")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|v| {
                            Some(OverlaySource {
                                source: v.get("source")?.as_str()?.to_owned(),
                                imported: v.get("imported")?.as_str()?.to_owned(),
                                records: v.get("records")?.as_u64()?,
                            })
                        })
                        .collect(),
                    checksum: format!("xxh3:{:016x}", f.file_checksum),
                    size: f.size,
                    format_version: format::FORMAT_VERSION,
                }
            })
            .collect()
    }

    /// Recomputes the whole-file checksum of each open overlay, in [`provenance`] order.
    ///
    /// [`provenance`]: Overlays::provenance
    pub fn verify(&self) -> Vec<Result<(), OverlayError>> {
        self.files().map(OverlayFile::verify).collect()
    }

    /// Every key of an overlay with its ecosystem, in key order (for tools and tests).
    pub fn for_each_key(&self, kind: OverlayKind, f: impl FnMut(Ecosystem, &str)) {
        let file = match kind {
            OverlayKind::Malicious => &self.malicious,
            OverlayKind::Hallucinations => &self.hallucinations,
        };
        if let Some(file) = file {
            file.for_each_key(f);
        }
    }
}
