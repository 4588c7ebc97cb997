//! Writing the canonical manifest (rules M1–M6 of `docs/manifest-format.md`).

use std::io::{self, Write};

use super::escape::{escape, needs_escape};
use crate::digest::AnyDigest;
use crate::{Digest, RelPath};

/// Writes one canonical line: `[\]<hex>␠␠<name>\n`.
pub fn write_line<W: Write + ?Sized>(w: &mut W, path: &RelPath, digest: &Digest) -> io::Result<()> {
    let name = path.as_bytes();
    if needs_escape(name) {
        w.write_all(b"\\")?;
    }
    w.write_all(&digest.hex_bytes())?;
    w.write_all(b"  ")?;
    w.write_all(&escape(name))?;
    w.write_all(b"\n")
}

/// Writes one GNU line of any algorithm, escaped as GNU escapes it:
/// `[\\]<hex>␠␠<name>\n` (what `sha512sum` and `b3sum` write).
pub fn write_any_line<W: Write + ?Sized>(w: &mut W, path: &RelPath, digest: &AnyDigest) -> io::Result<()> {
    let name = path.as_bytes();
    if needs_escape(name) {
        w.write_all(b"\\")?;
    }
    w.write_all(digest.to_hex().as_bytes())?;
    w.write_all(b"  ")?;
    w.write_all(&escape(name))?;
    w.write_all(b"\n")
}

/// The SHA-256 of the canonical manifest of entries given one at a time,
/// in path order, without holding the manifest: a million entries would
/// be some 80 MB of lines.
#[derive(Default)]
pub struct CanonicalDigest {
    hasher: sha2::Sha256,
    line: Vec<u8>,
}

impl CanonicalDigest {
    /// Adds the next entry's line.
    pub fn push(&mut self, path: &RelPath, digest: &Digest) {
        use sha2::Digest as _;
        self.line.clear();
        write_line(&mut self.line, path, digest).expect("writing to a Vec cannot fail");
        self.hasher.update(&self.line);
    }

    /// The digest of every line pushed.
    pub fn finish(self) -> Digest {
        use sha2::Digest as _;
        Digest(self.hasher.finalize().into())
    }
}

/// The canonical manifest bytes for `entries`, which must be sorted by path
/// and free of duplicates (as [`crate::walk`] and [`super::Manifest`] give
/// them).
pub fn canonical_bytes<'a, I>(entries: I) -> Vec<u8>
where
    I: IntoIterator<Item = (&'a RelPath, &'a Digest)>,
{
    let mut out = Vec::with_capacity(4096);
    let mut last: Option<&RelPath> = None;
    for (path, digest) in entries {
        debug_assert!(last.is_none_or(|l| l < path), "entries must be sorted and unique");
        last = Some(path);
        write_line(&mut out, path, digest).expect("writing to a Vec cannot fail");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(b: &[u8]) -> RelPath {
        RelPath::new(b.to_vec()).unwrap()
    }

    /// Streamed line by line, the digest is the digest of the whole bytes.
    #[test]
    fn the_streamed_digest_is_the_digest_of_the_canonical_bytes() {
        let d = Digest::of(b"a");
        let entries = [(p(b"a b"), d), (p(b"back\\slash"), Digest::of(b"b")), (p(b"nl\nx"), d), (p(b"z/y"), d)];
        let mut streamed = CanonicalDigest::default();
        for (path, digest) in &entries {
            streamed.push(path, digest);
        }
        assert_eq!(streamed.finish(), Digest::of(&canonical_bytes(entries.iter().map(|(p, d)| (p, d)))));
        assert_eq!(CanonicalDigest::default().finish(), Digest::of(b""));
    }

    #[test]
    fn rules_m1_to_m5_canonical_lines() {
        let d = Digest::of(b"a");
        let entries = [(p(b"a b"), d), (p(b"back\\slash"), d), (p(b"nl\nx"), d)];
        let bytes = canonical_bytes(entries.iter().map(|(p, d)| (p, d)));
        let hex = d.to_hex();
        let want = format!("{hex}  a b\n\\{hex}  back\\\\slash\n\\{hex}  nl\\nx\n");
        assert_eq!(String::from_utf8(bytes).unwrap(), want);
    }

    #[test]
    fn rule_m5_empty_packet_gives_empty_manifest() {
        assert!(canonical_bytes(std::iter::empty()).is_empty());
        assert_eq!(Digest::of(&[]).to_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
