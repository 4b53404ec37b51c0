//! Catalog sync: harvest sources and their runs, provenance and retirement on resources, a
//! revision per publisher (the ETag of its catalog), and roles on API tokens (an admin token
//! has no publisher, so tokens move to `api_tokens`, with a nullable publisher and a role).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000011_sync"
    }
}

#[derive(DeriveIden)]
enum Publishers {
    Table,
    OrgNr,
    Revision,
}

#[derive(DeriveIden)]
enum Resources {
    Table,
    SourceId,
    RetiredAt,
    RetiredBy,
}

#[derive(DeriveIden)]
enum Tokens {
    Table,
    Id,
    Publisher,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Role,
    Publisher,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sources {
    Table,
    Id,
    Url,
    DataType,
    DataSourceType,
    AcceptHeader,
    Publisher,
    Description,
    AuthHeaderName,
    AuthHeaderValue,
    IntervalSeconds,
    Active,
    Strict,
    CreatedAt,
    Etag,
    LastModified,
    NextRunAt,
    LeaseUntil,
    RunningRun,
    Failures,
    LastSuccessAt,
}

#[derive(DeriveIden)]
enum Runs {
    Table,
    Id,
    SourceId,
    Publisher,
    Kind,
    Status,
    Forced,
    RemoveAll,
    StartTime,
    EndTime,
    ErrorCategory,
    ErrorMessage,
    Created,
    Updated,
    Unchanged,
    Retired,
    Reactivated,
    Conflicts,
    Report,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Publishers::Table)
                    .add_column(big_integer(Publishers::Revision).default(0))
                    .to_owned(),
            )
            .await?;
        for column in [
            ColumnDef::new(Resources::SourceId)
                .string_len(36)
                .null()
                .to_owned(),
            ColumnDef::new(Resources::RetiredAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Resources::RetiredBy)
                .string_len(36)
                .null()
                .to_owned(),
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
        manager
            .create_index(
                Index::create()
                    .name("idx_resources_source")
                    .table(Resources::Table)
                    .col(Resources::SourceId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .if_not_exists()
                    .col(string_len(ApiTokens::Id, 36).primary_key())
                    .col(string_len(ApiTokens::Role, 16))
                    .col(string_len_null(ApiTokens::Publisher, 9))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokens::Table, ApiTokens::Publisher)
                            .to(Publishers::Table, Publishers::OrgNr),
                    )
                    .to_owned(),
            )
            .await?;
        let copy = Query::insert()
            .into_table(ApiTokens::Table)
            .columns([
                ApiTokens::Id,
                ApiTokens::Role,
                ApiTokens::Publisher,
                ApiTokens::TokenHash,
                ApiTokens::CreatedAt,
            ])
            .select_from(
                Query::select()
                    .column(Tokens::Id)
                    .expr(Expr::val("publisher"))
                    .column(Tokens::Publisher)
                    .column(Tokens::TokenHash)
                    .column(Tokens::CreatedAt)
                    .from(Tokens::Table)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(copy).await?;
        manager
            .drop_table(Table::drop().table(Tokens::Table).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .if_not_exists()
                    .col(string_len(Sources::Id, 36).primary_key())
                    .col(text(Sources::Url))
                    .col(string_len(Sources::DataType, 32))
                    .col(string_len(Sources::DataSourceType, 32))
                    .col(text_null(Sources::AcceptHeader))
                    .col(string_len(Sources::Publisher, 9))
                    .col(text_null(Sources::Description))
                    .col(text_null(Sources::AuthHeaderName))
                    .col(text_null(Sources::AuthHeaderValue))
                    .col(big_integer(Sources::IntervalSeconds))
                    .col(boolean(Sources::Active))
                    .col(boolean(Sources::Strict))
                    .col(timestamp_with_time_zone(Sources::CreatedAt))
                    .col(text_null(Sources::Etag))
                    .col(text_null(Sources::LastModified))
                    .col(timestamp_with_time_zone(Sources::NextRunAt))
                    .col(timestamp_with_time_zone_null(Sources::LeaseUntil))
                    .col(string_len_null(Sources::RunningRun, 36))
                    .col(integer(Sources::Failures))
                    .col(timestamp_with_time_zone_null(Sources::LastSuccessAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sources::Table, Sources::Publisher)
                            .to(Publishers::Table, Publishers::OrgNr),
                    )
                    .to_owned(),
            )
            .await?;
        // (url, dataType) is unique; a URL is text, so the index is on a hash-free prefix-less
        // pair that both databases accept for TEXT (PostgreSQL) and any length (SQLite).
        manager
            .create_index(
                Index::create()
                    .name("idx_sources_url_type")
                    .table(Sources::Table)
                    .col(Sources::Url)
                    .col(Sources::DataType)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Runs::Table)
                    .if_not_exists()
                    .col(string_len(Runs::Id, 36).primary_key())
                    .col(string_len_null(Runs::SourceId, 36))
                    .col(string_len_null(Runs::Publisher, 9))
                    .col(string_len(Runs::Kind, 16))
                    .col(string_len(Runs::Status, 16))
                    .col(boolean(Runs::Forced))
                    .col(boolean(Runs::RemoveAll))
                    .col(timestamp_with_time_zone(Runs::StartTime))
                    .col(timestamp_with_time_zone_null(Runs::EndTime))
                    .col(string_len_null(Runs::ErrorCategory, 32))
                    .col(text_null(Runs::ErrorMessage))
                    .col(integer(Runs::Created))
                    .col(integer(Runs::Updated))
                    .col(integer(Runs::Unchanged))
                    .col(integer(Runs::Retired))
                    .col(integer(Runs::Reactivated))
                    .col(integer(Runs::Conflicts))
                    .col(text_null(Runs::Report))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_runs_source_start")
                    .table(Runs::Table)
                    .col(Runs::SourceId)
                    .col(Runs::StartTime)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Runs::Table.into_iden(), Sources::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
