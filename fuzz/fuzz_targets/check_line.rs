//! One `sha256sum -c` line: never panics, and an accepted name never holds
//! a NUL byte.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::manifest::parse::parse_line;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = parse_line(data) {
        assert!(!line.name.contains(&0));
        assert!(!line.name.is_empty());
    }
});
