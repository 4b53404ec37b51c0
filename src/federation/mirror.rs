//! Mirrored copies: a batch of a peer's changes (with their content, from the feed's bulk
//! path) applied in one transaction that holds the store's write lock, as every write does.
//! Each copy keeps its provenance (origin instance, URL, IRI, version and hash, when it was
//! fetched, the peer it came through) and the origin's version numbers, so its code lists
//! render byte for byte as on the origin and carry the same content-derived ETags.
//!
//! The rules that keep chains, meshes and cycles clean: a change whose origin is this instance
//! is skipped (never re-own, never ping-pong); a copy is only replaced by a newer version of
//! the same origin (a resource reachable through two peers is stored once); a resource owned
//! by another origin than the change claims is refused and reported as a conflict.

use super::feed::FeedChange;
use crate::ids::{resource_id_for_iri, OrgNr};
use crate::registry::{change_row, moved_chunks};
use crate::store::{self, change, resource, version, StoreError};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use std::collections::{HashMap, HashSet};

const RETIRED: &str = crate::registry::RETIRED;
const VALID: &str = "valid";

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MirrorReport {
    /// Copies created.
    pub created: usize,
    /// Copies given a newer version of their origin.
    pub updated: usize,
    /// Copies retired.
    pub retired: usize,
    /// Copies reactivated.
    pub reactivated: usize,
    /// Changes that changed nothing (already held, older, or this instance's own).
    pub unchanged: usize,
    /// Changes refused, each with why (another origin owns the resource, bad content).
    pub refused: Vec<String>,
}

impl MirrorReport {
    /// Whether the batch wrote anything.
    pub fn changed(&self) -> bool {
        self.created + self.updated + self.retired + self.reactivated > 0
    }
}

/// Where the batch came from.
#[derive(Debug, Clone)]
pub struct PeerRef<'a> {
    /// This instance's own id.
    pub own: &'a str,
    /// The peer's row id.
    pub peer_id: &'a str,
    /// The peer's base URL (the origin URL of the peer's own resources).
    pub peer_url: &'a str,
}

/// Why a change cannot be taken, if it cannot: its content must be there and hash to the
/// version's hash, its id must be the one its IRI gives, its publisher a valid org number.
fn check(change: &FeedChange) -> Result<(), String> {
    let content = change
        .content
        .as_ref()
        .ok_or_else(|| format!("change {} of {} has no content", change.seq, change.iri))?;
    let hash = semreg_importers::content_hash(&content.ntriples);
    if change.hash.as_deref() != Some(hash.as_str()) {
        return Err(format!(
            "change {} of {}: the content does not hash to the version's hash",
            change.seq, change.iri
        ));
    }
    if resource_id_for_iri(&change.iri) != change.id {
        return Err(format!(
            "change {} of {}: id {} is not the id of that IRI",
            change.seq, change.iri, change.id
        ));
    }
    if let Some(publisher) = &change.publisher {
        OrgNr::parse(publisher).map_err(|e| {
            format!(
                "change {} of {}: publisher {publisher:?}: {e}",
                change.seq, change.iri
            )
        })?;
    }
    if !matches!(
        change.op.as_str(),
        "created" | "updated" | "retired" | "reactivated"
    ) {
        return Err(format!(
            "change {} of {}: unknown op {:?}",
            change.seq, change.iri, change.op
        ));
    }
    Ok(())
}

/// Applies a batch of a peer's changes (oldest first) in one transaction.
pub async fn apply_batch(
    db: &impl TransactionTrait,
    from: PeerRef<'_>,
    changes: Vec<FeedChange>,
) -> Result<MirrorReport, StoreError> {
    let mut report = MirrorReport::default();
    // The latest change per resource is the one that counts: it has the newest version and
    // the newest status (a change's content is the version it made).
    let mut latest: HashMap<String, FeedChange> = HashMap::new();
    let mut order = Vec::new();
    for change in changes {
        if change.origin == from.own {
            report.unchanged += 1;
            continue;
        }
        if let Err(why) = check(&change) {
            report.refused.push(why);
            continue;
        }
        if !latest.contains_key(&change.id) {
            order.push(change.id.clone());
        } else {
            report.unchanged += 1;
        }
        latest.insert(change.id.clone(), change);
    }
    if latest.is_empty() {
        return Ok(report);
    }
    let now = Utc::now();
    let txn = crate::store::begin_write(db).await?;
    store::lock_for_write(&txn).await?;
    let existing: HashMap<String, resource::Model> = store::resources_by_ids(&txn, &order)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let taken_aliases = aliases_in_use(&txn, &latest).await?;
    let publishers: HashSet<&String> = latest
        .values()
        .filter_map(|c| c.publisher.as_ref())
        .collect();
    for publisher in publishers {
        store::ensure_publisher(&txn, publisher, now).await?;
    }
    let mut new_resources = Vec::new();
    let mut new_versions = Vec::new();
    let mut new_changes = Vec::new();
    for id in order {
        let Some(change) = latest.remove(&id) else {
            continue;
        };
        let Some(content) = change.content.clone() else {
            continue;
        };
        let origin_url = change
            .origin_url
            .clone()
            .unwrap_or_else(|| from.peer_url.to_owned());
        let retire = change.op == RETIRED;
        let alias = content
            .alias
            .clone()
            .filter(|a| taken_aliases.get(a).is_none_or(|owner| owner == &id));
        let label = crate::registry::preferred_label(&content.labels)
            .unwrap_or(&change.iri)
            .to_owned();
        let labels = serde_json::to_string(&content.labels).unwrap_or_else(|_| "{}".to_owned());
        let hash = change.hash.clone().unwrap_or_default();
        let version_row = version::ActiveModel {
            resource_id: Set(id.clone()),
            version: Set(change.version),
            content_hash: Set(hash.clone()),
            ntriples: Set(content.ntriples.clone()),
            triple_count: Set(content.triples),
            created_at: Set(now),
            origin_version: Set(Some(change.version)),
            fetched_at: Set(Some(now)),
        };
        let op = match existing.get(&id) {
            None => {
                new_resources.push(resource::ActiveModel {
                    id: Set(id.clone()),
                    iri: Set(change.iri.clone()),
                    kind: Set(change.kind.clone()),
                    publisher: Set(change.publisher.clone()),
                    status: Set(if retire { RETIRED } else { VALID }.to_owned()),
                    alias: Set(alias),
                    label: Set(label),
                    labels: Set(labels),
                    current_version: Set(change.version),
                    content_hash: Set(hash.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    source_id: Set(None),
                    retired_at: Set(retire.then_some(now)),
                    retired_by: Set(None),
                    origin_instance: Set(Some(change.origin.clone())),
                    origin_url: Set(Some(origin_url)),
                    origin_iri: Set(Some(change.iri.clone())),
                    origin_version: Set(Some(change.version)),
                    origin_hash: Set(Some(hash)),
                    fetched_at: Set(Some(now)),
                    peer_id: Set(Some(from.peer_id.to_owned())),
                });
                new_versions.push(version_row);
                report.created += 1;
                if retire {
                    RETIRED
                } else {
                    "created"
                }
            }
            Some(current) => {
                let owner = current.origin_instance.as_deref().unwrap_or(from.own);
                if owner != change.origin {
                    report.refused.push(format!(
                        "{} is owned by instance {owner}, not by {} as change {} says",
                        change.iri, change.origin, change.seq
                    ));
                    continue;
                }
                if change.version < current.current_version {
                    report.unchanged += 1;
                    continue;
                }
                let newer = change.version > current.current_version;
                if !newer && current.content_hash != hash {
                    report.refused.push(format!(
                        "{}: version {} of the origin differs from the one held (the origin's log was restored?)",
                        change.iri, change.version
                    ));
                    continue;
                }
                let was_retired = current.status == RETIRED;
                if !newer && was_retired == retire {
                    report.unchanged += 1;
                    continue;
                }
                let mut row = resource::ActiveModel {
                    id: Set(id.clone()),
                    updated_at: Set(now),
                    fetched_at: Set(Some(now)),
                    peer_id: Set(Some(from.peer_id.to_owned())),
                    ..Default::default()
                };
                if newer {
                    row.kind = Set(change.kind.clone());
                    row.publisher = Set(change.publisher.clone());
                    row.alias = Set(alias);
                    row.label = Set(label);
                    row.labels = Set(labels);
                    row.current_version = Set(change.version);
                    row.content_hash = Set(hash.clone());
                    row.origin_url = Set(Some(origin_url));
                    row.origin_version = Set(Some(change.version));
                    row.origin_hash = Set(Some(hash));
                    new_versions.push(version_row);
                }
                if retire != was_retired {
                    row.status = Set(if retire { RETIRED } else { VALID }.to_owned());
                    row.retired_at = Set(retire.then_some(now));
                    row.retired_by = Set(None);
                }
                resource::Entity::update(row).exec(&txn).await?;
                match (retire, was_retired) {
                    (true, false) => {
                        report.retired += 1;
                        RETIRED
                    }
                    (false, true) => {
                        report.reactivated += 1;
                        "reactivated"
                    }
                    (true, true) => {
                        report.updated += 1;
                        RETIRED
                    }
                    (false, false) => {
                        report.updated += 1;
                        "updated"
                    }
                }
            }
        };
        new_changes.push(change_row(
            &change.id,
            &change.iri,
            &change.kind,
            op,
            change.version,
            now,
        ));
    }
    for chunk in moved_chunks(new_resources, 200) {
        resource::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in moved_chunks(new_versions, 200) {
        version::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in moved_chunks(new_changes, 200) {
        change::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// Retires the live copies that came through peer `peer_id` and are not in `seen`: after a
/// full resync (the peer's log was restored), what the peer's feed no longer has, the peer no
/// longer has. Each retirement is a change of this instance's log (so followers of this
/// instance retire them too), in one transaction; returns how many were retired.
pub async fn retire_unseen(
    db: &impl TransactionTrait,
    peer_id: &str,
    seen: &HashSet<String>,
) -> Result<usize, StoreError> {
    let txn = crate::store::begin_write(db).await?;
    store::lock_for_write(&txn).await?;
    let held: Vec<(String, String, String, i32)> = resource::Entity::find()
        .select_only()
        .column(resource::Column::Id)
        .column(resource::Column::Iri)
        .column(resource::Column::Kind)
        .column(resource::Column::CurrentVersion)
        .filter(resource::Column::PeerId.eq(peer_id))
        .filter(resource::Column::Status.ne(RETIRED))
        .into_tuple()
        .all(&txn)
        .await?;
    let now = Utc::now();
    let gone: Vec<(String, String, String, i32)> = held
        .into_iter()
        .filter(|(id, ..)| !seen.contains(id))
        .collect();
    for chunk in gone.chunks(500) {
        resource::Entity::update_many()
            .col_expr(resource::Column::Status, Expr::value(RETIRED))
            .col_expr(resource::Column::RetiredAt, Expr::value(Some(now)))
            .col_expr(resource::Column::UpdatedAt, Expr::value(now))
            .filter(resource::Column::Id.is_in(chunk.iter().map(|(id, ..)| id.clone())))
            .exec(&txn)
            .await?;
    }
    let rows: Vec<change::ActiveModel> = gone
        .iter()
        .map(|(id, iri, kind, version)| change_row(id, iri, kind, RETIRED, *version, now))
        .collect();
    for chunk in moved_chunks(rows, 200) {
        change::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(gone.len())
}

/// The aliases the batch wants that some resource already has, with that resource's id: a
/// copy whose alias is taken here is stored without it.
async fn aliases_in_use(
    txn: &impl sea_orm::ConnectionTrait,
    latest: &HashMap<String, FeedChange>,
) -> Result<HashMap<String, String>, StoreError> {
    let wanted: Vec<String> = latest
        .values()
        .filter_map(|c| c.content.as_ref().and_then(|c| c.alias.clone()))
        .collect();
    let mut taken = HashMap::new();
    for chunk in wanted.chunks(500) {
        let rows: Vec<(String, Option<String>)> = resource::Entity::find()
            .select_only()
            .column(resource::Column::Id)
            .column(resource::Column::Alias)
            .filter(resource::Column::Alias.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(txn)
            .await?;
        for (id, alias) in rows {
            if let Some(alias) = alias {
                taken.insert(alias, id);
            }
        }
    }
    Ok(taken)
}

/// Gives every resource without an origin this instance's id (resources stored before
/// origins were recorded). Idempotent; cheap when there is nothing to do.
pub async fn backfill_own_origin(
    db: &impl sea_orm::ConnectionTrait,
    own: &str,
) -> Result<u64, StoreError> {
    let done = resource::Entity::update_many()
        .col_expr(resource::Column::OriginInstance, Expr::value(own))
        .filter(resource::Column::OriginInstance.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
