//! The popular names of an index, with what the snapshot knows of each.

use crate::{Index, PackageInfo};

/// The popular packages of `index`, in key order.
pub(crate) fn popular_infos(index: &Index) -> Vec<PackageInfo> {
    let mut out = Vec::with_capacity(usize::try_from(index.header().popular_count).unwrap_or(0));
    index.for_each_popular(|_, info| out.push(info));
    out
}
