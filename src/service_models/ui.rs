//! UI hints per field of a service model: which form component fits (as Altinn's app
//! components are named), its data-model binding, code list, and label and help texts in
//! nb/nn/en taken from the linked concept (the field's own title and description otherwise).

use super::fields::{Field, FieldValue, Texts};
use serde::{Deserialize, Serialize};

/// Languages UI texts are given in.
pub const UI_LANGUAGES: [&str; 3] = ["nb", "nn", "en"];

/// At most this many codes are shown as radio buttons; more as a dropdown.
pub const RADIO_MAX_CODES: usize = 5;

/// The code list behind a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CodeListHint {
    /// The list's IRI.
    pub iri: String,
    /// Its registry id (or alias).
    pub id: String,
    /// Codes valid today.
    pub codes: usize,
    /// Altinn's option-list URL for it (`/api/v1/code-lists/{id}/altinn-options`).
    pub options_url: String,
}

/// How to show one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UiHint {
    /// JSON Pointer of the field in the service-model document.
    pub path: String,
    /// The same as a dotted data-model binding (`applicant.address.municipality`).
    pub binding: String,
    /// Input, TextArea, Datepicker, Dropdown, RadioButtons or Checkboxes.
    pub component: String,
    /// Whether a value is required.
    pub required: bool,
    /// The XSD built-in type of its values.
    pub data_type: String,
    /// Label per language.
    pub label: Texts,
    /// Help text per language.
    #[serde(skip_serializing_if = "Texts::is_empty", default)]
    pub help_text: Texts,
    /// The concept the texts come from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub concept: Option<String>,
    /// The code list, for option components.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code_list: Option<CodeListHint>,
    /// xsd:maxLength of the value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_length: Option<u64>,
    /// xsd:pattern of the value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pattern: Option<String>,
}

/// The component for a value field: options from a code list by count and cardinality,
/// dates by date picker, long text by text area.
pub fn component_for(field: &Field, code_count: Option<usize>) -> &'static str {
    match &field.value {
        FieldValue::Object { .. } => "Group",
        FieldValue::Value {
            builtin,
            code_list,
            max_length,
            ..
        } => match (code_list, code_count) {
            (Some(_), _) if field.is_array() => "Checkboxes",
            (Some(_), Some(n)) if n <= RADIO_MAX_CODES => "RadioButtons",
            (Some(_), _) => "Dropdown",
            (None, _) if builtin == "boolean" => "Checkboxes",
            (None, _) if matches!(builtin.as_str(), "date" | "dateTime") => "Datepicker",
            (None, _) if max_length.is_some_and(|m| m > 255) => "TextArea",
            (None, _) => "Input",
        },
    }
}

/// Label and help texts in nb/nn/en: the concept's, else the field's own (its name in nb when
/// it has no title at all).
pub fn texts(field: &Field, concept: Option<(&Texts, &Texts)>) -> (Texts, Texts) {
    let pick = |from_concept: Option<&Texts>, own: &Texts, fallback: Option<&str>| {
        let mut out = Texts::new();
        for lang in UI_LANGUAGES {
            let text = from_concept
                .and_then(|t| t.get(lang))
                .or_else(|| own.get(lang))
                .or_else(|| (lang == "nb").then(|| own.get("")).flatten())
                .cloned()
                .or_else(|| {
                    (lang == "nb")
                        .then(|| fallback.map(str::to_owned))
                        .flatten()
                });
            if let Some(text) = text {
                out.insert(lang.to_owned(), text);
            }
        }
        out
    };
    let own_titles: Texts = field
        .titles
        .iter()
        .filter(|(_, t)| **t != field.name)
        .map(|(l, t)| (l.clone(), t.clone()))
        .collect();
    let label = pick(concept.map(|c| c.0), &own_titles, Some(&field.name));
    let help = pick(concept.map(|c| c.1), &field.descriptions, None);
    (label, help)
}

/// The dotted binding of a JSON Pointer.
pub fn binding(path: &str) -> String {
    crate::mappings::pointer_tokens(path).join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(builtin: &str, list: bool, max: Option<u64>) -> Field {
        Field {
            path: "/a/b".into(),
            name: "b".into(),
            owner: "https://example.org/T".into(),
            min: 1,
            max,
            required: true,
            value: FieldValue::Value {
                builtin: builtin.into(),
                code_list: list.then(|| "https://example.org/list".into()),
                max_length: None,
                pattern: None,
            },
            concept: None,
            titles: Texts::new(),
            descriptions: Texts::new(),
        }
    }

    #[test]
    fn components_follow_type_code_count_and_cardinality() {
        assert_eq!(
            component_for(&field("string", false, Some(1)), None),
            "Input"
        );
        assert_eq!(
            component_for(&field("date", false, Some(1)), None),
            "Datepicker"
        );
        assert_eq!(
            component_for(&field("string", true, Some(1)), Some(2)),
            "RadioButtons"
        );
        assert_eq!(
            component_for(&field("string", true, Some(1)), Some(5)),
            "RadioButtons"
        );
        assert_eq!(
            component_for(&field("string", true, Some(1)), Some(6)),
            "Dropdown"
        );
        assert_eq!(
            component_for(&field("string", true, None), Some(3)),
            "Checkboxes"
        );
        assert_eq!(
            component_for(&field("string", true, Some(4)), Some(300)),
            "Checkboxes"
        );
    }

    #[test]
    fn texts_prefer_the_concept_then_the_field_then_its_name() {
        let f = field("string", false, Some(1));
        let labels: Texts = [
            ("nb".into(), "Fødselsdato".into()),
            ("en".into(), "Date of birth".into()),
        ]
        .into();
        let help: Texts = [("nn".into(), "Dato då personen vart fødd".into())].into();
        let (label, help_text) = texts(&f, Some((&labels, &help)));
        assert_eq!(label.get("en").map(String::as_str), Some("Date of birth"));
        assert_eq!(label.get("nn"), None);
        assert_eq!(help_text.len(), 1);
        let (label, help_text) = texts(&f, None);
        assert_eq!(label.get("nb").map(String::as_str), Some("b"));
        assert!(help_text.is_empty());
    }
}
