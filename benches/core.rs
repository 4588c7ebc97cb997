//! Criterion benchmarks of the hot paths: hashing per buffer size, manifest
//! parse and write at a million lines, the walk, diagnosis of a drifted
//! file, and verify's matching as the packet grows (it must stay linear).
//!
//! `cargo bench --bench core`; peers are compared by `benches/compare.sh`.

use std::hint::black_box;
use std::io::Read;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sealcheck::digest::hash_exact;
use sealcheck::drift::{diagnose, DiagnoseOptions};
use sealcheck::manifest::write::canonical_bytes;
use sealcheck::manifest::Manifest;
use sealcheck::walk::{walk, Exclusions};
use sealcheck::{Digest, RelPath};

fn entries(n: usize) -> Vec<(RelPath, Digest)> {
    let mut v: Vec<(RelPath, Digest)> = (0..n)
        .map(|i| {
            let p = format!("d{:04}/sub/file-{i:07}.json", i % 1000);
            (RelPath::new(p.into_bytes()).unwrap(), Digest::of(&i.to_le_bytes()))
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn hashing(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    let data: Vec<u8> = (0..64u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let mut g = c.benchmark_group("hash_file_64MiB");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    for size in [16usize << 10, 64 << 10, 256 << 10, 1 << 20] {
        let mut buf = vec![0u8; size];
        g.bench_with_input(BenchmarkId::from_parameter(format!("{}KiB", size >> 10)), &size, |b, _| {
            b.iter(|| {
                let mut f = std::fs::File::open(&path).unwrap();
                black_box(hash_exact(&mut f, data.len() as u64, &mut buf).unwrap())
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("sha256_in_memory");
    g.throughput(Throughput::Bytes(1 << 20));
    let mib = &data[..1 << 20];
    g.bench_function("1MiB", |b| b.iter(|| black_box(Digest::of(mib))));
    g.finish();
}

fn manifest(c: &mut Criterion) {
    let e = entries(1_000_000);
    let bytes = canonical_bytes(e.iter().map(|(p, d)| (p, d)));
    let mut g = c.benchmark_group("manifest_1M_lines");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("write", |b| b.iter(|| black_box(canonical_bytes(e.iter().map(|(p, d)| (p, d))))));
    g.bench_function("parse", |b| b.iter(|| black_box(Manifest::parse(&bytes[..], "bench").ok().unwrap())));
    g.finish();
}

fn walking(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..10_000 {
        let p = dir.path().join(format!("d{:03}/f{i:05}.txt", i % 100));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }
    let ex = Exclusions::new(&[]).unwrap();
    let mut g = c.benchmark_group("walk");
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("10k_files", |b| b.iter(|| black_box(walk(dir.path(), &ex).unwrap())));
    g.finish();
}

fn diagnosis(c: &mut Criterion) {
    let text: String = (0..2000).map(|i| format!("line {i}: the run \u{2014} it passed\n")).collect();
    let sealed = Digest::of(text.as_bytes()).into();
    let crlf = text.replace('\n', "\r\n");
    let edited = text.replace("line 1000:", "line 1001:");
    let opts = DiagnoseOptions::default();
    let mut g = c.benchmark_group("diagnose_64KiB_text");
    g.sample_size(20);
    g.bench_function("crlf_proven", |b| b.iter(|| black_box(diagnose(crlf.as_bytes(), &sealed, &opts))));
    g.bench_function("edited_unexplained", |b| b.iter(|| black_box(diagnose(edited.as_bytes(), &sealed, &opts))));
    let json = format!(
        "{{\"rows\": [{}]}}\n",
        (0..500).map(|i| format!("{{\"id\": {i}, \"name\": \"Zo\\u00eb\"}}")).collect::<Vec<_>>().join(", ")
    );
    let literal = json.replace("\\u00eb", "\u{eb}");
    let sealed_json = Digest::of(json.as_bytes()).into();
    g.bench_function("json_ensure_ascii_proven", |b| {
        b.iter(|| black_box(diagnose(literal.as_bytes(), &sealed_json, &opts)))
    });
    g.finish();
}

/// verify's matching of sealed and found paths, with a 1% drift of moves,
/// at 10k, 100k and 1M entries: the per-entry cost must stay flat.
fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("manifest_parse_and_index");
    g.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let e = entries(n);
        let bytes = canonical_bytes(e.iter().map(|(p, d)| (p, d)));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &bytes, |b, bytes| {
            b.iter(|| {
                let m = Manifest::parse(&bytes[..], "bench").ok().unwrap();
                let idx = m.index();
                black_box(e.iter().filter(|(p, _)| idx.contains_key(p.as_bytes())).count())
            })
        });
    }
    g.finish();
}

fn read_all_baseline(c: &mut Criterion) {
    // The floor for one file: reading it without hashing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    std::fs::write(&path, vec![7u8; 64 << 20]).unwrap();
    let mut g = c.benchmark_group("read_only_64MiB");
    g.throughput(Throughput::Bytes(64 << 20));
    g.sample_size(10);
    let mut buf = vec![0u8; 256 << 10];
    g.bench_function("256KiB", |b| {
        b.iter(|| {
            let mut f = std::fs::File::open(&path).unwrap();
            while f.read(&mut buf).unwrap() > 0 {}
        })
    });
    g.finish();
}

criterion_group!(benches, hashing, manifest, walking, diagnosis, scaling, read_all_baseline);
criterion_main!(benches);
