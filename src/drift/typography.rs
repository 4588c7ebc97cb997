//! Typographic swaps: em and en dash ↔ `--`/`-`, curly ↔ straight quotes,
//! `…` ↔ `...`, no-break space ↔ space.
//!
//! The forward drift [`to_ascii`] is what "smart punctuation off" and ASCII
//! transliteration do; [`smarten`] is what smart-punctuation editors do.
//! Neither is invertible from the bytes alone (a `--` may always have been
//! `--`), so the inverse is a search: [`sites`] lists every place a swap could
//! have happened, and [`Sites::variants`] enumerates the combinations when
//! they are few (up to [`MAX_COMBINATIONS`]), else only all-or-nothing
//! substitutions per character.

/// The most combinations of sites the search enumerates one by one.
pub const MAX_COMBINATIONS: usize = 4096;

const NBSP: &str = "\u{a0}";

/// Typographic character → ASCII forms it is commonly turned into (the
/// first is what [`to_ascii`] writes).
const TO_ASCII: &[(&str, &[&str])] = &[
    ("\u{2014}", &["--", "---", "-"]),
    ("\u{2013}", &["-", "--"]),
    ("\u{201c}", &["\""]),
    ("\u{201d}", &["\""]),
    ("\u{2018}", &["'"]),
    ("\u{2019}", &["'"]),
    ("\u{2026}", &["..."]),
    (NBSP, &[" "]),
];

/// ASCII form → typographic characters it may have been (longest first).
const FROM_ASCII: &[(&str, &[&str])] = &[
    ("---", &["\u{2014}"]),
    ("--", &["\u{2014}", "\u{2013}"]),
    ("...", &["\u{2026}"]),
    ("\"", &["\u{201c}", "\u{201d}"]),
    ("'", &["\u{2019}", "\u{2018}"]),
    ("-", &["\u{2013}"]),
    (" ", &[NBSP]),
];

/// Sites so common in prose that they are enumerated only in short texts.
const COMMON: &[&str] = &[" ", "-"];

/// The forward drift: every typographic character to its first ASCII form.
pub fn to_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mut buf = [0u8; 4];
        let s: &str = c.encode_utf8(&mut buf);
        match TO_ASCII.iter().find(|(t, _)| *t == s) {
            Some((_, forms)) => out.push_str(forms[0]),
            None => out.push(c),
        }
    }
    out
}

/// The other forward drift: `--` → em dash, `...` → ellipsis, straight quotes
/// → curly ones by context (opening after space or start, else closing).
pub fn smarten(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let opening = prev.is_none_or(|p| p.is_whitespace() || "([{".contains(p));
        let (emit, used): (String, usize) = if rest.starts_with("--") {
            ("\u{2014}".into(), 2)
        } else if rest.starts_with("...") {
            ("\u{2026}".into(), 3)
        } else if c == '"' {
            ((if opening { "\u{201c}" } else { "\u{201d}" }).into(), 1)
        } else if c == '\'' {
            ((if opening { "\u{2018}" } else { "\u{2019}" }).into(), 1)
        } else {
            (c.to_string(), c.len_utf8())
        };
        prev = emit.chars().last();
        out.push_str(&emit);
        rest = &rest[used..];
    }
    out
}

/// One place a swap could have happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Byte offset in the text.
    pub start: usize,
    /// What is there now.
    pub found: &'static str,
    /// What it may have been.
    pub options: &'static [&'static str],
}

/// Every site in a text.
#[derive(Clone, Debug)]
pub struct Sites<'a> {
    text: &'a str,
    /// The sites, in text order.
    pub sites: Vec<Site>,
}

/// Lists the sites of `text`.
pub fn sites(text: &str) -> Sites<'_> {
    let mut out = Vec::new();
    let mut i = 0;
    'scan: while i < text.len() {
        let rest = &text[i..];
        for (found, options) in TO_ASCII.iter().chain(FROM_ASCII) {
            if rest.starts_with(found) {
                out.push(Site { start: i, found, options });
                i += found.len();
                continue 'scan;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    Sites { text, sites: out }
}

/// One candidate: which option (if any) each site takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// `(site index, option index)` for every site that is swapped.
    pub swaps: Vec<(usize, usize)>,
}

impl Sites<'_> {
    /// How many combinations a full enumeration has (saturating).
    pub fn combinations(&self) -> usize {
        self.sites.iter().fold(1usize, |acc, s| acc.saturating_mul(s.options.len() + 1))
    }

    /// The candidates to try, in three tiers: every combination of the
    /// rare sites (dashes, quotes, ellipses: not plain spaces and hyphens),
    /// then every combination of all sites, each when it has at most
    /// [`MAX_COMBINATIONS`]; then, per kind of site, "all of this kind take
    /// option k", and "every typographic character to its first ASCII form".
    pub fn variants(&self) -> Vec<Variant> {
        let mut out = Vec::new();
        let rare: Vec<usize> = (0..self.sites.len()).filter(|&i| !COMMON.contains(&self.sites[i].found)).collect();
        let all: Vec<usize> = (0..self.sites.len()).collect();
        self.enumerate(&rare, &mut out);
        if rare.len() < all.len() {
            self.enumerate(&all, &mut out);
        }
        let mut kinds: Vec<&'static str> = self.sites.iter().map(|s| s.found).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in &kinds {
            let options = self.sites.iter().find(|s| s.found == *kind).map_or(0, |s| s.options.len());
            for k in 0..options {
                let swaps =
                    self.sites.iter().enumerate().filter(|(_, s)| s.found == *kind).map(|(i, _)| (i, k)).collect();
                out.push(Variant { swaps });
            }
        }
        let typographic: Vec<(usize, usize)> = self
            .sites
            .iter()
            .enumerate()
            .filter(|(_, s)| TO_ASCII.iter().any(|(t, _)| *t == s.found))
            .map(|(i, _)| (i, 0))
            .collect();
        if !typographic.is_empty() {
            out.push(Variant { swaps: typographic });
        }
        out
    }

    /// Every combination of the sites `which` but "nothing swapped", if
    /// there are at most [`MAX_COMBINATIONS`].
    fn enumerate(&self, which: &[usize], out: &mut Vec<Variant>) {
        let total = which.iter().fold(1usize, |acc, &i| acc.saturating_mul(self.sites[i].options.len() + 1));
        if which.is_empty() || total > MAX_COMBINATIONS {
            return;
        }
        for mut n in 1..total {
            let mut swaps = Vec::new();
            for &i in which {
                let radix = self.sites[i].options.len() + 1;
                let pick = n % radix;
                n /= radix;
                if pick > 0 {
                    swaps.push((i, pick - 1));
                }
            }
            out.push(Variant { swaps });
        }
    }

    /// The text with `v`'s swaps applied.
    pub fn apply(&self, v: &Variant) -> String {
        let mut out = String::with_capacity(self.text.len() + 8);
        let mut at = 0;
        for &(i, k) in &v.swaps {
            let s = &self.sites[i];
            out.push_str(&self.text[at..s.start]);
            out.push_str(s.options[k]);
            at = s.start + s.found.len();
        }
        out.push_str(&self.text[at..]);
        out
    }

    /// A short account of `v`, e.g. `"—"→"--" ×2, "…"→"..." ×1`.
    pub fn describe(&self, v: &Variant) -> String {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for &(i, k) in &v.swaps {
            let s = &self.sites[i];
            let key = format!("{}→{}", shown(s.found), shown(s.options[k]));
            match counts.iter_mut().find(|(kk, _)| *kk == key) {
                Some((_, n)) => *n += 1,
                None => counts.push((key, 1)),
            }
        }
        counts.iter().map(|(k, n)| format!("{k} ×{n}")).collect::<Vec<_>>().join(", ")
    }
}

fn shown(s: &str) -> String {
    match s {
        NBSP => "<U+00A0>".to_string(),
        " " => "' '".to_string(),
        s => format!("{s:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_ascii_maps_every_typographic_character() {
        assert_eq!(
            to_ascii("a\u{2014}b \u{2013} \u{201c}q\u{201d} \u{2018}s\u{2019} \u{2026}\u{a0}x"),
            "a--b - \"q\" 's' ... x"
        );
    }

    #[test]
    fn smarten_uses_context_for_quotes() {
        assert_eq!(
            smarten("\"hi\" -- it's 'x'..."),
            "\u{201c}hi\u{201d} \u{2014} it\u{2019}s \u{2018}x\u{2019}\u{2026}"
        );
    }

    #[test]
    fn the_search_finds_the_inverse_of_to_ascii_among_existing_ascii() {
        let sealed = "Range 1-2 \u{2014} \"quoted\" -- kept";
        let drifted = to_ascii(sealed);
        let s = sites(&drifted);
        assert!(s.combinations() > MAX_COMBINATIONS, "spaces and hyphens alone are too many to enumerate");
        assert!(s.variants().iter().any(|v| s.apply(v) == sealed));
    }

    #[test]
    fn the_search_finds_the_inverse_of_smarten() {
        let sealed = "He said \"stop\" -- then left...";
        let drifted = smarten(sealed);
        let s = sites(&drifted);
        assert!(s.variants().iter().any(|v| s.apply(v) == sealed));
    }

    #[test]
    fn a_variant_is_described_by_what_it_swaps_and_how_often() {
        let s = sites("a\u{2014}b\u{2014}c\u{2026}");
        let all = Variant { swaps: vec![(0, 0), (1, 0), (2, 0)] };
        assert_eq!(s.describe(&all), "\"—\"→\"--\" ×2, \"…\"→\"...\" ×1");
        assert_eq!(s.apply(&all), "a--b--c...");
        let spaces = sites("a\u{a0}b c");
        assert_eq!(spaces.describe(&Variant { swaps: vec![(0, 0), (1, 0)] }), "<U+00A0>→' ' ×1, ' '→<U+00A0> ×1");
    }

    /// Exactly the tiers promised: each combination once, then one variant
    /// per kind and option, then all typographic characters to ASCII.
    #[test]
    fn the_tiers_hold_each_combination_once_and_nothing_empty() {
        // One rare site, no common one: its 3 options, 3 per kind, 1 to ASCII.
        let s = sites("x\u{2014}y");
        assert_eq!(s.variants().len(), 3 + 3 + 1);
        // A space and a double hyphen: the rare tier (2 options), every
        // combination of both (3 × 2 - 1 = 5), per kind (1 + 2), none typographic.
        let s = sites("a b--c");
        let v = s.variants();
        assert_eq!(v.len(), 2 + 5 + 3);
        assert!(v.iter().all(|v| !v.swaps.is_empty()), "no variant swaps nothing");
        // Only the full enumeration swaps both: it must be there.
        assert!(v.iter().any(|v| s.apply(v) == "a\u{a0}b\u{2014}c"));
        // Past the limit, each per-kind variant swaps its kind alone.
        let long = "word -- ".repeat(50);
        let s = sites(&long);
        for v in s.variants() {
            let kinds: std::collections::BTreeSet<&str> = v.swaps.iter().map(|&(i, _)| s.sites[i].found).collect();
            assert_eq!(kinds.len(), 1, "{}", s.describe(&v));
        }
    }

    /// The full enumeration runs up to and including the limit.
    #[test]
    fn enumeration_stops_exactly_past_the_limit() {
        // Each ellipsis has one option: 2^12 = 4096 combinations, enumerated.
        let (twelve, thirteen) = ("\u{2026}x".repeat(12), "\u{2026}x".repeat(13));
        let at = sites(&twelve);
        assert_eq!(at.combinations(), MAX_COMBINATIONS);
        assert_eq!(at.variants().len(), MAX_COMBINATIONS - 1 + 1 + 1);
        let past = sites(&thirteen);
        assert_eq!(past.variants().len(), 2);
    }

    #[test]
    fn many_sites_fall_back_to_all_or_nothing() {
        let sealed = "word \u{2014} ".repeat(50);
        let drifted = to_ascii(&sealed);
        let s = sites(&drifted);
        assert!(s.combinations() > MAX_COMBINATIONS);
        let variants = s.variants();
        assert!(variants.len() < 20, "{}", variants.len());
        assert!(variants.iter().any(|v| s.apply(v) == sealed));
    }
}
