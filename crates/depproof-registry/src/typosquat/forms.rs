//! The derived spellings of a name that the look-alike tests compare: without separators,
//! with look-alike characters folded, as a bag of words, and without a well-known affix.

use crate::Ecosystem;

/// The bytes that join the words of a name: `-`, `_`, `.` (PyPI folds all three into `-`),
/// and the `@`, `/` of an npm scope.
pub(crate) fn is_separator(b: u8) -> bool {
    matches!(b, b'-' | b'_' | b'.' | b'@' | b'/')
}

/// `@scope/name` split into (`scope`, `name`); unscoped names have no scope.
pub(crate) fn split_scope(key: &str) -> (Option<&str>, &str) {
    if let Some(rest) = key.strip_prefix('@')
        && let Some((scope, name)) = rest.split_once('/')
    {
        return (Some(scope), name);
    }
    (None, key)
}

/// The name in ASCII lowercase without separators: `requests-oauthlib` and
/// `requestsoauthlib`, `@types/node` and `types-node` share one flat form.
pub(crate) fn flat(key: &str) -> String {
    key.bytes()
        .filter(|&b| !is_separator(b))
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// The flat form with look-alike characters folded to one representative: `0`→`o`,
/// `1`/`i`/`l`→`l`, `rn`→`m`, `vv`→`w`. Two names with the same skeleton read alike in
/// most fonts (and PyPI's lowercase normalization turns `jeIlyfish` into `jeilyfish`).
pub(crate) fn skeleton(flat: &str) -> String {
    let b = flat.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let pair = b.get(i + 1).map(|&n| (b[i], n));
        match pair {
            Some((b'r', b'n')) => {
                out.push('m');
                i += 2;
                continue;
            }
            Some((b'v', b'v')) => {
                out.push('w');
                i += 2;
                continue;
            }
            _ => {}
        }
        out.push(match b[i] {
            b'0' => 'o',
            b'1' | b'i' | b'l' | b'|' => 'l',
            c => c as char,
        });
        i += 1;
    }
    out
}

/// True when `a` and `b` (single bytes) are look-alikes in common fonts.
pub(crate) fn confusable(a: u8, b: u8) -> bool {
    let class = |c: u8| match c {
        b'0' | b'o' => 1,
        b'1' | b'i' | b'l' | b'|' => 2,
        _ => 0,
    };
    a != b && class(a) != 0 && class(a) == class(b)
}

/// The words of a name (split at separators), lowercase, sorted: the same bag for
/// `requests-toolbelt` and `toolbelt-requests`. `None` for a single word. An npm scope
/// counts as a word.
pub(crate) fn word_bag(key: &str) -> Option<String> {
    let mut words: Vec<String> = key
        .split(|c: char| c.is_ascii() && is_separator(c as u8))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.len() < 2 {
        return None;
    }
    words.sort_unstable();
    Some(words.join(" "))
}

/// An affix that squatters add to, drop from, or swap on a popular name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Affix {
    /// The affix as it is spelled in the flat form (no separator); empty for a version
    /// number.
    pub text: &'static str,
    /// True for a prefix, false for a suffix.
    pub prefix: bool,
}

impl Affix {
    /// A language word or a version number (`python3-`, `-js`, `2`), which says nothing
    /// about what a package does: swapping or dropping one keeps the name of the same
    /// project. Generic words (`-utils`, `-cli`, `-sdk`) name a different project of the
    /// same family, so only adding one to a popular name counts.
    pub fn is_language_or_version(self) -> bool {
        matches!(
            self.text,
            "" | "python3" | "python" | "py3" | "py" | "node" | "nodejs" | "js" | "npm"
        )
    }
}

/// Language and packaging words that attackers put before a name (`python3-dateutil`,
/// `node-fabric`), and the usual suffixes (`-lib`, `-api`, `.js`, version digits).
/// The words are matched on the flat form, at the edge of a word of the written name
/// (so `pyramid` is not `py` + `ramid`), except for the digits.
const PYPI_PREFIXES: &[&str] = &["python3", "python", "py3", "py"];
const PYPI_SUFFIXES: &[&str] = &[
    "python3", "python", "py3", "py", "lib", "dev", "api", "sdk", "utils", "util", "tools", "cli",
    "client", "core", "plus", "pro", "new", "official",
];
const NPM_PREFIXES: &[&str] = &["node", "nodejs", "js", "npm"];
const NPM_SUFFIXES: &[&str] = &[
    "js", "node", "nodejs", "lib", "dev", "api", "sdk", "utils", "util", "tools", "cli", "core",
    "plus", "pro", "new", "official",
];

/// The well-known affixes of `ecosystem`.
fn affixes(ecosystem: Ecosystem) -> (&'static [&'static str], &'static [&'static str]) {
    match ecosystem {
        Ecosystem::PyPI => (PYPI_PREFIXES, PYPI_SUFFIXES),
        Ecosystem::Npm => (NPM_PREFIXES, NPM_SUFFIXES),
    }
}

/// One way to strip an affix from a name: the flat core that remains and what was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stripped {
    pub core: String,
    pub affix: Affix,
    /// The affix as written, with its separator (`python3-`, `-lib`, `.js`, `2`).
    pub written: String,
}

/// Every way to strip one well-known affix (or a trailing version number) from `key`,
/// leaving a flat core of at least three characters. Words must end at a separator of the
/// written name (`python-dateutil`, `nodemailer.js`), or run straight into the rest for
/// the language words (`pythondateutil`, `nodesass`, `colorsjs`), which squatters use.
pub(crate) fn strip_affixes(ecosystem: Ecosystem, key: &str) -> Vec<Stripped> {
    let (scope, name) = split_scope(key);
    let lower = name.to_ascii_lowercase();
    let (prefixes, suffixes) = affixes(ecosystem);
    let mut out = Vec::new();
    // A scoped name keeps its scope in the core: `@scope/x-js` is `@scope/x` with `-js`.
    let scope_flat = scope.map(flat).unwrap_or_default();
    let mut push = |core_written: &str, affix: Affix, written: &str| {
        let core = format!("{scope_flat}{}", flat(core_written));
        if core.len() >= scope_flat.len() + 3 && !out.iter().any(|s: &Stripped| s.core == core) {
            out.push(Stripped {
                core,
                affix,
                written: written.to_owned(),
            });
        }
    };
    let glued_ok = |word: &str| matches!(word, "python" | "python3" | "py" | "node" | "js");
    for &p in prefixes {
        if let Some(rest) = lower.strip_prefix(p) {
            let sep = rest.bytes().next().is_some_and(is_separator);
            let letter = rest.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
            // `py` glued to a word is how half of PyPI is named (`pyyaml`, `pytest`): only
            // the longer language words count when glued, and only to a word
            // (`pythondateutil`, not `python3-` read as `python` + `3-`).
            if sep || (letter && glued_ok(p) && p != "py" && p != "js") {
                let cut = if sep { 1 } else { 0 };
                push(
                    &rest[cut..],
                    Affix {
                        text: p,
                        prefix: true,
                    },
                    &lower[..p.len() + cut],
                );
            }
        }
    }
    for &s in suffixes {
        if let Some(rest) = lower.strip_suffix(s) {
            let sep = rest.bytes().last().is_some_and(is_separator);
            if sep || (glued_ok(s) && s != "py") {
                let cut = if sep { 1 } else { 0 };
                let core_end = rest.len() - cut;
                push(
                    &rest[..core_end],
                    Affix {
                        text: s,
                        prefix: false,
                    },
                    &lower[core_end..],
                );
            }
        }
    }
    // A trailing version number: `beautifulsoup5`, `urllib-4`, `discord.py2`.
    let digits = lower.bytes().rev().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let mut core_end = lower.len() - digits;
        if lower.as_bytes()[..core_end]
            .last()
            .is_some_and(|&b| is_separator(b))
        {
            core_end -= 1;
        }
        push(
            &lower[..core_end],
            Affix {
                text: "",
                prefix: false,
            },
            &lower[core_end..],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_and_skeleton() {
        assert_eq!(flat("requests-oauthlib"), "requestsoauthlib");
        assert_eq!(flat("@types/node"), flat("types-node"));
        assert_eq!(flat("JSONStream"), "jsonstream");
        assert_eq!(skeleton("jeilyfish"), skeleton("jellyfish"));
        assert_eq!(skeleton("rnatplotlib"), skeleton("matplotlib"));
        assert_eq!(skeleton("dj4ngo"), "dj4ngo");
        assert_eq!(skeleton("b00st"), "boost");
        assert!(confusable(b'l', b'1') && confusable(b'0', b'o') && !confusable(b'a', b'a'));
        assert!(!confusable(b'a', b'e'));
    }

    #[test]
    fn words() {
        assert_eq!(word_bag("toolbelt-requests"), word_bag("requests-toolbelt"));
        assert_eq!(word_bag("requests"), None);
        assert_eq!(
            word_bag("@azure/core-http").as_deref(),
            Some("azure core http")
        );
    }

    #[test]
    fn affixes_at_word_edges() {
        let cores = |eco, key| {
            strip_affixes(eco, key)
                .into_iter()
                .map(|s| (s.core, s.written))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            cores(Ecosystem::PyPI, "python3-dateutil"),
            [("dateutil".to_string(), "python3-".to_string())]
        );
        assert_eq!(
            cores(Ecosystem::PyPI, "beautifulsoup4"),
            [("beautifulsoup".to_string(), "4".to_string())]
        );
        // `py` glued to a word is ordinary PyPI naming, not an affix.
        assert!(cores(Ecosystem::PyPI, "pyyaml").is_empty());
        assert!(cores(Ecosystem::PyPI, "pyramid").is_empty());
        assert!(
            cores(Ecosystem::Npm, "nodemailer.js")
                .contains(&("nodemailer".to_string(), ".js".to_string()))
        );
        assert!(
            cores(Ecosystem::Npm, "nodesass").contains(&("sass".to_string(), "node".to_string()))
        );
        assert!(cores(Ecosystem::Npm, "ab-js").is_empty(), "core too short");
    }
}
