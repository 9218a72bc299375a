//! Assistant messages of chat transcripts saved as JSON or JSONL.
//!
//! Shapes read (alone, nested in each other, or one per JSONL line):
//! - a message `{"role": "assistant", "content": …}` (OpenAI, Anthropic, Responses API
//!   output items), content a string or a list of parts (`{"type": "text", "text": …}`,
//!   `output_text`, `{"text": {"value": …}}`);
//! - a conversation `{"messages": [...]}` or a bare array of messages;
//! - a chat-completions response `{"choices": [{"message": …}]}` (and legacy completions
//!   `{"choices": [{"text": …}]}`), an OpenAI batch output line
//!   `{"response": {"body": {"choices": …}}}`, an Anthropic batch result
//!   `{"result": {"message": …}}`, a Responses API `{"output": [...]}`;
//! - Gemini `{"contents"|"candidates": [{"role": "model", "parts": [{"text": …}]}]}`;
//! - ShareGPT `{"conversations": [{"from": "gpt", "value": …}]}`;
//! - a ChatGPT export `{"mapping": {id: {"message": {"author": {"role": "assistant"},
//!   "content": {"parts": [...]}}}}}` and a Claude export
//!   `{"chat_messages": [{"sender": "assistant", "text": …}]}`.
//!
//! Streaming chunks (`choices[].delta`) are not joined and are ignored.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::location::LineIndex;
use crate::reference::{Diagnostic, Severity};

/// One assistant message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// 1-based number of this assistant message among the assistant messages of the file,
    /// in file order.
    pub index: u32,
    /// 1-based line of the file on which the message object starts (for JSONL, its line).
    pub line: u32,
    /// The message's text; text parts of a list are joined with a blank line.
    pub text: String,
}

/// How deep the walk descends through the known container keys.
const MAX_DEPTH: u32 = 24;

/// Roles (or `from`/`sender` values) of a model's turn.
const ASSISTANT_ROLES: &[&str] = &[
    "assistant",
    "model",
    "gpt",
    "bot",
    "ai",
    "chatbot",
    "chatgpt",
    "bard",
    "claude",
];

/// Keys under which messages are found.
const CONTAINER_KEYS: &[&str] = &[
    "messages",
    "conversations",
    "conversation",
    "contents",
    "choices",
    "output",
    "candidates",
    "response",
    "body",
    "result",
    "message",
    "data",
    "chat_messages",
    "items",
    "turns",
];

/// The assistant messages of a JSON or JSONL transcript, in file order.
///
/// A file that is not JSON at all gives an error diagnostic; in JSONL a line that is not
/// JSON gives a warning naming the line and the rest is read. A file of valid JSON with no
/// assistant message gives no message and no diagnostic.
pub fn assistant_messages(path_display: &Arc<str>, text: &str) -> (Vec<Message>, Vec<Diagnostic>) {
    let mut walker = Walker {
        text,
        lines: LineIndex::new(text),
        messages: Vec::new(),
    };
    let mut diagnostics = Vec::new();
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<&RawValue>(body) {
        Ok(raw) => walker.walk(raw, 0, false),
        Err(_) if is_jsonl(body) => {
            let mut number = 0u32;
            for line in body.split('\n') {
                number = number.saturating_add(1);
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    continue;
                }
                match serde_json::from_str::<&RawValue>(trimmed) {
                    Ok(raw) => walker.walk(raw, 0, false),
                    Err(e) => diagnostics.push(Diagnostic {
                        path: Arc::clone(path_display),
                        line: Some(number),
                        severity: Severity::Warning,
                        message: format!("line {number} is not valid JSON ({e}); skipped the line"),
                    }),
                }
            }
        }
        Err(e) => diagnostics.push(Diagnostic {
            path: Arc::clone(path_display),
            line: Some(u32::try_from(e.line()).unwrap_or(u32::MAX).max(1)),
            severity: Severity::Error,
            message: format!("not valid JSON ({e}); no message was read"),
        }),
    }
    (walker.messages, diagnostics)
}

/// A cheap check that `text` is a chat transcript rather than some other JSON: it starts
/// like JSON and names an assistant role or a completion near its start.
pub fn looks_like_transcript(text: &str) -> bool {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if !body.starts_with(['{', '[']) {
        return false;
    }
    let mut end = body.len().min(1 << 20);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let head = body.get(..end).unwrap_or("");
    if head.contains("\"nbformat\"") {
        return false;
    }
    let has = |s: &str| head.contains(s);
    let assistant_role = ["\"assistant\"", "\"model\""].iter().any(|r| has(r));
    (has("\"role\"") && assistant_role)
        || (has("\"choices\"") && (has("\"message\"") || has("\"finish_reason\"")))
        || (has("\"from\"") && has("\"gpt\""))
        || (has("\"sender\"") && has("\"assistant\""))
        || (has("\"author\"") && has("\"assistant\""))
        || has("\"chat_messages\"")
}

/// Whether `body` (not one JSON value) reads as JSON Lines rather than broken JSON: more
/// than one non-empty line, one of the first few a JSON object or array on its own.
fn is_jsonl(body: &str) -> bool {
    let mut lines = body.split('\n').map(str::trim).filter(|l| !l.is_empty());
    let first: Vec<&str> = lines.by_ref().take(5).collect();
    let more = first.len() > 1 || lines.next().is_some();
    more && first
        .iter()
        .any(|l| l.starts_with(['{', '[']) && serde_json::from_str::<&RawValue>(l).is_ok())
}

struct Walker<'a> {
    text: &'a str,
    lines: LineIndex,
    messages: Vec<Message>,
}

impl<'a> Walker<'a> {
    /// Looks for messages in `raw`. `in_choices`: `raw` is an element of `choices`.
    fn walk(&mut self, raw: &'a RawValue, depth: u32, in_choices: bool) {
        if depth > MAX_DEPTH {
            return;
        }
        let s = raw.get();
        if s.starts_with('[') {
            if let Ok(items) = serde_json::from_str::<Vec<&'a RawValue>>(s) {
                for item in items {
                    self.walk(item, depth + 1, in_choices);
                }
            }
            return;
        }
        if !s.starts_with('{') {
            return;
        }
        let Ok(Entries(entries)) = serde_json::from_str::<Entries<'a>>(s) else {
            return;
        };
        let get = |key: &str| {
            entries
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| *v)
        };
        let role = get("role")
            .or_else(|| get("from"))
            .or_else(|| get("sender"))
            .and_then(as_string)
            .or_else(|| {
                get("author")
                    .and_then(|a| serde_json::from_str::<Value>(a.get()).ok())
                    .and_then(|a| a.get("role")?.as_str().map(str::to_owned))
            });
        if let Some(role) = role {
            if ASSISTANT_ROLES.contains(&role.to_ascii_lowercase().as_str()) {
                let content = ["content", "parts", "value", "text"]
                    .iter()
                    .find_map(|k| get(k));
                if let Some(content) = content {
                    self.push(raw, content);
                }
            }
            // Other roles (user, system, tool) hold no model output.
            return;
        }
        if in_choices
            && get("message").is_none()
            && let Some(t) = get("text")
        {
            self.push(raw, t);
            return;
        }
        for (key, value) in &entries {
            if key == "mapping" {
                self.walk_values(value, depth + 1);
            } else if CONTAINER_KEYS.contains(&key.as_ref()) {
                self.walk(value, depth + 1, key == "choices");
            }
        }
    }

    /// Walks every value of an object (a ChatGPT export's `mapping` of nodes).
    fn walk_values(&mut self, raw: &'a RawValue, depth: u32) {
        if let Ok(Entries(entries)) = serde_json::from_str::<Entries<'a>>(raw.get()) {
            for (_, value) in entries {
                self.walk(value, depth + 1, false);
            }
        }
    }

    fn push(&mut self, message: &'a RawValue, content: &RawValue) {
        let Ok(value) = serde_json::from_str::<Value>(content.get()) else {
            return;
        };
        let mut parts = Vec::new();
        collect_text(&value, &mut parts, 0);
        let text = parts.join("\n\n");
        if text.trim().is_empty() {
            return;
        }
        let offset = (message.get().as_ptr() as usize)
            .checked_sub(self.text.as_ptr() as usize)
            .filter(|&o| o <= self.text.len())
            .unwrap_or(0);
        let (line, _) = self.lines.line_col(self.text, offset);
        let index = u32::try_from(self.messages.len() + 1).unwrap_or(u32::MAX);
        self.messages.push(Message {
            index,
            line: line.saturating_add(1),
            text,
        });
    }
}

fn as_string(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(raw.get()).ok()
}

/// Part types that are not text written for the reader.
const SKIPPED_PARTS: &[&str] = &[
    "tool_use",
    "tool_result",
    "tool_call",
    "function_call",
    "image",
    "image_url",
    "input_image",
    "thinking",
    "redacted_thinking",
    "reasoning",
    "audio",
    "input_audio",
    "file",
];

fn collect_text(value: &Value, out: &mut Vec<String>, depth: u32) {
    if depth > 8 {
        return;
    }
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => {
            for item in items {
                collect_text(item, out, depth + 1);
            }
        }
        Value::Object(part) => {
            let kind = part.get("type").and_then(Value::as_str).unwrap_or("");
            if SKIPPED_PARTS.contains(&kind) {
                return;
            }
            match part.get("text") {
                Some(Value::String(s)) => out.push(s.clone()),
                Some(Value::Object(t)) => {
                    if let Some(Value::String(s)) = t.get("value") {
                        out.push(s.clone());
                    }
                }
                _ => {
                    if let Some(inner) = part.get("parts").or_else(|| part.get("content")) {
                        collect_text(inner, out, depth + 1);
                    } else if let Some(Value::String(s)) = part.get("value") {
                        out.push(s.clone());
                    }
                }
            }
        }
        _ => {}
    }
}

/// The entries of a JSON object in source order, values left raw.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    out.push((key.0, value));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// An object key, borrowed unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}
