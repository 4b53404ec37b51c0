//! Subscriptions (webhooks) for running services: a service registers a URL and a filter, and
//! semreg POSTs it the matching changes of the change log as JSON batches, in `seq` order,
//! at least once, signed per Standard Webhooks ([`signing`]). A batch keeps its `webhook-id`
//! across retries and restarts (receivers de-duplicate by it); failed attempts back off
//! exponentially with jitter, and a subscription that has failed for long enough (24 h by
//! default) is paused, not deleted, until an admin resumes it. Everything a delivery needs —
//! cursor, batch in flight, retry schedule, lease — is in the store of record, so delivery
//! survives a restart and replicas on one database never both deliver a subscription.
//!
//! [`subscriptions`] is the registry side (what the API calls); [`worker`] is the delivery
//! loop that `semreg serve` runs.

pub mod entities;
pub mod signing;
pub mod subscriptions;
pub mod worker;

pub use entities::{delivery, subscription};

use std::time::Duration;

/// How deliveries behave.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Whether `serve` runs the delivery worker.
    pub enabled: bool,
    /// How often the worker looks for subscriptions no process delivers.
    pub tick: Duration,
    /// How long a process holds a subscription without renewing (one that stopped frees it
    /// after this).
    pub lease: Duration,
    /// Time limit of one delivery attempt.
    pub timeout: Duration,
    /// Most changes in one batch.
    pub batch: u64,
    /// The first retry delay; each next one doubles, up to `max_delay`.
    pub first_delay: Duration,
    /// The longest retry delay.
    pub max_delay: Duration,
    /// How long a subscription may fail (its retry delays summed) before it is paused.
    pub pause_after: Duration,
    /// Real delays are the nominal ones divided by this (1 in production): lets a test run
    /// 24 h of retries in seconds. Failure durations are counted in nominal time.
    pub time_scale: f64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            tick: Duration::from_millis(500),
            lease: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            batch: 100,
            first_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(60 * 60),
            pause_after: Duration::from_secs(24 * 60 * 60),
            time_scale: 1.0,
        }
    }
}

/// The `serve` flags of the delivery worker.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookArgs {
    /// Run no webhook delivery worker in this process (subscriptions then wait for a process
    /// that runs one).
    #[arg(long, env = "SEMREG_NO_WEBHOOKS")]
    pub no_webhooks: bool,
    /// Time limit of one webhook delivery attempt, in seconds.
    #[arg(long, env = "SEMREG_WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    pub webhook_timeout_secs: u64,
    /// How long a process holds a subscription without renewing, in seconds (a process that
    /// stopped frees its subscriptions after this).
    #[arg(long, env = "SEMREG_WEBHOOK_LEASE_SECS", default_value_t = 30)]
    pub webhook_lease_secs: u64,
    /// Divides every retry delay (tests: 3600 runs an hour of backoff in a second).
    #[arg(
        long,
        env = "SEMREG_WEBHOOK_TIME_SCALE",
        default_value_t = 1.0,
        hide = true
    )]
    pub webhook_time_scale: f64,
}

impl WebhookArgs {
    /// The configuration.
    pub fn config(&self) -> anyhow::Result<WebhookConfig> {
        if !(self.webhook_time_scale.is_finite() && self.webhook_time_scale >= 1.0) {
            anyhow::bail!(
                "--webhook-time-scale must be a number of at least 1, not {}",
                self.webhook_time_scale
            );
        }
        Ok(WebhookConfig {
            enabled: !self.no_webhooks,
            timeout: Duration::from_secs(self.webhook_timeout_secs.max(1)),
            lease: Duration::from_secs(self.webhook_lease_secs.max(2)),
            time_scale: self.webhook_time_scale,
            ..Default::default()
        })
    }
}

/// Why a subscription call failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// No such subscription.
    #[error("{0}")]
    NotFound(String),
    /// The request is well-formed JSON but a field is not acceptable (422).
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<sea_orm::DbErr> for WebhookError {
    fn from(error: sea_orm::DbErr) -> Self {
        WebhookError::Store(error.into())
    }
}

impl From<WebhookError> for crate::problem::ApiError {
    fn from(error: WebhookError) -> Self {
        use crate::problem::ApiError;
        match error {
            WebhookError::NotFound(m) => ApiError::not_found(m),
            WebhookError::Invalid(m) => {
                ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, m)
            }
            WebhookError::Store(e) => e.into(),
        }
    }
}
