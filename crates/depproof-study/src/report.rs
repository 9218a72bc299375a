//! `study report`: Markdown and a self-contained HTML page with tables and SVG charts,
//! and the paper's published figures beside the study's.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use plotters::prelude::*;

use crate::analyze::Analysis;
use crate::mitigate::MitigationReport;

/// The paper's figure 2: model, Python rate %, JavaScript rate % (baseline runs).
const PAPER_FIGURE_2: &str = include_str!("../data/paper/figure_2.csv");

/// A chart: its title and its SVG.
pub struct Chart {
    /// Identifier (file stem, HTML id).
    pub id: &'static str,
    /// Title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

fn pct(n: u64, d: u64) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// Rows of the comparison with the paper: (measure, paper, this study).
pub fn paper_comparison(a: &Analysis) -> Vec<(String, String, String)> {
    let lang_rate = |lang: &str| {
        let (inv, unk, refs) = a
            .groups
            .iter()
            .filter(|g| g.language == lang)
            .fold((0, 0, 0), |(i, u, r), g| {
                (i + g.invented, u + g.unknown, r + g.references)
            });
        rate_words(inv, unk, refs)
    };
    let (all_unknown, all_refs) = a
        .groups
        .iter()
        .fold((0, 0), |(u, r), g| (u + g.unknown, r + g.references));
    let cx = &a.cross_ecosystem;
    let within2 =
        a.distance.get("1").copied().unwrap_or(0) + a.distance.get("2").copied().unwrap_or(0);
    let distinct: u64 = a.distance.values().sum();
    let mut rows = vec![
        (
            "package references".to_owned(),
            "2.23 million".to_owned(),
            a.overall.references.to_string(),
        ),
        (
            "invented (rate, all references)".to_owned(),
            "19.7%".to_owned(),
            rate_words(a.overall.invented, all_unknown, all_refs),
        ),
        (
            "Python rate".to_owned(),
            "15.8%".to_owned(),
            lang_rate("python"),
        ),
        (
            "JavaScript rate".to_owned(),
            "21.3%".to_owned(),
            lang_rate("javascript"),
        ),
        (
            "distinct invented names".to_owned(),
            "205,474".to_owned(),
            a.overall.unique_invented.to_string(),
        ),
        (
            "invented Python names real on npm".to_owned(),
            "8.7%".to_owned(),
            if cx.pypi_invented == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}%", pct(cx.pypi_on_npm, cx.pypi_invented))
            },
        ),
        (
            "invented names within edit distance 2 of a real one".to_owned(),
            "13.4%".to_owned(),
            if distinct == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}%", pct(within2, distinct))
            },
        ),
    ];
    match &a.persistence {
        Some(p) if p.names > 0 => {
            let more_than_once: u64 = p.histogram.iter().skip(2).sum();
            rows.push((
                format!("re-prompted names back in all {} repeats", p.repeats),
                "43% (of 10)".to_owned(),
                format!("{:.1}%", pct(p.all, p.names)),
            ));
            rows.push((
                "re-prompted names back more than once".to_owned(),
                "58%".to_owned(),
                format!("{:.1}%", pct(more_than_once, p.names)),
            ));
        }
        _ => {
            rows.push((
                "re-prompted names back in all repeats".to_owned(),
                "43% (of 10)".to_owned(),
                "not measured".to_owned(),
            ));
        }
    }
    rows
}

/// `x%`, and `(y% counting unknown names)` when a partial snapshot left some unknown.
fn rate_words(invented: u64, unknown: u64, references: u64) -> String {
    if references == 0 {
        "-".to_owned()
    } else if unknown == 0 {
        format!("{:.1}%", pct(invented, references))
    } else {
        format!(
            "{:.1}% ({:.1}% counting unknown names)",
            pct(invented, references),
            pct(invented + unknown, references)
        )
    }
}

/// The paper's per-model baseline rates (figure 2): (model, Python %, JavaScript %).
pub fn paper_models() -> Vec<(String, String, String)> {
    PAPER_FIGURE_2
        .lines()
        .filter_map(|l| {
            let mut f = l.split(',');
            Some((
                f.next()?.trim().to_owned(),
                f.next()?.trim().to_owned(),
                f.next()?.trim().to_owned(),
            ))
        })
        .collect()
}

fn bars(
    title: &str,
    labels: &[String],
    values: &[f64],
    stacked: &[f64],
    y_desc: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        let max = values
            .iter()
            .enumerate()
            .map(|(i, v)| v + stacked.get(i).copied().unwrap_or(0.0))
            .fold(0.0f64, f64::max)
            .max(1.0)
            * 1.15;
        let n = labels.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..n as f64, 0f64..max)
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        let labels_owned = labels.to_vec();
        let fmt = move |x: &f64| {
            let i = x.floor() as usize;
            if (x - x.floor() - 0.5).abs() < 1e-6 {
                labels_owned.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n * 2 + 1)
            .x_label_formatter(&fmt)
            .y_desc(y_desc)
            .draw()
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                Rectangle::new(
                    [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, *v)],
                    RGBColor(52, 101, 164).filled(),
                )
            }))
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        chart
            .draw_series(
                stacked
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| **u > 0.0)
                    .map(|(i, u)| {
                        let base = values.get(i).copied().unwrap_or(0.0);
                        Rectangle::new(
                            [(i as f64 + 0.15, base), (i as f64 + 0.85, base + u)],
                            RGBColor(173, 196, 226).filled(),
                        )
                    }),
            )
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        root.present().map_err(|e| anyhow::anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

fn lines(title: &str, series: &[(String, Vec<(f64, f64)>)]) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        let xmax = series
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.0))
            .fold(0.0f64, f64::max)
            .max(0.1);
        let ymax = series
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.1))
            .fold(0.0f64, f64::max)
            .max(1.0)
            * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..xmax * 1.05, 0f64..ymax)
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        chart
            .configure_mesh()
            .x_desc("temperature")
            .y_desc("invented %")
            .draw()
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        for (i, (name, pts)) in series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                .map_err(|e| anyhow::anyhow!("chart: {e}"))?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| anyhow::anyhow!("chart: {e}"))?;
        root.present().map_err(|e| anyhow::anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

/// Every chart the analysis supports.
pub fn charts(a: &Analysis) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    // Rate per model and language.
    let mut per: std::collections::BTreeMap<(String, String), (u64, u64, u64)> = Default::default();
    for g in &a.groups {
        let e = per
            .entry((g.model.clone(), g.language.clone()))
            .or_default();
        e.0 += g.invented;
        e.1 += g.unknown;
        e.2 += g.references;
    }
    let labels: Vec<String> = per.keys().map(|(m, l)| format!("{m} / {l}")).collect();
    let values: Vec<f64> = per.values().map(|(i, _, r)| pct(*i, *r)).collect();
    let unknown: Vec<f64> = per.values().map(|(_, u, r)| pct(*u, *r)).collect();
    out.push(Chart {
        id: "rate",
        title: "Invented package references by model and language (dark: invented; light above: unknown to a partial snapshot)".into(),
        svg: bars("% of package references", &labels, &values, &unknown, "% of references")?,
    });
    if !a.temperature.is_empty() {
        let mut series: std::collections::BTreeMap<String, Vec<(f64, f64)>> = Default::default();
        for (m, l, t, r) in &a.temperature {
            series
                .entry(format!("{m} / {l}"))
                .or_default()
                .push((*t, *r));
        }
        let series: Vec<(String, Vec<(f64, f64)>)> = series
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                (k, v)
            })
            .collect();
        out.push(Chart {
            id: "temperature",
            title: "Rate by code temperature".into(),
            svg: lines("invented % by temperature", &series)?,
        });
    }
    if let Some(p) = &a.persistence {
        let labels: Vec<String> = (0..p.histogram.len()).map(|k| k.to_string()).collect();
        let values: Vec<f64> = p.histogram.iter().map(|v| *v as f64).collect();
        out.push(Chart {
            id: "persistence",
            title: format!(
                "Invented names by repeats (of {}) they came back in",
                p.repeats
            ),
            svg: bars(
                "names by repeats they came back in",
                &labels,
                &values,
                &[],
                "names",
            )?,
        });
    }
    let labels: Vec<String> = ["1", "2", ">2"].iter().map(|s| s.to_string()).collect();
    let values: Vec<f64> = labels
        .iter()
        .map(|k| a.distance.get(k).copied().unwrap_or(0) as f64)
        .collect();
    out.push(Chart {
        id: "distance",
        title: "Edit distance from each invented name to the nearest real one".into(),
        svg: bars(
            "distinct invented names by distance",
            &labels,
            &values,
            &[],
            "names",
        )?,
    });
    let labels: Vec<String> = a.overlap.iter().map(|(k, _, _)| k.to_string()).collect();
    let values: Vec<f64> = a.overlap.iter().map(|(_, h, _)| *h as f64).collect();
    out.push(Chart {
        id: "overlap",
        title: "Invented names by how many models produced them".into(),
        svg: bars(
            "distinct invented names by number of models",
            &labels,
            &values,
            &[],
            "names",
        )?,
    });
    Ok(out)
}

fn md_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| {} |", header.join(" | "));
    let _ = writeln!(
        s,
        "|{}|",
        header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} |",
            r.iter()
                .map(|c| c.replace('|', "\\|"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    s
}

fn html_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{}</td>", esc(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Section {
    title: String,
    note: Option<String>,
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn sections(a: &Analysis, m: Option<&MitigationReport>) -> Vec<Section> {
    let mut out = Vec::new();
    out.push(Section {
        title: "This study beside the paper".into(),
        note: Some("Paper: Spracklen et al., USENIX Security 2025 (16 models, 576,000 code samples). Rate = invented package references / all package references, deduplicated within each answer.".into()),
        header: vec!["measure", "paper", "this study"],
        rows: paper_comparison(a).into_iter().map(|(a, b, c)| vec![a, b, c]).collect(),
    });
    let mut rows: Vec<Vec<String>> = paper_models()
        .into_iter()
        .map(|(m, p, j)| {
            let cell = |v: String| {
                if v.is_empty() {
                    "-".to_owned()
                } else {
                    format!("{v}%")
                }
            };
            vec![format!("{m} (paper)"), cell(p), cell(j)]
        })
        .collect();
    let mut per: std::collections::BTreeMap<String, [(u64, u64, u64); 2]> = Default::default();
    for g in &a.groups {
        let e = per.entry(g.model.clone()).or_default();
        let i = usize::from(g.language != "python");
        e[i].0 += g.invented;
        e[i].1 += g.unknown;
        e[i].2 += g.references;
    }
    for (model, [py, js]) in per {
        let f = |(i, u, r): (u64, u64, u64)| rate_words(i, u, r);
        rows.push(vec![format!("{model} (this study)"), f(py), f(js)]);
    }
    out.push(Section {
        title: "Rate per model: the paper's baseline (figure 2) and this study".into(),
        note: None,
        header: vec!["model", "Python", "JavaScript"],
        rows,
    });
    out.push(Section {
        title: "Per model, language, prompt set, heuristic and temperature".into(),
        note: Some("unknown: absent from a partial snapshot (npm holds packages with at least 480 downloads a month), counted apart from invented.".into()),
        header: vec!["model", "language", "prompts", "heuristic", "temp", "answers", "references", "invented", "rate", "unknown", "answers with invented", "distinct invented", "most repeated"],
        rows: a
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.model.clone(),
                    g.language.clone(),
                    g.prompt_set.clone(),
                    g.heuristic.clone(),
                    g.temperature.map(|t| t.to_string()).unwrap_or_else(|| "-".into()),
                    g.answers.to_string(),
                    g.references.to_string(),
                    g.invented.to_string(),
                    format!("{:.2}%", g.rate),
                    g.unknown.to_string(),
                    format!("{:.1}%", g.answer_share),
                    g.unique_invented.to_string(),
                    g.top_invented.iter().take(3).map(|(n, c)| format!("{n} ({c})")).collect::<Vec<_>>().join(", "),
                ]
            })
            .collect(),
    });
    out.push(Section {
        title: "Names that exist but look registered after the fact".into(),
        note: Some("Placeholders, security holdings, research squats, new packages, known hallucinations and known malicious packages among the names the models used: the slopsquatting signal.".into()),
        header: vec!["registry", "name", "signals"],
        rows: a.squatted_names.iter().map(|(e, n, s)| vec![e.id().to_owned(), n.clone(), s.join(", ")]).collect(),
    });
    if let Some(m) = m {
        out.push(Section {
            title: "Mitigations".into(),
            note: Some(
                "The same answers with invented names, before and after each mitigation.".into(),
            ),
            header: vec![
                "model",
                "language",
                "mitigation",
                "answers",
                "references before",
                "invented before",
                "rate before",
                "references after",
                "invented after",
                "rate after",
                "answers changed",
            ],
            rows: m
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.model.clone(),
                        r.language.clone(),
                        r.mitigation.clone(),
                        r.answers.to_string(),
                        r.references_before.to_string(),
                        r.invented_before.to_string(),
                        format!("{:.2}%", pct(r.invented_before, r.references_before)),
                        r.references_after.to_string(),
                        r.invented_after.to_string(),
                        format!("{:.2}%", pct(r.invented_after, r.references_after)),
                        r.changed.to_string(),
                    ]
                })
                .collect(),
        });
    }
    out
}

/// Writes `report.md`, `report.html` and the charts (`*.svg`) into `out`.
pub fn write(a: &Analysis, mitigation: Option<&MitigationReport>, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let charts = charts(a)?;
    let secs = sections(a, mitigation);
    let summary = format!(
        "{} answers; {} of {} package references invented ({:.2}%); {} distinct invented names; {} names unknown to a partial snapshot; {} names that exist but look registered after the fact.",
        a.answers,
        a.overall.invented,
        a.overall.references,
        a.overall.rate,
        a.overall.unique_invented,
        a.unknown_names,
        a.squatted_names.len()
    );

    let mut md = String::from("# Package hallucination study\n\n");
    let _ = writeln!(md, "{summary}\n");
    for s in &secs {
        let _ = writeln!(md, "## {}\n", s.title);
        if let Some(n) = &s.note {
            let _ = writeln!(md, "{n}\n");
        }
        md.push_str(&md_table(&s.header, &s.rows));
        md.push('\n');
    }
    md.push_str("## Charts\n\n");
    for c in &charts {
        let file = format!("{}.svg", c.id);
        std::fs::write(out.join(&file), &c.svg)
            .with_context(|| format!("cannot write {}", out.join(&file).display()))?;
        let _ = writeln!(md, "![{}]({file})\n", c.title);
    }

    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Package hallucination study</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f0f0f0}figure{margin:1.5em 0}figcaption{font-weight:bold}</style></head><body>\n<h1>Package hallucination study</h1>\n",
    );
    let _ = writeln!(html, "<p id=\"summary\">{}</p>", esc(&summary));
    for s in &secs {
        let _ = writeln!(html, "<h2>{}</h2>", esc(&s.title));
        if let Some(n) = &s.note {
            let _ = writeln!(html, "<p>{}</p>", esc(n));
        }
        html.push_str(&html_table(&s.header, &s.rows));
    }
    html.push_str("<h2>Charts</h2>\n");
    for c in &charts {
        let svg = c.svg.trim_start_matches(|ch| ch != '<');
        let svg = match svg.find("<svg") {
            Some(at) => &svg[at..],
            None => svg,
        };
        let _ = writeln!(
            html,
            "<figure class=\"chart\" id=\"chart-{}\"><figcaption>{}</figcaption>\n{}\n</figure>",
            c.id,
            esc(&c.title),
            svg
        );
    }
    html.push_str("</body></html>\n");
    std::fs::write(out.join("report.md"), md)
        .with_context(|| format!("cannot write {}", out.join("report.md").display()))?;
    std::fs::write(out.join("report.html"), html)
        .with_context(|| format!("cannot write {}", out.join("report.html").display()))?;
    Ok(())
}
