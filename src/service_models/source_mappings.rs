//! Step 4 of composing: one SSSOM mapping set per source API, from the API's fields to
//! service-model paths (a part with several items is filled at its first, `/field/0/...`).

use super::parts::Resolved;
use super::{BundleMapping, ComposeRequest, FieldMapping};
use crate::ids::resource_id_for_iri;
use crate::mappings::{field_iri, field_path, pointer_of};
use crate::mappings::{Mapping, MappingSet};

/// The mapping sets of a service model with this IRI, and for each part the IRI of the set
/// that fills it (if it has a source).
pub(super) fn build(
    iri: &str,
    request: &ComposeRequest,
    parts: &[Resolved],
) -> (Vec<MappingSet>, Vec<Option<String>>) {
    let mut sets: Vec<MappingSet> = Vec::new();
    let mut part_mapping: Vec<Option<String>> = Vec::new();
    for part in parts {
        let Some(source) = &part.source else {
            part_mapping.push(None);
            continue;
        };
        let api = source.subject_source.clone().unwrap_or_default();
        let index = match sets
            .iter()
            .position(|s| s.subject_source.as_deref() == Some(api.as_str()))
        {
            Some(index) => index,
            None => {
                sets.push(MappingSet {
                    iri: format!("{iri}/mapping/{}", sets.len() + 1),
                    title: Some(format!(
                        "{} ← {}",
                        request.name.trim(),
                        source.title.clone().unwrap_or_else(|| api.clone())
                    )),
                    license: source.license.clone(),
                    subject_source: Some(api.clone()),
                    object_source: Some(iri.to_owned()),
                    curie_map: source.curie_map.clone(),
                    ..Default::default()
                });
                sets.len() - 1
            }
        };
        let prefix = part.prefix();
        for m in &source.mappings {
            // A concept part is filled by the rows mapped to the concept itself.
            let inside = if part.concept.is_some() {
                (m.object_id == part.type_row.iri).then(String::new)
            } else {
                field_path(&m.object_id, &part.type_row.iri)
            };
            let Some(inside) = inside else {
                continue;
            };
            if field_path(&m.subject_id, &api).is_none() {
                continue;
            }
            let mut tokens = prefix.clone();
            tokens.extend(crate::mappings::pointer_tokens(&inside));
            sets[index].mappings.push(Mapping {
                object_id: field_iri(iri, &pointer_of(&tokens)),
                ..m.clone()
            });
        }
        part_mapping.push(Some(sets[index].iri.clone()));
    }
    (sets, part_mapping)
}

/// A mapping set as a bundle shows it: source pointer to target pointer, with transforms.
pub(super) fn bundle_mapping(set: &MappingSet) -> BundleMapping {
    BundleMapping {
        id: resource_id_for_iri(&set.iri),
        iri: set.iri.clone(),
        subject_source: set.subject_source.clone(),
        fields: crate::mappings::apply::field_mappings(set)
            .into_iter()
            .map(|(source, target, transform)| FieldMapping {
                source,
                target,
                transform: (!transform.steps.is_empty()).then(|| transform.to_string()),
            })
            .collect(),
    }
}
