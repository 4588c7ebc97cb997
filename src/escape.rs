//! Escaping of raw path bytes for display and for reports.
//!
//! Packet paths are bytes. Wherever one is shown to a person or written into
//! a JSON report it goes through [`escape_bytes`], which is lossless and
//! unambiguous: valid UTF-8 passes through, except that `\` becomes `\\`,
//! control characters become `\n`, `\r`, `\t` or `\xNN`, and every byte that
//! is not part of valid UTF-8 becomes `\xNN`. (The manifest's own GNU-style
//! escaping lives in [`crate::manifest::escape`].)

use std::fmt::Write as _;

/// The display form of `bytes` (see the module docs for the rules).
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_bytes;

    #[test]
    fn display_escaping_is_lossless() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain/name.txt", "plain/name.txt"),
            ("ünï".as_bytes(), "ünï"),
            (b"a\\b", "a\\\\b"),
            (b"nl\nname", "nl\\nname"),
            (b"cr\rname\t", "cr\\rname\\t"),
            (b"nul\0", "nul\\x00"),
            (b"\xff\xfe", "\\xff\\xfe"),
            (b"latin1 caf\xe9", "latin1 caf\\xe9"),
            (b"\x7f", "\\x7f"),
        ];
        for (bytes, shown) in cases {
            assert_eq!(escape_bytes(bytes), *shown, "{bytes:?}");
        }
    }
}
