//! A code list as a FHIR `CodeSystem`, and the parts of a code that every FHIR answer shares:
//! display, designations, properties.

use super::resolve::value_set_url;
use super::{computable_name, instant, publication_status};
use crate::code_lists::model::{pick, Code, CodeList};
use crate::code_lists::CachedList;
use serde_json::{json, Map, Value};

/// FHIR's standard concept properties.
const CONCEPT_PROPERTIES: &str = "http://hl7.org/fhir/concept-properties#";
/// SNOMED CT's "Synonym", the `use` of a designation that is an alternative name.
pub const SYNONYM: (&str, &str, &str) = ("http://snomed.info/sct", "900000000000013009", "Synonym");

/// How much of a resource a read or search returns (`_summary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Summary {
    /// Everything.
    #[default]
    False,
    /// The summary elements only (no concepts, properties or description).
    True,
    /// The mandatory elements only (semreg writes no narrative).
    Text,
    /// Everything but the narrative (which semreg does not write).
    Data,
    /// Only the count (searches).
    Count,
}

impl Summary {
    /// Parses `_summary`.
    pub fn parse(text: &str) -> Option<Summary> {
        Some(match text {
            "false" => Summary::False,
            "true" => Summary::True,
            "text" => Summary::Text,
            "data" => Summary::Data,
            "count" => Summary::Count,
            _ => return None,
        })
    }

    fn subsetted(self) -> bool {
        matches!(self, Summary::True | Summary::Text)
    }
}

/// The language a list's displays are given in: the language of its name when it has one
/// name, else the first of nb, no, nn, en its codes have labels in, else the first.
pub fn default_language(list: &CodeList) -> &str {
    let mut named = list.labels.keys().filter(|l| !l.is_empty());
    if let (Some(only), None) = (named.next(), named.next()) {
        if list.languages.iter().any(|l| l == only) || list.languages.is_empty() {
            return only;
        }
    }
    ["nb", "no", "nn", "en"]
        .into_iter()
        .find(|l| list.languages.iter().any(|x| x == l))
        .or_else(|| {
            list.languages
                .iter()
                .find(|l| !l.is_empty())
                .map(String::as_str)
        })
        .unwrap_or("")
}

/// A code's display in a language, with the usual fallback.
pub fn display<'c>(code: &'c Code, lang: &str) -> Option<&'c str> {
    pick(&code.labels, lang)
}

/// Whether a code is no longer to be used, by its status.
pub fn is_inactive(code: &Code) -> bool {
    matches!(
        code.status(),
        Some("retired" | "deprecated" | "superseded" | "withdrawn" | "inactive")
    )
}

fn synonym_use() -> Value {
    json!({"system": SYNONYM.0, "code": SYNONYM.1, "display": SYNONYM.2})
}

/// A code's designations: its labels in every language but `except` (the display's, in a
/// CodeSystem), then its short names as synonyms.
pub fn designations(code: &Code, except: Option<&str>) -> Vec<Value> {
    let mut out = Vec::new();
    for (lang, text) in code.labels.iter() {
        if Some(lang) == except || text.is_empty() {
            continue;
        }
        let mut d = Map::new();
        if !lang.is_empty() {
            d.insert("language".into(), json!(lang));
        }
        d.insert("value".into(), json!(text));
        out.push(Value::Object(d));
    }
    for (lang, text) in code.short_labels().iter() {
        if text.is_empty() {
            continue;
        }
        let mut d = Map::new();
        if !lang.is_empty() {
            d.insert("language".into(), json!(lang));
        }
        d.insert("use".into(), synonym_use());
        d.insert("value".into(), json!(text));
        out.push(Value::Object(d));
    }
    out
}

/// The list's computer-friendly name: the source's identifier when it is one, else made from
/// the alias, the identifier or the title.
pub fn name(list: &CachedList) -> String {
    let identifier = list.list.identifier.as_deref();
    if let Some(id) = identifier.filter(|id| computable_name(id).as_deref() == Some(*id)) {
        return id.to_owned();
    }
    list.alias
        .as_deref()
        .or(identifier)
        .and_then(computable_name)
        .or_else(|| title(list).and_then(computable_name))
        .or_else(|| {
            let segment = list.list.iri.trim_end_matches(['/', '#']);
            computable_name(segment.rsplit(['/', '#', ':']).next().unwrap_or(segment))
        })
        .unwrap_or_else(|| format!("List{}", list.id.replace('-', "")))
}

/// The list's title in its own language.
pub fn title(list: &CachedList) -> Option<&str> {
    pick(&list.list.labels, default_language(&list.list))
}

/// A property a code has, as the definition the CodeSystem declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    /// The code's status.
    Status,
    /// Whether the code is no longer to be used.
    Inactive,
    /// First day valid.
    ValidFrom,
    /// First day no longer valid.
    ValidTo,
    /// The code that replaces it.
    ReplacedBy,
    /// The parent code.
    Parent,
    /// The child codes.
    Child,
}

impl Property {
    /// Every property, in the order they are listed.
    pub const ALL: [Property; 7] = [
        Property::Parent,
        Property::Child,
        Property::Status,
        Property::Inactive,
        Property::ValidFrom,
        Property::ValidTo,
        Property::ReplacedBy,
    ];

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Property::Status => "status",
            Property::Inactive => "inactive",
            Property::ValidFrom => "validFrom",
            Property::ValidTo => "validTo",
            Property::ReplacedBy => "replacedBy",
            Property::Parent => "parent",
            Property::Child => "child",
        }
    }

    /// Its definition in a CodeSystem.
    pub fn definition(self) -> Value {
        let (uri, description, kind) = match self {
            Property::Status => (
                format!("{CONCEPT_PROPERTIES}status"),
                "The code's status (valid, deprecated, superseded, retired)",
                "code",
            ),
            Property::Inactive => (
                format!("{CONCEPT_PROPERTIES}inactive"),
                "True when the code is no longer to be used (deprecated, superseded or retired)",
                "boolean",
            ),
            Property::ValidFrom => (
                "http://publications.europa.eu/ontology/euvoc#startDate".to_owned(),
                "The first day the code is valid",
                "dateTime",
            ),
            Property::ValidTo => (
                "http://publications.europa.eu/ontology/euvoc#endDate".to_owned(),
                "The first day the code is no longer valid (exclusive, as in SSB Klass)",
                "dateTime",
            ),
            Property::ReplacedBy => (
                "http://purl.org/dc/terms/isReplacedBy".to_owned(),
                "The code that replaces this one",
                "code",
            ),
            Property::Parent => (
                format!("{CONCEPT_PROPERTIES}parent"),
                "The code's parent in the hierarchy",
                "code",
            ),
            Property::Child => (
                format!("{CONCEPT_PROPERTIES}child"),
                "A child of the code in the hierarchy",
                "code",
            ),
        };
        json!({"code": self.code(), "uri": uri, "description": description, "type": kind})
    }

    /// The property's values for a code, as `(value[x] name, value)`.
    pub fn values(self, list: &CachedList, at: usize) -> Vec<(&'static str, Value)> {
        let code = &list.list.codes[at];
        match self {
            Property::Status => code
                .status()
                .map(|s| ("valueCode", json!(s)))
                .into_iter()
                .collect(),
            Property::Inactive => is_inactive(code)
                .then(|| ("valueBoolean", json!(true)))
                .into_iter()
                .collect(),
            Property::ValidFrom => code
                .valid_from
                .map(|d| ("valueDateTime", json!(d.to_string())))
                .into_iter()
                .collect(),
            Property::ValidTo => code
                .valid_to
                .map(|d| ("valueDateTime", json!(d.to_string())))
                .into_iter()
                .collect(),
            Property::ReplacedBy => code
                .replaced_by()
                .map(|r| ("valueCode", json!(r)))
                .into_iter()
                .collect(),
            Property::Parent => code
                .parent
                .as_deref()
                .filter(|p| list.code(p).is_some())
                .map(|p| ("valueCode", json!(p)))
                .into_iter()
                .collect(),
            Property::Child => list
                .index()
                .children(at)
                .iter()
                .map(|c| ("valueCode", json!(&*list.list.codes[*c as usize].code)))
                .collect(),
        }
    }
}

/// The properties a CodeSystem declares and gives on its concepts (the hierarchy is nesting).
fn concept_properties(list: &CachedList) -> Vec<Property> {
    [
        Property::Status,
        Property::Inactive,
        Property::ValidFrom,
        Property::ValidTo,
        Property::ReplacedBy,
    ]
    .into_iter()
    .filter(|p| (0..list.list.codes.len()).any(|at| !p.values(list, at).is_empty()))
    .collect()
}

fn concept(list: &CachedList, at: usize, lang: &str, properties: &[Property]) -> Value {
    let code = &list.list.codes[at];
    let mut c = Map::new();
    c.insert("code".into(), json!(&*code.code));
    let shown = code
        .labels
        .get(lang)
        .map(|d| (d, lang))
        .or_else(|| display(code, lang).map(|d| (d, "")));
    if let Some((display, _)) = shown {
        c.insert("display".into(), json!(display));
    }
    if let Some(definition) = pick(&code.descriptions, lang) {
        c.insert("definition".into(), json!(definition));
    }
    // The display's own language is not repeated as a designation.
    let except = shown.map(|(text, l)| {
        if l.is_empty() {
            code.labels
                .iter()
                .find(|(_, t)| *t == text)
                .map_or("", |(l, _)| l)
        } else {
            l
        }
    });
    let designations = designations(code, except);
    if !designations.is_empty() {
        c.insert("designation".into(), Value::Array(designations));
    }
    let values: Vec<Value> = properties
        .iter()
        .flat_map(|p| {
            p.values(list, at)
                .into_iter()
                .map(move |(key, value)| json!({"code": p.code(), key: value}))
        })
        .collect();
    if !values.is_empty() {
        c.insert("property".into(), Value::Array(values));
    }
    let children: Vec<Value> = list
        .index()
        .children(at)
        .iter()
        .map(|child| concept(list, *child as usize, lang, properties))
        .collect();
    if !children.is_empty() {
        c.insert("concept".into(), Value::Array(children));
    }
    Value::Object(c)
}

/// `meta` of a resource of a list version, tagged when the resource is a subset.
pub fn meta(version: i32, updated: chrono::DateTime<chrono::Utc>, subsetted: bool) -> Value {
    let mut meta = json!({"versionId": version.to_string(), "lastUpdated": instant(updated)});
    if subsetted {
        meta["tag"] = json!([{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            "code": "SUBSETTED", "display": "subsetted"}]);
    }
    meta
}

/// The elements a list's CodeSystem and ValueSet share: id, meta, url, version, name, title,
/// status, date, publisher, description.
pub fn common(list: &CachedList, url: String, summary: Summary) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert("id".into(), json!(list.id));
    r.insert(
        "meta".into(),
        meta(list.version, list.updated_at, summary.subsetted()),
    );
    let lang = default_language(&list.list);
    if !lang.is_empty() && summary != Summary::Text {
        r.insert("language".into(), json!(lang));
    }
    if summary != Summary::Text {
        r.insert("url".into(), json!(url));
        r.insert("version".into(), json!(list.version.to_string()));
        r.insert("name".into(), json!(name(list)));
        if let Some(title) = title(list) {
            r.insert("title".into(), json!(title));
        }
    }
    r.insert("status".into(), json!(publication_status(&list.status)));
    if summary != Summary::Text {
        r.insert("date".into(), json!(instant(list.updated_at)));
        if let Some(publisher) = &list.publisher {
            r.insert("publisher".into(), json!(publisher));
        }
    }
    if matches!(summary, Summary::False | Summary::Data) {
        if let Some(description) = pick(&list.list.descriptions, lang) {
            r.insert("description".into(), json!(description));
        }
    }
    r
}

/// A list version as a `CodeSystem`: every code a concept (children nested when the list has
/// a hierarchy), displays in the list's language and the other languages as designations.
pub fn code_system(list: &CachedList, summary: Summary) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("CodeSystem"));
    r.extend(common(list, list.list.iri.clone(), summary));
    if summary != Summary::Text {
        r.insert("caseSensitive".into(), json!(true));
        r.insert("valueSet".into(), json!(value_set_url(&list.list.iri)));
        if list.index().is_hierarchical() {
            r.insert("hierarchyMeaning".into(), json!("is-a"));
        }
    }
    r.insert("content".into(), json!("complete"));
    if summary != Summary::Text {
        r.insert("count".into(), json!(list.list.codes.len()));
    }
    if matches!(summary, Summary::False | Summary::Data) {
        let properties = concept_properties(list);
        if !properties.is_empty() {
            r.insert(
                "property".into(),
                Value::Array(properties.iter().map(|p| p.definition()).collect()),
            );
        }
        let lang = default_language(&list.list);
        let concepts: Vec<Value> = list
            .index()
            .roots()
            .iter()
            .map(|at| concept(list, *at as usize, lang, &properties))
            .collect();
        if !concepts.is_empty() {
            r.insert("concept".into(), Value::Array(concepts));
        }
    }
    Value::Object(r)
}
