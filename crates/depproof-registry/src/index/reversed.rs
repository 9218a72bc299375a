//! The popular names spelt backwards, as an fst map to the same rows: the second half of
//! the distance-2 search walks it (see `fuzzy`). Shared with the build script, which
//! derives it for the embedded snapshots at compile time, so this file uses nothing but
//! `std` and `fst`.

use fst::Streamer;

/// An fst map from each key of `popular`, its characters in reverse order, to the key's
/// value. Keys that are not UTF-8 (no valid index has any) are left out.
pub fn reversed_map<D: AsRef<[u8]>>(popular: &fst::Map<D>) -> Result<Vec<u8>, fst::Error> {
    let mut keys: Vec<(Vec<u8>, u64)> = Vec::with_capacity(popular.len());
    let mut stream = popular.stream();
    while let Some((key, value)) = stream.next() {
        if let Ok(key) = std::str::from_utf8(key) {
            keys.push((key.chars().rev().collect::<String>().into_bytes(), value));
        }
    }
    // Reversal is one-to-one, so the keys stay distinct.
    keys.sort_unstable();
    let mut map = fst::MapBuilder::memory();
    for (key, value) in keys {
        map.insert(key, value)?;
    }
    map.into_inner()
}
