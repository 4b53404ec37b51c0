//! The harvest scheduler: every tick it starts the runs of active sources that are due (each
//! in its own task, so a slow or hanging source delays no other), at most
//! `harvest_concurrency` at once per process, and marks runs whose process stopped as
//! interrupted. The database coordinates replicas: a run claims its source with a lease.

use super::harvest;
use crate::app::App;
use crate::store::{run, source};
use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::sync::Arc;

/// Starts the scheduler.
pub fn spawn(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let harvester = harvest::Harvester::of(&app);
        let slots = Arc::new(tokio::sync::Semaphore::new(
            app.config.harvest_concurrency.max(1),
        ));
        let mut ticker = tokio::time::interval(app.config.harvest_tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = tick(&harvester, &slots).await {
                tracing::warn!(%error, "harvest scheduler tick failed; will retry");
            }
        }
    })
}

/// One tick: recover interrupted runs, start due ones.
pub async fn tick(
    app: &harvest::Harvester,
    slots: &Arc<tokio::sync::Semaphore>,
) -> Result<(), super::SyncError> {
    recover_interrupted(app).await?;
    let now = Utc::now();
    let free = slots.available_permits() as u64;
    if free == 0 {
        return Ok(());
    }
    let due = source::Entity::find()
        .filter(source::Column::Active.eq(true))
        .filter(source::Column::NextRunAt.lte(now))
        .filter(
            Condition::any()
                .add(source::Column::RunningRun.is_null())
                .add(source::Column::LeaseUntil.lt(now)),
        )
        .order_by_asc(source::Column::NextRunAt)
        .limit(free)
        .all(&app.db)
        .await?;
    for s in due {
        let Ok(permit) = Arc::clone(slots).try_acquire_owned() else {
            break;
        };
        match harvest::start_run(app, None, &s.id, false, false, Some(permit)).await {
            Ok(run_id) => tracing::debug!(source = %s.id, run = %run_id, "scheduled run started"),
            // Another replica (or an API call) started it first.
            Err(super::SyncError::Conflict(_)) => {}
            Err(error) => tracing::warn!(%error, source = %s.id, "cannot start a scheduled run"),
        }
    }
    Ok(())
}

/// Marks runs still `running` whose source no longer holds them (or whose lease ran out) as
/// interrupted.
pub async fn recover_interrupted(app: &harvest::Harvester) -> Result<usize, super::SyncError> {
    let running = run::Entity::find()
        .filter(run::Column::Status.eq("running"))
        .filter(run::Column::Kind.eq("harvest"))
        .all(&app.db)
        .await?;
    let now = Utc::now();
    let mut recovered = 0;
    for r in running {
        let Some(source_id) = &r.source_id else {
            continue;
        };
        let holder = source::Entity::find_by_id(source_id.clone())
            .one(&app.db)
            .await?;
        let held = holder.is_some_and(|s| {
            s.running_run.as_deref() == Some(r.id.as_str())
                && s.lease_until.is_some_and(|t| t > now)
        });
        if !held {
            harvest::interrupt(&app.db, &r.id).await?;
            recovered += 1;
        }
    }
    Ok(recovered)
}
