//! Peers: the instances this one follows (their URL, their instance id and change-log epoch,
//! the last `seq` applied, lag, errors and backoff), and the provenance of every resource: the
//! instance that owns it (this instance's own id for its own resources, set by the registry),
//! and for a copy mirrored from a peer the origin's URL, IRI, version, content hash and when it
//! was fetched.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `peers` and the origin columns of `resources` and `versions`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000030_peers"
    }
}

#[derive(DeriveIden)]
enum Resources {
    Table,
    OriginInstance,
    OriginUrl,
    OriginIri,
    OriginVersion,
    OriginHash,
    FetchedAt,
    PeerId,
}

#[derive(DeriveIden)]
enum Versions {
    Table,
    OriginVersion,
    FetchedAt,
}

#[derive(DeriveIden)]
enum Peers {
    Table,
    Id,
    Url,
    PeerInstance,
    PeerEpoch,
    LastSeq,
    PeerLastSeq,
    Lag,
    LastError,
    LastSuccessAt,
    LastAttemptAt,
    Failures,
    NextAttemptAt,
    Resyncs,
    CreatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_len_null(Resources::OriginInstance, 36),
            text_null(Resources::OriginUrl),
            text_null(Resources::OriginIri),
            integer_null(Resources::OriginVersion),
            string_len_null(Resources::OriginHash, 64),
            timestamp_with_time_zone_null(Resources::FetchedAt),
            string_len_null(Resources::PeerId, 36),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Resources::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            integer_null(Versions::OriginVersion),
            timestamp_with_time_zone_null(Versions::FetchedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Versions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_resources_origin")
                    .table(Resources::Table)
                    .col(Resources::OriginInstance)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Peers::Table)
                    .if_not_exists()
                    .col(string_len(Peers::Id, 36).primary_key())
                    .col(text_uniq(Peers::Url))
                    .col(string_len_null(Peers::PeerInstance, 36))
                    .col(string_len_null(Peers::PeerEpoch, 36))
                    .col(big_integer(Peers::LastSeq).default(0))
                    .col(big_integer(Peers::PeerLastSeq).default(0))
                    .col(big_integer(Peers::Lag).default(0))
                    .col(text_null(Peers::LastError))
                    .col(timestamp_with_time_zone_null(Peers::LastSuccessAt))
                    .col(timestamp_with_time_zone_null(Peers::LastAttemptAt))
                    .col(integer(Peers::Failures).default(0))
                    .col(timestamp_with_time_zone_null(Peers::NextAttemptAt))
                    .col(integer(Peers::Resyncs).default(0))
                    .col(timestamp_with_time_zone(Peers::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Peers::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_resources_origin")
                    .table(Resources::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Resources::OriginInstance,
            Resources::OriginUrl,
            Resources::OriginIri,
            Resources::OriginVersion,
            Resources::OriginHash,
            Resources::FetchedAt,
            Resources::PeerId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Resources::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Versions::OriginVersion, Versions::FetchedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Versions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
