//! Digests: the SHA-256 value every tree hash is made of ([`Digest`]), the
//! algorithm-aware value every seal format holds ([`Algo`], [`AnyDigest`]),
//! and streaming hashing of one input with several algorithms at once
//! ([`MultiHasher`]).
//!
//! SHA-256 goes through `sha2`, which picks the SHA-NI (x86) or ARMv8 SHA2
//! instructions at run time; [`sha256_backend`] reports which one this
//! machine gets, so a slow re-run can be explained. SHA-1 and MD5 are read
//! because bags hold them, and are marked weak: they never vouch for a file
//! alone.

use std::fmt;
use std::io::{self, Read};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use smallvec::SmallVec;

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
    /// Not the length the algorithm's digests have.
    #[error("expected {} hex characters for {algo}, found {found}", algo.hex_len())]
    WrongLengthFor {
        /// The algorithm.
        algo: Algo,
        /// How many characters were there.
        found: usize,
    },
}

impl Digest {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Lowercase hex as bytes, without allocating.
    pub fn hex_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        hex::encode_to_slice(self.0, &mut out).expect("64 bytes hold 32 in hex");
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
    decode_hex(hex, any_case, &mut out)?;
    Ok(Digest(out))
}

/// Each byte's value as a hex digit; `INVALID` for a byte that is not one.
/// Uppercase digits carry `UPPER` as well.
const HEX_VALUE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            b @ b'A'..=b'F' => (b - b'A' + 10) | UPPER,
            _ => INVALID,
        };
        c += 1;
    }
    t
};
const INVALID: u8 = 0x80;
const UPPER: u8 = 0x40;

/// Decodes `hex` (twice `out`'s length) into `out`, saying precisely which
/// character is wrong. (The `hex` crate's errors name no position.)
fn decode_hex(hex: &[u8], any_case: bool, out: &mut [u8]) -> Result<(), DigestError> {
    if decode_hex_fast(hex, any_case, out) {
        return Ok(());
    }
    out.fill(0);
    decode_hex_precisely(hex, any_case, out)
}

/// The fast path of [`decode_hex`]: one table lookup a digit, one test at
/// the end (a manifest holds a digest a line, so this is most of parsing
/// one). True when every digit was valid and `out` holds the value; false
/// leaves `out` meaningless, for the precise loop to redo.
fn decode_hex_fast(hex: &[u8], any_case: bool, out: &mut [u8]) -> bool {
    let refused = if any_case { INVALID } else { INVALID | UPPER };
    let mut seen = 0u8;
    for (pair, o) in hex.chunks_exact(2).zip(out.iter_mut()) {
        let (hi, lo) = (HEX_VALUE[pair[0] as usize], HEX_VALUE[pair[1] as usize]);
        seen |= hi | lo;
        *o = (hi & 0x0f) << 4 | (lo & 0x0f);
    }
    seen & refused == 0 && hex.len() == out.len() * 2
}

/// The slow path of [`decode_hex`]: the same result, or the first wrong
/// character and where it is.
fn decode_hex_precisely(hex: &[u8], any_case: bool, out: &mut [u8]) -> Result<(), DigestError> {
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
    Ok(())
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

/// Hashes exactly `len` bytes of `reader` with SHA-256, streaming through
/// `buf`, and returns how many were there (see [`hash_exact_with`]).
pub fn hash_exact<R: Read + ?Sized>(reader: &mut R, len: u64, buf: &mut [u8]) -> io::Result<(Digest, u64)> {
    let (digest, _, n) = hash_exact_with(reader, len, buf, MultiHasher::new(&[]))?;
    Ok((digest, n))
}

/// Hashes exactly `len` bytes of `reader` with every hash of `hasher`,
/// streaming through `buf`, and returns how many were there (fewer means
/// the input ended early). Nothing past `len` is read, except for
/// `len == 0`, where one read checks the input really is empty; a caller
/// that must know nothing was appended checks the size again afterwards
/// (as [`crate::hash::hash_open`] does).
pub fn hash_exact_with<R: Read + ?Sized>(
    reader: &mut R,
    len: u64,
    buf: &mut [u8],
    mut hasher: MultiHasher,
) -> io::Result<(Digest, Vec<AnyDigest>, u64)> {
    let mut total = 0u64;
    if len == 0 {
        loop {
            match reader.read(&mut buf[..1]) {
                Ok(n) => {
                    let (d, others) = hasher.finish();
                    return Ok((d, others, n as u64));
                }
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
    let (d, others) = hasher.finish();
    Ok((d, others, total))
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

/// A digest algorithm a seal may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Algo {
    /// SHA-256 (strong): the canonical manifest and every tree hash.
    Sha256,
    /// SHA-512 (strong).
    Sha512,
    /// BLAKE3 with 256-bit output (strong), as `b3sum` writes it.
    Blake3,
    /// SHA-1 (weak: never vouches for a file alone).
    Sha1,
    /// MD5 (weak: never vouches for a file alone).
    Md5,
}

impl Algo {
    /// Every algorithm, strongest-preferred first.
    pub const ALL: [Algo; 5] = [Algo::Sha256, Algo::Sha512, Algo::Blake3, Algo::Sha1, Algo::Md5];

    /// The lowercase name used in file names and reports (`sha256`, …).
    pub fn name(self) -> &'static str {
        match self {
            Algo::Sha256 => "sha256",
            Algo::Sha512 => "sha512",
            Algo::Blake3 => "blake3",
            Algo::Sha1 => "sha1",
            Algo::Md5 => "md5",
        }
    }

    /// The word a BSD tagged line starts with (`SHA256 (name) = hex`).
    pub fn tag(self) -> &'static str {
        match self {
            Algo::Sha256 => "SHA256",
            Algo::Sha512 => "SHA512",
            Algo::Blake3 => "BLAKE3",
            Algo::Sha1 => "SHA1",
            Algo::Md5 => "MD5",
        }
    }

    /// The algorithm a lowercase name or a BSD tag word names.
    pub fn from_name(name: &str) -> Option<Algo> {
        Algo::ALL.into_iter().find(|a| a.name() == name || a.tag() == name)
    }

    /// Strong enough to seal evidence on its own.
    pub fn strong(self) -> bool {
        matches!(self, Algo::Sha256 | Algo::Sha512 | Algo::Blake3)
    }

    /// Bytes in a digest.
    pub fn digest_len(self) -> usize {
        match self {
            Algo::Sha256 | Algo::Blake3 => 32,
            Algo::Sha512 => 64,
            Algo::Sha1 => 20,
            Algo::Md5 => 16,
        }
    }

    /// Hex digits in a digest.
    pub fn hex_len(self) -> usize {
        2 * self.digest_len()
    }

    /// The digest of `bytes`.
    pub fn digest(self, bytes: &[u8]) -> AnyDigest {
        let mut h = AlgoHasher::new(self);
        h.update(bytes);
        h.finish()
    }
}

impl fmt::Display for Algo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A digest of any [`Algo`]: the value every seal format is read into.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnyDigest {
    algo: Algo,
    // Up to 32 bytes inline: a seal of a million SHA-256 lines would
    // otherwise make a million allocations of 32 bytes, each with its own
    // header and pointer.
    bytes: SmallVec<[u8; 32]>,
}

impl AnyDigest {
    /// A digest from its raw bytes; `None` when the length is not the
    /// algorithm's.
    pub fn new(algo: Algo, bytes: Vec<u8>) -> Option<AnyDigest> {
        (bytes.len() == algo.digest_len()).then(|| AnyDigest { algo, bytes: SmallVec::from_vec(bytes) })
    }

    /// Parses `hex` (either case) as a digest of `algo`.
    pub fn from_hex(algo: Algo, hex: &[u8]) -> Result<AnyDigest, DigestError> {
        if hex.len() != algo.hex_len() {
            let found = String::from_utf8_lossy(hex).chars().count();
            if algo == Algo::Sha256 {
                return Err(DigestError::WrongLength { found });
            }
            return Err(DigestError::WrongLengthFor { algo, found });
        }
        let mut out = SmallVec::from_elem(0u8, algo.digest_len());
        decode_hex(hex, true, &mut out)?;
        Ok(AnyDigest { algo, bytes: out })
    }

    /// Its algorithm.
    pub fn algo(&self) -> Algo {
        self.algo
    }

    /// Its raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }

    /// The SHA-256 value, when this is one.
    pub fn sha256(&self) -> Option<Digest> {
        (self.algo == Algo::Sha256).then(|| Digest(self.bytes[..].try_into().expect("32 bytes")))
    }

    /// Whether `bytes` hash to this digest.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        match self.sha256() {
            Some(d) => Digest::of(bytes) == d,
            None => self.algo.digest(bytes) == *self,
        }
    }
}

impl From<Digest> for AnyDigest {
    fn from(d: Digest) -> AnyDigest {
        AnyDigest { algo: Algo::Sha256, bytes: SmallVec::from_buf(d.0) }
    }
}

impl fmt::Display for AnyDigest {
    /// `algo:hex`, the form reports use where the algorithm is not implied.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algo, self.to_hex())
    }
}

impl fmt::Debug for AnyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnyDigest({self})")
    }
}

/// A set of algorithms in one byte, for the one job per file (a `Vec`
/// there costs an allocation and some 50 bytes per file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlgoSet(u8);

impl AlgoSet {
    /// The set of `algos`.
    pub fn of(algos: impl IntoIterator<Item = Algo>) -> AlgoSet {
        AlgoSet(algos.into_iter().fold(0, |bits, a| bits | 1 << a as u8))
    }

    /// Its algorithms, in [`Algo::ALL`] order, as a fixed array and a
    /// count (no allocation).
    pub fn to_array(self) -> ([Algo; 5], usize) {
        let mut out = [Algo::Sha256; 5];
        let mut n = 0;
        for a in Algo::ALL {
            if self.0 & (1 << a as u8) != 0 {
                out[n] = a;
                n += 1;
            }
        }
        (out, n)
    }
}

/// One running hash of one algorithm.
#[derive(Clone)]
pub enum AlgoHasher {
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-512.
    Sha512(sha2::Sha512),
    /// BLAKE3.
    Blake3(Box<blake3::Hasher>),
    /// SHA-1.
    Sha1(sha1::Sha1),
    /// MD5.
    Md5(md5::Md5),
}

impl AlgoHasher {
    /// A fresh hasher for `algo`.
    pub fn new(algo: Algo) -> AlgoHasher {
        match algo {
            Algo::Sha256 => AlgoHasher::Sha256(Sha256::new()),
            Algo::Sha512 => AlgoHasher::Sha512(sha2::Sha512::new()),
            Algo::Blake3 => AlgoHasher::Blake3(Box::default()),
            Algo::Sha1 => AlgoHasher::Sha1(sha1::Sha1::new()),
            Algo::Md5 => AlgoHasher::Md5(md5::Md5::new()),
        }
    }

    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            AlgoHasher::Sha256(h) => h.update(bytes),
            AlgoHasher::Sha512(h) => h.update(bytes),
            AlgoHasher::Blake3(h) => {
                h.update(bytes);
            }
            AlgoHasher::Sha1(h) => h.update(bytes),
            AlgoHasher::Md5(h) => h.update(bytes),
        }
    }

    /// The digest of everything fed.
    pub fn finish(self) -> AnyDigest {
        let (algo, bytes): (Algo, SmallVec<[u8; 32]>) = match self {
            AlgoHasher::Sha256(h) => (Algo::Sha256, SmallVec::from_slice(&h.finalize())),
            AlgoHasher::Sha512(h) => (Algo::Sha512, SmallVec::from_slice(&h.finalize())),
            AlgoHasher::Blake3(h) => (Algo::Blake3, SmallVec::from_slice(h.finalize().as_bytes())),
            AlgoHasher::Sha1(h) => (Algo::Sha1, SmallVec::from_slice(&h.finalize())),
            AlgoHasher::Md5(h) => (Algo::Md5, SmallVec::from_slice(&h.finalize())),
        };
        AnyDigest { algo, bytes }
    }
}

/// SHA-256, always, plus any other algorithms, over one stream of bytes:
/// a file is read once whatever its seal asks of it.
#[derive(Clone)]
pub struct MultiHasher {
    sha256: Sha256,
    others: Vec<AlgoHasher>,
}

impl MultiHasher {
    /// SHA-256 and every algorithm of `extra` other than SHA-256.
    pub fn new(extra: &[Algo]) -> MultiHasher {
        let mut others: Vec<AlgoHasher> = Vec::new();
        let mut seen: Vec<Algo> = Vec::new();
        for &a in extra {
            if a != Algo::Sha256 && !seen.contains(&a) {
                seen.push(a);
                others.push(AlgoHasher::new(a));
            }
        }
        MultiHasher { sha256: Sha256::new(), others }
    }

    /// Feeds `bytes` to every hash.
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        for h in &mut self.others {
            h.update(bytes);
        }
    }

    /// The SHA-256 and the other digests, in the order asked.
    pub fn finish(self) -> (Digest, Vec<AnyDigest>) {
        (Digest(self.sha256.finalize().into()), self.others.into_iter().map(AlgoHasher::finish).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's fast path gives what the precise loop gives, for every
    /// byte at every position of a two-digit string and of a full digest:
    /// the same value, or the same error at the same place.
    #[test]
    fn the_fast_hex_path_agrees_with_the_precise_one() {
        let check = |hex: &[u8], any_case: bool| {
            let (mut fast, mut slow) = (vec![0u8; hex.len() / 2], vec![0u8; hex.len() / 2]);
            let (a, b) = (decode_hex(hex, any_case, &mut fast), decode_hex_precisely(hex, any_case, &mut slow));
            assert_eq!(a, b, "{hex:?} any_case={any_case}");
            if a.is_ok() {
                assert_eq!(fast, slow, "{hex:?}");
            }
        };
        for any_case in [false, true] {
            for x in 0..=255u8 {
                for y in [b'0', b'a', b'F', b'g', x] {
                    check(&[x, y], any_case);
                    check(&[y, x], any_case);
                }
                let mut long = *b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
                for at in [0, 1, 31, 62, 63] {
                    let keep = long[at];
                    long[at] = x;
                    check(&long, any_case);
                    long[at] = keep;
                }
            }
        }
        assert_eq!(
            Digest::from_hex_any_case(b"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")
                .map(|d| d.to_hex()),
            Ok("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string())
        );
    }

    /// The fast path is taken for every valid digit: the table holds each
    /// hex digit's value (uppercase marked), and marks every other byte
    /// invalid. A table that refused a valid digit would still give the
    /// right answer through the precise loop, only slower; this pins that
    /// it never needs to.
    #[test]
    fn the_hex_table_holds_every_digits_value() {
        for c in 0..=255u8 {
            let want = match (c as char).to_digit(16) {
                Some(v) if c.is_ascii_uppercase() => v as u8 | UPPER,
                Some(v) => v as u8,
                None => INVALID,
            };
            assert_eq!(HEX_VALUE[c as usize], want, "byte {c:#04x}");
        }
    }

    /// The fast path alone accepts every valid digest, with its value, and
    /// refuses any with one or more wrong digits, wherever they are (two
    /// in different pairs included), or the wrong length.
    #[test]
    fn the_fast_hex_path_decides_alone() {
        let hex = *b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let want = Digest::of(b"abc").0;
        let fast = |h: &[u8], any_case: bool| {
            let mut out = [0u8; 32];
            decode_hex_fast(h, any_case, &mut out).then_some(out)
        };
        assert_eq!(fast(&hex, false), Some(want));
        assert_eq!(fast(&hex, true), Some(want));
        let upper = hex.to_ascii_uppercase();
        assert_eq!(fast(&upper, true), Some(want));
        assert_eq!(fast(&upper, false), None);
        assert_eq!(fast(&hex[..62], false), None);
        let mut longer = hex.to_vec();
        longer.extend_from_slice(b"00");
        assert_eq!(fast(&longer, true), None);
        for bad in [b'g', b'G', b' ', 0, 0xff] {
            for (a, b) in [(0, 1), (0, 2), (5, 63), (62, 63)] {
                let mut h = hex;
                h[a] = bad;
                assert_eq!(fast(&h, true), None, "{a}");
                h[b] = bad;
                assert_eq!(fast(&h, true), None, "{a} {b}");
            }
        }
    }

    #[test]
    fn a_digest_shows_as_lowercase_hex_and_debugs_with_its_type() {
        let d = Digest::of(b"abc");
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(d.to_string(), hex);
        assert_eq!(format!("{d:?}"), format!("Digest({hex})"));
        assert_eq!(&d.hex_bytes()[..], hex.as_bytes());
    }

    /// Every algorithm's digest shows as `algo:hex`, debugs with its type,
    /// and gives its raw bytes, of the algorithm's length.
    #[test]
    fn any_digest_shows_its_algorithm_and_gives_its_bytes() {
        let d = AnyDigest::from(Digest::of(b"abc"));
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(d.to_string(), format!("sha256:{hex}"));
        assert_eq!(format!("{d:?}"), format!("AnyDigest(sha256:{hex})"));
        assert_eq!(d.as_bytes(), Digest::of(b"abc").0);
        for algo in Algo::ALL {
            let d = algo.digest(b"abc");
            assert_eq!(algo.to_string(), algo.name());
            assert_eq!(d.as_bytes().len(), algo.digest_len());
            assert_eq!(hex::encode(d.as_bytes()), d.to_hex());
            assert_eq!(d.to_string(), format!("{}:{}", algo.name(), d.to_hex()));
            assert_eq!(AnyDigest::new(algo, d.as_bytes().to_vec()), Some(d));
        }
    }

    /// The backend named is the one this machine's CPU gives `sha2`.
    #[test]
    fn the_sha256_backend_is_named_for_this_cpu() {
        let b = sha256_backend();
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            b == "sha-ni",
            std::is_x86_feature_detected!("sha") && std::is_x86_feature_detected!("sse4.1"),
            "{b}"
        );
        assert!(["sha-ni", "armv8-sha2", "soft"].contains(&b), "{b}");
    }

    /// Nothing past `len` is read: the rest stays for the caller's check.
    #[test]
    fn exactly_len_bytes_are_hashed_and_read() {
        for buf_len in [2, 3, 16] {
            let mut buf = vec![0u8; buf_len];
            let mut r = io::Cursor::new(b"abcdef".to_vec());
            assert_eq!(hash_exact(&mut r, 3, &mut buf).unwrap(), (Digest::of(b"abc"), 3), "{buf_len}");
            assert_eq!(r.position(), 3, "{buf_len}");
        }
    }

    /// A reader that yields its script: bytes, or an error of a kind.
    struct Scripted(Vec<Result<&'static [u8], io::ErrorKind>>);

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            match self.0.remove(0) {
                Ok(b) => {
                    buf[..b.len()].copy_from_slice(b);
                    Ok(b.len())
                }
                Err(kind) => Err(io::Error::from(kind)),
            }
        }
    }

    /// An interrupted read is tried again (the digest is of every byte);
    /// any other error ends the hash with that error, never a digest.
    #[test]
    fn an_interrupted_read_is_retried_and_any_other_error_is_returned() {
        use io::ErrorKind::{Interrupted, PermissionDenied};
        let mut buf = [0u8; 16];
        let abc = Digest::of(b"abc");
        let script = || Scripted(vec![Err(Interrupted), Ok(b"a"), Err(Interrupted), Ok(b"bc")]);
        assert_eq!(hash_reader(&mut script(), &mut buf).unwrap(), (abc, 3));
        assert_eq!(hash_exact(&mut script(), 3, &mut buf).unwrap(), (abc, 3));
        let empty = Digest::of(b"");
        assert_eq!(hash_exact(&mut Scripted(vec![Err(Interrupted)]), 0, &mut buf).unwrap(), (empty, 0));
        // Something where nothing was expected is counted, for the caller
        // to refuse.
        assert_eq!(hash_exact(&mut Scripted(vec![Err(Interrupted), Ok(b"x")]), 0, &mut buf).unwrap().1, 1);

        let failing = || Scripted(vec![Ok(b"a"), Err(PermissionDenied), Ok(b"bc")]);
        assert_eq!(hash_reader(&mut failing(), &mut buf).unwrap_err().kind(), PermissionDenied);
        assert_eq!(hash_exact(&mut failing(), 3, &mut buf).unwrap_err().kind(), PermissionDenied);
        let failing_empty = Scripted(vec![Err(PermissionDenied)]);
        assert_eq!(hash_exact(&mut { failing_empty }, 0, &mut buf).unwrap_err().kind(), PermissionDenied);
    }

    #[test]
    fn an_algorithm_set_holds_exactly_its_members_in_a_fixed_order() {
        assert_eq!(AlgoSet::default().to_array().1, 0);
        let (a, n) = AlgoSet::of([Algo::Md5, Algo::Sha256, Algo::Md5, Algo::Blake3]).to_array();
        assert_eq!(&a[..n], [Algo::Sha256, Algo::Blake3, Algo::Md5]);
        for one in Algo::ALL {
            let (a, n) = AlgoSet::of([one]).to_array();
            assert_eq!(&a[..n], [one]);
        }
        let (a, n) = AlgoSet::of(Algo::ALL).to_array();
        assert_eq!(&a[..n], Algo::ALL);
    }

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

    #[test]
    fn every_algorithm_known_answer_abc() {
        let want = [
            (Algo::Sha256, ABC),
            (Algo::Sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
            (Algo::Blake3, "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"),
            (Algo::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (Algo::Md5, "900150983cd24fb0d6963f7d28e17f72"),
        ];
        for (algo, hex) in want {
            let d = algo.digest(b"abc");
            assert_eq!((d.algo(), d.to_hex().as_str()), (algo, hex));
            assert_eq!(AnyDigest::from_hex(algo, hex.to_uppercase().as_bytes()).unwrap(), d);
            assert!(d.matches(b"abc") && !d.matches(b"abd"));
            assert_eq!(Algo::from_name(algo.name()), Some(algo));
            assert_eq!(Algo::from_name(algo.tag()), Some(algo));
        }
        let mut m = MultiHasher::new(&[Algo::Md5, Algo::Sha256, Algo::Blake3, Algo::Md5]);
        m.update(b"a");
        m.update(b"bc");
        let (sha, others) = m.finish();
        assert_eq!(sha.to_hex(), ABC);
        assert_eq!(others, vec![Algo::Md5.digest(b"abc"), Algo::Blake3.digest(b"abc")]);
    }

    #[test]
    fn weak_algorithms_are_marked_weak() {
        let strong: Vec<Algo> = Algo::ALL.into_iter().filter(|a| a.strong()).collect();
        assert_eq!(strong, [Algo::Sha256, Algo::Sha512, Algo::Blake3]);
        assert_eq!(
            AnyDigest::from_hex(Algo::Sha512, ABC.as_bytes()),
            Err(DigestError::WrongLengthFor { algo: Algo::Sha512, found: 64 })
        );
    }
}
