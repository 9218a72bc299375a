//! Helpers for the lockfile tests.

use crate::location::Code;
use crate::reference::{Found, Mention, NotRegistry, Output};

/// A fixture file from `tests/fixtures/lockfiles`.
pub(crate) fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/lockfiles/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs a finder on `text` as the file `path`.
pub(crate) fn run(path: &str, text: &str, find: fn(&Code, &mut Output)) -> Output {
    let code = Code::file(path.into(), text);
    let mut out = Output::default();
    find(&code, &mut out);
    for f in &out.found {
        assert!(f.location.start <= f.location.end && f.location.end as usize <= text.len());
        assert!(text.is_char_boundary(f.location.start as usize));
        assert!(text.is_char_boundary(f.location.end as usize));
    }
    out
}

/// The package name, or the text of a non-registry mention.
pub(crate) fn text_of(f: &Found) -> String {
    match &f.mention {
        Mention::Package { name, .. } => name.clone(),
        Mention::NotRegistry { text, .. } => text.clone(),
        other => panic!("unexpected mention {other:?}"),
    }
}

/// The registry packages named `name`.
pub(crate) fn find_all<'o>(out: &'o Output, name: &str) -> Vec<&'o Found> {
    out.found
        .iter()
        .filter(|f| matches!(&f.mention, Mention::Package { name: n, .. } if n == name))
        .collect()
}

/// The only registry package `name` or `name@version`.
pub(crate) fn one<'o>(out: &'o Output, spec: &str) -> &'o Found {
    let (name, version) = match spec.get(1..).and_then(|s| s.find('@')) {
        Some(i) => (&spec[..i + 1], Some(&spec[i + 2..])),
        None => (spec, None),
    };
    let all: Vec<&Found> = find_all(out, name)
        .into_iter()
        .filter(|f| version.is_none() || f.version.as_deref() == version)
        .collect();
    assert_eq!(all.len(), 1, "{spec}: {all:?}");
    all[0]
}

/// The only non-registry mention whose text starts with `prefix`.
pub(crate) fn not_registry<'o>(out: &'o Output, prefix: &str) -> (&'o Found, NotRegistry) {
    let all: Vec<(&Found, NotRegistry)> = out
        .found
        .iter()
        .filter_map(|f| match &f.mention {
            Mention::NotRegistry { text, what, .. } if text.starts_with(prefix) => {
                Some((f, what.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(all.len(), 1, "{prefix}: {all:?}");
    all.into_iter().next().unwrap()
}

/// The text the location's span covers.
pub(crate) fn spanned<'t>(text: &'t str, f: &Found) -> &'t str {
    &text[f.location.start as usize..f.location.end as usize]
}

/// The 1-based line of the first occurrence of `needle`.
pub(crate) fn line_of(text: &str, needle: &str) -> u32 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"));
    text[..at].matches('\n').count() as u32 + 1
}
