//! Health and metrics endpoints.

use super::problem::{ApiError, Problem};
use crate::app::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`, or `degraded` when a part is down (the process still serves what it can).
    pub status: &'static str,
    /// What is down (`store of record`), when degraded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub down: Vec<&'static str>,
}

/// The readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyResponse {
    /// `ready`: writes can be taken.
    pub status: &'static str,
}

/// How long a health check waits for the store of record.
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether the store of record answers (within [`PING_TIMEOUT`]).
async fn store_answers(app: &AppState) -> bool {
    match tokio::time::timeout(PING_TIMEOUT, app.db.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(%error, "the store of record does not answer");
            false
        }
        Err(_) => {
            tracing::warn!(
                timeout_ms = PING_TIMEOUT.as_millis() as u64,
                "the store of record does not answer in time"
            );
            false
        }
    }
}

/// Liveness: 200 while the process serves; `degraded` names what is down (code lists and
/// search keep answering from memory and disk while the store of record is away).
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = HealthResponse, description = "The process serves")))]
pub async fn healthz(State(app): State<AppState>) -> Json<HealthResponse> {
    if store_answers(&app).await {
        Json(HealthResponse {
            status: "ok",
            down: Vec::new(),
        })
    } else {
        Json(HealthResponse {
            status: "degraded",
            down: vec!["store of record"],
        })
    }
}

/// Readiness, for load balancers: 200 when writes can be taken, 503 while the store of record
/// does not answer.
#[utoipa::path(get, path = "/readyz", responses(
    (status = 200, body = ReadyResponse, description = "Writes can be taken"),
    (status = 503, description = "The store of record does not answer; writes cannot be taken now", body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(State(app): State<AppState>) -> Result<Json<ReadyResponse>, ApiError> {
    if store_answers(&app).await {
        Ok(Json(ReadyResponse { status: "ready" }))
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the store of record does not answer: writes cannot be taken now",
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("5")))
    }
}

/// Prometheus metrics in text format.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus metrics", body = String, content_type = "text/plain")))]
pub async fn metrics(State(app): State<AppState>) -> Response {
    let mut response = app.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// This document: the OpenAPI 3.1 description of the API.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_document() {}
