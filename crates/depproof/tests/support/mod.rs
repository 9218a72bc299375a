//! Running the binary, and validating its documents against the official schemas (SARIF
//! 2.1.0, CycloneDX 1.6 with the SPDX and JSF schemas it references) and depproof's own
//! (docs/schema). Validation never fetches anything: every referenced schema is
//! registered from the files under tests/fixtures/schemas and docs/schema.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs depproof in `dir` with `args`, feeding `stdin`.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_depproof"))
        // The user's own overlays must not change what the tests see.
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run depproof");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture(name: &str) -> Value {
    load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/schemas")
            .join(name),
    )
}

/// A schema and what it is called in failure messages.
pub struct Schema {
    name: &'static str,
    validator: jsonschema::Validator,
}

impl Schema {
    /// Panics with every violation (instance path, schema path, message).
    pub fn assert_valid(&self, doc: &Value, what: &str) {
        let errors: Vec<String> = self
            .validator
            .iter_errors(doc)
            .map(|e| {
                format!(
                    "  at {}: {} (schema {})",
                    e.instance_path(),
                    e,
                    e.schema_path()
                )
            })
            .collect();
        assert!(
            errors.is_empty(),
            "{what} is not valid {}:\n{}",
            self.name,
            errors.join("\n")
        );
    }

    /// Whether `doc` is valid.
    pub fn is_valid(&self, doc: &Value) -> bool {
        self.validator.is_valid(doc)
    }
}

/// The official SARIF 2.1.0 schema.
pub fn sarif() -> Schema {
    let schema = fixture("sarif-schema-2.1.0.json");
    let validator = jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    Schema {
        name: "SARIF 2.1.0",
        validator,
    }
}

/// The official CycloneDX 1.6 schema, with the SPDX license list and JSF schemas that it
/// references by relative URI, resolved against its `$id`.
pub fn cyclonedx() -> Schema {
    let bom = fixture("bom-1.6.schema.json");
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            fixture("spdx.schema.json"),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            fixture("jsf-0.82.schema.json"),
        )
        .unwrap()
        .prepare()
        .expect("the referenced schemas load");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(&bom)
        .expect("the CycloneDX schema compiles");
    Schema {
        name: "CycloneDX 1.6",
        validator,
    }
}

fn own(name: &'static str) -> Schema {
    let dir = root().join("docs/schema");
    let scan = load(&dir.join("scan-v2.json"));
    let registry = jsonschema::Registry::new()
        .add(scan["$id"].as_str().unwrap(), scan.clone())
        .unwrap()
        .prepare()
        .unwrap();
    let schema = load(&dir.join(name));
    let validator = jsonschema::options()
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("docs/schema/{name} does not compile: {e}"));
    Schema { name, validator }
}

/// docs/schema/scan-v2.json.
pub fn scan_schema() -> Schema {
    own("scan-v2.json")
}

/// docs/schema/check-v2.json.
pub fn check_schema() -> Schema {
    own("check-v2.json")
}

/// A fresh directory under the target's temporary directory.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs git in `dir` with a fixed identity and branch name; its trimmed output.
#[allow(dead_code)]
pub fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=depproof",
            "-c",
            "user.email=dev@depproof.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

/// The result for `name` in a `check --format json` document.
pub fn check_result<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no result for {name}: {doc:#}"))
}

/// The codes of the signals of the first finding of a check result.
pub fn signal_codes(result: &Value) -> Vec<String> {
    result["findings"][0]["signals"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
