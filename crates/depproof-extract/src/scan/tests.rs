//! The scan as a whole: real-looking inputs through dispatch, resolution and include
//! following.

use std::sync::{Arc, LazyLock};

use depproof_registry::{Ecosystem, Index, embedded};

use super::*;
use crate::javascript::JsDialect;

static PYPI: LazyLock<Index> =
    LazyLock::new(|| embedded::open(Ecosystem::PyPI).expect("embedded PyPI snapshot"));

fn package<'r>(scan: &'r ScanResult, eco: Ecosystem, name: &str) -> Vec<&'r Reference> {
    scan.references
        .iter()
        .filter(|r| {
            matches!(&r.target, Target::Package { ecosystem, name: n }
                     if *ecosystem == eco && n == name)
        })
        .collect()
}

#[test]
fn line_scan_imports_stay_uncertain_through_resolution() {
    let text = "import numpy as np\nTEMPLATE = \"\"\"never closed\nimport requests\n";
    let scan = scan_bytes(
        Arc::from("tools/broken.py"),
        text.as_bytes(),
        SourceKind::Python,
        &PYPI,
    );
    let numpy = package(&scan, Ecosystem::PyPI, "numpy");
    let requests = package(&scan, Ecosystem::PyPI, "requests");
    assert_eq!(
        (numpy.len(), requests.len()),
        (1, 1),
        "{:?}",
        scan.references
    );
    assert!(!numpy[0].uncertain);
    assert!(requests[0].uncertain);
    assert_eq!(requests[0].location.line, 3);
}

#[test]
fn types_directives_name_definitely_typed_packages() {
    let text = "/// <reference types=\"node\" />\n/// <reference types=\"vite/client\" />\n\
                /// <reference path=\"./env.d.ts\" />\nimport { defineConfig } from 'vite';\n";
    let scan = scan_bytes(
        Arc::from("src/vite-env.d.ts"),
        text.as_bytes(),
        SourceKind::JavaScript(JsDialect::Dts),
        &PYPI,
    );
    let names: Vec<(&str, bool, bool)> = scan
        .references
        .iter()
        .map(|r| match &r.target {
            Target::Package { name, .. } => (name.as_str(), r.dev, r.uncertain),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            ("@types/node", true, true),
            ("vite", true, false),
            ("vite", true, false)
        ]
    );
    assert_eq!(scan.references[0].location.column, 23);
    // The path directive names a file: not even a project import.
    assert_eq!(scan.skipped, Skipped::default());
}
