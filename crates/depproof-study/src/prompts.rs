//! Prompt files, and the paper's prompts for code and for package lists.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::config::Language;

/// One prompt of a prompt set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// Its id within the set: the line number, and `.N` for the N-th of several numbered
    /// prompts held by one line.
    pub pid: String,
    /// The text.
    pub text: String,
}

/// Reads a prompt file: one JSON string a line (or an object with a `prompt` field).
/// A line that holds several numbered prompts gives each; a leading "Sure, here are…"
/// sentence is dropped. Blank lines are skipped; a line that is not JSON is an error
/// naming the file and the line.
pub fn load(path: &Path, limit: Option<usize>) -> Result<Vec<Prompt>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the prompt file {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON line", path.display(), i + 1))?;
        let s = match &value {
            serde_json::Value::String(s) => s.as_str(),
            serde_json::Value::Object(o) => match o.get("prompt").and_then(|p| p.as_str()) {
                Some(s) => s,
                None => bail!(
                    "{}:{}: an object without a `prompt` string",
                    path.display(),
                    i + 1
                ),
            },
            _ => bail!(
                "{}:{}: neither a string nor an object",
                path.display(),
                i + 1
            ),
        };
        let parts = split_prompts(s);
        let several = parts.len() > 1;
        for (k, p) in parts.into_iter().enumerate() {
            let pid = if several {
                format!("{}.{}", i + 1, k + 1)
            } else {
                (i + 1).to_string()
            };
            out.push(Prompt { pid, text: p });
            if limit.is_some_and(|l| out.len() >= l) {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// Splits one line of a prompt file into its prompts.
pub fn split_prompts(s: &str) -> Vec<String> {
    let mut body = s.trim();
    // "Sure, here are some prompts …:\n\n1. …": the preamble is the model that wrote the
    // prompts talking, not a prompt.
    if body.starts_with("Sure") {
        match body.find('\n') {
            Some(at) => body = body[at..].trim_start(),
            None => return Vec::new(),
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        if let Some(rest) = numbered(line) {
            if !current.trim().is_empty() {
                parts.push(clean(&current));
            }
            current = rest.to_owned();
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
        }
    }
    if !current.trim().is_empty() {
        parts.push(clean(&current));
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// The text after a list number (`2. `, `10) `), if the line starts with one.
fn numbered(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &t[digits..];
    let rest = rest
        .strip_prefix(". ")
        .or_else(|| rest.strip_prefix(") "))?;
    Some(rest)
}

fn clean(s: &str) -> String {
    let t = s.trim();
    let t = t.trim_matches(|c| c == '"' || c == '`').trim();
    t.to_owned()
}

/// The code-generation request of the paper: its instruction is glued to the prompt in
/// the user turn, with no system message, as in the authors' `generate_code.py`.
pub fn code_messages(language: Language, prompt: &str) -> Vec<(String, String)> {
    let l = language.prompt_name();
    let system = format!(
        "You are a coding assistant that generates {l} code. Provide only the {l} code and add additional explanatory text only when absolutely necessary. If no code is required to answer the question, simply reply 'None'"
    );
    vec![("user".to_owned(), format!("{system}{prompt}"))]
}

/// Heuristic 2 of the paper: which packages the model's own code needs.
pub fn code_packages_messages(language: Language, code: &str) -> Vec<(String, String)> {
    let l = language.prompt_name();
    vec![
        (
            "system".to_owned(),
            format!(
                "You are a coding assistant that determines {l} packages necessary to execute code. Respond with only a list of {l} packages, separated by commas and no additional text or formatting. Your response must begin with the name of a {l} package."
            ),
        ),
        (
            "user".to_owned(),
            format!(
                "Which {l} packages are required to run this code: {}",
                code.trim()
            ),
        ),
    ]
}

/// Heuristic 3 of the paper: which packages would help solve the prompt.
pub fn prompt_packages_messages(language: Language, prompt: &str) -> Vec<(String, String)> {
    let l = language.prompt_name();
    vec![
        (
            "system".to_owned(),
            format!(
                "You are a coding assistant that recommends {l} packages that would be helpful to solve given problems. Respond with only a list of {l} packages, separated by commas and no additional text or formatting. Your response must begin with the name of a {l} package."
            ),
        ),
        (
            "user".to_owned(),
            format!(
                "What {l} packages would be useful in solving the following coding problem: {}",
                prompt.trim()
            ),
        ),
    ]
}

/// Self-detection: whether a package the model named is real. The paper describes this
/// question without publishing its exact wording; this one asks the same thing and
/// takes a yes/no answer.
pub fn self_check_messages(language: Language, name: &str) -> Vec<(String, String)> {
    let l = language.prompt_name();
    vec![
        (
            "system".to_owned(),
            format!(
                "You are a coding assistant that determines whether a given {l} package name is a valid, existing package. Respond with only Yes or No."
            ),
        ),
        ("user".to_owned(), format!("Is {name} a valid {l} package?")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_numbered_prompts_in_one_line() {
        let s = "Generate Python code that serves GET.\"\n2. \"Write a Python program that backs up a directory.\"\n3. \"Use pandas to read a CSV.";
        assert_eq!(
            split_prompts(s),
            vec![
                "Generate Python code that serves GET.",
                "Write a Python program that backs up a directory.",
                "Use pandas to read a CSV."
            ]
        );
    }

    #[test]
    fn sure_preamble_dropped() {
        let s = "Sure, here are some prompts that could generate Python code:\n\n1. Generate Python code that sums pairs.\n2. Generate Python code that\nspans two lines.";
        assert_eq!(
            split_prompts(s),
            vec![
                "Generate Python code that sums pairs.",
                "Generate Python code that\nspans two lines."
            ]
        );
        assert_eq!(split_prompts("Generate code."), vec!["Generate code."]);
        assert!(split_prompts("Sure!").is_empty());
    }

    #[test]
    fn paper_prompt_files_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/paper/prompts");
        for (f, lines) in [
            ("python/LLM_AT.jsonl", 4921),
            ("javascript/LLM_LY.jsonl", 4993),
        ] {
            let p = load(&root.join(f), None).unwrap();
            // Every line gives at least one prompt, several-prompt lines give more.
            assert!(p.len() > lines, "{f}: {}", p.len());
            assert!(
                p.iter()
                    .all(|p| !p.text.is_empty() && !p.text.starts_with("Sure"))
            );
            let mut ids: Vec<&str> = p.iter().map(|p| p.pid.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), p.len(), "{f}: prompt ids are unique");
        }
    }
}
