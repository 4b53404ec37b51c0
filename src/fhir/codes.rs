//! Operations on single codes: `CodeSystem/$lookup`, `CodeSystem/$validate-code`,
//! `ValueSet/$validate-code` and `CodeSystem/$subsumes`.

use super::code_system::{default_language, designations, display, is_inactive, name, Property};
use super::params::{Coding, Kind, Params, Spec};
use super::resolve::Resolved;
use super::value_set::language_param;
use super::FhirError;
use crate::code_lists::model::Code;
use crate::code_lists::query::fold;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// The parameters of `CodeSystem/$lookup`.
pub const LOOKUP: &[Spec] = &[
    Spec::one("system", Kind::Text),
    Spec::one("code", Kind::Text),
    Spec::one("version", Kind::Text),
    Spec::one("coding", Kind::Coding),
    Spec::one("date", Kind::Date),
    Spec::one("displayLanguage", Kind::Text),
    Spec::many("property", Kind::Text),
    Spec::many(
        "useSupplement",
        Kind::Unsupported("code system supplements are not held here"),
    ),
];

/// The parameters of `CodeSystem/$validate-code`.
pub const VALIDATE_CODE_SYSTEM: &[Spec] = &[
    Spec::one("url", Kind::Text),
    Spec::one("system", Kind::Text),
    Spec::one("code", Kind::Text),
    Spec::one("version", Kind::Text),
    Spec::one("display", Kind::Text),
    Spec::one("coding", Kind::Coding),
    Spec::one("codeableConcept", Kind::CodeableConcept),
    Spec::one("date", Kind::Date),
    Spec::one("abstract", Kind::Boolean),
    Spec::one("displayLanguage", Kind::Text),
    Spec::one(
        "codeSystem",
        Kind::Unsupported(
            "code systems sent with the request are not validated against; name one by url",
        ),
    ),
];

/// The parameters of `ValueSet/$validate-code`.
pub const VALIDATE_VALUE_SET: &[Spec] = &[
    Spec::one("url", Kind::Text),
    Spec::one("valueSetVersion", Kind::Text),
    Spec::one("system", Kind::Text),
    Spec::one("systemVersion", Kind::Text),
    Spec::one("code", Kind::Text),
    Spec::one("display", Kind::Text),
    Spec::one("coding", Kind::Coding),
    Spec::one("codeableConcept", Kind::CodeableConcept),
    Spec::one("date", Kind::Date),
    Spec::one("abstract", Kind::Boolean),
    Spec::one("displayLanguage", Kind::Text),
    Spec::one(
        "valueSet",
        Kind::Unsupported(
            "value sets sent with the request are not validated against; name one by url",
        ),
    ),
    Spec::one(
        "context",
        Kind::Unsupported("no value-set contexts are defined here; use url"),
    ),
];

/// The parameters of `CodeSystem/$subsumes`.
pub const SUBSUMES: &[Spec] = &[
    Spec::one("system", Kind::Text),
    Spec::one("version", Kind::Text),
    Spec::one("codeA", Kind::Text),
    Spec::one("codeB", Kind::Text),
    Spec::one("codingA", Kind::Coding),
    Spec::one("codingB", Kind::Coding),
];

/// The codings a request is about: `code` (+ `system`, `display`), `coding`, or every coding
/// of `codeableConcept`.
pub fn codings(params: &Params, system_param: &str) -> Result<Vec<Coding>, FhirError> {
    if let Some(codings) = params.codings("codeableConcept") {
        if codings.is_empty() {
            return Err(FhirError::invalid(
                "codeableConcept",
                "codeableConcept has no coding to validate",
            ));
        }
        return Ok(codings.to_vec());
    }
    if let Some(coding) = params.coding("coding") {
        if coding.code.is_none() {
            return Err(FhirError::invalid("coding", "coding has no code"));
        }
        return Ok(vec![coding.clone()]);
    }
    let Some(code) = params.text("code") else {
        return Err(FhirError::Invalid {
            message: "give the code: code (with system), coding or codeableConcept".into(),
            param: Some("code".into()),
        });
    };
    Ok(vec![Coding {
        system: params.text(system_param).map(str::to_owned),
        version: None,
        code: Some(code.to_owned()),
        display: params.text("display").map(str::to_owned),
    }])
}

/// The display language of a request, else the list's own.
pub fn display_language(params: &Params, resolved: &Resolved) -> Result<String, FhirError> {
    match params.text("displayLanguage") {
        Some(l) => language_param("displayLanguage", l),
        None => Ok(default_language(&resolved.list.list).to_owned()),
    }
}

fn parameter(name: &str, key: &str, value: Value) -> Value {
    json!({"name": name, key: value})
}

fn parameters(list: Vec<Value>) -> Value {
    json!({"resourceType": "Parameters", "parameter": list})
}

fn unknown_code(code: &str, resolved: &Resolved) -> FhirError {
    FhirError::NotFound(format!(
        "the code {code:?} is not in {} (version {})",
        resolved.list.list.iri, resolved.list.version
    ))
}

/// `$lookup`: what is known of a code.
pub fn lookup(
    resolved: &Resolved,
    code: &str,
    params: &Params,
    date: Option<NaiveDate>,
) -> Result<Value, FhirError> {
    let list = &resolved.list;
    let at = list
        .index()
        .position(code)
        .ok_or_else(|| unknown_code(code, resolved))?;
    let found = &list.list.codes[at];
    if let Some(day) = date {
        if !found.valid_on(day) {
            return Err(FhirError::NotFound(format!(
                "the code {code:?} of {} was not valid on {day}{}",
                list.list.iri,
                validity(found)
            )));
        }
    }
    let lang = display_language(params, resolved)?;
    let asked = params.texts("property");
    let known: Vec<&str> = ["name", "version", "display", "definition", "designation"]
        .into_iter()
        .chain(Property::ALL.iter().map(|p| p.code()))
        .collect();
    if let Some(unknown) = asked
        .iter()
        .find(|p| **p != "*" && !known.contains(p) && !p.starts_with("lang."))
    {
        return Err(FhirError::invalid(
            "property",
            format!(
                "unknown property {unknown:?}; this server knows {}",
                known.join(", ")
            ),
        ));
    }
    let wants = |p: &str| asked.is_empty() || asked.contains(&"*") || asked.contains(&p);
    let mut out = vec![
        parameter("name", "valueString", json!(name(list))),
        parameter("version", "valueString", json!(list.version.to_string())),
        parameter(
            "display",
            "valueString",
            json!(display(found, &lang).unwrap_or(&found.code)),
        ),
    ];
    if wants("designation") || asked.iter().any(|p| p.starts_with("lang.")) {
        let only: Vec<&str> = asked
            .iter()
            .filter_map(|p| p.strip_prefix("lang."))
            .collect();
        for d in designations(found, None) {
            let language = d.get("language").and_then(Value::as_str).unwrap_or("");
            if !wants("designation") && !only.contains(&language) {
                continue;
            }
            let mut part = Vec::new();
            if let Some(l) = d.get("language") {
                part.push(parameter("language", "valueCode", l.clone()));
            }
            if let Some(u) = d.get("use") {
                part.push(parameter("use", "valueCoding", u.clone()));
            }
            part.push(parameter(
                "value",
                "valueString",
                d.get("value").cloned().unwrap_or_default(),
            ));
            out.push(json!({"name": "designation", "part": part}));
        }
    }
    if wants("definition") {
        if let Some(definition) = crate::code_lists::model::pick(&found.descriptions, &lang) {
            out.push(json!({"name": "property", "part": [
                parameter("code", "valueCode", json!("definition")),
                parameter("value", "valueString", json!(definition))]}));
        }
    }
    for property in Property::ALL {
        if !wants(property.code()) {
            continue;
        }
        for (key, value) in property.values(list, at) {
            out.push(json!({"name": "property", "part": [
                parameter("code", "valueCode", json!(property.code())),
                parameter("value", key, value)]}));
        }
    }
    Ok(parameters(out))
}

fn validity(code: &Code) -> String {
    let mut text = match (code.valid_from, code.valid_to) {
        (Some(from), Some(to)) => format!(" (valid from {from} until {to})"),
        (Some(from), None) => format!(" (valid from {from})"),
        (None, Some(to)) => format!(" (valid until {to})"),
        (None, None) => String::new(),
    };
    if let Some(successor) = code.replaced_by() {
        text.push_str(&format!("; it is replaced by {successor:?}"));
    }
    text
}

/// The outcome of validating one coding.
struct Check {
    result: bool,
    message: Option<String>,
    display: Option<String>,
}

fn check(
    resolved: &Resolved,
    coding: &Coding,
    day: NaiveDate,
    lang: &str,
    container: &str,
) -> Check {
    let list = &resolved.list;
    let code = coding.code.as_deref().unwrap_or_default();
    if let Some(system) = coding.system.as_deref().filter(|s| *s != list.list.iri) {
        return Check {
            result: false,
            message: Some(format!(
                "the code system {system:?} is not in {container}, which holds codes of {}",
                list.list.iri
            )),
            display: None,
        };
    }
    let Some(found) = list.code(code) else {
        return Check {
            result: false,
            message: Some(format!(
                "the code {code:?} is not in {container} (version {})",
                list.version
            )),
            display: None,
        };
    };
    let shown = display(found, lang).map(str::to_owned);
    if !found.valid_on(day) {
        return Check {
            result: false,
            message: Some(format!(
                "the code {code:?} was not valid on {day}{}",
                validity(found)
            )),
            display: shown,
        };
    }
    if let Some(given) = coding.display.as_deref() {
        let wanted = fold(given.trim());
        let matches = found
            .labels
            .iter()
            .chain(found.short_labels().iter())
            .any(|(_, text)| fold(text.trim()) == wanted);
        if !matches {
            return Check {
                result: false,
                message: Some(format!(
                    "the display {given:?} is not a display of the code {code:?}; it is {:?}",
                    shown.as_deref().unwrap_or(code)
                )),
                display: shown,
            };
        }
    }
    let message = is_inactive(found).then(|| {
        format!(
            "the code {code:?} is {}{}",
            found.status().unwrap_or("inactive"),
            validity(found)
        )
    });
    Check {
        result: true,
        message,
        display: shown,
    }
}

/// `$validate-code`: whether the codings are codes of the list valid on the day (any one of
/// a codeableConcept's suffices), with the display in the asked language.
pub fn validate(
    resolved: &Resolved,
    codings: &[Coding],
    day: NaiveDate,
    lang: &str,
    container: &str,
) -> Value {
    let checks: Vec<Check> = codings
        .iter()
        .map(|c| check(resolved, c, day, lang, container))
        .collect();
    let chosen = checks.iter().find(|c| c.result).or_else(|| checks.first());
    let mut out = Vec::new();
    let result = chosen.is_some_and(|c| c.result);
    out.push(parameter("result", "valueBoolean", json!(result)));
    if let Some(check) = chosen {
        if let Some(message) = &check.message {
            out.push(parameter("message", "valueString", json!(message)));
        }
        if let Some(display) = &check.display {
            out.push(parameter("display", "valueString", json!(display)));
        }
    }
    parameters(out)
}

/// `$subsumes`: how two codes of a hierarchical list relate.
pub fn subsumes(resolved: &Resolved, a: &str, b: &str) -> Result<Value, FhirError> {
    let list = &resolved.list;
    let index = list.index();
    let at_a = index.position(a).ok_or_else(|| unknown_code(a, resolved))?;
    let at_b = index.position(b).ok_or_else(|| unknown_code(b, resolved))?;
    let outcome = if at_a == at_b {
        "equivalent"
    } else if index.subsumes(&list.list, at_a, at_b) {
        "subsumes"
    } else if index.subsumes(&list.list, at_b, at_a) {
        "subsumed-by"
    } else {
        "not-subsumed"
    };
    Ok(parameters(vec![parameter(
        "outcome",
        "valueCode",
        json!(outcome),
    )]))
}
