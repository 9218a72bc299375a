//! wip
use crate::{Code, Output};
/// wip
pub fn find_conda_environment(_c: &Code, _o: &mut Output) {}
/// wip
pub fn environment_includes(_c: &Code) -> Vec<(String, u32)> { Vec::new() }
