//! Turns parsed flags into library calls and renders what comes back.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::Path;

use sealcheck::check::{check, CheckOptions};
use sealcheck::drift::DiagnoseOptions;
use sealcheck::render::{gnu, human, json};
use sealcheck::report::report_date;
use sealcheck::scan::ScanOptions;
use sealcheck::seal::{seal, tree_digest, SealOptions};
use sealcheck::verify::{verify, VerifyOptions};
use sealcheck::{Digest, Error, FindingClass, Report, Status};

use crate::args::{
    CheckArgs, Cli, Command, FormatArg, OutputArgs, PinCheckArgs, PinCommand, ReadbackArgs, RehearsalArgs, RerunArgs,
    SealArgs, SelftestArgs, SnapshotArgs, TreeArgs, TreeHashArgs, TreeHashFormat, VerifyArgs,
};

const PROG: &str = "sealcheck";

/// Whether human output is coloured (decided once, from flags and the
/// environment).
static COLOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Renders human output, coloured when stdout is meant to be.
fn emit_human(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    let mut buf = Vec::new();
    f(&mut buf).map_err(|e| Error::io(Path::new("<stdout>"), e))?;
    if COLOR.load(std::sync::atomic::Ordering::Relaxed) {
        let text = crate::ui::colorize(&String::from_utf8_lossy(&buf));
        emit(|w| w.write_all(text.as_bytes()))
    } else {
        emit(|w| w.write_all(&buf))
    }
}

/// Runs the command line and returns the status to exit with.
pub fn run(cli: Cli) -> Status {
    let threads = cli.threads.map(usize::from);
    COLOR.store(crate::ui::use_color(cli.color), std::sync::atomic::Ordering::Relaxed);
    if cli.version {
        return print_version(cli.verbose);
    }
    let result = match cli.command {
        Some(Command::Seal(a)) => run_seal(a, threads),
        Some(Command::TreeHash(a)) => run_tree_hash(a, threads),
        Some(Command::Verify(a)) => run_verify(a, threads),
        Some(Command::Check(a)) => run_check(a, threads),
        Some(Command::Completions { shell }) => emit(|w| {
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "sealcheck", w);
            Ok(())
        })
        .map(|()| Status::Pass),
        Some(Command::Man) => {
            emit(|w| clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(w)).map(|()| Status::Pass)
        }
        Some(Command::Selftest(a)) => run_selftest(a, threads),
        Some(Command::Snapshot(a)) => run_snapshot(a, threads),
        Some(Command::Rehearsal(a)) => run_rehearsal(a, threads),
        Some(Command::Rerun(a)) => run_rerun(a, threads),
        Some(Command::Pin(PinCommand::Check(a))) => run_pin_check(a, threads),
        Some(Command::Pin(PinCommand::Readback(a))) => run_readback(a),
        Some(Command::Schema(a)) => emit(|w| {
            let schema = if a.pins {
                serde_json::to_value(schemars::schema_for!(sealcheck::pins::PinsFile)).map_err(io::Error::other)?
            } else {
                sealcheck::report::schema()
            };
            serde_json::to_writer_pretty(&mut *w, &schema).map_err(io::Error::other)?;
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
    SealOptions { manifest_name: t.manifest.clone(), excludes: t.exclude.clone(), threads, ..SealOptions::default() }
}

fn run_seal(a: SealArgs, threads: Option<usize>) -> Result<Status, Error> {
    let opts = SealOptions { second: a.algo.map(|x| x.algo()), ..seal_options(&a.tree, threads) };
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
        pins: load_pins(&a)?,
        scan: ScanOptions { tokens: forbidden_tokens(&a)?, secrets: a.scan_secrets },
        algo: a.algo.map(|x| x.algo()),
        allow_empty: a.allow_empty,
        bagit_lenient_names: a.bagit_lenient_names,
        progress: None,
    };
    let (progress, drawer) = if a.output.format() == FormatArg::Human { crate::ui::progress() } else { (None, None) };
    let opts = VerifyOptions { progress: progress.clone(), ..opts };
    let report = verify(&a.packet, &opts, date.clone());
    if let Some(p) = progress {
        p.finish();
    }
    if let Some(d) = drawer {
        let _ = d.join();
    }
    finish(&a.output, "verify", date, report, |w, r| human::write_verify(w, r))
}

fn load_pins(a: &VerifyArgs) -> Result<Vec<sealcheck::pins::Pin>, Error> {
    let mut pins = match &a.pins {
        Some(f) => sealcheck::pins::load(f)?,
        None => Vec::new(),
    };
    for spec in &a.pin_from {
        pins.push(sealcheck::pins::pin_from(spec)?);
    }
    Ok(pins)
}

fn forbidden_tokens(a: &VerifyArgs) -> Result<Vec<String>, Error> {
    let mut tokens = a.forbid_token.clone();
    if let Some(f) = &a.forbid_tokens {
        let text = sealcheck::input::read_text(f, sealcheck::input::Kind::TokenList)?;
        tokens.extend(text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()).map(String::from));
    }
    if tokens.iter().any(String::is_empty) {
        return Err(Error::Usage("--forbid-token: an empty token would match everywhere".into()));
    }
    Ok(tokens)
}

fn run_selftest(a: SelftestArgs, threads: Option<usize>) -> Result<Status, Error> {
    let date = date()?;
    let opts = sealcheck::selftest::SelftestOptions { threads, ..Default::default() };
    let report = sealcheck::selftest::selftest(&opts, date.clone());
    finish(&a.output, "selftest", date, report, |w, r| human::write_selftest(w, r))
}

fn run_snapshot(a: SnapshotArgs, threads: Option<usize>) -> Result<Status, Error> {
    let snap = sealcheck::rehearsal::snapshot(&a.dir, threads)?;
    let mut text = serde_json::to_string_pretty(&snap).map_err(|e| Error::Usage(e.to_string()))?;
    text.push('\n');
    match &a.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Error::io(path, e))?,
        None => emit(|w| w.write_all(text.as_bytes()))?,
    }
    Ok(Status::Pass)
}

fn run_rehearsal(a: RehearsalArgs, threads: Option<usize>) -> Result<Status, Error> {
    use sealcheck::rehearsal::{load_state, rehearsal};
    let date = date()?;
    let result = (|| {
        let before = load_state(&a.before, threads)?;
        let apply = load_state(&a.after_apply, threads)?;
        let rollback = load_state(&a.after_rollback, threads)?;
        Ok(rehearsal(&before, &apply, &rollback, date.clone()))
    })();
    finish(&a.output, "rehearsal", date, result, |w, r| human::write_rehearsal(w, r))
}

fn run_rerun(a: RerunArgs, threads: Option<usize>) -> Result<Status, Error> {
    use sealcheck::rerun::{rerun, Recorded, RerunOptions};
    let date = date()?;
    let recorded = match (&a.expect_tree, &a.from_report) {
        (Some(t), None) => Recorded::Given(parse_tree_pin(t)?),
        (None, Some(p)) => Recorded::Report { path: p.clone(), pointer: a.pointer.clone() },
        _ => return Err(Error::Usage("give exactly one of --expect-tree and --from-report".into())),
    };
    let pins = match &a.pins {
        Some(f) => sealcheck::pins::load(f)?,
        None => Vec::new(),
    };
    let verify = VerifyOptions { manifest: a.manifest.clone(), threads, pins, ..VerifyOptions::default() };
    let opts = RerunOptions { recorded, verify, mirror: a.mirror.clone() };
    let report = rerun(&a.packet, &opts, date.clone());
    finish(&a.output, "rerun", date, report, |w, r| human::write_rerun(w, r))
}

fn run_pin_check(a: PinCheckArgs, threads: Option<usize>) -> Result<Status, Error> {
    let date = date()?;
    let digest = Digest::from_pin(&a.digest).map_err(|e| Error::Usage(format!("DIGEST {:?}: {e}", a.digest)))?;
    let pin = sealcheck::pins::Pin {
        name: a.file.display().to_string(),
        shown: a.file.display().to_string(),
        path: a.file.clone(),
        digest,
        size: None,
    };
    let engine = sealcheck::hash::Engine::new(threads).map_err(|e| Error::io(&a.file, e))?;
    let (section, findings, status) = sealcheck::pins::check_all(&[pin], &DiagnoseOptions::default(), &engine);
    let mut report = Report::new("pin check", date.clone());
    report.checks.pins = Some(section);
    report.findings = findings;
    report.finish(status);
    finish(&a.output, "pin check", date, Ok(report), |w, r| human::write_pin_check(w, r))
}

fn run_readback(a: ReadbackArgs) -> Result<Status, Error> {
    use sealcheck::readback::{readback, status, ReadbackOptions, Source};
    let date = date()?;
    let wheres = a
        .wheres
        .iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(Error::Usage(format!("--where {w:?}: expected KEY=VALUE"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 86_400.0) {
        return Err(Error::Usage(format!("--timeout {}: expected seconds, more than 0", a.timeout)));
    }
    if !a.rows.is_empty() && !a.rows.starts_with('/') {
        return Err(Error::Usage(format!("--rows {:?}: a JSON pointer starts with '/'", a.rows)));
    }
    let source = match (a.url, a.from_file) {
        (Some(u), None) => Source::Url(u),
        (None, Some(f)) => Source::File(f),
        _ => return Err(Error::Usage("give exactly one of --url and --from-file".into())),
    };
    let opts = ReadbackOptions {
        source,
        token_env: a.token_env,
        rows: a.rows,
        wheres,
        field: a.field,
        expect: a.expect,
        timeout: std::time::Duration::from_secs_f64(a.timeout),
        retries: a.retries,
        max_body: sealcheck::readback::MAX_BODY,
    };
    let check = readback(&opts, |name| std::env::var(name).ok());
    let status = status(&check);
    let mut report = Report::new("pin readback", date.clone());
    match check.outcome.as_str() {
        "mismatch" | "missing_row" => {
            let class = if check.outcome == "mismatch" { FindingClass::PinMismatch } else { FindingClass::PinMissing };
            let mut f = sealcheck::Finding::new(check.leg.clone(), class, check.message.clone());
            f.expected_sha256 = Some(check.expected.clone());
            f.actual_sha256 = check.actual.clone();
            report.findings.push(f);
        }
        _ => {}
    }
    if !status.is_pass() && report.findings.is_empty() {
        report_error(&Error::Usage(format!("readback {}: {}", check.leg, check.message)));
    }
    report.checks.readback = Some(check);
    report.finish(status);
    finish(&a.output, "pin readback", date, Ok(report), |w, r| human::write_readback(w, r))
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
        FormatArg::Human if error.is_none() => emit_human(|w| write_human(w, &report))?,
        FormatArg::Human => {}
        FormatArg::Github => {
            emit(|w| sealcheck::render::github::write(w, &report))?;
            append_step_summary(&report)?;
        }
        FormatArg::Junit => emit(|w| sealcheck::render::junit::write(w, &report))?,
    }
    Ok(report.status())
}

/// Appends the Markdown summary to `$GITHUB_STEP_SUMMARY` when it is set.
fn append_step_summary(report: &Report) -> Result<(), Error> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = std::path::PathBuf::from(path);
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| Error::io(&path, e))?;
    f.write_all(sealcheck::render::github::summary(report).as_bytes()).map_err(|e| Error::io(&path, e))
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
        check(sealcheck::input::stdin_capped(sealcheck::input::Kind::Manifest), "-", &opts)
    } else {
        sealcheck::input::open(&a.manifest, sealcheck::input::Kind::Manifest)
            .and_then(|input| check(input.reader(), &source, &opts))
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
        FormatArg::Github => {
            emit(|w| sealcheck::render::github::write(w, &report))?;
            append_step_summary(&report)?;
        }
        FormatArg::Junit => emit(|w| sealcheck::render::junit::write(w, &report))?,
        FormatArg::Human => {
            let v = gnu::Verbosity { quiet: a.quiet, status_only: a.status };
            let stderr = io::stderr();
            let mut err = stderr.lock();
            emit(|w| gnu::write(w, &mut err, PROG, &run, v))?;
        }
    }
    Ok(run.status)
}
