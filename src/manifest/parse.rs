//! Parsing checksum lines from bytes.
//!
//! Two layers: [`parse_line`] reads one line in any form `sha256sum -c`
//! understands (GNU untagged with `␠␠` or `␠*`, GNU-escaped names, BSD tagged
//! `SHA256 (name) = hex`) and returns what it holds or exactly why not;
//! [`LineReader`] splits a stream into lines under a length cap while hashing
//! every byte it reads. The strict manifest grammar of `verify` is built on
//! both in [`super::Manifest::parse`]; `check` uses them with GNU's leniency.

use std::borrow::Cow;
use std::io::{self, BufRead};

use sha2::{Digest as _, Sha256};

use super::escape::{unescape, UnescapeError};
use crate::digest::{Algo, AnyDigest, DigestError};
use crate::relpath::PathError;
use crate::Digest;

/// The longest manifest line read (rule M7). A longer one is refused without
/// being held in memory.
pub const MAX_LINE_LEN: usize = 1 << 20;

/// Which grammar a line was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineForm {
    /// GNU untagged: `hex␠␠name`, or `hex␠*name` when `binary`.
    Untagged {
        /// The ` *` (binary mode) marker was used.
        binary: bool,
    },
    /// BSD tagged: `SHA256 (name) = hex` (or `SHA512`, `BLAKE3`).
    Tagged,
}

impl LineForm {
    /// A short name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            LineForm::Untagged { .. } => "untagged 'HEX  NAME'",
            LineForm::Tagged => "tagged 'ALGO (NAME) = HEX'",
        }
    }
}

/// One parsed checksum line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The file name, unescaped: raw bytes.
    pub name: Cow<'a, [u8]>,
    /// The digest.
    pub digest: AnyDigest,
    /// The grammar it was written in.
    pub form: LineForm,
}

/// Why a line or a manifest was refused. Messages say what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// A blank line.
    #[error("blank line (expected 'HEX  NAME')")]
    Blank,
    /// A comment, which the canonical grammar has no place for.
    #[error("comment line (the manifest grammar has no comments)")]
    Comment,
    /// White space before the digest.
    #[error("white space before the digest (expected the line to start with the digest)")]
    LeadingWhiteSpace,
    /// A NUL byte anywhere in the line.
    #[error("NUL byte in the line (expected none; GNU would truncate the name here)")]
    Nul,
    /// A UTF-8 BOM at the start of the first line.
    #[error("UTF-8 byte order mark before the first line")]
    Bom,
    /// The digest field is malformed.
    #[error("bad digest: {0}")]
    Digest(DigestError),
    /// One space between digest and name.
    #[error("one space after the digest (expected two spaces, or ' *'; one is ambiguous with a name that starts with a space)")]
    SingleSpace,
    /// Something other than `␠␠`/`␠*` after the digest.
    #[error("expected two spaces or ' *' after the 64-digit digest")]
    Separator,
    /// Nothing after the separator.
    #[error("empty file name")]
    EmptyName,
    /// A tagged line that is not `ALGO (NAME) = HEX`.
    #[error("expected 'ALGO (NAME) = HEX'")]
    Tagged,
    /// A tagged line for another algorithm than the one expected.
    #[error("tagged line for another algorithm (expected {expected})")]
    OtherAlgorithm {
        /// What was expected: an algorithm tag, or the list of those read.
        expected: &'static str,
    },
    /// A line for a weak algorithm (SHA-1, MD5), which never vouches for a
    /// file alone.
    #[error("{0} digest: a weak algorithm never vouches for a file alone (expected SHA256, SHA512 or BLAKE3)")]
    Weak(Algo),
    /// Two digest algorithms in one manifest.
    #[error(
        "{found} digest in a manifest whose line {first_line} is {expected} (expected one algorithm per manifest)"
    )]
    MixedAlgorithms {
        /// The first line's number.
        first_line: usize,
        /// The first line's algorithm.
        expected: Algo,
        /// This line's algorithm.
        found: Algo,
    },
    /// A bad escape in an escaped name.
    #[error("{0}")]
    Escape(UnescapeError),
    /// A line longer than [`MAX_LINE_LEN`].
    #[error("line longer than {} bytes (refused unread)", MAX_LINE_LEN)]
    TooLong,
    /// A carriage return written raw in a line (rule M13).
    #[error("a raw carriage return in the line (expected it escaped as \\r, as sealcheck and GNU coreutils 9 write a name that holds one)")]
    RawCr,
    /// The file name is not a safe packet-relative path.
    #[error("unsafe path: {0}")]
    Path(PathError),
    /// The same path listed twice.
    #[error("path already listed on line {first_line}{}", if *.same_digest { " (same digest)" } else { " with a different digest" })]
    Duplicate {
        /// Where it was first listed.
        first_line: usize,
        /// Whether both lines carry the same digest.
        same_digest: bool,
    },
    /// Two names that one file system would take for the same file.
    #[error("path collides with line {first_line}: the names differ only by {what}")]
    Collision {
        /// The other line.
        first_line: usize,
        /// `letter case` or `Unicode normalization (NFC/NFD)`.
        what: &'static str,
    },
    /// Two grammars in one manifest.
    #[error("{found} line in a manifest whose line {first_line} is {expected} (expected one grammar per manifest)")]
    MixedForms {
        /// The first line's number.
        first_line: usize,
        /// The first line's grammar.
        expected: &'static str,
        /// This line's grammar.
        found: &'static str,
    },
}

/// Parses one line (without its line end) as `sha256sum -c` would read it:
/// SHA-256 only.
///
/// White space before the digest is allowed here only because GNU allows it;
/// the strict grammar refuses it before calling this.
pub fn parse_line(line: &[u8]) -> Result<Line<'_>, LineError> {
    parse_line_as(line, Some(Algo::Sha256))
}

/// Parses one line whose digest is of `algo`, or, when `None`, of the
/// algorithm the line itself shows: its tag, or its length (64 hex digits
/// are SHA-256, 128 are SHA-512). BLAKE3 has SHA-256's length, so untagged
/// BLAKE3 lines are read only when `algo` says so.
pub fn parse_line_as(line: &[u8], algo: Option<Algo>) -> Result<Line<'_>, LineError> {
    if line.is_empty() {
        return Err(LineError::Blank);
    }
    if line.contains(&0) {
        return Err(LineError::Nul);
    }
    let s = trim_start(line);
    let (s, escaped) = match s.strip_prefix(b"\\") {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    // Fast path: the common untagged SHA-256 line, `<64 hex>␠␠name`.
    if matches!(algo, None | Some(Algo::Sha256)) && s.len() > 66 && s[64] == b' ' && matches!(s[65], b' ' | b'*') {
        if let Ok(digest) = AnyDigest::from_hex(Algo::Sha256, &s[..64]) {
            return Ok(Line {
                name: name_of(&s[66..], escaped)?,
                digest,
                form: LineForm::Untagged { binary: s[65] == b'*' },
            });
        }
    }
    if looks_tagged(s) {
        parse_tagged(s, escaped, algo)
    } else {
        parse_untagged(s, escaped, algo)
    }
}

/// A tagged line starts with an algorithm word and `(` or ` (`; an untagged
/// one with the digest.
fn looks_tagged(s: &[u8]) -> bool {
    let word = s.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count();
    let after = &s[word..];
    let opens = after.starts_with(b"(") || after.starts_with(b" (");
    word > 0 && opens && !(matches!(word, 32 | 40 | 64 | 128) && s[..word].iter().all(u8::is_ascii_hexdigit))
}

fn name_of(raw: &[u8], escaped: bool) -> Result<Cow<'_, [u8]>, LineError> {
    if escaped {
        unescape(raw).map(Cow::Owned).map_err(LineError::Escape)
    } else {
        Ok(Cow::Borrowed(raw))
    }
}

/// The algorithm an untagged digest of `hex_len` digits is, given `algo`.
fn untagged_algo(hex_len: usize, algo: Option<Algo>) -> Option<Algo> {
    match algo {
        Some(a) => (a.hex_len() == hex_len).then_some(a),
        None => [Algo::Sha256, Algo::Sha512].into_iter().find(|a| a.hex_len() == hex_len),
    }
}

fn parse_untagged(s: &[u8], escaped: bool, algo: Option<Algo>) -> Result<Line<'_>, LineError> {
    let hex_len = s.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let field_len = s.iter().take_while(|&&b| b != b' ' && b != b'\t').count();
    let Some(line_algo) = untagged_algo(hex_len, algo).filter(|_| hex_len == field_len) else {
        let want = algo.unwrap_or(Algo::Sha256);
        let field = &s[..field_len];
        return Err(LineError::Digest(match AnyDigest::from_hex(want, field) {
            Err(e) => e,
            Ok(_) => DigestError::WrongLengthFor { algo: want, found: field.len() },
        }));
    };
    let digest = AnyDigest::from_hex(line_algo, &s[..hex_len]).map_err(LineError::Digest)?;
    let binary = match &s[hex_len..] {
        [b' ', b' ', ..] => false,
        [b' ', b'*', ..] => true,
        [b' ', ..] => return Err(LineError::SingleSpace),
        _ => return Err(LineError::Separator),
    };
    let raw = &s[hex_len + 2..];
    if raw.is_empty() {
        return Err(LineError::EmptyName);
    }
    Ok(Line { name: name_of(raw, escaped)?, digest, form: LineForm::Untagged { binary } })
}

fn parse_tagged(s: &[u8], escaped: bool, algo: Option<Algo>) -> Result<Line<'_>, LineError> {
    let word_len = s.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count();
    let word = std::str::from_utf8(&s[..word_len]).unwrap_or("");
    let expected = algo.map_or("SHA256, SHA512 or BLAKE3", Algo::tag);
    let line_algo = Algo::ALL.into_iter().find(|a| a.tag() == word).ok_or(LineError::OtherAlgorithm { expected })?;
    if !line_algo.strong() {
        return Err(LineError::Weak(line_algo));
    }
    if algo.is_some_and(|a| a != line_algo) {
        return Err(LineError::OtherAlgorithm { expected });
    }
    let rest = &s[word_len..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let Some(rest) = rest.strip_prefix(b"(") else {
        return Err(LineError::Tagged);
    };
    let close = rest.iter().rposition(|&b| b == b')').ok_or(LineError::Tagged)?;
    let (raw, tail) = (&rest[..close], &rest[close + 1..]);
    let tail = trim_start(tail);
    let tail = trim_start(tail.strip_prefix(b"=").ok_or(LineError::Tagged)?);
    let digest = AnyDigest::from_hex(line_algo, tail).map_err(LineError::Digest)?;
    if raw.is_empty() {
        return Err(LineError::EmptyName);
    }
    Ok(Line { name: name_of(raw, escaped)?, digest, form: LineForm::Tagged })
}

fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

/// How a line ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnd {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// End of input without a newline.
    None,
}

/// Splits a stream into lines of at most [`MAX_LINE_LEN`] bytes, hashing
/// every byte read so the manifest's own digest costs no second pass.
pub struct LineReader<R> {
    inner: R,
    hasher: Sha256,
    buf: Vec<u8>,
    line_no: usize,
    bytes: u64,
    bom: bool,
    /// The byte that ends a line: LF, or NUL for `sha256sum -z` output.
    end: u8,
}

impl<R: BufRead> LineReader<R> {
    /// Wraps `inner`, whose lines end in LF.
    pub fn new(inner: R) -> LineReader<R> {
        LineReader { inner, hasher: Sha256::new(), buf: Vec::new(), line_no: 0, bytes: 0, bom: false, end: b'\n' }
    }

    /// Wraps `inner`, whose lines end in NUL, as `sha256sum -z` writes them
    /// (names unescaped: a name may hold a newline). A CR before the NUL
    /// is part of the name.
    pub fn nul_terminated(inner: R) -> LineReader<R> {
        LineReader { end: 0, ..LineReader::new(inner) }
    }

    /// The next line without its line end, with its 1-based number and how
    /// it ended; a BOM before the first line is removed and remembered
    /// ([`LineReader::had_bom`]). `Ok(None)` at end of input.
    ///
    /// A line longer than the cap yields `Err(LineError::TooLong)` in the
    /// inner result after the rest of it has been skipped, so reading can go
    /// on with the next line.
    #[allow(clippy::type_complexity)]
    pub fn next_line(&mut self) -> io::Result<Option<(usize, Result<(&[u8], LineEnd), LineError>)>> {
        self.buf.clear();
        let mut too_long = false;
        let mut saw_any = false;
        let mut ended = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            saw_any = true;
            let (take, found) = match chunk.iter().position(|&b| b == self.end) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            self.hasher.update(&chunk[..take]);
            if !too_long {
                if self.buf.len() + take > MAX_LINE_LEN + 2 {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.inner.consume(take);
            self.bytes += take as u64;
            if found {
                ended = true;
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        self.line_no += 1;
        if too_long {
            return Ok(Some((self.line_no, Err(LineError::TooLong))));
        }
        let mut line: &[u8] = &self.buf;
        if self.line_no == 1 {
            if let Some(rest) = line.strip_prefix(b"\xef\xbb\xbf") {
                self.bom = true;
                line = rest;
            }
        }
        let end = if !ended {
            LineEnd::None
        } else if self.end == 0 {
            line = &line[..line.len() - 1];
            LineEnd::Lf
        } else if line.ends_with(b"\r\n") {
            line = &line[..line.len() - 2];
            LineEnd::CrLf
        } else {
            line = &line[..line.len() - 1];
            LineEnd::Lf
        };
        if line.len() > MAX_LINE_LEN {
            return Ok(Some((self.line_no, Err(LineError::TooLong))));
        }
        Ok(Some((self.line_no, Ok((line, end)))))
    }

    /// Whether the first line started with a UTF-8 BOM.
    pub fn had_bom(&self) -> bool {
        self.bom
    }

    /// Reads whatever is left (so the digest covers the whole input) and
    /// returns the SHA-256 of every byte read and their count.
    pub fn finish(mut self) -> io::Result<(Digest, u64)> {
        while self.next_line()?.is_some() {}
        Ok((Digest(self.hasher.finalize().into()), self.bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn the_binary_marker_and_the_digest_length_choose_the_form_and_algorithm() {
        let text = format!("{H} *name");
        let bin = parse_line(text.as_bytes()).unwrap();
        assert_eq!((bin.name.as_ref(), bin.form), (&b"name"[..], LineForm::Untagged { binary: true }));
        let h512 = "ab".repeat(64);
        let line = format!("{h512}  name");
        assert_eq!(parse_line_as(line.as_bytes(), None).unwrap().digest.algo(), Algo::Sha512);
        // Past the SHA-256 fast path too: the marker of a SHA-512 line.
        let line = format!("{h512} *name");
        assert_eq!(parse_line_as(line.as_bytes(), None).unwrap().form, LineForm::Untagged { binary: true });
        let line = format!("{H}  name");
        assert_eq!(parse_line_as(line.as_bytes(), None).unwrap().digest.algo(), Algo::Sha256);
    }

    /// Lines of `text` as the reader gives them.
    fn lines_of(mut r: LineReader<&[u8]>) -> Vec<Result<Vec<u8>, LineError>> {
        let mut out = Vec::new();
        while let Some((_, l)) = r.next_line().unwrap() {
            out.push(l.map(|(b, _)| b.to_vec()));
        }
        out
    }

    #[test]
    fn nul_terminated_lines_end_at_nul_only() {
        let text: &[u8] = b"a\nb\0c\0";
        assert_eq!(lines_of(LineReader::nul_terminated(text)), [Ok(b"a\nb".to_vec()), Ok(b"c".to_vec())]);
        assert_eq!(lines_of(LineReader::new(text)).len(), 2, "LF-terminated: 'a' then 'b\\0c\\0'");
    }

    #[test]
    fn the_line_cap_is_exact_and_counts_the_line_end_apart() {
        let mut at_cap = vec![b'x'; MAX_LINE_LEN];
        at_cap.extend_from_slice(b"\r\n");
        let got = lines_of(LineReader::new(&at_cap[..]));
        assert!(matches!(got.as_slice(), [Ok(l)] if l.len() == MAX_LINE_LEN), "a line of exactly the cap is read");
        // The same line arriving in many small reads.
        let mut r = LineReader::new(io::BufReader::with_capacity(4096, &at_cap[..]));
        let (_, line) = r.next_line().unwrap().unwrap();
        assert_eq!(line.map(|(l, _)| l.len()), Ok(MAX_LINE_LEN), "read in pieces, the cap is the same");
        let mut over = vec![b'x'; MAX_LINE_LEN + 1];
        over.extend_from_slice(b"\n");
        assert_eq!(lines_of(LineReader::new(&over[..])), [Err(LineError::TooLong)]);
    }

    /// A reader that fails once with `kind`, then gives `data`.
    struct Flaky {
        kind: Option<io::ErrorKind>,
        data: &'static [u8],
    }

    impl io::Read for Flaky {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            unreachable!("read through BufRead")
        }
    }

    impl BufRead for Flaky {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            match self.kind {
                Some(io::ErrorKind::Interrupted) => {
                    self.kind = None;
                    Err(io::ErrorKind::Interrupted.into())
                }
                Some(k) => Err(k.into()),
                None => Ok(self.data),
            }
        }
        fn consume(&mut self, n: usize) {
            self.data = &self.data[n..];
        }
    }

    #[test]
    fn an_interrupted_read_is_retried_and_any_other_error_is_returned() {
        let mut r = LineReader::new(Flaky { kind: Some(io::ErrorKind::Interrupted), data: b"a\n" });
        assert_eq!(r.next_line().unwrap().map(|(_, l)| l.unwrap().0.to_vec()), Some(b"a".to_vec()));
        let mut r = LineReader::new(Flaky { kind: Some(io::ErrorKind::PermissionDenied), data: b"a\n" });
        assert_eq!(r.next_line().unwrap_err().kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn line_forms_are_named_in_messages_and_only_a_word_then_a_parenthesis_is_a_tag() {
        assert_eq!(LineForm::Tagged.describe(), "tagged 'ALGO (NAME) = HEX'");
        assert_eq!(LineForm::Untagged { binary: true }.describe(), "untagged 'HEX  NAME'");
        assert!(looks_tagged(b"SHA256 (name) = 00"));
        assert!(looks_tagged(b"SHA256(name)= 00"));
        assert!(!looks_tagged(b"abcd  name"), "a word without a parenthesis");
        assert!(!looks_tagged(b"(name) = 00"), "a parenthesis without a word");
        assert!(!looks_tagged(format!("{H} (name)").as_bytes()), "a digest, then a name in parentheses");
        assert!(looks_tagged(b"abc (name) = 00"), "a hex-looking word of no digest's length is an algorithm word");
    }

    fn ok(line: &str) -> (Vec<u8>, LineForm) {
        let l = parse_line(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert_eq!(l.digest.to_hex(), H);
        (l.name.into_owned(), l.form)
    }

    fn err(line: &[u8]) -> LineError {
        parse_line(line).expect_err(&String::from_utf8_lossy(line))
    }

    #[test]
    fn rule_m1_untagged_forms() {
        assert_eq!(ok(&format!("{H}  a b")), (b"a b".to_vec(), LineForm::Untagged { binary: false }));
        assert_eq!(ok(&format!("{H} *a")), (b"a".to_vec(), LineForm::Untagged { binary: true }));
        assert_eq!(ok(&format!("{H}   lead")).0, b" lead");
        assert_eq!(ok(&format!("{}  x", H.to_uppercase())).0, b"x");
        assert_eq!(ok(&format!("\\{H}  nl\\nx\\\\y\\rz")).0, b"nl\nx\\y\rz");
    }

    #[test]
    fn rule_m8_tagged_forms() {
        assert_eq!(ok(&format!("SHA256 (a (b)) = {H}")), (b"a (b)".to_vec(), LineForm::Tagged));
        assert_eq!(ok(&format!("SHA256(x)= {H}")).0, b"x");
        assert_eq!(ok(&format!("\\SHA256 (nl\\nx) = {H}")).0, b"nl\nx");
        assert_eq!(err(format!("MD5 (x) = {}", &H[..32]).as_bytes()), LineError::Weak(Algo::Md5));
        assert_eq!(err(format!("SHA512 (x) = {H}").as_bytes()), LineError::OtherAlgorithm { expected: "SHA256" });
        assert_eq!(err(format!("BLAKE2b (x) = {H}").as_bytes()), LineError::OtherAlgorithm { expected: "SHA256" });
        assert_eq!(err(format!("SHA256 (x = {H}").as_bytes()), LineError::Tagged);
        assert_eq!(err(format!("SHA256 () = {H}").as_bytes()), LineError::EmptyName);
    }

    #[test]
    fn malformed_lines_say_what_was_expected() {
        assert_eq!(err(b""), LineError::Blank);
        assert_eq!(err(format!("{H} x").as_bytes()), LineError::SingleSpace);
        assert_eq!(err(format!("{H}\tx").as_bytes()), LineError::Separator);
        assert_eq!(err(format!("{H}  ").as_bytes()), LineError::EmptyName);
        assert_eq!(
            err(format!("{}  x", &H[1..]).as_bytes()),
            LineError::Digest(DigestError::WrongLength { found: 63 })
        );
        assert_eq!(err(format!("{H}0  x").as_bytes()), LineError::Digest(DigestError::WrongLength { found: 65 }));
        assert!(matches!(
            err(format!("{}g  x", &H[1..]).as_bytes()),
            LineError::Digest(DigestError::NotHex { offset: 64, .. })
        ));
        assert_eq!(err(format!("{H}  x\0y").as_bytes()), LineError::Nul);
        assert_eq!(err(format!("\\{H}  a\\tb").as_bytes()), LineError::Escape(UnescapeError::Unknown(b't')));
        assert_eq!(err(format!("\\{H}  a\\").as_bytes()), LineError::Escape(UnescapeError::Trailing));
        assert_eq!(err(b"garbage"), LineError::Digest(DigestError::WrongLength { found: 7 }));
    }

    #[test]
    fn reader_reports_line_ends_bom_and_digest() {
        let input = b"\xef\xbb\xbfone\r\ntwo\nthree";
        let mut r = LineReader::new(&input[..]);
        let mut got = Vec::new();
        while let Some((n, line)) = r.next_line().unwrap() {
            let (l, end) = line.unwrap();
            got.push((n, l.to_vec(), end));
        }
        assert!(r.had_bom());
        assert_eq!(
            got,
            [
                (1, b"one".to_vec(), LineEnd::CrLf),
                (2, b"two".to_vec(), LineEnd::Lf),
                (3, b"three".to_vec(), LineEnd::None)
            ]
        );
        assert_eq!(r.finish().unwrap(), (Digest::of(input), input.len() as u64));
    }

    #[test]
    fn rule_m7_overlong_line_is_refused_and_reading_goes_on() {
        let mut input = vec![b'x'; MAX_LINE_LEN + 10];
        input.extend_from_slice(b"\nnext\n");
        let mut r = LineReader::new(io::BufReader::with_capacity(4096, &input[..]));
        let (n, first) = r.next_line().unwrap().unwrap();
        assert_eq!((n, first.unwrap_err()), (1, LineError::TooLong));
        let (n, second) = r.next_line().unwrap().unwrap();
        assert_eq!((n, second.unwrap().0), (2, &b"next"[..]));
        assert!(r.buf.capacity() <= MAX_LINE_LEN + 4096 + 2);
    }
}
