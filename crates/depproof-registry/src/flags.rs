//! Flags derived, when an index is built, from a package's latest version and summary.
//!
//! The rules are plain ASCII-lowercase substring tests over the summary, tuned on the PyPI and
//! npm registry snapshots. A flag is shown to users as a warning about a real package, so every
//! rule prefers precision to recall: a word like "placeholder", "reserved", "research" or
//! "dependency confusion" only counts in a context that says the package itself is a stub, a
//! name reservation or a probe, not a library that deals with such things.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};

/// Bit set of facts about a package that the snapshot records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u16);

impl Flags {
    /// An empty or name-reserving release: `0.0.0`, or a summary saying "placeholder",
    /// "name reserved", "coming soon" and the like.
    pub const PLACEHOLDER: Flags = Flags(1 << 0);
    /// npm replaced the package after a malware takedown (`0.0.1-security`,
    /// "security holding package").
    pub const SECURITY_HOLDING: Flags = Flags(1 << 1);
    /// Registered to stop (or to demonstrate) dependency confusion against an internal name.
    pub const DEPENDENCY_CONFUSION: Flags = Flags(1 << 2);
    /// Registered by researchers, e.g. to measure slopsquatting or typosquatting.
    pub const RESEARCH: Flags = Flags(1 << 3);

    /// No flag.
    pub const EMPTY: Flags = Flags(0);

    /// Every flag with its stable lowercase identifier, in bit order.
    pub const ALL: [(Flags, &'static str); 4] = [
        (Flags::PLACEHOLDER, "placeholder"),
        (Flags::SECURITY_HOLDING, "security-holding"),
        (Flags::DEPENDENCY_CONFUSION, "dependency-confusion"),
        (Flags::RESEARCH, "research"),
    ];

    /// The flags whose bits are set in `bits`; unknown bits are kept as they are.
    pub const fn from_bits(bits: u16) -> Flags {
        Flags(bits)
    }

    /// The raw bits, as stored in the index.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// True if no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True if every flag of `other` is set in `self`.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if `self` and `other` share a flag.
    pub const fn intersects(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }

    /// The flags set in `self` or in `other`.
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }

    /// The set flags, one at a time, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Flags> {
        Flags::ALL
            .into_iter()
            .filter(move |&(flag, _)| self.contains(flag))
            .map(|(flag, _)| flag)
    }

    /// The stable lowercase identifiers (`placeholder`, `security-holding`,
    /// `dependency-confusion`, `research`) of the set flags, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Flags::ALL
            .into_iter()
            .filter(move |&(flag, _)| self.contains(flag))
            .map(|(_, name)| name)
    }

    /// The identifier of a single flag, `None` for an empty or combined set.
    pub fn name(self) -> Option<&'static str> {
        Flags::ALL
            .into_iter()
            .find(|&(flag, _)| flag == self)
            .map(|(_, name)| name)
    }

    /// The flag with identifier `name`.
    pub fn from_name(name: &str) -> Option<Flags> {
        Flags::ALL
            .into_iter()
            .find(|&(_, n)| n == name)
            .map(|(flag, _)| flag)
    }
}

impl BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

impl BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.insert(rhs);
    }
}

impl BitAnd for Flags {
    type Output = Flags;
    fn bitand(self, rhs: Flags) -> Flags {
        Flags(self.0 & rhs.0)
    }
}

/// The identifiers joined by `,` (empty for no flag).
impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

/// Derives the flags of one package from its latest version and its authors' summary.
pub fn derive(version: &str, summary: &str) -> Flags {
    let mut flags = Flags::EMPTY;
    if is_security_version(version) {
        flags |= Flags::SECURITY_HOLDING;
    }
    let summary = summary.trim();
    if is_zero_version(version) && is_trivial(core(summary.as_bytes())) {
        flags |= Flags::PLACEHOLDER;
    }
    let mask = anchors(summary.as_bytes());
    if mask == 0 {
        return flags;
    }
    let lower = summary.to_ascii_lowercase();
    let text = Text { s: &lower, mask };

    if text.on(SECURITY) && text.has("security holding") {
        flags |= Flags::SECURITY_HOLDING;
    }
    let placeholder = is_placeholder(&text);
    if placeholder {
        flags |= Flags::PLACEHOLDER;
    }
    if is_dependency_confusion(&text, placeholder) {
        flags |= Flags::DEPENDENCY_CONFUSION;
    }
    if is_research(&text) {
        flags |= Flags::RESEARCH;
    }
    flags
}

/// npm's takedown version: `0.0.1-security`, `0.0.1-security.1`, `1.0.0-security`.
fn is_security_version(version: &str) -> bool {
    match version.find("-security") {
        Some(i) => {
            let rest = &version.as_bytes()[i + "-security".len()..];
            rest.is_empty() || rest[0] == b'.'
        }
        None => false,
    }
}

/// `0`, `0.0`, `0.0.0`, `0.0.0.0`, and the `0.0.0.dev0` / `0.0.0a0` that PEP 440 tools
/// produce for an unversioned project; not npm's `0.0.0-canary.1` builds.
fn is_zero_version(version: &str) -> bool {
    let v = version.trim().as_bytes();
    if v.first() != Some(&b'0') {
        return false;
    }
    let release = v.iter().take_while(|&&b| b == b'0' || b == b'.').count();
    let rest = &v[release..];
    if v[..release].ends_with(b".") {
        return rest == b"dev0";
    }
    matches!(rest, b"" | b"a0" | b"dev0")
}

/// Summaries that say nothing (empty, a packaging template's default, "UNKNOWN"), ignoring
/// ASCII case.
fn is_trivial(core: &[u8]) -> bool {
    const TRIVIAL: &[&[u8]] = &[
        b"",
        b"unknown",
        b"null",
        b"none",
        b"n/a",
        b"na",
        b"todo",
        b"tbd",
        b"wip",
        b"test",
        b"foo",
        b"bar",
        b"description",
        b"placeholder",
        b"placeholder description",
        b"add your description here",
        b"add a short description here",
        b"my package description",
        b"package description",
        b"short description",
        b"a short description",
        b"a small example package",
        b"a sample python project",
        b"a python package",
        b"a new package",
    ];
    TRIVIAL.iter().any(|t| t.eq_ignore_ascii_case(core))
}

/// The text without leading and trailing ASCII spaces and punctuation (quotes, brackets,
/// final full stop); other scripts and emoji are kept.
fn core(s: &[u8]) -> &[u8] {
    let strip = |b: &u8| b.is_ascii() && !b.is_ascii_alphanumeric();
    let start = s.iter().position(|b| !strip(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !strip(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

// Stems that the rules need, found in one pass over the word starts of the summary, so that
// the ~98% of summaries without any of them cost a single scan.
const PLACE: u32 = 1 << 0;
const RESERV: u32 = 1 << 1;
const HOLD: u32 = 1 << 2;
const SOON: u32 = 1 << 3;
const DUMMY: u32 = 1 << 4;
const EMPTY: u32 = 1 << 5;
const SQUAT: u32 = 1 << 6;
const CONFUSION: u32 = 1 << 7;
const TAKEOVER: u32 = 1 << 8;
const RESEARCH: u32 = 1 << 9;
const BOUNTY: u32 = 1 << 10;
const BENIGN: u32 = 1 << 11;
const PENTEST: u32 = 1 << 12;
const HALLUCINATION: u32 = 1 << 13;
const SECURITY: u32 = 1 << 14;

/// The anchor bits of the stems that start a word of `s`, ignoring ASCII case.
fn anchors(s: &[u8]) -> u32 {
    let mut mask = 0;
    let mut prev_alnum = false;
    for (i, &b) in s.iter().enumerate() {
        let word_start = !prev_alnum;
        prev_alnum = b.is_ascii_alphanumeric();
        if !word_start {
            continue;
        }
        let rest = &s[i..];
        let hit = |stems: &[(&str, u32)]| {
            stems
                .iter()
                .filter(|(stem, _)| {
                    rest.len() >= stem.len()
                        && rest[..stem.len()].eq_ignore_ascii_case(stem.as_bytes())
                })
                .fold(0, |m, &(_, bit)| m | bit)
        };
        mask |= match b.to_ascii_lowercase() {
            b'p' => hit(&[
                ("placeh", PLACE),
                ("placho", PLACE),
                ("place h", PLACE),
                ("parked", HOLD),
                ("pentest", PENTEST),
                ("penetration", PENTEST),
            ]),
            b'r' => hit(&[
                ("reserv", RESERV),
                ("research", RESEARCH),
                ("real package", EMPTY),
            ]),
            b'h' => hit(&[
                ("held", HOLD),
                ("holds th", HOLD),
                ("hold th", HOLD),
                ("holding th", HOLD),
                ("holding pa", HOLD),
                ("hackerone", BOUNTY),
                ("harmless", BENIGN),
                ("hallucination", HALLUCINATION),
            ]),
            b's' => hit(&[
                ("soon", SOON),
                ("squat", SQUAT),
                ("slopsquat", SQUAT),
                ("security h", SECURITY),
                ("security re", SECURITY),
            ]),
            b't' => hit(&[
                ("takeover", TAKEOVER),
                ("typosquat", SQUAT),
                ("typesquat", SQUAT),
            ]),
            b'd' => hit(&[("dummy", DUMMY)]),
            b'e' => hit(&[("empty", EMPTY)]),
            b'n' => hit(&[
                ("nothing", EMPTY),
                ("no code", EMPTY),
                ("no func", EMPTY),
                ("no implementation", EMPTY),
                ("no public api", EMPTY),
            ]),
            b'b' => hit(&[
                ("blank", EMPTY),
                ("bounty", BOUNTY),
                ("bugbounty", BOUNTY),
                ("bugcrowd", BOUNTY),
                ("benign", BENIGN),
                ("bitsquat", SQUAT),
            ]),
            b'a' => hit(&[("a functional", EMPTY), ("a usable", EMPTY)]),
            b'c' => hit(&[("confusion", CONFUSION)]),
            b'i' => hit(&[("intigriti", BOUNTY)]),
            _ => 0,
        };
    }
    mask
}

/// A lowercased summary with the searches the rules need.
struct Text<'a> {
    s: &'a str,
    /// The [`anchors`] of `s`.
    mask: u32,
}

impl<'a> Text<'a> {
    /// True if one of the stems of `anchors` occurs.
    fn on(&self, anchors: u32) -> bool {
        self.mask & anchors != 0
    }

    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn has(&self, pat: &str) -> bool {
        self.s.contains(pat)
    }

    fn any(&self, pats: &[&str]) -> bool {
        pats.iter().any(|p| self.s.contains(p))
    }

    /// True if one of `pats` occurs at the start of a word ("reserve the name", not
    /// "preserve the names").
    fn any_word(&self, pats: &[&str]) -> bool {
        let s = self.bytes();
        pats.iter().any(|p| {
            self.s
                .match_indices(p)
                .any(|(i, _)| i == 0 || !s[i - 1].is_ascii_alphanumeric())
        })
    }

    /// Byte offsets of the occurrences of `pat`.
    fn find_all(&self, pat: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.s.match_indices(pat).map(|(i, _)| i)
    }

    /// True if `pat` occurs as a whole word (no letter or digit on either side).
    fn has_word(&self, pat: &str) -> bool {
        let s = self.bytes();
        self.s.match_indices(pat).any(|(i, _)| {
            let end = i + pat.len();
            (i == 0 || !s[i - 1].is_ascii_alphanumeric())
                && (end == s.len() || !s[end].is_ascii_alphanumeric())
        })
    }

    /// True if the text, without leading symbols, starts with `pat` as a whole word that is
    /// followed by the end of a clause or by one of `next`.
    fn starts_with(&self, pat: &str, next: &[&str]) -> bool {
        let s = self.bytes();
        let start = s
            .iter()
            .position(|b| b.is_ascii_alphanumeric())
            .unwrap_or(s.len());
        s[start..].starts_with(pat.as_bytes()) && followed_by(s, start + pat.len(), next)
    }

    /// True if `pat` occurs as a whole word at the start of a clause (see [`clause_start`])
    /// and is followed by the end of a clause or by one of `next`.
    fn clause(&self, pat: &str, next: &[&str]) -> bool {
        let s = self.bytes();
        self.s
            .match_indices(pat)
            .any(|(i, _)| clause_start(s, i) && followed_by(s, i + pat.len(), next))
    }

    /// True if `pat` occurs as a whole word that is followed by the end of a clause or by one
    /// of `next`.
    fn word_then(&self, pat: &str, next: &[&str]) -> bool {
        let s = self.bytes();
        self.s.match_indices(pat).any(|(i, _)| {
            (i == 0 || !is_word_byte(s[i - 1])) && followed_by(s, i + pat.len(), next)
        })
    }

    /// True if `a` occurs at the start of a word and `b` starts at most `window` bytes after
    /// the end of `a`.
    fn near(&self, a: &'a str, b: &str, window: usize) -> bool {
        let s = self.s;
        let bytes = self.bytes();
        self.find_all(a).any(|i| {
            if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
                return false;
            }
            let from = i + a.len();
            let to = floor_char_boundary(s, (from + window + b.len()).min(s.len()));
            s[from..to].contains(b)
        })
    }
}

/// The largest char boundary of `s` at or before `i`.
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Letters, digits and the joiners of compound names (`jquery.placeholder`,
/// `milkdown-plugin-placeholder`, `my_placeholder`).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True if offset `i` starts a clause: the start of the text, an opening bracket or quote, or
/// a punctuation mark or dash followed by a space.
fn clause_start(s: &[u8], i: usize) -> bool {
    let mut j = i;
    let mut space = false;
    while j > 0 && s[j - 1] == b' ' {
        j -= 1;
        space = true;
    }
    if j == 0 {
        return true;
    }
    match s[j - 1] {
        b'(' | b'[' | b'"' | b'*' => true,
        b'.' | b':' | b';' | b'!' | b'?' | b'-' | b'|' | b'/' => space,
        // The last byte of an em or en dash, or of an emoji.
        b if b >= 0x80 => space,
        _ => false,
    }
}

/// True if the word that ends at `e` ends its clause (end of text, closing bracket,
/// punctuation followed by a space or the end, a spaced dash) or is followed by one of `next`
/// as a whole word.
fn followed_by(s: &[u8], e: usize, next: &[&str]) -> bool {
    if e == s.len() {
        return true;
    }
    let c = s[e];
    if is_word_byte(c) {
        return false;
    }
    match c {
        b')' | b']' | b'"' | b'*' => return true,
        b'.' | b',' | b';' | b':' | b'!' | b'?' | b'-' | b'/' => {
            let after = s.get(e + 1).copied();
            return after.is_none_or(|a| a == b' ' || a == c || a == b'"');
        }
        b' ' => {}
        _ => return false,
    }
    let mut j = e;
    while j < s.len() && s[j] == b' ' {
        j += 1;
    }
    if j == s.len() {
        return true;
    }
    match s[j] {
        // A spaced dash, colon or bracket: "placeholder - see", "placeholder — see".
        b'-' | b'(' | b'|' | b':' | b'[' => return true,
        b if b >= 0x80 => return true,
        _ => {}
    }
    let rest = &s[j..];
    next.iter().any(|w| {
        rest.starts_with(w.as_bytes())
            && rest
                .get(w.len())
                .is_none_or(|&b| !b.is_ascii_alphanumeric())
    })
}

/// Words that may follow "placeholder" when it names the package itself.
const PLACEHOLDER_NEXT: &[&str] = &[
    "for",
    "to",
    "package",
    "packages",
    "release",
    "project",
    "repo",
    "repository",
    "distribution",
    "name",
    "namespace",
    "that",
    "which",
    "claim",
    "reserving",
    "reserved",
    "reservation",
    "holding",
    "until",
    "while",
    "app",
    "dummy",
    "stub",
    "stubs",
    "bootstrap",
    "only",
    "version",
    "python",
    "pypi",
    "sdk",
    "by",
    "installs",
    "contains",
    "does",
    "alias",
    "held",
    "reserve",
    "registered",
    "pending",
    "pre-release",
    "alpha",
];

/// Words that may precede "placeholder" when it names the package itself.
const PLACEHOLDER_BEFORE: &[&str] = &[
    "name placeholder",
    "name-placeholder",
    "namespace placeholder",
    "reserved placeholder",
    "reservation placeholder",
    "defensive placeholder",
    "temporary placeholder",
    "security placeholder",
    "safety placeholder",
    "research placeholder",
    "version placeholder",
    "pypi placeholder",
    "package placeholder",
    "project placeholder",
    "release placeholder",
    "confusion placeholder",
    "squatting placeholder",
    "brand-reserved placeholder",
    "redirect placeholder",
    "deprecated placeholder",
    "early placeholder",
    "preview placeholder",
    "pre-alpha placeholder",
    "pre-release placeholder",
    "pre-public placeholder",
    "candidate placeholder",
    "official placeholder",
    "non-functional placeholder",
    "clean placeholder",
    "defensive-hold placeholder",
    "name-hold placeholder",
    "distribution placeholder",
    "umbrella placeholder",
    "wip placeholder",
    "minimal placeholder",
    "dummy placeholder",
    "hello world placeholder",
    "wheel placeholder",
    "cli placeholder",
    "sdk placeholder",
    "pip placeholder",
    "placeholder reservation",
    "placeholder python package",
    "this placeholder",
    "is a placeholder",
    "is just a placeholder",
    "is only a placeholder",
    "is merely a placeholder",
    "just a placeholder",
    "only a placeholder",
    "as a placeholder",
    "simply a placeholder",
    "currently a placeholder",
    "a placeholder package",
    "placeholder package",
    "placeholder release",
    "placeholder project",
    "placeholder distribution",
    "placeholder version",
    "placeholder repo",
    "placeholder name",
    "placeholder to reserve",
    "placeholder to prevent",
    "placeholder to protect",
    "placeholder to avoid",
    "placeholder to hold",
    "placeholder to block",
    "placeholder to claim",
    "placeholder to mitigate",
    "placeholder to help",
    "placeholder to shadow",
    "placeholder in public",
    "placeholder to redirect",
    "placeholder that reserves",
    "placeholder that raises",
    "placeholder that installs",
    "placeholder reserving",
    "placeholder holding",
    "placeholder reserved",
    "placeholder for future",
    "placeholder for the upcoming",
    "placeholder for upcoming",
    "placeholder for an upcoming",
    "placeholder for a future",
    "placeholder for internal",
    "placeholder for an internal",
    "placeholder for the private",
    "placeholder for a private",
    "placeholder until",
    "placeholder only",
    "placeholder claim",
];

/// Words that make a summary about squatting or dependency confusion describe a tool that
/// detects it rather than a package registered because of it.
const TOOL_WORDS: &[&str] = &[
    "suite",
    "scanner",
    "scanning",
    "scan ",
    "scans ",
    "detect",
    "hunter",
    "audit",
    "recon",
    "generator",
    "checks",
    "check ",
    "check if",
    "checker",
    "find ",
    "finder",
    "exposure",
    "firewall",
    "monitor",
    "analy",
    "catch",
    "guardrail",
    " tool",
    "toolkit",
    "verify",
    "validat",
    "framework",
    "cli ",
    "library for",
    "plugin",
];

fn is_placeholder(t: &Text<'_>) -> bool {
    if core(t.bytes()).starts_with(b"not a placeholder") {
        return false;
    }
    placeholder_word(t)
        || reserved(t)
        || held(t)
        || coming_soon(t)
        || dummy(t)
        || empty(t)
        || squat_defence(t)
        || (t.on(BENIGN) && t.any(&["harmless package to prevent", "benign placeholder"]))
}

/// "placeholder" naming the package itself, not a template or UI placeholder.
fn placeholder_word(t: &Text<'_>) -> bool {
    if !t.on(PLACE) {
        return false;
    }
    // Misspellings are only ever the package's own word ("Placholder for futur use"), but
    // "replacing place holders in text files" is a template engine.
    if t.has_word("placholder") || t.has_word("place holder") {
        return true;
    }
    // "A placeholder for code that needs to be implemented": a stub-raising utility.
    if t.any(&[
        "placeholder for code",
        "placeholder for missing",
        "placeholder for image",
        "placeholder for text",
        "placeholder for drag",
        "placeholder for empty",
        "placeholder for content",
        "placeholder for values",
        "placeholder for variables",
    ]) {
        return false;
    }
    if t.starts_with("placeholder", PLACEHOLDER_NEXT)
        || t.starts_with("a placeholder", PLACEHOLDER_NEXT)
        || t.clause("placeholder", PLACEHOLDER_NEXT)
    {
        return true;
    }
    // A bare "Sustools placeholder" is left out: npm's "OE placeholder" is a UI component.
    let s = t.bytes();
    PLACEHOLDER_BEFORE.iter().any(|p| {
        t.s.match_indices(p).any(|(i, _)| {
            let e = i + p.len();
            (i == 0 || !is_word_byte(s[i - 1])) && (e == s.len() || !is_word_byte(s[e]))
        })
    })
}

/// Name reservations: "reserved name", "name reserved for", "Reserved.", "reserving the name".
fn reserved(t: &Text<'_>) -> bool {
    if !t.on(RESERV) {
        return false;
    }
    const PHRASES: &[&str] = &[
        "name reserv",
        "name-reserv",
        "names reserv",
        "reserved name",
        "reserved-name",
        "reserved package",
        "reserved pypi",
        "reserved npm",
        "reserved namespace",
        "reserved-namespace",
        "reserved project name",
        "reserved python package",
        "reserved python sdk",
        "reserved python cli",
        "reserved distribution",
        "reserved alias",
        "reserved dummy",
        "reserved placeholder",
        "reserved for future",
        "reserved for a future",
        "reserved for private use",
        "reserved for internal",
        "reserved for security reasons",
        "reserved for an internal",
        "reserved for the official",
        "namespace reserv",
        "package reserved",
        "project reserved",
        "package name is reserved",
        "package is reserved",
        "name is reserved",
        "name has been reserved",
        "package has been reserved",
        "its name is reserved",
        "reserve the name",
        "reserve this name",
        "reserve the package name",
        "reserve the project name",
        "reserve the pypi",
        "reserve the npm",
        "reserve the namespace",
        "reserve name",
        "reserve package name",
        "reserve project name",
        "reserve its name",
        "reserves the name",
        "reserves this name",
        "reserves the pypi",
        "reserving the name",
        "reserving this name",
        "reserving the package",
        "reserving the project",
        "reserving the pypi",
        "reserving the namespace",
        "reserving package name",
        "reserving the package name",
        "reservation package",
        "institutional reservation",
        "defensive registration",
        "defensive name",
        "reserving this package",
        "nombre reservado",
        "reserva de nome",
        "reservierter name",
    ];
    // "check if a user or organization name is reserved by GitHub", "list of reserved names".
    if t.any(&["check if", "whether", "list of", "get a list"]) {
        return false;
    }
    if t.any_word(PHRASES) {
        return true;
    }
    // "Reserving the ManyIrons name", "reserves the wordflows name on PyPI".
    if ["reserving ", "reserves the ", "reserve the "]
        .iter()
        .any(|a| t.near(a, " name", 30))
    {
        return true;
    }
    const NEXT: &[&str] = &[
        "for",
        "by",
        "package",
        "name",
        "namespace",
        "python",
        "pypi",
        "project",
        "to",
        "until",
        "on",
    ];
    t.starts_with("reserved", NEXT) || t.clause("reserved", NEXT) || t.word_then("(reserved", &[])
}

/// "Name held by X", "holds this name", "parked by the Semgrep team".
fn held(t: &Text<'_>) -> bool {
    if !t.on(HOLD) {
        return false;
    }
    const PHRASES: &[&str] = &[
        "name held",
        "name is held",
        "holds this name",
        "holds the name",
        "hold the name",
        "hold this name",
        "holding the name",
        "holding this name",
        "holding package name",
        "holding the package name",
        "only holds the name",
        "package is parked",
        "package is temporarily parked",
        "parked for upcoming",
        "parked by",
        "been parked",
    ];
    t.any(PHRASES)
        || t.starts_with("held by", &[])
        || t.near("holding the ", " name", 30)
        || core(t.bytes()) == b"parked"
}

/// "Coming soon" as the whole story: at the start of a clause or after "release",
/// "package", "is"; not "Keras support coming soon" or "more coming soon".
fn coming_soon(t: &Text<'_>) -> bool {
    if !t.on(SOON) || !t.has("coming soon") {
        return false;
    }
    const BEFORE: &[&str] = &[
        "release coming soon",
        "release is coming soon",
        "package coming soon",
        "package is coming soon",
        "project is coming soon",
        "implementation coming soon",
        "code coming soon",
        "is coming soon",
        "version coming soon",
        "release: coming soon",
    ];
    // "(coming soon)" at the end, not "widgets for PMML and ONNX (coming soon) models".
    let s = t.bytes();
    let parenthesised_feature = t.find_all("(coming soon)").any(|i| {
        let e = i + "(coming soon)".len();
        s[..i].iter().any(|b| b.is_ascii_alphanumeric())
            && s[e..].iter().any(|b| b.is_ascii_alphanumeric())
            && !matches!(s.get(e..e + 2), Some(b". " | b" -" | b", " | b"; "))
    });
    if parenthesised_feature {
        return false;
    }
    t.any(BEFORE)
        || t.clause("coming soon", &[])
        || t.find_all(", coming soon")
            .any(|i| followed_by(t.bytes(), i + ", coming soon".len(), &[]))
}

/// "This is a dummy package", "Dummy package to prevent dependency confusion".
fn dummy(t: &Text<'_>) -> bool {
    if !t.on(DUMMY) {
        return false;
    }
    const WHOLE: &[&[u8]] = &[
        b"dummy",
        b"dummy package",
        b"a dummy package",
        b"this is a dummy package",
        b"just a dummy package",
        b"dummy project",
        b"a dummy project",
        b"just a dummy project",
        b"this is a dummy project",
        b"dummy module",
        b"a dummy module",
        b"dummy package - do not install",
        b"a dummy python package",
        b"dummy python package",
    ];
    if WHOLE.contains(&core(t.bytes())) {
        return true;
    }
    const DEFENSIVE: &[&str] = &[
        "prevent",
        "protect",
        "reserve",
        "confusion",
        "squat",
        "hijack",
        "do not install",
        "do not use",
        "block the name",
        "namespace",
        "security issue",
        "name usage",
    ];
    t.any(&[
        "dummy package",
        "dummy python package",
        "dummy pkg",
        "dummy module",
    ]) && t.any(DEFENSIVE)
}

/// "contains no code", "Empty package", "This package does nothing", "intentionally left blank".
fn empty(t: &Text<'_>) -> bool {
    if !t.on(EMPTY) {
        return false;
    }
    const PHRASES: &[&str] = &[
        "contains no code",
        "contain no code",
        "holds no code",
        "no code is included",
        "no code included",
        "no code in this package",
        "no code at the moment",
        "no functional code",
        "contains no functional",
        "contains no implementation",
        "contains no functionality",
        "provides no functionality",
        "no functionality yet",
        "no functionality is provided",
        "no functionality is included",
        "no public api is included",
        "not a functional package",
        "not a usable package",
        "not a real package",
        "not the real package",
        "installs nothing",
        "package that does nothing",
        "benign, does nothing",
        "intentionally left blank",
        "intentionally empty",
        "this package is empty",
        "an empty package",
    ];
    if t.any(PHRASES) {
        return true;
    }
    const DOES_NOTHING: &[&[u8]] = &[
        b"does nothing",
        b"this package does nothing",
        b"this module does nothing",
        b"this does nothing",
        b"it does nothing",
        b"left blank",
        b"empty",
        b"empty package",
        b"python empty package",
        b"temporary empty package",
    ];
    let c = core(t.bytes());
    if DOES_NOTHING.contains(&c) {
        return true;
    }
    // "Empty package to reserve name", not "Empty package that depends on ephem".
    t.starts_with("empty package", &["to", "for"]) && !t.has("depend")
}

/// Typosquatting and name-squatting defence: "prevents typo squatting", "to avoid squatting".
fn squat_defence(t: &Text<'_>) -> bool {
    if !t.on(SQUAT) {
        return false;
    }
    let defensive = [
        "prevent",
        "avoid",
        "protect against",
        "anti ",
        "anti-",
        "defen",
    ]
    .iter()
    .any(|a| t.near(a, "squat", 25))
        || t.any(&[
            "squatting prevention",
            "squatting protection",
            "squatting on the name",
            "squatting placeholder",
            "name squatting]",
            "package squatted to",
            "squat internal",
            "namespace squatting before",
        ]);
    defensive && !t.any(TOOL_WORDS)
}

/// Registered to block or to demonstrate dependency confusion against an internal name.
fn is_dependency_confusion(t: &Text<'_>, placeholder: bool) -> bool {
    let confusion = t.on(CONFUSION)
        && [
            "dependency",
            "dependancy",
            "dependeny",
            "depedency",
            "dependencies",
        ]
        .iter()
        .any(|d| t.near(d, "confusion", 2));
    if confusion {
        return placeholder || !t.any(TOOL_WORDS);
    }
    if t.on(TAKEOVER)
        && (t.has("package takeover") || t.has("dependency takeover"))
        && !t.any(TOOL_WORDS)
    {
        return true;
    }
    if !placeholder {
        return false;
    }
    // A reserved name whose real package lives on a private index: "Name reserved for an
    // internal STRITZ package", "the real package lives in a private registry".
    const PRIVATE: &[&str] = &[
        "internal use",
        "private internal",
        "internal name",
        "internal tool",
        "internal cli",
        "internal workspace",
        "internal gitlab",
        "is internal",
        "are internal",
        "internally",
        "private registry",
        "private index",
        "private package",
        "private pypi",
        "private repositor",
        "private feed",
        "private artifact",
        "private sdk",
        "private python",
        "distributed privately",
        "ships privately",
        "published privately",
        "delivered privately",
        "installed privately",
        "hosted privately",
        "privately via",
        "privately by",
        "privately to",
        "privately distributed",
        "privately hosted",
        "codeartifact",
        "artifactory",
        "supply chain attack",
        "supply-chain attack",
        "package prioritization",
        "dependency injection",
        "security placeholder",
        "security namespace",
    ];
    t.any(PRIVATE)
        || ["package", "library", "index", "registry", "distribution"]
            .iter()
            .any(|w| t.near("internal ", w, 20))
}

/// Registered by researchers: slopsquatting studies, bug-bounty proofs of concept, benign probes.
fn is_research(t: &Text<'_>) -> bool {
    if !t.on(SQUAT | RESEARCH | BOUNTY | BENIGN | PENTEST | HALLUCINATION | SECURITY) {
        return false;
    }
    if t.on(SQUAT) {
        let study = t.any(&[
            "squatting research",
            "squatting security research",
            "squatting study",
            "squatting experiment",
        ]) || (t.has("slopsquat")
            && t.any(&[
                "research",
                "benign",
                "harmless",
                "study",
                "experiment",
                "artifact",
                "demo",
                "educational",
            ])
            && !t.any(TOOL_WORDS));
        if study {
            return true;
        }
    }
    // Words that say the package itself is an inert probe.
    let inert = || {
        t.any(&[
            "placeholder",
            "benign",
            "harmless",
            "does nothing",
            "no code",
            "no functionality",
            "unclaimed",
            "vacant",
        ])
    };
    // Words that say it is a proof of concept, which a tool may also mention.
    let poc = || {
        t.has_word("poc")
            || t.any(&[
                "proof of concept",
                "proof-of-concept",
                "confusion",
                "takeover",
            ])
    };
    let tool = || {
        t.any(&[
            "tool",
            "scanner",
            "framework",
            "recon",
            "hunter",
            "hunting",
            "wrapper",
            "client",
            "sdk",
            "library",
            "runtime",
            "engine",
            "triage",
            "platform",
        ])
    };
    if t.has("security research") && (inert() || (poc() && !tool())) {
        return true;
    }
    if t.any(&[
        "bug bounty",
        "bugbounty",
        "hackerone",
        "bugcrowd",
        "intigriti",
    ]) && (inert() || ((poc() || t.has("claimed by")) && !tool()))
    {
        return true;
    }
    if t.on(RESEARCH)
        && t.any(&["benign", "harmless", "research placeholder", "research poc"])
        && !tool()
    {
        return true;
    }
    if t.on(BENIGN) && t.has("benign") && (t.has_word("poc") || t.has("proof of concept")) {
        return true;
    }
    // "Placeholder registered as proof-of-concept for a security report filed with ...".
    if t.any(&["vulnerability research program", "security report"])
        && t.has("placeholder")
        && poc()
    {
        return true;
    }
    if t.on(PENTEST)
        && (t.has("penetration test") || t.has("pentest"))
        && t.any(&["confusion", "demonstrate", "test package"])
        && !tool()
    {
        return true;
    }
    t.on(HALLUCINATION)
        && (t.has("dependency hallucination") || t.has_word("poc") || t.has("exploit of"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Flags = Flags::EMPTY;
    const P: Flags = Flags::PLACEHOLDER;
    const SH: Flags = Flags::SECURITY_HOLDING;
    const DC: Flags = Flags::DEPENDENCY_CONFUSION;
    const R: Flags = Flags::RESEARCH;

    /// Asserts the flags of real (version, summary) rows of the registry snapshots; the package
    /// name is the first field, for the record only.
    fn check(cases: &[(&str, &str, &str, Flags)]) {
        let mut wrong = Vec::new();
        for &(name, version, summary, want) in cases {
            let got = derive(version, summary);
            if got != want {
                wrong.push(format!(
                    "{name} {version:?} {summary:?}: got [{got}], want [{want}]"
                ));
            }
        }
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    #[test]
    fn flag_helpers() {
        let f = Flags::PLACEHOLDER | Flags::RESEARCH;
        assert!(f.contains(Flags::PLACEHOLDER));
        assert!(!f.contains(Flags::SECURITY_HOLDING));
        assert!(f.contains(Flags::EMPTY));
        assert!(f.intersects(Flags::RESEARCH | Flags::SECURITY_HOLDING));
        assert!(Flags::default().is_empty());
        assert!(!f.is_empty());
        assert_eq!(Flags::from_bits(f.bits()), f);
        assert_eq!(f.names().collect::<Vec<_>>(), ["placeholder", "research"]);
        assert_eq!(
            f.iter().collect::<Vec<_>>(),
            [Flags::PLACEHOLDER, Flags::RESEARCH]
        );
        assert_eq!(f.to_string(), "placeholder,research");
        assert_eq!(Flags::EMPTY.to_string(), "");
        assert_eq!(
            Flags::DEPENDENCY_CONFUSION.name(),
            Some("dependency-confusion")
        );
        assert_eq!(f.name(), None);
        assert_eq!(
            Flags::from_name("security-holding"),
            Some(Flags::SECURITY_HOLDING)
        );
        assert_eq!(Flags::from_name("nope"), None);
        let mut g = Flags::EMPTY;
        g |= Flags::SECURITY_HOLDING;
        assert_eq!(g.union(f).bits(), 0b1011);
        assert_eq!((g | f) & Flags::RESEARCH, Flags::RESEARCH);
        for (flag, name) in Flags::ALL {
            assert_eq!(flag.name(), Some(name));
            assert_eq!(Flags::from_name(name), Some(flag));
            assert_eq!(flag.bits().count_ones(), 1);
        }
    }

    #[test]
    fn security_holding() {
        check(&[
            // npm takedowns.
            ("crossenv", "0.0.2-security", "security holding package", SH),
            (
                "@patrtorg/nam-aut-nemo",
                "0.0.1-security.1",
                "security holding package",
                SH,
            ),
            (
                "stylelint-config-scss",
                "1.0.0-security",
                "security holding package",
                SH,
            ),
            (
                "opennextjs-cloudflare",
                "1.0.0",
                "For Security Holding Purposes.",
                SH,
            ),
            // PyPI: Microsoft's holding packages also reserve the name.
            (
                "oppertune-core",
                "0.0.1",
                "Security holding package reserved by MSRC - contact depscan@microsoft.com for ownership transfer",
                SH | P,
            ),
            // Not a takedown: a squatting-prevention stub.
            (
                "conda-repo-cli",
                "0.0.1",
                "SECURITY HOLD: Phantom Dependency Squatting Prevention",
                P,
            ),
        ]);
    }

    #[test]
    fn placeholder() {
        check(&[
            (
                "aama",
                "0.0.0",
                "Placeholder — see https://github.com/aama-tools/aama",
                P,
            ),
            ("eslint-plugin-next", "0.0.0", "", P),
            (
                "agentic-apis",
                "0.0.0",
                "This name has been reserved using Reserver",
                P,
            ),
            ("acsc", "0.0.1", "Coming soon", P),
            (
                "ai-click2book-model-training",
                "0.0.0",
                "This is a dummy package.",
                P,
            ),
            (
                "allowlist-lib",
                "0.0.0",
                "Reserved package name. Not for public use.",
                P,
            ),
            (
                "kazma",
                "0.0.1",
                "Held by the Kazma project: contains no code. Kazma installs from its GitHub releases.",
                P,
            ),
            (
                "proto-control",
                "0.0.0",
                "(placeholder) Prototype powerups for control flow statements in python.",
                P,
            ),
            ("aws-cloudtrail-tk", "0.0.0", "Placholder for futur use", P),
            (
                "@storybook/addon-actions",
                "9.0.8",
                "Empty package - please don't use it anymore",
                P,
            ),
            (
                "awssdk",
                "1.0.1",
                "This package exists to prevent typosquatting on the official AWS SDK for JavaScript (https://www.npmjs.com/package/aws-sdk)",
                P,
            ),
        ]);
    }

    #[test]
    fn not_placeholder() {
        check(&[
            // Template and UI placeholders.
            (
                "json-interpolator",
                "1.0.0rc1",
                "A utility for validating and rendering templates with placeholders in JSON-like strings.",
                NONE,
            ),
            (
                "pyfunc-pipeline",
                "0.4.0",
                "Functional programming pipeline for Python with chainable operations, lazy evaluation, and elegant placeholder syntax",
                NONE,
            ),
            (
                "tiny-render",
                "0.2.0",
                "A tiny renderrer for replacing place holders in any text files",
                NONE,
            ),
            (
                "@he-tree/vue",
                "2.10.5",
                "Vue tree component. Features: Vue2 & 3, TypeScript, SSR, nested, virtual list, draggable, sortable, placeholder for drag, table tree, based on Drag and Drop API",
                NONE,
            ),
            (
                "@openeuropa/bcl-placeholder",
                "0.4962.202609171700",
                "OE - BCL placeholder",
                NONE,
            ),
            (
                "empty-schema",
                "0.1.5",
                "Generate empty placeholder data from JSON Schemas",
                NONE,
            ),
            ("jtutils", "0.0.8", "Placeholder description", NONE),
            // "reserved" in other senses.
            (
                "github-reserved-names",
                "2.2.0",
                "Get a list, or check if a user or organization name is reserved by GitHub",
                NONE,
            ),
            (
                "ros-cdk-acm",
                "1.15.0",
                "Aliyun SDK Copyright (C) Alibaba Cloud Computing All rights reserved. http://www.aliyun.com",
                NONE,
            ),
            (
                "odoo-addon-report-hotel-reservation",
                "19.0.1.0.0.1",
                "Hotel Reservation Management - Reporting",
                NONE,
            ),
            // A feature, not the package, is coming soon.
            (
                "orange3-scoring",
                "0.0.1",
                "Add-on containing scoring engine widgets for PFA, PMML and ONNX (coming soon) models",
                NONE,
            ),
            (
                "congress",
                "0.0a1.dev1",
                "U.S. Congressional metadata (beta; more coming soon)",
                NONE,
            ),
            // A meta-package that installs beautifulsoup4.
            (
                "bs4",
                "0.0.2",
                "Dummy package for Beautiful Soup (beautifulsoup4)",
                NONE,
            ),
            // A typosquatting detector.
            ("andy-fraud", "1.0.1", "Anti-typosquatting suite", NONE),
            // Version 0.0.0 with a real description, and npm pre-release builds.
            (
                "aegis-voynan",
                "0.0.0",
                "A simple, secure and streaming-friendly file encryption library built on modern cryptography.",
                NONE,
            ),
            (
                "cucim",
                "23.10.0",
                "cuCIM - an extensible toolkit designed to provide GPU accelerated I/O, computer vision & image processing primitives for N-Dimensional images with a focus on bi",
                NONE,
            ),
            ("@1auth/authn", "0.0.0-alpha.44", "", NONE),
        ]);
    }

    #[test]
    fn dependency_confusion() {
        check(&[
            (
                "admin-frugal",
                "0.0.0",
                "Placeholder to prevent dependency confusion",
                P | DC,
            ),
            (
                "blockdiag-yandex",
                "66.0.3",
                "A package to prevent Dependency Confusion attacks against Yandex.",
                DC,
            ),
            (
                "aircode-atlassian-clients",
                "0.0.1",
                "Name reserved by Aircall (dependency-confusion defence). Contains no code.",
                P | DC,
            ),
            (
                "aisi-od-training",
                "0.0.1rc1",
                "Dummy package to prevent any kind of dependency confusion attacks against internal python packages",
                P | DC,
            ),
            ("0-67-0", "1.0.0", "POC showing package takeover", DC),
            (
                "audit-client",
                "0.0.1.dev1726094330",
                "Placeholder for internal package",
                P | DC,
            ),
            (
                "szn-a1-alertmanager",
                "0.0.1",
                "Security placeholder package",
                P | DC,
            ),
            (
                "@avalabs/avalanchejs",
                "99.99.99",
                "Avalanche NPM dependency takeover mitigation",
                DC,
            ),
        ]);
    }

    #[test]
    fn not_dependency_confusion() {
        check(&[
            (
                "depraptor",
                "2.0.8",
                "Dependency Confusion Vulnerability Scanner and PoC Generator",
                NONE,
            ),
            (
                "yorkshire",
                "0.0.0",
                "Yorkshire is your friend who checks requirements files for a possible dependency confusion.",
                NONE,
            ),
            (
                "installtime-audit",
                "0.1.0",
                "Audit Python packaging files for install-time side effects (network, exec, credential theft, persistence, dependency confusion) that run during pip install. Com",
                NONE,
            ),
            (
                "confplot",
                "0.1.1",
                "Plot a pretty confusion matrix (like Matlab) in python using seaborn and matplotlib",
                NONE,
            ),
            (
                "tekover",
                "1.0.4",
                "A subdomain takeover scanner using Python3 asyncio",
                NONE,
            ),
        ]);
    }

    #[test]
    fn research() {
        check(&[
            (
                "alembic-aioredis-db-requirements",
                "0.1.0",
                "Benign slopsquatting research package",
                R,
            ),
            (
                "asurion-drive",
                "99.0.0",
                "Security research - dependency confusion PoC for bug bounty",
                DC | R,
            ),
            (
                "waymax",
                "0.0.1",
                "Bug Bounty PoC for Waymo by [YourName]",
                R,
            ),
            (
                "app-suite.filters",
                "1.0.1",
                "This package was created for an authorized penetration test to demonstrate dependency confusion.",
                DC | R,
            ),
            (
                "hyperliquid-api",
                "0.0.1",
                "Reserved name — security research placeholder, no functionality",
                P | R,
            ),
            (
                "openai-secrets-manager",
                "0.1.0",
                "this package is a PoC exploit of a common ChatGPT hallucination. it does nothing, and you should use the openai package instead!",
                R,
            ),
            (
                "cookie-session-es6",
                "1.0.11",
                "Educational demo showing slopsquatting risks",
                R,
            ),
        ]);
    }

    #[test]
    fn not_research() {
        check(&[
            (
                "adyant",
                "1.0.4",
                "Markov chain URL wordlist generator for security research and fuzzing pipelines",
                NONE,
            ),
            (
                "originx",
                "1.0.0",
                "Professional WAF Origin IP Discovery Tool for Bug Bounty & Security Research",
                NONE,
            ),
            (
                "arc2-chimera",
                "1.0.0",
                "Research proof-of-concept. ~2-5% accuracy on ARC-AGI. NOT an ARC Prize submission. GPU compute-shader playground (OpenGL / moderngl) exploring primitives for sy",
                NONE,
            ),
            (
                "verdis",
                "0.1.1",
                "Reproduce-first triage for vulnerability and security reports: run the proof of concept in a sandbox and get a verdict with an evidence bundle.",
                NONE,
            ),
            (
                "slopspotter",
                "0.1.1",
                "Detects AI-hallucinated (slopsquatted) Python packages before they get installed.",
                NONE,
            ),
            (
                "learna",
                "0.1.1",
                "Machine learning implemented purely in python. Mainly for research and learning purposes.",
                NONE,
            ),
            ("h1", "1.4.2", "A HackerOne API client for Python", NONE),
        ]);
    }

    #[test]
    fn versions() {
        for v in ["0", "0.0", "0.0.0", "0.0.0.0", "0.0.0a0", "0.0.0.dev0"] {
            assert!(is_zero_version(v), "{v}");
        }
        for v in [
            "0.0.1",
            "0.1",
            "0.10",
            "0.0.0.1",
            "0.0.0-canary.2371",
            "0.0.0a1",
            "10",
        ] {
            assert!(!is_zero_version(v), "{v}");
        }
        for v in ["0.0.1-security", "0.0.1-security.3", "1.0.0-security"] {
            assert!(is_security_version(v), "{v}");
        }
        for v in ["1.0.0", "1.0.0-securityfix", "2.0.0-security-patch"] {
            assert!(!is_security_version(v), "{v}");
        }
    }

    #[test]
    fn odd_input() {
        // Non-ASCII text, lone symbols and case do not trip the byte-level scans.
        assert_eq!(derive("0.0.0", "雷霆战机项目"), NONE);
        assert_eq!(derive("0.0.0", "  "), P);
        assert_eq!(derive("1.0", "—"), NONE);
        assert_eq!(derive("1.0", "PLACEHOLDER — SEE HTTPS://EXAMPLE.ORG"), P);
        assert_eq!(
            derive("1.0", "🚫 Placeholder to prevent dependency confusion."),
            P | DC
        );
        assert_eq!(derive("1.0", "reserving the naïve name"), P);
        assert_eq!(derive("1.0", "placeholder"), P);
        // The 30-byte window after "reserving " ends inside an "é".
        assert_eq!(
            derive("1.0", "é reserving the ééééééééééééééééééééééééé name"),
            NONE
        );
    }
}
