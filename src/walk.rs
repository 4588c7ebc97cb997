//! Walking a packet: every regular file, by raw-byte path, never following a
//! symlink.
//!
//! The walk lists what is there and how it is typed; it reads no content.
//! Anything that is not a directory or a regular file is reported, not
//! skipped. Results are sorted by raw path bytes.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
            || (!self.by_path.is_empty() && self.by_path.is_match(rel))
            || (!self.by_name.is_empty() && rel.file_name().is_some_and(|n| self.by_name.is_match(n)))
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
    let walker = Walker::new(root, exclusions);
    // Directories are listed in parallel, each by one task that queues its
    // subdirectories: with a cold cache the walk waits on the disk, and a
    // serial walk was half of a cold run. More threads than cores, since
    // they mostly wait.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(WALK_THREADS)
        .thread_name(|i| format!("sealcheck-walk-{i}"))
        .build()
        .map_err(|e| Error::io(root, io::Error::other(e)))?;
    let all: Mutex<Tree> = Mutex::new(Tree::default());
    pool.scope(|s| walker.list(s, root.to_path_buf(), &all));
    let mut tree = all.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    tree.files.shrink_to_fit();
    tree.files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    tree.problems.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(tree)
}

/// Threads listing directories at once.
const WALK_THREADS: usize = 8;

/// What every directory's task shares.
struct Walker<'a> {
    root: &'a Path,
    prefix: &'a [u8],
    cut: usize,
    exclusions: &'a Exclusions,
}

impl<'a> Walker<'a> {
    fn new(root: &'a Path, exclusions: &'a Exclusions) -> Walker<'a> {
        // Every path listed is `root` joined with a relative path: cutting
        // the prefix's bytes off is `strip_prefix` without parsing
        // components, which was a fifth of the walk on many small files.
        let prefix = root.as_os_str().as_bytes();
        let cut = prefix.len() + usize::from(!prefix.ends_with(b"/"));
        Walker { root, prefix, cut, exclusions }
    }

    /// `p` relative to the root.
    fn relative<'p>(&self, p: &'p Path) -> &'p [u8] {
        match p.as_os_str().as_bytes() {
            b if b.len() > self.cut && b.starts_with(self.prefix) => &b[self.cut..],
            _ => p.strip_prefix(self.root).unwrap_or(p).as_os_str().as_bytes(),
        }
    }

    /// Lists `dir` (never following a symlink), and queues a task for each
    /// subdirectory that is not excluded.
    fn list<'s>(&'s self, s: &rayon::Scope<'s>, dir: PathBuf, all: &'s Mutex<Tree>) {
        let mut tree = Tree::default();
        let entries = walkdir::WalkDir::new(&dir)
            .follow_links(false)
            .min_depth(1)
            .max_depth(1)
            .into_iter()
            .filter_entry(|e| !self.exclusions.excludes(Path::new(OsStr::from_bytes(self.relative(e.path())))));
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = err.path().unwrap_or(&dir).to_path_buf();
                    let rel = escape_bytes(self.relative(&path));
                    let error = err.into_io_error().unwrap_or_else(|| io::Error::other("walk failed"));
                    tree.problems.push(Problem::Unreadable { path: rel, error });
                    continue;
                }
            };
            let raw = self.relative(entry.path());
            match FileKind::of(&entry.file_type()) {
                FileKind::Directory => {
                    let sub = entry.into_path();
                    s.spawn(move |s| self.list(s, sub, all));
                }
                FileKind::Regular => match RelPath::from_slice(raw) {
                    Ok(path) => tree.files.push(TreeFile { path }),
                    Err(error) => tree.problems.push(Problem::UnsafeName { path: escape_bytes(raw), error }),
                },
                kind => tree.problems.push(Problem::Unsupported { path: escape_bytes(raw), raw: raw.to_vec(), kind }),
            }
        }
        // Copied into the one tree, not handed over: a directory's list is
        // then freed by the thread that made it, which reuses the room for
        // the next. Handed over, a million files left some 35 MB free but
        // held in the listing threads' allocator arenas for the whole run.
        if !tree.files.is_empty() || !tree.problems.is_empty() {
            let mut all = all.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            all.files.append(&mut tree.files);
            all.problems.append(&mut tree.problems);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &Tree) -> Vec<String> {
        t.files.iter().map(|f| f.path.display()).collect()
    }

    /// However the root is spelled, the walk gives the same relative paths,
    /// sorted by raw bytes (`a.txt` before `a/`: `.` sorts before `/`).
    #[test]
    fn every_spelling_of_the_root_gives_the_same_sorted_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        for f in ["a.txt", "a/x", "a/b/y", "z", "a-b"] {
            std::fs::write(root.join(f), f).unwrap();
        }
        let want = ["a-b", "a.txt", "a/b/y", "a/x", "z"];
        let none = Exclusions::new(&[]).unwrap();
        let spellings = [root.clone(), PathBuf::from(format!("{}/", root.display())), dir.path().join("p/../p")];
        for r in &spellings {
            let t = walk(r, &none).unwrap();
            assert_eq!(names(&t), want, "{}", r.display());
            assert!(t.problems.is_empty());
        }
        // Relative to the current directory, as `sealcheck verify .` gives it.
        let cwd = std::env::current_dir().unwrap();
        let rel = pathdiff(&root, &cwd);
        assert_eq!(names(&walk(&rel, &none).unwrap()), want, "{}", rel.display());
        // Exclusions see the same relative paths.
        let ex = Exclusions::new(&["a/b".to_string(), "z".to_string()])
            .unwrap()
            .with_path(RelPath::new(b"a-b".to_vec()).unwrap());
        assert_eq!(names(&walk(&root, &ex).unwrap()), ["a.txt", "a/x"]);
    }

    /// Directories are listed in parallel: a wide and deep tree comes back
    /// whole, sorted, with what is not a regular file reported where it is
    /// and an excluded directory never entered.
    #[test]
    fn a_wide_deep_tree_is_listed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut want = Vec::new();
        for i in 0..40 {
            let mut d = PathBuf::from(format!("d{i:02}"));
            for depth in 0..(i % 7) {
                d.push(format!("s{depth}"));
            }
            std::fs::create_dir_all(root.join(&d)).unwrap();
            for f in 0..3 {
                let rel = d.join(format!("f{f}"));
                std::fs::write(root.join(&rel), b"x").unwrap();
                want.push(rel.display().to_string());
            }
        }
        want.sort();
        std::os::unix::fs::symlink("d00", root.join("d05/s0/link")).unwrap();
        std::fs::create_dir_all(root.join("d07/skip/deeper")).unwrap();
        std::fs::write(root.join("d07/skip/deeper/hidden"), b"x").unwrap();
        let ex = Exclusions::new(&["skip".to_string()]).unwrap();
        let t = walk(root, &ex).unwrap();
        assert_eq!(names(&t), want);
        let problems: Vec<&str> = t.problems.iter().map(Problem::path).collect();
        assert_eq!(problems, ["d05/s0/link"]);
        assert!(matches!(t.problems[0], Problem::Unsupported { kind: FileKind::Symlink, .. }));
    }

    /// `root` relative to `base`, through `..` as needed.
    fn pathdiff(root: &Path, base: &Path) -> PathBuf {
        let mut up = PathBuf::new();
        let mut b = base;
        loop {
            if let Ok(rest) = root.strip_prefix(b) {
                return up.join(rest);
            }
            up.push("..");
            b = b.parent().expect("a common ancestor");
        }
    }
}
