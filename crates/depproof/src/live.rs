//! `--live`: asking the registries about the names a snapshot cannot settle (absent,
//! unknown to a partial snapshot, recent and little used), with `--offline` forbidding
//! any connection.

use anyhow::{Result, bail};
use clap::Args;
use depproof_assess::{Assessor, Policy};
use depproof_live::{Live, LiveConfig, LiveFacts, NPM_URL, PYPI_URL, RegistryUrls};
use depproof_registry::Ecosystem;

/// The live-lookup options every command accepts.
#[derive(Debug, Clone, Args, Default)]
pub struct LiveArgs {
    /// Ask the registries about the names the snapshot cannot settle: absent, unknown to
    /// a partial snapshot, or recent and little used (also `live = true` under
    /// `[registries]` in depproof.toml). Answers are cached; a failed lookup is unknown.
    #[arg(long, global = true)]
    pub live: bool,
    /// Never connect to a registry, whatever `--live` or the configuration say: live
    /// answers come from the cache only.
    #[arg(long, global = true)]
    pub offline: bool,
    /// The PyPI Simple index to ask (default: `pypi` under `[registries]`, else
    /// https://pypi.org/simple/); a mirror, devpi (`.../+simple/`), Artifactory...
    #[arg(long = "pypi-url", value_name = "URL", global = true)]
    pub pypi_url: Option<String>,
    /// The npm registry to ask (default: `npm` under `[registries]`, else
    /// https://registry.npmjs.org/).
    #[arg(long = "npm-url", value_name = "URL", global = true)]
    pub npm_url: Option<String>,
    /// Call out packages first released after this date (YYYY-MM-DD or YYYY-MM), such as
    /// a model's training cutoff (overrides `thresholds.training-cutoff`; needs `--live`).
    #[arg(long = "training-cutoff", value_name = "DATE", global = true)]
    pub training_cutoff: Option<String>,
}

/// Applies `--training-cutoff` to the policy.
pub fn apply_cutoff(args: &LiveArgs, policy: &mut Policy) -> Result<()> {
    if let Some(d) = &args.training_cutoff {
        if !depproof_live::date::valid(d) {
            bail!("--training-cutoff `{d}`: a date is YYYY-MM-DD or YYYY-MM");
        }
        policy.config.thresholds.training_cutoff = Some(d.clone());
    }
    Ok(())
}

/// Whether live answers are wanted at all in this run.
pub fn enabled(args: &LiveArgs, policy: &Policy) -> bool {
    args.live || policy.config.registries.live
}

/// The client configuration of a run: flags over depproof.toml over the defaults.
pub fn config(args: &LiveArgs, policy: &Policy) -> LiveConfig {
    let r = &policy.config.registries;
    let defaults = LiveConfig::default();
    // Policy::parse has checked every value; one that is bad all the same (a policy not
    // read from a file) keeps the default.
    let duration = |v: &Option<depproof_assess::config::DurationSetting>, default| {
        v.as_ref()
            .and_then(|d| d.duration().ok())
            .unwrap_or(default)
    };
    let timeout = duration(&r.timeout, defaults.timeout);
    let cache_dir = match (&r.cache, &r.cache_dir) {
        (Some(false), _) => None,
        // Relative to the file that says it, wherever depproof runs.
        (_, Some(d)) => Some(
            policy
                .path
                .as_deref()
                .and_then(std::path::Path::parent)
                .map_or_else(|| d.clone(), |base| base.join(d)),
        ),
        _ => defaults.cache_dir.clone(),
    };
    LiveConfig {
        pypi: RegistryUrls {
            public: args
                .pypi_url
                .clone()
                .or_else(|| r.pypi.clone())
                .unwrap_or_else(|| PYPI_URL.to_owned()),
            private: r.private_pypi.clone(),
        },
        npm: RegistryUrls {
            public: args
                .npm_url
                .clone()
                .or_else(|| r.npm.clone())
                .unwrap_or_else(|| NPM_URL.to_owned()),
            private: r.private_npm.clone(),
        },
        offline: args.offline,
        cache_dir,
        ttl: duration(&r.cache_ttl, defaults.ttl),
        missing_ttl: duration(&r.missing_ttl, defaults.missing_ttl),
        concurrency: r
            .concurrency
            .map_or(defaults.concurrency, |n| n.max(1) as usize),
        // Connecting never gets longer than the whole request.
        connect_timeout: defaults.connect_timeout.min(timeout),
        timeout,
        retries: r.retries.unwrap_or(defaults.retries),
        ..defaults
    }
}

/// The client a long-running command (the proxy, the servers) asks with, per request;
/// `None` when the run is not live.
pub fn client(args: &LiveArgs, policy: &Policy) -> Result<Option<Live>> {
    if !enabled(args, policy) {
        return Ok(None);
    }
    Ok(Some(Live::new(config(args, policy))?))
}

/// Asks about the names among `names` that the snapshots cannot settle; `None` when the
/// run is not live.
pub fn settle(
    args: &LiveArgs,
    policy: &Policy,
    assessor: &Assessor,
    names: impl IntoIterator<Item = (Ecosystem, String)>,
) -> Result<Option<LiveFacts>> {
    if !enabled(args, policy) {
        return Ok(None);
    }
    let wanted: Vec<(Ecosystem, String)> = names
        .into_iter()
        .filter(|(eco, n)| assessor.wants_live(*eco, n))
        .collect();
    let live = Live::new(config(args, policy))?;
    let facts = live.settle(&wanted)?;
    if facts.failed() > 0 {
        eprintln!(
            "warning: {} live lookup{} failed; {} unknown, never taken as existing",
            facts.failed(),
            if facts.failed() == 1 { "" } else { "s" },
            if facts.failed() == 1 {
                "that name stays"
            } else {
                "those names stay"
            }
        );
    }
    if facts.offline && !facts.not_asked.is_empty() {
        eprintln!(
            "note: --offline: {} name{} not in the answer cache were judged by the snapshot alone",
            facts.not_asked.len(),
            if facts.not_asked.len() == 1 { "" } else { "s" }
        );
    }
    Ok(Some(facts))
}
