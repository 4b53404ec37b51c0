//! What the API handlers and the web pages both read off a request: who its credential speaks
//! for (one of our API tokens or a JWT of a configured issuer, sent as a bearer token or, from
//! a page's form, as a field) and the public base URL the client reached.

use crate::app::AppState;
use crate::auth::jwt;
use crate::auth::{tokens, Identity, Principal};
use crate::ids::OrgNr;
use crate::problem::ApiError;
use axum::http::{header, HeaderMap};

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

/// Who a token speaks for, and with which credential (401 for an unknown, revoked or refused
/// token).
pub async fn identity_of_token(app: &AppState, token: &str) -> Result<Identity, ApiError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::unauthorized("no token given"));
    }
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

/// Who the request speaks for, and with which credential.
pub async fn identity(app: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    identity_of_token(app, bearer_token(headers)?).await
}

/// Who the request speaks for.
pub async fn principal(app: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    identity(app, headers).await.map(|i| i.principal)
}

/// The publisher a token writes for: 401 without a valid token, 403 for an admin token
/// (admins manage the instance; publishers write their resources).
pub async fn publisher_of_token(app: &AppState, token: &str) -> Result<OrgNr, ApiError> {
    match identity_of_token(app, token).await?.principal {
        Principal::Publisher(org) => Ok(org),
        Principal::Admin => Err(ApiError::forbidden(
            "an admin token does not write resources: use a token of the publisher",
        )),
    }
}

/// The publisher behind the request's bearer token (see [`publisher_of_token`]).
pub async fn publisher(app: &AppState, headers: &HeaderMap) -> Result<OrgNr, ApiError> {
    publisher_of_token(app, bearer_token(headers)?).await
}

/// The publisher whose drafts the request may see: the publisher of its bearer token, if it
/// sends one (`None` without `Authorization` or for an admin token; 401 for a bad token).
/// Anonymous requests pay nothing: no token, no lookup.
pub async fn viewer(app: &AppState, headers: &HeaderMap) -> Result<Option<OrgNr>, ApiError> {
    if !headers.contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    Ok(match identity(app, headers).await?.principal {
        Principal::Publisher(org) => Some(org),
        Principal::Admin => None,
    })
}

/// Whether a resource with this status and publisher is hidden from `viewer`: a draft is seen
/// only by its publisher.
pub fn hidden_from(status: &str, publisher: Option<&str>, viewer: Option<&OrgNr>) -> bool {
    status == crate::registry::DRAFT && viewer.is_none_or(|v| publisher != Some(v.as_str()))
}

/// Marks an answer about a draft as private: no shared cache may keep it, and it varies by
/// credential.
pub fn mark_private(headers: &mut HeaderMap) {
    headers.insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    headers.append(
        header::VARY,
        axum::http::HeaderValue::from_static("Authorization"),
    );
}

/// The server's public base URL as the client reached it (`http://host:port`; `https` behind a
/// proxy that says `X-Forwarded-Proto: https`), if the request names a plausible host.
pub fn public_base_url(headers: &HeaderMap) -> Option<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })?;
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http");
    Some(format!("{scheme}://{host}"))
}

/// The request's id from `X-Request-Id`, when it has a plausible one (at most 128 visible
/// ASCII characters).
pub fn request_id(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
}
