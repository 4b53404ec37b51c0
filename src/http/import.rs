//! `POST /api/v1/import`: a publisher pushes one file; it is stored as one atomic batch.

use super::problem::ApiError;
use crate::app::AppState;
use crate::ids::OrgNr;
use crate::registry::{tokens, Actor, ImportReport, ImportRequest, RegistryError};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use semreg_importers::Format;
use serde::Deserialize;
use utoipa::IntoParams;

/// Parameters of `POST /api/v1/import`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// auto (default: from Content-Type and content), turtle, rdfxml, jsonld, ntriples, nquads.
    pub format: Option<String>,
    /// The publisher (must be the token's own; default: the token's).
    pub publisher: Option<String>,
    /// A file name, for the report and format detection.
    pub filename: Option<String>,
    /// Any other parameter is passed to the importer (e.g. CSV `code=alpha-2`).
    #[serde(flatten)]
    #[param(ignore)]
    pub importer_params: std::collections::BTreeMap<String, String>,
}

/// The publisher behind the request's bearer token, or 401.
pub async fn authenticate(app: &AppState, headers: &HeaderMap) -> Result<OrgNr, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("this request needs `Authorization: Bearer TOKEN`")
        })?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer TOKEN`"))?
        .trim();
    tokens::authenticate(&app.db, token)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown or revoked token"))
}

/// The optional `publisher` query parameter, parsed (400 naming the problem if it is no org number).
pub fn publisher_param(publisher: Option<&str>) -> Result<Option<OrgNr>, ApiError> {
    publisher
        .map(|p| OrgNr::parse(p).map_err(|e| ApiError::bad_request(e.to_string())))
        .transpose()
}

/// Imports the request body as one file of the publisher's.
#[utoipa::path(post, path = "/api/v1/import", params(ImportQuery),
    request_body(content = String, description = "The file, as bytes"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport),
              (status = 400, body = super::problem::Problem),
              (status = 401, body = super::problem::Problem),
              (status = 403, body = super::problem::Problem),
              (status = 413, body = super::problem::Problem),
              (status = 422, body = super::problem::Problem)))]
pub async fn import_file(
    State(app): State<AppState>,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let actor = authenticate(&app, &headers).await?;
    let publisher = publisher_param(query.publisher.as_deref())?;
    let format = match query.format.as_deref() {
        None | Some("auto") => headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_media_type),
        Some(name) => Some(
            Format::parse(name)
                .ok_or_else(|| ApiError::from(RegistryError::UnknownFormat(name.to_owned())))?,
        ),
    };
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the request body is empty: send the file as the body",
        ));
    }
    let report = app
        .import(ImportRequest {
            file_name: query.filename,
            format,
            bytes: body.to_vec(),
            publisher,
            actor: Actor::Publisher(actor),
            params: query.importer_params,
        })
        .await?;
    Ok(Json(report))
}
