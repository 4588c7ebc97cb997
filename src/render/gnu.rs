//! `check`'s output in `sha256sum -c`'s words: per-line results on stdout,
//! warnings on stderr, file names escaped as GNU escapes them.

use std::io::{self, Write};

use crate::check::{CheckRun, LineResult};
use crate::manifest::escape::escape;
#[cfg(doc)]
use crate::manifest::escape::needs_escape;

/// What to leave out, as GNU's `--quiet` and `--status`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Verbosity {
    /// No `OK` lines.
    pub quiet: bool,
    /// No output at all; the exit code says it.
    pub status_only: bool,
    /// Each mismatch's diagnosis on stderr (`--explain`).
    pub explain: bool,
}

/// GNU 9.x escapes a name in `-c` output only when it holds a newline
/// (manifest lines are escaped for `\\` and CR too: [`needs_escape`]).
fn write_name<W: Write + ?Sized>(w: &mut W, name: &[u8]) -> io::Result<()> {
    if name.contains(&b'\n') {
        w.write_all(b"\\")?;
        w.write_all(&escape(name))
    } else {
        w.write_all(name)
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes the run: results to `out`, diagnostics to `err`, each line of
/// `err` behind `prog: `.
pub fn write<O, E>(out: &mut O, err: &mut E, prog: &str, run: &CheckRun, v: Verbosity) -> io::Result<()>
where
    O: Write + ?Sized,
    E: Write + ?Sized,
{
    for r in &run.results {
        write_result(out, err, prog, &run.source, r, v)?;
    }
    write_summary(out, err, prog, run, v)
}

/// Writes one line's result, as it comes (for a streamed check).
pub fn write_result<O, E>(
    out: &mut O,
    err: &mut E,
    prog: &str,
    source: &str,
    r: &LineResult,
    v: Verbosity,
) -> io::Result<()>
where
    O: Write + ?Sized,
    E: Write + ?Sized,
{
    let run_source = source;
    {
        match r {
            LineResult::Improper { line, error } => {
                if !v.status_only {
                    writeln!(err, "{prog}: {run_source}: {line}: improperly formatted SHA256 checksum line: {error}")?;
                }
            }
            LineResult::Ok { name, .. } => {
                if !v.quiet && !v.status_only {
                    write_name(out, name)?;
                    out.write_all(b": OK\n")?;
                }
            }
            LineResult::Failed { name, explanation, .. } => {
                if !v.status_only {
                    write_name(out, name)?;
                    out.write_all(b": FAILED\n")?;
                    if let Some((classes, proof)) = explanation.as_ref().filter(|_| v.explain) {
                        let codes: Vec<&str> = classes.iter().map(|c| c.code()).collect();
                        write!(err, "{prog}: ")?;
                        write_name(err, name)?;
                        writeln!(err, ": {}: {proof}", codes.join(", "))?;
                    }
                }
            }
            LineResult::FailedOpen { name, reason, .. } => {
                if !v.status_only {
                    write!(err, "{prog}: ")?;
                    write_name(err, name)?;
                    writeln!(err, ": {reason}")?;
                    write_name(out, name)?;
                    out.write_all(b": FAILED open or read\n")?;
                }
            }
            LineResult::IgnoredMissing { .. } => {}
        }
    }
    Ok(())
}

/// Writes the closing warnings, after every result.
pub fn write_summary<O, E>(out: &mut O, err: &mut E, prog: &str, run: &CheckRun, v: Verbosity) -> io::Result<()>
where
    O: Write + ?Sized,
    E: Write + ?Sized,
{
    out.flush()?;
    if v.status_only {
        return Ok(());
    }
    let c = &run.counts;
    if run.no_proper_lines {
        writeln!(err, "{prog}: {}: no properly formatted checksum lines found", run.source)?;
        return Ok(());
    }
    if c.improperly_formatted > 0 {
        let what = plural(c.improperly_formatted, "line is", "lines are");
        writeln!(err, "{prog}: WARNING: {what} improperly formatted")?;
    }
    if c.unreadable > 0 {
        let what = plural(c.unreadable, "listed file", "listed files");
        writeln!(err, "{prog}: WARNING: {what} could not be read")?;
    }
    if c.failed > 0 {
        let what = plural(c.failed, "computed checksum", "computed checksums");
        writeln!(err, "{prog}: WARNING: {what} did NOT match")?;
    }
    if run.nothing_verified {
        writeln!(err, "{prog}: {}: no file was verified", run.source)?;
    }
    Ok(())
}
