//! Schema migrations of semreg's store of record. Every schema change is a new migration; each
//! runs on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_initial;
mod m20261201_000011_sync;
mod m20261201_000015_concepts;
mod m20261202_000012_federation;
mod m20261202_000020_token_revocation;
mod m20261202_000030_peers;
mod m20261202_000031_subscriptions;
mod m20261202_000032_audit;
mod m20261203_000033_peer_resync;

/// Runs semreg's migrations in order.
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_initial::Migration),
            Box::new(m20261201_000015_concepts::Migration),
            Box::new(m20261201_000011_sync::Migration),
            Box::new(m20261202_000012_federation::Migration),
            Box::new(m20261202_000020_token_revocation::Migration),
            Box::new(m20261202_000030_peers::Migration),
            Box::new(m20261202_000031_subscriptions::Migration),
            Box::new(m20261202_000032_audit::Migration),
            Box::new(m20261203_000033_peer_resync::Migration),
        ]
    }
}
