//! Turns a resource's graph into the text the search index holds.

use super::search::SearchDoc;
use crate::store::resource;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};
use std::collections::{HashMap, HashSet};

const LABELS: &[&str] = &[
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel",
    "http://www.w3.org/2008/05/skos-xl#literalForm",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
];

const DESCRIPTIONS: &[&str] = &[
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/2000/01/rdf-schema#comment",
];

/// Definitions held in a node of their own (SKOS-AP-NO v2 and v1): the text is that node's
/// `rdf:value` or `rdfs:label`.
const DEFINITION_NODES: &[&str] = &[
    "http://data.europa.eu/eli/ontology#xlDefinition",
    "http://publications.europa.eu/ontology/euvoc#xlDefinition",
    "https://data.norge.no/vocabulary/skosno#definisjon",
    "http://difi.no/skosno#definisjon",
    "http://difi.no/skosno#betydningsbeskrivelse",
];

const NODE_TEXT: &[&str] = &[
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#value",
    "http://www.w3.org/2000/01/rdf-schema#label",
];

/// Builds the search document of a resource from its row and its graph.
pub fn search_doc(row: &resource::Model, ntriples: &str) -> SearchDoc {
    let mut labels = Vec::new();
    let mut descriptions: Vec<(usize, String, String)> = Vec::new();
    let mut text = Vec::new();
    let mut definition_nodes: HashSet<String> = HashSet::new();
    let mut node_texts: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let parser = RdfParser::from_format(RdfFormat::NTriples).for_slice(ntriples.as_bytes());
    for quad in parser.flatten() {
        let predicate = quad.predicate.as_str();
        let subject = match &quad.subject {
            NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
            other => other.to_string(),
        };
        match &quad.object {
            Term::Literal(literal) => {
                let value = literal.value().to_owned();
                let lang = literal.language().unwrap_or_default().to_owned();
                if LABELS.contains(&predicate) {
                    labels.push(value.clone());
                }
                if subject == row.iri {
                    if let Some(rank) = DESCRIPTIONS.iter().position(|p| *p == predicate) {
                        descriptions.push((rank, lang.clone(), value.clone()));
                    }
                }
                if NODE_TEXT.contains(&predicate) {
                    node_texts
                        .entry(subject.clone())
                        .or_default()
                        .push((lang, value.clone()));
                }
                text.push(value);
            }
            Term::NamedNode(object)
                if DEFINITION_NODES.contains(&predicate) && subject == row.iri =>
            {
                definition_nodes.insert(object.as_str().to_owned());
            }
            _ => {}
        }
    }
    for node in &definition_nodes {
        if let Some(values) = node_texts.get(node) {
            for (lang, value) in values {
                descriptions.push((0, lang.clone(), value.clone()));
            }
        }
    }
    let lang_rank = |lang: &str| match lang {
        "nb" => 0,
        "no" => 1,
        "nn" => 2,
        "en" => 3,
        "" => 4,
        _ => 5,
    };
    descriptions.sort_by_key(|(rank, lang, _)| (*rank, lang_rank(lang)));
    SearchDoc {
        id: row.id.clone(),
        iri: row.iri.clone(),
        kind: row.kind.clone(),
        publisher: row.publisher.clone().unwrap_or_default(),
        status: row.status.clone(),
        label: row.label.clone(),
        labels,
        description: descriptions
            .into_iter()
            .next()
            .map(|(_, _, v)| v)
            .unwrap_or_default(),
        text,
    }
}
