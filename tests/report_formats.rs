//! The report and its renderings: schema-valid, deterministic across thread
//! counts, snapshot-pinned in shape, and JUnit/GitHub output checked against
//! their formats.

mod common;

use std::path::Path;

use common::{put, sealcheck};
use sealcheck::Report;

/// A packet under `dir/packet` with every kind of finding.
fn drifted(dir: &Path) {
    let p = dir.join("packet");
    put(&p, b"README.md", "A packet \u{2014} sealed.\n".as_bytes());
    put(&p, b"report.json", b"{\"name\": \"Zo\\u00eb\"}\n");
    put(&p, b"gone.txt", b"to be removed\n");
    put(&p, b"moved.bin", &[1, 2, 3]);
    put(&p, b"ok/\xff-latin.txt", b"fine\n");
    for i in 0..40 {
        put(&p, format!("many/f{i:02}.txt").as_bytes(), format!("file {i}\n").as_bytes());
    }
    sealcheck().current_dir(dir).args(["seal", "packet"]).assert().success();
    put(&p, b"README.md", b"A packet -- sealed.\r\n");
    put(&p, b"report.json", "{\"name\": \"Zo\u{eb}\"}\n".as_bytes());
    std::fs::remove_file(p.join("gone.txt")).unwrap();
    std::fs::rename(p.join("moved.bin"), p.join("moved-elsewhere.bin")).unwrap();
    put(&p, b"extra <&>\"'.txt", b"unsealed\n");
}

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    sealcheck().current_dir(dir).args(args).output().unwrap().stdout
}

#[test]
fn reports_are_byte_identical_across_thread_counts_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    drifted(dir.path());
    let one = run(dir.path(), &["--threads", "1", "verify", "packet", "--json"]);
    let two = run(dir.path(), &["--threads", "2", "verify", "packet", "--json"]);
    let again = run(dir.path(), &["--threads", "2", "verify", "packet", "--json"]);
    assert!(!one.is_empty());
    assert_eq!(one, two);
    assert_eq!(two, again);
    let junit1 = run(dir.path(), &["--threads", "1", "verify", "packet", "--format", "junit"]);
    let junit2 = run(dir.path(), &["--threads", "2", "verify", "packet", "--format", "junit"]);
    assert_eq!(junit1, junit2);
}

#[test]
fn every_command_writes_a_report_the_schema_accepts() {
    let schema: serde_json::Value = serde_json::from_slice(&run(Path::new("."), &["schema"])).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let dir = tempfile::tempdir().unwrap();
    drifted(dir.path());
    let p = dir.path().join("packet");
    let tree = String::from_utf8(run(dir.path(), &["tree-hash", "packet"])).unwrap();
    std::fs::write(dir.path().join("m.txt"), format!("{}  packet/README.md\n", "0".repeat(64))).unwrap();
    std::fs::write(dir.path().join("doc.json"), r#"{"rows": [{"k": "v", "image_digest": "bad"}]}"#).unwrap();
    let a64 = "a".repeat(64);
    let cases: Vec<Vec<&str>> = vec![
        vec!["verify", "packet", "--json"],
        vec!["verify", "packet", "--json", "--scan-secrets", "--forbid-token", "sealed"],
        vec!["verify", "nope", "--json"],
        vec!["check", "m.txt", "--json"],
        vec!["rerun", "packet", "--expect-tree", tree.trim(), "--json"],
        vec!["selftest", "--json"],
        vec!["rehearsal", "--before", "packet", "--after-apply", "packet", "--after-rollback", "packet", "--json"],
        vec!["pin", "check", "packet/README.md", &a64, "--json"],
        vec![
            "pin",
            "readback",
            "--from-file",
            "doc.json",
            "--rows",
            "/rows",
            "--where",
            "k=v",
            "--expect",
            &a64,
            "--json",
        ],
    ];
    for args in cases {
        let out = run(dir.path(), &args);
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let errors: Vec<String> =
            validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
        let typed: Report = serde_json::from_value(doc).unwrap();
        assert_eq!(typed.doc, "sealcheck-report");
        assert!(!typed.self_check.any_fail_open, "{args:?}");
    }
    assert!(p.exists());
}

#[test]
fn the_schema_in_docs_is_the_one_the_tool_prints() {
    let printed = run(Path::new("."), &["schema"]);
    let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json")).unwrap();
    assert!(
        printed == committed,
        "docs/report.schema.json is stale: regenerate it with `sealcheck schema > docs/report.schema.json`"
    );
    let printed = run(Path::new("."), &["schema", "--pins"]);
    let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/pins.schema.json")).unwrap();
    assert!(printed == committed, "docs/pins.schema.json is stale");
}

/// The report as rendered, with the two machine-dependent values replaced.
fn pinned(bytes: &[u8]) -> String {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    v["tool"]["version"] = "[version]".into();
    v["tool"]["sha256_backend"] = "[backend]".into();
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn report_shapes_are_pinned_by_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    drifted(dir.path());
    insta::assert_snapshot!("verify_report", pinned(&run(dir.path(), &["verify", "packet", "--json"])));
    std::fs::write(dir.path().join("m.txt"), format!("{}  packet/README.md\ngarbage\n", "0".repeat(64))).unwrap();
    insta::assert_snapshot!("check_report", pinned(&run(dir.path(), &["check", "m.txt", "--json"])));
}

#[test]
fn junit_is_well_formed_with_one_testcase_per_sealed_file() {
    let dir = tempfile::tempdir().unwrap();
    drifted(dir.path());
    let xml = String::from_utf8(run(dir.path(), &["verify", "packet", "--format", "junit"])).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<roxmltree::Node> = root.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    // 45 sealed files + the extra one.
    assert_eq!(cases.len(), 46);
    let failures = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).count();
    assert_eq!(root.attribute("failures"), Some(failures.to_string().as_str()));
    assert_eq!(root.attribute("tests"), Some("46"));
    let names: Vec<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
    assert!(names.contains(&"extra <&>\"'.txt"), "{names:?}");
    assert!(names.contains(&"ok/\\xff-latin.txt"));
    let readme = cases.iter().find(|c| c.attribute("name") == Some("README.md")).unwrap();
    let failure = readme.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("emdash_unicode_drift, crlf_drift"));
    assert!(failure.text().unwrap().contains("proof: "));
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        for attr in ["name", "tests", "failures", "errors", "timestamp"] {
            assert!(suite.attribute(attr).is_some(), "testsuite lacks {attr}");
        }
    }
}

#[test]
fn github_annotations_respect_the_limit_and_escape() {
    let dir = tempfile::tempdir().unwrap();
    drifted(dir.path());
    let p = dir.path().join("packet");
    for i in 0..20 {
        put(&p, format!("many/f{i:02}.txt").as_bytes(), b"changed\n");
    }
    let summary = dir.path().join("summary.md");
    let out = sealcheck()
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["verify", "packet", "--format", "github"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 10, "{out}");
    assert!(errors[9].contains("more findings not annotated"), "{}", errors[9]);
    assert!(errors.iter().all(|l| !l[2..].contains('\n')));
    assert!(errors[0]
        .starts_with("::error file=packet/README.md,title=sealcheck verify%3A emdash_unicode_drift%2C crlf_drift::"));
    assert!(errors[0].contains("%0Aproof: "), "{}", errors[0]);
    assert_eq!(out.lines().last(), Some("FAIL_CLOSED (exit 1)"));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("### ❌ sealcheck verify: FAIL_CLOSED (exit 1)"));
    // The name is inert: no markup, no HTML, no way out of its cell.
    assert!(md.contains("| extra &lt;&amp;&gt;\\\"\\'\\.txt |"), "{md}");
}

#[test]
fn the_github_summary_stays_under_one_mebibyte() {
    let mut r = Report::new("verify", "2026-11-21T00:00:00Z".into());
    for i in 0..20_000 {
        let mut f = sealcheck::Finding::new(
            format!("dir/file-{i:05}.txt"),
            sealcheck::FindingClass::EditedContent,
            "x".repeat(100),
        );
        f.hint = Some("h".repeat(50));
        r.findings.push(f);
    }
    r.finish(sealcheck::Status::Pass);
    let md = sealcheck::render::github::summary(&r);
    assert!(md.len() < 1024 * 1024, "{}", md.len());
    assert!(md.contains("more findings not shown"));
}

/// SARIF output validates against the published SARIF 2.1.0 schema for a
/// clean, a drifted and an errored run, and its fingerprints are the same
/// across runs.
#[test]
fn sarif_validates_against_the_published_schema_and_fingerprints_are_stable() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(schema) = std::fs::read(&schema_path) else {
        common::skipped("the SARIF 2.1.0 schema is not at ../shared/schemas/");
        return;
    };
    let schema: serde_json::Value = serde_json::from_slice(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let p = common::sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    let sarif = |args: &[&str]| -> serde_json::Value {
        let out = sealcheck().args(args).args(["--format", "sarif"]).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let packet = p.path().to_str().unwrap();
    let clean = sarif(&["verify", packet]);
    common::put(p.path(), b"README.md", b"edited\n");
    common::put(p.path(), b"extra file.txt", b"unsealed\n");
    let drifted = sarif(&["verify", packet]);
    let again = sarif(&["verify", packet]);
    let errored = sarif(&["verify", packet, "--expect-tree", "nothex"]);
    for (name, doc) in [("clean", &clean), ("drifted", &drifted), ("errored", &errored)] {
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    let results = |d: &serde_json::Value| d["runs"][0]["results"].as_array().unwrap().clone();
    assert!(results(&clean).is_empty());
    let r = results(&drifted);
    let ids: Vec<&str> = r.iter().map(|x| x["ruleId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["edited_content", "extra_file"]);
    assert_eq!(r[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "extra%20file.txt");
    let fp = |d: &serde_json::Value| results(d).iter().map(|x| x["partialFingerprints"].clone()).collect::<Vec<_>>();
    assert_eq!(fp(&drifted), fp(&again), "fingerprints are stable across runs");
    let rules = drifted["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), sealcheck::FindingClass::ALL.len(), "one rule per class");
    assert_eq!(errored["runs"][0]["invocations"][0]["executionSuccessful"], false);
    assert_eq!(errored["runs"][0]["invocations"][0]["exitCode"], 2);
}

/// JUnit output of every judging command parses with junitparser, the
/// reader CI systems use, with the counts it declares: tests, failures and
/// errors as the testcases say, every name unique in its suite, every
/// classname set.
#[test]
fn junit_of_every_command_parses_with_junitparser_with_its_declared_counts() {
    if !common::require_tool("python3") {
        return;
    }
    let p = common::sample_packet();
    sealcheck().arg("seal").arg(p.path()).assert().success();
    common::put(p.path(), b"README.md", b"edited\n");
    let packet = p.path().to_str().unwrap();
    let f = p.path().join("report.json");
    let digest = common::sha256_hex(&std::fs::read(&f).unwrap());
    let cases: Vec<Vec<String>> = vec![
        vec!["verify".into(), packet.into()],
        vec!["verify".into(), packet.into(), "--expect-tree".into(), "nothex".into()],
        vec!["selftest".into()],
        vec!["check".into(), p.path().join("HASH_MANIFEST.txt").to_str().unwrap().into()],
        vec!["rerun".into(), packet.into(), "--expect-tree".into(), "a".repeat(64)],
        vec!["pin".into(), "check".into(), f.to_str().unwrap().into(), digest],
        vec![
            "pin".into(),
            "readback".into(),
            "--from-file".into(),
            "/nonexistent".into(),
            "--rows".into(),
            "/r".into(),
            "--field".into(),
            "f".into(),
            "--expect".into(),
            "a".repeat(64),
        ],
    ];
    let script = r#"
import sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
tests = failures = errors = 0
for suite in xml:
    names = set()
    for case in suite:
        assert case.classname, "a testcase without classname"
        assert case.name not in names, "duplicate name " + case.name
        names.add(case.name)
        tests += 1
        kinds = [type(r).__name__ for r in case.result]
        failures += kinds.count("Failure")
        errors += kinds.count("Error")
    assert suite.tests == len(names), (suite.name, suite.tests, len(names))
root = xml._elem
assert int(root.get("tests")) == tests, (root.get("tests"), tests)
assert int(root.get("failures")) == failures, (root.get("failures"), failures)
assert int(root.get("errors")) == errors, (root.get("errors"), errors)
print(tests, failures, errors)
"#;
    for args in cases {
        let out = sealcheck().args(&args).args(["--format", "junit"]).output().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let xml = dir.path().join("junit.xml");
        std::fs::write(&xml, &out.stdout).unwrap();
        let py = std::process::Command::new("python3").arg("-c").arg(script).arg(&xml).output().unwrap();
        assert!(
            py.status.success(),
            "{args:?}: junitparser (pip install junitparser): {}\n{}",
            String::from_utf8_lossy(&py.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        let counts = String::from_utf8_lossy(&py.stdout);
        let tests: u64 = counts.split_whitespace().next().unwrap().parse().unwrap();
        assert!(tests > 0, "{args:?}: a JUnit report that counts no test");
    }
}
