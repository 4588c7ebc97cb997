//! Property tests: over random packets, every drift class fails closed and is
//! named by the diagnosis; each transform round-trips with its inverse.
//!
//! Cases per property: 256, or `PROPTEST_CASES`.

use std::path::Path;

use proptest::prelude::*;
use sealcheck::drift::json::{dumps, escape_non_ascii, parse, unescape_non_ascii, Indent, Layout};
use sealcheck::drift::{mojibake, text, typography};
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

fn run_verify(dir: &Path) -> Report {
    verify(dir, &VerifyOptions { threads: Some(2), ..VerifyOptions::default() }, "2026-11-21T00:00:00Z".into())
        .expect("verify judges")
}

/// Seals `p`, proves it passes untouched, applies `drift` to the file at
/// `rel`, and returns the report, or `None` if the drift changed nothing.
fn drifted(p: &Packet, rel: &str, drift: impl Fn(&[u8]) -> Option<Vec<u8>>) -> Option<Report> {
    let dir = tempfile::tempdir().unwrap();
    write_packet(dir.path(), p);
    seal(dir.path(), &SealOptions::default()).unwrap();
    let clean = run_verify(dir.path());
    assert_eq!(clean.exit_code, 0, "an untouched packet must pass: {:?}", clean.findings);
    let path = dir.path().join(rel);
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
    fn bom_prefix_fails_closed_and_is_named(p in packet(30), on_json in any::<bool>()) {
        let rel = if on_json { "doc.json" } else { "prose.txt" };
        let drift = |b: &[u8]| text::add_bom(b).or_else(|| text::strip_bom(b));
        if let Some(r) = drifted(&p, rel, drift) {
            assert_named(&r, rel, FindingClass::BomPrefix)?;
        }
    }

    #[test]
    fn crlf_drift_fails_closed_and_is_named(p in packet(30), on_json in any::<bool>()) {
        let rel = if on_json { "doc.json" } else { "prose.txt" };
        if let Some(r) = drifted(&p, rel, text::lf_to_crlf) {
            assert_named(&r, rel, FindingClass::CrlfDrift)?;
        }
    }

    #[test]
    fn trailing_newline_drift_fails_closed_and_is_named(p in packet(30), on_json in any::<bool>()) {
        let rel = if on_json { "doc.json" } else { "prose.txt" };
        let drift = |b: &[u8]| text::strip_final_newline(b).or_else(|| text::add_final_newline(b));
        if let Some(r) = drifted(&p, rel, drift) {
            assert_named(&r, rel, FindingClass::TrailingNewlineDrift)?;
        }
    }

    /// Within the search bound: texts of a few tokens (docs/drift.md).
    #[test]
    fn emdash_unicode_drift_fails_closed_and_is_named(p in packet(4), how in 0..4u8) {
        let drift = |b: &[u8]| {
            let s = std::str::from_utf8(b).ok()?;
            match how {
                0 => Some(typography::to_ascii(s).into_bytes()),
                1 => Some(typography::smarten(s).into_bytes()),
                2 => mojibake::encode(b, mojibake::Charset::Cp1252),
                _ => mojibake::decode(&mojibake::encode(b, mojibake::Charset::Cp1252)?.iter().copied().chain(*b"\x81").collect::<Vec<_>>(), mojibake::Charset::Cp1252).map(|mut v| { v.truncate(v.len() - 2); v }),
            }
        };
        if let Some(r) = drifted(&p, "prose.txt", drift) {
            assert_named(&r, "prose.txt", FindingClass::EmdashUnicodeDrift)?;
        }
    }

    #[test]
    fn unicode_normalization_drift_fails_closed_and_is_named(p in packet(30), to_nfd in any::<bool>()) {
        let mut p = p;
        p.prose = if to_nfd { p.prose.nfc().collect() } else { p.prose.nfd().collect() };
        let drift = |b: &[u8]| if to_nfd { text::to_nfd(b) } else { text::to_nfc(b) };
        if let Some(r) = drifted(&p, "prose.txt", drift) {
            assert_named(&r, "prose.txt", FindingClass::UnicodeNormalizationDrift)?;
        }
    }

    #[test]
    fn json_ensure_ascii_drift_fails_closed_and_is_named(p in packet(30), upper in any::<bool>()) {
        let drift = |b: &[u8]| unescape_non_ascii(b).or_else(|| escape_non_ascii(b, upper));
        if let Some(r) = drifted(&p, "doc.json", drift) {
            assert_named(&r, "doc.json", FindingClass::JsonEnsureAsciiDrift)?;
        }
    }

    #[test]
    fn json_reformat_drift_fails_closed_and_is_named(p in packet(30), indent in prop::sample::select(vec![Indent::None, Indent::Spaces(2), Indent::Spaces(4), Indent::Tab]), compact in any::<bool>()) {
        let (_, sealed_layout, newline) = p.json.clone();
        let new_layout = Layout { indent, compact: compact && indent == Indent::None, ..sealed_layout };
        let drift = |b: &[u8]| {
            let mut s = dumps(&parse(b)?, &new_layout);
            if newline {
                s.push('\n');
            }
            Some(s.into_bytes())
        };
        if let Some(r) = drifted(&p, "doc.json", drift) {
            assert_named(&r, "doc.json", FindingClass::JsonReformatDrift)?;
        }
    }

    #[test]
    fn any_byte_edit_fails_closed(p in packet(30), which in 0..3usize, at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let rel = ["prose.txt", "doc.json", "blob.bin"][which];
        let drift = |b: &[u8]| {
            let mut v = b.to_vec();
            if v.is_empty() { v.push(byte) } else { let i = at.index(v.len()); v[i] ^= byte.max(1); }
            Some(v)
        };
        if let Some(r) = drifted(&p, rel, drift) {
            prop_assert_ne!(r.exit_code, 0);
            prop_assert!(r.findings.iter().any(|f| f.path == rel));
        }
    }

    #[test]
    fn tree_drifts_fail_closed_and_are_named(p in packet(10), kind in 0..4u8) {
        let dir = tempfile::tempdir().unwrap();
        write_packet(dir.path(), &p);
        seal(dir.path(), &SealOptions::default()).unwrap();
        prop_assert_eq!(run_verify(dir.path()).exit_code, 0);
        let r = dir.path();
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
        assert_named(&run_verify(r), rel, class)?;
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
