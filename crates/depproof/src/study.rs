//! `depproof study`: measures how often language models invent package names.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use depproof_assess::Assessor;
use depproof_study::{ImportDefaults, Language, StudyConfig};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{Format, GlobalArgs, PolicyArgs};
use crate::findings::load_policy;
use crate::snapshots::Snapshots;
use crate::{EXIT_FINDINGS, EXIT_OK};

#[derive(Debug, Subcommand)]
pub enum StudyCommand {
    /// Sends a study's prompts to its models and stores every answer (resumes where a
    /// killed run stopped).
    Run(RunArgs),
    /// Brings in answers produced elsewhere (JSONL, or a JSON object of task ids to answers).
    Import(ImportArgs),
    /// Measures how often the answers invent packages.
    Analyze(AnalyzeArgs),
    /// Measures how much self-detection, verifier feedback and grounding lower the rate.
    Mitigate(RunArgs),
    /// Writes report.md and report.html (tables, SVG charts, the paper's figures beside).
    Report(ReportArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 every request answered; 1 some requests were given up after every \
    retry (run again to retry them); 2 a usage error, an unusable study file or database."
)]
pub struct RunArgs {
    /// The study file (TOML).
    #[arg(value_name = "CONFIG")]
    pub study: PathBuf,
    /// The study database (SQLite; created if missing).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// No progress bar, even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 imported; 2 the file or the database is unusable.")]
pub struct ImportArgs {
    /// JSONL (one object a line: prompt, answer, model, language; optional id, iteration,
    /// kind, prompt_set, temperature) or a JSON object mapping task ids to lists of answers.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The study database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Model label for records without one (needed for a JSON object of task ids).
    #[arg(long)]
    pub model: Option<String>,
    /// Language for records without one: python or javascript.
    #[arg(long)]
    pub language: Option<String>,
    /// Prompt-set label (default: the file's name without extension).
    #[arg(long)]
    pub prompt_set: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 analysed; 2 the database is unusable.")]
pub struct AnalyzeArgs {
    /// The study database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also add the invented names to the hallucination overlay of the data directory.
    #[arg(long)]
    pub export_overlay: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 written; 2 the database is unusable or the directory unwritable."
)]
pub struct ReportArgs {
    /// The study database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The directory to write report.md, report.html and the charts into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

pub fn run(global: &GlobalArgs, command: StudyCommand) -> Result<u8> {
    match command {
        StudyCommand::Run(args) => run_study(global, args, false),
        StudyCommand::Mitigate(args) => run_study(global, args, true),
        StudyCommand::Import(args) => import(args),
        StudyCommand::Analyze(args) => analyze(global, args),
        StudyCommand::Report(args) => report(global, args),
    }
}

fn bar(hidden: bool) -> ProgressBar {
    let bar = if hidden || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:>26} [{bar:30}] {pos}/{len} {per_sec} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn run_study(global: &GlobalArgs, args: RunArgs, mitigate: bool) -> Result<u8> {
    let config = StudyConfig::load(&args.study)?;
    let snaps = Snapshots::load(global)?;
    let policy = load_policy(&args.policy, Path::new("."))?;
    let assessor = Assessor::new(snaps.registry(), &policy);
    let bar = bar(args.no_progress);
    let progress = |p: &depproof_study::Progress| {
        bar.set_message(format!(
            "{}{}",
            p.stage,
            if p.failed > 0 {
                format!(" ({} failed)", p.failed)
            } else {
                String::new()
            }
        ));
        bar.set_length(p.total);
        bar.set_position(p.done);
    };
    if mitigate {
        let report = depproof_study::mitigate::mitigate(&config, &args.db, &assessor, &progress)?;
        bar.finish_and_clear();
        for r in &report.rows {
            let rate = |i: u64, n: u64| {
                if n == 0 {
                    0.0
                } else {
                    100.0 * i as f64 / n as f64
                }
            };
            println!(
                "{} {} {}: {} answers, invented {:.2}% -> {:.2}%, {} answers changed",
                r.model,
                r.language,
                r.mitigation,
                r.answers,
                rate(r.invented_before, r.references_before),
                rate(r.invented_after, r.references_after),
                r.changed
            );
        }
        if report.failed > 0 {
            eprintln!(
                "note: {} requests were given up after every retry; the figures leave them \
                 out; run again to retry them",
                report.failed
            );
            return Ok(EXIT_FINDINGS);
        }
        return Ok(EXIT_OK);
    }
    let summary = depproof_study::run(&config, &args.db, &assessor, &progress)?;
    bar.finish_and_clear();
    println!(
        "planned {} new requests; {} answers received; {} already answered before; {} given up",
        summary.planned, summary.answered, summary.already_answered, summary.failed
    );
    if summary.failed > 0 {
        eprintln!(
            "note: {} requests were given up after every retry; run again to retry them",
            summary.failed
        );
        return Ok(EXIT_FINDINGS);
    }
    Ok(EXIT_OK)
}

fn import(args: ImportArgs) -> Result<u8> {
    let language = match &args.language {
        Some(l) => Some(
            Language::parse(l)
                .ok_or_else(|| anyhow::anyhow!("--language {l}: python or javascript"))?,
        ),
        None => None,
    };
    let s = depproof_study::import(
        &args.file,
        &args.db,
        &ImportDefaults {
            model: args.model,
            language,
            prompt_set: args.prompt_set,
        },
    )?;
    println!(
        "read {} answers: {} imported, {} already present",
        s.read, s.imported, s.already_present
    );
    Ok(EXIT_OK)
}

fn analyze(global: &GlobalArgs, args: AnalyzeArgs) -> Result<u8> {
    let conn = depproof_study::db::open_existing(&args.db)?;
    let snaps = Snapshots::load(global)?;
    let policy = load_policy(&args.policy, Path::new("."))?;
    let assessor = Assessor::new(snaps.registry(), &policy);
    let a = depproof_study::analyze(&conn, &assessor)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&a)?),
        Format::Human => print!("{}", depproof_study::analyze::human(&a)),
    }
    if args.export_overlay {
        let dir = depproof_registry::overlay::data_dir(global.data_dir.as_deref())?;
        let entries = depproof_study::analyze::overlay_entries(&a);
        let source = format!("study {}", args.db.display());
        let r = depproof_registry::overlay::add_hallucinations(&dir, &entries, &source)?;
        eprintln!(
            "added {} invented names to {} ({} new, {} already known)",
            entries.len(),
            r.overlay.display(),
            r.imported,
            r.replaced
        );
    }
    Ok(EXIT_OK)
}

fn report(global: &GlobalArgs, args: ReportArgs) -> Result<u8> {
    let conn = depproof_study::db::open_existing(&args.db)?;
    let snaps = Snapshots::load(global)?;
    let policy = load_policy(&args.policy, Path::new("."))?;
    let assessor = Assessor::new(snaps.registry(), &policy);
    let a = depproof_study::analyze(&conn, &assessor)?;
    let m = depproof_study::mitigate::stored(&conn)?;
    depproof_study::report::write(&a, m.as_ref(), &args.out)?;
    println!(
        "wrote {} and {}",
        args.out.join("report.md").display(),
        args.out.join("report.html").display()
    );
    Ok(EXIT_OK)
}
