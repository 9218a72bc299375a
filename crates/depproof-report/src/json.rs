//! The JSON report of `depproof scan`, `schema_version` 2 (`docs/schema/scan-v2.json`).
//! Fields are only ever added; a change of meaning would be a new schema version.

use depproof_assess::assess::info_json;
use depproof_assess::{Finding, Policy, Presence, Registry, SuppressedBy};
use serde_json::{Value, json};

use crate::{Counts, DataKind, DiffBase, Provenance, SCHEMA_VERSION, ScanReport, Tool, level_id};

/// The scan report as one JSON document.
pub fn scan(r: &ScanReport) -> Value {
    let findings: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let mut v = finding(&r.registry, r.policy, f);
            v["references"] = json!(f.references);
            v
        })
        .collect();
    let c = Counts::of(r.findings);
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": tool(r.tool),
        "snapshots": provenance(&r.provenance, DataKind::Snapshot),
        "overlays": provenance(&r.provenance, DataKind::Overlay),
        "live": live(&r.registry),
        "config": r.policy.path.as_ref().map(|p| p.display().to_string()),
        "fail_on": r.policy.config.fail_on.unwrap_or_default(),
        "diff": r.diff.as_ref().map(diff),
        "findings": findings,
        "not_registry": r.not_registry,
        "diagnostics": r.diagnostics,
        "summary": {
            "files": r.stats.files,
            "bytes": r.stats.bytes,
            "packages": r.findings.len(),
            "references": c.references,
            "block": c.block,
            "warn": c.warn,
            "ok": c.ok,
            "suppressed_signals": c.suppressed,
            "does_not_exist": c.not_found,
            "unresolved_import": c.unresolved,
            "unknown": c.unknown,
            "invalid_name": c.invalid,
            "not_registry": r.not_registry.len(),
            "skipped_imports": r.stats.skipped,
        },
    })
}

/// `{"name": "depproof", "version": "…"}`.
pub fn tool(t: &Tool) -> Value {
    json!({ "name": t.name, "version": t.version })
}

/// The details of the data of one kind.
pub fn provenance(list: &[Provenance], kind: DataKind) -> Vec<Value> {
    list.iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.detail.clone())
        .collect()
}

fn diff(d: &DiffBase) -> Value {
    json!({
        "ref": d.reference,
        "commit": d.commit,
        "merge_base": d.merge_base,
        "changed_files": d.changed_files,
    })
}

/// A finding as JSON, without its references (the scan adds them).
pub fn finding(registry: &Registry, policy: &Policy, f: &Finding) -> Value {
    let index = registry.snapshot(f.ecosystem);
    let signals: Vec<Value> = f
        .signals
        .iter()
        .map(|s| {
            json!({
                "code": s.code.id(),
                "name": s.code.name(),
                "severity": s.severity.id(),
                "level": level_id(policy, s.code, s.severity),
                "message": s.message,
                "data": s.data,
            })
        })
        .collect();
    let suppressed: Vec<Value> = f
        .suppressed
        .iter()
        .map(|s| {
            let (by, detail) = match &s.by {
                SuppressedBy::Inline(at) => ("inline", json!(at)),
                SuppressedBy::Allowed(r) => ("allow", json!(r)),
            };
            json!({
                "code": s.signal.code.id(),
                "name": s.signal.code.name(),
                "severity": s.signal.severity.id(),
                "message": s.signal.message,
                "by": by,
                "detail": detail,
            })
        })
        .collect();
    let suggestions: Vec<Value> = f
        .suggestions
        .iter()
        .map(|s| {
            let mut v = info_json(index, &s.info);
            v["distance"] = json!(s.distance);
            v
        })
        .collect();
    let package = match &f.presence {
        Presence::Found(info) => info_json(index, info),
        _ => Value::Null,
    };
    json!({
        "ecosystem": f.ecosystem.id(),
        "name": f.name,
        "verdict": f.verdict,
        "status": f.presence.id(),
        "summary": f.summary(registry),
        "advice": f.advice(),
        "package": package,
        "private": f.private,
        "signals": signals,
        "suppressed": suppressed,
        "suggestions": suggestions,
        "live": f.live,
    })
}

/// Whether registries were asked live, and how it went; `null` when not.
pub fn live(registry: &Registry) -> Value {
    let Some(l) = registry.live else {
        return Value::Null;
    };
    let mut registries: Vec<&str> = l
        .iter()
        .flat_map(|(_, r)| std::iter::once(&r.public).chain(r.private.as_ref()))
        .map(|a| a.registry.as_str())
        .collect();
    registries.sort_unstable();
    registries.dedup();
    json!({
        "offline": l.offline,
        "date": l.today,
        "asked": l.len(),
        "cached": l.iter().filter(|(_, r)| r.public.cached).count(),
        "failed": l.failed(),
        "not_asked": l.not_asked.iter().map(|(e, n)| json!({ "ecosystem": e.id(), "name": n })).collect::<Vec<_>>(),
        "registries": registries,
    })
}
