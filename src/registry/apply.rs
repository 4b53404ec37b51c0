//! The registry's one write path. An import, a whole-catalog push and a harvest run all apply
//! a parsed batch here, in one transaction that holds the write lock: created and updated
//! resources get versions, resources no longer delivered are retired (kept, resolvable,
//! marked with the run that retired them), retired resources delivered again come back with
//! the same id and their original `issued`, and every change gets a change-log row. A dry run
//! computes exactly the same report and writes nothing.

use super::{
    preferred_label, Actor, ConflictReport, ImportReport, Outcome, Parsed, Prepared, RegistryError,
    ResourceOutcome, WriteStatus,
};
use crate::auth::audit;
use crate::ids::OrgNr;
use crate::projections::Feed;
use crate::store::{self, change, publisher, resource, version};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionSession, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The status of a resource that is no longer delivered.
pub const RETIRED: &str = "retired";
/// The status of an active resource.
const VALID: &str = "valid";
/// The status of a draft: seen only by its publisher until a valid write publishes it.
pub const DRAFT: &str = "draft";

/// What a write covers, which decides what it retires and how it treats a resource that
/// belongs to someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Creates and updates only (an import, a merging push); retires nothing.
    Merge,
    /// The publisher's whole catalog: its active resources not in the batch retire, except
    /// those delivered by one of its harvest sources (they follow their source).
    Catalog,
    /// A harvest run: what this source delivered before and not now retires (everything of
    /// it with `remove_all`); a resource another source or publisher owns is skipped and
    /// reported as a conflict instead of refusing the whole batch.
    Source {
        /// The source's id.
        source_id: String,
        /// Retire everything the source delivered.
        remove_all: bool,
    },
}

/// A condition on the publisher's catalog ETag for the write to happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `If-Match`: one of these ETags (or `*`: the catalog exists) must be the current one.
    IfMatch(Vec<String>),
    /// `If-None-Match: *`: the catalog must not exist yet (the publisher has no resource).
    IfNoneMatchAny,
}

/// One write to apply.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// The parsed batch.
    pub parsed: Parsed,
    /// The file's name, for the report.
    pub file: Option<String>,
    /// The publisher new resources belong to (required for `Catalog` and `Source`).
    pub publisher: Option<OrgNr>,
    /// Who writes.
    pub actor: Actor,
    /// What the write covers.
    pub scope: Scope,
    /// Compute the report, write nothing.
    pub dry_run: bool,
    /// The run (harvest or push) this write belongs to: recorded on what it retires.
    pub run_id: Option<String>,
    /// A condition on the catalog's ETag.
    pub precondition: Option<Precondition>,
    /// The semreg status the delivered resources get.
    pub status: WriteStatus,
    /// Who writes and what kind of write: recorded in the audit trail in the write's
    /// transaction (a dry run records nothing).
    pub audit: audit::Context,
}

/// The strong ETag of a publisher's catalog at a revision.
pub fn catalog_etag(publisher: &str, revision: i64) -> String {
    format!("\"{publisher}-{revision}\"")
}

/// A resource's current row, as far as retirement needs it.
struct Active {
    id: String,
    iri: String,
    kind: String,
    version: i32,
}

/// The resources a write retires: active ones of its scope that the batch does not hold.
async fn retirement_candidates(
    db: &impl ConnectionTrait,
    scope: &Scope,
    publisher: Option<&OrgNr>,
    delivered: &HashSet<&str>,
    instance: &str,
) -> Result<Vec<Active>, RegistryError> {
    let mut query = resource::Entity::find()
        .select_only()
        .column(resource::Column::Id)
        .column(resource::Column::Iri)
        .column(resource::Column::Kind)
        .column(resource::Column::CurrentVersion)
        .filter(resource::Column::Status.ne(RETIRED))
        // A draft was never published, so a catalog that leaves it out does not retire it.
        .filter(resource::Column::Status.ne(DRAFT))
        // Mirrored copies follow their origin, never a local write.
        .filter(
            sea_orm::Condition::any()
                .add(resource::Column::OriginInstance.is_null())
                .add(resource::Column::OriginInstance.eq(instance)),
        );
    let remove_all = match (scope, publisher) {
        (Scope::Merge, _) => return Ok(Vec::new()),
        (Scope::Catalog, Some(publisher)) => {
            // Resources of the publisher's harvest sources follow their source. (Copies
            // mirrored from another instance will follow their origin the same way.)
            query = query
                .filter(resource::Column::Publisher.eq(publisher.as_str()))
                .filter(resource::Column::SourceId.is_null());
            false
        }
        (
            Scope::Source {
                source_id,
                remove_all,
            },
            _,
        ) => {
            query = query.filter(resource::Column::SourceId.eq(source_id.as_str()));
            *remove_all
        }
        (Scope::Catalog, None) => return Err(RegistryError::NoPublisher),
    };
    let rows: Vec<(String, String, String, i32)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .filter(|(id, ..)| remove_all || !delivered.contains(id.as_str()))
        .map(|(id, iri, kind, version)| Active {
            id,
            iri,
            kind,
            version,
        })
        .collect())
}

/// The predicate of a canonical N-Triples line (`<s> <p> o .`).
fn predicate_of(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('<')?;
    let rest = &rest[rest.find("> <")? + 3..];
    Some(&rest[..rest.find('>')?])
}

/// The predicates whose triples differ between two canonical N-Triples texts.
pub fn changed_predicates(old: &str, new: &str) -> Vec<String> {
    let old_lines: HashSet<&str> = old.lines().collect();
    let new_lines: HashSet<&str> = new.lines().collect();
    let changed: BTreeSet<&str> = old_lines
        .symmetric_difference(&new_lines)
        .filter_map(|line| predicate_of(line))
        .collect();
    changed.into_iter().map(str::to_owned).collect()
}

/// The publisher's catalog revision and whether it holds any resource.
async fn catalog_state(
    db: &impl ConnectionTrait,
    publisher: &OrgNr,
) -> Result<(i64, bool), RegistryError> {
    let revision = publisher::Entity::find_by_id(publisher.as_str().to_owned())
        .one(db)
        .await?
        .map_or(0, |p| p.revision);
    let any = resource::Entity::find()
        .select_only()
        .column(resource::Column::Id)
        .filter(resource::Column::Publisher.eq(publisher.as_str()))
        .into_tuple::<String>()
        .one(db)
        .await?
        .is_some();
    Ok((revision, any))
}

fn check_precondition(
    precondition: Option<&Precondition>,
    publisher: &OrgNr,
    revision: i64,
    exists: bool,
) -> Result<(), RegistryError> {
    let current = catalog_etag(publisher.as_str(), revision);
    match precondition {
        None => Ok(()),
        Some(Precondition::IfMatch(tags)) => {
            let matches = tags
                .iter()
                .any(|t| (t == "*" && exists) || t.trim_start_matches("W/") == current);
            if matches {
                Ok(())
            } else {
                Err(RegistryError::PreconditionFailed(format!(
                    "the catalog of publisher {publisher} is at ETag {current}, not {}: fetch it again and retry",
                    tags.join(", ")
                )))
            }
        }
        Some(Precondition::IfNoneMatchAny) if exists => Err(RegistryError::PreconditionFailed(
            format!("publisher {publisher} already has a catalog (If-None-Match: *)"),
        )),
        Some(Precondition::IfNoneMatchAny) => Ok(()),
    }
}

/// The origin (instance id and URL) of a copy mirrored from another instance; `None` for a
/// resource this instance owns.
fn mirrored_from(current: &resource::Model, instance: &str) -> Option<(String, String)> {
    match current.origin_instance.as_deref() {
        Some(origin) if origin != instance => Some((
            origin.to_owned(),
            current.origin_url.clone().unwrap_or_default(),
        )),
        _ => None,
    }
}

/// Who else owns an existing resource this write wants to touch, if anyone.
fn foreign_owner(
    current: &resource::Model,
    scope: &Scope,
    actor: &Actor,
    publisher: Option<&OrgNr>,
) -> Option<String> {
    let owner = || {
        current
            .publisher
            .as_deref()
            .map_or_else(|| "nobody".to_owned(), |p| format!("publisher {p}"))
    };
    match scope {
        Scope::Source { source_id, .. } => {
            if current.publisher.as_deref() != publisher.map(OrgNr::as_str) {
                Some(owner())
            } else {
                match &current.source_id {
                    Some(other) if other != source_id => Some(format!("source {other}")),
                    _ => None,
                }
            }
        }
        Scope::Merge | Scope::Catalog => match actor {
            Actor::Publisher(own) if current.publisher.as_deref() != Some(own.as_str()) => {
                Some(owner())
            }
            _ => None,
        },
    }
}

/// What the write does to one delivered resource.
struct Planned {
    p: Prepared,
    outcome: Outcome,
    number: i32,
    new_version: bool,
    /// A same-publisher resource without a source that this source now delivers.
    adopt: bool,
    changed_predicates: Vec<String>,
}

/// Applies a batch as one transaction (or, for a dry run, computes what it would do).
pub async fn apply<D: TransactionTrait + ConnectionTrait>(
    db: &D,
    request: ApplyRequest,
) -> Result<ImportReport, RegistryError> {
    apply_with(db, request, None)
        .await
        .map(|(report, _)| report)
}

/// [`apply`], feeding the projections as it writes ([`Feed`]). The feed comes back once
/// everything the write changed is staged in it: commit it with the report's `last_seq`. It
/// does not come back when the write changed nothing, was a dry run, or could not be fed (the
/// catch-up after the commit applies it then); a failed write drops it, which leaves the
/// projections as they were.
pub async fn apply_with<D: TransactionTrait + ConnectionTrait>(
    db: &D,
    request: ApplyRequest,
    feed: Option<Feed>,
) -> Result<(ImportReport, Option<Feed>), RegistryError> {
    let ApplyRequest {
        parsed,
        file,
        publisher,
        actor,
        scope,
        dry_run,
        run_id,
        precondition,
        status,
        audit,
    } = request;
    if scope != Scope::Merge && publisher.is_none() {
        return Err(RegistryError::NoPublisher);
    }
    let started = std::time::Instant::now();
    let now = Utc::now();
    let mut report = ImportReport {
        file,
        format: parsed.format.to_string(),
        triples: parsed.triples,
        created: 0,
        updated: 0,
        unchanged: 0,
        retired: 0,
        reactivated: 0,
        published: 0,
        conflicts: Vec::new(),
        warnings: parsed.warnings,
        resources: Vec::with_capacity(parsed.resources.len()),
        last_seq: None,
        dry_run,
        catalog_etag: None,
        quality: None,
    };
    let prepared = parsed.resources;

    let txn = if dry_run {
        db.begin().await?
    } else {
        let txn = store::begin_write(db).await?;
        store::lock_for_write(&txn).await?;
        txn
    };
    let mut feed = if dry_run { None } else { feed };
    if let Some(f) = feed.as_mut() {
        // With the write lock held, nobody commits before this write: the projections must
        // stand at the log's end now, so the write's changes follow what they hold.
        let before = store::last_seq(&txn).await?;
        match f.align(db, before).await {
            Ok(true) => {}
            Ok(false) => feed = None,
            Err(error) => {
                tracing::warn!(%error, "projections not fed by this write: the catch-up applies it");
                feed = None;
            }
        }
    }
    // Changed resources the write did not create: staged once their rows are written, with
    // the content of their new version when they have one.
    let mut fed_later: Vec<(String, Option<String>)> = Vec::new();
    let mut revision = 0;
    if let Some(publisher) = &publisher {
        let (current, exists) = catalog_state(&txn, publisher).await?;
        check_precondition(precondition.as_ref(), publisher, current, exists)?;
        revision = current;
        if !dry_run {
            store::ensure_publisher(&txn, publisher.as_str(), now).await?;
        }
    }
    let ids: Vec<String> = prepared.iter().map(|p| p.id.clone()).collect();
    let existing: HashMap<String, resource::Model> = store::resources_by_ids(&txn, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let harvest = matches!(scope, Scope::Source { .. });
    let instance = crate::federation::Instance::load_or_create(&txn).await?.id;

    // Ownership: an interactive write touching someone else's resource is refused whole; a
    // harvest skips such a resource and reports it.
    let mut accepted = Vec::with_capacity(prepared.len());
    for p in prepared {
        // A copy mirrored from another instance follows its origin only.
        if let Some((origin, url)) = existing
            .get(&p.id)
            .and_then(|c| mirrored_from(c, &instance))
        {
            if !harvest {
                return Err(RegistryError::Mirrored {
                    iri: p.iri,
                    origin,
                    url,
                });
            }
            report.conflicts.push(ConflictReport {
                id: p.id,
                iri: p.iri,
                owner: format!("instance {origin} ({url})"),
            });
            continue;
        }
        if let Some(owner) = existing
            .get(&p.id)
            .and_then(|current| foreign_owner(current, &scope, &actor, publisher.as_ref()))
        {
            if !harvest {
                return Err(RegistryError::Forbidden {
                    iri: p.iri,
                    owner: owner.trim_start_matches("publisher ").to_owned(),
                    actor: publisher
                        .as_ref()
                        .map_or_else(|| "nobody".to_owned(), ToString::to_string),
                });
            }
            report.conflicts.push(ConflictReport {
                id: p.id,
                iri: p.iri,
                owner,
            });
            continue;
        }
        if let Some(alias) = &p.alias {
            if let Some(owner) = store::find_by_alias(&txn, alias).await? {
                if owner.id != p.id {
                    if harvest {
                        report.conflicts.push(ConflictReport {
                            id: p.id,
                            iri: p.iri,
                            owner: format!("alias {alias} of resource {}", owner.id),
                        });
                        continue;
                    }
                    return Err(RegistryError::AliasTaken {
                        alias: alias.clone(),
                        iri: p.iri,
                        owner: owner.id,
                    });
                }
            }
        }
        accepted.push(p);
    }

    // What happens to each delivered resource.
    let mut planned = Vec::with_capacity(accepted.len());
    for p in accepted {
        let (outcome, number, new_version, adopt) = match existing.get(&p.id) {
            Some(current) => {
                if status == WriteStatus::Draft && current.status != DRAFT {
                    return Err(RegistryError::PublishedNotDraft {
                        iri: p.iri,
                        status: current.status.clone(),
                    });
                }
                let changed = current.content_hash != p.hash;
                let number = current.current_version + i32::from(changed);
                let adopt = harvest && current.source_id.is_none();
                if current.status == RETIRED {
                    (Outcome::Reactivated, number, changed, adopt)
                } else if changed {
                    (Outcome::Updated, number, true, adopt)
                } else if current.status == DRAFT && status == WriteStatus::Valid {
                    (Outcome::Published, number, false, adopt)
                } else {
                    (Outcome::Unchanged, number, false, adopt)
                }
            }
            None => (Outcome::Created, 1, true, false),
        };
        planned.push(Planned {
            p,
            outcome,
            number,
            new_version,
            adopt,
            changed_predicates: Vec::new(),
        });
    }
    let wanted: Vec<(String, i32)> = planned
        .iter()
        .filter(|x| x.new_version && x.outcome != Outcome::Created)
        .map(|x| (x.p.id.clone(), x.number - 1))
        .collect();
    let old = store::ntriples_of_versions(&txn, &wanted).await?;
    for x in &mut planned {
        if let Some(old) = old.get(&x.p.id) {
            x.changed_predicates = changed_predicates(old, &x.p.ntriples);
        }
    }
    let delivered: HashSet<&str> = planned
        .iter()
        .map(|x| x.p.id.as_str())
        .chain(report.conflicts.iter().map(|c| c.id.as_str()))
        .collect();
    let retiring =
        retirement_candidates(&txn, &scope, publisher.as_ref(), &delivered, &instance).await?;

    let source_id = match &scope {
        Scope::Source { source_id, .. } => Some(source_id.clone()),
        _ => None,
    };
    let mut new_resources = Vec::new();
    let mut new_versions = Vec::new();
    let mut new_changes = Vec::new();
    for x in planned {
        let Planned {
            p,
            outcome,
            number,
            new_version,
            adopt,
            changed_predicates,
        } = x;
        match outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
            Outcome::Reactivated => report.reactivated += 1,
            Outcome::Retired => report.retired += 1,
            Outcome::Published => report.published += 1,
        }
        if !dry_run {
            write_delivered(
                &txn,
                &p,
                Delivered {
                    outcome,
                    number,
                    new_version,
                    adopt,
                    source_id: source_id.as_deref(),
                    publisher: publisher.as_ref(),
                    instance: &instance,
                    now,
                    status: status.as_str(),
                    was_draft: existing.get(&p.id).is_some_and(|c| c.status == DRAFT),
                },
                &mut new_resources,
            )
            .await?;
            if let Some(f) = feed.as_mut() {
                match outcome {
                    Outcome::Created => {
                        let row = new_resources
                            .last()
                            .cloned()
                            .map(sea_orm::TryIntoModel::try_into_model);
                        if let Some(Ok(row)) = row {
                            f.stage(row, p.ntriples.clone(), false).await;
                        }
                    }
                    Outcome::Updated | Outcome::Reactivated | Outcome::Published => {
                        fed_later.push((p.id.clone(), new_version.then(|| p.ntriples.clone())))
                    }
                    Outcome::Unchanged | Outcome::Retired => {}
                }
            }
            if new_version {
                new_versions.push(version::ActiveModel {
                    resource_id: Set(p.id.clone()),
                    version: Set(number),
                    content_hash: Set(p.hash.clone()),
                    ntriples: Set(p.ntriples),
                    triple_count: Set(i32::try_from(p.triple_count).unwrap_or(i32::MAX)),
                    created_at: Set(now),
                    origin_version: Set(None),
                    fetched_at: Set(None),
                });
            }
            let op = match outcome {
                Outcome::Created => Some("created"),
                Outcome::Updated => Some("updated"),
                Outcome::Reactivated => Some("reactivated"),
                // Followers see a draft first here: the change that made it public.
                Outcome::Published => Some("published"),
                Outcome::Unchanged | Outcome::Retired => None,
            };
            if let Some(op) = op {
                new_changes.push(change_row(&p.id, &p.iri, &p.kind, op, number, now));
            }
            // Written as the batch goes, so a feed works beside the SQL and holds only what it
            // has not staged yet.
            if new_resources.len() >= ROWS_PER_STATEMENT
                || new_versions.len() >= ROWS_PER_STATEMENT
                || new_changes.len() >= ROWS_PER_STATEMENT
            {
                insert_rows(
                    &txn,
                    &mut new_resources,
                    &mut new_versions,
                    &mut new_changes,
                )
                .await?;
            }
        }
        report.resources.push(ResourceOutcome {
            id: p.id,
            iri: p.iri,
            kind: p.kind,
            outcome,
            version: number,
            changed_predicates,
        });
    }
    for gone in retiring {
        report.retired += 1;
        if feed.is_some() {
            fed_later.push((gone.id.clone(), None));
        }
        if !dry_run {
            new_changes.push(change_row(
                &gone.id,
                &gone.iri,
                &gone.kind,
                RETIRED,
                gone.version,
                now,
            ));
        }
        report.resources.push(ResourceOutcome {
            id: gone.id,
            iri: gone.iri,
            kind: gone.kind,
            outcome: Outcome::Retired,
            version: gone.version,
            changed_predicates: Vec::new(),
        });
    }
    let changed =
        report.created + report.updated + report.reactivated + report.retired + report.published
            > 0;
    if dry_run {
        txn.rollback().await?;
        report.catalog_etag = publisher
            .as_ref()
            .map(|p| catalog_etag(p.as_str(), revision));
        return Ok((report, None));
    }
    let retired_ids: Vec<String> = report
        .resources
        .iter()
        .filter(|r| r.outcome == Outcome::Retired)
        .map(|r| r.id.clone())
        .collect();
    for chunk in retired_ids.chunks(500) {
        resource::Entity::update_many()
            .col_expr(resource::Column::Status, Expr::value(RETIRED))
            .col_expr(resource::Column::RetiredAt, Expr::value(now))
            .col_expr(resource::Column::RetiredBy, Expr::value(run_id.clone()))
            .col_expr(resource::Column::UpdatedAt, Expr::value(now))
            .filter(resource::Column::Id.is_in(chunk.iter().cloned()))
            .exec(&txn)
            .await?;
    }
    insert_rows(
        &txn,
        &mut new_resources,
        &mut new_versions,
        &mut new_changes,
    )
    .await?;
    if let Some(publisher) = &publisher {
        if changed {
            revision += 1;
            publisher::Entity::update_many()
                .col_expr(publisher::Column::Revision, Expr::value(revision))
                .filter(publisher::Column::OrgNr.eq(publisher.as_str()))
                .exec(&txn)
                .await?;
        }
        report.catalog_etag = Some(catalog_etag(publisher.as_str(), revision));
    }
    if changed {
        report.last_seq = Some(store::last_seq(&txn).await?);
    }
    if let Some(f) = feed.as_mut() {
        if !stage_changed(&txn, f, fed_later).await? {
            // Dropped, the feed leaves the projections as they were.
            feed = None;
        }
    }
    let mut detail = match audit.detail {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    detail.insert("status".to_owned(), status.as_str().into());
    if let Some(run_id) = &run_id {
        detail.insert("runId".to_owned(), run_id.clone().into());
    }
    if let Scope::Source { source_id, .. } = &scope {
        detail.insert("sourceId".to_owned(), source_id.clone().into());
    }
    detail.insert(
        "scope".to_owned(),
        match &scope {
            Scope::Merge => "merge",
            Scope::Catalog => "catalog",
            Scope::Source { .. } => "source",
        }
        .into(),
    );
    if let Some(publisher) = &publisher {
        detail.insert("catalogPublisher".to_owned(), publisher.as_str().into());
    }
    let event = audit::Event::of_report(audit.action, &report, serde_json::Value::Object(detail));
    audit::record(&txn, &audit.actor, &event).await?;
    txn.commit().await?;
    tracing::debug!(
        total_ms = started.elapsed().as_millis() as u64,
        "write committed"
    );
    let feed = if changed { feed } else { None };
    Ok((report, feed))
}

/// Rows per INSERT: keeps each statement under every database's bind-parameter limit.
const ROWS_PER_STATEMENT: usize = 200;

/// Inserts the collected rows and empties the lists. Resources first: versions refer to them.
async fn insert_rows(
    txn: &impl ConnectionTrait,
    resources: &mut Vec<resource::ActiveModel>,
    versions: &mut Vec<version::ActiveModel>,
    changes: &mut Vec<change::ActiveModel>,
) -> Result<(), RegistryError> {
    for chunk in moved_chunks(std::mem::take(resources), ROWS_PER_STATEMENT) {
        resource::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in moved_chunks(std::mem::take(versions), ROWS_PER_STATEMENT) {
        version::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in moved_chunks(std::mem::take(changes), ROWS_PER_STATEMENT) {
        change::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Stages the changed resources the write did not create, with their rows as the write left
/// them (read inside its transaction) and the content of their current version. Returns
/// whether every one was staged (if not, the feed must not be committed).
async fn stage_changed(
    txn: &impl ConnectionTrait,
    feed: &mut Feed,
    changed: Vec<(String, Option<String>)>,
) -> Result<bool, RegistryError> {
    if changed.is_empty() {
        return Ok(true);
    }
    let ids: Vec<String> = changed.iter().map(|(id, _)| id.clone()).collect();
    let mut rows: HashMap<String, resource::Model> = store::resources_by_ids(txn, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let wanted: Vec<(String, i32)> = changed
        .iter()
        .filter(|(_, ntriples)| ntriples.is_none())
        .filter_map(|(id, _)| rows.get(id).map(|r| (id.clone(), r.current_version)))
        .collect();
    let mut stored = store::ntriples_of_versions(txn, &wanted).await?;
    for (id, ntriples) in changed {
        let (Some(row), Some(ntriples)) =
            (rows.remove(&id), ntriples.or_else(|| stored.remove(&id)))
        else {
            return Ok(false);
        };
        feed.stage(row, ntriples, true).await;
    }
    Ok(true)
}

/// How one delivered resource is written.
struct Delivered<'a> {
    outcome: Outcome,
    number: i32,
    new_version: bool,
    adopt: bool,
    source_id: Option<&'a str>,
    publisher: Option<&'a OrgNr>,
    instance: &'a str,
    now: DateTime<Utc>,
    /// The status the write gives.
    status: &'static str,
    /// Whether the resource is a draft now.
    was_draft: bool,
}

/// Writes the resource row of a delivered resource (new rows are collected for one insert).
async fn write_delivered(
    txn: &impl ConnectionTrait,
    p: &Prepared,
    how: Delivered<'_>,
    new_resources: &mut Vec<resource::ActiveModel>,
) -> Result<(), RegistryError> {
    let label = preferred_label(&p.labels).unwrap_or(&p.iri).to_owned();
    let labels_json = serde_json::to_string(&p.labels).unwrap_or_else(|_| "{}".to_owned());
    if how.outcome == Outcome::Created {
        new_resources.push(resource::ActiveModel {
            id: Set(p.id.clone()),
            iri: Set(p.iri.clone()),
            kind: Set(p.kind.clone()),
            publisher: Set(how.publisher.map(|o| o.as_str().to_owned())),
            status: Set(how.status.to_owned()),
            alias: Set(p.alias.clone()),
            label: Set(label),
            labels: Set(labels_json),
            current_version: Set(1),
            content_hash: Set(p.hash.clone()),
            created_at: Set(how.now),
            updated_at: Set(how.now),
            source_id: Set(how.source_id.map(str::to_owned)),
            retired_at: Set(None),
            retired_by: Set(None),
            origin_instance: Set(Some(how.instance.to_owned())),
            origin_url: Set(None),
            origin_iri: Set(None),
            origin_version: Set(None),
            origin_hash: Set(None),
            fetched_at: Set(None),
            peer_id: Set(None),
        });
        return Ok(());
    }
    let mut row = resource::ActiveModel {
        id: Set(p.id.clone()),
        ..Default::default()
    };
    let mut touched = false;
    if how.new_version {
        row.kind = Set(p.kind.clone());
        row.label = Set(label);
        row.labels = Set(labels_json);
        row.alias = Set(p.alias.clone());
        row.current_version = Set(how.number);
        row.content_hash = Set(p.hash.clone());
        row.updated_at = Set(how.now);
        touched = true;
    }
    if how.outcome == Outcome::Reactivated {
        // Same id, same created_at (its `issued`): only the status and the retirement go.
        row.status = Set(VALID.to_owned());
        row.retired_at = Set(None);
        row.retired_by = Set(None);
        row.updated_at = Set(how.now);
        touched = true;
    }
    if how.was_draft && how.status == VALID {
        row.status = Set(VALID.to_owned());
        row.updated_at = Set(how.now);
        touched = true;
    }
    if how.adopt {
        row.source_id = Set(how.source_id.map(str::to_owned));
        touched = true;
    }
    if touched {
        resource::Entity::update(row).exec(txn).await?;
    }
    Ok(())
}

/// A row of the change log (this instance's feed).
pub(crate) fn change_row(
    id: &str,
    iri: &str,
    kind: &str,
    op: &str,
    number: i32,
    now: DateTime<Utc>,
) -> change::ActiveModel {
    change::ActiveModel {
        resource_id: Set(id.to_owned()),
        iri: Set(iri.to_owned()),
        kind: Set(kind.to_owned()),
        op: Set(op.to_owned()),
        version: Set(number),
        at: Set(now),
        ..Default::default()
    }
}

/// Rows in chunks of `size`, moved rather than copied (a version row holds its whole N-Triples).
pub(crate) fn moved_chunks<T>(rows: Vec<T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        Some(rows.by_ref().take(size).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_predicates_name_what_was_added_or_removed() {
        let old =
            "<http://x/a> <http://p/label> \"A\" .\n<http://x/a> <http://p/type> <http://c/C> .\n";
        let new = "<http://x/a> <http://p/label> \"B\" .\n<http://x/a> <http://p/type> <http://c/C> .\n<http://x/a> <http://p/note> \"n\"@nb .\n";
        assert_eq!(
            changed_predicates(old, new),
            vec!["http://p/label".to_owned(), "http://p/note".to_owned()]
        );
    }

    #[test]
    fn a_catalog_etag_mismatch_is_refused_and_a_match_passes() {
        let org = OrgNr::parse("974760673").unwrap();
        let current = catalog_etag(org.as_str(), 3);
        assert!(
            check_precondition(Some(&Precondition::IfMatch(vec![current])), &org, 3, true).is_ok()
        );
        assert!(check_precondition(
            Some(&Precondition::IfMatch(vec![catalog_etag(org.as_str(), 2)])),
            &org,
            3,
            true
        )
        .is_err());
        assert!(check_precondition(Some(&Precondition::IfNoneMatchAny), &org, 0, false).is_ok());
        assert!(check_precondition(Some(&Precondition::IfNoneMatchAny), &org, 1, true).is_err());
    }
}
