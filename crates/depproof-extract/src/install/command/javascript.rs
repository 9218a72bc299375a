//! JavaScript installers: npm, npx, yarn, pnpm, bun.

use super::*;

const NPM_OPTS: Table = &[
    ("-D", K::Dev),
    ("--save-dev", K::Dev),
    ("--dev", K::Dev),
    ("-O", K::Optional),
    ("--save-optional", K::Optional),
    ("-g", K::Global),
    ("--global", K::Global),
    ("--registry", K::Index),
    ("--prefix", K::Value),
    ("-C", K::Value),
    ("--tag", K::Value),
    ("--save-prefix", K::Value),
    ("-w", K::Value),
    ("--workspace", K::Value),
    ("--omit", K::Value),
    ("--include", K::Value),
    ("--install-strategy", K::Value),
    ("--cache", K::Value),
    ("--userconfig", K::Value),
    ("--globalconfig", K::Value),
    ("--loglevel", K::Value),
    ("--before", K::Value),
    ("--otp", K::Value),
    ("--location", K::Value),
    ("--script-shell", K::Value),
    ("--cpu", K::Value),
    ("--os", K::Value),
    ("--libc", K::Value),
    ("--access", K::Value),
    ("--auth-type", K::Value),
    ("--scope", K::Value),
];
pub(super) const NPX_OPTS: Table = &[
    ("-p", K::From),
    ("--package", K::From),
    ("-c", K::Value),
    ("--call", K::Value),
    ("--registry", K::Index),
    ("--cache", K::Value),
    ("-w", K::Value),
    ("--workspace", K::Value),
    ("--node-options", K::Value),
    ("--shell", K::Value),
    ("--prefix", K::Value),
    ("--userconfig", K::Value),
    ("--loglevel", K::Value),
];

/// npm's install aliases (its own list, typo forgiveness included).
const NPM_INSTALL: &[&str] = &[
    "install",
    "i",
    "in",
    "ins",
    "inst",
    "insta",
    "instal",
    "isnt",
    "isnta",
    "isntal",
    "isntall",
    "add",
    "install-test",
    "it",
];

pub(super) fn npm(args: &[Arg<'_>], program: usize, start: usize) -> Option<InstallCommand> {
    let (sub, name) = subcommand(args, start, &[NPM_OPTS])?;
    match name {
        n if NPM_INSTALL.contains(&n) => {
            let b = Builder::new(Tool::Npm, Action::Install, program);
            Some(install(args, start, &[sub], b, &[NPM_OPTS], Style::Npm))
        }
        "exec" | "x" => Some(runner(
            args,
            program,
            &[sub],
            Tool::Npm,
            &[NPX_OPTS, NPM_OPTS],
            Style::Npm,
        )),
        "create" | "init" | "innit" => Some(create(
            args,
            program,
            &[sub],
            Tool::Npm,
            &[NPX_OPTS, NPM_OPTS],
        )),
        _ => None,
    }
}

const YARN_OPTS: Table = &[
    ("-D", K::Dev),
    ("--dev", K::Dev),
    ("-O", K::Optional),
    ("--optional", K::Optional),
    ("-g", K::Global),
    ("--global", K::Global),
    ("-p", K::From),
    ("--package", K::From),
    ("--registry", K::Index),
    ("--cwd", K::Value),
    ("--network-timeout", K::Value),
    ("--modules-folder", K::Value),
    ("--cache-folder", K::Value),
    ("--mutex", K::Value),
    ("--use-yarnrc", K::Value),
];

pub(super) fn yarn(args: &[Arg<'_>], program: usize, start: usize) -> Option<InstallCommand> {
    let (first, mut name) = subcommand(args, start, &[YARN_OPTS])?;
    let mut skip = vec![first];
    let mut global = false;
    if name == "global" {
        global = true;
        let (sub, n) = subcommand(args, first + 1, &[YARN_OPTS])?;
        skip.push(sub);
        name = n;
    } else if name == "workspace" {
        // `yarn workspace NAME add x`
        let ws = Opts::new(args, first + 1, &[YARN_OPTS]).skip_to_positional();
        let (sub, n) = subcommand(args, ws + 1, &[YARN_OPTS])?;
        skip.extend([ws, sub]);
        name = n;
    }
    let mut cmd = match name {
        "add" => {
            let b = Builder::new(Tool::Yarn, Action::Install, program);
            install(args, start, &skip, b, &[YARN_OPTS], Style::Npm)
        }
        "dlx" => runner(args, program, &skip, Tool::Yarn, &[YARN_OPTS], Style::Npm),
        "create" => create(args, program, &skip, Tool::Yarn, &[YARN_OPTS]),
        _ => return None,
    };
    cmd.global |= global;
    Some(cmd)
}

const PNPM_OPTS: Table = &[
    ("-D", K::Dev),
    ("--save-dev", K::Dev),
    ("-O", K::Optional),
    ("--save-optional", K::Optional),
    ("-g", K::Global),
    ("--global", K::Global),
    ("--registry", K::Index),
    ("-F", K::Value),
    ("--filter", K::Value),
    ("-C", K::Value),
    ("--dir", K::Value),
    ("--reporter", K::Value),
    ("--store-dir", K::Value),
    ("--virtual-store-dir", K::Value),
    ("--allow-build", K::Value),
    ("--loglevel", K::Value),
    ("--workspace-concurrency", K::Value),
];
pub(super) const PNPM_DLX_OPTS: Table = &[
    ("--package", K::From),
    ("--registry", K::Index),
    ("--allow-build", K::Value),
    ("-C", K::Value),
    ("--dir", K::Value),
    ("--reporter", K::Value),
];

pub(super) fn pnpm(args: &[Arg<'_>], program: usize, start: usize) -> Option<InstallCommand> {
    let (sub, name) = subcommand(args, start, &[PNPM_OPTS])?;
    match name {
        "add" | "install" | "i" => {
            let b = Builder::new(Tool::Pnpm, Action::Install, program);
            Some(install(args, start, &[sub], b, &[PNPM_OPTS], Style::Npm))
        }
        "dlx" => Some(runner(
            args,
            program,
            &[sub],
            Tool::Pnpm,
            &[PNPM_DLX_OPTS, PNPM_OPTS],
            Style::Npm,
        )),
        "create" => Some(create(args, program, &[sub], Tool::Pnpm, &[PNPM_OPTS])),
        _ => None,
    }
}

const BUN_OPTS: Table = &[
    ("-d", K::Dev),
    ("-D", K::Dev),
    ("--dev", K::Dev),
    ("--development", K::Dev),
    ("--optional", K::Optional),
    ("-g", K::Global),
    ("--global", K::Global),
    ("--registry", K::Index),
    ("--cwd", K::Value),
    ("--backend", K::Value),
    ("--cache-dir", K::Value),
    ("--ca", K::Value),
    ("--cafile", K::Value),
    ("--omit", K::Value),
    ("--linker", K::Value),
    ("--filter", K::Value),
    ("-F", K::Value),
];
pub(super) const BUNX_OPTS: Table = &[("-p", K::From), ("--package", K::From)];

pub(super) fn bun(args: &[Arg<'_>], program: usize, start: usize) -> Option<InstallCommand> {
    let (sub, name) = subcommand(args, start, &[BUN_OPTS])?;
    match name {
        "add" | "a" | "install" | "i" => {
            let b = Builder::new(Tool::Bun, Action::Install, program);
            Some(install(args, start, &[sub], b, &[BUN_OPTS], Style::Npm))
        }
        "x" => Some(runner(
            args,
            program,
            &[sub],
            Tool::Bun,
            &[BUNX_OPTS, BUN_OPTS],
            Style::Npm,
        )),
        "create" | "c" => Some(create(args, program, &[sub], Tool::Bun, &[BUN_OPTS])),
        _ => None,
    }
}
