//! One HTTP error type, mapped by meaning to `application/problem+json` (RFC 9457), and where
//! an error body goes (problem JSON, an HTML page, a FHIR outcome). Shared by the API
//! ([`crate::http`]) and the web pages ([`crate::web`]), so neither depends on the other for it.

mod domain;

use crate::projections::ProjectionError;
use crate::registry::RegistryError;
use crate::store::StoreError;
use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use serde::Serialize;

/// The media type of error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a refused credential: the check that failed (e.g. `exp`, `signature`, `scope`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: Option<String>,
    check: Option<&'static str>,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An error with a status and a detail for the client.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: Some(detail.into()),
            check: None,
            headers: Vec::new(),
        }
    }

    /// 401 for a refused credential, naming the check that failed in the problem's `check`
    /// member and in `WWW-Authenticate` (RFC 6750's `invalid_token`).
    pub fn invalid_token(check: &'static str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let challenge = format!(
            "Bearer error=\"invalid_token\", error_description=\"{check}: {}\"",
            detail.replace(['"', '\\'], "'")
        );
        let mut error = Self::new(StatusCode::UNAUTHORIZED, detail);
        error.check = Some(check);
        // A detail quoting the token's own text may not fit a header; the code alone does.
        let value = HeaderValue::from_str(&challenge)
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer error=\"invalid_token\""));
        error.headers.push((header::WWW_AUTHENTICATE, value));
        error
    }

    /// Adds a response header (e.g. `Retry-After`).
    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 400 Bad Request.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 404 Not Found.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 403 Forbidden.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// 409 Conflict.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 401 Unauthorized.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// 500, with the cause logged here once and not shown to the client.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            detail: None,
            check: None,
            headers: Vec::new(),
        }
    }

    /// 503, with the cause logged here once.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "store unavailable");
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            detail: Some("the store is unavailable; try again shortly".into()),
            check: None,
            headers: vec![(header::RETRY_AFTER, HeaderValue::from_static("5"))],
        }
    }

    /// 507 Insufficient Storage (the store of record's disk is full), with `Retry-After`; the
    /// cause is logged here once. Nothing was written; reads go on.
    pub fn insufficient_storage(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "disk full: write refused");
        Self {
            status: StatusCode::INSUFFICIENT_STORAGE,
            detail: Some(
                "the store's disk is full: nothing was written; reads go on, writes are taken again once space is freed"
                    .into(),
            ),
            check: None,
            headers: vec![(header::RETRY_AFTER, HeaderValue::from_static("60"))],
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, as told to the client (none for a 500).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

/// Builds a problem response for a status and an optional detail.
pub fn problem_response(status: StatusCode, detail: Option<String>) -> Response<Body> {
    problem_with_check(status, detail, None)
}

fn problem_with_check(
    status: StatusCode,
    detail: Option<String>,
    check: Option<&str>,
) -> Response<Body> {
    let problem = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        check: check.map(str::to_owned),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let mut response = problem_with_check(self.status, self.detail, self.check);
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

/// Whether a database error says its disk is full (SQLite `SQLITE_FULL`, PostgreSQL `53100
/// disk_full` or `could not extend file`).
pub fn is_disk_full(message: &str) -> bool {
    message.contains("database or disk is full")
        || message.contains("No space left on device")
        || message.contains("could not extend file")
        || message.contains("53100")
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Db(sea_orm::DbErr::ConnectionAcquire(_))
            | StoreError::Db(sea_orm::DbErr::Conn(_)) => ApiError::unavailable(&error),
            other if is_disk_full(&other.to_string()) => ApiError::insufficient_storage(&other),
            other => ApiError::internal(&other),
        }
    }
}

impl From<ProjectionError> for ApiError {
    fn from(error: ProjectionError) -> Self {
        match error {
            ProjectionError::Store(store) => store.into(),
            other => ApiError::internal(&other),
        }
    }
}

impl From<RegistryError> for ApiError {
    fn from(error: RegistryError) -> Self {
        match error {
            RegistryError::Import(e) => {
                let status = match e {
                    semreg_importers::ImportError::UnknownFormat
                    | semreg_importers::ImportError::Empty => StatusCode::BAD_REQUEST,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                ApiError::new(status, e.to_string())
            }
            RegistryError::UnknownFormat(_) => ApiError::bad_request(error.to_string()),
            RegistryError::Forbidden { .. }
            | RegistryError::WrongPublisher { .. }
            | RegistryError::Mirrored { .. } => {
                ApiError::new(StatusCode::FORBIDDEN, error.to_string())
            }
            RegistryError::AliasTaken { .. } | RegistryError::PublishedNotDraft { .. } => {
                ApiError::new(StatusCode::CONFLICT, error.to_string())
            }
            RegistryError::PreconditionFailed(_) => {
                ApiError::new(StatusCode::PRECONDITION_FAILED, error.to_string())
            }
            RegistryError::NoPublisher => ApiError::bad_request(error.to_string()),
            RegistryError::TooLarge(_) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, error.to_string())
            }
            RegistryError::Store(store) => store.into(),
            RegistryError::Task(_) => ApiError::internal(&error),
        }
    }
}

/// Where an error body goes: problem JSON for the API (and every non-page path), an HTML page
/// for the web pages, and nothing of ours under `/fhir` (FHIR answers `OperationOutcome`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPlace {
    /// Problem JSON (RFC 9457).
    Api,
    /// An HTML error page.
    Page,
    /// Left as the handler made it.
    Fhir,
}

/// Paths that are machine interfaces whatever the client accepts.
const API_PREFIXES: [&str; 4] = ["/api/", "/sparql", "/altinn/", "/openapi.json"];
const OPS_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];
/// The web pages (DESIGN.md): their errors are HTML unless `Accept` asks for JSON.
const PAGE_PREFIXES: [&str; 6] = [
    "/concepts/",
    "/code-lists/",
    "/types/",
    "/models/",
    "/publishers/",
    "/assets/",
];
const PAGE_PATHS: [&str; 3] = ["/", "/search", "/compose"];

/// Decides where an error for `path` goes, given the request's `Accept`.
pub fn error_place(path: &str, accept: Option<&str>) -> ErrorPlace {
    if path == "/fhir" || path.starts_with("/fhir/") {
        return ErrorPlace::Fhir;
    }
    if API_PREFIXES.iter().any(|p| path.starts_with(p)) || OPS_PATHS.contains(&path) {
        return ErrorPlace::Api;
    }
    let accept = accept.unwrap_or("").to_ascii_lowercase();
    let html_at = accept.find("text/html");
    let json_at = ["application/problem+json", "application/json"]
        .iter()
        .filter_map(|m| accept.find(m))
        .min();
    let json_first = match (json_at, html_at) {
        (Some(j), Some(h)) => j < h,
        (Some(_), None) => true,
        _ => false,
    };
    if json_first {
        return ErrorPlace::Api;
    }
    let is_page = PAGE_PATHS.contains(&path) || PAGE_PREFIXES.iter().any(|p| path.starts_with(p));
    if is_page || html_at.is_some() {
        ErrorPlace::Page
    } else {
        ErrorPlace::Api
    }
}

/// An HTML error page for a status and detail (the detail is escaped).
pub fn html_error_response(status: StatusCode, detail: Option<&str>) -> Response<Body> {
    let title = status.canonical_reason().unwrap_or("Error");
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{code} {title} · semreg</title></head><body><main>\
         <h1>{code} {title}</h1><p>{detail}</p><p><a href=\"/\">semreg</a> · \
         <a href=\"/search\">search</a></p></main></body></html>",
        code = status.as_u16(),
        title = escape(title),
        detail = escape(detail.unwrap_or("Something went wrong on our side; try again shortly.")),
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// Headers of an error response that describe the old body, not the one written instead.
fn is_body_header(name: &header::HeaderName) -> bool {
    name == header::CONTENT_TYPE
        || name == header::CONTENT_LENGTH
        || name == header::CONTENT_ENCODING
        || name == header::ETAG
}

/// Middleware: any error response is given the body of its place (see [`error_place`]) —
/// axum's own rejections, 405, 413 from the body limit and so on become problem JSON (or an
/// HTML page), keeping their status, text and other headers (such as `Allow`). It sits inside
/// the compression layer, so the body it writes is compressed (or not) by that layer, and a
/// rewritten body never keeps the old body's `Content-Encoding`.
pub async fn ensure_problem_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let place = error_place(
        request.uri().path(),
        request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || place == ErrorPlace::Fhir {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let is_problem = content_type.starts_with(PROBLEM_JSON);
    if place == ErrorPlace::Api && is_problem {
        return response;
    }
    if place == ErrorPlace::Page && content_type.starts_with("text/html") {
        return response;
    }
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.ok();
    let detail = if status.is_server_error() || encoded {
        None
    } else if is_problem {
        bytes
            .as_ref()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
            .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
    } else {
        bytes
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .filter(|t| !t.trim().is_empty())
    };
    let mut fixed = match place {
        ErrorPlace::Page => html_error_response(status, detail.as_deref()),
        _ => problem_response(status, detail),
    };
    keep_headers(&parts.headers, &mut fixed);
    fixed
}

/// Copies the headers of a replaced error response onto its replacement, but for those that
/// describe the old body.
pub fn keep_headers(from: &axum::http::HeaderMap, to: &mut Response<Body>) {
    for (name, value) in from.iter() {
        if !is_body_header(name) {
            to.headers_mut().insert(name.clone(), value.clone());
        }
    }
}

/// The answer to a panic in a handler: a 500 problem JSON, the panic logged once here (the
/// connection stays usable; the client never sees a dropped connection).
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a handler panicked");
    problem_response(StatusCode::INTERNAL_SERVER_ERROR, None)
}

impl crate::metrics::HasStatus for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
}
