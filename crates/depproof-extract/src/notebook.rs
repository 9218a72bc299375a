//! Cells of Jupyter notebooks (`.ipynb`, nbformat 4 and 3).
//!
//! Locations inside a cell are relative to the cell's source: use [`Cell::code`] (cell
//! number set, line 1 = first line of the cell). [`Cell::regions`] splits a cell for the
//! finders: Markdown cells as Markdown, Python code cells into Python plus a `Shell`
//! region for each `!cmd`, `%pip …` or `%%bash` body; cells in other languages (R,
//! Julia…) give no Python region.

use std::sync::Arc;

use serde_json::Value;

use crate::location::Code;
use crate::markdown::{self, Region, RegionKind};
use crate::reference::{Diagnostic, Severity};

/// The type of a notebook cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellKind {
    /// Code in the notebook's (or the cell's) language.
    Code,
    /// Markdown (nbformat 3 `heading` cells too).
    Markdown,
    /// Raw text passed through unchanged by Jupyter.
    Raw,
}

/// One cell of a notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// 1-based position among all cells of the notebook (across nbformat 3 worksheets),
    /// counting cells that could not be read.
    pub number: u32,
    /// Code, Markdown or raw.
    pub kind: CellKind,
    /// For code cells, the language as the notebook writes it (`python`, `R`, `julia`,
    /// `typescript`): from the cell's own metadata (VS Code, .NET Interactive, nbformat 3)
    /// or else the notebook's kernel (`kernelspec.language`, `language_info.name`,
    /// `kernelspec.name`). `None` for other cells and when the notebook does not say.
    pub language: Option<String>,
    /// The source, its lines joined.
    pub source: String,
}

impl Cell {
    /// Whether this is a code cell to read as Python: its language is Python, or unknown
    /// (Jupyter's default kernel is Python).
    pub fn is_python(&self) -> bool {
        self.kind == CellKind::Code
            && self.language.as_deref().is_none_or(|l| {
                matches!(
                    markdown::kind_for_language(l),
                    Some(RegionKind::Python | RegionKind::PythonConsole)
                )
            })
    }

    /// The cell's source as code located in cell `number` of `path`.
    pub fn code<'a>(&'a self, path: &Arc<str>) -> Code<'a> {
        Code::embedded(Arc::clone(path), &self.source, 0, 0, 0).in_cell(self.number)
    }

    /// Splits the cell for the finders; offsets are within `source`. Markdown cells as by
    /// [`markdown::regions`]; code cells by language (Python by default, with IPython
    /// magics and shell escapes returned as `Shell` regions; JavaScript, TypeScript and
    /// shell kernels as one region; other languages give nothing); raw cells only when
    /// their content is recognizable.
    pub fn regions(&self, path: &Arc<str>) -> (Vec<Region>, Vec<Diagnostic>) {
        let mut out = Vec::new();
        match self.kind {
            CellKind::Markdown => return markdown::regions(&self.code(path)),
            CellKind::Code => {
                let kind = match self.language.as_deref() {
                    None => Some(RegionKind::Python),
                    Some(l) => markdown::kind_for_language(l),
                };
                if let Some(kind) = kind {
                    markdown::push_code(&self.source, kind, 0, Vec::new(), &mut out);
                }
            }
            CellKind::Raw => {
                let kind = markdown::sniff(&self.source);
                if kind != RegionKind::Unknown {
                    markdown::push_code(&self.source, kind, 0, Vec::new(), &mut out);
                }
            }
        }
        out.sort_by_key(|r| r.start);
        (out, Vec::new())
    }
}

/// The cells of a notebook, in order.
///
/// A file that is not JSON, or JSON without cells, gives an error diagnostic and no cell.
/// A cell that cannot be read (not an object, unknown type, a source that is not text)
/// gives a warning naming the cell, keeps its number, and is skipped.
pub fn cells(path_display: &Arc<str>, text: &str) -> (Vec<Cell>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let error = |line: Option<u32>, message: String| Diagnostic {
        path: Arc::clone(path_display),
        line,
        severity: Severity::Error,
        message,
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let notebook: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            let line = u32::try_from(e.line()).unwrap_or(u32::MAX).max(1);
            diagnostics.push(error(
                Some(line),
                format!("not a readable notebook: invalid JSON ({e})"),
            ));
            return (Vec::new(), diagnostics);
        }
    };
    let metadata = notebook.get("metadata");
    let default_language = metadata.and_then(notebook_language);
    let raw_cells: Vec<&Value> = if let Some(Value::Array(cells)) = notebook.get("cells") {
        cells.iter().collect()
    } else if let Some(Value::Array(sheets)) = notebook.get("worksheets") {
        sheets
            .iter()
            .filter_map(|s| s.get("cells").and_then(Value::as_array))
            .flatten()
            .collect()
    } else {
        diagnostics.push(error(
            None,
            "not a readable notebook: no `cells` (nbformat 4) or `worksheets` (nbformat 3)"
                .to_owned(),
        ));
        return (Vec::new(), diagnostics);
    };
    let mut cells = Vec::with_capacity(raw_cells.len());
    for (i, raw) in raw_cells.into_iter().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut warn = |message: String| {
            diagnostics.push(Diagnostic {
                path: Arc::clone(path_display),
                line: None,
                severity: Severity::Warning,
                message: format!("cell {number}: {message}; skipped the cell"),
            });
        };
        let Some(cell_type) = raw.get("cell_type").and_then(Value::as_str) else {
            warn("no `cell_type`".to_owned());
            continue;
        };
        let kind = match cell_type {
            "code" => CellKind::Code,
            "markdown" | "heading" => CellKind::Markdown,
            "raw" => CellKind::Raw,
            other => {
                warn(format!("unknown cell type `{other}`"));
                continue;
            }
        };
        // nbformat 3 code cells keep their source in `input`.
        let source = match raw.get("source").or_else(|| raw.get("input")) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(lines)) => {
                let mut joined = String::new();
                let mut bad = false;
                for line in lines {
                    match line {
                        Value::String(s) => joined.push_str(s),
                        _ => bad = true,
                    }
                }
                if bad {
                    warn("its source has lines that are not text".to_owned());
                    continue;
                }
                joined
            }
            Some(_) => {
                warn("its source is not text".to_owned());
                continue;
            }
        };
        let language = match kind {
            CellKind::Code => cell_language(raw).or_else(|| default_language.clone()),
            _ => None,
        };
        cells.push(Cell {
            number,
            kind,
            language,
            source,
        });
    }
    (cells, diagnostics)
}

fn non_empty(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The notebook's kernel language.
fn notebook_language(metadata: &Value) -> Option<String> {
    let kernelspec = metadata.get("kernelspec");
    non_empty(kernelspec.and_then(|k| k.get("language")))
        .or_else(|| non_empty(metadata.get("language_info").and_then(|l| l.get("name"))))
        .or_else(|| non_empty(metadata.get("language")))
        .or_else(|| {
            let name = non_empty(kernelspec.and_then(|k| k.get("name")))?.to_ascii_lowercase();
            let language = if name.contains("python") || name.contains("pyspark") || name == "py3" {
                "python"
            } else if name == "ir" || name.starts_with("ir-") {
                "R"
            } else if name.starts_with("julia") {
                "julia"
            } else if name.contains("tslab") || name.contains("typescript") {
                "typescript"
            } else if name.contains("javascript") || name.contains("deno") || name == "node" {
                "javascript"
            } else if name == "bash" {
                "bash"
            } else {
                return None;
            };
            Some(language.to_owned())
        })
}

/// A cell's own language: VS Code, .NET Interactive / Polyglot, nbformat 3.
fn cell_language(cell: &Value) -> Option<String> {
    let metadata = cell.get("metadata");
    let meta = |path: &[&str]| {
        let mut v = metadata?;
        for key in path {
            v = v.get(key)?;
        }
        non_empty(Some(v))
    };
    meta(&["vscode", "languageId"])
        .or_else(|| meta(&["dotnet_interactive", "language"]))
        .or_else(|| meta(&["polyglot_notebook", "kernelName"]))
        .or_else(|| meta(&["language"]))
        .or_else(|| non_empty(cell.get("language")))
}
