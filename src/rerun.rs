//! `rerun`: what an auditor runs years later, in place of a hand-written
//! `rerun.sh`.
//!
//! It verifies the packet against its manifest and pins, recomputes
//! `packet_tree_sha256` and compares it with the recorded value (given, or
//! read from a report), and, with a mirror, demands the mirror be
//! byte-identical file for file. The verdict line is `PASS (PACKET_TREE
//! MATCH)` or `FAIL (PACKET_TREE MISMATCH)`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::finding::{Finding, FindingClass};
use crate::pins::Pin;
use crate::report::{Report, Verdict};
use crate::seal::{tree_digest, SealOptions};
use crate::verify::{verify, VerifyOptions};
use crate::{Digest, Error, Status};

pub use crate::report::sections::{MirrorCheck, RerunCheck};

/// Where the recorded `packet_tree_sha256` comes from.
#[derive(Clone, Debug)]
pub enum Recorded {
    /// Given on the command line.
    Given(Digest),
    /// Read from a JSON report: at the pointer, or else the one key named
    /// `packet_tree_sha256` anywhere in it.
    Report {
        /// The report.
        path: PathBuf,
        /// The pointer, if given.
        pointer: Option<String>,
    },
}

/// Options of `rerun`.
#[derive(Clone, Debug)]
pub struct RerunOptions {
    /// The recorded tree digest.
    pub recorded: Recorded,
    /// Verification options (pins, threads, diagnosis).
    pub verify: VerifyOptions,
    /// A mirror that must be byte-identical. Default none.
    pub mirror: Option<PathBuf>,
}

/// Finds the recorded digest in a report document.
pub fn recorded_from_report(path: &Path, pointer: Option<&str>) -> Result<Digest, Error> {
    let shown = path.display();
    let bytes = crate::input::read(path, crate::input::Kind::Report)?;
    let doc: Value = crate::input::json::parse(&bytes, &shown.to_string())?;
    let text = match pointer {
        Some(p) => doc
            .pointer(p)
            .ok_or_else(|| Error::Usage(format!("{shown}: nothing at {p}")))?
            .as_str()
            .ok_or_else(|| Error::Usage(format!("{shown}: {p} is not a string")))?
            .to_string(),
        None => {
            let mut found = BTreeMap::new();
            collect(&doc, String::new(), &mut found);
            let values: std::collections::BTreeSet<&String> = found.values().collect();
            match values.len() {
                0 => return Err(Error::Usage(format!("{shown}: no key named packet_tree_sha256 (give --pointer)"))),
                1 => found.values().next().expect("one value").clone(),
                _ => {
                    let places: Vec<String> = found.keys().cloned().collect();
                    return Err(Error::Usage(format!(
                        "{shown}: packet_tree_sha256 has {} different values (at {}); give --pointer",
                        values.len(),
                        places.join(", ")
                    )));
                }
            }
        }
    };
    Digest::from_pin(&text).map_err(|e| Error::Usage(format!("{shown}: recorded packet_tree_sha256: {e}")))
}

fn collect(v: &Value, at: String, found: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                if k == "packet_tree_sha256" {
                    found.insert(here.clone(), child.as_str().map_or_else(|| child.to_string(), String::from));
                }
                collect(child, here, found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect(child, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// Re-runs the packet's verification.
pub fn rerun(root: &Path, opts: &RerunOptions, date: String) -> Result<Report, Error> {
    let (recorded, from) = match &opts.recorded {
        Recorded::Given(d) => (*d, "--expect-tree".to_string()),
        Recorded::Report { path, pointer } => (
            recorded_from_report(path, pointer.as_deref())?,
            format!("{}{}", path.display(), pointer.as_ref().map(|p| format!("#{p}")).unwrap_or_default()),
        ),
    };
    let vopts = VerifyOptions { expect_tree: Some(recorded), ..opts.verify.clone() };
    let mut report = verify(root, &vopts, date)?;
    report.command = "rerun".to_string();
    let actual = report.packet.as_ref().and_then(|p| p.packet_tree_sha256.clone());
    let matched = actual.as_deref() == Some(recorded.to_hex().as_str());
    let file_count_local = report.packet.as_ref().map_or(0, |p| p.file_count);
    let mut check = RerunCheck {
        verdict: Verdict::Fail,
        packet_tree: if matched { "PACKET_TREE MATCH" } else { "PACKET_TREE MISMATCH" }.to_string(),
        recorded_tree_sha256: recorded.to_hex(),
        recorded_from: from,
        actual_tree_sha256: actual,
        file_count_local,
        mirror_file_count: None,
        mirror: None,
    };
    let mut status = report.status();
    if let Some(mirror) = &opts.mirror {
        let (section, count, findings) = compare_mirror(root, mirror, &opts.verify)?;
        if section.verdict != Some(Verdict::Pass) {
            status = status.max(Status::Integrity);
        }
        check.mirror_file_count = Some(count);
        check.mirror = Some(section);
        report.findings.extend(findings);
        report.findings.sort_by(|a, b| a.path.cmp(&b.path));
    }
    check.verdict = Verdict::from_ok(status.is_pass() && matched);
    report.checks.rerun = Some(check);
    report.finish(status);
    Ok(report)
}

fn compare_mirror(root: &Path, mirror: &Path, v: &VerifyOptions) -> Result<(MirrorCheck, u64, Vec<Finding>), Error> {
    let seal_opts = SealOptions { threads: v.threads, excludes: v.excludes.clone(), ..SealOptions::default() };
    let local = tree_digest(root, &seal_opts)?;
    let remote = tree_digest(mirror, &seal_opts)?;
    let pinned: std::collections::HashSet<Digest> = v.pins.iter().map(|p: &Pin| p.digest).collect();
    let theirs: BTreeMap<&[u8], Digest> = remote.files.iter().map(|(p, d)| (p.as_bytes(), *d)).collect();
    let mut section = MirrorCheck::default();
    let mut findings = Vec::new();
    for (path, digest) in &local.files {
        let mut f = |class, msg: &str| {
            let mut f = Finding::new(path.display(), class, format!("mirror {}: {msg}", mirror.display()));
            f.expected_sha256 = Some(digest.to_hex());
            findings.push(f);
        };
        match theirs.get(path.as_bytes()) {
            Some(d) if d == digest => section.identical += 1,
            Some(_) => {
                section.differ += 1;
                f(FindingClass::EditedContent, "the mirror's bytes differ");
            }
            None if pinned.contains(digest) => section.absent_covered_by_pin += 1,
            None => {
                section.absent += 1;
                f(FindingClass::MissingFile, "absent from the mirror and not covered by a pin");
            }
        }
    }
    let ours: std::collections::HashSet<&[u8]> = local.files.iter().map(|(p, _)| p.as_bytes()).collect();
    for (path, digest) in &remote.files {
        if !ours.contains(path.as_bytes()) {
            section.extra += 1;
            let mut f = Finding::new(
                path.display(),
                FindingClass::ExtraFile,
                format!("mirror {}: present in the mirror only", mirror.display()),
            );
            f.actual_sha256 = Some(digest.to_hex());
            findings.push(f);
        }
    }
    section.verdict = Some(Verdict::from_ok(findings.is_empty()));
    Ok((section, remote.files.len() as u64, findings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_value_is_found_once_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("r.json");
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        std::fs::write(
            &f,
            format!(
                r#"{{"evidence_packet": {{"packet_tree_sha256": "{a}"}}, "x": [{{"packet_tree_sha256": "{a}"}}]}}"#
            ),
        )
        .unwrap();
        assert_eq!(recorded_from_report(&f, None).unwrap().to_hex(), a);
        std::fs::write(
            &f,
            format!(r#"{{"e": {{"packet_tree_sha256": "{a}"}}, "f": {{"packet_tree_sha256": "{b}"}}}}"#),
        )
        .unwrap();
        let err = recorded_from_report(&f, None).unwrap_err().to_string();
        assert!(err.contains("2 different values (at /e/packet_tree_sha256, /f/packet_tree_sha256)"), "{err}");
        assert_eq!(recorded_from_report(&f, Some("/f/packet_tree_sha256")).unwrap().to_hex(), b);
        std::fs::write(&f, "{}").unwrap();
        assert!(recorded_from_report(&f, None).unwrap_err().to_string().contains("no key named"));
    }
}
