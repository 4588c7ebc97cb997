//! Opening packet files without ever following a symlink or blocking.
//!
//! Every file is opened read-only with `O_NOFOLLOW | O_NONBLOCK`, so neither
//! a symlink nor a FIFO can redirect or hang the gate, and its type is taken
//! from `fstat` on the open handle. Inside a packet, files are opened
//! relative to the packet's directory with `openat2(RESOLVE_BENEATH |
//! RESOLVE_NO_SYMLINKS)` where the kernel has it, so a symlink anywhere in
//! the path is refused. This module never writes.
//!
//! Files are opened in path order, so most share a directory with the one
//! before. Each thread keeps the directory of its last file open (itself
//! opened beneath the root with no symlink anywhere) and opens the next
//! file's last component relative to it with `O_NOFOLLOW`: the same refusals,
//! one path lookup less. At the end of the run `verify` looks every file up
//! again from the root and checks that each of their directories is still
//! a directory, so a directory moved away meanwhile is still caught.

use std::cell::RefCell;
use std::fs::{File, FileType, Metadata};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rustix::fs::{Mode, OFlags};

use crate::RelPath;

/// What kind of file a path holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A regular file: the only kind that is sealed.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link (never followed).
    Symlink,
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharDevice,
    /// Anything else.
    Other,
}

impl FileKind {
    /// The kind of a file type.
    pub fn of(ft: &FileType) -> FileKind {
        if ft.is_file() {
            FileKind::Regular
        } else if ft.is_dir() {
            FileKind::Directory
        } else if ft.is_symlink() {
            FileKind::Symlink
        } else if ft.is_fifo() {
            FileKind::Fifo
        } else if ft.is_socket() {
            FileKind::Socket
        } else if ft.is_block_device() {
            FileKind::BlockDevice
        } else if ft.is_char_device() {
            FileKind::CharDevice
        } else {
            FileKind::Other
        }
    }

    /// A word for messages.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Regular => "regular file",
            FileKind::Directory => "directory",
            FileKind::Symlink => "symbolic link",
            FileKind::Fifo => "FIFO",
            FileKind::Socket => "socket",
            FileKind::BlockDevice => "block device",
            FileKind::CharDevice => "character device",
            FileKind::Other => "special file",
        }
    }
}

/// What identifies one state of a file: compared before and after reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i128,
    /// Status-change time, nanoseconds since the epoch.
    pub ctime_ns: i128,
    /// Inode number.
    pub ino: u64,
    /// Device number.
    pub dev: u64,
    /// Permission bits and type.
    pub mode: u32,
}

impl Stamp {
    /// The stamp of `meta`.
    pub fn of(meta: &Metadata) -> Stamp {
        Stamp {
            size: meta.size(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
            mode: meta.mode(),
        }
    }

    /// Whether it is the stamp of a directory.
    pub fn is_dir(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }

    /// Whether the content could have changed between `self` and `later`
    /// (ctime is left out: reading never changes content, but some file
    /// systems touch it).
    pub fn same_content_state(&self, later: &Stamp) -> bool {
        self.content_state() == later.content_state()
    }

    /// What [`Stamp::same_content_state`] compares, in 40 bytes rather than
    /// 64: what a run keeps of every file it hashed until its end-of-run
    /// check.
    pub fn content_state(&self) -> ContentState {
        // The i128 in two halves, exactly: a 16-byte-aligned field would
        // pad the value to 48 bytes.
        let mtime = self.mtime_ns as u128;
        ContentState { size: self.size, mtime_ns: [(mtime >> 64) as u64, mtime as u64], ino: self.ino, dev: self.dev }
    }
}

/// The part of a [`Stamp`] that says whether a file's content could have
/// changed: size, mtime, inode and device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentState {
    size: u64,
    mtime_ns: [u64; 2],
    ino: u64,
    dev: u64,
}

/// Why a file could not be opened for hashing.
#[derive(Debug)]
pub enum OpenError {
    /// Nothing at that path.
    NotFound,
    /// Something that is not a regular file (or a symlink on the way).
    Unsupported(FileKind),
    /// Any other failure: permissions, I/O.
    Io(io::Error),
}

const READ_FLAGS: OFlags =
    OFlags::RDONLY.union(OFlags::NOFOLLOW).union(OFlags::NONBLOCK).union(OFlags::CLOEXEC).union(OFlags::NOCTTY);

static OPENAT2_UNAVAILABLE: AtomicBool = AtomicBool::new(false);

/// Tells roots apart, so a thread never uses a directory held for another.
static NEXT_ROOT_ID: AtomicU64 = AtomicU64::new(1);

/// The directory of a thread's last file beneath a root, held open once a
/// second file in it is opened (in a tree of one file a directory, holding
/// each would cost a syscall more a file).
struct Parent {
    root: u64,
    dir: Vec<u8>,
    fd: Option<OwnedFd>,
}

thread_local! {
    /// The directory of the last file this thread opened in a subdirectory.
    static PARENT: RefCell<Option<Parent>> = const { RefCell::new(None) };
}

/// A packet's root directory, held open so files are opened beneath it.
#[derive(Debug)]
pub struct Root {
    dir: File,
    path: PathBuf,
    id: u64,
}

impl Root {
    /// Opens `path` as a packet root. It must be a directory.
    pub fn open(path: &Path) -> io::Result<Root> {
        let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(Root { dir: File::from(fd), path: path.to_path_buf(), id: NEXT_ROOT_ID.fetch_add(1, Ordering::Relaxed) })
    }

    /// The path the root was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens `rel` beneath the root for reading: never through a symlink,
    /// never blocking, and only if it is a regular file.
    pub fn open_file(&self, rel: &RelPath) -> Result<(File, Metadata), OpenError> {
        let file = self.open_raw(rel).map_err(|e| classify_open_error(e, || self.lstat_kind(rel)))?;
        regular(file)
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn open_raw(&self, rel: &RelPath) -> io::Result<File> {
        use rustix::fs::ResolveFlags;
        if !OPENAT2_UNAVAILABLE.load(Ordering::Relaxed) {
            let bytes = rel.as_bytes();
            if let Some(slash) = bytes.iter().rposition(|&b| b == b'/') {
                // A RelPath's components are plain names: the last is one
                // name, never `.` or `..`, so with O_NOFOLLOW it resolves in
                // its directory and nowhere else.
                let leaf = std::ffi::OsStr::from_bytes(&bytes[slash + 1..]);
                if let Some(opened) =
                    self.in_parent(&bytes[..slash], |dir| rustix::fs::openat(dir, leaf, READ_FLAGS, Mode::empty()))
                {
                    return opened.map(File::from).map_err(Into::into);
                }
                // The directory itself could not be opened: the whole path,
                // opened below, gives the precise error.
            }
            let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
            match rustix::fs::openat2(&self.dir, rel.as_os_str(), READ_FLAGS, Mode::empty(), resolve) {
                Ok(fd) => return Ok(File::from(fd)),
                // Old kernels and some sandboxes lack openat2. The walk has
                // already refused symlinks, so plain openat is the fallback.
                Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => {
                    OPENAT2_UNAVAILABLE.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(File::from(rustix::fs::openat(&self.dir, rel.as_os_str(), READ_FLAGS, Mode::empty())?))
    }

    /// Runs `f` on the directory `dir` beneath the root, held open by this
    /// thread when its last file was in `dir` too; `None` when this is the
    /// first file in `dir` of a run of them, or `dir` cannot be opened
    /// beneath the root without a symlink (then the whole path is opened).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn in_parent<T>(&self, dir: &[u8], f: impl FnOnce(&OwnedFd) -> T) -> Option<T> {
        use rustix::fs::ResolveFlags;
        PARENT.with(|cell| {
            let mut held = cell.borrow_mut();
            let same = held.as_ref().is_some_and(|p| p.root == self.id && p.dir == dir);
            if !same {
                *held = Some(Parent { root: self.id, dir: dir.to_vec(), fd: None });
                return None;
            }
            let parent = held.as_mut()?;
            if parent.fd.is_none() {
                let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
                let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
                let name = std::ffi::OsStr::from_bytes(dir);
                parent.fd = rustix::fs::openat2(&self.dir, name, flags, Mode::empty(), resolve).ok();
            }
            parent.fd.as_ref().map(f)
        })
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn open_raw(&self, rel: &RelPath) -> io::Result<File> {
        Ok(File::from(rustix::fs::openat(&self.dir, rel.as_os_str(), READ_FLAGS, Mode::empty())?))
    }

    fn lstat_kind(&self, rel: &RelPath) -> Option<FileKind> {
        std::fs::symlink_metadata(rel.under(&self.path)).ok().map(|m| FileKind::of(&m.file_type()))
    }

    /// The whole of `rel` if it is a regular file of at most `cap` bytes
    /// (and stays so while read); `None` otherwise.
    pub fn read_capped(&self, rel: &RelPath, cap: u64) -> Option<Vec<u8>> {
        use std::io::Read;
        let (file, meta) = self.open_file(rel).ok()?;
        if meta.len() > cap {
            return None;
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(cap + 1).read_to_end(&mut bytes).ok()?;
        (bytes.len() as u64 <= cap).then_some(bytes)
    }

    /// `lstat` of `rel` beneath the root.
    pub fn lstat(&self, rel: &RelPath) -> io::Result<Metadata> {
        std::fs::symlink_metadata(rel.under(&self.path))
    }

    /// The [`Stamp`] of `rel` (not following a final symlink), looked up
    /// relative to the open root.
    pub fn stamp(&self, rel: &RelPath) -> io::Result<Stamp> {
        let st = rustix::fs::statat(&self.dir, rel.as_os_str(), rustix::fs::AtFlags::SYMLINK_NOFOLLOW)?;
        let ns = |sec: i64, nsec: u64| i128::from(sec) * 1_000_000_000 + i128::from(nsec);
        Ok(Stamp {
            size: st.st_size as u64,
            mtime_ns: ns(st.st_mtime as i64, st.st_mtime_nsec as u64),
            ctime_ns: ns(st.st_ctime as i64, st.st_ctime_nsec as u64),
            ino: st.st_ino as u64,
            dev: st.st_dev as u64,
            mode: st.st_mode as u32,
        })
    }
}

/// Opens any path for reading the way `check` needs: the last component is
/// never followed if it is a symlink, special files are refused before they
/// are opened, and nothing blocks.
pub fn open_path(path: &Path) -> Result<(File, Metadata), OpenError> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| classify_open_error(e, || None))?;
    let kind = FileKind::of(&meta.file_type());
    if kind != FileKind::Regular {
        return Err(OpenError::Unsupported(kind));
    }
    let fd = rustix::fs::open(path, READ_FLAGS, Mode::empty()).map_err(|e| classify_open_error(e.into(), || None))?;
    regular(File::from(fd))
}

fn regular(file: File) -> Result<(File, Metadata), OpenError> {
    let meta = file.metadata().map_err(OpenError::Io)?;
    match FileKind::of(&meta.file_type()) {
        FileKind::Regular => Ok((file, meta)),
        other => Err(OpenError::Unsupported(other)),
    }
}

fn classify_open_error(e: io::Error, kind: impl FnOnce() -> Option<FileKind>) -> OpenError {
    match e.raw_os_error() {
        Some(code) if code == rustix::io::Errno::NOENT.raw_os_error() => OpenError::NotFound,
        Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => OpenError::Unsupported(FileKind::Symlink),
        Some(code) if code == rustix::io::Errno::NXIO.raw_os_error() => {
            OpenError::Unsupported(kind().unwrap_or(FileKind::Socket))
        }
        Some(code) if code == rustix::io::Errno::XDEV.raw_os_error() => {
            OpenError::Unsupported(kind().unwrap_or(FileKind::Symlink))
        }
        _ => OpenError::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn rel(p: &str) -> RelPath {
        RelPath::new(p.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn the_content_state_tells_apart_every_field_it_keeps_exactly() {
        const _: () = assert!(std::mem::size_of::<ContentState>() == 40);
        let base = Stamp { size: 5, mtime_ns: -1, ctime_ns: 7, ino: 9, dev: 3, mode: 0o100644 };
        let same = Stamp { ctime_ns: 8, mode: 0o100600, ..base };
        assert!(base.same_content_state(&same), "ctime and mode are not content");
        let changed = [
            Stamp { size: 6, ..base },
            Stamp { mtime_ns: 0, ..base },
            Stamp { mtime_ns: -1 - (1 << 64), ..base },
            Stamp { mtime_ns: i128::MAX, ..base },
            Stamp { ino: 10, ..base },
            Stamp { dev: 4, ..base },
        ];
        for later in changed {
            assert!(!base.same_content_state(&later), "{later:?}");
            assert_ne!(base.content_state(), later.content_state(), "{later:?}");
        }
    }

    fn read(root: &Root, p: &str) -> Result<String, OpenError> {
        let (mut f, _) = root.open_file(&rel(p))?;
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        Ok(s)
    }

    /// The directory a thread holds open refuses what a whole-path open
    /// refuses, and serves only the root it was opened beneath.
    #[test]
    fn a_held_directory_refuses_what_the_whole_path_refuses() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        for (dir, text) in [(&one, "one"), (&two, "two")] {
            std::fs::create_dir(dir.path().join("sub")).unwrap();
            std::fs::write(dir.path().join("sub/a"), text).unwrap();
            std::fs::write(dir.path().join("sub/b"), text).unwrap();
        }
        let (r1, r2) = (Root::open(one.path()).unwrap(), Root::open(two.path()).unwrap());
        // The first file in sub/ by the whole path, the second through sub/
        // held open.
        assert_eq!(read(&r1, "sub/a").unwrap(), "one");
        assert_eq!(read(&r1, "sub/b").unwrap(), "one");
        assert!(PARENT.with(|p| p.borrow().as_ref().is_some_and(|p| p.fd.is_some() && p.dir == b"sub")));
        // Same directory name, another root: never the held one.
        assert_eq!(read(&r2, "sub/a").unwrap(), "two");
        assert_eq!(read(&r2, "sub/b").unwrap(), "two");
        assert_eq!(read(&r1, "sub/a").unwrap(), "one");
        assert_eq!(read(&r1, "sub/b").unwrap(), "one");
        // A symlink as the last component, through the held directory.
        std::fs::remove_file(one.path().join("sub/b")).unwrap();
        std::os::unix::fs::symlink("a", one.path().join("sub/b")).unwrap();
        assert!(matches!(read(&r1, "sub/b"), Err(OpenError::Unsupported(FileKind::Symlink))));
        // A FIFO is opened without blocking and refused by type.
        rustix::fs::mknodat(&r1.dir, "sub/fifo", rustix::fs::FileType::Fifo, Mode::from_raw_mode(0o600), 0).unwrap();
        assert!(matches!(read(&r1, "sub/fifo"), Err(OpenError::Unsupported(FileKind::Fifo))));
        assert!(matches!(read(&r1, "sub/absent"), Err(OpenError::NotFound)));
        assert!(PARENT.with(|p| p.borrow().as_ref().is_some_and(|p| p.fd.is_some() && p.root == r1.id)));
        // A symlink on the way to the directory: refused, never held.
        std::os::unix::fs::symlink("sub", one.path().join("link")).unwrap();
        assert!(matches!(read(&r1, "link/a"), Err(OpenError::Unsupported(FileKind::Symlink))));
        // A directory replaced by a symlink is refused once a new root looks.
        std::fs::rename(one.path().join("sub"), one.path().join("moved")).unwrap();
        std::os::unix::fs::symlink("moved", one.path().join("sub")).unwrap();
        let again = Root::open(one.path()).unwrap();
        assert!(matches!(read(&again, "sub/a"), Err(OpenError::Unsupported(FileKind::Symlink))));
    }
}
