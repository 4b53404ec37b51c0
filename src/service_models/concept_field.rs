//! A concept as a form field: its labels and definition give the field's texts in nb/nn/en, its
//! value range (`skosno:valueRange`, v1 `skosno:omfang`) the field's values — a code list the
//! registry serves (an `enum`, or a `$ref` to the list's schema when it is long, and a
//! Dropdown / RadioButtons hint), an XSD datatype (that type), or a text (a string, the text
//! kept in the description). Serves `GET /api/v1/concepts/{id}/field` and the concept parts of
//! a service model.

use super::fields::{Field, FieldValue, Graphs};
use super::ui::UiHint;
use super::{invalid, ServiceModelError};
use crate::app::App;
use crate::ids::resource_id_for_iri;
use crate::mappings::MappingError;
use crate::types::json_schema::builtin;
use crate::types::ExportOptions;
use serde::Serialize;
use serde_json::{json, Map, Value};

const SKOSNO: &str = "https://data.norge.no/vocabulary/skosno#";
const SKOSNO_V1: &str = "http://difi.no/skosno#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const RDFS_SEE_ALSO: &str = "http://www.w3.org/2000/01/rdf-schema#seeAlso";
/// At most this many codes are an inline `enum`; a longer list is a `$ref` to its schema (as
/// the types export's `enumThreshold` default).
pub const ENUM_THRESHOLD: usize = 100;

/// The XSD built-ins a concept part's `type` may name.
pub const BUILTINS: [&str; 8] = [
    "string", "boolean", "integer", "decimal", "date", "dateTime", "time", "anyURI",
];

/// What a concept's value range says the field holds.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ValueRange {
    /// Codes of a list the registry serves.
    CodeList {
        /// The list's IRI.
        iri: String,
        /// Its id (or alias).
        id: String,
    },
    /// An XSD datatype.
    Datatype {
        /// Its local name (`date`, `integer`...).
        name: String,
    },
    /// A description of the values, in words.
    Text {
        /// The text per language.
        #[schema(value_type = Object)]
        text: std::collections::BTreeMap<String, String>,
    },
    /// An IRI the registry knows nothing about.
    Unknown {
        /// The IRI.
        iri: String,
    },
    /// No value range given: free text.
    None,
}

/// A concept as a field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConceptField {
    /// The concept's registry id.
    pub id: String,
    /// Its IRI.
    pub iri: String,
    /// The field name.
    pub field: String,
    /// What the value range says.
    pub value_range: ValueRange,
    /// The field's JSON Schema (draft 2020-12 fragment).
    #[schema(value_type = Object)]
    pub schema: Value,
    /// How to show it.
    pub ui_hint: UiHint,
}

/// A field name from a concept: its `skosno:dataStructureLabel`, else its label in lower camel
/// case (`Sivil status` → `sivilStatus`, letters æøå as ae, oe, aa).
pub fn field_name(data_structure_label: Option<&str>, label: Option<&str>) -> String {
    if let Some(name) = data_structure_label
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        return name.to_owned();
    }
    let mut out = String::new();
    for (i, word) in label
        .unwrap_or("field")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        let word: String = word
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'æ' => "ae".to_owned(),
                'ø' => "oe".to_owned(),
                'å' => "aa".to_owned(),
                c => c.to_string(),
            })
            .collect();
        let mut chars = word.chars();
        if i == 0 {
            out.push_str(&word);
        } else if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The concept resource an id, alias or IRI names.
pub async fn concept_row(
    app: &App,
    reference: &str,
    at: &str,
) -> Result<crate::store::resource::Model, ServiceModelError> {
    let key = if reference.contains(':') {
        resource_id_for_iri(reference)
    } else {
        reference.to_owned()
    };
    let row = crate::store::find_public_resource(&app.db, &key)
        .await
        .map_err(MappingError::from)?
        .ok_or_else(|| {
            ServiceModelError::NotFound(format!("no concept with id, alias or IRI {reference:?}"))
        })?;
    if row.kind != crate::code_lists::concept_lists::CONCEPT_KIND {
        return Err(invalid(
            at,
            format!("{reference:?} is a {}, not a concept", row.kind),
        ));
    }
    Ok(row)
}

/// How a part asks for a concept field: its name, cardinality and an optional value type that
/// overrides the concept's value range (an XSD built-in, or a code list).
#[derive(Debug, Clone, Default)]
pub struct FieldRequest {
    /// The field name (default: from the concept).
    pub field: Option<String>,
    /// Least occurrences.
    pub min: u64,
    /// Most occurrences (`None`: unbounded).
    pub max: Option<u64>,
    /// An XSD built-in or a code list (id, alias or IRI) instead of the value range.
    pub value_type: Option<String>,
    /// Language of the schema's title and description.
    pub lang: String,
    /// Whether a long code list is inlined too (a bundled service-model schema) rather than a
    /// `$ref` to the list's own schema.
    pub bundle: bool,
    /// Where in the request this comes from (for errors).
    pub at: String,
}

/// A concept (by its resource row) as a field, at the JSON Pointer `/{field}` (or
/// `/{field}/0`... for the UI hint of a list field).
pub async fn build(
    app: &App,
    graphs: &mut Graphs,
    row: &crate::store::resource::Model,
    request: &FieldRequest,
) -> Result<ConceptField, ServiceModelError> {
    let iri = row.iri.clone();
    graphs.ensure(app, &iri).await?;
    let (labels, definitions) = graphs.concept_texts(app, &iri).await?;
    let pick = |texts: &std::collections::BTreeMap<String, String>| -> Option<String> {
        [request.lang.as_str(), "nb", "no", "nn", "en", ""]
            .iter()
            .find_map(|l| texts.get(*l).cloned())
            .or_else(|| texts.values().next().cloned())
    };
    let name = match &request.field {
        Some(f) => f.trim().to_owned(),
        // The same name whatever language the texts are asked in: from the nb label first.
        None => field_name(
            graphs
                .value(&iri, &format!("{SKOSNO}dataStructureLabel"))
                .as_deref(),
            ["nb", "no", "nn", "en", ""]
                .iter()
                .find_map(|l| labels.get(*l))
                .or_else(|| labels.values().next())
                .map(String::as_str),
        ),
    };
    let value_range = match &request.value_type {
        Some(t) => override_range(app, t, &request.at)?,
        None => value_range(app, graphs, &iri),
    };
    let (builtin_name, code_list) = match &value_range {
        ValueRange::CodeList { iri, .. } => ("string".to_owned(), Some(iri.clone())),
        ValueRange::Datatype { name } => (name.clone(), None),
        _ => ("string".to_owned(), None),
    };
    // The value's schema.
    let mut value = match &value_range {
        ValueRange::CodeList { id, .. } => {
            code_list_schema(app, id, &request.lang, request.bundle)?
        }
        _ => {
            let b = builtin(&builtin_name);
            let mut s = Map::new();
            if let Some(t) = b.json_type {
                s.insert("type".into(), json!(t));
            }
            if let Some(f) = b.format {
                s.insert("format".into(), json!(f));
            }
            Value::Object(s)
        }
    };
    let mut description = pick(&definitions);
    match &value_range {
        ValueRange::Text { text } => {
            let range = pick(text).unwrap_or_default();
            description = Some(match description {
                Some(d) => format!("{d}\n\n{range}"),
                None => range,
            });
        }
        ValueRange::Unknown { iri } => {
            value["x-value-range"] = json!(iri);
        }
        _ => {}
    }
    let mut schema = if request.max.is_none_or(|m| m > 1) {
        let mut array = json!({ "type": "array", "items": value });
        if request.min > 0 {
            array["minItems"] = json!(request.min);
        }
        if let Some(max) = request.max {
            array["maxItems"] = json!(max);
        }
        array
    } else {
        value
    };
    if let Some(title) = pick(&labels) {
        schema["title"] = json!(title);
    }
    if let Some(description) = description {
        schema["description"] = json!(description);
    }
    schema["x-concept"] = json!(iri);
    let field = Field {
        path: crate::mappings::pointer_of(&[name.as_str()]),
        name: name.clone(),
        owner: iri.clone(),
        min: request.min,
        max: request.max,
        required: request.min > 0,
        value: FieldValue::Value {
            builtin: builtin_name,
            code_list,
            max_length: None,
            pattern: None,
        },
        concept: Some(iri.clone()),
        titles: Default::default(),
        descriptions: Default::default(),
    };
    let ui_hint = super::hints::hint_for(app, graphs, &field).await?;
    Ok(ConceptField {
        id: row.id.clone(),
        iri,
        field: name,
        value_range,
        schema,
        ui_hint,
    })
}

/// What a concept's `skosno:valueRange` (or v1 `skosno:omfang`, also on its definition) says.
fn value_range(app: &App, graphs: &Graphs, concept: &str) -> ValueRange {
    let mut holders = vec![concept.to_owned()];
    for link in ["definisjon", "betydningsbeskrivelse"] {
        holders.extend(graphs.nodes(concept, &format!("{SKOSNO_V1}{link}")));
    }
    for holder in &holders {
        for predicate in [format!("{SKOSNO}valueRange"), format!("{SKOSNO_V1}omfang")] {
            for target in graphs.nodes(holder, &predicate) {
                // v1 wraps it: [ rdfs:label "text" ; rdfs:seeAlso <iri> ].
                let target = graphs
                    .nodes(&target, RDFS_SEE_ALSO)
                    .into_iter()
                    .next()
                    .unwrap_or(target);
                if let Some(range) = iri_range(app, &target) {
                    return range;
                }
            }
            let text = graphs.texts(holder, &predicate);
            if !text.is_empty() {
                return ValueRange::Text { text };
            }
            for node in graphs.nodes(holder, &predicate) {
                let text = graphs.texts(&node, RDFS_LABEL);
                if !text.is_empty() {
                    return ValueRange::Text { text };
                }
            }
        }
    }
    // An IRI the registry does not know, if that is all there is.
    holders
        .iter()
        .flat_map(|h| graphs.nodes(h, &format!("{SKOSNO}valueRange")))
        .find(|n| !n.starts_with("urn:semreg:genid:"))
        .map_or(ValueRange::None, |iri| ValueRange::Unknown { iri })
}

/// A value range IRI the registry can serve: a code list (or collection) or an XSD datatype.
fn iri_range(app: &App, iri: &str) -> Option<ValueRange> {
    if let Some(name) = iri.strip_prefix(XSD) {
        return Some(ValueRange::Datatype {
            name: name.to_owned(),
        });
    }
    let list = app.code_lists.get(&resource_id_for_iri(iri))?;
    Some(ValueRange::CodeList {
        iri: list.list.iri.clone(),
        id: list.alias.clone().unwrap_or_else(|| list.id.clone()),
    })
}

/// A part's `type` instead of the concept's value range: an XSD built-in or a served list.
fn override_range(app: &App, value_type: &str, at: &str) -> Result<ValueRange, ServiceModelError> {
    let wanted = value_type.trim();
    if BUILTINS.contains(&wanted) {
        return Ok(ValueRange::Datatype {
            name: wanted.to_owned(),
        });
    }
    let key = if wanted.contains(':') {
        resource_id_for_iri(wanted)
    } else {
        wanted.to_owned()
    };
    match app.code_lists.get(&key) {
        Some(list) => Ok(ValueRange::CodeList {
            iri: list.list.iri.clone(),
            id: list.alias.clone().unwrap_or_else(|| list.id.clone()),
        }),
        None => Err(invalid(
            at,
            format!(
                "{value_type:?} is neither a built-in type ({}) nor a code list served here",
                BUILTINS.join(", ")
            ),
        )),
    }
}

/// A served list's schema: an inline `enum` (with `x-code-list`) up to [`ENUM_THRESHOLD`]
/// codes, else a `$ref` to the list's own JSON Schema.
fn code_list_schema(
    app: &App,
    id: &str,
    lang: &str,
    bundle: bool,
) -> Result<Value, ServiceModelError> {
    let list = app
        .code_lists
        .get(id)
        .ok_or_else(|| ServiceModelError::NotFound(format!("no code list {id:?}")))?;
    let codes_url = format!("/api/v1/code-lists/{id}/codes");
    let export = crate::types::code_list_of_projection(&list, id, lang);
    if !bundle && export.codes.len() > ENUM_THRESHOLD {
        return Ok(json!({
            "$ref": format!("/api/v1/code-lists/{id}/json-schema"),
            "x-code-list": codes_url,
        }));
    }
    let mut schema = crate::types::json_schema::code_list_document(
        &export,
        id,
        &ExportOptions {
            lang: lang.to_owned(),
            ..ExportOptions::default()
        },
    );
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("title");
        let builtin_type = if export.codes.iter().all(|c| c.datatype == "string") {
            Some("string")
        } else {
            None
        };
        if let Some(t) = builtin_type {
            map.insert("type".into(), json!(t));
        }
    }
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_come_from_the_data_structure_label_or_the_label_in_camel_case() {
        assert_eq!(
            field_name(Some("sivilstand"), Some("Sivil status")),
            "sivilstand"
        );
        assert_eq!(field_name(None, Some("Dato for søknad")), "datoForSoeknad");
        assert_eq!(
            field_name(None, Some("Årsinntekt (brutto)")),
            "aarsinntektBrutto"
        );
        assert_eq!(field_name(None, Some("4 barn")), "_4Barn");
        assert_eq!(field_name(None, None), "field");
    }
}
