//! The strict manifest parser: never panics; whatever it accepts is
//! re-rendered in its own algorithm (canonically, for SHA-256) and parses
//! again to the same entries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::manifest::write::write_any_line;
use sealcheck::manifest::Manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::parse(data, "fuzz") {
        let mut bytes = Vec::new();
        for e in &m.entries {
            write_any_line(&mut bytes, &e.path, &e.digest).unwrap();
        }
        let again = Manifest::parse_as(&bytes[..], "fuzz", Some(m.algo)).ok().expect("a rendering parses");
        assert_eq!(again.canonical, m.algo == sealcheck::digest::Algo::Sha256);
        assert_eq!(m.entries.len(), again.entries.len());
        for (a, b) in m.entries.iter().zip(&again.entries) {
            assert_eq!((&a.path, &a.digest), (&b.path, &b.digest));
        }
        assert_eq!(m.canonical, bytes == data);
    }
});
