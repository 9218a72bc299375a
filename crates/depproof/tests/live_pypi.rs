//! `--live` against a real devpi-server (offline mode, 127.0.0.1) serving the Simple API in
//! JSON form (PEP 691): names absent from the snapshot found or confirmed missing, a
//! private index checked for dependency confusion, and a server that went away.
//! devpi comes from scripts/test-tools/devpi.sh (`DEPPROOF_DEVPI`); without it this test
//! fails unless `DEPPROOF_SKIP_ORACLES=1`.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn devpi_bin() -> Option<PathBuf> {
    match std::env::var_os("DEPPROOF_DEVPI") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(
                p.join("devpi-server").is_file(),
                "DEPPROOF_DEVPI={} has no devpi-server",
                p.display()
            );
            Some(p)
        }
        _ => {
            assert!(
                std::env::var_os("DEPPROOF_SKIP_ORACLES").is_some_and(|v| v == "1"),
                "this test runs the real devpi-server: run scripts/test.sh (it installs devpi \
                 under target/test-tools and sets DEPPROOF_DEVPI), or set \
                 DEPPROOF_SKIP_ORACLES=1 to skip it"
            );
            None
        }
    }
}

/// A devpi-server, killed when dropped.
struct Devpi {
    child: Child,
    port: u16,
    bin: PathBuf,
    dir: PathBuf,
}

impl Drop for Devpi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sh(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("run a devpi tool");
    assert!(
        o.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = [0u8; 16];
    s.read_exact(&mut buf).ok()?;
    std::str::from_utf8(&buf[9..12]).ok()?.parse().ok()
}

impl Devpi {
    fn start(bin: &Path, name: &str) -> Devpi {
        let dir = support::fresh_dir(name);
        sh(Command::new(bin.join("devpi-init"))
            .args(["--serverdir", "server", "--no-root-pypi"])
            .current_dir(&dir));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin.join("devpi-server"))
            .args([
                "--serverdir",
                "server",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--offline-mode",
            ])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start devpi-server");
        let d = Devpi {
            child,
            port,
            bin: bin.to_owned(),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        while http_status(port, "/+api") != Some(200) {
            assert!(
                Instant::now() < deadline,
                "devpi-server did not answer within 90 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        d.client(&["use", &d.url("")]);
        d.client(&["login", "root", "--password", ""]);
        d
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    fn client(&self, args: &[&str]) {
        sh(Command::new(self.bin.join("devpi"))
            .args(args)
            .env("DEVPI_CLIENTDIR", self.dir.join("client"))
            .current_dir(&self.dir));
    }

    /// Creates an index and uploads a minimal sdist of each `(name, version)`.
    fn index(&self, index: &str, packages: &[(&str, &str)]) {
        self.client(&["index", "-c", index, "bases=", "volatile=True"]);
        let dist = self.dir.join(format!("dist-{}", index.replace('/', "-")));
        std::fs::create_dir_all(&dist).unwrap();
        for (name, version) in packages {
            let stem = format!("{}-{version}", name.replace('-', "_"));
            let script = format!(
                "import io, tarfile\n\
                 info = b'Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\nSummary: test package\\n'\n\
                 with tarfile.open('{stem}.tar.gz', 'w:gz') as t:\n\
                 \x20   ti = tarfile.TarInfo('{stem}/PKG-INFO'); ti.size = len(info)\n\
                 \x20   t.addfile(ti, io.BytesIO(info))\n"
            );
            sh(Command::new(self.bin.join("python3"))
                .args(["-c", &script])
                .current_dir(&dist));
        }
        self.client(&["use", index]);
        self.client(&["upload", "--from-dir", dist.to_str().unwrap()]);
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depproof"))
        .env(
            "DEPPROOF_DATA_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
        )
        .env("DEPPROOF_CACHE_DIR", dir.join("cache"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run depproof")
}

#[test]
fn live_pypi_lookups_against_devpi() {
    let Some(bin) = devpi_bin() else { return };
    let devpi = Devpi::start(&bin, "live-pypi-devpi");
    devpi.index(
        "root/public",
        &[
            ("zq-live-demo-pkg", "1.0"),
            ("zq-live-demo-pkg", "1.1"),
            ("zq-internal-billing", "9.9"),
        ],
    );
    devpi.index(
        "root/internal",
        &[("zq-internal-billing", "1.0"), ("zq-only-internal", "1.0")],
    );
    let public = devpi.url("root/public/+simple/");
    let work = support::fresh_dir("live-pypi-work");

    // The complete snapshot has none of these names.
    let o = run(
        &work,
        &[
            "check",
            "-e",
            "pypi",
            "--format",
            "json",
            "zq-live-demo-pkg",
        ],
    );
    assert_eq!(
        support::check_result(&support::json(&o), "zq-live-demo-pkg")["status"],
        "does_not_exist"
    );

    let o = run(
        &work,
        &[
            "check",
            "--live",
            "--pypi-url",
            &public,
            "-e",
            "pypi",
            "--format",
            "json",
            "zq-live-demo-pkg",
            "zq-live-missing-pkg",
        ],
    );
    let doc = support::json(&o);
    support::check_schema().assert_valid(&doc, "check --live (devpi)");
    let found = support::check_result(&doc, "zq-live-demo-pkg");
    assert_eq!(found["status"], "exists", "{doc:#}");
    let answer = &found["ecosystems"][0]["live"]["public"];
    assert_eq!(answer["registry"], public.as_str());
    assert_eq!(answer["outcome"]["releases"], 2);
    assert_eq!(answer["outcome"]["latest_version"], "1.1");
    // devpi gives no upload times (no PEP 700): the age is unknown, not "new".
    assert_eq!(answer["outcome"]["first_release"], Value::Null);
    assert!(
        !support::signal_codes(found).contains(&"DP103".to_owned()),
        "{found:#}"
    );
    let missing = support::check_result(&doc, "zq-live-missing-pkg");
    assert_eq!(missing["status"], "does_not_exist");
    assert!(
        missing["findings"][0]["signals"][0]["message"]
            .as_str()
            .unwrap()
            .contains("asked live"),
        "{missing:#}"
    );
    assert_eq!(o.status.code(), Some(1));

    // A private index asked first: its name on the public index is dependency confusion.
    std::fs::write(
        work.join("depproof.toml"),
        format!(
            "[registries]\nlive = true\npypi = \"{public}\"\nprivate-pypi = \"{}\"\n",
            devpi.url("root/internal/+simple/")
        ),
    )
    .unwrap();
    let o = run(
        &work,
        &[
            "check",
            "-e",
            "pypi",
            "--format",
            "json",
            "zq-internal-billing",
            "zq-only-internal",
        ],
    );
    let doc = support::json(&o);
    support::check_schema().assert_valid(&doc, "check, private registry");
    let confused = support::check_result(&doc, "zq-internal-billing");
    assert!(
        support::signal_codes(confused).contains(&"DP401".to_owned()),
        "{confused:#}"
    );
    assert_eq!(confused["verdict"], "block");
    let internal = support::check_result(&doc, "zq-only-internal");
    assert_eq!(internal["verdict"], "ok", "{internal:#}");
    std::fs::remove_file(work.join("depproof.toml")).unwrap();

    // A complete snapshot synced from the index (PEP 691 JSON listing).
    let out = work.join("synced");
    let o = run(
        &work,
        &[
            "--pypi-url",
            &public,
            "index",
            "sync",
            "-e",
            "pypi",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let index = out.join("pypi.idx");
    let o = run(
        &work,
        &[
            "--index",
            index.to_str().unwrap(),
            "check",
            "-e",
            "pypi",
            "--format",
            "json",
            "zq-live-demo-pkg",
            "zq-only-internal",
        ],
    );
    let doc = support::json(&o);
    assert_eq!(
        support::check_result(&doc, "zq-live-demo-pkg")["status"],
        "exists",
        "{doc:#}"
    );
    assert_eq!(
        support::check_result(&doc, "zq-only-internal")["status"],
        "does_not_exist"
    );
    assert_eq!(doc["snapshots"][0]["names"], 2);

    // The server goes away: a fresh name is still "does not exist" by the complete
    // snapshot, and the failure is said; never "exists".
    drop(devpi);
    let o = run(
        &work,
        &[
            "check",
            "--live",
            "--pypi-url",
            &public,
            "-e",
            "pypi",
            "--format",
            "json",
            "zq-live-other-pkg",
        ],
    );
    let doc = support::json(&o);
    let r = support::check_result(&doc, "zq-live-other-pkg");
    assert_eq!(r["status"], "does_not_exist", "{doc:#}");
    assert!(
        r["findings"][0]["signals"][0]["message"]
            .as_str()
            .unwrap()
            .contains("live lookup failed"),
        "{r:#}"
    );
    assert_eq!(doc["live"]["failed"], 1);
}
