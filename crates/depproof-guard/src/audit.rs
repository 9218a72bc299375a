//! The audit log: one JSON object a line for every decision.

use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::judge::Decision;

/// Where audit records go.
pub struct AuditLog {
    out: Mutex<Box<dyn Write + Send>>,
}

impl AuditLog {
    /// A log writing to `out` (a file opened for appending, or standard output).
    pub fn new(out: Box<dyn Write + Send>) -> AuditLog {
        AuditLog {
            out: Mutex::new(out),
        }
    }

    /// Appends one record and flushes it, so that a record is never half-written when the
    /// process stops. A failure to write is returned; the caller decides what it means.
    pub fn write(&self, record: &Value) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut out = self
            .out
            .lock()
            .map_err(|_| std::io::Error::other("the audit log's lock was poisoned"))?;
        out.write_all(&line)?;
        out.flush()
    }
}

/// The record of a decision: time, client, ecosystem, package, version, verdict, signals,
/// action, override, and the reason in words.
pub fn record(
    client: &str,
    request: &str,
    version: Option<&str>,
    decision: &Decision,
    reason: &str,
) -> Value {
    json!({
        "time": now_rfc3339(),
        "client": client,
        "ecosystem": decision.ecosystem.id(),
        "package": decision.name,
        "version": version,
        "request": request,
        "verdict": decision.verdict().map(|v| v.id()),
        "signals": decision.signal_codes(),
        "action": decision.action.id(),
        "override": decision.overridden.map(|o| o.words()),
        "reason": reason,
    })
}

/// The current time in UTC as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn now_rfc3339() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(d.as_secs() as i64, d.subsec_millis())
}

/// `secs` after the Unix epoch, in UTC, with milliseconds.
pub fn rfc3339(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub use depproof_registry::overlay::time::civil_from_days;

#[cfg(test)]
mod tests {
    use super::*;
    use depproof_registry::overlay::time::days_from_civil;

    #[test]
    fn dates_round_trip() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        for days in [-1000, 0, 19_000, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m.into(), d.into()), days);
        }
    }
}
