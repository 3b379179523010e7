//! The tantivy index of comments: its schema, turning a parsed query into a tantivy query, and
//! running a search with its count, page of hits and facet counts. Only the indexer writes.

use super::language::{self, Stemming, TextLanguage, FOLDED};
use super::query::{normalize_value, Query, SearchField};
use crate::flags::FlagKind;
use crate::moderation::CommentStatus;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::Path;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, SchemaBuilder, TextFieldIndexing, TextOptions, FAST, INDEXED,
    STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, Order, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
};
use thiserror::Error;

/// Bumped whenever the schema or what goes into it changes; an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 4;

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index directory {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// What the index holds for one comment; built from the database row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedComment {
    pub id: i64,
    pub docket_id: String,
    pub window_id: i64,
    pub status: CommentStatus,
    pub submitter_type: String,
    pub name: String,
    pub organization: String,
    pub state: String,
    pub country: String,
    pub body: String,
    /// The posted text when a moderator redacted part of it; the public searches this instead.
    pub redacted_body: Option<String>,
    pub late: bool,
    pub received_at_ms: i64,
    pub tags: Vec<i64>,
    pub campaign: Option<i64>,
    /// What moderators were told to check when it arrived (staff only).
    pub flags: Vec<FlagKind>,
    /// Text extracted from its attachments: all of it (for staff), and the part the public may
    /// search once the comment is posted (files not withheld).
    pub attachment_text: String,
    pub public_attachment_text: String,
}

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub docket: Field,
    pub window: Field,
    pub status: Field,
    pub submitter_type: Field,
    pub late: Field,
    pub redacted: Field,
    pub received: Field,
    pub state: Field,
    pub country: Field,
    pub tag: Field,
    pub campaign: Field,
    pub flag: Field,
    pub body: Field,
    pub public_text: Field,
    pub name: Field,
    pub organization: Field,
    /// The text's stems, one field per `Stemming`; a text fills those of its language.
    pub stems: [Field; 3],
    /// The stems of what the public may search, when it differs from the body (`public_text`).
    pub public_stems: [Field; 3],
}

/// A text field read with `analyzer`; `positions` for phrases.
fn analyzed(analyzer: &str, positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    )
}

fn schema() -> (Schema, Fields) {
    let mut b: SchemaBuilder = Schema::builder();
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST),
        docket: b.add_text_field("docket", STRING),
        window: b.add_u64_field("window", INDEXED | FAST),
        status: b.add_u64_field("status", INDEXED | FAST),
        submitter_type: b.add_u64_field("type", INDEXED | FAST),
        late: b.add_u64_field("late", INDEXED | FAST),
        redacted: b.add_u64_field("redacted", INDEXED),
        received: b.add_i64_field("received", INDEXED | FAST),
        state: b.add_text_field("state", STRING | FAST),
        country: b.add_text_field("country", STRING | FAST),
        tag: b.add_u64_field("tag", INDEXED | FAST),
        campaign: b.add_u64_field("campaign", INDEXED | FAST),
        flag: b.add_u64_field("flag", INDEXED | FAST),
        body: b.add_text_field("body", analyzed(FOLDED, true)),
        public_text: b.add_text_field("public_text", analyzed(FOLDED, true)),
        name: b.add_text_field("name", analyzed(FOLDED, true)),
        organization: b.add_text_field("organization", analyzed(FOLDED, true)),
        stems: Stemming::ALL.map(|stemming| {
            let name = format!("stems_{}", stemming.analyzer_name());
            b.add_text_field(&name, analyzed(stemming.analyzer_name(), false))
        }),
        public_stems: Stemming::ALL.map(|stemming| {
            let name = format!("public_stems_{}", stemming.analyzer_name());
            b.add_text_field(&name, analyzed(stemming.analyzer_name(), false))
        }),
    };
    (b.build(), fields)
}

pub use crate::comment::SUBMITTER_TYPES;
const STATUSES: [CommentStatus; 3] = [
    CommentStatus::Pending,
    CommentStatus::Posted,
    CommentStatus::Withheld,
];

fn flag_code(flag: FlagKind) -> u64 {
    FlagKind::ALL.iter().position(|f| *f == flag).unwrap_or(0) as u64
}

fn status_code(status: CommentStatus) -> u64 {
    STATUSES.iter().position(|s| *s == status).unwrap_or(0) as u64
}

fn type_code(kind: &str) -> u64 {
    SUBMITTER_TYPES.iter().position(|t| *t == kind).unwrap_or(2) as u64
}

/// Who is searching: staff see every comment and its full text; the public sees posted comments
/// and only the text as posted (with redactions applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Staff,
    Public,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

impl Sort {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "relevance" | "" => Some(Sort::Relevance),
            "newest" => Some(Sort::Newest),
            "oldest" => Some(Sort::Oldest),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }
}

/// Facet filters chosen by clicking; values within one facet are alternatives, facets combine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub docket: Option<String>,
    pub status: Vec<CommentStatus>,
    pub submitter_type: Vec<String>,
    pub tag: Vec<i64>,
    pub campaign: Vec<i64>,
    pub flag: Vec<FlagKind>,
    pub state: Vec<String>,
    pub country: Vec<String>,
    pub late: Option<bool>,
    /// Received in [start, end), milliseconds.
    pub received: Option<(i64, i64)>,
}

/// A search ready to run: the parsed query with tag names resolved to ids.
#[derive(Debug, Clone)]
pub struct SearchSpec {
    pub scope: Scope,
    pub query: Query,
    /// Tag ids for each lower-cased tag name the query mentions.
    pub tag_ids: HashMap<String, Vec<i64>>,
    pub filters: Filters,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// The agency's zone, whose calendar days the received-day histogram counts (each day with
    /// the offset in force that day).
    pub day_zone: chrono_tz::Tz,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetCounts {
    pub status: Vec<(CommentStatus, u64)>,
    pub submitter_type: Vec<(String, u64)>,
    pub late: Vec<(bool, u64)>,
    pub tag: Vec<(i64, u64)>,
    pub campaign: Vec<(i64, u64)>,
    pub flag: Vec<(FlagKind, u64)>,
    pub state: Vec<(String, u64)>,
    pub country: Vec<(String, u64)>,
    /// Comments per received day on the agency's calendar: (the date as UTC midnight in ms,
    /// count), oldest first.
    pub received_days: Vec<(i64, u64)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchHits {
    pub total: usize,
    /// Comment ids of the requested page, in order.
    pub ids: Vec<i64>,
    pub facets: FacetCounts,
}

/// How many values of a long facet (states, countries, tags) are returned.
const FACET_VALUES: usize = 12;

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    pub fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if there is none. Returns the index and whether it
    /// was created (or replaced because its schema is out of date), so it must be filled.
    pub fn open_or_create(dir: &Path) -> Result<(Self, bool), IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)?;
        let existing = Index::exists(&mmap).unwrap_or(false);
        if existing {
            let index = Index::open(mmap)?;
            if read_payload(&index).is_some_and(|p| p.schema_version == SCHEMA_VERSION)
                && index.schema() == schema
            {
                return Ok((Self::with_index(index, fields)?, false));
            }
            drop(index);
            for entry in std::fs::read_dir(dir).map_err(|source| IndexError::Io {
                path: dir.display().to_string(),
                source,
            })? {
                let path = entry
                    .map_err(|source| IndexError::Io {
                        path: dir.display().to_string(),
                        source,
                    })?
                    .path();
                if path.is_file() {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let index = Index::create_in_dir(dir, schema)?;
        Ok((Self::with_index(index, fields)?, true))
    }

    /// An index in memory, for benchmarks and tests.
    pub fn in_memory() -> Result<Self, IndexError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(mut index: Index, fields: Fields) -> Result<Self, IndexError> {
        language::register(&index);
        // A search over several segments uses every core.
        index.set_default_multithread_executor()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            fields,
        })
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Makes the last commit visible to searches.
    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }

    /// The change sequence number up to which the last commit holds every change.
    pub fn checkpoint(&self) -> Option<i64> {
        read_payload(&self.index).map(|p| p.applied_through)
    }

    pub fn document(&self, c: &IndexedComment) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, c.id as u64);
        doc.add_text(f.docket, &c.docket_id);
        doc.add_u64(f.window, c.window_id as u64);
        doc.add_u64(f.status, status_code(c.status));
        doc.add_u64(f.submitter_type, type_code(&c.submitter_type));
        doc.add_u64(f.late, u64::from(c.late));
        // The public matches `public_text` instead of the body when what they may search differs:
        // redacted text, or attachments (some of which may be withheld).
        let public_separately = c.redacted_body.is_some() || !c.attachment_text.is_empty();
        doc.add_u64(f.redacted, u64::from(public_separately));
        doc.add_i64(f.received, c.received_at_ms);
        doc.add_text(f.state, normalize_value(&c.state));
        doc.add_text(f.country, normalize_value(&c.country));
        for tag in &c.tags {
            doc.add_u64(f.tag, *tag as u64);
        }
        if let Some(campaign) = c.campaign {
            doc.add_u64(f.campaign, campaign as u64);
        }
        for flag in &c.flags {
            doc.add_u64(f.flag, flag_code(*flag));
        }
        // Stemmed as the language the comment is written in, detected once as it is indexed.
        let stemmings = TextLanguage::detect(&c.body).stemmings();
        let mut add = |field: Field, stems: &[Field; 3], text: &str| {
            doc.add_text(field, text);
            for stemming in stemmings {
                doc.add_text(stems[*stemming as usize], text);
            }
        };
        add(f.body, &f.stems, &c.body);
        if !c.attachment_text.is_empty() {
            add(f.body, &f.stems, &c.attachment_text);
        }
        if c.status == CommentStatus::Posted && public_separately {
            add(
                f.public_text,
                &f.public_stems,
                c.redacted_body.as_deref().unwrap_or(&c.body),
            );
            if !c.public_attachment_text.is_empty() {
                add(f.public_text, &f.public_stems, &c.public_attachment_text);
            }
        }
        doc.add_text(f.name, &c.name);
        doc.add_text(f.organization, &c.organization);
        doc
    }

    /// The documents of many comments, made on every core (reading a comment's language is
    /// most of the work of indexing it).
    pub fn documents(&self, comments: &[IndexedComment]) -> Vec<TantivyDocument> {
        use rayon::prelude::*;
        comments.par_iter().map(|c| self.document(c)).collect()
    }

    pub fn id_term(&self, id: i64) -> Term {
        Term::from_field_u64(self.fields.id, id as u64)
    }

    fn analyzer(&self, field: Field) -> Result<TextAnalyzer, IndexError> {
        Ok(self.index.tokenizer_for_field(field)?)
    }

    /// The stem fields that go with a text field (none for names and organizations).
    fn stem_fields(&self, field: Field) -> Option<[Field; 3]> {
        if field == self.fields.body {
            Some(self.fields.stems)
        } else if field == self.fields.public_text {
            Some(self.fields.public_stems)
        } else {
            None
        }
    }

    /// A word of the text: any of its forms, in whichever language each comment is stemmed in.
    /// A "word" the analyzer splits (`e-mail`) is matched as a phrase instead.
    fn word_query(&self, field: Field, word: &str) -> Result<Box<dyn TantivyQuery>, IndexError> {
        let Some(stem_fields) = self.stem_fields(field) else {
            return self.text_query(field, word);
        };
        if language::words(&mut language::folded(), word).len() != 1 {
            return self.text_query(field, word);
        }
        // Only the stemmings some comment has the word in: on an English docket the French
        // fields drop out, and the query is the single term it was before stemming.
        let searcher = self.reader.searcher();
        let mut forms: Vec<Box<dyn TantivyQuery>> = Vec::new();
        for (stemming, stems) in Stemming::ALL.into_iter().zip(stem_fields) {
            for stem in language::words(&mut stemming.analyzer(), word) {
                let term = Term::from_field_text(stems, &stem);
                if searcher.doc_freq(&term)? > 0 {
                    forms.push(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)));
                }
            }
        }
        Ok(any_of(forms))
    }

    fn text_query(&self, field: Field, words: &str) -> Result<Box<dyn TantivyQuery>, IndexError> {
        let mut analyzer = self.analyzer(field)?;
        let mut stream = analyzer.token_stream(words);
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push((token.position, Term::from_field_text(field, &token.text)));
        }
        Ok(match terms.len() {
            0 => Box::new(AllQuery),
            1 => Box::new(TermQuery::new(
                terms.remove(0).1,
                IndexRecordOption::WithFreqs,
            )),
            _ => Box::new(PhraseQuery::new_with_offset(terms)),
        })
    }

    fn field_for(&self, field: SearchField, text_field: Field) -> Field {
        let f = &self.fields;
        match field {
            SearchField::Text => text_field,
            SearchField::Name => f.name,
            SearchField::Organization => f.organization,
            SearchField::Type => f.submitter_type,
            SearchField::State => f.state,
            SearchField::Country => f.country,
            SearchField::Status => f.status,
            SearchField::Tag => f.tag,
            SearchField::Campaign => f.campaign,
            SearchField::Late => f.late,
            SearchField::Docket => f.docket,
        }
    }

    fn exact(&self, field: SearchField, value: &str, spec: &SearchSpec) -> Box<dyn TantivyQuery> {
        let f = &self.fields;
        let u64_term = |field, v: u64| -> Box<dyn TantivyQuery> {
            Box::new(TermQuery::new(
                Term::from_field_u64(field, v),
                IndexRecordOption::Basic,
            ))
        };
        match field {
            SearchField::Type => u64_term(f.submitter_type, type_code(value)),
            SearchField::Status => match CommentStatus::parse(value) {
                Some(status) => u64_term(f.status, status_code(status)),
                None => Box::new(EmptyQuery),
            },
            SearchField::Late => u64_term(f.late, u64::from(value == "yes")),
            SearchField::Tag => {
                let ids = spec.tag_ids.get(value).cloned().unwrap_or_default();
                any_of(
                    ids.into_iter()
                        .map(|id| u64_term(f.tag, id as u64))
                        .collect(),
                )
            }
            SearchField::Campaign => match value.parse() {
                Ok(id) => u64_term(f.campaign, id),
                Err(_) => Box::new(EmptyQuery),
            },
            SearchField::Docket => Box::new(TermQuery::new(
                Term::from_field_text(f.docket, &value.to_uppercase()),
                IndexRecordOption::Basic,
            )),
            other => Box::new(TermQuery::new(
                Term::from_field_text(self.field_for(other, f.body), value),
                IndexRecordOption::Basic,
            )),
        }
    }

    /// Turns a parsed query into a tantivy query over `text_field` for the words of the text.
    fn translate(
        &self,
        query: &Query,
        text_field: Field,
        spec: &SearchSpec,
    ) -> Result<Box<dyn TantivyQuery>, IndexError> {
        Ok(match query {
            Query::All => Box::new(AllQuery),
            Query::Term { field, value } if field.is_text() => {
                self.word_query(self.field_for(*field, text_field), value)?
            }
            Query::Phrase { field, text } if field.is_text() => {
                self.text_query(self.field_for(*field, text_field), text)?
            }
            Query::Term { field, value } | Query::Phrase { field, text: value } => {
                self.exact(*field, &normalize_value(value), spec)
            }
            Query::Prefix { field, prefix } => {
                let field = self.field_for(*field, text_field);
                // Folded as the field is: `donné*` finds "données".
                match language::words(&mut language::folded(), prefix).as_slice() {
                    [folded] => Box::new(PhrasePrefixQuery::new(vec![Term::from_field_text(
                        field, folded,
                    )])),
                    _ => Box::new(EmptyQuery),
                }
            }
            Query::And(parts) => {
                let mut clauses = Vec::new();
                for part in parts {
                    clauses.push(match part {
                        Query::Not(inner) => {
                            (Occur::MustNot, self.translate(inner, text_field, spec)?)
                        }
                        other => (Occur::Must, self.translate(other, text_field, spec)?),
                    });
                }
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Query::Or(parts) => {
                let mut alternatives = Vec::new();
                for part in parts {
                    alternatives.push(self.translate(part, text_field, spec)?);
                }
                any_of(alternatives)
            }
            Query::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.translate(inner, text_field, spec)?),
            ])),
        })
    }

    fn filter_clauses(&self, spec: &SearchSpec) -> Vec<(Occur, Box<dyn TantivyQuery>)> {
        let f = &self.fields;
        let filters = &spec.filters;
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let u64_terms = |field: Field, values: Vec<u64>| -> Box<dyn TantivyQuery> {
            any_of(
                values
                    .into_iter()
                    .map(|v| {
                        Box::new(TermQuery::new(
                            Term::from_field_u64(field, v),
                            IndexRecordOption::Basic,
                        )) as Box<dyn TantivyQuery>
                    })
                    .collect(),
            )
        };
        let text_terms = |field: Field, values: &[String]| -> Box<dyn TantivyQuery> {
            any_of(
                values
                    .iter()
                    .map(|v| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, &normalize_value(v)),
                            IndexRecordOption::Basic,
                        )) as Box<dyn TantivyQuery>
                    })
                    .collect(),
            )
        };
        if let Some(docket) = &filters.docket {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.docket, docket),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if spec.scope == Scope::Public {
            clauses.push((
                Occur::Must,
                u64_terms(f.status, vec![status_code(CommentStatus::Posted)]),
            ));
        }
        if !filters.status.is_empty() {
            let codes = filters.status.iter().map(|s| status_code(*s)).collect();
            clauses.push((Occur::Must, u64_terms(f.status, codes)));
        }
        if !filters.submitter_type.is_empty() {
            let codes = filters
                .submitter_type
                .iter()
                .map(|t| type_code(t))
                .collect();
            clauses.push((Occur::Must, u64_terms(f.submitter_type, codes)));
        }
        if !filters.tag.is_empty() {
            let ids = filters.tag.iter().map(|t| *t as u64).collect();
            clauses.push((Occur::Must, u64_terms(f.tag, ids)));
        }
        if !filters.campaign.is_empty() {
            let ids = filters.campaign.iter().map(|t| *t as u64).collect();
            clauses.push((Occur::Must, u64_terms(f.campaign, ids)));
        }
        if !filters.flag.is_empty() {
            let codes = filters.flag.iter().map(|f| flag_code(*f)).collect();
            clauses.push((Occur::Must, u64_terms(f.flag, codes)));
        }
        if !filters.state.is_empty() {
            clauses.push((Occur::Must, text_terms(f.state, &filters.state)));
        }
        if !filters.country.is_empty() {
            clauses.push((Occur::Must, text_terms(f.country, &filters.country)));
        }
        if let Some(late) = filters.late {
            clauses.push((Occur::Must, u64_terms(f.late, vec![u64::from(late)])));
        }
        if let Some((start, end)) = filters.received {
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.received, start)),
                    Bound::Excluded(Term::from_field_i64(f.received, end)),
                )),
            ));
        }
        clauses
    }

    /// The whole search as one tantivy query: the typed query and every filter.
    pub fn build_query(&self, spec: &SearchSpec) -> Result<Box<dyn TantivyQuery>, IndexError> {
        let f = &self.fields;
        let typed: Box<dyn TantivyQuery> = match spec.scope {
            Scope::Staff => self.translate(&spec.query, f.body, spec)?,
            Scope::Public => {
                // Unredacted posted text is the body; redacted comments are matched on what was posted.
                let unredacted = BooleanQuery::new(vec![
                    (Occur::Must, self.translate(&spec.query, f.body, spec)?),
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(
                            Term::from_field_u64(f.redacted, 0),
                            IndexRecordOption::Basic,
                        )),
                    ),
                ]);
                let redacted = BooleanQuery::new(vec![
                    (
                        Occur::Must,
                        self.translate(&spec.query, f.public_text, spec)?,
                    ),
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(
                            Term::from_field_u64(f.redacted, 1),
                            IndexRecordOption::Basic,
                        )),
                    ),
                ]);
                any_of(vec![Box::new(unredacted), Box::new(redacted)])
            }
        };
        let mut clauses = vec![(Occur::Must, typed)];
        clauses.extend(self.filter_clauses(spec));
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Runs a search: the number of matches, the requested page of comment ids, and facet counts.
    pub fn search(&self, spec: &SearchSpec) -> Result<SearchHits, IndexError> {
        let query = self.build_query(spec)?;
        let searcher = self.reader.searcher();
        let limit = spec.limit.max(1);
        let facets_collector = FacetCollector {
            day_zone: spec.day_zone,
        };
        match spec.sort {
            Sort::Relevance => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(spec.offset)
                    .order_by_score();
                let (hits, total, facets) =
                    searcher.search(&query, &(top, Count, facets_collector))?;
                self.finish(&searcher, hits.into_iter().map(|(_, a)| a), total, facets)
            }
            Sort::Newest | Sort::Oldest => {
                let order = if spec.sort == Sort::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let top = TopDocs::with_limit(limit)
                    .and_offset(spec.offset)
                    .order_by_fast_field::<i64>("received", order);
                let (hits, total, facets) =
                    searcher.search(&query, &(top, Count, facets_collector))?;
                self.finish(&searcher, hits.into_iter().map(|(_, a)| a), total, facets)
            }
        }
    }

    fn finish(
        &self,
        searcher: &tantivy::Searcher,
        addresses: impl Iterator<Item = DocAddress>,
        total: usize,
        facets: RawFacets,
    ) -> Result<SearchHits, IndexError> {
        let mut ids = Vec::new();
        for address in addresses {
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("id")?;
            if let Some(id) = column.first(address.doc_id) {
                ids.push(id as i64);
            }
        }
        Ok(SearchHits {
            total,
            ids,
            facets: facets.into_counts(),
        })
    }

    /// Every comment id the search matches, for acting on a whole result set.
    pub fn all_ids(&self, spec: &SearchSpec) -> Result<Vec<i64>, IndexError> {
        let query = self.build_query(spec)?;
        let searcher = self.reader.searcher();
        let mut ids = searcher.search(&query, &IdCollector)?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Highlighted excerpts of each text for the words the search looks for, in any of their
    /// forms: each text is read in its own language, as the index reads it. One snippet
    /// generator per language serves every text of the page.
    pub fn snippets(
        &self,
        spec: &SearchSpec,
        texts: &[String],
    ) -> Result<Vec<Snippet>, IndexError> {
        let mut wanted = Vec::new();
        wanted_words(&spec.query, &mut wanted);
        let mut generators: HashMap<Stemming, SnippetGenerator> = HashMap::new();
        let mut out = Vec::with_capacity(texts.len());
        let lit = |s: &Snippet| s.parts.iter().filter(|(_, on)| *on).count();
        for text in texts {
            // Of the text's stemmings, the one that highlights the most.
            let mut best: Option<Snippet> = None;
            for stemming in TextLanguage::detect(text).stemmings() {
                let generator = generators.entry(*stemming).or_insert_with(|| {
                    let mut analyzer = stemming.analyzer();
                    let stems: BTreeMap<String, Score> = wanted
                        .iter()
                        .flat_map(|word| language::words(&mut analyzer, word))
                        .map(|stem| (stem, 1.0))
                        .collect();
                    SnippetGenerator::new(stems, stemming.analyzer(), self.fields.body, 240)
                });
                let snippet = excerpt(generator, text);
                if best.as_ref().is_none_or(|b| lit(&snippet) > lit(b)) {
                    best = Some(snippet);
                }
            }
            out.extend(best);
        }
        Ok(out)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

fn excerpt(generator: &SnippetGenerator, text: &str) -> Snippet {
    let snippet = generator.snippet(text);
    if snippet.fragment().is_empty() {
        let mut end = text.len().min(240);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return Snippet {
            parts: vec![(text[..end].to_owned(), false)],
            truncated: end < text.len(),
        };
    }
    let fragment = snippet.fragment();
    let mut parts = Vec::new();
    let mut at = 0;
    for range in snippet.highlighted() {
        if range.start > at {
            parts.push((fragment[at..range.start].to_owned(), false));
        }
        parts.push((fragment[range.clone()].to_owned(), true));
        at = range.end;
    }
    if at < fragment.len() {
        parts.push((fragment[at..].to_owned(), false));
    }
    let rest = text.get(snippet.fragment_range().end..).unwrap_or_default();
    Snippet {
        parts,
        truncated: rest.chars().any(char::is_alphanumeric),
    }
}

/// An excerpt as (text, highlighted) parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    pub parts: Vec<(String, bool)>,
    pub truncated: bool,
}

/// The words and phrases of the text a query looks for (not those it leaves out).
fn wanted_words(query: &Query, out: &mut Vec<String>) {
    match query {
        Query::Term { field, value } | Query::Phrase { field, text: value }
            if *field == SearchField::Text =>
        {
            out.push(value.clone());
        }
        Query::And(parts) | Query::Or(parts) => {
            for part in parts {
                wanted_words(part, out);
            }
        }
        _ => {}
    }
}

fn any_of(queries: Vec<Box<dyn TantivyQuery>>) -> Box<dyn TantivyQuery> {
    match queries.len() {
        0 => Box::new(EmptyQuery),
        1 => queries
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(EmptyQuery)),
        _ => Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Should, q)).collect(),
        )),
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    schema_version: u32,
    applied_through: i64,
}

fn read_payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// The commit payload recording how far the index follows the database.
pub fn payload(applied_through: i64) -> String {
    serde_json::to_string(&Payload {
        schema_version: SCHEMA_VERSION,
        applied_through,
    })
    .unwrap_or_default()
}

/// Collects the comment id of every match.
struct IdCollector;

struct SegmentIds {
    column: Column<u64>,
    ids: Vec<i64>,
}

impl Collector for IdCollector {
    type Fruit = Vec<i64>;
    type Child = SegmentIds;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentIds> {
        Ok(SegmentIds {
            column: reader.fast_fields().u64("id")?,
            ids: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<i64>>) -> tantivy::Result<Vec<i64>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentIds {
    type Fruit = Vec<i64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(id) = self.column.first(doc) {
            self.ids.push(id as i64);
        }
    }

    fn harvest(self) -> Vec<i64> {
        self.ids
    }
}

/// Counts matches per facet value, reading the fast fields of each match.
struct FacetCollector {
    day_zone: chrono_tz::Tz,
}

/// The agency-calendar day (days since 0001-01-01) an instant falls on.
fn local_day(ms: i64, zone: chrono_tz::Tz) -> i64 {
    use chrono::{Datelike, TimeZone};
    chrono::Utc
        .timestamp_millis_opt(ms)
        .single()
        .map_or(0, |t| i64::from(t.with_timezone(&zone).num_days_from_ce()))
}

#[derive(Default)]
struct RawFacets {
    status: [u64; 3],
    submitter_type: [u64; 3],
    late: [u64; 2],
    flag: [u64; FlagKind::ALL.len()],
    tag: HashMap<u64, u64>,
    campaign: HashMap<u64, u64>,
    state: HashMap<String, u64>,
    country: HashMap<String, u64>,
    days: BTreeMap<i64, u64>,
}

impl RawFacets {
    fn merge(&mut self, other: RawFacets) {
        for i in 0..3 {
            self.status[i] += other.status[i];
            self.submitter_type[i] += other.submitter_type[i];
        }
        for i in 0..2 {
            self.late[i] += other.late[i];
        }
        for (mine, theirs) in self.flag.iter_mut().zip(other.flag) {
            *mine += theirs;
        }
        for (k, v) in other.tag {
            *self.tag.entry(k).or_default() += v;
        }
        for (k, v) in other.campaign {
            *self.campaign.entry(k).or_default() += v;
        }
        for (k, v) in other.state {
            *self.state.entry(k).or_default() += v;
        }
        for (k, v) in other.country {
            *self.country.entry(k).or_default() += v;
        }
        for (k, v) in other.days {
            *self.days.entry(k).or_default() += v;
        }
    }

    fn into_counts(self) -> FacetCounts {
        fn top<K: Ord + Clone>(map: impl IntoIterator<Item = (K, u64)>) -> Vec<(K, u64)> {
            let mut all: Vec<(K, u64)> = map.into_iter().filter(|(_, n)| *n > 0).collect();
            all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            all.truncate(FACET_VALUES);
            all
        }
        FacetCounts {
            status: STATUSES
                .iter()
                .zip(self.status)
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| (*s, n))
                .collect(),
            submitter_type: SUBMITTER_TYPES
                .iter()
                .zip(self.submitter_type)
                .filter(|(_, n)| *n > 0)
                .map(|(t, n)| ((*t).to_owned(), n))
                .collect(),
            late: [false, true]
                .into_iter()
                .zip(self.late)
                .filter(|(_, n)| *n > 0)
                .collect(),
            tag: top(self.tag.into_iter().map(|(k, v)| (k as i64, v))),
            campaign: top(self.campaign.into_iter().map(|(k, v)| (k as i64, v))),
            flag: FlagKind::ALL
                .into_iter()
                .zip(self.flag)
                .filter(|(_, n)| *n > 0)
                .collect(),
            state: top(self.state.into_iter().filter(|(k, _)| !k.is_empty())),
            country: top(self.country.into_iter().filter(|(k, _)| !k.is_empty())),
            received_days: self.days.into_iter().collect(),
        }
    }
}

struct SegmentFacets {
    status: Column<u64>,
    submitter_type: Column<u64>,
    late: Column<u64>,
    tag: Column<u64>,
    campaign: Column<u64>,
    flag: Column<u64>,
    received: Column<i64>,
    state: Option<StrColumn>,
    country: Option<StrColumn>,
    /// Counts by the segment's dictionary ordinal of each state and country.
    state_ords: Vec<u64>,
    country_ords: Vec<u64>,
    /// Counts per day from `first_day` on.
    first_day: i64,
    day_counts: Vec<u64>,
    day_zone: chrono_tz::Tz,
    counts: RawFacets,
    /// Reused buffers for reading a block of matches at once.
    u64_buffer: Vec<Option<u64>>,
    i64_buffer: Vec<Option<i64>>,
}
impl Collector for FacetCollector {
    type Fruit = RawFacets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let fast = reader.fast_fields();
        let received = fast.i64("received")?;
        let day_of = |ms: i64| local_day(ms, self.day_zone);
        let (first_day, last_day) = (day_of(received.min_value()), day_of(received.max_value()));
        let days = (last_day - first_day + 1).clamp(1, 100_000) as usize;
        let state = fast.str("state")?;
        let country = fast.str("country")?;
        let terms = |c: &Option<StrColumn>| c.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentFacets {
            status: fast.u64("status")?,
            submitter_type: fast.u64("type")?,
            late: fast.u64("late")?,
            tag: fast.u64("tag")?,
            campaign: fast.u64("campaign")?,
            flag: fast.u64("flag")?,
            received,
            state_ords: vec![0; terms(&state)],
            country_ords: vec![0; terms(&country)],
            state,
            country,
            first_day,
            day_counts: vec![0; days],
            day_zone: self.day_zone,
            counts: RawFacets::default(),
            u64_buffer: Vec::new(),
            i64_buffer: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawFacets>) -> tantivy::Result<RawFacets> {
        let mut all = RawFacets::default();
        for fruit in fruits {
            all.merge(fruit);
        }
        Ok(all)
    }
}

impl SegmentFacets {
    fn count_u64(
        column: &Column<u64>,
        docs: &[DocId],
        buffer: &mut Vec<Option<u64>>,
        into: &mut [u64],
    ) {
        buffer.clear();
        buffer.resize(docs.len(), None);
        column.first_vals(docs, buffer);
        let last = into.len() - 1;
        for value in buffer.iter().flatten() {
            into[(*value as usize).min(last)] += 1;
        }
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = RawFacets;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let c = &mut self.counts;
        let buffer = &mut self.u64_buffer;
        Self::count_u64(&self.status, docs, buffer, &mut c.status);
        Self::count_u64(&self.submitter_type, docs, buffer, &mut c.submitter_type);
        Self::count_u64(&self.late, docs, buffer, &mut c.late);
        if let Some(state) = &self.state {
            if !self.state_ords.is_empty() {
                Self::count_u64(state.ords(), docs, buffer, &mut self.state_ords);
            }
        }
        if let Some(country) = &self.country {
            if !self.country_ords.is_empty() {
                Self::count_u64(country.ords(), docs, buffer, &mut self.country_ords);
            }
        }
        self.i64_buffer.clear();
        self.i64_buffer.resize(docs.len(), None);
        self.received.first_vals(docs, &mut self.i64_buffer);
        let last = self.day_counts.len() as i64 - 1;
        for ms in self.i64_buffer.iter().flatten() {
            let day = local_day(*ms, self.day_zone) - self.first_day;
            self.day_counts[day.clamp(0, last) as usize] += 1;
        }
        for doc in docs {
            for tag in self.tag.values_for_doc(*doc) {
                *c.tag.entry(tag).or_default() += 1;
            }
            for campaign in self.campaign.values_for_doc(*doc) {
                *c.campaign.entry(campaign).or_default() += 1;
            }
            for flag in self.flag.values_for_doc(*doc) {
                if let Some(count) = c.flag.get_mut(flag as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(mut self) -> RawFacets {
        let resolve = |column: &Option<StrColumn>, ords: &[u64]| {
            let mut out = HashMap::new();
            if let Some(column) = column {
                for (ord, n) in ords.iter().enumerate().filter(|(_, n)| **n > 0) {
                    let mut value = String::new();
                    if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                        *out.entry(value).or_default() += n;
                    }
                }
            }
            out
        };
        self.counts.state = resolve(&self.state, &self.state_ords);
        self.counts.country = resolve(&self.country, &self.country_ords);
        self.counts.days = self
            .day_counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| {
                (
                    chrono::NaiveDate::from_num_days_from_ce_opt(
                        (self.first_day + i as i64) as i32,
                    )
                    .and_then(|day| day.and_hms_opt(0, 0, 0))
                    .map_or(0, |t| t.and_utc().timestamp_millis()),
                    *n,
                )
            })
            .collect();
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::{parse_public_query, parse_query};

    #[test]
    fn days_are_counted_on_the_agencys_calendar_of_that_day() {
        let new_york = chrono_tz::America::New_York;
        let ms = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let day = |y, m, d| {
            use chrono::Datelike;
            i64::from(
                chrono::NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap()
                    .num_days_from_ce(),
            )
        };
        // 00:30 EDT on March 13 is 23:30 on March 12 at winter's offset.
        assert_eq!(
            local_day(ms("2023-03-13T04:30:00Z"), new_york),
            day(2023, 3, 13)
        );
        // 23:30 EST on January 5.
        assert_eq!(
            local_day(ms("2023-01-06T04:30:00Z"), new_york),
            day(2023, 1, 5)
        );
    }

    fn comment(id: i64, status: CommentStatus, body: &str) -> IndexedComment {
        IndexedComment {
            id,
            docket_id: "FTC-2023-0018".into(),
            window_id: 1,
            status,
            submitter_type: "individual".into(),
            name: "Ada Lovelace".into(),
            organization: String::new(),
            state: "CA".into(),
            country: "United States".into(),
            body: body.into(),
            redacted_body: None,
            late: false,
            received_at_ms: 1_678_800_000_000 + id * 3_600_000,
            tags: Vec::new(),
            campaign: None,
            flags: Vec::new(),
            attachment_text: String::new(),
            public_attachment_text: String::new(),
        }
    }

    #[test]
    fn words_are_found_in_any_of_their_forms_and_phrases_stay_exact() {
        let index = index_of(&[
            comment(
                1,
                CommentStatus::Posted,
                "Refunds were promised but never paid.",
            ),
            comment(
                2,
                CommentStatus::Posted,
                "They hashed our e-mail addresses. Hashing is not anonymising.",
            ),
            comment(
                3,
                CommentStatus::Posted,
                "Les données de santé ont été partagées avec Facebook sans notre accord.",
            ),
            comment(
                4,
                CommentStatus::Pending,
                "Sharing data with advertisers must stop.",
            ),
        ]);
        let ids = |q: &str| {
            index
                .search(&spec(Scope::Staff, parse_query(q).unwrap()))
                .unwrap()
                .ids
        };
        assert_eq!(ids("refund"), vec![1]);
        assert_eq!(ids("REFUNDED"), vec![1]);
        assert_eq!(ids("hash"), vec![2]);
        assert_eq!(ids("donnees"), vec![3]);
        assert_eq!(ids("données"), vec![3]);
        assert_eq!(ids("partager"), vec![3]);
        assert_eq!(ids("sante"), vec![3]);
        assert_eq!(ids("shared"), vec![4]);
        // A phrase is matched as written (case and accents aside), not in other forms.
        assert_eq!(ids("\"sharing data\""), vec![4]);
        assert_eq!(ids("\"shared data\""), Vec::<i64>::new());
        assert_eq!(ids("\"donnees de sante\""), vec![3]);
        assert_eq!(ids("donné*"), vec![3]);
        assert_eq!(ids("e-mail"), vec![2]);
        // The matched forms are highlighted.
        let staff = spec(Scope::Staff, parse_query("refund partager").unwrap());
        let texts = [
            "Refunds were promised but never paid.".to_owned(),
            "Les données ont été partagées.".to_owned(),
        ];
        let snippets = index.snippets(&staff, &texts).unwrap();
        assert!(
            snippets[0].parts.contains(&("Refunds".to_owned(), true)),
            "{:?}",
            snippets[0]
        );
        assert!(
            snippets[1].parts.contains(&("partagées".to_owned(), true)),
            "{:?}",
            snippets[1]
        );
    }

    fn index_of(comments: &[IndexedComment]) -> SearchIndex {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer: tantivy::IndexWriter = index.index().writer(15_000_000).unwrap();
        for c in comments {
            writer.add_document(index.document(c)).unwrap();
        }
        writer.commit().unwrap();
        index.reload().unwrap();
        index
    }

    fn spec(scope: Scope, query: Query) -> SearchSpec {
        SearchSpec {
            scope,
            query,
            tag_ids: HashMap::new(),
            filters: Filters::default(),
            sort: Sort::Oldest,
            offset: 0,
            limit: 10,
            day_zone: chrono_tz::UTC,
        }
    }

    fn corpus() -> Vec<IndexedComment> {
        let mut org = comment(
            2,
            CommentStatus::Pending,
            "We never gave consent to advertising with our health data.",
        );
        org.submitter_type = "organization".into();
        org.organization = "Consumer Reports".into();
        org.state = "NY".into();
        org.tags = vec![7];
        org.campaign = Some(4);
        org.flags = vec![FlagKind::Automation, FlagKind::Burst];
        let mut redacted = comment(
            3,
            CommentStatus::Posted,
            "Call me at 555-0100 about consent and advertising.",
        );
        redacted.redacted_body =
            Some("Call me at [redacted] about consent and advertising.".into());
        vec![
            comment(
                1,
                CommentStatus::Posted,
                "Consent must come before any advertising.",
            ),
            org,
            redacted,
            comment(4, CommentStatus::Withheld, "Spam spam consent advertising"),
            comment(
                5,
                CommentStatus::Posted,
                "Therapy apps should not share e-mail addresses.",
            ),
        ]
    }

    #[test]
    fn words_phrases_prefixes_and_negation() {
        let index = index_of(&corpus());
        let ids = |q: &str| {
            index
                .search(&spec(Scope::Staff, parse_query(q).unwrap()))
                .unwrap()
                .ids
        };
        assert_eq!(ids("consent advertising"), vec![1, 2, 3, 4]);
        assert_eq!(ids("\"health data\""), vec![2]);
        assert_eq!(ids("consen* -spam"), vec![1, 2, 3]);
        assert_eq!(ids("e-mail OR \"health data\""), vec![2, 5]);
        assert_eq!(ids("type:organization"), vec![2]);
        assert_eq!(ids("org:consumer"), vec![2]);
        assert_eq!(ids("state:ny OR status:withheld"), vec![2, 4]);
        assert_eq!(ids("NOT consent"), vec![5]);
        assert_eq!(ids("docket:ftc-2023-0018 555"), vec![3]);
        assert_eq!(ids("campaign:4"), vec![2]);
        assert_eq!(ids("consent -campaign:4"), vec![1, 3, 4]);
    }

    #[test]
    fn facets_count_every_match_and_filters_narrow() {
        let index = index_of(&corpus());
        let mut s = spec(Scope::Staff, parse_query("consent").unwrap());
        s.limit = 1;
        let hits = index.search(&s).unwrap();
        assert_eq!(hits.total, 4);
        assert_eq!(hits.ids.len(), 1);
        assert_eq!(
            hits.facets.status,
            vec![
                (CommentStatus::Pending, 1),
                (CommentStatus::Posted, 2),
                (CommentStatus::Withheld, 1)
            ]
        );
        assert_eq!(hits.facets.tag, vec![(7, 1)]);
        assert_eq!(hits.facets.campaign, vec![(4, 1)]);
        assert_eq!(
            hits.facets.flag,
            vec![(FlagKind::Automation, 1), (FlagKind::Burst, 1)]
        );
        assert_eq!(hits.facets.state, vec![("ca".into(), 3), ("ny".into(), 1)]);
        assert_eq!(
            hits.facets.received_days.iter().map(|d| d.1).sum::<u64>(),
            4
        );
        s.filters.state = vec!["CA".into()];
        s.filters.status = vec![CommentStatus::Posted];
        s.limit = 10;
        assert_eq!(index.search(&s).unwrap().ids, vec![1, 3]);
        s.filters = Filters {
            tag: vec![7],
            ..Filters::default()
        };
        assert_eq!(index.search(&s).unwrap().ids, vec![2]);
        assert_eq!(index.all_ids(&s).unwrap(), vec![2]);
        s.filters = Filters {
            flag: vec![FlagKind::Burst, FlagKind::Honeypot],
            ..Filters::default()
        };
        assert_eq!(index.search(&s).unwrap().ids, vec![2]);
        s.filters = Filters {
            campaign: vec![4],
            ..Filters::default()
        };
        assert_eq!(index.search(&s).unwrap().ids, vec![2]);
    }

    #[test]
    fn the_public_sees_only_posted_text_as_posted() {
        let index = index_of(&corpus());
        let ids = |q: &str| {
            index
                .search(&spec(Scope::Public, parse_public_query(q).unwrap()))
                .unwrap()
                .ids
        };
        assert_eq!(ids("consent"), vec![1, 3]);
        // The redacted phone number is found by staff but not by the public.
        assert_eq!(ids("555"), Vec::<i64>::new());
        assert_eq!(ids("redacted"), vec![3]);
        assert_eq!(ids("\"health data\""), Vec::<i64>::new());
        let public = spec(Scope::Public, parse_public_query("consent").unwrap());
        let texts = [
            "Call me at [redacted] about consent and advertising.".to_owned(),
            "No match in this one.".to_owned(),
        ];
        let mut snippets = index.snippets(&public, &texts).unwrap();
        assert_eq!(
            snippets[1].parts,
            vec![("No match in this one.".to_owned(), false)]
        );
        let snippet = snippets.remove(0);
        assert!(
            snippet.parts.contains(&("consent".to_owned(), true)),
            "{snippet:?}"
        );
    }

    #[test]
    fn sorts_by_received_date_both_ways() {
        let index = index_of(&corpus());
        let mut s = spec(Scope::Staff, Query::All);
        s.sort = Sort::Newest;
        assert_eq!(index.search(&s).unwrap().ids, vec![5, 4, 3, 2, 1]);
        s.offset = 3;
        assert_eq!(index.search(&s).unwrap().ids, vec![2, 1]);
    }
}
