//! The snapshot indexes compiled into the binary, so that a fresh install answers
//! offline. Their provenance is recorded in `data/snapshots/README.md`.

use crate::{Ecosystem, Index, IndexError};

static PYPI: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pypi.dpi"));
static NPM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/npm.dpi"));
// Derived from each by the build script: the popular names spelt backwards.
static PYPI_POPULAR_REVERSED: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/pypi.popular-reversed.fst"));
static NPM_POPULAR_REVERSED: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/npm.popular-reversed.fst"));

/// The raw bytes of the embedded index for `ecosystem`.
pub fn bytes(ecosystem: Ecosystem) -> &'static [u8] {
    match ecosystem {
        Ecosystem::PyPI => PYPI,
        Ecosystem::Npm => NPM,
    }
}

/// Opens the embedded index for `ecosystem` (microseconds: nothing is copied or parsed
/// beyond the header).
pub fn open(ecosystem: Ecosystem) -> Result<Index, IndexError> {
    let origin = format!("embedded {} snapshot", ecosystem.id());
    let bytes = bytes(ecosystem);
    if bytes.is_empty() {
        return Err(IndexError::Invalid {
            origin,
            reason: "this build of depproof embeds no snapshot (data/snapshots was missing when it was \
                     compiled): give one with --index, or rebuild after scripts/refresh-snapshots.sh"
                .into(),
        });
    }
    let popular_reversed = match ecosystem {
        Ecosystem::PyPI => PYPI_POPULAR_REVERSED,
        Ecosystem::Npm => NPM_POPULAR_REVERSED,
    };
    Index::from_static(bytes, popular_reversed, origin)
}
