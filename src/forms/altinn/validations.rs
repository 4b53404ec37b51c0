//! `App/models/<Model>.validation.json`: Altinn's expression validations (read by app frontend
//! v4 and app-lib v8+, in the browser and on the server) for what the exported JSON Schema
//! cannot make an Altinn app check:
//!
//! - **required within an optional group** — a field the model requires in an object that is
//!   itself optional (`deliveryAddress.postalCode` of an optional `deliveryAddress`). The schema
//!   says so with a nested `required`, but a component's `required` in Altinn is unconditional:
//!   marked required, the field would force the whole optional group on everyone; unmarked, a
//!   half-filled group would pass the form. The rule makes it an error exactly when the field is
//!   empty and another field of that group is filled.
//! - **code-list validity on the server** — an option component with a static list
//!   (`App/options/<id>.json`) must hold one of its values. The browser checks the schema's
//!   `enum`, but the C# model holds a plain string (as Altinn binds option components), so the
//!   server would take any; the rule checks the value against the list's codes
//!   (`commaContains`).
//!
//! Rules are keyed by the field's binding without row indexes, which Altinn applies to every
//! row of a repeating group, and `dataModel` references resolve within the row. Messages are
//! text ids in every language file. What is not exported is listed in the README.

use super::options::OptionsPlan;
use super::texts::TextSet;
use crate::forms::tree::{text_in, FormTree, Kind, Node};
use crate::forms::LANGUAGES;
use crate::service_models::fields::Texts;
use serde_json::{json, Map, Value};

/// The `$schema` of validation files, as Altinn's documentation writes it.
pub const VALIDATION_SCHEMA: &str = "https://altinncdn.no/toolkits/altinn-app-frontend/4/schemas/json/validation/validation.schema.v1.json";

/// "The field is filled": its value as text is not empty (`stringLength` of a missing value is
/// 0).
pub fn filled(binding: &str) -> Value {
    json!(["greaterThan", ["stringLength", ["dataModel", binding]], 0])
}

/// "The field is empty".
pub fn empty(binding: &str) -> Value {
    json!(["equals", ["stringLength", ["dataModel", binding]], 0])
}

/// A message per language made from the labels of the field and of its group.
fn message(lang: &str, field: &str, group: Option<&str>) -> String {
    match (lang, group) {
        ("nn", Some(group)) => format!("{field} må fyllast ut når {group} er fylt ut"),
        ("en", Some(group)) => format!("{field} is required when {group} is filled in"),
        (_, Some(group)) => format!("{field} må fylles ut når {group} er fylt ut"),
        ("nn", None) => format!("{field}: vel ein av verdiane i lista"),
        ("en", None) => format!("{field}: choose one of the values in the list"),
        (_, None) => format!("{field}: velg en av verdiene i listen"),
    }
}

fn texts_of(node: &Node, group: Option<&Node>) -> Texts {
    LANGUAGES
        .iter()
        .map(|lang| {
            let field = text_in(&node.label, lang).unwrap_or_else(|| node.name.clone());
            let group = group.map(|g| text_in(&g.label, lang).unwrap_or_else(|| g.name.clone()));
            ((*lang).to_owned(), message(lang, &field, group.as_deref()))
        })
        .collect()
}

/// The bindings of the single values in a group, not counting those in lists below it.
fn values_in(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        Kind::Value(_) if !node.repeats() => out.push(node.binding()),
        Kind::Value(_) => {}
        Kind::Group(children) => {
            for child in children.iter().filter(|c| !c.repeats()) {
                values_in(child, out);
            }
        }
    }
}

struct Rules<'a> {
    plan: &'a OptionsPlan<'a>,
    texts: &'a mut TextSet,
    validations: Map<String, Value>,
}

impl Rules<'_> {
    fn add(&mut self, binding: &str, rule: Value) {
        let slot = self
            .validations
            .entry(binding.to_owned())
            .or_insert_with(|| json!([]));
        if let Value::Array(rules) = slot {
            rules.push(rule);
        }
    }

    /// Walks a node; `group` is the nearest optional object above it (up to its list row).
    fn walk(&mut self, node: &Node, group: Option<&Node>) {
        match &node.kind {
            Kind::Group(children) => {
                let inner = if node.repeats() {
                    // A row exists once added: within it, required means required.
                    None
                } else if node.min == 0 {
                    Some(node)
                } else {
                    group
                };
                for child in children {
                    self.walk(child, inner);
                }
            }
            Kind::Value(_) if node.repeats() => {}
            Kind::Value(_) => {
                let binding = node.binding();
                if let (Some(group), true, false) = (group, node.min > 0, node.required) {
                    let mut others = Vec::new();
                    values_in(group, &mut others);
                    others.retain(|b| *b != binding);
                    if !others.is_empty() {
                        let any = if others.len() == 1 {
                            filled(&others[0])
                        } else {
                            let mut or = vec![json!("or")];
                            or.extend(others.iter().map(|b| filled(b)));
                            Value::Array(or)
                        };
                        let id = format!("{binding}.requiredWith");
                        self.texts.add(&id, &texts_of(node, Some(group)));
                        self.add(
                            &binding,
                            json!({"message": id, "severity": "error",
                                   "condition": ["and", empty(&binding), any]}),
                        );
                    }
                }
                let values = self
                    .plan
                    .bound
                    .iter()
                    .find(|(b, _)| *b == binding)
                    .and_then(|(_, id)| self.plan.static_values(id));
                if let Some(values) = values.filter(|v| {
                    !v.is_empty() && v.iter().all(|c| !c.contains(',') && c.trim() == c)
                }) {
                    let id = format!("{binding}.inList");
                    self.texts.add(&id, &texts_of(node, None));
                    self.add(
                        &binding,
                        json!({"message": id, "severity": "error",
                               "condition": ["and", filled(&binding),
                                   ["not", ["commaContains", values.join(","), ["dataModel", binding]]]]}),
                    );
                }
            }
        }
    }
}

/// The validation file of a form, if it has any rule; its messages are added to `texts`.
pub(super) fn validations(
    tree: &FormTree,
    plan: &OptionsPlan,
    texts: &mut TextSet,
) -> Option<Value> {
    let mut rules = Rules {
        plan,
        texts,
        validations: Map::new(),
    };
    for node in &tree.nodes {
        rules.walk(node, None);
    }
    if rules.validations.is_empty() {
        return None;
    }
    Some(json!({
        "$schema": VALIDATION_SCHEMA,
        "validations": rules.validations,
        "definitions": {},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_and_its_group_in_each_language() {
        assert_eq!(
            message("nn", "postnummer", Some("leveringsadresse")),
            "postnummer må fyllast ut når leveringsadresse er fylt ut"
        );
        assert_eq!(
            message("en", "sex", None),
            "sex: choose one of the values in the list"
        );
    }
}
