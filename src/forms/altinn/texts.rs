//! `App/config/texts/resource.{nb,nn,en}.json`: every text id the layouts and option files use,
//! in each language — the concept's text in that language, else the nearest one (nb, nn, en),
//! so no language file lacks an id. Ids are made from model paths (`applicant.birthDate.title`),
//! so they stay the same across re-exports.

use crate::forms::tree::text_in;
use crate::forms::LANGUAGES;
use crate::service_models::fields::Texts;
use serde_json::{json, Value};

/// The `$schema` of text resource files, as Altinn's app template writes it.
pub const TEXTS_SCHEMA: &str = "https://altinncdn.no/toolkits/altinn-app-frontend/4/schemas/json/text-resources/text-resources.schema.v1.json";

/// Text ids and their texts per language, in the order first used.
#[derive(Debug, Default)]
pub struct TextSet {
    entries: Vec<(String, Texts)>,
}

impl TextSet {
    /// Adds a text (the first texts given for an id are kept).
    pub fn add(&mut self, id: &str, texts: &Texts) {
        if !self.entries.iter().any(|(known, _)| known == id) {
            self.entries.push((id.to_owned(), texts.clone()));
        }
    }

    /// The resource file of one language.
    pub fn file(&self, lang: &str) -> Value {
        let resources: Vec<Value> = self
            .entries
            .iter()
            .map(|(id, texts)| {
                json!({"id": id, "value": text_in(texts, lang).unwrap_or_else(|| id.clone())})
            })
            .collect();
        json!({"$schema": TEXTS_SCHEMA, "language": lang, "resources": resources})
    }

    /// The files of every form language: (language, content).
    pub fn files(&self) -> Vec<(&'static str, Value)> {
        LANGUAGES.iter().map(|l| (*l, self.file(l))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_file_has_every_id() {
        let mut set = TextSet::default();
        set.add(
            "a.title",
            &[
                ("nb".into(), "kommune".into()),
                ("en".into(), "municipality".into()),
            ]
            .into(),
        );
        set.add("b.title", &[("nb".into(), "navn".into())].into());
        set.add("a.title", &[("nb".into(), "other".into())].into());
        let en = set.file("en");
        assert_eq!(
            en["resources"],
            json!([{"id": "a.title", "value": "municipality"}, {"id": "b.title", "value": "navn"}])
        );
        let nn = set.file("nn");
        assert_eq!(nn["resources"][0]["value"], "kommune");
    }
}
