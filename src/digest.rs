//! SHA-256 digests: the 32-byte value, its hex forms, and streaming hashing.
//!
//! Hashing goes through `sha2`, which picks the SHA-NI (x86) or ARMv8 SHA2
//! instructions at run time; [`sha256_backend`] reports which one this
//! machine gets, so a slow re-run can be explained.

use std::fmt;
use std::io::{self, Read};

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

/// Why a digest string was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// Not 64 characters long.
    #[error("expected 64 hex characters, found {found}")]
    WrongLength {
        /// How many characters were there.
        found: usize,
    },
    /// A character that is not a hex digit.
    #[error("expected a hex digit at character {offset}, found {found}")]
    NotHex {
        /// 1-based position of the character.
        offset: usize,
        /// The offending character, escaped for display.
        found: String,
    },
    /// Uppercase hex where only lowercase is accepted.
    #[error("expected lowercase hex, found uppercase {found:?} at character {offset}")]
    Uppercase {
        /// 1-based position of the character.
        offset: usize,
        /// The offending character.
        found: char,
    },
    /// A prefix naming an algorithm other than SHA-256.
    #[error("expected a SHA-256 digest, found an algorithm prefix {prefix:?}")]
    OtherAlgorithm {
        /// The prefix as written, before the colon.
        prefix: String,
    },
    /// Leading or trailing white space.
    #[error("expected no white space around the digest")]
    WhiteSpace,
}

impl Digest {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        String::from_utf8(self.hex_bytes().to_vec()).expect("hex digits are ASCII")
    }

    /// Lowercase hex as bytes, without allocating.
    pub fn hex_bytes(&self) -> [u8; 64] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (pair, b) in out.chunks_exact_mut(2).zip(self.0) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0xf)];
        }
        out
    }

    /// Parses 64 hex digits in either case, as `sha256sum -c` does.
    pub fn from_hex_any_case(hex: &[u8]) -> Result<Digest, DigestError> {
        parse_hex(hex, true)
    }

    /// Parses a pin: exactly 64 lowercase hex digits, optionally behind a
    /// `sha256:` prefix. Anything else is refused with the precise reason.
    pub fn from_pin(text: &str) -> Result<Digest, DigestError> {
        if text.trim() != text {
            return Err(DigestError::WhiteSpace);
        }
        let hex = match text.split_once(':') {
            Some(("sha256", rest)) => rest,
            Some((prefix, _)) => return Err(DigestError::OtherAlgorithm { prefix: prefix.to_string() }),
            None => text,
        };
        parse_hex(hex.as_bytes(), false)
    }
}

fn parse_hex(hex: &[u8], any_case: bool) -> Result<Digest, DigestError> {
    if hex.len() != 64 {
        return Err(DigestError::WrongLength { found: String::from_utf8_lossy(hex).chars().count() });
    }
    let mut out = [0u8; 32];
    for (i, &c) in hex.iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' if any_case => c - b'A' + 10,
            b'A'..=b'F' => return Err(DigestError::Uppercase { offset: i + 1, found: c as char }),
            _ => return Err(DigestError::NotHex { offset: i + 1, found: crate::escape::escape_bytes(&[c]) }),
        };
        out[i / 2] |= if i % 2 == 0 { v << 4 } else { v };
    }
    Ok(Digest(out))
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

/// Hashes everything `reader` yields, streaming through `buf`.
///
/// Returns the digest and the number of bytes read. `buf` is the caller's so
/// one buffer serves many files.
pub fn hash_reader<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<(Digest, u64)> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    loop {
        match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok((Digest(hasher.finalize().into()), total))
}

/// Hashes exactly `len` bytes of `reader`, streaming through `buf`, and
/// returns how many were there (fewer means the input ended early). Nothing
/// past `len` is read, except for `len == 0`, where one read checks the
/// input really is empty; a caller that must know nothing was appended
/// checks the size again afterwards (as [`crate::hash::hash_open`] does).
pub fn hash_exact<R: Read + ?Sized>(reader: &mut R, len: u64, buf: &mut [u8]) -> io::Result<(Digest, u64)> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    if len == 0 {
        loop {
            match reader.read(&mut buf[..1]) {
                Ok(n) => return Ok((Digest(hasher.finalize().into()), n as u64)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
    // A file that fits the buffer is read into it end to end, so the caller
    // has its bytes afterwards in `buf[..len]` without reading it again.
    let fits = usize::try_from(len).is_ok_and(|l| l <= buf.len());
    while total < len {
        let at = if fits { total as usize } else { 0 };
        let want = (buf.len() - at).min(usize::try_from(len - total).unwrap_or(usize::MAX));
        match reader.read(&mut buf[at..at + want]) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[at..at + n]);
                total += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok((Digest(hasher.finalize().into()), total))
}

/// The SHA-256 implementation `sha2` uses on this machine: `sha-ni`,
/// `armv8-sha2` or `soft`.
pub fn sha256_backend() -> &'static str {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        if std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse2")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1")
        {
            return "sha-ni";
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        if std::arch::is_aarch64_feature_detected!("sha2") {
            return "armv8-sha2";
        }
    }
    "soft"
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn known_answer_abc() {
        assert_eq!(Digest::of(b"abc").to_hex(), ABC);
        let mut buf = [0u8; 2];
        let (d, n) = hash_reader(&mut &b"abc"[..], &mut buf).unwrap();
        assert_eq!((d.to_hex().as_str(), n), (ABC, 3));
    }

    #[test]
    fn hash_exact_reads_no_further_than_asked() {
        let mut buf = [0u8; 2];
        let mut input = &b"abcdef"[..];
        let (d, n) = hash_exact(&mut input, 3, &mut buf).unwrap();
        assert_eq!((d.to_hex().as_str(), n), (ABC, 3));
        assert_eq!(input, b"def", "bytes past the length stay unread");
        let mut big = [0u8; 8];
        let (_, n) = hash_exact(&mut &b"abcdef"[..], 6, &mut big).unwrap();
        assert_eq!((n, &big[..6]), (6, &b"abcdef"[..]), "a file that fits stays in the buffer");
        let (_, n) = hash_exact(&mut &b"ab"[..], 3, &mut buf).unwrap();
        assert_eq!(n, 2, "a short input is reported short");
        let (_, n) = hash_exact(&mut &b"x"[..], 0, &mut buf).unwrap();
        assert_eq!(n, 1, "an input said to be empty is probed");
    }

    #[test]
    fn hex_round_trip_and_case() {
        let d = Digest::from_hex_any_case(ABC.as_bytes()).unwrap();
        assert_eq!(d.to_hex(), ABC);
        let upper = ABC.to_uppercase();
        assert_eq!(Digest::from_hex_any_case(upper.as_bytes()).unwrap(), d);
        assert_eq!(Digest::from_pin(&upper), Err(DigestError::Uppercase { offset: 1, found: 'B' }));
    }

    #[test]
    fn pins_are_refused_precisely() {
        assert!(Digest::from_pin(ABC).is_ok());
        assert!(Digest::from_pin(&format!("sha256:{ABC}")).is_ok());
        assert_eq!(Digest::from_pin(&ABC[1..]), Err(DigestError::WrongLength { found: 63 }));
        assert_eq!(Digest::from_pin(&format!("{ABC}0")), Err(DigestError::WrongLength { found: 65 }));
        assert_eq!(Digest::from_pin(&format!(" {ABC}")), Err(DigestError::WhiteSpace));
        assert_eq!(
            Digest::from_pin(&format!("sha512:{ABC}")),
            Err(DigestError::OtherAlgorithm { prefix: "sha512".into() })
        );
        let bad = format!("{}g", &ABC[..63]);
        assert_eq!(Digest::from_pin(&bad), Err(DigestError::NotHex { offset: 64, found: "g".into() }));
        let nul = format!("{}\0", &ABC[..63]);
        assert_eq!(
            Digest::from_hex_any_case(nul.as_bytes()),
            Err(DigestError::NotHex { offset: 64, found: "\\x00".into() })
        );
    }
}
