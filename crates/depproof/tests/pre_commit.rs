//! The pre-commit hook (`.pre-commit-hooks.yaml`), run by the real `pre-commit` tool on a
//! repository built by the test, exactly as a user's configuration would name it: a
//! repository holding this project's hook file, at a commit. Offline: pre-commit clones
//! that repository from the local disk, and the hook runs the depproof just built.
//!
//! `scripts/test.sh` installs pre-commit under target/test-tools and sets
//! `DEPPROOF_PRE_COMMIT` to its executable. Without it this test fails, unless
//! `DEPPROOF_SKIP_ORACLES=1`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{fresh_dir, git, root};

fn pre_commit() -> Option<PathBuf> {
    match std::env::var_os("DEPPROOF_PRE_COMMIT") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "DEPPROOF_PRE_COMMIT={} is not a file: run scripts/test.sh, which installs pre-commit",
                p.display()
            );
            Some(p)
        }
        _ => {
            assert!(
                std::env::var_os("DEPPROOF_SKIP_ORACLES").is_some_and(|v| v == "1"),
                "this test runs the real pre-commit: run scripts/test.sh (it installs pre-commit \
                 under target/test-tools and sets DEPPROOF_PRE_COMMIT), or set \
                 DEPPROOF_SKIP_ORACLES=1 to skip it"
            );
            None
        }
    }
}

/// Runs `git commit` in `repo` with depproof and git on PATH and pre-commit's cache in
/// `home`.
fn commit(repo: &Path, home: &Path, message: &str) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_depproof")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    Command::new("git")
        .args([
            "-c",
            "user.name=depproof",
            "-c",
            "user.email=dev@depproof.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            message,
        ])
        .current_dir(repo)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

#[test]
fn the_hook_blocks_a_commit_that_adds_an_invented_package() {
    let Some(tool) = pre_commit() else { return };
    let base = fresh_dir("pre-commit");
    let hooks = base.join("hooks");
    let repo = base.join("project");
    let home = base.join("cache");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::create_dir_all(&repo).unwrap();

    // The hook repository: this project's hook file, committed.
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "-A"]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = git(&hooks, &["rev-parse", "HEAD"]);

    // The user's project, configured in the documented three lines.
    git(&repo, &["init", "-q"]);
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: depproof\n",
            hooks.display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(repo.join("billing")).unwrap();
    std::fs::write(repo.join("billing/__init__.py"), "RATE = 1\n").unwrap();
    std::fs::write(repo.join("requirements.txt"), "flask\n").unwrap();
    // Warnings fail too here, so that a project module taken for a package would show.
    std::fs::write(repo.join("depproof.toml"), "fail-on = \"warn\"\n").unwrap();
    let o = Command::new(&tool)
        .args(["install"])
        .current_dir(&repo)
        .env("PRE_COMMIT_HOME", &home)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    git(&repo, &["add", "-A"]);
    let o = commit(&repo, &home, "start");
    assert!(
        o.status.success(),
        "a clean project commits: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    // Only app.py is staged; it imports the project's own package, which is not staged.
    std::fs::write(
        repo.join("app.py"),
        "import flask\nimport billing\nimport flask_jwt_simple_auth\n",
    )
    .unwrap();
    // An unstaged change elsewhere is not this commit's business.
    std::fs::write(repo.join("notes.md"), "Try `pip install reqeusts`.\n").unwrap();
    git(&repo, &["add", "app.py"]);
    let o = commit(&repo, &home, "add app");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!o.status.success(), "the invented import blocks: {out}");
    assert!(out.contains("depproof (package names)"), "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("flask-jwt-simple-auth"), "{out}");
    assert!(out.contains("app.py:3:8"), "{out}");
    assert!(
        !out.contains("billing (PyPI)"),
        "the project's own module is known: {out}"
    );
    assert!(
        !out.contains("reqeusts"),
        "untracked files are not checked: {out}"
    );
    assert_eq!(
        git(&repo, &["log", "--format=%s"]),
        "start",
        "nothing was committed"
    );

    // Fixed, the commit goes through.
    std::fs::write(repo.join("app.py"), "import flask\nimport billing\n").unwrap();
    git(&repo, &["add", "app.py"]);
    let o = commit(&repo, &home, "add app");
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(git(&repo, &["log", "-1", "--format=%s"]), "add app");
}
