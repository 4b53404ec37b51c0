//! Concepts for designers: `GET /api/v1/concepts/{id}/field`, one concept as a form field
//! (JSON Schema fragment, UI hint, what its value range says).

use super::problem::ApiError;
use crate::app::AppState;
use crate::service_models::concept_field::{self, ConceptField, FieldRequest};
use crate::service_models::fields::Graphs;
use crate::service_models::{parse_cardinality, ServiceModelError};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// Parameters of `GET /api/v1/concepts/{id}/field`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConceptFieldQuery {
    /// Language of the schema's title and description (nb, nn, en, ...; default nb). The UI
    /// hint has nb, nn and en.
    #[param(pattern = "^[a-z]{2,3}$")]
    pub lang: Option<String>,
    /// The field name (default: the concept's `skosno:dataStructureLabel`, else its label in
    /// lower camel case): not blank, without `/` or `~`, at most 200 characters.
    #[param(max_length = 200, pattern = "^[^/~]*[^/~\\s][^/~]*$")]
    pub field: Option<String>,
    /// `1` (default), `0..1`, `0..*` (an array) or `1..*`.
    #[param(pattern = "^(?:1|0\\.\\.1|0\\.\\.\\*|1\\.\\.\\*)$")]
    pub cardinality: Option<String>,
    /// Instead of the concept's value range: an XSD built-in (`string`, `boolean`, `integer`,
    /// `decimal`, `date`, `dateTime`, `time`, `anyURI`) or a code list (id, alias or IRI; one
    /// not served here is a 404).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub value_type: Option<String>,
}

/// A concept as a form field: its labels and definition in nb/nn/en, its value range as the
/// field's type (a code list as an `enum` or a `$ref` to the list, with a Dropdown or
/// RadioButtons hint; a datatype as that type; a text as a string described by it).
#[utoipa::path(get, path = "/api/v1/concepts/{id}/field",
    params(("id" = String, Path, description = "Concept id, alias or IRI"), ConceptFieldQuery),
    responses((status = 200, description = "The field", body = ConceptField),
              (status = 400, description = "A parameter is malformed; `detail` names it",
               body = super::problem::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No concept with that id, alias or IRI, or no code list named by `type`",
               body = super::problem::Problem, content_type = "application/problem+json")))]
pub async fn get_concept_field(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ConceptFieldQuery>,
) -> Result<Json<ConceptField>, ApiError> {
    let lang = match query.lang.as_deref().map(str::trim) {
        None | Some("") => "nb".to_owned(),
        Some(l) if (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()) => {
            l.to_owned()
        }
        Some(l) => {
            return Err(ApiError::bad_request(format!(
                "lang: `{l}` is not a language code such as nb, nn or en"
            )))
        }
    };
    if let Some(field) = &query.field {
        let field = field.trim();
        if field.is_empty() || field.chars().count() > 200 || field.contains(['/', '~']) {
            return Err(ApiError::bad_request(
                "field: a non-blank name of at most 200 characters without `/` or `~`",
            ));
        }
    }
    let (min, max) = match &query.cardinality {
        Some(c) => parse_cardinality(c).ok_or_else(|| {
            ApiError::bad_request(format!(
                "cardinality: expected 1, 0..1, 0..*, 1..* or N..M, found {c:?}"
            ))
        })?,
        None => (1, Some(1)),
    };
    let to_api = |e: ServiceModelError| match e {
        // Not a concept, or a `type` that names no code list served here: nothing found.
        ServiceModelError::Invalid { field, message } if field == "id" || field == "type" => {
            ApiError::not_found(format!("{field}: {message}"))
        }
        ServiceModelError::Invalid { field, message } => {
            ApiError::bad_request(format!("{field}: {message}"))
        }
        other => other.into(),
    };
    let row = concept_field::concept_row(&app, &id, "id")
        .await
        .map_err(to_api)?;
    let request = FieldRequest {
        field: query.field.map(|f| f.trim().to_owned()),
        min,
        max,
        value_type: query.value_type,
        lang,
        bundle: false,
        at: "type".to_owned(),
    };
    let field = concept_field::build(&app, &mut Graphs::default(), &row, &request)
        .await
        .map_err(to_api)?;
    Ok(Json(field))
}
