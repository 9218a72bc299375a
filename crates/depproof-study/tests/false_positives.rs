//! Every string the paper's naive parsers took for a package name
//! (false_positives_{python,javascript}.csv) fed to the answer-list parser as a whole
//! answer: none comes out as an invented name. Where cleaning leaves a real package
//! (`"wandb"`, `<code>urllib3</code>`), the name it gives is on the registry.

use std::path::Path;

use depproof_assess::{Assessor, Policy};
use depproof_registry::{Ecosystem, embedded};
use depproof_study::extract::{Status, references};
use depproof_study::{Heuristic, Language, parse};

fn strings(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/paper")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    // index,string,{models},count — the string may hold commas and quotes (CSV quoting).
    for line in csv_records(&text).into_iter().skip(1) {
        assert!(line.len() >= 4, "{line:?}");
        out.push(line[1].clone());
    }
    out
}

/// A small RFC 4180 reader: quoted fields with doubled quotes and embedded newlines.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' if field.is_empty() => quoted = true,
                ',' => record.push(std::mem::take(&mut field)),
                '\n' => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                '\r' => {}
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

fn check(file: &str, language: Language, expected: usize) {
    let pypi = embedded::open(Ecosystem::PyPI).unwrap();
    let npm = embedded::open(Ecosystem::Npm).unwrap();
    let policy = Policy::default();
    let assessor = Assessor::new(depproof_assess::Registry::new(&pypi, &npm), &policy);
    let all = strings(file);
    assert_eq!(all.len(), expected, "{file}");
    let mut real = 0;
    let mut bad = Vec::new();
    for s in &all {
        for h in [Heuristic::CodePackages, Heuristic::PromptPackages] {
            for r in references(s, h, language, &assessor) {
                match r.status {
                    Status::Exists | Status::Squatted => real += 1,
                    Status::Absent | Status::Unknown => bad.push((s.clone(), r.name.clone())),
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{file}: {} strings give a name: {:?}",
        bad.len(),
        &bad[..bad.len().min(40)]
    );
    assert_eq!(real, 0, "{file}: every string comes out as no package name");

    // The structural rules alone (without the reviewed list): flags, numbers, paths, URLs
    // and prose never give a name. (Markup around one token, `<code>ajax</code>`, gives
    // the token: only the reviewed list knows it is not a package.)
    let eco = language.ecosystem();
    let mut structural = 0;
    for s in &all {
        let junk = s.contains("://") && !s.contains("](")
            || s.trim().contains(' ')
            || s.starts_with(['-', '$', '~', '#', '!', '/'])
            || !s.contains(|c: char| c.is_ascii_alphabetic());
        let names = parse::package_list_with(s, eco, false);
        if names.is_empty() {
            structural += 1;
        } else {
            assert!(!junk, "{file}: `{s}` gives {names:?}");
        }
    }
    eprintln!(
        "{file}: {} strings; the structural rules alone reject {structural} ({:.1}%)",
        all.len(),
        100.0 * structural as f64 / all.len() as f64
    );
}

#[test]
fn the_reviewed_lists_leave_bare_names_alone() {
    assert_eq!(
        parse::package_list("wandb, urllib3, astropy", Ecosystem::PyPI),
        ["wandb", "urllib3", "astropy"]
    );
    assert_eq!(
        parse::package_list("express, lodash, @angular/core", Ecosystem::Npm),
        ["express", "lodash", "@angular/core"]
    );
}

#[test]
fn python_false_positives_are_never_invented_names() {
    check("false_positives_python.csv", Language::Python, 3881);
}

#[test]
fn javascript_false_positives_are_never_invented_names() {
    check("false_positives_javascript.csv", Language::JavaScript, 5560);
}
