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
/// The most quads a catch-up step writes in one transaction rather than with the bulk loader.
const SMALL_STEP_QUADS: usize = 10_000;
/// The free space below which every step takes the bulk loader (see [`GraphProjection::apply`]).
const SMALL_STEP_MIN_FREE: u64 = 512 * 1024 * 1024;

/// The quad that says the store holds every change up to `up_to`.
pub(super) fn watermark_quad(up_to: i64) -> Quad {
    Quad::new(
        NamedNode::new_unchecked(WATERMARK_SUBJECT),
        NamedNode::new_unchecked(WATERMARK_PREDICATE),
        Literal::from(up_to),
        GraphName::DefaultGraph,
    )
}

/// The quads of a resource's graph: its canonical N-Triples (and provenance lines) in the
/// graph named by its IRI.
pub(super) fn quads_of(iri: &str, ntriples: &str) -> Result<Vec<Quad>, ProjectionError> {
    let graph = NamedNode::new(iri).map_err(|e| ProjectionError::Content(format!("{iri}: {e}")))?;
    RdfParser::from_format(RdfFormat::NTriples)
        .with_default_graph(graph)
        .for_slice(ntriples.as_bytes())
        .map(|quad| quad.map_err(|e| ProjectionError::Content(format!("{iri}: {e}"))))
        .collect()
}

/// The oxigraph projection.
pub struct GraphProjection {
    store: Store,
    dir: std::path::PathBuf,
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
        Ok(Self {
            store,
            dir: dir.to_owned(),
        })
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
    /// A small step (up to [`SMALL_STEP_QUADS`] quads: a write of a few resources) is one
    /// transaction: the old graphs cleared, the new content, the watermark moved. A bulk load
    /// of a few quads costs more than that, and leaves a small file per column family for
    /// RocksDB to compact: with many writers that work competed with the readers. But RocksDB
    /// does not resume after a failed write to its log (tests/disk_full.rs: the store refused
    /// every write until a restart), while a failed bulk load changes nothing; so with less
    /// than [`SMALL_STEP_MIN_FREE`] free on the store's disk every step takes the bulk loader.
    ///
    /// A larger step clears the graphs that already exist in one transaction; then the new
    /// content and the new watermark value are written by oxigraph's bulk loader in one atomic
    /// commit (much faster than transactional inserts at that size); then older watermark values
    /// are removed. A crash at any point leaves a watermark no higher than the data it covers,
    /// and replaying a change is idempotent. The price: a reader may briefly miss an updated
    /// resource between the clear and the load.
    pub fn apply(&self, changes: &[AppliedChange], up_to: i64) -> Result<(), ProjectionError> {
        let mut quads = Vec::new();
        let mut existing = Vec::new();
        for change in changes {
            let graph = NamedNode::new(change.iri.clone())
                .map_err(|e| ProjectionError::Content(format!("{}: {e}", change.iri)))?;
            if self.store.contains_named_graph(graph.as_ref())? {
                existing.push(graph.clone());
            }
            quads.extend(quads_of(&change.iri, &change.ntriples)?);
        }
        let old = self.watermarks_below(up_to);
        let watermark = watermark_quad(up_to);
        if quads.len() <= SMALL_STEP_QUADS
            && free_bytes(&self.dir).is_some_and(|free| free >= SMALL_STEP_MIN_FREE)
        {
            let mut txn = self.store.start_transaction()?;
            for graph in &existing {
                txn.clear_graph(graph.as_ref())?;
            }
            txn.extend(&quads);
            for quad in &old {
                txn.remove(quad);
            }
            txn.insert(&watermark);
            txn.commit()?;
            return Ok(());
        }
        self.clear_graphs(&existing)?;
        quads.push(watermark);
        let mut loader = self.store.bulk_loader().with_num_threads(1);
        loader.load_quads(quads)?;
        loader.commit()?;
        self.remove(&old)
    }

    /// The watermark values below `up_to` (to remove once `up_to` is written).
    pub(super) fn watermarks_below(&self, up_to: i64) -> Vec<Quad> {
        let subject = NamedNodeRef::new_unchecked(WATERMARK_SUBJECT);
        let predicate = NamedNodeRef::new_unchecked(WATERMARK_PREDICATE);
        self.store
            .quads_for_pattern(
                Some(subject.into()),
                Some(predicate),
                None,
                Some(GraphNameRef::DefaultGraph),
            )
            .filter_map(Result::ok)
            .filter(|q| match &q.object {
                Term::Literal(l) => l.value().parse::<i64>().map_or(true, |v| v < up_to),
                _ => true,
            })
            .collect()
    }

    /// Empties the given graphs, in one transaction.
    pub(super) fn clear_graphs(&self, graphs: &[NamedNode]) -> Result<(), ProjectionError> {
        if graphs.is_empty() {
            return Ok(());
        }
        let mut txn = self.store.start_transaction()?;
        for graph in graphs {
            txn.clear_graph(graph.as_ref())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Removes quads, in one transaction.
    pub(super) fn remove(&self, quads: &[Quad]) -> Result<(), ProjectionError> {
        if quads.is_empty() {
            return Ok(());
        }
        let mut txn = self.store.start_transaction()?;
        for quad in quads {
            txn.remove(quad);
        }
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

const PROV: &str = "http://www.w3.org/ns/prov#";

/// The provenance of a resource as N-Triples lines for its graph: `prov:wasAttributedTo` the
/// instance that owns it (`urn:uuid:ID`, a `prov:SoftwareAgent`); for a copy mirrored from a
/// peer also `prov:wasDerivedFrom` the origin's version URL, `prov:atLocation` of the origin
/// instance (its base URL) and `prov:generatedAtTime` of the copy (when it was fetched).
pub fn provenance_ntriples(row: &crate::store::resource::Model) -> String {
    use std::fmt::Write;
    let Some(origin) = row.origin_instance.as_deref() else {
        return String::new();
    };
    let (Ok(subject), Ok(agent)) = (
        NamedNode::new(row.iri.as_str()),
        NamedNode::new(format!("urn:uuid:{origin}")),
    ) else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(out, "{subject} <{PROV}wasAttributedTo> {agent} .");
    let _ = writeln!(
        out,
        "{agent} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{PROV}SoftwareAgent> ."
    );
    if let Some(url) = row.origin_url.as_deref() {
        if let Ok(location) = NamedNode::new(url) {
            let _ = writeln!(out, "{agent} <{PROV}atLocation> {location} .");
        }
        let version = row.origin_version.unwrap_or(row.current_version);
        if let Ok(source) = NamedNode::new(format!(
            "{url}/api/v1/resources/{}/versions/{version}",
            row.id
        )) {
            let _ = writeln!(out, "{subject} <{PROV}wasDerivedFrom> {source} .");
        }
        if let Some(at) = row.fetched_at {
            let _ = writeln!(
                out,
                "{subject} <{PROV}generatedAtTime> {} .",
                Literal::new_typed_literal(
                    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#dateTime")
                )
            );
        }
    }
    out
}

/// The bytes free for us on the file system of `dir` (`None` if it cannot be told).
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a valid NUL-terminated string and `stat` a buffer statvfs fills; it is
    // read only when statvfs says it succeeded.
    let stat = unsafe {
        if libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return None;
        }
        stat.assume_init()
    };
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}
