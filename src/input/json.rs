//! The one JSON input function: every JSON document sealcheck reads (pins,
//! reports, snapshots, read-back bodies, receipts) is parsed by [`parse`].
//!
//! `serde_json` alone keeps the last of two equal keys, so a document could
//! say one thing to sealcheck and another to a reader that keeps the first.
//! Here a duplicate key anywhere is bad input, named with its JSON pointer,
//! and nesting deeper than [`MAX_DEPTH`] is refused before it can exhaust
//! the stack.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::Error;

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// Parses `bytes` as one JSON value; `shown` names the input in errors.
pub fn parse(bytes: &[u8], shown: &str) -> Result<Value, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Checked { depth: 0, pointer: String::new() }.deserialize(&mut de).map_err(|e| malformed(shown, &e))?;
    de.end().map_err(|e| malformed(shown, &e))?;
    Ok(value)
}

/// Parses `bytes` as JSON (through [`parse`]) into `T`.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8], shown: &str) -> Result<T, Error> {
    let value = parse(bytes, shown)?;
    serde_json::from_value(value).map_err(|e| Error::Malformed {
        path: shown.to_string(),
        line: None,
        expected: format!("a valid document: {e}"),
    })
}

fn malformed(shown: &str, e: &serde_json::Error) -> Error {
    let text = e.to_string();
    // serde_json appends " at line L column C"; the line is carried apart.
    let what = text.split(" at line ").next().unwrap_or(&text).to_string();
    Error::Malformed {
        path: shown.to_string(),
        line: (e.line() > 0).then_some(e.line()),
        expected: format!("valid JSON ({what}, column {})", e.column()),
    }
}

/// Escapes one pointer token (RFC 6901).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

struct Checked {
    depth: usize,
    pointer: String,
}

impl Checked {
    fn child(&self, token: &str) -> Result<Checked, String> {
        if self.depth + 1 > MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels at {:?}", self.pointer));
        }
        Ok(Checked { depth: self.depth + 1, pointer: format!("{}/{token}", self.pointer) })
    }
}

impl<'de> DeserializeSeed<'de> for Checked {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let child = self.child(&out.len().to_string()).map_err(de::Error::custom)?;
            match seq.next_element_seed(child)? {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // With arbitrary_precision, numbers arrive as a one-key map that
            // serde_json itself produces; hand those back as numbers.
            if key == "$serde_json::private::Number" && out.is_empty() {
                let raw: String = map.next_value()?;
                let n: serde_json::Number = raw.parse().map_err(de::Error::custom)?;
                return Ok(Value::Number(n));
            }
            let child = self.child(&token(&key)).map_err(de::Error::custom)?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key {key:?} at {:?} (each key may appear once)",
                    if self.pointer.is_empty() { "/" } else { &self.pointer }
                )));
            }
            let value = map.next_value_seed(child)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text.as_bytes(), "doc.json").unwrap_err().to_string()
    }

    #[test]
    fn duplicate_keys_are_refused_anywhere_with_their_pointer() {
        assert!(err(r#"{"a": 1, "a": 2}"#).contains(r#"duplicate key "a" at "/""#), "{}", err(r#"{"a":1,"a":2}"#));
        let nested = err(r#"{"rows": [{"x": 1}, {"sha256": "a", "sha256": "b"}]}"#);
        assert!(nested.contains(r#"duplicate key "sha256" at "/rows/1""#), "{nested}");
        assert!(nested.starts_with("doc.json:1:"), "{nested}");
    }

    #[test]
    fn depth_is_capped() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(err(&deep).contains("nesting deeper than"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes(), "d").is_ok());
    }

    #[test]
    fn values_round_trip_exactly() {
        let text = r#"{"b":1.10,"a":[true,null,"é",18446744073709551616,-1]}"#;
        let v = parse(text.as_bytes(), "d").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), text, "order and number text are kept");
        assert!(err(r#"{"a":1} x"#).contains("trailing characters"));
    }
}
