//! JSON drifts: `ensure_ascii` escapes both ways, and re-serialization in
//! the layouts Python's `json.dumps` produces.
//!
//! The escape transforms rewrite only the inside of string tokens and keep
//! every other byte, so they undo exactly an `ensure_ascii` flip. [`dumps`]
//! writes a parsed value the way CPython's `json.dumps` does, byte for byte:
//! separators, indentation, key order, string escapes and float `repr`.
//! `tests/python_json.rs` holds it to real Python.

use std::fmt::Write as _;

use serde_json::Value;

/// Parses `b` as one JSON document (key order and number text kept).
pub fn parse(b: &[u8]) -> Option<Value> {
    serde_json::from_slice(b).ok()
}

fn rewrite_strings(b: &[u8], mut inside: impl FnMut(&[u8], &mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + b.len() / 8);
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        // A string token: find its closing quote, skipping escapes.
        let start = i + 1;
        let mut j = start;
        while j < b.len() && b[j] != b'"' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        let end = j.min(b.len());
        out.push(b'"');
        inside(&b[start..end], &mut out);
        if end < b.len() {
            out.push(b'"');
        }
        i = end + 1;
    }
    out
}

/// `ensure_ascii=True`: every character from U+007F up inside strings
/// becomes `\uXXXX` (surrogate pairs above U+FFFF), lowercase hex unless
/// `upper`. `None` if `b` is not JSON or nothing changes.
pub fn escape_non_ascii(b: &[u8], upper: bool) -> Option<Vec<u8>> {
    parse(b)?;
    let out = rewrite_strings(b, |s, out| {
        let text = String::from_utf8_lossy(s);
        for c in text.chars() {
            if (c as u32) < 0x7f {
                out.push(c as u8);
                continue;
            }
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let esc = if upper { format!("\\u{u:04X}") } else { format!("\\u{u:04x}") };
                out.extend_from_slice(esc.as_bytes());
            }
        }
    });
    (out != b).then_some(out)
}

/// `ensure_ascii=False`: every `\uXXXX` escape for U+007F and up (pairs
/// joined) becomes the literal character. `None` if `b` is not JSON or
/// nothing changes.
pub fn unescape_non_ascii(b: &[u8]) -> Option<Vec<u8>> {
    parse(b)?;
    let out = rewrite_strings(b, |s, out| {
        let mut i = 0;
        while i < s.len() {
            if s[i] == b'\\' && s.get(i + 1) == Some(&b'u') {
                if let Some(u) = hex4(&s[i + 2..]) {
                    let pair = if (0xd800..0xdc00).contains(&u) && s.get(i + 6..i + 8) == Some(b"\\u") {
                        hex4(&s[i + 8..]).filter(|l| (0xdc00..0xe000).contains(l))
                    } else {
                        None
                    };
                    let (c, used) = match pair {
                        Some(lo) => (char::decode_utf16([u, lo]).next().and_then(Result::ok), 12),
                        None => (char::from_u32(u32::from(u)), 6),
                    };
                    if let Some(c) = c.filter(|c| *c as u32 >= 0x7f) {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        i += used;
                        continue;
                    }
                }
            }
            if s[i] == b'\\' && i + 1 < s.len() {
                out.extend_from_slice(&s[i..i + 2]);
                i += 2;
            } else {
                out.push(s[i]);
                i += 1;
            }
        }
    });
    (out != b).then_some(out)
}

fn hex4(b: &[u8]) -> Option<u16> {
    let h = b.get(..4)?;
    u16::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok().filter(|_| h.iter().all(u8::is_ascii_hexdigit))
}

/// Indentation of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Indent {
    /// `indent=None`: one line.
    None,
    /// `indent=n` spaces.
    Spaces(u8),
    /// `indent="\t"`.
    Tab,
}

/// One way `json.dumps` can lay a value out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    /// The `indent` argument.
    pub indent: Indent,
    /// `separators=(",", ":")` instead of the default.
    pub compact: bool,
    /// `sort_keys=True`.
    pub sort_keys: bool,
    /// `ensure_ascii` (Python's default is `True`).
    pub ensure_ascii: bool,
}

impl Layout {
    /// Every layout the diagnosis tries: one-line default and compact, and
    /// indents 1, 2, 4 and tab, each with and without `sort_keys` and
    /// `ensure_ascii`.
    pub fn all() -> Vec<Layout> {
        let mut out = Vec::new();
        let shapes =
            [(Indent::None, false), (Indent::None, true), (Indent::Spaces(2), false), (Indent::Spaces(4), false)]
                .into_iter()
                .chain([(Indent::Spaces(1), false), (Indent::Tab, false), (Indent::Spaces(0), false)]);
        for (indent, compact) in shapes {
            for sort_keys in [false, true] {
                for ensure_ascii in [true, false] {
                    out.push(Layout { indent, compact, sort_keys, ensure_ascii });
                }
            }
        }
        out
    }

    /// The Python call this layout is.
    pub fn describe(&self) -> String {
        let mut args = Vec::new();
        match self.indent {
            Indent::None => {}
            Indent::Spaces(n) => args.push(format!("indent={n}")),
            Indent::Tab => args.push("indent=\"\\t\"".to_string()),
        }
        if self.compact {
            args.push("separators=(\",\", \":\")".to_string());
        }
        if self.sort_keys {
            args.push("sort_keys=True".to_string());
        }
        if !self.ensure_ascii {
            args.push("ensure_ascii=False".to_string());
        }
        format!("json.dumps({})", args.join(", "))
    }
}

/// `json.dumps(value, **layout)` as CPython writes it (no final newline).
pub fn dumps(v: &Value, layout: &Layout) -> String {
    let mut out = String::new();
    write_value(&mut out, v, layout, 0);
    out
}

fn newline_indent(out: &mut String, layout: &Layout, depth: usize) {
    out.push('\n');
    match layout.indent {
        Indent::None => {}
        Indent::Spaces(n) => out.extend(std::iter::repeat_n(' ', usize::from(n) * depth)),
        Indent::Tab => out.extend(std::iter::repeat_n('\t', depth)),
    }
}

fn write_value(out: &mut String, v: &Value, layout: &Layout, depth: usize) {
    let item_sep = match (layout.compact, layout.indent) {
        (true, _) | (false, Indent::Spaces(_) | Indent::Tab) => ",",
        (false, Indent::None) => ", ",
    };
    let key_sep = if layout.compact { ":" } else { ": " };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, &n.to_string()),
        Value::String(s) => write_string(out, s, layout.ensure_ascii),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                if layout.indent != Indent::None {
                    newline_indent(out, layout, depth + 1);
                }
                write_value(out, item, layout, depth + 1);
            }
            if layout.indent != Indent::None {
                newline_indent(out, layout, depth);
            }
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if layout.sort_keys {
                // Python sorts str keys by code point, which is UTF-8 byte order.
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                if layout.indent != Indent::None {
                    newline_indent(out, layout, depth + 1);
                }
                write_string(out, k, layout.ensure_ascii);
                out.push_str(key_sep);
                write_value(out, item, layout, depth + 1);
            }
            if layout.indent != Indent::None {
                newline_indent(out, layout, depth);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ensure_ascii && (c as u32) >= 0x7f => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON number as Python re-writes it: an integer literal stays an int
/// (`-0` becomes `0`); anything with a fraction or exponent becomes a float
/// and is written as `repr(float)`.
fn write_number(out: &mut String, literal: &str) {
    let is_int = !literal.contains(['.', 'e', 'E']);
    if is_int {
        let digits = literal.trim_start_matches('-');
        if digits.bytes().all(|b| b == b'0') {
            out.push('0');
        } else {
            out.push_str(literal);
        }
        return;
    }
    let x: f64 = literal.parse().unwrap_or(f64::NAN);
    out.push_str(&float_repr(x));
}

/// CPython's `repr(float)`: the shortest round-trip digits, in fixed
/// notation when the decimal exponent is in [-4, 16), else in exponent
/// notation with at least two exponent digits and an explicit sign.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    // Rust's `{:e}` finds how many digits the shortest round trip needs;
    // where two strings of that length round-trip, CPython takes the one
    // correctly rounded from the exact value, which `{:.N e}` gives.
    let shortest = format!("{:e}", x.abs());
    let n = shortest.split_once('e').map_or(1, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let sci = format!("{:.*e}", n - 1, x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("LowerExp writes an exponent");
    let exp: i32 = exp.parse().expect("LowerExp writes an integer exponent");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    let decpt = exp + 1;
    if (-3..=16).contains(&decpt) {
        let body = if decpt <= 0 {
            format!("0.{}{}", "0".repeat(decpt.unsigned_abs() as usize), digits)
        } else if decpt as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(decpt as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..decpt as usize], &digits[decpt as usize..])
        };
        format!("{sign}{body}")
    } else {
        let frac = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.clone() };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{frac}e{esign}{:02}", exp.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::excessive_precision)]
    fn float_repr_matches_cpython() {
        let cases = [
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e300, "1.5e+300"),
            (-0.0, "-0.0"),
            (100000.0, "100000.0"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1.0 / 3.0, "0.3333333333333333"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740993.0, "9007199254740992.0"),
            // A tie between two shortest strings: CPython rounds correctly.
            (-1654246212748463.25, "-1654246212748463.2"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x:e}");
        }
    }

    #[test]
    fn dumps_default_and_indented() {
        let v = parse(br#"{"b": [1, 2.50, {}], "a": "\u00e9", "c": []}"#).unwrap();
        let default = Layout { indent: Indent::None, compact: false, sort_keys: false, ensure_ascii: true };
        assert_eq!(dumps(&v, &default), r#"{"b": [1, 2.5, {}], "a": "\u00e9", "c": []}"#);
        let pretty = Layout { indent: Indent::Spaces(2), compact: false, sort_keys: true, ensure_ascii: false };
        assert_eq!(
            dumps(&v, &pretty),
            "{\n  \"a\": \"\u{e9}\",\n  \"b\": [\n    1,\n    2.5,\n    {}\n  ],\n  \"c\": []\n}"
        );
    }

    /// Every layout is tried once, and each names the Python call that
    /// writes it, argument by argument, in the order `json.dumps` takes them.
    #[test]
    fn every_layout_is_tried_once_and_names_its_python_call() {
        let all = Layout::all();
        assert_eq!(all.len(), 28);
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a:?} twice");
        }
        let described: Vec<String> = all.iter().map(Layout::describe).collect();
        // Each layout names its own ensure_ascii: the set of sentences
        // alone would not tell two layouts' sentences swapped.
        for (a, d) in all.iter().zip(&described) {
            assert_eq!(d.contains("ensure_ascii=False"), !a.ensure_ascii, "{a:?}: {d}");
            assert_eq!(d.contains("sort_keys=True"), a.sort_keys, "{a:?}: {d}");
            assert_eq!(d.contains("separators="), a.compact, "{a:?}: {d}");
        }
        for want in [
            "json.dumps()",
            "json.dumps(separators=(\",\", \":\"))",
            "json.dumps(indent=2, sort_keys=True)",
            "json.dumps(indent=\"\\t\", ensure_ascii=False)",
            "json.dumps(indent=0, sort_keys=True, ensure_ascii=False)",
            "json.dumps(separators=(\",\", \":\"), sort_keys=True, ensure_ascii=False)",
            "json.dumps(indent=1)",
            "json.dumps(indent=4)",
        ] {
            assert!(described.iter().any(|d| d == want), "{want} not among {described:#?}");
        }
    }

    /// DEL (U+007F) is the first character `ensure_ascii` escapes, and the
    /// first an unescape turns back into a literal; U+007E is left as it is
    /// both ways.
    #[test]
    fn ensure_ascii_starts_at_del() {
        assert_eq!(escape_non_ascii(b"[\"~\x7f\"]", false).unwrap(), b"[\"~\\u007f\"]");
        assert_eq!(unescape_non_ascii(b"[\"\\u007e\\u007f\"]").unwrap(), b"[\"\\u007e\x7f\"]");
        assert_eq!(escape_non_ascii(b"[\"~\"]", false), None);
        let v = Value::String("~\u{7f}".into());
        let ascii = Layout { indent: Indent::None, compact: false, sort_keys: false, ensure_ascii: true };
        assert_eq!(dumps(&v, &ascii), "\"~\\u007f\"");
        assert_eq!(dumps(&v, &Layout { ensure_ascii: false, ..ascii }), "\"~\u{7f}\"");
        // Control characters: the short escapes where JSON has one, else
        // `\u00XX`, through U+001F; a space is itself.
        let v = Value::String("\u{0}\u{8}\t\n\u{c}\r\u{1f} \"\\".into());
        assert_eq!(dumps(&v, &ascii), r#""\u0000\b\t\n\f\r\u001f \"\\""#);
    }

    /// An unescape joins a surrogate pair into one character, and leaves
    /// alone what is not an escape of a character: a lone or reversed
    /// surrogate, a sign where a hex digit must be, an escape cut short.
    #[test]
    fn unescape_joins_pairs_and_leaves_the_rest() {
        let un = |s: &str| unescape_non_ascii(s.as_bytes()).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(un(r#"["\ud83d\ude00"]"#).as_deref(), Some("[\"\u{1f600}\"]"));
        assert_eq!(un(r#"["\uD83D\uDE00 \u00E9"]"#).as_deref(), Some("[\"\u{1f600} \u{e9}\"]"));
        // The edges of the two surrogate ranges.
        assert_eq!(un(r#"["\udbff\udfff"]"#).as_deref(), Some("[\"\u{10ffff}\"]"));
        assert_eq!(un(r#"["\ud800\udc00"]"#).as_deref(), Some("[\"\u{10000}\"]"));
        // Not JSON (serde_json, like a strict reader, refuses a lone or
        // reversed surrogate, and a sign where a hex digit must be), or
        // nothing to unescape: an escaped backslash before "u" is no
        // escape, and an escape of an ASCII character stays.
        for unchanged in [
            r#"["\ud83d"]"#,
            r#"["\ude00\ud83d"]"#,
            r#"["\ud83d\ue000"]"#,
            r#"["\ud83d\u00e9"]"#,
            r#"["\u+0e9"]"#,
            r#"["\\u00e9"]"#,
            r#"["au00e9"]"#,
            r#"["\"\u0041\u007E"]"#,
        ] {
            assert_eq!(un(unchanged), None, "{unchanged}");
        }
    }

    /// Only string tokens are rewritten: an escaped quote does not end
    /// one, and bytes between tokens are kept as they are.
    #[test]
    fn only_the_inside_of_strings_is_rewritten() {
        let doc = "{\"a\\\"\u{e9}\" :\t[ \"\u{e9}\" ,1]}";
        assert_eq!(
            String::from_utf8(escape_non_ascii(doc.as_bytes(), false).unwrap()).unwrap(),
            "{\"a\\\"\\u00e9\" :\t[ \"\\u00e9\" ,1]}"
        );
    }

    /// Numbers as Python re-writes them: an integer stays as written, a
    /// negative zero integer becomes `0`, anything with a fraction or an
    /// exponent is a float's `repr`.
    #[test]
    fn numbers_are_rewritten_as_python_reads_and_writes_them() {
        let num = |lit: &str| {
            let mut out = String::new();
            write_number(&mut out, lit);
            out
        };
        for (lit, want) in [
            ("0", "0"),
            ("-0", "0"),
            ("10", "10"),
            ("-7", "-7"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("1E5", "100000.0"),
            ("1e400", "Infinity"),
            ("-0.0", "-0.0"),
            ("2.50", "2.5"),
            ("1e-4", "0.0001"),
            ("1e-5", "1e-05"),
        ] {
            assert_eq!(num(lit), want, "{lit}");
        }
    }

    #[test]
    fn ensure_ascii_round_trip_keeps_other_bytes() {
        let literal = "{ \"k\u{e9}y\" :\t\"caf\u{e9} \u{1f600} \\n \\u0001\" }\n".as_bytes();
        let escaped = escape_non_ascii(literal, false).unwrap();
        assert_eq!(
            String::from_utf8(escaped.clone()).unwrap(),
            "{ \"k\\u00e9y\" :\t\"caf\\u00e9 \\ud83d\\ude00 \\n \\u0001\" }\n"
        );
        assert_eq!(unescape_non_ascii(&escaped).unwrap(), literal);
        let upper = escape_non_ascii(literal, true).unwrap();
        assert!(String::from_utf8(upper.clone()).unwrap().contains("\\uD83D\\uDE00"));
        assert_eq!(unescape_non_ascii(&upper).unwrap(), literal);
        assert_eq!(escape_non_ascii(b"{\"a\": 1}", false), None);
        assert_eq!(escape_non_ascii("not json \u{e9}".as_bytes(), false), None);
    }
}
