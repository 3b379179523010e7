//! Tracking numbers: the public's proof that a comment was received, in regulations.gov's `xxx-xxxx-xxxx` shape.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const GROUPS: [usize; 3] = [3, 4, 4];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TrackingNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a tracking number looks like l2z-02tq-bsbu: three groups of 3, 4 and 4 lowercase letters or digits")]
pub struct TrackingNumberError;

impl TrackingNumber {
    pub fn parse(raw: &str) -> Result<Self, TrackingNumberError> {
        let normalised = raw.trim().to_ascii_lowercase();
        let groups: Vec<&str> = normalised.split('-').collect();
        let well_formed = groups.len() == GROUPS.len()
            && groups.iter().zip(GROUPS).all(|(group, len)| {
                group.len() == len && group.bytes().all(|b| ALPHABET.contains(&b))
            });
        if well_formed {
            Ok(Self(normalised))
        } else {
            Err(TrackingNumberError)
        }
    }

    /// A fresh random tracking number (about 57 bits from the operating system's CSPRNG via
    /// `rand`'s thread generator), so that knowing one receipt's number does not reveal another's.
    #[cfg(feature = "ssr")]
    pub fn generate() -> Self {
        use rand::Rng;
        let mut rng = rand::rng();
        let mut out = String::with_capacity(13);
        for (i, len) in GROUPS.iter().enumerate() {
            if i > 0 {
                out.push('-');
            }
            for _ in 0..*len {
                out.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
            }
        }
        Self(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_regulations_gov_shape() {
        assert_eq!(
            TrackingNumber::parse("l2z-02tq-bsbu").unwrap().as_str(),
            "l2z-02tq-bsbu"
        );
        assert_eq!(
            TrackingNumber::parse(" L2Z-02TQ-BSBU ").unwrap().as_str(),
            "l2z-02tq-bsbu"
        );
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "l2z02tqbsbu",
            "l2z-02tq",
            "l2zz-02tq-bsbu",
            "l2z-02tq-bsb_",
            "l2z-02tq-bsbu-",
            "é2z-02tq-bsbu",
        ] {
            assert!(
                TrackingNumber::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn generated_numbers_are_well_formed_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100_000 {
            let number = TrackingNumber::generate();
            assert_eq!(TrackingNumber::parse(number.as_str()).as_ref(), Ok(&number));
            assert!(seen.insert(number), "a tracking number repeated");
        }
    }
}
