//! How the words of a comment are read for search: the language it is written in (French or
//! English; anything else is read as English), detected from its beginning, and the analyzers
//! that fold case and accents (every field) and reduce words to their stems (the text).

use std::sync::OnceLock;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::Index;

/// How much of a text its language is detected from: enough to be sure, never the whole of a
/// long comment or attachment.
pub const DETECT_BYTES: usize = 500;
/// Words longer than this are not indexed (they are not words).
const LONGEST_WORD: usize = 40;

/// The analyzer of fields matched word for word, phrases and prefixes: case and accents folded.
pub const FOLDED: &str = "folded";

/// A language comments are written in, as far as search tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextLanguage {
    English,
    French,
}

impl TextLanguage {
    /// The stemmings a text in this language is indexed with. French is stemmed twice: before
    /// and after its accents are folded, since the stemmer reads `données` and `donnees` (as
    /// typed without accents) differently; a word typed either way meets one of the two.
    pub fn stemmings(self) -> &'static [Stemming] {
        match self {
            TextLanguage::English => &[Stemming::English],
            TextLanguage::French => &[Stemming::French, Stemming::FrenchUnaccented],
        }
    }

    /// The language `text` is written in, from its first `DETECT_BYTES`.
    pub fn detect(text: &str) -> Self {
        static DETECTOR: OnceLock<whatlang::Detector> = OnceLock::new();
        let detector = DETECTOR.get_or_init(|| {
            whatlang::Detector::with_allowlist(vec![whatlang::Lang::Eng, whatlang::Lang::Fra])
        });
        let mut end = text.len().min(DETECT_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        match detector.detect_lang(&text[..end]) {
            Some(whatlang::Lang::Fra) => TextLanguage::French,
            _ => TextLanguage::English,
        }
    }
}

/// One way of reducing words to stems; each has its own field in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stemming {
    /// Folded, then the English stemmer: `Refunds` and `refund` give `refund`.
    English,
    /// The French stemmer, then folded: `partagées` and `partager` give `partag`.
    French,
    /// Folded, then the French stemmer: `données` and `donnees` give `donne`.
    FrenchUnaccented,
}

impl Stemming {
    pub const ALL: [Stemming; 3] = [
        Stemming::English,
        Stemming::French,
        Stemming::FrenchUnaccented,
    ];

    pub fn analyzer_name(self) -> &'static str {
        match self {
            Stemming::English => "stem_en",
            Stemming::French => "stem_fr",
            Stemming::FrenchUnaccented => "stem_fr_unaccented",
        }
    }

    pub fn analyzer(self) -> TextAnalyzer {
        let words = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(LONGEST_WORD))
            .filter(LowerCaser);
        match self {
            Stemming::English => words
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(Language::English))
                .build(),
            Stemming::French => words
                .filter(Stemmer::new(Language::French))
                .filter(AsciiFoldingFilter)
                .build(),
            Stemming::FrenchUnaccented => words
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(Language::French))
                .build(),
        }
    }
}

/// Case and accents folded, nothing else.
pub fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Makes the analyzers the schema names known to `index` (they are not stored with it).
pub fn register(index: &Index) {
    index.tokenizers().register(FOLDED, folded());
    for stemming in Stemming::ALL {
        index
            .tokenizers()
            .register(stemming.analyzer_name(), stemming.analyzer());
    }
}

/// The words of `text` as `analyzer` keeps them.
pub fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(stemming: Stemming, text: &str) -> Vec<String> {
        words(&mut stemming.analyzer(), text)
    }

    #[test]
    fn word_forms_meet_at_one_stem() {
        use Stemming::{English, French, FrenchUnaccented};
        assert_eq!(stems(English, "refund"), stems(English, "Refunds"));
        assert_eq!(stems(English, "hash"), stems(English, "hashed"));
        assert_eq!(stems(English, "hash"), stems(English, "Hashing"));
        assert_eq!(
            stems(FrenchUnaccented, "donnees"),
            stems(FrenchUnaccented, "données")
        );
        assert_eq!(stems(French, "partager"), stems(French, "partagées"));
        assert_eq!(stems(French, "santé"), stems(French, "SANTE"));
        assert_eq!(
            words(&mut folded(), "Données partagées"),
            ["donnees", "partagees"]
        );
    }

    #[test]
    fn the_language_is_read_from_the_beginning() {
        assert_eq!(
            TextLanguage::detect(
                "Les données de santé ne doivent jamais être partagées avec des annonceurs."
            ),
            TextLanguage::French
        );
        assert_eq!(
            TextLanguage::detect("Health data must never be shared with advertisers."),
            TextLanguage::English
        );
        assert_eq!(TextLanguage::detect(""), TextLanguage::English);
        // A multi-byte character across the limit, and a very long text: only the beginning is read.
        let long = format!(
            "{}é{}",
            "a".repeat(DETECT_BYTES - 1),
            "les données ".repeat(100_000)
        );
        assert_eq!(TextLanguage::detect(&long), TextLanguage::English);
    }
}
