//! The hostile-input probe suite. Committed cases live in
//! fixtures/probes/{valid,invalid}/<case>/ (made by fixtures/probes/make.py);
//! cases that cannot be committed (FIFOs, sockets, links, permissions,
//! files that change while read, huge lines) are generated here.
//!
//! Every probe: the declared exit code (and class or message), the packet
//! unchanged afterwards (digests, mtimes, permissions), no panic, done
//! within 10 s, and a sentinel token in the environment never printed.

mod common;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{put, snapshot};

const SENTINEL: &str = "probe-sentinel-7f3a9c2e";

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    report: Option<sealcheck::Report>,
}

/// Runs `sealcheck verify PACKET --json` under every probe rule, with
/// `cmd` (the binary, or the binary as an unprivileged user).
fn probe_with(mut cmd: Command, name: &str, packet: &Path, extra: &[&str]) -> Outcome {
    let before = snapshot(packet);
    cmd.env("SEALCHECK_PROBE_TOKEN", SENTINEL)
        .env("SOURCE_DATE_EPOCH", "0")
        .arg("verify")
        .arg(packet)
        .arg("--json")
        .args(extra);
    let started = Instant::now();
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let deadline = started + common::HANG;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{name}: still running after {:?}: a hang", common::HANG);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{name}: panicked: {stderr}");
    assert!(!stdout.contains(SENTINEL) && !stderr.contains(SENTINEL), "{name}: the token leaked");
    assert_eq!(before, snapshot(packet), "{name}: the packet was modified");
    let report = serde_json::from_str(&stdout).ok();
    Outcome { code: out.status.code().unwrap_or(-1), stdout, stderr, report }
}

/// [`probe_with`] the binary as it is.
fn probe(name: &str, packet: &Path, extra: &[&str]) -> Outcome {
    probe_with(Command::new(assert_cmd::cargo::cargo_bin("sealcheck")), name, packet, extra)
}

fn classes(o: &Outcome) -> Vec<String> {
    o.report
        .iter()
        .flat_map(|r| r.findings.iter().flat_map(|f| f.classes.iter().map(|c| c.code().to_string())))
        .collect()
}

fn fixture_cases(kind: &str) -> Vec<(String, PathBuf, serde_json::Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/probes").join(kind);
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| {
            let dir = e.unwrap().path();
            let spec: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("probe.json")).unwrap()).unwrap();
            (dir.file_name().unwrap().to_string_lossy().into_owned(), dir.join("packet"), spec)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn committed_probes_end_as_declared() {
    let mut failures = Vec::new();
    let mut count = 0;
    for kind in ["valid", "invalid"] {
        for (name, packet, spec) in fixture_cases(kind) {
            count += 1;
            let o = probe(&name, &packet, &[]);
            let want = spec["exit"].as_i64().unwrap() as i32;
            if o.code != want {
                failures.push(format!("{kind}/{name}: exit {}, want {want}: {}", o.code, o.stderr));
            }
            if kind == "invalid" && o.code == 0 {
                failures.push(format!("{kind}/{name}: FAIL OPEN"));
            }
            if let Some(class) = spec["class"].as_str() {
                if !classes(&o).iter().any(|c| c == class) {
                    failures.push(format!("{kind}/{name}: class {class} not in {:?}", classes(&o)));
                }
            }
            if let Some(says) = spec["stderr"].as_str() {
                if !o.stderr.contains(says) {
                    failures.push(format!("{kind}/{name}: stderr lacks {says:?}: {}", o.stderr));
                }
                if !o.stderr.contains("HASH_MANIFEST.txt:") {
                    failures.push(format!("{kind}/{name}: the error does not name file and line: {}", o.stderr));
                }
            }
        }
    }
    assert!(count >= 40, "only {count} committed probes");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A sealed two-file packet in a fresh directory readable by anyone.
fn sealed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    put(dir.path(), b"a.txt", b"alpha\n");
    put(dir.path(), b"sub/b.txt", b"bravo\n");
    common::sealcheck().arg("seal").arg(dir.path()).assert().success();
    dir
}

fn expect(name: &str, o: &Outcome, code: i32, class: &str) {
    assert_eq!(o.code, code, "{name}: {}{}", o.stdout, o.stderr);
    assert!(classes(o).iter().any(|c| c == class), "{name}: {class} not in {:?}", classes(o));
}

#[test]
fn a_fifo_in_the_tree_or_listed_is_refused_at_once() {
    let p = sealed();
    assert!(Command::new("mkfifo").arg(p.path().join("pipe")).status().unwrap().success());
    let started = Instant::now();
    let o = probe("fifo in tree", p.path(), &[]);
    assert!(started.elapsed() < common::HANG, "a FIFO took {:?}", started.elapsed());
    expect("fifo in tree", &o, 2, "unsupported_file_type");
    let p = sealed();
    std::fs::remove_file(p.path().join("a.txt")).unwrap();
    assert!(Command::new("mkfifo").arg(p.path().join("a.txt")).status().unwrap().success());
    let o = probe("fifo listed", p.path(), &[]);
    expect("fifo listed", &o, 2, "unsupported_file_type");
}

#[test]
fn a_socket_is_refused() {
    let p = sealed();
    let _listener = std::os::unix::net::UnixListener::bind(p.path().join("sock")).unwrap();
    expect("socket", &probe("socket", p.path(), &[]), 2, "unsupported_file_type");
}

#[test]
fn symlinks_are_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    put(outside.path(), b"a.txt", b"alpha\n");
    put(outside.path(), b"b.txt", b"bravo\n");
    // A listed file that is now a link to identical bytes outside.
    let p = sealed();
    std::fs::remove_file(p.path().join("a.txt")).unwrap();
    symlink(outside.path().join("a.txt"), p.path().join("a.txt")).unwrap();
    expect("listed symlink", &probe("listed symlink", p.path(), &[]), 2, "unsupported_file_type");
    // An intermediate directory that is now a link.
    let p = sealed();
    std::fs::rename(p.path().join("sub"), outside.path().join("sub")).unwrap();
    symlink(outside.path().join("sub"), p.path().join("sub")).unwrap();
    expect("intermediate symlink", &probe("intermediate symlink", p.path(), &[]), 2, "unsupported_file_type");
    // A loop and a dangling link.
    let p = sealed();
    symlink("loop", p.path().join("loop")).unwrap();
    symlink("nowhere", p.path().join("dangling")).unwrap();
    let o = probe("loop and dangling", p.path(), &[]);
    expect("loop and dangling", &o, 2, "unsupported_file_type");
    assert!(o.stdout.contains("\"loop\"") && o.stdout.contains("\"dangling\""), "{}", o.stdout);
}

#[test]
fn a_directory_listed_as_a_file_is_refused() {
    let p = sealed();
    std::fs::remove_file(p.path().join("a.txt")).unwrap();
    std::fs::create_dir(p.path().join("a.txt")).unwrap();
    put(p.path(), b"a.txt/inner", b"x");
    let o = probe("directory listed", p.path(), &[]);
    assert_ne!(o.code, 0);
    assert!(classes(&o).iter().any(|c| c == "missing_file" || c == "unsupported_file_type"), "{:?}", classes(&o));
}

#[test]
fn an_unreadable_file_is_an_environment_failure_or_the_probe_says_skipped() {
    let p = sealed();
    let f = p.path().join("a.txt");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(p.path().join("sub"), std::fs::Permissions::from_mode(0o755)).unwrap();
    for rel in ["HASH_MANIFEST.txt", "sub/b.txt"] {
        std::fs::set_permissions(p.path().join(rel), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let Some(cmd) = common::unprivileged() else {
        common::skipped("unreadable-file probe: running as root and cannot drop to an unprivileged user");
        return;
    };
    let o = probe_with(cmd, "unreadable", p.path(), &[]);
    expect("unreadable", &o, 3, "unreadable_file");
    let report: sealcheck::Report = serde_json::from_str(&o.stdout).unwrap();
    let counts = report.checks.seal_vs_bytes.as_ref().unwrap();
    assert_eq!((counts.unreadable, counts.ok), (1, 1), "{counts:?}");
}

/// A sealed file inside a directory that cannot be listed is not known to
/// be missing: it is unreadable, like the directory, and counted so.
#[test]
fn a_sealed_file_in_an_unlistable_directory_is_unreadable_not_missing() {
    let p = sealed();
    for rel in ["HASH_MANIFEST.txt", "a.txt", "sub/b.txt"] {
        std::fs::set_permissions(p.path().join(rel), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(p.path().join("sub"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let Some(cmd) = common::unprivileged() else {
        common::skipped("unlistable-directory probe: running as root and cannot drop to an unprivileged user");
        return;
    };
    let o = probe_with(cmd, "unlistable directory", p.path(), &[]);
    std::fs::set_permissions(p.path().join("sub"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    let report: sealcheck::Report = serde_json::from_str(&o.stdout).unwrap();
    for path in ["sub", "sub/b.txt"] {
        let f = report.findings.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} named"));
        assert_eq!(f.classes, [sealcheck::FindingClass::UnreadableFile], "{f:?}");
        assert!(f.proof.as_deref().is_some_and(|p| p.contains("denied")), "{f:?}");
    }
    let counts = report.checks.seal_vs_bytes.as_ref().unwrap();
    assert_eq!((counts.unreadable, counts.missing, counts.ok), (2, 0, 1), "{counts:?}");
}

#[test]
fn a_file_that_changes_while_hashed_is_caught() {
    let p = sealed();
    let big = p.path().join("big.bin");
    std::fs::write(&big, vec![0u8; 64 << 20]).unwrap();
    common::sealcheck().arg("seal").arg("--reseal").arg(p.path()).assert().success();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, big) = (stop.clone(), big.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            let until = Instant::now() + Duration::from_secs(8);
            let mut f = std::fs::OpenOptions::new().append(true).open(&big).unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < until {
                f.write_all(&[1u8; 4096]).unwrap();
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(20));
    // The packet changes by design here, so run without the unchanged check.
    let out = common::sealcheck().arg("--threads").arg("1").arg("verify").arg(p.path()).arg("--json").output().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    let report: sealcheck::Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let f = report.findings.iter().find(|f| f.path == "big.bin").expect("big.bin is flagged");
    // Only the re-check names this; an edit alone would be edited_content,
    // so a build without the re-check fails here.
    assert_eq!(f.classes[0], sealcheck::FindingClass::ChangedWhileReading, "{f:?}");
    assert_eq!(report.checks.seal_vs_bytes.as_ref().unwrap().changed_while_reading, 1);
    assert!(!report.self_check.any_fail_open);
}

/// The sealed packet with `name` added, a sparse GiB (slow to hash), and
/// sealed again.
fn sealed_with_a_slow_file(name: &str) -> tempfile::TempDir {
    let p = sealed();
    std::fs::File::create(p.path().join(name)).unwrap().set_len(1 << 30).unwrap();
    common::sealcheck().arg("seal").arg("--reseal").arg(p.path()).assert().success();
    p
}

/// Starts `verify --json` on one hashing thread and returns once it holds
/// `name` open (a file slow to hash, so the run is still going).
fn verify_until_open(packet: &Path, name: &str) -> std::process::Child {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("sealcheck"))
        .args(["--threads", "1", "verify"])
        .arg(packet)
        .arg("--json")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let fds = PathBuf::from(format!("/proc/{}/fd", child.id()));
    let deadline = Instant::now() + common::HANG;
    let is_open = || {
        std::fs::read_dir(&fds)
            .map(|d| d.flatten().any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l.ends_with(name))))
            .unwrap_or(false)
    };
    while !is_open() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before {name} was seen open");
        assert!(Instant::now() < deadline, "{name} never opened");
        std::thread::sleep(Duration::from_millis(1));
    }
    child
}

/// A directory whose files were already hashed is moved out of the packet
/// and a symlink to it put in its place while the run goes on. Every file
/// is still the same inode through the symlink, so only the end-of-run
/// check that each directory is still a directory can see it.
#[test]
fn a_directory_swapped_for_a_symlink_mid_run_is_caught() {
    // zz.bin is hashed last (path order, one thread).
    let p = sealed_with_a_slow_file("zz.bin");
    let outside = tempfile::tempdir().unwrap();
    // sub/ is hashed by the time zz.bin is open.
    let child = verify_until_open(p.path(), "zz.bin");
    std::fs::rename(p.path().join("sub"), outside.path().join("sub")).unwrap();
    symlink(outside.path().join("sub"), p.path().join("sub")).unwrap();
    let out = child.wait_with_output().unwrap();
    let report: sealcheck::Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let f = report.findings.iter().find(|f| f.path == "sub").expect("the swapped directory is named");
    assert_eq!(f.classes, [sealcheck::FindingClass::ChangedWhileReading], "{f:?}");
    assert_eq!(report.checks.seal_vs_bytes.as_ref().unwrap().changed_while_reading, 1);
    assert!(!report.self_check.packet_unmodified);
}

/// A file the walk listed can vanish before it is opened: a sealed one is
/// missing, an unsealed one vanished; one can turn into a FIFO. None is
/// skipped, none panics, each is counted as what it is.
#[test]
fn files_that_vanish_between_the_walk_and_their_open_are_reported() {
    // 0.bin is hashed first (path order, one thread).
    let p = sealed_with_a_slow_file("0.bin");
    put(p.path(), b"zz-extra.txt", b"unsealed\n");
    // Once 0.bin is open, the walk is over and nothing else is opened yet.
    let child = verify_until_open(p.path(), "0.bin");
    std::fs::remove_file(p.path().join("a.txt")).unwrap();
    std::fs::remove_file(p.path().join("zz-extra.txt")).unwrap();
    // And a sealed file turned into a FIFO after the walk listed it.
    std::fs::remove_file(p.path().join("sub/b.txt")).unwrap();
    assert!(Command::new("mkfifo").arg(p.path().join("sub/b.txt")).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    // Exit 2: a file of the wrong type is bad input.
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let report: sealcheck::Report = serde_json::from_slice(&out.stdout).unwrap();
    let find = |path: &str| report.findings.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} named"));
    let sealed = find("a.txt");
    assert_eq!(sealed.classes, [sealcheck::FindingClass::MissingFile], "{sealed:?}");
    let unsealed = find("zz-extra.txt");
    assert_eq!(unsealed.classes, [sealcheck::FindingClass::MissingFile], "{unsealed:?}");
    assert!(unsealed.message.contains("vanished"), "{unsealed:?}");
    let fifo = find("sub/b.txt");
    assert_eq!(fifo.classes, [sealcheck::FindingClass::UnsupportedFileType], "{fifo:?}");
    let counts = report.checks.seal_vs_bytes.as_ref().unwrap();
    assert_eq!((counts.missing, counts.unsupported, counts.ok, counts.extra), (1, 1, 1, 0), "{counts:?}");
    assert_eq!(report.packet.as_ref().unwrap().packet_tree_sha256, None, "an incomplete tree has no tree hash");
}

#[test]
fn a_line_over_one_mebibyte_is_refused_with_bounded_memory() {
    let p = sealed();
    let mut m = std::fs::read(p.path().join("HASH_MANIFEST.txt")).unwrap();
    m.extend(std::iter::repeat_n(b'a', 8 << 20));
    m.push(b'\n');
    std::fs::write(p.path().join("HASH_MANIFEST.txt"), m).unwrap();
    let o = probe("huge line", p.path(), &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains(":3: line longer than 1048576 bytes"), "{}", o.stderr);
}

#[test]
fn gnu_sha256sum_strict_on_the_same_probes() {
    // Not an assertion on GNU: a record of where it differs, printed for
    // docs/security.md. sealcheck's own verdicts are asserted above.
    let mut table = Vec::new();
    for kind in ["valid", "invalid"] {
        for (name, packet, spec) in fixture_cases(kind) {
            let gnu = Command::new("sha256sum")
                .args(["-c", "--strict", "--quiet", "HASH_MANIFEST.txt"])
                .current_dir(&packet)
                .output()
                .unwrap();
            let ours = spec["exit"].as_i64().unwrap();
            let g = gnu.status.code().unwrap_or(-1);
            if (g == 0) != (ours == 0) {
                table.push(format!("| {kind}/{name} | {g} | {ours} |"));
            }
        }
    }
    println!("| probe | GNU -c --strict exit | sealcheck verify exit |\n|---|---|---|\n{}", table.join("\n"));
    assert!(!table.is_empty(), "GNU and sealcheck are expected to differ on some probes");
}
