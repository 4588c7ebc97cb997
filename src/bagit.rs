//! BagIt bags (RFC 8493) as evidence packets.
//!
//! A directory with `bagit.txt` at its root is verified as a bag, in one
//! pass: `bagit.txt` (exactly its two declarations, UTF-8, no BOM), every
//! payload manifest and tag manifest, completeness (every payload file in
//! every payload manifest, nothing listed that is absent), `Payload-Oxum`
//! (checked and reported, never a substitute for hashing), and `fetch.txt`
//! (unsupported, so red). Each file is read once, computing every digest
//! that any manifest asks of it, plus SHA-256 for the tree digest and the
//! drift diagnosis. A bag whose payload manifests are all MD5 or SHA-1 is
//! red unless `allow_weak` is set, which the report records. The rules and
//! where sealcheck is stricter than bagit-python are in `docs/bagit.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use digest::DynDigest;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::drift::{diagnose, hint, DiagnoseOptions, Diagnosis};
use crate::finding::{Finding, FindingClass};
use crate::fsio::{OpenError, Root, Stamp};
use crate::hash::{unstable, Engine};
use crate::manifest::write::canonical_bytes;
use crate::report::{Packet, Report, SealVsBytes, Verdict};
use crate::seal::problem_finding;
use crate::walk::{walk, Exclusions};
use crate::{Digest, Error, RelPath, Status};

/// A checksum algorithm a bag may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Algo {
    /// MD5 (weak).
    Md5,
    /// SHA-1 (weak).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Algo {
    fn from_name(name: &str) -> Option<Algo> {
        Some(match name {
            "md5" => Algo::Md5,
            "sha1" => Algo::Sha1,
            "sha256" => Algo::Sha256,
            "sha512" => Algo::Sha512,
            _ => return None,
        })
    }

    /// The name used in manifest file names.
    pub fn name(self) -> &'static str {
        match self {
            Algo::Md5 => "md5",
            Algo::Sha1 => "sha1",
            Algo::Sha256 => "sha256",
            Algo::Sha512 => "sha512",
        }
    }

    /// Strong enough to seal evidence.
    pub fn strong(self) -> bool {
        matches!(self, Algo::Sha256 | Algo::Sha512)
    }

    fn hex_len(self) -> usize {
        match self {
            Algo::Md5 => 32,
            Algo::Sha1 => 40,
            Algo::Sha256 => 64,
            Algo::Sha512 => 128,
        }
    }

    fn hasher(self) -> Box<dyn DynDigest + Send> {
        match self {
            Algo::Md5 => Box::new(md5::Md5::default()),
            Algo::Sha1 => Box::new(sha1::Sha1::default()),
            Algo::Sha256 => Box::new(sha2::Sha256::default()),
            Algo::Sha512 => Box::new(sha2::Sha512::default()),
        }
    }
}

/// Options of bag verification.
#[derive(Clone, Debug, Default)]
pub struct BagOptions {
    /// Accept a bag whose payload manifests are all MD5 or SHA-1. Disabled
    /// by default; the report records it.
    pub allow_weak: bool,
    /// Read `%XX` sequences other than `%0A`, `%0D`, `%25` in manifest paths
    /// literally, with a warning, instead of refusing them. Disabled by
    /// default.
    pub lenient_names: bool,
    /// Hashing threads; `None` means one per CPU.
    pub threads: Option<usize>,
    /// Diagnosis limits.
    pub diagnose: DiagnoseOptions,
}

/// The `bagit` check of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BagCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Option<Verdict>,
    /// `BagIt-Version` from `bagit.txt`.
    pub version: String,
    /// Algorithms of the payload manifests.
    pub payload_manifests: Vec<Algo>,
    /// Algorithms of the tag manifests.
    pub tag_manifests: Vec<Algo>,
    /// Whether `--allow-weak` let a bag with only MD5/SHA-1 payload
    /// manifests be read.
    pub allowed_weak: bool,
    /// Payload files found.
    pub payload_files: u64,
    /// Payload bytes found.
    pub payload_bytes: u64,
    /// `Payload-Oxum` as declared in `bag-info.txt`, if it is.
    pub payload_oxum_declared: Option<String>,
    /// `Payload-Oxum` of the payload found (`bytes.files`).
    pub payload_oxum_actual: String,
    /// Whether the declared Oxum matches (null when none is declared).
    pub payload_oxum_matches: Option<bool>,
    /// `fetch.txt` is present (unsupported: red).
    pub fetch_txt: bool,
    /// Warnings, e.g. names read leniently.
    pub warnings: Vec<String>,
}

/// Whether `root` is a bag: it has `bagit.txt`.
pub fn is_bag(root: &Path) -> bool {
    std::fs::symlink_metadata(root.join("bagit.txt")).is_ok()
}

struct ManifestFile {
    algo: Algo,
    name: String,
    tag: bool,
    /// path -> (digest bytes, line)
    entries: BTreeMap<RelPath, (Vec<u8>, usize)>,
}

fn read_small(root: &Root, name: &str, cap: u64) -> Result<Option<Vec<u8>>, Error> {
    let rel = RelPath::new(name.as_bytes().to_vec()).expect("tag file names are safe");
    match root.open_file(&rel) {
        Ok((file, meta)) => {
            if meta.len() > cap {
                return Err(Error::Usage(format!("{name}: larger than {cap} bytes")));
            }
            let mut b = Vec::new();
            file.take(cap + 1).read_to_end(&mut b).map_err(|e| Error::io(&rel.under(root.path()), e))?;
            Ok(Some(b))
        }
        Err(OpenError::NotFound) => Ok(None),
        Err(OpenError::Unsupported(kind)) => Err(Error::NotRegular { path: name.to_string(), kind: kind.describe() }),
        Err(OpenError::Io(e)) => Err(Error::io(&rel.under(root.path()), e)),
    }
}

/// Splits text into lines ended by LF, CR or CRLF (RFC 8493 §2.1.1).
fn tag_lines(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text.split('\n').flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r')).collect();
    if out.last() == Some(&"") {
        out.pop();
    }
    out
}

fn bad(name: &str, line: usize, what: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{name}:{line}: {what}"))
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
                        "'%' not followed by 0A, 0D or 25 at character {} (a literal '%' must be written %25)",
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

fn parse_manifest(
    bytes: &[u8],
    name: &str,
    algo: Algo,
    tag: bool,
    opts: &BagOptions,
    literal: &mut u64,
    findings: &mut Vec<Finding>,
) -> Result<ManifestFile, Error> {
    let body = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => {
            let mut f =
                Finding::new(name.to_string(), FindingClass::ManifestDrift, "the manifest starts with a UTF-8 BOM");
            f.classes.push(FindingClass::BomPrefix);
            findings.push(f);
            rest
        }
        None => bytes,
    };
    let text = std::str::from_utf8(body).map_err(|e| bad(name, 1, format!("not UTF-8: {e}")))?;
    let mut entries = BTreeMap::new();
    for (i, line) in tag_lines(text).into_iter().enumerate() {
        let no = i + 1;
        let (hex, rest) = line.split_once([' ', '\t']).ok_or_else(|| bad(name, no, "expected 'CHECKSUM PATH'"))?;
        let path = rest.trim_start_matches([' ', '\t']);
        if hex.len() != algo.hex_len() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad(
                name,
                no,
                format!("expected {} hex digits for {}, found {hex:?}", algo.hex_len(), algo.name()),
            ));
        }
        let raw = decode_path(path, opts.lenient_names, literal).map_err(|e| bad(name, no, e))?;
        let rel = RelPath::new(raw).map_err(|e| bad(name, no, format!("unsafe path {path:?}: {e}")))?;
        let in_payload = rel.as_bytes().starts_with(b"data/");
        if tag == in_payload {
            let want = if tag { "a tag file (outside data/)" } else { "a payload file (under data/)" };
            return Err(bad(name, no, format!("{path:?} is not {want}")));
        }
        let digest: Vec<u8> =
            (0..hex.len() / 2).map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).expect("checked hex")).collect();
        if let Some((_, first)) = entries.insert(rel, (digest, no)) {
            return Err(bad(name, no, format!("{path:?} already listed on line {first}")));
        }
    }
    Ok(ManifestFile { algo, name: name.to_string(), tag, entries })
}

fn check_bagit_txt(bytes: &[u8], findings: &mut Vec<Finding>) -> Result<String, Error> {
    let body = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => {
            let mut f = Finding::new(
                "bagit.txt".into(),
                FindingClass::ManifestDrift,
                "bagit.txt starts with a UTF-8 BOM (RFC 8493: UTF-8 without a BOM)",
            );
            f.classes.push(FindingClass::BomPrefix);
            findings.push(f);
            rest
        }
        None => bytes,
    };
    let text = std::str::from_utf8(body).map_err(|e| bad("bagit.txt", 1, format!("not UTF-8: {e}")))?;
    let lines = tag_lines(text);
    if lines.len() != 2 {
        return Err(bad("bagit.txt", lines.len().min(3), format!("expected exactly 2 lines, found {}", lines.len())));
    }
    let version =
        lines[0].strip_prefix("BagIt-Version: ").ok_or_else(|| bad("bagit.txt", 1, "expected 'BagIt-Version: M.N'"))?;
    if !matches!(version, "0.97" | "1.0") {
        return Err(bad("bagit.txt", 1, format!("BagIt-Version {version:?} is not supported (0.97 and 1.0 are)")));
    }
    if lines[1] != "Tag-File-Character-Encoding: UTF-8" {
        return Err(bad("bagit.txt", 2, "expected 'Tag-File-Character-Encoding: UTF-8'"));
    }
    Ok(version.to_string())
}

fn declared_oxum(bag_info: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bag_info.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bag_info)).into_owned();
    tag_lines(&text).into_iter().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == "Payload-Oxum").then(|| v.trim().to_string())
    })
}

/// One file hashed with every algorithm it needs.
struct Hashed {
    digests: Vec<(Algo, Vec<u8>)>,
    stamp: Stamp,
}

fn hash_multi(root: &Root, rel: &RelPath, algos: &[Algo], buf: &mut [u8]) -> Result<Hashed, (FindingClass, String)> {
    let (mut file, meta) = root.open_file(rel).map_err(|e| match e {
        OpenError::NotFound => (FindingClass::MissingFile, "vanished while the bag was read".into()),
        OpenError::Unsupported(k) => (FindingClass::UnsupportedFileType, k.describe().into()),
        OpenError::Io(e) => (FindingClass::UnreadableFile, e.to_string()),
    })?;
    let before = Stamp::of(&meta);
    let mut hashers: Vec<(Algo, Box<dyn DynDigest + Send>)> = algos.iter().map(|&a| (a, a.hasher())).collect();
    let mut total = 0u64;
    loop {
        match file.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                for (_, h) in &mut hashers {
                    h.update(&buf[..n]);
                }
                total += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err((FindingClass::UnreadableFile, e.to_string())),
        }
    }
    let after = file.metadata().map(|m| Stamp::of(&m)).map_err(|e| (FindingClass::UnreadableFile, e.to_string()))?;
    if let Some(what) = unstable(&before, &after, total) {
        return Err((FindingClass::ChangedWhileReading, what));
    }
    Ok(Hashed { digests: hashers.into_iter().map(|(a, h)| (a, h.finalize().to_vec())).collect(), stamp: after })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Verifies the bag at `root`.
pub fn verify_bag(root: &Path, opts: &BagOptions, date: String) -> Result<Report, Error> {
    let dir = Root::open(root).map_err(|e| Error::io(root, e))?;
    let mut findings = Vec::new();
    let mut check = BagCheck::default();
    let bagit_txt =
        read_small(&dir, "bagit.txt", 64 << 10)?.ok_or_else(|| Error::Usage("bagit.txt is missing".into()))?;
    check.version = check_bagit_txt(&bagit_txt, &mut findings)?;
    let mut status = Status::Pass;
    if read_small(&dir, "fetch.txt", 16 << 20)?.is_some() {
        check.fetch_txt = true;
        status = Status::BadInput;
        findings.push(Finding::new(
            "fetch.txt".into(),
            FindingClass::MissingFile,
            "fetch.txt is not supported: its files are not in the bag, so the bag cannot be verified as complete",
        ));
    }

    // Manifests at the root.
    let mut literal = 0u64;
    let mut manifests: Vec<ManifestFile> = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(root)
        .map_err(|e| Error::io(root, e))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .collect();
    names.sort();
    for name in &names {
        let (tag, alg) = if let Some(a) = name.strip_prefix("tagmanifest-").and_then(|r| r.strip_suffix(".txt")) {
            (true, a)
        } else if let Some(a) = name.strip_prefix("manifest-").and_then(|r| r.strip_suffix(".txt")) {
            (false, a)
        } else {
            continue;
        };
        let algo = Algo::from_name(alg).ok_or_else(|| {
            Error::Usage(format!("{name}: algorithm {alg:?} is not supported (md5, sha1, sha256, sha512)"))
        })?;
        let bytes = read_small(&dir, name, 1 << 30)?.expect("listed just now");
        manifests.push(parse_manifest(&bytes, name, algo, tag, opts, &mut literal, &mut findings)?);
    }
    if literal > 0 {
        check
            .warnings
            .push(format!("{literal} '%' sequences in manifest paths were read literally (--bagit-lenient-names)"));
    }
    check.payload_manifests = manifests.iter().filter(|m| !m.tag).map(|m| m.algo).collect();
    check.tag_manifests = manifests.iter().filter(|m| m.tag).map(|m| m.algo).collect();
    if check.payload_manifests.is_empty() {
        return Err(Error::Usage("no payload manifest (manifest-<algorithm>.txt) in the bag".into()));
    }
    if !check.payload_manifests.iter().any(|a| a.strong()) {
        if !opts.allow_weak {
            return Err(Error::Usage(format!(
                "no strong manifest: only {} (use --allow-weak to read it anyway; the report will say so)",
                check.payload_manifests.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
            )));
        }
        check.allowed_weak = true;
    }

    // Walk and hash every file once, with every algorithm that lists it.
    let tree = walk(root, &Exclusions::default())?;
    for p in &tree.problems {
        findings.push(problem_finding(p));
    }
    let mut needs: HashMap<&RelPath, BTreeSet<Algo>> = HashMap::new();
    for f in &tree.files {
        needs.entry(&f.path).or_default().insert(Algo::Sha256);
    }
    for m in &manifests {
        for p in m.entries.keys() {
            if let Some(set) = needs.get_mut(p) {
                set.insert(m.algo);
            }
        }
    }
    let jobs: Vec<(&RelPath, Vec<Algo>)> =
        tree.files.iter().map(|f| (&f.path, needs[&f.path].iter().copied().collect())).collect();
    let engine = Engine::new(opts.threads).map_err(|e| Error::io(root, e))?;
    let hashed = engine.map(&jobs, |(rel, algos), buf| hash_multi(&dir, rel, algos, buf));
    let mut found: HashMap<&RelPath, Hashed> = HashMap::new();
    let mut counts = SealVsBytes::default();
    for ((rel, _), h) in jobs.iter().zip(hashed) {
        match h {
            Ok(h) => {
                found.insert(rel, h);
            }
            Err((class, msg)) => {
                match class {
                    FindingClass::UnreadableFile => counts.unreadable += 1,
                    FindingClass::UnsupportedFileType => counts.unsupported += 1,
                    _ => counts.changed_while_reading += 1,
                }
                findings.push(Finding::new(rel.display(), class, msg));
            }
        }
    }
    let unreadable: BTreeSet<&RelPath> = jobs.iter().map(|(r, _)| *r).filter(|r| !found.contains_key(r)).collect();

    // Every listed file must be there and match, in every manifest.
    let mut bad_paths: BTreeMap<RelPath, Finding> = BTreeMap::new();
    let mut missing: BTreeMap<RelPath, Vec<u8>> = BTreeMap::new();
    for m in &manifests {
        for (path, (want, _)) in &m.entries {
            counts.sealed += 1;
            if unreadable.contains(path) {
                continue;
            }
            let Some(h) = found.get(path) else {
                if m.algo == Algo::Sha256 || !missing.contains_key(path) {
                    missing.insert(path.clone(), if m.algo == Algo::Sha256 { want.clone() } else { Vec::new() });
                }
                continue;
            };
            let got = &h.digests.iter().find(|(a, _)| *a == m.algo).expect("hashed with every listing algorithm").1;
            if got == want {
                continue;
            }
            let f = bad_paths.entry(path.clone()).or_insert_with(|| {
                let mut f =
                    Finding::new(path.display(), FindingClass::EditedContent, format!("bytes differ from {}", m.name));
                let sha = &h.digests.iter().find(|(a, _)| *a == Algo::Sha256).expect("always hashed").1;
                f.actual_sha256 = Some(hex(sha));
                f
            });
            if m.algo == Algo::Sha256 {
                f.expected_sha256 = Some(hex(want));
            } else if !f.message.contains(&m.name) {
                f.message.push_str(&format!(", {}", m.name));
            }
        }
    }
    // Diagnose where a SHA-256 seal is known.
    for (path, f) in &mut bad_paths {
        counts.changed += 1;
        let Some(want) = f.expected_sha256.as_deref().and_then(|h| Digest::from_hex_any_case(h.as_bytes()).ok()) else {
            continue;
        };
        if let Some(bytes) = dir.read_capped(path, opts.diagnose.max_size) {
            let d = diagnose(&bytes, &want, &opts.diagnose);
            f.proof = d.proof(&want);
            match d {
                Diagnosis::Proven { classes, .. } => {
                    f.hint = Some(hint(classes[0]).to_string());
                    f.classes = classes;
                }
                _ => f.hint = Some(hint(FindingClass::EditedContent).to_string()),
            }
        }
    }
    findings.extend(bad_paths.into_values());

    // Payload files no payload manifest lists; sealed bytes moved there.
    let payload_listed: BTreeSet<&RelPath> =
        manifests.iter().filter(|m| !m.tag).flat_map(|m| m.entries.keys()).collect();
    let mut extras: Vec<&RelPath> =
        found.keys().copied().filter(|p| p.as_bytes().starts_with(b"data/") && !payload_listed.contains(p)).collect();
    extras.sort();
    let mut extra_by_sha: HashMap<Vec<u8>, Vec<&RelPath>> = HashMap::new();
    for p in &extras {
        let sha = found[p].digests.iter().find(|(a, _)| *a == Algo::Sha256).expect("always hashed").1.clone();
        extra_by_sha.entry(sha).or_default().push(p);
    }
    let mut moved_to: BTreeSet<&RelPath> = BTreeSet::new();
    for (path, sha) in &missing {
        let target = extra_by_sha.get_mut(sha).and_then(|v| if v.is_empty() { None } else { Some(v.remove(0)) });
        match target.filter(|_| !sha.is_empty()) {
            Some(to) => {
                counts.moved += 1;
                moved_to.insert(to);
                let mut f = Finding::new(
                    path.display(),
                    FindingClass::MovedFile,
                    format!("listed bytes are present under another, unlisted path: {}", to.display()),
                );
                f.moved_to = Some(to.display());
                findings.push(f);
            }
            None => {
                counts.missing += 1;
                let mut f =
                    Finding::new(path.display(), FindingClass::MissingFile, "listed in the bag's manifest but absent");
                if !sha.is_empty() {
                    f.expected_sha256 = Some(hex(sha));
                }
                findings.push(f);
            }
        }
    }
    for p in extras.into_iter().filter(|p| !moved_to.contains(p)) {
        counts.extra += 1;
        findings.push(Finding::new(
            p.display(),
            FindingClass::ExtraFile,
            "payload file not listed in a payload manifest",
        ));
    }

    // Payload-Oxum: reported, never a substitute for hashing.
    let payload: Vec<&Hashed> =
        found.iter().filter(|(p, _)| p.as_bytes().starts_with(b"data/")).map(|(_, h)| h).collect();
    check.payload_files =
        payload.len() as u64 + unreadable.iter().filter(|p| p.as_bytes().starts_with(b"data/")).count() as u64;
    check.payload_bytes = payload.iter().map(|h| h.stamp.size).sum();
    check.payload_oxum_actual = format!("{}.{}", check.payload_bytes, check.payload_files);
    if let Some(info) = read_small(&dir, "bag-info.txt", 16 << 20)? {
        check.payload_oxum_declared = declared_oxum(&info);
        if let Some(declared) = &check.payload_oxum_declared {
            let ok = *declared == check.payload_oxum_actual;
            check.payload_oxum_matches = Some(ok);
            if !ok {
                status = status.max(Status::Integrity);
                let mut f = Finding::new(
                    "bag-info.txt".into(),
                    FindingClass::EditedContent,
                    format!(
                        "Payload-Oxum declares {declared} (bytes.files), the payload is {}",
                        check.payload_oxum_actual
                    ),
                );
                f.hint = Some("the payload gained, lost or resized files since the bag was made".into());
                findings.push(f);
            }
        }
    }

    counts.ok = counts.sealed.saturating_sub(counts.changed + counts.missing + counts.moved);
    findings.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.classes.cmp(&b.classes)));
    let tree_ok = unreadable.is_empty();
    let mut all: Vec<(&RelPath, Digest)> = found
        .iter()
        .map(|(p, h)| {
            let sha = &h.digests.iter().find(|(a, _)| *a == Algo::Sha256).expect("always hashed").1;
            (*p, Digest(sha.as_slice().try_into().expect("32 bytes")))
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(b.0));
    let tree_sha = tree_ok.then(|| Digest::of(&canonical_bytes(all.iter().map(|(p, d)| (*p, d)))));

    let mut report = Report::new("verify", date);
    check.verdict = Some(Verdict::from_ok(findings.is_empty() && status.is_pass()));
    counts.verdict = Some(Verdict::from_ok(findings.iter().all(|f| f.status().is_pass())));
    report.packet = Some(Packet {
        root: root.display().to_string(),
        manifest: "bagit.txt".into(),
        manifest_sha256: Some(Digest::of(&bagit_txt).to_hex()),
        manifest_canonical: None,
        packet_tree_sha256: tree_sha.map(|d| d.to_hex()),
        sealed_tree_sha256: None,
        file_count: tree.files.len() as u64,
        byte_count: found.values().map(|h| h.stamp.size).sum(),
    });
    report.sealed_paths = {
        let mut v: Vec<String> =
            manifests.iter().filter(|m| !m.tag).flat_map(|m| m.entries.keys().map(RelPath::display)).collect();
        v.sort();
        v.dedup();
        v
    };
    report.checks.seal_vs_bytes = Some(counts);
    report.checks.bagit = Some(check);
    report.findings = findings;
    report.finish(status);
    Ok(report)
}
