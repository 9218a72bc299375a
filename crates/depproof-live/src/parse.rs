//! Reading registry answers: a PyPI Simple API project page (PEP 691 JSON, or the HTML
//! form from servers that do not speak JSON) and an npm package document.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde_json::Value;

use crate::PackageFacts;

/// What a response body could not be read as, in words.
pub type ParseError = String;

/// Reads a PEP 691 JSON project page.
pub fn pypi_json(body: &[u8]) -> Result<PackageFacts, ParseError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("not a Simple API JSON page: {e}"))?;
    let obj = v
        .as_object()
        .ok_or("not a Simple API JSON page: not an object")?;
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .ok_or("not a Simple API JSON page: no `name`")?
        .to_owned();
    let files = obj
        .get("files")
        .and_then(Value::as_array)
        .ok_or("not a Simple API JSON page: no `files` list")?;
    // Per version: earliest and latest upload, all files yanked.
    let mut by_version: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    let mut first: Option<String> = None;
    for f in files {
        let Some(filename) = f.get("filename").and_then(Value::as_str) else {
            continue;
        };
        let yanked = match f.get("yanked") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(_)) => true,
            _ => false,
        };
        let uploaded = f
            .get("upload-time")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(u) = &uploaded
            && first.as_ref().is_none_or(|f| u < f)
        {
            first = Some(u.clone());
        }
        let Some(version) = version_of_file(&name, filename) else {
            continue;
        };
        let e = by_version.entry(version).or_insert((None, true));
        if let Some(u) = uploaded
            && e.0.as_ref().is_none_or(|x| &u > x)
        {
            e.0 = Some(u);
        }
        e.1 &= yanked;
    }
    // PEP 700 lists every version, including those without files.
    let mut versions: Vec<String> = match obj.get("versions").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        None => by_version.keys().cloned().collect(),
    };
    versions.sort();
    versions.dedup();
    let latest = latest_pep440(&versions);
    let latest_release = latest
        .as_ref()
        .and_then(|l| by_version.get(l))
        .and_then(|e| e.0.clone());
    let status = obj
        .get("project-status")
        .and_then(|s| s.get("status"))
        .and_then(Value::as_str)
        .filter(|s| *s != "active")
        .map(str::to_owned);
    Ok(PackageFacts {
        name,
        first_release: first,
        latest_version: latest,
        latest_release,
        releases: u32::try_from(versions.len()).unwrap_or(u32::MAX),
        all_yanked: !files.is_empty() && by_version.values().all(|e| e.1),
        status,
        security_holding: false,
    })
}

/// Reads an HTML Simple API project page (PEP 503): the files only, without dates.
pub fn pypi_html(name: &str, body: &[u8]) -> Result<PackageFacts, ParseError> {
    let text = std::str::from_utf8(body).map_err(|_| "the project page is not UTF-8")?;
    let mut versions: BTreeMap<String, bool> = BTreeMap::new();
    let mut files = 0;
    for anchor in text.split("<a ").skip(1) {
        let Some(end) = anchor.find("</a>") else {
            continue;
        };
        let tag = &anchor[..end];
        let Some(gt) = tag.find('>') else { continue };
        let filename = tag[gt + 1..].trim();
        let yanked = tag[..gt].contains("data-yanked");
        files += 1;
        if let Some(v) = version_of_file(name, filename) {
            *versions.entry(v).or_insert(true) &= yanked;
        }
    }
    let list: Vec<String> = versions.keys().cloned().collect();
    let status = text
        .find("name=\"pypi:project-status\"")
        .and_then(|i| text[i..].split("content=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .filter(|s| *s != "active")
        .map(str::to_owned);
    Ok(PackageFacts {
        name: name.to_owned(),
        first_release: None,
        latest_version: latest_pep440(&list),
        latest_release: None,
        releases: u32::try_from(list.len()).unwrap_or(u32::MAX),
        all_yanked: files > 0 && versions.values().all(|y| *y),
        status,
        security_holding: false,
    })
}

/// The highest final release, else the highest version; versions that are not PEP 440
/// count only when nothing else does.
fn latest_pep440(versions: &[String]) -> Option<String> {
    let parsed: Vec<(pep440_rs::Version, &String)> = versions
        .iter()
        .filter_map(|v| pep440_rs::Version::from_str(v).ok().map(|p| (p, v)))
        .collect();
    parsed
        .iter()
        .filter(|(p, _)| !p.any_prerelease())
        .max_by(|a, b| a.0.cmp(&b.0))
        .or_else(|| parsed.iter().max_by(|a, b| a.0.cmp(&b.0)))
        .map(|(_, v)| (*v).clone())
        .or_else(|| versions.last().cloned())
}

/// The version in a distribution file name: `NAME-VERSION-...whl`, `NAME-VERSION.tar.gz`.
fn version_of_file(project: &str, filename: &str) -> Option<String> {
    let f = filename.trim();
    if let Some(stem) = f.strip_suffix(".whl") {
        return stem.split('-').nth(1).map(str::to_owned);
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".egg"]
        .iter()
        .find_map(|ext| f.strip_suffix(ext))?;
    let stem = stem.split("-py").next().unwrap_or(stem);
    // The project part has as many `-`-separated words as the name, when spelt with `-`.
    let words = project.split(['-', '_', '.']).count();
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() > words {
        Some(parts[words..].join("-"))
    } else {
        stem.rsplit_once('-').map(|(_, v)| v.to_owned())
    }
}

/// Reads an npm package document; `Ok(None)` for an unpublished package (nothing to
/// install, the name is free again).
pub fn npm_document(body: &[u8]) -> Result<Option<PackageFacts>, ParseError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("not an npm package document: {e}"))?;
    let obj = v
        .as_object()
        .ok_or("not an npm package document: not an object")?;
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .ok_or("not an npm package document: no `name`")?
        .to_owned();
    let time = obj.get("time").and_then(Value::as_object);
    let versions = obj.get("versions").and_then(Value::as_object);
    let releases = versions.map_or(0, |v| v.len());
    if releases == 0 && time.is_some_and(|t| t.contains_key("unpublished")) {
        return Ok(None);
    }
    let latest = obj
        .get("dist-tags")
        .and_then(|t| t.get("latest"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let created = time
        .and_then(|t| t.get("created"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            // Older documents lack `created`: the earliest version time.
            time?
                .iter()
                .filter(|(k, _)| *k != "modified")
                .filter_map(|(_, v)| v.as_str())
                .min()
                .map(str::to_owned)
        });
    let latest_release = latest
        .as_ref()
        .and_then(|l| time?.get(l)?.as_str().map(str::to_owned));
    let latest_doc = latest.as_ref().and_then(|l| versions?.get(l));
    let description = latest_doc
        .and_then(|d| d.get("description"))
        .or_else(|| obj.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let security_holding = latest.as_deref() == Some("0.0.1-security")
        || description
            .to_lowercase()
            .contains("security holding package");
    let status = latest_doc
        .and_then(|d| d.get("deprecated"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|_| "deprecated".to_owned());
    Ok(Some(PackageFacts {
        name,
        first_release: created,
        latest_version: latest,
        latest_release,
        releases: u32::try_from(releases).unwrap_or(u32::MAX),
        all_yanked: false,
        status,
        security_holding,
    }))
}

/// The path of a package document: scoped names keep the `@` and escape the `/`.
pub fn npm_path(name: &str) -> String {
    match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        Some((scope, pkg)) => format!("@{scope}%2F{pkg}"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep691_page() {
        let page = br#"{"meta":{"api-version":"1.4"},"name":"demo-pkg","versions":["0.9","1.0","2.0rc1"],
          "project-status":{"status":"quarantined"},
          "files":[
            {"filename":"demo_pkg-1.0-py3-none-any.whl","url":"x","hashes":{},"yanked":false,"upload-time":"2025-02-03T04:05:06.000000Z"},
            {"filename":"demo-pkg-1.0.tar.gz","url":"x","hashes":{},"yanked":"broken","upload-time":"2025-02-03T04:05:07.000000Z"},
            {"filename":"demo-pkg-0.9.tar.gz","url":"x","hashes":{},"upload-time":"2024-12-01T00:00:00Z"},
            {"filename":"demo_pkg-2.0rc1-py3-none-any.whl","url":"x","hashes":{},"upload-time":"2025-03-01T00:00:00Z"}]}"#;
        let f = pypi_json(page).unwrap();
        assert_eq!(f.name, "demo-pkg");
        assert_eq!(f.first_release.as_deref(), Some("2024-12-01T00:00:00Z"));
        assert_eq!(f.latest_version.as_deref(), Some("1.0"));
        assert_eq!(
            f.latest_release.as_deref(),
            Some("2025-02-03T04:05:07.000000Z")
        );
        assert_eq!(f.releases, 3);
        assert!(!f.all_yanked);
        assert_eq!(f.status.as_deref(), Some("quarantined"));
        assert!(pypi_json(b"{\"name\":\"x\",\"files\":[").is_err());
        assert!(pypi_json(b"[]").is_err());
    }

    #[test]
    fn html_page() {
        let page = br#"<html><body><a href="x/demo-1.0.tar.gz#sha256=00" data-yanked="">demo-1.0.tar.gz</a>
            <a href="y">demo-1.1-py3-none-any.whl</a></body></html>"#;
        let f = pypi_html("demo", page).unwrap();
        assert_eq!(f.releases, 2);
        assert_eq!(f.latest_version.as_deref(), Some("1.1"));
        assert!(!f.all_yanked);
    }

    #[test]
    fn npm_documents() {
        let doc = br#"{"name":"@acme/x","dist-tags":{"latest":"0.0.1-security"},
          "versions":{"0.0.1-security":{"description":"security holding package"},"1.0.0":{}},
          "time":{"created":"2020-01-01T00:00:00.000Z","modified":"2021-01-01T00:00:00.000Z","1.0.0":"2020-01-01T00:00:00.000Z","0.0.1-security":"2021-01-01T00:00:00.000Z"}}"#;
        let f = npm_document(doc).unwrap().unwrap();
        assert_eq!(f.first_release.as_deref(), Some("2020-01-01T00:00:00.000Z"));
        assert_eq!(f.releases, 2);
        assert!(f.security_holding);
        assert_eq!(
            f.latest_release.as_deref(),
            Some("2021-01-01T00:00:00.000Z")
        );
        let gone = br#"{"name":"x","time":{"created":"2020-01-01T00:00:00.000Z","unpublished":{"time":"2020-02-01T00:00:00.000Z"}}}"#;
        assert_eq!(npm_document(gone).unwrap(), None);
        assert!(npm_document(b"{\"name\":").is_err());
        assert_eq!(npm_path("@acme/x"), "@acme%2Fx");
        assert_eq!(npm_path("left-pad"), "left-pad");
    }
}
