//! Helpers shared by the end-to-end tests: build packets, run the real
//! binary, and prove a packet was not modified.
#![allow(dead_code)]

pub mod http;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use sha2::{Digest as _, Sha256};

/// How long a run may take before the tests call it a hang: a guard
/// against blocking (a FIFO read, a server that never answers), never a
/// speed test, so generous enough for a loaded 2-core machine running a
/// debug build. Speed is measured in `benches/`.
#[allow(dead_code)]
pub const HANG: Duration = Duration::from_secs(60);

/// The binary under test, with a fixed report date and no colour, killed
/// past [`HANG`].
pub fn sealcheck() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("sealcheck").expect("binary built");
    c.env("SOURCE_DATE_EPOCH", "1795219200").env_remove("GITHUB_STEP_SUMMARY").timeout(HANG);
    c
}

/// Writes `content` at `rel` (raw bytes) under `root`, creating directories.
pub fn put(root: &Path, rel: &[u8], content: &[u8]) -> PathBuf {
    let path = root.join(OsStr::from_bytes(rel));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// A packet with text, JSON, binary and awkward names.
pub fn sample_packet() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(r, b"README.md", "Packet \u{2014} sealed.\n".as_bytes());
    put(r, b"report.json", b"{\"verdict\": \"PASS\", \"count\": 3}\n");
    put(r, b"data/dump.bin", &(0u8..=255).collect::<Vec<_>>());
    put(r, b"notes/with space.txt", b"spaces\n");
    put(r, "notes/\u{fc}nicode-\u{e9}.txt".as_bytes(), b"non-ascii name\n");
    dir
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every entry under `root`: raw path -> (kind, sha256 of content, mtime, mode).
pub fn snapshot(root: &Path) -> BTreeMap<Vec<u8>, (String, String, i64, i64, u32)> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(root).follow_links(false) {
        let e = e.unwrap();
        let m = e.path().symlink_metadata().unwrap();
        let rel = e.path().strip_prefix(root).unwrap().as_os_str().as_bytes().to_vec();
        let (kind, digest) = if m.is_file() {
            ("file".to_string(), sha256_hex(&std::fs::read(e.path()).unwrap_or_default()))
        } else if m.file_type().is_symlink() {
            ("link".to_string(), format!("{:?}", std::fs::read_link(e.path()).unwrap()))
        } else {
            (format!("{:?}", m.file_type()), String::new())
        };
        out.insert(rel, (kind, digest, m.mtime(), m.mtime_nsec(), m.mode()));
    }
    out
}

/// Runs a shell command line in `dir` and returns its output.
pub fn sh(dir: &Path, script: &str) -> Output {
    Command::new("sh").arg("-c").arg(script).current_dir(dir).output().expect("sh runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// How to run the binary without root's powers: as `nobody` through
/// `setpriv` when the tests run as root, as is otherwise. `None` when root
/// cannot drop (the caller must then say SKIPPED, never pass).
pub fn unprivileged() -> Option<Command> {
    let probe = tempfile::tempdir().unwrap();
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(probe.path()).unwrap()) == 0;
    let bin = assert_cmd::cargo::cargo_bin("sealcheck");
    if !root {
        return Some(Command::new(bin));
    }
    let drop = ["--reuid", "65534", "--regid", "65534", "--clear-groups"];
    let works = Command::new("setpriv").args(drop).arg("true").status().is_ok_and(|s| s.success());
    works.then(|| {
        let mut c = Command::new("setpriv");
        c.args(drop).arg("--").arg(bin);
        c
    })
}

/// Whether `tool` is on the PATH. A test that needs a missing tool says
/// SKIPPED and returns; under `CI` it fails instead, so a machine without
/// the tool can never pass silently (the README's test command installs
/// every tool).
pub fn require_tool(tool: &str) -> bool {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success());
    if !found {
        skipped(&format!("{tool} is not installed (scripts/test-deps.sh installs it)"));
    }
    found
}

/// Says a case was skipped, and fails the run under `CI`.
pub fn skipped(why: &str) {
    assert!(std::env::var_os("CI").is_none(), "a skipped case fails under CI: {why}");
    eprintln!("SKIPPED: {why}");
}

/// A real `ssh-agent` on a socket of its own, holding one private key;
/// killed when dropped.
#[allow(dead_code)]
pub struct Agent {
    child: std::process::Child,
    /// The socket, for `SSH_AUTH_SOCK`.
    pub sock: PathBuf,
    _dir: tempfile::TempDir,
}

#[allow(dead_code)]
impl Agent {
    /// Starts an agent and adds the private key at `key` to it.
    pub fn holding(key: &Path) -> Agent {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("agent.sock");
        let child = std::process::Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..250 {
            if sock.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let agent = Agent { child, sock, _dir: dir };
        let added = std::process::Command::new("ssh-add").arg(key).env("SSH_AUTH_SOCK", &agent.sock).output().unwrap();
        assert!(added.status.success(), "ssh-add: {}", String::from_utf8_lossy(&added.stderr));
        agent
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
