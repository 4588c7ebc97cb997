//! Pins documents and digests: any bytes are parsed or refused, never a
//! panic; an accepted pin digest is exactly 64 lowercase hex digits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::pins::PinsFile;
use sealcheck::Digest;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = serde_json::from_slice::<PinsFile>(data) {
        for p in doc.pins {
            if let Ok(d) = Digest::from_pin(&p.sha256) {
                let hex = p.sha256.strip_prefix("sha256:").unwrap_or(&p.sha256);
                assert_eq!(d.to_hex(), hex);
            }
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = Digest::from_pin(s);
    }
});
