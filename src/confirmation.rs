//! E-mail to submitters: the single-use link that confirms a comment on a docket that asks for
//! it, and the receipt the API's `sendEmailReceipt` asks for. Messages are plain text, written
//! here and queued in the database in the transaction that stores the comment; the server sends
//! them. A link's token is kept only as its hash.

use sha2::{Digest, Sha256};

/// A confirmation link's token: 128 random bits as 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationToken(String);

impl ConfirmationToken {
    pub fn generate() -> Self {
        use rand::Rng;
        let bytes: [u8; 16] = rand::rng().random();
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A token as it comes back in a link; anything else is refused before any work.
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() == 32
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps: a stolen copy of the table confirms nothing.
    pub fn hash(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A message to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// What a message says about the comment it is about.
pub struct AboutComment<'a> {
    pub docket_id: &'a str,
    pub docket_title: &'a str,
    pub tracking_number: &'a str,
}

/// The link a submitter follows to confirm; `base` is the site's public address.
pub fn confirmation_link(base: &str, token: &ConfirmationToken) -> String {
    format!("{}/confirm/{}", base.trim_end_matches('/'), token.as_str())
}

pub fn confirmation_message(to: &str, about: &AboutComment, link: &str) -> Message {
    Message {
        to: to.to_owned(),
        subject: format!("Confirm your comment on {}", about.docket_id),
        body: format!(
            "You sent a comment on docket {id}, {title}.\n\n\
             This docket counts a comment that gives an e-mail address once its sender confirms it.\n\
             To confirm yours, open this link and press the button:\n\n{link}\n\n\
             Your tracking number is {tracking}.\n\n\
             If you did not send this comment, do nothing: it will not be counted, and it is\n\
             withheld when the comment period closes.\n",
            id = about.docket_id,
            title = about.docket_title,
            tracking = about.tracking_number,
        ),
    }
}

pub fn receipt_message(to: &str, about: &AboutComment) -> Message {
    Message {
        to: to.to_owned(),
        subject: format!("Your comment on {} was received", about.docket_id),
        body: format!(
            "Your comment on docket {id}, {title}, was received.\n\n\
             Your tracking number is {tracking}.\n",
            id = about.docket_id,
            title = about.docket_title,
            tracking = about.tracking_number,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_nothing_else_parses() {
        let token = ConfirmationToken::generate();
        assert_eq!(
            ConfirmationToken::parse(token.as_str()),
            Some(token.clone())
        );
        assert_ne!(ConfirmationToken::generate(), token);
        assert_ne!(token.hash(), token.as_str());
        assert_eq!(token.hash().len(), 64);
        for bad in [
            "",
            "abc",
            &"A".repeat(32),
            &"g".repeat(32),
            &"0".repeat(33),
            &"0".repeat(100_000),
        ] {
            assert_eq!(ConfirmationToken::parse(bad), None, "{bad:.20}");
        }
    }

    #[test]
    fn messages_carry_the_link_and_the_tracking_number() {
        let token = ConfirmationToken::parse(&"ab".repeat(16)).unwrap();
        let link = confirmation_link("https://comments.example.gov/", &token);
        assert_eq!(
            link,
            format!("https://comments.example.gov/confirm/{}", "ab".repeat(16))
        );
        let about = AboutComment {
            docket_id: "FTC-2023-0018",
            docket_title: "BetterHelp",
            tracking_number: "abc-defg-hijk",
        };
        let message = confirmation_message("ada@example.org", &about, &link);
        assert_eq!(message.to, "ada@example.org");
        assert!(message.subject.contains("FTC-2023-0018"));
        assert!(message.body.contains(&link));
        assert!(message.body.contains("abc-defg-hijk"));
        let receipt = receipt_message("ada@example.org", &about);
        assert!(receipt.body.contains("abc-defg-hijk"));
        assert!(!receipt.body.contains("confirm/"));
    }
}
