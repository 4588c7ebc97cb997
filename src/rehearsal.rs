//! Migration rehearsals: apply must change the state, rollback must restore
//! it exactly.
//!
//! A state is a directory, hashed like a packet (every regular file, no
//! manifest left out), or a snapshot file written earlier by
//! [`snapshot`]. Nothing is ever written to the directories.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::{Report, Verdict};
use crate::seal::{tree_digest, SealOptions};
use crate::{Digest, Error, Status};

pub use crate::report::sections::RehearsalCheck;

/// The `doc` value of a snapshot file.
pub const SNAPSHOT_DOC: &str = "sealcheck-snapshot";

/// A recorded state of a directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always `sealcheck-snapshot`.
    pub doc: String,
    /// The snapshot format's version.
    pub schema_version: u32,
    /// The directory as given.
    pub root: String,
    /// SHA-256 of the canonical manifest of every file.
    pub tree_sha256: String,
    /// Number of files.
    pub file_count: u64,
    /// Every file (display path) and its digest, by path.
    pub files: BTreeMap<String, String>,
}

/// Records the state of `dir`.
pub fn snapshot(dir: &Path, threads: Option<usize>) -> Result<Snapshot, Error> {
    let opts = SealOptions { threads, include_manifest: true, ..SealOptions::default() };
    let tree = tree_digest(dir, &opts)?;
    Ok(Snapshot {
        doc: SNAPSHOT_DOC.to_string(),
        schema_version: 1,
        root: dir.display().to_string(),
        tree_sha256: tree.packet_tree_sha256.to_hex(),
        file_count: tree.files.len() as u64,
        files: tree.files.iter().map(|(p, d)| (p.display(), d.to_hex())).collect(),
    })
}

/// A directory is snapshotted now; a file is read as a snapshot.
pub fn load_state(path: &Path, threads: Option<usize>) -> Result<Snapshot, Error> {
    // A link is never followed, to a directory or a snapshot file.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return snapshot(path, threads);
    }
    let shown = path.display().to_string();
    let bytes = crate::input::read(path, crate::input::Kind::Snapshot)?;
    let s: Snapshot = crate::input::json::from_slice(&bytes, &shown)?;
    let bad = |expected: String| Error::Malformed { path: shown.clone(), line: None, expected };
    if s.doc != SNAPSHOT_DOC || s.schema_version != 1 {
        return Err(bad(format!("a sealcheck snapshot (doc {SNAPSHOT_DOC:?}, schema_version 1), not doc {:?}", s.doc)));
    }
    // Nothing declared is trusted: the tree digest and the count are
    // recomputed from the recorded files, and must agree.
    let mut entries: Vec<(crate::RelPath, Digest)> = Vec::with_capacity(s.files.len());
    for (p, d) in &s.files {
        let digest = Digest::from_pin(d).map_err(|e| bad(format!("a digest at files[{p:?}]: {e}")))?;
        let raw = crate::escape::unescape_bytes(p).ok_or_else(|| bad(format!("an escaped path, not {p:?}")))?;
        let rel = crate::RelPath::new(raw).map_err(|e| bad(format!("a safe path at files[{p:?}]: {e}")))?;
        entries.push((rel, digest));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let tree = Digest::of(&crate::manifest::write::canonical_bytes(entries.iter().map(|(p, d)| (p, d))));
    if tree.to_hex() != s.tree_sha256 || s.file_count != entries.len() as u64 {
        return Err(bad(format!(
            "tree_sha256 and file_count that its files give ({tree}, {}), not the declared {} and {}",
            entries.len(),
            s.tree_sha256,
            s.file_count
        )));
    }
    Ok(s)
}

fn differing(a: &Snapshot, b: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = a
        .files
        .iter()
        .filter(|(p, d)| b.files.get(*p) != Some(d))
        .map(|(p, _)| p.clone())
        .chain(b.files.keys().filter(|p| !a.files.contains_key(*p)).cloned())
        .collect();
    out.sort();
    out
}

/// Judges a rehearsal from its three states.
pub fn rehearsal(before: &Snapshot, apply: &Snapshot, rollback: &Snapshot, date: String) -> Report {
    let changed = differing(before, apply);
    let residue = differing(before, rollback);
    let differs = before.tree_sha256 != apply.tree_sha256;
    let restores = before.tree_sha256 == rollback.tree_sha256 && residue.is_empty();
    let pass = differs && restores;
    let mut r = Report::new("rehearsal", date);
    r.checks.rehearsal = Some(RehearsalCheck {
        verdict: Verdict::from_ok(pass),
        before_hash: before.tree_sha256.clone(),
        after_apply_hash: apply.tree_sha256.clone(),
        after_rollback_hash: rollback.tree_sha256.clone(),
        after_apply_differs_from_before: differs,
        rollback_restores_expected_state: restores,
        changed_by_apply: changed,
        not_restored_by_rollback: residue,
    });
    r.finish(if pass { Status::Pass } else { Status::Integrity });
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Snapshot) {
        let d = tempfile::tempdir().unwrap();
        for (p, c) in files {
            std::fs::write(d.path().join(p), c).unwrap();
        }
        let s = snapshot(d.path(), Some(1)).unwrap();
        (d, s)
    }

    #[test]
    fn apply_must_change_and_rollback_must_restore() {
        let (_a, before) = state(&[("schema.sql", b"v1"), ("HASH_MANIFEST.txt", b"kept")]);
        let (_b, apply) = state(&[("schema.sql", b"v2"), ("HASH_MANIFEST.txt", b"kept")]);
        let (_c, good) = state(&[("schema.sql", b"v1"), ("HASH_MANIFEST.txt", b"kept")]);
        let (_d, bad) = state(&[("schema.sql", b"v1"), ("HASH_MANIFEST.txt", b"kept"), ("leftover", b"x")]);
        let r = rehearsal(&before, &apply, &good, String::new());
        assert_eq!(r.exit_code, 0);
        assert_eq!(r.checks.rehearsal.unwrap().changed_by_apply, ["schema.sql"]);
        let r = rehearsal(&before, &apply, &bad, String::new());
        assert_eq!(r.exit_code, 1);
        assert_eq!(r.checks.rehearsal.unwrap().not_restored_by_rollback, ["leftover"]);
        let r = rehearsal(&before, &before, &good, String::new());
        assert_eq!(r.exit_code, 1, "an apply that changed nothing proves nothing");
        assert_eq!(before.file_count, 2, "a snapshot keeps a file named like the manifest");
    }
}
