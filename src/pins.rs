//! Pinned digests of single files, inside the packet or outside it.
//!
//! A pins file (`docs/pins.md`) lists `{name, path, sha256, size?}`; paths
//! are relative to the pins file and may leave the packet ("referenced, not
//! duplicated"). A pin holds only when the path is a regular file (never
//! followed through a symlink), of the pinned size where one is given, whose
//! bytes hash to the pin. A digest is refused unless it is exactly 64
//! lowercase hex digits, optionally behind `sha256:`.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::drift::{diagnose, hint, DiagnoseOptions, Diagnosis};
use crate::finding::{Finding, FindingClass};
use crate::fsio::open_path;
use crate::hash::{hash_open, Outcome};
use crate::input::{self, Kind};
use crate::report::Verdict;
use crate::{Digest, Error, Status};

pub use crate::report::sections::{PinResult, PinsCheck};

/// The largest pins file or `--pin-from` document read.
pub const MAX_DOC_SIZE: u64 = 16 << 20;

/// The pins file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PinsFile {
    /// The pins.
    pub pins: Vec<PinEntry>,
}

/// One pin as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PinEntry {
    /// A name for reports, e.g. `hardened_validator`.
    pub name: String,
    /// The file, relative to the pins file; may leave the packet.
    pub path: String,
    /// 64 lowercase hex digits, optionally behind `sha256:`.
    pub sha256: String,
    /// The size in bytes, checked when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// A pin ready to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// Its name.
    pub name: String,
    /// The path as written (for reports).
    pub shown: String,
    /// The path to open.
    pub path: PathBuf,
    /// The pinned digest.
    pub digest: Digest,
    /// The pinned size, if any.
    pub size: Option<u64>,
}

/// Reads and validates a pins file. Every problem is bad input, named by
/// the pin's position and name.
pub fn load(pins_file: &Path) -> Result<Vec<Pin>, Error> {
    let shown = pins_file.display();
    let bytes = input::read(pins_file, Kind::Pins)?;
    let value = input::json::parse(&bytes, &shown.to_string())?;
    let doc: PinsFile = serde_json::from_value(value).map_err(|e| Error::Malformed {
        path: shown.to_string(),
        line: None,
        expected: format!("a pins file {{\"pins\": [{{\"name\", \"path\", \"sha256\", \"size\"?}}]}}: {e}"),
    })?;
    let base = pins_file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut out = Vec::with_capacity(doc.pins.len());
    for (i, p) in doc.pins.into_iter().enumerate() {
        let at = format!("{shown}: pins[{i}] ({:?})", p.name);
        let digest = Digest::from_pin(&p.sha256).map_err(|e| Error::Usage(format!("{at}: sha256: {e}")))?;
        if p.path.is_empty() || p.path.contains('\0') || Path::new(&p.path).is_absolute() {
            return Err(Error::Usage(format!("{at}: path must be relative to the pins file and not empty")));
        }
        out.push(Pin { name: p.name, shown: p.path.clone(), path: base.join(&p.path), digest, size: p.size });
    }
    Ok(out)
}

/// Parses `DOC.json#/json/pointer=PATH`: the digest recorded in a report at
/// the pointer, and the file it pins.
pub fn pin_from(spec: &str) -> Result<Pin, Error> {
    let bad = |why: &str| Error::Usage(format!("--pin-from {spec:?}: {why} (expected DOC.json#/json/pointer=PATH)"));
    let (doc, rest) = spec.split_once('#').ok_or_else(|| bad("no '#'"))?;
    let (pointer, path) = rest.split_once('=').ok_or_else(|| bad("no '='"))?;
    if !pointer.starts_with('/') || path.is_empty() || doc.is_empty() {
        return Err(bad("empty document, pointer or path"));
    }
    let bytes = input::read(Path::new(doc), Kind::Report)?;
    let value = input::json::parse(&bytes, doc)?;
    let recorded = value
        .pointer(pointer)
        .ok_or_else(|| Error::Usage(format!("{doc}: nothing at {pointer}")))?
        .as_str()
        .ok_or_else(|| Error::Usage(format!("{doc}: {pointer} is not a string")))?;
    let digest = Digest::from_pin(recorded).map_err(|e| Error::Usage(format!("{doc}: {pointer}: {e}")))?;
    Ok(Pin { name: format!("{doc}#{pointer}"), shown: path.to_string(), path: PathBuf::from(path), digest, size: None })
}

/// Checks one pin: its result, and a finding when it does not hold.
pub fn check(pin: &Pin, diag: &DiagnoseOptions, buf: &mut [u8]) -> (PinResult, Option<Finding>) {
    let mut result = PinResult {
        name: pin.name.clone(),
        path: pin.shown.clone(),
        verdict: Verdict::Fail,
        expected_sha256: pin.digest.to_hex(),
        actual_sha256: None,
        expected_size: pin.size,
        actual_size: None,
    };
    let finding = |class, msg: String| {
        let mut f = Finding::new(pin.shown.clone(), class, format!("pin {:?}: {msg}", pin.name));
        f.expected_sha256 = Some(pin.digest.to_hex());
        f.proof = Some(format!("the pinned file was opened without following links and hashed: {msg}"));
        f
    };
    let outcome = match open_path(&pin.path) {
        Ok((file, meta)) => hash_open(file, &meta, buf),
        Err(e) => Outcome::from(e),
    };
    let hashed = match outcome {
        Outcome::Ok(h) => h,
        Outcome::Missing => {
            return (result, Some(finding(FindingClass::PinMissing, "the pinned file is absent".into())))
        }
        Outcome::Unsupported(kind) => {
            let mut f =
                finding(FindingClass::PinMismatch, format!("a {} where a regular file is pinned", kind.describe()));
            f.classes.push(FindingClass::UnsupportedFileType);
            return (result, Some(f));
        }
        Outcome::ChangedWhileReading(what) => {
            let mut f = finding(FindingClass::PinMismatch, format!("changed while it was read ({what})"));
            f.classes.push(FindingClass::ChangedWhileReading);
            return (result, Some(f));
        }
        Outcome::Unreadable(e) => {
            let mut f = finding(FindingClass::PinMismatch, format!("cannot be read: {e}"));
            f.classes.push(FindingClass::UnreadableFile);
            return (result, Some(f));
        }
    };
    result.actual_sha256 = Some(hashed.digest.to_hex());
    result.actual_size = Some(hashed.stamp.size);
    let size_ok = pin.size.is_none_or(|s| s == hashed.stamp.size);
    if hashed.digest == pin.digest && size_ok {
        result.verdict = Verdict::Pass;
        return (result, None);
    }
    let mut f = if hashed.digest == pin.digest {
        finding(
            FindingClass::PinMismatch,
            format!("digest matches but the pinned size {} differs from {}", pin.size.unwrap_or(0), hashed.stamp.size),
        )
    } else {
        finding(FindingClass::PinMismatch, "bytes differ from the pin".into())
    };
    f.actual_sha256 = Some(hashed.digest.to_hex());
    if hashed.digest != pin.digest {
        f.proof = Some(format!("its sha256 is {}, the pin is {}", hashed.digest, pin.digest));
    }
    if hashed.digest != pin.digest && hashed.stamp.size <= diag.max_size {
        if let Ok(bytes) = input::read(&pin.path, Kind::Mirror) {
            if Digest::of(&bytes) == hashed.digest {
                let sealed = pin.digest.into();
                let d = diagnose(&bytes, &sealed, diag);
                f.proof = Some(d.proof(diag));
                match d {
                    Diagnosis::Proven { classes, .. } => {
                        f.hint = Some(hint(classes[0]).to_string());
                        f.classes.extend(classes);
                    }
                    _ => f.classes.push(FindingClass::EditedContent),
                }
            }
        }
    }
    (result, Some(f))
}

/// Checks every pin; the pins section, its findings and its status.
pub fn check_all(
    pins: &[Pin],
    diag: &DiagnoseOptions,
    engine: &crate::hash::Engine,
) -> (PinsCheck, Vec<Finding>, Status) {
    let results = engine.map(pins, |p, buf| check(p, diag, buf));
    let mut section = PinsCheck { total: pins.len() as u64, ..PinsCheck::default() };
    let mut findings = Vec::new();
    for (result, finding) in results {
        match &finding {
            None => section.ok += 1,
            Some(f) if f.classes[0] == FindingClass::PinMissing => section.missing += 1,
            Some(_) => section.mismatch += 1,
        }
        section.results.push(result);
        findings.extend(finding);
    }
    let status = findings.iter().map(Finding::status).max().unwrap_or(Status::Pass);
    section.verdict = Some(Verdict::from_ok(findings.is_empty()));
    (section, findings, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_file_paths_are_relative_to_it_and_digests_strict() {
        let dir = tempfile::tempdir().unwrap();
        let h = Digest::of(b"v").to_hex();
        let pins = dir.path().join("pins.json");
        std::fs::write(
            &pins,
            format!(r#"{{"pins": [{{"name": "v", "path": "../v.py", "sha256": "sha256:{h}", "size": 1}}]}}"#),
        )
        .unwrap();
        let loaded = load(&pins).unwrap();
        assert_eq!(loaded[0].path, dir.path().join("../v.py"));
        assert_eq!(loaded[0].size, Some(1));
        for bad in [h.to_uppercase(), h[1..].to_string(), format!("md5:{h}"), format!("{h} ")] {
            std::fs::write(&pins, format!(r#"{{"pins": [{{"name": "v", "path": "v", "sha256": "{bad}"}}]}}"#)).unwrap();
            let err = load(&pins).unwrap_err().to_string();
            assert!(err.contains("pins[0] (\"v\"): sha256:"), "{err}");
        }
        std::fs::write(&pins, r#"{"pins": [{"name": "v", "path": "v", "sha256": "x", "extra": 1}]}"#).unwrap();
        assert!(load(&pins).unwrap_err().to_string().contains("unknown field"));
    }
}
