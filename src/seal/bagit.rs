//! BagIt bags (RFC 8493) into a seal.
//!
//! A directory with `bagit.txt` at its root (and no `HASH_MANIFEST.txt`) is
//! read as a bag: `bagit.txt` (rule B1), every payload manifest and tag
//! manifest of every algorithm (B2–B6), `bag-info.txt` (B7–B8) and
//! `fetch.txt` (B9). Every manifest goes into one [`Seal`], so the bag is
//! verified by the same engine as any packet, with every option and every
//! diagnosis. What only a bag has is checked here: the reading rules, that
//! every payload manifest lists the same payload paths (B10), and, after the
//! engine, `Payload-Oxum` ([`check`], B11). The rules are numbered in
//! `docs/bagit.md`.

use super::{Format, Listed, Scope, Seal, SealFile, SealedDigest};
use crate::digest::{Algo, AnyDigest};
use crate::finding::{Finding, FindingClass};
use crate::fsio::{Root, Stamp};
use crate::input::{self, Kind};
use crate::manifest::ManifestDrift;
use crate::report::Verdict;
use crate::{Digest, Error, RelPath};

pub use crate::report::sections::BagCheck;

/// What only a bag has, carried from reading to [`check`].
#[derive(Clone, Debug, Default)]
pub struct BagFacts {
    /// `BagIt-Version`.
    pub version: String,
    /// Algorithms of the payload manifests.
    pub payload_manifests: Vec<Algo>,
    /// Algorithms of the tag manifests.
    pub tag_manifests: Vec<Algo>,
    /// `Payload-Oxum` as declared.
    pub oxum_declared: Option<String>,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// Whether `root` is a bag: it has `bagit.txt`.
pub fn is_bag(root: &std::path::Path) -> bool {
    std::fs::symlink_metadata(root.join("bagit.txt")).is_ok()
}

/// bag-info.txt labels that may appear at most once (RFC 8493 §2.2.2).
const NOT_REPEATABLE: [&str; 5] = ["Bagging-Date", "Bag-Size", "Payload-Oxum", "Bag-Group-Identifier", "Bag-Count"];

/// Splits text into lines ended by LF, CR or CRLF (RFC 8493 §2.1.1).
fn tag_lines(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text.split('\n').flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r')).collect();
    if out.last() == Some(&"") {
        out.pop();
    }
    out
}

/// Decodes a manifest path: `%0A`, `%0D`, `%25` (any case). Another `%` is
/// refused, or with `lenient` kept literally and counted.
fn decode_path(raw: &str, lenient: bool, literal: &mut u64) -> Result<Vec<u8>, String> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let code = b.get(i + 1..i + 3).map(|c| c.to_ascii_uppercase());
            match code.as_deref() {
                Some(b"0A") => out.push(b'\n'),
                Some(b"0D") => out.push(b'\r'),
                Some(b"25") => out.push(b'%'),
                _ if lenient => {
                    *literal += 1;
                    out.push(b'%');
                    i += 1;
                    continue;
                }
                _ => {
                    return Err(format!(
                        "%0A, %0D or %25 where '%' stands at character {} (a literal '%' must be written %25)",
                        i + 1
                    ))
                }
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn bad(name: &str, line: usize, what: impl std::fmt::Display) -> Error {
    Error::MalformedSeal { path: name.to_string(), line: Some(line), expected: what.to_string() }
}

/// One tag file read whole, with its state when opened.
struct TagFile {
    rel: RelPath,
    bytes: Vec<u8>,
    stamp: Stamp,
}

fn read_tag(root: &Root, name: &str, kind: Kind) -> Result<Option<TagFile>, Error> {
    let rel = RelPath::new(name.as_bytes().to_vec()).map_err(|e| bad(name, 1, format!("a safe name: {e}")))?;
    let Some(opened) = input::open_in(root, &rel, name, kind)? else {
        return Ok(None);
    };
    let stamp = Stamp::of(opened.metadata());
    Ok(Some(TagFile { rel, bytes: opened.read_all()?, stamp }))
}

fn seal_file(root: &Root, t: &TagFile, drift: ManifestDrift) -> SealFile {
    SealFile {
        shown: t.rel.display(),
        path: t.rel.under(root.path()),
        inside: Some(t.rel.clone()),
        sha256: Digest::of(&t.bytes),
        stamp: t.stamp,
        drift,
        canonical: false,
    }
}

/// A BOM before a tag file: drift of the seal itself (red), then read on.
fn strip_bom<'a>(name: &str, bytes: &'a [u8], findings: &mut Vec<Finding>) -> (&'a [u8], bool) {
    match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => {
            let mut f = Finding::new(
                name.to_string(),
                FindingClass::ManifestDrift,
                format!("{name} starts with a UTF-8 BOM (RFC 8493: UTF-8 without a BOM)"),
            );
            f.classes.push(FindingClass::BomPrefix);
            f.actual_sha256 = Some(Digest::of(bytes).to_hex());
            f.proof = Some(format!(
                "stripping the 3-byte UTF-8 BOM leaves bytes that parse as {name}; RFC 8493 tag files carry none"
            ));
            findings.push(f);
            (rest, true)
        }
        None => (bytes, false),
    }
}

/// Rules B2–B6: one manifest's lines.
fn parse_manifest(
    bytes: &[u8],
    name: &str,
    algo: Algo,
    tag: bool,
    file: usize,
    lenient: bool,
    literal: &mut u64,
) -> Result<Vec<Listed>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| bad(name, 1, format!("UTF-8 text ({e})")))?;
    let mut out: Vec<Listed> = Vec::new();
    for (i, line) in tag_lines(text).into_iter().enumerate() {
        let no = i + 1;
        let (hex, rest) = line.split_once([' ', '\t']).ok_or_else(|| bad(name, no, "'CHECKSUM PATH'"))?;
        let path = rest.trim_start_matches([' ', '\t']);
        let digest = AnyDigest::from_hex(algo, hex.as_bytes())
            .map_err(|e| bad(name, no, format!("{} hex digits for {algo}: {e}", algo.hex_len())))?;
        if path.chars().any(char::is_control) {
            return Err(bad(name, no, "a path without control characters (RFC 8493 encodes CR and LF as %0D, %0A)"));
        }
        let raw = decode_path(path, lenient, literal).map_err(|e| bad(name, no, e))?;
        let rel = RelPath::new(raw).map_err(|e| bad(name, no, format!("a safe path, not {path:?}: {e}")))?;
        let in_payload = rel.as_bytes().starts_with(b"data/");
        if tag == in_payload {
            let want = if tag { "a tag file (outside data/)" } else { "a payload file (under data/)" };
            return Err(bad(name, no, format!("{want}, not {path:?}")));
        }
        out.push(Listed { path: rel, sealed: SealedDigest { digest, file, line: no } });
    }
    // Each path once (rule B5): sorted by path, lines in order within a
    // path, a repeat sits beside its first listing. The earliest repeat is
    // the one reported, as a reader going line by line would.
    let mut by_path: Vec<&Listed> = out.iter().collect();
    by_path.sort_by(|a, b| a.path.cmp(&b.path));
    let repeat = by_path.windows(2).filter(|w| w[0].path == w[1].path).min_by_key(|w| w[1].sealed.line);
    if let Some(w) = repeat {
        let (first, again) = (w[0].sealed.line, w[1].sealed.line);
        let shown = tag_lines(text).get(again - 1).map(|l| {
            let rest = l.split_once([' ', '\t']).map_or("", |(_, r)| r);
            rest.trim_start_matches([' ', '\t']).to_string()
        });
        return Err(bad(
            name,
            again,
            format!("each path once: {:?} is already listed on line {first}", shown.unwrap_or_default()),
        ));
    }
    Ok(out)
}

/// Rules B7–B8: `bag-info.txt` labels; returns the declared Oxum.
fn read_bag_info(bytes: &[u8], findings: &mut Vec<Finding>) -> Result<Option<String>, Error> {
    let name = "bag-info.txt";
    let (body, _) = strip_bom(name, bytes, findings);
    let text = std::str::from_utf8(body).map_err(|e| bad(name, 1, format!("UTF-8 text ({e})")))?;
    let mut seen: std::collections::HashMap<String, (usize, String)> = std::collections::HashMap::new();
    let mut last: Option<String> = None;
    for (i, line) in tag_lines(text).into_iter().enumerate() {
        let no = i + 1;
        if line.starts_with([' ', '\t']) {
            if let Some(label) = &last {
                let entry = seen.get_mut(label).expect("the label was recorded");
                entry.1.push(' ');
                entry.1.push_str(line.trim());
                continue;
            }
            return Err(bad(name, no, "'Label: value' (a continuation line with no label before it)"));
        }
        let (label, value) = line.split_once(':').ok_or_else(|| bad(name, no, "'Label: value'"))?;
        let label = label.trim().to_string();
        let value = value.trim().to_string();
        if let Some(reserved) = NOT_REPEATABLE.iter().find(|r| r.eq_ignore_ascii_case(&label)) {
            if let Some((first, before)) = seen.get(&label) {
                let how = if *before == value { "repeated" } else { "given again with another value" };
                return Err(bad(
                    name,
                    no,
                    format!("{reserved} at most once (RFC 8493 §2.2.2): it is {how}, first on line {first}"),
                ));
            }
        }
        seen.entry(label.clone()).or_insert((no, value));
        last = Some(label);
    }
    Ok(seen.into_iter().find(|(k, _)| k.eq_ignore_ascii_case("Payload-Oxum")).map(|(_, (_, v))| v))
}

/// Reads the bag at `root` into a seal.
pub fn read(root: &Root, lenient_names: bool) -> Result<Seal, Error> {
    let mut findings = Vec::new();
    let mut files: Vec<SealFile> = Vec::new();
    let mut listed: Vec<Listed> = Vec::new();
    let mut facts = BagFacts::default();

    let bagit_txt = read_tag(root, "bagit.txt", Kind::TagFile)?
        .ok_or_else(|| Error::NoManifest(root.path().join("bagit.txt").display().to_string()))?;
    let (body, bom) = strip_bom("bagit.txt", &bagit_txt.bytes, &mut findings);
    facts.version = check_bagit_txt(body)?;
    files.push(seal_file(root, &bagit_txt, ManifestDrift { bom, ..ManifestDrift::default() }));

    if std::fs::symlink_metadata(root.path().join("fetch.txt")).is_ok() {
        return Err(bad(
            "fetch.txt",
            1,
            "no fetch.txt: its files are not in the bag, so the bag cannot be verified as complete (rule B9)",
        ));
    }

    // Manifests at the root, in name order.
    let mut names: Vec<String> = std::fs::read_dir(root.path())
        .map_err(|e| Error::io(root.path(), e))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .filter(|n| n.starts_with("manifest-") || n.starts_with("tagmanifest-"))
        .collect();
    names.sort();
    let mut literal = 0u64;
    let mut payload_sets: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    for name in &names {
        let (tag, alg) = match (name.strip_prefix("tagmanifest-"), name.strip_prefix("manifest-")) {
            (Some(r), _) => (true, r),
            (_, Some(r)) => (false, r),
            _ => continue,
        };
        let Some(alg) = alg.strip_suffix(".txt") else { continue };
        let algo = Algo::from_name(alg)
            .filter(|a| a.name() == alg)
            .ok_or_else(|| bad(name, 1, format!("an algorithm of md5, sha1, sha256, sha512, blake3, not {alg:?}")))?;
        let Some(t) = read_tag(root, name, Kind::Manifest)? else { continue };
        let (body, bom) = strip_bom(name, &t.bytes, &mut findings);
        let index = files.len();
        let these = parse_manifest(body, name, algo, tag, index, lenient_names, &mut literal)?;
        if tag {
            facts.tag_manifests.push(algo);
        } else {
            facts.payload_manifests.push(algo);
            payload_sets.push((name.clone(), listed.len()..listed.len() + these.len()));
        }
        listed.extend(these);
        files.push(seal_file(root, &t, ManifestDrift { bom, ..ManifestDrift::default() }));
    }
    if payload_sets.is_empty() {
        return Err(bad("bagit.txt", 1, "a payload manifest (manifest-<algorithm>.txt) beside it (rule B2)"));
    }
    // Rule B10: every payload manifest lists the same payload files (with
    // one, there is nothing to compare).
    let sets: Vec<(&String, Vec<&RelPath>)> = if payload_sets.len() < 2 {
        Vec::new()
    } else {
        payload_sets
            .iter()
            .map(|(name, range)| {
                let mut paths: Vec<&RelPath> = listed[range.clone()].iter().map(|l| &l.path).collect();
                paths.sort_unstable();
                (name, paths)
            })
            .collect()
    };
    let mut all: Vec<&RelPath> = sets.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    for (name, set) in &sets {
        for path in all.iter().filter(|p| set.binary_search(p).is_err()) {
            let mut f = Finding::new(
                path.display(),
                FindingClass::ManifestDrift,
                format!(
                    "listed in another payload manifest but not in {name} (RFC 8493 §3: every payload file is in \
                     every payload manifest)"
                ),
            );
            f.proof = Some(format!("{name} has no line for this path; another payload manifest of the bag has one"));
            findings.push(f);
        }
    }
    if literal > 0 {
        facts
            .warnings
            .push(format!("{literal} '%' sequences in manifest paths were read literally (--bagit-lenient-names)"));
    }
    if let Some(info) = read_tag(root, "bag-info.txt", Kind::TagFile)? {
        facts.oxum_declared = read_bag_info(&info.bytes, &mut findings)?;
    }
    Seal::new(Format::Bagit, Scope::Bag, files, listed, Vec::new(), findings, Some(facts))
}

/// Rule B11, after the engine: `Payload-Oxum` against the payload found
/// (`files` payload files of `bytes` bytes). Returns the report's section
/// and a finding when the Oxum does not match. A matching Oxum never stands
/// in for hashing.
pub fn check(facts: &BagFacts, files: u64, bytes: u64, ok: bool) -> (BagCheck, Option<Finding>) {
    let actual = format!("{bytes}.{files}");
    let matches = facts.oxum_declared.as_ref().map(|d| *d == actual);
    let finding = match (&facts.oxum_declared, matches) {
        (Some(declared), Some(false)) => {
            let mut f = Finding::new(
                "bag-info.txt".into(),
                FindingClass::EditedContent,
                format!("Payload-Oxum declares {declared} (bytes.files), the payload is {actual}"),
            );
            f.proof = Some(format!(
                "counted {files} payload files of {bytes} bytes in all under data/; bag-info.txt declares {declared}"
            ));
            f.hint = Some("the payload gained, lost or resized files since the bag was made".into());
            Some(f)
        }
        _ => None,
    };
    let check = BagCheck {
        verdict: Some(Verdict::from_ok(ok && finding.is_none())),
        version: facts.version.clone(),
        payload_manifests: facts.payload_manifests.clone(),
        tag_manifests: facts.tag_manifests.clone(),
        payload_files: files,
        payload_bytes: bytes,
        payload_oxum_declared: facts.oxum_declared.clone(),
        payload_oxum_actual: actual,
        payload_oxum_matches: matches,
        warnings: facts.warnings.clone(),
    };
    (check, finding)
}

/// Rule B1: exactly the two declarations; returns the version.
fn check_bagit_txt(body: &[u8]) -> Result<String, Error> {
    let text = std::str::from_utf8(body).map_err(|e| bad("bagit.txt", 1, format!("not UTF-8: {e}")))?;
    let lines = tag_lines(text);
    if lines.len() != 2 {
        return Err(bad("bagit.txt", lines.len().min(3), format!("exactly 2 lines, found {}", lines.len())));
    }
    let version =
        lines[0].strip_prefix("BagIt-Version: ").ok_or_else(|| bad("bagit.txt", 1, "'BagIt-Version: M.N'"))?;
    if !matches!(version, "0.97" | "1.0") {
        return Err(bad("bagit.txt", 1, format!("BagIt-Version 0.97 or 1.0, not {version:?}")));
    }
    if lines[1] != "Tag-File-Character-Encoding: UTF-8" {
        return Err(bad("bagit.txt", 2, "'Tag-File-Character-Encoding: UTF-8'"));
    }
    Ok(version.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn tag_lines_end_at_lf_cr_or_crlf() {
        assert_eq!(tag_lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(tag_lines("a\n"), ["a"]);
        assert_eq!(tag_lines("a\n\nb\n"), ["a", "", "b"]);
        assert!(tag_lines("").is_empty());
    }

    #[test]
    fn paths_decode_exactly_three_escapes_and_refuse_or_count_other_percents() {
        let mut n = 0;
        assert_eq!(decode_path("a%0Ab%0dc%25d", false, &mut n).unwrap(), b"a\nb\rc%d");
        assert_eq!(decode_path("plain", false, &mut n).unwrap(), b"plain");
        assert_eq!(n, 0);
        let e = decode_path("ab%41", false, &mut n).unwrap_err();
        assert!(e.contains("at character 3"), "{e}");
        assert!(decode_path("ab%", false, &mut n).is_err());
        assert_eq!(decode_path("a%41%25b%", true, &mut n).unwrap(), b"a%41%b%");
        assert_eq!(n, 2, "two literal '%' counted");
    }

    #[test]
    fn a_bom_is_drift_of_the_seal_and_is_stripped() {
        let mut findings = Vec::new();
        assert_eq!(strip_bom("bagit.txt", b"abc", &mut findings), (&b"abc"[..], false));
        assert!(findings.is_empty());
        assert_eq!(strip_bom("bagit.txt", b"\xef\xbb\xbfabc", &mut findings), (&b"abc"[..], true));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].classes, [FindingClass::ManifestDrift, FindingClass::BomPrefix]);
        assert!(findings[0].proof.as_deref().is_some_and(|p| !p.is_empty()));
    }

    const H: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn manifest(text: &str, tag: bool) -> Result<Vec<Listed>, Error> {
        parse_manifest(text.as_bytes(), "manifest-sha256.txt", Algo::Sha256, tag, 0, false, &mut 0)
    }

    /// Writes `bytes` at `name` under `dir`, making its directories.
    fn put_file(dir: &Path, name: &str, bytes: &[u8]) {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    fn line_of(e: Error) -> Option<usize> {
        match e {
            Error::MalformedSeal { line, .. } => line,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn manifest_lines_are_read_with_their_numbers_and_every_rule_holds() {
        let got = manifest(&format!("{H}  data/a b\n{H}\tdata/%25c\n"), false).unwrap();
        let paths: Vec<_> = got.iter().map(|l| (l.path.display(), l.sealed.line)).collect();
        assert_eq!(paths, [("data/a b".to_string(), 1), ("data/%c".to_string(), 2)]);
        assert_eq!(line_of(manifest(&format!("{H}  data/a\nnonsense\n"), false).unwrap_err()), Some(2));
        assert_eq!(line_of(manifest(&format!("{H}  data/a\n{H}  data/a\n"), false).unwrap_err()), Some(2));
        assert_eq!(line_of(manifest(&format!("{H}  bagit.txt\n"), false).unwrap_err()), Some(1), "not payload");
        assert_eq!(line_of(manifest(&format!("{H}  data/x\n"), true).unwrap_err()), Some(1), "not a tag file");
        assert_eq!(line_of(manifest(&format!("{H}  data/a\u{1}b\n"), false).unwrap_err()), Some(1));
        assert_eq!(line_of(manifest("abc  data/a\n", false).unwrap_err()), Some(1));
        assert!(manifest(&format!("{H}  bag-info.txt\n"), true).is_ok());
    }

    /// A path listed again: the earliest repeat is named, with the line of
    /// the first listing, whatever order the paths come in.
    #[test]
    fn the_earliest_repeat_of_a_path_is_the_one_reported() {
        let text = format!("{H}  data/b\n{H}  data/a\n{H}  data/b\n{H}  data/a\n");
        match manifest(&text, false).unwrap_err() {
            Error::MalformedSeal { line, expected, .. } => {
                assert_eq!(line, Some(3));
                assert!(expected.ends_with("\"data/b\" is already listed on line 1"), "{expected}");
            }
            other => panic!("{other:?}"),
        }
        let text = format!("{H}  data/z\n{H}  data/a\n{H}  data/m\n{H}  data/a\n{H}  data/z\n");
        assert_eq!(line_of(manifest(&text, false).unwrap_err()), Some(4));
    }

    /// Rule B10: with two payload manifests, a path one of them lacks is
    /// drift of the seal, named once for the manifest that lacks it.
    #[test]
    fn payload_manifests_must_list_the_same_files() {
        let d = tempfile::tempdir().unwrap();
        let put = |n: &str, b: &[u8]| put_file(d.path(), n, b);
        let h512 = "a".repeat(128);
        put("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
        put("manifest-sha256.txt", format!("{H}  data/a\n{H}  data/b\n").as_bytes());
        put("manifest-sha512.txt", format!("{h512}  data/b\n{h512}  data/c\n").as_bytes());
        let seal = read(&Root::open(d.path()).unwrap(), false).unwrap();
        let mut got: Vec<(String, bool)> =
            seal.findings.iter().map(|f| (f.path.clone(), f.message.contains("not in manifest-sha256.txt"))).collect();
        got.sort();
        assert_eq!(got, [("data/a".to_string(), false), ("data/c".to_string(), true)]);
        assert!(seal.findings.iter().all(|f| f.classes == [FindingClass::ManifestDrift]));
        // The same files in both: nothing to say.
        put("manifest-sha512.txt", format!("{h512}  data/b\n{h512}  data/a\n").as_bytes());
        assert!(read(&Root::open(d.path()).unwrap(), false).unwrap().findings.is_empty());
        // Three manifests are compared too: a third that lacks a path.
        put("manifest-md5.txt", format!("{}  data/a\n", "b".repeat(32)).as_bytes());
        let seal = read(&Root::open(d.path()).unwrap(), false).unwrap();
        let got: Vec<(&str, bool)> =
            seal.findings.iter().map(|f| (f.path.as_str(), f.message.contains("not in manifest-md5.txt"))).collect();
        assert_eq!(got, [("data/b", true)]);
    }

    #[test]
    fn bag_info_gives_the_oxum_and_refuses_a_repeated_reserved_label() {
        let mut f = Vec::new();
        let info = "Source-Organization: x\n  continued\nPayload-Oxum: 12.3\nContact: a\nContact: b\n";
        assert_eq!(read_bag_info(info.as_bytes(), &mut f).unwrap().as_deref(), Some("12.3"));
        assert_eq!(read_bag_info(b"Contact: a\n", &mut f).unwrap(), None);
        let twice = read_bag_info(b"Payload-Oxum: 1.1\nPayload-Oxum: 1.1\n", &mut f).unwrap_err();
        assert_eq!(line_of(twice), Some(2));
        assert_eq!(line_of(read_bag_info(b" orphan continuation\n", &mut f).unwrap_err()), Some(1));
        assert_eq!(line_of(read_bag_info(b"no colon\n", &mut f).unwrap_err()), Some(1));
        assert!(f.is_empty());
    }

    #[test]
    fn bagit_txt_holds_exactly_its_two_declarations() {
        assert_eq!(check_bagit_txt(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n").unwrap(), "1.0");
        assert_eq!(check_bagit_txt(b"BagIt-Version: 0.97\r\nTag-File-Character-Encoding: UTF-8\r\n").unwrap(), "0.97");
        for (bad, line) in [
            (&b"BagIt-Version: 1.0\n"[..], Some(1)),
            (b"BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n", Some(1)),
            (b"Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", Some(1)),
            (b"BagIt-Version: 1.0\nTag-File-Character-Encoding: latin-1\n", Some(2)),
            (b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nmore\n", Some(3)),
        ] {
            assert_eq!(line_of(check_bagit_txt(bad).unwrap_err()), line, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_payload_oxum_is_checked_and_never_passes_a_failed_run() {
        let facts = |oxum: Option<&str>| BagFacts { oxum_declared: oxum.map(str::to_string), ..BagFacts::default() };
        let (c, f) = check(&facts(Some("12.3")), 3, 12, true);
        assert!(f.is_none());
        assert_eq!((c.payload_oxum_matches, c.verdict), (Some(true), Some(Verdict::Pass)));
        assert_eq!(c.payload_oxum_actual, "12.3");
        let (c, f) = check(&facts(Some("12.3")), 3, 13, true);
        let f = f.expect("an Oxum that differs is a finding");
        assert_eq!(f.classes, [FindingClass::EditedContent]);
        assert!(f.proof.as_deref().is_some_and(|p| p.contains("13 bytes")));
        assert_eq!((c.payload_oxum_matches, c.verdict), (Some(false), Some(Verdict::Fail)));
        let (c, f) = check(&facts(None), 3, 12, true);
        assert!(f.is_none());
        assert_eq!((c.payload_oxum_matches, c.verdict), (None, Some(Verdict::Pass)));
        assert_eq!(check(&facts(Some("12.3")), 3, 12, false).0.verdict, Some(Verdict::Fail), "a red run stays red");
    }

    #[test]
    fn a_repeated_reserved_label_says_whether_its_value_changed() {
        let e = |t: &[u8]| read_bag_info(t, &mut Vec::new()).unwrap_err().to_string();
        assert!(e(b"Bag-Count: 1\nBag-Count: 1\n").contains("it is repeated"));
        assert!(e(b"Bag-Count: 1\nBag-Count: 2\n").contains("given again with another value"));
    }

    #[test]
    fn a_directory_is_a_bag_when_it_holds_bagit_txt() {
        let d = tempfile::tempdir().unwrap();
        assert!(!is_bag(d.path()));
        std::fs::write(d.path().join("bagit.txt"), b"").unwrap();
        assert!(is_bag(d.path()));
    }

    #[test]
    fn a_small_bag_is_read_whole() {
        let d = tempfile::tempdir().unwrap();
        let put = |n: &str, b: &[u8]| put_file(d.path(), n, b);
        put("data/a.txt", b"abc");
        put("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
        put("manifest-sha256.txt", format!("{H}  data/a.txt\n").as_bytes());
        put("bag-info.txt", b"Payload-Oxum: 3.1\n");
        let tm = format!(
            "{}  bagit.txt\n{}  manifest-sha256.txt\n{}  bag-info.txt\n",
            Digest::of(&std::fs::read(d.path().join("bagit.txt")).unwrap()).to_hex(),
            Digest::of(&std::fs::read(d.path().join("manifest-sha256.txt")).unwrap()).to_hex(),
            Digest::of(&std::fs::read(d.path().join("bag-info.txt")).unwrap()).to_hex(),
        );
        put("tagmanifest-sha256.txt", tm.as_bytes());
        let root = Root::open(d.path()).unwrap();
        let seal = read(&root, false).unwrap();
        let paths: Vec<String> = seal.entries.iter().map(|e| e.path.display()).collect();
        assert_eq!(paths, ["bag-info.txt", "bagit.txt", "data/a.txt", "manifest-sha256.txt"]);
        assert_eq!(
            seal.subject_file().inside.as_ref().map(RelPath::display).as_deref(),
            Some("tagmanifest-sha256.txt")
        );
        assert_eq!(seal.bag.as_ref().and_then(|b| b.oxum_declared.clone()).as_deref(), Some("3.1"));
        assert!(seal.findings.is_empty(), "{:?}", seal.findings);
        assert!(seal.files.iter().all(|f| !f.drift.bom));
        assert!(seal.bag.as_ref().unwrap().warnings.is_empty());
        // A BOM before the payload manifest or bagit.txt: read on, said,
        // and marked on that seal file alone.
        put("manifest-sha256.txt", format!("\u{feff}{H}  data/a.txt\n").as_bytes());
        let seal = read(&root, false).unwrap();
        assert!(seal.findings.iter().any(|f| f.classes.contains(&FindingClass::BomPrefix)));
        let bom: Vec<String> = seal.files.iter().filter(|f| f.drift.bom).map(|f| f.shown.clone()).collect();
        assert_eq!(bom, ["manifest-sha256.txt"]);
        put("manifest-sha256.txt", format!("{H}  data/a.txt\n").as_bytes());
        put("bagit.txt", b"\xef\xbb\xbfBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
        let seal = read(&root, false).unwrap();
        let bom: Vec<String> = seal.files.iter().filter(|f| f.drift.bom).map(|f| f.shown.clone()).collect();
        assert_eq!(bom, ["bagit.txt"]);
        put("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
        // Literal '%' read leniently: counted, and the bag says so.
        put("data/a%41.txt", b"abc");
        put("manifest-sha256.txt", format!("{H}  data/a.txt\n{H}  data/a%41.txt\n").as_bytes());
        assert!(read(&root, false).is_err());
        let seal = read(&root, true).unwrap();
        let w = &seal.bag.as_ref().unwrap().warnings;
        assert!(w.len() == 1 && w[0].starts_with("1 '%' sequences"), "{w:?}");
        // No bagit.txt: not read as a bag at all.
        std::fs::remove_file(d.path().join("bagit.txt")).unwrap();
        assert!(read(&root, false).is_err());
    }
}
