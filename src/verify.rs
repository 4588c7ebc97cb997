//! The seal-vs-bytes gate.
//!
//! [`verify`] reads the manifest, walks the packet, hashes every sealed and
//! every unsealed file in parallel, and returns a [`Report`] that lists every
//! problem found in one pass: changed, missing, extra, moved, renamed to
//! another Unicode form, unreadable, unsupported, changed while reading, and
//! the manifest's own drift. It never stops at the first problem and never
//! writes to the packet.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::diff::compare;
use crate::drift::{diagnose, hint, DiagnoseOptions, Diagnosis};
use crate::finding::{Finding, FindingClass};
use crate::fsio::{open_path, OpenError, Root, Stamp};
use crate::hash::{hash_open, Engine, Hashed, Outcome};
use crate::manifest::write::canonical_bytes;
use crate::manifest::{Entry, Manifest, ReadError, DEFAULT_NAME};
use crate::pins::{check_all, Pin};
use crate::report::{ExpectTree, Packet, Report, SealVsBytes, Verdict};
use crate::scan::{ScanCheck, ScanOptions, Scanner};
use crate::seal::{outcome_finding, problem_finding};
use crate::walk::{walk, Exclusions, Problem};
use crate::{Digest, Error, RelPath, Status};

/// Options of `verify`.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// The manifest. Default `PACKET/HASH_MANIFEST.txt`.
    pub manifest: Option<PathBuf>,
    /// Glob patterns to leave out of the walk. Default none.
    pub excludes: Vec<String>,
    /// A pinned `packet_tree_sha256`: the bytes on disk must hash to it.
    /// Default none.
    pub expect_tree: Option<Digest>,
    /// Unsealed files are listed but do not make the verdict red. Disabled
    /// by default.
    pub allow_extra: bool,
    /// Hashing threads; `None` (the default) means one per CPU.
    pub threads: Option<usize>,
    /// Limits of drift diagnosis (see [`DiagnoseOptions`] for defaults).
    pub diagnose: DiagnoseOptions,
    /// A copy holding the sealed bytes, to diff changed files against.
    /// Default none.
    pub against: Option<PathBuf>,
    /// Where to write the proven-restored bytes of diagnosed files; never
    /// inside the packet. Default none.
    pub restore_to: Option<PathBuf>,
    /// Pinned files to check as well (`--pins`, `--pin-from`). Default none.
    pub pins: Vec<Pin>,
    /// Forbidden content to look for in every file. Default nothing.
    pub scan: ScanOptions,
    /// BagIt: accept a bag with only MD5/SHA-1 payload manifests (the
    /// report records it). Disabled by default.
    pub allow_weak: bool,
    /// BagIt: read unknown `%XX` in manifest paths literally, with a
    /// warning. Disabled by default.
    pub bagit_lenient_names: bool,
    /// Counters to update while hashing, for a progress display. Default
    /// none.
    pub progress: Option<std::sync::Arc<crate::progress::Progress>>,
}

/// Where the manifest is and whether it lies inside the packet.
struct ManifestLocation {
    path: PathBuf,
    shown: String,
    inside: Option<RelPath>,
}

fn locate_manifest(root: &Path, opts: &VerifyOptions) -> Result<ManifestLocation, Error> {
    let Some(given) = &opts.manifest else {
        let rel = RelPath::new(DEFAULT_NAME.as_bytes().to_vec()).expect("the default name is a safe path");
        return Ok(ManifestLocation {
            path: rel.under(root),
            shown: rel.under(root).display().to_string(),
            inside: Some(rel),
        });
    };
    let shown = given.display().to_string();
    // Only the directory is resolved: the manifest itself must not be a link.
    let parent = match given.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let inside = match (parent.canonicalize(), root.canonicalize(), given.file_name()) {
        (Ok(dir), Ok(root_abs), Some(name)) => dir
            .join(name)
            .strip_prefix(&root_abs)
            .ok()
            .map(|rel| {
                use std::os::unix::ffi::OsStrExt;
                RelPath::new(rel.as_os_str().as_bytes().to_vec())
            })
            .transpose()
            .map_err(|e| Error::Usage(format!("--manifest {shown}: {e}")))?,
        _ => None,
    };
    Ok(ManifestLocation { path: given.clone(), shown, inside })
}

fn read_manifest(root: &Root, loc: &ManifestLocation) -> Result<(Manifest, Stamp), Error> {
    let opened = match &loc.inside {
        Some(rel) => root.open_file(rel),
        None => open_path(&loc.path),
    };
    let (file, meta): (File, _) = match opened {
        Ok(x) => x,
        Err(OpenError::NotFound) => return Err(Error::NoManifest(loc.shown.clone())),
        Err(OpenError::Unsupported(kind)) => {
            return Err(Error::NotRegular { path: loc.shown.clone(), kind: kind.describe() })
        }
        Err(OpenError::Io(e)) => return Err(Error::io(&loc.path, e)),
    };
    let stamp = Stamp::of(&meta);
    match Manifest::parse(BufReader::with_capacity(256 * 1024, file), &loc.shown) {
        Ok(m) => Ok((m, stamp)),
        Err(ReadError::Io(e)) => Err(Error::io(&loc.path, e)),
        Err(ReadError::Malformed(e)) => Err(Error::Manifest(e)),
    }
}

/// A file to hash: a sealed entry that is present, or an unsealed one.
struct Job<'a> {
    path: &'a RelPath,
    sealed: Option<&'a Entry>,
}

/// Verifies the packet at `root` against its seal.
pub fn verify(root: &Path, opts: &VerifyOptions, date: String) -> Result<Report, Error> {
    let root_dir = Root::open(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotADirectory => Error::NotADirectory(root.display().to_string()),
        _ => Error::io(root, e),
    })?;
    if opts.manifest.is_none() && crate::bagit::is_bag(root) && !root.join(DEFAULT_NAME).exists() {
        return verify_bag_packet(root, opts, date);
    }
    let loc = locate_manifest(root, opts)?;
    let restore_dir = opts.restore_to.as_deref().map(|d| prepare_restore_dir(root, d)).transpose()?;
    let mut exclusions = Exclusions::new(&opts.excludes)?;
    if let Some(rel) = &loc.inside {
        exclusions = exclusions.with_path(rel.clone());
    }
    // The manifest parse and the walk do not depend on each other: run them
    // side by side.
    let (parsed, walked) = std::thread::scope(|s| {
        let parse = s.spawn(|| read_manifest(&root_dir, &loc));
        let walked = walk(root, &exclusions);
        (parse.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), walked)
    });
    let (manifest, manifest_stamp) = parsed?;
    let tree = walked?;

    let mut findings: Vec<Finding> = Vec::new();
    let mut counts = SealVsBytes {
        sealed: manifest.entries.len() as u64,
        manifest_drift: manifest.drift.any(),
        ..SealVsBytes::default()
    };
    if manifest.drift.any() {
        findings.push(manifest_drift_finding(&loc, &manifest));
    }

    // Sealed paths the walk found as something other than a regular file.
    let mut unsupported_at: HashMap<&[u8], &Problem> = HashMap::new();
    for p in &tree.problems {
        match p {
            Problem::Unsupported { raw, .. } => {
                unsupported_at.insert(raw.as_slice(), p);
            }
            _ => {
                if matches!(p, Problem::Unreadable { .. }) {
                    counts.unreadable += 1;
                } else {
                    counts.extra += 1;
                }
                findings.push(problem_finding(p));
            }
        }
    }

    let sealed_index = manifest.index();
    let mut jobs: Vec<Job<'_>> = Vec::with_capacity(tree.files.len());
    let mut present = vec![false; manifest.entries.len()];
    for f in &tree.files {
        let sealed = sealed_index.get(f.path.as_bytes()).map(|&i| {
            present[i] = true;
            &manifest.entries[i]
        });
        jobs.push(Job { path: &f.path, sealed });
    }
    let mut missing: Vec<&Entry> = Vec::new();
    for (entry, _) in manifest.entries.iter().zip(&present).filter(|(_, &p)| !p) {
        if let Some(p) = unsupported_at.remove(entry.path.as_bytes()) {
            counts.unsupported += 1;
            let mut f = problem_finding(p);
            f.expected_sha256 = Some(entry.digest.to_hex());
            findings.push(f);
        } else {
            missing.push(entry);
        }
    }
    for p in unsupported_at.into_values() {
        counts.unsupported += 1;
        findings.push(problem_finding(p));
    }

    let engine = Engine::new(opts.threads).map_err(|e| Error::io(root, e))?;
    if let Some(p) = &opts.progress {
        p.set_total(jobs.len() as u64);
    }
    let outcomes = engine.map(&jobs, |job, buf| {
        let outcome = match root_dir.open_file(job.path) {
            Ok((file, meta)) => hash_open(file, &meta, buf),
            Err(e) => Outcome::from(e),
        };
        if let Some(p) = &opts.progress {
            p.add(if let Outcome::Ok(h) = &outcome { h.stamp.size } else { 0 });
        }
        // A drifted file that fit the buffer is still in it: diagnose it
        // here, in parallel, without reading it again.
        let explained = match (&outcome, job.sealed) {
            (Outcome::Ok(h), Some(entry))
                if h.digest != entry.digest && h.stamp.size <= (buf.len() as u64).min(opts.diagnose.max_size) =>
            {
                Some(explain_bytes(entry, h, &buf[..h.stamp.size as usize], opts))
            }
            _ => None,
        };
        (outcome, explained)
    });
    if let Some(p) = &opts.progress {
        p.finish();
    }

    let mut tree_complete = true;
    let mut byte_count = 0u64;
    let mut current: Vec<(&RelPath, Digest)> = Vec::with_capacity(jobs.len());
    let mut stamps: Vec<(&RelPath, Stamp)> = Vec::with_capacity(jobs.len());
    let mut extras: Vec<(&RelPath, Hashed)> = Vec::new();
    let mut changed: Vec<(&Entry, Hashed)> = Vec::new();
    let mut explained_early: Vec<(&Entry, Explained)> = Vec::new();
    for (job, (outcome, explained)) in jobs.iter().zip(outcomes) {
        let hashed = match outcome {
            Outcome::Ok(h) => h,
            Outcome::Missing if job.sealed.is_some() => {
                tree_complete = false;
                missing.push(job.sealed.expect("checked"));
                continue;
            }
            other => {
                tree_complete = false;
                let mut f = outcome_finding(job.path, other);
                match f.classes[0] {
                    FindingClass::UnreadableFile => counts.unreadable += 1,
                    FindingClass::UnsupportedFileType => counts.unsupported += 1,
                    FindingClass::ChangedWhileReading => counts.changed_while_reading += 1,
                    _ => {}
                }
                f.expected_sha256 = job.sealed.map(|e| e.digest.to_hex());
                findings.push(f);
                continue;
            }
        };
        byte_count += hashed.stamp.size;
        current.push((job.path, hashed.digest));
        stamps.push((job.path, hashed.stamp));
        match job.sealed {
            Some(entry) if entry.digest == hashed.digest => counts.ok += 1,
            Some(entry) => {
                counts.changed += 1;
                match explained {
                    Some(e) => explained_early.push((entry, e)),
                    None => changed.push((entry, hashed)),
                }
            }
            None => extras.push((job.path, hashed)),
        }
    }

    let explained = engine.map(&changed, |(entry, hashed), _| explain(&root_dir, entry, hashed, opts));
    let all_explained = changed.iter().map(|(e, _)| *e).zip(explained).chain(explained_early);
    for (entry, (mut finding, restored)) in all_explained {
        if let (Some(dir), Some(bytes)) = (&restore_dir, restored) {
            finding.restored_to = Some(write_restored(dir, &entry.path, &bytes)?);
        }
        findings.push(finding);
    }

    missing.sort_by(|a, b| a.path.cmp(&b.path));
    let (tree_findings, tree_counts) = match_missing_and_extra(&missing, &extras, opts.allow_extra);
    findings.extend(tree_findings);
    counts.missing += tree_counts.missing;
    counts.extra += tree_counts.extra;
    counts.moved += tree_counts.moved;

    // Measure, do not assert, that nothing moved under us.
    let mut unmodified = true;
    let still =
        engine.map(&stamps, |(path, stamp), _| root_dir.stamp(path).is_ok_and(|n| stamp.same_content_state(&n)));
    for ((path, _), same) in stamps.iter().zip(still) {
        if !same {
            unmodified = false;
            counts.changed_while_reading += 1;
            findings.push(Finding::new(
                path.display(),
                FindingClass::ChangedWhileReading,
                "changed after it was hashed, before the run ended",
            ));
        }
    }
    let manifest_now = std::fs::symlink_metadata(&loc.path).map(|m| Stamp::of(&m));
    if !manifest_now.is_ok_and(|n| manifest_stamp.same_content_state(&n)) {
        unmodified = false;
        findings.push(Finding::new(
            loc.shown.clone(),
            FindingClass::ChangedWhileReading,
            "the manifest changed while the packet was verified",
        ));
    }

    current.sort_by(|a, b| a.0.cmp(b.0));
    let tree_sha = tree_complete.then(|| Digest::of(&canonical_bytes(current.iter().map(|(p, d)| (*p, d)))));
    let sealed_sha = if manifest.canonical {
        manifest.sha256
    } else {
        Digest::of(&canonical_bytes(manifest.entries.iter().map(|e| (&e.path, &e.digest))))
    };

    let mut report = Report::new("verify", date);
    let status = expect_tree(&mut report, opts.expect_tree, tree_sha);

    let seal_ok = findings.iter().all(|f| f.status().is_pass());
    if !opts.pins.is_empty() {
        let (section, pin_findings, _) = check_all(&opts.pins, &opts.diagnose, &engine);
        report.checks.pins = Some(section);
        findings.extend(pin_findings);
    }
    if opts.scan.is_active() {
        let (section, scan_findings) = scan_tree(&root_dir, &tree.files, &opts.scan, &engine);
        report.checks.content_scan = Some(section);
        findings.extend(scan_findings);
    }
    findings.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.classes.cmp(&b.classes)));
    counts.verdict = Some(Verdict::from_ok(seal_ok));
    report.packet = Some(Packet {
        root: root.display().to_string(),
        manifest: loc.shown.clone(),
        manifest_sha256: Some(manifest.sha256.to_hex()),
        manifest_canonical: Some(manifest.canonical),
        packet_tree_sha256: tree_sha.map(|d| d.to_hex()),
        sealed_tree_sha256: Some(sealed_sha.to_hex()),
        file_count: (tree.files.len()) as u64,
        byte_count,
    });
    report.checks.seal_vs_bytes = Some(counts);
    report.findings = findings;
    report.sealed_paths = manifest.entries.iter().map(|e| e.path.display()).collect();
    report.self_check.packet_unmodified = unmodified;
    report.finish(status);
    Ok(report)
}

/// Records the `--expect-tree` check; the status it implies.
fn expect_tree(report: &mut Report, want: Option<Digest>, actual: Option<Digest>) -> Status {
    let Some(want) = want else {
        return Status::Pass;
    };
    let ok = actual == Some(want);
    report.checks.expect_tree =
        Some(ExpectTree { verdict: Verdict::from_ok(ok), expected: want.to_hex(), actual: actual.map(|d| d.to_hex()) });
    if ok {
        Status::Pass
    } else {
        Status::Integrity
    }
}

/// A BagIt bag, verified as a packet, with `--expect-tree` and pins.
/// Options a bag does not support are refused, never ignored: a check the
/// user asked for and did not get would be a silent pass.
fn verify_bag_packet(root: &Path, opts: &VerifyOptions, date: String) -> Result<Report, Error> {
    let unsupported: Vec<&str> = [
        (opts.scan.is_active(), "--scan-secrets/--forbid-token"),
        (opts.against.is_some(), "--against"),
        (opts.restore_to.is_some(), "--restore-to"),
        (!opts.excludes.is_empty(), "--exclude"),
        (opts.allow_extra, "--allow-extra"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    if !unsupported.is_empty() {
        return Err(Error::Usage(format!(
            "{} is a BagIt bag, and {} is not supported for bags yet: refusing rather than skipping it",
            root.display(),
            unsupported.join(", ")
        )));
    }
    let bag = crate::bagit::BagOptions {
        allow_weak: opts.allow_weak,
        lenient_names: opts.bagit_lenient_names,
        threads: opts.threads,
        diagnose: opts.diagnose,
    };
    let mut report = crate::bagit::verify_bag(root, &bag, date)?;
    let actual = report
        .packet
        .as_ref()
        .and_then(|p| p.packet_tree_sha256.as_deref())
        .and_then(|h| Digest::from_hex_any_case(h.as_bytes()).ok());
    let mut status = report.status().max(expect_tree(&mut report, opts.expect_tree, actual));
    if !opts.pins.is_empty() {
        let engine = Engine::new(opts.threads).map_err(|e| Error::io(root, e))?;
        let (section, pin_findings, pin_status) = check_all(&opts.pins, &opts.diagnose, &engine);
        report.checks.pins = Some(section);
        report.findings.extend(pin_findings);
        report.findings.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.classes.cmp(&b.classes)));
        status = status.max(pin_status);
    }
    report.finish(status);
    Ok(report)
}

/// Scans every file of the tree for forbidden content.
fn scan_tree(
    root: &Root,
    files: &[crate::walk::TreeFile],
    opts: &ScanOptions,
    engine: &Engine,
) -> (ScanCheck, Vec<Finding>) {
    let scanner = Scanner::new(opts);
    let results = engine.map(files, |f, buf| scanner.scan(root, &f.path, buf));
    let mut section = ScanCheck {
        files_scanned: files.len() as u64,
        forbidden_tokens: opts.tokens.len() as u64,
        secrets_scanned: opts.secrets,
        ..ScanCheck::default()
    };
    let mut findings = Vec::new();
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok(hits) => findings.extend(hits),
            Err(e) => findings.push(Finding::new(
                file.path.display(),
                FindingClass::UnreadableFile,
                format!("cannot be scanned: {e}"),
            )),
        }
    }
    section.forbidden_token_hits =
        findings.iter().filter(|f| f.classes[0] == FindingClass::ForbiddenToken).count() as u64;
    section.secret_leak_hits = findings.iter().filter(|f| f.classes[0] == FindingClass::SecretLeak).count() as u64;
    section.verdict = Some(Verdict::from_ok(findings.is_empty()));
    (section, findings)
}

fn manifest_drift_finding(loc: &ManifestLocation, m: &Manifest) -> Finding {
    let mut classes = vec![FindingClass::ManifestDrift];
    let mut what = Vec::new();
    if m.drift.bom {
        classes.push(FindingClass::BomPrefix);
        what.push("starts with a UTF-8 BOM");
    }
    if m.drift.crlf {
        classes.push(FindingClass::CrlfDrift);
        what.push("has CRLF line ends");
    }
    if m.drift.missing_final_newline {
        classes.push(FindingClass::TrailingNewlineDrift);
        what.push("lacks the final newline");
    }
    let mut f = Finding::new(
        loc.inside.as_ref().map(RelPath::display).unwrap_or_else(|| loc.shown.clone()),
        FindingClass::ManifestDrift,
        format!("the manifest itself drifted: it {}", what.join(", ")),
    );
    f.classes = classes;
    f.actual_sha256 = Some(m.sha256.to_hex());
    f.hint = Some(
        "the manifest was re-saved or converted (editor, git core.autocrlf); restore its canonical bytes: \
         `sealcheck seal --stdout` shows them, and .gitattributes `-text` keeps git from converting it"
            .to_string(),
    );
    f
}

/// A changed file's finding, and the bytes its diagnosis restored (if any).
type Explained = (Finding, Option<Vec<u8>>);

/// Reads a changed file again and diagnoses it.
fn explain(root: &Root, entry: &Entry, hashed: &Hashed, opts: &VerifyOptions) -> Explained {
    let cap = opts.diagnose.max_size;
    match root.read_capped(&entry.path, cap) {
        Some(b) if Digest::of(&b) == hashed.digest => explain_bytes(entry, hashed, &b, opts),
        Some(_) => {
            let mut f = changed_finding(entry, hashed);
            f.message.push_str("; it changed again while being diagnosed");
            (f, None)
        }
        None => {
            let mut f = changed_finding(entry, hashed);
            f.message.push_str(&format!(
                "; not diagnosed: {} bytes is over the diagnosis cap of {cap} bytes",
                hashed.stamp.size
            ));
            (f, None)
        }
    }
}

/// Diagnoses a changed file's bytes (which hash to `hashed.digest`), and
/// compares them with `--against`.
fn explain_bytes(entry: &Entry, hashed: &Hashed, bytes: &[u8], opts: &VerifyOptions) -> Explained {
    let mut f = changed_finding(entry, hashed);
    let diagnosis = diagnose(bytes, &entry.digest, &opts.diagnose);
    f.proof = diagnosis.proof(&entry.digest);
    let mut restored = None;
    match diagnosis {
        Diagnosis::Proven { classes, restored: r, .. } => {
            f.hint = Some(hint(classes[0]).to_string());
            f.message = format!("bytes differ from the seal: {}", classes[0].description());
            f.classes = classes;
            restored = Some(r);
        }
        Diagnosis::Unexplained => f.hint = Some(hint(FindingClass::EditedContent).to_string()),
        Diagnosis::NotDiagnosed(why) => f.message.push_str(&format!("; {why}")),
    }
    if let Some(dir) = &opts.against {
        let copy = entry.path.under(dir);
        match std::fs::read(&copy) {
            Ok(sealed) if Digest::of(&sealed) == entry.digest => {
                let c = compare(&sealed, bytes);
                f.first_difference = Some(c.first_difference);
                f.diff = Some(c.detail);
            }
            Ok(other) => {
                f.diff = Some(format!(
                    "{} does not hold the sealed bytes either (sha256 {})",
                    copy.display(),
                    Digest::of(&other)
                ))
            }
            Err(e) => f.diff = Some(format!("{}: {e}", copy.display())),
        }
    }
    (f, restored)
}

/// Refuses a restore directory inside the packet, before creating anything,
/// then creates it.
fn prepare_restore_dir(root: &Path, dir: &Path) -> Result<PathBuf, Error> {
    let root_abs = root.canonicalize().map_err(|e| Error::io(root, e))?;
    // Resolve the nearest existing ancestor; the rest does not exist yet and
    // so holds no link.
    let mut existing = dir;
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    let base = loop {
        match existing.canonicalize() {
            Ok(abs) => break abs,
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name);
                    existing = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
                }
                _ => return Err(Error::Usage(format!("--restore-to {}: cannot be resolved", dir.display()))),
            },
        }
    };
    let resolved = rest.iter().rev().fold(base, |acc, c| acc.join(c));
    if resolved.starts_with(&root_abs) {
        return Err(Error::Usage(format!(
            "--restore-to {}: inside the packet; restored bytes are never written in place",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    Ok(dir.to_path_buf())
}

/// Writes proven-restored bytes under `dir`, never over an existing file.
fn write_restored(dir: &Path, rel: &RelPath, bytes: &[u8]) -> Result<String, Error> {
    use std::io::Write;
    let target = rel.under(dir);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&target).map_err(|e| Error::io(&target, e))?;
    file.write_all(bytes).map_err(|e| Error::io(&target, e))?;
    Ok(target.display().to_string())
}

fn changed_finding(entry: &Entry, hashed: &Hashed) -> Finding {
    let mut f = Finding::new(entry.path.display(), FindingClass::EditedContent, "bytes differ from the seal");
    f.expected_sha256 = Some(entry.digest.to_hex());
    f.actual_sha256 = Some(hashed.digest.to_hex());
    f
}

#[derive(Default)]
struct TreeCounts {
    missing: u64,
    extra: u64,
    moved: u64,
}

/// Pairs missing sealed paths with unsealed present ones: the same digest is
/// a move; a name equal under Unicode normalization is a file-name drift.
/// Both lookups go through hash maps, so the cost is linear.
fn match_missing_and_extra(
    missing: &[&Entry],
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
    let mut by_digest: HashMap<Digest, Vec<usize>> = HashMap::new();
    for (i, (_, h)) in extras.iter().enumerate().rev() {
        by_digest.entry(h.digest).or_default().push(i);
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
            let mut f = Finding::new(
                entry.path.display(),
                FindingClass::FilenameNormalizationDrift,
                format!("sealed name is present only in another Unicode normalization form: {}", to.display()),
            );
            if h.digest != entry.digest {
                f.classes.push(FindingClass::EditedContent);
                f.message.push_str(", and its bytes differ");
            }
            f.expected_sha256 = Some(entry.digest.to_hex());
            f.actual_sha256 = Some(h.digest.to_hex());
            f.moved_to = Some(to.display());
            f.hint = Some(
                "the name was re-normalized (macOS file systems, archive tools, rsync --iconv); \
                 restore the sealed byte form of the name"
                    .to_string(),
            );
            findings.push(f);
            continue;
        }
        let moved = by_digest.get_mut(&entry.digest).and_then(|v| {
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
                let to = extras[i].0.display();
                let mut f = Finding::new(
                    entry.path.display(),
                    FindingClass::MovedFile,
                    format!("sealed bytes are present under another path: {to}"),
                );
                f.expected_sha256 = Some(entry.digest.to_hex());
                f.actual_sha256 = Some(entry.digest.to_hex());
                f.moved_to = Some(to);
                findings.push(f);
            }
            None => still_missing.push(entry),
        }
    }
    for entry in still_missing {
        counts.missing += 1;
        let mut f = Finding::new(entry.path.display(), FindingClass::MissingFile, "sealed path is absent");
        f.expected_sha256 = Some(entry.digest.to_hex());
        findings.push(f);
    }
    for ((path, h), _) in extras.iter().zip(&used).filter(|(_, &u)| !u) {
        counts.extra += 1;
        let mut f = Finding::new(path.display(), FindingClass::ExtraFile, "present but not sealed");
        f.actual_sha256 = Some(h.digest.to_hex());
        f.allowed = allow_extra;
        if allow_extra {
            f.message.push_str(" (allowed by --allow-extra)");
        }
        findings.push(f);
    }
    (findings, counts)
}
