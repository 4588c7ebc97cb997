//! Tree-level drift: a sealed path that is absent while its bytes, or its
//! name in another Unicode form, are present under an unsealed path.
//!
//! A missing sealed path and an unsealed present one are paired when the
//! unsealed name is the sealed one in another normalization form
//! (`filename_normalization_drift`) or when its bytes match the sealed
//! digest (`moved_file`, proven by the equal digest). What pairs with
//! nothing stays `missing_file` or `extra_file`. Lookups go through hash
//! maps, so the cost is linear.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::digest::AnyDigest;
use crate::finding::{Finding, FindingClass};
use crate::hash::Hashed;
use crate::seal::SealEntry;
use crate::RelPath;

/// How many of each the pairing left.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeCounts {
    /// Sealed paths absent.
    pub missing: u64,
    /// Unsealed files present.
    pub extra: u64,
    /// Sealed files found under another path.
    pub moved: u64,
}

/// Pairs `missing` sealed entries with `extras` (unsealed files in scope,
/// hashed with every strong algorithm the seal uses); `allow_extra` marks
/// unpaired extras allowed.
pub fn match_missing_and_extra(
    missing: &[&SealEntry],
    extras: &[(&RelPath, Hashed)],
    allow_extra: bool,
) -> (Vec<Finding>, TreeCounts) {
    let mut findings = Vec::new();
    let mut counts = TreeCounts::default();
    let mut used = vec![false; extras.len()];

    let mut by_nfc: HashMap<String, usize> = HashMap::new();
    for (i, (path, _)) in extras.iter().enumerate() {
        if let Ok(s) = std::str::from_utf8(path.as_bytes()) {
            by_nfc.entry(s.nfc().collect()).or_insert(i);
        }
    }
    let mut by_digest: HashMap<AnyDigest, Vec<usize>> = HashMap::new();
    for (i, (_, h)) in extras.iter().enumerate().rev() {
        by_digest.entry(h.digest.into()).or_default().push(i);
        for d in &h.others {
            by_digest.entry(d.clone()).or_default().push(i);
        }
    }

    let mut still_missing = Vec::new();
    for entry in missing {
        let renamed = std::str::from_utf8(entry.path.as_bytes())
            .ok()
            .and_then(|s| by_nfc.get(&s.nfc().collect::<String>()).copied())
            .filter(|&i| !used[i]);
        if let Some(i) = renamed {
            used[i] = true;
            counts.moved += 1;
            let (to, h) = &extras[i];
            let same = entry.digests.iter().all(|d| h.matches(&d.digest) == Some(true));
            let mut f = Finding::new(
                entry.path.display(),
                FindingClass::FilenameNormalizationDrift,
                format!("sealed name is present only in another Unicode normalization form: {}", to.display()),
            );
            f.proof = Some(format!(
                "the sealed name and {} are equal after Unicode NFC normalization; {}",
                to.display(),
                if same { "its bytes match the sealed digest" } else { "its bytes do not match the sealed digest" }
            ));
            if !same {
                f.classes.push(FindingClass::EditedContent);
                f.message.push_str(", and its bytes differ");
            }
            set_digests(&mut f, entry, Some(h));
            f.moved_to = Some(to.display());
            f.hint = Some(
                "the name was re-normalized (macOS file systems, archive tools, rsync --iconv); \
                 restore the sealed byte form of the name"
                    .to_string(),
            );
            findings.push(f);
            continue;
        }
        let moved = entry.digests.iter().find_map(|d| {
            let v = by_digest.get_mut(&d.digest)?;
            while let Some(i) = v.pop() {
                if !used[i] {
                    return Some(i);
                }
            }
            None
        });
        match moved {
            Some(i) => {
                used[i] = true;
                counts.moved += 1;
                let (to_path, h) = &extras[i];
                let to = to_path.display();
                let mut f = Finding::new(
                    entry.path.display(),
                    FindingClass::MovedFile,
                    format!("sealed bytes are present under another path: {to}"),
                );
                f.proof = Some(format!("{to} is not sealed and its bytes match the sealed digest of this path"));
                set_digests(&mut f, entry, Some(h));
                f.moved_to = Some(to);
                findings.push(f);
            }
            None => still_missing.push(entry),
        }
    }
    for entry in still_missing {
        counts.missing += 1;
        let mut f = Finding::new(entry.path.display(), FindingClass::MissingFile, "sealed path is absent");
        f.proof = Some(
            "no file is at this path, and no unsealed file has its sealed digest or its name in another \
             Unicode form"
                .to_string(),
        );
        set_digests(&mut f, entry, None);
        findings.push(f);
    }
    for ((path, h), _) in extras.iter().zip(&used).filter(|(_, &u)| !u) {
        counts.extra += 1;
        let mut f = Finding::new(path.display(), FindingClass::ExtraFile, "present but not sealed");
        f.proof = Some("the seal has no entry for this path, and no missing sealed path has its bytes".to_string());
        f.actual_sha256 = Some(h.digest.to_hex());
        f.allowed = allow_extra;
        if allow_extra {
            f.message.push_str(" (allowed by --allow-extra)");
        }
        findings.push(f);
    }
    (findings, counts)
}

/// Fills a finding's sealed and found digests from `entry` and `found`.
pub fn set_digests(f: &mut Finding, entry: &SealEntry, found: Option<&Hashed>) {
    f.expected_sha256 = entry.sha256().map(|d| d.to_hex());
    if f.expected_sha256.is_none() {
        f.expected_digest = Some(entry.primary().to_string());
    }
    f.actual_sha256 = found.map(|h| h.digest.to_hex());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::Stamp;
    use crate::seal::SealedDigest;
    use crate::Digest;

    fn entry(path: &str, bytes: &[u8]) -> SealEntry {
        let digest = Digest::of(bytes).into();
        SealEntry { path: rel(path), digests: smallvec::smallvec![SealedDigest { digest, file: 0, line: 1 }] }
    }

    fn rel(path: &str) -> RelPath {
        RelPath::new(path.as_bytes().to_vec()).unwrap()
    }

    fn hashed(bytes: &[u8]) -> Hashed {
        let stamp = Stamp { size: bytes.len() as u64, mtime_ns: 0, ctime_ns: 0, ino: 1, dev: 1, mode: 0o100644 };
        Hashed { digest: Digest::of(bytes), others: Vec::new(), stamp }
    }

    fn classes(findings: &[Finding], path: &str) -> Vec<FindingClass> {
        findings.iter().find(|f| f.path == path).map(|f| f.classes.clone()).unwrap_or_default()
    }

    /// Every way a missing path pairs, or does not, with its counts exact.
    #[test]
    fn missing_and_extra_pair_by_name_form_then_by_digest() {
        let nfc = "caf\u{e9}.txt";
        let nfd = "cafe\u{301}.txt";
        let other_nfc = "r\u{e9}sum\u{e9}.txt";
        let other_nfd = "re\u{301}sume\u{301}.txt";
        let missing = [
            entry(nfc, b"menu"),
            entry(other_nfc, b"cv"),
            entry("a/one", b"same"),
            entry("a/two", b"same"),
            entry("gone1", b"x"),
            entry("gone2", b"y"),
            entry("gone3", b"z"),
        ];
        let extras_paths = [rel(nfd), rel(other_nfd), rel("b/one"), rel("b/two"), rel("new1"), rel("new2")];
        let extras: Vec<(&RelPath, Hashed)> = vec![
            (&extras_paths[0], hashed(b"menu")),
            (&extras_paths[1], hashed(b"cv, edited")),
            (&extras_paths[2], hashed(b"same")),
            (&extras_paths[3], hashed(b"same")),
            (&extras_paths[4], hashed(b"new")),
            (&extras_paths[5], hashed(b"newer")),
        ];
        let refs: Vec<&SealEntry> = missing.iter().collect();
        let (findings, counts) = match_missing_and_extra(&refs, &extras, false);
        assert_eq!(counts, TreeCounts { missing: 3, extra: 2, moved: 4 });
        assert_eq!(findings.len(), 9);

        assert_eq!(classes(&findings, nfc), [FindingClass::FilenameNormalizationDrift]);
        let renamed = findings.iter().find(|f| f.path == nfc).unwrap();
        assert_eq!(renamed.moved_to.as_deref(), Some(nfd));
        assert!(renamed.proof.as_deref().unwrap().ends_with("its bytes match the sealed digest"));
        assert_eq!(
            classes(&findings, other_nfc),
            [FindingClass::FilenameNormalizationDrift, FindingClass::EditedContent]
        );
        let edited = findings.iter().find(|f| f.path == other_nfc).unwrap();
        assert!(edited.proof.as_deref().unwrap().ends_with("do not match the sealed digest"));
        assert!(edited.message.ends_with("and its bytes differ"));

        // Two sealed paths with the same bytes take the two copies, once each.
        let one = findings.iter().find(|f| f.path == "a/one").unwrap();
        let two = findings.iter().find(|f| f.path == "a/two").unwrap();
        assert_eq!(
            (one.classes.as_slice(), two.classes.as_slice()),
            (&[FindingClass::MovedFile][..], &[FindingClass::MovedFile][..])
        );
        let mut to = [one.moved_to.clone().unwrap(), two.moved_to.clone().unwrap()];
        to.sort();
        assert_eq!(to, ["b/one", "b/two"]);

        for gone in ["gone1", "gone2", "gone3"] {
            assert_eq!(classes(&findings, gone), [FindingClass::MissingFile]);
        }
        for new in ["new1", "new2"] {
            let f = findings.iter().find(|f| f.path == new).unwrap();
            assert_eq!(f.classes, [FindingClass::ExtraFile]);
            assert!(!f.allowed);
        }
        // --allow-extra marks the unpaired extras allowed, and only them.
        let (allowed, _) = match_missing_and_extra(&refs, &extras, true);
        assert_eq!(allowed.iter().filter(|f| f.allowed).count(), 2);
        assert!(allowed.iter().filter(|f| f.allowed).all(|f| f.message.ends_with("(allowed by --allow-extra)")));
    }
}
