//! The change feed (`GET /api/v1/changes`): pages of the change log after a `seq` for followers
//! and caches, long-polled with `wait`, or streamed as Server-Sent Events; and the instance's
//! own description (`GET /api/v1/instance`) that followers check before they trust a `seq`.

use super::extract::ApiQuery;
use super::params::{Bounded, Kinds, Seq};
use super::problem::ApiError;
use crate::app::AppState;
use crate::federation::{feed, FeedChange, FeedFilter};
use crate::store;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/v1/changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Return changes with a seq greater than this (default 0; with `Accept:
    /// text/event-stream`, a `Last-Event-ID` header takes its place).
    #[param(value_type = Option<i64>, minimum = 0)]
    pub since: Option<Seq>,
    /// Most changes to return (default 100, at most 1000).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<Bounded<1, 1000>>,
    /// Seconds to wait for a matching change when there is none yet (a long poll; default 0,
    /// at most 60): the answer comes as soon as one commits.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 60)]
    pub wait: Option<Bounded<0, 60>>,
    /// Only changes of these kinds (comma-separated).
    #[param(value_type = Option<Kinds>)]
    pub kind: Option<Kinds>,
    /// Only changes of resources of these publishers (organisation numbers, comma-separated).
    #[param(value_type = Option<String>)]
    pub publisher: Option<String>,
    /// Only changes of resources owned by these instances (instance ids, comma-separated).
    #[param(value_type = Option<String>)]
    pub origin: Option<String>,
    /// Only changes of these resources (ids, comma-separated).
    #[param(value_type = Option<String>)]
    pub id: Option<String>,
    /// Embed each version's content (canonical N-Triples, labels, alias) in its change: the
    /// bulk path followers use (default false).
    pub content: Option<bool>,
}

/// A page of the change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesResponse {
    /// Changes, oldest first.
    pub changes: Vec<FeedChange>,
    /// Pass this as `since` to get the next page (past every change looked at, matching the
    /// filters or not).
    pub next: i64,
}

fn list(text: Option<&str>) -> Vec<String> {
    text.map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

impl ChangesQuery {
    fn filter(&self) -> FeedFilter {
        FeedFilter {
            kinds: self.kind.as_ref().map(Kinds::names).unwrap_or_default(),
            publishers: list(self.publisher.as_deref()),
            origins: list(self.origin.as_deref()),
            ids: list(self.id.as_deref()),
            viewer: None,
            content: self.content.unwrap_or(false),
        }
    }
}

/// Whether the client asks for Server-Sent Events.
fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/event-stream"))
        })
}

/// Lists changes after `since`, oldest first; long-polls with `wait`; streams Server-Sent
/// Events with `Accept: text/event-stream` (event `change`, id = `seq`, data = the change as
/// JSON; a heartbeat comment while idle).
#[utoipa::path(get, path = "/api/v1/changes", params(ChangesQuery),
    responses((status = 200, description = "Changes after `since`, oldest first; or, with `Accept: text/event-stream`, an endless stream of them as Server-Sent Events",
               content((ChangesResponse = "application/json"), (String = "text/event-stream"))),
              (status = 400, description = "A parameter (or `Last-Event-ID`) is not valid")))]
pub async fn list_changes(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut since = query.since.map_or(0, Seq::as_i64);
    let mut filter = query.filter();
    filter.viewer = crate::request::viewer(&app, &headers)
        .await?
        .map(|v| v.as_str().to_owned());
    if wants_event_stream(&headers) {
        if let Some(last) = headers.get("last-event-id") {
            since = last
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| *v >= 0)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "Last-Event-ID: not a seq (a whole number, 0 or more)".to_owned(),
                    )
                })?;
        }
        let events = feed::stream(
            app.db.clone(),
            app.commits.subscribe(),
            app.instance.id.clone(),
            since,
            filter,
        )
        .map(|change| {
            Event::default()
                .id(change.seq.to_string())
                .event("change")
                .json_data(&change)
        });
        let heartbeat = KeepAlive::new()
            .interval(app.config.feed_heartbeat)
            .text("heartbeat");
        return Ok(Sse::new(events).keep_alive(heartbeat).into_response());
    }
    let limit = query.limit.map_or(100, Bounded::get);
    let wait = Duration::from_secs(query.wait.map_or(0, Bounded::get));
    let page = feed::wait_for_page(
        &app.db,
        &app.commits,
        &app.instance.id,
        since,
        limit,
        &filter,
        wait,
    )
    .await?;
    Ok(Json(ChangesResponse {
        changes: page.changes,
        next: page.next,
    })
    .into_response())
}

/// The software this instance runs.
#[derive(Debug, Serialize, ToSchema)]
pub struct Software {
    /// Always `semreg`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// This instance, as followers see it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDescription {
    /// The instance's stable id (generated once, kept in the store): the `origin` of what it owns.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The URL it is reached at (the configured public URL, or as this request reached it).
    pub base_url: Option<String>,
    /// The software it runs.
    pub software: Software,
    /// The oldest `seq` in its change log (0 when empty).
    pub first_seq: i64,
    /// The newest `seq` in its change log (0 when empty).
    pub last_seq: i64,
    /// Changes only when the change log is restored from a backup: a follower that sees a new
    /// epoch resyncs from the start instead of trusting its last `seq`.
    pub epoch: String,
}

/// This instance's id, name, base URL, software, change-log range and epoch.
#[utoipa::path(get, path = "/api/v1/instance",
    responses((status = 200, body = InstanceDescription, description = "This instance")))]
pub async fn get_instance(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<InstanceDescription>, ApiError> {
    // Read, not cached: a restore renews the epoch under a running server.
    let instance = crate::federation::Instance::load_or_create(&app.db).await?;
    let first_seq = store::first_seq(&app.db).await?;
    let last_seq = store::last_seq(&app.db).await?;
    let base_url = app
        .config
        .public_url
        .clone()
        .or_else(|| super::types::public_base_url(&headers));
    Ok(Json(InstanceDescription {
        id: app.instance.id.clone(),
        name: app.config.instance_name.clone(),
        base_url,
        software: Software {
            name: "semreg",
            version: env!("CARGO_PKG_VERSION"),
        },
        first_seq,
        last_seq,
        epoch: instance.epoch,
    }))
}
