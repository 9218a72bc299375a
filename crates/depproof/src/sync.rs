//! `depproof index sync`: a complete, current snapshot built from the registry's
//! replication API, written beside the old one, checked, then renamed into place.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use depproof_registry::index::Completeness;
use depproof_registry::index::build::{BuildOptions, build_from_path};
use depproof_registry::{Ecosystem, Index, Lookup, Popularity};

use crate::EXIT_OK;
use crate::cli::{EcosystemArg, GlobalArgs};

#[derive(Debug, Args)]
#[command(
    after_help = "npm: `_all_docs` paged by `startkey`, then `_changes` from the recorded sequence; \
    progress is saved after every page, so an interrupted sync resumes and a later one applies \
    only the changes. PyPI: the Simple API index in JSON form (one request, no change feed), asked \
    with the ETag and Last-Modified of the last sync: when the index is not modified (HTTP 304), \
    its names are kept and the snapshot is re-dated. The download counts of the snapshot in use are kept. The new snapshot is \
    written beside the old one, checked (header, checksum, name count) and renamed into place.\n\n\
    Exit status: 0 synced; 2 the registry or the directory is unusable (the old snapshot stays)."
)]
pub struct SyncArgs {
    /// The registry to sync.
    #[arg(long, short = 'e', value_enum)]
    pub ecosystem: EcosystemArg,
    /// Where to write `npm.idx` / `pypi.idx` and the sync state (default: `snapshots` in the data
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
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => depproof_registry::overlay::data_dir(global.data_dir.as_deref())
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .join("snapshots"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let (registry, synced) = match eco {
        Ecosystem::Npm => {
            let url = global
                .live
                .npm_url
                .clone()
                .unwrap_or_else(|| depproof_live::NPM_URL.to_owned());
            let r = depproof_live::sync::sync_npm(
                &url,
                &dir.join("npm-sync"),
                args.page_size.max(1),
                args.stop_after_pages,
            );
            (url, r)
        }
        Ecosystem::PyPI => {
            let url = global
                .live
                .pypi_url
                .clone()
                .unwrap_or_else(|| depproof_live::PYPI_URL.to_owned());
            let r = depproof_live::sync::sync_pypi(&url, &dir.join("pypi-sync"));
            (url, r)
        }
    };
    let outcome = match synced {
        Ok(o) => o,
        Err(e) => bail!("sync of {registry} stopped: {e}; the previous snapshot is still used"),
    };
    // Versions, months and popularity of the snapshot in use, where the registry's
    // listing offers none.
    let snaps = crate::snapshots::Snapshots::load(global)?;
    let previous = snaps.get(eco);
    let tsv = dir.join(format!("{}.sync.tsv", eco.id()));
    {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(&tsv)
                .with_context(|| format!("cannot write {}", tsv.display()))?,
        );
        let popularity_column = match eco {
            Ecosystem::PyPI => "rank_among_15000_most_downloaded",
            Ecosystem::Npm => "downloads_a_month",
        };
        writeln!(f, "name\tversion\tmonth\t{popularity_column}")?;
        for n in &outcome.names {
            if n.contains(['\t', '\n', '\r']) || eco.validate(n).is_err() {
                continue;
            }
            let (version, month, popularity) = match previous.lookup(&eco.normalize(n)) {
                Lookup::Found(info) => (
                    info.latest_version.clone(),
                    info.release_month_str().unwrap_or_default(),
                    match info.popularity {
                        Popularity::MonthlyDownloads(d) => d.to_string(),
                        Popularity::Rank(r) => r.to_string(),
                        _ => String::new(),
                    },
                ),
                _ => (String::new(), String::new(), String::new()),
            };
            writeln!(f, "{n}\t{version}\t{month}\t{popularity}")?;
        }
        f.flush()?;
    }
    let today = depproof_live::date::now()[..10].to_owned();
    let source = match eco {
        Ecosystem::Npm => format!(
            "npm replication API of {registry}, sequence {}",
            outcome.seq
        ),
        Ecosystem::PyPI if outcome.unchanged => format!(
            "Simple API index of {registry}, serial {} (not modified since the last sync: HTTP 304)",
            outcome.seq
        ),
        Ecosystem::PyPI => format!("Simple API index of {registry}, serial {}", outcome.seq),
    };
    let mut opts = BuildOptions::new(eco, source);
    opts.snapshot_date = Some(today);
    opts.completeness = Some(Completeness::Complete);
    let built = build_from_path(&tsv, &opts);
    let _ = std::fs::remove_file(&tsv);
    let (bytes, stats) = built?;
    let target = dir.join(format!("{}.idx", eco.id()));
    let beside = dir.join(format!("{}.idx.new", eco.id()));
    std::fs::write(&beside, &bytes)
        .with_context(|| format!("cannot write {}", beside.display()))?;
    let check = Index::open(&beside).and_then(|i| {
        i.verify()?;
        Ok((i.ecosystem(), i.header().name_count))
    });
    match check {
        Ok((e, count)) if e == eco && count == stats.names => {}
        Ok((_, count)) => {
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
    eprintln!(
        "{}: {} {eco} names ({}{} page{}), sequence {}",
        target.display(),
        stats.names,
        if outcome.unchanged {
            "not modified since the last sync, "
        } else if outcome.incremental {
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
