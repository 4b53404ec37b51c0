//! The change feed: what changed after a given seq, for followers and caches.

use super::problem::ApiError;
use crate::app::AppState;
use crate::store;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/v1/changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Return changes with a seq greater than this (default 0).
    pub since: Option<i64>,
    /// Most changes to return (default 100, at most 1000).
    pub limit: Option<u64>,
}

/// One entry of the change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeEntry {
    /// Sequence number.
    pub seq: i64,
    /// Resource id.
    pub id: String,
    /// Resource IRI.
    pub iri: String,
    /// Resource kind.
    pub kind: String,
    /// created, updated, retired.
    pub op: String,
    /// The resource's version after the change.
    pub version: i32,
    /// When (RFC 3339).
    pub at: String,
}

/// A page of the change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesResponse {
    /// Changes, oldest first.
    pub changes: Vec<ChangeEntry>,
    /// Pass this as `since` to get the next page.
    pub next: i64,
}

/// Lists changes after `since`, oldest first.
#[utoipa::path(get, path = "/api/v1/changes", params(ChangesQuery),
    responses((status = 200, body = ChangesResponse)))]
pub async fn list_changes(
    State(app): State<AppState>,
    Query(query): Query<ChangesQuery>,
) -> Result<Json<ChangesResponse>, ApiError> {
    let since = query.since.unwrap_or(0);
    if since < 0 {
        return Err(ApiError::bad_request("since must be 0 or more"));
    }
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000"));
    }
    let rows = store::changes_since(&app.db, since, limit).await?;
    let next = rows.last().map(|c| c.seq).unwrap_or(since);
    Ok(Json(ChangesResponse {
        changes: rows
            .into_iter()
            .map(|c| ChangeEntry {
                seq: c.seq,
                id: c.resource_id,
                iri: c.iri,
                kind: c.kind,
                op: c.op,
                version: c.version,
                at: c.at.to_rfc3339(),
            })
            .collect(),
        next,
    }))
}
