//! Names language models were seen to invent, with how often and where from.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;

use super::format::{Dec, Enc, RecordOut, eco_code, eco_from_code, key_bytes};
use super::time::Timestamp;
use super::{ImportOptions, ImportReport, OverlayError, OverlayKind, store};
use crate::Ecosystem;

/// Most sources kept per name (the latest ones).
const MAX_SOURCES: usize = 16;

/// A name to add to the hallucination overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HallucinationEntry {
    /// The ecosystem the name was meant for.
    pub ecosystem: Ecosystem,
    /// The name as the model wrote it.
    pub name: String,
    /// How many times it was seen (added to what the overlay holds).
    pub count: u64,
}

/// What the overlay knows about an invented name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HallucinationRecord {
    /// The ecosystem the name was meant for.
    pub ecosystem: Ecosystem,
    /// The name as first recorded.
    pub name: String,
    /// Times seen, over every source.
    pub count: u64,
    /// Where it was recorded from (file names, study runs), latest last; at most 16.
    pub sources: Vec<String>,
    /// When it was first added (`YYYY-MM-DDTHH:MM:SSZ`).
    pub first_recorded: String,
    /// When it was last added to.
    pub last_recorded: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HalRecord {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub count: u64,
    pub first: Timestamp,
    pub last: Timestamp,
    pub sources: Vec<String>,
}

impl HalRecord {
    pub fn key(&self) -> Vec<u8> {
        key_bytes(self.ecosystem, &self.ecosystem.normalize(&self.name))
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.u8(eco_code(self.ecosystem));
        e.str(&self.name);
        e.u64(self.count);
        e.i64(self.first.secs);
        e.i64(self.last.secs);
        let s = &self.sources[self.sources.len().saturating_sub(MAX_SOURCES)..];
        e.u8(s.len() as u8);
        for x in s {
            e.str(x);
        }
        e.0
    }

    pub fn decode(body: &[u8]) -> Option<HalRecord> {
        let mut d = Dec::new(body);
        let ecosystem = eco_from_code(d.u8()?)?;
        let name = d.str()?.to_owned();
        let count = d.u64()?;
        let first = Timestamp {
            secs: d.i64()?,
            nanos: 0,
        };
        let last = Timestamp {
            secs: d.i64()?,
            nanos: 0,
        };
        let sources = (0..d.u8()?)
            .map(|_| d.str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        d.done().then_some(HalRecord {
            ecosystem,
            name,
            count,
            first,
            last,
            sources,
        })
    }

    pub fn public(&self) -> HallucinationRecord {
        HallucinationRecord {
            ecosystem: self.ecosystem,
            name: self.name.clone(),
            count: self.count,
            sources: self.sources.clone(),
            first_recorded: self.first.to_string(),
            last_recorded: self.last.to_string(),
        }
    }
}

/// Splits one CSV line (RFC 4180 quoting: `"a,b"`, `""` inside quotes). `None` for an
/// unterminated quote.
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                out.push(if was_quoted {
                    std::mem::take(&mut field)
                } else {
                    field.trim().to_owned()
                });
                field.clear();
                was_quoted = false;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    out.push(if was_quoted {
        field
    } else {
        field.trim().to_owned()
    });
    Some(out)
}

/// The entries of a hallucination file, with warnings for the lines that were skipped.
fn read_file(
    file: &Path,
    eco: Option<Ecosystem>,
    report: &mut ImportReport,
) -> Result<Vec<HallucinationEntry>, OverlayError> {
    let bytes = std::fs::read(file).map_err(|e| OverlayError::io(file, e))?;
    let text = String::from_utf8(bytes).map_err(|e| OverlayError::Source {
        origin: file.display().to_string(),
        reason: format!(
            "not UTF-8 text (byte {}): expected one name a line, or a CSV file",
            e.utf8_error().valid_up_to()
        ),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let place = |line: usize| format!("{}:{line}", file.display());
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((first_no, first)) = lines.next() else {
        return Ok(Vec::new());
    };
    // No registry name holds a comma, so a comma means CSV; so does a lone `name` header.
    let csv = first.contains(',') || first.eq_ignore_ascii_case("name");
    let mut out = Vec::new();
    if !csv {
        let Some(eco) = eco else {
            return Err(OverlayError::Source {
                origin: file.display().to_string(),
                reason: "a list of names needs an ecosystem (--ecosystem pypi or npm)".into(),
            });
        };
        for (no, line) in std::iter::once((first_no, first)).chain(lines) {
            // A comment may follow a name.
            let name = line.split('#').next().unwrap_or("").trim();
            report.read += 1;
            if name.contains(char::is_whitespace) {
                report.skip("invalid name");
                report.warn(
                    place(no),
                    "invalid name",
                    format!("`{name}`: one name a line, without spaces"),
                );
                continue;
            }
            push_valid(&mut out, eco, name, 1, place(no), report);
        }
        return Ok(out);
    }
    let header: Vec<String> = csv_fields(first)
        .unwrap_or_default()
        .into_iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |n: &str| header.iter().position(|h| h == n);
    let Some(name_col) = col("name") else {
        return Err(OverlayError::Source {
            origin: place(first_no),
            reason: format!(
                "a CSV file needs a header with a `name` column (and optionally `count` and `ecosystem`); this one has: {}",
                header.join(", ")
            ),
        });
    };
    let (count_col, eco_col) = (col("count"), col("ecosystem"));
    if eco_col.is_none() && eco.is_none() {
        return Err(OverlayError::Source {
            origin: file.display().to_string(),
            reason: "no `ecosystem` column: give --ecosystem pypi or npm".into(),
        });
    }
    for (no, line) in lines {
        report.read += 1;
        let Some(fields) = csv_fields(line) else {
            report.skip("malformed line");
            report.warn(place(no), "malformed line", "an unterminated quote".into());
            continue;
        };
        let get = |c: Option<usize>| c.and_then(|c| fields.get(c)).map(|s| s.trim());
        let name = get(Some(name_col)).unwrap_or("");
        let row_eco = match get(eco_col).filter(|s| !s.is_empty()) {
            Some(s) => match Ecosystem::from_str(s) {
                Ok(e) => e,
                Err(reason) => {
                    report.skip("unknown ecosystem");
                    report.warn(place(no), "unknown ecosystem", reason);
                    continue;
                }
            },
            None => match eco {
                Some(e) => e,
                None => {
                    report.skip("no ecosystem");
                    report.warn(
                        place(no),
                        "no ecosystem",
                        format!("`{name}` has no ecosystem and none was given"),
                    );
                    continue;
                }
            },
        };
        let count = match get(count_col).filter(|s| !s.is_empty()) {
            None => 1,
            Some(s) => match s.parse::<u64>() {
                Ok(n) if n > 0 => n,
                _ => {
                    report.skip("bad count");
                    report.warn(
                        place(no),
                        "bad count",
                        format!("count `{s}` is not a positive whole number"),
                    );
                    continue;
                }
            },
        };
        push_valid(&mut out, row_eco, name, count, place(no), report);
    }
    Ok(out)
}

fn push_valid(
    out: &mut Vec<HallucinationEntry>,
    eco: Ecosystem,
    name: &str,
    count: u64,
    place: String,
    report: &mut ImportReport,
) {
    if name.is_empty() {
        report.skip("invalid name");
        report.warn(place, "invalid name", "an empty name".into());
        return;
    }
    if let Err(e) = eco.validate(name) {
        report.skip("invalid name");
        report.warn(place, "invalid name", e.to_string());
        return;
    }
    out.push(HallucinationEntry {
        ecosystem: eco,
        name: name.to_owned(),
        count,
    });
}

/// Reads a file and merges it; see [`super::import_hallucinations`].
pub(crate) fn import_file(
    data_dir: &Path,
    file: &Path,
    eco: Option<Ecosystem>,
    opts: &ImportOptions,
) -> Result<ImportReport, OverlayError> {
    let path = store::overlay_path(data_dir, OverlayKind::Hallucinations);
    let mut report = ImportReport::new(&path, file);
    let entries = read_file(file, eco, &mut report)?;
    let label = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    merge(
        &path,
        &entries,
        &label,
        &report.source.clone(),
        opts,
        report,
    )
}

/// Merges entries given by a program; see [`super::add_hallucinations`].
pub(crate) fn add(
    data_dir: &Path,
    entries: &[HallucinationEntry],
    source: &str,
) -> Result<ImportReport, OverlayError> {
    let path = store::overlay_path(data_dir, OverlayKind::Hallucinations);
    let mut report = ImportReport::new(&path, Path::new(source));
    report.source = source.to_owned();
    let mut valid = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        report.read += 1;
        if e.count == 0 {
            report.skip("bad count");
            report.warn(
                format!("{source}: entry {}", i + 1),
                "bad count",
                format!("`{}` has a count of 0", e.name),
            );
            continue;
        }
        push_valid(
            &mut valid,
            e.ecosystem,
            e.name.trim(),
            e.count,
            format!("{source}: entry {}", i + 1),
            &mut report,
        );
    }
    merge(
        &path,
        &valid,
        source,
        source,
        &ImportOptions::default(),
        report,
    )
}

fn merge(
    path: &Path,
    entries: &[HallucinationEntry],
    label: &str,
    provenance: &str,
    opts: &ImportOptions,
    mut report: ImportReport,
) -> Result<ImportReport, OverlayError> {
    let (held, old_meta) = if opts.replace {
        (Vec::new(), serde_json::Value::Null)
    } else {
        store::load(path, OverlayKind::Hallucinations, |b| {
            HalRecord::decode(b).ok_or("a record does not decode")
        })?
    };
    let now = Timestamp {
        secs: Timestamp::now().secs,
        nanos: 0,
    };
    let mut by_key: HashMap<Vec<u8>, HalRecord> = held.into_iter().map(|r| (r.key(), r)).collect();
    let mut new_keys = std::collections::HashSet::new();
    let mut grown = std::collections::HashSet::new();
    for e in entries {
        *report.by_ecosystem.entry(e.ecosystem).or_default() += 1;
        let r = HalRecord {
            ecosystem: e.ecosystem,
            name: e.name.clone(),
            count: e.count,
            first: now,
            last: now,
            sources: vec![label.to_owned()],
        };
        let key = r.key();
        match by_key.get_mut(&key) {
            Some(h) => {
                h.count = h.count.saturating_add(e.count);
                h.last = now;
                h.sources.retain(|s| s != label);
                h.sources.push(label.to_owned());
                if h.sources.len() > MAX_SOURCES {
                    h.sources.remove(0);
                }
                if !new_keys.contains(&key) {
                    grown.insert(key);
                }
            }
            None => {
                new_keys.insert(key.clone());
                by_key.insert(key, r);
            }
        }
    }
    report.imported = new_keys.len() as u64;
    report.replaced = grown.len() as u64;
    let mut records: Vec<(Vec<u8>, HalRecord)> = by_key.into_iter().collect();
    records.sort_by(|a, b| a.0.cmp(&b.0));
    let mut totals: BTreeMap<Ecosystem, u64> = BTreeMap::new();
    for (_, r) in &records {
        *totals.entry(r.ecosystem).or_default() += 1;
    }
    report.total = records.len() as u64;
    let out: Vec<RecordOut> = records
        .into_iter()
        .map(|(k, r)| RecordOut {
            keys: vec![k],
            body: r.encode(),
        })
        .collect();
    let meta = store::metadata(
        OverlayKind::Hallucinations,
        &old_meta,
        provenance,
        entries.len() as u64,
        &totals,
        report.total,
    );
    store::save(path, OverlayKind::Hallucinations, &out, &meta)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_split_like_rfc_4180() {
        assert_eq!(csv_fields("a, b ,c").unwrap(), ["a", "b", "c"]);
        assert_eq!(
            csv_fields(r#""x,y",2,"say ""hi""""#).unwrap(),
            ["x,y", "2", r#"say "hi""#]
        );
        assert_eq!(csv_fields("a,,").unwrap(), ["a", "", ""]);
        assert_eq!(csv_fields(r#""open,1"#), None);
    }

    #[test]
    fn records_round_trip() {
        let r = HalRecord {
            ecosystem: Ecosystem::PyPI,
            name: "Flask_JWT_Simple".into(),
            count: 12,
            first: Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
            last: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
            sources: vec!["a.txt".into(), "study 3".into()],
        };
        let b = r.encode();
        assert_eq!(HalRecord::decode(&b), Some(r.clone()));
        assert_eq!(HalRecord::decode(&b[..b.len() - 1]), None);
        assert_eq!(r.key(), key_bytes(Ecosystem::PyPI, "flask-jwt-simple"));
    }
}
