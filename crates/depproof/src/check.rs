//! `depproof check NAME...`: existence, popularity and "did you mean" for package names.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use depproof_registry::Ecosystem;
use depproof_report::check::{CheckReport, CheckedName, NameStatus, Status, check_name};
use depproof_report::{Format, Options};

use crate::cli::{CheckArgs, GlobalArgs};
use crate::findings::{load_policy, outputs, tool, write_outputs};
use crate::snapshots::Snapshots;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use depproof_assess::Assessor;

pub fn run(global: &GlobalArgs, args: CheckArgs) -> Result<u8> {
    let names = collect_names(&args.names)?;
    let snaps = Snapshots::load(global)?;
    let mut policy = load_policy(&args.policy, Path::new("."))?;
    crate::live::apply_cutoff(&global.live, &mut policy)?;
    let ecosystems: Vec<Ecosystem> = match args.ecosystem {
        Some(e) => vec![e.into()],
        None => Ecosystem::ALL.to_vec(),
    };
    let live = crate::live::settle(
        &global.live,
        &policy,
        &Assessor::new(snaps.registry(), &policy),
        names
            .iter()
            .flat_map(|n| ecosystems.iter().map(move |e| (*e, n.clone()))),
    )?;
    let registry = depproof_assess::Registry {
        live: live.as_ref(),
        ..snaps.registry()
    };
    let assessor = Assessor::new(registry, &policy);
    let outputs = outputs(&args.output, &[Format::Human, Format::Json], "check")?;
    let results: Vec<CheckedName> = names
        .iter()
        .map(|n| check_name(&assessor, &ecosystems, n))
        .collect();

    for r in &results {
        if r.status() == NameStatus::Invalid {
            for e in &r.results {
                if let Status::Invalid(err) = &e.status {
                    eprintln!("error: {err}");
                }
            }
        }
    }
    if names.is_empty() && !args.output.quiet {
        eprintln!("note: no names to check (standard input held none)");
    }
    let tool = tool();
    let report = CheckReport {
        tool: &tool,
        registry,
        policy: &policy,
        provenance: crate::snapshots::provenance(&snaps, &ecosystems),
        names: &results,
    };
    write_outputs(&outputs, args.output.color, |format, color| {
        let options = Options {
            color,
            quiet: args.output.quiet,
            ..Options::default()
        };
        match format {
            Format::Json => depproof_report::pretty(&depproof_report::check::json(&report)),
            _ => depproof_report::check::human(&report, &options),
        }
    })?;
    let fail_on = policy.config.fail_on.unwrap_or_default();
    Ok(
        if results.iter().any(|r| r.status() == NameStatus::Invalid) {
            EXIT_ERROR
        } else if results
            .iter()
            .filter_map(CheckedName::verdict)
            .any(|v| fail_on.fails(v))
        {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        },
    )
}

/// Expands `-` into the names read from standard input.
fn collect_names(args: &[String]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut stdin_read = false;
    for a in args {
        if a == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read names from standard input")?;
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("");
                names.extend(line.split_whitespace().map(str::to_owned));
            }
        } else {
            names.push(a.clone());
        }
    }
    Ok(names)
}
