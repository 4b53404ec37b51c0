//! The request's principal, from its bearer token — one of our API tokens or a JWT of a
//! configured issuer (read in [`crate::request`]): `Caller` for handlers that need one.

use super::problem::ApiError;
use crate::app::AppState;
use crate::auth::Principal;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

pub use crate::request::{bearer_token, identity, principal};

/// The authenticated caller: a publisher or an admin (401 without a valid token).
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        principal(state, &parts.headers).await.map(Caller)
    }
}
