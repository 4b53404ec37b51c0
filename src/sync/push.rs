//! Whole-catalog pushes: `PUT` replaces a publisher's catalog (what is not in the body
//! retires, except resources of its harvest sources), `POST` merges (creates and updates,
//! retires nothing). Conditional on the catalog's ETag, and with a dry run that reports
//! exactly the diff the write would make. Shares the write path with harvest runs.

use super::runs::{self, RunEnd};
use super::SyncError;
use crate::app::App;
use crate::auth::audit;
use crate::auth::Principal;
use crate::ids::OrgNr;
use crate::registry::{self, Actor, ApplyRequest, ImportReport, Precondition, Scope, WriteStatus};
use crate::store::run;
use chrono::Utc;
use sea_orm::EntityTrait;
use semreg_importers::Format;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One push.
#[derive(Debug, Clone)]
pub struct PushRequest {
    /// Whose catalog.
    pub publisher: OrgNr,
    /// Who pushes.
    pub caller: Principal,
    /// The body's format (`None`: detected).
    pub format: Option<Format>,
    /// A file name, for detection and the report.
    pub file_name: Option<String>,
    /// The body.
    pub bytes: Vec<u8>,
    /// Importer settings.
    pub params: BTreeMap<String, String>,
    /// Replace the whole catalog (PUT) or merge (POST).
    pub replace: bool,
    /// Report only.
    pub dry_run: bool,
    /// `If-Match` / `If-None-Match: *`.
    pub precondition: Option<Precondition>,
    /// The semreg status the catalog's resources get (`status=draft` keeps them drafts).
    pub status: WriteStatus,
    /// Who pushes, for the audit trail.
    pub actor: audit::Actor,
}

/// What a push did (or, for a dry run, would do).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushReport {
    /// The run that recorded it (none for a dry run).
    pub run_id: Option<String>,
    /// The write's report: every resource with its outcome (and changed predicates).
    #[serde(flatten)]
    pub report: ImportReport,
}

/// Pushes a catalog for a publisher.
pub async fn push(app: &App, request: PushRequest) -> Result<PushReport, SyncError> {
    // Parsed and committed on the background runtime: reads keep the cores.
    let app = app.arc();
    crate::background::run(async move { push_here(&app, request).await }).await
}

async fn push_here(app: &App, request: PushRequest) -> Result<PushReport, SyncError> {
    // Only the publisher writes its catalog: an admin manages the instance, not its content.
    if request.caller != Principal::Publisher(request.publisher.clone()) {
        return Err(SyncError::Forbidden(format!(
            "a token of {} cannot write the catalog of publisher {}: use a token of that publisher",
            request.caller, request.publisher
        )));
    }
    let parsed = registry::parse(
        request.format,
        request.file_name.clone(),
        request.bytes,
        request.params,
        app.config.import_caps(),
    )
    .await?;
    let scope = if request.replace {
        Scope::Catalog
    } else {
        Scope::Merge
    };
    let run_id = (!request.dry_run).then(|| uuid::Uuid::new_v4().to_string());
    // A large catalog feeds the projections while it is written (crate::projections::Feed).
    let feed = if !request.dry_run && parsed.resources.len() >= crate::projections::FEED_MIN {
        match app.projections.begin_feed(&app.db).await {
            Ok(feed) => Some(feed),
            Err(error) => {
                tracing::warn!(%error, "projections not fed by this push: the catch-up applies it");
                None
            }
        }
    } else {
        None
    };
    let txn = crate::store::begin_write(&app.db).await?;
    if let Some(id) = &run_id {
        run::Entity::insert(runs::new_run(
            id,
            None,
            Some(request.publisher.as_str()),
            "push",
            true,
            false,
            Utc::now(),
        ))
        .exec(&txn)
        .await?;
    }
    // The ownership check is the publisher's.
    let publisher = request.publisher.clone();
    let (mut report, feed) = registry::apply_with(
        &txn,
        ApplyRequest {
            parsed,
            file: request.file_name,
            publisher: Some(request.publisher.clone()),
            actor: Actor::Publisher(request.publisher),
            scope,
            dry_run: request.dry_run,
            run_id: run_id.clone(),
            precondition: request.precondition,
            status: request.status,
            audit: audit::Context::new(request.actor, audit::Action::PUSH)
                .with_detail(serde_json::json!({ "replace": request.replace })),
        },
        feed,
    )
    .await?;
    if let Some(id) = &run_id {
        runs::finish_run(&txn, id, RunEnd::Applied(&report)).await?;
        txn.commit().await?;
        if let (Some(feed), Some(last)) = (feed, report.last_seq) {
            app.announce(last);
            if let Err(error) = feed.commit(last).await {
                tracing::warn!(%error, "projections not fed by a push: the catch-up applies it");
            }
        }
        if let Err(error) = app.catch_up().await {
            tracing::error!(%error, "projections could not catch up after a push");
        }
        report.quality = super::catalog::quality_summary(app, &publisher).await;
    } else {
        txn.rollback().await?;
    }
    Ok(PushReport { run_id, report })
}
