//! Token administration over HTTP (admin only): create, list, revoke. The work is in
//! [`crate::auth::tokens`].

use super::auth::{Caller, Who};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::params::{Bounded, Offset};
use super::problem::{ApiError, Problem};
use crate::app::AppState;
use crate::auth::tokens::{self, CreatedToken, TokenView};
use crate::auth::Principal;
use crate::ids::OrgNr;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// 403 unless the caller is an admin.
pub fn require_admin(caller: &Principal, what: &str) -> Result<(), ApiError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "only an admin token may {what} (this is a token of {caller})"
        )))
    }
}

/// Paging of the token list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokensQuery {
    /// Page size (default 50, at most 1000; 0 gives only the total).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000)]
    pub limit: Option<Bounded<0, 1000>>,
    /// Page start (default 0).
    #[param(value_type = Option<u64>, minimum = 0, maximum = 1000000000)]
    pub offset: Option<Offset>,
    /// Whether revoked tokens are listed too (default false).
    pub revoked: Option<bool>,
}

/// A page of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensResponse {
    /// Tokens before paging.
    pub total: u64,
    /// The page, oldest first; secrets are never listed.
    pub items: Vec<TokenView>,
}

/// A token to create: for a publisher, or an admin token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewToken {
    /// The publisher's organisation number (9 digits) for a publisher token.
    #[schema(pattern = "^[0-9]{9}$")]
    pub publisher: Option<String>,
    /// `true` for an admin token (then no publisher).
    pub admin: Option<bool>,
}

/// Creates a token; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewToken,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The token, with its secret (shown this once)", body = CreatedToken),
        (status = 400, description = "Neither or both of publisher and admin, or a bad org number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The JSON is not a token request", body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(app): State<AppState>,
    who: Who,
    ApiJson(input): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    require_admin(&who.principal, "create tokens")?;
    let publisher = match (input.publisher, input.admin.unwrap_or(false)) {
        (Some(p), false) => {
            Some(OrgNr::parse(&p).map_err(|e| ApiError::bad_request(format!("publisher: {e}")))?)
        }
        (None, true) => None,
        _ => {
            return Err(ApiError::bad_request(
                "publisher or admin: give a publisher's org number, or \"admin\": true",
            ))
        }
    };
    let created = tokens::create_audited(&app.db, publisher.as_ref(), &who.actor).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Lists tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", params(TokensQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tokens", body = TokensResponse),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json")))]
pub async fn list_tokens(
    State(app): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<TokensQuery>,
) -> Result<Json<TokensResponse>, ApiError> {
    require_admin(&caller, "list tokens")?;
    let (total, items) = tokens::list(
        &app.db,
        query.revoked.unwrap_or(false),
        query.limit.map_or(50, Bounded::get),
        query.offset.map_or(0, Offset::get),
    )
    .await?;
    Ok(Json(TokensResponse { total, items }))
}

/// Revokes a token: refused from now on, on every replica (each request looks its token up
/// in the store of record).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = String, Path, description = "Token id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token, revoked", body = TokenView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(app): State<AppState>,
    who: Who,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TokenView>, ApiError> {
    require_admin(&who.principal, "revoke tokens")?;
    tokens::revoke_audited(&app.db, &id, &who.actor)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no token {id}")))
}
