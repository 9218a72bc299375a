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
    "content",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Code;
    use crate::markdown::{self, RegionKind};

    fn read(text: &str) -> (Vec<Message>, Vec<Diagnostic>) {
        assistant_messages(&Arc::from("chat.json"), text)
    }

    fn texts(text: &str) -> Vec<(u32, u32, String)> {
        let (messages, diagnostics) = read(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        messages
            .into_iter()
            .map(|m| (m.index, m.line, m.text))
            .collect()
    }

    const CONVERSATION: &str = r#"{
  "model": "gpt-4o",
  "messages": [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "How do I read YAML in Python? ```python\nimport fake_user_pkg\n```"},
    {
      "role": "assistant",
      "content": "Install PyYAML:\n\n```bash\npip install pyyaml\n```\n\nThen:\n\n```python\nimport yaml\n```"
    },
    {"role": "user", "content": "And TOML?"},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "search", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "pip install tool-output"},
    {"role": "assistant", "content": [{"type": "text", "text": "Use `tomllib` (3.11+)."}, {"type": "text", "text": "Or `pip install tomli`."}]}
  ]
}"#;

    #[test]
    fn openai_conversation() {
        assert!(looks_like_transcript(CONVERSATION));
        let got = texts(CONVERSATION);
        assert_eq!(
            got,
            [
                (
                    1,
                    6,
                    "Install PyYAML:\n\n```bash\npip install pyyaml\n```\n\nThen:\n\n```python\nimport yaml\n```"
                        .to_owned()
                ),
                (
                    2,
                    13,
                    "Use `tomllib` (3.11+).\n\nOr `pip install tomli`.".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn messages_feed_the_markdown_splitter_with_message_locations() {
        let path: Arc<str> = Arc::from("chat.json");
        let (messages, _) = assistant_messages(&path, CONVERSATION);
        let m = &messages[0];
        let code = Code::embedded(Arc::clone(&path), &m.text, 0, m.line - 1, 0).in_cell(m.index);
        let (regions, _) = markdown::regions(&code);
        let shell = regions
            .iter()
            .find(|r| r.kind == RegionKind::Shell)
            .unwrap();
        assert_eq!(shell.text(&m.text), "pip install pyyaml\n");
        let at = m.text.find("pyyaml").unwrap();
        let l = code.location(at, at + 6);
        assert_eq!((l.cell, l.line, l.column), (Some(1), 9, 13));
    }

    #[test]
    fn bare_array_and_anthropic_messages() {
        let text = r#"[
  {"role": "user", "content": [{"type": "text", "text": "Plot it"}]},
  {"role": "assistant", "content": [
    {"type": "thinking", "thinking": "maybe import secret_thought_pkg", "signature": "x"},
    {"type": "text", "text": "```python\nimport matplotlib.pyplot as plt\n```"},
    {"type": "tool_use", "id": "toolu_1", "name": "run", "input": {"code": "import tool_pkg"}}
  ]}
]"#;
        assert!(looks_like_transcript(text));
        assert_eq!(
            texts(text),
            [(
                1,
                3,
                "```python\nimport matplotlib.pyplot as plt\n```".to_owned()
            )]
        );
        let response = r#"{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Run `npm install zod`."}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":6}}"#;
        assert!(looks_like_transcript(response));
        assert_eq!(
            texts(response),
            [(1, 1, "Run `npm install zod`.".to_owned())]
        );
    }

    #[test]
    fn chat_completion_response() {
        let text = r#"{
  "id": "chatcmpl-A1b2C3",
  "object": "chat.completion",
  "created": 1726000000,
  "model": "gpt-4o-2024-08-06",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "Use \u0060requests\u0060: caf\u00e9 \"ok\"\n",
        "refusal": null
      },
      "logprobs": null,
      "finish_reason": "stop"
    },
    {"index": 1, "message": {"role": "assistant", "content": "Second choice"}, "finish_reason": "stop"}
  ],
  "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
}"#;
        assert!(looks_like_transcript(text));
        assert_eq!(
            texts(text),
            [
                (1, 9, "Use `requests`: café \"ok\"\n".to_owned()),
                (2, 17, "Second choice".to_owned())
            ]
        );
        let legacy = r#"{"object": "text_completion", "choices": [{"text": "pip install x", "index": 0, "finish_reason": "length"}]}"#;
        assert_eq!(texts(legacy), [(1, 1, "pip install x".to_owned())]);
    }

    #[test]
    fn jsonl_batch_output_with_a_bad_line() {
        let text = concat!(
            r#"{"id": "batch_req_1", "custom_id": "request-1", "response": {"status_code": 200, "request_id": "req_1", "body": {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini", "choices": [{"index": 0, "message": {"role": "assistant", "content": "```python\nimport pandas\n```"}, "finish_reason": "stop"}]}}, "error": null}"#,
            "\n",
            r#"{"id": "batch_req_2", "custom_id": "request-2", "response": {"status_code": 200, "body": {"choices": [{"index": 0, "message": {"role": "assistant", "con"#,
            "\n\n",
            r#"{"id": "batch_req_3", "custom_id": "request-3", "response": null, "error": {"code": "rate_limit", "message": "Too many requests"}}"#,
            "\r\n",
            r#"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "npm i left-pad"}]}"#,
            "\n"
        );
        assert!(looks_like_transcript(text));
        let (messages, diagnostics) = read(text);
        let got: Vec<(u32, u32, &str)> = messages
            .iter()
            .map(|m| (m.index, m.line, m.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, 1, "```python\nimport pandas\n```"),
                (2, 5, "npm i left-pad")
            ]
        );
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].line, Some(2));
        assert_eq!(diagnostics[0].severity, Severity::Warning);
        assert!(
            diagnostics[0]
                .message
                .starts_with("line 2 is not valid JSON")
        );
    }

    #[test]
    fn other_vendors_and_exports() {
        // Gemini request and response.
        let gemini = r#"{"contents": [{"role": "user", "parts": [{"text": "hi"}]}, {"role": "model", "parts": [{"text": "pip install google-genai"}]}],
 "candidates": [{"content": {"role": "model", "parts": [{"text": "import google.genai"}]}, "finishReason": "STOP"}]}"#;
        let got: Vec<String> = texts(gemini).into_iter().map(|m| m.2).collect();
        assert_eq!(got, ["pip install google-genai", "import google.genai"]);
        // ShareGPT.
        let sharegpt = r#"[{"id": "a1", "conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "`pip install flask`"}]}]"#;
        assert!(looks_like_transcript(sharegpt));
        assert_eq!(texts(sharegpt)[0].2, "`pip install flask`");
        // OpenAI Responses API.
        let responses = r#"{"id": "resp_1", "object": "response", "output": [{"type": "reasoning", "summary": []}, {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant", "content": [{"type": "output_text", "text": "npm i express", "annotations": []}]}]}"#;
        assert_eq!(texts(responses)[0].2, "npm i express");
        // Assistants API text value.
        let assistants = r#"{"object": "list", "data": [{"object": "thread.message", "role": "assistant", "content": [{"type": "text", "text": {"value": "import numpy", "annotations": []}}]}]}"#;
        assert_eq!(texts(assistants)[0].2, "import numpy");
        // ChatGPT export.
        let export = r#"[{"title": "Plotting", "mapping": {
  "aaa": {"id": "aaa", "message": null, "parent": null, "children": ["bbb"]},
  "bbb": {"id": "bbb", "message": {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["plot?"]}}, "children": ["ccc"]},
  "ccc": {"id": "ccc", "message": {"author": {"role": "assistant", "name": null}, "content": {"content_type": "text", "parts": ["pip install seaborn"]}}, "children": []}
}}]"#;
        assert!(looks_like_transcript(export));
        assert_eq!(texts(export), [(1, 4, "pip install seaborn".to_owned())]);
        // Claude export.
        let claude = r#"[{"uuid": "c1", "name": "x", "chat_messages": [{"sender": "human", "text": "q"}, {"sender": "assistant", "text": "old", "content": [{"type": "text", "text": "pip install anthropic"}]}]}]"#;
        assert!(looks_like_transcript(claude));
        assert_eq!(texts(claude)[0].2, "pip install anthropic");
    }

    #[test]
    fn broken_and_foreign_json() {
        let (messages, diagnostics) = read(
            "{\n  \"messages\": [\n    {\"role\": \"assistant\", \"content\": \"x\"\n  ]\n}\n",
        );
        assert!(messages.is_empty());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Error);
        assert_eq!(diagnostics[0].line, Some(4));
        assert!(read("").1.len() == 1);
        assert!(
            read("not json at all").1[0]
                .message
                .contains("not valid JSON")
        );
        // Valid JSON without messages: nothing, silently.
        let package = r#"{"name": "x", "dependencies": {"react": "^18"}}"#;
        assert_eq!(read(package), (vec![], vec![]));
        assert!(!looks_like_transcript(package));
        assert!(!looks_like_transcript(
            "{\"compilerOptions\": {\"target\": \"es2022\"}}"
        ));
        assert!(!looks_like_transcript(
            "{\"cells\": [{\"source\": \"{\\\"role\\\": \\\"assistant\\\"}\"}], \"nbformat\": 4}"
        ));
        assert!(!looks_like_transcript("role: assistant"));
        assert!(!looks_like_transcript("# \"role\" \"assistant\""));
        // A quiz with choices but no completion.
        assert!(!looks_like_transcript("{\"choices\": [\"a\", \"b\"]}"));
        // Deep nesting neither crashes nor hangs: raw values are skipped without
        // recursion, the walk stops at MAX_DEPTH, content past serde_json's recursion
        // limit is not read.
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(read(&deep), (vec![], vec![]));
        let deep_content = format!(
            "{{\"role\": \"assistant\", \"content\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(read(&deep_content), (vec![], vec![]));
        let nested = "{\"messages\": ".repeat(60)
            + "{\"role\": \"assistant\", \"content\": \"deep\"}"
            + &"}".repeat(60);
        let (messages, diagnostics) = read(&nested);
        assert!(diagnostics.is_empty());
        assert!(messages.is_empty(), "walk is bounded in depth");
        // BOM and a non-ASCII key.
        let bom = "\u{feff}{\"m\u{e9}ta\": 1, \"messages\": [{\"role\": \"Assistant\", \"content\": \"ok\"}]}";
        assert_eq!(texts(bom), [(1, 1, "ok".to_owned())]);
    }
}
