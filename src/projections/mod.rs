//! Projections of the store of record: the oxigraph store (SPARQL, RDF) and the tantivy index
//! (search). Each remembers the last change-log `seq` it applied, catches up at start, after
//! each write and on a short poll (so writes by other processes show up within a second), and
//! can be rebuilt from scratch. Applying a version is idempotent, so replaying is always safe.

mod feed;
pub mod graph;
pub mod search;
mod text;

pub use feed::{Feed, FEED_MIN};

use crate::store::{self, resource, StoreError};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub use graph::GraphProjection;
pub use search::{SearchHit, SearchProjection, SearchRequest, SearchResults};

/// Errors of the projections.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// A projection could not be opened (often: another semreg process holds it).
    #[error("cannot open the {what} at {path}: {message} (is another semreg process using this data dir?)")]
    Open {
        /// Which projection.
        what: &'static str,
        /// Where.
        path: String,
        /// The cause.
        message: String,
    },
    /// oxigraph failed.
    #[error("RDF store error: {0}")]
    Graph(#[from] oxigraph::store::StorageError),
    /// tantivy failed.
    #[error("search index error: {0}")]
    Search(#[from] tantivy::TantivyError),
    /// Stored content could not be read back.
    #[error("stored content is invalid: {0}")]
    Content(String),
    /// The store of record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file system error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A projection task failed.
    #[error("projection task failed: {0}")]
    Task(String),
}

impl From<sea_orm::DbErr> for ProjectionError {
    fn from(value: sea_orm::DbErr) -> Self {
        ProjectionError::Store(StoreError::Db(value))
    }
}

/// One change to apply: the resource's state as of that change.
#[derive(Debug, Clone)]
pub struct AppliedChange {
    /// The change's seq.
    pub seq: i64,
    /// Resource IRI (also its graph name).
    pub iri: String,
    /// The version's canonical N-Triples.
    pub ntriples: String,
}

/// Both projections, and the lock that lets one catch-up run at a time.
pub struct Projections {
    /// The RDF store.
    pub graph: GraphProjection,
    /// The search index.
    pub search: SearchProjection,
    catch_up_lock: Arc<tokio::sync::Mutex<()>>,
    graph_seq: AtomicI64,
    search_seq: AtomicI64,
    /// Writes whose feed committed in both projections (see [`Feed`]).
    fed_writes: std::sync::atomic::AtomicU64,
}

/// How many changes one catch-up step reads and applies in one projection transaction.
/// Each step commits both projections once (an oxigraph bulk load and a tantivy commit cost
/// tens of milliseconds whatever their size), so steps are large.
const BATCH: u64 = 10_000;
/// How many triples one catch-up step applies at most (unless one change alone is larger):
/// bounds the memory a step holds (its N-Triples text and parsed quads).
const BATCH_TRIPLES: i64 = 400_000;
/// A catch-up that finds at least this many changes waiting is a bulk catch-up: the search
/// index's merge policy is off while it runs, and it ends by merging the segments it wrote.
const BULK_CHANGES: usize = 1_000;

/// Hands the C heap's free memory back to the operating system. RocksDB (under oxigraph) is
/// C++ and allocates with the C library's malloc, not with our allocator; a bulk load leaves
/// tens of MiB free but held in glibc's arenas (measured: 1,000 code lists of 500 codes, first
/// start 268 MiB resident with the RDF store rebuilt, 188 MiB without).
fn release_native_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the C heap to the kernel; it takes no
    // pointers and is thread-safe in glibc.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Projections {
    /// Opens both projections under `data_dir` (`oxigraph/` and `search/`).
    pub fn open(data_dir: &Path) -> Result<Self, ProjectionError> {
        let graph = GraphProjection::open(&data_dir.join("oxigraph"))?;
        let search = SearchProjection::open(&data_dir.join("search"))?;
        let graph_seq = AtomicI64::new(graph.watermark()?);
        let search_seq = AtomicI64::new(search.watermark()?);
        Ok(Self {
            graph,
            search,
            catch_up_lock: Arc::new(tokio::sync::Mutex::new(())),
            graph_seq,
            search_seq,
            fed_writes: Default::default(),
        })
    }

    /// How many writes fed both projections as they were written ([`Feed`]), since start.
    pub fn fed_writes(&self) -> u64 {
        self.fed_writes.load(Ordering::Acquire)
    }

    /// The last seq applied by the RDF store and by the search index.
    pub fn watermarks(&self) -> (i64, i64) {
        (
            self.graph_seq.load(Ordering::Acquire),
            self.search_seq.load(Ordering::Acquire),
        )
    }

    /// Applies every committed change not yet applied; returns the number of changes applied.
    pub async fn catch_up(
        self: &Arc<Self>,
        db: &impl ConnectionTrait,
    ) -> Result<usize, ProjectionError> {
        let _guard = self.catch_up_lock.lock().await;
        self.catch_up_locked(db).await
    }

    /// [`Self::catch_up`], with the catch-up lock held by the caller.
    async fn catch_up_locked(
        self: &Arc<Self>,
        db: &impl ConnectionTrait,
    ) -> Result<usize, ProjectionError> {
        // Up to the newest change committed now, not further: while other writers keep
        // committing, an unbounded loop never returned, and a write that waits for its own
        // catch-up (an HTTP import) was never answered (found by tests/crash.rs).
        let target = store::last_seq(db).await?;
        let mut applied = 0;
        let mut bulk = false;
        loop {
            let started = std::time::Instant::now();
            let (graph_seq, search_seq) = self.watermarks();
            let from = graph_seq.min(search_seq);
            let changes = if from >= target {
                Vec::new()
            } else {
                store::changes_with_sizes_since(db, from, BATCH).await?
            };
            if changes.is_empty() {
                if bulk {
                    self.compact_search().await?;
                    self.search.set_bulk(false)?;
                    release_native_memory();
                }
                return Ok(applied);
            }
            if applied == 0 {
                // Also resets the policy a failed bulk catch-up may have left off.
                bulk = changes.len() >= BULK_CHANGES;
                self.search.set_bulk(bulk)?;
            }
            // Keep a batch's content bounded (a code list can be megabytes): cut it where the
            // versions it applies pass BATCH_TRIPLES, but never below one change.
            let mut total = 0i64;
            let cut = changes
                .iter()
                .position(|change| {
                    total += i64::from(change.triple_count.unwrap_or(0));
                    total > BATCH_TRIPLES
                })
                .map_or(changes.len(), |i| i.max(1));
            let changes = &changes[..cut];
            let Some(last) = changes.last().map(|c| c.seq) else {
                return Ok(applied);
            };
            // The latest change per resource in this batch is enough: older ones are replaced.
            let mut latest: HashMap<&str, &store::ChangeSize> = HashMap::new();
            for change in changes {
                latest.insert(change.resource_id.as_str(), change);
            }
            let versions = store::versions_of_changes(db, from, last).await?;
            let ids: Vec<String> = latest.keys().map(|id| (*id).to_owned()).collect();
            let rows: HashMap<String, resource::Model> = store::resources_by_ids(db, &ids)
                .await?
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect();
            let mut graph_changes = Vec::new();
            let mut docs = Vec::new();
            for (seq, v) in versions {
                let Some(change) = latest.get(v.resource_id.as_str()) else {
                    continue;
                };
                if change.seq != seq {
                    continue; // an older change of a resource changed again in this batch
                }
                if change.seq > graph_seq {
                    // The resource's graph also says who owns it (PROV-O; see ontologies/).
                    let mut ntriples = v.ntriples.clone();
                    if let Some(row) = rows.get(&v.resource_id) {
                        ntriples.push_str(&graph::provenance_ntriples(row));
                    }
                    graph_changes.push(AppliedChange {
                        seq: change.seq,
                        iri: change.iri.clone(),
                        ntriples,
                    });
                }
                if change.seq > search_seq {
                    if let Some(row) = rows.get(&v.resource_id) {
                        docs.push((row.clone(), v.ntriples));
                    }
                }
            }
            let read_ms = started.elapsed().as_millis() as u64;
            let this = Arc::clone(self);
            let (graph_ms, search_ms) =
                tokio::task::spawn_blocking(move || -> Result<(u64, u64), ProjectionError> {
                    // The two projections are independent (each keeps its own watermark), so a
                    // step applies them side by side: the RDF store on a scoped thread, the
                    // search index here.
                    std::thread::scope(|scope| {
                        let graph = scope.spawn(|| -> Result<u64, ProjectionError> {
                            let started = std::time::Instant::now();
                            if last > graph_seq {
                                this.graph.apply(&graph_changes, last)?;
                                this.graph_seq.store(last, Ordering::Release);
                            }
                            Ok(started.elapsed().as_millis() as u64)
                        });
                        let started = std::time::Instant::now();
                        let searched = if last > search_seq {
                            let docs: Vec<search::SearchDoc> = docs
                                .iter()
                                .map(|(row, ntriples)| text::search_doc(row, ntriples))
                                .collect();
                            this.search.apply(&docs, last).map(|()| {
                                this.search_seq.store(last, Ordering::Release);
                            })
                        } else {
                            Ok(())
                        };
                        let search_ms = started.elapsed().as_millis() as u64;
                        let graph_ms = graph.join().map_err(|_| {
                            ProjectionError::Task("the RDF projection thread panicked".to_owned())
                        })??;
                        searched?;
                        Ok((graph_ms, search_ms))
                    })
                })
                .await
                .map_err(|e| ProjectionError::Task(e.to_string()))??;
            applied += cut;
            tracing::debug!(
                changes = cut,
                seq = last,
                read_ms,
                graph_ms,
                search_ms,
                "projections caught up a batch"
            );
        }
    }

    /// Merges the segments a bulk catch-up (a rebuild, a big import) wrote into one: queries
    /// then look each term up once there instead of once per segment.
    async fn compact_search(self: &Arc<Self>) -> Result<(), ProjectionError> {
        let this = Arc::clone(self);
        let started = std::time::Instant::now();
        let merged = tokio::task::spawn_blocking(move || this.search.compact())
            .await
            .map_err(|e| ProjectionError::Task(e.to_string()))??;
        if merged {
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "search index: the segments of the catch-up merged into one"
            );
        }
        Ok(())
    }

    /// Runs one of semreg's own SPARQL SELECTs on the RDF store, off the async runtime: the
    /// default graph is the union of the resources' graphs (as on `/sparql`), and the evaluator
    /// is [`crate::rdf::sparql_evaluator`]'s. An ASK or CONSTRUCT query gives no solutions.
    pub async fn select(
        self: &Arc<Self>,
        query: String,
    ) -> Result<Vec<oxigraph::sparql::QuerySolution>, String> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            use oxigraph::sparql::QueryResults;
            let mut prepared = crate::rdf::sparql_evaluator()
                .parse_query(&query)
                .map_err(|e| e.to_string())?;
            prepared.dataset_mut().set_default_graph_as_union();
            let results = prepared
                .on_store(this.graph.store())
                .execute()
                .map_err(|e| e.to_string())?;
            let QueryResults::Solutions(solutions) = results else {
                return Ok(Vec::new());
            };
            solutions
                .map(|solution| solution.map_err(|e| e.to_string()))
                .collect()
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Empties both projections so the next catch-up rebuilds them from the change log.
    pub async fn clear(self: &Arc<Self>) -> Result<(), ProjectionError> {
        let _guard = self.catch_up_lock.lock().await;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || -> Result<(), ProjectionError> {
            this.graph.clear()?;
            this.search.clear()?;
            this.graph_seq.store(0, Ordering::Release);
            this.search_seq.store(0, Ordering::Release);
            Ok(())
        })
        .await
        .map_err(|e| ProjectionError::Task(e.to_string()))?
    }
}
