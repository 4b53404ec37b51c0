//! Service models: a designer's model composed of registry types ("an applicant: Person,
//! filled from the population register"), saved as a registry resource of kind
//! `service-model` (a `semreg:ServiceModel`) that links the types it reuses (`dct:requires`),
//! so "which service models use Person?" has an answer ([`used_by`]).
//!
//! [`compose`] returns one [`Bundle`]: the service model's JSON Schema (the types' own exports,
//! bundled), the mapping from each source-API field to a service-model path (one SSSOM mapping
//! set per source API, stored too, ready for [`crate::mappings::apply`]), and UI hints per field.

pub mod fields;
pub mod ui;

use crate::app::App;
use crate::ids::{resource_id_for_iri, OrgNr};
use crate::mappings::stored;
use crate::mappings::{field_iri, field_path, pointer_of, rdf as mapping_rdf};
use crate::mappings::{Mapping, MappingError, MappingSet};
use crate::registry::Actor;
use crate::types::{ExportOptions, TypesError};
use fields::{ConceptLinks, FieldValue, Graphs};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Triple};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use ui::{CodeListHint, UiHint};

/// The kind name of service models.
pub const SERVICE_MODEL_KIND: &str = "service-model";

const SEMREG: &str = "https://w3id.org/semreg/ns#";
const M: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const DCT_DESCRIPTION: &str = "http://purl.org/dc/terms/description";
const DCT_REQUIRES: &str = "http://purl.org/dc/terms/requires";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// What a designer asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComposeRequest {
    /// The service model's name (its title; also the JSON Schema title), with a letter or digit.
    #[schema(pattern = "[A-Za-z0-9ÆØÅæøå]")]
    pub name: String,
    /// Its IRI (default `urn:semreg:service-model:{publisher}:{name}`).
    #[serde(default)]
    pub iri: Option<String>,
    /// A readable alias.
    #[serde(default)]
    pub alias: Option<String>,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// Language of the JSON Schema's titles and descriptions (default nb).
    #[serde(default)]
    pub lang: Option<String>,
    /// The parts, in order (at least one; field names unique).
    #[schema(min_items = 1)]
    pub parts: Vec<PartRequest>,
}

/// One part of a service model.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartRequest {
    /// The registry type (id, alias or IRI).
    #[serde(rename = "type")]
    #[schema(min_length = 1)]
    pub type_ref: String,
    /// The field name in the service model: not blank, without `/` or `~`.
    #[schema(pattern = "^[^/~]*[^/~\\s][^/~]*$")]
    pub field: String,
    /// `1` (default), `0..1`, `0..*`, `1..*` or `N..M` (M ≥ N, M ≥ 1).
    #[serde(default)]
    #[schema(pattern = "^ *(\\*|[0-9]+|[0-9]+ *\\.\\. *([0-9]+|\\*|n)) *$")]
    pub cardinality: Option<String>,
    /// A mapping set (id, alias or IRI) from a source API's fields to the type's fields.
    #[serde(default)]
    pub source: Option<String>,
}

/// One part as composed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    /// Field name.
    pub field: String,
    /// The type's registry id.
    pub type_id: String,
    /// The type's IRI.
    pub type_iri: String,
    /// Least occurrences.
    pub min: u64,
    /// Most occurrences (`null`: unbounded).
    pub max: Option<u64>,
    /// The service-model mapping set filling it, if it has a source.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mapping: Option<String>,
}

/// One source-field-to-path line of a bundle's mapping.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldMapping {
    /// JSON Pointer in the source document.
    pub source: String,
    /// JSON Pointer in the service-model document.
    pub target: String,
    /// The transform, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub transform: Option<String>,
}

/// The mapping from one source API to the service model.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BundleMapping {
    /// The mapping set's registry id (for `POST /api/v1/mappings/{id}/apply`).
    pub id: String,
    /// Its IRI.
    pub iri: String,
    /// The source API.
    pub subject_source: Option<String>,
    /// Field to path, in order.
    pub fields: Vec<FieldMapping>,
}

/// What compose returns and `GET /api/v1/service-models/{id}` gives back.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// Registry id.
    pub id: String,
    /// IRI.
    pub iri: String,
    /// Version number in the registry.
    pub version: i32,
    /// Name.
    pub name: String,
    /// The parts.
    pub parts: Vec<Part>,
    /// JSON Schema (draft 2020-12) of service-model documents.
    #[schema(value_type = Object)]
    pub schema: Value,
    /// Source fields to service-model paths, per source API.
    pub mappings: Vec<BundleMapping>,
    /// How to show each value field.
    pub ui_hints: Vec<UiHint>,
}

/// Why composing or reading a service model failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceModelError {
    /// The request is wrong; names the field.
    #[error("{field}: {message}")]
    Invalid {
        /// Which request field (`parts[1].cardinality`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// A mapping problem.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// A type export problem.
    #[error(transparent)]
    Types(#[from] TypesError),
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ServiceModelError {
    ServiceModelError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Parses a cardinality: `1`, `0..1`, `0..*`, `1..*`, `N..M`.
pub fn parse_cardinality(text: &str) -> Option<(u64, Option<u64>)> {
    let text = text.trim();
    let (min, max) = match text.split_once("..") {
        Some((min, max)) => (min.trim(), max.trim()),
        None if text == "*" => ("0", "*"),
        None => (text, text),
    };
    let min: u64 = min.parse().ok()?;
    let max = match max {
        "*" | "n" => None,
        n => Some(n.parse::<u64>().ok()?),
    };
    if max.is_some_and(|m| m < min || m == 0) {
        return None;
    }
    Some((min, max))
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push('a'),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    out.trim_matches('-').to_owned()
}

/// A resolved part.
struct Resolved {
    request: PartRequest,
    type_row: crate::store::resource::Model,
    min: u64,
    max: Option<u64>,
    source: Option<MappingSet>,
}

/// Composes a service model, stores it (with its mapping sets) as the actor's, and returns its
/// bundle.
pub async fn compose(
    app: &App,
    request: ComposeRequest,
    actor: OrgNr,
) -> Result<Bundle, ServiceModelError> {
    if request.name.trim().is_empty() {
        return Err(invalid("name", "must not be empty"));
    }
    if request.parts.is_empty() {
        return Err(invalid("parts", "a service model needs at least one part"));
    }
    let lang = request.lang.clone().unwrap_or_else(|| "nb".to_owned());
    let iri = match &request.iri {
        Some(iri) => NamedNode::new(iri.as_str())
            .map_err(|e| invalid("iri", format!("not an IRI: {e}")))?
            .into_string(),
        None => {
            let name = slug(&request.name);
            if name.is_empty() {
                return Err(invalid(
                    "name",
                    "needs a letter or digit to make an IRI from",
                ));
            }
            format!("urn:semreg:service-model:{}:{name}", actor.as_str())
        }
    };
    let mut resolved = Vec::new();
    for (i, part) in request.parts.iter().enumerate() {
        let at = |f: &str| format!("parts[{i}].{f}");
        let field = part.field.trim();
        if field.is_empty() || field.contains('/') || field.contains('~') {
            return Err(invalid(at("field"), "a non-empty name without `/` or `~`"));
        }
        if request.parts[..i].iter().any(|p| p.field.trim() == field) {
            return Err(invalid(at("field"), format!("{field:?} is used twice")));
        }
        let (min, max) = match &part.cardinality {
            Some(c) => parse_cardinality(c).ok_or_else(|| {
                invalid(
                    at("cardinality"),
                    format!("expected 1, 0..1, 0..*, 1..* or N..M, found {c:?}"),
                )
            })?,
            None => (1, Some(1)),
        };
        let key = if part.type_ref.contains(':') {
            resource_id_for_iri(&part.type_ref)
        } else {
            part.type_ref.clone()
        };
        let type_row = crate::store::find_resource(&app.db, &key)
            .await
            .map_err(MappingError::from)?
            .ok_or_else(|| {
                invalid(
                    at("type"),
                    format!("no type with id, alias or IRI {:?}", part.type_ref),
                )
            })?;
        if type_row.kind != crate::types::TYPE_KIND {
            return Err(invalid(
                at("type"),
                format!("{:?} is a {}, not a type", part.type_ref, type_row.kind),
            ));
        }
        let source = match &part.source {
            Some(source) => {
                let (_, set) = stored::load(app, source).await.map_err(|e| match e {
                    MappingError::NotFound(_) | MappingError::NotAMappingSet(_) => {
                        invalid(at("source"), e.to_string())
                    }
                    other => other.into(),
                })?;
                if set.object_source.as_deref() != Some(type_row.iri.as_str()) {
                    return Err(invalid(
                        at("source"),
                        format!(
                            "mapping set {} maps to {}, not to type {}",
                            set.iri,
                            set.object_source.as_deref().unwrap_or("no object_source"),
                            type_row.iri
                        ),
                    ));
                }
                if set.subject_source.is_none() {
                    return Err(invalid(
                        at("source"),
                        format!(
                            "mapping set {} names no subject_source (the source API)",
                            set.iri
                        ),
                    ));
                }
                Some(set)
            }
            None => None,
        };
        resolved.push(Resolved {
            request: PartRequest {
                field: field.to_owned(),
                ..part.clone()
            },
            type_row,
            min,
            max,
            source,
        });
    }

    // The JSON Schema: each type's own export, bundled, as a property.
    let options = ExportOptions {
        bundle: true,
        lang: lang.clone(),
        ..ExportOptions::default()
    };
    let mut exports = Vec::new();
    for part in &resolved {
        exports.push(crate::types::json_schema(app, &part.type_row.id, &options).await?);
    }
    let schema = compose_schema(&request, &resolved, exports)?;

    // Fields and UI hints.
    let links = concept_links(app).await?;
    let mut graphs = Graphs::default();
    let mut hints = Vec::new();
    let mut requires: Vec<String> = Vec::new();
    for part in &resolved {
        let prefix = if part.max.is_none_or(|m| m > 1) {
            vec![part.request.field.clone(), "0".to_owned()]
        } else {
            vec![part.request.field.clone()]
        };
        let (found, reached) = fields::walk(
            app,
            &mut graphs,
            &links,
            &part.type_row.iri,
            &prefix,
            part.min > 0,
        )
        .await?;
        for r in reached {
            if !requires.contains(&r) {
                requires.push(r);
            }
        }
        for field in found {
            if matches!(field.value, FieldValue::Object { .. }) {
                continue;
            }
            hints.push(hint_for(app, &mut graphs, &field).await?);
        }
    }

    // Mapping sets: one per source API.
    let mut sets: Vec<MappingSet> = Vec::new();
    let mut part_mapping: Vec<Option<String>> = Vec::new();
    for part in &resolved {
        let Some(source) = &part.source else {
            part_mapping.push(None);
            continue;
        };
        let api = source.subject_source.clone().unwrap_or_default();
        let index = match sets
            .iter()
            .position(|s| s.subject_source.as_deref() == Some(api.as_str()))
        {
            Some(index) => index,
            None => {
                sets.push(MappingSet {
                    iri: format!("{iri}/mapping/{}", sets.len() + 1),
                    title: Some(format!(
                        "{} ← {}",
                        request.name.trim(),
                        source.title.clone().unwrap_or_else(|| api.clone())
                    )),
                    license: source.license.clone(),
                    subject_source: Some(api.clone()),
                    object_source: Some(iri.clone()),
                    curie_map: source.curie_map.clone(),
                    ..Default::default()
                });
                sets.len() - 1
            }
        };
        let mut prefix = vec![part.request.field.clone()];
        if part.max.is_none_or(|m| m > 1) {
            prefix.push("0".to_owned());
        }
        for m in &source.mappings {
            let Some(inside) = field_path(&m.object_id, &part.type_row.iri) else {
                continue;
            };
            if field_path(&m.subject_id, &api).is_none() {
                continue;
            }
            let mut tokens = prefix.clone();
            tokens.extend(crate::mappings::pointer_tokens(&inside));
            sets[index].mappings.push(Mapping {
                object_id: field_iri(&iri, &pointer_of(&tokens)),
                ..m.clone()
            });
        }
        part_mapping.push(Some(sets[index].iri.clone()));
    }

    // The service model's own graph.
    let parts: Vec<Part> = resolved
        .iter()
        .zip(&part_mapping)
        .map(|(p, mapping)| Part {
            field: p.request.field.clone(),
            type_id: p.type_row.id.clone(),
            type_iri: p.type_row.iri.clone(),
            min: p.min,
            max: p.max,
            mapping: mapping.as_ref().map(|m| resource_id_for_iri(m)),
        })
        .collect();
    let mut triples = model_triples(
        &iri,
        &request,
        &parts,
        &part_mapping,
        &requires,
        &schema,
        &hints,
    )?;
    for set in &sets {
        triples.extend(mapping_rdf::to_triples(set)?);
    }
    let report = stored::save_triples(
        app,
        &triples,
        Actor::Publisher(actor.clone()),
        Some(actor),
        "service-model.nt",
    )
    .await?;
    let id = resource_id_for_iri(&iri);
    let version = report
        .resources
        .iter()
        .find(|r| r.id == id)
        .map_or(1, |r| r.version);
    Ok(Bundle {
        id,
        iri,
        version,
        name: request.name.trim().to_owned(),
        parts,
        schema,
        mappings: sets.iter().map(bundle_mapping).collect(),
        ui_hints: hints,
    })
}

fn bundle_mapping(set: &MappingSet) -> BundleMapping {
    BundleMapping {
        id: resource_id_for_iri(&set.iri),
        iri: set.iri.clone(),
        subject_source: set.subject_source.clone(),
        fields: crate::mappings::apply::field_mappings(set)
            .into_iter()
            .map(|(source, target, transform)| FieldMapping {
                source,
                target,
                transform: (!transform.steps.is_empty()).then(|| transform.to_string()),
            })
            .collect(),
    }
}

async fn hint_for(
    app: &App,
    graphs: &mut Graphs,
    field: &fields::Field,
) -> Result<UiHint, ServiceModelError> {
    let FieldValue::Value {
        builtin,
        code_list,
        max_length,
        pattern,
    } = &field.value
    else {
        return Err(invalid("parts", "an object field has no UI hint"));
    };
    let code_list = code_list.as_ref().map(|list| {
        let id = resource_id_for_iri(list);
        let cached = app.code_lists.get(&id);
        let today = chrono::Utc::now().date_naive();
        let codes = cached.as_ref().map(|c| {
            c.list
                .codes
                .iter()
                .filter(|code| code.valid_on(today))
                .count()
        });
        let key = cached.as_ref().and_then(|c| c.alias.clone()).unwrap_or(id);
        (
            CodeListHint {
                iri: list.clone(),
                options_url: format!("/api/v1/code-lists/{key}/altinn-options"),
                id: key,
                codes: codes.unwrap_or(0),
            },
            codes,
        )
    });
    let component = ui::component_for(field, code_list.as_ref().and_then(|(_, n)| *n));
    let concept_texts = match &field.concept {
        Some(concept) => Some(graphs.concept_texts(app, concept).await?),
        None => None,
    };
    let (label, help_text) = ui::texts(field, concept_texts.as_ref().map(|(l, h)| (l, h)));
    Ok(UiHint {
        path: field.path.clone(),
        binding: ui::binding(&field.path),
        component: component.to_owned(),
        required: field.required,
        data_type: builtin.clone(),
        label,
        help_text,
        concept: field.concept.clone(),
        code_list: code_list.map(|(hint, _)| hint),
        max_length: *max_length,
        pattern: pattern.clone(),
    })
}

/// The service model's JSON Schema: an object with a property per part referring to the
/// part's type, and every type's bundled definitions in `$defs`.
fn compose_schema(
    request: &ComposeRequest,
    parts: &[Resolved],
    exports: Vec<Value>,
) -> Result<Value, ServiceModelError> {
    let mut defs = Map::new();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (i, (part, export)) in parts.iter().zip(exports).enumerate() {
        let Value::Object(mut export) = export else {
            return Err(invalid(
                format!("parts[{i}].type"),
                "its JSON Schema is not an object",
            ));
        };
        let own_defs = match export.remove("$defs") {
            Some(Value::Object(d)) => d,
            _ => Map::new(),
        };
        // Names taken by a different definition get a suffix; references follow the rename.
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for (name, schema) in &own_defs {
            if let Some(existing) = defs.get(name) {
                if existing != schema {
                    let mut n = 2;
                    while defs.contains_key(&format!("{name}_{n}")) {
                        n += 1;
                    }
                    renames.insert(name.clone(), format!("{name}_{n}"));
                }
            }
        }
        let mut root = Value::Object(export);
        rewrite_refs(&mut root, &renames);
        for (name, mut schema) in own_defs {
            rewrite_refs(&mut schema, &renames);
            let name = renames.get(&name).cloned().unwrap_or(name);
            defs.entry(name).or_insert(schema);
        }
        let Value::Object(mut root) = root else {
            unreachable!()
        };
        for key in ["$schema", "$id", "$comment"] {
            root.remove(key);
        }
        let item = match root.get("$ref") {
            Some(reference)
                if root
                    .keys()
                    .all(|k| matches!(k.as_str(), "$ref" | "title" | "description")) =>
            {
                json!({ "$ref": reference })
            }
            _ => {
                let mut name = part.request.field.clone();
                let mut n = 2;
                while defs.contains_key(&name) {
                    name = format!("{}_{n}", part.request.field);
                    n += 1;
                }
                defs.insert(name.clone(), Value::Object(root.clone()));
                json!({ "$ref": format!("#/$defs/{name}") })
            }
        };
        let mut property = if part.max.is_none_or(|m| m > 1) {
            let mut array = json!({ "type": "array", "items": item });
            if part.min > 0 {
                array["minItems"] = json!(part.min);
            }
            if let Some(max) = part.max {
                array["maxItems"] = json!(max);
            }
            array
        } else {
            item
        };
        if let Some(title) = root.get("title") {
            property["title"] = title.clone();
        }
        if part.min > 0 {
            required.push(part.request.field.clone());
        }
        properties.insert(part.request.field.clone(), property);
    }
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": request.name.trim(),
        "type": "object",
        "properties": properties,
    });
    if let Some(description) = &request.description {
        schema["description"] = json!(description);
    }
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    if !defs.is_empty() {
        schema["$defs"] = Value::Object(defs);
    }
    Ok(schema)
}

/// Rewrites `#/$defs/Old...` references to renamed definitions.
fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    if renames.is_empty() {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    if let Value::String(reference) = v {
                        for (old, new) in renames {
                            let prefix = format!("#/$defs/{old}");
                            if reference == &prefix || reference.starts_with(&format!("{prefix}/"))
                            {
                                *reference = format!("#/$defs/{new}{}", &reference[prefix.len()..]);
                                break;
                            }
                        }
                    }
                } else {
                    rewrite_refs(v, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

/// Concept links made by mapping sets (`dct:subject`, `skos:exactMatch`, `skos:closeMatch`
/// from a field to a concept), from the RDF projection.
async fn concept_links(app: &App) -> Result<ConceptLinks, ServiceModelError> {
    let query = format!(
        "SELECT ?s ?o WHERE {{ ?set a <https://w3id.org/sssom/MappingSet> ; <https://w3id.org/sssom/mappings> ?m . \
         ?m <http://www.w3.org/2002/07/owl#annotatedSource> ?s ; <http://www.w3.org/2002/07/owl#annotatedProperty> ?p ; \
         <http://www.w3.org/2002/07/owl#annotatedTarget> ?o . \
         VALUES ?p {{ <{}> <{SKOS}exactMatch> <{SKOS}closeMatch> }} }}",
        fields::DCT_SUBJECT
    );
    let rows = select(app, query).await?;
    Ok(rows
        .into_iter()
        .filter_map(|mut row| {
            let o = row.pop()??;
            let s = row.pop()??;
            Some((s, o))
        })
        .collect())
}

/// Runs a SPARQL SELECT on the RDF projection (union of resource graphs).
async fn select(app: &App, query: String) -> Result<Vec<Vec<Option<String>>>, ServiceModelError> {
    let projections = app.projections.clone();
    tokio::task::spawn_blocking(move || {
        use oxigraph::sparql::{QueryResults, SparqlEvaluator};
        let mut prepared = SparqlEvaluator::new()
            .parse_query(&query)
            .map_err(|e| TypesError::Rdf(e.to_string()))?;
        prepared.dataset_mut().set_default_graph_as_union();
        let results = prepared
            .on_store(projections.graph.store())
            .execute()
            .map_err(|e| TypesError::Rdf(e.to_string()))?;
        let QueryResults::Solutions(solutions) = results else {
            return Ok(Vec::new());
        };
        let variables: Vec<_> = solutions.variables().to_vec();
        let mut rows = Vec::new();
        for solution in solutions {
            let solution = solution.map_err(|e| TypesError::Rdf(e.to_string()))?;
            rows.push(
                variables
                    .iter()
                    .map(|v| {
                        solution.get(v).map(|term| match term {
                            oxigraph::model::Term::NamedNode(n) => n.as_str().to_owned(),
                            oxigraph::model::Term::Literal(l) => l.value().to_owned(),
                            other => other.to_string(),
                        })
                    })
                    .collect(),
            );
        }
        Ok(rows)
    })
    .await
    .map_err(|e| ServiceModelError::Types(TypesError::Task(e.to_string())))?
}

fn model_triples(
    iri: &str,
    request: &ComposeRequest,
    parts: &[Part],
    part_mapping: &[Option<String>],
    requires: &[String],
    schema: &Value,
    hints: &[UiHint],
) -> Result<Vec<Triple>, ServiceModelError> {
    let node = |text: &str, field: &str| {
        NamedNode::new(text).map_err(|e| invalid(field, format!("{text:?} is not an IRI: {e}")))
    };
    let me: NamedOrBlankNode = node(iri, "iri")?.into();
    let p = |local: &str| NamedNode::new_unchecked(local);
    let mut out = vec![
        Triple::new(me.clone(), rdf::TYPE, p(&format!("{SEMREG}ServiceModel"))),
        Triple::new(
            me.clone(),
            p(DCT_TITLE),
            Literal::new_simple_literal(request.name.trim()),
        ),
        Triple::new(
            me.clone(),
            p(&format!("{SEMREG}jsonSchema")),
            Literal::new_simple_literal(schema.to_string()),
        ),
        Triple::new(
            me.clone(),
            p(&format!("{SEMREG}uiHints")),
            Literal::new_simple_literal(serde_json::to_string(hints).unwrap_or_default()),
        ),
    ];
    if let Some(description) = &request.description {
        out.push(Triple::new(
            me.clone(),
            p(DCT_DESCRIPTION),
            Literal::new_simple_literal(description),
        ));
    }
    if let Some(alias) = &request.alias {
        out.push(Triple::new(
            me.clone(),
            p(&format!("{SEMREG}alias")),
            Literal::new_simple_literal(alias),
        ));
    }
    for required in requires {
        out.push(Triple::new(
            me.clone(),
            p(DCT_REQUIRES),
            node(required, "parts")?,
        ));
    }
    for (i, (part, mapping)) in parts.iter().zip(part_mapping).enumerate() {
        let prop: NamedOrBlankNode = BlankNode::default().into();
        out.push(Triple::new(
            me.clone(),
            p(&format!("{M}hasProperty")),
            prop.clone(),
        ));
        out.push(Triple::new(prop.clone(), rdf::TYPE, p(&format!("{M}Role"))));
        out.push(Triple::new(
            prop.clone(),
            p(DCT_TITLE),
            Literal::new_simple_literal(&part.field),
        ));
        out.push(Triple::new(
            prop.clone(),
            p(&format!("{M}hasObjectType")),
            node(&part.type_iri, "parts")?,
        ));
        out.push(Triple::new(
            prop.clone(),
            p(&format!("{M}minOccurs")),
            Literal::new_typed_literal(part.min.to_string(), xsd::NON_NEGATIVE_INTEGER),
        ));
        out.push(Triple::new(
            prop.clone(),
            p(&format!("{M}maxOccurs")),
            match part.max {
                Some(max) => Literal::new_typed_literal(max.to_string(), xsd::NON_NEGATIVE_INTEGER),
                None => Literal::new_simple_literal("*"),
            },
        ));
        out.push(Triple::new(
            prop.clone(),
            p(&format!("{M}sequenceNumber")),
            Literal::new_typed_literal((i + 1).to_string(), xsd::NON_NEGATIVE_INTEGER),
        ));
        if let Some(mapping) = mapping {
            out.push(Triple::new(
                prop.clone(),
                p(&format!("{SEMREG}sourceMapping")),
                node(mapping, "parts")?,
            ));
        }
    }
    Ok(out)
}

/// A stored service model's bundle, by id, alias or IRI.
pub async fn load(app: &App, id_or_alias: &str) -> Result<Bundle, ServiceModelError> {
    let key = if id_or_alias.contains(':') {
        resource_id_for_iri(id_or_alias)
    } else {
        id_or_alias.to_owned()
    };
    let (row, ntriples) = stored::load_current(app, &key).await?.ok_or_else(|| {
        ServiceModelError::NotFound(format!("no service model with id or alias {id_or_alias:?}"))
    })?;
    if row.kind != SERVICE_MODEL_KIND {
        return Err(ServiceModelError::NotFound(format!(
            "resource {id_or_alias:?} is a {}, not a service model",
            row.kind
        )));
    }
    let mut graphs = Graphs::default();
    graphs.add_ntriples(&ntriples);
    let iri = row.iri.clone();
    let json_literal = |predicate: &str| -> Result<Value, ServiceModelError> {
        let text = graphs
            .value(&iri, &format!("{SEMREG}{predicate}"))
            .ok_or_else(|| {
                invalid(
                    &iri,
                    format!("stored service model lacks semreg:{predicate}"),
                )
            })?;
        serde_json::from_str(&text)
            .map_err(|e| invalid(&iri, format!("stored semreg:{predicate} unreadable: {e}")))
    };
    let schema = json_literal("jsonSchema")?;
    let ui_hints: Vec<UiHint> = serde_json::from_value(json_literal("uiHints")?)
        .map_err(|e| invalid(&iri, format!("stored semreg:uiHints unreadable: {e}")))?;
    let mut parts = Vec::new();
    let mut mapping_iris: Vec<String> = Vec::new();
    let mut props: Vec<(u64, String)> = graphs
        .nodes(&iri, &format!("{M}hasProperty"))
        .into_iter()
        .map(|p| {
            (
                graphs
                    .value(&p, &format!("{M}sequenceNumber"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0),
                p,
            )
        })
        .collect();
    props.sort();
    for (_, prop) in props {
        let type_iri = graphs
            .nodes(&prop, &format!("{M}hasObjectType"))
            .into_iter()
            .next()
            .unwrap_or_default();
        let mapping = graphs
            .nodes(&prop, &format!("{SEMREG}sourceMapping"))
            .into_iter()
            .next();
        if let Some(m) = &mapping {
            if !mapping_iris.contains(m) {
                mapping_iris.push(m.clone());
            }
        }
        parts.push(Part {
            field: graphs.value(&prop, DCT_TITLE).unwrap_or_default(),
            type_id: resource_id_for_iri(&type_iri),
            type_iri,
            min: graphs
                .value(&prop, &format!("{M}minOccurs"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
            max: match graphs.value(&prop, &format!("{M}maxOccurs")).as_deref() {
                Some("*") | None => None,
                Some(n) => n.parse().ok(),
            },
            mapping: mapping.as_ref().map(|m| resource_id_for_iri(m)),
        });
    }
    let mut mappings = Vec::new();
    for m in mapping_iris {
        let (_, set) = stored::load(app, &m).await?;
        mappings.push(bundle_mapping(&set));
    }
    Ok(Bundle {
        id: row.id.clone(),
        iri: row.iri.clone(),
        version: row.current_version,
        name: graphs
            .value(&iri, DCT_TITLE)
            .unwrap_or_else(|| row.label.clone()),
        parts,
        schema,
        mappings,
        ui_hints,
    })
}

/// The stored JSON Schema of a service model, by its IRI (for apply).
pub async fn schema_of(app: &App, iri: &str) -> Result<Option<Value>, ServiceModelError> {
    match load(app, &resource_id_for_iri(iri)).await {
        Ok(bundle) => Ok(Some(bundle.schema)),
        Err(ServiceModelError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A service model that uses a type.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsedBy {
    /// Registry id.
    pub id: String,
    /// IRI.
    pub iri: String,
    /// Label.
    pub label: String,
    /// Whether a part of it is the type itself (else it is reached through another type).
    pub direct: bool,
}

/// The service models that use a type, directly (as a part) or through a type they use.
pub async fn used_by(app: &App, type_iri: &str) -> Result<Vec<UsedBy>, ServiceModelError> {
    let type_node = NamedNode::new(type_iri).map_err(|e| invalid("id", e.to_string()))?;
    let query = format!(
        "SELECT DISTINCT ?sm ?direct WHERE {{ ?sm a <{SEMREG}ServiceModel> ; <{DCT_REQUIRES}> {type_node} . \
         BIND(EXISTS {{ ?sm <{M}hasProperty>/<{M}hasObjectType> {type_node} }} AS ?direct) }} ORDER BY ?sm"
    );
    let rows = select(app, query).await?;
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.first().cloned().flatten())
        .map(|iri| resource_id_for_iri(&iri))
        .collect();
    let found = crate::store::resources_by_ids(&app.db, &ids)
        .await
        .map_err(MappingError::from)?;
    let mut out = Vec::new();
    for row in rows {
        let Some(Some(iri)) = row.first().cloned() else {
            continue;
        };
        let direct = row.get(1).cloned().flatten().is_some_and(|d| d == "true");
        let id = resource_id_for_iri(&iri);
        let label = found
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.label.clone())
            .unwrap_or_else(|| iri.clone());
        out.push(UsedBy {
            id,
            iri,
            label,
            direct,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinalities_read_as_designers_write_them() {
        assert_eq!(parse_cardinality("1"), Some((1, Some(1))));
        assert_eq!(parse_cardinality("0..1"), Some((0, Some(1))));
        assert_eq!(parse_cardinality("0..*"), Some((0, None)));
        assert_eq!(parse_cardinality("1..*"), Some((1, None)));
        assert_eq!(parse_cardinality("2..5"), Some((2, Some(5))));
        assert_eq!(parse_cardinality("5..2"), None);
        assert_eq!(parse_cardinality("x"), None);
    }

    #[test]
    fn renamed_definitions_keep_their_references() {
        let mut schema = json!({"properties": {"a": {"$ref": "#/$defs/Adresse"}, "b": {"$ref": "#/$defs/AdresseX"}}});
        rewrite_refs(
            &mut schema,
            &[("Adresse".to_owned(), "Adresse_2".to_owned())].into(),
        );
        assert_eq!(schema["properties"]["a"]["$ref"], "#/$defs/Adresse_2");
        assert_eq!(schema["properties"]["b"]["$ref"], "#/$defs/AdresseX");
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Søknad om bostøtte!"), "soknad-om-bostotte");
    }
}
