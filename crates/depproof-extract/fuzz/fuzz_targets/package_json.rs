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
    let code = Code::file("package.json".into(), text);
    let mut out = Output::default();
    manifest::find_package_json(&code, &mut out);
    let _ = manifest::package_json_name_and_workspaces(text);
    check(text, &out);
});
