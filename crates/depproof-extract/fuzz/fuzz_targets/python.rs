//! Feeds arbitrary text to the Python import finder and the IPython magic blanker: neither
//! may panic, every span must lie on character boundaries of the input, and blanking must
//! keep the text's length and line breaks.

#![no_main]

use depproof_extract::python::{blank_ipython_magics, find};
use depproof_extract::{Code, Mention, Output};
use libfuzzer_sys::fuzz_target;

fn check(text: &str) {
    let mut out = Output::default();
    find(&Code::file("fuzz.py".into(), text), &mut out);
    assert!(out.diagnostics.len() <= 1);
    for found in &out.found {
        let (start, end) = (found.location.start as usize, found.location.end as usize);
        assert!(start <= end, "{found:?}");
        let span = text.get(start..end).expect("span on char boundaries");
        let Mention::PythonImport { module } = &found.mention else {
            panic!("not an import: {found:?}");
        };
        assert!(!module.is_empty() && !module.starts_with('.'), "{found:?}");
        // Names read from the source are the span itself, give or take spaces around dots
        // and escapes in strings; non-ASCII identifiers are NFKC-normalized, as Python does.
        if span.is_ascii() && !span.contains(['"', '\'', '\\']) && span.len() == module.len() {
            assert_eq!(span, module);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text);
    let blanked = blank_ipython_magics(text);
    assert_eq!(blanked.len(), text.len());
    assert!(
        blanked
            .bytes()
            .zip(text.bytes())
            .all(|(b, t)| b == t || (b == b' ' && t != b'\n' && t != b'\r'))
    );
    check(&blanked);
});
