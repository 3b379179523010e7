//! Redaction of posted comments: chosen spans of the original are replaced by "[redacted]" in
//! the public version, while staff keep seeing the original.

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const REDACTED: &str = "[redacted]";
/// The most phrases one decision redacts (each is searched for along the whole text).
pub const MAX_PHRASES: usize = 50;

/// A span of a comment, in characters from the start, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Redaction {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RedactionError {
    #[error("the span {start}–{end} is outside the comment, which has {len} characters")]
    OutOfRange {
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("“{0}” does not appear in the comment")]
    NotFound(String),
    #[error("at most {max} phrases can be redacted at once")]
    TooMany { max: usize },
}

/// The phrases a moderator asked to redact: `|` between them, blank ones left out, at most
/// `MAX_PHRASES` (more is refused, not cut short).
pub fn phrases(request: &str) -> Result<Vec<String>, RedactionError> {
    let phrases: Vec<String> = request
        .split('|')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .take(MAX_PHRASES + 1)
        .map(str::to_owned)
        .collect();
    if phrases.len() > MAX_PHRASES {
        return Err(RedactionError::TooMany { max: MAX_PHRASES });
    }
    Ok(phrases)
}

/// `text` as it is posted with every occurrence of each phrase redacted, with the spans; `None`
/// when there is nothing to redact.
pub fn redact_phrases(
    text: &str,
    phrases: &[String],
) -> Result<Option<(Vec<Redaction>, String)>, RedactionError> {
    let mut spans = Vec::new();
    for phrase in phrases.iter().filter(|p| !p.trim().is_empty()) {
        spans.extend(find_phrase(text, phrase)?);
    }
    if spans.is_empty() {
        return Ok(None);
    }
    spans.sort();
    let posted = apply(text, &spans)?;
    Ok(Some((spans, posted)))
}

/// Every occurrence of `phrase` in `text` (case-sensitive, as the moderator typed it).
pub fn find_phrase(text: &str, phrase: &str) -> Result<Vec<Redaction>, RedactionError> {
    let phrase = phrase.trim();
    let found: Vec<Redaction> = if phrase.is_empty() {
        Vec::new()
    } else {
        // Character offsets counted once along the text, not from its start for every match.
        let phrase_chars = phrase.chars().count();
        let (mut counted_to, mut chars_before) = (0, 0);
        text.match_indices(phrase)
            .map(|(byte, _)| {
                chars_before += text[counted_to..byte].chars().count();
                counted_to = byte;
                Redaction {
                    start: chars_before,
                    end: chars_before + phrase_chars,
                }
            })
            .collect()
    };
    if found.is_empty() {
        Err(RedactionError::NotFound(phrase.to_owned()))
    } else {
        Ok(found)
    }
}

/// The public version of `text`: each span (overlapping spans merged) replaced by "[redacted]".
pub fn apply(text: &str, redactions: &[Redaction]) -> Result<String, RedactionError> {
    let len = text.chars().count();
    let mut spans = redactions.to_vec();
    spans.sort();
    for span in &spans {
        if span.start >= span.end || span.end > len {
            return Err(RedactionError::OutOfRange {
                start: span.start,
                end: span.end,
                len,
            });
        }
    }
    let mut merged: Vec<Redaction> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut spans = merged.iter().peekable();
    let mut skipping_until = None;
    for (i, c) in text.chars().enumerate() {
        if let Some(end) = skipping_until {
            if i < end {
                continue;
            }
            skipping_until = None;
        }
        if spans.peek().is_some_and(|s| s.start == i) {
            let span = spans.next().expect("peeked");
            out.push_str(REDACTED);
            skipping_until = Some(span.end);
            continue;
        }
        out.push(c);
    }
    Ok(out)
}

/// Stored form: `start-end,start-end`.
pub fn encode(redactions: &[Redaction]) -> String {
    redactions
        .iter()
        .map(|r| format!("{}-{}", r.start, r.end))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_split_on_bars_and_capped() {
        assert_eq!(
            phrases(" Jane | | 202-555-0143 ").unwrap(),
            ["Jane", "202-555-0143"]
        );
        assert!(phrases("").unwrap().is_empty());
        let many = vec!["x"; MAX_PHRASES + 1].join("|");
        assert_eq!(
            phrases(&many),
            Err(RedactionError::TooMany { max: MAX_PHRASES })
        );
        // A million bars cost one pass and no phrases.
        assert!(phrases(&"|".repeat(1_000_000)).unwrap().is_empty());
        let posted = redact_phrases(
            "Call Jane at 5550143, Jane.",
            &phrases("Jane|5550143").unwrap(),
        );
        assert_eq!(
            posted.unwrap().unwrap().1,
            "Call [redacted] at [redacted], [redacted]."
        );
        assert_eq!(redact_phrases("text", &[]), Ok(None));
        assert_eq!(
            redact_phrases("text", &["absent".to_owned()]),
            Err(RedactionError::NotFound("absent".to_owned()))
        );
    }

    proptest::proptest! {
        #[test]
        fn finding_and_redacting_never_panic(text in "\\PC{0,300}", phrase in "\\PC{0,5}") {
            if let Ok(found) = find_phrase(&text, &phrase) {
                let redacted = apply(&text, &found).unwrap();
                proptest::prop_assert!(redacted.contains("[redacted]"));
            }
        }
    }

    #[test]
    fn replaces_spans_with_the_marker() {
        let text = "Call me at 202-555-0143 or write to ada@example.org.";
        let mut spans = find_phrase(text, "202-555-0143").unwrap();
        spans.extend(find_phrase(text, "ada@example.org").unwrap());
        assert_eq!(
            apply(text, &spans).unwrap(),
            "Call me at [redacted] or write to [redacted]."
        );
    }

    #[test]
    fn merges_overlapping_spans_and_counts_characters_not_bytes() {
        let text = "Zoë Ünal lives here";
        let spans = [
            Redaction { start: 0, end: 5 },
            Redaction { start: 4, end: 8 },
        ];
        assert_eq!(apply(text, &spans).unwrap(), "[redacted] lives here");
    }

    #[test]
    fn every_occurrence_of_a_phrase_is_found() {
        let spans = find_phrase("Ann and Ann", "Ann").unwrap();
        assert_eq!(
            spans,
            vec![
                Redaction { start: 0, end: 3 },
                Redaction { start: 8, end: 11 }
            ]
        );
        assert_eq!(
            apply("Ann and Ann", &spans).unwrap(),
            "[redacted] and [redacted]"
        );
    }

    #[test]
    fn spans_outside_the_text_are_refused() {
        let err = apply("short", &[Redaction { start: 2, end: 9 }]).unwrap_err();
        assert_eq!(
            err,
            RedactionError::OutOfRange {
                start: 2,
                end: 9,
                len: 5
            }
        );
        assert!(apply("short", &[Redaction { start: 3, end: 3 }]).is_err());
        assert_eq!(
            find_phrase("short", "long"),
            Err(RedactionError::NotFound("long".into()))
        );
        assert!(find_phrase("short", "  ").is_err());
    }

    #[test]
    fn stored_form_is_compact() {
        assert_eq!(
            encode(&[
                Redaction { start: 1, end: 4 },
                Redaction { start: 9, end: 12 }
            ]),
            "1-4,9-12"
        );
    }
}
