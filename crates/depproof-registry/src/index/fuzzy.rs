//! Every key of an fst within a small optimal-string-alignment distance of a query, found
//! by walking the fst along the query and spending an edit budget, instead of running a
//! Levenshtein automaton over it.
//!
//! An automaton search decodes every transition of every node it reaches, although once
//! the budget is spent only one byte can follow; and building the automaton itself costs
//! tens of microseconds for distance 2. Here a node whose path has used the whole budget
//! is left by the one transition the query asks for (`find_input`), and only the nodes on
//! the query's own path fan out over their children.
//!
//! Distance 2 fans out twice, which is costly near the root, where nodes have dozens of
//! children. Split the query in halves: an edit script of at most two edits touches one
//! half at most once (only a transposition across the middle touches both, and there is
//! one middle). So a forward walk that allows at most one edit in the first half, and a
//! walk of the reversed query over an fst of reversed keys that allows at most one edit in
//! the last half, find every key within distance 2 between them, each fanning out at most
//! once near its root.
//!
//! Edits are on characters, as in the automaton: insertion, deletion, substitution and
//! transposition of adjacent characters cost 1 each, and the distance of a key is the
//! cheapest script that turns the query into it — the optimal string alignment distance.
//! A key may be reached by several scripts: `walk` reports each with its cost, and the
//! caller keeps the least, which the cheapest script, always walked, guarantees to be the
//! distance.

use fst::raw::{Fst, Node, Output};

/// The last step of a script, to skip pairs of steps that one cheaper step replaces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Start,
    Keep,
    Insert,
    Delete,
    Other,
}

/// One walk of `fst` along `query` (characters, as UTF-8 byte slices).
pub(crate) struct Walk<'q, 'f, D, F> {
    fst: &'f Fst<D>,
    query: &'q [&'q [u8]],
    /// The query's bytes, and where each character starts in them (one more for the end),
    /// so that the rest of the query is one slice.
    bytes: Vec<u8>,
    starts: Vec<usize>,
    /// The most edits a script may make.
    max: u8,
    /// Characters `0..region` form the region where at most `region_max` edits may touch.
    region: usize,
    region_max: u8,
    /// The key read so far.
    key: Vec<u8>,
    report: F,
}

/// `a == b` for the few bytes of a character, without a call to `memcmp`.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The byte length of the UTF-8 character that starts with `lead`; 0 for a byte that
/// starts none (the fst holds valid UTF-8, so such a branch holds no key).
fn char_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    }
}

impl<'q, 'f, D: AsRef<[u8]>, F: FnMut(&[u8], u8, u64)> Walk<'q, 'f, D, F> {
    /// Reports through `report(key, cost, value)` every key of `fst` that a script of at
    /// most `max` edits turns `query` into, where at most `region_max` of those edits
    /// touch the characters `query[..region]`. An insertion touches the character it is
    /// inserted before; a transposition touches both characters it swaps.
    pub(crate) fn run(
        fst: &'f Fst<D>,
        query: &'q [&'q [u8]],
        max: u8,
        region: usize,
        region_max: u8,
        report: F,
    ) {
        let mut starts = Vec::with_capacity(query.len() + 1);
        let mut bytes = Vec::with_capacity(query.iter().map(|c| c.len()).sum());
        for c in query {
            starts.push(bytes.len());
            bytes.extend_from_slice(c);
        }
        starts.push(bytes.len());
        let mut walk = Walk {
            fst,
            query,
            bytes,
            starts,
            max,
            region,
            region_max,
            key: Vec::with_capacity(64),
            report,
        };
        walk.step(fst.root(), Output::zero(), 0, 0, 0, Step::Start);
    }

    /// May an edit touching character `j` (or none, past the end) be made now?
    fn may_edit(&self, used: u8, in_region: u8, j: usize) -> Option<u8> {
        let touches = u8::from(j < self.region);
        (used < self.max && in_region + touches <= self.region_max).then_some(in_region + touches)
    }

    /// Follows `bytes` from `node`; the key grows by them (the caller truncates it).
    fn follow(&mut self, node: Node<'f>, out: Output, bytes: &[u8]) -> Option<(Node<'f>, Output)> {
        follow(self.fst, &mut self.key, node, out, bytes)
    }

    /// At `node` with the key read so far, the query consumed up to character `j`,
    /// `used` edits made, `in_region` of them touching the region.
    fn step(&mut self, node: Node<'f>, out: Output, j: usize, used: u8, in_region: u8, last: Step) {
        let n = self.query.len();
        let len = self.key.len();
        if used == self.max {
            // Nothing left to spend: the rest of the query, exactly.
            let rest = &self.bytes[self.starts[j]..];
            if let Some((nd, o)) = follow(self.fst, &mut self.key, node, out, rest)
                && nd.is_final()
            {
                let value = o.cat(nd.final_output()).value();
                (self.report)(&self.key, used, value);
            }
            self.key.truncate(len);
            return;
        }
        if j == n && node.is_final() {
            let value = out.cat(node.final_output()).value();
            (self.report)(&self.key, used, value);
        }
        // Keep query[j].
        if j < n {
            if let Some((nd, o)) = self.follow(node, out, self.query[j]) {
                self.step(nd, o, j + 1, used, in_region, Step::Keep);
            }
            self.key.truncate(len);
        }
        // Delete query[j]; never right after an insertion (one substitution does that).
        if j < n
            && last != Step::Insert
            && let Some(r) = self.may_edit(used, in_region, j)
        {
            self.step(node, out, j + 1, used + 1, r, Step::Delete);
        }
        // Swap query[j] and query[j + 1].
        if j + 1 < n
            && !same(self.query[j], self.query[j + 1])
            && let Some(r) = self.may_edit(used, in_region, j)
        {
            if let Some((nd, o)) = self.follow(node, out, self.query[j + 1])
                && let Some((nd, o)) = self.follow(nd, o, self.query[j])
            {
                self.step(nd, o, j + 2, used + 1, r, Step::Other);
            }
            self.key.truncate(len);
        }
        // Insert a character before query[j], or put one in its place.
        if let Some(r) = self.may_edit(used, in_region, j) {
            let insert = last != Step::Delete;
            let substitute = j < n;
            if insert || substitute {
                self.each_char(node, out, 0, j, used + 1, r, insert, substitute);
            }
        }
    }

    /// Reads one whole character below `node` (`width` bytes, of which `have` are read),
    /// then goes on with an insertion before, or a substitution of, query[j].
    #[allow(clippy::too_many_arguments)]
    fn each_char(
        &mut self,
        node: Node<'f>,
        out: Output,
        have: usize,
        j: usize,
        used: u8,
        in_region: u8,
        insert: bool,
        substitute: bool,
    ) {
        let len = self.key.len();
        let start = len - have;
        for i in 0..node.len() {
            let t = node.transition(i);
            let width = if have == 0 {
                char_width(t.inp)
            } else {
                // A continuation byte of the character being read.
                if t.inp & 0xc0 != 0x80 {
                    continue;
                }
                self.key[start..len].first().map_or(0, |&b| char_width(b))
            };
            if width == 0 {
                continue;
            }
            self.key.push(t.inp);
            let child = self.fst.node(t.addr);
            let o = out.cat(t.out);
            if have + 1 < width {
                self.each_char(child, o, have + 1, j, used, in_region, insert, substitute);
            } else {
                let c = &self.key[start..];
                // Inserting query[j] before query[j] spells what keeping it and inserting
                // it after does; only the latter is walked.
                let kept = self.query.get(j).is_some_and(|q| same(q, c));
                if insert && !kept {
                    self.step(child, o, j, used, in_region, Step::Insert);
                }
                if substitute && !kept {
                    self.step(child, o, j + 1, used, in_region, Step::Other);
                }
            }
            self.key.truncate(len);
        }
    }
}

/// Follows `bytes` from `node` in `fst`, pushing them onto `key`.
#[inline]
fn follow<'f, D: AsRef<[u8]>>(
    fst: &'f Fst<D>,
    key: &mut Vec<u8>,
    mut node: Node<'f>,
    mut out: Output,
    bytes: &[u8],
) -> Option<(Node<'f>, Output)> {
    for &b in bytes {
        let i = node.find_input(b)?;
        let t = node.transition(i);
        out = out.cat(t.out);
        node = fst.node(t.addr);
        key.push(b);
    }
    Some((node, out))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::Walk;

    /// Optimal string alignment distance over characters, the textbook way.
    fn osa(a: &[char], b: &[char]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[a.len()][b.len()]
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn word(&mut self, alphabet: &[char], max_len: usize) -> String {
            (0..self.below(max_len + 1))
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }
    }

    fn chars(s: &str) -> Vec<&[u8]> {
        s.char_indices()
            .map(|(i, c)| &s.as_bytes()[i..i + c.len_utf8()])
            .collect()
    }

    /// Least cost per key over the walks given as (query, max, region, region_max,
    /// reversed), on the fst of `words` and of `words` spelt backwards.
    fn walks(
        words: &[String],
        query: &str,
        plan: &[(u8, usize, u8, bool)],
    ) -> BTreeMap<String, u8> {
        let forward = fst::Map::from_iter(words.iter().map(|w| (w.as_str(), 0))).unwrap();
        let mut back: Vec<String> = words.iter().map(|w| w.chars().rev().collect()).collect();
        back.sort();
        let backward = fst::Map::from_iter(back.iter().map(|w| (w.as_str(), 0))).unwrap();
        let q: Vec<&[u8]> = chars(query);
        let rq: Vec<&[u8]> = q.iter().rev().copied().collect();
        let mut found = BTreeMap::new();
        for &(max, region, region_max, reversed) in plan {
            let (map, q) = if reversed {
                (&backward, &rq)
            } else {
                (&forward, &q)
            };
            Walk::run(
                map.as_fst(),
                q,
                max,
                region,
                region_max,
                |k: &[u8], d: u8, _| {
                    let k = std::str::from_utf8(k).unwrap();
                    let k: String = if reversed {
                        k.chars().rev().collect()
                    } else {
                        k.to_owned()
                    };
                    let e = found.entry(k).or_insert(d);
                    *e = (*e).min(d);
                },
            );
        }
        found
    }

    #[test]
    fn walks_find_exactly_the_keys_within_the_distance_multibyte_included() {
        // Few, partly multi-byte characters, so that near keys abound.
        let alphabet = ['a', 'b', 'c', 'é', '€', '😀'];
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for round in 0..40 {
            let mut words: Vec<String> = (0..200).map(|_| rng.word(&alphabet, 7)).collect();
            words.sort();
            words.dedup();
            for _ in 0..25 {
                let query = rng.word(&alphabet, 8);
                let qc: Vec<char> = query.chars().collect();
                let n = qc.len();
                let want = |max: usize| -> BTreeMap<String, u8> {
                    words
                        .iter()
                        .filter_map(|w| {
                            let d = osa(&qc, &w.chars().collect::<Vec<_>>());
                            (d <= max).then(|| (w.clone(), d as u8))
                        })
                        .collect()
                };
                let ctx = format!("round {round}, query {query:?}");
                assert_eq!(
                    walks(&words, &query, &[(1, 0, 1, false)]),
                    want(1),
                    "{ctx}, distance 1"
                );
                assert_eq!(
                    walks(&words, &query, &[(2, 0, 2, false)]),
                    want(2),
                    "{ctx}, distance 2"
                );
                for half in [n / 2, n.div_ceil(2), 0, n] {
                    let split = [(2, half, 1, false), (2, n - half, 1, true)];
                    assert_eq!(
                        walks(&words, &query, &split),
                        want(2),
                        "{ctx}, halves at {half}"
                    );
                }
            }
        }
    }
}
