//! The one JSON input function: never panics, never recurses past its cap;
//! whatever it accepts has no duplicate key anywhere and re-parses, from
//! its own serialization, to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::input::json::parse;

fn no_duplicates(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Array(items) => items.iter().all(no_duplicates),
        serde_json::Value::Object(map) => map.values().all(no_duplicates),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = parse(data, "fuzz") {
        assert!(no_duplicates(&v));
        let text = serde_json::to_vec(&v).unwrap();
        assert_eq!(parse(&text, "fuzz").ok(), Some(v));
        // serde_json alone reads it too: the checked parse accepts no
        // document that is not JSON.
        assert!(serde_json::from_slice::<serde_json::Value>(data).is_ok());
    }
});
