//! Peers: the instances this one follows. Adding, listing and removing them (the HTTP API and
//! the CLI call these), and how a peer looks from outside (its follower's state: the last
//! `seq` applied, lag, the last error).

use crate::store::{peer, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

/// Why a peer cannot be added or found.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The URL is not an http(s) URL with a host.
    #[error("invalid peer URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// This instance already follows that URL.
    #[error("this instance already follows {0}")]
    Exists(String),
    /// No peer has that id (or URL).
    #[error("no peer {0}")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for PeerError {
    fn from(value: sea_orm::DbErr) -> Self {
        PeerError::Store(StoreError::Db(value))
    }
}

/// A peer as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PeerView {
    /// The peer's id here.
    pub id: String,
    /// Its base URL.
    pub url: String,
    /// Its instance id, once the follower has reached it.
    pub instance: Option<String>,
    /// The epoch of its change log last seen.
    pub epoch: Option<String>,
    /// The last `seq` of its feed applied here.
    pub last_seq: i64,
    /// The newest `seq` it reported.
    pub peer_last_seq: i64,
    /// Its changes not yet applied here, when last looked.
    pub lag: i64,
    /// What went wrong last (`null` once an attempt succeeds again).
    pub last_error: Option<String>,
    /// When an attempt last succeeded.
    pub last_success_at: Option<DateTime<Utc>>,
    /// When it was last asked.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Failed attempts in a row.
    pub failures: i32,
    /// When the follower tries again after failures.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Full resyncs done (after new epochs of its log).
    pub resyncs: i32,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

impl From<peer::Model> for PeerView {
    fn from(p: peer::Model) -> Self {
        Self {
            id: p.id,
            url: p.url,
            instance: p.peer_instance,
            epoch: p.peer_epoch,
            last_seq: p.last_seq,
            peer_last_seq: p.peer_last_seq,
            lag: p.lag,
            last_error: p.last_error,
            last_success_at: p.last_success_at,
            last_attempt_at: p.last_attempt_at,
            failures: p.failures,
            next_attempt_at: p.next_attempt_at,
            resyncs: p.resyncs,
            created_at: p.created_at,
        }
    }
}

/// A peer's base URL, normalized: http(s), a host, no query or fragment, no trailing slash.
pub fn normalize_url(url: &str) -> Result<String, PeerError> {
    let invalid = |reason: &str| PeerError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = url::Url::parse(url.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("a peer is reached over http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a peer's base URL has no query or fragment"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// Registers a peer to follow (from `seq` 0).
pub async fn add(db: &impl ConnectionTrait, url: &str) -> Result<PeerView, PeerError> {
    let url = normalize_url(url)?;
    if peer::Entity::find()
        .filter(peer::Column::Url.eq(url.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(PeerError::Exists(url));
    }
    let row = peer::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        url: Set(url),
        peer_instance: Set(None),
        peer_epoch: Set(None),
        last_seq: Set(0),
        peer_last_seq: Set(0),
        lag: Set(0),
        last_error: Set(None),
        last_success_at: Set(None),
        last_attempt_at: Set(None),
        failures: Set(0),
        next_attempt_at: Set(None),
        resyncs: Set(0),
        resync_until: Set(None),
        created_at: Set(Utc::now()),
    };
    let row = peer::Entity::insert(row).exec_with_returning(db).await?;
    Ok(row.into())
}

/// One page of the peers, oldest first, with their total.
pub async fn list(
    db: &impl ConnectionTrait,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<PeerView>), PeerError> {
    let total = peer::Entity::find().count(db).await?;
    let rows = peer::Entity::find()
        .order_by_asc(peer::Column::CreatedAt)
        .order_by_asc(peer::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, rows.into_iter().map(PeerView::from).collect()))
}

/// Every peer, oldest first (for the followers and the CLI).
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<peer::Model>, PeerError> {
    Ok(peer::Entity::find()
        .order_by_asc(peer::Column::CreatedAt)
        .order_by_asc(peer::Column::Id)
        .all(db)
        .await?)
}

/// One peer by id.
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<PeerView, PeerError> {
    peer::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(PeerView::from)
        .ok_or_else(|| PeerError::NotFound(id.to_owned()))
}

/// Stops following a peer, by id or URL. The copies already mirrored stay (read-only, with
/// their origin).
pub async fn remove(db: &impl ConnectionTrait, id_or_url: &str) -> Result<PeerView, PeerError> {
    let found = match peer::Entity::find_by_id(id_or_url.to_owned())
        .one(db)
        .await?
    {
        Some(found) => Some(found),
        None => match normalize_url(id_or_url) {
            Ok(url) => {
                peer::Entity::find()
                    .filter(peer::Column::Url.eq(url))
                    .one(db)
                    .await?
            }
            Err(_) => None,
        },
    };
    let found = found.ok_or_else(|| PeerError::NotFound(id_or_url.to_owned()))?;
    peer::Entity::delete_by_id(found.id.clone())
        .exec(db)
        .await?;
    Ok(found.into())
}
