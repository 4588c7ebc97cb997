//! The runtime-pin read-back gate: fetch a JSON document, pick one row,
//! assert its digest field.
//!
//! Every way to fail is red with its own exit status (see `docs/pins.md`).
//! The bearer token comes only from an environment variable, is checked
//! before any connection, and never appears in any message, report or error
//! chain: every text this module returns passes through [`Redactor`].
//! Redirects are not followed and the body is capped.

use std::io::Read;
use std::time::Duration;

use serde_json::Value;

use crate::report::Verdict;
use crate::{Digest, Status};

pub use crate::report::sections::ReadbackCheck;

/// The largest body read (16 MiB).
pub const MAX_BODY: u64 = 16 << 20;

/// Where the document comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An HTTP(S) URL.
    Url(String),
    /// A file, or standard input for `-`.
    File(std::path::PathBuf),
}

/// What to read back and what to expect.
#[derive(Clone, Debug)]
pub struct ReadbackOptions {
    /// The document.
    pub source: Source,
    /// The environment variable holding the bearer token, if any.
    pub token_env: Option<String>,
    /// JSON pointer to the array of rows.
    pub rows: String,
    /// `KEY=VALUE` conditions a row must all meet.
    pub wheres: Vec<(String, String)>,
    /// The row's digest field. Default `image_digest`.
    pub field: String,
    /// The expected digest, as given (validated before anything else).
    pub expect: String,
    /// Timeout of one whole request. Default 30 s.
    pub timeout: Duration,
    /// Retries after connection errors and 5xx answers, with backoff.
    /// Default 0.
    pub retries: u32,
    /// The largest body read. Default [`MAX_BODY`].
    pub max_body: u64,
}

use crate::redact::Redactor;

/// The leg's name: scheme, host, port and path; no query, fragment or
/// credentials.
pub fn leg_name(source: &Source) -> String {
    match source {
        Source::File(p) => p.display().to_string(),
        Source::Url(u) => {
            let u = u.split(['?', '#']).next().unwrap_or("");
            match u.split_once("://") {
                Some((scheme, rest)) => {
                    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                    let host = authority.rsplit('@').next().unwrap_or(authority);
                    format!("{scheme}://{host}{path}")
                }
                None => u.to_string(),
            }
        }
    }
}

/// A failure: its outcome code (see [`status`]) and message.
struct Fail(&'static str, String);

/// Runs the read-back. `env` looks up environment variables (so tests and
/// the binary share one path).
pub fn readback(opts: &ReadbackOptions, env: impl Fn(&str) -> Option<String>) -> ReadbackCheck {
    let token = opts.token_env.as_deref().and_then(&env);
    let redact = Redactor::new(token.iter());
    let mut check = new_check(opts);
    let result = run(opts, token.as_deref(), &redact, &mut check);
    settle(&mut check, result, &redact);
    check.expected = redact.redact(&check.expected);
    check.actual = check.actual.map(|a| redact.redact(&a));
    check
}

/// Records the outcome of a run in `check`, every message redacted.
fn settle(check: &mut ReadbackCheck, result: Result<String, Fail>, redact: &Redactor) {
    match result {
        Ok(msg) => {
            check.verdict = Verdict::Pass;
            check.outcome = "match".into();
            check.message = redact.redact(&msg);
        }
        Err(Fail(code, msg)) => {
            check.outcome = code.into();
            check.message = redact.redact(&msg);
        }
    }
}

/// A failing check for `opts`, before anything is known.
fn new_check(opts: &ReadbackOptions) -> ReadbackCheck {
    ReadbackCheck {
        verdict: Verdict::Fail,
        leg: leg_name(&opts.source),
        rows: opts.rows.clone(),
        wheres: opts.wheres.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        field: opts.field.clone(),
        expected: opts.expect.clone(),
        actual: None,
        http_status: None,
        attempts: 0,
        outcome: String::new(),
        message: String::new(),
    }
}

/// Judges `body` as the read-back would judge a fetched document (no I/O).
pub fn judge_document(body: &[u8], opts: &ReadbackOptions) -> ReadbackCheck {
    let mut check = new_check(opts);
    let result = Digest::from_pin(&opts.expect)
        .map_err(|e| Fail("bad_expect", format!("--expect {:?}: {e}", opts.expect)))
        .and_then(|expect| judge_body(body, &expect, opts, &Redactor::default(), &mut check));
    settle(&mut check, result, &Redactor::default());
    check
}

/// The exit status of a finished read-back.
pub fn status(check: &ReadbackCheck) -> Status {
    match check.outcome.as_str() {
        "match" => Status::Pass,
        "mismatch" | "missing_row" => Status::Integrity,
        "token_unset" | "connection" | "http_status" | "redirect" | "read_error" => Status::Environment,
        // bad_expect, bad_url, bad_body, body_too_large, bad_rows, ambiguous_row, bad_field, bad_digest
        _ => Status::BadInput,
    }
}

fn run(
    opts: &ReadbackOptions,
    token: Option<&str>,
    redact: &Redactor,
    check: &mut ReadbackCheck,
) -> Result<String, Fail> {
    let expect =
        Digest::from_pin(&opts.expect).map_err(|e| Fail("bad_expect", format!("--expect {:?}: {e}", opts.expect)))?;
    if let Some(name) = &opts.token_env {
        if token.is_none_or(|t| t.trim().is_empty()) {
            return Err(Fail(
                "token_unset",
                format!("the token variable {name} is unset, empty or blank: refusing to connect"),
            ));
        }
    }
    let body = match &opts.source {
        Source::Url(url) => {
            if has_userinfo(url) {
                return Err(Fail(
                    "bad_url",
                    "the URL carries credentials (user:password@): refused; a bearer token belongs in the \
                     variable --token-env names"
                        .to_string(),
                ));
            }
            fetch(url, token, opts, redact, check)?
        }
        Source::File(path) => read_file(path, opts.max_body)?,
    };
    judge_body(&body, &expect, opts, redact, check)
}

/// Judges a document already read: parse, select the row, compare. This is
/// the part of the gate that sees untrusted bytes; the fuzz target drives
/// it through [`judge_document`].
fn judge_body(
    body: &[u8],
    expect: &Digest,
    opts: &ReadbackOptions,
    redact: &Redactor,
    check: &mut ReadbackCheck,
) -> Result<String, Fail> {
    let expect = *expect;
    let doc: Value = crate::input::json::parse(body, "body")
        .map_err(|e| Fail("bad_body", format!("the body is not JSON as read: {e} ({} bytes read)", body.len())))?;
    let rows = doc
        .pointer(&opts.rows)
        .ok_or_else(|| Fail("bad_rows", format!("nothing at rows pointer {:?}", opts.rows)))?
        .as_array()
        .ok_or_else(|| Fail("bad_rows", format!("rows pointer {:?} is not an array", opts.rows)))?;
    let matching: Vec<&Value> = rows.iter().filter(|r| opts.wheres.iter().all(|(k, v)| field_eq(r, k, v))).collect();
    let row_name = check.wheres.join(", ");
    let row = match matching.as_slice() {
        [] => return Err(Fail("missing_row", format!("missing row: no row of {} rows has {row_name}", rows.len()))),
        [one] => *one,
        many => {
            return Err(Fail("ambiguous_row", format!("{} rows match {row_name}; expected exactly one", many.len())))
        }
    };
    let found = row
        .get(&opts.field)
        .ok_or_else(|| Fail("bad_field", format!("row {row_name} has no field {:?}", opts.field)))?;
    let found = found
        .as_str()
        .ok_or_else(|| Fail("bad_field", format!("row {row_name}: field {:?} is not a string", opts.field)))?;
    check.actual = Some(redact.cut(found, 100));
    let actual = Digest::from_pin(found).map_err(|e| {
        Fail("bad_digest", format!("row {row_name}: {}: malformed digest in the response: {e}", opts.field))
    })?;
    if actual != expect {
        return Err(Fail(
            "mismatch",
            format!("row {row_name}: {} is sha256:{actual}, expected sha256:{expect}", opts.field),
        ));
    }
    Ok(format!("row {row_name}: {} sha256:{actual} matches", opts.field))
}

fn field_eq(row: &Value, key: &str, want: &str) -> bool {
    match row.get(key) {
        Some(Value::String(s)) => s == want,
        // With arbitrary_precision the number keeps its text as written.
        Some(Value::Number(n)) => n.as_str() == want,
        Some(Value::Bool(b)) => want == if *b { "true" } else { "false" },
        _ => false,
    }
}

fn read_file(path: &std::path::Path, cap: u64) -> Result<Vec<u8>, Fail> {
    use crate::input::{self, Kind};
    let mut bytes = Vec::new();
    let shown = path.display().to_string();
    let res = if path.as_os_str() == "-" {
        input::stdin_capped(Kind::Document).take(cap + 1).read_to_end(&mut bytes).map(|_| ())
    } else {
        input::open(path, Kind::Document).and_then(|i| i.read_all()).map(|b| bytes = b).map_err(|e| match e {
            crate::Error::NotRegular { .. } => std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()),
            crate::Error::TooLarge { .. } => std::io::Error::new(std::io::ErrorKind::FileTooLarge, e.to_string()),
            crate::Error::Io { source, .. } => source,
            other => std::io::Error::other(other.to_string()),
        })
    };
    match res {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            return Err(Fail("body_too_large", format!("{shown}: larger than {cap} bytes")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => return Err(Fail("bad_body", e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Fail("read_error", format!("{shown}: no such file")))
        }
        Err(e) => return Err(Fail("read_error", format!("{shown}: {e}"))),
    }
    if bytes.len() as u64 > cap {
        return Err(Fail("body_too_large", format!("{shown}: larger than {cap} bytes")));
    }
    Ok(bytes)
}

/// What a person is shown of a body: redacted whole, then controls made
/// spaces, white space folded, and cut.
fn snippet(body: &[u8], redact: &Redactor) -> String {
    let text = redact.redact(&String::from_utf8_lossy(&body[..body.len().min(64 << 10)]));
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    redact.cut(&clean, 200)
}

/// Whether a URL names a user (and maybe a password) before its host.
fn has_userinfo(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

fn fetch(
    url: &str,
    token: Option<&str>,
    opts: &ReadbackOptions,
    redact: &Redactor,
    check: &mut ReadbackCheck,
) -> Result<Vec<u8>, Fail> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let mut backoff = Duration::from_millis(250);
    loop {
        check.attempts += 1;
        let retry_left = check.attempts <= opts.retries;
        let mut req = agent.get(url).header("Accept", "application/json");
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = match req.call() {
            Ok(r) => r,
            Err(e) => {
                let (retryable, msg) = describe_error(&e);
                if retryable && retry_left {
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(8));
                    continue;
                }
                return Err(Fail("connection", format!("request failed after {} attempt(s): {msg}", check.attempts)));
            }
        };
        let code = resp.status().as_u16();
        check.http_status = Some(code);
        let body = resp.body_mut().with_config().limit(opts.max_body).read_to_vec();
        if (300..400).contains(&code) {
            let to = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("?").to_string();
            return Err(Fail(
                "redirect",
                format!("HTTP {code}: redirect to {} not followed", leg_name(&Source::Url(to))),
            ));
        }
        if code != 200 {
            if code >= 500 && retry_left {
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(8));
                continue;
            }
            let text = body.as_deref().map(|b| snippet(b, redact)).unwrap_or_default();
            return Err(Fail("http_status", format!("HTTP {code} (expected 200): {text}")));
        }
        return body.map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(n) => Fail("body_too_large", format!("body larger than {n} bytes: refused")),
            ureq::Error::Timeout(_) => Fail("connection", "timed out while reading the body".to_string()),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                Fail("bad_body", format!("body truncated: {io}"))
            }
            other => Fail("bad_body", format!("body truncated or unreadable: {}", describe_error(&other).1)),
        });
    }
}

/// Whether an error is worth a retry, and what it says.
fn describe_error(e: &ureq::Error) -> (bool, String) {
    match e {
        ureq::Error::Timeout(t) => (true, format!("timed out ({t})")),
        ureq::Error::ConnectionFailed => (true, "connection failed".into()),
        ureq::Error::HostNotFound => (true, "host not found".into()),
        ureq::Error::Io(io) => (true, format!("I/O error: {io}")),
        ureq::Error::TooManyRedirects => (false, "redirect not followed".into()),
        other => (false, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legs_drop_query_fragment_and_credentials() {
        let leg = |u: &str| leg_name(&Source::Url(u.to_string()));
        assert_eq!(leg("https://user:pw@cp.example/v1/pins?token=abc#x"), "https://cp.example/v1/pins");
        assert_eq!(leg("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn the_redactor_hides_the_token_everywhere() {
        let r = Redactor::new(["s3cret"]);
        assert_eq!(r.redact("Bearer s3cret and s3cret"), "Bearer [REDACTED] and [REDACTED]");
    }

    #[test]
    fn a_body_is_redacted_before_it_is_cut_or_folded() {
        let token = "tok en\twith-spaces-and-more-bytes";
        let r = Redactor::new([token]);
        let body = format!("{}{token}{}", "x".repeat(190), " tail".repeat(50));
        let shown = snippet(body.as_bytes(), &r);
        for w in token.as_bytes().windows(crate::redact::WINDOW) {
            assert!(!shown.as_bytes().windows(crate::redact::WINDOW).any(|o| o == w), "{shown}");
        }
    }

    fn opts(source: Source, wheres: &[(&str, &str)], max_body: u64) -> ReadbackOptions {
        ReadbackOptions {
            source,
            token_env: None,
            rows: "/rows".into(),
            wheres: wheres.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            field: "digest".into(),
            expect: Digest::of(b"x").to_hex(),
            timeout: Duration::from_secs(1),
            retries: 0,
            max_body,
        }
    }

    /// A row is picked by a string, a number as written, or a boolean, and
    /// by nothing else: a number never equals its string, nor a boolean.
    #[test]
    fn rows_are_picked_by_strings_numbers_as_written_and_booleans() {
        let x = Digest::of(b"x").to_hex();
        let body = format!(
            r#"{{"rows": [
                {{"name": "a", "id": 7, "on": true, "digest": "{x}"}},
                {{"name": "b", "id": 7.0, "on": false, "digest": "{x}"}},
                {{"name": "7", "id": null, "on": "true", "digest": "{x}"}}
            ]}}"#
        );
        let outcome = |wheres: &[(&str, &str)]| {
            let c = judge_document(body.as_bytes(), &opts(Source::File("-".into()), wheres, MAX_BODY));
            (c.outcome, c.message)
        };
        let picked = |wheres: &[(&str, &str)], row: &str| {
            let (outcome, message) = outcome(wheres);
            assert_eq!(outcome, "match", "{wheres:?}: {message}");
            assert!(message.starts_with(&format!("row {row}:")), "{message}");
        };
        picked(&[("id", "7")], "id=7");
        picked(&[("id", "7.0")], "id=7.0");
        picked(&[("on", "true"), ("name", "a")], "on=true, name=a");
        picked(&[("on", "false")], "on=false");
        picked(&[("name", "7")], "name=7");
        for none in [&[("id", "8")][..], &[("on", "no")], &[("id", "null")], &[("name", "a"), ("on", "false")]] {
            assert_eq!(outcome(none).0, "missing_row", "{none:?}");
        }
        assert_eq!(outcome(&[("on", "true")]).0, "ambiguous_row", "the boolean and the string both read true");
    }

    /// A file is read up to the cap and refused past it, each failure with
    /// its own outcome.
    #[test]
    fn a_body_file_is_capped_and_each_failure_named() {
        let dir = tempfile::tempdir().unwrap();
        let x = Digest::of(b"x").to_hex();
        let body = format!(r#"{{"rows": [{{"digest": "{x}"}}]}}"#);
        let path = dir.path().join("body.json");
        std::fs::write(&path, &body).unwrap();
        let len = body.len() as u64;
        let at = |source: Source, cap| readback(&opts(source, &[], cap), |_| None);
        let file = || Source::File(path.clone());
        assert_eq!(at(file(), len).outcome, "match");
        let over = at(file(), len - 1);
        assert_eq!((over.outcome.as_str(), status(&over)), ("body_too_large", Status::BadInput), "{}", over.message);
        let gone = at(Source::File(dir.path().join("gone")), len);
        assert_eq!((gone.outcome.as_str(), status(&gone)), ("read_error", Status::Environment), "{}", gone.message);
        assert!(gone.message.ends_with("gone: no such file"), "{}", gone.message);
        let dir_body = at(Source::File(dir.path().to_path_buf()), len);
        assert_eq!(dir_body.outcome, "bad_body", "{}", dir_body.message);
        // A symlink is never followed, and is not reported as missing.
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let linked = at(Source::File(link), len);
        assert_eq!(linked.outcome, "bad_body", "{}", linked.message);
        assert!(linked.message.contains("found a symbolic link; refused without reading"), "{}", linked.message);
        // Any other error is a read error that says what it was.
        let through = at(Source::File(path.join("x")), len);
        assert_eq!(through.outcome, "read_error", "{}", through.message);
        assert!(through.message.contains("body.json/x: Not a directory"), "{}", through.message);
        // Over even the one reader's cap for documents: refused before it
        // is read (a sparse file, so nothing is written or read).
        let huge = dir.path().join("huge.json");
        std::fs::File::create(&huge).unwrap().set_len((64 << 20) + 1).unwrap();
        let over = at(Source::File(huge), MAX_BODY);
        assert_eq!(over.outcome, "body_too_large", "{}", over.message);
        assert!(over.message.ends_with(&format!("huge.json: larger than {MAX_BODY} bytes")), "{}", over.message);
    }

    #[test]
    fn userinfo_in_a_url_is_refused() {
        assert!(has_userinfo("https://user:pw@cp.example/v1"));
        assert!(has_userinfo("http://token@127.0.0.1:9/x"));
        assert!(!has_userinfo("https://cp.example/v1?email=a@b"));
    }
}
