//! Signals: the facts about a referenced package that matter for installing it. Each has
//! a stable code (`DP001`) and name (`not-found`); both are accepted wherever a user names
//! a signal (configuration, suppression comments). Codes never change meaning; retired
//! codes are not reused.

use std::fmt;

use serde::Serialize;

/// How much a signal weighs. The policy turns severities into verdicts: by default
/// critical and high block, medium and low warn, info is shown only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Context only.
    Info,
    /// Worth a look.
    Low,
    /// Likely a mistake or a risk.
    Medium,
    /// Should not be installed as it is.
    High,
    /// Installing it is the attack.
    Critical,
}

impl Severity {
    /// Lowercase identifier.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The documentation of a signal.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    /// One line.
    pub title: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to resolve it.
    pub fix: &'static str,
    /// The default severity, or how it is chosen.
    pub severity: &'static str,
    /// What to do, in one short sentence (shown with each finding).
    pub action: &'static str,
}

macro_rules! codes {
    ($($variant:ident = $id:literal, $name:literal, $doc:expr;)*) => {
        /// A signal's stable identity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $(#[doc = $name] $variant,)* }

        impl Code {
            /// Every code, in code order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code: `DP001`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// The name: `not-found`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// Its documentation.
            pub fn doc(self) -> &'static Doc {
                match self { $(Code::$variant => &$doc,)* }
            }
        }
    };
}

codes! {
    NotFound = "DP001", "not-found", Doc {
        title: "The package does not exist on its registry",
        meaning: "The name is absent from a complete snapshot of the registry (every PyPI project \
            at the snapshot date). It was named where a package gets installed: an install \
            command, a manifest, a lockfile, a model's list of packages, or `depproof check`.",
        why: "Language models invent package names, and attackers register the invented names \
            (slopsquatting). Until someone does, installing fails; after, it runs the \
            attacker's code. A name that does not exist is either a typo, an invention, or an \
            internal package that must not be looked up on the public registry.",
        fix: "Use the package you meant (the finding suggests the nearest real names). If the \
            name is an internal package, declare it under `[private]` in depproof.toml so that \
            depproof checks it for dependency confusion instead. If the package was published \
            after the snapshot date, refresh the snapshot.",
        severity: "critical in an install command (installing it is the attack); high elsewhere",
        action: "Do not install it: use the real package you meant, or declare an internal name under [private].",
    };
    UnresolvedImport = "DP002", "unresolved-import", Doc {
        title: "An import that no package provides",
        meaning: "Code imports a module that is not in the standard library, not part of the \
            scanned project, not in the table of import names whose package differs, and no \
            package of that name exists.",
        why: "A model that invents a package usually imports it too; the next step is \
            `pip install` of the import name. It may also be a module of the project that \
            depproof did not see (scanned a subfolder, generated code).",
        fix: "Find which package provides the module (its documentation says what to install) \
            or remove the import. If it is a module of your own, scan from the project root, \
            or suppress with `# depproof: ignore[unresolved-import]`.",
        severity: "medium",
        action: "Find the package that provides this module in its documentation, or remove the import.",
    };
    Unknown = "DP003", "unknown", Doc {
        title: "Not in a partial snapshot: may not exist, or be obscure",
        meaning: "The snapshot of this registry holds only part of it (npm: packages with at \
            least 480 downloads a month), and the name is not in it. depproof cannot say \
            whether it exists; it says what it knows (a look-alike of a popular package, a \
            name from the other registry, a known hallucination).",
        why: "Either the package does not exist (an invention or a typo) or it is so little \
            used that it deserves a look before it runs on your machine.",
        fix: "Check the package on the registry (`npm view NAME`): who publishes it, since \
            when, how many downloads. Allow it in depproof.toml with a reason once checked.",
        severity: "medium",
        action: "Check it on the registry (publisher, age, downloads) before installing; allow it with a reason once checked.",
    };
    InvalidName = "DP004", "invalid-name", Doc {
        title: "Not a valid name on its registry",
        meaning: "The name breaks the registry's naming rules (PEP 508 for PyPI, npm's \
            validate-npm-package-name rules), so no package can have it.",
        why: "The installer will refuse it, or the text was not meant as a package name: a \
            garbled or invented reference.",
        fix: "Correct the name. If depproof read something that is not a package name, report \
            it as a bug.",
        severity: "medium",
        action: "Correct the name.",
    };
    LookupFailed = "DP005", "lookup-failed", Doc {
        title: "Unknown: the registry could not be asked",
        meaning: "The snapshot could not settle the name (it is not in a partial snapshot), \
            and the live lookup (`--live`) failed: the registry was down, slow, refused with \
            an error or a rate limit, or sent an answer that could not be read. The reason is \
            part of the message.",
        why: "A failed lookup says nothing about the package: it is unknown, never taken as \
            existing, and never as safe.",
        fix: "Run again when the registry answers (answers are cached, so only the failed \
            names are asked again), point `--npm-url` / `--pypi-url` at a mirror that works, \
            or check the package by hand.",
        severity: "medium",
        action: "Check it on the registry by hand, or run again when the registry answers.",
    };
    Typosquat = "DP101", "typosquat", Doc {
        title: "Looks like a popular package but is not it",
        meaning: "The name is a close variant of a far more popular package: a typo-like edit, \
            swapped or doubled letters, other separators, an added affix such as `python-` or \
            `-js`, reordered words, look-alike characters, or another npm scope.",
        why: "Typosquatting is the oldest registry attack: malicious packages are published \
            under names one slip away from popular ones. Names that are themselves popular or \
            long established are not flagged for resembling another.",
        fix: "If you meant the popular package, use its name. If you really want this one, \
            check who publishes it and allow it in depproof.toml with a reason.",
        severity: "high for a strong resemblance to a much more popular package; medium otherwise",
        action: "Use the popular package if that is what you meant; otherwise check this one's publisher before installing.",
    };
    CrossEcosystem = "DP102", "cross-ecosystem", Doc {
        title: "The name belongs to the other registry",
        meaning: "The package is named in a PyPI context (pip, a Python import, a Python \
            manifest) but exists only on npm, or the reverse.",
        why: "Models mix ecosystems: in the largest study 8.7% of invented Python names were \
            real npm packages. An attacker can register the name on the registry where it is \
            missing.",
        fix: "Use the package of the right ecosystem; the other registry's package will not \
            work here.",
        severity: "medium when the name is unknown to a partial snapshot; info next to `not-found`",
        action: "Use a package of the right ecosystem.",
    };
    New = "DP103", "new", Doc {
        title: "Released recently and not popular",
        meaning: "The latest release is within the configured number of days of the snapshot \
            (`thresholds.new-days`, default 90) and the package is not among the popular \
            names. The snapshot records only the month of the latest release, so ages count \
            whole months of 30 days, and a fresh release of an old package also counts. With \
            live answers (`--live`) the age is that of the package's first release, to the \
            day of the run.",
        why: "Squats of invented and mistyped names are registered after the models invent \
            them, so they are new and little used; a young unpopular package deserves a look \
            before it is trusted.",
        fix: "Check the publisher, the source repository and the release history. Allow the \
            package with a reason once checked, or raise or lower `new-days`.",
        severity: "low",
        action: "Check the publisher, source repository and release history before trusting it.",
    };
    Unpopular = "DP104", "unpopular", Doc {
        title: "Few downloads",
        meaning: "The package has fewer downloads a month than `thresholds.min-monthly-downloads` \
            (default 1,000; npm), or ranks below `thresholds.pypi-max-rank` on PyPI when that is \
            set (the PyPI snapshot ranks only the 15,000 most downloaded projects, so this is \
            off by default).",
        why: "Little-used packages get little scrutiny; most malicious packages never reach \
            many downloads.",
        fix: "Check the package before relying on it; allow it with a reason, or change the \
            thresholds.",
        severity: "low",
        action: "Check the package before relying on it.",
    };
    AfterCutoff = "DP105", "after-cutoff", Doc {
        title: "First released after the training cutoff",
        meaning: "The registry (asked live) says the package's first release is later than \
            `thresholds.training-cutoff` (or `--training-cutoff`), for example the training \
            cutoff of the model whose code or answer is checked.",
        why: "A model cannot have learnt of a package published after its training data was \
            collected. When it names one anyway, it invented the name, and someone registered \
            it since: the pattern of a slopsquat.",
        fix: "Find the package you need from its documentation instead of the model's answer; \
            if this really is the package you want, check its publisher and source, then allow \
            it with a reason.",
        severity: "medium; high when the package is also new (`new`)",
        action: "Do not trust a model's name for a package newer than the model: check publisher and source first.",
    };
    Placeholder = "DP201", "placeholder", Doc {
        title: "An empty or name-reserving release",
        meaning: "The latest release is a placeholder: version `0.0.0`, or a summary saying the \
            name is reserved or coming soon.",
        why: "A placeholder has no code you can use; a name reserved by someone else may later \
            ship anything. Popular packages that happen to publish `0.0.0` are not flagged.",
        fix: "Use the real package you meant; if the placeholder is your own reservation, \
            declare the name private or allow it.",
        severity: "medium",
        action: "Use the real package you meant; a placeholder has no code.",
    };
    SecurityHolding = "DP202", "security-holding", Doc {
        title: "Taken down for malware",
        meaning: "npm replaced the package with a security holding package (`0.0.1-security`) \
            after removing malicious code from it.",
        why: "The name was used for malware. Any reference to it comes from old advice, a \
            compromised project, or a model that learned the malicious name.",
        fix: "Remove the reference and check the machines where an older version was \
            installed. Find the package that was meant (often a popular look-alike).",
        severity: "critical",
        action: "Remove it and check machines where an older version was installed.",
    };
    ReservedName = "DP203", "reserved-name", Doc {
        title: "Registered against dependency confusion",
        meaning: "The public package says it exists to prevent (or to demonstrate) dependency \
            confusion: an organization reserved the name of an internal package.",
        why: "It is not code you can use. If you expected a package with this name, it is an \
            internal one, and your installer is looking in the wrong place.",
        fix: "If it is your organization's internal package, declare it under `[private]` in \
            depproof.toml and install it from your own index; otherwise remove it.",
        severity: "high",
        action: "Install internal packages from your own index and declare the name under [private].",
    };
    ResearchSquat = "DP204", "research-squat", Doc {
        title: "Registered by researchers",
        meaning: "The package says it was registered to measure typosquatting or slopsquatting: \
            someone claimed the name because people (or models) ask for it by mistake.",
        why: "It proves the name is a known mistake. Research packages often report back who \
            installed them.",
        fix: "Use the package you meant.",
        severity: "high",
        action: "Use the package you meant; this name is a known mistake.",
    };
    Quarantined = "DP205", "quarantined", Doc {
        title: "Quarantined by the registry",
        meaning: "The registry (asked live) declares the project quarantined (PEP 792 project \
            status): its administrators suspect it of malware and its files cannot be \
            installed while they investigate.",
        why: "Quarantine is how PyPI takes a reported package out of reach; a reference to it \
            comes from old advice, a compromised project, or a model that learnt the name.",
        fix: "Remove the reference and check the machines where it was installed.",
        severity: "high",
        action: "Remove it and check machines where it was installed.",
    };
    Yanked = "DP206", "yanked", Doc {
        title: "Every release yanked",
        meaning: "The registry (asked live) lists releases of the package, but every file of \
            every release is yanked: installers skip them unless pinned exactly.",
        why: "A maintainer yanks releases that are broken or should not be used; when all of \
            them are, the package is withdrawn in all but name.",
        fix: "Use a maintained package instead, or pin a release knowingly and allow it with a \
            reason.",
        severity: "medium",
        action: "Use a maintained package instead.",
    };
    KnownMalicious = "DP301", "known-malicious", Doc {
        title: "Reported as malicious",
        meaning: "An OSV record imported with `depproof index import-osv` (from the OpenSSF \
            malicious-packages project or osv.dev) says this package, in all or some versions, \
            is malicious.",
        why: "Installing it runs code written to harm: stealing credentials, tokens and keys, \
            or installing a backdoor.",
        fix: "Remove it. If it was installed, treat the machine and its secrets as compromised. \
            The finding names the OSV record.",
        severity: "critical",
        action: "Remove it; if it was installed, treat the machine and its secrets as compromised.",
    };
    KnownHallucination = "DP302", "known-hallucination", Doc {
        title: "A name language models are known to invent",
        meaning: "The name is in the overlay of names recorded as invented by models (imported \
            with `depproof index import-hallucinations`, or from study runs).",
        why: "A name models keep inventing is a target: attackers register exactly these. If \
            it exists now, someone registered a name that used to be an invention.",
        fix: "Do not take the name from a model's answer: find the package you need from its \
            documentation. If it exists, check who registered it and when.",
        severity: "high when the package exists and is not popular; medium otherwise",
        action: "Do not take this name from a model's answer: find the package you need in its documentation.",
    };
    DependencyConfusion = "DP401", "dependency-confusion", Doc {
        title: "An internal name that exists on the public registry",
        meaning: "The name is declared private in depproof.toml (a name, a prefix such as \
            `acme-*`, or an npm scope such as `@acme/*`), and a package of that name exists on \
            the public registry.",
        why: "Installers that consult both a private and the public index may pick the public \
            package (dependency confusion): anyone can publish under an unclaimed internal name.",
        fix: "Make the installer use only your index for internal names (pip \
            `--index-url`, not `--extra-index-url`; an npm scope bound to your registry), and \
            claim the public name. If the public package is yours, allow it with a reason.",
        severity: "high",
        action: "Install internal names only from your own index, and claim the public name.",
    };
    Denied = "DP402", "denied", Doc {
        title: "On the deny list",
        meaning: "depproof.toml denies this package, with a reason.",
        why: "Your team decided it must not be used.",
        fix: "Follow the reason given in the configuration.",
        severity: "critical",
        action: "Follow the reason given in the configuration.",
    };
}

impl Code {
    /// The code named by `s`: a code (`DP101`) or a name (`typosquat`), any case.
    pub fn parse(s: &str) -> Option<Code> {
        let s = s.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.id().eq_ignore_ascii_case(s) || c.name().eq_ignore_ascii_case(s))
    }

    /// The documentation as Markdown (a section of docs/signals.md).
    pub fn markdown(self) -> String {
        let d = self.doc();
        format!(
            "## {} `{}`: {}\n\n{}\n\n**Why it matters.** {}\n\n**What to do.** {}\n\n\
             **Severity.** {}.\n\n**Suppress.** `# depproof: ignore[{}]` (or `//`, `<!-- -->`) \
             on the line or the line above; `[[allow]]` in depproof.toml with \
             `signals = [\"{}\"]`; `[signals] {} = \"off\"` to turn it off.\n",
            self.id(),
            self.name(),
            d.title,
            squash(d.meaning),
            squash(d.why),
            squash(d.fix),
            d.severity,
            self.id(),
            self.name(),
            self.name(),
        )
    }
}

/// The source text is wrapped for the code; documents want one line per paragraph.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// One signal raised on a package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    /// Which signal.
    pub code: Code,
    /// How much it weighs here.
    pub severity: Severity,
    /// One sentence a user understands.
    pub message: String,
    /// The facts behind it, for tools.
    pub data: serde_json::Value,
}

impl Signal {
    /// A signal with its message and data.
    pub fn new(
        code: Code,
        severity: Severity,
        message: impl Into<String>,
        data: serde_json::Value,
    ) -> Signal {
        Signal {
            code,
            severity,
            message: message.into(),
            data,
        }
    }
}

/// The whole signal reference as Markdown: the content of docs/signals.md.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Signals\n\n\
         Every signal depproof raises, by code. Codes are stable: a code keeps its meaning, and \
         retired codes are not reused. Configuration and suppression comments accept the code \
         (`DP101`) or the name (`typosquat`). This file is generated from the source \
         (`depproof explain --all`); a test keeps them equal.\n\n\
         | code | name | title |\n|---|---|---|\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            c.id(),
            c.name(),
            c.doc().title
        ));
    }
    for c in Code::ALL {
        out.push('\n');
        out.push_str(&c.markdown());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_parse_back() {
        let mut ids: Vec<&str> = Code::ALL.iter().map(|c| c.id()).collect();
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        ids.sort();
        ids.dedup();
        names.sort();
        names.dedup();
        assert_eq!(ids.len(), Code::ALL.len());
        assert_eq!(names.len(), Code::ALL.len());
        for c in Code::ALL {
            assert_eq!(Code::parse(c.id()), Some(*c));
            assert_eq!(Code::parse(&c.name().to_uppercase()), Some(*c));
        }
        assert_eq!(Code::parse("DP999"), None);
        assert_eq!(Code::parse("typo-squat"), None);
    }
}
