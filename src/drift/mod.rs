//! Drift diagnosis: why a file's bytes no longer match their seal, proven by
//! re-hashing.
//!
//! Each drift class is a small reversible transform (in [`text`],
//! [`typography`], [`mojibake`], [`json`]). [`diagnose`] applies their
//! inverses to the bytes found, alone and combined (up to three envelope
//! steps — BOM, line ends, final newline — around one content step), hashes
//! each result, and reports every class whose chain reproduces the sealed
//! digest, with the chain as proof. A diagnosis never changes a verdict:
//! a drifted file stays red.
//!
//! Cost is bounded: only changed files are diagnosed, binary data gets no
//! text transform, JSON transforms run only on what parses, files over
//! [`DiagnoseOptions::max_size`] are not diagnosed, and at most
//! [`DiagnoseOptions::max_candidates`] candidates are hashed per file.

pub mod json;
pub mod mojibake;
pub mod text;
pub mod tree;
pub mod typography;

use crate::digest::AnyDigest;
use crate::finding::FindingClass;
use crate::Digest;

use mojibake::Charset;

/// One inverse transform, as applied to some bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Remove a leading UTF-8 BOM.
    StripBom,
    /// Add a leading UTF-8 BOM.
    AddBom,
    /// CRLF → LF.
    CrlfToLf,
    /// LF → CRLF.
    LfToCrlf,
    /// Remove the final line end.
    StripFinalNewline,
    /// Add a final line end.
    AddFinalNewline,
    /// Typographic swaps at some sites (described).
    Typography(String),
    /// Read single-byte text as UTF-8.
    Decode(Charset),
    /// Write UTF-8 text as single bytes.
    Encode(Charset),
    /// Normalize to NFC.
    Nfc,
    /// Normalize to NFD.
    Nfd,
    /// `\uXXXX` → literal in JSON strings.
    JsonUnescape,
    /// Literal → `\uXXXX` in JSON strings.
    JsonEscape {
        /// Uppercase hex digits.
        upper: bool,
    },
    /// Re-serialize the JSON value.
    JsonLayout(json::Layout),
}

impl Step {
    /// The class this step's drift belongs to.
    pub fn class(&self) -> FindingClass {
        match self {
            Step::StripBom | Step::AddBom => FindingClass::BomPrefix,
            Step::CrlfToLf | Step::LfToCrlf => FindingClass::CrlfDrift,
            Step::StripFinalNewline | Step::AddFinalNewline => FindingClass::TrailingNewlineDrift,
            Step::Typography(_) | Step::Decode(_) | Step::Encode(_) => FindingClass::EmdashUnicodeDrift,
            Step::Nfc | Step::Nfd => FindingClass::UnicodeNormalizationDrift,
            Step::JsonUnescape | Step::JsonEscape { .. } => FindingClass::JsonEnsureAsciiDrift,
            Step::JsonLayout(_) => FindingClass::JsonReformatDrift,
        }
    }

    /// What the step does, for proofs.
    pub fn describe(&self) -> String {
        match self {
            Step::StripBom => "strip UTF-8 BOM".into(),
            Step::AddBom => "add UTF-8 BOM".into(),
            Step::CrlfToLf => "CRLF→LF".into(),
            Step::LfToCrlf => "LF→CRLF".into(),
            Step::StripFinalNewline => "remove the final newline".into(),
            Step::AddFinalNewline => "add a final newline".into(),
            Step::Typography(what) => format!("swap typography ({what})"),
            Step::Decode(cs) => format!("decode {} as text and re-encode as UTF-8", cs.name()),
            Step::Encode(cs) => format!("encode the UTF-8 text as {}", cs.name()),
            Step::Nfc => "normalize to NFC".into(),
            Step::Nfd => "normalize to NFD".into(),
            Step::JsonUnescape => "unescape JSON \\uXXXX to literal UTF-8 (ensure_ascii=False)".into(),
            Step::JsonEscape { upper: false } => {
                "escape non-ASCII in JSON strings as \\uXXXX (ensure_ascii=True)".into()
            }
            Step::JsonEscape { upper: true } => "escape non-ASCII in JSON strings as uppercase \\uXXXX".into(),
            Step::JsonLayout(l) => format!("re-serialize the JSON as Python {}", l.describe()),
        }
    }
}

/// The likely cause and fix for a class.
pub fn hint(class: FindingClass) -> &'static str {
    match class {
        FindingClass::BomPrefix => {
            "saved with (or without) a UTF-8 BOM by an editor or tool (Notepad, PowerShell, Python 'utf-8-sig'): \
             restore the sealed bytes and save as UTF-8 without BOM"
        }
        FindingClass::CrlfDrift => {
            "checked out with core.autocrlf=true or converted by an editor: mark the packet `-text` in \
             .gitattributes and check it out again"
        }
        FindingClass::TrailingNewlineDrift => {
            "an editor added or removed the final newline: restore the sealed bytes and turn off \
             'insert final newline' for the packet"
        }
        FindingClass::EmdashUnicodeDrift => {
            "typographic characters were converted (smart punctuation, ASCII transliteration, or a \
             Windows-1252/Latin-1 round trip): restore the sealed bytes; never re-save packet files through an \
             editor or iconv"
        }
        FindingClass::UnicodeNormalizationDrift => {
            "the text was re-normalized (NFC<->NFD), e.g. by macOS tooling or a normalizing editor: restore the \
             sealed bytes"
        }
        FindingClass::JsonEnsureAsciiDrift => {
            "the JSON was re-dumped with the other ensure_ascii setting (Python json.dumps): restore the sealed \
             bytes or re-dump with the original setting"
        }
        FindingClass::JsonReformatDrift => {
            "the JSON was re-serialized (pretty-printer, formatter, sort_keys): same value, different bytes; \
             restore the sealed bytes"
        }
        _ => {
            "no known drift reproduces the seal: the content was edited; compare with a sealed copy \
             (`--against DIR`)"
        }
    }
}

/// Limits of one diagnosis.
#[derive(Clone, Copy, Debug)]
pub struct DiagnoseOptions {
    /// Files larger than this are not diagnosed. Default 16 MiB.
    pub max_size: u64,
    /// At most this many candidates are hashed per file. Default 8192.
    pub max_candidates: usize,
    /// Test hook: never try transforms of this class, as if its detection
    /// were broken. `selftest` must then fail. Default none.
    #[doc(hidden)]
    pub disabled: Option<FindingClass>,
}

impl Default for DiagnoseOptions {
    fn default() -> DiagnoseOptions {
        DiagnoseOptions { max_size: 16 << 20, max_candidates: 8192, disabled: None }
    }
}

/// What a diagnosis found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Diagnosis {
    /// One or more chains reproduce the sealed digest.
    Proven {
        /// Every class of every minimal proving chain, primary first.
        classes: Vec<FindingClass>,
        /// The first proving chain.
        chain: Vec<Step>,
        /// The bytes that chain restores (they hash to the seal).
        restored: Vec<u8>,
    },
    /// Nothing known reproduces the seal.
    Unexplained {
        /// Candidate byte strings hashed.
        tried: usize,
        /// Whether the candidate budget ran out before every chain was tried.
        limit_reached: bool,
        /// Whether the bytes hold a NUL, so no text transform applies.
        binary: bool,
    },
    /// The file was not diagnosed, and why.
    NotDiagnosed(String),
}

impl Diagnosis {
    /// What the diagnosis established and how: for a proven drift, the
    /// transform that reproduced the seal; otherwise what was searched and
    /// that nothing reproduced it. The same drift gives the same sentence
    /// whatever the seal's format and algorithm.
    pub fn proof(&self, opts: &DiagnoseOptions) -> String {
        match self {
            Diagnosis::Proven { chain, restored, .. } => format!(
                "{} reproduces the sealed digest (the restored bytes have sha256 {}…)",
                chain.iter().map(Step::describe).collect::<Vec<_>>().join(", then "),
                &Digest::of(restored).to_hex()[..12]
            ),
            Diagnosis::Unexplained { binary: true, .. } => "its bytes do not match the sealed digest; they hold a NUL \
                 byte, so no text drift (BOM, line ends, Unicode, JSON, typography, mojibake) can apply and none was \
                 tried"
                .to_string(),
            Diagnosis::Unexplained { tried, limit_reached, .. } => format!(
                "its bytes do not match the sealed digest; {tried} candidates from chains of up to 4 known drifts \
                 (BOM, line ends, final newline, NFC/NFD, JSON escapes and layouts, typography, cp1252/latin-1) \
                 were hashed and none reproduced it{}",
                if *limit_reached {
                    format!(" (the search stopped at its limit of {} candidates)", opts.max_candidates)
                } else {
                    String::new()
                }
            ),
            Diagnosis::NotDiagnosed(why) => {
                format!("its bytes do not match the sealed digest; no drift was searched for: {why}")
            }
        }
    }
}

/// Whether bytes can be text: no NUL byte.
fn is_text(b: &[u8]) -> bool {
    !b.contains(&0)
}

/// The envelope steps that change `b`, one direction per kind.
fn envelope_steps(b: &[u8]) -> Vec<Step> {
    let mut out = Vec::new();
    out.push(if b.starts_with(text::BOM) { Step::StripBom } else { Step::AddBom });
    match (text::has_crlf(b), text::has_bare_lf(b)) {
        (true, false) => out.push(Step::CrlfToLf),
        (false, true) => out.push(Step::LfToCrlf),
        (true, true) => {
            out.push(Step::CrlfToLf);
            out.push(Step::LfToCrlf);
        }
        (false, false) => {}
    }
    out.push(if b.ends_with(b"\n") { Step::StripFinalNewline } else { Step::AddFinalNewline });
    out
}

fn apply_envelope(step: &Step, b: &[u8]) -> Option<Vec<u8>> {
    match step {
        Step::StripBom => text::strip_bom(b),
        Step::AddBom => text::add_bom(b),
        Step::CrlfToLf => text::crlf_to_lf(b),
        Step::LfToCrlf => text::lf_to_crlf(b),
        Step::StripFinalNewline => text::strip_final_newline(b),
        Step::AddFinalNewline => text::add_final_newline(b),
        _ => None,
    }
}

/// Every content candidate for `b`: `(step, restored bytes)`, typography
/// variants cut to `budget`; `cut` is set when some were left out.
fn content_candidates(b: &[u8], budget: usize, cut: &mut bool) -> Vec<(Step, Vec<u8>)> {
    let mut out = Vec::new();
    for cs in [Charset::Cp1252, Charset::Latin1] {
        if let Some(r) = mojibake::decode(b, cs) {
            out.push((Step::Decode(cs), r));
        }
        if let Some(r) = mojibake::encode(b, cs) {
            out.push((Step::Encode(cs), r));
        }
    }
    let Ok(s) = std::str::from_utf8(b) else {
        return out;
    };
    if let Some(r) = text::to_nfc(b) {
        out.push((Step::Nfc, r));
    }
    if let Some(r) = text::to_nfd(b) {
        out.push((Step::Nfd, r));
    }
    if let Some(value) = json::parse(b) {
        if let Some(r) = json::unescape_non_ascii(b) {
            out.push((Step::JsonUnescape, r));
        }
        for upper in [false, true] {
            if let Some(r) = json::escape_non_ascii(b, upper) {
                out.push((Step::JsonEscape { upper }, r));
            }
        }
        // A re-serializing tool keeps (or adds) the final newline as the
        // file had it; envelope steps cover a change of that.
        let newline = if b.ends_with(b"\r\n") {
            "\r\n"
        } else if b.ends_with(b"\n") {
            "\n"
        } else {
            ""
        };
        for layout in json::Layout::all() {
            let mut r = json::dumps(&value, &layout).into_bytes();
            r.extend_from_slice(newline.as_bytes());
            if r != b {
                out.push((Step::JsonLayout(layout), r));
            }
        }
    }
    let sites = typography::sites(s);
    let variants = sites.variants();
    let room = budget.saturating_sub(out.len());
    *cut |= variants.len() > room;
    for v in variants.into_iter().take(room) {
        out.push((Step::Typography(sites.describe(&v)), sites.apply(&v).into_bytes()));
    }
    out
}

/// Subsets of `steps` (at most one per kind), smallest first, non-empty.
fn envelope_combinations(steps: &[Step]) -> Vec<Vec<Step>> {
    let mut out: Vec<Vec<Step>> = Vec::new();
    for mask in 1u32..(1 << steps.len()) {
        let chosen: Vec<Step> =
            steps.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, s)| s.clone()).collect();
        let kinds: Vec<FindingClass> = chosen.iter().map(Step::class).collect();
        let mut unique = kinds.clone();
        unique.dedup();
        if unique.len() == kinds.len() {
            out.push(chosen);
        }
    }
    out.sort_by_key(Vec::len);
    out
}

fn run_chain(b: &[u8], chain: &[Step]) -> Option<Vec<u8>> {
    let mut cur = b.to_vec();
    for s in chain {
        cur = apply_envelope(s, &cur)?;
    }
    Some(cur)
}

/// Finds which known drifts reproduce `sealed` from `actual`.
pub fn diagnose(actual: &[u8], sealed: &AnyDigest, opts: &DiagnoseOptions) -> Diagnosis {
    if actual.len() as u64 > opts.max_size {
        return Diagnosis::NotDiagnosed(format!(
            "not diagnosed: {} bytes is over the diagnosis cap of {} bytes",
            actual.len(),
            opts.max_size
        ));
    }
    if !is_text(actual) {
        return Diagnosis::Unexplained { tried: 0, limit_reached: false, binary: true };
    }
    let mut budget = opts.max_candidates;
    // Candidates go by chain length; the first length with a proof ends the
    // search, so every minimal explanation is collected and no longer one.
    let mut proofs: Vec<(Vec<Step>, Vec<u8>)> = Vec::new();
    // Whether some candidate was left untried for want of budget.
    let mut cut = false;
    let try_candidate = |chain: Vec<Step>, bytes: Vec<u8>, budget: &mut usize, proofs: &mut Vec<_>, cut: &mut bool| {
        if chain.iter().any(|s: &Step| Some(s.class()) == opts.disabled) {
            return;
        }
        if *budget == 0 {
            *cut = true;
            return;
        }
        *budget -= 1;
        if sealed.matches(&bytes) {
            proofs.push((chain, bytes));
        }
    };

    let envelope = envelope_steps(actual);
    let combos = envelope_combinations(&envelope);
    let contents = content_candidates(actual, budget / 2, &mut cut);

    for len in 1..=4usize {
        // Envelope steps alone.
        for combo in combos.iter().filter(|c| c.len() == len) {
            if let Some(r) = run_chain(actual, combo) {
                try_candidate(combo.clone(), r, &mut budget, &mut proofs, &mut cut);
            }
        }
        if len == 1 {
            for (step, r) in &contents {
                try_candidate(vec![step.clone()], r.clone(), &mut budget, &mut proofs, &mut cut);
            }
        } else {
            // Envelope first, then content.
            for combo in combos.iter().filter(|c| c.len() == len - 1) {
                if let Some(mid) = run_chain(actual, combo) {
                    if is_text(&mid) {
                        for (step, r) in content_candidates(&mid, budget / 4, &mut cut) {
                            let mut chain = combo.clone();
                            chain.push(step);
                            try_candidate(chain, r, &mut budget, &mut proofs, &mut cut);
                        }
                    }
                }
            }
            // Content first, then envelope.
            for (step, mid) in &contents {
                let after = envelope_combinations(&envelope_steps(mid));
                for tail in after.iter().filter(|t| t.len() == len - 1) {
                    if let Some(r) = run_chain(mid, tail) {
                        let mut chain = vec![step.clone()];
                        chain.extend(tail.iter().cloned());
                        try_candidate(chain, r, &mut budget, &mut proofs, &mut cut);
                    }
                }
            }
        }
        if !proofs.is_empty() {
            break;
        }
        if budget == 0 {
            // Longer chains, if any, go untried.
            cut |= len < 4;
            break;
        }
    }
    if proofs.is_empty() {
        let tried = opts.max_candidates - budget;
        return Diagnosis::Unexplained { tried, limit_reached: cut, binary: false };
    }
    // A byte-local explanation is more specific than "re-serialized".
    if proofs.iter().any(|(c, _)| !c.iter().any(|s| matches!(s, Step::JsonLayout(_)))) {
        proofs.retain(|(c, _)| !c.iter().any(|s| matches!(s, Step::JsonLayout(_))));
    }
    let mut classes: Vec<FindingClass> = Vec::new();
    for (chain, _) in &proofs {
        for step in chain {
            if !classes.contains(&step.class()) {
                classes.push(step.class());
            }
        }
    }
    // The content class, where there is one, is the primary diagnosis; the
    // envelope (BOM, line ends, final newline) comes after it.
    let envelope = |c: &FindingClass| {
        matches!(c, FindingClass::BomPrefix | FindingClass::CrlfDrift | FindingClass::TrailingNewlineDrift)
    };
    classes.sort_by_key(|c| envelope(c));
    let (chain, restored) = proofs.swap_remove(0);
    Diagnosis::Proven { classes, chain, restored }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proven(sealed: &[u8], actual: &[u8]) -> (Vec<FindingClass>, String) {
        let d = Digest::of(sealed).into();
        match diagnose(actual, &d, &DiagnoseOptions::default()) {
            Diagnosis::Proven { classes, chain, restored } => {
                assert_eq!(restored, sealed);
                (classes, chain.iter().map(Step::describe).collect::<Vec<_>>().join(", then "))
            }
            other => panic!("not proven: {other:?}"),
        }
    }

    fn unexplained(sealed: &[u8], actual: &[u8], opts: &DiagnoseOptions) -> (usize, bool) {
        match diagnose(actual, &Digest::of(sealed).into(), opts) {
            Diagnosis::Unexplained { tried, limit_reached, binary: false } => (tried, limit_reached),
            other => panic!("not unexplained text: {other:?}"),
        }
    }

    #[test]
    fn every_step_names_its_class_and_says_what_it_does() {
        use json::Layout;
        let layout = Layout::all().remove(0);
        let table = [
            (Step::StripBom, FindingClass::BomPrefix, "strip UTF-8 BOM".to_string()),
            (Step::AddBom, FindingClass::BomPrefix, "add UTF-8 BOM".into()),
            (Step::CrlfToLf, FindingClass::CrlfDrift, "CRLF→LF".into()),
            (Step::LfToCrlf, FindingClass::CrlfDrift, "LF→CRLF".into()),
            (Step::StripFinalNewline, FindingClass::TrailingNewlineDrift, "remove the final newline".into()),
            (Step::AddFinalNewline, FindingClass::TrailingNewlineDrift, "add a final newline".into()),
            (Step::Typography("x".into()), FindingClass::EmdashUnicodeDrift, "swap typography (x)".into()),
            (
                Step::Decode(Charset::Cp1252),
                FindingClass::EmdashUnicodeDrift,
                "decode Windows-1252 as text and re-encode as UTF-8".into(),
            ),
            (
                Step::Encode(Charset::Latin1),
                FindingClass::EmdashUnicodeDrift,
                "encode the UTF-8 text as Latin-1".into(),
            ),
            (Step::Nfc, FindingClass::UnicodeNormalizationDrift, "normalize to NFC".into()),
            (Step::Nfd, FindingClass::UnicodeNormalizationDrift, "normalize to NFD".into()),
            (
                Step::JsonUnescape,
                FindingClass::JsonEnsureAsciiDrift,
                "unescape JSON \\uXXXX to literal UTF-8 (ensure_ascii=False)".into(),
            ),
            (
                Step::JsonEscape { upper: false },
                FindingClass::JsonEnsureAsciiDrift,
                "escape non-ASCII in JSON strings as \\uXXXX (ensure_ascii=True)".into(),
            ),
            (
                Step::JsonEscape { upper: true },
                FindingClass::JsonEnsureAsciiDrift,
                "escape non-ASCII in JSON strings as uppercase \\uXXXX".into(),
            ),
            (
                Step::JsonLayout(layout),
                FindingClass::JsonReformatDrift,
                format!("re-serialize the JSON as Python {}", layout.describe()),
            ),
        ];
        for (step, class, text) in table {
            assert_eq!((step.class(), step.describe()), (class, text), "{step:?}");
        }
    }

    #[test]
    fn every_drift_class_has_its_own_hint_and_the_rest_share_the_edit_hint() {
        let drifts = [
            FindingClass::BomPrefix,
            FindingClass::CrlfDrift,
            FindingClass::TrailingNewlineDrift,
            FindingClass::EmdashUnicodeDrift,
            FindingClass::UnicodeNormalizationDrift,
            FindingClass::JsonEnsureAsciiDrift,
            FindingClass::JsonReformatDrift,
        ];
        let edit = hint(FindingClass::EditedContent);
        assert!(edit.contains("--against DIR"), "{edit}");
        let mut seen: Vec<&str> = drifts.iter().map(|&c| hint(c)).collect();
        for (c, h) in drifts.iter().zip(&seen) {
            assert_ne!(*h, edit, "{c:?}");
        }
        assert!(hint(FindingClass::CrlfDrift).contains("-text") && hint(FindingClass::BomPrefix).contains("BOM"));
        assert!(hint(FindingClass::JsonEnsureAsciiDrift).contains("ensure_ascii"));
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), drifts.len());
        assert_eq!(hint(FindingClass::MissingFile), edit);
    }

    #[test]
    fn the_proof_says_what_was_searched_and_where_it_stopped() {
        let opts = DiagnoseOptions { max_candidates: 5, ..DiagnoseOptions::default() };
        let cut = Diagnosis::Unexplained { tried: 5, limit_reached: true, binary: false }.proof(&opts);
        assert!(cut.starts_with("its bytes do not match the sealed digest; 5 candidates"), "{cut}");
        assert!(cut.ends_with(" (the search stopped at its limit of 5 candidates)"), "{cut}");
        let whole = Diagnosis::Unexplained { tried: 3, limit_reached: false, binary: false }.proof(&opts);
        assert!(whole.ends_with("none reproduced it"), "{whole}");
        let binary = Diagnosis::Unexplained { tried: 0, limit_reached: false, binary: true }.proof(&opts);
        assert!(binary.contains("NUL byte"), "{binary}");
        let not = Diagnosis::NotDiagnosed("too big".into()).proof(&opts);
        assert_eq!(not, "its bytes do not match the sealed digest; no drift was searched for: too big");
        let (_, proof) = proven(b"a\n", b"a\r\n");
        assert_eq!(proof, "CRLF→LF");
        let d = diagnose(b"a\r\n", &Digest::of(b"a\n").into(), &opts).proof(&opts);
        assert_eq!(
            d,
            format!(
                "CRLF→LF reproduces the sealed digest (the restored bytes have sha256 {}…)",
                &Digest::of(b"a\n").to_hex()[..12]
            )
        );
    }

    #[test]
    fn envelope_steps_go_one_way_per_kind_and_both_ways_for_mixed_line_ends() {
        assert_eq!(envelope_steps(b"a"), [Step::AddBom, Step::AddFinalNewline]);
        assert_eq!(envelope_steps(b"\xef\xbb\xbfa\n"), [Step::StripBom, Step::LfToCrlf, Step::StripFinalNewline]);
        assert_eq!(envelope_steps(b"a\r\n"), [Step::AddBom, Step::CrlfToLf, Step::StripFinalNewline]);
        assert_eq!(
            envelope_steps(b"a\r\nb\n"),
            [Step::AddBom, Step::CrlfToLf, Step::LfToCrlf, Step::StripFinalNewline]
        );
        // At most one step of a kind in a chain: 2 × 3 × 2 − 1 subsets.
        let combos = envelope_combinations(&envelope_steps(b"a\r\nb\n"));
        assert_eq!(combos.len(), 11);
        assert!(combos.windows(2).all(|w| w[0].len() <= w[1].len()));
        assert_eq!(combos.iter().map(Vec::len).max(), Some(3));
        assert!(!combos.iter().any(|c| c.contains(&Step::CrlfToLf) && c.contains(&Step::LfToCrlf)));
        assert_eq!(apply_envelope(&Step::Nfc, b"a"), None);
    }

    #[test]
    fn the_size_cap_is_inclusive() {
        let opts = DiagnoseOptions { max_size: 3, ..DiagnoseOptions::default() };
        assert!(matches!(diagnose(b"a\r\n", &Digest::of(b"a\n").into(), &opts), Diagnosis::Proven { .. }));
        let over = diagnose(b"ab\r\n", &Digest::of(b"ab\n").into(), &opts);
        assert_eq!(over, Diagnosis::NotDiagnosed("not diagnosed: 4 bytes is over the diagnosis cap of 3 bytes".into()));
    }

    #[test]
    fn the_candidate_budget_is_counted_exactly_and_says_when_it_ran_out() {
        // Mixed line ends and a non-ASCII letter: many chains, no typography
        // (whose variants the budget would cut before they are counted).
        let edited = "h\u{e9}llo\r\nx\n".as_bytes();
        let all = unexplained(b"world", edited, &DiagnoseOptions::default());
        assert!(!all.1 && all.0 > 20, "{all:?}");
        let opts = |n| DiagnoseOptions { max_candidates: n, ..DiagnoseOptions::default() };
        assert_eq!(unexplained(b"world", edited, &opts(all.0)), (all.0, false));
        assert_eq!(unexplained(b"world", edited, &opts(all.0 - 1)), (all.0 - 1, true));
        assert_eq!(unexplained(b"world", edited, &opts(1)), (1, true));
        assert_eq!(unexplained(b"world", edited, &opts(0)), (0, true));
        // "hello" has two one-step chains (a BOM, a final newline) and one
        // of two steps: a budget of two ends at the first length with the
        // longer chain untried, which is a cut search too.
        assert_eq!(unexplained(b"world", b"hello", &opts(2)), (2, true));
        // A proof found within the budget is found whatever the budget left.
        let tight = opts(3);
        assert!(matches!(diagnose(b"a\r\n", &Digest::of(b"a\n").into(), &tight), Diagnosis::Proven { .. }));
    }

    #[test]
    fn typography_variants_past_the_budget_count_as_a_cut_search() {
        let text = "\u{201c}a\u{201d} \u{2014} \u{2018}b\u{2019} \u{2026} \u{2013}".as_bytes();
        let mut cut = false;
        let all = content_candidates(text, usize::MAX, &mut cut);
        assert!(!cut && all.len() > 8, "{}", all.len());
        let few = content_candidates(text, 8, &mut cut);
        assert!(cut);
        assert_eq!(few.len(), 8);
        // An earlier cut is never forgotten.
        content_candidates(text, usize::MAX, &mut cut);
        assert!(cut);
    }

    #[test]
    fn every_envelope_step_is_proven_in_both_directions() {
        for (sealed, actual, step) in [
            ("\u{feff}a\n", "a\n", "add UTF-8 BOM"),
            ("a\n", "\u{feff}a\n", "strip UTF-8 BOM"),
            ("a\r\nb\r\n", "a\nb\n", "LF→CRLF"),
            ("a\nb\n", "a\r\nb\r\n", "CRLF→LF"),
            ("a\nb\n", "a\nb", "add a final newline"),
            ("a\nb", "a\nb\n", "remove the final newline"),
        ] {
            let (_, proof) = proven(sealed.as_bytes(), actual.as_bytes());
            assert_eq!(proof, step);
        }
    }

    /// Typography variants can outnumber the budget: the search keeps a
    /// share of it for the chains of each length after them.
    #[test]
    fn many_typography_variants_leave_budget_for_longer_chains() {
        let dashes = "a \u{2014} b \u{2014} c \u{2014} d \u{2014} e \u{2014} f \u{2014} g";
        // Two envelope steps (a BOM, CRLF) around a text with six dashes.
        let crlf = format!("{dashes}\r\nh\r\n");
        let sealed = format!("\u{feff}{dashes}\nh\n");
        for max_candidates in [64, DiagnoseOptions::default().max_candidates] {
            let opts = DiagnoseOptions { max_candidates, ..DiagnoseOptions::default() };
            let d = diagnose(crlf.as_bytes(), &Digest::of(sealed.as_bytes()).into(), &opts);
            assert!(matches!(d, Diagnosis::Proven { .. }), "{max_candidates}: {d:?}");
        }
        // Content first: encoded as Windows-1252, then a BOM put in front;
        // the envelope-first chains of the same length must not use up
        // the budget before it.
        let lf = format!("{dashes}\n");
        let mut sealed = text::BOM.to_vec();
        sealed.extend(lf.replace('\u{2014}', "\u{97}").chars().map(|c| c as u32 as u8));
        for max_candidates in [64, DiagnoseOptions::default().max_candidates] {
            let opts = DiagnoseOptions { max_candidates, ..DiagnoseOptions::default() };
            let d = diagnose(lf.as_bytes(), &Digest::of(&sealed).into(), &opts);
            assert!(matches!(d, Diagnosis::Proven { .. }), "{max_candidates}: {d:?}");
        }
    }

    #[test]
    fn a_disabled_class_is_never_tried() {
        let off = DiagnoseOptions { disabled: Some(FindingClass::CrlfDrift), ..DiagnoseOptions::default() };
        unexplained(b"a\nb\n", b"a\r\nb\r\n", &off);
        let other = DiagnoseOptions { disabled: Some(FindingClass::BomPrefix), ..DiagnoseOptions::default() };
        assert!(matches!(diagnose(b"a\r\nb\r\n", &Digest::of(b"a\nb\n").into(), &other), Diagnosis::Proven { .. }));
    }

    #[test]
    fn chains_of_every_length_are_found_content_first_and_envelope_first() {
        // Content, then the envelope: NFD text whose final newline went.
        let (classes, proof) = proven("caf\u{e9}\n".as_bytes(), "cafe\u{301}".as_bytes());
        assert_eq!(classes, [FindingClass::UnicodeNormalizationDrift, FindingClass::TrailingNewlineDrift]);
        assert!(proof.contains("normalize to NFC") && proof.contains("add a final newline"), "{proof}");
        // The envelope, then content: a BOM in front of JSON that needs its escapes back.
        let (classes, proof) = proven(b"{\"a\": \"\\u00e9\"}", "\u{feff}{\"a\": \"\u{e9}\"}".as_bytes());
        assert_eq!(classes, [FindingClass::JsonEnsureAsciiDrift, FindingClass::BomPrefix]);
        assert_eq!(proof, "strip UTF-8 BOM, then escape non-ASCII in JSON strings as \\uXXXX (ensure_ascii=True)");
        // Four steps: a BOM, CRLF and the final newline around an em dash.
        let (classes, _) = proven("a \u{2014} b\nc".as_bytes(), "\u{feff}a -- b\r\nc\r\n".as_bytes());
        assert_eq!(
            classes,
            [
                FindingClass::EmdashUnicodeDrift,
                FindingClass::BomPrefix,
                FindingClass::CrlfDrift,
                FindingClass::TrailingNewlineDrift
            ]
        );
        // Two envelope steps, no content step.
        let (classes, proof) = proven(b"a\nb", b"a\r\nb\r\n");
        assert_eq!(classes, [FindingClass::CrlfDrift, FindingClass::TrailingNewlineDrift]);
        assert_eq!(proof, "CRLF→LF, then remove the final newline");
    }

    /// Steps that do not commute: only one order reproduces the seal.
    #[test]
    fn a_chain_that_works_in_one_order_only_is_found_in_that_order() {
        // Content first: the Windows-1252 bytes decoded, then the BOM put
        // back (a BOM added first would be decoded as three letters).
        let (classes, proof) = proven("\u{feff}caf\u{e9}".as_bytes(), b"caf\xe9");
        assert_eq!(classes, [FindingClass::EmdashUnicodeDrift, FindingClass::BomPrefix]);
        assert_eq!(proof, "decode Windows-1252 as text and re-encode as UTF-8, then add UTF-8 BOM");
        // The envelope first: the BOM goes, then the text is encoded (a BOM
        // has no Windows-1252 byte).
        let (classes, proof) = proven(b"caf\xe9", "\u{feff}caf\u{e9}".as_bytes());
        assert_eq!(classes, [FindingClass::EmdashUnicodeDrift, FindingClass::BomPrefix]);
        assert_eq!(proof, "strip UTF-8 BOM, then encode the UTF-8 text as Windows-1252");
    }

    /// Where both orders prove a drift, the envelope-first chain is the
    /// one shown, so the proof reads the same on every run.
    #[test]
    fn where_both_orders_prove_a_drift_the_envelope_comes_first() {
        let (classes, proof) = proven("a \u{2014} b\n".as_bytes(), b"a -- b\r\n");
        assert_eq!(classes, [FindingClass::EmdashUnicodeDrift, FindingClass::CrlfDrift]);
        assert!(proof.starts_with("CRLF→LF, then swap typography"), "{proof}");
    }

    #[test]
    fn a_mojibake_round_trip_is_proven_both_ways() {
        let (classes, proof) = proven("caf\u{e9}".as_bytes(), "caf\u{c3}\u{a9}".as_bytes());
        assert_eq!(classes, [FindingClass::EmdashUnicodeDrift]);
        assert!(proof.starts_with("encode the UTF-8 text as"), "{proof}");
        let (classes, proof) = proven("caf\u{e9}".as_bytes(), b"caf\xe9");
        assert_eq!(classes, [FindingClass::EmdashUnicodeDrift]);
        assert!(proof.starts_with("decode"), "{proof}");
    }

    #[test]
    fn bom_and_crlf_chain_is_proven_in_order() {
        let sealed = b"line one\nline two\n";
        let actual = b"\xef\xbb\xbfline one\r\nline two\r\n";
        let (classes, proof) = proven(sealed, actual);
        assert_eq!(classes, [FindingClass::BomPrefix, FindingClass::CrlfDrift]);
        assert_eq!(proof, "strip UTF-8 BOM, then CRLF→LF");
    }

    #[test]
    fn json_ensure_ascii_beats_reformat() {
        let sealed = b"{\"name\": \"Zo\\u00eb\"}";
        let actual = "{\"name\": \"Zo\u{eb}\"}".as_bytes();
        let (classes, _) = proven(sealed, actual);
        assert_eq!(classes, [FindingClass::JsonEnsureAsciiDrift]);
    }

    #[test]
    fn json_reformat_with_newline() {
        let sealed = b"{\n  \"a\": 1,\n  \"b\": [\n    true\n  ]\n}\n";
        let actual = b"{\"a\":1,\"b\":[true]}";
        let (classes, proof) = proven(sealed, actual);
        assert_eq!(classes, [FindingClass::JsonReformatDrift, FindingClass::TrailingNewlineDrift]);
        // Re-indented with the final newline kept: a reformat, nothing else.
        let (classes, _) = proven(sealed, b"{\n    \"a\": 1,\n    \"b\": [\n        true\n    ]\n}\n");
        assert_eq!(classes, [FindingClass::JsonReformatDrift]);
        assert!(proof.contains("indent=2"), "{proof}");
    }

    #[test]
    fn edits_are_unexplained_and_binary_is_not_searched() {
        let opts = DiagnoseOptions::default();
        let sealed: AnyDigest = Digest::of(b"world").into();
        let d = diagnose(b"hello", &sealed, &opts);
        assert!(
            matches!(d, Diagnosis::Unexplained { tried, limit_reached: false, binary: false } if tried > 0),
            "{d:?}"
        );
        let proof = d.proof(&opts);
        assert!(proof.contains("candidates") && proof.contains("none reproduced it"), "{proof}");
        let binary = diagnose(b"\0\x01", &Digest::of(b"\0\x01\n").into(), &opts);
        assert_eq!(binary, Diagnosis::Unexplained { tried: 0, limit_reached: false, binary: true });
        let capped = DiagnoseOptions { max_size: 2, ..DiagnoseOptions::default() };
        assert!(matches!(diagnose(b"abc", &Digest::of(b"x").into(), &capped), Diagnosis::NotDiagnosed(_)));
    }

    #[test]
    fn a_sha512_seal_gives_the_same_diagnosis_and_proof_as_sha256() {
        let opts = DiagnoseOptions::default();
        let (sealed, actual) = (&b"a\nb\n"[..], &b"a\r\nb\r\n"[..]);
        let by256: AnyDigest = Digest::of(sealed).into();
        let by512 = crate::digest::Algo::Sha512.digest(sealed);
        let (d256, d512) = (diagnose(actual, &by256, &opts), diagnose(actual, &by512, &opts));
        assert_eq!(d256, d512);
        assert_eq!(d256.proof(&opts), d512.proof(&opts));
        assert!(matches!(d512, Diagnosis::Proven { ref restored, .. } if restored == sealed));
    }
}
