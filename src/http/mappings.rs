//! Mapping sets: `POST /api/v1/mappings` (SSSOM TSV or JSON, bearer token of the publisher),
//! `GET /api/v1/mappings/{id}` (SSSOM JSON or TSV), `POST /api/v1/mappings/{id}/apply`.

use super::extract::{ApiPath, ApiQuery};
use super::problem::{ApiError, PROBLEM_JSON};
use crate::app::AppState;
use crate::ids::OrgNr;
use crate::mappings::apply::Issue;
use crate::mappings::run::ApplyError;
use crate::mappings::sssom::{self, SssomFormat};
use crate::mappings::stored;
use crate::registry::{Actor, ImportReport, WarningReport};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// Parameters of `POST /api/v1/mappings`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportMappingsQuery {
    /// `tsv` or `json` (default: from Content-Type, else the content).
    #[param(value_type = Option<SssomFormatName>)]
    pub format: Option<SssomFormatName>,
    /// The publisher (must be the token's own; default: the token's).
    #[param(value_type = Option<String>, pattern = "^[0-9]{9}$")]
    pub publisher: Option<OrgNr>,
    /// A readable alias for the set.
    pub alias: Option<String>,
}

/// Parameters of `GET /api/v1/mappings/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetMappingsQuery {
    /// `json` (SSSOM/JSON, default) or `tsv` (SSSOM/TSV); overrides `Accept`.
    #[param(value_type = Option<SssomFormatName>)]
    pub format: Option<SssomFormatName>,
}

/// The two SSSOM serializations, as a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SssomFormatName {
    /// SSSOM/TSV.
    Tsv,
    /// SSSOM/JSON.
    Json,
}

impl From<SssomFormatName> for SssomFormat {
    fn from(name: SssomFormatName) -> Self {
        match name {
            SssomFormatName::Tsv => SssomFormat::Tsv,
            SssomFormatName::Json => SssomFormat::Json,
        }
    }
}

fn format_of(
    query: Option<SssomFormatName>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<SssomFormat, ApiError> {
    if let Some(name) = query {
        return Ok(name.into());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.contains("json") {
        return Ok(SssomFormat::Json);
    }
    if content_type.contains("tab-separated") {
        return Ok(SssomFormat::Tsv);
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    Ok(if first == Some(&b'{') {
        SssomFormat::Json
    } else {
        SssomFormat::Tsv
    })
}

/// Imports an SSSOM mapping set (TSV or JSON) as one resource of kind `mapping`.
#[utoipa::path(post, path = "/api/v1/mappings", params(ImportMappingsQuery),
    request_body(description = "An SSSOM mapping set", content(
        (String = "text/tab-separated-values"), (Object = "application/json"), (String = "text/plain"))),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport, description = "The import report of the mapping set's resource",
               links(("GetMappingSet" = (operation_id = "get_mappings",
                   parameters(("id" = "$response.body#/resources/0/id")),
                   description = "The stored mapping set")),
                   ("ApplyMappingSet" = (operation_id = "apply_mappings",
                   parameters(("id" = "$response.body#/resources/0/id")),
                   description = "Apply it to a source document")))),
              (status = 400, description = "A parameter is wrong or the body is empty"),
              (status = 401, description = "No valid bearer token"),
              (status = 403, description = "The set belongs to another publisher, or the token is not the publisher's"),
              (status = 409, description = "The alias is already another resource's"),
              (status = 422, description = "The body is not a valid SSSOM mapping set; the detail says where")))]
pub async fn import_mappings(
    State(app): State<AppState>,
    who: super::auth::Who,
    ApiQuery(query): ApiQuery<ImportMappingsQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let actor = super::auth::writing_publisher(&who)?;
    let publisher = query.publisher;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the request body is empty: send the SSSOM file as the body",
        ));
    }
    let format = format_of(query.format, &headers, &body)?;
    let mut read = sssom::read(format, &body)?;
    read.set.alias = query.alias.clone();
    let mut report = stored::save(
        &app,
        &read.set,
        Actor::Publisher(actor),
        publisher,
        who.actor,
    )
    .await?;
    report.format = match format {
        SssomFormat::Tsv => "sssom-tsv".to_owned(),
        SssomFormat::Json => "sssom-json".to_owned(),
    };
    report
        .warnings
        .extend(read.warnings.into_iter().map(|message| WarningReport {
            location: Some(read.set.iri.clone()),
            message,
        }));
    Ok(Json(report))
}

/// A mapping set as SSSOM/JSON (default) or SSSOM/TSV.
#[utoipa::path(get, path = "/api/v1/mappings/{id}", params(("id" = String, Path, description = "Id, alias or IRI of the mapping set", example = "folkeregisteret-person"), GetMappingsQuery),
    responses((status = 200, description = "The mapping set as SSSOM/JSON or SSSOM/TSV", content(
                  (Object = "application/json"), (String = "text/tab-separated-values"))),
              (status = 404, description = "No mapping set with that id, alias or IRI"),
              (status = 406, description = "Neither SSSOM/JSON nor SSSOM/TSV is acceptable")))]
pub async fn get_mappings(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<GetMappingsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = match query.format {
        Some(name) => name.into(),
        None => {
            let accept = headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("*/*");
            if accept.contains("text/tab-separated-values") {
                SssomFormat::Tsv
            } else if accept.contains("json") || accept.contains("*/*") {
                SssomFormat::Json
            } else {
                return Err(ApiError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    "acceptable types: application/json (SSSOM/JSON), text/tab-separated-values (SSSOM/TSV); the RDF is at /api/v1/resources/{id}",
                ));
            }
        }
    };
    let (row, set) = stored::load(&app, &id).await?;
    let body = match format {
        SssomFormat::Tsv => sssom::write_tsv(&set).into_bytes(),
        SssomFormat::Json => serde_json::to_vec_pretty(&sssom::write_json(&set))
            .map_err(|e| ApiError::internal(&e))?,
    };
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if let Ok(etag) = HeaderValue::from_str(&format!(
        "\"{}-{}\"",
        row.content_hash,
        if format == SssomFormat::Tsv {
            "tsv"
        } else {
            "json"
        }
    )) {
        h.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// A problem body with the failing paths.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplyProblem {
    /// `about:blank`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// 422.
    pub status: u16,
    /// What went wrong.
    pub detail: String,
    /// Each failing path and why (absent when the set has no service model to validate against).
    #[schema(required = false)]
    pub errors: Vec<Issue>,
}

/// The 422 problem of a document that does not validate, `errors` naming each failing path.
pub fn invalid_document(detail: String, issues: Vec<Issue>) -> Response {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let problem = ApplyProblem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors: issues,
    };
    let mut response = (status, serde_json::to_vec(&problem).unwrap_or_default()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

fn apply_error(error: ApplyError) -> Response {
    match error {
        ApplyError::Invalid(issues) => {
            invalid_document(ApplyError::Invalid(issues.clone()).to_string(), issues)
        }
        ApplyError::NoSchema(message) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message).into_response()
        }
        ApplyError::Mapping(e) => ApiError::from(e).into_response(),
        ApplyError::Schema(message) => ApiError::internal(&message).into_response(),
    }
}

/// Applies a mapping set to a source document: the target (service-model) document,
/// validated against its JSON Schema; 422 with `errors: [{path, source?, message}]` if not.
#[utoipa::path(post, path = "/api/v1/mappings/{id}/apply",
    params(("id" = String, Path, description = "Id, alias or IRI of the mapping set", example = "folkeregisteret-person")),
    request_body(content = Object, description = "The source document (JSON)", content_type = "application/json"),
    responses((status = 200, description = "The target document", body = Object),
              (status = 400, description = "The body is not JSON"),
              (status = 404, description = "No mapping set with that id, alias or IRI"),
              (status = 422, body = ApplyProblem, description = "The target document does not validate, or a value cannot be mapped: `errors` names each path")))]
pub async fn apply_mappings(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: Bytes,
) -> Response {
    let source: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            return ApiError::bad_request(format!(
                "the body is not JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ))
            .into_response()
        }
    };
    match crate::mappings::run::apply_stored(&app, &id, &source).await {
        Ok(document) => Json(document).into_response(),
        Err(error) => apply_error(error),
    }
}
