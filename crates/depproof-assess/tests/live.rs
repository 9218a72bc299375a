//! Live answers in the assessment: what each answer does to a name the snapshot cannot
//! settle, on real names of the embedded snapshots.

use std::path::Path;

use depproof_assess::{
    Assessor, Code, Finding, Policy, Presence, Registry, Severity, Use, Verdict,
};
use depproof_live::{Answer, LiveFacts, Outcome, PackageFacts, Record, date};
use depproof_registry::{Ecosystem, Index, Lookup, embedded};

const TODAY: &str = "2026-11-20";

fn answer(outcome: Outcome) -> Answer {
    Answer {
        registry: "http://127.0.0.1:1/".into(),
        outcome,
        fetched_at: format!("{TODAY}T00:00:00Z"),
        cached: false,
    }
}

fn found(name: &str, first: &str) -> Outcome {
    Outcome::Found(PackageFacts {
        name: name.into(),
        first_release: Some(first.into()),
        latest_version: Some("1.0.0".into()),
        latest_release: Some(first.into()),
        releases: 1,
        all_yanked: false,
        status: None,
        security_holding: false,
    })
}

fn days_before_today(n: i64) -> String {
    format!("{}T12:00:00Z", date::civil(date::days(TODAY).unwrap() - n))
}

struct World {
    pypi: Index,
    npm: Index,
}

fn world() -> World {
    World {
        pypi: embedded::open(Ecosystem::PyPI).unwrap(),
        npm: embedded::open(Ecosystem::Npm).unwrap(),
    }
}

fn assess(
    w: &World,
    policy: &Policy,
    eco: Ecosystem,
    name: &str,
    record: Option<Record>,
) -> Finding {
    let mut live = LiveFacts::new(TODAY, false);
    if let Some(r) = record {
        live.insert(eco, eco.normalize(name).into_owned(), r);
    }
    let registry = Registry {
        live: Some(&live),
        ..Registry::new(&w.pypi, &w.npm)
    };
    Assessor::new(registry, policy).assess(eco, name, &[Use::ASKED])
}

fn public(outcome: Outcome) -> Option<Record> {
    Some(Record {
        public: answer(outcome),
        private: None,
    })
}

fn codes(f: &Finding) -> Vec<Code> {
    f.signals.iter().map(|s| s.code).collect()
}

/// A name the partial npm snapshot does not hold.
const UNKNOWN_NPM: &str = "zq-helper-kit-for-tests";

#[test]
fn the_names_asked_are_those_the_snapshot_cannot_settle() {
    let w = world();
    assert_eq!(w.npm.lookup(UNKNOWN_NPM), Lookup::Unknown);
    let p = Policy::default();
    let a = Assessor::new(Registry::new(&w.pypi, &w.npm), &p);
    assert!(a.wants_live(Ecosystem::Npm, UNKNOWN_NPM));
    assert!(a.wants_live(Ecosystem::PyPI, "reqeusts"));
    assert!(!a.wants_live(Ecosystem::PyPI, "requests"));
    assert!(!a.wants_live(Ecosystem::Npm, "react"));
    assert!(!a.wants_live(Ecosystem::Npm, "Not A Name"));
    let private = Policy::parse(
        "[registries]\nprivate-npm = \"http://127.0.0.1:1/\"\n",
        Path::new("depproof.toml"),
    )
    .unwrap();
    let a = Assessor::new(Registry::new(&w.pypi, &w.npm), &private);
    assert!(
        a.wants_live(Ecosystem::Npm, "react"),
        "a private registry is asked about every name"
    );
}

#[test]
fn a_live_answer_settles_an_unknown_name_and_dates_it() {
    let w = world();
    let p = Policy::default();
    let f = assess(
        &w,
        &p,
        Ecosystem::Npm,
        UNKNOWN_NPM,
        public(found(UNKNOWN_NPM, &days_before_today(10))),
    );
    assert!(matches!(f.presence, Presence::Found(_)), "{:?}", f.presence);
    assert!(f.live_only());
    assert_eq!(f.presence.id(), "exists");
    assert!(codes(&f).contains(&Code::New), "{:?}", f.signals);
    let new = f.signals.iter().find(|s| s.code == Code::New).unwrap();
    assert!(new.message.contains("10 days ago"), "{}", new.message);
    assert!(
        codes(&f).contains(&Code::Unpopular),
        "below the snapshot's cut: {:?}",
        f.signals
    );
    assert_eq!(f.verdict, Verdict::Warn);

    let old = assess(
        &w,
        &p,
        Ecosystem::Npm,
        UNKNOWN_NPM,
        public(found(UNKNOWN_NPM, "2019-03-01T00:00:00Z")),
    );
    assert!(!codes(&old).contains(&Code::New), "{:?}", old.signals);
}

#[test]
fn a_package_first_released_after_the_training_cutoff_is_called_out() {
    let w = world();
    let p = Policy::parse(
        "[thresholds]\ntraining-cutoff = \"2025-01\"\n",
        Path::new("depproof.toml"),
    )
    .unwrap();
    let f = assess(
        &w,
        &p,
        Ecosystem::Npm,
        UNKNOWN_NPM,
        public(found(UNKNOWN_NPM, "2025-06-01T00:00:00Z")),
    );
    let s = f
        .signals
        .iter()
        .find(|s| s.code == Code::AfterCutoff)
        .expect("after-cutoff");
    assert_eq!(s.severity, Severity::Medium);
    assert!(
        s.message.contains("2025-06-01") && s.message.contains("2025-01"),
        "{}",
        s.message
    );
    // New as well: high.
    let f = assess(
        &w,
        &p,
        Ecosystem::Npm,
        UNKNOWN_NPM,
        public(found(UNKNOWN_NPM, &days_before_today(3))),
    );
    let s = f
        .signals
        .iter()
        .find(|s| s.code == Code::AfterCutoff)
        .unwrap();
    assert_eq!(s.severity, Severity::High);
    assert_eq!(f.verdict, Verdict::Block);
    // Before the cutoff: nothing.
    let f = assess(
        &w,
        &p,
        Ecosystem::Npm,
        UNKNOWN_NPM,
        public(found(UNKNOWN_NPM, "2024-12-31T00:00:00Z")),
    );
    assert!(!codes(&f).contains(&Code::AfterCutoff));
    assert!(
        Policy::parse(
            "[thresholds]\ntraining-cutoff = \"June\"\n",
            Path::new("d.toml")
        )
        .is_err()
    );
}

#[test]
fn a_failed_lookup_is_unknown_never_exists_never_safe() {
    let w = world();
    let p = Policy::default();
    let f = assess(
        &w,
        &p,
        Ecosystem::Npm,
        UNKNOWN_NPM,
        public(Outcome::Failed {
            reason: "http://127.0.0.1:1/x: HTTP 500".into(),
        }),
    );
    assert!(
        matches!(f.presence, Presence::LookupFailed { .. }),
        "{:?}",
        f.presence
    );
    assert_eq!(f.presence.id(), "unknown");
    assert_eq!(codes(&f)[0], Code::LookupFailed);
    assert!(
        f.signals[0].message.contains("HTTP 500"),
        "{}",
        f.signals[0].message
    );
    assert_ne!(f.verdict, Verdict::Ok);

    // A complete snapshot's "does not exist" stands, with the failure said.
    let f = assess(
        &w,
        &p,
        Ecosystem::PyPI,
        "reqeusts",
        public(Outcome::Failed {
            reason: "timed out".into(),
        }),
    );
    assert_eq!(f.presence, Presence::Absent);
    assert_eq!(codes(&f)[0], Code::NotFound);
    assert!(
        f.signals[0]
            .message
            .contains("live lookup failed: timed out"),
        "{}",
        f.signals[0].message
    );
    assert_eq!(f.verdict, Verdict::Block);
}

#[test]
fn a_missing_answer_makes_an_unknown_name_not_found() {
    let w = world();
    let f = assess(
        &w,
        &Policy::default(),
        Ecosystem::Npm,
        UNKNOWN_NPM,
        public(Outcome::Missing),
    );
    assert_eq!(f.presence, Presence::Absent);
    assert_eq!(codes(&f)[0], Code::NotFound);
    assert!(
        f.signals[0].message.contains("asked live"),
        "{}",
        f.signals[0].message
    );
    assert_eq!(f.verdict, Verdict::Block);
}

#[test]
fn registry_statuses_and_private_registries() {
    let w = world();
    let p = Policy::default();
    let mut facts = match found(UNKNOWN_NPM, "2020-01-01T00:00:00Z") {
        Outcome::Found(f) => f,
        _ => unreachable!(),
    };
    facts.status = Some("quarantined".into());
    facts.all_yanked = true;
    let f = assess(
        &w,
        &p,
        Ecosystem::PyPI,
        "reqeusts",
        public(Outcome::Found(facts)),
    );
    assert!(codes(&f).contains(&Code::Quarantined), "{:?}", f.signals);
    assert!(codes(&f).contains(&Code::Yanked), "{:?}", f.signals);
    assert_eq!(f.verdict, Verdict::Block);

    // On the private registry and on the public one: dependency confusion.
    let record = Record {
        private: Some(Answer {
            registry: "http://private.example/".into(),
            ..answer(found("acme-billing", "2021-01-01T00:00:00Z"))
        }),
        public: answer(found("acme-billing", "2025-01-01T00:00:00Z")),
    };
    let f = assess(
        &w,
        &p,
        Ecosystem::PyPI,
        "acme-billing",
        Some(record.clone()),
    );
    let s = f
        .signals
        .iter()
        .find(|s| s.code == Code::DependencyConfusion)
        .expect("DP401");
    assert!(
        s.message
            .contains("private registry http://private.example/"),
        "{}",
        s.message
    );
    assert_eq!(f.verdict, Verdict::Block);
    // Only on the private registry: an internal package, nothing to say.
    let internal = Record {
        public: answer(Outcome::Missing),
        ..record
    };
    let f = assess(&w, &p, Ecosystem::PyPI, "acme-billing", Some(internal));
    assert!(f.signals.is_empty(), "{:?}", f.signals);
    assert_eq!(f.verdict, Verdict::Ok);
}
