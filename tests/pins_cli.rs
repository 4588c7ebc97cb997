//! Pins (`--pins`, `--pin-from`, `pin check`) and forbidden content through
//! the real binary.

mod common;

use common::{put, sample_packet, sealcheck, sha256_hex, snapshot};
use predicates::str::contains;
use sealcheck::Report;

const VALIDATOR: &[u8] = b"#!/usr/bin/env python3\n# hardened validator \xe2\x80\x94 v2\nprint('ok')\n";

/// Two sibling packets: `a` pins a validator that lives in `b`.
fn siblings() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    put(root.path(), b"a/report.md", b"results\n");
    put(root.path(), b"b/tools/validator.py", VALIDATOR);
    let pins = format!(
        r#"{{"pins": [{{"name": "hardened_validator", "path": "../b/tools/validator.py", "sha256": "sha256:{}", "size": {}}}]}}"#,
        sha256_hex(VALIDATOR),
        VALIDATOR.len()
    );
    put(root.path(), b"a/PINS.json", pins.as_bytes());
    sealcheck().arg("seal").arg(root.path().join("a")).assert().success();
    root
}

#[test]
fn referenced_not_duplicated_pins_hold_and_fail_closed() {
    let root = siblings();
    let a = root.path().join("a");
    let pins = a.join("PINS.json");
    sealcheck().arg("verify").arg(&a).arg("--pins").arg(&pins).assert().code(0);

    let validator = root.path().join("b/tools/validator.py");
    let crlf: Vec<u8> = String::from_utf8(VALIDATOR.to_vec()).unwrap().replace('\n', "\r\n").into_bytes();
    std::fs::write(&validator, &crlf).unwrap();
    let before = snapshot(root.path());
    let out = sealcheck().arg("verify").arg(&a).arg("--pins").arg(&pins).arg("--json").assert().code(1);
    assert_eq!(before, snapshot(root.path()));
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let f = &report.findings[0];
    let codes: Vec<&str> = f.classes.iter().map(|c| c.code()).collect();
    assert_eq!(codes, ["pin_mismatch", "crlf_drift"]);
    assert!(f.proof.as_deref().unwrap().starts_with("CRLF→LF reproduces the sealed digest"));
    let pins_section = report.checks.pins.unwrap();
    assert_eq!((pins_section.total, pins_section.ok, pins_section.mismatch), (1, 0, 1));
    assert_eq!(report.checks.seal_vs_bytes.unwrap().verdict, Some(sealcheck::report::Verdict::Pass));

    std::fs::remove_file(&validator).unwrap();
    sealcheck().arg("verify").arg(&a).arg("--pins").arg(&pins).assert().code(1).stdout(contains(
        "PIN         ../b/tools/validator.py: pin \"hardened_validator\": the pinned file is absent [pin_missing]",
    ));
}

#[test]
fn a_pinned_size_is_checked_and_a_symlink_is_not_followed() {
    let root = siblings();
    let a = root.path().join("a");
    let wrong_size = root.path().join("size.json");
    std::fs::write(
        &wrong_size,
        format!(
            r#"{{"pins": [{{"name": "v", "path": "b/tools/validator.py", "sha256": "{}", "size": 1}}]}}"#,
            sha256_hex(VALIDATOR)
        ),
    )
    .unwrap();
    sealcheck()
        .arg("verify")
        .arg(&a)
        .arg("--pins")
        .arg(&wrong_size)
        .assert()
        .code(1)
        .stdout(contains(format!("digest matches but the pinned size 1 differs from {}", VALIDATOR.len())));
    let validator = root.path().join("b/tools/validator.py");
    let moved = root.path().join("b/tools/real.py");
    std::fs::rename(&validator, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &validator).unwrap();
    sealcheck()
        .arg("verify")
        .arg(&a)
        .arg("--pins")
        .arg(a.join("PINS.json"))
        .assert()
        .code(2)
        .stdout(contains("a symbolic link where a regular file is pinned"));
}

#[test]
fn malformed_pins_are_bad_input_named_precisely() {
    let root = siblings();
    let a = root.path().join("a");
    let h = sha256_hex(VALIDATOR);
    for (bad, says) in [
        (h[1..].to_string(), "expected 64 hex characters, found 63"),
        (format!("{h}0"), "found 65"),
        (h.to_uppercase(), "expected lowercase hex"),
        (format!("sha512:{h}"), "algorithm prefix \"sha512\""),
        (format!(" {h}"), "white space"),
    ] {
        let pins = root.path().join("bad.json");
        std::fs::write(&pins, format!(r#"{{"pins": [{{"name": "v", "path": "x", "sha256": "{bad}"}}]}}"#)).unwrap();
        sealcheck().arg("verify").arg(&a).arg("--pins").arg(&pins).assert().code(2).stderr(contains(says));
    }
    let pins = root.path().join("bad.json");
    std::fs::write(&pins, "{\"pins\": [").unwrap();
    sealcheck().arg("verify").arg(&a).arg("--pins").arg(&pins).assert().code(2).stderr(contains("bad.json:1:"));
}

#[test]
fn pin_from_reads_the_digest_recorded_in_a_report() {
    let root = siblings();
    let a = root.path().join("a");
    let doc = root.path().join("preflight.json");
    let validator = root.path().join("b/tools/validator.py");
    std::fs::write(&doc, format!(r#"{{"preflight": {{"hardened_validator_sha256": "{}"}}}}"#, sha256_hex(VALIDATOR)))
        .unwrap();
    let spec = format!("{}#/preflight/hardened_validator_sha256={}", doc.display(), validator.display());
    sealcheck().arg("verify").arg(&a).args(["--pin-from", &spec]).assert().code(0);
    std::fs::write(&validator, b"tampered").unwrap();
    sealcheck()
        .arg("verify")
        .arg(&a)
        .args(["--pin-from", &spec])
        .assert()
        .code(1)
        .stdout(contains("[pin_mismatch, edited_content]"));
    let missing = format!("{}#/preflight/nope={}", doc.display(), validator.display());
    sealcheck()
        .arg("verify")
        .arg(&a)
        .args(["--pin-from", &missing])
        .assert()
        .code(2)
        .stderr(contains("nothing at /preflight/nope"));
}

#[test]
fn pin_check_command() {
    let root = siblings();
    let v = root.path().join("b/tools/validator.py");
    let h = sha256_hex(VALIDATOR);
    sealcheck()
        .args(["pin", "check"])
        .arg(&v)
        .arg(&h)
        .assert()
        .code(0)
        .stdout(format!("PASS {} sha256:{h}\n", v.display()));
    sealcheck().args(["pin", "check"]).arg(&v).arg(format!("sha256:{}", "0".repeat(64))).assert().code(1);
    sealcheck()
        .args(["pin", "check"])
        .arg(root.path().join("nope"))
        .arg(&h)
        .assert()
        .code(1)
        .stdout(contains("[pin_missing]"));
    sealcheck().args(["pin", "check"]).arg(&v).arg(&h[2..]).assert().code(2).stderr(contains("found 62"));
}

#[test]
fn forbidden_tokens_and_secrets_are_red_and_redacted() {
    let p = sample_packet();
    let aws = "AKIAIOSFODNN7EXAMPLE";
    put(p.path(), b"notes/leak.txt", format!("first\nkey={aws}\nINTERNAL-CODENAME here\n").as_bytes());
    sealcheck().arg("seal").arg(p.path()).assert().success();
    sealcheck().arg("verify").arg(p.path()).assert().code(0);
    let tokens = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tokens.path(), "INTERNAL-CODENAME\n\n").unwrap();
    let out = sealcheck()
        .arg("verify")
        .arg(p.path())
        .arg("--scan-secrets")
        .arg("--forbid-tokens")
        .arg(tokens.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("SECRET      notes/leak.txt: line 2: AWS access key id: AKIA… (20 bytes, redacted) [secret_leak]"),
        "{out}"
    );
    assert!(
        out.contains("FORBIDDEN   notes/leak.txt: line 3: forbidden token #1 (17 bytes): (redacted) [forbidden_token]"),
        "{out}"
    );
    assert!(!out.contains(aws) && !out.contains("INTERNAL-CODENAME"), "{out}");
    sealcheck().arg("verify").arg(p.path()).args(["--forbid-token", ""]).assert().code(2);
}

#[test]
fn the_pins_schema_is_printed() {
    let out = sealcheck().args(["schema", "--pins"]).assert().success();
    let schema: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(schema["title"], "PinsFile");
    assert!(schema["$defs"]["PinEntry"]["required"].as_array().unwrap().iter().any(|r| r == "sha256"));
}
