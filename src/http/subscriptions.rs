//! Webhook subscriptions over HTTP (admin only): register, list, show, remove, resume, and the
//! delivery log. The work is in [`crate::webhooks`].

use super::auth::Caller;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::params::{Bounded, Offset};
use super::problem::{ApiError, Problem};
use super::tokens::require_admin;
use crate::app::AppState;
use crate::webhooks::subscriptions::{
    self, CreatedSubscription, DeliveryView, SubscriptionInput, SubscriptionView,
};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Paging of the subscription and delivery lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPage {
    /// Page size (default 50, at most 1000; 0 gives only the total).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000)]
    pub limit: Option<Bounded<0, 1000>>,
    /// Page start (default 0).
    #[param(value_type = Option<u64>, minimum = 0, maximum = 1000000000)]
    pub offset: Option<Offset>,
}

impl SubscriptionPage {
    fn bounds(&self) -> (u64, u64) {
        (
            self.limit.map_or(50, Bounded::get),
            self.offset.map_or(0, Offset::get),
        )
    }
}

/// A page of subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionsResponse {
    /// Subscriptions before paging.
    pub total: u64,
    /// The page, oldest first; secrets are never listed.
    pub items: Vec<SubscriptionView>,
}

/// A page of a subscription's delivery log.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveriesResponse {
    /// Attempts before paging.
    pub total: u64,
    /// The page, newest first.
    pub items: Vec<DeliveryView>,
}

/// Registers a webhook: matching changes are POSTed to `url` as signed JSON batches (Standard
/// Webhooks). The secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/subscriptions", request_body = SubscriptionInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The subscription, with its secret (shown this once)", body = CreatedSubscription,
            headers(("Location" = String, description = "The subscription's URL"))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable: the URL (scheme, host, an internal address the SSRF guard refuses), the filter, the secret or `since`; the detail names it", body = Problem, content_type = "application/problem+json")))]
pub async fn create_subscription(
    State(app): State<AppState>,
    who: super::auth::Who,
    ApiJson(input): ApiJson<SubscriptionInput>,
) -> Result<(StatusCode, HeaderMap, Json<CreatedSubscription>), ApiError> {
    require_admin(&who.principal, "manage subscriptions")?;
    let created = subscriptions::create(&app, input, &who.actor).await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!(
        "/api/v1/subscriptions/{}",
        created.subscription.id
    )) {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(created)))
}

/// Lists subscriptions (never their secrets).
#[utoipa::path(get, path = "/api/v1/subscriptions", params(SubscriptionPage),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of subscriptions", body = SubscriptionsResponse),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json")))]
pub async fn list_subscriptions(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(page): ApiQuery<SubscriptionPage>,
) -> Result<Json<SubscriptionsResponse>, ApiError> {
    require_admin(&caller, "manage subscriptions")?;
    let (limit, offset) = page.bounds();
    let (total, items) = subscriptions::list(&app.db, limit, offset).await?;
    Ok(Json(SubscriptionsResponse { total, items }))
}

/// One subscription: its state, cursor, batch in flight and retry schedule.
#[utoipa::path(get, path = "/api/v1/subscriptions/{id}",
    params(("id" = String, Path, description = "Subscription id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")))]
pub async fn get_subscription(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SubscriptionView>, ApiError> {
    require_admin(&caller, "manage subscriptions")?;
    Ok(Json(subscriptions::get(&app.db, &id).await?))
}

/// Removes a subscription and its delivery log.
#[utoipa::path(delete, path = "/api/v1/subscriptions/{id}",
    params(("id" = String, Path, description = "Subscription id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_subscription(
    State(app): State<AppState>,
    who: super::auth::Who,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    require_admin(&who.principal, "manage subscriptions")?;
    subscriptions::delete(&app.db, &id, &who.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a (paused) subscription active again: its next attempt is due now, with the batch it
/// failed on, under the same `webhook-id`.
#[utoipa::path(post, path = "/api/v1/subscriptions/{id}/resume",
    params(("id" = String, Path, description = "Subscription id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription, active", body = SubscriptionView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")))]
pub async fn resume_subscription(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SubscriptionView>, ApiError> {
    require_admin(&caller, "manage subscriptions")?;
    Ok(Json(subscriptions::resume(&app.db, &id).await?))
}

/// A subscription's delivery log: one entry per attempt, newest first.
#[utoipa::path(get, path = "/api/v1/subscriptions/{id}/deliveries",
    params(("id" = String, Path, description = "Subscription id"), SubscriptionPage),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of delivery attempts", body = DeliveriesResponse),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")))]
pub async fn list_deliveries(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<SubscriptionPage>,
) -> Result<Json<DeliveriesResponse>, ApiError> {
    require_admin(&caller, "manage subscriptions")?;
    let (limit, offset) = page.bounds();
    let (total, items) = subscriptions::deliveries(&app.db, &id, limit, offset).await?;
    Ok(Json(DeliveriesResponse { total, items }))
}
