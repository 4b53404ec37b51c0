//! The request's principal, from its bearer token — one of our API tokens or a JWT of a
//! configured issuer: `Caller` for handlers that need one.

use super::problem::ApiError;
use crate::app::AppState;
use crate::auth::jwt::{self, JwtError};
use crate::auth::{tokens, Identity, Principal};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};

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

impl From<JwtError> for ApiError {
    fn from(error: JwtError) -> Self {
        match error {
            JwtError::Refused { check, detail } => ApiError::invalid_token(check, detail),
            JwtError::KeysUnavailable { issuer, reason } => {
                tracing::warn!(issuer = %issuer, reason = %reason, "JWT refused: the issuer's keys cannot be fetched");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "the signing keys of {issuer} cannot be fetched now; try again shortly"
                    ),
                )
                .with_header(header::RETRY_AFTER, HeaderValue::from_static("30"))
            }
        }
    }
}

/// Who the request speaks for, and with which credential.
pub async fn identity(app: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let token = bearer_token(headers)?;
    if tokens::is_ours(token) {
        return tokens::identity(&app.db, token)
            .await?
            .ok_or_else(|| ApiError::invalid_token("token", "unknown or revoked token"));
    }
    if jwt::looks_like_jwt(token) {
        let checked = app.jwt.verify(token).await?;
        return Ok(Identity::from(checked));
    }
    Err(ApiError::invalid_token(
        "token",
        "unknown token: neither a semreg token nor a JWT",
    ))
}

/// Who the request speaks for.
pub async fn principal(app: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    identity(app, headers).await.map(|i| i.principal)
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
