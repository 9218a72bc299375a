//! Package ecosystems, their name rules, and the registry snapshot index.

pub mod ecosystem;
pub mod embedded;
pub mod flags;
pub mod index;
pub mod npm;
pub mod overlay;
pub mod pypi;
pub mod typosquat;

pub use ecosystem::{Ecosystem, NameError, PackageName, Validity};
pub use flags::Flags;
pub use index::{Index, IndexError, Lookup, PackageInfo, Popularity, Suggestion};
pub use typosquat::TyposquatMatch;
