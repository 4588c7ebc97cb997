//! `rerun` and `selftest` through the real binary.

mod common;

use common::{put, sample_packet, sealcheck, snapshot};
use predicates::str::{contains, ends_with};

fn tree(dir: &std::path::Path) -> String {
    let out = sealcheck().arg("tree-hash").arg(dir).assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap().trim().to_string()
}

#[test]
fn rerun_matches_the_recorded_tree_and_fails_on_any_change() {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let t = tree(p.path());
    let before = snapshot(p.path());
    sealcheck()
        .arg("rerun")
        .arg(p.path())
        .args(["--expect-tree", &t])
        .assert()
        .code(0)
        .stdout(ends_with("PASS (PACKET_TREE MATCH)\n"));
    assert_eq!(before, snapshot(p.path()));
    // Re-sealed after an edit: the manifest matches its files, but not the recorded tree.
    put(p.path(), b"README.md", b"edited and re-sealed\n");
    sealcheck().arg("seal").arg(p.path()).assert().code(1).stderr(contains("refusing to re-seal"));
    sealcheck().arg("seal").arg("--reseal").arg(p.path()).assert().success().stderr(contains("re-sealed README.md"));
    sealcheck()
        .arg("rerun")
        .arg(p.path())
        .args(["--expect-tree", &t])
        .assert()
        .code(1)
        .stdout(contains(format!("recorded packet_tree_sha256 {t} (--expect-tree), found ")))
        .stdout(ends_with("FAIL (PACKET_TREE MISMATCH)\n"));
}

#[test]
fn rerun_reads_the_recorded_value_from_a_report() {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let t = tree(p.path());
    let doc = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(doc.path(), format!(r#"{{"evidence_packet": {{"packet_tree_sha256": "{t}"}}, "other": 1}}"#))
        .unwrap();
    sealcheck().arg("rerun").arg(p.path()).arg("--from-report").arg(doc.path()).assert().code(0);
    sealcheck()
        .arg("rerun")
        .arg(p.path())
        .arg("--from-report")
        .arg(doc.path())
        .args(["--pointer", "/evidence_packet/packet_tree_sha256"])
        .assert()
        .code(0);
    std::fs::write(
        doc.path(),
        format!(r#"{{"a": {{"packet_tree_sha256": "{t}"}}, "b": {{"packet_tree_sha256": "{}"}}}}"#, "0".repeat(64)),
    )
    .unwrap();
    sealcheck()
        .arg("rerun")
        .arg(p.path())
        .arg("--from-report")
        .arg(doc.path())
        .assert()
        .code(2)
        .stderr(contains("2 different values"));
}

#[test]
fn rerun_with_a_mirror_demands_identical_files_except_pinned_ones() {
    let root = tempfile::tempdir().unwrap();
    let local = root.path().join("local");
    let mirror = root.path().join("mirror");
    for dir in [&local, &mirror] {
        put(dir, b"report.md", b"results\n");
        put(dir, b"data.bin", &[1, 2, 3]);
    }
    put(&local, b"tools/validator.py", b"print('v')\n");
    put(root.path(), b"shared/validator.py", b"print('v')\n");
    std::fs::write(
        root.path().join("pins.json"),
        format!(
            r#"{{"pins": [{{"name": "v", "path": "shared/validator.py", "sha256": "{}"}}]}}"#,
            common::sha256_hex(b"print('v')\n")
        ),
    )
    .unwrap();
    sealcheck().arg("seal").arg(&local).assert().success();
    let t = tree(&local);
    let pins = root.path().join("pins.json");
    let run = || {
        let mut c = sealcheck();
        c.arg("rerun").arg(&local).args(["--expect-tree", &t]).arg("--pins").arg(&pins).arg("--mirror").arg(&mirror);
        c
    };
    run().assert().code(0).stdout(contains("mirror: 2 identical, 0 differ, 0 absent, 1 absent but pinned, 0 only in the mirror (3 local files, 2 in the mirror)"));
    let out = run().arg("--json").assert().code(0);
    let report: sealcheck::Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let r = report.checks.rerun.unwrap();
    assert_eq!((r.file_count_local, r.mirror_file_count), (3, Some(2)));
    put(&mirror, b"data.bin", &[1, 2, 4]);
    run().assert().code(1).stdout(contains("data.bin: mirror")).stdout(ends_with("FAIL (PACKET_TREE MATCH)\n"));
}

#[test]
fn selftest_passes_on_this_machine() {
    let out = sealcheck().args(["selftest", "--json"]).assert().code(0);
    let report: sealcheck::Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let s = report.checks.selftest.unwrap();
    assert!(s.passes_on_byte_identical && s.selftest_all_fail_closed);
    let names: Vec<&str> = s.selftest_fail_closed_cases.iter().map(|c| c.code()).collect();
    for required in [
        "edited_content",
        "emdash_unicode_drift",
        "json_ensure_ascii_drift",
        "bom_prefix",
        "crlf_drift",
        "missing_file",
        "extra_file",
        "moved_file",
        "trailing_newline_drift",
        "unicode_normalization_drift",
        "json_reformat_drift",
        "filename_normalization_drift",
        "manifest_drift",
        "pin_mismatch",
    ] {
        assert!(names.contains(&required), "{required} missing from {names:?}");
    }
    sealcheck().arg("selftest").assert().code(0).stdout(ends_with("PASS\n"));
}
