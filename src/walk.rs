//! Walking a packet: every regular file, by raw-byte path, never following a
//! symlink.
//!
//! The walk lists what is there and how it is typed; it reads no content.
//! Anything that is not a directory or a regular file is reported, not
//! skipped. Results are sorted by raw path bytes.

use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use globset::{GlobSet, GlobSetBuilder};

use crate::escape::escape_bytes;
use crate::fsio::FileKind;
use crate::relpath::PathError;
use crate::{Error, RelPath};

/// Paths the walk leaves out.
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    exact: Vec<RelPath>,
    by_name: GlobSet,
    by_path: GlobSet,
    patterns: Vec<String>,
}

impl Exclusions {
    /// Builds the exclusions from glob patterns. A pattern without `/` is
    /// matched against each file or directory name at any depth; one with `/`
    /// against the whole packet-relative path. An excluded directory is not
    /// entered.
    pub fn new(patterns: &[String]) -> Result<Exclusions, Error> {
        let mut by_name = GlobSetBuilder::new();
        let mut by_path = GlobSetBuilder::new();
        for p in patterns {
            let glob = globset::GlobBuilder::new(p)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| Error::Usage(format!("invalid --exclude pattern {p:?}: {}", e.kind())))?;
            if p.contains('/') {
                by_path.add(glob);
            } else {
                by_name.add(glob);
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| Error::Usage(format!("invalid --exclude pattern: {e}")));
        Ok(Exclusions {
            exact: Vec::new(),
            by_name: build(by_name)?,
            by_path: build(by_path)?,
            patterns: patterns.to_vec(),
        })
    }

    /// Also leaves out exactly `path` (the manifest).
    pub fn with_path(mut self, path: RelPath) -> Exclusions {
        self.exact.push(path);
        self
    }

    /// The glob patterns, as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    fn excludes(&self, rel: &Path) -> bool {
        self.exact.iter().any(|e| e.as_os_str() == rel.as_os_str())
            || self.by_path.is_match(rel)
            || rel.file_name().is_some_and(|n| self.by_name.is_match(n))
    }
}

/// One regular file found by the walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeFile {
    /// Its path relative to the packet root.
    pub path: RelPath,
}

/// Something in the tree that is not a sealable regular file.
#[derive(Debug)]
pub enum Problem {
    /// A symlink, FIFO, socket or device.
    Unsupported {
        /// Display form of the path.
        path: String,
        /// Raw path bytes.
        raw: Vec<u8>,
        /// What it is.
        kind: FileKind,
    },
    /// A directory that could not be listed, or an entry that could not be
    /// typed.
    Unreadable {
        /// Display form of the path.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// A file whose name is not a safe packet path.
    UnsafeName {
        /// Display form of the path.
        path: String,
        /// Why.
        error: PathError,
    },
}

/// The result of a walk.
#[derive(Debug, Default)]
pub struct Tree {
    /// Regular files, sorted by raw path bytes.
    pub files: Vec<TreeFile>,
    /// Everything else worth saying, sorted by path.
    pub problems: Vec<Problem>,
}

/// Walks `root`, which must be a directory.
pub fn walk(root: &Path, exclusions: &Exclusions) -> Result<Tree, Error> {
    let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory(root.display().to_string()));
    }
    let mut tree = Tree::default();
    let walker = walkdir::WalkDir::new(root).follow_links(false).min_depth(1).into_iter().filter_entry(|e| {
        let rel = e.path().strip_prefix(root).unwrap_or(e.path());
        !exclusions.excludes(rel)
    });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let error = err.into_io_error().unwrap_or_else(|| io::Error::other("walk failed"));
                tree.problems.push(Problem::Unreadable { path: escape_bytes(rel.as_os_str().as_bytes()), error });
                continue;
            }
        };
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let raw = rel.as_os_str().as_bytes().to_vec();
        match FileKind::of(&entry.file_type()) {
            FileKind::Directory => {}
            FileKind::Regular => match RelPath::new(raw) {
                Ok(path) => tree.files.push(TreeFile { path }),
                Err(error) => {
                    tree.problems.push(Problem::UnsafeName { path: escape_bytes(rel.as_os_str().as_bytes()), error })
                }
            },
            kind => tree.problems.push(Problem::Unsupported { path: escape_bytes(&raw), raw, kind }),
        }
    }
    tree.files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    tree.problems.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(tree)
}

impl Problem {
    /// Display form of the path.
    pub fn path(&self) -> &str {
        match self {
            Problem::Unsupported { path, .. } | Problem::Unreadable { path, .. } | Problem::UnsafeName { path, .. } => {
                path
            }
        }
    }
}
