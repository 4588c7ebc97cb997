//! Windows-1252 and Latin-1 re-encodings, both ways.
//!
//! Two drifts look alike: UTF-8 text converted to a single-byte encoding
//! (`iconv -t CP1252`), and UTF-8 text read as a single-byte encoding and
//! written back as UTF-8 (`â€”` for `—`). Decoding single-byte input as
//! UTF-8 undoes the first; encoding UTF-8 text to single bytes undoes the
//! second (and a conversion the other way round).

use encoding_rs::WINDOWS_1252;

/// A single-byte encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Charset {
    /// Windows-1252 (WHATWG mapping).
    Cp1252,
    /// ISO-8859-1: every byte is the code point of the same value.
    Latin1,
}

impl Charset {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Charset::Cp1252 => "Windows-1252",
            Charset::Latin1 => "Latin-1",
        }
    }
}

/// Reads `b` as `cs` and writes it as UTF-8. `None` when that changes
/// nothing (pure ASCII) or the input is already valid UTF-8 with non-ASCII
/// (then it is not single-byte text).
pub fn decode(b: &[u8], cs: Charset) -> Option<Vec<u8>> {
    if b.is_ascii() || std::str::from_utf8(b).is_ok() {
        return None;
    }
    Some(match cs {
        Charset::Cp1252 => WINDOWS_1252.decode_without_bom_handling(b).0.into_owned().into_bytes(),
        Charset::Latin1 => b.iter().map(|&c| char::from(c)).collect::<String>().into_bytes(),
    })
}

/// Writes UTF-8 text `b` in `cs`. `None` when `b` is not UTF-8, is pure
/// ASCII, or holds a character `cs` cannot represent.
pub fn encode(b: &[u8], cs: Charset) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(b).ok()?;
    if s.is_ascii() {
        return None;
    }
    match cs {
        Charset::Cp1252 => {
            let (out, _, unmappable) = WINDOWS_1252.encode(s);
            (!unmappable).then(|| out.into_owned())
        }
        Charset::Latin1 => s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proofs name the encoding a drift went through.
    #[test]
    fn charsets_have_their_common_names() {
        assert_eq!(Charset::Cp1252.name(), "Windows-1252");
        assert_eq!(Charset::Latin1.name(), "Latin-1");
    }

    /// Text that is already UTF-8 is not single-byte text: there is nothing
    /// to decode, whichever charset is tried.
    #[test]
    fn utf8_text_is_never_decoded_as_single_bytes() {
        for cs in [Charset::Cp1252, Charset::Latin1] {
            assert_eq!(decode("caf\u{e9}".as_bytes(), cs), None);
            assert_eq!(decode(b"plain", cs), None);
            assert!(decode(b"caf\xe9", cs).is_some());
        }
    }

    #[test]
    fn cp1252_round_trip() {
        let text = "em \u{2014} dash, \u{201c}quotes\u{201d}, caf\u{e9} \u{20ac}5".as_bytes();
        let single = encode(text, Charset::Cp1252).unwrap();
        assert_eq!(single[3], 0x97, "em dash is 0x97 in Windows-1252");
        assert_eq!(decode(&single, Charset::Cp1252).unwrap(), text);
    }

    #[test]
    fn double_encoding_is_undone_by_encoding() {
        let text = "caf\u{e9} \u{2014}".as_bytes();
        let mojibake = decode(text.iter().copied().chain([0xff]).collect::<Vec<_>>().as_slice(), Charset::Cp1252);
        assert!(mojibake.is_some());
        let garbled = "caf\u{c3}\u{a9} \u{e2}\u{20ac}\u{201d}".as_bytes();
        assert_eq!(encode(garbled, Charset::Cp1252).unwrap(), text);
    }

    #[test]
    fn latin1_round_trip_and_refusals() {
        let text = "na\u{ef}ve".as_bytes();
        let single = encode(text, Charset::Latin1).unwrap();
        assert_eq!(single, b"na\xefve");
        assert_eq!(decode(&single, Charset::Latin1).unwrap(), text);
        assert_eq!(encode("\u{2014}".as_bytes(), Charset::Latin1), None);
        assert_eq!(encode(b"ascii", Charset::Cp1252), None);
        assert_eq!(decode(b"ascii", Charset::Cp1252), None);
    }
}
