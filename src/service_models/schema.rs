//! Step 2 of composing: the service model's JSON Schema — an object with a property per part
//! referring to the part's type, and every type's own bundled export under `$defs` (a name two
//! different definitions want gets a suffix, and references follow the rename).

use super::parts::Resolved;
use super::{invalid, ComposeRequest, ServiceModelError};
use crate::app::App;
use crate::types::ExportOptions;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The JSON Schema of the parts: each type's own export, bundled, as a property.
pub(super) async fn build(
    app: &App,
    request: &ComposeRequest,
    parts: &[Resolved],
    lang: &str,
) -> Result<Value, ServiceModelError> {
    let options = ExportOptions {
        bundle: true,
        lang: lang.to_owned(),
        ..ExportOptions::default()
    };
    let mut exports = Vec::new();
    for part in parts {
        exports.push(match &part.concept {
            Some(field) => concept_item(part, &field.schema),
            None => crate::types::json_schema(app, &part.type_row.id, &options).await?,
        });
    }
    compose_schema(request, parts, exports)
}

/// The service model's JSON Schema: an object with a property per part referring to the
/// part's type, and every type's bundled definitions in `$defs`.
/// A concept part's value schema (one item of it, for a list: composing makes the array).
fn concept_item(part: &Resolved, schema: &Value) -> Value {
    if !part.is_array() {
        return schema.clone();
    }
    let mut item = schema.get("items").cloned().unwrap_or_else(|| json!({}));
    for key in ["title", "description", "x-concept"] {
        if let Some(v) = schema.get(key) {
            item[key] = v.clone();
        }
    }
    item
}

fn compose_schema(
    request: &ComposeRequest,
    parts: &[Resolved],
    exports: Vec<Value>,
) -> Result<Value, ServiceModelError> {
    let mut defs = Map::new();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (i, (part, export)) in parts.iter().zip(exports).enumerate() {
        let Value::Object(mut export) = export else {
            return Err(invalid(
                format!("parts[{i}].type"),
                "its JSON Schema is not an object",
            ));
        };
        let own_defs = match export.remove("$defs") {
            Some(Value::Object(d)) => d,
            _ => Map::new(),
        };
        // Names taken by a different definition get a suffix; references follow the rename.
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for (name, schema) in &own_defs {
            if let Some(existing) = defs.get(name) {
                if existing != schema {
                    let mut n = 2;
                    while defs.contains_key(&format!("{name}_{n}")) {
                        n += 1;
                    }
                    renames.insert(name.clone(), format!("{name}_{n}"));
                }
            }
        }
        let mut root = Value::Object(export);
        rewrite_refs(&mut root, &renames);
        for (name, mut schema) in own_defs {
            rewrite_refs(&mut schema, &renames);
            let name = renames.get(&name).cloned().unwrap_or(name);
            defs.entry(name).or_insert(schema);
        }
        let Value::Object(mut root) = root else {
            unreachable!()
        };
        for key in ["$schema", "$id", "$comment"] {
            root.remove(key);
        }
        let item = match root.get("$ref") {
            Some(reference)
                if root
                    .keys()
                    .all(|k| matches!(k.as_str(), "$ref" | "title" | "description")) =>
            {
                json!({ "$ref": reference })
            }
            _ => {
                let mut name = part.request.field.clone();
                let mut n = 2;
                while defs.contains_key(&name) {
                    name = format!("{}_{n}", part.request.field);
                    n += 1;
                }
                defs.insert(name.clone(), Value::Object(root.clone()));
                json!({ "$ref": format!("#/$defs/{name}") })
            }
        };
        let mut property = if part.is_array() {
            let mut array = json!({ "type": "array", "items": item });
            if part.min > 0 {
                array["minItems"] = json!(part.min);
            }
            if let Some(max) = part.max {
                array["maxItems"] = json!(max);
            }
            array
        } else {
            item
        };
        if let Some(title) = root.get("title") {
            property["title"] = title.clone();
        }
        if part.min > 0 {
            required.push(part.request.field.clone());
        }
        properties.insert(part.request.field.clone(), property);
    }
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": request.name.trim(),
        "type": "object",
        "properties": properties,
    });
    if let Some(description) = &request.description {
        schema["description"] = json!(description);
    }
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    if !defs.is_empty() {
        schema["$defs"] = Value::Object(defs);
    }
    Ok(schema)
}

/// Rewrites `#/$defs/Old...` references to renamed definitions.
fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    if renames.is_empty() {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    if let Value::String(reference) = v {
                        for (old, new) in renames {
                            let prefix = format!("#/$defs/{old}");
                            if reference == &prefix || reference.starts_with(&format!("{prefix}/"))
                            {
                                *reference = format!("#/$defs/{new}{}", &reference[prefix.len()..]);
                                break;
                            }
                        }
                    }
                } else {
                    rewrite_refs(v, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_definitions_keep_their_references() {
        let mut schema = json!({"properties": {"a": {"$ref": "#/$defs/Adresse"}, "b": {"$ref": "#/$defs/AdresseX"}}});
        rewrite_refs(
            &mut schema,
            &[("Adresse".to_owned(), "Adresse_2".to_owned())].into(),
        );
        assert_eq!(schema["properties"]["a"]["$ref"], "#/$defs/Adresse_2");
        assert_eq!(schema["properties"]["b"]["$ref"], "#/$defs/AdresseX");
    }
}
