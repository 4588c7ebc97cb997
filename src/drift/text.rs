//! Envelope transforms on text: UTF-8 BOM, line ends, final newline, and
//! Unicode normalization. Each is a pair of directions; each returns `None`
//! when it would not change the bytes (so no search ever counts a no-op).

use unicode_normalization::{is_nfc, is_nfd, UnicodeNormalization};

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xef\xbb\xbf";

/// Removes a leading BOM.
pub fn strip_bom(b: &[u8]) -> Option<Vec<u8>> {
    b.strip_prefix(BOM).map(<[u8]>::to_vec)
}

/// Adds a leading BOM (not on top of one already there).
pub fn add_bom(b: &[u8]) -> Option<Vec<u8>> {
    if b.starts_with(BOM) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() + 3);
    out.extend_from_slice(BOM);
    out.extend_from_slice(b);
    Some(out)
}

/// Whether `b` holds a CRLF.
pub fn has_crlf(b: &[u8]) -> bool {
    b.windows(2).any(|w| w == b"\r\n")
}

/// Whether `b` holds an LF not preceded by CR.
pub fn has_bare_lf(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| c == b'\n' && (i == 0 || b[i - 1] != b'\r'))
}

/// CRLF → LF everywhere.
pub fn crlf_to_lf(b: &[u8]) -> Option<Vec<u8>> {
    if !has_crlf(b) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    Some(out)
}

/// LF → CRLF for every LF not already behind a CR (what git's autocrlf does).
pub fn lf_to_crlf(b: &[u8]) -> Option<Vec<u8>> {
    if !has_bare_lf(b) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() + b.len() / 32);
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' && (i == 0 || b[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(c);
    }
    Some(out)
}

/// Removes one final line end (`\r\n` or `\n`).
pub fn strip_final_newline(b: &[u8]) -> Option<Vec<u8>> {
    b.strip_suffix(b"\r\n").or_else(|| b.strip_suffix(b"\n")).map(<[u8]>::to_vec)
}

/// Adds a final line end when there is none: CRLF if the text already uses
/// CRLF, else LF. Empty input gets none (an empty file has no last line).
pub fn add_final_newline(b: &[u8]) -> Option<Vec<u8>> {
    if b.is_empty() || b.ends_with(b"\n") {
        return None;
    }
    let mut out = b.to_vec();
    if has_crlf(b) && !has_bare_lf(b) {
        out.extend_from_slice(b"\r\n");
    } else {
        out.push(b'\n');
    }
    Some(out)
}

/// NFC, when the text is valid UTF-8 and not already NFC.
pub fn to_nfc(b: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(b).ok()?;
    if is_nfc(s) {
        return None;
    }
    Some(s.nfc().collect::<String>().into_bytes())
}

/// NFD, when the text is valid UTF-8 and not already NFD.
pub fn to_nfd(b: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(b).ok()?;
    if is_nfd(s) {
        return None;
    }
    Some(s.nfd().collect::<String>().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_round_trip() {
        assert_eq!(add_bom(b"x").unwrap(), b"\xef\xbb\xbfx");
        assert_eq!(strip_bom(&add_bom(b"x").unwrap()).unwrap(), b"x");
        assert_eq!(add_bom(b"\xef\xbb\xbfx"), None);
        assert_eq!(strip_bom(b"x"), None);
    }

    #[test]
    fn line_end_round_trip() {
        assert_eq!(lf_to_crlf(b"a\nb\n").unwrap(), b"a\r\nb\r\n");
        assert_eq!(crlf_to_lf(b"a\r\nb\r\n").unwrap(), b"a\nb\n");
        // Only a CR right before an LF goes: a lone CR, and the byte before
        // a bare LF, stay.
        assert_eq!(crlf_to_lf(b"a\r\nb\rc\nd").unwrap(), b"a\nb\rc\nd");
        assert_eq!(lf_to_crlf(b"a\r\nb\n").unwrap(), b"a\r\nb\r\n");
        assert_eq!(crlf_to_lf(b"no newline"), None);
        assert_eq!(lf_to_crlf(b"a\r\n"), None);
        assert_eq!(crlf_to_lf(b"lone\rcr\n"), None);
    }

    #[test]
    fn final_newline_round_trip() {
        assert_eq!(add_final_newline(b"a").unwrap(), b"a\n");
        assert_eq!(add_final_newline(b"a\r\nb").unwrap(), b"a\r\nb\r\n");
        assert_eq!(strip_final_newline(b"a\r\n").unwrap(), b"a");
        assert_eq!(strip_final_newline(b"a\n\n").unwrap(), b"a\n");
        assert_eq!(add_final_newline(b""), None);
        assert_eq!(add_final_newline(b"a\n"), None);
    }

    #[test]
    fn normalization_round_trip() {
        let nfc = "caf\u{e9}".as_bytes();
        let nfd = to_nfd(nfc).unwrap();
        assert_eq!(nfd, "cafe\u{301}".as_bytes());
        assert_eq!(to_nfc(&nfd).unwrap(), nfc);
        assert_eq!(to_nfc(nfc), None);
        assert_eq!(to_nfd(b"ascii"), None);
        assert_eq!(to_nfc(b"\xff"), None);
    }
}
