//! Fuzzes the `PoetryLock` lockfile finder: it must not panic or hang, and every span it
//! reports must lie within the input on character boundaries.
#![no_main]

use depproof_extract::lockfile::{LockfileKind, find};
use depproof_extract::{Code, Output};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let code = Code::file("fuzz".into(), text);
    let mut out = Output::default();
    find(&code, LockfileKind::PoetryLock, &mut out);
    for f in &out.found {
        let (s, e) = (f.location.start as usize, f.location.end as usize);
        assert!(s <= e && e <= text.len());
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    }
});
