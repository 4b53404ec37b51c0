//! The first schema: publishers, resources, immutable versions, API tokens, the append-only
//! change log, and a one-row write lock that serializes writers so that change-log order is
//! commit order on every database.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_initial"
    }
}

#[derive(DeriveIden)]
enum Publishers {
    Table,
    OrgNr,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Resources {
    Table,
    Id,
    Iri,
    Kind,
    Publisher,
    Status,
    Alias,
    Label,
    Labels,
    CurrentVersion,
    ContentHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Versions {
    Table,
    ResourceId,
    Version,
    ContentHash,
    Ntriples,
    TripleCount,
    CreatedAt,
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
enum Changes {
    Table,
    Seq,
    ResourceId,
    Iri,
    Kind,
    Op,
    Version,
    At,
}

#[derive(DeriveIden)]
enum WriteLock {
    Table,
    Id,
    Writes,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Publishers::Table)
                    .if_not_exists()
                    .col(string_len(Publishers::OrgNr, 9).primary_key())
                    .col(string_null(Publishers::Name))
                    .col(timestamp_with_time_zone(Publishers::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Resources::Table)
                    .if_not_exists()
                    .col(string_len(Resources::Id, 36).primary_key())
                    .col(text(Resources::Iri))
                    .col(string_len(Resources::Kind, 32))
                    .col(string_len_null(Resources::Publisher, 9))
                    .col(string_len(Resources::Status, 32))
                    .col(string_null(Resources::Alias))
                    .col(text(Resources::Label))
                    .col(text(Resources::Labels))
                    .col(integer(Resources::CurrentVersion))
                    .col(string_len(Resources::ContentHash, 64))
                    .col(timestamp_with_time_zone(Resources::CreatedAt))
                    .col(timestamp_with_time_zone(Resources::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Resources::Table, Resources::Publisher)
                            .to(Publishers::Table, Publishers::OrgNr),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col, unique) in [
            ("idx_resources_iri", Resources::Iri, true),
            ("idx_resources_alias", Resources::Alias, true),
            ("idx_resources_kind", Resources::Kind, false),
            ("idx_resources_publisher", Resources::Publisher, false),
        ] {
            let mut index = Index::create();
            index
                .name(name)
                .table(Resources::Table)
                .col(col)
                .if_not_exists();
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Versions::Table)
                    .if_not_exists()
                    .col(string_len(Versions::ResourceId, 36))
                    .col(integer(Versions::Version))
                    .col(string_len(Versions::ContentHash, 64))
                    .col(text(Versions::Ntriples))
                    .col(integer(Versions::TripleCount))
                    .col(timestamp_with_time_zone(Versions::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Versions::ResourceId)
                            .col(Versions::Version),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Versions::Table, Versions::ResourceId)
                            .to(Resources::Table, Resources::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tokens::Table)
                    .if_not_exists()
                    .col(string_len(Tokens::Id, 36).primary_key())
                    .col(string_len(Tokens::Publisher, 9))
                    .col(string_len_uniq(Tokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(Tokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tokens::Table, Tokens::Publisher)
                            .to(Publishers::Table, Publishers::OrgNr),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Changes::Seq))
                    .col(string_len(Changes::ResourceId, 36))
                    .col(text(Changes::Iri))
                    .col(string_len(Changes::Kind, 32))
                    .col(string_len(Changes::Op, 16))
                    .col(integer(Changes::Version))
                    .col(timestamp_with_time_zone(Changes::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WriteLock::Table)
                    .if_not_exists()
                    .col(integer(WriteLock::Id).primary_key())
                    .col(big_integer(WriteLock::Writes))
                    .to_owned(),
            )
            .await?;
        let seed = Query::insert()
            .into_table(WriteLock::Table)
            .columns([WriteLock::Id, WriteLock::Writes])
            .values_panic([1.into(), 0i64.into()])
            .to_owned();
        manager.exec_stmt(seed).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WriteLock::Table.into_iden(),
            Changes::Table.into_iden(),
            Tokens::Table.into_iden(),
            Versions::Table.into_iden(),
            Resources::Table.into_iden(),
            Publishers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
