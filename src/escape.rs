//! The one display function: bytes a person reads, made safe and kept
//! lossless.
//!
//! Packet paths are bytes, and file contents and server bodies can hold
//! anything. Wherever such bytes are shown to a person or written into a
//! report they go through [`escape_bytes`], which is lossless and
//! unambiguous: valid UTF-8 passes through, except that `\` becomes `\\`,
//! C0 controls and DEL become `\n`, `\r`, `\t` or `\xNN`, C1 controls
//! (U+0080–U+009F) and the bidirectional controls that can make a line read
//! backwards (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) become
//! `\u{XXXX}`, and every byte that is not part of valid UTF-8 becomes `\xNN`.
//! [`unescape_bytes`] gives the bytes back. [`display_text`] applies the
//! same rules to text that is already a string (a message, a rendered
//! line), keeping its line breaks. (The manifest's own GNU-style escaping
//! lives in [`crate::manifest::escape`].)

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
                c => push_char(&mut out, c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Pushes `c`, escaped when a terminal would act on it: C0 controls and
/// DEL as `\xNN`, C1 and bidi controls as `\u{XXXX}`.
fn push_char(out: &mut String, c: char) {
    if (c as u32) < 0x20 || c == '\u{7f}' {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else if is_invisible_control(c) {
        let _ = write!(out, "\\u{{{:04x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// C1 controls and the bidirectional formatting characters: invisible, and
/// able to make a line read as something else.
pub fn is_invisible_control(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text made safe for a person: every line of `text` escaped as
/// [`escape_bytes`] escapes, line breaks kept (a CR is escaped: it could
/// overwrite what a line says).
pub fn display_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for c in line.chars() {
            match c {
                '\t' => out.push('\t'),
                c => push_char(&mut out, c),
            }
        }
    }
    out
}

/// The bytes [`escape_bytes`] made `shown` from; `None` when `shown` is not
/// such a form.
pub fn unescape_bytes(shown: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(shown.len());
    let mut chars = shown.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next()? {
            '\\' => out.push(b'\\'),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 2)?);
            }
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let c = char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{display_text, escape_bytes, unescape_bytes};

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
            assert_eq!(unescape_bytes(shown).as_deref(), Some(*bytes), "{shown}");
        }
    }

    #[test]
    fn c1_and_bidi_controls_are_escaped() {
        assert_eq!(escape_bytes("a\u{202e}txt.exe".as_bytes()), "a\\u{202e}txt.exe");
        assert_eq!(escape_bytes("\u{9b}31m".as_bytes()), "\\u{009b}31m");
        assert_eq!(unescape_bytes("a\\u{202e}b").unwrap(), "a\u{202e}b".as_bytes());
        assert_eq!(display_text("ok\rPASS\n\u{1b}[2Jx\u{2066}"), "ok\\x0dPASS\n\\x1b[2Jx\\u{2066}");
    }
}
