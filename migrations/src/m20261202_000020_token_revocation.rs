//! Revocable API tokens: `revoked_at` on `api_tokens` (a revoked token is kept, so the audit
//! trail's token ids keep naming something, and refused from the moment it is set).

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `api_tokens.revoked_at`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000020_token_revocation"
    }
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    RevokedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .add_column(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .drop_column(ApiTokens::RevokedAt)
                    .to_owned(),
            )
            .await
    }
}
