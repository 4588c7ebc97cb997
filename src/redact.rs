//! Redaction of the secrets in play, before anything is cut or trimmed.
//!
//! A [`Redactor`] knows every secret of a run (a bearer token, the values
//! of `--forbid-token`) in every form it may take on the way out: as given,
//! trimmed, escaped inside a JSON string, and Base64-encoded (as in HTTP
//! Basic credentials). [`Redactor::redact`] replaces every occurrence of any
//! of those, and also every run of [`WINDOW`] bytes or more that stands in
//! one of them, so a server that echoes half a token, or a message cut in
//! the middle of one, shows none of it. Redaction comes first: a value is
//! only cut with [`Redactor::cut`], which redacts before it cuts and never
//! splits the marker.

use std::collections::HashSet;

use base64::Engine as _;

/// The shortest run of a secret's bytes that is redacted wherever it
/// appears.
pub const WINDOW: usize = 12;

/// What stands in the place of a secret.
pub const MARKER: &str = "[REDACTED]";

/// The secrets of a run, ready to be found in any text.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    exact: Vec<Vec<u8>>,
    windows: HashSet<Vec<u8>>,
}

impl Redactor {
    /// A redactor for `secrets`; empty strings are ignored.
    pub fn new<I, S>(secrets: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut r = Redactor::default();
        for s in secrets {
            r.add(s.as_ref());
        }
        r
    }

    /// Adds one secret, in every form it may take.
    pub fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let json = serde_json::to_string(secret).unwrap_or_default();
        let variants = [
            secret.to_string(),
            secret.trim().to_string(),
            json.trim_matches('"').to_string(),
            base64::engine::general_purpose::STANDARD.encode(secret),
        ];
        for v in variants {
            let v = v.into_bytes();
            if v.is_empty() {
                continue;
            }
            for w in v.windows(WINDOW) {
                self.windows.insert(w.to_vec());
            }
            if !self.exact.contains(&v) {
                self.exact.push(v);
            }
        }
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// `text` with every secret, and every run of one, replaced by
    /// [`MARKER`].
    pub fn redact(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_string();
        }
        let b = text.as_bytes();
        let mut hidden = vec![false; b.len()];
        for secret in &self.exact {
            let mut from = 0;
            while let Some(at) = find(&b[from..], secret) {
                hidden[from + at..from + at + secret.len()].iter_mut().for_each(|h| *h = true);
                from += at + 1;
            }
        }
        if b.len() >= WINDOW {
            for i in 0..=b.len() - WINDOW {
                if self.windows.contains(&b[i..i + WINDOW]) {
                    hidden[i..i + WINDOW].iter_mut().for_each(|h| *h = true);
                }
            }
        }
        // Whole characters only: widen each run to character boundaries.
        let mut out = String::with_capacity(text.len());
        let mut in_run = false;
        for (i, c) in text.char_indices() {
            if hidden[i..i + c.len_utf8()].iter().any(|h| *h) {
                if !in_run {
                    out.push_str(MARKER);
                    in_run = true;
                }
            } else {
                in_run = false;
                out.push(c);
            }
        }
        out
    }

    /// `text` redacted, then cut to at most `max` characters (an ellipsis
    /// marks the cut); a marker is never split.
    pub fn cut(&self, text: &str, max: usize) -> String {
        let clean = self.redact(text);
        if clean.chars().count() <= max {
            return clean;
        }
        let mut out: String = clean.chars().take(max).collect();
        // A marker cut in two would read as text; drop its remains.
        if let Some(at) = out.rfind('[') {
            if MARKER.starts_with(&out[at..]) && out[at..].len() < MARKER.len() {
                out.truncate(at);
            }
        }
        out.push('…');
        out
    }

    /// Redacts every string value inside a JSON value. Keys are the
    /// document's own shape, never data, and are left as they are, so the
    /// document keeps its schema.
    pub fn redact_value(&self, v: &mut serde_json::Value) {
        if self.is_empty() {
            return;
        }
        match v {
            serde_json::Value::String(s) => *s = self.redact(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| self.redact_value(i)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|val| self.redact_value(val)),
            _ => {}
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "  s3cr3t-t\u{f6}ken\tvalue-0123456789  ";

    #[test]
    fn every_form_and_every_long_run_is_hidden() {
        let r = Redactor::new([SECRET]);
        let trimmed = SECRET.trim();
        let texts = [
            format!("echo: {SECRET}!"),
            format!("echo: {trimmed}!"),
            format!("half: {}", &trimmed[..14]),
            format!("tail: {}", &trimmed[trimmed.len() - 13..]),
            format!("json: {}", serde_json::to_string(SECRET).unwrap()),
            format!("basic: {}", base64::engine::general_purpose::STANDARD.encode(SECRET)),
        ];
        for t in texts {
            let out = r.redact(&t);
            assert!(out.contains(MARKER), "{out}");
            for w in trimmed.as_bytes().windows(WINDOW) {
                assert!(!out.as_bytes().windows(WINDOW).any(|o| o == w), "{out}");
            }
        }
        assert_eq!(r.redact("nothing here"), "nothing here");
    }

    #[test]
    fn a_secret_shorter_than_a_window_is_found_even_as_the_whole_text() {
        let r = Redactor::new(["tok"]);
        assert_eq!(r.redact("tok"), MARKER);
        assert_eq!(r.redact("a tok b"), format!("a {MARKER} b"));
        assert_eq!(r.redact("to"), "to");
    }

    #[test]
    fn cutting_redacts_first_and_never_splits_the_marker() {
        let r = Redactor::new(["abcdefghijklmnop"]);
        let text = format!("xx {} yy", "abcdefghijklmnop");
        assert_eq!(r.cut(&text, 100), "xx [REDACTED] yy");
        assert_eq!(r.cut(&text, 7), "xx …");
        assert_eq!(r.cut(&text, 3), "xx …");
        // The cut would have left 12 bytes of the secret had it come first.
        assert!(!r.cut(&text[..15], 15).contains("abcdefghijkl"));
        // A whole marker at the cut is kept; a '[' of the text is text.
        assert_eq!(r.cut(&format!("{text} and more"), 13), "xx [REDACTED]…");
        assert_eq!(r.cut("see [x] and more", 6), "see [x…");
        // Remains that could be a split marker are dropped, never shown.
        assert_eq!(r.cut("see [R and more", 6), "see …");
    }

    #[test]
    fn json_string_values_are_redacted_and_the_shape_kept() {
        let r = Redactor::new(["abcdefghijklmnop", "t"]);
        let mut v = serde_json::json!({"verdict": ["x abcdefghijklmnop"], "n": 1, "ok": true});
        r.redact_value(&mut v);
        assert_eq!(v, serde_json::json!({"verdict": ["x [REDACTED]"], "n": 1, "ok": true}));
    }
}
