//! Attachments as storage hands them over: a file to record with its comment, a file to serve,
//! and what the public may know of one.

use super::{AttachmentInfo, AttachmentKind};

/// A file already on disk, to be recorded with its comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub file_name: String,
    pub kind: AttachmentKind,
    pub sha256: String,
    pub size_bytes: i64,
}

/// What serving a file needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentFile {
    pub info: AttachmentInfo,
    pub comment_id: i64,
    pub sha256: String,
    /// The redacted version's bytes, when staff made one.
    pub redacted_sha256: Option<String>,
    /// The status of the comment that carries it.
    pub comment_status: String,
}

impl AttachmentFile {
    /// What the public downloads: the redacted version if there is one, else the original
    /// (name, kind, digest).
    pub fn public_version(&self) -> (String, AttachmentKind, &str) {
        match (&self.info.redacted, &self.redacted_sha256) {
            (Some(redacted), Some(digest)) => (
                name_for_kind(&self.info.file_name, redacted.kind),
                redacted.kind,
                digest,
            ),
            _ => (self.info.file_name.clone(), self.info.kind, &self.sha256),
        }
    }
}

/// The file's name with the extension of `kind` (a letter sent as Word and redacted as a PDF).
fn name_for_kind(name: &str, kind: AttachmentKind) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    format!("{stem}.{}", kind.as_str())
}

/// An attachment as the public sees it: the redacted version's name, kind and size where there is
/// one, and no text or problems (those are for moderators).
pub fn public_info(info: AttachmentInfo) -> AttachmentInfo {
    let (file_name, kind, size_bytes) = match &info.redacted {
        Some(redacted) => (
            name_for_kind(&info.file_name, redacted.kind),
            redacted.kind,
            redacted.size_bytes,
        ),
        None => (info.file_name, info.kind, info.size_bytes),
    };
    AttachmentInfo {
        id: info.id,
        file_name,
        kind,
        size_bytes,
        withheld: false,
        text: None,
        text_cut: false,
        text_problem: None,
        redacted: None,
    }
}
