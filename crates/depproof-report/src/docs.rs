//! Links into the documentation, and facts about signals that reports show.

use depproof_assess::{Code, Severity};

/// The project's home.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The signal reference, as GitHub shows it.
pub fn signals_doc() -> String {
    format!("{REPOSITORY}/blob/main/docs/signals.md")
}

/// The heading of a signal's section in docs/signals.md, as GitHub renders its text
/// (code spans lose their backticks): `DP001 not-found: The package does not exist…`.
pub fn heading_text(code: Code) -> String {
    format!("{} {}: {}", code.id(), code.name(), code.doc().title)
}

/// The anchor GitHub gives a heading: lowercased, punctuation other than `-` and `_`
/// removed, each space a `-` (github-slugger's rules).
pub fn github_slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c == ' ' {
                Some('-')
            } else if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// The URL of a signal's documentation.
pub fn help_uri(code: Code) -> String {
    format!("{}#{}", signals_doc(), github_slug(&heading_text(code)))
}

/// The highest severity a signal is raised with by default, read from the first word of
/// its documented severity ("critical in an install command…; high elsewhere").
pub fn default_severity(code: Code) -> Severity {
    let text = code.doc().severity;
    let first = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    match first {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        _ => Severity::Info,
    }
}

/// GitHub's `security-severity` score for a severity (critical above 9.0, high from 7.0,
/// medium from 4.0, low above 0).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A signal's documentation as plain text: meaning, why it matters, what to do.
pub fn help_text(code: Code) -> String {
    let d = code.doc();
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{}\n\nWhy it matters. {}\n\nWhat to do. {}\n\nSeverity: {}.",
        squash(d.meaning),
        squash(d.why),
        squash(d.fix),
        d.severity
    )
}

/// A signal's documentation as Markdown, without its heading.
pub fn help_markdown(code: Code) -> String {
    let md = code.markdown();
    match md.split_once("\n\n") {
        Some((heading, rest)) if heading.starts_with('#') => rest.trim_end().to_owned(),
        _ => md.trim_end().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(
            github_slug("DP001 not-found: The package does not exist on its registry"),
            "dp001-not-found-the-package-does-not-exist-on-its-registry"
        );
        assert_eq!(
            github_slug("DP003 unknown: Not in a partial snapshot: may not exist, or be obscure"),
            "dp003-unknown-not-in-a-partial-snapshot-may-not-exist-or-be-obscure"
        );
        assert_eq!(github_slug("a  b"), "a--b");
        assert_eq!(github_slug("Snake_case (x)"), "snake_case-x");
    }

    #[test]
    fn every_code_has_a_documented_default_severity_and_a_unique_anchor() {
        let mut anchors = std::collections::BTreeSet::new();
        for c in Code::ALL {
            let first = c.doc().severity.split_whitespace().next().unwrap_or("");
            assert!(
                ["critical", "high", "medium", "low", "info"]
                    .iter()
                    .any(|w| first.starts_with(w)),
                "{c}: the documented severity must start with a severity word: {:?}",
                c.doc().severity
            );
            assert!(anchors.insert(help_uri(*c)), "{c}: duplicate anchor");
        }
        assert_eq!(default_severity(Code::NotFound), Severity::Critical);
        assert_eq!(default_severity(Code::New), Severity::Low);
    }

    /// The anchors must exist: each is the slug of a heading in docs/signals.md.
    #[test]
    fn anchors_match_the_headings_of_the_signal_reference() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/signals.md");
        let doc = std::fs::read_to_string(path).expect("docs/signals.md");
        let slugs: Vec<String> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(|h| github_slug(&h.replace('`', "")))
            .collect();
        for c in Code::ALL {
            let uri = help_uri(*c);
            let anchor = uri.rsplit_once('#').unwrap().1;
            assert!(
                slugs.iter().any(|s| s == anchor),
                "{c}: no heading of docs/signals.md has the anchor {anchor}"
            );
        }
    }

    #[test]
    fn help_markdown_has_no_heading() {
        let md = help_markdown(Code::NotFound);
        assert!(!md.starts_with('#'), "{md}");
        assert!(md.contains("**Why it matters.**"), "{md}");
    }
}
