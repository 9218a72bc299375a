//! Shell functions that route installers through `depproof run`.
//!
//! Each function runs `depproof run -- TOOL ARGS…`; `depproof run` then executes the real
//! program found on `PATH` (not the function), so the functions never call themselves.
//! `command TOOL …` bypasses a function once in bash, zsh and fish.

use std::fmt;

/// The programs wrapped.
pub const TOOLS: [&str; 13] = [
    "pip", "pip3", "uv", "uvx", "pipx", "poetry", "pdm", "pipenv", "npm", "npx", "yarn", "pnpm",
    "bun",
];

/// Interpreters whose `-m pip` / `-m uv` runs an installer: wrapped only for those, every
/// other use runs the interpreter directly.
pub const INTERPRETERS: [&str; 2] = ["python", "python3"];

/// The modules run with `-m` that install packages.
const MODULES: [&str; 2] = ["pip", "uv"];

/// A shell `shell-init` writes functions for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
}

impl Shell {
    /// The shell named `name` (`bash`, `zsh`, `fish`).
    pub fn parse(name: &str) -> Option<Shell> {
        match name {
            "bash" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            _ => None,
        }
    }
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        })
    }
}

/// The script for `shell`, calling depproof as `depproof` (an absolute path when given,
/// so that the functions work whatever `PATH` holds later).
pub fn script(shell: Shell, depproof: &str) -> String {
    let exe = quote(shell, depproof);
    let mut s = String::new();
    match shell {
        Shell::Bash | Shell::Zsh => {
            s.push_str(&format!(
                "# depproof: installers go through `depproof run`, which checks every package \
                 name first.\n# Bypass once: `command pip install …`. Undo: `unset -f {} {}`.\n",
                TOOLS.join(" "),
                INTERPRETERS.join(" ")
            ));
            for tool in TOOLS {
                s.push_str(&format!("{tool}() {{ {exe} run -- {tool} \"$@\"; }}\n"));
            }
            let modules = MODULES.join("|");
            for py in INTERPRETERS {
                s.push_str(&format!(
                    "{py}() {{ if [ \"$1\" = -m ]; then case \"$2\" in {modules}) {exe} run -- {py} \"$@\"; \
                     return;; esac; fi; command {py} \"$@\"; }}\n"
                ));
            }
        }
        Shell::Fish => {
            s.push_str(&format!(
                "# depproof: installers go through `depproof run`, which checks every package \
                 name first.\n# Bypass once: `command pip install …`. Undo: `functions -e {} {}`.\n",
                TOOLS.join(" "),
                INTERPRETERS.join(" ")
            ));
            for tool in TOOLS {
                s.push_str(&format!(
                    "function {tool} --wraps {tool} --description 'checked by depproof'\n    \
                     {exe} run -- {tool} $argv\nend\n"
                ));
            }
            let modules = MODULES.join(" ");
            for py in INTERPRETERS {
                s.push_str(&format!(
                    "function {py} --wraps {py} --description 'checked by depproof when it installs'\n    \
                     if test (count $argv) -ge 2; and test \"$argv[1]\" = -m; and contains -- \"$argv[2]\" {modules}\n        \
                     {exe} run -- {py} $argv\n    else\n        command {py} $argv\n    end\nend\n"
                ));
            }
        }
    }
    s
}

/// `s` quoted for the shell when it needs quoting.
fn quote(shell: Shell, s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,".contains(&b));
    if plain {
        return s.to_owned();
    }
    match shell {
        Shell::Bash | Shell::Zsh => format!("'{}'", s.replace('\'', r"'\''")),
        Shell::Fish => format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_spaces_and_quotes_are_quoted() {
        assert_eq!(quote(Shell::Bash, "/usr/bin/depproof"), "/usr/bin/depproof");
        assert_eq!(quote(Shell::Bash, "/a b/it's"), r"'/a b/it'\''s'");
        assert_eq!(quote(Shell::Fish, "/a b/it's"), r"'/a b/it\'s'");
    }
}
