//! The analysis on a small study checked by hand: answers imported from JSONL, figures
//! worked out in the comments against the embedded PyPI and npm snapshots.

use depproof_assess::{Assessor, Policy, Registry};
use depproof_registry::{Ecosystem, embedded};
use depproof_study::{ImportDefaults, analyze, import};

const ANSWERS: &str = r#"{"model": "m1", "language": "python", "prompt_set": "S", "id": "p1", "kind": "code", "prompt": "Fetch a page", "answer": "```bash\npip install requests pyhttpx-client\n```\n```python\nimport requests\nimport pyhttpx_client\nimport os\n```"}
{"model": "m1", "language": "python", "prompt_set": "S", "id": "p2", "kind": "code", "prompt": "Sum an array", "answer": "```python\nimport numpy as np\nprint(np.sum([1, 2]))\n```"}
{"model": "m1", "language": "python", "prompt_set": "S", "id": "p1", "kind": "prompt_packages", "prompt": "Fetch a page", "answer": "pandas, dataframe-sanitizer, json"}
{"model": "m1", "language": "python", "prompt_set": "S", "id": "p2", "kind": "prompt_packages", "prompt": "Sum an array", "answer": "1. pyhttpx-client\n2. express-session"}
{"model": "m2", "language": "python", "prompt_set": "S", "id": "p1", "kind": "prompt_packages", "prompt": "Fetch a page", "answer": "pyhttpx-client"}
{"model": "m1", "language": "javascript", "prompt_set": "S", "id": "j1", "kind": "prompt_packages", "prompt": "Validate a form", "answer": "express, react-smart-formify"}
"#;

#[test]
fn figures_checked_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.jsonl");
    std::fs::write(&file, ANSWERS).unwrap();
    let db = dir.path().join("study.db");
    let s = import(&file, &db, &ImportDefaults::default()).unwrap();
    assert_eq!((s.read, s.imported), (6, 6));

    let pypi = embedded::open(Ecosystem::PyPI).unwrap();
    let npm = embedded::open(Ecosystem::Npm).unwrap();
    let policy = Policy::default();
    let assessor = Assessor::new(Registry::new(&pypi, &npm), &policy);
    let conn = depproof_study::db::open_existing(&db).unwrap();
    let a = analyze(&conn, &assessor).unwrap();

    let g = |model: &str, lang: &str, h: &str| {
        a.groups
            .iter()
            .find(|g| g.model == model && g.language == lang && g.heuristic == h)
            .unwrap_or_else(|| panic!("{model} {lang} {h}: {:#?}", a.groups))
            .clone()
    };
    // m1 python install: answer p1 installs requests (exists) and pyhttpx-client (absent);
    // answer p2 installs nothing. 2 answers, 2 references, 1 invented: rate 1/2 = 50%;
    // 1 of 2 answers invents: 50%.
    let x = g("m1", "python", "install");
    assert_eq!(
        (x.answers, x.references, x.invented, x.unknown),
        (2, 2, 1, 0)
    );
    assert_eq!((x.rate, x.answer_share), (50.0, 50.0));
    // m1 python imports: p1 imports requests, pyhttpx_client (→ pyhttpx-client, absent)
    // and os (standard library, no package); p2 imports numpy. 3 references, 1 invented:
    // 1/3 = 33.33%; answers: 1 of 2.
    let x = g("m1", "python", "imports");
    assert_eq!((x.answers, x.references, x.invented), (2, 3, 1));
    assert!((x.rate - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(x.answer_share, 50.0);
    // m1 python package lists: p1 lists pandas (exists), dataframe-sanitizer (absent) and
    // json (standard library: dropped); p2 lists pyhttpx-client and express-session (both
    // absent from PyPI). 4 references, 3 invented: 75%; both answers invent: 100%;
    // 3 distinct invented names, each in 1 answer.
    let x = g("m1", "python", "prompt_packages");
    assert_eq!(
        (x.answers, x.references, x.invented, x.unique_invented),
        (2, 4, 3, 3)
    );
    assert_eq!((x.rate, x.answer_share), (75.0, 100.0));
    assert_eq!(
        x.top_invented,
        [
            ("dataframe-sanitizer".to_owned(), 1),
            ("express-session".to_owned(), 1),
            ("pyhttpx-client".to_owned(), 1)
        ]
    );
    // m2: 1 reference, invented.
    let x = g("m2", "python", "prompt_packages");
    assert_eq!((x.references, x.invented, x.rate), (1, 1, 100.0));
    // m1 javascript: express exists; react-smart-formify is absent from the partial npm
    // snapshot: unknown, not invented. Rate 0%, 50% if every unknown name were invented.
    let x = g("m1", "javascript", "prompt_packages");
    assert_eq!((x.references, x.invented, x.unknown), (2, 0, 1));
    assert_eq!((x.rate, x.rate_with_unknown), (0.0, 50.0));
    assert_eq!(x.temperature, None, "imported without a temperature");

    // Per model: m1 2 + 3 + 4 + 2 = 11 references, 1 + 1 + 3 + 0 = 5 invented (45.45%),
    // 3 distinct invented names; m2 1 of 1. Overall 12 references, 6 invented: 50%;
    // distinct invented names: pyhttpx-client, dataframe-sanitizer, express-session.
    let m1 = a.models.iter().find(|m| m.model == "m1").unwrap();
    assert_eq!((m1.references, m1.invented, m1.unique_invented), (11, 5, 3));
    assert!((m1.rate - 500.0 / 11.0).abs() < 1e-9);
    assert_eq!(
        (
            a.overall.references,
            a.overall.invented,
            a.overall.rate,
            a.overall.unique_invented
        ),
        (12, 6, 50.0, 3)
    );
    assert_eq!((a.invented_names, a.unknown_names), (3, 1));
    // pyhttpx-client: install and imports of p1, m1's list p2, m2's list: 4 references.
    let py = a
        .invented
        .iter()
        .find(|(_, n, _)| n == "pyhttpx-client")
        .unwrap();
    assert_eq!(py.2, 4);
    // Cross-ecosystem: of the 3 names invented for PyPI, express-session is on npm.
    assert_eq!(
        (
            a.cross_ecosystem.pypi_invented,
            a.cross_ecosystem.pypi_on_npm
        ),
        (3, 1)
    );
    assert_eq!(
        a.cross_ecosystem.examples,
        [(Ecosystem::PyPI, "express-session".to_owned())]
    );
    // Overlap: pyhttpx-client by 2 models; dataframe-sanitizer and express-session by 1;
    // the real names requests, numpy, pandas, express by 1 (the unknown one by none).
    assert_eq!(a.overlap, [(1, 2, 4), (2, 1, 0)]);
    // Every distinct invented name has a distance bucket.
    assert_eq!(a.distance.values().sum::<u64>(), 3);
    assert!(a.persistence.is_none());
    assert!(a.temperature.is_empty());
}
