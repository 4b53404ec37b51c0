//! Federation: what lets instances follow each other. This part holds the instance's own
//! description (a stable id, generated once and kept in the store, and the epoch of its change
//! log) and the live change feed: pages of the log with what a follower needs of each change,
//! long-polling, and Server-Sent Events; and peers: the instances this one follows, a follower
//! task per peer, and the read-only copies it mirrors with their provenance.

pub mod cli;
pub mod feed;
pub mod follower;
pub mod instance;
pub mod mirror;
pub mod peers;

pub use feed::{FeedChange, FeedFilter, FeedPage};
pub use instance::Instance;

/// Who owns a resource, as its JSON shows it: the origin instance's id and base URL; for a
/// copy mirrored from a peer also the origin's IRI, version and hash, and when it was fetched.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    /// The id of the instance that owns the resource (`GET /api/v1/instance` there).
    pub instance: String,
    /// That instance's base URL (for this instance's own resources: its public URL, or the
    /// URL the request reached it at).
    pub url: Option<String>,
    /// Whether this is a read-only copy mirrored from another instance.
    pub mirrored: bool,
    /// A copy: the resource's IRI on its origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iri: Option<String>,
    /// A copy: the origin's version it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// A copy: the origin's content hash of that version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// A copy: when that version was fetched (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
}

impl Origin {
    /// The origin of a stored resource; `own` is this instance's id, `own_url` its base URL.
    pub fn of(row: &crate::store::resource::Model, own: &str, own_url: Option<String>) -> Self {
        match row.origin_instance.as_deref() {
            Some(origin) if origin != own => Self {
                instance: origin.to_owned(),
                url: row.origin_url.clone(),
                mirrored: true,
                iri: row.origin_iri.clone(),
                version: row.origin_version,
                hash: row.origin_hash.clone(),
                fetched_at: row.fetched_at.map(|t| t.to_rfc3339()),
            },
            _ => Self {
                instance: own.to_owned(),
                url: own_url,
                mirrored: false,
                iri: None,
                version: None,
                hash: None,
                fetched_at: None,
            },
        }
    }
}
