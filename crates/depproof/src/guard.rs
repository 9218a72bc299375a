//! `depproof run -- COMMAND...` and `depproof shell-init SHELL`: check the packages of an
//! install command before it runs.

use std::path::Path;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use depproof_assess::Assessor;
use depproof_guard::judge::{Action, Judge};
use depproof_guard::plan::{Origin, plan};
use depproof_guard::shell::{self, Shell};

use crate::cli::{GlobalArgs, PolicyArgs};
use crate::findings::load_policy;
use crate::snapshots::Snapshots;
use crate::{EXIT_ERROR, EXIT_FINDINGS};

#[derive(Debug, Args)]
#[command(
    after_help = "Every package the command would fetch from PyPI or npm is checked first, \
    including those of requirement files (`-r`). A package the policy fails (by default: a \
    blocked one) stops the command before it runs; warnings are shown and the command runs.\n\n\
    Exit status: the command's own status when it runs; 1 a package was refused and nothing \
    ran; 2 a usage error, an unreadable requirement file, an unusable configuration or data; \
    126 the command cannot be executed; 127 the command is not found."
)]
pub struct RunArgs {
    /// Run the command even when packages are refused (each override is reported).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Run the command even when this package is refused (repeatable).
    #[arg(long, value_name = "NAME")]
    pub allow: Vec<String>,
    /// Check only: report the decisions, do not run the command.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The command and its arguments (after `--`).
    #[arg(
        value_name = "COMMAND",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Add to ~/.bashrc: eval \"$(depproof shell-init bash)\"; ~/.zshrc: eval \
    \"$(depproof shell-init zsh)\"; ~/.config/fish/config.fish: depproof shell-init fish | source.\n\
    Bypass once with `command pip install ...`."
)]
pub struct ShellInitArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// `depproof shell-init`.
pub fn shell_init(args: ShellInitArgs) -> Result<u8> {
    let shell = match args.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.to_str().map(str::to_owned))
        .unwrap_or_else(|| "depproof".to_owned());
    print!("{}", shell::script(shell, &exe));
    Ok(crate::EXIT_OK)
}

/// `depproof run`.
pub fn run(global: &GlobalArgs, args: RunArgs) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let plan = match plan(&args.command, &cwd) {
        Ok(p) => p,
        Err(e) if args.yes => {
            eprintln!("depproof: override (--yes): running without checking: {e}");
            return Ok(execute(&args.command));
        }
        Err(e) => {
            eprintln!(
                "depproof: {e}: the command cannot be checked, so it does not run (--yes runs it anyway)"
            );
            return Ok(EXIT_ERROR);
        }
    };
    for w in &plan.warnings {
        eprintln!("depproof: warning: {w}");
    }
    if plan.packages.is_empty() {
        if args.dry_run {
            eprintln!("depproof: no registry packages to check");
            return Ok(crate::EXIT_OK);
        }
        return Ok(execute(&args.command));
    }
    let snaps = Snapshots::load(global)?;
    let mut policy = load_policy(&args.policy, Path::new("."))?;
    crate::live::apply_cutoff(&global.live, &mut policy)?;
    // With --live, the names the snapshot cannot settle are asked of the registries
    // before anything runs; a failed lookup stays unknown.
    let live = crate::live::settle(
        &global.live,
        &policy,
        &Assessor::new(snaps.registry(), &policy),
        plan.packages.iter().map(|p| (p.ecosystem, p.name.clone())),
    )?;
    let registry = depproof_assess::Registry {
        live: live.as_ref(),
        ..snaps.registry()
    };
    let assessor = Assessor::new(registry, &policy);
    let judge = Judge::new(&assessor, policy.config.fail_on.unwrap_or_default())
        .yes(args.yes)
        .allow(args.allow.iter().cloned());
    let mut refused = Vec::new();
    for p in &plan.packages {
        let d = judge.decide(p.ecosystem, &p.name, p.version.as_deref());
        let place = match &p.origin {
            Origin::File { .. } => format!(" ({})", p.origin),
            Origin::Arg(_) => String::new(),
        };
        let reason = d.reason(&judge);
        match (d.action, d.overridden) {
            (Action::Refuse, _) => {
                eprintln!("depproof: refused {reason}{place}");
                refused.push(p.name.clone());
            }
            (_, Some(o)) => eprintln!(
                "depproof: override ({}): {} goes ahead despite: {reason}{place}",
                o.words(),
                p.name
            ),
            (Action::Warn, None) => eprintln!("depproof: warning: {reason}{place}"),
            (Action::Allow, None) => {}
        }
    }
    for w in assessor.overlay_errors() {
        eprintln!("depproof: warning: {w}");
    }
    if !refused.is_empty() {
        eprintln!(
            "depproof: `{}` did not run: {} refused. Check the name{}, or rerun with --allow {} \
             to install it anyway.",
            args.command.join(" "),
            if refused.len() == 1 {
                "1 package was".to_owned()
            } else {
                format!("{} packages were", refused.len())
            },
            if refused.len() == 1 { "" } else { "s" },
            refused[0]
        );
        return Ok(EXIT_FINDINGS);
    }
    if args.dry_run {
        eprintln!(
            "depproof: {} package(s) checked; nothing refused",
            plan.packages.len()
        );
        return Ok(crate::EXIT_OK);
    }
    drop(judge);
    drop(assessor);
    drop(live);
    drop(snaps);
    Ok(execute(&args.command))
}

/// Replaces this process with the command (Unix): standard streams, signals and the exit
/// status are the command's own. Returns only when it cannot be started.
#[cfg(unix)]
fn execute(argv: &[String]) -> u8 {
    use std::os::unix::process::CommandExt;
    let err = std::process::Command::new(&argv[0]).args(&argv[1..]).exec();
    cannot_start(&argv[0], &err)
}

/// Runs the command and waits for it, passing its exit status on.
#[cfg(not(unix))]
fn execute(argv: &[String]) -> u8 {
    match std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .status()
    {
        Ok(s) => s.code().map(|c| c as u8).unwrap_or(EXIT_FINDINGS),
        Err(e) => cannot_start(&argv[0], &e),
    }
}

fn cannot_start(program: &str, err: &std::io::Error) -> u8 {
    eprintln!("depproof: cannot run `{program}`: {err}");
    if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    }
}
