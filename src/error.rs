//! The library's error type: everything that stops a judgement before it can
//! be made. Each error maps to an exit [`Status`].

use std::io;
use std::path::Path;

use crate::finding::Finding;
use crate::manifest::ManifestErrors;
use crate::Status;

/// Why a command could not judge (or could not seal).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The manifest is malformed: every bad line, with its number.
    #[error("{0}")]
    Manifest(ManifestErrors),
    /// A file could not be opened or read.
    #[error("{path}: {}", os_message(source))]
    Io {
        /// Display form of the path.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A path that must be a directory is not.
    #[error("{0}: not a directory")]
    NotADirectory(String),
    /// A file that must be regular is not (a FIFO, symlink, device…).
    #[error("{path}: expected the {what} to be a regular file, found a {kind}; refused without reading")]
    NotRegular {
        /// Display form of the path.
        path: String,
        /// What it is.
        kind: &'static str,
        /// What it was to be read as.
        what: &'static str,
    },
    /// An input is larger than its kind's cap.
    #[error("{path}: the {what} is larger than {cap} bytes, the most read of a {what}; refused")]
    TooLarge {
        /// Display form of the path.
        path: String,
        /// What it was to be read as.
        what: &'static str,
        /// The cap.
        cap: u64,
    },
    /// A seal file (a bag's manifest or tag file, or one manifest against
    /// another) is not what its format requires.
    #[error("{path}{}: expected {expected}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    MalformedSeal {
        /// Display form of the path.
        path: String,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What was expected there (and what was found).
        expected: String,
    },
    /// An input is not what its format requires, at a line when one is
    /// known.
    #[error("{path}{}: expected {expected}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Malformed {
        /// Display form of the path.
        path: String,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What was expected there (and what was found).
        expected: String,
    },
    /// No manifest where one was expected.
    #[error("{0}: no manifest here (seal the packet first with `sealcheck seal`)")]
    NoManifest(String),
    /// The tree holds something that cannot be sealed or hashed.
    #[error("the packet cannot be sealed as it is:\n{}", render_findings(.0))]
    Tree(Vec<Finding>),
    /// `seal` over a manifest the packet no longer verifies against,
    /// without `--reseal`: re-sealing would bless the drift.
    #[error(
        "the packet does not verify against its existing manifest; refusing to re-seal, which would bless its \
         drift (give --reseal to seal the packet as it is now):\n{}",
        render_findings(.0)
    )]
    Reseal(Vec<Finding>),
    /// `sign` of a packet that does not verify against its seal: signing
    /// would vouch for the drift.
    #[error(
        "the packet does not verify against its seal; refusing to sign it, which would vouch for its drift:\n{}",
        render_findings(.0)
    )]
    SignDrift(Vec<Finding>),
    /// Bad arguments or options.
    #[error("{0}")]
    Usage(String),
}

/// The OS's message, without Rust's " (os error N)" suffix, as the
/// coreutils print it.
fn os_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn render_findings(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  {}: {} ({})", f.path, f.message, f.classes[0].code()))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: io::Error) -> Error {
        Error::Io { path: path.display().to_string(), source }
    }

    /// The exit status this error implies.
    pub fn status(&self) -> Status {
        match self {
            Error::Io { .. } => Status::Environment,
            Error::Tree(findings) => findings.iter().map(Finding::status).max().unwrap_or(Status::BadInput),
            Error::Reseal(findings) | Error::SignDrift(findings) => {
                findings.iter().map(Finding::status).max().unwrap_or(Status::Integrity)
            }
            Error::Manifest(_)
            | Error::NotADirectory(_)
            | Error::NotRegular { .. }
            | Error::TooLarge { .. }
            | Error::Malformed { .. }
            | Error::MalformedSeal { .. }
            | Error::NoManifest(_)
            | Error::Usage(_) => Status::BadInput,
        }
    }

    /// A stable code for reports.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Manifest(_) | Error::MalformedSeal { .. } => "malformed_manifest",
            Error::Io { .. } => "io_error",
            Error::NotADirectory(_) => "not_a_directory",
            Error::NotRegular { .. } => "not_a_regular_file",
            Error::TooLarge { .. } => "input_too_large",
            Error::Malformed { .. } => "malformed_input",
            Error::NoManifest(_) => "no_manifest",
            Error::Tree(_) => "unsealable_tree",
            Error::Reseal(_) => "would_reseal_drift",
            Error::SignDrift(_) => "would_sign_drift",
            Error::Usage(_) => "usage",
        }
    }
}
