//! The search projection: an on-disk tantivy index with one document per resource, fed from the
//! change log. The last applied `seq` rides in tantivy's commit payload, so it is committed
//! atomically with the documents it covers.
//!
//! A resource's text is indexed by role, so ranking can prefer an exact preferred label over an
//! alternative label over a definition: see [`schema`] for the fields and `analysis.rs` for how
//! each is analyzed. The schema has a version ([`SCHEMA_VERSION`], in a file beside the index);
//! an index of another version is deleted on open, and catch-up rebuilds it from the change log.

mod analysis;
mod query;

use super::text::split_camel_case;
use super::ProjectionError;
use analysis::{EN, FOLD, KEY, NO, TOKENS};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST,
    STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use query::SearchRequest;

/// Version of the index layout; an index written with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 5;
const SCHEMA_VERSION_FILE: &str = "semreg-schema-version";
/// The `visibility` of a document everyone may find.
const PUBLIC: &str = "public";

/// The fields of the index.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    id: Field,
    iri: Field,
    kind: Field,
    publisher: Field,
    origin: Field,
    status: Field,
    /// `public`, or `draft:ORGNR` for a draft (seen only by that publisher).
    visibility: Field,
    langs: Field,
    /// Display label (stored only).
    label: Field,
    /// `lang\tlabel` per preferred label (stored only).
    labels_by_lang: Field,
    /// `lang\ttext` per definition (stored only).
    descriptions: Field,
    /// `code\tlabel` per member (stored only, for highlights).
    members_stored: Field,
    rank: Field,
    pref_exact: Field,
    alt_exact: Field,
    pref_no: Field,
    pref_en: Field,
    pref_fold: Field,
    alt_no: Field,
    alt_en: Field,
    alt_fold: Field,
    hidden_no: Field,
    hidden_fold: Field,
    def_no: Field,
    def_en: Field,
    members_no: Field,
    members_fold: Field,
    codes: Field,
    label_parts: Field,
    label_edge: Field,
    label_full_edge: Field,
    text_no: Field,
    facets: Field,
}

/// The index schema: filters and stored display values, then one indexed field per role of the
/// text and per analysis of it (Norwegian stem, English stem, folded, whole value, word parts,
/// word prefixes).
fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let analyzed = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let mut add = |name: &str, tokenizer: &str| builder.add_text_field(name, analyzed(tokenizer));
    let pref_exact = add("pref_exact", KEY);
    let alt_exact = add("alt_exact", KEY);
    let pref_no = add("pref_no", NO);
    let pref_en = add("pref_en", EN);
    let pref_fold = add("pref_fold", FOLD);
    let alt_no = add("alt_no", NO);
    let alt_en = add("alt_en", EN);
    let alt_fold = add("alt_fold", FOLD);
    let hidden_no = add("hidden_no", NO);
    let hidden_fold = add("hidden_fold", FOLD);
    let def_no = add("def_no", NO);
    let def_en = add("def_en", EN);
    let members_no = add("members_no", NO);
    let members_fold = add("members_fold", FOLD);
    let codes = add("codes", KEY);
    let label_parts = add("label_parts", TOKENS);
    let label_edge = add("label_edge", TOKENS);
    let label_full_edge = add("label_full_edge", TOKENS);
    let text_no = add("text_no", NO);
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        iri: builder.add_text_field("iri", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED | FAST),
        publisher: builder.add_text_field("publisher", STRING | STORED),
        origin: builder.add_text_field("origin", STRING | STORED),
        status: builder.add_text_field("status", STRING | STORED),
        visibility: builder.add_text_field("visibility", STRING),
        langs: builder.add_text_field("langs", STRING | STORED),
        label: builder.add_text_field("label", STORED),
        labels_by_lang: builder.add_text_field("labels_by_lang", STORED),
        descriptions: builder.add_text_field("descriptions", STORED),
        members_stored: builder.add_text_field("members_stored", STORED),
        rank: builder.add_f64_field("rank", FAST),
        pref_exact,
        alt_exact,
        pref_no,
        pref_en,
        pref_fold,
        alt_no,
        alt_en,
        alt_fold,
        hidden_no,
        hidden_fold,
        def_no,
        def_en,
        members_no,
        members_fold,
        codes,
        label_parts,
        label_edge,
        label_full_edge,
        text_no,
        facets: builder.add_facet_field("facets", FacetOptions::default()),
    };
    (builder.build(), fields)
}

/// A text and its language tag ("" for none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LangText {
    /// Lower-case language tag, "" for none.
    pub lang: String,
    /// The text.
    pub text: String,
}

impl LangText {
    /// A text in a language.
    pub fn new(lang: &str, text: &str) -> Self {
        Self {
            lang: lang.to_owned(),
            text: text.to_owned(),
        }
    }
}

/// A member of a resource: a code of a code list, a property of a type, an element of a model.
#[derive(Debug, Clone, Default)]
pub struct Member {
    /// Its code (skos:notation), if any.
    pub code: Option<String>,
    /// Its labels.
    pub labels: Vec<LangText>,
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
    /// The id of the instance that owns the resource ("" if unknown).
    pub origin: String,
    /// Status in the store of record.
    pub status: String,
    /// Status the graph states (adms:status, euvoc:status), if any.
    pub graph_status: Option<String>,
    /// Display label (the store's preferred label).
    pub label: String,
    /// Preferred labels (skos:prefLabel, SKOS-XL prefLabel, dct:title, rdfs:label).
    pub preferred: Vec<LangText>,
    /// Alternative (allowed) labels.
    pub alternative: Vec<LangText>,
    /// Hidden (discouraged) labels.
    pub hidden: Vec<LangText>,
    /// Definitions and descriptions, best first.
    pub definitions: Vec<LangText>,
    /// Codes, notations and identifiers (the resource's and its members').
    pub codes: Vec<String>,
    /// Codes of a list, properties of a type, elements of a model.
    pub members: Vec<Member>,
    /// All other literal text.
    pub text: Vec<String>,
}

impl SearchDoc {
    /// The status that is indexed: the store's, unless the store says valid and the graph
    /// says more (deprecated, draft, ...).
    fn effective_status(&self) -> &str {
        match (&self.graph_status, self.status.as_str()) {
            (Some(graph), "valid") => graph,
            _ => &self.status,
        }
    }
}

/// Ranking factor of a status: deprecated and superseded resources sink below current ones.
fn status_rank(status: &str) -> f64 {
    match status {
        "retired" => 0.3,
        "deprecated" | "superseded" => 0.5,
        "draft" => 0.8,
        _ => 1.0,
    }
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
    /// Preferred label (in the requested language when there is one).
    pub label: String,
    /// Definition or description, if any.
    pub description: Option<String>,
    /// Publisher org number, if any.
    pub publisher: Option<String>,
    /// The id of the instance that owns it (this one's, or the origin of a mirrored copy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Status: draft, valid, deprecated, superseded, retired.
    pub status: String,
    /// Relevance score.
    pub score: f32,
    /// Whether `/api/v1/code-lists/{id}/...` serves it (a code list, scheme or collection).
    #[serde(rename = "usableAsCodeList")]
    pub usable_as_code_list: bool,
    /// Matched words in context, as HTML with `<b>` around them: `label`, `description`,
    /// `members` (codes of a list, properties of a type). Absent from suggestions.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub highlights: BTreeMap<String, String>,
}

/// Search results with facet counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// Number of matching resources.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<SearchHit>,
    /// Counts per facet value: `kind`, `publisher`, `status`, `origin` (instance ids).
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The analyzers used to build documents and queries outside of tantivy's own indexing.
struct Analyzers {
    fold: TextAnalyzer,
    no: TextAnalyzer,
    en: TextAnalyzer,
    key: TextAnalyzer,
}

impl Analyzers {
    fn of(index: &Index) -> Self {
        let get = |name: &str| {
            index
                .tokenizers()
                .get(name)
                .expect("analyzers are registered on open")
        };
        Self {
            fold: get(FOLD),
            no: get(NO),
            en: get(EN),
            key: get(KEY),
        }
    }
}

/// Documents written to the index but not committed (see [`SearchProjection::stage`]).
pub struct Staging<'a> {
    projection: &'a SearchProjection,
    writer: std::sync::MutexGuard<'a, IndexWriter<TantivyDocument>>,
    analyzers: Analyzers,
    done: bool,
}

impl Staging<'_> {
    /// Adds a resource's document; `replaces` first deletes the one the index may have.
    pub fn add(&mut self, doc: &SearchDoc, replaces: bool) -> Result<(), ProjectionError> {
        if replaces {
            self.writer
                .delete_term(Term::from_field_text(self.projection.fields.id, &doc.id));
        }
        let document = self.projection.document(doc, &mut self.analyzers);
        self.writer.add_document(document)?;
        Ok(())
    }

    /// Commits the batch with `up_to` as the index's watermark, and makes it searchable.
    pub fn commit(mut self, up_to: i64) -> Result<(), ProjectionError> {
        self.done = true;
        let committed = (|| -> Result<(), ProjectionError> {
            let mut commit = self.writer.prepare_commit()?;
            commit.set_payload(&up_to.to_string());
            commit.commit()?;
            Ok(())
        })();
        if let Err(error) = committed {
            SearchProjection::restart(&mut self.writer);
            return Err(error);
        }
        let projection = self.projection;
        drop(self);
        projection.reader.reload()?;
        Ok(())
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.done {
            SearchProjection::roll_back(&mut self.writer, "a batch was abandoned uncommitted");
        }
    }
}

/// The tantivy projection.
pub struct SearchProjection {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
    /// The segments there were when a bulk catch-up began (see [`Self::compact`]).
    bulk_base: Mutex<Vec<tantivy::index::SegmentId>>,
}

/// Settings of a new index. Every hit reads its stored fields (labels, descriptions, members
/// for highlights) from the doc store, which decompresses a whole block per document read:
/// small blocks keep that cost near the size of the document instead of 16 KiB.
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: 2048,
        ..Default::default()
    }
}

/// Deletes an index of another schema version so that it is rebuilt from the change log.
fn remove_outdated(dir: &Path) -> Result<(), ProjectionError> {
    let marker = dir.join(SCHEMA_VERSION_FILE);
    let version = std::fs::read_to_string(&marker).ok();
    if version.as_deref().map(str::trim) == Some(SCHEMA_VERSION.to_string().as_str()) {
        return Ok(());
    }
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
        removed += 1;
    }
    if removed > 0 {
        tracing::info!(
            dir = %dir.display(),
            from = version.as_deref().map(str::trim).unwrap_or("1"),
            to = SCHEMA_VERSION,
            "search index has another schema version: rebuilding it from the change log"
        );
    }
    Ok(())
}

impl SearchProjection {
    /// Opens (or creates) the index in `dir`; an index of another schema version is replaced
    /// by an empty one (watermark 0), which catch-up fills.
    pub fn open(dir: &Path) -> Result<Self, ProjectionError> {
        std::fs::create_dir_all(dir)?;
        remove_outdated(dir)?;
        let (schema, fields) = schema();
        let open = |schema: Schema| -> Result<Index, ProjectionError> {
            let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| {
                ProjectionError::Open {
                    what: "search index",
                    path: dir.display().to_string(),
                    message: e.to_string(),
                }
            })?;
            Ok(Index::builder()
                .schema(schema)
                .settings(index_settings())
                .open_or_create(directory)?)
        };
        let index = match open(schema.clone()) {
            Ok(index) => index,
            Err(ProjectionError::Search(tantivy::TantivyError::SchemaError(message))) => {
                // Same version number, other fields: start over rather than refuse to start.
                tracing::warn!(%message, "search index schema differs: rebuilding it");
                std::fs::remove_file(dir.join(SCHEMA_VERSION_FILE)).ok();
                remove_outdated(dir)?;
                open(schema)?
            }
            Err(e) => return Err(e),
        };
        std::fs::write(dir.join(SCHEMA_VERSION_FILE), format!("{SCHEMA_VERSION}\n"))?;
        analysis::register(&index);
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
            bulk_base: Mutex::new(Vec::new()),
        })
    }

    fn lock_writer(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, IndexWriter<TantivyDocument>>, ProjectionError> {
        self.writer
            .lock()
            .map_err(|_| ProjectionError::Content("search writer lock poisoned".into()))
    }

    /// The last change-log seq committed to the index (0 for a new index).
    pub fn watermark(&self) -> Result<i64, ProjectionError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Replaces the documents of the given resources and commits with `up_to` as watermark.
    pub fn apply(&self, docs: &[SearchDoc], up_to: i64) -> Result<(), ProjectionError> {
        let mut staging = self.stage()?;
        for d in docs {
            staging.add(d, true)?;
        }
        staging.commit(up_to)
    }

    /// Starts a batch of documents that nobody sees until [`Staging::commit`]; dropped
    /// uncommitted, it leaves the index as it was. It holds the index's writer meanwhile.
    pub fn stage(&self) -> Result<Staging<'_>, ProjectionError> {
        Ok(Staging {
            projection: self,
            writer: self.lock_writer()?,
            analyzers: Analyzers::of(&self.index),
            done: false,
        })
    }

    /// After a failed write (a full disk) tantivy's writer is dead for good: its worker
    /// threads have ended and every later commit fails. Rolling back gives a new writer at the
    /// last commit, so the next catch-up writes again (found by tests/disk_full.rs, where the
    /// disk filled between the store's commit and the index's and search never caught up).
    fn restart(writer: &mut IndexWriter<TantivyDocument>) {
        Self::roll_back(writer, "a write failed");
    }

    /// Rolls the writer back to its last commit (see [`Self::restart`]), saying why.
    fn roll_back(writer: &mut IndexWriter<TantivyDocument>, why: &str) {
        match writer.rollback() {
            Ok(opstamp) => tracing::warn!(
                opstamp,
                why,
                "search index: the writer went back to the last commit"
            ),
            Err(error) => tracing::error!(%error, "search index: the writer cannot restart"),
        }
    }

    fn document(&self, d: &SearchDoc, analyzers: &mut Analyzers) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        let status = d.effective_status();
        doc.add_text(f.id, &d.id);
        doc.add_text(f.iri, &d.iri);
        doc.add_text(f.kind, &d.kind);
        doc.add_text(f.publisher, &d.publisher);
        doc.add_text(f.origin, &d.origin);
        if !d.origin.is_empty() {
            doc.add_facet(f.facets, Facet::from_path(["origin", d.origin.as_str()]));
        }
        doc.add_text(f.status, status);
        // Only semreg's own status hides: a graph's draft-like status terms are content.
        if d.status == crate::registry::DRAFT {
            doc.add_text(f.visibility, format!("draft:{}", d.publisher));
        } else {
            doc.add_text(f.visibility, PUBLIC);
        }
        doc.add_text(f.label, &d.label);
        doc.add_f64(f.rank, status_rank(status));
        doc.add_facet(f.facets, Facet::from_path(["kind", d.kind.as_str()]));
        doc.add_facet(f.facets, Facet::from_path(["status", status]));
        doc.add_facet(
            f.facets,
            Facet::from_path([
                "publisher",
                if d.publisher.is_empty() {
                    "none"
                } else {
                    d.publisher.as_str()
                },
            ]),
        );
        let mut langs = std::collections::BTreeSet::new();
        for t in d
            .preferred
            .iter()
            .chain(&d.alternative)
            .chain(&d.definitions)
        {
            if !t.lang.is_empty() {
                let primary = t.lang.split('-').next().unwrap_or_default().to_owned();
                if primary == "no" {
                    langs.insert("nb".to_owned());
                }
                langs.insert(primary);
            }
        }
        for lang in &langs {
            doc.add_text(f.langs, lang);
        }
        // Route each text to the stemmer of its language; text without a tag gets both.
        let routed = |doc: &mut TantivyDocument, t: &LangText, no: Field, en: Field| match t
            .lang
            .split('-')
            .next()
            .unwrap_or_default()
        {
            "en" => doc.add_text(en, &t.text),
            "" => {
                doc.add_text(no, &t.text);
                doc.add_text(en, &t.text);
            }
            _ => doc.add_text(no, &t.text),
        };
        let mut edges = String::new();
        let mut parts = String::new();
        let mut full_edges = String::new();
        for t in &d.preferred {
            doc.add_text(f.labels_by_lang, format!("{}\t{}", t.lang, t.text));
            doc.add_text(f.pref_exact, &t.text);
            routed(&mut doc, t, f.pref_no, f.pref_en);
            doc.add_text(f.pref_fold, &t.text);
            if let Some(split) = split_camel_case(&t.text) {
                doc.add_text(f.pref_fold, &split);
                doc.add_text(f.pref_no, &split);
                doc.add_text(f.pref_en, &split);
            }
            let words = analysis::tokens(&mut analyzers.fold, &t.text);
            analysis::push_prefixes_up_to(
                &words.join("_"),
                2 * analysis::MAX_EDGE,
                &mut full_edges,
            );
        }
        for t in &d.alternative {
            doc.add_text(f.alt_exact, &t.text);
            routed(&mut doc, t, f.alt_no, f.alt_en);
            doc.add_text(f.alt_fold, &t.text);
        }
        for t in d.preferred.iter().chain(&d.alternative) {
            let split = split_camel_case(&t.text);
            let text = split.as_deref().unwrap_or(&t.text);
            for word in analysis::tokens(&mut analyzers.fold, text) {
                analysis::push_prefixes(&word, &mut edges);
                analysis::push_suffixes(&word, &mut parts);
            }
        }
        doc.add_text(f.label_edge, &edges);
        doc.add_text(f.label_parts, &parts);
        doc.add_text(f.label_full_edge, &full_edges);
        for t in &d.hidden {
            doc.add_text(f.hidden_no, &t.text);
            doc.add_text(f.hidden_fold, &t.text);
        }
        for t in &d.definitions {
            doc.add_text(f.descriptions, format!("{}\t{}", t.lang, t.text));
            routed(&mut doc, t, f.def_no, f.def_en);
        }
        for code in &d.codes {
            doc.add_text(f.codes, code);
        }
        for m in &d.members {
            for t in &m.labels {
                doc.add_text(f.members_no, &t.text);
                doc.add_text(f.members_fold, &t.text);
            }
            let label = m
                .labels
                .first()
                .map(|t| t.text.as_str())
                .unwrap_or_default();
            doc.add_text(
                f.members_stored,
                format!("{}\t{}", m.code.as_deref().unwrap_or_default(), label),
            );
        }
        for text in &d.text {
            doc.add_text(f.text_no, text);
        }
        doc
    }

    /// Deletes every document (for a rebuild) and resets the watermark.
    pub fn clear(&self) -> Result<(), ProjectionError> {
        let mut writer = self.lock_writer()?;
        let cleared = (|| -> Result<(), ProjectionError> {
            writer.delete_all_documents()?;
            let mut commit = writer.prepare_commit()?;
            commit.set_payload("0");
            commit.commit()?;
            Ok(())
        })();
        if let Err(error) = cleared {
            Self::restart(&mut writer);
            return Err(error);
        }
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges the segments a bulk catch-up wrote (every segment after a rebuild) into one,
    /// keeping the watermark. Each step of a catch-up commits a segment, and each query word
    /// looks its terms up in every segment; one segment answers with one lookup per term.
    /// Segments that existed before the bulk catch-up are left to the merge policy, so a large
    /// import into a large index costs a merge of the import, not of the index. While a merge
    /// of the writer's own is still running on some of them, tries again a little later (for at
    /// most a minute); returns whether it merged.
    pub fn compact(&self) -> Result<bool, ProjectionError> {
        let before: Vec<tantivy::index::SegmentId> = self
            .bulk_base
            .lock()
            .map(|mut base| std::mem::take(&mut *base))
            .unwrap_or_default();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let segments: Vec<tantivy::index::SegmentId> = self
                .index
                .searchable_segment_ids()?
                .into_iter()
                .filter(|id| !before.contains(id))
                .collect();
            if segments.len() <= 1 {
                return Ok(false);
            }
            let result = self.lock_writer()?.merge(&segments).wait();
            match result {
                Ok(_) => {
                    self.reader.reload()?;
                    return Ok(true);
                }
                Err(error) if std::time::Instant::now() < deadline => {
                    tracing::debug!(%error, "search index: a merge is running; merging later");
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Err(error) => {
                    tracing::warn!(%error, "search index: segments not merged");
                    return Ok(false);
                }
            }
        }
    }

    /// During a bulk catch-up (a rebuild, a large import) the writer's merge policy is off:
    /// it would merge the step segments again and again while they arrive, and [`Self::compact`]
    /// merges them once at the end. Off a bulk catch-up, tantivy's default policy keeps the
    /// segment count of small commits low.
    pub fn set_bulk(&self, bulk: bool) -> Result<(), ProjectionError> {
        let writer = self.lock_writer()?;
        if bulk {
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            if let Ok(mut base) = self.bulk_base.lock() {
                *base = self.index.searchable_segment_ids()?;
            }
        } else {
            writer.set_merge_policy(Box::new(tantivy::indexer::LogMergePolicy::default()));
        }
        Ok(())
    }

    /// Number of segments a query visits.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Number of documents.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

#[cfg(test)]
mod tests;
