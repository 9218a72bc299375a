//! A summary for a pull-request comment or a CI job summary: a table of the packages that
//! block or warn, with links to their lines and to the signal documentation, and
//! collapsed details for the rest (packages that pass, suppressed signals, names that
//! are not registry names, input problems, the data used).

use std::fmt::Write;

use depproof_assess::{Finding, Verdict};
use depproof_extract::scan::{Reference, Target};

use crate::docs::help_uri;
use crate::sarif::encode_path;
use crate::{Counts, Options, ScanReport, kind_words};

/// Rows of the table of problems; GitHub comments hold 65,536 characters.
const MAX_PROBLEMS: usize = 100;
/// Rows of each collapsed list.
const MAX_ROWS: usize = 200;
/// Links per package.
const MAX_LINKS: usize = 5;

/// Escapes text that may hold Markdown code spans (signal messages quote names in
/// backticks): outside code spans, characters that would format or inject HTML are
/// escaped; everywhere, `|` (table cells) and line breaks.
pub fn text(s: &str) -> String {
    let ticks = s.matches('`').count();
    let mut out = String::with_capacity(s.len() + 8);
    let mut in_code = false;
    let mut seen = 0;
    for c in s.chars() {
        match c {
            '`' => {
                seen += 1;
                // An unpaired last backtick is literal.
                if !in_code && seen == ticks && ticks % 2 == 1 {
                    out.push_str("\\`");
                } else {
                    in_code = !in_code;
                    out.push('`');
                }
            }
            '|' => out.push_str("\\|"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if in_code => out.push(c),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '*' | '_' | '[' | ']' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A name as inline code.
fn code(s: &str) -> String {
    if s.contains('`') || s.chars().any(char::is_control) {
        text(s)
    } else {
        format!("`{}`", s.replace('|', "\\|"))
    }
}

fn link(o: &Options, r: &Reference) -> String {
    let l = &r.location;
    let label = match l.cell {
        Some(c) if l.path.to_ascii_lowercase().ends_with(".ipynb") => {
            format!("{} cell {c}", l.path)
        }
        Some(c) => format!("{} message {c}", l.path),
        None => format!("{}:{}", l.path, l.line),
    };
    let path = l.path.replace('\\', "/");
    if path == "-" || path.starts_with('/') || path.get(1..2) == Some(":") {
        return text(&label);
    }
    let anchor = if l.cell.is_none() {
        format!("#L{}", l.line)
    } else {
        String::new()
    };
    let base = o.link_base.as_deref().unwrap_or("");
    format!(
        "[{}]({base}{}{anchor})",
        text(&label),
        encode_path(&path).replace(['(', ')'], "")
    )
}

fn links(o: &Options, refs: &[Reference]) -> String {
    let mut parts: Vec<String> = refs.iter().take(MAX_LINKS).map(|r| link(o, r)).collect();
    if refs.len() > MAX_LINKS {
        parts.push(format!("and {} more", refs.len() - MAX_LINKS));
    }
    parts.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn problem_row(out: &mut String, r: &ScanReport, o: &Options, f: &Finding) {
    let signals: Vec<String> = f
        .signals
        .iter()
        .map(|s| {
            format!(
                "[{} {}]({}): {}",
                s.code.id(),
                s.code.name(),
                help_uri(s.code),
                text(&s.message)
            )
        })
        .collect();
    let verdict = match f.verdict {
        Verdict::Block => "**block**",
        Verdict::Warn => "warn",
        Verdict::Ok => "ok",
    };
    let _ = writeln!(
        out,
        "| {verdict} | {} ({}) | {} | {} |",
        code(&f.name),
        f.ecosystem,
        if signals.is_empty() {
            text(&f.summary(&r.registry))
        } else {
            signals.join("<br>")
        },
        links(o, &f.references)
    );
}

/// The scan report as Markdown.
pub fn scan(r: &ScanReport, o: &Options) -> String {
    let c = Counts::of(r.findings);
    let mut out = String::new();
    let headline = if c.block + c.warn == 0 {
        "no package blocks or warns".to_owned()
    } else {
        format!(
            "{} {}, {} {}",
            c.block,
            if c.block == 1 {
                "package blocks"
            } else {
                "packages block"
            },
            c.warn,
            if c.warn == 1 { "warns" } else { "warn" }
        )
    };
    let _ = writeln!(out, "### depproof: {headline}\n");
    if let Some(d) = &r.diff {
        let short: String = d.commit.chars().take(12).collect();
        let _ = writeln!(
            out,
            "Only references added since {} (`{short}`{}).\n",
            code(&d.reference),
            if d.merge_base { ", the merge base" } else { "" }
        );
    }

    let problems: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.verdict != Verdict::Ok)
        .collect();
    if !problems.is_empty() {
        out.push_str("| verdict | package | signals | where |\n|---|---|---|---|\n");
        for f in problems.iter().take(MAX_PROBLEMS) {
            problem_row(&mut out, r, o, f);
        }
        if problems.len() > MAX_PROBLEMS {
            let _ = writeln!(
                out,
                "\n{} more: see the full report (`--format json` or `sarif`).",
                problems.len() - MAX_PROBLEMS
            );
        }
        out.push('\n');
    }

    let suppressed: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| !f.suppressed.is_empty())
        .collect();
    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n\n| package | signal | suppressed by | where |\n|---|---|---|---|",
            plural(c.suppressed, "suppressed signal", "suppressed signals")
        );
        let mut rows = 0;
        for f in &suppressed {
            for s in &f.suppressed {
                rows += 1;
                if rows > MAX_ROWS {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "| {} ({}) | [{} {}]({}): {} | {} | {} |",
                    code(&f.name),
                    f.ecosystem,
                    s.signal.code.id(),
                    s.signal.code.name(),
                    help_uri(s.signal.code),
                    text(&s.signal.message),
                    text(&s.by.words()),
                    links(o, &f.references)
                );
            }
        }
        if rows > MAX_ROWS {
            let _ = writeln!(out, "\nand {} more", rows - MAX_ROWS);
        }
        out.push_str("\n</details>\n\n");
    }

    let ok: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.verdict == Verdict::Ok)
        .collect();
    if !ok.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} {}</summary>\n\n| package | status | where |\n|---|---|---|",
            plural(ok.len(), "package", "packages"),
            if ok.len() == 1 { "passes" } else { "pass" }
        );
        for f in ok.iter().take(MAX_ROWS) {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} |",
                code(&f.name),
                f.ecosystem,
                text(&f.summary(&r.registry)),
                links(o, &f.references)
            );
        }
        if ok.len() > MAX_ROWS {
            let _ = writeln!(out, "\nand {} more", ok.len() - MAX_ROWS);
        }
        out.push_str("\n</details>\n\n");
    }

    if !r.not_registry.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n\n| reference | what | where |\n|---|---|---|",
            plural(
                r.not_registry.len(),
                "reference that is not a registry name",
                "references that are not registry names"
            )
        );
        for n in r.not_registry.iter().take(MAX_ROWS) {
            if let Target::NotRegistry { text: t, what, .. } = &n.target {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    code(t),
                    text(&format!("{what:?}, {}", kind_words(n))),
                    link(o, n)
                );
            }
        }
        if r.not_registry.len() > MAX_ROWS {
            let _ = writeln!(out, "\nand {} more", r.not_registry.len() - MAX_ROWS);
        }
        out.push_str("\n</details>\n\n");
    }

    if !r.diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n\n| file | problem |\n|---|---|",
            plural(r.diagnostics.len(), "input problem", "input problems")
        );
        for d in r.diagnostics.iter().take(MAX_ROWS) {
            let place = match d.line {
                Some(l) => format!("{}:{l}", d.path),
                None => d.path.to_string(),
            };
            let _ = writeln!(out, "| {} | {} |", text(&place), text(&d.message));
        }
        if r.diagnostics.len() > MAX_ROWS {
            let _ = writeln!(out, "\nand {} more", r.diagnostics.len() - MAX_ROWS);
        }
        out.push_str("\n</details>\n\n");
    }

    let _ = writeln!(
        out,
        "<details><summary>Data</summary>\n\n{}\n</details>\n",
        r.provenance
            .iter()
            .map(|p| format!("- {}\n", text(&p.words())))
            .collect::<String>()
    );
    let _ = writeln!(
        out,
        "<sub>{} {}: {}, {}, {}.</sub>",
        text(&r.tool.name),
        text(&r.tool.version),
        plural(r.stats.files as usize, "file", "files"),
        plural(r.findings.len(), "package", "packages"),
        plural(c.references, "reference", "references"),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_code_spans_and_defuses_the_rest() {
        assert_eq!(
            text("`a|b` does not exist; did you mean `a_b`?"),
            "`a\\|b` does not exist; did you mean `a_b`?"
        );
        assert_eq!(
            text("<img src=x> *x* [l](u)"),
            "&lt;img src=x&gt; \\*x\\* \\[l\\](u)"
        );
        assert_eq!(text("odd ` tick"), "odd \\` tick");
        assert_eq!(text("two\nlines"), "two lines");
        assert_eq!(code("@types/react"), "`@types/react`");
        assert_eq!(code("a`b"), "a\\`b");
    }
}
