//! One HTTP error type, mapped by meaning to `application/problem+json` (RFC 9457).

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
}

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: Option<String>,
}

impl ApiError {
    /// An error with a status and a detail for the client.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: Some(detail.into()),
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 404 Not Found.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
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
        }
    }

    /// 503, with the cause logged here once.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "store unavailable");
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            detail: Some("the store is unavailable; try again shortly".into()),
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// Builds a problem response for a status and an optional detail.
pub fn problem_response(status: StatusCode, detail: Option<String>) -> Response<Body> {
    let problem = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
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
        problem_response(self.status, self.detail)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Db(sea_orm::DbErr::ConnectionAcquire(_))
            | StoreError::Db(sea_orm::DbErr::Conn(_)) => ApiError::unavailable(&error),
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
            RegistryError::Forbidden { .. } | RegistryError::WrongPublisher { .. } => {
                ApiError::new(StatusCode::FORBIDDEN, error.to_string())
            }
            RegistryError::AliasTaken { .. } => {
                ApiError::new(StatusCode::CONFLICT, error.to_string())
            }
            RegistryError::Store(store) => store.into(),
            RegistryError::Task(_) => ApiError::internal(&error),
        }
    }
}

/// Middleware: any error response that is not yet problem JSON (axum's own rejections, 405,
/// 413 from the body limit, ...) is turned into one, keeping its status and text.
pub async fn ensure_problem_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|t| !t.trim().is_empty());
    let detail = if status.is_server_error() { None } else { text };
    let mut fixed = problem_response(status, detail);
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fixed.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fixed
}

impl crate::metrics::HasStatus for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
}
