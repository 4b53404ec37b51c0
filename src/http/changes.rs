//! The change feed: what changed after a given seq, for followers and caches.

use super::extract::ApiQuery;
use super::params::{Bounded, Seq};
use super::problem::ApiError;
use crate::app::AppState;
use crate::store;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/v1/changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Return changes with a seq greater than this (default 0).
    #[param(value_type = Option<i64>, minimum = 0)]
    pub since: Option<Seq>,
    /// Most changes to return (default 100, at most 1000).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<Bounded<1, 1000>>,
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
    responses((status = 200, body = ChangesResponse, description = "Changes after `since`, oldest first")))]
pub async fn list_changes(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Json<ChangesResponse>, ApiError> {
    let since = query.since.map_or(0, Seq::as_i64);
    let limit = query.limit.map_or(100, Bounded::get);
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
