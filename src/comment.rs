//! Comments from the public: the form as typed, its validation per submitter type, and the validated comment.

use crate::text::{self, TextError};
use serde::{Deserialize, Serialize};

pub const COMMENT_MAX_CHARS: usize = 5000;
pub const NAME_MAX_CHARS: usize = 100;
pub const ORGANIZATION_MAX_CHARS: usize = 200;
pub const PLACE_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;

/// The comment form's field people never see (hidden by the stylesheet, out of the tab order and
/// the accessibility tree): only scripts that fill in every field fill it in.
pub const HONEYPOT_FIELD: &str = "website";
/// The form field where the browser puts its proof of work (see `proof_of_work`).
pub const PROOF_FIELD: &str = "proof";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SubmitterType {
    Individual,
    Organization,
    Anonymous,
}

impl SubmitterType {
    pub const ALL: [SubmitterType; 3] = [Self::Individual, Self::Organization, Self::Anonymous];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw.trim())
    }

    /// The value stored and sent in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Organization => "organization",
            Self::Anonymous => "anonymous",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Individual => "Individual",
            Self::Organization => "Organization",
            Self::Anonymous => "Anonymous",
        }
    }
}

/// The comment form exactly as the person filled it in; every field is raw text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentForm {
    pub submitter_type: String,
    pub first_name: String,
    pub last_name: String,
    pub organization: String,
    pub city: String,
    pub state_province_region: String,
    pub country: String,
    pub email: String,
    pub comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    SubmitterType,
    FirstName,
    LastName,
    Organization,
    City,
    StateProvinceRegion,
    Country,
    Email,
    Comment,
}

impl Field {
    /// The form field's `name` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Field::SubmitterType => "submitter_type",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Organization => "organization",
            Field::City => "city",
            Field::StateProvinceRegion => "state_province_region",
            Field::Country => "country",
            Field::Email => "email",
            Field::Comment => "comment",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Field::SubmitterType => "Submitter type",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::Organization => "Organization",
            Field::City => "City",
            Field::StateProvinceRegion => "State, province or region",
            Field::Country => "Country",
            Field::Email => "Email",
            Field::Comment => "Comment",
        }
    }
}

/// What is wrong with a form, one sentence per field, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<(Field, String)>);

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn push(&mut self, field: Field, message: String) {
        self.0.push((field, message));
    }

    fn push_text_error(&mut self, field: Field, error: TextError) {
        let message = match error {
            TextError::Missing => format!("{} is required.", field.label()),
            other => format!("{} {other}.", field.label()),
        };
        self.push(field, message);
    }
}

/// Who is speaking, with exactly the names each submitter type carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Submitter {
    Individual {
        first_name: String,
        last_name: String,
    },
    Organization {
        organization: String,
        first_name: Option<String>,
        last_name: Option<String>,
    },
    Anonymous,
}

impl Submitter {
    pub fn submitter_type(&self) -> SubmitterType {
        match self {
            Submitter::Individual { .. } => SubmitterType::Individual,
            Submitter::Organization { .. } => SubmitterType::Organization,
            Submitter::Anonymous => SubmitterType::Anonymous,
        }
    }

    /// The name shown next to the comment: the organization, the person, or "Anonymous".
    pub fn display_name(&self) -> String {
        match self {
            Submitter::Individual {
                first_name,
                last_name,
            } => format!("{first_name} {last_name}"),
            Submitter::Organization { organization, .. } => organization.clone(),
            Submitter::Anonymous => "Anonymous".to_owned(),
        }
    }

    pub fn first_name(&self) -> Option<&str> {
        match self {
            Submitter::Individual { first_name, .. } => Some(first_name),
            Submitter::Organization { first_name, .. } => first_name.as_deref(),
            Submitter::Anonymous => None,
        }
    }

    pub fn last_name(&self) -> Option<&str> {
        match self {
            Submitter::Individual { last_name, .. } => Some(last_name),
            Submitter::Organization { last_name, .. } => last_name.as_deref(),
            Submitter::Anonymous => None,
        }
    }

    pub fn organization(&self) -> Option<&str> {
        match self {
            Submitter::Organization { organization, .. } => Some(organization),
            _ => None,
        }
    }
}

/// The kinds of submitter, as stored and as filters name them.
pub const SUBMITTER_TYPES: [&str; 3] = ["individual", "organization", "anonymous"];

/// A comment that passed validation and may be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComment {
    pub submitter: Submitter,
    pub city: Option<String>,
    pub state_province_region: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub body: String,
    /// What an organisation posting through the API adds.
    pub details: SubmissionDetails,
}

/// Fields a comment posted through the API may carry beyond the form's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionDetails {
    /// The agency's category for the comment.
    pub category: Option<String>,
    /// How many items (such as collected signatures) the submission stands for.
    pub items_received: Option<i64>,
}

fn looks_like_email(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address.chars().any(char::is_whitespace)
}

struct Checker {
    errors: FieldErrors,
}

impl Checker {
    fn optional(&mut self, field: Field, raw: &str, max: usize) -> Option<String> {
        text::single_line(raw, max).unwrap_or_else(|e| {
            self.errors.push_text_error(field, e);
            None
        })
    }

    fn required(&mut self, field: Field, raw: &str, max: usize, why: &str) -> String {
        match text::single_line(raw, max) {
            Ok(Some(value)) => value,
            Ok(None) => {
                self.errors
                    .push(field, format!("{} is required {why}.", field.label()));
                String::new()
            }
            Err(e) => {
                self.errors.push_text_error(field, e);
                String::new()
            }
        }
    }
}

/// Checks a form against the rules regulations.gov applies: an individual gives a first and
/// last name, an organization gives its name, an anonymous comment needs only the text.
/// Names typed into an anonymous submission are dropped, not stored.
pub fn validate(form: &CommentForm) -> Result<NewComment, FieldErrors> {
    let mut check = Checker {
        errors: FieldErrors::default(),
    };
    let submitter_type = SubmitterType::parse(&form.submitter_type);
    if submitter_type.is_none() {
        check.errors.push(
            Field::SubmitterType,
            "Choose whether you comment as an individual, for an organization, or anonymously."
                .into(),
        );
    }
    let submitter = match submitter_type {
        Some(SubmitterType::Individual) => {
            let why = "for a comment from an individual";
            let first_name =
                check.required(Field::FirstName, &form.first_name, NAME_MAX_CHARS, why);
            let last_name = check.required(Field::LastName, &form.last_name, NAME_MAX_CHARS, why);
            Submitter::Individual {
                first_name,
                last_name,
            }
        }
        Some(SubmitterType::Organization) => {
            let first_name = check.optional(Field::FirstName, &form.first_name, NAME_MAX_CHARS);
            let last_name = check.optional(Field::LastName, &form.last_name, NAME_MAX_CHARS);
            let organization = check.required(
                Field::Organization,
                &form.organization,
                ORGANIZATION_MAX_CHARS,
                "for a comment from an organization",
            );
            Submitter::Organization {
                organization,
                first_name,
                last_name,
            }
        }
        Some(SubmitterType::Anonymous) | None => Submitter::Anonymous,
    };
    let city = check.optional(Field::City, &form.city, PLACE_MAX_CHARS);
    let state_province_region = check.optional(
        Field::StateProvinceRegion,
        &form.state_province_region,
        PLACE_MAX_CHARS,
    );
    let country = check.optional(Field::Country, &form.country, PLACE_MAX_CHARS);
    let email = check.optional(Field::Email, &form.email, EMAIL_MAX_CHARS);
    if let Some(address) = &email {
        if !looks_like_email(address) {
            check.errors.push(
                Field::Email,
                "Email must be an address like name@example.org, or left empty.".into(),
            );
        }
    }
    let body = text::multi_line(&form.comment, COMMENT_MAX_CHARS).unwrap_or_else(|e| {
        check.errors.push_text_error(Field::Comment, e);
        String::new()
    });
    if check.errors.is_empty() {
        Ok(NewComment {
            submitter,
            city,
            state_province_region,
            country,
            email,
            body,
            details: SubmissionDetails::default(),
        })
    } else {
        Err(check.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str) -> CommentForm {
        CommentForm {
            submitter_type: kind.into(),
            comment: "Health data must never be used for advertising.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn individual_needs_first_and_last_name() {
        let errors = validate(&form("individual")).unwrap_err();
        assert_eq!(
            errors.get(Field::FirstName),
            Some("First name is required for a comment from an individual.")
        );
        assert!(errors.get(Field::LastName).is_some());
        assert!(errors.get(Field::Organization).is_none());

        let mut ok = form("individual");
        ok.first_name = " Ada ".into();
        ok.last_name = "Lovelace".into();
        let comment = validate(&ok).unwrap();
        assert_eq!(comment.submitter.display_name(), "Ada Lovelace");
    }

    #[test]
    fn organization_needs_its_name_only() {
        let errors = validate(&form("organization")).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert!(errors.get(Field::Organization).is_some());

        let mut ok = form("organization");
        ok.organization = "Patients for Privacy".into();
        let comment = validate(&ok).unwrap();
        assert_eq!(comment.submitter.display_name(), "Patients for Privacy");
        assert_eq!(comment.submitter.first_name(), None);
    }

    #[test]
    fn anonymous_needs_only_the_comment_and_drops_names() {
        let mut anon = form("anonymous");
        anon.first_name = "Would".into();
        anon.last_name = "Rather Not".into();
        let comment = validate(&anon).unwrap();
        assert_eq!(comment.submitter, Submitter::Anonymous);
        assert_eq!(comment.submitter.first_name(), None);
    }

    #[test]
    fn every_type_needs_a_comment() {
        for kind in ["individual", "organization", "anonymous"] {
            let mut f = form(kind);
            f.comment = "   ".into();
            let errors = validate(&f).unwrap_err();
            assert_eq!(errors.get(Field::Comment), Some("Comment is required."));
        }
    }

    #[test]
    fn comment_limit_is_5000_characters() {
        let mut f = form("anonymous");
        f.comment = "x".repeat(COMMENT_MAX_CHARS);
        assert!(validate(&f).is_ok());
        f.comment.push('x');
        let errors = validate(&f).unwrap_err();
        assert_eq!(
            errors.get(Field::Comment),
            Some("Comment is too long: 5001 characters, the limit is 5000.")
        );
    }

    #[test]
    fn unknown_submitter_type_is_an_error() {
        let errors = validate(&form("robot")).unwrap_err();
        assert!(errors.get(Field::SubmitterType).is_some());
    }

    #[test]
    fn email_is_optional_but_checked() {
        let mut f = form("anonymous");
        f.email = "not an address".into();
        assert!(validate(&f).unwrap_err().get(Field::Email).is_some());
        f.email = "someone@example.org".into();
        assert_eq!(
            validate(&f).unwrap().email.as_deref(),
            Some("someone@example.org")
        );
        f.email = String::new();
        assert_eq!(validate(&f).unwrap().email, None);
    }

    #[test]
    fn control_characters_are_refused_in_every_field() {
        let mut f = form("individual");
        f.first_name = "Ada\u{0}".into();
        f.last_name = "Love\u{8}lace".into();
        f.city = "Town\u{1b}".into();
        f.comment = "Hello\u{7}".into();
        let errors = validate(&f).unwrap_err();
        for field in [
            Field::FirstName,
            Field::LastName,
            Field::City,
            Field::Comment,
        ] {
            assert!(
                errors.get(field).unwrap().contains("control character"),
                "{field:?}"
            );
        }
    }

    #[test]
    fn markup_is_kept_as_text() {
        let mut f = form("anonymous");
        f.comment = "<script>alert(1)</script>".into();
        assert_eq!(validate(&f).unwrap().body, "<script>alert(1)</script>");
    }
}

/// A random key rendered into each comment form, so that a refresh or a double click
/// submits the same key and finds the comment already stored instead of storing it twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the form's submission key is missing or damaged; reload the page and submit again")]
pub struct IdempotencyKeyError;

impl IdempotencyKey {
    const LEN: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, IdempotencyKeyError> {
        let raw = raw.trim();
        if raw.len() == Self::LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdempotencyKeyError)
        }
    }

    #[cfg(feature = "ssr")]
    pub fn generate() -> Self {
        use rand::Rng;
        let bytes: [u8; 16] = rand::rng().random();
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The key for a submission another system names (such as an API client's submissionKey):
    /// the same seed always gives the same key.
    #[cfg(feature = "ssr")]
    pub fn derived(seed: &str) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(seed.as_bytes());
        Self(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn keys_are_32_lowercase_hex_digits() {
        assert!(IdempotencyKey::parse("0123456789abcdef0123456789abcdef").is_ok());
        assert!(IdempotencyKey::parse("0123456789ABCDEF0123456789abcdef").is_err());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn generated_keys_parse_and_differ() {
        let a = IdempotencyKey::generate();
        assert_eq!(IdempotencyKey::parse(a.as_str()), Ok(a.clone()));
        assert_ne!(a, IdempotencyKey::generate());
    }
}
