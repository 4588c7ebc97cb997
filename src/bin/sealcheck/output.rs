//! The one writer: every byte the process writes leaves through here.
//!
//! - Secrets in play (the read-back token) are redacted first, in every
//!   output: stdout, stderr, the `--report` file and the job summary
//!   ([`sealcheck::redact`]). Text is redacted as text; a JSON report is
//!   redacted as a value, string by string, so it stays valid JSON with
//!   its schema.
//! - Text for a person (human, GitHub, JUnit and GNU output, every stderr
//!   line) is then escaped for display ([`sealcheck::escape::display_text`]):
//!   no control, C1 or bidi character reaches a terminal or a CI log.
//!   Machine output (JSON, a manifest) is written byte for byte as
//!   rendered, never through a lossy decoding: a manifest names files whose
//!   names are not UTF-8. When stdout is a terminal, a person is reading
//!   it, and it is redacted and escaped like text for a person.
//! - A closed pipe is not an error: the exit code still carries the verdict.

use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;

use sealcheck::escape::display_text;
use sealcheck::redact::Redactor;
use sealcheck::{Error, Report};

const PROG: &str = "sealcheck";

static SECRETS: OnceLock<Redactor> = OnceLock::new();

/// Records the secrets of this run; call before anything is written.
pub fn set_secrets(r: Redactor) {
    let _ = SECRETS.set(r);
}

fn redactor() -> &'static Redactor {
    SECRETS.get_or_init(Redactor::default)
}

/// Who reads an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// A person: redacted and escaped for display.
    Person,
    /// A program, reading text that holds no secret (a schema, completions,
    /// a manifest): as rendered.
    Machine,
}

/// Text as it may leave for a person: redacted, then escaped for display.
pub fn clean(text: &str) -> String {
    display_text(&redactor().redact(text))
}

/// The JSON report, every string value redacted.
pub fn report_json(report: &Report) -> Vec<u8> {
    let mut value = serde_json::to_value(report).expect("a report serializes");
    redactor().redact_value(&mut value);
    let mut out = serde_json::to_vec_pretty(&value).expect("a value serializes");
    out.push(b'\n');
    out
}

/// Renders with `f` and writes the result to stdout for `reader`, coloured
/// by `colour` afterwards when given.
pub fn stdout(
    reader: Reader,
    colour: Option<fn(&str) -> String>,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    use std::io::IsTerminal;
    let out = io::stdout();
    let written = if reader == Reader::Machine && !out.is_terminal() {
        // Byte for byte, and streamed: a seal of a million files printed
        // with `seal --stdout` is not copied again on its way out.
        let mut w = io::BufWriter::with_capacity(1 << 16, out.lock());
        f(&mut w).and_then(|()| w.flush())
    } else {
        let mut buf = Vec::new();
        f(&mut buf).map_err(|e| Error::io(Path::new("<stdout>"), e))?;
        let mut text = clean(&String::from_utf8_lossy(&buf));
        if let Some(paint) = colour {
            text = paint(&text);
        }
        let mut lock = out.lock();
        lock.write_all(text.as_bytes()).and_then(|()| lock.flush())
    };
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::io(Path::new("<stdout>"), e)),
    }
}

/// Writes a message on stderr, each line behind the program's name.
pub fn stderr(message: &str) {
    let text = clean(message);
    let mut err = io::stderr().lock();
    for line in text.lines() {
        let _ = writeln!(err, "{PROG}: {line}");
    }
}

/// Writes rendered text (already prefixed as its format wants) on stderr.
pub fn stderr_raw(text: &str) {
    let _ = io::stderr().lock().write_all(clean(text).as_bytes());
}

/// The SARIF document, every string value redacted.
pub fn sarif(report: &Report) -> Vec<u8> {
    let mut value = sealcheck::render::sarif::document(report);
    redactor().redact_value(&mut value);
    let mut out = serde_json::to_vec_pretty(&value).expect("a value serializes");
    out.push(b'\n');
    out
}

/// Writes the JSON report to `path` atomically: a temporary file beside
/// it, then a rename, so a reader never sees half a report and a stale one
/// never survives a run.
pub fn report_file(path: &Path, report: &Report) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(&report_json(report)).map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes the receipt of `report` to `path` atomically, streamed (see
/// [`sealcheck::receipt::Receipt`]). Every string of the statement is
/// redacted before it is written, so before it is signed: a signature
/// always covers the bytes the file holds.
pub fn receipt_file(
    path: &Path,
    report: &Report,
    input: &sealcheck::receipt::ReceiptInput,
    key: Option<&sealcheck::sign::SigningKey>,
) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    let mut w = io::BufWriter::with_capacity(256 << 10, tmp);
    sealcheck::receipt::Receipt::new(report, input, redactor()).write(&mut w, key)?;
    let tmp = w.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Appends the Markdown job summary to `$GITHUB_STEP_SUMMARY` when set.
pub fn step_summary(report: &Report) -> Result<(), Error> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = std::path::PathBuf::from(path);
    let text = clean(&sealcheck::render::github::summary(report));
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| Error::io(&path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(&path, e))
}
