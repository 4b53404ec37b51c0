//! Who may do what: our API tokens (`tokens`), the principal a request speaks for, and the
//! checks that answer "may this principal write for that publisher / manage sources?".
//! Other credentials (JWTs of an issuer, with scopes) map onto the same [`Principal`].

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
