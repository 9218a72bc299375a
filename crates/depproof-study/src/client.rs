//! An OpenAI-compatible chat-completions client: one request, classified failures, and
//! retries with backoff that honour `Retry-After`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// What a successful request gave.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The message content (`None` when the server sent none).
    pub content: Option<String>,
    /// `stop`, `length`…
    pub finish_reason: Option<String>,
    /// Token counts.
    pub prompt_tokens: Option<i64>,
    /// Token counts.
    pub completion_tokens: Option<i64>,
    /// Milliseconds.
    pub latency_ms: i64,
}

/// Why a request failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What happened, without the API key.
    pub message: String,
    /// Worth trying again (429, 5xx, timeouts, connection errors, malformed answers).
    pub retryable: bool,
    /// The server's `Retry-After`, if any.
    pub retry_after: Option<Duration>,
}

/// The request body; `top_k` is left out when 0.
pub fn body(
    model: &str,
    messages: &Value,
    temperature: f64,
    top_p: f64,
    top_k: u32,
    max_tokens: u32,
) -> Value {
    let mut b = json!({
        "model": model,
        "messages": messages,
        "temperature": temperature,
        "top_p": top_p,
        "max_tokens": max_tokens,
        "stream": false,
    });
    if top_k > 0 {
        b["top_k"] = json!(top_k);
    }
    b
}

/// The chat-completions URL of a base URL (`…/v1` → `…/v1/chat/completions`).
pub fn completions_url(base: &str) -> String {
    let b = base.trim_end_matches('/');
    if b.ends_with("/chat/completions") {
        b.to_owned()
    } else {
        format!("{b}/chat/completions")
    }
}

/// Sends one request.
pub async fn send(
    http: &reqwest::Client,
    endpoint: &str,
    api_key: Option<&str>,
    body: &Value,
) -> Result<Reply, Failure> {
    let started = Instant::now();
    let mut req = http.post(completions_url(endpoint)).json(body);
    if let Some(k) = api_key {
        req = req.bearer_auth(k);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => {
            return Err(Failure {
                message: format!("{endpoint}: {}", describe(&e)),
                retryable: true,
                retry_after: None,
            });
        }
    };
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(300.0)));
    let text = match resp.text().await {
        Ok(t) => t,
        Err(e) => {
            return Err(Failure {
                message: format!("{endpoint}: reading the answer: {}", describe(&e)),
                retryable: true,
                retry_after: None,
            });
        }
    };
    if !status.is_success() {
        let code = status.as_u16();
        let snippet: String = text.chars().take(200).collect();
        return Err(Failure {
            message: format!("{endpoint}: HTTP {code}: {snippet}"),
            retryable: code == 429 || code == 408 || code >= 500,
            retry_after,
        });
    }
    let latency_ms = started.elapsed().as_millis() as i64;
    parse_reply(&text, latency_ms).map_err(|reason| Failure {
        message: format!("{endpoint}: malformed answer: {reason}"),
        retryable: true,
        retry_after: None,
    })
}

/// Reads a chat-completions response body.
pub fn parse_reply(text: &str, latency_ms: i64) -> Result<Reply, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    if let Some(err) = v.get("error") {
        return Err(format!("error object: {err}"));
    }
    let choice = v
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .ok_or("no `choices`")?;
    let message = choice.get("message").ok_or("no `choices[0].message`")?;
    let content = match message.get("content") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        // Some servers send content parts.
        Some(Value::Array(parts)) => Some(
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(""),
        ),
        Some(other) => return Err(format!("`content` is {other}")),
    };
    let usage = v.get("usage");
    Ok(Reply {
        content,
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        prompt_tokens: usage
            .and_then(|u| u.get("prompt_tokens"))
            .and_then(Value::as_i64),
        completion_tokens: usage
            .and_then(|u| u.get("completion_tokens"))
            .and_then(Value::as_i64),
        latency_ms,
    })
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        // reqwest's message names the URL, never the headers.
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            s.push_str(": ");
            s.push_str(&inner.to_string());
            src = inner.source();
        }
        s
    }
}

/// The wait before retry number `attempt` (1-based): the server's `Retry-After` when it
/// gave one, else 0.5 s doubling up to 30 s.
pub fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    retry_after.unwrap_or_else(|| {
        let ms = 500u64.saturating_mul(1u64 << attempt.saturating_sub(1).min(6));
        Duration::from_millis(ms.min(30_000))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        let ok = r#"{"choices":[{"message":{"role":"assistant","content":"requests, numpy"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":4}}"#;
        let r = parse_reply(ok, 5).unwrap();
        assert_eq!(r.content.as_deref(), Some("requests, numpy"));
        assert_eq!(r.completion_tokens, Some(4));
        let null = r#"{"choices":[{"message":{"role":"assistant","content":null},"finish_reason":"length"}]}"#;
        assert_eq!(parse_reply(null, 0).unwrap().content, None);
        assert!(parse_reply("{\"choices\": [", 0).is_err());
        assert!(parse_reply("{\"choices\": []}", 0).is_err());
        assert!(parse_reply("{\"error\": {\"message\": \"overloaded\"}}", 0).is_err());
        assert!(parse_reply("<html>502 Bad Gateway</html>", 0).is_err());
    }

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        assert_eq!(backoff(1, None), Duration::from_millis(500));
        assert_eq!(backoff(3, None), Duration::from_millis(2000));
        assert_eq!(backoff(20, None), Duration::from_secs(30));
        assert_eq!(
            backoff(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }
}
