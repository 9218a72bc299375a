//! `depproof index sync -e pypi` against a local Simple index that sends `ETag` and
//! `Last-Modified` and honours conditional requests: an unchanged index is not downloaded
//! again (HTTP 304), the snapshot is re-dated and says so, and a changed one is listed.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

const LAST_MODIFIED: &str = "Tue, 24 Nov 2026 10:00:00 GMT";

#[derive(Default)]
struct Index {
    names: Vec<String>,
    version: u32,
    /// Each request: its `If-None-Match` and `If-Modified-Since`, and the status sent.
    log: Vec<(Option<String>, Option<String>, u16)>,
}

/// A Simple index on 127.0.0.1 (`/simple/` in JSON form), stopped when dropped.
struct FakeSimple {
    addr: SocketAddr,
    index: Arc<Mutex<Index>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeSimple {
    fn start(names: &[&str]) -> FakeSimple {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let index = Arc::new(Mutex::new(Index {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            version: 1,
            log: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (index, stop) = (index.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(conn) = conn {
                        let _ = serve(conn, &index);
                    }
                }
            })
        };
        FakeSimple {
            addr,
            index,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/simple/", self.addr)
    }

    fn add(&self, name: &str) {
        let mut i = self.index.lock().unwrap();
        i.names.push(name.to_owned());
        i.version += 1;
    }

    fn log(&self) -> Vec<(Option<String>, Option<String>, u16)> {
        self.index.lock().unwrap().log.clone()
    }
}

impl Drop for FakeSimple {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(conn: TcpStream, index: &Mutex<Index>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let (mut none_match, mut modified_since) = (None, None);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let v = Some(v.trim().to_owned());
            match k.trim().to_ascii_lowercase().as_str() {
                "if-none-match" => none_match = v,
                "if-modified-since" => modified_since = v,
                _ => {}
            }
        }
    }
    let mut i = index.lock().unwrap();
    let etag = format!("\"index-v{}\"", i.version);
    let (status, body) = if none_match.as_deref() == Some(etag.as_str()) {
        (304, Vec::new())
    } else {
        let projects: Vec<Value> = i.names.iter().map(|n| json!({ "name": n })).collect();
        let doc = json!({
            "meta": { "api-version": "1.1", "_last-serial": 1000 + i.version },
            "projects": projects,
        });
        (200, serde_json::to_vec(&doc).unwrap())
    };
    i.log.push((none_match, modified_since, status));
    drop(i);
    let mut out = conn;
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/vnd.pypi.simple.v1+json\r\n\
         ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(&body)?;
    out.flush()?;
    let _ = out.shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 256];
    let _ = out.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = out.read(&mut sink);
    Ok(())
}

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depproof"))
        .env("DEPPROOF_DATA_DIR", data)
        .args(args)
        .current_dir(data)
        .stdin(Stdio::null())
        .output()
        .expect("run depproof")
}

fn sync(data: &Path, url: &str) -> String {
    let o = run(data, &["--pypi-url", url, "index", "sync", "-e", "pypi"]);
    let err = support::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    err
}

fn pypi_info(data: &Path) -> Value {
    let o = run(data, &["index", "info", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    support::json(&o)["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ecosystem"] == "pypi")
        .cloned()
        .unwrap()
}

fn status(data: &Path, name: &str) -> String {
    let doc = support::json(&run(
        data,
        &["check", "-e", "pypi", "--format", "json", name],
    ));
    doc["results"][0]["status"].as_str().unwrap().to_owned()
}

#[test]
fn an_unchanged_index_is_not_listed_again() {
    let s = FakeSimple::start(&["requests", "zq-simple-a", "zq-simple-b"]);
    let data = support::fresh_dir("live-sync-pypi");
    let url = s.url();

    let err = sync(&data, &url);
    assert!(!err.contains("not modified"), "{err}");
    assert_eq!(s.log(), vec![(None, None, 200)]);
    let info = pypi_info(&data);
    assert_eq!(info["in_use"], "user", "{info:#}");
    assert_eq!(info["names"], 3);
    assert!(!info["source"].as_str().unwrap().contains("not modified"));
    assert_eq!(status(&data, "zq-simple-a"), "exists");

    // Unchanged: asked with the validators of the last sync, answered 304, re-dated.
    let err = sync(&data, &url);
    assert!(err.contains("not modified"), "{err}");
    assert_eq!(
        s.log()[1],
        (
            Some("\"index-v1\"".to_owned()),
            Some(LAST_MODIFIED.to_owned()),
            304
        )
    );
    let info = pypi_info(&data);
    assert_eq!(info["names"], 3);
    assert!(
        info["source"].as_str().unwrap().contains("not modified"),
        "{info:#}"
    );
    assert_eq!(info["age_days"], 0, "{info:#}");
    assert_eq!(status(&data, "zq-simple-b"), "exists");
    assert_eq!(status(&data, "zq-simple-new"), "does_not_exist");

    // Changed: listed in full again.
    s.add("zq-simple-new");
    let err = sync(&data, &url);
    assert!(!err.contains("not modified"), "{err}");
    assert_eq!(s.log()[2].2, 200);
    assert_eq!(s.log()[2].0.as_deref(), Some("\"index-v1\""));
    let info = pypi_info(&data);
    assert_eq!(info["names"], 4);
    assert!(!info["source"].as_str().unwrap().contains("not modified"));
    assert_eq!(status(&data, "zq-simple-new"), "exists");
}
