//! wip
use crate::{Code, Output};
/// wip
pub fn find_package_json(_c: &Code, _o: &mut Output) {}
/// wip
pub fn package_json_name_and_workspaces(_t: &str) -> (Option<String>, Vec<String>) { (None, vec![]) }
