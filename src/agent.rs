//! Signing through `ssh-agent`, as git's `user.signingKey` does with a
//! public key file: the agent protocol's one sign request
//! (draft-miller-ssh-agent, `SSH_AGENTC_SIGN_REQUEST`) over the SSHSIG
//! signed-data blob, on the socket `SSH_AUTH_SOCK` names.
//!
//! Written here rather than taken from a crate: it is one request and one
//! reply of the protocol, framed with `ssh-key`'s own encoding, and no
//! agent-client crate of the RustCrypto family exists. The socket's path
//! never appears in any message.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use ssh_key::{HashAlg, PublicKey, Signature, SshSig};

use crate::Error;

const SIGN_REQUEST: u8 = 13;
const SIGN_RESPONSE: u8 = 14;
/// Ask the agent for rsa-sha2-512, not the SHA-1 `ssh-rsa`.
const RSA_SHA2_512: u32 = 0x04;
/// The largest reply read.
const MAX_REPLY: usize = 1 << 20;

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn agent_error(what: &str) -> Error {
    Error::Usage(format!("signing through ssh-agent (SSH_AUTH_SOCK): {what}"))
}

/// Signs `msg` for `namespace` with the agent-held private half of `key`.
pub fn sign(key: &PublicKey, namespace: &str, msg: &[u8]) -> Result<SshSig, Error> {
    let data = SshSig::signed_data(namespace, HashAlg::Sha512, msg)
        .map_err(|e| agent_error(&format!("the data to sign cannot be built ({e})")))?;
    let signature = request(key, &data)?;
    let sig = SshSig::new(key.key_data().clone(), namespace, HashAlg::Sha512, signature)
        .map_err(|e| agent_error(&format!("{e}")))?;
    // The agent's word is not trusted either: the signature must verify.
    key.verify(namespace, msg, &sig).map_err(|_| agent_error("the agent's signature does not verify"))?;
    Ok(sig)
}

/// Signs `data` itself with the agent-held private half of the Ed25519
/// `key` (an `ssh-ed25519` signature is a plain Ed25519 signature of the
/// data), returning the 64 signature bytes, checked against `key`.
pub fn sign_raw(key: &PublicKey, data: &[u8]) -> Result<Vec<u8>, Error> {
    let pk = key.key_data().ed25519().ok_or_else(|| agent_error("the key is not an Ed25519 key"))?;
    let signature = request(key, data)?;
    let bytes = signature.as_bytes().to_vec();
    let sig = ed25519_dalek::Signature::from_slice(&bytes).map_err(|_| agent_error("a malformed signature"))?;
    let vk = ed25519_dalek::VerifyingKey::from_bytes(pk.as_ref()).map_err(|_| agent_error("a malformed key"))?;
    vk.verify_strict(data, &sig).map_err(|_| agent_error("the agent's signature does not verify"))?;
    Ok(bytes)
}

/// One sign request for `data` and its reply, parsed.
fn request(key: &PublicKey, data: &[u8]) -> Result<Signature, Error> {
    let sock = std::env::var_os("SSH_AUTH_SOCK")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| agent_error("SSH_AUTH_SOCK is not set, and the key given is a public key"))?;
    let blob = key.to_bytes().map_err(|e| agent_error(&format!("the public key cannot be encoded ({e})")))?;
    let flags = if key.algorithm().is_rsa() { RSA_SHA2_512 } else { 0 };
    let mut body = vec![SIGN_REQUEST];
    put_string(&mut body, &blob);
    put_string(&mut body, data);
    body.extend_from_slice(&flags.to_be_bytes());
    let mut stream =
        UnixStream::connect(sock).map_err(|e| agent_error(&format!("cannot connect to the agent ({})", e.kind())))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    stream.write_all(&frame).map_err(|e| agent_error(&format!("cannot write to the agent ({})", e.kind())))?;
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).map_err(|e| agent_error(&format!("no reply ({})", e.kind())))?;
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 || len > MAX_REPLY {
        return Err(agent_error("a malformed reply"));
    }
    let mut reply = vec![0u8; len];
    stream.read_exact(&mut reply).map_err(|e| agent_error(&format!("a short reply ({})", e.kind())))?;
    if reply[0] != SIGN_RESPONSE {
        return Err(agent_error("the agent refused to sign (is the key added with ssh-add?)"));
    }
    let sig_blob = reply
        .get(5..)
        .filter(|rest| reply.len() >= 5 && rest.len() == u32::from_be_bytes(reply[1..5].try_into().unwrap()) as usize)
        .ok_or_else(|| agent_error("a malformed signature in the reply"))?;
    Signature::try_from(sig_blob).map_err(|e| agent_error(&format!("a malformed signature ({e})")))
}
