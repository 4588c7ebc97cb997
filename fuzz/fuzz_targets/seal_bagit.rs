//! The BagIt reader, as verify reads a bag: the input is cut at 0xFF bytes
//! into the bag's tag files (bagit.txt, the payload and tag manifests,
//! bag-info.txt, fetch.txt) in a scratch bag. Never panics; whatever it
//! accepts names only safe paths under data/, sorted and each once.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sealcheck::fsio::Root;
use sealcheck::seal::{self, ReadOptions};

const FILES: [&str; 7] = [
    "bagit.txt",
    "manifest-sha256.txt",
    "manifest-sha512.txt",
    "tagmanifest-sha256.txt",
    "bag-info.txt",
    "manifest-md5.txt",
    "fetch.txt",
];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("data")).unwrap();
        d
    });
    let mut parts = rest.split(|&b| b == 0xFF);
    for name in FILES {
        let path = dir.path().join(name);
        match parts.next() {
            // An empty or absent part leaves the file out, so bags without it
            // are tried; bagit.txt is always there, so this is a bag.
            Some(body) if !body.is_empty() || name == "bagit.txt" => std::fs::write(&path, body).unwrap(),
            _ if name == "bagit.txt" => std::fs::write(&path, b"").unwrap(),
            _ => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let opts = ReadOptions { bagit_lenient_names: flags & 1 == 1, ..ReadOptions::default() };
    let loc = seal::locate(dir.path(), &opts).expect("a directory with bagit.txt is a bag");
    let root = Root::open(dir.path()).unwrap();
    if let Ok(s) = seal::read(&root, &loc, &opts) {
        assert!(s.entries.windows(2).all(|w| w[0].path < w[1].path), "sorted, each once");
        for e in &s.entries {
            assert!(!e.digests.is_empty(), "{:?}", e.path);
        }
    }
});
