//! Reading a file into resources ready to store: the importer runs off the async runtime, and
//! each resource gets its id, alias, content hash and label here, before any transaction.

use super::{RegistryError, WarningReport};
use crate::ids::resource_id_for_iri;
use semreg_importers::{
    content_hash, detect_format, Format, ImportError, ImportOptions, ImportedResource,
};
use std::collections::BTreeMap;

const ALIAS: &str = semreg_importers::codelist::terms::ALIAS;

/// Caps on one import, checked after it is read and before anything is stored: the server's
/// `--max-literal-bytes` and `--max-import-triples` ([`crate::config::Config::import_caps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportCaps {
    /// Largest single literal, in bytes.
    pub max_literal_bytes: usize,
    /// Most triples.
    pub max_triples: usize,
}

impl ImportCaps {
    /// 1 MiB literals, ten million triples.
    pub const DEFAULT: ImportCaps = ImportCaps {
        max_literal_bytes: 1024 * 1024,
        max_triples: 10_000_000,
    };

    /// The first thing in `resources` (of `triples` read) over a cap, said so a publisher can
    /// find it.
    fn check(&self, triples: usize, resources: &[ImportedResource]) -> Result<(), RegistryError> {
        if triples > self.max_triples {
            return Err(RegistryError::TooLarge(format!(
                "the file holds {triples} triples, more than the {} one import may hold (--max-import-triples): split it",
                self.max_triples
            )));
        }
        for resource in resources {
            for triple in &resource.triples {
                if let oxrdf::Term::Literal(literal) = &triple.object {
                    let size = literal.value().len();
                    if size > self.max_literal_bytes {
                        return Err(RegistryError::TooLarge(format!(
                            "the literal of {} <{}> is {size} bytes, more than the {} a literal may hold (--max-literal-bytes)",
                            triple.subject, triple.predicate.as_str(), self.max_literal_bytes
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A parsed resource ready to be stored.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Its id (FDK-compatible, from the IRI).
    pub id: String,
    /// Its readable alias, if it states one.
    pub alias: Option<String>,
    /// Its IRI.
    pub iri: String,
    /// Its kind.
    pub kind: String,
    /// Preferred label per language.
    pub labels: BTreeMap<String, String>,
    /// Number of triples.
    pub triple_count: usize,
    /// Canonical N-Triples.
    pub ntriples: String,
    /// SHA-256 of `ntriples`.
    pub hash: String,
}

/// A file read into resources.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The format it was read as.
    pub format: Format,
    /// Triples read.
    pub triples: usize,
    /// Non-fatal findings.
    pub warnings: Vec<WarningReport>,
    /// The resources, in the importer's (stable) order.
    pub resources: Vec<Prepared>,
}

impl Parsed {
    /// A batch with no resources (a harvest that retires everything of its source).
    pub fn empty(format: Format) -> Self {
        Self {
            format,
            triples: 0,
            warnings: Vec::new(),
            resources: Vec::new(),
        }
    }
}

/// The resource's readable alias (`semreg:alias` on the resource itself), if it has one.
fn alias_of(resource: &ImportedResource) -> Option<String> {
    resource.triples.iter().find_map(|t| {
        let is_own =
            matches!(&t.subject, oxrdf::NamedOrBlankNode::NamedNode(n) if n == &resource.iri);
        match &t.object {
            oxrdf::Term::Literal(alias) if is_own && t.predicate.as_str() == ALIAS => {
                Some(alias.value().to_owned())
            }
            _ => None,
        }
    })
}

/// Reads a file (off the async runtime) into resources. `format` `None` detects it from the
/// name and the content.
pub async fn parse(
    format: Option<Format>,
    file_name: Option<String>,
    bytes: Vec<u8>,
    params: BTreeMap<String, String>,
    caps: ImportCaps,
) -> Result<Parsed, RegistryError> {
    let format = match format {
        Some(format) => format,
        None => detect_format(file_name.as_deref(), &bytes).ok_or(ImportError::UnknownFormat)?,
    };
    let options = ImportOptions {
        base_iri: None,
        file_name,
        params,
    };
    let started = std::time::Instant::now();
    tokio::task::spawn_blocking(move || {
        let mut batch = semreg_importers::import(format, &bytes, &options)?;
        caps.check(batch.triples_read, &batch.resources)?;
        tracing::debug!(
            parse_ms = started.elapsed().as_millis() as u64,
            resources = batch.resources.len(),
            "import parsed"
        );
        let resources: Vec<Prepared> = std::mem::take(&mut batch.resources)
            .into_iter()
            .map(|r| Prepared {
                id: resource_id_for_iri(r.iri.as_str()),
                alias: alias_of(&r),
                hash: content_hash(&r.canonical),
                kind: r.kind.as_str().to_owned(),
                triple_count: r.triples.len(),
                iri: r.iri.into_string(),
                labels: r.labels,
                ntriples: r.canonical,
            })
            .collect();
        Ok::<_, RegistryError>(Parsed {
            format,
            triples: batch.triples_read,
            warnings: batch
                .warnings
                .iter()
                .map(|w| WarningReport {
                    location: w.location.clone(),
                    message: w.message.clone(),
                })
                .collect(),
            resources,
        })
    })
    .await
    .map_err(|e| RegistryError::Task(e.to_string()))?
}
