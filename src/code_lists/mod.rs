//! Code lists at runtime: an in-memory projection of every code list, fed by the change log,
//! that answers running services without touching the database or oxigraph. Rendered answers
//! (JSON, CSV, Altinn formats) are memoized with their strong ETags, so a repeated request is a
//! map lookup and a copy of pre-built bytes.

pub mod changes;
pub mod concept_lists;
pub mod correspondence;
pub mod index;
pub mod model;
pub mod query;
pub mod render;

use crate::store::{self, resource, version, StoreError};
use arc_swap::{ArcSwap, ArcSwapOption};
use axum::body::Bytes;
use model::CodeList;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// The kind name of code lists.
pub const KIND: &str = "code-list";
/// The kind name of correspondences between code lists.
pub const CORRESPONDENCE_KIND: &str = "correspondence";

use correspondence::Correspondence;

/// The kinds the code-list runtime serves as code lists: lists with their own codes (code
/// lists, concept schemes) and collections of concepts.
pub const USABLE_AS_CODE_LIST: [&str; 2] = [KIND, concept_lists::COLLECTION_KIND];

/// Whether resources of a kind are served as code lists.
pub fn usable_as_code_list(kind: &str) -> bool {
    USABLE_AS_CODE_LIST.contains(&kind)
}

/// One version of a list, parsed.
#[derive(Debug)]
pub struct CachedList {
    /// Resource id.
    pub id: String,
    /// Readable alias.
    pub alias: Option<String>,
    /// Owning publisher.
    pub publisher: Option<String>,
    /// The list's version: the resource's version number for a list of its own codes; for a
    /// list made of concepts the seq of the newest change it reflects (see
    /// [`concept_lists`], "The version of a list made of concepts").
    pub version: i32,
    /// The version number of the list resource itself (its RDF), which for a list made of
    /// concepts may be older than the list's `version`.
    pub resource_version: i32,
    /// Whether this is the current version.
    pub latest: bool,
    /// When the list was retired (Unix seconds), if it is: still served, marked retired.
    pub retired_at: Option<i64>,
    /// SHA-256 of the version's canonical N-Triples.
    pub content_hash: String,
    /// The codes.
    pub list: CodeList,
    /// The resource's status (draft, valid, deprecated, superseded, retired).
    pub status: String,
    /// When this version was stored (for the current version: when the resource last changed).
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Codes by code text and the hierarchy as positions, built when first asked for.
    index: std::sync::OnceLock<index::ListIndex>,
    /// Renderings of this version, per kind of answer, keyed by the raw query string (looked
    /// up without allocating on the hot path).
    memo: [RwLock<HashMap<String, Arc<Rendered>>>; MemoKind::COUNT],
    /// The rendering of the plain request (no query string), per kind of answer: the one
    /// running services ask for most, read without taking a lock.
    plain: [ArcSwapOption<Rendered>; MemoKind::COUNT],
}

/// The kinds of answer memoized per list version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoKind {
    /// Codes as JSON.
    CodesJson = 0,
    /// Codes as CSV.
    CodesCsv = 1,
    /// The list as Turtle.
    CodesTurtle = 2,
    /// The list as JSON-LD.
    CodesJsonLd = 3,
    /// Altinn's app option list.
    AltinnOptions = 4,
    /// A FHIR `ValueSet/$expand` of the list's implicit value set.
    FhirExpand = 5,
    /// A FHIR `$validate-code` answer about the list.
    FhirValidate = 6,
}

impl MemoKind {
    const COUNT: usize = 7;
}

impl CachedList {
    /// Codes by code text and the hierarchy, built on first use and kept with the version.
    pub fn index(&self) -> &index::ListIndex {
        self.index.get_or_init(|| index::ListIndex::of(&self.list))
    }

    /// A code of this version by its code text.
    pub fn code(&self, code: &str) -> Option<&model::Code> {
        self.index().position(code).map(|at| &self.list.codes[at])
    }
}

fn empty_memo() -> [RwLock<HashMap<String, Arc<Rendered>>>; MemoKind::COUNT] {
    std::array::from_fn(|_| RwLock::new(HashMap::new()))
}

fn empty_plain() -> [ArcSwapOption<Rendered>; MemoKind::COUNT] {
    std::array::from_fn(|_| ArcSwapOption::empty())
}

/// `look` applied to a list version's memoized rendering for a request, if there is one: the
/// plain request's from its lock-free slot, others from the map by raw query string.
fn with_memo<R>(
    list: &CachedList,
    kind: MemoKind,
    raw: &str,
    look: impl FnOnce(&Arc<Rendered>) -> R,
) -> Option<R> {
    if raw.is_empty() {
        return list.plain[kind as usize].load().as_ref().map(look);
    }
    list.memo[kind as usize].read().ok()?.get(raw).map(look)
}

/// A rendered answer with its strong ETag.
#[derive(Debug)]
pub struct Rendered {
    /// The bytes sent.
    pub body: Bytes,
    /// The quoted strong ETag.
    pub etag: String,
    /// The same, ready to send.
    pub etag_header: axum::http::HeaderValue,
    /// The media type.
    pub media_type: &'static str,
    gzip: std::sync::OnceLock<Encoded>,
    br: std::sync::OnceLock<Encoded>,
}

/// A content coding a client may accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// No compression.
    Identity,
    /// gzip
    Gzip,
    /// Brotli
    Br,
}

impl Encoding {
    /// The best coding an `Accept-Encoding` header allows: br, then gzip, then none.
    pub fn negotiate(accept_encoding: Option<&str>) -> Encoding {
        let Some(header) = accept_encoding else {
            return Encoding::Identity;
        };
        let accepts = |name: &str| {
            header.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim();
                let q_zero = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                coding.eq_ignore_ascii_case(name) && !q_zero
            })
        };
        if accepts("br") {
            Encoding::Br
        } else if accepts("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

/// A compressed form of a rendering, with its own strong ETag (a content coding makes another
/// representation).
#[derive(Debug)]
pub struct Encoded {
    /// The compressed bytes.
    pub body: Bytes,
    /// The quoted strong ETag.
    pub etag: String,
    /// The same, ready to send.
    pub etag_header: axum::http::HeaderValue,
}

impl Rendered {
    /// Wraps bytes with an ETag computed from them.
    pub fn new(body: Vec<u8>, media_type: &'static str) -> Self {
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", hex::encode(&digest[..16]));
        let etag_header = axum::http::HeaderValue::from_str(&etag)
            .unwrap_or_else(|_| axum::http::HeaderValue::from_static("\"\""));
        Self {
            body: Bytes::from(body),
            etag_header,
            etag,
            media_type,
            gzip: std::sync::OnceLock::new(),
            br: std::sync::OnceLock::new(),
        }
    }

    /// The rendering in a coding, compressed once and then kept.
    pub fn encoded(&self, encoding: Encoding) -> Option<&Encoded> {
        use std::io::Write;
        let (cell, suffix) = match encoding {
            Encoding::Identity => return None,
            Encoding::Gzip => (&self.gzip, "gz"),
            Encoding::Br => (&self.br, "br"),
        };
        Some(cell.get_or_init(|| {
            let body = match encoding {
                Encoding::Gzip => {
                    let mut encoder =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    let _ = encoder.write_all(&self.body);
                    encoder.finish().unwrap_or_default()
                }
                _ => {
                    let mut out = Vec::new();
                    {
                        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                        let _ = writer.write_all(&self.body);
                    }
                    out
                }
            };
            let etag = format!("{}-{suffix}\"", self.etag.trim_end_matches('"'));
            let etag_header = axum::http::HeaderValue::from_str(&etag)
                .unwrap_or_else(|_| axum::http::HeaderValue::from_static("\"\""));
            Encoded {
                body: Bytes::from(body),
                etag,
                etag_header,
            }
        }))
    }
}

/// How many bytes of rendered answers are kept before the memo starts afresh: about 500 lists
/// of 500 codes, or 900 of Klass' municipality list, in JSON. Rendering a list again costs well
/// under a millisecond; the memory counts against a small instance's budget (bench/codelists.sh:
/// 1,000 lists of 500 codes within 300 MiB resident).
const MEMO_BYTES: usize = 32 * 1024 * 1024;
/// How many old (pinned) versions are kept parsed.
const PINNED_LISTS: usize = 256;

/// The in-memory code-list projection.
#[derive(Default)]
pub struct CodeListCache {
    /// Current versions by id and by alias. Swapped whole when lists change (rarely), so the
    /// hot path reads it without a lock: on 2 cores, shared lock words and reference counts
    /// bouncing between the cores were a measurable part of a 304.
    latest: ArcSwap<HashMap<String, Arc<CachedList>>>,
    /// The same lists by IRI (FHIR names a list by its IRI), and by the IRI form-urlencoded as
    /// a query string carries it (no `:` there, so the two kinds of key never collide): the
    /// hot FHIR path finds a list without decoding the query. Swapped with `latest`.
    by_iri: ArcSwap<HashMap<String, Arc<CachedList>>>,
    /// Drafts (semreg status `draft`), by id and alias: kept apart so that no public lookup
    /// (the fast lane, the memo, FHIR, Altinn, the pages) can find one; only
    /// [`Self::get_draft`] does, for its publisher. Swapped with `latest`.
    drafts: ArcSwap<HashMap<String, Arc<CachedList>>>,
    correspondences: RwLock<HashMap<String, Arc<Correspondence>>>,
    pinned: Mutex<HashMap<(String, i32), Arc<CachedList>>>,
    memo: RwLock<HashMap<String, Arc<Rendered>>>,
    memo_bytes: AtomicUsize,
    seq: AtomicI64,
    catch_up_lock: tokio::sync::Mutex<()>,
    /// Concepts and the lists made of them.
    concepts: Mutex<concept_lists::ConceptLists>,
}

impl CodeListCache {
    /// The current version of a list, by id or alias.
    pub fn get(&self, id_or_alias: &str) -> Option<Arc<CachedList>> {
        self.latest.load().get(id_or_alias).cloned()
    }

    /// The current version of a draft list, by id or alias, for its publisher only.
    pub fn get_draft(
        &self,
        id_or_alias: &str,
        viewer: Option<&crate::ids::OrgNr>,
    ) -> Option<Arc<CachedList>> {
        let viewer = viewer?;
        self.drafts
            .load()
            .get(id_or_alias)
            .filter(|l| l.publisher.as_deref() == Some(viewer.as_str()))
            .cloned()
    }

    /// The current version of a list, by IRI.
    pub fn get_by_iri(&self, iri: &str) -> Option<Arc<CachedList>> {
        self.by_iri
            .load()
            .get(iri)
            .filter(|l| l.list.iri == iri)
            .cloned()
    }

    /// The current version of a list, by its IRI as a query string carries it
    /// (form-urlencoded, as `form_urlencoded` writes it).
    pub fn get_by_encoded_iri(&self, encoded: &str) -> Option<Arc<CachedList>> {
        self.by_iri
            .load()
            .get(encoded)
            .filter(|l| l.list.iri != encoded)
            .cloned()
    }

    /// The hot path: `answer` applied to the current version of a list and its memoized
    /// rendering for this request, if there is one, without cloning or locking anything shared
    /// (for a plain request).
    pub fn with_latest_memo<R>(
        &self,
        id_or_alias: &str,
        kind: MemoKind,
        raw: &str,
        answer: impl FnOnce(&CachedList, &Rendered) -> R,
    ) -> Option<R> {
        let latest = self.latest.load();
        let list = latest.get(id_or_alias)?;
        with_memo(list, kind, raw, |rendered| answer(list, rendered))
    }

    /// Every current list once (not again under its alias), by IRI.
    pub fn lists(&self) -> Vec<Arc<CachedList>> {
        let mut lists: Vec<Arc<CachedList>> = self
            .latest
            .load()
            .iter()
            .filter(|(key, list)| **key == list.id)
            .map(|(_, list)| list.clone())
            .collect();
        lists.sort_by(|a, b| a.list.iri.cmp(&b.list.iri));
        lists
    }

    /// Every correspondence, by IRI.
    pub fn correspondences(&self) -> Vec<Arc<Correspondence>> {
        let mut all: Vec<Arc<Correspondence>> = self
            .correspondences
            .read()
            .map(|all| all.values().cloned().collect())
            .unwrap_or_default();
        all.sort_by(|a, b| a.iri.cmp(&b.iri));
        all
    }

    /// A correspondence by resource id.
    pub fn correspondence(&self, id: &str) -> Option<Arc<Correspondence>> {
        self.correspondences.read().ok()?.get(id).cloned()
    }

    /// The correspondences whose source or target is the list with this IRI.
    pub fn correspondences_of(&self, list_iri: &str) -> Vec<Arc<Correspondence>> {
        self.correspondences
            .read()
            .map(|all| {
                let mut found: Vec<Arc<Correspondence>> = all
                    .values()
                    .filter(|c| c.source_list == list_iri || c.target_list == list_iri)
                    .cloned()
                    .collect();
                found.sort_by(|a, b| a.iri.cmp(&b.iri));
                found
            })
            .unwrap_or_default()
    }

    /// A memoized rendering of a list version.
    pub fn list_memo(&self, list: &CachedList, kind: MemoKind, raw: &str) -> Option<Arc<Rendered>> {
        with_memo(list, kind, raw, Arc::clone)
    }

    /// Remembers a rendering of a list version (bounded with the other renderings).
    pub fn remember_for_list(
        &self,
        list: &CachedList,
        kind: MemoKind,
        raw: &str,
        rendered: Rendered,
    ) -> Arc<Rendered> {
        let rendered = Arc::new(rendered);
        let size = rendered.body.len() + raw.len();
        if self.memo_bytes.fetch_add(size, Ordering::Relaxed) + size > MEMO_BYTES {
            self.forget_renderings();
            self.memo_bytes.store(size, Ordering::Relaxed);
        }
        if raw.is_empty() {
            list.plain[kind as usize].store(Some(rendered.clone()));
        } else if let Ok(mut memo) = list.memo[kind as usize].write() {
            memo.insert(raw.to_owned(), rendered.clone());
        }
        rendered
    }

    /// Drops every memoized rendering (they are rebuilt on demand).
    fn forget_renderings(&self) {
        let clear = |list: &CachedList| {
            for memo in &list.memo {
                if let Ok(mut m) = memo.write() {
                    m.clear();
                }
            }
            for plain in &list.plain {
                plain.store(None);
            }
        };
        self.latest.load().values().for_each(|l| clear(l));
        if let Ok(pinned) = self.pinned.lock() {
            pinned.values().for_each(|l| clear(l));
        }
        if let Ok(mut memo) = self.memo.write() {
            memo.clear();
        }
    }

    /// A memoized rendering.
    pub fn memo(&self, key: &str) -> Option<Arc<Rendered>> {
        self.memo.read().ok()?.get(key).cloned()
    }

    /// Remembers a rendering (the memo is bounded: when full it starts afresh).
    pub fn remember(&self, key: String, rendered: Rendered) -> Arc<Rendered> {
        let rendered = Arc::new(rendered);
        if let Ok(mut memo) = self.memo.write() {
            let size = rendered.body.len() + key.len();
            if self.memo_bytes.fetch_add(size, Ordering::Relaxed) + size > MEMO_BYTES {
                memo.clear();
                self.memo_bytes.store(size, Ordering::Relaxed);
            }
            memo.insert(key, rendered.clone());
        }
        rendered
    }

    /// A given version of a list: the current one from memory, an older one from the store
    /// (parsed once, then kept).
    pub async fn version(
        &self,
        db: &impl ConnectionTrait,
        latest: &Arc<CachedList>,
        number: i32,
    ) -> Result<Option<Arc<CachedList>>, StoreError> {
        if number == latest.version {
            return Ok(Some(latest.clone()));
        }
        let key = (latest.id.clone(), number);
        if let Some(found) = self.pinned.lock().ok().and_then(|p| p.get(&key).cloned()) {
            return Ok(Some(found));
        }
        let parsed = if latest.list.made_of_concepts {
            if number > latest.version {
                return Ok(None);
            }
            let current = self.latest.load();
            match concept_lists::as_of(db, &self.concepts, &current, latest, i64::from(number))
                .await?
            {
                Some(list) => Arc::new(list),
                None => return Ok(None),
            }
        } else {
            let Some(row) = store::get_version(db, &latest.id, number).await? else {
                return Ok(None);
            };
            Arc::new(CachedList {
                id: latest.id.clone(),
                alias: latest.alias.clone(),
                publisher: latest.publisher.clone(),
                version: number,
                resource_version: number,
                latest: false,
                retired_at: latest.retired_at,
                content_hash: row.content_hash,
                list: CodeList::from_ntriples(&latest.list.iri, &row.ntriples),
                status: latest.status.clone(),
                updated_at: row.created_at,
                index: Default::default(),
                memo: empty_memo(),
                plain: empty_plain(),
            })
        };
        if let Ok(mut pinned) = self.pinned.lock() {
            if pinned.len() >= PINNED_LISTS {
                pinned.clear();
            }
            pinned.insert(key, parsed.clone());
        }
        Ok(Some(parsed))
    }

    /// Number of lists held.
    pub fn len(&self) -> usize {
        self.latest
            .load()
            .values()
            .filter(|c| c.id.len() == 36)
            .count()
    }

    /// Whether no list is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Brings the cache up to date with the change log up to `last` (the newest seq, which the
    /// caller has read): (re)loads every code list, collection and concept changed since the
    /// last call (all of them the first time), and composes each list made of concepts that a
    /// change touched once. Returns how many lists were loaded or composed.
    pub async fn catch_up(
        &self,
        db: &impl ConnectionTrait,
        last: i64,
    ) -> Result<usize, StoreError> {
        let _guard = self.catch_up_lock.lock().await;
        let since = self.seq.load(Ordering::Acquire);
        if last <= since {
            return Ok(0);
        }
        let changed = changed_since(db, since, last).await?;
        let ids: Vec<String> = changed.keys().cloned().collect();
        let rows = store::resources_by_ids(db, &ids).await?;
        let seq_of = |id: &str| changed.get(id).copied().unwrap_or(0);
        let (lists, rest): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| r.kind == KIND || r.kind == CORRESPONDENCE_KIND);
        let (collections, concepts): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|r| r.kind == concept_lists::COLLECTION_KIND);
        let mut touched = std::collections::BTreeSet::new();
        // A few lists at a time: a code list's graph can be megabytes of N-Triples, and only
        // the parsed codes need to stay.
        let mut parsed: Vec<Arc<CachedList>> = Vec::with_capacity(lists.len());
        let mut sources = Vec::new();
        for chunk in lists.chunks(16) {
            let loaded = with_versions(db, chunk.to_vec()).await?;
            let (correspondences, lists): (Vec<_>, Vec<_>) = loaded
                .into_iter()
                .partition(|(row, _)| row.kind == CORRESPONDENCE_KIND);
            if let Ok(mut all) = self.correspondences.write() {
                for (row, v) in &correspondences {
                    if let Some(mut c) =
                        Correspondence::from_ntriples(&row.id, &row.iri, &v.ntriples)
                    {
                        c.version = row.current_version;
                        c.status = row.status.clone();
                        c.updated_at = Some(row.updated_at);
                        all.insert(c.id.clone(), Arc::new(c));
                    }
                }
            }
            let seqs: Vec<i64> = lists.iter().map(|(row, _)| seq_of(&row.id)).collect();
            let chunk_parsed = blocking(move || {
                lists
                    .into_iter()
                    .zip(seqs)
                    .map(|((row, v), seq)| {
                        // Only a scheme that names members or sets a code property needs its
                        // graph read again for them.
                        let mut source = if v.ntriples.contains("#hasTopConcept>")
                            || v.ntriples.contains("#conceptCode>")
                        {
                            concept_lists::ListSource::read(
                                &row,
                                seq,
                                v.version,
                                &v.content_hash,
                                &v.ntriples,
                            )
                        } else {
                            concept_lists::ListSource::read(
                                &row,
                                seq,
                                v.version,
                                &v.content_hash,
                                "",
                            )
                        };
                        let list = Arc::new(CachedList {
                            list: CodeList::from_ntriples(&row.iri, &v.ntriples),
                            id: row.id,
                            alias: row.alias,
                            publisher: row.publisher,
                            version: row.current_version,
                            resource_version: row.current_version,
                            latest: true,
                            retired_at: row.retired_at.map(|t| t.timestamp()),
                            content_hash: row.content_hash,
                            status: row.status,
                            updated_at: row.updated_at,
                            index: Default::default(),
                            memo: empty_memo(),
                            plain: empty_plain(),
                        });
                        source.own = Some(list.clone());
                        (list, source)
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
            for (list, source) in chunk_parsed {
                parsed.push(list);
                sources.push(source);
            }
        }
        for chunk in collections.chunks(256) {
            let loaded = with_versions(db, chunk.to_vec()).await?;
            let seqs: Vec<i64> = loaded.iter().map(|(row, _)| seq_of(&row.id)).collect();
            sources.extend(
                blocking(move || {
                    loaded
                        .iter()
                        .zip(seqs)
                        .map(|((row, v), seq)| {
                            concept_lists::ListSource::read(
                                row,
                                seq,
                                v.version,
                                &v.content_hash,
                                &v.ntriples,
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .await?,
            );
        }
        let mut held = Vec::with_capacity(concepts.len());
        for chunk in concepts.chunks(1000) {
            let loaded = with_versions(db, chunk.to_vec()).await?;
            let seqs: Vec<i64> = loaded.iter().map(|(row, _)| seq_of(&row.id)).collect();
            held.extend(
                blocking(move || {
                    loaded
                        .iter()
                        .zip(seqs)
                        .map(|((row, v), seq)| {
                            (
                                row.iri.clone(),
                                concept_lists::HeldConcept::from_ntriples(
                                    &row.id,
                                    &row.iri,
                                    seq,
                                    &row.status,
                                    &v.ntriples,
                                ),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .await?,
            );
        }
        // One writer (the catch-up lock is held): copy, change, swap. Drafts join the public
        // lists while they change (a draft may have been published since) and part again below.
        let mut latest = HashMap::clone(&self.latest.load());
        latest.extend(
            self.drafts
                .load()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let mut count = parsed.len();
        for list in parsed {
            insert_list(&mut latest, list);
        }
        let had_concepts = !held.is_empty() || !sources.is_empty();
        if had_concepts {
            // The index is taken out while the blocking pool works on it; a failure leaves it
            // empty and the next catch-up starts from scratch.
            let mut index = self
                .concepts
                .lock()
                .map(|mut i| std::mem::take(&mut *i))
                .unwrap_or_default();
            let snapshot = Arc::new(latest);
            let shared = snapshot.clone();
            let started = std::time::Instant::now();
            let failed = || self.seq.store(0, Ordering::Release);
            let (index, composed) = blocking(move || {
                for source in sources {
                    index.put_list(source, &mut touched);
                }
                for (iri, concept) in held {
                    index.put_concept(&iri, concept, &mut touched);
                }
                let composed = index.compose(&touched, &shared);
                (index, composed)
            })
            .await
            .inspect_err(|_| failed())?;
            latest = Arc::try_unwrap(snapshot).unwrap_or_else(|arc| HashMap::clone(&arc));
            if let Ok(mut slot) = self.concepts.lock() {
                *slot = index;
            }
            count += composed.lists.len();
            if !composed.lists.is_empty() {
                tracing::debug!(
                    lists = composed.lists.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "lists made of concepts composed"
                );
            }
            for list in composed.lists.into_iter().chain(composed.plain_again) {
                insert_list(&mut latest, list);
            }
        }
        if count > 0 {
            let (drafts, public): (HashMap<_, _>, HashMap<_, _>) = latest
                .into_iter()
                .partition(|(_, list)| list.status == crate::registry::DRAFT);
            let latest = public;
            self.drafts.store(Arc::new(drafts));
            let by_iri = latest
                .iter()
                .filter(|(key, list)| **key == list.id)
                .flat_map(|(_, list)| {
                    let encoded: String =
                        form_urlencoded::byte_serialize(list.list.iri.as_bytes()).collect();
                    [
                        (list.list.iri.clone(), list.clone()),
                        (encoded, list.clone()),
                    ]
                })
                .collect();
            self.latest.store(Arc::new(latest));
            self.by_iri.store(Arc::new(by_iri));
            // Renderings of "latest" carry the version in their key, so old ones are simply
            // never asked for again; drop them to free the memory.
            if let Ok(mut memo) = self.memo.write() {
                memo.clear();
                self.memo_bytes.store(0, Ordering::Relaxed);
            }
        }
        self.seq.store(last, Ordering::Release);
        Ok(count)
    }
}

/// The kinds the code-list projection follows.
const FOLLOWED_KINDS: [&str; 4] = [
    KIND,
    CORRESPONDENCE_KIND,
    concept_lists::COLLECTION_KIND,
    concept_lists::CONCEPT_KIND,
];

/// The resources of the followed kinds changed after `since` (every one when `since` is 0),
/// each with the seq of its newest change up to `last`.
async fn changed_since(
    db: &impl ConnectionTrait,
    since: i64,
    last: i64,
) -> Result<HashMap<String, i64>, StoreError> {
    if since == 0 {
        let mut seqs = store::members::latest_seqs_of_kinds(db, &FOLLOWED_KINDS).await?;
        // A resource whose change rows were written under another kind keeps its seq 0.
        for row in resource::Entity::find()
            .filter(resource::Column::Kind.is_in(FOLLOWED_KINDS))
            .all(db)
            .await?
        {
            seqs.entry(row.id).or_insert(0);
        }
        seqs.retain(|_, seq| *seq <= last);
        return Ok(seqs);
    }
    let mut changed = HashMap::new();
    let mut from = since;
    loop {
        let changes = store::changes_since(db, from, 1000).await?;
        let Some(end) = changes.last().map(|c| c.seq) else {
            break;
        };
        for c in changes {
            if c.seq <= last && FOLLOWED_KINDS.contains(&c.kind.as_str()) {
                let seq = changed.entry(c.resource_id).or_insert(c.seq);
                *seq = (*seq).max(c.seq);
            }
        }
        if end >= last {
            break;
        }
        from = end;
    }
    Ok(changed)
}

/// Resource rows with their current versions (rows whose version is missing are left out).
async fn with_versions(
    db: &impl ConnectionTrait,
    rows: Vec<resource::Model>,
) -> Result<Vec<(resource::Model, version::Model)>, StoreError> {
    let pairs: Vec<(String, i32)> = rows
        .iter()
        .map(|r| (r.id.clone(), r.current_version))
        .collect();
    let mut versions: HashMap<String, version::Model> = store::members::versions(db, &pairs)
        .await?
        .into_iter()
        .map(|v| (v.resource_id.clone(), v))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let v = versions.remove(&r.id)?;
            Some((r, v))
        })
        .collect())
}

/// Runs CPU work on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))
}

/// Makes a list current by id and by alias.
fn insert_list(latest: &mut HashMap<String, Arc<CachedList>>, list: Arc<CachedList>) {
    if let Some(alias) = &list.alias {
        latest.insert(alias.clone(), list.clone());
    }
    latest.insert(list.id.clone(), list);
}
