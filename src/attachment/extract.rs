//! Text out of attached files (PDF, DOCX, RTF, plain text), with limits: a DOCX whose document
//! unpacks to more than `MAX_TEXT_BYTES` is refused (a zip bomb), and a parser that panics gives
//! an error, not a crash. Run it in a separate process (`opendocket extract-text`) so that a file
//! that makes a parser loop or allocate without end cannot hurt the server.

use super::AttachmentKind;
use std::io::Read;
use thiserror::Error;

/// The most text (or unpacked document XML) taken from one file.
pub const MAX_TEXT_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("images have no text to extract")]
    NoText,
    #[error("the file could not be read: {0}")]
    Unreadable(String),
    #[error("the file unpacks to more than {max_mb} MB")]
    TooLarge { max_mb: u64 },
}

/// The text of a file of `kind`.
pub fn extract_text(kind: AttachmentKind, bytes: &[u8]) -> Result<String, ExtractError> {
    let text = match kind {
        AttachmentKind::Jpeg | AttachmentKind::Png => return Err(ExtractError::NoText),
        AttachmentKind::Text => String::from_utf8_lossy(bytes).into_owned(),
        AttachmentKind::Pdf => pdf_text(bytes)?,
        AttachmentKind::Docx => docx_text(bytes)?,
        AttachmentKind::Rtf => rtf_text(bytes),
    };
    Ok(tidy(&text))
}

/// Lines trimmed, runs of blank lines folded to one.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = true;
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
            continue;
        }
        out.push_str(line.trim_start());
        out.push('\n');
        blank = false;
    }
    out.trim_end().to_owned()
}

fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let owned = bytes.to_vec();
    match std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&owned)) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(error)) => Err(ExtractError::Unreadable(error.to_string())),
        Err(_) => Err(ExtractError::Unreadable("the PDF reader failed".into())),
    }
}

fn docx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    use quick_xml::events::Event;
    let unreadable = |e: &dyn std::fmt::Display| ExtractError::Unreadable(e.to_string());
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|e| unreadable(&e))?;
    let too_large = ExtractError::TooLarge {
        max_mb: MAX_TEXT_BYTES / (1024 * 1024),
    };
    if entry.size() > MAX_TEXT_BYTES {
        return Err(too_large);
    }
    // The declared size can lie: read at most one byte past the limit.
    let mut xml = Vec::new();
    entry
        .take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| unreadable(&e))?;
    if xml.len() as u64 > MAX_TEXT_BYTES {
        return Err(too_large);
    }
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut text = String::new();
    let mut in_text = false;
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:t" => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:p" => text.push('\n'),
            Ok(Event::Empty(e)) if matches!(e.name().as_ref(), b"w:tab") => text.push('\t'),
            Ok(Event::Empty(e)) if matches!(e.name().as_ref(), b"w:br" | b"w:cr") => {
                text.push('\n')
            }
            Ok(Event::Text(t)) if in_text => {
                let decoded = t.unescape().map_err(|e| unreadable(&e))?;
                text.push_str(&decoded);
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(unreadable(&e)),
            _ => {}
        }
        buffer.clear();
    }
    Ok(text)
}

/// The visible text of an RTF document: control words dropped, `\par` as a line break, `\'hh`
/// as a Windows-1252 byte, `\uN` as a character, and groups that hold no text (font and colour
/// tables, pictures, `\*` destinations) skipped.
fn rtf_text(bytes: &[u8]) -> String {
    const SKIPPED: [&str; 8] = [
        "fonttbl",
        "colortbl",
        "stylesheet",
        "info",
        "pict",
        "header",
        "footer",
        "listtable",
    ];
    let mut out = String::new();
    // For each open group: whether its text is skipped.
    let mut groups: Vec<bool> = Vec::new();
    let mut skip_next_char = false;
    let mut i = 0;
    let skipping = |groups: &Vec<bool>| groups.last().copied().unwrap_or(false);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'{' => {
                let outer = skipping(&groups);
                groups.push(outer);
                i += 1;
            }
            b'}' => {
                groups.pop();
                i += 1;
            }
            b'\\' => {
                i += 1;
                let Some(&next) = bytes.get(i) else { break };
                if next == b'\'' {
                    let hex = bytes
                        .get(i + 1..i + 3)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        if !skipping(&groups) && !std::mem::take(&mut skip_next_char) {
                            out.push(windows_1252(value));
                        }
                    }
                    i += 3;
                    continue;
                }
                if !next.is_ascii_alphabetic() {
                    // A control symbol: \\ \{ \} are text, \* marks a destination to skip.
                    match next {
                        b'*' => {
                            if let Some(last) = groups.last_mut() {
                                *last = true;
                            }
                        }
                        b'\\' | b'{' | b'}' if !skipping(&groups) => out.push(next as char),
                        b'~' if !skipping(&groups) => out.push('\u{a0}'),
                        _ => {}
                    }
                    i += 1;
                    continue;
                }
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = std::str::from_utf8(&bytes[start..i]).unwrap_or_default();
                let number_start = i;
                if i < bytes.len() && (bytes[i] == b'-' || bytes[i].is_ascii_digit()) {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let number: Option<i32> = std::str::from_utf8(&bytes[number_start..i])
                    .ok()
                    .and_then(|n| n.parse().ok());
                if i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                if SKIPPED.contains(&word) {
                    if let Some(last) = groups.last_mut() {
                        *last = true;
                    }
                    continue;
                }
                if skipping(&groups) {
                    continue;
                }
                match word {
                    "par" | "line" | "sect" | "page" => out.push('\n'),
                    "tab" => out.push('\t'),
                    "u" => {
                        if let Some(n) = number {
                            let code = if n < 0 { n + 65_536 } else { n } as u32;
                            out.extend(char::from_u32(code));
                            skip_next_char = true;
                        }
                    }
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if !skipping(&groups) && !std::mem::take(&mut skip_next_char) {
                    out.push(b as char);
                }
                i += 1;
            }
        }
    }
    out
}

fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[(byte - 0x80) as usize],
        other => other as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn docx(document_xml: &[u8]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("[Content_Types].xml", options).unwrap();
            zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
            zip.start_file("word/document.xml", options).unwrap();
            zip.write_all(document_xml).unwrap();
            zip.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn docx_paragraphs_become_lines() {
        let xml = br#"<?xml version="1.0"?><w:document xmlns:w="w"><w:body>
            <w:p><w:r><w:t>Dear Commission,</w:t></w:r></w:p>
            <w:p><w:r><w:t xml:space="preserve">Health data &amp; </w:t></w:r><w:r><w:t>advertising.</w:t></w:r></w:p>
            </w:body></w:document>"#;
        let text = extract_text(AttachmentKind::Docx, &docx(xml)).unwrap();
        assert_eq!(text, "Dear Commission,\nHealth data & advertising.");
    }

    #[test]
    fn a_zip_bomb_is_refused_without_unpacking_it() {
        let huge = vec![b' '; (MAX_TEXT_BYTES + 10) as usize];
        let bomb = docx(&huge);
        assert!(bomb.len() < 1024 * 1024, "it packs small: {}", bomb.len());
        assert_eq!(
            extract_text(AttachmentKind::Docx, &bomb),
            Err(ExtractError::TooLarge { max_mb: 20 })
        );
    }

    #[test]
    fn broken_files_are_errors_not_crashes() {
        assert!(matches!(
            extract_text(AttachmentKind::Docx, b"PK\x03\x04 not really a zip"),
            Err(ExtractError::Unreadable(_))
        ));
        assert!(matches!(
            extract_text(AttachmentKind::Pdf, b"%PDF-1.4\n garbage"),
            Err(ExtractError::Unreadable(_))
        ));
        assert_eq!(
            extract_text(AttachmentKind::Png, b"\x89PNG"),
            Err(ExtractError::NoText)
        );
    }

    /// A one-page PDF with `line` in Helvetica, made the way a word processor would.
    fn pdf(line: &str) -> Vec<u8> {
        use lopdf::content::{Content, Operation};
        use lopdf::{dictionary, Document, Object, Stream};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
        });
        let resources_id = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => font_id },
        });
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 12.into()]),
                Operation::new("Td", vec![72.into(), 700.into()]),
                Operation::new("Tj", vec![Object::string_literal(line)]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page_id.into()],
                "Count" => 1,
                "Resources" => resources_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let catalog_id = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn pdf_text_is_extracted() {
        let bytes = pdf("Advertisers must never see my therapy notes.");
        assert_eq!(super::super::sniff(&bytes), Some(AttachmentKind::Pdf));
        let text = extract_text(AttachmentKind::Pdf, &bytes).unwrap();
        assert_eq!(text, "Advertisers must never see my therapy notes.");
    }

    #[test]
    fn a_truncated_pdf_is_an_error() {
        let bytes = pdf("Cut off before the end.");
        assert!(matches!(
            extract_text(AttachmentKind::Pdf, &bytes[..bytes.len() / 2]),
            Err(ExtractError::Unreadable(_))
        ));
    }

    #[test]
    fn rtf_text_without_tables_and_with_escapes() {
        let rtf =
            br"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}{\colortbl;\red0\green0\blue0;}
{\*\generator Writer;}\f0\fs24 Dear Commission,\par
Caf\'e9 owners \u8212? and patients\par
{\b Protect} health data.}";
        assert_eq!(
            extract_text(AttachmentKind::Rtf, rtf).unwrap(),
            "Dear Commission,\nCafé owners — and patients\nProtect health data."
        );
    }

    #[test]
    fn text_is_tidied() {
        assert_eq!(
            extract_text(AttachmentKind::Text, b"  one  \n\n\n\ntwo\r\n").unwrap(),
            "one\n\ntwo"
        );
    }
}
