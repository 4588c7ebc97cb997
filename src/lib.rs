//! sealcheck proves that an evidence packet's bytes still match its seal.
//!
//! A *packet* is a directory tree; its *seal* is a `HASH_MANIFEST.txt` in
//! `sha256sum` format plus one `packet_tree_sha256`, the SHA-256 of the
//! canonical manifest bytes. This crate hashes trees byte-exactly, writes and
//! reads manifests, verifies a packet against its seal and returns what it
//! found as values ([`report::Report`], [`finding::Finding`]). It never prints:
//! the renderers in [`render`] write those values into any [`std::io::Write`].
//!
//! Nothing in this crate modifies a packet, except [`seal::seal`], which writes
//! the manifest and nothing else.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod agent;
pub mod check;
pub mod diff;
pub mod digest;
pub mod dirhash;
pub mod drift;
pub mod error;
pub mod escape;
pub mod finding;
pub mod fsio;
pub mod hash;
pub mod input;
pub mod manifest;
pub mod pins;
pub mod progress;
pub mod readback;
pub mod receipt;
pub mod redact;
pub mod rehearsal;
pub mod relpath;
pub mod render;
pub mod report;
pub mod rerun;
pub mod scan;
pub mod seal;
pub mod selftest;
pub mod sign;
pub mod status;
pub mod verify;
pub mod walk;

pub use digest::Digest;
pub use error::Error;
pub use finding::{Finding, FindingClass};
pub use relpath::RelPath;
pub use report::Report;
pub use status::Status;
