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

/// The authenticated caller of a write, as the audit trail records it: what it may do, and who
/// it is with which credential, from which address and request (401 without a valid token).
#[derive(Debug, Clone)]
pub struct Who {
    /// What it may do.
    pub principal: Principal,
    /// Who it is, for [`crate::auth::audit::record`].
    pub actor: crate::auth::audit::Actor,
}

impl FromRequestParts<AppState> for Who {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let identity = identity(state, &parts.headers).await?;
        let actor = crate::auth::audit::Actor::of(
            &identity,
            client_addr(parts),
            request_id(&parts.headers),
        );
        Ok(Who {
            principal: identity.principal,
            actor,
        })
    }
}

/// The publisher a write of `who` is for: 403 for an admin (admins manage the instance;
/// publishers write their resources).
pub fn writing_publisher(who: &Who) -> Result<crate::ids::OrgNr, ApiError> {
    match &who.principal {
        Principal::Publisher(org) => Ok(org.clone()),
        Principal::Admin => Err(ApiError::forbidden(
            "an admin token does not write resources: use a token of the publisher",
        )),
    }
}

/// The client's address: the connection's peer (a proxy's `X-Forwarded-For` is not trusted).
pub fn client_addr(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

pub use crate::request::request_id;
