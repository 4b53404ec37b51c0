//! Service models: a designer's model composed of registry types ("an applicant: Person,
//! filled from the population register"), saved as a registry resource of kind
//! `service-model` (a `semreg:ServiceModel`) that links the types it reuses (`dct:requires`),
//! so "which service models use Person?" has an answer ([`used_by`]).
//!
//! [`compose`] returns one [`Bundle`]: the service model's JSON Schema (the types' own exports,
//! bundled), the mapping from each source-API field to a service-model path (one SSSOM mapping
//! set per source API, stored too, ready for [`crate::mappings::apply`]), and UI hints per field.

//!
//! Composing runs in steps, each in its own file: [`parts`] checks and resolves the request's
//! parts, [`schema`] builds the JSON Schema, [`hints`] walks the fields for UI hints,
//! [`source_mappings`] builds the mapping sets, [`save`] stores it all; [`read`] reads a stored
//! service model back.

pub mod concept_field;
pub mod fields;
mod hints;
mod parts;
mod read;
mod save;
mod schema;
mod source_mappings;
mod sparql;
pub mod ui;

pub use parts::parse_cardinality;
pub use read::{load, schema_of, used_by, UsedBy};

use crate::app::App;
use crate::ids::{resource_id_for_iri, OrgNr};
use crate::mappings::MappingError;
use crate::types::TypesError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ui::UiHint;

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

/// One part of a service model: a registry type, or a concept as one field.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartRequest {
    /// The registry type (id, alias or IRI); with `concept`, instead an XSD built-in or a code
    /// list (id, alias or IRI) that overrides the concept's value range.
    #[serde(rename = "type", default)]
    #[schema(min_length = 1)]
    pub type_ref: Option<String>,
    /// A concept (id, alias or IRI) whose labels, definition and value range make the field.
    #[serde(default)]
    #[schema(min_length = 1)]
    pub concept: Option<String>,
    /// The field name in the service model: not blank, without `/` or `~`.
    #[schema(pattern = "^[^/~]*[^/~\\s][^/~]*$")]
    pub field: String,
    /// `1` (default), `0..1`, `0..*`, `1..*` or `N..M` (M ≥ N, M ≥ 1).
    #[serde(default)]
    #[schema(pattern = "^ *(\\*|[0-9]+|[0-9]+ *\\.\\. *([0-9]+|\\*|n)) *$")]
    pub cardinality: Option<String>,
    /// A mapping set (id, alias or IRI) from a source API's fields to the type's fields (for a
    /// concept part: with a row whose object is the concept, e.g. by `skos:exactMatch`).
    #[serde(default)]
    pub source: Option<String>,
}

/// One part as composed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    /// Field name.
    pub field: String,
    /// The type's registry id (a concept part: the concept's).
    pub type_id: String,
    /// The type's IRI (a concept part: the concept's).
    pub type_iri: String,
    /// The concept a concept part is made of.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub concept: Option<String>,
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

/// A service model composed but not yet stored: everything its bundle and its graph are made of.
struct Prepared {
    iri: String,
    parts: Vec<Part>,
    part_mapping: Vec<Option<String>>,
    requires: Vec<String>,
    schema: Value,
    hints: Vec<UiHint>,
    sets: Vec<crate::mappings::MappingSet>,
}

impl Prepared {
    fn into_bundle(self, request: &ComposeRequest, version: i32) -> Bundle {
        Bundle {
            id: resource_id_for_iri(&self.iri),
            iri: self.iri,
            version,
            name: request.name.trim().to_owned(),
            parts: self.parts,
            schema: self.schema,
            mappings: self
                .sets
                .iter()
                .map(source_mappings::bundle_mapping)
                .collect(),
            ui_hints: self.hints,
        }
    }
}

/// Every step of composing but the save. Without an actor (a preview) and without an IRI in
/// the request, the IRI is made with `preview` for the publisher.
async fn prepare(
    app: &App,
    request: &ComposeRequest,
    actor: Option<&OrgNr>,
) -> Result<Prepared, ServiceModelError> {
    let iri = parts::model_iri(request, actor)?;
    let lang = request.lang.clone().unwrap_or_else(|| "nb".to_owned());
    let resolved = parts::resolve_parts(app, request, &lang).await?;
    let schema = schema::build(app, request, &resolved, &lang).await?;
    let (hints, requires) = hints::build(app, &resolved).await?;
    let (sets, part_mapping) = source_mappings::build(&iri, request, &resolved);
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
            concept: p.concept.as_ref().map(|c| c.iri.clone()),
        })
        .collect();
    Ok(Prepared {
        iri,
        parts,
        part_mapping,
        requires,
        schema,
        hints,
        sets,
    })
}

/// Composes a service model, stores it (with its mapping sets) as the actor's, and returns its
/// bundle.
pub async fn compose(
    app: &App,
    request: ComposeRequest,
    actor: OrgNr,
    who: crate::auth::audit::Actor,
) -> Result<Bundle, ServiceModelError> {
    let prepared = prepare(app, &request, Some(&actor)).await?;
    let composed = save::Composed {
        iri: &prepared.iri,
        request: &request,
        parts: &prepared.parts,
        part_mapping: &prepared.part_mapping,
        requires: &prepared.requires,
        schema: &prepared.schema,
        hints: &prepared.hints,
        sets: &prepared.sets,
    };
    let version = save::save(app, composed, actor, who).await?;
    Ok(prepared.into_bundle(&request, version))
}

/// What [`compose`] would return, by the same steps, without storing anything (version 0): the
/// composer page's preview. Without an `iri` in the request the IRI (and so the ids) are the
/// preview's own, not those a save gives.
pub async fn preview(app: &App, request: &ComposeRequest) -> Result<Bundle, ServiceModelError> {
    Ok(prepare(app, request, None).await?.into_bundle(request, 0))
}
