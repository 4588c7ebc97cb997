//! The data of every check's section of a report, kept beside the report
//! so the report depends on no check: each check fills the section it owns
//! and imports it from here, never the reverse.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Verdict;
use crate::digest::Algo;
use crate::finding::FindingClass;

/// The result of one pin, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PinResult {
    /// The pin's name.
    pub name: String,
    /// The path as written.
    pub path: String,
    /// `PASS` or `FAIL`.
    pub verdict: Verdict,
    /// The pinned digest.
    pub expected_sha256: String,
    /// The digest found (null when the file could not be read).
    pub actual_sha256: Option<String>,
    /// The pinned size, if any.
    pub expected_size: Option<u64>,
    /// The size found.
    pub actual_size: Option<u64>,
}

/// The `pins` check of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PinsCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Option<Verdict>,
    /// Pins checked.
    pub total: u64,
    /// Pins that hold.
    pub ok: u64,
    /// Pins whose file differs.
    pub mismatch: u64,
    /// Pins whose file is absent.
    pub missing: u64,
    /// Each pin, in the order given.
    pub results: Vec<PinResult>,
}

/// The `readback` check of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReadbackCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Verdict,
    /// The leg: the URL without query string or credentials, or the file.
    pub leg: String,
    /// The rows pointer.
    pub rows: String,
    /// The row conditions, `KEY=VALUE`.
    #[serde(rename = "where")]
    pub wheres: Vec<String>,
    /// The digest field.
    pub field: String,
    /// The expected digest.
    pub expected: String,
    /// The digest found in the row, when one was read.
    pub actual: Option<String>,
    /// The HTTP status, for URLs that answered.
    pub http_status: Option<u16>,
    /// Requests made.
    pub attempts: u32,
    /// A stable code for the outcome (`match`, `mismatch`, `missing_row`…).
    pub outcome: String,
    /// What happened, in one line (token redacted).
    pub message: String,
}

/// The `content_scan` check of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScanCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Option<Verdict>,
    /// Files read.
    pub files_scanned: u64,
    /// Forbidden tokens named on the command line.
    pub forbidden_tokens: u64,
    /// Whether credential-shaped strings were looked for.
    pub secrets_scanned: bool,
    /// `forbidden_token` findings.
    pub forbidden_token_hits: u64,
    /// `secret_leak` findings.
    pub secret_leak_hits: u64,
}

/// The verification receipt a run wrote (`--attest`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReceiptCheck {
    /// Where it was written.
    pub file: String,
    /// Whether it is a signed DSSE envelope; `false`: an unsigned statement.
    pub signed: bool,
    /// The signing key's `SHA256:` fingerprint, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyid: Option<String>,
    /// Subjects in its statement.
    pub subjects: u64,
}

/// The `bagit` check of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BagCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Option<Verdict>,
    /// `BagIt-Version` from `bagit.txt`.
    pub version: String,
    /// Algorithms of the payload manifests.
    pub payload_manifests: Vec<Algo>,
    /// Algorithms of the tag manifests.
    pub tag_manifests: Vec<Algo>,
    /// Payload files found.
    pub payload_files: u64,
    /// Payload bytes found.
    pub payload_bytes: u64,
    /// `Payload-Oxum` as declared in `bag-info.txt`, if it is.
    pub payload_oxum_declared: Option<String>,
    /// `Payload-Oxum` of the payload found (`bytes.files`).
    pub payload_oxum_actual: String,
    /// Whether the declared Oxum matches (null when none is declared).
    pub payload_oxum_matches: Option<bool>,
    /// Warnings, e.g. names read leniently.
    pub warnings: Vec<String>,
}

/// The `rerun` check of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RerunCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Verdict,
    /// `PACKET_TREE MATCH` or `PACKET_TREE MISMATCH`.
    pub packet_tree: String,
    /// The recorded value.
    pub recorded_tree_sha256: String,
    /// Where it was read.
    pub recorded_from: String,
    /// The value of the bytes on disk (null if it could not be computed).
    pub actual_tree_sha256: Option<String>,
    /// Files in the packet.
    pub file_count_local: u64,
    /// Files in the mirror, when one was given.
    pub mirror_file_count: Option<u64>,
    /// The mirror check, when one was given.
    pub mirror: Option<MirrorCheck>,
}

/// The mirror comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MirrorCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Option<Verdict>,
    /// Files identical in both.
    pub identical: u64,
    /// Files whose bytes differ.
    pub differ: u64,
    /// Local files absent from the mirror but covered by a pin.
    pub absent_covered_by_pin: u64,
    /// Local files absent from the mirror and not covered.
    pub absent: u64,
    /// Mirror files the packet does not have.
    pub extra: u64,
}

/// The `rehearsal` check of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RehearsalCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Verdict,
    /// Tree digest before apply.
    pub before_hash: String,
    /// Tree digest after apply.
    pub after_apply_hash: String,
    /// Tree digest after rollback.
    pub after_rollback_hash: String,
    /// Apply changed the state.
    pub after_apply_differs_from_before: bool,
    /// Rollback restored the before state exactly.
    pub rollback_restores_expected_state: bool,
    /// Paths apply added, removed or changed.
    pub changed_by_apply: Vec<String>,
    /// Paths that differ between before and after rollback.
    pub not_restored_by_rollback: Vec<String>,
}

/// One negative control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SelftestCase {
    /// The class the drift belongs to.
    pub class: FindingClass,
    /// What was done to the scratch packet.
    pub drift: String,
    /// `verify`'s exit code on the drifted packet.
    pub exit_code: u8,
    /// `verify`'s final status.
    pub final_status: String,
    /// The classes `verify` gave the drifted path.
    pub classified_as: Vec<FindingClass>,
    /// Red (non-zero exit).
    pub failed_closed: bool,
    /// Red, and named as its own class.
    pub ok: bool,
}

/// The `selftest` check of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SelftestCheck {
    /// `PASS` or `FAIL`.
    pub verdict: Verdict,
    /// The byte-identical packet passed.
    pub passes_on_byte_identical: bool,
    /// Every negative control failed closed and was named as its class.
    pub selftest_all_fail_closed: bool,
    /// The classes whose negative control failed closed and was named.
    pub selftest_fail_closed_cases: Vec<FindingClass>,
    /// Every negative control.
    pub cases: Vec<SelftestCase>,
}

/// The `signature` check of a report: the seal's signature, checked or
/// only reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignatureCheck {
    /// `PASS` or `FAIL` when checked; null when present and not checked.
    pub verdict: Option<Verdict>,
    /// `ssh` (SSHSIG) or `minisign`.
    pub kind: String,
    /// The signature file.
    pub file: String,
    /// The file it signs (the manifest).
    pub signed_file: String,
    /// The namespace the signature was made for.
    pub namespace: Option<String>,
    /// The hash it signs (`sha512`).
    pub hash: Option<String>,
    /// The key's algorithm (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
    pub algorithm: Option<String>,
    /// The key's fingerprint as `ssh-keygen -l` prints it.
    pub fingerprint: Option<String>,
    /// The principals the allowed signers file gives the key.
    pub principals: Vec<String>,
    /// The allowed signers file, when one was given.
    pub allowed_signers: Option<String>,
    /// Whether the signature was checked (false: only reported).
    pub checked: bool,
    /// minisign: the trusted comment, which the signature covers.
    pub trusted_comment: Option<String>,
}

impl SignatureCheck {
    /// The section of a `kind` signature at `file` over `signed_file`
    /// before anything is known of it: no verdict, not checked, no key.
    pub fn unchecked(kind: &str, file: String, signed_file: String) -> SignatureCheck {
        SignatureCheck {
            verdict: None,
            kind: kind.to_string(),
            file,
            signed_file,
            namespace: None,
            hash: None,
            algorithm: None,
            fingerprint: None,
            principals: Vec::new(),
            allowed_signers: None,
            checked: false,
            trusted_comment: None,
        }
    }
}
