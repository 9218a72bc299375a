//! An OpenAI-compatible chat-completions server on 127.0.0.1 for the study tests. It
//! answers from recorded answers (tests/fixtures/study/answers.json), matched by the
//! prompt (or, for "which packages does this code need", by the code), and injects the
//! faults a fixture lists on its first attempts: 429 with Retry-After, 500, a malformed
//! body, a slow answer, a null content. Every request is logged.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The request body.
    pub body: Value,
    /// The Authorization header.
    pub auth: Option<String>,
    /// The status answered.
    pub status: u16,
    /// The content answered (for 200s).
    pub content: Option<String>,
    /// The fault injected (`429`, `500`, `malformed`, `slow`), if any.
    pub fault: Option<String>,
}

impl Logged {
    /// The concatenated message contents.
    pub fn text(&self) -> String {
        self.body["messages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|x| x["content"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }
}

struct Inner {
    fixtures: Vec<Value>,
    /// Answer delay for every request.
    delay: Duration,
    /// Attempts per request body.
    attempts: HashMap<String, usize>,
    /// Successful answers per request body.
    served: HashMap<String, usize>,
    log: Vec<Logged>,
}

/// The server; stopped when dropped.
pub struct Fake {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Fake {
    /// Starts a server answering from `fixtures`, each answer after `delay`.
    pub fn start(fixtures: Vec<Value>, delay: Duration) -> Fake {
        let inner = Arc::new(Mutex::new(Inner {
            fixtures,
            delay,
            attempts: HashMap::new(),
            served: HashMap::new(),
            log: Vec::new(),
        }));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let state = Arc::clone(&inner);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let app = axum::Router::new()
                    .route("/v1/chat/completions", axum::routing::post(handle))
                    .with_state(state);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("fake server started");
        Fake {
            addr,
            inner,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    /// The base URL to put in a study file.
    pub fn base(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.inner.lock().unwrap().log.clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The recorded answers of the study tests.
pub fn fixtures() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/study/answers.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn pick(v: &Value, n: usize) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) if !a.is_empty() => a[n.min(a.len() - 1)].as_str().map(str::to_owned),
        _ => None,
    }
}

async fn handle(
    State(state): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    let messages: Vec<(String, String)> = req["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|x| {
                    (
                        x["role"].as_str().unwrap_or("").to_owned(),
                        x["content"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let system = messages
        .iter()
        .find(|m| m.0 == "system")
        .map(|m| m.1.clone())
        .unwrap_or_default();
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m.0 == "user")
        .map(|m| m.1.clone())
        .unwrap_or_default();
    let all: String = messages
        .iter()
        .map(|m| m.1.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let key = body.clone();

    let (fault, content, delay, index) = {
        let mut s = state.lock().unwrap();
        let attempt = {
            let a = s.attempts.entry(key.clone()).or_default();
            *a += 1;
            *a
        };
        let served = *s.served.get(&key).unwrap_or(&0);
        let list_question = system.contains("packages");
        let (kind, field) = if last_user.contains("These packages do not exist") {
            (
                "verifier",
                if list_question {
                    "verified_packages"
                } else {
                    "verified"
                },
            )
        } else if last_user.contains("packages you may use") {
            (
                "grounding",
                if list_question {
                    "grounded_packages"
                } else {
                    "grounded"
                },
            )
        } else if system.contains("valid, existing package") {
            ("self_check", "")
        } else if system.contains("packages necessary to execute code") {
            ("code_packages", "code_packages")
        } else if system.contains("recommends") {
            ("prompt_packages", "prompt_packages")
        } else {
            ("code", "code")
        };
        let fixture = s
            .fixtures
            .iter()
            .find(|f| {
                let prompt = f["prompt"].as_str().unwrap_or("\u{0}");
                if kind == "code_packages" {
                    let code = pick(&f["code"], 0).unwrap_or_default();
                    !code.trim().is_empty() && last_user.contains(code.trim())
                        || f["code"].as_array().is_some_and(|a| {
                            a.iter()
                                .any(|c| c.as_str().is_some_and(|c| last_user.contains(c.trim())))
                        })
                } else {
                    all.contains(prompt)
                }
            })
            .cloned();
        let mut fault = None;
        if kind == "code"
            && let Some(f) = &fixture
            && let Some(faults) = f["faults"].as_array()
            && let Some(x) = faults.get(attempt - 1).and_then(Value::as_str)
        {
            fault = Some(x.to_owned());
        }
        let content = match kind {
            "self_check" => {
                let name = last_user.trim_start_matches("Is ").split(' ').next().unwrap_or("").to_owned();
                let rejects = fixture
                    .as_ref()
                    .and_then(|f| f["rejects"].as_array().cloned())
                    .or_else(|| {
                        s.fixtures.iter().flat_map(|f| f["rejects"].as_array().cloned()).reduce(|mut a, b| {
                            a.extend(b);
                            a
                        })
                    })
                    .unwrap_or_default();
                Some(if rejects.iter().any(|r| r.as_str() == Some(name.as_str())) { "No".to_owned() } else { "Yes".to_owned() })
            }
            _ => fixture.as_ref().and_then(|f| pick(&f[field], served)).or_else(|| {
                // Prompts with no fixture get a plain, real answer.
                Some(match kind {
                    _ if list_question => "requests".to_owned(),
                    _ => "```python\nimport requests\n\nprint(requests.get('https://example.org').status_code)\n```".to_owned(),
                })
            }),
        };
        let index = s.log.len();
        s.log.push(Logged {
            body: req.clone(),
            auth: auth.clone(),
            status: 0,
            content: None,
            fault: fault.clone().filter(|f| f != "null"),
        });
        (fault, content, s.delay, index)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    // Requests are logged as they arrive; the outcome is filled in when answered.
    let record = |status: u16, content: Option<String>| {
        let mut s = state.lock().unwrap();
        s.log[index].status = status;
        s.log[index].content = content;
    };
    match fault.as_deref() {
        Some("429") => {
            record(429, None);
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                "{\"error\":{\"message\":\"rate limited\"}}",
            )
                .into_response();
        }
        Some("500") => {
            record(500, None);
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "{\"error\":{\"message\":\"internal error\"}}",
            )
                .into_response();
        }
        Some("malformed") => {
            record(200, None);
            return (
                StatusCode::OK,
                [("content-type", "application/json")],
                "{\"id\":\"cmpl-1\",\"choices\":[{\"message\":",
            )
                .into_response();
        }
        Some("slow") => {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        _ => {}
    }
    let null = fault.as_deref() == Some("null");
    state
        .lock()
        .unwrap()
        .served
        .entry(key)
        .and_modify(|n| *n += 1)
        .or_insert(1);
    record(200, if null { None } else { content.clone() });
    let content = if null { Value::Null } else { json!(content) };
    axum::Json(json!({
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": req["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": if null { "length" } else { "stop" }}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 34, "total_tokens": 46}
    }))
    .into_response()
}
