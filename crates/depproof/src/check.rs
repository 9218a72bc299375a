//! `depproof check NAME...`: existence, popularity and "did you mean" for package names.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use depproof_registry::index::Completeness;
use depproof_registry::{
    Ecosystem, Index, Lookup, NameError, PackageInfo, Popularity, Suggestion, Validity,
};
use serde_json::{Value, json};

use crate::cli::{CheckArgs, Format, GlobalArgs};
use crate::findings::{finding_json, load_policy, signal_lines};
use crate::snapshots::Snapshots;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use depproof_assess::{Assessor, Finding, Policy, Registry, Use, Verdict as AVerdict};

/// The outcome for one name in one ecosystem.
enum Status {
    Found(PackageInfo),
    Absent,
    Unknown,
    Invalid(NameError),
}

struct EcoResult {
    ecosystem: Ecosystem,
    key: String,
    status: Status,
    /// Why a valid name could only belong to an old package (npm legacy rules).
    legacy: Option<String>,
}

/// The overall answer for one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Exists,
    DoesNotExist,
    Unknown,
    NotFound,
    Invalid,
}

impl Verdict {
    fn id(self) -> &'static str {
        match self {
            Verdict::Exists => "exists",
            Verdict::DoesNotExist => "does_not_exist",
            Verdict::Unknown => "unknown",
            Verdict::NotFound => "not_found",
            Verdict::Invalid => "invalid",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Verdict::Exists => "exists",
            Verdict::DoesNotExist => "does not exist",
            Verdict::Unknown => "unknown",
            Verdict::NotFound => "not found",
            Verdict::Invalid => "invalid name",
        }
    }
}

struct NameResult {
    input: String,
    results: Vec<EcoResult>,
    suggestions: Vec<(Ecosystem, Suggestion)>,
    /// The assessment in each ecosystem where the name exists, or in every ecosystem
    /// whose rules it meets when it exists nowhere.
    findings: Vec<Finding>,
}

impl NameResult {
    /// The most serious verdict of the findings; `None` for a name valid nowhere.
    fn assessed(&self) -> Option<AVerdict> {
        self.findings.iter().map(|f| f.verdict).max()
    }

    fn verdict(&self) -> Verdict {
        let valid: Vec<&EcoResult> = self
            .results
            .iter()
            .filter(|r| !matches!(r.status, Status::Invalid(_)))
            .collect();
        if valid.is_empty() {
            Verdict::Invalid
        } else if valid.iter().any(|r| matches!(r.status, Status::Found(_))) {
            Verdict::Exists
        } else if valid.iter().all(|r| matches!(r.status, Status::Absent)) {
            Verdict::DoesNotExist
        } else if valid.iter().all(|r| matches!(r.status, Status::Unknown)) {
            Verdict::Unknown
        } else {
            Verdict::NotFound
        }
    }
}

pub fn run(global: &GlobalArgs, args: CheckArgs) -> Result<u8> {
    let names = collect_names(&args.names)?;
    let snaps = Snapshots::load(global)?;
    let policy = load_policy(&args.policy, Path::new("."))?;
    let registry = snaps.registry();
    let assessor = Assessor::new(registry, &policy);
    let ecosystems: Vec<Ecosystem> = match args.ecosystem {
        Some(e) => vec![e.into()],
        None => Ecosystem::ALL.to_vec(),
    };
    let results: Vec<NameResult> = names
        .iter()
        .map(|n| check_name(&snaps, &assessor, &ecosystems, n))
        .collect();

    for r in &results {
        if r.verdict() == Verdict::Invalid {
            for e in &r.results {
                if let Status::Invalid(err) = &e.status {
                    eprintln!("error: {err}");
                }
            }
        }
    }
    if names.is_empty() {
        eprintln!("note: no names to check (standard input held none)");
    }
    match args.format {
        Format::Human => print_human(&snaps, &policy, &results),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&to_json(
                &snaps,
                &registry,
                &policy,
                &ecosystems,
                &results
            ))?
        ),
    }
    let fail_on = policy.config.fail_on.unwrap_or_default();
    Ok(if results.iter().any(|r| r.verdict() == Verdict::Invalid) {
        EXIT_ERROR
    } else if results
        .iter()
        .filter_map(NameResult::assessed)
        .any(|v| fail_on.fails(v))
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Expands `-` into the names read from standard input.
fn collect_names(args: &[String]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut stdin_read = false;
    for a in args {
        if a == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read names from standard input")?;
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("");
                names.extend(line.split_whitespace().map(str::to_owned));
            }
        } else {
            names.push(a.clone());
        }
    }
    Ok(names)
}

fn check_name(
    snaps: &Snapshots,
    assessor: &Assessor,
    ecosystems: &[Ecosystem],
    name: &str,
) -> NameResult {
    let mut results = Vec::new();
    let mut suggestions = Vec::new();
    for &eco in ecosystems {
        let index = snaps.get(eco);
        let (status, key, legacy) = match eco.validate(name) {
            Err(e) => (Status::Invalid(e), String::new(), None),
            Ok(validity) => {
                let key = eco.normalize(name).into_owned();
                let legacy = match validity {
                    Validity::Valid => None,
                    Validity::LegacyOnly(why) => Some(why),
                };
                let status = match index.lookup(&key) {
                    Lookup::Found(info) => Status::Found(info),
                    Lookup::Absent => Status::Absent,
                    Lookup::Unknown => Status::Unknown,
                };
                (status, key, legacy)
            }
        };
        results.push(EcoResult {
            ecosystem: eco,
            key,
            status,
            legacy,
        });
    }
    let found_anywhere = results.iter().any(|r| matches!(r.status, Status::Found(_)));
    if !found_anywhere {
        for r in &results {
            if matches!(r.status, Status::Absent | Status::Unknown) {
                let index = snaps.get(r.ecosystem);
                suggestions.extend(
                    index
                        .suggest(&r.key, depproof_registry::index::MAX_SUGGESTIONS)
                        .into_iter()
                        .map(|s| (r.ecosystem, s)),
                );
            }
        }
        // Across ecosystems: nearer first, then popular names, each ecosystem's own order kept.
        suggestions.sort_by_key(|(_, s)| (s.distance, !s.info.popular));
        suggestions.truncate(depproof_registry::index::MAX_SUGGESTIONS);
    }
    let asked = [Use::ASKED];
    let findings = results
        .iter()
        .filter(|r| match r.status {
            Status::Found(_) => true,
            Status::Absent | Status::Unknown => !found_anywhere,
            Status::Invalid(_) => false,
        })
        .map(|r| assessor.assess(r.ecosystem, name, &asked))
        .collect();
    NameResult {
        input: name.to_owned(),
        results,
        suggestions,
        findings,
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn popularity_words(index: &Index, p: Popularity) -> String {
    let h = index.header();
    match p {
        Popularity::Rank(r) => format!(
            "download rank {} among the {} most downloaded",
            thousands(r.into()),
            thousands(h.popular_threshold)
        ),
        Popularity::Unranked => format!(
            "not among the {} most downloaded",
            thousands(h.popular_threshold)
        ),
        Popularity::MonthlyDownloads(d) => format!("{} downloads a month", thousands(d.into())),
        Popularity::Unknown => "no download data".to_owned(),
    }
}

pub(crate) fn short_popularity(p: Popularity) -> Option<String> {
    match p {
        Popularity::Rank(r) => Some(format!("rank {}", thousands(r.into()))),
        Popularity::MonthlyDownloads(d) => Some(format!("{}/month", thousands(d.into()))),
        Popularity::Unranked | Popularity::Unknown => None,
    }
}

pub(crate) fn absent_words(index: &Index) -> String {
    let h = index.header();
    match &h.completeness {
        Completeness::Complete => format!(
            "does not exist: not among the {} {} names of the complete snapshot of {}",
            thousands(h.name_count),
            h.ecosystem,
            h.snapshot_date
        ),
        Completeness::Partial { description, .. } => format!(
            "unknown: not among {description} ({} snapshot): it may not exist, or be obscure",
            h.snapshot_date
        ),
    }
}

fn print_human(snaps: &Snapshots, policy: &Policy, results: &[NameResult]) {
    use std::fmt::Write;
    let mut out = String::new();
    for r in results {
        let verdict = r.verdict();
        let found_in: Vec<&str> = r
            .results
            .iter()
            .filter(|e| matches!(e.status, Status::Found(_)))
            .map(|e| e.ecosystem.display_name())
            .collect();
        let assessed = r.assessed().map(|v| format!(" [{v}]")).unwrap_or_default();
        if found_in.is_empty() {
            let _ = writeln!(out, "{}: {}{assessed}", r.input, verdict.words());
        } else {
            let _ = writeln!(
                out,
                "{}: {} on {}{assessed}",
                r.input,
                verdict.words(),
                found_in.join(" and ")
            );
        }
        // Once a name is found, the ecosystems where it is not are noise (JSON keeps them);
        // so is an ecosystem whose rules the name breaks, unless it breaks them all.
        let shown: Vec<&EcoResult> = r
            .results
            .iter()
            .filter(|e| match e.status {
                Status::Found(_) => true,
                Status::Absent | Status::Unknown => found_in.is_empty(),
                Status::Invalid(_) => verdict == Verdict::Invalid,
            })
            .collect();
        let width = shown
            .iter()
            .map(|e| e.ecosystem.display_name().len())
            .max()
            .unwrap_or(0);
        for e in shown {
            let index = snaps.get(e.ecosystem);
            let label = format!("{:width$}", e.ecosystem.display_name());
            match &e.status {
                Status::Found(info) => {
                    let mut line = format!("  {label}  {}", info.name);
                    if !info.latest_version.is_empty() {
                        let _ = write!(line, " {}", info.latest_version);
                    }
                    if let Some(m) = info.release_month_str() {
                        let _ = write!(line, " (released {m})");
                    }
                    let _ = write!(line, "; {}", popularity_words(index, info.popularity));
                    let flags: Vec<&str> = info.flags.names().collect();
                    if !flags.is_empty() {
                        let _ = write!(line, "; flagged: {}", flags.join(", "));
                    }
                    let _ = writeln!(out, "{line}");
                }
                Status::Absent | Status::Unknown => {
                    let _ = writeln!(out, "  {label}  {}", absent_words(index));
                }
                Status::Invalid(err) => {
                    let _ = writeln!(out, "  {label}  not a valid name: {}", err.reason);
                }
            }
            if let Some(why) = &e.legacy
                && !matches!(e.status, Status::Found(_))
            {
                let _ = writeln!(out, "  {:width$}  note: {why}", "");
            }
        }
        if !r.suggestions.is_empty() {
            let several = r
                .results
                .iter()
                .filter(|e| !matches!(e.status, Status::Invalid(_)))
                .count()
                > 1;
            let list: Vec<String> = r
                .suggestions
                .iter()
                .map(|(eco, s)| {
                    let mut details: Vec<String> = Vec::new();
                    if several {
                        details.push(eco.display_name().to_owned());
                    }
                    details.extend(short_popularity(s.info.popularity));
                    if details.is_empty() {
                        s.info.name.clone()
                    } else {
                        format!("{} ({})", s.info.name, details.join(", "))
                    }
                })
                .collect();
            let _ = writeln!(out, "  did you mean: {}", list.join(", "));
        }
        for f in &r.findings {
            for line in signal_lines(policy, f) {
                let _ = writeln!(out, "{line}");
            }
        }
        if let Some(advice) = r
            .findings
            .iter()
            .max_by_key(|f| f.verdict)
            .filter(|f| f.verdict != depproof_assess::Verdict::Ok)
            .and_then(|f| f.advice())
        {
            let _ = writeln!(out, "  what to do: {advice}");
        }
    }
    let counts = count(results);
    if results.len() > 1 {
        let _ = writeln!(
            out,
            "\n{} names: {} exist, {} do not exist, {} unknown or not found, {} invalid",
            results.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3]
        );
    }
    print!("{out}");
}

/// [exists, does not exist, unknown or not found, invalid]
fn count(results: &[NameResult]) -> [usize; 4] {
    let mut c = [0; 4];
    for r in results {
        c[match r.verdict() {
            Verdict::Exists => 0,
            Verdict::DoesNotExist => 1,
            Verdict::Unknown | Verdict::NotFound => 2,
            Verdict::Invalid => 3,
        }] += 1;
    }
    c
}

pub(crate) fn info_json(index: &Index, info: &PackageInfo) -> Value {
    let popularity = match info.popularity {
        Popularity::Rank(r) => {
            json!({ "rank": r, "ranked_among": index.header().popular_threshold })
        }
        Popularity::Unranked => {
            json!({ "rank": null, "ranked_among": index.header().popular_threshold })
        }
        Popularity::MonthlyDownloads(d) => json!({ "downloads_a_month": d }),
        Popularity::Unknown => Value::Null,
    };
    json!({
        "name": info.name,
        "latest_version": info.latest_version,
        "release_month": info.release_month_str(),
        "popularity": popularity,
        "popular": info.popular,
        "flags": info.flags.names().collect::<Vec<_>>(),
    })
}

fn to_json(
    snaps: &Snapshots,
    registry: &Registry,
    policy: &Policy,
    ecosystems: &[Ecosystem],
    results: &[NameResult],
) -> Value {
    let snapshots: Vec<Value> = ecosystems
        .iter()
        .map(|e| crate::index_cmd::snapshot_json(snaps.get(*e), None))
        .collect();
    let results: Vec<Value> = results
        .iter()
        .map(|r| {
            let ecos: Vec<Value> = r
                .results
                .iter()
                .map(|e| {
                    let index = snaps.get(e.ecosystem);
                    let mut v = json!({ "ecosystem": e.ecosystem.id() });
                    match &e.status {
                        Status::Found(info) => {
                            v["status"] = json!("exists");
                            v["key"] = json!(e.key);
                            v["package"] = info_json(index, info);
                        }
                        Status::Absent | Status::Unknown => {
                            let complete = index.header().completeness.is_complete();
                            v["status"] = json!(if complete {
                                "does_not_exist"
                            } else {
                                "unknown"
                            });
                            v["key"] = json!(e.key);
                            v["reason"] = json!(absent_words(index));
                        }
                        Status::Invalid(err) => {
                            v["status"] = json!("invalid");
                            v["rule"] = json!(err.rule);
                            v["reason"] = json!(err.reason);
                        }
                    }
                    if let Some(why) = &e.legacy {
                        v["legacy_only"] = json!(why);
                    }
                    v
                })
                .collect();
            let suggestions: Vec<Value> = r
                .suggestions
                .iter()
                .map(|(eco, s)| {
                    let mut v = info_json(snaps.get(*eco), &s.info);
                    v["ecosystem"] = json!(eco.id());
                    v["distance"] = json!(s.distance);
                    v
                })
                .collect();
            let findings: Vec<Value> = r
                .findings
                .iter()
                .map(|f| finding_json(registry, policy, f))
                .collect();
            json!({
                "name": r.input,
                "status": r.verdict().id(),
                "verdict": r.assessed(),
                "ecosystems": ecos,
                "suggestions": suggestions,
                "findings": findings,
            })
        })
        .collect();
    let c = count_json(results.as_slice());
    json!({
        "schema_version": 2,
        "config": policy.path.as_ref().map(|p| p.display().to_string()),
        "fail_on": policy.config.fail_on.unwrap_or_default(),
        "snapshots": snapshots,
        "results": results,
        "summary": c,
    })
}

fn count_json(results: &[Value]) -> Value {
    let mut m = serde_json::Map::new();
    for k in [
        "exists",
        "does_not_exist",
        "unknown",
        "not_found",
        "invalid",
    ] {
        let n = results.iter().filter(|r| r["status"] == k).count();
        m.insert(k.to_owned(), json!(n));
    }
    for k in ["block", "warn", "ok"] {
        let n = results.iter().filter(|r| r["verdict"] == k).count();
        m.insert(k.to_owned(), json!(n));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(886_323), "886,323");
        assert_eq!(thousands(1_234_567_890), "1,234,567,890");
    }
}
