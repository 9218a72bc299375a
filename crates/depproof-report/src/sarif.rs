//! SARIF 2.1.0, the format of code scanning (GitHub, GitLab, Azure DevOps, IDEs).
//!
//! One rule per signal code, with its documentation and a link to it. One result per
//! signal and location: each place a package enters gets its own annotation, so a pull
//! request is annotated on the line that adds the name. Suppressed signals are results
//! with a `suppressions` entry (in source for `depproof: ignore` comments, external for
//! `[[allow]]` entries), so that they stay visible as suppressed. Partial fingerprints
//! name the signal, the package, the file and the text of the line, not its number, so a
//! finding keeps its identity when lines move.

use std::collections::HashMap;

use depproof_assess::{Code, Finding, Level, Policy, Signal, SuppressedBy};
use depproof_extract::Location;
use depproof_extract::scan::Reference;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_128;

use crate::docs::{default_severity, help_markdown, help_text, help_uri, security_severity};
use crate::{DataKind, ScanReport, Sources, kind_words, location_words};

/// The `$schema` written in the document.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The name of depproof's partial fingerprint.
pub const FINGERPRINT: &str = "depproofFinding/v1";
/// The base of relative paths: the directory the scan ran in.
pub const SRCROOT: &str = "%SRCROOT%";

fn level(l: Level) -> &'static str {
    match l {
        Level::Block => "error",
        Level::Warn => "warning",
        Level::Info => "note",
        Level::Off => "none",
    }
}

fn rule(policy: &Policy, code: Code) -> Value {
    let d = code.doc();
    let severity = default_severity(code);
    let default_level = policy.level(code, severity);
    let mut config = json!({ "level": level(default_level) });
    if default_level == Level::Off {
        config["enabled"] = json!(false);
    }
    json!({
        "id": code.id(),
        "name": code.name(),
        "shortDescription": { "text": d.title },
        "fullDescription": { "text": d.meaning.split_whitespace().collect::<Vec<_>>().join(" ") },
        "help": { "text": help_text(code), "markdown": help_markdown(code) },
        "helpUri": help_uri(code),
        "defaultConfiguration": config,
        "properties": {
            "tags": ["security", "supply-chain"],
            "precision": "high",
            "security-severity": security_severity(severity),
        },
    })
}

/// A file's URI: relative paths stay relative to [`SRCROOT`]; absolute ones become
/// `file:` URIs.
pub fn artifact_location(path: &str) -> Value {
    let path = path.replace('\\', "/");
    let absolute = path.starts_with('/')
        || (path.len() > 2 && path.as_bytes()[1] == b':' && path.as_bytes()[2] == b'/');
    if absolute {
        let sep = if path.starts_with('/') { "" } else { "/" };
        json!({ "uri": format!("file://{sep}{}", encode_path(&path)) })
    } else {
        json!({ "uri": encode_path(&path), "uriBaseId": SRCROOT })
    }
}

/// Percent-encodes what a URI path may not hold (RFC 3986 `pchar` and `/` stay).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(l: &Location, sources: &Sources) -> Value {
    let mut phys = json!({ "artifactLocation": artifact_location(&l.path) });
    let mut loc = json!({});
    match l.cell {
        // Lines and columns count within the cell: the file's own lines are unknown.
        Some(_) => {
            loc["message"] = json!({ "text": location_words(l) });
        }
        None => {
            let mut region = json!({ "startLine": l.line, "startColumn": l.column });
            if let Some(end) = sources.end_column(l) {
                region["endLine"] = json!(l.line);
                region["endColumn"] = json!(end);
            }
            phys["region"] = region;
        }
    }
    loc["physicalLocation"] = phys;
    loc
}

/// Fingerprints: the signal, the package, the file, the line's text, and the how-manyth
/// such line it is in the file.
struct Fingerprints<'s> {
    seen: HashMap<u128, u32>,
    sources: &'s Sources,
}

impl Fingerprints<'_> {
    fn of(&mut self, code: Code, f: &Finding, r: &Reference) -> String {
        let line = self.sources.line_text(&r.location).unwrap_or_default();
        let cell = r.location.cell.map(|c| c.to_string()).unwrap_or_default();
        let key = format!(
            "{}\0{}\0{}\0{}\0{cell}\0{line}",
            code.id(),
            f.ecosystem.id(),
            f.name,
            r.location.path
        );
        let h = xxh3_128(key.as_bytes());
        let n = self.seen.entry(h).or_insert(0);
        *n += 1;
        format!("{h:032x}:{n}")
    }
}

fn result(
    rules: &[Code],
    policy: &Policy,
    f: &Finding,
    s: &Signal,
    r: &Reference,
    sources: &Sources,
    prints: &mut Fingerprints,
) -> Value {
    let index = rules.iter().position(|c| *c == s.code).unwrap_or(0);
    let mut v = json!({
        "ruleId": s.code.id(),
        "ruleIndex": index,
        "level": level(policy.level(s.code, s.severity)),
        "message": { "text": format!("{} ({})", s.message, kind_words(r)) },
        "locations": [location(&r.location, sources)],
        "partialFingerprints": { FINGERPRINT: prints.of(s.code, f, r) },
        "properties": {
            "ecosystem": f.ecosystem.id(),
            "package": f.name,
            "verdict": f.verdict,
            "severity": s.severity.id(),
            "kind": r.kind,
        },
    });
    if let Some(live) = &f.live {
        v["properties"]["live"] = json!(live);
    }
    v
}

/// The scan report as a SARIF 2.1.0 log with one run.
pub fn scan(r: &ScanReport, sources: &Sources) -> Value {
    let codes: Vec<Code> = Code::ALL.to_vec();
    let rules: Vec<Value> = codes.iter().map(|c| rule(r.policy, *c)).collect();
    let mut prints = Fingerprints {
        seen: HashMap::new(),
        sources,
    };
    let mut results = Vec::new();
    for f in r.findings {
        for s in &f.signals {
            for reference in &f.references {
                results.push(result(
                    &codes,
                    r.policy,
                    f,
                    s,
                    reference,
                    sources,
                    &mut prints,
                ));
            }
        }
        for sup in &f.suppressed {
            for reference in &f.references {
                let mut v = result(
                    &codes,
                    r.policy,
                    f,
                    &sup.signal,
                    reference,
                    sources,
                    &mut prints,
                );
                v["suppressions"] = json!([match &sup.by {
                    SuppressedBy::Inline(at) => json!({
                        "kind": "inSource",
                        "justification": format!("depproof: ignore comment at {}", at.join(", ")),
                    }),
                    SuppressedBy::Allowed(reason) => json!({
                        "kind": "external",
                        "justification": format!("allowed in the configuration: {reason}"),
                    }),
                }]);
                results.push(v);
            }
        }
    }
    let notifications: Vec<Value> = r
        .diagnostics
        .iter()
        .map(|d| {
            let mut phys = json!({ "artifactLocation": artifact_location(&d.path) });
            if let Some(line) = d.line {
                phys["region"] = json!({ "startLine": line });
            }
            json!({
                "level": match d.severity {
                    depproof_extract::Severity::Warning => "warning",
                    depproof_extract::Severity::Error => "error",
                },
                "message": { "text": d.message },
                "locations": [{ "physicalLocation": phys }],
            })
        })
        .collect();
    let mut properties = json!({
        "snapshots": crate::json::provenance(&r.provenance, DataKind::Snapshot),
        "overlays": crate::json::provenance(&r.provenance, DataKind::Overlay),
    });
    if r.registry.live.is_some() {
        properties["live"] = crate::json::live(&r.registry);
    }
    if let Some(d) = &r.diff {
        properties["diff"] =
            json!({ "ref": d.reference, "commit": d.commit, "merge_base": d.merge_base });
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": r.tool.name,
                    "version": r.tool.version,
                    "semanticVersion": r.tool.version,
                    "informationUri": r.tool.information_uri,
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": properties,
        }],
    })
}

/// The level a signal of `code` gets by default under `policy`, as SARIF names it.
pub fn default_level(policy: &Policy, code: Code) -> &'static str {
    level(policy.level(code, default_severity(code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            artifact_location("examples/chat answer.md"),
            json!({ "uri": "examples/chat%20answer.md", "uriBaseId": SRCROOT })
        );
        assert_eq!(
            artifact_location("/tmp/x/ré.py"),
            json!({ "uri": "file:///tmp/x/r%C3%A9.py" })
        );
        assert_eq!(
            artifact_location("C:\\src\\a#b.py"),
            json!({ "uri": "file:///C:/src/a%23b.py" })
        );
        assert_eq!(encode_path("../a[1]?.py"), "../a%5B1%5D%3F.py");
    }
}
