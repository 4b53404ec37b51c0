//! Peers over HTTP (`/api/v1/peers`, admin only): the instances this one follows and how far
//! each is followed. The work is in [`crate::federation::peers`].

use super::auth::{Caller, Who};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::problem::{ApiError, Problem};
use super::sync::PageQuery;
use super::tokens::require_admin;
use crate::app::AppState;
use crate::auth::audit::{self, Action, Event};
use crate::federation::peers::{self, PeerError, PeerView};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

impl From<PeerError> for ApiError {
    fn from(error: PeerError) -> Self {
        match error {
            PeerError::InvalidUrl { .. } => ApiError::bad_request(error.to_string()),
            PeerError::Exists(_) => ApiError::conflict(error.to_string()),
            PeerError::NotFound(_) => ApiError::not_found(error.to_string()),
            PeerError::Store(store) => store.into(),
        }
    }
}

/// A peer to follow.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerInput {
    /// The peer's base URL (e.g. `https://semreg.example.no`).
    pub url: String,
}

/// A page of peers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeersResponse {
    /// Peers before paging.
    pub total: u64,
    /// The page, oldest first.
    pub items: Vec<PeerView>,
}

/// Follows another semreg instance: a follower in `semreg serve` mirrors its resources as
/// read-only copies with their origin.
#[utoipa::path(post, path = "/api/v1/peers", request_body = PeerInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The peer, registered", body = PeerView),
        (status = 400, description = "The URL is not an http(s) base URL", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This instance already follows that URL", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The JSON is not a peer (the detail names the field)", body = Problem, content_type = "application/problem+json")))]
pub async fn add_peer(
    State(app): State<AppState>,
    who: Who,
    ApiJson(input): ApiJson<PeerInput>,
) -> Result<(StatusCode, HeaderMap, Json<PeerView>), ApiError> {
    require_admin(&who.principal, "add a peer")?;
    // The peer and its audit row, or neither.
    let txn = crate::store::begin_write(&app.db)
        .await
        .map_err(PeerError::from)?;
    let view = peers::add(&txn, &input.url).await?;
    audit_peer(&txn, &who, Action::PEER_ADD, &view).await?;
    txn.commit().await.map_err(PeerError::from)?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/peers/{}", view.id)) {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(view)))
}

/// Lists the peers with their followers' state (last seq applied, lag, last error).
#[utoipa::path(get, path = "/api/v1/peers", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of peers", body = PeersResponse),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json")))]
pub async fn list_peers(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<PeersResponse>, ApiError> {
    require_admin(&caller, "list the peers")?;
    let (limit, offset) = page.bounds()?;
    let (total, items) = peers::list(&app.db, limit, offset).await?;
    Ok(Json(PeersResponse { total, items }))
}

/// One peer.
#[utoipa::path(get, path = "/api/v1/peers/{id}", params(("id" = String, Path, description = "Peer id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The peer", body = PeerView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such peer", body = Problem, content_type = "application/problem+json")))]
pub async fn get_peer(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PeerView>, ApiError> {
    require_admin(&caller, "read a peer")?;
    Ok(Json(peers::get(&app.db, &id).await?))
}

/// Stops following a peer; the copies already mirrored stay, read-only, with their origin.
#[utoipa::path(delete, path = "/api/v1/peers/{id}", params(("id" = String, Path, description = "Peer id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such peer", body = Problem, content_type = "application/problem+json")))]
pub async fn remove_peer(
    State(app): State<AppState>,
    who: Who,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    require_admin(&who.principal, "remove a peer")?;
    let txn = crate::store::begin_write(&app.db)
        .await
        .map_err(PeerError::from)?;
    let view = peers::remove(&txn, &id).await?;
    audit_peer(&txn, &who, Action::PEER_REMOVE, &view).await?;
    txn.commit().await.map_err(PeerError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit row of a peer added or removed.
async fn audit_peer(
    txn: &sea_orm::DatabaseTransaction,
    who: &Who,
    action: Action,
    peer: &PeerView,
) -> Result<(), ApiError> {
    let detail = serde_json::json!({"peer": peer.id, "url": peer.url});
    audit::record(txn, &who.actor, &Event::new(action, detail))
        .await
        .map_err(PeerError::from)?;
    Ok(())
}
