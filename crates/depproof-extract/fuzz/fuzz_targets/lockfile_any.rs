//! Fuzzes every lockfile finder: the first byte picks the format, the rest is the file.
#![no_main]

use depproof_extract::lockfile::{LockfileKind, find};
use depproof_extract::{Code, Output};
use libfuzzer_sys::fuzz_target;

const KINDS: [LockfileKind; 9] = [
    LockfileKind::PackageLock,
    LockfileKind::YarnLock,
    LockfileKind::PnpmLock,
    LockfileKind::BunLock,
    LockfileKind::BunLockb,
    LockfileKind::PoetryLock,
    LockfileKind::UvLock,
    LockfileKind::PipfileLock,
    LockfileKind::PyLock,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = KINDS[pick as usize % KINDS.len()];
    let code = Code::file("fuzz".into(), text);
    let mut out = Output::default();
    find(&code, kind, &mut out);
    for f in &out.found {
        let (s, e) = (f.location.start as usize, f.location.end as usize);
        assert!(s <= e && e <= text.len());
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    }
});
