//! Verification receipts: what was verified, when, by which tool, under
//! which policy, with what result, as an in-toto Statement v1 with the SLSA
//! Verification Summary (VSA v1) predicate; signed, with a key, in a DSSE
//! envelope (`payloadType` `application/vnd.in-toto+json`, the signature
//! over DSSE's pre-authentication encoding, `keyid` the key's `SHA256:`
//! fingerprint). [`check`] checks a receipt: its envelope against an
//! allowed signers file, its statement's shape, and, given the packet,
//! every subject against the bytes on disk.
//!
//! Receipts are deterministic: keys and subjects in a fixed order, the time
//! from the report (so from `SOURCE_DATE_EPOCH` when set). docs/receipts.md
//! says what each field holds.

use std::path::Path;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::digest::Algo;
use crate::finding::{Finding, FindingClass};
use crate::input::{self, Kind};
use crate::sign::{AllowedSigner, SigningKey};
use crate::{Digest, Error, Report};

/// The statement's `_type`.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate's type.
pub const PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The verifier's id.
pub const VERIFIER_ID: &str = "https://crates.io/crates/sealcheck";
/// The policy URI: the options applied are the policy, named by their digest.
pub const POLICY_URI: &str = "https://crates.io/crates/sealcheck#policy/v1";

/// What a receipt is made from besides the report.
#[derive(Clone, Debug, Default)]
pub struct ReceiptInput {
    /// The resource verified (`--resource-uri`); default the packet's
    /// absolute `file://` URL.
    pub resource_uri: Option<String>,
    /// The policy applied, as JSON (the options, pins, allowed signers'
    /// digest); its SHA-256 is the policy digest.
    pub policy: Value,
    /// Each sealed path and its digests (`algo`, lowercase hex), sorted.
    pub subjects: Vec<(String, Vec<(Algo, String)>)>,
    /// The name of the seal's manifest, its own subject.
    pub manifest_name: String,
}

/// DSSE's pre-authentication encoding of `payload`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The statement of `report`.
pub fn statement(report: &Report, input: &ReceiptInput) -> Value {
    let mut subjects = Vec::with_capacity(input.subjects.len() + 1);
    if let Some(tree) = report.packet.as_ref().and_then(|p| p.sealed_tree_sha256.clone()) {
        subjects.push(json!({"name": input.manifest_name, "digest": {"sha256": tree}}));
    }
    for (name, digests) in &input.subjects {
        let d: serde_json::Map<String, Value> =
            digests.iter().map(|(a, h)| (a.name().to_string(), Value::String(h.clone()))).collect();
        subjects.push(json!({"name": name, "digest": d}));
    }
    let policy_bytes = serde_json::to_vec(&input.policy).expect("a value serializes");
    let resource = input.resource_uri.clone().unwrap_or_else(|| {
        report
            .packet
            .as_ref()
            .and_then(|p| std::fs::canonicalize(&p.root).ok())
            .and_then(|abs| url::Url::from_directory_path(abs).ok())
            .map(|u| u.to_string())
            .unwrap_or_default()
    });
    let mut input_attestations = Vec::new();
    if let Some(sig) = report.checks.signature.as_ref().filter(|s| s.checked) {
        if let Ok(bytes) = std::fs::read(&sig.file) {
            input_attestations.push(json!({"uri": sig.file, "digest": {"sha256": Digest::of(&bytes).to_hex()}}));
        }
    }
    let passed = report.status().is_pass();
    let mut levels = Vec::new();
    if passed {
        levels.push("SEALCHECK_SEAL_VS_BYTES");
        if report.checks.signature.as_ref().is_some_and(|s| s.checked) {
            levels.push("SEALCHECK_SIGNED_SEAL");
        }
    }
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "verifier": {"id": VERIFIER_ID, "version": {"sealcheck": report.tool.version}},
            "timeVerified": report.date,
            "resourceUri": resource,
            "policy": {"uri": POLICY_URI, "digest": {"sha256": Digest::of(&policy_bytes).to_hex()}},
            "inputAttestations": input_attestations,
            "verificationResult": if passed { "PASSED" } else { "FAILED" },
            "verifiedLevels": levels,
            "slsaVersion": "1.0",
        },
    })
}

/// The receipt's bytes: the statement, or with `key` a DSSE envelope of it.
/// Only Ed25519 key files sign receipts.
pub fn write_receipt(statement: &Value, key: Option<&SigningKey>) -> Result<Vec<u8>, Error> {
    let body = serde_json::to_vec(statement).expect("a value serializes");
    let Some(key) = key else {
        let mut out = serde_json::to_vec_pretty(statement).expect("a value serializes");
        out.push(b'\n');
        return Ok(out);
    };
    let SigningKey::File(k) = key else {
        return Err(Error::Usage(
            "--attest-key: receipts are signed with a key file (an agent-held key is not supported for receipts)"
                .into(),
        ));
    };
    let ssh_key::private::KeypairData::Ed25519(pair) = k.key_data() else {
        return Err(Error::Usage("--attest-key: receipts are signed with an Ed25519 key".into()));
    };
    use ed25519_dalek::Signer;
    let signer = ed25519_dalek::SigningKey::from_bytes(&pair.private.to_bytes());
    let sig = signer.sign(&pae(PAYLOAD_TYPE, &body));
    let b64 = base64::engine::general_purpose::STANDARD;
    let envelope = json!({
        "payload": b64.encode(&body),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": crate::sign::fingerprint(k.public_key().key_data()), "sig": b64.encode(sig.to_bytes())}],
    });
    let mut out = serde_json::to_vec_pretty(&envelope).expect("a value serializes");
    out.push(b'\n');
    Ok(out)
}

/// What checking a receipt found.
#[derive(Clone, Debug)]
pub struct Checked {
    /// Findings; empty when the receipt holds.
    pub findings: Vec<Finding>,
    /// The statement's verification result.
    pub result: String,
    /// The key that signed it, when one did and was allowed.
    pub signer: Option<String>,
    /// Subjects compared with the packet.
    pub subjects_checked: u64,
}

fn bad(path: &Path, what: impl Into<String>) -> Error {
    Error::Malformed { path: path.display().to_string(), line: None, expected: what.into() }
}

/// Checks the receipt at `path`: signed by a key `allowed` lists (when
/// given), a well-formed statement of a passed verification, and, with
/// `packet`, every subject still the bytes on disk.
pub fn check(path: &Path, allowed: Option<&[AllowedSigner]>, packet: Option<&Path>) -> Result<Checked, Error> {
    let shown = path.display().to_string();
    let doc = input::json::parse(&input::read(path, Kind::Receipt)?, &shown)?;
    let mut findings = Vec::new();
    let mut signer = None;
    let statement_bytes = if doc.get("payloadType").is_some() {
        if doc["payloadType"] != PAYLOAD_TYPE {
            let mut f = Finding::new(
                shown.clone(),
                FindingClass::SignatureInvalid,
                format!("payloadType is {}, not {PAYLOAD_TYPE}", doc["payloadType"]),
            );
            f.proof = Some("a DSSE envelope names its payload's type; only an in-toto statement is a receipt".into());
            findings.push(f);
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let payload = doc["payload"]
            .as_str()
            .and_then(|p| b64.decode(p).ok())
            .ok_or_else(|| bad(path, "a DSSE envelope with a base64 payload"))?;
        if let Some(allowed) = allowed {
            let message = pae(doc["payloadType"].as_str().unwrap_or(""), &payload);
            let sigs = doc["signatures"].as_array().cloned().unwrap_or_default();
            'found: for s in &sigs {
                let Some(sig) = s["sig"].as_str().and_then(|x| b64.decode(x).ok()) else { continue };
                let Ok(sig) = ed25519_dalek::Signature::from_slice(&sig) else { continue };
                for a in allowed {
                    let Some(pk) = a.key.key_data().ed25519() else { continue };
                    let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(pk.as_ref()) else { continue };
                    if vk.verify_strict(&message, &sig).is_ok() {
                        signer = Some(crate::sign::fingerprint(a.key.key_data()));
                        break 'found;
                    }
                }
            }
            if signer.is_none() {
                let mut f = Finding::new(
                    shown.clone(),
                    FindingClass::SignerNotAllowed,
                    "no signature of the envelope verifies with a key the allowed signers file lists",
                );
                f.proof = Some(format!("each of the {} signature(s) was checked against every Ed25519 key of the file over DSSE's encoding", sigs.len()));
                findings.push(f);
            }
        }
        payload
    } else {
        if allowed.is_some() {
            let mut f = Finding::new(
                shown.clone(),
                FindingClass::SignatureMissing,
                "the receipt is an unsigned statement, and a signature is required",
            );
            f.proof = Some("the document is not a DSSE envelope".into());
            findings.push(f);
        }
        serde_json::to_vec(&doc).expect("a value serializes")
    };
    let st = input::json::parse(&statement_bytes, &format!("{shown} (payload)"))?;
    if st["_type"] != STATEMENT_TYPE || st["predicateType"] != PREDICATE_TYPE {
        return Err(bad(path, format!("an in-toto Statement v1 with predicate {PREDICATE_TYPE}")));
    }
    let result = st["predicate"]["verificationResult"].as_str().unwrap_or("").to_string();
    if result != "PASSED" {
        let mut f = Finding::new(
            shown.clone(),
            FindingClass::EditedContent,
            format!("the receipt records verificationResult {result:?}, not PASSED"),
        );
        f.proof = Some("read from the statement's predicate".into());
        findings.push(f);
    }
    let mut subjects_checked = 0;
    if let Some(root) = packet {
        let subjects = st["subject"].as_array().cloned().unwrap_or_default();
        let tree = crate::seal::tree_digest(root, &crate::seal::SealOptions::default()).ok();
        for s in &subjects {
            let name = s["name"].as_str().unwrap_or("");
            subjects_checked += 1;
            let digests = s["digest"].as_object().cloned().unwrap_or_default();
            if name == crate::manifest::DEFAULT_NAME {
                let want = digests.get("sha256").and_then(Value::as_str).unwrap_or("");
                let now = tree.as_ref().map(|t| t.packet_tree_sha256.to_hex());
                if now.as_deref() != Some(want) {
                    let mut f = Finding::new(
                        name.to_string(),
                        FindingClass::ManifestDrift,
                        "packet_tree_sha256 of the packet now differs from the receipt's",
                    );
                    f.proof = Some(format!(
                        "recomputed {} against the receipt's {want}",
                        now.unwrap_or_else(|| "nothing (the tree could not be hashed)".into())
                    ));
                    findings.push(f);
                }
                continue;
            }
            let raw = crate::escape::unescape_bytes(name)
                .ok_or_else(|| bad(path, format!("an escaped subject name, not {name:?}")))?;
            let rel = crate::RelPath::new(raw).map_err(|e| bad(path, format!("a safe subject name {name:?}: {e}")))?;
            let root_dir = crate::fsio::Root::open(root).map_err(|e| Error::io(root, e))?;
            let algos: Vec<Algo> = digests.keys().filter_map(|a| Algo::from_name(a)).collect();
            let mut buf = vec![0u8; crate::hash::BUFFER_SIZE];
            let hashed = match root_dir.open_file(&rel) {
                Ok((file, meta)) => crate::hash::hash_open_with(file, &meta, &mut buf, &algos),
                Err(e) => crate::hash::Outcome::from(e),
            };
            let crate::hash::Outcome::Ok(hashed) = hashed else {
                let mut f = Finding::new(
                    name.to_string(),
                    FindingClass::MissingFile,
                    "a subject of the receipt is not in the packet",
                );
                f.proof = Some("nothing readable and regular at that path (never following links)".into());
                findings.push(f);
                continue;
            };
            for (algo, want) in &digests {
                let Some(a) = Algo::from_name(algo) else { continue };
                if hashed.get(a).map(|d| d.to_hex()).as_deref() != want.as_str() {
                    let mut f = Finding::new(
                        name.to_string(),
                        FindingClass::EditedContent,
                        format!("its bytes no longer match the receipt's {algo}"),
                    );
                    f.proof = Some(format!("recomputed {algo} of the file on disk differs from the subject's"));
                    findings.push(f);
                    break;
                }
            }
        }
    }
    Ok(Checked { findings, result, signer, subjects_checked })
}
