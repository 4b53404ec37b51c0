//! Mappings between registry building blocks and the fields of source APIs, as SSSOM mapping
//! sets: a type's properties to concepts (`dct:subject`, `skos:exactMatch`), types to types
//! (`skos:exactMatch`, `skos:closeMatch`), and fields of a source API (or of a service model) to
//! a type's properties with optional [`transform`]s.
//!
//! A mapping set is a registry resource of kind `mapping`, stored as SSSOM/RDF through the
//! normal write path (versions, change log, projections): the set is an `sssom:MappingSet`,
//! each mapping an `sssom:Mapping` with `owl:annotatedSource` / `owl:annotatedProperty` /
//! `owl:annotatedTarget` (SSSOM's slot URIs for subject, predicate and object), and our
//! `semreg:transform` and `semreg:order`. Exchange is SSSOM TSV and SSSOM JSON ([`sssom`]).
//!
//! A *field* of a JSON document is named by an IRI: the IRI of its source (`subject_source` /
//! `object_source`: an API, a type or a service model) and a JSON Pointer as fragment, e.g.
//! `https://example.org/folkeregisteret/person#/navn/0/fornavn` ([`field_iri`], [`field_path`]).

pub mod apply;
pub mod codes;
pub mod rdf;
pub mod run;
pub mod sssom;
pub mod stored;
pub mod transform;

use std::collections::BTreeMap;
pub use transform::Transform;

/// The SSSOM justification used when a mapping names none: curated by hand.
pub const MANUAL_CURATION: &str = "https://w3id.org/semapv/vocab/ManualMappingCuration";
/// The license SSSOM uses when none is given.
pub const UNSPECIFIED_LICENSE: &str = "https://w3id.org/sssom/license/unspecified";

/// An SSSOM mapping set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MappingSet {
    /// `mapping_set_id`: the set's IRI (the registry resource's IRI).
    pub iri: String,
    /// `mapping_set_title`.
    pub title: Option<String>,
    /// `mapping_set_description`.
    pub description: Option<String>,
    /// `license`.
    pub license: String,
    /// `subject_source`: where the subjects come from (a source API, a type, ...).
    pub subject_source: Option<String>,
    /// `object_source`: where the objects come from (a type, a service model, concepts, ...).
    pub object_source: Option<String>,
    /// `mapping_date` (YYYY-MM-DD).
    pub mapping_date: Option<String>,
    /// A readable alias in the registry (`semreg:alias`).
    pub alias: Option<String>,
    /// `curie_map`: the prefixes the set was written with (kept for export).
    pub curie_map: BTreeMap<String, String>,
    /// The mappings, in order.
    pub mappings: Vec<Mapping>,
}

/// One SSSOM mapping.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    /// `subject_id` (an IRI).
    pub subject_id: String,
    /// `subject_label`.
    pub subject_label: Option<String>,
    /// `predicate_id` (an IRI, e.g. skos:exactMatch).
    pub predicate_id: String,
    /// `object_id` (an IRI).
    pub object_id: String,
    /// `object_label`.
    pub object_label: Option<String>,
    /// `mapping_justification` (an IRI, semapv).
    pub mapping_justification: String,
    /// `confidence`, 0 to 1.
    pub confidence: Option<f64>,
    /// `comment`.
    pub comment: Option<String>,
    /// Our extension: how the subject's value becomes the object's.
    pub transform: Option<Transform>,
}

/// Why a mapping set could not be read, stored or used.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The SSSOM input is malformed; says where.
    #[error("{location}: {message}")]
    Invalid {
        /// Line, column or JSON path.
        location: String,
        /// What was expected and found.
        message: String,
    },
    /// No mapping set with that id or alias.
    #[error("no mapping set with id or alias {0:?}")]
    NotFound(String),
    /// The stored graph is not a mapping set.
    #[error("resource {0:?} is not a mapping set")]
    NotAMappingSet(String),
    /// Writing through the registry failed.
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    /// The store of record failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The IRI of a field: its source's IRI with a JSON Pointer as fragment. A source that has a
/// fragment already (`model#/$defs/Person`) gets the pointer appended to it.
pub fn field_iri(source: &str, pointer: &str) -> String {
    let pointer = encode_pointer(pointer);
    if source.contains('#') {
        format!("{source}{pointer}")
    } else {
        format!("{source}#{pointer}")
    }
}

/// The JSON Pointer of a field IRI within a source, if the IRI is one of its fields.
pub fn field_path(iri: &str, source: &str) -> Option<String> {
    let rest = iri.strip_prefix(source)?;
    let pointer = if source.contains('#') {
        rest
    } else {
        rest.strip_prefix('#')?
    };
    if !(pointer.is_empty() || pointer.starts_with('/')) {
        return None;
    }
    Some(decode_pointer(pointer))
}

/// Percent-encodes what an IRI fragment may not hold.
fn encode_pointer(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        match c {
            ' ' | '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`' | '%' | '#' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            c if c.is_control() => {
                let mut buffer = [0u8; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn decode_pointer(pointer: &str) -> String {
    let bytes = pointer.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| pointer.to_owned())
}

/// The tokens of a JSON Pointer (`/a/b~1c` → `a`, `b/c`).
pub fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A JSON Pointer from tokens.
pub fn pointer_of<S: AsRef<str>>(tokens: &[S]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.as_ref().replace('~', "~0").replace('/', "~1")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_iri_gives_back_its_pointer() {
        let api = "https://example.org/folkeregisteret/person";
        let iri = field_iri(api, "/navn/0/fornavn");
        assert_eq!(
            iri,
            "https://example.org/folkeregisteret/person#/navn/0/fornavn"
        );
        assert_eq!(field_path(&iri, api).as_deref(), Some("/navn/0/fornavn"));
        let typed = "https://example.org/model#/$defs/Person";
        let iri = field_iri(typed, "/full name");
        assert_eq!(iri, "https://example.org/model#/$defs/Person/full%20name");
        assert_eq!(field_path(&iri, typed).as_deref(), Some("/full name"));
        assert_eq!(field_path("https://other.org/x#/a", api), None);
        assert!(oxrdf::NamedNode::new(field_iri(api, "/a b/\"c\"")).is_ok());
    }

    #[test]
    fn the_ontology_documents_the_mapping_and_service_model_terms() {
        let triples: Vec<oxrdf::Triple> =
            oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::Turtle)
                .for_slice(crate::SEMREG_ONTOLOGY.as_bytes())
                .map(|q| q.map(oxrdf::Triple::from))
                .collect::<Result<_, _>>()
                .expect("ontologies/semreg.ttl parses");
        for term in [
            "transform",
            "curieMap",
            "jsonSchema",
            "uiHints",
            "sourceMapping",
            "ServiceModel",
            "mapping",
            "service-model",
        ] {
            let iri = format!("<https://w3id.org/semreg/ns#{term}>");
            assert!(
                triples.iter().any(|t| t.subject.to_string() == iri
                    && t.predicate.as_str() == "http://www.w3.org/2000/01/rdf-schema#comment"),
                "{term} has no rdfs:comment"
            );
        }
    }

    #[test]
    fn pointer_tokens_unescape_and_escape() {
        let tokens = pointer_tokens("/a/b~1c/d~0e");
        assert_eq!(tokens, ["a", "b/c", "d~e"]);
        assert_eq!(pointer_of(&tokens), "/a/b~1c/d~0e");
    }
}
