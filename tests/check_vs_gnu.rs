//! `sealcheck check` against real GNU `sha256sum -c` on the same manifests:
//! the same stdout and exit code where GNU is right, and red (exit 1, same
//! stdout) where GNU 9.x fails open.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{put, sealcheck};

struct Case {
    name: &'static str,
    manifest: Vec<u8>,
    args: &'static [&'static str],
    /// GNU exits 0 here although something is wrong: sealcheck must exit 1.
    gnu_fails_open: bool,
}

fn h(content: &[u8]) -> String {
    common::sha256_hex(content)
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), b"a.txt", b"alpha\n");
    put(dir.path(), b"b c.txt", b"bravo charlie\n");
    put(dir.path(), b"back\\slash", b"backslash\n");
    put(dir.path(), b"nl\nname", b"newline\n");
    put(dir.path(), b"both\\and\nnewline\rcr", b"both\n");
    put(dir.path(), b"sub/d.bin", &[0, 1, 2]);
    std::fs::create_dir(dir.path().join("adir")).unwrap();
    dir
}

fn cases() -> Vec<Case> {
    let a = h(b"alpha\n");
    let bc = h(b"bravo charlie\n");
    let bs = h(b"backslash\n");
    let nl = h(b"newline\n");
    let d = h(&[0, 1, 2]);
    let wrong = h(b"something else");
    let case = |name, text: String, args, open| Case { name, manifest: text.into_bytes(), args, gnu_fails_open: open };
    vec![
        case("all ok", format!("{a}  a.txt\n{bc}  b c.txt\n{d}  sub/d.bin\n"), &[], false),
        case("escaped names", format!("\\{bs}  back\\\\slash\n\\{nl}  nl\\nname\n"), &[], false),
        case(
            "escaped backslash, newline and cr",
            format!("\\{}  both\\\\and\\nnewline\\rcr\n", h(b"both\n")),
            &[],
            false,
        ),
        case("binary marker and uppercase", format!("{a} *a.txt\n{}  sub/d.bin\n", d.to_uppercase()), &[], false),
        case("dot slash", format!("{a}  ./a.txt\n"), &[], false),
        case("tagged", format!("SHA256 (a.txt) = {a}\nSHA256 (b c.txt) = {bc}\n"), &[], false),
        case("tagged escaped", format!("\\SHA256 (nl\\nname) = {nl}\n"), &[], false),
        case("comment", format!("# sealed by hand\n{a}  a.txt\n"), &[], false),
        case("crlf", format!("{a}  a.txt\r\n{bc}  b c.txt\r\n"), &[], false),
        case("mismatch", format!("{wrong}  a.txt\n{bc}  b c.txt\n"), &[], false),
        case("two mismatches", format!("{wrong}  a.txt\n{wrong}  b c.txt\n"), &[], false),
        case("missing file", format!("{a}  a.txt\n{a}  nope.txt\n"), &[], false),
        case("directory listed", format!("{a}  adir\n{a}  a.txt\n"), &[], false),
        case("ignore missing", format!("{a}  a.txt\n{a}  nope.txt\n"), &["--ignore-missing"], false),
        case("ignore missing, nothing verified", format!("{a}  nope.txt\n"), &["--ignore-missing"], false),
        case("quiet", format!("{a}  a.txt\n{wrong}  b c.txt\n"), &["--quiet"], false),
        case("status", format!("{a}  a.txt\n{wrong}  b c.txt\n"), &["--status"], false),
        case("status ok", format!("{a}  a.txt\n"), &["--status"], false),
        case("empty", String::new(), &[], false),
        case("only comments", "# nothing\n".to_string(), &[], false),
        case("only garbage", "garbage\n".to_string(), &[], false),
        case("unknown escape", format!("\\{a}  a\\tb\n"), &[], false),
        case("strict malformed", format!("{a}  a.txt\ngarbage\n"), &["--strict"], false),
        case("bom before line 1", format!("\u{feff}{a}  a.txt\n{bc}  b c.txt\n"), &[], true),
        case("malformed among valid", format!("{a}  a.txt\ngarbage\n"), &[], true),
        case("blank line among valid", format!("{a}  a.txt\n\n"), &[], true),
        case("63-digit digest among valid", format!("{a}  a.txt\n{}  b c.txt\n", &bc[1..]), &[], true),
        case("single space after two-space lines", format!("{a}  a.txt\n{bc} b c.txt\n"), &[], true),
        case("single space only", format!("{a} a.txt\n"), &[], true),
        case("nul in name", format!("{a}  a.txt\0ignored\n"), &[], true),
    ]
}

fn run(mut cmd: Command, dir: &Path, args: &[&str]) -> Output {
    cmd.current_dir(dir).args(args).arg("MANIFEST").output().unwrap()
}

#[test]
fn check_agrees_with_gnu_where_gnu_is_right_and_is_red_where_it_fails_open() {
    let ws = workspace();
    let bin = assert_cmd::cargo::cargo_bin("sealcheck");
    let mut failures = Vec::new();
    for c in cases() {
        std::fs::write(ws.path().join("MANIFEST"), &c.manifest).unwrap();
        let mut gnu_cmd = Command::new("sha256sum");
        gnu_cmd.arg("-c");
        let gnu = run(gnu_cmd, ws.path(), c.args);
        let mut ours_cmd = Command::new(&bin);
        ours_cmd.arg("check");
        let ours = run(ours_cmd, ws.path(), c.args);
        let gnu_code = gnu.status.code().unwrap();
        let our_code = ours.status.code().unwrap();
        let want_code = if c.gnu_fails_open {
            if gnu_code != 0 {
                failures.push(format!("{}: GNU no longer fails open (exit {gnu_code})", c.name));
            }
            1
        } else {
            gnu_code
        };
        if our_code != want_code {
            failures.push(format!("{}: exit {our_code}, want {want_code} (GNU {gnu_code})", c.name));
        }
        // Where GNU fails open it may check a line sealcheck refuses (a
        // truncated NUL name, a single-space line): our lines are then a
        // subset of GNU's, never a different verdict for the same file.
        let stdout_ok = if c.gnu_fails_open {
            let gnu_text = String::from_utf8_lossy(&gnu.stdout);
            let gnu_lines: Vec<&str> = gnu_text.lines().collect();
            String::from_utf8_lossy(&ours.stdout).lines().all(|l| gnu_lines.contains(&l))
        } else {
            ours.stdout == gnu.stdout
        };
        if !stdout_ok {
            failures.push(format!(
                "{}: stdout differs\n  GNU:  {:?}\n  ours: {:?}",
                c.name,
                String::from_utf8_lossy(&gnu.stdout),
                String::from_utf8_lossy(&ours.stdout)
            ));
        }
        let our_err = String::from_utf8_lossy(&ours.stderr);
        if want_code != 0 && our_err.is_empty() && !c.args.contains(&"--status") {
            failures.push(format!("{}: red without a word on stderr", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_names_each_malformed_line_and_summarises_like_gnu() {
    let ws = workspace();
    let a = h(b"alpha\n");
    std::fs::write(ws.path().join("MANIFEST"), format!("{a}  a.txt\ngarbage\n{a} x\n{a}  nope\n")).unwrap();
    sealcheck()
        .current_dir(ws.path())
        .args(["check", "MANIFEST"])
        .assert()
        .code(1)
        .stdout("a.txt: OK\nnope: FAILED open or read\n")
        .stderr(
            "sealcheck: MANIFEST: 2: improperly formatted SHA256 checksum line: bad digest: expected 64 hex characters, found 7\n\
             sealcheck: MANIFEST: 3: improperly formatted SHA256 checksum line: one space after the digest (expected two spaces, or ' *'; one is ambiguous with a name that starts with a space)\n\
             sealcheck: nope: No such file or directory\n\
             sealcheck: WARNING: 2 lines are improperly formatted\n\
             sealcheck: WARNING: 1 listed file could not be read\n",
        );
}

#[test]
fn check_reads_stdin_and_never_follows_a_symlink_or_opens_a_fifo() {
    let ws = workspace();
    let a = h(b"alpha\n");
    std::os::unix::fs::symlink("a.txt", ws.path().join("link")).unwrap();
    assert!(Command::new("mkfifo").arg(ws.path().join("fifo")).status().unwrap().success());
    sealcheck()
        .current_dir(ws.path())
        .args(["check", "-"])
        .write_stdin(format!("{a}  a.txt\n{a}  link\n{a}  fifo\n"))
        .assert()
        .code(1)
        .stdout("a.txt: OK\nlink: FAILED open or read\nfifo: FAILED open or read\n")
        .stderr(predicates::str::contains("link: is a symbolic link (refused: never followed or opened)"));
}

#[test]
fn check_json_report_counts_like_gnu() {
    let ws = workspace();
    let a = h(b"alpha\n");
    std::fs::write(ws.path().join("MANIFEST"), format!("{a}  a.txt\n{a}  b c.txt\ngarbage\n")).unwrap();
    let out = sealcheck().current_dir(ws.path()).args(["check", "--json", "MANIFEST"]).assert().code(1);
    let report: sealcheck::Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let c = report.checks.check.unwrap();
    assert_eq!((c.ok, c.failed, c.unreadable, c.improperly_formatted), (1, 1, 0, 1));
    assert_eq!(report.exit_code, 1);
    assert_eq!(report.findings[0].path, "b c.txt");
}

/// GNU parity for where the lines come from: no file means standard input,
/// and several manifests are checked one after the other; same stdout,
/// stderr (but for the program's name) and exit code.
#[test]
fn check_reads_stdin_with_no_file_and_several_manifests_like_gnu() {
    let ws = workspace();
    let (a, b) = (h(b"alpha\n"), h(b"bravo charlie\n"));
    std::fs::write(ws.path().join("ONE"), format!("{a}  a.txt\n")).unwrap();
    std::fs::write(ws.path().join("TWO"), format!("{b}  b c.txt\n{a}  sub/d.bin\n")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("sealcheck");
    let both = |args: &[&str], stdin: Option<&str>| {
        let mut outs = Vec::new();
        for (prog, pre) in [("sha256sum", vec!["-c"]), (bin.to_str().unwrap(), vec!["check"])] {
            let mut cmd = Command::new(prog);
            cmd.current_dir(ws.path()).args(&pre).args(args);
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            {
                use std::io::Write;
                let mut sin = child.stdin.take().unwrap();
                if let Some(text) = stdin {
                    sin.write_all(text.as_bytes()).unwrap();
                }
            }
            let o = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr).replace("sealcheck:", "sha256sum:");
            outs.push((o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned(), err));
        }
        assert_eq!(outs[0], outs[1], "{args:?}: GNU first, sealcheck second");
    };
    both(&[], Some(&format!("{a}  a.txt\n")));
    both(&[], Some(&format!("{a}  a.txt\n{a}  b c.txt\n")));
    both(&["ONE", "TWO"], None);
    both(&["ONE", "-"], Some(&format!("{b}  b c.txt\n")));
    both(&["ONE", "absent"], None);
}

/// Structured outputs say what drifted whether or not `--explain` is
/// given; human stdout stays GNU's, and the diagnosis reaches stderr only
/// with `--explain`.
#[test]
fn structured_check_output_always_names_the_drift() {
    let ws = workspace();
    let a = h(b"alpha\n");
    std::fs::write(ws.path().join("M"), format!("{a}  a.txt\n")).unwrap();
    put(ws.path(), b"a.txt", b"\xef\xbb\xbfalpha\n");
    let out = sealcheck().current_dir(ws.path()).args(["check", "M", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: sealcheck::Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.findings[0].classes[0].code(), "bom_prefix");
    let human = sealcheck().current_dir(ws.path()).args(["check", "M"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&human.stdout), "a.txt: FAILED\n");
    assert!(!String::from_utf8_lossy(&human.stderr).contains("bom_prefix"));
    let explained = sealcheck().current_dir(ws.path()).args(["check", "M", "--explain"]).output().unwrap();
    assert!(String::from_utf8_lossy(&explained.stderr).contains("bom_prefix"));
}

/// `check -z` reads what `sha256sum -z` writes (GNU cannot check it
/// itself) and gives what GNU gives on the same lines newline-terminated;
/// a name holding a newline, which only `-z` carries unescaped, verifies.
#[test]
fn check_z_reads_what_sha256sum_z_writes_like_gnu_reads_lines() {
    let ws = workspace();
    let o = common::sh(ws.path(), "sha256sum -z a.txt 'b c.txt' sub/d.bin > Z && tr '\\0' '\\n' < Z > N");
    assert!(o.status.success());
    put(ws.path(), b"a.txt", b"alpha, edited\n");
    let gnu = Command::new("sha256sum").current_dir(ws.path()).args(["-c", "N"]).output().unwrap();
    let ours = sealcheck().current_dir(ws.path()).args(["check", "-z", "Z"]).output().unwrap();
    assert_eq!(ours.status.code(), gnu.status.code());
    assert_eq!(String::from_utf8_lossy(&ours.stdout), String::from_utf8_lossy(&gnu.stdout));
    assert_eq!(
        String::from_utf8_lossy(&ours.stderr).replace("sealcheck:", "sha256sum:"),
        String::from_utf8_lossy(&gnu.stderr).replace(": N:", ": Z:")
    );
    let o = common::sh(ws.path(), "sha256sum -z \"$(printf 'nl\\nname')\" > NLZ");
    assert!(o.status.success());
    sealcheck().current_dir(ws.path()).args(["check", "--zero", "NLZ"]).assert().code(0).stdout("\\nl\\nname: OK\n");
}
