//! `depproof proxy`: a registry proxy for PyPI and npm clients that refuses the packages
//! the policy fails.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use depproof_assess::{Assessor, Policy};
use depproof_guard::audit::AuditLog;
use depproof_guard::judge::Judge;
use depproof_guard::proxy::{Config, Credentials, Proxy, origin, serve};
use reqwest::Url;
use serde::Deserialize;

use crate::cli::{GlobalArgs, PolicyArgs};
use crate::findings::load_policy;
use crate::snapshots::Snapshots;

#[derive(Debug, Args)]
#[command(
    after_help = "PyPI clients use http://ADDR/simple/ as their index URL (pip --index-url, \
    uv --default-index); npm, yarn, pnpm and bun use http://ADDR/ as their registry.\n\n\
    Every package requested is checked; a refused one gets a 403 (npm, with the reason as \
    the error) or a page whose only file is a yanked placeholder carrying the reason (PyPI). \
    When an upstream cannot answer, requests are refused (fail closed).\n\n\
    Exit status: 0 stopped by a signal; 2 a usage error, an address in use, an unusable \
    configuration or data."
)]
pub struct ProxyArgs {
    /// Read settings from this TOML file instead of the `[proxy]` table of depproof.toml
    /// (keys as the long options: `listen`, `pypi-upstream`, `pypi-files`,
    /// `npm-upstream`, `public-url`, `audit-log`, `min-age`, `cache-ttl`, `timeout`,
    /// `connect-timeout`, `fail-open`, `allow`); options given on the command line win.
    #[arg(long, value_name = "FILE")]
    pub proxy_config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:3141; port 0: any free port; the address
    /// is printed on standard error).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// The PyPI Simple index to forward to (e.g. https://pypi.org/simple/).
    #[arg(long, value_name = "URL")]
    pub pypi_upstream: Option<String>,
    /// Another origin PyPI files are downloaded from (repeatable; default for pypi.org:
    /// https://files.pythonhosted.org). Links to other hosts are left as they are.
    #[arg(long, value_name = "URL")]
    pub pypi_files: Vec<String>,
    /// The npm registry to forward to (e.g. https://registry.npmjs.org/).
    #[arg(long, value_name = "URL")]
    pub npm_upstream: Option<String>,
    /// The URL clients reach this proxy at, for the tarball links it writes (default:
    /// http:// and the Host of each request).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Append the audit log (JSON lines) to this file; `-` is standard output (the default).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Drop versions published less than this many hours ago from npm documents and PyPI
    /// JSON pages (each drop is logged).
    #[arg(long, value_name = "HOURS")]
    pub min_age: Option<u64>,
    /// Reuse upstream metadata for this many seconds (default 300; 0: never).
    #[arg(long, value_name = "SECONDS")]
    pub cache_ttl: Option<u64>,
    /// Give up on an upstream after this many seconds without an answer (default 30).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Give up connecting to an upstream after this many seconds (default 5).
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<u64>,
    /// When the assessment cannot answer, serve the package instead of refusing it.
    #[arg(long)]
    pub fail_open: bool,
    /// Serve this package even when the policy refuses it (repeatable; recorded in the
    /// audit log).
    #[arg(long, value_name = "NAME")]
    pub allow: Vec<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// An upstream URL: http or https, ending with `/`; a user name and password in it are
/// taken out into `credentials`.
fn upstream(flag: &str, s: &str, credentials: &mut Vec<Credentials>) -> Result<Url> {
    let mut u = parse_base(flag, s)?;
    if let Some(c) = Credentials::take(&mut u)
        && !credentials.iter().any(|k| k.origin == c.origin)
    {
        credentials.push(c);
    }
    Ok(u)
}

/// A base URL: http or https, ending with `/`.
fn parse_base(flag: &str, s: &str) -> Result<Url> {
    let with_slash = if s.ends_with('/') {
        s.to_owned()
    } else {
        format!("{s}/")
    };
    // The URL may hold a password: errors name the flag only.
    let u = Url::parse(&with_slash).map_err(|e| anyhow::anyhow!("{flag}: not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        bail!("{flag}: an http:// or https:// URL with a host is needed");
    }
    if u.query().is_some() || u.fragment().is_some() {
        bail!("{flag}: a base URL has no query or fragment");
    }
    Ok(u)
}

/// The settings of `--proxy-config FILE`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    listen: Option<SocketAddr>,
    pypi_upstream: Option<String>,
    #[serde(default)]
    pypi_files: Vec<String>,
    npm_upstream: Option<String>,
    public_url: Option<String>,
    audit_log: Option<PathBuf>,
    min_age: Option<u64>,
    cache_ttl: Option<u64>,
    timeout: Option<u64>,
    connect_timeout: Option<u64>,
    #[serde(default)]
    fail_open: bool,
    #[serde(default)]
    allow: Vec<String>,
}

/// The command line over the settings file: `--proxy-config FILE`, else the `[proxy]`
/// table of depproof.toml. Options given win, lists given replace the file's; relative
/// paths in the file are relative to the file.
fn merge(mut args: ProxyArgs, policy: &Policy) -> Result<ProxyArgs> {
    let (file, source): (FileConfig, PathBuf) = match &args.proxy_config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let file =
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            (file, path.clone())
        }
        None if !policy.config.proxy.is_empty() => {
            let path = policy.path.clone().unwrap_or_default();
            let file = FileConfig::deserialize(policy.config.proxy.clone())
                .map_err(|e| anyhow::anyhow!("{}: [proxy]: {e}", path.display()))?;
            (file, path)
        }
        None => return Ok(args),
    };
    let relative_to = source.parent().unwrap_or(Path::new(""));
    args.listen = args.listen.or(file.listen);
    args.pypi_upstream = args.pypi_upstream.or(file.pypi_upstream);
    if args.pypi_files.is_empty() {
        args.pypi_files = file.pypi_files;
    }
    args.npm_upstream = args.npm_upstream.or(file.npm_upstream);
    args.public_url = args.public_url.or(file.public_url);
    args.audit_log = args.audit_log.or(file.audit_log.map(|p| {
        if p == Path::new("-") {
            p
        } else {
            relative_to.join(p)
        }
    }));
    args.min_age = args.min_age.or(file.min_age);
    args.cache_ttl = args.cache_ttl.or(file.cache_ttl);
    args.timeout = args.timeout.or(file.timeout);
    args.connect_timeout = args.connect_timeout.or(file.connect_timeout);
    args.fail_open |= file.fail_open;
    if args.allow.is_empty() {
        args.allow = file.allow;
    }
    Ok(args)
}

/// `depproof proxy`.
pub fn run(global: &GlobalArgs, args: ProxyArgs) -> Result<u8> {
    let mut policy = load_policy(&args.policy, Path::new("."))?;
    let args = merge(args, &policy)?;
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3141)));
    let mut credentials = Vec::new();
    let pypi = args
        .pypi_upstream
        .as_deref()
        .map(|s| upstream("--pypi-upstream", s, &mut credentials))
        .transpose()?;
    let npm = args
        .npm_upstream
        .as_deref()
        .map(|s| upstream("--npm-upstream", s, &mut credentials))
        .transpose()?;
    if pypi.is_none() && npm.is_none() {
        bail!("give --pypi-upstream URL, --npm-upstream URL, or both");
    }
    let mut files = args
        .pypi_files
        .iter()
        .map(|s| upstream("--pypi-files", s, &mut credentials))
        .collect::<Result<Vec<_>>>()?;
    if files.is_empty()
        && let Some(p) = &pypi
        && p.host_str() == Some("pypi.org")
    {
        files.push(Url::parse("https://files.pythonhosted.org/")?);
    }
    let public_url = args
        .public_url
        .as_deref()
        .map(|s| parse_base("--public-url", s))
        .transpose()?;
    let config = Config {
        pypi_upstream: pypi.clone(),
        pypi_file_origins: files,
        npm_upstream: npm.clone(),
        public_url,
        min_age: args.min_age.map(|h| Duration::from_secs(h * 3600)),
        cache_ttl: Duration::from_secs(args.cache_ttl.unwrap_or(300)),
        connect_timeout: Duration::from_secs(args.connect_timeout.unwrap_or(5).max(1)),
        timeout: Duration::from_secs(args.timeout.unwrap_or(30).max(1)),
        credentials: credentials.clone(),
    };
    let audit: Box<dyn Write + Send> = match &args.audit_log {
        None => Box::new(std::io::stdout()),
        Some(p) if p == Path::new("-") => Box::new(std::io::stdout()),
        Some(p) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("cannot open the audit log {}", p.display()))?,
        ),
    };

    // The server's tasks need data that lives as long as the process: the snapshots,
    // the policy and the assessor are built once and kept.
    let snaps: &'static Snapshots = Box::leak(Box::new(Snapshots::load(global)?));
    crate::live::apply_cutoff(&global.live, &mut policy)?;
    // Live checks ask the registries the proxy forwards to, unless told otherwise: they
    // are where the packages will come from.
    let mut live_args = global.live.clone();
    let r = &policy.config.registries;
    // An upstream that needs credentials is not asked live (live lookups send none):
    // the public registry is, as for other commands.
    let open = |u: &Url| !credentials.iter().any(|c| c.origin == origin(u));
    if live_args.pypi_url.is_none() && r.pypi.is_none() {
        live_args.pypi_url = pypi.as_ref().filter(|u| open(u)).map(Url::to_string);
    }
    if live_args.npm_url.is_none() && r.npm.is_none() {
        live_args.npm_url = npm.as_ref().filter(|u| open(u)).map(Url::to_string);
    }
    let live = crate::live::client(&live_args, &policy)?;
    let policy: &'static Policy = Box::leak(Box::new(policy));
    let assessor: &'static Assessor<'static> =
        Box::leak(Box::new(Assessor::new(snaps.registry(), policy)));
    let judge = Judge::new(assessor, policy.config.fail_on.unwrap_or_default())
        .allow(args.allow.iter().cloned())
        .fail_open(args.fail_open);
    let proxy = Arc::new(
        Proxy::new(config, judge, Some(AuditLog::new(audit)))
            .map_err(anyhow::Error::msg)?
            .with_live(live.clone()),
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    let with_credentials = |u: &Url| {
        if credentials.iter().any(|c| c.origin == origin(u)) {
            " (with credentials)"
        } else {
            ""
        }
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        let mut serving = Vec::new();
        if let Some(p) = &pypi {
            serving.push(format!(
                "PyPI index http://{addr}/simple/ -> {p}{}",
                with_credentials(p)
            ));
        }
        if let Some(n) = &npm {
            serving.push(format!(
                "npm registry http://{addr}/ -> {n}{}",
                with_credentials(n)
            ));
        }
        if let Some(l) = &live {
            let c = l.config();
            serving.push(format!(
                "live checks against {} and {}{}",
                c.pypi.public,
                c.npm.public,
                if c.offline {
                    ", from the cache only (--offline)"
                } else {
                    ""
                }
            ));
        }
        eprintln!(
            "depproof proxy: listening on http://{addr} ({})",
            serving.join("; ")
        );
        serve(listener, proxy, shutdown())
            .await
            .context("the server stopped")?;
        eprintln!("depproof proxy: stopped");
        Ok::<u8, anyhow::Error>(crate::EXIT_OK)
    })
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
