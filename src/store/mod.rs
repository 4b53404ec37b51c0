//! The store of record: sea-orm over a SQLite file (default) or PostgreSQL. It holds publishers,
//! resources, immutable versions, hashed API tokens and the append-only change log. Repository
//! functions take `&impl ConnectionTrait` so they run on the pool or inside a transaction.

pub mod entities;
pub mod members;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use semreg_migrations::{Migrator, MigratorTrait};
use std::path::Path;
use std::time::Duration;

pub use entities::{change, peer, publisher, resource, run, setting, source, token, version};

/// Errors of the store of record.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database answered with an error (or could not be reached).
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// The database URL is not one semreg supports.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
}

/// The SQLite URL of the default database inside a data dir.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("semreg.sqlite").display()
    )
}

/// Opens the store of record and runs pending migrations.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StoreError> {
    let is_sqlite = url.starts_with("sqlite:");
    if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    if is_sqlite {
        // Writers wait for each other (busy timeout) instead of failing; WAL lets readers go on
        // while a write commits. These are per-connection settings, so they go on every one.
        options
            .max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            })
            // A connection is handed out only outside any transaction. When a write failed
            // with SQLITE_FULL (disk full), its ROLLBACK could fail too, leaving the pooled
            // connection inside the failed transaction: the next write on it then ran as a
            // nested savepoint, was answered 200, and was lost when the outer transaction was
            // rolled back (found with the data dir on a full tmpfs). Such a connection is
            // closed instead (which rolls back only the failed write).
            .map_sqlx_sqlite_before_acquire(|conn, _| {
                Box::pin(async move {
                    use sea_orm::sqlx::{Connection, Executor};
                    if conn.is_in_transaction() {
                        return Ok(false);
                    }
                    // SQLite's own view: BEGIN fails while it still holds a transaction open.
                    if conn.execute("BEGIN").await.is_err() {
                        return Ok(false);
                    }
                    conn.execute("ROLLBACK").await?;
                    Ok(true)
                })
            });
    } else {
        options.max_connections(16);
    }
    let db = Database::connect(options).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Begins a transaction that writes. On SQLite it is `BEGIN IMMEDIATE`: it takes the
/// database's write lock at once, waiting out the busy timeout while another connection (a
/// running server, a CLI command) writes. A deferred transaction that reads first and writes
/// later is refused at once instead (`SQLITE_BUSY`, without the busy handler: SQLite cannot
/// upgrade a read snapshot while another writer holds the lock), as `semreg token create`
/// was beside a busy server (found by tests/federation.rs). PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Takes the store-wide write lock inside a transaction: writers run one at a time, so the
/// change log's `seq` order is its commit order (a follower never misses a late commit).
pub async fn lock_for_write(txn: &impl ConnectionTrait) -> Result<(), StoreError> {
    txn.execute_raw(Statement::from_string(
        txn.get_database_backend(),
        "UPDATE write_lock SET writes = writes + 1 WHERE id = 1",
    ))
    .await?;
    Ok(())
}

/// Makes sure a publisher row exists.
pub async fn ensure_publisher(
    db: &impl ConnectionTrait,
    org_nr: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if publisher::Entity::find_by_id(org_nr.to_owned())
        .one(db)
        .await?
        .is_none()
    {
        let row = publisher::ActiveModel {
            org_nr: sea_orm::Set(org_nr.to_owned()),
            name: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            revision: sea_orm::Set(0),
        };
        publisher::Entity::insert(row).exec(db).await?;
    }
    Ok(())
}

/// Loads resources by id, in chunks that fit any database's parameter limit.
pub async fn resources_by_ids(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<resource::Model>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        found.extend(
            resource::Entity::find()
                .filter(resource::Column::Id.is_in(chunk.iter().cloned()))
                .all(db)
                .await?,
        );
    }
    Ok(found)
}

/// Finds a resource by its id or its alias.
pub async fn find_resource(
    db: &impl ConnectionTrait,
    id_or_alias: &str,
) -> Result<Option<resource::Model>, StoreError> {
    if let Some(found) = resource::Entity::find_by_id(id_or_alias.to_owned())
        .one(db)
        .await?
    {
        return Ok(Some(found));
    }
    find_by_alias(db, id_or_alias).await
}

/// Finds a resource by its id or its alias, unless it is a draft: for what is public whoever
/// asks — the web pages, the exports, and the lookups that compose one resource from others
/// (service-model parts, concept fields, mappings). A draft is seen only by its publisher, and
/// only where the request names it (`/api/v1/resources`, search, SPARQL, code lists).
pub async fn find_public_resource(
    db: &impl ConnectionTrait,
    id_or_alias: &str,
) -> Result<Option<resource::Model>, StoreError> {
    Ok(find_resource(db, id_or_alias)
        .await?
        .filter(|r| r.status != crate::registry::DRAFT))
}

/// Finds the resource that has an alias.
pub async fn find_by_alias(
    db: &impl ConnectionTrait,
    alias: &str,
) -> Result<Option<resource::Model>, StoreError> {
    Ok(resource::Entity::find()
        .filter(resource::Column::Alias.eq(alias))
        .one(db)
        .await?)
}

/// Filters for listing resources.
#[derive(Debug, Default, Clone)]
pub struct ResourceFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this publisher.
    pub publisher: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only this IRI.
    pub iri: Option<String>,
    /// Only resources owned by this instance id (every row carries its owner's id; see
    /// `federation::mirror::backfill_own_origin`).
    pub origin: Option<String>,
    /// The publisher whose drafts are listed too (drafts of others never are).
    pub drafts_of: Option<String>,
}

/// The IRIs of the drafts not of `viewer` (all drafts for `None`): the graphs a SPARQL query of
/// `viewer` must not see. Read through the index on `resources.status`.
pub async fn drafts_hidden_from(
    db: &impl ConnectionTrait,
    viewer: Option<&str>,
) -> Result<std::collections::HashSet<String>, StoreError> {
    let mut query = resource::Entity::find()
        .select_only()
        .column(resource::Column::Iri)
        .filter(resource::Column::Status.eq("draft"));
    if let Some(viewer) = viewer {
        query = query.filter(
            sea_orm::Condition::any()
                .add(resource::Column::Publisher.ne(viewer))
                .add(resource::Column::Publisher.is_null()),
        );
    }
    let iris: Vec<String> = query.into_tuple().all(db).await?;
    Ok(iris.into_iter().collect())
}

/// Lists resources ordered by IRI, with the total count before paging.
pub async fn list_resources(
    db: &impl ConnectionTrait,
    filter: &ResourceFilter,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<resource::Model>), StoreError> {
    let mut query = resource::Entity::find();
    if let Some(kind) = &filter.kind {
        query = query.filter(resource::Column::Kind.eq(kind.as_str()));
    }
    if let Some(publisher) = &filter.publisher {
        query = query.filter(resource::Column::Publisher.eq(publisher.as_str()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(resource::Column::Status.eq(status.as_str()));
    }
    if let Some(iri) = &filter.iri {
        query = query.filter(resource::Column::Iri.eq(iri.as_str()));
    }
    if let Some(origin) = &filter.origin {
        query = query.filter(resource::Column::OriginInstance.eq(origin.as_str()));
    }
    // A draft is seen only by its publisher.
    let mut visible = sea_orm::Condition::any().add(resource::Column::Status.ne("draft"));
    if let Some(own) = &filter.drafts_of {
        visible = visible.add(resource::Column::Publisher.eq(own.as_str()));
    }
    query = query.filter(visible);
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_asc(resource::Column::Iri)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, items))
}

/// The versions of a resource, newest first, without their content.
pub async fn list_versions(
    db: &impl ConnectionTrait,
    resource_id: &str,
) -> Result<Vec<(i32, String, i32, DateTime<Utc>)>, StoreError> {
    let rows: Vec<(i32, String, i32, DateTime<Utc>)> = version::Entity::find()
        .select_only()
        .column(version::Column::Version)
        .column(version::Column::ContentHash)
        .column(version::Column::TripleCount)
        .column(version::Column::CreatedAt)
        .filter(version::Column::ResourceId.eq(resource_id))
        .order_by_desc(version::Column::Version)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows)
}

/// One version of a resource, with its content.
pub async fn get_version(
    db: &impl ConnectionTrait,
    resource_id: &str,
    number: i32,
) -> Result<Option<version::Model>, StoreError> {
    Ok(
        version::Entity::find_by_id((resource_id.to_owned(), number))
            .one(db)
            .await?,
    )
}

/// Changes after `since`, oldest first.
pub async fn changes_since(
    db: &impl ConnectionTrait,
    since: i64,
    limit: u64,
) -> Result<Vec<change::Model>, StoreError> {
    Ok(change::Entity::find()
        .filter(change::Column::Seq.gt(since))
        .order_by_asc(change::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

/// A change as a catch-up step sizes it: which resource, and how many triples its version has
/// (0 if the version is missing). The versions' content is not read here.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ChangeSize {
    /// The change's seq.
    pub seq: i64,
    /// The resource that changed.
    pub resource_id: String,
    /// Its IRI.
    pub iri: String,
    /// Triples in the version the change made.
    pub triple_count: Option<i32>,
}

/// Up to `limit` changes after `since`, in seq order, each with the triple count of the version
/// it made.
pub async fn changes_with_sizes_since(
    db: &impl ConnectionTrait,
    since: i64,
    limit: u64,
) -> Result<Vec<ChangeSize>, StoreError> {
    Ok(change::Entity::find()
        .select_only()
        .column(change::Column::Seq)
        .column(change::Column::ResourceId)
        .column(change::Column::Iri)
        .column(version::Column::TripleCount)
        .left_join(version::Entity)
        .filter(change::Column::Seq.gt(since))
        .order_by_asc(change::Column::Seq)
        .limit(limit)
        .into_model::<ChangeSize>()
        .all(db)
        .await?)
}

/// The versions made by the changes with `after < seq <= up_to`, each with its change's seq.
pub async fn versions_of_changes(
    db: &impl ConnectionTrait,
    after: i64,
    up_to: i64,
) -> Result<Vec<(i64, version::Model)>, StoreError> {
    Ok(change::Entity::find()
        .find_also_related(version::Entity)
        .filter(change::Column::Seq.gt(after))
        .filter(change::Column::Seq.lte(up_to))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(c, v)| v.map(|v| (c.seq, v)))
        .collect())
}

/// The newest `seq` in the change log (0 when empty).
pub async fn last_seq(db: &impl ConnectionTrait) -> Result<i64, StoreError> {
    seq_bound(db, Func::max(Expr::col(change::Column::Seq))).await
}

/// The oldest `seq` in the change log (0 when empty).
pub async fn first_seq(db: &impl ConnectionTrait) -> Result<i64, StoreError> {
    seq_bound(db, Func::min(Expr::col(change::Column::Seq))).await
}

/// `MIN` or `MAX` of the change log's `seq` (0 when the log is empty).
async fn seq_bound(
    db: &impl ConnectionTrait,
    bound: sea_orm::sea_query::FunctionCall,
) -> Result<i64, StoreError> {
    let value: Option<Option<i64>> = change::Entity::find()
        .select_only()
        .column_as(Expr::from(bound), "bound")
        .into_tuple()
        .one(db)
        .await?;
    Ok(value.flatten().unwrap_or(0))
}

/// Counts resources, for metrics and health.
pub async fn count_resources(db: &impl ConnectionTrait) -> Result<u64, StoreError> {
    Ok(resource::Entity::find().count(db).await?)
}

/// The N-Triples of the given (resource, version) pairs, by resource id, read in chunks.
pub async fn ntriples_of_versions(
    db: &impl ConnectionTrait,
    wanted: &[(String, i32)],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let mut found = std::collections::HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(100) {
        let mut any = sea_orm::Condition::any();
        for (id, number) in chunk {
            any = any.add(
                sea_orm::Condition::all()
                    .add(version::Column::ResourceId.eq(id.as_str()))
                    .add(version::Column::Version.eq(*number)),
            );
        }
        for row in version::Entity::find().filter(any).all(db).await? {
            found.insert(row.resource_id, row.ntriples);
        }
    }
    Ok(found)
}

/// The N-Triples and triple count of the given (resource, version) pairs (repeats read once),
/// keyed by the pair, read in chunks.
pub async fn versions_by_keys(
    db: &impl ConnectionTrait,
    wanted: &[(String, i32)],
) -> Result<std::collections::HashMap<(String, i32), (String, i32)>, StoreError> {
    let unique: std::collections::BTreeSet<&(String, i32)> = wanted.iter().collect();
    let unique: Vec<&(String, i32)> = unique.into_iter().collect();
    let mut found = std::collections::HashMap::with_capacity(unique.len());
    for chunk in unique.chunks(100) {
        let mut any = sea_orm::Condition::any();
        for (id, number) in chunk {
            any = any.add(
                sea_orm::Condition::all()
                    .add(version::Column::ResourceId.eq(id.as_str()))
                    .add(version::Column::Version.eq(*number)),
            );
        }
        let rows: Vec<(String, i32, String, i32)> = version::Entity::find()
            .select_only()
            .column(version::Column::ResourceId)
            .column(version::Column::Version)
            .column(version::Column::Ntriples)
            .column(version::Column::TripleCount)
            .filter(any)
            .into_tuple()
            .all(db)
            .await?;
        for (id, number, ntriples, triples) in rows {
            found.insert((id, number), (ntriples, triples));
        }
    }
    Ok(found)
}
