//! The RDF projection: an on-disk oxigraph store with one named graph per resource (named by
//! the resource's IRI), fed from the change log. The last applied `seq` is kept in the store's
//! default graph and written in the same transaction as the changes, so it never runs ahead.
//! Queries see the union of the named graphs as their default graph.

use super::{AppliedChange, ProjectionError};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::store::Store;
use std::path::Path;

const WATERMARK_SUBJECT: &str = "urn:semreg:projection:graph";
const WATERMARK_PREDICATE: &str = "urn:semreg:appliedSeq";

/// The oxigraph projection.
pub struct GraphProjection {
    store: Store,
}

impl GraphProjection {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, ProjectionError> {
        std::fs::create_dir_all(dir)?;
        let store = Store::open(dir).map_err(|e| ProjectionError::Open {
            what: "oxigraph store",
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(Self { store })
    }

    /// The oxigraph store, for queries.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The last change-log seq applied (0 for a new store). Several watermark values may stand
    /// for a moment (see [`GraphProjection::apply`]): the highest counts.
    pub fn watermark(&self) -> Result<i64, ProjectionError> {
        let subject = NamedNodeRef::new_unchecked(WATERMARK_SUBJECT);
        let predicate = NamedNodeRef::new_unchecked(WATERMARK_PREDICATE);
        let mut highest = 0;
        for quad in self.store.quads_for_pattern(
            Some(subject.into()),
            Some(predicate),
            None,
            Some(GraphNameRef::DefaultGraph),
        ) {
            if let Term::Literal(literal) = quad?.object {
                highest = highest.max(literal.value().parse().unwrap_or(0));
            }
        }
        Ok(highest)
    }

    /// Applies changes (each with the graph content of its version) and moves the watermark to
    /// `up_to`.
    ///
    /// Graphs that already exist are cleared in one transaction; then the new content and the
    /// new watermark value are written by oxigraph's bulk loader in one atomic commit (much
    /// faster than transactional inserts); then older watermark values are removed. A crash at
    /// any point leaves a watermark no higher than the data it covers, and replaying a change is
    /// idempotent. The price: a reader may briefly miss an updated resource between the clear
    /// and the load.
    pub fn apply(&self, changes: &[AppliedChange], up_to: i64) -> Result<(), ProjectionError> {
        let mut quads = Vec::new();
        let mut existing = Vec::new();
        for change in changes {
            let graph = NamedNode::new(change.iri.clone())
                .map_err(|e| ProjectionError::Content(format!("{}: {e}", change.iri)))?;
            if self.store.contains_named_graph(graph.as_ref())? {
                existing.push(graph.clone());
            }
            let parser = RdfParser::from_format(RdfFormat::NTriples)
                .with_default_graph(graph.clone())
                .for_slice(change.ntriples.as_bytes());
            for quad in parser {
                quads.push(
                    quad.map_err(|e| ProjectionError::Content(format!("{}: {e}", change.iri)))?,
                );
            }
        }
        if !existing.is_empty() {
            let mut txn = self.store.start_transaction()?;
            for graph in &existing {
                txn.clear_graph(graph.as_ref())?;
            }
            txn.commit()?;
        }
        let subject = NamedNode::new_unchecked(WATERMARK_SUBJECT);
        let predicate = NamedNode::new_unchecked(WATERMARK_PREDICATE);
        quads.push(Quad::new(
            subject.clone(),
            predicate.clone(),
            Literal::from(up_to),
            GraphName::DefaultGraph,
        ));
        let mut loader = self.store.bulk_loader().with_num_threads(1);
        loader.load_quads(quads)?;
        loader.commit()?;
        let old: Vec<Quad> = self
            .store
            .quads_for_pattern(
                Some(subject.as_ref().into()),
                Some(predicate.as_ref()),
                None,
                Some(GraphNameRef::DefaultGraph),
            )
            .filter_map(Result::ok)
            .filter(|q| match &q.object {
                Term::Literal(l) => l.value().parse::<i64>().map_or(true, |v| v < up_to),
                _ => true,
            })
            .collect();
        if !old.is_empty() {
            let mut txn = self.store.start_transaction()?;
            for quad in &old {
                txn.remove(quad);
            }
            txn.commit()?;
        }
        Ok(())
    }

    /// Removes everything (for a rebuild).
    pub fn clear(&self) -> Result<(), ProjectionError> {
        self.store.clear()?;
        Ok(())
    }

    /// Number of named graphs (resources) in the store.
    pub fn graph_count(&self) -> Result<usize, ProjectionError> {
        let mut n = 0;
        for graph in self.store.named_graphs() {
            graph?;
            n += 1;
        }
        Ok(n)
    }
}
