//! The snapshot index: an immutable, memory-mapped file per ecosystem that answers
//! "does this name exist, how established is it" in well under a microsecond.
//!
//! See [`format`] for the byte layout. Opening validates the header, the checksum and the
//! bounds of every section, so that a damaged file is reported, not misread. (The checksum
//! guards against damage, not against a file crafted to attack the reader: an index is
//! data the user builds or ships, like the binary itself.)

pub mod build;
pub mod format;
mod fuzzy;
pub(crate) mod reversed;
mod suggest;

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use fst::{IntoStreamer, Streamer};

use self::format::{FORMAT_VERSION, MAGIC, RECORD_SIZE, SECTION_COUNT, STRINGS_START, Section};
use crate::{Ecosystem, Flags};

pub use self::suggest::{MAX_SUGGESTIONS, Suggestion};

/// Whether a snapshot lists every package of its registry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Completeness {
    /// Every name on the registry at the snapshot date: a missing name does not exist.
    #[default]
    Complete,
    /// Only some names: a missing name may still exist.
    Partial {
        /// The least downloads a month of an included package (0 if the cut is not by downloads).
        min_downloads: u64,
        /// What the snapshot holds, in words ("npm packages with at least 480 downloads a month").
        description: String,
    },
}

impl Completeness {
    /// True for a complete snapshot.
    pub fn is_complete(&self) -> bool {
        matches!(self, Completeness::Complete)
    }
}

/// What the popularity number of a row means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum PopularityKind {
    /// No popularity data.
    None = 0,
    /// Download rank (1 = most downloaded); 0 = not ranked.
    Rank = 1,
    /// Downloads in a month.
    MonthlyDownloads = 2,
}

/// How established a package is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popularity {
    /// Download rank among the most downloaded packages (1 = most downloaded).
    Rank(u32),
    /// Not among the ranked packages.
    Unranked,
    /// Downloads in a month.
    MonthlyDownloads(u32),
    /// The snapshot has no popularity data.
    Unknown,
}

/// Everything the snapshot knows about one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo {
    /// The name as the registry files it (PEP 503 form for PyPI).
    pub name: String,
    /// The latest version at the snapshot date.
    pub latest_version: String,
    /// The month of the latest release, if known: (year, month 1-12).
    pub release_month: Option<(u16, u8)>,
    /// How established the package is.
    pub popularity: Popularity,
    /// Whether the package is among the snapshot's popular names.
    pub popular: bool,
    /// Facts derived from the version and summary at build time.
    pub flags: Flags,
}

impl PackageInfo {
    /// The release month as `YYYY-MM`.
    pub fn release_month_str(&self) -> Option<String> {
        self.release_month.map(|(y, m)| format!("{y:04}-{m:02}"))
    }
}

/// The answer to "is this name on the registry".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The registry has this package.
    Found(PackageInfo),
    /// A complete snapshot does not have it: the name does not exist.
    Absent,
    /// A partial snapshot does not have it: it may not exist, or be obscure.
    Unknown,
}

/// Errors opening, building or reading an index. Each says what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a usable index.
    #[error("{origin}: {reason}")]
    Invalid {
        /// The file (or "embedded pypi snapshot").
        origin: String,
        /// What is wrong, in words, with the remedy.
        reason: String,
    },
    /// A registry listing has a bad line.
    #[error("{origin}:{line}: {reason}")]
    Data {
        /// The listing file.
        origin: String,
        /// 1-based line number (0 when it concerns the whole file).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// Writing the index failed.
    #[error("building the index failed: {0}")]
    Build(String),
}

impl IndexError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        IndexError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// The parsed header of an index file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The format version of the file.
    pub format_version: u32,
    /// The ecosystem it describes.
    pub ecosystem: Ecosystem,
    /// Complete, or partial and what the cut was.
    pub completeness: Completeness,
    /// What the popularity numbers mean.
    pub popularity_kind: PopularityKind,
    /// Number of names.
    pub name_count: u64,
    /// Number of popular names.
    pub popular_count: u64,
    /// Rank at most, or downloads at least, of a popular name.
    pub popular_threshold: u64,
    /// `YYYY-MM` the snapshot was taken.
    pub snapshot_date: String,
    /// Where the data came from.
    pub source: String,
    /// xxh3-64 of the file but the checksum field.
    pub checksum: u64,
    /// Size of the whole file in bytes.
    pub file_size: u64,
}

impl Header {
    /// The checksum as 16 hex digits.
    pub fn checksum_hex(&self) -> String {
        format!("{:016x}", self.checksum)
    }
}

pub(crate) fn ecosystem_code(e: Ecosystem) -> u8 {
    match e {
        Ecosystem::PyPI => 1,
        Ecosystem::Npm => 2,
    }
}

fn ecosystem_from_code(c: u8) -> Option<Ecosystem> {
    match c {
        1 => Some(Ecosystem::PyPI),
        2 => Some(Ecosystem::Npm),
        _ => None,
    }
}

enum Source {
    Static(&'static [u8]),
    Mmap(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Source {
    fn bytes(&self) -> &[u8] {
        match self {
            Source::Static(b) => b,
            Source::Mmap(m) => m,
            Source::Owned(v) => v,
        }
    }
}

/// A section of the shared source, handed to `fst` as its backing bytes.
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

/// An open snapshot index.
pub struct Index {
    src: Arc<Source>,
    header: Header,
    origin: String,
    names: fst::Map<Slice>,
    popular: fst::Map<Slice>,
    folded: fst::Map<Slice>,
    /// The popular names spelt backwards (see `reversed`): derived from `popular`, at
    /// compile time for an embedded snapshot, else once suggestions are asked for often. `None` if it
    /// could not be built; suggestions are then searched forward only (same answers,
    /// slower).
    popular_reversed: OnceLock<Option<fst::Map<Cow<'static, [u8]>>>>,
    /// The last few answers of `suggest`: one check asks for the same name's
    /// suggestions more than once (for the answer and for its finding).
    recent: std::sync::Mutex<suggest::Recent>,
    /// Suggestion searches made without the popular names spelt backwards.
    searches: std::sync::atomic::AtomicU32,
    records: Range<usize>,
    versions: Range<usize>,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("origin", &self.origin)
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

impl Index {
    /// Memory-maps and opens the index at `path`, verifying its checksum.
    pub fn open(path: &Path) -> Result<Index, IndexError> {
        let file = File::open(path).map_err(|e| IndexError::io(path, e))?;
        // SAFETY: the map is read-only, and index files are written once, by rename
        // into place, never modified in place; a truncation by another process would be
        // caught by the bounds checks below on the next open.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| IndexError::io(path, e))?;
        Self::from_source(Source::Mmap(map), path.display().to_string(), true, None)
    }

    /// Opens an index held in memory, verifying its checksum.
    pub fn from_vec(bytes: Vec<u8>, origin: impl Into<String>) -> Result<Index, IndexError> {
        Self::from_source(Source::Owned(bytes), origin.into(), true, None)
    }

    /// Opens an index compiled into the binary. The checksum is not recomputed on every
    /// start: the bytes were verified when the binary was built, and are as trustworthy as
    /// its code. Anything read at run time goes through [`open`] or [`from_vec`], which
    /// verify, because the fst reader assumes well-formed input.
    ///
    /// `popular_reversed` is [`reversed::reversed_map`] of the popular names, derived by
    /// the build script; empty to derive it when first needed.
    ///
    /// [`open`]: Index::open
    /// [`from_vec`]: Index::from_vec
    pub(crate) fn from_static(
        bytes: &'static [u8],
        popular_reversed: &'static [u8],
        origin: impl Into<String>,
    ) -> Result<Index, IndexError> {
        let reversed = (!popular_reversed.is_empty()).then_some(popular_reversed);
        Self::from_source(Source::Static(bytes), origin.into(), false, reversed)
    }

    fn from_source(
        src: Source,
        origin: String,
        verify: bool,
        popular_reversed: Option<&'static [u8]>,
    ) -> Result<Index, IndexError> {
        let bytes = src.bytes();
        let invalid = |reason: String| IndexError::Invalid {
            origin: origin.clone(),
            reason,
        };
        let rebuild = "rebuild it with `depproof index build`";
        if bytes.is_empty() {
            return Err(invalid(format!(
                "the file is empty, not a depproof index; {rebuild}"
            )));
        }
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(invalid(
                "not a depproof index (it does not start with the index signature)".into(),
            ));
        }
        if bytes.len() < STRINGS_START {
            return Err(invalid(format!(
                "the file is truncated: {} bytes, shorter than an index header; {rebuild}",
                bytes.len()
            )));
        }
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(invalid(format!(
                "index format version {version}, but this depproof reads version {FORMAT_VERSION}; {rebuild}"
            )));
        }
        let header_len = u32_at(12) as usize;
        if header_len < STRINGS_START || header_len > bytes.len() {
            return Err(invalid(format!(
                "the header claims {header_len} bytes, the file has {}: truncated or corrupt; {rebuild}",
                bytes.len()
            )));
        }
        let checksum = u64_at(16);
        if verify {
            let actual = format::checksum(bytes);
            if actual != checksum {
                return Err(invalid(format!(
                    "checksum mismatch (header {checksum:016x}, content {actual:016x}): the file is corrupt or truncated; {rebuild}"
                )));
            }
        }
        let ecosystem = ecosystem_from_code(bytes[24])
            .ok_or_else(|| invalid(format!("unknown ecosystem code {}", bytes[24])))?;
        let partial = match bytes[25] {
            0 => false,
            1 => true,
            c => return Err(invalid(format!("unknown completeness code {c}"))),
        };
        let popularity_kind = match bytes[26] {
            0 => PopularityKind::None,
            1 => PopularityKind::Rank,
            2 => PopularityKind::MonthlyDownloads,
            c => return Err(invalid(format!("unknown popularity code {c}"))),
        };
        let record_size = u32_at(28) as usize;
        if record_size != RECORD_SIZE {
            return Err(invalid(format!(
                "record size {record_size}, expected {RECORD_SIZE}"
            )));
        }
        let name_count = u64_at(32);
        let popular_count = u64_at(40);
        let popular_threshold = u64_at(48);
        let min_downloads = u64_at(56);

        let mut at = STRINGS_START;
        let mut strings = Vec::with_capacity(3);
        for what in ["snapshot date", "source", "cut"] {
            let s = (|| {
                let len = u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize;
                let s = std::str::from_utf8(bytes.get(at + 2..at + 2 + len)?).ok()?;
                at += 2 + len;
                (at <= header_len).then(|| s.to_owned())
            })()
            .ok_or_else(|| invalid(format!("the header's {what} is damaged")))?;
            strings.push(s);
        }
        let description = strings.pop().unwrap_or_default();
        let source = strings.pop().unwrap_or_default();
        let snapshot_date = strings.pop().unwrap_or_default();

        let mut ranges: Vec<Range<usize>> = Vec::with_capacity(SECTION_COUNT);
        for section in Section::ALL {
            let t = format::SECTION_TABLE + 16 * section as usize;
            let (off, len) = (u64_at(t), u64_at(t + 8));
            let end = off
                .checked_add(len)
                .filter(|&e| off >= header_len as u64 && e <= bytes.len() as u64);
            let Some(end) = end else {
                return Err(invalid(format!(
                    "the {} section ({len} bytes at {off}) lies outside the {}-byte file: truncated or corrupt; {rebuild}",
                    section.name(),
                    bytes.len()
                )));
            };
            ranges.push(off as usize..end as usize);
        }
        let records = ranges[Section::Records as usize].clone();
        if name_count.checked_mul(RECORD_SIZE as u64) != Some(records.len() as u64) {
            return Err(invalid(format!(
                "the header counts {name_count} names but the record table holds {} bytes; {rebuild}",
                records.len()
            )));
        }
        let versions = ranges[Section::Versions as usize].clone();

        let header = Header {
            format_version: version,
            ecosystem,
            completeness: if partial {
                Completeness::Partial {
                    min_downloads,
                    description,
                }
            } else {
                Completeness::Complete
            },
            popularity_kind,
            name_count,
            popular_count,
            popular_threshold,
            snapshot_date,
            source,
            checksum,
            file_size: bytes.len() as u64,
        };
        let src = Arc::new(src);
        let open_fst = |section: Section| {
            let slice = Slice {
                src: Arc::clone(&src),
                range: ranges[section as usize].clone(),
            };
            fst::Map::new(slice).map_err(|e| IndexError::Invalid {
                origin: origin.clone(),
                reason: format!("the {} section is damaged ({e}); {rebuild}", section.name()),
            })
        };
        let names = open_fst(Section::Names)?;
        let popular = open_fst(Section::Popular)?;
        let folded = open_fst(Section::Folded)?;
        if names.len() as u64 != name_count || popular.len() as u64 != popular_count {
            return Err(invalid(format!(
                "the header's counts ({name_count} names, {popular_count} popular) disagree with the sections ({}, {}); {rebuild}",
                names.len(),
                popular.len()
            )));
        }
        let reversed_cell = OnceLock::new();
        if let Some(map) = popular_reversed
            .and_then(|b| fst::Map::new(Cow::Borrowed(b)).ok())
            .filter(|m| m.len() == popular.len())
        {
            let _ = reversed_cell.set(Some(map));
        }
        Ok(Index {
            src,
            header,
            origin,
            names,
            popular,
            folded,
            popular_reversed: reversed_cell,
            recent: Default::default(),
            searches: Default::default(),
            records,
            versions,
        })
    }

    /// The header: ecosystem, date, completeness, counts, checksum.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The ecosystem this index describes.
    pub fn ecosystem(&self) -> Ecosystem {
        self.header.ecosystem
    }

    /// Where the index was opened from (a path, or "embedded").
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Recomputes the checksum over the whole file.
    pub fn verify(&self) -> Result<(), IndexError> {
        let bytes = self.src.bytes();
        let actual = format::checksum(bytes);
        if actual == self.header.checksum {
            Ok(())
        } else {
            Err(IndexError::Invalid {
                origin: self.origin.clone(),
                reason: format!(
                    "checksum mismatch (header {:016x}, content {actual:016x}): the index is corrupt",
                    self.header.checksum
                ),
            })
        }
    }

    /// Looks up a registry key (a name already normalized for the ecosystem).
    pub fn get(&self, key: &str) -> Option<PackageInfo> {
        let row = self.names.get(key)?;
        self.info(key, row)
    }

    /// Looks up a key and says what its absence means for this snapshot.
    pub fn lookup(&self, key: &str) -> Lookup {
        match self.get(key) {
            Some(info) => Lookup::Found(info),
            None if self.header.completeness.is_complete() => Lookup::Absent,
            None => Lookup::Unknown,
        }
    }

    /// Registry names that differ from `name` only in letter case (npm legacy names
    /// such as `JSONStream`), excluding `name` itself.
    pub fn case_variants(&self, name: &str) -> Vec<PackageInfo> {
        let mut prefix = name.to_lowercase().into_bytes();
        prefix.push(0);
        let mut out = Vec::new();
        let mut stream = self.folded.range().ge(&prefix).into_stream();
        while let Some((k, row)) = stream.next() {
            let Some(original) = k.strip_prefix(prefix.as_slice()) else {
                break;
            };
            if let Ok(original) = std::str::from_utf8(original)
                && original != name
                && let Some(info) = self.info(original, row)
            {
                out.push(info);
            }
        }
        let lower = name.to_lowercase();
        if lower != name
            && let Some(info) = self.get(&lower)
        {
            out.push(info);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out.dedup_by(|a, b| a.name == b.name);
        out
    }

    /// Decodes row `row`, filed under `key`. `None` only for a damaged index whose fst
    /// points past the record table.
    fn info(&self, key: &str, row: u64) -> Option<PackageInfo> {
        let rec = self.record(row)?;
        let voff = u32::from_le_bytes(rec[0..4].try_into().ok()?) as usize;
        let pop = u32::from_le_bytes(rec[4..8].try_into().ok()?);
        let month = u16::from_le_bytes(rec[8..10].try_into().ok()?);
        let flags = u16::from_le_bytes(rec[10..12].try_into().ok()?);
        let versions = &self.src.bytes()[self.versions.clone()];
        let latest_version = versions
            .get(voff)
            .and_then(|&len| versions.get(voff + 1..voff + 1 + len as usize))
            .and_then(|v| std::str::from_utf8(v).ok())
            .unwrap_or("")
            .to_owned();
        let popularity = self.popularity(pop);
        let popular = match self.header.popularity_kind {
            PopularityKind::Rank => pop != 0 && u64::from(pop) <= self.header.popular_threshold,
            PopularityKind::MonthlyDownloads => {
                self.header.popular_threshold > 0 && u64::from(pop) >= self.header.popular_threshold
            }
            PopularityKind::None => false,
        };
        Some(PackageInfo {
            name: key.to_owned(),
            latest_version,
            release_month: format::decode_month(month),
            popularity,
            popular,
            flags: Flags(flags),
        })
    }

    /// Row `row` of the record table; `None` past its end (only in a damaged index).
    fn record(&self, row: u64) -> Option<&[u8]> {
        let start = self
            .records
            .start
            .checked_add(usize::try_from(row).ok()?.checked_mul(RECORD_SIZE)?)?;
        self.src
            .bytes()
            .get(start..start + RECORD_SIZE)
            .filter(|_| start + RECORD_SIZE <= self.records.end)
    }

    /// What a row's popularity number means in this snapshot.
    fn popularity(&self, pop: u32) -> Popularity {
        match self.header.popularity_kind {
            PopularityKind::Rank if pop == 0 => Popularity::Unranked,
            PopularityKind::Rank => Popularity::Rank(pop),
            PopularityKind::MonthlyDownloads => Popularity::MonthlyDownloads(pop),
            PopularityKind::None => Popularity::Unknown,
        }
    }

    /// The popularity of row `row` without decoding the rest of it; `None` exactly when
    /// [`Index::info`] would give `None`.
    fn popularity_at(&self, row: u64) -> Option<Popularity> {
        let rec = self.record(row)?;
        Some(self.popularity(u32::from_le_bytes(rec[4..8].try_into().ok()?)))
    }

    /// Iterates the popular names in key order (15,000 entries rather than every name).
    pub fn for_each_popular(&self, mut f: impl FnMut(&str, PackageInfo)) {
        let mut stream = self.popular.stream();
        while let Some((k, row)) = stream.next() {
            if let Ok(k) = std::str::from_utf8(k)
                && let Some(info) = self.info(k, row)
            {
                f(k, info);
            }
        }
    }

    /// Iterates every (key, row) pair in key order; used by tests and tools.
    pub fn for_each_name(&self, mut f: impl FnMut(&str, PackageInfo)) {
        let mut stream = self.names.stream();
        while let Some((k, row)) = stream.next() {
            if let Ok(k) = std::str::from_utf8(k)
                && let Some(info) = self.info(k, row)
            {
                f(k, info);
            }
        }
    }
}
