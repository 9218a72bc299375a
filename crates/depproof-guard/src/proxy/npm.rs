//! The npm side: package documents (full and abbreviated), version documents, tarballs,
//! scoped names, and the endpoints `npm install` touches besides (`/-/ping`, the audit
//! endpoints, search).

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use depproof_registry::Ecosystem;
use serde_json::Value;

use super::{MAX_FORWARD_BODY, Proxy, parse_json, refusal_json, upstream_failure, util};
use crate::judge::Action;
use depproof_registry::overlay::time::Timestamp;

/// The audit endpoints `npm install` posts to.
const POST_PATHS: [&str; 2] = [
    "/-/npm/v1/security/advisories/bulk",
    "/-/npm/v1/security/audits/quick",
];
/// Other `/-/` endpoints forwarded as they are.
const GET_PATHS: [&str; 2] = ["/-/ping", "/-/v1/search"];

/// Whether `path` is an endpoint that takes a POST.
pub(super) fn accepts_post(path: &str) -> bool {
    POST_PATHS.contains(&path)
}

pub(super) async fn handle(
    proxy: &Proxy,
    client: SocketAddr,
    path: &str,
    req: Request,
) -> Response {
    let Some(upstream) = proxy.config.npm_upstream.clone() else {
        return refusal_json(
            StatusCode::NOT_FOUND,
            "depproof proxy: no npm upstream is configured (--npm-upstream)",
        );
    };
    if path.starts_with("/-/") {
        let allowed = if req.method() == Method::POST {
            POST_PATHS.contains(&path)
        } else {
            GET_PATHS.contains(&path)
        };
        if !allowed {
            return refusal_json(
                StatusCode::NOT_FOUND,
                &format!("depproof proxy: {path} is not served"),
            );
        }
        return forward(proxy, &upstream, path, req).await;
    }
    let Some(decoded) = util::percent_decode(&path[1..]) else {
        return refusal_json(
            StatusCode::BAD_REQUEST,
            "depproof proxy: bad percent-encoding",
        );
    };
    let segs: Vec<&str> = decoded.split('/').collect();
    let (name, rest) = if segs[0].starts_with('@') && segs.len() >= 2 {
        (format!("{}/{}", segs[0], segs[1]), &segs[2..])
    } else {
        (segs[0].to_owned(), &segs[1..])
    };
    if name.is_empty() {
        return refusal_json(StatusCode::NOT_FOUND, "depproof proxy: no package named");
    }
    if let Err(e) = Ecosystem::Npm.validate(&name) {
        return refusal_json(
            StatusCode::NOT_FOUND,
            &format!(
                "depproof proxy: `{name}` is not a valid npm name: {}",
                e.reason
            ),
        );
    }
    let base_name = name.rsplit('/').next().unwrap_or(&name).to_owned();
    let (kind, tarball, version) = match rest {
        [] => ("metadata", None, None),
        ["-", file] if file.ends_with(".tgz") => {
            let v = file
                .strip_prefix(&format!("{base_name}-"))
                .and_then(|v| v.strip_suffix(".tgz"))
                .map(str::to_owned);
            ("download", Some(file.to_string()), v)
        }
        [v] if !v.is_empty() => ("metadata", None, Some(v.to_string())),
        _ => {
            return refusal_json(
                StatusCode::NOT_FOUND,
                &format!("depproof proxy: {path} is not a registry path"),
            );
        }
    };
    let d = proxy
        .decide(Ecosystem::Npm, &name, version.as_deref())
        .await;
    proxy.record(client, kind, version.as_deref(), &d);
    if d.action == Action::Refuse {
        return refusal_json(
            StatusCode::FORBIDDEN,
            &format!("depproof refused {}", d.reason(&proxy.judge)),
        );
    }
    // The scope's slash is encoded in document URLs, as npm clients write it.
    let doc_path = name.replacen('/', "%2f", 1);
    if let Some(file) = tarball {
        let Ok(url) = upstream.join(&format!("{name}/-/{file}")) else {
            return refusal_json(StatusCode::BAD_REQUEST, "depproof proxy: bad tarball path");
        };
        return proxy.stream(url, req.method()).await;
    }
    let target = match &version {
        Some(v) => format!("{doc_path}/{v}"),
        None => doc_path,
    };
    let Ok(url) = upstream.join(&target) else {
        return refusal_json(StatusCode::BAD_REQUEST, "depproof proxy: bad package path");
    };
    let accept = if proxy.config.min_age.is_some() {
        // Abbreviated documents carry no publish times.
        "application/json".to_owned()
    } else {
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned()
    };
    let page = match proxy.metadata(url, &accept).await {
        Ok(p) => p,
        Err(e) => return upstream_failure(e, &format!("{name} (npm)"), true),
    };
    let Some(mut doc) = parse_json(&page.body) else {
        return refusal_json(
            StatusCode::BAD_GATEWAY,
            &format!(
                "depproof proxy: refused {name} (npm): the upstream's answer is not JSON; failing closed"
            ),
        );
    };
    let public = proxy.public_base(&req);
    let upstream_base = upstream.as_str();
    let rewrite = |v: &mut Value| {
        if let Some(t) = v.pointer_mut("/dist/tarball")
            && let Some(s) = t.as_str()
            && let Some(tail) = s.strip_prefix(upstream_base)
        {
            *t = Value::String(format!("{public}{tail}"));
        }
    };
    if version.is_some() {
        rewrite(&mut doc);
    } else {
        if let Some(versions) = doc.get_mut("versions").and_then(Value::as_object_mut) {
            versions.values_mut().for_each(rewrite);
        }
        if let Some(min_age) = proxy.config.min_age
            && let Err(all) = drop_young_versions(&mut doc, &name, min_age)
        {
            return refusal_json(StatusCode::FORBIDDEN, &all);
        }
    }
    let ct = page
        .content_type
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .filter(|t| t.contains("json"))
        .unwrap_or("application/json")
        .to_owned();
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, ct)
        .header(header::VARY, "Accept")
        .body(Body::from(doc.to_string()))
        .unwrap_or_else(|_| super::internal())
}

/// Drops the versions published within `min_age` and re-points the dist-tags that named
/// them, saying so on standard error. `Err` when no version is old enough.
fn drop_young_versions(doc: &mut Value, name: &str, min_age: Duration) -> Result<(), String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let limit = now - min_age.as_secs() as i64;
    let hours = min_age.as_secs() / 3600;
    let times: Vec<(String, Option<i64>)> = match doc.get("versions").and_then(Value::as_object) {
        Some(v) => v
            .keys()
            .map(|k| {
                let t = doc
                    .pointer(&format!(
                        "/time/{}",
                        k.replace('~', "~0").replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                    .and_then(|t| Timestamp::parse(t).map(|t| t.secs));
                (k.clone(), t)
            })
            .collect(),
        None => return Ok(()),
    };
    let young: Vec<&String> = times
        .iter()
        .filter(|(_, t)| t.is_some_and(|t| t > limit))
        .map(|(v, _)| v)
        .collect();
    if young.is_empty() {
        return Ok(());
    }
    if young.len() == times.len() {
        let message = format!(
            "depproof refused {name} (npm): every version was published within the last {hours} h (min-age)"
        );
        eprintln!("depproof proxy: {message}");
        return Err(message);
    }
    let young_set: std::collections::BTreeSet<&str> = young.iter().map(|s| s.as_str()).collect();
    if let Some(versions) = doc.get_mut("versions").and_then(Value::as_object_mut) {
        versions.retain(|k, _| !young_set.contains(k.as_str()));
    }
    if let Some(time) = doc.get_mut("time").and_then(Value::as_object_mut) {
        time.retain(|k, _| !young_set.contains(k.as_str()));
    }
    // The newest remaining version by publish time takes `latest`.
    let newest = times
        .iter()
        .filter(|(v, _)| !young_set.contains(v.as_str()))
        .max_by_key(|(_, t)| t.unwrap_or(i64::MIN))
        .map(|(v, _)| v.clone());
    let mut moved = Vec::new();
    if let Some(tags) = doc.get_mut("dist-tags").and_then(Value::as_object_mut) {
        let stale: Vec<String> = tags
            .iter()
            .filter(|(_, v)| v.as_str().is_some_and(|v| young_set.contains(v)))
            .map(|(k, _)| k.clone())
            .collect();
        for tag in stale {
            let old = tags
                .get(&tag)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if tag == "latest"
                && let Some(n) = &newest
            {
                tags.insert(tag.clone(), Value::String(n.clone()));
                moved.push(format!("{tag}: {old} -> {n}"));
            } else {
                tags.remove(&tag);
                moved.push(format!("{tag}: {old} removed"));
            }
        }
    }
    eprintln!(
        "depproof proxy: min-age: dropped {} version(s) of {name} (npm) published within the last {hours} h: {}{}",
        young.len(),
        young
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        if moved.is_empty() {
            String::new()
        } else {
            format!("; dist-tags {}", moved.join(", "))
        }
    );
    Ok(())
}

/// Forwards a `/-/` endpoint to the upstream as it is.
async fn forward(proxy: &Proxy, upstream: &reqwest::Url, path: &str, req: Request) -> Response {
    let Ok(mut url) = upstream.join(&path[1..]) else {
        return refusal_json(StatusCode::BAD_REQUEST, "depproof proxy: bad path");
    };
    url.set_query(req.uri().query());
    let method = req.method().clone();
    let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
    let body = match axum::body::to_bytes(req.into_body(), MAX_FORWARD_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return refusal_json(
                StatusCode::PAYLOAD_TOO_LARGE,
                "depproof proxy: request body too large",
            );
        }
    };
    let mut out = if method == Method::POST {
        proxy.client.post(url.clone()).body(body)
    } else {
        proxy.client.get(url.clone())
    };
    out = proxy.authorize(out, &url);
    if let Some(ct) = content_type.and_then(|c| c.to_str().ok().map(str::to_owned)) {
        out = out.header(reqwest::header::CONTENT_TYPE, ct);
    }
    let resp = match out.timeout(proxy.config.timeout).send().await {
        Ok(r) => r,
        Err(e) => {
            return refusal_json(
                StatusCode::BAD_GATEWAY,
                &format!(
                    "depproof proxy: the upstream cannot answer: {}",
                    util::describe(&e, &url)
                ),
            );
        }
    };
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let ct = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from_stream(resp.bytes_stream()))
        .unwrap_or_else(|_| super::internal())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn iso(secs_ago: i64) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        crate::audit::rfc3339(now - secs_ago, 0)
    }

    #[test]
    fn young_versions_are_dropped_and_latest_moves_back() {
        let mut doc = json!({
            "name": "x",
            "dist-tags": {"latest": "1.1.0", "next": "2.0.0-rc.1", "old": "1.0.0"},
            "versions": {"1.0.0": {}, "1.1.0": {}, "2.0.0-rc.1": {}},
            "time": {
                "created": iso(900_000),
                "modified": iso(60),
                "1.0.0": iso(900_000),
                "1.1.0": iso(3_600),
                "2.0.0-rc.1": iso(60),
            },
        });
        drop_young_versions(&mut doc, "x", Duration::from_secs(48 * 3600)).unwrap();
        let versions: Vec<&String> = doc["versions"].as_object().unwrap().keys().collect();
        assert_eq!(versions, ["1.0.0"]);
        assert_eq!(doc["dist-tags"], json!({"latest": "1.0.0", "old": "1.0.0"}));
        assert!(doc["time"].get("1.1.0").is_none());
        assert!(doc["time"].get("created").is_some());
    }

    #[test]
    fn a_package_with_only_young_versions_is_refused() {
        let mut doc = json!({
            "dist-tags": {"latest": "1.0.0"},
            "versions": {"1.0.0": {}},
            "time": {"1.0.0": iso(10)},
        });
        let e = drop_young_versions(&mut doc, "fresh", Duration::from_secs(3600)).unwrap_err();
        assert!(
            e.contains("every version was published within the last 1 h"),
            "{e}"
        );
        // Old enough: nothing changes.
        let before = doc.clone();
        drop_young_versions(&mut doc, "fresh", Duration::from_secs(5)).unwrap();
        assert_eq!(doc, before);
    }
}
