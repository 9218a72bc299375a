//! Which versions of a package an OSV record affects, and whether a given version is one.
//!
//! The evaluation follows the OSV schema's `IsVulnerable` pseudocode: a version is
//! affected if it is listed in `versions` or lies in any range. Versions of a range are
//! compared in the range's ordering: `SEMVER` ranges with node-semver precedence, and
//! `ECOSYSTEM` ranges with the ecosystem's own (PEP 440 for PyPI, node-semver for npm).

use std::cmp::Ordering;
use std::str::FromStr;

use crate::Ecosystem;

/// The ordering a range's versions follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RangeKind {
    /// `ECOSYSTEM`: the registry's own version ordering.
    Ecosystem = 1,
    /// `SEMVER`: Semantic Versioning 2.0 precedence.
    Semver = 2,
}

impl RangeKind {
    pub(crate) fn from_code(c: u8) -> Option<RangeKind> {
        match c {
            1 => Some(RangeKind::Ecosystem),
            2 => Some(RangeKind::Semver),
            _ => None,
        }
    }
}

/// One event of a range's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum EventKind {
    /// The first affected version (`"0"`: before every version).
    Introduced = 1,
    /// The first version no longer affected.
    Fixed = 2,
    /// The last affected version.
    LastAffected = 3,
    /// An upper limit of the range (`"*"`: none).
    Limit = 4,
}

impl EventKind {
    pub(crate) fn from_code(c: u8) -> Option<EventKind> {
        match c {
            1 => Some(EventKind::Introduced),
            2 => Some(EventKind::Fixed),
            3 => Some(EventKind::LastAffected),
            4 => Some(EventKind::Limit),
            _ => None,
        }
    }
}

/// An OSV range of affected versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    /// How its versions are ordered.
    pub kind: RangeKind,
    /// The timeline, as the record lists it.
    pub events: Vec<(EventKind, String)>,
}

/// The versions one record affects for one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedPackage {
    /// The package's ecosystem.
    pub ecosystem: Ecosystem,
    /// The package name as the record writes it.
    pub name: String,
    /// Versions listed one by one.
    pub versions: Vec<String>,
    /// Ranges that could be read.
    pub ranges: Vec<VersionRange>,
    /// Some version data of the record could not be read (and was dropped), so a version
    /// outside what remains may still be affected.
    pub unreadable: bool,
}

/// Whether a queried version is affected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum VersionStatus {
    /// No version was asked about; the package has affected versions.
    NotGiven,
    /// The version is affected.
    Affected,
    /// The version is not among the affected ones.
    NotAffected,
    /// It cannot be said: the version, or the record's version data, could not be read.
    Unknown(String),
}

impl VersionStatus {
    /// True when the record concerns the query: no version given, or the version is (or
    /// may be) affected.
    pub fn concerns(&self) -> bool {
        !matches!(self, VersionStatus::NotAffected)
    }
}

/// A parsed version, or one of the special bounds of a range.
#[derive(Debug, Clone)]
enum Ver {
    /// `introduced: "0"`: before every version.
    Zero,
    Pep440(pep440_rs::Version),
    Semver(nodejs_semver::Version),
    /// `limit: "*"`: after every version.
    Infinity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Pep440,
    Semver,
}

fn order_of(eco: Ecosystem, kind: RangeKind) -> Order {
    match (eco, kind) {
        (Ecosystem::PyPI, RangeKind::Ecosystem) => Order::Pep440,
        _ => Order::Semver,
    }
}

fn parse_in(order: Order, s: &str) -> Option<Ver> {
    let s = s.trim();
    match order {
        Order::Pep440 => pep440_rs::Version::from_str(s).ok().map(Ver::Pep440),
        Order::Semver => nodejs_semver::Version::parse(s).ok().map(Ver::Semver),
    }
}

fn cmp(a: &Ver, b: &Ver) -> Ordering {
    match (a, b) {
        (Ver::Zero, Ver::Zero) | (Ver::Infinity, Ver::Infinity) => Ordering::Equal,
        (Ver::Zero, _) | (_, Ver::Infinity) => Ordering::Less,
        (_, Ver::Zero) | (Ver::Infinity, _) => Ordering::Greater,
        (Ver::Pep440(a), Ver::Pep440(b)) => a.cmp(b),
        (Ver::Semver(a), Ver::Semver(b)) => a.cmp(b),
        // Never built: one range parses all its versions in one ordering.
        (Ver::Pep440(_), Ver::Semver(_)) => Ordering::Less,
        (Ver::Semver(_), Ver::Pep440(_)) => Ordering::Greater,
    }
}

fn parse_event(order: Order, kind: EventKind, v: &str) -> Option<Ver> {
    match (kind, v.trim()) {
        (EventKind::Introduced, "0") => Some(Ver::Zero),
        (EventKind::Limit, "*") => Some(Ver::Infinity),
        (_, v) => parse_in(order, v),
    }
}

/// Checks a range as an import reads it: every version readable in its ordering, one
/// `introduced` at least, `fixed` and `last_affected` not mixed. `Err` says what is wrong.
pub(crate) fn check_range(eco: Ecosystem, range: &VersionRange) -> Result<(), String> {
    let order = order_of(eco, range.kind);
    if !range
        .events
        .iter()
        .any(|(k, _)| *k == EventKind::Introduced)
    {
        return Err("a range without an `introduced` event".into());
    }
    let fixed = range.events.iter().any(|(k, _)| *k == EventKind::Fixed);
    let last = range
        .events
        .iter()
        .any(|(k, _)| *k == EventKind::LastAffected);
    if fixed && last {
        return Err("a range with both `fixed` and `last_affected` events".into());
    }
    for (kind, v) in &range.events {
        if parse_event(order, *kind, v).is_none() {
            let how = match order {
                Order::Pep440 => "a PEP 440",
                Order::Semver => "a semantic",
            };
            return Err(format!("`{v}` is not {how} version"));
        }
    }
    Ok(())
}

/// Whether `v` lies in `range` (the OSV `IncludedInRanges` for one range). Versions that
/// do not parse were rejected at import; should one slip through, its event is skipped.
fn in_range(order: Order, v: &Ver, range: &VersionRange) -> bool {
    let mut events: Vec<(EventKind, Ver)> = range
        .events
        .iter()
        .filter_map(|(k, s)| parse_event(order, *k, s).map(|p| (*k, p)))
        .collect();
    let limits: Vec<&Ver> = events
        .iter()
        .filter(|(k, _)| *k == EventKind::Limit)
        .map(|(_, v)| v)
        .collect();
    if !limits.is_empty() && !limits.iter().any(|l| cmp(v, l) == Ordering::Less) {
        return false;
    }
    events.sort_by(|a, b| cmp(&a.1, &b.1));
    let mut affected = false;
    for (kind, e) in &events {
        match kind {
            EventKind::Introduced if cmp(v, e) != Ordering::Less => affected = true,
            EventKind::Fixed if cmp(v, e) != Ordering::Less => affected = false,
            EventKind::LastAffected if cmp(v, e) == Ordering::Greater => affected = false,
            _ => {}
        }
    }
    affected
}

/// True when the entry gives no version data at all: the record names the package as
/// malicious without narrowing it, so every version counts.
fn unrestricted(a: &AffectedPackage) -> bool {
    a.versions.is_empty() && a.ranges.is_empty() && !a.unreadable
}

/// Whether `version` of the package is affected by this entry.
pub fn status(a: &AffectedPackage, version: Option<&str>) -> VersionStatus {
    let Some(version) = version else {
        return VersionStatus::NotGiven;
    };
    if unrestricted(a) || all_versions(a) {
        return VersionStatus::Affected;
    }
    let native = match a.ecosystem {
        Ecosystem::PyPI => Order::Pep440,
        Ecosystem::Npm => Order::Semver,
    };
    let parsed_native = parse_in(native, version);
    // `versions` lists exact strings; equal PEP 440 / semver versions count as equal too
    // (`1.0` is `1.0.0` on PyPI).
    let listed = a.versions.iter().any(|l| {
        l.trim() == version.trim()
            || match (&parsed_native, parse_in(native, l)) {
                (Some(q), Some(l)) => cmp(q, &l) == Ordering::Equal,
                _ => false,
            }
    });
    if listed {
        return VersionStatus::Affected;
    }
    let mut unreadable_query = None;
    for r in &a.ranges {
        let order = order_of(a.ecosystem, r.kind);
        match parse_in(order, version) {
            Some(v) if in_range(order, &v, r) => return VersionStatus::Affected,
            Some(_) => {}
            None => unreadable_query = Some(order),
        }
    }
    if let Some(order) = unreadable_query {
        let how = match order {
            Order::Pep440 => "a PEP 440",
            Order::Semver => "a semantic",
        };
        return VersionStatus::Unknown(format!(
            "`{version}` is not {how} version, so it cannot be compared with the affected ranges"
        ));
    }
    if a.unreadable {
        return VersionStatus::Unknown(
            "part of the record's version data could not be read at import".into(),
        );
    }
    VersionStatus::NotAffected
}

/// True when a range covers every version (`introduced: "0"` and nothing after it).
fn range_is_all(r: &VersionRange) -> bool {
    r.events
        .iter()
        .any(|(k, v)| *k == EventKind::Introduced && v.trim() == "0")
        && !r.events.iter().any(|(k, v)| match k {
            EventKind::Fixed | EventKind::LastAffected => true,
            EventKind::Limit => v.trim() != "*",
            EventKind::Introduced => false,
        })
}

/// True when every version is affected.
pub fn all_versions(a: &AffectedPackage) -> bool {
    unrestricted(a) || a.ranges.iter().any(range_is_all)
}

/// The affected versions in words: `all versions`, `1.0.0, 1.0.1`, `>= 4.1.1, <= 4.1.2`.
pub fn describe(a: &AffectedPackage) -> String {
    if unrestricted(a) {
        return "all versions (the record names no versions)".into();
    }
    if a.ranges.iter().any(range_is_all) {
        return "all versions".into();
    }
    const SHOWN: usize = 8;
    let mut parts: Vec<String> = Vec::new();
    if !a.versions.is_empty() {
        let mut s = a
            .versions
            .iter()
            .take(SHOWN)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if a.versions.len() > SHOWN {
            s.push_str(&format!(" and {} more", a.versions.len() - SHOWN));
        }
        parts.push(s);
    }
    for r in &a.ranges {
        let mut open: Option<&str> = None;
        let close = |from: &str, to: String, parts: &mut Vec<String>| {
            if from == "0" {
                parts.push(to);
            } else {
                parts.push(format!(">= {from}, {to}"));
            }
        };
        for (k, v) in &r.events {
            let v = v.trim();
            match k {
                EventKind::Introduced => {
                    if let Some(from) = open.take() {
                        parts.push(format!(">= {from}"));
                    }
                    open = Some(v);
                }
                EventKind::Fixed => {
                    if let Some(from) = open.take() {
                        close(from, format!("< {v}"), &mut parts);
                    }
                }
                EventKind::LastAffected => {
                    if let Some(from) = open.take() {
                        close(from, format!("<= {v}"), &mut parts);
                    }
                }
                EventKind::Limit => {}
            }
        }
        if let Some(from) = open {
            parts.push(if from == "0" {
                "all versions".into()
            } else {
                format!(">= {from}")
            });
        }
    }
    let mut s = parts.join("; ");
    if a.unreadable {
        if s.is_empty() {
            s = "unknown versions".into();
        }
        s.push_str(" (part of the version data was unreadable)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: RangeKind, ev: &[(EventKind, &str)]) -> VersionRange {
        VersionRange {
            kind,
            events: ev.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    fn pkg(eco: Ecosystem, versions: &[&str], ranges: Vec<VersionRange>) -> AffectedPackage {
        AffectedPackage {
            ecosystem: eco,
            name: "x".into(),
            versions: versions.iter().map(|v| v.to_string()).collect(),
            ranges,
            unreadable: false,
        }
    }

    use EventKind::*;

    #[test]
    fn pep440_ranges_follow_the_osv_evaluation() {
        let a = pkg(
            Ecosystem::PyPI,
            &[],
            vec![range(
                RangeKind::Ecosystem,
                &[
                    (Introduced, "1.0"),
                    (Fixed, "1.2"),
                    (Introduced, "2.0rc1"),
                    (LastAffected, "2.0.3"),
                ],
            )],
        );
        let s = |v| status(&a, Some(v));
        assert_eq!(s("0.9"), VersionStatus::NotAffected);
        assert_eq!(s("1.0.0"), VersionStatus::Affected);
        assert_eq!(s("1.1.post1"), VersionStatus::Affected);
        assert_eq!(s("1.2"), VersionStatus::NotAffected);
        assert_eq!(s("2.0b9"), VersionStatus::NotAffected);
        assert_eq!(s("2.0rc1"), VersionStatus::Affected);
        assert_eq!(s("2.0.3"), VersionStatus::Affected);
        assert_eq!(s("2.0.4"), VersionStatus::NotAffected);
        assert!(matches!(s("not a version"), VersionStatus::Unknown(_)));
        assert_eq!(status(&a, None), VersionStatus::NotGiven);
        assert_eq!(describe(&a), ">= 1.0, < 1.2; >= 2.0rc1, <= 2.0.3");
        assert!(!all_versions(&a));
    }

    #[test]
    fn semver_ranges_and_limits() {
        let a = pkg(
            Ecosystem::Npm,
            &[],
            vec![range(
                RangeKind::Semver,
                &[(Introduced, "0"), (Fixed, "1.0.2"), (Limit, "1.0.1")],
            )],
        );
        assert_eq!(status(&a, Some("1.0.0")), VersionStatus::Affected);
        assert_eq!(status(&a, Some("1.0.1")), VersionStatus::NotAffected);
        assert_eq!(status(&a, Some("0.0.1-alpha")), VersionStatus::Affected);
        assert_eq!(describe(&a), "< 1.0.2");
        let all = pkg(
            Ecosystem::Npm,
            &[],
            vec![range(RangeKind::Semver, &[(Introduced, "0")])],
        );
        assert!(all_versions(&all));
        assert_eq!(status(&all, Some("99.0.0")), VersionStatus::Affected);
        assert_eq!(describe(&all), "all versions");
    }

    #[test]
    fn listed_versions_compare_as_versions() {
        let a = pkg(Ecosystem::PyPI, &["1.0", "2.0.0"], vec![]);
        assert_eq!(status(&a, Some("1.0.0")), VersionStatus::Affected);
        assert_eq!(status(&a, Some("2.0")), VersionStatus::Affected);
        assert_eq!(status(&a, Some("1.0.1")), VersionStatus::NotAffected);
        assert_eq!(describe(&a), "1.0, 2.0.0");
        let b = pkg(Ecosystem::PyPI, &[], vec![]);
        assert_eq!(status(&b, Some("5")), VersionStatus::Affected);
        let mut c = pkg(Ecosystem::PyPI, &["1.0"], vec![]);
        c.unreadable = true;
        assert!(matches!(status(&c, Some("3.0")), VersionStatus::Unknown(_)));
        assert_eq!(status(&c, Some("1.0")), VersionStatus::Affected);
    }

    #[test]
    fn bad_ranges_are_rejected_with_a_reason() {
        let e = |kind, ev: &[(EventKind, &str)]| check_range(Ecosystem::PyPI, &range(kind, ev));
        assert!(e(RangeKind::Ecosystem, &[(Introduced, "0"), (Fixed, "1.0")]).is_ok());
        assert!(
            e(RangeKind::Ecosystem, &[(Fixed, "1.0")])
                .unwrap_err()
                .contains("introduced")
        );
        assert!(
            e(RangeKind::Ecosystem, &[(Introduced, "banana!")])
                .unwrap_err()
                .contains("PEP 440")
        );
        assert!(e(RangeKind::Semver, &[(Introduced, "1.x.y")]).is_err());
        assert!(
            e(
                RangeKind::Ecosystem,
                &[(Introduced, "0"), (Fixed, "1"), (LastAffected, "2")]
            )
            .is_err()
        );
    }
}
