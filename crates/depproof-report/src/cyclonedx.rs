//! A CycloneDX 1.6 JSON SBOM of every referenced registry package, with depproof's
//! verdict and signals as properties.
//!
//! - One component per package, or per pinned version when lockfiles, exact manifest
//!   requirements (`==1.2`, `"1.2.3"`) or install commands pin one or more versions;
//!   references without a pin are evidence of the package's first component.
//! - `purl` (`pkg:pypi/…`, `pkg:npm/%40scope/…`) with the pinned version.
//! - `scope`: `required` when any reference is neither optional nor dev-only,
//!   `optional` when the non-dev references are all optional, `excluded` (the spec's
//!   scope for test and build tooling) when every reference is dev-only; the property
//!   `depproof:scope` says `required`, `optional` or `dev`.
//! - `evidence.occurrences`: every reference, with its file, line and byte offset.
//! - No `serialNumber` and no `timestamp`: the specification asks for a new serial number
//!   for each generation, and identical input must give an identical document.

use std::collections::BTreeMap;

use depproof_assess::{Finding, Presence, SuppressedBy};
use depproof_extract::Kind;
use depproof_extract::scan::Reference;
use depproof_registry::Ecosystem;
use serde_json::{Value, json};

use crate::{DataKind, ScanReport, kind_words, level_id, location_words};

/// The `$schema` written in the document.
pub const SCHEMA_URI: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "value": value.into() })
}

/// Percent-encodes a purl segment (RFC 3986 unreserved characters stay).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The package URL of a package and version.
pub fn purl(eco: Ecosystem, name: &str, version: Option<&str>) -> String {
    let name = name.to_lowercase();
    let path = match eco {
        Ecosystem::PyPI => encode(&name),
        Ecosystem::Npm => match name.split_once('/') {
            Some((scope, n)) if scope.starts_with('@') => {
                format!("{}/{}", encode(scope), encode(n))
            }
            _ => encode(&name),
        },
    };
    let mut p = format!("pkg:{}/{path}", eco.id());
    if let Some(v) = version {
        p.push('@');
        p.push_str(&encode(v));
    }
    p
}

/// The exact version a reference pins, if it pins one: a lockfile's version, `==X` or
/// `===X` for PyPI, a bare or `=`-prefixed version for npm.
pub fn pinned(eco: Ecosystem, r: &Reference) -> Option<String> {
    let v = r.version.as_deref()?.trim();
    let exact = |s: &str| -> Option<String> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '!' | '_'));
        ok.then(|| s.to_owned())
    };
    match (eco, r.kind) {
        (_, Kind::Lockfile) => exact(v.trim_start_matches(['=', 'v'])),
        (Ecosystem::PyPI, _) => {
            let rest = v.strip_prefix("===").or_else(|| v.strip_prefix("=="))?;
            exact(rest)
        }
        (Ecosystem::Npm, _) => exact(v.strip_prefix('=').unwrap_or(v)),
    }
}

fn scope(refs: &[&Reference]) -> (&'static str, &'static str) {
    if refs.iter().any(|r| !r.optional && !r.dev) {
        ("required", "required")
    } else if refs.iter().any(|r| !r.dev) {
        ("optional", "optional")
    } else {
        ("excluded", "dev")
    }
}

fn occurrence(r: &Reference) -> Value {
    let l = &r.location;
    let mut v = json!({ "location": l.path.as_ref() });
    match l.cell {
        Some(_) => {
            v["additionalContext"] = json!(format!("{}: {}", location_words(l), kind_words(r)));
        }
        None => {
            v["line"] = json!(l.line);
            v["offset"] = json!(l.start);
            v["additionalContext"] = json!(format!("column {}: {}", l.column, kind_words(r)));
        }
    }
    if let Some(via) = &r.via {
        v["symbol"] = json!(via.import);
    }
    v
}

fn components(r: &ScanReport, f: &Finding) -> Vec<Value> {
    let mut by_version: BTreeMap<String, Vec<&Reference>> = BTreeMap::new();
    let mut unpinned: Vec<&Reference> = Vec::new();
    for reference in &f.references {
        match pinned(f.ecosystem, reference) {
            Some(v) => by_version.entry(v).or_default().push(reference),
            None => unpinned.push(reference),
        }
    }
    let mut groups: Vec<(Option<String>, Vec<&Reference>)> = by_version
        .into_iter()
        .map(|(v, refs)| (Some(v), refs))
        .collect();
    match groups.first_mut() {
        Some((_, refs)) => {
            refs.extend(unpinned);
            refs.sort_by(|a, b| a.location.cmp(&b.location));
        }
        None => groups.push((None, unpinned)),
    }
    let mut props = vec![
        property("depproof:ecosystem", f.ecosystem.id()),
        property("depproof:verdict", f.verdict.id()),
        property("depproof:status", f.presence.id()),
    ];
    if let Presence::Found(info) = &f.presence
        && !info.latest_version.is_empty()
    {
        props.push(property(
            "depproof:latest-version",
            info.latest_version.clone(),
        ));
    }
    if let Some(p) = &f.private {
        props.push(property("depproof:private", p.clone()));
    }
    for s in &f.signals {
        props.push(property(
            "depproof:signal",
            format!(
                "{} {} ({}, {}): {}",
                s.code.id(),
                s.code.name(),
                level_id(r.policy, s.code, s.severity),
                s.severity.id(),
                s.message
            ),
        ));
    }
    for s in &f.suppressed {
        let by = match &s.by {
            SuppressedBy::Inline(_) => "inline",
            SuppressedBy::Allowed(_) => "allow",
        };
        props.push(property(
            "depproof:suppressed",
            format!(
                "{} {} (suppressed by {by}: {}): {}",
                s.signal.code.id(),
                s.signal.code.name(),
                s.by.words(),
                s.signal.message
            ),
        ));
    }
    for s in &f.suggestions {
        props.push(property("depproof:suggestion", s.info.name.clone()));
    }
    groups
        .into_iter()
        .map(|(version, refs)| {
            let purl = purl(f.ecosystem, &f.name, version.as_deref());
            let (scope, words) = scope(&refs);
            let mut props = props.clone();
            props.push(property("depproof:scope", words));
            let mut requirements: Vec<&str> = refs
                .iter()
                .filter(|r| pinned(f.ecosystem, r).is_none())
                .filter_map(|r| r.version.as_deref())
                .collect();
            requirements.sort_unstable();
            requirements.dedup();
            for req in requirements {
                props.push(property("depproof:requirement", req));
            }
            let mut c = json!({
                "type": "library",
                "bom-ref": purl,
                "name": f.name,
                "purl": purl,
                "scope": scope,
                "properties": props,
                "evidence": { "occurrences": refs.iter().map(|r| occurrence(r)).collect::<Vec<_>>() },
            });
            if let Some(v) = version {
                c["version"] = json!(v);
            }
            c
        })
        .collect()
}

/// The scan report as a CycloneDX 1.6 BOM.
pub fn scan(r: &ScanReport) -> Value {
    let mut components: Vec<Value> = r.findings.iter().flat_map(|f| components(r, f)).collect();
    // Components in purl order, so that the document does not depend on verdicts.
    components.sort_by(|a, b| a["bom-ref"].as_str().cmp(&b["bom-ref"].as_str()));
    components.dedup_by(|a, b| a["bom-ref"] == b["bom-ref"]);
    let mut metadata_props: Vec<Value> = r
        .provenance
        .iter()
        .map(|p| {
            let name = match p.kind {
                DataKind::Snapshot => "depproof:snapshot",
                DataKind::Overlay => "depproof:overlay",
            };
            property(name, p.words())
        })
        .collect();
    metadata_props.push(property(
        "depproof:fail-on",
        json!(r.policy.config.fail_on.unwrap_or_default())
            .as_str()
            .unwrap_or_default(),
    ));
    if let Some(d) = &r.diff {
        metadata_props.push(property(
            "depproof:diff",
            format!("references added since {} ({})", d.reference, d.commit),
        ));
    }
    json!({
        "$schema": SCHEMA_URI,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "tools": {
                "components": [{
                    "type": "application",
                    "name": r.tool.name,
                    "version": r.tool.version,
                    "externalReferences": [{ "type": "website", "url": r.tool.information_uri }],
                }],
            },
            "properties": metadata_props,
        },
        "components": components,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use depproof_extract::Location;
    use depproof_extract::scan::Target;

    fn reference(eco: Ecosystem, kind: Kind, version: &str) -> Reference {
        Reference {
            target: Target::Package {
                ecosystem: eco,
                name: "x".into(),
            },
            kind,
            location: Location {
                path: Arc::from("a"),
                cell: None,
                line: 1,
                column: 1,
                start: 0,
                end: 1,
            },
            version: Some(version.into()),
            optional: false,
            dev: false,
            uncertain: false,
            via: None,
            suppression: None,
        }
    }

    #[test]
    fn package_urls() {
        assert_eq!(
            purl(Ecosystem::PyPI, "flask", Some("3.0.0")),
            "pkg:pypi/flask@3.0.0"
        );
        assert_eq!(
            purl(Ecosystem::Npm, "@types/react", Some("18.2.0+build")),
            "pkg:npm/%40types/react@18.2.0%2Bbuild"
        );
        assert_eq!(
            purl(Ecosystem::Npm, "JSONStream", None),
            "pkg:npm/jsonstream"
        );
    }

    #[test]
    fn pins() {
        let p = |eco, kind, v| pinned(eco, &reference(eco, kind, v));
        assert_eq!(
            p(Ecosystem::PyPI, Kind::Manifest, "==2.0"),
            Some("2.0".into())
        );
        assert_eq!(
            p(Ecosystem::PyPI, Kind::InstallCommand, "==2.0"),
            Some("2.0".into())
        );
        assert_eq!(p(Ecosystem::PyPI, Kind::Manifest, ">=2.0"), None);
        assert_eq!(p(Ecosystem::PyPI, Kind::Manifest, "==2.*"), None);
        assert_eq!(p(Ecosystem::PyPI, Kind::Manifest, "==2.0,<3"), None);
        assert_eq!(p(Ecosystem::Npm, Kind::Manifest, "^4.17.21"), None);
        assert_eq!(
            p(Ecosystem::Npm, Kind::Manifest, "4.17.21"),
            Some("4.17.21".into())
        );
        assert_eq!(
            p(Ecosystem::Npm, Kind::Lockfile, "4.17.21"),
            Some("4.17.21".into())
        );
        assert_eq!(
            p(Ecosystem::Npm, Kind::Lockfile, "git+https://github.com/a/b"),
            None
        );
    }
}
