//! The text campaign detection compares: entities decoded, markup removed, lower case, words only.

/// Replaces markup tags such as `<br/>` with a space, then decodes HTML entities until none are
/// left (exported comment text arrives as `&amp;amp;`). Letters, digits and punctuation stay as typed.
pub fn plain_text(raw: &str) -> String {
    let mut text = strip_tags(raw);
    // Three rounds undo the deepest double-escaping seen in real exports; more would only loop on
    // text that mentions entities on purpose.
    for _ in 0..3 {
        if !text.contains('&') {
            break;
        }
        let decoded = html_escape::decode_html_entities(&text).into_owned();
        if decoded == text {
            break;
        }
        text = decoded;
    }
    text
}

/// Replaces `<tag …>` and `</tag>` with a space; a `<` that does not start a tag stays.
/// Linear in the text: the position of the next `>` is found once and reused until passed, so a
/// text of many `<` and no `>` is not scanned to its end once per `<`.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut copied_from = 0;
    let mut pos = 0;
    // `None` once no `>` is left after `next_close_from`.
    let mut next_close: Option<usize> = None;
    let mut next_close_from = 0;
    while let Some(offset) = bytes[pos..].iter().position(|&c| c == b'<') {
        let start = pos + offset;
        let starts_tag = bytes
            .get(start + 1)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'/' || c == b'!');
        if !starts_tag {
            pos = start + 1;
            continue;
        }
        if next_close_from <= start + 1 && next_close.is_none_or(|close| close <= start) {
            next_close = bytes[start + 1..]
                .iter()
                .position(|&c| c == b'>')
                .map(|i| start + 1 + i);
            next_close_from = match next_close {
                Some(close) => close,
                None => bytes.len(),
            };
        }
        match next_close.filter(|&close| close > start) {
            Some(close) => {
                out.push_str(&text[copied_from..start]);
                out.push(' ');
                pos = close + 1;
                copied_from = pos;
            }
            None => break,
        }
    }
    out.push_str(&text[copied_from..]);
    out
}

/// Calls `f` with each word of a text: lower case, letters and digits only, apostrophes inside a
/// word dropped (`don't` and `dont` are the same word), everything else a separator.
pub fn for_each_word(plain: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    for c in plain.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if (c == '\'' || c == '’') && !word.is_empty() {
            continue;
        } else if !word.is_empty() {
            f(&word);
            word.clear();
        }
    }
    if !word.is_empty() {
        f(&word);
    }
}

/// The words of a plain text, as `for_each_word` finds them.
pub fn words_of_plain(plain: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_word(plain, |w| words.push(w.to_owned()));
    words
}

/// The normalised words of a comment as received.
pub fn normalised_words(raw: &str) -> Vec<String> {
    words_of_plain(&plain_text(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn normalising_never_panics(input in "(<|>|&|;|#|a|b|/|!|é| |amp|lt){0,2000}") {
            let _ = normalised_words(&input);
        }

        #[test]
        fn normalising_any_text_never_panics(input in "\\PC{0,2000}") {
            let _ = normalised_words(&input);
        }
    }

    #[test]
    fn decodes_nested_entities_and_removes_tags() {
        assert_eq!(
            plain_text("Fish &amp;amp; chips<br/>are &lt;good&gt;"),
            "Fish & chips are <good>"
        );
        assert_eq!(plain_text("a <p class=\"x\">b</p> c"), "a  b  c");
    }

    #[test]
    fn a_lone_angle_bracket_is_text() {
        assert_eq!(plain_text("3 < 4 and 5 > 2"), "3 < 4 and 5 > 2");
        assert_eq!(plain_text("unfinished <b"), "unfinished <b");
    }

    #[test]
    fn words_ignore_case_punctuation_whitespace_and_markup() {
        let a = normalised_words("Don't SHARE   my data!!\n\nSincerely,<br/>Ann");
        let b = normalised_words("dont share my data sincerely ann");
        assert_eq!(a, b);
        assert_eq!(a, ["dont", "share", "my", "data", "sincerely", "ann"]);
    }

    #[test]
    fn escaped_and_plain_letters_normalise_alike() {
        assert_eq!(
            normalised_words("Health &amp;amp; privacy&#39;s sake"),
            normalised_words("health & privacy's sake")
        );
    }

    #[test]
    fn many_open_brackets_without_a_close_are_text() {
        let hostile = "<a".repeat(50_000);
        assert_eq!(plain_text(&hostile), hostile);
        assert_eq!(plain_text("<b>x<c"), " x<c");
        assert_eq!(plain_text("<<b>"), "< ");
        assert_eq!(plain_text("a<b c>d<e f>g"), "a d g");
    }

    #[test]
    fn non_latin_letters_are_words() {
        assert_eq!(normalised_words("Données — santé"), ["données", "santé"]);
    }
}
