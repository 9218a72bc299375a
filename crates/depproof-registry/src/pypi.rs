//! PyPI name rules: PEP 508 validity and PEP 503 normalization.

use std::borrow::Cow;

use crate::ecosystem::{Ecosystem, NameError, Validity};

/// What PEP 508 allows, said once for every message.
const ALLOWED: &str = "PyPI names use only ASCII letters, digits, `-`, `_` and `.` (PEP 508)";

/// Checks `name` against PEP 508's name grammar,
/// `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, ASCII case-insensitive.
///
/// PEP 508 sets no length limit, so any length is accepted; the check is one pass over
/// the name. PyPI has no legacy rules, so the result is never [`Validity::LegacyOnly`].
///
/// A broken rule is reported with one of these stable codes, checked in this order:
///
/// - `pypi-empty`: the name is empty.
/// - `pypi-invalid-character`: the name contains a character other than an ASCII letter,
///   an ASCII digit, `-`, `_` or `.` (whitespace, `@`, `/`, `=`, `[`, any non-ASCII
///   character, ...). The reason names the first such character and its 1-based
///   character position.
/// - `pypi-bad-start`: the first character is `-`, `_` or `.`.
/// - `pypi-bad-end`: the last character is `-`, `_` or `.`.
pub fn validate(name: &str) -> Result<Validity, NameError> {
    let error = |rule: &'static str, reason: String| NameError {
        ecosystem: Ecosystem::PyPI,
        name: name.to_owned(),
        rule,
        reason,
    };

    let bytes = name.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return Err(error(
            "pypi-empty",
            "it is empty; a PyPI name needs at least one ASCII letter or digit (PEP 508)"
                .to_owned(),
        ));
    };

    // Fast path over bytes: every allowed character is ASCII, so the first byte that is
    // not allowed starts the offending character. Positions are counted in characters
    // only once one is found, so the whole check stays linear.
    if let Some(index) = bytes.iter().position(|&b| !is_name_byte(b)) {
        let position = name[..index].chars().count() + 1;
        let c = name[index..].chars().next().unwrap_or_default();
        return Err(error(
            "pypi-invalid-character",
            format!(
                "it contains {} at position {position}{}; {ALLOWED}",
                describe_char(c),
                hint(c)
            ),
        ));
    }

    if !first.is_ascii_alphanumeric() {
        return Err(error(
            "pypi-bad-start",
            format!(
                "it starts with `{}`; a PyPI name must start with an ASCII letter or digit \
                 (PEP 508)",
                first as char
            ),
        ));
    }
    if !last.is_ascii_alphanumeric() {
        return Err(error(
            "pypi-bad-end",
            format!(
                "it ends with `{}`; a PyPI name must end with an ASCII letter or digit (PEP 508)",
                last as char
            ),
        ));
    }
    Ok(Validity::Valid)
}

/// PEP 503 normalization: runs of `-`, `_`, `.` become one `-`, ASCII letters lowercase.
///
/// Equivalent to Python's `re.sub(r"[-_.]+", "-", name).lower()` on every name that
/// passed [`validate`] (which are ASCII); other characters are copied unchanged.
/// Returns [`Cow::Borrowed`] without allocating when `name` is already normalized.
pub fn normalize(name: &str) -> Cow<'_, str> {
    if is_normalized(name) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator_run {
                out.push('-');
            }
            in_separator_run = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_separator_run = false;
        }
    }
    Cow::Owned(out)
}

/// Whether [`normalize`] would return `name` unchanged: no ASCII capital, no `_` or `.`,
/// no `--`.
fn is_normalized(name: &str) -> bool {
    let mut previous_dash = false;
    for &b in name.as_bytes() {
        match b {
            b'A'..=b'Z' | b'_' | b'.' => return false,
            b'-' if previous_dash => return false,
            _ => previous_dash = b == b'-',
        }
    }
    true
}

/// The bytes PEP 508 allows anywhere in a name.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
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
            let kind = if c.is_whitespace() {
                "a non-ASCII space"
            } else {
                "not ASCII"
            };
            // `escape_debug` escapes what would not show: controls, zero-width and
            // combining characters. Printable characters are shown as they are.
            let shown: String = c.escape_debug().collect();
            if c.is_whitespace() || shown.starts_with('\\') {
                format!("`{}` ({code}, {kind})", c.escape_unicode())
            } else {
                format!("`{c}` ({code}, {kind})")
            }
        }
    }
}

/// A short explanation for characters that usually mean the input was more than a name.
fn hint(c: char) -> &'static str {
    match c {
        c if c.is_whitespace() => " (names cannot contain whitespace)",
        '=' | '<' | '>' | '!' | '~' | ',' => {
            " (a version specifier such as `==1.0` is not part of the name)"
        }
        '[' | ']' => " (extras such as `[security]` are not part of the name)",
        ';' => " (environment markers are not part of the name)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str) -> &'static str {
        validate(name).expect_err(name).rule
    }

    fn reason(name: &str) -> String {
        validate(name).expect_err(name).reason
    }

    #[test]
    fn pep_508_valid_names() {
        for name in [
            "a",
            "Z",
            "0",
            "requests",
            "Django",
            "zope.interface",
            "typing_extensions",
            "python-dateutil",
            "Foo_Bar.baz",
            "foo-bar-baz",
            "FOO.BAR",
            "friendly-bard",
            "Friendly-Bard",
            "FRIENDLY-BARD",
            "friendly.bard",
            "friendly_bard",
            "friendly--bard",
            "FrIeNdLy-._.-bArD",
            "a-b",
            "a.b",
            "a_b",
            "a-_.b",
            "1",
            "123",
            "0x",
            "3to2",
            "a1",
        ] {
            assert_eq!(validate(name), Ok(Validity::Valid), "{name}");
        }
    }

    #[test]
    fn empty_name() {
        let err = validate("").unwrap_err();
        assert_eq!(err.rule, "pypi-empty");
        assert_eq!(err.ecosystem, Ecosystem::PyPI);
        assert_eq!(err.name, "");
        assert!(err.reason.contains("empty"), "{}", err.reason);
    }

    #[test]
    fn leading_and_trailing_separators() {
        for name in ["-foo", "_foo", ".foo", "-", "_", ".", "--", "._.", "-a-"] {
            assert_eq!(rule(name), "pypi-bad-start", "{name}");
        }
        for name in ["foo-", "foo_", "foo.", "a.", "a-_."] {
            assert_eq!(rule(name), "pypi-bad-end", "{name}");
        }
        assert_eq!(
            reason("_foo"),
            "it starts with `_`; a PyPI name must start with an ASCII letter or digit (PEP 508)"
        );
        assert_eq!(
            reason("foo."),
            "it ends with `.`; a PyPI name must end with an ASCII letter or digit (PEP 508)"
        );
    }

    #[test]
    fn invalid_characters_are_named_with_their_position() {
        assert_eq!(
            reason("@foo"),
            "it contains `@` at position 1; PyPI names use only ASCII letters, digits, `-`, \
             `_` and `.` (PEP 508)"
        );
        assert_eq!(rule("foo/bar"), "pypi-invalid-character");
        assert!(reason("foo/bar").contains("`/` at position 4"));
        assert!(reason("scope@pkg").contains("`@` at position 6"));
        for name in [
            "foo bar", "foo/bar", "@foo", "foo@1.0", "foo+bar", "foo:bar", "foo\\bar", "foo'",
            "foo\"", "foo#", "foo$", "foo%", "foo&", "foo*", "foo(", "foo)", "foo?", "foo|",
            "foo^", "foo{", "foo`",
        ] {
            assert_eq!(rule(name), "pypi-invalid-character", "{name}");
        }
        assert!(reason("foo`").contains("a backtick (`` ` ``) at position 4"));
    }

    #[test]
    fn invalid_character_wins_over_bad_start_and_end() {
        // The most specific problem is reported first.
        assert_eq!(rule("-foo bar-"), "pypi-invalid-character");
        assert!(reason("-foo bar-").contains("a space at position 5"));
    }

    #[test]
    fn whitespace_is_spelled_out() {
        assert_eq!(
            reason(" requests"),
            "it contains a space at position 1 (names cannot contain whitespace); PyPI names \
             use only ASCII letters, digits, `-`, `_` and `.` (PEP 508)"
        );
        assert!(reason("requests ").contains("a space at position 9"));
        assert!(reason("a\tb").contains("a tab (`\\t`) at position 2"));
        assert!(reason("a\n").contains("a line feed (`\\n`) at position 2"));
        assert!(reason("a\r\n").contains("a carriage return (`\\r`) at position 2"));
        assert!(
            reason("a\u{1b}b").contains("the control character `\\u{1b}` at position 2"),
            "{}",
            reason("a\u{1b}b")
        );
        assert!(reason("a\0").contains("the control character `\\u{0}` at position 2"));
        assert!(reason("a\u{7f}").contains("`\\u{7f}` at position 2"));
        assert!(
            reason("a\u{a0}b").contains("`\\u{a0}` (U+00A0, a non-ASCII space) at position 2"),
            "{}",
            reason("a\u{a0}b")
        );
    }

    #[test]
    fn non_ascii_is_reported_by_character_position() {
        assert_eq!(
            reason("réquests"),
            "it contains `é` (U+00E9, not ASCII) at position 2; PyPI names use only ASCII \
             letters, digits, `-`, `_` and `.` (PEP 508)"
        );
        // Positions count characters, not bytes.
        assert!(reason("ééé").contains("at position 1"));
        assert!(reason("abc日本").contains("`日` (U+65E5, not ASCII) at position 4"));
        assert!(reason("a😀").contains("(U+1F600, not ASCII) at position 2"));
        // Invisible and combining characters are escaped, not printed raw.
        assert!(
            reason("req\u{200b}uests").contains("`\\u{200b}` (U+200B, not ASCII) at position 4")
        );
        assert!(reason("re\u{301}quests").contains("`\\u{301}` (U+0301, not ASCII) at position 3"));
        // Lookalikes: Cyrillic `а`, fullwidth letters, Kelvin sign.
        assert!(reason("requ\u{430}sts").contains("U+0430"));
        assert!(reason("ｒｅｑｕｅｓｔｓ").contains("U+FF52"));
        assert!(reason("\u{212a}").contains("U+212A"));
    }

    #[test]
    fn hints_for_requirement_syntax() {
        assert!(reason("requests==2.0").contains("`=` at position 9 (a version specifier"));
        assert!(reason("requests>=2").contains("`>` at position 9 (a version specifier"));
        assert!(reason("requests[socks]").contains("`[` at position 9 (extras"));
        assert!(reason("requests;python_version").contains("environment markers"));
    }

    #[test]
    fn very_long_names() {
        let long = "a".repeat(10_000);
        assert_eq!(validate(&long), Ok(Validity::Valid));
        assert!(matches!(normalize(&long), Cow::Borrowed(_)));

        let mixed: String = "Ab_.-".repeat(2_000) + "z";
        assert_eq!(mixed.len(), 10_001);
        assert_eq!(validate(&mixed), Ok(Validity::Valid));
        assert_eq!(normalize(&mixed), "ab-".repeat(2_000) + "z");

        // A bad character at the very end of a long non-ASCII name is found and its
        // character position is right (would be slow if positions were recomputed).
        let mut wide = "é".repeat(100_000);
        assert_eq!(rule(&wide), "pypi-invalid-character");
        wide = "a".repeat(1_000_000) + "@";
        assert!(reason(&wide).contains("`@` at position 1000001"));
        let ends_badly = "a".repeat(1_000_000) + "-";
        assert_eq!(rule(&ends_badly), "pypi-bad-end");
    }

    #[test]
    fn error_carries_name_and_displays() {
        let err = validate("foo bar").unwrap_err();
        assert_eq!(err.ecosystem, Ecosystem::PyPI);
        assert_eq!(err.name, "foo bar");
        assert!(
            err.to_string()
                .starts_with("`foo bar` is not a valid PyPI package name: it contains a space")
        );
    }

    #[test]
    fn pep_503_normalization() {
        // PEP 503: these all refer to the same project.
        for name in ["Foo_Bar.baz", "foo-bar-baz", "FOO.BAR.BAZ", "foo__bar..baz"] {
            assert_eq!(normalize(name), "foo-bar-baz", "{name}");
        }
        assert_eq!(normalize("FOO.BAR"), "foo-bar");
        // PyPA name normalization spec: all equivalent to `friendly-bard`.
        for name in [
            "friendly-bard",
            "Friendly-Bard",
            "FRIENDLY-BARD",
            "friendly.bard",
            "friendly_bard",
            "friendly--bard",
            "FrIeNdLy-._.-bArD",
        ] {
            assert_eq!(normalize(name), "friendly-bard", "{name}");
        }
        assert_eq!(normalize("a"), "a");
        assert_eq!(normalize("A"), "a");
        assert_eq!(normalize("a._-b-_.c"), "a-b-c");
        assert_eq!(normalize("0.0.1"), "0-0-1");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn normalize_borrows_when_already_normalized() {
        for name in [
            "requests",
            "friendly-bard",
            "a-b-c",
            "123",
            "a",
            "",
            "x1-y2",
        ] {
            assert!(
                matches!(normalize(name), Cow::Borrowed(n) if n == name),
                "{name}"
            );
        }
        for name in ["Requests", "a_b", "a.b", "a--b", "a-_b", "A"] {
            assert!(matches!(normalize(name), Cow::Owned(_)), "{name}");
        }
    }

    #[test]
    fn normalize_is_idempotent_and_preserves_validity() {
        for name in ["Foo_Bar.baz", "FrIeNdLy-._.-bArD", "a", "A-_-B", "x.Y_z"] {
            let once = normalize(name).into_owned();
            assert_eq!(normalize(&once), once);
            assert_eq!(validate(&once), Ok(Validity::Valid));
        }
    }

    /// A straightforward transcription of the PEP 508 regex and the PEP 503 `re.sub`,
    /// compared with the implementation on every string of up to 3 characters over an
    /// alphabet with each character class.
    #[test]
    fn exhaustive_short_names_match_reference() {
        fn reference_valid(name: &str) -> bool {
            let b = name.as_bytes();
            let alnum = |c: &u8| c.is_ascii_alphanumeric();
            !b.is_empty()
                && name.is_ascii()
                && alnum(&b[0])
                && alnum(&b[b.len() - 1])
                && b.iter().all(|c| alnum(c) || b"-_.".contains(c))
        }
        fn reference_normalize(name: &str) -> String {
            let mut out = String::new();
            let mut chars = name.chars().peekable();
            while let Some(c) = chars.next() {
                if "-_.".contains(c) {
                    while chars.peek().is_some_and(|n| "-_.".contains(*n)) {
                        chars.next();
                    }
                    out.push('-');
                } else {
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        let alphabet = ['a', 'Z', '7', '-', '_', '.', ' ', '@', 'é'];
        let mut names = vec![String::new()];
        for len in 1..=3 {
            let mut next = Vec::new();
            for prefix in names.iter().filter(|n| n.chars().count() == len - 1) {
                for c in alphabet {
                    next.push(format!("{prefix}{c}"));
                }
            }
            names.extend(next);
        }
        assert_eq!(names.len(), 1 + 9 + 81 + 729);
        for name in &names {
            assert_eq!(validate(name).is_ok(), reference_valid(name), "{name:?}");
            if reference_valid(name) {
                assert_eq!(normalize(name), reference_normalize(name), "{name:?}");
            }
        }
    }

    /// Names for the cross-check with `pep508_rs`: every string of up to 2 characters
    /// over a small alphabet, a few hundred pseudo-random ones up to 12 characters long,
    /// and hand-picked edges.
    fn cross_check_names() -> Vec<String> {
        let alphabet: Vec<char> = "aZ9-_. @/é+!".chars().collect();
        let mut names = vec![String::new()];
        for &a in &alphabet {
            names.push(a.to_string());
            for &b in &alphabet {
                names.push(format!("{a}{b}"));
            }
        }
        // xorshift64*: deterministic, no dependency.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        let pool: Vec<char> = "abcXYZ0189-_.-_.~ @/\\:;=<>[]()'\"\t\nüÅ日\u{212a}\u{130}\u{200b}"
            .chars()
            .collect();
        for _ in 0..400 {
            let len = (next() % 13) as usize;
            let name: String = (0..len)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .collect();
            names.push(name);
        }
        // Mostly-valid names, so that normalization is compared on many of them.
        let valid_pool: Vec<char> = "aBc0Z9-_.".chars().collect();
        for _ in 0..300 {
            let len = 1 + (next() % 12) as usize;
            let mut name: String = (0..len)
                .map(|_| valid_pool[(next() % valid_pool.len() as u64) as usize])
                .collect();
            if next() % 2 == 0 {
                name = format!("x{name}y");
            }
            names.push(name);
        }
        for name in [
            "Foo_Bar.baz",
            "FrIeNdLy-._.-bArD",
            "requests",
            "zope.interface",
            "a-_-_-_-b",
            "\u{212a}elvin",
            "requests ",
            "requests==1.0",
        ] {
            names.push(name.to_owned());
        }
        names.push("a".repeat(10_000));
        names.push(format!("{}.{}", "A".repeat(5_000), "B".repeat(5_000)));
        names
    }

    /// Our rules against `pep508_rs` (the PEP 508 parser of uv), on the names above:
    /// both accept the same names and normalize them the same way.
    ///
    /// One documented difference: `pep508_rs::PackageName` accepts the empty string
    /// (normalized to `""`), which PEP 508's grammar does not; PEP 508 wins here.
    #[test]
    fn agrees_with_pep508_rs() {
        use std::str::FromStr;

        let names = cross_check_names();
        assert!(names.len() > 500, "{}", names.len());
        let mut accepted = 0;
        for name in &names {
            let theirs = pep508_rs::PackageName::from_str(name);
            let owned = pep508_rs::PackageName::new(name.clone());
            assert_eq!(theirs, owned, "{name:?}: from_str and new disagree");
            if name.is_empty() {
                // The documented difference.
                assert_eq!(theirs.as_ref().map(|n| n.as_ref()), Ok(""));
                assert_eq!(validate(name).unwrap_err().rule, "pypi-empty");
                continue;
            }
            match (validate(name), theirs) {
                (Ok(Validity::Valid), Ok(normalized)) => {
                    assert_eq!(normalize(name), normalized.as_ref(), "{name:?}");
                    accepted += 1;
                }
                (Err(_), Err(_)) => {}
                (ours, theirs) => {
                    panic!("{name:?}: we say {ours:?}, pep508_rs says {theirs:?}")
                }
            }
        }
        // Make sure both outcomes were exercised in bulk.
        assert!(accepted > 200, "{accepted} accepted");
        assert!(
            names.len() - accepted > 250,
            "{} rejected",
            names.len() - accepted
        );
    }
}
