//! RFC 3339 timestamps as OSV writes them, reduced to what ordering and display need.

use std::fmt;

/// A UTC instant: seconds since 1970-01-01 and nanoseconds. Orders like time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Seconds since the Unix epoch (negative before 1970).
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl Timestamp {
    /// The current time.
    pub fn now() -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp {
            secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanos: d.subsec_nanos(),
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, also with a space or a lower-case
    /// `t` before the time, without a zone (read as UTC, as registries mean it), or a bare
    /// `YYYY-MM-DD` (midnight UTC). `None` for anything else.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let d = b.get(r)?;
            if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(d).ok()?.parse().ok()
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
            return None;
        }
        let days = days_from_civil(y, mo, d);
        if b.len() == 10 {
            return Some(Timestamp {
                secs: days * 86_400,
                nanos: 0,
            });
        }
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 19 || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        // 60 admits a leap second, which then counts as the next second's start.
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let mut at = 19;
        let mut nanos: u32 = 0;
        if b.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                if at - start < 9 {
                    nanos = nanos * 10 + u32::from(b[at] - b'0');
                }
                at += 1;
            }
            if at == start {
                return None;
            }
            for _ in (at - start).min(9)..9 {
                nanos *= 10;
            }
        }
        let offset = match b.get(at..)? {
            b"Z" | b"z" | b"" => 0,
            [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
                let oh = num(at + 1..at + 3)?;
                let om = num(at + 4..at + 6)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                let o = oh * 3600 + om * 60;
                if *sign == b'+' { o } else { -o }
            }
            _ => return None,
        };
        Some(Timestamp {
            secs: days * 86_400 + h * 3600 + mi * 60 + sec - offset,
            nanos,
        })
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        let (y, m, d) = civil_from_days(self.secs.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` (sub-second digits are dropped).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_timestamps_parse_and_order() {
        let a = Timestamp::parse("2026-09-04T00:47:46.156672516Z").unwrap();
        let b = Timestamp::parse("2026-09-04T00:47:46Z").unwrap();
        assert!(a > b);
        assert_eq!(a.nanos, 156_672_516);
        assert_eq!(b.to_string(), "2026-09-04T00:47:46Z");
        assert_eq!(a.date(), "2026-09-04");
        let c = Timestamp::parse("2026-09-04T02:47:46+02:00").unwrap();
        assert_eq!(c, b);
        assert_eq!(Timestamp::parse("1970-01-01T00:00:00Z").unwrap().secs, 0);
        assert_eq!(
            Timestamp::parse("2000-02-29").unwrap().to_string(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            Timestamp::parse("2024-06-28T20:16:20.5Z").unwrap().nanos,
            500_000_000
        );
        // Without a zone, as PyPI's JSON API writes `upload_time`: UTC.
        assert_eq!(
            Timestamp::parse("2000-02-29T01:00:00.005"),
            Timestamp::parse("2000-02-29T01:00:00.005Z")
        );
        assert_eq!(
            Timestamp::parse("2000-02-29T01:00:00+01:00").unwrap().secs,
            951_782_400
        );
        for bad in [
            "",
            "2026",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0200",
            "yesterday at noon",
            "2026-01-01T00:00:00Zjunk",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }
}
