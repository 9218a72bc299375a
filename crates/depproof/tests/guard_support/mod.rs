//! Local registries, real clients and the proxy for the install guard's tests.
//!
//! `scripts/test-tools/registries.sh` installs pypiserver, pip, uv and Verdaccio under
//! target/test-tools and fetches the few real packages the registries are loaded with;
//! it exports the `DEPPROOF_TEST_*` variables read here. Without them these tests fail,
//! unless `DEPPROOF_SKIP_ORACLES=1`. Servers listen on 127.0.0.1, are polled for
//! readiness with a deadline, and are killed when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The installed test tools.
pub struct Tools {
    pub python: PathBuf,
    pub pypiserver: PathBuf,
    pub uv: PathBuf,
    pub verdaccio: PathBuf,
    pub pypi_packages: PathBuf,
    pub npm_packages: PathBuf,
}

impl Tools {
    /// The venv's bin directory: pip, python.
    pub fn bin(&self) -> PathBuf {
        self.python.parent().unwrap().to_path_buf()
    }
}

/// The tools, or `None` when the tests are told to skip them.
pub fn tools() -> Option<Tools> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let names = [
        "DEPPROOF_TEST_PYTHON",
        "DEPPROOF_TEST_PYPISERVER",
        "DEPPROOF_TEST_UV",
        "DEPPROOF_TEST_VERDACCIO",
        "DEPPROOF_TEST_PYPI_PACKAGES",
        "DEPPROOF_TEST_NPM_PACKAGES",
    ];
    let values: Vec<Option<PathBuf>> = names.iter().map(|n| var(n)).collect();
    if values.iter().any(Option::is_none) {
        assert!(
            std::env::var_os("DEPPROOF_SKIP_ORACLES").is_some_and(|v| v == "1"),
            "these tests drive real pip, uv, npm, pypiserver and Verdaccio: run scripts/test.sh \
             (scripts/test-tools/registries.sh installs them under target/test-tools and sets \
             DEPPROOF_TEST_*), or set DEPPROOF_SKIP_ORACLES=1 to skip them"
        );
        return None;
    }
    let mut v = values.into_iter().map(Option::unwrap);
    let t = Tools {
        python: v.next().unwrap(),
        pypiserver: v.next().unwrap(),
        uv: v.next().unwrap(),
        verdaccio: v.next().unwrap(),
        pypi_packages: v.next().unwrap(),
        npm_packages: v.next().unwrap(),
    };
    for p in [&t.python, &t.pypiserver, &t.uv, &t.verdaccio] {
        assert!(
            p.exists(),
            "{} is missing: rerun scripts/test.sh",
            p.display()
        );
    }
    Some(t)
}

/// The fixture script that builds test packages and Verdaccio storage.
pub fn fixture_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/guard/registry.py")
}

/// Runs the fixture script.
pub fn fixture(tools: &Tools, args: &[&str]) {
    let o = Command::new(&tools.python)
        .arg(fixture_script())
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "registry.py {args:?}: {}",
        text(&o.stderr)
    );
}

/// A fresh directory under the target's temporary directory.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// stdout and stderr together.
pub fn all_output(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

/// A child process, killed when dropped; its output is collected as it comes.
pub struct Server {
    child: Child,
    log: Arc<Mutex<String>>,
    pub name: String,
}

impl Server {
    /// Starts `cmd`, collecting stdout and stderr.
    pub fn start(name: &str, mut cmd: Command) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [Box::new(out) as Box<dyn Read + Send>, Box::new(err)] {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        Server {
            child,
            log,
            name: name.to_owned(),
        }
    }

    /// What it printed so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits up to `limit` for its output to contain `needle`; the output.
    pub fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before printing `{needle}`:\n{log}",
                    self.name
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} did not print `{needle}` within {limit:?}:\n{log}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills it now and waits for it to end.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port free at the time of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 GET: status and body. Bounded by timeouts.
pub fn http_get(addr: SocketAddr, target: &str, accept: &str) -> (u16, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let resp = text(&buf);
    let status = resp
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Polls `addr` until an HTTP GET of `target` answers, up to `limit`.
pub fn wait_http(server: &mut Server, addr: SocketAddr, target: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let req = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let mut buf = [0u8; 12];
            if s.write_all(req.as_bytes()).is_ok() && s.read_exact(&mut buf).is_ok() {
                return;
            }
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("{} exited ({status}):\n{}", server.name, server.log());
        }
        assert!(
            Instant::now() < deadline,
            "{} did not answer on {addr} within {limit:?}:\n{}",
            server.name,
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// pypiserver serving `dir` on 127.0.0.1.
pub fn pypiserver(tools: &Tools, dir: &Path) -> (Server, SocketAddr) {
    let port = free_port();
    let mut cmd = Command::new(&tools.pypiserver);
    cmd.args(["run", "-i", "127.0.0.1", "-p", &port.to_string()])
        .arg(dir);
    let mut server = Server::start("pypiserver", cmd);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_http(&mut server, addr, "/simple/", Duration::from_secs(60));
    (server, addr)
}

/// Verdaccio serving the storage in `base/storage`, without uplinks.
pub fn verdaccio(tools: &Tools, base: &Path) -> (Server, SocketAddr) {
    verdaccio_for(tools, base, "$all")
}

/// Verdaccio as [`verdaccio`], its packages readable by `access` (`$all`, or
/// `$authenticated` for the users of `base/htpasswd`).
pub fn verdaccio_for(tools: &Tools, base: &Path, access: &str) -> (Server, SocketAddr) {
    let port = free_port();
    let config = base.join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "storage: {storage}\nauth:\n  htpasswd:\n    file: {htpasswd}\n    max_users: -1\n\
             uplinks: {{}}\npackages:\n  '@*/*':\n    access: {access}\n  '**':\n    access: {access}\n\
             log: {{ type: stdout, format: pretty, level: warn }}\n",
            storage = base.join("storage").display(),
            htpasswd = base.join("htpasswd").display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(&tools.verdaccio);
    cmd.arg("--config")
        .arg(&config)
        .args(["--listen", &format!("127.0.0.1:{port}")]);
    let mut server = Server::start("verdaccio", cmd);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_http(&mut server, addr, "/-/ping", Duration::from_secs(90));
    (server, addr)
}

/// `depproof proxy --listen 127.0.0.1:0 ARGS…`, once it listens; its address.
pub fn proxy(args: &[&str], dir: &Path) -> (Server, SocketAddr) {
    let mut cmd = depproof();
    cmd.args(["proxy", "--listen", "127.0.0.1:0", "--no-config"])
        .args(args)
        .current_dir(dir);
    start_proxy(cmd)
}

/// Starts the proxy command `cmd`, which must listen on port 0; its address.
pub fn start_proxy(cmd: Command) -> (Server, SocketAddr) {
    let mut server = Server::start("depproof proxy", cmd);
    let log = server.wait_for("listening on http://", Duration::from_secs(30));
    let addr = log
        .split("listening on http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in: {log}"));
    (server, addr)
}

/// The depproof binary, without the user's overlays.
pub fn depproof() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_depproof"));
    cmd.env(
        "DEPPROOF_DATA_DIR",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/no-overlays"),
    );
    cmd
}

/// pip isolated from the machine's configuration (a global find-links, a cache).
pub fn isolate_pip(cmd: &mut Command, home: &Path) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PIP_") || k.to_string_lossy().starts_with("UV_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_NO_CACHE_DIR", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_DEFAULT_TIMEOUT", "20")
        .env("PIP_RETRIES", "0")
        .env("UV_NO_CACHE", "1")
        .env("UV_NO_CONFIG", "1")
        .env("UV_HTTP_TIMEOUT", "20")
        .env("HOME", home);
}

/// npm isolated from the machine's configuration, with its own cache under `home`.
pub fn isolate_npm(cmd: &mut Command, home: &Path) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("npm_config_")
        {
            cmd.env_remove(k);
        }
    }
    let rc = home.join(".npmrc");
    if !rc.exists() {
        std::fs::write(&rc, "").unwrap();
    }
    cmd.env("npm_config_userconfig", &rc)
        .env("npm_config_cache", home.join("npm-cache"))
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fetch_retries", "0")
        .env("npm_config_fetch_timeout", "20000")
        .env("HOME", home);
}

/// An npm project directory with an empty package.json.
pub fn npm_project(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("package.json"),
        "{\"name\": \"guard-test\", \"version\": \"1.0.0\", \"private\": true}\n",
    )
    .unwrap();
}

/// Loads Verdaccio storage under `base/storage` with the real tarballs and test packages
/// built here, named like invented ones.
pub fn npm_registry_storage(tools: &Tools, base: &Path, invented: &[&str]) {
    let built = base.join("built");
    std::fs::create_dir_all(&built).unwrap();
    for name in invented {
        fixture(
            tools,
            &["npm-tarball", built.to_str().unwrap(), name, "1.0.0"],
        );
    }
    let mut args = vec![
        "verdaccio-storage".to_owned(),
        base.join("storage").display().to_string(),
    ];
    for dir in [&built, &tools.npm_packages] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "tgz") {
                args.push(p.display().to_string());
            }
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    fixture(tools, &refs);
}

/// A directory of wheels for pypiserver: the real ones plus test wheels named like
/// invented packages.
pub fn pypi_registry_dir(tools: &Tools, dir: &Path, invented: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    for e in std::fs::read_dir(&tools.pypi_packages).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    for name in invented {
        fixture(tools, &["wheel", dir.to_str().unwrap(), name, "1.0.0"]);
    }
}

/// The audit log's records.
pub fn audit_records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l}: {e}")))
        .collect()
}

/// The audit record for `package` with `action`, if any.
pub fn find_record<'a>(
    records: &'a [serde_json::Value],
    package: &str,
    action: &str,
) -> Option<&'a serde_json::Value> {
    records
        .iter()
        .find(|r| r["package"] == package && r["action"] == action)
}

/// Runs `cmd` with a deadline: a hung client fails the test instead of hanging it.
pub fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let read = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let (o, e) = (read(Box::new(out)), read(Box::new(err)));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    }
}
