//! The complete list of npm names, from the registry's replication API: `_all_docs` paged
//! by `startkey` the first time, then `_changes` from the recorded sequence. Progress is
//! saved after every page, so an interrupted sync resumes where it stopped.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a sync stands, saved in `npm-sync.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SyncState {
    /// The registry synced.
    pub registry: String,
    /// The registry's sequence when the listing started (changes after it are applied
    /// next time).
    pub seq: u64,
    /// `Some(key)`: the listing is under way and resumes at `key`; `None`: it is complete.
    pub resume_at: Option<String>,
    /// Bytes of `npm-names.txt` that hold listed pages. The listing appends to the file,
    /// so a sync that stopped between an append and this state cuts the file back here.
    #[serde(default)]
    pub listed_bytes: u64,
}

/// Changes pages applied between two saves of the whole name file: the listing appends,
/// but a change can delete a name, so applying changes rewrites the file.
const CHANGES_PAGES_PER_SAVE: usize = 50;

/// What a sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncOutcome {
    /// Names now known.
    pub names: BTreeSet<String>,
    /// Pages of `_all_docs` or `_changes` read.
    pub pages: usize,
    /// It went on from an interrupted listing.
    pub resumed: bool,
    /// Only changes were applied.
    pub incremental: bool,
    /// The sequence reached.
    pub seq: u64,
    /// The registry said nothing changed since the last sync (HTTP 304): the names are
    /// the ones kept from it.
    pub unchanged: bool,
}

/// What the last PyPI sync saw, saved in `pypi-sync.json`, so that the next one asks
/// only whether the index changed (`If-None-Match`, `If-Modified-Since`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PypiSyncState {
    /// The index listed.
    pub registry: String,
    /// Its `ETag`, if it sent one.
    pub etag: Option<String>,
    /// Its `Last-Modified`, if it sent one.
    pub last_modified: Option<String>,
    /// Its `_last-serial`.
    pub serial: u64,
}

/// Syncs the npm names of `registry` into `dir` (`npm-sync.json`, `npm-names.txt`), `page`
/// names a request. `stop_after` stops after that many pages, leaving the state to resume
/// (for tests of interruption). Blocking.
pub fn sync_npm(
    registry: &str,
    dir: &Path,
    page: usize,
    stop_after: Option<usize>,
) -> Result<SyncOutcome, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(sync_async(registry, dir, page, stop_after))
}

fn state_path(dir: &Path) -> PathBuf {
    dir.join("npm-sync.json")
}

fn names_path(dir: &Path) -> PathBuf {
    dir.join("npm-names.txt")
}

async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let mut last = String::new();
    for attempt in 0..4u32 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
        }
        match client.get(url).send().await {
            Ok(r) if r.status().is_success() => match r.bytes().await {
                Ok(b) => {
                    return serde_json::from_slice(&b).map_err(|e| format!("{url}: not JSON: {e}"));
                }
                Err(e) => last = format!("{url}: {e}"),
            },
            Ok(r) if r.status().is_server_error() || r.status().as_u16() == 429 => {
                last = format!("{url}: HTTP {}", r.status());
            }
            Ok(r) => return Err(format!("{url}: HTTP {}", r.status())),
            Err(e) => last = format!("{url}: {e}"),
        }
    }
    Err(last)
}

fn save(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    tmp.write_all(bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("{}: {}", path.display(), e.error))?;
    Ok(())
}

fn read_names(dir: &Path, limit: Option<u64>) -> Result<BTreeSet<String>, String> {
    match std::fs::read(names_path(dir)) {
        Ok(mut bytes) => {
            if let Some(n) = limit {
                bytes.truncate(usize::try_from(n).unwrap_or(usize::MAX));
            }
            Ok(String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(format!("{}: {e}", names_path(dir).display())),
    }
}

/// Rewrites the whole name file; returns its length.
fn write_names(dir: &Path, names: &BTreeSet<String>) -> Result<u64, String> {
    let mut text = String::new();
    for n in names {
        text.push_str(n);
        text.push('\n');
    }
    save(&names_path(dir), text.as_bytes())?;
    Ok(text.len() as u64)
}

/// Appends a listed page to the name file after cutting it back to `listed`, the length
/// the saved state vouches for; returns the new length.
fn append_names(dir: &Path, listed: u64, text: &str) -> Result<u64, String> {
    let path = names_path(dir);
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    f.set_len(listed).map_err(err)?;
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(listed)).map_err(err)?;
    f.write_all(text.as_bytes()).map_err(err)?;
    f.sync_data().map_err(err)?;
    Ok(listed + text.len() as u64)
}

async fn sync_async(
    registry: &str,
    dir: &Path,
    page: usize,
    stop_after: Option<usize>,
) -> Result<SyncOutcome, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let base = registry.trim_end_matches('/');
    let client = reqwest::Client::builder()
        .user_agent(concat!("depproof/", env!("CARGO_PKG_VERSION")))
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let previous: Option<SyncState> = std::fs::read(state_path(dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|s: &SyncState| s.registry == registry);
    // Mid-listing, only what the state vouches for counts: a stop between an append and
    // the state's save may have left a partial page.
    let vouched = previous
        .as_ref()
        .filter(|s| s.resume_at.is_some())
        .map(|s| s.listed_bytes);
    let mut names = read_names(dir, vouched)?;
    let mut out = SyncOutcome::default();
    let mut state = match previous {
        Some(s) => s,
        None => {
            names.clear();
            let info = get_json(&client, &format!("{base}/")).await?;
            let seq = info["update_seq"].as_u64().unwrap_or(0);
            SyncState {
                registry: registry.to_owned(),
                seq,
                resume_at: Some(String::new()),
                listed_bytes: 0,
            }
        }
    };
    let stopped = |pages: usize| stop_after.is_some_and(|n| pages >= n);
    if let Some(start) = state.resume_at.clone() {
        out.resumed = !start.is_empty();
        let mut start = start;
        loop {
            let key = serde_json::to_string(&start).unwrap_or_default();
            let url = format!(
                "{base}/_all_docs?limit={}&startkey={}",
                page + 1,
                percent(&key)
            );
            let v = get_json(&client, &url).await?;
            let rows = v["rows"].as_array().ok_or(format!("{url}: no `rows`"))?;
            let ids: Vec<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
            // The extra row is the next page's first key.
            let next = ids.get(page).map(|s| (*s).to_owned());
            let mut appended = String::new();
            for id in ids.iter().take(page).filter(|i| !i.starts_with("_design/")) {
                if names.insert((*id).to_owned()) {
                    appended.push_str(id);
                    appended.push('\n');
                }
            }
            out.pages += 1;
            state.resume_at = next.clone();
            state.listed_bytes = append_names(dir, state.listed_bytes, &appended)?;
            save(
                &state_path(dir),
                &serde_json::to_vec(&state).unwrap_or_default(),
            )?;
            match next {
                Some(n) => start = n,
                None => break,
            }
            if stopped(out.pages) {
                return Err(format!(
                    "stopped after {} pages, as asked; run again to resume",
                    out.pages
                ));
            }
        }
    } else {
        out.incremental = true;
    }
    // Changes since the recorded sequence (all of them after a fresh listing too, since
    // the listing is not a consistent cut).
    loop {
        let url = format!("{base}/_changes?since={}&limit={page}", state.seq);
        let v = get_json(&client, &url).await?;
        let results = v["results"]
            .as_array()
            .ok_or(format!("{url}: no `results`"))?;
        for r in results {
            let Some(id) = r["id"].as_str() else { continue };
            if r["deleted"].as_bool() == Some(true) {
                names.remove(id);
            } else if !id.starts_with("_design/") {
                names.insert(id.to_owned());
            }
        }
        let last = v["last_seq"].as_u64().unwrap_or(state.seq);
        out.pages += 1;
        let done = results.is_empty() || last <= state.seq;
        state.seq = last.max(state.seq);
        let finished = done || results.len() < page;
        if finished || out.pages.is_multiple_of(CHANGES_PAGES_PER_SAVE) || stopped(out.pages) {
            // Names first, then the sequence: a stop between the two re-applies changes,
            // which is harmless, and never skips one.
            state.listed_bytes = write_names(dir, &names)?;
            save(
                &state_path(dir),
                &serde_json::to_vec(&state).unwrap_or_default(),
            )?;
        }
        if finished {
            break;
        }
        if stopped(out.pages) {
            return Err(format!(
                "stopped after {} pages, as asked; run again to resume",
                out.pages
            ));
        }
    }
    out.seq = state.seq;
    out.names = names;
    Ok(out)
}

/// Lists every project of a PyPI Simple index (`GET /simple/` in JSON form, PEP 691) into
/// `dir/pypi-names.txt`. The Simple API has no change feed: each sync is one full listing,
/// asked conditionally (`If-None-Match` / `If-Modified-Since` from `dir/pypi-sync.json`)
/// when a previous one of the same index is kept; a 304 keeps its names. Blocking.
pub fn sync_pypi(registry: &str, dir: &Path) -> Result<SyncOutcome, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let url = if registry.ends_with('/') {
            registry.to_owned()
        } else {
            format!("{registry}/")
        };
        let names_file = dir.join("pypi-names.txt");
        let state_file = dir.join("pypi-sync.json");
        // Conditional only with the names it vouches for at hand.
        let previous: Option<PypiSyncState> = std::fs::read(&state_file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|s: &PypiSyncState| s.registry == registry && names_file.is_file());
        let client = reqwest::Client::builder()
            .user_agent(concat!("depproof/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(600))
            .build()
            .map_err(|e| e.to_string())?;
        let mut request = client.get(&url).header(
            reqwest::header::ACCEPT,
            "application/vnd.pypi.simple.v1+json",
        );
        if let Some(p) = &previous {
            if let Some(e) = &p.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, e);
            }
            if let Some(m) = &p.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, m);
            }
        }
        let r = request.send().await.map_err(|e| format!("{url}: {e}"))?;
        if r.status() == reqwest::StatusCode::NOT_MODIFIED {
            let Some(p) = previous else {
                return Err(format!(
                    "{url}: HTTP 304 to a request that was not conditional"
                ));
            };
            let names = read_lines(&names_file)?;
            return Ok(SyncOutcome {
                names,
                pages: 1,
                seq: p.serial,
                unchanged: true,
                ..SyncOutcome::default()
            });
        }
        if !r.status().is_success() {
            return Err(format!("{url}: HTTP {}", r.status()));
        }
        let header = |h: reqwest::header::HeaderName| {
            r.headers()
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let body = r.bytes().await.map_err(|e| format!("{url}: {e}"))?;
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("{url}: not a Simple API JSON index: {e}"))?;
        let projects = v["projects"]
            .as_array()
            .ok_or(format!("{url}: not a Simple API JSON index: no `projects`"))?;
        let names: BTreeSet<String> = projects
            .iter()
            .filter_map(|p| p["name"].as_str())
            .map(str::to_owned)
            .collect();
        let mut text = String::new();
        for n in &names {
            text.push_str(n);
            text.push('\n');
        }
        let serial = v["meta"]["_last-serial"].as_u64().unwrap_or(0);
        // Names first, then the validators: a stop between the two leaves old validators,
        // which the index no longer matches, so the next sync lists in full.
        save(&names_file, text.as_bytes())?;
        let state = PypiSyncState {
            registry: registry.to_owned(),
            etag,
            last_modified,
            serial,
        };
        save(&state_file, &serde_json::to_vec(&state).unwrap_or_default())?;
        Ok(SyncOutcome {
            names,
            pages: 1,
            seq: serial,
            ..SyncOutcome::default()
        })
    })
}

fn read_lines(path: &Path) -> Result<BTreeSet<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
