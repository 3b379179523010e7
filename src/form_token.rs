//! Comment-form tokens: each rendered form carries one, signed by the server for its docket and
//! the time it was issued. The token's random part is the submission's idempotency key, so a form
//! sent twice is stored once, and a script must fetch a form for every comment it posts.

use crate::comment::IdempotencyKey;
use crate::docket::DocketId;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a form stays good after it was shown: long enough to write a careful comment.
pub const FORM_TOKEN_LIFETIME: Duration = Duration::hours(24);
/// A token longer than this is not one of ours; it is refused before any work is done on it.
const MAX_TOKEN_LEN: usize = 128;
/// Bytes of the HMAC kept in a token (128 bits).
const MAC_BYTES: usize = 16;

/// The key that signs form tokens; every instance of one deployment uses the same one.
#[derive(Clone)]
pub struct FormTokenKey([u8; 32]);

impl std::fmt::Debug for FormTokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormTokenKey(…)")
    }
}

/// Why a form's token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormTokenError {
    #[error("This form was missing its token, so nothing was stored. Please check your comment and submit it again.")]
    Missing,
    #[error("This form's token is not valid for this docket, so nothing was stored. Please check your comment and submit it again.")]
    Invalid,
    #[error("This form was open for more than a day, so nothing was stored. Please check your comment and submit it again.")]
    Expired,
}

/// A token that checked out: the submission's key, when its form was shown, and the proof of work
/// its form asked for (0: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormToken {
    pub key: IdempotencyKey,
    pub issued_at: DateTime<Utc>,
    pub proof_bits: u8,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(raw: &str) -> Option<Vec<u8>> {
    if !raw.len().is_multiple_of(2) || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&raw[i..i + 2], 16).ok())
        .collect()
}

impl FormTokenKey {
    pub fn generate() -> Self {
        use rand::Rng;
        Self(rand::rng().random())
    }

    /// A key written as 64 hex digits (as `to_hex` writes it).
    pub fn parse_hex(raw: &str) -> Option<Self> {
        unhex(raw.trim())?.try_into().ok().map(Self)
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    fn mac(&self, docket: &DocketId, issued_secs: i64, bits: u8, nonce: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(docket.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(issued_secs.to_string().as_bytes());
        mac.update(b"\n");
        mac.update(bits.to_string().as_bytes());
        mac.update(b"\n");
        mac.update(nonce.as_bytes());
        mac
    }

    /// A fresh token for a form of `docket` shown at `now`, asking for no proof of work.
    pub fn issue(&self, docket: &DocketId, now: DateTime<Utc>) -> String {
        self.issue_asking(docket, now, 0)
    }

    /// A fresh token asking for a proof of `bits` bits of work (0: none): `issued.bits.nonce.mac`.
    /// The token is signed, so the form cannot ask for less than the server did.
    pub fn issue_asking(&self, docket: &DocketId, now: DateTime<Utc>, bits: u8) -> String {
        let nonce = IdempotencyKey::generate();
        let issued = now.timestamp();
        let tag = self
            .mac(docket, issued, bits, nonce.as_str())
            .finalize()
            .into_bytes();
        format!(
            "{issued}.{bits}.{}.{}",
            nonce.as_str(),
            hex(&tag[..MAC_BYTES])
        )
    }

    /// A network (such as `192.0.2.0/24`) as a keyed hash made for one docket: comments from one
    /// network can be grouped within the docket, but not followed across dockets or turned back
    /// into an address.
    pub fn docket_network_hash(&self, docket: &DocketId, network: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"network\n");
        mac.update(docket.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(network.as_bytes());
        hex(&mac.finalize().into_bytes()[..MAC_BYTES])
    }

    /// Checks a token sent with a form for `docket` at `now` (work bounded by `MAX_TOKEN_LEN`).
    pub fn check(
        &self,
        docket: &DocketId,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<FormToken, FormTokenError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FormTokenError::Missing);
        }
        if raw.len() > MAX_TOKEN_LEN {
            return Err(FormTokenError::Invalid);
        }
        let mut parts = raw.split('.');
        let (Some(issued), Some(bits), Some(nonce), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(FormTokenError::Invalid);
        };
        let issued_secs: i64 = issued.parse().map_err(|_| FormTokenError::Invalid)?;
        let proof_bits: u8 = bits.parse().map_err(|_| FormTokenError::Invalid)?;
        let key = IdempotencyKey::parse(nonce).map_err(|_| FormTokenError::Invalid)?;
        let tag = unhex(tag)
            .filter(|t| t.len() == MAC_BYTES)
            .ok_or(FormTokenError::Invalid)?;
        self.mac(docket, issued_secs, proof_bits, key.as_str())
            .verify_truncated_left(&tag)
            .map_err(|_| FormTokenError::Invalid)?;
        let issued_at =
            DateTime::<Utc>::from_timestamp(issued_secs, 0).ok_or(FormTokenError::Invalid)?;
        // A token from the future was not issued by this clock (a minute of skew between
        // instances is allowed).
        if issued_at > now + Duration::minutes(1) {
            return Err(FormTokenError::Invalid);
        }
        if now - issued_at > FORM_TOKEN_LIFETIME {
            return Err(FormTokenError::Expired);
        }
        Ok(FormToken {
            key,
            issued_at,
            proof_bits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_680_000_000 + secs, 0).unwrap()
    }

    fn docket(id: &str) -> DocketId {
        DocketId::parse(id).unwrap()
    }

    #[test]
    fn a_token_checks_for_its_docket_and_gives_its_key_and_time() {
        let key = FormTokenKey::generate();
        let token = key.issue(&docket("FTC-2023-0018"), at(0));
        let checked = key.check(&docket("FTC-2023-0018"), &token, at(60)).unwrap();
        assert_eq!(checked.issued_at, at(0));
        assert!(token.contains(checked.key.as_str()));
        assert_ne!(
            key.issue(&docket("FTC-2023-0018"), at(0)),
            token,
            "each form gets its own"
        );
    }

    #[test]
    fn tokens_for_another_docket_another_key_or_changed_are_refused() {
        let key = FormTokenKey::generate();
        let token = key.issue(&docket("FTC-2023-0018"), at(0));
        let check = |k: &FormTokenKey, d: &str, t: &str| k.check(&docket(d), t, at(1));
        assert_eq!(
            check(&key, "FTC-2023-0019", &token),
            Err(FormTokenError::Invalid)
        );
        assert_eq!(
            check(&FormTokenKey::generate(), "FTC-2023-0018", &token),
            Err(FormTokenError::Invalid)
        );
        // An earlier issue time (to look older than it is) breaks the signature.
        let (_, rest) = token.split_once('.').unwrap();
        let backdated = format!("{}.{rest}", at(-3600).timestamp());
        assert_eq!(
            check(&key, "FTC-2023-0018", &backdated),
            Err(FormTokenError::Invalid)
        );
        for bad in [
            "x",
            "1.2.3",
            "...",
            "1.2.3.4",
            "1.2.3.4.5",
            &"9".repeat(10_000),
            "١٢٣.abc.def",
            "0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(
                check(&key, "FTC-2023-0018", bad),
                Err(FormTokenError::Invalid),
                "{bad:.20}"
            );
        }
        assert_eq!(
            check(&key, "FTC-2023-0018", "  "),
            Err(FormTokenError::Missing)
        );
    }

    #[test]
    fn a_token_carries_the_proof_of_work_it_asked_for_and_cannot_be_made_to_ask_less() {
        let key = FormTokenKey::generate();
        let d = docket("FTC-2023-0018");
        let asking = key.issue_asking(&d, at(0), 18);
        assert_eq!(key.check(&d, &asking, at(1)).unwrap().proof_bits, 18);
        assert_eq!(
            key.check(&d, &key.issue(&d, at(0)), at(1))
                .unwrap()
                .proof_bits,
            0
        );
        let lowered = asking.replacen(".18.", ".0.", 1);
        assert_eq!(key.check(&d, &lowered, at(1)), Err(FormTokenError::Invalid));
    }

    #[test]
    fn tokens_expire_after_a_day_and_cannot_come_from_the_future() {
        let key = FormTokenKey::generate();
        let d = docket("FTC-2023-0018");
        let token = key.issue(&d, at(0));
        assert!(key.check(&d, &token, at(23 * 3600)).is_ok());
        assert_eq!(
            key.check(&d, &token, at(25 * 3600)),
            Err(FormTokenError::Expired)
        );
        assert_eq!(
            key.check(&d, &token, at(-3600)),
            Err(FormTokenError::Invalid)
        );
    }

    #[test]
    fn network_hashes_group_within_a_docket_only() {
        let key = FormTokenKey::generate();
        let (a, b) = (docket("FTC-2023-0018"), docket("FTC-2023-0019"));
        let net = "192.0.2.0/24";
        assert_eq!(
            key.docket_network_hash(&a, net),
            key.docket_network_hash(&a, net)
        );
        assert_ne!(
            key.docket_network_hash(&a, net),
            key.docket_network_hash(&b, net)
        );
        assert_ne!(
            key.docket_network_hash(&a, net),
            key.docket_network_hash(&a, "192.0.3.0/24")
        );
        assert!(!key.docket_network_hash(&a, net).contains("192"));
        assert_eq!(key.docket_network_hash(&a, net).len(), 32);
    }

    #[test]
    fn keys_round_trip_as_hex() {
        let key = FormTokenKey::generate();
        let again = FormTokenKey::parse_hex(&key.to_hex()).unwrap();
        let d = docket("FTC-2023-0018");
        assert!(again.check(&d, &key.issue(&d, at(0)), at(1)).is_ok());
        assert!(FormTokenKey::parse_hex("abc").is_none());
        assert!(FormTokenKey::parse_hex(&"zz".repeat(32)).is_none());
    }
}
