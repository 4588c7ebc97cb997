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
