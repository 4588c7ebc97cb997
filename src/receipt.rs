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

use std::io::{self, Write};
use std::path::Path;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::digest::Algo;
use crate::finding::{Finding, FindingClass};
use crate::input::{self, Kind};
use crate::redact::Redactor;
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
    /// The seal's own subjects, before the sealed files: each name and
    /// its SHA-256 (lowercase hex). For a packet, the manifest and its
    /// `packet_tree_sha256`; for `check`, each manifest read.
    pub seal_subjects: Vec<(String, String)>,
}

/// DSSE's pre-authentication encoding of `payload`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = pae_prefix(payload_type, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

/// The bytes of DSSE's pre-authentication encoding before a payload of
/// `len` bytes.
fn pae_prefix(payload_type: &str, len: u64) -> Vec<u8> {
    format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, len).into_bytes()
}

/// The resource a receipt names when `--resource-uri` is not given: the
/// packet's absolute `file://` URL, or the current directory's for a
/// command that judged no packet.
fn default_resource(report: &Report) -> String {
    let dir = report.packet.as_ref().map(|p| std::path::PathBuf::from(&p.root)).unwrap_or_else(|| ".".into());
    std::fs::canonicalize(dir)
        .ok()
        .and_then(|abs| url::Url::from_directory_path(abs).ok())
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// The absolute `file://` URL of the file at `path`, when it resolves.
pub fn file_url(path: &Path) -> Option<String> {
    std::fs::canonicalize(path).ok().and_then(|abs| url::Url::from_file_path(abs).ok()).map(|u| u.to_string())
}

/// A receipt of one run, written as a stream: the subjects are serialized
/// one at a time from the report, so a packet of a million files never
/// has its statement built whole, in memory, as a tree or as bytes.
/// Every string is redacted by `redactor` before it is written, and so
/// before it is signed.
pub struct Receipt<'a> {
    report: &'a Report,
    seal_subjects: &'a [(String, String)],
    redactor: &'a Redactor,
    /// `"predicateType":…,"predicate":{…}}`, already redacted.
    tail: Vec<u8>,
}

/// Feeds what is written into a SHA-512, the hash Ed25519 signs with.
struct Sha512Writer<'h>(&'h mut ed25519_dalek::Sha512);

impl Write for Sha512Writer<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        ed25519_dalek::Digest::update(self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> Receipt<'a> {
    /// The receipt of `report`, made with `input`.
    pub fn new(report: &'a Report, input: &'a ReceiptInput, redactor: &'a Redactor) -> Receipt<'a> {
        let policy_bytes = serde_json::to_vec(&input.policy).expect("a value serializes");
        let resource = input.resource_uri.clone().unwrap_or_else(|| default_resource(report));
        let mut input_attestations = Vec::new();
        // Each signature of the seal that was checked (SSH, minisign).
        for sig in [&report.checks.signature, &report.checks.minisign].into_iter().flatten().filter(|s| s.checked) {
            if let Ok(bytes) = std::fs::read(&sig.file) {
                // A resource descriptor's uri: the file's absolute file:// URL.
                let uri = file_url(Path::new(&sig.file)).unwrap_or_else(|| sig.file.clone());
                input_attestations.push(json!({"uri": uri, "digest": {"sha256": Digest::of(&bytes).to_hex()}}));
            }
        }
        let passed = report.status().is_pass();
        let mut levels = Vec::new();
        if passed {
            levels.push(match report.command.as_str() {
                "check" => "SEALCHECK_CHECKSUMS_VS_BYTES",
                "pin readback" => "SEALCHECK_PIN_READBACK",
                _ => "SEALCHECK_SEAL_VS_BYTES",
            });
            if [&report.checks.signature, &report.checks.minisign].into_iter().flatten().any(|s| s.checked) {
                levels.push("SEALCHECK_SIGNED_SEAL");
            }
        }
        let mut predicate = json!({
            "verifier": {"id": VERIFIER_ID, "version": {"sealcheck": report.tool.version}},
            "timeVerified": report.date,
            "resourceUri": resource,
            "policy": {"uri": POLICY_URI, "digest": {"sha256": Digest::of(&policy_bytes).to_hex()}},
            "inputAttestations": input_attestations,
            "verificationResult": if passed { "PASSED" } else { "FAILED" },
            "verifiedLevels": levels,
            "slsaVersion": "1.0",
        });
        redactor.redact_value(&mut predicate);
        let mut tail = format!(r#","predicateType":{}"#, Value::from(PREDICATE_TYPE)).into_bytes();
        tail.extend_from_slice(br#","predicate":"#);
        serde_json::to_writer(&mut tail, &predicate).expect("a value serializes");
        tail.push(b'}');
        Receipt { report, seal_subjects: &input.seal_subjects, redactor, tail }
    }

    /// Writes the statement, compact JSON with its keys in a fixed order
    /// (`_type`, `subject`, `predicateType`, `predicate`; subjects as the
    /// report lists them; digests by algorithm name), and returns its
    /// length. The same receipt always writes the same bytes.
    pub fn write_statement(&self, w: &mut dyn Write) -> io::Result<u64> {
        let mut w = Counted { inner: w, n: 0 };
        write!(w, r#"{{"_type":{},"subject":["#, Value::from(STATEMENT_TYPE))?;
        let mut first = true;
        let mut subject = |w: &mut Counted, name: &str, digests: &mut dyn Iterator<Item = (&str, &str)>| {
            if !std::mem::take(&mut first) {
                w.write_all(b",")?;
            }
            w.write_all(br#"{"name":"#)?;
            serde_json::to_writer(&mut *w, &self.redactor.redact(name))?;
            w.write_all(br#","digest":"#)?;
            let map: std::collections::BTreeMap<&str, &str> = digests.collect();
            serde_json::to_writer(&mut *w, &map)?;
            w.write_all(b"}")
        };
        for (name, sha256) in self.seal_subjects {
            subject(&mut w, name, &mut std::iter::once(("sha256", sha256.as_str())))?;
        }
        for (name, digests) in self.report.sealed_paths.iter().zip(&self.report.sealed_digests) {
            subject(&mut w, name, &mut digests.iter().map(|(a, h)| (a.name(), h.as_str())))?;
        }
        w.write_all(b"]")?;
        w.write_all(&self.tail)?;
        Ok(w.n)
    }

    /// Writes the receipt to `out`: the statement and a newline, or with
    /// `key` a DSSE envelope of it. The statement is generated again for
    /// each pass a signature needs (its length, Ed25519's two hashes, the
    /// base64 payload) rather than kept. Only Ed25519 keys sign receipts;
    /// an agent-held key signs receipts of at most [`AGENT_MAX_PAYLOAD`]
    /// bytes, since the agent is sent the whole message.
    pub fn write(&self, out: &mut dyn Write, key: Option<&SigningKey>) -> Result<(), Error> {
        let io = |e: io::Error| Error::io(Path::new("<receipt>"), e);
        let Some(key) = key else {
            self.write_statement(out).map_err(io)?;
            return out.write_all(b"\n").map_err(io);
        };
        // write_statement counts what it writes: a sink keeps nothing.
        let len = self.write_statement(&mut io::sink()).map_err(io)?;
        let prefix = pae_prefix(PAYLOAD_TYPE, len);
        let (sig, keyid) = match key {
            SigningKey::File(k) => {
                let ssh_key::private::KeypairData::Ed25519(pair) = k.key_data() else {
                    return Err(Error::Usage("--attest-key: receipts are signed with an Ed25519 key".into()));
                };
                let secret = pair.private.to_bytes();
                let signing = ed25519_dalek::SigningKey::from_bytes(&secret);
                let expanded = ed25519_dalek::hazmat::ExpandedSecretKey::from(&secret);
                // Pure Ed25519 hashes the message twice; both passes are fed
                // the same deterministic bytes.
                let sig = ed25519_dalek::hazmat::raw_sign_byupdate::<ed25519_dalek::Sha512, _>(
                    &expanded,
                    |h| {
                        ed25519_dalek::Digest::update(h, &prefix);
                        self.write_statement(&mut Sha512Writer(h))
                            .map(|_| ())
                            .map_err(|_| ed25519_dalek::SignatureError::new())
                    },
                    &signing.verifying_key(),
                )
                .map_err(|e| Error::Usage(format!("--attest-key: signing failed ({e})")))?;
                (sig.to_bytes().to_vec(), crate::sign::fingerprint(k.public_key().key_data()))
            }
            SigningKey::Agent(pk) => {
                if pk.key_data().ed25519().is_none() {
                    return Err(Error::Usage("--attest-key: receipts are signed with an Ed25519 key".into()));
                }
                if len > AGENT_MAX_PAYLOAD {
                    return Err(Error::Usage(format!(
                        "--attest-key: the statement is {len} bytes, and ssh-agent is sent the whole message \
                         (at most {AGENT_MAX_PAYLOAD}); sign this receipt with a key file"
                    )));
                }
                let mut message = prefix.clone();
                self.write_statement(&mut message).map_err(io)?;
                let sig = crate::agent::sign_raw(pk, &message)?;
                (sig, crate::sign::fingerprint(pk.key_data()))
            }
        };
        let b64 = base64::engine::general_purpose::STANDARD;
        out.write_all(br#"{"payload":""#).map_err(io)?;
        let mut enc = base64::write::EncoderWriter::new(&mut *out, &b64);
        let written = self.write_statement(&mut enc).map_err(io)?;
        enc.finish().map_err(io)?;
        drop(enc);
        if written != len {
            return Err(Error::Usage("the receipt's statement changed between passes".into()));
        }
        let tail = json!({"keyid": keyid, "sig": b64.encode(sig)});
        write!(out, r#"","payloadType":{},"signatures":[{}]}}"#, Value::from(PAYLOAD_TYPE), tail).map_err(io)?;
        out.write_all(b"\n").map_err(io)
    }
}

/// The largest statement an agent-held key signs: OpenSSH's agent reads
/// messages of at most 256 KiB, the DSSE encoding's prefix included.
pub const AGENT_MAX_PAYLOAD: u64 = 256 * 1024 - 1024;

/// A writer that counts what it passes on.
struct Counted<'w> {
    inner: &'w mut dyn Write,
    n: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
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
        let root_dir = crate::fsio::Root::open(root).map_err(|e| Error::io(root, e))?;
        let mut buf = vec![0u8; crate::hash::BUFFER_SIZE];
        for s in &subjects {
            let name = s["name"].as_str().unwrap_or("");
            subjects_checked += 1;
            let digests = s["digest"].as_object().cloned().unwrap_or_default();
            let raw = crate::escape::unescape_bytes(name)
                .ok_or_else(|| bad(path, format!("an escaped subject name, not {name:?}")))?;
            let rel = match crate::RelPath::new(raw) {
                Ok(rel) => rel,
                Err(e) => {
                    let mut f = Finding::new(
                        name.to_string(),
                        FindingClass::MissingFile,
                        "a subject of the receipt names no path inside the packet",
                    );
                    f.proof =
                        Some(format!("the name is not a safe relative path ({e}), so no file of the packet can be it"));
                    findings.push(f);
                    continue;
                }
            };
            let algos: Vec<Algo> = digests.keys().filter_map(|a| Algo::from_name(a)).collect();
            if algos.is_empty() {
                return Err(bad(path, format!("a subject {name:?} with a digest in an algorithm sealcheck computes")));
            }
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
            // Every digest the subject holds must match, in every algorithm.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(files: usize) -> Report {
        let mut r = Report::new("verify", "2026-01-01T00:00:00Z".into());
        for i in 0..files {
            r.sealed_paths.push(format!("dir/file-{i:06}.txt"));
            r.sealed_digests.push(vec![(Algo::Sha256, Digest::of(&i.to_le_bytes()).to_hex())]);
        }
        r.finish(crate::Status::Pass);
        r
    }

    fn key() -> SigningKey {
        let pair = ssh_key::private::Ed25519Keypair::from_seed(&[7u8; 32]);
        SigningKey::File(Box::new(ssh_key::PrivateKey::from(pair)))
    }

    #[test]
    fn the_streamed_signature_is_the_signature_of_the_whole_encoding() {
        let input =
            ReceiptInput { seal_subjects: vec![("HASH_MANIFEST.txt".into(), "ab".repeat(32))], ..Default::default() };
        let report = report(2_000);
        let redactor = Redactor::default();
        let receipt = Receipt::new(&report, &input, &redactor);
        let mut statement = Vec::new();
        let len = receipt.write_statement(&mut statement).unwrap();
        assert_eq!(len, statement.len() as u64);
        let mut out = Vec::new();
        receipt.write(&mut out, Some(&key())).unwrap();
        let env: Value = serde_json::from_slice(&out).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        assert_eq!(b64.decode(env["payload"].as_str().unwrap()).unwrap(), statement);
        // The reference: ed25519-dalek's own one-shot signature over DSSE's PAE.
        let signer = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        use ed25519_dalek::Signer;
        let want = signer.sign(&pae(PAYLOAD_TYPE, &statement));
        assert_eq!(env["signatures"][0]["sig"].as_str().unwrap(), b64.encode(want.to_bytes()));
    }

    /// A packet of `files` (name, bytes), and a passed `verify` report
    /// whose seal lists each with its SHA-256.
    fn packet(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Report) {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Report::new("verify", "2026-01-01T00:00:00Z".into());
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
            r.sealed_paths.push(name.to_string());
            r.sealed_digests.push(vec![(Algo::Sha256, Algo::Sha256.digest(bytes).to_hex())]);
        }
        r.finish(crate::Status::Pass);
        (dir, r)
    }

    fn statement(report: &Report, input: &ReceiptInput) -> Value {
        let mut out = Vec::new();
        Receipt::new(report, input, &Redactor::default()).write(&mut out, None).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    fn allowed(seed: u8) -> AllowedSigner {
        let pair = ssh_key::private::Ed25519Keypair::from_seed(&[seed; 32]);
        AllowedSigner {
            principals: vec!["*".into()],
            key: ssh_key::PrivateKey::from(pair).public_key().clone(),
            namespaces: None,
            valid_after: None,
            valid_before: None,
            line: 1,
        }
    }

    /// Writes `doc` as a receipt file and checks it.
    fn check_doc(doc: &Value, allowed: Option<&[AllowedSigner]>, packet: Option<&Path>) -> Result<Checked, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("receipt.json");
        std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
        check(&path, allowed, packet)
    }

    fn envelope(statement: &[u8], sigs: &[&[u8]]) -> Value {
        let b64 = base64::engine::general_purpose::STANDARD;
        let signatures: Vec<Value> = sigs.iter().map(|s| json!({"keyid": "k", "sig": b64.encode(s)})).collect();
        json!({"payload": b64.encode(statement), "payloadType": PAYLOAD_TYPE, "signatures": signatures})
    }

    fn ed25519_sig(seed: u8, statement: &[u8]) -> Vec<u8> {
        use ed25519_dalek::Signer;
        ed25519_dalek::SigningKey::from_bytes(&[seed; 32]).sign(&pae(PAYLOAD_TYPE, statement)).to_bytes().to_vec()
    }

    fn classes(c: &Checked) -> Vec<FindingClass> {
        c.findings.iter().map(|f| f.classes[0]).collect()
    }

    #[test]
    fn pae_is_dsse_s_encoding_byte_for_byte() {
        assert_eq!(pae("a/b", b"xyz"), b"DSSEv1 3 a/b 3 xyz");
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
        let mut want = b"DSSEv1 28 application/vnd.in-toto+json 12 ".to_vec();
        want.extend_from_slice(&[0u8; 12]);
        assert_eq!(pae(PAYLOAD_TYPE, &[0u8; 12]), want);
    }

    #[test]
    fn the_levels_say_what_passed_and_a_failed_run_claims_none() {
        let (_d, mut r) = packet(&[("a.txt", b"a")]);
        let input = ReceiptInput::default();
        let levels = |r: &Report| statement(r, &input)["predicate"]["verifiedLevels"].clone();
        assert_eq!(levels(&r), json!(["SEALCHECK_SEAL_VS_BYTES"]));
        r.command = "check".into();
        assert_eq!(levels(&r), json!(["SEALCHECK_CHECKSUMS_VS_BYTES"]));
        r.command = "pin readback".into();
        assert_eq!(levels(&r), json!(["SEALCHECK_PIN_READBACK"]));
        assert_eq!(statement(&r, &input)["predicate"]["verificationResult"], "PASSED");
        r.command = "verify".into();
        r.finish(crate::Status::Integrity);
        assert_eq!(levels(&r), json!([]));
        assert_eq!(statement(&r, &input)["predicate"]["verificationResult"], "FAILED");
    }

    #[test]
    fn a_checked_signature_is_an_input_attestation_and_a_level_and_an_unchecked_one_neither() {
        let (d, mut r) = packet(&[("a.txt", b"a")]);
        let sig_file = d.path().join("HASH_MANIFEST.txt.sig");
        std::fs::write(&sig_file, b"signature bytes").unwrap();
        let section = |checked: bool| crate::report::sections::SignatureCheck {
            verdict: checked.then_some(crate::report::Verdict::Pass),
            checked,
            ..crate::report::sections::SignatureCheck::unchecked(
                "ssh",
                sig_file.display().to_string(),
                "HASH_MANIFEST.txt".into(),
            )
        };
        let input = ReceiptInput::default();
        r.checks.signature = Some(section(false));
        let st = statement(&r, &input);
        assert_eq!(st["predicate"]["inputAttestations"], json!([]));
        assert_eq!(st["predicate"]["verifiedLevels"], json!(["SEALCHECK_SEAL_VS_BYTES"]));
        for minisign in [false, true] {
            if minisign {
                r.checks.signature = None;
                r.checks.minisign = Some(section(true));
            } else {
                r.checks.signature = Some(section(true));
            }
            let st = statement(&r, &input);
            let attested = &st["predicate"]["inputAttestations"];
            assert_eq!(attested.as_array().map(Vec::len), Some(1));
            assert_eq!(attested[0]["digest"]["sha256"], Digest::of(b"signature bytes").to_hex());
            assert_eq!(attested[0]["uri"].as_str(), file_url(&sig_file).as_deref());
            assert!(attested[0]["uri"].as_str().is_some_and(|u| u.starts_with("file:///")));
            assert_eq!(st["predicate"]["verifiedLevels"], json!(["SEALCHECK_SEAL_VS_BYTES", "SEALCHECK_SIGNED_SEAL"]));
        }
    }

    #[test]
    fn the_statement_names_its_resource_policy_and_subjects() {
        let (d, mut r) = packet(&[("a.txt", b"a"), ("b.txt", b"b")]);
        r.packet = Some(crate::report::Packet {
            root: d.path().display().to_string(),
            manifest: "HASH_MANIFEST.txt".into(),
            manifest_sha256: None,
            manifest_canonical: None,
            packet_tree_sha256: None,
            sealed_tree_sha256: None,
            file_count: 2,
            byte_count: 2,
            seal_format: None,
            seal_algorithms: Vec::new(),
        });
        let policy = json!({"allow_extra": false});
        let input = ReceiptInput {
            policy: policy.clone(),
            seal_subjects: vec![("HASH_MANIFEST.txt".into(), "cd".repeat(32))],
            ..Default::default()
        };
        let st = statement(&r, &input);
        assert_eq!(st["_type"], STATEMENT_TYPE);
        assert_eq!(st["predicateType"], PREDICATE_TYPE);
        let want = url::Url::from_directory_path(std::fs::canonicalize(d.path()).unwrap()).unwrap().to_string();
        assert_eq!(st["predicate"]["resourceUri"], want);
        assert!(want.ends_with('/'));
        assert_eq!(
            st["predicate"]["policy"]["digest"]["sha256"],
            Digest::of(&serde_json::to_vec(&policy).unwrap()).to_hex()
        );
        assert_eq!(st["predicate"]["timeVerified"], "2026-01-01T00:00:00Z");
        let names: Vec<&str> = st["subject"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["HASH_MANIFEST.txt", "a.txt", "b.txt"]);
        assert_eq!(st["subject"][1]["digest"]["sha256"], Algo::Sha256.digest(b"a").to_hex());
        let given = ReceiptInput { resource_uri: Some("https://example.com/p".into()), ..Default::default() };
        assert_eq!(statement(&r, &given)["predicate"]["resourceUri"], "https://example.com/p");
    }

    #[test]
    fn a_receipt_of_a_packet_unchanged_holds_and_each_subject_is_counted() {
        let (d, r) = packet(&[("a.txt", b"a"), ("b.txt", b"b")]);
        let st = statement(&r, &ReceiptInput::default());
        let c = check_doc(&st, None, Some(d.path())).unwrap();
        assert!(c.findings.is_empty(), "{:?}", c.findings);
        assert_eq!((c.result.as_str(), c.subjects_checked, c.signer.as_deref()), ("PASSED", 2, None));
        let c = check_doc(&st, None, None).unwrap();
        assert_eq!(c.subjects_checked, 0);
    }

    #[test]
    fn each_subject_is_held_to_the_bytes_on_disk_in_every_algorithm_it_names() {
        let (d, r) = packet(&[("a.txt", b"a")]);
        let mut st = statement(&r, &ReceiptInput::default());
        let at = |st: &Value| check_doc(st, None, Some(d.path())).unwrap();
        // Both algorithms right; then the second one wrong.
        st["subject"][0]["digest"]["sha512"] = json!(Algo::Sha512.digest(b"a").to_hex());
        st["subject"][0]["digest"]["x-unknown"] = json!("zz");
        assert!(at(&st).findings.is_empty());
        st["subject"][0]["digest"]["sha512"] = json!(Algo::Sha512.digest(b"b").to_hex());
        let c = at(&st);
        assert_eq!(classes(&c), [FindingClass::EditedContent]);
        assert!(c.findings[0].message.contains("sha512"), "{}", c.findings[0].message);
        // The file changed on disk.
        let st = statement(&r, &ReceiptInput::default());
        std::fs::write(d.path().join("a.txt"), b"A").unwrap();
        assert_eq!(classes(&at(&st)), [FindingClass::EditedContent]);
        // Gone, or a name that can be no path of the packet.
        std::fs::remove_file(d.path().join("a.txt")).unwrap();
        assert_eq!(classes(&at(&st)), [FindingClass::MissingFile]);
        let mut unsafe_name = st.clone();
        unsafe_name["subject"][0]["name"] = json!("../a.txt");
        let c = at(&unsafe_name);
        assert_eq!(classes(&c), [FindingClass::MissingFile]);
        assert_eq!(c.subjects_checked, 1);
        // A subject with no digest sealcheck computes is malformed.
        let mut none = st.clone();
        none["subject"][0]["digest"] = json!({"x-unknown": "zz"});
        assert!(matches!(check_doc(&none, None, Some(d.path())), Err(Error::Malformed { .. })));
    }

    #[test]
    fn a_receipt_is_refused_when_its_statement_is_not_a_passed_summary() {
        let (_d, r) = packet(&[("a.txt", b"a")]);
        let st = statement(&r, &ReceiptInput::default());
        for (field, value) in
            [("_type", "https://in-toto.io/Statement/v0.1"), ("predicateType", "https://slsa.dev/provenance/v1")]
        {
            let mut bad = st.clone();
            bad[field] = json!(value);
            assert!(matches!(check_doc(&bad, None, None), Err(Error::Malformed { .. })), "{field}");
        }
        let mut failed = st.clone();
        failed["predicate"]["verificationResult"] = json!("FAILED");
        let c = check_doc(&failed, None, None).unwrap();
        assert_eq!(classes(&c), [FindingClass::EditedContent]);
        assert_eq!(c.result, "FAILED");
    }

    #[test]
    fn an_envelope_passes_only_with_a_signature_by_an_allowed_key_over_its_encoding() {
        let (_d, r) = packet(&[("a.txt", b"a")]);
        let bytes = serde_json::to_vec(&statement(&r, &ReceiptInput::default())).unwrap();
        let good = ed25519_sig(7, &bytes);
        let seven = [allowed(7)];
        // One good signature, after one that is not base64 and one that is no signature.
        let env = envelope(&bytes, &[b"short", &good]);
        let mut with_junk = env.clone();
        with_junk["signatures"].as_array_mut().unwrap().insert(0, json!({"sig": "%%%"}));
        for doc in [&env, &with_junk] {
            let c = check_doc(doc, Some(&seven), None).unwrap();
            assert!(c.findings.is_empty(), "{:?}", c.findings);
            assert_eq!(c.signer, Some(crate::sign::fingerprint(seven[0].key.key_data())));
        }
        // Among several allowed keys, the one that signed is named.
        let c = check_doc(&env, Some(&[allowed(1), allowed(7)]), None).unwrap();
        assert_eq!(c.signer, Some(crate::sign::fingerprint(seven[0].key.key_data())));
        // Unchecked without an allowed signers file.
        assert_eq!(check_doc(&env, None, None).unwrap().signer, None);
        // Not an allowed key; a signature over other bytes; no signature.
        for (doc, keys) in [
            (env.clone(), [allowed(1)]),
            (envelope(&bytes, &[&ed25519_sig(7, b"other")]), [allowed(7)]),
            (envelope(&bytes, &[]), [allowed(7)]),
        ] {
            let c = check_doc(&doc, Some(&keys), None).unwrap();
            assert_eq!(classes(&c), [FindingClass::SignerNotAllowed]);
            assert_eq!(c.signer, None);
        }
        // Another payload type: red, even signed.
        let mut other = env.clone();
        other["payloadType"] = json!("application/json");
        assert_eq!(classes(&check_doc(&other, None, None).unwrap()), [FindingClass::SignatureInvalid]);
        // A payload that is not base64: malformed.
        let mut garbled = env.clone();
        garbled["payload"] = json!("%%%");
        assert!(matches!(check_doc(&garbled, None, None), Err(Error::Malformed { .. })));
        // An unsigned statement where a signature is required.
        let plain: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(classes(&check_doc(&plain, Some(&seven), None).unwrap()), [FindingClass::SignatureMissing]);
        assert!(check_doc(&plain, None, None).unwrap().findings.is_empty());
    }

    #[test]
    fn an_agent_held_key_is_asked_to_sign_a_statement_up_to_its_cap_and_never_past_it() {
        let SigningKey::File(k) = key() else { unreachable!() };
        let agent = SigningKey::Agent(Box::new(k.public_key().clone()));
        let report = report(10);
        let redactor = Redactor::default();
        let sized = |name_len: u64| ReceiptInput {
            seal_subjects: vec![("n".repeat(name_len as usize), "ab".repeat(32))],
            ..Default::default()
        };
        let len_of =
            |input: &ReceiptInput| Receipt::new(&report, input, &redactor).write_statement(&mut io::sink()).unwrap();
        // OpenSSH's agent reads messages of up to 256 KiB; 1 KiB is left
        // for the request around the message (key blob, flags, lengths).
        assert_eq!(AGENT_MAX_PAYLOAD, 255 * 1024);
        let base = len_of(&sized(1)) - 1;
        let (at_cap, past_cap) = (sized(AGENT_MAX_PAYLOAD - base), sized(AGENT_MAX_PAYLOAD - base + 1));
        assert_eq!((len_of(&at_cap), len_of(&past_cap)), (AGENT_MAX_PAYLOAD, AGENT_MAX_PAYLOAD + 1));
        let refusal = "sign this receipt with a key file";
        let past = Receipt::new(&report, &past_cap, &redactor).write(&mut Vec::new(), Some(&agent)).unwrap_err();
        assert!(past.to_string().contains(refusal), "{past}");
        // At the cap the agent is asked (there is none holding this key
        // here, so that fails, and for another reason).
        let mut out = Vec::new();
        match Receipt::new(&report, &at_cap, &redactor).write(&mut out, Some(&agent)) {
            Err(e) => assert!(!e.to_string().contains(refusal), "{e}"),
            Ok(()) => panic!("an agent signed with a key it was never given"),
        }
        // Only Ed25519 keys sign receipts, from a file or an agent.
        let p256 = ssh_key::PublicKey::from_openssh(
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPhiLSXmL3xc7KS3iVArN2H1XTIUgu\
             61TOAsYhalBEhyOgMjP6ijFcSEXEy4J5QEzxUenkgxN/LfIEYWDBkAFw4=",
        )
        .unwrap();
        let not_ed = SigningKey::Agent(Box::new(p256));
        let e = Receipt::new(&report, &at_cap, &redactor).write(&mut Vec::new(), Some(&not_ed)).unwrap_err();
        assert!(e.to_string().contains("signed with an Ed25519 key"), "{e}");
    }

    #[test]
    fn every_string_is_redacted_before_it_is_written() {
        let mut report = report(1);
        report.sealed_paths[0] = "leak-s3cr3t-value-here.txt".into();
        let input = ReceiptInput {
            resource_uri: Some("https://example.com/?t=s3cr3t-value".into()),
            seal_subjects: vec![("s3cr3t-value.sums".into(), "00".repeat(32))],
            ..Default::default()
        };
        let redactor = Redactor::new(["s3cr3t-value"]);
        let mut out = Vec::new();
        Receipt::new(&report, &input, &redactor).write(&mut out, None).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("s3cr3t"), "{text}");
        serde_json::from_str::<Value>(&text).unwrap();
    }
}
