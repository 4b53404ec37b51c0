//! How each option component gets its options, at runtime from semreg.
//!
//! A code list semreg serves is referenced with Altinn's code-list library syntax,
//! `optionsId: "lib**{org}**{codeListId}**{version}"` (`_latest`, or the list's version number
//! when pinned): the app (app-lib's library options provider) fetches
//! `{Altinn3LibraryApiEndpoint}{org}/code_lists/{codeListId}/{version}.json`, which semreg answers at
//! `/altinn/{org}/code_lists/...`, so the export's `App/appsettings.json` points
//! `PlatformSettings:Altinn3LibraryApiEndpoint` at `{semreg}/altinn/`. Lists with at most
//! `staticOptions` codes (and lists that are only an `enum` in the schema) are written as static
//! `App/options/<id>.json` files instead, their labels as text resources in nb/nn/en.

use super::layout::component_id;
use super::texts::TextSet;
use crate::app::App;
use crate::forms::tree::{Node, ValueField};
use crate::ids::resource_id_for_iri;
use crate::service_models::fields::Texts;
use serde_json::{json, Value};

/// Where an `optionsId` gets its options.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionsSource {
    /// Altinn's code-list library endpoint, pointed at semreg.
    Library {
        /// The Altinn org in the reference.
        org: String,
        /// The code list's id or alias in semreg.
        code_list_id: String,
        /// `_latest` or a version number.
        version: String,
    },
    /// A static file of the export (`App/options/<id>.json`).
    Static {
        /// The file's path in the export.
        path: String,
    },
}

/// The option lists a form uses.
pub struct OptionsPlan<'a> {
    app: &'a App,
    org: String,
    pin: bool,
    static_max: usize,
    /// Each `optionsId` used and where it resolves.
    pub used: Vec<(String, OptionsSource)>,
    /// Static option files: path and content.
    pub files: Vec<(String, Value)>,
    /// Each option component's binding and its `optionsId`.
    pub bound: Vec<(String, String)>,
}

/// Whether a code-list id fits the library reference (`[a-zA-Z0-9_-]+`).
fn library_safe(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl<'a> OptionsPlan<'a> {
    /// A plan for an app of `org`: pinned versions or `_latest`, static files up to `static_max`
    /// codes.
    pub fn new(app: &'a App, org: &str, pin: bool, static_max: usize) -> Self {
        Self {
            app,
            org: org.to_owned(),
            pin,
            static_max,
            used: Vec::new(),
            files: Vec::new(),
            bound: Vec::new(),
        }
    }

    /// Notes the `optionsId` a component bound to `binding` uses.
    pub fn bind(&mut self, binding: &str, options_id: &str) {
        self.bound.push((binding.to_owned(), options_id.to_owned()));
    }

    /// The values of a static option list of the export (`None` for a library reference).
    pub fn static_values(&self, options_id: &str) -> Option<Vec<String>> {
        let path = format!("App/options/{options_id}.json");
        let (_, content) = self.files.iter().find(|(p, _)| *p == path)?;
        Some(
            content
                .as_array()?
                .iter()
                .filter_map(|o| o["value"].as_str().map(str::to_owned))
                .collect(),
        )
    }

    /// Whether any list is read from the library endpoint (so the app needs the setting).
    pub fn uses_library(&self) -> bool {
        self.used
            .iter()
            .any(|(_, s)| matches!(s, OptionsSource::Library { .. }))
    }

    /// The `optionsId` of an option component, making its static file when it has one.
    pub fn options_id(
        &mut self,
        node: &Node,
        value: &ValueField,
        texts: &mut TextSet,
    ) -> Option<String> {
        if let Some(hint) = &value.code_list {
            if let Some(list) = self.app.code_lists.get(&resource_id_for_iri(&hint.iri)) {
                let today = chrono::Utc::now().date_naive();
                let statuses = crate::code_lists::query::StatusFilter::default_for(&list.list);
                let codes: Vec<&crate::code_lists::model::Code> = list
                    .list
                    .codes
                    .iter()
                    .filter(|c| c.valid_on(today) && statuses.keeps(c.status()))
                    .collect();
                let key = if library_safe(&hint.id) {
                    hint.id.clone()
                } else {
                    list.id.clone()
                };
                if codes.len() > self.static_max {
                    let version = if self.pin {
                        list.version.to_string()
                    } else {
                        "_latest".to_owned()
                    };
                    let id = format!("lib**{}**{key}**{version}", self.org);
                    self.note(
                        &id,
                        OptionsSource::Library {
                            org: self.org.clone(),
                            code_list_id: key,
                            version,
                        },
                    );
                    return Some(id);
                }
                let options: Vec<(String, Texts)> = codes
                    .iter()
                    .map(|c| {
                        let labels: Texts = crate::forms::LANGUAGES
                            .iter()
                            .filter_map(|l| {
                                c.labels.get(l).map(|t| ((*l).to_owned(), t.to_owned()))
                            })
                            .collect();
                        let labels = if labels.is_empty() {
                            let any =
                                crate::code_lists::model::pick(&c.labels, "nb").unwrap_or(&c.code);
                            [("nb".to_owned(), any.to_owned())].into()
                        } else {
                            labels
                        };
                        (c.code.to_string(), labels)
                    })
                    .collect();
                return Some(self.static_file(&key, options, texts));
            }
        }
        if value.codes.is_empty() {
            return None;
        }
        // Codes the schema lists without a list semreg serves.
        let options = value
            .codes
            .iter()
            .map(|c| (c.clone(), [("nb".to_owned(), c.clone())].into()))
            .collect();
        let id = format!("{}-codes", component_id(&node.path));
        Some(self.static_file(&id, options, texts))
    }

    fn note(&mut self, id: &str, source: OptionsSource) {
        if !self.used.iter().any(|(known, _)| known == id) {
            self.used.push((id.to_owned(), source));
        }
    }

    fn static_file(
        &mut self,
        id: &str,
        options: Vec<(String, Texts)>,
        texts: &mut TextSet,
    ) -> String {
        let path = format!("App/options/{id}.json");
        if !self.files.iter().any(|(p, _)| *p == path) {
            let content: Vec<Value> = options
                .into_iter()
                .map(|(value, labels)| {
                    let text_id = format!("{id}.{value}");
                    texts.add(&text_id, &labels);
                    json!({"value": value, "label": text_id})
                })
                .collect();
            self.files.push((path.clone(), Value::Array(content)));
        }
        self.note(id, OptionsSource::Static { path });
        id.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_ids_are_what_the_reference_syntax_takes() {
        assert!(library_safe("ssb-klass-131"));
        assert!(library_safe("f518711d-d2f9-3624-97af-c775b4348226"));
        assert!(!library_safe("liste.2024"));
        assert!(!library_safe(""));
    }
}
