//! A QuestionnaireResponse to a service model's Questionnaire, extracted back into a
//! service-model document through the items' `definition`s: a part's definition is the service
//! model's own field (`{service model IRI}#/{field}`), a deeper item's the registry type
//! property it stands for (`{type IRI}#/{name}`), so each answer lands at its parent's path
//! plus the property's name; occurrences of a repeating group become array items. The document
//! is validated against the service model's schema, as composed.

use super::questionnaire::HELP_SUFFIX;
use super::tree::{FormTree, Kind, Node};
use super::{tree, FormsError};
use crate::app::App;
use crate::mappings::apply::{set_at, Issue};
use crate::mappings::{field_path, pointer_of, pointer_tokens};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What extracting gave: the document, and what is wrong with it (empty: it validates).
#[derive(Debug, Clone)]
pub struct Extracted {
    /// The service-model document.
    pub document: Value,
    /// Each failing path and why.
    pub issues: Vec<Issue>,
}

/// Extracts a QuestionnaireResponse to the Questionnaire of a stored service model.
pub async fn extract(app: &App, id: &str, response: &Value) -> Result<Extracted, FormsError> {
    let bundle = crate::service_models::load(app, id).await?;
    let tree = tree::build(app, &bundle).await?;
    let document = to_document(&tree, response)?;
    let issues = match crate::mappings::run::validate(&tree.schema, &document) {
        Ok(()) => Vec::new(),
        Err(Ok(issues)) => issues,
        Err(Err(message)) => return Err(FormsError::Unexportable(message)),
    };
    Ok(Extracted { document, issues })
}

/// The path segment an item's definition names, relative to its parent's path (or absolute,
/// for the service model's own fields).
fn segment(tree: &FormTree, node: &Node) -> (bool, Vec<String>) {
    if let Some(pointer) = field_path(&node.definition, &tree.iri) {
        return (true, pointer_tokens(&pointer));
    }
    let base = node.definition.split_once('#').map_or("", |(base, _)| base);
    let pointer = field_path(&node.definition, base).unwrap_or_default();
    (false, pointer_tokens(&pointer))
}

/// The service-model document of a QuestionnaireResponse.
pub fn to_document(tree: &FormTree, response: &Value) -> Result<Value, FormsError> {
    if response.get("resourceType").and_then(Value::as_str) != Some("QuestionnaireResponse") {
        return Err(FormsError::BadResponse(
            "resourceType: expected \"QuestionnaireResponse\"".into(),
        ));
    }
    if let Some(questionnaire) = response.get("questionnaire").and_then(Value::as_str) {
        let url = questionnaire.split('|').next().unwrap_or_default();
        if url != tree.iri {
            return Err(FormsError::BadResponse(format!(
                "questionnaire: {questionnaire:?} is not this service model's Questionnaire ({})",
                tree.iri
            )));
        }
    }
    let nodes: HashMap<String, &Node> = tree.all().into_iter().map(|n| (n.pointer(), n)).collect();
    let mut document = Value::Object(Map::new());
    let items = response
        .get("item")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    fill(tree, &nodes, &items, &[], "item", &mut document)?;
    Ok(document)
}

fn fill(
    tree: &FormTree,
    nodes: &HashMap<String, &Node>,
    items: &[Value],
    parent: &[String],
    at: &str,
    document: &mut Value,
) -> Result<(), FormsError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let where_ = format!("{at}[{i}]");
        let link = item
            .get("linkId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if link.ends_with(HELP_SUFFIX) {
            continue;
        }
        let node = nodes.get(link).ok_or_else(|| {
            FormsError::BadResponse(format!(
                "{where_}.linkId: {link:?} is not an item of the Questionnaire"
            ))
        })?;
        let (absolute, tokens) = segment(tree, node);
        let mut path = parent.to_vec();
        if absolute {
            // The service model's own path (no registry property behind it): below the
            // parent's path as it is without row indexes, placed under the parent's rows.
            let bare: Vec<&String> = parent
                .iter()
                .filter(|t| !t.bytes().all(|b| b.is_ascii_digit()))
                .collect();
            let below = tokens.len() > bare.len() && tokens.iter().zip(&bare).all(|(a, b)| a == *b);
            if below {
                path.extend(tokens[bare.len()..].iter().cloned());
            } else {
                path = tokens;
            }
        } else {
            path.extend(tokens);
        }
        match &node.kind {
            Kind::Group(_) => {
                if node.repeats() {
                    let n = seen.entry(link.to_owned()).or_insert(0);
                    path.push(n.to_string());
                    *n += 1;
                }
                let children = item
                    .get("item")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                fill(
                    tree,
                    nodes,
                    &children,
                    &path,
                    &format!("{where_}.item"),
                    document,
                )?;
            }
            Kind::Value(_) => {
                let answers = item
                    .get("answer")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut values = Vec::new();
                for (j, answer) in answers.iter().enumerate() {
                    values.push(answer_value(answer).ok_or_else(|| {
                        FormsError::BadResponse(format!(
                            "{where_}.answer[{j}]: no value[x] semreg reads"
                        ))
                    })?);
                }
                let value = if node.repeats() {
                    Value::Array(values)
                } else {
                    match values.len() {
                        0 => continue,
                        1 => values.remove(0),
                        n => {
                            return Err(FormsError::BadResponse(format!(
                                "{where_}: {n} answers to {link:?}, which does not repeat"
                            )))
                        }
                    }
                };
                set_at(document, &pointer_of(&path), value)
                    .map_err(|e| FormsError::BadResponse(format!("{where_}: {e}")))?;
            }
        }
    }
    Ok(())
}

/// The JSON value of an answer: a Coding's code, else the primitive value.
fn answer_value(answer: &Value) -> Option<Value> {
    if let Some(coding) = answer.get("valueCoding") {
        return coding.get("code").cloned();
    }
    [
        "valueString",
        "valueInteger",
        "valueDecimal",
        "valueBoolean",
        "valueDate",
        "valueDateTime",
        "valueTime",
        "valueUri",
    ]
    .iter()
    .find_map(|k| answer.get(*k).cloned())
}
