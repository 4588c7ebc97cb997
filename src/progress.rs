//! Progress counters a long run updates and a front end may read.
//!
//! The library only counts; it never draws. The binary reads these counters
//! from another thread to draw a progress bar on a terminal.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Files and bytes done out of a total.
#[derive(Debug, Default)]
pub struct Progress {
    total_files: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
    finished: AtomicBool,
}

impl Progress {
    /// Sets the number of files the run will hash.
    pub fn set_total(&self, files: u64) {
        self.total_files.store(files, Ordering::Relaxed);
    }

    /// Counts one file of `bytes` bytes done.
    pub fn add(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Marks the run finished.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Release);
    }

    /// `(files done, total files, bytes done, finished)`.
    pub fn read(&self) -> (u64, u64, u64, bool) {
        (
            self.files.load(Ordering::Relaxed),
            self.total_files.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.finished.load(Ordering::Acquire),
        )
    }
}
