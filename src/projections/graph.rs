//! The RDF projection: an on-disk oxigraph store with one named graph per resource (named by
//! the resource's IRI), fed from the change log. The last applied `seq` is kept in the store's
//! default graph and written in the same transaction as the changes, so it never runs ahead.
//! Queries see the union of the named graphs as their default graph.

use super::{AppliedChange, ProjectionError};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term};
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

    /// The last change-log seq applied (0 for a new store).
    pub fn watermark(&self) -> Result<i64, ProjectionError> {
        let subject = NamedNodeRef::new_unchecked(WATERMARK_SUBJECT);
        let predicate = NamedNodeRef::new_unchecked(WATERMARK_PREDICATE);
        for quad in self.store.quads_for_pattern(
            Some(subject.into()),
            Some(predicate),
            None,
            Some(GraphNameRef::DefaultGraph),
        ) {
            if let Term::Literal(literal) = quad?.object {
                return Ok(literal.value().parse().unwrap_or(0));
            }
        }
        Ok(0)
    }

    /// Applies changes (each with the graph content of its version) and moves the watermark to
    /// `up_to`, atomically.
    pub fn apply(&self, changes: &[AppliedChange], up_to: i64) -> Result<(), ProjectionError> {
        let mut txn = self.store.start_transaction()?;
        for change in changes {
            let graph = NamedNode::new(change.iri.clone())
                .map_err(|e| ProjectionError::Content(format!("{}: {e}", change.iri)))?;
            txn.clear_graph(graph.as_ref())?;
            let parser = RdfParser::from_format(RdfFormat::NTriples)
                .with_default_graph(graph.clone())
                .for_slice(change.ntriples.as_bytes());
            for quad in parser {
                let quad =
                    quad.map_err(|e| ProjectionError::Content(format!("{}: {e}", change.iri)))?;
                txn.insert(&quad);
            }
        }
        let subject = NamedNode::new_unchecked(WATERMARK_SUBJECT);
        let predicate = NamedNode::new_unchecked(WATERMARK_PREDICATE);
        let old: Vec<Quad> = txn
            .quads_for_pattern(
                Some(subject.as_ref().into()),
                Some(predicate.as_ref()),
                None,
                Some(GraphNameRef::DefaultGraph),
            )
            .collect::<Result<_, _>>()?;
        for quad in &old {
            txn.remove(quad);
        }
        txn.insert(QuadRef::new(
            subject.as_ref(),
            predicate.as_ref(),
            &Literal::from(up_to),
            GraphNameRef::DefaultGraph,
        ));
        txn.commit()?;
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
