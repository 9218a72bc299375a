//! `depproof explain CODE`: the documentation of a signal.

use anyhow::{Result, bail};
use depproof_assess::Code;
use depproof_assess::signal::reference_markdown;

use crate::EXIT_OK;
use crate::cli::ExplainArgs;

pub fn run(args: ExplainArgs) -> Result<u8> {
    if args.all {
        print!("{}", reference_markdown());
        return Ok(EXIT_OK);
    }
    let asked = args.code.unwrap_or_default();
    let Some(code) = Code::parse(&asked) else {
        let known: Vec<String> = Code::ALL
            .iter()
            .map(|c| format!("{} {}", c.id(), c.name()))
            .collect();
        bail!(
            "`{asked}` is not a signal code or name; the signals are: {}",
            known.join(", ")
        );
    };
    print!("{}", code.markdown());
    Ok(EXIT_OK)
}
