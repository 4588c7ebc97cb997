//! Colour rules, completions, the man page, `--version --verbose`, and
//! `snapshot`/`rehearsal` through the real binary.

mod common;

use common::{put, sample_packet, sealcheck};
use predicates::str::contains;

fn verify_stdout(envs: &[(&str, &str)], args: &[&str]) -> String {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let mut c = sealcheck();
    c.env_remove("NO_COLOR").env_remove("CLICOLOR").env_remove("CLICOLOR_FORCE");
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c.arg("verify").arg(p.path()).args(args).assert().code(0).get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    assert!(!verify_stdout(&[], &[]).contains('\x1b'), "piped output must be plain");
    assert!(verify_stdout(&[], &["--color", "always"]).contains("\x1b["));
    assert!(verify_stdout(&[("CLICOLOR_FORCE", "1")], &[]).contains("\x1b["));
    assert!(!verify_stdout(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]).contains('\x1b'));
    assert!(!verify_stdout(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]).contains('\x1b'));
    assert!(!verify_stdout(&[("CLICOLOR_FORCE", "1")], &["--json"]).contains('\x1b'), "JSON is never coloured");
}

#[test]
fn completions_man_page_and_verbose_version() {
    sealcheck()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(contains("_sealcheck()"))
        .stdout(contains("verify"));
    sealcheck().args(["completions", "zsh"]).assert().success().stdout(contains("#compdef sealcheck"));
    sealcheck().arg("man").assert().success().stdout(contains(".TH sealcheck 1")).stdout(contains("selftest"));
    let backend = sealcheck::digest::sha256_backend();
    sealcheck()
        .args(["--version", "--verbose"])
        .assert()
        .success()
        .stdout(contains(format!("sealcheck {}\nsha256 backend: {backend}\n", env!("CARGO_PKG_VERSION"))));
    sealcheck().arg("--help").assert().success().stdout(contains("Examples:")).stdout(contains("Exit codes: 0 pass"));
}

#[test]
fn snapshot_then_rehearsal() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    put(r, b"before/db/schema.sql", b"create table t (a int);\n");
    put(r, b"apply/db/schema.sql", b"create table t (a int, b int);\n");
    put(r, b"rollback/db/schema.sql", b"create table t (a int);\n");
    sealcheck().current_dir(r).args(["snapshot", "before", "-o", "before.json"]).assert().success();
    let snap: serde_json::Value = serde_json::from_slice(&std::fs::read(r.join("before.json")).unwrap()).unwrap();
    assert_eq!(snap["doc"], "sealcheck-snapshot");
    assert_eq!(snap["file_count"], 1);
    let judge = || {
        let mut c = sealcheck();
        c.current_dir(r).args([
            "rehearsal",
            "--before",
            "before.json",
            "--after-apply",
            "apply",
            "--after-rollback",
            "rollback",
        ]);
        c
    };
    judge().assert().code(0).stdout(contains("rollback restored the before state exactly\nPASS\n"));
    let out = judge().arg("--json").assert().code(0);
    let report: sealcheck::Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let c = report.checks.rehearsal.unwrap();
    assert!(c.after_apply_differs_from_before && c.rollback_restores_expected_state);
    assert_eq!(c.before_hash, c.after_rollback_hash);
    put(r, b"rollback/db/leftover.tmp", b"x");
    judge().assert().code(1).stdout(contains("NOT-RESTORED db/leftover.tmp"));
    sealcheck()
        .current_dir(r)
        .args(["rehearsal", "--before", "before.json", "--after-apply", "before.json", "--after-rollback", "before"])
        .assert()
        .code(1)
        .stdout(contains("apply did NOT change the state"));
    std::fs::write(r.join("bad.json"), "{\"doc\": \"other\"}").unwrap();
    sealcheck()
        .current_dir(r)
        .args(["rehearsal", "--before", "bad.json", "--after-apply", "apply", "--after-rollback", "rollback"])
        .assert()
        .code(2);
}

/// Every subcommand has its own man page with an EXIT STATUS section; the
/// top page names them all; global options have their own help heading.
#[test]
fn every_subcommand_has_a_man_page_with_its_exit_status() {
    for sub in ["seal", "sign", "verify", "check", "rerun", "selftest", "pin readback", "pin check", "attest verify"] {
        let out = sealcheck().args(["man", sub]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{sub}");
        let page = String::from_utf8(out.stdout).unwrap();
        assert!(page.contains(".SH \"EXIT STATUS\""), "{sub}");
        assert!(page.contains(&format!(".TH sealcheck-{}", sub.replace(' ', "-"))), "{sub}");
    }
    let top = String::from_utf8(sealcheck().arg("man").output().unwrap().stdout).unwrap();
    assert!(top.contains("sealcheck-verify\\fR(1)") && top.contains(".SH \"EXIT STATUS\""));
    sealcheck().args(["man", "no-such"]).assert().code(2);
    let help = String::from_utf8(sealcheck().args(["verify", "--help"]).output().unwrap().stdout).unwrap();
    assert!(help.contains("Global options:") && help.contains("Signature:") && help.contains("Receipt:"), "{help}");
}
