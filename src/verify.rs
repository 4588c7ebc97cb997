//! The one engine: any seal against the bytes on disk.
//!
//! [`verify`] locates the seal ([`crate::seal::locate`]), reads it in any
//! format into one [`Seal`], walks the packet, hashes every sealed and every
//! unsealed file in parallel with every algorithm the seal asks of it (and
//! SHA-256 always, for the tree hash), and returns a [`Report`] that lists
//! every problem found in one pass: changed, missing, extra, moved, renamed
//! to another Unicode form, unreadable, unsupported, changed while reading,
//! and the seal's own drift. Every option works for every format; what only
//! a bag has is the small step [`crate::seal::bagit::check`]. It never
//! stops at the first problem and never writes to the packet.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diff::compare;
use crate::digest::{Algo, AlgoSet};
use crate::drift::tree::{match_missing_and_extra, set_digests};
use crate::drift::{diagnose, hint, DiagnoseOptions, Diagnosis};
use crate::finding::{Finding, FindingClass};
use crate::fsio::{ContentState, Root, Stamp};
use crate::hash::{hash_open_with, Engine, Hashed, Outcome, RESULT_SLICE};
use crate::input::{self, Kind};
use crate::manifest::write::CanonicalDigest;
use crate::pins::{check_all, Pin};
use crate::report::{ExpectTree, Packet, Report, SealVsBytes, Verdict};
use crate::scan::{ScanCheck, ScanOptions, Scanner};
use crate::seal::{self, outcome_finding, problem_finding, Format, Seal, SealEntry, SealFile};
use crate::walk::{walk, Exclusions, Problem, Tree};
use crate::{Digest, Error, RelPath, Status};

/// Options of `verify`.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// The manifest. Default: `PACKET/HASH_MANIFEST.txt`, else a bag's
    /// `bagit.txt`, else one of [`crate::seal::sums::KNOWN_NAMES`].
    pub manifest: Option<PathBuf>,
    /// The manifest's digest algorithm. Default: from its name, else its
    /// lines (see [`crate::seal::sums`]).
    pub algo: Option<Algo>,
    /// Glob patterns to leave out of the walk. Default none.
    pub excludes: Vec<String>,
    /// A pinned `packet_tree_sha256`: the bytes on disk must hash to it.
    /// Default none.
    pub expect_tree: Option<Digest>,
    /// Unsealed files are listed but do not make the verdict red. Disabled
    /// by default.
    pub allow_extra: bool,
    /// A seal that lists no file passes. Disabled by default: by default
    /// "nothing verified" is red.
    pub allow_empty: bool,
    /// Hashing threads; `None` (the default) means
    /// [`crate::hash::default_threads`].
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
    /// Forbidden content to look for in every file and every path name.
    /// Default nothing.
    pub scan: ScanOptions,
    /// BagIt: read unknown `%XX` in manifest paths literally, with a
    /// warning. Disabled by default.
    pub bagit_lenient_names: bool,
    /// Require a valid signature of the seal by a key this policy allows
    /// (`--allowed-signers`). Default none: a signature present is
    /// reported, not checked, and never turns a red verdict green.
    pub signature: Option<crate::sign::SignaturePolicy>,
    /// Require a valid minisign signature by this key (a public key file
    /// or its base64 line). Default none.
    pub minisign_key: Option<String>,
    /// Counters to update while hashing, for a progress display. Default
    /// none.
    pub progress: Option<std::sync::Arc<crate::progress::Progress>>,
    /// Fill [`Report::sealed_paths`] and [`Report::sealed_digests`], every
    /// sealed path with its digests, for renderers and receipts that list
    /// each file. Disabled by default: some 200 bytes per sealed path.
    pub list_sealed: bool,
}

impl VerifyOptions {
    /// The options that say where the seal is and how to read it.
    pub fn read_options(&self) -> seal::ReadOptions {
        seal::ReadOptions {
            manifest: self.manifest.clone(),
            algo: self.algo,
            bagit_lenient_names: self.bagit_lenient_names,
        }
    }
}

/// A file to hash: a sealed entry that is present, or an unsealed one.
struct Job<'a> {
    path: &'a RelPath,
    sealed: Option<&'a SealEntry>,
    algos: AlgoSet,
}

/// A `changed_while_reading` finding of the end-of-run checks.
fn moved_meanwhile(path: String, message: &str, proof: &str) -> Finding {
    let mut f = Finding::new(path, FindingClass::ChangedWhileReading, message);
    f.proof = Some(proof.to_string());
    f
}

/// Every directory `paths` lie in, each once, in order: `a/b/c` gives `a`
/// and `a/b`.
fn ancestors<'a>(paths: impl Iterator<Item = &'a RelPath>) -> Vec<RelPath> {
    let mut dirs: Vec<&[u8]> = Vec::new();
    for p in paths {
        let b = p.as_bytes();
        for (i, _) in b.iter().enumerate().filter(|(_, &c)| c == b'/') {
            // Paths come sorted, so most ancestors repeat the last ones seen.
            if !dirs.iter().rev().take(8).any(|d| *d == &b[..i]) {
                dirs.push(&b[..i]);
            }
        }
    }
    dirs.sort_unstable();
    dirs.dedup();
    dirs.into_iter().map(|d| RelPath::from_slice(d).expect("a prefix of a packet path is one")).collect()
}

/// Verifies the packet at `root` against its seal, whatever its format.
pub fn verify(root: &Path, opts: &VerifyOptions, date: String) -> Result<Report, Error> {
    let root_dir = Root::open(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotADirectory => Error::NotADirectory(root.display().to_string()),
        _ => Error::io(root, e),
    })?;
    let location = seal::locate(root, &opts.read_options())?;
    let restore_dir = opts.restore_to.as_deref().map(|d| prepare_restore_dir(root, d)).transpose()?;
    let mut exclusions = Exclusions::new(&opts.excludes)?;
    for rel in location.excluded() {
        exclusions = exclusions.with_path(rel);
    }
    // Reading the seal and walking the tree do not depend on each other:
    // run them side by side.
    let (read, walked) = std::thread::scope(|s| {
        let read = s.spawn(|| seal::read(&root_dir, &location, &opts.read_options()));
        let walked = walk(root, &exclusions);
        (read.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), walked)
    });
    let seal = read?;
    let tree = walked?;
    verify_seal(root, &root_dir, &seal, &tree, opts, restore_dir.as_deref(), date)
}

/// Verifies a read seal against a walked tree: the engine every format
/// shares.
fn verify_seal(
    root: &Path,
    root_dir: &Root,
    seal: &Seal,
    tree: &Tree,
    opts: &VerifyOptions,
    restore_dir: Option<&Path>,
    date: String,
) -> Result<Report, Error> {
    let mut findings: Vec<Finding> = seal.findings.clone();
    for file in seal.files.iter().filter(|f| f.drift.any()) {
        findings.push(manifest_drift_finding(file));
    }
    let mut counts = SealVsBytes {
        sealed: seal.entries.len() as u64,
        manifest_drift: findings.iter().any(|f| f.classes.contains(&FindingClass::ManifestDrift)),
        ..SealVsBytes::default()
    };
    if seal.entries.is_empty() && !opts.allow_empty {
        let shown = seal.files[0].inside.as_ref().map_or_else(|| seal.files[0].shown.clone(), RelPath::display);
        let mut f = Finding::new(
            shown,
            FindingClass::MissingFile,
            "the seal lists no file: nothing was verified (--allow-empty accepts an empty seal)",
        );
        f.proof = Some("the seal was read whole and has no entry".to_string());
        findings.push(f);
    }

    // A tree that could not be listed completely has no tree hash.
    let mut tree_complete = true;
    // Sealed paths the walk found as something other than a regular file.
    let mut unsupported_at: HashMap<&[u8], &Problem> = HashMap::new();
    for p in &tree.problems {
        tree_complete = false;
        match p {
            Problem::Unsupported { raw, .. } => {
                unsupported_at.insert(raw.as_slice(), p);
            }
            _ => {
                if matches!(p, Problem::Unreadable { .. }) {
                    counts.unreadable += 1;
                } else {
                    // A name that cannot be sealed safely: counted as what its
                    // finding says, a file of a type that cannot be sealed.
                    counts.unsupported += 1;
                }
                findings.push(problem_finding(p));
            }
        }
    }

    // Seal entries and walked files are both sorted by path, each once
    // (Seal::new and the walk sort them): one merge pairs them, with no
    // index to build or hold.
    debug_assert!(tree.files.windows(2).all(|w| w[0].path < w[1].path), "the walk sorts its files");
    debug_assert!(seal.entries.windows(2).all(|w| w[0].path < w[1].path), "Seal::new sorts its entries");
    let strong = AlgoSet::of(seal.strong_algos());
    let mut jobs: Vec<Job<'_>> = Vec::with_capacity(tree.files.len());
    let mut present = vec![false; seal.entries.len()];
    let mut next = 0;
    for f in &tree.files {
        while next < seal.entries.len() && seal.entries[next].path < f.path {
            next += 1;
        }
        let sealed = (next < seal.entries.len() && seal.entries[next].path == f.path).then(|| {
            present[next] = true;
            &seal.entries[next]
        });
        let algos = match sealed {
            Some(e) => AlgoSet::of(e.digests.iter().map(|d| d.digest.algo())),
            None if seal.scope.covers(&f.path) => strong,
            None => AlgoSet::default(),
        };
        jobs.push(Job { path: &f.path, sealed, algos });
    }
    let mut missing: Vec<&SealEntry> = Vec::new();
    for (entry, _) in seal.entries.iter().zip(&present).filter(|(_, &p)| !p) {
        if let Some(p) = unsupported_at.remove(entry.path.as_bytes()) {
            counts.unsupported += 1;
            let mut f = problem_finding(p);
            set_digests(&mut f, entry, None);
            findings.push(f);
        } else {
            match root_dir.lstat(&entry.path) {
                Ok(m) if m.is_dir() => {
                    // A directory where a regular file is sealed: not a
                    // missing file, a file of the wrong type, like any other.
                    tree_complete = false;
                    counts.unsupported += 1;
                    let mut f = Finding::new(
                        entry.path.display(),
                        FindingClass::UnsupportedFileType,
                        "directory where a sealed regular file is expected",
                    );
                    f.proof = Some("lstat gives a directory at the sealed path".to_string());
                    set_digests(&mut f, entry, None);
                    findings.push(f);
                }
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    // Not known to be absent: in a directory that cannot be
                    // listed, say, the file may well be there.
                    tree_complete = false;
                    counts.unreadable += 1;
                    let mut f = Finding::new(
                        entry.path.display(),
                        FindingClass::UnreadableFile,
                        format!("cannot be reached: {e}"),
                    );
                    f.proof = Some(format!(
                        "the walk did not list it, and lstat at the sealed path fails with \"{e}\", not \"not found\""
                    ));
                    set_digests(&mut f, entry, None);
                    findings.push(f);
                }
                _ => missing.push(entry),
            }
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
    let hash_job = |job: &Job<'_>, buf: &mut [u8]| {
        let outcome = match root_dir.open_file(job.path) {
            Ok((file, meta)) => {
                let (algos, n) = job.algos.to_array();
                hash_open_with(file, &meta, buf, &algos[..n])
            }
            Err(e) => Outcome::from(e),
        };
        if let Some(p) = &opts.progress {
            p.add(if let Outcome::Ok(h) = &outcome { h.stamp.size } else { 0 });
        }
        // A drifted file that fit the buffer is still in it: diagnose it
        // here, in parallel, without reading it again.
        let explained = match (&outcome, job.sealed) {
            (Outcome::Ok(h), Some(entry))
                if !matches_entry(h, entry) && h.stamp.size <= (buf.len() as u64).min(opts.diagnose.max_size) =>
            {
                // Boxed: a finding is hundreds of bytes, and every file's
                // result slot would otherwise hold room for one.
                Some(Box::new(explain_bytes(entry, h, &buf[..h.stamp.size as usize], opts)))
            }
            _ => None,
        };
        (outcome, explained)
    };

    let mut byte_count = 0u64;
    let mut payload = (0u64, 0u64);
    // The tree digest, line by line: jobs come in path order.
    let mut current = CanonicalDigest::default();
    let mut stamps: Vec<(&RelPath, ContentState)> = Vec::with_capacity(jobs.len());
    let mut extras: Vec<(&RelPath, Hashed)> = Vec::new();
    let mut changed: Vec<(&SealEntry, Hashed)> = Vec::new();
    let mut explained_early: Vec<(&SealEntry, Explained)> = Vec::new();
    // Jobs are hashed a slice at a time (see RESULT_SLICE), each slice's
    // results folded in before the next.
    for slice in jobs.chunks(RESULT_SLICE) {
        for (job, (outcome, explained)) in slice.iter().zip(engine.map(slice, hash_job)) {
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
                    if let Some(entry) = job.sealed {
                        set_digests(&mut f, entry, None);
                    }
                    findings.push(f);
                    continue;
                }
            };
            byte_count += hashed.stamp.size;
            if job.path.as_bytes().starts_with(b"data/") {
                payload = (payload.0 + 1, payload.1 + hashed.stamp.size);
            }
            current.push(job.path, &hashed.digest);
            stamps.push((job.path, hashed.stamp.content_state()));
            match job.sealed {
                Some(entry) if matches_entry(&hashed, entry) => counts.ok += 1,
                Some(entry) => {
                    counts.changed += 1;
                    match explained {
                        Some(e) => explained_early.push((entry, *e)),
                        None => changed.push((entry, hashed)),
                    }
                }
                None if seal.scope.covers(job.path) => extras.push((job.path, hashed)),
                None => {}
            }
        }
    }
    if let Some(p) = &opts.progress {
        p.finish();
    }

    let explained = engine.map(&changed, |(entry, hashed), _| explain(root_dir, entry, hashed, opts));
    let all_explained = changed.iter().map(|(e, _)| *e).zip(explained).chain(explained_early);
    for (entry, (mut finding, restored)) in all_explained {
        if let (Some(dir), Some(bytes)) = (restore_dir, restored) {
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

    // Measure, do not assert, that nothing moved under us: every hashed
    // file, and every directory the files lie in, which must still be a
    // directory, not a symlink (the files' re-stat resolves the rest of a
    // path, so a directory swapped for a symlink to its moved self would
    // otherwise pass).
    let mut unmodified = true;
    let still = engine.map(&stamps, |(path, stamp), _| root_dir.stamp(path).is_ok_and(|n| *stamp == n.content_state()));
    let dirs = ancestors(stamps.iter().map(|(p, _)| *p));
    let still_dirs = engine.map(&dirs, |dir, _| root_dir.stamp(dir).is_ok_and(|s| s.is_dir()));
    const FILE_MOVED: (&str, &str) = (
        "changed after it was hashed, before the run ended",
        "its size, mtime or inode after the run differ from when it was hashed",
    );
    const DIR_MOVED: (&str, &str) = (
        "a directory of hashed files was replaced while the packet was verified",
        "lstat at the end of the run no longer gives a directory at this path",
    );
    let files_moved = stamps.iter().zip(still).filter(|(_, same)| !same).map(|((p, _), _)| (p.display(), FILE_MOVED));
    let dirs_moved = dirs.iter().zip(still_dirs).filter(|(_, same)| !same).map(|(d, _)| (d.display(), DIR_MOVED));
    for (path, (message, proof)) in files_moved.chain(dirs_moved) {
        unmodified = false;
        counts.changed_while_reading += 1;
        findings.push(moved_meanwhile(path, message, proof));
    }
    for file in &seal.files {
        let now = std::fs::symlink_metadata(&file.path).map(|m| Stamp::of(&m));
        if !now.is_ok_and(|n| file.stamp.same_content_state(&n)) {
            unmodified = false;
            findings.push(moved_meanwhile(
                file.shown.clone(),
                "the seal changed while the packet was verified",
                "its size, mtime or inode after the run differ from when it was read",
            ));
        }
    }

    let tree_sha = tree_complete.then(|| current.finish());

    let mut report = Report::new("verify", date);
    let mut status = expect_tree(&mut report, opts.expect_tree, tree_sha);
    if let Some(facts) = &seal.bag {
        let seal_ok = findings.iter().all(|f| f.status().is_pass());
        let (section, finding) = seal::bagit::check(facts, payload.0, payload.1, seal_ok);
        report.checks.bagit = Some(section);
        findings.extend(finding);
    }
    let seal_ok = findings.iter().all(|f| f.status().is_pass());
    if !opts.pins.is_empty() {
        let (section, pin_findings, pin_status) = check_all(&opts.pins, &opts.diagnose, &engine);
        report.checks.pins = Some(section);
        findings.extend(pin_findings);
        status = status.max(pin_status);
    }
    if opts.scan.is_active() {
        let (section, scan_findings) = scan_tree(root_dir, &tree.files, &opts.scan, &engine);
        report.checks.content_scan = Some(section);
        findings.extend(scan_findings);
    }
    let (signature, minisign) = check_signatures(seal, opts)?;
    if let Some((section, f)) = signature {
        report.checks.signature = Some(section);
        findings.extend(f);
    }
    if let Some((section, f)) = minisign {
        report.checks.minisign = Some(section);
        findings.extend(f);
    }
    findings.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.classes.cmp(&b.classes)));
    counts.verdict = Some(Verdict::from_ok(seal_ok));
    let primary: &SealFile = &seal.files[0];
    report.packet = Some(Packet {
        root: root.display().to_string(),
        manifest: primary.shown.clone(),
        manifest_sha256: Some(primary.sha256.to_hex()),
        manifest_canonical: (seal.format == Format::Sums).then_some(primary.canonical),
        packet_tree_sha256: tree_sha.map(|d| d.to_hex()),
        sealed_tree_sha256: seal.sealed_tree_sha256().map(|d| d.to_hex()),
        file_count: tree.files.len() as u64,
        byte_count,
        seal_format: Some(seal.format.name().to_string()),
        seal_algorithms: seal.algos(),
    });
    report.checks.seal_vs_bytes = Some(counts);
    report.findings = findings;
    if opts.list_sealed {
        report.sealed_paths = seal.entries.iter().map(|e| e.path.display()).collect();
        report.sealed_digests = seal
            .entries
            .iter()
            .map(|e| e.digests.iter().map(|d| (d.digest.algo(), d.digest.to_hex())).collect())
            .collect();
    }
    let subject = seal.subject_file();
    report.seal_subject = Some((
        subject.inside.as_ref().map_or_else(|| subject.shown.clone(), RelPath::display),
        subject.sha256.to_hex(),
    ));
    report.self_check.packet_unmodified = unmodified;
    report.finish(status);
    Ok(report)
}

/// A signature check's section and its finding, if any.
type Signed = Option<(crate::report::sections::SignatureCheck, Option<Finding>)>;

/// The seal's signatures: the file a seal's signature covers is its
/// manifest (for a bag, its strongest tag manifest, which must list every
/// payload manifest). The bytes are read again and must be the ones the
/// seal was read from.
fn check_signatures(seal: &Seal, opts: &VerifyOptions) -> Result<(Signed, Signed), Error> {
    let Some(signed) = signed_file(seal) else {
        if opts.signature.is_some() || opts.minisign_key.is_some() {
            return Err(Error::MalformedSeal {
                path: seal.files[0].shown.clone(),
                line: None,
                expected: "a tag manifest (tagmanifest-sha512.txt or -sha256.txt) listing every payload manifest: \
                           a bag's signature covers it"
                    .to_string(),
            });
        }
        return Ok((None, None));
    };
    let sig_path = crate::sign::signature_path(&signed.path, crate::sign::SSH_EXT);
    let minisig_path = crate::sign::signature_path(&signed.path, crate::sign::MINISIGN_EXT);
    let present = std::fs::symlink_metadata(&sig_path).is_ok();
    if opts.signature.is_none() && opts.minisign_key.is_none() && !present {
        return Ok((None, None));
    }
    let bytes = input::read(&signed.path, Kind::Manifest)?;
    if Digest::of(&bytes) != signed.sha256 {
        let mut f = Finding::new(
            signed.shown.clone(),
            FindingClass::ChangedWhileReading,
            "the signed file changed while it was verified",
        );
        f.proof = Some("its SHA-256 when read for the signature differs from when it was read as the seal".into());
        let section = crate::report::sections::SignatureCheck {
            verdict: Some(Verdict::Fail),
            ..crate::report::sections::SignatureCheck::unchecked(
                "ssh",
                sig_path.display().to_string(),
                signed.shown.clone(),
            )
        };
        return Ok((Some((section, Some(f))), None));
    }
    let ssh = (opts.signature.is_some() || present)
        .then(|| crate::sign::check(&bytes, &signed.shown, &sig_path, opts.signature.as_ref()))
        .transpose()?;
    let mini = opts
        .minisign_key
        .as_deref()
        .map(|k| crate::sign::check_minisign(&bytes, &signed.shown, &minisig_path, k))
        .transpose()?;
    Ok((ssh, mini))
}

/// The file a seal's signature covers.
pub(crate) fn signed_file(seal: &Seal) -> Option<&SealFile> {
    match seal.format {
        Format::Sums => Some(&seal.files[0]),
        Format::Bagit => {
            let names: Vec<String> =
                seal.files.iter().filter_map(|f| f.inside.as_ref().map(RelPath::display)).collect();
            let tag = ["tagmanifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-blake3.txt"]
                .iter()
                .find_map(|n| seal.files.iter().position(|f| f.inside.as_ref().is_some_and(|r| r.display() == *n)))?;
            // It must list every payload manifest, so it covers the whole seal.
            let listed: Vec<String> = seal
                .entries
                .iter()
                .filter(|e| e.digests.iter().any(|d| d.file == tag))
                .map(|e| e.path.display())
                .collect();
            names.iter().filter(|n| n.starts_with("manifest-")).all(|n| listed.contains(n)).then_some(&seal.files[tag])
        }
    }
}

/// Whether a hashed file matches every digest its entry is sealed with.
fn matches_entry(h: &Hashed, entry: &SealEntry) -> bool {
    entry.digests.iter().all(|d| h.matches(&d.digest) == Some(true))
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
        findings.extend(scanner.scan_name(&file.path));
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

fn manifest_drift_finding(file: &SealFile) -> Finding {
    let m = &file.drift;
    let mut classes = vec![FindingClass::ManifestDrift];
    let mut what = Vec::new();
    let mut undo = Vec::new();
    if m.bom {
        classes.push(FindingClass::BomPrefix);
        what.push("starts with a UTF-8 BOM");
        undo.push("stripping the BOM");
    }
    if m.crlf {
        classes.push(FindingClass::CrlfDrift);
        what.push("has CRLF line ends");
        undo.push("CRLF→LF");
    }
    if m.missing_final_newline {
        classes.push(FindingClass::TrailingNewlineDrift);
        what.push("lacks the final newline");
        undo.push("adding the final newline");
    }
    let mut f = Finding::new(
        file.inside.as_ref().map(RelPath::display).unwrap_or_else(|| file.shown.clone()),
        FindingClass::ManifestDrift,
        format!("the manifest itself drifted: it {}", what.join(", ")),
    );
    f.classes = classes;
    f.actual_sha256 = Some(file.sha256.to_hex());
    f.proof =
        Some(format!("the manifest parses line by line; {} gives the form its writer makes", undo.join(", then ")));
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
fn explain(root: &Root, entry: &SealEntry, hashed: &Hashed, opts: &VerifyOptions) -> Explained {
    let cap = opts.diagnose.max_size;
    match root.read_capped(&entry.path, cap) {
        Some(b) if Digest::of(&b) == hashed.digest => explain_bytes(entry, hashed, &b, opts),
        Some(_) => {
            let mut f = changed_finding(entry, hashed);
            f.message.push_str("; it changed again while being diagnosed");
            f.proof = Some("its bytes differ from the seal; read again for diagnosis, they had changed".into());
            (f, None)
        }
        None => {
            let mut f = changed_finding(entry, hashed);
            f.message.push_str(&format!(
                "; not diagnosed: {} bytes is over the diagnosis cap of {cap} bytes",
                hashed.stamp.size
            ));
            f.proof = Some(format!(
                "its bytes do not match the sealed digest; not searched for a known drift: {} bytes is over the \
                 diagnosis cap of {cap} bytes",
                hashed.stamp.size
            ));
            (f, None)
        }
    }
}

/// Diagnoses a changed file's bytes (which hash to `hashed.digest`), and
/// compares them with `--against`.
fn explain_bytes(entry: &SealEntry, hashed: &Hashed, bytes: &[u8], opts: &VerifyOptions) -> Explained {
    let mut f = changed_finding(entry, hashed);
    let diagnosis = diagnose(bytes, entry.primary(), &opts.diagnose);
    f.proof = Some(diagnosis.proof(&opts.diagnose));
    let mut restored = None;
    match diagnosis {
        Diagnosis::Proven { classes, restored: r, .. } => {
            f.hint = Some(hint(classes[0]).to_string());
            f.message = format!("bytes differ from the seal: {}", classes[0].description());
            f.classes = classes;
            restored = Some(r);
        }
        // Never suggest the option already given.
        Diagnosis::Unexplained { .. } if opts.against.is_some() => {
            f.hint =
                Some("no known drift reproduces the seal: the content was edited; the diff below shows where".into())
        }
        Diagnosis::Unexplained { .. } => f.hint = Some(hint(FindingClass::EditedContent).to_string()),
        Diagnosis::NotDiagnosed(why) => f.message.push_str(&format!("; {why}")),
    }
    if let Some(dir) = &opts.against {
        let copy = entry.path.under(dir);
        match input::read(&copy, Kind::Mirror) {
            Ok(sealed) if entry.matches(&sealed) => {
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
            Err(e) => f.diff = Some(e.to_string()),
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

fn changed_finding(entry: &SealEntry, hashed: &Hashed) -> Finding {
    let mut f = Finding::new(entry.path.display(), FindingClass::EditedContent, "bytes differ from the seal");
    set_digests(&mut f, entry, Some(hashed));
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::SealedDigest;

    #[test]
    fn ancestors_are_every_directory_once_in_order() {
        let paths: Vec<RelPath> = ["a/b/c", "a/b/d", "a/e", "f/g", "h", "i/j/k/l"]
            .iter()
            .map(|p| RelPath::from_slice(p.as_bytes()).unwrap())
            .collect();
        let got: Vec<String> = ancestors(paths.iter()).iter().map(RelPath::display).collect();
        assert_eq!(got, ["a", "a/b", "f", "i", "i/j", "i/j/k"]);
        assert!(ancestors([].iter()).is_empty());
    }

    /// A changed file is read again to be diagnosed. If those bytes are not
    /// the ones hashed (the file changed between its hash and its
    /// diagnosis), nothing is claimed of them: a drift "proven" on bytes
    /// that were never checked would be a lie.
    #[test]
    fn a_file_that_changed_after_its_hash_is_not_diagnosed() {
        let dir = tempfile::tempdir().unwrap();
        // The seal holds an em dash; the file now holds "--", a drift
        // diagnosis proves when it reads these very bytes.
        let sealed = "a \u{2014} b\n".as_bytes();
        let now = b"a -- b\n";
        std::fs::write(dir.path().join("f.txt"), now).unwrap();
        let root = Root::open(dir.path()).unwrap();
        let path = RelPath::from_slice(b"f.txt").unwrap();
        let entry = SealEntry {
            path: path.clone(),
            digests: smallvec::smallvec![SealedDigest { digest: Digest::of(sealed).into(), file: 0, line: 1 }],
        };
        let (_, meta) = root.open_file(&path).unwrap();
        let opts = VerifyOptions::default();
        let hashed_as =
            |bytes: &[u8]| Hashed { digest: Digest::of(bytes), others: Vec::new(), stamp: Stamp::of(&meta) };

        // Read again, the bytes are those hashed: the drift is proven.
        let (f, restored) = explain(&root, &entry, &hashed_as(now), &opts);
        assert_eq!(f.classes, [FindingClass::EmdashUnicodeDrift], "{f:?}");
        assert_eq!(restored.as_deref(), Some(sealed));

        // The bytes hashed were others: nothing is diagnosed, nothing restored.
        let (f, restored) = explain(&root, &entry, &hashed_as(b"what was hashed\n"), &opts);
        assert_eq!(f.classes, [FindingClass::EditedContent], "{f:?}");
        assert!(f.message.ends_with("it changed again while being diagnosed"), "{}", f.message);
        assert!(f.proof.as_deref().unwrap().contains("they had changed"), "{f:?}");
        assert!(f.hint.is_none() && restored.is_none(), "{f:?}");
    }
}
