//! Typosquat detection: is a package name a look-alike of a popular package it is not?
//!
//! A [`Detector`] is built once per [`Index`] from the index's popular names (PyPI's and
//! npm's 15,000 most downloaded). [`Detector::check`] then compares one candidate name
//! against them with every technique squatters use — one typo (Damerau edit distance,
//! classified as transposition, omission, repetition, insertion, substitution), two typos,
//! look-alike characters, separators, word order, language and packaging affixes, npm
//! scopes — and grades each resemblance by how much more established the target is than
//! the candidate:
//!
//! - a popular candidate is never flagged (a new linter is not a squat of an old one);
//! - a candidate in an npm scope that owns popular packages, or in `@types`, is never
//!   flagged: only that scope's owner can publish there;
//! - [`Strength::Strong`] needs a classic typo technique, a target far more popular than
//!   the candidate, a candidate that is not long established, and a target name long
//!   enough for one typo to be a deliberate imitation rather than a coincidence;
//! - everything else that resembles a popular name is [`Strength::Weak`].
//!
//! Building reads the popular names straight from the snapshot compiled into the binary
//! (see [`popular`]) and takes some 50–100 ms; a check takes some 20–30 µs
//! (`benches/typosquat.rs`). Build one detector per index and keep it.

mod distance;
mod forms;
mod popular;

use std::collections::{HashMap as StdHashMap, HashSet as StdHashSet};
use std::fmt;

use self::distance::{Edit, Signature, is_slip, one_edit_at, osa};
use self::forms::{Affix, flat, skeleton, split_scope, strip_affixes, word_bag};
use crate::{Ecosystem, Flags, Index, PackageInfo, Popularity};

// The tables hold names from the snapshot, not from the input being checked, so a fast
// unkeyed hash is safe here.
type Hasher = xxhash_rust::xxh3::Xxh3Builder;
type HashMap<K, V> = StdHashMap<K, V, Hasher>;
type HashSet<K> = StdHashSet<K, Hasher>;

/// The most matches [`Detector::check`] returns.
pub const MAX_MATCHES: usize = 3;

/// How a candidate name imitates its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Technique {
    /// Differs only in separators: `-`, `_`, `.`, none, or an npm scope's `@`/`/`
    /// (`crossenv` for `cross-env`, `types-node` for `@types/node`).
    Separator,
    /// Look-alike characters: `l`/`1`/`I`, `0`/`o`, `rn`/`m`, `vv`/`w` (`jeIlyfish`).
    Homoglyph,
    /// Two adjacent characters swapped (`electorn`).
    Transposition,
    /// A character typed twice (`requestss`).
    Repetition,
    /// A character dropped (`mongose`).
    Omission,
    /// A character added (`colourama`).
    Insertion,
    /// A character replaced (`urllib4`).
    Substitution,
    /// The same words in another order (`toolbelt-requests`).
    WordOrder,
    /// A language or packaging prefix or suffix added, dropped or swapped
    /// (`python3-dateutil`, `nodemailer.js`, `beautifulsoup5`).
    Affix,
    /// An npm scope added to a popular unscoped name, or dropped from a popular scoped one
    /// (`@evil/lodash`, `core-tracing` for `@azure/core-tracing`).
    Scope,
    /// Two typos (`reqeustss`); only for long names.
    TwoEdits,
}

impl Technique {
    /// Every technique, classic typos first.
    pub const ALL: [Technique; 11] = [
        Technique::Separator,
        Technique::Homoglyph,
        Technique::Transposition,
        Technique::Repetition,
        Technique::Omission,
        Technique::Insertion,
        Technique::Substitution,
        Technique::WordOrder,
        Technique::Affix,
        Technique::Scope,
        Technique::TwoEdits,
    ];

    /// A stable lowercase identifier for JSON, configuration and signal codes.
    pub fn id(self) -> &'static str {
        match self {
            Technique::Separator => "separator",
            Technique::Homoglyph => "homoglyph",
            Technique::Transposition => "transposition",
            Technique::Repetition => "repetition",
            Technique::Omission => "omission",
            Technique::Insertion => "insertion",
            Technique::Substitution => "substitution",
            Technique::WordOrder => "word-order",
            Technique::Affix => "affix",
            Technique::Scope => "scope",
            Technique::TwoEdits => "two-edits",
        }
    }

    /// What the technique does, in words that complete "the name …".
    pub fn description(self) -> &'static str {
        match self {
            Technique::Separator => "differs only in separators (-, _, . or none)",
            Technique::Homoglyph => "uses look-alike characters (l/1/I, 0/o, rn/m, vv/w)",
            Technique::Transposition => "swaps two adjacent characters",
            Technique::Repetition => "types a character twice",
            Technique::Omission => "drops a character",
            Technique::Insertion => "adds a character",
            Technique::Substitution => "replaces a character",
            Technique::WordOrder => "puts the same words in another order",
            Technique::Affix => "adds, drops or swaps a prefix or suffix",
            Technique::Scope => "adds or drops an npm scope",
            Technique::TwoEdits => "is two typos away",
        }
    }

    /// The technique with identifier `id`.
    pub fn from_id(id: &str) -> Option<Technique> {
        Technique::ALL.into_iter().find(|t| t.id() == id)
    }

    /// A single typo of the kind people make and squatters register.
    fn is_classic(self) -> bool {
        !matches!(
            self,
            Technique::Affix | Technique::Scope | Technique::TwoEdits
        )
    }

    fn from_edit(edit: Edit) -> Technique {
        match edit {
            Edit::Transposition => Technique::Transposition,
            Edit::Omission => Technique::Omission,
            Edit::Repetition => Technique::Repetition,
            Edit::Insertion => Technique::Insertion,
            Edit::Homoglyph => Technique::Homoglyph,
            Edit::Substitution => Technique::Substitution,
        }
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How sure a resemblance is to be a squat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strength {
    /// Resembles a popular name, but the technique, the popularity gap or the candidate's
    /// age leave room for a legitimate project: worth a warning.
    Weak,
    /// A classic typo of a far more popular name, by a candidate that is not established:
    /// worth blocking.
    Strong,
}

impl Strength {
    /// `strong` or `weak`.
    pub fn id(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Weak => "weak",
        }
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A popular package that a candidate name imitates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TyposquatMatch {
    /// The popular package imitated.
    pub target: PackageInfo,
    /// How the name imitates it.
    pub technique: Technique,
    /// How sure the resemblance is to be a squat.
    pub strength: Strength,
    /// Edit distance between the two names without separators (0 for separators, word
    /// order and most affixes).
    pub distance: u8,
    /// The affix or scope involved, as written (`python3-`, `.js`, `@evil`), else empty.
    pub affix: String,
}

impl TyposquatMatch {
    /// One sentence for a user: "`reqeusts` looks like `requests`, a package in the 15,000
    /// most downloaded: it swaps two adjacent characters."
    pub fn message(&self, candidate: &str) -> String {
        let how = match (self.technique, self.affix.is_empty()) {
            (Technique::Affix, false) => format!("it adds, drops or swaps `{}`", self.affix),
            (Technique::Scope, false) => format!("it adds or drops the scope `{}`", self.affix),
            (t, _) => format!("the name {}", t.description()),
        };
        let popularity = match self.target.popularity {
            Popularity::Rank(r) => format!("download rank {r}"),
            Popularity::MonthlyDownloads(d) => format!("{d} downloads a month"),
            Popularity::Unranked | Popularity::Unknown => "a popular package".to_owned(),
        };
        format!(
            "`{candidate}` looks like `{}` ({popularity}): {how}",
            self.target.name
        )
    }
}

/// One popular package and its derived spellings.
#[derive(Debug)]
struct Entry {
    info: PackageInfo,
    flat: String,
}

/// Compares names against the popular packages of one index. Build once, query often.
#[derive(Debug)]
pub struct Detector {
    ecosystem: Ecosystem,
    /// The snapshot month as `year * 12 + month - 1`.
    snapshot_month: Option<u32>,
    /// npm: the downloads a month of the [`TOP`]th most downloaded package.
    top_downloads: u32,
    keys: HashSet<String>,
    entries: Vec<Entry>,
    by_flat: HashMap<String, Vec<u32>>,
    by_skeleton: HashMap<String, Vec<u32>>,
    by_words: HashMap<String, Vec<u32>>,
    /// Flat core of a popular name after stripping an affix -> (entry, affix as written,
    /// affix).
    by_core: HashMap<String, Vec<(u32, String, Affix)>>,
    /// npm: flat name part of a popular scoped package -> entry.
    by_name_part: HashMap<String, Vec<u32>>,
    /// npm scopes that own a popular package.
    established_scopes: HashSet<String>,
    /// Entries by flat length, with their signatures inline so that a scan reads one
    /// contiguous array.
    by_len: Vec<Vec<(Signature, u32)>>,
}

/// A resemblance found before grading.
struct Hit {
    id: u32,
    technique: Technique,
    distance: u8,
    affix: String,
    /// For one-character edits: whether it is a slip people make (see [`is_slip`]).
    slip: bool,
}

impl Detector {
    /// Builds the tables for `index`'s popular names.
    pub fn new(index: &Index) -> Detector {
        let header = index.header();
        let snapshot_month =
            crate::index::format::encode_month(&header.snapshot_date).map(u32::from);
        let mut d = Detector::from_popular(index.ecosystem(), popular::popular_infos(index));
        d.snapshot_month = snapshot_month;
        d
    }

    /// Builds the tables from a list of popular packages of `ecosystem`.
    pub fn from_popular(ecosystem: Ecosystem, popular: Vec<PackageInfo>) -> Detector {
        let mut d = Detector {
            ecosystem,
            snapshot_month: None,
            top_downloads: u32::MAX,
            keys: HashSet::with_capacity_and_hasher(popular.len(), Hasher::new()),
            entries: Vec::with_capacity(popular.len()),
            by_flat: HashMap::with_capacity_and_hasher(popular.len(), Hasher::new()),
            by_skeleton: HashMap::with_capacity_and_hasher(popular.len(), Hasher::new()),
            by_words: HashMap::default(),
            by_core: HashMap::default(),
            by_name_part: HashMap::default(),
            established_scopes: HashSet::default(),
            by_len: Vec::new(),
        };
        for info in popular {
            let id = d.entries.len() as u32;
            let key = info.name.clone();
            let f = flat(&key);
            d.by_skeleton.entry(skeleton(&f)).or_default().push(id);
            if let Some(w) = word_bag(&key) {
                d.by_words.entry(w).or_default().push(id);
            }
            for s in strip_affixes(ecosystem, &key) {
                d.by_core
                    .entry(s.core)
                    .or_default()
                    .push((id, s.written, s.affix));
            }
            let (scope, name) = split_scope(&key);
            if let Some(scope) = scope {
                d.established_scopes.insert(scope.to_ascii_lowercase());
                d.by_name_part.entry(flat(name)).or_default().push(id);
            }
            if d.by_len.len() <= f.len() {
                d.by_len.resize_with(f.len() + 1, Vec::new);
            }
            d.by_len[f.len()].push((Signature::of(f.as_bytes()), id));
            d.by_flat.entry(f.clone()).or_default().push(id);
            d.entries.push(Entry { flat: f, info });
            d.keys.insert(key);
        }
        let mut downloads: Vec<u32> = d
            .entries
            .iter()
            .filter_map(|e| match e.info.popularity {
                Popularity::MonthlyDownloads(n) => Some(n),
                _ => None,
            })
            .collect();
        downloads.sort_unstable_by(|a, b| b.cmp(a));
        if let Some(&n) = downloads.get(TOP - 1).or(downloads.last()) {
            d.top_downloads = n;
        }
        d
    }

    /// The ecosystem whose names this detector compares.
    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// Number of popular names compared against.
    pub fn popular_count(&self) -> usize {
        self.entries.len()
    }

    /// The popular packages that `key` (a normalized name) imitates, best first, at most
    /// [`MAX_MATCHES`]. `own` is what the snapshot knows of the candidate: `None` when it
    /// is not in the snapshot (absent from a complete one, unknown to a partial one).
    /// Empty for popular candidates and names in an established npm scope.
    pub fn check(&self, key: &str, own: Option<&PackageInfo>) -> Vec<TyposquatMatch> {
        if key.is_empty() || key.len() > 256 || own.is_some_and(|o| o.popular) {
            return Vec::new();
        }
        if own.is_none() && self.keys.contains(key) {
            return Vec::new();
        }
        let (scope, _) = split_scope(key);
        if let Some(scope) = scope {
            let scope = scope.to_ascii_lowercase();
            if scope == "types" || self.established_scopes.contains(&scope) {
                return Vec::new();
            }
        }
        let hits = self.hits(key, scope.is_some());
        let mut best: StdHashMap<u32, TyposquatMatch> = StdHashMap::new();
        for hit in hits {
            let entry = &self.entries[hit.id as usize];
            if entry.info.name == key {
                continue;
            }
            let Some(strength) = self.grade(key, &hit, entry, own) else {
                continue;
            };
            let m = TyposquatMatch {
                target: entry.info.clone(),
                technique: hit.technique,
                strength,
                distance: hit.distance,
                affix: hit.affix,
            };
            match best.get(&hit.id) {
                Some(old) if rank(old) <= rank(&m) => {}
                _ => {
                    best.insert(hit.id, m);
                }
            }
        }
        let mut out: Vec<TyposquatMatch> = best.into_values().collect();
        out.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| weight(&b.target).cmp(&weight(&a.target)))
                .then_with(|| a.target.name.cmp(&b.target.name))
        });
        out.truncate(MAX_MATCHES);
        out
    }

    /// Every popular name `key` resembles, with the technique.
    fn hits(&self, key: &str, scoped: bool) -> Vec<Hit> {
        let mut hits = Vec::new();
        let f = flat(key);
        let mut push = |ids: Option<&Vec<u32>>, technique: Technique, distance: u8| {
            for &id in ids.into_iter().flatten() {
                hits.push(Hit {
                    id,
                    technique,
                    distance,
                    affix: String::new(),
                    slip: true,
                });
            }
        };
        push(self.by_flat.get(&f), Technique::Separator, 0);
        let skel = skeleton(&f);
        if let Some(ids) = self.by_skeleton.get(&skel) {
            let ids: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|&id| self.entries[id as usize].flat != f)
                .collect();
            push(Some(&ids), Technique::Homoglyph, 1);
        }
        if let Some(w) = word_bag(key)
            && let Some(ids) = self.by_words.get(&w)
        {
            let ids: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|&id| self.entries[id as usize].flat != f)
                .collect();
            push(Some(&ids), Technique::WordOrder, 0);
        }
        self.edit_hits(&f, &mut hits);
        self.affix_hits(key, &f, &mut hits);
        // `core-tracing` for `@azure/core-tracing`: the name part of a popular scoped
        // package, unscoped. (A popular unscoped name under some other scope, like
        // `@someone/lodash`, is how forks are published, and only that scope's owner can
        // publish there: not reported.)
        if self.ecosystem == Ecosystem::Npm && !scoped {
            for &id in self.by_name_part.get(&f).into_iter().flatten() {
                let target = &self.entries[id as usize].info.name;
                let scope = split_scope(target).0.unwrap_or_default();
                hits.push(Hit {
                    id,
                    technique: Technique::Scope,
                    distance: 0,
                    affix: format!("@{scope}"),
                    slip: true,
                });
            }
        }
        hits
    }

    /// Popular names one or two edits from the flat form `f`.
    fn edit_hits(&self, f: &str, hits: &mut Vec<Hit>) {
        let max_d = if f.len() >= LONG_NAME { 2 } else { 1 };
        self.scan(f, max_d, |id, d, edit| {
            let technique = match (d, edit) {
                (1, Some((edit, _, _))) => Technique::from_edit(edit),
                (2, _) => Technique::TwoEdits,
                _ => return,
            };
            hits.push(Hit {
                id,
                technique,
                distance: d as u8,
                affix: String::new(),
                slip: edit.is_some_and(|(_, _, slip)| slip),
            });
        });
    }

    /// Calls `found(entry, distance, one edit and whether it is a slip)` for every popular
    /// name within `max_d` edits (1 or 2) of the flat form `f`, but `f` itself.
    fn scan(
        &self,
        f: &str,
        max_d: usize,
        mut found: impl FnMut(u32, usize, Option<(Edit, usize, bool)>),
    ) {
        let fb = f.as_bytes();
        if fb.len() < 3 {
            return;
        }
        let sig = Signature::of(fb);
        let lo = fb.len().saturating_sub(max_d);
        let hi = fb.len() + max_d;
        for len in lo..=hi {
            let Some(ids) = self.by_len.get(len) else {
                continue;
            };
            for &(ref esig, id) in ids {
                if !sig.may_be_within(esig, max_d as u32) {
                    continue;
                }
                let e = &self.entries[id as usize];
                let t = e.flat.as_bytes();
                match osa(fb, t, max_d) {
                    Some(1) => {
                        if let Some((edit, at)) = one_edit_at(fb, t) {
                            found(id, 1, Some((edit, at, is_slip(edit, fb, t, at))));
                        }
                    }
                    Some(2) if t.len() >= LONG_NAME => found(id, 2, None),
                    _ => {}
                }
            }
        }
    }

    /// Popular names that `key` turns into by adding, dropping or swapping an affix.
    fn affix_hits(&self, key: &str, f: &str, hits: &mut Vec<Hit>) {
        let hit = |id: u32, affix: String| Hit {
            id,
            technique: Technique::Affix,
            distance: 0,
            affix,
            slip: true,
        };
        for s in strip_affixes(self.ecosystem, key) {
            // Added: `nodemailer.js`, `requests-lib`, `python-flask`.
            for &id in self.by_flat.get(&s.core).into_iter().flatten() {
                hits.push(hit(id, s.written.clone()));
            }
            // Added as a word of its own, with a slip in the rest: `python3-dateutils`.
            // (Glued affixes with a slip match too many unrelated names.)
            if s.core.len() >= 5 && s.written.bytes().any(forms::is_separator) {
                self.scan(&s.core, 1, |id, _, edit| {
                    if edit.is_some_and(|(_, _, slip)| slip) {
                        hits.push(Hit {
                            id,
                            technique: Technique::Affix,
                            distance: 1,
                            affix: s.written.clone(),
                            slip: false,
                        });
                    }
                });
            }
            if !s.affix.is_language_or_version() {
                continue;
            }
            // Swapped: `python3-dateutil` for `python-dateutil`, `beautifulsoup5` for
            // `beautifulsoup4`.
            for (id, written, affix) in self.by_core.get(&s.core).into_iter().flatten() {
                if affix.is_language_or_version() && self.entries[*id as usize].flat != f {
                    hits.push(hit(*id, format!("{} for {written}", s.written)));
                }
            }
        }
        // Dropped: `dateutil` for `python-dateutil`, `beautifulsoup` for `beautifulsoup4`.
        for (id, written, affix) in self.by_core.get(f).into_iter().flatten() {
            if affix.is_language_or_version() {
                hits.push(hit(*id, written.clone()));
            }
        }
    }

    /// The strength of a hit, or `None` when the popularity gap or the names leave it
    /// unremarkable.
    fn grade(
        &self,
        key: &str,
        hit: &Hit,
        target: &Entry,
        own: Option<&PackageInfo>,
    ) -> Option<Strength> {
        let gap = self.gap(&target.info, own)?;
        let own_flags = own.map(|o| o.flags).unwrap_or_default();
        // npm took the candidate down for malware: any resemblance is the reason.
        if own_flags.contains(Flags::SECURITY_HOLDING) {
            return Some(Strength::Strong);
        }
        let tlen = target.flat.len();
        // One typo on a short name lands on another word more often than on a squat.
        let min_len = match hit.technique {
            Technique::Separator | Technique::WordOrder | Technique::Homoglyph => 3,
            Technique::Transposition | Technique::Repetition => 4,
            Technique::Affix | Technique::Scope => 3,
            Technique::Omission | Technique::Insertion | Technique::Substitution => 5,
            Technique::TwoEdits => LONG_NAME,
        };
        if tlen < min_len {
            return None;
        }
        if hit.distance > 0 && is_family_member(key, &target.info.name) {
            return None;
        }
        // Two typos make a name that is as often another word: only against the names
        // that squatters go for.
        if hit.technique == Technique::TwoEdits && (gap != Gap::Huge || tlen < TWO_EDITS_MIN_LEN) {
            return None;
        }
        let established = self.is_established(own);
        // A project that has kept its name for years is a project of its own, unless the
        // name is a plain slip of a far more popular one.
        if established && !(hit.technique.is_classic() && hit.slip && gap == Gap::Huge) {
            return None;
        }
        // A one-letter change to a name is another word often enough that only the names
        // squatters aim at — the most downloaded — make it a strong sign.
        let unmistakable = matches!(
            hit.technique,
            Technique::Separator
                | Technique::Homoglyph
                | Technique::Transposition
                | Technique::Repetition
        );
        let strong = hit.technique.is_classic()
            && hit.technique != Technique::WordOrder
            && hit.slip
            && gap == Gap::Huge
            && (unmistakable || self.is_top(&target.info))
            && !established
            && tlen >= STRONG_MIN_LEN
            && !own_flags.intersects(Flags::PLACEHOLDER | Flags::RESEARCH);
        Some(if strong {
            Strength::Strong
        } else {
            Strength::Weak
        })
    }

    /// How much more popular `target` is than the candidate; `None` when not enough to
    /// suspect imitation.
    fn gap(&self, target: &PackageInfo, own: Option<&PackageInfo>) -> Option<Gap> {
        match target.popularity {
            // Every candidate here is unranked: below the 15,000 most downloaded.
            Popularity::Rank(r) => Some(if r <= STRONG_RANK {
                Gap::Huge
            } else {
                Gap::Large
            }),
            Popularity::MonthlyDownloads(t) => {
                let t = u64::from(t);
                let own = match own.map(|o| o.popularity) {
                    Some(Popularity::MonthlyDownloads(d)) => u64::from(d.max(1)),
                    // Not in a snapshot of every package above its download cut.
                    _ => return Some(Gap::Huge),
                };
                if t >= own * HUGE_RATIO {
                    Some(Gap::Huge)
                } else if t >= own * LARGE_RATIO {
                    Some(Gap::Large)
                } else {
                    None
                }
            }
            Popularity::Unranked | Popularity::Unknown => Some(Gap::Large),
        }
    }

    /// True for one of the [`TOP`] most downloaded packages.
    fn is_top(&self, info: &PackageInfo) -> bool {
        match info.popularity {
            Popularity::Rank(r) => r as usize <= TOP,
            Popularity::MonthlyDownloads(d) => d >= self.top_downloads,
            Popularity::Unranked | Popularity::Unknown => false,
        }
    }

    /// True when the candidate's latest release is [`ESTABLISHED_MONTHS`] or more before
    /// the snapshot: squats are removed within days, so a name that has stayed that long
    /// belongs to a project of its own.
    fn is_established(&self, own: Option<&PackageInfo>) -> bool {
        let (Some(snapshot), Some((y, m))) =
            (self.snapshot_month, own.and_then(|o| o.release_month))
        else {
            return false;
        };
        let month = u32::from(y) * 12 + u32::from(m) - 1;
        snapshot.saturating_sub(month) >= ESTABLISHED_MONTHS
    }
}

/// Flat names at least this long are compared at edit distance 2.
const LONG_NAME: usize = 8;
/// Two typos are reported only against popular names at least this long (flat).
const TWO_EDITS_MIN_LEN: usize = 8;
/// The most downloaded packages of a registry, which squatters aim at.
const TOP: usize = 1_000;
/// A strong match needs a target name at least this long (flat).
const STRONG_MIN_LEN: usize = 5;
/// PyPI: targets ranked at most this are far more popular than any unranked candidate.
const STRONG_RANK: u32 = 5_000;
/// npm: a target downloaded this many times more than the candidate is far more popular.
/// A squat gets a sliver of its target's traffic from typos; a package with a tenth of a
/// percent of it has users of its own.
const HUGE_RATIO: u64 = 10_000;
/// npm: below this ratio a resemblance is not reported at all (`requests`, 44,717
/// downloads a month, is an old package of its own beside `request`'s 60 million).
const LARGE_RATIO: u64 = 2_000;
/// A candidate whose latest release is this many months old is established.
const ESTABLISHED_MONTHS: u32 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    Large,
    Huge,
}

/// True when two names of several words differ in one word only, and that word is a
/// short code or carries a number (`aws-cdk-aws-efs` and `aws-cdk-aws-ecs`,
/// `cupy-cuda11x` and `cupy-cuda12x`): siblings of one family, published by its owners.
fn is_family_member(candidate: &str, target: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| c.is_ascii() && forms::is_separator(c as u8))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let (a, b) = (words(candidate), words(target));
    if a.len() < 2 || a.len() != b.len() {
        return false;
    }
    let mut differing = a.iter().zip(&b).filter(|(x, y)| x != y);
    let (Some((x, y)), None) = (differing.next(), differing.next()) else {
        return false;
    };
    let plural =
        |p: &str, q: &str| p.strip_suffix('s') == Some(q) || q.strip_suffix('s') == Some(p);
    let digits = |w: &str| w.bytes().any(|c| c.is_ascii_digit());
    !plural(x, y) && ((x.len() <= 3 && y.len() <= 3) || digits(x) || digits(y))
}

/// Sort key: strong before weak, then classic techniques in [`Technique::ALL`] order.
fn rank(m: &TyposquatMatch) -> (std::cmp::Reverse<Strength>, Technique) {
    (std::cmp::Reverse(m.strength), m.technique)
}

/// Larger is more popular.
fn weight(info: &PackageInfo) -> u64 {
    match info.popularity {
        Popularity::Rank(r) => (1u64 << 40) - u64::from(r),
        Popularity::MonthlyDownloads(d) => u64::from(d),
        Popularity::Unranked | Popularity::Unknown => 0,
    }
}
