//! The popular names of an index, with what the snapshot knows of each.
//!
//! `Index` offers its popular set only through fuzzy search, and walking every name to
//! pick the popular ones costs a fifth of a second on the full PyPI list. When the index
//! is the snapshot compiled into the binary (same checksum), its `popular` section is read
//! straight from the embedded bytes instead: 15,000 keys, then one exact lookup each.

use fst::Streamer;

use crate::index::format::{CHECKSUM_AT, SECTION_TABLE, Section};
use crate::{Index, PackageInfo, embedded};

/// The popular packages of `index`, in key order.
pub(crate) fn popular_infos(index: &Index) -> Vec<PackageInfo> {
    if let Some(keys) = embedded_popular_keys(index) {
        return keys.iter().filter_map(|k| index.get(k)).collect();
    }
    let mut out = Vec::new();
    index.for_each_name(|_, info| {
        if info.popular {
            out.push(info);
        }
    });
    out
}

/// The keys of the embedded snapshot's popular section, when `index` is that snapshot.
fn embedded_popular_keys(index: &Index) -> Option<Vec<String>> {
    let bytes = embedded::bytes(index.ecosystem());
    let stored = u64::from_le_bytes(bytes.get(CHECKSUM_AT)?.try_into().ok()?);
    if bytes.is_empty() || stored != index.header().checksum {
        return None;
    }
    let at = SECTION_TABLE + 16 * Section::Popular as usize;
    let word = |i: usize| -> Option<usize> {
        usize::try_from(u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?)).ok()
    };
    let (off, len) = (word(at)?, word(at + 8)?);
    let section = bytes.get(off..off.checked_add(len)?)?;
    let map = fst::Map::new(section).ok()?;
    let mut keys = Vec::with_capacity(map.len());
    let mut stream = map.stream();
    while let Some((k, _)) = stream.next() {
        keys.push(String::from_utf8(k.to_vec()).ok()?);
    }
    Some(keys)
}
