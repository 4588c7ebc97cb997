//! Drift diagnosis: never panics, and a proof always restores bytes that
//! hash to the seal.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::drift::{diagnose, DiagnoseOptions, Diagnosis};
use sealcheck::Digest;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    // The first byte picks the sealed bytes: a known drift of the rest, or
    // something unrelated.
    let (pick, actual) = (data[0], &data[1..]);
    let sealed_bytes: Vec<u8> = match pick % 4 {
        0 => actual.iter().copied().filter(|&b| b != b'\r').collect(),
        1 => [b"\xef\xbb\xbf".as_slice(), actual].concat(),
        2 => actual.strip_suffix(b"\n").unwrap_or(actual).to_vec(),
        _ => vec![pick],
    };
    let sealed = Digest::of(&sealed_bytes).into();
    let opts = DiagnoseOptions { max_candidates: 512, ..DiagnoseOptions::default() };
    let d = diagnose(actual, &sealed, &opts);
    assert!(!d.proof(&opts).is_empty());
    if let Diagnosis::Proven { restored, classes, .. } = d {
        assert!(sealed.matches(&restored));
        assert!(!classes.is_empty());
    }
});
