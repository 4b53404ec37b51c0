//! Correspondences between code lists as FHIR `ConceptMap`s, and `ConceptMap/$translate`.
//!
//! XKOS associations carry no equivalence; it is read off the table's shape, as for
//! statistical classifications: a code mapped one-to-one is `equivalent`, several codes
//! merged into one map to a `wider` target, one code split into several to `narrower` ones,
//! and many-to-many links are `relatedto`.

use super::code_system::{meta, Summary};
use super::params::{Coding, Kind, Spec};
use super::resolve::{list_by_iri, value_set_url};
use super::{computable_name, instant, publication_status};
use crate::code_lists::correspondence::{
    code_of_iri, codes_by_iri, Association, CodeNames, Correspondence,
};
use crate::code_lists::model::pick;
use crate::code_lists::CodeListCache;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The parameters of `ConceptMap/$translate` (`date` is semreg's: associations valid that day).
pub const TRANSLATE: &[Spec] = &[
    Spec::one("url", Kind::Text),
    Spec::one("conceptMapVersion", Kind::Text),
    Spec::one("code", Kind::Text),
    Spec::one("system", Kind::Text),
    Spec::one("version", Kind::Text),
    Spec::one("source", Kind::Text),
    Spec::one("coding", Kind::Coding),
    Spec::one("codeableConcept", Kind::CodeableConcept),
    Spec::one("target", Kind::Text),
    Spec::one("targetsystem", Kind::Text),
    Spec::one("reverse", Kind::Boolean),
    Spec::one("date", Kind::Date),
    Spec::one(
        "conceptMap",
        Kind::Unsupported("concept maps sent with the request are not applied; name one by url"),
    ),
    Spec::many(
        "dependency",
        Kind::Unsupported("the correspondences held here have no dependencies"),
    ),
];

/// Language of displays in concept maps.
const LANG: &str = "nb";

/// The two sides of a correspondence, with their codes' names.
struct Sides {
    source: CodeNames,
    target: CodeNames,
}

fn sides(cache: &CodeListCache, corr: &Correspondence) -> Sides {
    let names = |iri: &str| {
        list_by_iri(cache, iri)
            .map(|l| codes_by_iri(&l, LANG))
            .unwrap_or_default()
    };
    Sides {
        source: names(&corr.source_list),
        target: names(&corr.target_list),
    }
}

/// The equivalence of each association (by position), from how many targets its source and
/// how many sources its target have among `maps`.
fn equivalences<'a>(
    maps: impl Iterator<Item = (usize, &'a Association)> + Clone,
    reverse: bool,
) -> HashMap<usize, &'static str> {
    let ends = |a: &'a Association| {
        if reverse {
            (&a.target, &a.source)
        } else {
            (&a.source, &a.target)
        }
    };
    let mut targets_of: HashMap<&str, usize> = HashMap::new();
    let mut sources_of: HashMap<&str, usize> = HashMap::new();
    for (_, a) in maps.clone() {
        let (from, to) = ends(a);
        *targets_of.entry(from).or_default() += 1;
        *sources_of.entry(to).or_default() += 1;
    }
    maps.map(|(at, a)| {
        let (from, to) = ends(a);
        let kind = match (targets_of[from.as_str()], sources_of[to.as_str()]) {
            (1, 1) => "equivalent",
            (1, _) => "wider",
            (_, 1) => "narrower",
            _ => "relatedto",
        };
        (at, kind)
    })
    .collect()
}

fn title(corr: &Correspondence) -> Option<&str> {
    pick(&corr.labels, LANG)
}

fn name(corr: &Correspondence) -> String {
    title(corr)
        .and_then(computable_name)
        .unwrap_or_else(|| format!("Correspondence{}", corr.id.replace('-', "")))
}

fn validity_comment(a: &Association) -> Option<String> {
    match (a.valid_from, a.valid_to) {
        (Some(from), Some(to)) => Some(format!("valid from {from} until {to}")),
        (Some(from), None) => Some(format!("valid from {from}")),
        (None, Some(to)) => Some(format!("valid until {to}")),
        (None, None) => None,
    }
}

/// A correspondence as a `ConceptMap`: one group from the source list to the target list, an
/// element per source code, the association's validity as its target's comment.
pub fn concept_map(cache: &CodeListCache, corr: &Correspondence, summary: Summary) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("ConceptMap"));
    r.insert("id".into(), json!(corr.id));
    let updated = corr.updated_at.unwrap_or_default();
    r.insert(
        "meta".into(),
        meta(
            corr.version,
            updated,
            matches!(summary, Summary::True | Summary::Text),
        ),
    );
    if summary != Summary::Text {
        r.insert("url".into(), json!(corr.iri));
        r.insert("version".into(), json!(corr.version.to_string()));
        r.insert("name".into(), json!(name(corr)));
        if let Some(title) = title(corr) {
            r.insert("title".into(), json!(title));
        }
    }
    r.insert("status".into(), json!(publication_status(&corr.status)));
    if summary != Summary::Text {
        r.insert("date".into(), json!(instant(updated)));
        r.insert(
            "sourceCanonical".into(),
            json!(value_set_url(&corr.source_list)),
        );
        r.insert(
            "targetCanonical".into(),
            json!(value_set_url(&corr.target_list)),
        );
    }
    if matches!(summary, Summary::False | Summary::Data) && !corr.maps.is_empty() {
        let sides = sides(cache, corr);
        let kinds = equivalences(corr.maps.iter().enumerate(), false);
        let mut order: Vec<String> = Vec::new();
        let mut elements: HashMap<String, (Option<String>, Vec<Value>)> = HashMap::new();
        for (at, a) in corr.maps.iter().enumerate() {
            let (source_code, source_name) = code_of_iri(&a.source, &sides.source);
            let (target_code, target_name) = code_of_iri(&a.target, &sides.target);
            let mut target = Map::new();
            target.insert("code".into(), json!(target_code));
            if let Some(name) = target_name {
                target.insert("display".into(), json!(name));
            }
            target.insert("equivalence".into(), json!(kinds[&at]));
            if let Some(comment) = validity_comment(a) {
                target.insert("comment".into(), json!(comment));
            }
            let entry = elements.entry(source_code.clone()).or_insert_with(|| {
                order.push(source_code.clone());
                (source_name, Vec::new())
            });
            entry.1.push(Value::Object(target));
        }
        let element: Vec<Value> = order
            .into_iter()
            .map(|code| {
                let (display, targets) = elements.remove(&code).unwrap_or_default();
                let mut e = Map::new();
                e.insert("code".into(), json!(code));
                if let Some(display) = display {
                    e.insert("display".into(), json!(display));
                }
                e.insert("target".into(), Value::Array(targets));
                Value::Object(e)
            })
            .collect();
        r.insert(
            "group".into(),
            json!([{"source": corr.source_list, "target": corr.target_list, "element": element}]),
        );
    }
    Value::Object(r)
}

/// One `$translate` match.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// `equivalent`, `wider`, `narrower` or `relatedto`.
    pub equivalence: &'static str,
    /// The system of the code translated to.
    pub system: String,
    /// The code translated to.
    pub code: String,
    /// Its display.
    pub display: Option<String>,
    /// The concept map it comes from.
    pub source: String,
}

/// The translations of a coding through a correspondence: forward (source list to target
/// list) or, with `reverse`, backward; only associations valid on `date` when one is given.
pub fn translate(
    cache: &CodeListCache,
    corr: &Correspondence,
    coding: &Coding,
    reverse: bool,
    date: Option<NaiveDate>,
) -> Vec<Match> {
    let (from_list, to_list) = if reverse {
        (&corr.target_list, &corr.source_list)
    } else {
        (&corr.source_list, &corr.target_list)
    };
    if coding.system.as_deref().is_some_and(|s| s != from_list) {
        return Vec::new();
    }
    let Some(code) = coding.code.as_deref() else {
        return Vec::new();
    };
    let sides = sides(cache, corr);
    let (from_names, to_names) = if reverse {
        (&sides.target, &sides.source)
    } else {
        (&sides.source, &sides.target)
    };
    let valid = corr
        .maps
        .iter()
        .enumerate()
        .filter(|(_, a)| date.is_none_or(|d| a.valid_on(d)));
    let kinds = equivalences(valid.clone(), reverse);
    valid
        .filter_map(|(at, a)| {
            let (from, to) = if reverse {
                (&a.target, &a.source)
            } else {
                (&a.source, &a.target)
            };
            (code_of_iri(from, from_names).0 == code).then(|| {
                let (code, display) = code_of_iri(to, to_names);
                Match {
                    equivalence: kinds[&at],
                    system: to_list.clone(),
                    code,
                    display,
                    source: corr.iri.clone(),
                }
            })
        })
        .collect()
}

/// The `Parameters` of a `$translate` answer.
pub fn translation(matches: &[Match], what: &str) -> Value {
    let mut out = vec![json!({"name": "result", "valueBoolean": !matches.is_empty()})];
    if matches.is_empty() {
        out.push(json!({"name": "message", "valueString": format!("no translation of {what}")}));
    }
    for m in matches {
        let mut concept = Map::new();
        concept.insert("system".into(), json!(m.system));
        concept.insert("code".into(), json!(m.code));
        if let Some(display) = &m.display {
            concept.insert("display".into(), json!(display));
        }
        out.push(json!({"name": "match", "part": [
            {"name": "equivalence", "valueCode": m.equivalence},
            {"name": "concept", "valueCoding": Value::Object(concept)},
            {"name": "source", "valueUri": m.source}]}));
    }
    json!({"resourceType": "Parameters", "parameter": out})
}
