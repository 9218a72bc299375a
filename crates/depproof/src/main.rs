//! depproof: finds every package name in a project, a chat answer or an install command,
//! and says whether it is real and established, real but suspicious, or not real.

mod check;
mod cli;
mod diff;
mod explain;
mod findings;
mod guard;
mod index_cmd;
mod live;
mod proxy;
mod scan;
mod serve;
mod snapshots;
mod study;
mod sync;

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

use crate::cli::{Cli, Command, IndexCommand};

/// Exit status for every name found and nothing to warn about.
pub const EXIT_OK: u8 = 0;
/// Exit status when a name does not exist or is unknown.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status for a usage error or unusable data.
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with success; real errors exit 2.
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(&cli.global, args),
        Command::Scan(args) => scan::run(&cli.global, args),
        Command::Explain(args) => explain::run(args),
        Command::Study { command } => study::run(&cli.global, command),
        Command::Run(args) => guard::run(&cli.global, args),
        Command::ShellInit(args) => guard::shell_init(args),
        Command::Proxy(args) => proxy::run(&cli.global, args),
        Command::Serve(args) => serve::serve(&cli.global, args),
        Command::Mcp(args) => serve::mcp(&cli.global, args),
        Command::Index { command } => match command {
            IndexCommand::Build(args) => index_cmd::build(args),
            IndexCommand::Info(args) => index_cmd::info(&cli.global, args),
            IndexCommand::ImportOsv(args) => index_cmd::import_osv(&cli.global, args),
            IndexCommand::ImportHallucinations(args) => {
                index_cmd::import_hallucinations(&cli.global, args)
            }
            IndexCommand::Sync(args) => sync::run(&cli.global, args),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
