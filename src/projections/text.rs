//! Turns a resource's graph into the text the search index holds: its own labels by role
//! (preferred, alternative, hidden), definitions, codes and notations, and the labels of its
//! members (the properties of a type or model, the codes of a code list).

use super::search::{LangText, Member, SearchDoc};
use crate::store::resource;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNodeRef, Quad, Term};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const SKOSXL: &str = "http://www.w3.org/2008/05/skos-xl#";

/// Predicates whose literal is a resource's name (preferred label).
const NAMES: &[&str] = &[
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://xmlns.com/foaf/0.1/name",
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

/// Literals that are codes or identifiers of the resource (matched exactly, boosted).
const CODES: &[&str] = &[
    "http://www.w3.org/2004/02/skos/core#notation",
    "http://purl.org/dc/terms/identifier",
    "http://purl.org/dc/elements/1.1/identifier",
    "https://w3id.org/semreg/ns#alias",
];

const STATUS_PREDICATES: &[&str] = &[
    "http://www.w3.org/ns/adms#status",
    "http://publications.europa.eu/ontology/euvoc#status",
];

/// A resource's graph, indexed for the lookups below. It borrows the parsed quads: a bulk
/// import builds 100,000 of these, and copying every term was a third of the work.
#[derive(Default)]
struct Graph<'a> {
    /// Per subject (an IRI, or a blank node's id): its literals.
    literals: HashMap<&'a str, Vec<LiteralOf<'a>>>,
    /// (subject, predicate, object) of the links to IRIs and blank nodes.
    links: Vec<(&'a str, &'a str, &'a str)>,
}

/// A literal of a subject: (predicate, lower-case language, value).
type LiteralOf<'a> = (&'a str, Cow<'a, str>, &'a str);

/// The key of a subject or object: an IRI, or a blank node's id (an IRI always holds a `:`,
/// the ids of blank nodes never do, so the two cannot meet).
fn node_key(node: NamedOrBlankNodeRef<'_>) -> &str {
    match node {
        NamedOrBlankNodeRef::NamedNode(n) => n.as_str(),
        NamedOrBlankNodeRef::BlankNode(b) => b.as_str(),
    }
}

impl<'a> Graph<'a> {
    fn of(quads: &'a [Quad]) -> Self {
        let mut graph = Graph::default();
        for quad in quads {
            let subject = node_key(quad.subject.as_ref());
            let predicate = quad.predicate.as_str();
            match &quad.object {
                Term::Literal(literal) => {
                    let lang = literal.language().unwrap_or_default();
                    let lang = if lang.bytes().any(|b| b.is_ascii_uppercase()) {
                        Cow::Owned(lang.to_ascii_lowercase())
                    } else {
                        Cow::Borrowed(lang)
                    };
                    graph.literals.entry(subject).or_default().push((
                        predicate,
                        lang,
                        literal.value(),
                    ));
                }
                Term::NamedNode(object) => {
                    graph.links.push((subject, predicate, object.as_str()));
                }
                Term::BlankNode(object) => {
                    graph.links.push((subject, predicate, object.as_str()));
                }
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        graph
    }

    fn literals_of<'b>(
        &'b self,
        subject: &str,
        predicates: &'b [&str],
    ) -> impl Iterator<Item = (&'b str, &'a str)> + 'b {
        self.literals
            .get(subject)
            .into_iter()
            .flatten()
            .filter(move |(p, _, _)| predicates.contains(p))
            .map(|(_, lang, value)| (lang.as_ref(), *value))
    }

    fn objects<'b>(
        &'b self,
        subject: &'b str,
        predicate: &'b str,
    ) -> impl Iterator<Item = &'a str> + 'b {
        self.links
            .iter()
            .filter(move |(s, p, _)| *s == subject && *p == predicate)
            .map(|(_, _, o)| *o)
    }

    /// Labels of a subject in a SKOS-XL role (`prefLabel`, `altLabel`, `hiddenLabel`): the
    /// plain SKOS literal and the `literalForm` of SKOS-XL label nodes.
    fn role_labels(&self, subject: &str, role: &str) -> Vec<LangText> {
        let skos = format!("{SKOS}{role}");
        let xl = format!("{SKOSXL}{role}");
        let mut out: Vec<LangText> = self
            .literals
            .get(subject)
            .into_iter()
            .flatten()
            .filter(|(p, _, _)| *p == skos)
            .map(|(_, lang, value)| LangText::new(lang, value))
            .collect();
        for node in self.objects(subject, &xl) {
            let form = format!("{SKOSXL}literalForm");
            out.extend(
                self.literals_of(node, &[form.as_str()])
                    .map(|(lang, value)| LangText::new(lang, value)),
            );
        }
        out
    }
}

/// A camelCase or PascalCase name ("fulltNavn", "PersonNavn") split into words, if it is one.
pub fn split_camel_case(text: &str) -> Option<String> {
    if text.contains(char::is_whitespace) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 4);
    let mut previous_lower = false;
    let mut split = false;
    for c in text.chars() {
        if c.is_uppercase() && previous_lower {
            out.push(' ');
            split = true;
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    split.then_some(out)
}

fn with_split_names(labels: Vec<LangText>) -> Vec<LangText> {
    let mut out = Vec::with_capacity(labels.len());
    for label in labels {
        let split = split_camel_case(&label.text);
        let lang = label.lang.clone();
        out.push(label);
        if let Some(split) = split {
            out.push(LangText { lang, text: split });
        }
    }
    out
}

fn looks_like_iri(text: &str) -> bool {
    text.contains("://") || text.starts_with("urn:")
}

/// Builds the search document of a resource from its row and its graph (canonical
/// N-Triples).
pub fn search_doc(row: &resource::Model, ntriples: &str) -> SearchDoc {
    let quads: Vec<Quad> = RdfParser::from_format(RdfFormat::NTriples)
        .for_slice(ntriples.as_bytes())
        .flatten()
        .collect();
    search_doc_of_quads(row, &quads)
}

/// Builds the search document of a resource from its row and its parsed graph (the graph
/// names of the quads do not matter).
pub fn search_doc_of_quads(row: &resource::Model, quads: &[Quad]) -> SearchDoc {
    let graph = Graph::of(quads);
    let root = row.iri.as_str();

    let mut preferred: Vec<LangText> = graph.role_labels(root, "prefLabel");
    for (lang, value) in graph.literals_of(root, &NAMES[1..]) {
        preferred.push(LangText::new(lang, value));
    }
    dedup(&mut preferred);
    let alternative = with_split_names(graph.role_labels(root, "altLabel"));
    let hidden = graph.role_labels(root, "hiddenLabel");

    // Definitions: the resource's own, then those held in definition nodes.
    let mut definitions: Vec<(usize, LangText)> = graph
        .literals
        .get(root)
        .into_iter()
        .flatten()
        .filter_map(|(p, lang, value)| {
            DESCRIPTIONS
                .iter()
                .position(|d| d == p)
                .map(|rank| (rank, LangText::new(lang, value)))
        })
        .collect();
    for predicate in DEFINITION_NODES {
        for node in graph.objects(root, predicate) {
            definitions.extend(
                graph
                    .literals_of(node, NODE_TEXT)
                    .map(|(lang, value)| (0, LangText::new(lang, value))),
            );
        }
    }
    definitions.sort_by_key(|(rank, text)| (*rank, lang_rank(&text.lang)));

    let mut codes: BTreeSet<String> = graph
        .literals_of(root, CODES)
        .map(|(_, value)| value)
        .filter(|v| !looks_like_iri(v) && v.chars().count() <= 64)
        .map(|v| (*v).to_owned())
        .collect();

    // Members: codes of a code list, properties of a type, elements of a model.
    const IN_SCHEME: &str = concat!("http://www.w3.org/2004/02/skos/core#", "inScheme");
    const TOP_CONCEPT_OF: &str = concat!("http://www.w3.org/2004/02/skos/core#", "topConceptOf");
    const HAS_TOP_CONCEPT: &str = concat!("http://www.w3.org/2004/02/skos/core#", "hasTopConcept");
    const HAS_PROPERTY: &str = concat!(
        "https://data.norge.no/vocabulary/modelldcatno#",
        "hasProperty"
    );
    const CONTAINS_ELEMENT: &str = concat!(
        "https://data.norge.no/vocabulary/modelldcatno#",
        "containsModelElement"
    );
    let mut member_iris: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for &(s, p, o) in &graph.links {
        let member = if (p == IN_SCHEME || p == TOP_CONCEPT_OF) && o == root {
            Some(s)
        } else if (p == HAS_TOP_CONCEPT && s == root) || p == HAS_PROPERTY || p == CONTAINS_ELEMENT
        {
            Some(o)
        } else {
            None
        };
        if let Some(member) = member {
            if member != root && seen.insert(member) {
                member_iris.push(member);
            }
        }
    }
    let mut members = Vec::new();
    for &iri in &member_iris {
        let mut labels = graph.role_labels(iri, "prefLabel");
        labels.extend(
            graph
                .literals_of(iri, &NAMES[1..])
                .map(|(lang, value)| LangText::new(lang, value)),
        );
        labels.extend(graph.role_labels(iri, "altLabel"));
        dedup(&mut labels);
        let labels = with_split_names(labels);
        let code = graph
            .literals_of(iri, &[CODES[0]])
            .map(|(_, v)| v.to_owned())
            .next();
        if labels.is_empty() && code.is_none() {
            continue;
        }
        if let Some(code) = &code {
            codes.insert(code.clone());
        }
        members.push(Member { code, labels });
    }

    // Everything else that is text: notes, examples, keywords, nested nodes.
    let mut text = Vec::new();
    for values in graph.literals.values() {
        for (predicate, _, value) in values {
            if CODES.contains(predicate) || looks_like_iri(value) {
                continue;
            }
            if value.chars().any(char::is_alphabetic) {
                text.push((*value).to_owned());
            }
        }
    }

    let graph_status = STATUS_PREDICATES
        .iter()
        .flat_map(|p| graph.objects(root, p))
        .find_map(semreg_importers::concept_code::status_word);

    SearchDoc {
        id: row.id.clone(),
        iri: row.iri.clone(),
        kind: row.kind.clone(),
        publisher: row.publisher.clone().unwrap_or_default(),
        origin: row.origin_instance.clone().unwrap_or_default(),
        status: row.status.clone(),
        graph_status,
        label: row.label.clone(),
        preferred,
        alternative,
        hidden,
        definitions: definitions.into_iter().map(|(_, t)| t).collect(),
        codes: codes.into_iter().collect(),
        members,
        text,
    }
}

fn dedup(labels: &mut Vec<LangText>) {
    let mut seen = HashSet::new();
    labels.retain(|l| seen.insert((l.lang.clone(), l.text.clone())));
}

/// Order of languages when one text is shown: bokmål, Norwegian, nynorsk, English, none, others.
pub fn lang_rank(lang: &str) -> u8 {
    match lang {
        "nb" => 0,
        "no" => 1,
        "nn" => 2,
        "en" => 3,
        "" => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(iri: &str, kind: &str) -> resource::Model {
        resource::Model {
            id: "id".into(),
            iri: iri.into(),
            kind: kind.into(),
            publisher: None,
            status: "valid".into(),
            alias: None,
            label: "label".into(),
            labels: "{}".into(),
            current_version: 1,
            content_hash: String::new(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            source_id: None,
            retired_at: None,
            retired_by: None,
            origin_instance: None,
            origin_url: None,
            origin_iri: None,
            origin_version: None,
            origin_hash: None,
            fetched_at: None,
            peer_id: None,
        }
    }

    #[test]
    fn camel_case_names_are_split_into_words() {
        assert_eq!(split_camel_case("fulltNavn").as_deref(), Some("fullt Navn"));
        assert_eq!(split_camel_case("Person"), None);
        assert_eq!(split_camel_case("two words"), None);
    }

    #[test]
    fn labels_go_to_their_roles_and_codes_of_a_list_are_members() {
        let nt = r#"<http://x/c> <http://www.w3.org/2004/02/skos/core#prefLabel> "fødselsnummer"@nb .
<http://x/c> <http://www.w3.org/2004/02/skos/core#altLabel> "personnummer"@nb .
<http://x/c> <http://www.w3.org/2004/02/skos/core#hiddenLabel> "fnr"@nb .
<http://x/c> <http://www.w3.org/2004/02/skos/core#definition> "identifikator for en person"@nb .
<http://x/c> <http://www.w3.org/2004/02/skos/core#notation> "F1" .
<http://x/c/0301> <http://www.w3.org/2004/02/skos/core#inScheme> <http://x/c> .
<http://x/c/0301> <http://www.w3.org/2004/02/skos/core#notation> "0301" .
<http://x/c/0301> <http://www.w3.org/2004/02/skos/core#prefLabel> "Oslo"@nb .
"#;
        let doc = search_doc(&row("http://x/c", "code-list"), nt);
        assert_eq!(doc.preferred[0].text, "fødselsnummer");
        assert_eq!(doc.alternative[0].text, "personnummer");
        assert_eq!(doc.hidden[0].text, "fnr");
        assert_eq!(doc.definitions[0].text, "identifikator for en person");
        assert_eq!(doc.codes, vec!["0301".to_owned(), "F1".to_owned()]);
        assert_eq!(doc.members.len(), 1);
        assert_eq!(doc.members[0].code.as_deref(), Some("0301"));
        assert_eq!(doc.members[0].labels[0].text, "Oslo");
    }

    #[test]
    fn property_titles_of_a_type_are_members() {
        let nt = r#"<http://x/Person> <http://purl.org/dc/terms/title> "Person"@nb .
<http://x/Person> <https://data.norge.no/vocabulary/modelldcatno#hasProperty> <http://x/fdato> .
<http://x/fdato> <http://purl.org/dc/terms/title> "fødselsdato"@nb .
<http://x/Person> <http://www.w3.org/ns/adms#status> <http://publications.europa.eu/resource/authority/concept-status/DEPRECATED> .
"#;
        let doc = search_doc(&row("http://x/Person", "type"), nt);
        assert_eq!(doc.preferred.len(), 1);
        assert_eq!(doc.members[0].labels[0].text, "fødselsdato");
        assert_eq!(doc.graph_status.as_deref(), Some("deprecated"));
    }
}
