//! Step 1 of composing: the request's parts checked and resolved — field names, cardinalities,
//! the registry types they name and the mapping sets that fill them — and the service model's
//! IRI.

use super::concept_field::{self, ConceptField, FieldRequest};
use super::fields::Graphs;
use super::{invalid, ComposeRequest, PartRequest, ServiceModelError};
use crate::app::App;
use crate::ids::{resource_id_for_iri, OrgNr};
use crate::mappings::stored;
use crate::mappings::{MappingError, MappingSet};
use oxrdf::NamedNode;

/// Parses a cardinality: `1`, `0..1`, `0..*`, `1..*`, `N..M`.
pub fn parse_cardinality(text: &str) -> Option<(u64, Option<u64>)> {
    let text = text.trim();
    let (min, max) = match text.split_once("..") {
        Some((min, max)) => (min.trim(), max.trim()),
        None if text == "*" => ("0", "*"),
        None => (text, text),
    };
    let min: u64 = min.parse().ok()?;
    let max = match max {
        "*" | "n" => None,
        n => Some(n.parse::<u64>().ok()?),
    };
    if max.is_some_and(|m| m < min || m == 0) {
        return None;
    }
    Some((min, max))
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push('a'),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    out.trim_matches('-').to_owned()
}

/// A resolved part.
pub(super) struct Resolved {
    pub(super) request: PartRequest,
    pub(super) type_row: crate::store::resource::Model,
    pub(super) min: u64,
    pub(super) max: Option<u64>,
    pub(super) source: Option<MappingSet>,
    /// A concept part's field (its `type_row` is the concept's row).
    pub(super) concept: Option<ConceptField>,
}

impl Resolved {
    /// Whether the part holds a list (its document path has an item index).
    pub(super) fn is_array(&self) -> bool {
        self.max.is_none_or(|m| m > 1)
    }

    /// The path tokens of the part's first item in a service-model document.
    pub(super) fn prefix(&self) -> Vec<String> {
        let mut prefix = vec![self.request.field.clone()];
        if self.is_array() {
            prefix.push("0".to_owned());
        }
        prefix
    }
}

/// The service model's IRI: the one asked for, or one made from the publisher and name.
pub(super) fn model_iri(
    request: &ComposeRequest,
    actor: Option<&OrgNr>,
) -> Result<String, ServiceModelError> {
    if request.name.trim().is_empty() {
        return Err(invalid("name", "must not be empty"));
    }
    if request.parts.is_empty() {
        return Err(invalid("parts", "a service model needs at least one part"));
    }
    match &request.iri {
        Some(iri) => Ok(NamedNode::new(iri.as_str())
            .map_err(|e| invalid("iri", format!("not an IRI: {e}")))?
            .into_string()),
        None => {
            let name = slug(&request.name);
            if name.is_empty() {
                return Err(invalid(
                    "name",
                    "needs a letter or digit to make an IRI from",
                ));
            }
            Ok(format!(
                "urn:semreg:service-model:{}:{name}",
                actor.map_or("preview", |a| a.as_str())
            ))
        }
    }
}

/// Checks and resolves every part, naming the first wrong request field.
pub(super) async fn resolve_parts(
    app: &App,
    request: &ComposeRequest,
    lang: &str,
) -> Result<Vec<Resolved>, ServiceModelError> {
    let mut resolved = Vec::new();
    let mut graphs = Graphs::default();
    for (i, part) in request.parts.iter().enumerate() {
        let at = |f: &str| format!("parts[{i}].{f}");
        let field = part.field.trim();
        if field.is_empty() || field.contains('/') || field.contains('~') {
            return Err(invalid(at("field"), "a non-empty name without `/` or `~`"));
        }
        if request.parts[..i].iter().any(|p| p.field.trim() == field) {
            return Err(invalid(at("field"), format!("{field:?} is used twice")));
        }
        let (min, max) = match &part.cardinality {
            Some(c) => parse_cardinality(c).ok_or_else(|| {
                invalid(
                    at("cardinality"),
                    format!("expected 1, 0..1, 0..*, 1..* or N..M, found {c:?}"),
                )
            })?,
            None => (1, Some(1)),
        };
        if let Some(concept) = &part.concept {
            let type_row = concept_field::concept_row(app, concept, &at("concept"))
                .await
                .map_err(|e| match e {
                    ServiceModelError::NotFound(message) => invalid(at("concept"), message),
                    other => other,
                })?;
            let field_request = FieldRequest {
                field: Some(field.to_owned()),
                min,
                max,
                value_type: part.type_ref.clone(),
                lang: lang.to_owned(),
                bundle: true,
                at: at("type"),
            };
            let built = concept_field::build(app, &mut graphs, &type_row, &field_request).await?;
            let source = match &part.source {
                Some(source) => Some(concept_source(app, source, &type_row, &at("source")).await?),
                None => None,
            };
            resolved.push(Resolved {
                request: PartRequest {
                    field: field.to_owned(),
                    ..part.clone()
                },
                type_row,
                min,
                max,
                source,
                concept: Some(built),
            });
            continue;
        }
        let Some(type_ref) = &part.type_ref else {
            return Err(invalid(at("type"), "a part names a type or a concept"));
        };
        let key = if type_ref.contains(':') {
            resource_id_for_iri(type_ref)
        } else {
            type_ref.clone()
        };
        let type_row = crate::store::find_public_resource(&app.db, &key)
            .await
            .map_err(MappingError::from)?
            .ok_or_else(|| {
                invalid(
                    at("type"),
                    format!("no type with id, alias or IRI {type_ref:?}"),
                )
            })?;
        if type_row.kind != crate::types::TYPE_KIND {
            return Err(invalid(
                at("type"),
                format!("{type_ref:?} is a {}, not a type", type_row.kind),
            ));
        }
        let source = match &part.source {
            Some(source) => Some(source_set(app, source, &type_row, &at("source")).await?),
            None => None,
        };
        resolved.push(Resolved {
            request: PartRequest {
                field: field.to_owned(),
                ..part.clone()
            },
            type_row,
            min,
            max,
            source,
            concept: None,
        });
    }
    Ok(resolved)
}

/// The mapping set a part names as its source: it must map a source API to the part's type.
async fn source_set(
    app: &App,
    source: &str,
    type_row: &crate::store::resource::Model,
    at: &str,
) -> Result<MappingSet, ServiceModelError> {
    let set = load_source(app, source, at).await?;
    if set.object_source.as_deref() != Some(type_row.iri.as_str()) {
        return Err(invalid(
            at,
            format!(
                "mapping set {} maps to {}, not to type {}",
                set.iri,
                set.object_source.as_deref().unwrap_or("no object_source"),
                type_row.iri
            ),
        ));
    }
    Ok(set)
}

/// The mapping set a concept part names as its source: rows from a source API to the concept.
async fn concept_source(
    app: &App,
    source: &str,
    concept: &crate::store::resource::Model,
    at: &str,
) -> Result<MappingSet, ServiceModelError> {
    let set = load_source(app, source, at).await?;
    if !set.mappings.iter().any(|m| m.object_id == concept.iri) {
        return Err(invalid(
            at,
            format!(
                "mapping set {} maps no field to concept {}",
                set.iri, concept.iri
            ),
        ));
    }
    Ok(set)
}

/// A part's source mapping set, which must name its source API (`subject_source`).
async fn load_source(app: &App, source: &str, at: &str) -> Result<MappingSet, ServiceModelError> {
    let (_, set) = stored::load(app, source).await.map_err(|e| match e {
        MappingError::NotFound(_) | MappingError::NotAMappingSet(_) => invalid(at, e.to_string()),
        other => other.into(),
    })?;
    if set.subject_source.is_none() {
        return Err(invalid(
            at,
            format!(
                "mapping set {} names no subject_source (the source API)",
                set.iri
            ),
        ));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinalities_read_as_designers_write_them() {
        assert_eq!(parse_cardinality("1"), Some((1, Some(1))));
        assert_eq!(parse_cardinality("0..1"), Some((0, Some(1))));
        assert_eq!(parse_cardinality("0..*"), Some((0, None)));
        assert_eq!(parse_cardinality("1..*"), Some((1, None)));
        assert_eq!(parse_cardinality("2..5"), Some((2, Some(5))));
        assert_eq!(parse_cardinality("5..2"), None);
        assert_eq!(parse_cardinality("x"), None);
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Søknad om bostøtte!"), "soknad-om-bostotte");
    }
}
