//! wip
use crate::{Code, Output};
/// wip
pub fn find_setup_py(_c: &Code, _o: &mut Output) {}
