#![no_main]

use depproof_extract::Code;
use depproof_extract::markdown::{regions, strip_console_prompts, strip_shell_prompts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let code = Code::embedded("fuzz.md".into(), text, 7, 3, 2).in_cell(4);
    let (rs, _) = regions(&code);
    let mut prev_start = 0;
    for r in &rs {
        assert!(r.start >= prev_start, "regions out of order");
        prev_start = r.start;
        assert!(
            text.get(r.start..r.end()).is_some(),
            "region off bounds: {r:?}"
        );
        let mut prev = 0;
        for b in &r.blank {
            assert!(
                b.start >= prev && b.start < b.end && b.end <= r.len,
                "bad blank {r:?}"
            );
            prev = b.end;
        }
        let cleaned = r.text(text);
        assert_eq!(cleaned.len(), r.len);
        let c = r.code(&code, &cleaned);
        let _ = c.location(0, cleaned.len());
    }
    assert_eq!(strip_console_prompts(text).len(), text.len());
    assert_eq!(strip_shell_prompts(text).len(), text.len());
});
