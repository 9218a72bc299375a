//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use depproof_registry::Ecosystem;

#[derive(Debug, Parser)]
#[command(
    name = "depproof",
    version,
    about = "Stops made-up and malicious package names from entering software",
    long_about = "Stops made-up and malicious package names from entering software.\n\n\
        depproof answers, offline and in milliseconds, whether a PyPI or npm package name \
        exists and how established it is, and suggests what was probably meant when it \
        does not.",
    after_help = "Exit status: 0 nothing fails the policy; 1 a package fails it (by default: a blocked package; see --fail-on); 2 a usage error, an unusable configuration or unusable data."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Use this snapshot index file instead of the embedded one for its ecosystem
    /// (repeat for several ecosystems). Build one with `depproof index build`.
    #[arg(long = "index", value_name = "FILE", global = true)]
    pub index: Vec<PathBuf>,
    /// Where depproof keeps its data, such as the overlays of known malicious and
    /// invented names (default: $DEPPROOF_DATA_DIR, else the platform data directory
    /// plus `depproof`, e.g. ~/.local/share/depproof).
    #[arg(long = "data-dir", value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub live: crate::live::LiveArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Says whether package names exist, how established they are, and what was meant.
    Check(CheckArgs),
    /// Finds every package reference in files, directories or standard input, and checks each.
    Scan(ScanArgs),
    /// Explains a signal: what it means, why it matters, what to do.
    Explain(ExplainArgs),
    /// Measures how often language models invent package names: run, import, analyze,
    /// mitigate, report.
    Study {
        #[command(subcommand)]
        command: crate::study::StudyCommand,
    },
    /// Checks the packages of an install command, then runs it: `depproof run -- pip install x`.
    Run(crate::guard::RunArgs),
    /// Prints shell functions that route pip, npm, uv… through `depproof run`.
    ShellInit(crate::guard::ShellInitArgs),
    /// A registry proxy for pip, uv, npm, yarn, pnpm and bun that refuses blocked packages.
    Proxy(crate::proxy::ProxyArgs),
    /// Serves the HTTP API (check, scan, snapshots) for services and editor plugins.
    Serve(crate::serve::ServeArgs),
    /// Serves the MCP tools coding agents call before installing a package.
    Mcp(crate::serve::McpArgs),
    /// Builds and describes snapshot indexes.
    Index {
        #[command(subcommand)]
        command: IndexCommand,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EcosystemArg {
    Pypi,
    Npm,
}

impl From<EcosystemArg> for Ecosystem {
    fn from(e: EcosystemArg) -> Self {
        match e {
            EcosystemArg::Pypi => Ecosystem::PyPI,
            EcosystemArg::Npm => Ecosystem::Npm,
        }
    }
}

/// Which verdicts make the exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// A blocked package (the default).
    Block,
    /// A warning or a blocked package.
    Warn,
    /// Never: report only.
    Never,
}

impl From<FailOnArg> for depproof_assess::FailOn {
    fn from(f: FailOnArg) -> Self {
        match f {
            FailOnArg::Block => depproof_assess::FailOn::Block,
            FailOnArg::Warn => depproof_assess::FailOn::Warn,
            FailOnArg::Never => depproof_assess::FailOn::Never,
        }
    }
}

/// The policy of a run.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Read this configuration instead of the nearest depproof.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use the default policy, ignoring any depproof.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Which verdicts make the exit status 1 (default: block, or `fail-on` in depproof.toml).
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub fail_on: Option<FailOnArg>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A signal code (`DP101`) or name (`typosquat`).
    #[arg(value_name = "CODE", required_unless_present = "all")]
    pub code: Option<String>,
    /// Every signal, as Markdown (the content of docs/signals.md).
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
}

/// When to color human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorArg {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// One output: a format, and the file it goes to (standard output when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: depproof_report::Format,
    pub path: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT:PATH`.
fn parse_output_spec(s: &str) -> Result<OutputSpec, String> {
    let names = depproof_report::Format::ALL.map(|f| f.id()).join(", ");
    let (name, path) = match s.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    let format = depproof_report::Format::parse(name)
        .ok_or_else(|| format!("`{name}` is not a format; one of: {names}"))?;
    match path {
        Some("") => Err(format!("`{s}`: a file name must follow `{name}:`")),
        Some(p) => Ok(OutputSpec {
            format,
            path: Some(PathBuf::from(p)),
        }),
        None => Ok(OutputSpec { format, path: None }),
    }
}

/// Where results go and how they look.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output formats: human, json, sarif, cyclonedx, markdown (`check`: human, json);
    /// `FORMAT:FILE` writes one to a file, and several are separated by commas
    /// (`sarif:out.sarif,json:out.json`).
    #[arg(
        long,
        value_name = "FORMAT[:FILE]",
        value_delimiter = ',',
        value_parser = parse_output_spec,
        default_value = "human"
    )]
    pub format: Vec<OutputSpec>,
    /// Write the output to this file instead of standard output (one format only).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Color human output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Print only the problems: no summary, nothing that passes, no warnings about input.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Text for a person.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 nothing fails the policy; 1 a name fails it (by default: a blocked \
    name, e.g. one that does not exist; see --fail-on); 2 an invalid name, a usage error, an unusable \
    configuration or unusable data (the other names are still checked)."
)]
pub struct CheckArgs {
    /// Package names; `-` reads names from standard input (whitespace-separated, `#` starts a comment).
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,
    /// Look names up in this ecosystem only (default: both, saying where each was found).
    #[arg(long, short = 'e', value_enum)]
    pub ecosystem: Option<EcosystemArg>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Builds a snapshot index from a registry listing (TSV, optionally gzip-compressed).
    Build(BuildArgs),
    /// Prints, per snapshot in use: ecosystem, date, completeness, name count, checksum, size;
    /// then the overlays present in the data directory.
    Info(InfoArgs),
    /// Adds the malicious packages of OSV records (the OpenSSF malicious-packages
    /// repository, osv.dev's all.zip) to the malicious overlay.
    ImportOsv(ImportOsvArgs),
    /// Adds names language models invented to the hallucination overlay.
    ImportHallucinations(ImportHallucinationsArgs),
    /// Builds a complete, current snapshot from the registry's replication API (npm);
    /// resumable and incremental.
    Sync(crate::sync::SyncArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The ecosystem of the listing.
    #[arg(long, short = 'e', value_enum)]
    pub ecosystem: EcosystemArg,
    /// The listing: a header line (`name`, `version`, and any of `month`,
    /// `rank_among_15000_most_downloaded`, `downloads_a_month`, `summary`), then one
    /// package a line, tab-separated; gzip-compressed or plain.
    #[arg(long, value_name = "FILE")]
    pub from_tsv: PathBuf,
    /// Where to write the index (replaced atomically).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The snapshot date, YYYY-MM or YYYY-MM-DD (default: the latest release month in the
    /// listing; for listings without months, the listing file's modification date).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Declare the listing complete (every name on the registry).
    #[arg(long, conflicts_with = "partial")]
    pub complete: bool,
    /// Declare the listing partial, with what it holds in words.
    #[arg(long, value_name = "DESCRIPTION")]
    pub partial: Option<String>,
    /// Where the data came from, recorded in the header (default: the listing's file name).
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Index files to describe (default: the snapshots in use, embedded or given with `--index`).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 nothing fails the policy; 1 a package fails it (by default: a blocked \
    package; see --fail-on); 2 a usage error, an unusable configuration or unusable data."
)]
pub struct ScanArgs {
    /// Files and directories to scan (default: the current directory); `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// What standard input holds: markdown (a chat answer; the default), text, python, js, ts,
    /// requirements, pyproject, package.json, shell, dockerfile, notebook, transcript.
    #[arg(long, value_name = "KIND")]
    pub stdin_kind: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Show every package, not only the problems.
    #[arg(long, conflicts_with = "quiet")]
    pub all: bool,
    /// Scan the project in this directory, so that its own modules are known, but report
    /// only the PATHs given (as a pre-commit hook does with the staged files).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Pull-request mode: report only references added since this git revision (lines
    /// added in changed files, new entries in manifests and lockfiles).
    #[arg(long, value_name = "REF")]
    pub diff: Option<String>,
    /// Markdown links to files start with this URL
    /// (e.g. `https://github.com/OWNER/REPO/blob/COMMIT/`); relative links without it.
    #[arg(long, value_name = "URL")]
    pub link_base: Option<String>,
    /// Skip paths matching this glob (gitignore-style; repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also scan node_modules, virtual environments, site-packages, caches.
    #[arg(long)]
    pub no_default_excludes: bool,
    /// Do not respect .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (loops are reported and skipped).
    #[arg(long)]
    pub follow_links: bool,
    /// Skip files larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 32)]
    pub max_file_size: u64,
    /// No progress bar, even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Records count as malicious when their id or an alias starts with MAL-, they carry \
    malicious-packages origins or CWE-506, or their summary reports malicious code or malware; \
    vulnerability advisories are skipped. Only PyPI and npm packages are kept. A record replaces \
    the one with the same id when its `modified` date is not older; withdrawn records are \
    removed. Bad records are warnings and the import goes on.\n\n\
    Exit status: 0 imported (even with warnings); 2 the source or the overlay is unusable."
)]
pub struct ImportOsvArgs {
    /// A directory of OSV records (searched recursively for *.json), a zip archive of them,
    /// or one .json record.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Start the overlay afresh from this source instead of merging into it (also the
    /// way past a damaged overlay).
    #[arg(long)]
    pub replace: bool,
    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Counts add up across imports. Names that break their registry's rules are \
    warnings.\n\nExit status: 0 imported (even with warnings); 2 the file or the overlay is unusable."
)]
pub struct ImportHallucinationsArgs {
    /// One name a line (`#` comments, blank lines skipped), or a CSV file whose header has
    /// a `name` column and optionally `count` and `ecosystem` columns.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The names' ecosystem (needed unless the CSV file has an `ecosystem` column, whose
    /// empty cells it then fills).
    #[arg(long, short = 'e', value_enum)]
    pub ecosystem: Option<EcosystemArg>,
    /// Start the overlay afresh from this file instead of adding to it.
    #[arg(long)]
    pub replace: bool,
    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}
