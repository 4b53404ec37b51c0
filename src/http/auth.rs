//! The request's principal, from its bearer token: `Caller` for handlers that need one.

use super::problem::ApiError;
use crate::app::AppState;
use crate::auth::{tokens, Principal};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};

/// The bearer token of a request, or 401 naming what is wrong.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("this request needs `Authorization: Bearer TOKEN`")
        })?;
    Ok(value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer TOKEN`"))?
        .trim())
}

/// Who the request speaks for.
pub async fn principal(app: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let token = bearer_token(headers)?;
    tokens::principal(&app.db, token)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown or revoked token"))
}

/// The authenticated caller: a publisher or an admin (401 without a valid token).
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        principal(state, &parts.headers).await.map(Caller)
    }
}
