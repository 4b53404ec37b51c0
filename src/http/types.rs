//! Exports of types and information models: JSON Schema, XSD, C#, TypeScript.

use super::extract::{ApiPath, ApiQuery};
use super::params::{language_tag, Bounded};
use super::problem::ApiError;
use crate::app::AppState;
use crate::types::{self, ExportOptions, MODEL_KIND, TYPE_KIND};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// Parameters of every export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ExportQuery {
    /// Bundle referenced registry types into the output (default true), or refer to them by
    /// their registry URL.
    pub bundle: Option<bool>,
    /// Language of titles and descriptions (default nb; falls back nb → no → nn → en → any).
    #[param(pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    pub lang: Option<String>,
    /// Code lists with at most this many codes become an inline `enum` (default 100).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000000)]
    pub enum_threshold: Option<Bounded<0, 1_000_000>>,
}

/// The output formats.
#[derive(Debug, Clone, Copy)]
enum Format {
    JsonSchema,
    Xsd,
    CSharp,
    TypeScript,
}

pub use crate::request::public_base_url;

fn options(query: ExportQuery, headers: &HeaderMap) -> Result<ExportOptions, ApiError> {
    let lang = query.lang.unwrap_or_else(|| "nb".to_owned());
    language_tag("lang", &lang).map_err(ApiError::bad_request)?;
    Ok(ExportOptions {
        bundle: query.bundle.unwrap_or(true),
        lang,
        enum_threshold: query
            .enum_threshold
            .map_or(types::DEFAULT_ENUM_THRESHOLD, Bounded::as_usize),
        base_url: public_base_url(headers),
    })
}

async fn export(
    app: &AppState,
    kind: &'static str,
    id: &str,
    format: Format,
    query: ExportQuery,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let options = options(query, headers)?;
    let loaded = types::load_kind(app, kind, id, &options.lang).await?;
    let (media_type, body) = match format {
        Format::JsonSchema => (
            "application/schema+json",
            serde_json::to_vec_pretty(&types::json_schema::write(&loaded, &options))
                .map_err(|e| ApiError::internal(&e))?,
        ),
        Format::Xsd => (
            "application/xml; charset=utf-8",
            types::xsd::write(&loaded.model, &options).into_bytes(),
        ),
        Format::CSharp => (
            "text/plain; charset=utf-8",
            types::csharp::write(&loaded.model, &options).into_bytes(),
        ),
        Format::TypeScript => (
            "text/plain; charset=utf-8",
            types::typescript::write(&loaded.model, &options).into_bytes(),
        ),
    };
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    Ok(response)
}

/// A type as JSON Schema (draft 2020-12).
#[utoipa::path(get, path = "/api/v1/types/{id}/json-schema", params(("id" = String, Path, description = "Type id or alias", example = "demo-person"), ExportQuery),
    responses((status = 200, description = "JSON Schema", content_type = "application/schema+json"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_type_json_schema(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, TYPE_KIND, &id, Format::JsonSchema, query, &headers).await
}

/// An information model as JSON Schema (draft 2020-12).
#[utoipa::path(get, path = "/api/v1/models/{id}/json-schema", params(("id" = String, Path, description = "Model id or alias", example = "1f0d853e-0a3c-3717-8d05-84a3adc21e78"), ExportQuery),
    responses((status = 200, description = "JSON Schema", content_type = "application/schema+json"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_model_json_schema(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, MODEL_KIND, &id, Format::JsonSchema, query, &headers).await
}

/// A type as XSD (one file, no imports, no unions).
#[utoipa::path(get, path = "/api/v1/types/{id}/xsd", params(("id" = String, Path, description = "Type id or alias", example = "demo-person"), ExportQuery),
    responses((status = 200, description = "XSD (one file, no imports, no unions)", content_type = "application/xml"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_type_xsd(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, TYPE_KIND, &id, Format::Xsd, query, &headers).await
}

/// A type as C# classes as Altinn apps use.
#[utoipa::path(get, path = "/api/v1/types/{id}/csharp", params(("id" = String, Path, description = "Type id or alias", example = "demo-person"), ExportQuery),
    responses((status = 200, description = "C# classes as Altinn apps use", content_type = "text/plain"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_type_csharp(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, TYPE_KIND, &id, Format::CSharp, query, &headers).await
}

/// A type as TypeScript types.
#[utoipa::path(get, path = "/api/v1/types/{id}/typescript", params(("id" = String, Path, description = "Type id or alias", example = "demo-person"), ExportQuery),
    responses((status = 200, description = "TypeScript types", content_type = "text/plain"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_type_typescript(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, TYPE_KIND, &id, Format::TypeScript, query, &headers).await
}

/// An information model as XSD (one file, no imports, no unions).
#[utoipa::path(get, path = "/api/v1/models/{id}/xsd", params(("id" = String, Path, description = "Model id or alias", example = "1f0d853e-0a3c-3717-8d05-84a3adc21e78"), ExportQuery),
    responses((status = 200, description = "XSD (one file, no imports, no unions)", content_type = "application/xml"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_model_xsd(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, MODEL_KIND, &id, Format::Xsd, query, &headers).await
}

/// An information model as C# classes as Altinn apps use.
#[utoipa::path(get, path = "/api/v1/models/{id}/csharp", params(("id" = String, Path, description = "Model id or alias", example = "1f0d853e-0a3c-3717-8d05-84a3adc21e78"), ExportQuery),
    responses((status = 200, description = "C# classes as Altinn apps use", content_type = "text/plain"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_model_csharp(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, MODEL_KIND, &id, Format::CSharp, query, &headers).await
}

/// An information model as TypeScript types.
#[utoipa::path(get, path = "/api/v1/models/{id}/typescript", params(("id" = String, Path, description = "Model id or alias", example = "1f0d853e-0a3c-3717-8d05-84a3adc21e78"), ExportQuery),
    responses((status = 200, description = "TypeScript types", content_type = "text/plain"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_model_typescript(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(&app, MODEL_KIND, &id, Format::TypeScript, query, &headers).await
}

/// A code list as JSON Schema: an `enum` of its codes (the target of `$ref`s to long code lists
/// in unbundled exports).
#[utoipa::path(get, path = "/api/v1/code-lists/{id}/json-schema", params(("id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"), ExportQuery),
    responses((status = 200, description = "JSON Schema", content_type = "application/schema+json"),
              (status = 404, description = "No such resource, or not of this kind"),
              (status = 422, description = "Too large to export"),
              (status = 503, description = "Not yet in the RDF store; try again shortly")))]
pub async fn get_code_list_json_schema(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let options = options(query, &headers)?;
    let schema = types::code_list_json_schema(&app, &id, &options).await?;
    let body = serde_json::to_vec_pretty(&schema).map_err(|e| ApiError::internal(&e))?;
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/schema+json"),
    );
    Ok(response)
}
