//! GitHub Actions output: workflow-command annotations and a Markdown job
//! summary.
//!
//! GitHub shows at most 10 error annotations per step, so the first 9
//! findings become `::error` annotations and the rest are counted in a
//! tenth. Values are escaped as the Actions toolkit escapes them: `%`, CR
//! and LF in messages, and also `:` and `,` in properties. The job summary
//! is kept under GitHub's 1 MiB limit.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::finding::Finding;
use crate::Report;

/// Annotations GitHub shows per step and type.
pub const MAX_ANNOTATIONS: usize = 10;
/// The job summary's size limit, with room to spare.
pub const MAX_SUMMARY_BYTES: usize = 1000 * 1000;

/// Escapes a workflow-command message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn file_of(r: &Report, f: &Finding) -> String {
    match &r.packet {
        Some(p) if !f.path.starts_with('/') && !f.path.starts_with("../") => {
            format!("{}/{}", p.root.trim_end_matches('/'), f.path)
        }
        _ => f.path.clone(),
    }
}

fn message(f: &Finding) -> String {
    let mut m = f.message.clone();
    if let Some(p) = &f.proof {
        let _ = write!(m, "\nproof: {p}");
    }
    if let Some(h) = &f.hint {
        let _ = write!(m, "\nhint: {h}");
    }
    m
}

/// Writes annotations, then the verdict line.
pub fn write<W: Write + ?Sized>(w: &mut W, r: &Report) -> io::Result<()> {
    let red: Vec<&Finding> = r.findings.iter().filter(|f| !f.status().is_pass()).collect();
    let shown = if red.len() > MAX_ANNOTATIONS { MAX_ANNOTATIONS - 1 } else { red.len() };
    for f in &red[..shown] {
        let classes: Vec<&str> = f.classes.iter().map(|c| c.code()).collect();
        writeln!(
            w,
            "::error file={},title={}::{}",
            escape_property(&file_of(r, f)),
            escape_property(&format!("sealcheck {}: {}", r.command, classes.join(", "))),
            escape_data(&message(f))
        )?;
    }
    if red.len() > shown {
        writeln!(
            w,
            "::error title={}::{}",
            escape_property(&format!("sealcheck {}", r.command)),
            escape_data(&format!(
                "{} more findings not annotated (GitHub shows {MAX_ANNOTATIONS} per step): see the job summary or the JSON report",
                red.len() - shown
            ))
        )?;
    }
    if let Some(e) = &r.error {
        writeln!(
            w,
            "::error title={}::{}",
            escape_property(&format!("sealcheck {}", r.command)),
            escape_data(&e.message)
        )?;
    }
    if r.status().is_pass() {
        writeln!(w, "::notice title={}::PASS", escape_property(&format!("sealcheck {}", r.command)))?;
    }
    writeln!(w, "{} (exit {})", r.final_status, r.exit_code)
}

/// Text made inert in Markdown and HTML: every ASCII punctuation character
/// is backslash-escaped (CommonMark lets any be), `<`, `>` and `&` become
/// entities, and line breaks become spaces, so a name can neither render as
/// a link, an image or markup nor break out of its table cell.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn cell(s: &str) -> String {
    markdown_text(s)
}

/// The Markdown job summary, at most [`MAX_SUMMARY_BYTES`] long.
pub fn summary(r: &Report) -> String {
    let mut out = String::new();
    let icon = if r.status().is_pass() { "✅" } else { "❌" };
    let _ = writeln!(out, "### {icon} sealcheck {}: {} (exit {})\n", r.command, r.final_status, r.exit_code);
    if let Some(p) = &r.packet {
        let _ = writeln!(
            out,
            "Packet {}: {} files, {} bytes; packet_tree_sha256 `{}`\n",
            cell(&p.root),
            p.file_count,
            p.byte_count,
            p.packet_tree_sha256.as_deref().unwrap_or("not computed")
        );
    }
    if let Some(e) = &r.error {
        let _ = writeln!(out, "**Error:** {}\n", cell(&e.message));
    }
    if r.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| path | classes | finding |\n|---|---|---|\n");
    for (i, f) in r.findings.iter().enumerate() {
        let classes: Vec<&str> = f.classes.iter().map(|c| c.code()).collect();
        let row = format!("| {} | {} | {} |\n", cell(&f.path), classes.join(", "), cell(&message(f)));
        if out.len() + row.len() + 200 > MAX_SUMMARY_BYTES {
            let _ = writeln!(out, "\n… {} more findings not shown (see the JSON report)", r.findings.len() - i);
            break;
        }
        out.push_str(&row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn names_cannot_render_as_markdown_or_html() {
        let evil = "[click](https://x.example)<img src=x onerror=alert(1)>|`code`*b*\n# h";
        let shown = markdown_text(evil);
        assert_eq!(
            shown,
            "\\[click\\]\\(https\\:\\/\\/x\\.example\\)&lt;img src\\=x onerror\\=alert\\(1\\)&gt;\\|\\`code\\`\\*b\\* \\# h"
        );
        assert!(!shown.contains('<') && !shown.contains('\n'));
    }
}
