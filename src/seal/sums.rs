//! Sum lines into a seal: the canonical manifest, GNU untagged lines as
//! `sha256sum`, `sha512sum` and `b3sum` write them, and BSD tagged lines
//! (`SHA512 (name) = hex`).
//!
//! A manifest's algorithm comes from, in order: `--algo`; the manifest's
//! name (`SHA512SUMS`, `*.sha512`, `B3SUMS`, `*.b3` …, rule M12); the first
//! line (a tag, or 128 hex digits for SHA-512); and SHA-256 otherwise.
//! BLAKE3 and SHA-256 digests have one length, so untagged BLAKE3 lines are
//! read only when the name or `--algo` says so. Every line of one manifest
//! has one algorithm (rule M11). The grammar itself is
//! [`crate::manifest::Manifest::parse_as`].

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::{map_shrinking, Format, Listed, Scope, Seal, SealFile, SealedDigest};
use crate::digest::Algo;
use crate::fsio::{Root, Stamp};
use crate::input::{self, Kind};
use crate::manifest::{Manifest, ReadError, DEFAULT_NAME};
use crate::{Error, RelPath};

/// Names a packet's seal may have at its root, other than the canonical
/// manifest, looked for when it has neither that nor `bagit.txt`.
pub const KNOWN_NAMES: [&str; 3] = ["SHA256SUMS", "SHA512SUMS", "B3SUMS"];

/// The algorithm a manifest's file name implies (rule M12).
pub fn algo_for_name(name: &[u8]) -> Option<Algo> {
    let name = std::str::from_utf8(name).ok()?;
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".txt").unwrap_or(&lower);
    let by_stem = |stem: &str| {
        base == format!("{stem}sums")
            || base == format!("{stem}sum")
            || base.ends_with(&format!(".{stem}"))
            || base.ends_with(&format!(".{stem}sum"))
            || base.ends_with(&format!(".{stem}sums"))
            || base.ends_with(&format!("-{stem}"))
    };
    [(Algo::Sha256, "sha256"), (Algo::Sha512, "sha512"), (Algo::Blake3, "b3"), (Algo::Blake3, "blake3")]
        .into_iter()
        .find(|(_, stem)| by_stem(stem))
        .map(|(a, _)| a)
}

/// Where a manifest is and whether it lies inside the packet.
#[derive(Clone, Debug)]
pub struct ManifestLocation {
    /// Its path.
    pub path: PathBuf,
    /// How it is named in messages.
    pub shown: String,
    /// Its path in the packet, when it lies there.
    pub inside: Option<RelPath>,
}

impl ManifestLocation {
    /// The canonical manifest at the root of `root`, or `name` there.
    pub fn at_root(root: &Path, name: &str) -> ManifestLocation {
        let rel = RelPath::new(name.as_bytes().to_vec()).expect("seal file names are safe paths");
        ManifestLocation { path: rel.under(root), shown: rel.under(root).display().to_string(), inside: Some(rel) }
    }

    /// A manifest given by the user: inside the packet when its directory
    /// resolves there (the manifest itself must not be a link).
    pub fn given(root: &Path, given: &Path) -> Result<ManifestLocation, Error> {
        let shown = given.display().to_string();
        let parent = match given.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let inside = match (parent.canonicalize(), root.canonicalize(), given.file_name()) {
            (Ok(dir), Ok(root_abs), Some(name)) => dir
                .join(name)
                .strip_prefix(&root_abs)
                .ok()
                .map(|rel| RelPath::new(rel.as_os_str().as_bytes().to_vec()))
                .transpose()
                .map_err(|e| Error::Malformed {
                    path: shown.clone(),
                    line: None,
                    expected: format!("a manifest path that is safe inside the packet: {e}"),
                })?,
            _ => None,
        };
        Ok(ManifestLocation { path: given.to_path_buf(), shown, inside })
    }

    /// The paths in the packet that belong to this seal, which the walk
    /// leaves out: the manifest, its detached signatures, and the canonical
    /// manifest and its signatures when another manifest is in use.
    pub fn excluded(&self) -> Vec<RelPath> {
        let mut out = Vec::new();
        let mut with_sigs = |base: &RelPath| {
            out.push(base.clone());
            for ext in [".sig", ".minisig"] {
                let mut b = base.as_bytes().to_vec();
                b.extend_from_slice(ext.as_bytes());
                if let Ok(p) = RelPath::new(b) {
                    out.push(p);
                }
            }
        };
        if let Some(rel) = &self.inside {
            with_sigs(rel);
        }
        let canonical = RelPath::new(DEFAULT_NAME.as_bytes().to_vec()).expect("safe");
        if self.inside.as_ref() != Some(&canonical) {
            with_sigs(&canonical);
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Reads the manifest at `loc` into a seal, its algorithm `algo` or as its
/// name and lines imply.
pub fn read(root: &Root, loc: &ManifestLocation, algo: Option<Algo>) -> Result<Seal, Error> {
    let opened = match &loc.inside {
        Some(rel) => input::open_in(root, rel, &loc.shown, Kind::Manifest)?,
        None => Some(input::open(&loc.path, Kind::Manifest).map_err(|e| match e {
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Error::NoManifest(loc.shown.clone())
            }
            other => other,
        })?),
    };
    let Some(opened) = opened else {
        return Err(Error::NoManifest(loc.shown.clone()));
    };
    let stamp = Stamp::of(opened.metadata());
    let name = loc.path.file_name().map(|n| n.as_bytes().to_vec()).unwrap_or_default();
    let algo = algo.or_else(|| algo_for_name(&name));
    let manifest = match Manifest::parse_as(opened.reader(), &loc.shown, algo) {
        Ok(m) => m,
        Err(ReadError::Io(e)) => return Err(input::read_error(&loc.shown, Kind::Manifest, e)),
        Err(ReadError::Malformed(e)) => return Err(Error::Manifest(e)),
    };
    let file = SealFile {
        shown: loc.shown.clone(),
        path: loc.path.clone(),
        inside: loc.inside.clone(),
        sha256: manifest.sha256,
        stamp,
        drift: manifest.drift,
        canonical: manifest.canonical,
    };
    let listed = map_shrinking(manifest.entries, |e| Listed {
        path: e.path,
        sealed: SealedDigest { digest: e.digest, file: 0, line: e.line },
    });
    Seal::new(Format::Sums, Scope::Tree, vec![file], listed, loc.excluded(), Vec::new(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_m12_algorithm_from_the_name() {
        let cases: [(&str, Option<Algo>); 12] = [
            ("SHA256SUMS", Some(Algo::Sha256)),
            ("SHA512SUMS", Some(Algo::Sha512)),
            ("B3SUMS", Some(Algo::Blake3)),
            ("packet.sha512", Some(Algo::Sha512)),
            ("packet.b3", Some(Algo::Blake3)),
            ("packet.blake3", Some(Algo::Blake3)),
            ("files.sha256sum", Some(Algo::Sha256)),
            ("sha512sums.txt", Some(Algo::Sha512)),
            ("HASH_MANIFEST.txt", None),
            ("manifest.txt", None),
            ("notes.b3x", None),
            ("b3", None),
        ];
        for (name, want) in cases {
            assert_eq!(algo_for_name(name.as_bytes()), want, "{name}");
        }
        // Every form of the name rule, one at a time.
        for name in ["sha256sums", "sha256sum", "x.sha256", "x.sha256sum", "x.sha256sums", "x-sha256", "X-SHA256.TXT"] {
            assert_eq!(algo_for_name(name.as_bytes()), Some(Algo::Sha256), "{name}");
        }
        assert_eq!(algo_for_name(b"sha256sumsx"), None);
        assert_eq!(algo_for_name(b"\xff.sha256"), None, "a name that is not UTF-8 implies nothing");
    }

    fn names(v: &[RelPath]) -> Vec<String> {
        v.iter().map(RelPath::display).collect()
    }

    #[test]
    fn a_given_manifest_is_inside_the_packet_only_when_it_resolves_there() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("sub")).unwrap();
        let inside = ManifestLocation::given(root.path(), &root.path().join("sub/SHA256SUMS")).unwrap();
        assert_eq!(inside.inside.as_ref().map(RelPath::display).as_deref(), Some("sub/SHA256SUMS"));
        let elsewhere = tempfile::tempdir().unwrap();
        let outside = ManifestLocation::given(root.path(), &elsewhere.path().join("SHA256SUMS")).unwrap();
        assert!(outside.inside.is_none());
        // A bare name is relative to the current directory (the crate root here).
        let here = ManifestLocation::given(Path::new("."), Path::new("Cargo.toml")).unwrap();
        assert_eq!(here.inside.as_ref().map(RelPath::display).as_deref(), Some("Cargo.toml"));
        assert_eq!(here.shown, "Cargo.toml");
    }

    #[test]
    fn the_seal_leaves_out_its_manifest_its_signatures_and_the_canonical_name() {
        let root = Path::new("/p");
        let canonical = ManifestLocation::at_root(root, DEFAULT_NAME);
        assert_eq!(
            names(&canonical.excluded()),
            ["HASH_MANIFEST.txt", "HASH_MANIFEST.txt.minisig", "HASH_MANIFEST.txt.sig"]
        );
        let other = ManifestLocation::at_root(root, "SHA256SUMS");
        assert_eq!(
            names(&other.excluded()),
            [
                "HASH_MANIFEST.txt",
                "HASH_MANIFEST.txt.minisig",
                "HASH_MANIFEST.txt.sig",
                "SHA256SUMS",
                "SHA256SUMS.minisig",
                "SHA256SUMS.sig"
            ]
        );
    }

    #[test]
    fn a_missing_manifest_outside_the_packet_is_no_manifest() {
        let root_dir = tempfile::tempdir().unwrap();
        let root = Root::open(root_dir.path()).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let loc = ManifestLocation::given(root_dir.path(), &elsewhere.path().join("absent.sha256")).unwrap();
        assert!(matches!(read(&root, &loc, None), Err(Error::NoManifest(_))));
        // Another error opening it is that error, not "no manifest".
        let dir_as_manifest = ManifestLocation::given(root_dir.path(), elsewhere.path()).unwrap();
        assert!(!matches!(read(&root, &dir_as_manifest, None), Err(Error::NoManifest(_)) | Ok(_)));
        // A path through a regular file (ENOTDIR) is an I/O error, not "no manifest".
        std::fs::write(elsewhere.path().join("afile"), b"x").unwrap();
        let through = ManifestLocation::given(root_dir.path(), &elsewhere.path().join("afile/SUMS")).unwrap();
        assert!(
            matches!(read(&root, &through, None), Err(Error::Io { .. })),
            "{:?}",
            read(&root, &through, None).err()
        );
    }
}
