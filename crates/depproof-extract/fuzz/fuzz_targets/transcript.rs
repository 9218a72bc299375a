#![no_main]

use std::sync::Arc;

use depproof_extract::Code;
use depproof_extract::markdown::regions;
use depproof_extract::transcript::{assistant_messages, looks_like_transcript};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = looks_like_transcript(text);
    let path: Arc<str> = Arc::from("fuzz.jsonl");
    let (messages, _) = assistant_messages(&path, text);
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.index as usize, i + 1);
        assert!(m.line >= 1 && m.line as usize <= text.lines().count().max(1));
        let code = Code::embedded(Arc::clone(&path), &m.text, 0, m.line - 1, 0).in_cell(m.index);
        let _ = regions(&code);
    }
});
