//! The write side of the registry: every write (import, push, harvest) goes through [`apply`],
//! one transaction with the write lock: resources, versions, retirements and change-log rows,
//! or nothing. The HTTP API, the CLI and the harvester all call these functions.

/// API tokens moved to [`crate::auth::tokens`]; kept here so existing callers keep working.
pub use crate::auth::tokens;

mod apply;
pub(crate) use apply::{change_row, moved_chunks};
mod parse;

pub use apply::{
    apply, apply_with, catalog_etag, changed_predicates, ApplyRequest, Precondition, Scope, DRAFT,
    RETIRED,
};
pub use parse::{parse, ImportCaps, Parsed, Prepared};

use crate::ids::OrgNr;
use crate::store::StoreError;
use sea_orm::{ConnectionTrait, TransactionTrait};
use semreg_importers::{Format, ImportError};
use serde::{Deserialize, Serialize};

/// Who is writing: the local operator (CLI on the data dir) or a publisher's token.
#[derive(Debug, Clone)]
pub enum Actor {
    /// Local access to the store: may write any resource.
    Operator,
    /// A publisher's API token: may write only that publisher's resources.
    Publisher(OrgNr),
}

/// One file to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The file's name, for the report and format detection.
    pub file_name: Option<String>,
    /// The format; `None` detects it from the name and the content.
    pub format: Option<Format>,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The publisher that new resources belong to.
    pub publisher: Option<OrgNr>,
    /// Who asks.
    pub actor: Actor,
    /// Format-specific settings for the importer (e.g. CSV column mapping).
    pub params: std::collections::BTreeMap<String, String>,
    /// The semreg status the file's resources get: valid (published) or draft.
    pub status: WriteStatus,
    /// Who writes and what kind of write, for the audit trail.
    pub audit: crate::auth::audit::Context,
    /// What the file may hold.
    pub caps: ImportCaps,
}

/// The semreg status a write gives the resources it delivers (`status=` on import and push).
/// A source vocabulary's own status terms (EU concept status `CANDIDATE` and the like) are
/// content, not this: they hide nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WriteStatus {
    /// Published: everyone sees it (the default).
    #[default]
    Valid,
    /// Seen only by its publisher until a later `valid` write publishes it.
    Draft,
}

impl WriteStatus {
    /// Parses `valid` or `draft`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "valid" => Some(WriteStatus::Valid),
            "draft" => Some(WriteStatus::Draft),
            _ => None,
        }
    }

    /// The status stored on the resource.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteStatus::Valid => "valid",
            WriteStatus::Draft => DRAFT,
        }
    }
}

/// What became of one resource of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A new resource.
    Created,
    /// A new version of an existing resource.
    Updated,
    /// Identical content: no new version.
    Unchanged,
    /// No longer delivered: kept, resolvable and marked retired.
    Retired,
    /// Retired before and delivered again: active again, with the same id and `issued`.
    Reactivated,
    /// A draft published (made valid) with its content unchanged: no new version.
    Published,
}

/// One resource in an import report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResourceOutcome {
    /// Resource id.
    pub id: String,
    /// Resource IRI.
    pub iri: String,
    /// Resource kind.
    pub kind: String,
    /// What happened.
    pub outcome: Outcome,
    /// The resource's version after the import.
    pub version: i32,
    /// For a changed resource: the predicates whose triples were added or removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_predicates: Vec<String>,
}

/// A resource a harvest skipped because another source or publisher owns it (FDK's
/// `SOURCE_CONFLICT`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConflictReport {
    /// Resource id.
    pub id: String,
    /// Resource IRI.
    pub iri: String,
    /// Who owns it: `publisher ORGNR`, `source ID` or `nobody`.
    pub owner: String,
}

/// A warning in an import report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WarningReport {
    /// Where (subject, element or line), if known.
    pub location: Option<String>,
    /// What.
    pub message: String,
}

/// The summary of one imported file (the CLI prints it; the API returns it).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// The file's name, if given.
    pub file: Option<String>,
    /// The format used.
    pub format: String,
    /// Triples read from the file.
    pub triples: usize,
    /// New resources.
    pub created: usize,
    /// Resources with a new version.
    pub updated: usize,
    /// Resources whose content was identical.
    pub unchanged: usize,
    /// Resources retired by this import.
    pub retired: usize,
    /// Retired resources that came back.
    #[serde(default)]
    pub reactivated: usize,
    /// Drafts published unchanged (a changed one counts as updated).
    #[serde(default)]
    pub published: usize,
    /// Resources skipped because another source or publisher owns them (harvest only).
    #[serde(default)]
    pub conflicts: Vec<ConflictReport>,
    /// Non-fatal findings.
    pub warnings: Vec<WarningReport>,
    /// Every resource of the file and its outcome.
    pub resources: Vec<ResourceOutcome>,
    /// The last change-log seq this import wrote (None when nothing changed).
    pub last_seq: Option<i64>,
    /// Whether this was a dry run (nothing written).
    #[serde(default)]
    pub dry_run: bool,
    /// The ETag of the publisher's catalog after the write, when there is a publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_etag: Option<String>,
    /// The publisher's SHACL quality after the write (when shapes are configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<crate::quality::QualitySummary>,
}

/// Why an import failed. Nothing of the file was stored.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The file could not be read as its format.
    #[error("{0}")]
    Import(#[from] ImportError),
    /// The format is not one semreg knows.
    #[error("unknown format {0:?}: use one of {list}", list = Format::NAMES.join(", "))]
    UnknownFormat(String),
    /// The batch touches a resource owned by another publisher.
    #[error("resource {iri} belongs to publisher {owner}, not to {actor}")]
    Forbidden {
        /// The resource's IRI.
        iri: String,
        /// Its owner (or "nobody").
        owner: String,
        /// The publisher that tried to write.
        actor: String,
    },
    /// The batch touches a copy mirrored from another instance: only its origin changes it.
    #[error("resource {iri} is a read-only copy mirrored from instance {origin} ({url}): change it there")]
    Mirrored {
        /// The resource's IRI.
        iri: String,
        /// The id of the instance that owns it.
        origin: String,
        /// That instance's base URL.
        url: String,
    },
    /// A publisher may only import as itself.
    #[error("a token of publisher {token} cannot import for publisher {asked}")]
    WrongPublisher {
        /// The token's publisher.
        token: String,
        /// The publisher asked for.
        asked: String,
    },
    /// The store of record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An alias in the file is already used by another resource.
    #[error("alias {alias:?} of {iri} is already used by resource {owner}")]
    AliasTaken {
        /// The alias.
        alias: String,
        /// The resource that wanted it.
        iri: String,
        /// The resource id that has it.
        owner: String,
    },
    /// The file is over a cap of one import (a literal's size, the number of triples).
    #[error("{0}")]
    TooLarge(String),
    /// The parsing task failed (a bug).
    #[error("import task failed: {0}")]
    Task(String),
    /// The catalog's ETag is not the one the write was conditional on (`If-Match`), or the
    /// catalog exists where the write asked to create it (`If-None-Match: *`).
    #[error("{0}")]
    PreconditionFailed(String),
    /// A whole-catalog write (push, harvest) needs the publisher whose catalog it is.
    #[error("a whole-catalog write needs a publisher")]
    NoPublisher,
    /// `status=draft` on a resource that is published already.
    #[error("resource {iri} is published ({status}): a published resource cannot become a draft again; write it with status=valid")]
    PublishedNotDraft {
        /// The resource's IRI.
        iri: String,
        /// Its current status.
        status: String,
    },
}

impl From<sea_orm::DbErr> for RegistryError {
    fn from(value: sea_orm::DbErr) -> Self {
        RegistryError::Store(StoreError::Db(value))
    }
}

/// Picks the label shown when one language is needed: nb, nn, no, en, untagged, then any.
pub fn preferred_label(labels: &std::collections::BTreeMap<String, String>) -> Option<&str> {
    for lang in ["nb", "nn", "no", "en", ""] {
        if let Some(label) = labels.get(lang) {
            return Some(label);
        }
    }
    labels.values().next().map(String::as_str)
}

/// The publisher a write is for: the token's own (asking for another is refused), or for the
/// operator whichever was asked.
pub fn writing_publisher(
    actor: &Actor,
    asked: Option<&OrgNr>,
) -> Result<Option<OrgNr>, RegistryError> {
    match (actor, asked) {
        (Actor::Publisher(token), Some(asked)) if token != asked => {
            Err(RegistryError::WrongPublisher {
                token: token.to_string(),
                asked: asked.to_string(),
            })
        }
        (Actor::Publisher(token), _) => Ok(Some(token.clone())),
        (Actor::Operator, asked) => Ok(asked.cloned()),
    }
}

/// Imports one file as one transaction: all its resources, versions and change-log rows, or
/// nothing. Identical content gives no new version; nothing is retired (a file is not a whole
/// catalog: see [`apply`] with [`Scope::Catalog`] for that).
pub async fn import_file<D: TransactionTrait + ConnectionTrait>(
    db: &D,
    request: ImportRequest,
) -> Result<ImportReport, RegistryError> {
    import_file_fed(db, request, None)
        .await
        .map(|(report, _)| report)
}

/// [`import_file`], feeding `projections` as it writes when the file holds at least
/// [`crate::projections::FEED_MIN`] resources (see [`apply_with`]: commit the feed it gives
/// back with the report's `last_seq`).
pub async fn import_file_fed<D: TransactionTrait + ConnectionTrait>(
    db: &D,
    request: ImportRequest,
    projections: Option<&std::sync::Arc<crate::projections::Projections>>,
) -> Result<(ImportReport, Option<crate::projections::Feed>), RegistryError> {
    let publisher = writing_publisher(&request.actor, request.publisher.as_ref())?;
    let parsed = parse(
        request.format,
        request.file_name.clone(),
        request.bytes,
        request.params,
        request.caps,
    )
    .await?;
    let feed = match projections {
        Some(projections) if parsed.resources.len() >= crate::projections::FEED_MIN => {
            match projections.begin_feed(db).await {
                Ok(feed) => Some(feed),
                Err(error) => {
                    tracing::warn!(%error, "projections not fed by this import: the catch-up applies it");
                    None
                }
            }
        }
        _ => None,
    };
    apply_with(
        db,
        ApplyRequest {
            parsed,
            file: request.file_name,
            publisher,
            actor: request.actor,
            scope: Scope::Merge,
            dry_run: false,
            run_id: None,
            precondition: None,
            status: request.status,
            audit: request.audit,
        },
        feed,
    )
    .await
}
