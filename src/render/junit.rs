//! JUnit XML: one testcase per checked item (each sealed or listed file,
//! each pin, each selftest control, each read-back leg), plus one per other
//! finding (unsealed extras, the manifest, content scans) and one for a
//! command that could not judge. Drift is a `failure`; I/O, unsupported
//! files and a command that could not judge are an `error`. The shape is
//! the one GitLab and Jenkins read: `testsuites` > `testsuite` > `testcase`,
//! every `classname` set and every name unique within its suite.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::finding::Finding;
use crate::{Report, Status};

/// Escapes text for XML 1.0 content and attributes. Characters XML 1.0
/// cannot hold at all are written as `\xNN`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

struct Case<'a> {
    name: String,
    findings: Vec<&'a Finding>,
    /// A check that ran without a finding of its own but failed (a selftest
    /// control not caught, a read-back leg that could not judge): its
    /// message, and whether it is an error rather than a failure.
    failed: Option<(String, bool)>,
}

impl<'a> Case<'a> {
    fn new(name: String) -> Case<'a> {
        Case { name, findings: Vec::new(), failed: None }
    }
}

fn suite_of(r: &Report, f: &Finding) -> &'static str {
    use crate::FindingClass as C;
    if r.checks.readback.is_some() {
        return "readback";
    }
    match f.classes[0] {
        C::PinMismatch | C::PinMissing => "pins",
        C::ForbiddenToken | C::SecretLeak => "content_scan",
        _ => "seal_vs_bytes",
    }
}

/// Writes the report as JUnit XML.
pub fn write<W: Write + ?Sized>(w: &mut W, r: &Report) -> io::Result<()> {
    let mut suites: BTreeMap<&'static str, BTreeMap<String, Case<'_>>> = BTreeMap::new();
    if !r.sealed_paths.is_empty() {
        let files = suites.entry("seal_vs_bytes").or_default();
        for p in &r.sealed_paths {
            files.insert(p.clone(), Case::new(p.clone()));
        }
    }
    if let Some(pins) = &r.checks.pins {
        let s = suites.entry("pins").or_default();
        for p in &pins.results {
            s.insert(p.path.clone(), Case::new(format!("{} ({})", p.path, p.name)));
        }
    }
    if let Some(st) = &r.checks.selftest {
        let s = suites.entry("selftest").or_default();
        let mut identical = Case::new("byte-identical packet passes".into());
        if !st.passes_on_byte_identical {
            identical.failed = Some(("the byte-identical packet did not pass".into(), false));
        }
        s.insert(String::new(), identical);
        for (i, c) in st.cases.iter().enumerate() {
            let mut case = Case::new(format!("{}: {}", c.class.code(), c.drift));
            if !c.ok {
                let got: Vec<&str> = c.classified_as.iter().map(|k| k.code()).collect();
                case.failed =
                    Some((format!("NOT CAUGHT: exit {}, classified as [{}]", c.exit_code, got.join(", ")), false));
            }
            s.insert(format!("{i:05}"), case);
        }
    }
    if let Some(rb) = &r.checks.readback {
        let mut leg = Case::new(rb.leg.clone());
        if let Some(e) = &r.error {
            leg.failed = Some((format!("{}: {}", e.code, e.message), true));
        }
        suites.entry("readback").or_default().insert(rb.leg.clone(), leg);
    }
    for f in &r.findings {
        let s = suites.entry(suite_of(r, f)).or_default();
        s.entry(f.path.clone()).or_insert_with(|| Case::new(f.path.clone())).findings.push(f);
    }
    if r.error.is_some() && r.checks.readback.is_none() {
        suites.entry("command").or_default().insert("error".into(), Case::new(format!("sealcheck {}", r.command)));
    }
    let timestamp = r.date.trim_end_matches('Z');
    let count = |cases: &BTreeMap<String, Case<'_>>, want_error: bool| {
        cases.values().filter(|c| is_red(c) && is_error(c) == want_error).count()
    };
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for cases in suites.values() {
        tests += cases.len();
        failures += count(cases, false);
        errors += count(cases, true);
    }
    if r.error.is_some() && r.checks.readback.is_none() {
        errors += 1;
    }
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"0\">",
        escape(&format!("sealcheck {}", r.command))
    )?;
    for (suite, cases) in &suites {
        let suite_errors = count(cases, true) + usize::from(*suite == "command");
        writeln!(
            w,
            "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{}\" errors=\"{suite_errors}\" skipped=\"0\" time=\"0\" timestamp=\"{}\">",
            cases.len(),
            count(cases, false),
            escape(timestamp)
        )?;
        for case in cases.values() {
            write!(w, "    <testcase name=\"{}\" classname=\"sealcheck.{suite}\" time=\"0\"", escape(&case.name))?;
            if *suite == "command" {
                let msg = r.error.as_ref().map(|e| e.message.as_str()).unwrap_or_default();
                writeln!(w, ">\n      <error type=\"error\" message=\"{}\"/>\n    </testcase>", escape(msg))?;
                continue;
            }
            if !is_red(case) {
                writeln!(w, "/>")?;
                continue;
            }
            let tag = if is_error(case) { "error" } else { "failure" };
            let mut classes: Vec<&str> =
                case.findings.iter().flat_map(|f| f.classes.iter().map(|c| c.code())).collect();
            let mut message: Vec<&str> = case.findings.iter().map(|f| f.message.as_str()).collect();
            if let Some((m, error)) = &case.failed {
                classes.push(if *error { "error" } else { "not_caught" });
                message.push(m);
            }
            let mut body = String::new();
            for f in &case.findings {
                for (k, v) in [
                    ("expected sha256", &f.expected_sha256),
                    ("actual sha256", &f.actual_sha256),
                    ("proof", &f.proof),
                    ("hint", &f.hint),
                ] {
                    if let Some(v) = v {
                        let _ = writeln!(body, "{k}: {v}");
                    }
                }
            }
            writeln!(
                w,
                ">\n      <{tag} type=\"{}\" message=\"{}\">{}</{tag}>\n    </testcase>",
                escape(&classes.join(", ")),
                escape(&message.join("; ")),
                escape(&body)
            )?;
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}

fn is_red(c: &Case<'_>) -> bool {
    c.failed.is_some() || c.findings.iter().any(|f| !f.status().is_pass())
}

fn is_error(c: &Case<'_>) -> bool {
    c.failed.as_ref().is_some_and(|(_, error)| *error) || c.findings.iter().any(|f| f.status() >= Status::BadInput)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn xml_escaping() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("nul\u{0}bell\u{7}"), "nul\\x00bell\\x07");
    }
}
