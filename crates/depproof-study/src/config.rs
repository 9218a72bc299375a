//! The study file: models and where they are served, prompt sets, decoding settings,
//! repetitions, heuristics and mitigations.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use depproof_registry::Ecosystem;
use serde::Deserialize;

/// One of the ways package names are taken from a model.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Heuristic {
    /// 1: install commands in the generated answer.
    Install,
    /// 2: the model lists the packages its own code needs.
    CodePackages,
    /// 3: the model lists packages that would help solve the prompt.
    PromptPackages,
    /// 4: imports in the generated code, resolved to packages.
    Imports,
}

impl Heuristic {
    /// All four, in the paper's order, the fourth last.
    pub const ALL: [Heuristic; 4] = [
        Heuristic::Install,
        Heuristic::CodePackages,
        Heuristic::PromptPackages,
        Heuristic::Imports,
    ];

    /// Stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Heuristic::Install => "install",
            Heuristic::CodePackages => "code_packages",
            Heuristic::PromptPackages => "prompt_packages",
            Heuristic::Imports => "imports",
        }
    }

    /// Parses [`Heuristic::id`].
    pub fn parse(s: &str) -> Option<Heuristic> {
        Heuristic::ALL.into_iter().find(|h| h.id() == s)
    }
}

/// A programming language of the study, and the registry its packages come from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Python, PyPI.
    Python,
    /// JavaScript, npm.
    #[serde(alias = "js")]
    JavaScript,
}

impl Language {
    /// Stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
        }
    }

    /// Parses an identifier (`python`, `javascript`, `js`), any case.
    pub fn parse(s: &str) -> Option<Language> {
        match s.to_ascii_lowercase().as_str() {
            "python" | "py" => Some(Language::Python),
            "javascript" | "js" | "node" | "typescript" | "ts" => Some(Language::JavaScript),
            _ => None,
        }
    }

    /// The registry of its packages.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Language::Python => Ecosystem::PyPI,
            Language::JavaScript => Ecosystem::Npm,
        }
    }

    /// The spelling the paper's prompts use (its scripts pass the raw command-line value,
    /// so JavaScript prompts say "Javascript").
    pub fn prompt_name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::JavaScript => "Javascript",
        }
    }
}

/// A model and the endpoints serving it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The label in the database and the report.
    pub name: String,
    /// The model id sent to the endpoint (default: `name`).
    pub model: Option<String>,
    /// Base URLs of OpenAI-compatible servers (`http://host:8000/v1`); prompts are spread
    /// across them.
    pub endpoints: Vec<String>,
    /// The environment variable holding the API key, if the endpoints need one.
    pub api_key_env: Option<String>,
    /// Requests started per minute, per endpoint (default: no limit).
    pub requests_per_minute: Option<u32>,
}

impl ModelConfig {
    /// The model id sent to the endpoints.
    pub fn api_model(&self) -> &str {
        self.model.as_deref().unwrap_or(&self.name)
    }
}

/// A prompt file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptSetConfig {
    /// The label (`LLM_AT`).
    pub name: String,
    /// The language the prompts ask for.
    pub language: Language,
    /// A JSONL file of prompts (a JSON string a line, or objects with `prompt`), relative
    /// to the study file.
    pub file: PathBuf,
    /// Only the first N prompts.
    pub limit: Option<usize>,
}

/// Decoding settings; the defaults are the paper's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Decoding {
    /// Temperature for code generation.
    pub code_temperature: f64,
    /// Temperatures to sweep for code generation (replaces `code_temperature`).
    pub temperatures: Vec<f64>,
    /// Temperature for the package questions (heuristics 2, 3 and self-detection).
    pub list_temperature: f64,
    /// Nucleus sampling.
    pub top_p: f64,
    /// Top-k sampling, sent as `top_k` (0: not sent, for servers that refuse it).
    pub top_k: u32,
    /// Token limit of code answers.
    pub code_max_tokens: u32,
    /// Token limit of package lists.
    pub list_max_tokens: u32,
}

impl Default for Decoding {
    fn default() -> Self {
        Decoding {
            code_temperature: 0.7,
            temperatures: Vec::new(),
            list_temperature: 0.01,
            top_p: 0.9,
            top_k: 20,
            code_max_tokens: 2048,
            list_max_tokens: 64,
        }
    }
}

impl Decoding {
    /// The code temperatures of the study.
    pub fn code_temperatures(&self) -> Vec<f64> {
        if self.temperatures.is_empty() {
            vec![self.code_temperature]
        } else {
            self.temperatures.clone()
        }
    }
}

/// Mitigation settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MitigateConfig {
    /// Which mitigations `study mitigate` measures.
    pub methods: Vec<Mitigation>,
    /// Most verifier-feedback rounds.
    pub rounds: u32,
    /// Real candidate names given by grounding.
    pub candidates: usize,
    /// Only this many answers with invented names per model and language (0: all).
    pub limit: usize,
}

impl Default for MitigateConfig {
    fn default() -> Self {
        MitigateConfig {
            methods: vec![
                Mitigation::SelfDetection,
                Mitigation::Verifier,
                Mitigation::Grounding,
            ],
            rounds: 2,
            candidates: 10,
            limit: 0,
        }
    }
}

/// A way to lower the rate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Mitigation {
    /// Ask the model whether each name it gave is real; drop those it rejects.
    SelfDetection,
    /// Re-prompt with the names that do not exist and real suggestions.
    Verifier,
    /// Give real candidate names in the prompt.
    Grounding,
}

impl Mitigation {
    /// Stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Mitigation::SelfDetection => "self_detection",
            Mitigation::Verifier => "verifier",
            Mitigation::Grounding => "grounding",
        }
    }
}

/// A study.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    /// Models.
    #[serde(rename = "model")]
    pub models: Vec<ModelConfig>,
    /// Prompt sets.
    #[serde(rename = "prompts")]
    pub prompt_sets: Vec<PromptSetConfig>,
    /// Heuristics to run (default: all four).
    #[serde(default = "all_heuristics")]
    pub heuristics: Vec<Heuristic>,
    /// Times each prompt is asked.
    #[serde(default = "one")]
    pub repetitions: u32,
    /// Re-prompt answers that invented packages this many times (paper: 10; 0: off).
    #[serde(default)]
    pub persistence: u32,
    /// Requests in flight at once, over all endpoints.
    #[serde(default = "eight")]
    pub concurrency: usize,
    /// Seconds before a request is abandoned and retried.
    #[serde(default = "timeout")]
    pub timeout_secs: u64,
    /// Retries of a request after 429, 5xx, timeouts and malformed answers.
    #[serde(default = "five")]
    pub max_retries: u32,
    /// Decoding.
    #[serde(default)]
    pub decoding: Decoding,
    /// Mitigations.
    #[serde(default)]
    pub mitigate: MitigateConfig,
    /// The directory relative paths start from (the study file's).
    #[serde(skip)]
    pub base: PathBuf,
}

fn all_heuristics() -> Vec<Heuristic> {
    Heuristic::ALL.to_vec()
}
fn one() -> u32 {
    1
}
fn eight() -> usize {
    8
}
fn five() -> u32 {
    5
}
fn timeout() -> u64 {
    300
}

impl StudyConfig {
    /// Reads and checks a study file.
    pub fn load(path: &Path) -> Result<StudyConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the study file {}", path.display()))?;
        let mut c = StudyConfig::parse(&text).with_context(|| path.display().to_string())?;
        c.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(c)
    }

    /// Parses and checks the text of a study file.
    pub fn parse(text: &str) -> Result<StudyConfig> {
        let c: StudyConfig = toml::from_str(text)?;
        if c.models.is_empty() {
            bail!("no [[model]]");
        }
        if c.prompt_sets.is_empty() {
            bail!("no [[prompts]]");
        }
        for m in &c.models {
            if m.endpoints.is_empty() {
                bail!("model `{}` has no endpoints", m.name);
            }
            for e in &m.endpoints {
                if !(e.starts_with("http://") || e.starts_with("https://")) {
                    bail!("model `{}`: endpoint `{e}` is not an http(s) URL", m.name);
                }
            }
            if m.requests_per_minute == Some(0) {
                bail!("model `{}`: requests_per_minute must be at least 1", m.name);
            }
        }
        let mut names: Vec<&str> = c.models.iter().map(|m| m.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            bail!("two models are named `{}`", w[0]);
        }
        if c.concurrency == 0 {
            bail!("concurrency must be at least 1");
        }
        if c.repetitions == 0 {
            bail!("repetitions must be at least 1");
        }
        for t in c.decoding.code_temperatures() {
            if !(0.0..=2.0).contains(&t) {
                bail!("temperature {t} is outside 0..=2");
            }
        }
        Ok(c)
    }

    /// The path of a prompt file.
    pub fn prompt_path(&self, set: &PromptSetConfig) -> PathBuf {
        self.base.join(&set.file)
    }

    /// Whether code is generated (heuristics 1, 2 or 4).
    pub fn needs_code(&self) -> bool {
        self.heuristics
            .iter()
            .any(|h| *h != Heuristic::PromptPackages)
    }
}
