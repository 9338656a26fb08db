//! On-disk stores (`--store DIR`): an Oxigraph RocksDB database that starts with the bundled
//! graph and keeps what `digicoop load` adds to it. Built with the cargo feature `rocksdb`;
//! without it, opening one is a clear error.
//!
//! **Sharing a store between processes.** RocksDB lets one process write a database, and
//! Oxigraph documents reading one while another process writes it as undefined behaviour.
//! digicoop therefore keeps a lock file, `DIR/digicoop.lock`: whatever reads (query, run,
//! export, validate, graphs, the shell) holds a shared lock and opens the store read-only,
//! so any number of readers run side by side; a load takes the lock exclusively for as long
//! as it writes, then goes back to reading. A process that cannot get the lock it needs
//! stops at once with [`StoreError::Busy`] (exit code 8) instead of waiting.
//!
//! **Loads are all or nothing.** Oxigraph's bulk loader writes sorted files beside the
//! database and ingests them in one atomic step at the end; a syntax error, Ctrl-C or a
//! crash before that step leaves the store exactly as it was (see [`crate::load`]).

use crate::store::{self, StoreError};
use oxigraph::store::Store;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file inside a store directory.
pub const LOCK_FILE: &str = "digicoop.lock";

/// An on-disk store, open for reading, with the shared lock that keeps writers out.
pub struct DiskStore {
    dir: PathBuf,
    /// Declared before the lock so it closes first.
    store: Store,
    lock: File,
}

/// What a directory given as `--store` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contents {
    /// Nothing yet (missing, empty, or only our lock file).
    Nothing,
    /// A RocksDB database.
    Database,
    /// Something else: never written into.
    Other,
}

impl DiskStore {
    /// Opens the store in `dir` for reading. A missing or empty `dir` becomes a new store
    /// holding the bundled graph if `create`, and is an error otherwise; a directory that
    /// holds anything but a store is never touched.
    pub fn open(dir: &Path, create: bool) -> Result<Self, StoreError> {
        match contents(dir)? {
            Contents::Other => Err(StoreError::NotAStore(dir.to_owned())),
            Contents::Nothing if !create => Err(StoreError::NoStore(dir.to_owned())),
            Contents::Nothing => {
                check_support()?;
                fs::create_dir_all(dir).map_err(io_error(dir))?;
                let lock = lock_file(dir)?;
                exclusive(&lock, dir)?;
                // Another process may have created it since we looked.
                if contents(dir)? == Contents::Nothing {
                    let writable = open_read_write(dir)?;
                    store::load_bundled(&writable)?;
                    flush(&writable)?;
                }
                Self::read(dir, lock)?.finished()
            }
            Contents::Database => {
                check_support()?;
                Self::read(dir, lock_file(dir)?)?.finished()
            }
        }
    }

    /// Adds the bundled graph to a store that lacks it: one whose creation was cut short
    /// between RocksDB making its files and the bundled graph's one transaction committing.
    fn finished(mut self) -> Result<Self, StoreError> {
        if !store::holds_bundled(&self.store)? {
            self.write(store::load_bundled)?;
        }
        Ok(self)
    }

    /// Takes (or turns `lock` into) the shared lock and opens the store read-only.
    fn read(dir: &Path, lock: File) -> Result<Self, StoreError> {
        shared(&lock, dir)?;
        let store = open_read_only(dir)?;
        Ok(DiskStore {
            dir: dir.to_owned(),
            store,
            lock,
        })
    }

    /// The store, read-only.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `write` on the store opened read-write while holding the lock exclusively, then
    /// goes back to reading: [`Self::store`] then sees what was written.
    ///
    /// Fails with [`StoreError::Busy`] if another process has the store open.
    pub fn write<T>(
        &mut self,
        write: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // Close our read-only view; it would not see the write anyway.
        self.store = Store::new()?;
        let result = match exclusive(&self.lock, &self.dir) {
            Ok(()) => open_read_write(&self.dir).and_then(|writable| {
                let value = write(&writable)?;
                flush(&writable)?;
                Ok(value)
            }),
            Err(busy) => Err(busy),
        };
        // Whatever happened, read on and let other processes in again. Converting a lock may
        // drop it when the conversion fails, and another writer may slip in then: wait for
        // it rather than read while it writes.
        self.lock.lock_shared().map_err(io_error(&self.dir))?;
        self.store = open_read_only(&self.dir)?;
        result
    }
}

fn contents(dir: &Path) -> Result<Contents, StoreError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::Nothing),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(Contents::Other),
        Err(e) => return Err(io_error(dir)(e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        names.push(entry.map_err(io_error(dir))?.file_name());
    }
    Ok(if names.iter().any(|n| n == "CURRENT") {
        Contents::Database
    } else if names.iter().all(|n| n == LOCK_FILE) {
        Contents::Nothing
    } else {
        Contents::Other
    })
}

fn io_error(dir: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: dir.to_owned(),
        source,
    }
}

fn lock_file(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK_FILE);
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|source| StoreError::Io { path, source })
}

/// Takes the lock for writing and notes our process id in it for others' messages.
fn exclusive(lock: &File, dir: &Path) -> Result<(), StoreError> {
    match lock.try_lock() {
        Ok(()) => {
            let mut file = lock;
            let noted = file
                .set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| write!(file, "{}", std::process::id()));
            noted.map_err(io_error(dir))
        }
        Err(TryLockError::WouldBlock) => Err(StoreError::Busy {
            dir: dir.to_owned(),
            reason: "other digicoop processes are reading it (a shell, or queries still running); \
                     loading needs the store to itself"
                .into(),
        }),
        Err(TryLockError::Error(e)) => Err(io_error(dir)(e)),
    }
}

fn shared(lock: &File, dir: &Path) -> Result<(), StoreError> {
    match lock.try_lock_shared() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => {
            let mut writer = String::new();
            let _ = (&*lock)
                .rewind()
                .and_then(|()| (&*lock).read_to_string(&mut writer));
            let who = match writer.trim() {
                "" => "another digicoop process".to_owned(),
                pid => format!("digicoop process {pid}"),
            };
            Err(StoreError::Busy {
                dir: dir.to_owned(),
                reason: format!("{who} is loading into it; try again when the load has finished"),
            })
        }
        Err(TryLockError::Error(e)) => Err(io_error(dir)(e)),
    }
}

#[cfg(feature = "rocksdb")]
fn check_support() -> Result<(), StoreError> {
    Ok(())
}

#[cfg(not(feature = "rocksdb"))]
fn check_support() -> Result<(), StoreError> {
    Err(StoreError::NoDiskSupport)
}

#[cfg(feature = "rocksdb")]
fn open_read_write(dir: &Path) -> Result<Store, StoreError> {
    Ok(Store::open(dir)?)
}

#[cfg(feature = "rocksdb")]
fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
    Ok(Store::open_read_only(dir)?)
}

/// Writes RocksDB's memory tables to disk, so the next read-only open sees everything
/// without replaying the write-ahead log.
#[cfg(feature = "rocksdb")]
fn flush(store: &Store) -> Result<(), StoreError> {
    Ok(store.flush()?)
}

#[cfg(not(feature = "rocksdb"))]
fn flush(_: &Store) -> Result<(), StoreError> {
    Err(StoreError::NoDiskSupport)
}

#[cfg(not(feature = "rocksdb"))]
fn open_read_write(_: &Path) -> Result<Store, StoreError> {
    Err(StoreError::NoDiskSupport)
}

#[cfg(not(feature = "rocksdb"))]
fn open_read_only(_: &Path) -> Result<Store, StoreError> {
    Err(StoreError::NoDiskSupport)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_that_is_not_a_store_is_never_touched() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = DiskStore::open(dir.path(), true).err().unwrap();
        assert!(matches!(err, StoreError::NotAStore(_)), "{err}");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no lock file, no database files");
    }

    #[test]
    fn reading_a_missing_store_says_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("kg");
        let err = DiskStore::open(&missing, false).err().unwrap();
        assert!(matches!(err, StoreError::NoStore(_)), "{err}");
        assert!(err.to_string().contains("digicoop load"), "{err}");
        assert!(!missing.exists());
    }

    #[test]
    fn a_writer_keeps_readers_out_and_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let writer = lock_file(dir.path()).unwrap();
        exclusive(&writer, dir.path()).unwrap();
        let reader = lock_file(dir.path()).unwrap();
        let err = shared(&reader, dir.path()).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, StoreError::Busy { .. }), "{message}");
        assert!(
            message.contains(&format!("digicoop process {}", std::process::id())),
            "{message}"
        );
        writer.unlock().unwrap();
        shared(&reader, dir.path()).unwrap();
    }

    #[test]
    fn readers_share_and_keep_a_writer_out() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_file(dir.path()).unwrap();
        let second = lock_file(dir.path()).unwrap();
        shared(&first, dir.path()).unwrap();
        shared(&second, dir.path()).unwrap();
        let writer = lock_file(dir.path()).unwrap();
        let err = exclusive(&writer, dir.path()).unwrap_err();
        assert!(
            err.to_string().contains("needs the store to itself"),
            "{err}"
        );
    }

    #[cfg(not(feature = "rocksdb"))]
    #[test]
    fn without_the_feature_a_new_store_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = DiskStore::open(&dir.path().join("kg"), true).err().unwrap();
        assert!(err.to_string().contains("--features rocksdb"), "{err}");
    }

    #[cfg(feature = "rocksdb")]
    #[test]
    fn a_new_store_holds_the_bundled_graph_and_keeps_what_is_written() {
        use oxigraph::model::{GraphNameRef, NamedNodeRef, QuadRef};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg");
        let disk = DiskStore::open(&path, true).unwrap();
        let bundled = store::bundled_store().unwrap().len().unwrap();
        assert_eq!(disk.store().len().unwrap(), bundled);
        let ex = NamedNodeRef::new("http://example.org/x").unwrap();
        let quad = QuadRef::new(ex, ex, ex, GraphNameRef::NamedNode(ex));
        let mut disk = disk;
        disk.write(|store| Ok(store.insert(quad)?)).unwrap();
        assert_eq!(disk.store().len().unwrap(), bundled + 1);
        drop(disk);
        let again = DiskStore::open(&path, false).unwrap();
        assert!(again.store().contains(quad).unwrap());
    }

    #[cfg(feature = "rocksdb")]
    #[test]
    fn a_store_cut_short_before_the_bundled_graph_gets_it_when_next_opened() {
        let dir = tempfile::tempdir().unwrap();
        drop(open_read_write(dir.path()).unwrap());
        assert_eq!(contents(dir.path()).unwrap(), Contents::Database);
        let disk = DiskStore::open(dir.path(), false).unwrap();
        let bundled = store::bundled_store().unwrap().len().unwrap();
        assert_eq!(disk.store().len().unwrap(), bundled);
    }
}
