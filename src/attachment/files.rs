//! Attachment files on disk, named by the SHA-256 of their content under the data directory, and
//! on the disk (written, synced and renamed into place) before the comment that carries them is
//! committed. They are never served from their path: the server reads them by id after checking
//! who may see them.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

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
