//! Registering, listing, removing and resuming subscriptions, and reading their delivery log
//! (what `/api/v1/subscriptions` calls; admin only, checked by the handlers).

use super::signing;
use super::{delivery, subscription, WebhookError};
use crate::app::App;
use crate::federation::FeedFilter;
use crate::ids::OrgNr;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest URL accepted.
pub const MAX_URL_LENGTH: usize = 2048;
/// Most values in one filter list.
pub const MAX_FILTER_VALUES: usize = 1000;

/// Which changes a subscription delivers; an empty (or absent) list means "any".
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionFilter {
    /// Resource kinds (`concept`, `code-list`, ...).
    #[serde(default)]
    pub kind: Vec<String>,
    /// Publishers' organisation numbers.
    #[serde(default)]
    pub publisher: Vec<String>,
    /// Resource ids.
    #[serde(default)]
    pub ids: Vec<String>,
}

impl SubscriptionFilter {
    /// The change feed's filter.
    pub fn feed_filter(&self) -> FeedFilter {
        FeedFilter {
            kinds: self.kind.clone(),
            publishers: self.publisher.clone(),
            origins: Vec::new(),
            ids: self.ids.clone(),
            // A subscriber is anyone: it hears of a draft when it is published.
            viewer: None,
            content: false,
        }
    }

    fn validate(&self) -> Result<(), WebhookError> {
        let invalid = |m: String| Err(WebhookError::Invalid(m));
        for (name, list) in [
            ("kind", &self.kind),
            ("publisher", &self.publisher),
            ("ids", &self.ids),
        ] {
            if list.len() > MAX_FILTER_VALUES {
                return invalid(format!(
                    "filter.{name}: {} values; at most {MAX_FILTER_VALUES}",
                    list.len()
                ));
            }
        }
        for kind in &self.kind {
            if semreg_importers::ResourceKind::parse(kind).is_none() {
                return invalid(format!(
                    "filter.kind: unknown kind {kind:?}; one of {}",
                    semreg_importers::ResourceKind::ALL
                        .map(|k| k.as_str())
                        .join(", ")
                ));
            }
        }
        for publisher in &self.publisher {
            if let Err(e) = OrgNr::parse(publisher) {
                return invalid(format!("filter.publisher: {e}"));
            }
        }
        for id in &self.ids {
            if id.trim().is_empty() || id.len() > 200 {
                return invalid(format!(
                    "filter.ids: {id:?} is not a resource id (1 to 200 characters)"
                ));
            }
        }
        Ok(())
    }

    fn of(row: &subscription::Model) -> Self {
        let list = |json: &str| serde_json::from_str::<Vec<String>>(json).unwrap_or_default();
        Self {
            kind: list(&row.filter_kinds),
            publisher: list(&row.filter_publishers),
            ids: list(&row.filter_ids),
        }
    }
}

/// A subscription to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    /// Where deliveries are POSTed (http or https; an internal address only if the operator
    /// allowed it with `--fetch-allow`).
    #[schema(example = "https://service.example.no/hooks/semreg")]
    pub url: String,
    /// Which changes to deliver (absent: all).
    #[serde(default)]
    pub filter: SubscriptionFilter,
    /// The signing secret, `whsec_<base64 of 24 to 64 bytes>`; generated when absent.
    pub secret: Option<String>,
    /// Deliver the changes after this seq (default: the end of the change log, so only changes
    /// from now on; 0 delivers the whole log).
    #[schema(minimum = 0)]
    #[serde(default, deserialize_with = "whole_number")]
    pub since: Option<i64>,
}

/// A whole number as JSON may write it: `5`, or `5.0` (JSON Schema's `integer` takes both).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    n.as_i64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
}

/// The batch a subscription has in flight.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingBatch {
    /// Its `webhook-id` (the same at every attempt).
    pub webhook_id: String,
    /// Its first seq.
    pub from_seq: i64,
    /// Its last seq.
    pub to_seq: i64,
    /// Changes in it.
    pub changes: i32,
}

/// A subscription as the API shows it (never with its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    /// Its id.
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Which changes it delivers.
    pub filter: SubscriptionFilter,
    /// `active`, or `paused` (after failing for too long; `POST .../resume` starts it again).
    pub state: String,
    /// Every change up to this seq is delivered (or did not match the filter).
    pub cursor: i64,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When a batch was last delivered.
    pub last_delivery_at: Option<DateTime<Utc>>,
    /// When the current run of failed attempts began (none while deliveries succeed).
    pub failing_since: Option<DateTime<Utc>>,
    /// The retry delays of the current run of failures, summed, in seconds.
    pub failing_for_seconds: i64,
    /// Failed attempts of the batch in flight.
    pub attempts: i32,
    /// When the next attempt is due (while active).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// What the last failed attempt met.
    pub last_error: Option<String>,
    /// When it was paused, if it is.
    pub paused_at: Option<DateTime<Utc>>,
    /// The batch in flight, if one is.
    pub pending: Option<PendingBatch>,
}

impl From<subscription::Model> for SubscriptionView {
    fn from(row: subscription::Model) -> Self {
        let filter = SubscriptionFilter::of(&row);
        let pending = match (&row.pending_id, row.pending_from, row.pending_to) {
            (Some(id), Some(from), Some(to)) => Some(PendingBatch {
                webhook_id: id.clone(),
                from_seq: from,
                to_seq: to,
                changes: row.pending_count.unwrap_or(0),
            }),
            _ => None,
        };
        let active = row.state == "active";
        Self {
            id: row.id,
            url: row.url,
            filter,
            state: row.state,
            cursor: row.cursor,
            created_at: row.created_at,
            last_delivery_at: row.last_delivery_at,
            failing_since: row.failing_since,
            failing_for_seconds: row.failing_for_secs,
            attempts: row.attempts,
            next_attempt_at: active.then_some(row.next_attempt_at),
            last_error: row.last_error,
            paused_at: row.paused_at,
            pending,
        }
    }
}

/// A subscription just registered, with its secret (shown this once).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedSubscription {
    /// The subscription.
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// The signing secret (`whsec_<base64>`): verify each delivery's `webhook-signature` with
    /// it. It is not shown again.
    pub secret: String,
}

/// One delivery attempt, as the log shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// The batch's `webhook-id`.
    pub webhook_id: String,
    /// 1 for the batch's first attempt, then 2, 3, ...
    pub attempt: i32,
    /// The batch's first seq.
    pub from_seq: i64,
    /// The batch's last seq.
    pub to_seq: i64,
    /// Changes in the batch.
    pub changes: i32,
    /// Whether the receiver took it (answered 2xx).
    pub ok: bool,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<i32>,
    /// What went wrong, if it did.
    pub error: Option<String>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: i64,
    /// When it was made.
    pub at: DateTime<Utc>,
}

impl From<delivery::Model> for DeliveryView {
    fn from(row: delivery::Model) -> Self {
        Self {
            webhook_id: row.webhook_id,
            attempt: row.attempt,
            from_seq: row.from_seq,
            to_seq: row.to_seq,
            changes: row.changes,
            ok: row.error.is_none(),
            status: row.status,
            error: row.error,
            duration_ms: row.duration_ms,
            at: row.at,
        }
    }
}

/// Registers a subscription: checks the URL as the SSRF guard will (422 naming the problem),
/// the filter and the secret, and starts its cursor at `since` (default: the log's end).
pub async fn create(
    app: &App,
    input: SubscriptionInput,
    actor: &crate::auth::audit::Actor,
) -> Result<CreatedSubscription, WebhookError> {
    let url = input.url.trim().to_owned();
    if url.is_empty() {
        return Err(WebhookError::Invalid("url: is empty".into()));
    }
    if url.len() > MAX_URL_LENGTH {
        return Err(WebhookError::Invalid(format!(
            "url: {} characters; at most {MAX_URL_LENGTH}",
            url.len()
        )));
    }
    let checked = app
        .fetcher
        .check_destination(&url)
        .await
        .map_err(|e| WebhookError::Invalid(format!("url: {e}")))?;
    if checked.fragment().is_some() {
        return Err(WebhookError::Invalid(format!(
            "url: {url} has a fragment (#...), which is never sent; remove it"
        )));
    }
    input.filter.validate()?;
    let secret = match input.secret {
        Some(secret) => {
            signing::secret_key(&secret).map_err(WebhookError::Invalid)?;
            secret
        }
        None => signing::generate_secret(),
    };
    let last = crate::store::last_seq(&app.db).await?;
    let cursor = match input.since {
        None => last,
        Some(since) if since < 0 => {
            return Err(WebhookError::Invalid(format!(
                "since: {since} is not a seq (a whole number, 0 or more)"
            )))
        }
        Some(since) if since > last => {
            return Err(WebhookError::Invalid(format!(
                "since: {since} is beyond the end of the change log (its last seq is {last})"
            )))
        }
        Some(since) => since,
    };
    let now = Utc::now();
    let json = |list: &Vec<String>| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
    let row = subscription::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        url: Set(checked.to_string()),
        filter_kinds: Set(json(&input.filter.kind)),
        filter_publishers: Set(json(&input.filter.publisher)),
        filter_ids: Set(json(&input.filter.ids)),
        secret: Set(secret.clone()),
        state: Set("active".into()),
        cursor: Set(cursor),
        created_at: Set(now),
        failing_since: Set(None),
        failing_for_secs: Set(0),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        last_delivery_at: Set(None),
        paused_at: Set(None),
        pending_id: Set(None),
        pending_from: Set(None),
        pending_to: Set(None),
        pending_next: Set(None),
        pending_count: Set(None),
        pending_body: Set(None),
        lease_holder: Set(None),
        lease_until: Set(None),
    };
    // The row and its audit entry commit together.
    let txn = crate::store::begin_write(&app.db).await?;
    let row = subscription::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    audit(
        &txn,
        actor,
        crate::auth::audit::Action::SUBSCRIPTION_ADD,
        &row.id,
        &row.url,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(subscription = %row.id, url = %row.url, cursor, "subscription registered");
    Ok(CreatedSubscription {
        subscription: row.into(),
        secret,
    })
}

/// A page of subscriptions, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<SubscriptionView>), WebhookError> {
    let total = subscription::Entity::find().count(db).await?;
    let rows = subscription::Entity::find()
        .order_by_asc(subscription::Column::CreatedAt)
        .order_by_asc(subscription::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, rows.into_iter().map(Into::into).collect()))
}

async fn row(db: &impl ConnectionTrait, id: &str) -> Result<subscription::Model, WebhookError> {
    subscription::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| WebhookError::NotFound(format!("no subscription {id}")))
}

/// One subscription.
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<SubscriptionView, WebhookError> {
    Ok(row(db, id).await?.into())
}

/// The audit entry of a subscription registered or removed, in the write's transaction.
async fn audit(
    txn: &impl ConnectionTrait,
    actor: &crate::auth::audit::Actor,
    action: crate::auth::audit::Action,
    id: &str,
    url: &str,
) -> Result<(), WebhookError> {
    let detail = serde_json::json!({"subscription": id, "url": url});
    crate::auth::audit::record(txn, actor, &crate::auth::audit::Event::new(action, detail)).await?;
    Ok(())
}

/// Removes a subscription and its delivery log (a delivery in flight is not recorded), with
/// its audit entry, in one transaction.
pub async fn delete(
    db: &sea_orm::DatabaseConnection,
    id: &str,
    actor: &crate::auth::audit::Actor,
) -> Result<(), WebhookError> {
    let txn = crate::store::begin_write(db).await?;
    let Some(found) = subscription::Entity::find_by_id(id.to_owned())
        .one(&txn)
        .await?
    else {
        return Err(WebhookError::NotFound(format!("no subscription {id}")));
    };
    let removed = subscription::Entity::delete_by_id(id.to_owned())
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(WebhookError::NotFound(format!("no subscription {id}")));
    }
    audit(
        &txn,
        actor,
        crate::auth::audit::Action::SUBSCRIPTION_REMOVE,
        id,
        &found.url,
    )
    .await?;
    delivery::Entity::delete_many()
        .filter(delivery::Column::SubscriptionId.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(subscription = %id, "subscription removed");
    Ok(())
}

/// Makes a subscription active again with its next attempt due now (a paused one resumes
/// with the batch it failed on, under the same `webhook-id`).
pub async fn resume(db: &impl ConnectionTrait, id: &str) -> Result<SubscriptionView, WebhookError> {
    row(db, id).await?;
    let now = Utc::now();
    subscription::Entity::update_many()
        .set(subscription::ActiveModel {
            state: Set("active".into()),
            paused_at: Set(None),
            attempts: Set(0),
            failing_since: Set(None),
            failing_for_secs: Set(0),
            next_attempt_at: Set(now),
            ..Default::default()
        })
        .filter(subscription::Column::Id.eq(id))
        .exec(db)
        .await?;
    tracing::info!(subscription = %id, "subscription resumed");
    get(db, id).await
}

/// A page of a subscription's delivery log, newest first.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    id: &str,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<DeliveryView>), WebhookError> {
    row(db, id).await?;
    let query = delivery::Entity::find().filter(delivery::Column::SubscriptionId.eq(id));
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(delivery::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, rows.into_iter().map(Into::into).collect()))
}

/// The filter of a stored subscription.
pub fn filter_of(row: &subscription::Model) -> SubscriptionFilter {
    SubscriptionFilter::of(row)
}

#[cfg(test)]
mod tests {
    use super::SubscriptionInput;

    #[test]
    fn since_is_a_whole_number_however_json_writes_it() {
        let read = |since: &str| {
            serde_json::from_str::<SubscriptionInput>(&format!(
                r#"{{"url": "https://example.org/hook", "since": {since}}}"#
            ))
            .map(|input| input.since)
        };
        assert_eq!(read("5").unwrap(), Some(5));
        assert_eq!(read("62896125.0").unwrap(), Some(62896125));
        assert_eq!(read("null").unwrap(), None);
        let error = read("5.5").unwrap_err().to_string();
        assert!(error.contains("5.5 is not a whole number"), "{error}");
        assert!(read("\"5\"").is_err());
    }
}
