//! The decision about one package: the assessment (the same verdicts and signals as
//! `depproof check`), the policy's `fail-on`, and the overrides.

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;

use depproof_assess::{Assessor, FailOn, Finding, Use, Verdict};
use depproof_extract::Kind;
use depproof_live::LiveFacts;
use depproof_registry::Ecosystem;

/// What happens to the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// It may be installed.
    Allow,
    /// It may be installed; the warning is shown.
    Warn,
    /// It is refused.
    Refuse,
}

impl Action {
    /// Lowercase identifier, as in the audit log.
    pub fn id(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Refuse => "refuse",
        }
    }
}

/// Why a package the policy refuses goes ahead anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Override {
    /// `--yes`: every package.
    Yes,
    /// `--allow NAME`.
    Allow,
    /// The assessment could not answer and failing open is configured.
    FailOpen,
}

impl Override {
    /// How the override was given.
    pub fn words(self) -> &'static str {
        match self {
            Override::Yes => "--yes",
            Override::Allow => "--allow",
            Override::FailOpen => "fail-open",
        }
    }
}

/// The decision about one package.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Its registry.
    pub ecosystem: Ecosystem,
    /// The name as requested.
    pub name: String,
    /// The assessment, or why there is none.
    pub finding: Result<Finding, String>,
    /// What happens.
    pub action: Action,
    /// Set when the policy refuses the package and an override lets it through.
    pub overridden: Option<Override>,
}

impl Decision {
    /// The verdict (`None` when the assessment could not answer).
    pub fn verdict(&self) -> Option<Verdict> {
        self.finding.as_ref().ok().map(|f| f.verdict)
    }

    /// The codes of the signals that count (`DP101`…).
    pub fn signal_codes(&self) -> Vec<&'static str> {
        match &self.finding {
            Ok(f) => f.signals.iter().map(|s| s.code.id()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// One line for a person: the package, the verdict, why, and what was probably meant.
    pub fn reason(&self, judge: &Judge) -> String {
        let eco = self.ecosystem.display_name();
        let f = match &self.finding {
            Err(e) => return format!("{} ({eco}): not assessed: {e}", self.name),
            Ok(f) => f,
        };
        let mut line = format!(
            "{} ({eco}): {}: {}",
            self.name,
            f.verdict,
            f.summary(judge.assessor.registry())
        );
        let codes = self.signal_codes();
        if !codes.is_empty() {
            line.push_str(&format!(" [{}]", codes.join(", ")));
        }
        if !f.suggestions.is_empty() && !line.contains("did you mean") {
            let names: Vec<&str> = f
                .suggestions
                .iter()
                .take(3)
                .map(|s| s.info.name.as_str())
                .collect();
            line.push_str(&format!("; did you mean: {}?", names.join(", ")));
        }
        line
    }
}

/// Decides about packages under a policy.
pub struct Judge<'a> {
    assessor: &'a Assessor<'a>,
    fail_on: FailOn,
    yes: bool,
    allow: BTreeSet<String>,
    fail_open: bool,
}

impl<'a> Judge<'a> {
    /// A judge: packages whose verdict `fail_on` fails are refused.
    pub fn new(assessor: &'a Assessor<'a>, fail_on: FailOn) -> Judge<'a> {
        Judge {
            assessor,
            fail_on,
            yes: false,
            allow: BTreeSet::new(),
            fail_open: false,
        }
    }

    /// Lets every package through (`--yes`); each override is still reported.
    pub fn yes(mut self, yes: bool) -> Self {
        self.yes = yes;
        self
    }

    /// Lets these names through in any ecosystem (`--allow NAME`).
    pub fn allow<I: IntoIterator<Item = String>>(mut self, names: I) -> Self {
        self.allow.extend(names);
        self
    }

    /// When the assessment cannot answer, let the package through instead of refusing it.
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        self.fail_open = fail_open;
        self
    }

    /// The assessor.
    pub fn assessor(&self) -> &Assessor<'a> {
        self.assessor
    }

    fn allowed(&self, eco: Ecosystem, name: &str) -> bool {
        let key = eco.normalize(name);
        self.allow.iter().any(|a| eco.normalize(a) == key)
    }

    /// Assesses one package: the one place an answer about a package comes from.
    ///
    /// An `Err` is an assessment that could not answer; the offline snapshots always
    /// answer, so today that is only an internal failure.
    /// With `live`, the registries' answers asked for this package are consulted too.
    pub fn assess(
        &self,
        eco: Ecosystem,
        name: &str,
        version: Option<&str>,
        live: Option<&LiveFacts>,
    ) -> Result<Finding, String> {
        let uses = [Use {
            kind: Some(Kind::InstallCommand),
            version,
            ..Use::ASKED
        }];
        std::panic::catch_unwind(AssertUnwindSafe(|| match live {
            Some(l) => self.assessor.with_live(l).assess(eco, name, &uses),
            None => self.assessor.assess(eco, name, &uses),
        }))
        .map_err(|_| "the assessment failed on this name".to_owned())
    }

    /// Decides about one package.
    pub fn decide(&self, eco: Ecosystem, name: &str, version: Option<&str>) -> Decision {
        self.decide_with(eco, name, version, None)
    }

    /// Decides about one package, consulting the live answers `live` as well.
    pub fn decide_with(
        &self,
        eco: Ecosystem,
        name: &str,
        version: Option<&str>,
        live: Option<&LiveFacts>,
    ) -> Decision {
        let finding = self.assess(eco, name, version, live);
        let (refused, warned) = match &finding {
            Ok(f) => (self.fail_on.fails(f.verdict), f.verdict >= Verdict::Warn),
            Err(_) => (!self.fail_open, false),
        };
        let (action, overridden) = if finding.is_err() && self.fail_open {
            (Action::Warn, Some(Override::FailOpen))
        } else if refused && self.allowed(eco, name) {
            (Action::Warn, Some(Override::Allow))
        } else if refused && self.yes {
            (Action::Warn, Some(Override::Yes))
        } else if refused {
            (Action::Refuse, None)
        } else if warned {
            (Action::Warn, None)
        } else {
            (Action::Allow, None)
        };
        Decision {
            ecosystem: eco,
            name: name.to_owned(),
            finding,
            action,
            overridden,
        }
    }
}
