//! Cleaning of free text typed by the public: trimming, newline normalisation and refusal of control characters.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("is required")]
    Missing,
    #[error("is too long: {len} characters, the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error("contains a control character that cannot be stored")]
    ControlCharacter,
    #[error("must be a single line")]
    LineBreak,
}

/// A CSV cell that a spreadsheet will show as text: one starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return would be run as a formula, so it gets a leading `'` (the usual defence).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A count as people read it: `3,412`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Text on one line, cut at a word boundary to at most `max_chars` characters (with "…" when cut).
pub fn one_line_excerpt(text: &str, max_chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn is_forbidden_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// A one-line field (a name, a city): trimmed; empty means absent.
pub fn single_line(raw: &str, max_chars: usize) -> Result<Option<String>, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.contains(['\n', '\r']) {
        return Err(TextError::LineBreak);
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(TextError::ControlCharacter);
    }
    let len = trimmed.chars().count();
    if len > max_chars {
        return Err(TextError::TooLong {
            len,
            max: max_chars,
        });
    }
    Ok(Some(trimmed.to_owned()))
}

/// Normalises browser line endings (`\r\n`, `\r`) to `\n`, so the character count the
/// person sees while typing is the one the server enforces.
pub fn normalise_newlines(raw: &str) -> String {
    raw.replace("\r\n", "\n").replace('\r', "\n")
}

/// A multi-line field (the comment itself): newlines normalised, outer whitespace trimmed.
pub fn multi_line(raw: &str, max_chars: usize) -> Result<String, TextError> {
    let normalised = normalise_newlines(raw);
    let trimmed = normalised.trim();
    if trimmed.is_empty() {
        return Err(TextError::Missing);
    }
    if trimmed.chars().any(is_forbidden_control) {
        return Err(TextError::ControlCharacter);
    }
    let len = trimmed.chars().count();
    if len > max_chars {
        return Err(TextError::TooLong {
            len,
            max: max_chars,
        });
    }
    Ok(trimmed.to_owned())
}

/// How many characters a multi-line field counts as, the way [`multi_line`] counts them.
pub fn counted_chars(raw: &str) -> usize {
    normalise_newlines(raw).trim().chars().count()
}

#[cfg(test)]
mod tests {

    #[test]
    fn excerpts_are_one_line_and_cut_between_words() {
        assert_eq!(one_line_excerpt("a  b\n\nc", 10), "a b c");
        assert_eq!(
            one_line_excerpt("health data must stay private", 14),
            "health data…"
        );
    }

    use super::*;

    proptest::proptest! {
        #[test]
        fn excerpts_never_panic_and_stay_short(text in "\\PC{0,500}", max in 0usize..100) {
            let excerpt = one_line_excerpt(&text, max);
            proptest::prop_assert!(excerpt.chars().count() <= max.max(1) + 1);
        }
    }

    #[test]
    fn spreadsheet_formulas_are_neutralised() {
        for formula in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        for text in ["plain", "", " =not at start", "'quoted"] {
            assert_eq!(spreadsheet_safe(text), text);
        }
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(3_412), "3,412");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn single_line_trims_and_treats_blank_as_absent() {
        assert_eq!(single_line("  Ada  ", 10), Ok(Some("Ada".into())));
        assert_eq!(single_line("   ", 10), Ok(None));
    }

    #[test]
    fn single_line_refuses_breaks_controls_and_length() {
        assert_eq!(single_line("a\nb", 10), Err(TextError::LineBreak));
        assert_eq!(single_line("a\u{7}b", 10), Err(TextError::ControlCharacter));
        assert_eq!(single_line("a\u{0}b", 10), Err(TextError::ControlCharacter));
        assert_eq!(
            single_line("abcdef", 5),
            Err(TextError::TooLong { len: 6, max: 5 })
        );
    }

    #[test]
    fn multi_line_normalises_newlines_before_counting() {
        let text = "a\r\nb\rc";
        assert_eq!(multi_line(text, 5), Ok("a\nb\nc".into()));
        assert_eq!(counted_chars(text), 5);
    }

    #[test]
    fn multi_line_counts_characters_not_bytes() {
        let text = "é".repeat(5000);
        assert!(multi_line(&text, 5000).is_ok());
        let over = "é".repeat(5001);
        assert_eq!(
            multi_line(&over, 5000),
            Err(TextError::TooLong {
                len: 5001,
                max: 5000
            })
        );
    }

    #[test]
    fn multi_line_keeps_tabs_but_refuses_other_controls() {
        assert!(multi_line("a\tb", 10).is_ok());
        assert_eq!(
            multi_line("a\u{1b}[31m", 10),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(multi_line(" \n ", 10), Err(TextError::Missing));
    }
}
