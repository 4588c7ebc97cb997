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
        Some(FindingClass::SignatureMissing | FindingClass::SignatureInvalid | FindingClass::SignerNotAllowed) => {
            "SIGNATURE"
        }
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
    for sig in [&r.checks.signature, &r.checks.minisign].into_iter().flatten() {
        write_signature(w, sig)?;
    }
    write_receipt(w, r)?;
    if let Some(p) = &r.packet {
        match &p.packet_tree_sha256 {
            // On a failure, the hash of the bytes now is not the seal's:
            // say which is which.
            Some(t) if !r.status().is_pass() && p.sealed_tree_sha256.as_ref().is_some_and(|s| s != t) => writeln!(
                w,
                "packet_tree_sha256 now {t} (the bytes on disk); sealed {}",
                p.sealed_tree_sha256.as_deref().unwrap_or("")
            )?,
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

fn write_signature<W: Write + ?Sized>(w: &mut W, s: &crate::report::sections::SignatureCheck) -> io::Result<()> {
    let key = [s.algorithm.as_deref(), s.fingerprint.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    match (s.checked, &s.verdict) {
        (false, _) => writeln!(w, "signature: {} by {key}: present, not checked (give --allowed-signers)", s.file),
        (true, Some(crate::report::Verdict::Pass)) if !s.principals.is_empty() => {
            writeln!(w, "signature: {} by {key}: valid, allowed as {}", s.file, s.principals.join(","))
        }
        (true, Some(crate::report::Verdict::Pass)) => {
            let comment = s.trusted_comment.as_deref().map(|c| format!(" (trusted comment: {c})")).unwrap_or_default();
            writeln!(w, "signature: {} ({}): valid{comment}", s.file, s.kind)
        }
        (true, _) => writeln!(w, "signature: {}: NOT valid", s.file),
    }
}

/// Writes a `selftest` report: each negative control, then the verdict.
pub fn write_selftest(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let s = r.checks.selftest.as_ref().expect("a selftest report has its check");
    writeln!(
        w,
        "{:<11} byte-identical packet {}",
        if s.passes_on_byte_identical { "PASS" } else { "FAIL" },
        if s.passes_on_byte_identical { "passes" } else { "did NOT pass" }
    )?;
    for c in &s.cases {
        let got: Vec<&str> = c.classified_as.iter().map(|k| k.code()).collect();
        writeln!(
            w,
            "{:<11} {}: {} -> exit {} [{}]",
            if c.ok { "FAIL-CLOSED" } else { "NOT-CAUGHT" },
            c.class.code(),
            c.drift,
            c.exit_code,
            got.join(", ")
        )?;
    }
    writeln!(
        w,
        "selftest: {} of {} drift classes failed closed and were named; sha256 backend {}",
        s.selftest_fail_closed_cases.len(),
        s.cases.len(),
        r.tool.sha256_backend
    )?;
    writeln!(w, "{}", if r.status().is_pass() { "PASS" } else { "FAIL" })
}

/// Writes a `rehearsal` report: the three tree hashes, then the verdict.
pub fn write_rehearsal(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let c = r.checks.rehearsal.as_ref().expect("a rehearsal report has its check");
    writeln!(w, "before_hash          {}", c.before_hash)?;
    writeln!(w, "after_apply_hash     {}", c.after_apply_hash)?;
    writeln!(w, "after_rollback_hash  {}", c.after_rollback_hash)?;
    writeln!(
        w,
        "apply {} the state ({} paths)",
        if c.after_apply_differs_from_before { "changed" } else { "did NOT change" },
        c.changed_by_apply.len()
    )?;
    writeln!(
        w,
        "rollback {}",
        if c.rollback_restores_expected_state {
            "restored the before state exactly"
        } else {
            "did NOT restore the before state"
        }
    )?;
    for p in &c.not_restored_by_rollback {
        writeln!(w, "NOT-RESTORED {p}")?;
    }
    writeln!(w, "{}", if r.status().is_pass() { "PASS" } else { "FAIL" })
}

/// Writes a `rerun` report: findings, the mirror, the recorded and found tree hashes.
pub fn write_rerun(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    for f in &r.findings {
        write_finding(w, f)?;
    }
    let c = r.checks.rerun.as_ref().expect("a rerun report has its check");
    if let Some(m) = &c.mirror {
        writeln!(
                w,
                "mirror: {} identical, {} differ, {} absent, {} absent but pinned, {} only in the mirror ({} local files, {} in the mirror)",
                m.identical,
                m.differ,
                m.absent,
                m.absent_covered_by_pin,
                m.extra,
                c.file_count_local,
                c.mirror_file_count.unwrap_or(0)
            )?;
    }
    if c.packet_tree == "PACKET_TREE MISMATCH" {
        writeln!(
            w,
            "recorded packet_tree_sha256 {} ({}), found {}",
            c.recorded_tree_sha256,
            c.recorded_from,
            c.actual_tree_sha256.as_deref().unwrap_or("none (not computed)")
        )?;
    } else {
        writeln!(w, "packet_tree_sha256 {} ({})", c.recorded_tree_sha256, c.recorded_from)?;
    }
    writeln!(w, "{} ({})", if r.status().is_pass() { "PASS" } else { "FAIL" }, c.packet_tree)
}

/// Writes a `pin check` report.
pub fn write_pin_check(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    for f in &r.findings {
        write_finding(w, f)?;
    }
    match r.checks.pins.as_ref().and_then(|p| p.results.first()) {
        Some(p) if r.status().is_pass() => writeln!(w, "PASS {} sha256:{}", p.path, p.expected_sha256),
        _ => writeln!(w, "FAIL"),
    }
}

/// Writes a `pin readback` report.
pub fn write_readback(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let c = r.checks.readback.as_ref().expect("a readback report has its check");
    let word = if r.status().is_pass() { "PASS" } else { "FAIL" };
    write_receipt(w, r)?;
    writeln!(w, "{word} readback {}: {}", c.leg, c.message)
}

/// Says where the run's receipt went, and whether it is signed.
pub fn write_receipt<W: Write + ?Sized>(w: &mut W, r: &Report) -> io::Result<()> {
    let Some(c) = &r.checks.receipt else { return Ok(()) };
    match &c.keyid {
        Some(k) => writeln!(w, "receipt {}: {} subjects, signed by {k}", c.file, c.subjects),
        None => writeln!(w, "receipt {}: {} subjects, an unsigned statement (no --attest-key)", c.file, c.subjects),
    }
}

/// Writes an `attest verify` report: each finding, what was checked, then
/// the verdict.
pub fn write_attest(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    for f in &r.findings {
        write_finding(w, f)?;
    }
    if let Some(c) = &r.checks.receipt {
        let by = c.keyid.as_deref().map_or_else(|| "no allowed signer".to_string(), |k| format!("signed by {k}"));
        writeln!(w, "receipt {}: {by}; {} subjects compared with the packet", c.file, c.subjects)?;
    }
    writeln!(w, "{}", if r.status().is_pass() { "PASS" } else { "FAIL" })
}
