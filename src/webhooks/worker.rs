//! The delivery worker `semreg serve` runs. Every tick it claims the active subscriptions no
//! process holds (a lease in the subscription's row: of several replicas on one database, one
//! holds each subscription) and gives each its own task, so a slow or dead receiver delays
//! no other subscription. A task delivers its subscription's batches one after the other, in
//! `seq` order, until it is paused, removed, or its lease is lost:
//!
//! 1. With no batch in flight it reads the next page of matching changes after the cursor
//!    (or waits for a commit) and stores it as the batch in flight — body, `webhook-id`,
//!    range — before the first attempt, so every retry, in this process or after a restart,
//!    sends the same bytes under the same id.
//! 2. It POSTs the batch, signed, and records the attempt in the delivery log in the same
//!    transaction as its outcome: on 2xx the cursor moves past the batch; otherwise the next
//!    attempt is scheduled after an exponential backoff with jitter, and once the failures
//!    have lasted `pause_after` the subscription is paused.

use super::signing;
use super::subscriptions::filter_of;
use super::{delivery, subscription, WebhookConfig};
use crate::app::App;
use crate::federation::{feed, FeedChange};
use crate::fetch::PostRequest;
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The `type` of every delivery's body.
pub const EVENT_TYPE: &str = "semreg.changes";

/// A delivery's body: a batch of changes, each as `GET /api/v1/changes` gives it.
#[derive(Debug, Serialize)]
pub struct Delivery<'a> {
    /// Always [`EVENT_TYPE`].
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When the batch was made (RFC 3339); the same at every attempt.
    pub timestamp: DateTime<Utc>,
    /// The batch.
    pub data: DeliveryData<'a>,
}

/// What a delivery carries.
#[derive(Debug, Serialize)]
pub struct DeliveryData<'a> {
    /// The subscription's id.
    pub subscription: &'a str,
    /// The changes, oldest first.
    pub changes: &'a [FeedChange],
    /// The subscription's cursor once this batch is taken (past changes that did not match).
    pub next: i64,
}

/// The retry delay after the `failures`-th failed attempt of a batch: `first` doubled for each
/// failure before it, at most `max`, times a random factor in [0.8, 1.2).
pub fn backoff(config: &WebhookConfig, failures: i32) -> Duration {
    let doublings = failures.saturating_sub(1).clamp(0, 30) as u32;
    let nominal = config
        .first_delay
        .saturating_mul(1u32 << doublings.min(20))
        .min(config.max_delay);
    nominal.mul_f64(rand::rng().random_range(0.8..1.2))
}

/// Starts the worker.
pub fn spawn(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let holder = uuid::Uuid::new_v4().to_string();
        let running: Arc<Mutex<HashSet<String>>> = Arc::default();
        let mut ticker = tokio::time::interval(app.config.webhooks.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tracing::info!(holder = %holder, "webhook delivery worker started");
        loop {
            ticker.tick().await;
            if let Err(error) = claim_free(&app, &holder, &running).await {
                tracing::warn!(%error, "webhook worker cannot claim subscriptions; will retry");
            }
        }
    })
}

fn chrono_of(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Rows of active subscriptions that no live lease holds (or this process holds).
fn free(now: DateTime<Utc>, holder: &str) -> Condition {
    Condition::any()
        .add(subscription::Column::LeaseUntil.is_null())
        .add(subscription::Column::LeaseUntil.lt(now))
        .add(subscription::Column::LeaseHolder.eq(holder))
}

async fn claim_free(
    app: &Arc<App>,
    holder: &str,
    running: &Arc<Mutex<HashSet<String>>>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let candidates = subscription::Entity::find()
        .filter(subscription::Column::State.eq("active"))
        .filter(free(now, holder))
        .all(&app.db)
        .await?;
    for candidate in candidates {
        let busy = running
            .lock()
            .expect("not poisoned")
            .contains(&candidate.id);
        if busy {
            continue;
        }
        if !claim(&app.db, &candidate.id, holder, &app.config.webhooks).await? {
            continue; // another replica was first
        }
        running
            .lock()
            .expect("not poisoned")
            .insert(candidate.id.clone());
        let (app, holder, running) = (Arc::clone(app), holder.to_owned(), Arc::clone(running));
        tokio::spawn(async move {
            let id = candidate.id;
            tracing::debug!(subscription = %id, "delivering");
            deliver(&app, &holder, &id).await;
            if let Err(error) = release(&app.db, &id, &holder).await {
                tracing::warn!(%error, subscription = %id, "cannot release a subscription's lease; it lapses");
            }
            running.lock().expect("not poisoned").remove(&id);
        });
    }
    Ok(())
}

/// Takes the lease of a free active subscription; false if someone else holds it.
async fn claim(
    db: &DatabaseConnection,
    id: &str,
    holder: &str,
    config: &WebhookConfig,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let taken = subscription::Entity::update_many()
        .set(subscription::ActiveModel {
            lease_holder: Set(Some(holder.to_owned())),
            lease_until: Set(Some(now + chrono_of(config.lease))),
            ..Default::default()
        })
        .filter(subscription::Column::Id.eq(id))
        .filter(subscription::Column::State.eq("active"))
        .filter(free(now, holder))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Extends this process's lease until `until`; false if it no longer holds the subscription
/// (removed, paused, or taken over after the lease lapsed).
async fn renew(
    db: &DatabaseConnection,
    id: &str,
    holder: &str,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let renewed = subscription::Entity::update_many()
        .set(subscription::ActiveModel {
            lease_until: Set(Some(until)),
            ..Default::default()
        })
        .filter(subscription::Column::Id.eq(id))
        .filter(subscription::Column::State.eq("active"))
        .filter(subscription::Column::LeaseHolder.eq(holder))
        .exec(db)
        .await?;
    Ok(renewed.rows_affected == 1)
}

async fn release(db: &DatabaseConnection, id: &str, holder: &str) -> Result<(), DbErr> {
    subscription::Entity::update_many()
        .set(subscription::ActiveModel {
            lease_holder: Set(None),
            lease_until: Set(None),
            ..Default::default()
        })
        .filter(subscription::Column::Id.eq(id))
        .filter(subscription::Column::LeaseHolder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

enum Step {
    Continue,
    Stop,
}

/// Delivers one subscription while this process holds it.
async fn deliver(app: &App, holder: &str, id: &str) {
    // Woken once this process's projections and code lists have applied a change (not at its
    // commit), so a service told of a change finds it served.
    let mut commits = app.applied.subscribe();
    loop {
        match step(app, holder, id, &mut commits).await {
            Ok(Step::Continue) => {}
            Ok(Step::Stop) => return,
            Err(error) => {
                tracing::warn!(%error, subscription = %id, "webhook delivery step failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn step(
    app: &App,
    holder: &str,
    id: &str,
    commits: &mut tokio::sync::watch::Receiver<i64>,
) -> Result<Step, DbErr> {
    let config = &app.config.webhooks;
    let db = &app.db;
    let now = Utc::now();
    if !renew(db, id, holder, now + chrono_of(config.lease)).await? {
        return Ok(Step::Stop);
    }
    let Some(mut row) = subscription::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
    else {
        return Ok(Step::Stop);
    };
    // Wake at least three times per lease to renew it.
    let renew_every = config.lease / 3;
    if row.next_attempt_at > now {
        let wait = (row.next_attempt_at - now).to_std().unwrap_or_default();
        tokio::time::sleep(wait.min(renew_every)).await;
        return Ok(Step::Continue);
    }
    if row.pending_id.is_none() {
        let filter = filter_of(&row).feed_filter();
        let page = feed::page(db, &app.instance.id, row.cursor, config.batch, &filter)
            .await
            .map_err(store_error)?;
        if page.changes.is_empty() {
            if page.next != row.cursor {
                let moved = subscription::Entity::update_many()
                    .set(subscription::ActiveModel {
                        cursor: Set(page.next),
                        ..Default::default()
                    })
                    .filter(subscription::Column::Id.eq(id))
                    .filter(subscription::Column::LeaseHolder.eq(holder))
                    .exec(db)
                    .await?;
                if moved.rows_affected == 0 {
                    return Ok(Step::Stop);
                }
            }
            let next = page.next;
            let _ = tokio::time::timeout(renew_every, commits.wait_for(|last| *last > next)).await;
            return Ok(Step::Continue);
        }
        let body = serde_json::to_string(&Delivery {
            kind: EVENT_TYPE,
            timestamp: now,
            data: DeliveryData {
                subscription: id,
                changes: &page.changes,
                next: page.next,
            },
        })
        .map_err(|e| DbErr::Custom(format!("cannot serialize a delivery: {e}")))?;
        let pending = subscription::ActiveModel {
            pending_id: Set(Some(format!("msg_{}", uuid::Uuid::new_v4().simple()))),
            pending_from: Set(page.changes.first().map(|c| c.seq)),
            pending_to: Set(page.changes.last().map(|c| c.seq)),
            pending_next: Set(Some(page.next)),
            pending_count: Set(Some(i32::try_from(page.changes.len()).unwrap_or(i32::MAX))),
            pending_body: Set(Some(body)),
            ..Default::default()
        };
        let stored = subscription::Entity::update_many()
            .set(pending)
            .filter(subscription::Column::Id.eq(id))
            .filter(subscription::Column::LeaseHolder.eq(holder))
            .exec(db)
            .await?;
        if stored.rows_affected == 0 {
            return Ok(Step::Stop);
        }
        row = match subscription::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
        {
            Some(row) => row,
            None => return Ok(Step::Stop),
        };
    }
    attempt(app, holder, row).await
}

fn store_error(error: crate::store::StoreError) -> DbErr {
    match error {
        crate::store::StoreError::Db(e) => e,
        other => DbErr::Custom(other.to_string()),
    }
}

/// One attempt of the batch in flight, recorded with its outcome.
async fn attempt(app: &App, holder: &str, row: subscription::Model) -> Result<Step, DbErr> {
    let config = &app.config.webhooks;
    let db = &app.db;
    let (Some(webhook_id), Some(body), Some(from), Some(to), Some(next)) = (
        row.pending_id.clone(),
        row.pending_body.clone(),
        row.pending_from,
        row.pending_to,
        row.pending_next,
    ) else {
        return Err(DbErr::Custom(format!(
            "subscription {} has an incomplete batch in flight",
            row.id
        )));
    };
    let count = row.pending_count.unwrap_or(0);
    let number = row.attempts + 1;
    // The lease covers the whole request.
    if !renew(
        db,
        &row.id,
        holder,
        Utc::now() + chrono_of(config.timeout + config.lease),
    )
    .await?
    {
        return Ok(Step::Stop);
    }
    let outcome = match signing::secret_key(&row.secret) {
        Err(error) => Err((None, error)),
        Ok(key) => {
            let timestamp = Utc::now().timestamp();
            let signature = signing::sign(&key, &webhook_id, timestamp, body.as_bytes());
            let started = std::time::Instant::now();
            let sent = app
                .fetcher
                .post(PostRequest {
                    url: row.url.clone(),
                    content_type: "application/json".into(),
                    headers: vec![
                        ("webhook-id".into(), webhook_id.clone()),
                        ("webhook-timestamp".into(), timestamp.to_string()),
                        ("webhook-signature".into(), signature),
                    ],
                    body: body.clone().into_bytes(),
                    timeout: Some(config.timeout),
                })
                .await;
            let took = started.elapsed();
            app.metrics
                .webhook_delivery_seconds
                .observe(took.as_secs_f64());
            match sent {
                Ok(answer) if (200..300).contains(&answer.status) => {
                    Ok((i32::from(answer.status), took))
                }
                Ok(answer) => Err((
                    Some((i32::from(answer.status), took)),
                    format!(
                        "{} answered {}{}",
                        row.url,
                        answer.status,
                        if (300..400).contains(&answer.status) {
                            " (redirects are not followed)"
                        } else {
                            ""
                        }
                    ),
                )),
                Err(error) => Err((Some((0, took)), error.to_string())),
            }
        }
    };
    let now = Utc::now();
    let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let (status, error, duration_ms) = match &outcome {
        Ok((status, took)) => (Some(*status), None, ms(*took)),
        Err((answered, error)) => (
            answered.and_then(|(s, _)| (s > 0).then_some(s)),
            Some(error.clone()),
            answered.map_or(0, |(_, took)| ms(took)),
        ),
    };
    let log = delivery::ActiveModel {
        subscription_id: Set(row.id.clone()),
        webhook_id: Set(webhook_id.clone()),
        from_seq: Set(from),
        to_seq: Set(to),
        changes: Set(count),
        attempt: Set(number),
        status: Set(status),
        error: Set(error.clone()),
        duration_ms: Set(duration_ms),
        at: Set(now),
        ..Default::default()
    };
    let mut paused = false;
    let update = match &error {
        None => subscription::ActiveModel {
            cursor: Set(next),
            pending_id: Set(None),
            pending_from: Set(None),
            pending_to: Set(None),
            pending_next: Set(None),
            pending_count: Set(None),
            pending_body: Set(None),
            attempts: Set(0),
            failing_since: Set(None),
            failing_for_secs: Set(0),
            last_error: Set(None),
            last_delivery_at: Set(Some(now)),
            next_attempt_at: Set(now),
            ..Default::default()
        },
        Some(error) => {
            let mut update = subscription::ActiveModel {
                attempts: Set(number),
                failing_since: Set(Some(row.failing_since.unwrap_or(now))),
                last_error: Set(Some(error.clone())),
                ..Default::default()
            };
            if row.failing_for_secs
                >= i64::try_from(config.pause_after.as_secs()).unwrap_or(i64::MAX)
            {
                paused = true;
                update.state = Set("paused".into());
                update.paused_at = Set(Some(now));
                update.lease_holder = Set(None);
                update.lease_until = Set(None);
            } else {
                let delay = backoff(config, number);
                let real = delay.div_f64(config.time_scale.max(1.0));
                update.failing_for_secs =
                    Set(row.failing_for_secs + i64::try_from(delay.as_secs()).unwrap_or(i64::MAX));
                update.next_attempt_at = Set(now + chrono_of(real));
            }
            update
        }
    };
    let txn = crate::store::begin_write(db).await?;
    let updated = subscription::Entity::update_many()
        .set(update)
        .filter(subscription::Column::Id.eq(row.id.as_str()))
        .filter(subscription::Column::LeaseHolder.eq(holder))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        // Removed (or taken over) while the request was out: record nothing.
        return Ok(Step::Stop);
    }
    delivery::Entity::insert(log)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    let outcome_label = if error.is_none() { "ok" } else { "failed" };
    app.metrics
        .webhook_deliveries
        .with_label_values(&[row.id.as_str(), outcome_label])
        .inc();
    match &error {
        None => {
            app.metrics
                .webhook_changes
                .with_label_values(&[row.id.as_str()])
                .inc_by(u64::try_from(count).unwrap_or(0));
            tracing::debug!(subscription = %row.id, webhook_id = %webhook_id, from, to, "delivered");
        }
        Some(error) => {
            tracing::info!(subscription = %row.id, webhook_id = %webhook_id, attempt = number, %error, "webhook delivery failed");
        }
    }
    if paused {
        app.metrics
            .webhook_pauses
            .with_label_values(&[row.id.as_str()])
            .inc();
        tracing::warn!(subscription = %row.id, failing_since = ?row.failing_since, attempts = number, "subscription paused after failing for too long");
        return Ok(Step::Stop);
    }
    Ok(Step::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_to_an_hour_with_jitter() {
        let config = WebhookConfig::default();
        for (failures, nominal) in [(1, 5.0), (2, 10.0), (3, 20.0), (10, 2560.0), (11, 3600.0)] {
            for _ in 0..50 {
                let delay = backoff(&config, failures).as_secs_f64();
                assert!(
                    delay >= nominal * 0.8 && delay < nominal * 1.2,
                    "failure {failures}: {delay} s"
                );
            }
        }
        assert!(backoff(&config, 1000).as_secs_f64() < 3600.0 * 1.2);
    }

    #[test]
    fn a_day_of_failures_takes_about_thirty_attempts() {
        // The schedule the worker follows: pause at the failure that finds a day of delays.
        let config = WebhookConfig::default();
        for _ in 0..20 {
            let (mut failing_for, mut attempts) = (Duration::ZERO, 0);
            while failing_for < config.pause_after {
                attempts += 1;
                failing_for += backoff(&config, attempts);
            }
            assert!((25..=40).contains(&attempts), "{attempts} attempts");
        }
    }
}
