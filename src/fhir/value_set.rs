//! A list's implicit all-codes `ValueSet`, and `$expand` of it with the selection logic of the
//! code-list API (date, filter, language fallback).

use super::code_system::{common, designations, display, is_inactive, Summary};
use super::params::{Kind, Params, Spec};
use super::resolve::{value_set_url, Resolved};
use super::{instant, FhirError};
use crate::code_lists::query::{fold, CodeQuery};
use crate::code_lists::CachedList;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

/// The most codes one expansion page may hold (`count` up to this).
pub const MAX_COUNT: u32 = 10_000;
/// The largest `offset` taken.
pub const MAX_OFFSET: u32 = 1_000_000;

/// The parameters of `ValueSet/$expand`.
pub const EXPAND: &[Spec] = &[
    Spec::one("url", Kind::Text),
    Spec::one("valueSetVersion", Kind::Text),
    Spec::one("filter", Kind::Text),
    Spec::one("count", Kind::Integer { max: MAX_COUNT }),
    Spec::one("offset", Kind::Integer { max: MAX_OFFSET }),
    Spec::one("date", Kind::Date),
    Spec::one("displayLanguage", Kind::Text),
    Spec::one("includeDesignations", Kind::Boolean),
    Spec::one("includeDefinition", Kind::Boolean),
    Spec::one("activeOnly", Kind::Boolean),
    Spec::one("excludeNested", Kind::Boolean),
    Spec::one("excludeNotForUI", Kind::Boolean),
    Spec::one("excludePostCoordinated", Kind::Boolean),
    Spec::one(
        "valueSet",
        Kind::Unsupported("value sets sent with the request are not expanded; name one by url"),
    ),
    Spec::one(
        "context",
        Kind::Unsupported("no value-set contexts are defined here; use url"),
    ),
    Spec::one(
        "contextDirection",
        Kind::Unsupported("no value-set contexts are defined here; use url"),
    ),
    Spec::many(
        "designation",
        Kind::Unsupported("use includeDesignations and displayLanguage"),
    ),
    Spec::many(
        "exclude-system",
        Kind::Unsupported("an implicit value set has one system"),
    ),
    Spec::many(
        "system-version",
        Kind::Unsupported("use valueSetVersion or url|version"),
    ),
    Spec::many(
        "check-system-version",
        Kind::Unsupported("use valueSetVersion or url|version"),
    ),
    Spec::many(
        "force-system-version",
        Kind::Unsupported("use valueSetVersion or url|version"),
    ),
];

/// A checked `$expand` request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expand {
    /// Case- and accent-insensitive text on code and every designation.
    pub filter: Option<String>,
    /// Page size.
    pub count: Option<u32>,
    /// Page start.
    pub offset: Option<u32>,
    /// Codes valid on this day (default: today, as FHIR's "current conditions").
    pub date: Option<NaiveDate>,
    /// The language of displays.
    pub display_language: Option<String>,
    /// Every label and short name as a designation.
    pub include_designations: bool,
    /// The value set's definition (`compose`) too.
    pub include_definition: bool,
    /// Leave out codes no longer to be used.
    pub active_only: bool,
    /// A flat list even for a hierarchy.
    pub exclude_nested: bool,
}

/// A language tag as given in `displayLanguage`.
pub fn language_param(name: &str, text: &str) -> Result<String, FhirError> {
    let tag = text.trim().to_ascii_lowercase();
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .split('-')
            .all(|p| !p.is_empty() && p.len() <= 8 && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(tag)
    } else {
        Err(FhirError::invalid(
            name,
            format!("invalid {name} {text:?}: expected a language tag such as nb, nn or en"),
        ))
    }
}

impl Expand {
    /// The request's parameters.
    pub fn from_params(params: &Params) -> Result<Expand, FhirError> {
        Ok(Expand {
            filter: params.text("filter").map(str::to_owned),
            count: params.int("count"),
            offset: params.int("offset"),
            date: params.date("date"),
            display_language: params
                .text("displayLanguage")
                .map(|l| language_param("displayLanguage", l))
                .transpose()?,
            include_designations: params.flag("includeDesignations").unwrap_or(false),
            include_definition: params.flag("includeDefinition").unwrap_or(false),
            active_only: params.flag("activeOnly").unwrap_or(false),
            exclude_nested: params.flag("excludeNested").unwrap_or(false),
        })
    }
}

/// The codes an expansion selects, as a code-list query: valid on the day, the filter on
/// code and every designation, displays in the asked language with the usual fallback.
pub fn selection(language: &str, date: NaiveDate, filter: Option<&str>) -> CodeQuery {
    CodeQuery {
        lang: language.to_owned(),
        date: Some(date),
        filter: filter.map(fold).filter(|f| !f.is_empty()),
        filter_all_texts: true,
        ..CodeQuery::default()
    }
}

/// The `compose` of a list version's implicit value set: all of its codes.
fn compose(list: &CachedList) -> Value {
    json!({"include": [{"system": list.list.iri, "version": list.version.to_string()}]})
}

/// A list version's implicit value set (every code of the list).
pub fn value_set(list: &CachedList, summary: Summary) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("ValueSet"));
    r.extend(common(list, value_set_url(&list.list.iri), summary));
    if matches!(summary, Summary::False | Summary::Data) {
        r.insert("compose".into(), compose(list));
    }
    Value::Object(r)
}

fn contains(list: &CachedList, at: usize, lang: &str, request: &Expand) -> Map<String, Value> {
    let code = &list.list.codes[at];
    let mut c = Map::new();
    // The version is the expansion's `version` parameter (`system|version`), not repeated
    // for every code: an answer of hundreds of codes is a third smaller.
    c.insert("system".into(), json!(list.list.iri));
    if is_inactive(code) {
        c.insert("inactive".into(), json!(true));
    }
    c.insert("code".into(), json!(&*code.code));
    if let Some(display) = display(code, lang) {
        c.insert("display".into(), json!(display));
    }
    if request.include_designations {
        let all = designations(code, None);
        if !all.is_empty() {
            c.insert("designation".into(), Value::Array(all));
        }
    }
    c
}

/// Nests the selected codes below their nearest selected ancestor.
fn nested(list: &CachedList, selected: &[bool], lang: &str, request: &Expand) -> Vec<Value> {
    // Recursion is bounded: the index nests at most MAX_NESTING levels.
    fn fill(
        list: &CachedList,
        starts: &[u32],
        selected: &[bool],
        lang: &str,
        request: &Expand,
    ) -> Vec<Value> {
        let mut out = Vec::new();
        let index = list.index();
        let mut stack: Vec<u32> = starts.iter().rev().copied().collect();
        while let Some(at) = stack.pop() {
            let at = at as usize;
            if selected[at] {
                let mut entry = contains(list, at, lang, request);
                let below = fill(list, index.children(at), selected, lang, request);
                if !below.is_empty() {
                    entry.insert("contains".into(), Value::Array(below));
                }
                out.push(Value::Object(entry));
            } else {
                stack.extend(index.children(at).iter().rev());
            }
        }
        out
    }
    fill(list, list.index().roots(), selected, lang, request)
}

/// `$expand` of a list version's implicit value set.
pub fn expand(resolved: &Resolved, request: &Expand, today: NaiveDate) -> Result<Value, FhirError> {
    let list = &resolved.list;
    let lang = request
        .display_language
        .clone()
        .unwrap_or_else(|| super::code_system::default_language(&list.list).to_owned());
    let date = request.date.unwrap_or(today);
    let query = selection(&lang, date, request.filter.as_deref());
    let selected: Vec<bool> = list
        .list
        .codes
        .iter()
        .map(|c| query.selects(c) && !(request.active_only && is_inactive(c)))
        .collect();
    let total = selected.iter().filter(|s| **s).count();
    let paged = request.count.is_some() || request.offset.is_some();
    if total > MAX_COUNT as usize && request.count.is_none() {
        return Err(FhirError::TooCostly(format!(
            "the expansion has {total} codes, more than {MAX_COUNT} in one answer; page it with count and offset, or narrow it with filter"
        )));
    }
    let nest = list.index().is_hierarchical() && !request.exclude_nested && !paged;
    let codes: Vec<Value> = if nest {
        nested(list, &selected, &lang, request)
    } else {
        let offset = request.offset.unwrap_or(0) as usize;
        let count = request.count.map_or(usize::MAX, |c| c as usize);
        (0..list.list.codes.len())
            .filter(|at| selected[*at])
            .skip(offset)
            .take(count)
            .map(|at| Value::Object(contains(list, at, &lang, request)))
            .collect()
    };
    let mut parameters =
        vec![json!({"name": "version", "valueUri": format!("{}|{}", list.list.iri, list.version)})];
    let mut echo = |name: &str, key: &str, value: Value| {
        parameters.push(json!({"name": name, key: value}));
    };
    if let Some(filter) = &request.filter {
        echo("filter", "valueString", json!(filter));
    }
    if request.date.is_some() || list.index().is_dated() {
        echo("date", "valueDateTime", json!(date.to_string()));
    }
    echo("displayLanguage", "valueCode", json!(lang));
    if let Some(count) = request.count {
        echo("count", "valueInteger", json!(count));
    }
    if let Some(offset) = request.offset {
        echo("offset", "valueInteger", json!(offset));
    }
    if request.active_only {
        echo("activeOnly", "valueBoolean", json!(true));
    }
    if request.include_designations {
        echo("includeDesignations", "valueBoolean", json!(true));
    }
    if list.index().is_hierarchical() {
        echo("excludeNested", "valueBoolean", json!(!nest));
    }
    let mut expansion = Map::new();
    expansion.insert("timestamp".into(), json!(instant(list.updated_at)));
    expansion.insert("total".into(), json!(total));
    if paged {
        expansion.insert("offset".into(), json!(request.offset.unwrap_or(0)));
    }
    expansion.insert("parameter".into(), Value::Array(parameters));
    if !codes.is_empty() {
        expansion.insert("contains".into(), Value::Array(codes));
    }
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("ValueSet"));
    r.extend(common(list, value_set_url(&list.list.iri), Summary::True));
    if let Some(Value::Object(meta)) = r.get_mut("meta") {
        meta.remove("tag");
    }
    if request.include_definition {
        r.insert("compose".into(), compose(list));
    }
    r.insert("expansion".into(), Value::Object(expansion));
    Ok(Value::Object(r))
}
