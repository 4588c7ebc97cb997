//! Go's `dirhash` `h1:` value of a tree, so a packet can be compared with a
//! `go.sum` line.
//!
//! `h1:` is base64 (standard, padded) of the SHA-256 of a summary with one
//! line `"<hex sha256>  <name>\n"` per file, sorted by name, where each name
//! is the packet path behind an optional `prefix/` (`module@version` in
//! `go.sum`). Go refuses names holding a newline, and so does this.

use base64::Engine as _;

use crate::{Digest, Error, RelPath};

/// The `h1:` hash of `files` (sorted by path), each under `prefix/` when a
/// prefix is given.
pub fn h1<'a, I>(files: I, prefix: Option<&str>) -> Result<String, Error>
where
    I: IntoIterator<Item = (&'a RelPath, &'a Digest)>,
{
    let mut summary = Vec::new();
    for (path, digest) in files {
        if path.as_bytes().contains(&b'\n') {
            return Err(Error::Usage(format!(
                "{}: dirhash h1 cannot represent a file name with a newline",
                path.display()
            )));
        }
        summary.extend_from_slice(digest.to_hex().as_bytes());
        summary.extend_from_slice(b"  ");
        if let Some(p) = prefix.filter(|p| !p.is_empty()) {
            summary.extend_from_slice(p.trim_end_matches('/').as_bytes());
            summary.push(b'/');
        }
        summary.extend_from_slice(path.as_bytes());
        summary.push(b'\n');
    }
    Ok(format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(Digest::of(&summary).0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h1_of_a_known_summary() {
        // The summary for one file "a" holding "abc" is
        // "ba78…15ad  a\n"; its SHA-256, base64-encoded, is the h1 value.
        let path = RelPath::new(b"a".to_vec()).unwrap();
        let d = Digest::of(b"abc");
        let summary = format!("{}  a\n", d.to_hex());
        let want = format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(Digest::of(summary.as_bytes()).0));
        assert_eq!(h1([(&path, &d)], None).unwrap(), want);
        let with_prefix = format!("{}  m@v1.0.0/a\n", d.to_hex());
        let want =
            format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(Digest::of(with_prefix.as_bytes()).0));
        assert_eq!(h1([(&path, &d)], Some("m@v1.0.0")).unwrap(), want);
    }

    #[test]
    fn h1_refuses_newlines_like_go() {
        let path = RelPath::new(b"a\nb".to_vec()).unwrap();
        assert!(h1([(&path, &Digest::of(b""))], None).is_err());
    }
}
