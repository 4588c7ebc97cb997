//! The seal: what a packet's bytes must be, whatever format it was written
//! in.
//!
//! Every format is read into one [`Seal`] value: the sealed paths, each
//! with one or more digests and the file and line each came from; the
//! [`Scope`] those paths cover; and the seal's own files, with their own
//! drift. [`crate::verify`] verifies every seal with one engine, so a
//! capability added there works for every format and two formats cannot
//! disagree.
//!
//! - [`sums`] reads sum lines: the canonical manifest, GNU untagged lines
//!   (`sha256sum`, `sha512sum`, `b3sum`) and BSD tagged lines (rules M1–M12
//!   of `docs/manifest-format.md`);
//! - [`bagit`] reads BagIt bags (rules B1–B12 of `docs/bagit.md`);
//! - [`write`] makes the canonical manifest (`sealcheck seal`).
//!
//! The checks every format shares (path safety, duplicates, names that
//! collide by case or Unicode form, weak-only entries) run once, in
//! [`Seal::new`]. Reading a seal never writes.

pub mod bagit;
pub mod sums;
pub mod write;

use std::path::{Path, PathBuf};

use crate::digest::{Algo, AlgoSet, AnyDigest};
use crate::finding::Finding;
use crate::fsio::{Root, Stamp};
use crate::manifest::ManifestDrift;
use crate::relpath::collisions;
use crate::{Digest, Error, RelPath};
use smallvec::SmallVec;

pub use write::{manifest_rel, seal, tree_digest, SealOptions, Sealed, TreeDigest};
pub(crate) use write::{outcome_finding, problem_finding};

/// Which format a seal was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Sum lines (canonical, GNU or BSD tagged) in one manifest.
    Sums,
    /// A BagIt bag.
    Bagit,
}

impl Format {
    /// Its name in reports: `sums` or `bagit`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Sums => "sums",
            Format::Bagit => "bagit",
        }
    }
}

/// Where a packet's seal is and how to read it.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The manifest, when given. Default: see [`locate`].
    pub manifest: Option<PathBuf>,
    /// The manifest's algorithm, when given. Default: its name or lines.
    pub algo: Option<crate::digest::Algo>,
    /// BagIt: read unknown `%XX` in manifest paths literally. Disabled by
    /// default.
    pub bagit_lenient_names: bool,
}

/// Where a seal was found.
#[derive(Clone, Debug)]
pub enum Location {
    /// A manifest of sum lines.
    Sums(sums::ManifestLocation),
    /// A BagIt bag at the root.
    Bag,
}

impl Location {
    /// Paths of the packet that belong to the seal, left out of the walk.
    pub fn excluded(&self) -> Vec<RelPath> {
        match self {
            Location::Sums(loc) => loc.excluded(),
            // A bag's tag files are walked: tag manifests verify them.
            Location::Bag => Vec::new(),
        }
    }
}

/// Finds the seal of the packet at `root`: the manifest given; else
/// `HASH_MANIFEST.txt`; else a bag's `bagit.txt`; else the one of
/// [`sums::KNOWN_NAMES`] present (two of them is ambiguous, bad input);
/// else `HASH_MANIFEST.txt`, which reading then reports missing.
pub fn locate(root: &Path, opts: &ReadOptions) -> Result<Location, Error> {
    if let Some(given) = &opts.manifest {
        return Ok(Location::Sums(sums::ManifestLocation::given(root, given)?));
    }
    let exists = |name: &str| std::fs::symlink_metadata(root.join(name)).is_ok();
    if exists(crate::manifest::DEFAULT_NAME) {
        return Ok(Location::Sums(sums::ManifestLocation::at_root(root, crate::manifest::DEFAULT_NAME)));
    }
    if bagit::is_bag(root) {
        return Ok(Location::Bag);
    }
    let known: Vec<&str> = sums::KNOWN_NAMES.into_iter().filter(|n| exists(n)).collect();
    match known.as_slice() {
        [] => Ok(Location::Sums(sums::ManifestLocation::at_root(root, crate::manifest::DEFAULT_NAME))),
        [one] => Ok(Location::Sums(sums::ManifestLocation::at_root(root, one))),
        several => Err(Error::MalformedSeal {
            path: root.display().to_string(),
            line: None,
            expected: format!("one seal, found {}: name the one to verify with --manifest", several.join(" and ")),
        }),
    }
}

/// Reads the seal found at `loc`.
pub fn read(root: &Root, loc: &Location, opts: &ReadOptions) -> Result<Seal, Error> {
    match loc {
        Location::Sums(m) => sums::read(root, m, opts.algo),
        Location::Bag => {
            if opts.algo.is_some() {
                return Err(Error::Usage(
                    "--algo names a manifest's algorithm; a bag's manifests name their own".to_string(),
                ));
            }
            bagit::read(root, opts.bagit_lenient_names)
        }
    }
}

/// Which files of the tree the sealed paths cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every file of the tree, less the seal's own files: an unsealed file
    /// is an extra.
    Tree,
    /// A bag: every file under `data/` is payload, and an unsealed one is an
    /// extra; a file outside it is a tag file, verified when a tag manifest
    /// lists it and otherwise allowed (RFC 8493 §2.2.4).
    Bag,
}

impl Scope {
    /// Whether an unsealed file at `path` is an extra.
    pub fn covers(self, path: &RelPath) -> bool {
        match self {
            Scope::Tree => true,
            Scope::Bag => path.as_bytes().starts_with(b"data/"),
        }
    }
}

/// One sealed digest, and where it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedDigest {
    /// The digest.
    pub digest: AnyDigest,
    /// Index into [`Seal::files`] of the file it was read from.
    pub file: usize,
    /// Its 1-based line there.
    pub line: usize,
}

/// One sealed path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealEntry {
    /// The path, relative to the packet root.
    pub path: RelPath,
    /// Every digest the seal holds for it, strongest first. Most paths
    /// have one, held inline: a million entries then make no allocation
    /// for their digests.
    pub digests: SmallVec<[SealedDigest; 1]>,
}

impl SealEntry {
    /// The digest diagnosis and moved-file matching use: the first strong
    /// one (SHA-256 before SHA-512 before BLAKE3). `None` when only weak
    /// digests seal it, which [`Seal::new`] refuses.
    pub fn primary(&self) -> &AnyDigest {
        &self.digests[0].digest
    }

    /// Its SHA-256, when the seal holds one.
    pub fn sha256(&self) -> Option<Digest> {
        self.digests.iter().find_map(|d| d.digest.sha256())
    }

    /// Every algorithm it is sealed with.
    pub fn algos(&self) -> Vec<Algo> {
        self.digests.iter().map(|d| d.digest.algo()).collect()
    }

    /// Whether `bytes` match every digest it is sealed with.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.digests.iter().all(|d| d.digest.matches(bytes))
    }
}

/// One of the seal's own files: a manifest, `bagit.txt`, a tag manifest.
#[derive(Clone, Debug)]
pub struct SealFile {
    /// How it is named in messages.
    pub shown: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its path in the packet, when it lies there.
    pub inside: Option<RelPath>,
    /// SHA-256 of its bytes as read.
    pub sha256: Digest,
    /// Its state when it was opened, to prove it did not change meanwhile.
    pub stamp: Stamp,
    /// How its own bytes drifted (BOM, CRLF, final newline).
    pub drift: ManifestDrift,
    /// Whether it is byte for byte the canonical manifest of its entries.
    pub canonical: bool,
}

/// A seal, whatever its format.
#[derive(Clone, Debug)]
pub struct Seal {
    /// The format it was read from.
    pub format: Format,
    /// Sealed paths, sorted, each once.
    pub entries: Vec<SealEntry>,
    /// The seal's own files; the first is the one reports name.
    pub files: Vec<SealFile>,
    /// Which files the entries cover.
    pub scope: Scope,
    /// Paths the walk leaves out: the seal's own files in the packet.
    pub excluded: Vec<RelPath>,
    /// What reading the seal found wrong with it that is not bad input
    /// (a BOM in a bag manifest, a payload file one manifest omits).
    pub findings: Vec<Finding>,
    /// For a bag, what only a bag has.
    pub bag: Option<bagit::BagFacts>,
}

/// `items` mapped one by one into a new vector without holding both whole:
/// taken from the back a slice at a time, the source shrunk after each
/// slice, the result reversed at the end. Reading a seal of a million lines,
/// the source and the result held together were its peak.
pub(crate) fn map_shrinking<T, U>(mut items: Vec<T>, mut f: impl FnMut(T) -> U) -> Vec<U> {
    // Small in debug builds, so that every test crosses slices.
    const SLICE: usize = if cfg!(debug_assertions) { 3 } else { 1 << 16 };
    // Reserved, not touched: pages are taken as the slices are written.
    let mut out = Vec::with_capacity(items.len());
    while !items.is_empty() {
        let from = items.len().saturating_sub(SLICE);
        out.extend(items.drain(from..).rev().map(&mut f));
        items.shrink_to_fit();
    }
    out.reverse();
    out
}

/// A digest read from a seal file, before the shared checks.
#[derive(Debug)]
pub(crate) struct Listed {
    pub path: RelPath,
    pub sealed: SealedDigest,
}

impl Seal {
    /// The file that stands for the whole seal (a receipt's subject): the
    /// manifest; for a bag, its strongest tag manifest, which lists every
    /// other, or its strongest payload manifest when it has none.
    pub fn subject_file(&self) -> &SealFile {
        if self.format == Format::Bagit {
            for name in
                ["tagmanifest-sha512.txt", "tagmanifest-sha256.txt", "manifest-sha512.txt", "manifest-sha256.txt"]
            {
                if let Some(f) =
                    self.files.iter().find(|f| f.inside.as_ref().is_some_and(|p| p.as_bytes() == name.as_bytes()))
                {
                    return f;
                }
            }
        }
        &self.files[0]
    }

    /// Builds a seal from what its reader listed, running the checks every
    /// format shares: a path listed twice in one file (or twice with one
    /// algorithm), names that collide by case or Unicode form, and a path
    /// that only weak digests seal (rule S1–S3 of `docs/manifest-format.md`).
    pub(crate) fn new(
        format: Format,
        scope: Scope,
        files: Vec<SealFile>,
        listed: Vec<Listed>,
        excluded: Vec<RelPath>,
        findings: Vec<Finding>,
        bag: Option<bagit::BagFacts>,
    ) -> Result<Seal, Error> {
        // A stable sort: a manifest is usually in order already, which makes
        // this one pass; a path listed again keeps its lines in order.
        let mut listed = listed;
        listed.sort_by(|a, b| a.path.cmp(&b.path));
        let mut entries = map_shrinking(listed, |l| SealEntry { path: l.path, digests: smallvec::smallvec![l.sealed] });
        entries.dedup_by(|e, first| {
            let again = e.path == first.path;
            if again {
                first.digests.append(&mut e.digests);
            }
            again
        });
        entries.shrink_to_fit();
        for SealEntry { path, digests } in &mut entries {
            digests.sort_by_key(|d| (!d.digest.algo().strong(), d.digest.algo(), d.file, d.line));
            if let Some(pair) = digests.windows(2).find(|w| w[0].digest.algo() == w[1].digest.algo()) {
                return Err(Error::MalformedSeal {
                    path: files[pair[1].file].shown.clone(),
                    line: Some(pair[1].line),
                    expected: format!(
                        "each path once per algorithm: {} is listed again (first on line {} of {})",
                        path.display(),
                        pair[0].line,
                        files[pair[0].file].shown
                    ),
                });
            }
            if !digests[0].digest.algo().strong() {
                let d = &digests[0];
                return Err(Error::MalformedSeal {
                    path: files[d.file].shown.clone(),
                    line: Some(d.line),
                    expected: format!(
                        "a strong digest for {}: it is sealed only by {}, and a weak algorithm never vouches for \
                         a file alone (add a sha256 or sha512 manifest)",
                        path.display(),
                        digests.iter().map(|d| d.digest.algo().name()).collect::<Vec<_>>().join(" and ")
                    ),
                });
            }
            // A path sealed by more than one algorithm holds its digests
            // apart; room for four after pushes is trimmed to what is held.
            digests.shrink_to_fit();
        }
        let refs: Vec<&RelPath> = entries.iter().map(|e| &e.path).collect();
        if let Some(c) = collisions(&refs).first() {
            let (a, b) = (&entries[c.first], &entries[c.second]);
            let second = &b.digests[0];
            return Err(Error::MalformedSeal {
                path: files[second.file].shown.clone(),
                line: Some(second.line),
                expected: format!(
                    "names that differ by more than {}: {} collides with {} (line {})",
                    c.what,
                    b.path.display(),
                    a.path.display(),
                    a.digests[0].line
                ),
            });
        }
        Ok(Seal { format, entries, files, scope, excluded, findings, bag })
    }

    /// Every algorithm any entry is sealed with, in a fixed order.
    pub fn algos(&self) -> Vec<crate::digest::Algo> {
        let set = AlgoSet::of(self.entries.iter().flat_map(|e| e.digests.iter().map(|d| d.digest.algo())));
        let (algos, n) = set.to_array();
        algos[..n].to_vec()
    }

    /// The strong algorithms any entry is sealed with: what an unsealed
    /// file is hashed with, so a moved file can be recognised.
    pub fn strong_algos(&self) -> Vec<Algo> {
        let mut out: Vec<Algo> = Vec::new();
        for e in &self.entries {
            for d in &e.digests {
                let a = d.digest.algo();
                if a.strong() && !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out.sort();
        out
    }

    /// The canonical manifest's SHA-256 for the sealed entries, when every
    /// entry has a SHA-256.
    pub fn sealed_tree_sha256(&self) -> Option<Digest> {
        if self.format == Format::Sums && self.files[0].canonical {
            // A canonical manifest lists a SHA-256 for every entry.
            return Some(self.files[0].sha256);
        }
        // Streamed line by line: no copy of the digests or of the manifest
        // is held, which at a million entries was tens of megabytes.
        let mut canonical = crate::manifest::write::CanonicalDigest::default();
        for entry in &self.entries {
            canonical.push(&entry.path, &entry.sha256()?);
        }
        Some(canonical.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_shrinking_keeps_order_and_every_item() {
        for n in [0usize, 1, 2, 3, 4, 7, 10] {
            let items: Vec<usize> = (0..n).collect();
            let mut seen = Vec::new();
            let out = map_shrinking(items, |i| {
                seen.push(i);
                i * 10
            });
            assert_eq!(out, (0..n).map(|i| i * 10).collect::<Vec<_>>());
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "each item mapped once");
        }
    }
    use crate::fsio::Root;

    /// The seal of `files` (name, bytes) and a manifest `name` with `text`,
    /// read as `verify` reads it.
    fn seal_of(files: &[(&str, &[u8])], name: &str, text: &str) -> (tempfile::TempDir, Seal) {
        let d = tempfile::tempdir().unwrap();
        for (n, b) in files {
            let p = d.path().join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b).unwrap();
        }
        std::fs::write(d.path().join(name), text).unwrap();
        let opts = ReadOptions { manifest: Some(d.path().join(name)), ..ReadOptions::default() };
        let loc = locate(d.path(), &opts).unwrap();
        let seal = read(&Root::open(d.path()).unwrap(), &loc, &opts).unwrap();
        (d, seal)
    }

    #[test]
    fn formats_and_scopes_are_named_and_bounded() {
        assert_eq!((Format::Sums.name(), Format::Bagit.name()), ("sums", "bagit"));
        let p = |s: &str| RelPath::new(s.as_bytes().to_vec()).unwrap();
        assert!(Scope::Tree.covers(&p("bagit.txt")) && Scope::Tree.covers(&p("data/x")));
        assert!(Scope::Bag.covers(&p("data/x")));
        assert!(!Scope::Bag.covers(&p("bagit.txt")) && !Scope::Bag.covers(&p("datax")));
    }

    #[test]
    fn an_entry_knows_its_digests_and_which_bytes_match_them() {
        let abc = Digest::of(b"abc").to_hex();
        let (_d, seal) = seal_of(&[("a", b"abc")], "HASH_MANIFEST.txt", &format!("{abc}  a\n"));
        let e = &seal.entries[0];
        assert_eq!(e.sha256(), Some(Digest::of(b"abc")));
        assert_eq!(e.algos(), [Algo::Sha256]);
        assert!(e.matches(b"abc"));
        assert!(!e.matches(b"abd"));
        assert_eq!(seal.algos(), [Algo::Sha256]);
        assert_eq!(seal.strong_algos(), [Algo::Sha256]);
    }

    #[test]
    fn the_sealed_tree_digest_is_the_canonical_manifests_whatever_the_form() {
        let (abc, xyz) = (Digest::of(b"abc").to_hex(), Digest::of(b"xyz").to_hex());
        let files: &[(&str, &[u8])] = &[("a", b"abc"), ("b", b"xyz")];
        let canonical = format!("{abc}  a\n{xyz}  b\n");
        let (_d, seal) = seal_of(files, "HASH_MANIFEST.txt", &canonical);
        assert_eq!(seal.sealed_tree_sha256(), Some(Digest::of(canonical.as_bytes())));
        // GNU's binary marker, another order: another file, the same sealed tree.
        let gnu = format!("{xyz} *b\n{abc} *a\n");
        let (_d, seal) = seal_of(files, "SHA256SUMS", &gnu);
        assert_ne!(seal.files[0].sha256, Digest::of(canonical.as_bytes()));
        assert_eq!(seal.sealed_tree_sha256(), Some(Digest::of(canonical.as_bytes())));
        // A seal without SHA-256 has no tree digest of that kind.
        let h512 = |b: &[u8]| Algo::Sha512.digest(b).to_hex();
        let (_d, seal) = seal_of(files, "SHA512SUMS", &format!("{}  a\n{}  b\n", h512(b"abc"), h512(b"xyz")));
        assert_eq!(seal.sealed_tree_sha256(), None);
        assert_eq!((seal.algos(), seal.strong_algos()), (vec![Algo::Sha512], vec![Algo::Sha512]));
    }

    #[test]
    fn weak_digests_count_among_a_seals_algorithms_but_never_as_strong_ones() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("data")).unwrap();
        std::fs::write(d.path().join("data/a"), b"abc").unwrap();
        std::fs::write(d.path().join("bagit.txt"), b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
            .unwrap();
        let md5 = Algo::Md5.digest(b"abc").to_hex();
        std::fs::write(d.path().join("manifest-md5.txt"), format!("{md5}  data/a\n")).unwrap();
        std::fs::write(d.path().join("manifest-sha256.txt"), format!("{}  data/a\n", Digest::of(b"abc").to_hex()))
            .unwrap();
        let seal = bagit::read(&Root::open(d.path()).unwrap(), false).unwrap();
        assert_eq!(seal.algos(), [Algo::Sha256, Algo::Md5]);
        assert_eq!(seal.strong_algos(), [Algo::Sha256]);
        assert_eq!(seal.entries[0].algos(), [Algo::Sha256, Algo::Md5], "strongest first");
    }
}
