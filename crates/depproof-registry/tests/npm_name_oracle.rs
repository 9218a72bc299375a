//! Compares `depproof_registry::npm::validate` with npm's own validator,
//! `validate-npm-package-name`, run through Node.js, over several hundred names: the
//! cases of that package's test suite and generated tricky ones.
//!
//! Setup, once:
//!
//! ```sh
//! npm install --prefix /tmp/depproof-npm-oracle validate-npm-package-name@6.0.2
//! export DEPPROOF_NPM_ORACLE_DIR=/tmp/depproof-npm-oracle
//! ```
//!
//! Without `DEPPROOF_NPM_ORACLE_DIR` the test fails, unless `DEPPROOF_SKIP_ORACLES=1`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use depproof_registry::{Validity, npm};

/// The release whose rules `npm::validate` follows.
const ORACLE_VERSION: &str = "6.0.2";
const ORACLE_PACKAGE: &str = "validate-npm-package-name";

/// Reads a JSON array of names from stdin and prints, as JSON, the Node.js version, its
/// core module list and `[validForNewPackages, validForOldPackages]` for every name.
const SCRIPT: &str = r#"
const path = require('path');
const validate = require(path.join(process.env.DEPPROOF_NPM_ORACLE_DIR, 'node_modules',
  'validate-npm-package-name'));
const names = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const results = names.map((name) => {
  const r = validate(name);
  return [r.validForNewPackages, r.validForOldPackages];
});
process.stdout.write(JSON.stringify({
  node: process.version,
  builtins: require('module').builtinModules,
  results,
}));
"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Invalid,
    LegacyOnly,
    Valid,
}

fn ours(name: &str) -> Class {
    match npm::validate(name) {
        Err(_) => Class::Invalid,
        Ok(Validity::LegacyOnly(_)) => Class::LegacyOnly,
        Ok(Validity::Valid) => Class::Valid,
    }
}

fn oracle_dir() -> Option<PathBuf> {
    let setup = format!(
        "set it up with\n    npm install --prefix /tmp/depproof-npm-oracle \
         {ORACLE_PACKAGE}@{ORACLE_VERSION}\n    export \
         DEPPROOF_NPM_ORACLE_DIR=/tmp/depproof-npm-oracle\nor set DEPPROOF_SKIP_ORACLES=1 to \
         skip this test"
    );
    match std::env::var_os("DEPPROOF_NPM_ORACLE_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            let manifest = dir
                .join("node_modules")
                .join(ORACLE_PACKAGE)
                .join("package.json");
            let text = std::fs::read_to_string(&manifest)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}; {setup}", manifest.display()));
            let json: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", manifest.display()));
            let version = json["version"].as_str().unwrap_or("?");
            assert_eq!(
                version,
                ORACLE_VERSION,
                "{} holds {ORACLE_PACKAGE}@{version}, but npm::validate follows \
                 {ORACLE_VERSION} (7.x and later also reject names starting with `-`); {setup}",
                dir.display()
            );
            Some(dir)
        }
        _ if std::env::var("DEPPROOF_SKIP_ORACLES").as_deref() == Ok("1") => {
            eprintln!("skipped: DEPPROOF_SKIP_ORACLES=1 and DEPPROOF_NPM_ORACLE_DIR is unset");
            None
        }
        _ => panic!(
            "DEPPROOF_NPM_ORACLE_DIR is not set: this test runs npm's own validator, \
             {ORACLE_PACKAGE}, through Node.js; {setup}"
        ),
    }
}

struct Oracle {
    node: String,
    builtins: Vec<String>,
    /// Per name: `validForNewPackages`, `validForOldPackages`.
    results: Vec<(bool, bool)>,
}

fn run_oracle(dir: &Path, names: &[String]) -> Oracle {
    let mut child = Command::new("node")
        .arg("-e")
        .arg(SCRIPT)
        .env("DEPPROOF_NPM_ORACLE_DIR", dir)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node` (is Node.js installed?): {e}"));
    let input = serde_json::to_vec(names).expect("names serialize");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("node runs");
    writer
        .join()
        .expect("writer thread")
        .expect("names written to node");
    assert!(
        output.status.success(),
        "node failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("node prints JSON");
    let results = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r[0].as_bool().expect("validForNewPackages"),
                r[1].as_bool().expect("validForOldPackages"),
            )
        })
        .collect();
    Oracle {
        node: json["node"].as_str().unwrap_or("?").to_owned(),
        builtins: json["builtins"]
            .as_array()
            .expect("builtins")
            .iter()
            .map(|b| b.as_str().expect("builtin is a string").to_owned())
            .collect(),
        results,
    }
}

/// The names to compare on.
fn names() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: &str| names.push(name.to_owned());

    // test/index.js of validate-npm-package-name (its `null`, `undefined` and `42`
    // cases have no string counterpart).
    let long_214 = "ifyouwanttogetthesumoftwonumberswherethosetwonumbersarechosenbyfinding\
        thelargestoftwooutofthreenumbersandsquaringthemwhichismultiplyingthembyitselfthenyou\
        shouldinputthreenumbersintothisfunctionanditwilldothatforyou";
    for name in [
        "some-package",
        "example.com",
        "under_score",
        "period.js",
        "123numeric",
        "crazy!",
        "@npm/thingy",
        "@npm-zors/money!time.js",
        "@user/node_modules",
        "@user/-package",
        "@user/_package",
        "@user/http",
        "",
        ".start-with-period",
        "@npm/.",
        "@npm/..",
        "@npm/.package",
        "_start-with-underscore",
        "-start-with-hyphen",
        "--start-with-double-hyphen",
        "contain:colons",
        " leading-space",
        "trailing-space ",
        "s/l/a/s/h/e/s",
        "node_modules",
        "favicon.ico",
        "http",
        "process",
        &format!("{long_214}-"),
        long_214,
        "CAPITAL-LETTERS",
        // From older releases of the test file and the README.
        "download-file-async",
        "node-downloader-helper",
        "@jane/foo.js",
        "excited!",
        " leading-space:and:weirdchars",
    ] {
        add(name);
    }

    // Every printable ASCII character first, in the middle, last, and in each part of
    // a scoped name.
    for c in (0x20u8..0x7f).map(char::from) {
        add(&format!("{c}abc"));
        add(&format!("ab{c}cd"));
        add(&format!("abc{c}"));
        add(&format!("@sc{c}ope/pkg"));
        add(&format!("@scope/pk{c}g"));
        add(&format!("@scope/{c}pkg"));
        add(&c.to_string());
    }
    // Control characters.
    for c in [
        '\0', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{1b}', '\u{1f}', '\u{7f}',
    ] {
        add(&format!("{c}abc"));
        add(&format!("ab{c}cd"));
        add(&format!("abc{c}"));
    }

    // Unicode: letters, lookalikes, JavaScript's and Unicode's differing whitespace,
    // invisible characters, case mappings to ASCII.
    for name in [
        "réquests",
        "日本語",
        "😀",
        "a😀b",
        "ǅ",
        "ß",
        "İ",
        "\u{212a}",
        "async_hoo\u{212a}s",
        "node_modules\u{301}",
        "requ\u{430}sts",
        "ｒｅｑｕｅｓｔｓ",
        "ab\u{200b}cd",
        "\u{a0}abc",
        "abc\u{a0}",
        "\u{85}abc",
        "abc\u{85}",
        "\u{feff}abc",
        "abc\u{feff}",
        "\u{180e}abc",
        "\u{2028}abc",
        "\u{3000}abc",
        "a\u{3000}b",
        "@scope/ré",
        "@ré/pkg",
        "@scope/日本",
        "@😀/x",
    ] {
        add(name);
    }

    // Scoped-name shapes.
    for name in [
        "@",
        "@/",
        "@/pkg",
        "@scope",
        "@scope/",
        "@scope/pkg/extra",
        "@scope//pkg",
        "@@scope/pkg",
        "@scope/@pkg",
        "@Scope/pkg",
        "@scope/Pkg",
        "@SCOPE/PKG",
        "@scope/pkg!",
        "@scope!/pkg",
        "@(scope)/pkg",
        "@sc~ope/pkg*",
        "@.scope/pkg",
        "@_scope/pkg",
        "@-/pkg",
        "@./pkg",
        "@scope/.pkg",
        "@scope/_pkg",
        "@scope/-pkg",
        "@scope/node_modules",
        "@scope/favicon.ico",
        "@scope/http",
        "@scope/HTTP",
        "@scope/ pkg",
        "@scope/pkg ",
        "@scope /pkg",
        " @scope/pkg",
        "scope/pkg",
        "pkg@1.0.0",
        "@scope/pkg@1.0.0",
        "@scope/pkg#tag",
        "@scope%2fpkg",
        "%40scope%2Fpkg",
        "@a/b",
        "@0/0",
    ] {
        add(name);
    }

    // Reserved names, core modules, case and dots.
    for name in [
        "NODE_MODULES",
        "Node_Modules",
        "FAVICON.ICO",
        "node_modules2",
        "favicon.ico.js",
        "node-modules",
        "HTTP",
        "Fs",
        "fs-extra",
        "node:fs",
        "node:test",
        "test",
        "sqlite",
        "sea",
        "-",
        "-a",
        "--",
        "a-",
        "a.",
        "a..b",
        "a_",
        "~",
        "*",
        "()",
        "a!",
        "A",
        "0",
    ] {
        add(name);
    }
    for module in npm::NODE_BUILTIN_MODULES {
        add(module);
        add(&module.to_ascii_uppercase());
        add(&format!("@scope/{module}"));
    }

    // Lengths around the limit, unscoped and scoped, with legacy rules combined.
    for len in [1, 213, 214, 215, 216, 1_000, 10_000] {
        add(&"a".repeat(len));
        add(&format!("A{}", "a".repeat(len - 1)));
        add(&format!("{}!", "a".repeat(len - 1)));
        add(&format!("@s/{}", "a".repeat(len.saturating_sub(3).max(1))));
        add(&format!("{}é", "a".repeat(len - 1)));
    }
    add(&"é".repeat(215));
    add(&"😀".repeat(108));

    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    names
}

#[test]
fn npm_validate_agrees_with_validate_npm_package_name() {
    let Some(dir) = oracle_dir() else {
        return;
    };
    let names = names();
    assert!(names.len() >= 300, "{} names", names.len());
    let oracle = run_oracle(&dir, &names);
    assert_eq!(oracle.results.len(), names.len());

    // `validate-npm-package-name` 6.x reads the core modules from the running Node.js;
    // ours are hard-coded. Names with `:` or `/` can never reach that check.
    let reachable = |list: &mut Vec<String>| {
        list.retain(|m| !m.contains(':') && !m.contains('/'));
        list.sort();
    };
    let mut theirs = oracle.builtins.clone();
    reachable(&mut theirs);
    let mut ours_list: Vec<String> = npm::NODE_BUILTIN_MODULES
        .iter()
        .map(|m| m.to_string())
        .collect();
    reachable(&mut ours_list);
    assert_eq!(
        ours_list, theirs,
        "npm::NODE_BUILTIN_MODULES differs from require('module').builtinModules of Node.js \
         {}",
        oracle.node
    );

    let mut disagreements = Vec::new();
    for (name, &(new, old)) in names.iter().zip(&oracle.results) {
        let expected = match (new, old) {
            (_, false) => Class::Invalid,
            (false, true) => Class::LegacyOnly,
            (true, true) => Class::Valid,
        };
        let got = ours(name);
        if got != expected {
            let shown = if name.len() > 60 {
                format!(
                    "{:?}... ({} bytes)",
                    &name[..name.floor_char_boundary(60)],
                    name.len()
                )
            } else {
                format!("{name:?}")
            };
            disagreements.push(format!(
                "{shown}: {ORACLE_PACKAGE} says {expected:?}, npm::validate says {got:?} \
                 ({:?})",
                npm::validate(name)
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} names disagree with {ORACLE_PACKAGE}@{ORACLE_VERSION} on Node.js {}:\n{}",
        disagreements.len(),
        names.len(),
        oracle.node,
        disagreements.join("\n")
    );
    eprintln!(
        "{} names agree with {ORACLE_PACKAGE}@{ORACLE_VERSION} on Node.js {}",
        names.len(),
        oracle.node
    );
}
