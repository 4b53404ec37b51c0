//! `GET /fhir/metadata`: the CapabilityStatement (and, with `mode=terminology`, the
//! TerminologyCapabilities) of semreg's terminology API.

use super::params::{Kind, Spec};
use super::search::ResourceType;
use super::{instant, FHIR_VERSION};
use crate::code_lists::CodeListCache;
use serde_json::{json, Value};

/// The parameters of `metadata`.
pub const METADATA: &[Spec] = &[Spec::one("mode", Kind::Text)];

const FORMATS_NOTE: &str = "JSON only (application/fhir+json, _format=json); a request for XML \
                            (application/fhir+xml, _format=xml) is answered 406 Not Acceptable.";

fn operation(name: &str, resource: &str) -> Value {
    json!({"name": name, "definition": format!("http://hl7.org/fhir/OperationDefinition/{resource}-{name}")})
}

fn search_params(kind: ResourceType) -> Vec<Value> {
    let mut params: Vec<Value> = [
        ("_id", "token"),
        ("url", "uri"),
        ("version", "token"),
        ("name", "string"),
        ("title", "string"),
        ("status", "token"),
    ]
    .into_iter()
    .map(|(n, t)| json!({"name": n, "type": t}))
    .collect();
    if kind == ResourceType::ConceptMap {
        for (n, t) in [
            ("source-system", "uri"),
            ("target-system", "uri"),
            ("source-uri", "reference"),
            ("target-uri", "reference"),
        ] {
            params.push(json!({"name": n, "type": t}));
        }
    }
    params
}

fn resource(kind: ResourceType, operations: &[(&str, &str)]) -> Value {
    json!({
        "type": kind.name(),
        "interaction": [{"code": "read"}, {"code": "vread"}, {"code": "search-type"}],
        "versioning": "versioned",
        "readHistory": false,
        "searchParam": search_params(kind),
        "operation": operations.iter().map(|(n, r)| operation(n, r)).collect::<Vec<_>>(),
    })
}

/// The CapabilityStatement: read, vread and search of the three resource types and the
/// terminology operations.
pub fn capability_statement(base: &str, date: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": instant(date),
        "publisher": "semreg",
        "kind": "instance",
        "software": {"name": "semreg", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {
            "description": format!("semreg's FHIR R4 terminology API over its code lists. {FORMATS_NOTE}"),
            "url": base,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": format!("Code lists as CodeSystems with implicit all-codes ValueSets (url + \"?fhir_vs\"), correspondences as ConceptMaps. {FORMATS_NOTE}"),
            "resource": [
                resource(ResourceType::CodeSystem, &[("lookup", "CodeSystem"), ("validate-code", "CodeSystem"), ("subsumes", "CodeSystem")]),
                resource(ResourceType::ValueSet, &[("expand", "ValueSet"), ("validate-code", "ValueSet")]),
                resource(ResourceType::ConceptMap, &[("translate", "ConceptMap")]),
            ],
        }],
    })
}

/// The TerminologyCapabilities: every code system with its current version, and what
/// `$expand`, `$validate-code` and `$translate` take.
pub fn terminology_capabilities(
    cache: &CodeListCache,
    date: chrono::DateTime<chrono::Utc>,
) -> Value {
    let systems: Vec<Value> = cache
        .lists()
        .iter()
        .map(|list| {
            let mut version = json!({"code": list.version.to_string(), "isDefault": true});
            let languages: Vec<&str> = list
                .list
                .languages
                .iter()
                .map(String::as_str)
                .filter(|l| !l.is_empty())
                .collect();
            if !languages.is_empty() {
                version["language"] = json!(languages);
            }
            json!({"uri": list.list.iri, "version": [version]})
        })
        .collect();
    let documented = |name: &str, doc: &str| json!({"name": name, "documentation": doc});
    json!({
        "resourceType": "TerminologyCapabilities",
        "status": "active",
        "date": instant(date),
        "publisher": "semreg",
        "kind": "instance",
        "software": {"name": "semreg", "version": env!("CARGO_PKG_VERSION")},
        "codeSystem": systems,
        "expansion": {
            "hierarchical": true,
            "paging": true,
            "incomplete": false,
            "parameter": [
                documented("url", "the implicit value set (list IRI + ?fhir_vs) or the list's IRI, optionally |version"),
                documented("valueSetVersion", "a version number of the list"),
                documented("filter", "case- and accent-insensitive text on the code and every designation"),
                documented("count", "page size, 0 to 10000"),
                documented("offset", "page start; a paged expansion is flat"),
                documented("date", "codes valid on this day (YYYY-MM-DD); default today"),
                documented("displayLanguage", "language of displays, falling back nb, no, nn, en"),
                documented("includeDesignations", "every label and short name as a designation"),
                documented("includeDefinition", "the value set's compose too"),
                documented("activeOnly", "leave out deprecated, superseded and retired codes"),
                documented("excludeNested", "a flat expansion of a hierarchical list"),
            ],
            "textFilter": "Matches any part of the code or of a designation, ignoring case and accents, as the code-list API's filter.",
        },
        "codeSearch": "all",
        "validateCode": {"translations": false},
        "translation": {"needsMap": true},
    })
}
