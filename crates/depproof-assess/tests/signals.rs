//! Every signal on real names of the embedded snapshots, both ways: raised where it
//! should be, quiet where it should not.

use std::path::Path;

use depproof_assess::{
    Assessor, Code, Finding, Policy, Presence, Registry, Severity, Use, Verdict,
};
use depproof_extract::Kind;
use depproof_registry::{Ecosystem, Index, embedded};

struct Snaps {
    pypi: Index,
    npm: Index,
}

fn snaps() -> Snaps {
    Snaps {
        pypi: embedded::open(Ecosystem::PyPI).unwrap(),
        npm: embedded::open(Ecosystem::Npm).unwrap(),
    }
}

fn used(kind: Kind) -> Use<'static> {
    Use {
        kind: Some(kind),
        ..Use::ASKED
    }
}

fn assess_with(policy: &Policy, eco: Ecosystem, name: &str, kind: Option<Kind>) -> Finding {
    let s = snaps();
    let registry = Registry::new(&s.pypi, &s.npm);
    let uses = [match kind {
        Some(k) => used(k),
        None => Use::ASKED,
    }];
    Assessor::new(registry, policy).assess(eco, name, &uses)
}

fn assess(eco: Ecosystem, name: &str, kind: Kind) -> Finding {
    assess_with(&Policy::default(), eco, name, Some(kind))
}

fn codes(f: &Finding) -> Vec<Code> {
    f.signals.iter().map(|s| s.code).collect()
}

fn policy(toml: &str) -> Policy {
    Policy::parse(toml, Path::new("depproof.toml")).unwrap()
}

#[test]
fn not_found_blocks_and_ranks_highest_in_install_commands() {
    let f = assess(Ecosystem::PyPI, "reqeusts", Kind::InstallCommand);
    assert_eq!(f.presence, Presence::Absent);
    assert_eq!(codes(&f), [Code::NotFound]);
    assert_eq!(f.signals[0].severity, Severity::Critical);
    assert_eq!(f.verdict, Verdict::Block);
    assert_eq!(
        f.signals[0].message,
        "`reqeusts` does not exist on PyPI; did you mean `requests` (the 6th most downloaded)?"
    );
    assert_eq!(f.suggestions[0].info.name, "requests");
    let f = assess(Ecosystem::PyPI, "reqeusts", Kind::Manifest);
    assert_eq!(f.signals[0].severity, Severity::High);
    assert_eq!(f.verdict, Verdict::Block);
    // Quiet on the real package.
    let f = assess(Ecosystem::PyPI, "requests", Kind::InstallCommand);
    assert!(f.signals.is_empty(), "{:?}", f.signals);
    assert_eq!(f.verdict, Verdict::Ok);
}

#[test]
fn an_import_of_nothing_is_an_unresolved_import_that_warns() {
    let f = assess(Ecosystem::PyPI, "flask-jwt-simple-auth", Kind::Import);
    assert_eq!(codes(&f), [Code::UnresolvedImport]);
    assert_eq!(f.verdict, Verdict::Warn);
    let f = assess(Ecosystem::PyPI, "numpy", Kind::Import);
    assert!(f.signals.is_empty());
}

#[test]
fn a_partial_snapshot_says_unknown_never_not_found() {
    let f = assess(
        Ecosystem::Npm,
        "express-jwt-auth-middleware",
        Kind::InstallCommand,
    );
    assert_eq!(f.presence, Presence::Unknown);
    assert_eq!(codes(&f), [Code::Unknown]);
    assert_eq!(f.verdict, Verdict::Warn);
    assert!(
        f.signals[0]
            .message
            .contains("at least 480 downloads a month")
    );
    assert!(!f.signals[0].message.contains("does not exist"));
    let f = assess(Ecosystem::Npm, "express", Kind::InstallCommand);
    assert!(f.signals.is_empty());
}

#[test]
fn invalid_names() {
    let f = assess(Ecosystem::Npm, "Not A Name", Kind::InstallCommand);
    assert_eq!(codes(&f), [Code::InvalidName]);
    assert!(matches!(f.presence, Presence::Invalid { .. }));
    assert_eq!(f.verdict, Verdict::Warn);
}

#[test]
fn cross_ecosystem_both_ways() {
    // pip install express: npm's web framework, absent from PyPI.
    let f = assess(Ecosystem::PyPI, "express", Kind::InstallCommand);
    assert_eq!(codes(&f), [Code::NotFound, Code::CrossEcosystem]);
    assert_eq!(f.signals[1].severity, Severity::Info);
    assert!(
        f.signals[1].message.contains("exists on npm"),
        "{}",
        f.signals[1].message
    );
    // npm install scikit-learn: unknown to npm's snapshot, a popular PyPI project.
    let f = assess(Ecosystem::Npm, "scikit-learn", Kind::InstallCommand);
    assert_eq!(codes(&f), [Code::Unknown, Code::CrossEcosystem]);
    assert_eq!(f.signals[1].severity, Severity::Medium);
    // Names on both registries are not flagged.
    let f = assess(Ecosystem::PyPI, "flask", Kind::InstallCommand);
    assert!(f.signals.is_empty());
}

#[test]
fn new_and_unpopular_with_configurable_thresholds() {
    // crossenv on PyPI: unranked, latest release 2026-10, snapshot 2026-11.
    let f = assess(Ecosystem::PyPI, "crossenv", Kind::Manifest);
    assert_eq!(codes(&f), [Code::New]);
    assert_eq!(f.verdict, Verdict::Warn);
    let strict = policy("[thresholds]\nnew-days = 20\n");
    let f = assess_with(&strict, Ecosystem::PyPI, "crossenv", Some(Kind::Manifest));
    assert!(f.signals.is_empty(), "{:?}", f.signals);
    // Old and unranked (lodash on PyPI, 2016), or popular: not new.
    assert!(
        assess(Ecosystem::PyPI, "lodash", Kind::Manifest)
            .signals
            .is_empty()
    );
    assert!(
        assess(Ecosystem::PyPI, "requests", Kind::Manifest)
            .signals
            .is_empty()
    );

    // npm `abbreviate-currency`: about 550 downloads a month.
    let f = assess(Ecosystem::Npm, "abbreviate-currency", Kind::Manifest);
    assert_eq!(codes(&f), [Code::Unpopular]);
    let lax = policy("[thresholds]\nmin-monthly-downloads = 100\n");
    assert!(
        assess_with(
            &lax,
            Ecosystem::Npm,
            "abbreviate-currency",
            Some(Kind::Manifest)
        )
        .signals
        .is_empty()
    );
    assert!(
        assess(Ecosystem::Npm, "chalk", Kind::Manifest)
            .signals
            .is_empty()
    );
    // PyPI: off unless a rank is set.
    let ranked = policy("[thresholds]\npypi-max-rank = 5000\n");
    let f = assess_with(&ranked, Ecosystem::PyPI, "excel", Some(Kind::Manifest));
    assert!(codes(&f).contains(&Code::Unpopular), "{:?}", f.signals);
    let f = assess_with(&ranked, Ecosystem::PyPI, "requests", Some(Kind::Manifest));
    assert!(f.signals.is_empty());
}

#[test]
fn snapshot_flags_become_signals() {
    // 1assl: 0.0.0 since 2019.
    let f = assess(Ecosystem::PyPI, "1assl", Kind::Manifest);
    assert_eq!(codes(&f), [Code::Placeholder]);
    assert_eq!(f.verdict, Verdict::Warn);
    // fitz publishes 0.0.0 but is among the most downloaded: not a stub to warn about.
    assert!(!codes(&assess(Ecosystem::PyPI, "fitz", Kind::Manifest)).contains(&Code::Placeholder));

    let f = assess(Ecosystem::Npm, "babelcli", Kind::InstallCommand);
    assert!(codes(&f).contains(&Code::SecurityHolding));
    assert_eq!(f.verdict, Verdict::Block);
    let f = assess(Ecosystem::Npm, "crossenv", Kind::InstallCommand);
    assert_eq!(codes(&f)[0], Code::SecurityHolding);

    let f = assess(Ecosystem::PyPI, "ada-nexus", Kind::Manifest);
    assert!(codes(&f).contains(&Code::ReservedName), "{:?}", f.signals);
    assert_eq!(f.verdict, Verdict::Block);

    let f = assess(
        Ecosystem::PyPI,
        "agentic-platform-memory",
        Kind::InstallCommand,
    );
    assert!(codes(&f).contains(&Code::ResearchSquat), "{:?}", f.signals);
    assert_eq!(f.verdict, Verdict::Block);
}

#[test]
fn private_names_check_for_dependency_confusion() {
    let p = policy(
        "[private]\npypi = [\"flask-*\", \"ada-nexus\", \"acme-billing\"]\nnpm = [\"@acme/*\"]\n",
    );
    // A private name that someone published publicly.
    let f = assess_with(&p, Ecosystem::PyPI, "flask-login", Some(Kind::Manifest));
    assert_eq!(codes(&f), [Code::DependencyConfusion]);
    assert_eq!(f.verdict, Verdict::Block);
    assert_eq!(f.private.as_deref(), Some("flask-*"));
    // The organization's own reservation is expected, but the name is public: confusion risk.
    let f = assess_with(&p, Ecosystem::PyPI, "ada-nexus", Some(Kind::Manifest));
    assert!(!codes(&f).contains(&Code::ReservedName));
    assert!(codes(&f).contains(&Code::DependencyConfusion));
    // A private name absent from the public registry: fine, not "does not exist".
    let f = assess_with(&p, Ecosystem::PyPI, "acme-billing", Some(Kind::Manifest));
    assert!(f.signals.is_empty(), "{:?}", f.signals);
    assert_eq!(f.verdict, Verdict::Ok);
    let f = assess_with(&p, Ecosystem::Npm, "@acme/widgets", Some(Kind::Manifest));
    assert!(f.signals.is_empty());
    // Without the configuration: does not exist.
    let f = assess(Ecosystem::PyPI, "acme-billing", Kind::Manifest);
    assert_eq!(codes(&f), [Code::NotFound]);
}

#[test]
fn deny_allow_and_levels() {
    let p = policy(
        r#"
[signals]
new = "block"
cross-ecosystem = "off"
[[deny]]
name = "request"
ecosystem = "npm"
reason = "deprecated: use fetch"
[[allow]]
name = "reqeusts"
reason = "a test fixture that must not resolve"
[[allow]]
name = "abbreviate-currency"
ecosystem = "npm"
reason = "checked by the security team"
signals = ["unknown"]
"#,
    );
    let f = assess_with(&p, Ecosystem::Npm, "request", Some(Kind::Manifest));
    assert_eq!(codes(&f), [Code::Denied]);
    assert_eq!(f.verdict, Verdict::Block);
    assert!(f.signals[0].message.contains("deprecated: use fetch"));
    // Allowed: the signal is kept, as suppressed, with the reason.
    let f = assess_with(&p, Ecosystem::PyPI, "reqeusts", Some(Kind::InstallCommand));
    assert!(f.signals.is_empty());
    assert_eq!(f.suppressed.len(), 1);
    assert_eq!(f.suppressed[0].signal.code, Code::NotFound);
    assert!(f.suppressed[0].by.words().contains("a test fixture"));
    assert_eq!(f.verdict, Verdict::Ok);
    // An allowance for other signals leaves this one.
    let f = assess_with(
        &p,
        Ecosystem::Npm,
        "abbreviate-currency",
        Some(Kind::Manifest),
    );
    assert_eq!(codes(&f), [Code::Unpopular]);
    // Levels: `new` now blocks; cross-ecosystem is off.
    let f = assess_with(&p, Ecosystem::PyPI, "crossenv", Some(Kind::Manifest));
    assert_eq!(f.verdict, Verdict::Block);
    let f = assess_with(&p, Ecosystem::PyPI, "express", Some(Kind::Manifest));
    assert_eq!(codes(&f), [Code::NotFound]);
}

#[test]
fn check_without_context_counts_as_about_to_install() {
    let f = assess_with(&Policy::default(), Ecosystem::PyPI, "reqeusts", None);
    assert_eq!(f.signals[0].severity, Severity::Critical);
}

#[test]
fn the_readme_configuration_example_is_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme
        .find("```toml\nfail-on")
        .expect("the README shows a depproof.toml");
    let body = &readme[start + "```toml\n".len()..];
    let body = &body[..body.find("```").unwrap()];
    let p = Policy::parse(body, Path::new("README.md")).unwrap();
    assert!(p.allowance(Ecosystem::PyPI, "crossenv").is_some());
    assert!(p.denied(Ecosystem::Npm, "request").is_some());
    assert_eq!(p.private(Ecosystem::Npm, "@acme/ui"), Some("@acme/*"));
}

#[test]
fn typosquats_of_popular_packages_both_ways() {
    // loadsh: a real npm package imitating lodash by a transposition.
    let f = assess(Ecosystem::Npm, "loadsh", Kind::InstallCommand);
    assert_eq!(codes(&f), [Code::Typosquat]);
    assert_eq!(f.signals[0].severity, Severity::High);
    assert_eq!(f.verdict, Verdict::Block);
    assert_eq!(f.signals[0].data["target"]["name"], "lodash");
    assert_eq!(f.signals[0].data["technique"], "transposition");
    assert_eq!(f.suggestions[0].info.name, "lodash");
    // Unknown to the partial npm snapshot and a look-alike: the typosquat is named.
    let f = assess(Ecosystem::Npm, "electorn", Kind::InstallCommand);
    assert!(codes(&f).contains(&Code::Typosquat), "{:?}", f.signals);
    assert_eq!(f.verdict, Verdict::Block);
    // Popular and established look-alikes of each other are not squats.
    for (eco, name) in [
        (Ecosystem::PyPI, "pytest-cov"),
        (Ecosystem::PyPI, "boto"),
        (Ecosystem::PyPI, "requests"),
        (Ecosystem::Npm, "request"),
        (Ecosystem::Npm, "@babel/core"),
        (Ecosystem::Npm, "babel-core"),
        (Ecosystem::Npm, "lodash.merge"),
    ] {
        let f = assess(eco, name, Kind::Manifest);
        assert!(
            !codes(&f).contains(&Code::Typosquat),
            "{name}: {:?}",
            f.signals
        );
    }
    // A private name is the organization's own, not a squat.
    let p = policy("[private]\nnpm = [\"loadsh\"]\n");
    let f = assess_with(&p, Ecosystem::Npm, "loadsh", Some(Kind::Manifest));
    assert_eq!(codes(&f), [Code::DependencyConfusion]);
}
