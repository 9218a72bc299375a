//! Finds every place where a package name enters a project: imports, install commands,
//! manifests, lockfiles, notebooks and chat answers.
//!
//! Each source kind has a finder module. A finder reads one piece of code or text and
//! reports [`Found`] items, raw mentions such as the import `cv2` or the install argument
//! `requests==2.0`, with their locations; resolving an import name to the package that
//! provides it is a separate step (`resolve`), because it needs the whole project.
//! Finders never fail: what they cannot read becomes a [`Diagnostic`] and they go on.

pub mod install;
pub mod javascript;
pub mod location;
pub mod lockfile;
pub mod manifest;
pub mod markdown;
pub mod notebook;
pub mod python;
pub mod reference;
pub mod resolve;
pub mod scan;
pub mod sfc;
pub mod suppress;
pub mod transcript;
pub mod walk;

pub use location::{Code, LineIndex, Location};
pub use reference::{Diagnostic, Found, Kind, Mention, NotRegistry, Output, Severity};
