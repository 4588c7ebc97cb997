//! One seal, one engine: the same drift scenarios through every seal format,
//! each seal made by the real tool its users run (sealcheck itself, GNU
//! `sha256sum` and `sha512sum`, BSD tagged lines from `sha512sum --tag`,
//! `b3sum`, bagit-python with sha256 and with sha512 only). Every format
//! must give the same classes, proofs, counts and exit code, reports
//! byte-identical across thread counts, and the packet unmodified.

mod common;

use std::path::Path;

use common::{put, require_tool, sealcheck, sh, snapshot};
use sealcheck::Report;

/// A seal format and how its users make it.
struct Format {
    name: &'static str,
    tools: &'static [&'static str],
    /// Seals the packet at the given directory (the shell's working
    /// directory).
    make: &'static str,
    /// Bags move the payload under `data/`.
    bag: bool,
}

const LIST: &str = "find . -type f ! -name '*SUMS' ! -name HASH_MANIFEST.txt -printf '%P\\0' | LC_ALL=C sort -z";

const FORMATS: &[Format] = &[
    Format { name: "canonical", tools: &[], make: "", bag: false },
    Format {
        name: "sha256sum",
        tools: &["sha256sum"],
        make: "f=$(mktemp) && (find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum > \"$f\") && mv \"$f\" SHA256SUMS",
        bag: false,
    },
    Format {
        name: "sha512sum",
        tools: &["sha512sum"],
        make: "f=$(mktemp) && (find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha512sum > \"$f\") && mv \"$f\" SHA512SUMS",
        bag: false,
    },
    Format {
        name: "bsd-tagged-sha512",
        tools: &["sha512sum"],
        make: "f=$(mktemp) && (find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha512sum --tag > \"$f\") && mv \"$f\" SHA512SUMS",
        bag: false,
    },
    Format {
        name: "b3sum",
        tools: &["b3sum"],
        make: "f=$(mktemp) && (find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 b3sum > \"$f\") && mv \"$f\" B3SUMS",
        bag: false,
    },
    Format { name: "bagit-sha256", tools: &["python3"], make: "python3 -m bagit --sha256 . >/dev/null 2>&1", bag: true },
    Format { name: "bagit-sha512", tools: &["python3"], make: "python3 -m bagit --sha512 . >/dev/null 2>&1", bag: true },
];

/// A drift applied to a sealed packet; paths are payload-relative.
struct Scenario {
    name: &'static str,
    apply: fn(&Path),
    exit: i32,
}

fn text(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

const SCENARIOS: &[Scenario] = &[
    Scenario { name: "clean", apply: |_| {}, exit: 0 },
    Scenario {
        name: "crlf",
        apply: |d| {
            let t = text(&d.join("notes.txt"));
            std::fs::write(d.join("notes.txt"), String::from_utf8(t).unwrap().replace('\n', "\r\n")).unwrap();
        },
        exit: 1,
    },
    Scenario {
        name: "bom",
        apply: |d| {
            let t = text(&d.join("notes.txt"));
            std::fs::write(d.join("notes.txt"), [&b"\xef\xbb\xbf"[..], &t].concat()).unwrap();
        },
        exit: 1,
    },
    Scenario {
        name: "final-newline",
        apply: |d| {
            let t = text(&d.join("notes.txt"));
            std::fs::write(d.join("notes.txt"), &t[..t.len() - 1]).unwrap();
        },
        exit: 1,
    },
    Scenario {
        name: "ensure-ascii",
        apply: |d| std::fs::write(d.join("result.json"), b"{\"name\": \"Zo\\u00eb\", \"ok\": true}\n").unwrap(),
        exit: 1,
    },
    Scenario {
        name: "emdash",
        apply: |d| std::fs::write(d.join("summary.md"), b"Result -- all green.\n").unwrap(),
        exit: 1,
    },
    Scenario { name: "edited", apply: |d| std::fs::write(d.join("dump.bin"), [9u8, 0, 1]).unwrap(), exit: 1 },
    Scenario { name: "missing", apply: |d| std::fs::remove_file(d.join("sub/e.txt")).unwrap(), exit: 1 },
    Scenario {
        name: "moved",
        apply: |d| std::fs::rename(d.join("sub/e.txt"), d.join("sub/elsewhere.txt")).unwrap(),
        exit: 1,
    },
    Scenario {
        name: "nfd-rename",
        apply: |d| std::fs::rename(d.join("caf\u{e9}.txt"), d.join("cafe\u{301}.txt")).unwrap(),
        exit: 1,
    },
    Scenario { name: "extra", apply: |d| std::fs::write(d.join("sub/new.txt"), b"unsealed\n").unwrap(), exit: 1 },
];

fn make_packet(dir: &Path) {
    put(dir, b"notes.txt", b"line one\nline two\n");
    put(dir, b"result.json", "{\"name\": \"Zo\u{eb}\", \"ok\": true}\n".as_bytes());
    put(dir, b"summary.md", "Result \u{2014} all green.\n".as_bytes());
    put(dir, b"dump.bin", &[0u8, 1, 2, 3, 255]);
    put(dir, b"sub/e.txt", b"nested\n");
    put(dir, "caf\u{e9}.txt".as_bytes(), b"accent\n");
}

/// What must agree across formats: per finding (path without `data/`,
/// classes, proof), and the counts of payload files.
#[derive(Debug, PartialEq)]
struct Outcome {
    exit: i32,
    findings: Vec<(String, Vec<String>, Option<String>)>,
    counts: [u64; 6],
}

fn outcome(report: &Report, exit: i32, bag: bool) -> Outcome {
    let strip = |p: &str| if bag { p.strip_prefix("data/").unwrap_or(p).to_string() } else { p.to_string() };
    let findings = report
        .findings
        .iter()
        // Payload-Oxum is the bag's own check beside the engine.
        .filter(|f| !(bag && f.path == "bag-info.txt"))
        .map(|f| {
            let proof = f.proof.as_ref().map(|p| if bag { p.replace("data/", "") } else { p.clone() });
            (strip(&f.path), f.classes.iter().map(|c| c.code().to_string()).collect(), proof)
        })
        .collect();
    let c = report.checks.seal_vs_bytes.as_ref().unwrap();
    // A bag also seals its tag files; count payload files only.
    let tags = if bag { c.sealed - payload_sealed(report) } else { 0 };
    Outcome { exit, findings, counts: [c.sealed - tags, c.ok - tags, c.changed, c.missing, c.extra, c.moved] }
}

fn payload_sealed(report: &Report) -> u64 {
    let c = report.checks.seal_vs_bytes.as_ref().unwrap();
    let bag = report.checks.bagit.as_ref().unwrap();
    // Every payload file found is sealed unless it is an extra, and every
    // missing one is sealed too (a moved file's new path counts as found).
    bag.payload_files + c.missing - c.extra
}

fn verify(dir: &Path, threads: &str) -> (i32, Vec<u8>) {
    let out = sealcheck().arg("verify").arg(dir).args(["--json", "--threads", threads]).output().unwrap();
    (out.status.code().unwrap(), out.stdout)
}

#[test]
fn every_format_gives_the_same_classes_proofs_counts_and_exit_code() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for scenario in SCENARIOS {
        let mut reference: Option<Outcome> = None;
        for format in FORMATS {
            if !format.tools.iter().all(|t| require_tool(t)) {
                continue;
            }
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path();
            make_packet(dir);
            if format.make.is_empty() {
                sealcheck().arg("seal").arg(dir).assert().code(0);
            } else {
                let o = sh(dir, format.make);
                assert!(o.status.success(), "{}: {}", format.name, String::from_utf8_lossy(&o.stderr));
            }
            let payload = if format.bag { dir.join("data") } else { dir.to_path_buf() };
            (scenario.apply)(&payload);
            let before = snapshot(dir);
            let (exit, one) = verify(dir, "1");
            let (_, two) = verify(dir, "2");
            assert_eq!(before, snapshot(dir), "{}/{}: the packet was modified", scenario.name, format.name);
            if one != two {
                failures.push(format!("{}/{}: reports differ between 1 and 2 threads", scenario.name, format.name));
            }
            let report: Report = match serde_json::from_slice(&one) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{}/{}: no report ({e}), exit {exit}", scenario.name, format.name));
                    continue;
                }
            };
            let got = outcome(&report, exit, format.bag);
            checked += 1;
            if exit != scenario.exit {
                failures.push(format!("{}/{}: exit {exit}, want {}", scenario.name, format.name, scenario.exit));
            }
            if scenario.exit != 0 && got.findings.is_empty() {
                failures.push(format!("{}/{}: red with no finding", scenario.name, format.name));
            }
            for f in &got.findings {
                if f.2.as_deref().is_none_or(str::is_empty) {
                    failures.push(format!("{}/{}: {} has no proof", scenario.name, format.name, f.0));
                }
            }
            match &reference {
                None => reference = Some(got),
                Some(want) if *want != got => failures.push(format!(
                    "{}/{} disagrees with {}:\n  got  {got:?}\n  want {want:?}",
                    scenario.name, format.name, FORMATS[0].name
                )),
                Some(_) => {}
            }
        }
    }
    assert!(checked >= SCENARIOS.len(), "too few cases ran: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seal_algo_writes_a_second_manifest_that_the_real_tools_check() {
    for (algo, name, tool) in [("sha512", "SHA512SUMS", "sha512sum"), ("blake3", "B3SUMS", "b3sum")] {
        if !require_tool(tool) {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        make_packet(dir);
        sealcheck().arg("seal").arg(dir).args(["--algo", algo]).assert().code(0);
        let o = sh(dir, &format!("{tool} -c {name} && sha256sum -c --strict HASH_MANIFEST.txt"));
        assert!(o.status.success(), "{tool}: {}{}", common::stdout(&o), String::from_utf8_lossy(&o.stderr));
        let manifest = std::fs::read_to_string(dir.join("HASH_MANIFEST.txt")).unwrap();
        assert!(manifest.contains(&format!("  {name}\n")), "the canonical manifest seals {name}");
        // Both seals verify the packet, each with its own algorithm.
        sealcheck().arg("verify").arg(dir).assert().code(0);
        let out = sealcheck().arg("verify").arg(dir).args(["--manifest"]).arg(dir.join(name)).arg("--json").assert();
        let report: Report = serde_json::from_slice(&out.code(0).get_output().stdout).unwrap();
        assert_eq!(report.packet.unwrap().seal_algorithms, [sealcheck::digest::Algo::from_name(algo).unwrap()]);
    }
}

#[test]
fn an_untagged_b3sum_manifest_is_read_as_blake3_only_when_its_name_or_algo_says_so() {
    if !require_tool("b3sum") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_packet(dir);
    let o = sh(dir, &format!("{LIST} | xargs -0 b3sum > ../b3-{}.txt", std::process::id()));
    assert!(o.status.success());
    let plain = dir.parent().unwrap().join(format!("b3-{}.txt", std::process::id()));
    // Under a neutral name, 64 hex digits are SHA-256: every file is red.
    sealcheck().arg("verify").arg(dir).arg("--manifest").arg(&plain).assert().code(1);
    sealcheck().arg("verify").arg(dir).arg("--manifest").arg(&plain).args(["--algo", "blake3"]).assert().code(0);
    std::fs::remove_file(&plain).unwrap();
}
