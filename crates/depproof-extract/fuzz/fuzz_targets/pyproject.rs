#![no_main]

use depproof_extract::{Code, Output, manifest};
use libfuzzer_sys::fuzz_target;

/// Every span lies within the text, on character boundaries.
fn check(text: &str, out: &Output) {
    for f in &out.found {
        let (s, e) = (f.location.start as usize, f.location.end as usize);
        assert!(
            s <= e && e <= text.len(),
            "span {s}..{e} out of {}",
            text.len()
        );
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let code = Code::file("pyproject.toml".into(), text);
    let mut out = Output::default();
    manifest::find_pyproject(&code, &mut out);
    let _ = manifest::pyproject_project_name(text);
    check(text, &out);
    // Pipfile, setup.cfg, setup.py and conda files share the TOML and requirement code.
    for (kind, path) in [
        (manifest::ManifestKind::Pipfile, "Pipfile"),
        (manifest::ManifestKind::SetupCfg, "setup.cfg"),
        (manifest::ManifestKind::SetupPy, "setup.py"),
        (manifest::ManifestKind::CondaEnvironment, "environment.yml"),
    ] {
        let code = Code::file(path.into(), text);
        let mut out = Output::default();
        manifest::find_manifest(kind, &code, &mut out);
        let _ = manifest::includes(kind, &code);
        check(text, &out);
    }
});
