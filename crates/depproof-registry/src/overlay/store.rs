//! Reading an overlay back for a merge, and replacing it atomically.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::format::{self, OverlayFile, OverlayKind, RecordOut};
use super::time::Timestamp;
use super::{OVERLAY_DIR, OverlayError};
use crate::Ecosystem;

/// Most import sources remembered in a file's provenance (the latest ones).
const MAX_SOURCES: usize = 64;

pub(crate) fn overlay_path(data_dir: &Path, kind: OverlayKind) -> PathBuf {
    data_dir.join(OVERLAY_DIR).join(kind.file_name())
}

/// Every record of the overlay at `path` (none if there is no file) and its provenance
/// JSON. The whole file is verified first: a merge must not carry damage forward.
pub(crate) fn load<T>(
    path: &Path,
    kind: OverlayKind,
    decode: impl Fn(&[u8]) -> Result<T, &'static str>,
) -> Result<(Vec<T>, Value), OverlayError> {
    let file = match OverlayFile::open(path, kind) {
        Ok(f) => f,
        Err(OverlayError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Vec::new(), Value::Null));
        }
        Err(e) => return Err(e),
    };
    file.verify()?;
    let mut out = Vec::with_capacity((file.live + file.withdrawn) as usize);
    file.for_each_record(|body| {
        out.push(decode(body).map_err(|reason| OverlayError::Damaged {
            path: path.to_owned(),
            reason: reason.to_owned(),
        })?);
        Ok(())
    })?;
    Ok((out, file.metadata()))
}

/// The provenance of the file after an import of `records` records from `source`.
pub(crate) fn metadata(
    kind: OverlayKind,
    old: &Value,
    source: &str,
    records: u64,
    by_ecosystem: &BTreeMap<Ecosystem, u64>,
    total: u64,
) -> Value {
    let now = Timestamp::now().to_string();
    let created = old
        .get("created")
        .and_then(Value::as_str)
        .unwrap_or(&now)
        .to_owned();
    let mut sources: Vec<Value> = old
        .get("sources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    sources.retain(|s| s.get("source").and_then(Value::as_str) != Some(source));
    sources.push(json!({ "source": source, "imported": now, "records": records }));
    if sources.len() > MAX_SOURCES {
        sources.drain(..sources.len() - MAX_SOURCES);
    }
    let by: serde_json::Map<String, Value> = by_ecosystem
        .iter()
        .map(|(e, n)| (e.id().to_owned(), json!(n)))
        .collect();
    json!({
        "kind": kind.id(),
        "created": created,
        "updated": now,
        "records": total,
        "by_ecosystem": by,
        "sources": sources,
    })
}

/// Writes the overlay to a temporary file beside `path`, checks it opens and verifies,
/// then renames it into place: a failed or interrupted import leaves the previous
/// overlay as it was.
pub(crate) fn save(
    path: &Path,
    kind: OverlayKind,
    records: &[RecordOut],
    meta: &Value,
) -> Result<(), OverlayError> {
    let bytes = format::write(kind, records, meta).map_err(|reason| OverlayError::Damaged {
        path: path.to_owned(),
        reason: format!("cannot lay out the overlay: {reason}"),
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| OverlayError::io(dir, e))?;
    let tmp = dir.join(format!(".{}.tmp-{}", kind.file_name(), std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| OverlayError::io(&tmp, e))?;
        f.write_all(&bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| OverlayError::io(&tmp, e))?;
        drop(f);
        let check = OverlayFile::open(&tmp, kind)?;
        check.verify()?;
        drop(check);
        std::fs::rename(&tmp, path).map_err(|e| OverlayError::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
