//! GNU escaping: escape then unescape is the identity for any name, and
//! unescape never panics on any input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::manifest::escape::{escape, unescape};

fuzz_target!(|data: &[u8]| {
    assert_eq!(unescape(&escape(data)).as_deref(), Ok(data));
    if let Ok(raw) = unescape(data) {
        assert_eq!(unescape(&escape(&raw)).as_deref(), Ok(&raw[..]));
    }
    let _ = sealcheck::escape::escape_bytes(data);
});
