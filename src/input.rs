//! The one door for every input that is not a packet file being hashed:
//! manifests, bag tag files, pins, reports, snapshots, token lists,
//! `--against` mirrors, read-back documents, signatures, keys, allowed
//! signers, and standard input.
//!
//! Every such input is opened here and nowhere else, with the same guards:
//! - a symlink is never followed (`O_NOFOLLOW`, and `lstat` first, so a
//!   link is named as such rather than as an opaque error);
//! - nothing blocks: the open is non-blocking and the type is checked with
//!   `fstat` on the open handle before the first read, so a FIFO, a socket
//!   or a device is refused unread;
//! - at most [`Kind::cap`] bytes are read; more is bad input, refused
//!   without being held in memory;
//! - JSON goes through [`json`], which refuses duplicate keys anywhere
//!   and caps nesting depth.
//!
//! Files inside a packet are opened beneath its root with the root's own
//! guards ([`crate::fsio::Root`]); the caps are the same. Standard input is
//! read through [`stdin_capped`] with the same cap. This module never
//! writes.

use std::fs::{File, Metadata};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::fsio::{open_path, OpenError, Root};
use crate::{Error, RelPath};

pub mod json;

/// What an input is, which sets its size cap and names it in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A manifest of sum lines (`HASH_MANIFEST.txt`, `SHA512SUMS`, …).
    Manifest,
    /// A BagIt manifest or tag file.
    TagFile,
    /// A pins file.
    Pins,
    /// A JSON report read back (`rerun --from-report`).
    Report,
    /// A snapshot of a directory (`rehearsal`).
    Snapshot,
    /// A list of forbidden tokens.
    TokenList,
    /// A file of an `--against` mirror, compared with a drifted file.
    Mirror,
    /// A read-back document (`pin readback --from-file`, an HTTP body).
    Document,
    /// A signature file.
    Signature,
    /// A key file.
    Key,
    /// An allowed-signers file.
    AllowedSigners,
    /// A verification receipt.
    Receipt,
}

impl Kind {
    /// The most bytes read of this kind of input.
    ///
    /// Manifests are streamed line by line and only their entries are kept,
    /// so their cap is large; everything read whole is capped small.
    pub fn cap(self) -> u64 {
        match self {
            Kind::Manifest => 4 << 30,
            Kind::TagFile => 16 << 20,
            Kind::Pins | Kind::Report | Kind::Snapshot | Kind::Document | Kind::Receipt => 64 << 20,
            Kind::TokenList | Kind::AllowedSigners => 16 << 20,
            Kind::Mirror => 64 << 20,
            Kind::Signature | Kind::Key => 1 << 20,
        }
    }

    /// A word for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Manifest => "manifest",
            Kind::TagFile => "bag tag file",
            Kind::Pins => "pins file",
            Kind::Report => "report",
            Kind::Snapshot => "snapshot",
            Kind::TokenList => "token list",
            Kind::Mirror => "mirror file",
            Kind::Document => "document",
            Kind::Signature => "signature",
            Kind::Key => "key file",
            Kind::AllowedSigners => "allowed-signers file",
            Kind::Receipt => "receipt",
        }
    }
}

/// An input opened through the guards, not yet read.
#[derive(Debug)]
pub struct Input {
    file: File,
    meta: Metadata,
    shown: String,
    kind: Kind,
}

impl Input {
    /// Its metadata, from `fstat` on the open handle.
    pub fn metadata(&self) -> &Metadata {
        &self.meta
    }

    /// A buffered reader that fails with [`io::ErrorKind::FileTooLarge`]
    /// past the cap.
    pub fn reader(self) -> impl BufRead {
        BufReader::with_capacity(256 * 1024, Capped::new(self.file, self.kind.cap()))
    }

    /// The whole input, at most its cap.
    pub fn read_all(self) -> Result<Vec<u8>, Error> {
        let cap = self.kind.cap();
        if self.meta.len() > cap {
            return Err(too_large(&self.shown, self.kind));
        }
        let shown = self.shown.clone();
        let kind = self.kind;
        let mut out = Vec::with_capacity(self.meta.len() as usize);
        match Capped::new(self.file, cap).read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(e) if e.kind() == io::ErrorKind::FileTooLarge => Err(too_large(&shown, kind)),
            Err(e) => Err(Error::Io { path: shown, source: e }),
        }
    }
}

fn too_large(shown: &str, kind: Kind) -> Error {
    Error::TooLarge { path: shown.to_string(), what: kind.describe(), cap: kind.cap() }
}

/// Maps an I/O error met while reading an input: past the cap is bad
/// input, anything else an I/O failure.
pub fn read_error(shown: &str, kind: Kind, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::FileTooLarge {
        too_large(shown, kind)
    } else {
        Error::Io { path: shown.to_string(), source: e }
    }
}

fn open_error(shown: &str, kind: Kind, e: OpenError) -> Error {
    match e {
        OpenError::NotFound => Error::Io {
            path: shown.to_string(),
            source: io::Error::from_raw_os_error(rustix::io::Errno::NOENT.raw_os_error()),
        },
        OpenError::Unsupported(k) => {
            Error::NotRegular { path: shown.to_string(), kind: k.describe(), what: kind.describe() }
        }
        OpenError::Io(e) => Error::Io { path: shown.to_string(), source: e },
    }
}

/// Opens `path` as an input of `kind`.
pub fn open(path: &Path, kind: Kind) -> Result<Input, Error> {
    let shown = path.display().to_string();
    let (file, meta) = open_path(path).map_err(|e| open_error(&shown, kind, e))?;
    Ok(Input { file, meta, shown, kind })
}

/// Opens `rel` beneath a packet root as an input of `kind`; `Ok(None)` when
/// nothing is there.
pub fn open_in(root: &Root, rel: &RelPath, shown: &str, kind: Kind) -> Result<Option<Input>, Error> {
    match root.open_file(rel) {
        Ok((file, meta)) => Ok(Some(Input { file, meta, shown: shown.to_string(), kind })),
        Err(OpenError::NotFound) => Ok(None),
        Err(e) => Err(open_error(shown, kind, e)),
    }
}

/// Reads all of `path` as an input of `kind`.
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, Error> {
    open(path, kind)?.read_all()
}

/// Reads all of `path` as UTF-8 text of `kind`.
pub fn read_text(path: &Path, kind: Kind) -> Result<String, Error> {
    let bytes = read(path, kind)?;
    String::from_utf8(bytes).map_err(|e| Error::Malformed {
        path: path.display().to_string(),
        line: None,
        expected: format!("UTF-8 text ({})", e.utf8_error()),
    })
}

/// Standard input, read as an input of `kind`: it may be a pipe (that is
/// what it is for) but is still capped.
pub fn stdin_capped(kind: Kind) -> impl BufRead {
    BufReader::with_capacity(256 * 1024, Capped::new(io::stdin(), kind.cap()))
}

/// A reader that fails once more than `cap` bytes would be read.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Capped<R> {
    fn new(inner: R, cap: u64) -> Capped<R> {
        Capped { inner, left: cap }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more than the cap tells "exactly the cap" from "more".
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(io::ErrorKind::FileTooLarge, "input larger than its cap")),
            };
        }
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reader_tells_exactly_the_cap_from_more() {
        let mut out = Vec::new();
        Capped::new(&b"abcd"[..], 4).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abcd");
        let err = Capped::new(&b"abcde"[..], 4).read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
    }

    #[test]
    fn special_files_and_links_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t");
        std::fs::write(&target, b"x").unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(read(&link, Kind::Pins), Err(Error::NotRegular { kind: "symbolic link", .. })));
        assert!(matches!(read(Path::new("/dev/zero"), Kind::Pins), Err(Error::NotRegular { .. })));
        assert!(matches!(read(dir.path(), Kind::Pins), Err(Error::NotRegular { kind: "directory", .. })));
        assert_eq!(read(&target, Kind::Pins).unwrap(), b"x");
    }

    #[test]
    fn every_kind_has_its_documented_cap_and_name() {
        let table = [
            (Kind::Manifest, 4 << 30, "manifest"),
            (Kind::TagFile, 16 << 20, "bag tag file"),
            (Kind::Pins, 64 << 20, "pins file"),
            (Kind::Report, 64 << 20, "report"),
            (Kind::Snapshot, 64 << 20, "snapshot"),
            (Kind::Document, 64 << 20, "document"),
            (Kind::Receipt, 64 << 20, "receipt"),
            (Kind::TokenList, 16 << 20, "token list"),
            (Kind::AllowedSigners, 16 << 20, "allowed-signers file"),
            (Kind::Mirror, 64 << 20, "mirror file"),
            (Kind::Signature, 1 << 20, "signature"),
            (Kind::Key, 1 << 20, "key file"),
        ];
        for (kind, cap, name) in table {
            assert_eq!((kind.cap(), kind.describe()), (cap, name), "{kind:?}");
        }
    }

    #[test]
    fn an_input_of_exactly_the_cap_is_read_and_one_byte_more_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("k");
        std::fs::write(&f, vec![b'k'; 1 << 20]).unwrap();
        assert_eq!(read(&f, Kind::Key).unwrap().len(), 1 << 20);
        std::fs::write(&f, vec![b'k'; (1 << 20) + 1]).unwrap();
        let e = read(&f, Kind::Key).unwrap_err();
        assert!(matches!(e, Error::TooLarge { what: "key file", cap: 1048576, .. }), "{e:?}");
    }

    #[test]
    fn an_input_that_grows_past_its_cap_after_it_was_opened_is_too_large() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("k");
        std::fs::write(&f, b"k").unwrap();
        let input = open(&f, Kind::Key).unwrap();
        std::fs::OpenOptions::new().append(true).open(&f).unwrap().write_all(&vec![b'k'; 2 << 20]).unwrap();
        assert!(matches!(input.read_all(), Err(Error::TooLarge { what: "key file", .. })));
    }

    #[test]
    fn a_read_that_fails_otherwise_is_an_io_error() {
        // Reading the start of a process's memory fails with EIO: a regular
        // file, under its cap, that cannot be read.
        let e = read(Path::new("/proc/self/mem"), Kind::Key).unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
        let past = read_error("x", Kind::Pins, io::ErrorKind::FileTooLarge.into());
        assert!(matches!(past, Error::TooLarge { what: "pins file", .. }));
        assert!(matches!(read_error("x", Kind::Pins, io::ErrorKind::InvalidData.into()), Error::Io { .. }));
    }

    #[test]
    fn text_inputs_are_utf8_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t");
        std::fs::write(&f, "caf\u{e9}\n").unwrap();
        assert_eq!(read_text(&f, Kind::TokenList).unwrap(), "caf\u{e9}\n");
        std::fs::write(&f, b"\xff").unwrap();
        assert!(matches!(read_text(&f, Kind::TokenList), Err(Error::Malformed { .. })));
    }
}
