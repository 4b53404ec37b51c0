//! A follower's resync survives a restart: `peers.resync_until` holds the peer's log end as of
//! the start of a full resync (after a new epoch) until the resync has retired the copies the
//! peer no longer has. A follower that starts with it set begins the resync again from `seq` 0.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `peers.resync_until`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000033_peer_resync"
    }
}

#[derive(DeriveIden)]
enum Peers {
    Table,
    ResyncUntil,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Peers::Table)
                    .add_column(big_integer_null(Peers::ResyncUntil))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Peers::Table)
                    .drop_column(Peers::ResyncUntil)
                    .to_owned(),
            )
            .await
    }
}
