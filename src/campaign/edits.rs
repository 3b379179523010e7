//! What a person changed in a form letter: sentences added, sentences reworded, sentences left out.
//! Sentences are matched regardless of order, so moving paragraphs around is not an edit.

use super::normalise::{plain_text, words_of_plain};
use super::PersonalEdits;
use std::collections::{HashMap, HashSet};

/// Word overlap (of the two sentences' word sets) from which a sentence counts as a reworded
/// template sentence rather than a new one.
const REWORDED_OVERLAP: f64 = 0.5;
/// Sentences of a letter and of a copy compared at most. Each copy sentence not found as such is
/// compared with every letter sentence, so the cost is at most this number squared; form letters
/// have a few dozen sentences, and anything past this is counted as added.
pub const MAX_SENTENCES: usize = 400;

struct Sentence {
    text: String,
    words: Vec<String>,
    set: HashSet<String>,
}

/// Sentences of a plain text: split after `.`, `!` or `?` followed by a space, and at line breaks.
fn sentences(plain: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = plain.chars().peekable();
    while let Some(c) = chars.next() {
        let ends = match c {
            '\n' => true,
            '.' | '!' | '?' => chars.peek().is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if c != '\n' {
            current.push(c);
        }
        if ends {
            push_sentence(&mut out, &mut current);
        }
    }
    push_sentence(&mut out, &mut current);
    out
}

fn push_sentence(out: &mut Vec<Sentence>, current: &mut String) {
    let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
    current.clear();
    let words = words_of_plain(&text);
    if !words.is_empty() {
        let set = words.iter().cloned().collect();
        out.push(Sentence { text, words, set });
    }
}

fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let shared = small.iter().filter(|w| large.contains(*w)).count();
    let union = a.len() + b.len() - shared;
    if union == 0 {
        return 0.0;
    }
    shared as f64 / union as f64
}

/// What `comment` adds to or changes in `template` (both as received). Exact sentences are found
/// by hash; only the first `MAX_SENTENCES` of each side are compared word by word.
pub fn personal_edits(template: &str, comment: &str) -> PersonalEdits {
    let template = sentences(&plain_text(template));
    let compared = &template[..template.len().min(MAX_SENTENCES)];
    let comment = sentences(&plain_text(comment));
    let mut exact: HashMap<&[String], usize> = HashMap::with_capacity(template.len());
    for (i, t) in template.iter().enumerate().rev() {
        exact.insert(t.words.as_slice(), i);
    }
    let mut used = vec![false; template.len()];
    let mut edits = PersonalEdits::default();
    for (n, sentence) in comment.iter().enumerate() {
        if let Some(&i) = exact.get(sentence.words.as_slice()) {
            used[i] = true;
            continue;
        }
        let best = compared
            .iter()
            .enumerate()
            .filter(|_| n < MAX_SENTENCES)
            .map(|(i, t)| (i, overlap(&t.set, &sentence.set)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, score)) if score >= REWORDED_OVERLAP => {
                used[i] = true;
                edits
                    .reworded
                    .push((template[i].text.clone(), sentence.text.clone()));
            }
            _ => {
                edits.added_words += sentence.words.len();
                edits.added.push(sentence.text.clone());
            }
        }
    }
    edits.left_out = template
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(t, _)| t.text.clone())
        .collect();
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn edits_never_panic(letter in "(\\PC|\\.|\n|!){0,500}", copy in "(\\PC|\\.|\n|!){0,500}") {
            let _ = personal_edits(&letter, &copy);
        }
    }

    const TEMPLATE: &str = "I support the proposed order. Health data must never be sold.\n\n\
        Please make the ban permanent. Thank you for protecting patients.";

    #[test]
    fn an_exact_copy_has_no_edits() {
        let edits = personal_edits(TEMPLATE, TEMPLATE);
        assert_eq!(edits, PersonalEdits::default());
        assert!(!edits.is_substantial());
    }

    #[test]
    fn reordered_paragraphs_and_markup_are_not_edits() {
        let comment =
            "Please make the ban permanent.<br/>Thank you for protecting patients.<br/><br/>\
            I SUPPORT the proposed order! Health data must never be sold.";
        assert_eq!(personal_edits(TEMPLATE, comment), PersonalEdits::default());
    }

    #[test]
    fn added_sentences_are_listed_and_counted() {
        let comment = format!(
            "{TEMPLATE}\nMy therapist's app sent my diagnosis to an advertiser and I was shown ads for weeks."
        );
        let edits = personal_edits(TEMPLATE, &comment);
        assert_eq!(
            edits.added,
            ["My therapist's app sent my diagnosis to an advertiser and I was shown ads for weeks."]
        );
        assert_eq!(edits.added_words, 16);
        assert!(edits.is_substantial());
    }

    #[test]
    fn typos_are_rewording_and_a_signature_is_not_substantial() {
        let comment = "I suport the proposed order. Health data must never be sold.\n\
            Please make the ban permanent. Thank you for protecting patients.\nSincerely, Ann Lee";
        let edits = personal_edits(TEMPLATE, comment);
        assert_eq!(
            edits.reworded,
            [(
                "I support the proposed order.".to_owned(),
                "I suport the proposed order.".to_owned()
            )]
        );
        assert_eq!(edits.added, ["Sincerely, Ann Lee"]);
        assert!(!edits.is_substantial());
    }

    #[test]
    fn thousands_of_sentences_are_compared_only_up_to_the_cap() {
        let letter: String = (0..5_000)
            .map(|i| format!("Line {i} of the letter.\n"))
            .collect();
        let copy: String = (0..5_000)
            .map(|i| format!("Other words number {i} here.\n"))
            .collect();
        let edits = personal_edits(&letter, &copy);
        assert_eq!(edits.added.len(), 5_000);
        assert_eq!(edits.left_out.len(), 5_000);
        assert_eq!(personal_edits(&letter, &letter).added.len(), 0);
    }

    #[test]
    fn template_sentences_left_out_are_listed() {
        let comment = "I support the proposed order. Health data must never be sold.";
        let edits = personal_edits(TEMPLATE, comment);
        assert_eq!(
            edits.left_out,
            [
                "Please make the ban permanent.",
                "Thank you for protecting patients."
            ]
        );
    }
}
