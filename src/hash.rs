//! Hashing many files in parallel, streaming, one reused buffer per thread.
//!
//! Work is spread over a rayon pool; results come back in input order, so
//! nothing downstream depends on thread timing. Each file is checked on its
//! open handle before and after it is read: if its size, mtime, inode or
//! device moved, or the bytes read differ from the size, it changed while
//! reading and its digest is not trusted.

use std::cell::RefCell;
use std::fs::{File, Metadata};
use std::io;

use rayon::prelude::*;

use crate::digest::{hash_exact_with, Algo, AnyDigest, Digest, MultiHasher};
use crate::fsio::{FileKind, OpenError, Stamp};

/// Size of each thread's read buffer.
pub const BUFFER_SIZE: usize = 256 * 1024;

/// The alignment of each thread's read buffer.
const PAGE: usize = 4096;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A file read to the end without changing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hashed {
    /// SHA-256 of its bytes (always computed: the tree hash is made of it).
    pub digest: Digest,
    /// Its digests in the other algorithms asked for, in the order asked.
    pub others: Vec<AnyDigest>,
    /// The file's state when it was read.
    pub stamp: Stamp,
}

impl Hashed {
    /// Its digest in `algo`, if that was computed.
    pub fn get(&self, algo: Algo) -> Option<AnyDigest> {
        if algo == Algo::Sha256 {
            return Some(self.digest.into());
        }
        self.others.iter().find(|d| d.algo() == algo).cloned()
    }

    /// Whether its bytes match `want` (`None` when `want`'s algorithm was
    /// not computed).
    pub fn matches(&self, want: &AnyDigest) -> Option<bool> {
        match want.sha256() {
            Some(d) => Some(d == self.digest),
            None => self.others.iter().find(|d| d.algo() == want.algo()).map(|d| d == want),
        }
    }
}

/// What hashing one path gave.
#[derive(Debug)]
pub enum Outcome {
    /// Hashed.
    Ok(Hashed),
    /// Nothing there (any more).
    Missing,
    /// Not a regular file.
    Unsupported(FileKind),
    /// It changed while it was read; the text says what moved.
    ChangedWhileReading(String),
    /// It could not be opened or read.
    Unreadable(io::Error),
}

impl From<OpenError> for Outcome {
    fn from(e: OpenError) -> Outcome {
        match e {
            OpenError::NotFound => Outcome::Missing,
            OpenError::Unsupported(kind) => Outcome::Unsupported(kind),
            OpenError::Io(e) => Outcome::Unreadable(e),
        }
    }
}

/// Hashes an open regular file with SHA-256 and checks it did not change
/// meanwhile.
pub fn hash_open(file: File, before: &Metadata, buf: &mut [u8]) -> Outcome {
    hash_open_with(file, before, buf, &[])
}

/// Hashes an open regular file with SHA-256 and every algorithm of `algos`,
/// in one read, and checks it did not change meanwhile.
pub fn hash_open_with(mut file: File, before: &Metadata, buf: &mut [u8], algos: &[Algo]) -> Outcome {
    let before = Stamp::of(before);
    advise_sequential(&file, before.size);
    // Exactly the size fstat gave: growth shows in the second fstat below,
    // so no extra read to end-of-file is needed.
    let (digest, others, read) = match hash_exact_with(&mut file, before.size, buf, MultiHasher::new(algos)) {
        Ok(r) => r,
        Err(e) => return Outcome::Unreadable(e),
    };
    let after = match file.metadata() {
        Ok(m) => Stamp::of(&m),
        Err(e) => return Outcome::Unreadable(e),
    };
    match unstable(&before, &after, read) {
        Some(what) => Outcome::ChangedWhileReading(what),
        None => Outcome::Ok(Hashed { digest, others, stamp: after }),
    }
}

/// What moved while a file was read, if anything: `read` bytes came out of
/// a file that was `before` when opened and `after` when done.
pub fn unstable(before: &Stamp, after: &Stamp, read: u64) -> Option<String> {
    if read != before.size {
        return Some(format!("size was {} bytes when opened but {read} bytes were read", before.size));
    }
    (!before.same_content_state(after)).then(|| describe_change(before, after))
}

/// Says what moved between two stamps.
pub fn describe_change(before: &Stamp, after: &Stamp) -> String {
    let mut what = Vec::new();
    if before.size != after.size {
        what.push(format!("size {} -> {}", before.size, after.size));
    }
    if before.mtime_ns != after.mtime_ns {
        what.push("mtime changed".to_string());
    }
    if (before.ino, before.dev) != (after.ino, after.dev) {
        what.push("replaced by another file (inode changed)".to_string());
    }
    if what.is_empty() {
        what.push("file state changed".to_string());
    }
    what.join(", ")
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn advise_sequential(file: &File, size: u64) {
    // Only worth a syscall when read-ahead can matter; failure is harmless.
    if size > 4 * BUFFER_SIZE as u64 {
        let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::Sequential);
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn advise_sequential(_file: &File, _size: u64) {}

/// How many files are hashed before their results are folded in: a result
/// is some 136 bytes, and holding a million at once was a quarter of a
/// run's peak. Debug builds (every test) use slices of 7, so every test
/// with more files than that crosses slice boundaries.
pub(crate) const RESULT_SLICE: usize = if cfg!(debug_assertions) { 7 } else { RELEASE_SLICE };
const RELEASE_SLICE: usize = 1 << 16;
// Tests run debug builds, which never use the release slice: a wrong one
// must not compile.
const _: () = assert!(RELEASE_SLICE >= 1024 && RELEASE_SLICE <= 1 << 20);

/// How many hashing threads run on a machine of `cpus` CPUs when none is
/// asked for: four per CPU, at most 16 (and never fewer than one per CPU).
///
/// With a warm page cache hashing is bound by the CPU, and more threads
/// than CPUs cost nothing measurable; with a cold one each thread waits on
/// the disk, and more reads in flight keep it busy: on 2 CPUs, 8 threads
/// verified 50,000 small files cold in 2.1 s against 2.8 s for 2
/// (docs/performance.md).
pub fn default_threads(cpus: usize) -> usize {
    cpus.max(1).saturating_mul(4).min(MAX_DEFAULT_THREADS).max(cpus)
}

const MAX_DEFAULT_THREADS: usize = 16;

/// Runs hashing jobs on a pool of threads.
#[derive(Debug)]
pub struct Engine {
    pool: rayon::ThreadPool,
}

impl Engine {
    /// An engine with `threads` workers, or [`default_threads`] when
    /// `None`.
    pub fn new(threads: Option<usize>) -> io::Result<Engine> {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let n = threads.map_or_else(|| default_threads(cpus), |n| n.max(1));
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("sealcheck-hash-{i}"))
            .num_threads(n)
            .build()
            .map_err(io::Error::other)?;
        Ok(Engine { pool })
    }

    /// The number of worker threads.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Maps `job` over `items` in parallel, handing each call this thread's
    /// read buffer. Results are in the order of `items`.
    pub fn map<T, R, F>(&self, items: &[T], job: F) -> Vec<R>
    where
        T: Sync,
        R: Send,
        F: Fn(&T, &mut [u8]) -> R + Sync,
    {
        // The results are allocated here, by the calling thread, not inside
        // the pool: a slice's results (megabytes at a million files),
        // allocated by whichever worker ran `install` and freed by the
        // caller, stayed held in that worker's allocator arena, one arena a
        // thread: 8 threads held 40 MiB more than 2 at a million files.
        let mut out = Vec::with_capacity(items.len());
        self.pool.install(|| {
            items
                .par_iter()
                .map(|item| {
                    BUFFER.with(|cell| {
                        let mut buf = cell.borrow_mut();
                        if buf.len() < BUFFER_SIZE + PAGE {
                            buf.resize(BUFFER_SIZE + PAGE, 0);
                        }
                        // Page-aligned: the kernel's copy from the page cache
                        // runs at full speed only into an aligned buffer (a
                        // misaligned one made large files read 2.5 times
                        // slower on the benchmark machine).
                        let at = buf.as_ptr().align_offset(PAGE).min(PAGE);
                        job(item, &mut buf[at..at + BUFFER_SIZE])
                    })
                })
                .collect_into_vec(&mut out);
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// Regression: a minimum split length once ran a handful of large files
    /// on one thread. Two jobs must be able to meet: each waits for the
    /// other to have started, which only succeeds if they run at once.
    #[test]
    fn few_items_still_run_in_parallel() {
        let engine = Engine::new(Some(2)).unwrap();
        let started = (Mutex::new(0usize), Condvar::new());
        let met = engine.map(&[0, 1], |_, _| {
            let (lock, cv) = &started;
            let mut n = lock.lock().unwrap();
            *n += 1;
            cv.notify_all();
            let (n, timeout) = cv.wait_timeout_while(n, Duration::from_secs(10), |n| *n < 2).unwrap();
            !timeout.timed_out() && *n == 2
        });
        assert_eq!(met, [true, true]);
    }

    #[test]
    fn the_default_is_four_threads_a_cpu_capped_but_never_below_one_a_cpu() {
        let got: Vec<usize> = [0, 1, 2, 3, 4, 5, 16, 64].iter().map(|&c| default_threads(c)).collect();
        assert_eq!(got, [4, 4, 8, 12, 16, 16, 16, 64]);
    }

    #[test]
    fn results_keep_input_order_and_buffers_are_full_size() {
        let engine = Engine::new(Some(2)).unwrap();
        let items: Vec<usize> = (0..1000).collect();
        let out = engine.map(&items, |i, buf| (*i, buf.len()));
        assert!(out.iter().enumerate().all(|(i, &(j, len))| i == j && len == BUFFER_SIZE));
    }
}
