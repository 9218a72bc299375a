//! What the scanned project provides itself: its Python modules and distribution names,
//! its JavaScript workspace packages and path aliases. Imports of these are not packages.

use std::collections::HashSet;

use crate::location::Code;
use crate::manifest::{self, ManifestKind};
use crate::reference::Output;
use crate::resolve::python::PythonProject;
use crate::scan::dispatch::SourceKind;
use crate::walk::WalkedFile;

/// Facts one file contributes to the project.
#[derive(Debug, Default)]
pub struct FileFacts {
    /// A Python distribution name (pyproject.toml).
    pub python_name: Option<String>,
    /// An npm package name (package.json `name`).
    pub npm_name: Option<String>,
    /// tsconfig/jsconfig `paths` patterns.
    pub aliases: Vec<String>,
    /// Files this one includes (`-r other.txt`) or whose install commands read
    /// (`pip install -r other.txt`).
    pub includes: Vec<Include>,
}

/// A file that another file names as a source of more packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The path as written.
    pub path: String,
    /// The 1-based line on which it is written (within the cell, in a notebook).
    pub line: u32,
    /// The notebook cell, if any.
    pub cell: Option<u32>,
    /// Read by an install command, rather than included by a requirements file.
    pub by_command: bool,
}

impl FileFacts {
    /// Reads the project facts of a file of `kind`.
    pub fn of(kind: SourceKind, code: &Code, out: &mut Output) -> FileFacts {
        let mut f = FileFacts::default();
        match kind {
            SourceKind::Manifest(ManifestKind::Pyproject) => {
                f.python_name = manifest::pyproject_project_name(code.text)
            }
            SourceKind::Manifest(ManifestKind::PackageJson) => {
                f.npm_name = manifest::package_json_name_and_workspaces(code.text).0
            }
            SourceKind::TsConfig => match ts_path_aliases(code.text) {
                Ok(a) => f.aliases = a,
                Err(e) => out.warn(
                    &code.path,
                    None,
                    format!("cannot read compilerOptions.paths: {e}"),
                ),
            },
            _ => {}
        }
        if let SourceKind::Manifest(k) = kind {
            f.includes = manifest::includes(k, code)
                .into_iter()
                .map(|(path, line)| Include {
                    path,
                    line,
                    cell: None,
                    by_command: false,
                })
                .collect();
        }
        f
    }
}

/// The project as a whole.
#[derive(Debug, Default)]
pub struct Project {
    /// Python modules and distribution names.
    pub python: PythonProject,
    npm_names: HashSet<String>,
    /// (prefix, suffix) of each alias pattern; exact aliases have no `*`.
    aliases: Vec<(String, Option<String>)>,
}

impl Project {
    /// Registers a walked file's path (Python modules are known by their paths).
    pub fn add_path(&mut self, f: &WalkedFile) {
        let rel = f.path.strip_prefix(&f.root).unwrap_or(&f.path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !rel.is_empty() {
            self.python.add_module_path(&rel);
        }
    }

    /// Adds what a file said about the project.
    pub fn add_facts(&mut self, f: &FileFacts) {
        if let Some(n) = &f.python_name {
            self.python.add_distribution_name(n);
        }
        if let Some(n) = &f.npm_name {
            self.npm_names.insert(n.clone());
        }
        for a in &f.aliases {
            let entry = match a.split_once('*') {
                Some((p, s)) => (p.to_owned(), Some(s.to_owned())),
                None => (a.clone(), None),
            };
            if !self.aliases.contains(&entry) {
                self.aliases.push(entry);
            }
        }
    }

    /// Whether an npm package name is one of the project's own packages.
    pub fn is_js_workspace(&self, name: &str) -> bool {
        self.npm_names.contains(name)
    }

    /// Whether a specifier matches a tsconfig/jsconfig path alias.
    pub fn is_js_alias(&self, spec: &str) -> bool {
        self.aliases.iter().any(|(prefix, suffix)| match suffix {
            Some(s) => {
                spec.len() >= prefix.len() + s.len()
                    && spec.starts_with(prefix.as_str())
                    && spec.ends_with(s.as_str())
            }
            None => spec == prefix,
        })
    }
}

/// The keys of `compilerOptions.paths` in a tsconfig/jsconfig (JSON with comments and
/// trailing commas, which the lockfile reader's JSON parser accepts for bun.lock).
fn ts_path_aliases(text: &str) -> Result<Vec<String>, String> {
    let (root, err) = crate::lockfile::json::parse(text);
    if let Some(e) = err {
        return Err(format!("{} (byte {})", e.message, e.offset));
    }
    Ok(root
        .as_ref()
        .and_then(|r| r.get("compilerOptions"))
        .and_then(|c| c.get("paths"))
        .map(|p| {
            p.members()
                .iter()
                .map(|(k, _)| k.value().into_owned())
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsconfig_paths_with_comments_and_trailing_commas() {
        let text = r#"{
  // Vite + TS
  "compilerOptions": {
    "baseUrl": ".", /* root */
    "paths": { "@/*": ["src/*"], "~utils": ["src/utils/index.ts"], "@app/*": ["app/*"], },
    "note": "a // not a comment \\ é \" /* still a string */",
  },
}"#;
        let mut a = ts_path_aliases(text).unwrap();
        a.sort();
        assert_eq!(a, ["@/*", "@app/*", "~utils"]);
        let mut p = Project::default();
        p.add_facts(&FileFacts {
            aliases: a,
            ..FileFacts::default()
        });
        assert!(p.is_js_alias("@/components/Button"));
        assert!(p.is_js_alias("@app/x"));
        assert!(p.is_js_alias("~utils"));
        assert!(!p.is_js_alias("@apple/x"));
        assert!(!p.is_js_alias("lodash"));
        assert!(ts_path_aliases("{ not json").is_err());
    }
}
