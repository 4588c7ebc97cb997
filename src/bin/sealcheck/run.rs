//! Turns parsed flags into library calls and renders what comes back.

use std::ffi::OsStr;
use std::io::{self, Write};

use sealcheck::check::{check_with, CheckOptions, LineResult};
use sealcheck::drift::DiagnoseOptions;
use sealcheck::render::{gnu, human};
use sealcheck::report::report_date;
use sealcheck::scan::ScanOptions;
use sealcheck::seal::{seal, tree_digest, SealOptions};
use sealcheck::verify::{verify, VerifyOptions};
use sealcheck::{Digest, Error, FindingClass, Report, Status};

use crate::args::{
    AttestCommand, AttestVerifyArgs, CheckArgs, Cli, Command, FormatArg, OutputArgs, PinCheckArgs, PinCommand,
    ReadbackArgs, RehearsalArgs, RerunArgs, SealArgs, SelftestArgs, SignArgs, SignatureArgs, SnapshotArgs, TreeArgs,
    TreeHashArgs, TreeHashFormat, VerifyArgs,
};
use crate::output::{self, Reader};

const PROG: &str = "sealcheck";

/// Whether human output is coloured (decided once, from flags and the
/// environment).
static COLOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes output for a person: redacted, escaped for display, coloured
/// when stdout is meant to be.
fn emit_human(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    let colour = COLOR.load(std::sync::atomic::Ordering::Relaxed).then_some(crate::ui::colorize as fn(&str) -> String);
    output::stdout(Reader::Person, colour, f)
}

/// Writes output for a program (JSON, schemas, completions): redacted.
fn emit(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    output::stdout(Reader::Machine, None, f)
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
        Some(Command::Sign(a)) => run_sign(a, threads),
        Some(Command::Attest(AttestCommand::Verify(a))) => run_attest_verify(a),
        Some(Command::Verify(a)) => run_verify(a, threads),
        Some(Command::Check(a)) => run_check(a, threads),
        Some(Command::Completions { shell }) => emit(|w| {
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "sealcheck", w);
            Ok(())
        })
        .map(|()| Status::Pass),
        Some(Command::Man { subcommand }) => man_page(subcommand.as_deref()),
        Some(Command::Selftest(a)) => run_selftest(a, threads),
        Some(Command::Snapshot(a)) => run_snapshot(a, threads),
        Some(Command::Rehearsal(a)) => run_rehearsal(a, threads),
        Some(Command::Rerun(a)) => run_rerun(a, threads),
        Some(Command::Pin(PinCommand::Check(a))) => run_pin_check(a, threads),
        Some(Command::Pin(PinCommand::Readback(a))) => run_readback(*a),
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
    output::stderr(&e.to_string());
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
    emit_human(|w| w.write_all(text.as_bytes())).map_or_else(|e| e.status(), |()| Status::Pass)
}

fn date() -> Result<String, Error> {
    report_date(std::env::var_os("SOURCE_DATE_EPOCH").as_deref())
}

fn seal_options(t: &TreeArgs, threads: Option<usize>) -> SealOptions {
    SealOptions { manifest_name: t.manifest.clone(), excludes: t.exclude.clone(), threads, ..SealOptions::default() }
}

fn run_seal(a: SealArgs, threads: Option<usize>) -> Result<Status, Error> {
    let opts = SealOptions { second: a.algo.map(|x| x.algo()), reseal: a.reseal, ..seal_options(&a.tree, threads) };
    if a.stdout {
        let tree = tree_digest(&a.tree.packet, &opts)?;
        emit(|w| w.write_all(&tree.manifest))?;
        output::stderr(&format!("packet_tree_sha256 {}", tree.packet_tree_sha256));
        return Ok(Status::Pass);
    }
    // The key is loaded (and refused if it lies in the packet) before
    // anything is written.
    let key = a.sign.as_deref().map(|k| sealcheck::sign::load_key(k, &a.tree.packet, passphrase)).transpose()?;
    let sealed = seal(&a.tree.packet, &opts)?;
    if let Some(key) = &key {
        let verify_opts =
            VerifyOptions { manifest: Some(sealed.manifest_path.clone()), threads, ..VerifyOptions::default() };
        let signed = sealcheck::sign::sign_packet(&a.tree.packet, &verify_opts, key)?;
        output::stderr(&format!("signed with {} into {}", signed.fingerprint, signed.signature_file.display()));
    }
    for f in &sealed.resealed {
        let classes: Vec<&str> = f.classes.iter().map(|c| c.code()).collect();
        output::stderr(&format!("re-sealed {}: {} [{}]", f.path, f.message, classes.join(", ")));
    }
    output::stderr(&format!(
        "sealed {} ({}) into {}",
        plural(sealed.tree.files.len() as u64, "file", "files"),
        plural(sealed.tree.byte_count, "byte", "bytes"),
        sealed.manifest_path.display()
    ));
    emit(|w| writeln!(w, "{}", sealed.tree.packet_tree_sha256))?;
    Ok(Status::Pass)
}

/// The signature policy of `--allowed-signers`, `--signer` and
/// `--signature-time`, when a signature is required.
fn signature_policy(a: &SignatureArgs) -> Result<Option<sealcheck::sign::SignaturePolicy>, Error> {
    let Some(file) = &a.allowed_signers else {
        return Ok(None);
    };
    let time = match &a.signature_time {
        Some(t) => sealcheck::sign::parse_time(t).ok_or_else(|| {
            Error::Usage(format!("--signature-time {t:?}: expected YYYYMMDD[HHMM[SS]][Z] or RFC 3339"))
        })?,
        None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64),
    };
    Ok(Some(sealcheck::sign::SignaturePolicy {
        file: file.display().to_string(),
        allowed: sealcheck::sign::read_allowed_signers(file)?,
        signer: a.signer.clone(),
        time,
    }))
}

/// The passphrase of an encrypted key: `SEALCHECK_KEY_PASSPHRASE`, or a
/// prompt on a terminal; never a flag.
fn passphrase() -> Option<String> {
    use std::io::IsTerminal;
    if let Ok(p) = std::env::var("SEALCHECK_KEY_PASSPHRASE") {
        return Some(p);
    }
    if io::stdin().is_terminal() {
        return rpassword::prompt_password("sealcheck: key passphrase: ").ok();
    }
    None
}

fn run_sign(a: SignArgs, threads: Option<usize>) -> Result<Status, Error> {
    let key = sealcheck::sign::load_key(&a.key, &a.packet, passphrase)?;
    let opts = VerifyOptions { manifest: a.manifest.clone(), threads, ..VerifyOptions::default() };
    let signed = sealcheck::sign::sign_packet(&a.packet, &opts, &key)?;
    output::stderr(&format!(
        "signed {} with {} into {}",
        signed.signed_file.display(),
        signed.fingerprint,
        signed.signature_file.display()
    ));
    Ok(Status::Pass)
}

const EXIT_STATUS: &str = ".SH \"EXIT STATUS\"\n.TP\n0\nPASS: everything sealed matches, nothing else is wrong.\n.TP\n1\nIntegrity failure: drift, missing, unsealed extra, moved, changed while reading, pin mismatch, signature.\n.TP\n2\nBad input: a malformed manifest, pins file, report or signature; an unsafe path; an unsupported file type; bad arguments.\n.TP\n3\nEnvironment or I/O failure: an unreadable file, an HTTP or network failure, an unset or empty token.\n.PP\nEvery non-zero code is red; when several apply, the highest wins. \\fBcheck\\fR speaks GNU's codes: 0 or 1.\n";

/// The man page of the program, or of one subcommand (`pin readback`),
/// each with its EXIT STATUS; the top page names every subcommand's page.
fn man_page(subcommand: Option<&str>) -> Result<Status, Error> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    let mut page = cmd.clone();
    let mut name = "sealcheck".to_string();
    if let Some(path) = subcommand {
        for part in path.split_whitespace() {
            page = page
                .find_subcommand(part)
                .cloned()
                .ok_or_else(|| Error::Usage(format!("man {path:?}: no such subcommand")))?;
            name = format!("{name}-{part}");
        }
    }
    // clap names are &'static without its `string` feature; this runs once.
    let page = page.name(clap::builder::Str::from(name.clone().leak() as &str)).bin_name(name.replace('-', " "));
    emit(|w| {
        clap_mangen::Man::new(page.clone()).render(w)?;
        w.write_all(EXIT_STATUS.as_bytes())?;
        if subcommand.is_none() {
            let pages: Vec<String> = cmd
                .get_subcommands()
                .filter(|c| c.get_name() != "help")
                .map(|c| format!("\\fBsealcheck-{}\\fR(1)", c.get_name()))
                .collect();
            writeln!(w, ".SH \"SEE ALSO\"\n{}", pages.join(", "))?;
        }
        Ok(())
    })
    .map(|()| Status::Pass)
}

/// `1 file`, `2 files`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn run_tree_hash(a: TreeHashArgs, threads: Option<usize>) -> Result<Status, Error> {
    let tree = tree_digest(&a.tree.packet, &seal_options(&a.tree, threads))?;
    let line = match a.format {
        TreeHashFormat::Hex => tree.packet_tree_sha256.to_hex(),
        TreeHashFormat::H1 => sealcheck::dirhash::h1(tree.files.iter().map(|(p, d)| (p, d)), a.h1_prefix.as_deref())?,
    };
    emit(|w| writeln!(w, "{line}"))?;
    Ok(Status::Pass)
}

fn parse_tree_pin(text: &str) -> Result<Digest, Error> {
    Digest::from_pin(text).map_err(|e| Error::Usage(format!("--expect-tree {text:?}: {e}")))
}

/// Runs a judging command: whatever happens once its arguments are parsed
/// (a bad option value, an unreadable input, a malformed
/// `SOURCE_DATE_EPOCH`), the outcome becomes a report, so `--report` is
/// written and every format shows the failure.
fn judge(
    out: &OutputArgs,
    command: &str,
    write_human: fn(&mut dyn Write, &Report) -> io::Result<()>,
    body: impl FnOnce(String) -> Result<Report, Error>,
) -> Result<Status, Error> {
    let (date, result) = match date() {
        Ok(d) => (d.clone(), body(d)),
        Err(e) => (report_date(None).expect("the clock gives a date"), Err(e)),
    };
    finish(out, command, date, result, write_human)
}

fn run_verify(a: VerifyArgs, threads: Option<usize>) -> Result<Status, Error> {
    judge(&a.output, "verify", |w, r| human::write_verify(w, r), |date| verify_report(&a, threads, date))
}

fn verify_report(a: &VerifyArgs, threads: Option<usize>, date: String) -> Result<Report, Error> {
    let attest_key =
        a.attest.attest_key.as_deref().map(|k| sealcheck::sign::load_key(k, &a.packet, passphrase)).transpose()?;
    let opts = VerifyOptions {
        manifest: a.manifest.clone(),
        excludes: a.exclude.clone(),
        expect_tree: a.expect_tree.as_deref().map(parse_tree_pin).transpose()?,
        allow_extra: a.allow_extra,
        threads,
        diagnose: DiagnoseOptions { max_size: a.diagnose_max_size, ..DiagnoseOptions::default() },
        against: a.against.clone(),
        restore_to: a.restore_to.clone(),
        pins: load_pins(a)?,
        scan: ScanOptions { tokens: forbidden_tokens(a)?, secrets: a.scan_secrets },
        algo: a.algo.map(|x| x.algo()),
        allow_empty: a.allow_empty,
        bagit_lenient_names: a.bagit_lenient_names,
        signature: signature_policy(&a.signature)?,
        minisign_key: a.signature.minisign_key.clone(),
        progress: None,
        // Every sealed path is listed only where it is shown: JUnit's one
        // test case per file, and a receipt's subjects.
        list_sealed: a.attest.attest.is_some() || a.output.format() == FormatArg::Junit,
    };
    let (progress, drawer) = if a.output.format() == FormatArg::Human { crate::ui::progress() } else { (None, None) };
    let opts = VerifyOptions { progress: progress.clone(), ..opts };
    let report = verify(&a.packet, &opts, date);
    if let Some(p) = progress {
        p.finish();
    }
    if let Some(d) = drawer {
        let _ = d.join();
    }
    let mut report = report?;
    if let Some(path) = &a.attest.attest {
        write_receipt(&a.attest, policy(a)?, &mut report, path, attest_key.as_ref())?;
    }
    Ok(report)
}

/// SHA-256 of an input a policy names (pins, a report, allowed signers),
/// read through the one guarded reader.
fn input_sha256(p: &std::path::Path, kind: sealcheck::input::Kind) -> Result<String, Error> {
    Ok(Digest::of(&sealcheck::input::read(p, kind)?).to_hex())
}

/// The policy a verification applied, as the receipt records it (its
/// SHA-256 is the receipt's policy digest).
fn policy(a: &VerifyArgs) -> Result<serde_json::Value, Error> {
    Ok(serde_json::json!({
        "command": "verify",
        "manifest": a.manifest.as_ref().map(|m| m.display().to_string()),
        "algo": a.algo.map(|x| x.algo().name()),
        "exclude": a.exclude,
        "expect_tree": a.expect_tree,
        "allow_extra": a.allow_extra,
        "allow_empty": a.allow_empty,
        "pins_sha256": a.pins.as_deref().map(|p| input_sha256(p, sealcheck::input::Kind::Pins)).transpose()?,
        "pin_from": a.pin_from,
        "scan_secrets": a.scan_secrets,
        "forbidden_tokens": a.forbid_token.len(),
        "allowed_signers_sha256": a.signature.allowed_signers.as_deref().map(|p| input_sha256(p, sealcheck::input::Kind::AllowedSigners)).transpose()?,
        "signer": a.signature.signer,
        "signature_time": a.signature.signature_time,
        "minisign_key": a.signature.minisign_key,
    }))
}

fn write_receipt(
    attest: &crate::args::AttestArgs,
    policy: serde_json::Value,
    report: &mut Report,
    path: &std::path::Path,
    key: Option<&sealcheck::sign::SigningKey>,
) -> Result<(), Error> {
    // The seal's own subject: the manifest, or the bag's tag manifest, as
    // the packet names it, with the SHA-256 of its bytes (for
    // HASH_MANIFEST.txt, the packet_tree_sha256).
    let seal_subjects = report.seal_subject.iter().cloned().collect();
    receipt_to(attest, policy, seal_subjects, report, path, key)
}

/// Writes the receipt of `report`, its seal's own subjects first, and
/// records in the report what was written (signed or not).
fn receipt_to(
    attest: &crate::args::AttestArgs,
    policy: serde_json::Value,
    seal_subjects: Vec<(String, String)>,
    report: &mut Report,
    path: &std::path::Path,
    key: Option<&sealcheck::sign::SigningKey>,
) -> Result<(), Error> {
    let subjects = (seal_subjects.len() + report.sealed_paths.len()) as u64;
    let input = sealcheck::receipt::ReceiptInput { resource_uri: attest.resource_uri.clone(), policy, seal_subjects };
    output::receipt_file(path, report, &input, key)?;
    let keyid = key.map(|k| match k {
        sealcheck::sign::SigningKey::File(k) => sealcheck::sign::fingerprint(k.public_key().key_data()),
        sealcheck::sign::SigningKey::Agent(k) => sealcheck::sign::fingerprint(k.key_data()),
    });
    report.checks.receipt = Some(sealcheck::report::sections::ReceiptCheck {
        file: path.display().to_string(),
        signed: keyid.is_some(),
        keyid,
        subjects,
    });
    Ok(())
}

fn run_attest_verify(a: AttestVerifyArgs) -> Result<Status, Error> {
    judge(
        &a.output,
        "attest verify",
        |w, r| human::write_attest(w, r),
        |date| {
            let allowed = a.allowed_signers.as_deref().map(sealcheck::sign::read_allowed_signers).transpose()?;
            let checked = sealcheck::receipt::check(&a.receipt, allowed.as_deref(), a.packet.as_deref())?;
            let mut report = Report::new("attest verify", date);
            report.findings = checked.findings;
            report.checks.receipt = Some(sealcheck::report::sections::ReceiptCheck {
                file: a.receipt.display().to_string(),
                signed: checked.signer.is_some(),
                keyid: checked.signer,
                subjects: checked.subjects_checked,
            });
            report.finish(Status::Pass);
            Ok(report)
        },
    )
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
    judge(
        &a.output,
        "selftest",
        |w, r| human::write_selftest(w, r),
        |date| {
            let opts = sealcheck::selftest::SelftestOptions { threads, ..Default::default() };
            sealcheck::selftest::selftest(&opts, date)
        },
    )
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
    judge(
        &a.output,
        "rehearsal",
        |w, r| human::write_rehearsal(w, r),
        |date| {
            let before = load_state(&a.before, threads)?;
            let apply = load_state(&a.after_apply, threads)?;
            let rollback = load_state(&a.after_rollback, threads)?;
            Ok(rehearsal(&before, &apply, &rollback, date))
        },
    )
}

fn run_rerun(a: RerunArgs, threads: Option<usize>) -> Result<Status, Error> {
    use sealcheck::rerun::{rerun, Recorded, RerunOptions};
    judge(
        &a.output,
        "rerun",
        |w, r| human::write_rerun(w, r),
        |date| {
            let recorded = match (&a.expect_tree, &a.from_report) {
                (Some(t), None) => Recorded::Given(parse_tree_pin(t)?),
                (None, Some(p)) => Recorded::Report { path: p.clone(), pointer: a.pointer.clone() },
                _ => return Err(Error::Usage("give exactly one of --expect-tree and --from-report".into())),
            };
            let pins = match &a.pins {
                Some(f) => sealcheck::pins::load(f)?,
                None => Vec::new(),
            };
            let attest_key = a
                .attest
                .attest_key
                .as_deref()
                .map(|k| sealcheck::sign::load_key(k, &a.packet, passphrase))
                .transpose()?;
            let verify = VerifyOptions {
                manifest: a.manifest.clone(),
                threads,
                pins,
                signature: signature_policy(&a.signature)?,
                minisign_key: a.signature.minisign_key.clone(),
                list_sealed: a.attest.attest.is_some() || a.output.format() == FormatArg::Junit,
                ..VerifyOptions::default()
            };
            let opts = RerunOptions { recorded, verify, mirror: a.mirror.clone() };
            let mut report = rerun(&a.packet, &opts, date)?;
            if let Some(path) = &a.attest.attest {
                write_receipt(&a.attest, rerun_policy(&a)?, &mut report, path, attest_key.as_ref())?;
            }
            Ok(report)
        },
    )
}

/// The policy `rerun` applied, as its receipt records it.
fn rerun_policy(a: &RerunArgs) -> Result<serde_json::Value, Error> {
    Ok(serde_json::json!({
        "command": "rerun",
        "manifest": a.manifest.as_ref().map(|m| m.display().to_string()),
        "expect_tree": a.expect_tree,
        "from_report_sha256": a.from_report.as_deref().map(|p| input_sha256(p, sealcheck::input::Kind::Report)).transpose()?,
        "pointer": a.pointer,
        "pins_sha256": a.pins.as_deref().map(|p| input_sha256(p, sealcheck::input::Kind::Pins)).transpose()?,
        "mirror": a.mirror.as_ref().map(|m| m.display().to_string()),
        "allowed_signers_sha256": a.signature.allowed_signers.as_deref().map(|p| input_sha256(p, sealcheck::input::Kind::AllowedSigners)).transpose()?,
        "signer": a.signature.signer,
        "signature_time": a.signature.signature_time,
    }))
}

fn run_pin_check(a: PinCheckArgs, threads: Option<usize>) -> Result<Status, Error> {
    judge(
        &a.output,
        "pin check",
        |w, r| human::write_pin_check(w, r),
        |date| {
            let digest =
                Digest::from_pin(&a.digest).map_err(|e| Error::Usage(format!("DIGEST {:?}: {e}", a.digest)))?;
            let pin = sealcheck::pins::Pin {
                name: a.file.display().to_string(),
                shown: a.file.display().to_string(),
                path: a.file.clone(),
                digest,
                size: None,
            };
            let engine = sealcheck::hash::Engine::new(threads).map_err(|e| Error::io(&a.file, e))?;
            let (section, findings, status) = sealcheck::pins::check_all(&[pin], &DiagnoseOptions::default(), &engine);
            let mut report = Report::new("pin check", date);
            report.checks.pins = Some(section);
            report.findings = findings;
            report.finish(status);
            Ok(report)
        },
    )
}

fn run_readback(a: ReadbackArgs) -> Result<Status, Error> {
    // The token is a secret of this run: nothing written may show it.
    if let Some(token) = a.token_env.as_deref().and_then(|name| std::env::var(name).ok()) {
        output::set_secrets(sealcheck::redact::Redactor::new([token]));
    }
    judge(&a.output.clone(), "pin readback", |w, r| human::write_readback(w, r), |date| readback_report(a, date))
}

fn readback_report(a: ReadbackArgs, date: String) -> Result<Report, Error> {
    use sealcheck::readback::{readback, status, ReadbackOptions, Source};
    let attest_key = a
        .attest
        .attest_key
        .as_deref()
        .map(|k| sealcheck::sign::load_key(k, std::path::Path::new("."), passphrase))
        .transpose()?;
    let attest = a.attest.clone();
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
    let a_from_file = a.from_file.clone();
    let source = match (a.url, a.from_file) {
        (Some(u), None) => Source::Url(u),
        (None, Some(f)) => Source::File(f),
        _ => return Err(Error::Usage("give exactly one of --url and --from-file".into())),
    };
    let opts_token_env = a.token_env.clone();
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
    let mut report = Report::new("pin readback", date);
    match check.outcome.as_str() {
        "mismatch" | "missing_row" => {
            let class = if check.outcome == "mismatch" { FindingClass::PinMismatch } else { FindingClass::PinMissing };
            let mut f = sealcheck::Finding::new(check.leg.clone(), class, check.message.clone());
            f.expected_sha256 = Some(check.expected.clone());
            f.actual_sha256 = check.actual.clone();
            f.proof = Some(format!("read back {}: {}", check.leg, check.message));
            report.findings.push(f);
        }
        _ => {}
    }
    if !status.is_pass() && report.findings.is_empty() {
        // Red without a finding: the leg could not judge. Every format
        // shows it as an error.
        let message = format!("readback {}: {}", check.leg, check.message);
        output::stderr(&message);
        report.error = Some(sealcheck::report::ErrorInfo { code: check.outcome.clone(), message });
    }
    // The one subject: the row's digest field, with the digest it had to
    // carry.
    if let Ok(expected) = Digest::from_pin(&check.expected) {
        let wheres = check.wheres.join(",");
        report.sealed_paths.push(format!("{}[{}]/{}", check.rows, wheres, check.field));
        report.sealed_digests.push(vec![(sealcheck::digest::Algo::Sha256, expected.to_hex())]);
    }
    let policy = serde_json::json!({
        "command": "pin readback",
        "leg": check.leg,
        "rows": check.rows,
        "where": check.wheres,
        "field": check.field,
        "expect": check.expected,
        "token_env": opts_token_env,
    });
    // The resource read: the URL as the leg shows it (no query string, no
    // credentials), or the file's absolute file:// URL.
    let leg = match &a_from_file {
        Some(f) if f.as_os_str() != "-" => sealcheck::receipt::file_url(f).unwrap_or_else(|| check.leg.clone()),
        _ => check.leg.clone(),
    };
    report.checks.readback = Some(check);
    report.finish(status);
    if let Some(path) = &attest.attest {
        let attest =
            crate::args::AttestArgs { resource_uri: attest.resource_uri.clone().or(Some(leg)), ..attest.clone() };
        receipt_to(&attest, policy, Vec::new(), &mut report, path, attest_key.as_ref())?;
    }
    Ok(report)
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
    let (report, failed) = match result {
        Ok(r) => (r, false),
        Err(e) => {
            report_error(&e);
            (Report::from_error(command, date, &e), true)
        }
    };
    emit_report(out, report, write_human, failed)
}

/// Writes a finished report: the `--report` file, then stdout in the chosen
/// format (human output only when the command could judge: its error is
/// already on stderr).
fn emit_report(
    out: &OutputArgs,
    report: Report,
    write_human: fn(&mut dyn Write, &Report) -> io::Result<()>,
    failed: bool,
) -> Result<Status, Error> {
    if let Some(path) = &out.report {
        output::report_file(path, &report)?;
    }
    match out.format() {
        FormatArg::Json => emit(|w| w.write_all(&output::report_json(&report)))?,
        FormatArg::Human if !failed => emit_human(|w| write_human(w, &report))?,
        FormatArg::Human => {}
        FormatArg::Github => {
            output::stdout(Reader::Person, None, |w| sealcheck::render::github::write(w, &report))?;
            output::step_summary(&report)?;
        }
        FormatArg::Junit => output::stdout(Reader::Person, None, |w| sealcheck::render::junit::write(w, &report))?,
        FormatArg::Sarif => emit(|w| w.write_all(&output::sarif(&report)))?,
    }
    Ok(report.status())
}

/// `check` could not run: GNU's exit code 1, and a true record in every
/// format.
fn check_failed(a: &CheckArgs, date: String, e: Error) -> Result<Status, Error> {
    let mut report = Report::from_error("check", date, &e);
    report.exit_code = Status::Integrity.code();
    emit_report(&a.output, report, |_, _| Ok(()), true)
}

/// Writes what the GNU renderer buffered: stdout, then stderr.
fn flush_gnu(out: &mut Vec<u8>, err: &mut Vec<u8>) {
    let _ = output::stdout(Reader::Person, None, |w| w.write_all(out));
    output::stderr_raw(&String::from_utf8_lossy(err));
    out.clear();
    err.clear();
}

fn run_check(a: CheckArgs, threads: Option<usize>) -> Result<Status, Error> {
    let date = match date() {
        Ok(d) => d,
        Err(e) => {
            report_error(&e);
            return check_failed(&a, report_date(None).expect("the clock gives a date"), e);
        }
    };
    // A receipt's key is loaded before anything is judged: a bad key fails
    // the run before any work, never after a green one.
    let attest_key = match a
        .attest
        .attest_key
        .as_deref()
        .map(|k| sealcheck::sign::load_key(k, std::path::Path::new("."), passphrase))
        .transpose()
    {
        Ok(k) => k,
        Err(e) => {
            report_error(&e);
            return check_failed(&a, date, e);
        }
    };
    let attest = a.attest.attest.is_some();
    let mut manifests_read: Vec<(String, String)> = Vec::new();
    let opts =
        // Structured outputs and the report always carry the diagnosis; on
        // a person's stderr it is shown with --explain (stdout stays GNU's).
        CheckOptions {
            ignore_missing: a.ignore_missing,
            threads,
            explain: (a.explain || a.output.format() != FormatArg::Human || a.output.report.is_some())
                .then(DiagnoseOptions::default),
            zero: a.zero,
        };
    let v = gnu::Verbosity { quiet: a.quiet, status_only: a.status, explain: a.explain };
    let human = a.output.format() == FormatArg::Human;
    let manifests = if a.manifests.is_empty() { vec![std::path::PathBuf::from("-")] } else { a.manifests.clone() };
    let (mut out_buf, mut err_buf) = (Vec::new(), Vec::new());
    let mut merged: Option<sealcheck::check::CheckRun> = None;
    let mut first_error: Option<Error> = None;
    let mut unreadable_manifest = false;
    // Human output streams: each batch's GNU lines are written as they are
    // judged and only red results are kept, so `check -` on an endless
    // input runs in bounded memory. Structured formats keep every result.
    // Several manifests are checked one after the other, as GNU does.
    for manifest in &manifests {
        let stdin = manifest.as_os_str() == OsStr::new("-");
        let source = if stdin { "-".to_string() } else { manifest.display().to_string() };
        let mut kept = Vec::new();
        let mut sink = |r: LineResult| {
            if human {
                let _ = gnu::write_result(&mut out_buf, &mut err_buf, PROG, &source, &r, v);
                if out_buf.len() + err_buf.len() > 64 << 10 {
                    flush_gnu(&mut out_buf, &mut err_buf);
                }
                // A receipt lists every file checked, so keeps them all.
                if attest || !matches!(r, LineResult::Ok { .. }) {
                    kept.push(r);
                }
            } else {
                kept.push(r);
            }
        };
        // `check` speaks GNU's exit codes: a manifest that cannot be read is 1.
        let run = if stdin {
            check_with(sealcheck::input::stdin_capped(sealcheck::input::Kind::Manifest), "-", &opts, &mut sink)
        } else {
            sealcheck::input::open(manifest, sealcheck::input::Kind::Manifest)
                .and_then(|input| check_with(input.reader(), &source, &opts, &mut sink))
        };
        // Each manifest is hashed as it is read: its digest is the receipt's
        // subject for it.
        if let Ok(run) = &run {
            manifests_read.push((source.clone(), run.manifest_sha256.to_hex()));
        }
        match run {
            Ok(mut run) => {
                run.results = kept;
                if human {
                    let _ = gnu::write_summary(&mut out_buf, &mut err_buf, PROG, &run, v);
                }
                flush_gnu(&mut out_buf, &mut err_buf);
                match &mut merged {
                    Some(m) => m.absorb(run),
                    None => merged = Some(run),
                }
            }
            Err(e) => {
                flush_gnu(&mut out_buf, &mut err_buf);
                report_error(&e);
                unreadable_manifest = true;
                first_error.get_or_insert(e);
            }
        }
    }
    let Some(mut run) = merged else {
        let e = first_error.expect("a run or an error for every manifest");
        return check_failed(&a, date, e);
    };
    if unreadable_manifest {
        run.status = Status::Integrity;
        run.counts.verdict = Some(sealcheck::report::Verdict::Fail);
    }
    let mut report = run.report(date);
    if let Some(e) = &first_error {
        report.error = Some(sealcheck::report::ErrorInfo { code: e.code().to_string(), message: e.to_string() });
        report.exit_code = Status::Integrity.code();
        report.final_status = Status::Integrity.final_status().to_string();
    }
    if let Some(path) = &a.attest.attest {
        let policy = serde_json::json!({
            "command": "check",
            "manifests": manifests_read.iter().map(|(m, _)| m).collect::<Vec<_>>(),
            "ignore_missing": a.ignore_missing,
            "zero": a.zero,
        });
        receipt_to(&a.attest, policy, manifests_read, &mut report, path, attest_key.as_ref())?;
        if human {
            // stdout is GNU's: the receipt is named on stderr.
            let mut line = Vec::new();
            let _ = human::write_receipt(&mut line, &report);
            output::stderr(String::from_utf8_lossy(&line).trim_end());
        }
    }
    if let Some(path) = &a.output.report {
        output::report_file(path, &report)?;
    }
    match a.output.format() {
        FormatArg::Json => emit(|w| w.write_all(&output::report_json(&report)))?,
        FormatArg::Github => {
            output::stdout(Reader::Person, None, |w| sealcheck::render::github::write(w, &report))?;
            output::step_summary(&report)?;
        }
        FormatArg::Junit => output::stdout(Reader::Person, None, |w| sealcheck::render::junit::write(w, &report))?,
        FormatArg::Sarif => emit(|w| w.write_all(&output::sarif(&report)))?,
        FormatArg::Human => {}
    }
    Ok(run.status)
}
