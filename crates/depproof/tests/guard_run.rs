//! `depproof run` with the real pip and npm, against local registries (pypiserver,
//! Verdaccio) loaded with real packages and test packages named like invented ones; and
//! `depproof shell-init` in a real bash.

mod guard_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use guard_support::*;

const LIMIT: Duration = Duration::from_secs(180);

/// PATH with the test venv (pip, python) first.
fn path_with(bin: &Path) -> std::ffi::OsString {
    std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap()
}

fn run(tools: &Tools, home: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = depproof();
    cmd.arg("run")
        .args(args)
        .current_dir(dir)
        .env("PATH", path_with(&tools.bin()));
    isolate_pip(&mut cmd, home);
    isolate_npm(&mut cmd, home);
    output_within(cmd, LIMIT)
}

#[test]
fn pip_runs_only_when_every_package_passes() {
    let Some(tools) = tools() else { return };
    let base = fresh_dir("guard-run-pip");
    let packages = base.join("packages");
    pypi_registry_dir(&tools, &packages, &["flask-gpt-helperz"]);
    let (_server, addr) = pypiserver(&tools, &packages);
    let index = format!("http://{addr}/simple/");
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();

    // An established package installs; pip's own output and status come through.
    let target = base.join("t1");
    let o = run(
        &tools,
        &home,
        &base,
        &[
            "--",
            "pip",
            "install",
            "--index-url",
            &index,
            "--target",
            target.to_str().unwrap(),
            "six",
        ],
    );
    assert!(o.status.success(), "{}", all_output(&o));
    assert!(
        text(&o.stdout).contains("Successfully installed six"),
        "{}",
        all_output(&o)
    );
    assert!(target.join("six.py").is_file());

    // The registry has the invented name, but pip never runs.
    let target = base.join("t2");
    let o = run(
        &tools,
        &home,
        &base,
        &[
            "--",
            "pip",
            "install",
            "--index-url",
            &index,
            "--target",
            target.to_str().unwrap(),
            "six",
            "flask-gpt-helperz",
        ],
    );
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("refused flask-gpt-helperz (PyPI): block"),
        "{out}"
    );
    assert!(out.contains("DP001"), "{out}");
    assert!(!out.contains("Collecting"), "pip ran: {out}");
    assert!(!target.exists(), "pip installed something: {out}");

    // A requirements file is read too, and the refusal names its line.
    std::fs::write(
        base.join("requirements.txt"),
        "six\nflask-gpt-helperz==1.0.0\n",
    )
    .unwrap();
    let o = run(
        &tools,
        &home,
        &base,
        &[
            "--",
            "pip",
            "install",
            "--index-url",
            &index,
            "--target",
            target.to_str().unwrap(),
            "-r",
            "requirements.txt",
        ],
    );
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("refused flask-gpt-helperz"), "{out}");
    assert!(out.contains("requirements.txt:2"), "{out}");
    assert!(!target.exists(), "{out}");

    // A deliberate override is recorded, and pip then installs from the requirements file.
    let o = run(
        &tools,
        &home,
        &base,
        &[
            "--allow",
            "flask-gpt-helperz",
            "--",
            "pip",
            "install",
            "--index-url",
            &index,
            "--target",
            target.to_str().unwrap(),
            "-r",
            "requirements.txt",
        ],
    );
    let out = all_output(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("override (--allow): flask-gpt-helperz goes ahead despite"),
        "{out}"
    );
    assert!(
        target.join("flask_gpt_helperz/__init__.py").is_file(),
        "{out}"
    );

    // pip's own failure status passes through: a version the registry lacks.
    let o = run(
        &tools,
        &home,
        &base,
        &[
            "--",
            "pip",
            "install",
            "--index-url",
            &index,
            "--target",
            base.join("t3").to_str().unwrap(),
            "six==99.0",
        ],
    );
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("No matching distribution found for six==99.0"),
        "{out}"
    );

    // A missing requirements file stops the command: it cannot be checked.
    let o = run(
        &tools,
        &home,
        &base,
        &["--", "pip", "install", "-r", "absent.txt"],
    );
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("absent.txt"), "{out}");
}

#[test]
fn exit_status_and_standard_streams_pass_through() {
    let Some(tools) = tools() else { return };
    let base = fresh_dir("guard-run-passthrough");
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let o = run(
        &tools,
        &home,
        &base,
        &[
            "--",
            "python",
            "-c",
            "import sys; print('out'); print('err', file=sys.stderr); sys.exit(42)",
        ],
    );
    assert_eq!(o.status.code(), Some(42));
    assert_eq!(text(&o.stdout), "out\n");
    assert_eq!(text(&o.stderr), "err\n");

    // Standard input reaches the command.
    let mut cmd = depproof();
    cmd.args([
        "run",
        "--",
        "python",
        "-c",
        "import sys; print(sys.stdin.read().upper())",
    ])
    .env("PATH", path_with(&tools.bin()))
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"hello").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(text(&o.stdout), "HELLO\n");

    let o = run(&tools, &home, &base, &["--", "no-such-program-here"]);
    assert_eq!(o.status.code(), Some(127), "{}", all_output(&o));
}

#[test]
fn npm_runs_only_when_every_package_passes() {
    let Some(tools) = tools() else { return };
    let base = fresh_dir("guard-run-npm");
    npm_registry_storage(&tools, &base, &["lodahs"]);
    let (_server, addr) = verdaccio(&tools, &base);
    let registry = format!("http://{addr}/");
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let project = base.join("project");
    npm_project(&project);

    let o = run(
        &tools,
        &home,
        &project,
        &[
            "--",
            "npm",
            "install",
            "--registry",
            &registry,
            "ms",
            "is-number",
        ],
    );
    let out = all_output(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        project.join("node_modules/ms/package.json").is_file(),
        "{out}"
    );

    // Verdaccio serves `lodahs`, a test package named like a typosquat: npm never runs.
    let o = run(
        &tools,
        &home,
        &project,
        &["--", "npm", "install", "--registry", &registry, "lodahs"],
    );
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("refused lodahs (npm): block"), "{out}");
    assert!(out.contains("did you mean"), "{out}");
    assert!(!project.join("node_modules/lodahs").exists(), "{out}");

    // npm's own failure status passes through.
    let o = run(
        &tools,
        &home,
        &project,
        &["--", "npm", "install", "--registry", &registry, "ms@99.0.0"],
    );
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("ETARGET") || out.contains("No matching version"),
        "{out}"
    );
}

#[test]
fn shell_functions_route_installers_through_run() {
    let Some(tools) = tools() else { return };
    let base = fresh_dir("guard-shell");
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let init = depproof().args(["shell-init", "bash"]).output().unwrap();
    assert!(init.status.success());
    let script = text(&init.stdout);
    assert!(script.contains("npm() {"), "{script}");
    std::fs::write(base.join("init.sh"), &script).unwrap();

    let bash = |line: &str| {
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-c"])
            .arg(format!("source {}; {line}", base.join("init.sh").display()))
            .current_dir(&base)
            .env("PATH", path_with(&tools.bin()));
        isolate_pip(&mut cmd, &home);
        output_within(cmd, LIMIT)
    };
    let o = bash("pip install reqeusts");
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("refused reqeusts (PyPI)"), "{out}");
    // `python -m pip` is checked too; any other use of python runs it as it is.
    let o = bash("python -m pip install reqeusts");
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("refused reqeusts (PyPI)"), "{out}");
    let o = bash("python -c 'import sys; print(sys.argv[1:])' -m pip; python -m pip --version");
    let out = all_output(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("['-m', 'pip']"), "{out}");
    assert!(out.contains("pip "), "{out}");
    // `command` bypasses the function once.
    let o = bash("type pip | head -1; command pip --version");
    let out = all_output(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("pip is a function"), "{out}");
    assert!(out.contains("pip "), "{out}");

    // The same in real zsh and fish (scripts/test-tools/shells.sh installs them).
    for (shell, var, args) in [
        ("zsh", "DEPPROOF_TEST_ZSH", &["-f", "-c"][..]),
        ("fish", "DEPPROOF_TEST_FISH", &["--no-config", "-c"][..]),
    ] {
        let Some(exe) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
            assert!(
                std::env::var_os("DEPPROOF_SKIP_ORACLES").is_some_and(|v| v == "1"),
                "{var} is not set: run scripts/test.sh (scripts/test-tools/shells.sh installs \
                 zsh and fish), or set DEPPROOF_SKIP_ORACLES=1"
            );
            continue;
        };
        let o = depproof().args(["shell-init", shell]).output().unwrap();
        assert!(o.status.success());
        let init = base.join(format!("init.{shell}"));
        std::fs::write(&init, &o.stdout).unwrap();
        let run = |line: &str| {
            let mut cmd = Command::new(&exe);
            cmd.args(args)
                .arg(format!("source {}; {line}", init.display()))
                .current_dir(&base)
                .env("PATH", path_with(&tools.bin()));
            isolate_pip(&mut cmd, &home);
            output_within(cmd, LIMIT)
        };
        for line in ["pip install reqeusts", "python -m pip install reqeusts"] {
            let o = run(line);
            let out = all_output(&o);
            assert_eq!(o.status.code(), Some(1), "{shell}: {line}: {out}");
            assert!(out.contains("refused reqeusts (PyPI)"), "{shell}: {out}");
        }
        let o = run("python -c 'import sys; print(sys.argv[1:])' -m pip; command pip --version");
        let out = all_output(&o);
        assert!(o.status.success(), "{shell}: {out}");
        assert!(
            out.contains("['-m', 'pip']") && out.contains("pip "),
            "{shell}: {out}"
        );
    }
}
