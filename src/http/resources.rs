//! Read API over resources: list, one resource (JSON or RDF), its versions.

use super::extract::{ApiPath, ApiQuery};
use super::params::{Bounded, Kind, Offset, Status, VersionNumber};
use super::problem::ApiError;
use crate::app::AppState;
use crate::federation::Origin;
use crate::ids::OrgNr;
use crate::rdf::{negotiate, serialize_ntriples, Representation};
use crate::store::{self, resource, ResourceFilter};
use axum::extract::State;
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
    /// concept, collection, code-list, type, model (also correspondence, catalog, vocabulary,
    /// mapping, service-model, other).
    #[param(value_type = Option<Kind>)]
    pub kind: Option<Kind>,
    /// Publisher org number.
    #[param(value_type = Option<String>, pattern = "^[0-9]{9}$")]
    pub publisher: Option<OrgNr>,
    /// Status: draft, valid, deprecated, superseded, retired (default: every status).
    #[param(value_type = Option<Status>)]
    pub status: Option<Status>,
    /// Exact IRI.
    pub iri: Option<String>,
    /// Only resources owned by this instance (its id, as `GET /api/v1/instance` gives it):
    /// this instance's own id lists its own resources, a peer's id the copies it owns.
    #[param(max_length = 64)] // crate::http::search::MAX_ORIGIN_CHARS
    pub origin: Option<String>,
    /// Page size (default 50, at most 1000; 0 gives only the total).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000)]
    pub limit: Option<Bounded<0, 1000>>,
    /// Page start (default 0).
    #[param(value_type = Option<u64>, minimum = 0, maximum = 1000000000)]
    pub offset: Option<Offset>,
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
    /// Who owns it: this instance, or the instance a read-only copy is mirrored from.
    pub origin: Origin,
}

impl ResourceSummary {
    /// The summary of a row; `own` and `own_url` are this instance's id and base URL.
    pub fn of(r: resource::Model, own: &str, own_url: Option<String>) -> Self {
        let origin = Origin::of(&r, own, own_url);
        Self {
            id: r.id,
            iri: r.iri,
            kind: r.kind,
            label: r.label,
            publisher: r.publisher,
            status: r.status,
            version: r.current_version,
            origin,
        }
    }
}

/// This instance's base URL: the configured public URL, or as the request reached it.
fn own_url(app: &AppState, headers: &HeaderMap) -> Option<String> {
    app.config
        .public_url
        .clone()
        .or_else(|| super::types::public_base_url(headers))
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
    /// Who owns it: this instance, or the instance a read-only copy is mirrored from (then
    /// with the origin's IRI, version, hash and when it was fetched).
    pub origin: Origin,
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

/// Lists resources with filters and paging.
#[utoipa::path(get, path = "/api/v1/resources", params(ListResourcesQuery),
    responses((status = 200, body = ListResourcesResponse, description = "A page of resources, ordered by IRI",
               links(("GetListedResource" = (operation_id = "get_resource",
                   parameters(("id" = "$response.body#/items/0/id")),
                   description = "The first resource of the page"))))))]
pub async fn list_resources(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<ListResourcesQuery>,
    headers: HeaderMap,
) -> Result<Json<ListResourcesResponse>, ApiError> {
    super::search::check_origin(query.origin.as_deref())?;
    let own = own_url(&app, &headers);
    let limit = query.limit.map_or(50, Bounded::get);
    let viewer = crate::request::viewer(&app, &headers).await?;
    let filter = ResourceFilter {
        kind: query.kind.map(|k| k.as_str().to_owned()),
        publisher: query.publisher.map(String::from),
        status: query.status.map(|s| s.as_str().to_owned()),
        iri: query.iri,
        origin: query.origin.filter(|o| !o.is_empty()),
        drafts_of: viewer.map(|v| v.as_str().to_owned()),
    };
    let offset = query.offset.map_or(0, Offset::get);
    let (total, rows) = store::list_resources(&app.db, &filter, limit, offset).await?;
    Ok(Json(ListResourcesResponse {
        total,
        items: rows
            .into_iter()
            .map(|r| ResourceSummary::of(r, &app.instance.id, own.clone()))
            .collect(),
    }))
}

/// Loads a resource by id or alias, or answers 404 — also for a draft, unless the request's
/// token is its publisher's.
pub async fn load_resource(
    app: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<resource::Model, ApiError> {
    let missing = || ApiError::not_found(format!("no resource with id or alias {id:?}"));
    let row = store::find_resource(&app.db, id)
        .await?
        .ok_or_else(missing)?;
    if row.status == crate::registry::DRAFT {
        let viewer = crate::request::viewer(app, headers).await?;
        if crate::request::hidden_from(&row.status, row.publisher.as_deref(), viewer.as_ref()) {
            return Err(missing());
        }
    }
    Ok(row)
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
    params(("id" = String, Path, description = "Resource id or alias", example = "ssb-klass-131")),
    responses((status = 200, description = "The resource: JSON, or its RDF graph by `Accept`", content(
                  (ResourceResponse = "application/json"), (String = "text/turtle"),
                  (serde_json::Value = "application/ld+json"), (String = "application/rdf+xml"),
                  (String = "application/n-triples"))),
              (status = 404, description = "No resource with that id or alias"),
              (status = 406, description = "None of the accepted media types is offered")))]
pub async fn get_resource(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let representation = accept(&headers)?;
    let row = load_resource(&app, &headers, &id).await?;
    let draft = row.status == crate::registry::DRAFT;
    if representation == Representation::Json {
        let labels: BTreeMap<String, String> =
            serde_json::from_str(&row.labels).unwrap_or_default();
        let origin = Origin::of(&row, &app.instance.id, own_url(&app, &headers));
        let mut response = Json(ResourceResponse {
            origin,
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
        if draft {
            crate::request::mark_private(response.headers_mut());
        }
        return Ok(response);
    }
    let version = store::get_version(&app.db, &row.id, row.current_version)
        .await?
        .ok_or_else(|| ApiError::internal(&format!("version missing for {}", row.id)))?;
    let mut response = rdf_response(&version.ntriples, representation, &version.content_hash)?;
    if draft {
        crate::request::mark_private(response.headers_mut());
    }
    Ok(response)
}

/// The versions of a resource, newest first.
#[utoipa::path(get, path = "/api/v1/resources/{id}/versions",
    params(("id" = String, Path, description = "Resource id or alias", example = "ssb-klass-131")),
    responses((status = 200, body = VersionsResponse, description = "The versions, newest first"),
              (status = 404, description = "No resource with that id or alias")))]
pub async fn list_versions(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<VersionsResponse>, ApiError> {
    let row = load_resource(&app, &headers, &id).await?;
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
    params(("id" = String, Path, description = "Resource id or alias", example = "ssb-klass-131"),
           ("version" = i32, Path, minimum = 1, description = "Version number", example = 1)),
    responses((status = 200, description = "The version's metadata as JSON, or its graph by `Accept` (cacheable forever)", content(
                  (VersionSummary = "application/json"), (String = "text/turtle"),
                  (serde_json::Value = "application/ld+json"), (String = "application/rdf+xml"),
                  (String = "application/n-triples"))),
              (status = 404, description = "No such resource or version"),
              (status = 406, description = "None of the accepted media types is offered")))]
pub async fn get_version(
    State(app): State<AppState>,
    ApiPath((id, number)): ApiPath<(String, VersionNumber)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let number = i32::try_from(number.get()).unwrap_or(i32::MAX);
    let representation = accept(&headers)?;
    let row = load_resource(&app, &headers, &id).await?;
    let draft = row.status == crate::registry::DRAFT;
    let version = store::get_version(&app.db, &row.id, number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("resource {id} has no version {number}")))?;
    if representation == Representation::Json {
        let mut response = Json(VersionSummary {
            version: version.version,
            content_hash: version.content_hash,
            triples: version.triple_count,
            created_at: version.created_at.to_rfc3339(),
        })
        .into_response();
        if draft {
            crate::request::mark_private(response.headers_mut());
        }
        return Ok(response);
    }
    let mut response = rdf_response(&version.ntriples, representation, &version.content_hash)?;
    if draft {
        crate::request::mark_private(response.headers_mut());
    } else {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    Ok(response)
}
