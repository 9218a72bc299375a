//! From an answer to the package names it refers to, with what the registry says about
//! each: install commands and imports through depproof's extraction engine, package
//! lists through [`crate::parse`], verdicts through the assessment.

use std::sync::Arc;

use depproof_assess::{Assessor, Presence, Use};
use depproof_extract::javascript::{SpecifierTarget, package_of_specifier};
use depproof_extract::resolve::python::stdlib_info;
use depproof_extract::scan::{SourceKind, Target, scan_bytes};
use depproof_extract::{Kind, javascript::JsDialect};
use depproof_registry::Ecosystem;
use serde::Serialize;

use crate::config::{Heuristic, Language};

/// What the registry says about a name, as the study counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// On the registry, with nothing suspicious about it.
    Exists,
    /// On the registry, but looks registered to catch the invented name: a placeholder,
    /// a security holding, a research squat, a brand-new package, a name known as a
    /// hallucination or as malicious (the slopsquatting signal).
    Squatted,
    /// Absent from a complete snapshot: invented.
    Absent,
    /// Absent from a partial snapshot: invented, or too obscure for the snapshot.
    Unknown,
}

impl Status {
    /// Not on the registry (invented), as the paper counts it.
    pub fn invented(self) -> bool {
        self == Status::Absent
    }
}

/// One package an answer refers to (deduplicated within the answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameRef {
    /// Its registry.
    pub ecosystem: Ecosystem,
    /// The name, normalized for the registry.
    pub name: String,
    /// What the registry says.
    pub status: Status,
    /// The signal codes raised (`DP001`…).
    pub signals: Vec<String>,
}

/// The packages answer `answer` refers to under `heuristic`.
pub fn references(
    answer: &str,
    heuristic: Heuristic,
    language: Language,
    assessor: &Assessor,
) -> Vec<NameRef> {
    let mut written: Vec<(Ecosystem, String, Kind)> = Vec::new();
    match heuristic {
        Heuristic::Install | Heuristic::Imports => {
            let kind = if heuristic == Heuristic::Install {
                Kind::InstallCommand
            } else {
                Kind::Import
            };
            for (eco, name) in scanned(answer, language, kind, assessor) {
                written.push((eco, name, kind));
            }
        }
        Heuristic::CodePackages | Heuristic::PromptPackages => {
            let eco = language.ecosystem();
            for name in crate::parse::package_list(answer, eco) {
                if is_builtin(&name, language) {
                    continue;
                }
                written.push((eco, name, Kind::ListedByModel));
            }
        }
    }
    let mut out: Vec<NameRef> = Vec::new();
    for (eco, name, kind) in written {
        let key = eco.normalize(&name).into_owned();
        if out.iter().any(|r| r.ecosystem == eco && r.name == key) {
            continue;
        }
        let uses = [Use {
            kind: Some(kind),
            ..Use::ASKED
        }];
        let f = assessor.assess(eco, &name, &uses);
        let signals: Vec<String> = f.signals.iter().map(|s| s.code.id().to_owned()).collect();
        let status = match f.presence {
            Presence::Found(_) => {
                use depproof_assess::Code;
                let squat = f.signals.iter().any(|s| {
                    matches!(
                        s.code,
                        Code::Placeholder
                            | Code::SecurityHolding
                            | Code::ResearchSquat
                            | Code::New
                            | Code::AfterCutoff
                            | Code::Quarantined
                            | Code::KnownHallucination
                            | Code::KnownMalicious
                    )
                });
                if squat {
                    Status::Squatted
                } else {
                    Status::Exists
                }
            }
            Presence::Absent => Status::Absent,
            // A failed live lookup settles nothing: counted with the names a partial
            // snapshot does not know.
            Presence::Unknown | Presence::LookupFailed { .. } => Status::Unknown,
            // Not a name the registry could hold: not a package reference.
            Presence::Invalid { .. } => continue,
        };
        out.push(NameRef {
            ecosystem: eco,
            name: key,
            status,
            signals,
        });
    }
    out
}

/// Whether a listed name is the language's own (standard library, Node built-in).
fn is_builtin(name: &str, language: Language) -> bool {
    match language {
        Language::Python => stdlib_info(name).is_some(),
        Language::JavaScript => {
            matches!(package_of_specifier(name), SpecifierTarget::NodeBuiltin(_))
        }
    }
}

/// Package names of install commands or imports in an answer. Answers are read as
/// Markdown; an answer with no code fence is also read as code of its language, since
/// models asked for "only the code" often send it bare.
fn scanned(
    answer: &str,
    language: Language,
    kind: Kind,
    assessor: &Assessor,
) -> Vec<(Ecosystem, String)> {
    let pypi = assessor.registry().pypi;
    let mut results = vec![scan_bytes(
        Arc::from("answer"),
        answer.as_bytes(),
        SourceKind::Markdown,
        pypi,
    )];
    if !answer.contains("```") && kind == Kind::Import {
        let source = match language {
            Language::Python => SourceKind::Python,
            Language::JavaScript => SourceKind::JavaScript(JsDialect::Js),
        };
        results.push(scan_bytes(
            Arc::from("answer"),
            answer.as_bytes(),
            source,
            pypi,
        ));
    }
    let mut out = Vec::new();
    for r in results {
        for reference in r.references {
            if reference.kind != kind {
                continue;
            }
            if let Target::Package { ecosystem, name } = reference.target
                && !out.iter().any(|(e, n)| *e == ecosystem && *n == name)
            {
                out.push((ecosystem, name));
            }
        }
    }
    out
}
