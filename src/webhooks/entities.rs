//! sea-orm entities of the webhook tables (the schema is in
//! `migrations/src/m20261202_000031_subscriptions.rs`).

/// Subscriptions: where to POST which changes, and where delivery stands.
pub mod subscription {
    use sea_orm::entity::prelude::*;

    /// One subscription row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "subscriptions")]
    pub struct Model {
        /// A random UUID.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// Where deliveries are POSTed.
        pub url: String,
        /// JSON array of resource kinds (empty: any).
        pub filter_kinds: String,
        /// JSON array of publishers' organisation numbers (empty: any).
        pub filter_publishers: String,
        /// JSON array of resource ids (empty: any).
        pub filter_ids: String,
        /// The signing secret, `whsec_<base64>`.
        pub secret: String,
        /// `active` or `paused`.
        pub state: String,
        /// Every change up to this seq is delivered (or did not match).
        pub cursor: i64,
        /// When the subscription was registered.
        pub created_at: DateTimeUtc,
        /// When the current run of failed attempts began (none while deliveries succeed).
        pub failing_since: Option<DateTimeUtc>,
        /// The backoff delays of the current run of failures, summed, in (unscaled) seconds.
        pub failing_for_secs: i64,
        /// Failed attempts of the batch in flight.
        pub attempts: i32,
        /// When the next attempt is due.
        pub next_attempt_at: DateTimeUtc,
        /// What the last failed attempt met.
        pub last_error: Option<String>,
        /// When a batch was last delivered.
        pub last_delivery_at: Option<DateTimeUtc>,
        /// When the subscription was paused, if it is.
        pub paused_at: Option<DateTimeUtc>,
        /// The batch in flight: its `webhook-id` (kept across retries and restarts).
        pub pending_id: Option<String>,
        /// The batch's first seq.
        pub pending_from: Option<i64>,
        /// The batch's last seq.
        pub pending_to: Option<i64>,
        /// The cursor once the batch is delivered (past the changes it skipped as not matching).
        pub pending_next: Option<i64>,
        /// Changes in the batch.
        pub pending_count: Option<i32>,
        /// The batch's body, exactly as every attempt sends it.
        pub pending_body: Option<String>,
        /// The process that delivers this subscription now.
        pub lease_holder: Option<String>,
        /// Until when it may, without renewing.
        pub lease_until: Option<DateTimeUtc>,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The delivery log: one row per attempt.
pub mod delivery {
    use sea_orm::entity::prelude::*;

    /// One attempt.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deliveries")]
    pub struct Model {
        /// Increasing, in the order attempts were recorded.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The subscription.
        pub subscription_id: String,
        /// The batch's `webhook-id`.
        pub webhook_id: String,
        /// The batch's first seq.
        pub from_seq: i64,
        /// The batch's last seq.
        pub to_seq: i64,
        /// Changes in the batch.
        pub changes: i32,
        /// 1 for the first attempt of the batch, then 2, 3, ...
        pub attempt: i32,
        /// The receiver's HTTP status, if it answered.
        pub status: Option<i32>,
        /// What went wrong (a status other than 2xx, a timeout, a refused address, ...).
        pub error: Option<String>,
        /// How long the attempt took, in milliseconds.
        pub duration_ms: i64,
        /// When it was made.
        pub at: DateTimeUtc,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
