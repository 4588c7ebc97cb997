//! GNU `sha256sum` file-name escaping (manifest rule M4).
//!
//! A name holding `\`, LF or CR is written on a line that starts with `\`,
//! with `\` as `\\`, LF as `\n` and CR as `\r`. Reading accepts exactly those
//! three escapes; any other (`\t`, a lone trailing `\`) is an error, never
//! passed through.

use std::borrow::Cow;

/// Whether `name` must be written escaped.
pub fn needs_escape(name: &[u8]) -> bool {
    name.iter().any(|&b| matches!(b, b'\\' | b'\n' | b'\r'))
}

/// The escaped form of `name` (without the line's leading `\`).
pub fn escape(name: &[u8]) -> Cow<'_, [u8]> {
    if !needs_escape(name) {
        return Cow::Borrowed(name);
    }
    let mut out = Vec::with_capacity(name.len() + 4);
    for &b in name {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b => out.push(b),
        }
    }
    Cow::Owned(out)
}

/// Why an escaped name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnescapeError {
    /// An escape other than `\\`, `\n`, `\r`.
    #[error("unknown escape '\\{}' (only \\\\, \\n and \\r are defined)", crate::escape::escape_bytes(&[*.0]))]
    Unknown(u8),
    /// The name ends with a lone `\`.
    #[error("lone trailing backslash in an escaped name")]
    Trailing,
}

/// Reverses [`escape`].
pub fn unescape(escaped: &[u8]) -> Result<Vec<u8>, UnescapeError> {
    let mut out = Vec::with_capacity(escaped.len());
    let mut it = escaped.iter();
    while let Some(&b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match it.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(&other) => return Err(UnescapeError::Unknown(other)),
            None => return Err(UnescapeError::Trailing),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_m4_escape_table() {
        let cases: &[(&[u8], bool, &[u8])] = &[
            (b"plain", false, b"plain"),
            (b"back\\slash", true, b"back\\\\slash"),
            (b"nl\nname", true, b"nl\\nname"),
            (b"cr\rname", true, b"cr\\rname"),
            (b"\\n", true, b"\\\\n"),
        ];
        for (raw, needs, escaped) in cases {
            assert_eq!(needs_escape(raw), *needs);
            assert_eq!(&*escape(raw), *escaped);
            assert_eq!(unescape(escaped).as_deref(), Ok(*raw));
        }
    }

    #[test]
    fn rule_m4_unknown_escapes_are_refused() {
        assert_eq!(unescape(b"a\\tb"), Err(UnescapeError::Unknown(b't')));
        assert_eq!(unescape(b"a\\"), Err(UnescapeError::Trailing));
        assert_eq!(unescape(b"\\0"), Err(UnescapeError::Unknown(b'0')));
    }
}
