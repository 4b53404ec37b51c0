//! Applying a mapping set to a source document: every mapping whose subject is a field of the
//! set's `subject_source` and whose object is a field of its `object_source` copies (and
//! transforms) a value from the source document to the target document.
//!
//! Rules: a missing or `null` source value is skipped; several mappings onto the same target
//! path give the first value found, unless they `concat`, which joins the parts in row order;
//! a transform on an array value applies to each element; numeric pointer tokens make arrays.

use super::transform::TransformError;
use super::{field_path, pointer_tokens, MappingSet, Transform};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

/// One problem found while applying or validating, at a path of the target document.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Issue {
    /// JSON Pointer in the target (service-model) document.
    pub path: String,
    /// The source field it came from, when it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Translates a code through a correspondence on a day.
pub type Translate<'a> = dyn Fn(&str, &str, NaiveDate) -> Result<String, TransformError> + 'a;

/// The field mappings of a set: (source pointer, target pointer, transform), in order.
pub fn field_mappings(set: &MappingSet) -> Vec<(String, String, Transform)> {
    let (Some(subject_source), Some(object_source)) = (&set.subject_source, &set.object_source)
    else {
        return Vec::new();
    };
    set.mappings
        .iter()
        .filter_map(|m| {
            Some((
                field_path(&m.subject_id, subject_source)?,
                field_path(&m.object_id, object_source)?,
                m.transform.clone().unwrap_or_default(),
            ))
        })
        .collect()
}

/// One mapped value on its way to a target path: source pointer, value, transform.
type Part<'a> = (String, Option<Value>, &'a Transform);

/// Builds the target document from a source document; issues say which target paths failed.
pub fn apply(
    set: &MappingSet,
    source: &Value,
    translate: &Translate<'_>,
    today: NaiveDate,
) -> Result<Value, Vec<Issue>> {
    let mappings = field_mappings(set);
    // Target paths in order of first appearance, each with its values.
    let mut groups: Vec<(String, Vec<Part<'_>>)> = Vec::new();
    let mut issues = Vec::new();
    for (from, to, transform) in &mappings {
        let value = match source.pointer(from) {
            None | Some(Value::Null) => None,
            Some(value) => match transform_value(transform, value.clone(), translate, today) {
                Ok(v) => Some(v),
                Err(e) => {
                    issues.push(Issue {
                        path: to.clone(),
                        source: Some(from.clone()),
                        message: e.to_string(),
                    });
                    None
                }
            },
        };
        match groups.iter_mut().find(|(path, _)| path == to) {
            Some((_, values)) => values.push((from.clone(), value, transform)),
            None => groups.push((to.clone(), vec![(from.clone(), value, transform)])),
        }
    }
    let mut target = Value::Object(Map::new());
    for (path, values) in groups {
        let separator = values.iter().find_map(|(_, _, t)| t.concat_separator());
        let value = match separator {
            Some(separator) => {
                let parts: Vec<String> = values
                    .iter()
                    .filter_map(|(_, v, _)| v.as_ref())
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.trim().to_owned()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                (!parts.is_empty()).then(|| Value::String(parts.join(separator)))
            }
            None => values.into_iter().find_map(|(_, v, _)| v),
        };
        if let Some(value) = value {
            if let Err(message) = set_at(&mut target, &path, value) {
                issues.push(Issue {
                    path: path.clone(),
                    source: None,
                    message,
                });
            }
        }
    }
    if issues.is_empty() {
        Ok(target)
    } else {
        Err(issues)
    }
}

fn transform_value(
    transform: &Transform,
    value: Value,
    translate: &Translate<'_>,
    today: NaiveDate,
) -> Result<Value, TransformError> {
    if transform.is_identity() {
        return Ok(value);
    }
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|item| transform.apply(item, translate, today))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => transform.apply(other, translate, today),
    }
}

/// Puts a value at a JSON Pointer, creating objects (or arrays, for numeric tokens) on the way.
pub fn set_at(target: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let tokens = pointer_tokens(pointer);
    if tokens.is_empty() {
        *target = value;
        return Ok(());
    }
    let mut here = target;
    for (i, token) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        let next_is_index = tokens
            .get(i + 1)
            .is_some_and(|t| t.parse::<usize>().is_ok());
        let fresh = || {
            if next_is_index {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        };
        here = match here {
            Value::Object(map) => {
                if last {
                    map.insert(token.clone(), value);
                    return Ok(());
                }
                map.entry(token.clone()).or_insert_with(fresh)
            }
            Value::Array(items) => {
                let index: usize = token
                    .parse()
                    .map_err(|_| format!("{token:?} is not an array index"))?;
                if index > items.len() {
                    return Err(format!(
                        "index {index} leaves a gap (the array has {} items)",
                        items.len()
                    ));
                }
                if index == items.len() {
                    items.push(if last { Value::Null } else { fresh() });
                }
                if last {
                    items[index] = value;
                    return Ok(());
                }
                &mut items[index]
            }
            other => {
                return Err(format!(
                    "cannot put a field inside {}",
                    match other {
                        Value::String(_) => "a string",
                        Value::Number(_) => "a number",
                        Value::Bool(_) => "a boolean",
                        _ => "null",
                    }
                ))
            }
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{field_iri, Mapping};
    use super::*;
    use serde_json::json;

    const API: &str = "https://example.org/api/person";
    const MODEL: &str = "https://example.org/service-models/s";

    fn set(rows: &[(&str, &str, &str)]) -> MappingSet {
        MappingSet {
            iri: "https://example.org/m".into(),
            subject_source: Some(API.into()),
            object_source: Some(MODEL.into()),
            mappings: rows
                .iter()
                .map(|(from, to, transform)| Mapping {
                    subject_id: field_iri(API, from),
                    predicate_id: "http://www.w3.org/2004/02/skos/core#exactMatch".into(),
                    object_id: field_iri(MODEL, to),
                    mapping_justification: super::super::MANUAL_CURATION.into(),
                    transform: (!transform.is_empty())
                        .then(|| Transform::parse(transform).unwrap()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn no_codes(_: &str, code: &str, day: NaiveDate) -> Result<String, TransformError> {
        Err(TransformError::NoCounterpart {
            code: code.into(),
            correspondence: "c".into(),
            date: day,
        })
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
    }

    #[test]
    fn fields_are_renamed_concatenated_and_nested() {
        let set = set(&[
            ("/navn/0/fornavn", "/applicant/name", "concat(\" \")"),
            ("/navn/0/mellomnavn", "/applicant/name", "concat(\" \")"),
            ("/navn/0/etternavn", "/applicant/name", "concat(\" \")"),
            ("/navn/0/fornavn", "/applicant/givenName", ""),
            ("/kontakt/telefon", "/applicant/phones/0", ""),
        ]);
        let source = json!({"navn": [{"fornavn": "Kari", "mellomnavn": null, "etternavn": "Nordmann"}],
                            "kontakt": {"telefon": "99999999"}});
        let out = apply(&set, &source, &no_codes, day()).unwrap();
        assert_eq!(
            out,
            json!({"applicant": {"name": "Kari Nordmann", "givenName": "Kari", "phones": ["99999999"]}})
        );
    }

    #[test]
    fn the_first_present_value_wins_and_missing_ones_are_skipped() {
        let set = set(&[("/a", "/x", ""), ("/b", "/x", ""), ("/missing", "/y", "")]);
        let out = apply(&set, &json!({"b": 2}), &no_codes, day()).unwrap();
        assert_eq!(out, json!({"x": 2}));
    }

    #[test]
    fn a_failing_transform_names_the_target_and_source_paths() {
        let set = set(&[("/born", "/person/birthDate", "date(\"%d.%m.%Y\")")]);
        let issues = apply(&set, &json!({"born": "1990-01-31"}), &no_codes, day()).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "/person/birthDate");
        assert_eq!(issues[0].source.as_deref(), Some("/born"));
        assert!(issues[0].message.contains("%d.%m.%Y"));
    }

    #[test]
    fn transforms_apply_to_each_element_of_an_array() {
        let set = set(&[("/codes", "/codes", "split(\"-\", 0)")]);
        let out = apply(&set, &json!({"codes": ["a-1", "b-2"]}), &no_codes, day()).unwrap();
        assert_eq!(out, json!({"codes": ["a", "b"]}));
    }
}
