//! `Retry-After` (RFC 9110 §10.2.3): delay-seconds, or an HTTP date in any of the three
//! forms a recipient must accept (IMF-fixdate, the obsolete RFC 850 and asctime forms).

use std::time::{Duration, SystemTime};

/// How long a `Retry-After` value asks to wait, counted from `now`; `None` when the value
/// is neither delay-seconds nor an HTTP date (the caller backs off as usual). A date in
/// the past asks for no wait at all.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds is a wait longer than anyone honours.
        return Some(v.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Sun, 06 Nov 1994 08:49:37 GMT, the example of RFC 9110.
    const EXAMPLE: u64 = 784_111_777;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn delay_seconds() {
        let now = at(EXAMPLE);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("99999999999999999999999", now),
            Some(Duration::MAX)
        );
        assert_eq!(retry_after("-5", now), None);
        assert_eq!(retry_after("1.5", now), None);
        assert_eq!(retry_after("", now), None);
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn the_three_date_forms() {
        let now = at(EXAMPLE - 90);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                retry_after(form, now),
                Some(Duration::from_secs(90)),
                "{form}"
            );
        }
    }

    #[test]
    fn a_date_in_the_past_means_now() {
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at(EXAMPLE + 3600)),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("Sun, 06 Nov 1994 25:49:37 GMT", at(0)), None);
    }
}
