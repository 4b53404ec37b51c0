//! Searches of CodeSystems, ValueSets and ConceptMaps by `url`, `version`, `name`, `title`,
//! `status` (and `_id`), answered as a paged `searchset` Bundle.
//!
//! As FHIR defines them: a string parameter (`name`, `title`) matches the start of the value
//! ignoring case and accents (`:exact` the whole value as written, `:contains` any part); a
//! comma between values means any of them; a parameter given twice means both.

use super::code_system::{self, Summary};
use super::concept_map;
use super::params::{Kind, Params, Spec};
use super::resolve::{list_iri_of_value_set, value_set_url};
use super::value_set;
use super::{publication_status, FhirError};
use crate::code_lists::query::fold;
use crate::code_lists::CodeListCache;
use serde_json::{json, Value};

/// The default page size.
pub const DEFAULT_COUNT: u32 = 20;
/// The largest page size.
pub const MAX_COUNT: u32 = 200;
/// The largest `_offset`.
pub const MAX_OFFSET: u32 = 100_000;

/// Which resources are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType {
    /// Code lists as code systems.
    CodeSystem,
    /// Their implicit value sets.
    ValueSet,
    /// Correspondences.
    ConceptMap,
}

impl ResourceType {
    /// The FHIR name.
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::CodeSystem => "CodeSystem",
            ResourceType::ValueSet => "ValueSet",
            ResourceType::ConceptMap => "ConceptMap",
        }
    }

    /// The search parameters it takes.
    pub fn specs(self) -> &'static [Spec] {
        match self {
            ResourceType::CodeSystem | ResourceType::ValueSet => SEARCH,
            ResourceType::ConceptMap => SEARCH_CONCEPT_MAP,
        }
    }
}

macro_rules! search_specs {
    ($($extra:expr),*) => {
        &[
            Spec::many("_id", Kind::Text),
            Spec::many("url", Kind::Text),
            Spec::many("version", Kind::Text),
            Spec::many("name", Kind::Text),
            Spec::many("name:exact", Kind::Text),
            Spec::many("name:contains", Kind::Text),
            Spec::many("title", Kind::Text),
            Spec::many("title:exact", Kind::Text),
            Spec::many("title:contains", Kind::Text),
            Spec::many("status", Kind::Text),
            Spec::one("_count", Kind::Integer { max: MAX_COUNT }),
            Spec::one("_offset", Kind::Integer { max: MAX_OFFSET }),
            Spec::one("_summary", Kind::Text),
            Spec::one("_total", Kind::Text),
            Spec::many("_sort", Kind::Unsupported("results are in the order of their url")),
            Spec::many("_elements", Kind::Unsupported("use _summary")),
            Spec::many("_include", Kind::Unsupported("these resources refer to no others")),
            Spec::many("_revinclude", Kind::Unsupported("these resources refer to no others")),
            $($extra),*
        ]
    };
}

/// The search parameters of CodeSystem and ValueSet.
pub const SEARCH: &[Spec] = search_specs!();
/// The search parameters of ConceptMap.
pub const SEARCH_CONCEPT_MAP: &[Spec] = search_specs!(
    Spec::many("source-system", Kind::Text),
    Spec::many("target-system", Kind::Text),
    Spec::many("source-uri", Kind::Text),
    Spec::many("target-uri", Kind::Text)
);

/// `_summary` of a search or read.
pub fn summary(params: &Params) -> Result<Summary, FhirError> {
    params
        .text("_summary")
        .map(|s| {
            Summary::parse(s).ok_or_else(|| {
                FhirError::invalid(
                    "_summary",
                    format!("invalid _summary {s:?}: expected true, false, text, data or count"),
                )
            })
        })
        .transpose()
        .map(Option::unwrap_or_default)
}

/// What a resource is searched by.
struct Fields {
    id: String,
    urls: Vec<String>,
    versions: Vec<String>,
    name: String,
    title: Option<String>,
    status: &'static str,
    source: Option<String>,
    target: Option<String>,
}

fn any_of<'a>(params: &'a Params, name: &str) -> Vec<Vec<&'a str>> {
    params
        .texts(name)
        .into_iter()
        .map(|v| v.split(',').map(str::trim).collect())
        .collect()
}

fn matches(params: &Params, f: &Fields) -> bool {
    let all = |name: &str, test: &dyn Fn(&str) -> bool| {
        any_of(params, name)
            .iter()
            .all(|values| values.iter().any(|v| test(v)))
    };
    let starts = |text: Option<&str>, v: &str| text.is_some_and(|t| fold(t).starts_with(&fold(v)));
    let contains = |text: Option<&str>, v: &str| text.is_some_and(|t| fold(t).contains(&fold(v)));
    all("_id", &|v| v == f.id)
        && all("url", &|v| f.urls.iter().any(|u| u == v))
        && all("version", &|v| f.versions.iter().any(|x| x == v))
        && all("name", &|v| starts(Some(&f.name), v))
        && all("name:exact", &|v| f.name == v)
        && all("name:contains", &|v| contains(Some(&f.name), v))
        && all("title", &|v| starts(f.title.as_deref(), v))
        && all("title:exact", &|v| f.title.as_deref() == Some(v))
        && all("title:contains", &|v| contains(f.title.as_deref(), v))
        && all("status", &|v| f.status == v)
        && all("source-system", &|v| f.source.as_deref() == Some(v))
        && all("target-system", &|v| f.target.as_deref() == Some(v))
        && all("source-uri", &|v| {
            f.source.as_deref() == Some(list_iri_of_value_set(v))
        })
        && all("target-uri", &|v| {
            f.target.as_deref() == Some(list_iri_of_value_set(v))
        })
}

/// Where the answer's links point: the server's base URL (`http://host/fhir`).
pub struct Links<'a> {
    /// The base URL.
    pub base: &'a str,
    /// The request's parameters as given, for the paging links.
    pub pairs: &'a [(String, String)],
}

impl Links<'_> {
    fn page(&self, kind: ResourceType, offset: u32, count: u32) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .pairs
            .iter()
            .filter(|(n, _)| n != "_offset" && n != "_count")
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        pairs.push(("_count", count.to_string()));
        pairs.push(("_offset", offset.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}/{}?{query}", self.base, kind.name())
    }
}

/// Renders a search hit at a summary level.
type Render<'a> = Box<dyn Fn(Summary) -> Value + 'a>;

/// Searches one resource type and answers a `searchset` Bundle.
pub fn search(
    cache: &CodeListCache,
    kind: ResourceType,
    params: &Params,
    links: &Links<'_>,
) -> Result<Value, FhirError> {
    let summary = summary(params)?;
    if let Some(total) = params
        .text("_total")
        .filter(|t| !["none", "estimate", "accurate"].contains(t))
    {
        return Err(FhirError::invalid(
            "_total",
            format!("invalid _total {total:?}: expected none, estimate or accurate (the total is always accurate here)"),
        ));
    }
    let count = params.int("_count").unwrap_or(DEFAULT_COUNT);
    let offset = params.int("_offset").unwrap_or(0);
    let mut hits: Vec<(String, Render<'_>)> = Vec::new();
    match kind {
        ResourceType::CodeSystem | ResourceType::ValueSet => {
            for list in cache.lists() {
                let mut urls = vec![list.list.iri.clone()];
                if kind == ResourceType::ValueSet {
                    urls.insert(0, value_set_url(&list.list.iri));
                }
                let fields = Fields {
                    id: list.id.clone(),
                    urls,
                    versions: std::iter::once(list.version.to_string())
                        .chain(list.list.version_info.clone())
                        .collect(),
                    name: code_system::name(&list),
                    title: code_system::title(&list).map(str::to_owned),
                    status: publication_status(&list.status),
                    source: None,
                    target: None,
                };
                if matches(params, &fields) {
                    let id = list.id.clone();
                    hits.push((
                        id,
                        Box::new(move |s| match kind {
                            ResourceType::ValueSet => value_set::value_set(&list, s),
                            _ => code_system::code_system(&list, s),
                        }),
                    ));
                }
            }
        }
        ResourceType::ConceptMap => {
            for corr in cache.correspondences() {
                let resource = concept_map::concept_map(cache, &corr, Summary::True);
                let fields = Fields {
                    id: corr.id.clone(),
                    urls: vec![corr.iri.clone()],
                    versions: vec![corr.version.to_string()],
                    name: resource["name"].as_str().unwrap_or_default().to_owned(),
                    title: resource["title"].as_str().map(str::to_owned),
                    status: publication_status(&corr.status),
                    source: Some(corr.source_list.clone()),
                    target: Some(corr.target_list.clone()),
                };
                if matches(params, &fields) {
                    hits.push((
                        corr.id.clone(),
                        Box::new(move |s| concept_map::concept_map(cache, &corr, s)),
                    ));
                }
            }
        }
    }
    let total = hits.len();
    let mut bundle = json!({"resourceType": "Bundle", "type": "searchset", "total": total});
    let mut link = vec![json!({"relation": "self", "url": links.page(kind, offset, count)})];
    if summary != Summary::Count {
        let end = (offset as usize).saturating_add(count as usize);
        if end < total {
            link.push(json!({"relation": "next", "url": links.page(kind, end as u32, count)}));
        }
        if offset > 0 {
            let previous = offset.saturating_sub(count);
            link.push(json!({"relation": "previous", "url": links.page(kind, previous, count)}));
        }
        let entries: Vec<Value> = hits
            .iter()
            .skip(offset as usize)
            .take(count as usize)
            .map(|(id, resource)| {
                json!({
                    "fullUrl": format!("{}/{}/{id}", links.base, kind.name()),
                    "resource": resource(summary),
                    "search": {"mode": "match"}})
            })
            .collect();
        if !entries.is_empty() {
            bundle["entry"] = Value::Array(entries);
        }
    }
    bundle["link"] = Value::Array(link);
    Ok(bundle)
}
