//! Attachment files on disk, named by the SHA-256 of their content under the data directory, and
//! on the disk (written, synced and renamed into place) before the comment that carries them is
//! committed. They are never served from their path: the server reads them by id after checking
//! who may see them.

use super::{AttachmentKind, KindSniffer};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Where files being received are written, beside the stored ones (so keeping one is a rename).
const INCOMING_DIR: &str = "incoming";

#[derive(Debug, Clone)]
pub struct AttachmentFiles {
    root: PathBuf,
}

impl AttachmentFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Where the file with this digest is (for the text extractor, a separate process).
    pub fn path_of(&self, digest: &str) -> Option<PathBuf> {
        let valid = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| {
            self.root
                .join(&digest[..2])
                .join(&digest[2..4])
                .join(digest)
        })
    }

    /// Stores `bytes` durably and returns their SHA-256 (hex), and whether this call created the
    /// file. Storing the same bytes twice keeps one file.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<(String, bool)> {
        let digest = hex(&Sha256::digest(bytes));
        let path = self
            .path_of(&digest)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        if path.exists() {
            return Ok((digest, false));
        }
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        std::fs::create_dir_all(&dir)?;
        let temp = dir.join(format!(".{digest}.{}.part", std::process::id()));
        {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&temp, &path)?;
        sync_dir(&dir)?;
        Ok((digest, true))
    }

    /// Starts receiving a file: its bytes go to a uniquely named temporary file, never to memory.
    pub fn incoming(&self) -> std::io::Result<IncomingFile> {
        let dir = self.root.join(INCOMING_DIR);
        std::fs::create_dir_all(&dir)?;
        Ok(IncomingFile {
            file: tempfile::Builder::new()
                .prefix("upload-")
                .tempfile_in(dir)?,
            hasher: Sha256::new(),
            size: 0,
            sniffer: KindSniffer::default(),
        })
    }

    /// Stores a received file durably under its digest; answers whether this created the file.
    /// When the same bytes are stored already, the existing file's time is renewed so that the
    /// sweep of unreferenced files leaves it alone while the comment that uses it is committed.
    pub fn keep(&self, received: ReceivedFile) -> std::io::Result<bool> {
        let path = self
            .path_of(&received.sha256)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        if let Ok(existing) = std::fs::File::options().write(true).open(&path) {
            existing.set_modified(SystemTime::now())?;
            return Ok(false);
        }
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        std::fs::create_dir_all(&dir)?;
        received
            .temp
            .persist(&path)
            .map_err(|e| std::io::Error::other(e.error))?;
        sync_dir(&dir)?;
        Ok(true)
    }

    /// Removes stored files that no attachment refers to (`in_use` answers for a digest) and
    /// unfinished uploads, both only when untouched for `grace`: longer than any request takes, so
    /// a file written for a comment not yet committed is never removed. A file is first renamed
    /// aside, so an upload of the same bytes meanwhile writes a fresh copy; it is put back if it
    /// turns out to be in use or was touched. Returns how many files were removed.
    pub fn sweep_unreferenced(
        &self,
        grace: Duration,
        mut in_use: impl FnMut(&str) -> std::io::Result<bool>,
    ) -> std::io::Result<usize> {
        let cutoff = SystemTime::now()
            .checked_sub(grace)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let old = |path: &Path| {
            std::fs::metadata(path)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < cutoff)
        };
        let mut removed = 0;
        for path in files_below(&self.root.join(INCOMING_DIR))? {
            if old(&path) && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        for path in files_below(&self.root)? {
            let Some(digest) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if self.path_of(digest).as_deref() != Some(path.as_path()) || !old(&path) {
                continue;
            }
            let aside = path.with_file_name(format!(".{digest}.sweep"));
            if std::fs::rename(&path, &aside).is_err() {
                continue;
            }
            if old(&aside) && !in_use(digest)? {
                std::fs::remove_file(&aside)?;
                removed += 1;
            } else if !path.exists() {
                std::fs::rename(&aside, &path)?;
            } else {
                std::fs::remove_file(&aside)?;
            }
        }
        Ok(removed)
    }

    /// Removes a stored file (one written for a comment that was then refused).
    pub fn remove(&self, digest: &str) -> std::io::Result<()> {
        match self.path_of(digest) {
            Some(path) => std::fs::remove_file(path),
            None => Ok(()),
        }
    }

    /// The stored bytes with this digest.
    pub fn read(&self, digest: &str) -> std::io::Result<Vec<u8>> {
        let path = self
            .path_of(digest)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))?;
        std::fs::read(path)
    }
}

/// A file being received. Dropped unfinished, its temporary file is removed.
pub struct IncomingFile {
    file: tempfile::NamedTempFile,
    hasher: Sha256,
    size: usize,
    sniffer: KindSniffer,
}

impl IncomingFile {
    pub fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.file.write_all(chunk)?;
        self.hasher.update(chunk);
        self.sniffer.push(chunk);
        self.size += chunk.len();
        Ok(())
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Flushes the file to the disk and says what it is.
    pub fn finish(mut self) -> std::io::Result<ReceivedFile> {
        self.file.flush()?;
        self.file.as_file().sync_all()?;
        Ok(ReceivedFile {
            sha256: hex(&self.hasher.finalize()),
            size: self.size,
            kind: self.sniffer.finish(),
            temp: self.file.into_temp_path(),
        })
    }
}

/// A file received whole, on the disk, not yet stored under its digest.
#[derive(Debug)]
pub struct ReceivedFile {
    pub sha256: String,
    pub size: usize,
    /// What its content says it is; `None` for a kind not allowed.
    pub kind: Option<AttachmentKind>,
    temp: tempfile::TempPath,
}

impl ReceivedFile {
    /// Its bytes (for the staff import, which reads one file of at most the upload limit).
    pub fn bytes(&self) -> std::io::Result<Vec<u8>> {
        std::fs::read(&self.temp)
    }
}

/// Every file below `dir` (none when it does not exist).
fn files_below(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                pending.push(entry.path());
            } else {
                out.push(entry.path());
            }
        }
    }
    Ok(out)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_stored_once_by_content_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let files = AttachmentFiles::new(dir.path());
        let (a, created) = files.put(b"a letter").unwrap();
        let (again, created_again) = files.put(b"a letter").unwrap();
        assert_eq!(a, again);
        assert!(created && !created_again);
        assert_eq!(a.len(), 64);
        assert_eq!(files.read(&a).unwrap(), b"a letter");
        let stored: Vec<_> = walk(dir.path());
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert!(files.read("../../etc/passwd").is_err());
        assert!(files.read(&"0".repeat(64)).is_err());
        files.remove(&a).unwrap();
        assert!(files.read(&a).is_err());
    }

    fn receive(files: &AttachmentFiles, chunks: &[&[u8]]) -> ReceivedFile {
        let mut incoming = files.incoming().unwrap();
        for chunk in chunks {
            incoming.write(chunk).unwrap();
        }
        incoming.finish().unwrap()
    }

    #[test]
    fn received_files_are_hashed_sniffed_and_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let files = AttachmentFiles::new(dir.path());
        let received = receive(&files, &[b"a let", "ter, é".as_bytes()]);
        assert_eq!(received.kind, Some(AttachmentKind::Text));
        assert_eq!(received.size, 12);
        let digest = received.sha256.clone();
        assert_eq!(files.put("a letter, é".as_bytes()).unwrap().0, digest);
        assert!(
            !files.keep(received).unwrap(),
            "the same bytes were stored already"
        );
        files.remove(&digest).unwrap();
        let again = receive(&files, &["a letter, é".as_bytes()]);
        assert!(files.keep(again).unwrap());
        assert_eq!(files.read(&digest).unwrap(), "a letter, é".as_bytes());
        assert_eq!(
            walk(&dir.path().join(INCOMING_DIR)).len(),
            0,
            "nothing left behind"
        );
        // A program is received (to be refused by the caller), and an unfinished upload vanishes.
        assert_eq!(receive(&files, &[b"MZ\x90\0\x03\0"]).kind, None);
        let mut unfinished = files.incoming().unwrap();
        unfinished.write(b"half").unwrap();
        drop(unfinished);
        assert_eq!(walk(&dir.path().join(INCOMING_DIR)).len(), 0);
    }

    #[test]
    fn the_sweep_removes_only_old_unreferenced_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = AttachmentFiles::new(dir.path());
        let (used, _) = files.put(b"a letter in use").unwrap();
        let (orphan, _) = files.put(b"a letter whose comment was refused").unwrap();
        let none = files.sweep_unreferenced(Duration::from_secs(3600), |_| Ok(false));
        assert_eq!(
            none.unwrap(),
            0,
            "recent files are kept whatever the database says"
        );
        let removed = files
            .sweep_unreferenced(Duration::ZERO, |digest| Ok(digest == used))
            .unwrap();
        assert_eq!(removed, 1);
        assert!(files.read(&used).is_ok());
        assert!(files.read(&orphan).is_err());
        assert_eq!(walk(dir.path()).len(), 1, "nothing renamed aside is left");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
        out
    }
}
