//! Packet-relative paths: raw bytes, `/`-separated, checked for safety before
//! anything is opened.
//!
//! A [`RelPath`] can name any file inside a packet on a Unix file system and
//! nothing outside it. The rules are numbered in `docs/manifest-format.md`
//! (section "Path safety"); each error variant below names the rule it
//! enforces.

use std::ffi::OsStr;
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use smallvec::SmallVec;

use crate::escape::escape_bytes;

/// A validated packet-relative path. Ordering is by raw bytes, which is the
/// manifest's sort order.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelPath(SmallVec<[u8; INLINE]>);

/// Paths up to this many bytes are held in the value itself, with no
/// allocation of their own: a packet of a million files holds two paths per
/// file (the seal's and the walk's), and a separate allocation for each
/// cost more than the name. With `smallvec`'s `union` layout the value is
/// 32 bytes, 8 more than a `Vec` header, which a longer path pays.
const INLINE: usize = 24;

/// Why a path is not a safe packet-relative path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// P1: the path is empty.
    #[error("empty path")]
    Empty,
    /// P2: the path holds a NUL byte.
    #[error("NUL byte in path")]
    Nul,
    /// P3: the path is absolute.
    #[error("absolute path (must be relative to the packet root)")]
    Absolute,
    /// P4: a `..` component.
    #[error("'..' component (would leave the packet)")]
    DotDot,
    /// P5: a `.` component, an empty component (`//`) or a trailing `/`.
    #[error("non-canonical path ('.' component, '//' or trailing '/')")]
    NonCanonical,
    /// P6: the first component starts with `~` (home-directory expansion).
    #[error("path starts with '~' (home-directory form)")]
    Tilde,
    /// P7: a Windows drive (`C:`) or UNC (`\\server`) form.
    #[error("Windows drive or UNC path")]
    Windows,
}

impl RelPath {
    /// Validates `bytes` as a packet-relative path.
    pub fn new(bytes: Vec<u8>) -> Result<RelPath, PathError> {
        validate(&bytes)?;
        if bytes.len() <= INLINE {
            return Ok(RelPath(SmallVec::from_slice(&bytes)));
        }
        Ok(RelPath(SmallVec::from_vec(bytes)))
    }

    /// Validates `bytes` as a packet-relative path, copying them.
    pub fn from_slice(bytes: &[u8]) -> Result<RelPath, PathError> {
        validate(bytes)?;
        Ok(RelPath(SmallVec::from_slice(bytes)))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The path as an `OsStr`, for opening relative to a root.
    pub fn as_os_str(&self) -> &OsStr {
        OsStr::from_bytes(&self.0)
    }

    /// `root` joined with this path.
    pub fn under(&self, root: &Path) -> PathBuf {
        root.join(self.as_os_str())
    }

    /// The display form (see [`crate::escape`]).
    pub fn display(&self) -> String {
        escape_bytes(&self.0)
    }
}

impl fmt::Debug for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RelPath({:?})", self.display())
    }
}

fn validate(b: &[u8]) -> Result<(), PathError> {
    if b.is_empty() {
        return Err(PathError::Empty);
    }
    if b.contains(&0) {
        return Err(PathError::Nul);
    }
    if b[0] == b'/' {
        return Err(PathError::Absolute);
    }
    if b.starts_with(b"\\\\") || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':') {
        return Err(PathError::Windows);
    }
    if b[0] == b'~' {
        return Err(PathError::Tilde);
    }
    for component in b.split(|&c| c == b'/') {
        match component {
            b".." => return Err(PathError::DotDot),
            b"" | b"." => return Err(PathError::NonCanonical),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_safety_rules() {
        let cases: &[(&[u8], Option<PathError>)] = &[
            (b"a.txt", None),
            (b"dir/sub/file", None),
            (b"name with spaces", None),
            (b"back\\slash", None),
            (b"nl\nname", None),
            (b"\xff\xfe", None),
            (b"a~b/~c", None),
            (b"..foo", None),
            (b"", Some(PathError::Empty)),
            (b"a\0b", Some(PathError::Nul)),
            (b"/etc/passwd", Some(PathError::Absolute)),
            (b"../x", Some(PathError::DotDot)),
            (b"a/../x", Some(PathError::DotDot)),
            (b"a/..", Some(PathError::DotDot)),
            (b"./a", Some(PathError::NonCanonical)),
            (b"a/./b", Some(PathError::NonCanonical)),
            (b"a//b", Some(PathError::NonCanonical)),
            (b"a/", Some(PathError::NonCanonical)),
            (b".", Some(PathError::NonCanonical)),
            (b"~", Some(PathError::Tilde)),
            (b"~/x", Some(PathError::Tilde)),
            (b"~root/x", Some(PathError::Tilde)),
            (b"C:\\Windows", Some(PathError::Windows)),
            (b"c:/x", Some(PathError::Windows)),
            (b"\\\\server\\share", Some(PathError::Windows)),
        ];
        for (bytes, want) in cases {
            let got = RelPath::new(bytes.to_vec()).err();
            assert_eq!(&got, want, "{}", escape_bytes(bytes));
        }
    }

    #[test]
    fn order_is_raw_bytes() {
        let mut v: Vec<RelPath> = [&b"b"[..], b"a/b", b"a b", b"\xff", b"B", b"a"]
            .iter()
            .map(|b| RelPath::new(b.to_vec()).unwrap())
            .collect();
        v.sort();
        let shown: Vec<String> = v.iter().map(RelPath::display).collect();
        assert_eq!(shown, ["B", "a", "a b", "a/b", "b", "\\xff"]);
    }
}

/// Two paths that a case-insensitive or normalizing file system would take
/// for the same file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collision {
    /// Index of the first path (in the slice given).
    pub first: usize,
    /// Index of the second path.
    pub second: usize,
    /// `letter case` or `Unicode normalization (NFC/NFD)`.
    pub what: &'static str,
}

/// Finds paths that differ only by letter case or Unicode normalization.
///
/// `paths` must be sorted and free of duplicates. Only paths that change
/// under folding are looked up, so a tree of already-folded names costs one
/// pass and no allocation.
pub fn collisions(paths: &[&RelPath]) -> Vec<Collision> {
    use std::collections::HashMap;
    use unicode_normalization::UnicodeNormalization;

    let mut folded: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let bytes = p.as_bytes();
        let key: Vec<u8> = match std::str::from_utf8(bytes) {
            Ok(s) if s.is_ascii() => {
                if !bytes.iter().any(u8::is_ascii_uppercase) {
                    continue;
                }
                bytes.to_ascii_lowercase()
            }
            Ok(s) => {
                let k: String = s.nfc().collect::<String>().to_lowercase();
                if k.as_bytes() == bytes {
                    continue;
                }
                k.into_bytes()
            }
            Err(_) => {
                if !bytes.iter().any(u8::is_ascii_uppercase) {
                    continue;
                }
                bytes.to_ascii_lowercase()
            }
        };
        let what = |other: &[u8]| -> &'static str {
            let nfc = |b: &[u8]| std::str::from_utf8(b).ok().map(|s| s.nfc().collect::<String>());
            match (nfc(bytes), nfc(other)) {
                (Some(a), Some(b)) if a == b => "Unicode normalization (NFC/NFD)",
                _ => "letter case",
            }
        };
        if let Ok(j) = paths.binary_search_by(|q| q.as_bytes().cmp(&key)) {
            out.push(Collision { first: i.min(j), second: i.max(j), what: what(paths[j].as_bytes()) });
        }
        match folded.entry(key) {
            std::collections::hash_map::Entry::Occupied(o) => {
                let j = *o.get();
                out.push(Collision { first: j.min(i), second: j.max(i), what: what(paths[j].as_bytes()) });
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
        }
    }
    out.sort_by_key(|c| (c.first, c.second));
    out.dedup();
    out
}

#[cfg(test)]
mod collision_tests {
    use super::*;

    fn paths(v: &[&str]) -> Vec<RelPath> {
        let mut v: Vec<RelPath> = v.iter().map(|s| RelPath::new(s.as_bytes().to_vec()).unwrap()).collect();
        v.sort();
        v
    }

    fn found(v: &[&str]) -> Vec<(String, String, &'static str)> {
        let p = paths(v);
        let refs: Vec<&RelPath> = p.iter().collect();
        collisions(&refs).into_iter().map(|c| (p[c.first].display(), p[c.second].display(), c.what)).collect()
    }

    #[test]
    fn case_and_normalization_collisions() {
        assert!(found(&["a", "b/c", "README.md", "docs/x"]).is_empty());
        assert_eq!(found(&["README", "readme"]), [("README".into(), "readme".into(), "letter case")]);
        assert_eq!(found(&["ReadMe", "README"]).len(), 1);
        assert_eq!(
            found(&["caf\u{e9}", "cafe\u{301}"]),
            [("cafe\u{301}".into(), "caf\u{e9}".into(), "Unicode normalization (NFC/NFD)")]
        );
    }

    #[test]
    fn debug_shows_the_display_form() {
        assert_eq!(format!("{:?}", RelPath::new(b"a\nb".to_vec()).unwrap()), r#"RelPath("a\\nb")"#);
    }

    #[test]
    fn names_that_are_not_utf8_collide_by_ascii_case() {
        let mut p = [RelPath::new(b"A\xff".to_vec()).unwrap(), RelPath::new(b"a\xff".to_vec()).unwrap()];
        p.sort();
        let refs: Vec<&RelPath> = p.iter().collect();
        let c = collisions(&refs);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].what, "letter case");
        let lone = RelPath::new(b"a\xff".to_vec()).unwrap();
        assert!(collisions(&[&lone]).is_empty());
    }
}
