//! The install-command finder on arbitrary text, in both readings, and its argv grammar
//! on arbitrary words: it must never panic or hang, and every span must lie in the text.
#![no_main]

use depproof_extract::install::{self, Mode};
use depproof_extract::{Code, Output};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for mode in [Mode::Script, Mode::Prose] {
        let code = Code::file("fuzz".into(), &text);
        let mut out = Output::default();
        let files = install::find_with(&code, mode, &mut out);
        for loc in out
            .found
            .iter()
            .map(|f| &f.location)
            .chain(files.iter().map(|f| &f.location))
        {
            let (a, b) = (loc.start as usize, loc.end as usize);
            assert!(a <= b && b <= text.len(), "span {a}..{b} outside the text");
            assert!(
                text.is_char_boundary(a) && text.is_char_boundary(b),
                "span {a}..{b} splits a character"
            );
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    for cmd in install::parse_argv(&words) {
        for p in &cmd.packages {
            let arg = words.get(p.arg).expect("argument index in range");
            assert!(
                arg.get(p.range.clone()).is_some(),
                "range {:?} outside {arg:?}",
                p.range
            );
        }
    }
});
