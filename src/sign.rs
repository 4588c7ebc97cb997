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
        allowed_signers: policy.map(|p| p.file.clone()),
        checked: policy.is_some(),
        ..SignatureCheck::unchecked("ssh", shown.clone(), signed.to_string())
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
        algorithm: Some("ed25519".into()),
        checked: true,
        ..SignatureCheck::unchecked("minisign", shown.clone(), signed.to_string())
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
    use std::io::Write;

    fn key(seed: u8) -> PrivateKey {
        PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&[seed; 32]))
    }

    fn public_line(seed: u8) -> String {
        key(seed).public_key().to_openssh().unwrap()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// A signature file over `msg` made by key `seed` for `namespace`.
    fn signature(dir: &Path, seed: u8, namespace: &str, hash: HashAlg, msg: &[u8]) -> PathBuf {
        let sig = key(seed).sign(namespace, hash, msg).unwrap();
        let path = dir.join("HASH_MANIFEST.txt.sig");
        std::fs::write(&path, sig.to_pem(LineEnding::LF).unwrap()).unwrap();
        path
    }

    fn allowed(seed: u8, principals: &[&str]) -> AllowedSigner {
        AllowedSigner {
            principals: strings(principals),
            key: PublicKey::from_openssh(&public_line(seed)).unwrap(),
            namespaces: None,
            valid_after: None,
            valid_before: None,
            line: 1,
        }
    }

    fn policy(allowed: Vec<AllowedSigner>, signer: Option<&str>, time: i64) -> SignaturePolicy {
        SignaturePolicy { file: "allowed_signers".into(), allowed, signer: signer.map(str::to_string), time }
    }

    fn allowed_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allowed_signers");
        std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
        (dir, path)
    }

    fn malformed_line(e: Error) -> (Option<usize>, String) {
        match e {
            Error::Malformed { line, expected, .. } => (line, expected),
            other => panic!("not a malformed-input error: {other:?}"),
        }
    }

    #[test]
    fn a_signature_path_is_the_file_name_plus_its_extension() {
        assert_eq!(signature_path(Path::new("p/HASH_MANIFEST.txt"), SSH_EXT), Path::new("p/HASH_MANIFEST.txt.sig"));
        assert_eq!(
            signature_path(Path::new("tagmanifest-sha256.txt"), MINISIGN_EXT),
            Path::new("tagmanifest-sha256.txt.minisig")
        );
    }

    #[test]
    fn every_time_field_is_read_and_bounded() {
        // 14 digits: the seconds count; 12: none.
        assert_eq!(parse_time("20261130123456"), Some(1_796_042_096));
        assert_eq!(parse_time("20261130123456Z"), Some(1_796_042_096));
        assert_eq!(parse_time("20261130123456z"), Some(1_796_042_096));
        assert_eq!(parse_time("202611301234"), Some(1_796_042_096 - 56));
        // Each field at its last valid value and one past it.
        assert_eq!(parse_time("20261231"), Some(20_818 * 86_400));
        assert_eq!(parse_time("20261201"), parse_time("20261130").map(|t| t + 86_400));
        assert!(parse_time("20261232").is_none() && parse_time("20261200").is_none());
        assert!(parse_time("20261301").is_none() && parse_time("20260001").is_none());
        assert_eq!(parse_time("202611302359"), parse_time("20261201").map(|t| t - 60));
        assert!(parse_time("202611302400").is_none() && parse_time("202611302360").is_none());
        assert_eq!(parse_time("20261130235960"), parse_time("20261201"));
        assert!(parse_time("20261130235961").is_none());
        // Lengths other than 8, 12 and 14 digits are not this form.
        assert!(parse_time("2026113012").is_none() && parse_time("2026113").is_none());
        assert!(parse_time("2026113012345").is_none() && parse_time("202611301234567").is_none());
        assert!(parse_time("2026-113").is_none() && parse_time("").is_none());
        // Before the epoch, counted back.
        assert_eq!(parse_time("19691231"), Some(-86_400));
        // RFC 3339, the other form accepted.
        assert_eq!(parse_time("2026-11-30T12:34:56Z"), Some(1_796_042_096));
        assert!(parse_time("2026-11-30T12:34:56Q").is_none());
    }

    #[test]
    fn days_are_counted_through_leap_years_and_centuries() {
        for ((y, m, d), days) in [
            ((1970, 1, 1), 0),
            ((1969, 12, 31), -1),
            ((2000, 3, 1), 11_017),
            ((2024, 2, 29), 19_782),
            ((2024, 3, 1), 19_783),
            ((1900, 3, 1), -25_508),
            ((1600, 2, 29), -135_081),
            ((2100, 2, 28), 47_540),
            ((2100, 3, 1), 47_541),
            ((2026, 12, 31), 20_818),
        ] {
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn globs_match_as_openssh_matches_them() {
        for (p, s, want) in [
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
            ("abc", "ab", false),
            ("ab", "abc", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*c", "abcbc", true),
            ("a*c", "abcb", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxcyyb", false),
            ("*@example.com", "ci@example.com", true),
            ("*@example.com", "ci@example.co", false),
            ("ci**", "ci", true),
            ("é?", "éx", true),
            ("?", "é", true),
            // A '*' in the name is matched by a backtracking star, never
            // taken for the pattern's own.
            ("*?", "a*", true),
        ] {
            assert_eq!(glob(p, s), want, "{p:?} against {s:?}");
        }
    }

    #[test]
    fn a_negated_pattern_refuses_only_what_it_matches_wherever_it_stands() {
        let p = strings;
        assert!(!matches_pattern_list(&[], "sealcheck"));
        assert!(matches_pattern_list(&p(&["!git", "sealcheck"]), "sealcheck"));
        assert!(!matches_pattern_list(&p(&["!seal*", "sealcheck"]), "sealcheck"));
        assert!(!matches_pattern_list(&p(&["sealcheck", "!seal*"]), "sealcheck"));
        assert!(!matches_pattern_list(&p(&["!git"]), "sealcheck"));
    }

    #[test]
    fn fields_split_on_white_space_outside_quotes() {
        assert_eq!(split_fields("a  b\tc").unwrap(), ["a", "b", "c"]);
        assert_eq!(split_fields(" \"x y\",z  k ").unwrap(), ["\"x y\",z", "k"]);
        assert_eq!(split_fields("").unwrap(), Vec::<String>::new());
        assert_eq!(split_fields("a \"b").unwrap_err(), "a closing '\"'");
        assert_eq!(split_options("a,\"b,c\",d").as_slice(), ["a", "\"b,c\"", "d"]);
        assert_eq!(split_options("a,").as_slice(), ["a", ""]);
        assert_eq!(split_options("").as_slice(), [""]);
    }

    #[test]
    fn an_allowed_signers_file_is_read_line_by_line_with_every_option() {
        let k1 = public_line(1);
        let k2 = public_line(2);
        let text = format!(
            "# comment\n\n  ci@example.com,ops@example.com {k1} comment words\n\
             \"a@x b\" Namespaces=\"sealcheck,git\",VALID-AFTER=20260101Z,valid-before=\"20270101\" {k2}\n"
        );
        let (_d, path) = allowed_file(&text);
        let all = read_allowed_signers(&path).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].line, all[1].line), (3, 4));
        assert_eq!(all[0].principals, ["ci@example.com", "ops@example.com"]);
        assert_eq!(all[0].key.key_data(), key(1).public_key().key_data());
        assert!(all[0].namespaces.is_none() && all[0].valid_after.is_none() && all[0].valid_before.is_none());
        assert_eq!(all[1].principals, ["a@x b"]);
        assert_eq!(all[1].key.key_data(), key(2).public_key().key_data());
        assert_eq!(all[1].namespaces.as_deref(), Some(&strings(&["sealcheck", "git"])[..]));
        assert_eq!(all[1].valid_after, parse_time("20260101"));
        assert_eq!(all[1].valid_before, parse_time("20270101"));
    }

    #[test]
    fn a_bad_allowed_signers_line_is_refused_with_its_number() {
        let k = public_line(1);
        for (line, want) in [
            (format!("a cert-authority {k}"), "cert-authority"),
            (format!("a foo=1 {k}"), "a known option, not \"foo\""),
            (format!("a valid-after=2026 {k}"), "a time YYYYMMDD"),
            (format!("a valid-before=nope {k}"), "a time YYYYMMDD"),
            ("a namespaces=x".to_string(), "a key type and key"),
            ("a ssh-ed25519 AAAAnotakey".to_string(), "a public key"),
            ("\"a".to_string(), "a closing"),
        ] {
            let (_d, path) = allowed_file(&format!("# one\n{line}\n"));
            let (no, expected) = malformed_line(read_allowed_signers(&path).unwrap_err());
            assert_eq!(no, Some(2), "{line}");
            assert!(expected.contains(want), "{line}: {expected}");
        }
    }

    #[test]
    fn key_types_are_told_from_options() {
        assert!(
            is_key_type("ssh-ed25519")
                && is_key_type("ecdsa-sha2-nistp256")
                && is_key_type("sk-ssh-ed25519@openssh.com")
        );
        assert!(!is_key_type("namespaces=ssh-x") && !is_key_type("rsa") && !is_key_type("ecdsa"));
    }

    #[test]
    fn a_good_signature_by_an_allowed_key_passes_and_says_who() {
        let dir = tempfile::tempdir().unwrap();
        let sig = signature(dir.path(), 1, NAMESPACE, HashAlg::Sha512, b"manifest");
        let mut a = allowed(1, &["ci@example.com"]);
        a.valid_after = Some(100);
        a.valid_before = Some(200);
        let (section, finding) =
            check(b"manifest", "HASH_MANIFEST.txt", &sig, Some(&policy(vec![a], Some("ci@example.com"), 100))).unwrap();
        assert!(finding.is_none());
        assert_eq!(section.verdict, Some(Verdict::Pass));
        assert_eq!(section.principals, ["ci@example.com"]);
        assert_eq!(section.namespace.as_deref(), Some(NAMESPACE));
        assert_eq!(section.hash.as_deref(), Some("sha512"));
        assert_eq!(section.algorithm.as_deref(), Some("ssh-ed25519"));
        assert_eq!(section.fingerprint, Some(fingerprint(key(1).public_key().key_data())));
        assert!(section.fingerprint.as_deref().is_some_and(|f| f.starts_with("SHA256:")));
        assert!(section.checked);
        assert_eq!(section.allowed_signers.as_deref(), Some("allowed_signers"));
        assert_eq!(section.signed_file, "HASH_MANIFEST.txt");
        assert_eq!(section.kind, "ssh");
    }

    /// The class and message of the finding `check` gives.
    fn refused(msg: &[u8], sig: &Path, policy: &SignaturePolicy) -> (FindingClass, String) {
        let (section, finding) = check(msg, "HASH_MANIFEST.txt", sig, Some(policy)).unwrap();
        let f = finding.expect("a finding");
        assert_eq!(section.verdict, Some(Verdict::Fail));
        assert!(section.principals.is_empty());
        assert!(f.proof.is_some());
        (f.classes[0], f.message)
    }

    #[test]
    fn every_way_a_signature_can_fail_is_its_own_finding() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let p = policy(vec![allowed(1, &["ci@example.com"])], None, 0);
        let (class, msg) = refused(b"manifest", &signature(d, 1, "git", HashAlg::Sha512, b"manifest"), &p);
        assert_eq!(class, FindingClass::SignatureInvalid);
        assert!(msg.contains("namespace \"git\""), "{msg}");
        let (class, msg) = refused(b"manifest", &signature(d, 1, NAMESPACE, HashAlg::Sha256, b"manifest"), &p);
        assert_eq!(class, FindingClass::SignatureInvalid);
        assert!(msg.contains("sha256, not sha512"), "{msg}");
        let (class, msg) = refused(b"other bytes", &signature(d, 1, NAMESPACE, HashAlg::Sha512, b"manifest"), &p);
        assert_eq!(class, FindingClass::SignatureInvalid);
        assert!(msg.contains("does not verify"), "{msg}");
        let (class, msg) = refused(b"manifest", &signature(d, 2, NAMESPACE, HashAlg::Sha512, b"manifest"), &p);
        assert_eq!(class, FindingClass::SignerNotAllowed);
        assert!(msg.contains("is not in allowed_signers"), "{msg}");
    }

    #[test]
    fn an_allowed_key_is_refused_for_the_wrong_principal_namespace_or_time() {
        let dir = tempfile::tempdir().unwrap();
        let sig = signature(dir.path(), 1, NAMESPACE, HashAlg::Sha512, b"m");
        let with = |f: &dyn Fn(&mut AllowedSigner)| {
            let mut a = allowed(1, &["ci@example.com"]);
            f(&mut a);
            a
        };
        let cases: Vec<(AllowedSigner, Option<&str>, i64, &str)> = vec![
            (with(&|_| {}), Some("ops@example.com"), 0, "do not match \"ops@example.com\""),
            (with(&|a| a.namespaces = Some(strings(&["git"]))), None, 0, "do not allow \"sealcheck\""),
            (with(&|a| a.namespaces = Some(strings(&["*", "!seal*"]))), None, 0, "do not allow"),
            (with(&|a| a.valid_after = Some(100)), None, 99, "not valid at the time checked (99)"),
            (with(&|a| a.valid_before = Some(100)), None, 100, "not valid at the time checked (100)"),
        ];
        for (a, signer, time, want) in cases {
            let (class, msg) = refused(b"m", &sig, &policy(vec![a], signer, time));
            assert_eq!(class, FindingClass::SignerNotAllowed);
            assert!(msg.contains(want) && msg.contains("line 1"), "{want}: {msg}");
        }
        // Just inside each bound, and a second line that allows what the first does not.
        for (a, time) in [(with(&|a| a.valid_after = Some(100)), 100), (with(&|a| a.valid_before = Some(100)), 99)] {
            let (section, f) = check(b"m", "m", &sig, Some(&policy(vec![a], None, time))).unwrap();
            assert!(f.is_none() && section.verdict == Some(Verdict::Pass), "{time}");
        }
        let mut second = with(&|_| {});
        second.principals = strings(&["ops@*"]);
        second.line = 2;
        let p = policy(vec![with(&|_| {}), second], Some("ops@example.com"), 0);
        let (section, f) = check(b"m", "m", &sig, Some(&p)).unwrap();
        assert!(f.is_none());
        assert_eq!(section.principals, ["ops@*"]);
    }

    #[test]
    fn an_absent_signature_fails_only_when_one_is_required_and_a_present_one_unchecked_never_passes() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path().join("none.sig");
        let (section, f) = check(b"m", "m", &none, None).unwrap();
        assert!(f.is_none() && section.verdict.is_none() && !section.checked);
        let (section, f) = check(b"m", "m", &none, Some(&policy(vec![], None, 0))).unwrap();
        assert_eq!(f.map(|f| f.classes[0]), Some(FindingClass::SignatureMissing));
        assert_eq!(section.verdict, Some(Verdict::Fail));
        let sig = signature(dir.path(), 1, NAMESPACE, HashAlg::Sha512, b"m");
        let (section, f) = check(b"other", "m", &sig, None).unwrap();
        assert!(f.is_none() && section.verdict.is_none() && !section.checked);
        assert!(section.fingerprint.is_some());
        std::fs::write(&sig, "not a signature").unwrap();
        let (_, expected) = malformed_line(check(b"m", "m", &sig, None).unwrap_err());
        assert!(expected.contains("BEGIN SSH SIGNATURE"), "{expected}");
    }

    #[test]
    fn only_a_missing_signature_is_missing_any_other_failure_to_read_it_is_an_error() {
        use base64::Engine as _;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        // A path through a regular file: ENOTDIR, not "no such file".
        let through = file.join("HASH_MANIFEST.txt.sig");
        assert!(matches!(check(b"m", "m", &through, None), Err(Error::Io { .. })));
        assert!(matches!(check(b"m", "m", &through, Some(&policy(vec![], None, 0))), Err(Error::Io { .. })));
        let mut raw = b"Ed".to_vec();
        raw.extend_from_slice(&[1; 8]);
        raw.extend_from_slice(key(4).public_key().key_data().ed25519().unwrap().as_ref());
        let key = base64::engine::general_purpose::STANDARD.encode(raw);
        assert!(matches!(check_minisign(b"m", "m", &through, &key), Err(Error::Io { .. })));
        let (section, f) = check_minisign(b"m", "m", &dir.path().join("none.minisig"), &key).unwrap();
        assert_eq!(f.map(|f| f.classes[0]), Some(FindingClass::SignatureMissing));
        assert_eq!((section.verdict, section.kind.as_str(), section.checked), (Some(Verdict::Fail), "minisign", true));
    }

    #[test]
    fn a_key_file_signs_what_check_accepts_and_a_public_key_means_the_agent() {
        let dir = tempfile::tempdir().unwrap();
        let packet = dir.path().join("packet");
        std::fs::create_dir(&packet).unwrap();
        let private = dir.path().join("id");
        std::fs::write(&private, key(3).to_openssh(LineEnding::LF).unwrap().as_bytes()).unwrap();
        let loaded = load_key(&private, &packet, || None).unwrap();
        assert!(matches!(loaded, SigningKey::File(_)));
        let armored = sign(&loaded, b"bytes").unwrap();
        let sig = dir.path().join("s.sig");
        std::fs::write(&sig, armored).unwrap();
        let (section, f) = check(b"bytes", "m", &sig, Some(&policy(vec![allowed(3, &["*"])], None, 0))).unwrap();
        assert!(f.is_none() && section.verdict == Some(Verdict::Pass));

        let public = dir.path().join("id.pub");
        std::fs::write(&public, format!("{}\n", public_line(3))).unwrap();
        assert!(matches!(load_key(&public, &packet, || None).unwrap(), SigningKey::Agent(_)));
        std::fs::write(&public, "neither\n").unwrap();
        let (_, expected) = malformed_line(load_key(&public, &packet, || None).err().unwrap());
        assert!(expected.contains("public key held by ssh-agent"), "{expected}");
        std::fs::write(&public, [0xff, 0xfe]).unwrap();
        let (_, expected) = malformed_line(load_key(&public, &packet, || None).err().unwrap());
        assert!(expected.contains("(text)"), "{expected}");

        let inside = packet.join("id");
        std::fs::copy(&private, &inside).unwrap();
        let (_, expected) = malformed_line(load_key(&inside, &packet, || None).err().unwrap());
        assert!(expected.contains("outside the packet"), "{expected}");
    }

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
