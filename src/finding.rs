//! Findings: what is wrong with one path, and the stable class codes that
//! name it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Status;

/// The stable codes of the contract. Each names one way bytes can fail to
/// match their seal; none of them ever makes a verdict green.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingClass {
    /// Bytes differ and no known drift reproduces the seal.
    EditedContent,
    /// A UTF-8 BOM was added or removed at the start.
    BomPrefix,
    /// Line endings converted, LF↔CRLF.
    CrlfDrift,
    /// Final newline added or removed.
    TrailingNewlineDrift,
    /// Typographic characters replaced or re-encoded.
    EmdashUnicodeDrift,
    /// The text changed Unicode normalization form.
    UnicodeNormalizationDrift,
    /// JSON strings switched between literal non-ASCII and `\uXXXX`.
    JsonEnsureAsciiDrift,
    /// Same JSON value, different bytes.
    JsonReformatDrift,
    /// A sealed path is absent.
    MissingFile,
    /// A file is present that the seal does not list.
    ExtraFile,
    /// Sealed bytes are present under another, unsealed path.
    MovedFile,
    /// A sealed name exists only in another Unicode normalization form.
    FilenameNormalizationDrift,
    /// The file changed while it was hashed.
    ChangedWhileReading,
    /// The file could not be read.
    UnreadableFile,
    /// Symlink, FIFO, socket, device or directory where a regular file is
    /// expected.
    UnsupportedFileType,
    /// The manifest itself drifted.
    ManifestDrift,
    /// A pinned file's bytes differ from its pin.
    PinMismatch,
    /// A pinned file is absent.
    PinMissing,
    /// A forbidden token is inside the packet.
    ForbiddenToken,
    /// A credential-shaped string is inside the packet.
    SecretLeak,
    /// A signature is required and there is none.
    SignatureMissing,
    /// The signature does not verify over the seal's bytes.
    SignatureInvalid,
    /// The signing key is not allowed.
    SignerNotAllowed,
}

impl FindingClass {
    /// Every class, in code order.
    pub const ALL: &'static [FindingClass] = &[
        FindingClass::EditedContent,
        FindingClass::BomPrefix,
        FindingClass::CrlfDrift,
        FindingClass::TrailingNewlineDrift,
        FindingClass::EmdashUnicodeDrift,
        FindingClass::UnicodeNormalizationDrift,
        FindingClass::JsonEnsureAsciiDrift,
        FindingClass::JsonReformatDrift,
        FindingClass::MissingFile,
        FindingClass::ExtraFile,
        FindingClass::MovedFile,
        FindingClass::FilenameNormalizationDrift,
        FindingClass::ChangedWhileReading,
        FindingClass::UnreadableFile,
        FindingClass::UnsupportedFileType,
        FindingClass::ManifestDrift,
        FindingClass::PinMismatch,
        FindingClass::PinMissing,
        FindingClass::ForbiddenToken,
        FindingClass::SecretLeak,
        FindingClass::SignatureMissing,
        FindingClass::SignatureInvalid,
        FindingClass::SignerNotAllowed,
    ];

    /// The stable code, as it appears in reports.
    pub fn code(self) -> &'static str {
        match self {
            FindingClass::EditedContent => "edited_content",
            FindingClass::BomPrefix => "bom_prefix",
            FindingClass::CrlfDrift => "crlf_drift",
            FindingClass::TrailingNewlineDrift => "trailing_newline_drift",
            FindingClass::EmdashUnicodeDrift => "emdash_unicode_drift",
            FindingClass::UnicodeNormalizationDrift => "unicode_normalization_drift",
            FindingClass::JsonEnsureAsciiDrift => "json_ensure_ascii_drift",
            FindingClass::JsonReformatDrift => "json_reformat_drift",
            FindingClass::MissingFile => "missing_file",
            FindingClass::ExtraFile => "extra_file",
            FindingClass::MovedFile => "moved_file",
            FindingClass::FilenameNormalizationDrift => "filename_normalization_drift",
            FindingClass::ChangedWhileReading => "changed_while_reading",
            FindingClass::UnreadableFile => "unreadable_file",
            FindingClass::UnsupportedFileType => "unsupported_file_type",
            FindingClass::ManifestDrift => "manifest_drift",
            FindingClass::PinMismatch => "pin_mismatch",
            FindingClass::PinMissing => "pin_missing",
            FindingClass::ForbiddenToken => "forbidden_token",
            FindingClass::SecretLeak => "secret_leak",
            FindingClass::SignatureMissing => "signature_missing",
            FindingClass::SignatureInvalid => "signature_invalid",
            FindingClass::SignerNotAllowed => "signer_not_allowed",
        }
    }

    /// One sentence on what the class means.
    pub fn description(self) -> &'static str {
        match self {
            FindingClass::EditedContent => "bytes differ and no known drift reproduces the seal",
            FindingClass::BomPrefix => "a UTF-8 BOM was added (or removed) at the start",
            FindingClass::CrlfDrift => "line endings converted, LF<->CRLF",
            FindingClass::TrailingNewlineDrift => "final newline added or removed",
            FindingClass::EmdashUnicodeDrift => {
                "typographic characters replaced or re-encoded (dashes, quotes, ellipsis, no-break space, mojibake)"
            }
            FindingClass::UnicodeNormalizationDrift => "the text changed Unicode normalization form (NFC<->NFD)",
            FindingClass::JsonEnsureAsciiDrift => "JSON strings switched between literal non-ASCII and \\uXXXX escapes",
            FindingClass::JsonReformatDrift => "same JSON value, different bytes (whitespace, key order, separators)",
            FindingClass::MissingFile => "a sealed path is absent",
            FindingClass::ExtraFile => "a file is present that the seal does not list",
            FindingClass::MovedFile => "sealed bytes are present under another, unsealed path",
            FindingClass::FilenameNormalizationDrift => {
                "a sealed name exists only in another Unicode normalization form"
            }
            FindingClass::ChangedWhileReading => "the file changed while it was hashed",
            FindingClass::UnreadableFile => "the file could not be read",
            FindingClass::UnsupportedFileType => {
                "symlink, FIFO, socket, device or directory where a regular file is expected"
            }
            FindingClass::ManifestDrift => "the manifest itself drifted (BOM, CRLF, final newline)",
            FindingClass::PinMismatch => "a pinned file's bytes differ from its pin",
            FindingClass::PinMissing => "a pinned file is absent",
            FindingClass::ForbiddenToken => "a forbidden token is inside the packet",
            FindingClass::SecretLeak => "a credential-shaped string is inside the packet",
            FindingClass::SignatureMissing => "a signature is required and there is none",
            FindingClass::SignatureInvalid => {
                "the signature does not verify over the seal's bytes (other bytes, wrong namespace or hash, bad signature)"
            }
            FindingClass::SignerNotAllowed => {
                "the signing key is not allowed (unknown key, principal mismatch, outside its validity window, namespace not allowed)"
            }
        }
    }

    /// The exit status this class implies on its own.
    pub fn status(self) -> Status {
        match self {
            FindingClass::UnsupportedFileType => Status::BadInput,
            FindingClass::UnreadableFile => Status::Environment,
            _ => Status::Integrity,
        }
    }
}

/// One problem with one path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The path, relative to the packet, in display form
    /// ([`crate::escape::escape_bytes`]).
    pub path: String,
    /// Every class that applies; the first is the primary one.
    pub classes: Vec<FindingClass>,
    /// The sealed digest, where there is one.
    pub expected_sha256: Option<String>,
    /// The digest of the bytes found, where they could be read.
    pub actual_sha256: Option<String>,
    /// The sealed digest as `algo:hex`, where the seal holds no SHA-256
    /// for the path (a `sha512sum` or `b3sum` manifest, a sha512-only bag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_digest: Option<String>,
    /// Which transform reproduced the sealed digest, where one did.
    pub proof: Option<String>,
    /// The likely cause and the fix.
    pub hint: Option<String>,
    /// What exactly was found, in one line.
    pub message: String,
    /// For a moved or renamed file: where the sealed bytes are now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// With `--against`: offset of the first byte that differs from the
    /// sealed copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_difference: Option<u64>,
    /// With `--against`: a bounded diff against the sealed copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// With `--restore-to`: where the proven-restored bytes were written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_to: Option<String>,
    /// Listed for completeness but allowed by an option (`--allow-extra`):
    /// such a finding does not make the verdict red.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allowed: bool,
}

impl Finding {
    /// A finding of one class with a message and nothing else.
    pub fn new(path: String, class: FindingClass, message: impl Into<String>) -> Finding {
        Finding {
            path,
            classes: vec![class],
            expected_sha256: None,
            actual_sha256: None,
            expected_digest: None,
            proof: None,
            hint: None,
            message: message.into(),
            moved_to: None,
            first_difference: None,
            diff: None,
            restored_to: None,
            allowed: false,
        }
    }

    /// The exit status this finding implies.
    pub fn status(&self) -> Status {
        if self.allowed {
            return Status::Pass;
        }
        self.classes.iter().map(|c| c.status()).max().unwrap_or(Status::Integrity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_match_serde() {
        let codes: BTreeSet<&str> = FindingClass::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), FindingClass::ALL.len());
        for c in FindingClass::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
            assert!(!c.description().is_empty());
        }
    }

    #[test]
    fn every_class_is_red() {
        for c in FindingClass::ALL {
            assert!(!c.status().is_pass(), "{}", c.code());
        }
    }
}
