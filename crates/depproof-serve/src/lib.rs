//! depproof as services: an MCP server for coding agents ([`mcp`]) and an HTTP API
//! ([`http`]), both answering from one [`Service`] so that they agree with each other and
//! with `depproof check` and `depproof scan`.
//!
//! The snapshots are memory-mapped once for the life of the process and shared by every
//! request: nothing is copied per request.

pub mod archive;
pub mod compact;
pub mod http;
pub mod mcp;
pub mod openapi;

use std::sync::Arc;

use depproof_assess::{Assessment, Assessor, Policy, Registry};
use depproof_extract::scan::{Reference, ScanResult, SourceKind, Target};
use depproof_live::{Live, LiveFacts};
use depproof_registry::Ecosystem;
use depproof_report::check::{CheckReport, CheckedName, check_name};
use depproof_report::{DataKind, Provenance, ScanReport, ScanStats, Tool};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Bounds on what one request may ask, so that no client can hold the server for long.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most names in one check.
    pub max_names: usize,
    /// Most files in one archive.
    pub max_files: usize,
    /// Largest total of the files of one archive once unpacked, in bytes.
    pub max_unpacked_bytes: u64,
    /// Longest time a request may take.
    pub timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 4 * 1024 * 1024,
            max_names: 1000,
            max_files: 1000,
            max_unpacked_bytes: 32 * 1024 * 1024,
            timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// A package ecosystem as requests name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EcosystemName {
    /// The Python Package Index.
    Pypi,
    /// The npm registry.
    Npm,
}

impl From<EcosystemName> for Ecosystem {
    fn from(e: EcosystemName) -> Ecosystem {
        match e {
            EcosystemName::Pypi => Ecosystem::PyPI,
            EcosystemName::Npm => Ecosystem::Npm,
        }
    }
}

/// The ecosystems asked: one, or every one when none is named.
pub fn ecosystems(e: Option<EcosystemName>) -> Vec<Ecosystem> {
    match e {
        Some(e) => vec![e.into()],
        None => Ecosystem::ALL.to_vec(),
    }
}

/// What the services answer from: the snapshots, the policy and the data's provenance,
/// for the life of the process.
pub struct Service {
    assessor: Assessor<'static>,
    policy: &'static Policy,
    provenance: Vec<Provenance>,
    tool: Tool,
    /// Asks the registries about the names the snapshots cannot settle (`--live`).
    live: Option<Live>,
    /// What one request may ask.
    pub limits: Limits,
}

impl Service {
    /// A service answering from `registry` under `policy`; `provenance` describes every
    /// snapshot and overlay of `registry`.
    pub fn new(
        registry: Registry<'static>,
        policy: &'static Policy,
        provenance: Vec<Provenance>,
        tool: Tool,
        limits: Limits,
    ) -> Service {
        Service {
            assessor: Assessor::new(registry, policy),
            policy,
            provenance,
            tool,
            live: None,
            limits,
        }
    }

    /// Asks `live` about the names the snapshots cannot settle (absent, unknown to a
    /// partial snapshot, recent and little used), per request, before answering.
    pub fn with_live(mut self, live: Option<Live>) -> Service {
        self.live = live;
        self
    }

    /// Whether requests are answered with live registry answers too.
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Asks the registries about the names among `names` that the snapshots cannot
    /// settle, within two thirds of the request time limit (a name unanswered by then is
    /// a failed lookup, so unknown); `None` when the service is not live.
    pub async fn settle(&self, names: Vec<(Ecosystem, String)>) -> Option<LiveFacts> {
        let live = self.live.as_ref()?;
        let wanted: Vec<(Ecosystem, String)> = names
            .into_iter()
            .filter(|(eco, n)| self.assessor.wants_live(*eco, n))
            .collect();
        Some(
            live.settle_within(&wanted, self.limits.timeout.mul_f64(2.0 / 3.0))
                .await,
        )
    }

    /// The names a check of `names` in `ecosystems` may ask about live.
    pub fn check_names(ecosystems: &[Ecosystem], names: &[String]) -> Vec<(Ecosystem, String)> {
        names
            .iter()
            .flat_map(|n| ecosystems.iter().map(move |e| (*e, n.clone())))
            .collect()
    }

    /// The packages a scan found, to ask about live.
    pub fn scan_names(result: &ScanResult) -> Vec<(Ecosystem, String)> {
        result
            .references
            .iter()
            .filter_map(|r| match &r.target {
                Target::Package { ecosystem, name } => Some((*ecosystem, name.clone())),
                _ => None,
            })
            .collect()
    }

    /// The snapshots consulted, with the live answers of one request.
    pub fn registry_with<'s>(&'s self, live: Option<&'s LiveFacts>) -> Registry<'s> {
        Registry {
            live,
            ..*self.assessor.registry()
        }
    }

    /// Builds what the first requests would otherwise pay for (the typosquat tables), so
    /// that no request is slow because it came first.
    pub fn warm_up(&self) {
        for probe in ["requests", "reqeusts", "lodash", "lodahs"] {
            let _ = self.check(&Ecosystem::ALL, &[probe.to_owned()], None);
        }
    }

    /// The snapshots consulted.
    pub fn registry(&self) -> &Registry<'static> {
        self.assessor.registry()
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        self.policy
    }

    /// The one place names are assessed: every front end asks here, with the live
    /// answers of the request when the service is live.
    pub fn check(
        &self,
        ecosystems: &[Ecosystem],
        names: &[String],
        live: Option<&LiveFacts>,
    ) -> Vec<CheckedName> {
        let per_request;
        let assessor = match live {
            Some(l) => {
                per_request = self.assessor.with_live(l);
                &per_request
            }
            None => &self.assessor,
        };
        names
            .iter()
            .map(|n| check_name(assessor, ecosystems, n))
            .collect()
    }

    /// The snapshots of `ecosystems`, then every overlay.
    pub fn provenance(&self, ecosystems: &[Ecosystem]) -> Vec<Provenance> {
        self.provenance
            .iter()
            .filter(|p| {
                p.kind == DataKind::Overlay || ecosystems.iter().any(|e| e.id() == p.subject)
            })
            .cloned()
            .collect()
    }

    /// The snapshots and overlays as JSON, as reports show them.
    pub fn snapshots_json(&self) -> Value {
        serde_json::json!({
            "tool": depproof_report::json::tool(&self.tool),
            "snapshots": depproof_report::json::provenance(&self.provenance, DataKind::Snapshot),
            "overlays": depproof_report::json::provenance(&self.provenance, DataKind::Overlay),
        })
    }

    /// The answers for `names` as the document `depproof check --format json` prints
    /// (docs/schema/check-v2.json).
    pub fn check_json(
        &self,
        ecosystems: &[Ecosystem],
        names: &[String],
        live: Option<&LiveFacts>,
    ) -> Value {
        let results = self.check(ecosystems, names, live);
        let report = CheckReport {
            tool: &self.tool,
            registry: self.registry_with(live),
            policy: self.policy,
            provenance: self.provenance(ecosystems),
            names: &results,
        };
        depproof_report::check::json(&report)
    }

    /// Finds the references in `text` of `kind`, shown as `display` in locations.
    pub fn extract_text(&self, display: &str, kind: SourceKind, text: &[u8]) -> ScanResult {
        depproof_extract::scan::scan_bytes(Arc::from(display), text, kind, self.registry().pypi)
    }

    /// Scans `text` of `kind` by the snapshots alone.
    pub fn scan_text(&self, display: &str, kind: SourceKind, text: &[u8]) -> Scanned {
        self.assess_scan(self.extract_text(display, kind, text), None)
    }

    /// Assesses what a scan found, with the live answers of the request.
    pub fn assess_scan(&self, result: ScanResult, live: Option<LiveFacts>) -> Scanned {
        let assessment = match &live {
            Some(l) => self.assessor.with_live(l).assess_scan(&result),
            None => self.assessor.assess_scan(&result),
        };
        Scanned {
            result,
            assessment,
            live,
        }
    }

    /// A scan as the document `depproof scan --format json` prints
    /// (docs/schema/scan-v2.json).
    pub fn scan_json(&self, s: &Scanned) -> Value {
        let not_registry: Vec<Reference> = s
            .result
            .references
            .iter()
            .filter(|r| matches!(r.target, Target::NotRegistry { .. }))
            .cloned()
            .collect();
        let mut diagnostics = s.result.diagnostics.clone();
        diagnostics.extend(s.assessment.diagnostics.iter().cloned());
        let report = ScanReport {
            tool: &self.tool,
            registry: self.registry_with(s.live.as_ref()),
            policy: self.policy,
            findings: &s.assessment.findings,
            not_registry: &not_registry,
            diagnostics: &diagnostics,
            stats: ScanStats {
                files: s.result.files,
                bytes: s.result.bytes,
                skipped: s.result.skipped.clone(),
            },
            provenance: self.provenance(&Ecosystem::ALL),
            diff: None,
        };
        depproof_report::json::scan(&report)
    }
}

/// What a scan found, and what the assessment concluded.
pub struct Scanned {
    /// The references found.
    pub result: ScanResult,
    /// One finding per package.
    pub assessment: Assessment,
    /// The registries' answers asked for it, when the service is live.
    pub live: Option<LiveFacts>,
}

impl Scanned {
    /// What the assessment consulted, live answers included.
    pub fn registry<'s>(&'s self, service: &'s Service) -> Registry<'s> {
        service.registry_with(self.live.as_ref())
    }
}

/// The kinds of text a scan reads, as requests name them.
pub fn kind_names() -> &'static [&'static str] {
    SourceKind::NAMES
}
