//! The typosquat detector on the embedded PyPI and npm snapshots: each technique on a
//! real popular target and a name squatters used or would use, silence on legitimate
//! look-alikes, and bounds on the evaluation of `examples/typosquat-eval.rs`.

#[path = "typosquat/eval.rs"]
mod eval;

use std::sync::OnceLock;

use depproof_registry::typosquat::{Detector, MAX_MATCHES, Strength, Technique};
use depproof_registry::{Ecosystem, Index, PackageInfo, TyposquatMatch, embedded};

fn setup(eco: Ecosystem) -> &'static (Index, Detector) {
    static PYPI: OnceLock<(Index, Detector)> = OnceLock::new();
    static NPM: OnceLock<(Index, Detector)> = OnceLock::new();
    let cell = match eco {
        Ecosystem::PyPI => &PYPI,
        Ecosystem::Npm => &NPM,
    };
    cell.get_or_init(|| {
        let index = embedded::open(eco).expect("embedded snapshot");
        let detector = Detector::new(&index);
        (index, detector)
    })
}

/// Checks `name` as the scan would: normalized, with what the snapshot knows of it.
fn check(eco: Ecosystem, name: &str) -> Vec<TyposquatMatch> {
    let (index, detector) = setup(eco);
    let key = eco.normalize(name);
    detector.check(&key, index.get(&key).as_ref())
}

/// Checks `name` as a name the registry does not have (removed, or not yet registered).
fn check_unknown(eco: Ecosystem, name: &str) -> Vec<TyposquatMatch> {
    let (_, detector) = setup(eco);
    detector.check(&eco.normalize(name), None)
}

#[track_caller]
fn assert_best(found: &[TyposquatMatch], target: &str, technique: Technique, strength: Strength) {
    let Some(best) = found.first() else {
        panic!("nothing found, expected {target} by {technique}");
    };
    assert_eq!(best.target.name, target, "{found:#?}");
    assert_eq!(best.technique, technique, "{found:#?}");
    assert_eq!(best.strength, strength, "{found:#?}");
    assert!(found.len() <= MAX_MATCHES);
    assert!(best.target.popular);
}

#[test]
fn the_popular_sets_are_the_snapshots_own() {
    for eco in Ecosystem::ALL {
        let (index, detector) = setup(eco);
        assert_eq!(detector.ecosystem(), eco);
        assert_eq!(
            detector.popular_count() as u64,
            index.header().popular_count
        );
    }
}

#[test]
fn classic_typos_of_the_most_downloaded_names_are_strong() {
    use Ecosystem::{Npm, PyPI};
    use Technique::*;
    let cases = [
        (PyPI, "jeIlyfish", "jellyfish", Homoglyph),
        (PyPI, "rnatplotlib", "matplotlib", Homoglyph),
        (PyPI, "dajngo", "django", Transposition),
        (PyPI, "djangoo", "django", Repetition),
        (PyPI, "djago", "django", Omission),
        (PyPI, "colourama", "colorama", Insertion),
        (PyPI, "djanga", "django", Substitution),
        (PyPI, "requestsoauthlib", "requests-oauthlib", Separator),
        (PyPI, "setup-tools", "setuptools", Separator),
        (Npm, "crossenv", "cross-env", Separator),
        (Npm, "types-node", "@types/node", Separator),
        (Npm, "electorn", "electron", Transposition),
        (Npm, "loadsh", "lodash", Transposition),
        (Npm, "expess", "express", Omission),
    ];
    for (eco, name, target, technique) in cases {
        let found = check_unknown(eco, name);
        assert_best(&found, target, technique, Strength::Strong);
        assert!(!found[0].message(name).is_empty());
    }
}

#[test]
fn looser_resemblances_are_weak() {
    use Ecosystem::{Npm, PyPI};
    use Technique::*;
    let cases = [
        (PyPI, "toolbelt-requests", "requests-toolbelt", WordOrder),
        (PyPI, "python-flask", "flask", Affix),
        (PyPI, "beautifulsoup5", "beautifulsoup4", Substitution),
        (PyPI, "matplottlibb", "matplotlib", TwoEdits),
        (Npm, "nodemailer.js", "nodemailer", Affix),
        (Npm, "tfjs-core", "@tensorflow/tfjs-core", Scope),
    ];
    for (eco, name, target, technique) in cases {
        let found = check_unknown(eco, name);
        assert!(
            found.iter().any(|m| m.target.name == target
                && m.technique == technique
                && m.strength == Strength::Weak),
            "{name}: {found:#?}"
        );
        assert!(
            found.iter().all(|m| m.strength == Strength::Weak),
            "{name}: {found:#?}"
        );
    }
    let m = &check_unknown(PyPI, "python-flask")[0];
    assert_eq!(m.affix, "python-");
    assert!(
        m.message("python-flask").contains("python-"),
        "{}",
        m.message("python-flask")
    );
}

#[test]
fn npm_takedowns_that_resemble_a_popular_name_are_strong() {
    // `crossenv` is in the snapshot as npm's `0.0.1-security` placeholder.
    let (index, _) = setup(Ecosystem::Npm);
    let own = index
        .get("crossenv")
        .expect("crossenv placeholder in the snapshot");
    assert!(
        own.flags
            .contains(depproof_registry::Flags::SECURITY_HOLDING)
    );
    assert_best(
        &check(Ecosystem::Npm, "crossenv"),
        "cross-env",
        Technique::Separator,
        Strength::Strong,
    );
}

#[test]
fn popular_names_are_never_flagged() {
    for eco in Ecosystem::ALL {
        let (index, detector) = setup(eco);
        let mut flagged = Vec::new();
        index.for_each_name(|k, info| {
            if info.popular && !detector.check(k, Some(&info)).is_empty() {
                flagged.push(k.to_owned());
            }
        });
        assert!(flagged.is_empty(), "{eco}: {flagged:?}");
        // Also when the caller has no info at hand.
        for (name, _) in eval::top(index, 50) {
            assert!(detector.check(&name, None).is_empty(), "{eco} {name}");
        }
    }
}

#[test]
fn legitimate_look_alikes_stay_quiet_both_ways() {
    use Ecosystem::{Npm, PyPI};
    // Popular or long-established pairs, checked with their real snapshot info.
    for (eco, a, b) in [
        (PyPI, "pytest-cov", "pytest-xdist"),
        (PyPI, "boto", "boto3"),
        (Npm, "request", "requests"),
        (Npm, "lodash.merge", "lodash"),
        (Npm, "@babel/core", "babel-core"),
        (Npm, "@types/lodash", "lodash"),
        (Npm, "@types/request", "request"),
    ] {
        for name in [a, b] {
            let found = check(eco, name);
            assert!(found.is_empty(), "{eco} {name}: {found:#?}");
        }
    }
    // An unpopular package untouched for years that adds a version to a popular name.
    let (index, _) = setup(PyPI);
    let pandas2 = index.get("pandas2").expect("pandas2 in the snapshot");
    assert!(!pandas2.popular && pandas2.release_month.is_some_and(|(y, _)| y < 2024));
    assert!(
        check(PyPI, "pandas2").is_empty(),
        "{:#?}",
        check(PyPI, "pandas2")
    );
    // The same name, unknown to the registry, is a version-number squat.
    assert!(
        check_unknown(PyPI, "pandas2")
            .iter()
            .any(|m| m.target.name == "pandas")
    );
}

#[test]
fn scoped_names_of_established_scopes_are_their_owners() {
    // Only the owner of `@types` or `@babel` can publish there, so no name in those scopes
    // is a squat, even unknown to the snapshot.
    for name in ["@types/lodahs", "@babel/cor", "@angular/coer"] {
        assert!(check_unknown(Ecosystem::Npm, name).is_empty(), "{name}");
    }
    // An unknown scope that imitates one is flagged.
    let found = check_unknown(Ecosystem::Npm, "@opentelemetrya/api");
    assert!(
        found.iter().any(|m| m.target.name == "@opentelemetry/api"),
        "{found:#?}"
    );
}

#[test]
fn odd_input_is_answered() {
    let (_, detector) = setup(Ecosystem::Npm);
    for name in [
        "",
        "a",
        "-",
        "@",
        "@/",
        "@x/",
        "é",
        &"x".repeat(300),
        &"ab".repeat(100),
    ] {
        let _ = detector.check(name, None);
    }
    let info = PackageInfo {
        name: "reqeusts".into(),
        latest_version: String::new(),
        release_month: None,
        popularity: depproof_registry::Popularity::Unknown,
        popular: false,
        flags: depproof_registry::Flags::EMPTY,
    };
    let (_, pypi) = setup(Ecosystem::PyPI);
    assert_eq!(
        pypi.check("reqeusts", Some(&info))[0].target.name,
        "requests"
    );
}

/// Regression bounds on the figures of the README (see `examples/typosquat-eval.rs`).
#[test]
fn evaluation_stays_within_bounds() {
    let incidents = eval::incidents().expect("data/typosquats/incidents.tsv");
    assert!(incidents.len() >= 100, "{}", incidents.len());
    let (mut strong, mut hit) = (0, 0);
    for inc in &incidents {
        let (_, detector) = setup(inc.ecosystem);
        match eval::check_incident(detector, inc).0 {
            eval::Outcome::Strong => {
                strong += 1;
                hit += 1;
            }
            eval::Outcome::Weak => hit += 1,
            _ => {}
        }
    }
    let n = incidents.len() as f64;
    assert!(hit as f64 / n >= 0.78, "hit rate {hit}/{n}");
    assert!(strong as f64 / n >= 0.40, "strong {strong}/{n}");

    for eco in Ecosystem::ALL {
        let (index, detector) = setup(eco);
        let top = eval::check_all(detector, &eval::top(index, 5_000));
        assert_eq!(top.strong.len() + top.weak.len(), 0, "{eco} top 5,000");
        // Every 10th npm name of the band keeps the test quick; the example checks all.
        let band = eval::band(index, 10);
        let f = eval::check_all(detector, &band);
        let (s, w) = (
            f.strong.len() as f64 / f.checked as f64,
            f.weak.len() as f64 / f.checked as f64,
        );
        let (max_s, max_w) = match eco {
            Ecosystem::PyPI => (0.003, 0.075),
            Ecosystem::Npm => (0.004, 0.025),
        };
        assert!(
            s <= max_s && w <= max_w,
            "{eco} band: strong {s:.4}, weak {w:.4}"
        );
    }
}
