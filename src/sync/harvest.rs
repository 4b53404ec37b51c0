//! One harvest run: claim the source (one run per source at a time, held by a renewed lease),
//! fetch (conditional GET unless forced; Klass through its JSON API), parse, and apply the
//! batch with the source's scope — all of it, the run's report and the source's new state in
//! one transaction. A failing run writes nothing but its report.

use super::runs::{self, ErrorCategory, RunEnd};
use super::sources::SourceType;
use super::SyncError;
use crate::app::App;
use crate::auth::Principal;
use crate::fetch::{FetchError, FetchRequest, Fetched};
use crate::ids::OrgNr;
use crate::registry::{self, Actor, ApplyRequest, Parsed, RegistryError, Scope};
use crate::store::{run, source};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};
use semreg_importers::Format;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The marker of the catalog records semreg itself serves (see [`super::catalog`]): a harvest
/// drops them, as FDK makes its own records of what it harvests.
pub const RECORD_MARK: &str = "#semreg-record";

/// What a harvest run needs: the store, the outbound client, the lease, and — in a serving
/// process — the app, whose projections and metrics follow each run. (The CLI runs a source
/// without projections: a running server's poller applies the run's changes.)
#[derive(Clone)]
pub struct Harvester {
    /// The store of record.
    pub db: sea_orm::DatabaseConnection,
    /// The outbound HTTP client.
    pub fetcher: crate::fetch::Fetcher,
    /// How long a run holds its source without renewing.
    pub lease: std::time::Duration,
    /// The serving app, if any.
    pub app: Option<Arc<App>>,
    /// What one delivery may hold.
    pub caps: crate::registry::ImportCaps,
}

impl Harvester {
    /// The harvester of a serving app.
    pub fn of(app: &Arc<App>) -> Self {
        Self {
            db: app.db.clone(),
            fetcher: app.fetcher.clone(),
            lease: app.config.harvest_lease,
            app: Some(Arc::clone(app)),
            caps: app.config.import_caps(),
        }
    }
}

/// Starts a run of a source now: claims it and records the run, then carries it out in the
/// background. Returns the run's id; 409 while another run of the source holds it.
pub async fn start_run(
    harvester: &Harvester,
    caller: Option<(&Principal, &crate::auth::audit::Actor)>,
    source_id: &str,
    forced: bool,
    remove_all: bool,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
) -> Result<String, SyncError> {
    let (found, run_id) = claim(harvester, caller, source_id, forced, remove_all).await?;
    let harvester = harvester.clone();
    let id = run_id.clone();
    tokio::spawn(async move {
        let _permit = permit;
        execute(&harvester, found, &id, forced, remove_all).await;
    });
    Ok(run_id)
}

/// Runs a source now and waits for the run to end; returns its report.
pub async fn run_now(
    harvester: &Harvester,
    source_id: &str,
    forced: bool,
    remove_all: bool,
) -> Result<runs::RunReport, SyncError> {
    let (found, run_id) = claim(harvester, None, source_id, forced, remove_all).await?;
    execute(harvester, found, &run_id, forced, remove_all).await;
    Ok(runs::get_run(&harvester.db, source_id, &run_id)
        .await?
        .into())
}

/// Claims a source for a new run and records the run.
async fn claim(
    harvester: &Harvester,
    caller: Option<(&Principal, &crate::auth::audit::Actor)>,
    source_id: &str,
    forced: bool,
    remove_all: bool,
) -> Result<(source::Model, String), SyncError> {
    let app = harvester;
    let found = match caller {
        Some((caller, _)) => super::sources::get_source(&app.db, caller, source_id).await?,
        None => source::Entity::find_by_id(source_id.to_owned())
            .one(&app.db)
            .await?
            .ok_or_else(|| SyncError::NotFound(format!("no source {source_id}")))?,
    };
    let run_id = uuid::Uuid::new_v4().to_string();
    let now = Utc::now();
    let lease = chrono::Duration::from_std(app.lease).unwrap_or_default();
    let txn = crate::store::begin_write(&app.db).await?;
    let claimed = source::Entity::update_many()
        .col_expr(source::Column::RunningRun, Expr::value(run_id.clone()))
        .col_expr(source::Column::LeaseUntil, Expr::value(now + lease))
        .filter(source::Column::Id.eq(source_id))
        .filter(
            Condition::any()
                .add(source::Column::RunningRun.is_null())
                .add(source::Column::LeaseUntil.lt(now)),
        )
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(SyncError::Conflict(format!(
            "a run of source {source_id} is in progress ({})",
            found.running_run.unwrap_or_default()
        )));
    }
    if let Some(stale) = &found.running_run {
        interrupt(&txn, stale).await?;
    }
    run::Entity::insert(runs::new_run(
        &run_id,
        Some(source_id),
        Some(&found.publisher),
        "harvest",
        forced,
        remove_all,
        now,
    ))
    .exec(&txn)
    .await?;
    if let Some((_, actor)) = caller {
        use crate::auth::audit;
        let event = audit::Event::new(
            audit::Action::RUN_START,
            serde_json::json!({
                "sourceId": source_id,
                "runId": run_id,
                "forced": forced,
                "removeAll": remove_all,
            }),
        );
        audit::record(&txn, actor, &event).await?;
    }
    txn.commit().await?;
    Ok((found, run_id))
}

/// Marks a run that lost its lease (its process stopped) as failed: its transaction never
/// committed, so nothing of it is visible.
pub async fn interrupt(db: &impl ConnectionTrait, run_id: &str) -> Result<(), SyncError> {
    let still_running = run::Entity::find_by_id(run_id.to_owned())
        .one(db)
        .await?
        .is_some_and(|r| r.status == "running");
    if still_running {
        runs::finish_run(
            db,
            run_id,
            RunEnd::Failed(
                ErrorCategory::InternalError,
                "interrupted: the process stopped during the run; nothing of it was applied".into(),
            ),
        )
        .await?;
    }
    Ok(())
}

/// A failed step of a run.
struct Failure(ErrorCategory, String);

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Self {
        let category = match &error {
            FetchError::Status {
                status: 404 | 410, ..
            } => ErrorCategory::SourceNotFound,
            FetchError::Client(_) => ErrorCategory::InternalError,
            _ => ErrorCategory::SourceUnavailable,
        };
        Failure(category, error.to_string())
    }
}

impl From<RegistryError> for Failure {
    fn from(error: RegistryError) -> Self {
        let category = match &error {
            RegistryError::Import(_) | RegistryError::UnknownFormat(_) => {
                ErrorCategory::SourceDataInvalid
            }
            _ => ErrorCategory::InternalError,
        };
        Failure(category, error.to_string())
    }
}

impl From<SyncError> for Failure {
    fn from(error: SyncError) -> Self {
        Failure(ErrorCategory::InternalError, error.to_string())
    }
}

impl From<sea_orm::DbErr> for Failure {
    fn from(error: sea_orm::DbErr) -> Self {
        Failure(ErrorCategory::InternalError, error.to_string())
    }
}

/// What a fetch of a source gave.
enum Delivery {
    NotModified,
    Batch {
        parsed: Parsed,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Carries out a claimed run and records its end. Never fails: a failure is the run's report.
async fn execute(
    app: &Harvester,
    found: source::Model,
    run_id: &str,
    forced: bool,
    remove_all: bool,
) {
    let started = std::time::Instant::now();
    let source_id = found.id.clone();
    let heartbeat = {
        let app = app.clone();
        let source_id = source_id.clone();
        let run_id = run_id.to_owned();
        tokio::spawn(async move {
            let every = app.lease / 3;
            loop {
                tokio::time::sleep(every).await;
                let lease = chrono::Duration::from_std(app.lease).unwrap_or_default();
                let renewed = source::Entity::update_many()
                    .col_expr(source::Column::LeaseUntil, Expr::value(Utc::now() + lease))
                    .filter(source::Column::Id.eq(source_id.as_str()))
                    .filter(source::Column::RunningRun.eq(run_id.as_str()))
                    .exec(&app.db)
                    .await;
                if let Err(error) = renewed {
                    tracing::warn!(%error, source = %source_id, "cannot renew the lease of a run");
                }
            }
        })
    };
    // The run (fetch, parse, commit) on the background runtime: reads keep the cores.
    let outcome = {
        let (app, found, run_id) = (app.clone(), found.clone(), run_id.to_owned());
        crate::background::run(
            async move { run_once(&app, &found, &run_id, forced, remove_all).await },
        )
        .await
    };
    heartbeat.abort();
    let (label, failed) = match &outcome {
        Ok(status) => (*status, false),
        Err(Failure(category, message)) => {
            tracing::warn!(source = %source_id, run = %run_id, category = category.as_str(), error = %message, "harvest run failed");
            if let Err(error) = record_failure(app, &found, run_id, category, message).await {
                tracing::error!(%error, source = %source_id, "cannot record a failed harvest run");
            }
            ("error", true)
        }
    };
    let ms = started.elapsed().as_millis() as i64;
    if let Some(app) = &app.app {
        app.metrics
            .harvest_runs
            .with_label_values(&[source_id.as_str(), label])
            .inc();
        app.metrics
            .harvest_duration_ms
            .with_label_values(&[source_id.as_str()])
            .set(ms);
        if !failed {
            app.metrics
                .harvest_last_success
                .with_label_values(&[source_id.as_str()])
                .set(Utc::now().timestamp());
            if let Err(error) = app.catch_up().await {
                tracing::error!(%error, "projections could not catch up after a harvest run");
            }
            if let Ok(org) = OrgNr::parse(&found.publisher) {
                if let Some(quality) = super::catalog::quality_summary(app, &org).await {
                    if let Err(error) = runs::set_quality(&app.db, run_id, quality).await {
                        tracing::warn!(%error, run = %run_id, "cannot add the quality line to a run");
                    }
                }
            }
        }
    }
    tracing::info!(source = %source_id, run = %run_id, status = label, duration_ms = ms, "harvest run ended");
}

/// The run itself; returns its status (`done` or `unchanged`).
async fn run_once(
    app: &Harvester,
    found: &source::Model,
    run_id: &str,
    forced: bool,
    remove_all: bool,
) -> Result<&'static str, Failure> {
    let publisher = OrgNr::parse(&found.publisher)
        .map_err(|e| Failure(ErrorCategory::InternalError, e.to_string()))?;
    // A source's first run is always forced: there is nothing to be "unchanged" against.
    let forced = forced || found.last_success_at.is_none();
    let delivery = if remove_all {
        Delivery::Batch {
            parsed: Parsed::empty(Format::Turtle),
            etag: found.etag.clone(),
            last_modified: found.last_modified.clone(),
        }
    } else {
        fetch_and_parse(app, found, forced).await?
    };
    if found.strict {
        if let (Delivery::Batch { parsed, .. }, Some(shapes)) =
            (&delivery, app.app.as_ref().and_then(|a| a.quality.shapes()))
        {
            strict_check(shapes, parsed).await?;
        }
    }
    let txn = crate::store::begin_write(&app.db).await?;
    let (status, etag, last_modified) = match delivery {
        Delivery::NotModified => {
            runs::finish_run(&txn, run_id, RunEnd::NotModified).await?;
            ("unchanged", found.etag.clone(), found.last_modified.clone())
        }
        Delivery::Batch {
            parsed,
            etag,
            last_modified,
        } => {
            let report = registry::apply(
                &txn,
                ApplyRequest {
                    parsed,
                    file: Some(found.url.clone()),
                    publisher: Some(publisher),
                    actor: Actor::Operator,
                    scope: Scope::Source {
                        source_id: found.id.clone(),
                        remove_all,
                    },
                    dry_run: false,
                    run_id: Some(run_id.to_owned()),
                    precondition: None,
                    status: registry::WriteStatus::Valid,
                    audit: crate::auth::audit::Context::new(
                        crate::auth::audit::Actor::scheduler(),
                        crate::auth::audit::Action::HARVEST,
                    )
                    .with_detail(serde_json::json!({ "forced": forced, "removeAll": remove_all })),
                },
            )
            .await?;
            let row = runs::finish_run(&txn, run_id, RunEnd::Applied(&report)).await?;
            (
                if row.status == "unchanged" {
                    "unchanged"
                } else {
                    "done"
                },
                etag,
                last_modified,
            )
        }
    };
    let now = Utc::now();
    source::Entity::update(source::ActiveModel {
        id: Set(found.id.clone()),
        etag: Set(etag),
        last_modified: Set(last_modified),
        failures: Set(0),
        last_success_at: Set(Some(now)),
        next_run_at: Set(super::sources::next_run(now, found.interval_seconds, 0)),
        running_run: Set(None),
        lease_until: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(status)
}

/// A strict source's batch must raise no SHACL violation.
async fn strict_check(shapes: Arc<crate::quality::Shapes>, parsed: &Parsed) -> Result<(), Failure> {
    let ntriples: String = parsed
        .resources
        .iter()
        .map(|r| r.ntriples.as_str())
        .collect();
    let (findings, violations, _) = tokio::task::spawn_blocking(move || shapes.validate(&ntriples))
        .await
        .map_err(|e| Failure(ErrorCategory::InternalError, e.to_string()))?
        .map_err(|e| Failure(ErrorCategory::InternalError, e.to_string()))?;
    if violations == 0 {
        return Ok(());
    }
    let first = findings
        .iter()
        .find(|f| f.severity == "Violation")
        .map(|f| {
            format!(
                "; e.g. {} on {} ({})",
                f.path.as_deref().unwrap_or("the node"),
                f.examples.first().map_or("?", String::as_str),
                f.message.as_deref().unwrap_or(&f.component)
            )
        })
        .unwrap_or_default();
    Err(Failure(
        ErrorCategory::ValidationError,
        format!("the source is strict and its catalog raises {violations} SHACL violations{first}"),
    ))
}

async fn record_failure(
    app: &Harvester,
    found: &source::Model,
    run_id: &str,
    category: &ErrorCategory,
    message: &str,
) -> Result<(), SyncError> {
    let txn = crate::store::begin_write(&app.db).await?;
    runs::finish_run(&txn, run_id, RunEnd::Failed(*category, message.to_owned())).await?;
    let current = source::Entity::find_by_id(found.id.clone())
        .one(&txn)
        .await?;
    if let Some(current) = current {
        let failures = current.failures.saturating_add(1);
        source::Entity::update(source::ActiveModel {
            id: Set(found.id.clone()),
            failures: Set(failures),
            next_run_at: Set(super::sources::next_run(
                Utc::now(),
                current.interval_seconds,
                failures,
            )),
            running_run: Set(None),
            lease_until: Set(None),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

fn fetch_request(
    found: &source::Model,
    source_type: SourceType,
    url: &str,
    forced: bool,
) -> FetchRequest {
    let mut request = FetchRequest::new(url);
    request.accept = Some(
        found
            .accept_header
            .clone()
            .unwrap_or_else(|| source_type.default_accept().to_owned()),
    );
    if let (Some(name), Some(value)) = (&found.auth_header_name, &found.auth_header_value) {
        request.headers.push((name.clone(), value.clone()));
    }
    if !forced {
        request.if_none_match = found.etag.clone();
        request.if_modified_since = found.last_modified.clone();
    }
    request
}

async fn fetch_and_parse(
    app: &Harvester,
    found: &source::Model,
    forced: bool,
) -> Result<Delivery, Failure> {
    let source_type = SourceType::parse(&found.data_source_type).ok_or_else(|| {
        Failure(
            ErrorCategory::InternalError,
            format!("unknown dataSourceType {:?}", found.data_source_type),
        )
    })?;
    let mut params = BTreeMap::new();
    let url = if source_type == SourceType::Klass {
        klass_codes_url(app, found, source_type, &mut params).await?
    } else {
        found.url.clone()
    };
    let fetched = app
        .fetcher
        .get(fetch_request(found, source_type, &url, forced))
        .await?;
    let body = match fetched {
        Fetched::NotModified { .. } => return Ok(Delivery::NotModified),
        Fetched::Body(body) => body,
    };
    let format = source_type.format(body.media_type.as_deref());
    let file_name = reqwest::Url::parse(&body.url)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
        })
        .filter(|s| !s.is_empty());
    let caps = app.caps;
    let mut parsed = registry::parse(format, file_name, body.bytes, params, caps).await?;
    if source_type.is_rdf() {
        strip_semreg_records(&mut parsed);
    }
    Ok(Delivery::Batch {
        parsed,
        etag: body.etag,
        last_modified: body.last_modified,
    })
}

/// Klass: reads the classification (`GET {url}`: its id, name and versions) and answers the
/// URL of its codes over all its versions (`{url}/codes?from=<first version's start>`), with
/// the importer's params.
async fn klass_codes_url(
    app: &Harvester,
    found: &source::Model,
    source_type: SourceType,
    params: &mut BTreeMap<String, String>,
) -> Result<String, Failure> {
    let fetched = app
        .fetcher
        .get(fetch_request(found, source_type, &found.url, true))
        .await?;
    let Fetched::Body(body) = fetched else {
        return Err(Failure(
            ErrorCategory::SourceDataInvalid,
            format!("{} answered 304 to an unconditional GET", found.url),
        ));
    };
    let invalid = |what: &str| {
        Failure(
            ErrorCategory::SourceDataInvalid,
            format!("{}: not a Klass classification: {what}", found.url),
        )
    };
    let json: serde_json::Value =
        serde_json::from_slice(&body.bytes).map_err(|e| invalid(&e.to_string()))?;
    let id = match &json["id"] {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) if s.bytes().all(|b| b.is_ascii_digit()) => s.clone(),
        _ => return Err(invalid("$.id: expected the classification number")),
    };
    params.insert("id".into(), id);
    if let Some(name) = json["name"].as_str() {
        params.insert("label".into(), name.to_owned());
    }
    let from = json["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["validFrom"].as_str())
        .min()
        .unwrap_or("1800-01-01")
        .to_owned();
    Ok(format!(
        "{}/codes?from={from}",
        found.url.trim_end_matches('/')
    ))
}

/// Drops what another semreg generated for its catalog: its catalogs (IRIs with
/// [`super::catalog::CATALOG_MARK`]) and its records (IRIs with [`RECORD_MARK`]). They describe
/// that instance's holding, not the resources, so a resource's content (and hash) is the same
/// here as there.
fn strip_semreg_records(parsed: &mut Parsed) {
    parsed
        .resources
        .retain(|r| !r.iri.contains(super::catalog::CATALOG_MARK));
    for resource in &mut parsed.resources {
        if !resource.ntriples.contains(RECORD_MARK) {
            continue;
        }
        let kept: Vec<&str> = resource
            .ntriples
            .lines()
            .filter(|line| {
                !line
                    .split_once("> ")
                    .is_some_and(|(subject, _)| subject.contains(RECORD_MARK))
            })
            .collect();
        let mut text = kept.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        resource.triple_count = kept.len();
        resource.hash = semreg_importers::content_hash(&text);
        resource.ntriples = text;
    }
}
