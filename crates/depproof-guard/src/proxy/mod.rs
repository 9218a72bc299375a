//! A registry proxy in front of a PyPI Simple index and an npm registry.
//!
//! PyPI clients use `http://ADDR/simple/` as their index; npm clients use `http://ADDR/`
//! as their registry. Every package requested is judged ([`crate::judge`]); a refused
//! one never reaches the client, with a reason the client shows. Upstream requests go
//! only to the configured URLs; when the upstream cannot answer, the request is refused
//! (502/504) with the reason.

mod npm;
mod pypi;
mod util;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use depproof_registry::Ecosystem;
use reqwest::Url;
use serde_json::Value;

use crate::audit::{self, AuditLog};
use crate::judge::{Action, Decision, Judge};
use depproof_live::Live;

/// How the proxy reaches its upstreams and what it forwards.
#[derive(Debug, Clone)]
pub struct Config {
    /// The PyPI Simple index upstream (`https://pypi.org/simple/`), ending with `/`.
    pub pypi_upstream: Option<Url>,
    /// Other origins PyPI files are downloaded from (`https://files.pythonhosted.org`);
    /// the index's own origin is always one.
    pub pypi_file_origins: Vec<Url>,
    /// The npm registry upstream (`https://registry.npmjs.org/`), ending with `/`.
    pub npm_upstream: Option<Url>,
    /// The URL clients reach the proxy at (default: `http://` and the request's Host).
    pub public_url: Option<Url>,
    /// Versions published more recently than this are dropped from npm metadata.
    pub min_age: Option<Duration>,
    /// How long upstream metadata is reused.
    pub cache_ttl: Duration,
    /// The longest wait to connect to an upstream.
    pub connect_timeout: Duration,
    /// The longest wait for an upstream's metadata answer, and between two reads of a
    /// download.
    pub timeout: Duration,
    /// Credentials sent to upstream origins (HTTP Basic), kept out of every URL the proxy
    /// shows, logs or writes.
    pub credentials: Vec<Credentials>,
}

/// A user name and password for one upstream origin.
#[derive(Clone)]
pub struct Credentials {
    /// The origin (`https://host:port/`) they are sent to.
    pub origin: Url,
    /// The user name.
    pub user: String,
    /// The password or token.
    pub password: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, {}, ***)", self.origin, self.user)
    }
}

impl Credentials {
    /// Takes the user name and password out of `url`, if it has any.
    pub fn take(url: &mut Url) -> Option<Credentials> {
        if url.username().is_empty() && url.password().is_none() {
            return None;
        }
        // URLs keep user names and passwords percent-encoded.
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let c = Credentials {
            origin: origin(url),
            user: decode(url.username()),
            password: url.password().map(decode),
        };
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let mut o = c.origin.clone();
        let _ = o.set_username("");
        let _ = o.set_password(None);
        Some(Credentials { origin: o, ..c })
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            pypi_upstream: None,
            pypi_file_origins: Vec::new(),
            npm_upstream: None,
            public_url: None,
            min_age: None,
            cache_ttl: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            credentials: Vec::new(),
        }
    }
}

/// The most metadata responses kept.
const CACHE_ENTRIES: usize = 4096;
/// A decision's ecosystem, name and version.
type DecisionKey = (Ecosystem, String, Option<String>);

/// The most decisions remembered.
const DECISION_ENTRIES: usize = 65_536;
/// The largest metadata document read from an upstream.
const MAX_METADATA_BYTES: usize = 64 << 20;
/// The largest request body forwarded (npm audit).
const MAX_FORWARD_BODY: usize = 8 << 20;

/// A running proxy's shared state.
pub struct Proxy {
    config: Config,
    judge: Judge<'static>,
    audit: Option<AuditLog>,
    client: reqwest::Client,
    cache: Mutex<HashMap<String, (Instant, Cached)>>,
    /// Decisions by ecosystem, name and version, with when they were made: the snapshots
    /// do not change while the proxy runs, and a refusal's suggestions cost a search of
    /// the index. Live answers do change, so with `live` a decision lasts `cache_ttl`.
    decisions: Mutex<HashMap<DecisionKey, (Instant, Decision)>>,
    /// Asks the registries about the names the snapshots cannot settle (`--live`).
    live: Option<Live>,
    /// Each PyPI file origin, as a base URL; index 0 is the index's own origin.
    file_origins: Vec<Url>,
}

/// Upstream metadata as received.
#[derive(Clone)]
struct Cached {
    content_type: Option<HeaderValue>,
    body: Bytes,
    /// Where it came from, after redirects: relative links resolve against it.
    url: Url,
}

/// An upstream that did not answer usefully.
enum UpstreamError {
    /// Not reachable, timed out, or broke off: refuse (fail closed).
    Unavailable(String),
    /// Answered with this status (404 passes through).
    Status(StatusCode),
}

impl Proxy {
    /// A proxy with its configuration, its judge and where audit records go (`None`: no
    /// audit records).
    pub fn new(
        config: Config,
        judge: Judge<'static>,
        audit: Option<AuditLog>,
    ) -> Result<Proxy, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("depproof-proxy/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        let mut file_origins = Vec::new();
        if let Some(u) = &config.pypi_upstream {
            file_origins.push(origin(u));
        }
        for u in &config.pypi_file_origins {
            let o = origin(u);
            if !file_origins.contains(&o) {
                file_origins.push(o);
            }
        }
        Ok(Proxy {
            config,
            judge,
            audit,
            client,
            cache: Mutex::new(HashMap::new()),
            decisions: Mutex::new(HashMap::new()),
            live: None,
            file_origins,
        })
    }

    /// Asks `live` about the packages the snapshots cannot settle (absent, unknown to a
    /// partial snapshot, recent and little used) before deciding about them.
    pub fn with_live(mut self, live: Option<Live>) -> Proxy {
        self.live = live;
        self
    }

    /// `req` with the credentials of `url`'s origin, if any were configured.
    fn authorize(&self, req: reqwest::RequestBuilder, url: &Url) -> reqwest::RequestBuilder {
        let o = origin(url);
        match self.config.credentials.iter().find(|c| c.origin == o) {
            Some(c) => req.basic_auth(&c.user, c.password.as_deref()),
            None => req,
        }
    }

    /// The proxy as an axum application.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new().fallback(handle).with_state(self)
    }

    /// The decision about a package (the judge's, remembered).
    async fn decide(&self, eco: Ecosystem, name: &str, version: Option<&str>) -> Decision {
        let key = (eco, name.to_owned(), version.map(str::to_owned));
        let ttl = self.live.as_ref().map(|_| self.config.cache_ttl);
        if let Ok(cache) = self.decisions.lock()
            && let Some((at, d)) = cache.get(&key)
            && ttl.is_none_or(|t| at.elapsed() < t)
        {
            return d.clone();
        }
        let facts = match &self.live {
            Some(live) if self.judge.assessor().wants_live(eco, name) => Some(
                live.settle_within(&[(eco, name.to_owned())], self.config.timeout)
                    .await,
            ),
            _ => None,
        };
        let d = self.judge.decide_with(eco, name, version, facts.as_ref());
        // A failed assessment or a failed lookup is not remembered: the next request
        // tries again.
        if d.finding.is_ok()
            && facts.as_ref().is_none_or(|f| f.failed() == 0)
            && let Ok(mut cache) = self.decisions.lock()
        {
            if cache.len() >= DECISION_ENTRIES {
                cache.clear();
            }
            cache.insert(key, (Instant::now(), d.clone()));
        }
        d
    }

    /// Records a decision in the audit log and, for refusals, warnings and overrides, on
    /// standard error.
    fn record(&self, client: SocketAddr, request: &str, version: Option<&str>, d: &Decision) {
        let reason = d.reason(&self.judge);
        if d.action != Action::Allow {
            let over = d
                .overridden
                .map(|o| format!(" (overridden: {})", o.words()))
                .unwrap_or_default();
            eprintln!(
                "depproof proxy: {} {} {request} from {client}: {reason}{over}",
                d.action.id(),
                d.ecosystem.id()
            );
        }
        if let Some(log) = &self.audit {
            let rec = audit::record(&client.to_string(), request, version, d, &reason);
            if let Err(e) = log.write(&rec) {
                eprintln!("depproof proxy: cannot write the audit log: {e}");
            }
        }
    }

    /// Upstream metadata, from the cache when fresh enough.
    async fn metadata(&self, url: Url, accept: &str) -> Result<Cached, UpstreamError> {
        let key = format!("{accept}\n{url}");
        if let Ok(cache) = self.cache.lock()
            && let Some((at, c)) = cache.get(&key)
            && at.elapsed() < self.config.cache_ttl
        {
            return Ok(c.clone());
        }
        let resp = self
            .authorize(self.client.get(url.clone()), &url)
            .header(header::ACCEPT, accept)
            .timeout(self.config.timeout)
            .send()
            .await
            .map_err(|e| UpstreamError::Unavailable(util::describe(&e, &url)))?;
        if !resp.status().is_success() {
            return Err(UpstreamError::Status(
                StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
            ));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_METADATA_BYTES as u64)
        {
            return Err(UpstreamError::Unavailable(format!(
                "{url}: metadata larger than {} MiB",
                MAX_METADATA_BYTES >> 20
            )));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok());
        let final_url = resp.url().clone();
        let body = resp
            .bytes()
            .await
            .map_err(|e| UpstreamError::Unavailable(util::describe(&e, &url)))?;
        let cached = Cached {
            content_type,
            body,
            url: final_url,
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_ENTRIES {
                let ttl = self.config.cache_ttl;
                cache.retain(|_, (at, _)| at.elapsed() < ttl);
                if cache.len() >= CACHE_ENTRIES {
                    cache.clear();
                }
            }
            cache.insert(key, (Instant::now(), cached.clone()));
        }
        Ok(cached)
    }

    /// Streams a download from `url`, never buffering it whole.
    async fn stream(&self, url: Url, method: &Method) -> Response {
        let req = if method == Method::HEAD {
            self.client.head(url.clone())
        } else {
            self.client.get(url.clone())
        };
        let req = self.authorize(req, &url);
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                return refusal_text(
                    StatusCode::BAD_GATEWAY,
                    &format!(
                        "depproof proxy: the upstream cannot answer: {}",
                        util::describe(&e, &url)
                    ),
                );
            }
        };
        let status =
            StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let mut out = Response::builder().status(status);
        for name in [
            reqwest::header::CONTENT_TYPE,
            reqwest::header::CONTENT_LENGTH,
            reqwest::header::ETAG,
            reqwest::header::LAST_MODIFIED,
        ] {
            if let Some(v) = resp.headers().get(&name)
                && let Ok(v) = HeaderValue::from_bytes(v.as_bytes())
            {
                out = out.header(name.as_str(), v);
            }
        }
        out.body(Body::from_stream(resp.bytes_stream()))
            .unwrap_or_else(|_| internal())
    }

    /// The base URL clients reach the proxy at, ending with `/`.
    fn public_base(&self, req: &Request) -> String {
        if let Some(u) = &self.config.public_url {
            let s = u.as_str();
            return if s.ends_with('/') {
                s.to_owned()
            } else {
                format!("{s}/")
            };
        }
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("localhost");
        format!("http://{host}/")
    }
}

/// Serves `proxy` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    proxy: Arc<Proxy>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A client gets 10 s to send a request's headers: a slow one cannot hold a
    // connection for ever.
    depproof_http::serve(
        listener,
        proxy.router(),
        depproof_http::ConnLimits::default(),
        shutdown,
    )
    .await
}

async fn handle(
    State(proxy): State<Arc<Proxy>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    // An absolute-form target (`GET http://other/ HTTP/1.1`) asks for an open proxy.
    if req.uri().scheme().is_some() {
        return refusal_text(
            StatusCode::BAD_REQUEST,
            "depproof proxy: not an open proxy: only paths on this registry are served",
        );
    }
    let path = req.uri().path().to_owned();
    if let Err(why) = util::check_path(&path) {
        return refusal_text(
            StatusCode::BAD_REQUEST,
            &format!("depproof proxy: bad request path: {why}"),
        );
    }
    let method = req.method().clone();
    let post_allowed = npm::accepts_post(&path);
    if !(method == Method::GET
        || method == Method::HEAD
        || (method == Method::POST && post_allowed))
    {
        return refusal_text(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("depproof proxy: {method} is not served here (read-only registry proxy)"),
        );
    }
    if path == "/simple" || path.starts_with("/simple/") && !path.contains("/-/") {
        return pypi::metadata(&proxy, client, &path, req).await;
    }
    if let Some(rest) = path.strip_prefix("/-/pypi-files/") {
        return pypi::file(&proxy, client, rest, req).await;
    }
    npm::handle(&proxy, client, &path, req).await
}

/// The origin of `u` (`https://host:port/`).
pub fn origin(u: &Url) -> Url {
    let mut o = u.clone();
    o.set_path("/");
    o.set_query(None);
    o.set_fragment(None);
    o
}

/// A plain-text refusal.
fn refusal_text(status: StatusCode, message: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(format!("{message}\n")))
        .unwrap_or_else(|_| internal())
}

/// A JSON refusal, as npm clients show it (`error` is printed after the status line).
fn refusal_json(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message });
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body.to_string()))
        .unwrap_or_else(|_| internal())
}

fn internal() -> Response {
    let mut r = Response::new(Body::from("depproof proxy: internal error\n"));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r
}

/// What the upstream's failure means for the client.
fn upstream_failure(e: UpstreamError, what: &str, json: bool) -> Response {
    let (status, message) = match e {
        UpstreamError::Unavailable(why) => (
            StatusCode::BAD_GATEWAY,
            format!(
                "depproof proxy: refused {what}: the upstream cannot answer ({why}); failing closed"
            ),
        ),
        UpstreamError::Status(StatusCode::NOT_FOUND) => (
            StatusCode::NOT_FOUND,
            format!("depproof proxy: {what}: not found upstream"),
        ),
        UpstreamError::Status(s) => (
            StatusCode::BAD_GATEWAY,
            format!("depproof proxy: refused {what}: the upstream answered {s}; failing closed"),
        ),
    };
    if status != StatusCode::NOT_FOUND {
        eprintln!("{message}");
    }
    if json {
        refusal_json(status, &message)
    } else {
        refusal_text(status, &message)
    }
}

/// Parses a JSON document (`None` when it is not JSON).
fn parse_json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}
