//! Renderers for findings, one module per format: text for a person ([`human`]), a
//! versioned JSON document ([`json`]), SARIF 2.1.0 for code scanning ([`sarif`]), a
//! CycloneDX 1.6 SBOM ([`cyclonedx`]) and a pull-request summary in Markdown
//! ([`markdown`]); `depproof check` has its own human and JSON renderers ([`check`]).
//!
//! Renderers know findings, not parsers: their input is the assessment's findings with
//! their references, what the scan could not register as a package, its diagnostics, and
//! the provenance of the data consulted. Every renderer is deterministic: identical input
//! gives identical bytes (no timestamps, no random identifiers, sorted collections).

pub mod check;
pub mod cyclonedx;
pub mod docs;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
mod source;
mod style;

use std::fmt;

use depproof_assess::{Code, Finding, Policy, Registry, Verdict};
use depproof_extract::Diagnostic;
use depproof_extract::scan::{Reference, Skipped};
use depproof_registry::index::Completeness;
use depproof_registry::{Ecosystem, Index};
use serde_json::{Value, json};

pub use source::{Snippet, Sources};

/// The version of the JSON documents (`schema_version`); fields are only ever added.
pub const SCHEMA_VERSION: u32 = 2;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Text for a person, grouped by package, with source lines.
    Human,
    /// One JSON document (`docs/schema/scan-v2.json`, `docs/schema/check-v2.json`).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// A CycloneDX 1.6 JSON SBOM.
    CycloneDx,
    /// A pull-request summary.
    Markdown,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 5] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::CycloneDx,
        Format::Markdown,
    ];

    /// The name on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::CycloneDx => "cyclonedx",
            Format::Markdown => "markdown",
        }
    }

    /// The format named `s` (any case).
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.id().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The program that wrote a report.
#[derive(Debug, Clone)]
pub struct Tool {
    /// `depproof`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where to read about it.
    pub information_uri: String,
}

impl Tool {
    /// A tool of this name and version, documented at the project's repository.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Tool {
        Tool {
            name: name.into(),
            version: version.into(),
            information_uri: docs::REPOSITORY.to_owned(),
        }
    }
}

/// What a piece of consulted data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataKind {
    /// A registry snapshot index.
    Snapshot,
    /// An overlay: known-malicious packages, known hallucinations.
    Overlay,
}

/// Where the data behind the findings came from: one snapshot or overlay.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// A snapshot or an overlay.
    pub kind: DataKind,
    /// What it covers: the ecosystem id of a snapshot (`pypi`), the kind of an overlay
    /// (`known-malicious`).
    pub subject: String,
    /// The file it was read from, or `embedded`.
    pub origin: String,
    /// The date of its data (`2026-11`), when known.
    pub date: Option<String>,
    /// Complete or partial, and the cut, in words; `None` when it does not apply.
    pub completeness: Option<String>,
    /// `xxh3:` and the checksum in hex.
    pub checksum: String,
    /// Everything known, as written in the JSON report.
    pub detail: Value,
}

impl Provenance {
    /// The provenance of a snapshot index.
    pub fn snapshot(index: &Index) -> Provenance {
        let h = index.header();
        let (complete, cut, words) = match &h.completeness {
            Completeness::Complete => (true, None, "complete".to_owned()),
            Completeness::Partial {
                description,
                min_downloads,
            } => (
                false,
                Some(json!({ "description": description, "min_downloads_a_month": min_downloads })),
                format!("partial: {description}"),
            ),
        };
        let checksum = format!("xxh3:{}", h.checksum_hex());
        let detail = json!({
            "ecosystem": h.ecosystem.id(),
            "origin": index.origin(),
            "date": h.snapshot_date,
            "complete": complete,
            "partial_cut": cut,
            "names": h.name_count,
            "popular_names": h.popular_count,
            "source": h.source,
            "checksum": checksum,
            "size_bytes": h.file_size,
            "format_version": h.format_version,
        });
        Provenance {
            kind: DataKind::Snapshot,
            subject: h.ecosystem.id().to_owned(),
            origin: index.origin().to_owned(),
            date: Some(h.snapshot_date.clone()),
            completeness: Some(words),
            checksum,
            detail,
        }
    }

    /// The provenance of an overlay of kind `subject`, read from `origin`, with its data
    /// last updated on `date`; `detail` is what the JSON report shows (it should hold
    /// `checksum` too).
    pub fn overlay(
        subject: impl Into<String>,
        origin: impl Into<String>,
        date: Option<String>,
        checksum: impl Into<String>,
        detail: Value,
    ) -> Provenance {
        Provenance {
            kind: DataKind::Overlay,
            subject: subject.into(),
            origin: origin.into(),
            date,
            completeness: None,
            checksum: checksum.into(),
            detail,
        }
    }

    /// One line: `PyPI snapshot 2026-11 (complete), xxh3:…`.
    pub fn words(&self) -> String {
        let what = match self.kind {
            DataKind::Snapshot => {
                let eco = Ecosystem::ALL
                    .into_iter()
                    .find(|e| e.id() == self.subject)
                    .map_or(self.subject.as_str(), |e| e.display_name());
                format!("{eco} snapshot")
            }
            DataKind::Overlay => format!("{} overlay", self.subject),
        };
        let mut s = what;
        if let Some(d) = &self.date {
            s.push(' ');
            s.push_str(d);
        }
        if let Some(c) = &self.completeness {
            s.push_str(&format!(" ({c})"));
        }
        s.push_str(&format!(", {}", self.checksum));
        s
    }
}

/// Pull-request mode: the report holds only references added since a git revision.
#[derive(Debug, Clone)]
pub struct DiffBase {
    /// The revision as given (`origin/main`).
    pub reference: String,
    /// The commit compared against (the merge base of the revision and HEAD when the
    /// history has one, else the revision itself).
    pub commit: String,
    /// Whether `commit` is the merge base.
    pub merge_base: bool,
    /// Files with added lines or new entries.
    pub changed_files: usize,
}

/// Counts of what a scan read, for the summary.
#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Imports that need no package.
    pub skipped: Skipped,
}

/// Everything a scan report shows.
pub struct ScanReport<'a> {
    /// The program.
    pub tool: &'a Tool,
    /// The snapshots consulted.
    pub registry: Registry<'a>,
    /// The policy applied (signal levels, `fail-on`, the configuration file).
    pub policy: &'a Policy,
    /// One finding per package, in the assessment's order (blocking first).
    pub findings: &'a [Finding],
    /// References that are not registry names (URLs, VCS links, paths, other registries).
    pub not_registry: &'a [Reference],
    /// Problems with the input, and with suppression comments.
    pub diagnostics: &'a [Diagnostic],
    /// What was read.
    pub stats: ScanStats,
    /// The snapshots and overlays used.
    pub provenance: Vec<Provenance>,
    /// Pull-request mode.
    pub diff: Option<DiffBase>,
}

/// How a renderer presents things.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// ANSI colors (human format only).
    pub color: bool,
    /// Every package, not only the problems (human format).
    pub all: bool,
    /// Only the problems: no summary, no packages that pass (human format).
    pub quiet: bool,
    /// Where links to files point (Markdown): a URL prefix such as
    /// `https://github.com/OWNER/REPO/blob/COMMIT/`; relative links when absent.
    pub link_base: Option<String>,
}

/// Renders a scan report in `format`.
pub fn render_scan(
    format: Format,
    report: &ScanReport,
    options: &Options,
    sources: &Sources,
) -> String {
    match format {
        Format::Human => human::scan(report, options, sources),
        Format::Json => pretty(&json::scan(report)),
        Format::Sarif => pretty(&sarif::scan(report, sources)),
        Format::CycloneDx => pretty(&cyclonedx::scan(report)),
        Format::Markdown => markdown::scan(report, options),
    }
}

/// Pretty-printed JSON with a final newline.
pub fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Totals over findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// References to registry packages.
    pub references: usize,
    /// Findings that block.
    pub block: usize,
    /// Findings that warn.
    pub warn: usize,
    /// Findings that pass.
    pub ok: usize,
    /// Suppressed signals.
    pub suppressed: usize,
    /// Packages that do not exist (`not-found`, counted suppressed or not).
    pub not_found: usize,
    /// Imports no package provides.
    pub unresolved: usize,
    /// Packages unknown to a partial snapshot.
    pub unknown: usize,
    /// Invalid names.
    pub invalid: usize,
}

impl Counts {
    /// The totals of `findings`.
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            c.references += f.references.len();
            match f.verdict {
                Verdict::Block => c.block += 1,
                Verdict::Warn => c.warn += 1,
                Verdict::Ok => c.ok += 1,
            }
            c.suppressed += f.suppressed.len();
            let has = |code: Code| {
                f.signals.iter().any(|s| s.code == code)
                    || f.suppressed.iter().any(|s| s.signal.code == code)
            };
            c.not_found += usize::from(has(Code::NotFound));
            c.unresolved += usize::from(has(Code::UnresolvedImport));
            c.unknown += usize::from(has(Code::Unknown));
            c.invalid += usize::from(has(Code::InvalidName));
        }
        c
    }
}

/// How a reference entered, in words: `install command`, `imported as `cv2``, with dev,
/// optional and the version.
pub fn kind_words(r: &Reference) -> String {
    use depproof_extract::Kind;
    use depproof_extract::scan::{ImportRule, Target};
    let base = match r.kind {
        Kind::Import => "import",
        Kind::InstallCommand => "install command",
        Kind::Manifest => "manifest",
        Kind::Lockfile => "lockfile",
        Kind::ListedByModel => "listed by a model",
    };
    let target = match &r.target {
        Target::Package { name, .. } => name.as_str(),
        Target::NotRegistry { text, .. } => text.as_str(),
    };
    let mut s = base.to_owned();
    if let Some(via) = &r.via
        && (via.rule != ImportRule::ImportName || !via.import.eq_ignore_ascii_case(target))
        && via.rule != ImportRule::Specifier
    {
        s = format!("imported as `{}`", via.import);
    }
    if r.dev {
        s.push_str(", dev");
    }
    if r.optional {
        s.push_str(", optional");
    }
    if let Some(v) = &r.version {
        s.push_str(&format!(", {v}"));
    }
    s
}

/// `path:line:column`, with the notebook cell or chat message when there is one.
pub fn location_words(l: &depproof_extract::Location) -> String {
    match l.cell {
        Some(c) if is_notebook(&l.path) => format!("{} cell {c}:{}:{}", l.path, l.line, l.column),
        Some(c) => format!("{} message {c}:{}:{}", l.path, l.line, l.column),
        None => format!("{}:{}:{}", l.path, l.line, l.column),
    }
}

/// Cells are notebook cells in `.ipynb` files, and the messages of chat logs elsewhere.
fn is_notebook(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".ipynb")
}

/// The level a signal has under the policy, as `block`, `warn`, `info` or `off`.
fn level_id(policy: &Policy, code: Code, severity: depproof_assess::Severity) -> &'static str {
    match policy.level(code, severity) {
        depproof_assess::Level::Block => "block",
        depproof_assess::Level::Warn => "warn",
        depproof_assess::Level::Info => "info",
        depproof_assess::Level::Off => "off",
    }
}
