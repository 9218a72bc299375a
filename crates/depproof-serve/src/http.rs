//! The HTTP API (`depproof serve`): `POST /v1/check`, `POST /v1/scan`,
//! `GET /v1/snapshots`, `GET /healthz` and the OpenAPI document at `/openapi.json`
//! (docs/api.md).
//!
//! Every user mistake is a 4xx answer with a JSON body `{"error": {"code", "message"}}`;
//! a request never makes the server panic.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use depproof_extract::scan::SourceKind;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::archive::{InFile, scan_files, unzip};
use crate::{EcosystemName, Service, ecosystems};

/// A structured error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable identifier (`malformed_json`, `invalid_request`, …; docs/api.md).
    pub code: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut r = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// The body of `POST /v1/check`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The ecosystem to look the names up in; both when absent.
    #[serde(default)]
    pub ecosystem: Option<EcosystemName>,
    /// The names, as written (any case; npm scopes included).
    pub names: Vec<String>,
}

/// One file of `POST /v1/scan`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanFile {
    /// Its path in the project, relative, with `/` between directories; its name decides
    /// how it is read (`requirements.txt`, `package.json`, `app.py`…).
    pub path: String,
    /// Its text.
    pub text: String,
}

/// `POST /v1/scan` with text.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanTextRequest {
    /// A snippet, a file or a model's whole answer.
    pub text: String,
    /// How to read `text` (default `markdown`, which also reads a model's answer).
    #[serde(default = "markdown")]
    pub kind: String,
}

fn markdown() -> String {
    "markdown".to_owned()
}

/// `POST /v1/scan` with files.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanFilesRequest {
    /// Files scanned together as one project.
    pub files: Vec<ScanFile>,
}

#[derive(Clone)]
struct AppState {
    service: &'static Service,
    token: Option<Arc<str>>,
}

/// The API's routes. With `token`, every `/v1/` request needs
/// `Authorization: Bearer TOKEN`.
pub fn router(service: &'static Service, token: Option<String>) -> Router {
    let state = AppState {
        service,
        token: token.filter(|t| !t.is_empty()).map(Arc::from),
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .route("/v1/snapshots", get(snapshots))
        .route("/v1/check", post(check))
        .route("/v1/scan", post(scan))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM; a client gets 10 s to send a
/// request's headers.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    depproof_http::serve(
        listener,
        router,
        depproof_http::ConnLimits::default(),
        shutdown_signal(),
    )
    .await
}

/// Ctrl-C, or SIGTERM on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Whether `given` holds the bearer `token`, compared in constant time.
pub fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, given)) = value.split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return false;
    }
    let (a, b) = (given.trim().as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Authentication of `/v1/`, and the time limit of every request.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.token
        && request.uri().path().starts_with("/v1/")
        && !authorized(request.headers(), token)
    {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this server needs `Authorization: Bearer TOKEN` with the token it was started with",
        )
        .into_response();
    }
    let limit = state.service.limits.timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s: send less at once",
                limit.as_secs()
            ),
        )
        .into_response(),
    }
}

async fn healthz() -> axum::Json<Value> {
    axum::Json(json!({ "status": "ok" }))
}

async fn openapi() -> axum::Json<Value> {
    axum::Json(crate::openapi::document())
}

async fn snapshots(State(state): State<AppState>) -> axum::Json<Value> {
    axum::Json(state.service.snapshots_json())
}

async fn not_found(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no such endpoint: {}; see /openapi.json",
            request.uri().path()
        ),
    )
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} does not answer {}; see /openapi.json",
            request.uri().path(),
            request.method()
        ),
    )
}

/// The body, at most `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
    };
    match axum::body::to_bytes(body, limit).await {
        Ok(b) => Ok(b),
        Err(e) => {
            let inner = e.into_inner();
            if inner
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(too_large())
            } else {
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    format!("cannot read the request body: {inner}"),
                ))
            }
        }
    }
}

/// The media type of the request, lowercase, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|t| !t.is_empty())
}

fn is_json(media: Option<&str>) -> bool {
    match media {
        None => true,
        Some(m) => {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        }
    }
}

fn unsupported(media: &str, accepted: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("a body of type `{media}` is not read here; send {accepted}"),
    )
}

/// Parses a JSON body: broken JSON is 400, JSON of the wrong shape is 422.
fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError::invalid(format!("the {what} request body: {e}"))
        }
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the {what} request body is not JSON: {e}"),
        ),
    })
}

/// Work longer than a few lookups runs off the request threads, so that one large
/// request does not hold up the others.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the request failed: {e}"),
        )
    })
}

/// Names checked on the request thread; more go off it.
const INLINE_NAMES: usize = 32;

async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<Value>, ApiError> {
    let service = state.service;
    let media = media_type(&headers);
    if !is_json(media.as_deref()) {
        return Err(unsupported(
            media.as_deref().unwrap_or(""),
            "application/json",
        ));
    }
    let bytes = read_body(body, service.limits.max_body_bytes).await?;
    let req: CheckRequest = parse(&bytes, "check")?;
    if req.names.len() > service.limits.max_names {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_names",
            format!(
                "{} names were sent; at most {} are checked at once",
                req.names.len(),
                service.limits.max_names
            ),
        ));
    }
    let ecos = ecosystems(req.ecosystem);
    let live = service
        .settle(Service::check_names(&ecos, &req.names))
        .await;
    let doc = if req.names.len() <= INLINE_NAMES {
        service.check_json(&ecos, &req.names, live.as_ref())
    } else {
        off_thread(move || service.check_json(&ecos, &req.names, live.as_ref())).await?
    };
    Ok(axum::Json(doc))
}

async fn scan(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<Value>, ApiError> {
    let service = state.service;
    let media = media_type(&headers);
    let zip = media.as_deref() == Some("application/zip");
    if !zip && !is_json(media.as_deref()) {
        return Err(unsupported(
            media.as_deref().unwrap_or(""),
            "application/json or application/zip",
        ));
    }
    let bytes = read_body(body, service.limits.max_body_bytes).await?;
    let job = if zip {
        let files = unzip(&bytes, &service.limits)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_archive", e.0))?;
        Job::Files(files)
    } else {
        // Which of the two shapes decides the error messages: read as JSON first.
        let value: Value = parse(&bytes, "scan")?;
        let has = |k: &str| value.as_object().is_some_and(|o| o.contains_key(k));
        let shape = |e: serde_json::Error| ApiError::invalid(format!("the scan request body: {e}"));
        if has("files") && has("text") {
            return Err(ApiError::invalid("send `text` or `files`, not both"));
        } else if has("files") {
            let req: ScanFilesRequest = serde_json::from_value(value).map_err(shape)?;
            Job::Files(
                req.files
                    .into_iter()
                    .map(|f| InFile {
                        path: f.path,
                        content: f.text.into_bytes(),
                    })
                    .collect(),
            )
        } else if value.is_object() && !has("text") {
            return Err(ApiError::invalid(
                "send `text` (with its `kind`) or `files` to scan",
            ));
        } else {
            let req: ScanTextRequest = serde_json::from_value(value).map_err(shape)?;
            let kind = SourceKind::from_name(&req.kind).ok_or_else(|| {
                ApiError::invalid(format!(
                    "kind `{}` is not a kind depproof reads; one of: {}",
                    req.kind.escape_debug(),
                    SourceKind::NAMES.join(", ")
                ))
            })?;
            Job::Text(kind, req.text)
        }
    };
    let result = off_thread(move || match job {
        Job::Text(kind, text) => Ok(service.extract_text("text", kind, text.as_bytes())),
        Job::Files(files) => scan_files(service, &files)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", e.0)),
    })
    .await??;
    let live = service.settle(Service::scan_names(&result)).await;
    let doc = off_thread(move || service.scan_json(&service.assess_scan(result, live))).await?;
    Ok(axum::Json(doc))
}

enum Job {
    Text(SourceKind, String),
    Files(Vec<InFile>),
}
