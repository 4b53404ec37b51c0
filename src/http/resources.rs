//! Read API over resources: list, one resource (JSON or RDF), its versions.

use super::problem::ApiError;
use crate::app::AppState;
use crate::rdf::{negotiate, serialize_ntriples, Representation};
use crate::store::{self, resource, ResourceFilter};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Filters and paging of `GET /api/v1/resources`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListResourcesQuery {
    /// concept, collection, code-list, type, model (also catalog, vocabulary, other).
    pub kind: Option<String>,
    /// Publisher org number.
    pub publisher: Option<String>,
    /// Status: draft, valid, deprecated, superseded, retired.
    pub status: Option<String>,
    /// Exact IRI.
    pub iri: Option<String>,
    /// Page size (default 50, at most 1000).
    pub limit: Option<u64>,
    /// Page start (default 0).
    pub offset: Option<u64>,
}

/// A resource in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceSummary {
    /// Id (FDK fdkId-compatible UUID).
    pub id: String,
    /// IRI.
    pub iri: String,
    /// Kind.
    pub kind: String,
    /// Preferred label.
    pub label: String,
    /// Publisher org number.
    pub publisher: Option<String>,
    /// Status.
    pub status: String,
    /// Current version number.
    pub version: i32,
}

impl From<resource::Model> for ResourceSummary {
    fn from(r: resource::Model) -> Self {
        Self {
            id: r.id,
            iri: r.iri,
            kind: r.kind,
            label: r.label,
            publisher: r.publisher,
            status: r.status,
            version: r.current_version,
        }
    }
}

/// A page of resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResourcesResponse {
    /// Matching resources before paging.
    pub total: u64,
    /// The page.
    pub items: Vec<ResourceSummary>,
}

/// One resource, as JSON.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceResponse {
    /// Id.
    pub id: String,
    /// IRI.
    pub iri: String,
    /// Kind.
    pub kind: String,
    /// Preferred label.
    pub label: String,
    /// Preferred label per language.
    pub labels: BTreeMap<String, String>,
    /// Publisher org number.
    pub publisher: Option<String>,
    /// Status.
    pub status: String,
    /// Readable alias.
    pub alias: Option<String>,
    /// Current version number.
    pub version: i32,
    /// SHA-256 of the current version's canonical N-Triples.
    pub content_hash: String,
    /// First stored (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// One version in a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionSummary {
    /// Version number.
    pub version: i32,
    /// SHA-256 of its canonical N-Triples.
    pub content_hash: String,
    /// Number of triples.
    pub triples: i32,
    /// When it was stored (RFC 3339).
    pub created_at: String,
}

/// The versions of a resource, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionsResponse {
    /// Resource id.
    pub id: String,
    /// Versions, newest first.
    pub versions: Vec<VersionSummary>,
}

const MAX_PAGE: u64 = 1000;

/// Lists resources with filters and paging.
#[utoipa::path(get, path = "/api/v1/resources", params(ListResourcesQuery),
    responses((status = 200, body = ListResourcesResponse)))]
pub async fn list_resources(
    State(app): State<AppState>,
    Query(query): Query<ListResourcesQuery>,
) -> Result<Json<ListResourcesResponse>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if limit > MAX_PAGE {
        return Err(ApiError::bad_request(format!(
            "limit {limit} is too large: at most {MAX_PAGE}"
        )));
    }
    let filter = ResourceFilter {
        kind: query.kind,
        publisher: query.publisher,
        status: query.status,
        iri: query.iri,
    };
    let (total, rows) =
        store::list_resources(&app.db, &filter, limit, query.offset.unwrap_or(0)).await?;
    Ok(Json(ListResourcesResponse {
        total,
        items: rows.into_iter().map(ResourceSummary::from).collect(),
    }))
}

/// Loads a resource by id or alias, or answers 404.
pub async fn load_resource(app: &AppState, id: &str) -> Result<resource::Model, ApiError> {
    store::find_resource(&app.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no resource with id or alias {id:?}")))
}

fn accept(headers: &HeaderMap) -> Result<Representation, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    negotiate(accept).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "acceptable types: application/json, text/turtle, application/ld+json, application/rdf+xml, application/n-triples",
        )
    })
}

fn rdf_response(
    ntriples: &str,
    representation: Representation,
    hash: &str,
) -> Result<Response, ApiError> {
    let Representation::Rdf(format) = representation else {
        return Err(ApiError::internal(&"rdf_response called for JSON"));
    };
    let body = serialize_ntriples(ntriples, format).map_err(|e| ApiError::internal(&e))?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(representation.media_type()),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{hash}-{}\"", format.file_extension())) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// One resource: JSON by default, RDF by `Accept`.
#[utoipa::path(get, path = "/api/v1/resources/{id}",
    params(("id" = String, Path, description = "Resource id or alias")),
    responses((status = 200, body = ResourceResponse), (status = 404, body = super::problem::Problem)))]
pub async fn get_resource(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let representation = accept(&headers)?;
    let row = load_resource(&app, &id).await?;
    if representation == Representation::Json {
        let labels: BTreeMap<String, String> =
            serde_json::from_str(&row.labels).unwrap_or_default();
        let mut response = Json(ResourceResponse {
            id: row.id,
            iri: row.iri,
            kind: row.kind,
            label: row.label,
            labels,
            publisher: row.publisher,
            status: row.status,
            alias: row.alias,
            version: row.current_version,
            content_hash: row.content_hash,
            created_at: row.created_at.to_rfc3339(),
            updated_at: row.updated_at.to_rfc3339(),
        })
        .into_response();
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept"));
        return Ok(response);
    }
    let version = store::get_version(&app.db, &row.id, row.current_version)
        .await?
        .ok_or_else(|| ApiError::internal(&format!("version missing for {}", row.id)))?;
    rdf_response(&version.ntriples, representation, &version.content_hash)
}

/// The versions of a resource, newest first.
#[utoipa::path(get, path = "/api/v1/resources/{id}/versions",
    params(("id" = String, Path, description = "Resource id or alias")),
    responses((status = 200, body = VersionsResponse), (status = 404, body = super::problem::Problem)))]
pub async fn list_versions(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<VersionsResponse>, ApiError> {
    let row = load_resource(&app, &id).await?;
    let versions = store::list_versions(&app.db, &row.id)
        .await?
        .into_iter()
        .map(
            |(version, content_hash, triples, created_at)| VersionSummary {
                version,
                content_hash,
                triples,
                created_at: created_at.to_rfc3339(),
            },
        )
        .collect();
    Ok(Json(VersionsResponse {
        id: row.id,
        versions,
    }))
}

/// One version of a resource: its metadata as JSON, or its graph by `Accept`.
#[utoipa::path(get, path = "/api/v1/resources/{id}/versions/{version}",
    params(("id" = String, Path, description = "Resource id or alias"),
           ("version" = i32, Path, description = "Version number")),
    responses((status = 200, body = VersionSummary), (status = 404, body = super::problem::Problem)))]
pub async fn get_version(
    State(app): State<AppState>,
    Path((id, number)): Path<(String, i32)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let representation = accept(&headers)?;
    let row = load_resource(&app, &id).await?;
    let version = store::get_version(&app.db, &row.id, number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("resource {id} has no version {number}")))?;
    if representation == Representation::Json {
        return Ok(Json(VersionSummary {
            version: version.version,
            content_hash: version.content_hash,
            triples: version.triple_count,
            created_at: version.created_at.to_rfc3339(),
        })
        .into_response());
    }
    let mut response = rdf_response(&version.ntriples, representation, &version.content_hash)?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
