#![no_main]

use std::sync::Arc;

use depproof_extract::notebook::cells;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path: Arc<str> = Arc::from("fuzz.ipynb");
    let (cells, _) = cells(&path, text);
    let mut prev = 0;
    for cell in &cells {
        assert!(cell.number > prev);
        prev = cell.number;
        let (regions, _) = cell.regions(&path);
        for r in &regions {
            assert!(cell.source.get(r.start..r.end()).is_some());
            assert_eq!(r.text(&cell.source).len(), r.len);
        }
    }
});
