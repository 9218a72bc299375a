//! The on-disk layout of an overlay file (format version 1).
//!
//! All integers are little-endian. Like the snapshot index, nothing is deserialized when
//! a file opens: the header is read field by field and the sections are borrowed from the
//! memory-mapped bytes.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "DPROOFOV"
//!      8     4  format version (u32)
//!     12     4  header length in bytes (u32), a multiple of 8; sections follow it
//!     16     8  file checksum: xxh3-64 of every byte but 16..32
//!     24     8  open checksum: xxh3-64 of bytes 0..16 and 32..header length, then the
//!               keys and postings sections
//!     32     1  kind (1 = malicious, 2 = hallucinations)
//!     33     7  reserved, 0
//!     40     8  live record count (u64): records reachable from the keys
//!     48     8  withdrawn record count (u64): tombstones, kept so that an older copy of a
//!               withdrawn record imported later does not bring it back
//!     56     8  key count (u64)
//!     64    48  section table: 3 x (offset u64, length u64): keys, postings, records
//!    112     4  metadata length (u32), then that many bytes of UTF-8 JSON (provenance:
//!               created, updated, sources, counts); zero padding to 8
//! ```
//!
//! `keys` is an fst map from `ecosystem code byte + registry key` to a value: with bit 63
//! clear, the offset of the one record filed under that key in `records`; with bit 63
//! set, the offset in `postings` of a list (u32 count, then u64 record offsets).
//!
//! `records` is every record (live and withdrawn) one after the other: u32 record
//! checksum (the low 32 bits of xxh3-64 of the body), u32 body length, body.
//!
//! Why two checksums: verifying all of a 200,000-record file costs milliseconds, more
//! than a `depproof check` may spend. Opening verifies the header, the fst and the
//! postings (everything the fst reader trusts); each record is verified when it is read;
//! the file checksum covers it all and is verified by [`OverlayFile::verify`] (`depproof
//! index info`) and after every write.

use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fst::Streamer;

use super::OverlayError;
use crate::Ecosystem;

/// The first eight bytes of every overlay file.
pub const MAGIC: &[u8; 8] = b"DPROOFOV";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
const FILE_CHECKSUM: usize = 16;
const OPEN_CHECKSUM: usize = 24;
const SECTION_TABLE: usize = 64;
const METADATA_AT: usize = 112;
const POSTINGS_FLAG: u64 = 1 << 63;

/// What an overlay file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum OverlayKind {
    /// Packages reported as malicious (OSV records).
    Malicious = 1,
    /// Names language models were seen to invent.
    Hallucinations = 2,
}

impl OverlayKind {
    /// `malicious` or `hallucinations`.
    pub fn id(self) -> &'static str {
        match self {
            OverlayKind::Malicious => "malicious",
            OverlayKind::Hallucinations => "hallucinations",
        }
    }

    /// The file name inside the overlay directory.
    pub fn file_name(self) -> &'static str {
        match self {
            OverlayKind::Malicious => "malicious.dpo",
            OverlayKind::Hallucinations => "hallucinations.dpo",
        }
    }

    fn from_code(c: u8) -> Option<OverlayKind> {
        match c {
            1 => Some(OverlayKind::Malicious),
            2 => Some(OverlayKind::Hallucinations),
            _ => None,
        }
    }
}

pub(crate) fn eco_code(e: Ecosystem) -> u8 {
    crate::index::ecosystem_code(e)
}

pub(crate) fn eco_from_code(c: u8) -> Option<Ecosystem> {
    Ecosystem::ALL.into_iter().find(|&e| eco_code(e) == c)
}

/// The fst key of a registry key.
pub(crate) fn key_bytes(eco: Ecosystem, key: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(key.len() + 1);
    k.push(eco_code(eco));
    k.extend_from_slice(key.as_bytes());
    k
}

fn record_checksum(body: &[u8]) -> u32 {
    xxhash_rust::xxh3::xxh3_64(body) as u32
}

/// Appends binary fields to a record body.
#[derive(Default)]
pub(crate) struct Enc(pub Vec<u8>);

impl Enc {
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A string of at most 65,535 bytes, cut at a character boundary if longer.
    pub fn str(&mut self, s: &str) {
        let mut end = s.len().min(u16::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.u16(end as u16);
        self.0.extend_from_slice(&s.as_bytes()[..end]);
    }
    /// A count that must fit in u16; longer lists are cut by the caller first.
    pub fn len16(&mut self, n: usize) {
        self.u16(u16::try_from(n).unwrap_or(u16::MAX));
    }
}

/// Reads binary fields from a record body; every read is bounds-checked.
pub(crate) struct Dec<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Dec<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Dec { b, at: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
    pub fn done(&self) -> bool {
        self.at == self.b.len()
    }
}

/// One record to write: its body and the keys it is filed under (none for a withdrawn
/// record).
pub(crate) struct RecordOut {
    pub keys: Vec<Vec<u8>>,
    pub body: Vec<u8>,
}

/// Lays out a complete overlay file.
pub(crate) fn write(
    kind: OverlayKind,
    records: &[RecordOut],
    metadata: &serde_json::Value,
) -> Result<Vec<u8>, String> {
    let mut records_section = Vec::new();
    let mut by_key: std::collections::BTreeMap<&[u8], Vec<u64>> = Default::default();
    let (mut live, mut withdrawn) = (0u64, 0u64);
    for r in records {
        let off = records_section.len() as u64;
        let body_len = u32::try_from(r.body.len()).map_err(|_| "a record over 4 GiB")?;
        records_section.extend_from_slice(&record_checksum(&r.body).to_le_bytes());
        records_section.extend_from_slice(&body_len.to_le_bytes());
        records_section.extend_from_slice(&r.body);
        if r.keys.is_empty() {
            withdrawn += 1;
        } else {
            live += 1;
        }
        for k in &r.keys {
            let offs = by_key.entry(k.as_slice()).or_default();
            if offs.last() != Some(&off) {
                offs.push(off);
            }
        }
    }
    if records_section.len() as u64 >= POSTINGS_FLAG {
        return Err("the records exceed the format's size limit".into());
    }
    let mut postings = Vec::new();
    let mut keys = fst::MapBuilder::memory();
    for (k, offs) in &by_key {
        let value = if let [one] = offs.as_slice() {
            *one
        } else {
            let at = postings.len() as u64 | POSTINGS_FLAG;
            postings.extend_from_slice(&(offs.len() as u32).to_le_bytes());
            for o in offs {
                postings.extend_from_slice(&o.to_le_bytes());
            }
            at
        };
        keys.insert(k, value).map_err(|e| e.to_string())?;
    }
    let keys = keys.into_inner().map_err(|e| e.to_string())?;
    let meta = serde_json::to_vec(metadata).map_err(|e| e.to_string())?;
    let meta_len = u32::try_from(meta.len()).map_err(|_| "metadata over 4 GiB")?;
    let header_len = (METADATA_AT + 4 + meta.len()).next_multiple_of(8);
    let mut out =
        Vec::with_capacity(header_len + keys.len() + postings.len() + records_section.len() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header_len as u32).to_le_bytes());
    out.extend_from_slice(&[0; 16]);
    out.push(kind as u8);
    out.extend_from_slice(&[0; 7]);
    out.extend_from_slice(&live.to_le_bytes());
    out.extend_from_slice(&withdrawn.to_le_bytes());
    out.extend_from_slice(&(by_key.len() as u64).to_le_bytes());
    let mut at = header_len as u64;
    for len in [keys.len(), postings.len(), records_section.len()] {
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&(len as u64).to_le_bytes());
        // Sections start at multiples of 8, like the index's.
        at = (at + len as u64).next_multiple_of(8);
    }
    debug_assert_eq!(out.len(), METADATA_AT);
    out.extend_from_slice(&meta_len.to_le_bytes());
    out.extend_from_slice(&meta);
    for section in [&keys, &postings, &records_section] {
        out.resize(out.len().next_multiple_of(8), 0);
        out.extend_from_slice(section);
    }
    let header_end = header_len;
    let sections = section_ranges_unchecked(&out);
    let open = open_checksum(&out, header_end, &sections);
    out[OPEN_CHECKSUM..OPEN_CHECKSUM + 8].copy_from_slice(&open.to_le_bytes());
    let file = file_checksum(&out);
    out[FILE_CHECKSUM..FILE_CHECKSUM + 8].copy_from_slice(&file.to_le_bytes());
    Ok(out)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The section table as written; only for the writer, which knows it is in bounds.
fn section_ranges_unchecked(b: &[u8]) -> [Range<usize>; 3] {
    std::array::from_fn(|i| {
        let t = SECTION_TABLE + 16 * i;
        let off = u64_at(b, t) as usize;
        off..off + u64_at(b, t + 8) as usize
    })
}

fn file_checksum(b: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&b[..FILE_CHECKSUM]);
    h.update(&b[OPEN_CHECKSUM + 8..]);
    h.digest()
}

fn open_checksum(b: &[u8], header_len: usize, sections: &[Range<usize>; 3]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&b[..FILE_CHECKSUM]);
    h.update(&b[OPEN_CHECKSUM + 8..header_len]);
    h.update(&b[sections[0].clone()]);
    h.update(&b[sections[1].clone()]);
    h.digest()
}

enum Source {
    Mmap(memmap2::Mmap),
}

impl Source {
    fn bytes(&self) -> &[u8] {
        match self {
            Source::Mmap(m) => m,
        }
    }
}

#[derive(Clone)]
struct Slice {
    src: Arc<Source>,
    range: Range<usize>,
}

impl AsRef<[u8]> for Slice {
    fn as_ref(&self) -> &[u8] {
        &self.src.bytes()[self.range.clone()]
    }
}

/// An open overlay file.
pub(crate) struct OverlayFile {
    pub path: PathBuf,
    pub kind: OverlayKind,
    pub live: u64,
    pub withdrawn: u64,
    pub file_checksum: u64,
    pub size: u64,
    src: Arc<Source>,
    keys: fst::Map<Slice>,
    postings: Range<usize>,
    records: Range<usize>,
}

impl OverlayFile {
    /// Memory-maps and opens the overlay at `path`, which must be of `kind`.
    pub fn open(path: &Path, kind: OverlayKind) -> Result<OverlayFile, OverlayError> {
        let file = File::open(path).map_err(|e| OverlayError::io(path, e))?;
        let meta = file.metadata().map_err(|e| OverlayError::io(path, e))?;
        if !meta.is_file() {
            return Err(OverlayError::Damaged {
                path: path.to_owned(),
                reason: "not a regular file, so not an overlay; move it away".into(),
            });
        }
        // SAFETY: the map is read-only, and overlay files are only ever replaced by a
        // rename, never written in place; a file truncated by something else is caught
        // by the bounds checks, and damaged bytes by the checksums.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| OverlayError::io(path, e))?;
        Self::from_source(Source::Mmap(map), path, kind)
    }

    fn from_source(
        src: Source,
        path: &Path,
        kind: OverlayKind,
    ) -> Result<OverlayFile, OverlayError> {
        let b = src.bytes();
        let bad = |reason: String| OverlayError::Damaged {
            path: path.to_owned(),
            reason,
        };
        let redo = format!(
            "import again (`depproof index import-{}` with --replace), or delete the file",
            match kind {
                OverlayKind::Malicious => "osv",
                OverlayKind::Hallucinations => "hallucinations",
            }
        );
        if b.is_empty() {
            return Err(bad(format!("the file is empty; {redo}")));
        }
        if b.len() < 8 || &b[..8] != MAGIC {
            return Err(bad(
                "not a depproof overlay (it does not start with the overlay signature)".into(),
            ));
        }
        if b.len() < METADATA_AT + 4 {
            return Err(bad(format!(
                "the file is truncated: {} bytes, shorter than an overlay header; {redo}",
                b.len()
            )));
        }
        let version = u32_at(b, 8);
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "overlay format version {version}, but this depproof reads version {FORMAT_VERSION}; {redo}"
            )));
        }
        let header_len = u32_at(b, 12) as usize;
        if header_len < METADATA_AT + 4 || header_len > b.len() {
            return Err(bad(format!(
                "the header claims {header_len} bytes, the file has {}: truncated or corrupt; {redo}",
                b.len()
            )));
        }
        let mut sections: [Range<usize>; 3] = [0..0, 0..0, 0..0];
        for (i, name) in ["keys", "postings", "records"].iter().enumerate() {
            let t = SECTION_TABLE + 16 * i;
            let (off, len) = (u64_at(b, t), u64_at(b, t + 8));
            let end = off
                .checked_add(len)
                .filter(|&e| off >= header_len as u64 && e <= b.len() as u64);
            let Some(end) = end else {
                return Err(bad(format!(
                    "the {name} section ({len} bytes at {off}) lies outside the {}-byte file: truncated or corrupt; {redo}",
                    b.len()
                )));
            };
            sections[i] = off as usize..end as usize;
        }
        let stored = u64_at(b, OPEN_CHECKSUM);
        let actual = open_checksum(b, header_len, &sections);
        if stored != actual {
            return Err(bad(format!(
                "checksum mismatch (header {stored:016x}, content {actual:016x}): the file is corrupt or truncated; {redo}"
            )));
        }
        let found = OverlayKind::from_code(b[32]).ok_or_else(|| {
            bad(format!(
                "unknown overlay kind {}; a newer depproof may have written it",
                b[32]
            ))
        })?;
        if found != kind {
            return Err(bad(format!(
                "holds {} records where {} were expected",
                found.id(),
                kind.id()
            )));
        }
        let meta_len = u32_at(b, METADATA_AT) as usize;
        if METADATA_AT + 4 + meta_len > header_len {
            return Err(bad(format!("the header's metadata is damaged; {redo}")));
        }
        let live = u64_at(b, 40);
        let withdrawn = u64_at(b, 48);
        let key_count = u64_at(b, 56);
        let file_checksum = u64_at(b, FILE_CHECKSUM);
        let size = b.len() as u64;
        let src = Arc::new(src);
        let keys = fst::Map::new(Slice {
            src: Arc::clone(&src),
            range: sections[0].clone(),
        })
        .map_err(|e| OverlayError::Damaged {
            path: path.to_owned(),
            reason: format!("the keys section is damaged ({e}); {redo}"),
        })?;
        if keys.len() as u64 != key_count {
            return Err(OverlayError::Damaged {
                path: path.to_owned(),
                reason: format!(
                    "the header counts {key_count} keys, the keys section {}; {redo}",
                    keys.len()
                ),
            });
        }
        Ok(OverlayFile {
            path: path.to_owned(),
            kind,
            live,
            withdrawn,
            file_checksum,
            size,
            src,
            keys,
            postings: sections[1].clone(),
            records: sections[2].clone(),
        })
    }

    fn damaged(&self, reason: impl Into<String>) -> OverlayError {
        OverlayError::Damaged {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    /// The provenance JSON of the header.
    pub fn metadata(&self) -> serde_json::Value {
        let b = self.src.bytes();
        let len = u32_at(b, METADATA_AT) as usize;
        serde_json::from_slice(&b[METADATA_AT + 4..METADATA_AT + 4 + len])
            .unwrap_or(serde_json::Value::Null)
    }

    /// Recomputes the checksum over the whole file.
    pub fn verify(&self) -> Result<(), OverlayError> {
        let actual = file_checksum(self.src.bytes());
        if actual == self.file_checksum {
            Ok(())
        } else {
            Err(self.damaged(format!(
                "checksum mismatch (header {:016x}, content {actual:016x}): the file is corrupt",
                self.file_checksum
            )))
        }
    }

    /// The body of the record at `off` in the records section, its checksum verified.
    fn record_at(&self, off: u64) -> Result<&[u8], OverlayError> {
        let b = &self.src.bytes()[self.records.clone()];
        let start = usize::try_from(off).ok();
        let head = start.and_then(|s| b.get(s..s.checked_add(8)?));
        let Some(head) = head else {
            return Err(self.damaged(format!(
                "a key points at record offset {off}, past the records section"
            )));
        };
        let sum = u32_at(head, 0);
        let len = u32_at(head, 4) as usize;
        let s = start.unwrap_or(0) + 8;
        let Some(body) = s.checked_add(len).and_then(|e| b.get(s..e)) else {
            return Err(self.damaged(format!(
                "the record at offset {off} runs past the end of the file"
            )));
        };
        if record_checksum(body) != sum {
            return Err(self.damaged(format!(
                "the record at offset {off} fails its checksum: the file is corrupt"
            )));
        }
        Ok(body)
    }

    /// The bodies of the records filed under `key`.
    pub fn lookup(&self, key: &[u8]) -> Result<Vec<&[u8]>, OverlayError> {
        let Some(v) = self.keys.get(key) else {
            return Ok(Vec::new());
        };
        if v & POSTINGS_FLAG == 0 {
            return Ok(vec![self.record_at(v)?]);
        }
        let p = &self.src.bytes()[self.postings.clone()];
        let at = (v & !POSTINGS_FLAG) as usize;
        let count = p
            .get(at..at.saturating_add(4))
            .map(|c| u32_at(c, 0) as usize);
        let offs = count.and_then(|n| p.get(at + 4..at + 4 + n.checked_mul(8)?));
        let Some(offs) = offs else {
            return Err(self.damaged("a postings list lies outside its section"));
        };
        offs.chunks_exact(8)
            .map(|c| self.record_at(u64_at(c, 0)))
            .collect()
    }

    /// Every record body in file order, each verified.
    pub fn for_each_record(
        &self,
        mut f: impl FnMut(&[u8]) -> Result<(), OverlayError>,
    ) -> Result<(), OverlayError> {
        let len = self.records.len() as u64;
        let mut off = 0u64;
        while off < len {
            let body = self.record_at(off)?;
            f(body)?;
            off += 8 + body.len() as u64;
        }
        Ok(())
    }

    /// Every key in order, with its ecosystem; for tools and tests.
    pub fn for_each_key(&self, mut f: impl FnMut(Ecosystem, &str)) {
        let mut s = self.keys.stream();
        while let Some((k, _)) = s.next() {
            if let (Some(e), Ok(name)) = (
                k.first().and_then(|&c| eco_from_code(c)),
                std::str::from_utf8(&k[1.min(k.len())..]),
            ) {
                f(e, name);
            }
        }
    }
}
