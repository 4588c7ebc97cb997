//! Forbidden content in a packet: tokens the user names, and
//! credential-shaped strings.
//!
//! Files are read in chunks with an overlap longer than any pattern, so a
//! match across a chunk edge is found once. A finding gives the path, the
//! line and what kind of value it is; the value itself is never printed
//! whole (at most its first four characters, for secrets; nothing of a
//! user's token but its number and length).

use std::io::Read;

use regex::bytes::Regex;

use crate::finding::{Finding, FindingClass};
use crate::fsio::Root;
use crate::RelPath;

pub use crate::report::sections::ScanCheck;

/// What to look for.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Exact byte strings that must not appear. Default none.
    pub tokens: Vec<String>,
    /// Look for credential-shaped strings. Disabled by default.
    pub secrets: bool,
}

impl ScanOptions {
    /// Whether there is anything to scan for.
    pub fn is_active(&self) -> bool {
        self.secrets || !self.tokens.is_empty()
    }
}

/// A compiled pattern.
#[derive(Debug)]
struct Pattern {
    class: FindingClass,
    what: String,
    regex: Regex,
    show_prefix: bool,
}

/// The compiled scanner.
#[derive(Debug)]
pub struct Scanner {
    patterns: Vec<Pattern>,
    overlap: usize,
}

const SECRETS: &[(&str, &str)] = &[
    ("PEM private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    ("AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"),
    ("GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
    ("GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("JSON Web Token", r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}"),
    ("Authorization: Bearer header", r"(?i)authorization:\s*bearer\s+[A-Za-z0-9._~+/=-]{8,}"),
];

impl Scanner {
    /// Compiles `opts`.
    pub fn new(opts: &ScanOptions) -> Scanner {
        let mut patterns = Vec::new();
        for (i, t) in opts.tokens.iter().enumerate() {
            patterns.push(Pattern {
                class: FindingClass::ForbiddenToken,
                what: format!("forbidden token #{} ({} bytes)", i + 1, t.len()),
                regex: Regex::new(&regex::escape(t)).expect("an escaped literal compiles"),
                show_prefix: false,
            });
        }
        if opts.secrets {
            for (what, re) in SECRETS {
                patterns.push(Pattern {
                    class: FindingClass::SecretLeak,
                    what: (*what).to_string(),
                    regex: Regex::new(re).expect("built-in patterns compile"),
                    show_prefix: true,
                });
            }
        }
        let longest = opts.tokens.iter().map(String::len).max().unwrap_or(0);
        Scanner { patterns, overlap: longest.max(4096) }
    }

    /// Scans one file; `Err` only when it cannot be read.
    pub fn scan(&self, root: &Root, rel: &RelPath, buf: &mut [u8]) -> std::io::Result<Vec<Finding>> {
        let (mut file, _) = root.open_file(rel).map_err(|e| match e {
            crate::fsio::OpenError::Io(e) => e,
            other => std::io::Error::other(format!("{other:?}")),
        })?;
        let mut window: Vec<u8> = Vec::new();
        let mut line_base = 1usize;
        let mut out = Vec::new();
        loop {
            let n = loop {
                match file.read(buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            let last = n == 0;
            window.extend_from_slice(&buf[..n]);
            let reportable = if last { window.len() } else { window.len().saturating_sub(self.overlap) };
            for p in &self.patterns {
                for m in p.regex.find_iter(&window) {
                    if m.start() >= reportable {
                        break;
                    }
                    let line = line_base + window[..m.start()].iter().filter(|&&b| b == b'\n').count();
                    out.push(self.finding(rel, p, m.as_bytes(), line));
                }
            }
            if last {
                break;
            }
            line_base += window[..reportable].iter().filter(|&&b| b == b'\n').count();
            window.drain(..reportable);
        }
        out.sort_by(|a, b| a.message.cmp(&b.message));
        Ok(out)
    }

    /// Scans one path name (every component of it). A hit's finding names
    /// the path with the match itself redacted.
    pub fn scan_name(&self, rel: &RelPath) -> Vec<Finding> {
        let name = rel.as_bytes();
        let mut out = Vec::new();
        for p in &self.patterns {
            for m in p.regex.find_iter(name) {
                let shown = format!(
                    "{}[REDACTED]{}",
                    crate::escape::escape_bytes(&name[..m.start()]),
                    crate::escape::escape_bytes(&name[m.end()..])
                );
                let mut f = self.finding(rel, p, m.as_bytes(), 0);
                f.path = shown;
                f.message = f.message.replacen("line 0: ", "in the path name: ", 1);
                f.proof = Some(format!("the path name holds a match of the {} pattern", p.what));
                out.push(f);
            }
        }
        out
    }

    fn finding(&self, rel: &RelPath, p: &Pattern, value: &[u8], line: usize) -> Finding {
        let shown = if p.show_prefix {
            let prefix: String = String::from_utf8_lossy(value).chars().take(4).collect();
            format!("{prefix}… ({} bytes, redacted)", value.len())
        } else {
            "(redacted)".to_string()
        };
        let mut f = Finding::new(rel.display(), p.class, format!("line {line}: {}: {shown}", p.what));
        f.proof = Some(format!("line {line} of the file's bytes holds a match of the {} pattern", p.what));
        f.hint = Some(match p.class {
            FindingClass::SecretLeak => {
                "a credential must never be sealed into evidence: revoke it, remove it, and re-seal".to_string()
            }
            _ => "remove the forbidden content and re-seal".to_string(),
        });
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(content: &[u8], opts: &ScanOptions, buf_size: usize) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), content).unwrap();
        let root = Root::open(dir.path()).unwrap();
        let mut buf = vec![0u8; buf_size];
        Scanner::new(opts)
            .scan(&root, &RelPath::new(b"f".to_vec()).unwrap(), &mut buf)
            .unwrap()
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn secrets_are_found_with_line_and_redacted() {
        let aws = "AKIAIOSFODNN7EXAMPLE";
        let text = format!("ok\nkey = {aws}\n-----BEGIN RSA PRIVATE KEY-----\nAuthorization: Bearer abcdefgh12345\n");
        let hits = scan(text.as_bytes(), &ScanOptions { secrets: true, ..Default::default() }, 4096);
        assert_eq!(
            hits,
            [
                "line 2: AWS access key id: AKIA… (20 bytes, redacted)",
                "line 3: PEM private key: ----… (31 bytes, redacted)",
                "line 4: Authorization: Bearer header: Auth… (35 bytes, redacted)",
            ]
        );
        assert!(hits.iter().all(|h| !h.contains(aws)));
    }

    #[test]
    fn path_names_are_scanned_and_the_match_is_redacted_in_the_finding() {
        let opts = ScanOptions { tokens: vec!["SECRET-TOKEN-42".into()], secrets: true };
        let rel = RelPath::new(b"logs/SECRET-TOKEN-42/AKIAIOSFODNN7EXAMPLE.txt".to_vec()).unwrap();
        let hits = Scanner::new(&opts).scan_name(&rel);
        let paths: Vec<&str> = hits.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["logs/[REDACTED]/AKIAIOSFODNN7EXAMPLE.txt", "logs/SECRET-TOKEN-42/[REDACTED].txt"]);
        assert!(Scanner::new(&opts).scan_name(&RelPath::new(b"clean.txt".to_vec()).unwrap()).is_empty());
    }

    #[test]
    fn tokens_across_chunk_edges_are_found_once_on_the_right_line() {
        let mut content = vec![b'x'; 10_000];
        content[5000] = b'\n';
        content.extend_from_slice(b"\nSECRET-TOKEN-42\n");
        let opts = ScanOptions { tokens: vec!["SECRET-TOKEN-42".into()], secrets: false };
        for buf_size in [7, 64, 4096, 65536] {
            assert_eq!(scan(&content, &opts, buf_size), ["line 3: forbidden token #1 (15 bytes): (redacted)"]);
        }
    }
}
