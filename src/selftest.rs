//! `selftest`: negative controls, run on the user's machine.
//!
//! A scratch packet (text with typography and non-ASCII, Python-style JSON,
//! binary data, a composed non-ASCII name, and a validator pinned from
//! outside the packet) is built in a temporary directory and sealed. The
//! byte-identical packet must pass; then each drift class is applied to a
//! fresh copy, and `verify` must fail closed and name that class. Nothing
//! outside the temporary directory is touched.

use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use crate::drift::json::{dumps, parse, unescape_non_ascii, Indent, Layout};
use crate::drift::{text, typography, DiagnoseOptions};
use crate::finding::FindingClass;
use crate::report::{Report, Verdict};
use crate::seal::{seal, SealOptions};
use crate::verify::{verify, VerifyOptions};
use crate::{Error, Status};

pub use crate::report::sections::{SelftestCase, SelftestCheck};

/// Options of `selftest`.
#[derive(Clone, Debug, Default)]
pub struct SelftestOptions {
    /// Hashing threads; `None` means
    /// [`crate::hash::default_threads`].
    pub threads: Option<usize>,
    /// Diagnosis limits (and the test hook that disables a class).
    pub diagnose: DiagnoseOptions,
}

const README: &str = "Run \u{201c}r-7\u{201d} \u{2014} validated; caf\u{e9} na\u{ef}ve r\u{e9}sum\u{e9}\u{2026}\n";
const NOTES: &str = "Reviewed. Nothing to add.\nSecond line.\n";
const VALIDATOR: &[u8] = b"#!/bin/sh\n# validator\nexit 0\n";

fn json_layout(indent: u8) -> Layout {
    Layout { indent: Indent::Spaces(indent), compact: false, sort_keys: false, ensure_ascii: true }
}

fn report_json() -> Vec<u8> {
    let v = parse("{\"operator\": \"Zo\u{eb}\", \"note\": \"ok \u{2014} fine\", \"n\": [1, 2.5]}".as_bytes())
        .expect("the scratch JSON parses");
    let mut s = dumps(&v, &json_layout(2));
    s.push('\n');
    s.into_bytes()
}

/// Builds and seals the scratch packet under `root/packet`, with the pinned
/// validator in `root/tools` and the pins file at `root/pins.json`.
fn build(root: &Path) -> Result<(), Error> {
    let w = |rel: &str, bytes: &[u8]| -> Result<(), Error> {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("a file has a parent")).map_err(|e| Error::io(&p, e))?;
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    w("packet/README.md", README.as_bytes())?;
    w("packet/notes.txt", NOTES.as_bytes())?;
    w("packet/report.json", &report_json())?;
    w("packet/data/blob.bin", &(0u8..=255).cycle().take(1000).collect::<Vec<_>>())?;
    w("packet/r\u{e9}sum\u{e9}.md", b"composed name\n")?;
    w("tools/validator.py", VALIDATOR)?;
    let pins = format!(
        "{{\"pins\": [{{\"name\": \"validator\", \"path\": \"tools/validator.py\", \"sha256\": \"{}\"}}]}}",
        crate::Digest::of(VALIDATOR)
    );
    w("pins.json", pins.as_bytes())?;
    seal(&root.join("packet"), &SealOptions::default())?;
    Ok(())
}

type Drift = fn(&Path) -> std::io::Result<()>;

fn rewrite(path: &Path, f: impl Fn(&[u8]) -> Option<Vec<u8>>) -> std::io::Result<()> {
    let before = std::fs::read(path)?;
    let after = f(&before).ok_or_else(|| std::io::Error::other("the drift does not apply"))?;
    std::fs::write(path, after)
}

/// Every negative control: class, the drifted path (as reported), what is
/// done, and how.
fn controls() -> Vec<(FindingClass, &'static str, &'static str, Drift)> {
    vec![
        (FindingClass::EditedContent, "notes.txt", "one word edited", |r| {
            rewrite(&r.join("packet/notes.txt"), |b| {
                Some(String::from_utf8_lossy(b).replace("Nothing", "Little").into())
            })
        }),
        (FindingClass::EmdashUnicodeDrift, "README.md", "typography flattened to ASCII", |r| {
            rewrite(&r.join("packet/README.md"), |b| Some(typography::to_ascii(std::str::from_utf8(b).ok()?).into()))
        }),
        (FindingClass::JsonEnsureAsciiDrift, "report.json", "re-dumped with ensure_ascii=False", |r| {
            rewrite(&r.join("packet/report.json"), unescape_non_ascii)
        }),
        (FindingClass::BomPrefix, "notes.txt", "UTF-8 BOM added", |r| {
            rewrite(&r.join("packet/notes.txt"), text::add_bom)
        }),
        (FindingClass::CrlfDrift, "notes.txt", "LF converted to CRLF", |r| {
            rewrite(&r.join("packet/notes.txt"), text::lf_to_crlf)
        }),
        (FindingClass::MissingFile, "notes.txt", "a sealed file deleted", |r| {
            std::fs::remove_file(r.join("packet/notes.txt"))
        }),
        (FindingClass::ExtraFile, "unsealed.txt", "an unsealed file added", |r| {
            std::fs::write(r.join("packet/unsealed.txt"), b"added later\n")
        }),
        (FindingClass::MovedFile, "data/blob.bin", "a sealed file moved", |r| {
            std::fs::create_dir_all(r.join("packet/archive"))?;
            std::fs::rename(r.join("packet/data/blob.bin"), r.join("packet/archive/blob.bin"))
        }),
        (FindingClass::TrailingNewlineDrift, "notes.txt", "final newline removed", |r| {
            rewrite(&r.join("packet/notes.txt"), text::strip_final_newline)
        }),
        (FindingClass::UnicodeNormalizationDrift, "README.md", "text normalized to NFD", |r| {
            rewrite(&r.join("packet/README.md"), text::to_nfd)
        }),
        (FindingClass::JsonReformatDrift, "report.json", "JSON re-indented (2 -> 4)", |r| {
            rewrite(&r.join("packet/report.json"), |b| {
                let mut s = dumps(&parse(b)?, &json_layout(4));
                s.push('\n');
                Some(s.into_bytes())
            })
        }),
        (FindingClass::FilenameNormalizationDrift, "r\u{e9}sum\u{e9}.md", "file name normalized to NFD", |r| {
            let nfd: String = "r\u{e9}sum\u{e9}.md".nfd().collect();
            std::fs::rename(r.join("packet/r\u{e9}sum\u{e9}.md"), r.join("packet").join(nfd))
        }),
        (FindingClass::ManifestDrift, "HASH_MANIFEST.txt", "manifest converted to CRLF", |r| {
            rewrite(&r.join("packet/HASH_MANIFEST.txt"), text::lf_to_crlf)
        }),
        (FindingClass::PinMismatch, "tools/validator.py", "pinned validator edited", |r| {
            std::fs::write(r.join("tools/validator.py"), b"#!/bin/sh\n# validator\nexit 1\n")
        }),
    ]
}

fn run_verify(root: &Path, opts: &SelftestOptions) -> Result<Report, Error> {
    let pins = crate::pins::load(&root.join("pins.json"))?;
    let vopts = VerifyOptions { threads: opts.threads, diagnose: opts.diagnose, pins, ..VerifyOptions::default() };
    verify(&root.join("packet"), &vopts, String::new())
}

/// Runs the positive and every negative control.
pub fn selftest(opts: &SelftestOptions, date: String) -> Result<Report, Error> {
    let scratch = tempfile::tempdir().map_err(|e| Error::io(Path::new("<tempdir>"), e))?;
    let clean = scratch.path().join("clean");
    build(&clean)?;
    let passes_on_byte_identical = run_verify(&clean, opts)?.status().is_pass();

    let mut cases = Vec::new();
    for (i, (class, target, drift, apply)) in controls().into_iter().enumerate() {
        let root = scratch.path().join(format!("case-{i}"));
        build(&root)?;
        apply(&root).map_err(|e| Error::io(&root, e))?;
        let r = run_verify(&root, opts)?;
        let classified_as: Vec<FindingClass> =
            r.findings.iter().filter(|f| f.path == target).flat_map(|f| f.classes.iter().copied()).collect();
        let failed_closed = !r.status().is_pass();
        cases.push(SelftestCase {
            class,
            drift: drift.to_string(),
            exit_code: r.exit_code,
            final_status: r.final_status.clone(),
            ok: failed_closed && classified_as.contains(&class),
            classified_as,
            failed_closed,
        });
    }
    let all = cases.iter().all(|c| c.ok);
    let pass = all && passes_on_byte_identical;
    let mut report = Report::new("selftest", date);
    report.checks.selftest = Some(SelftestCheck {
        verdict: Verdict::from_ok(pass),
        passes_on_byte_identical,
        selftest_all_fail_closed: all,
        selftest_fail_closed_cases: cases.iter().filter(|c| c.ok).map(|c| c.class).collect(),
        cases,
    });
    report.finish(if pass { Status::Pass } else { Status::Integrity });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selftest_passes_and_covers_every_required_class() {
        let r = selftest(&SelftestOptions::default(), String::new()).unwrap();
        let s = r.checks.selftest.clone().unwrap();
        let bad: Vec<_> = s.cases.iter().filter(|c| !c.ok).collect();
        assert!(bad.is_empty(), "{bad:?}");
        assert!(s.passes_on_byte_identical && s.selftest_all_fail_closed);
        assert_eq!(s.selftest_fail_closed_cases.len(), 14);
        // Each drift is named as its own class first.
        for c in &s.cases {
            assert_eq!(c.classified_as.first(), Some(&c.class), "{c:?}");
        }
        assert_eq!(r.exit_code, 0);
    }

    #[test]
    fn selftest_turns_red_when_a_class_is_waved_through() {
        for disabled in [FindingClass::CrlfDrift, FindingClass::JsonEnsureAsciiDrift, FindingClass::EmdashUnicodeDrift]
        {
            let opts = SelftestOptions {
                diagnose: DiagnoseOptions { disabled: Some(disabled), ..DiagnoseOptions::default() },
                ..SelftestOptions::default()
            };
            let r = selftest(&opts, String::new()).unwrap();
            let s = r.checks.selftest.unwrap();
            assert_eq!(r.exit_code, 1, "{disabled:?}");
            assert!(!s.selftest_all_fail_closed);
            let case = s.cases.iter().find(|c| c.class == disabled).unwrap();
            assert!(!case.ok && case.failed_closed, "{case:?}");
        }
    }
}
