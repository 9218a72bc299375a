//! npm name rules, as the registry and `validate-npm-package-name` enforce them.
//!
//! The rules follow `validate-npm-package-name` 6.0.2 (`lib/index.js`), npm's own
//! validator, check for check, including its quirks: only the part after the last `/`
//! is checked for `~'!()*`, and the scope of `@scope/package` is only checked for
//! URL-safety. Later releases (7.x, which npm 11 bundles, and 8.x) add one rule: a
//! name may not start with `-`; 6.0.2 accepts such names and so does [`validate`].

use std::borrow::Cow;

use crate::ecosystem::{Ecosystem, NameError, Validity};

/// Names of Node.js core modules, which new packages may not take (checked ASCII
/// case-insensitively, as `validate-npm-package-name` lowercases the name first).
///
/// `validate-npm-package-name` 6.0.2 consults `require('module').builtinModules` of the
/// Node.js running it; this is that list for Node.js v20.20.2, verbatim and sorted. It
/// equals the entries without a `node:` prefix of the `lib/builtin-modules.json` that
/// `validate-npm-package-name` 7.x/8.x ship (the `node:`-prefixed ones, like those
/// with `/`, can never reach this check: they fail URL-safety first).
pub const NODE_BUILTIN_MODULES: &[&str] = &[
    "_http_agent",
    "_http_client",
    "_http_common",
    "_http_incoming",
    "_http_outgoing",
    "_http_server",
    "_stream_duplex",
    "_stream_passthrough",
    "_stream_readable",
    "_stream_transform",
    "_stream_wrap",
    "_stream_writable",
    "_tls_common",
    "_tls_wrap",
    "assert",
    "assert/strict",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "dns/promises",
    "domain",
    "events",
    "fs",
    "fs/promises",
    "http",
    "http2",
    "https",
    "inspector",
    "inspector/promises",
    "module",
    "net",
    "os",
    "path",
    "path/posix",
    "path/win32",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "readline/promises",
    "repl",
    "stream",
    "stream/consumers",
    "stream/promises",
    "stream/web",
    "string_decoder",
    "sys",
    "timers",
    "timers/promises",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "util/types",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// Names no package can have, compared ASCII case-insensitively.
const BLACKLIST: [&str; 2] = ["node_modules", "favicon.ico"];

/// Longest name, in UTF-16 code units, that a new package may have.
pub const MAX_NEW_NAME_LENGTH: usize = 214;

/// Characters that `encodeURIComponent` leaves alone but new package names may not use.
const LEGACY_SPECIAL: &[u8] = b"~'!()*";

/// What URL-safety means, said once for every message.
const URL_SAFE: &str = "npm names may contain only URL-safe characters: ASCII letters, digits, \
                        `-`, `.`, `_` (and, in old packages, `~'!()*`)";

/// Checks `name` against npm's rules; names valid only for legacy packages are
/// [`Validity::LegacyOnly`].
///
/// A name is an error (`Err`: no package, old or new, can have it) when it breaks one
/// of these rules, reported with a stable code and checked in this order:
///
/// - `npm-empty`: the name is empty.
/// - `npm-whitespace`: it starts or ends with whitespace (JavaScript's `trim` set).
/// - `npm-leading-dot`: it starts with `.`, or the package part of `@scope/package`
///   does.
/// - `npm-leading-underscore`: it starts with `_`.
/// - `npm-blacklisted`: it is `node_modules` or `favicon.ico`, in any case.
/// - `npm-bad-scope`: it starts with `@` but is not of the form `@scope/package` (with
///   a non-empty scope and package and exactly one `/`).
/// - `npm-not-url-safe`: it contains a character that `encodeURIComponent` escapes,
///   that is anything but ASCII letters, digits and `-_.!~*'()`; in `@scope/package`
///   the scope and the package are checked separately. `@` and `/` elsewhere, spaces,
///   `%`, `:` and every non-ASCII character break this rule.
///
/// A name that breaks none of these but one of the following is
/// [`Validity::LegacyOnly`]: packages published before the rule came in keep such
/// names, so they must still be looked up. Its string lists every broken rule:
/// more than 214 characters, capital letters, `~'!()*` in the part after the last `/`,
/// or the name of a Node.js core module ([`NODE_BUILTIN_MODULES`]).
///
/// Reasons name the offending character and its 1-based character position. The check
/// is linear in the length of the name.
pub fn validate(name: &str) -> Result<Validity, NameError> {
    let error = |rule: &'static str, reason: String| NameError {
        ecosystem: Ecosystem::Npm,
        name: name.to_owned(),
        rule,
        reason,
    };

    let Some(first) = name.chars().next() else {
        return Err(error("npm-empty", "it is empty".to_owned()));
    };
    if is_js_whitespace(first) {
        return Err(error(
            "npm-whitespace",
            format!(
                "it starts with {}; npm names cannot have leading or trailing whitespace",
                describe_char(first)
            ),
        ));
    }
    if let Some(last) = name.chars().next_back().filter(|&c| is_js_whitespace(c)) {
        return Err(error(
            "npm-whitespace",
            format!(
                "it ends with {}; npm names cannot have leading or trailing whitespace",
                describe_char(last)
            ),
        ));
    }
    if first == '.' {
        return Err(error(
            "npm-leading-dot",
            "it starts with `.`; npm names cannot start with a period".to_owned(),
        ));
    }
    if first == '_' {
        return Err(error(
            "npm-leading-underscore",
            "it starts with `_`; npm names cannot start with an underscore".to_owned(),
        ));
    }
    if let Some(reserved) = BLACKLIST.iter().find(|b| b.eq_ignore_ascii_case(name)) {
        // `toLowerCase` maps no non-ASCII character to a letter of these two names
        // (the Kelvin sign becomes `k`, which they lack), so ASCII case folding is exact.
        return Err(error(
            "npm-blacklisted",
            format!("`{reserved}` is reserved by npm and can never be a package name"),
        ));
    }
    check_url_safe(name).map_err(|(rule, reason)| error(rule, reason))?;

    // No error: the name is now known to be ASCII, so bytes are characters and UTF-16
    // code units alike.
    let mut warnings = Vec::new();
    let lowercase: Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    if NODE_BUILTIN_MODULES
        .binary_search(&lowercase.as_ref())
        .is_ok()
    {
        warnings.push(format!(
            "`{lowercase}` is the name of a Node.js core module, which new packages cannot take"
        ));
    }
    if name.len() > MAX_NEW_NAME_LENGTH {
        warnings.push(format!(
            "it is {} characters long, over the {MAX_NEW_NAME_LENGTH} allowed for new packages",
            name.len()
        ));
    }
    if let Some(index) = name.bytes().position(|b| b.is_ascii_uppercase()) {
        warnings.push(format!(
            "it contains the capital letter `{}` at position {}, and new package names must \
             be lowercase",
            name.as_bytes()[index] as char,
            index + 1
        ));
    }
    let last_part_start = name.rfind('/').map_or(0, |slash| slash + 1);
    if let Some(offset) = name.as_bytes()[last_part_start..]
        .iter()
        .position(|b| LEGACY_SPECIAL.contains(b))
    {
        let index = last_part_start + offset;
        warnings.push(format!(
            "it contains `{}` at position {}, and new package names cannot contain any of \
             `~'!()*`",
            name.as_bytes()[index] as char,
            index + 1
        ));
    }

    if warnings.is_empty() {
        Ok(Validity::Valid)
    } else {
        Ok(Validity::LegacyOnly(warnings.join("; ")))
    }
}

/// `encodeURIComponent(name) === name`, with `@scope/package` checked per part; the
/// rule broken and the reason otherwise.
fn check_url_safe(name: &str) -> Result<(), (&'static str, String)> {
    let Some(index) = first_unsafe(name) else {
        return Ok(());
    };
    let Some(scoped) = name.strip_prefix('@') else {
        return Err(not_url_safe(name, index));
    };

    // `validate-npm-package-name` accepts the pattern `^@([^/]+?)/([^/]+?)$` here.
    const FORM: &str = "a name starting with `@` must have the scoped form `@scope/package`";
    let Some((scope, package)) = scoped.split_once('/') else {
        return Err((
            "npm-bad-scope",
            format!("it starts with `@` but has no `/`; {FORM}"),
        ));
    };
    if scope.is_empty() {
        return Err((
            "npm-bad-scope",
            format!("the scope between `@` and `/` is empty; {FORM}"),
        ));
    }
    if package.is_empty() {
        return Err(("npm-bad-scope", format!("nothing follows the `/`; {FORM}")));
    }
    if let Some(second) = package.find('/') {
        let at = 1 + scope.len() + 1 + second;
        return Err((
            "npm-bad-scope",
            format!(
                "it contains a second `/` at position {}; {FORM}, with exactly one `/`",
                char_position(name, at)
            ),
        ));
    }
    if let Some(index) = first_unsafe(scope) {
        return Err(not_url_safe(name, 1 + index));
    }
    if package.starts_with('.') {
        return Err((
            "npm-leading-dot",
            format!(
                "the package part of `@{scope}/...` starts with `.`; npm names cannot start \
                 with a period"
            ),
        ));
    }
    if let Some(index) = first_unsafe(package) {
        return Err(not_url_safe(name, 1 + scope.len() + 1 + index));
    }
    Ok(())
}

/// The `npm-not-url-safe` error for the character starting at byte `index` of `name`.
fn not_url_safe(name: &str, index: usize) -> (&'static str, String) {
    let c = name[index..].chars().next().unwrap_or_default();
    let hint = match c {
        '@' => " (`@` may only start a scoped name `@scope/package`)",
        '/' => " (`/` may only separate the scope and package of `@scope/package`)",
        '%' => " (names are written unescaped, not percent-encoded)",
        c if c.is_whitespace() => " (names cannot contain whitespace)",
        _ => "",
    };
    (
        "npm-not-url-safe",
        format!(
            "it contains {} at position {}{hint}; {URL_SAFE}",
            describe_char(c),
            char_position(name, index)
        ),
    )
}

/// Byte index of the first character of `s` that `encodeURIComponent` would escape.
/// Every character it leaves alone is ASCII, so a byte search finds character starts.
fn first_unsafe(s: &str) -> Option<usize> {
    s.bytes().position(|b| {
        !(b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            ))
    })
}

/// 1-based character position of the character starting at byte `index` of `s`.
fn char_position(s: &str, index: usize) -> usize {
    s[..index].chars().count() + 1
}

/// Whether JavaScript's `String.prototype.trim` removes `c`: Unicode `White_Space`
/// except U+0085, plus U+FEFF.
fn is_js_whitespace(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// The character `c` in words for a message: "`@`", "a space", "a tab (`\t`)",
/// "`é` (U+00E9, not ASCII)", with invisible characters escaped.
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\t' => "a tab (`\\t`)".to_owned(),
        '\n' => "a line feed (`\\n`)".to_owned(),
        '\r' => "a carriage return (`\\r`)".to_owned(),
        '`' => "a backtick (`` ` ``)".to_owned(),
        c if c.is_ascii_graphic() => format!("`{c}`"),
        c if c.is_ascii() => format!("the control character `{}`", c.escape_unicode()),
        c => {
            let code = format!("U+{:04X}", u32::from(c));
            let kind = if is_js_whitespace(c) || c.is_whitespace() {
                "a non-ASCII space"
            } else {
                "not ASCII"
            };
            // `escape_debug` escapes what would not show: controls, zero-width and
            // combining characters. Printable characters are shown as they are.
            let shown: String = c.escape_debug().collect();
            if kind != "not ASCII" || shown.starts_with('\\') {
                format!("`{}` ({code}, {kind})", c.escape_unicode())
            } else {
                format!("`{c}` ({code}, {kind})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three outcomes `validate-npm-package-name` distinguishes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Class {
        /// `validForOldPackages: false`.
        Invalid,
        /// `validForOldPackages: true, validForNewPackages: false`.
        Legacy,
        /// `validForNewPackages: true`.
        Valid,
    }
    use Class::*;

    fn class(name: &str) -> Class {
        match validate(name) {
            Err(_) => Invalid,
            Ok(Validity::LegacyOnly(_)) => Legacy,
            Ok(Validity::Valid) => Valid,
        }
    }

    fn rule(name: &str) -> &'static str {
        validate(name).expect_err(name).rule
    }

    fn reason(name: &str) -> String {
        validate(name).expect_err(name).reason
    }

    fn legacy(name: &str) -> String {
        match validate(name) {
            Ok(Validity::LegacyOnly(reason)) => reason,
            other => panic!("{name:?}: expected LegacyOnly, got {other:?}"),
        }
    }

    const LONG_214: &str = "ifyouwanttogetthesumoftwonumberswherethosetwonumbersarechosenbyfinding\
        thelargestoftwooutofthreenumbersandsquaringthemwhichismultiplyingthembyitselfthenyou\
        shouldinputthreenumbersintothisfunctionanditwilldothatforyou";

    /// Every case of `test/index.js` in npm/validate-npm-package-name (the test file at
    /// the repository's HEAD, a superset of the 6.x one; the tarball ships no tests),
    /// with the verdict of `validate-npm-package-name` 6.0.2. Its `null`, `undefined`
    /// and `42` cases have no `&str` counterpart.
    #[test]
    fn validate_npm_package_name_test_suite() {
        let long_215 = format!("{LONG_214}-");
        assert_eq!(LONG_214.len(), 214);
        let cases: &[(&str, Class)] = &[
            // Traditional
            ("some-package", Valid),
            ("example.com", Valid),
            ("under_score", Valid),
            ("period.js", Valid),
            ("123numeric", Valid),
            ("crazy!", Legacy),
            // Scoped (npm 2+)
            ("@npm/thingy", Valid),
            ("@npm-zors/money!time.js", Legacy),
            // Scoped package validation: only a leading period is checked in the package
            ("@user/node_modules", Valid),
            ("@user/-package", Valid),
            ("@user/_package", Valid),
            ("@user/http", Valid),
            // Invalid
            ("", Invalid),
            (".start-with-period", Invalid),
            ("@npm/.", Invalid),
            ("@npm/..", Invalid),
            ("@npm/.package", Invalid),
            ("_start-with-underscore", Invalid),
            // 7.0.0 made these errors ("name cannot start with a hyphen"); 6.0.2, which
            // depproof follows, accepts them.
            ("-start-with-hyphen", Valid),
            ("--start-with-double-hyphen", Valid),
            ("contain:colons", Invalid),
            (" leading-space", Invalid),
            ("trailing-space ", Invalid),
            ("s/l/a/s/h/e/s", Invalid),
            ("node_modules", Invalid),
            ("favicon.ico", Invalid),
            // Node/IO Core
            ("http", Legacy),
            ("process", Legacy),
            // Long Package Names
            (&long_215, Legacy),
            (LONG_214, Valid),
            // Legacy Mixed-Case
            ("CAPITAL-LETTERS", Legacy),
        ];
        for (name, expected) in cases {
            assert_eq!(class(name), *expected, "{name:?}: {:?}", validate(name));
        }
    }

    #[test]
    fn rule_codes() {
        assert_eq!(rule(""), "npm-empty");
        assert_eq!(rule(" leading-space"), "npm-whitespace");
        assert_eq!(rule("trailing-space "), "npm-whitespace");
        assert_eq!(rule("\tfoo"), "npm-whitespace");
        assert_eq!(rule("foo\n"), "npm-whitespace");
        assert_eq!(rule("\u{feff}foo"), "npm-whitespace");
        assert_eq!(rule("foo\u{a0}"), "npm-whitespace");
        // U+0085 is not whitespace to JavaScript's `trim`; it is still not URL-safe.
        assert_eq!(rule("\u{85}foo"), "npm-not-url-safe");
        assert_eq!(rule(".start-with-period"), "npm-leading-dot");
        assert_eq!(rule("."), "npm-leading-dot");
        assert_eq!(rule("@npm/.package"), "npm-leading-dot");
        assert_eq!(rule("_start-with-underscore"), "npm-leading-underscore");
        assert_eq!(rule("node_modules"), "npm-blacklisted");
        assert_eq!(rule("NODE_MODULES"), "npm-blacklisted");
        assert_eq!(rule("Favicon.ICO"), "npm-blacklisted");
        assert_eq!(rule("contain:colons"), "npm-not-url-safe");
        assert_eq!(rule("s/l/a/s/h/e/s"), "npm-not-url-safe");
        assert_eq!(rule("foo@1.0.0"), "npm-not-url-safe");
        assert_eq!(rule("réquests"), "npm-not-url-safe");
        assert_eq!(rule("@scope"), "npm-bad-scope");
        assert_eq!(rule("@"), "npm-bad-scope");
        assert_eq!(rule("@/pkg"), "npm-bad-scope");
        assert_eq!(rule("@scope/"), "npm-bad-scope");
        assert_eq!(rule("@scope/pkg/extra"), "npm-bad-scope");
        assert_eq!(rule("@scope//pkg"), "npm-bad-scope");
        assert_eq!(rule("@@scope/pkg"), "npm-not-url-safe");
        assert_eq!(rule("@scope/@pkg"), "npm-not-url-safe");
        assert_eq!(rule("@sc ope/pkg"), "npm-not-url-safe");
        assert_eq!(rule("@scope/pkg@1.0.0"), "npm-not-url-safe");
        let err = validate("a b").unwrap_err();
        assert_eq!(err.ecosystem, Ecosystem::Npm);
        assert_eq!(err.name, "a b");
    }

    #[test]
    fn reasons_name_the_character_and_position() {
        assert_eq!(reason(""), "it is empty");
        assert_eq!(
            reason(" leading-space"),
            "it starts with a space; npm names cannot have leading or trailing whitespace"
        );
        assert!(reason("x\r").starts_with("it ends with a carriage return (`\\r`);"));
        assert_eq!(
            reason("contain:colons"),
            "it contains `:` at position 8; npm names may contain only URL-safe characters: \
             ASCII letters, digits, `-`, `.`, `_` (and, in old packages, `~'!()*`)"
        );
        assert!(reason("a b").contains("a space at position 2 (names cannot contain whitespace)"));
        assert!(reason("s/l").contains("`/` at position 2 (`/` may only separate"));
        assert!(reason("pkg@1.0").contains("`@` at position 4 (`@` may only start a scoped"));
        assert!(reason("a%20b").contains("`%` at position 2 (names are written unescaped"));
        assert!(reason("a\u{1b}").contains("the control character `\\u{1b}` at position 2"));
        assert!(reason("réquests").contains("`é` (U+00E9, not ASCII) at position 2"));
        assert!(reason("日本語x!").contains("`日` (U+65E5, not ASCII) at position 1"));
        assert!(reason("ab\u{200b}").contains("`\\u{200b}` (U+200B, not ASCII) at position 3"));
        assert!(reason("@sc ope/pkg").contains("a space at position 4"));
        assert!(reason("@scope/pkgé").contains("`é` (U+00E9, not ASCII) at position 11"));
        assert!(reason("@éé/pkg:").contains("`é` (U+00E9, not ASCII) at position 2"));
        assert!(reason("@ab/ééx:").contains("`é` (U+00E9, not ASCII) at position 5"));
        assert_eq!(
            reason("@scope"),
            "it starts with `@` but has no `/`; a name starting with `@` must have the scoped \
             form `@scope/package`"
        );
        assert!(reason("@/pkg").starts_with("the scope between `@` and `/` is empty"));
        assert!(reason("@scope/").starts_with("nothing follows the `/`"));
        assert!(reason("@é/a/b").starts_with("it contains a second `/` at position 5;"));
        assert_eq!(
            reason("@npm/.package"),
            "the package part of `@npm/...` starts with `.`; npm names cannot start with a \
             period"
        );
        assert_eq!(
            reason("NODE_MODULES"),
            "`node_modules` is reserved by npm and can never be a package name"
        );
    }

    #[test]
    fn legacy_only_reasons() {
        assert_eq!(
            legacy("http"),
            "`http` is the name of a Node.js core module, which new packages cannot take"
        );
        assert_eq!(
            legacy("CAPITAL-LETTERS"),
            "it contains the capital letter `C` at position 1, and new package names must be \
             lowercase"
        );
        assert_eq!(
            legacy("crazy!"),
            "it contains `!` at position 6, and new package names cannot contain any of \
             `~'!()*`"
        );
        assert!(legacy("@npm-zors/money!time.js").contains("`!` at position 16"));
        assert_eq!(
            legacy(&"a".repeat(215)),
            "it is 215 characters long, over the 214 allowed for new packages"
        );
        // Every broken legacy rule is listed, separated by `; `.
        let all = format!("HTTP{}(", "x".repeat(210));
        let reason = legacy(&all);
        let parts: Vec<&str> = reason.split("; ").collect();
        assert_eq!(
            parts,
            [
                "it is 215 characters long, over the 214 allowed for new packages",
                "it contains the capital letter `H` at position 1, and new package names must \
                 be lowercase",
                "it contains `(` at position 215, and new package names cannot contain any of \
                 `~'!()*`",
            ]
        );
        let reason = legacy("Fs");
        let parts: Vec<&str> = reason.split("; ").collect();
        assert_eq!(parts.len(), 2, "{reason}");
        assert!(parts[0].starts_with("`fs` is the name of a Node.js core module"));
    }

    #[test]
    fn length_limit() {
        assert_eq!(class(&"a".repeat(214)), Valid);
        assert_eq!(class(&"a".repeat(215)), Legacy);
        assert_eq!(class(&"a".repeat(100_000)), Legacy);
        // The limit counts the whole scoped name.
        let scoped = format!("@scope/{}", "a".repeat(207));
        assert_eq!(scoped.len(), 214);
        assert_eq!(class(&scoped), Valid);
        assert_eq!(class(&format!("{scoped}a")), Legacy);
        // A long name with a bad character at the end is found in linear time.
        let long = "é".repeat(200_000);
        assert!(reason(&long).contains("at position 1"));
        let long = "a".repeat(1_000_000) + ":";
        assert!(reason(&long).contains("at position 1000001"));
    }

    #[test]
    fn core_modules() {
        for &module in NODE_BUILTIN_MODULES {
            let expected = if module.contains('/') {
                Invalid
            } else if module.starts_with('_') {
                // `_http_agent` and co. are core modules too, but the leading
                // underscore already makes them errors.
                Invalid
            } else {
                Legacy
            };
            assert_eq!(class(module), expected, "{module}");
        }
        assert_eq!(class("HTTP"), Legacy);
        assert_eq!(class("node:fs"), Invalid);
        assert_eq!(class("@scope/fs"), Valid);
        assert_eq!(class("fs-extra"), Valid);
        assert_eq!(class("test"), Valid);
        assert_eq!(class("sqlite"), Valid);
    }

    #[test]
    fn builtin_list_is_sorted_and_unique() {
        assert!(NODE_BUILTIN_MODULES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(NODE_BUILTIN_MODULES.len(), 68);
    }

    #[test]
    fn scopes() {
        let cases: &[(&str, Class)] = &[
            ("@npm/thingy", Valid),
            ("@a/b", Valid),
            ("@Scope/pkg", Legacy),
            ("@scope/Pkg", Legacy),
            ("@scope/pkg!", Legacy),
            // Only the part after the last `/` is checked for `~'!()*`, and the scope
            // only for URL-safety: these are valid for new packages.
            ("@scope!/pkg", Valid),
            ("@(scope)/pkg", Valid),
            ("@.scope/pkg", Valid),
            ("@_scope/pkg", Valid),
            ("@-/pkg", Valid),
            ("@scope/_pkg", Valid),
            ("@scope/node_modules", Valid),
            ("@scope/favicon.ico", Valid),
            ("@scope/.pkg", Invalid),
            ("@", Invalid),
            ("@/", Invalid),
            ("@/pkg", Invalid),
            ("@scope", Invalid),
            ("@scope/", Invalid),
            ("@scope/pkg/extra", Invalid),
            ("@@scope/pkg", Invalid),
            ("@scope/@pkg", Invalid),
            ("scope/pkg", Invalid),
            ("@scope%2fpkg", Invalid),
            (" @scope/pkg", Invalid),
        ];
        for (name, expected) in cases {
            assert_eq!(class(name), *expected, "{name:?}: {:?}", validate(name));
        }
    }

    #[test]
    fn printable_ascii() {
        for b in 0x20u8..0x7f {
            let c = b as char;
            let url_safe = c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c);
            let middle = format!("ab{c}cd");
            let expected = if !url_safe {
                Invalid
            } else if c.is_ascii_uppercase() || "~'!()*".contains(c) {
                Legacy
            } else {
                Valid
            };
            assert_eq!(class(&middle), expected, "{middle:?}");
            let first = format!("{c}abc");
            let expected = if c == '.' || c == '_' {
                Invalid
            } else {
                expected
            };
            let expected = if c == '@' { Invalid } else { expected };
            assert_eq!(class(&first), expected, "{first:?}");
        }
    }
}
