//! From references and registry evidence to findings: one finding per package, with its
//! signals, its verdict under the policy, suggestions, and every reference kept.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};

use depproof_extract::scan::{Reference, ScanResult, Target};
use depproof_extract::suppress::Suppression;
use depproof_extract::{Diagnostic, Kind, Severity as DiagSeverity};
use depproof_live::{LiveFacts, Outcome, PackageFacts, Record};
use depproof_registry::index::{Completeness, MAX_SUGGESTIONS};
use depproof_registry::overlay::{Overlays, VersionStatus};
use depproof_registry::typosquat::{Detector, Strength, Technique};
use depproof_registry::{Ecosystem, Flags, Index, Lookup, PackageInfo, Popularity, Suggestion};
use serde_json::{Value, json};

use crate::config::{Level, Policy, Verdict};
use crate::signal::{Code, Severity, Signal};
use crate::words::{popularity, popularity_short, thousands};

/// What the assessment consults: one snapshot index per ecosystem, and the overlays
/// (known malicious packages, known hallucinations) when there are any.
#[derive(Clone, Copy)]
pub struct Registry<'a> {
    /// The PyPI snapshot.
    pub pypi: &'a Index,
    /// The npm snapshot.
    pub npm: &'a Index,
    /// Overlays beside the snapshots.
    pub overlays: Option<&'a Overlays>,
    /// Live registry answers (`--live`), for the names that were asked.
    pub live: Option<&'a LiveFacts>,
}

impl<'a> Registry<'a> {
    /// The snapshots alone, without overlays.
    pub fn new(pypi: &'a Index, npm: &'a Index) -> Registry<'a> {
        Registry {
            pypi,
            npm,
            overlays: None,
            live: None,
        }
    }

    /// The index of `eco`.
    pub fn snapshot(&self, eco: Ecosystem) -> &'a Index {
        match eco {
            Ecosystem::PyPI => self.pypi,
            Ecosystem::Npm => self.npm,
        }
    }
}

/// What the registry says about a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// On the registry.
    Found(PackageInfo),
    /// Absent from a complete snapshot.
    Absent,
    /// Absent from a partial snapshot.
    Unknown,
    /// Absent from a partial snapshot, and the live lookup failed: unknown, never
    /// "exists" and never safe.
    LookupFailed {
        /// Why the registry could not be asked, in words.
        reason: String,
    },
    /// Breaks the registry's name rules.
    Invalid {
        /// The rule.
        rule: String,
        /// Why, in words.
        reason: String,
    },
}

impl Presence {
    /// Lowercase identifier.
    pub fn id(&self) -> &'static str {
        match self {
            Presence::Found(_) => "exists",
            Presence::Absent => "does_not_exist",
            Presence::Unknown | Presence::LookupFailed { .. } => "unknown",
            Presence::Invalid { .. } => "invalid_name",
        }
    }
}

/// Why a signal does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedBy {
    /// `depproof: ignore` comments at every reference.
    Inline(Vec<String>),
    /// An `[[allow]]` entry of the configuration.
    Allowed(String),
}

impl SuppressedBy {
    /// In words.
    pub fn words(&self) -> String {
        match self {
            SuppressedBy::Inline(at) => format!("suppressed by a comment at {}", at.join(", ")),
            SuppressedBy::Allowed(reason) => format!("allowed in the configuration: {reason}"),
        }
    }
}

/// A signal that was raised and suppressed: counted and listed, never dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    /// The signal.
    pub signal: Signal,
    /// By what.
    pub by: SuppressedBy,
}

/// One package with everything depproof concluded about it.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Its registry.
    pub ecosystem: Ecosystem,
    /// Its name, normalized for the registry.
    pub name: String,
    /// What the registry says.
    pub presence: Presence,
    /// The signals that count, most serious first.
    pub signals: Vec<Signal>,
    /// The signals suppressed.
    pub suppressed: Vec<Suppressed>,
    /// ok / warn / block.
    pub verdict: Verdict,
    /// Real names near a missing one.
    pub suggestions: Vec<Suggestion>,
    /// The `[private]` pattern the name matches.
    pub private: Option<String>,
    /// Every reference to it (empty for `depproof check`).
    pub references: Vec<Reference>,
    /// What the registries said when asked live.
    pub live: Option<Record>,
    /// The package exists by the live answer only: the snapshot does not have it (its
    /// `PackageInfo` is made from the answer, without popularity).
    pub live_only: bool,
}

impl Finding {
    /// One sentence: the most serious signal's message, or what the registry says.
    pub fn summary(&self, registry: &Registry) -> String {
        if let Some(s) = self.signals.first() {
            return s.message.clone();
        }
        let eco = self.ecosystem.display_name();
        match &self.presence {
            Presence::Found(_) if self.live_only => {
                let facts = self.live.as_ref().and_then(|r| r.public.facts());
                let first = facts
                    .and_then(|f| f.first_release.as_deref())
                    .map(|d| format!(", first released {}", &d[..d.len().min(10)]))
                    .unwrap_or_default();
                format!(
                    "exists on {eco} (asked live: {} release{}{first}; not in the snapshot)",
                    facts.map_or(0, |f| f.releases),
                    if facts.is_some_and(|f| f.releases == 1) {
                        ""
                    } else {
                        "s"
                    },
                )
            }
            Presence::Found(info) => {
                let index = registry.snapshot(self.ecosystem);
                format!(
                    "exists on {eco}: {}",
                    popularity(index, info.popularity).replace("download rank", "rank")
                )
            }
            Presence::Absent | Presence::Unknown if self.private.is_some() => {
                format!("a private package, not on the public {eco} registry")
            }
            Presence::Absent => format!("does not exist on {eco}"),
            Presence::Unknown => format!("unknown to the {eco} snapshot"),
            Presence::LookupFailed { reason } => {
                format!("unknown to the {eco} snapshot (lookup failed: {reason})")
            }
            Presence::Invalid { reason, .. } => format!("not a valid {eco} name: {reason}"),
        }
    }
}

impl Finding {
    /// Found only by asking the registry live: the snapshot does not have it.
    pub fn live_only(&self) -> bool {
        self.live_only
    }

    /// What to do, in one sentence: the action of the most serious signal.
    pub fn advice(&self) -> Option<&'static str> {
        self.signals.first().map(|s| s.code.doc().action)
    }
}

/// How a package is referred to, as far as the assessment cares.
#[derive(Debug, Clone, Copy)]
pub struct Use<'r> {
    /// How it entered (`None`: asked about directly, as by `depproof check`).
    pub kind: Option<Kind>,
    /// An inline suppression covering it.
    pub suppression: Option<&'r Suppression>,
    /// Where, as `path:line`, for suppression reports.
    pub place: Option<(&'r str, u32)>,
    /// The import as written, for imports.
    pub import: Option<&'r str>,
    /// The version requirement or pin as written.
    pub version: Option<&'r str>,
}

impl Use<'_> {
    /// A package asked about directly (`depproof check`), with no version.
    pub const ASKED: Use<'static> = Use {
        kind: None,
        suppression: None,
        place: None,
        import: None,
        version: None,
    };
}

/// The result of assessing a scan.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// One finding per package, blocking first, then by ecosystem and name.
    pub findings: Vec<Finding>,
    /// Problems with suppression comments.
    pub diagnostics: Vec<Diagnostic>,
}

/// Judges packages against a registry under a policy.
pub struct Assessor<'a> {
    registry: Registry<'a>,
    policy: &'a Policy,
    /// Typosquat tables per ecosystem, built on first need (tens of milliseconds), so
    /// that `check` of a popular name never pays for them. Shared with the assessors
    /// made by [`Assessor::with_live`], so that per-request ones do not rebuild them.
    detectors: Arc<[OnceLock<Detector>; 2]>,
    /// Overlay records that could not be read, reported once the assessment is done.
    overlay_errors: Mutex<BTreeSet<String>>,
}

impl<'a> Assessor<'a> {
    /// An assessor.
    pub fn new(registry: Registry<'a>, policy: &'a Policy) -> Assessor<'a> {
        Assessor {
            registry,
            policy,
            detectors: Arc::new([OnceLock::new(), OnceLock::new()]),
            overlay_errors: Mutex::new(BTreeSet::new()),
        }
    }

    /// An assessor over the same snapshots, overlays and policy that also consults `live`
    /// (answers asked for one request of a long-running service). It shares this one's
    /// typosquat tables, so it costs nothing to make.
    pub fn with_live<'b>(&'b self, live: &'b LiveFacts) -> Assessor<'b> {
        Assessor {
            registry: Registry {
                live: Some(live),
                ..self.registry
            },
            policy: self.policy,
            detectors: Arc::clone(&self.detectors),
            overlay_errors: Mutex::new(BTreeSet::new()),
        }
    }

    /// Overlay records that could not be read so far (each once): the finding went on
    /// without them.
    pub fn overlay_errors(&self) -> Vec<String> {
        self.overlay_errors
            .lock()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn overlay_error(&self, e: impl std::fmt::Display) {
        if let Ok(mut errors) = self.overlay_errors.lock() {
            errors.insert(e.to_string());
        }
    }

    /// Known malicious (OSV) and known hallucination signals from the overlays.
    fn overlay_signals(
        &self,
        eco: Ecosystem,
        key: &str,
        shown: &str,
        presence: &Presence,
        uses: &[Use],
        signals: &mut Vec<Signal>,
    ) {
        let Some(overlays) = self.registry.overlays else {
            return;
        };
        // Each exact pin is checked; an unpinned use asks about every version.
        let mut versions: BTreeSet<Option<&str>> = uses
            .iter()
            .map(|u| u.version.and_then(|v| exact_version(eco, v)))
            .collect();
        if versions.is_empty() {
            versions.insert(None);
        }
        let mut records: BTreeMap<
            String,
            (
                depproof_registry::overlay::MaliciousMatch,
                Vec<String>,
                bool,
            ),
        > = BTreeMap::new();
        for v in &versions {
            match overlays.malicious(eco, key, *v) {
                Ok(matches) => {
                    for m in matches {
                        let concerns = m.version.concerns();
                        let e = records
                            .entry(m.id.clone())
                            .or_insert_with(|| (m.clone(), Vec::new(), false));
                        e.2 |= concerns;
                        if let (Some(v), VersionStatus::Affected) = (v, &m.version) {
                            e.1.push((*v).to_owned());
                        }
                    }
                }
                Err(e) => self.overlay_error(e),
            }
        }
        for (id, (m, affected_pins, concerns)) in records {
            let pins = if affected_pins.is_empty() {
                String::new()
            } else {
                format!(
                    "; the version used ({}) is affected",
                    affected_pins.join(", ")
                )
            };
            let versions = if m.all_versions {
                "all versions".to_owned()
            } else {
                format!("versions {}", m.affected_versions)
            };
            let (severity, message) = if !concerns {
                (
                    Severity::Medium,
                    format!(
                        "{shown} had malicious versions ({id}: {}); the version used is not among them",
                        m.affected_versions
                    ),
                )
            } else if m.all_versions || !affected_pins.is_empty() {
                (
                    Severity::Critical,
                    format!(
                        "{shown} is reported malicious ({id}: {}; {versions}){pins}",
                        m.summary
                    ),
                )
            } else {
                // Some versions were malicious and the version in use is not pinned: it
                // may resolve to one of them.
                (
                    Severity::High,
                    format!(
                        "{shown} had malicious releases ({id}: {}; {versions}) and the version used is not pinned outside them",
                        m.summary
                    ),
                )
            };
            signals.push(Signal::new(
                Code::KnownMalicious,
                severity,
                message,
                json!({
                    "id": id,
                    "aliases": m.aliases,
                    "summary": m.summary,
                    "affected_versions": m.affected_versions,
                    "all_versions": m.all_versions,
                    "versions_used_affected": affected_pins,
                    "published": m.published,
                    "modified": m.modified,
                    "reported_by": m.reported_by,
                    "source": m.source,
                }),
            ));
        }
        match overlays.hallucination(eco, key) {
            Ok(Some(rec)) => {
                let (severity, state) = match presence {
                    Presence::Found(info) if !info.popular => (
                        Severity::High,
                        "and someone has registered it since: a likely slopsquat",
                    ),
                    Presence::Found(_) => {
                        (Severity::Medium, "though an established package has it")
                    }
                    _ => (Severity::Medium, "and it does not exist"),
                };
                signals.push(Signal::new(
                    Code::KnownHallucination,
                    severity,
                    format!(
                        "{shown} is a name language models invent (recorded {} time{}), {state}",
                        thousands(rec.count),
                        if rec.count == 1 { "" } else { "s" }
                    ),
                    json!({
                        "count": rec.count,
                        "sources": rec.sources,
                        "first_recorded": rec.first_recorded,
                        "last_recorded": rec.last_recorded,
                    }),
                ));
            }
            Ok(None) => {}
            Err(e) => self.overlay_error(e),
        }
    }

    fn detector(&self, eco: Ecosystem) -> &Detector {
        let i = match eco {
            Ecosystem::PyPI => 0,
            Ecosystem::Npm => 1,
        };
        self.detectors[i].get_or_init(|| Detector::new(self.registry.snapshot(eco)))
    }

    /// The look-alike signal: `own` is the candidate's snapshot row (None when unknown).
    fn typosquat(
        &self,
        eco: Ecosystem,
        key: &str,
        shown: &str,
        own: Option<&PackageInfo>,
        signals: &mut Vec<Signal>,
        suggestions: &mut Vec<Suggestion>,
    ) {
        // Popular names are never look-alikes of other popular names: skip the tables.
        if own.is_some_and(|i| i.popular) {
            return;
        }
        let Some(m) = self.detector(eco).check(key, own).into_iter().next() else {
            return;
        };
        let index = self.registry.snapshot(eco);
        let how = match (m.technique, m.affix.is_empty()) {
            (Technique::Affix, false) => format!("it adds, drops or swaps `{}`", m.affix),
            (Technique::Scope, false) => format!("it adds or drops the scope `{}`", m.affix),
            (t, _) => format!("the name {}", t.description()),
        };
        let target_pop = popularity_short(m.target.popularity)
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        signals.push(Signal::new(
            Code::Typosquat,
            match m.strength {
                Strength::Strong => Severity::High,
                Strength::Weak => Severity::Medium,
            },
            format!(
                "{shown} looks like `{}`{target_pop} but is not it: {how}",
                m.target.name
            ),
            json!({
                "target": info_json(index, &m.target),
                "technique": m.technique.id(),
                "strength": m.strength.id(),
                "distance": m.distance,
                "affix": (!m.affix.is_empty()).then_some(&m.affix),
            }),
        ));
        if !suggestions.iter().any(|s| s.info.name == m.target.name) {
            suggestions.insert(
                0,
                Suggestion {
                    distance: m.distance,
                    info: m.target,
                },
            );
        }
    }

    /// The registry consulted.
    pub fn registry(&self) -> &Registry<'a> {
        &self.registry
    }

    /// Assesses every package referred to by a scan.
    pub fn assess_scan(&self, scan: &ScanResult) -> Assessment {
        let mut groups: BTreeMap<(Ecosystem, String), (String, Vec<&Reference>)> = BTreeMap::new();
        let mut diagnostics = BTreeSet::new();
        for r in &scan.references {
            let Target::Package { ecosystem, name } = &r.target else {
                continue;
            };
            let key = match ecosystem.validate(name) {
                Ok(_) => ecosystem.normalize(name).into_owned(),
                Err(_) => name.clone(),
            };
            groups
                .entry((*ecosystem, key))
                .or_insert_with(|| (name.clone(), Vec::new()))
                .1
                .push(r);
            if let Some(Suppression::Codes(codes)) = &r.suppression {
                for c in codes {
                    if Code::parse(c).is_none() {
                        diagnostics.insert(Diagnostic {
                            path: r.location.path.clone(),
                            line: Some(r.location.line),
                            severity: DiagSeverity::Warning,
                            message: format!(
                                "`{c}` in a `depproof: ignore[...]` comment is not a signal code or name (see `depproof explain --all`)"
                            ),
                        });
                    }
                }
            }
        }
        let mut findings: Vec<Finding> = groups
            .into_iter()
            .map(|((eco, _key), (written, mut refs))| {
                refs.sort_by(|a, b| a.location.cmp(&b.location));
                let uses: Vec<Use> = refs.iter().map(|r| use_of(r)).collect();
                let mut f = self.assess(eco, &written, &uses);
                f.references = refs.into_iter().cloned().collect();
                f
            })
            .collect();
        sort_findings(&mut findings);
        for e in self.overlay_errors() {
            diagnostics.insert(Diagnostic {
                path: "overlay".into(),
                line: None,
                severity: DiagSeverity::Warning,
                message: format!("{e}; the findings were made without that record"),
            });
        }
        Assessment {
            findings,
            diagnostics: diagnostics.into_iter().collect(),
        }
    }

    /// Assesses one package, named `written` in `eco`, referred to by `uses`.
    pub fn assess(&self, eco: Ecosystem, written: &str, uses: &[Use]) -> Finding {
        let index = self.registry.snapshot(eco);
        let only_imports = !uses.is_empty() && uses.iter().all(|u| u.kind == Some(Kind::Import));
        let in_install = uses
            .iter()
            .any(|u| u.kind == Some(Kind::InstallCommand) || u.kind.is_none());
        let (key, presence) = match eco.validate(written) {
            Err(e) if !only_imports => (
                written.to_owned(),
                Presence::Invalid {
                    rule: e.rule.to_string(),
                    reason: e.reason,
                },
            ),
            // An import no registry name can match (`_private`) is unresolved, not a
            // badly written package name.
            Err(_) => (written.to_owned(), Presence::Absent),
            Ok(_) => {
                let key = eco.normalize(written).into_owned();
                let p = match index.lookup(&key) {
                    Lookup::Found(info) => Presence::Found(info),
                    Lookup::Absent => Presence::Absent,
                    Lookup::Unknown => Presence::Unknown,
                };
                (key, p)
            }
        };
        let record: Option<Record> = match &presence {
            Presence::Invalid { .. } => None,
            _ => self.registry.live.and_then(|l| l.get(eco, &key)).cloned(),
        };
        let public = record.as_ref().map(|r| &r.public.outcome);
        let mut live_only = false;
        let presence = match (presence, public) {
            (Presence::Absent | Presence::Unknown, Some(Outcome::Found(f))) => {
                live_only = true;
                Presence::Found(live_info(f))
            }
            // Asked now, the registry has no such package: whatever the snapshot said.
            (Presence::Found(_) | Presence::Unknown, Some(Outcome::Missing)) => Presence::Absent,
            (Presence::Unknown, Some(Outcome::Failed { reason })) => Presence::LookupFailed {
                reason: reason.clone(),
            },
            (Presence::Found(mut info), Some(Outcome::Found(f))) => {
                if f.security_holding {
                    info.flags.insert(Flags::SECURITY_HOLDING);
                }
                Presence::Found(info)
            }
            (p, _) => p,
        };
        let live_facts = record.as_ref().and_then(|r| r.public.facts());
        let live_failure = match public {
            Some(Outcome::Failed { reason }) => Some(reason.as_str()),
            _ => None,
        };
        let mut private = self.policy.private(eco, &key).map(str::to_owned);
        // A name the private registry has is internal, declared or not.
        let private_registry = record
            .as_ref()
            .and_then(|r| r.private.as_ref())
            .filter(|a| a.facts().is_some())
            .map(|a| a.registry.clone());
        if private.is_none()
            && let Some(url) = &private_registry
        {
            private = Some(format!("registry:{url}"));
        }
        let mut signals = Vec::new();
        let mut suggestions = Vec::new();
        let shown = format!("`{written}`");
        let eco_name = eco.display_name();

        if let Some(reason) = self.policy.denied(eco, &key) {
            signals.push(Signal::new(
                Code::Denied,
                Severity::Critical,
                format!("{shown} is denied by the configuration: {reason}"),
                json!({ "reason": reason }),
            ));
        }

        match &presence {
            Presence::Invalid { rule, reason } => signals.push(Signal::new(
                Code::InvalidName,
                Severity::Medium,
                format!("{shown} is not a valid {eco_name} name: {reason}"),
                json!({ "rule": rule, "reason": reason }),
            )),
            Presence::Absent | Presence::Unknown if private.is_some() => {}
            Presence::Absent => {
                suggestions = self.suggest(eco, &key);
                let did_you_mean = self.did_you_mean(&suggestions);
                let snapshot = snapshot_words(index);
                if only_imports {
                    let import = uses.iter().find_map(|u| u.import).unwrap_or(written);
                    signals.push(Signal::new(
                        Code::UnresolvedImport,
                        Severity::Medium,
                        format!(
                            "`import {import}` resolves to no package: {shown} does not exist on {eco_name}{did_you_mean}"
                        ),
                        json!({ "import": import, "snapshot": snapshot, "suggestions": names(&suggestions) }),
                    ));
                } else {
                    let asked = match (public, live_failure) {
                        (Some(Outcome::Missing), _) => " (asked live)".to_owned(),
                        (_, Some(reason)) => format!(" (the live lookup failed: {reason})"),
                        _ => String::new(),
                    };
                    signals.push(Signal::new(
                        Code::NotFound,
                        if in_install {
                            Severity::Critical
                        } else {
                            Severity::High
                        },
                        format!("{shown} does not exist on {eco_name}{asked}{did_you_mean}"),
                        json!({ "snapshot": snapshot, "install_command": in_install, "suggestions": names(&suggestions), "live": record.as_ref().map(|r| &r.public) }),
                    ));
                }
            }
            Presence::Unknown => {
                suggestions = self.suggest(eco, &key);
                let did_you_mean = self.did_you_mean(&suggestions);
                let cut = match &index.header().completeness {
                    Completeness::Partial { description, .. } => description.clone(),
                    Completeness::Complete => String::new(),
                };
                signals.push(Signal::new(
                    Code::Unknown,
                    Severity::Medium,
                    format!(
                        "{shown} is unknown: not among {cut} ({} snapshot); it may not exist, or be little used{did_you_mean}",
                        index.header().snapshot_date
                    ),
                    json!({ "snapshot": snapshot_words(index), "suggestions": names(&suggestions) }),
                ));
                self.typosquat(eco, &key, &shown, None, &mut signals, &mut suggestions);
            }
            Presence::LookupFailed { reason } => {
                suggestions = self.suggest(eco, &key);
                let did_you_mean = self.did_you_mean(&suggestions);
                let cut = match &index.header().completeness {
                    Completeness::Partial { description, .. } => description.clone(),
                    Completeness::Complete => String::new(),
                };
                signals.push(Signal::new(
                    Code::LookupFailed,
                    Severity::Medium,
                    format!(
                        "{shown} is unknown: not among {cut} ({} snapshot), and the registry could not be asked ({reason}){did_you_mean}",
                        index.header().snapshot_date
                    ),
                    json!({ "snapshot": snapshot_words(index), "reason": reason, "live": record.as_ref().map(|r| &r.public), "suggestions": names(&suggestions) }),
                ));
                self.typosquat(eco, &key, &shown, None, &mut signals, &mut suggestions);
            }
            Presence::Found(info) => {
                if private.is_some() {
                    let public_words = if live_only {
                        "asked live".to_owned()
                    } else {
                        popularity(index, info.popularity)
                    };
                    let message = match (&private_registry, self.policy.private(eco, &key)) {
                        (Some(url), None) => format!(
                            "{shown} is a package of the private registry {url}, and a package of that name exists on the public {eco_name} registry ({public_words})"
                        ),
                        _ => format!(
                            "{shown} is declared private (`{}`) but a package of that name exists on the public {eco_name} registry ({public_words})",
                            private.as_deref().unwrap_or_default()
                        ),
                    };
                    signals.push(Signal::new(
                        Code::DependencyConfusion,
                        Severity::High,
                        message,
                        json!({ "pattern": self.policy.private(eco, &key), "private_registry": private_registry, "public": info_json(index, info) }),
                    ));
                }
                if let Some(f) = live_facts {
                    self.live_status_signals(eco, &shown, f, &mut signals);
                }
                self.flag_signals(eco, &shown, info, private.is_some(), &mut signals);
                if private.is_none() {
                    self.typosquat(
                        eco,
                        &key,
                        &shown,
                        Some(info),
                        &mut signals,
                        &mut suggestions,
                    );
                }
                self.reputation_signals(index, &shown, info, live_facts, live_only, &mut signals);
            }
        }

        if !matches!(presence, Presence::Invalid { .. }) {
            self.overlay_signals(eco, &key, &shown, &presence, uses, &mut signals);
        }

        // The other registry: a name from the wrong ecosystem.
        if !matches!(presence, Presence::Found(_) | Presence::Invalid { .. }) && private.is_none() {
            let other = match eco {
                Ecosystem::PyPI => Ecosystem::Npm,
                Ecosystem::Npm => Ecosystem::PyPI,
            };
            if other.validate(written).is_ok() {
                let other_index = self.registry.snapshot(other);
                let other_key = other.normalize(written);
                if let Lookup::Found(info) = other_index.lookup(&other_key) {
                    let severity =
                        if matches!(presence, Presence::Unknown | Presence::LookupFailed { .. }) {
                            Severity::Medium
                        } else {
                            Severity::Info
                        };
                    signals.push(Signal::new(
                        Code::CrossEcosystem,
                        severity,
                        format!(
                            "{shown} is not a {eco_name} package but exists on {} ({}): a name from the other ecosystem",
                            other.display_name(),
                            popularity(other_index, info.popularity)
                        ),
                        json!({ "ecosystem": other.id(), "package": info_json(other_index, &info) }),
                    ));
                }
            }
        }

        let mut f = self.finish(eco, key, presence, signals, suggestions, private, uses);
        f.live = record;
        f.live_only = live_only;
        f
    }

    /// Whether `written` is a name to ask the registry about live: one the snapshot cannot
    /// settle (absent, unknown to a partial snapshot, little used and recent), or any name
    /// when a private registry is configured for its ecosystem (dependency confusion).
    pub fn wants_live(&self, eco: Ecosystem, written: &str) -> bool {
        if eco.validate(written).is_err() {
            return false;
        }
        let r = &self.policy.config.registries;
        let private = match eco {
            Ecosystem::PyPI => &r.private_pypi,
            Ecosystem::Npm => &r.private_npm,
        };
        if private.is_some() {
            return true;
        }
        let key = eco.normalize(written);
        let index = self.registry.snapshot(eco);
        match index.lookup(&key) {
            Lookup::Absent | Lookup::Unknown => true,
            Lookup::Found(info) if info.popular => false,
            Lookup::Found(info) => {
                let Some((y, m)) = info.release_month else {
                    return true;
                };
                let released = depproof_live::date::days(&format!("{y:04}-{m:02}"));
                let snapshot = depproof_live::date::days(&index.header().snapshot_date);
                let t = self.policy.thresholds();
                let recent = match (released, snapshot) {
                    // A month of slack: the snapshot knows months only.
                    (Some(r), Some(s)) => s - r <= i64::from(t.new_days) + 31,
                    _ => true,
                };
                let after_cutoff = t
                    .training_cutoff
                    .as_deref()
                    .and_then(depproof_live::date::days)
                    .zip(released)
                    .is_some_and(|(c, r)| r + 31 >= c);
                recent || after_cutoff
            }
        }
    }

    /// The registry's own verdicts on a package: quarantined, every release yanked.
    fn live_status_signals(
        &self,
        eco: Ecosystem,
        shown: &str,
        f: &PackageFacts,
        signals: &mut Vec<Signal>,
    ) {
        if f.status.as_deref() == Some("quarantined") {
            signals.push(Signal::new(
                Code::Quarantined,
                Severity::High,
                format!(
                    "{shown} is quarantined by {}: suspected malware, its files cannot be installed",
                    eco.display_name()
                ),
                json!({ "status": f.status }),
            ));
        }
        if f.all_yanked {
            signals.push(Signal::new(
                Code::Yanked,
                Severity::Medium,
                format!(
                    "{shown} has every release yanked ({} release{}): withdrawn by its maintainers",
                    f.releases,
                    if f.releases == 1 { "" } else { "s" }
                ),
                json!({ "releases": f.releases, "latest_version": f.latest_version }),
            ));
        }
    }

    fn flag_signals(
        &self,
        eco: Ecosystem,
        shown: &str,
        info: &PackageInfo,
        private: bool,
        signals: &mut Vec<Signal>,
    ) {
        let flags = info.flags;
        let version = &info.latest_version;
        let data = json!({ "latest_version": version, "flags": flags.names().collect::<Vec<_>>() });
        if flags.contains(Flags::SECURITY_HOLDING) {
            signals.push(Signal::new(
                Code::SecurityHolding,
                Severity::Critical,
                format!(
                    "{shown} was taken down for malware: {} holds it as a security placeholder ({version})",
                    eco.display_name()
                ),
                data.clone(),
            ));
        }
        if flags.contains(Flags::DEPENDENCY_CONFUSION) && !private {
            signals.push(Signal::new(
                Code::ReservedName,
                Severity::High,
                format!(
                    "{shown} is a public placeholder registered against dependency confusion: an internal package's name, not code to use"
                ),
                data.clone(),
            ));
        }
        if flags.contains(Flags::RESEARCH) {
            signals.push(Signal::new(
                Code::ResearchSquat,
                Severity::High,
                format!(
                    "{shown} was registered by researchers to catch people and models asking for this name by mistake"
                ),
                data.clone(),
            ));
        }
        // A much-used package that publishes `0.0.0` (a monorepo's private root, a
        // deprecated alias) is busy, not a stub.
        if flags.contains(Flags::PLACEHOLDER)
            && !established(info)
            && !flags.intersects(Flags::SECURITY_HOLDING | Flags::DEPENDENCY_CONFUSION)
        {
            signals.push(Signal::new(
                Code::Placeholder,
                Severity::Medium,
                format!("{shown} is a placeholder: its latest release ({version}) is empty or reserves the name"),
                data,
            ));
        }
    }

    fn reputation_signals(
        &self,
        index: &Index,
        shown: &str,
        info: &PackageInfo,
        live: Option<&PackageFacts>,
        live_only: bool,
        signals: &mut Vec<Signal>,
    ) {
        let t = self.policy.thresholds();
        let header = index.header();
        let first = live.and_then(|f| f.first_release.as_deref());
        let today = self.registry.live.map(|l| l.today.as_str());
        let age = first
            .and_then(depproof_live::date::days)
            .zip(today.and_then(depproof_live::date::days))
            .map(|(f, t)| t - f);
        let mut new = false;
        if let (Some(first), Some(age)) = (first, age) {
            if !info.popular && age <= i64::from(t.new_days) {
                new = true;
                let used = if live_only {
                    "not in the snapshot".to_owned()
                } else {
                    popularity(index, info.popularity)
                };
                signals.push(Signal::new(
                    Code::New,
                    Severity::Low,
                    format!(
                        "{shown} is new: first released {} ({age} day{} ago, within {} days), {used}",
                        &first[..first.len().min(10)],
                        if age == 1 { "" } else { "s" },
                        t.new_days
                    ),
                    json!({ "first_release": first, "age_days": age, "new_days": t.new_days, "live": true }),
                ));
            }
        } else if !info.popular
            && let (Some((y, m)), Some((sy, sm))) =
                (info.release_month, year_month(&header.snapshot_date))
        {
            let months = (i64::from(sy) * 12 + i64::from(sm)) - (i64::from(y) * 12 + i64::from(m));
            // The snapshot knows months only: an age counts whole months of 30 days.
            if months >= 0 && months * 30 <= i64::from(t.new_days) {
                signals.push(Signal::new(
                    Code::New,
                    Severity::Low,
                    format!(
                        "{shown} was released recently and is little used: latest release {} (within {} days of the {} snapshot), {}; a new package, or a new release of an old one",
                        info.release_month_str().unwrap_or_default(),
                        t.new_days,
                        header.snapshot_date,
                        popularity(index, info.popularity)
                    ),
                    json!({ "release_month": info.release_month_str(), "snapshot_date": header.snapshot_date, "new_days": t.new_days }),
                ));
            }
        }
        if let (Some(first), Some(cutoff)) = (first, t.training_cutoff.as_deref())
            && let (Some(f), Some(c)) = (
                depproof_live::date::days(first),
                depproof_live::date::days(cutoff),
            )
            && f > c
            && !info.popular
        {
            signals.push(Signal::new(
                Code::AfterCutoff,
                if new { Severity::High } else { Severity::Medium },
                format!(
                    "{shown} was first released {}, after the training cutoff {cutoff}: a model naming it cannot have known it",
                    &first[..first.len().min(10)]
                ),
                json!({ "first_release": first, "training_cutoff": cutoff }),
            ));
        }
        // Not in a partial snapshot that keeps every package above a download count: below it.
        if live_only
            && let Completeness::Partial {
                min_downloads: cut, ..
            } = &index.header().completeness
            && *cut > 0
            && *cut <= u64::from(t.min_monthly_downloads)
        {
            signals.push(Signal::new(
                Code::Unpopular,
                Severity::Low,
                format!(
                    "{shown} is little used: not in the {} snapshot, which holds every package with at least {} downloads a month",
                    index.ecosystem().display_name(),
                    thousands(*cut)
                ),
                json!({ "popularity": { "downloads_a_month_below": cut } }),
            ));
        }
        let unpopular = match info.popularity {
            Popularity::MonthlyDownloads(d) => (d < t.min_monthly_downloads)
                .then(|| format!("fewer than {}", thousands(t.min_monthly_downloads.into()))),
            Popularity::Rank(r) => t
                .pypi_max_rank
                .filter(|max| r > *max)
                .map(|max| format!("below rank {}", thousands(max.into()))),
            Popularity::Unranked => t
                .pypi_max_rank
                .map(|max| format!("below rank {}", thousands(max.into()))),
            Popularity::Unknown => None,
        };
        if let Some(threshold) = unpopular {
            signals.push(Signal::new(
                Code::Unpopular,
                Severity::Low,
                format!(
                    "{shown} is little used: {} ({threshold})",
                    popularity(index, info.popularity)
                ),
                json!({ "popularity": info_json(index, info)["popularity"] }),
            ));
        }
    }

    fn suggest(&self, eco: Ecosystem, key: &str) -> Vec<Suggestion> {
        self.registry.snapshot(eco).suggest(key, MAX_SUGGESTIONS)
    }

    fn did_you_mean(&self, suggestions: &[Suggestion]) -> String {
        let Some(first) = suggestions.first() else {
            return String::new();
        };
        match popularity_short(first.info.popularity) {
            Some(p) => format!("; did you mean `{}` ({p})?", first.info.name),
            None => format!("; did you mean `{}`?", first.info.name),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        eco: Ecosystem,
        key: String,
        presence: Presence,
        signals: Vec<Signal>,
        suggestions: Vec<Suggestion>,
        private: Option<String>,
        uses: &[Use],
    ) -> Finding {
        let allowance = self.policy.allowance(eco, &key);
        let mut active: Vec<(Level, Signal)> = Vec::new();
        let mut suppressed = Vec::new();
        for s in signals {
            let level = self.policy.level(s.code, s.severity);
            if level == Level::Off {
                continue;
            }
            if let Some(a) = &allowance
                && a.signals.is_none_or(|list| list.contains(&s.code))
            {
                suppressed.push(Suppressed {
                    signal: s,
                    by: SuppressedBy::Allowed(a.reason.to_owned()),
                });
                continue;
            }
            if let Some(at) = inline_suppression(uses, s.code) {
                suppressed.push(Suppressed {
                    signal: s,
                    by: SuppressedBy::Inline(at),
                });
                continue;
            }
            active.push((level, s));
        }
        active.sort_by(|(la, a), (lb, b)| {
            (lb, b.severity)
                .cmp(&(la, a.severity))
                .then(a.code.cmp(&b.code))
        });
        let verdict = active
            .iter()
            .map(|(l, _)| match l {
                Level::Block => Verdict::Block,
                Level::Warn => Verdict::Warn,
                Level::Info | Level::Off => Verdict::Ok,
            })
            .max()
            .unwrap_or(Verdict::Ok);
        Finding {
            ecosystem: eco,
            name: key,
            presence,
            signals: active.into_iter().map(|(_, s)| s).collect(),
            suppressed,
            verdict,
            suggestions,
            private,
            references: Vec::new(),
            live: None,
            live_only: false,
        }
    }
}

/// The places of the comments suppressing `code`, if every use is covered by one.
fn inline_suppression(uses: &[Use], code: Code) -> Option<Vec<String>> {
    if uses.is_empty() {
        return None;
    }
    let mut at = Vec::new();
    for u in uses {
        let covered = match u.suppression? {
            Suppression::All => true,
            Suppression::Codes(codes) => codes.iter().any(|c| Code::parse(c) == Some(code)),
        };
        if !covered {
            return None;
        }
        if let Some((path, line)) = u.place {
            at.push(format!("{path}:{line}"));
        }
    }
    at.dedup();
    Some(at)
}

fn use_of(r: &Reference) -> Use<'_> {
    Use {
        kind: Some(r.kind),
        suppression: r.suppression.as_ref(),
        place: Some((&r.location.path, r.location.line)),
        import: r.via.as_ref().map(|v| v.import.as_str()),
        version: r.version.as_deref(),
    }
}

/// The exact version a requirement pins, if it pins one (`==1.2.3`, `1.2.3`, `=1.2.3`,
/// `v1.2.3`); ranges, wildcards and tags pin none.
pub fn exact_version(eco: Ecosystem, req: &str) -> Option<&str> {
    let r = req.trim();
    let r = match eco {
        Ecosystem::PyPI => r
            .strip_prefix("===")
            .or_else(|| r.strip_prefix("=="))
            .unwrap_or(r),
        Ecosystem::Npm => {
            let r = r.strip_prefix('=').unwrap_or(r);
            r.strip_prefix('v').unwrap_or(r)
        }
    }
    .trim();
    // `; python_version...` markers follow some pins.
    let r = r.split(';').next().unwrap_or("").trim();
    let plain = !r.is_empty()
        && r.starts_with(|c: char| c.is_ascii_digit())
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '!'));
    plain.then_some(r)
}

/// Blocking first, then warnings, then by ecosystem and name: deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings
        .sort_by(|a, b| (b.verdict, a.ecosystem, &a.name).cmp(&(a.verdict, b.ecosystem, &b.name)));
}

/// What the snapshot would hold for a package known only from a live answer.
pub fn live_info(f: &PackageFacts) -> PackageInfo {
    let latest = f.latest_version.clone().unwrap_or_default();
    let mut flags = depproof_registry::flags::derive(&latest, "");
    if f.security_holding {
        flags.insert(Flags::SECURITY_HOLDING);
    }
    PackageInfo {
        name: f.name.clone(),
        latest_version: latest,
        release_month: f
            .latest_release
            .as_deref()
            .and_then(|d| Some((d.get(0..4)?.parse().ok()?, d.get(5..7)?.parse().ok()?))),
        popularity: Popularity::Unknown,
        popular: false,
        flags,
    }
}

/// Popular, or downloaded often enough that a placeholder-looking release is deliberate.
fn established(info: &PackageInfo) -> bool {
    info.popular || matches!(info.popularity, Popularity::MonthlyDownloads(d) if d >= 10_000)
}

fn year_month(date: &str) -> Option<(u16, u8)> {
    let y = date.get(0..4)?.parse().ok()?;
    let m = date.get(5..7)?.parse().ok()?;
    Some((y, m))
}

fn names(s: &[Suggestion]) -> Vec<&str> {
    s.iter().map(|s| s.info.name.as_str()).collect()
}

fn snapshot_words(index: &Index) -> Value {
    let h = index.header();
    json!({
        "date": h.snapshot_date,
        "complete": h.completeness.is_complete(),
        "names": h.name_count,
    })
}

/// What the snapshot knows of a package, as JSON.
pub fn info_json(index: &Index, info: &PackageInfo) -> Value {
    let popularity = match info.popularity {
        Popularity::Rank(r) => {
            json!({ "rank": r, "ranked_among": index.header().popular_threshold })
        }
        Popularity::Unranked => {
            json!({ "rank": null, "ranked_among": index.header().popular_threshold })
        }
        Popularity::MonthlyDownloads(d) => json!({ "downloads_a_month": d }),
        Popularity::Unknown => Value::Null,
    };
    json!({
        "name": info.name,
        "latest_version": info.latest_version,
        "release_month": info.release_month_str(),
        "popularity": popularity,
        "popular": info.popular,
        "flags": info.flags.names().collect::<Vec<_>>(),
    })
}
