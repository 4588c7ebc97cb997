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
