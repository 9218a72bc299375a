//! The scan as a whole: real-looking inputs through dispatch, resolution and include
//! following.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use depproof_registry::{Ecosystem, Index, embedded};

use super::*;
use crate::javascript::JsDialect;
use crate::reference::Kind;

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

/// Writes `files` under a fresh directory named for the test.
fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("depproof-scan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn scan_tree(root: &Path) -> ScanResult {
    scan_paths(
        &[root.to_path_buf()],
        &ScanOptions::default(),
        &PYPI,
        &|_, _| {},
    )
}

/// Where each reference to a PyPI package is: (path below `root`, line, kind).
fn places(scan: &ScanResult, root: &Path, name: &str) -> Vec<(String, u32, Kind)> {
    let prefix = format!("{}/", display_path(root));
    package(scan, Ecosystem::PyPI, name)
        .iter()
        .map(|r| {
            let path = r.location.path.strip_prefix(prefix.as_str());
            (
                path.unwrap_or(&r.location.path).to_owned(),
                r.location.line,
                r.kind,
            )
        })
        .collect()
}

/// The warnings, as (path below `root`, line, message).
fn warnings(scan: &ScanResult, root: &Path) -> Vec<(String, Option<u32>, String)> {
    let prefix = format!("{}/", display_path(root));
    scan.diagnostics
        .iter()
        .map(|d| {
            let path = d.path.strip_prefix(prefix.as_str()).unwrap_or(&d.path);
            (path.to_owned(), d.line, d.message.clone())
        })
        .collect()
}

const NOTEBOOK: &str = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["!pip install -q -r nb.in\n", "import seaborn as sns\n"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

#[test]
fn files_read_by_install_commands_are_scanned() {
    let root = tree(
        "commands",
        &[
            ("requirements.txt", "requests>=2.31\n"),
            (
                "scripts/bootstrap.sh",
                "#!/bin/sh\nset -e\npython -m pip install --upgrade pip\n\
                 python -m pip install -r ../deps/tools.in -c constraints.in\n",
            ),
            ("scripts/constraints.in", "click<9\n"),
            ("scripts/setup.sh", "pip install -r ../requirements.txt\n"),
            (
                "scripts/missing.sh",
                "#!/bin/sh\n\npip3 install -r nowhere.txt\n",
            ),
            (
                "scripts/conda.sh",
                "conda install -y --file conda-specs.txt\n",
            ),
            ("scripts/conda-specs.txt", "numpy=1.26\n"),
            ("deps/tools.in", "black==24.4.2\n"),
            ("deps/dev.in", "-r tools.in\nmypy\n"),
            ("deps/ci.in", "pytest-cov\n"),
            ("deps/docs.in", "sphinx\n"),
            (
                ".github/workflows/test.yml",
                "name: test\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n\
                 \x20     - uses: actions/checkout@v4\n\
                 \x20     - run: pip install -r deps/ci.in\n",
            ),
            (
                "docker/Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\n\
                 RUN pip install --no-cache-dir -r /app/requirements.txt\n\
                 RUN pip install --no-cache-dir -r deps/ci.in\n",
            ),
            ("Makefile", "dev:\n\t@pip install -r deps/dev.in\n"),
            (
                "docs/install.md",
                "# Install\n\n```console\n$ pip install -r deps/docs.in\n```\n\n\
                 Or run `pip install -r local.in` from this directory.\n\
                 In prose, pip install -r prose.in is not followed.\n",
            ),
            ("docs/local.in", "furo\n"),
            ("docs/prose.in", "sphinx-rtd-theme\n"),
            ("notebooks/explore.ipynb", NOTEBOOK),
            ("notebooks/nb.in", "seaborn==0.13.2\n"),
            // A project inside the scanned tree: its CI runs at its own root.
            (
                "services/api/.github/workflows/ci.yml",
                "jobs:\n  t:\n    steps:\n      - run: pip install -r requirements-api.in\n",
            ),
            ("services/api/requirements-api.in", "fastapi\n"),
        ],
    );
    let scan = scan_tree(&root);
    let m = Kind::Manifest;
    // Relative to the script's directory; a file already walked is read once.
    assert_eq!(
        places(&scan, &root, "black"),
        [("deps/tools.in".into(), 1, m)]
    );
    assert_eq!(
        places(&scan, &root, "click"),
        [("scripts/constraints.in".into(), 1, m)]
    );
    assert_eq!(
        places(&scan, &root, "requests"),
        [("requirements.txt".into(), 1, m)]
    );
    // A Makefile's file, and the file it includes in turn (already read: not again).
    assert_eq!(places(&scan, &root, "mypy"), [("deps/dev.in".into(), 2, m)]);
    // CI configuration and documents fall back to the root; Dockerfiles do not.
    assert_eq!(
        places(&scan, &root, "pytest-cov"),
        [("deps/ci.in".into(), 1, m)]
    );
    assert_eq!(
        places(&scan, &root, "sphinx"),
        [("deps/docs.in".into(), 1, m)]
    );
    assert_eq!(
        places(&scan, &root, "fastapi"),
        [("services/api/requirements-api.in".into(), 1, m)]
    );
    // Beside the document first; prose is not followed.
    assert_eq!(
        places(&scan, &root, "furo"),
        [("docs/local.in".into(), 1, m)]
    );
    assert!(places(&scan, &root, "sphinx-rtd-theme").is_empty());
    // A notebook's command runs in its directory.
    assert_eq!(
        places(&scan, &root, "seaborn"),
        [
            ("notebooks/explore.ipynb".into(), 2, Kind::Import),
            ("notebooks/nb.in".into(), 1, m)
        ]
    );
    // conda's --file holds conda specs, not requirements.
    assert!(places(&scan, &root, "numpy").is_empty());
    // Missing files are warnings naming where they are named; an absolute path (inside
    // an image) is not looked up.
    let w = warnings(&scan, &root);
    assert_eq!(
        w,
        [
            (
                "docker/Dockerfile".into(),
                Some(5),
                "`deps/ci.in` is read by an install command but does not exist".into()
            ),
            (
                "scripts/missing.sh".into(),
                Some(3),
                "`nowhere.txt` is read by an install command but does not exist".into()
            ),
        ]
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn command_files_follow_includes_cycles_end_and_dynamic_paths_are_left() {
    let root = tree(
        "command-includes",
        &[
            ("scripts/a.sh", "pip install -r ../deps/a.in\n"),
            ("deps/a.in", "-r b.in\nattrs\n"),
            ("deps/b.in", "-r a.in\n-r gone.in\nrich\n"),
            (
                ".github/workflows/matrix.yml",
                "jobs:\n  t:\n    steps:\n      - run: pip install -r ${{ matrix.reqs }}\n\
                 \x20     - run: pip install -r $REQS -r ~/extra.txt\n\
                 \x20     - run: pip install -r https://example.org/r.txt\n\
                 \x20     - run: pip install -r missing-ci.txt\n",
            ),
        ],
    );
    let scan = scan_tree(&root);
    assert_eq!(
        places(&scan, &root, "attrs"),
        [("deps/a.in".into(), 2, Kind::Manifest)]
    );
    assert_eq!(
        places(&scan, &root, "rich"),
        [("deps/b.in".into(), 3, Kind::Manifest)]
    );
    assert_eq!(
        warnings(&scan, &root),
        [
            (
                ".github/workflows/matrix.yml".into(),
                Some(7),
                "`missing-ci.txt` is read by an install command but does not exist beside \
                 this file nor in a directory above it"
                    .into()
            ),
            (
                "deps/b.in".into(),
                Some(2),
                "`gone.in` is included but does not exist".into()
            ),
        ]
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[cfg(unix)]
#[test]
fn named_files_are_opened_through_symbolic_links_as_written() {
    let root = tree(
        "links",
        &[
            (
                "setup.sh",
                "pip install -r tools/../extra.in -r ./deps/../base.in\n",
            ),
            ("vendor/pkg/tools/README.md", "# tools\n"),
            ("vendor/pkg/extra.in", "attrs\n"),
            ("extra.in", "rich\n"),
            ("base.in", "click\n"),
        ],
    );
    std::os::unix::fs::symlink(root.join("vendor/pkg/tools"), root.join("tools")).unwrap();
    std::fs::create_dir_all(root.join("deps")).unwrap();
    let scan = scan_tree(&root);
    // `tools/..` is vendor/pkg, where the shell would look: shown as written.
    assert_eq!(
        places(&scan, &root, "attrs"),
        [("tools/../extra.in".into(), 1, Kind::Manifest)]
    );
    assert!(places(&scan, &root, "rich").is_empty());
    // Without a link in the way, the path is shown tidied.
    assert_eq!(
        places(&scan, &root, "click"),
        [("base.in".into(), 1, Kind::Manifest)]
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_document_named_like_a_requirements_file_is_one_warning() {
    // Django's docs/ref/models/constraints.txt, abridged: reStructuredText in which a few
    // lines happen to parse as names.
    let rst = "=====================\nConstraints reference\n=====================\n\n\
               .. module:: django.db.models.constraints\n\nPostgreSQL\n\n\
               The classes defined in this module create database constraints.\n\
               They are added in the model Meta.constraints option.\n\
               Constraints are checked during model validation, except for\n\
               those that are deferred; see the database documentation.\n\
               If a constraint is violated, an IntegrityError is raised.\n\
               Most databases support only some of these options.\n\
               For example::\n\nUniqueConstraint(name=\"unique_booking\", fields=[\"room\"])\n\n\
               Attributes\n----------\n\nexpressions\n";
    let scan = scan_bytes(
        Arc::from("docs/constraints.txt"),
        rst.as_bytes(),
        SourceKind::REQUIREMENTS,
        &PYPI,
    );
    assert!(scan.references.is_empty(), "{:?}", scan.references);
    assert_eq!(scan.diagnostics.len(), 1, "{:?}", scan.diagnostics);
    assert!(scan.diagnostics[0].message.contains("read as a document"));
    // A real requirements file with one broken line keeps its packages and the warning.
    let req = "flask==3.0\nrequests>=2\nthis is not a requirement\nnumpy\n";
    let scan = scan_bytes(
        Arc::from("requirements.txt"),
        req.as_bytes(),
        SourceKind::REQUIREMENTS,
        &PYPI,
    );
    assert_eq!(scan.references.len(), 3);
    assert_eq!(scan.diagnostics.len(), 1);
    assert_eq!(scan.diagnostics[0].line, Some(3));
}
