//! Resolution of import names to the registry packages that provide them.
//!
//! Finders report imports as written (`import cv2`); which package that means depends on
//! the project (its own modules), on the language (the standard library) and on curated
//! knowledge of the ecosystem (`cv2` comes from `opencv-python`). The curated tables live in
//! `data/python/` at the repository root, each with its provenance, and are compiled in.

pub mod python;

pub use python::{PyResolution, PythonProject, Rule, StdlibInfo, resolve_python};
