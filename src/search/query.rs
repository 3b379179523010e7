//! The search query language staff and the public type: words, "quoted phrases", AND / OR / NOT
//! (and `-word`), parentheses, `field:value` and `prefix*`. Parsing only; the index turns the
//! parsed query into its own.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// A prefix needs this many characters before the `*`, so `a*` cannot expand to half the dictionary.
pub const MIN_PREFIX_CHARS: usize = 2;
/// How deeply parentheses and NOT may nest. The parsed query and the index's query are trees built
/// and walked recursively, so an unlimited depth would let one query exhaust a thread's stack.
pub const MAX_QUERY_DEPTH: usize = 10;
/// How many words, phrases and values one query may hold.
pub const MAX_QUERY_TERMS: usize = 64;

/// What a query may name before a colon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SearchField {
    /// The comment's text (the default).
    Text,
    /// The submitter's name.
    Name,
    Organization,
    /// individual, organization or anonymous.
    Type,
    /// State, province or region.
    State,
    Country,
    /// pending, posted or withheld.
    Status,
    Tag,
    /// The number of a form-letter campaign.
    Campaign,
    /// yes or no.
    Late,
    Docket,
}

impl SearchField {
    pub const ALL: [SearchField; 11] = [
        Self::Text,
        Self::Name,
        Self::Organization,
        Self::Type,
        Self::State,
        Self::Country,
        Self::Status,
        Self::Tag,
        Self::Campaign,
        Self::Late,
        Self::Docket,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Name => "name",
            Self::Organization => "organization",
            Self::Type => "type",
            Self::State => "state",
            Self::Country => "country",
            Self::Status => "status",
            Self::Tag => "tag",
            Self::Campaign => "campaign",
            Self::Late => "late",
            Self::Docket => "docket",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.to_ascii_lowercase();
        let alias = match raw.as_str() {
            "org" => "organization",
            "submitter" | "submitter_type" => "type",
            "region" | "province" => "state",
            other => other,
        };
        Self::ALL.into_iter().find(|f| f.name() == alias)
    }

    /// Fields whose words are matched like the text (as opposed to exact values).
    pub fn is_text(self) -> bool {
        matches!(self, Self::Text | Self::Name | Self::Organization)
    }

    /// Fields the public may search on a docket page (they see these on posted comments).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Self::Text | Self::Name | Self::Organization | Self::Type
        )
    }

    /// The values an exact-value field accepts, for fields with a fixed set.
    fn allowed_values(self) -> Option<&'static [&'static str]> {
        match self {
            Self::Type => Some(&["individual", "organization", "anonymous"]),
            Self::Status => Some(&["pending", "posted", "withheld"]),
            Self::Late => Some(&["yes", "no"]),
            _ => None,
        }
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Query {
    /// Everything (an empty query).
    All,
    /// One word, or for exact-value fields one value. A word the index splits further (`e-mail`)
    /// is matched as a phrase.
    Term {
        field: SearchField,
        value: String,
    },
    Phrase {
        field: SearchField,
        text: String,
    },
    Prefix {
        field: SearchField,
        prefix: String,
    },
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

impl Query {
    /// Every field the query names, to check them against who is searching.
    pub fn fields(&self) -> Vec<SearchField> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields(&self, out: &mut Vec<SearchField>) {
        match self {
            Query::All => {}
            Query::Term { field, .. }
            | Query::Phrase { field, .. }
            | Query::Prefix { field, .. } => {
                if !out.contains(field) {
                    out.push(*field)
                }
            }
            Query::And(parts) | Query::Or(parts) => {
                parts.iter().for_each(|p| p.collect_fields(out))
            }
            Query::Not(inner) => inner.collect_fields(out),
        }
    }

    /// The tag names the query mentions, to resolve them against the vocabulary.
    pub fn tag_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.visit(&mut |q| {
            if let Query::Term {
                field: SearchField::Tag,
                value,
            }
            | Query::Phrase {
                field: SearchField::Tag,
                text: value,
            } = q
            {
                out.push(value.clone());
            }
        });
        out
    }

    fn visit(&self, f: &mut impl FnMut(&Query)) {
        f(self);
        match self {
            Query::And(parts) | Query::Or(parts) => parts.iter().for_each(|p| p.visit(f)),
            Query::Not(inner) => inner.visit(f),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum QueryError {
    #[error("The search is too long: at most {max} characters, this one has {len}.")]
    TooLong { max: usize, len: usize },
    #[error("A quotation mark is not closed: add a \" after {after:?}.")]
    UnclosedQuote { after: String },
    #[error("A parenthesis is not closed: add a ) at the end.")]
    UnclosedParenthesis,
    #[error("There is a ) without a ( before it.")]
    UnopenedParenthesis,
    #[error("Unknown field {field:?}. Known fields: text, name, organization, type, state, country, status, tag, campaign, late, docket.")]
    UnknownField { field: String },
    #[error("{field}: needs a value after the colon, such as {field}:{example}.")]
    MissingValue { field: String, example: String },
    #[error("{field}:{value} is not a value of {field}; use {allowed}.")]
    BadValue {
        field: String,
        value: String,
        allowed: String,
    },
    #[error("{operator} needs a word on {side} of it.")]
    DanglingOperator {
        operator: String,
        side: &'static str,
    },
    #[error("{prefix}* is too short: give at least {min} letters before the *.")]
    PrefixTooShort { prefix: String, min: usize },
    #[error("The search nests parentheses and NOT more than {max} deep; simplify it.")]
    TooDeep { max: usize },
    #[error("The search has more than {max} words, phrases and values; use fewer.")]
    TooManyTerms { max: usize },
    #[error("Searching by {field} is for staff only; on this page search the text, name, organization or type.")]
    NotPublic { field: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    /// `field:` directly followed by a word or a quoted phrase.
    Field(String),
    And,
    Or,
    Not,
    Minus,
    Open,
    Close,
}

fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        match c {
            '"' | '“' | '”' => {
                chars.next();
                let mut text = String::new();
                let mut closed = false;
                for (_, c) in chars.by_ref() {
                    if matches!(c, '"' | '“' | '”') {
                        closed = true;
                        break;
                    }
                    text.push(c);
                }
                if !closed {
                    let after: String = input[..start].chars().rev().take(20).collect();
                    return Err(QueryError::UnclosedQuote {
                        after: after.chars().rev().collect::<String>().trim().to_owned(),
                    });
                }
                tokens.push(Token::Quoted(text));
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '-' if tokens.last().is_none_or(|t| !matches!(t, Token::Field(_))) => {
                chars.next();
                // A lone hyphen (as in "privacy - consent") is punctuation, not NOT.
                if chars
                    .peek()
                    .is_some_and(|(_, n)| !n.is_whitespace() && *n != ')')
                {
                    tokens.push(Token::Minus);
                }
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '"' | '“' | '”' | '(' | ')') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                if let Some((field, rest)) = word.split_once(':') {
                    let looks_like_field = field.starts_with(|c: char| c.is_alphabetic())
                        && field.chars().all(|c| c.is_alphanumeric() || c == '_');
                    if looks_like_field {
                        tokens.push(Token::Field(field.to_owned()));
                        if !rest.is_empty() {
                            tokens.push(Token::Word(rest.to_owned()));
                        }
                        continue;
                    }
                }
                tokens.push(match word.as_str() {
                    "AND" | "&&" => Token::And,
                    "OR" | "||" => Token::Or,
                    "NOT" => Token::Not,
                    _ => Token::Word(word),
                });
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// Runs `f` one nesting level deeper, refusing past `MAX_QUERY_DEPTH`.
    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Query, QueryError>,
    ) -> Result<Query, QueryError> {
        if self.depth >= MAX_QUERY_DEPTH {
            return Err(QueryError::TooDeep {
                max: MAX_QUERY_DEPTH,
            });
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.next();
            if self.at_end_of_group() {
                return Err(dangling("OR", "the right"));
            }
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Query::All)
        } else {
            Query::Or(parts)
        })
    }

    fn at_end_of_group(&self) -> bool {
        matches!(self.peek(), None | Some(Token::Close))
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Token::Close) | Some(Token::Or) => break,
                Some(Token::And) => {
                    self.next();
                    if parts.is_empty() {
                        return Err(dangling("AND", "the left"));
                    }
                    if matches!(self.peek(), None | Some(Token::Close) | Some(Token::Or)) {
                        return Err(dangling("AND", "the right"));
                    }
                }
                _ => parts.push(self.unary()?),
            }
        }
        match parts.len() {
            0 => Err(dangling("OR", "the left")),
            1 => Ok(parts.pop().unwrap_or(Query::All)),
            _ => Ok(Query::And(parts)),
        }
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        match self.peek() {
            Some(Token::Not) | Some(Token::Minus) => {
                let op = if self.next() == Some(Token::Not) {
                    "NOT"
                } else {
                    "-"
                };
                if matches!(
                    self.peek(),
                    None | Some(Token::Close) | Some(Token::Or) | Some(Token::And)
                ) {
                    return Err(dangling(op, "the right"));
                }
                let inner = self.nested(|p| p.unary())?;
                Ok(Query::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Query, QueryError> {
        match self.next() {
            Some(Token::Open) => {
                if self.peek() == Some(&Token::Close) {
                    self.next();
                    return Ok(Query::All);
                }
                let inner = self.nested(|p| p.or())?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err(QueryError::UnclosedParenthesis),
                }
            }
            Some(Token::Word(word)) => word_query(SearchField::Text, &word),
            Some(Token::Quoted(text)) => Ok(phrase_query(SearchField::Text, &text)),
            Some(Token::Field(name)) => {
                let field = SearchField::parse(&name).ok_or_else(|| QueryError::UnknownField {
                    field: name.clone(),
                })?;
                match self.next() {
                    Some(Token::Word(word)) => field_value(field, &word, false),
                    Some(Token::Quoted(text)) => field_value(field, &text, true),
                    _ => Err(QueryError::MissingValue {
                        field: field.name().to_owned(),
                        example: example_value(field).to_owned(),
                    }),
                }
            }
            Some(Token::Close) => Err(QueryError::UnopenedParenthesis),
            Some(Token::And) => Err(dangling("AND", "the left")),
            Some(Token::Or) => Err(dangling("OR", "the left")),
            Some(Token::Not) | Some(Token::Minus) | None => Ok(Query::All),
        }
    }
}

fn dangling(operator: &str, side: &'static str) -> QueryError {
    QueryError::DanglingOperator {
        operator: operator.to_owned(),
        side,
    }
}

fn example_value(field: SearchField) -> &'static str {
    match field {
        SearchField::Text => "consent",
        SearchField::Name => "smith",
        SearchField::Organization => "\"consumer reports\"",
        SearchField::Type => "organization",
        SearchField::State => "CA",
        SearchField::Country => "\"united states\"",
        SearchField::Status => "posted",
        SearchField::Tag => "privacy",
        SearchField::Campaign => "7",
        SearchField::Late => "yes",
        SearchField::Docket => "FTC-2023-0018",
    }
}

fn word_query(field: SearchField, word: &str) -> Result<Query, QueryError> {
    if let Some(prefix) = word.strip_suffix('*') {
        let prefix = prefix.trim_end_matches('*');
        if prefix.chars().count() < MIN_PREFIX_CHARS {
            return Err(QueryError::PrefixTooShort {
                prefix: prefix.to_owned(),
                min: MIN_PREFIX_CHARS,
            });
        }
        return Ok(Query::Prefix {
            field,
            prefix: prefix.to_lowercase(),
        });
    }
    Ok(Query::Term {
        field,
        value: word.to_owned(),
    })
}

fn phrase_query(field: SearchField, text: &str) -> Query {
    if text.trim().is_empty() {
        return Query::All;
    }
    Query::Phrase {
        field,
        text: text.trim().to_owned(),
    }
}

/// Normalises a value of an exact-value field the way the index stores it.
pub fn normalize_value(value: &str) -> String {
    value.trim().to_lowercase()
}

fn field_value(field: SearchField, value: &str, quoted: bool) -> Result<Query, QueryError> {
    if field.is_text() {
        return if quoted {
            Ok(phrase_query(field, value))
        } else {
            word_query(field, value)
        };
    }
    let normalized = normalize_value(value);
    if normalized.is_empty() {
        return Err(QueryError::MissingValue {
            field: field.name().to_owned(),
            example: example_value(field).to_owned(),
        });
    }
    let normalized = match (field, normalized.as_str()) {
        (SearchField::Late, "true" | "1") => "yes".to_owned(),
        (SearchField::Late, "false" | "0") => "no".to_owned(),
        _ => normalized,
    };
    if field == SearchField::Campaign && !normalized.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryError::BadValue {
            field: field.name().to_owned(),
            value: value.to_owned(),
            allowed: "a campaign's number, such as campaign:7".to_owned(),
        });
    }
    if let Some(allowed) = field.allowed_values() {
        if !allowed.contains(&normalized.as_str()) {
            return Err(QueryError::BadValue {
                field: field.name().to_owned(),
                value: value.to_owned(),
                allowed: allowed.join(", "),
            });
        }
    }
    Ok(Query::Term {
        field,
        value: normalized,
    })
}

/// Parses what someone typed into the search box.
pub fn parse_query(input: &str) -> Result<Query, QueryError> {
    let len = input.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong {
            max: MAX_QUERY_CHARS,
            len,
        });
    }
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Ok(Query::All);
    }
    let terms = tokens
        .iter()
        .filter(|t| matches!(t, Token::Word(_) | Token::Quoted(_)))
        .count();
    if terms > MAX_QUERY_TERMS {
        return Err(QueryError::TooManyTerms {
            max: MAX_QUERY_TERMS,
        });
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let query = parser.or()?;
    match parser.next() {
        None => Ok(query),
        Some(Token::Close) => Err(QueryError::UnopenedParenthesis),
        Some(_) => Err(QueryError::UnclosedParenthesis),
    }
}

/// Parses a query typed on a public page, where only public fields may be named.
pub fn parse_public_query(input: &str) -> Result<Query, QueryError> {
    let query = parse_query(input)?;
    if let Some(field) = query.fields().into_iter().find(|f| !f.is_public()) {
        return Err(QueryError::NotPublic {
            field: field.name().to_owned(),
        });
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_parser_never_panics_on_any_text(input in "\\PC{0,1200}") {
            let _ = parse_query(&input);
            let _ = parse_public_query(&input);
        }

        #[test]
        fn the_parser_never_panics_on_operators(input in "(-|NOT |AND |OR |\\(|\\)|\"|a|tag:|\\*| ){0,600}") {
            let _ = parse_query(&input);
        }
    }

    fn text(value: &str) -> Query {
        Query::Term {
            field: SearchField::Text,
            value: value.into(),
        }
    }

    #[test]
    fn words_are_all_required() {
        assert_eq!(
            parse_query("consent advertising").unwrap(),
            Query::And(vec![text("consent"), text("advertising")])
        );
        assert_eq!(parse_query("  ").unwrap(), Query::All);
    }

    #[test]
    fn phrases_booleans_and_negation() {
        assert_eq!(
            parse_query("\"health data\" OR consent -spam").unwrap(),
            Query::Or(vec![
                Query::Phrase {
                    field: SearchField::Text,
                    text: "health data".into()
                },
                Query::And(vec![text("consent"), Query::Not(Box::new(text("spam")))]),
            ])
        );
        assert_eq!(
            parse_query("consent AND NOT facebook").unwrap(),
            Query::And(vec![
                text("consent"),
                Query::Not(Box::new(text("facebook")))
            ])
        );
        assert_eq!(
            parse_query("(consent OR permission) AND advertising").unwrap(),
            Query::And(vec![
                Query::Or(vec![text("consent"), text("permission")]),
                text("advertising")
            ])
        );
    }

    #[test]
    fn a_hyphen_inside_a_word_or_alone_is_not_negation() {
        assert_eq!(parse_query("e-mail").unwrap(), text("e-mail"));
        assert_eq!(
            parse_query("privacy - consent").unwrap(),
            Query::And(vec![text("privacy"), text("consent")])
        );
    }

    #[test]
    fn fields_and_prefixes() {
        assert_eq!(
            parse_query("type:Organization state:ca consen*").unwrap(),
            Query::And(vec![
                Query::Term {
                    field: SearchField::Type,
                    value: "organization".into()
                },
                Query::Term {
                    field: SearchField::State,
                    value: "ca".into()
                },
                Query::Prefix {
                    field: SearchField::Text,
                    prefix: "consen".into()
                },
            ])
        );
        assert_eq!(
            parse_query("org:\"Consumer Reports\"").unwrap(),
            Query::Phrase {
                field: SearchField::Organization,
                text: "Consumer Reports".into()
            }
        );
        assert_eq!(
            parse_query("late:true").unwrap(),
            Query::Term {
                field: SearchField::Late,
                value: "yes".into()
            }
        );
        assert_eq!(
            parse_query("tag:\"Data sharing\" tag:consent")
                .unwrap()
                .tag_names(),
            vec!["data sharing".to_owned(), "consent".to_owned()]
        );
        // A colon inside a word that is not a field name is just part of the word.
        assert_eq!(parse_query("10:30").unwrap(), text("10:30"));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(matches!(
            parse_query("\"health data"),
            Err(QueryError::UnclosedQuote { .. })
        ));
        assert!(matches!(
            parse_query("(consent OR privacy"),
            Err(QueryError::UnclosedParenthesis)
        ));
        assert!(matches!(
            parse_query("consent)"),
            Err(QueryError::UnopenedParenthesis)
        ));
        let unknown = parse_query("colour:red").unwrap_err();
        assert_eq!(
            unknown,
            QueryError::UnknownField {
                field: "colour".into()
            }
        );
        assert!(unknown.to_string().contains("Known fields"));
        assert!(matches!(
            parse_query("status:deleted"),
            Err(QueryError::BadValue { .. })
        ));
        assert_eq!(
            parse_query("campaign:seven").unwrap_err().to_string(),
            "campaign:seven is not a value of campaign; use a campaign's number, such as campaign:7."
        );
        assert!(parse_query("campaign:7 consent").is_ok());
        assert!(matches!(
            parse_query("state:"),
            Err(QueryError::MissingValue { .. })
        ));
        assert!(matches!(
            parse_query("AND consent"),
            Err(QueryError::DanglingOperator { .. })
        ));
        assert!(matches!(
            parse_query("consent OR"),
            Err(QueryError::DanglingOperator { .. })
        ));
        assert!(matches!(
            parse_query("NOT"),
            Err(QueryError::DanglingOperator { .. })
        ));
        assert!(matches!(
            parse_query("c*"),
            Err(QueryError::PrefixTooShort { .. })
        ));
        let long = "consent ".repeat(1_250);
        assert_eq!(
            parse_query(&long),
            Err(QueryError::TooLong {
                max: MAX_QUERY_CHARS,
                len: 10_000
            })
        );
    }

    #[test]
    fn hostile_nesting_and_term_counts_are_refused_with_a_sentence() {
        let minus = format!("{}a", "-".repeat(998));
        assert_eq!(
            parse_query(&minus),
            Err(QueryError::TooDeep {
                max: MAX_QUERY_DEPTH
            })
        );
        let nots = format!("{}privacy", "NOT ".repeat(248));
        assert_eq!(
            parse_query(&nots),
            Err(QueryError::TooDeep {
                max: MAX_QUERY_DEPTH
            })
        );
        let parens = format!("{}a{}", "(".repeat(400), ")".repeat(400));
        assert!(matches!(
            parse_query(&parens),
            Err(QueryError::TooDeep { .. })
        ));
        assert!(parse_query(&format!("{}a", "-".repeat(MAX_QUERY_DEPTH))).is_ok());
        let many = "a ".repeat(MAX_QUERY_TERMS + 1);
        assert_eq!(
            parse_query(&many),
            Err(QueryError::TooManyTerms {
                max: MAX_QUERY_TERMS
            })
        );
        assert!(parse_query(&"a ".repeat(MAX_QUERY_TERMS)).is_ok());
    }

    #[test]
    fn the_public_may_not_search_staff_fields() {
        assert!(parse_public_query("consent name:smith type:organization").is_ok());
        for staff_only in ["status:withheld", "tag:privacy", "late:yes", "state:ca"] {
            assert!(
                matches!(
                    parse_public_query(staff_only),
                    Err(QueryError::NotPublic { .. })
                ),
                "{staff_only}"
            );
        }
    }
}
