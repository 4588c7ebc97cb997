//! The JSON report: typed, deterministic, and the source of its own schema.
//!
//! Field order is the declaration order; lists are sorted by whoever fills
//! them; no map with unordered keys appears. Same input and the same `date`
//! therefore give byte-identical JSON. `date` comes from `SOURCE_DATE_EPOCH`
//! when it is set ([`report_date`]).

use std::ffi::OsStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub mod sections;

use crate::finding::Finding;
use crate::{Error, Status};

/// The `doc` value of every report.
pub const DOC: &str = "sealcheck-report";
/// The version of the report's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// A pass/fail verdict of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Verdict {
    /// The check passed.
    #[serde(rename = "PASS")]
    Pass,
    /// The check failed.
    #[serde(rename = "FAIL")]
    Fail,
}

impl Verdict {
    /// `Pass` when `ok`.
    pub fn from_ok(ok: bool) -> Verdict {
        if ok {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Always `sealcheck-report`.
    pub doc: String,
    /// The report shape's version.
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// The command that judged.
    pub command: String,
    /// When, RFC 3339 in UTC (from `SOURCE_DATE_EPOCH` when set).
    pub date: String,
    /// `PASS` or `FAIL_CLOSED`.
    pub final_status: String,
    /// The process exit code.
    pub exit_code: u8,
    /// The packet judged, for commands that judge one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet: Option<Packet>,
    /// Per-check verdicts and counts.
    pub checks: Checks,
    /// Every problem, sorted by path.
    pub findings: Vec<Finding>,
    /// Measured facts about the run itself.
    pub self_check: SelfCheck,
    /// Why the command could not judge, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// Every sealed path (display form), for renderers that list each file
    /// (JUnit). Not part of the JSON report: it can be millions of lines.
    #[serde(skip)]
    #[schemars(skip)]
    pub sealed_paths: Vec<String>,
    /// The digests the seal holds for each of [`Report::sealed_paths`]
    /// (`verify` only), for receipts. Not part of the JSON report.
    #[serde(skip)]
    #[schemars(skip)]
    pub sealed_digests: Vec<Vec<(crate::digest::Algo, String)>>,
    /// The seal's own file that stands for it in a receipt, as the packet
    /// names it, and the SHA-256 of its bytes: the manifest, or a bag's
    /// strongest tag manifest. Not part of the JSON report.
    #[serde(skip)]
    #[schemars(skip)]
    pub seal_subject: Option<(String, String)>,
}

/// The tool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    /// `sealcheck`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The SHA-256 implementation in use: `sha-ni`, `armv8-sha2` or `soft`.
    pub sha256_backend: String,
}

impl Tool {
    /// This build on this machine.
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            sha256_backend: crate::digest::sha256_backend().to_string(),
        }
    }
}

/// The packet and its seal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Packet {
    /// The packet root as given.
    pub root: String,
    /// The manifest path as given, or its name at the root.
    pub manifest: String,
    /// SHA-256 of the manifest bytes as read.
    pub manifest_sha256: Option<String>,
    /// Whether the manifest bytes are exactly the canonical form.
    pub manifest_canonical: Option<bool>,
    /// `packet_tree_sha256` of the bytes on disk now (null when some file
    /// could not be hashed).
    pub packet_tree_sha256: Option<String>,
    /// `packet_tree_sha256` that the manifest's entries seal.
    pub sealed_tree_sha256: Option<String>,
    /// Regular files found (the manifest excepted).
    pub file_count: u64,
    /// Bytes hashed.
    pub byte_count: u64,
    /// The seal's format: `sums` (canonical, GNU or BSD lines) or `bagit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_format: Option<String>,
    /// Every digest algorithm the seal holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seal_algorithms: Vec<crate::digest::Algo>,
}

/// Per-check sections. A command fills the ones it runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Checks {
    /// Every sealed file byte-exact, nothing missing, nothing unsealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_vs_bytes: Option<SealVsBytes>,
    /// `--expect-tree`: the packet's tree digest against a pinned value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_tree: Option<ExpectTree>,
    /// `check`: the `sha256sum -c` compatible run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckCounts>,
    /// Pinned digests of single files (`--pins`, `--pin-from`, `pin check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pins: Option<sections::PinsCheck>,
    /// `pin readback`: one row of a control-plane document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readback: Option<sections::ReadbackCheck>,
    /// Forbidden tokens and credential-shaped strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_scan: Option<sections::ScanCheck>,
    /// BagIt: the bag's declarations, manifests, Payload-Oxum and fetch.txt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bagit: Option<sections::BagCheck>,
    /// `rerun`: the recorded tree digest, and the mirror.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun: Option<sections::RerunCheck>,
    /// `rehearsal`: apply changed the state and rollback restored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rehearsal: Option<sections::RehearsalCheck>,
    /// The seal's signature (`--allowed-signers`, `--minisign-key`), or a
    /// signature present and not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<sections::SignatureCheck>,
    /// The seal's minisign signature (`--minisign-key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minisign: Option<sections::SignatureCheck>,
    /// `selftest`: the negative controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selftest: Option<sections::SelftestCheck>,
    /// The receipt written (`--attest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<sections::ReceiptCheck>,
}

/// Counts of the seal-vs-bytes check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SealVsBytes {
    /// `PASS` or `FAIL`.
    pub verdict: Option<Verdict>,
    /// Sealed entries in the manifest.
    pub sealed: u64,
    /// Sealed files whose bytes match.
    pub ok: u64,
    /// Sealed files whose bytes differ.
    pub changed: u64,
    /// Sealed files absent.
    pub missing: u64,
    /// Unsealed files present.
    pub extra: u64,
    /// Sealed bytes found under another path.
    pub moved: u64,
    /// Files that could not be read.
    pub unreadable: u64,
    /// Entries that are not regular files.
    pub unsupported: u64,
    /// Files that changed while they were hashed.
    pub changed_while_reading: u64,
    /// Whether the manifest's own bytes drifted (BOM, CRLF, final newline).
    pub manifest_drift: bool,
}

/// The `--expect-tree` check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectTree {
    /// `PASS` or `FAIL`.
    pub verdict: Verdict,
    /// The pinned value.
    pub expected: String,
    /// The value of the bytes on disk (null when it could not be computed).
    pub actual: Option<String>,
}

/// Counts of a `check` run, as `sha256sum -c` would count them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CheckCounts {
    /// `PASS` or `FAIL`.
    pub verdict: Option<Verdict>,
    /// Lines whose file matched.
    pub ok: u64,
    /// Lines whose file did not match.
    pub failed: u64,
    /// Lines whose file could not be opened or read.
    pub unreadable: u64,
    /// Lines that are not checksum lines.
    pub improperly_formatted: u64,
    /// Missing files passed over with `--ignore-missing`.
    pub ignored_missing: u64,
}

/// Facts about the run, measured rather than asserted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SelfCheck {
    /// Every file's size, mtime and inode, and the manifest's digest, are the
    /// same after the run as when they were read.
    pub packet_unmodified: bool,
    /// The verdict is PASS although a finding is red: must never be true.
    pub any_fail_open: bool,
}

/// Why a command could not judge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorInfo {
    /// A stable code.
    pub code: String,
    /// The message, as printed.
    pub message: String,
}

impl Report {
    /// An empty report for `command` at `date`, not yet finished.
    pub fn new(command: &str, date: String) -> Report {
        Report {
            doc: DOC.to_string(),
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            command: command.to_string(),
            date,
            final_status: String::new(),
            exit_code: 0,
            packet: None,
            checks: Checks::default(),
            findings: Vec::new(),
            self_check: SelfCheck { packet_unmodified: true, any_fail_open: false },
            error: None,
            sealed_paths: Vec::new(),
            sealed_digests: Vec::new(),
            seal_subject: None,
        }
    }

    /// A report for a command that could not judge.
    pub fn from_error(command: &str, date: String, error: &Error) -> Report {
        let mut r = Report::new(command, date);
        if let Error::Tree(findings) = error {
            r.findings = findings.clone();
        }
        r.error = Some(ErrorInfo { code: error.code().to_string(), message: error.to_string() });
        r.finish(error.status());
        r
    }

    /// Sets the final status from `status` and every finding, and measures
    /// `any_fail_open`. The highest status wins.
    pub fn finish(&mut self, status: Status) {
        let from_findings = self.findings.iter().map(Finding::status).max().unwrap_or(Status::Pass);
        let status = status.max(from_findings);
        self.final_status = status.final_status().to_string();
        self.exit_code = status.code();
        self.self_check.any_fail_open =
            status.is_pass() && (from_findings != Status::Pass || !self.self_check.packet_unmodified);
    }

    /// The status this report ends with.
    pub fn status(&self) -> Status {
        match self.exit_code {
            0 => Status::Pass,
            1 => Status::Integrity,
            2 => Status::BadInput,
            _ => Status::Environment,
        }
    }
}

/// The report date: `SOURCE_DATE_EPOCH` (whole seconds since the epoch) when
/// set, else now. A malformed value is an error, never ignored.
pub fn report_date(source_date_epoch: Option<&OsStr>) -> Result<String, Error> {
    let time = match source_date_epoch {
        None => SystemTime::now(),
        Some(v) => {
            let bad = || Error::Usage(format!("SOURCE_DATE_EPOCH={v:?} is not a whole number of seconds since 1970"));
            let s = v.to_str().ok_or_else(bad)?;
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let secs: u64 = s.parse().map_err(|_| bad())?;
            // humantime formats years up to 9999.
            if secs > 253_402_300_799 {
                return Err(bad());
            }
            UNIX_EPOCH + Duration::from_secs(secs)
        }
    };
    Ok(humantime::format_rfc3339_seconds(time).to_string())
}

/// The JSON Schema of [`Report`].
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).expect("a schema serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_is_honoured_and_checked() {
        assert_eq!(report_date(Some(OsStr::new("0"))).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(report_date(Some(OsStr::new("1795219200"))).unwrap(), "2026-11-21T00:00:00Z");
        for bad in ["", "-1", "1.5", " 1", "abc", "99999999999999999999"] {
            assert!(report_date(Some(OsStr::new(bad))).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn finish_takes_the_highest_status_and_measures_fail_open() {
        let mut r = Report::new("verify", "d".into());
        r.findings.push(Finding::new("a".into(), crate::FindingClass::UnreadableFile, "x"));
        r.finish(Status::Integrity);
        assert_eq!((r.exit_code, r.final_status.as_str()), (3, "FAIL_CLOSED"));
        assert!(!r.self_check.any_fail_open);
    }
}
