//! Lines for a person: one per problem, a summary, then `PASS` or `FAIL`.

use std::io::{self, Write};

use crate::finding::{Finding, FindingClass};
use crate::Report;

/// The word a finding is listed under.
pub fn label(f: &Finding) -> &'static str {
    if f.allowed {
        return "EXTRA-OK";
    }
    match f.classes.first() {
        Some(FindingClass::MissingFile) => "MISSING",
        Some(FindingClass::ExtraFile) => "EXTRA",
        Some(FindingClass::MovedFile) => "MOVED",
        Some(FindingClass::FilenameNormalizationDrift) => "RENAMED",
        Some(FindingClass::ChangedWhileReading) => "UNSTABLE",
        Some(FindingClass::UnreadableFile) => "UNREADABLE",
        Some(FindingClass::UnsupportedFileType) => "UNSUPPORTED",
        Some(FindingClass::ManifestDrift) => "MANIFEST",
        Some(FindingClass::PinMismatch | FindingClass::PinMissing) => "PIN",
        Some(FindingClass::ForbiddenToken) => "FORBIDDEN",
        Some(FindingClass::SecretLeak) => "SECRET",
        _ => "CHANGED",
    }
}

fn classes(f: &Finding) -> String {
    f.classes.iter().map(|c| c.code()).collect::<Vec<_>>().join(", ")
}

/// Whether a person is shown the proof: where a transform reproduced the
/// seal. Every other proof (what was searched, why a file is missing) is
/// in the machine formats, where an auditor reads it.
fn shows_proof(f: &Finding) -> bool {
    f.classes.iter().any(|c| {
        matches!(
            c,
            FindingClass::BomPrefix
                | FindingClass::CrlfDrift
                | FindingClass::TrailingNewlineDrift
                | FindingClass::EmdashUnicodeDrift
                | FindingClass::UnicodeNormalizationDrift
                | FindingClass::JsonEnsureAsciiDrift
                | FindingClass::JsonReformatDrift
        )
    }) || f.classes.first() == Some(&FindingClass::PinMismatch)
        && f.proof.as_deref().is_some_and(|p| p.contains("reproduces"))
}

/// Writes one finding and its proof and hint.
pub fn write_finding<W: Write + ?Sized>(w: &mut W, f: &Finding) -> io::Result<()> {
    writeln!(w, "{:<11} {}: {} [{}]", label(f), f.path, f.message, classes(f))?;
    if let Some(p) = f.proof.as_ref().filter(|_| shows_proof(f)) {
        writeln!(w, "{:<11}   proof: {p}", "")?;
    }
    if let Some(h) = &f.hint {
        writeln!(w, "{:<11}   hint: {h}", "")?;
    }
    if let Some(to) = &f.restored_to {
        writeln!(w, "{:<11}   restored: {to}", "")?;
    }
    if let Some(off) = f.first_difference {
        writeln!(w, "{:<11}   first difference at byte {off}", "")?;
    }
    if let Some(d) = &f.diff {
        for line in d.lines() {
            writeln!(w, "{:<11}   | {line}", "")?;
        }
    }
    Ok(())
}

/// Writes a `verify` report.
pub fn write_verify<W: Write + ?Sized>(w: &mut W, r: &Report) -> io::Result<()> {
    for f in &r.findings {
        write_finding(w, f)?;
    }
    if let Some(c) = &r.checks.seal_vs_bytes {
        writeln!(
            w,
            "sealed {}: {} ok, {} changed, {} missing, {} moved, {} extra, {} unreadable, {} unsupported, {} changed while reading{}",
            c.sealed,
            c.ok,
            c.changed,
            c.missing,
            c.moved,
            c.extra,
            c.unreadable,
            c.unsupported,
            c.changed_while_reading,
            if c.manifest_drift { "; the manifest itself drifted" } else { "" }
        )?;
    }
    if let Some(b) = &r.checks.bagit {
        let algos = |v: &[crate::digest::Algo]| v.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ");
        writeln!(
            w,
            "bag: BagIt {}, payload manifests {}{}; Payload-Oxum {} found{}",
            b.version,
            algos(&b.payload_manifests),
            if b.tag_manifests.is_empty() {
                String::new()
            } else {
                format!(", tag manifests {}", algos(&b.tag_manifests))
            },
            b.payload_oxum_actual,
            match (&b.payload_oxum_declared, b.payload_oxum_matches) {
                (Some(d), Some(true)) => format!(", {d} declared (matches)"),
                (Some(d), _) => format!(", {d} declared (DIFFERS)"),
                _ => ", none declared".to_string(),
            },
        )?;
        for warning in &b.warnings {
            writeln!(w, "bag warning: {warning}")?;
        }
    }
    if let Some(p) = &r.packet {
        match &p.packet_tree_sha256 {
            Some(t) => writeln!(w, "packet_tree_sha256 {t}")?,
            None => writeln!(w, "packet_tree_sha256 not computed: some files could not be hashed")?,
        }
    }
    if let Some(e) = &r.checks.expect_tree {
        if e.verdict == crate::report::Verdict::Fail {
            writeln!(
                w,
                "expected packet_tree_sha256 {}, found {}",
                e.expected,
                e.actual.as_deref().unwrap_or("none (not computed)")
            )?;
        }
    }
    writeln!(w, "{}", if r.status().is_pass() { "PASS" } else { "FAIL" })
}
