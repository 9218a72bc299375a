//! Declared dependencies in manifests: requirements files, `pyproject.toml`, `setup.cfg`,
//! `setup.py`, `Pipfile`, conda `environment.yml` and `package.json`.
//!
//! Every finder reports one [`Found`] of kind [`Kind::Manifest`] per declared dependency,
//! with the span on the dependency's name as it stands in the file. A dependency that does
//! not come from the registry (a URL, a VCS link, a local path, a workspace package, another
//! registry) is reported as [`Mention::NotRegistry`]: its `text` is the source as written
//! (the URL, the path, `workspace:*`) and its span is still on the dependency's name when the
//! manifest gives one (`name @ https://…`, a `package.json` key), else on the source itself.
//!
//! Finders are pure functions of the text: a requirements file that includes another
//! (`-r other.txt`) is not followed here; [`includes`] lists what the walker should follow.

mod conda;
mod json;
mod package_json;
mod pipfile;
mod pyproject;
mod requirement;
mod requirements;
mod setup_cfg;
mod setup_py;
mod toml_util;

use std::borrow::Cow;

use depproof_registry::Ecosystem;

use crate::location::Code;
use crate::reference::{Found, Kind, Mention, NotRegistry, Output};

pub use conda::{environment_includes, find_conda_environment};
pub use package_json::{find_package_json, package_json_name_and_workspaces};
pub use pipfile::find_pipfile;
pub use pyproject::{find_pyproject, pyproject_project_name};
pub use requirements::{find_requirements, requirement_includes};
pub use setup_cfg::find_setup_cfg;
pub use setup_py::find_setup_py;

/// The manifest formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ManifestKind {
    /// pip requirements and constraints files (`requirements*.txt`, pip-tools `.in` files).
    Requirements,
    /// `pyproject.toml` (PEP 621, PEP 735, build-system, Poetry, PDM, uv, Hatch).
    Pyproject,
    /// setuptools `setup.cfg`.
    SetupCfg,
    /// setuptools `setup.py`.
    SetupPy,
    /// pipenv `Pipfile`.
    Pipfile,
    /// conda `environment.yml`.
    CondaEnvironment,
    /// npm `package.json`.
    PackageJson,
}

/// The manifest format of a file, from its path (`/`- or `\`-separated; a bare file name
/// works for everything but `requirements/*.txt`, which needs the parent directory).
///
/// `*.in` files count only when they are pip-tools inputs (`requirements*.in`,
/// `*requirements.in`, `constraints*.in`, any `.in` under a `requirements/` directory):
/// `MANIFEST.in` and autotools' `Makefile.in` are not requirements.
pub fn manifest_kind(file_name: &str) -> Option<ManifestKind> {
    let mut parts = file_name.rsplit(['/', '\\']);
    let name = parts.next().unwrap_or("");
    let parent = parts.next().unwrap_or("");
    let lower = name.to_ascii_lowercase();
    match name {
        "pyproject.toml" => return Some(ManifestKind::Pyproject),
        "setup.cfg" => return Some(ManifestKind::SetupCfg),
        "setup.py" => return Some(ManifestKind::SetupPy),
        "Pipfile" => return Some(ManifestKind::Pipfile),
        "package.json" => return Some(ManifestKind::PackageJson),
        _ => {}
    }
    if let Some(stem) = lower
        .strip_suffix(".yml")
        .or_else(|| lower.strip_suffix(".yaml"))
    {
        let conda = stem == "environment"
            || stem.starts_with("environment-")
            || stem.starts_with("environment_")
            || stem.starts_with("environment.");
        return conda.then_some(ManifestKind::CondaEnvironment);
    }
    let stem = lower
        .strip_suffix(".txt")
        .or_else(|| lower.strip_suffix(".in"))?;
    let in_requirements_dir = parent.eq_ignore_ascii_case("requirements");
    let named = stem.contains("requirements") || stem.starts_with("constraints");
    (named || in_requirements_dir).then_some(ManifestKind::Requirements)
}

/// Runs the finder for `kind` on `code`.
pub fn find_manifest(kind: ManifestKind, code: &Code, out: &mut Output) {
    match kind {
        ManifestKind::Requirements => find_requirements(code, out),
        ManifestKind::Pyproject => find_pyproject(code, out),
        ManifestKind::SetupCfg => find_setup_cfg(code, out),
        ManifestKind::SetupPy => find_setup_py(code, out),
        ManifestKind::Pipfile => find_pipfile(code, out),
        ManifestKind::CondaEnvironment => find_conda_environment(code, out),
        ManifestKind::PackageJson => find_package_json(code, out),
    }
}

/// Files that a manifest of `kind` pulls in (`-r other.txt`, `-c constraints.txt`, a conda
/// `pip:` section's `-r`), as written (relative to the manifest's directory) with the
/// 1-based line of the mention. The walker reads them as requirements files.
pub fn includes(kind: ManifestKind, code: &Code) -> Vec<(String, u32)> {
    match kind {
        ManifestKind::Requirements => requirement_includes(code),
        ManifestKind::CondaEnvironment => environment_includes(code),
        _ => Vec::new(),
    }
}

/// Flags of a declared dependency, from where it is declared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Flags {
    pub optional: bool,
    pub dev: bool,
}

impl Flags {
    pub const RUNTIME: Flags = Flags {
        optional: false,
        dev: false,
    };
    pub const OPTIONAL: Flags = Flags {
        optional: true,
        dev: false,
    };
    pub const DEV: Flags = Flags {
        optional: false,
        dev: true,
    };
}

/// A piece of text taken out of a manifest (a decoded string literal, a joined logical
/// line), with the way back from its offsets to offsets in the code.
#[derive(Debug, Clone)]
pub(crate) struct Piece<'t> {
    /// The text as the tool reading the manifest sees it.
    pub text: Cow<'t, str>,
    origin: Origin,
}

#[derive(Debug, Clone)]
enum Origin {
    /// `text` is a verbatim copy of code bytes starting at this offset.
    Exact(usize),
    /// `text` is verbatim code bytes in segments: (offset in text, offset in code).
    Segments(Vec<(usize, usize)>),
    /// `text` was decoded (escapes); spans can only point at this whole range of code.
    Whole(usize, usize),
}

impl<'t> Piece<'t> {
    /// Text that is exactly `code.text[start..start + text.len()]`.
    pub fn exact(text: &'t str, start: usize) -> Piece<'t> {
        Piece {
            text: Cow::Borrowed(text),
            origin: Origin::Exact(start),
        }
    }

    /// Text joined from verbatim segments of code: (offset in `text`, offset in code).
    pub fn segments(text: String, segments: Vec<(usize, usize)>) -> Piece<'t> {
        Piece {
            text: Cow::Owned(text),
            origin: Origin::Segments(segments),
        }
    }

    /// A string literal whose raw content (between the quotes) is `code[start..end]`
    /// and whose value is `value`: exact when the two are the same, else only the whole
    /// literal can be pointed at.
    pub fn literal(code_text: &str, start: usize, end: usize, value: &'t str) -> Piece<'t> {
        let origin = if code_text.get(start..end) == Some(value) {
            Origin::Exact(start)
        } else {
            Origin::Whole(start, end.max(start))
        };
        Piece {
            text: Cow::Borrowed(value),
            origin,
        }
    }

    /// Code offsets of bytes `start..end` of `text`.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.origin {
            Origin::Exact(base) => (base + start, base + end.max(start)),
            Origin::Whole(s, e) => (*s, *e),
            Origin::Segments(segments) => {
                let map = |at: usize| {
                    let i = segments.partition_point(|&(t, _)| t <= at);
                    match i.checked_sub(1).and_then(|i| segments.get(i)) {
                        Some(&(t, c)) => c + (at - t),
                        None => segments.first().map_or(at, |&(_, c)| c),
                    }
                };
                let s = map(start);
                let e = if end > start { map(end - 1) + 1 } else { s };
                (s, e.max(s))
            }
        }
    }

    /// The 1-based line of byte `at` of `text` in the file.
    pub fn line(&self, code: &Code, at: usize) -> u32 {
        let (s, _) = self.span(at, at);
        code.location(s, s).line
    }
}

/// Normalizes a Python distribution name (PEP 503), to match a name across tables.
pub(crate) fn normalize_pypi(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Records a registry package.
pub(crate) fn push_package(
    out: &mut Output,
    code: &Code,
    ecosystem: Ecosystem,
    name: &str,
    span: (usize, usize),
    version: Option<String>,
    flags: Flags,
) {
    out.found.push(Found {
        mention: Mention::Package {
            ecosystem,
            name: name.to_string(),
        },
        kind: Kind::Manifest,
        location: code.location(span.0, span.1),
        version,
        optional: flags.optional,
        dev: flags.dev,
        uncertain: false,
    });
}

/// Records something in a package position that is not a registry package.
pub(crate) fn push_not_registry(
    out: &mut Output,
    code: &Code,
    ecosystem: Option<Ecosystem>,
    text: &str,
    what: NotRegistry,
    span: (usize, usize),
    flags: Flags,
) {
    out.found.push(Found {
        mention: Mention::NotRegistry {
            ecosystem,
            text: text.to_string(),
            what,
        },
        kind: Kind::Manifest,
        location: code.location(span.0, span.1),
        version: None,
        optional: flags.optional,
        dev: flags.dev,
        uncertain: false,
    });
}

/// What a non-registry Python source is: a VCS link, a URL or a local path.
pub(crate) fn classify_python_source(source: &str) -> NotRegistry {
    let lower = source.trim().to_ascii_lowercase();
    let vcs = ["git+", "hg+", "svn+", "bzr+", "git://", "git@"];
    if vcs.iter().any(|p| lower.starts_with(p)) {
        NotRegistry::Vcs
    } else if lower.starts_with("file:") {
        NotRegistry::LocalPath
    } else if lower.contains("://") {
        NotRegistry::Url
    } else {
        NotRegistry::LocalPath
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// Runs a finder on `text` as file `path`.
    pub fn run(path: &str, text: &str, finder: fn(&Code, &mut Output)) -> Output {
        let code = Code::file(path.into(), text);
        let mut out = Output::default();
        finder(&code, &mut out);
        out
    }

    /// The name (or non-registry text) of each found item.
    pub fn names(out: &Output) -> Vec<String> {
        out.found.iter().map(label).collect()
    }

    /// The name of a package, or `!text` for a non-registry source.
    pub fn label(f: &Found) -> String {
        match &f.mention {
            Mention::Package { name, .. } => name.clone(),
            Mention::NotRegistry { text, .. } => format!("!{text}"),
            other => format!("{other:?}"),
        }
    }

    /// The found item labelled `name` (see [`label`]).
    pub fn get<'o>(out: &'o Output, name: &str) -> &'o Found {
        out.found
            .iter()
            .find(|f| label(f) == name)
            .unwrap_or_else(|| panic!("{name} not found in {:?}", names(out)))
    }

    /// The text under a found item's span.
    pub fn spanned<'t>(text: &'t str, f: &Found) -> &'t str {
        &text[f.location.start as usize..f.location.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_file_names() {
        let k = manifest_kind;
        assert_eq!(k("requirements.txt"), Some(ManifestKind::Requirements));
        assert_eq!(
            k("a/b/requirements-dev.txt"),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(k("test-requirements.txt"), Some(ManifestKind::Requirements));
        assert_eq!(k("requirements/base.txt"), Some(ManifestKind::Requirements));
        assert_eq!(
            k("requirements\\prod.txt"),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(k("requirements/dev.in"), Some(ManifestKind::Requirements));
        assert_eq!(k("requirements.in"), Some(ManifestKind::Requirements));
        assert_eq!(k("constraints.txt"), Some(ManifestKind::Requirements));
        assert_eq!(k("constraints-py3.txt"), Some(ManifestKind::Requirements));
        assert_eq!(k("MANIFEST.in"), None);
        assert_eq!(k("Makefile.in"), None);
        assert_eq!(k("notes.txt"), None);
        assert_eq!(k("docs/pyproject.toml"), Some(ManifestKind::Pyproject));
        assert_eq!(k("setup.cfg"), Some(ManifestKind::SetupCfg));
        assert_eq!(k("setup.py"), Some(ManifestKind::SetupPy));
        assert_eq!(k("Pipfile"), Some(ManifestKind::Pipfile));
        assert_eq!(k("Pipfile.lock"), None);
        assert_eq!(k("environment.yml"), Some(ManifestKind::CondaEnvironment));
        assert_eq!(
            k("ci/environment-3.11.yaml"),
            Some(ManifestKind::CondaEnvironment)
        );
        assert_eq!(k(".github/workflows/ci.yml"), None);
        assert_eq!(
            k("packages/app/package.json"),
            Some(ManifestKind::PackageJson)
        );
        assert_eq!(k("package-lock.json"), None);
    }

    #[test]
    fn names_normalize() {
        assert_eq!(
            normalize_pypi("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(normalize_pypi("zope.interface"), "zope-interface");
        assert_eq!(normalize_pypi("a--b"), "a-b");
    }

    #[test]
    fn embedded_code_maps_spans_to_the_file() {
        // A requirements block inside a Markdown file, handed over as embedded code.
        let file = "# Setup\n\n```text\nflask==3.0 \\\n  --hash=sha256:abc\nrequests\n```\n";
        let start = file.find("flask").unwrap();
        let end = file.rfind("```").unwrap();
        let code = Code::embedded("README.md".into(), &file[start..end], start, 3, 0);
        let mut out = Output::default();
        find_manifest(ManifestKind::Requirements, &code, &mut out);
        let at: Vec<_> = out
            .found
            .iter()
            .map(|f| {
                let l = &f.location;
                (&file[l.start as usize..l.end as usize], l.line, l.column)
            })
            .collect();
        assert_eq!(at, [("flask", 4, 1), ("requests", 6, 1)]);
        assert!(includes(ManifestKind::PackageJson, &code).is_empty());
    }

    #[test]
    fn segments_map_back() {
        // "abc" from code 10..13 then "def" from code 20..23.
        let p = Piece::segments("abcdef".into(), vec![(0, 10), (3, 20)]);
        assert_eq!(p.span(0, 3), (10, 13));
        assert_eq!(p.span(3, 6), (20, 23));
        assert_eq!(p.span(1, 5), (11, 22));
        assert_eq!(p.span(2, 2), (12, 12));
    }
}
