//! The audit trail: one row per committed write (who, with which credential, from where, what
//! it touched), append-only in the database itself — triggers refuse `UPDATE` and `DELETE` (and
//! `TRUNCATE` on PostgreSQL), so not even a bug of semreg's can rewrite history. Also an index
//! on `resources.status`, which the draft filters of every list read.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `audit`, its append-only triggers and `idx_resources_status`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000032_audit"
    }
}

#[derive(DeriveIden)]
enum Audit {
    Table,
    Id,
    At,
    Publisher,
    Role,
    TokenId,
    Issuer,
    Jti,
    ClientId,
    Supplier,
    Action,
    Resources,
    Detail,
    ClientAddr,
    RequestId,
}

#[derive(DeriveIden)]
enum Resources {
    Table,
    Status,
}

// Append-only: no UPDATE, no DELETE — except inside `semreg restore`'s own transaction, which
// replaces the whole store (the audit trail included, from the backup) and marks itself with a
// `restoring` row in `settings` that no other transaction can see and that the restore itself
// removes.
const SQLITE_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit \
     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit \
     WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'restoring') \
     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
];

const POSTGRES_TRIGGERS: [&str; 3] = [
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM settings WHERE key = 'restoring') THEN \
         RETURN OLD; \
       END IF; \
       RAISE EXCEPTION 'the audit trail is append-only'; \
     END $$",
    "CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit \
     FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit \
     FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Audit::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Audit::Id))
                    .col(timestamp_with_time_zone(Audit::At))
                    .col(string_len_null(Audit::Publisher, 16))
                    .col(string_len(Audit::Role, 16))
                    .col(string_null(Audit::TokenId))
                    .col(string_null(Audit::Issuer))
                    .col(string_null(Audit::Jti))
                    .col(string_null(Audit::ClientId))
                    .col(string_len_null(Audit::Supplier, 16))
                    .col(string_len(Audit::Action, 64))
                    .col(text(Audit::Resources))
                    .col(text(Audit::Detail))
                    .col(string_null(Audit::ClientAddr))
                    .col(string_null(Audit::RequestId))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_at", Audit::At),
            ("idx_audit_publisher", Audit::Publisher),
            ("idx_audit_action", Audit::Action),
        ] {
            manager
                .create_index(
                    Index::create()
                        .if_not_exists()
                        .name(name)
                        .table(Audit::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_resources_status")
                    .table(Resources::Table)
                    .col(Resources::Status)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => &POSTGRES_TRIGGERS,
            _ => &SQLITE_TRIGGERS,
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_resources_status")
                    .table(Resources::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Audit::Table).to_owned())
            .await?;
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_append_only()")
                .await?;
        }
        Ok(())
    }
}
