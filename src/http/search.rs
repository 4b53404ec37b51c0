//! Search and type-ahead over the tantivy projection.

use super::problem::ApiError;
use crate::app::AppState;
use crate::projections::{SearchHit, SearchRequest, SearchResults};
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to look for (empty: everything).
    pub q: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this publisher.
    pub publisher: Option<String>,
    /// Only this status (retired resources are left out unless asked for).
    pub status: Option<String>,
    /// Preferred language of labels (accepted; ranking by language comes with the search work).
    pub lang: Option<String>,
    /// Page size (default 20, at most 200).
    pub limit: Option<usize>,
    /// Page start.
    pub offset: Option<usize>,
}

/// Parameters of `GET /api/v1/suggest`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The typed prefix.
    pub q: String,
    /// Most suggestions (default 10, at most 50).
    pub limit: Option<usize>,
}

/// Type-ahead suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// Best matches first.
    pub suggestions: Vec<SearchHit>,
}

/// Full-text search over all resources.
#[utoipa::path(get, path = "/api/v1/search", params(SearchQuery),
    responses((status = 200, body = SearchResults)))]
pub async fn search_resources(
    State(app): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 200"));
    }
    let request = SearchRequest {
        q: query.q.unwrap_or_default(),
        kind: query.kind,
        publisher: query.publisher,
        status: query.status,
        limit,
        offset: query.offset.unwrap_or(0),
    };
    let projections = app.projections.clone();
    let results = tokio::task::spawn_blocking(move || projections.search.search(&request))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(Json(results))
}

/// Type-ahead on label prefixes.
#[utoipa::path(get, path = "/api/v1/suggest", params(SuggestQuery),
    responses((status = 200, body = SuggestResponse)))]
pub async fn suggest(
    State(app): State<AppState>,
    Query(query): Query<SuggestQuery>,
) -> Result<Json<SuggestResponse>, ApiError> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 50"));
    }
    let projections = app.projections.clone();
    let q = query.q;
    let suggestions = tokio::task::spawn_blocking(move || projections.search.suggest(&q, limit))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(Json(SuggestResponse { suggestions }))
}
