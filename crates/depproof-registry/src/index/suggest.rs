//! "Did you mean": names near a missing one, found by running Levenshtein automata
//! (with transpositions, i.e. optimal-string-alignment Damerau–Levenshtein) over the fst.

use std::collections::HashMap;
use std::sync::OnceLock;

use fst::{IntoStreamer, Streamer};
use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};

use super::{Index, PackageInfo, Popularity};

/// The most suggestions `suggest` returns by default.
pub const MAX_SUGGESTIONS: usize = 5;

/// Longer queries get no suggestions: no registry name is that long, and the automaton
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

/// Larger is more established; used to order suggestions at equal distance.
fn score(p: Popularity) -> u64 {
    match p {
        Popularity::Rank(r) => (1u64 << 40) - u64::from(r),
        Popularity::MonthlyDownloads(d) => u64::from(d),
        Popularity::Unranked | Popularity::Unknown => 0,
    }
}

impl Index {
    /// Up to `limit` names near `key` (a normalized name): Damerau–Levenshtein distance 1
    /// over all names and 2 over the popular ones, plus names differing only in case;
    /// ordered by distance, then popularity, then name. `key` itself is never suggested.
    pub fn suggest(&self, key: &str, limit: usize) -> Vec<Suggestion> {
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
