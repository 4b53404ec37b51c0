//! Checks of a set of Altinn app files that no JSON Schema of Altinn's can make: every
//! `dataModelBindings` path exists in the model's JSON Schema and has the shape its binding
//! takes (`simpleBinding` one value, `group` a list of objects), every text id a layout, option
//! or validation file uses exists in each language file, every group child exists, every
//! expression validation is keyed by a model path and reads only model paths, and every
//! `optionsId` is a static file of the set or a library reference (which the caller resolves
//! against semreg).

use super::AppFile;
use crate::forms::tree::{is_object, properties, property_at};
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
                for (key, binding) in bindings {
                    let Some(binding) = binding.as_str() else {
                        continue;
                    };
                    let tokens: Vec<String> = binding.split('.').map(str::to_owned).collect();
                    match property_at(&schema, &tokens) {
                        None => problems.push(format!(
                            "{at}: binding {binding:?} is not in the model schema"
                        )),
                        Some((item, list)) => {
                            let object = is_object(&schema, item);
                            match key.as_str() {
                                "group" if !(list && object) => problems.push(format!(
                                    "{at}: group binding {binding:?} is not a list of objects"
                                )),
                                "simpleBinding" if list || object => problems.push(format!(
                                    "{at}: simpleBinding {binding:?} is not one value"
                                )),
                                _ => {}
                            }
                        }
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
    for (path, file) in &json {
        if path.starts_with("App/models/") && path.ends_with(".validation.json") {
            check_validations(path, file, &schema, &need_text, &mut problems);
        }
    }
    problems.sort();
    (problems, library)
}

/// The model's fields (dotted paths of its values and lists of values) that no component of
/// the layouts binds.
pub fn unbound(files: &[AppFile]) -> Vec<String> {
    let Some(schema) = files
        .iter()
        .find(|f| f.path.starts_with("App/models/") && f.path.ends_with(".schema.json"))
        .and_then(AppFile::as_json)
    else {
        return Vec::new();
    };
    let mut bound = BTreeSet::new();
    for file in files.iter().filter(|f| f.path.contains("/layouts/")) {
        let layout = file.as_json().unwrap_or_default();
        for component in layout["data"]["layout"].as_array().into_iter().flatten() {
            if let Some(Value::Object(bindings)) = component.get("dataModelBindings") {
                bound.extend(
                    bindings
                        .values()
                        .filter_map(Value::as_str)
                        .map(str::to_owned),
                );
            }
        }
    }
    let mut fields = Vec::new();
    fields_of(&schema, &schema, &mut Vec::new(), &mut fields);
    fields.retain(|f| !bound.contains(f));
    fields
}

fn fields_of(root: &Value, schema: &Value, path: &mut Vec<String>, out: &mut Vec<String>) {
    if path.len() > 16 {
        return;
    }
    let (props, _) = properties(root, schema);
    for (name, _) in props {
        path.push(name.to_owned());
        if let Some((item, _)) = property_at(root, path) {
            if is_object(root, item) {
                fields_of(root, item, path, out);
            } else {
                out.push(path.join("."));
            }
        }
        path.pop();
    }
}

/// Every `["dataModel", path]` in an expression.
pub fn data_model_paths(expression: &Value, out: &mut Vec<String>) {
    if let Value::Array(items) = expression {
        if items.first().and_then(Value::as_str) == Some("dataModel") {
            if let Some(path) = items.get(1).and_then(Value::as_str) {
                out.push(path.to_owned());
            }
        }
        for item in items {
            data_model_paths(item, out);
        }
    }
}

fn check_validations(
    path: &str,
    file: &Value,
    schema: &Value,
    need_text: &dyn Fn(&str, &str, &mut Vec<String>),
    problems: &mut Vec<String>,
) {
    let exists = |binding: &str| {
        let tokens: Vec<String> = binding.split('.').map(str::to_owned).collect();
        property_at(schema, &tokens).is_some()
    };
    let Some(Value::Object(validations)) = file.get("validations") else {
        problems.push(format!("{path}: no validations object"));
        return;
    };
    for (binding, rules) in validations {
        let at = format!("{path} {binding}");
        if !exists(binding) {
            problems.push(format!("{at}: not a path of the model schema"));
        }
        for rule in rules.as_array().into_iter().flatten() {
            match rule.get("message").and_then(Value::as_str) {
                Some(message) => need_text(&at, message, problems),
                None => problems.push(format!("{at}: a rule without a message")),
            }
            let mut paths = Vec::new();
            data_model_paths(&rule["condition"], &mut paths);
            if paths.is_empty() {
                problems.push(format!("{at}: a condition that reads no field"));
            }
            for read in paths.iter().filter(|p| !exists(p)) {
                problems.push(format!(
                    "{at}: the condition reads {read:?}, not in the model"
                ));
            }
        }
    }
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
