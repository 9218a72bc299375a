//! The network client: asks the registries about names, a bounded number at a time, with
//! timeouts, retries with backoff (honouring `Retry-After`), a cap on response sizes, and
//! the on-disk cache. A lookup that fails is an answer of its own (`Outcome::Failed`),
//! never an exception and never "exists".

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use depproof_registry::Ecosystem;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cache::Cache;
use crate::{Answer, LiveFacts, NPM_URL, Outcome, PYPI_URL, Record, date, parse};

/// The registries of one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryUrls {
    /// The public registry (PyPI: a Simple index URL such as `https://pypi.org/simple/`;
    /// npm: a registry URL such as `https://registry.npmjs.org/`).
    pub public: String,
    /// A private registry asked first, for dependency-confusion checks.
    pub private: Option<String>,
}

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// PyPI registries.
    pub pypi: RegistryUrls,
    /// npm registries.
    pub npm: RegistryUrls,
    /// Never connect: answer from the cache only.
    pub offline: bool,
    /// The answer cache (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    /// How long an answer that a package exists stays fresh.
    pub ttl: Duration,
    /// How long an answer that a package does not exist stays fresh (short: squats are
    /// registered after the fact).
    pub missing_ttl: Duration,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Limit per request, body included.
    pub timeout: Duration,
    /// Limit on establishing a connection.
    pub connect_timeout: Duration,
    /// Attempts after the first, for connection failures, timeouts, 429 and 5xx.
    pub retries: u32,
    /// The first wait between attempts; it doubles each time.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one fails the lookup at once.
    pub max_retry_after: Duration,
    /// The largest response body read, in bytes.
    pub max_body: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            pypi: RegistryUrls {
                public: PYPI_URL.to_owned(),
                private: None,
            },
            npm: RegistryUrls {
                public: NPM_URL.to_owned(),
                private: None,
            },
            offline: false,
            cache_dir: LiveConfig::default_cache_dir(),
            ttl: Duration::from_secs(6 * 3600),
            missing_ttl: Duration::from_secs(15 * 60),
            concurrency: 16,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            retries: 3,
            backoff: Duration::from_millis(250),
            max_retry_after: Duration::from_secs(30),
            max_body: 64 * 1024 * 1024,
        }
    }
}

impl LiveConfig {
    /// `depproof/live` under the platform cache directory (`~/.cache` on Linux), or
    /// `$DEPPROOF_CACHE_DIR/live` when that is set.
    pub fn default_cache_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("DEPPROOF_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d).join("live"));
        }
        dirs::cache_dir().map(|d| d.join("depproof").join("live"))
    }

    fn urls(&self, eco: Ecosystem) -> &RegistryUrls {
        match eco {
            Ecosystem::PyPI => &self.pypi,
            Ecosystem::Npm => &self.npm,
        }
    }
}

/// The client could not be set up or used.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// A registry URL is not an http(s) URL.
    #[error("`{0}` is not an http:// or https:// registry URL")]
    Url(String),
    /// The blocking entry point was called on an async runtime.
    #[error("Live::settle blocks: call settle_async from async code")]
    InRuntime,
}

/// Asks registries about names.
#[derive(Clone)]
pub struct Live {
    inner: Arc<Inner>,
}

struct Inner {
    config: LiveConfig,
    client: Option<reqwest::Client>,
    cache: Option<Cache>,
    permits: Arc<Semaphore>,
}

impl Live {
    /// A client. With `offline` no HTTP client is even built.
    pub fn new(config: LiveConfig) -> Result<Live, LiveError> {
        for u in [
            Some(&config.pypi.public),
            config.pypi.private.as_ref(),
            Some(&config.npm.public),
            config.npm.private.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(LiveError::Url(u.clone()));
            }
        }
        let client = if config.offline {
            None
        } else {
            Some(
                reqwest::Client::builder()
                    .user_agent(concat!("depproof/", env!("CARGO_PKG_VERSION")))
                    .timeout(config.timeout)
                    .connect_timeout(config.connect_timeout)
                    .pool_idle_timeout(Duration::from_secs(30))
                    .build()
                    .map_err(|e| LiveError::Client(e.to_string()))?,
            )
        };
        let cache = config
            .cache_dir
            .clone()
            .map(|d| Cache::new(d, config.ttl, config.missing_ttl));
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        Ok(Live {
            inner: Arc::new(Inner {
                config,
                client,
                cache,
                permits,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &LiveConfig {
        &self.inner.config
    }

    /// Asks about every name (as written; invalid names are skipped), blocking until
    /// every answer is in. For command-line use; async code calls `settle_async`.
    pub fn settle(&self, names: &[(Ecosystem, String)]) -> Result<LiveFacts, LiveError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(LiveError::InRuntime);
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LiveError::Client(e.to_string()))?;
        Ok(rt.block_on(self.settle_async(names)))
    }

    /// Asks about every name (as written; invalid names are skipped).
    pub async fn settle_async(&self, names: &[(Ecosystem, String)]) -> LiveFacts {
        self.settle_by(names, None).await
    }

    /// Asks about every name, waiting at most `limit` in all: a name with no answer by
    /// then is a failed lookup ("no answer within …"), so a service can answer in time.
    pub async fn settle_within(&self, names: &[(Ecosystem, String)], limit: Duration) -> LiveFacts {
        self.settle_by(names, Some(limit)).await
    }

    async fn settle_by(&self, names: &[(Ecosystem, String)], limit: Option<Duration>) -> LiveFacts {
        let now = date::now_unix();
        let mut facts = LiveFacts::new(
            date::civil((now / 86_400) as i64),
            self.inner.config.offline,
        );
        let keys: BTreeSet<(Ecosystem, String)> = names
            .iter()
            .filter(|(eco, n)| eco.validate(n).is_ok())
            .map(|(eco, n)| (*eco, eco.normalize(n).into_owned()))
            .collect();
        let mut set = JoinSet::new();
        for (eco, key) in keys.iter().cloned() {
            let me = self.clone();
            set.spawn(async move {
                let record = me.lookup(eco, &key).await;
                (eco, key, record)
            });
        }
        let deadline = limit.map(|l| tokio::time::Instant::now() + l);
        loop {
            let joined = match deadline {
                None => set.join_next().await,
                Some(d) => match tokio::time::timeout_at(d, set.join_next()).await {
                    Ok(j) => j,
                    Err(_) => break,
                },
            };
            match joined {
                None => break,
                Some(Ok((eco, key, Some(record)))) => facts.insert(eco, key, record),
                Some(Ok((eco, key, None))) => facts.not_asked.push((eco, key)),
                // A lookup task cannot panic by design; if one did, its name stays unasked.
                Some(Err(_)) => {}
            }
        }
        if let Some(limit) = limit
            && !set.is_empty()
        {
            // Dropping the set aborts the lookups still running; their names are unknown.
            set.abort_all();
            let fetched_at = date::rfc3339(date::now_unix());
            for (eco, key) in keys {
                if facts.get(eco, &key).is_some() || facts.not_asked.contains(&(eco, key.clone())) {
                    continue;
                }
                let failed = |registry: &str| Answer {
                    registry: registry.to_owned(),
                    outcome: Outcome::Failed {
                        reason: format!("no answer within {:.1}s", limit.as_secs_f64()),
                    },
                    fetched_at: fetched_at.clone(),
                    cached: false,
                };
                let urls = self.inner.config.urls(eco);
                let record = Record {
                    public: failed(&urls.public),
                    private: urls.private.as_deref().map(failed),
                };
                facts.insert(eco, key, record);
            }
        }
        facts.not_asked.sort();
        facts
    }

    /// The answers about one normalized name; `None` offline when nothing is cached.
    pub async fn lookup(&self, eco: Ecosystem, key: &str) -> Option<Record> {
        let urls = self.inner.config.urls(eco).clone();
        let private = match &urls.private {
            Some(u) => Some(self.ask(eco, u, key).await?),
            None => None,
        };
        let public = self.ask(eco, &urls.public, key).await?;
        Some(Record { public, private })
    }

    /// One registry's answer: from the cache when fresh, else asked (unless offline).
    async fn ask(&self, eco: Ecosystem, registry: &str, key: &str) -> Option<Answer> {
        let now = date::now_unix();
        if let Some(c) = &self.inner.cache
            && let Some(a) = c.get(eco, registry, key, now)
        {
            return Some(a);
        }
        let client = self.inner.client.as_ref()?;
        let outcome = self.fetch(client, eco, registry, key).await;
        let answer = Answer {
            registry: registry.to_owned(),
            outcome,
            fetched_at: date::rfc3339(now),
            cached: false,
        };
        if let Some(c) = &self.inner.cache {
            c.put(eco, key, &answer);
        }
        Some(answer)
    }

    async fn fetch(
        &self,
        client: &reqwest::Client,
        eco: Ecosystem,
        registry: &str,
        key: &str,
    ) -> Outcome {
        let base = if registry.ends_with('/') {
            registry.to_owned()
        } else {
            format!("{registry}/")
        };
        let (url, accept) = match eco {
            Ecosystem::PyPI => (
                format!("{base}{key}/"),
                "application/vnd.pypi.simple.v1+json, text/html;q=0.01",
            ),
            Ecosystem::Npm => (
                format!("{base}{}", parse::npm_path(key)),
                "application/json",
            ),
        };
        let body = match self.get(client, &url, accept).await {
            Ok(Some(b)) => b,
            Ok(None) => return Outcome::Missing,
            Err(reason) => return Outcome::Failed { reason },
        };
        let parsed = match eco {
            Ecosystem::PyPI if body.0.contains("html") => parse::pypi_html(key, &body.1).map(Some),
            Ecosystem::PyPI => parse::pypi_json(&body.1).map(Some),
            Ecosystem::Npm => parse::npm_document(&body.1),
        };
        match parsed {
            Ok(Some(f)) => Outcome::Found(f),
            Ok(None) => Outcome::Missing,
            Err(e) => Outcome::Failed {
                reason: format!("{url}: {e}"),
            },
        }
    }

    /// GET with retries: the content type and body, or `None` for 404/410.
    async fn get(
        &self,
        client: &reqwest::Client,
        url: &str,
        accept: &str,
    ) -> Result<Option<(String, Vec<u8>)>, String> {
        let c = &self.inner.config;
        let mut attempt = 0u32;
        loop {
            let result = {
                let _permit = self.inner.permits.acquire().await;
                once(client, url, accept, c.max_body).await
            };
            match result {
                Ok(r) => return Ok(r),
                Err(f) => {
                    let wait = match f.retry {
                        Retry::No => None,
                        Retry::Backoff => Some(c.backoff.saturating_mul(1 << attempt.min(16))),
                        Retry::After(d, given) if d > c.max_retry_after => {
                            // Name the date when a date was given: the seconds alone
                            // hide a server clock that is far off.
                            let when = if given.bytes().all(|b| b.is_ascii_digit()) {
                                String::new()
                            } else {
                                format!(" (Retry-After: {given})")
                            };
                            return Err(format!(
                                "{}; the registry asks to retry after {}s{when}, more than the {}s depproof waits",
                                f.reason,
                                d.as_secs(),
                                c.max_retry_after.as_secs()
                            ));
                        }
                        Retry::After(d, _) => Some(d),
                    };
                    match wait {
                        Some(w) if attempt < c.retries => {
                            tokio::time::sleep(w).await;
                            attempt += 1;
                        }
                        _ => {
                            let tries = if attempt == 0 {
                                String::new()
                            } else {
                                format!(" (after {} attempts)", attempt + 1)
                            };
                            return Err(format!("{}{tries}", f.reason));
                        }
                    }
                }
            }
        }
    }
}

enum Retry {
    No,
    Backoff,
    /// What `Retry-After` asks (delay-seconds or a date, as given).
    After(Duration, String),
}

struct Fail {
    reason: String,
    retry: Retry,
}

async fn once(
    client: &reqwest::Client,
    url: &str,
    accept: &str,
    max_body: u64,
) -> Result<Option<(String, Vec<u8>)>, Fail> {
    let transport = |e: reqwest::Error| {
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "cannot connect"
        } else {
            "request failed"
        };
        // reqwest's Display names the URL; its source says why.
        let cause = std::error::Error::source(&e)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        Fail {
            reason: format!("{url}: {what}{cause}"),
            retry: Retry::Backoff,
        }
    };
    let mut resp = client
        .get(url)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .await
        .map_err(transport)?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
        return Ok(None);
    }
    if !status.is_success() {
        let retry = if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
        {
            match resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
            {
                Some(v) => match crate::retry::retry_after(v, std::time::SystemTime::now()) {
                    Some(d) => Retry::After(d, v.trim().to_owned()),
                    None => Retry::Backoff,
                },
                None => Retry::Backoff,
            }
        } else {
            Retry::No
        };
        return Err(Fail {
            reason: format!("{url}: HTTP {status}"),
            retry,
        });
    }
    let too_big = || Fail {
        reason: format!("{url}: the response is larger than {max_body} bytes"),
        retry: Retry::No,
    };
    if resp.content_length().is_some_and(|n| n > max_body) {
        return Err(too_big());
    }
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if body.len() as u64 + chunk.len() as u64 > max_body {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some((content_type, body)))
}
