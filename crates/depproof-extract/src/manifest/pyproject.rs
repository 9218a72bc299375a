//! `pyproject.toml`: PEP 621 `[project]`, PEP 735 `[dependency-groups]`,
//! `[build-system]`, and the dependency tables of Poetry, PDM, uv and Hatch.

use toml::de::{DeTable, DeValue};

use super::requirement::{Sources, report};
use super::requirements::read_line;
use super::toml_util::{
    Key, Value, get, get_str, line_of, named_dependency, parse, source_of, string_piece, table_at,
};
use super::{Flags, normalize_pypi};
use crate::location::Code;
use crate::reference::Output;

/// Reports the dependencies a `pyproject.toml` declares.
///
/// - `[project] dependencies`: runtime; `[project.optional-dependencies]`: optional.
/// - `[dependency-groups]` (PEP 735), `[build-system] requires`, Poetry's
///   `dev-dependencies` and `group.*.dependencies` (but the `main` group), PDM's
///   `dev-dependencies`, uv's `dev-dependencies`, Hatch's environment `dependencies` and
///   `extra-dependencies`: dev (none of them is installed with the package).
/// - `[tool.poetry.dependencies]`: runtime (`python` is skipped), optional when the
///   table says `optional = true`.
/// - A dependency that `[tool.uv.sources]` takes from git, a path, a URL or the workspace
///   is reported as a non-registry source wherever it is declared.
///
/// A PEP 508 marker makes a dependency optional only when it holds with an extra alone
/// (`; extra == "test"`); a platform or Python-version marker does not.
pub fn find_pyproject(code: &Code, out: &mut Output) {
    let doc = parse(code, out);
    let sources = uv_sources(&doc);
    if let Some(project) = table_at(&doc, &["project"]) {
        pep508_array(
            code,
            out,
            get(project, "dependencies"),
            Flags::RUNTIME,
            &sources,
            "project.dependencies",
        );
        for_each_table_entry(
            code,
            out,
            get(project, "optional-dependencies"),
            "project.optional-dependencies",
            |code, out, _, value| {
                pep508_array(
                    code,
                    out,
                    Some(value),
                    Flags::OPTIONAL,
                    &sources,
                    "project.optional-dependencies",
                );
            },
        );
    }
    for_each_table_entry(
        code,
        out,
        get(&doc, "dependency-groups"),
        "dependency-groups",
        |code, out, _, value| {
            pep508_array(
                code,
                out,
                Some(value),
                Flags::DEV,
                &sources,
                "dependency-groups",
            );
        },
    );
    if let Some(build) = table_at(&doc, &["build-system"]) {
        pep508_array(
            code,
            out,
            get(build, "requires"),
            Flags::DEV,
            &sources,
            "build-system.requires",
        );
    }
    if let Some(poetry) = table_at(&doc, &["tool", "poetry"]) {
        poetry_table(code, out, get(poetry, "dependencies"), Flags::RUNTIME);
        poetry_table(code, out, get(poetry, "dev-dependencies"), Flags::DEV);
        for_each_table_entry(
            code,
            out,
            get(poetry, "group"),
            "tool.poetry.group",
            |code, out, group, value| {
                let flags = if group.get_ref() == "main" {
                    Flags::RUNTIME
                } else {
                    Flags::DEV
                };
                if let Some(t) = value.get_ref().as_table() {
                    poetry_table(code, out, get(t, "dependencies"), flags);
                }
            },
        );
    }
    // PDM's lists take pip's line syntax (`-e file:///${PROJECT_ROOT}/sub`).
    for_each_table_entry(
        code,
        out,
        table_at(&doc, &["tool", "pdm"]).and_then(|pdm| get(pdm, "dev-dependencies")),
        "tool.pdm.dev-dependencies",
        |code, out, _, value| {
            strings(
                code,
                out,
                Some(value),
                "tool.pdm.dev-dependencies",
                |code, out, v| {
                    if let Some(piece) = string_piece(code.text, v) {
                        read_line(code, out, &piece, Flags::DEV);
                    }
                },
            );
        },
    );
    if let Some(uv) = table_at(&doc, &["tool", "uv"]) {
        pep508_array(
            code,
            out,
            get(uv, "dev-dependencies"),
            Flags::DEV,
            &sources,
            "tool.uv.dev-dependencies",
        );
    }
    for_each_table_entry(
        code,
        out,
        table_at(&doc, &["tool", "hatch"]).and_then(|h| get(h, "envs")),
        "tool.hatch.envs",
        |code, out, env, value| {
            if let Some(t) = value.get_ref().as_table() {
                for key in ["dependencies", "extra-dependencies"] {
                    let section = format!("tool.hatch.envs.{}.{key}", env.get_ref());
                    pep508_array(code, out, get(t, key), Flags::DEV, &sources, &section);
                }
            }
        },
    );
}

/// The project's own name: PEP 621 `project.name`, else Poetry's `tool.poetry.name`.
pub fn pyproject_project_name(text: &str) -> Option<String> {
    let (doc, _) = DeTable::parse_recoverable(text);
    let doc = doc.get_ref();
    table_at(doc, &["project"])
        .and_then(|p| get_str(p, "name"))
        .or_else(|| table_at(doc, &["tool", "poetry"]).and_then(|p| get_str(p, "name")))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
}

/// `[tool.uv.sources]`: dependencies that come from git, a path, a URL or the workspace.
fn uv_sources(doc: &DeTable) -> Sources {
    let mut sources = Sources::new();
    let Some(table) = table_at(doc, &["tool", "uv", "sources"]) else {
        return sources;
    };
    for (name, value) in table.iter() {
        let source = match value.get_ref() {
            DeValue::Table(t) => source_of(t),
            DeValue::Array(items) => items
                .iter()
                .filter_map(|i| i.get_ref().as_table())
                .find_map(source_of),
            _ => None,
        };
        if let Some((what, text)) = source {
            sources.insert(normalize_pypi(name.get_ref()), (what, text.to_string()));
        }
    }
    sources
}

/// Calls `f` with each string of an array value; warns about anything else.
fn strings<'v>(
    code: &Code,
    out: &mut Output,
    value: Option<&'v Value<'_>>,
    section: &str,
    mut f: impl FnMut(&Code, &mut Output, &'v Value<'_>),
) {
    let Some(value) = value else {
        return;
    };
    let Some(items) = value.get_ref().as_array() else {
        out.warn(
            &code.path,
            Some(line_of(code, value)),
            format!("{section} is not an array; not read"),
        );
        return;
    };
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(_) => f(code, out, item),
            // PEP 735 `{include-group = "…"}` names a group read on its own.
            DeValue::Table(t) if get(t, "include-group").is_some() => {}
            _ => out.warn(
                &code.path,
                Some(line_of(code, item)),
                format!("{section}: an item is not a string; not read"),
            ),
        }
    }
}

/// An array of PEP 508 strings.
fn pep508_array(
    code: &Code,
    out: &mut Output,
    value: Option<&Value<'_>>,
    flags: Flags,
    sources: &Sources,
    section: &str,
) {
    strings(code, out, value, section, |code, out, item| {
        if let Some(piece) = string_piece(code.text, item) {
            let len = piece.text.len();
            report(code, out, &piece, 0..len, flags, sources);
        }
    });
}

/// Calls `f` with the key and value of each entry of a table value.
fn for_each_table_entry<'v>(
    code: &Code,
    out: &mut Output,
    value: Option<&'v Value<'_>>,
    section: &str,
    mut f: impl FnMut(&Code, &mut Output, &'v Key<'_>, &'v Value<'_>),
) {
    let Some(value) = value else {
        return;
    };
    let Some(table) = value.get_ref().as_table() else {
        out.warn(
            &code.path,
            Some(line_of(code, value)),
            format!("{section} is not a table; not read"),
        );
        return;
    };
    for (key, value) in table.iter() {
        f(code, out, key, value);
    }
}

/// A Poetry dependency table: `name = "^1.0"` or `name = {…}`; `python` is the
/// interpreter, not a package.
fn poetry_table(code: &Code, out: &mut Output, value: Option<&Value<'_>>, flags: Flags) {
    let section = "tool.poetry dependencies";
    for_each_table_entry(code, out, value, section, |code, out, key, v| {
        if !key.get_ref().eq_ignore_ascii_case("python") {
            named_dependency(code, out, key, v, flags, section);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_util::{get, names, run, spanned};
    use crate::reference::{Mention, NotRegistry};

    // FastAPI's pyproject (hatch/pdm era), trimmed.
    const FASTAPI: &str = r#"[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"

[project]
name = "fastapi"
dynamic = ["version"]
description = "FastAPI framework, high performance, easy to learn, fast to code, ready for production"
readme = "README.md"
requires-python = ">=3.8"
license = "MIT"
authors = [
    { name = "Sebastián Ramírez", email = "tiangolo@gmail.com" },
]
classifiers = [
    "Intended Audience :: Information Technology",
    "Programming Language :: Python :: 3.12",
]
dependencies = [
    "starlette>=0.40.0,<0.42.0",
    "pydantic>=1.7.4,!=1.8,!=1.8.1,!=2.0.0,!=2.0.1,!=2.1.0,<3.0.0",
    "typing-extensions>=4.8.0",
]

[project.urls]
Homepage = "https://github.com/fastapi/fastapi"

[project.optional-dependencies]
standard = [
    "fastapi-cli[standard] >=0.0.5",
    # For the test client
    "httpx >=0.23.0",
    "jinja2 >=2.11.2",
    "email-validator >=2.0.0",
    "uvicorn[standard] >=0.12.0",
]

[tool.pdm]
version = { source = "file", path = "fastapi/__init__.py" }
distribution = true

[tool.pdm.dev-dependencies]
test = ["-e file:///${PROJECT_ROOT}/libs/testutils", "pytest >=7.1.3,<8.0.0"]

[tool.hatch.envs.docs]
dependencies = ["mkdocs-material==9.5.18"]

[tool.mypy]
strict = true
"#;

    #[test]
    fn fastapi() {
        let out = run("pyproject.toml", FASTAPI, find_pyproject);
        assert_eq!(
            names(&out),
            [
                "starlette",
                "pydantic",
                "typing-extensions",
                "fastapi-cli",
                "httpx",
                "jinja2",
                "email-validator",
                "uvicorn",
                "pdm-backend",
                "!file:///${PROJECT_ROOT}/libs/testutils",
                "pytest",
                "mkdocs-material",
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let pydantic = get(&out, "pydantic");
        assert_eq!(
            pydantic.version.as_deref(),
            Some(">=1.7.4,!=1.8,!=1.8.1,!=2.0.0,!=2.0.1,!=2.1.0,<3.0.0")
        );
        assert_eq!((pydantic.location.line, pydantic.location.column), (21, 6));
        assert_eq!(spanned(FASTAPI, pydantic), "pydantic");
        assert!(!pydantic.optional && !pydantic.dev);
        let cli = get(&out, "fastapi-cli");
        assert!(cli.optional && !cli.dev);
        assert_eq!(cli.version.as_deref(), Some(">=0.0.5"));
        assert_eq!(spanned(FASTAPI, cli), "fastapi-cli");
        let backend = get(&out, "pdm-backend");
        assert!(backend.dev);
        assert_eq!(spanned(FASTAPI, backend), "pdm-backend");
        assert!(get(&out, "pytest").dev);
        assert!(get(&out, "mkdocs-material").dev);
        assert_eq!(pyproject_project_name(FASTAPI).as_deref(), Some("fastapi"));
    }

    // A Poetry project (modelled on poetry's own docs and typical apps).
    const POETRY: &str = r#"[tool.poetry]
name = "my-package"
version = "0.1.0"
description = "The description of the package"

[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.31"
"tomli" = { version = ">=1.1", python = "<3.11" }
pendulum = { git = "https://github.com/sdispater/pendulum.git", branch = "develop" }
my-lib = { path = "../my-lib/", develop = true }
wheel-dep = { url = "https://example.com/my-package-0.1.0.tar.gz" }
psycopg2 = { version = "^2.9", optional = true }
foo = [
    { version = "<=1.9", python = ">=3.6,<3.8" },
    { version = "^2.0", python = ">=3.8" }
]

[tool.poetry.dev-dependencies]
black = "^23.1"

[tool.poetry.group.test.dependencies]
pytest = "^6.0.0"
pytest-mock = "*"

[tool.poetry.group.main.dependencies]
attrs = "*"

[tool.poetry.extras]
pgsql = ["psycopg2"]

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#;

    #[test]
    fn poetry_project() {
        let out = run("pyproject.toml", POETRY, find_pyproject);
        assert_eq!(
            names(&out),
            [
                "poetry-core",
                "requests",
                "tomli",
                "!https://github.com/sdispater/pendulum.git",
                "!../my-lib/",
                "!https://example.com/my-package-0.1.0.tar.gz",
                "psycopg2",
                "foo",
                "black",
                "pytest",
                "pytest-mock",
                "attrs",
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let requests = get(&out, "requests");
        assert_eq!(requests.version.as_deref(), Some("^2.31"));
        assert_eq!((requests.location.line, requests.location.column), (8, 1));
        let tomli = get(&out, "tomli");
        assert_eq!(spanned(POETRY, tomli), "tomli");
        assert_eq!(tomli.version.as_deref(), Some(">=1.1"));
        let pendulum = get(&out, "!https://github.com/sdispater/pendulum.git");
        assert_eq!(spanned(POETRY, pendulum), "pendulum");
        assert!(matches!(
            pendulum.mention,
            Mention::NotRegistry {
                what: NotRegistry::Vcs,
                ..
            }
        ));
        assert!(matches!(
            get(&out, "!../my-lib/").mention,
            Mention::NotRegistry {
                what: NotRegistry::LocalPath,
                ..
            }
        ));
        assert!(get(&out, "psycopg2").optional);
        assert_eq!(get(&out, "foo").version.as_deref(), Some("<=1.9"));
        assert!(get(&out, "black").dev);
        assert!(get(&out, "pytest-mock").dev);
        assert_eq!(get(&out, "pytest-mock").version.as_deref(), Some("*"));
        assert!(!get(&out, "attrs").dev);
        assert_eq!(
            pyproject_project_name(POETRY).as_deref(),
            Some("my-package")
        );
    }

    // black's pyproject (hatch), trimmed, plus PEP 735 groups and uv sources.
    const BLACK_UV: &str = r#"[build-system]
requires = ["hatchling>=1.20.0", "hatch-vcs", "hatch-fancy-pypi-readme"]
build-backend = "hatchling.build"

[project]
name = "black"
requires-python = ">=3.9"
dependencies = [
  "click>=8.0.0",
  "mypy_extensions>=0.4.3",
  "packaging>=22.0",
  "pathspec>=0.9.0",
  "platformdirs>=2",
  "tomli>=1.1.0; python_version < '3.11'",
  "typing_extensions>=4.0.1; python_version < '3.11'",
  "internal-utils",
]
dynamic = ["readme", "version"]

[project.optional-dependencies]
colorama = ["colorama>=0.4.3"]
uvloop = ["uvloop>=0.15.2"]
d = ["aiohttp>=3.10"]
jupyter = ["ipython>=7.8.0", "tokenize-rt>=3.2.0"]

[dependency-groups]
test = ["pytest>=8", "coverage[toml]"]
dev = [{include-group = "test"}, "ruff==0.6.9"]

[tool.uv]
dev-dependencies = ["pre-commit"]

[tool.uv.sources]
internal-utils = { workspace = true }
Pathspec = { git = "https://github.com/cpburnz/python-pathspec", tag = "v0.12.1" }
click = { index = "pypi" }

[tool.hatch.envs.default]
extra-dependencies = ["mypy"]
"#;

    #[test]
    fn black_with_groups_and_uv_sources() {
        let out = run("pyproject.toml", BLACK_UV, find_pyproject);
        assert_eq!(
            names(&out),
            [
                "click",
                "mypy_extensions",
                "packaging",
                "!https://github.com/cpburnz/python-pathspec",
                "platformdirs",
                "tomli",
                "typing_extensions",
                "!workspace",
                "colorama",
                "uvloop",
                "aiohttp",
                "ipython",
                "tokenize-rt",
                "pytest",
                "coverage",
                "ruff",
                "hatchling",
                "hatch-vcs",
                "hatch-fancy-pypi-readme",
                "pre-commit",
                "mypy",
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let tomli = get(&out, "tomli");
        assert!(!tomli.optional, "a python_version marker is not an extra");
        assert_eq!(tomli.version.as_deref(), Some(">=1.1.0"));
        assert_eq!(spanned(BLACK_UV, tomli), "tomli");
        let pathspec = get(&out, "!https://github.com/cpburnz/python-pathspec");
        assert_eq!(spanned(BLACK_UV, pathspec), "pathspec");
        assert_eq!(pathspec.location.line, 12);
        assert!(matches!(
            get(&out, "!workspace").mention,
            Mention::NotRegistry {
                what: NotRegistry::Workspace,
                ..
            }
        ));
        assert!(get(&out, "ruff").dev && !get(&out, "ruff").optional);
        assert!(get(&out, "coverage").dev);
        assert!(get(&out, "hatchling").dev);
        assert!(get(&out, "mypy").dev);
        assert!(get(&out, "uvloop").optional);
    }

    #[test]
    fn broken_pyproject_warns_with_place_and_reads_the_rest() {
        let text = "[project]\nname = \"x\"\ndependencies = [\"requests>=2\", \"flask\"]\n\n[tool.poetry.dependencies\nbroken = \n\n[build-system]\nrequires = [\"setuptools>=61\", 42, \"not a valid req!\"]\n";
        let out = run("pyproject.toml", text, find_pyproject);
        assert_eq!(names(&out), ["requests", "flask", "setuptools"]);
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.line == Some(5) && d.message.contains("invalid TOML at line 5")),
            "{:?}",
            out.diagnostics
        );
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.line == Some(9) && d.message.contains("not a string"))
        );
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.line == Some(9) && d.message.contains("not a valid requirement"))
        );
    }

    #[test]
    fn wrong_shapes_warn() {
        let text = "[project]\ndependencies = \"requests\"\noptional-dependencies = [\"x\"]\n";
        let out = run("pyproject.toml", text, find_pyproject);
        assert!(out.found.is_empty());
        assert_eq!(out.diagnostics.len(), 2, "{:?}", out.diagnostics);
        assert_eq!(pyproject_project_name("[project]\nname = 3\n"), None);
        assert_eq!(pyproject_project_name("not toml ["), None);
    }
}
