//! Runs and their reports: one harvest of a source or one whole-catalog push, with FDK's
//! status and error categories, counts, and the changed, removed and conflicting resources.

use super::SyncError;
use crate::registry::{ConflictReport, ImportReport, Outcome, WarningReport};
use crate::store::run;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// FDK's error categories of a failed run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCategory {
    /// The source could not be reached, timed out, or sent too much.
    SourceUnavailable,
    /// The source answered 404 or 410.
    SourceNotFound,
    /// What the source sent cannot be read.
    SourceDataInvalid,
    /// Resources were skipped because another source or publisher owns them.
    SourceConflict,
    /// The data fails validation (a strict source).
    ValidationError,
    /// semreg failed.
    InternalError,
}

impl ErrorCategory {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::SourceUnavailable => "SOURCE_UNAVAILABLE",
            ErrorCategory::SourceNotFound => "SOURCE_NOT_FOUND",
            ErrorCategory::SourceDataInvalid => "SOURCE_DATA_INVALID",
            ErrorCategory::SourceConflict => "SOURCE_CONFLICT",
            ErrorCategory::ValidationError => "VALIDATION_ERROR",
            ErrorCategory::InternalError => "INTERNAL_ERROR",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [
            Self::SourceUnavailable,
            Self::SourceNotFound,
            Self::SourceDataInvalid,
            Self::SourceConflict,
            Self::ValidationError,
            Self::InternalError,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// A resource named in a report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResourceRef {
    /// Its id.
    pub id: String,
    /// Its IRI.
    pub iri: String,
}

/// The lists a run's report keeps (stored as JSON with the run).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunLists {
    /// Created, updated and reactivated resources.
    pub changed_resources: Vec<ResourceRef>,
    /// Retired resources.
    pub removed_resources: Vec<ResourceRef>,
    /// Resources skipped because another source or publisher owns them.
    pub conflicting_resources: Vec<ConflictReport>,
    /// The importer's non-fatal findings.
    pub warnings: Vec<WarningReport>,
    /// The publisher's SHACL quality after the run (when shapes are configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<crate::quality::QualitySummary>,
}

impl RunLists {
    /// The lists of a write's report.
    pub fn of(report: &ImportReport) -> Self {
        let pick = |outcomes: &[Outcome]| {
            report
                .resources
                .iter()
                .filter(|r| outcomes.contains(&r.outcome))
                .map(|r| ResourceRef {
                    id: r.id.clone(),
                    iri: r.iri.clone(),
                })
                .collect()
        };
        Self {
            changed_resources: pick(&[
                Outcome::Created,
                Outcome::Updated,
                Outcome::Reactivated,
                Outcome::Published,
            ]),
            removed_resources: pick(&[Outcome::Retired]),
            conflicting_resources: report.conflicts.clone(),
            warnings: report.warnings.clone(),
            quality: None,
        }
    }
}

/// A run as answered (`GET /api/v1/sources/{id}/runs/{runId}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// The run's id.
    pub run_id: String,
    /// The source harvested (none for a push).
    pub source_id: Option<String>,
    /// The publisher whose catalog it applied.
    pub publisher: Option<String>,
    /// harvest or push.
    pub kind: String,
    /// When it started (RFC 3339).
    pub start_time: String,
    /// When it ended (RFC 3339).
    pub end_time: Option<String>,
    /// running, done, error or unchanged.
    pub status: String,
    /// For an error (or a run with conflicts): FDK's category.
    pub error_category: Option<ErrorCategory>,
    /// What went wrong, naming file, line or field where the importer can.
    pub error_message: Option<String>,
    /// Whether "unchanged" was ignored.
    pub forced: bool,
    /// Whether everything of the source was retired.
    pub remove_all: bool,
    /// Resources created.
    pub created: i32,
    /// Resources with a new version.
    pub updated: i32,
    /// Resources left as they were.
    pub unchanged: i32,
    /// Resources retired.
    pub retired: i32,
    /// Retired resources that came back.
    pub reactivated: i32,
    /// Resources skipped because another source or publisher owns them.
    pub conflicts: i32,
    /// The lists.
    #[serde(flatten)]
    pub lists: RunLists,
}

impl From<run::Model> for RunReport {
    fn from(r: run::Model) -> Self {
        let lists = r
            .report
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default();
        Self {
            run_id: r.id,
            source_id: r.source_id,
            publisher: r.publisher,
            kind: r.kind,
            start_time: r.start_time.to_rfc3339(),
            end_time: r.end_time.map(|t| t.to_rfc3339()),
            status: r.status,
            error_category: r.error_category.as_deref().and_then(ErrorCategory::parse),
            error_message: r.error_message,
            forced: r.forced,
            remove_all: r.remove_all,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            retired: r.retired,
            reactivated: r.reactivated,
            conflicts: r.conflicts,
            lists,
        }
    }
}

/// A new run row, `running`.
pub fn new_run(
    id: &str,
    source_id: Option<&str>,
    publisher: Option<&str>,
    kind: &str,
    forced: bool,
    remove_all: bool,
    now: DateTime<Utc>,
) -> run::ActiveModel {
    run::ActiveModel {
        id: Set(id.to_owned()),
        source_id: Set(source_id.map(str::to_owned)),
        publisher: Set(publisher.map(str::to_owned)),
        kind: Set(kind.to_owned()),
        status: Set("running".to_owned()),
        forced: Set(forced),
        remove_all: Set(remove_all),
        start_time: Set(now),
        end_time: Set(None),
        error_category: Set(None),
        error_message: Set(None),
        created: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        retired: Set(0),
        reactivated: Set(0),
        conflicts: Set(0),
        report: Set(None),
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// How a run ended.
#[derive(Debug, Clone)]
pub enum RunEnd<'a> {
    /// A write's report: `done`, or `unchanged` when nothing changed.
    Applied(&'a ImportReport),
    /// 304 from the source: `unchanged`, nothing parsed.
    NotModified,
    /// Failed: nothing written.
    Failed(ErrorCategory, String),
}

/// Records how a run ended.
pub async fn finish_run(
    db: &impl ConnectionTrait,
    id: &str,
    end: RunEnd<'_>,
) -> Result<run::Model, SyncError> {
    let mut row = run::ActiveModel {
        id: Set(id.to_owned()),
        end_time: Set(Some(Utc::now())),
        ..Default::default()
    };
    match end {
        RunEnd::Applied(report) => {
            let changed = report.created
                + report.updated
                + report.retired
                + report.reactivated
                + report.published
                > 0;
            row.status = Set(if changed || !report.conflicts.is_empty() {
                "done"
            } else {
                "unchanged"
            }
            .to_owned());
            if !report.conflicts.is_empty() {
                row.error_category = Set(Some(ErrorCategory::SourceConflict.as_str().to_owned()));
                row.error_message = Set(Some(format!(
                    "{} resources skipped: another source or publisher owns them",
                    report.conflicts.len()
                )));
            }
            row.created = Set(count(report.created));
            row.updated = Set(count(report.updated));
            row.unchanged = Set(count(report.unchanged));
            row.retired = Set(count(report.retired));
            row.reactivated = Set(count(report.reactivated));
            row.conflicts = Set(count(report.conflicts.len()));
            row.report = Set(serde_json::to_string(&RunLists::of(report)).ok());
        }
        RunEnd::NotModified => row.status = Set("unchanged".to_owned()),
        RunEnd::Failed(category, message) => {
            row.status = Set("error".to_owned());
            row.error_category = Set(Some(category.as_str().to_owned()));
            row.error_message = Set(Some(message));
        }
    }
    Ok(run::Entity::update(row).exec(db).await?)
}

/// A source's runs, newest first.
pub async fn list_runs(
    db: &impl ConnectionTrait,
    source_id: &str,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<run::Model>), SyncError> {
    let query = run::Entity::find().filter(run::Column::SourceId.eq(source_id));
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(run::Column::StartTime)
        .order_by_desc(run::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, items))
}

/// One run of a source.
pub async fn get_run(
    db: &impl ConnectionTrait,
    source_id: &str,
    run_id: &str,
) -> Result<run::Model, SyncError> {
    run::Entity::find_by_id(run_id.to_owned())
        .filter(run::Column::SourceId.eq(source_id))
        .one(db)
        .await?
        .ok_or_else(|| SyncError::NotFound(format!("no run {run_id} of source {source_id}")))
}

/// Adds the quality line to a finished run's report.
pub async fn set_quality(
    db: &impl ConnectionTrait,
    id: &str,
    quality: crate::quality::QualitySummary,
) -> Result<(), SyncError> {
    let Some(row) = run::Entity::find_by_id(id.to_owned()).one(db).await? else {
        return Ok(());
    };
    let mut lists: RunLists = row
        .report
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    lists.quality = Some(quality);
    run::Entity::update(run::ActiveModel {
        id: Set(id.to_owned()),
        report: Set(serde_json::to_string(&lists).ok()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// A publisher's latest runs (harvests of its sources and pushes of its catalog), newest first.
pub async fn latest_of_publisher(
    db: &impl ConnectionTrait,
    publisher: &str,
    limit: u64,
) -> Result<Vec<run::Model>, SyncError> {
    Ok(run::Entity::find()
        .filter(run::Column::Publisher.eq(publisher))
        .order_by_desc(run::Column::StartTime)
        .order_by_desc(run::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
