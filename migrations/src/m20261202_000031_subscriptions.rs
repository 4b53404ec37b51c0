//! Webhook subscriptions: `subscriptions` (where to POST, the filter, the secret, the state,
//! the cursor in the change log, the batch in flight and its retry schedule, and a lease so
//! that of several replicas on one database only one delivers a subscription at a time) and
//! `deliveries` (one row per attempt: the delivery log).

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `subscriptions` and `deliveries`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000031_subscriptions"
    }
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    Url,
    FilterKinds,
    FilterPublishers,
    FilterIds,
    Secret,
    State,
    Cursor,
    CreatedAt,
    FailingSince,
    FailingForSecs,
    Attempts,
    NextAttemptAt,
    LastError,
    LastDeliveryAt,
    PausedAt,
    PendingId,
    PendingFrom,
    PendingTo,
    PendingNext,
    PendingCount,
    PendingBody,
    LeaseHolder,
    LeaseUntil,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    SubscriptionId,
    WebhookId,
    FromSeq,
    ToSeq,
    Changes,
    Attempt,
    Status,
    Error,
    DurationMs,
    At,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .if_not_exists()
                    .col(string_len(Subscriptions::Id, 36).primary_key())
                    .col(text(Subscriptions::Url))
                    // JSON arrays of strings; empty means "any".
                    .col(text(Subscriptions::FilterKinds))
                    .col(text(Subscriptions::FilterPublishers))
                    .col(text(Subscriptions::FilterIds))
                    .col(text(Subscriptions::Secret))
                    .col(string_len(Subscriptions::State, 16))
                    .col(big_integer(Subscriptions::Cursor))
                    .col(timestamp_with_time_zone(Subscriptions::CreatedAt))
                    .col(timestamp_with_time_zone_null(Subscriptions::FailingSince))
                    .col(big_integer(Subscriptions::FailingForSecs).default(0))
                    .col(integer(Subscriptions::Attempts).default(0))
                    .col(timestamp_with_time_zone(Subscriptions::NextAttemptAt))
                    .col(text_null(Subscriptions::LastError))
                    .col(timestamp_with_time_zone_null(Subscriptions::LastDeliveryAt))
                    .col(timestamp_with_time_zone_null(Subscriptions::PausedAt))
                    .col(string_len_null(Subscriptions::PendingId, 64))
                    .col(big_integer_null(Subscriptions::PendingFrom))
                    .col(big_integer_null(Subscriptions::PendingTo))
                    .col(big_integer_null(Subscriptions::PendingNext))
                    .col(integer_null(Subscriptions::PendingCount))
                    .col(text_null(Subscriptions::PendingBody))
                    .col(string_len_null(Subscriptions::LeaseHolder, 36))
                    .col(timestamp_with_time_zone_null(Subscriptions::LeaseUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Deliveries::Id))
                    .col(string_len(Deliveries::SubscriptionId, 36))
                    .col(string_len(Deliveries::WebhookId, 64))
                    .col(big_integer(Deliveries::FromSeq))
                    .col(big_integer(Deliveries::ToSeq))
                    .col(integer(Deliveries::Changes))
                    .col(integer(Deliveries::Attempt))
                    .col(integer_null(Deliveries::Status))
                    .col(text_null(Deliveries::Error))
                    .col(big_integer(Deliveries::DurationMs))
                    .col(timestamp_with_time_zone(Deliveries::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deliveries_subscription")
                    .table(Deliveries::Table)
                    .col(Deliveries::SubscriptionId)
                    .col(Deliveries::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Deliveries::Table.into_iden(),
            Subscriptions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
