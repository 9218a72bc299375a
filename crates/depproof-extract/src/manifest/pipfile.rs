//! wip
use crate::{Code, Output};
/// wip
pub fn find_pipfile(_c: &Code, _o: &mut Output) {}
