//! The read-back gate's judgement of a response body: never panics, and
//! only a row whose field is exactly the expected digest is a match.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::readback::{judge_document, ReadbackOptions, Source};

const EXPECT: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fuzz_target!(|data: &[u8]| {
    let opts = ReadbackOptions {
        source: Source::File("fuzz".into()),
        token_env: None,
        rows: "/rows".into(),
        wheres: vec![("t".into(), "api".into())],
        field: "image_digest".into(),
        expect: EXPECT.into(),
        timeout: std::time::Duration::from_secs(1),
        retries: 0,
        max_body: 1 << 20,
    };
    let check = judge_document(data, &opts);
    if check.outcome == "match" {
        let doc: serde_json::Value = serde_json::from_slice(data).unwrap();
        let rows = doc["rows"].as_array().unwrap();
        let hits: Vec<_> = rows.iter().filter(|r| r["t"] == "api").collect();
        assert_eq!(hits.len(), 1);
        let found = hits[0]["image_digest"].as_str().unwrap();
        assert!(found == EXPECT || found == &EXPECT[7..]);
    }
});
