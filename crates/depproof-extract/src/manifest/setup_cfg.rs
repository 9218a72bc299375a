//! wip
use crate::{Code, Output};
/// wip
pub fn find_setup_cfg(_c: &Code, _o: &mut Output) {}
