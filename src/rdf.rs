//! RDF representations of stored graphs and the content negotiation that picks one.

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};

/// Prefixes written in Turtle output.
pub const PREFIXES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("skosxl", "http://www.w3.org/2008/05/skos-xl#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("euvoc", "http://publications.europa.eu/ontology/euvoc#"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("skosno", "https://data.norge.no/vocabulary/skosno#"),
    (
        "modelldcatno",
        "https://data.norge.no/vocabulary/modelldcatno#",
    ),
    ("semreg", "https://w3id.org/semreg/ns#"),
];

/// A SPARQL evaluator that never calls out. oxigraph evaluates `SERVICE <url> { ... }` by
/// sending the pattern to that URL (its `http-client` feature, which another crate of the build
/// turns on); from a public endpoint that would let anyone make semreg fetch any address, its
/// own loopback and private network included. Every evaluator of semreg is made here, and its
/// SERVICE calls fail with [`ServiceRefused`].
pub fn sparql_evaluator() -> oxigraph::sparql::SparqlEvaluator {
    oxigraph::sparql::SparqlEvaluator::new().with_default_service_handler(NoFederatedQueries)
}

/// Why a `SERVICE` clause failed.
#[derive(Debug, thiserror::Error)]
#[error("SERVICE <{0}>: federated queries are not evaluated (semreg never calls other endpoints from a query)")]
pub struct ServiceRefused(String);

struct NoFederatedQueries;

impl oxigraph::sparql::DefaultServiceHandler for NoFederatedQueries {
    type Error = ServiceRefused;

    fn handle(
        &self,
        service_name: &oxigraph::model::NamedNode,
        _pattern: &spargebra::algebra::GraphPattern,
        _base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<oxigraph::sparql::QuerySolutionIter<'static>, Self::Error> {
        Err(ServiceRefused(service_name.as_str().to_owned()))
    }
}

/// A representation a client may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    /// Our JSON shape.
    Json,
    /// An RDF syntax.
    Rdf(RdfFormat),
}

impl Representation {
    /// The media type to answer with.
    pub fn media_type(self) -> &'static str {
        match self {
            Representation::Json => "application/json",
            Representation::Rdf(format) => format.media_type(),
        }
    }
}

/// Picks the best representation for an `Accept` header among JSON and the RDF syntaxes
/// semreg writes; `None` when the client accepts none of them (answer 406).
pub fn negotiate(accept: Option<&str>) -> Option<Representation> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Representation::Json);
    };
    let mut best: Option<(f32, usize, Representation)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let mut q = 1.0f32;
        for param in parts {
            if let Some(value) = param.trim().strip_prefix("q=") {
                q = value.trim().parse().unwrap_or(0.0);
            }
        }
        if q <= 0.0 {
            continue;
        }
        let representation = match media.as_str() {
            "application/json" | "*/*" | "application/*" => Some(Representation::Json),
            "text/*" => Some(Representation::Rdf(RdfFormat::Turtle)),
            other => RdfFormat::from_media_type(other)
                .filter(|f| {
                    matches!(
                        f,
                        RdfFormat::Turtle
                            | RdfFormat::NTriples
                            | RdfFormat::RdfXml
                            | RdfFormat::JsonLd { .. }
                    )
                })
                .map(Representation::Rdf),
        };
        if let Some(representation) = representation {
            // Higher q wins; on a tie the more specific (non-wildcard) and earlier one.
            let specificity = usize::from(!media.contains('*'));
            let better = match best {
                None => true,
                Some((best_q, best_spec, _)) => {
                    q > best_q || (q == best_q && specificity > best_spec)
                }
            };
            if better {
                best = Some((q, specificity, representation));
            }
        }
    }
    best.map(|(_, _, r)| r)
}

/// Re-serializes canonical N-Triples in another RDF syntax.
pub fn serialize_ntriples(ntriples: &str, format: RdfFormat) -> Result<Vec<u8>, String> {
    if format == RdfFormat::NTriples {
        return Ok(ntriples.as_bytes().to_vec());
    }
    let mut serializer = RdfSerializer::from_format(format);
    if format == RdfFormat::Turtle {
        for (prefix, iri) in PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *iri)
                .map_err(|e| e.to_string())?;
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    for quad in RdfParser::from_format(RdfFormat::NTriples).for_slice(ntriples.as_bytes()) {
        let quad = quad.map_err(|e| e.to_string())?;
        writer
            .serialize_triple(quad.as_ref())
            .map_err(|e| e.to_string())?;
    }
    writer.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_picks_turtle_over_json_by_quality() {
        assert_eq!(
            negotiate(Some("application/json;q=0.5, text/turtle")),
            Some(Representation::Rdf(RdfFormat::Turtle))
        );
        assert_eq!(negotiate(None), Some(Representation::Json));
        assert_eq!(negotiate(Some("*/*")), Some(Representation::Json));
        assert_eq!(negotiate(Some("image/png")), None);
    }

    #[test]
    fn our_ontology_is_valid_turtle_and_documents_every_term() {
        let triples: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(crate::SEMREG_ONTOLOGY.as_bytes())
            .collect::<Result<_, _>>()
            .expect("ontologies/semreg.ttl parses");
        assert!(triples.len() > 50);
        for term in [
            "alias",
            "level",
            "order",
            "jsonNull",
            "sourceList",
            "xmlName",
        ] {
            let iri = format!("https://w3id.org/semreg/ns#{term}");
            assert!(
                triples
                    .iter()
                    .any(|q| q.subject.to_string() == format!("<{iri}>")
                        && q.predicate.as_str() == "http://www.w3.org/2000/01/rdf-schema#comment"),
                "{term} has no rdfs:comment"
            );
        }
    }

    #[test]
    fn ntriples_round_trip_to_turtle_keeps_every_triple() {
        let nt = "<http://e.org/a> <http://www.w3.org/2004/02/skos/core#prefLabel> \"a\"@nb .\n";
        let ttl = String::from_utf8(serialize_ntriples(nt, RdfFormat::Turtle).unwrap()).unwrap();
        assert!(ttl.contains("skos:prefLabel \"a\"@nb"), "{ttl}");
    }
}
