//! The triples an export reads: the exported resource's named graph and, transitively, the
//! graphs of the registry resources it refers to (object types, simple types, code lists),
//! loaded from the oxigraph projection into a small subject-indexed map.

use super::TypesError;
use oxigraph::model::{GraphNameRef, NamedNodeRef, NamedOrBlankNode, Term};
use oxigraph::store::Store;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// The ModellDCAT-AP-NO namespace.
pub const M: &str = "https://data.norge.no/vocabulary/modelldcatno#";
/// Our own namespace.
pub const S: &str = "https://w3id.org/semreg/ns#";
/// rdf:type.
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// The XML Schema namespace (facets, built-in types).
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// The SKOS namespace.
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
/// The DCMI terms namespace.
pub const DCT: &str = "http://purl.org/dc/terms/";

/// More graphs than this in one export is refused (a runaway closure, not a data model).
const MAX_GRAPHS: usize = 20_000;

/// Predicates whose objects are other model elements an export needs.
const FOLLOWED: &[&str] = &[
    "hasObjectType",
    "hasSimpleType",
    "hasSimpletype",
    "hasDataType",
    "hasValueFrom",
    "hasGeneralConcept",
    "contains",
    "refersTo",
    "hasMember",
    "hasProperty",
];

/// An object of a triple: an IRI (or blank node label) or a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// An IRI (a blank node as `_:label`).
    Iri(String),
    /// A literal with its language tag (empty when none) and datatype IRI.
    Literal {
        /// The lexical form.
        value: String,
        /// The language tag, lower case, or empty.
        lang: String,
        /// The datatype IRI.
        datatype: String,
    },
}

/// Triples indexed by subject, with the set of subjects that have a named graph of their own
/// (registry resources).
#[derive(Debug, Default)]
pub struct Graph {
    by_subject: HashMap<String, Vec<(String, Object)>>,
    resources: BTreeSet<String>,
}

impl Graph {
    /// Builds a graph from `(subject, predicate, object)` triples; `resources` are the IRIs that
    /// are registry resources of their own.
    pub fn from_triples(
        triples: impl IntoIterator<Item = (String, String, Object)>,
        resources: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut graph = Graph::default();
        for (s, p, o) in triples {
            let entry = graph.by_subject.entry(s).or_default();
            if !entry.iter().any(|(p2, o2)| *p2 == p && *o2 == o) {
                entry.push((p, o));
            }
        }
        graph.resources = resources.into_iter().collect();
        graph
    }

    /// Whether an IRI is a registry resource (has a graph of its own).
    pub fn is_resource(&self, iri: &str) -> bool {
        self.resources.contains(iri)
    }

    /// How many registry resources the graph was loaded from.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// Whether the subject has any triple.
    pub fn knows(&self, subject: &str) -> bool {
        self.by_subject.contains_key(subject)
    }

    /// All subjects.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        self.by_subject.keys().map(String::as_str)
    }

    /// The objects of `subject predicate ?o`.
    pub fn objects<'g>(
        &'g self,
        subject: &str,
        predicate: &'g str,
    ) -> impl Iterator<Item = &'g Object> + 'g {
        self.by_subject
            .get(subject)
            .into_iter()
            .flatten()
            .filter(move |(p, _)| p == predicate)
            .map(|(_, o)| o)
    }

    /// The IRI objects of `subject predicate ?o`, sorted.
    pub fn iris(&self, subject: &str, predicate: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .objects(subject, predicate)
            .filter_map(|o| match o {
                Object::Iri(i) => Some(i.clone()),
                Object::Literal { .. } => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The first IRI object (in sorted order) of `subject predicate ?o`.
    pub fn iri(&self, subject: &str, predicate: &str) -> Option<String> {
        self.iris(subject, predicate).into_iter().next()
    }

    /// A literal of `subject predicate ?o` (the smallest, for determinism).
    pub fn value(&self, subject: &str, predicate: &str) -> Option<String> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Object::Literal { value, .. } => Some(value.clone()),
                Object::Iri(_) => None,
            })
            .min()
    }

    /// A literal of `subject predicate ?o` with its datatype.
    pub fn typed_value(&self, subject: &str, predicate: &str) -> Option<(String, String)> {
        self.objects(subject, predicate)
            .filter_map(|o| match o {
                Object::Literal {
                    value, datatype, ..
                } => Some((value.clone(), datatype.clone())),
                Object::Iri(_) => None,
            })
            .min()
    }

    /// A text of `subject predicate ?o` in `lang`, falling back nb → no → nn → en → untagged →
    /// any.
    pub fn text(&self, subject: &str, predicate: &str, lang: &str) -> Option<String> {
        let texts: Vec<(&str, &str)> = self
            .objects(subject, predicate)
            .filter_map(|o| match o {
                Object::Literal { value, lang, .. } => Some((lang.as_str(), value.as_str())),
                Object::Iri(_) => None,
            })
            .collect();
        if texts.is_empty() {
            return None;
        }
        let lang = lang.to_ascii_lowercase();
        for wanted in [lang.as_str(), "nb", "no", "nn", "en", ""] {
            let mut found: Vec<&str> = texts
                .iter()
                .filter(|(l, _)| *l == wanted || l.split('-').next() == Some(wanted))
                .map(|(_, v)| *v)
                .collect();
            found.sort();
            if let Some(first) = found.first() {
                return Some((*first).to_owned());
            }
        }
        texts.iter().map(|(_, v)| (*v).to_owned()).min()
    }

    /// Whether the subject has an rdf:type of `M` + `local`.
    pub fn is_a(&self, subject: &str, local: &str) -> bool {
        let class = format!("{M}{local}");
        self.objects(subject, RDF_TYPE)
            .any(|o| matches!(o, Object::Iri(i) if *i == class))
    }
}

impl Graph {
    /// The graph of an importer's resources, as the registry would hold them (each resource a
    /// graph of its own): for previews and tests without a store.
    pub fn from_imported(resources: &[semreg_importers::ImportedResource]) -> Self {
        let mut triples = Vec::new();
        for resource in resources {
            for t in &resource.triples {
                let subject = match &t.subject {
                    oxrdf::NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                    oxrdf::NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
                };
                let object = match &t.object {
                    oxrdf::Term::NamedNode(n) => Object::Iri(n.as_str().to_owned()),
                    oxrdf::Term::BlankNode(b) => Object::Iri(format!("_:{}", b.as_str())),
                    oxrdf::Term::Literal(l) => Object::Literal {
                        value: l.value().to_owned(),
                        lang: l.language().unwrap_or_default().to_ascii_lowercase(),
                        datatype: l.datatype().as_str().to_owned(),
                    },
                    #[allow(unreachable_patterns)]
                    _ => continue,
                };
                triples.push((subject, t.predicate.as_str().to_owned(), object));
            }
        }
        Graph::from_triples(triples, resources.iter().map(|r| r.iri.as_str().to_owned()))
    }
}

fn object_of(term: &Term) -> Object {
    match term {
        Term::NamedNode(n) => Object::Iri(n.as_str().to_owned()),
        Term::BlankNode(b) => Object::Iri(format!("_:{}", b.as_str())),
        Term::Literal(l) => Object::Literal {
            value: l.value().to_owned(),
            lang: l.language().unwrap_or_default().to_ascii_lowercase(),
            datatype: l.datatype().as_str().to_owned(),
        },
        #[allow(unreachable_patterns)]
        _ => Object::Iri(String::new()),
    }
}

/// Loads the named graph of `root` and, transitively, the named graphs of the resources its
/// elements refer to. Blocking (oxigraph): call from `spawn_blocking`.
pub fn load(store: &Store, root: &str) -> Result<Graph, TypesError> {
    let mut triples = Vec::new();
    let mut resources = Vec::new();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([root.to_owned()]);
    seen.insert(root.to_owned());
    let followed: Vec<String> = FOLLOWED.iter().map(|l| format!("{M}{l}")).collect();
    // A model lists its elements; a model without root elements is exported as all of them.
    let contains = format!("{M}containsModelElement");
    while let Some(iri) = queue.pop_front() {
        let is_root = iri == root;
        let Ok(name) = NamedNodeRef::new(&iri) else {
            continue;
        };
        if !store.contains_named_graph(name)? {
            continue;
        }
        resources.push(iri.clone());
        if resources.len() > MAX_GRAPHS {
            return Err(TypesError::TooLarge(MAX_GRAPHS));
        }
        for quad in store.quads_for_pattern(None, None, None, Some(GraphNameRef::from(name))) {
            let quad = quad?;
            let subject = match &quad.subject {
                NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
            };
            let predicate = quad.predicate.as_str().to_owned();
            let object = object_of(&quad.object);
            if followed.contains(&predicate) || (is_root && predicate == contains) {
                if let Object::Iri(target) = &object {
                    if seen.insert(target.clone()) {
                        queue.push_back(target.clone());
                    }
                }
            }
            triples.push((subject, predicate, object));
        }
    }
    Ok(Graph::from_triples(triples, resources))
}
