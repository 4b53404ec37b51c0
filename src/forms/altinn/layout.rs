//! `App/ui/Task_1/layouts/<page>.json` and `Settings.json`: one page per type part (value parts
//! in a row share one), components chosen by the UI hints — Input, TextArea, Datepicker,
//! Dropdown, RadioButtons, Checkboxes; Group for a nested object, RepeatingGroup for a list of
//! objects — each bound to its model path, with its texts (title, description, help),
//! `required`, `maxLength` and its option list.
//!
//! A RepeatingGroup binds `group` to the list (`a.rows`) and `minCount` / `maxCount` to its
//! bounds; the components of a row bind the path without an index (`a.rows.field`), as Altinn
//! expects: the app inserts the row's index itself. A list of plain values (a property of a
//! simple type with more than one occurrence) has no Altinn component — option and text
//! components bind one string — so it is left off the pages and reported
//! ([`super::LeftOut`]).

use super::options::OptionsPlan;
use super::texts::TextSet;
use super::LeftOut;
use crate::forms::tree::{FormTree, Kind, Node};
use serde_json::{json, Map, Value};

/// The `$schema` of layout files, as Altinn's app template writes it.
pub const LAYOUT_SCHEMA: &str =
    "https://altinncdn.no/toolkits/altinn-app-frontend/4/schemas/json/layout/layout.schema.v1.json";
/// The `$schema` of `Settings.json`.
pub const SETTINGS_SCHEMA: &str = "https://altinncdn.no/toolkits/altinn-app-frontend/4/schemas/json/layout/layoutSettings.schema.v1.json";

/// One page: its name and layout file.
pub struct Page {
    /// The page name (file stem, and the text id of its title).
    pub name: String,
    /// The layout file's content.
    pub layout: Value,
}

/// An identifier made of `[0-9a-zA-Z-]` as Altinn component ids and page names must be (not
/// ending with a dash and a short number).
pub fn component_id(tokens: &[String]) -> String {
    let mut out = String::new();
    for token in tokens {
        for c in token.chars() {
            if let Some(ascii) = crate::types::model::norwegian_letter(c) {
                out.push_str(ascii);
                continue;
            }
            match c {
                c if c.is_ascii_alphanumeric() => out.push(c),
                _ if !out.ends_with('-') && !out.is_empty() => out.push('-'),
                _ => {}
            }
        }
        if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_owned();
    if out.is_empty() {
        out.push_str("field");
    }
    // Altinn reserves `<id>-<n>` for rows of repeating groups.
    let tail = out.rsplit('-').next().unwrap_or_default();
    if out.contains('-') && tail.bytes().all(|b| b.is_ascii_digit()) && tail.len() < 6 {
        out.push_str("-field");
    }
    out
}

/// The pages of a form, their texts and the option lists they use.
pub(super) fn pages(
    tree: &FormTree,
    texts: &mut TextSet,
    options: &mut OptionsPlan,
    left_out: &mut Vec<LeftOut>,
) -> Vec<Page> {
    // Type parts (groups) get a page each; value parts in a row share one.
    let mut runs: Vec<Vec<&Node>> = Vec::new();
    for node in &tree.nodes {
        let alone = matches!(node.kind, Kind::Group(_));
        match runs.last_mut() {
            Some(run) if !alone && run.iter().all(|n| !matches!(n.kind, Kind::Group(_))) => {
                run.push(node)
            }
            _ => runs.push(vec![node]),
        }
    }
    let mut out = Vec::new();
    for (i, run) in runs.into_iter().enumerate() {
        let first = run[0];
        let name = component_id(std::slice::from_ref(&first.name));
        let mut layout: Vec<Value> = Vec::new();
        let title = if run.len() == 1 {
            first.label.clone()
        } else {
            // A page of several fields is titled after the service model.
            [("nb".to_owned(), tree.name.clone())].into()
        };
        texts.add(&name, &title);
        layout.push(json!({
            "id": format!("{name}-heading"),
            "type": "Heading",
            "size": "h2",
            "textResourceBindings": {"title": name},
        }));
        for node in run {
            match &node.kind {
                // A single object part fills the page; a list of them is a repeating group.
                Kind::Group(children) if !node.repeats() => {
                    for child in children {
                        components(child, texts, options, left_out, &mut layout);
                    }
                }
                _ => components(node, texts, options, left_out, &mut layout),
            }
        }
        let mut navigation = json!({
            "id": format!("{name}-navigation"),
            "type": "NavigationButtons",
            "textResourceBindings": {},
        });
        if i > 0 {
            navigation["showBackButton"] = json!(true);
        }
        layout.push(navigation);
        out.push(Page {
            name,
            layout: json!({
                "$schema": LAYOUT_SCHEMA,
                "data": {"layout": layout},
            }),
        });
    }
    out
}

/// Whether a node has a component: every group does, a value only when it is one value.
fn placed(node: &Node) -> bool {
    matches!(node.kind, Kind::Group(_)) || !node.repeats()
}

/// The id of a node's component (a group's carries `-group`).
fn id_of(node: &Node) -> String {
    let id = component_id(&node.path);
    match node.kind {
        Kind::Group(_) => format!("{id}-group"),
        Kind::Value(_) => id,
    }
}

/// The components of a node (a group's children after it), appended to a page's layout.
fn components(
    node: &Node,
    texts: &mut TextSet,
    options: &mut OptionsPlan,
    left_out: &mut Vec<LeftOut>,
    out: &mut Vec<Value>,
) {
    let binding = node.binding();
    if !placed(node) {
        left_out.push(LeftOut {
            binding,
            reason: "a list of plain values: Altinn's components bind one value each".into(),
        });
        return;
    }
    let id = id_of(node);
    let mut resources = Map::new();
    let title_id = format!("{binding}.title");
    texts.add(&title_id, &node.label);
    resources.insert("title".into(), json!(title_id.clone()));
    for (key, text) in [("description", &node.description), ("help", &node.help)] {
        if !text.is_empty() {
            let text_id = format!("{binding}.{key}");
            texts.add(&text_id, text);
            resources.insert(key.into(), json!(text_id));
        }
    }
    match &node.kind {
        Kind::Group(children) => {
            let child_ids: Vec<String> = children.iter().filter(|c| placed(c)).map(id_of).collect();
            let mut group = json!({
                "id": id,
                "type": if node.repeats() { "RepeatingGroup" } else { "Group" },
                "children": child_ids,
                "textResourceBindings": resources,
            });
            if node.repeats() {
                group["dataModelBindings"] = json!({"group": binding});
                // Only a list that must be there (not one inside an optional group) has rows
                // it must hold.
                if node.required && node.min > 0 {
                    group["minCount"] = json!(node.min);
                }
                if let Some(max) = node.max {
                    group["maxCount"] = json!(max);
                }
            }
            out.push(group);
            for child in children {
                components(child, texts, options, left_out, out);
            }
        }
        Kind::Value(value) => {
            let mut component = json!({
                "id": id,
                "type": value.component,
                "dataModelBindings": {"simpleBinding": binding},
                "textResourceBindings": resources,
                "required": node.required,
            });
            match value.component.as_str() {
                "Input" | "TextArea" => {
                    if let Some(max) = value.max_length {
                        component["maxLength"] = json!(max);
                    }
                }
                "Datepicker" => {
                    component["timeStamp"] = json!(value.format.as_deref() == Some("date-time"));
                }
                "Dropdown" | "RadioButtons" | "Checkboxes" => {
                    if let Some(options_id) = options.options_id(node, value, texts) {
                        options.bind(&binding, &options_id);
                        component["optionsId"] = json!(options_id);
                    } else if value.json_type == "boolean" {
                        // One box: checked is `true`.
                        component["options"] = json!([{"value": "true", "label": title_id}]);
                    }
                }
                _ => {}
            }
            out.push(component);
        }
    }
}

/// `Settings.json`: the page order and the default data type.
pub(super) fn settings(pages: &[Page], model: &str) -> Value {
    json!({
        "$schema": SETTINGS_SCHEMA,
        "pages": {"order": pages.iter().map(|p| p.name.clone()).collect::<Vec<_>>()},
        "defaultDataType": model,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(tokens: &[&str]) -> String {
        component_id(&tokens.iter().map(|t| t.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn component_ids_are_what_altinn_allows() {
        assert_eq!(
            id(&["applicant", "address", "municipality"]),
            "applicant-address-municipality"
        );
        assert_eq!(id(&["søker", "født_dato"]), "soeker-foedt-dato");
        assert_eq!(id(&["line", "2"]), "line-2-field");
        assert_eq!(id(&["line2"]), "line2");
        assert_eq!(id(&["_"]), "field");
    }
}
