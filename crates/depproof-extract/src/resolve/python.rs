//! Python: which distribution provides an imported module.
//!
//! `import yaml` is PyYAML, `import os` is the standard library, `import helpers` next to the
//! script that imports it is the project's own file, `import bpy.types` in a Blender add-on is
//! Blender's, and `from azure.storage.blob import BlobClient` is `azure-storage-blob`. The
//! resolver decides in this order:
//!
//! 1. the standard library of Python 3.8-3.14 (`data/python/stdlib.tsv`);
//! 2. the project's own modules ([`PythonProject`]);
//! 3. Python 2 standard-library names (`urllib2`), which a project module may reuse;
//! 4. modules an application provides to the code it runs (`data/python/runtime.tsv`);
//! 5. the import-name table (`data/python/import_names.tsv`) and the namespace family rules
//!    (`data/python/namespaces.tsv`), the more specific of the two;
//! 6. the first component of the import as written, for the registry to normalize.
//!
//! A package that is the project's own distribution (from its `pyproject.toml`) resolves to the
//! project too.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, OnceLock};

use depproof_registry::{Ecosystem, Index};

static STDLIB_TSV: &str = include_str!("../../../../data/python/stdlib.tsv");
static IMPORT_NAMES_TSV: &str = include_str!("../../../../data/python/import_names.tsv");
static NAMESPACES_TSV: &str = include_str!("../../../../data/python/namespaces.tsv");
static RUNTIME_TSV: &str = include_str!("../../../../data/python/runtime.tsv");

/// Directory names under which `.py` files are never the project's own modules: installed
/// environments, caches, tool state.
const NOT_PROJECT_DIRS: [&str; 4] = [
    "__pycache__",
    "site-packages",
    "dist-packages",
    "node_modules",
];

/// How the package name of an import was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The curated import-name table (`data/python/import_names.tsv`).
    Table,
    /// A namespace family rule (`data/python/namespaces.tsv`) checked against the snapshot.
    Namespace,
    /// No table or rule applied: the first component of the import, as written.
    ImportName,
}

/// What an imported module is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum PyResolution {
    /// The standard library of some Python version: `module` is the top-level name; see
    /// [`stdlib_info`] for the versions that have it.
    Stdlib {
        /// The top-level module (`os` for `os.path`).
        module: String,
    },
    /// The project's own code.
    Project {
        /// The import, components trimmed (`mypkg.util`).
        module: String,
    },
    /// A module that an application or platform provides (Blender's `bmesh`, ROS's `rospy`,
    /// Colab's `google.colab`): not something to install from PyPI.
    Runtime {
        /// The import, components trimmed.
        module: String,
        /// The application or platform, in words (`Blender`, `ROS 2`).
        environment: String,
    },
    /// A PyPI distribution.
    Package {
        /// The distribution name as the table writes it (`PyYAML`), as a rule builds it
        /// (`azure-storage-blob`), or the import's first component as written (`requests`);
        /// not normalized.
        name: String,
        /// How the name was found.
        rule: Rule,
    },
}

/// The Python versions that ship a standard-library module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StdlibInfo {
    /// The top-level module name.
    pub module: &'static str,
    /// The first version that has it: `3.8` means "3.8 or earlier" (the table covers 3.8 to
    /// 3.14); `2.7` marks a Python 2 module that Python 3 removed or renamed.
    pub first: &'static str,
    /// The last version that has it, if it was removed.
    pub last: Option<&'static str>,
    /// For a removed module, the PyPI distribution that provides it on later versions.
    pub replacement: Option<&'static str>,
}

impl StdlibInfo {
    /// True for a Python 2 module that no Python 3 has (`urllib2`, `ConfigParser`).
    pub fn python2_only(&self) -> bool {
        self.first == "2.7"
    }

    /// Whether Python `major.minor` has the module. Versions before 3.8 are known only for
    /// Python 2 modules; a module first listed at 3.8 counts as present in every earlier 3.x.
    pub fn available_in(&self, major: u32, minor: u32) -> bool {
        let v = (major, minor);
        let first = parse_version(self.first).unwrap_or((3, 8));
        let after_first = v >= first || (first == (3, 8) && major == 3);
        let before_last = self
            .last
            .and_then(parse_version)
            .is_none_or(|last| v <= last);
        after_first && before_last
    }

    /// In words, for a report: "standard library up to Python 3.11", "standard library since
    /// Python 3.11", "Python 2 standard library (not in Python 3)".
    pub fn describe(&self) -> String {
        if self.python2_only() {
            return "Python 2 standard library (not in Python 3)".to_owned();
        }
        match (self.first, self.last) {
            ("3.8", None) => "standard library".to_owned(),
            (first, None) => format!("standard library since Python {first}"),
            ("3.8", Some(last)) => format!("standard library up to Python {last}"),
            (first, Some(last)) => format!("standard library in Python {first} to {last}"),
        }
    }
}

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The standard-library facts for the first component of `module`, if it is one.
pub fn stdlib_info(module: &str) -> Option<StdlibInfo> {
    let first = module.split('.').next()?.trim();
    DATA.stdlib.get(first).copied()
}

/// Other distributions that install the module the table maps `module` to (for `cv2`:
/// `opencv-contrib-python`, `opencv-python-headless`, ...); empty when the table has no entry
/// or lists none.
pub fn alternatives(module: &str) -> &'static [&'static str] {
    let module = clean_module(module);
    let components: Vec<&str> = module.split('.').collect();
    match DATA.table_match(&module, &components) {
        Some((_, entry)) => &entry.alternatives,
        None => &[],
    }
}

/// Every row of the import-name table: (import, package, alternatives).
pub fn import_name_table()
-> impl Iterator<Item = (&'static str, &'static str, &'static [&'static str])> {
    DATA.table_rows
        .iter()
        .map(|(key, entry)| (*key, entry.package, entry.alternatives.as_slice()))
}

/// True when `module` is a namespace shared by several distributions (`google`,
/// `google.cloud`, `azure`, `opentelemetry.instrumentation`, `snowflake`), so that
/// `from module import name` says which distribution only through `name`: a finder should
/// then hand the resolver `module.name` (`google.cloud.storage`), not `module`.
pub fn expects_imported_name(module: &str) -> bool {
    DATA.namespace_parents
        .contains(clean_module(module).as_str())
}

/// The project's own importable modules and distribution names.
///
/// Give it every Python file of the project ([`add_module_path`]) and the distribution names
/// its manifests declare ([`add_distribution_name`]); it works out which top-level names the
/// project's code can import without installing anything.
///
/// [`add_module_path`]: PythonProject::add_module_path
/// [`add_distribution_name`]: PythonProject::add_distribution_name
#[derive(Debug, Clone, Default)]
pub struct PythonProject {
    /// Path components of every module file, the last one being the module name (`__init__`
    /// for a package).
    files: Vec<Vec<String>>,
    /// Directories (components joined by `/`) that hold an `__init__` module.
    packages: HashSet<String>,
    /// The project's distribution names, PEP 503 normalized.
    distributions: HashSet<String>,
    /// Worked out on first use, reset by every addition.
    index: OnceLock<ProjectIndex>,
}

#[derive(Debug, Clone, Default)]
struct ProjectIndex {
    /// Top-level names importable from some directory of the project.
    top: HashSet<String>,
    /// Dotted modules the project owns under a shared namespace (`google.cloud.mylib`).
    owned: HashSet<String>,
}

impl PythonProject {
    /// An empty project.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a file of the project by its path relative to the project root
    /// (`src/mypkg/util.py`, `mypkg/__init__.py`, `scripts/run.py`, `ext/_fast.cpython-312-x86_64-linux-gnu.so`).
    ///
    /// Any directory can be where Python starts looking for imports: the project root, a
    /// `src/` directory, or the directory of a script that is run directly (Python puts it
    /// first on `sys.path`). So a name is the project's when it can be imported from one of
    /// them: each path component whose parent directory is not a package (no `__init__.py`).
    /// For `src/mypkg/util.py` with `src/mypkg/__init__.py` that is `src` and `mypkg`; for
    /// `tools/build.py` and `tools/helpers.py` (no `__init__.py`) it is `tools`, `build` and
    /// `helpers`, so that the script's `import helpers` is the project's.
    ///
    /// Under a namespace shared by several distributions (`google`, `azure`, `jaraco`) only the
    /// project's own part counts: `google/cloud/mylib/__init__.py` makes `google.cloud.mylib`
    /// the project's, not `google.cloud.storage`. Files under hidden directories,
    /// `__pycache__`, `site-packages`, `dist-packages` and `node_modules`, files that are not
    /// Python modules and paths with `..` are ignored.
    pub fn add_module_path(&mut self, relative_path: &str) {
        let path = relative_path.trim().replace('\\', "/");
        let mut components: Vec<&str> = path
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .collect();
        if components.contains(&"..") {
            return;
        }
        let Some(file) = components.pop() else {
            return;
        };
        if components
            .iter()
            .any(|c| c.starts_with('.') || NOT_PROJECT_DIRS.contains(c))
        {
            return;
        }
        let Some(stem) = module_stem(file) else {
            return;
        };
        if stem == "__init__" {
            self.packages.insert(components.join("/"));
        }
        let mut parts: Vec<String> = components.iter().map(|c| (*c).to_owned()).collect();
        parts.push(stem.to_owned());
        self.files.push(parts);
        self.index = OnceLock::new();
    }

    /// Records a distribution name the project itself declares (`[project] name` of its
    /// `pyproject.toml`): imports that resolve to it are the project's.
    pub fn add_distribution_name(&mut self, name: &str) {
        let name = name.trim();
        if !name.is_empty() {
            self.distributions
                .insert(Ecosystem::PyPI.normalize(name).into_owned());
        }
    }

    /// True if `module` (components trimmed) is one of the project's modules.
    fn contains(&self, module: &str) -> bool {
        let index = self.index.get_or_init(|| self.build_index());
        let first = module.split('.').next().unwrap_or(module);
        if index.top.contains(first) {
            return true;
        }
        let mut end = first.len();
        while end < module.len() {
            end = module[end + 1..]
                .find('.')
                .map_or(module.len(), |i| end + 1 + i);
            if index.owned.contains(&module[..end]) {
                return true;
            }
        }
        false
    }

    fn owns_distribution(&self, name: &str) -> bool {
        !self.distributions.is_empty()
            && self
                .distributions
                .contains(Ecosystem::PyPI.normalize(name).as_ref())
    }

    fn build_index(&self) -> ProjectIndex {
        let mut index = ProjectIndex::default();
        for parts in &self.files {
            let n = parts.len();
            // The directory path of each prefix, to ask whether it is a package.
            let mut dir = String::new();
            for (i, name) in parts.iter().enumerate() {
                let parent_is_package = i > 0 && self.packages.contains(&dir);
                if i > 0 {
                    dir.push('/');
                }
                dir.push_str(name);
                let is_init = i + 1 == n && name == "__init__";
                if parent_is_package || is_init || !is_identifier(name) {
                    continue;
                }
                if DATA.namespace_roots.contains(name.as_str()) {
                    let rest: Vec<&str> = parts[i..]
                        .iter()
                        .map(String::as_str)
                        .filter(|p| *p != "__init__")
                        .collect();
                    let depth = DATA.namespace_depth(&rest);
                    if let Some(owned) = rest.get(..depth)
                        && owned.iter().all(|p| is_identifier(p))
                    {
                        index.owned.insert(owned.join("."));
                    }
                } else {
                    index.top.insert(name.clone());
                }
            }
        }
        index
    }
}

/// The module name of a file, if Python can import it: `util.py` -> `util`,
/// `_speedups.cpython-312-x86_64-linux-gnu.so` -> `_speedups`.
fn module_stem(file: &str) -> Option<&str> {
    for ext in [".py", ".pyi", ".pyx", ".pyw"] {
        if let Some(stem) = file.strip_suffix(ext) {
            return Some(stem).filter(|s| !s.contains('.'));
        }
    }
    if file.ends_with(".so") || file.ends_with(".pyd") {
        return file.split('.').next();
    }
    None
}

/// A Python identifier (PEP 3131 letters accepted loosely: any alphabetic character).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// The import with each component trimmed (`os . path` -> `os.path`), cut at the first empty
/// component.
fn clean_module(module: &str) -> String {
    let mut out = String::with_capacity(module.len());
    for part in module.split('.') {
        let part = part.trim();
        if part.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(part);
    }
    out
}

/// Resolves an absolute import (`google.cloud.storage`, `yaml`, `helpers`) to what provides
/// it. See the module documentation for the order of the checks. Never fails: an import that
/// nothing recognizes resolves to its first component as a package name, which the registry
/// check then judges; an empty import gives an empty name, and a relative one (`.x`) is the
/// project's.
pub fn resolve_python(module: &str, project: &PythonProject, pypi: &Index) -> PyResolution {
    let trimmed = module.trim();
    if trimmed.starts_with('.') {
        return PyResolution::Project {
            module: trimmed.to_owned(),
        };
    }
    let module = clean_module(trimmed);
    let components: Vec<&str> = module.split('.').filter(|c| !c.is_empty()).collect();
    let Some(&first) = components.first() else {
        return PyResolution::Package {
            name: String::new(),
            rule: Rule::ImportName,
        };
    };
    let data = &*DATA;

    let stdlib = data.stdlib.get(first);
    if let Some(info) = stdlib
        && !info.python2_only()
    {
        return PyResolution::Stdlib {
            module: first.to_owned(),
        };
    }
    if project.contains(&module) {
        return PyResolution::Project { module };
    }
    if stdlib.is_some() {
        return PyResolution::Stdlib {
            module: first.to_owned(),
        };
    }
    if let Some(environment) = longest_prefix(&data.runtime, &module, &components) {
        return PyResolution::Runtime {
            module,
            environment: (*environment.1).to_owned(),
        };
    }

    let (name, rule) = data.package_for(&module, &components, pypi);
    if project.owns_distribution(&name) {
        return PyResolution::Project { module };
    }
    PyResolution::Package { name, rule }
}

/// The longest whole-component prefix of `module` that `map` has, with its component count.
fn longest_prefix<'m, V>(
    map: &'m HashMap<&'static str, V>,
    module: &str,
    components: &[&str],
) -> Option<(usize, &'m V)> {
    let mut end = module.len();
    for k in (1..=components.len()).rev() {
        if let Some(v) = module.get(..end).and_then(|key| map.get(key)) {
            return Some((k, v));
        }
        end = end.saturating_sub(components[k - 1].len() + 1);
    }
    None
}

/// Whether the snapshot has a distribution of this name.
fn exists(pypi: &Index, name: &str) -> bool {
    pypi.get(&Ecosystem::PyPI.normalize(name)).is_some()
}

/// An API-version component: `v1`, `v2beta1`, `v2020_06_01`.
fn is_api_version(component: &str) -> bool {
    let mut bytes = component.bytes();
    bytes.next() == Some(b'v') && bytes.next().is_some_and(|b| b.is_ascii_digit())
}

/// `pubsub_v1` -> `pubsub`, `aiplatform_v1beta1` -> `aiplatform`.
fn strip_version_suffix(component: &str) -> &str {
    let bytes = component.as_bytes();
    for i in 1..bytes.len().saturating_sub(2) {
        if bytes[i] == b'_' && bytes[i + 1] == b'v' && bytes[i + 2].is_ascii_digit() {
            return &component[..i];
        }
    }
    component
}

struct TableEntry {
    package: &'static str,
    alternatives: Vec<&'static str>,
}

struct NsRule {
    /// Dotted import prefix (`google.cloud`), or for a first-component rule the text the
    /// first component starts with (`adafruit_`, written `adafruit_*` in the file).
    prefix: &'static str,
    /// Component count of a dotted prefix.
    prefix_len: usize,
    dist_prefix: &'static str,
    sep: char,
    min: usize,
    max: usize,
    strip_version: bool,
    split_words: bool,
}

impl NsRule {
    /// The components after the prefix that form candidate names, if the rule applies.
    fn components<'a>(&self, components: &[&'a str]) -> Option<Vec<&'a str>> {
        let prefix = self.prefix.split('.');
        let rest = components.get(self.prefix_len..)?;
        if !prefix.zip(components).all(|(p, c)| p == *c) {
            return None;
        }
        let mut out = Vec::new();
        for &c in rest {
            if out.len() == self.max || c.starts_with('_') || is_api_version(c) {
                break;
            }
            let c = if self.strip_version {
                strip_version_suffix(c)
            } else {
                c
            };
            out.push(c);
        }
        (out.len() >= self.min).then_some(out)
    }

    fn name(&self, head: &[&str], last: Option<&str>) -> String {
        let mut name = self.dist_prefix.to_owned();
        for part in head.iter().copied().chain(last) {
            name.push(self.sep);
            if self.sep == '-' {
                name.push_str(&part.replace('_', "-"));
            } else {
                name.push_str(part);
            }
        }
        name
    }

    /// The first candidate the snapshot has, else the shortest one.
    fn resolve(&self, comps: &[&str], pypi: &Index) -> String {
        let mut fallback = None;
        for k in (self.min..=comps.len()).rev() {
            let Some((&last, head)) = comps[..k].split_last() else {
                let name = self.name(&[], None);
                if exists(pypi, &name) {
                    return name;
                }
                fallback = Some(name);
                continue;
            };
            let mut word = Some(last);
            let mut untrimmed = true;
            while let Some(w) = word {
                let name = self.name(head, Some(w));
                if exists(pypi, &name) {
                    return name;
                }
                if untrimmed {
                    fallback = Some(name);
                    untrimmed = false;
                }
                word = if self.split_words {
                    w.rfind('_').map(|i| &w[..i]).filter(|s| !s.is_empty())
                } else {
                    None
                };
            }
        }
        fallback.unwrap_or_else(|| self.dist_prefix.to_owned())
    }
}

struct Data {
    stdlib: HashMap<&'static str, StdlibInfo>,
    /// Table keys to their row in `table_rows`.
    table: HashMap<&'static str, usize>,
    /// Table rows in file order.
    table_rows: Vec<(&'static str, TableEntry)>,
    /// Dotted rules, longest prefix first.
    rules: Vec<NsRule>,
    /// First-component rules (`adafruit_*`).
    prefix_rules: Vec<NsRule>,
    runtime: HashMap<&'static str, &'static str>,
    /// First components of dotted rule prefixes and dotted table keys.
    namespace_roots: HashSet<&'static str>,
    /// Rule prefixes and every proper dotted prefix of a rule prefix or a dotted key.
    namespace_parents: HashSet<String>,
    /// Data lines that could not be read (a test requires none).
    #[cfg_attr(not(test), expect(dead_code))]
    malformed: Vec<String>,
}

static DATA: LazyLock<Data> = LazyLock::new(Data::load);

/// The data rows of a TSV file: no comments, no blank lines, no header row.
fn rows(tsv: &'static str) -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|l| (l, l.split('\t').map(str::trim).collect()))
}

impl Data {
    fn load() -> Data {
        let mut malformed = Vec::new();

        let mut stdlib = HashMap::new();
        for (line, f) in rows(STDLIB_TSV) {
            match f.as_slice() {
                &[module, first, last, replacement] if !module.is_empty() => {
                    let opt = |s: &'static str| (s != "-" && !s.is_empty()).then_some(s);
                    stdlib.insert(
                        module,
                        StdlibInfo {
                            module,
                            first,
                            last: opt(last),
                            replacement: opt(replacement),
                        },
                    );
                }
                _ => malformed.push(format!("stdlib.tsv: {line}")),
            }
        }

        let mut table_rows = Vec::new();
        for (line, f) in rows(IMPORT_NAMES_TSV) {
            match f.as_slice() {
                &[key, package, ref rest @ ..]
                    if !key.is_empty() && !package.is_empty() && rest.len() <= 1 =>
                {
                    let alternatives = rest
                        .first()
                        .map(|a| {
                            a.split(',')
                                .map(str::trim)
                                .filter(|a| !a.is_empty())
                                .collect()
                        })
                        .unwrap_or_default();
                    table_rows.push((
                        key,
                        TableEntry {
                            package,
                            alternatives,
                        },
                    ));
                }
                _ => malformed.push(format!("import_names.tsv: {line}")),
            }
        }
        let table = table_rows
            .iter()
            .enumerate()
            .map(|(i, (key, _))| (*key, i))
            .collect();

        let mut rules = Vec::new();
        let mut prefix_rules = Vec::new();
        for (line, f) in rows(NAMESPACES_TSV) {
            let parsed = match f.as_slice() {
                &[prefix, dist_prefix, sep, min, max, flags] if !prefix.is_empty() => {
                    match (sep.as_bytes(), min.parse(), max.parse()) {
                        (&[sep], Ok(min), Ok(max)) if sep.is_ascii_punctuation() => {
                            let sep = char::from(sep);
                            Some(NsRule {
                                prefix,
                                prefix_len: prefix.split('.').count(),
                                dist_prefix,
                                sep,
                                min,
                                max,
                                strip_version: flags.contains("strip_version"),
                                split_words: flags.contains("split_words"),
                            })
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            match parsed {
                Some(mut rule) if rule.prefix.ends_with('*') => {
                    rule.prefix = rule.prefix.trim_end_matches('*');
                    prefix_rules.push(rule);
                }
                Some(rule) => rules.push(rule),
                None => malformed.push(format!("namespaces.tsv: {line}")),
            }
        }
        rules.sort_by_key(|r| std::cmp::Reverse(r.prefix_len));

        let mut runtime = HashMap::new();
        for (line, f) in rows(RUNTIME_TSV) {
            match f.as_slice() {
                &[module, environment] if !module.is_empty() && !environment.is_empty() => {
                    runtime.insert(module, environment);
                }
                _ => malformed.push(format!("runtime.tsv: {line}")),
            }
        }

        let mut namespace_roots = HashSet::new();
        let mut namespace_parents = HashSet::new();
        let dotted = rules
            .iter()
            .map(|r| r.prefix)
            .chain(table_rows.iter().map(|(k, _)| *k))
            .chain(runtime.keys().copied())
            .filter(|k| k.contains('.'));
        for key in dotted {
            let mut end = 0;
            while let Some(i) = key[end..].find('.') {
                end += i;
                namespace_parents.insert(key[..end].to_owned());
                end += 1;
            }
            if let Some(root) = key.split('.').next() {
                namespace_roots.insert(root);
            }
        }
        for rule in &rules {
            namespace_parents.insert(rule.prefix.to_owned());
            if let Some(root) = rule.prefix.split('.').next() {
                namespace_roots.insert(root);
            }
        }

        Data {
            stdlib,
            table,
            table_rows,
            rules,
            prefix_rules,
            runtime,
            namespace_roots,
            namespace_parents,
            malformed,
        }
    }

    fn table_match(&self, module: &str, components: &[&str]) -> Option<(usize, &TableEntry)> {
        let (len, &row) = longest_prefix(&self.table, module, components)?;
        self.table_rows.get(row).map(|(_, entry)| (len, entry))
    }

    /// How many leading components of a path under a namespace root name a distribution's
    /// own part: one more than the longest rule prefix that matches, at least two.
    fn namespace_depth(&self, components: &[&str]) -> usize {
        let matched = self
            .rules
            .iter()
            .filter(|r| {
                components.len() > r.prefix_len
                    && r.prefix.split('.').zip(components).all(|(p, c)| p == *c)
            })
            .map(|r| r.prefix_len)
            .max()
            .unwrap_or(1);
        matched + 1
    }

    /// Steps 5 and 6: the table or a namespace rule, whichever is more specific, else the
    /// import name.
    fn package_for(&self, module: &str, components: &[&str], pypi: &Index) -> (String, Rule) {
        let table = self.table_match(module, components);
        let rule = self
            .rules
            .iter()
            .find_map(|r| r.components(components).map(|comps| (r, comps)));
        match (table, rule) {
            (Some((len, entry)), Some((rule, _))) if len > rule.prefix_len => {
                (entry.package.to_owned(), Rule::Table)
            }
            (_, Some((rule, comps))) => (rule.resolve(&comps, pypi), Rule::Namespace),
            (Some((_, entry)), None) => (entry.package.to_owned(), Rule::Table),
            (None, None) => {
                let first = components.first().copied().unwrap_or_default();
                for rule in &self.prefix_rules {
                    if let Some(rest) = first.strip_prefix(rule.prefix)
                        && !rest.is_empty()
                    {
                        let name = format!("{}{}", rule.dist_prefix, rest.replace('_', "-"));
                        if exists(pypi, &name) {
                            return (name, Rule::Namespace);
                        }
                    }
                }
                (first.to_owned(), Rule::ImportName)
            }
        }
    }
}

#[cfg(test)]
mod tests;
