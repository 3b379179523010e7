//! The proof of work a browser may be asked for before its comment is taken without review: find
//! a number that, hashed with the form's token, gives a SHA-256 starting with enough zero bits.
//! The form's signed token is the challenge, so no challenge is stored and none is used twice.
//! The server checks a proof with one hash; finding one takes 2^bits hashes on average.

use sha2::{Digest, Sha256};

/// What the server asks for by default: 2^18 (about 262,000) hashes on average, a fraction of a
/// second in a cheap phone's browser, and a cost a script pays for every comment.
pub const DEFAULT_BITS: u8 = 18;
/// The most that may be configured (2^28 hashes would take a cheap phone minutes).
pub const MAX_BITS: u8 = 28;
/// A proof is a number of at most this many decimal digits (a `u64`).
const MAX_PROOF_LEN: usize = 20;

/// Left in a request for a comment form by the server when the network asking is past its soft
/// comment limit: the form then asks for a proof of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrowdedNetwork;

/// The proof of work a form token asks for (`issued.bits.nonce.mac`; 0 when it asks none or is
/// not a token). The server checks the signature; the browser only needs to know how much to do.
pub fn asked_bits(token: &str) -> u8 {
    token
        .split('.')
        .nth(1)
        .and_then(|bits| bits.parse().ok())
        .filter(|bits| *bits <= MAX_BITS)
        .unwrap_or(0)
}

/// Zero bits at the start of the hash of `token` and `proof`.
fn leading_zero_bits(token: &str, proof: u64) -> u32 {
    let digest = Sha256::new()
        .chain_update(token.as_bytes())
        .chain_update(b":")
        .chain_update(proof.to_string().as_bytes())
        .finalize();
    let mut bits = 0;
    for byte in digest {
        bits += byte.leading_zeros();
        if byte != 0 {
            break;
        }
    }
    bits
}

/// Whether `proof` (as the form sent it) shows `bits` bits of work on `token`.
pub fn proves(token: &str, proof: &str, bits: u8) -> bool {
    if bits == 0 {
        return true;
    }
    let proof = proof.trim();
    if proof.is_empty() || proof.len() > MAX_PROOF_LEN {
        return false;
    }
    proof
        .parse::<u64>()
        .is_ok_and(|n| leading_zero_bits(token, n) >= u32::from(bits))
}

/// Looks for a proof among `count` numbers from `from`: the browser calls this a slice at a time,
/// so the page stays responsive while it works.
pub fn search(token: &str, bits: u8, from: u64, count: u64) -> Option<u64> {
    (from..from.saturating_add(count)).find(|n| leading_zero_bits(token, *n) >= u32::from(bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_found_is_accepted_and_others_are_not() {
        let token = "1700000000.18.0123456789abcdef0123456789abcdef.00";
        let proof = search(token, 12, 0, 1 << 24).expect("12 bits are found quickly");
        assert!(proves(token, &proof.to_string(), 12));
        assert!(proves(token, &format!(" {proof} "), 12));
        assert!(!proves("another token", &proof.to_string(), 12) || proof == 0);
        // The first number that works is the one found: those before it do not.
        assert!((0..proof).all(|n| !proves(token, &n.to_string(), 12)));
        assert!(proves(token, "", 0), "nothing asked, nothing needed");
        assert_eq!(asked_bits(token), 18);
        assert_eq!(asked_bits("x"), 0);
        assert_eq!(asked_bits("1.99.x.y"), 0);
    }

    #[test]
    fn malformed_proofs_are_refused_without_work() {
        let token = "t";
        for bad in [
            "",
            "-1",
            "1e9",
            "x",
            "١٢",
            &"9".repeat(10_000),
            "18446744073709551616",
        ] {
            assert!(!proves(token, bad, 1), "{bad:.20}");
        }
    }

    #[test]
    fn more_bits_take_more_work() {
        let token = "1700000000.0.00000000000000000000000000000000.00";
        let easy = search(token, 4, 0, 1 << 20).unwrap();
        let hard = search(token, 14, 0, 1 << 24).unwrap();
        assert!(leading_zero_bits(token, hard) >= 14);
        assert!(hard >= easy);
    }
}
