//! The change feed: pages of the change log after a `seq`, filtered, each change with what a
//! follower needs (the version's content hash, the publisher, the origin instance); a
//! long-poll that answers as soon as a matching change commits; and an endless stream of
//! changes for Server-Sent Events.
//!
//! Commits reach waiting readers through a `watch` channel holding the newest `seq` this
//! process has seen (the app updates it after each of its own writes and on every poll of the
//! log, so writes by other processes on the same store arrive too).

use crate::store::{change, resource, version, StoreError};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef,
};
use serde::Serialize;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::watch;
use utoipa::ToSchema;

/// Most changes one page holds.
pub const MAX_PAGE: u64 = 1000;

/// One change, as followers read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct FeedChange {
    /// The change's place in the log (strictly increasing, in commit order).
    pub seq: i64,
    /// The resource's id.
    pub id: String,
    /// The resource's IRI.
    pub iri: String,
    /// The resource's kind.
    pub kind: String,
    /// `created`, `updated`, `retired` or `reactivated`.
    pub op: String,
    /// The resource's version after the change.
    pub version: i32,
    /// SHA-256 (hex) of that version's canonical N-Triples.
    pub hash: Option<String>,
    /// The publisher (organisation number) that owns the resource.
    pub publisher: Option<String>,
    /// The id of the instance that owns the resource (see `GET /api/v1/instance`).
    pub origin: String,
    /// The base URL of the instance that owns the resource, when it is not this one (a copy
    /// this instance mirrors from a peer).
    #[serde(rename = "originUrl", default, skip_serializing_if = "Option::is_none")]
    pub origin_url: Option<String>,
    /// When the change was committed (RFC 3339).
    pub at: DateTime<Utc>,
    /// The version's content, when asked for with `content=true` (the bulk path followers
    /// use: one request gives a whole page of changes with what they need to store them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<VersionContent>,
}

/// What a follower stores of a version, embedded in a change with `content=true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct VersionContent {
    /// The version's canonical N-Triples (its `hash` is their SHA-256).
    pub ntriples: String,
    /// Triples in it.
    pub triples: i32,
    /// The resource's preferred labels, by language tag.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The resource's readable alias, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

/// Which changes a reader wants; an empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedFilter {
    /// Resource kinds.
    pub kinds: Vec<String>,
    /// Publishers' organisation numbers.
    pub publishers: Vec<String>,
    /// Origin instance ids.
    pub origins: Vec<String>,
    /// Resource ids.
    pub ids: Vec<String>,
    /// The publisher whose drafts' changes are shown too. A change of a resource that is a
    /// draft is shown to nobody else: followers first see it at its `published` change.
    pub viewer: Option<String>,
    /// Embed each version's content ([`VersionContent`]).
    pub content: bool,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPage {
    /// Matching changes, oldest first.
    pub changes: Vec<FeedChange>,
    /// Where the next page starts (`since` of the next call): past every change this page
    /// looked at, matching or not, so a filtered follower never rescans the log.
    pub next: i64,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    seq: i64,
    resource_id: String,
    iri: String,
    kind: String,
    op: String,
    version: i32,
    at: DateTime<Utc>,
    content_hash: Option<String>,
    publisher: Option<String>,
    origin_instance: Option<String>,
    origin_url: Option<String>,
    labels: Option<String>,
    alias: Option<String>,
}

/// The changes after `since` that match `filter`, at most `limit`. Every resource of this
/// instance has `origin` as its origin (copies mirrored from peers will carry theirs).
pub async fn page(
    db: &impl ConnectionTrait,
    origin: &str,
    since: i64,
    limit: u64,
    filter: &FeedFilter,
) -> Result<FeedPage, StoreError> {
    let limit = limit.clamp(1, MAX_PAGE);
    // The end of the log first: a page covers `since < seq <= last`, so `next` can move past
    // filtered-out changes without skipping one that commits while the page is read.
    let last = crate::store::last_seq(db).await?;
    if last <= since {
        return Ok(FeedPage {
            changes: Vec::new(),
            next: since.max(last),
        });
    }
    let mut query = change::Entity::find()
        .select_only()
        .column(change::Column::Seq)
        .column(change::Column::ResourceId)
        .column(change::Column::Iri)
        .column(change::Column::Kind)
        .column(change::Column::Op)
        .column(change::Column::Version)
        .column(change::Column::At)
        .column(version::Column::ContentHash)
        .column(resource::Column::Publisher)
        .column(resource::Column::OriginInstance)
        .column(resource::Column::OriginUrl)
        .column(resource::Column::Labels)
        .column(resource::Column::Alias)
        .join(JoinType::LeftJoin, version_of_change())
        .join(JoinType::LeftJoin, resource_of_change())
        .filter(change::Column::Seq.gt(since))
        .filter(change::Column::Seq.lte(last));
    if !filter.kinds.is_empty() {
        query = query.filter(change::Column::Kind.is_in(filter.kinds.clone()));
    }
    if !filter.ids.is_empty() {
        query = query.filter(change::Column::ResourceId.is_in(filter.ids.clone()));
    }
    if !filter.origins.is_empty() {
        // Own resources carry this instance's id (see `backfill_own_origin`).
        let mut any = sea_orm::Condition::any()
            .add(resource::Column::OriginInstance.is_in(filter.origins.clone()));
        if filter.origins.iter().any(|o| o == origin) {
            any = any.add(resource::Column::OriginInstance.is_null());
        }
        query = query.filter(any);
    }
    if !filter.publishers.is_empty() {
        query = query.filter(resource::Column::Publisher.is_in(filter.publishers.clone()));
    }
    let mut visible = sea_orm::Condition::any().add(resource::Column::Status.ne("draft"));
    if let Some(viewer) = &filter.viewer {
        visible = visible.add(resource::Column::Publisher.eq(viewer.as_str()));
    }
    query = query.filter(visible);
    let rows = query
        .order_by_asc(change::Column::Seq)
        .limit(limit)
        .into_model::<Row>()
        .all(db)
        .await?;
    let next = if rows.len() as u64 == limit {
        rows.last().map_or(last, |r| r.seq)
    } else {
        last
    };
    let mut contents = if filter.content {
        let wanted: Vec<(String, i32)> = rows
            .iter()
            .map(|r| (r.resource_id.clone(), r.version))
            .collect();
        crate::store::versions_by_keys(db, &wanted).await?
    } else {
        std::collections::HashMap::new()
    };
    Ok(FeedPage {
        changes: rows
            .into_iter()
            .map(|r| {
                let content = contents.remove(&(r.resource_id.clone(), r.version)).map(
                    |(ntriples, triples)| VersionContent {
                        ntriples,
                        triples,
                        labels: r
                            .labels
                            .as_deref()
                            .and_then(|l| serde_json::from_str(l).ok())
                            .unwrap_or_default(),
                        alias: r.alias.clone(),
                    },
                );
                let own = r.origin_instance.as_deref().is_none_or(|o| o == origin);
                FeedChange {
                    seq: r.seq,
                    id: r.resource_id,
                    iri: r.iri,
                    kind: r.kind,
                    op: r.op,
                    version: r.version,
                    hash: r.content_hash,
                    publisher: r.publisher,
                    origin: r.origin_instance.unwrap_or_else(|| origin.to_owned()),
                    origin_url: if own { None } else { r.origin_url },
                    at: r.at,
                    content,
                }
            })
            .collect(),
        next,
    })
}

/// The join of a change with the version it made (for the version's hash).
fn version_of_change() -> RelationDef {
    change::Entity::belongs_to(version::Entity)
        .from((change::Column::ResourceId, change::Column::Version))
        .to((version::Column::ResourceId, version::Column::Version))
        .into()
}

/// The join of a change with its resource (for the publisher).
fn resource_of_change() -> RelationDef {
    change::Entity::belongs_to(resource::Entity)
        .from(change::Column::ResourceId)
        .to(resource::Column::Id)
        .into()
}

/// A page as [`page`] gives it, but if nothing matches yet, waits up to `wait` for a matching
/// change to commit and answers as soon as one does (an empty page with `next` moved on at
/// `wait`).
pub async fn wait_for_page(
    db: &impl ConnectionTrait,
    commits: &watch::Sender<i64>,
    origin: &str,
    since: i64,
    limit: u64,
    filter: &FeedFilter,
    wait: Duration,
) -> Result<FeedPage, StoreError> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = commits.subscribe();
    let mut cursor = since;
    loop {
        let found = page(db, origin, cursor, limit, filter).await?;
        if !found.changes.is_empty() || tokio::time::Instant::now() >= deadline {
            return Ok(found);
        }
        cursor = found.next;
        let newer = tokio::time::timeout_at(deadline, seen.wait_for(|last| *last > cursor)).await;
        match newer {
            Ok(Ok(_)) => continue,
            // The deadline passed, or the app is shutting down: nothing (more) to report.
            Ok(Err(_)) | Err(_) => {
                return Ok(FeedPage {
                    changes: Vec::new(),
                    next: cursor,
                })
            }
        }
    }
}

/// Every matching change after `since`, then each new one as it commits; never ends while the
/// app runs. A failed read of the log is retried after a pause (and logged), never skipped.
pub fn stream<C>(
    db: C,
    commits: watch::Receiver<i64>,
    origin: String,
    since: i64,
    filter: FeedFilter,
) -> impl Stream<Item = FeedChange> + Send + 'static
where
    C: ConnectionTrait + Send + Sync + 'static,
{
    struct State<C> {
        db: C,
        commits: watch::Receiver<i64>,
        origin: String,
        cursor: i64,
        filter: FeedFilter,
        buffer: VecDeque<FeedChange>,
    }
    let state = State {
        db,
        commits,
        origin,
        cursor: since,
        filter,
        buffer: VecDeque::new(),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(next) = state.buffer.pop_front() {
                return Some((next, state));
            }
            match page(&state.db, &state.origin, state.cursor, 500, &state.filter).await {
                Ok(found) => {
                    state.cursor = found.next;
                    if found.changes.is_empty() {
                        let cursor = state.cursor;
                        if state.commits.wait_for(|last| *last > cursor).await.is_err() {
                            return None;
                        }
                    } else {
                        state.buffer.extend(found.changes);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "the change feed cannot read the log; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    })
}
