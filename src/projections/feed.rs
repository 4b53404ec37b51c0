//! Feeding the projections from a write while it is written, instead of reading every version
//! back from the store of record after the commit.
//!
//! A large write (an import of thousands of resources) hands each resource's row and content to
//! a [`Feed`] as it builds its transaction. A worker thread turns them into the RDF store's
//! quads and the search index's documents at once, side by side with the SQL: the quads go to
//! oxigraph's bulk loader, which writes them into files of its own, and the documents into the
//! search index's writer; neither is visible to anyone yet. Only when the transaction has
//! committed does [`Feed::commit`] make both visible, with the write's last `seq` as their
//! watermark. A write that fails, or a feed that is dropped, leaves both projections as they
//! were (the loader's files are removed, the index writer rolls back). A crash between the
//! commit and the projections costs what it always did: the catch-up at the next start
//! replays the change log.
//!
//! The feed holds the projections' catch-up lock from its start to its end, so no catch-up
//! moves a watermark past changes the feed has not applied, and none commits the index writer
//! with the feed's documents in it.

use super::{graph, text, ProjectionError, Projections};
use crate::store::resource;
use oxigraph::model::{NamedNode, Quad};
use sea_orm::ConnectionTrait;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc};

/// Writes of at least this many resources feed the projections as they are written; smaller
/// ones leave them to the catch-up after the commit, which reads a few versions back in
/// milliseconds.
pub const FEED_MIN: usize = 1_000;
/// How many quads the bulk loader takes in one batch: each batch is turned into files while
/// the next one arrives, so the loading keeps pace with the write instead of starting after it.
const LOAD_BATCH_QUADS: usize = 100_000;
/// How much content (KiB of N-Triples) may wait for the worker: the write goes on while the
/// worker catches up, and waits beyond that, so memory stays bounded whatever the size of the
/// write (about 60,000 concepts; one larger resource goes alone).
const QUEUE_KIB: u32 = 64 * 1024;

enum Message {
    /// A resource as the write leaves it: its row, the content of its current version, and
    /// whether the projections may hold an older state of it.
    Resource {
        row: Box<resource::Model>,
        ntriples: String,
        replaces: bool,
        /// The share of the queue's budget it holds (KiB).
        kib: u32,
    },
    /// The write committed, up to this seq.
    Commit(i64),
}

type Done = tokio::sync::oneshot::Receiver<Result<(), ProjectionError>>;

/// The projections' side of one write (see the module's documentation).
pub struct Feed {
    projections: Arc<Projections>,
    /// The catch-up lock, until the worker starts (it holds it from then on).
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// The seq up to which the projections are applied: the write must come right after it.
    from: i64,
    tx: Option<tokio::sync::mpsc::UnboundedSender<Message>>,
    done: Option<Done>,
    started: bool,
    /// What may still be queued (KiB).
    budget: Arc<tokio::sync::Semaphore>,
}

impl Projections {
    /// Starts feeding a write: takes the catch-up lock and brings both projections up to the
    /// newest committed change first.
    pub async fn begin_feed(
        self: &Arc<Self>,
        db: &impl ConnectionTrait,
    ) -> Result<Feed, ProjectionError> {
        let guard = Arc::clone(&self.catch_up_lock).lock_owned().await;
        self.catch_up_locked(db).await?;
        let (graph, search) = self.watermarks();
        Ok(Feed {
            projections: Arc::clone(self),
            guard: Some(guard),
            from: graph.min(search),
            tx: None,
            done: None,
            started: false,
            budget: Arc::new(tokio::sync::Semaphore::new(QUEUE_KIB as usize)),
        })
    }
}

impl Feed {
    /// Makes sure the projections stand at `before`, the last seq committed before the write:
    /// what other writers committed since the feed began is caught up from the change log
    /// first. Call it inside the write's transaction, once the write lock is held (so `before`
    /// cannot move) and before the first [`Feed::stage`]. Returns whether the feed can go on.
    pub async fn align(
        &mut self,
        db: &impl ConnectionTrait,
        before: i64,
    ) -> Result<bool, ProjectionError> {
        if self.from == before {
            return Ok(true);
        }
        if self.started || self.from > before {
            // Staging began already, or the projections are ahead of the log (a restored
            // store): the catch-up after the commit sorts it out.
            return Ok(false);
        }
        self.projections.catch_up_locked(db).await?;
        let (graph, search) = self.projections.watermarks();
        self.from = graph.min(search);
        Ok(self.from == before && graph == search)
    }

    /// Hands one resource of the write to the projections: its row as the write leaves it and
    /// the content of its current version. `replaces` says the projections may hold an older
    /// state of it (any resource the write did not create).
    pub async fn stage(&mut self, row: resource::Model, ntriples: String, replaces: bool) {
        if !self.started {
            self.started = true;
            self.start();
        }
        if let Some(tx) = &self.tx {
            let kib = u32::try_from(ntriples.len() / 1024 + 1)
                .unwrap_or(QUEUE_KIB)
                .min(QUEUE_KIB);
            // Waits while the worker has enough queued; fails only once it stopped (the send
            // below then fails too).
            if let Ok(permits) = self.budget.acquire_many(kib).await {
                permits.forget();
            }
            let message = Message::Resource {
                row: Box::new(row),
                ntriples,
                replaces,
                kib,
            };
            if tx.send(message).is_err() {
                // The worker stopped on an error; it reports it at the commit.
                self.tx = None;
            }
        }
    }

    fn start(&mut self) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let projections = Arc::clone(&self.projections);
        let budget = Arc::clone(&self.budget);
        let guard = self.guard.take();
        let spawned = std::thread::Builder::new()
            .name("semreg-feed".to_owned())
            .spawn(move || {
                let result = work(&projections, rx, &budget);
                // A worker that stopped early takes nothing more: the write must not wait.
                budget.close();
                drop(guard);
                let _ = done_tx.send(result);
            });
        match spawned {
            Ok(_) => {
                self.tx = Some(tx);
                self.done = Some(done_rx);
            }
            Err(error) => tracing::warn!(%error, "cannot start the projections' feed thread"),
        }
    }

    /// After the write committed (its last change being `last`): makes what was staged
    /// visible in both projections, and waits for it. On an error the catch-up applies the
    /// write from the change log instead.
    pub async fn commit(mut self, last: i64) -> Result<(), ProjectionError> {
        let (Some(tx), Some(done)) = (self.tx.take(), self.done.take()) else {
            return Err(ProjectionError::Task(
                "the projections' feed stopped before the commit".to_owned(),
            ));
        };
        // A send fails only if the worker stopped on an error: it is in `done`.
        let _ = tx.send(Message::Commit(last));
        drop(tx);
        done.await
            .map_err(|_| ProjectionError::Task("the projections' feed thread ended".to_owned()))?
    }
}

/// What the worker thread does: stage every resource it is sent, then commit both projections
/// if the write committed, or leave them as they were if it did not.
fn work(
    projections: &Projections,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Message>,
    budget: &tokio::sync::Semaphore,
) -> Result<(), ProjectionError> {
    let started = std::time::Instant::now();
    let mut staging = projections.search.stage()?;
    let (quads_tx, quads_rx) = mpsc::sync_channel::<Vec<Quad>>(1024);
    let (verdict_tx, verdict_rx) = mpsc::channel::<(i64, Vec<NamedNode>)>();
    std::thread::scope(|scope| {
        let graph = std::thread::Builder::new()
            .name("semreg-feed-rdf".to_owned())
            .spawn_scoped(scope, move || -> Result<bool, ProjectionError> {
                let store = projections.graph.store();
                let mut loader = store
                    .bulk_loader()
                    .with_num_threads(1)
                    .with_max_memory_size_in_megabytes(LOAD_BATCH_QUADS / 1000);
                loader.load_quads(quads_rx.into_iter().flatten())?;
                let Ok((last, replaced)) = verdict_rx.recv() else {
                    // Abandoned: dropping the loader removes its files.
                    return Ok(false);
                };
                projections.graph.clear_graphs(&replaced)?;
                let older = projections.graph.watermarks_below(last);
                loader.commit()?;
                projections.graph_seq.store(last, Ordering::Release);
                projections.graph.remove(&older)?;
                Ok(true)
            })
            .map_err(ProjectionError::Io)?;
        let mut replaced = Vec::new();
        let mut verdict = None;
        let mut resources = 0usize;
        let staged = (|| -> Result<(), ProjectionError> {
            while let Some(message) = rx.blocking_recv() {
                match message {
                    Message::Resource {
                        row,
                        ntriples,
                        replaces,
                        kib,
                    } => {
                        budget.add_permits(kib as usize);
                        // The document is built from the version's own triples; the graph also
                        // says who owns the resource (as the catch-up writes it).
                        let mut quads = graph::quads_of(&row.iri, &ntriples)?;
                        staging.add(&text::search_doc_of_quads(&row, &quads), replaces)?;
                        let provenance = graph::provenance_ntriples(&row);
                        if !provenance.is_empty() {
                            quads.extend(graph::quads_of(&row.iri, &provenance)?);
                        }
                        if replaces {
                            replaced.push(NamedNode::new_unchecked(row.iri.clone()));
                        }
                        resources += 1;
                        // The loader stopped on an error of its own: it says so below.
                        let _ = quads_tx.send(quads);
                    }
                    Message::Commit(last) => {
                        verdict = Some(last);
                        break;
                    }
                }
            }
            Ok(())
        })();
        let verdict = match staged {
            Ok(()) => verdict,
            Err(error) => {
                tracing::warn!(%error, "the projections' feed failed; the catch-up applies the write");
                None
            }
        };
        if let Some(last) = verdict {
            let _ = quads_tx.send(vec![graph::watermark_quad(last)]);
        }
        drop(quads_tx);
        let staged_ms = started.elapsed().as_millis() as u64;
        if let Some(last) = verdict {
            let _ = verdict_tx.send((last, replaced));
        }
        drop(verdict_tx);
        let searched = match verdict {
            Some(last) => staging.commit(last).map(|()| {
                projections.search_seq.store(last, Ordering::Release);
            }),
            None => {
                drop(staging);
                Ok(())
            }
        };
        let graphed = graph.join().map_err(|_| {
            ProjectionError::Task("the RDF projection's feed thread panicked".to_owned())
        })?;
        tracing::debug!(
            resources,
            staged_ms,
            total_ms = started.elapsed().as_millis() as u64,
            committed = verdict.is_some(),
            "projections fed by a write"
        );
        searched?;
        graphed?;
        match verdict {
            Some(_) => {
                projections.fed_writes.fetch_add(1, Ordering::AcqRel);
                Ok(())
            }
            None => Err(ProjectionError::Task(
                "the write was not committed, or its feed failed: nothing of it was applied"
                    .to_owned(),
            )),
        }
    })
}
