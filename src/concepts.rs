//! A concept as people read it (SKOS-AP-NO, v2 and the legacy v1): terms by role and language
//! (preferred, admitted, discouraged; SKOS and SKOS-XL), definitions with their target group
//! and source, examples, remarks, validity, relations by kind, and what in the registry refers
//! to it. Read from the concept's stored graph (blank nodes are skolemized, so a definition
//! node is an IRI here); used by the concept page.

use crate::app::App;
use oxrdf::{Term, Triple};
use semreg_importers::vocab::{DCT, EUVOC, RDF, RDFS, SKOS, SKOSNO, SKOSNO_V1, SKOSXL};
use std::collections::HashMap;

/// A text in a language (`lang` empty when untagged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangText {
    /// The language tag.
    pub lang: String,
    /// The text.
    pub text: String,
}

/// One definition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Definition {
    /// The definition's text per language.
    pub texts: Vec<LangText>,
    /// Who it is written for (an IRI such as `audience-type#public`, or a text).
    pub audience: Option<String>,
    /// How it relates to its source (`relationship-with-source-type#...`).
    pub relationship_with_source: Option<String>,
    /// Its sources: texts or IRIs.
    pub sources: Vec<String>,
}

/// A relation to another resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// broader, narrower, related, replacedBy, replaces, inScheme, seeAlso, generic, partitive.
    pub kind: &'static str,
    /// The other resource's IRI.
    pub iri: String,
}

/// A concept read from its graph.
#[derive(Debug, Clone, Default)]
pub struct ConceptView {
    /// Its IRI.
    pub iri: String,
    /// Preferred terms.
    pub preferred: Vec<LangText>,
    /// Admitted (alternative) terms.
    pub admitted: Vec<LangText>,
    /// Discouraged (hidden) terms.
    pub discouraged: Vec<LangText>,
    /// Definitions.
    pub definitions: Vec<Definition>,
    /// Examples.
    pub examples: Vec<LangText>,
    /// Remarks (scope notes and notes).
    pub remarks: Vec<LangText>,
    /// Subject areas (texts or IRIs).
    pub subjects: Vec<String>,
    /// `dct:identifier`.
    pub identifier: Option<String>,
    /// First day valid.
    pub valid_from: Option<String>,
    /// Last day valid.
    pub valid_to: Option<String>,
    /// Relations, in the order of [`RELATIONS`].
    pub relations: Vec<Relation>,
}

/// The relations read, by predicate.
pub const RELATIONS: [(&str, &str); 10] = [
    ("broader", "http://www.w3.org/2004/02/skos/core#broader"),
    ("narrower", "http://www.w3.org/2004/02/skos/core#narrower"),
    ("related", "http://www.w3.org/2004/02/skos/core#related"),
    ("replacedBy", "http://purl.org/dc/terms/isReplacedBy"),
    ("replaces", "http://purl.org/dc/terms/replaces"),
    ("inScheme", "http://www.w3.org/2004/02/skos/core#inScheme"),
    (
        "generic",
        "http://rdf-vocabulary.ddialliance.org/xkos#specializes",
    ),
    (
        "partitive",
        "http://rdf-vocabulary.ddialliance.org/xkos#isPartOf",
    ),
    ("seeAlso", "http://www.w3.org/2000/01/rdf-schema#seeAlso"),
    (
        "exactMatch",
        "http://www.w3.org/2004/02/skos/core#exactMatch",
    ),
];

struct Facts<'t> {
    by_subject: HashMap<&'t str, Vec<(&'t str, &'t Term)>>,
}

impl<'t> Facts<'t> {
    fn new(triples: &'t [Triple]) -> Self {
        let mut by_subject: HashMap<&str, Vec<(&str, &Term)>> = HashMap::new();
        for t in triples {
            let subject = match &t.subject {
                oxrdf::NamedOrBlankNode::NamedNode(n) => n.as_str(),
                oxrdf::NamedOrBlankNode::BlankNode(b) => b.as_str(),
            };
            by_subject
                .entry(subject)
                .or_default()
                .push((t.predicate.as_str(), &t.object));
        }
        Facts { by_subject }
    }

    fn objects<'a>(
        &'a self,
        subject: &str,
        predicate: &'a str,
    ) -> impl Iterator<Item = &'t Term> + 'a {
        self.by_subject
            .get(subject)
            .into_iter()
            .flatten()
            .filter(move |(p, _)| *p == predicate)
            .map(|(_, o)| *o)
    }

    /// Literal objects as texts; node objects as the node's `via` texts (SKOS-XL labels,
    /// definition nodes).
    fn texts(&self, subject: &str, predicates: &[String], via: &[String]) -> Vec<LangText> {
        let mut out = Vec::new();
        for predicate in predicates {
            for object in self.objects(subject, predicate) {
                match object {
                    Term::Literal(l) => push_text(&mut out, l),
                    Term::NamedNode(n) => {
                        for v in via {
                            for o in self.objects(n.as_str(), v) {
                                if let Term::Literal(l) = o {
                                    push_text(&mut out, l);
                                }
                            }
                        }
                    }
                    Term::BlankNode(b) => {
                        for v in via {
                            for o in self.objects(b.as_str(), v) {
                                if let Term::Literal(l) = o {
                                    push_text(&mut out, l);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// IRIs and texts of objects, as strings.
    fn values(&self, subject: &str, predicate: &str) -> Vec<String> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                Term::Literal(l) => Some(l.value().trim().to_owned()).filter(|v| !v.is_empty()),
                _ => None,
            })
            .collect()
    }

    fn iris(&self, subject: &str, predicate: &str) -> Vec<String> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                _ => None,
            })
            .collect()
    }
}

fn push_text(out: &mut Vec<LangText>, literal: &oxrdf::Literal) {
    let text = literal.value().trim();
    if text.is_empty() {
        return;
    }
    let item = LangText {
        lang: literal.language().unwrap_or_default().to_owned(),
        text: text.to_owned(),
    };
    if !out.contains(&item) {
        out.push(item);
    }
}

fn p(ns: &str, local: &str) -> String {
    format!("{ns}{local}")
}

/// Reads a concept from its canonical N-Triples.
pub fn read(iri: &str, ntriples: &str) -> ConceptView {
    let triples: Vec<Triple> = oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::NTriples)
        .for_slice(ntriples.as_bytes())
        .filter_map(Result::ok)
        .map(Triple::from)
        .collect();
    read_triples(iri, &triples)
}

/// Reads a concept from its triples.
pub fn read_triples(iri: &str, triples: &[Triple]) -> ConceptView {
    let f = Facts::new(triples);
    let literal_form = [p(SKOSXL, "literalForm")];
    let label_of = [p(RDFS, "label"), p(RDF, "value"), p(SKOSXL, "literalForm")];
    let mut definitions = Vec::new();
    let mut remarks = f.texts(iri, &[p(SKOS, "scopeNote"), p(SKOS, "note")], &label_of);
    let plain = f.texts(iri, &[p(SKOS, "definition")], &[]);
    if !plain.is_empty() {
        definitions.push(Definition {
            texts: plain,
            ..Default::default()
        });
    }
    for predicate in [
        p(EUVOC, "xlDefinition"),
        p(SKOSNO, "definisjon"),
        p(SKOSNO_V1, "definisjon"),
        p(SKOSNO, "betydningsbeskrivelse"),
        p(SKOSNO_V1, "betydningsbeskrivelse"),
    ] {
        for node in f.iris(iri, &predicate) {
            let texts = f.texts(&node, &label_of, &[]);
            if texts.is_empty() {
                continue;
            }
            let first =
                |predicates: &[String]| predicates.iter().flat_map(|pr| f.values(&node, pr)).next();
            let sources: Vec<String> = [p(DCT, "source"), p(SKOSNO_V1, "kilde")]
                .iter()
                .flat_map(|pr| {
                    f.objects(&node, pr)
                        .flat_map(|o| match o {
                            Term::NamedNode(n) => {
                                let inner: Vec<String> = [p(RDFS, "label"), p(RDFS, "seeAlso")]
                                    .iter()
                                    .flat_map(|x| f.values(n.as_str(), x))
                                    .collect();
                                if inner.is_empty() {
                                    vec![n.as_str().to_owned()]
                                } else {
                                    inner
                                }
                            }
                            Term::Literal(l) => vec![l.value().to_owned()],
                            _ => Vec::new(),
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            remarks.extend(f.texts(&node, &[p(SKOS, "scopeNote")], &[]));
            definitions.push(Definition {
                texts,
                audience: first(&[
                    p(DCT, "audience"),
                    p(SKOSNO, "målgruppe"),
                    p(SKOSNO_V1, "målgruppe"),
                ]),
                relationship_with_source: first(&[
                    p(SKOSNO, "relationshipWithSource"),
                    p(SKOSNO, "forholdTilKilde"),
                    p(SKOSNO_V1, "forholdTilKilde"),
                ]),
                sources,
            });
        }
    }
    let date = |local: &str| {
        f.values(iri, &p(EUVOC, local))
            .into_iter()
            .chain(f.values(iri, &format!("https://schema.org/{local}")))
            .next()
            .map(|d| d.get(..10).unwrap_or(&d).to_owned())
    };
    let mut relations = Vec::new();
    for (kind, predicate) in RELATIONS {
        for target in f.iris(iri, predicate) {
            relations.push(Relation { kind, iri: target });
        }
    }
    ConceptView {
        iri: iri.to_owned(),
        preferred: f.texts(
            iri,
            &[p(SKOS, "prefLabel"), p(SKOSXL, "prefLabel")],
            &literal_form,
        ),
        admitted: f.texts(
            iri,
            &[p(SKOS, "altLabel"), p(SKOSXL, "altLabel")],
            &literal_form,
        ),
        discouraged: f.texts(
            iri,
            &[p(SKOS, "hiddenLabel"), p(SKOSXL, "hiddenLabel")],
            &literal_form,
        ),
        definitions,
        examples: f.texts(iri, &[p(SKOS, "example")], &label_of),
        remarks,
        subjects: f.values(iri, &p(DCT, "subject")),
        identifier: f.values(iri, &p(DCT, "identifier")).into_iter().next(),
        valid_from: date("startDate"),
        valid_to: date("endDate"),
        relations,
    }
}

/// What in the registry names a concept: types and properties whose subject it is
/// (`dct:subject`), lists and collections that hold it (`skos:member`,
/// `skos:hasTopConcept`), and service models with a field it gives the texts of (a concept part,
/// or a type's field whose concept it is: its UI hints name it): `(resource IRI, how)` pairs,
/// `how` being `subject`, `member` or `hint`, at most 200.
pub async fn used_by(app: &App, iri: &str) -> Result<Vec<(String, &'static str)>, String> {
    let node = oxrdf::NamedNode::new(iri).map_err(|e| e.to_string())?;
    // A service model's UI hints are one JSON literal; a hint's `concept` is this IRI. (An IRI
    // holds no `"` or `\`, so it is its own JSON and SPARQL string text.)
    let hint = format!("\\\"concept\\\":\\\"{}\\\"", node.as_str());
    let query = format!(
        "SELECT DISTINCT ?g ?how WHERE {{ \
           {{ GRAPH ?g {{ \
             {{ ?s <{DCT}subject> {node} BIND(\"subject\" AS ?how) }} UNION \
             {{ ?s <{SKOS}member> {node} BIND(\"member\" AS ?how) }} UNION \
             {{ ?s <{SKOS}hasTopConcept> {node} BIND(\"member\" AS ?how) }} }} }} UNION \
           {{ GRAPH ?g {{ ?model <https://w3id.org/semreg/ns#uiHints> ?hints }} \
              FILTER(CONTAINS(STR(?hints), \"{hint}\")) BIND(\"hint\" AS ?how) }} \
         }} LIMIT 200"
    );
    let mut out = Vec::new();
    for solution in app.projections.select(query).await? {
        let graph = match solution.get("g") {
            Some(Term::NamedNode(n)) => n.as_str().to_owned(),
            _ => continue,
        };
        let how = match solution.get("how") {
            Some(Term::Literal(l)) if l.value() == "member" => "member",
            Some(Term::Literal(l)) if l.value() == "hint" => "hint",
            _ => "subject",
        };
        if !out.iter().any(|(g, _)| g == &graph) {
            out.push((graph, how));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONCEPT: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .
@prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skosno: <https://data.norge.no/vocabulary/skosno#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://e.org/c/1> a skos:Concept ;
    skos:prefLabel "fødselsnummer"@nb, "national identity number"@en ;
    skosxl:altLabel <https://e.org/c/1/alt> ;
    skos:hiddenLabel "personnummer"@nb ;
    euvoc:xlDefinition <https://e.org/c/1/def> ;
    skos:example "12345678901"@nb ;
    skos:scopeNote "Gis ved fødsel"@nb ;
    euvoc:startDate "2017-01-01"^^xsd:date ;
    skos:broader <https://e.org/c/0> ;
    dct:isReplacedBy <https://e.org/c/2> .
<https://e.org/c/1/alt> skosxl:literalForm "fnr"@nb .
<https://e.org/c/1/def> rdf:value "elleve siffer som identifiserer en person"@nb ;
    dct:audience <https://data.norge.no/vocabulary/audience-type#public> ;
    skosno:relationshipWithSource <https://data.norge.no/vocabulary/relationship-with-source-type#self-composed> .
"#;

    fn parsed() -> ConceptView {
        let triples: Vec<Triple> = oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::Turtle)
            .for_slice(CONCEPT.as_bytes())
            .map(|q| Triple::from(q.unwrap()))
            .collect();
        read_triples("https://e.org/c/1", &triples)
    }

    #[test]
    fn terms_are_read_by_role_from_skos_and_skos_xl() {
        let c = parsed();
        assert_eq!(c.preferred.len(), 2);
        assert_eq!(c.admitted[0].text, "fnr");
        assert_eq!(c.discouraged[0].text, "personnummer");
        assert_eq!(c.examples[0].text, "12345678901");
        assert_eq!(c.remarks[0].text, "Gis ved fødsel");
        assert_eq!(c.valid_from.as_deref(), Some("2017-01-01"));
    }

    #[test]
    fn a_definition_keeps_its_target_group_and_relation_to_its_source() {
        let c = parsed();
        assert_eq!(c.definitions.len(), 1);
        let d = &c.definitions[0];
        assert_eq!(d.texts[0].text, "elleve siffer som identifiserer en person");
        assert!(d.audience.as_deref().unwrap().ends_with("#public"));
        assert!(d
            .relationship_with_source
            .as_deref()
            .unwrap()
            .ends_with("#self-composed"));
    }

    #[test]
    fn relations_are_grouped_by_kind() {
        let c = parsed();
        let kinds: Vec<_> = c.relations.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, ["broader", "replacedBy"]);
    }
}
