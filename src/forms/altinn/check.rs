//! Checks of a set of Altinn app files that no JSON Schema of Altinn's can make: every
//! `dataModelBindings` path exists in the model's JSON Schema, every text id a layout or option
//! file uses exists in each language file, every group child exists, and every `optionsId` is a
//! static file of the set or a library reference (which the caller resolves against semreg).

use super::AppFile;
use crate::forms::tree::schema_at;
use crate::forms::LANGUAGES;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// A library reference `lib**{org}**{codeListId}**{version}`: its parts.
pub fn library_reference(options_id: &str) -> Option<(&str, &str, &str)> {
    let rest = options_id.strip_prefix("lib**")?;
    let mut parts = rest.split("**");
    let (org, list, version) = (parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && !org.is_empty() && !list.is_empty() && !version.is_empty())
        .then_some((org, list, version))
}

/// What is wrong with a set of app files (empty: nothing), and the library references they
/// use.
pub fn check(files: &[AppFile]) -> (Vec<String>, BTreeSet<String>) {
    let mut problems = Vec::new();
    let mut library = BTreeSet::new();
    let json: HashMap<&str, Value> = files
        .iter()
        .filter(|f| f.path.ends_with(".json"))
        .filter_map(|f| match f.as_json() {
            Some(v) => Some((f.path.as_str(), v)),
            None => {
                problems.push(format!("{}: not JSON", f.path));
                None
            }
        })
        .collect();
    let schema = json
        .iter()
        .find(|(p, _)| p.starts_with("App/models/") && p.ends_with(".schema.json"))
        .map(|(_, v)| v.clone());
    let Some(schema) = schema else {
        problems.push("no App/models/<Model>.schema.json".to_owned());
        return (problems, library);
    };
    let mut text_ids: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for lang in LANGUAGES {
        let path = format!("App/config/texts/resource.{lang}.json");
        match json.get(path.as_str()) {
            Some(file) => {
                let ids = file["resources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["id"].as_str().map(str::to_owned))
                    .collect();
                text_ids.insert(lang, ids);
            }
            None => problems.push(format!("no {path}")),
        }
    }
    let need_text = |where_: &str, id: &str, problems: &mut Vec<String>| {
        for (lang, ids) in &text_ids {
            if !ids.contains(id) {
                problems.push(format!(
                    "{where_}: text {id:?} is not in resource.{lang}.json"
                ));
            }
        }
    };
    for (path, file) in &json {
        if path.starts_with("App/options/") {
            for option in file.as_array().into_iter().flatten() {
                if let Some(label) = option["label"].as_str() {
                    need_text(path, label, &mut problems);
                }
            }
        }
        if !(path.starts_with("App/ui/") && path.contains("/layouts/")) {
            continue;
        }
        let components = file["data"]["layout"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ids: BTreeSet<&str> = components.iter().filter_map(|c| c["id"].as_str()).collect();
        for component in &components {
            let id = component["id"].as_str().unwrap_or("?");
            let at = format!("{path} {id}");
            if let Some(Value::Object(bindings)) = component.get("dataModelBindings") {
                for binding in bindings.values().filter_map(Value::as_str) {
                    let tokens: Vec<String> = binding.split('.').map(str::to_owned).collect();
                    if schema_at(&schema, &tokens).is_none() {
                        problems.push(format!(
                            "{at}: binding {binding:?} is not in the model schema"
                        ));
                    }
                }
            }
            if let Some(Value::Object(bindings)) = component.get("textResourceBindings") {
                for text in bindings.values().filter_map(Value::as_str) {
                    need_text(&at, text, &mut problems);
                }
            }
            for option in component["options"].as_array().into_iter().flatten() {
                if let Some(label) = option["label"].as_str() {
                    need_text(&at, label, &mut problems);
                }
            }
            for child in component["children"].as_array().into_iter().flatten() {
                if let Some(child) = child.as_str().filter(|c| !ids.contains(c)) {
                    problems.push(format!("{at}: child {child:?} is not on the page"));
                }
            }
            if let Some(options_id) = component["optionsId"].as_str() {
                if library_reference(options_id).is_some() {
                    library.insert(options_id.to_owned());
                } else if !json.contains_key(format!("App/options/{options_id}.json").as_str()) {
                    problems.push(format!(
                        "{at}: optionsId {options_id:?} has no App/options/{options_id}.json"
                    ));
                }
            }
        }
    }
    problems.sort();
    (problems, library)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_references_have_three_parts() {
        assert_eq!(
            library_reference("lib**ttd**ssb-klass-131**_latest"),
            Some(("ttd", "ssb-klass-131", "_latest"))
        );
        assert_eq!(library_reference("lib**ttd**x"), None);
        assert_eq!(library_reference("kommuner"), None);
    }
}
