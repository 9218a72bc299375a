//! pipenv's `Pipfile` (TOML).

use super::Flags;
use super::toml_util::{line_of, named_dependency, parse};
use crate::location::Code;
use crate::reference::Output;

/// Tables of a Pipfile that are not package categories.
const NOT_CATEGORIES: [&str; 4] = ["source", "requires", "pipenv", "scripts"];

/// Reports the packages a Pipfile declares.
///
/// `[packages]` is runtime, `[dev-packages]` dev; any other table is a pipenv category
/// (`[docs]`, `[tests]`), installed only on request, so dev too. `[requires]`
/// (`python_version`), `[source]`, `[pipenv]` and `[scripts]` are not packages. Values are
/// version strings (`"*"`, `"==2.0"`) or tables (`{version = …}`, `{git = …}`,
/// `{path = …, editable = true}`, `{file = "https://…"}`).
pub fn find_pipfile(code: &Code, out: &mut Output) {
    let doc = parse(code, out);
    for (category, value) in doc.iter() {
        let category = category.get_ref().as_ref();
        if NOT_CATEGORIES.contains(&category) {
            continue;
        }
        let Some(table) = value.get_ref().as_table() else {
            out.warn(
                &code.path,
                Some(line_of(code, value)),
                format!("Pipfile: `{category}` is not a table of packages; not read"),
            );
            continue;
        };
        let flags = if category == "packages" {
            Flags::RUNTIME
        } else {
            Flags::DEV
        };
        let section = format!("Pipfile [{category}]");
        for (key, value) in table.iter() {
            named_dependency(code, out, key, value, flags, &section);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_util::{get, names, run, spanned};
    use crate::reference::{Mention, NotRegistry};

    // Modelled on pipenv's documentation example.
    const PIPFILE: &str = r#"[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = "*"
django = "==4.2.*"
"Flask" = {version = ">=2.0", extras = ["async"]}
records = {git = "https://github.com/kennethreitz/records.git", ref = "master"}
mylocal = {path = "./libs/mylocal", editable = true}
wheel-dep = {file = "https://example.com/pkg-1.0-py3-none-any.whl"}
pywinusb = {version = "*", sys_platform = "== 'win32'"}

[dev-packages]
pytest = ">=7.0"

[docs]
sphinx = "~=7.0"

[requires]
python_version = "3.11"

[pipenv]
allow_prereleases = false
"#;

    #[test]
    fn pipenv_example() {
        let out = run("Pipfile", PIPFILE, find_pipfile);
        assert_eq!(
            names(&out),
            [
                "requests",
                "django",
                "Flask",
                "!https://github.com/kennethreitz/records.git",
                "!./libs/mylocal",
                "!https://example.com/pkg-1.0-py3-none-any.whl",
                "pywinusb",
                "pytest",
                "sphinx",
            ]
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let requests = get(&out, "requests");
        assert_eq!(requests.version.as_deref(), Some("*"));
        assert_eq!((requests.location.line, requests.location.column), (7, 1));
        assert!(!requests.dev);
        let flask = get(&out, "Flask");
        assert_eq!(spanned(PIPFILE, flask), "Flask");
        assert_eq!((flask.location.line, flask.location.column), (9, 2));
        assert_eq!(flask.version.as_deref(), Some(">=2.0"));
        let records = get(&out, "!https://github.com/kennethreitz/records.git");
        assert_eq!(spanned(PIPFILE, records), "records");
        assert!(matches!(
            records.mention,
            Mention::NotRegistry {
                what: NotRegistry::Vcs,
                ..
            }
        ));
        assert!(matches!(
            get(&out, "!https://example.com/pkg-1.0-py3-none-any.whl").mention,
            Mention::NotRegistry {
                what: NotRegistry::Url,
                ..
            }
        ));
        assert!(get(&out, "pytest").dev);
        assert!(get(&out, "sphinx").dev);
    }

    #[test]
    fn broken_pipfile() {
        let text = "[packages]\nrequests = \"*\"\nflask = \n\n[dev-packages]\npytest = 7\nblack = \"*\"\nbroken = [\"x\"]\n";
        let out = run("Pipfile", text, find_pipfile);
        // The parser recovers `flask = ` as an empty string: the name is still declared.
        assert_eq!(names(&out), ["requests", "flask", "black"]);
        assert_eq!(get(&out, "flask").version, None);
        let lines: Vec<_> = out.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(3), Some(6), Some(8)], "{:?}", out.diagnostics);
    }
}
