//! The preferred labels of a resource.

use std::collections::BTreeMap;

use oxrdf::Term;

use super::{object_key, Key, Splitter};
use crate::vocab;

impl<'a> Splitter<'a> {
    /// Rule for labels: per language, the first of skos:prefLabel, skosxl:prefLabel's
    /// literal form, dct:title, rdfs:label, foaf:name, legacy dcatnoinfo:name; within one
    /// property the smallest value, so that the choice is stable.
    pub(super) fn labels(&self, subject: Key<'a>) -> BTreeMap<String, String> {
        let mut labels: BTreeMap<String, (usize, String)> = BTreeMap::new();
        let mut offer = |rank: usize, term: &Term| {
            let Term::Literal(literal) = term else { return };
            let language = literal.language().unwrap_or_default().to_ascii_lowercase();
            let value = literal.value().trim();
            if value.is_empty() {
                return;
            }
            let better = labels
                .get(&language)
                .is_none_or(|(r, v)| (rank, value) < (*r, v.as_str()));
            if better {
                labels.insert(language, (rank, value.to_owned()));
            }
        };
        for &at in self.triples_of(subject) {
            let triple = &self.triples[at];
            let rank = match triple.predicate.as_str() {
                vocab::SKOS_PREF_LABEL => 0,
                vocab::SKOSXL_PREF_LABEL => {
                    if let Some(label) = object_key(&triple.object) {
                        for &inner in self.triples_of(label) {
                            let form = &self.triples[inner];
                            if form.predicate.as_str() == vocab::SKOSXL_LITERAL_FORM {
                                offer(1, &form.object);
                            }
                        }
                    }
                    continue;
                }
                vocab::DCT_TITLE => 2,
                vocab::RDFS_LABEL => 3,
                vocab::FOAF_NAME => 4,
                vocab::DCATNOINFO_NAME => 5,
                _ => continue,
            };
            offer(rank, &triple.object);
        }
        labels.into_iter().map(|(k, (_, v))| (k, v)).collect()
    }
}
