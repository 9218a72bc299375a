//! `depproof.toml`: thresholds, signal levels, allow and deny lists, private names, and
//! paths to skip. Found by walking up from the scanned path, or given with `--config`.
//! Unknown keys are errors that name the key and the file: a misspelt setting that is
//! silently ignored is a policy that silently does not apply.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use depproof_registry::Ecosystem;
use serde::{Deserialize, Serialize};

use crate::signal::{Code, Severity};

/// The file name looked for.
pub const FILE_NAME: &str = "depproof.toml";

/// What a signal does to a finding's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Not raised at all.
    Off,
    /// Shown, no effect on the verdict.
    Info,
    /// Makes the finding a warning.
    Warn,
    /// Makes the finding block.
    Block,
}

/// A finding's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing to worry about.
    Ok,
    /// Look before installing.
    Warn,
    /// Do not install.
    Block,
}

impl Verdict {
    /// Lowercase identifier.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Block => "block",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Which verdicts make the exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// A blocked finding (the default).
    #[default]
    Block,
    /// A warning or a blocked finding.
    Warn,
    /// Never: report only.
    Never,
}

impl FailOn {
    /// True if a finding with `verdict` fails the run.
    pub fn fails(self, verdict: Verdict) -> bool {
        match self {
            FailOn::Block => verdict == Verdict::Block,
            FailOn::Warn => verdict >= Verdict::Warn,
            FailOn::Never => false,
        }
    }
}

/// Numbers the signals compare against.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Thresholds {
    /// `new`: a latest release within this many days of the snapshot date.
    pub new_days: u32,
    /// `unpopular` (npm): fewer downloads a month than this.
    pub min_monthly_downloads: u32,
    /// `unpopular` (PyPI): a download rank worse than this (unranked counts as worse);
    /// unset = off, since the snapshot ranks only the 15,000 most downloaded projects.
    pub pypi_max_rank: Option<u32>,
    /// `after-cutoff`: a package first released after this date (`YYYY-MM-DD` or
    /// `YYYY-MM`), such as a model's training cutoff, is called out. Needs live answers.
    pub training_cutoff: Option<String>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            new_days: 90,
            min_monthly_downloads: 1_000,
            pypi_max_rank: None,
            training_cutoff: None,
        }
    }
}

/// An allow or deny entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListEntry {
    /// The package name (any spelling; compared normalized).
    pub name: String,
    /// `pypi` or `npm`; both when absent.
    #[serde(default)]
    pub ecosystem: Option<EcosystemKey>,
    /// Why: shown with every finding it affects. Required.
    pub reason: String,
    /// Allow only these signals (codes or names); all when absent.
    #[serde(default)]
    pub signals: Option<Vec<String>>,
}

/// An ecosystem as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EcosystemKey {
    /// PyPI.
    Pypi,
    /// npm.
    Npm,
}

impl From<EcosystemKey> for Ecosystem {
    fn from(e: EcosystemKey) -> Self {
        match e {
            EcosystemKey::Pypi => Ecosystem::PyPI,
            EcosystemKey::Npm => Ecosystem::Npm,
        }
    }
}

/// Names of internal packages, which must not come from the public registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Private {
    /// PyPI names or prefixes (`acme-utils`, `acme-*`).
    #[serde(default)]
    pub pypi: Vec<String>,
    /// npm names, prefixes or scopes (`acme-ui`, `acme-*`, `@acme/*`).
    #[serde(default)]
    pub npm: Vec<String>,
}

/// The registries asked live (`--live`), public and private.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Registries {
    /// Ask the registries about the names the snapshot cannot settle on every run, as
    /// `--live` does (`--offline` still forbids it).
    #[serde(default)]
    pub live: bool,
    /// The PyPI Simple index (default `https://pypi.org/simple/`; a mirror, devpi,
    /// Artifactory...).
    #[serde(default)]
    pub pypi: Option<String>,
    /// The npm registry (default `https://registry.npmjs.org/`).
    #[serde(default)]
    pub npm: Option<String>,
    /// A private PyPI index asked first: a name it has that also exists publicly is
    /// dependency confusion.
    #[serde(default)]
    pub private_pypi: Option<String>,
    /// A private npm registry asked first.
    #[serde(default)]
    pub private_npm: Option<String>,
    /// How long an answer that a package exists stays fresh in the answer cache.
    #[serde(default)]
    pub cache_ttl: Option<DurationSetting>,
    /// How long an answer that a package does not exist stays fresh.
    #[serde(default)]
    pub missing_ttl: Option<DurationSetting>,
    /// Requests in flight at most.
    #[serde(default)]
    pub concurrency: Option<u32>,
    /// Limit per request, body included.
    #[serde(default)]
    pub timeout: Option<DurationSetting>,
    /// Attempts after the first, for connection failures, timeouts, 429 and 5xx.
    #[serde(default)]
    pub retries: Option<u32>,
    /// `false`: no answer cache at all (every run asks).
    #[serde(default)]
    pub cache: Option<bool>,
    /// Where answers are cached (relative paths are relative to the depproof.toml).
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
}

/// The longest cache lifetime accepted, and how it is said.
const MAX_TTL: (Duration, &str) = (Duration::from_secs(365 * 86_400), "365 days");
/// The longest request timeout accepted, and how it is said.
const MAX_TIMEOUT: (Duration, &str) = (Duration::from_secs(3_600), "1 hour");
/// The most requests in flight accepted.
const MAX_CONCURRENCY: u32 = 256;
/// The most retries accepted.
const MAX_RETRIES: u32 = 10;

/// A length of time as written in depproof.toml: a number of seconds (`900`) or a string
/// with units (`"15m"`, `"6h"`, `"1h 30m"`, `"2days"`; humantime's syntax).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DurationSetting {
    /// A bare integer: seconds (negative ones are refused when the file is checked).
    Seconds(i64),
    /// A string with units.
    Text(String),
}

impl DurationSetting {
    /// The length of time, or why the value is not one.
    pub fn duration(&self) -> Result<Duration, String> {
        match self {
            DurationSetting::Seconds(n) => u64::try_from(*n)
                .map(Duration::from_secs)
                .map_err(|_| format!("{n} is negative")),
            DurationSetting::Text(t) => humantime::parse_duration(t.trim()).map_err(|e| {
                format!(
                    "`{t}` is not a duration ({e}); write a number of seconds or a string such as \"90s\", \"15m\", \"6h\", \"1d\""
                )
            }),
        }
    }
}

impl<'de> Deserialize<'de> for DurationSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DurationSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds or a duration such as \"15m\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(DurationSetting::Seconds(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(DurationSetting::Seconds(
                    i64::try_from(v).unwrap_or(i64::MAX),
                ))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(DurationSetting::Text(v.to_owned()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// What to scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// Paths to skip (gitignore-style globs), added to `--exclude`.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// The contents of a depproof.toml.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Which verdicts fail the run (overridden by `--fail-on`).
    #[serde(default)]
    pub fail_on: Option<FailOn>,
    /// Thresholds of the signals.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Level per signal, keyed by code or name.
    #[serde(default)]
    pub signals: BTreeMap<String, Level>,
    /// Packages whose signals are suppressed, with a reason.
    #[serde(default)]
    pub allow: Vec<ListEntry>,
    /// Packages that always block, with a reason.
    #[serde(default)]
    pub deny: Vec<ListEntry>,
    /// Internal package names.
    #[serde(default)]
    pub private: Private,
    /// What to scan.
    #[serde(default)]
    pub scan: ScanConfig,
    /// The registries asked live.
    #[serde(default)]
    pub registries: Registries,
    /// Settings of `depproof proxy` (its long options as keys), read and checked by that
    /// command.
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub proxy: toml::Table,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong and where.
    pub message: String,
}

/// A configuration with where it came from, checked and ready to apply.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// The settings.
    pub config: Config,
    levels: BTreeMap<Code, Level>,
    allow: Vec<Entry>,
    deny: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    ecosystem: Option<Ecosystem>,
    key_pypi: String,
    key_npm: String,
    reason: String,
    signals: Option<Vec<Code>>,
}

impl Entry {
    fn matches(&self, eco: Ecosystem, key: &str) -> bool {
        self.ecosystem.is_none_or(|e| e == eco)
            && match eco {
                Ecosystem::PyPI => self.key_pypi == key,
                Ecosystem::Npm => self.key_npm == key,
            }
    }
}

/// How an allow entry applies to a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance<'a> {
    /// The reason written in the file.
    pub reason: &'a str,
    /// The signals allowed; `None` = all.
    pub signals: Option<&'a [Code]>,
}

impl Policy {
    /// Parses and checks `text`, read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Policy, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.to_owned(),
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| {
            // toml's message names the key and shows the line; keep it whole but on
            // fewer lines.
            err(e.to_string().trim_end().to_owned())
        })?;
        let mut levels = BTreeMap::new();
        for (key, level) in &config.signals {
            let code = Code::parse(key).ok_or_else(|| {
                err(format!(
                    "[signals]: `{key}` is not a signal code or name (see `depproof explain --all`)"
                ))
            })?;
            levels.insert(code, *level);
        }
        let entries = |list: &[ListEntry], what: &str| -> Result<Vec<Entry>, ConfigError> {
            list.iter()
                .enumerate()
                .map(|(i, e)| {
                    let place = format!("[[{what}]] entry {} (`{}`)", i + 1, e.name);
                    if e.reason.trim().is_empty() {
                        return Err(err(format!("{place}: `reason` must say why")));
                    }
                    let signals = match &e.signals {
                        None => None,
                        Some(list) => Some(
                            list.iter()
                                .map(|s| {
                                    Code::parse(s).ok_or_else(|| {
                                        err(format!("{place}: `{s}` is not a signal code or name"))
                                    })
                                })
                                .collect::<Result<Vec<Code>, _>>()?,
                        ),
                    };
                    let ecosystem = e.ecosystem.map(Ecosystem::from);
                    let valid = Ecosystem::ALL
                        .iter()
                        .filter(|eco| ecosystem.is_none_or(|x| x == **eco))
                        .any(|eco| eco.validate(&e.name).is_ok());
                    if !valid {
                        return Err(err(format!("{place}: not a valid package name")));
                    }
                    Ok(Entry {
                        ecosystem,
                        key_pypi: Ecosystem::PyPI.normalize(&e.name).into_owned(),
                        key_npm: Ecosystem::Npm.normalize(&e.name).into_owned(),
                        reason: e.reason.trim().to_owned(),
                        signals,
                    })
                })
                .collect()
        };
        let allow = entries(&config.allow, "allow")?;
        let deny = entries(&config.deny, "deny")?;
        for (eco, list) in [
            (Ecosystem::PyPI, &config.private.pypi),
            (Ecosystem::Npm, &config.private.npm),
        ] {
            for p in list {
                let name = p.strip_suffix('*').unwrap_or(p);
                let name = name.strip_suffix('/').unwrap_or(name);
                if name.is_empty() || name.contains('*') {
                    return Err(err(format!(
                        "[private] {}: `{p}` must be a name, a prefix ending in `*`, or (npm) a scope `@scope/*`",
                        eco.id()
                    )));
                }
            }
        }
        let r = &config.registries;
        for (key, url) in [
            ("pypi", &r.pypi),
            ("npm", &r.npm),
            ("private-pypi", &r.private_pypi),
            ("private-npm", &r.private_npm),
        ] {
            if let Some(u) = url
                && !(u.starts_with("http://") || u.starts_with("https://"))
            {
                return Err(err(format!(
                    "[registries] {key}: `{u}` must be an http:// or https:// URL"
                )));
            }
        }
        for (key, value, (max, most)) in [
            ("cache-ttl", &r.cache_ttl, MAX_TTL),
            ("missing-ttl", &r.missing_ttl, MAX_TTL),
            ("timeout", &r.timeout, MAX_TIMEOUT),
        ] {
            let Some(v) = value else { continue };
            let d = v
                .duration()
                .map_err(|why| err(format!("[registries] {key}: {why}")))?;
            if d > max {
                let written = match v {
                    DurationSetting::Seconds(n) => n.to_string(),
                    DurationSetting::Text(t) => format!("`{t}`"),
                };
                return Err(err(format!(
                    "[registries] {key}: {written} is longer than the {most} accepted"
                )));
            }
            if key == "timeout" && d.is_zero() {
                return Err(err(
                    "[registries] timeout: must be longer than zero".to_owned()
                ));
            }
        }
        if let Some(n) = r.concurrency
            && !(1..=MAX_CONCURRENCY).contains(&n)
        {
            return Err(err(format!(
                "[registries] concurrency: {n} must be between 1 and {MAX_CONCURRENCY}"
            )));
        }
        if let Some(n) = r.retries
            && n > MAX_RETRIES
        {
            return Err(err(format!(
                "[registries] retries: {n} is more than the {MAX_RETRIES} accepted"
            )));
        }
        if r.cache == Some(false) && r.cache_dir.is_some() {
            return Err(err(
                "[registries] cache-dir: given with `cache = false`; keep one of the two"
                    .to_owned(),
            ));
        }
        if r.cache_dir
            .as_ref()
            .is_some_and(|d| d.as_os_str().is_empty())
        {
            return Err(err(
                "[registries] cache-dir: must be a directory, not empty".to_owned(),
            ));
        }
        if let Some(d) = &config.thresholds.training_cutoff
            && !depproof_live::date::valid(d)
        {
            return Err(err(format!(
                "[thresholds] training-cutoff: `{d}` must be a date, YYYY-MM-DD or YYYY-MM"
            )));
        }
        Ok(Policy {
            path: Some(path.to_owned()),
            config,
            levels,
            allow,
            deny,
        })
    }

    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Policy, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_owned(),
            message: format!("cannot read: {e}"),
        })?;
        Policy::parse(&text, path)
    }

    /// The nearest depproof.toml in `start` or a folder above it, if any.
    pub fn discover(start: &Path) -> Result<Option<Policy>, ConfigError> {
        let start = if start.as_os_str().is_empty() {
            Path::new(".")
        } else {
            start
        };
        let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_owned());
        let mut dir = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Policy::load(&candidate).map(Some);
            }
            dir = d.parent();
        }
        Ok(None)
    }

    /// The level a signal of `code` with `severity` gets: the configured one, else by
    /// severity (critical and high block, medium and low warn, info informs).
    pub fn level(&self, code: Code, severity: Severity) -> Level {
        if let Some(l) = self.levels.get(&code) {
            return *l;
        }
        match severity {
            Severity::Critical | Severity::High => Level::Block,
            Severity::Medium | Severity::Low => Level::Warn,
            Severity::Info => Level::Info,
        }
    }

    /// The allow entry for a package, if any.
    pub fn allowance(&self, eco: Ecosystem, key: &str) -> Option<Allowance<'_>> {
        self.allow
            .iter()
            .find(|e| e.matches(eco, key))
            .map(|e| Allowance {
                reason: &e.reason,
                signals: e.signals.as_deref(),
            })
    }

    /// The deny reason for a package, if denied.
    pub fn denied(&self, eco: Ecosystem, key: &str) -> Option<&str> {
        self.deny
            .iter()
            .find(|e| e.matches(eco, key))
            .map(|e| e.reason.as_str())
    }

    /// The `[private]` pattern matching a package, if any.
    pub fn private(&self, eco: Ecosystem, key: &str) -> Option<&str> {
        let list = match eco {
            Ecosystem::PyPI => &self.config.private.pypi,
            Ecosystem::Npm => &self.config.private.npm,
        };
        list.iter()
            .find(|p| match p.strip_suffix('*') {
                Some(prefix) => {
                    let prefix = match eco {
                        Ecosystem::PyPI => Ecosystem::PyPI.normalize(prefix).into_owned(),
                        Ecosystem::Npm => prefix.to_owned(),
                    };
                    // PEP 503 normalization drops a trailing separator: `acme-*` keeps it.
                    let sep = prefix.is_empty() || key.len() > prefix.len();
                    key.starts_with(prefix.as_str()) && sep
                }
                None => eco.normalize(p) == key,
            })
            .map(String::as_str)
    }

    /// Thresholds in force.
    pub fn thresholds(&self) -> &Thresholds {
        &self.config.thresholds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy, ConfigError> {
        Policy::parse(text, Path::new("proj/depproof.toml"))
    }

    #[test]
    fn a_full_file() {
        let p = parse(
            r#"
fail-on = "warn"
[thresholds]
new-days = 30
min-monthly-downloads = 5000
[signals]
DP104 = "off"
typosquat = "block"
[[allow]]
name = "Acme_Tools"
ecosystem = "pypi"
reason = "our own package, published on purpose"
signals = ["new", "DP104"]
[[deny]]
name = "request"
ecosystem = "npm"
reason = "deprecated since 2020: use undici or fetch"
[private]
pypi = ["acme-*", "internal-billing"]
npm = ["@acme/*"]
[scan]
exclude = ["vendor/**"]
"#,
        )
        .unwrap();
        assert_eq!(p.config.fail_on, Some(FailOn::Warn));
        assert_eq!(p.thresholds().new_days, 30);
        assert_eq!(p.level(Code::Unpopular, Severity::Low), Level::Off);
        assert_eq!(p.level(Code::Typosquat, Severity::Medium), Level::Block);
        assert_eq!(p.level(Code::New, Severity::Low), Level::Warn);
        let a = p.allowance(Ecosystem::PyPI, "acme-tools").unwrap();
        assert_eq!(a.signals, Some(&[Code::New, Code::Unpopular][..]));
        assert!(p.allowance(Ecosystem::Npm, "acme-tools").is_none());
        assert!(p.denied(Ecosystem::Npm, "request").is_some());
        assert!(p.denied(Ecosystem::PyPI, "request").is_none());
        assert_eq!(p.private(Ecosystem::PyPI, "acme-billing"), Some("acme-*"));
        assert_eq!(p.private(Ecosystem::PyPI, "acme"), None);
        assert_eq!(p.private(Ecosystem::PyPI, "acmetools"), None);
        assert_eq!(
            p.private(Ecosystem::PyPI, "internal-billing"),
            Some("internal-billing")
        );
        assert_eq!(p.private(Ecosystem::Npm, "@acme/ui"), Some("@acme/*"));
        assert_eq!(p.private(Ecosystem::Npm, "@acmeco/ui"), None);
        assert_eq!(p.config.scan.exclude, vec!["vendor/**"]);
    }

    #[test]
    fn unknown_keys_name_the_key_and_the_file() {
        let e = parse("[thresholds]\nnew-day = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("proj/depproof.toml:"), "{e}");
        assert!(e.contains("new-day"), "{e}");
        let e = parse("failon = \"warn\"\n").unwrap_err().to_string();
        assert!(e.contains("failon"), "{e}");
        let e = parse("[signals]\nDP999 = \"off\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`DP999` is not a signal"), "{e}");
        let e = parse("[signals]\nnew = \"loud\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("loud"), "{e}");
        let e = parse("[[allow]]\nname = \"x\"\nreason = \" \"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`reason` must say why"), "{e}");
        let e = parse("[[deny]]\nname = \"x\"\n").unwrap_err().to_string();
        assert!(e.contains("reason"), "{e}");
        let e = parse("[private]\nnpm = [\"@a*b\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`@a*b`"), "{e}");
    }

    #[test]
    fn registry_client_settings() {
        let p = parse(
            "[registries]\ncache-ttl = \"2h\"\nmissing-ttl = 90\nconcurrency = 4\ntimeout = \"1m 30s\"\nretries = 0\ncache-dir = \".cache/live\"\n",
        )
        .unwrap();
        let r = &p.config.registries;
        assert_eq!(
            r.cache_ttl.as_ref().unwrap().duration(),
            Ok(Duration::from_secs(7200))
        );
        assert_eq!(
            r.missing_ttl.as_ref().unwrap().duration(),
            Ok(Duration::from_secs(90))
        );
        assert_eq!(
            r.timeout.as_ref().unwrap().duration(),
            Ok(Duration::from_secs(90))
        );
        assert_eq!((r.concurrency, r.retries), (Some(4), Some(0)));
        assert_eq!(r.cache_dir.as_deref(), Some(Path::new(".cache/live")));
        assert_eq!(
            parse("[registries]\ncache = false\n")
                .unwrap()
                .config
                .registries
                .cache,
            Some(false)
        );
    }

    #[test]
    fn bad_registry_client_settings_name_the_key_and_the_reason() {
        for (text, key, reason) in [
            (
                "missing-ttl = \"15 minutes please\"",
                "missing-ttl",
                "is not a duration",
            ),
            ("cache-ttl = -5", "cache-ttl", "-5 is negative"),
            (
                "cache-ttl = \"400d\"",
                "cache-ttl",
                "`400d` is longer than the 365 days",
            ),
            ("timeout = 0", "timeout", "longer than zero"),
            (
                "timeout = 7200",
                "timeout",
                "7200 is longer than the 1 hour",
            ),
            ("concurrency = 0", "concurrency", "between 1 and 256"),
            ("concurrency = 1000", "concurrency", "between 1 and 256"),
            ("retries = 11", "retries", "more than the 10"),
            (
                "cache = false\ncache-dir = \"x\"",
                "cache-dir",
                "cache = false",
            ),
            ("cache-dir = \"\"", "cache-dir", "not empty"),
        ] {
            let e = parse(&format!("[registries]\n{text}\n"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("proj/depproof.toml: [registries] "), "{e}");
            assert!(e.contains(key) && e.contains(reason), "{text}: {e}");
        }
        // Wrong types are toml's errors, which show the line and say what is expected.
        for (text, key) in [
            ("timeout = true", "timeout"),
            ("retries = -1", "retries"),
            ("concurrency = \"4\"", "concurrency"),
            ("cache = \"no\"", "cache"),
        ] {
            let e = parse(&format!("[registries]\n{text}\n"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
        let e = parse("[registries]\nmissing-ttl = 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a number of seconds or a duration"), "{e}");
    }

    #[test]
    fn default_levels_follow_severity() {
        let p = Policy::default();
        assert_eq!(p.level(Code::NotFound, Severity::Critical), Level::Block);
        assert_eq!(p.level(Code::Typosquat, Severity::High), Level::Block);
        assert_eq!(p.level(Code::Unknown, Severity::Medium), Level::Warn);
        assert_eq!(p.level(Code::New, Severity::Low), Level::Warn);
        assert_eq!(p.level(Code::CrossEcosystem, Severity::Info), Level::Info);
        assert!(FailOn::Block.fails(Verdict::Block));
        assert!(!FailOn::Block.fails(Verdict::Warn));
        assert!(FailOn::Warn.fails(Verdict::Warn));
        assert!(!FailOn::Never.fails(Verdict::Block));
    }

    #[test]
    fn discovery_walks_up() {
        let dir = std::env::temp_dir().join(format!("depproof-config-{}", std::process::id()));
        let sub = dir.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join(FILE_NAME), "fail-on = \"never\"\n").unwrap();
        let p = Policy::discover(&sub).unwrap().unwrap();
        assert_eq!(p.config.fail_on, Some(FailOn::Never));
        assert_eq!(p.path.as_deref(), Some(dir.join(FILE_NAME).as_path()));
        std::fs::write(sub.join(FILE_NAME), "bogus = 1\n").unwrap();
        assert!(Policy::discover(&sub.join("file.py")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
