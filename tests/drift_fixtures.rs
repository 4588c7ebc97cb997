//! Drift fixtures made by the real tools (fixtures/drift/make.sh): each is
//! diagnosed as its class, stays red, and restores to the sealed bytes.

mod common;

use std::path::Path;
use std::process::Command;

use common::{put, sealcheck, snapshot};
use sealcheck::Report;

fn cases() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drift");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.strip_suffix(".expect")?.to_string();
            Some((name, std::fs::read_to_string(&p).unwrap().trim().to_string()))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_real_tool_fixture_is_diagnosed_as_its_class_and_restores_to_the_seal() {
    let cases = cases();
    assert!(cases.len() >= 8, "fixtures missing: {cases:?}");
    for (name, class) in cases {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drift").join(&name);
        let before = snapshot(&dir);
        let restore = tempfile::tempdir().unwrap();
        let out = sealcheck()
            .arg("verify")
            .arg(&dir)
            .arg("--json")
            .arg("--restore-to")
            .arg(restore.path().join("r"))
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        assert_eq!(before, snapshot(&dir), "{name}: the packet was modified");
        let report: Report = serde_json::from_slice(&out).unwrap();
        assert_eq!(report.findings.len(), 1, "{name}: {:?}", report.findings);
        let f = &report.findings[0];
        let codes: Vec<&str> = f.classes.iter().map(|c| c.code()).collect();
        assert_eq!(codes[0], class, "{name}: {codes:?}");
        assert!(
            f.proof.as_deref().is_some_and(|p| p.contains("reproduces the sealed digest")),
            "{name}: {:?}",
            f.proof
        );
        assert!(f.hint.is_some(), "{name}");
        let restored = std::fs::read(f.restored_to.as_ref().expect("restored")).unwrap();
        assert_eq!(Some(common::sha256_hex(&restored)), f.expected_sha256, "{name}: restored bytes");
    }
}

#[test]
fn a_live_git_checkout_with_autocrlf_is_crlf_drift() {
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    let packet = repo.join("packet");
    put(&packet, b"run.sh", b"#!/bin/sh\necho one\necho two\n");
    put(&packet, b"data.bin", &[0, 10, 13, 10, 255]);
    put(&packet, b".gitattributes", b"*.bin binary\n");
    sealcheck().arg("seal").arg(&packet).assert().success();
    let git = |args: &[&str], cwd: &Path| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(cwd)
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"], &repo);
    git(&["add", "."], &repo);
    git(&["commit", "-qm", "packet"], &repo);
    let clone = work.path().join("clone");
    git(&["-c", "core.autocrlf=true", "clone", "-q", repo.to_str().unwrap(), clone.to_str().unwrap()], work.path());
    let out = sealcheck().arg("verify").arg(clone.join("packet")).arg("--json").assert().code(1);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let flagged: Vec<(&str, Vec<&str>)> =
        report.findings.iter().map(|f| (f.path.as_str(), f.classes.iter().map(|c| c.code()).collect())).collect();
    // The manifest itself and run.sh were converted; data.bin was not.
    assert_eq!(
        flagged,
        [
            (".gitattributes", vec!["crlf_drift"]),
            ("HASH_MANIFEST.txt", vec!["manifest_drift", "crlf_drift"]),
            ("run.sh", vec!["crlf_drift"])
        ]
    );
}
