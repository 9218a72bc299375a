//! Records of the malicious overlay: what a finding needs from an OSV record.

use super::format::{Dec, Enc, eco_code, eco_from_code, key_bytes};
use super::time::Timestamp;
use super::versions::{
    AffectedPackage, EventKind, RangeKind, VersionRange, VersionStatus, all_versions, describe,
    status,
};
use crate::Ecosystem;

/// The summary of a record. Most malicious-packages records say exactly
/// `Malicious code in NAME (ECOSYSTEM)`; that text is rebuilt rather than stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Summary {
    Text(String),
    Standard,
    None,
}

/// One OSV record, reduced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MalRecord {
    pub id: String,
    pub modified: Timestamp,
    pub published: Option<Timestamp>,
    pub withdrawn: Option<Timestamp>,
    pub summary: Summary,
    /// Who reported it (the `malicious-packages-origins` sources, else the credits).
    pub origins: String,
    /// Where it was imported from: `DIR/relative/path.json` or `ARCHIVE.zip:entry.json`.
    pub source: String,
    pub aliases: Vec<String>,
    /// Only the PyPI and npm packages of the record.
    pub affected: Vec<AffectedPackage>,
}

/// Longest summary kept, in characters.
pub(crate) const SUMMARY_CHARS: usize = 200;

pub(crate) fn standard_summary(a: &AffectedPackage) -> String {
    format!(
        "Malicious code in {} ({})",
        a.name,
        a.ecosystem.display_name()
    )
}

impl MalRecord {
    /// The registry keys the record is filed under (none once withdrawn).
    pub fn keys(&self) -> Vec<Vec<u8>> {
        if self.withdrawn.is_some() {
            return Vec::new();
        }
        let mut keys: Vec<Vec<u8>> = self
            .affected
            .iter()
            .map(|a| key_bytes(a.ecosystem, &a.ecosystem.normalize(&a.name)))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.str(&self.id);
        e.i64(self.modified.secs);
        e.u32(self.modified.nanos);
        for t in [self.published, self.withdrawn] {
            match t {
                Some(t) => {
                    e.u8(1);
                    e.i64(t.secs);
                }
                None => e.u8(0),
            }
        }
        match &self.summary {
            Summary::Text(s) => {
                e.u8(0);
                e.str(s);
            }
            Summary::Standard => e.u8(1),
            Summary::None => e.u8(2),
        }
        e.str(&self.origins);
        e.str(&self.source);
        let aliases = &self.aliases[..self.aliases.len().min(255)];
        e.u8(aliases.len() as u8);
        for a in aliases {
            e.str(a);
        }
        let affected = &self.affected[..self.affected.len().min(255)];
        e.u8(affected.len() as u8);
        for a in affected {
            e.u8(eco_code(a.ecosystem));
            e.str(&a.name);
            e.u8(u8::from(a.unreadable));
            let versions = &a.versions[..a.versions.len().min(u16::MAX as usize)];
            e.len16(versions.len());
            for v in versions {
                e.str(v);
            }
            let ranges = &a.ranges[..a.ranges.len().min(u16::MAX as usize)];
            e.len16(ranges.len());
            for r in ranges {
                e.u8(r.kind as u8);
                let events = &r.events[..r.events.len().min(u16::MAX as usize)];
                e.len16(events.len());
                for (k, v) in events {
                    e.u8(*k as u8);
                    e.str(v);
                }
            }
        }
        e.0
    }

    /// `None` when the body does not decode (a checksum-valid body always does, unless
    /// written by a different program).
    pub fn decode(body: &[u8]) -> Option<MalRecord> {
        let mut d = Dec::new(body);
        let id = d.str()?.to_owned();
        let modified = Timestamp {
            secs: d.i64()?,
            nanos: d.u32()?,
        };
        let mut opt = || -> Option<Option<Timestamp>> {
            Some(match d.u8()? {
                0 => None,
                1 => Some(Timestamp {
                    secs: d.i64()?,
                    nanos: 0,
                }),
                _ => return None,
            })
        };
        let published = opt()?;
        let withdrawn = opt()?;
        let summary = match d.u8()? {
            0 => Summary::Text(d.str()?.to_owned()),
            1 => Summary::Standard,
            2 => Summary::None,
            _ => return None,
        };
        let origins = d.str()?.to_owned();
        let source = d.str()?.to_owned();
        let aliases = (0..d.u8()?)
            .map(|_| d.str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        let mut affected = Vec::new();
        for _ in 0..d.u8()? {
            let ecosystem = eco_from_code(d.u8()?)?;
            let name = d.str()?.to_owned();
            let unreadable = d.u8()? != 0;
            let versions = (0..d.u16()?)
                .map(|_| d.str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()?;
            let mut ranges = Vec::new();
            for _ in 0..d.u16()? {
                let kind = RangeKind::from_code(d.u8()?)?;
                let events = (0..d.u16()?)
                    .map(|_| Some((EventKind::from_code(d.u8()?)?, d.str()?.to_owned())))
                    .collect::<Option<Vec<_>>>()?;
                ranges.push(VersionRange { kind, events });
            }
            affected.push(AffectedPackage {
                ecosystem,
                name,
                versions,
                ranges,
                unreadable,
            });
        }
        d.done().then_some(MalRecord {
            id,
            modified,
            published,
            withdrawn,
            summary,
            origins,
            source,
            aliases,
            affected,
        })
    }

    /// The match of this record for the package `key` of `eco`, if it concerns it.
    pub fn matching(
        &self,
        eco: Ecosystem,
        key: &str,
        version: Option<&str>,
    ) -> Option<MaliciousMatch> {
        let entries: Vec<&AffectedPackage> = self
            .affected
            .iter()
            .filter(|a| a.ecosystem == eco && a.ecosystem.normalize(&a.name) == key)
            .collect();
        let first = *entries.first()?;
        // Several entries for one package are rare (the schema allows them for
        // platform-specific data): the version is affected if any entry says so.
        let mut statuses = entries.iter().map(|a| status(a, version));
        let mut st = statuses.next().unwrap_or(VersionStatus::NotGiven);
        for s in statuses {
            st = match (st, s) {
                (VersionStatus::Affected, _) | (_, VersionStatus::Affected) => {
                    VersionStatus::Affected
                }
                (u @ VersionStatus::Unknown(_), _) | (_, u @ VersionStatus::Unknown(_)) => u,
                (a, _) => a,
            };
        }
        let summary = match &self.summary {
            Summary::Text(s) => s.clone(),
            Summary::Standard | Summary::None => standard_summary(
                self.affected
                    .first()
                    .filter(|_| self.summary == Summary::Standard)
                    .unwrap_or(first),
            ),
        };
        Some(MaliciousMatch {
            id: self.id.clone(),
            aliases: self.aliases.clone(),
            summary,
            ecosystem: eco,
            name: first.name.clone(),
            affected_versions: entries
                .iter()
                .map(|a| describe(a))
                .collect::<Vec<_>>()
                .join("; "),
            all_versions: entries.iter().any(|a| all_versions(a)),
            version: st,
            published: self.published.map(|t| t.to_string()),
            modified: self.modified.to_string(),
            reported_by: self
                .origins
                .split(", ")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            source: self.source.clone(),
        })
    }
}

/// A malicious-package record that concerns a looked-up package.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MaliciousMatch {
    /// The OSV id (`MAL-2025-47141`).
    pub id: String,
    /// Other ids of the same report (`GHSA-…`).
    pub aliases: Vec<String>,
    /// One line, at most 200 characters.
    pub summary: String,
    /// The package's ecosystem.
    pub ecosystem: Ecosystem,
    /// The package name as the record writes it.
    pub name: String,
    /// The affected versions in words (`all versions`, `1.0.0, 1.0.1`, `>= 4.1.1, <= 4.1.2`).
    pub affected_versions: String,
    /// Every version is affected.
    pub all_versions: bool,
    /// Whether the version asked about is affected.
    pub version: VersionStatus,
    /// When the record was published (`YYYY-MM-DDTHH:MM:SSZ`).
    pub published: Option<String>,
    /// When the record was last modified.
    pub modified: String,
    /// Who reported the package (`kam193`, `ghsa-malware`, `amazon-inspector`…).
    pub reported_by: Vec<String>,
    /// Where the record was imported from (`DIR/…/MAL-2025-47141.json`, `all.zip:MAL-….json`).
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let r = MalRecord {
            id: "MAL-2025-47141".into(),
            modified: Timestamp::parse("2025-09-17T00:29:08.5Z").unwrap(),
            published: Timestamp::parse("2025-09-15T23:42:49Z"),
            withdrawn: None,
            summary: Summary::Standard,
            origins: "ghsa-malware, kam193".into(),
            source: "osv/x.json".into(),
            aliases: vec!["GHSA-qjqf-7j6f-82c4".into()],
            affected: vec![AffectedPackage {
                ecosystem: Ecosystem::Npm,
                name: "@ctrl/tinycolor".into(),
                versions: vec!["4.1.1".into()],
                ranges: vec![VersionRange {
                    kind: RangeKind::Semver,
                    events: vec![
                        (EventKind::Introduced, "4.1.1".into()),
                        (EventKind::LastAffected, "4.1.2".into()),
                    ],
                }],
                unreadable: true,
            }],
        };
        let body = r.encode();
        assert_eq!(MalRecord::decode(&body).as_ref(), Some(&r));
        for cut in 0..body.len() {
            assert_eq!(MalRecord::decode(&body[..cut]), None, "cut at {cut}");
        }
        let m = r
            .matching(Ecosystem::Npm, "@ctrl/tinycolor", Some("4.1.2"))
            .unwrap();
        assert_eq!(m.summary, "Malicious code in @ctrl/tinycolor (npm)");
        assert_eq!(m.version, VersionStatus::Affected);
        assert_eq!(m.reported_by, ["ghsa-malware", "kam193"]);
        assert!(
            r.matching(Ecosystem::PyPI, "@ctrl/tinycolor", None)
                .is_none()
        );
    }
}
