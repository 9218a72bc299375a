//! Edit distance between two flat names, the one-edit operation that turns one into the
//! other, and a bigram signature that rules out most far-apart pairs in a few instructions.

use super::forms::confusable;

/// The single edit that turns a popular name into a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edit {
    /// Two adjacent characters swapped.
    Transposition,
    /// One character dropped.
    Omission,
    /// One character typed twice.
    Repetition,
    /// One character added (not a repeat of a neighbour).
    Insertion,
    /// One character replaced by a look-alike (`l`/`1`/`i`, `0`/`o`).
    Homoglyph,
    /// One character replaced by another.
    Substitution,
}

/// Optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions,
/// each substring edited once) between `a` and `b`, or `None` when it exceeds `max`.
pub(crate) fn osa(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let m = b.len();
    // Three rolling rows (i-2, i-1, i), on the stack for names of ordinary length.
    let mut stack = [0usize; 3 * 65];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if m < 65 {
        &mut stack[..3 * (m + 1)]
    } else {
        heap.resize(3 * (m + 1), 0);
        &mut heap
    };
    let (mut r2, mut r1, mut r0) = (0, m + 1, 2 * (m + 1));
    for j in 0..=m {
        rows[r1 + j] = j;
    }
    for i in 1..=a.len() {
        rows[r0] = i;
        let mut row_min = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[r1 + j] + 1)
                .min(rows[r0 + j - 1] + 1)
                .min(rows[r1 + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[r2 + j - 2] + 1);
            }
            rows[r0 + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        (r2, r1, r0) = (r1, r0, r2);
    }
    let d = rows[r1 + m];
    (d <= max).then_some(d)
}

/// The edit that turns `target` into `candidate` when they are exactly one edit apart.
#[cfg(test)]
pub(crate) fn one_edit(candidate: &[u8], target: &[u8]) -> Option<Edit> {
    one_edit_at(candidate, target).map(|(edit, _)| edit)
}

/// [`one_edit`] with the offset of the edit in `candidate` (for an omission, where the
/// dropped character was).
pub(crate) fn one_edit_at(candidate: &[u8], target: &[u8]) -> Option<(Edit, usize)> {
    let (c, t) = (candidate, target);
    let common_prefix = c.iter().zip(t).take_while(|(x, y)| x == y).count();
    let i = common_prefix;
    if c.len() == t.len() + 1 {
        // `c[i]` was inserted.
        if c[i + 1..] != t[i..] {
            return None;
        }
        let repeat = (i > 0 && c[i - 1] == c[i]) || c.get(i + 1) == Some(&c[i]);
        let edit = if repeat {
            Edit::Repetition
        } else {
            Edit::Insertion
        };
        return Some((edit, i));
    }
    if c.len() + 1 == t.len() {
        return (c[i..] == t[i + 1..]).then_some((Edit::Omission, i));
    }
    if c.len() != t.len() || i == c.len() {
        return None;
    }
    if c[i + 1..] == t[i + 1..] {
        let edit = if confusable(c[i], t[i]) {
            Edit::Homoglyph
        } else {
            Edit::Substitution
        };
        return Some((edit, i));
    }
    if i + 1 < c.len() && c[i] == t[i + 1] && c[i + 1] == t[i] && c[i + 2..] == t[i + 2..] {
        return Some((Edit::Transposition, i));
    }
    None
}

/// Whether a one-character edit at `at` in `candidate` (of `target`) is a slip that
/// people make: neighbouring keys, a vowel for a vowel or next to a vowel (`colourama`),
/// a dropped final character of a long name (`urllib`). A digit for a digit is a version
/// (`elasticsearch7`), which families publish on purpose.
/// An added or dropped first character, or an unrelated letter, reads as another word
/// (`demoji`, `parsl`), which legitimate projects choose on purpose.
pub(crate) fn is_slip(edit: Edit, candidate: &[u8], target: &[u8], at: usize) -> bool {
    let vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u');
    match edit {
        Edit::Transposition | Edit::Repetition | Edit::Homoglyph => true,
        Edit::Substitution => {
            let (a, b) = (candidate[at], target[at]);
            // Not a digit for a digit: `elasticsearch7`, `cupy-cuda11x` are versions.
            keyboard_neighbours(a, b) && !(a.is_ascii_digit() && b.is_ascii_digit())
                || (vowel(a) && vowel(b))
        }
        Edit::Insertion => {
            let x = candidate[at];
            let near = |n: Option<&u8>| {
                n.is_some_and(|&n| keyboard_neighbours(x, n) || (vowel(x) && vowel(n)))
            };
            at > 0
                && at + 1 < candidate.len()
                && (near(candidate.get(at - 1)) || near(candidate.get(at + 1)))
        }
        Edit::Omission => at > 0 && (at < candidate.len() || target.len() >= 7),
    }
}

/// True for two different keys next to each other on a QWERTY keyboard.
pub(crate) fn keyboard_neighbours(a: u8, b: u8) -> bool {
    const ROWS: [(&[u8], f32); 4] = [
        (b"1234567890", 0.0),
        (b"qwertyuiop", 0.5),
        (b"asdfghjkl", 0.75),
        (b"zxcvbnm", 1.25),
    ];
    let pos = |c: u8| {
        ROWS.iter().enumerate().find_map(|(r, (keys, off))| {
            keys.iter()
                .position(|&k| k == c)
                .map(|x| (r as f32, x as f32 + off))
        })
    };
    match (pos(a), pos(b)) {
        (Some((ra, xa)), Some((rb, xb))) => {
            a != b && (ra - rb).abs() <= 1.0 && (xa - xb).abs() <= 1.0
        }
        _ => false,
    }
}

/// A filter on edit distance: the set of characters and the 256-bit set of hashed bigrams
/// of a flat name, with its two ends marked. One edit removes at most one distinct
/// character and three distinct bigrams of a name (a transposition `xaby`→`xbay` removes
/// `xa`, `ab`, `by`), so each name of a pair `d` edits apart has at most `d` characters and
/// `3 d` bigrams the other lacks. Hash collisions only hide differences, never add any.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Signature {
    chars: u64,
    bigrams: [u64; 4],
}

impl Signature {
    pub(crate) fn of(flat: &[u8]) -> Signature {
        let mut s = Signature::default();
        let mut prev = 0u8; // start marker
        for &b in flat.iter().chain(std::iter::once(&1u8)) {
            if b != 1 {
                s.chars |= 1 << (b & 63);
            }
            let h = (u32::from(prev).wrapping_mul(31) ^ u32::from(b).wrapping_mul(0x9e37))
                .wrapping_mul(0x2c1b_3c6d)
                >> 24;
            s.bigrams[(h >> 6) as usize & 3] |= 1 << (h & 63);
            prev = b;
        }
        s
    }

    /// False when the two names are certainly more than `d` edits apart.
    pub(crate) fn may_be_within(&self, other: &Signature, d: u32) -> bool {
        if (self.chars & !other.chars).count_ones() > d
            || (other.chars & !self.chars).count_ones() > d
        {
            return false;
        }
        let (mut a, mut b) = (0, 0);
        for (x, y) in self.bigrams.iter().zip(other.bigrams) {
            a += (x & !y).count_ones();
            b += (y & !x).count_ones();
        }
        a <= 3 * d && b <= 3 * d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(osa(b"requests", b"reqeusts", 2), Some(1));
        assert_eq!(osa(b"requests", b"requests", 2), Some(0));
        assert_eq!(osa(b"colorama", b"colourama", 2), Some(1));
        assert_eq!(osa(b"numpy", b"nmupyy", 2), Some(2));
        assert_eq!(osa(b"flask", b"django", 2), None);
        assert_eq!(osa(b"", b"ab", 2), Some(2));
        assert_eq!(osa(b"abcdef", b"a", 2), None);
    }

    #[test]
    fn edits() {
        assert_eq!(
            one_edit(b"reqeusts", b"requests"),
            Some(Edit::Transposition)
        );
        assert_eq!(
            one_edit(b"electorn", b"electron"),
            Some(Edit::Transposition)
        );
        assert_eq!(one_edit(b"requestss", b"requests"), Some(Edit::Repetition));
        assert_eq!(one_edit(b"colourama", b"colorama"), Some(Edit::Insertion));
        assert_eq!(one_edit(b"mongose", b"mongoose"), Some(Edit::Omission));
        assert_eq!(one_edit(b"jeilyfish", b"jellyfish"), Some(Edit::Homoglyph));
        assert_eq!(one_edit(b"urllib4", b"urllib3"), Some(Edit::Substitution));
        assert_eq!(one_edit(b"requests", b"requests"), None);
        assert_eq!(one_edit(b"abcd", b"dcba"), None);
        assert_eq!(one_edit(b"ab", b"abcd"), None);
    }

    #[test]
    fn slips() {
        let slip = |c: &[u8], t: &[u8]| {
            let (edit, at) = one_edit_at(c, t).unwrap();
            is_slip(edit, c, t, at)
        };
        assert!(slip(b"colourama", b"colorama"));
        assert!(slip(b"djanga", b"django"));
        assert!(!slip(b"urllib4", b"urllib3"), "a version number");
        assert!(slip(b"urllib", b"urllib3"));
        assert!(slip(b"mongose", b"mongoose"));
        assert!(!slip(b"demoji", b"emoji"), "a letter put before a word");
        assert!(slip(b"cronitor", b"croniter"), "a vowel for a vowel");
        assert!(!slip(b"cdflib", b"rdflib"), "unrelated letters");
        assert!(!slip(b"pydo", b"pydot"), "short name cut short");
        assert!(keyboard_neighbours(b'e', b'r') && keyboard_neighbours(b'a', b'z'));
        assert!(!keyboard_neighbours(b'a', b'p') && !keyboard_neighbours(b'a', b'a'));
    }

    #[test]
    fn signature_bounds_the_distance() {
        let pairs: [(&[u8], &[u8], u32); 4] = [
            (b"requests", b"reqeusts", 1),
            (b"tensorflow", b"tensourflow", 1),
            (b"numpy", b"nmupyy", 2),
            (b"a", b"b", 1),
        ];
        for (a, b, d) in pairs {
            assert!(
                Signature::of(a).may_be_within(&Signature::of(b), d),
                "{:?} {:?}",
                a,
                b
            );
        }
        assert!(!Signature::of(b"requests").may_be_within(&Signature::of(b"matplotlib"), 2));
        assert!(!Signature::of(b"requests").may_be_within(&Signature::of(b"reqeustsxy"), 1));
    }
}
