//! A comment's fingerprint for campaign detection: a hash of its normalised words for exact copies,
//! and a MinHash of its three-word shingles, cut into bands for locality-sensitive lookup.

use super::normalise::{for_each_word, plain_text};
use std::sync::LazyLock;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// Comments with fewer words are never part of a campaign: "See attached", "I agree" and the like
/// are identical across thousands of unrelated people.
pub const MIN_WORDS: usize = 15;
/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;
/// MinHash values per signature.
pub const HASHES: usize = 64;
/// Locality-sensitive bands; two comments become candidates when one band is equal. With two
/// values a band, comments whose shingles overlap by half are candidates with probability 0.9999.
pub const BANDS: usize = 32;
const ROWS: usize = HASHES / BANDS;

/// Odd multipliers and offsets of the hash family, drawn once from a fixed seed so that stored
/// signatures stay comparable across releases.
static FAMILY: LazyLock<[(u64, u64); HASHES]> = LazyLock::new(|| {
    let mut state = 0x0D0C_4E7Bu64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    std::array::from_fn(|_| (next() | 1, next()))
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Equal for comments whose normalised words are equal.
    pub exact: u64,
    pub minhash: [u32; HASHES],
    pub words: usize,
}

/// Hashes of the normalised words of a plain text, without keeping the words.
fn word_hashes(plain: &str) -> Vec<u64> {
    let mut hashes = Vec::new();
    for_each_word(plain, |w| hashes.push(xxh3_64(w.as_bytes())));
    hashes
}

impl Signature {
    /// The signature of a comment as received, or `None` when it is too short to be a form letter.
    pub fn of(raw: &str) -> Option<Self> {
        let words = word_hashes(&plain_text(raw));
        if words.len() < MIN_WORDS {
            return None;
        }
        let bytes: Vec<u8> = words.iter().flat_map(|h| h.to_le_bytes()).collect();
        let exact = xxh3_64(&bytes);
        let mut minhash = [u32::MAX; HASHES];
        for shingle in words.windows(SHINGLE_WORDS) {
            let h = xxh3_64_with_seed(&bytes_of(shingle), SHINGLE_WORDS as u64);
            for (slot, (a, b)) in minhash.iter_mut().zip(FAMILY.iter()) {
                let v = (h.wrapping_mul(*a).wrapping_add(*b) >> 32) as u32;
                if v < *slot {
                    *slot = v;
                }
            }
        }
        Some(Self {
            exact,
            minhash,
            words: words.len(),
        })
    }

    /// The estimated share of shingles two comments have in common (Jaccard similarity), 0 to 1.
    pub fn similarity(&self, other: &Signature) -> f64 {
        let equal = self
            .minhash
            .iter()
            .zip(other.minhash.iter())
            .filter(|(a, b)| a == b)
            .count();
        equal as f64 / HASHES as f64
    }

    /// One key per band; equal keys in the same band make two comments candidates.
    pub fn band_keys(&self) -> [i64; BANDS] {
        std::array::from_fn(|band| {
            let rows = &self.minhash[band * ROWS..(band + 1) * ROWS];
            let mut bytes = Vec::with_capacity(ROWS * 4 + 1);
            bytes.push(band as u8);
            for v in rows {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            xxh3_64(&bytes) as i64
        })
    }

    /// The MinHash values as stored (little-endian, 4 bytes each).
    pub fn minhash_bytes(&self) -> Vec<u8> {
        self.minhash.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// The MinHash values read back from `minhash_bytes`; `None` for anything else.
    pub fn minhash_from_bytes(bytes: &[u8]) -> Option<[u32; HASHES]> {
        if bytes.len() != HASHES * 4 {
            return None;
        }
        let mut values = [0u32; HASHES];
        for (value, chunk) in values.iter_mut().zip(bytes.chunks_exact(4)) {
            *value = u32::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(values)
    }
}

fn bytes_of(shingle: &[u64]) -> [u8; SHINGLE_WORDS * 8] {
    let mut bytes = [0u8; SHINGLE_WORDS * 8];
    for (chunk, h) in bytes.chunks_exact_mut(8).zip(shingle) {
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    const LETTER: &str = "Dear Commission, I support the proposed order against BetterHelp. \
        People who seek therapy online must be able to trust that their health information \
        stays private. Sharing e-mail addresses and health questionnaires with advertisers \
        betrays that trust. Please make the ban on sharing health data permanent and require \
        the company to delete what it has shared.";

    #[test]
    fn short_comments_have_no_signature() {
        assert!(Signature::of("").is_none());
        assert!(Signature::of("See attached").is_none());
        assert!(Signature::of("See attached file(s)").is_none());
        assert!(Signature::of(&"word ".repeat(MIN_WORDS - 1)).is_none());
        assert!(Signature::of(&"word ".repeat(MIN_WORDS)).is_some());
    }

    #[test]
    fn copies_differing_only_in_form_share_the_exact_hash() {
        let a = Signature::of(LETTER).unwrap();
        let shouted = LETTER.to_uppercase().replace(". ", ".<br/><br/>");
        let b = Signature::of(&shouted).unwrap();
        assert_eq!(a.exact, b.exact);
        assert_eq!(a.similarity(&b), 1.0);
    }

    #[test]
    fn a_personalised_copy_is_similar_and_a_different_letter_is_not() {
        let a = Signature::of(LETTER).unwrap();
        let edited = format!(
            "{} My sister used BetterHelp and got advertisements about anxiety for months \
             afterwards. Sincerely, Maria Lopez, Tucson",
            LETTER
                .replace("private", "privat")
                .replace("permanent", "permanant")
        );
        let b = Signature::of(&edited).unwrap();
        assert_ne!(a.exact, b.exact);
        assert!(a.similarity(&b) >= 0.5, "{}", a.similarity(&b));
        let other = Signature::of(
            "The order does not go far enough. The Commission should require an independent \
             audit of every advertising integration for twenty years and notify each user.",
        )
        .unwrap();
        assert!(a.similarity(&other) < 0.2, "{}", a.similarity(&other));
    }

    #[test]
    fn similar_comments_share_a_band() {
        let a = Signature::of(LETTER).unwrap();
        let b = Signature::of(&format!("{LETTER} Thank you.")).unwrap();
        let shared = a
            .band_keys()
            .iter()
            .zip(b.band_keys().iter())
            .filter(|(x, y)| x == y)
            .count();
        assert!(shared > 0);
    }

    #[test]
    fn minhash_bytes_round_trip() {
        let a = Signature::of(LETTER).unwrap();
        assert_eq!(
            Signature::minhash_from_bytes(&a.minhash_bytes()),
            Some(a.minhash)
        );
        assert_eq!(Signature::minhash_from_bytes(&[1, 2, 3]), None);
    }
}
