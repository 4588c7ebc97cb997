//! `check`: a drop-in for `sha256sum -c` that fails closed.
//!
//! It reads every form GNU reads and gives the same per-line results, but it
//! is red wherever GNU 9.x fails open: a BOM before the first line, a
//! malformed or single-space line among valid ones, a NUL in a name, and a
//! run that verified nothing. Like GNU, names are relative to the current
//! directory and every failure exits 1. Unlike GNU, a symlink or special
//! file is never followed or opened. `docs/check.md` lists the differences.

use std::ffi::OsStr;
use std::io::BufRead;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::digest::Algo;
use crate::drift::{diagnose, DiagnoseOptions, Diagnosis};
use crate::finding::{Finding, FindingClass};
use crate::fsio::open_path;
use crate::hash::{hash_open, Engine, Outcome};
use crate::manifest::parse::{parse_line, LineReader};
use crate::manifest::LineError;
use crate::report::{CheckCounts, Report, Verdict};
use crate::{Digest, Error, Status};

/// Options of `check`.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Say nothing of listed files that do not exist (GNU `--ignore-missing`).
    /// Disabled by default. A run that verifies nothing is still red.
    pub ignore_missing: bool,
    /// Hashing threads; `None` (the default) means
    /// [`crate::hash::default_threads`].
    pub threads: Option<usize>,
    /// Diagnose each mismatch (`--explain`). Disabled by default.
    pub explain: Option<DiagnoseOptions>,
    /// Lines end in NUL, as `sha256sum -z` writes them (`-z`). Disabled by
    /// default.
    pub zero: bool,
}

/// What one manifest line came to.
#[derive(Debug)]
pub enum LineResult {
    /// The file matched.
    Ok {
        /// Raw file name.
        name: Vec<u8>,
        /// The listed digest, which the bytes have.
        digest: Digest,
    },
    /// The file did not match.
    Failed {
        /// Raw file name.
        name: Vec<u8>,
        /// The listed digest.
        expected: Digest,
        /// The digest of the bytes.
        actual: Digest,
        /// With `--explain`: the classes and the proof, or why there is none.
        explanation: Option<(Vec<FindingClass>, String)>,
    },
    /// The file could not be opened or read.
    FailedOpen {
        /// Raw file name.
        name: Vec<u8>,
        /// Why, in GNU's words where GNU has them.
        reason: String,
        /// The listed digest.
        expected: Digest,
        /// The class for the report.
        class: FindingClass,
    },
    /// A missing file passed over with `--ignore-missing`.
    IgnoredMissing {
        /// Raw file name.
        name: Vec<u8>,
    },
    /// Not a checksum line.
    Improper {
        /// 1-based line number.
        line: usize,
        /// Why.
        error: LineError,
    },
}

/// A whole `check` run.
#[derive(Debug)]
pub struct CheckRun {
    /// The manifest's name as given.
    pub source: String,
    /// The SHA-256 of the manifest's bytes, as read (of the first
    /// manifest, when runs were folded together).
    pub manifest_sha256: Digest,
    /// One result per line that is not a comment, in manifest order.
    pub results: Vec<LineResult>,
    /// The counts.
    pub counts: CheckCounts,
    /// No line was a checksum line.
    pub no_proper_lines: bool,
    /// `--ignore-missing` left nothing verified.
    pub nothing_verified: bool,
    /// 0 or 1, as GNU: every failure is 1.
    pub status: Status,
}

impl CheckRun {
    /// Folds the run of the next manifest into this one, as `sha256sum -c A
    /// B` does: counts add up, and any red manifest makes the whole red.
    pub fn absorb(&mut self, other: CheckRun) {
        self.source = format!("{}, {}", self.source, other.source);
        self.results.extend(other.results);
        let (a, b) = (&mut self.counts, other.counts);
        a.ok += b.ok;
        a.failed += b.failed;
        a.unreadable += b.unreadable;
        a.improperly_formatted += b.improperly_formatted;
        a.ignored_missing += b.ignored_missing;
        self.no_proper_lines &= other.no_proper_lines;
        self.nothing_verified &= other.nothing_verified;
        self.status = self.status.max(other.status);
        a.verdict = Some(Verdict::from_ok(self.status.is_pass()));
    }
}

/// A checksum line read (name, digest), or why it is not one.
type ParsedLine = Result<(Vec<u8>, Digest), (usize, LineError)>;

/// Lines parsed and hashed together: memory stays bounded by one batch
/// (at most this many lines, or [`BATCH_BYTES`] of names), whatever the
/// input's length.
const BATCH_LINES: usize = 4096;

/// The most name bytes held in one batch.
const BATCH_BYTES: usize = 8 << 20;

/// Checks every line of `reader` (named `source` in messages), keeping
/// every result in [`CheckRun::results`].
pub fn check<R: BufRead>(reader: R, source: &str, opts: &CheckOptions) -> Result<CheckRun, Error> {
    let mut results = Vec::new();
    let mut run = check_with(reader, source, opts, &mut |r| results.push(r))?;
    run.results = results;
    Ok(run)
}

/// Checks every line of `reader`, handing each result to `sink` in input
/// order as soon as its batch is done; the returned run has the counts and
/// verdict but no results. Memory is bounded by one batch, so an endless
/// `check -` runs in constant memory.
pub fn check_with<R: BufRead>(
    reader: R,
    source: &str,
    opts: &CheckOptions,
    sink: &mut dyn FnMut(LineResult),
) -> Result<CheckRun, Error> {
    let engine = Engine::new(opts.threads).map_err(|e| Error::io(Path::new(source), e))?;
    let mut lines = if opts.zero { LineReader::nul_terminated(reader) } else { LineReader::new(reader) };
    let mut counts = CheckCounts::default();
    let mut batch: Vec<ParsedLine> = Vec::new();
    let mut batch_bytes = 0usize;
    while let Some((no, line)) =
        lines.next_line().map_err(|e| crate::input::read_error(source, crate::input::Kind::Manifest, e))?
    {
        let line = line.map(|(l, _)| l.to_vec());
        let parsed = match line {
            // GNU 9.x skips a line behind a BOM and may exit 0: a fail-open.
            Ok(_) if no == 1 && lines.had_bom() => Err((no, LineError::Bom)),
            Ok(l) if l.first() == Some(&b'#') => continue,
            Ok(l) => parse_line(&l)
                .map(|l| (l.name.into_owned(), l.digest.sha256().expect("parse_line reads SHA-256")))
                .map_err(|e| (no, e)),
            Err(e) => Err((no, e)),
        };
        batch_bytes += parsed.as_ref().map_or(0, |(n, _)| n.len());
        batch.push(parsed);
        if batch.len() >= BATCH_LINES || batch_bytes >= BATCH_BYTES {
            run_batch(&engine, std::mem::take(&mut batch), opts, &mut counts, sink);
            batch_bytes = 0;
        }
    }
    run_batch(&engine, batch, opts, &mut counts, sink);
    let (manifest_sha256, _) =
        lines.finish().map_err(|e| crate::input::read_error(source, crate::input::Kind::Manifest, e))?;
    let proper = counts.ok + counts.failed + counts.unreadable + counts.ignored_missing;
    let no_proper_lines = proper == 0;
    let nothing_verified = !no_proper_lines && counts.ok == 0 && counts.failed == 0 && counts.unreadable == 0;
    let red = no_proper_lines || counts.ok == 0 || counts.failed + counts.unreadable + counts.improperly_formatted > 0;
    counts.verdict = Some(Verdict::from_ok(!red));
    Ok(CheckRun {
        source: source.to_string(),
        manifest_sha256,
        results: Vec::new(),
        counts,
        no_proper_lines,
        nothing_verified,
        status: if red { Status::Integrity } else { Status::Pass },
    })
}

/// Hashes one batch in parallel and hands its results to `sink` in order.
fn run_batch(
    engine: &Engine,
    parsed: Vec<ParsedLine>,
    opts: &CheckOptions,
    counts: &mut CheckCounts,
    sink: &mut dyn FnMut(LineResult),
) {
    let outcomes = engine.map(&parsed, |p, buf| match p {
        Ok((name, _)) => Some(match open_path(Path::new(OsStr::from_bytes(name))) {
            Ok((file, meta)) => hash_open(file, &meta, buf),
            Err(e) => Outcome::from(e),
        }),
        Err(_) => None,
    });
    for (p, outcome) in parsed.into_iter().zip(outcomes) {
        let (name, expected) = match p {
            Err((line, error)) => {
                counts.improperly_formatted += 1;
                sink(LineResult::Improper { line, error });
                continue;
            }
            Ok(x) => x,
        };
        let failed_open =
            |reason: String, class| LineResult::FailedOpen { name: name.clone(), reason, class, expected };
        let result = match outcome.expect("every parsed line was hashed") {
            Outcome::Ok(h) if h.digest == expected => LineResult::Ok { name, digest: expected },
            Outcome::Ok(h) => LineResult::Failed {
                explanation: opts.explain.as_ref().map(|o| explain(&name, &expected, &h.digest, o)),
                name,
                expected,
                actual: h.digest,
            },
            Outcome::Missing if opts.ignore_missing => LineResult::IgnoredMissing { name },
            Outcome::Missing => failed_open("No such file or directory".into(), FindingClass::MissingFile),
            Outcome::Unsupported(kind) => failed_open(
                match kind {
                    crate::fsio::FileKind::Directory => "Is a directory".to_string(),
                    k => format!("is a {} (refused: never followed or opened)", k.describe()),
                },
                FindingClass::UnsupportedFileType,
            ),
            Outcome::ChangedWhileReading(what) => {
                failed_open(format!("changed while it was read ({what})"), FindingClass::ChangedWhileReading)
            }
            Outcome::Unreadable(e) => failed_open(strerror(&e), FindingClass::UnreadableFile),
        };
        match &result {
            LineResult::Ok { .. } => counts.ok += 1,
            LineResult::Failed { .. } => counts.failed += 1,
            LineResult::FailedOpen { .. } => counts.unreadable += 1,
            LineResult::IgnoredMissing { .. } => counts.ignored_missing += 1,
            LineResult::Improper { .. } => unreachable!("handled above"),
        }
        sink(result);
    }
}

/// Diagnoses a mismatched file. The bytes are read again and must still
/// hash to what was checked, or nothing is claimed.
fn explain(name: &[u8], expected: &Digest, actual: &Digest, opts: &DiagnoseOptions) -> (Vec<FindingClass>, String) {
    use std::io::Read;
    let edited = vec![FindingClass::EditedContent];
    let bytes = match open_path(Path::new(OsStr::from_bytes(name))) {
        Ok((file, meta)) if meta.len() <= opts.max_size => {
            let mut b = Vec::with_capacity(meta.len() as usize);
            match file.take(opts.max_size + 1).read_to_end(&mut b) {
                Ok(_) => b,
                Err(e) => return (edited, format!("not diagnosed: {}", strerror(&e))),
            }
        }
        Ok((_, meta)) => {
            return (edited, format!("not diagnosed: {} bytes is over the cap of {} bytes", meta.len(), opts.max_size))
        }
        Err(_) => return (edited, "not diagnosed: it could not be read again".into()),
    };
    if Digest::of(&bytes) != *actual {
        return (edited, "not diagnosed: it changed while being read again".into());
    }
    let sealed = (*expected).into();
    let d = diagnose(&bytes, &sealed, opts);
    let proof = d.proof(opts);
    match d {
        Diagnosis::Proven { classes, .. } => (classes, proof),
        _ => (edited, proof),
    }
}

/// The OS message without Rust's " (os error N)" suffix, as GNU prints it.
fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl CheckRun {
    /// The run as a report. `check` speaks GNU's exit codes, so every red
    /// run exits 1 whatever the finding classes would imply on their own.
    pub fn report(&self, date: String) -> Report {
        let mut r = Report::new("check", date);
        for res in &self.results {
            let shown = |n: &[u8]| crate::escape::escape_bytes(n);
            match res {
                LineResult::Failed { name, expected, actual, explanation } => {
                    let mut f =
                        Finding::new(shown(name), FindingClass::EditedContent, "computed checksum did NOT match");
                    f.expected_sha256 = Some(expected.to_hex());
                    f.actual_sha256 = Some(actual.to_hex());
                    if let Some((classes, proof)) = explanation {
                        f.classes = classes.clone();
                        f.hint = Some(crate::drift::hint(classes[0]).to_string());
                        f.proof = Some(proof.clone());
                    }
                    r.findings.push(f);
                    r.sealed_paths.push(shown(name));
                    r.sealed_digests.push(vec![(Algo::Sha256, expected.to_hex())]);
                }
                LineResult::FailedOpen { name, reason, class, expected } => {
                    let mut f = Finding::new(shown(name), *class, reason.clone());
                    f.expected_sha256 = Some(expected.to_hex());
                    f.proof = Some(format!("the listed file could not be hashed: {reason}"));
                    r.findings.push(f);
                    r.sealed_paths.push(shown(name));
                    r.sealed_digests.push(vec![(Algo::Sha256, expected.to_hex())]);
                }
                LineResult::Ok { name, digest } => {
                    r.sealed_paths.push(shown(name));
                    r.sealed_digests.push(vec![(Algo::Sha256, digest.to_hex())]);
                }
                _ => {}
            }
        }
        r.findings.sort_by(|a, b| a.path.cmp(&b.path));
        // A manifest that is not (wholly) checksum lines is red with no file
        // to blame: the report says why, so no format shows red with
        // nothing in it.
        let improper: Vec<(usize, &LineError)> = self
            .results
            .iter()
            .filter_map(|res| match res {
                LineResult::Improper { line, error } => Some((*line, error)),
                _ => None,
            })
            .collect();
        let why = if let Some((line, error)) = improper.first() {
            Some((
                "malformed_manifest",
                format!(
                    "{}: {} improperly formatted line(s); the first, line {line}: {error}",
                    self.source, self.counts.improperly_formatted
                ),
            ))
        } else if self.no_proper_lines {
            Some(("malformed_manifest", format!("{}: no properly formatted checksum lines found", self.source)))
        } else if self.nothing_verified {
            Some(("nothing_verified", format!("{}: no file was verified", self.source)))
        } else {
            None
        };
        if let Some((code, message)) = why {
            r.error = Some(crate::report::ErrorInfo { code: code.into(), message });
        }
        r.checks.check = Some(self.counts.clone());
        r.finish(self.status);
        if !self.status.is_pass() {
            r.exit_code = 1;
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::io::{self, Read};
    use std::rc::Rc;

    /// A manifest handed over one line per `fill_buf`, counting how many
    /// lines have been handed over: when the sink sees a result, the count
    /// says how many lines had been read by then.
    struct Lines {
        lines: Vec<Vec<u8>>,
        next: usize,
        at: usize,
        handed: Rc<Cell<usize>>,
    }

    impl Read for Lines {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = io::BufRead::fill_buf(self)?.read(out)?;
            io::BufRead::consume(self, n);
            Ok(n)
        }
    }

    impl BufRead for Lines {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            match self.lines.get(self.next) {
                Some(l) => {
                    self.handed.set(self.next + 1);
                    Ok(&l[self.at..])
                }
                None => Ok(&[]),
            }
        }
        fn consume(&mut self, n: usize) {
            self.at += n;
            if self.lines.get(self.next).is_some_and(|l| self.at == l.len()) {
                self.next += 1;
                self.at = 0;
            }
        }
    }

    /// How many lines had been read when the first result reached the sink,
    /// and how many results there were in all.
    fn first_result_after(lines: Vec<Vec<u8>>) -> (usize, usize) {
        let handed = Rc::new(Cell::new(0));
        let reader = Lines { lines, next: 0, at: 0, handed: handed.clone() };
        let (mut first, mut results) = (None, 0);
        let opts = CheckOptions { threads: Some(1), ..CheckOptions::default() };
        check_with(reader, "M", &opts, &mut |_| {
            first.get_or_insert(handed.get());
            results += 1;
        })
        .unwrap();
        (first.unwrap(), results)
    }

    fn line(name: &str) -> Vec<u8> {
        format!("{}  /nonexistent-sealcheck-test/{name}\n", Digest::of(b"")).into_bytes()
    }

    /// Lines are hashed in batches: the first results come once a batch is
    /// full, by its count of lines or by its bytes of names, and no sooner
    /// (a batch is what runs in parallel) and no later (memory is bounded
    /// by one batch, whatever the input's length).
    #[test]
    fn lines_are_checked_in_batches_bounded_by_lines_and_by_name_bytes() {
        let short: Vec<Vec<u8>> = (0..2 * BATCH_LINES + 7).map(|i| line(&i.to_string())).collect();
        let (first, results) = first_result_after(short);
        assert!((BATCH_LINES..=BATCH_LINES + 1).contains(&first), "first results after {first} lines");
        assert_eq!(results, 2 * BATCH_LINES + 7);

        // Names of 4,000 bytes: the batch is full by its bytes first.
        let long_name = |i: usize| format!("{i:0>4000}");
        let long: Vec<Vec<u8>> = (0..BATCH_LINES).map(|i| line(&long_name(i))).collect();
        let full_at = BATCH_BYTES.div_ceil(long_name(0).len() + "/nonexistent-sealcheck-test/".len());
        let (first, results) = first_result_after(long);
        assert!((full_at..=full_at + 1).contains(&first), "first results after {first} lines, not {full_at}");
        assert_eq!(results, BATCH_LINES);
    }

    /// Checks a manifest held in memory, with absolute names.
    fn run(manifest: &str, ignore_missing: bool) -> CheckRun {
        let opts = CheckOptions { ignore_missing, ..CheckOptions::default() };
        check(manifest.as_bytes(), "M", &opts).unwrap()
    }

    fn counts(ok: u64, failed: u64, unreadable: u64, improper: u64, ignored: u64, pass: bool) -> CheckCounts {
        CheckCounts {
            verdict: Some(Verdict::from_ok(pass)),
            ok,
            failed,
            unreadable,
            improperly_formatted: improper,
            ignored_missing: ignored,
        }
    }

    /// Each line is counted as its own case, and the two reasons a run
    /// verified nothing are told apart.
    #[test]
    fn every_line_is_counted_as_what_it_came_to() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        for (name, bytes) in [("a", "a\n"), ("b", "b\n"), ("c", "c\n")] {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let (a, b) = (Digest::of(b"a\n"), Digest::of(b"b\n"));
        let other = Digest::of(b"other");
        let missing = format!("{a}  {d}/gone\n");

        let all = format!(
            "{a}  {d}/a\n# a comment\n{b}  {d}/b\n{other}  {d}/c\n{missing}{other}  {d}/b\nnot a line\n{other}  {d}\n"
        );
        let r = run(&all, false);
        assert_eq!(r.counts, counts(2, 2, 2, 1, 0, false));
        assert!(!r.no_proper_lines && !r.nothing_verified);
        assert_eq!(r.status, Status::Integrity);
        assert_eq!(r.results.len(), 7, "the comment is no result");
        // The report names the first malformed line, and lists every file
        // that was listed and looked at, matched or not, with its digest.
        let report = r.report(String::new());
        let error = report.error.unwrap();
        assert_eq!(error.code, "malformed_manifest");
        assert_eq!(
            error.message,
            "M: 1 improperly formatted line(s); the first, line 7: bad digest: expected 64 hex characters, found 3"
        );
        assert_eq!(report.sealed_paths.len(), 6, "{:?}", report.sealed_paths);
        assert_eq!(report.sealed_paths[0], format!("{d}/a"));
        assert_eq!(report.sealed_digests[0], [(Algo::Sha256, a.to_hex())]);
        assert_eq!(report.findings.len(), 4);

        let all_ok = run(&format!("{a}  {d}/a\n{b}  {d}/b\n"), false);
        assert_eq!(all_ok.counts, counts(2, 0, 0, 0, 0, true));
        assert_eq!(all_ok.status, Status::Pass);

        // Every line failed: proper lines, verified, red.
        let failed = run(&format!("{other}  {d}/a\n{other}  {d}/b\n"), false);
        assert_eq!(failed.counts, counts(0, 2, 0, 0, 0, false));
        assert!(!failed.no_proper_lines && !failed.nothing_verified);

        // Every file missing and passed over: proper lines, nothing verified.
        let ignored = run(&format!("{missing}{missing}"), true);
        assert_eq!(ignored.counts, counts(0, 0, 0, 0, 2, false));
        assert!(!ignored.no_proper_lines && ignored.nothing_verified);
        assert_eq!(ignored.status, Status::Integrity);
        assert_eq!(ignored.report(String::new()).error.unwrap().code, "nothing_verified");

        // One missing file passed over beside one that matched: green.
        let one = run(&format!("{missing}{a}  {d}/a\n"), true);
        assert_eq!(one.counts, counts(1, 0, 0, 0, 1, true));
        assert!(!one.nothing_verified);

        // No checksum line at all.
        let none = run("# only\nnot a line\n", false);
        assert_eq!(none.counts, counts(0, 0, 0, 1, 0, false));
        assert!(none.no_proper_lines && !none.nothing_verified);
        assert_eq!(none.report(String::new()).error.unwrap().code, "malformed_manifest");
    }

    /// Runs of several manifests fold into one: every count adds up, the
    /// run verified nothing only if each did, and any red one makes it red.
    #[test]
    fn runs_fold_their_counts_and_flags_together() {
        let fake = |c: CheckCounts, no_proper_lines, nothing_verified, status| CheckRun {
            source: "S".into(),
            manifest_sha256: Digest::of(b""),
            results: Vec::new(),
            counts: c,
            no_proper_lines,
            nothing_verified,
            status,
        };
        let mut r = fake(counts(1, 2, 3, 4, 5, false), true, true, Status::Integrity);
        r.absorb(fake(counts(10, 20, 30, 40, 50, false), false, false, Status::Integrity));
        assert_eq!(r.counts, counts(11, 22, 33, 44, 55, false));
        assert!(!r.no_proper_lines && !r.nothing_verified);
        assert_eq!(r.source, "S, S");

        let mut green = fake(counts(1, 0, 0, 0, 0, true), false, false, Status::Pass);
        green.absorb(fake(counts(1, 0, 0, 0, 0, true), false, false, Status::Pass));
        assert_eq!((green.status, green.counts.verdict), (Status::Pass, Some(Verdict::Pass)));
        green.absorb(fake(counts(0, 0, 0, 0, 0, false), true, true, Status::Integrity));
        assert_eq!((green.status, green.counts.verdict), (Status::Integrity, Some(Verdict::Fail)));
        assert!(!green.no_proper_lines && !green.nothing_verified);

        let mut both = fake(counts(0, 0, 0, 0, 1, false), true, true, Status::Integrity);
        both.absorb(fake(counts(0, 0, 0, 0, 1, false), true, true, Status::Integrity));
        assert!(both.no_proper_lines && both.nothing_verified);
    }

    /// GNU's wording: the OS message without Rust's error number.
    #[test]
    fn os_errors_read_as_gnu_prints_them() {
        assert_eq!(strerror(&io::Error::from_raw_os_error(13)), "Permission denied");
        assert_eq!(strerror(&io::Error::from_raw_os_error(2)), "No such file or directory");
        assert_eq!(strerror(&io::Error::other("plain")), "plain");
    }

    /// A file whose seal held an em dash and which now holds "--": a drift
    /// diagnosis proves, when it reads these very bytes.
    fn dashed_file() -> (tempfile::TempDir, std::path::PathBuf, Digest, &'static [u8]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        let now: &[u8] = b"a -- b\n";
        std::fs::write(&path, now).unwrap();
        (dir, path, Digest::of("a \u{2014} b\n".as_bytes()), now)
    }

    /// A file over the diagnosis cap is not read again; one of exactly the
    /// cap is diagnosed.
    #[test]
    fn the_diagnosis_cap_is_the_largest_file_diagnosed() {
        let (_dir, path, sealed, now) = dashed_file();
        let name = path.as_os_str().as_bytes();
        let at = |max_size| DiagnoseOptions { max_size, ..DiagnoseOptions::default() };
        let (classes, proof) = explain(name, &sealed, &Digest::of(now), &at(now.len() as u64));
        assert_eq!(classes, [FindingClass::EmdashUnicodeDrift], "{proof}");
        let (classes, proof) = explain(name, &sealed, &Digest::of(now), &at(now.len() as u64 - 1));
        assert_eq!(classes, [FindingClass::EditedContent]);
        assert_eq!(proof, "not diagnosed: 7 bytes is over the cap of 6 bytes");
    }

    /// A mismatched file is read again to be diagnosed; if it no longer
    /// hashes to what was checked, no drift is claimed of bytes never
    /// checked.
    #[test]
    fn a_file_that_changed_after_its_hash_is_not_diagnosed() {
        let (_dir, path, sealed, now) = dashed_file();
        let name = path.as_os_str().as_bytes();
        let opts = DiagnoseOptions::default();

        let (classes, proof) = explain(name, &sealed, &Digest::of(now), &opts);
        assert_eq!(classes, [FindingClass::EmdashUnicodeDrift], "{proof}");

        let (classes, proof) = explain(name, &sealed, &Digest::of(b"what was hashed\n"), &opts);
        assert_eq!(classes, [FindingClass::EditedContent]);
        assert_eq!(proof, "not diagnosed: it changed while being read again");
    }
}
