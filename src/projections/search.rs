//! The search projection: an on-disk tantivy index with one document per resource, fed from the
//! change log. The last applied `seq` rides in tantivy's commit payload, so it is committed
//! atomically with the documents it covers.

use super::ProjectionError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    Facet, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED,
    STRING,
};
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

const NORWEGIAN: &str = "semreg_no";

/// The fields of the index.
#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    iri: Field,
    kind: Field,
    publisher: Field,
    status: Field,
    label: Field,
    labels: Field,
    label_words: Field,
    description: Field,
    text: Field,
    facets: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let stemmed = |stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(NORWEGIAN)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let plain = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        iri: builder.add_text_field("iri", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED | FAST),
        publisher: builder.add_text_field("publisher", STRING | STORED),
        status: builder.add_text_field("status", STRING | STORED),
        label: builder.add_text_field("label", stemmed(true)),
        labels: builder.add_text_field("labels", stemmed(false)),
        label_words: builder.add_text_field("label_words", plain),
        description: builder.add_text_field("description", stemmed(true)),
        text: builder.add_text_field("text", stemmed(false)),
        facets: builder.add_facet_field("facets", tantivy::schema::FacetOptions::default()),
    };
    (builder.build(), fields)
}

/// A document's content, derived from a resource's graph and row.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    /// Resource id.
    pub id: String,
    /// Resource IRI.
    pub iri: String,
    /// Resource kind.
    pub kind: String,
    /// Publisher org number ("" if none).
    pub publisher: String,
    /// Status.
    pub status: String,
    /// Preferred label.
    pub label: String,
    /// Every label in every language.
    pub labels: Vec<String>,
    /// Definitions and descriptions.
    pub description: String,
    /// All other literal text.
    pub text: Vec<String>,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// Resource id.
    pub id: String,
    /// Resource IRI.
    pub iri: String,
    /// Resource kind.
    pub kind: String,
    /// Preferred label.
    pub label: String,
    /// Definition or description, if any.
    pub description: Option<String>,
    /// Publisher org number, if any.
    pub publisher: Option<String>,
    /// Relevance score.
    pub score: f32,
}

/// A search request, parsed.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The user's words.
    pub q: String,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this publisher.
    pub publisher: Option<String>,
    /// Only this status (retired ones are left out unless asked for).
    pub status: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Page start.
    pub offset: usize,
}

/// Search results with facet counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// Number of matching resources.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<SearchHit>,
    /// Counts per facet value: `kind`, `publisher`, `status`.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The tantivy projection.
pub struct SearchProjection {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
}

impl SearchProjection {
    /// Opens (or creates) the index in `dir`.
    pub fn open(dir: &Path) -> Result<Self, ProjectionError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| ProjectionError::Open {
                what: "search index",
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
        let index = Index::open_or_create(directory, schema)?;
        index.tokenizers().register(
            NORWEGIAN,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(Language::Norwegian))
                .build(),
        );
        let writer = index.writer_with_num_threads(1, 64 * 1024 * 1024)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// The last change-log seq committed to the index (0 for a new index).
    pub fn watermark(&self) -> Result<i64, ProjectionError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Replaces the documents of the given resources and commits with `up_to` as watermark.
    pub fn apply(&self, docs: &[SearchDoc], up_to: i64) -> Result<(), ProjectionError> {
        let f = self.fields;
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| ProjectionError::Content("search writer lock poisoned".into()))?;
        for d in docs {
            writer.delete_term(Term::from_field_text(f.id, &d.id));
            let mut document = doc!(
                f.id => d.id.as_str(),
                f.iri => d.iri.as_str(),
                f.kind => d.kind.as_str(),
                f.publisher => d.publisher.as_str(),
                f.status => d.status.as_str(),
                f.label => d.label.as_str(),
                f.label_words => d.label.as_str(),
                f.description => d.description.as_str(),
                f.facets => Facet::from_path(["kind", d.kind.as_str()]),
                f.facets => Facet::from_path(["status", d.status.as_str()]),
                f.facets => Facet::from_path(["publisher", if d.publisher.is_empty() { "none" } else { d.publisher.as_str() }]),
            );
            for label in &d.labels {
                document.add_text(f.labels, label);
                document.add_text(f.label_words, label);
            }
            for text in &d.text {
                document.add_text(f.text, text);
            }
            writer.add_document(document)?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&up_to.to_string());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Deletes every document (for a rebuild) and resets the watermark.
    pub fn clear(&self) -> Result<(), ProjectionError> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| ProjectionError::Content("search writer lock poisoned".into()))?;
        writer.delete_all_documents()?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload("0");
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Number of documents.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn filters(&self, request: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses = Vec::new();
        if let Some(kind) = &request.kind {
            clauses.push((Occur::Must, term(f.kind, kind)));
        }
        if let Some(publisher) = &request.publisher {
            clauses.push((Occur::Must, term(f.publisher, publisher)));
        }
        match &request.status {
            Some(status) => clauses.push((Occur::Must, term(f.status, status))),
            None => clauses.push((Occur::MustNot, term(f.status, "retired"))),
        }
        clauses
    }

    /// Full-text search with filters, paging and facet counts.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, ProjectionError> {
        let f = self.fields;
        let mut parser =
            QueryParser::for_index(&self.index, vec![f.label, f.labels, f.description, f.text]);
        parser.set_field_boost(f.label, 4.0);
        parser.set_field_boost(f.labels, 2.0);
        parser.set_field_boost(f.description, 1.0);
        parser.set_field_boost(f.text, 0.5);
        parser.set_conjunction_by_default();
        let mut clauses = self.filters(request);
        let q = request.q.trim();
        if !q.is_empty() {
            let (query, _errors) = parser.parse_query_lenient(q);
            clauses.push((Occur::Must, query));
        } else {
            clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        let query = BooleanQuery::new(clauses);
        self.run(&query, request)
    }

    /// Type-ahead: resources whose label words start with the typed words.
    pub fn suggest(&self, q: &str, limit: usize) -> Result<Vec<SearchHit>, ProjectionError> {
        let f = self.fields;
        let words: Vec<String> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| -> (Occur, Box<dyn Query>) {
                (
                    Occur::Must,
                    Box::new(FuzzyTermQuery::new_prefix(
                        Term::from_field_text(f.label_words, w),
                        0,
                        true,
                    )),
                )
            })
            .collect();
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(f.status, "retired"),
                IndexRecordOption::Basic,
            )),
        ));
        let request = SearchRequest {
            limit,
            ..Default::default()
        };
        Ok(self.run(&BooleanQuery::new(clauses), &request)?.hits)
    }

    fn run(
        &self,
        query: &dyn Query,
        request: &SearchRequest,
    ) -> Result<SearchResults, ProjectionError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut facet_collector = FacetCollector::for_field("facets");
        for facet in ["/kind", "/publisher", "/status"] {
            facet_collector.add_facet(facet);
        }
        let top = TopDocs::with_limit(request.limit.max(1))
            .and_offset(request.offset)
            .order_by_score();
        let (top, total, facet_counts) = searcher.search(query, &(top, Count, facet_collector))?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(request.limit) {
            let document: TantivyDocument = searcher.doc(address)?;
            let get = |field| {
                document
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let description = get(f.description);
            let publisher = get(f.publisher);
            hits.push(SearchHit {
                id: get(f.id),
                iri: get(f.iri),
                kind: get(f.kind),
                label: get(f.label),
                description: (!description.is_empty()).then_some(description),
                publisher: (!publisher.is_empty()).then_some(publisher),
                score,
            });
        }
        let mut facets = BTreeMap::new();
        for name in ["kind", "publisher", "status"] {
            let counts: BTreeMap<String, u64> = facet_counts
                .get(&format!("/{name}"))
                .map(|(facet, count)| {
                    let value = facet
                        .to_path()
                        .last()
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    (value, count)
                })
                .collect();
            facets.insert(name.to_owned(), counts);
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }
}
