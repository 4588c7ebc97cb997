//! Every sum-line manifest format through the one seal reader, as verify
//! reads it: the input becomes the manifest file (its name, so its
//! algorithm, chosen by the first byte) in a scratch packet. Never panics;
//! whatever it accepts names only safe paths, sorted and each once, every
//! one sealed by a strong digest.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::fsio::Root;
use sealcheck::seal::{self, ReadOptions};

const NAMES: [&str; 6] = ["HASH_MANIFEST.txt", "SHA256SUMS", "SHA512SUMS", "B3SUMS", "sha256sum.txt", "CHECKSUMS"];

/// One scratch packet for the whole run, one directory per manifest name.
fn scratch() -> &'static tempfile::TempDir {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        for n in NAMES {
            std::fs::create_dir(d.path().join(n.replace('.', "_"))).unwrap();
        }
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let name = NAMES[pick as usize % NAMES.len()];
    let dir = scratch().path().join(name.replace('.', "_"));
    let manifest = dir.join(name);
    std::fs::write(&manifest, body).unwrap();
    // The manifest named as --manifest names it: a path, here absolute.
    let opts = ReadOptions { manifest: Some(manifest), ..ReadOptions::default() };
    let loc = seal::locate(&dir, &opts).expect("a given manifest is located");
    let root = Root::open(&dir).unwrap();
    if let Ok(s) = seal::read(&root, &loc, &opts) {
        assert!(s.entries.windows(2).all(|w| w[0].path < w[1].path), "sorted, each once");
        for e in &s.entries {
            assert!(!e.digests.is_empty() && e.primary().algo().strong(), "{:?}", e.path);
            assert!(e.path.as_bytes().first() != Some(&b'/'));
        }
    }
});
