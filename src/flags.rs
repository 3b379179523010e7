//! Suggestions for moderators, computed when a comment arrives: text that looks like personal
//! information (e-mail addresses, phone numbers, SSNs, street addresses), links, and profanity;
//! and signs of automation in how the form was sent (too fast after it was shown, a hidden field
//! filled in). They are only suggestions: the comment itself is never changed by them.

#[cfg(feature = "ssr")]
use regex::Regex;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlagKind {
    Email,
    Phone,
    Ssn,
    StreetAddress,
    Url,
    Profanity,
    /// Sent within seconds of the form being shown.
    Automation,
    /// A field people never see (the honeypot) was filled in.
    Honeypot,
    /// Many comments came from the same network in a short time (a burst).
    Burst,
    /// Its form asked for a proof of work and none came (no JavaScript, or a script).
    Unproven,
}

impl FlagKind {
    pub const ALL: [FlagKind; 10] = [
        Self::Email,
        Self::Phone,
        Self::Ssn,
        Self::StreetAddress,
        Self::Url,
        Self::Profanity,
        Self::Automation,
        Self::Honeypot,
        Self::Burst,
        Self::Unproven,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Ssn => "ssn",
            Self::StreetAddress => "street_address",
            Self::Url => "url",
            Self::Profanity => "profanity",
            Self::Automation => "automation",
            Self::Honeypot => "honeypot",
            Self::Burst => "burst",
            Self::Unproven => "unproven",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "e-mail address",
            Self::Phone => "phone number",
            Self::Ssn => "SSN-like number",
            Self::StreetAddress => "street address",
            Self::Url => "link",
            Self::Profanity => "profanity",
            Self::Automation => "a form sent seconds after it was shown (a script?)",
            Self::Honeypot => "a hidden field only scripts fill in (held)",
            Self::Burst => "many comments from one network in a short time (a burst)",
            Self::Unproven => "sent without the proof of work its form asked for (held)",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// What the server saw of how a comment arrived, stored with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrival {
    pub signals: Vec<FlagKind>,
    /// It needs a moderator's own decision: listed after the others and never posted in bulk.
    pub held: bool,
    /// The network it came from, as a keyed hash made for its docket alone (never an address).
    pub network: Option<String>,
    /// The site's public address, when this server sends e-mail (links in messages start with
    /// it): a comment with an e-mail address on a docket that confirms by e-mail then waits for
    /// its confirmation.
    pub mail_links: Option<String>,
    /// The submitter asked for a receipt by e-mail (the API's `sendEmailReceipt`).
    pub email_receipt: bool,
}

/// A flagged span of the text, by byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    pub start: usize,
    pub end: usize,
}

#[cfg(feature = "ssr")]
/// A short list of words that are almost never needed in a comment on a proposed order.
const PROFANITY: &[&str] = &[
    "fuck",
    "fucking",
    "shit",
    "bullshit",
    "asshole",
    "bastard",
    "bitch",
    "cunt",
    "motherfucker",
];

#[cfg(feature = "ssr")]
fn patterns() -> &'static [(FlagKind, Regex)] {
    static PATTERNS: OnceLock<Vec<(FlagKind, Regex)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let compile = |p: &str| Regex::new(p).expect("flag patterns are valid");
        vec![
            (FlagKind::Email, compile(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")),
            (FlagKind::Ssn, compile(r"\b\d{3}-\d{2}-\d{4}\b")),
            (FlagKind::Phone, compile(r"(?:\+1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b")),
            (
                FlagKind::StreetAddress,
                compile(
                    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy)\b\.?",
                ),
            ),
            (FlagKind::Url, compile(r"(?i)\b(?:https?://|www\.)[^\s<>]+")),
            (FlagKind::Profanity, compile(&format!(r"(?i)\b(?:{})\b", PROFANITY.join("|")))),
        ]
    })
}

#[cfg(feature = "ssr")]
/// Every flag in the text, in order of position.
pub fn flag_text(text: &str) -> Vec<Flag> {
    let mut flags: Vec<Flag> = patterns()
        .iter()
        .flat_map(|(kind, re)| {
            re.find_iter(text).map(move |m| Flag {
                kind: *kind,
                start: m.start(),
                end: m.end(),
            })
        })
        .collect();
    flags.sort_by_key(|f| (f.start, f.end));
    flags
}

#[cfg(feature = "ssr")]
/// The kinds found, each once, for storing with the comment.
pub fn flag_kinds(text: &str) -> Vec<FlagKind> {
    let found = flag_text(text);
    FlagKind::ALL
        .into_iter()
        .filter(|k| found.iter().any(|f| f.kind == *k))
        .collect()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<FlagKind> {
        flag_kinds(text)
    }

    #[test]
    fn finds_personal_information() {
        assert_eq!(
            kinds("Write to jane.doe+ftc@example.co.uk please"),
            vec![FlagKind::Email]
        );
        assert_eq!(kinds("Call me on (202) 555-0143."), vec![FlagKind::Phone]);
        assert_eq!(kinds("Call me on 202-555-0143."), vec![FlagKind::Phone]);
        assert_eq!(kinds("or +1 202.555.0143"), vec![FlagKind::Phone]);
        assert_eq!(kinds("My SSN is 078-05-1120."), vec![FlagKind::Ssn]);
        assert_eq!(
            kinds("I live at 1600 Pennsylvania Avenue in town."),
            vec![FlagKind::StreetAddress]
        );
        assert_eq!(
            kinds("See https://example.org/report.pdf and www.example.com"),
            vec![FlagKind::Url]
        );
        assert_eq!(kinds("This is bullshit."), vec![FlagKind::Profanity]);
    }

    #[test]
    fn leaves_ordinary_numbers_and_words_alone() {
        for text in [
            "BetterHelp uploaded over 7 million e-mail addresses between 2017 and 2018.",
            "The order would pay $7.8 million to consumers who signed up between 1 August 2017 and 31 December 2020.",
            "FTC File No. 202 3169, 88 FR 15717, docket FTC-2023-0018.",
            "Section 5(a) of the FTC Act, 15 U.S.C. 45(a).",
            "I assessed the shitake recipe; Scunthorpe is a town.",
            "We met at 10 am on Main.",
            "Email me? No, I won't give an address.",
        ] {
            assert_eq!(kinds(text), vec![], "{text}");
        }
    }

    #[test]
    fn spans_point_at_the_flagged_text() {
        let text = "Reach me at ada@example.org or 202-555-0143.";
        let flags = flag_text(text);
        assert_eq!(flags.len(), 2);
        assert_eq!(&text[flags[0].start..flags[0].end], "ada@example.org");
        assert_eq!(&text[flags[1].start..flags[1].end], "202-555-0143");
    }

    #[test]
    fn kinds_round_trip_and_have_labels() {
        for kind in FlagKind::ALL {
            assert_eq!(FlagKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.label().is_empty());
        }
        assert_eq!(FlagKind::parse("nonsense"), None);
    }

    #[test]
    fn an_ssn_is_not_also_a_phone_number() {
        assert_eq!(kinds("078-05-1120"), vec![FlagKind::Ssn]);
    }
}
