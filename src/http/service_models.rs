//! Service models: `POST /api/v1/service-models` (compose; bearer token of the publisher),
//! `GET /api/v1/service-models/{id}` (the bundle), `GET /api/v1/types/{id}/used-by`.

use super::extract::ApiPath;
use super::problem::ApiError;
use crate::app::AppState;
use crate::service_models::{self, Bundle, ComposeRequest, UsedBy};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;

/// Composes a service model from registry types and stores it; returns its bundle.
#[utoipa::path(post, path = "/api/v1/service-models",
    request_body(content = ComposeRequest, content_type = "application/json"),
    security(("bearer" = [])),
    responses((status = 201, body = Bundle, description = "The stored service model's bundle: schema, mappings and UI hints",
               links(("GetServiceModel" = (operation_id = "get_service_model",
                   parameters(("id" = "$response.body#/id")),
                   description = "The stored service model")))),
              (status = 400, description = "The body is not a service-model request"),
              (status = 401, description = "No valid bearer token"),
              (status = 403, description = "The service model belongs to another publisher"),
              (status = 404, description = "A part names a type or mapping set that does not exist"),
              (status = 409, description = "The alias is already another resource's"),
              (status = 422, description = "The request is not a valid service model; the detail says which part"),
              (status = 503, description = "A type is not yet in the RDF store; try again shortly")))]
pub async fn compose_service_model(
    State(app): State<AppState>,
    who: super::auth::Who,
    body: Bytes,
) -> Result<(StatusCode, Json<Bundle>), ApiError> {
    let actor = super::auth::writing_publisher(&who)?;
    let request: ComposeRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body is not a service-model request (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    let bundle = service_models::compose(&app, request, actor, who.actor).await?;
    Ok((StatusCode::CREATED, Json(bundle)))
}

/// A stored service model's bundle.
#[utoipa::path(get, path = "/api/v1/service-models/{id}",
    params(("id" = String, Path, description = "Id, alias or IRI", example = "demo-soknad")),
    responses((status = 200, body = Bundle, description = "The service model's bundle"),
              (status = 404, description = "No service model with that id, alias or IRI")))]
pub async fn get_service_model(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Bundle>, ApiError> {
    Ok(Json(service_models::load(&app, &id).await?))
}

/// The answer to "which service models use this type?".
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsedByResponse {
    /// The type's id.
    pub id: String,
    /// The type's IRI.
    pub iri: String,
    /// The service models using it.
    pub used_by: Vec<UsedBy>,
}

/// The service models that use a type (as a part, or through another type).
#[utoipa::path(get, path = "/api/v1/types/{id}/used-by",
    params(("id" = String, Path, description = "Id, alias or IRI of the type", example = "demo-person")),
    responses((status = 200, body = UsedByResponse, description = "The service models that use the type"),
              (status = 404, description = "No type with that id, alias or IRI")))]
pub async fn get_type_used_by(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<UsedByResponse>, ApiError> {
    let key = if id.contains(':') {
        crate::ids::resource_id_for_iri(&id)
    } else {
        id.clone()
    };
    let row = super::resources::load_resource(&app, &headers, &key).await?;
    if row.kind != crate::types::TYPE_KIND {
        return Err(ApiError::not_found(format!(
            "resource {id:?} is a {}, not a type",
            row.kind
        )));
    }
    let used_by = service_models::used_by(&app, &row.iri).await?;
    Ok(Json(UsedByResponse {
        id: row.id,
        iri: row.iri,
        used_by,
    }))
}
