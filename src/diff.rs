//! Comparing a drifted file with a copy of its sealed bytes (`--against`).
//!
//! Output is bounded: a unified diff with a few lines of context, cut after
//! [`MAX_DIFF_LINES`] lines with a count of what was left out; for binary
//! data, the first differing ranges as offsets and lengths. Characters that
//! hide in a terminal are made visible: CR as `␍`, and the BOM, no-break
//! and zero-width spaces, typographic dashes and quotes, and combining marks
//! as `<U+XXXX>`.

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

/// The most diff lines shown per file.
pub const MAX_DIFF_LINES: usize = 60;
/// The most differing byte ranges listed for binary data.
pub const MAX_RANGES: usize = 8;

/// What differs between the sealed bytes and the bytes found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Offset of the first differing byte (the shorter length if one is a
    /// prefix of the other).
    pub first_difference: u64,
    /// A unified diff (text) or a list of differing ranges (binary).
    pub detail: String,
}

/// Compares `sealed` with `actual`.
pub fn compare(sealed: &[u8], actual: &[u8]) -> Comparison {
    let first = sealed.iter().zip(actual).position(|(a, b)| a != b).unwrap_or(sealed.len().min(actual.len()));
    let detail = match (std::str::from_utf8(sealed), std::str::from_utf8(actual)) {
        (Ok(a), Ok(b)) if !a.contains('\0') && !b.contains('\0') => text_diff(a, b),
        _ => binary_ranges(sealed, actual),
    };
    Comparison { first_difference: first as u64, detail }
}

/// Makes hiding characters visible.
pub fn visible(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\r' => out.push('\u{240d}'),
            '\n' => {}
            c if hides(c) => {
                let _ = write!(out, "<U+{:04X}>", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn hides(c: char) -> bool {
    matches!(c,
        '\u{feff}' | '\u{a0}' | '\u{200b}'..='\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{2060}'
        | '\u{2010}'..='\u{2015}' | '\u{2018}'..='\u{201f}' | '\u{2026}' | '\u{2212}'
        | '\u{202f}' | '\u{2000}'..='\u{200a}')
        || unicode_normalization::char::is_combining_mark(c)
}

fn text_diff(sealed: &str, actual: &str) -> String {
    let diff = TextDiff::from_lines(sealed, actual);
    let mut lines = Vec::new();
    for group in diff.grouped_ops(2) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                let mut l = format!("{sign}{}", visible(change.value()));
                if change.missing_newline() {
                    l.push_str(" <no final newline>");
                }
                lines.push(l);
            }
        }
        lines.push("…".to_string());
    }
    lines.pop();
    let total = lines.len();
    let mut out: Vec<String> = vec!["--- sealed".into(), "+++ found".into()];
    out.extend(lines.into_iter().take(MAX_DIFF_LINES));
    if total > MAX_DIFF_LINES {
        out.push(format!("… {} more diff lines not shown", total - MAX_DIFF_LINES));
    }
    out.join("\n")
}

fn binary_ranges(sealed: &[u8], actual: &[u8]) -> String {
    let mut ranges = Vec::new();
    let common = sealed.len().min(actual.len());
    let mut i = 0;
    while i < common {
        if sealed[i] == actual[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < common && sealed[i] != actual[i] {
            i += 1;
        }
        ranges.push((start, i - start));
    }
    let mut out: Vec<String> =
        ranges.iter().take(MAX_RANGES).map(|(s, n)| format!("bytes {s}..{} differ ({n} bytes)", s + n)).collect();
    if ranges.len() > MAX_RANGES {
        out.push(format!("… {} more differing ranges not shown", ranges.len() - MAX_RANGES));
    }
    if sealed.len() != actual.len() {
        out.push(format!("length: sealed {} bytes, found {} bytes", sealed.len(), actual.len()));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_diff_shows_invisible_characters() {
        let c = compare(b"a\nb \xe2\x80\x94 c\n", b"\xef\xbb\xbfa\r\nb -- c\n");
        assert_eq!(c.first_difference, 0);
        assert_eq!(c.detail, "--- sealed\n+++ found\n-a\n-b <U+2014> c\n+<U+FEFF>a\u{240d}\n+b -- c");
    }

    #[test]
    fn long_diffs_are_cut_with_a_count() {
        let a: String = (0..200).map(|i| format!("{i}\n")).collect();
        let b: String = (0..200).map(|i| format!("{}\n", i * 2)).collect();
        let c = compare(a.as_bytes(), b.as_bytes());
        assert!(c.detail.lines().count() <= MAX_DIFF_LINES + 3);
        assert!(c.detail.ends_with("more diff lines not shown"), "{}", c.detail);
    }

    #[test]
    fn binary_ranges_and_lengths() {
        let c = compare(&[0, 1, 2, 3, 4], &[0, 9, 9, 3, 4, 5]);
        assert_eq!(c.first_difference, 1);
        assert_eq!(c.detail, "bytes 1..3 differ (2 bytes)\nlength: sealed 5 bytes, found 6 bytes");
    }
}
