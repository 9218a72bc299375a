//! `depproof serve` against its own OpenAPI document, tested by schemathesis: requests
//! generated from the document (valid and invalid ones) must get documented statuses and
//! conforming answers, invalid ones must be refused, and none may fail the server.
//!
//! `scripts/test.sh` installs schemathesis under target/test-tools
//! (scripts/test-tools/schemathesis.sh) and sets `DEPPROOF_SCHEMATHESIS`. Without it this
//! test fails, unless `DEPPROOF_SKIP_ORACLES=1`.

mod serve_support;
mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn schemathesis() -> Option<PathBuf> {
    match std::env::var_os("DEPPROOF_SCHEMATHESIS") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "DEPPROOF_SCHEMATHESIS={} is not a file: run scripts/test.sh, which installs schemathesis",
                p.display()
            );
            Some(p)
        }
        _ => {
            assert!(
                std::env::var_os("DEPPROOF_SKIP_ORACLES").is_some_and(|v| v == "1"),
                "this test runs schemathesis: run scripts/test.sh (it installs schemathesis under \
                 target/test-tools and sets DEPPROOF_SCHEMATHESIS), or set \
                 DEPPROOF_SKIP_ORACLES=1 to skip it"
            );
            None
        }
    }
}

/// Kills the child when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn schemathesis_finds_nothing() {
    let Some(st) = schemathesis() else { return };
    let server = serve_support::start(&["serve", "--listen", "127.0.0.1:0", "--no-config"], &[]);
    let dir = support::fresh_dir("schemathesis");
    let report = dir.join("report.txt");
    let out = std::fs::File::create(&report).unwrap();
    let child = Command::new(&st)
        .args([
            "run",
            &format!("http://{}/openapi.json", server.addr),
            "--max-examples",
            "100",
            "--seed",
            "20261125",
            "--generation-database",
            "none",
            "--request-timeout",
            "30",
            "--no-color",
            // JSON Schema cannot say that the paths of `files` are unique and that no
            // path is both a file and a directory: such valid-looking bodies are refused
            // (422, documented), which this check would count against the API.
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .current_dir(&dir)
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("run schemathesis");
    let mut child = Running(child);
    // Bounded: the run takes seconds here.
    let deadline = Instant::now() + Duration::from_secs(240);
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "schemathesis did not finish in 240 s:\n{}",
            std::fs::read_to_string(&report).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(status.success(), "schemathesis found problems:\n{text}");
    assert!(text.contains("No issues found"), "{text}");
    assert!(!text.contains("Tested: 0"), "{text}");
}
