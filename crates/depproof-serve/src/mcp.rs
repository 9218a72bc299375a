//! The MCP server (`depproof mcp`): tools a coding agent calls before it writes an
//! import or an install command. Over standard input/output, or streamable HTTP.

use depproof_assess::Code;
use depproof_extract::scan::SourceKind;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::compact::{
    CheckAnswer, ScanAnswer, SignalDoc, SuggestAnswer, name_answer, scan_answer, signal_doc,
    signal_list, suggest,
};
use crate::{EcosystemName, Service, ecosystems};

/// Arguments of `check_packages`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckArgs {
    /// Package names exactly as they would be installed or imported (`requests`,
    /// `@types/node`).
    pub names: Vec<String>,
    /// `pypi` or `npm`; both when absent.
    #[serde(default)]
    pub ecosystem: Option<EcosystemName>,
}

fn markdown() -> String {
    "markdown".to_owned()
}

fn kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "enum": SourceKind::NAMES,
        "description": "How to read `text` (default `markdown`): `markdown` for a model's answer or any prose with code blocks; `python`, `js`, `ts`…; or a manifest kind (`requirements`, `package.json`…)."
    })
}

/// Arguments of `scan_code`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanArgs {
    /// A code snippet, a file, or a model's whole answer.
    pub text: String,
    /// How to read it (default `markdown`).
    #[serde(default = "markdown")]
    #[schemars(schema_with = "kind_schema")]
    pub language: String,
}

/// Arguments of `suggest_packages`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestArgs {
    /// A misspelled, half-remembered or invented package name.
    pub name: String,
    /// `pypi` or `npm`; both when absent.
    #[serde(default)]
    pub ecosystem: Option<EcosystemName>,
    /// How many candidates at most (1 to 20, default 5).
    #[serde(default)]
    #[schemars(range(min = 1, max = 20))]
    pub limit: Option<u8>,
}

/// Arguments of `explain_signal`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainArgs {
    /// A signal code such as `DP101`, or its name such as `typosquat`.
    pub code: String,
}

/// The MCP server: the tools over one [`Service`].
#[derive(Clone)]
pub struct DepproofMcp {
    service: &'static Service,
    tool_router: ToolRouter<DepproofMcp>,
}

const INSTRUCTIONS: &str = "depproof knows every package name on PyPI and npm (offline snapshots). \
Before writing an install command (pip install, npm install, uv add, poetry add…), an import of a \
third-party package, or a dependency in a manifest, call check_packages with the names: a name that \
\"does not exist\" was invented and must not be installed (use a suggested real name instead); \
\"exists but suspicious\" means look at the package before using it. Use scan_code on a draft \
answer or file to check every package it names at once.";

#[tool_router]
impl DepproofMcp {
    /// A server answering from `service`.
    pub fn new(service: &'static Service) -> DepproofMcp {
        DepproofMcp {
            service,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        name = "check_packages",
        description = "Check package names before installing or importing them. For each name: \
\"exists\", \"exists but suspicious: why\", \"does not exist\" (invented: do not install) or \
\"unknown\"; the verdict (ok, warn, block), the signals, what to do, and real packages that were \
probably meant. Call it before writing any install command or dependency.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn check_packages(
        &self,
        Parameters(args): Parameters<CheckArgs>,
    ) -> Result<Json<CheckAnswer>, String> {
        let limit = self.service.limits.max_names;
        if args.names.is_empty() {
            return Err("give at least one name in `names`".to_owned());
        }
        if args.names.len() > limit {
            return Err(format!(
                "{} names were given; at most {limit} are checked at once",
                args.names.len()
            ));
        }
        let ecos = ecosystems(args.ecosystem);
        let live = self
            .service
            .settle(Service::check_names(&ecos, &args.names))
            .await;
        let registry = self.service.registry_with(live.as_ref());
        let results = self
            .service
            .check(&ecos, &args.names, live.as_ref())
            .iter()
            .map(|n| name_answer(&registry, n))
            .collect();
        let snapshots = self
            .service
            .provenance(&ecos)
            .iter()
            .map(|p| p.words())
            .collect();
        Ok(Json(CheckAnswer { results, snapshots }))
    }

    #[tool(
        name = "scan_code",
        description = "Find every package a code snippet, a file or a whole model answer refers to \
(imports, install commands, manifests, lockfiles) and check each: the answer, the verdict, the \
lines that refer to it, and what to do.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn scan_code(
        &self,
        Parameters(args): Parameters<ScanArgs>,
    ) -> Result<Json<ScanAnswer>, String> {
        let name = args.language;
        let Some(kind) = SourceKind::from_name(&name) else {
            return Err(format!(
                "language `{}` is not one depproof reads; one of: {}",
                name.escape_debug(),
                SourceKind::NAMES.join(", ")
            ));
        };
        if args.text.len() > self.service.limits.max_body_bytes {
            return Err(format!(
                "the text is larger than {} bytes: send it in parts",
                self.service.limits.max_body_bytes
            ));
        }
        let service = self.service;
        let result = tokio::task::spawn_blocking(move || {
            service.extract_text("snippet", kind, args.text.as_bytes())
        })
        .await
        .map_err(|e| format!("the scan failed: {e}"))?;
        let live = service.settle(Service::scan_names(&result)).await;
        let answer = tokio::task::spawn_blocking(move || {
            let scanned = service.assess_scan(result, live);
            scan_answer(&scanned.registry(service), &scanned)
        })
        .await
        .map_err(|e| format!("the scan failed: {e}"))?;
        Ok(Json(answer))
    }

    #[tool(
        name = "suggest_packages",
        description = "Real packages whose names are close to a misspelled, half-remembered or \
invented one, nearest first, with their popularity; and whether the name itself exists.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    fn suggest_packages(
        &self,
        Parameters(args): Parameters<SuggestArgs>,
    ) -> Result<Json<SuggestAnswer>, String> {
        let limit = usize::from(args.limit.unwrap_or(5));
        if !(1..=20).contains(&limit) {
            return Err(format!("`limit` must be 1 to 20, not {limit}"));
        }
        let ecos = ecosystems(args.ecosystem);
        Ok(Json(suggest(
            self.service.registry(),
            &ecos,
            &args.name,
            limit,
        )))
    }

    #[tool(
        name = "explain_signal",
        description = "What a depproof signal (DP001…DP402, or its name such as `typosquat`) \
means, why it matters and what to do about it.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    fn explain_signal(
        &self,
        Parameters(args): Parameters<ExplainArgs>,
    ) -> Result<Json<SignalDoc>, String> {
        match Code::parse(&args.code) {
            Some(code) => Ok(Json(signal_doc(code))),
            None => Err(format!(
                "`{}` is not a signal code or name; the signals are: {}",
                args.code.escape_debug(),
                signal_list()
            )),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for DepproofMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("depproof", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

/// Serves MCP on standard input/output until the client closes it.
pub async fn serve_stdio(service: &'static Service) -> anyhow::Result<()> {
    let running = rmcp::serve_server(DepproofMcp::new(service), rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}

/// Streamable HTTP at `/mcp`, for hosts in `allowed_hosts` (besides the loopback names).
/// With `token`, every request needs `Authorization: Bearer TOKEN`.
pub fn http_router(
    service: &'static Service,
    allowed_hosts: Vec<String>,
    token: Option<String>,
) -> axum::Router {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    let mut config = StreamableHttpServerConfig::default();
    config.allowed_hosts.extend(allowed_hosts);
    config.max_request_body_bytes = service.limits.max_body_bytes;
    let mcp = StreamableHttpService::new(
        move || Ok(DepproofMcp::new(service)),
        std::sync::Arc::new(LocalSessionManager::default()),
        config,
    );
    let token: Option<std::sync::Arc<str>> =
        token.filter(|t| !t.is_empty()).map(std::sync::Arc::from);
    axum::Router::new()
        .nest_service("/mcp", mcp)
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let token = token.clone();
                async move {
                    use axum::response::IntoResponse;
                    if let Some(t) = &token
                        && !crate::http::authorized(request.headers(), t)
                    {
                        return crate::http::ApiError {
                            status: axum::http::StatusCode::UNAUTHORIZED,
                            code: "unauthorized",
                            message: "this server needs `Authorization: Bearer TOKEN` with the token it was started with".to_owned(),
                        }
                        .into_response();
                    }
                    next.run(request).await
                }
            },
        ))
}
