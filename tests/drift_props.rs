//! Property tests: over random packets sealed in every seal format (the
//! canonical manifest, `sha512sum` and BSD tagged lines, `b3sum`, bags with
//! sha256 and with sha512 only), every drift class fails closed and is named
//! by the diagnosis; each transform round-trips with its inverse.
//!
//! A generated drift that changes nothing checks nothing: it is rejected
//! with `prop_assume!` (counted by proptest, which fails the property when
//! too many are), never passed.
//!
//! Cases per property: 256, or `PROPTEST_CASES`.

use std::path::Path;

use proptest::prelude::*;
use sealcheck::digest::Algo;
use sealcheck::drift::json::{dumps, escape_non_ascii, parse, unescape_non_ascii, Indent, Layout};
use sealcheck::drift::{mojibake, text, typography};
use sealcheck::manifest::write::write_any_line;
use sealcheck::seal::{seal, SealOptions};
use sealcheck::verify::{verify, VerifyOptions};
use sealcheck::{FindingClass, Report};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

const WORDS: &[&str] =
    &["alpha", "Run", "42", "caf\u{e9}", "Zo\u{eb}", "na\u{ef}ve", "stra\u{df}e", "\u{65e5}\u{672c}", "\u{1f600}", "x"];
const PUNCT: &[&str] = &[
    "\u{2014}", "\u{2013}", "\u{201c}", "\u{201d}", "\u{2018}", "\u{2019}", "\u{2026}", "\u{a0}", "--", "...", "\"",
    "'", "-",
];

/// Prose: words and punctuation tokens, `max` tokens at most, separated by
/// single spaces, in lines.
fn prose(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        (prop_oneof![3 => prop::sample::select(WORDS), 1 => prop::sample::select(PUNCT)], prop::bool::weighted(0.2)),
        1..=max,
    )
    .prop_map(|tokens| {
        let mut s = String::new();
        for (i, (tok, newline)) in tokens.into_iter().enumerate() {
            if i > 0 {
                s.push(if newline { '\n' } else { ' ' });
            }
            s.push_str(tok);
        }
        s.push('\n');
        s
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(|f| parse(sealcheck::drift::json::float_repr(f).as_bytes()).unwrap()),
        prop::sample::select(WORDS).prop_map(|s| Value::String(s.to_string())),
        prose(4).prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(WORDS), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        prop::sample::select(vec![Indent::None, Indent::Spaces(2), Indent::Spaces(4)]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(indent, compact, sort_keys, ensure_ascii)| Layout {
            indent,
            compact: compact && indent == Indent::None,
            sort_keys,
            ensure_ascii,
        })
}

/// A random packet: prose, a JSON document, binary bytes, and a file with a
/// composed non-ASCII name.
#[derive(Clone, Debug)]
struct Packet {
    prose: String,
    json: (Value, Layout, bool),
    binary: Vec<u8>,
    extra_files: Vec<(String, String)>,
}

fn packet(max_tokens: usize) -> impl Strategy<Value = Packet> {
    (
        prose(max_tokens),
        (json_value(), layout(), any::<bool>()),
        prop::collection::vec(any::<u8>(), 0..200),
        prop::collection::vec((prop::sample::select(vec!["notes", "data", "r\u{e9}sum\u{e9}"]), prose(6)), 0..3),
    )
        .prop_map(|(prose, json, binary, extra)| Packet {
            prose,
            json,
            binary,
            extra_files: extra.into_iter().enumerate().map(|(i, (d, t))| (format!("{d}/f{i}.txt"), t)).collect(),
        })
}

fn json_bytes(p: &Packet) -> Vec<u8> {
    let (v, l, nl) = &p.json;
    let mut s = dumps(v, l);
    if *nl {
        s.push('\n');
    }
    s.into_bytes()
}

fn write_packet(dir: &Path, p: &Packet) {
    let put = |rel: &str, bytes: &[u8]| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    put("prose.txt", p.prose.as_bytes());
    put("doc.json", &json_bytes(p));
    put("blob.bin", &p.binary);
    put("r\u{e9}sum\u{e9}.md", b"a name with composed characters\n");
    for (rel, text) in &p.extra_files {
        put(rel, text.as_bytes());
    }
}

/// The seal formats every property runs in.
#[derive(Clone, Copy, Debug)]
enum SealFormat {
    Canonical,
    Sums { algo: Algo, tagged: bool },
    Bag(Algo),
}

fn seal_format() -> impl Strategy<Value = SealFormat> {
    prop::sample::select(vec![
        SealFormat::Canonical,
        SealFormat::Sums { algo: Algo::Sha512, tagged: false },
        SealFormat::Sums { algo: Algo::Sha512, tagged: true },
        SealFormat::Sums { algo: Algo::Blake3, tagged: false },
        SealFormat::Bag(Algo::Sha256),
        SealFormat::Bag(Algo::Sha512),
    ])
}

/// Every regular file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_str().unwrap().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Seals the packet at `dir` as its users' tools would.
fn seal_as(dir: &Path, format: SealFormat) {
    match format {
        SealFormat::Canonical => {
            seal(dir, &SealOptions::default()).unwrap();
        }
        SealFormat::Sums { algo, tagged } => {
            let mut out = Vec::new();
            for (rel, bytes) in files(dir) {
                let d = algo.digest(&bytes);
                if tagged {
                    out.extend_from_slice(format!("{} ({rel}) = {}\n", algo.tag(), d.to_hex()).as_bytes());
                } else {
                    write_any_line(&mut out, &sealcheck::RelPath::new(rel.into_bytes()).unwrap(), &d).unwrap();
                }
            }
            let name = if algo == Algo::Blake3 { "B3SUMS" } else { "SHA512SUMS" };
            std::fs::write(dir.join(name), out).unwrap();
        }
        SealFormat::Bag(algo) => {
            let payload = files(dir);
            let data = dir.join("data");
            for (rel, bytes) in &payload {
                std::fs::remove_file(dir.join(rel)).unwrap();
                let to = data.join(rel);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(to, bytes).unwrap();
            }
            let lines: String =
                payload.iter().map(|(rel, b)| format!("{}  data/{rel}\n", algo.digest(b).to_hex())).collect();
            let bytes: usize = payload.iter().map(|(_, b)| b.len()).sum();
            std::fs::write(dir.join(format!("manifest-{}.txt", algo.name())), lines).unwrap();
            std::fs::write(dir.join("bagit.txt"), "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n").unwrap();
            std::fs::write(dir.join("bag-info.txt"), format!("Payload-Oxum: {bytes}.{}\n", payload.len())).unwrap();
        }
    }
}

/// Where a payload-relative path is in a packet sealed as `format`.
fn at(format: SealFormat, rel: &str) -> String {
    match format {
        SealFormat::Bag(_) => format!("data/{rel}"),
        _ => rel.to_string(),
    }
}

fn run_verify(dir: &Path) -> Report {
    verify(dir, &VerifyOptions { threads: Some(2), ..VerifyOptions::default() }, "2026-11-21T00:00:00Z".into())
        .expect("verify judges")
}

/// Seals `p` as `format`, proves it passes untouched, applies `drift` to
/// the file at `rel`, and returns the report, or `None` if the drift
/// changed nothing (the caller rejects that case).
fn drifted(p: &Packet, format: SealFormat, rel: &str, drift: impl Fn(&[u8]) -> Option<Vec<u8>>) -> Option<Report> {
    let dir = tempfile::tempdir().unwrap();
    write_packet(dir.path(), p);
    seal_as(dir.path(), format);
    let clean = run_verify(dir.path());
    assert_eq!(clean.exit_code, 0, "an untouched packet must pass ({format:?}): {:?}", clean.findings);
    let path = dir.path().join(at(format, rel));
    let before = std::fs::read(&path).unwrap();
    let after = drift(&before).filter(|a| *a != before)?;
    std::fs::write(&path, after).unwrap();
    Some(run_verify(dir.path()))
}

fn assert_named(report: &Report, rel: &str, class: FindingClass) -> Result<(), TestCaseError> {
    prop_assert_ne!(report.exit_code, 0, "a drifted packet passed");
    prop_assert_eq!(report.final_status.as_str(), "FAIL_CLOSED");
    prop_assert!(!report.self_check.any_fail_open);
    let f = report.findings.iter().find(|f| f.path == rel);
    prop_assert!(f.is_some(), "no finding for {}: {:?}", rel, report.findings);
    let f = f.unwrap();
    prop_assert!(f.classes.contains(&class), "{} not named for {}: {:?} ({:?})", class.code(), rel, f.classes, f.proof);
    Ok(())
}

proptest! {
    #[test]
    fn bom_prefix_fails_closed_and_is_named(p in packet(30), f in seal_format(), on_json in any::<bool>()) {
        let rel = if on_json { "doc.json" } else { "prose.txt" };
        let drift = |b: &[u8]| text::add_bom(b).or_else(|| text::strip_bom(b));
        let r = drifted(&p, f, rel, drift);
        prop_assume!(r.is_some(), "the drift changed nothing");
        assert_named(&r.unwrap(), &at(f, rel), FindingClass::BomPrefix)?;
    }

    #[test]
    fn crlf_drift_fails_closed_and_is_named(p in packet(30), f in seal_format(), on_json in any::<bool>()) {
        let rel = if on_json { "doc.json" } else { "prose.txt" };
        let r = drifted(&p, f, rel, text::lf_to_crlf);
        prop_assume!(r.is_some(), "the drift changed nothing");
        assert_named(&r.unwrap(), &at(f, rel), FindingClass::CrlfDrift)?;
    }

    #[test]
    fn trailing_newline_drift_fails_closed_and_is_named(p in packet(30), f in seal_format(), on_json in any::<bool>()) {
        let rel = if on_json { "doc.json" } else { "prose.txt" };
        let drift = |b: &[u8]| text::strip_final_newline(b).or_else(|| text::add_final_newline(b));
        let r = drifted(&p, f, rel, drift);
        prop_assume!(r.is_some(), "the drift changed nothing");
        assert_named(&r.unwrap(), &at(f, rel), FindingClass::TrailingNewlineDrift)?;
    }

    /// Within the search bound: texts of a few tokens (docs/drift.md).
    #[test]
    fn emdash_unicode_drift_fails_closed_and_is_named(p in packet(4), f in seal_format(), how in 0..4u8) {
        let drift = |b: &[u8]| {
            let s = std::str::from_utf8(b).ok()?;
            match how {
                0 => Some(typography::to_ascii(s).into_bytes()),
                1 => Some(typography::smarten(s).into_bytes()),
                2 => mojibake::encode(b, mojibake::Charset::Cp1252),
                _ => mojibake::decode(&mojibake::encode(b, mojibake::Charset::Cp1252)?.iter().copied().chain(*b"\x81").collect::<Vec<_>>(), mojibake::Charset::Cp1252).map(|mut v| { v.truncate(v.len() - 2); v }),
            }
        };
        let r = drifted(&p, f, "prose.txt", drift);
        prop_assume!(r.is_some(), "the drift changed nothing");
        assert_named(&r.unwrap(), &at(f, "prose.txt"), FindingClass::EmdashUnicodeDrift)?;
    }

    #[test]
    fn unicode_normalization_drift_fails_closed_and_is_named(p in packet(30), f in seal_format(), to_nfd in any::<bool>()) {
        let mut p = p;
        p.prose = if to_nfd { p.prose.nfc().collect() } else { p.prose.nfd().collect() };
        let drift = |b: &[u8]| if to_nfd { text::to_nfd(b) } else { text::to_nfc(b) };
        let r = drifted(&p, f, "prose.txt", drift);
        prop_assume!(r.is_some(), "the drift changed nothing");
        assert_named(&r.unwrap(), &at(f, "prose.txt"), FindingClass::UnicodeNormalizationDrift)?;
    }

    #[test]
    fn json_ensure_ascii_drift_fails_closed_and_is_named(p in packet(30), f in seal_format(), upper in any::<bool>()) {
        let drift = |b: &[u8]| unescape_non_ascii(b).or_else(|| escape_non_ascii(b, upper));
        let r = drifted(&p, f, "doc.json", drift);
        prop_assume!(r.is_some(), "the drift changed nothing");
        assert_named(&r.unwrap(), &at(f, "doc.json"), FindingClass::JsonEnsureAsciiDrift)?;
    }

    #[test]
    fn json_reformat_drift_fails_closed_and_is_named(p in packet(30), f in seal_format(), indent in prop::sample::select(vec![Indent::None, Indent::Spaces(2), Indent::Spaces(4), Indent::Tab]), compact in any::<bool>()) {
        let (_, sealed_layout, newline) = p.json.clone();
        let new_layout = Layout { indent, compact: compact && indent == Indent::None, ..sealed_layout };
        let drift = |b: &[u8]| {
            let mut s = dumps(&parse(b)?, &new_layout);
            if newline {
                s.push('\n');
            }
            Some(s.into_bytes())
        };
        let r = drifted(&p, f, "doc.json", drift);
        prop_assume!(r.is_some(), "the drift changed nothing");
        assert_named(&r.unwrap(), &at(f, "doc.json"), FindingClass::JsonReformatDrift)?;
    }

    #[test]
    fn any_byte_edit_fails_closed(p in packet(30), f in seal_format(), which in 0..3usize, pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let rel = ["prose.txt", "doc.json", "blob.bin"][which];
        let drift = |b: &[u8]| {
            let mut v = b.to_vec();
            if v.is_empty() { v.push(byte) } else { let i = pos.index(v.len()); v[i] ^= byte.max(1); }
            Some(v)
        };
        let r = drifted(&p, f, rel, drift);
        prop_assume!(r.is_some(), "the edit changed nothing");
        let r = r.unwrap();
        prop_assert_ne!(r.exit_code, 0);
        prop_assert!(r.findings.iter().any(|x| x.path == at(f, rel)));
    }

    #[test]
    fn tree_drifts_fail_closed_and_are_named(p in packet(10), f in seal_format(), kind in 0..4u8) {
        let dir = tempfile::tempdir().unwrap();
        write_packet(dir.path(), &p);
        seal_as(dir.path(), f);
        prop_assert_eq!(run_verify(dir.path()).exit_code, 0);
        let r = &dir.path().join(at(f, ""));
        let (rel, class) = match kind {
            0 => { std::fs::remove_file(r.join("prose.txt")).unwrap(); ("prose.txt", FindingClass::MissingFile) }
            1 => { std::fs::write(r.join("unsealed.txt"), b"new").unwrap(); ("unsealed.txt", FindingClass::ExtraFile) }
            2 => {
                std::fs::create_dir_all(r.join("moved")).unwrap();
                std::fs::rename(r.join("doc.json"), r.join("moved/doc.json")).unwrap();
                ("doc.json", FindingClass::MovedFile)
            }
            _ => {
                let nfd: String = "r\u{e9}sum\u{e9}.md".nfd().collect();
                std::fs::rename(r.join("r\u{e9}sum\u{e9}.md"), r.join(nfd)).unwrap();
                ("r\u{e9}sum\u{e9}.md", FindingClass::FilenameNormalizationDrift)
            }
        };
        assert_named(&run_verify(dir.path()), &at(f, rel), class)?;
    }

    #[test]
    fn transforms_round_trip(s in prose(30), v in json_value(), l in layout()) {
        let b = s.as_bytes();
        prop_assert_eq!(text::strip_bom(&text::add_bom(b).unwrap()).unwrap(), b);
        let crlf = text::lf_to_crlf(b).unwrap();
        prop_assert_eq!(text::crlf_to_lf(&crlf).unwrap(), b);
        prop_assert_eq!(text::add_final_newline(&text::strip_final_newline(b).unwrap()).unwrap(), b);
        let nfc: String = s.nfc().collect();
        if let Some(d) = text::to_nfd(nfc.as_bytes()) {
            prop_assert_eq!(text::to_nfc(&d).unwrap(), nfc.as_bytes());
        }
        if let Some(single) = mojibake::encode(b, mojibake::Charset::Cp1252) {
            prop_assert_eq!(mojibake::decode(&single, mojibake::Charset::Cp1252).unwrap(), b);
        }
        let literal = dumps(&v, &Layout { ensure_ascii: false, ..l });
        if let Some(escaped) = escape_non_ascii(literal.as_bytes(), false) {
            let python_escaped = dumps(&v, &Layout { ensure_ascii: true, ..l });
            prop_assert_eq!(escaped.as_slice(), python_escaped.as_bytes());
            prop_assert_eq!(unescape_non_ascii(&escaped).unwrap(), literal.as_bytes());
        }
        prop_assert_eq!(parse(dumps(&v, &l).as_bytes()).map(|p| dumps(&p, &l)), Some(dumps(&v, &l)));
    }
}
