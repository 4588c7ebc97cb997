//! The manifest: `HASH_MANIFEST.txt` in `sha256sum` format.
//!
//! [`Manifest::parse`] reads the strict grammar `verify` accepts: the
//! canonical form plus what GNU writes (`./` prefix, ` *` marker, uppercase
//! hex, BSD tagged lines). Every other line is refused with its number and
//! what was expected; nothing is skipped. A BOM, CRLF line ends or a missing
//! final newline are not refused: they are the seal itself drifted, recorded
//! in [`ManifestDrift`] so the caller can report them and still check every
//! file. The rules are numbered in `docs/manifest-format.md`.

pub mod escape;
pub mod parse;
pub mod write;

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

pub use parse::{LineError, LineForm, MAX_LINE_LEN};

use crate::digest::{Algo, AnyDigest};
use crate::relpath::collisions;
use crate::{Digest, RelPath};

/// The default manifest name, at the packet root.
pub const DEFAULT_NAME: &str = "HASH_MANIFEST.txt";

/// One sealed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its path relative to the packet root.
    pub path: RelPath,
    /// Its sealed digest.
    pub digest: AnyDigest,
    /// The manifest line it came from (1-based).
    pub line: usize,
}

/// How the manifest's own bytes drifted from the canonical form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ManifestDrift {
    /// A UTF-8 BOM before the first line.
    pub bom: bool,
    /// At least one line ends in CRLF.
    pub crlf: bool,
    /// The last line has no newline.
    pub missing_final_newline: bool,
}

impl ManifestDrift {
    /// Whether anything drifted.
    pub fn any(&self) -> bool {
        self.bom || self.crlf || self.missing_final_newline
    }
}

/// A parsed manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The entries, sorted by path.
    pub entries: Vec<Entry>,
    /// The one digest algorithm of every entry (SHA-256 for an empty
    /// manifest whose algorithm was not given).
    pub algo: Algo,
    /// Drift of the manifest's own bytes.
    pub drift: ManifestDrift,
    /// SHA-256 of the manifest bytes as read.
    pub sha256: Digest,
    /// Number of bytes read.
    pub bytes: u64,
    /// Whether the bytes are exactly the canonical form of the entries.
    pub canonical: bool,
}

/// The problems found in a manifest, with the line each is on: the first
/// [`KEPT_ERRORS`] by line, and how many more there were.
#[derive(Debug)]
pub struct ManifestErrors {
    /// The manifest's name, for messages.
    pub source: String,
    /// `(line, error)`, by line.
    pub errors: Vec<(usize, LineError)>,
    /// Errors past [`KEPT_ERRORS`], counted and not kept.
    pub omitted: usize,
}

/// How many line errors a parse keeps: memory stays bounded however many
/// bad lines the input holds; the rest are counted.
pub const KEPT_ERRORS: usize = 1000;

/// How many line errors are spelled out before the rest are counted.
const SHOWN_ERRORS: usize = 20;

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (line, err)) in self.errors.iter().take(SHOWN_ERRORS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{line}: {err}", self.source)?;
        }
        let more = self.errors.len().saturating_sub(SHOWN_ERRORS) + self.omitted;
        if more > 0 {
            write!(f, "\n{}: … and {more} more malformed lines", self.source)?;
        }
        Ok(())
    }
}

/// Reading failed: either the bytes could not be read, or they are not a
/// manifest.
#[derive(Debug)]
pub enum ReadError {
    /// The stream failed.
    Io(std::io::Error),
    /// The content is malformed.
    Malformed(ManifestErrors),
}

impl Manifest {
    /// Parses the strict grammar from `reader`, each line's algorithm
    /// inferred from the line (see [`parse::parse_line_as`]). `source` names
    /// it in errors.
    pub fn parse<R: BufRead>(reader: R, source: &str) -> Result<Manifest, ReadError> {
        Manifest::parse_as(reader, source, None)
    }

    /// Parses the strict grammar from `reader`, every digest of `algo`, or
    /// when `None` of the algorithm the first line shows (rule M11: one
    /// algorithm per manifest).
    pub fn parse_as<R: BufRead>(reader: R, source: &str, algo: Option<Algo>) -> Result<Manifest, ReadError> {
        let mut lines = parse::LineReader::new(reader);
        let mut entries: Vec<Entry> = Vec::new();
        let mut errors: Vec<(usize, LineError)> = Vec::new();
        let mut drift = ManifestDrift::default();
        let mut first_form: Option<(usize, LineForm)> = None;
        let mut first_algo: Option<(usize, Algo)> = None;
        let mut all_lines_canonical = true;
        let mut in_order = true;
        // Lines are read in order (the reader hashes every byte and caps
        // line length) and parsed in parallel batches, so memory stays
        // bounded by one batch and the parse uses every core.
        let mut batch = Batch::default();
        let mut state = Collect {
            entries: &mut entries,
            errors: &mut errors,
            first_form: &mut first_form,
            first_algo: &mut first_algo,
            all_lines_canonical: &mut all_lines_canonical,
            in_order: &mut in_order,
            algo,
        };
        let mut omitted = 0usize;
        while let Some((no, line)) = lines.next_line().map_err(ReadError::Io)? {
            if state.errors.len() > KEPT_ERRORS {
                omitted += state.errors.len() - KEPT_ERRORS;
                state.errors.truncate(KEPT_ERRORS);
            }
            let (line, end) = match line {
                Ok(l) => l,
                Err(e) => {
                    batch.flush(&mut state);
                    state.errors.push((no, e));
                    continue;
                }
            };
            match end {
                parse::LineEnd::CrLf => drift.crlf = true,
                parse::LineEnd::None => drift.missing_final_newline = true,
                parse::LineEnd::Lf => {}
            }
            batch.push(no, line);
            if batch.lines.len() >= BATCH_LINES {
                batch.flush(&mut state);
            }
        }
        batch.flush(&mut state);
        drift.bom = lines.had_bom();
        let (sha256, bytes) = lines.finish().map_err(ReadError::Io)?;

        entries.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
        // In place: a second vector of every entry was the read's peak.
        let mut unique = entries;
        unique.dedup_by(|e, prev| {
            let repeat = prev.path == e.path;
            if repeat {
                let same_digest = prev.digest == e.digest;
                errors.push((e.line, LineError::Duplicate { first_line: prev.line, same_digest }));
            }
            repeat
        });
        unique.shrink_to_fit();
        let refs: Vec<&RelPath> = unique.iter().map(|e| &e.path).collect();
        for c in collisions(&refs) {
            let (a, b) = (&unique[c.first], &unique[c.second]);
            let (first, second) = if a.line < b.line { (a, b) } else { (b, a) };
            errors.push((second.line, LineError::Collision { first_line: first.line, what: c.what }));
        }
        if !errors.is_empty() || omitted > 0 {
            errors.sort_by_key(|(line, _)| *line);
            if errors.len() > KEPT_ERRORS {
                omitted += errors.len() - KEPT_ERRORS;
                errors.truncate(KEPT_ERRORS);
            }
            return Err(ReadError::Malformed(ManifestErrors { source: source.to_string(), errors, omitted }));
        }
        let algo = first_algo.map(|(_, a)| a).or(algo).unwrap_or(Algo::Sha256);
        // Canonical: every line as the writer writes it, strictly sorted,
        // with LF ends and no BOM (so no duplicates either), SHA-256.
        let canonical = all_lines_canonical && in_order && !drift.any() && algo == Algo::Sha256;
        Ok(Manifest { entries: unique, algo, drift, sha256, bytes, canonical })
    }

    /// The entries as a map from path bytes to index.
    pub fn index(&self) -> HashMap<&[u8], usize> {
        self.entries.iter().enumerate().map(|(i, e)| (e.path.as_bytes(), i)).collect()
    }
}

/// Lines parsed together in parallel.
const BATCH_LINES: usize = 1 << 16;

/// A batch of raw lines: their bytes end to end, and each line's number and
/// range.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    lines: Vec<(usize, std::ops::Range<usize>)>,
}

/// Where parsed lines go, in manifest order.
struct Collect<'a> {
    entries: &'a mut Vec<Entry>,
    errors: &'a mut Vec<(usize, LineError)>,
    first_form: &'a mut Option<(usize, LineForm)>,
    first_algo: &'a mut Option<(usize, Algo)>,
    all_lines_canonical: &'a mut bool,
    in_order: &'a mut bool,
    algo: Option<Algo>,
}

impl Batch {
    fn push(&mut self, no: usize, line: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(line);
        self.lines.push((no, start..self.bytes.len()));
    }

    /// Parses the batch in parallel and collects it in order.
    fn flush(&mut self, c: &mut Collect<'_>) {
        use rayon::prelude::*;
        let bytes = &self.bytes;
        let algo = c.algo;
        let parsed: Vec<_> =
            self.lines.par_iter().map(|(no, r)| (*no, parse_strict(&bytes[r.clone()], algo))).collect();
        for (no, result) in parsed {
            match result {
                Ok((path, digest, form, canonical_line)) => {
                    *c.all_lines_canonical &= canonical_line;
                    if let Some(prev) = c.entries.last() {
                        *c.in_order &= prev.path < path;
                    }
                    let tagged = matches!(form, LineForm::Tagged);
                    match *c.first_form {
                        None => *c.first_form = Some((no, form)),
                        Some((first, f)) if matches!(f, LineForm::Tagged) != tagged => {
                            c.errors.push((
                                no,
                                LineError::MixedForms {
                                    first_line: first,
                                    expected: f.describe(),
                                    found: form.describe(),
                                },
                            ));
                            continue;
                        }
                        Some(_) => {}
                    }
                    match *c.first_algo {
                        None => *c.first_algo = Some((no, digest.algo())),
                        Some((first, a)) if a != digest.algo() => {
                            c.errors.push((
                                no,
                                LineError::MixedAlgorithms { first_line: first, expected: a, found: digest.algo() },
                            ));
                            continue;
                        }
                        Some(_) => {}
                    }
                    c.entries.push(Entry { path, digest, line: no });
                }
                Err(e) => c.errors.push((no, e)),
            }
        }
        self.bytes.clear();
        self.lines.clear();
    }
}

/// One line of the strict grammar (rules M1–M9): the path, the digest, the
/// grammar, and whether the line is in canonical form.
fn parse_strict(line: &[u8], algo: Option<Algo>) -> Result<(RelPath, AnyDigest, LineForm, bool), LineError> {
    match line.first() {
        None => return Err(LineError::Blank),
        Some(b'#') => return Err(LineError::Comment),
        Some(b' ' | b'\t') => return Err(LineError::LeadingWhiteSpace),
        _ => {}
    }
    // Rule M13: no writer of a seal leaves a CR raw in a line (the line end
    // is already gone); one there is a drift or a forgery, never a name.
    if line.contains(&b'\r') {
        return Err(LineError::RawCr);
    }
    let parsed = parse::parse_line_as(line, algo)?;
    let name = parsed.name.as_ref();
    // What `sha256sum ./file` writes: one leading "./" is accepted.
    let name = match name.strip_prefix(b"./") {
        Some(rest) if !rest.is_empty() => rest,
        _ => name,
    };
    let stripped = name.len() != parsed.name.len();
    let path = RelPath::from_slice(name).map_err(LineError::Path)?;
    let canonical = !stripped && is_canonical_line(line, &parsed);
    Ok((path, parsed.digest, parsed.form, canonical))
}

/// Whether a parsed line is byte for byte what the canonical writer would
/// write for it (rule M1–M4): untagged, two spaces, lowercase hex, escaped
/// exactly when the name needs it, and the name written exactly as the
/// writer escapes it. (Unescaping passes a raw CR through, so two texts can
/// give one name: the text itself is compared.)
fn is_canonical_line(line: &[u8], parsed: &parse::Line<'_>) -> bool {
    let escaped = line.first() == Some(&b'\\');
    let hex = &line[usize::from(escaped)..];
    let n = parsed.digest.algo().hex_len();
    parsed.form == (LineForm::Untagged { binary: false })
        && escaped == escape::needs_escape(&parsed.name)
        && hex.len() > n + 2
        && hex[..n].iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && hex[n + 2..] == *escape::escape(&parsed.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relpath::PathError;

    const H: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn parse(text: &[u8]) -> Result<Manifest, Vec<(usize, LineError)>> {
        match Manifest::parse(text, "M") {
            Ok(m) => Ok(m),
            Err(ReadError::Malformed(e)) => Err(e.errors),
            Err(ReadError::Io(e)) => panic!("{e}"),
        }
    }

    #[test]
    fn canonical_manifest_parses_as_canonical() {
        let text = format!("{H}  a\n\\{H}  b\\\\c\n{H}  d/e\n");
        let m = parse(text.as_bytes()).unwrap();
        assert!(m.canonical);
        assert!(!m.drift.any());
        assert_eq!(m.entries.len(), 3);
        assert_eq!(m.entries[1].path.as_bytes(), b"b\\c");
        assert_eq!(m.sha256, Digest::of(text.as_bytes()));
    }

    #[test]
    fn gnu_forms_are_accepted_but_not_canonical() {
        let text = format!("{H}  ./z\n{H} *a\n{}  m\n", H.to_uppercase());
        let m = parse(text.as_bytes()).unwrap();
        assert!(!m.canonical);
        let names: Vec<&[u8]> = m.entries.iter().map(|e| e.path.as_bytes()).collect();
        assert_eq!(names, [&b"a"[..], b"m", b"z"]);
        let tagged = format!("SHA256 (a) = {H}\nSHA256 (b) = {H}\n");
        assert_eq!(parse(tagged.as_bytes()).unwrap().entries.len(), 2);
    }

    #[test]
    fn rule_m9_manifest_drift_is_recorded_not_refused() {
        let m = parse(format!("\u{feff}{H}  a\r\n{H}  b").as_bytes()).unwrap();
        assert_eq!(m.drift, ManifestDrift { bom: true, crlf: true, missing_final_newline: true });
        assert!(!m.canonical);
    }

    #[test]
    fn every_bad_line_is_refused_with_its_number() {
        let text = format!(
            "{H}  ok\n# comment\n\n {H}  lead\n{H}  ../up\n{H}  ok\n{H}  /abs\nSHA256 (t) = {H}\n{H}  README\n{H}  readme\n"
        );
        let errs = parse(text.as_bytes()).unwrap_err();
        let want = vec![
            (2, LineError::Comment),
            (3, LineError::Blank),
            (4, LineError::LeadingWhiteSpace),
            (5, LineError::Path(PathError::DotDot)),
            (6, LineError::Duplicate { first_line: 1, same_digest: true }),
            (7, LineError::Path(PathError::Absolute)),
            (
                8,
                LineError::MixedForms {
                    first_line: 1,
                    expected: LineForm::Untagged { binary: false }.describe(),
                    found: LineForm::Tagged.describe(),
                },
            ),
            (10, LineError::Collision { first_line: 9, what: "letter case" }),
        ];
        assert_eq!(errs, want);
    }

    #[test]
    fn errors_kept_are_capped_and_the_rest_counted() {
        let text = vec![b'\n'; 3 * KEPT_ERRORS];
        let err = match Manifest::parse(&text[..], "M") {
            Err(ReadError::Malformed(e)) => e,
            _ => panic!("blank lines are malformed"),
        };
        assert_eq!(err.errors.len(), KEPT_ERRORS);
        assert_eq!(err.errors.len() + err.omitted, 3 * KEPT_ERRORS);
        assert_eq!(err.errors[0].0, 1, "the first errors by line are the ones kept");
        assert!(err.to_string().ends_with(&format!("… and {} more malformed lines", 3 * KEPT_ERRORS - 20)));
    }

    #[test]
    fn empty_manifest_is_an_empty_seal() {
        let m = parse(b"").unwrap();
        assert!(m.entries.is_empty() && m.canonical);
    }

    #[test]
    fn errors_render_with_file_and_line() {
        let err = match Manifest::parse(&b"nothex  a\n"[..], "P/HASH_MANIFEST.txt") {
            Err(ReadError::Malformed(e)) => e,
            _ => panic!("expected malformed"),
        };
        assert_eq!(err.to_string(), "P/HASH_MANIFEST.txt:1: bad digest: expected 64 hex characters, found 6");
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn line() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec!["a", "b c", "d/e", "back\\\\slash", "nl\\nx", "\u{e9}", "z"]);
        let hex = prop::sample::select(vec!["0".repeat(64), "ab".repeat(32), "AB".repeat(32)]);
        let sep = prop::sample::select(vec!["  ", " *"]);
        let dot = prop::bool::weighted(0.1);
        (name, hex, sep, dot).prop_map(|(n, h, s, d)| {
            let esc = if n.contains('\\') { "\\" } else { "" };
            format!("{esc}{h}{s}{}{n}\n", if d { "./" } else { "" })
        })
    }

    /// Regression (found by fuzzing): a raw CR inside an escaped name
    /// unescapes to the same name as `\r`. Since rule M13 such a line is
    /// refused outright, in escaped and unescaped lines alike, while the
    /// escaped form is read and is canonical.
    #[test]
    fn a_raw_cr_in_a_name_is_refused_and_the_escaped_one_is_canonical() {
        let h = "b6a98d9ce9a2d9149288fd3df42d377c3e42737afdcdaf714e33c0a100b51060";
        for raw in [format!("\\{h}  a\\\\b\rc\n"), format!("{h}  b\rc\n"), format!("SHA256 (b\rc) = {h}\n")] {
            match Manifest::parse(raw.as_bytes(), "M") {
                Err(ReadError::Malformed(e)) => assert_eq!(e.errors, [(1, LineError::RawCr)], "{raw:?}"),
                other => panic!("{raw:?}: {other:?}"),
            }
        }
        let escaped = format!("\\{h}  a\\\\b\\rc\n");
        let m = Manifest::parse(escaped.as_bytes(), "M").ok().unwrap();
        assert!(m.canonical);
        assert_eq!(m.entries[0].path.as_bytes(), b"a\\b\rc");
    }

    proptest! {
        /// The canonical flag, decided line by line, agrees with rendering
        /// the entries and comparing bytes.
        #[test]
        fn canonical_flag_matches_rendering(lines in prop::collection::vec(line(), 0..8), crlf in prop::bool::weighted(0.1)) {
            let mut text = lines.concat();
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            if let Ok(m) = Manifest::parse(text.as_bytes(), "M") {
                let rendered = write::canonical_bytes(m.entries.iter().map(|e| (&e.path, e.digest.sha256().unwrap())).collect::<Vec<_>>().iter().map(|(p, d)| (*p, d)));
                prop_assert_eq!(m.canonical, rendered == text.as_bytes());
            }
        }
    }
}
