//! Splitting one (skolemized) graph into resources, each with its own graph.
//!
//! The rules, in the order they are applied:
//!
//! 1. **Roots by type.** A named subject typed skos:Concept, skos:Collection, skos:ConceptScheme /
//!    modelldcatno:CodeList, a ModellDCAT-AP-NO type (ObjectType, SimpleType, DataType,
//!    RootObjectType, legacy ModelElement), an information model, dcat:Catalog or owl:Ontology is
//!    a root (see [`kind_of_types`] for the priority when it has several). A skolem subject
//!    (a former blank node) is a root only when no other subject references it.
//! 2. **Code lists by use.** An IRI that subjects point to with skos:inScheme / skos:topConceptOf
//!    (or that has skos:hasTopConcept) is a code list even without a type, when it is described
//!    in the file or its members are untyped (EU authority tables come as such SPARQL results).
//! 3. **Codes.** Members of a code list in the file (skos:inScheme, skos:topConceptOf,
//!    skos:hasTopConcept, legacy dcatnoinfo:containsCodename) belong to the list's graph; a
//!    skos:Concept among them is a code, not a Concept resource of its own. A concept whose
//!    scheme is not in the file stays a Concept.
//! 4. **Records.** A subject with foaf:primaryTopic pointing to a root (an FDK dcat:CatalogRecord)
//!    belongs to that root's graph (not to the catalog that lists it).
//! 5. **Graphs.** A root's graph is its own triples plus, transitively, those of the subjects its
//!    triples point to (rdf:type objects excepted), stopping at other roots and at codes and
//!    records that belong to another root: the linking triple is kept, the other root's triples
//!    are not. A part reached from several roots is copied into each.
//! 6. **Orphans** (subjects no root reaches) in a file with exactly one ontology are the
//!    ontology's terms and go to it. Otherwise they are attached to every root they lead to (through
//!    other orphans), or to a root whose graph holds a part they lead to. Orphans that lead
//!    nowhere themselves go with the orphans that lead to them.
//! 7. **Leftovers**, in turn: an untyped subject `S` with two or more leftover children
//!    `S/<code>` is a code list of them (the EU authority table pattern); SHACL shapes with no
//!    ontology form one Vocabulary whose IRI is the file's untyped, unreferenced header subject;
//!    then everything left goes to the file's single Catalog or Vocabulary root, or else to its
//!    single root; otherwise each typed named subject left becomes a root of kind
//!    [`ResourceKind::Other`], and what still reaches no root is reported in a warning.
//!
//! Every triple ends up in at least one resource graph or is counted in a warning.

use std::collections::{BTreeSet, VecDeque};

use std::collections::BTreeMap;

use oxrdf::{NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef, Triple};

use crate::skolem::is_skolem_iri;
use crate::vocab;
use crate::{FastMap, FastSet, ImportWarning, ImportedResource, ResourceKind};

mod labels;
mod orphans;

/// How many subject IRIs a warning lists at most.
const LISTED_IN_WARNING: usize = 5;

/// The resources found in a graph, and what was noticed on the way.
#[derive(Debug, Clone, Default)]
pub struct Split {
    /// The resources, sorted by IRI.
    pub resources: Vec<ImportedResource>,
    /// Inferences made and triples that could not be placed.
    pub warnings: Vec<ImportWarning>,
}

/// Splits a graph (blank nodes skolemized) into resources; see the module documentation.
pub fn split(triples: Vec<Triple>) -> Split {
    let mut splitter = Splitter::new(&triples);
    splitter.find_typed_roots();
    splitter.find_code_lists_by_use();
    splitter.find_codes();
    splitter.find_records();
    splitter.grow_all();
    if !splitter.absorb_into_single_vocabulary() {
        splitter.attach_orphans();
    }
    splitter.place_leftovers();
    let (planned, warnings) = splitter.finish();
    Split {
        resources: take_triples(triples, planned),
        warnings,
    }
}

/// A resource whose graph is known by triple numbers, before the triples are moved into it.
struct Planned {
    iri: NamedNode,
    kind: ResourceKind,
    labels: BTreeMap<String, String>,
    triples: Vec<usize>,
}

/// Moves each triple into the resource that holds it (copying only the few that more than one
/// resource holds), in canonical order, with the canonical N-Triples made once.
fn take_triples(triples: Vec<Triple>, planned: Vec<Planned>) -> Vec<ImportedResource> {
    let mut uses = vec![0u32; triples.len()];
    for plan in &planned {
        for &at in &plan.triples {
            uses[at] += 1;
        }
    }
    let mut slots: Vec<Option<Triple>> = triples.into_iter().map(Some).collect();
    planned
        .into_iter()
        .map(|plan| {
            let mut lines: Vec<(String, usize)> = plan
                .triples
                .iter()
                .map(|&at| {
                    let triple = slots[at]
                        .as_ref()
                        .expect("a triple is taken by its last user");
                    (format!("{triple} ."), at)
                })
                .collect();
            lines.sort_unstable();
            lines.dedup_by(|a, b| a.0 == b.0);
            let mut canonical = String::with_capacity(lines.iter().map(|(l, _)| l.len() + 1).sum());
            let mut graph = Vec::with_capacity(lines.len());
            for (line, at) in lines {
                canonical.push_str(&line);
                canonical.push('\n');
                uses[at] -= 1;
                graph.push(if uses[at] == 0 {
                    slots[at].take().expect("a triple is taken once")
                } else {
                    slots[at]
                        .clone()
                        .expect("a triple is taken by its last user")
                });
            }
            ImportedResource {
                iri: plan.iri,
                kind: plan.kind,
                labels: plan.labels,
                triples: graph,
                canonical,
            }
        })
        .collect()
}

/// The kind of resource a set of rdf:type IRIs makes a subject, if any.
///
/// When a subject has several, the first of Catalog, ServiceModel, Mapping, Model, CodeList, Type,
/// Collection, Concept, Vocabulary wins (an owl:Ontology that is also a skos:ConceptScheme is a
/// code list).
pub fn kind_of_types<'t>(types: impl IntoIterator<Item = &'t str>) -> Option<ResourceKind> {
    types
        .into_iter()
        .filter_map(kind_of_type)
        .min_by_key(|kind| match kind {
            ResourceKind::Catalog => 0,
            ResourceKind::ServiceModel => 1,
            ResourceKind::Mapping => 2,
            ResourceKind::Model => 3,
            ResourceKind::CodeList => 4,
            ResourceKind::Type => 5,
            ResourceKind::Correspondence => 6,
            ResourceKind::Collection => 7,
            ResourceKind::Concept => 8,
            ResourceKind::Vocabulary => 9,
            ResourceKind::Other => 10,
        })
}

fn kind_of_type(class: &str) -> Option<ResourceKind> {
    Some(match class {
        vocab::DCAT_CATALOG => ResourceKind::Catalog,
        vocab::MODELLDCATNO_INFORMATION_MODEL | vocab::DCATNOINFO_INFORMATION_MODEL => {
            ResourceKind::Model
        }
        vocab::SKOS_CONCEPT_SCHEME
        | vocab::MODELLDCATNO_CODE_LIST
        | vocab::DCATNOINFO_CODE_LIST => ResourceKind::CodeList,
        vocab::MODELLDCATNO_OBJECT_TYPE
        | vocab::MODELLDCATNO_ROOT_OBJECT_TYPE
        | vocab::MODELLDCATNO_SIMPLE_TYPE
        | vocab::MODELLDCATNO_DATA_TYPE
        | vocab::DCATNOINFO_MODEL_ELEMENT => ResourceKind::Type,
        crate::correspondence::XKOS_CORRESPONDENCE => ResourceKind::Correspondence,
        vocab::SKOS_COLLECTION => ResourceKind::Collection,
        vocab::SKOS_CONCEPT => ResourceKind::Concept,
        vocab::OWL_ONTOLOGY => ResourceKind::Vocabulary,
        vocab::SSSOM_MAPPING_SET => ResourceKind::Mapping,
        vocab::SEMREG_SERVICE_MODEL => ResourceKind::ServiceModel,
        _ => return None,
    })
}

/// A subject of the graph (an IRI, or a blank node if the caller did not skolemize).
type Key<'a> = NamedOrBlankNodeRef<'a>;

/// The subject an object term stands for, if it can be one.
fn object_key(term: &Term) -> Option<Key<'_>> {
    match term.as_ref() {
        TermRef::NamedNode(n) => Some(Key::NamedNode(n)),
        TermRef::BlankNode(b) => Some(Key::BlankNode(b)),
        _ => None,
    }
}

fn named(key: Key<'_>) -> Option<NamedNodeRef<'_>> {
    match key {
        Key::NamedNode(n) => Some(n),
        Key::BlankNode(_) => None,
    }
}

/// Whether a subject stands for a blank node (so belongs to what references it).
fn is_part_like(key: Key<'_>) -> bool {
    named(key).is_none_or(|n| is_skolem_iri(n.as_str()))
}

struct Root<'a> {
    iri: NamedNodeRef<'a>,
    kind: ResourceKind,
    triples: BTreeSet<usize>,
}

struct Splitter<'a> {
    triples: &'a [Triple],
    /// Triple numbers by subject.
    by_subject: FastMap<Key<'a>, Vec<usize>>,
    /// Subjects in a stable order (by their N-Triples form).
    subjects: Vec<Key<'a>>,
    /// rdf:type IRIs by subject.
    types: FastMap<Key<'a>, Vec<&'a str>>,
    /// Subjects that are the object of a non-rdf:type triple of another subject.
    referenced: FastSet<Key<'a>>,
    roots: Vec<Root<'a>>,
    /// Roots found to be something else (concepts that are codes); their slots stay unused.
    dead: FastSet<usize>,
    root_of: FastMap<Key<'a>, usize>,
    /// Codes and records: the roots they belong to (a stop for every other root).
    owned_by: FastMap<Key<'a>, BTreeSet<usize>>,
    /// Subjects placed so far, with the roots whose graphs hold them.
    covered_by: FastMap<Key<'a>, BTreeSet<usize>>,
    warnings: Vec<ImportWarning>,
}

impl<'a> Splitter<'a> {
    fn new(triples: &'a [Triple]) -> Self {
        let mut by_subject: FastMap<Key<'a>, Vec<usize>> = FastMap::default();
        let mut types: FastMap<Key<'a>, Vec<&'a str>> = FastMap::default();
        let mut referenced = FastSet::default();
        for (at, triple) in triples.iter().enumerate() {
            let subject = triple.subject.as_ref();
            by_subject.entry(subject).or_default().push(at);
            if triple.predicate.as_str() == vocab::RDF_TYPE {
                if let Term::NamedNode(class) = &triple.object {
                    types.entry(subject).or_default().push(class.as_str());
                }
            } else if let Some(object) = object_key(&triple.object) {
                if object != subject {
                    referenced.insert(object);
                }
            }
        }
        let mut subjects: Vec<Key<'a>> = by_subject.keys().copied().collect();
        subjects.sort_by_cached_key(|k| k.to_string());
        Self {
            triples,
            by_subject,
            subjects,
            types,
            referenced,
            roots: Vec::new(),
            dead: FastSet::default(),
            root_of: FastMap::default(),
            owned_by: FastMap::default(),
            covered_by: FastMap::default(),
            warnings: Vec::new(),
        }
    }

    fn triples_of(&self, key: Key<'a>) -> &[usize] {
        self.by_subject.get(&key).map_or(&[], Vec::as_slice)
    }

    fn types_of(&self, key: Key<'a>) -> &[&'a str] {
        self.types.get(&key).map_or(&[], Vec::as_slice)
    }

    fn add_root(&mut self, iri: NamedNodeRef<'a>, kind: ResourceKind) -> usize {
        let key = Key::NamedNode(iri);
        if let Some(&existing) = self.root_of.get(&key) {
            return existing;
        }
        self.roots.push(Root {
            iri,
            kind,
            triples: BTreeSet::new(),
        });
        let id = self.roots.len() - 1;
        self.root_of.insert(key, id);
        id
    }

    fn warn(&mut self, location: Option<String>, message: String) {
        self.warnings.push(ImportWarning { location, message });
    }

    /// Rule 1: roots by rdf:type.
    fn find_typed_roots(&mut self) {
        for at in 0..self.subjects.len() {
            let key = self.subjects[at];
            let Some(iri) = named(key) else { continue };
            let Some(kind) = kind_of_types(self.types_of(key).iter().copied()) else {
                continue;
            };
            if is_skolem_iri(iri.as_str()) && self.referenced.contains(&key) {
                continue; // part of whatever references it
            }
            self.add_root(iri, kind);
        }
    }

    /// The scheme links of the graph: (member, scheme) for inScheme / topConceptOf /
    /// hasTopConcept, and legacy containsCodename.
    fn scheme_links(&self) -> Vec<(Key<'a>, Key<'a>)> {
        let mut links = Vec::new();
        for triple in self.triples {
            let Some(object) = object_key(&triple.object) else {
                continue;
            };
            let subject = triple.subject.as_ref();
            match triple.predicate.as_str() {
                vocab::SKOS_IN_SCHEME | vocab::SKOS_TOP_CONCEPT_OF => links.push((subject, object)),
                vocab::SKOS_HAS_TOP_CONCEPT | vocab::DCATNOINFO_CONTAINS_CODENAME => {
                    links.push((object, subject))
                }
                _ => {}
            }
        }
        links.sort_by_cached_key(|(m, s)| (s.to_string(), m.to_string()));
        links.dedup();
        links
    }

    /// Rule 2: code lists known only from their members' skos:inScheme and the like.
    fn find_code_lists_by_use(&mut self) {
        let mut inferred = BTreeSet::new();
        for (member, scheme) in self.scheme_links() {
            let Some(iri) = named(scheme) else { continue };
            if self.root_of.contains_key(&scheme) || is_skolem_iri(iri.as_str()) {
                continue;
            }
            let described = self.by_subject.contains_key(&scheme);
            let member_is_resource = self.root_of.contains_key(&member);
            if described || !member_is_resource {
                inferred.insert(iri);
            }
        }
        for iri in inferred {
            self.add_root(iri, ResourceKind::CodeList);
            self.warn(
                Some(iri.as_str().to_owned()),
                "has no rdf:type skos:ConceptScheme or modelldcatno:CodeList, but codes in the \
                 file name it as their scheme: imported as a code list"
                    .to_owned(),
            );
        }
    }

    /// Rule 3: members of a code list in the file belong to it.
    fn find_codes(&mut self) {
        for (member, scheme) in self.scheme_links() {
            let Some(&list) = self.root_of.get(&scheme) else {
                continue;
            };
            if self.roots[list].kind != ResourceKind::CodeList {
                continue;
            }
            if !self.by_subject.contains_key(&member) {
                continue;
            }
            if let Some(&own) = self.root_of.get(&member) {
                if self.roots[own].kind != ResourceKind::Concept {
                    continue; // a code list, type or model listed in a scheme stays itself
                }
                self.demote(member);
            }
            self.owned_by.entry(member).or_default().insert(list);
        }
    }

    /// Makes a root an ordinary subject again (a concept found to be a code).
    fn demote(&mut self, key: Key<'a>) {
        if let Some(id) = self.root_of.remove(&key) {
            // Keep the numbering of the other roots: mark the slot as dead.
            self.roots[id].kind = ResourceKind::Other;
            self.roots[id].triples.clear();
            self.dead.insert(id);
        }
    }

    /// Rule 4: subjects with foaf:primaryTopic pointing to roots belong to those roots.
    fn find_records(&mut self) {
        for at in 0..self.triples.len() {
            let triple = &self.triples[at];
            if triple.predicate.as_str() != vocab::FOAF_PRIMARY_TOPIC {
                continue;
            }
            let subject = triple.subject.as_ref();
            if self.root_of.contains_key(&subject) || self.owned_by.contains_key(&subject) {
                continue;
            }
            let Some(topic) = object_key(&triple.object).and_then(|o| self.root_of.get(&o)) else {
                continue;
            };
            let topic = *topic;
            self.owned_by.entry(subject).or_default().insert(topic);
        }
    }

    fn live_roots(&self) -> Vec<usize> {
        (0..self.roots.len())
            .filter(|id| !self.dead.contains(id))
            .collect()
    }

    /// Rule 5: the graph of every root.
    fn grow_all(&mut self) {
        let mut owned: FastMap<usize, Vec<Key<'a>>> = FastMap::default();
        for (key, owners) in &self.owned_by {
            for &owner in owners {
                owned.entry(owner).or_default().push(*key);
            }
        }
        for id in self.live_roots() {
            let owned = owned.remove(&id).unwrap_or_default();
            self.grow(id, owned);
        }
    }

    /// [`Splitter::grow`] for one root found late (its owned subjects looked up by scanning).
    fn grow_one(&mut self, id: usize) {
        let owned = self
            .owned_by
            .iter()
            .filter(|(_, owners)| owners.contains(&id))
            .map(|(k, _)| *k)
            .collect();
        self.grow(id, owned);
    }

    /// Adds a root's closure to its graph: its own triples, those of its codes and records,
    /// and of the parts they lead to.
    fn grow(&mut self, id: usize, mut owned: Vec<Key<'a>>) {
        let start = Key::NamedNode(self.roots[id].iri);
        let mut queue: VecDeque<Key<'a>> = VecDeque::from([start]);
        owned.sort_by_cached_key(|k| k.to_string());
        queue.extend(owned);
        let mut visited: FastSet<Key<'a>> = queue.iter().copied().collect();
        let mut added = Vec::new();
        while let Some(subject) = queue.pop_front() {
            self.covered_by.entry(subject).or_default().insert(id);
            for &at in self.triples_of(subject) {
                added.push(at);
                let triple = &self.triples[at];
                if triple.predicate.as_str() == vocab::RDF_TYPE {
                    continue;
                }
                let Some(object) = object_key(&triple.object) else {
                    continue;
                };
                if visited.contains(&object) || !self.by_subject.contains_key(&object) {
                    continue;
                }
                if self.root_of.contains_key(&object) {
                    continue; // another root: keep the link, not its triples
                }
                if self
                    .owned_by
                    .get(&object)
                    .is_some_and(|owners| !owners.contains(&id))
                {
                    continue; // a code or record of another root
                }
                visited.insert(object);
                queue.push_back(object);
            }
        }
        self.roots[id].triples.extend(added);
    }

    fn uncovered(&self) -> Vec<Key<'a>> {
        self.subjects
            .iter()
            .copied()
            .filter(|k| !self.covered_by.contains_key(k))
            .collect()
    }

    fn finish(mut self) -> (Vec<Planned>, Vec<ImportWarning>) {
        let mut planned: Vec<Planned> = self
            .live_roots()
            .into_iter()
            .map(|id| {
                let root = &self.roots[id];
                Planned {
                    iri: root.iri.into_owned(),
                    kind: root.kind,
                    labels: self.labels(Key::NamedNode(root.iri)),
                    triples: root.triples.iter().copied().collect(),
                }
            })
            .collect();
        planned.sort_by(|a, b| a.iri.cmp(&b.iri));
        (planned, std::mem::take(&mut self.warnings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skolem::skolemize;
    use oxrdfio::{RdfFormat, RdfParser};
    use std::collections::HashSet;

    const PREFIXES: &str = "@prefix ex: <http://example.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix modelldcatno: <https://data.norge.no/vocabulary/modelldcatno#> .
";

    fn split_turtle(body: &str) -> (Vec<Triple>, Split) {
        let text = format!("{PREFIXES}{body}");
        let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(&text)
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()
            .expect("valid turtle");
        let triples = skolemize(triples).triples;
        let split = split(triples.clone());
        (triples, split)
    }

    fn resource<'s>(split: &'s Split, iri: &str) -> &'s ImportedResource {
        split
            .resources
            .iter()
            .find(|r| r.iri.as_str() == iri)
            .unwrap_or_else(|| panic!("no resource {iri}"))
    }

    fn subjects(resource: &ImportedResource) -> BTreeSet<String> {
        resource
            .triples
            .iter()
            .map(|t| t.subject.to_string())
            .collect()
    }

    fn assert_nothing_lost(triples: &[Triple], split: &Split) {
        let union: HashSet<&Triple> = split.resources.iter().flat_map(|r| &r.triples).collect();
        for triple in triples {
            assert!(union.contains(triple), "lost {triple}");
        }
    }

    #[test]
    fn concepts_with_their_scheme_in_the_file_are_codes_of_the_code_list() {
        let (triples, split) = split_turtle(
            "ex:list a skos:ConceptScheme ; skos:prefLabel \"Liste\"@nb .
             ex:a a skos:Concept ; skos:inScheme ex:list ; skos:prefLabel \"A\"@nb .
             ex:b a skos:Concept ; skos:topConceptOf ex:list ; skos:definition [ rdfs:label \"def\" ] .",
        );
        assert_eq!(split.resources.len(), 1);
        let list = resource(&split, "http://example.org/list");
        assert_eq!(list.kind, ResourceKind::CodeList);
        assert_eq!(list.triples.len(), triples.len());
        assert_nothing_lost(&triples, &split);
    }

    #[test]
    fn a_concept_whose_scheme_is_not_in_the_file_stays_a_concept() {
        let (_, split) =
            split_turtle("ex:a a skos:Concept ; skos:inScheme <http://elsewhere.org/scheme> .");
        assert_eq!(split.resources.len(), 1);
        assert_eq!(split.resources[0].kind, ResourceKind::Concept);
    }

    #[test]
    fn untyped_codes_make_their_scheme_a_code_list() {
        let (triples, split) = split_turtle(
            "ex:list owl:versionInfo \"1\" .
             ex:list_A skos:inScheme ex:list ; skos:prefLabel \"A\"@en .
             ex:list_B skos:inScheme ex:list ; skos:prefLabel \"B\"@en .",
        );
        assert_eq!(split.resources.len(), 1);
        assert_eq!(split.resources[0].kind, ResourceKind::CodeList);
        assert_eq!(split.warnings.len(), 1);
        assert_nothing_lost(&triples, &split);
    }

    #[test]
    fn graph_stops_at_other_roots_but_keeps_the_link() {
        let (_, split) = split_turtle(
            "ex:c1 a skos:Concept ; skos:broader ex:c2 ; dct:publisher ex:org .
             ex:c2 a skos:Concept ; dct:publisher ex:org .
             ex:org foaf:name \"Etaten\"@nb .",
        );
        let c1 = resource(&split, "http://example.org/c1");
        assert!(c1
            .triples
            .iter()
            .any(|t| t.predicate.as_str() == "http://www.w3.org/2004/02/skos/core#broader"));
        assert!(!subjects(c1).contains("<http://example.org/c2>"));
        // The publisher, reached from both, is copied into each.
        assert!(subjects(c1).contains("<http://example.org/org>"));
        assert!(subjects(resource(&split, "http://example.org/c2"))
            .contains("<http://example.org/org>"));
    }

    #[test]
    fn blank_node_parts_belong_to_the_resource_that_references_them() {
        let (_, split) = split_turtle(
            "ex:type a modelldcatno:ObjectType ; modelldcatno:hasProperty [ a modelldcatno:Attribute ; dct:title \"navn\" ; modelldcatno:hasSimpleType ex:tekst ] .
             ex:tekst a modelldcatno:SimpleType .
             ex:c a skos:Concept ; skos:definition [ a skos:Concept ; rdfs:label \"typed part\" ] .",
        );
        assert_eq!(split.resources.len(), 3);
        assert_eq!(
            resource(&split, "http://example.org/type").kind,
            ResourceKind::Type
        );
        assert_eq!(resource(&split, "http://example.org/type").triples.len(), 5);
        assert_eq!(resource(&split, "http://example.org/c").triples.len(), 4);
    }

    #[test]
    fn catalog_records_go_with_their_primary_topic() {
        let (triples, split) = split_turtle(
            "ex:cat a dcat:Catalog ; dcat:record ex:rec ; ex:concept ex:c .
             ex:c a skos:Concept .
             ex:rec a dcat:CatalogRecord ; foaf:primaryTopic ex:c ; dct:issued \"2020\" .
             ex:rec2 a dcat:CatalogRecord ; foaf:primaryTopic ex:cat .",
        );
        let concept = resource(&split, "http://example.org/c");
        assert!(subjects(concept).contains("<http://example.org/rec>"));
        let catalog = resource(&split, "http://example.org/cat");
        assert!(!subjects(catalog).contains("<http://example.org/rec>"));
        assert!(subjects(catalog).contains("<http://example.org/rec2>"));
        assert_nothing_lost(&triples, &split);
    }

    #[test]
    fn orphans_attach_to_the_roots_they_lead_to() {
        let (triples, split) = split_turtle(
            "ex:c1 a skos:Concept .
             ex:c2 a skos:Concept .
             ex:note ex:about ex:c1 ; ex:detail ex:detail .
             ex:detail rdfs:label \"detalj\" .",
        );
        let c1 = resource(&split, "http://example.org/c1");
        assert!(subjects(c1).contains("<http://example.org/note>"));
        assert!(subjects(c1).contains("<http://example.org/detail>"));
        assert!(!subjects(resource(&split, "http://example.org/c2"))
            .contains("<http://example.org/note>"));
        assert_nothing_lost(&triples, &split);
    }

    #[test]
    fn ontology_terms_go_to_the_single_ontology() {
        let (triples, split) = split_turtle(
            "<http://example.org/onto> a owl:Ontology .
             ex:Klasse a owl:Class ; rdfs:label \"Klasse\"@nb ; owl:oneOf ( ex:verdi ) .
             ex:verdi a skos:Concept .",
        );
        assert_eq!(split.resources.len(), 2);
        let onto = resource(&split, "http://example.org/onto");
        assert_eq!(onto.kind, ResourceKind::Vocabulary);
        assert!(subjects(onto).contains("<http://example.org/Klasse>"));
        assert_eq!(
            resource(&split, "http://example.org/verdi").triples.len(),
            1
        );
        assert_nothing_lost(&triples, &split);
    }

    #[test]
    fn typed_leftovers_become_other_and_untyped_leftovers_are_reported() {
        let (_, split) = split_turtle(
            "ex:c1 a skos:Concept .
             ex:c2 a skos:Concept .
             ex:place a dct:Location ; dct:title \"Oslo\" ; dct:spatial [ ex:lat 59.9 ] .
             ex:loose rdfs:comment \"nobody links here\" .",
        );
        let place = resource(&split, "http://example.org/place");
        assert_eq!(place.kind, ResourceKind::Other);
        assert_eq!(place.triples.len(), 4);
        assert!(split
            .resources
            .iter()
            .all(|r| r.iri.as_str() != "http://example.org/loose"));
        assert!(split
            .warnings
            .iter()
            .any(|w| w.message.contains("1 triples about 1 untyped subjects")));
        assert!(split
            .warnings
            .iter()
            .any(|w| w.message.contains("kind other")));
    }

    #[test]
    fn leftovers_go_to_the_only_resource_of_the_file() {
        let (triples, split) = split_turtle(
            "ex:c1 a skos:Concept .
             ex:loose rdfs:comment \"nobody links here\" .",
        );
        assert_eq!(split.resources.len(), 1);
        assert_nothing_lost(&triples, &split);
    }

    #[test]
    fn labels_follow_the_priority_of_label_properties_per_language() {
        let (_, split) = split_turtle(
            "ex:c a skos:Concept ;
                rdfs:label \"rdfs\"@nb , \"english\"@EN-gb , \"plain\" ;
                skosxl:prefLabel [ skosxl:literalForm \"xl\"@nb ] ;
                dct:title \"tittel\"@nn ;
                skos:prefLabel \"pref\"@nn .",
        );
        let labels = &split.resources[0].labels;
        assert_eq!(labels.get("nb").map(String::as_str), Some("xl"));
        assert_eq!(labels.get("nn").map(String::as_str), Some("pref"));
        assert_eq!(labels.get("en-gb").map(String::as_str), Some("english"));
        assert_eq!(labels.get("").map(String::as_str), Some("plain"));
    }

    #[test]
    fn a_subject_with_several_root_types_takes_the_strongest_kind() {
        assert_eq!(
            kind_of_types([vocab::OWL_ONTOLOGY, vocab::SKOS_CONCEPT_SCHEME]),
            Some(ResourceKind::CodeList)
        );
        assert_eq!(
            kind_of_types([vocab::SKOS_CONCEPT, vocab::DCAT_CATALOG]),
            Some(ResourceKind::Catalog)
        );
        assert_eq!(kind_of_types(["http://example.org/Thing"]), None);
    }

    #[test]
    fn resources_are_sorted_by_iri() {
        let (_, split) =
            split_turtle("ex:b a skos:Concept . ex:a a skos:Concept . ex:c a skos:Collection .");
        let iris: Vec<&str> = split.resources.iter().map(|r| r.iri.as_str()).collect();
        assert_eq!(
            iris,
            [
                "http://example.org/a",
                "http://example.org/b",
                "http://example.org/c"
            ]
        );
    }
}
