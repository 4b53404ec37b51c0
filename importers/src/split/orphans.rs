//! Placing what no root reaches: orphans, code lists and shape documents found by pattern,
//! leftovers (rules 6 and 7 of [`super`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use oxrdf::NamedNodeRef;

use super::{is_part_like, named, object_key, Key, Splitter, LISTED_IN_WARNING};
use crate::skolem::is_skolem_iri;
use crate::vocab;
use crate::{FastMap, FastSet, ResourceKind};

impl<'a> Splitter<'a> {
    /// Rule 6: orphans go to the roots they lead to.
    pub(super) fn attach_orphans(&mut self) {
        let orphans = self.uncovered();
        if orphans.is_empty() {
            return;
        }
        let orphan_set: FastSet<Key<'a>> = orphans.iter().copied().collect();
        // Edges between orphans, and the roots each orphan points to directly.
        let mut successors: FastMap<Key<'a>, Vec<Key<'a>>> = FastMap::default();
        let mut predecessors: FastMap<Key<'a>, Vec<Key<'a>>> = FastMap::default();
        let mut targets: FastMap<Key<'a>, BTreeSet<usize>> = FastMap::default();
        for &orphan in &orphans {
            let mut direct = BTreeSet::new();
            let mut topics = BTreeSet::new();
            for &at in self.triples_of(orphan) {
                let triple = &self.triples[at];
                if triple.predicate.as_str() == vocab::RDF_TYPE {
                    continue;
                }
                let Some(object) = object_key(&triple.object) else {
                    continue;
                };
                if orphan_set.contains(&object) {
                    if object != orphan {
                        successors.entry(orphan).or_default().push(object);
                        predecessors.entry(object).or_default().push(orphan);
                    }
                } else if let Some(owners) = self.covered_by.get(&object) {
                    direct.extend(owners.iter().copied());
                    if triple.predicate.as_str() == vocab::FOAF_PRIMARY_TOPIC {
                        topics.extend(owners.iter().copied());
                    }
                }
            }
            // A record goes to what it is about, not to everything it mentions.
            targets.insert(orphan, if topics.is_empty() { direct } else { topics });
        }
        // Propagate backwards: an orphan leads to whatever its successors lead to.
        let mut work: VecDeque<Key<'a>> = orphans.iter().copied().collect();
        while let Some(node) = work.pop_front() {
            let found = targets.get(&node).cloned().unwrap_or_default();
            if found.is_empty() {
                continue;
            }
            for &pred in predecessors.get(&node).map_or(&[][..], Vec::as_slice) {
                let entry = targets.entry(pred).or_default();
                let before = entry.len();
                entry.extend(found.iter().copied());
                if entry.len() != before {
                    work.push_back(pred);
                }
            }
        }
        // Orphans that lead nowhere go with the orphans that lead to them.
        let mut inherited: FastMap<Key<'a>, BTreeSet<usize>> = FastMap::default();
        let mut work: VecDeque<Key<'a>> = orphans
            .iter()
            .copied()
            .filter(|k| targets.get(k).is_some_and(|t| !t.is_empty()))
            .collect();
        while let Some(node) = work.pop_front() {
            let found = match targets.get(&node).filter(|t| !t.is_empty()) {
                Some(own) => own.clone(),
                None => inherited.get(&node).cloned().unwrap_or_default(),
            };
            for &next in successors.get(&node).map_or(&[][..], Vec::as_slice) {
                if targets.get(&next).is_some_and(|t| !t.is_empty()) {
                    continue;
                }
                let entry = inherited.entry(next).or_default();
                let before = entry.len();
                entry.extend(found.iter().copied());
                if entry.len() != before {
                    work.push_back(next);
                }
            }
        }
        for orphan in orphans {
            let owners = match targets.get(&orphan).filter(|t| !t.is_empty()) {
                Some(own) => own.clone(),
                None => inherited.get(&orphan).cloned().unwrap_or_default(),
            };
            for id in owners {
                let triples = self.triples_of(orphan).to_vec();
                self.roots[id].triples.extend(triples);
                self.covered_by.entry(orphan).or_default().insert(id);
            }
        }
    }

    /// In a file with one ontology, what no root reaches is the ontology's own terms (classes,
    /// properties, their lists): they go to the ontology, not to individuals they mention.
    pub(super) fn absorb_into_single_vocabulary(&mut self) -> bool {
        let vocabularies: Vec<usize> = self
            .live_roots()
            .into_iter()
            .filter(|&id| self.roots[id].kind == ResourceKind::Vocabulary)
            .collect();
        let [id] = vocabularies.as_slice() else {
            return false;
        };
        for key in self.uncovered() {
            let triples = self.triples_of(key).to_vec();
            self.roots[*id].triples.extend(triples);
            self.covered_by.entry(key).or_default().insert(*id);
        }
        true
    }

    /// Rule 7: what is still not placed.
    pub(super) fn place_leftovers(&mut self) {
        if self.uncovered().is_empty() {
            return;
        }
        self.find_authority_tables();
        self.find_shapes_document();
        self.attach_orphans();
        let leftovers = self.uncovered();
        if leftovers.is_empty() {
            return;
        }
        let live = self.live_roots();
        let hubs: Vec<usize> = live
            .iter()
            .copied()
            .filter(|&id| {
                matches!(
                    self.roots[id].kind,
                    ResourceKind::Catalog | ResourceKind::Vocabulary
                )
            })
            .collect();
        let single = match (hubs.as_slice(), live.as_slice()) {
            ([hub], _) => Some(*hub),
            ([], [only]) => Some(*only),
            _ => None,
        };
        if let Some(id) = single {
            let count = leftovers.len();
            for key in leftovers {
                let triples = self.triples_of(key).to_vec();
                self.roots[id].triples.extend(triples);
                self.covered_by.entry(key).or_default().insert(id);
            }
            if self.roots[id].kind != ResourceKind::Vocabulary {
                self.warn(
                    Some(self.roots[id].iri.as_str().to_owned()),
                    format!(
                        "{count} subjects not linked from any resource were added to this {}, \
                         the only one in the file",
                        self.roots[id].kind
                    ),
                );
            }
            return;
        }
        self.make_other_roots(&leftovers);
        self.attach_orphans();
        let dropped = self.uncovered();
        if !dropped.is_empty() {
            let triples: usize = dropped.iter().map(|k| self.triples_of(*k).len()).sum();
            let listed: Vec<String> = dropped
                .iter()
                .take(LISTED_IN_WARNING)
                .map(ToString::to_string)
                .collect();
            self.warn(
                None,
                format!(
                    "{triples} triples about {} untyped subjects linked from no resource were not \
                     imported (e.g. {})",
                    dropped.len(),
                    listed.join(", ")
                ),
            );
        }
    }

    /// An untyped subject `S` with at least two leftover children `S/<code>` is a code list.
    pub(super) fn find_authority_tables(&mut self) {
        let leftovers = self.uncovered();
        let leftover_set: FastSet<Key<'a>> = leftovers.iter().copied().collect();
        let mut children: BTreeMap<&'a str, Vec<Key<'a>>> = BTreeMap::new();
        for &key in &leftovers {
            let Some(iri) = named(key) else { continue };
            if is_skolem_iri(iri.as_str()) {
                continue;
            }
            let Some((parent, code)) = iri.as_str().rsplit_once('/') else {
                continue;
            };
            if code.is_empty() || code.contains(['#', '?']) {
                continue;
            }
            children.entry(parent).or_default().push(key);
        }
        for (parent, codes) in children {
            let Some(parent_key) = leftovers
                .iter()
                .copied()
                .find(|k| named(*k).is_some_and(|n| n.as_str() == parent))
            else {
                continue;
            };
            if codes.len() < 2
                || !self.types_of(parent_key).is_empty()
                || !leftover_set.contains(&parent_key)
            {
                continue;
            }
            let Some(iri) = named(parent_key) else {
                continue;
            };
            let id = self.add_root(iri, ResourceKind::CodeList);
            for &code in &codes {
                self.owned_by.entry(code).or_default().insert(id);
            }
            self.grow_one(id);
            self.warn(
                Some(parent.to_owned()),
                format!(
                    "has no type and no codes naming it with skos:inScheme, but {} subjects in the \
                     file have IRIs beneath it: imported as a code list of them",
                    codes.len()
                ),
            );
        }
    }

    /// SHACL shapes with no ontology: one Vocabulary named by the file's header subject.
    pub(super) fn find_shapes_document(&mut self) {
        let has_vocabulary = self
            .live_roots()
            .iter()
            .any(|&id| self.roots[id].kind == ResourceKind::Vocabulary);
        if has_vocabulary {
            return;
        }
        let leftovers = self.uncovered();
        let has_shapes = leftovers.iter().any(|k| {
            self.types_of(*k)
                .iter()
                .any(|t| *t == vocab::SH_NODE_SHAPE || *t == vocab::SH_PROPERTY_SHAPE)
        });
        if !has_shapes {
            return;
        }
        let headers: Vec<NamedNodeRef<'a>> = leftovers
            .iter()
            .copied()
            .filter(|k| {
                !is_part_like(*k)
                    && self.types_of(*k).is_empty()
                    && !self.referenced.contains(k)
                    && self.triples_of(*k).iter().any(|&at| {
                        matches!(
                            self.triples[at].predicate.as_str(),
                            vocab::DCT_TITLE | vocab::OWL_VERSION_INFO | vocab::RDFS_LABEL
                        )
                    })
            })
            .filter_map(named)
            .collect();
        if let [header] = headers.as_slice() {
            let id = self.add_root(*header, ResourceKind::Vocabulary);
            self.grow_one(id);
            self.warn(
                Some(header.as_str().to_owned()),
                "SHACL shapes with no owl:Ontology: imported as one vocabulary named by the \
                 file's description of itself"
                    .to_owned(),
            );
        }
    }

    /// Each typed, named leftover subject becomes a root of kind Other.
    pub(super) fn make_other_roots(&mut self, leftovers: &[Key<'a>]) {
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut made = Vec::new();
        for &key in leftovers {
            if self.covered_by.contains_key(&key) || is_part_like(key) {
                continue;
            }
            let Some(iri) = named(key) else { continue };
            let types = self.types_of(key);
            let Some(first_type) = types.iter().min() else {
                continue;
            };
            by_type
                .entry((*first_type).to_owned())
                .or_default()
                .push(iri.as_str().to_owned());
            made.push(self.add_root(iri, ResourceKind::Other));
        }
        for id in made {
            self.grow_one(id);
        }
        for (class, iris) in by_type {
            let listed: Vec<&str> = iris
                .iter()
                .take(LISTED_IN_WARNING)
                .map(String::as_str)
                .collect();
            self.warn(
                None,
                format!(
                    "{} subjects of type <{class}> are neither concepts, code lists, types, models, \
                     catalogs nor vocabularies, nor part of one: imported as resources of kind \
                     other (e.g. {})",
                    iris.len(),
                    listed.join(", ")
                ),
            );
        }
    }
}
