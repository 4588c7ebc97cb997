//! `pin readback` against a real HTTP server on 127.0.0.1: every red case
//! with its exit code, the green case, no redirect followed, timeouts,
//! caps, and a token that never leaks.

mod common;

use std::time::{Duration, Instant};

use common::http::{start, TOKEN};
use common::sealcheck;

fn digest() -> String {
    "a".repeat(64)
}

struct Case {
    name: &'static str,
    path: &'static str,
    args: Vec<String>,
    token: Option<&'static str>,
    code: i32,
    says: &'static str,
}

/// Select the api/eu row and expect the served digest.
fn api_eu_args() -> Vec<String> {
    ["--rows", "/runtime_image_pins", "--where", "template=api", "--where", "region=eu", "--expect"]
        .iter()
        .map(|s| s.to_string())
        .chain([digest()])
        .collect()
}

/// `args` with another rows pointer.
fn with_rows(args: &[String], rows: &str) -> Vec<String> {
    let mut a = args.to_vec();
    a[1] = rows.into();
    a
}

fn cases() -> Vec<Case> {
    let d = digest();
    let base = |wheres: &[&str], expect: &str| -> Vec<String> {
        let mut v =
            vec!["--rows".to_string(), "/runtime_image_pins".to_string(), "--expect".to_string(), expect.to_string()];
        for w in wheres {
            v.push("--where".into());
            v.push((*w).into());
        }
        v
    };
    let api_eu = base(&["template=api", "region=eu"], &format!("sha256:{d}"));
    let case = |name, path, args: Vec<String>, token, code, says| Case { name, path, args, token, code, says };
    vec![
        case("match", "/pins", api_eu.clone(), Some(TOKEN), 0, "PASS readback"),
        case("match without prefix", "/pins", base(&["template=api", "region=eu"], &d), Some(TOKEN), 0, "matches"),
        case("token unset", "/pins", api_eu.clone(), None, 3, "unset, empty or blank"),
        case("token blank", "/pins", api_eu.clone(), Some("  "), 3, "unset, empty or blank"),
        case("wrong token", "/pins", api_eu.clone(), Some("wrong"), 3, "HTTP 401"),
        case(
            "403",
            "/status/403",
            api_eu.clone(),
            Some(TOKEN),
            3,
            "HTTP 403 (expected 200): forbidden for Bearer [REDACTED]",
        ),
        case("500", "/status/500", api_eu.clone(), Some(TOKEN), 3, "HTTP 500"),
        case(
            "302 not followed",
            "/redirect",
            api_eu.clone(),
            Some(TOKEN),
            3,
            "HTTP 302: redirect to /pins not followed",
        ),
        case("html body", "/html", api_eu.clone(), Some(TOKEN), 2, "not JSON"),
        case("truncated", "/truncated", api_eu.clone(), Some(TOKEN), 2, "/truncated: body truncated: "),
        case("oversized", "/huge", api_eu.clone(), Some(TOKEN), 2, "body larger than"),
        case("endless", "/endless", api_eu.clone(), Some(TOKEN), 2, "body larger than"),
        case("rows missing", "/pins", with_rows(&api_eu, "/nope"), Some(TOKEN), 2, "nothing at rows pointer"),
        case("rows not array", "/pins", with_rows(&api_eu, "/not_rows"), Some(TOKEN), 2, "not an array"),
        case("missing row", "/pins", base(&["template=api", "region=ap"], &d), Some(TOKEN), 1, "missing row"),
        case("several rows", "/pins", base(&["template=dup", "region=eu"], &d), Some(TOKEN), 2, "2 rows match"),
        case("field missing", "/pins", base(&["template=nofield"], &d), Some(TOKEN), 2, "has no field"),
        case("field not string", "/pins", base(&["template=num"], &d), Some(TOKEN), 2, "is not a string"),
        case(
            "malformed digest in response",
            "/pins",
            base(&["template=bad"], &d),
            Some(TOKEN),
            2,
            "malformed digest in the response",
        ),
        case(
            "malformed expect",
            "/pins",
            base(&["template=api", "region=eu"], &d.to_uppercase()),
            Some(TOKEN),
            2,
            "expected lowercase hex",
        ),
        case("63-digit expect", "/pins", base(&["template=api", "region=eu"], &d[1..]), Some(TOKEN), 2, "found 63"),
        case("mismatch", "/pins", base(&["template=api", "region=us"], &d), Some(TOKEN), 1, "expected sha256:aaaa"),
    ]
}

fn run(url: &str, args: &[String], token: Option<&str>, extra: &[&str]) -> (i32, String, String) {
    let mut cmd = sealcheck();
    cmd.args(["pin", "readback", "--url", url, "--token-env", "PIN_TOKEN"]).args(args).args(extra);
    if !extra.contains(&"--timeout") {
        cmd.args(["--timeout", "2"]);
    }
    match token {
        Some(t) => cmd.env("PIN_TOKEN", t),
        None => cmd.env_remove("PIN_TOKEN"),
    };
    let out = cmd.timeout(common::HANG).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_case_has_its_exit_code_and_message() {
    let server = start(TOKEN.to_string(), digest());
    let mut failures = Vec::new();
    for c in cases() {
        let started = Instant::now();
        let (code, out, err) = run(&format!("{}{}", server.base, c.path), &c.args, c.token, &[]);
        if code != c.code || !(out.contains(c.says) || err.contains(c.says)) {
            failures
                .push(format!("{}: exit {code} (want {}), output {out:?} {err:?} lacks {:?}", c.name, c.code, c.says));
        }
        if started.elapsed() > common::HANG {
            failures.push(format!("{}: took {:?}", c.name, started.elapsed()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_match_prints_one_line_naming_the_row_and_the_leg_without_query() {
    let server = start(TOKEN.to_string(), digest());
    let args = api_eu_args();
    let (code, out, err) = run(&format!("{}/pins?leg=prod&sig=xyz", server.base), &args, Some(TOKEN), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "PASS readback {}/pins: row template=api, region=eu: image_digest sha256:{} matches\n",
            server.base,
            digest()
        )
    );
}

#[test]
fn a_slow_drip_times_out_and_connection_refused_is_environment() {
    let server = start(TOKEN.to_string(), digest());
    let args: Vec<String> = vec!["--rows".into(), "/r".into(), "--expect".into(), digest()];
    let started = Instant::now();
    let (code, _, err) = run(&format!("{}/slow", server.base), &args, Some(TOKEN), &["--timeout", "1"]);
    assert_eq!(code, 3, "{err}");
    assert!(started.elapsed() < common::HANG, "--timeout 1 did not end the slow drip");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (code, _, err) = run(&format!("http://127.0.0.1:{port}/pins"), &args, Some(TOKEN), &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("request failed after 1 attempt(s): I/O error: Connection refused"), "{err}");

    // A refused connection is retried, the wait doubling each time: 250 +
    // 500 + 1,000 ms at least (a lower bound: sleeps never end early).
    let started = Instant::now();
    let (code, _, err) = run(&format!("http://127.0.0.1:{port}/pins"), &args, Some(TOKEN), &["--retries", "3"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("request failed after 4 attempt(s)"), "{err}");
    assert!(started.elapsed() >= Duration::from_millis(1750), "{:?}", started.elapsed());
}

#[test]
fn retries_cover_5xx_only_with_backoff() {
    let server = start(TOKEN.to_string(), digest());
    let args = api_eu_args();
    let (code, _, err) = run(&format!("{}/flaky", server.base), &args, Some(TOKEN), &["--retries", "2"]);
    assert_eq!(code, 0, "{err}");
    let before = server.hits.load(std::sync::atomic::Ordering::SeqCst);
    let (code, _, _) = run(&format!("{}/status/500", server.base), &args, Some(TOKEN), &["--retries", "2"]);
    assert_eq!(code, 3);
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::SeqCst) - before, 3, "one try and two retries");
    let before = server.hits.load(std::sync::atomic::Ordering::SeqCst);
    let (code, _, _) = run(&format!("{}/status/403", server.base), &args, Some(TOKEN), &["--retries", "2"]);
    assert_eq!(code, 3);
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::SeqCst) - before, 1, "a 403 is not retried");

    // The backoff doubles: 250 + 500 + 1,000 ms of waiting at least before
    // the fourth try. (A lower bound only: sleeps never end early.)
    let started = Instant::now();
    let (code, _, _) = run(&format!("{}/status/500", server.base), &args, Some(TOKEN), &["--retries", "3"]);
    assert_eq!(code, 3);
    assert!(started.elapsed() >= Duration::from_millis(1750), "{:?}", started.elapsed());
}

#[test]
fn the_token_never_appears_in_any_output_or_report() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let sentinel = format!(
        "sentinel-{:016x}",
        (u64::from(std::process::id()) << 32 | u64::from(nanos)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    let server = start(sentinel.clone(), digest());
    let dir = tempfile::tempdir().unwrap();
    for (i, c) in cases().into_iter().enumerate() {
        let report = dir.path().join(format!("r{i}.json"));
        let report_arg = report.to_str().unwrap().to_string();
        for format in ["human", "json"] {
            let (_, out, err) = run(
                &format!("{}{}", server.base, c.path),
                &c.args,
                Some(&sentinel),
                &["--format", format, "--report", &report_arg],
            );
            let written = std::fs::read_to_string(&report).unwrap_or_default();
            for (what, text) in [("stdout", &out), ("stderr", &err), ("report", &written)] {
                assert!(!text.contains(&sentinel), "{}: the token leaked into {what}: {text}", c.name);
            }
        }
    }
}

#[test]
fn readback_from_a_file_and_stdin() {
    let doc = common::http::pins_body(&digest());
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), &doc).unwrap();
    let args = ["pin", "readback", "--rows", "/runtime_image_pins", "--where", "template=api", "--where", "region=eu"];
    sealcheck().args(args).arg("--from-file").arg(f.path()).args(["--expect", &digest()]).assert().code(0);
    sealcheck().args(args).args(["--from-file", "-", "--expect", &"c".repeat(64)]).write_stdin(doc).assert().code(1);
    sealcheck().args(["pin", "readback", "--rows", "/r", "--expect", &digest()]).assert().code(2);
}

/// A body from stdin is read up to the cap and refused one byte past it
/// (never cut short and then judged).
#[test]
fn a_body_from_stdin_is_capped_at_exactly_the_limit() {
    let doc = common::http::pins_body(&digest());
    let cap = sealcheck::readback::MAX_BODY as usize;
    let args = ["pin", "readback", "--rows", "/runtime_image_pins", "--where", "template=api", "--where", "region=eu"];
    let padded = |len: usize| {
        let mut b = doc.clone().into_bytes();
        b.resize(len, b' ');
        b
    };
    sealcheck().args(args).args(["--from-file", "-", "--expect", &digest()]).write_stdin(padded(cap)).assert().code(0);
    let out = sealcheck()
        .args(args)
        .args(["--from-file", "-", "--expect", &digest(), "--format", "json"])
        .write_stdin(padded(cap + 1))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checks"]["readback"]["outcome"], "body_too_large", "{report}");
}
