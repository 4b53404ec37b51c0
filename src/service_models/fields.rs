//! The fields of a registry type, read from its RDF (ModellDCAT-AP-NO as the importers write
//! it) in the store of record: each property's name, cardinality, value (object type, simple
//! type with facets, code list), linked concept and texts per language — what UI hints need.

use crate::app::App;
use crate::ids::resource_id_for_iri;
use crate::mappings::MappingError;
use crate::mappings::{field_iri, pointer_of};
use oxrdf::{NamedOrBlankNode, Term};
use std::collections::{BTreeMap, HashMap, HashSet};

const M: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const DCT_DESCRIPTION: &str = "http://purl.org/dc/terms/description";
/// dct:subject: the concept a property stands for.
pub const DCT_SUBJECT: &str = "http://purl.org/dc/terms/subject";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const XML_NAME: &str = "https://w3id.org/semreg/ns#xmlName";
/// Skolem IRIs of blank nodes: parts of a resource, not resources.
const GENID: &str = "urn:semreg:genid:";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const RDF_VALUE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const EUVOC_XL_DEFINITION: &str = "http://publications.europa.eu/ontology/euvoc#xlDefinition";
const SKOSNO_DEFINISJON_V1: &str = "http://difi.no/skosno#definisjon";
const SKOSNO_DEFINISJON: &str = "https://data.norge.no/vocabulary/skosno#definisjon";
const SKOSNO_BETYDNINGSBESKRIVELSE_V1: &str = "http://difi.no/skosno#betydningsbeskrivelse";
const SKOSXL_PREF_LABEL: &str = "http://www.w3.org/2008/05/skos-xl#prefLabel";
const SKOSXL_LITERAL_FORM: &str = "http://www.w3.org/2008/05/skos-xl#literalForm";

/// How deep object types nest before the walk stops (recursive types).
const MAX_DEPTH: usize = 12;

/// Texts per language tag ("" for none).
pub type Texts = BTreeMap<String, String>;

/// What a field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Objects of a type (its fields follow in the list).
    Object {
        /// The type's IRI.
        type_iri: String,
    },
    /// Plain values.
    Value {
        /// XSD built-in local name (`string`, `date`, ...).
        builtin: String,
        /// The code list its values come from.
        code_list: Option<String>,
        /// xsd:maxLength
        max_length: Option<u64>,
        /// xsd:pattern
        pattern: Option<String>,
    },
}

/// One field of a type as reached from a service model's part.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// JSON Pointer in the service model document (array items as `/0`... not added).
    pub path: String,
    /// The JSON name.
    pub name: String,
    /// The IRI of the type that declares it.
    pub owner: String,
    /// Least occurrences.
    pub min: u64,
    /// Most occurrences (`None`: unbounded).
    pub max: Option<u64>,
    /// Whether every field above it is required too.
    pub required: bool,
    /// What it holds.
    pub value: FieldValue,
    /// The concept it stands for (`dct:subject` of the property, or a mapping).
    pub concept: Option<String>,
    /// Its own titles.
    pub titles: Texts,
    /// Its own descriptions.
    pub descriptions: Texts,
}

impl Field {
    /// Whether it holds a list.
    pub fn is_array(&self) -> bool {
        self.max.is_none_or(|m| m > 1)
    }
}

/// Subjects and their facts, loaded from resource graphs on demand.
#[derive(Default)]
pub struct Graphs {
    facts: HashMap<String, Vec<(String, Term)>>,
    loaded: HashSet<String>,
}

impl Graphs {
    /// Makes sure the graph of the resource with this IRI is loaded (if it is a resource).
    pub async fn ensure(&mut self, app: &App, iri: &str) -> Result<(), MappingError> {
        if self.facts.contains_key(iri) {
            return Ok(());
        }
        let id = resource_id_for_iri(iri);
        if !self.loaded.insert(id.clone()) {
            return Ok(());
        }
        if let Some((_, ntriples)) = crate::mappings::stored::load_current(app, &id).await? {
            self.add_ntriples(&ntriples);
        }
        Ok(())
    }

    /// Adds a graph's triples.
    pub fn add_ntriples(&mut self, ntriples: &str) {
        for quad in oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::NTriples)
            .for_slice(ntriples.as_bytes())
            .flatten()
        {
            let subject = match &quad.subject {
                NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
            };
            self.facts
                .entry(subject)
                .or_default()
                .push((quad.predicate.as_str().to_owned(), quad.object));
        }
    }

    fn of(&self, subject: &str) -> &[(String, Term)] {
        self.facts.get(subject).map_or(&[], Vec::as_slice)
    }

    /// The IRI (or node key) objects of a subject's predicate.
    pub fn nodes(&self, subject: &str, predicate: &str) -> Vec<String> {
        self.of(subject)
            .iter()
            .filter(|(p, _)| p == predicate)
            .filter_map(|(_, o)| match o {
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                Term::BlankNode(b) => Some(format!("_:{}", b.as_str())),
                Term::Literal(_) | Term::Triple(_) => None,
            })
            .collect()
    }

    /// The first literal value of a subject's predicate.
    pub fn value(&self, subject: &str, predicate: &str) -> Option<String> {
        self.of(subject).iter().find_map(|(p, o)| match o {
            Term::Literal(l) if p == predicate => Some(l.value().to_owned()),
            _ => None,
        })
    }

    /// Literal values of a predicate per language.
    pub fn texts(&self, subject: &str, predicate: &str) -> Texts {
        let mut texts = Texts::new();
        for (p, o) in self.of(subject) {
            if let Term::Literal(l) = o {
                if p == predicate {
                    texts
                        .entry(l.language().unwrap_or("").to_owned())
                        .or_insert_with(|| l.value().to_owned());
                }
            }
        }
        texts
    }

    /// Whether a subject has an rdf:type in the ModellDCAT-AP-NO namespace with this name.
    fn is_a(&self, subject: &str, local: &str) -> bool {
        let class = format!("{M}{local}");
        self.nodes(subject, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
            .contains(&class)
    }

    /// A concept's labels and help texts (its definition).
    pub async fn concept_texts(
        &mut self,
        app: &App,
        concept: &str,
    ) -> Result<(Texts, Texts), MappingError> {
        self.ensure(app, concept).await?;
        let mut labels = self.texts(concept, &format!("{SKOS}prefLabel"));
        for node in self.nodes(concept, SKOSXL_PREF_LABEL) {
            for (lang, text) in self.texts(&node, SKOSXL_LITERAL_FORM) {
                labels.entry(lang).or_insert(text);
            }
        }
        let mut help = self.texts(concept, &format!("{SKOS}definition"));
        for (predicate, text_predicate) in [
            (EUVOC_XL_DEFINITION, RDF_VALUE),
            (SKOSNO_DEFINISJON, RDF_VALUE),
            (SKOSNO_DEFINISJON_V1, RDFS_LABEL),
            (SKOSNO_BETYDNINGSBESKRIVELSE_V1, RDFS_LABEL),
        ] {
            for node in self.nodes(concept, predicate) {
                for (lang, text) in self.texts(&node, text_predicate) {
                    help.entry(lang).or_insert(text);
                }
            }
        }
        Ok((labels, help))
    }

    /// A concept's usage notes (`skos:scopeNote`, SKOS-AP-NO's "merknad") and examples
    /// (`skos:example`, "eksempel") per language.
    pub async fn concept_notes(
        &mut self,
        app: &App,
        concept: &str,
    ) -> Result<(Texts, Texts), MappingError> {
        self.ensure(app, concept).await?;
        Ok((
            self.texts(concept, &format!("{SKOS}scopeNote")),
            self.texts(concept, &format!("{SKOS}example")),
        ))
    }
}

/// Concept links of type fields made by mapping sets: field IRI -> concept IRI.
pub type ConceptLinks = HashMap<String, String>;

/// The fields of a type, depth first, under a path prefix (`/applicant`).
pub async fn walk(
    app: &App,
    graphs: &mut Graphs,
    links: &ConceptLinks,
    type_iri: &str,
    prefix: &[String],
    required: bool,
) -> Result<(Vec<Field>, Vec<String>), MappingError> {
    let mut fields = Vec::new();
    let mut reached = Vec::new();
    let mut stack: Vec<(String, Vec<String>, bool, usize)> =
        vec![(type_iri.to_owned(), prefix.to_vec(), required, 0)];
    let mut on_path: HashSet<(String, usize)> = HashSet::new();
    while let Some((owner, path, owner_required, depth)) = stack.pop() {
        graphs.ensure(app, &owner).await?;
        note(&mut reached, &owner);
        if depth > MAX_DEPTH || !on_path.insert((owner.clone(), path.len())) {
            continue;
        }
        let mut props: Vec<(u64, String)> = graphs
            .nodes(&owner, &format!("{M}hasProperty"))
            .into_iter()
            .map(|p| {
                let n = graphs
                    .value(&p, &format!("{M}sequenceNumber"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(u64::MAX);
                (n, p)
            })
            .collect();
        // Inherited properties come first.
        for general in graphs
            .nodes(&owner, &format!("{M}hasProperty"))
            .iter()
            .flat_map(|p| graphs.nodes(p, &format!("{M}hasGeneralConcept")))
            .collect::<Vec<_>>()
        {
            stack.push((general, path.clone(), owner_required, depth + 1));
        }
        props.sort();
        let mut children = Vec::new();
        for (_, prop) in props {
            if graphs.is_a(&prop, "Specialization") {
                continue;
            }
            // The JSON name: the XML name, else the untagged title, else any title.
            let titles = graphs.texts(&prop, DCT_TITLE);
            let Some(name) = graphs
                .value(&prop, XML_NAME)
                .or_else(|| titles.get("").cloned())
                .or_else(|| titles.values().next().cloned())
            else {
                continue;
            };
            let min = graphs
                .value(&prop, &format!("{M}minOccurs"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let max = match graphs.value(&prop, &format!("{M}maxOccurs")).as_deref() {
                Some("*") | Some("unbounded") => None,
                Some(n) => Some(n.parse().unwrap_or(1)),
                None => Some(1),
            };
            let mut field_path = path.clone();
            field_path.push(name.clone());
            let relative = pointer_of(&[name.as_str()]);
            let concept = graphs
                .nodes(&prop, DCT_SUBJECT)
                .into_iter()
                .next()
                .or_else(|| links.get(&field_iri(&owner, &relative)).cloned());
            let value =
                if let Some(object) = graphs.nodes(&prop, &format!("{M}hasObjectType")).first() {
                    graphs.ensure(app, object).await?;
                    if graphs.is_a(object, "SimpleType") {
                        note(&mut reached, object);
                        simple_value(graphs, app, object, None).await?
                    } else {
                        children.push((
                            object.clone(),
                            field_path.clone(),
                            owner_required && min > 0,
                        ));
                        FieldValue::Object {
                            type_iri: object.clone(),
                        }
                    }
                } else {
                    let list = graphs
                        .nodes(&prop, &format!("{M}hasValueFrom"))
                        .into_iter()
                        .next();
                    match graphs
                        .nodes(&prop, &format!("{M}hasSimpleType"))
                        .into_iter()
                        .chain(graphs.nodes(&prop, &format!("{M}hasDataType")))
                        .next()
                    {
                        Some(simple) => {
                            note(&mut reached, &simple);
                            simple_value(graphs, app, &simple, list).await?
                        }
                        None => FieldValue::Value {
                            builtin: "string".to_owned(),
                            code_list: list,
                            max_length: None,
                            pattern: None,
                        },
                    }
                };
            fields.push(Field {
                path: pointer_of(&field_path),
                name,
                owner: owner.clone(),
                min,
                max,
                required: owner_required && min > 0,
                value,
                concept,
                titles,
                descriptions: graphs.texts(&prop, DCT_DESCRIPTION),
            });
        }
        // Depth first, in property order: push children reversed.
        for (object, field_path, child_required) in children.into_iter().rev() {
            stack.push((object, field_path, child_required, depth + 1));
        }
    }
    // Fields in document order: sort by the position each path was discovered under its parent.
    let order: HashMap<String, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    fields.sort_by_key(|f| {
        let tokens = crate::mappings::pointer_tokens(&f.path);
        (1..=tokens.len())
            .map(|n| order.get(&pointer_of(&tokens[..n])).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    Ok((fields, reached))
}

/// Remembers a type reached (named ones only: skolem IRIs are parts of their owner).
fn note(reached: &mut Vec<String>, iri: &str) {
    if !iri.starts_with(GENID) && !iri.starts_with("_:") && !reached.iter().any(|r| r == iri) {
        reached.push(iri.to_owned());
    }
}

async fn simple_value(
    graphs: &mut Graphs,
    app: &App,
    simple: &str,
    list: Option<String>,
) -> Result<FieldValue, MappingError> {
    graphs.ensure(app, simple).await?;
    let builtin = graphs
        .value(simple, &format!("{M}typeDefinitionReference"))
        .and_then(|r| r.strip_prefix(XSD).map(str::to_owned))
        .unwrap_or_else(|| "string".to_owned());
    let list = list.or_else(|| {
        graphs
            .nodes(simple, &format!("{M}hasValueFrom"))
            .into_iter()
            .next()
    });
    Ok(FieldValue::Value {
        builtin,
        code_list: list,
        max_length: graphs
            .value(simple, &format!("{XSD}maxLength"))
            .and_then(|n| n.parse().ok()),
        pattern: graphs.value(simple, &format!("{XSD}pattern")),
    })
}
