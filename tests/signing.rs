//! Signed seals, with the real OpenSSH tools both ways (`ssh-keygen -Y
//! sign` and `-Y verify`, `ssh-agent`), for Ed25519, ECDSA and RSA keys;
//! minisign with Debian's `minisign`; and every red case with its exit code
//! and class.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{put, require_tool, sample_packet, sealcheck, sh, snapshot};
use predicates::str::contains;
use sealcheck::Report;

const ID: &str = "ci@example.com";

/// A key made by ssh-keygen, and an allowed signers file for it.
struct Key {
    _dir: tempfile::TempDir,
    private: PathBuf,
    public: PathBuf,
    allowed: PathBuf,
}

fn keygen(kind: &[&str], options: &str) -> Key {
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("key");
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-N", "", "-C", ID])
        .args(kind)
        .arg("-f")
        .arg(&private)
        .status()
        .unwrap()
        .success();
    assert!(ok, "ssh-keygen {kind:?}");
    let public = dir.path().join("key.pub");
    let allowed = dir.path().join("allowed_signers");
    let pubkey = std::fs::read_to_string(&public).unwrap();
    std::fs::write(&allowed, format!("{ID} {options}{}", pubkey)).unwrap();
    Key { _dir: dir, private, public, allowed }
}

fn sealed_packet() -> tempfile::TempDir {
    let p = sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    p
}

fn ssh_keygen_verify(key: &Key, packet: &Path, namespace: &str) -> bool {
    let m = packet.join("HASH_MANIFEST.txt");
    let script = format!(
        "ssh-keygen -Y verify -f '{}' -I {ID} -n {namespace} -s '{}.sig' < '{}'",
        key.allowed.display(),
        m.display(),
        m.display()
    );
    sh(packet, &script).status.success()
}

/// A copy of the fixture bag (SHA-256, with its tag manifest), and the
/// directory that holds it.
fn fixture_bag() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bag = dir.path().join("bag");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bagit/v1.0-sha256");
    assert!(Command::new("cp").arg("-a").arg(&src).arg(&bag).status().unwrap().success());
    (dir, bag)
}

fn verify_json(packet: &Path, args: &[&str]) -> (i32, Option<Report>, String) {
    let out = sealcheck().arg("verify").arg(packet).args(args).arg("--json").output().unwrap();
    let report = serde_json::from_slice(&out.stdout).ok();
    (out.status.code().unwrap(), report, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn classes(r: &Report) -> Vec<&str> {
    r.findings.iter().flat_map(|f| f.classes.iter().map(|c| c.code())).collect()
}

const KINDS: &[(&str, &[&str])] = &[
    ("ed25519", &["-t", "ed25519"]),
    ("ecdsa-p256", &["-t", "ecdsa", "-b", "256"]),
    ("ecdsa-p384", &["-t", "ecdsa", "-b", "384"]),
    ("rsa", &["-t", "rsa", "-b", "2048"]),
];

#[test]
fn signatures_interoperate_with_ssh_keygen_both_ways_for_every_key_type() {
    if !require_tool("ssh-keygen") {
        return;
    }
    for (name, kind) in KINDS {
        let key = keygen(kind, "");
        // sealcheck signs; ssh-keygen verifies.
        let p = sealed_packet();
        sealcheck().arg("sign").arg(p.path()).arg("--key").arg(&key.private).assert().code(0);
        assert!(ssh_keygen_verify(&key, p.path(), "sealcheck"), "{name}: ssh-keygen rejects sealcheck's signature");
        let allowed = key.allowed.to_str().unwrap();
        let (code, report, err) = verify_json(p.path(), &["--allowed-signers", allowed, "--signer", ID]);
        assert_eq!(code, 0, "{name}: {err}");
        let sig = report.unwrap().checks.signature.unwrap();
        assert_eq!((sig.namespace.as_deref(), sig.hash.as_deref()), (Some("sealcheck"), Some("sha512")));
        assert!(sig.fingerprint.unwrap().starts_with("SHA256:"));
        assert_eq!(sig.principals, [ID]);
        // ssh-keygen signs; sealcheck verifies.
        let q = sealed_packet();
        let m = q.path().join("HASH_MANIFEST.txt");
        let o = sh(
            q.path(),
            &format!("ssh-keygen -q -Y sign -f '{}' -n sealcheck HASH_MANIFEST.txt", key.private.display()),
        );
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        let (code, _, err) = verify_json(q.path(), &["--allowed-signers", allowed]);
        assert_eq!(code, 0, "{name}: sealcheck rejects ssh-keygen's signature: {err}");
        if *name == "ed25519" {
            let ours = std::fs::read(p.path().join("HASH_MANIFEST.txt.sig")).unwrap();
            let theirs = std::fs::read(m.with_extension("txt.sig")).unwrap();
            let same_manifest =
                std::fs::read(p.path().join("HASH_MANIFEST.txt")).unwrap() == std::fs::read(&m).unwrap();
            if same_manifest {
                assert_eq!(ours, theirs, "Ed25519 signatures are byte-identical");
            }
            // Over identical bytes, the two files are identical.
            std::fs::copy(p.path().join("HASH_MANIFEST.txt"), &m).unwrap();
            let o = sh(
                q.path(),
                &format!(
                    "rm -f HASH_MANIFEST.txt.sig && ssh-keygen -q -Y sign -f '{}' -n sealcheck HASH_MANIFEST.txt",
                    key.private.display()
                ),
            );
            assert!(o.status.success());
            assert_eq!(std::fs::read(q.path().join("HASH_MANIFEST.txt.sig")).unwrap(), ours);
        }
    }
}

#[test]
fn seal_sign_and_signing_through_a_real_ssh_agent() {
    if !require_tool("ssh-agent") || !require_tool("ssh-add") {
        return;
    }
    let key = keygen(&["-t", "ed25519"], "");
    let agent = common::Agent::holding(&key.private);
    let sock = agent.sock.clone();
    let p = sample_packet();
    let out = sealcheck()
        .arg("seal")
        .arg(p.path())
        .arg("--sign")
        .arg(&key.public)
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    drop(agent);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains(sock.to_str().unwrap()), "the agent socket's path was printed: {text}");
    assert!(ssh_keygen_verify(&key, p.path(), "sealcheck"));
    // Without an agent, a public key cannot sign: a clear error, nothing written.
    let q = sealed_packet();
    sealcheck()
        .arg("sign")
        .arg(q.path())
        .arg("--key")
        .arg(&key.public)
        .env_remove("SSH_AUTH_SOCK")
        .assert()
        .code(2)
        .stderr(contains("SSH_AUTH_SOCK is not set"));
    assert!(!q.path().join("HASH_MANIFEST.txt.sig").exists());
}

#[test]
fn every_red_case_has_its_exit_code_and_class() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let key = keygen(&["-t", "ed25519"], "");
    let other = keygen(&["-t", "ed25519"], "");
    let allowed = key.allowed.to_str().unwrap();
    let p = sealed_packet();
    let sig = p.path().join("HASH_MANIFEST.txt.sig");
    let red = |args: &[&str], code: i32, class: &str| {
        let (got, report, err) = verify_json(p.path(), args);
        assert_eq!(got, code, "{args:?}: {err}");
        if !class.is_empty() {
            assert!(classes(report.as_ref().unwrap()).contains(&class), "{args:?}: {:?}", report.map(|r| r.findings));
        }
    };
    // No signature.
    red(&["--allowed-signers", allowed], 1, "signature_missing");
    // A signature by an allowed key over other bytes.
    let elsewhere = tempfile::tempdir().unwrap();
    put(elsewhere.path(), b"HASH_MANIFEST.txt", b"other bytes\n");
    assert!(sh(
        elsewhere.path(),
        &format!("ssh-keygen -q -Y sign -f '{}' -n sealcheck HASH_MANIFEST.txt", key.private.display())
    )
    .status
    .success());
    std::fs::copy(elsewhere.path().join("HASH_MANIFEST.txt.sig"), &sig).unwrap();
    red(&["--allowed-signers", allowed], 1, "signature_invalid");
    // A signature made for another namespace.
    std::fs::remove_file(&sig).unwrap();
    assert!(sh(p.path(), &format!("ssh-keygen -q -Y sign -f '{}' -n git HASH_MANIFEST.txt", key.private.display()))
        .status
        .success());
    red(&["--allowed-signers", allowed], 1, "signature_invalid");
    // A valid signature by a key the file does not list.
    std::fs::remove_file(&sig).unwrap();
    sealcheck().arg("sign").arg(p.path()).arg("--key").arg(&other.private).assert().code(0);
    red(&["--allowed-signers", allowed], 1, "signer_not_allowed");
    // Principal mismatch.
    std::fs::remove_file(&sig).unwrap();
    sealcheck().arg("sign").arg(p.path()).arg("--key").arg(&key.private).assert().code(0);
    red(&["--allowed-signers", allowed, "--signer", "someone@else"], 1, "signer_not_allowed");
    red(&["--allowed-signers", allowed, "--signer", ID], 0, "");
    // A namespace the allowed signers line does not allow.
    let git_only = keygen(&["-t", "ed25519"], "namespaces=\"git\" ");
    std::fs::remove_file(&sig).unwrap();
    sealcheck().arg("sign").arg(p.path()).arg("--key").arg(&git_only.private).assert().code(0);
    red(&["--allowed-signers", git_only.allowed.to_str().unwrap()], 1, "signer_not_allowed");
    // An expired key: red now, valid at an earlier --signature-time.
    let expired = keygen(&["-t", "ed25519"], "valid-after=\"20200101Z\",valid-before=\"20210101Z\" ");
    std::fs::remove_file(&sig).unwrap();
    sealcheck().arg("sign").arg(p.path()).arg("--key").arg(&expired.private).assert().code(0);
    let ex = expired.allowed.to_str().unwrap();
    red(&["--allowed-signers", ex], 1, "signer_not_allowed");
    red(&["--allowed-signers", ex, "--signature-time", "20200615Z"], 0, "");
    red(&["--allowed-signers", ex, "--signature-time", "20190615Z"], 1, "signer_not_allowed");
    // A truncated, then a re-armored signature: bad input.
    let armored = std::fs::read_to_string(&sig).unwrap();
    std::fs::write(&sig, &armored[..armored.len() / 2]).unwrap();
    red(&["--allowed-signers", ex, "--signature-time", "20200615Z"], 2, "");
    std::fs::write(&sig, armored.replace("SSH SIGNATURE", "PGP SIGNATURE")).unwrap();
    red(&["--allowed-signers", ex, "--signature-time", "20200615Z"], 2, "");
    // A signature file that is a FIFO or a symlink: bad input, at once.
    std::fs::remove_file(&sig).unwrap();
    assert!(Command::new("mkfifo").arg(&sig).status().unwrap().success());
    red(&["--allowed-signers", allowed], 2, "");
    std::fs::remove_file(&sig).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("HASH_MANIFEST.txt.sig"), &sig).unwrap();
    red(&["--allowed-signers", allowed], 2, "");
    // Malformed allowed signers files, and a certificate authority line.
    std::fs::remove_file(&sig).unwrap();
    let bad = elsewhere.path().join("bad_signers");
    std::fs::write(&bad, "ci@example.com not-a-key\n").unwrap();
    red(&["--allowed-signers", bad.to_str().unwrap()], 2, "");
    let pubkey = std::fs::read_to_string(&key.public).unwrap();
    std::fs::write(&bad, format!("*@example.com cert-authority {pubkey}")).unwrap();
    let (code, _, err) = verify_json(p.path(), &["--allowed-signers", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("cert-authority"), "{err}");
}

#[test]
fn a_present_signature_unchecked_is_reported_never_a_pass_and_never_in_the_tree() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let key = keygen(&["-t", "ed25519"], "");
    let p = sealed_packet();
    let tree_before = String::from_utf8(sealcheck().arg("tree-hash").arg(p.path()).output().unwrap().stdout).unwrap();
    sealcheck().arg("sign").arg(p.path()).arg("--key").arg(&key.private).assert().code(0);
    let tree_after = String::from_utf8(sealcheck().arg("tree-hash").arg(p.path()).output().unwrap().stdout).unwrap();
    assert_eq!(tree_before, tree_after, "the signature is part of the seal, not of the packet");
    let (code, report, _) = verify_json(p.path(), &[]);
    assert_eq!(code, 0, "a signature never counts as an extra file");
    let sig = report.unwrap().checks.signature.unwrap();
    assert!(!sig.checked && sig.verdict.is_none());
    // A red packet stays red, whatever its signature.
    put(p.path(), b"README.md", b"drifted\n");
    let (code, _, _) = verify_json(p.path(), &["--allowed-signers", key.allowed.to_str().unwrap()]);
    assert_eq!(code, 1);
    // And a drifted packet is never signed.
    sign_is_refused(p.path(), &key, 1, &["refusing to sign", "README.md"]);
}

/// `sign` with `key` exits `code`, its error says each of `says`, and the
/// packet is left as it was.
fn sign_is_refused(packet: &Path, key: &Key, code: i32, says: &[&str]) {
    let before = snapshot(packet);
    let mut run = sealcheck().arg("sign").arg(packet).arg("--key").arg(&key.private).assert().code(code);
    for s in says {
        run = run.stderr(contains(*s));
    }
    assert_eq!(before, snapshot(packet), "nothing written");
}

#[test]
fn an_rsa_key_under_2048_bits_signs_nothing() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let key = keygen(&["-t", "rsa", "-b", "1024"], "");
    let p = sealed_packet();
    sign_is_refused(p.path(), &key, 2, &["an RSA key of at least 2048 bits"]);
}

#[test]
fn encrypted_keys_take_the_passphrase_from_the_environment_and_nothing_secret_is_printed() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("key");
    let pass = "correct-horse-battery-staple-42";
    assert!(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", pass, "-C", ID, "-f"])
        .arg(&private)
        .status()
        .unwrap()
        .success());
    let p = sealed_packet();
    // No passphrase and no terminal: refused, nothing written.
    sealcheck()
        .arg("sign")
        .arg(p.path())
        .arg("--key")
        .arg(&private)
        .env_remove("SEALCHECK_KEY_PASSPHRASE")
        .assert()
        .code(2)
        .stderr(contains("SEALCHECK_KEY_PASSPHRASE"));
    let wrong = sealcheck()
        .arg("sign")
        .arg(p.path())
        .arg("--key")
        .arg(&private)
        .env("SEALCHECK_KEY_PASSPHRASE", "nope-wrong-passphrase")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    let out = sealcheck()
        .arg("sign")
        .arg(p.path())
        .arg("--key")
        .arg(&private)
        .env("SEALCHECK_KEY_PASSPHRASE", pass)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let key_text = std::fs::read_to_string(&private).unwrap();
    let body: String = key_text.lines().filter(|l| !l.starts_with("-----")).collect();
    for o in [&wrong, &out] {
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(!text.contains(pass) && !text.contains("nope-wrong-passphrase"), "{text}");
        assert!(!text.contains(&body[..40]), "private key material printed: {text}");
    }
    // A key inside the packet is refused: it would be sealed with it.
    std::fs::copy(&private, p.path().join("signing_key")).unwrap();
    sealcheck()
        .arg("sign")
        .arg(p.path())
        .arg("--key")
        .arg(p.path().join("signing_key"))
        .assert()
        .code(2)
        .stderr(contains("outside the packet"));
}

#[test]
fn minisign_signatures_verify_and_a_tampered_trusted_comment_is_red() {
    if !require_tool("minisign") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (sk, pk) = (dir.path().join("k.key"), dir.path().join("k.pub"));
    let gen = Command::new("minisign").args(["-G", "-W", "-s"]).arg(&sk).arg("-p").arg(&pk).output().unwrap();
    assert!(gen.status.success(), "{}", String::from_utf8_lossy(&gen.stderr));
    let p = sealed_packet();
    let m = p.path().join("HASH_MANIFEST.txt");
    let signed = Command::new("minisign")
        .args(["-S", "-s"])
        .arg(&sk)
        .arg("-m")
        .arg(&m)
        .args(["-t", "release 2026-11 by ci"])
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let key = pk.to_str().unwrap();
    let (code, report, err) = verify_json(p.path(), &["--minisign-key", key]);
    assert_eq!(code, 0, "{err}");
    let section = report.unwrap().checks.minisign.unwrap();
    assert_eq!(section.trusted_comment.as_deref(), Some("release 2026-11 by ci"));
    let sig = m.with_extension("txt.minisig");
    let text = std::fs::read_to_string(&sig).unwrap();
    std::fs::write(&sig, text.replace("release 2026-11 by ci", "release 2026-12 by ci")).unwrap();
    let (code, report, _) = verify_json(p.path(), &["--minisign-key", key]);
    assert_eq!(code, 1);
    assert!(classes(report.as_ref().unwrap()).contains(&"signature_invalid"));
    std::fs::remove_file(&sig).unwrap();
    let (code, report, _) = verify_json(p.path(), &["--minisign-key", key]);
    assert_eq!(code, 1);
    assert!(classes(report.as_ref().unwrap()).contains(&"signature_missing"));
}

#[test]
fn a_bag_is_signed_through_its_strongest_tag_manifest() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let key = keygen(&["-t", "ed25519"], "");
    let (_dir, bag) = fixture_bag();
    sealcheck().arg("sign").arg(&bag).arg("--key").arg(&key.private).assert().code(0);
    let tag = bag.join("tagmanifest-sha256.txt");
    let o = sh(
        &bag,
        &format!(
            "ssh-keygen -Y verify -f '{}' -I {ID} -n sealcheck -s tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt",
            key.allowed.display()
        ),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let allowed = key.allowed.to_str().unwrap();
    let (code, report, err) = verify_json(&bag, &["--allowed-signers", allowed]);
    assert_eq!(code, 0, "{err}");
    assert!(report.unwrap().checks.signature.unwrap().signed_file.ends_with("tagmanifest-sha256.txt"));
    // The tag manifest covers the payload manifest: editing it is red twice.
    let m = bag.join("manifest-sha256.txt");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, text.replacen('a', "b", 1)).unwrap();
    let (code, _, _) = verify_json(&bag, &["--allowed-signers", allowed]);
    assert_eq!(code, 1);
    std::fs::write(&m, text).unwrap();
    // Editing the signed tag manifest itself breaks the signature.
    let tags = std::fs::read_to_string(&tag).unwrap();
    let first = tags.chars().next().unwrap();
    let flipped = if first == '0' { '1' } else { '0' };
    std::fs::write(&tag, format!("{flipped}{}", &tags[1..])).unwrap();
    let (code, report, _) = verify_json(&bag, &["--allowed-signers", allowed]);
    assert_eq!(code, 1);
    assert!(classes(report.as_ref().unwrap()).contains(&"signature_invalid"));
}

/// A bag with no tag manifest has nothing a signature could cover: asked
/// for any signature, it is refused (exit 2), never let through unsigned.
#[test]
fn a_bag_without_a_tag_manifest_is_refused_whichever_signature_is_asked_for() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let key = keygen(&["-t", "ed25519"], "");
    let (_dir, bag) = fixture_bag();
    for entry in std::fs::read_dir(&bag).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("tagmanifest-") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let (code, _, _) = verify_json(&bag, &[]);
    assert_eq!(code, 0, "the bag verifies unsigned when no signature is asked for");
    let allowed = key.allowed.to_str().unwrap();
    let minisign_key = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
    for args in [&["--allowed-signers", allowed][..], &["--minisign-key", minisign_key]] {
        let (code, _, err) = verify_json(&bag, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("a tag manifest"), "{args:?}: {err}");
    }
}
