//! A stored service model as a FHIR R4 `Questionnaire`: one item per field, `linkId` = its
//! model path, `definition` = the registry type property it stands for, `text` in the asked
//! language with the others as translation extensions, the item type from the value type,
//! `required`, `repeats`, `maxLength`, patterns as the `regex` extension and bounds as
//! `minValue` / `maxValue`, a code list served here as `answerValueSet` = the canonical URL of
//! its implicit ValueSet on semreg's FHIR terminology API (inline `answerOption`s otherwise),
//! help texts as `display` items with the `help` item control, the concept's example as the
//! `entryFormat` extension, and a list's bounds as the `minOccurs` / `maxOccurs` extensions.

use super::tree::{text_in, FormTree, Kind, Node, ValueField};
use super::{pascal_name, tree, FormsError, LANGUAGES};
use crate::app::App;
use crate::ids::resource_id_for_iri;
use crate::service_models::fields::Texts;
use serde_json::{json, Map, Value};

/// FHIR's translation extension.
pub const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";
/// FHIR's regex extension.
pub const REGEX: &str = "http://hl7.org/fhir/StructureDefinition/regex";
/// FHIR's item control extension.
pub const ITEM_CONTROL: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";
/// FHIR's entry format extension (guidance on what to enter).
pub const ENTRY_FORMAT: &str = "http://hl7.org/fhir/StructureDefinition/entryFormat";
/// FHIR's questionnaire minOccurs extension.
pub const MIN_OCCURS: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs";
/// FHIR's questionnaire maxOccurs extension.
pub const MAX_OCCURS: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs";
/// The suffix of a help item's linkId.
pub const HELP_SUFFIX: &str = "#help";

/// A language the Questionnaire's texts are asked in.
pub fn parse_lang(lang: &str) -> Result<&'static str, FormsError> {
    LANGUAGES
        .iter()
        .find(|l| **l == lang)
        .copied()
        .ok_or_else(|| FormsError::BadOption(format!("lang: one of nb, nn, en, found {lang:?}")))
}

/// The Questionnaire of a stored service model (by id, alias or IRI), texts in `lang`.
pub async fn questionnaire(app: &App, id: &str, lang: &str) -> Result<Value, FormsError> {
    let lang = parse_lang(lang)?;
    let bundle = crate::service_models::load(app, id).await?;
    let tree = tree::build(app, &bundle).await?;
    Ok(write(app, &tree, lang))
}

/// Writes the Questionnaire of a form tree.
pub fn write(app: &App, tree: &FormTree, lang: &str) -> Value {
    let items: Vec<Value> = tree.nodes.iter().map(|n| item(app, n, lang)).collect();
    json!({
        "resourceType": "Questionnaire",
        "id": tree.id,
        "url": tree.iri,
        "version": tree.version.to_string(),
        "name": pascal_name(&tree.name),
        "title": tree.name,
        "status": "active",
        "language": lang,
        "item": items,
    })
}

/// `text` in `lang`, and `_text` with the other languages as translations.
fn put_text(out: &mut Map<String, Value>, texts: &Texts, lang: &str) {
    let Some(text) = text_in(texts, lang) else {
        return;
    };
    out.insert("text".into(), json!(text));
    let translations: Vec<Value> = texts
        .iter()
        .filter(|(l, t)| l.as_str() != lang && LANGUAGES.contains(&l.as_str()) && **t != text)
        .map(|(l, t)| {
            json!({"url": TRANSLATION, "extension": [
                {"url": "lang", "valueCode": l},
                {"url": "content", "valueString": t}]})
        })
        .collect();
    if !translations.is_empty() {
        out.insert("_text".into(), json!({"extension": translations}));
    }
}

fn control(code: &str) -> Value {
    json!({"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [
        {"system": "http://hl7.org/fhir/questionnaire-item-control", "code": code}]}})
}

/// The FHIR item type of a value field.
pub fn item_type(value: &ValueField) -> &'static str {
    if value.code_list.is_some() || !value.codes.is_empty() {
        return "choice";
    }
    match (value.json_type.as_str(), value.format.as_deref()) {
        ("boolean", _) => "boolean",
        ("integer", _) => "integer",
        ("number", _) => "decimal",
        (_, Some("date")) => "date",
        (_, Some("date-time")) => "dateTime",
        (_, Some("time")) => "time",
        (_, Some("uri")) => "url",
        _ if value.component == "TextArea" || value.max_length.is_some_and(|m| m > 255) => "text",
        _ => "string",
    }
}

fn item(app: &App, node: &Node, lang: &str) -> Value {
    let mut out = Map::new();
    out.insert("linkId".into(), json!(node.pointer()));
    out.insert("definition".into(), json!(node.definition));
    put_text(&mut out, &node.label, lang);
    let mut extensions = Vec::new();
    let mut children: Vec<Value> = Vec::new();
    match &node.kind {
        Kind::Group(nodes) => {
            out.insert("type".into(), json!("group"));
            children.extend(nodes.iter().map(|n| item(app, n, lang)));
        }
        Kind::Value(value) => {
            let kind = item_type(value);
            out.insert("type".into(), json!(kind));
            if let (Some(max), "string" | "text" | "url") = (value.max_length, kind) {
                out.insert("maxLength".into(), json!(max));
            }
            if let Some(pattern) = value
                .pattern
                .as_ref()
                .filter(|_| matches!(kind, "string" | "text"))
            {
                extensions.push(json!({"url": REGEX, "valueString": pattern}));
            }
            let bound_key = match kind {
                "integer" => Some("valueInteger"),
                "decimal" => Some("valueDecimal"),
                _ => None,
            };
            if let Some(key) = bound_key {
                for (url, bound) in [("minValue", &value.minimum), ("maxValue", &value.maximum)] {
                    if let Some(n) = bound {
                        extensions.push(json!({"url": format!("http://hl7.org/fhir/StructureDefinition/{url}"), key: n}));
                    }
                }
            }
            if let Some(example) = text_in(&node.description, lang) {
                extensions.push(json!({"url": ENTRY_FORMAT, "valueString": example}));
            }
            if kind == "choice" {
                answers(app, value, &mut out);
                let code = match value.component.as_str() {
                    "RadioButtons" => "radio-button",
                    "Checkboxes" => "check-box",
                    _ => "drop-down",
                };
                extensions.push(control(code));
            }
        }
    }
    if node.min > 0 {
        out.insert("required".into(), json!(true));
    }
    if node.repeats() {
        out.insert("repeats".into(), json!(true));
        if node.min > 1 {
            extensions.push(json!({"url": MIN_OCCURS, "valueInteger": node.min}));
        }
        if let Some(max) = node.max {
            extensions.push(json!({"url": MAX_OCCURS, "valueInteger": max}));
        }
    }
    if !node.help.is_empty() {
        let mut help = Map::new();
        help.insert(
            "linkId".into(),
            json!(format!("{}{HELP_SUFFIX}", node.pointer())),
        );
        put_text(&mut help, &node.help, lang);
        help.insert("type".into(), json!("display"));
        help.insert("extension".into(), json!([control("help")]));
        children.insert(0, Value::Object(help));
    }
    if !extensions.is_empty() {
        out.insert("extension".into(), Value::Array(extensions));
    }
    if !children.is_empty() {
        out.insert("item".into(), Value::Array(children));
    }
    Value::Object(out)
}

/// `answerValueSet` for a list the terminology API serves, else `answerOption`s of the
/// schema's codes.
fn answers(app: &App, value: &ValueField, out: &mut Map<String, Value>) {
    if let Some(list) = value
        .code_list
        .as_ref()
        .and_then(|h| app.code_lists.get(&resource_id_for_iri(&h.iri)))
    {
        out.insert(
            "answerValueSet".into(),
            json!(crate::fhir::resolve::value_set_url(&list.list.iri)),
        );
        return;
    }
    let options: Vec<Value> = value
        .codes
        .iter()
        .map(|code| json!({"valueCoding": {"code": code, "display": code}}))
        .collect();
    out.insert("answerOption".into(), Value::Array(options));
}
