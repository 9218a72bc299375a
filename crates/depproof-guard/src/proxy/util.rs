//! Request paths and upstream errors.

use reqwest::Url;

/// Refuses paths that could reach outside the configured upstreams: `..` segments (also
/// percent-encoded), backslashes, empty segments, control characters, encoded NULs.
pub fn check_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err("does not start with /");
    }
    if path.len() > 2048 {
        return Err("longer than 2048 bytes");
    }
    let decoded = percent_decode(path).ok_or("bad percent-encoding")?;
    if decoded.bytes().any(|b| b < 0x20 || b == 0x7f || b == b'\\') {
        return Err("control characters or backslashes");
    }
    // `%2f` is how npm writes a scope's slash: check segments after decoding it too.
    for seg in decoded.split('/').skip(1) {
        if seg == ".." || seg == "." {
            return Err("`.` or `..` segments");
        }
    }
    if path[1..].contains("//") {
        return Err("empty path segments");
    }
    Ok(())
}

/// Decodes `%XX` escapes; `None` for a bad escape or a result that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An upstream error in words, naming the URL.
pub fn describe(e: &reqwest::Error, url: &Url) -> String {
    let what = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            s.push_str(": ");
            s.push_str(&inner.to_string());
            src = inner.source();
        }
        s
    };
    format!("{url}: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        assert!(check_path("/simple/requests/").is_ok());
        assert!(check_path("/@types%2fnode").is_ok());
        assert!(check_path("/lodash/-/lodash-4.17.21.tgz").is_ok());
        for bad in [
            "/simple/../etc/passwd",
            "/simple/%2e%2e/x",
            "/@scope%2f..%2fx",
            "/a\\b",
            "/a%00b",
            "/a//b",
            "/%zz",
            "x",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
