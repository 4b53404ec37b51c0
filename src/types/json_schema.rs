//! JSON Schema (draft 2020-12) from an export model.
//!
//! Named types are `$defs` entries referred to by `$ref`; with `bundle = false` the types (and
//! long code lists) that are registry resources of their own are `$ref`s to their registry URL
//! instead. A code list becomes an `enum` up to the option's threshold and a `$ref` beyond it.
//! XSD facets become keywords (`minLength`, `maxLength`, `pattern` anchored as XSD patterns are,
//! `minimum`, `exclusiveMaximum`, `multipleOf` for `fractionDigits`); what JSON Schema has no
//! keyword for keeps Altinn Studio's annotation (`totalDigits`, `@xsdType`, `@xsdAttribute`,
//! `@xsdText`, `@xsdRootElement`), so Altinn Studio reads the same facts it writes.

use super::model::{Body, CodeList, ExportModel, ObjectDef, Prop, SimpleDef, Subject, Value as V};
use super::{ExportOptions, Loaded};
use crate::ids::resource_id_for_iri;
use serde_json::{json, Map, Number, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The draft 2020-12 meta-schema URI.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// How a built-in XSD type is written in JSON Schema: its `type`, `format` and implicit bounds.
pub struct Builtin {
    /// JSON type (`None` for anyType).
    pub json_type: Option<&'static str>,
    /// `format`, when JSON Schema has one.
    pub format: Option<&'static str>,
    /// Implicit `minimum`.
    pub minimum: Option<i64>,
    /// Implicit `maximum`.
    pub maximum: Option<i64>,
}

/// How an XSD built-in type maps to JSON Schema.
pub fn builtin(name: &str) -> Builtin {
    let (json_type, format, minimum, maximum) = match name {
        "integer" | "int" | "long" | "short" | "byte" => (Some("integer"), None, None, None),
        "nonNegativeInteger" | "unsignedLong" | "unsignedInt" | "unsignedShort"
        | "unsignedByte" => (Some("integer"), None, Some(0), None),
        "positiveInteger" => (Some("integer"), None, Some(1), None),
        "nonPositiveInteger" => (Some("integer"), None, None, Some(0)),
        "negativeInteger" => (Some("integer"), None, None, Some(-1)),
        "decimal" | "float" | "double" => (Some("number"), None, None, None),
        "boolean" => (Some("boolean"), None, None, None),
        "date" => (Some("string"), Some("date"), None, None),
        "dateTime" | "dateTimeStamp" => (Some("string"), Some("date-time"), None, None),
        "time" => (Some("string"), Some("time"), None, None),
        "duration" => (Some("string"), Some("duration"), None, None),
        "anyURI" => (Some("string"), Some("uri-reference"), None, None),
        "anyType" | "anySimpleType" => (None, None, None, None),
        _ => (Some("string"), None, None, None),
    };
    Builtin {
        json_type,
        format,
        minimum,
        maximum,
    }
}

/// A value of a built-in type as JSON: numbers and booleans typed, the rest a string.
pub fn typed_value(builtin_name: &str, value: &str) -> Value {
    match builtin(builtin_name).json_type {
        Some("integer") => value
            .trim()
            .trim_start_matches('+')
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_owned())),
        Some("number") => number(value).unwrap_or_else(|| Value::String(value.to_owned())),
        Some("boolean") => match value.trim() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => Value::String(value.to_owned()),
        },
        _ => Value::String(value.to_owned()),
    }
}

fn number(text: &str) -> Option<Value> {
    let text = text.trim().trim_start_matches('+');
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    let f: f64 = text.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

/// An XSD pattern as a JSON Schema pattern: XSD patterns match the whole value, JSON Schema
/// patterns any part of it, so the pattern is anchored (unless it already is).
pub fn anchored(pattern: &str) -> String {
    if pattern.starts_with('^') && pattern.ends_with('$') {
        pattern.to_owned()
    } else {
        format!("^(?:{pattern})$")
    }
}

struct Writer<'m> {
    model: &'m ExportModel,
    options: &'m ExportOptions,
    /// Names of `$defs` entries used (types and code lists).
    used_types: BTreeSet<usize>,
    /// Code lists used by `$ref`, with the built-in type their values are written as.
    used_lists: BTreeMap<usize, String>,
}

/// Writes the JSON Schema of a loaded type or model.
pub fn write(loaded: &Loaded, options: &ExportOptions) -> Value {
    let model = &loaded.model;
    let mut w = Writer {
        model,
        options,
        used_types: BTreeSet::new(),
        used_lists: BTreeMap::new(),
    };
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DRAFT_2020_12));
    if options.base_url.is_some() {
        let path = super::json_schema_path(loaded.kind, &loaded.id);
        root.insert("$id".into(), json!(options.url(&path)));
    }
    let title = model.title.clone().unwrap_or_else(|| model.name.clone());
    root.insert("title".into(), json!(title));
    if let Some(description) = &model.description {
        root.insert("description".into(), json!(description));
    }
    match model.subject {
        Subject::Type => {
            if let Some(id) = model.root_type {
                root.insert(
                    "$ref".into(),
                    json!(format!("#/$defs/{}", model.types[id].name)),
                );
                w.used_types.insert(id);
            }
        }
        Subject::Model => match model.roots.as_slice() {
            [single] if matches!(single.value, V::Object(_)) && !single.is_array() => {
                // As Altinn Studio writes a model: the instance is the root element's content.
                root.insert("@xsdRootElement".into(), json!(single.name));
                let mut schema = w.prop_schema(single);
                if let Value::Object(schema) = &mut schema {
                    schema.remove("title");
                    schema.remove("description");
                    for (k, v) in std::mem::take(schema) {
                        root.entry(k).or_insert(v);
                    }
                }
            }
            roots => {
                let (properties, required) = w.properties(roots);
                root.insert("type".into(), json!("object"));
                root.insert("properties".into(), Value::Object(properties));
                if !required.is_empty() {
                    root.insert("required".into(), json!(required));
                }
                if model.root_type.is_none() && roots.is_empty() {
                    // A model without root elements: every type it contains is defined.
                    w.used_types.extend(0..model.types.len());
                }
            }
        },
    }
    if let Some(namespace) = &model.namespace {
        root.insert("@xmlNamespace".into(), json!(namespace));
    }
    let defs = w.defs();
    if !defs.is_empty() {
        root.insert("$defs".into(), Value::Object(defs));
    }
    if !model.skipped.is_empty() {
        root.insert(
            "$comment".into(),
            json!(format!("not exported: {}", model.skipped.join("; "))),
        );
    }
    Value::Object(root)
}

impl Writer<'_> {
    /// `$defs` of every type and code list used, following references of what is written.
    fn defs(&mut self) -> Map<String, Value> {
        let mut defs = Map::new();
        let mut done_types = BTreeSet::new();
        let mut done_lists = BTreeSet::new();
        loop {
            let next_type = self
                .used_types
                .iter()
                .find(|id| !done_types.contains(*id))
                .copied();
            if let Some(id) = next_type {
                done_types.insert(id);
                let ty = &self.model.types[id];
                let schema = self.type_schema(id);
                defs.insert(ty.name.clone(), schema);
                continue;
            }
            let next_list = self
                .used_lists
                .iter()
                .find(|(id, _)| !done_lists.contains(*id))
                .map(|(id, builtin)| (*id, builtin.clone()));
            if let Some((id, builtin)) = next_list {
                done_lists.insert(id);
                let list = &self.model.lists[id];
                defs.insert(list.name.clone(), list_schema(list, &builtin));
                continue;
            }
            break;
        }
        // Definitions in discovery order (stable and readable: the root type first).
        let mut ordered: Vec<(String, Value)> = defs.into_iter().collect();
        let position = |name: &str| {
            self.model
                .types
                .iter()
                .position(|t| t.name == name)
                .unwrap_or_else(|| {
                    self.model.types.len()
                        + self
                            .model
                            .lists
                            .iter()
                            .position(|l| l.name == name)
                            .unwrap_or(0)
                })
        };
        ordered.sort_by_key(|(name, _)| position(name));
        let mut out = Map::new();
        for (k, v) in ordered {
            out.insert(k, v);
        }
        out
    }

    fn type_schema(&mut self, id: usize) -> Value {
        let ty = &self.model.types[id];
        let mut schema = match &ty.body {
            Body::Object(def) => self.object_schema(def),
            Body::Simple(def) => self.simple_schema(def),
        };
        if let Value::Object(map) = &mut schema {
            let mut head = Map::new();
            if let Some(title) = &ty.title {
                head.insert("title".into(), json!(title));
            }
            if let Some(description) = &ty.description {
                head.insert("description".into(), json!(description));
            }
            head.append(map);
            *map = head;
        }
        schema
    }

    fn type_ref(&mut self, id: usize) -> Value {
        let ty = &self.model.types[id];
        if ty.external && !self.options.bundle {
            let path = super::json_schema_path(super::TYPE_KIND, &resource_id_for_iri(&ty.iri));
            json!({ "$ref": self.options.url(&path) })
        } else {
            self.used_types.insert(id);
            json!({ "$ref": format!("#/$defs/{}", ty.name) })
        }
    }

    fn object_schema(&mut self, def: &ObjectDef) -> Value {
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        let (properties, required) = self.properties(&def.props);
        if let Some(base) = def.base {
            schema.insert("allOf".into(), json!([self.type_ref(base)]));
        }
        if !properties.is_empty() {
            schema.insert("properties".into(), Value::Object(properties));
        }
        if !required.is_empty() {
            schema.insert("required".into(), json!(required));
        }
        if def.any_attribute {
            schema.insert("@xsdAnyAttribute".into(), json!(true));
        }
        Value::Object(schema)
    }

    fn properties(&mut self, props: &[Prop]) -> (Map<String, Value>, Vec<String>) {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for prop in props {
            if properties.contains_key(&prop.name) {
                continue;
            }
            properties.insert(prop.name.clone(), self.prop_schema(prop));
            if prop.min >= 1 {
                required.push(prop.name.clone());
            }
        }
        (properties, required)
    }

    fn value_schema(&mut self, value: &V) -> Value {
        match value {
            V::Object(id) | V::Simple(id) => self.type_ref(*id),
            V::Inline(def) => self.simple_schema(def),
            V::Any => json!({}),
        }
    }

    fn prop_schema(&mut self, prop: &Prop) -> Value {
        let mut value = self.value_schema(&prop.value);
        let builtin_name = self.builtin_of(&prop.value);
        if let Value::Object(map) = &mut value {
            if let Some(fixed) = &prop.fixed {
                map.insert("const".into(), typed_value(&builtin_name, fixed));
            }
            if let Some(default) = &prop.default {
                map.insert("default".into(), typed_value(&builtin_name, default));
            }
        }
        if prop.nillable {
            value = match value {
                Value::Object(mut map)
                    if map.get("type").and_then(Value::as_str).is_some()
                        && !map.contains_key("enum")
                        && !map.contains_key("const") =>
                {
                    let t = map.remove("type").unwrap_or_default();
                    map.insert("type".into(), json!([t, "null"]));
                    Value::Object(map)
                }
                other => json!({ "anyOf": [other, { "type": "null" }] }),
            };
        }
        let mut schema = if prop.is_array() {
            let mut array = Map::new();
            array.insert("type".into(), json!("array"));
            array.insert("items".into(), value);
            if prop.min > 0 {
                array.insert("minItems".into(), json!(prop.min));
            }
            if let Some(max) = prop.max {
                array.insert("maxItems".into(), json!(max));
            }
            array
        } else {
            match value {
                Value::Object(map) => map,
                other => {
                    let mut map = Map::new();
                    map.insert("allOf".into(), json!([other]));
                    map
                }
            }
        };
        let mut head = Map::new();
        if let Some(title) = &prop.title {
            head.insert("title".into(), json!(title));
        }
        if let Some(description) = &prop.description {
            head.insert("description".into(), json!(description));
        }
        head.append(&mut schema);
        match prop.xml {
            super::model::XmlKind::Attribute => {
                head.insert("@xsdAttribute".into(), json!(true));
            }
            super::model::XmlKind::Text => {
                head.insert("@xsdText".into(), json!(true));
            }
            super::model::XmlKind::Element => {}
        }
        Value::Object(head)
    }

    fn builtin_of(&self, value: &V) -> String {
        match value {
            V::Simple(id) => match &self.model.types[*id].body {
                Body::Simple(def) => def.builtin.clone(),
                Body::Object(_) => "string".to_owned(),
            },
            V::Inline(def) => def.builtin.clone(),
            V::Object(_) | V::Any => "string".to_owned(),
        }
    }

    fn simple_schema(&mut self, def: &SimpleDef) -> Value {
        let mut schema = Map::new();
        let b = builtin(&def.builtin);
        if let Some(t) = b.json_type {
            schema.insert("type".into(), json!(t));
        }
        if let Some(format) = b.format {
            schema.insert("format".into(), json!(format));
        }
        if def.builtin == "base64Binary" {
            schema.insert("contentEncoding".into(), json!("base64"));
        }
        let f = &def.facets;
        let numeric = matches!(b.json_type, Some("integer" | "number"));
        if !numeric {
            let min_length = f.length.or(f.min_length);
            let max_length = match (f.length, f.max_length) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(n) = min_length.filter(|n| *n > 0) {
                schema.insert("minLength".into(), json!(n));
            }
            if let Some(n) = max_length {
                schema.insert("maxLength".into(), json!(n));
            }
        }
        if let Some(pattern) = &f.pattern {
            schema.insert("pattern".into(), json!(anchored(pattern)));
        }
        if numeric {
            let bounds = [
                ("minimum", &f.min_inclusive, b.minimum),
                ("maximum", &f.max_inclusive, b.maximum),
                ("exclusiveMinimum", &f.min_exclusive, None),
                ("exclusiveMaximum", &f.max_exclusive, None),
            ];
            for (keyword, facet, implicit) in bounds {
                match facet.as_deref().and_then(number) {
                    Some(n) => {
                        schema.insert(keyword.into(), n);
                    }
                    None => {
                        let has_exclusive = match keyword {
                            "minimum" => f.min_exclusive.is_some(),
                            "maximum" => f.max_exclusive.is_some(),
                            _ => true,
                        };
                        if let (Some(n), false) = (implicit, has_exclusive) {
                            schema.insert(keyword.into(), json!(n));
                        }
                    }
                }
            }
            if let Some(digits) = f.total_digits {
                schema.insert("totalDigits".into(), json!(digits));
            }
            if let Some(digits) = f.fraction_digits {
                if b.json_type == Some("number") {
                    let step: f64 = format!("1e-{digits}").parse().unwrap_or(1.0);
                    if let Some(n) = Number::from_f64(step) {
                        schema.insert("multipleOf".into(), Value::Number(n));
                    }
                }
            }
        }
        if let Some(list) = def.list {
            let list = &self.model.lists[list];
            if list.codes.is_empty() {
                // The list's codes are not in the registry (a list named, not described): an
                // empty enum would accept nothing, so only the reference is kept.
            } else if list.codes.len() <= self.options.enum_threshold {
                let values: Vec<Value> = list
                    .codes
                    .iter()
                    .map(|c| typed_value(&def.builtin, &c.value))
                    .collect();
                schema.insert("enum".into(), Value::Array(values));
            } else {
                schema.insert("$ref".into(), self.list_ref(list, &def.builtin));
            }
            if list.external {
                let path = format!(
                    "/api/v1/code-lists/{}/codes",
                    resource_id_for_iri(&list.iri)
                );
                schema.insert("x-code-list".into(), json!(self.options.url(&path)));
            }
        }
        schema.insert("@xsdType".into(), json!(def.builtin));
        Value::Object(schema)
    }

    fn list_ref(&mut self, list: &CodeList, builtin: &str) -> Value {
        if list.external && !self.options.bundle {
            let path = format!(
                "/api/v1/code-lists/{}/json-schema",
                resource_id_for_iri(&list.iri)
            );
            json!(self.options.url(&path))
        } else {
            if let Some(id) = self.model.lists.iter().position(|l| l.iri == list.iri) {
                self.used_lists
                    .entry(id)
                    .or_insert_with(|| builtin.to_owned());
            }
            json!(format!("#/$defs/{}", list.name))
        }
    }
}

/// A code list on its own: a schema whose `enum` is the list's codes, typed as `builtin`
/// (empty: as each code's own datatype).
pub fn list_schema(list: &CodeList, builtin: &str) -> Value {
    let mut schema = Map::new();
    if let Some(title) = &list.title {
        schema.insert("title".into(), json!(title));
    }
    let values: Vec<Value> = list
        .codes
        .iter()
        .map(|c| {
            let kind = if builtin.is_empty() {
                c.datatype.as_str()
            } else {
                builtin
            };
            typed_value(kind, &c.value)
        })
        .collect();
    schema.insert("enum".into(), Value::Array(values));
    Value::Object(schema)
}

/// The JSON Schema document of a code list served at `/api/v1/code-lists/{id}/json-schema`:
/// the target of `$ref`s to long code lists in unbundled exports.
pub fn code_list_document(list: &CodeList, id: &str, options: &ExportOptions) -> Value {
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DRAFT_2020_12));
    if options.base_url.is_some() {
        root.insert(
            "$id".into(),
            json!(options.url(&format!("/api/v1/code-lists/{id}/json-schema"))),
        );
    }
    if let Value::Object(body) = list_schema(list, "") {
        for (k, v) in body {
            root.insert(k, v);
        }
    }
    root.insert(
        "x-code-list".into(),
        json!(options.url(&format!("/api/v1/code-lists/{id}/codes"))),
    );
    Value::Object(root)
}
