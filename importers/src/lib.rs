//! semreg's importers: pure functions from the bytes of a file to RDF resources plus a report.
//!
//! An importer never touches a database, the network or the clock: it gets bytes and options,
//! and returns an [`ImportBatch`] (the resources found, each with its own graph, and warnings) or
//! an [`ImportError`] naming what was wrong and where. The registry core stores the batch as one
//! transaction.
//!
//! Every resource graph is free of blank nodes: they are replaced by stable skolem IRIs (see
//! [`skolem`]), so the same content always gives the same canonical N-Triples and content hash.

pub mod altinn;
pub mod canonical;
pub mod codelist;
pub mod concept_code;
pub mod correspondence;
pub mod csv;
pub mod fhir;
pub mod format;
pub mod jsonschema;
pub mod klass;
pub mod rdf;
pub mod seres;
pub mod skolem;
pub mod split;
pub mod vocab;
pub mod xml_entities;

use std::collections::BTreeMap;

pub use canonical::{canonical_ntriples, content_hash};

/// Hash maps and sets with a fast (non-cryptographic, per-process seeded) hasher: the import
/// path hashes every triple and term several times.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// See [`FastMap`].
pub(crate) type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
pub use format::{detect_format, Format};
use oxrdf::{NamedNode, Triple};

/// What a resource is, in the registry's terms (DESIGN.md `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    /// A SKOS concept (skos:Concept) that is not a code of a code list in the same file.
    Concept,
    /// A skos:Collection.
    Collection,
    /// A skos:ConceptScheme or modelldcatno:CodeList, with its codes in its graph.
    CodeList,
    /// A ModellDCAT-AP-NO object type, simple type, data type or root object type.
    Type,
    /// A ModellDCAT-AP-NO information model.
    Model,
    /// A dcat:Catalog (the catalog's own description; its members are resources of their own).
    Catalog,
    /// An xkos:Correspondence between two code lists, with its code-to-code associations.
    Correspondence,
    /// An ontology or a set of SHACL shapes (owl:Ontology, or shapes with no other home).
    Vocabulary,
    /// A typed subject that fits none of the kinds above and hangs off no other resource.
    Other,
    /// An SSSOM mapping set (sssom:MappingSet) with its mappings.
    Mapping,
    /// A designer's service model (semreg:ServiceModel) composed of registry types.
    ServiceModel,
}

impl ResourceKind {
    /// Every kind, in a stable order.
    pub const ALL: [ResourceKind; 11] = [
        ResourceKind::Concept,
        ResourceKind::Collection,
        ResourceKind::CodeList,
        ResourceKind::Type,
        ResourceKind::Model,
        ResourceKind::Catalog,
        ResourceKind::Correspondence,
        ResourceKind::Vocabulary,
        ResourceKind::Other,
        ResourceKind::Mapping,
        ResourceKind::ServiceModel,
    ];

    /// The name used in the API and the database (`code-list`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Concept => "concept",
            ResourceKind::Collection => "collection",
            ResourceKind::CodeList => "code-list",
            ResourceKind::Type => "type",
            ResourceKind::Model => "model",
            ResourceKind::Catalog => "catalog",
            ResourceKind::Correspondence => "correspondence",
            ResourceKind::Vocabulary => "vocabulary",
            ResourceKind::Other => "other",
            ResourceKind::Mapping => "mapping",
            ResourceKind::ServiceModel => "service-model",
        }
    }

    /// Parses the API name of a kind.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One resource found in a file: its IRI, kind, labels and its own graph (no blank nodes).
#[derive(Debug, Clone)]
pub struct ImportedResource {
    /// The resource's IRI (the subject its graph is about).
    pub iri: NamedNode,
    /// What kind of resource it is.
    pub kind: ResourceKind,
    /// Preferred label per language tag ("" for a literal without language).
    pub labels: BTreeMap<String, String>,
    /// The triples of the resource's own graph, blank nodes skolemized, in canonical order.
    pub triples: Vec<Triple>,
    /// The canonical N-Triples of `triples` (see [`canonical_ntriples`]), made once here.
    pub canonical: String,
}

/// A non-fatal finding while importing: the rest of the file still imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// Where it was found (a subject IRI, an element, a line), if known.
    pub location: Option<String>,
    /// What was found.
    pub message: String,
}

/// Everything an importer found in one file.
#[derive(Debug, Clone, Default)]
pub struct ImportBatch {
    /// The resources, in a stable order (by IRI).
    pub resources: Vec<ImportedResource>,
    /// Non-fatal findings.
    pub warnings: Vec<ImportWarning>,
    /// How many triples (after de-duplication) the file held.
    pub triples_read: usize,
}

/// Why a file could not be imported at all. Nothing from such a file is stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The bytes are not valid in the given syntax.
    #[error("{format} syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// The format that was being parsed.
        format: Format,
        /// 1-based line of the error.
        line: u64,
        /// 1-based column of the error.
        column: u64,
        /// What the parser expected or found.
        message: String,
    },
    /// A syntax error whose position the parser did not give.
    #[error("{format} syntax error: {message}")]
    SyntaxNoPosition {
        /// The format that was being parsed.
        format: Format,
        /// What the parser expected or found.
        message: String,
    },
    /// The input is not what its format requires (wrong shape, missing field, bad value).
    #[error("{location}: {message}")]
    Invalid {
        /// Where: `line 12`, `element xs:complexType name="Adresse"`, `$.codes[3].value`.
        location: String,
        /// What was expected and what was found.
        message: String,
    },
    /// The input was empty (or held only whitespace).
    #[error("the input is empty")]
    Empty,
    /// The input held no resource that semreg knows how to store.
    #[error("the input holds {triples} triples but no resource semreg can store (no concept, collection, concept scheme, code list, type, model, catalog or ontology)")]
    NoResources {
        /// How many triples were read.
        triples: usize,
    },
    /// The format could not be told from the file name or content.
    #[error("cannot tell the format of the input; give one of: {}", Format::NAMES.join(", "))]
    UnknownFormat,
}

/// Options that change how a file is read.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Base IRI for relative IRIs in the input (also the base of IRIs minted for non-RDF input).
    pub base_iri: Option<String>,
    /// The file's name, when known (some formats take an id from it, e.g. `ssb-klass-131-...`).
    pub file_name: Option<String>,
    /// Format-specific settings, e.g. CSV column mapping `code=alpha-2`, `label_en=name`.
    pub params: BTreeMap<String, String>,
}

/// Imports one file's bytes in the given format.
pub fn import(
    format: Format,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportBatch, ImportError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let (triples, warnings) = match format {
        Format::Turtle | Format::RdfXml | Format::JsonLd | Format::NTriples | Format::NQuads => {
            return rdf::import_rdf(format, bytes, options)
        }
        Format::Seres => seres::to_triples(bytes, options)?,
        Format::Klass => klass::to_triples(bytes, options)?,
        Format::AltinnOptions => altinn::to_triples(bytes, options)?,
        Format::Csv => csv::to_triples(bytes, options)?,
        Format::JsonSchema => jsonschema::to_triples(bytes, options)?,
        Format::Fhir => fhir::to_triples(bytes, options)?,
        Format::Correspondence => correspondence::to_triples(bytes, options)?,
    };
    rdf::finish(triples, warnings)
}
