//! Reading OSV records (the OpenSSF malicious-packages repository, osv.dev exports) into
//! the malicious overlay.
//!
//! A record counts as malicious when any of these holds:
//! - its id, or one of its aliases, starts with `MAL-` (the OpenSSF malicious-packages
//!   namespace, which osv.dev also serves);
//! - its `database_specific` has `malicious-packages-origins`;
//! - it names CWE-506 "Embedded Malicious Code" (`database_specific.cwe_ids` of GitHub
//!   advisories, or `affected[].database_specific.cwes` of malicious-packages);
//! - its summary starts with "Malicious code in" or "Malware in", or says "contains
//!   malicious code", "contains malware" or "embedded malicious code";
//! - its details carry GitHub's malware notice ("should be considered fully compromised").
//!
//! Anything else is a vulnerability advisory and is skipped: such records routinely say
//! that "an attacker can execute malicious code", which is not a malicious package, so a
//! bare mention of "malicious code" in the details does not count.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::malicious::{MalRecord, SUMMARY_CHARS, Summary, standard_summary};
use super::time::Timestamp;
use super::versions::{AffectedPackage, EventKind, RangeKind, VersionRange, check_range};
use super::{ImportOptions, ImportReport, ImportWarning, OverlayError, OverlayKind, store};
use crate::Ecosystem;

/// Largest record file read; OSV records are a few kilobytes.
const MAX_RECORD_BYTES: u64 = 8 << 20;

#[derive(Deserialize)]
struct OsvJson {
    id: Option<String>,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    aliases: Option<Vec<String>>,
    summary: Option<String>,
    details: Option<String>,
    affected: Option<Vec<AffectedJson>>,
    database_specific: Option<Value>,
    credits: Option<Vec<CreditJson>>,
}

#[derive(Deserialize)]
struct AffectedJson {
    package: Option<PackageJson>,
    versions: Option<Vec<String>>,
    ranges: Option<Vec<RangeJson>>,
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct PackageJson {
    ecosystem: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct RangeJson {
    #[serde(rename = "type")]
    kind: Option<String>,
    events: Option<Vec<serde_json::Map<String, Value>>>,
}

#[derive(Deserialize)]
struct CreditJson {
    name: Option<String>,
}

/// What one record file turned out to be.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// A malicious-package record for PyPI or npm (possibly withdrawn).
    Malicious(MalRecord),
    /// A vulnerability advisory, not a malicious package.
    NotMalicious,
    /// No PyPI or npm package; the ecosystems it names.
    OtherEcosystems(Vec<String>),
    /// Unusable: the warning says why.
    Malformed(String),
}

/// The ecosystem of an OSV `package.ecosystem` string (`PyPI`, `npm`; a `:suffix` is
/// ignored), or `None` for other ecosystems.
fn osv_ecosystem(s: &str) -> Option<Ecosystem> {
    let base = s.split(':').next().unwrap_or("").trim();
    if base.eq_ignore_ascii_case("pypi") {
        Some(Ecosystem::PyPI)
    } else if base == "npm" {
        Some(Ecosystem::Npm)
    } else {
        None
    }
}

fn names_cwe_506(v: Option<&Value>) -> bool {
    let Some(v) = v else { return false };
    let ids = v.get("cwe_ids").and_then(Value::as_array);
    let cwes = v.get("cwes").and_then(Value::as_array);
    ids.into_iter()
        .flatten()
        .any(|c| c.as_str() == Some("CWE-506"))
        || cwes
            .into_iter()
            .flatten()
            .any(|c| c.get("cweId").and_then(Value::as_str) == Some("CWE-506"))
}

fn is_malicious(r: &OsvJson, id: &str) -> bool {
    if id.starts_with("MAL-")
        || r.aliases
            .iter()
            .flatten()
            .any(|a| a.trim().starts_with("MAL-"))
    {
        return true;
    }
    if r.database_specific
        .as_ref()
        .is_some_and(|d| d.get("malicious-packages-origins").is_some())
    {
        return true;
    }
    if names_cwe_506(r.database_specific.as_ref())
        || r.affected
            .iter()
            .flatten()
            .any(|a| names_cwe_506(a.database_specific.as_ref()))
    {
        return true;
    }
    let summary = r.summary.as_deref().unwrap_or("").trim().to_lowercase();
    if summary.starts_with("malicious code in")
        || summary.starts_with("malware in")
        || [
            "contains malicious code",
            "contains malware",
            "embedded malicious code",
        ]
        .iter()
        .any(|p| summary.contains(p))
    {
        return true;
    }
    r.details
        .as_deref()
        .is_some_and(|d| d.contains("should be considered fully compromised"))
}

/// Reads a range; `Err` says why it cannot be used.
fn read_range(eco: Ecosystem, r: &RangeJson) -> Result<Option<VersionRange>, String> {
    let kind = match r.kind.as_deref().map(str::trim) {
        Some("ECOSYSTEM") => RangeKind::Ecosystem,
        Some("SEMVER") => RangeKind::Semver,
        // Commit ranges need the repository; the versions list stands for them.
        Some("GIT") => return Ok(None),
        Some(other) => return Err(format!("unknown range type `{other}`")),
        None => return Err("a range without a type".into()),
    };
    let Some(events) = &r.events else {
        return Err("a range without events".into());
    };
    let mut out = Vec::with_capacity(events.len());
    for ev in events {
        let mut it = ev.iter();
        let (Some((k, v)), None) = (it.next(), it.next()) else {
            return Err(format!(
                "an event must have exactly one field, this one has {}",
                ev.len()
            ));
        };
        let kind = match k.as_str() {
            "introduced" => EventKind::Introduced,
            "fixed" => EventKind::Fixed,
            "last_affected" => EventKind::LastAffected,
            "limit" => EventKind::Limit,
            other => return Err(format!("unknown event `{other}`")),
        };
        let Some(v) = v.as_str() else {
            return Err(format!("the `{k}` event's version is not a string"));
        };
        out.push((kind, v.trim().to_owned()));
    }
    let range = VersionRange { kind, events: out };
    check_range(eco, &range)?;
    Ok(Some(range))
}

/// Reads one record file. `place` names it in warnings; `source` is what the record
/// keeps as its origin; `stem` stands in for an empty id (records awaiting an id in the
/// malicious-packages repository are named after their file).
pub(crate) fn parse_record(
    bytes: &[u8],
    source: &str,
    stem: &str,
    warnings: &mut Vec<String>,
) -> Parsed {
    let r: OsvJson = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) if e.is_data() => {
            return Parsed::Malformed(format!("not an OSV record: {e}"));
        }
        Err(e) => return Parsed::Malformed(format!("bad JSON: {e}")),
    };
    let id = match r.id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ if !stem.is_empty() && r.id.is_some() => stem.to_owned(),
        _ => return Parsed::Malformed("no `id`".into()),
    };
    let Some(modified) = r.modified.as_deref() else {
        return Parsed::Malformed(format!("{id}: no `modified` date"));
    };
    let Some(modified) = Timestamp::parse(modified) else {
        return Parsed::Malformed(format!(
            "{id}: `modified` is not an RFC 3339 date: `{modified}`"
        ));
    };
    let Some(affected_json) = &r.affected else {
        return Parsed::Malformed(format!("{id}: no `affected` packages"));
    };
    let mut others = Vec::new();
    let mut affected = Vec::new();
    for a in affected_json {
        let Some(pkg) = &a.package else {
            warnings.push(format!(
                "{id}: an affected entry without a package; ignored"
            ));
            continue;
        };
        let eco_str = pkg.ecosystem.as_deref().unwrap_or("").trim();
        let Some(eco) = osv_ecosystem(eco_str) else {
            if eco_str.is_empty() {
                warnings.push(format!(
                    "{id}: an affected package without an ecosystem; ignored"
                ));
            } else {
                others.push(eco_str.split(':').next().unwrap_or(eco_str).to_owned());
            }
            continue;
        };
        let name = pkg.name.as_deref().unwrap_or("").trim();
        if name.is_empty() {
            warnings.push(format!(
                "{id}: an affected {eco} entry without a package name; ignored"
            ));
            continue;
        }
        let mut unreadable = false;
        let mut ranges = Vec::new();
        for range in a.ranges.iter().flatten() {
            match read_range(eco, range) {
                Ok(Some(r)) => ranges.push(r),
                Ok(None) => unreadable = true,
                Err(e) => {
                    warnings.push(format!("{id}: {name}: {e}; the range is ignored"));
                    unreadable = true;
                }
            }
        }
        let versions: Vec<String> = a
            .versions
            .iter()
            .flatten()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        affected.push(AffectedPackage {
            ecosystem: eco,
            name: name.to_owned(),
            versions,
            ranges,
            unreadable,
        });
    }
    if affected.is_empty() {
        if others.is_empty() {
            return Parsed::Malformed(format!("{id}: no usable affected package"));
        }
        others.sort();
        others.dedup();
        return Parsed::OtherEcosystems(others);
    }
    if !is_malicious(&r, &id) {
        return Parsed::NotMalicious;
    }
    let published = r.published.as_deref().and_then(|p| {
        let t = Timestamp::parse(p);
        if t.is_none() {
            warnings.push(format!(
                "{id}: `published` is not an RFC 3339 date: `{p}`; left out"
            ));
        }
        t
    });
    let withdrawn = r.withdrawn.as_deref().map(|w| {
        Timestamp::parse(w).unwrap_or_else(|| {
            warnings.push(format!(
                "{id}: `withdrawn` is not an RFC 3339 date: `{w}`; taken as withdrawn when modified"
            ));
            modified
        })
    });
    let summary = match r.summary.as_deref().map(str::trim) {
        None | Some("") => Summary::None,
        Some(s) if s == standard_summary(&affected[0]) => Summary::Standard,
        Some(s) => {
            let line = s.lines().next().unwrap_or("").trim();
            let mut short: String = line.chars().take(SUMMARY_CHARS).collect();
            if short.len() < line.len() {
                short.pop();
                short.push('…');
            }
            Summary::Text(short)
        }
    };
    let mut origins: Vec<String> = r
        .database_specific
        .as_ref()
        .and_then(|d| d.get("malicious-packages-origins"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| o.get("source").and_then(Value::as_str))
        .map(|s| s.trim().to_owned())
        .collect();
    if origins.is_empty() {
        origins = r
            .credits
            .iter()
            .flatten()
            .filter_map(|c| c.name.as_deref())
            .map(|s| s.trim().to_owned())
            .collect();
    }
    let mut seen = std::collections::HashSet::new();
    origins.retain(|o| !o.is_empty() && seen.insert(o.clone()));
    origins.truncate(8);
    let mut aliases: Vec<String> = r
        .aliases
        .iter()
        .flatten()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty() && *a != id)
        .collect();
    aliases.sort();
    aliases.dedup();
    Parsed::Malicious(MalRecord {
        id,
        modified,
        published,
        withdrawn,
        summary,
        origins: origins.join(", "),
        source: source.to_owned(),
        aliases,
        affected,
    })
}

/// One record file of a source: where it is, what a record keeps as its origin, its
/// bytes or why they could not be read.
pub(crate) struct Entry {
    pub place: String,
    pub source: String,
    pub stem: String,
    pub bytes: Result<Vec<u8>, String>,
}

fn stem_of(name: &str) -> String {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file.strip_suffix(".json")
        .or_else(|| file.strip_suffix(".JSON"))
        .unwrap_or(file)
        .to_owned()
}

fn is_json(name: &str) -> bool {
    name.len() > 5 && name[name.len() - 5..].eq_ignore_ascii_case(".json")
}

/// Calls `f` on every `*.json` record of `source`: a directory (recursively; hidden
/// directories such as `.git` are skipped), a zip archive, or one JSON file.
pub(crate) fn walk(source: &Path, mut f: impl FnMut(Entry)) -> Result<(), OverlayError> {
    let meta = std::fs::metadata(source).map_err(|e| OverlayError::io(source, e))?;
    let label = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.display().to_string());
    if meta.is_dir() {
        let mut stack = vec![source.to_owned()];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<_> = std::fs::read_dir(&dir)
                .map_err(|e| OverlayError::io(&dir, e))?
                .filter_map(Result::ok)
                .collect();
            entries.sort_by_key(|e| e.file_name());
            // A directory's files come in name order, then its subdirectories, each
            // walked whole in name order (they go on the stack in reverse).
            let mut subdirs = Vec::new();
            for e in &entries {
                let name = e.file_name().to_string_lossy().into_owned();
                let path = e.path();
                // `file_type` does not follow symbolic links: linked directories are not
                // walked (no loops), linked files are read.
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() {
                    if !name.starts_with('.') {
                        subdirs.push(path);
                    }
                    continue;
                }
                if !is_json(&name) {
                    continue;
                }
                let rel = path.strip_prefix(source).unwrap_or(&path);
                let rel = rel.to_string_lossy().replace('\\', "/");
                f(Entry {
                    place: path.display().to_string(),
                    source: format!("{label}/{rel}"),
                    stem: stem_of(&name),
                    bytes: read_capped(&path),
                });
            }
            stack.extend(subdirs.into_iter().rev());
        }
        return Ok(());
    }
    let mut file = std::fs::File::open(source).map_err(|e| OverlayError::io(source, e))?;
    let mut magic = [0u8; 4];
    let n = file
        .read(&mut magic)
        .map_err(|e| OverlayError::io(source, e))?;
    if n == 4 && (&magic == b"PK\x03\x04" || &magic == b"PK\x05\x06") {
        drop(file);
        return walk_zip(source, &label, f);
    }
    if is_json(&label) {
        f(Entry {
            place: source.display().to_string(),
            source: label.clone(),
            stem: stem_of(&label),
            bytes: read_capped(source),
        });
        return Ok(());
    }
    Err(OverlayError::Source {
        origin: source.display().to_string(),
        reason: "not a directory, a zip archive or a .json file".into(),
    })
}

fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    f.take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > MAX_RECORD_BYTES {
        return Err(format!(
            "larger than {} MiB, not an OSV record",
            MAX_RECORD_BYTES >> 20
        ));
    }
    Ok(buf)
}

fn walk_zip(source: &Path, label: &str, mut f: impl FnMut(Entry)) -> Result<(), OverlayError> {
    let file = std::fs::File::open(source).map_err(|e| OverlayError::io(source, e))?;
    let mut zip =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| OverlayError::Source {
            origin: source.display().to_string(),
            reason: format!("not a readable zip archive: {e}"),
        })?;
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                f(Entry {
                    place: format!("{}: entry {}", source.display(), i + 1),
                    source: label.to_owned(),
                    stem: String::new(),
                    bytes: Err(format!("unreadable zip entry: {e}")),
                });
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
        };
        // As in a directory walk, hidden folders (`.github/`) hold no records.
        let hidden = name.split('/').any(|c| c.starts_with('.'));
        if entry.is_dir() || hidden || !is_json(&name) {
            continue;
        }
        let place = format!("{}:{name}", source.display());
        let mut buf = Vec::new();
        let bytes = if entry.size() > MAX_RECORD_BYTES {
            Err(format!(
                "larger than {} MiB, not an OSV record",
                MAX_RECORD_BYTES >> 20
            ))
        } else {
            // The declared size may lie; the read is capped all the same.
            match (&mut entry)
                .take(MAX_RECORD_BYTES + 1)
                .read_to_end(&mut buf)
            {
                Ok(_) if buf.len() as u64 > MAX_RECORD_BYTES => Err(format!(
                    "larger than {} MiB, not an OSV record",
                    MAX_RECORD_BYTES >> 20
                )),
                Ok(_) => Ok(buf),
                Err(e) => Err(format!("cannot decompress: {e}")),
            }
        };
        f(Entry {
            place,
            source: format!("{label}:{name}"),
            stem: stem_of(&name),
            bytes,
        });
    }
    Ok(())
}

/// Newer `modified` wins; at equal times a withdrawal wins, then the later read.
fn supersedes(new: &MalRecord, old: &MalRecord) -> bool {
    match new.modified.cmp(&old.modified) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => new.withdrawn.is_some() || old.withdrawn.is_none(),
    }
}

/// See [`super::import_osv`].
pub(crate) fn import(
    data_dir: &Path,
    source: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, OverlayError> {
    let path = store::overlay_path(data_dir, OverlayKind::Malicious);
    let (held_records, old_meta) = if opts.replace {
        (Vec::new(), Value::Null)
    } else {
        store::load(&path, OverlayKind::Malicious, |b| {
            MalRecord::decode(b).ok_or("a record does not decode")
        })?
    };
    let mut held: HashMap<String, MalRecord> = held_records
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut report = ImportReport::new(&path, source);
    let mut incoming: HashMap<String, MalRecord> = HashMap::new();
    walk(source, |entry| {
        report.read += 1;
        let bytes = match entry.bytes {
            Ok(b) => b,
            Err(reason) => {
                report.skip("unreadable");
                report.warn(entry.place, "unreadable", reason);
                return;
            }
        };
        let mut notes = Vec::new();
        let parsed = parse_record(&bytes, &entry.source, &entry.stem, &mut notes);
        for n in notes {
            report.warn(entry.place.clone(), "record partly unreadable", n);
        }
        match parsed {
            Parsed::Malicious(r) => match incoming.get(&r.id) {
                Some(old) if !supersedes(&r, old) => {
                    report.skip("older copy of a record read twice")
                }
                Some(_) => {
                    report.skip("older copy of a record read twice");
                    incoming.insert(r.id.clone(), r);
                }
                None => {
                    incoming.insert(r.id.clone(), r);
                }
            },
            Parsed::NotMalicious => report.skip("not malicious (a vulnerability advisory)"),
            Parsed::OtherEcosystems(ecos) => {
                report.skip("no PyPI or npm package");
                for e in ecos {
                    *report.other_ecosystems.entry(e).or_default() += 1;
                }
            }
            Parsed::Malformed(reason) => {
                report.skip("malformed");
                report.warn(entry.place, "malformed", reason);
            }
        }
    })?;
    let mut ids: Vec<&String> = incoming.keys().collect();
    ids.sort();
    let mut taken: Vec<MalRecord> = Vec::with_capacity(incoming.len());
    for id in ids {
        let r = &incoming[id];
        let old = held.get(id);
        if old.is_some_and(|o| !supersedes(r, o)) {
            report.older_ignored += 1;
            continue;
        }
        if r.withdrawn.is_some() {
            report.withdrawn += 1;
            if old.is_some_and(|o| o.withdrawn.is_none()) {
                report.removed += 1;
            }
        } else {
            match old {
                None => report.imported += 1,
                Some(o) if o.modified == r.modified && o.withdrawn.is_none() => {
                    report.unchanged += 1
                }
                Some(_) => report.replaced += 1,
            }
            let mut ecos: Vec<Ecosystem> = r.affected.iter().map(|a| a.ecosystem).collect();
            ecos.sort();
            ecos.dedup();
            for e in ecos {
                *report.by_ecosystem.entry(e).or_default() += 1;
            }
        }
        taken.push(r.clone());
    }
    for r in taken {
        held.insert(r.id.clone(), r);
    }
    let mut records: Vec<MalRecord> = held.into_values().collect();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let mut totals: BTreeMap<Ecosystem, u64> = BTreeMap::new();
    for r in records.iter().filter(|r| r.withdrawn.is_none()) {
        let mut ecos: Vec<Ecosystem> = r.affected.iter().map(|a| a.ecosystem).collect();
        ecos.sort();
        ecos.dedup();
        for e in ecos {
            *totals.entry(e).or_default() += 1;
        }
    }
    report.total = records.iter().filter(|r| r.withdrawn.is_none()).count() as u64;
    let out: Vec<_> = records
        .iter()
        .map(|r| super::format::RecordOut {
            keys: r.keys(),
            body: r.encode(),
        })
        .collect();
    let taken_count = report.imported + report.replaced + report.unchanged + report.withdrawn;
    let meta = store::metadata(
        OverlayKind::Malicious,
        &old_meta,
        &report.source,
        taken_count,
        &totals,
        report.total,
    );
    store::save(&path, OverlayKind::Malicious, &out, &meta)?;
    Ok(report)
}

/// Warning kinds are short, so that a summary can count them.
impl ImportReport {
    pub(crate) fn warn(&mut self, place: String, kind: &'static str, reason: String) {
        self.warnings.push(ImportWarning {
            place,
            kind,
            reason,
        });
    }

    pub(crate) fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_owned()).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> (Parsed, Vec<String>) {
        let mut w = Vec::new();
        let p = parse_record(json.as_bytes(), "test.json", "MAL-0000-test", &mut w);
        (p, w)
    }

    #[test]
    fn advisories_are_told_from_malicious_records() {
        let advisory = r#"{"id":"GHSA-xxxx-yyyy-zzzz","modified":"2024-01-01T00:00:00Z",
            "summary":"Remote code execution in foo","details":"An attacker can execute malicious code.",
            "affected":[{"package":{"ecosystem":"PyPI","name":"foo"},"versions":["1.0"]}]}"#;
        assert!(matches!(parse(advisory).0, Parsed::NotMalicious));
        let ghsa_malware = r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z",
            "summary":"Malware in bar","database_specific":{"cwe_ids":["CWE-506"]},
            "affected":[{"package":{"ecosystem":"npm","name":"bar"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#;
        assert!(matches!(parse(ghsa_malware).0, Parsed::Malicious(_)));
        let aliased = r#"{"id":"GHSA-aaaa-bbbb-cccd","modified":"2024-01-01T00:00:00Z",
            "aliases":["MAL-2024-1"],"affected":[{"package":{"ecosystem":"npm","name":"bar"}}]}"#;
        assert!(matches!(parse(aliased).0, Parsed::Malicious(_)));
        let go = r#"{"id":"MAL-2024-2","modified":"2024-01-01T00:00:00Z",
            "affected":[{"package":{"ecosystem":"Go","name":"x"}},{"package":{"ecosystem":"crates.io","name":"y"}}]}"#;
        match parse(go).0 {
            Parsed::OtherEcosystems(e) => assert_eq!(e, ["Go", "crates.io"]),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn empty_ids_take_the_file_name_and_bad_fields_are_named() {
        let (p, _) = parse(
            r#"{"id":"","modified":"2025-03-28T13:05:11Z","affected":[{"package":{"ecosystem":"PyPI","name":"0-8"},"versions":["0.0.0.1"]}],
            "database_specific":{"malicious-packages-origins":[{"source":"reversing-labs"}]}}"#,
        );
        let Parsed::Malicious(r) = p else {
            panic!("{p:?}")
        };
        assert_eq!(r.id, "MAL-0000-test");
        assert_eq!(r.origins, "reversing-labs");
        let (p, _) = parse(r#"{"id":"MAL-1","affected":[]}"#);
        assert!(
            matches!(p, Parsed::Malformed(ref m) if m.contains("modified")),
            "{p:?}"
        );
        let (p, _) = parse(r#"{"id":"MAL-1","modified":"last tuesday","affected":[]}"#);
        assert!(
            matches!(p, Parsed::Malformed(ref m) if m.contains("RFC 3339")),
            "{p:?}"
        );
        let (p, _) = parse(r#"{"id": 7}"#);
        assert!(
            matches!(p, Parsed::Malformed(ref m) if m.contains("not an OSV record")),
            "{p:?}"
        );
        let (p, _) = parse(r#"{"id": "#);
        assert!(
            matches!(p, Parsed::Malformed(ref m) if m.contains("bad JSON")),
            "{p:?}"
        );
        let (p, w) = parse(
            r#"{"id":"MAL-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0","fixed":"1"}]},{"type":"ECOSYSTEM","events":[{"introduced":"1!!"}]}]}]}"#,
        );
        let Parsed::Malicious(r) = p else {
            panic!("{p:?}")
        };
        assert!(r.affected[0].unreadable && r.affected[0].ranges.is_empty());
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("exactly one field"), "{w:?}");
        assert!(w[1].contains("PEP 440"), "{w:?}");
    }
}
