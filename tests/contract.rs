//! The contract held everywhere: one case per row of the exit-code table
//! and per finding class, each run through the real binary, asserting the
//! exit code, the class, and a non-empty proof on every finding.

mod common;

use std::path::Path;
use std::process::Command;

use common::{put, sealcheck};
use sealcheck::Report;

/// A sealed packet holding one file of each kind the drift classes need.
fn packet() -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    let r = p.path();
    put(r, b"notes.txt", b"line one\nline two\n");
    put(r, b"doc.json", "{\"name\": \"Zo\u{eb}\", \"ok\": true}\n".as_bytes());
    put(r, b"summary.md", "Result \u{2014} green.\n".as_bytes());
    put(r, b"nfc.txt", "caf\u{e9}\n".as_bytes());
    put(r, b"sub/moved.bin", &[1, 2, 3, 4]);
    put(r, "r\u{e9}sum\u{e9}.md".as_bytes(), b"name\n");
    put(r, b"blob.bin", &[0, 1, 2]);
    sealcheck().arg("seal").arg(r).assert().success();
    p
}

/// A case: what to do to a fresh sealed packet, the verify arguments, and
/// the exit code and class the contract names.
struct Case {
    name: &'static str,
    drift: fn(&Path),
    args: &'static [&'static str],
    exit: i32,
    class: &'static str,
}

fn rewrite(r: &Path, rel: &str, f: impl Fn(&str) -> String) {
    let t = std::fs::read_to_string(r.join(rel)).unwrap();
    std::fs::write(r.join(rel), f(&t)).unwrap();
}

const CASES: &[Case] = &[
    Case { name: "byte-identical", drift: |_| {}, args: &[], exit: 0, class: "" },
    Case {
        name: "edited",
        drift: |r| std::fs::write(r.join("blob.bin"), [9u8]).unwrap(),
        args: &[],
        exit: 1,
        class: "edited_content",
    },
    Case {
        name: "bom",
        drift: |r| rewrite(r, "notes.txt", |t| format!("\u{feff}{t}")),
        args: &[],
        exit: 1,
        class: "bom_prefix",
    },
    Case {
        name: "crlf",
        drift: |r| rewrite(r, "notes.txt", |t| t.replace('\n', "\r\n")),
        args: &[],
        exit: 1,
        class: "crlf_drift",
    },
    Case {
        name: "final newline",
        drift: |r| rewrite(r, "notes.txt", |t| t.trim_end().to_string()),
        args: &[],
        exit: 1,
        class: "trailing_newline_drift",
    },
    Case {
        name: "em dash",
        drift: |r| rewrite(r, "summary.md", |t| t.replace('\u{2014}', "--")),
        args: &[],
        exit: 1,
        class: "emdash_unicode_drift",
    },
    Case {
        name: "nfd",
        drift: |r| rewrite(r, "nfc.txt", |_| "cafe\u{301}\n".to_string()),
        args: &[],
        exit: 1,
        class: "unicode_normalization_drift",
    },
    Case {
        name: "ensure_ascii",
        drift: |r| rewrite(r, "doc.json", |t| t.replace('\u{eb}', "\\u00eb")),
        args: &[],
        exit: 1,
        class: "json_ensure_ascii_drift",
    },
    Case {
        name: "reformat",
        drift: |r| rewrite(r, "doc.json", |_| "{\"name\":\"Zo\u{eb}\",\"ok\":true}\n".to_string()),
        args: &[],
        exit: 1,
        class: "json_reformat_drift",
    },
    Case {
        name: "missing",
        drift: |r| std::fs::remove_file(r.join("notes.txt")).unwrap(),
        args: &[],
        exit: 1,
        class: "missing_file",
    },
    Case {
        name: "extra",
        drift: |r| std::fs::write(r.join("new.txt"), b"x").unwrap(),
        args: &[],
        exit: 1,
        class: "extra_file",
    },
    Case {
        name: "moved",
        drift: |r| std::fs::rename(r.join("sub/moved.bin"), r.join("elsewhere.bin")).unwrap(),
        args: &[],
        exit: 1,
        class: "moved_file",
    },
    Case {
        name: "renamed nfd",
        drift: |r| std::fs::rename(r.join("r\u{e9}sum\u{e9}.md"), r.join("re\u{301}sume\u{301}.md")).unwrap(),
        args: &[],
        exit: 1,
        class: "filename_normalization_drift",
    },
    Case {
        name: "manifest crlf",
        drift: |r| rewrite(r, "HASH_MANIFEST.txt", |t| t.replace('\n', "\r\n")),
        args: &[],
        exit: 1,
        class: "manifest_drift",
    },
    Case {
        name: "fifo",
        drift: |r| assert!(Command::new("mkfifo").arg(r.join("fifo")).status().unwrap().success()),
        args: &[],
        exit: 2,
        class: "unsupported_file_type",
    },
    Case {
        name: "symlink",
        drift: |r| std::os::unix::fs::symlink("notes.txt", r.join("link")).unwrap(),
        args: &[],
        exit: 2,
        class: "unsupported_file_type",
    },
    Case {
        name: "directory where a file is sealed",
        drift: |r| {
            std::fs::remove_file(r.join("blob.bin")).unwrap();
            std::fs::create_dir(r.join("blob.bin")).unwrap();
        },
        args: &[],
        exit: 2,
        class: "unsupported_file_type",
    },
    Case {
        name: "forbidden token",
        drift: |_| {},
        args: &["--forbid-token", "line two"],
        exit: 1,
        class: "forbidden_token",
    },
    Case {
        name: "secret",
        drift: |r| std::fs::write(r.join("notes.txt"), b"key AKIAIOSFODNN7EXAMPLE\n").unwrap(),
        args: &["--scan-secrets"],
        exit: 1,
        class: "secret_leak",
    },
    Case {
        name: "malformed manifest",
        drift: |r| std::fs::write(r.join("HASH_MANIFEST.txt"), b"not a manifest\n").unwrap(),
        args: &[],
        exit: 2,
        class: "",
    },
    Case {
        name: "unsafe path",
        drift: |r| {
            let d = "a".repeat(64);
            std::fs::write(r.join("HASH_MANIFEST.txt"), format!("{d}  ../outside\n")).unwrap()
        },
        args: &[],
        exit: 2,
        class: "",
    },
    Case {
        name: "raw CR in a name",
        drift: |r| {
            let mut m = std::fs::read(r.join("HASH_MANIFEST.txt")).unwrap();
            m.extend_from_slice(format!("{}  late\rname\n", "a".repeat(64)).as_bytes());
            std::fs::write(r.join("HASH_MANIFEST.txt"), m).unwrap()
        },
        args: &[],
        exit: 2,
        class: "",
    },
    Case { name: "bad arguments", drift: |_| {}, args: &["--expect-tree", "xyz"], exit: 2, class: "" },
    Case { name: "missing pins file", drift: |_| {}, args: &["--pins", "/nonexistent/pins.json"], exit: 3, class: "" },
];

#[test]
fn every_row_and_class_of_the_contract_holds_for_verify() {
    let mut failures = Vec::new();
    for c in CASES {
        let p = packet();
        (c.drift)(p.path());
        let out = sealcheck().arg("verify").arg(p.path()).args(c.args).arg("--json").output().unwrap();
        judge_case("verify", c, &out, c.exit, c.class, &mut failures);
        if let Some(report) = report_of(c.name, &out, &mut Vec::new()) {
            assert_eq!(report.final_status == "PASS", report.exit_code == 0, "{}", c.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_class_has_a_stable_code_a_description_and_a_red_status() {
    let codes: std::collections::BTreeSet<&str> = sealcheck::FindingClass::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(codes.len(), sealcheck::FindingClass::ALL.len());
    let contract = [
        "edited_content",
        "bom_prefix",
        "crlf_drift",
        "trailing_newline_drift",
        "emdash_unicode_drift",
        "unicode_normalization_drift",
        "json_ensure_ascii_drift",
        "json_reformat_drift",
        "missing_file",
        "extra_file",
        "moved_file",
        "filename_normalization_drift",
        "changed_while_reading",
        "unreadable_file",
        "unsupported_file_type",
        "manifest_drift",
        "pin_mismatch",
        "pin_missing",
        "forbidden_token",
        "secret_leak",
        "signature_missing",
        "signature_invalid",
        "signer_not_allowed",
    ];
    for c in contract {
        assert!(codes.contains(c), "the contract's class {c} is missing");
    }
    for c in sealcheck::FindingClass::ALL {
        assert!(!c.status().is_pass(), "{} is not red", c.code());
    }
}

#[test]
fn pin_commands_give_the_contract_codes() {
    let p = packet();
    let f = p.path().join("notes.txt");
    let right = common::sha256_hex(&std::fs::read(&f).unwrap());
    sealcheck().args(["pin", "check"]).arg(&f).arg(&right).assert().code(0);
    let out = sealcheck().args(["pin", "check"]).arg(&f).arg("a".repeat(64)).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.findings[0].classes[0].code(), "pin_mismatch");
    let out =
        sealcheck().args(["pin", "check"]).arg(p.path().join("absent")).arg(&right).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.findings[0].classes[0].code(), "pin_missing");
    sealcheck().args(["pin", "check"]).arg(&f).arg("not-hex").assert().code(2);
}

/// What `check` gives for a case `verify` judges: `check` speaks GNU's exit
/// codes (every red run is 1) and judges only the lines listed, so a file
/// the manifest does not list is no concern of it, and a sealed file moved
/// or renamed is a missing line.
fn check_expectation(c: &Case) -> Option<(i32, &'static str)> {
    if !c.args.is_empty() {
        return None; // verify's own options (scans, pins, bad values)
    }
    Some(match c.name {
        // Unlisted entries (a file, a FIFO, a symlink) are not check's to judge.
        "byte-identical" | "extra" | "fifo" | "symlink" => (0, ""),
        "moved" | "renamed nfd" => (1, "missing_file"),
        // Like GNU, check reads CRLF lines as the lines they end; every file
        // listed is still byte-exact, and check seals no tree digest.
        "manifest crlf" => (0, ""),
        "malformed manifest" | "unsafe path" => (1, ""),
        _ => (1, c.class),
    })
}

fn report_of(name: &str, out: &std::process::Output, failures: &mut Vec<String>) -> Option<Report> {
    match serde_json::from_slice::<Report>(&out.stdout) {
        Ok(r) => Some(r),
        Err(e) => {
            failures.push(format!("{name}: no report: {e}: {}", String::from_utf8_lossy(&out.stderr)));
            None
        }
    }
}

fn judge_case(what: &str, c: &Case, out: &std::process::Output, exit: i32, class: &str, failures: &mut Vec<String>) {
    let code = out.status.code().unwrap();
    if code != exit {
        failures.push(format!("{what} {}: exit {code}, want {exit}: {}", c.name, String::from_utf8_lossy(&out.stderr)));
    }
    let Some(report) = report_of(&format!("{what} {}", c.name), out, failures) else { return };
    if report.exit_code as i32 != code {
        failures.push(format!("{what} {}: the report's exit code {} is not the process's", c.name, report.exit_code));
    }
    if !class.is_empty() && !report.findings.iter().any(|f| f.classes.iter().any(|k| k.code() == class)) {
        failures.push(format!("{what} {}: {class} not among {:?}", c.name, report.findings));
    }
    for f in &report.findings {
        if f.proof.as_deref().is_none_or(str::is_empty) {
            failures.push(format!("{what} {}: {} ({:?}) has no proof", c.name, f.path, f.classes));
        }
    }
    if code != 0 && report.findings.is_empty() && report.error.is_none() {
        failures.push(format!("{what} {}: red with neither a finding nor an error", c.name));
    }
}

#[test]
fn every_row_and_class_of_the_contract_holds_for_rerun_and_check_too() {
    let mut failures = Vec::new();
    for c in CASES.iter().filter(|c| c.args.is_empty()) {
        let p = packet();
        let tree = sealcheck::Digest::of(&std::fs::read(p.path().join("HASH_MANIFEST.txt")).unwrap()).to_hex();
        (c.drift)(p.path());
        // rerun judges the packet as verify does, against the recorded tree.
        let out = sealcheck().arg("rerun").arg(p.path()).args(["--expect-tree", &tree, "--json"]).output().unwrap();
        let exit = if c.name == "malformed manifest" || c.name == "unsafe path" { 2 } else { c.exit };
        judge_case("rerun", c, &out, exit, c.class, &mut failures);
        if let Some((exit, class)) = check_expectation(c) {
            let out =
                sealcheck().current_dir(p.path()).args(["check", "HASH_MANIFEST.txt", "--json"]).output().unwrap();
            judge_case("check", c, &out, exit, class, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
