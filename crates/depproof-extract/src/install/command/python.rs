//! Python installers: pip, uv, pipx, poetry, pdm, pipenv, conda, easy_install.

use super::*;

const PYTHON_OPTS: Table = &[
    ("-m", K::Module),
    ("-c", K::Stop),
    ("-X", K::Value),
    ("-W", K::Value),
    ("--check-hash-based-pycs", K::Value),
];

pub(super) fn python(args: &[Arg<'_>], start: usize, depth: u8, out: &mut Vec<InstallCommand>) {
    let mut o = Opts::new(args, start, &[PYTHON_OPTS]);
    while let Some(ev) = o.next() {
        match ev {
            Ev::Opt(K::Module, Some(v)) => {
                let Some((module, _)) = value_of(args, v) else {
                    return;
                };
                let module = match module.value {
                    "pip" | "pip3" => Program::Pip,
                    "uv" => Program::Uv,
                    "pipx" => Program::Pipx,
                    "poetry" => Program::Poetry,
                    "pdm" => Program::Pdm,
                    "pipenv" => Program::Pipenv,
                    "conda" => Program::Conda,
                    "easy_install" => Program::EasyInstall,
                    _ => return,
                };
                // The module stands where the program name would.
                return dispatch(module, args, v.arg, depth + 1, out);
            }
            Ev::Opt(K::Stop | K::Module, _) | Ev::Pos(_) => return,
            Ev::Opt(..) => {}
        }
    }
}

const PIP_OPTS: Table = &[
    ("-r", K::ReqFile),
    ("--requirement", K::ReqFile),
    ("-c", K::Constraint),
    ("--constraint", K::Constraint),
    ("-e", K::Editable),
    ("--editable", K::Editable),
    ("-i", K::Index),
    ("--index-url", K::Index),
    ("--no-index", K::NoIndex),
    ("--index", K::Index),
    ("--extra-index-url", K::Index),
    ("-f", K::Index),
    ("--find-links", K::Index),
    ("-t", K::Value),
    ("--target", K::Value),
    ("--platform", K::Value),
    ("--python-version", K::Value),
    ("--implementation", K::Value),
    ("--abi", K::Value),
    ("--root", K::Value),
    ("--prefix", K::Value),
    ("--src", K::Value),
    ("--upgrade-strategy", K::Value),
    ("-C", K::Value),
    ("--config-settings", K::Value),
    ("--global-option", K::Value),
    ("--install-option", K::Value),
    ("--build-option", K::Value),
    ("--no-binary", K::Value),
    ("--only-binary", K::Value),
    ("--progress-bar", K::Value),
    ("--root-user-action", K::Value),
    ("--report", K::Value),
    ("--use-feature", K::Value),
    ("--use-deprecated", K::Value),
    ("--keyring-provider", K::Value),
    ("--resume-retries", K::Value),
    ("--group", K::Value),
    ("--log", K::Value),
    ("--log-file", K::Value),
    ("--proxy", K::Value),
    ("--retries", K::Value),
    ("--timeout", K::Value),
    ("--exists-action", K::Value),
    ("--trusted-host", K::Value),
    ("--cert", K::Value),
    ("--client-cert", K::Value),
    ("--cache-dir", K::Value),
    ("--python", K::Value),
    ("-d", K::Value),
    ("--dest", K::Value),
    ("-w", K::Value),
    ("--wheel-dir", K::Value),
];

pub(super) fn pip(args: &[Arg<'_>], program: usize, start: usize) -> Option<InstallCommand> {
    let (sub, name) = subcommand(args, start, &[PIP_OPTS])?;
    if !matches!(name, "install" | "download" | "wheel") {
        return None;
    }
    let b = Builder::new(Tool::Pip, Action::Install, program);
    Some(install(
        args,
        start,
        &[sub],
        b,
        &[PIP_OPTS],
        Style::Py(PyStyle::Pep508),
    ))
}

pub(super) const UV_GLOBAL: Table = &[
    ("--directory", K::Value),
    ("--project", K::Value),
    ("--cache-dir", K::Value),
    ("--config-file", K::Value),
    ("--color", K::Value),
    ("-p", K::Value),
    ("--python", K::Value),
    ("--python-preference", K::Value),
    ("--allow-insecure-host", K::Value),
    ("-i", K::Index),
    ("--index-url", K::Index),
    ("--no-index", K::NoIndex),
    ("--index", K::Index),
    ("--default-index", K::Index),
    ("--extra-index-url", K::Index),
    ("-f", K::Index),
    ("--find-links", K::Index),
    ("--index-strategy", K::Value),
    ("--keyring-provider", K::Value),
    ("--resolution", K::Value),
    ("--prerelease", K::Value),
    ("--exclude-newer", K::Value),
    ("--exclude-newer-package", K::Value),
    ("--link-mode", K::Value),
    ("-C", K::Value),
    ("--config-setting", K::Value),
    ("--config-settings-package", K::Value),
    ("-P", K::Value),
    ("--upgrade-package", K::Value),
    ("--reinstall-package", K::Value),
    ("--refresh-package", K::Value),
    ("--no-build-package", K::Value),
    ("--no-binary-package", K::Value),
    ("--no-build-isolation-package", K::Value),
    ("--no-binary", K::Value),
    ("--only-binary", K::Value),
    ("--python-platform", K::Value),
    ("--python-version", K::Value),
    ("--env-file", K::Value),
    ("--torch-backend", K::Value),
    ("--fork-strategy", K::Value),
];
const UV_PIP_OPTS: Table = &[
    ("-r", K::ReqFile),
    ("--requirement", K::ReqFile),
    ("--requirements", K::ReqFile),
    ("-c", K::Constraint),
    ("--constraint", K::Constraint),
    ("--constraints", K::Constraint),
    ("--override", K::Constraint),
    ("--overrides", K::Constraint),
    ("-b", K::Constraint),
    ("--build-constraint", K::Constraint),
    ("--build-constraints", K::Constraint),
    ("-e", K::Editable),
    ("--editable", K::Editable),
    ("--extra", K::Value),
    ("--group", K::Value),
    ("-t", K::Value),
    ("--target", K::Value),
    ("--prefix", K::Value),
    ("-d", K::Value),
];
const UV_ADD_OPTS: Table = &[
    ("-r", K::ReqFile),
    ("--requirements", K::ReqFile),
    ("-c", K::Constraint),
    ("--constraints", K::Constraint),
    ("--dev", K::Dev),
    ("--group", K::Group),
    ("--optional", K::OptionalValue),
    ("-m", K::OptionalValue),
    ("--marker", K::OptionalValue),
    ("--extra", K::Value),
    ("--rev", K::Value),
    ("--tag", K::Value),
    ("--branch", K::Value),
    ("--package", K::Value),
    ("--script", K::Value),
    ("--bounds", K::Value),
];
const UV_TOOL_INSTALL_OPTS: Table = &[
    ("-w", K::Package),
    ("--with", K::Package),
    ("--from", K::Package),
    ("--with-editable", K::Editable),
    ("-e", K::Editable),
    ("--editable", K::Editable),
    ("--with-requirements", K::ReqFile),
    ("-c", K::Constraint),
    ("--constraints", K::Constraint),
    ("--overrides", K::Constraint),
    ("--build-constraints", K::Constraint),
    ("--with-executables-from", K::Package),
];
pub(super) const UV_RUN_OPTS: Table = &[
    ("-w", K::Package),
    ("--with", K::Package),
    ("--from", K::From),
    ("--with-editable", K::Editable),
    ("--with-requirements", K::ReqFile),
    ("-c", K::Constraint),
    ("--constraints", K::Constraint),
    ("--overrides", K::Constraint),
    ("--build-constraints", K::Constraint),
    ("--package", K::Value),
    ("--extra", K::Value),
    ("--group", K::Value),
    ("--only-group", K::Value),
    ("--no-group", K::Value),
    ("--script", K::Value),
    ("--gui-script", K::Value),
];

pub(super) fn uv(
    args: &[Arg<'_>],
    program: usize,
    start: usize,
    depth: u8,
    out: &mut Vec<InstallCommand>,
) {
    let Some((sub, name)) = subcommand(args, start, &[UV_GLOBAL]) else {
        return;
    };
    let py = Style::Py(PyStyle::AtVersion);
    match name {
        "pip" => {
            let Some((sub2, name2)) = subcommand(args, sub + 1, &[UV_GLOBAL]) else {
                return;
            };
            if name2 == "install" {
                let b = Builder::new(Tool::Uv, Action::Install, program);
                out.push(install(
                    args,
                    start,
                    &[sub, sub2],
                    b,
                    &[UV_PIP_OPTS, UV_GLOBAL],
                    Style::Py(PyStyle::Pep508),
                ));
            }
        }
        "add" => {
            let b = Builder::new(Tool::Uv, Action::Install, program).groups(Groups::Dev);
            out.push(install(
                args,
                start,
                &[sub],
                b,
                &[UV_ADD_OPTS, UV_GLOBAL],
                py,
            ));
        }
        "tool" => {
            let Some((sub2, name2)) = subcommand(args, sub + 1, &[UV_GLOBAL]) else {
                return;
            };
            match name2 {
                "install" => {
                    let b = Builder::new(Tool::Uv, Action::Install, program);
                    out.push(install(
                        args,
                        start,
                        &[sub, sub2],
                        b,
                        &[UV_TOOL_INSTALL_OPTS, UV_GLOBAL],
                        py,
                    ));
                }
                "run" => out.push(runner(
                    args,
                    program,
                    &[sub, sub2],
                    Tool::Uv,
                    &[UV_RUN_OPTS, UV_GLOBAL],
                    py,
                )),
                _ => {}
            }
        }
        "run" => {
            // `uv run --with x CMD…` installs `x`, then runs CMD, which may itself install.
            let mut b = Builder::new(Tool::Uv, Action::Run, program);
            let mut o = Opts::new(args, start, &[UV_RUN_OPTS, UV_GLOBAL]);
            let mut command = None;
            while let Some(ev) = o.next() {
                match ev {
                    Ev::Opt(k, v) => b.option(args, k, v, py),
                    Ev::Pos(i) if i == sub => {}
                    Ev::Pos(i) => {
                        command = Some(i);
                        break;
                    }
                }
            }
            let cmd = b.finish();
            if !cmd.packages.is_empty() || !cmd.requirement_files.is_empty() {
                out.push(cmd);
            }
            if let Some(i) = command {
                parse_at(args, i, depth + 1, out);
            }
        }
        _ => {}
    }
}

const PIPX_OPTS: Table = &[
    ("--spec", K::From),
    ("--preinstall", K::Package),
    ("-r", K::ReqFile),
    ("--requirement", K::ReqFile),
    ("-i", K::Index),
    ("--index-url", K::Index),
    ("--no-index", K::NoIndex),
    ("--suffix", K::Value),
    ("--python", K::Value),
    ("--pip-args", K::Value),
    ("--backend", K::Value),
    ("--global", K::Global),
];

pub(super) fn pipx(args: &[Arg<'_>], program: usize, start: usize) -> Option<InstallCommand> {
    let (sub, name) = subcommand(args, start, &[PIPX_OPTS])?;
    let py = Style::Py(PyStyle::Pep508);
    match name {
        "install" => {
            let b = Builder::new(Tool::Pipx, Action::Install, program);
            Some(install(args, start, &[sub], b, &[PIPX_OPTS], py))
        }
        "run" => Some(runner(args, program, &[sub], Tool::Pipx, &[PIPX_OPTS], py)),
        "inject" => {
            // The first positional is the environment to inject into.
            let venv = Opts::new(args, sub + 1, &[PIPX_OPTS]).skip_to_positional();
            let b = Builder::new(Tool::Pipx, Action::Install, program);
            Some(install(args, start, &[sub, venv], b, &[PIPX_OPTS], py))
        }
        _ => None,
    }
}

const POETRY_GLOBAL: Table = &[
    ("-C", K::Value),
    ("--directory", K::Value),
    ("-P", K::Value),
    ("--project", K::Value),
];
const POETRY_ADD_OPTS: Table = &[
    ("-G", K::Group),
    ("--group", K::Group),
    ("-D", K::Dev),
    ("--dev", K::Dev),
    ("--optional", K::Optional),
    ("-E", K::Value),
    ("--extras", K::Value),
    ("--python", K::Value),
    ("--platform", K::Value),
    ("--markers", K::OptionalValue),
    ("--source", K::Value),
];

/// `poetry run`, `pipenv run`, `pdm run`, `conda run`: the rest is another command.
fn run_rest(
    args: &[Arg<'_>],
    start: usize,
    tables: &[Table],
    depth: u8,
    out: &mut Vec<InstallCommand>,
) {
    let i = Opts::new(args, start, tables).skip_to_positional();
    parse_at(args, i, depth + 1, out);
}

pub(super) fn poetry(
    args: &[Arg<'_>],
    program: usize,
    start: usize,
    depth: u8,
    out: &mut Vec<InstallCommand>,
) {
    let Some((first, mut name)) = subcommand(args, start, &[POETRY_GLOBAL]) else {
        return;
    };
    let mut sub = first;
    if name == "self" {
        let Some(next) = subcommand(args, first + 1, &[POETRY_GLOBAL]) else {
            return;
        };
        (sub, name) = next;
    }
    match name {
        "add" => {
            let b =
                Builder::new(Tool::Poetry, Action::Install, program).groups(Groups::DevUnlessMain);
            let tables = [POETRY_ADD_OPTS, POETRY_GLOBAL];
            out.push(install(
                args,
                start,
                &[first, sub],
                b,
                &tables,
                Style::Py(PyStyle::AtVersion),
            ));
        }
        "run" => run_rest(args, sub + 1, &[POETRY_GLOBAL], depth, out),
        _ => {}
    }
}

const PDM_OPTS: Table = &[
    ("-d", K::Dev),
    ("--dev", K::Dev),
    ("-G", K::Group),
    ("--group", K::Group),
    ("-e", K::Editable),
    ("--editable", K::Editable),
    ("-p", K::Value),
    ("--project", K::Value),
    ("-L", K::Value),
    ("--lockfile", K::Value),
    ("--venv", K::Value),
    ("-k", K::Value),
    ("--skip", K::Value),
    ("-S", K::Value),
    ("--strategy", K::Value),
    ("--config-setting", K::Value),
    ("-g", K::Global),
    ("--global", K::Global),
];

pub(super) fn pdm(
    args: &[Arg<'_>],
    program: usize,
    start: usize,
    depth: u8,
    out: &mut Vec<InstallCommand>,
) {
    let Some((sub, name)) = subcommand(args, start, &[PDM_OPTS]) else {
        return;
    };
    match name {
        "add" => {
            let b =
                Builder::new(Tool::Pdm, Action::Install, program).groups(Groups::OptionalUnlessDev);
            out.push(install(
                args,
                start,
                &[sub],
                b,
                &[PDM_OPTS],
                Style::Py(PyStyle::AtVersion),
            ));
        }
        "run" => run_rest(args, sub + 1, &[PDM_OPTS], depth, out),
        _ => {}
    }
}

const PIPENV_OPTS: Table = &[
    ("-d", K::Dev),
    ("--dev", K::Dev),
    ("--categories", K::Group),
    ("-e", K::Editable),
    ("--editable", K::Editable),
    ("-r", K::ReqFile),
    ("--requirements", K::ReqFile),
    ("-c", K::Constraint),
    ("--constraints", K::Constraint),
    ("-i", K::Index),
    ("--index", K::Index),
    ("--pypi-mirror", K::Index),
    ("--extra-index-url", K::Index),
    ("--python", K::Value),
];

pub(super) fn pipenv(
    args: &[Arg<'_>],
    program: usize,
    start: usize,
    depth: u8,
    out: &mut Vec<InstallCommand>,
) {
    let Some((sub, name)) = subcommand(args, start, &[PIPENV_OPTS]) else {
        return;
    };
    match name {
        "install" => {
            let b = Builder::new(Tool::Pipenv, Action::Install, program).groups(Groups::DevIfNamed);
            out.push(install(
                args,
                start,
                &[sub],
                b,
                &[PIPENV_OPTS],
                Style::Py(PyStyle::Pep508),
            ));
        }
        "run" => run_rest(args, sub + 1, &[PIPENV_OPTS], depth, out),
        _ => {}
    }
}

const CONDA_OPTS: Table = &[
    ("-n", K::Value),
    ("--name", K::Value),
    ("-p", K::Value),
    ("--prefix", K::Value),
    ("-c", K::Index),
    ("--channel", K::Index),
    ("--file", K::ReqFile),
    ("-f", K::ReqFile),
    ("--solver", K::Value),
    ("--clone", K::Value),
    ("-r", K::Value),
    ("--root-prefix", K::Value),
    ("--platform", K::Value),
    ("--subdir", K::Value),
    ("--repodata-fn", K::Value),
    ("--experimental", K::Value),
];

pub(super) fn conda(
    args: &[Arg<'_>],
    program: usize,
    start: usize,
    depth: u8,
    out: &mut Vec<InstallCommand>,
) {
    let Some((sub, name)) = subcommand(args, start, &[CONDA_OPTS]) else {
        return;
    };
    match name {
        "install" | "create" => {
            let b = Builder::new(Tool::Conda, Action::Install, program);
            out.push(install(args, start, &[sub], b, &[CONDA_OPTS], Style::Conda));
        }
        "run" => run_rest(args, sub + 1, &[CONDA_OPTS], depth, out),
        _ => {}
    }
}

pub(super) const EASY_INSTALL_OPTS: Table = &[
    ("-f", K::Index),
    ("--find-links", K::Index),
    ("-i", K::Index),
    ("--index-url", K::Index),
    ("--no-index", K::NoIndex),
    ("-d", K::Value),
    ("--install-dir", K::Value),
    ("-s", K::Value),
    ("--script-dir", K::Value),
    ("-b", K::Value),
    ("--build-directory", K::Value),
    ("-H", K::Value),
    ("--allow-hosts", K::Value),
];
