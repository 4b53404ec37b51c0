//! The form tree every export is written from: the stored service model's JSON Schema walked
//! in property order (references, `allOf` and nullable `anyOf` resolved), each node joined with
//! its UI hint (component, texts in nb/nn/en, code list), the linked concept's notes and
//! examples, and the registry type property it comes from (its `definition`, read from the
//! types' RDF).
//!
//! Texts: the label is the concept's preferred label; `help` its definition, followed by its
//! usage note (`skos:scopeNote`); `description` its example (`skos:example`, as "Eksempel: …").
//! A field is `required` when it must be there whenever the object holding it is: through
//! every group above it up to the document, or up to the row of the nearest list it is in.

use super::FormsError;
use crate::app::App;
use crate::mappings::{field_iri, pointer_of, pointer_tokens};
use crate::service_models::fields::{self, Graphs, Texts};
use crate::service_models::ui::{CodeListHint, UiHint, RADIO_MAX_CODES, UI_LANGUAGES};
use crate::service_models::Bundle;
use serde_json::Value;
use std::collections::HashMap;

/// How deep the walk follows nested object types (recursive types stop here).
const MAX_DEPTH: usize = 16;

/// A stored service model as a tree of groups and value fields.
#[derive(Debug, Clone)]
pub struct FormTree {
    /// The service model's registry id.
    pub id: String,
    /// Its IRI.
    pub iri: String,
    /// Its name.
    pub name: String,
    /// Its version in the registry.
    pub version: i32,
    /// Its JSON Schema, as composed.
    pub schema: Value,
    /// The parts, in order.
    pub nodes: Vec<Node>,
}

/// A group (an object) or a value field of a service-model document.
#[derive(Debug, Clone)]
pub struct Node {
    /// The JSON name.
    pub name: String,
    /// The path tokens from the document root, without array indexes.
    pub path: Vec<String>,
    /// Least occurrences within its parent.
    pub min: u64,
    /// Most occurrences within its parent (`None`: unbounded).
    pub max: Option<u64>,
    /// Whether it and every group above it are required.
    pub required: bool,
    /// Label per language (nb, nn, en where known).
    pub label: Texts,
    /// Help text per language (the concept's definition and usage note).
    pub help: Texts,
    /// Description per language (the concept's example).
    pub description: Texts,
    /// The registry type property it stands for (`{type IRI}#/{name}`), or for a part the
    /// service model's own field (`{service model IRI}#/{field}`).
    pub definition: String,
    /// What it holds.
    pub kind: Kind,
}

/// What a node holds.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Fields of an object.
    Group(Vec<Node>),
    /// A value.
    Value(Box<ValueField>),
}

/// A value field's type, facets, component and code list.
#[derive(Debug, Clone, Default)]
pub struct ValueField {
    /// The Altinn component the UI hint chose (Input, TextArea, Datepicker, Dropdown,
    /// RadioButtons, Checkboxes).
    pub component: String,
    /// JSON type: `string`, `integer`, `number` or `boolean`.
    pub json_type: String,
    /// JSON Schema `format` (`date`, `date-time`, `time`, `uri`...).
    pub format: Option<String>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern` (anchored).
    pub pattern: Option<String>,
    /// `minimum` (or `exclusiveMinimum`).
    pub minimum: Option<serde_json::Number>,
    /// `maximum` (or `exclusiveMaximum`).
    pub maximum: Option<serde_json::Number>,
    /// The code list the values come from, when the registry serves it.
    pub code_list: Option<CodeListHint>,
    /// The allowed values the schema lists (`enum`), with their titles where given.
    pub codes: Vec<String>,
}

impl Node {
    /// Whether it holds a list.
    pub fn repeats(&self) -> bool {
        self.max.is_none_or(|m| m > 1)
    }

    /// The dotted data-model binding (`applicant.address.municipality`).
    pub fn binding(&self) -> String {
        self.path.join(".")
    }

    /// The JSON Pointer of the node (without array indexes).
    pub fn pointer(&self) -> String {
        pointer_of(&self.path)
    }

    /// Every node below (and including) this one, depth first.
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = vec![self];
        if let Kind::Group(children) = &self.kind {
            for child in children {
                out.extend(child.walk());
            }
        }
        out
    }
}

impl FormTree {
    /// Every node, depth first, in document order.
    pub fn all(&self) -> Vec<&Node> {
        self.nodes.iter().flat_map(Node::walk).collect()
    }
}

/// A hint's key: its path tokens without array indexes.
fn key_of(pointer: &str) -> Vec<String> {
    pointer_tokens(pointer)
        .into_iter()
        .filter(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

/// Builds the form tree of a stored service model.
pub async fn build(app: &App, bundle: &Bundle) -> Result<FormTree, FormsError> {
    // The registry property behind each path, from the types' RDF as it is now.
    let mut owners: HashMap<Vec<String>, String> = HashMap::new();
    let mut graphs = Graphs::default();
    for part in bundle.parts.iter().filter(|p| p.concept.is_none()) {
        let mut prefix = vec![part.field.clone()];
        if part.max.is_none_or(|m| m > 1) {
            prefix.push("0".to_owned());
        }
        let (found, _) = fields::walk(
            app,
            &mut graphs,
            &HashMap::new(),
            &part.type_iri,
            &prefix,
            part.min > 0,
        )
        .await
        .map_err(crate::service_models::ServiceModelError::from)?;
        for field in found {
            owners.insert(
                key_of(&field.path),
                field_iri(&field.owner, &pointer_of(&[field.name.as_str()])),
            );
        }
    }
    let hints: HashMap<Vec<String>, &UiHint> = bundle
        .ui_hints
        .iter()
        .map(|h| (key_of(&h.path), h))
        .collect();
    let mut notes: HashMap<String, (Texts, Texts)> = HashMap::new();
    for concept in bundle.ui_hints.iter().filter_map(|h| h.concept.as_ref()) {
        if !notes.contains_key(concept) {
            let found = graphs
                .concept_notes(app, concept)
                .await
                .map_err(crate::service_models::ServiceModelError::from)?;
            notes.insert(concept.clone(), found);
        }
    }
    let walker = Walker {
        root: &bundle.schema,
        model_iri: &bundle.iri,
        hints: &hints,
        owners: &owners,
        notes: &notes,
    };
    let nodes = walker.children(&bundle.schema, &[], true, 0)?;
    if nodes.is_empty() {
        return Err(FormsError::Unexportable(format!(
            "service model {} has no fields in its schema",
            bundle.id
        )));
    }
    Ok(FormTree {
        id: bundle.id.clone(),
        iri: bundle.iri.clone(),
        name: bundle.name.clone(),
        version: bundle.version,
        schema: bundle.schema.clone(),
        nodes,
    })
}

struct Walker<'a> {
    root: &'a Value,
    model_iri: &'a str,
    hints: &'a HashMap<Vec<String>, &'a UiHint>,
    owners: &'a HashMap<Vec<String>, String>,
    notes: &'a HashMap<String, (Texts, Texts)>,
}

/// Follows a local `$ref` (`#/...`) from the root of the schema.
pub fn deref<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) if reference.starts_with('#') => match root.pointer(&reference[1..]) {
                Some(target) => current = target,
                None => return current,
            },
            _ => return current,
        }
    }
    current
}

/// The schema of a value that may be null (`anyOf: [T, {"type": "null"}]`): T.
fn non_null<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let schema = deref(root, schema);
    match schema.get("anyOf").and_then(Value::as_array) {
        Some(options) => options
            .iter()
            .map(|o| deref(root, o))
            .find(|o| o.get("type").and_then(Value::as_str) != Some("null"))
            .unwrap_or(schema),
        None => schema,
    }
}

/// An object schema's properties in order (those of `allOf` parts first) and its required
/// names.
pub fn properties<'a>(
    root: &'a Value,
    schema: &'a Value,
) -> (Vec<(&'a str, &'a Value)>, Vec<&'a str>) {
    let schema = non_null(root, schema);
    let mut props = Vec::new();
    let mut required = Vec::new();
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            let (p, r) = properties(root, part);
            props.extend(p);
            required.extend(r);
        }
    }
    if let Some(Value::Object(own)) = schema.get("properties") {
        props.extend(own.iter().map(|(k, v)| (k.as_str(), v)));
    }
    if let Some(names) = schema.get("required").and_then(Value::as_array) {
        required.extend(names.iter().filter_map(Value::as_str));
    }
    (props, required)
}

/// Whether a schema describes objects (has properties of its own or through `allOf`).
pub fn is_object(root: &Value, schema: &Value) -> bool {
    let schema = non_null(root, schema);
    schema.get("properties").is_some()
        || schema.get("type").and_then(Value::as_str) == Some("object")
        || schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|parts| parts.iter().any(|p| is_object(root, p)))
}

/// The item schema and occurrence bounds of a property (`items`, `minItems`, `maxItems` for a
/// list).
fn occurrences<'a>(
    root: &'a Value,
    schema: &'a Value,
    required: bool,
) -> (&'a Value, u64, Option<u64>) {
    let resolved = non_null(root, schema);
    let is_array = resolved.get("type").and_then(Value::as_str) == Some("array")
        || resolved.get("items").is_some();
    if !is_array {
        return (resolved, u64::from(required), Some(1));
    }
    let items = resolved.get("items").unwrap_or(&Value::Null);
    let min = resolved
        .get("minItems")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let max = resolved.get("maxItems").and_then(Value::as_u64);
    (non_null(root, items), min, max)
}

fn text_of(schema: &Value, key: &str) -> Option<String> {
    schema
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn number(schema: &Value, keys: [&str; 2]) -> Option<serde_json::Number> {
    keys.iter()
        .find_map(|k| schema.get(*k).and_then(|v| v.as_number().cloned()))
}

impl Walker<'_> {
    fn children(
        &self,
        schema: &Value,
        path: &[String],
        required_above: bool,
        depth: usize,
    ) -> Result<Vec<Node>, FormsError> {
        if depth > MAX_DEPTH {
            return Ok(Vec::new());
        }
        let (props, required) = properties(self.root, schema);
        let mut nodes = Vec::new();
        for (name, property) in props {
            let mut node_path = path.to_vec();
            node_path.push(name.to_owned());
            let here_required = required.contains(&name);
            let (item, min, max) = occurrences(self.root, property, here_required);
            let chain_required = required_above && min > 0;
            let hint = self.hints.get(&node_path).copied();
            let definition = if path.is_empty() {
                field_iri(self.model_iri, &pointer_of(&[name]))
            } else {
                self.owners
                    .get(&node_path)
                    .cloned()
                    .unwrap_or_else(|| field_iri(self.model_iri, &pointer_of(&node_path)))
            };
            let notes = hint
                .and_then(|h| h.concept.as_ref())
                .and_then(|c| self.notes.get(c));
            let (label, description, help) = texts(name, property, item, hint, notes);
            let list = max != Some(1);
            let kind = if is_object(self.root, item) {
                // Each row of a list exists once added: what it requires, it requires.
                let above = list || chain_required;
                Kind::Group(self.children(item, &node_path, above, depth + 1)?)
            } else {
                Kind::Value(Box::new(value_field(self.root, item, hint, list)))
            };
            nodes.push(Node {
                name: name.to_owned(),
                path: node_path,
                min,
                max,
                required: chain_required,
                label,
                help,
                description,
                definition,
                kind,
            });
        }
        Ok(nodes)
    }
}

/// The word an example is introduced with, per language.
const EXAMPLE: [(&str, &str); 3] = [("nb", "Eksempel"), ("nn", "Døme"), ("en", "Example")];

/// Label, description and help per language: the UI hint's label and help (from the linked
/// concept, in nb/nn/en) with the concept's usage note after the help and its example as the
/// description; else the schema's title and description (in the schema's language, given as
/// nb), else the name.
fn texts(
    name: &str,
    property: &Value,
    item: &Value,
    hint: Option<&UiHint>,
    notes: Option<&(Texts, Texts)>,
) -> (Texts, Texts, Texts) {
    if let Some(hint) = hint {
        let mut help = hint.help_text.clone();
        let mut description = Texts::new();
        if let Some((scope_notes, examples)) = notes {
            for (lang, note) in scope_notes {
                let lang = if lang.is_empty() { "nb" } else { lang.as_str() };
                match help.get_mut(lang) {
                    Some(text) if text != note => *text = format!("{text}\n\n{note}"),
                    Some(_) => {}
                    None => {
                        help.insert(lang.to_owned(), note.clone());
                    }
                }
            }
            for (lang, example) in examples {
                let lang = if lang.is_empty() { "nb" } else { lang.as_str() };
                let word = EXAMPLE
                    .iter()
                    .find(|(l, _)| *l == lang)
                    .map_or("Eksempel", |(_, w)| *w);
                description
                    .entry(lang.to_owned())
                    .or_insert_with(|| format!("{word}: {example}"));
            }
        }
        return (hint.label.clone(), description, help);
    }
    let mut label = Texts::new();
    let mut help = Texts::new();
    let title = text_of(property, "title").or_else(|| text_of(item, "title"));
    label.insert("nb".to_owned(), title.unwrap_or_else(|| name.to_owned()));
    if let Some(description) =
        text_of(property, "description").or_else(|| text_of(item, "description"))
    {
        help.insert("nb".to_owned(), description);
    }
    (label, Texts::new(), help)
}

fn value_field(root: &Value, item: &Value, hint: Option<&UiHint>, list: bool) -> ValueField {
    let item = non_null(root, item);
    // A code list bundled as a `$defs` entry, or an inline enum.
    let codes_schema = [item]
        .into_iter()
        .chain(
            item.get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| deref(root, p)),
        )
        .find(|s| s.get("enum").is_some());
    let codes: Vec<String> = codes_schema
        .and_then(|s| s.get("enum"))
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let json_type = match item.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string")
            .to_owned(),
        _ => codes_schema
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("string")
            .to_owned(),
    };
    let format = text_of(item, "format");
    let max_length = item.get("maxLength").and_then(Value::as_u64);
    let component = match hint {
        Some(h) => h.component.clone(),
        None => {
            let component = if !codes.is_empty() && list {
                "Checkboxes"
            } else if !codes.is_empty() && codes.len() <= RADIO_MAX_CODES {
                "RadioButtons"
            } else if !codes.is_empty() {
                "Dropdown"
            } else if json_type == "boolean" {
                "Checkboxes"
            } else if matches!(format.as_deref(), Some("date" | "date-time")) {
                "Datepicker"
            } else if max_length.is_some_and(|m| m > 255) {
                "TextArea"
            } else {
                "Input"
            };
            component.to_owned()
        }
    };
    ValueField {
        component,
        json_type,
        format,
        max_length,
        pattern: text_of(item, "pattern"),
        minimum: number(item, ["minimum", "exclusiveMinimum"]),
        maximum: number(item, ["maximum", "exclusiveMaximum"]),
        code_list: hint.and_then(|h| h.code_list.clone()),
        codes,
    }
}

/// A text in a language, falling back through the UI languages (nb, nn, en) and then any.
pub fn text_in(texts: &Texts, lang: &str) -> Option<String> {
    std::iter::once(lang)
        .chain(UI_LANGUAGES)
        .find_map(|l| texts.get(l))
        .or_else(|| texts.values().next())
        .cloned()
}

/// The object at a JSON Pointer-like path in a schema (following references, `allOf` and
/// array items), if the schema has such a property.
pub fn schema_at<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    property_at(root, path).map(|(item, _)| item)
}

/// The item schema of the property at a path, and whether that property holds a list
/// (the root itself is no list).
pub fn property_at<'a>(root: &'a Value, path: &[String]) -> Option<(&'a Value, bool)> {
    let mut current = non_null(root, root);
    let mut list = false;
    for token in path {
        let (props, _) = properties(root, current);
        let (_, property) = props.into_iter().find(|(name, _)| *name == token)?;
        let (item, _, max) = occurrences(root, property, false);
        current = item;
        list = max != Some(1);
    }
    Some((current, list))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_path_is_found_through_references_all_of_and_items() {
        let schema = json!({
            "properties": {"a": {"type": "array", "items": {"$ref": "#/$defs/A"}}},
            "$defs": {
                "Base": {"properties": {"x": {"type": "string"}}},
                "A": {"allOf": [{"$ref": "#/$defs/Base"}], "properties": {"b": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}]}}},
                "B": {"type": "string", "maxLength": 5}
            }
        });
        let at = |p: &[&str]| {
            schema_at(
                &schema,
                &p.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            at(&["a", "b"]).and_then(|s| s.get("maxLength")),
            Some(&json!(5))
        );
        assert!(at(&["a", "x"]).is_some());
        assert!(at(&["a", "y"]).is_none());
        let (props, _) = properties(&schema, &schema["$defs"]["A"]);
        let names: Vec<&str> = props.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["x", "b"]);
    }

    #[test]
    fn hint_keys_leave_array_indexes_out() {
        assert_eq!(
            key_of("/applicant/0/address/municipality"),
            ["applicant", "address", "municipality"]
        );
    }

    #[test]
    fn texts_fall_back_through_the_ui_languages() {
        let texts: Texts = [("nb".to_owned(), "kommune".to_owned())].into();
        assert_eq!(text_in(&texts, "en").as_deref(), Some("kommune"));
        assert_eq!(text_in(&Texts::new(), "en"), None);
    }
}
