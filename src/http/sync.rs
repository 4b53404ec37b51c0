//! Catalog sync over HTTP: harvest sources and their runs, whole-catalog pushes, and the
//! DCAT-AP-NO catalogs semreg serves. The work is in [`crate::sync`].

use super::auth::{Caller, Who};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::params::{Bounded, Offset};
use super::problem::{ApiError, Problem};
use crate::app::AppState;
use crate::ids::OrgNr;
use crate::rdf::{negotiate, serialize_ntriples, Representation};
use crate::registry::Precondition;
use crate::sync;
use crate::sync::push::{PushReport, PushRequest};
use crate::sync::runs::RunReport;
use crate::sync::sources::{SourceInput, SourceView};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use oxigraph::io::RdfFormat;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Paging of the source and run lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size (default 50, at most 1000; 0 gives only the total).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000)]
    pub limit: Option<Bounded<0, 1000>>,
    /// Page start (default 0).
    #[param(value_type = Option<u64>, minimum = 0, maximum = 1000000000)]
    pub offset: Option<Offset>,
}

impl PageQuery {
    /// The page's limit and offset.
    pub fn bounds(&self) -> Result<(u64, u64), ApiError> {
        Ok((
            self.limit.map_or(50, Bounded::get),
            self.offset.map_or(0, Offset::get),
        ))
    }
}

/// A page of sources.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourcesResponse {
    /// Sources before paging.
    pub total: u64,
    /// The page, oldest first.
    pub items: Vec<SourceView>,
}

/// A page of runs.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunsResponse {
    /// Runs before paging.
    pub total: u64,
    /// The page, newest first.
    pub items: Vec<RunReport>,
}

/// Options of a run started by hand.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct StartRunQuery {
    /// Fetch and apply even if the source says it is unchanged (no conditional GET).
    pub forced: Option<bool>,
    /// Retire everything this source delivered (nothing is fetched).
    pub remove_all: Option<bool>,
}

/// The answer to a started run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunStarted {
    /// The run's id.
    pub run_id: String,
    /// Where its report is.
    pub report: String,
}

/// Registers a harvest source (FDK's data-source shape, plus `interval`, `active`, `strict`).
#[utoipa::path(post, path = "/api/v1/sources", request_body = SourceInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The source, registered", body = SourceView),
        (status = 400, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not register a source for that publisher", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A source with this url and dataType exists", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The JSON is not a data-source registration (the detail names the field)", body = Problem, content_type = "application/problem+json")))]
pub async fn add_source(
    State(app): State<AppState>,
    who: Who,
    ApiJson(input): ApiJson<SourceInput>,
) -> Result<(StatusCode, HeaderMap, Json<SourceView>), ApiError> {
    let view =
        sync::sources::add_source(&app.db, &who.principal, &who.actor, input, &app.fetcher).await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/sources/{}", view.id)) {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(view)))
}

/// Lists the sources the token may see (all for an admin, its own for a publisher).
#[utoipa::path(get, path = "/api/v1/sources", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of sources", body = SourcesResponse),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json")))]
pub async fn list_sources(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<SourcesResponse>, ApiError> {
    let (limit, offset) = page.bounds()?;
    let (total, rows) = sync::sources::list_sources(&app.db, &caller, limit, offset).await?;
    Ok(Json(SourcesResponse {
        total,
        items: rows.into_iter().map(SourceView::from).collect(),
    }))
}

/// One source.
#[utoipa::path(get, path = "/api/v1/sources/{id}", params(("id" = String, Path, description = "Source id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The source", body = SourceView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source (for this token)", body = Problem, content_type = "application/problem+json")))]
pub async fn get_source(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SourceView>, ApiError> {
    Ok(Json(
        sync::sources::get_source(&app.db, &caller, &id)
            .await?
            .into(),
    ))
}

/// Removes a source; what it harvested stays and passes to its publisher.
#[utoipa::path(delete, path = "/api/v1/sources/{id}", params(("id" = String, Path, description = "Source id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source (for this token)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A run of the source is in progress", body = Problem, content_type = "application/problem+json")))]
pub async fn remove_source(
    State(app): State<AppState>,
    who: Who,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    sync::sources::remove_source(&app.db, &who.principal, &who.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a run of a source now.
#[utoipa::path(post, path = "/api/v1/sources/{id}/runs",
    params(("id" = String, Path, description = "Source id"), StartRunQuery),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "The run started; its report is at `report`", body = RunStarted),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source (for this token)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A run of the source is in progress", body = Problem, content_type = "application/problem+json")))]
pub async fn start_run(
    State(app): State<AppState>,
    who: Who,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<StartRunQuery>,
) -> Result<(StatusCode, HeaderMap, Json<RunStarted>), ApiError> {
    let run_id = sync::harvest::start_run(
        &sync::harvest::Harvester::of(&app.0),
        Some((&who.principal, &who.actor)),
        &id,
        query.forced.unwrap_or(false),
        query.remove_all.unwrap_or(false),
        None,
    )
    .await?;
    let report = format!("/api/v1/sources/{id}/runs/{run_id}");
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&report) {
        headers.insert(header::LOCATION, location);
    }
    Ok((
        StatusCode::ACCEPTED,
        headers,
        Json(RunStarted { run_id, report }),
    ))
}

/// A source's runs, newest first.
#[utoipa::path(get, path = "/api/v1/sources/{id}/runs",
    params(("id" = String, Path, description = "Source id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of runs", body = RunsResponse),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source (for this token)", body = Problem, content_type = "application/problem+json")))]
pub async fn list_runs(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<RunsResponse>, ApiError> {
    let (limit, offset) = page.bounds()?;
    sync::sources::get_source(&app.db, &caller, &id).await?;
    let (total, rows) = sync::runs::list_runs(&app.db, &id, limit, offset).await?;
    Ok(Json(RunsResponse {
        total,
        items: rows.into_iter().map(RunReport::from).collect(),
    }))
}

/// One run's report.
#[utoipa::path(get, path = "/api/v1/sources/{id}/runs/{run_id}",
    params(("id" = String, Path, description = "Source id"), ("run_id" = String, Path, description = "Run id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The run's report", body = RunReport),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source or run", body = Problem, content_type = "application/problem+json")))]
pub async fn get_run(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiPath((id, run_id)): ApiPath<(String, String)>,
) -> Result<Json<RunReport>, ApiError> {
    sync::sources::get_source(&app.db, &caller, &id).await?;
    Ok(Json(
        sync::runs::get_run(&app.db, &id, &run_id).await?.into(),
    ))
}

/// Parameters of a push.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct PushQuery {
    /// auto (default: from Content-Type and content), turtle, rdfxml, jsonld, ntriples, ...
    pub format: Option<String>,
    /// Report the diff the write would make; write nothing.
    pub dry_run: Option<bool>,
    /// A file name, for the report and format detection.
    pub filename: Option<String>,
    /// `valid` (published, the default) or `draft`: the catalog's resources stay drafts, seen
    /// only by the publisher, until a later `valid` push publishes them.
    #[param(value_type = Option<crate::registry::WriteStatus>)]
    pub status: Option<crate::registry::WriteStatus>,
}

fn org_param(org: &str) -> Result<OrgNr, ApiError> {
    OrgNr::parse(org).map_err(|e| ApiError::bad_request(e.to_string()))
}

fn precondition(headers: &HeaderMap) -> Result<Option<Precondition>, ApiError> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(tags) = text(header::IF_MATCH) {
        let tags: Vec<String> = tags
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        return Ok(Some(Precondition::IfMatch(tags)));
    }
    match text(header::IF_NONE_MATCH) {
        Some(tag) if tag.trim() == "*" => Ok(Some(Precondition::IfNoneMatchAny)),
        Some(_) => Err(ApiError::bad_request(
            "If-None-Match on a push must be `*` (create only); use If-Match with the catalog's ETag",
        )),
        None => Ok(None),
    }
}

async fn push(
    app: AppState,
    who: Who,
    org: String,
    query: PushQuery,
    headers: HeaderMap,
    body: Bytes,
    replace: bool,
) -> Result<Response, ApiError> {
    let publisher = org_param(&org)?;
    let format = super::import::body_format(query.format.as_deref(), &headers)?;
    let precondition = precondition(&headers)?;
    let report = sync::push::push(
        &app,
        PushRequest {
            publisher,
            caller: who.principal,
            format,
            file_name: query.filename,
            bytes: body.to_vec(),
            params: Default::default(),
            replace,
            dry_run: query.dry_run.unwrap_or(false),
            precondition,
            status: query.status.unwrap_or_default(),
            actor: who.actor,
        },
    )
    .await?;
    let mut response = Json(&report).into_response();
    if let Some(etag) = report
        .report
        .catalog_etag
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Replaces a publisher's whole catalog: what is not in the body retires (except resources of
/// its harvest sources). `?dryRun=true` reports the diff and writes nothing.
#[utoipa::path(put, path = "/api/v1/publishers/{org}/catalog",
    params(("org" = String, Path, description = "The publisher's organisation number", pattern = "^[0-9]{9}$"), PushQuery,
        ("If-Match" = Option<String>, Header, description = "Write only if the catalog's ETag is this one"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: write only if the publisher has no catalog yet")),
    request_body(description = "The whole catalog (Turtle, RDF/XML, JSON-LD, N-Triples, ...)",
        content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the push did (or would do)", body = PushReport,
            headers(("ETag" = String, description = "The catalog's ETag after the write"))),
        (status = 400, description = "A parameter or the body is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The body touches another publisher's resource, or the token is not this publisher's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An alias in the body is taken, or `status=draft` names a published resource", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The catalog's ETag is not the one asked for", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body cannot be read as its format", body = Problem, content_type = "application/problem+json")))]
pub async fn put_catalog(
    State(app): State<AppState>,
    who: Who,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<PushQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    push(app, who, org, query, headers, body, true).await
}

/// Merges into a publisher's catalog: creates and updates, retires nothing.
#[utoipa::path(post, path = "/api/v1/publishers/{org}/catalog",
    params(("org" = String, Path, description = "The publisher's organisation number", pattern = "^[0-9]{9}$"), PushQuery,
        ("If-Match" = Option<String>, Header, description = "Write only if the catalog's ETag is this one"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: write only if the publisher has no catalog yet")),
    request_body(description = "Resources to create or update",
        content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the push did (or would do)", body = PushReport,
            headers(("ETag" = String, description = "The catalog's ETag after the write"))),
        (status = 400, description = "A parameter or the body is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The body touches another publisher's resource, or the token is not this publisher's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An alias in the body is taken, or `status=draft` names a published resource", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The catalog's ETag is not the one asked for", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body cannot be read as its format", body = Problem, content_type = "application/problem+json")))]
pub async fn post_catalog(
    State(app): State<AppState>,
    who: Who,
    ApiPath(org): ApiPath<String>,
    ApiQuery(query): ApiQuery<PushQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    push(app, who, org, query, headers, body, false).await
}

fn base_url(app: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &app.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

async fn answer_catalog(
    app: AppState,
    headers: HeaderMap,
    only: Option<OrgNr>,
) -> Result<Response, ApiError> {
    let format = match negotiate(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())) {
        Some(Representation::Rdf(format)) => format,
        Some(Representation::Json) => RdfFormat::Turtle,
        None => {
            return Err(ApiError::new(
                StatusCode::NOT_ACCEPTABLE,
                "the catalog is served as text/turtle, application/rdf+xml, application/ld+json or application/n-triples",
            ))
        }
    };
    let etag = match &only {
        Some(org) => {
            let revision = crate::store::publisher::Entity::find_by_id(org.as_str().to_owned())
                .one(&app.db)
                .await
                .map_err(crate::store::StoreError::from)?
                .map_or(0, |p| p.revision);
            crate::registry::catalog_etag(org.as_str(), revision)
        }
        None => format!("\"seq-{}\"", crate::store::last_seq(&app.db).await?),
    };
    let vary = HeaderValue::from_static("Accept");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
        });
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::internal(&e))?;
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::VARY, vary)],
        )
            .into_response());
    }
    let base = base_url(&app, &headers);
    let document = sync::catalog::build(&app.db, &base, only.as_ref()).await?;
    let body = tokio::task::spawn_blocking(move || serialize_ntriples(&document.ntriples, format))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            ),
            (header::ETAG, etag_value),
            (header::VARY, vary),
        ],
        body,
    )
        .into_response())
}

use sea_orm::EntityTrait;

/// The DCAT-AP-NO catalog of everything semreg holds (for FDK or another semreg to harvest).
#[utoipa::path(get, path = "/api/v1/catalog",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the copy held")),
    responses(
        (status = 200, description = "The catalog", content(
            (String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples")),
            headers(("ETag" = String, description = "Changes with every write"))),
        (status = 304, description = "The copy held is current"),
        (status = 406, description = "No RDF syntax the client accepts", body = Problem, content_type = "application/problem+json")))]
pub async fn get_catalog(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    answer_catalog(app, headers, None).await
}

/// The DCAT-AP-NO catalog of one publisher (what it pushed, imported and had harvested).
#[utoipa::path(get, path = "/api/v1/publishers/{org}/catalog",
    params(("org" = String, Path, description = "The publisher's organisation number", pattern = "^[0-9]{9}$"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy held")),
    responses(
        (status = 200, description = "The catalog", content(
            (String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples")),
            headers(("ETag" = String, description = "The catalog's ETag, for If-Match on a push"))),
        (status = 304, description = "The copy held is current"),
        (status = 400, description = "The org number is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "No RDF syntax the client accepts", body = Problem, content_type = "application/problem+json")))]
pub async fn get_publisher_catalog(
    State(app): State<AppState>,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let org = org_param(&org)?;
    answer_catalog(app, headers, Some(org)).await
}

/// The SHACL quality report of a publisher's active resources against the official shapes
/// (per shape, path, constraint and severity, with counts, example focus nodes and the shapes'
/// own messages); made once per catalog ETag.
#[utoipa::path(get, path = "/api/v1/publishers/{org}/quality",
    params(("org" = String, Path, description = "The publisher's organisation number", pattern = "^[0-9]{9}$")),
    responses(
        (status = 200, description = "The quality report", body = crate::quality::QualityReport),
        (status = 400, description = "The org number is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No SHACL shapes are configured on this instance", body = Problem, content_type = "application/problem+json")))]
pub async fn get_quality(
    State(app): State<AppState>,
    ApiPath(org): ApiPath<String>,
) -> Result<Response, ApiError> {
    let org = org_param(&org)?;
    let report = sync::catalog::quality(&app, &org).await?;
    Ok(Json(&*report).into_response())
}
