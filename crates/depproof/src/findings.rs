//! Loading the policy and rendering findings, shared by `check` and `scan`.

use std::path::Path;

use anyhow::Result;
use depproof_assess::assess::info_json;
use depproof_assess::{Finding, Policy, Presence, Registry};
use serde_json::{Value, json};

use crate::cli::PolicyArgs;

/// The policy of a run: `--config FILE`, else the nearest depproof.toml above `start`
/// (unless `--no-config`), else the defaults; `--fail-on` overrides the file.
pub fn load_policy(args: &PolicyArgs, start: &Path) -> Result<Policy> {
    let mut policy = if let Some(path) = &args.config {
        Policy::load(path)?
    } else if args.no_config {
        Policy::default()
    } else {
        Policy::discover(start)?.unwrap_or_default()
    };
    if let Some(f) = args.fail_on {
        policy.config.fail_on = Some(f.into());
    }
    Ok(policy)
}

/// The signals of a finding, one line each, indented: `  block  DP001 not-found: ...`.
pub fn signal_lines(policy: &Policy, f: &Finding) -> Vec<String> {
    let mut out = Vec::new();
    for s in &f.signals {
        let level = policy.level(s.code, s.severity);
        let level = match level {
            depproof_assess::Level::Block => "block",
            depproof_assess::Level::Warn => "warn",
            _ => "info",
        };
        out.push(format!(
            "  {level:<5}  {} {}: {}",
            s.code.id(),
            s.code.name(),
            s.message
        ));
    }
    for s in &f.suppressed {
        out.push(format!(
            "  (suppressed) {} {}: {} [{}]",
            s.signal.code.id(),
            s.signal.code.name(),
            s.signal.message,
            s.by.words()
        ));
    }
    out
}

/// A finding as JSON (references are added by the caller that has them).
pub fn finding_json(registry: &Registry, policy: &Policy, f: &Finding) -> Value {
    let index = registry.snapshot(f.ecosystem);
    let signals: Vec<Value> = f
        .signals
        .iter()
        .map(|s| {
            json!({
                "code": s.code.id(),
                "name": s.code.name(),
                "severity": s.severity.id(),
                "level": policy.level(s.code, s.severity),
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
                depproof_assess::SuppressedBy::Inline(at) => ("inline", json!(at)),
                depproof_assess::SuppressedBy::Allowed(r) => ("allow", json!(r)),
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
    })
}
