//! Building a snapshot index from a registry listing (TSV, optionally gzip-compressed).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use fst::MapBuilder;

use super::format::{self, MAGIC, RECORD_SIZE, SECTION_COUNT, STRINGS_START, Section};
use super::{Completeness, IndexError, PopularityKind};
use crate::{Ecosystem, Flags, flags};

const MAX_WARNINGS: usize = 20;

/// How many of the most popular names get the wider (distance 2) fuzzy search.
pub const DEFAULT_POPULAR_TOP: u64 = 15_000;

/// What to build, beyond the rows themselves.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The ecosystem of the listing.
    pub ecosystem: Ecosystem,
    /// `YYYY-MM` (or `YYYY-MM-DD`) of the snapshot. `None`: the latest release month in
    /// the data; the caller must supply one when the data has no months.
    pub snapshot_date: Option<String>,
    /// `None`: PyPI listings are complete, npm listings are partial (cut at the least
    /// downloads a month found in the data).
    pub completeness: Option<Completeness>,
    /// The date to use when `snapshot_date` is `None` and the data has no months.
    pub fallback_date: Option<String>,
    /// Where the data came from, recorded in the header.
    pub source: String,
    /// The popular set: the top this many by rank or downloads.
    pub popular_top: u64,
}

impl BuildOptions {
    /// Defaults for `ecosystem`, with `source` recorded as given.
    pub fn new(ecosystem: Ecosystem, source: impl Into<String>) -> Self {
        BuildOptions {
            ecosystem,
            snapshot_date: None,
            fallback_date: None,
            completeness: None,
            source: source.into(),
            popular_top: DEFAULT_POPULAR_TOP,
        }
    }
}

/// What a build produced, for the user.
#[derive(Debug, Clone, Default)]
pub struct BuildStats {
    /// Data rows read.
    pub rows: u64,
    /// Distinct names written.
    pub names: u64,
    /// Rows whose name normalized to one already seen (merged into it).
    pub merged: u64,
    /// Names in the popular set.
    pub popular: u64,
    /// Distinct version strings.
    pub versions: u64,
    /// Packages carrying each flag, by flag identifier.
    pub flagged: Vec<(&'static str, u64)>,
    /// The snapshot date written to the header.
    pub snapshot_date: String,
    /// True when the date came from `fallback_date`.
    pub date_from_fallback: bool,
    /// Lines with a bad value, kept without it (the first 20, with file and line).
    pub warnings: Vec<String>,
    /// How many such lines there were.
    pub warning_count: u64,
    /// The completeness written to the header.
    pub completeness: Completeness,
}

struct Row {
    key: String,
    version: String,
    popularity: u32,
    month: u16,
    flags: Flags,
}

/// Reads a listing from `path` (gzip detected by its magic bytes) and builds an index.
pub fn build_from_path(
    path: &Path,
    opts: &BuildOptions,
) -> Result<(Vec<u8>, BuildStats), IndexError> {
    let file = File::open(path).map_err(|e| IndexError::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let is_gzip = reader
        .fill_buf()
        .map_err(|e| IndexError::io(path, e))?
        .starts_with(&[0x1f, 0x8b]);
    let name = path.display().to_string();
    if is_gzip {
        let gz = flate2::read::MultiGzDecoder::new(reader);
        build_from_reader(BufReader::with_capacity(1 << 20, gz), &name, opts)
    } else {
        build_from_reader(reader, &name, opts)
    }
}

/// Column positions found in the header line.
struct Columns {
    name: usize,
    version: usize,
    month: Option<usize>,
    rank: Option<usize>,
    downloads: Option<usize>,
    summary: Option<usize>,
    count: usize,
}

impl Columns {
    fn parse(header: &str, origin: &str) -> Result<Columns, IndexError> {
        let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
        let find = |n: &str| cols.iter().position(|c| *c == n);
        let need = |n: &str| {
            find(n).ok_or_else(|| IndexError::Data {
                origin: origin.to_owned(),
                line: 1,
                reason: format!(
                    "the header has no `{n}` column (found: {}); expected the tab-separated registry listing format",
                    cols.join(", ")
                ),
            })
        };
        Ok(Columns {
            name: need("name")?,
            version: need("version")?,
            month: find("month"),
            rank: find("rank_among_15000_most_downloaded"),
            downloads: find("downloads_a_month"),
            summary: find("summary"),
            count: cols.len(),
        })
    }
}

/// Builds an index from a TSV listing read from `input`. `origin` names the input in errors.
pub fn build_from_reader<R: BufRead>(
    mut input: R,
    origin: &str,
    opts: &BuildOptions,
) -> Result<(Vec<u8>, BuildStats), IndexError> {
    let data_err = |line: u64, reason: String| IndexError::Data {
        origin: origin.to_owned(),
        line,
        reason,
    };
    let io_err = |e: std::io::Error| IndexError::Data {
        origin: origin.to_owned(),
        line: 0,
        reason: format!("read failed: {e}"),
    };

    let mut buf = Vec::with_capacity(256);
    if input.read_until(b'\n', &mut buf).map_err(io_err)? == 0 {
        return Err(data_err(
            1,
            "the file is empty: expected a header line".into(),
        ));
    }
    let header = std::str::from_utf8(&buf)
        .map_err(|_| data_err(1, "the header is not UTF-8".into()))?
        .trim_end_matches(['\n', '\r']);
    let cols = Columns::parse(header, origin)?;
    let popularity_kind = match (cols.rank, cols.downloads) {
        (Some(_), _) => PopularityKind::Rank,
        (None, Some(_)) => PopularityKind::MonthlyDownloads,
        (None, None) => PopularityKind::None,
    };

    let mut rows: Vec<Row> = Vec::new();
    let mut stats = BuildStats::default();
    let mut line_no: u64 = 1;
    let mut max_month: u16 = 0;
    let mut min_downloads: Option<u64> = None;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf).map_err(io_err)? == 0 {
            break;
        }
        line_no += 1;
        let line = std::str::from_utf8(&buf)
            .map_err(|e| data_err(line_no, format!("not UTF-8 (byte {})", e.valid_up_to() + 1)))?
            .trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        // The summary is free text and the last column: tolerate a missing one.
        if fields.len() < cols.count - usize::from(cols.summary == Some(cols.count - 1))
            || fields.len() > cols.count
        {
            return Err(data_err(
                line_no,
                format!(
                    "expected {} tab-separated fields, found {}",
                    cols.count,
                    fields.len()
                ),
            ));
        }
        let field = |i: usize| fields.get(i).copied().unwrap_or("");
        let name = field(cols.name);
        if name.is_empty() {
            return Err(data_err(line_no, "the name is empty".into()));
        }
        // A bad value in a column other than the name costs that value, not the package:
        // dropping a package from a complete listing would make it "not exist".
        let mut warn = |reason: String| {
            stats.warning_count += 1;
            if stats.warnings.len() < MAX_WARNINGS {
                stats.warnings.push(format!("{origin}:{line_no}: {reason}"));
            }
        };
        let mut version = field(cols.version);
        if version.len() > u8::MAX as usize {
            warn(format!(
                "the version is longer than 255 bytes ({}); the package is kept without it",
                version.len()
            ));
            version = "";
        }
        let month = match cols.month.map(field) {
            None | Some("") => 0,
            Some(m) => format::encode_month(m).unwrap_or_else(|| {
                warn(format!(
                    "`{m}` is not a month (expected YYYY-MM); the package is kept without it"
                ));
                0
            }),
        };
        max_month = max_month.max(month);
        let popularity = match (cols.rank.map(field), cols.downloads.map(field)) {
            (Some(r), _) if !r.is_empty() => r.parse::<u32>().unwrap_or_else(|_| {
                warn(format!(
                    "`{r}` is not a download rank; the package is kept without it"
                ));
                0
            }),
            (_, Some(d)) if !d.is_empty() => match d.parse::<u64>() {
                Ok(d) => {
                    min_downloads = Some(min_downloads.map_or(d, |m| m.min(d)));
                    u32::try_from(d).unwrap_or(u32::MAX)
                }
                Err(_) => {
                    warn(format!(
                        "`{d}` is not a download count; the package is kept without it"
                    ));
                    0
                }
            },
            _ => 0,
        };
        let summary = cols.summary.map(field).unwrap_or("");
        stats.rows += 1;
        rows.push(Row {
            key: opts.ecosystem.normalize(name).into_owned(),
            version: version.to_owned(),
            popularity,
            month,
            flags: flags::derive(version, summary),
        });
    }
    if rows.is_empty() {
        return Err(data_err(
            line_no,
            "the listing has a header but no packages".into(),
        ));
    }

    rows.sort_unstable_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    let before = rows.len();
    rows.dedup_by(|later, kept| {
        if later.key != kept.key {
            return false;
        }
        // Two spellings of one project: keep the freshest release and the best popularity.
        if later.month > kept.month {
            kept.version = std::mem::take(&mut later.version);
            kept.month = later.month;
            kept.flags = later.flags;
        }
        kept.popularity = better_popularity(popularity_kind, kept.popularity, later.popularity);
        true
    });
    stats.merged = (before - rows.len()) as u64;

    let snapshot_date = match &opts.snapshot_date {
        Some(d) => d.clone(),
        None => match format::decode_month(max_month) {
            Some((y, m)) => format!("{y:04}-{m:02}"),
            None => match &opts.fallback_date {
                Some(d) => {
                    stats.date_from_fallback = true;
                    d.clone()
                }
                None => {
                    return Err(data_err(
                        0,
                        "the listing has no release months to date the snapshot by: give the snapshot date".into(),
                    ));
                }
            },
        },
    };
    let completeness = match &opts.completeness {
        Some(c) => c.clone(),
        None => match opts.ecosystem {
            Ecosystem::PyPI => Completeness::Complete,
            Ecosystem::Npm => {
                let min = min_downloads.unwrap_or(0);
                Completeness::Partial {
                    min_downloads: min,
                    description: format!("npm packages with at least {min} downloads a month"),
                }
            }
        },
    };

    let popular_threshold = popular_threshold(popularity_kind, &rows, opts.popular_top);
    let is_popular = |r: &Row| match popularity_kind {
        PopularityKind::Rank => r.popularity != 0 && u64::from(r.popularity) <= popular_threshold,
        PopularityKind::MonthlyDownloads => {
            popular_threshold > 0 && u64::from(r.popularity) >= popular_threshold
        }
        PopularityKind::None => false,
    };

    // Sections.
    let map_err =
        |section: Section, e: fst::Error| IndexError::Build(format!("{}: {e}", section.name()));
    let mut names = MapBuilder::memory();
    let mut popular = MapBuilder::memory();
    let mut records = Vec::with_capacity(rows.len() * RECORD_SIZE);
    let mut versions: Vec<u8> = Vec::new();
    let mut version_offsets: HashMap<&str, u32> = HashMap::new();
    let mut folded: Vec<(String, u64)> = Vec::new();
    let mut flag_counts = [0u64; 16];
    for (row_no, r) in rows.iter().enumerate() {
        let row_no = row_no as u64;
        names
            .insert(&r.key, row_no)
            .map_err(|e| map_err(Section::Names, e))?;
        if is_popular(r) {
            popular
                .insert(&r.key, row_no)
                .map_err(|e| map_err(Section::Popular, e))?;
            stats.popular += 1;
        }
        if r.key.bytes().any(|b| b.is_ascii_uppercase()) {
            folded.push((format!("{}\0{}", r.key.to_lowercase(), r.key), row_no));
        }
        let voff = match version_offsets.get(r.version.as_str()) {
            Some(&o) => o,
            None => {
                let o = u32::try_from(versions.len())
                    .map_err(|_| IndexError::Build("more than 4 GiB of version strings".into()))?;
                versions.push(r.version.len() as u8);
                versions.extend_from_slice(r.version.as_bytes());
                version_offsets.insert(&r.version, o);
                o
            }
        };
        records.extend_from_slice(&voff.to_le_bytes());
        records.extend_from_slice(&r.popularity.to_le_bytes());
        records.extend_from_slice(&r.month.to_le_bytes());
        records.extend_from_slice(&r.flags.0.to_le_bytes());
        for (bit, count) in flag_counts.iter_mut().enumerate() {
            if r.flags.0 & (1 << bit) != 0 {
                *count += 1;
            }
        }
    }
    folded.sort_unstable();
    let mut folded_map = MapBuilder::memory();
    for (k, v) in &folded {
        folded_map
            .insert(k, *v)
            .map_err(|e| map_err(Section::Folded, e))?;
    }
    stats.names = rows.len() as u64;
    stats.versions = version_offsets.len() as u64;
    stats.flagged = FLAG_NAMES
        .iter()
        .map(|(f, name)| (*name, flag_counts[f.0.trailing_zeros() as usize]))
        .collect();
    stats.snapshot_date = snapshot_date.clone();
    stats.completeness = completeness.clone();

    let sections: [Vec<u8>; SECTION_COUNT] = [
        names.into_inner().map_err(|e| map_err(Section::Names, e))?,
        popular
            .into_inner()
            .map_err(|e| map_err(Section::Popular, e))?,
        records,
        versions,
        folded_map
            .into_inner()
            .map_err(|e| map_err(Section::Folded, e))?,
    ];

    // Header.
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&format::FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // header length, patched below
    out.extend_from_slice(&[0; 8]); // checksum, patched below
    out.push(opts.ecosystem_code());
    out.push(u8::from(matches!(
        completeness,
        Completeness::Partial { .. }
    )));
    out.push(popularity_kind as u8);
    out.push(0);
    out.extend_from_slice(&(RECORD_SIZE as u32).to_le_bytes());
    out.extend_from_slice(&stats.names.to_le_bytes());
    out.extend_from_slice(&stats.popular.to_le_bytes());
    out.extend_from_slice(&popular_threshold.to_le_bytes());
    let (cut, cut_words) = match &completeness {
        Completeness::Complete => (0, String::new()),
        Completeness::Partial {
            min_downloads,
            description,
        } => (*min_downloads, description.clone()),
    };
    out.extend_from_slice(&cut.to_le_bytes());
    let table_at = out.len();
    debug_assert_eq!(table_at, format::SECTION_TABLE);
    out.resize(STRINGS_START, 0);
    for s in [
        snapshot_date.as_str(),
        opts.source.as_str(),
        cut_words.as_str(),
    ] {
        let len = u16::try_from(s.len())
            .map_err(|_| IndexError::Build("a header string is longer than 65535 bytes".into()))?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    pad8(&mut out);
    let header_len = out.len() as u32;
    out[12..16].copy_from_slice(&header_len.to_le_bytes());
    for (i, s) in sections.iter().enumerate() {
        let at = table_at + i * 16;
        let offset = out.len() as u64;
        out[at..at + 8].copy_from_slice(&offset.to_le_bytes());
        out[at + 8..at + 16].copy_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s);
        pad8(&mut out);
    }
    let checksum = format::checksum(&out);
    out[format::CHECKSUM_AT].copy_from_slice(&checksum.to_le_bytes());
    Ok((out, stats))
}

impl BuildOptions {
    fn ecosystem_code(&self) -> u8 {
        super::ecosystem_code(self.ecosystem)
    }
}

fn pad8(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
}

fn better_popularity(kind: PopularityKind, a: u32, b: u32) -> u32 {
    match kind {
        // Rank: smaller is better, 0 means unranked.
        PopularityKind::Rank => match (a, b) {
            (0, x) | (x, 0) => x,
            (x, y) => x.min(y),
        },
        PopularityKind::MonthlyDownloads => a.max(b),
        PopularityKind::None => 0,
    }
}

/// The popularity a name needs to be in the popular set: a rank (at most) or a download
/// count (at least) such that `top` names qualify (ties included).
fn popular_threshold(kind: PopularityKind, rows: &[Row], top: u64) -> u64 {
    match kind {
        PopularityKind::Rank => top,
        PopularityKind::MonthlyDownloads => {
            let mut downloads: Vec<u32> = rows
                .iter()
                .map(|r| r.popularity)
                .filter(|&d| d > 0)
                .collect();
            if downloads.is_empty() || top == 0 {
                return 0;
            }
            let k = (top as usize).min(downloads.len()) - 1;
            let (_, kth, _) = downloads.select_nth_unstable_by(k, |a, b| b.cmp(a));
            u64::from(*kth)
        }
        PopularityKind::None => 0,
    }
}

const FLAG_NAMES: [(Flags, &str); 4] = [
    (Flags::PLACEHOLDER, "placeholder"),
    (Flags::SECURITY_HOLDING, "security-holding"),
    (Flags::DEPENDENCY_CONFUSION, "dependency-confusion"),
    (Flags::RESEARCH, "research"),
];
