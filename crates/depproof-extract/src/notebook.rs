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

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> Arc<str> {
        Arc::from("analysis.ipynb")
    }

    /// A Colab-style nbformat 4 notebook.
    const PYTHON_NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {"id": "intro"},
   "source": [
    "# Fine-tuning\n",
    "\n",
    "Install the libraries with `pip install transformers`.\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {"id": "install"},
   "outputs": [{"name": "stdout", "output_type": "stream", "text": ["Successfully installed fakepkg-1.0\n"]}],
   "source": [
    "!pip install -q transformers datasets\n",
    "%pip install evaluate\n",
    "%matplotlib inline"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [],
   "source": "import torch\nfrom transformers import AutoModel\n"
  },
  {
   "cell_type": "raw",
   "metadata": {},
   "source": ["flask==3.0\n", "gunicorn\n"]
  },
  {
   "cell_type": "code",
   "metadata": {},
   "outputs": [],
   "source": ["%%bash\n", "pip install accelerate\n"]
  },
  {
   "cell_type": "code",
   "metadata": {},
   "outputs": [],
   "source": []
  }
 ],
 "metadata": {
  "colab": {"provenance": []},
  "kernelspec": {"display_name": "Python 3", "name": "python3"},
  "language_info": {"name": "python"}
 },
 "nbformat": 4,
 "nbformat_minor": 0
}"##;

    #[test]
    fn python_notebook_cells() {
        let (cells, diagnostics) = super::cells(&path(), PYTHON_NOTEBOOK);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let summary: Vec<(u32, CellKind, Option<&str>, &str)> = cells
            .iter()
            .map(|c| (c.number, c.kind, c.language.as_deref(), c.source.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    1,
                    CellKind::Markdown,
                    None,
                    "# Fine-tuning\n\nInstall the libraries with `pip install transformers`.\n"
                ),
                (
                    2,
                    CellKind::Code,
                    Some("python"),
                    "!pip install -q transformers datasets\n%pip install evaluate\n%matplotlib inline"
                ),
                (
                    3,
                    CellKind::Code,
                    Some("python"),
                    "import torch\nfrom transformers import AutoModel\n"
                ),
                (4, CellKind::Raw, None, "flask==3.0\ngunicorn\n"),
                (
                    5,
                    CellKind::Code,
                    Some("python"),
                    "%%bash\npip install accelerate\n"
                ),
                (6, CellKind::Code, Some("python"), ""),
            ]
        );
        assert!(
            cells
                .iter()
                .filter(|c| c.kind == CellKind::Code)
                .all(Cell::is_python)
        );
    }

    fn split(cell: &Cell) -> Vec<(RegionKind, String)> {
        let (regions, _) = cell.regions(&path());
        regions
            .iter()
            .map(|r| (r.kind, r.text(&cell.source).into_owned()))
            .collect()
    }

    #[test]
    fn python_cells_split_into_code_and_shell() {
        let (cells, _) = super::cells(&path(), PYTHON_NOTEBOOK);
        assert_eq!(
            split(&cells[0]),
            [
                (RegionKind::Prose, "Fine-tuning".to_owned()),
                (
                    RegionKind::Prose,
                    format!(
                        "Install the libraries with {}.",
                        " ".repeat("`pip install transformers`".len())
                    )
                ),
                (RegionKind::Shell, "pip install transformers".to_owned()),
            ]
        );
        assert_eq!(
            split(&cells[1]),
            [
                (
                    RegionKind::Shell,
                    "pip install -q transformers datasets".to_owned()
                ),
                (RegionKind::Shell, "pip install evaluate".to_owned()),
            ]
        );
        assert_eq!(
            split(&cells[2]),
            [(
                RegionKind::Python,
                "import torch\nfrom transformers import AutoModel\n".to_owned()
            )]
        );
        assert_eq!(
            split(&cells[3]),
            [(
                RegionKind::Requirements,
                "flask==3.0\ngunicorn\n".to_owned()
            )]
        );
        assert_eq!(
            split(&cells[4]),
            [(RegionKind::Shell, "pip install accelerate\n".to_owned())]
        );
        assert!(split(&cells[5]).is_empty());
        // Locations name the cell.
        let code = cells[1].code(&path());
        let (regions, _) = cells[1].regions(&path());
        let second = &regions[1];
        let l = code.location(second.start + 12, second.end());
        assert_eq!((l.cell, l.line, l.column), (Some(2), 2, 14));
        assert_eq!(
            &cells[1].source[l.start as usize..l.end as usize],
            "evaluate"
        );
    }

    #[test]
    fn r_notebook_is_not_python() {
        let text = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["Install with `install.packages(\"dplyr\")`, or from Python: `pip install rpy2`"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["library(dplyr)\n", "import <- read.csv(\"x.csv\")\n"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"vscode": {"languageId": "python"}}, "outputs": [], "source": ["import pandas\n"]}
 ],
 "metadata": {
  "kernelspec": {"display_name": "R", "language": "R", "name": "ir"},
  "language_info": {"name": "R", "version": "4.3.1"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}"##;
        let (cells, diagnostics) = super::cells(&path(), text);
        assert!(diagnostics.is_empty());
        assert_eq!(cells[1].language.as_deref(), Some("R"));
        assert!(!cells[1].is_python());
        assert!(split(&cells[1]).is_empty());
        assert_eq!(cells[2].language.as_deref(), Some("python"));
        assert_eq!(
            split(&cells[2]),
            [(RegionKind::Python, "import pandas\n".to_owned())]
        );
        let spans: Vec<String> = split(&cells[0])
            .into_iter()
            .filter(|r| r.0 == RegionKind::Shell)
            .map(|r| r.1)
            .collect();
        assert_eq!(spans, ["install.packages(\"dplyr\")", "pip install rpy2"]);
    }

    #[test]
    fn nbformat_3_worksheets() {
        let text = r##"{
 "metadata": {"name": "", "signature": "sha256:0"},
 "nbformat": 3,
 "nbformat_minor": 0,
 "worksheets": [
  {"cells": [
    {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Old notebook"]},
    {"cell_type": "code", "collapsed": false, "input": ["import numpy as np\n", "!pip install scipy"], "language": "python", "metadata": {}, "outputs": []}
  ], "metadata": {}},
  {"cells": [
    {"cell_type": "code", "input": "x <- 1", "language": "r", "metadata": {}, "outputs": []}
  ], "metadata": {}}
 ]
}"##;
        let (cells, diagnostics) = super::cells(&path(), text);
        assert!(diagnostics.is_empty());
        let summary: Vec<(u32, CellKind, Option<&str>, &str)> = cells
            .iter()
            .map(|c| (c.number, c.kind, c.language.as_deref(), c.source.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (1, CellKind::Markdown, None, "Old notebook"),
                (
                    2,
                    CellKind::Code,
                    Some("python"),
                    "import numpy as np\n!pip install scipy"
                ),
                (3, CellKind::Code, Some("r"), "x <- 1"),
            ]
        );
        assert_eq!(
            split(&cells[1]),
            [
                (
                    RegionKind::Python,
                    "import numpy as np\n                  ".to_owned()
                ),
                (RegionKind::Shell, "pip install scipy".to_owned()),
            ]
        );
    }

    #[test]
    fn kernel_names_and_cell_languages() {
        let nb = |metadata: &str, cell_meta: &str| {
            format!(
                r#"{{"cells": [{{"cell_type": "code", "metadata": {cell_meta}, "source": "x"}}], "metadata": {metadata}, "nbformat": 4}}"#
            )
        };
        let language = |metadata: &str, cell_meta: &str| {
            let (cells, d) = super::cells(&path(), &nb(metadata, cell_meta));
            assert!(d.is_empty());
            cells[0].language.clone()
        };
        assert_eq!(language("{}", "{}"), None);
        assert_eq!(
            language(r#"{"kernelspec": {"name": "julia-1.10"}}"#, "{}").as_deref(),
            Some("julia")
        );
        assert_eq!(
            language(r#"{"kernelspec": {"name": "conda-env-ml-python"}}"#, "{}").as_deref(),
            Some("python")
        );
        assert_eq!(
            language(r#"{"kernelspec": {"name": "tslab"}}"#, "{}").as_deref(),
            Some("typescript")
        );
        assert_eq!(
            language(
                r#"{"kernelspec": {"name": ".net-csharp", "language": "C#"}}"#,
                r#"{"dotnet_interactive": {"language": "pwsh"}}"#
            )
            .as_deref(),
            Some("pwsh")
        );
        // Unknown language: nothing read; no language at all: Python.
        let (cells, _) = super::cells(
            &path(),
            &nb(r#"{"kernelspec": {"language": "scala"}}"#, "{}"),
        );
        assert!(cells[0].regions(&path()).0.is_empty());
        let (cells, _) = super::cells(&path(), &nb("{}", "{}"));
        assert!(cells[0].is_python());
        assert_eq!(cells[0].regions(&path()).0[0].kind, RegionKind::Python);
        // A TypeScript kernel's cell is read as TypeScript.
        let (cells, _) = super::cells(
            &path(),
            &nb(
                r#"{"kernelspec": {"name": "tslab", "language": "typescript"}}"#,
                "{}",
            ),
        );
        assert_eq!(
            cells[0].regions(&path()).0[0].kind,
            RegionKind::JavaScript {
                typescript: true,
                jsx: false
            }
        );
    }

    #[test]
    fn broken_notebooks() {
        let (cells, diagnostics) = super::cells(
            &path(),
            "{\n \"cells\": [\n  {\"cell_type\": \"code\",,}\n ]\n}",
        );
        assert!(cells.is_empty());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Error);
        assert_eq!(diagnostics[0].line, Some(3));
        let (cells, diagnostics) = super::cells(&path(), "{\"metadata\": {}}");
        assert!(cells.is_empty());
        assert_eq!(diagnostics[0].severity, Severity::Error);
        assert!(diagnostics[0].message.contains("no `cells`"));
        let (cells, diagnostics) = super::cells(&path(), "[1, 2]");
        assert!(cells.is_empty() && diagnostics.len() == 1);
        // Bad cells are skipped with a warning; the others keep their numbers.
        let text = r#"{"cells": [
            "not a cell",
            {"cell_type": "widget", "source": "x"},
            {"cell_type": "code", "source": ["a = 1\n", 2]},
            {"cell_type": "code", "source": {"text": "b"}},
            {"cell_type": "code", "source": "import ok"}
        ], "nbformat": 4}"#;
        let (cells, diagnostics) = super::cells(&path(), text);
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].number, 5);
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "cell 1: no `cell_type`; skipped the cell",
                "cell 2: unknown cell type `widget`; skipped the cell",
                "cell 3: its source has lines that are not text; skipped the cell",
                "cell 4: its source is not text; skipped the cell",
            ]
        );
        assert!(diagnostics.iter().all(|d| d.severity == Severity::Warning));
        // Deep nesting is an error, not a stack overflow.
        let deep = format!(
            "{{\"cells\": {}{}}}",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        let (cells, diagnostics) = super::cells(&path(), &deep);
        assert!(cells.is_empty() && diagnostics.len() == 1);
    }
}
