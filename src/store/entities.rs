//! sea-orm entities of the store of record (the schema is in `migrations/`).

/// Publishers: agencies identified by their organisation number.
pub mod publisher {
    use sea_orm::entity::prelude::*;

    /// One publisher row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "publishers")]
    pub struct Model {
        /// The 9-digit organisation number.
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_nr: String,
        /// A display name, when known.
        pub name: Option<String>,
        /// When the publisher was first seen.
        pub created_at: DateTimeUtc,
        /// Counts the writes that changed this publisher's resources: the ETag of its catalog.
        pub revision: i64,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Resources: one row per IRI, pointing at its current version.
pub mod resource {
    use sea_orm::entity::prelude::*;

    /// One resource row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "resources")]
    pub struct Model {
        /// Deterministic id from the IRI (UUID v3 as FDK's fdkId).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The resource's IRI.
        pub iri: String,
        /// concept, collection, code-list, type, model, ...
        pub kind: String,
        /// Owning publisher's org number, if any.
        pub publisher: Option<String>,
        /// draft, valid, deprecated, superseded, retired.
        pub status: String,
        /// A readable alias, unique, e.g. `ssb-klass-131`.
        pub alias: Option<String>,
        /// The preferred label in the preferred language.
        pub label: String,
        /// JSON object: language tag -> preferred label.
        pub labels: String,
        /// The number of the current version (1-based).
        pub current_version: i32,
        /// SHA-256 of the current version's canonical N-Triples.
        pub content_hash: String,
        /// When the resource was first stored.
        pub created_at: DateTimeUtc,
        /// When the resource last changed.
        pub updated_at: DateTimeUtc,
        /// The harvest source that delivers this resource, if it came from one.
        pub source_id: Option<String>,
        /// When it was retired (status `retired`), if it is.
        pub retired_at: Option<DateTimeUtc>,
        /// The run (harvest or push) that retired it, if it is retired.
        pub retired_by: Option<String>,
        /// The id of the instance that owns it (this instance's own id for its own resources).
        pub origin_instance: Option<String>,
        /// A mirrored copy: the base URL of the instance that owns it.
        pub origin_url: Option<String>,
        /// A mirrored copy: its IRI on the origin.
        pub origin_iri: Option<String>,
        /// A mirrored copy: the origin's version it holds.
        pub origin_version: Option<i32>,
        /// A mirrored copy: the origin's content hash of that version.
        pub origin_hash: Option<String>,
        /// A mirrored copy: when that version was fetched.
        pub fetched_at: Option<DateTimeUtc>,
        /// A mirrored copy: the peer it was fetched from.
        pub peer_id: Option<String>,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Versions: immutable snapshots of a resource's graph.
pub mod version {
    use sea_orm::entity::prelude::*;

    /// One version row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "versions")]
    pub struct Model {
        /// The resource this is a version of.
        #[sea_orm(primary_key, auto_increment = false)]
        pub resource_id: String,
        /// 1-based version number.
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i32,
        /// SHA-256 (hex) of `ntriples`.
        pub content_hash: String,
        /// Canonical N-Triples: sorted, unique lines, no blank nodes.
        pub ntriples: String,
        /// Number of triples.
        pub triple_count: i32,
        /// When the version was stored.
        pub created_at: DateTimeUtc,
        /// A mirrored copy's version: the origin's version number (the same number here).
        pub origin_version: Option<i32>,
        /// A mirrored copy's version: when it was fetched from a peer.
        pub fetched_at: Option<DateTimeUtc>,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// API tokens, stored as SHA-256 hashes only.
pub mod token {
    use sea_orm::entity::prelude::*;

    /// One token row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_tokens")]
    pub struct Model {
        /// A random id, for listing and revoking.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// `publisher` or `admin`.
        pub role: String,
        /// The publisher a publisher token writes for (none for an admin token).
        pub publisher: Option<String>,
        /// SHA-256 (hex) of the token.
        pub token_hash: String,
        /// When the token was created.
        pub created_at: DateTimeUtc,
        /// When it was revoked (refused from then on; the row stays for the audit trail).
        pub revoked_at: Option<DateTimeUtc>,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The append-only change log.
pub mod change {
    use sea_orm::entity::prelude::*;

    /// One change row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "changes")]
    pub struct Model {
        /// Strictly increasing sequence number, in commit order.
        #[sea_orm(primary_key)]
        pub seq: i64,
        /// The resource that changed.
        pub resource_id: String,
        /// Its IRI.
        pub iri: String,
        /// Its kind.
        pub kind: String,
        /// created, updated, retired.
        pub op: String,
        /// The version the resource has after the change.
        pub version: i32,
        /// When the change was committed.
        pub at: DateTimeUtc,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    /// A change made a version: joined when projections read a batch of changes.
    impl Related<super::version::Entity> for Entity {
        fn to() -> RelationDef {
            Entity::belongs_to(super::version::Entity)
                .from((Column::ResourceId, Column::Version))
                .to((
                    super::version::Column::ResourceId,
                    super::version::Column::Version,
                ))
                .into()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Harvest sources: FDK-style data-source registrations and their scheduling state.
pub mod source {
    use sea_orm::entity::prelude::*;

    /// One source row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sources")]
    pub struct Model {
        /// A random id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Where the catalog is fetched from.
        pub url: String,
        /// concept, informationmodel, codelist.
        pub data_type: String,
        /// SKOS-AP-NO, ModellDCAT-AP-NO, DCAT-AP-NO, SERES, Klass, Altinn-options, CSV, ...
        pub data_source_type: String,
        /// The `Accept` header sent, if set.
        pub accept_header: Option<String>,
        /// The publisher the harvested resources belong to.
        pub publisher: String,
        /// Free text.
        pub description: Option<String>,
        /// The name of an extra header sent with each fetch (e.g. an API key).
        pub auth_header_name: Option<String>,
        /// Its value (a secret: never echoed in full nor logged).
        pub auth_header_value: Option<String>,
        /// Seconds between runs.
        pub interval_seconds: i64,
        /// Whether the scheduler runs it.
        pub active: bool,
        /// Whether SHACL violations fail a run.
        pub strict: bool,
        /// When the source was registered.
        pub created_at: DateTimeUtc,
        /// The `ETag` of the last successful fetch.
        pub etag: Option<String>,
        /// The `Last-Modified` of the last successful fetch.
        pub last_modified: Option<String>,
        /// When the scheduler runs it next.
        pub next_run_at: DateTimeUtc,
        /// Until when the running run holds the source (renewed while it runs).
        pub lease_until: Option<DateTimeUtc>,
        /// The run in progress, if any.
        pub running_run: Option<String>,
        /// Failed runs in a row (for backoff).
        pub failures: i32,
        /// When a run last succeeded (done or unchanged).
        pub last_success_at: Option<DateTimeUtc>,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Runs: one harvest of a source, or one whole-catalog push, with its report.
pub mod run {
    use sea_orm::entity::prelude::*;

    /// One run row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "runs")]
    pub struct Model {
        /// A random id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The source harvested (none for a push).
        pub source_id: Option<String>,
        /// The publisher whose catalog it applied.
        pub publisher: Option<String>,
        /// harvest or push.
        pub kind: String,
        /// running, done, error, unchanged.
        pub status: String,
        /// Whether "unchanged" was ignored.
        pub forced: bool,
        /// Whether everything of the source was retired.
        pub remove_all: bool,
        /// When it started.
        pub start_time: DateTimeUtc,
        /// When it ended.
        pub end_time: Option<DateTimeUtc>,
        /// FDK's error category, for a failed run.
        pub error_category: Option<String>,
        /// What went wrong.
        pub error_message: Option<String>,
        /// Resources created.
        pub created: i32,
        /// Resources with a new version.
        pub updated: i32,
        /// Resources left as they were.
        pub unchanged: i32,
        /// Resources retired.
        pub retired: i32,
        /// Retired resources that came back.
        pub reactivated: i32,
        /// Resources skipped because another source or publisher owns them.
        pub conflicts: i32,
        /// JSON: changed, removed and conflicting resources, warnings.
        pub report: Option<String>,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The instance's own facts (its id, the change log's epoch), by key.
pub mod setting {
    use sea_orm::entity::prelude::*;

    /// One setting row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "settings")]
    pub struct Model {
        /// The setting's name.
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        /// Its value.
        pub value: String,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Peers: the instances this one follows, and how far it got.
pub mod peer {
    use sea_orm::entity::prelude::*;

    /// One peer row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "peers")]
    pub struct Model {
        /// A random id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The peer's base URL.
        pub url: String,
        /// The peer's instance id, once known.
        pub peer_instance: Option<String>,
        /// The epoch of the peer's change log last seen.
        pub peer_epoch: Option<String>,
        /// The last `seq` of the peer's feed applied here.
        pub last_seq: i64,
        /// The newest `seq` the peer reported.
        pub peer_last_seq: i64,
        /// Changes of the peer not yet applied here, when last looked.
        pub lag: i64,
        /// What went wrong last, if the last attempt failed.
        pub last_error: Option<String>,
        /// When an attempt last succeeded.
        pub last_success_at: Option<DateTimeUtc>,
        /// When the peer was last asked.
        pub last_attempt_at: Option<DateTimeUtc>,
        /// Failed attempts in a row (for backoff).
        pub failures: i32,
        /// When the follower tries again after a failure.
        pub next_attempt_at: Option<DateTimeUtc>,
        /// Full resyncs done (each after a new epoch of the peer).
        pub resyncs: i32,
        /// During a full resync: the peer's last `seq` when it began. It ends, and the copies
        /// of the peer not seen on the way are retired, once the follower has applied that far.
        pub resync_until: Option<i64>,
        /// When the peer was added.
        pub created_at: DateTimeUtc,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
