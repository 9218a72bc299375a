//! Numbers and popularity in words, the same way in every message.

use depproof_registry::{Index, Popularity};

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1` → `1st`, `22` → `22nd`, `113` → `113th`.
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{}{suffix}", thousands(n))
}

/// "download rank 6 among the 15,000 most downloaded", "52,000 downloads a month".
pub fn popularity(index: &Index, p: Popularity) -> String {
    let h = index.header();
    match p {
        Popularity::Rank(r) => format!(
            "download rank {} among the {} most downloaded",
            thousands(r.into()),
            thousands(h.popular_threshold)
        ),
        Popularity::Unranked => format!(
            "not among the {} most downloaded",
            thousands(h.popular_threshold)
        ),
        Popularity::MonthlyDownloads(d) => format!("{} downloads a month", thousands(d.into())),
        Popularity::Unknown => "no download data".to_owned(),
    }
}

/// A short form for lists: "the 6th most downloaded", "52,000 downloads a month".
pub fn popularity_short(p: Popularity) -> Option<String> {
    match p {
        Popularity::Rank(r) => Some(format!("the {} most downloaded", ordinal(r.into()))),
        Popularity::MonthlyDownloads(d) => {
            Some(format!("{} downloads a month", thousands(d.into())))
        }
        Popularity::Unranked | Popularity::Unknown => None,
    }
}

/// A ranking number: larger is more established.
pub fn score(p: Popularity) -> u64 {
    match p {
        Popularity::Rank(r) => (1u64 << 40) - u64::from(r),
        Popularity::MonthlyDownloads(d) => u64::from(d),
        Popularity::Unranked | Popularity::Unknown => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(886_323), "886,323");
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(6), "6th");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(13), "13th");
        assert_eq!(ordinal(21), "21st");
        assert_eq!(ordinal(112), "112th");
        assert_eq!(ordinal(1001), "1,001st");
    }
}
