//! Guards package installs at the moment they happen.
//!
//! - [`plan`]: which packages an install command (`pip install -r req.txt x`,
//!   `npm i y`, `uvx z`) would fetch from a registry, read from its argument vector and
//!   the requirement files it names.
//! - [`judge`]: the one place where a package is assessed, and the decision that follows
//!   from the verdict, the policy and the overrides.
//! - [`shell`]: shell functions that route installers through `depproof run`.
//! - [`proxy`]: a registry proxy for PyPI (Simple API) and npm clients that refuses
//!   blocked packages, with an audit log of every decision.

pub mod audit;
pub mod judge;
pub mod plan;
pub mod proxy;
pub mod shell;
