//! Shared by `check` and `scan`: loading the policy, and sending reports where
//! `--format`, `--output` and `--color` say.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use depproof_assess::Policy;
use depproof_report::{Format, Tool};

use crate::cli::{ColorArg, OutputArgs, PolicyArgs};

/// The policy of a run: `--config FILE`, else the nearest depproof.toml above `start`
/// (unless `--no-config`), else the defaults; `--fail-on` overrides the file.
pub fn load_policy(args: &PolicyArgs, start: &Path) -> Result<Policy> {
    let mut policy = if let Some(path) = &args.config {
        Policy::load(path)?
    } else if args.no_config {
        Policy::default()
    } else {
        Policy::discover(start)?.unwrap_or_default()
    };
    if let Some(f) = args.fail_on {
        policy.config.fail_on = Some(f.into());
    }
    Ok(policy)
}

/// This program, as reports name it.
pub fn tool() -> Tool {
    Tool::new("depproof", env!("CARGO_PKG_VERSION"))
}

/// One report to write: its format, and its file (standard output when `None`).
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub path: Option<PathBuf>,
}

/// The outputs a command was asked for, checked: formats the command supports, at most
/// one on standard output, no file written twice, `--output` only with one format.
pub fn outputs(args: &OutputArgs, supported: &[Format], command: &str) -> Result<Vec<Output>> {
    let mut list: Vec<Output> = Vec::new();
    for spec in &args.format {
        if !supported.contains(&spec.format) {
            let names: Vec<&str> = supported.iter().map(|f| f.id()).collect();
            bail!(
                "`{command}` writes {}; `{}` is for `scan`",
                names.join(" or "),
                spec.format
            );
        }
        list.push(Output {
            format: spec.format,
            path: spec.path.clone(),
        });
    }
    if let Some(file) = &args.output {
        match list.as_mut_slice() {
            [one] if one.path.is_none() => one.path = Some(file.clone()),
            [one] => bail!(
                "--output {} and --format {}:{} both name a file: give one",
                file.display(),
                one.format,
                one.path.as_deref().unwrap_or(Path::new("")).display()
            ),
            _ => bail!(
                "--output names one file but {} formats were asked for: give each its file with --format FORMAT:FILE",
                list.len()
            ),
        }
    }
    let stdout: Vec<&Output> = list.iter().filter(|o| o.path.is_none()).collect();
    if stdout.len() > 1 {
        bail!(
            "{} and {} would both go to standard output: give all but one a file with --format FORMAT:FILE",
            stdout[0].format,
            stdout[1].format
        );
    }
    for (i, a) in list.iter().enumerate() {
        if let Some(p) = &a.path
            && list[..i].iter().any(|b| b.path.as_ref() == Some(p))
        {
            bail!("{} is named for two formats", p.display());
        }
    }
    Ok(list)
}

/// Whether to color text going to a terminal-or-not destination.
pub fn color(choice: ColorArg, terminal: bool) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Renders each output (`render(format, color)`) and writes it to its file or to
/// standard output.
pub fn write_outputs(
    outputs: &[Output],
    choice: ColorArg,
    render: impl Fn(Format, bool) -> String,
) -> Result<()> {
    for o in outputs {
        match &o.path {
            Some(path) => {
                let text = render(o.format, color(choice, false));
                std::fs::write(path, text).with_context(|| {
                    format!("cannot write the {} report to {}", o.format, path.display())
                })?;
            }
            None => {
                let text = render(o.format, color(choice, std::io::stdout().is_terminal()));
                let mut out = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth a message.
                if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
                    && e.kind() != std::io::ErrorKind::BrokenPipe
                {
                    return Err(e).context("cannot write to standard output");
                }
            }
        }
    }
    Ok(())
}
