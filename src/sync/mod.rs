//! Catalog sync: harvest sources (FDK's data-source shape), the scheduler that runs them, runs
//! and their reports, whole-catalog pushes, and the DCAT-AP-NO catalog semreg serves so FDK
//! (or another semreg) can harvest it. Every write goes through the registry's one write path
//! ([`crate::registry::apply`]): a harvest run and a push differ only in their scope.

pub mod catalog;
pub mod cli;
pub mod harvest;
pub mod push;
pub mod runs;
pub mod scheduler;
pub mod sources;

use crate::registry::RegistryError;
use crate::store::StoreError;

/// Errors of catalog sync.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No such source (or run).
    #[error("{0}")]
    NotFound(String),
    /// The request is not valid (names the field).
    #[error("{0}")]
    Invalid(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A conflicting state: the source exists already, or a run of it is in progress.
    #[error("{0}")]
    Conflict(String),
    /// The write failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The store of record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A quality report cannot be made.
    #[error(transparent)]
    Quality(#[from] crate::quality::QualityError),
}

impl From<sea_orm::DbErr> for SyncError {
    fn from(value: sea_orm::DbErr) -> Self {
        SyncError::Store(StoreError::Db(value))
    }
}
