//! `depproof serve` (the HTTP API) and `depproof mcp` (the MCP server for coding agents).

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;
use depproof_registry::Ecosystem;
use depproof_serve::{Limits, Service};

use crate::EXIT_OK;
use crate::cli::{GlobalArgs, PolicyArgs};
use crate::findings::{load_policy, tool};
use crate::snapshots::Snapshots;

/// The environment variable holding the bearer token both servers require when set.
pub const TOKEN_VAR: &str = "DEPPROOF_API_TOKEN";

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Largest request body (and scanned text) in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body_bytes)]
    pub max_body_bytes: usize,
    /// Most names in one check.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_names)]
    pub max_names: usize,
    /// Longest a request may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().timeout.as_secs())]
    pub timeout: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_body_bytes: self.max_body_bytes,
            max_names: self.max_names,
            timeout: std::time::Duration::from_secs(self.timeout.max(1)),
            ..Limits::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the address is printed on
    /// standard error once the server listens).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Print the OpenAPI document of the API and exit.
    #[arg(long)]
    pub openapi: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct McpArgs {
    /// Serve streamable HTTP on this address (at `/mcp`) instead of standard input/output.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// A host name clients may use in the `Host` header over HTTP, besides localhost,
    /// 127.0.0.1 and ::1 (repeat for several); guards against DNS rebinding.
    #[arg(long = "allowed-host", value_name = "HOST", requires = "http")]
    pub allowed_hosts: Vec<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// The service for the life of the process: the snapshots are mapped once and shared by
/// every request.
fn service(global: &GlobalArgs, policy: &PolicyArgs, limits: Limits) -> Result<&'static Service> {
    let snaps: &'static Snapshots = Box::leak(Box::new(Snapshots::load(global)?));
    let mut policy = load_policy(policy, Path::new("."))?;
    crate::live::apply_cutoff(&global.live, &mut policy)?;
    let live = crate::live::client(&global.live, &policy)?;
    if let Some(l) = &live {
        let c = l.config();
        eprintln!(
            "depproof: live checks against {} and {}{}",
            c.pypi.public,
            c.npm.public,
            if c.offline {
                ", from the cache only (--offline)"
            } else {
                ""
            }
        );
    }
    let policy = Box::leak(Box::new(policy));
    let provenance = crate::snapshots::provenance(snaps, &Ecosystem::ALL);
    let service = Box::leak(Box::new(
        Service::new(snaps.registry(), policy, provenance, tool(), limits).with_live(live),
    ));
    service.warm_up();
    Ok(service)
}

fn token() -> Option<String> {
    std::env::var(TOKEN_VAR).ok().filter(|t| !t.is_empty())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's threads")
}

pub fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<u8> {
    if args.openapi {
        println!(
            "{}",
            depproof_report::pretty(&depproof_serve::openapi::document()).trim_end()
        );
        return Ok(EXIT_OK);
    }
    let service = service(global, &args.policy, args.limits.limits())?;
    let token = token();
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "depproof serve: listening on http://{addr}{}",
            if token.is_some() {
                format!(" (bearer token from {TOKEN_VAR} required on /v1/)")
            } else {
                String::new()
            }
        );
        let router = depproof_serve::http::router(service, token);
        depproof_serve::http::serve(listener, router)
            .await
            .context("the server stopped")
    })?;
    Ok(EXIT_OK)
}

pub fn mcp(global: &GlobalArgs, args: McpArgs) -> Result<u8> {
    let service = service(global, &args.policy, args.limits.limits())?;
    let rt = runtime()?;
    match args.http {
        None => rt.block_on(depproof_serve::mcp::serve_stdio(service))?,
        Some(listen) => {
            let token = token();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                let addr = listener.local_addr()?;
                eprintln!("depproof mcp: listening on http://{addr}/mcp");
                let router = depproof_serve::mcp::http_router(service, args.allowed_hosts, token);
                depproof_serve::http::serve(listener, router)
                    .await
                    .context("the server stopped")
            })?;
        }
    }
    Ok(EXIT_OK)
}
