//! A small npm registry on 127.0.0.1 for tests: package documents (`/NAME`,
//! `/@scope%2Fname`), the replication endpoints `_all_docs` (paged by `startkey`) and
//! `_changes` (from a sequence), and injectable faults. Plain std networking, one thread
//! per connection, `Connection: close`; stopped when dropped.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server does instead of answering normally, for requests whose path starts with
/// a given prefix.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers 500 this many times, then normally.
    Error500(usize),
    /// Answers 429 with `Retry-After: secs` this many times, then normally.
    RateLimited { times: usize, retry_after: u64 },
    /// Answers 429 with this `Retry-After` value (an HTTP date, say) this many times, then
    /// normally.
    RateLimitedWith { times: usize, retry_after: String },
    /// Waits this long before answering.
    Slow(Duration),
    /// Sends half of the body and closes the connection, promising the whole.
    Truncated,
    /// Sends a complete body that is not valid JSON (cut in the middle).
    BadJson,
    /// Sends this many bytes of JSON whitespace-padded body.
    Huge(usize),
}

#[derive(Default)]
struct State {
    /// name -> package document.
    docs: BTreeMap<String, serde_json::Value>,
    /// Changes: (seq, name, deleted).
    changes: Vec<(u64, String, bool)>,
    faults: HashMap<String, Fault>,
    /// Requests by path, in order.
    log: Vec<String>,
}

/// The server.
pub struct FakeNpm {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    /// Connections accepted.
    pub connections: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

/// A package document with versions published at the given times (RFC 3339).
pub fn document(name: &str, versions: &[(&str, &str)]) -> serde_json::Value {
    let mut vs = serde_json::Map::new();
    let mut time = serde_json::Map::new();
    for (v, t) in versions {
        vs.insert(
            (*v).to_owned(),
            serde_json::json!({ "name": name, "version": v, "description": format!("{name} package") }),
        );
        time.insert((*v).to_owned(), serde_json::json!(t));
    }
    if let Some((_, first)) = versions.first() {
        time.insert("created".into(), serde_json::json!(first));
    }
    if let Some((_, last)) = versions.last() {
        time.insert("modified".into(), serde_json::json!(last));
    }
    let latest = versions.last().map(|(v, _)| *v).unwrap_or("0.0.0");
    serde_json::json!({
        "_id": name,
        "name": name,
        "dist-tags": { "latest": latest },
        "versions": vs,
        "time": time,
    })
}

impl FakeNpm {
    /// Starts a server on a free port of 127.0.0.1.
    pub fn start() -> FakeNpm {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (state, stop, connections) = (state.clone(), stop.clone(), connections.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let state = state.clone();
                    std::thread::spawn(move || {
                        let _ = serve(conn, &state);
                    });
                }
            })
        };
        FakeNpm {
            addr,
            state,
            stop,
            connections,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Publishes (or replaces) a document; recorded as a change.
    pub fn publish(&self, doc: serde_json::Value) {
        let name = doc["name"].as_str().unwrap().to_owned();
        let mut s = self.state.lock().unwrap();
        let seq = s.changes.len() as u64 + 1;
        s.changes.push((seq, name.clone(), false));
        s.docs.insert(name, doc);
    }

    /// Removes a package; recorded as a deletion.
    pub fn unpublish(&self, name: &str) {
        let mut s = self.state.lock().unwrap();
        let seq = s.changes.len() as u64 + 1;
        s.changes.push((seq, name.to_owned(), true));
        s.docs.remove(name);
    }

    /// Injects a fault for paths starting with `prefix` (`/name`, `/_changes`).
    pub fn fault(&self, prefix: &str, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .insert(prefix.to_owned(), fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.state.lock().unwrap().faults.clear();
    }

    /// The paths requested so far.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

impl Drop for FakeNpm {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let mut out = conn;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let fault = {
        let mut s = state.lock().unwrap();
        s.log.push(target.clone());
        let key = s
            .faults
            .keys()
            .filter(|k| path.starts_with(k.as_str()))
            .max_by_key(|k| k.len())
            .cloned();
        match key {
            Some(k) => {
                let f = s.faults.get_mut(&k).unwrap();
                match f {
                    Fault::Error500(0)
                    | Fault::RateLimited { times: 0, .. }
                    | Fault::RateLimitedWith { times: 0, .. } => None,
                    Fault::Error500(n) => {
                        *n -= 1;
                        Some(Fault::Error500(1))
                    }
                    Fault::RateLimited { times, retry_after } => {
                        *times -= 1;
                        Some(Fault::RateLimited {
                            times: 1,
                            retry_after: *retry_after,
                        })
                    }
                    Fault::RateLimitedWith { times, retry_after } => {
                        *times -= 1;
                        Some(Fault::RateLimitedWith {
                            times: 1,
                            retry_after: retry_after.clone(),
                        })
                    }
                    other => Some(other.clone()),
                }
            }
            None => None,
        }
    };
    match fault {
        Some(Fault::Error500(_)) => return respond(&mut out, 500, "text/plain", b"boom", &[]),
        Some(Fault::RateLimited { retry_after, .. }) => {
            return respond(
                &mut out,
                429,
                "text/plain",
                b"slow down",
                &[("Retry-After", retry_after.to_string())],
            );
        }
        Some(Fault::RateLimitedWith { retry_after, .. }) => {
            return respond(
                &mut out,
                429,
                "text/plain",
                b"slow down",
                &[("Retry-After", retry_after)],
            );
        }
        Some(Fault::Slow(d)) => std::thread::sleep(d),
        Some(Fault::Huge(n)) => {
            let mut body = b"{\"name\":\"huge\",\"pad\":\"".to_vec();
            body.resize(n, b'x');
            body.extend_from_slice(b"\"}");
            return respond(&mut out, 200, "application/json", &body, &[]);
        }
        _ => {}
    }
    let (status, body) = route(path, query, state);
    match fault {
        Some(Fault::Truncated) => {
            let head = format!(
                "HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            out.write_all(head.as_bytes())?;
            out.write_all(&body[..body.len() / 2])?;
            out.flush()?;
            let _ = out.shutdown(std::net::Shutdown::Both);
            Ok(())
        }
        Some(Fault::BadJson) => respond(
            &mut out,
            status,
            "application/json",
            &body[..body.len() / 2],
            &[],
        ),
        _ => respond(&mut out, status, "application/json", &body, &[]),
    }
}

fn respond(
    out: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    headers: &[(&str, String)],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()?;
    // Drain what the client may still send so that closing does not reset the connection.
    let _ = out.shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 256];
    let _ = out.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = out.read(&mut sink);
    Ok(())
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn route(path: &str, query: &str, state: &Mutex<State>) -> (u16, Vec<u8>) {
    let s = state.lock().unwrap();
    let not_found = || (404, br#"{"error":"Not found"}"#.to_vec());
    match path {
        "/_all_docs" => {
            // CouchDB: startkey is a JSON string; rows sorted by id; limit.
            let start = query_param(query, "startkey")
                .and_then(|k| serde_json::from_str::<String>(&k).ok())
                .unwrap_or_default();
            let limit: usize = query_param(query, "limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(usize::MAX);
            let rows: Vec<serde_json::Value> = s
                .docs
                .keys()
                .filter(|k| k.as_str() >= start.as_str())
                .take(limit)
                .map(|k| serde_json::json!({ "id": k, "key": k, "value": { "rev": "1-0" } }))
                .collect();
            let body = serde_json::json!({
                "total_rows": s.docs.len(),
                "offset": 0,
                "rows": rows,
            });
            (200, serde_json::to_vec(&body).unwrap())
        }
        "/_changes" => {
            let since: u64 = query_param(query, "since")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let limit: usize = query_param(query, "limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(usize::MAX);
            let results: Vec<serde_json::Value> = s
                .changes
                .iter()
                .filter(|c| c.0 > since)
                .take(limit)
                .map(|(seq, id, deleted)| {
                    let mut v =
                        serde_json::json!({ "seq": seq, "id": id, "changes": [{ "rev": "1-0" }] });
                    if *deleted {
                        v["deleted"] = serde_json::json!(true);
                    }
                    v
                })
                .collect();
            let last = results
                .last()
                .and_then(|r| r["seq"].as_u64())
                .unwrap_or(since);
            let body = serde_json::json!({ "results": results, "last_seq": last });
            (200, serde_json::to_vec(&body).unwrap())
        }
        "/" => (
            200,
            serde_json::to_vec(&serde_json::json!({
                "db_name": "registry",
                "doc_count": s.docs.len(),
                "update_seq": s.changes.len(),
            }))
            .unwrap(),
        ),
        p => {
            let name = percent_decode(&p[1..]);
            match s.docs.get(&name) {
                Some(d) => (200, serde_json::to_vec(d).unwrap()),
                None => not_found(),
            }
        }
    }
}
