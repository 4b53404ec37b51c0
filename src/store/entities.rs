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
    #[sea_orm(table_name = "tokens")]
    pub struct Model {
        /// A random id, for listing and revoking.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The publisher the token writes for.
        pub publisher: String,
        /// SHA-256 (hex) of the token.
        pub token_hash: String,
        /// When the token was created.
        pub created_at: DateTimeUtc,
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
