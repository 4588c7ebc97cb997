//! Sealing: hash a packet tree into its canonical manifest, and write it.
//!
//! [`tree_digest`] reads and returns; [`seal`] also writes the manifest,
//! atomically (a temporary file in the same directory, synced, then renamed),
//! and writes nothing else but, with [`SealOptions::second`], a second
//! manifest in another algorithm, written first so the canonical manifest
//! seals it. Either refuses a tree that holds anything that cannot be
//! sealed: nothing half-sealed is ever written.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::digest::Algo;
use crate::finding::{Finding, FindingClass};
use crate::fsio::Root;
use crate::hash::{Engine, Hashed, Outcome, RESULT_SLICE};
use crate::manifest::write::canonical_bytes;
use crate::manifest::DEFAULT_NAME;
use crate::relpath::collisions;
use crate::walk::{walk, Exclusions, Problem, TreeFile};
use crate::{Digest, Error, RelPath};

/// Options of `seal` and `tree-hash`.
#[derive(Clone, Debug)]
pub struct SealOptions {
    /// The manifest's path relative to the packet root. Default
    /// `HASH_MANIFEST.txt`.
    pub manifest_name: String,
    /// Glob patterns to leave out (see [`Exclusions::new`]). Default none.
    pub excludes: Vec<String>,
    /// Hashing threads; `None` (the default) means
    /// [`crate::hash::default_threads`].
    pub threads: Option<usize>,
    /// Hash the manifest's path like any other file (for snapshots of
    /// directories that are not packets). Disabled by default.
    pub include_manifest: bool,
    /// Also write a second manifest in this algorithm ([`second_name`]),
    /// in GNU format, before the canonical one, which then seals it.
    /// Default none.
    pub second: Option<Algo>,
    /// Seal over an existing manifest that the packet no longer verifies
    /// against. Disabled by default: a drifted packet is never re-sealed
    /// silently, which would bless its drift.
    pub reseal: bool,
}

impl Default for SealOptions {
    fn default() -> SealOptions {
        SealOptions {
            manifest_name: DEFAULT_NAME.to_string(),
            excludes: Vec::new(),
            threads: None,
            include_manifest: false,
            second: None,
            reseal: false,
        }
    }
}

/// A hashed tree.
#[derive(Clone, Debug)]
pub struct TreeDigest {
    /// Every regular file and its SHA-256, sorted by path.
    pub files: Vec<(RelPath, Digest)>,
    /// The canonical manifest bytes.
    pub manifest: Vec<u8>,
    /// SHA-256 of [`TreeDigest::manifest`].
    pub packet_tree_sha256: Digest,
    /// Total bytes hashed.
    pub byte_count: u64,
}

/// What `seal` did.
#[derive(Clone, Debug)]
pub struct Sealed {
    /// The tree it sealed.
    pub tree: TreeDigest,
    /// Where it wrote the manifest.
    pub manifest_path: PathBuf,
    /// With [`SealOptions::reseal`]: what the old manifest said that the
    /// new one no longer does (empty when there was none, or it verified).
    pub resealed: Vec<Finding>,
}

/// The manifest's path as a [`RelPath`].
pub fn manifest_rel(name: &str) -> Result<RelPath, Error> {
    RelPath::new(name.as_bytes().to_vec()).map_err(|e| Error::Usage(format!("--manifest {name:?}: {e}")))
}

/// The name of the second manifest `seal --algo` writes.
pub fn second_name(algo: Algo) -> &'static str {
    match algo {
        Algo::Sha512 => "SHA512SUMS",
        Algo::Blake3 => "B3SUMS",
        _ => "SHA256SUMS",
    }
}

/// Hashes the tree under `root` without writing anything.
pub fn tree_digest(root: &Path, opts: &SealOptions) -> Result<TreeDigest, Error> {
    let (files, byte_count) = hash_tree(root, opts, &[], &[], |h| h.digest)?;
    let manifest = canonical_bytes(files.iter().map(|(p, d)| (p, d)));
    Ok(TreeDigest { packet_tree_sha256: Digest::of(&manifest), files, manifest, byte_count })
}

/// Every file of the tree, less the seal's own files and `also_excluded`,
/// hashed with SHA-256 and `algos`, with what `keep` keeps of each, and the
/// bytes hashed; refuses a tree that cannot be sealed.
fn hash_tree<T>(
    root: &Path,
    opts: &SealOptions,
    also_excluded: &[RelPath],
    algos: &[Algo],
    keep: impl Fn(Hashed) -> T,
) -> Result<(Vec<(RelPath, T)>, u64), Error> {
    let manifest = manifest_rel(&opts.manifest_name)?;
    let mut exclusions = Exclusions::new(&opts.excludes)?;
    if !opts.include_manifest {
        let loc = super::sums::ManifestLocation::at_root(root, &String::from_utf8_lossy(manifest.as_bytes()));
        for rel in loc.excluded().into_iter().chain(also_excluded.iter().cloned()) {
            exclusions = exclusions.with_path(rel);
        }
    }
    let tree = walk(root, &exclusions)?;
    let mut findings: Vec<Finding> = tree.problems.iter().map(problem_finding).collect();

    let paths: Vec<&RelPath> = tree.files.iter().map(|f| &f.path).collect();
    if let Some(c) = collisions(&paths).first() {
        return Err(Error::Usage(format!(
            "{} and {} differ only by {}: they cannot both be sealed (they collide on other file systems)",
            paths[c.first].display(),
            paths[c.second].display(),
            c.what
        )));
    }

    let root_dir = Root::open(root).map_err(|e| Error::io(root, e))?;
    let engine = Engine::new(opts.threads).map_err(|e| Error::io(root, e))?;
    let mut files = Vec::with_capacity(tree.files.len());
    let mut byte_count = 0u64;
    // A slice at a time, each slice's results kept small before the next.
    let mut walked = tree.files.into_iter();
    loop {
        let slice: Vec<TreeFile> = walked.by_ref().take(RESULT_SLICE).collect();
        if slice.is_empty() {
            break;
        }
        let outcomes = engine.map(&slice, |f, buf| match root_dir.open_file(&f.path) {
            Ok((file, meta)) => crate::hash::hash_open_with(file, &meta, buf, algos),
            Err(e) => Outcome::from(e),
        });
        for (f, outcome) in slice.into_iter().zip(outcomes) {
            match outcome {
                Outcome::Ok(h) => {
                    byte_count += h.stamp.size;
                    files.push((f.path, keep(h)));
                }
                other => findings.push(outcome_finding(&f.path, other)),
            }
        }
    }
    if !findings.is_empty() {
        findings.sort_by(|a, b| a.path.cmp(&b.path));
        return Err(Error::Tree(findings));
    }
    Ok((files, byte_count))
}

/// Hashes the tree under `root` and writes its canonical manifest there
/// (and first, with [`SealOptions::second`], the second manifest).
pub fn seal(root: &Path, opts: &SealOptions) -> Result<Sealed, Error> {
    let resealed = check_existing(root, opts)?;
    if let Some(algo) = opts.second.filter(|a| *a != Algo::Sha256) {
        let name = second_name(algo);
        let rel = manifest_rel(name)?;
        let second = |h: Hashed| h.get(algo).expect("hashed with the second algorithm");
        let (files, _) = hash_tree(root, opts, std::slice::from_ref(&rel), &[algo], second)?;
        let mut bytes = Vec::new();
        for (path, d) in &files {
            crate::manifest::write::write_any_line(&mut bytes, path, d).expect("writing to a Vec cannot fail");
        }
        write_atomically(root, &rel, &bytes)?;
    }
    let tree = tree_digest(root, opts)?;
    let rel = manifest_rel(&opts.manifest_name)?;
    let target = write_atomically(root, &rel, &tree.manifest)?;
    Ok(Sealed { tree, manifest_path: target, resealed })
}

/// An existing manifest must still verify before it is replaced; what it
/// no longer vouches for is refused, or with `reseal` returned.
fn check_existing(root: &Path, opts: &SealOptions) -> Result<Vec<Finding>, Error> {
    let rel = manifest_rel(&opts.manifest_name)?;
    if std::fs::symlink_metadata(rel.under(root)).is_err() {
        return Ok(Vec::new());
    }
    let verify_opts = crate::verify::VerifyOptions {
        manifest: Some(rel.under(root)),
        excludes: opts.excludes.clone(),
        threads: opts.threads,
        allow_empty: true,
        ..crate::verify::VerifyOptions::default()
    };
    let findings = match crate::verify::verify(root, &verify_opts, String::new()) {
        Ok(report) if report.status().is_pass() => return Ok(Vec::new()),
        Ok(report) => report.findings,
        Err(e) => {
            let mut f = Finding::new(opts.manifest_name.clone(), FindingClass::ManifestDrift, e.to_string());
            f.proof = Some("the existing manifest could not be read as a seal".to_string());
            vec![f]
        }
    };
    if opts.reseal {
        Ok(findings)
    } else {
        Err(Error::Reseal(findings))
    }
}

/// Writes `bytes` at `rel` under `root`: a temporary file beside it,
/// synced, then renamed over it.
fn write_atomically(root: &Path, rel: &RelPath, bytes: &[u8]) -> Result<PathBuf, Error> {
    let target = rel.under(root);
    write_file_atomically(&target, bytes)?;
    Ok(target)
}

/// Writes `bytes` at `target`: a temporary file beside it, synced, then
/// renamed over it, so no reader sees half a file.
pub(crate) fn write_file_atomically(target: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp =
        tempfile::Builder::new().prefix(".sealcheck-manifest.").tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(target).map_err(|e| Error::io(target, e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Make the rename durable; a failure here leaves a correct file.
        let _ = d.sync_all();
    }
    Ok(())
}

/// The finding for something the walk could not seal.
pub(crate) fn problem_finding(p: &Problem) -> Finding {
    let mut f = match p {
        Problem::Unsupported { path, kind, .. } => Finding::new(
            path.clone(),
            FindingClass::UnsupportedFileType,
            format!("{} (only regular files are sealed; links are never followed)", kind.describe()),
        ),
        Problem::Unreadable { path, error } => {
            Finding::new(path.clone(), FindingClass::UnreadableFile, format!("cannot be listed: {error}"))
        }
        Problem::UnsafeName { path, error } => Finding::new(
            path.clone(),
            FindingClass::UnsupportedFileType,
            format!("name cannot be sealed safely: {error}"),
        ),
    };
    f.proof = Some(match p {
        Problem::Unsupported { kind, .. } => {
            format!("lstat gives a {} here, not a regular file; it was neither followed nor opened", kind.describe())
        }
        Problem::Unreadable { error, .. } => format!("listing the directory failed: {error}"),
        Problem::UnsafeName { error, .. } => format!("the name breaks the path-safety rules: {error}"),
    });
    f
}

/// The finding for a file that could not be hashed.
pub(crate) fn outcome_finding(path: &RelPath, outcome: Outcome) -> Finding {
    let shown = path.display();
    let (class, message, proof) = match outcome {
        Outcome::Ok(_) => unreachable!("a hashed file is not a finding"),
        Outcome::Missing => (
            FindingClass::MissingFile,
            "vanished while the packet was read".to_string(),
            "the walk listed it; opening it then found nothing".to_string(),
        ),
        Outcome::Unsupported(kind) => (
            FindingClass::UnsupportedFileType,
            format!("{} (only regular files are sealed; links are never followed)", kind.describe()),
            format!("opened without following links and without blocking, fstat gives a {}", kind.describe()),
        ),
        Outcome::ChangedWhileReading(what) => (
            FindingClass::ChangedWhileReading,
            what.clone(),
            format!("fstat on the open file before and after reading disagree: {what}"),
        ),
        Outcome::Unreadable(e) => {
            (FindingClass::UnreadableFile, e.to_string(), format!("opening or reading it failed: {e}"))
        }
    };
    let mut f = Finding::new(shown, class, message);
    f.proof = Some(proof);
    f
}
