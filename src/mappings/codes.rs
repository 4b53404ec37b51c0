//! Code translation for the `code(...)` transform: the correspondences a mapping set names,
//! loaded once per apply as tables of code values (notations) in both directions.

use super::transform::{Step, TransformError};
use super::MappingSet;
use crate::app::App;
use crate::code_lists::correspondence::Correspondence;
use crate::ids::resource_id_for_iri;
use chrono::NaiveDate;
use std::collections::HashMap;

/// One association as code values.
#[derive(Debug, Clone)]
struct Pair {
    source: String,
    target: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

impl Pair {
    fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day < t)
    }
}

/// The correspondences a set's transforms name, by the reference written in the transform.
#[derive(Debug, Default)]
pub struct CodeTables {
    tables: HashMap<String, Vec<Pair>>,
}

impl CodeTables {
    /// Loads every correspondence named by a `code(...)` step of the set (unknown ones stay
    /// out, and translating through them fails with their name).
    pub async fn load(app: &App, set: &MappingSet) -> Result<CodeTables, super::MappingError> {
        let mut tables = HashMap::new();
        for m in &set.mappings {
            let Some(transform) = &m.transform else {
                continue;
            };
            for step in &transform.steps {
                let Step::Code { correspondence, .. } = step else {
                    continue;
                };
                if tables.contains_key(correspondence) {
                    continue;
                }
                if let Some(pairs) = load_pairs(app, correspondence).await? {
                    tables.insert(correspondence.clone(), pairs);
                }
            }
        }
        Ok(CodeTables { tables })
    }

    /// Translates a code: source to target, or (when it is a target code) back.
    pub fn translate(
        &self,
        correspondence: &str,
        code: &str,
        day: NaiveDate,
    ) -> Result<String, TransformError> {
        let pairs = self
            .tables
            .get(correspondence)
            .ok_or_else(|| TransformError::UnknownCorrespondence(correspondence.to_owned()))?;
        let forward = pairs
            .iter()
            .find(|p| p.source == code && p.valid_on(day))
            .map(|p| p.target.clone());
        forward
            .or_else(|| {
                pairs
                    .iter()
                    .find(|p| p.target == code && p.valid_on(day))
                    .map(|p| p.source.clone())
            })
            .ok_or_else(|| TransformError::NoCounterpart {
                code: code.to_owned(),
                correspondence: correspondence.to_owned(),
                date: day,
            })
    }
}

async fn load_pairs(app: &App, reference: &str) -> Result<Option<Vec<Pair>>, super::MappingError> {
    let key = if reference.contains(':') {
        resource_id_for_iri(reference)
    } else {
        reference.to_owned()
    };
    let Some((row, ntriples)) = super::stored::load_current(app, &key).await? else {
        return Ok(None);
    };
    if row.kind != crate::code_lists::CORRESPONDENCE_KIND {
        return Ok(None);
    }
    let Some(correspondence) = Correspondence::from_ntriples(&row.id, &row.iri, &ntriples) else {
        return Ok(None);
    };
    // Code IRIs to values, from the lists in memory.
    let values = |list_iri: &str| -> HashMap<String, String> {
        app.code_lists
            .get(&resource_id_for_iri(list_iri))
            .map(|cached| {
                cached
                    .list
                    .codes
                    .iter()
                    .map(|c| (cached.list.code_iri(c).into_owned(), c.code.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let sources = values(&correspondence.source_list);
    let targets = values(&correspondence.target_list);
    let pairs = correspondence
        .maps
        .iter()
        .filter_map(|a| {
            Some(Pair {
                source: sources.get(&a.source)?.clone(),
                target: targets.get(&a.target)?.clone(),
                valid_from: a.valid_from,
                valid_to: a.valid_to,
            })
        })
        .collect();
    Ok(Some(pairs))
}
