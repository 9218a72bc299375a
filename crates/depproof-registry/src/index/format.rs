//! The on-disk layout of a snapshot index (format version 1).
//!
//! All integers are little-endian. Nothing is deserialized when an index opens: the
//! header is read field by field, and the sections are borrowed from the file's bytes.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "DPROOFIX"
//!      8     4  format version (u32)
//!     12     4  header length in bytes (u32), a multiple of 8; sections follow it
//!     16     8  checksum: xxh3-64 of every other byte of the file (0..16, then 24..end)
//!     24     1  ecosystem (1 = PyPI, 2 = npm)
//!     25     1  completeness (0 = complete, 1 = partial)
//!     26     1  popularity kind (1 = download rank, 2 = downloads a month)
//!     27     1  reserved, 0
//!     28     4  record size in bytes (u32, 12 in this version)
//!     32     8  name count (u64)
//!     40     8  popular name count (u64)
//!     48     8  popular threshold (u64): rank <= it, or downloads >= it
//!     56     8  partial cut (u64): the least downloads a month of an included package; 0 if complete
//!     64    80  section table: 5 x (offset u64, length u64), in the order of `Section`
//!    144     .  three strings, each a u16 length then UTF-8 bytes: snapshot date,
//!               source, and the partial cut in words ("" when complete); zero padding to 8
//! ```
//!
//! Sections: `names` (fst map: registry key -> row), `popular` (fst map over the popular
//! names only, for wider fuzzy search), `records` (one fixed-size row per name, in key
//! order), `versions` (u8 length + bytes, referenced by byte offset from a row), `folded`
//! (npm only: fst map from `lowercase(name) + "\0" + name` to row, for names with capitals,
//! so that a case-insensitive match can be suggested).
//!
//! A record row: version offset (u32), popularity (u32; 0 = no data), release month
//! (u16; `year * 12 + month - 1`, 0 = unknown), flags (u16).

/// The first eight bytes of every index file.
pub const MAGIC: &[u8; 8] = b"DPROOFIX";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Where the checksum field lies.
pub const CHECKSUM_AT: std::ops::Range<usize> = 16..24;

/// The checksum of an index: xxh3-64 of every byte but the checksum field itself.
/// `bytes` must be at least 24 bytes long.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&bytes[..CHECKSUM_AT.start]);
    h.update(&bytes[CHECKSUM_AT.end..]);
    h.digest()
}
/// Size of one row of the record table.
pub const RECORD_SIZE: usize = 12;
/// Offset of the section table.
pub const SECTION_TABLE: usize = 64;
/// Offset of the variable-length strings.
pub const STRINGS_START: usize = SECTION_TABLE + 16 * SECTION_COUNT;

/// The sections of an index, in the order of the section table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Names = 0,
    Popular = 1,
    Records = 2,
    Versions = 3,
    Folded = 4,
}

/// Number of sections in the table.
pub const SECTION_COUNT: usize = 5;

impl Section {
    /// Every section, in table order.
    pub const ALL: [Section; SECTION_COUNT] = [
        Section::Names,
        Section::Popular,
        Section::Records,
        Section::Versions,
        Section::Folded,
    ];

    /// The name used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Section::Names => "names",
            Section::Popular => "popular names",
            Section::Records => "records",
            Section::Versions => "versions",
            Section::Folded => "case-folded names",
        }
    }
}

/// Packs a `YYYY-MM` month into the row encoding; `None` when it is not a valid month.
pub fn encode_month(s: &str) -> Option<u16> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: u16 = y.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if !(1..=12).contains(&m) || y == 0 || y > 5000 {
        return None;
    }
    Some(y * 12 + m - 1)
}

/// Unpacks a row's month into (year, month 1-12); `None` for 0 (unknown).
pub fn decode_month(v: u16) -> Option<(u16, u8)> {
    if v == 0 {
        None
    } else {
        Some((v / 12, (v % 12 + 1) as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip_and_reject_garbage() {
        for s in ["2026-11", "1999-01", "2005-12"] {
            let v = encode_month(s).unwrap();
            let (y, m) = decode_month(v).unwrap();
            assert_eq!(format!("{y:04}-{m:02}"), s);
        }
        for s in [
            "", "2026", "2026-13", "2026-00", "26-01", "2026-1", "abcd-ef", "0000-01",
        ] {
            assert_eq!(encode_month(s), None, "{s}");
        }
        assert_eq!(decode_month(0), None);
    }
}
