//! Fuzzes Python import resolution: arbitrary file paths make the project, arbitrary imports
//! are resolved against it and the embedded PyPI snapshot. Nothing may panic.
#![no_main]

use std::sync::LazyLock;

use depproof_extract::resolve::python::{
    PythonProject, alternatives, expects_imported_name, resolve_python, stdlib_info,
};
use depproof_registry::{Ecosystem, Index, embedded};
use libfuzzer_sys::fuzz_target;

static PYPI: LazyLock<Option<Index>> = LazyLock::new(|| embedded::open(Ecosystem::PyPI).ok());

fuzz_target!(|data: &[u8]| {
    let Some(pypi) = PYPI.as_ref() else { return };
    let text = String::from_utf8_lossy(data);
    // Lines before the first empty line are project files, the rest are imports.
    let (files, imports) = text.split_once("\n\n").unwrap_or(("", &text));
    let mut project = PythonProject::new();
    for line in files.lines() {
        project.add_module_path(line);
        if line.starts_with('=') {
            project.add_distribution_name(&line[1..]);
        }
    }
    for line in imports.lines() {
        let _ = resolve_python(line, &project, pypi);
        let _ = (alternatives(line), expects_imported_name(line), stdlib_info(line));
    }
});
