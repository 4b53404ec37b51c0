//! Who may do what: our API tokens (`tokens`), JWT access tokens of configured issuers such
//! as Maskinporten (`jwt`, with their keys in `jwks`), the principal a request speaks for, and
//! the checks that answer "may this principal write for that publisher / manage sources?".
//! Both kinds of credential map onto the same [`Principal`]; the [`Identity`] around it says
//! which credential it was, for the audit trail (`audit`). Per-client rate limits are in
//! `limits`.

pub mod audit;
pub mod jwks;
pub mod jwt;
pub mod limits;
pub mod tokens;

use crate::ids::OrgNr;

/// Who a request speaks for, once its credentials are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Writes the resources of one publisher (and manages that publisher's own sources).
    Publisher(OrgNr),
    /// Manages sources, peers, subscriptions and tokens of the whole instance.
    Admin,
}

impl Principal {
    /// Whether this principal may act for `publisher` (an admin may act for any).
    pub fn acts_for(&self, publisher: &OrgNr) -> bool {
        match self {
            Principal::Admin => true,
            Principal::Publisher(own) => own == publisher,
        }
    }

    /// Whether this principal is an admin.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::Admin)
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Principal::Publisher(org) => write!(f, "publisher {org}"),
            Principal::Admin => f.write_str("admin"),
        }
    }
}

/// The credential a request came with, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// One of our API tokens, by its id (never the secret).
    Token {
        /// The token's id.
        id: String,
    },
    /// A JWT access token of a configured issuer.
    Jwt {
        /// The issuer.
        issuer: String,
        /// The token's `jti`.
        jti: String,
        /// Its `client_id` (recorded, never used to decide).
        client_id: Option<String>,
        /// The consumer's org number.
        consumer: OrgNr,
        /// For a delegated token, the supplier acting for the consumer.
        supplier: Option<OrgNr>,
    },
}

/// Who a request speaks for and with which credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// What it may do.
    pub principal: Principal,
    /// How it proved it.
    pub credential: Credential,
}

impl From<jwt::JwtIdentity> for Identity {
    fn from(checked: jwt::JwtIdentity) -> Self {
        Identity {
            principal: checked.principal,
            credential: Credential::Jwt {
                issuer: checked.issuer,
                jti: checked.jti,
                client_id: checked.client_id,
                consumer: checked.consumer,
                supplier: checked.supplier,
            },
        }
    }
}
