//! Lists made of concepts: an index on the change log by resource and seq, so the version of
//! each member concept as of a change (a pinned version of such a list) is found without
//! scanning the log.

use sea_orm_migration::prelude::*;

/// Adds `idx_changes_resource_seq`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000015_concepts"
    }
}

#[derive(DeriveIden)]
enum Changes {
    Table,
    ResourceId,
    Seq,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_changes_resource_seq")
                    .table(Changes::Table)
                    .col(Changes::ResourceId)
                    .col(Changes::Seq)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_changes_resource_seq")
                    .table(Changes::Table)
                    .to_owned(),
            )
            .await
    }
}
