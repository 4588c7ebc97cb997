//! Interop with real GNU `sha256sum`, both ways, and the CONTRACT's coreutils
//! one-liner against `tree-hash`.

mod common;

use std::path::Path;

use common::{put, sealcheck, sh, stdout};

/// A tree whose names hold spaces, non-ASCII, a backslash, a newline and a CR.
fn awkward_packet() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(r, b"plain.txt", b"plain\n");
    put(r, b"with space.txt", b"space\n");
    put(r, "\u{fc}ber/na\u{ef}ve \u{2014} d\u{e9}j\u{e0}.md".as_bytes(), "caf\u{e9}\n".as_bytes());
    put(r, b"back\\slash", b"backslash\n");
    put(r, b"new\nline", b"newline\n");
    put(r, b"carriage\rreturn", b"cr\n");
    put(r, b"deep/a/b/c/d.bin", &[0, 1, 2, 255]);
    put(r, b"empty", b"");
    dir
}

const ONE_LINER: &str =
    "find . -type f ! -path ./HASH_MANIFEST.txt -printf '%P\\0' | LC_ALL=C sort -z | xargs -r0 sha256sum | sha256sum";

fn tree_hash(dir: &Path) -> String {
    let out = sealcheck().arg("tree-hash").arg(dir).assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn rule_m6_coreutils_one_liner_equals_tree_hash() {
    let p = awkward_packet();
    let gnu = stdout(&sh(p.path(), ONE_LINER));
    assert_eq!(gnu.len(), 64 + 4, "{gnu:?}");
    assert_eq!(format!("{}\n", &gnu[..64]), tree_hash(p.path()));
    // And after sealing, the manifest is in the tree but not in either value.
    sealcheck().arg("seal").arg(p.path()).assert().success().stdout(format!("{}\n", &gnu[..64]));
    assert_eq!(stdout(&sh(p.path(), ONE_LINER)), gnu);
}

#[test]
fn rule_m5_empty_packet_matches_the_one_liner() {
    let p = tempfile::tempdir().unwrap();
    let gnu = stdout(&sh(p.path(), ONE_LINER));
    assert_eq!(format!("{}\n", &gnu[..64]), tree_hash(p.path()));
}

#[test]
fn manifests_written_by_seal_pass_gnu_check() {
    let p = awkward_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let out = sh(p.path(), "sha256sum -c --strict HASH_MANIFEST.txt");
    assert!(out.status.success(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out).matches(": OK\n").count(), 8);
}

#[test]
fn manifests_written_by_gnu_verify() {
    let p = awkward_packet();
    // Untagged, with GNU's own escaping, written by the one-liner's pipeline.
    let out = sh(p.path(), "find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -r0 sha256sum > ../gnu.txt && mv ../gnu.txt HASH_MANIFEST.txt");
    assert!(out.status.success());
    sealcheck().arg("verify").arg(p.path()).assert().code(0).stdout(predicates::str::ends_with("PASS\n"));
    // With ./ prefixes, in find's order (unsorted), binary markers.
    let out = sh(p.path(), "rm HASH_MANIFEST.txt && find . -type f -print0 | xargs -0 sha256sum -b > ../gnu.txt && mv ../gnu.txt HASH_MANIFEST.txt");
    assert!(out.status.success());
    sealcheck().arg("verify").arg(p.path()).assert().code(0);
    // BSD tagged.
    let out = sh(p.path(), "rm HASH_MANIFEST.txt && find . -type f -print0 | xargs -0 sha256sum --tag > ../gnu.txt && mv ../gnu.txt HASH_MANIFEST.txt");
    assert!(out.status.success());
    sealcheck().arg("verify").arg(p.path()).assert().code(0);
    // And a drifted file under a GNU-written manifest is still found.
    put(p.path(), b"new\nline", b"NEWLINE\n");
    sealcheck()
        .arg("verify")
        .arg(p.path())
        .assert()
        .code(1)
        .stdout(predicates::str::contains("CHANGED     new\\nline: bytes differ"));
}
