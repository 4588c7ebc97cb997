//! The strict manifest parser: never panics; whatever it accepts is
//! re-rendered canonically and parses again to the same entries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::manifest::write::canonical_bytes;
use sealcheck::manifest::Manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::parse(data, "fuzz") {
        let bytes = canonical_bytes(m.entries.iter().map(|e| (&e.path, &e.digest)));
        let again = Manifest::parse(&bytes[..], "fuzz").ok().expect("a canonical rendering parses");
        assert!(again.canonical);
        assert_eq!(m.entries.len(), again.entries.len());
        for (a, b) in m.entries.iter().zip(&again.entries) {
            assert_eq!((&a.path, &a.digest), (&b.path, &b.digest));
        }
        assert_eq!(m.canonical, bytes == data);
    }
});
