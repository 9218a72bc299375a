//! Calendar arithmetic on RFC 3339 dates, enough to count days between a release and a
//! run; no time zone other than UTC is ever produced by the registries.

use depproof_registry::overlay::time::{civil_from_days, days_from_civil};

/// Days since 1970-01-01 of `YYYY-MM-DD` (any suffix ignored), or `None` when `s` does not
/// start with a date.
pub fn days(s: &str) -> Option<i64> {
    let y: i64 = s.get(0..4)?.parse().ok()?;
    if s.get(4..5)? != "-" {
        return None;
    }
    let m: i64 = s.get(5..7)?.parse().ok()?;
    // `YYYY-MM` counts as the first of the month.
    let d: i64 = match s.get(7..8) {
        Some("-") => s.get(8..10)?.parse().ok()?,
        None => 1,
        Some(_) => return None,
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `YYYY-MM-DD` of a day count since 1970-01-01.
pub fn civil(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 UTC timestamp (seconds) of a Unix time.
pub fn rfc3339(unix_secs: u64) -> String {
    let secs = unix_secs as i64;
    let day = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        civil(day),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Whether `s` is a date depproof accepts in configuration: `YYYY-MM-DD` or `YYYY-MM`.
pub fn valid(s: &str) -> bool {
    (s.len() == 10 || s.len() == 7) && days(s).is_some()
}

/// The current time, RFC 3339 UTC.
pub fn now() -> String {
    rfc3339(now_unix())
}

/// The current Unix time in seconds.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2000-03-01T10:00:00Z"), Some(11_017));
        assert_eq!(civil(11_017), "2000-03-01");
        for d in [-1000, 0, 59, 10_000, 20_000, 30_000] {
            assert_eq!(days(&civil(d)), Some(d));
        }
        assert_eq!(days("2024-06"), days("2024-06-01"));
        assert_eq!(days("2024-13-01"), None);
        assert_eq!(days("garbage"), None);
        assert_eq!(rfc3339(86_400 + 3661), "1970-01-02T01:01:01Z");
        assert!(valid("2024-06-01") && valid("2024-06") && !valid("2024-6-1"));
    }
}
