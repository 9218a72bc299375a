//! The PyPI side: the Simple API (PEP 503 HTML and PEP 691 JSON) and file downloads.
//!
//! A refused project is answered with a page listing one yanked placeholder file whose
//! yank reason is depproof's reason and whose version spells it: pip hides HTTP errors on
//! index pages (a 404 only reads "from versions: none"), but it prints the ignored yanked
//! versions, and uv prints the yank reason. The placeholder's download is a 404 with the
//! reason.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::Response;
use depproof_registry::Ecosystem;
use reqwest::Url;
use serde_json::{Value, json};

use super::{Cached, Proxy, parse_json, refusal_text, upstream_failure, util};
use crate::judge::{Action, Decision};
use depproof_registry::overlay::time::Timestamp;

const JSON_TYPE: &str = "application/vnd.pypi.simple.v1+json";
const HTML_TYPE: &str = "application/vnd.pypi.simple.v1+html";

pub(super) async fn metadata(
    proxy: &Proxy,
    client: SocketAddr,
    path: &str,
    req: Request,
) -> Response {
    let Some(upstream) = proxy.config.pypi_upstream.clone() else {
        return refusal_text(
            StatusCode::NOT_FOUND,
            "depproof proxy: no PyPI upstream is configured (--pypi-upstream)",
        );
    };
    if path == "/simple" {
        return redirect("/simple/");
    }
    let rest = &path["/simple/".len()..];
    if rest.is_empty() {
        // The list of every project: no package to judge.
        return proxy.stream(upstream, req.method()).await;
    }
    let (name, slash) = match rest.strip_suffix('/') {
        Some(n) => (n, true),
        None => (rest, false),
    };
    if name.contains('/') {
        return refusal_text(
            StatusCode::NOT_FOUND,
            "depproof proxy: not a Simple API path",
        );
    }
    let Some(name) = util::percent_decode(name) else {
        return refusal_text(
            StatusCode::BAD_REQUEST,
            "depproof proxy: bad percent-encoding",
        );
    };
    if let Err(e) = Ecosystem::PyPI.validate(&name) {
        return refusal_text(
            StatusCode::NOT_FOUND,
            &format!(
                "depproof proxy: `{name}` is not a valid PyPI name: {}",
                e.reason
            ),
        );
    }
    if !slash {
        return redirect(&format!("/simple/{name}/"));
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/html")
        .to_owned();
    let wants_json = prefers_json(&accept);
    let d = proxy.decide(Ecosystem::PyPI, &name, None).await;
    proxy.record(client, "metadata", None, &d);
    let normalized = Ecosystem::PyPI.normalize(&name).into_owned();
    if d.action == Action::Refuse {
        return refused_page(proxy, &d, &normalized, wants_json);
    }
    let Ok(url) = upstream.join(&format!("{normalized}/")) else {
        return refusal_text(StatusCode::BAD_REQUEST, "depproof proxy: bad project name");
    };
    // The minimum age needs upload times, which only the JSON form carries.
    let upstream_accept = if proxy.config.min_age.is_some() {
        format!("{JSON_TYPE}, {HTML_TYPE}; q=0.1, text/html; q=0.01")
    } else {
        accept.clone()
    };
    let page = match proxy.metadata(url, &upstream_accept).await {
        Ok(p) => p,
        Err(e) => return upstream_failure(e, &format!("{name} (PyPI)"), false),
    };
    rewrite(proxy, &page, &normalized, wants_json)
}

/// The upstream page with its file links pointing at the proxy (and, under a minimum
/// age, without the files uploaded too recently).
fn rewrite(proxy: &Proxy, page: &Cached, project: &str, wants_json: bool) -> Response {
    let is_json = page
        .content_type
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    if is_json && let Some(mut doc) = parse_json(&page.body) {
        if let Some(files) = doc.get_mut("files").and_then(Value::as_array_mut) {
            for f in files.iter_mut() {
                if let Some(u) = f.get("url").and_then(Value::as_str)
                    && let Some(mapped) = map_url(proxy, &page.url, u)
                {
                    f["url"] = Value::String(mapped);
                }
            }
        }
        if let Some(min_age) = proxy.config.min_age {
            drop_young_files(&mut doc, project, min_age);
        }
        return if wants_json {
            respond(JSON_TYPE, doc.to_string())
        } else {
            respond("text/html; charset=utf-8", html_from_json(project, &doc))
        };
    }
    if proxy.config.min_age.is_some() {
        eprintln!(
            "depproof proxy: min-age not applied to {project} (PyPI): the upstream gives no upload times"
        );
    }
    let text = String::from_utf8_lossy(&page.body);
    let ct = page
        .content_type
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/html; charset=utf-8")
        .to_owned();
    respond(&ct, rewrite_hrefs(proxy, &page.url, &text))
}

/// Drops files uploaded within `min_age`, saying so on standard error.
fn drop_young_files(doc: &mut Value, project: &str, min_age: std::time::Duration) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let limit = now - min_age.as_secs() as i64;
    let Some(files) = doc.get_mut("files").and_then(Value::as_array_mut) else {
        return;
    };
    let mut dropped = Vec::new();
    let mut untimed = 0;
    files.retain(|f| {
        let time = f
            .get("upload-time")
            .and_then(Value::as_str)
            .and_then(|t| Timestamp::parse(t).map(|t| t.secs));
        match time {
            Some(t) if t > limit => {
                dropped.push(
                    f.get("filename")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_owned(),
                );
                false
            }
            Some(_) => true,
            None => {
                untimed += 1;
                true
            }
        }
    });
    if !dropped.is_empty() {
        eprintln!(
            "depproof proxy: min-age: dropped {} file(s) of {project} (PyPI) uploaded within the last {} h: {}",
            dropped.len(),
            min_age.as_secs() / 3600,
            dropped.join(", ")
        );
    }
    if untimed > 0 {
        eprintln!(
            "depproof proxy: min-age: {untimed} file(s) of {project} (PyPI) have no upload time and are kept"
        );
    }
}

/// A PEP 503 page from a PEP 691 document.
fn html_from_json(project: &str, doc: &Value) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for {}</title></head>\n<body>\n<h1>Links for {}</h1>\n",
        escape(project),
        escape(project)
    );
    for f in doc
        .get("files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(url), Some(name)) = (
            f.get("url").and_then(Value::as_str),
            f.get("filename").and_then(Value::as_str),
        ) else {
            continue;
        };
        let mut href = url.to_owned();
        if let Some(h) = f.get("hashes").and_then(Value::as_object)
            && let Some((alg, v)) = h.iter().next()
            && let Some(v) = v.as_str()
        {
            href = format!("{href}#{alg}={v}");
        }
        let mut attrs = String::new();
        if let Some(rp) = f.get("requires-python").and_then(Value::as_str) {
            attrs.push_str(&format!(" data-requires-python=\"{}\"", escape(rp)));
        }
        match f.get("yanked") {
            Some(Value::String(r)) => attrs.push_str(&format!(" data-yanked=\"{}\"", escape(r))),
            Some(Value::Bool(true)) => attrs.push_str(" data-yanked=\"\""),
            _ => {}
        }
        s.push_str(&format!(
            "<a href=\"{}\"{attrs}>{}</a><br/>\n",
            escape(&href),
            escape(name)
        ));
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// The page for a refused project: one yanked placeholder that carries the reason.
fn refused_page(proxy: &Proxy, d: &Decision, project: &str, wants_json: bool) -> Response {
    let reason = format!("depproof refused {}", d.reason(&proxy.judge));
    let version = refusal_version(&reason);
    let file = format!("{}-{version}-py3-none-any.whl", project.replace('-', "_"));
    let url = format!("/-/pypi-files/refused/{file}");
    let doc = json!({
        "meta": {"api-version": "1.1"},
        "name": project,
        "versions": [version],
        "files": [{
            "filename": file,
            "url": url,
            "hashes": {},
            "yanked": reason,
        }],
    });
    if wants_json {
        respond(JSON_TYPE, doc.to_string())
    } else {
        respond("text/html; charset=utf-8", html_from_json(project, &doc))
    }
}

/// A version whose local label spells the reason in words pip prints
/// (`0+refused.by.depproof.dp101.does.not.exist.on.pypi`).
fn refusal_version(reason: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let body = reason.split_once(": ").map(|(_, r)| r).unwrap_or(reason);
    for w in body.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !w.is_empty() && words.len() < 16 {
            words.push(w.to_ascii_lowercase());
        }
    }
    format!("0+refused.by.depproof.{}", words.join("."))
}

pub(super) async fn file(proxy: &Proxy, client: SocketAddr, rest: &str, req: Request) -> Response {
    let Some((origin, path)) = rest.split_once('/') else {
        return refusal_text(StatusCode::NOT_FOUND, "depproof proxy: not a file path");
    };
    let filename = path.rsplit('/').next().unwrap_or(path);
    let Some((name, version)) = dist_name(filename) else {
        return refusal_text(
            StatusCode::NOT_FOUND,
            &format!("depproof proxy: refused {filename}: not a distribution file name"),
        );
    };
    let d = proxy.decide(Ecosystem::PyPI, &name, None).await;
    if origin == "refused" || d.action == Action::Refuse {
        proxy.record(client, "download", version.as_deref(), &d);
        return refusal_text(
            StatusCode::NOT_FOUND,
            &format!("depproof refused {}", d.reason(&proxy.judge)),
        );
    }
    proxy.record(client, "download", version.as_deref(), &d);
    let Some(base) = origin
        .parse::<usize>()
        .ok()
        .and_then(|i| proxy.file_origins.get(i))
    else {
        return refusal_text(StatusCode::NOT_FOUND, "depproof proxy: unknown file origin");
    };
    let mut url = match base.join(path) {
        Ok(u) => u,
        Err(_) => return refusal_text(StatusCode::BAD_REQUEST, "depproof proxy: bad file path"),
    };
    url.set_query(req.uri().query());
    proxy.stream(url, req.method()).await
}

/// The project name and version of a distribution file (`six-1.17.0-py2.py3-none-any.whl`,
/// `pkg-1.0.tar.gz`, and their PEP 658 `.metadata` files).
pub fn dist_name(filename: &str) -> Option<(String, Option<String>)> {
    let f = filename.strip_suffix(".metadata").unwrap_or(filename);
    if let Some(stem) = f.strip_suffix(".whl").or_else(|| f.strip_suffix(".egg")) {
        let mut parts = stem.split('-');
        let name = parts.next()?;
        let version = parts.next().map(str::to_owned);
        return (!name.is_empty()).then(|| (name.to_owned(), version));
    }
    let stem = [".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar"]
        .iter()
        .find_map(|ext| f.strip_suffix(ext))?;
    let (name, version) = stem.rsplit_once('-')?;
    (!name.is_empty()).then(|| (name.to_owned(), Some(version.to_owned())))
}

/// Rewrites every `href="…"` of an HTML page.
fn rewrite_hrefs(proxy: &Proxy, base: &Url, html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(i) = rest.find("href=\"") {
        let (head, tail) = rest.split_at(i + 6);
        out.push_str(head);
        let Some(end) = tail.find('"') else {
            rest = tail;
            break;
        };
        let value = &tail[..end];
        let unescaped = value.replace("&amp;", "&");
        match map_url(proxy, base, &unescaped) {
            Some(m) => out.push_str(&m.replace('&', "&amp;")),
            None => out.push_str(value),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `link` (relative to `base`) as a path on the proxy when it points at a file origin.
fn map_url(proxy: &Proxy, base: &Url, link: &str) -> Option<String> {
    let abs = base.join(link).ok()?;
    let i = proxy.file_origins.iter().position(|o| {
        o.scheme() == abs.scheme()
            && o.host_str() == abs.host_str()
            && o.port_or_known_default() == abs.port_or_known_default()
    })?;
    let mut s = format!("/-/pypi-files/{i}{}", abs.path());
    if let Some(q) = abs.query() {
        s.push('?');
        s.push_str(q);
    }
    if let Some(f) = abs.fragment() {
        s.push('#');
        s.push_str(f);
    }
    Some(s)
}

/// Whether the Accept header prefers PEP 691 JSON to HTML.
fn prefers_json(accept: &str) -> bool {
    let mut json_q = -1.0f32;
    let mut html_q = -1.0f32;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let media = it.next().unwrap_or("").trim();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media {
            JSON_TYPE | "application/vnd.pypi.simple.latest+json" => json_q = json_q.max(q),
            HTML_TYPE | "application/vnd.pypi.simple.latest+html" | "text/html" | "*/*" => {
                html_q = html_q.max(q)
            }
            _ => {}
        }
    }
    json_q > 0.0 && json_q >= html_q
}

fn respond(content_type: &str, body: String) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::VARY, "Accept")
        .body(Body::from(body))
        .unwrap_or_else(|_| super::internal())
}

fn redirect(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::MOVED_PERMANENTLY)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_else(|_| super::internal())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_file_names() {
        assert_eq!(
            dist_name("six-1.17.0-py2.py3-none-any.whl"),
            Some(("six".into(), Some("1.17.0".into())))
        );
        assert_eq!(
            dist_name("zope.interface-6.0.tar.gz"),
            Some(("zope.interface".into(), Some("6.0".into())))
        );
        assert_eq!(
            dist_name("a_b-1.0-py3-none-any.whl.metadata").map(|x| x.0),
            Some("a_b".into())
        );
        assert_eq!(dist_name("README"), None);
    }

    #[test]
    fn accept_headers_choose_the_form() {
        assert!(prefers_json(
            "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
        ));
        assert!(!prefers_json("text/html"));
        assert!(!prefers_json(
            "application/vnd.pypi.simple.v1+json; q=0.1, text/html"
        ));
    }

    #[test]
    fn the_refusal_version_is_a_valid_local_version() {
        let v = refusal_version("depproof refused x (PyPI): block: does not exist on PyPI [DP101]");
        assert!(v.starts_with("0+refused.by.depproof."), "{v}");
        assert!(
            v[2..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.'),
            "{v}"
        );
    }
}
