//! Renders code lists in the API's JSON and CSV and in Altinn's two option formats.

use super::model::{pick, Texts};
use super::query::{select_codes, CodeQuery};
use super::{CachedList, Rendered};
use serde::Serialize;
use serde_json::{Map, Value};

/// The API's JSON answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodesResponse<'a> {
    /// The list's id.
    pub id: &'a str,
    /// The list's version.
    pub version: i32,
    /// The selected codes.
    pub codes: Vec<super::query::CodeResponse>,
}

/// `{"id","version","codes":[...]}`
pub fn codes_json(list: &CachedList, query: &CodeQuery) -> Rendered {
    let body = serde_json::to_vec(&CodesResponse {
        id: &list.id,
        version: list.version,
        codes: select_codes(&list.list, query),
    })
    .unwrap_or_default();
    Rendered::new(body, "application/json")
}

/// CSV with a header row: code, parent, level, label, description, validFrom, validTo.
pub fn codes_csv(list: &CachedList, query: &CodeQuery) -> Rendered {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "code",
        "parent",
        "level",
        "label",
        "description",
        "validFrom",
        "validTo",
    ]);
    for code in select_codes(&list.list, query) {
        let _ = writer.write_record([
            code.code,
            code.parent.unwrap_or_default(),
            code.level.to_string(),
            code.label.unwrap_or_default(),
            code.description.unwrap_or_default(),
            code.valid_from.map(|d| d.to_string()).unwrap_or_default(),
            code.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    let body = writer.into_inner().unwrap_or_default();
    Rendered::new(body, "text/csv; charset=utf-8")
}

/// Altinn's app option list: `[{"value","label","description"?,"helpText"?}]`, values keeping
/// their JSON type.
pub fn altinn_options(list: &CachedList, query: &CodeQuery) -> Rendered {
    let options: Vec<Value> = list
        .list
        .codes
        .iter()
        .filter(|c| query.selects(c))
        .map(|c| {
            let mut option = Map::new();
            option.insert("value".into(), c.value());
            option.insert(
                "label".into(),
                Value::String(pick(&c.labels, &query.lang).unwrap_or(&c.code).to_owned()),
            );
            if let Some(d) = pick(&c.descriptions, &query.lang) {
                option.insert("description".into(), Value::String(d.to_owned()));
            }
            if let Some(h) = pick(c.help_texts(), &query.lang) {
                option.insert("helpText".into(), Value::String(h.to_owned()));
            }
            Value::Object(option)
        })
        .collect();
    Rendered::new(
        serde_json::to_vec(&options).unwrap_or_default(),
        "application/json",
    )
}

fn texts_object(texts: &Texts) -> Value {
    Value::Object(
        texts
            .iter()
            .map(|(lang, text)| {
                let lang = if lang.is_empty() { "nb" } else { lang };
                (lang.to_owned(), Value::String(text.to_owned()))
            })
            .collect(),
    )
}

/// Altinn 3's code-list library payload:
/// `{"codes":[{"value","label":{lang:text},"description"?,"helpText"?,"tags"?}],"version","source","tagNames"?}`.
pub fn altinn_library(list: &CachedList, org: &str, code_list_id: &str) -> Rendered {
    let statuses = super::query::StatusFilter::default_for(&list.list);
    let codes: Vec<Value> = list
        .list
        .codes
        .iter()
        .filter(|c| statuses.keeps(c.status()))
        .map(|c| {
            let mut code = Map::new();
            code.insert("value".into(), c.value());
            let labels = if c.labels.is_empty() {
                Value::Object(
                    [("nb".to_owned(), Value::String(c.code.to_string()))]
                        .into_iter()
                        .collect(),
                )
            } else {
                texts_object(&c.labels)
            };
            code.insert("label".into(), labels);
            if !c.descriptions.is_empty() {
                code.insert("description".into(), texts_object(&c.descriptions));
            }
            if !c.help_texts().is_empty() {
                code.insert("helpText".into(), texts_object(c.help_texts()));
            }
            if !c.tags().is_empty() {
                code.insert(
                    "tags".into(),
                    Value::Array(c.tags().iter().cloned().map(Value::String).collect()),
                );
            }
            Value::Object(code)
        })
        .collect();
    let mut payload = Map::new();
    payload.insert("codes".into(), Value::Array(codes));
    payload.insert(
        "version".into(),
        Value::String(format!(
            "{org}/code_lists/{code_list_id}/{}.json",
            list.version
        )),
    );
    payload.insert("source".into(), serde_json::json!({ "name": "semreg" }));
    if !list.list.tag_names.is_empty() {
        payload.insert(
            "tagNames".into(),
            Value::Array(
                list.list
                    .tag_names
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .collect(),
            ),
        );
    }
    Rendered::new(
        serde_json::to_vec(&Value::Object(payload)).unwrap_or_default(),
        "application/json",
    )
}
