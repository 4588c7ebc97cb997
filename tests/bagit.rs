//! BagIt fixtures made by the real bagit-python (fixtures/bagit/make.py):
//! sealcheck agrees with bagit-python's verdict on every fixture, and is red
//! where bagit-python is lenient. bagit-python is run live as well, so a
//! change in its behaviour shows here.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{sealcheck, snapshot};
use predicates::str::contains;
use sealcheck::Report;

/// Where bagit-python is lenient and sealcheck is red, by design.
const STRICTER: &[&str] = &["md5-only", "bom-in-manifest", "percent-name", "fetch-txt"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bagit")
}

fn bagit_python_valid(dir: &Path) -> bool {
    let out = Command::new("python3")
        .args([
            "-c",
            "import bagit, sys\ntry:\n    bagit.Bag(sys.argv[1]).validate()\nexcept Exception:\n    sys.exit(1)\n",
        ])
        .arg(dir)
        .output()
        .expect("python3 runs");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("No module named 'bagit'"),
        "bagit-python is not installed: `pip install bagit` (.ci/run does)"
    );
    out.status.success()
}

#[test]
fn every_fixture_agrees_with_bagit_python_or_is_stricter() {
    let expect: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("expect.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (name, spec) in expect.as_object().unwrap() {
        let dir = root().join(name);
        let before = snapshot(&dir);
        let out = sealcheck().arg("verify").arg(&dir).arg("--json").output().unwrap();
        assert_eq!(before, snapshot(&dir), "{name}: modified");
        let code = out.status.code().unwrap();
        let want = spec["exit"].as_i64().unwrap() as i32;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if code != want {
            failures.push(format!("{name}: exit {code}, want {want}: {stderr}"));
        }
        if let Some(class) = spec["class"].as_str() {
            let report: Option<Report> = serde_json::from_slice(&out.stdout).ok();
            let classes: Vec<&str> = report
                .iter()
                .flat_map(|r| r.findings.iter().flat_map(|f| f.classes.iter().map(|c| c.code())))
                .collect();
            if !classes.contains(&class) {
                failures.push(format!("{name}: {class} not in {classes:?}"));
            }
        }
        if let Some(says) = spec["stderr"].as_str() {
            if !stderr.contains(says) {
                failures.push(format!("{name}: stderr lacks {says:?}: {stderr}"));
            }
        }
        let python = bagit_python_valid(&dir);
        let recorded = spec["bagit_python"].as_str().unwrap() == "valid";
        if python != recorded {
            failures.push(format!("{name}: bagit-python now says valid={python}, the fixture recorded {recorded}"));
        }
        let ours = code == 0;
        if ours != python && !(STRICTER.contains(&name.as_str()) && python && !ours) {
            failures.push(format!(
                "{name}: sealcheck valid={ours}, bagit-python valid={python}, not a documented difference"
            ));
        }
        if ours && !python {
            failures.push(format!("{name}: FAIL OPEN where bagit-python is red"));
        }
    }
    assert!(expect.as_object().unwrap().len() >= 16);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lenient_names_only_behind_a_flag_the_report_records_and_weak_algorithms_never_alone() {
    let out = sealcheck()
        .arg("verify")
        .arg(root().join("percent-name"))
        .args(["--bagit-lenient-names", "--json"])
        .assert()
        .code(0);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let bag = report.checks.bagit.unwrap();
    assert_eq!(bag.warnings.len(), 1, "{:?}", bag.warnings);
    let out = sealcheck().arg("verify").arg(root().join("md5-only")).arg("--json").assert().code(2);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let error = report.error.expect("a bag sealed only by md5 cannot be judged");
    assert!(error.message.contains("a weak algorithm never vouches for a file alone"), "{}", error.message);
    sealcheck().arg("verify").arg(root().join("md5-only")).arg("--allow-weak").assert().code(2);
}

#[test]
fn bag_reports_name_oxum_and_diagnose_drift() {
    let out = sealcheck().arg("verify").arg(root().join("tampered-crlf")).arg("--json").assert().code(1);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let f = report.findings.iter().find(|f| f.path == "data/reports/run 7.md").unwrap();
    assert_eq!(f.classes[0].code(), "crlf_drift");
    assert!(f.proof.as_deref().unwrap().starts_with("CRLF→LF reproduces"));
    let out = sealcheck().arg("verify").arg(root().join("v1.0-sha256")).arg("--json").assert().code(0);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let bag = report.checks.bagit.unwrap();
    assert_eq!(bag.version, "1.0");
    assert_eq!(bag.payload_oxum_matches, Some(true));
    assert_eq!(bag.payload_oxum_declared.as_deref(), Some(bag.payload_oxum_actual.as_str()));
    sealcheck()
        .arg("verify")
        .arg(root().join("tampered-oxum"))
        .assert()
        .code(1)
        .stdout(contains("Payload-Oxum declares"));
}

#[test]
fn tree_hash_and_rerun_work_on_bags() {
    let dir = root().join("v1.0-sha512");
    let tree = String::from_utf8(sealcheck().arg("tree-hash").arg(&dir).assert().success().get_output().stdout.clone())
        .unwrap();
    sealcheck()
        .arg("rerun")
        .arg(&dir)
        .args(["--expect-tree", tree.trim()])
        .assert()
        .code(0)
        .stdout(contains("PASS (PACKET_TREE MATCH)"));
    sealcheck()
        .arg("rerun")
        .arg(root().join("tampered-edited"))
        .args(["--expect-tree", tree.trim()])
        .assert()
        .code(1)
        .stdout(contains("FAIL (PACKET_TREE MISMATCH)"));
}

#[test]
fn an_unreadable_payload_file_is_unreadable_not_a_mismatch() {
    let copy = tempfile::tempdir().unwrap();
    let dir = copy.path().join("bag");
    assert!(Command::new("cp").arg("-a").arg(root().join("v1.0-sha256")).arg(&dir).status().unwrap().success());
    assert!(Command::new("chmod").args(["-R", "a+rX"]).arg(copy.path()).status().unwrap().success());
    std::fs::set_permissions(dir.join("data/dump.bin"), std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let as_root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(copy.path()).unwrap()) == 0;
    let mut cmd = if as_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid", "65534", "--regid", "65534", "--clear-groups", "--"])
            .arg(assert_cmd::cargo::cargo_bin("sealcheck"));
        c
    } else {
        Command::new(assert_cmd::cargo::cargo_bin("sealcheck"))
    };
    let out = cmd.arg("verify").arg(&dir).arg("--json").output().unwrap();
    if as_root && String::from_utf8_lossy(&out.stderr).contains("setpriv") {
        common::skipped("unreadable file in a bag: cannot drop to an unprivileged user");
        return;
    }
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    let f = report.findings.iter().find(|f| f.path == "data/dump.bin").unwrap();
    assert_eq!(f.classes[0].code(), "unreadable_file");
}

#[test]
fn every_option_works_on_a_bag_as_on_any_packet() {
    let clean = root().join("v1.0-sha256");
    sealcheck().arg("verify").arg(&clean).arg("--scan-secrets").assert().code(0);
    let out = sealcheck().arg("verify").arg(&clean).args(["--forbid-token", "ok", "--json"]).assert().code(1);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(report.findings.iter().any(|f| f.classes[0].code() == "forbidden_token"), "{:?}", report.findings);
    let extra = root().join("tampered-extra");
    sealcheck().arg("verify").arg(&extra).assert().code(1);
    // Allowed as an extra, the file still counts in the payload, so the
    // declared Payload-Oxum no longer matches: red, on bag-info.txt alone.
    let out = sealcheck().arg("verify").arg(&extra).args(["--allow-extra", "--json"]).assert().code(1);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let red: Vec<&str> = report.findings.iter().filter(|f| !f.allowed).map(|f| f.path.as_str()).collect();
    assert_eq!(red, ["bag-info.txt"]);
    sealcheck().arg("verify").arg(&extra).args(["--exclude", "unlisted.txt"]).assert().code(0);
    let restore = tempfile::tempdir().unwrap();
    let out = sealcheck()
        .arg("verify")
        .arg(root().join("tampered-crlf"))
        .arg("--restore-to")
        .arg(restore.path().join("r"))
        .arg("--json")
        .assert()
        .code(1);
    let report: Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let f = report.findings.iter().find(|f| f.path == "data/reports/run 7.md").unwrap();
    let restored = std::fs::read(f.restored_to.as_ref().unwrap()).unwrap();
    let sealed = std::fs::read(root().join("v1.0-sha256/data/reports/run 7.md")).unwrap();
    assert_eq!(restored, sealed, "the restored bytes are the sealed ones");
}
