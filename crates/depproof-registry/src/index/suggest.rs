//! "Did you mean": names near a missing one — optimal-string-alignment
//! (Damerau–Levenshtein with adjacent transpositions) distance 1 over all names and 2
//! over the popular ones — found by walking the fsts along the query (see `fuzzy`).

use std::borrow::Cow;

use super::fuzzy::Walk;
use super::{Index, PackageInfo, Popularity, reversed};

/// The most suggestions `suggest` returns by default.
pub const MAX_SUGGESTIONS: usize = 5;

/// Longer queries get no suggestions: no registry name is that long, and the search
/// grows with the query.
const MAX_QUERY_CHARS: usize = 256;

/// A registry name close to the one asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The package suggested.
    pub info: PackageInfo,
    /// Edit distance from the query (insertions, deletions, substitutions and adjacent
    /// transpositions count 1 each); 0 when only letter case differs.
    pub distance: u8,
}

/// Searches an index opened at run time makes before it derives the popular names spelt
/// backwards.
const DERIVE_AFTER: u32 = 50;

/// How many answers [`Recent`] keeps.
const RECENT: usize = 32;

/// The last [`RECENT`] answers of `suggest`, oldest first. An index never changes, so a
/// kept answer stays right.
#[derive(Default)]
pub(super) struct Recent(std::collections::VecDeque<(String, usize, Vec<Suggestion>)>);

impl Recent {
    fn get(&self, key: &str, limit: usize) -> Option<Vec<Suggestion>> {
        self.0
            .iter()
            .find(|(k, l, _)| *l == limit && k == key)
            .map(|(_, _, s)| s.clone())
    }

    fn put(&mut self, key: &str, limit: usize, answer: &[Suggestion]) {
        if self.0.len() == RECENT {
            self.0.pop_front();
        }
        self.0.push_back((key.to_owned(), limit, answer.to_vec()));
    }
}

/// Larger is more established; used to order suggestions at equal distance.
fn score(p: Popularity) -> u64 {
    match p {
        Popularity::Rank(r) => (1u64 << 40) - u64::from(r),
        Popularity::MonthlyDownloads(d) => u64::from(d),
        Popularity::Unranked | Popularity::Unknown => 0,
    }
}

/// A name found near the query: its bytes in `Found::names`, the distance of the script
/// that reached it, and its row.
#[derive(Clone, Copy)]
struct Hit {
    start: u32,
    end: u32,
    distance: u8,
    row: u64,
}

/// The names found, in one buffer so that a hit costs no allocation.
#[derive(Default)]
struct Found {
    names: Vec<u8>,
    hits: Vec<Hit>,
}

impl Found {
    fn push(&mut self, name: impl IntoIterator<Item = u8>, distance: u8, row: u64) {
        let start = self.names.len() as u32;
        self.names.extend(name);
        let end = self.names.len() as u32;
        self.hits.push(Hit {
            start,
            end,
            distance,
            row,
        });
    }

    /// Records each name a forward walk reports, unless it is `key`.
    fn forward<'a>(&'a mut self, key: &'a str) -> impl FnMut(&[u8], u8, u64) + 'a {
        move |name, distance, row| {
            if name != key.as_bytes() {
                self.push(name.iter().copied(), distance, row);
            }
        }
    }

    /// Records `reversed` spelt forwards, unless that is `key`.
    fn push_reversed(&mut self, reversed: &str, key: &str, distance: u8, row: u64) {
        let start = self.names.len();
        let mut buf = [0u8; 4];
        for c in reversed.chars().rev() {
            self.names
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        if &self.names[start..] == key.as_bytes() {
            self.names.truncate(start);
            return;
        }
        self.hits.push(Hit {
            start: start as u32,
            end: self.names.len() as u32,
            distance,
            row,
        });
    }

    fn name(&self, h: &Hit) -> &[u8] {
        &self.names[h.start as usize..h.end as usize]
    }
}

/// A suggestion before its row is decoded.
struct Candidate<'a> {
    name: &'a str,
    distance: u8,
    score: u64,
    source: Source<'a>,
}

enum Source<'a> {
    Row(u64),
    Info(&'a PackageInfo),
}

impl Index {
    /// The popular names spelt backwards; `None` if they cannot be built.
    ///
    /// An index opened at run time derives them (some 10–50 ms) only from its
    /// [`DERIVE_AFTER`]th search on: a command that asks for a few suggestions is quicker
    /// without them, a server soon gains.
    fn popular_reversed(&self) -> Option<&fst::Map<Cow<'static, [u8]>>> {
        if let Some(derived) = self.popular_reversed.get() {
            return derived.as_ref();
        }
        let searches = self
            .searches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if searches < DERIVE_AFTER {
            return None;
        }
        self.popular_reversed
            .get_or_init(|| {
                let bytes = reversed::reversed_map(&self.popular).ok()?;
                fst::Map::new(Cow::Owned(bytes)).ok()
            })
            .as_ref()
    }

    /// Up to `limit` names near `key` (a normalized name): Damerau–Levenshtein distance 1
    /// over all names and 2 over the popular ones, plus names differing only in case;
    /// ordered by distance, then popularity, then name. `key` itself is never suggested.
    pub fn suggest(&self, key: &str, limit: usize) -> Vec<Suggestion> {
        if key.is_empty() || key.chars().count() > MAX_QUERY_CHARS || limit == 0 {
            return Vec::new();
        }
        // A poisoned lock only means another thread panicked mid-update of the memo;
        // then it is not used.
        if let Some(answer) = self.recent.lock().ok().and_then(|r| r.get(key, limit)) {
            return answer;
        }
        let answer = self.suggest_using(key, limit, self.popular_reversed());
        if let Ok(mut recent) = self.recent.lock() {
            recent.put(key, limit, &answer);
        }
        answer
    }

    /// [`Index::suggest`] of a valid query, with the popular names spelt backwards if
    /// there are any.
    fn suggest_using(
        &self,
        key: &str,
        limit: usize,
        reversed: Option<&fst::Map<Cow<'static, [u8]>>>,
    ) -> Vec<Suggestion> {
        let query: Vec<&[u8]> = key
            .char_indices()
            .map(|(i, c)| &key.as_bytes()[i..i + c.len_utf8()])
            .collect();
        let mut found = Found::default();
        // Distance 1 over every name: a single edit fans out only along the query's path.
        Walk::run(self.names.as_fst(), &query, 1, 0, 1, found.forward(key));
        let variants = self.case_variants(key);
        // Distance 2 over the popular names: one edit at most in the first half forward,
        // one at most in the second half backward (see `fuzzy`). Not needed when `limit`
        // names are already closer: every popular name within distance 1 is among `names`.
        let n = query.len();
        let half = n / 2;
        let enough = found.hits.len() >= limit && self.closer_than_2(&found, &variants) >= limit;
        match reversed {
            _ if enough => {}
            Some(reversed) => {
                Walk::run(
                    self.popular.as_fst(),
                    &query,
                    2,
                    half,
                    1,
                    found.forward(key),
                );
                let backward: Vec<&[u8]> = query.iter().rev().copied().collect();
                Walk::run(
                    reversed.as_fst(),
                    &backward,
                    2,
                    n - half,
                    1,
                    |name: &[u8], distance: u8, row: u64| {
                        if let Ok(name) = std::str::from_utf8(name) {
                            found.push_reversed(name, key, distance, row);
                        }
                    },
                );
            }
            None => Walk::run(self.popular.as_fst(), &query, 2, 0, 2, found.forward(key)),
        }
        self.rank(found, variants, limit)
    }

    /// How many distinct names, with their rows intact, `found` and `variants` hold; when
    /// only the distance-1 search has run, all of them are closer than distance 2.
    fn closer_than_2(&self, found: &Found, variants: &[PackageInfo]) -> usize {
        let mut names: Vec<&[u8]> = found
            .hits
            .iter()
            .filter(|h| self.popularity_at(h.row).is_some())
            .map(|h| found.name(h))
            .collect();
        names.sort_unstable();
        names.dedup();
        let known = names.len();
        known
            + variants
                .iter()
                .filter(|v| names.binary_search(&v.name.as_bytes()).is_err())
                .count()
    }

    /// Orders the names found (each at the least distance it was reached at) with the
    /// case variants of the query, and decodes the first `limit`.
    fn rank(&self, mut found: Found, variants: Vec<PackageInfo>, limit: usize) -> Vec<Suggestion> {
        let mut hits = std::mem::take(&mut found.hits);
        hits.sort_unstable_by(|a, b| {
            found
                .name(a)
                .cmp(found.name(b))
                .then(a.distance.cmp(&b.distance))
        });
        hits.dedup_by(|later, first| found.name(later) == found.name(first));
        let mut candidates: Vec<Candidate<'_>> = Vec::with_capacity(hits.len() + variants.len());
        for h in &hits {
            let Ok(name) = std::str::from_utf8(found.name(h)) else {
                continue;
            };
            if variants.iter().any(|v| v.name == name) {
                continue;
            }
            // A row past the record table (a damaged index) is no suggestion.
            let Some(popularity) = self.popularity_at(h.row) else {
                continue;
            };
            candidates.push(Candidate {
                name,
                distance: h.distance,
                score: score(popularity),
                source: Source::Row(h.row),
            });
        }
        for info in &variants {
            candidates.push(Candidate {
                name: &info.name,
                distance: 0,
                score: score(info.popularity),
                source: Source::Info(info),
            });
        }
        let by_rank = |a: &Candidate<'_>, b: &Candidate<'_>| {
            a.distance
                .cmp(&b.distance)
                .then_with(|| b.score.cmp(&a.score))
                .then_with(|| a.name.cmp(b.name))
        };
        if candidates.len() > limit {
            candidates.select_nth_unstable_by(limit - 1, by_rank);
            candidates.truncate(limit);
        }
        candidates.sort_unstable_by(by_rank);
        candidates
            .into_iter()
            .filter_map(|c| {
                let info = match c.source {
                    Source::Row(row) => self.info(c.name, row)?,
                    Source::Info(info) => info.clone(),
                };
                Some(Suggestion {
                    info,
                    distance: c.distance,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod reference {
    //! The automaton search that `suggest` replaced, kept as the reference it must agree
    //! with.

    use std::collections::HashMap;
    use std::sync::OnceLock;

    use fst::{IntoStreamer, Streamer};
    use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};

    use super::{Index, MAX_QUERY_CHARS, Suggestion, score};

    /// Adapts a Levenshtein DFA to the `fst` automaton interface.
    struct Lev<'a>(&'a DFA);

    impl fst::Automaton for Lev<'_> {
        type State = u32;

        fn start(&self) -> u32 {
            self.0.initial_state()
        }

        fn is_match(&self, state: &u32) -> bool {
            matches!(self.0.distance(*state), Distance::Exact(_))
        }

        fn can_match(&self, state: &u32) -> bool {
            *state != SINK_STATE
        }

        fn accept(&self, state: &u32, byte: u8) -> u32 {
            self.0.transition(*state, byte)
        }
    }

    fn builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
        static D1: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
        static D2: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
        let cell = if distance == 1 { &D1 } else { &D2 };
        cell.get_or_init(|| LevenshteinAutomatonBuilder::new(distance, true))
    }

    impl Index {
        /// Up to `limit` names near `key` (a normalized name): Damerau–Levenshtein distance 1
        /// over all names and 2 over the popular ones, plus names differing only in case;
        /// ordered by distance, then popularity, then name. `key` itself is never suggested.
        pub(crate) fn suggest_reference(&self, key: &str, limit: usize) -> Vec<Suggestion> {
            if key.is_empty() || key.chars().count() > MAX_QUERY_CHARS || limit == 0 {
                return Vec::new();
            }
            // name -> (distance, row)
            let mut found: HashMap<String, (u8, u64)> = HashMap::new();
            let mut add = |name: &[u8], distance: u8, row: u64| {
                if name == key.as_bytes() {
                    return;
                }
                if let Ok(name) = std::str::from_utf8(name) {
                    let e = found.entry(name.to_owned()).or_insert((distance, row));
                    e.0 = e.0.min(distance);
                }
            };
            for (map, d) in [(&self.names, 1u8), (&self.popular, 2u8)] {
                let dfa = builder(d).build_dfa(key);
                let mut stream = map.search_with_state(Lev(&dfa)).into_stream();
                while let Some((name, row, state)) = stream.next() {
                    add(name, dfa.distance(state).to_u8(), row);
                }
            }
            let mut out: Vec<Suggestion> = found
                .into_iter()
                .filter_map(|(name, (distance, row))| {
                    self.info(&name, row)
                        .map(|info| Suggestion { info, distance })
                })
                .collect();
            for info in self.case_variants(key) {
                out.retain(|s| s.info.name != info.name);
                out.push(Suggestion { info, distance: 0 });
            }
            out.sort_by(|a, b| {
                a.distance
                    .cmp(&b.distance)
                    .then_with(|| score(b.info.popularity).cmp(&score(a.info.popularity)))
                    .then_with(|| a.info.name.cmp(&b.info.name))
            });
            out.truncate(limit);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Suggestion;
    use crate::{Ecosystem, Index, embedded};

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// One random character edit of `name`.
    fn edit(name: &str, rng: &mut Rng, alphabet: &[char]) -> String {
        let mut c: Vec<char> = name.chars().collect();
        let i = rng.below(c.len() + 1);
        let x = alphabet[rng.below(alphabet.len())];
        match rng.below(4) {
            0 => c.insert(i, x),
            1 if i < c.len() => {
                c.remove(i);
            }
            2 if i < c.len() => c[i] = x,
            _ if i + 1 < c.len() => c.swap(i, i + 1),
            _ => c.push(x),
        }
        c.into_iter().collect()
    }

    /// Queries made from real names of `index`: popular and other names with one, two or
    /// three edits, invented names joined from the words of popular ones, short names,
    /// the names themselves, capitals and characters no name has.
    fn queries(index: &Index, count: usize, seed: u64) -> Vec<String> {
        let mut popular = Vec::new();
        index.for_each_popular(|k, _| popular.push(k.to_owned()));
        let mut all = Vec::new();
        let mut i = 0u64;
        index.for_each_name(|k, _| {
            if i.is_multiple_of(211) {
                all.push(k.to_owned());
            }
            i += 1;
        });
        let words: Vec<&str> = popular
            .iter()
            .flat_map(|n| n.split(['-', '/', '.', '_']))
            .filter(|w| w.len() > 1)
            .collect();
        let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789-._/@Aé"
            .chars()
            .collect();
        let mut rng = Rng(seed);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let p = &popular[rng.below(popular.len())];
            let a = &all[rng.below(all.len())];
            let q = match out.len() % 10 {
                0 => edit(p, &mut rng, &alphabet),
                1 => edit(&edit(p, &mut rng, &alphabet), &mut rng, &alphabet),
                2 => edit(
                    &edit(&edit(p, &mut rng, &alphabet), &mut rng, &alphabet),
                    &mut rng,
                    &alphabet,
                ),
                3 => edit(a, &mut rng, &alphabet),
                4 => edit(&edit(a, &mut rng, &alphabet), &mut rng, &alphabet),
                5 => (0..2 + rng.below(2))
                    .map(|_| words[rng.below(words.len())])
                    .collect::<Vec<_>>()
                    .join("-"),
                6 => p.chars().take(1 + rng.below(3)).collect(),
                7 => {
                    if rng.below(2) == 0 {
                        p.clone()
                    } else {
                        a.clone()
                    }
                }
                8 => edit(&p.to_uppercase(), &mut rng, &alphabet),
                _ => edit(&a.to_uppercase(), &mut rng, &alphabet),
            };
            if !q.is_empty() {
                out.push(q);
            }
        }
        out
    }

    fn brief(s: &[Suggestion]) -> Vec<(String, u8)> {
        s.iter()
            .map(|s| (s.info.name.clone(), s.distance))
            .collect()
    }

    /// The same suggestions, in the same order, as the automaton search, for a few
    /// thousand queries on each embedded snapshot; with the popular names spelt backwards
    /// derived at compile time, at run time, and not at all.
    #[test]
    fn suggestions_equal_the_automaton_search() {
        for (eco, count, seed) in [
            (Ecosystem::PyPI, 4000, 0x9e37_79b9),
            (Ecosystem::Npm, 4000, 0x7f4a_7c15),
        ] {
            let index = embedded::open(eco).unwrap();
            let runtime = Index::from_vec(embedded::bytes(eco).to_vec(), "copy").unwrap();
            assert!(
                index.popular_reversed.get().is_some(),
                "{eco}: derived at compile time"
            );
            assert!(
                runtime.popular_reversed.get().is_none(),
                "{eco}: derived at run time, once searches are many"
            );
            let mut compared = 0usize;
            for (i, q) in queries(&index, count, seed).iter().enumerate() {
                // Every suggestion, so that the whole ranking is compared, then the usual five.
                let want = index.suggest_reference(q, 1000);
                let five = &want[..want.len().min(5)];
                let reversed = index.popular_reversed();
                let got = index.suggest_using(q, 1000, reversed);
                assert_eq!(brief(&got), brief(&want), "{eco}: {q:?}");
                assert_eq!(got, want, "{eco}: {q:?}");
                assert_eq!(index.suggest_using(q, 5, reversed), five, "{eco}: {q:?}");
                // Searched forward only, then once derived at run time, with the names spelt
                // backwards; and the answer kept for the next call.
                let other = if i % 2 == 0 { &runtime } else { &index };
                assert_eq!(
                    other.suggest(q, 5),
                    five,
                    "{eco}: {q:?} ({})",
                    other.origin()
                );
                assert_eq!(other.suggest(q, 5), five, "{eco}: {q:?}, kept");
                if i % 10 == 0 {
                    let forward_only = index.suggest_using(q, 1000, None);
                    assert_eq!(forward_only, want, "{eco}: {q:?}, forward only");
                }
                compared += usize::from(!want.is_empty());
            }
            // Searched forward only at first, then with the names spelt backwards.
            assert!(runtime.popular_reversed.get().is_some_and(Option::is_some));
            // Many queries have suggestions: the comparison is not of empty lists.
            assert!(
                compared > count * 2 / 5,
                "{eco}: only {compared} queries had suggestions"
            );
        }
    }
}
