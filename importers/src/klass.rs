//! Importer for SSB Klass codes JSON: bytes to RDF triples (then resources via [`crate::rdf::finish`]).
//!
//! Reads the response of Klass's `/classifications/{id}/codes` and `/codesAt`
//! (`{"codes": [{"code", "parentCode", "level", "name", "shortName", "presentationName",
//! "validFrom", "validTo", "notes", ...}]}`) into one code list with its hierarchy
//! (`parentCode` → skos:broader, `level`) and validity (`validFrom` → euvoc:startDate,
//! `validTo` → euvoc:endDate, exclusive as in Klass). `name` is the label, `shortName` and
//! `presentationName` alternative labels, `notes` the description. `validFromInRequestedRange`
//! and `validToInRequestedRange` describe the request, not the code, and are not kept.
//!
//! Params: `iri`, `id` (the classification id), `lang` (default `nb`), `label` (the list's name).
//! The list IRI is `params["iri"]`; else, with a classification id from `params["id"]` or the
//! file name (`ssb-klass-131-...`), `https://data.ssb.no/api/klass/v1/classifications/{id}` with
//! alias `ssb-klass-{id}`; else `urn:semreg:klass:<content hash>`.

use std::collections::HashSet;

use oxrdf::Triple;

use crate::altinn::json::{self, Json, JsonPath};
use crate::codelist::{code_iri, CodeListBuilder, CodeValue};
use crate::{ImportError, ImportOptions, ImportWarning};

/// The params this importer reads.
const PARAMS: &[&str] = &["iri", "id", "lang", "label"];

/// Where Klass classifications live.
const KLASS_BASE: &str = "https://data.ssb.no/api/klass/v1/classifications/";

/// Reads SSB Klass codes JSON into triples plus warnings.
pub fn to_triples(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let mut warnings = json::unknown_params(options, PARAMS);
    let document = json::parse(bytes)?;
    let lang = json::param_lang(options)?;
    let root = JsonPath::root();
    let codes_path = root.key("codes");
    let codes = match (&document, document.get("codes")) {
        (Json::Object(_), Some(Json::Array(codes))) => codes,
        (Json::Object(_), Some(other)) => {
            return Err(codes_path.invalid(format!(
                "expected an array of Klass codes, found {}",
                other.kind()
            )))
        }
        (Json::Object(_), None) => {
            return Err(root.invalid("expected an object with \"codes\" (SSB Klass codes JSON)"))
        }
        (other, _) => {
            return Err(root.invalid(format!(
                "expected an object with \"codes\" (SSB Klass codes JSON), found {}",
                other.kind()
            )))
        }
    };

    let id = match options.params.get("id") {
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => Some(id.clone()),
        Some(id) => {
            return Err(ImportError::Invalid {
                location: "param id".to_owned(),
                message: format!("expected a Klass classification number, found {id:?}"),
            })
        }
        None => classification_id_from_file_name(options.file_name.as_deref()),
    };
    let list_iri = match (options.params.get("iri"), &id) {
        (Some(iri), _) => iri.clone(),
        (None, Some(id)) => format!("{KLASS_BASE}{id}"),
        (None, None) => format!("urn:semreg:klass:{}", json::content_id(bytes)),
    };
    let mut list = CodeListBuilder::new(&list_iri)?;
    if let Some(id) = &id {
        list.identifier(id);
        list.alias(&format!("ssb-klass-{id}"));
    }
    if let Some(label) = options.params.get("label") {
        list.label(&lang, label);
    }

    // Every code first, so that parents can be checked whatever their position.
    let mut known = HashSet::new();
    for (at, item) in codes.iter().enumerate() {
        let path = codes_path.index(at);
        let code = code_text(item, &path)?;
        known.insert(code);
    }

    let mut seen = HashSet::new();
    let mut missing_parents = Vec::new();
    for (at, item) in codes.iter().enumerate() {
        let path = codes_path.index(at);
        let value = CodeValue::String(code_text(item, &path)?);
        if !seen.insert(code_iri(&list_iri, &value)) {
            warnings.push(path.key("code").warning(format!(
                "the code {} appears more than once; only its first entry is kept",
                value.text()
            )));
            continue;
        }
        let mut code = list.code(value.clone());
        match text(item, "name", &path)? {
            Some(name) => {
                code.label(&lang, &name);
            }
            None => warnings.push(path.key("name").warning("the code has no name")),
        }
        for key in ["shortName", "presentationName"] {
            if let Some(alt) = text(item, key, &path)? {
                code.alt_label(&lang, &alt);
            }
        }
        if let Some(notes) = text(item, "notes", &path)? {
            code.description(&lang, &notes);
        }
        if let Some(parent) = text(item, "parentCode", &path)? {
            if !known.contains(&parent) {
                missing_parents.push(parent.clone());
            }
            code.parent(&CodeValue::String(parent));
        }
        match item.get("level") {
            None | Some(Json::Null) => {}
            Some(level) => match level_number(level) {
                Some(level) => {
                    code.level(level);
                }
                None => warnings.push(path.key("level").warning(format!(
                    "expected a level number, found {}; level not kept",
                    json::to_json_text(level)
                ))),
            },
        }
        for (key, is_end) in [("validFrom", false), ("validTo", true)] {
            let Some(date) = text(item, key, &path)? else {
                continue;
            };
            let ok = if is_end {
                code.valid_to(&date)
            } else {
                code.valid_from(&date)
            };
            if !ok {
                warnings.push(path.key(key).warning(format!(
                    "expected a date YYYY-MM-DD, found {date:?}; the date is not kept"
                )));
            }
        }
        code.done();
    }
    if !missing_parents.is_empty() {
        missing_parents.sort();
        missing_parents.dedup();
        warnings.push(codes_path.warning(format!(
            "{} parent codes are not in the file (the links are kept): {}",
            missing_parents.len(),
            missing_parents.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok((list.finish(), warnings))
}

/// The classification id in a file name such as `ssb-klass-131-kommuner.json`.
pub fn classification_id_from_file_name(file_name: Option<&str>) -> Option<String> {
    let name = file_name?;
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    let at = base.find("klass-")?;
    let digits: String = base[at + "klass-".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty() && digits.len() <= 9).then_some(digits)
}

/// The `code` of a Klass code entry (a string; a number is accepted as its text).
fn code_text(item: &Json, path: &JsonPath) -> Result<String, ImportError> {
    if !matches!(item, Json::Object(_)) {
        return Err(path.invalid(format!(
            "expected a Klass code object with \"code\" and \"name\", found {}",
            item.kind()
        )));
    }
    match item.get("code") {
        Some(Json::String(code)) if !code.is_empty() => Ok(code.clone()),
        Some(Json::Number(code)) => Ok(code.to_string()),
        Some(other) => Err(path.key("code").invalid(format!(
            "expected a non-empty code string, found {}",
            json::to_json_text(other)
        ))),
        None => Err(path.key("code").invalid("expected a code, found none")),
    }
}

/// An optional text field: `None` when absent, null or empty.
fn text(item: &Json, key: &str, path: &JsonPath) -> Result<Option<String>, ImportError> {
    match item.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(text)) => {
            let text = text.trim();
            Ok((!text.is_empty()).then(|| text.to_owned()))
        }
        Some(Json::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(path
            .key(key)
            .invalid(format!("expected a string or null, found {}", other.kind()))),
    }
}

/// Klass gives levels as strings (`"1"`); numbers are accepted too.
fn level_number(level: &Json) -> Option<i64> {
    match level {
        Json::String(text) => text.trim().parse().ok(),
        Json::Number(number) => number.as_i64(),
        _ => None,
    }
    .filter(|level| *level >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_ids_come_from_file_names() {
        assert_eq!(
            classification_id_from_file_name(Some("data/ssb-klass-131-kommuner-codesAt-2024.json")),
            Some("131".to_owned())
        );
        assert_eq!(
            classification_id_from_file_name(Some("ssb-klass_counties.json")),
            None
        );
        assert_eq!(classification_id_from_file_name(None), None);
    }

    #[test]
    fn an_invalid_date_is_a_warning_on_that_code_only() {
        let bytes = br#"{"codes":[{"code":"01","name":"A","validFrom":"2020-13-01"},{"code":"02","name":"B","validFrom":"2020-01-01"}]}"#;
        let (triples, warnings) = to_triples(bytes, &ImportOptions::default()).expect("imports");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].location.as_deref(),
            Some("$.codes[0].validFrom")
        );
        assert_eq!(
            triples
                .iter()
                .filter(|t| t.predicate.as_str() == crate::codelist::terms::START_DATE)
                .count(),
            1
        );
    }
}
