//! Safety by construction, probed as an attacker would: each class of
//! docs/security.md ("the doors") has cases here. Every case asserts the
//! exit code, the class or message, that the packet is unchanged, that no
//! run panics or takes 10 s, and that a sentinel secret appears in no
//! output (stdout, stderr, the report file) of any format.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use common::{put, sample_packet, sealcheck, snapshot};
use proptest::prelude::*;
use sealcheck::redact::WINDOW;

const FORMATS: [&str; 4] = ["human", "json", "github", "junit"];

/// Runs the binary with `args` (and `env`) once per format, each with a
/// `--report`, and returns every output of every run, joined.
fn every_format(args: &[&str], env: &[(&str, &str)], want_code: i32) -> String {
    let mut all = String::new();
    for format in FORMATS {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("r.json");
        let start = Instant::now();
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("sealcheck"));
        cmd.args(args).args(["--format", format, "--report"]).arg(&report).env("SOURCE_DATE_EPOCH", "1795219200");
        cmd.env_remove("GITHUB_STEP_SUMMARY");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(start.elapsed() < common::HANG, "{args:?} took {:?}", start.elapsed());
        let text = texts(&out);
        assert_eq!(out.status.code(), Some(want_code), "{format} {args:?}: {text}");
        assert!(!text.contains("panicked"), "{text}");
        let written = std::fs::read_to_string(&report).expect("--report is written whatever happened");
        let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(doc["exit_code"], want_code, "{written}");
        all.push_str(&text);
        all.push_str(&written);
    }
    all
}

fn texts(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// No run of [`WINDOW`] bytes of `secret` stands anywhere in `text`.
fn holds_no_part_of(text: &str, secret: &str) -> bool {
    let t = text.as_bytes();
    secret.as_bytes().windows(WINDOW.min(secret.len())).all(|w| !t.windows(w.len()).any(|x| x == w))
}

/// No byte a terminal would act on: C0 controls but LF and TAB, ESC, DEL,
/// C1 and bidi controls.
fn is_inert(text: &str) -> bool {
    text.chars().all(|c| !(sealcheck::escape::is_invisible_control(c) || c.is_control() && c != '\n' && c != '\t'))
}

// ---- secrets in output ----------------------------------------------------

/// ASCII, as an HTTP header must be, with a space and a tab to trim and
/// fold (non-ASCII secrets are in the property test below).
const SECRET: &str = "sk-live 9f\tT0k3n-with-spaces-0123456789";

fn readback_args<'a>(url: &'a str, expect: &'a str) -> Vec<&'a str> {
    vec![
        "pin",
        "readback",
        "--url",
        url,
        "--token-env",
        "PROBE_TOKEN",
        "--rows",
        "/rows",
        "--field",
        "image_digest",
        "--where",
        "k=v",
        "--expect",
        expect,
    ]
}

#[test]
fn a_token_echoed_whole_cut_folded_or_as_a_field_never_leaks() {
    let d = "a".repeat(64);
    let server = common::http::start(SECRET.to_string(), d.clone());
    for (path, code) in [("/status/403", 3), ("/status/403-cut", 3), ("/status/403-folded", 3), ("/field-echo", 2)] {
        let url = format!("{}{path}", server.base);
        let all = every_format(&readback_args(&url, &d), &[("PROBE_TOKEN", SECRET)], code);
        assert!(holds_no_part_of(&all, SECRET), "{path}: the token leaked:\n{all}");
        assert!(holds_no_part_of(&all, SECRET.trim()), "{path}");
    }
}

#[test]
fn credentials_in_a_url_are_refused_before_anything_is_sent() {
    let server = common::http::start("t".into(), "a".repeat(64));
    let url = server.base.replace("http://", "http://user:pa55-w0rd-secret-value@") + "/pins";
    let all = every_format(&readback_args(&url, &"a".repeat(64)), &[("PROBE_TOKEN", "a-real-looking-token-42")], 2);
    assert!(all.contains("carries credentials"), "{all}");
    assert!(holds_no_part_of(&all, "pa55-w0rd-secret-value"), "{all}");
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing may be sent");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random secrets (spaces, tabs, non-ASCII, any length from 8) echoed at
    /// random places of random bodies: no output of any format holds any
    /// 12-byte run of the secret.
    #[test]
    fn no_output_holds_any_run_of_a_random_secret(
        secret in "[ a-zA-Z0-9\t\u{e9}\u{4e2d}._-]{8,60}",
        before in "[a-z ]{0,300}",
        cut in 0usize..60,
    ) {
        prop_assume!(!secret.trim().is_empty());
        let dir = tempfile::tempdir().unwrap();
        let body = dir.path().join("body.json");
        let part: String = secret.chars().take(cut.max(12)).collect();
        let doc = serde_json::json!({
            "rows": [{"k": "v", "image_digest": format!("{before}{secret}{before}"), "note": part}],
            "echo": format!("{before}{secret}"),
        });
        std::fs::write(&body, doc.to_string()).unwrap();
        let expect = "a".repeat(64);
        let b = body.to_str().unwrap();
        let args = ["pin", "readback", "--from-file", b, "--token-env", "PROBE_TOKEN", "--rows", "/rows", "--field", "image_digest", "--where", "k=v", "--expect", &expect];
        let all = every_format(&args, &[("PROBE_TOKEN", &secret)], 2);
        prop_assert!(holds_no_part_of(&all, &secret), "leaked {:?}:\n{}", secret, all);
    }

    /// The display function leaves nothing a terminal acts on, and loses
    /// nothing.
    #[test]
    fn display_escaping_is_inert_and_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..200), text in "\\PC{0,40}") {
        let mut all = bytes.clone();
        all.extend_from_slice(text.as_bytes());
        all.extend_from_slice("\u{202e}\u{9b}\u{1b}[2J\r".as_bytes());
        let shown = sealcheck::escape::escape_bytes(&all);
        prop_assert!(shown.chars().all(|c| !c.is_control() && !sealcheck::escape::is_invisible_control(c)), "{:?}", shown);
        prop_assert_eq!(sealcheck::escape::unescape_bytes(&shown), Some(all));
    }
}

// ---- inputs named on the command line -------------------------------------

/// Special files and links handed to every flag that reads a file.
#[test]
fn every_input_flag_refuses_fifos_links_and_devices_unread() {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let real = dir.path().join("real.json");
    std::fs::write(&real, r#"{"pins": []}"#).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let before = snapshot(p.path());
    let packet = p.path().to_str().unwrap().to_string();
    let expect = "a".repeat(64);
    for bad in [fifo.as_path(), link.as_path(), Path::new("/dev/zero")] {
        let b = bad.to_str().unwrap();
        let pin_from = format!("{b}#/x=README.md");
        let cases: Vec<Vec<&str>> = vec![
            vec!["verify", &packet, "--pins", b],
            vec!["verify", &packet, "--pin-from", &pin_from],
            vec!["verify", &packet, "--forbid-tokens", b],
            vec!["verify", &packet, "--manifest", b],
            vec!["rerun", &packet, "--from-report", b],
            vec!["rehearsal", "--before", b, "--after-apply", &packet, "--after-rollback", &packet],
            vec!["pin", "readback", "--from-file", b, "--rows", "/r", "--field", "f", "--expect", &expect],
        ];
        for args in cases {
            let start = Instant::now();
            let out = sealcheck().args(&args).output().unwrap();
            assert!(start.elapsed() < common::HANG, "{args:?} blocked");
            let code = out.status.code().unwrap();
            assert!(code == 2, "{args:?}: exit {code}: {}", texts(&out));
            let text = texts(&out);
            assert!(
                text.contains("regular file")
                    || text.contains("FIFO")
                    || text.contains("symbolic link")
                    || text.contains("device"),
                "{args:?}: {text}"
            );
        }
        let start = Instant::now();
        let out = sealcheck().current_dir(p.path()).args(["check", b]).output().unwrap();
        assert!(start.elapsed() < common::HANG, "check {b} blocked");
        assert_eq!(out.status.code(), Some(1), "check speaks GNU's codes: {}", texts(&out));
    }
    assert_eq!(before, snapshot(p.path()), "the packet was modified");
}

// ---- memory that grows with bad input -------------------------------------

#[test]
fn megabytes_of_bad_lines_are_refused_quickly_with_a_count() {
    let p = sample_packet();
    std::fs::write(p.path().join("HASH_MANIFEST.txt"), vec![b'\n'; 8 << 20]).unwrap();
    let start = Instant::now();
    let out = sealcheck().arg("verify").arg(p.path()).output().unwrap();
    assert!(start.elapsed() < common::HANG, "8 MiB of bad lines took {:?}", start.elapsed());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("… and {} more malformed lines", (8 << 20) - 20)), "{err}");
}

// ---- bytes shown raw to a person ------------------------------------------

#[test]
fn control_and_bidi_bytes_in_names_and_contents_reach_no_person() {
    let p = sample_packet();
    let r = p.path();
    sealcheck().arg("seal").arg(r).assert().success();
    let mirror = tempfile::tempdir().unwrap();
    std::fs::copy(r.join("report.json"), mirror.path().join("report.json")).unwrap();
    put(r, "evil\u{1b}[2J\rPASS\u{202e}txt.exe\u{9b}".as_bytes(), b"x\n");
    put(r, b"report.json", "{\"verdict\": \"PASS\u{1b}[31m\u{2066}\", \"count\": 3}\n".as_bytes());
    let packet = r.to_str().unwrap();
    let against = mirror.path().to_str().unwrap();
    for format in FORMATS.iter().filter(|f| **f != "json") {
        let out = sealcheck().args(["verify", packet, "--against", against, "--format", format]).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = texts(&out);
        assert!(is_inert(&text), "{format}: raw control bytes reached a person:\n{text:?}");
        assert!(!text.lines().any(|l| l.trim() == "PASS"), "{format}: a line reads PASS on its own");
    }
    let bad = r.join("bad\rname");
    let out = sealcheck().arg("verify").arg(&bad).output().unwrap();
    assert!(is_inert(&texts(&out)), "stderr carried a raw CR: {:?}", texts(&out));
}

// ---- documents trusted instead of recomputed ------------------------------

#[test]
fn duplicate_keys_are_refused_in_every_json_input() {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let dir = tempfile::tempdir().unwrap();
    let dup = dir.path().join("dup.json");
    let d = "a".repeat(64);
    std::fs::write(&dup, format!(r#"{{"pins": [], "packet_tree_sha256": "{d}", "packet_tree_sha256": "{d}", "rows": [{{"k": "v", "f": "sha256:{d}", "f": "x"}}]}}"#)).unwrap();
    let dup_s = dup.to_str().unwrap();
    let packet = p.path().to_str().unwrap();
    let pin_from = format!("{dup_s}#/packet_tree_sha256=README.md");
    for args in [
        vec!["verify", packet, "--pins", dup_s],
        vec!["verify", packet, "--pin-from", &pin_from],
        vec!["rerun", packet, "--from-report", dup_s],
        vec!["rehearsal", "--before", dup_s, "--after-apply", packet, "--after-rollback", packet],
        vec![
            "pin",
            "readback",
            "--from-file",
            dup_s,
            "--rows",
            "/rows",
            "--where",
            "k=v",
            "--field",
            "f",
            "--expect",
            &d,
        ],
    ] {
        let out = sealcheck().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", texts(&out));
        assert!(texts(&out).contains("duplicate key"), "{args:?}: {}", texts(&out));
    }
}

#[test]
fn a_snapshot_whose_declared_digest_is_not_its_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("t");
    put(&tree, b"a.txt", b"a\n");
    let out = sealcheck().arg("snapshot").arg(&tree).output().unwrap();
    let mut snap: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    snap["tree_sha256"] = serde_json::Value::String("b".repeat(64));
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, snap.to_string()).unwrap();
    let out = sealcheck()
        .args(["rehearsal", "--before"])
        .arg(&forged)
        .arg("--after-apply")
        .arg(&tree)
        .arg("--after-rollback")
        .arg(&tree)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", texts(&out));
    assert!(texts(&out).contains("not the declared"), "{}", texts(&out));
}

#[test]
fn a_tree_not_listed_completely_has_no_tree_hash_and_never_meets_a_pin() {
    let p = sample_packet();
    let tree = {
        let out = sealcheck().arg("seal").arg(p.path()).assert().success().get_output().stdout.clone();
        String::from_utf8(out).unwrap().trim().to_string()
    };
    std::os::unix::fs::symlink("/etc/passwd", p.path().join("notes/link")).unwrap();
    let out = sealcheck().arg("verify").arg(p.path()).args(["--expect-tree", &tree, "--json"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    let report: sealcheck::Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.packet.unwrap().packet_tree_sha256, None);
    assert_eq!(report.checks.expect_tree.unwrap().verdict, sealcheck::report::Verdict::Fail);
}

// ---- failures that vanish from structured output --------------------------

#[test]
fn a_run_that_fails_early_still_replaces_the_report_in_every_format() {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let packet = p.path().to_str().unwrap();
    let all = every_format(&["verify", packet, "--expect-tree", "not-hex"], &[], 2);
    assert!(all.contains("FAIL_CLOSED"), "{all}");
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("r.json");
    std::fs::write(&stale, "stale").unwrap();
    sealcheck().args(["verify", packet, "--pins", "/nonexistent", "--report"]).arg(&stale).assert().code(3);
    assert!(std::fs::read_to_string(&stale).unwrap().contains("\"FAIL_CLOSED\""));
    let gh = sealcheck().args(["verify", packet, "--pins", "/nonexistent", "--format", "github"]).output().unwrap();
    assert!(texts(&gh).contains("::error"), "{}", texts(&gh));
    let ju = sealcheck().args(["verify", packet, "--pins", "/nonexistent", "--format", "junit"]).output().unwrap();
    assert!(texts(&ju).contains("<error"), "{}", texts(&ju));
}

#[test]
fn a_readback_that_cannot_judge_is_red_in_junit_and_github() {
    let d = "a".repeat(64);
    for (format, red) in [("junit", "<error"), ("github", "::error")] {
        let out = sealcheck()
            .args(["pin", "readback", "--from-file", "/nonexistent", "--rows", "/r", "--field", "f", "--expect", &d])
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert!(texts(&out).contains(red), "{format}: {}", texts(&out));
    }
}

// ---- seal and scan ---------------------------------------------------------

#[test]
fn seal_never_blesses_drift_silently_and_an_empty_seal_verifies_nothing() {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    put(p.path(), b"README.md", b"drifted\n");
    let before = snapshot(p.path());
    let out = sealcheck().arg("seal").arg(p.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", texts(&out));
    assert!(texts(&out).contains("README.md"), "the refusal names what drifted: {}", texts(&out));
    assert_eq!(before, snapshot(p.path()), "a refused seal writes nothing");
    let empty = tempfile::tempdir().unwrap();
    sealcheck().arg("seal").arg(empty.path()).assert().success();
    sealcheck().arg("verify").arg(empty.path()).assert().code(1);
    sealcheck().arg("verify").arg(empty.path()).arg("--allow-empty").assert().code(0);
}

#[test]
fn scans_look_at_path_names_too() {
    let p = sample_packet();
    put(p.path(), b"logs/AKIAIOSFODNN7EXAMPLE.txt", b"nothing inside\n");
    put(p.path(), b"tok-FORBIDDEN-VALUE-1/x.txt", b"nothing inside\n");
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let out = sealcheck()
        .arg("verify")
        .arg(p.path())
        .args(["--scan-secrets", "--forbid-token", "FORBIDDEN-VALUE-1", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: sealcheck::Report = serde_json::from_slice(&out.stdout).unwrap();
    let classes: Vec<(&str, &str)> = report.findings.iter().map(|f| (f.path.as_str(), f.classes[0].code())).collect();
    assert!(classes.contains(&("logs/[REDACTED].txt", "secret_leak")), "{classes:?}");
    assert!(classes.contains(&("tok-[REDACTED]/x.txt", "forbidden_token")), "{classes:?}");
}
