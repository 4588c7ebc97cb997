//! SARIF 2.1.0, as GitHub code scanning accepts it: one rule per finding
//! class (its code as `ruleId`, its description), one result per red or
//! allowed finding with the file's real path, a `partialFingerprints` value
//! that depends only on the class and the path (so it is stable across
//! runs), levels by severity, and the invocation's success and exit code
//! (with the error, when the command could not judge).

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::finding::{Finding, FindingClass};
use crate::{Digest, Report, Status};

/// The schema every document names.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where paths are relative to.
const BASE: &str = "PACKET";

fn level(f: &Finding) -> &'static str {
    if f.allowed {
        return "note";
    }
    match f.status() {
        Status::Pass => "note",
        Status::Environment => "warning",
        _ => "error",
    }
}

fn rule(c: FindingClass) -> Value {
    let level = match c.status() {
        Status::Environment => "warning",
        _ => "error",
    };
    json!({
        "id": c.code(),
        "name": c.code().split('_').map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        }).collect::<String>(),
        "shortDescription": {"text": c.description()},
        "fullDescription": {"text": format!("{} (a finding of this class is red: exit {})", c.description(), c.status().code())},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["integrity", "sealcheck"]},
    })
}

/// The packet root as a file URL ending in `/`, when it can be resolved.
fn base_uri(root: &str) -> Option<String> {
    let abs = std::fs::canonicalize(Path::new(root)).ok()?;
    url::Url::from_directory_path(abs).ok().map(|u| u.to_string())
}

/// A packet-relative display path as a relative URI reference.
fn relative_uri(path: &str) -> String {
    let base = url::Url::parse("file:///").expect("a valid base");
    match base.join(&path.replace('%', "%25").replace('?', "%3F").replace('#', "%23")) {
        Ok(u) => u.path().trim_start_matches('/').to_string(),
        Err(_) => path.to_string(),
    }
}

/// The SARIF document of `r`.
pub fn document(r: &Report) -> Value {
    let rules: Vec<Value> = FindingClass::ALL.iter().map(|c| rule(*c)).collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let class = f.classes[0];
            let index = FindingClass::ALL.iter().position(|c| *c == class).unwrap_or(0);
            let mut text = f.message.clone();
            if let Some(p) = &f.proof {
                text.push_str(&format!(" Proof: {p}."));
            }
            if let Some(h) = &f.hint {
                text.push_str(&format!(" Hint: {h}."));
            }
            let fingerprint = Digest::of(format!("{}\0{}", class.code(), f.path).as_bytes()).to_hex();
            json!({
                "ruleId": class.code(),
                "ruleIndex": index,
                "level": level(f),
                "message": {"text": text},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": relative_uri(&f.path), "uriBaseId": BASE}}}],
                "partialFingerprints": {"sealcheckFinding/v1": fingerprint},
                "properties": {
                    "classes": f.classes.iter().map(|c| c.code()).collect::<Vec<_>>(),
                    "expected_sha256": f.expected_sha256,
                    "actual_sha256": f.actual_sha256,
                },
            })
        })
        .collect();
    let mut invocation = json!({
        "executionSuccessful": r.error.is_none(),
        "exitCode": r.exit_code,
    });
    if let Some(e) = &r.error {
        invocation["toolExecutionNotifications"] = json!([{
            "level": "error",
            "message": {"text": e.message},
            "descriptor": {"id": e.code},
        }]);
    }
    let mut run = json!({
        "tool": {"driver": {
            "name": r.tool.name,
            "version": r.tool.version,
            "semanticVersion": r.tool.version,
            "informationUri": "https://crates.io/crates/sealcheck",
            "rules": rules,
        }},
        "results": results,
        "invocations": [invocation],
        "properties": {"command": r.command, "final_status": r.final_status, "date": r.date},
    });
    if let Some(uri) = r.packet.as_ref().and_then(|p| base_uri(&p.root)) {
        run["originalUriBaseIds"] = json!({BASE: {"uri": uri}});
    }
    json!({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
}

/// Writes `r` as SARIF.
pub fn write<W: Write + ?Sized>(w: &mut W, r: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &document(r)).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(relative_uri("notes/with space.txt"), "notes/with%20space.txt");
        assert_eq!(relative_uri("a%b#c?.txt"), "a%25b%23c%3F.txt");
        assert_eq!(relative_uri("caf\u{e9}.txt"), "caf%C3%A9.txt");
    }
}
