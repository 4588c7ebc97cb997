//! Signed seals: an SSH signature (OpenSSH's SSHSIG, as `ssh-keygen -Y sign`
//! writes it) over exactly the manifest's bytes, namespace `sealcheck`,
//! hash `sha512`, in `HASH_MANIFEST.txt.sig` beside the manifest; and the
//! check of such a signature against OpenSSH's ALLOWED SIGNERS file, as
//! `ssh-keygen -Y verify` makes it. minisign signatures
//! (`HASH_MANIFEST.txt.minisig`) are checked too, never made.
//!
//! The signature is part of the seal, not of the packet: the walk leaves it
//! out, so it is never an extra file and never in `packet_tree_sha256`.
//! The formats come from well-kept crates (`ssh-key`, `minisign-verify`);
//! what is written here is the policy: which key, which principal, which
//! namespace, which time. Reading never writes; signing writes only the
//! signature file, atomically.

use std::path::{Path, PathBuf};

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use crate::finding::{Finding, FindingClass};
use crate::input::{self, Kind};
use crate::report::sections::SignatureCheck;
use crate::report::Verdict;
use crate::Error;

/// The namespace every sealcheck signature is made for.
pub const NAMESPACE: &str = "sealcheck";

/// The SSH signature's file: the signed file's name plus this.
pub const SSH_EXT: &str = ".sig";

/// The minisign signature's file: the signed file's name plus this.
pub const MINISIGN_EXT: &str = ".minisig";

/// The path of `file`'s signature with extension `ext`.
pub fn signature_path(file: &Path, ext: &str) -> PathBuf {
    let mut s = file.as_os_str().to_os_string();
    s.push(ext);
    PathBuf::from(s)
}

fn bad(path: &Path, line: Option<usize>, expected: impl Into<String>) -> Error {
    Error::Malformed { path: path.display().to_string(), line, expected: expected.into() }
}

/// A key to sign with.
pub enum SigningKey {
    /// An OpenSSH private key, decrypted.
    File(Box<PrivateKey>),
    /// A public key whose private half `ssh-agent` holds.
    Agent(Box<PublicKey>),
}

/// Loads the key at `path` to sign the packet at `packet` with: an OpenSSH
/// private key (decrypted with `passphrase` when it is encrypted), or a
/// public key whose private half the agent holds. A key inside the packet
/// is refused: it would be sealed with it.
pub fn load_key(path: &Path, packet: &Path, passphrase: impl FnOnce() -> Option<String>) -> Result<SigningKey, Error> {
    if let (Ok(key), Ok(root)) = (path.canonicalize(), packet.canonicalize()) {
        if key.starts_with(&root) {
            return Err(bad(path, None, "a key outside the packet: a key inside it would be sealed with the packet"));
        }
    }
    let bytes = input::read(path, Kind::Key)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad(path, None, "an OpenSSH key file (text)"))?;
    if text.trim_start().starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        let key =
            PrivateKey::from_openssh(text).map_err(|e| bad(path, None, format!("an OpenSSH private key ({e})")))?;
        let key = if key.is_encrypted() {
            let pass = passphrase().ok_or_else(|| {
                bad(
                    path,
                    None,
                    "a passphrase for this encrypted key: set SEALCHECK_KEY_PASSPHRASE, or run on a terminal",
                )
            })?;
            key.decrypt(pass.as_bytes()).map_err(|_| bad(path, None, "the passphrase that decrypts this key"))?
        } else {
            key
        };
        return Ok(SigningKey::File(Box::new(key)));
    }
    let public = PublicKey::from_openssh(text.trim())
        .map_err(|e| bad(path, None, format!("an OpenSSH private key, or a public key held by ssh-agent ({e})")))?;
    Ok(SigningKey::Agent(Box::new(public)))
}

/// Signs `msg`: the armored SSHSIG, namespace `sealcheck`, hash sha512.
pub fn sign(key: &SigningKey, msg: &[u8]) -> Result<String, Error> {
    let sig = match key {
        SigningKey::File(k) => match k.key_data() {
            ssh_key::private::KeypairData::Rsa(rsa) => sign_rsa(k, rsa, msg)?,
            _ => k.sign(NAMESPACE, HashAlg::Sha512, msg).map_err(|e| Error::Usage(format!("signing failed: {e}")))?,
        },
        SigningKey::Agent(public) => crate::agent::sign(public, NAMESPACE, msg)?,
    };
    sig.to_pem(LineEnding::LF).map_err(|e| Error::Usage(format!("signing failed: {e}")))
}

/// What `sign` did.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The file signed (the manifest, or a bag's tag manifest).
    pub signed_file: PathBuf,
    /// The signature written.
    pub signature_file: PathBuf,
    /// The signing key's fingerprint.
    pub fingerprint: String,
}

/// Signs the seal of the packet at `root` with `key`, after proving the
/// packet verifies against it (a drifted packet is never signed: that
/// would vouch for its drift). Writes only the signature, atomically.
pub fn sign_packet(root: &Path, opts: &crate::verify::VerifyOptions, key: &SigningKey) -> Result<Signed, Error> {
    let report = crate::verify::verify(root, opts, String::new())?;
    if !report.status().is_pass() {
        let red: Vec<Finding> = report.findings.into_iter().filter(|f| !f.status().is_pass()).collect();
        return Err(Error::SignDrift(red));
    }
    let root_dir = crate::fsio::Root::open(root).map_err(|e| Error::io(root, e))?;
    let location = crate::seal::locate(root, &opts.read_options())?;
    let seal = crate::seal::read(&root_dir, &location, &opts.read_options())?;
    let file = crate::verify::signed_file(&seal).ok_or_else(|| Error::MalformedSeal {
        path: seal.files[0].shown.clone(),
        line: None,
        expected: "a tag manifest listing every payload manifest, for the signature to cover".into(),
    })?;
    let bytes = input::read(&file.path, Kind::Manifest)?;
    if crate::Digest::of(&bytes) != file.sha256 {
        return Err(Error::Usage(format!("{}: changed while it was signed; nothing was written", file.shown)));
    }
    let armored = sign(key, &bytes)?;
    let target = signature_path(&file.path, SSH_EXT);
    crate::seal::write::write_file_atomically(&target, armored.as_bytes())?;
    let fingerprint = match key {
        SigningKey::File(k) => fingerprint(k.public_key().key_data()),
        SigningKey::Agent(p) => fingerprint(p.key_data()),
    };
    Ok(Signed { signed_file: file.path.clone(), signature_file: target, fingerprint })
}

/// rsa-sha2-512 over the SSHSIG signed data, with the key's real primes
/// (`ssh-key` 0.6 passes `p` twice and so cannot).
fn sign_rsa(key: &PrivateKey, k: &ssh_key::private::RsaKeypair, msg: &[u8]) -> Result<SshSig, Error> {
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    let fail = |what: &str| Error::Usage(format!("signing failed: {what}"));
    let n = |m: &ssh_key::Mpint| rsa::BigUint::try_from(m).map_err(|_| fail("a malformed RSA key"));
    let private = rsa::RsaPrivateKey::from_components(
        n(&k.public.n)?,
        n(&k.public.e)?,
        n(&k.private.d)?,
        vec![n(&k.private.p)?, n(&k.private.q)?],
    )
    .map_err(|e| fail(&format!("a malformed RSA key ({e})")))?;
    if private.size() * 8 < 2048 {
        return Err(fail("an RSA key of at least 2048 bits"));
    }
    let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, msg).map_err(|e| fail(&e.to_string()))?;
    let signer = rsa::pkcs1v15::SigningKey::<ssh_key::sha2::Sha512>::new(private);
    let bytes = signer.try_sign(&data).map_err(|e| fail(&e.to_string()))?.to_vec();
    let signature = ssh_key::Signature::new(ssh_key::Algorithm::Rsa { hash: Some(HashAlg::Sha512) }, bytes)
        .map_err(|e| fail(&e.to_string()))?;
    let sig = SshSig::new(key.public_key().key_data().clone(), NAMESPACE, HashAlg::Sha512, signature)
        .map_err(|e| fail(&e.to_string()))?;
    // What was made must verify before it is written.
    key.public_key().verify(NAMESPACE, msg, &sig).map_err(|_| fail("the RSA signature does not verify"))?;
    Ok(sig)
}

/// The fingerprint as `ssh-keygen -l` prints it: `SHA256:…`.
pub fn fingerprint(key: &ssh_key::public::KeyData) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// One line of an ALLOWED SIGNERS file.
#[derive(Clone, Debug)]
pub struct AllowedSigner {
    /// Principal patterns (`*` and `?` wildcards, `!` negation).
    pub principals: Vec<String>,
    /// The key.
    pub key: PublicKey,
    /// `namespaces=`: the namespaces the key may sign for (patterns);
    /// `None` is any.
    pub namespaces: Option<Vec<String>>,
    /// `valid-after=`, seconds since the epoch.
    pub valid_after: Option<i64>,
    /// `valid-before=`, seconds since the epoch.
    pub valid_before: Option<i64>,
    /// The line it came from.
    pub line: usize,
}

/// What a signature must satisfy.
#[derive(Clone, Debug)]
pub struct SignaturePolicy {
    /// The allowed signers file, as given.
    pub file: String,
    /// Its entries.
    pub allowed: Vec<AllowedSigner>,
    /// `--signer`: the principal the signer must be allowed as.
    pub signer: Option<String>,
    /// The time validity windows are checked at, seconds since the epoch.
    pub time: i64,
}

/// Reads an ALLOWED SIGNERS file (OpenSSH's format, as git's
/// `gpg.ssh.allowedSignersFile`): `principals [options] keytype key
/// [comment]`, options `namespaces=`, `valid-after=`, `valid-before=`;
/// `cert-authority` is refused as not supported, never ignored.
pub fn read_allowed_signers(path: &Path) -> Result<Vec<AllowedSigner>, Error> {
    let text = input::read_text(path, Kind::AllowedSigners)?;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split_fields(line).map_err(|e| bad(path, Some(no), e))?;
        let mut it = fields.into_iter();
        let principals: Vec<String> = it
            .next()
            .ok_or_else(|| bad(path, Some(no), "principals"))?
            .trim_matches('"')
            .split(',')
            .map(str::to_string)
            .collect();
        let mut rest: Vec<String> = it.collect();
        let (mut namespaces, mut valid_after, mut valid_before) = (None, None, None);
        // Options come before the key type; a key type starts with a letter
        // and holds no '='.
        let key_at = rest
            .iter()
            .position(|f| is_key_type(f))
            .ok_or_else(|| bad(path, Some(no), "a key type and key (ssh-ed25519 AAAA…)"))?;
        for opt in rest.drain(..key_at).flat_map(|o| split_options(&o)) {
            let (name, value) = match opt.split_once('=') {
                Some((n, v)) => (n.to_ascii_lowercase(), Some(v.trim_matches('"').to_string())),
                None => (opt.to_ascii_lowercase(), None),
            };
            match (name.as_str(), value) {
                ("cert-authority", _) => {
                    return Err(bad(path, Some(no), "a key, not cert-authority: certificates are not supported"))
                }
                ("namespaces", Some(v)) => namespaces = Some(v.split(',').map(str::to_string).collect()),
                ("valid-after", Some(v)) => {
                    valid_after = Some(
                        parse_time(&v)
                            .ok_or_else(|| bad(path, Some(no), format!("a time YYYYMMDD[HHMM[SS]][Z], not {v:?}")))?,
                    )
                }
                ("valid-before", Some(v)) => {
                    valid_before = Some(
                        parse_time(&v)
                            .ok_or_else(|| bad(path, Some(no), format!("a time YYYYMMDD[HHMM[SS]][Z], not {v:?}")))?,
                    )
                }
                (other, _) => return Err(bad(path, Some(no), format!("a known option, not {other:?}"))),
            }
        }
        let key_text = rest.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
        let key = PublicKey::from_openssh(&key_text).map_err(|e| bad(path, Some(no), format!("a public key ({e})")))?;
        out.push(AllowedSigner { principals, key, namespaces, valid_after, valid_before, line: no });
    }
    Ok(out)
}

fn is_key_type(f: &str) -> bool {
    f.starts_with("ssh-") || f.starts_with("ecdsa-sha2-") || f.starts_with("sk-")
}

/// Splits on white space, keeping double-quoted runs whole.
fn split_fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("a closing '\"'".into());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Splits an options field on commas outside quotes.
fn split_options(field: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in field.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// `YYYYMMDD[HHMM[SS]][Z]`, read as UTC (OpenSSH reads a time without `Z`
/// as local time; sealcheck reads every time as UTC, so write the `Z`).
/// Also accepts RFC 3339.
pub fn parse_time(s: &str) -> Option<i64> {
    let t = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if t.bytes().all(|b| b.is_ascii_digit()) && matches!(t.len(), 8 | 12 | 14) {
        let n = |a: usize, b: usize| t[a..b].parse::<i64>().ok();
        let (y, mo, d) = (n(0, 4)?, n(4, 6)?, n(6, 8)?);
        let (h, mi, sec) =
            if t.len() >= 12 { (n(8, 10)?, n(10, 12)?, if t.len() == 14 { n(12, 14)? } else { 0 }) } else { (0, 0, 0) };
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        return Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec);
    }
    humantime::parse_rfc3339_weak(s)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An OpenSSH pattern list: comma-separated, `*` and `?` wildcards, a
/// leading `!` negates (a negated match refuses outright).
pub fn matches_pattern_list(patterns: &[String], name: &str) -> bool {
    let mut matched = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(neg) if glob(neg, name) => return false,
            Some(_) => {}
            None if glob(p, name) => matched = true,
            None => {}
        }
    }
    matched
}

fn glob(p: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (p.chars().collect(), s.chars().collect());
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Checks the SSH signature at `sig_path` over `msg` (the bytes of
/// `signed`) against `policy`: the report's section, and a finding when it
/// does not hold. A malformed signature is bad input.
pub fn check(
    msg: &[u8],
    signed: &str,
    sig_path: &Path,
    policy: Option<&SignaturePolicy>,
) -> Result<(SignatureCheck, Option<Finding>), Error> {
    let shown = sig_path.display().to_string();
    let mut section = SignatureCheck {
        verdict: None,
        kind: "ssh".into(),
        file: shown.clone(),
        signed_file: signed.to_string(),
        namespace: None,
        hash: None,
        algorithm: None,
        fingerprint: None,
        principals: Vec::new(),
        allowed_signers: policy.map(|p| p.file.clone()),
        checked: policy.is_some(),
        trusted_comment: None,
    };
    let finding = |class: FindingClass, message: String, proof: String| {
        let mut f = Finding::new(shown.clone(), class, message);
        f.proof = Some(proof);
        f
    };
    let armored = match input::open(sig_path, Kind::Signature) {
        Ok(i) => i.read_all()?,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            if policy.is_none() {
                return Ok((section, None));
            }
            section.verdict = Some(Verdict::Fail);
            let f = finding(
                FindingClass::SignatureMissing,
                "a signature is required (--allowed-signers) and there is none".into(),
                format!("no file at {shown}"),
            );
            return Ok((section, Some(f)));
        }
        Err(e) => return Err(e),
    };
    let sig = SshSig::from_pem(&armored)
        .map_err(|e| bad(sig_path, None, format!("an armored SSH signature (-----BEGIN SSH SIGNATURE-----): {e}")))?;
    section.namespace = Some(sig.namespace().to_string());
    section.hash = Some(sig.hash_alg().as_str().to_string());
    section.algorithm = Some(sig.algorithm().as_str().to_string());
    section.fingerprint = Some(fingerprint(sig.public_key()));
    let Some(policy) = policy else {
        // Present, not checked: reported, never a reason to pass.
        return Ok((section, None));
    };
    let fail = |section: &mut SignatureCheck, class, message: String, proof: String| {
        section.verdict = Some(Verdict::Fail);
        Some(finding(class, message, proof))
    };
    if sig.namespace() != NAMESPACE {
        let f = fail(
            &mut section,
            FindingClass::SignatureInvalid,
            format!("the signature was made for namespace {:?}, not {NAMESPACE:?}", sig.namespace()),
            "the SSHSIG blob names its namespace; a signature for another purpose never vouches for a seal".into(),
        );
        return Ok((section, f));
    }
    if sig.hash_alg() != HashAlg::Sha512 {
        let f = fail(
            &mut section,
            FindingClass::SignatureInvalid,
            format!("the signature hashes with {}, not sha512", sig.hash_alg().as_str()),
            "sealcheck signatures are made with sha512".into(),
        );
        return Ok((section, f));
    }
    let public = PublicKey::new(sig.public_key().clone(), "");
    let fp = section.fingerprint.clone().unwrap_or_default();
    if let Err(e) = public.verify(NAMESPACE, msg, &sig) {
        let f = fail(
            &mut section,
            FindingClass::SignatureInvalid,
            format!("the signature does not verify over {signed}: {e}"),
            format!("checked with the key the signature names ({fp}): it is not a signature over these bytes"),
        );
        return Ok((section, f));
    }
    let by_key: Vec<&AllowedSigner> = policy.allowed.iter().filter(|a| a.key.key_data() == sig.public_key()).collect();
    if by_key.is_empty() {
        let f = fail(
            &mut section,
            FindingClass::SignerNotAllowed,
            format!("the signing key {fp} is not in {}", policy.file),
            format!("the signature verifies, but no line of {} holds key {fp}", policy.file),
        );
        return Ok((section, f));
    }
    let mut why = Vec::new();
    for a in by_key {
        if let Some(id) = &policy.signer {
            if !matches_pattern_list(&a.principals, id) {
                why.push(format!("line {}: principals {} do not match {id:?}", a.line, a.principals.join(",")));
                continue;
            }
        }
        if let Some(ns) = &a.namespaces {
            if !matches_pattern_list(ns, NAMESPACE) {
                why.push(format!("line {}: namespaces {} do not allow {NAMESPACE:?}", a.line, ns.join(",")));
                continue;
            }
        }
        if a.valid_after.is_some_and(|t| policy.time < t) || a.valid_before.is_some_and(|t| policy.time >= t) {
            why.push(format!("line {}: the key is not valid at the time checked ({})", a.line, policy.time));
            continue;
        }
        section.principals = a.principals.clone();
        section.verdict = Some(Verdict::Pass);
        return Ok((section, None));
    }
    let f = fail(
        &mut section,
        FindingClass::SignerNotAllowed,
        format!("the signing key {fp} is not allowed: {}", why.join("; ")),
        format!("the signature verifies with key {fp}, which {} lists, but no line allows it here", policy.file),
    );
    Ok((section, f))
}

/// Checks the minisign signature at `sig_path` over `msg` with `key` (a
/// public key file or its base64 line): the report's section and a finding
/// when it does not hold.
pub fn check_minisign(
    msg: &[u8],
    signed: &str,
    sig_path: &Path,
    key: &str,
) -> Result<(SignatureCheck, Option<Finding>), Error> {
    let shown = sig_path.display().to_string();
    let public = if Path::new(key).exists() {
        let text = input::read_text(Path::new(key), Kind::Key)?;
        minisign_verify::PublicKey::decode(&text)
            .map_err(|e| bad(Path::new(key), None, format!("a minisign public key ({e})")))?
    } else {
        minisign_verify::PublicKey::from_base64(key)
            .map_err(|e| Error::Usage(format!("--minisign-key: expected a key file or its base64 line ({e})")))?
    };
    let mut section = SignatureCheck {
        verdict: Some(Verdict::Fail),
        kind: "minisign".into(),
        file: shown.clone(),
        signed_file: signed.to_string(),
        namespace: None,
        hash: None,
        algorithm: Some("ed25519".into()),
        fingerprint: None,
        principals: Vec::new(),
        allowed_signers: None,
        checked: true,
        trusted_comment: None,
    };
    let text = match input::open(sig_path, Kind::Signature) {
        Ok(i) => String::from_utf8(i.read_all()?).map_err(|_| bad(sig_path, None, "a minisign signature (text)"))?,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            let mut f = Finding::new(
                shown.clone(),
                FindingClass::SignatureMissing,
                "a minisign signature is required and there is none",
            );
            f.proof = Some(format!("no file at {shown}"));
            return Ok((section, Some(f)));
        }
        Err(e) => return Err(e),
    };
    let sig = minisign_verify::Signature::decode(&text)
        .map_err(|e| bad(sig_path, None, format!("a minisign signature ({e})")))?;
    section.trusted_comment = Some(sig.trusted_comment().to_string());
    match public.verify(msg, &sig, false) {
        Ok(()) => {
            section.verdict = Some(Verdict::Pass);
            Ok((section, None))
        }
        Err(e) => {
            let mut f = Finding::new(
                shown.clone(),
                FindingClass::SignatureInvalid,
                format!("the minisign signature does not verify over {signed} and its trusted comment: {e}"),
            );
            f.proof = Some("checked with the given public key over the file's bytes, then over the signature and its trusted comment".into());
            Ok((section, Some(f)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_patterns_as_openssh_reads_them() {
        assert_eq!(parse_time("19700101"), Some(0));
        assert_eq!(parse_time("20260101Z"), Some(1_767_225_600));
        assert_eq!(parse_time("202601011230"), Some(1_767_225_600 + 12 * 3600 + 30 * 60));
        assert_eq!(parse_time("20261301"), None);
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches_pattern_list(&p(&["*@example.com"]), "ci@example.com"));
        assert!(!matches_pattern_list(&p(&["*@example.com", "!ci@example.com"]), "ci@example.com"));
        assert!(matches_pattern_list(&p(&["seal?heck", "git"]), "sealcheck"));
        assert!(!matches_pattern_list(&p(&["git"]), "sealcheck"));
    }
}
