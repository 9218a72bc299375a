//! Study files: the example parses with the paper's defaults; mistakes are errors that
//! say what is wrong.

use std::path::Path;

use depproof_study::{Heuristic, Language, StudyConfig};

#[test]
fn example_study_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/study/study.toml");
    let c = StudyConfig::load(&path).unwrap();
    assert_eq!(c.models.len(), 2);
    assert_eq!(c.models[0].endpoints.len(), 2);
    assert_eq!(c.models[1].api_key_env.as_deref(), Some("OPENAI_API_KEY"));
    assert_eq!(c.heuristics, Heuristic::ALL);
    assert_eq!(c.persistence, 10);
    assert_eq!(c.decoding.code_temperatures(), [0.7]);
    assert_eq!(
        (
            c.decoding.list_temperature,
            c.decoding.top_p,
            c.decoding.top_k
        ),
        (0.01, 0.9, 20)
    );
    assert_eq!(
        (c.decoding.code_max_tokens, c.decoding.list_max_tokens),
        (2048, 64)
    );
    assert_eq!(c.prompt_sets[1].language, Language::JavaScript);
    // The prompt files it names are the paper's.
    for set in &c.prompt_sets {
        let prompts = depproof_study::prompts::load(&c.prompt_path(set), set.limit).unwrap();
        assert_eq!(prompts.len(), 500);
    }
}

#[test]
fn mistakes_are_errors() {
    let base = "[[model]]\nname = \"m\"\nendpoints = [\"http://127.0.0.1:1/v1\"]\n[[prompts]]\nname = \"p\"\nlanguage = \"python\"\nfile = \"p.jsonl\"\n";
    assert!(StudyConfig::parse(base).is_ok());
    for (text, says) in [
        (
            base.replace("http://127.0.0.1:1/v1", "ftp://x"),
            "not an http(s) URL",
        ),
        (
            base.replace("endpoints = [\"http://127.0.0.1:1/v1\"]", "endpoints = []"),
            "no endpoints",
        ),
        (format!("concurrency = 0\n{base}"), "concurrency"),
        (
            format!("heuristics = [\"guess\"]\n{base}"),
            "unknown variant",
        ),
        (
            format!("[decoding]\ntemperatures = [3.0]\n{base}"),
            "outside",
        ),
        (base.replace("python", "cobol"), "unknown variant"),
        (
            format!("{base}[[model]]\nname = \"m\"\nendpoints = [\"http://h/v1\"]\n"),
            "two models are named",
        ),
    ] {
        let e = format!("{:#}", StudyConfig::parse(&text).unwrap_err());
        assert!(e.contains(says), "{e}");
    }
}
