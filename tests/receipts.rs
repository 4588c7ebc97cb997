//! Verification receipts: in-toto Statement v1 with the SLSA VSA v1
//! predicate, DSSE-signed; checked by Python's securesystemslib for real,
//! deterministic, and red when tampered with.

mod common;

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use common::{put, require_tool, sample_packet, sealcheck};

const ID: &str = "ci@example.com";

fn keygen(dir: &Path, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let private = dir.join(name);
    assert!(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", ID, "-f"])
        .arg(&private)
        .status()
        .unwrap()
        .success());
    let allowed = dir.join(format!("{name}.allowed"));
    let public = std::fs::read_to_string(private.with_extension("pub")).unwrap();
    std::fs::write(&allowed, format!("{ID} {public}")).unwrap();
    (private, allowed)
}

fn attest(packet: &Path, receipt: &Path, extra: &[&str]) -> i32 {
    let out = sealcheck().arg("verify").arg(packet).arg("--attest").arg(receipt).args(extra).output().unwrap();
    out.status.code().unwrap()
}

fn check(receipt: &Path, allowed: &Path, packet: &Path) -> (i32, String) {
    let out = sealcheck()
        .args(["attest", "verify"])
        .arg(receipt)
        .arg("--allowed-signers")
        .arg(allowed)
        .arg("--packet")
        .arg(packet)
        .arg("--json")
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_signed_receipt_verifies_with_securesystemslib_and_holds_the_vsa_fields() {
    if !require_tool("ssh-keygen") || !require_tool("python3") {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = keygen(keys.path(), "k");
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let receipt = keys.path().join("receipt.json");
    assert_eq!(
        attest(p.path(), &receipt, &["--attest-key", key.to_str().unwrap(), "--resource-uri", "pkg:packet/evidence@1"]),
        0
    );
    let script = r#"
import json, base64, sys
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
env = json.load(open(sys.argv[1]))
raw = base64.b64decode(open(sys.argv[2]).read().split()[1])[-32:]
key = SSlibKey(env["signatures"][0]["keyid"], "ed25519", "ed25519", {"public": raw.hex()})
Envelope.from_dict(env).verify([key], 1)
st = json.loads(base64.b64decode(env["payload"]))
assert st["_type"] == "https://in-toto.io/Statement/v1"
assert st["predicateType"] == "https://slsa.dev/verification_summary/v1"
p = st["predicate"]
assert p["verificationResult"] == "PASSED" and p["verifier"]["id"] and p["timeVerified"] == "2026-11-21T00:00:00Z"
assert p["resourceUri"] == "pkg:packet/evidence@1"
assert len(p["policy"]["digest"]["sha256"]) == 64
names = [s["name"] for s in st["subject"]]
assert names[0] == "HASH_MANIFEST.txt" and "README.md" in names, names
assert all(len(s["digest"]["sha256"]) == 64 for s in st["subject"])
print("ok")
"#;
    let out =
        Command::new("python3").arg("-c").arg(script).arg(&receipt).arg(key.with_extension("pub")).output().unwrap();
    assert!(
        out.status.success(),
        "securesystemslib rejects the envelope (pip install securesystemslib[crypto]): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, text) = check(&receipt, &allowed, p.path());
    assert_eq!(code, 0, "{text}");
    // The check's report says who signed it and how much was compared.
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["checks"]["receipt"]["signed"], true, "{text}");
    assert!(report["checks"]["receipt"]["keyid"].as_str().unwrap().starts_with("SHA256:"));
    assert!(report["checks"]["receipt"]["subjects"].as_u64().unwrap() >= 3, "{text}");
}

#[test]
fn receipts_are_byte_identical_across_runs_and_thread_counts() {
    let keys = tempfile::tempdir().unwrap();
    let (key, _) = keygen(keys.path(), "k");
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let mut all = Vec::new();
    for threads in ["1", "2", "2"] {
        let r = keys.path().join(format!("r{threads}-{}.json", all.len()));
        let out = sealcheck()
            .args(["--threads", threads, "verify"])
            .arg(p.path())
            .arg("--attest")
            .arg(&r)
            .arg("--attest-key")
            .arg(&key)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        all.push(std::fs::read(&r).unwrap());
    }
    assert!(all.windows(2).all(|w| w[0] == w[1]), "receipts differ");
}

#[test]
fn tampered_receipts_are_red() {
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = keygen(keys.path(), "k");
    let (other, _) = keygen(keys.path(), "other");
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let receipt = keys.path().join("receipt.json");
    assert_eq!(attest(p.path(), &receipt, &["--attest-key", key.to_str().unwrap()]), 0);
    let original: serde_json::Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let statement: serde_json::Value =
        serde_json::from_slice(&b64.decode(original["payload"].as_str().unwrap()).unwrap()).unwrap();
    let with_payload = |st: &serde_json::Value| {
        let mut env = original.clone();
        env["payload"] = b64.encode(serde_json::to_vec(st).unwrap()).into();
        env
    };
    let write = |v: &serde_json::Value| {
        let path = keys.path().join("t.json");
        std::fs::write(&path, serde_json::to_vec(v).unwrap()).unwrap();
        path
    };
    // A changed subject digest, a changed verificationResult: the signature no longer holds.
    let mut st = statement.clone();
    st["subject"][1]["digest"]["sha256"] = "0".repeat(64).into();
    assert_eq!(check(&write(&with_payload(&st)), &allowed, p.path()).0, 1);
    let mut st = statement.clone();
    st["predicate"]["verificationResult"] = "FAILED".into();
    assert_eq!(check(&write(&with_payload(&st)), &allowed, p.path()).0, 1);
    // The payload type swapped.
    let mut env = original.clone();
    env["payloadType"] = "application/json".into();
    let (code, text) = check(&write(&env), &allowed, p.path());
    assert_eq!(code, 1);
    assert!(text.contains("signature_invalid"), "{text}");
    // Re-signed by a key the file does not allow.
    let resigned = keys.path().join("resigned.json");
    assert_eq!(attest(p.path(), &resigned, &["--attest-key", other.to_str().unwrap()]), 0);
    let (code, text) = check(&resigned, &allowed, p.path());
    assert_eq!(code, 1);
    assert!(text.contains("signer_not_allowed"), "{text}");
    // An unsigned statement where a signature is required.
    let unsigned = keys.path().join("unsigned.json");
    assert_eq!(attest(p.path(), &unsigned, &[]), 0);
    let (code, text) = check(&unsigned, &allowed, p.path());
    assert_eq!(code, 1);
    assert!(text.contains("signature_missing"), "{text}");
    // The untouched receipt holds, until the packet drifts.
    assert_eq!(check(&receipt, &allowed, p.path()).0, 0);
    put(p.path(), b"README.md", b"drifted\n");
    let (code, text) = check(&receipt, &allowed, p.path());
    assert_eq!(code, 1);
    assert!(text.contains("edited_content"), "{text}");
    // Duplicate keys in a receipt are bad input.
    std::fs::write(keys.path().join("dup.json"), r#"{"payload": "e30=", "payload": "e30="}"#).unwrap();
    assert_eq!(check(&keys.path().join("dup.json"), &allowed, p.path()).0, 2);
}

#[test]
fn rerun_writes_a_receipt_too() {
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = keygen(keys.path(), "k");
    let p = sample_packet();
    let out = sealcheck().arg("seal").arg(p.path()).output().unwrap();
    let tree = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let receipt = keys.path().join("rerun.json");
    sealcheck()
        .arg("rerun")
        .arg(p.path())
        .args(["--expect-tree", &tree, "--attest"])
        .arg(&receipt)
        .arg("--attest-key")
        .arg(&key)
        .assert()
        .code(0);
    assert_eq!(check(&receipt, &allowed, p.path()).0, 0);
}

/// Loads `receipt` (an envelope or a statement) with the in-toto
/// attestation Python package (its Statement v1 protobuf, parsed strictly,
/// and its own `validate`), and validates the statement against the
/// published Statement v1 and VSA v1 shapes.
fn load_with_in_toto(receipt: &Path) {
    let script = r#"
import base64, json, sys
import jsonschema
from google.protobuf import json_format
import in_toto_attestation.v1.statement_pb2 as spb
from in_toto_attestation.v1.statement import Statement
doc = json.load(open(sys.argv[1]))
st = json.loads(base64.b64decode(doc["payload"])) if "payloadType" in doc else doc
Statement.copy_from_pb(json_format.ParseDict(st, spb.Statement())).validate()
jsonschema.validate(st, json.load(open(sys.argv[2])))
print("ok")
"#;
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/in-toto-statement-v1-vsa-v1.schema.json");
    let out = Command::new("python3").arg("-c").arg(script).arg(receipt).arg(schema).output().unwrap();
    assert!(
        out.status.success(),
        "{}: the in-toto package or the published shapes refuse it: {}",
        receipt.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn receipts_of_every_judging_command_load_with_in_toto_and_match_the_published_shapes() {
    if !require_tool("python3") || !require_tool("ssh-keygen") {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, _) = keygen(keys.path(), "k");
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let r = keys.path();
    // verify, signed and unsigned, green and red.
    assert_eq!(attest(p.path(), &r.join("v.json"), &["--attest-key", key.to_str().unwrap()]), 0);
    assert_eq!(attest(p.path(), &r.join("u.json"), &[]), 0);
    // check.
    std::fs::write(r.join("SUMS"), sha256sum_lines(p.path())).unwrap();
    sealcheck()
        .current_dir(p.path())
        .arg("check")
        .arg(r.join("SUMS"))
        .arg("--attest")
        .arg(r.join("c.json"))
        .assert()
        .code(0);
    // pin readback.
    put(r, b"doc.json", br#"{"rows": [{"name": "v", "image_digest": "sha256:4ad0a4ab26eb5b9d9d0cbfe3fe9c6a9ff4e9c4d6b1a0ac2f1f4aa05fb4a8f9fb"}]}"#);
    sealcheck()
        .args(["pin", "readback", "--from-file"])
        .arg(r.join("doc.json"))
        .args(["--rows", "/rows", "--where", "name=v", "--expect"])
        .arg("sha256:4ad0a4ab26eb5b9d9d0cbfe3fe9c6a9ff4e9c4d6b1a0ac2f1f4aa05fb4a8f9fb")
        .arg("--attest")
        .arg(r.join("p.json"))
        .assert()
        .code(0);
    put(p.path(), b"README.md", b"drifted\n");
    assert_eq!(attest(p.path(), &r.join("f.json"), &[]), 1);
    for name in ["v.json", "u.json", "c.json", "p.json", "f.json"] {
        load_with_in_toto(&r.join(name));
    }
    let failed: serde_json::Value = serde_json::from_slice(&std::fs::read(r.join("f.json")).unwrap()).unwrap();
    assert_eq!(failed["predicate"]["verificationResult"], "FAILED");
    assert_eq!(failed["predicate"]["verifiedLevels"], serde_json::json!([]));
}

/// The packet's files as `sha256sum` lines, names relative to the packet.
fn sha256sum_lines(root: &Path) -> String {
    let out = Command::new("sh")
        .current_dir(root)
        .arg("-c")
        .arg("find . -type f ! -name HASH_MANIFEST.txt -printf '%P\\0' | sort -z | xargs -0 sha256sum")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_writes_a_receipt_of_every_line_and_of_the_manifest_read() {
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = keygen(keys.path(), "k");
    let p = sample_packet();
    let lines = sha256sum_lines(p.path());
    let files = lines.lines().count();
    assert!(files >= 3);
    put(p.path(), b"SHA256SUMS", lines.as_bytes());
    for format in ["human", "json"] {
        let receipt = keys.path().join(format!("check-{format}.json"));
        let out = sealcheck()
            .current_dir(p.path())
            .args(["check", "SHA256SUMS", "--format", format, "--attest"])
            .arg(&receipt)
            .arg("--attest-key")
            .arg(&key)
            .env("SOURCE_DATE_EPOCH", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let env: serde_json::Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let st: serde_json::Value =
            serde_json::from_slice(&b64.decode(env["payload"].as_str().unwrap()).unwrap()).unwrap();
        let subjects = st["subject"].as_array().unwrap();
        // The manifest first, with the SHA-256 of the bytes read; then every line.
        assert_eq!(subjects.len(), files + 1, "{format}: {subjects:?}");
        assert_eq!(subjects[0]["name"], "SHA256SUMS");
        let manifest = std::fs::read(p.path().join("SHA256SUMS")).unwrap();
        assert_eq!(subjects[0]["digest"]["sha256"], sealcheck::Digest::of(&manifest).to_hex());
        assert_eq!(st["predicate"]["verifiedLevels"], serde_json::json!(["SEALCHECK_CHECKSUMS_VS_BYTES"]));
        assert_eq!(check(&receipt, &allowed, p.path()).0, 0, "{format}");
        // The run says what it wrote: on stderr beside GNU's stdout, in the report.
        if format == "human" {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(&format!("{} subjects, signed by SHA256:", files + 1)), "{err}");
        } else {
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(report["checks"]["receipt"]["signed"], true);
            assert_eq!(report["checks"]["receipt"]["subjects"], files as u64 + 1);
        }
    }
    // Unsigned: the report says so.
    let out = sealcheck()
        .current_dir(p.path())
        .args(["check", "SHA256SUMS", "--json", "--attest"])
        .arg(keys.path().join("unsigned.json"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checks"]["receipt"]["signed"], false);
    assert!(report["checks"]["receipt"].get("keyid").is_none());
    // The same manifest on standard input is named "-", with the same digest.
    let receipt = keys.path().join("stdin.json");
    sealcheck()
        .current_dir(p.path())
        .args(["check", "--attest"])
        .arg(&receipt)
        .write_stdin(lines.clone())
        .assert()
        .code(0);
    let st: serde_json::Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    assert_eq!(st["subject"][0]["name"], "-");
    assert_eq!(st["subject"][0]["digest"]["sha256"], sealcheck::Digest::of(lines.as_bytes()).to_hex());
    // A red check writes a FAILED receipt, and the receipt is red once the bytes drift.
    let receipt = keys.path().join("check-human.json");
    put(p.path(), b"README.md", b"drifted\n");
    let failed = keys.path().join("failed.json");
    sealcheck().current_dir(p.path()).args(["check", "SHA256SUMS", "--attest"]).arg(&failed).assert().code(1);
    let st: serde_json::Value = serde_json::from_slice(&std::fs::read(&failed).unwrap()).unwrap();
    assert_eq!(st["predicate"]["verificationResult"], "FAILED");
    let (code, text) = check(&receipt, &allowed, p.path());
    assert_eq!(code, 1);
    assert!(text.contains("edited_content"), "{text}");
    // A manifest named outside the directory checked is no file of it: its
    // subject is red against the packet, never skipped.
    let outside = keys.path().join("SUMS");
    std::fs::write(&outside, sha256sum_lines(p.path())).unwrap();
    let receipt = keys.path().join("outside.json");
    sealcheck()
        .current_dir(p.path())
        .arg("check")
        .arg(&outside)
        .arg("--attest")
        .arg(&receipt)
        .arg("--attest-key")
        .arg(&key)
        .assert()
        .code(0);
    let (code, text) = check(&receipt, &allowed, p.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("names no path inside the packet"), "{text}");
}

#[test]
fn pin_readback_writes_a_receipt_with_the_token_redacted_before_signing() {
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = keygen(keys.path(), "k");
    let token = "tok-3f9a1c7e5b2d8f6a4c0e";
    let digest = "sha256:4ad0a4ab26eb5b9d9d0cbfe3fe9c6a9ff4e9c4d6b1a0ac2f1f4aa05fb4a8f9fb";
    let doc = keys.path().join("doc.json");
    std::fs::write(&doc, format!(r#"{{"rows": [{{"name": "{token}", "image_digest": "{digest}"}}]}}"#)).unwrap();
    let receipt = keys.path().join("readback.json");
    let out = sealcheck()
        .args(["pin", "readback", "--from-file"])
        .arg(&doc)
        .args(["--token-env", "RB_TOKEN", "--rows", "/rows", "--where"])
        .arg(format!("name={token}"))
        .args(["--expect", digest, "--attest"])
        .arg(&receipt)
        .arg("--attest-key")
        .arg(&key)
        .env("RB_TOKEN", token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&receipt).unwrap();
    let env: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64.decode(env["payload"].as_str().unwrap()).unwrap();
    for (what, hay) in [("receipt", &bytes), ("payload", &payload)] {
        assert!(!String::from_utf8_lossy(hay).contains(token), "the token is in the {what}");
    }
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["subject"][0]["digest"]["sha256"], &digest["sha256:".len()..]);
    assert_eq!(st["predicate"]["verifiedLevels"], serde_json::json!(["SEALCHECK_PIN_READBACK"]));
    assert!(st["predicate"]["resourceUri"].as_str().unwrap().starts_with("file:///"));
    // Redacted before signing: the signature covers the bytes the file holds.
    let out =
        sealcheck().args(["attest", "verify"]).arg(&receipt).arg("--allowed-signers").arg(&allowed).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn an_agent_held_key_signs_a_receipt() {
    if !require_tool("ssh-agent") || !require_tool("ssh-add") || !require_tool("python3") {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = keygen(keys.path(), "k");
    let agent = common::Agent::holding(&key);
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let (by_agent, by_file) = (keys.path().join("agent.json"), keys.path().join("file.json"));
    let out = sealcheck()
        .arg("verify")
        .arg(p.path())
        .arg("--attest")
        .arg(&by_agent)
        .arg("--attest-key")
        .arg(key.with_extension("pub"))
        .env("SSH_AUTH_SOCK", &agent.sock)
        .output()
        .unwrap();
    drop(agent);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(check(&by_agent, &allowed, p.path()).0, 0);
    // Ed25519 is deterministic: the agent's envelope is the key file's, byte for byte.
    assert_eq!(attest(p.path(), &by_file, &["--attest-key", key.to_str().unwrap()]), 0);
    assert_eq!(std::fs::read(&by_agent).unwrap(), std::fs::read(&by_file).unwrap());
}

#[test]
fn a_bag_receipt_names_its_tag_manifest_first_and_every_file_once() {
    if !require_tool("bagit.py") {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let bag = tempfile::tempdir().unwrap();
    put(bag.path(), b"a.txt", b"alpha\n");
    put(bag.path(), b"sub/b.txt", b"beta\n");
    let made = Command::new("bagit.py").args(["--quiet", "--sha256", "--sha512"]).arg(bag.path()).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let receipt = keys.path().join("bag.json");
    assert_eq!(attest(bag.path(), &receipt, &[]), 0);
    let st: serde_json::Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    let names: Vec<&str> = st["subject"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names[0], "tagmanifest-sha512.txt", "{names:?}");
    let tag = std::fs::read(bag.path().join("tagmanifest-sha512.txt")).unwrap();
    assert_eq!(st["subject"][0]["digest"]["sha256"], sealcheck::Digest::of(&tag).to_hex());
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "a subject is listed twice: {names:?}");
    assert!(names.contains(&"data/sub/b.txt") && names.contains(&"bagit.txt"), "{names:?}");
    // Payload files carry every digest the bag holds for them.
    let b = st["subject"].as_array().unwrap().iter().find(|s| s["name"] == "data/sub/b.txt").unwrap();
    assert!(b["digest"]["sha256"].is_string() && b["digest"]["sha512"].is_string(), "{b}");
    let out = sealcheck().args(["attest", "verify"]).arg(&receipt).arg("--packet").arg(bag.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    put(bag.path(), b"data/sub/b.txt", b"drifted\n");
    let out = sealcheck()
        .args(["attest", "verify"])
        .arg(&receipt)
        .arg("--packet")
        .arg(bag.path())
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("edited_content"));
}

#[test]
fn a_checked_seal_signature_is_the_receipts_input_attestation() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = keygen(keys.path(), "k");
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).arg("--sign").arg(&key).assert().success();
    let receipt = keys.path().join("signed-seal.json");
    let args = ["--allowed-signers", allowed.to_str().unwrap()];
    assert_eq!(attest(p.path(), &receipt, &args), 0);
    let st: serde_json::Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    let inputs = st["predicate"]["inputAttestations"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    let uri = inputs[0]["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///") && uri.ends_with("/HASH_MANIFEST.txt.sig"), "{uri}");
    let sig = std::fs::read(p.path().join("HASH_MANIFEST.txt.sig")).unwrap();
    assert_eq!(inputs[0]["digest"]["sha256"], sealcheck::Digest::of(&sig).to_hex());
    assert_eq!(
        st["predicate"]["verifiedLevels"],
        serde_json::json!(["SEALCHECK_SEAL_VS_BYTES", "SEALCHECK_SIGNED_SEAL"])
    );
    // Unchecked, the same signature is no input and no level.
    let plain = keys.path().join("plain.json");
    assert_eq!(attest(p.path(), &plain, &[]), 0);
    let st: serde_json::Value = serde_json::from_slice(&std::fs::read(&plain).unwrap()).unwrap();
    assert_eq!(st["predicate"]["inputAttestations"], serde_json::json!([]));
    assert_eq!(st["predicate"]["verifiedLevels"], serde_json::json!(["SEALCHECK_SEAL_VS_BYTES"]));
}
