//! Turns parsed flags into library calls and renders what comes back.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::Path;

use sealcheck::check::{check, CheckOptions};
use sealcheck::drift::DiagnoseOptions;
use sealcheck::render::{gnu, human, json};
use sealcheck::report::report_date;
use sealcheck::seal::{seal, tree_digest, SealOptions};
use sealcheck::verify::{verify, VerifyOptions};
use sealcheck::{Digest, Error, Report, Status};

use crate::args::{
    CheckArgs, Cli, Command, FormatArg, OutputArgs, SealArgs, TreeArgs, TreeHashArgs, TreeHashFormat, VerifyArgs,
};

const PROG: &str = "sealcheck";

/// Runs the command line and returns the status to exit with.
pub fn run(cli: Cli) -> Status {
    let threads = cli.threads.map(usize::from);
    if cli.version {
        return print_version(cli.verbose);
    }
    let result = match cli.command {
        Some(Command::Seal(a)) => run_seal(a, threads),
        Some(Command::TreeHash(a)) => run_tree_hash(a, threads),
        Some(Command::Verify(a)) => run_verify(a, threads),
        Some(Command::Check(a)) => run_check(a, threads),
        Some(Command::Schema) => emit(|w| {
            serde_json::to_writer_pretty(&mut *w, &sealcheck::report::schema()).map_err(io::Error::other)?;
            w.write_all(b"\n")
        })
        .map(|()| Status::Pass),
        None => Ok(Status::Pass),
    };
    result.unwrap_or_else(|e| {
        report_error(&e);
        e.status()
    })
}

/// Prints an error on stderr, each of its lines behind the program name.
fn report_error(e: &Error) {
    let text = e.to_string();
    let mut err = io::stderr().lock();
    for line in text.lines() {
        let _ = writeln!(err, "{PROG}: {line}");
    }
}

fn print_version(verbose: bool) -> Status {
    let mut text = format!("{PROG} {}\n", env!("CARGO_PKG_VERSION"));
    if verbose {
        text.push_str(&format!("sha256 backend: {}\n", sealcheck::digest::sha256_backend()));
        text.push_str(&format!(
            "hashing threads by default: {}\n",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        ));
    }
    emit(|w| w.write_all(text.as_bytes())).map_or_else(|e| e.status(), |()| Status::Pass)
}

/// Writes to stdout; a closed pipe is not an error (the exit code still
/// carries the verdict).
fn emit(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    match f(&mut lock).and_then(|()| lock.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::io(Path::new("<stdout>"), e)),
    }
}

fn date() -> Result<String, Error> {
    report_date(std::env::var_os("SOURCE_DATE_EPOCH").as_deref())
}

fn seal_options(t: &TreeArgs, threads: Option<usize>) -> SealOptions {
    SealOptions { manifest_name: t.manifest.clone(), excludes: t.exclude.clone(), threads }
}

fn run_seal(a: SealArgs, threads: Option<usize>) -> Result<Status, Error> {
    let opts = seal_options(&a.tree, threads);
    if a.stdout {
        let tree = tree_digest(&a.tree.packet, &opts)?;
        emit(|w| w.write_all(&tree.manifest))?;
        eprintln!("{PROG}: packet_tree_sha256 {}", tree.packet_tree_sha256);
        return Ok(Status::Pass);
    }
    let sealed = seal(&a.tree.packet, &opts)?;
    eprintln!(
        "{PROG}: sealed {} files ({} bytes) into {}",
        sealed.tree.files.len(),
        sealed.tree.byte_count,
        sealed.manifest_path.display()
    );
    emit(|w| writeln!(w, "{}", sealed.tree.packet_tree_sha256))?;
    Ok(Status::Pass)
}

fn run_tree_hash(a: TreeHashArgs, threads: Option<usize>) -> Result<Status, Error> {
    let tree = tree_digest(&a.tree.packet, &seal_options(&a.tree, threads))?;
    let line = match a.format {
        TreeHashFormat::Hex => tree.packet_tree_sha256.to_hex(),
        TreeHashFormat::H1 => {
            sealcheck::dirhash::h1(tree.files.iter().map(|(p, h)| (p, &h.digest)), a.h1_prefix.as_deref())?
        }
    };
    emit(|w| writeln!(w, "{line}"))?;
    Ok(Status::Pass)
}

fn parse_tree_pin(text: &str) -> Result<Digest, Error> {
    Digest::from_pin(text).map_err(|e| Error::Usage(format!("--expect-tree {text:?}: {e}")))
}

fn run_verify(a: VerifyArgs, threads: Option<usize>) -> Result<Status, Error> {
    let date = date()?;
    let opts = VerifyOptions {
        manifest: a.manifest.clone(),
        excludes: a.exclude.clone(),
        expect_tree: a.expect_tree.as_deref().map(parse_tree_pin).transpose()?,
        allow_extra: a.allow_extra,
        threads,
        diagnose: DiagnoseOptions { max_size: a.diagnose_max_size, ..DiagnoseOptions::default() },
        against: a.against.clone(),
        restore_to: a.restore_to.clone(),
    };
    let report = verify(&a.packet, &opts, date.clone());
    finish(&a.output, "verify", date, report, |w, r| human::write_verify(w, r))
}

/// Writes the report file and stdout for a judging command; an error
/// becomes a report of its own so `--report` is never left unwritten.
fn finish(
    out: &OutputArgs,
    command: &str,
    date: String,
    result: Result<Report, Error>,
    write_human: fn(&mut dyn Write, &Report) -> io::Result<()>,
) -> Result<Status, Error> {
    let (report, error) = match result {
        Ok(r) => (r, None),
        Err(e) => (Report::from_error(command, date, &e), Some(e)),
    };
    if let Some(e) = &error {
        report_error(e);
    }
    if let Some(path) = &out.report {
        write_report_file(path, &report)?;
    }
    match out.format() {
        FormatArg::Json => emit(|w| json::write(w, &report))?,
        FormatArg::Human if error.is_none() => emit(|w| write_human(w, &report))?,
        FormatArg::Human => {}
    }
    Ok(report.status())
}

fn write_report_file(path: &Path, report: &Report) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    json::write(&mut tmp, report).map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

fn run_check(a: CheckArgs, threads: Option<usize>) -> Result<Status, Error> {
    let date = date()?;
    let opts =
        CheckOptions { ignore_missing: a.ignore_missing, threads, explain: a.explain.then(DiagnoseOptions::default) };
    let source = a.manifest.display().to_string();
    // `check` speaks GNU's exit codes: a manifest that cannot be read is 1.
    let run = if a.manifest.as_os_str() == OsStr::new("-") {
        check(io::stdin().lock(), "-", &opts)
    } else {
        open_manifest(&a.manifest, &source)
            .and_then(|file| check(BufReader::with_capacity(256 * 1024, file), &source, &opts))
    };
    let run = match run {
        Ok(r) => r,
        Err(e) => {
            report_error(&e);
            return Ok(Status::Integrity);
        }
    };
    let report = run.report(date);
    if let Some(path) = &a.output.report {
        write_report_file(path, &report)?;
    }
    match a.output.format() {
        FormatArg::Json => emit(|w| json::write(w, &report))?,
        FormatArg::Human => {
            let v = gnu::Verbosity { quiet: a.quiet, status_only: a.status };
            let stderr = io::stderr();
            let mut err = stderr.lock();
            emit(|w| gnu::write(w, &mut err, PROG, &run, v))?;
        }
    }
    Ok(run.status)
}

fn open_manifest(path: &Path, shown: &str) -> Result<File, Error> {
    use sealcheck::fsio::{open_path, OpenError};
    match open_path(path) {
        Ok((file, _)) => Ok(file),
        Err(OpenError::NotFound) => Err(Error::io(path, io::Error::from(io::ErrorKind::NotFound))),
        Err(OpenError::Unsupported(kind)) => Err(Error::NotRegular { path: shown.to_string(), kind: kind.describe() }),
        Err(OpenError::Io(e)) => Err(Error::io(path, e)),
    }
}
