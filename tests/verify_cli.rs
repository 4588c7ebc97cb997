//! End-to-end: `seal`, `verify`, `tree-hash` through the real binary, with
//! exact stdout, stderr and exit status.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;

use common::{put, sample_packet, sealcheck, sha256_hex, snapshot};
use predicates::str::contains;
use sealcheck::Report;

fn seal(dir: &std::path::Path) -> String {
    let out = sealcheck().arg("seal").arg(dir).assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap().trim().to_string()
}

#[test]
fn seal_prints_the_digest_of_the_canonical_manifest_and_changes_nothing_else() {
    let p = sample_packet();
    let before = snapshot(p.path());
    let tree = seal(p.path());
    let manifest = std::fs::read(p.path().join("HASH_MANIFEST.txt")).unwrap();
    assert_eq!(tree, sha256_hex(&manifest));
    let text = String::from_utf8(manifest).unwrap();
    let names: Vec<&str> = text.lines().map(|l| &l[66..]).collect();
    assert_eq!(
        names,
        ["README.md", "data/dump.bin", "notes/with space.txt", "notes/\u{fc}nicode-\u{e9}.txt", "report.json"]
    );
    assert!(text.lines().all(|l| l.as_bytes()[64..66] == *b"  " && l[..64].bytes().all(|b| b.is_ascii_hexdigit())));
    let mut after = snapshot(p.path());
    after.remove(&b"HASH_MANIFEST.txt"[..]);
    // The root directory's mtime moves when the manifest is renamed into it.
    let mut before = before;
    before.remove(&b""[..]);
    after.remove(&b""[..]);
    assert_eq!(before, after, "seal changed something other than the manifest");
}

#[test]
fn verify_passes_a_byte_identical_packet_with_exact_output() {
    let p = sample_packet();
    let tree = seal(p.path());
    sealcheck().arg("verify").arg(p.path()).assert().code(0).stderr("").stdout(format!(
        "sealed 5: 5 ok, 0 changed, 0 missing, 0 moved, 0 extra, 0 unreadable, 0 unsupported, 0 changed while reading\n\
         packet_tree_sha256 {tree}\nPASS\n"
    ));
}

#[test]
fn verify_reports_every_problem_in_one_pass_and_never_modifies_the_packet() {
    let p = sample_packet();
    seal(p.path());
    let r = p.path();
    put(r, b"README.md", b"edited\n");
    std::fs::rename(r.join("data/dump.bin"), r.join("data/moved.bin")).unwrap();
    std::fs::remove_file(r.join("report.json")).unwrap();
    put(r, b"extra.txt", b"not sealed\n");
    let before = snapshot(r);
    let out = sealcheck().arg("verify").arg(r).assert().code(1).stderr("").get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "CHANGED     README.md: bytes differ from the seal [edited_content]",
            "              hint: no known drift reproduces the seal: the content was edited; compare with a sealed copy (`--against DIR`)",
            "MOVED       data/dump.bin: sealed bytes are present under another path: data/moved.bin [moved_file]",
            "EXTRA       extra.txt: present but not sealed [extra_file]",
            "MISSING     report.json: sealed path is absent [missing_file]",
        ]
    );
    assert_eq!(
        lines[5],
        "sealed 5: 2 ok, 1 changed, 1 missing, 1 moved, 1 extra, 0 unreadable, 0 unsupported, 0 changed while reading"
    );
    assert_eq!(lines.last(), Some(&"FAIL"));
    assert_eq!(before, snapshot(r), "verify modified the packet");
}

#[test]
fn json_report_reads_back_and_agrees_with_the_exit_code() {
    let p = sample_packet();
    let tree = seal(p.path());
    put(p.path(), b"report.json", b"{\"verdict\":\"PASS\",\"count\":3}\n");
    let report_file = tempfile::NamedTempFile::new().unwrap();
    let out = sealcheck()
        .arg("verify")
        .arg(p.path())
        .arg("--json")
        .arg("--report")
        .arg(report_file.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: Report = serde_json::from_slice(&out).unwrap();
    assert_eq!(std::fs::read(report_file.path()).unwrap(), out, "--report and --json differ");
    assert_eq!((report.final_status.as_str(), report.exit_code), ("FAIL_CLOSED", 1));
    assert_eq!(report.date, "2026-11-21T00:00:00Z");
    let packet = report.packet.unwrap();
    assert_eq!(packet.sealed_tree_sha256.as_deref(), Some(tree.as_str()));
    assert_eq!(packet.manifest_sha256.as_deref(), Some(tree.as_str()));
    assert_ne!(packet.packet_tree_sha256.as_deref(), Some(tree.as_str()));
    let counts = report.checks.seal_vs_bytes.unwrap();
    assert_eq!((counts.ok, counts.changed), (4, 1));
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].path, "report.json");
    assert!(report.self_check.packet_unmodified);
    assert!(!report.self_check.any_fail_open);
}

#[test]
fn expect_tree_is_red_when_the_packet_was_resealed() {
    let p = sample_packet();
    let original = seal(p.path());
    put(p.path(), b"README.md", b"quietly changed, then re-sealed\n");
    sealcheck().arg("seal").arg(p.path()).assert().code(1);
    let out = sealcheck().args(["seal", "--reseal"]).arg(p.path()).assert().success().get_output().stdout.clone();
    let resealed = String::from_utf8(out).unwrap().trim().to_string();
    assert_ne!(original, resealed);
    sealcheck().args(["verify", "--expect-tree", &resealed]).arg(p.path()).assert().code(0);
    sealcheck()
        .args(["verify", "--expect-tree", &original])
        .arg(p.path())
        .assert()
        .code(1)
        .stdout(contains(format!("expected packet_tree_sha256 {original}, found {resealed}\nFAIL\n")));
    sealcheck()
        .args(["verify", "--expect-tree", &original[1..]])
        .arg(p.path())
        .assert()
        .code(2)
        .stderr(contains("expected 64 hex characters, found 63"));
}

#[test]
fn manifest_drift_is_red_and_every_file_is_still_checked() {
    let p = sample_packet();
    seal(p.path());
    let m = p.path().join("HASH_MANIFEST.txt");
    let canonical = std::fs::read(&m).unwrap();
    let crlf = String::from_utf8(canonical.clone()).unwrap().replace('\n', "\r\n");
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(crlf.as_bytes());
    std::fs::write(&m, &bom).unwrap();
    put(p.path(), b"report.json", b"{}\n");
    let out = sealcheck().arg("verify").arg(p.path()).arg("--json").assert().code(1).get_output().stdout.clone();
    let report: Report = serde_json::from_slice(&out).unwrap();
    let codes: Vec<Vec<&str>> = report.findings.iter().map(|f| f.classes.iter().map(|c| c.code()).collect()).collect();
    assert_eq!(codes, [vec!["manifest_drift", "bom_prefix", "crlf_drift"], vec!["edited_content"]]);
    assert_eq!(report.findings[0].path, "HASH_MANIFEST.txt");
    assert_eq!(report.checks.seal_vs_bytes.unwrap().ok, 4);
}

#[test]
fn malformed_manifest_is_bad_input_with_file_line_and_expectation() {
    let p = sample_packet();
    let m = p.path().join("HASH_MANIFEST.txt");
    let h = sha256_hex(b"x");
    std::fs::write(&m, format!("{h}  README.md\n{h} report.json\n{}  x\n", &h[1..])).unwrap();
    let shown = m.display().to_string();
    sealcheck().arg("verify").arg(p.path()).assert().code(2).stdout("").stderr(format!(
        "sealcheck: {shown}:2: one space after the digest (expected two spaces, or ' *'; one is ambiguous with a name that starts with a space)\n\
         sealcheck: {shown}:3: bad digest: expected 64 hex characters, found 63\n"
    ));
}

#[test]
fn unsupported_file_types_are_refused_without_hanging() {
    let p = sample_packet();
    seal(p.path());
    symlink("/etc/passwd", p.path().join("link")).unwrap();
    let fifo = p.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = sealcheck().arg("verify").arg(p.path()).assert().code(2).get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("UNSUPPORTED fifo: FIFO"), "{out}");
    assert!(out.contains("UNSUPPORTED link: symbolic link"), "{out}");
    sealcheck().arg("seal").arg(p.path()).assert().code(2).stdout("").stderr(contains("fifo: FIFO"));
    sealcheck().arg("tree-hash").arg(p.path()).assert().code(2);
}

#[test]
fn a_sealed_file_replaced_by_a_symlink_is_not_followed() {
    let p = sample_packet();
    seal(p.path());
    let target = p.path().join("README.md");
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), std::fs::read(&target).unwrap()).unwrap();
    std::fs::remove_file(&target).unwrap();
    symlink(outside.path(), &target).unwrap();
    sealcheck().arg("verify").arg(p.path()).assert().code(2).stdout(contains("UNSUPPORTED README.md: symbolic link"));
}

#[test]
fn non_utf8_names_work_and_are_shown_escaped() {
    let p = tempfile::tempdir().unwrap();
    put(p.path(), b"caf\xe9.txt", b"latin-1 name\n");
    put(p.path(), b"ok.txt", b"fine\n");
    seal(p.path());
    sealcheck().arg("verify").arg(p.path()).assert().code(0);
    put(p.path(), b"caf\xe9.txt", b"changed\n");
    sealcheck()
        .arg("verify")
        .arg(p.path())
        .assert()
        .code(1)
        .stdout(contains("CHANGED     caf\\xe9.txt: bytes differ from the seal"));
}

#[test]
fn allow_extra_lists_unsealed_files_without_failing() {
    let p = sample_packet();
    seal(p.path());
    put(p.path(), b"later.txt", b"added after sealing\n");
    sealcheck().arg("verify").arg(p.path()).assert().code(1);
    sealcheck()
        .args(["verify", "--allow-extra"])
        .arg(p.path())
        .assert()
        .code(0)
        .stdout(contains("EXTRA-OK    later.txt: present but not sealed (allowed by --allow-extra) [extra_file]"));
}

#[test]
fn a_missing_manifest_or_packet_is_bad_input() {
    let p = sample_packet();
    sealcheck().arg("verify").arg(p.path()).assert().code(2).stderr(contains("no manifest here"));
    sealcheck().arg("verify").arg(p.path().join("nope")).assert().code(3);
    sealcheck().arg("verify").arg(p.path().join("README.md")).assert().code(2).stderr(contains("not a directory"));
}

#[test]
fn an_external_manifest_and_exclusions_are_honoured() {
    let p = sample_packet();
    let outside = tempfile::tempdir().unwrap();
    let manifest = outside.path().join("seal.txt");
    let out = sealcheck().args(["seal", "--stdout", "--exclude", "*.bin"]).arg(p.path()).assert().success();
    std::fs::write(&manifest, &out.get_output().stdout).unwrap();
    assert!(!p.path().join("HASH_MANIFEST.txt").exists(), "--stdout wrote a manifest");
    sealcheck().args(["verify", "--exclude", "*.bin", "--manifest"]).arg(&manifest).arg(p.path()).assert().code(0);
    sealcheck()
        .args(["verify", "--manifest"])
        .arg(&manifest)
        .arg(p.path())
        .assert()
        .code(1)
        .stdout(contains("EXTRA       data/dump.bin"));
}

#[test]
fn every_count_of_the_seal_section_is_each_cases_own() {
    // One packet with one case of each kind the counts tell apart, the
    // counts asserted whole: a count fed by the wrong case, or not at all,
    // shows here.
    let p = tempfile::tempdir().unwrap();
    let r = p.path();
    for (name, body) in [("ok.txt", "ok\n"), ("changed.txt", "a\n"), ("gone.txt", "m\n"), ("fifo", "f\n")] {
        std::fs::write(r.join(name), body).unwrap();
    }
    std::fs::create_dir(r.join("d")).unwrap();
    std::fs::write(r.join("d/asdir"), "x\n").unwrap();
    sealcheck().arg("seal").arg(r).assert().success();
    std::fs::remove_file(r.join("gone.txt")).unwrap();
    std::fs::write(r.join("changed.txt"), "b\n").unwrap();
    std::fs::remove_file(r.join("fifo")).unwrap();
    for fifo in ["fifo", "fifo2"] {
        assert!(std::process::Command::new("mkfifo").arg(r.join(fifo)).status().unwrap().success());
    }
    std::fs::write(r.join("extra.txt"), "e\n").unwrap();
    std::fs::write(r.join("~home"), "a name that cannot be sealed\n").unwrap();
    std::fs::remove_file(r.join("d/asdir")).unwrap();
    std::fs::create_dir(r.join("d/asdir")).unwrap();
    let report = |r: &std::path::Path| -> serde_json::Value {
        // Exit 2: a file of the wrong type is bad input, whatever else drifted.
        let out = sealcheck().args(["verify", "--format", "json"]).arg(r).assert().code(2);
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let want = |drift: bool| {
        serde_json::json!({
            "verdict": "FAIL", "sealed": 5, "ok": 1, "changed": 1, "missing": 1, "extra": 1, "moved": 0,
            "unreadable": 0, "unsupported": 4, "changed_while_reading": 0, "manifest_drift": drift
        })
    };
    let got = report(r);
    assert_eq!(got["checks"]["seal_vs_bytes"], want(false));
    // ok.txt, changed.txt and extra.txt: 3 + 2 + 2 bytes, in 3 files.
    assert_eq!(got["packet"]["byte_count"], 7);
    assert_eq!(got["packet"]["file_count"], 3);
    assert_eq!(got["packet"]["manifest_canonical"], true);
    let classes: Vec<(String, String)> = got["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["classes"][0].as_str().unwrap().to_string()))
        .collect();
    let want_classes = [
        ("changed.txt", "edited_content"),
        ("d/asdir", "unsupported_file_type"),
        ("extra.txt", "extra_file"),
        ("fifo", "unsupported_file_type"),
        ("fifo2", "unsupported_file_type"),
        ("gone.txt", "missing_file"),
        ("~home", "unsupported_file_type"),
    ];
    assert_eq!(classes, want_classes.map(|(p, c)| (p.to_string(), c.to_string())));

    // The same manifest with CRLF line ends: drift in the manifest, which
    // is no longer canonical; the counts of the files do not move.
    let manifest = std::fs::read(r.join("HASH_MANIFEST.txt")).unwrap();
    let crlf: Vec<u8> = manifest.iter().flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }).collect();
    std::fs::write(r.join("HASH_MANIFEST.txt"), crlf).unwrap();
    let got = report(r);
    assert_eq!(got["checks"]["seal_vs_bytes"], want(true));
    assert_eq!(got["packet"]["manifest_canonical"], false);
}

#[test]
fn a_drifted_file_larger_than_the_read_buffer_is_diagnosed_by_reading_it_again() {
    // A drifted file that fits the read buffer is diagnosed from it; a
    // larger one is read again. Both must prove the same drift.
    let p = tempfile::tempdir().unwrap();
    let line = "a line of the report, long enough to fill a buffer soon\n";
    let small = line.repeat(10);
    let large = line.repeat(1 << 20 >> 5); // about 1.8 MiB, over the 256 KiB buffer
    std::fs::write(p.path().join("large.txt"), &large).unwrap();
    std::fs::write(p.path().join("small.txt"), &small).unwrap();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    for (name, text) in [("large.txt", &large), ("small.txt", &small)] {
        std::fs::write(p.path().join(name), text.replace('\n', "\r\n")).unwrap();
    }
    let out = sealcheck().args(["verify", "--format", "json"]).arg(p.path()).assert().code(1);
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    for (f, name) in findings.iter().zip(["large.txt", "small.txt"]) {
        assert_eq!(f["path"], name);
        assert_eq!(f["classes"], serde_json::json!(["crlf_drift"]), "{f}");
        assert!(f["proof"].as_str().is_some_and(|p| !p.is_empty()), "{f}");
    }
}

#[test]
fn the_content_scan_section_counts_what_it_scanned_and_found() {
    let p = tempfile::tempdir().unwrap();
    let r = p.path();
    std::fs::write(r.join("a.txt"), "clean\n").unwrap();
    std::fs::write(r.join("b.txt"), "has SECRET-WORD-1 inside\n").unwrap();
    std::fs::write(r.join("c.txt"), "key AKIAIOSFODNN7EXAMPLE here\n").unwrap();
    std::fs::write(r.join("SECRET-WORD-1.log"), "a name that holds the token\n").unwrap();
    sealcheck().arg("seal").arg(r).assert().success();
    let args = ["verify", "--format", "json", "--forbid-token", "SECRET-WORD-1", "--forbid-token", "ABSENT"];
    let out = sealcheck().args(args).arg("--scan-secrets").arg(r).assert().code(1);
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let want = serde_json::json!({
        "verdict": "FAIL", "files_scanned": 4, "forbidden_tokens": 2, "secrets_scanned": true,
        "forbidden_token_hits": 2, "secret_leak_hits": 1
    });
    assert_eq!(report["checks"]["content_scan"], want);
}

#[test]
fn seal_stdout_prints_the_manifest_byte_for_byte_whatever_the_names() {
    // Names that are not UTF-8, a control byte, a backslash: a manifest is
    // data, and what `--stdout` prints must be the file `seal` writes.
    let p = tempfile::tempdir().unwrap();
    for name in [&b"a\xffb"[..], b"esc\x1bname", b"back\\slash", b"plain.txt"] {
        std::fs::write(p.path().join(std::ffi::OsStr::from_bytes(name)), name).unwrap();
    }
    let out = sealcheck().args(["seal", "--stdout"]).arg(p.path()).assert().success();
    let printed = out.get_output().stdout.clone();
    assert!(printed.windows(3).any(|w| w == b"a\xffb"), "the raw byte, not a replacement character");
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains(&sha256_hex(&printed)), "the tree hash is the digest of what was printed: {stderr}");
    sealcheck().arg("seal").arg(p.path()).assert().success();
    assert_eq!(std::fs::read(p.path().join("HASH_MANIFEST.txt")).unwrap(), printed);
}

#[test]
fn tree_hash_h1_matches_go_dirhash_computed_independently() {
    let p = sample_packet();
    let out = sealcheck()
        .args(["tree-hash", "--format", "h1", "--h1-prefix", "example.com/m@v1.0.0"])
        .arg(p.path())
        .assert()
        .success();
    let ours = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // Go's dirhash.Hash1, written out in Python from its definition.
    let script = r#"
import hashlib, base64, os, sys
root, prefix = sys.argv[1], sys.argv[2]
files = []
for d, _, names in os.walk(root):
    for n in names:
        full = os.path.join(d, n)
        files.append(prefix + "/" + os.path.relpath(full, root))
files.sort(key=lambda s: s.encode("utf-8", "surrogateescape"))
summary = b""
for f in files:
    data = open(os.path.join(root, f[len(prefix) + 1:]), "rb").read()
    summary += hashlib.sha256(data).hexdigest().encode() + b"  " + f.encode("utf-8", "surrogateescape") + b"\n"
print("h1:" + base64.b64encode(hashlib.sha256(summary).digest()).decode())
"#;
    let py = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(p.path())
        .arg("example.com/m@v1.0.0")
        .output()
        .expect("python3 runs");
    assert!(py.status.success());
    assert_eq!(ours, String::from_utf8(py.stdout).unwrap());
}

#[test]
fn malformed_source_date_epoch_is_an_error() {
    let p = sample_packet();
    seal(p.path());
    sealcheck()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .arg("verify")
        .arg(p.path())
        .assert()
        .code(2)
        .stderr(contains("SOURCE_DATE_EPOCH"));
}

#[test]
fn bad_arguments_exit_2() {
    sealcheck().args(["verify"]).assert().code(2);
    sealcheck().args(["frobnicate"]).assert().code(2);
    sealcheck().args(["verify", "--threads", "0", "x"]).assert().code(2);
}

#[test]
fn against_shows_a_bounded_diff_with_invisible_characters() {
    let p = sample_packet();
    seal(p.path());
    let mirror = tempfile::tempdir().unwrap();
    let copy = sample_packet();
    std::fs::rename(copy.path(), mirror.path().join("m")).unwrap();
    put(p.path(), b"README.md", "\u{feff}Packet -- sealed.\r\n".as_bytes());
    sealcheck().arg("verify").arg(p.path()).arg("--against").arg(mirror.path().join("m")).assert().code(1).stdout(
        contains(
            "              first difference at byte 0\n\
             \x20             | --- sealed\n\
             \x20             | +++ found\n\
             \x20             | -Packet <U+2014> sealed.\n\
             \x20             | +<U+FEFF>Packet -- sealed.\u{240d}\n",
        ),
    );
}

#[test]
fn restore_to_is_refused_inside_the_packet() {
    let p = sample_packet();
    seal(p.path());
    put(p.path(), b"report.json", b"{\"verdict\": \"PASS\", \"count\": 3}\r\n");
    let before = snapshot(p.path());
    sealcheck()
        .arg("verify")
        .arg(p.path())
        .arg("--restore-to")
        .arg(p.path().join("restored"))
        .assert()
        .code(2)
        .stderr(contains("inside the packet; restored bytes are never written in place"));
    assert_eq!(before, snapshot(p.path()), "the refusal modified the packet");
    sealcheck()
        .arg("verify")
        .arg(p.path())
        .arg("--restore-to")
        .arg(p.path().join("data/../new/deeper"))
        .assert()
        .code(2);
    assert_eq!(before, snapshot(p.path()), "the refusal modified the packet");
}

/// On a failure, the tree hash of the bytes now is labelled as such beside
/// the sealed one.
#[test]
fn a_failed_verify_labels_the_current_tree_hash_beside_the_sealed_one() {
    let p = sample_packet();
    let sealed = seal(p.path());
    put(p.path(), b"README.md", b"edited\n");
    let out = sealcheck().arg("verify").arg(p.path()).assert().code(1).get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    let line = out.lines().find(|l| l.starts_with("packet_tree_sha256")).unwrap();
    assert!(
        line.starts_with("packet_tree_sha256 now ") && line.ends_with(&format!("(the bytes on disk); sealed {sealed}")),
        "{line}"
    );
}

/// Results are folded in a slice at a time (slices of 7 in a debug build):
/// with many files, each finding still names its own file, every count
/// adds up, and the tree digest is the seal's.
#[test]
fn many_files_each_keep_their_own_result() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        put(dir.path(), format!("d{}/f{i:02}.txt", i % 4).as_bytes(), format!("file {i}\n").as_bytes());
    }
    let sealed_tree = seal(dir.path());
    let clean = sealcheck().arg("verify").arg(dir.path()).arg("--json").output().unwrap();
    assert_eq!(clean.status.code(), Some(0));
    let report: Report = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(report.packet.as_ref().unwrap().packet_tree_sha256.as_deref(), Some(sealed_tree.as_str()));
    // Drift two files far apart in path order, and remove a third.
    put(dir.path(), b"d3/f43.txt", b"edited\n");
    put(dir.path(), b"d0/f04.txt", b"edited too\n");
    std::fs::remove_file(dir.path().join("d2/f58.txt")).unwrap();
    let out = sealcheck().arg("verify").arg(dir.path()).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, String)> =
        report.findings.iter().map(|f| (f.path.clone(), f.classes[0].code().to_string())).collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("d0/f04.txt".to_string(), "edited_content".to_string()),
            ("d2/f58.txt".to_string(), "missing_file".to_string()),
            ("d3/f43.txt".to_string(), "edited_content".to_string()),
        ]
    );
    let counts = report.checks.seal_vs_bytes.unwrap();
    assert_eq!((counts.sealed, counts.ok, counts.changed, counts.missing), (60, 57, 2, 1));
}
