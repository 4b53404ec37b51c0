//! `GET /api/v1/audit` (admin only): the audit trail, filtered and paged, newest first. The
//! trail itself is in [`crate::auth::audit`].

use super::auth::Caller;
use super::extract::ApiQuery;
use super::params::{Bounded, Offset};
use super::problem::{ApiError, Problem};
use super::tokens::require_admin;
use crate::app::AppState;
use crate::auth::audit::{self, AuditEntry, AuditFilter};
use crate::ids::OrgNr;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters and paging of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditQuery {
    /// Only writes acting for this publisher (or made by it as a delegated token's supplier).
    #[param(value_type = Option<String>, pattern = "^[0-9]{9}$")]
    pub publisher: Option<OrgNr>,
    /// Only this action: `import`, `push`, `harvest`, `source.add`, `source.remove`,
    /// `run.start`, `mapping`, `service-model`, `token.create`, `token.revoke`, ...
    pub action: Option<String>,
    /// Only writes that touched this resource (its id or IRI).
    pub resource: Option<String>,
    /// Only writes at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<DateTime<Utc>>,
    /// Only writes before this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<DateTime<Utc>>,
    /// Only writes made with this credential: one of our tokens' id, or a JWT's `jti`.
    pub token: Option<String>,
    /// Page size (default 50, at most 1000; 0 gives only the total).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000)]
    pub limit: Option<Bounded<0, 1000>>,
    /// Page start (default 0).
    #[param(value_type = Option<u64>, minimum = 0, maximum = 1000000000)]
    pub offset: Option<Offset>,
}

/// A page of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditResponse {
    /// Rows matching the filters, before paging.
    pub total: u64,
    /// The page, newest first.
    pub items: Vec<AuditEntry>,
}

/// The audit trail: every committed write, who made it with which credential, from where, and
/// what it touched.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the audit trail, newest first", body = AuditResponse),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json")))]
pub async fn list_audit(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditResponse>, ApiError> {
    require_admin(&caller, "read the audit trail")?;
    if let (Some(since), Some(until)) = (query.since, query.until) {
        if until < since {
            return Err(ApiError::bad_request(format!(
                "until: {until} is before since: {since}"
            )));
        }
    }
    let non_empty = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        publisher: query.publisher.map(|p| p.as_str().to_owned()),
        action: non_empty(query.action),
        resource: non_empty(query.resource),
        since: query.since,
        until: query.until,
        token: non_empty(query.token),
    };
    let (total, items) = audit::list(
        &app.db,
        &filter,
        query.limit.map_or(50, Bounded::get),
        query.offset.map_or(0, Offset::get),
    )
    .await?;
    Ok(Json(AuditResponse { total, items }))
}
