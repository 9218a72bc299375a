//! `depproof index sync`: a complete, current snapshot built from the registry's
//! replication API, written beside the old one, checked, then renamed into place.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use depproof_registry::index::Completeness;
use depproof_registry::index::build::{BuildOptions, build_from_path};
use depproof_registry::{Ecosystem, Index, Lookup, Popularity};

use crate::cli::{EcosystemArg, GlobalArgs};
use crate::{EXIT_ERROR, EXIT_OK};

#[derive(Debug, Args)]
#[command(
    after_help = "npm: `_all_docs` paged by `startkey`, then `_changes` from the recorded sequence; \
    progress is saved after every page, so an interrupted sync resumes and a later one applies \
    only the changes. The download counts of the snapshot in use are kept. The new snapshot is \
    written beside the old one, checked (header, checksum, name count) and renamed into place.\n\n\
    Exit status: 0 synced; 2 the registry or the directory is unusable (the old snapshot stays)."
)]
pub struct SyncArgs {
    /// The registry to sync (npm; PyPI is not supported yet).
    #[arg(long, short = 'e', value_enum)]
    pub ecosystem: EcosystemArg,
    /// Where to write `npm.idx` and the sync state (default: `snapshots` in the data
    /// directory, where runs pick it up when it is newer than the embedded snapshot).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Names a request.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub page_size: usize,
    /// Stop after this many pages, leaving the sync to resume (for tests).
    #[arg(long, value_name = "N", hide = true)]
    pub stop_after_pages: Option<usize>,
}

pub fn run(global: &GlobalArgs, args: SyncArgs) -> Result<u8> {
    let eco: Ecosystem = args.ecosystem.into();
    if eco != Ecosystem::Npm {
        eprintln!(
            "error: `index sync` supports npm only so far; build PyPI snapshots with `index build`"
        );
        return Ok(EXIT_ERROR);
    }
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => depproof_registry::overlay::data_dir(global.data_dir.as_deref())
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .join("snapshots"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let registry = global
        .live
        .npm_url
        .clone()
        .unwrap_or_else(|| depproof_live::NPM_URL.to_owned());
    let work = dir.join("npm-sync");
    let outcome = match depproof_live::sync::sync_npm(
        &registry,
        &work,
        args.page_size.max(1),
        args.stop_after_pages,
    ) {
        Ok(o) => o,
        Err(e) => bail!("sync of {registry} stopped: {e}; the previous snapshot is still used"),
    };
    // Download counts of the snapshot in use, where the registry offers none.
    let snaps = crate::snapshots::Snapshots::load(global)?;
    let previous = snaps.get(Ecosystem::Npm);
    let tsv = work.join("npm.tsv");
    {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(&tsv)
                .with_context(|| format!("cannot write {}", tsv.display()))?,
        );
        writeln!(f, "name\tversion\tdownloads_a_month")?;
        for n in &outcome.names {
            if n.contains(['\t', '\n']) || eco.validate(n).is_err() {
                continue;
            }
            let (version, downloads) = match previous.lookup(&eco.normalize(n)) {
                Lookup::Found(info) => (
                    info.latest_version.clone(),
                    match info.popularity {
                        Popularity::MonthlyDownloads(d) => d.to_string(),
                        _ => String::new(),
                    },
                ),
                _ => (String::new(), String::new()),
            };
            writeln!(f, "{n}\t{version}\t{downloads}")?;
        }
        f.flush()?;
    }
    let today = depproof_live::date::now()[..10].to_owned();
    let mut opts = BuildOptions::new(
        eco,
        format!(
            "npm replication API of {registry}, sequence {}",
            outcome.seq
        ),
    );
    opts.snapshot_date = Some(today);
    opts.completeness = Some(Completeness::Complete);
    let (bytes, stats) = build_from_path(&tsv, &opts)?;
    let target = dir.join("npm.idx");
    let beside = dir.join("npm.idx.new");
    std::fs::write(&beside, &bytes)
        .with_context(|| format!("cannot write {}", beside.display()))?;
    let check = Index::open(&beside).and_then(|i| {
        i.verify()?;
        Ok(i.header().name_count)
    });
    match check {
        Ok(count) if count == stats.names => {}
        Ok(count) => {
            let _ = std::fs::remove_file(&beside);
            bail!(
                "the new snapshot holds {count} names, not the {} built; the previous snapshot is still used",
                stats.names
            );
        }
        Err(e) => {
            let _ = std::fs::remove_file(&beside);
            bail!("the new snapshot does not check out ({e}); the previous snapshot is still used");
        }
    }
    std::fs::rename(&beside, &target)
        .with_context(|| format!("cannot rename {} to {}", beside.display(), target.display()))?;
    let _ = std::fs::remove_file(&tsv);
    eprintln!(
        "{}: {} npm names ({}{} page{}), sequence {}",
        target.display(),
        stats.names,
        if outcome.incremental {
            "changes only, "
        } else if outcome.resumed {
            "resumed, "
        } else {
            ""
        },
        outcome.pages,
        if outcome.pages == 1 { "" } else { "s" },
        outcome.seq
    );
    Ok(EXIT_OK)
}
