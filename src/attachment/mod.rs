//! Files attached to comments: which are accepted (decided from their content, never from their
//! name), the limits, safe names, and (with `ssr`) content-addressed storage on disk.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub mod files;
mod stored;
pub use stored::{public_info, AttachmentFile, StoredAttachment};

/// The kinds of file the public may attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentKind {
    Pdf,
    Docx,
    Rtf,
    Text,
    Jpeg,
    Png,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 6] = [
        Self::Pdf,
        Self::Docx,
        Self::Rtf,
        Self::Text,
        Self::Jpeg,
        Self::Png,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Rtf => "rtf",
            Self::Text => "txt",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The content type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Rtf => "application/rtf",
            Self::Text => "text/plain; charset=utf-8",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The name a file is offered under: the name it was sent with, its extension replaced by
    /// this kind's, so a text file sent as `letter.hta` downloads as `letter.txt` and never opens
    /// as a program.
    pub fn served_name(self, name: &str) -> String {
        let stem = match name.rsplit_once('.') {
            Some((stem, _)) if !stem.trim().is_empty() => stem,
            _ => name,
        };
        format!("{stem}.{}", self.as_str())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Docx => "Word document",
            Self::Rtf => "RTF document",
            Self::Text => "text file",
            Self::Jpeg => "JPEG image",
            Self::Png => "PNG image",
        }
    }
}

/// How much of a file's text pages show; the rest is read in the file itself.
pub const SHOWN_TEXT_CHARS: usize = 2_000;

/// An attachment as pages list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub file_name: String,
    pub kind: AttachmentKind,
    pub size_bytes: i64,
    /// A moderator withheld this file from the public.
    pub withheld: bool,
    /// The start of the file's text once extracted (for moderators), at most
    /// `SHOWN_TEXT_CHARS` characters, or why it could not be read.
    pub text: Option<String>,
    /// The text goes on beyond what `text` holds: the rest is in the file.
    pub text_cut: bool,
    pub text_problem: Option<String>,
    /// The redacted version staff made, which the public gets instead.
    pub redacted: Option<RedactedFile>,
}

/// A redacted version of an attachment: its kind and size, and why its text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedFile {
    pub kind: AttachmentKind,
    pub size_bytes: i64,
    pub text_problem: Option<String>,
}

/// Which file of an attachment: what the person sent, or the redacted version staff made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentVersion {
    Original,
    Redacted,
}

impl AttachmentInfo {
    /// "letter.pdf (PDF, 84 KB)".
    pub fn describe(&self) -> String {
        describe_file(&self.file_name, self.kind, self.size_bytes)
    }
}

/// "letter.pdf (PDF, 84 KB)".
pub fn describe_file(name: &str, kind: AttachmentKind, size_bytes: i64) -> String {
    let kb = (size_bytes + 1023) / 1024;
    let size = if kb >= 1024 {
        format!("{:.1} MB", size_bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{kb} KB")
    };
    format!("{name} ({}, {size})", kind.label())
}

/// How many files a comment may carry and how large each may be (configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimits {
    pub max_files: usize,
    pub max_bytes: usize,
}

impl Default for AttachmentLimits {
    /// regulations.gov's limits: 20 files of 10 MB each.
    fn default() -> Self {
        Self {
            max_files: 20,
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AttachmentError {
    #[error("At most {max} files can be attached to one comment.")]
    TooMany { max: usize },
    #[error("{name} is larger than {max_mb} MB, the limit for one file.")]
    TooLarge { name: String, max_mb: usize },
    #[error("{name} is empty.")]
    Empty { name: String },
    #[error("{name} is not a PDF, Word (.docx), RTF or text file, or a JPEG or PNG image.")]
    NotAllowed { name: String },
    #[error("Your files could not be saved just now.")]
    NotStored,
}

/// A file as received, checked against the limits and identified by its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub file_name: String,
    pub kind: AttachmentKind,
    pub bytes: Vec<u8>,
}

impl NewAttachment {
    /// Checks one received file: not empty, within the size limit, and of an allowed kind judged
    /// from its bytes (a renamed program is refused whatever its name says).
    pub fn check(
        raw_name: &str,
        bytes: Vec<u8>,
        limits: &AttachmentLimits,
    ) -> Result<Self, AttachmentError> {
        let file_name = safe_file_name(raw_name);
        if bytes.is_empty() {
            return Err(AttachmentError::Empty { name: file_name });
        }
        if bytes.len() > limits.max_bytes {
            return Err(AttachmentError::TooLarge {
                name: file_name,
                max_mb: limits.max_bytes / (1024 * 1024),
            });
        }
        let kind = sniff(&bytes).ok_or_else(|| AttachmentError::NotAllowed {
            name: file_name.clone(),
        })?;
        Ok(Self {
            file_name,
            kind,
            bytes,
        })
    }
}

/// The kind of a file from its bytes; `None` for anything not allowed.
pub fn sniff(bytes: &[u8]) -> Option<AttachmentKind> {
    let mut sniffer = KindSniffer::default();
    sniffer.push(bytes);
    sniffer.finish()
}

/// Decides a file's kind as its bytes arrive, keeping only its first `HEAD_BYTES`: the magic
/// numbers are at the start, and plain text (which has none) is checked piece by piece.
#[derive(Debug, Default)]
pub struct KindSniffer {
    head: Vec<u8>,
    /// Whether everything so far is UTF-8 without binary controls.
    text: TextCheck,
}

/// Enough of a file for every kind's signature (a DOCX names its parts near the start).
const HEAD_BYTES: usize = 64 * 1024;

impl KindSniffer {
    pub fn push(&mut self, chunk: &[u8]) {
        let room = HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.text.push(chunk);
    }

    pub fn finish(self) -> Option<AttachmentKind> {
        match infer::get(&self.head).map(|t| t.mime_type()) {
            Some("application/pdf") => Some(AttachmentKind::Pdf),
            Some("image/jpeg") => Some(AttachmentKind::Jpeg),
            Some("image/png") => Some(AttachmentKind::Png),
            Some("application/rtf") => Some(AttachmentKind::Rtf),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document") => {
                Some(AttachmentKind::Docx)
            }
            Some(_) => None,
            // Plain text has no magic number: valid UTF-8 without NUL bytes or other binary controls.
            None => self.text.finish().then_some(AttachmentKind::Text),
        }
    }
}

/// UTF-8 validation across pieces: a character cut between two pieces is carried over.
#[derive(Debug)]
struct TextCheck {
    ok: bool,
    carry: Vec<u8>,
}

impl Default for TextCheck {
    fn default() -> Self {
        Self {
            ok: true,
            carry: Vec::new(),
        }
    }
}

impl TextCheck {
    fn push(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        // First complete a character cut at the end of the previous piece (at most 3 bytes more).
        while self.ok && !self.carry.is_empty() {
            let Some((&byte, after)) = rest.split_first() else {
                return;
            };
            rest = after;
            self.carry.push(byte);
            match std::str::from_utf8(&self.carry) {
                Ok(text) => {
                    self.ok = is_plain(text);
                    self.carry.clear();
                }
                Err(e) if e.error_len().is_none() => {}
                Err(_) => self.ok = false,
            }
        }
        if !self.ok {
            return;
        }
        match std::str::from_utf8(rest) {
            Ok(text) => self.ok = is_plain(text),
            Err(e) if e.error_len().is_none() => {
                let (valid, cut) = rest.split_at(e.valid_up_to());
                self.ok = std::str::from_utf8(valid).is_ok_and(is_plain);
                self.carry.extend_from_slice(cut);
            }
            Err(_) => self.ok = false,
        }
    }

    fn finish(self) -> bool {
        self.ok && self.carry.is_empty()
    }
}

/// Text without NUL bytes or other binary controls.
fn is_plain(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

/// A file name safe to show and to offer in a download: the last path part, without control
/// characters or quotes, at most 120 characters; "attachment" when nothing is left.
pub fn safe_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(120)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        "attachment".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
    const RTF: &[u8] = b"{\\rtf1\\ansi Hello}";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0";

    #[test]
    fn kinds_are_decided_by_content() {
        assert_eq!(sniff(PDF), Some(AttachmentKind::Pdf));
        assert_eq!(sniff(PNG), Some(AttachmentKind::Png));
        assert_eq!(sniff(JPEG), Some(AttachmentKind::Jpeg));
        assert_eq!(sniff(RTF), Some(AttachmentKind::Rtf));
        assert_eq!(
            sniff("Plain words, ünïcode.\n".as_bytes()),
            Some(AttachmentKind::Text)
        );
        assert_eq!(sniff(EXE), None);
        assert_eq!(sniff(b"text with a NUL\0 byte"), None);
        assert_eq!(
            sniff(&[0xC3, 0x28, 0x41]),
            None,
            "invalid UTF-8 is not text"
        );
    }

    #[test]
    fn a_program_named_like_a_letter_is_refused() {
        let limits = AttachmentLimits::default();
        assert_eq!(
            NewAttachment::check("letter.pdf", EXE.to_vec(), &limits),
            Err(AttachmentError::NotAllowed {
                name: "letter.pdf".into()
            })
        );
        let text = NewAttachment::check("notes.pdf", b"just text".to_vec(), &limits).unwrap();
        assert_eq!(text.kind, AttachmentKind::Text, "the name does not decide");
    }

    #[test]
    fn limits_are_enforced_with_sentences() {
        let limits = AttachmentLimits {
            max_files: 2,
            max_bytes: 1024 * 1024,
        };
        let big = vec![b'a'; 1024 * 1024 + 1];
        let error = NewAttachment::check("big.txt", big, &limits).unwrap_err();
        assert_eq!(
            error.to_string(),
            "big.txt is larger than 1 MB, the limit for one file."
        );
        let empty = NewAttachment::check("empty.txt", Vec::new(), &limits).unwrap_err();
        assert_eq!(empty.to_string(), "empty.txt is empty.");
    }

    #[test]
    fn kinds_are_the_same_whatever_the_pieces() {
        let text = "Plain words, ünïcode €, 𝄞.\n".repeat(50);
        let bytes = text.as_bytes();
        for size in [1, 2, 3, 5, 7, 64, 100_000] {
            let mut sniffer = KindSniffer::default();
            bytes.chunks(size).for_each(|c| sniffer.push(c));
            assert_eq!(
                sniffer.finish(),
                Some(AttachmentKind::Text),
                "pieces of {size}"
            );
            let mut cut = KindSniffer::default();
            bytes[..bytes.len() - 2]
                .chunks(size)
                .for_each(|c| cut.push(c));
            cut.push(&[0xF0]);
            assert_eq!(cut.finish(), None, "a cut character at the end is not text");
            let mut pdf = KindSniffer::default();
            PDF.chunks(size).for_each(|c| pdf.push(c));
            assert_eq!(pdf.finish(), Some(AttachmentKind::Pdf), "pieces of {size}");
        }
    }

    #[test]
    fn served_names_end_with_the_detected_kind() {
        assert_eq!(AttachmentKind::Text.served_name("letter.hta"), "letter.txt");
        assert_eq!(AttachmentKind::Text.served_name("page.html"), "page.txt");
        assert_eq!(AttachmentKind::Text.served_name("a.b.svg"), "a.b.txt");
        assert_eq!(AttachmentKind::Pdf.served_name("Letter.PDF"), "Letter.pdf");
        assert_eq!(AttachmentKind::Jpeg.served_name("scan"), "scan.jpg");
        assert_eq!(AttachmentKind::Png.served_name(".hidden"), ".hidden.png");
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("C:\\Users\\ann\\letter.pdf"), "letter.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("a\"b<c>\n.pdf"), "abc.pdf");
        assert_eq!(safe_file_name("..."), "attachment");
        assert_eq!(safe_file_name(""), "attachment");
        assert_eq!(safe_file_name(&"x".repeat(300)).chars().count(), 120);
    }
}
