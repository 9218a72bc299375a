//! A tolerant tokenizer for shell-like text: scripts, `RUN` lines, CI `run:` blocks,
//! Makefile recipes, code blocks.
//!
//! It splits text into logical lines (joined by `\` newline), each into words and
//! separators (`;`, `&&`, `||`, `|`, `(`, `)`), with quote removal and escapes, and keeps
//! for every byte of a word's value the offset it came from, so a package name can be
//! pointed at in the file. It never fails: a quote left open closes at the end of its
//! line (so one apostrophe in prose cannot swallow a file), an unmatched `$(` is text.
//! Command substitutions and quoted strings that look like commands are handed back to
//! be scanned on their own.

use std::ops::Range;

/// A word after quote removal.
#[derive(Debug, Clone, Default)]
pub(crate) struct Word {
    /// The value, quotes and escapes removed; expansions kept as written.
    pub value: String,
    /// For each byte of `value`, its offset in the text.
    pub map: Vec<u32>,
    /// The word as written: `start..end` in the text.
    pub start: usize,
    pub end: usize,
    /// Byte offset in `value` of the first expansion (`$X`, `$(…)`, `` `…` ``, `{…}`).
    pub dynamic_from: Option<usize>,
}

impl Word {
    fn push(&mut self, c: char, at: usize) {
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        self.value.push_str(s);
        self.map.extend((0..s.len()).map(|i| (at + i) as u32));
    }

    fn push_str(&mut self, s: &str, at: usize) {
        self.value.push_str(s);
        self.map.extend((0..s.len()).map(|i| (at + i) as u32));
    }

    fn mark_dynamic(&mut self) {
        if self.dynamic_from.is_none() {
            self.dynamic_from = Some(self.value.len());
        }
    }

    /// The text range that bytes `r` of the value came from.
    pub fn source(&self, r: Range<usize>) -> Option<Range<usize>> {
        let start = *self.map.get(r.start)? as usize;
        let end = if r.end > r.start {
            *self.map.get(r.end - 1)? as usize + 1
        } else {
            start
        };
        Some(start..end.max(start))
    }
}

/// A token of a logical line.
#[derive(Debug, Clone)]
pub(crate) enum Tok {
    Word(Word),
    /// Ends a simple command: `;`, `&`, `|`, `(`, `)`, a newline.
    Sep,
}

/// A tokenized logical line.
#[derive(Debug, Default)]
pub(crate) struct Lexed {
    pub toks: Vec<Tok>,
    /// Interiors of `$(…)` and `` `…` ``: commands of their own.
    pub substitutions: Vec<Range<usize>>,
    /// Interiors of quoted strings, which may hold a command (`bash -c "…"`, YAML
    /// `run: "…"`, a package.json script).
    pub quoted: Vec<Range<usize>>,
}

/// Splits `range` of `text` into logical lines: a `\` before a newline joins lines.
pub(crate) fn logical_lines(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let end = range.end.min(b.len());
    let mut lines = Vec::new();
    let mut start = range.start.min(end);
    let mut from = start;
    while from < end {
        let Some(nl) = b[from..end]
            .iter()
            .position(|&c| c == b'\n')
            .map(|p| from + p)
        else {
            break;
        };
        let mut k = nl;
        if k > start && b[k - 1] == b'\r' {
            k -= 1;
        }
        let slashes = b[start..k]
            .iter()
            .rev()
            .take_while(|&&c| c == b'\\')
            .count();
        if slashes % 2 == 1 {
            from = nl + 1;
            continue;
        }
        lines.push(start..nl);
        start = nl + 1;
        from = start;
    }
    if start < end {
        lines.push(start..end);
    }
    lines
}

/// Tokenizes one logical line, `range` of `text`.
pub(crate) fn tokenize(text: &str, range: Range<usize>) -> Lexed {
    let end = range.end.min(text.len());
    let mut lx = Lexer {
        text,
        b: text.as_bytes(),
        pos: range.start.min(end),
        end,
        out: Lexed::default(),
    };
    lx.run();
    lx.out
}

struct Lexer<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    end: usize,
    out: Lexed,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

impl Lexer<'_> {
    fn byte(&self, i: usize) -> Option<u8> {
        (i < self.end).then(|| self.b[i])
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..self.end).and_then(|s| s.chars().next())
    }

    /// Length of a `\` newline at `i`, if there is one.
    fn continuation(&self, i: usize) -> Option<usize> {
        match (self.byte(i), self.byte(i + 1), self.byte(i + 2)) {
            (Some(b'\\'), Some(b'\n'), _) => Some(2),
            (Some(b'\\'), Some(b'\r'), Some(b'\n')) => Some(3),
            _ => None,
        }
    }

    /// End of the physical line at or after `i`.
    fn line_end(&self, i: usize) -> usize {
        self.b[i.min(self.end)..self.end]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.end, |p| i + p)
    }

    fn sep(&mut self) {
        if !matches!(self.out.toks.last(), None | Some(Tok::Sep)) {
            self.out.toks.push(Tok::Sep);
        }
    }

    fn at_command_start(&self) -> bool {
        matches!(self.out.toks.last(), None | Some(Tok::Sep))
    }

    fn run(&mut self) {
        while self.pos < self.end {
            let c = self.b[self.pos];
            if let Some(n) = self.continuation(self.pos) {
                self.pos += n;
                continue;
            }
            match c {
                c if is_space(c) => self.pos += 1,
                b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                    self.sep();
                    self.pos += 1;
                }
                b'#' => self.pos = self.line_end(self.pos),
                b'<' | b'>' => self.redirect(),
                _ => self.word(),
            }
        }
    }

    /// `>file`, `2>&1`, `<<EOF`: the operator and its target are not arguments. A `>` that
    /// starts a command is a prompt or a quote marker (`> pip install x`), and `PS>` is
    /// PowerShell's prompt.
    fn redirect(&mut self) {
        let op_start = self.pos;
        if let Some(Tok::Word(w)) = self.out.toks.last()
            && w.end == op_start
        {
            let io_number = !w.value.is_empty() && w.value.bytes().all(|c| c.is_ascii_digit());
            let prompt = w.value == "PS"
                || (w.value.len() >= 2
                    && w.value.as_bytes()[1] == b':'
                    && w.value.as_bytes()[0].is_ascii_alphabetic());
            if io_number || prompt {
                self.out.toks.pop();
                if prompt {
                    self.pos += 1;
                    self.sep();
                    return;
                }
            }
        }
        let command_start = self.at_command_start();
        while matches!(self.byte(self.pos), Some(b'<' | b'>')) {
            self.pos += 1;
        }
        if command_start && self.byte(self.pos).is_none_or(is_space) {
            self.sep();
            return;
        }
        if self.byte(self.pos) == Some(b'(') {
            // Process substitution `<(cmd)`: the `(` separates.
            return;
        }
        while matches!(self.byte(self.pos), Some(b'&' | b'-' | b'|')) {
            self.pos += 1;
        }
        while self.byte(self.pos).is_some_and(is_space) {
            self.pos += 1;
        }
        match self.byte(self.pos) {
            None | Some(b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' | b'#') => {}
            Some(_) => {
                let before = self.out.toks.len();
                self.word();
                self.out.toks.truncate(before);
            }
        }
    }

    fn word(&mut self) {
        let mut w = Word {
            start: self.pos,
            ..Word::default()
        };
        while self.pos < self.end {
            let c = self.b[self.pos];
            match c {
                c if is_space(c) => break,
                b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
                b'\\' => {
                    if let Some(n) = self.continuation(self.pos) {
                        self.pos += n;
                        continue;
                    }
                    match self.char_at(self.pos + 1) {
                        Some(ch) => {
                            w.push(ch, self.pos + 1);
                            self.pos += 1 + ch.len_utf8();
                        }
                        None => {
                            w.push('\\', self.pos);
                            self.pos += 1;
                        }
                    }
                }
                b'\'' => self.single_quoted(&mut w),
                b'"' => self.double_quoted(&mut w),
                b'$' => self.dollar(&mut w, false),
                b'`' => self.backtick(&mut w),
                b'{' => {
                    w.mark_dynamic();
                    w.push('{', self.pos);
                    self.pos += 1;
                }
                _ => match self.char_at(self.pos) {
                    Some(ch) => {
                        w.push(ch, self.pos);
                        self.pos += ch.len_utf8();
                    }
                    None => self.pos += 1,
                },
            }
        }
        w.end = self.pos;
        if w.end > w.start {
            self.out.toks.push(Tok::Word(w));
        }
    }

    fn single_quoted(&mut self, w: &mut Word) {
        let open = self.pos;
        let line_end = self.line_end(open + 1);
        let close = self.b[open + 1..line_end]
            .iter()
            .position(|&c| c == b'\'')
            .map(|p| open + 1 + p);
        let content_end = close.unwrap_or(line_end);
        if let Some(s) = self.text.get(open + 1..content_end) {
            w.push_str(s, open + 1);
        }
        self.out.quoted.push(open + 1..content_end);
        self.pos = close.map_or(line_end, |c| c + 1);
    }

    fn double_quoted(&mut self, w: &mut Word) {
        let open = self.pos;
        self.pos += 1;
        while self.pos < self.end {
            match self.b[self.pos] {
                b'"' => {
                    self.out.quoted.push(open + 1..self.pos);
                    self.pos += 1;
                    return;
                }
                b'\n' => break,
                b'\\' => {
                    if let Some(n) = self.continuation(self.pos) {
                        self.pos += n;
                        continue;
                    }
                    match self.byte(self.pos + 1) {
                        Some(e @ (b'"' | b'\\' | b'$' | b'`')) => {
                            w.push(e as char, self.pos + 1);
                            self.pos += 2;
                        }
                        _ => {
                            w.push('\\', self.pos);
                            self.pos += 1;
                        }
                    }
                }
                b'$' => self.dollar(w, true),
                b'`' => self.backtick(w),
                _ => match self.char_at(self.pos) {
                    Some(ch) => {
                        w.push(ch, self.pos);
                        self.pos += ch.len_utf8();
                    }
                    None => self.pos += 1,
                },
            }
        }
        self.out.quoted.push(open + 1..self.pos);
    }

    /// Index of the `)` closing the `(` at `open`, on this line, skipping quotes.
    fn matching_paren(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = open;
        while i < self.end {
            match self.b[i] {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                b'\\' => i += 1,
                b'\n' => return None,
                q @ (b'\'' | b'"') => {
                    let close = self.b[i + 1..self.end]
                        .iter()
                        .position(|&c| c == q || c == b'\n')?;
                    i += 1 + close;
                    if self.b[i] == b'\n' {
                        return None;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    fn literal(&mut self, w: &mut Word, end: usize) {
        if let Some(s) = self.text.get(self.pos..end) {
            w.push_str(s, self.pos);
        }
        self.pos = end.max(self.pos + 1);
    }

    fn dollar(&mut self, w: &mut Word, in_double_quotes: bool) {
        let at = self.pos;
        match self.byte(at + 1) {
            Some(b'(') => {
                w.mark_dynamic();
                match self.matching_paren(at + 1) {
                    Some(close) => {
                        if self.byte(at + 2) != Some(b'(') {
                            self.out.substitutions.push(at + 2..close);
                        }
                        self.literal(w, close + 1);
                    }
                    None => self.literal(w, at + 2),
                }
            }
            Some(b'{') => {
                w.mark_dynamic();
                let mut depth = 0usize;
                let mut close = None;
                for (i, &c) in self.b[at + 1..self.end].iter().enumerate() {
                    match c {
                        b'{' => depth += 1,
                        b'}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                close = Some(at + 1 + i);
                                break;
                            }
                        }
                        b'\n' => break,
                        _ => {}
                    }
                }
                self.literal(w, close.map_or(at + 2, |c| c + 1));
            }
            Some(b'\'') if !in_double_quotes => self.pos += 1,
            Some(b'"') if !in_double_quotes => self.pos += 1,
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                w.mark_dynamic();
                let len = self.b[at + 1..self.end]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                self.literal(w, at + 1 + len);
            }
            Some(c)
                if c.is_ascii_digit()
                    || matches!(c, b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') =>
            {
                w.mark_dynamic();
                self.literal(w, at + 2);
            }
            _ => {
                w.push('$', at);
                self.pos += 1;
            }
        }
    }

    fn backtick(&mut self, w: &mut Word) {
        let at = self.pos;
        let line_end = self.line_end(at + 1);
        match self.b[at + 1..line_end].iter().position(|&c| c == b'`') {
            Some(p) => {
                let close = at + 1 + p;
                w.mark_dynamic();
                self.out.substitutions.push(at + 1..close);
                self.literal(w, close + 1);
            }
            None => {
                w.push('`', at);
                self.pos += 1;
            }
        }
    }
}

/// One item of a bracketed list of strings (a Dockerfile exec form, a Python argv list).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub word: Word,
}

/// Parses the list opening at `open` (`[`) as `["pip", "install", "x"]`; bare identifiers
/// such as `sys.executable` are items whose value is unknown. Returns the items read up to
/// the first thing that is neither, and the offset after the list. Strings do not span lines.
pub(crate) fn bracket_list(text: &str, open: usize, max_items: usize) -> (Vec<Item>, usize) {
    let b = text.as_bytes();
    let mut i = open + 1;
    let mut items = Vec::new();
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    while items.len() < max_items {
        i = skip_ws(i);
        let Some(&c) = b.get(i) else { break };
        let mut w = Word {
            start: i,
            ..Word::default()
        };
        match c {
            b'"' | b'\'' => {
                let mut j = i + 1;
                let mut closed = false;
                while let Some(&d) = b.get(j) {
                    if d == c {
                        closed = true;
                        break;
                    }
                    if d == b'\n' {
                        break;
                    }
                    let esc = d == b'\\';
                    let at = if esc { j + 1 } else { j };
                    let Some(ch) = text.get(at..).and_then(|s| s.chars().next()) else {
                        break;
                    };
                    w.push(ch, at);
                    j = at + ch.len_utf8();
                }
                if !closed {
                    break;
                }
                i = j + 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let len = b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
                    .count();
                w.mark_dynamic();
                w.push_str(&text[i..i + len], i);
                i += len;
            }
            _ => break,
        }
        w.end = i;
        items.push(Item { word: w });
        i = skip_ws(i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                i += 1;
                break;
            }
            _ => break,
        }
    }
    (items, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        for line in logical_lines(s, 0..s.len()) {
            for t in tokenize(s, line).toks {
                v.push(match t {
                    Tok::Word(w) => w.value,
                    Tok::Sep => ";".to_string(),
                });
            }
            v.push("⏎".to_string());
        }
        v
    }

    #[test]
    fn quotes_escapes_and_continuations() {
        assert_eq!(
            words("pip install \"requests>=2\" 'a b' c\\ d \\\n  e # f\nnext"),
            [
                "pip",
                "install",
                "requests>=2",
                "a b",
                "c d",
                "e",
                "⏎",
                "next",
                "⏎"
            ]
        );
        assert_eq!(
            words("a&&b||c;d|e"),
            ["a", ";", "b", ";", "c", ";", "d", ";", "e", "⏎"]
        );
        assert_eq!(
            words("pip install x >/dev/null 2>&1"),
            ["pip", "install", "x", "⏎"]
        );
        assert_eq!(words("x=\"$(pip install y)\""), ["x=$(pip install y)", "⏎"]);
        assert_eq!(words("it's open\nnext"), ["its open", "⏎", "next", "⏎"]);
        assert_eq!(words("> pip install x"), ["pip", "install", "x", "⏎"]);
        assert_eq!(words("PS> pip install x"), ["pip", "install", "x", "⏎"]);
        assert_eq!(words("cat >> f <<EOF"), ["cat", "⏎"]);
    }

    #[test]
    fn values_map_back_to_the_text() {
        let s = "pip install \"req\"'uests'\\>=2";
        let lexed = tokenize(s, 0..s.len());
        let Some(Tok::Word(w)) = lexed.toks.get(2) else {
            panic!()
        };
        assert_eq!(w.value, "requests>=2");
        let r = w.source(0..8).unwrap();
        assert_eq!(&s[r.clone()], "req\"'uests");
        assert_eq!(w.source(8..11).map(|r| &s[r]), Some(">=2"));
    }

    #[test]
    fn expansions_are_marked_and_substitutions_kept() {
        let s = "pip install foo==$V \"${PKG}\" $(cat x) `which pip`";
        let lexed = tokenize(s, 0..s.len());
        let dyn_from: Vec<_> = lexed
            .toks
            .iter()
            .filter_map(|t| {
                if let Tok::Word(w) = t {
                    Some(w.dynamic_from)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(dyn_from, [None, None, Some(5), Some(0), Some(0), Some(0)]);
        let subs: Vec<_> = lexed.substitutions.iter().map(|r| &s[r.clone()]).collect();
        assert_eq!(subs, ["cat x", "which pip"]);
    }

    #[test]
    fn unterminated_constructs_end_with_the_line() {
        for s in [
            "\"abc", "'abc", "$(abc", "`abc", "${abc", "abc\\", "$", "<", ">>", "<<'", "\\\r",
        ] {
            let _ = words(s);
        }
        assert_eq!(
            words("echo \"x\npip install y"),
            ["echo", "x", "⏎", "pip", "install", "y", "⏎"]
        );
    }

    #[test]
    fn bracket_lists() {
        let s = "RUN [\"pip\", \"install\", \"x\\\"y\"]";
        let open = s.find('[').unwrap();
        let (items, _) = bracket_list(s, open, 64);
        let v: Vec<_> = items.iter().map(|i| i.word.value.as_str()).collect();
        assert_eq!(v, ["pip", "install", "x\"y"]);
        let s = "check_call([sys.executable, '-m', 'pip', 'install', pkg, *more])";
        let (items, _) = bracket_list(s, s.find('[').unwrap(), 64);
        let v: Vec<_> = items
            .iter()
            .map(|i| (i.word.value.as_str(), i.word.dynamic_from))
            .collect();
        assert_eq!(
            v,
            [
                ("sys.executable", Some(0)),
                ("-m", None),
                ("pip", None),
                ("install", None),
                ("pkg", Some(0))
            ]
        );
    }
}
