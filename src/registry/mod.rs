//! The write side of the registry: importing a file as one atomic batch, and API tokens.
//! The HTTP API, the CLI and (later) the harvester all call these functions.

pub mod tokens;

use crate::ids::{resource_id_for_iri, OrgNr};
use crate::store::{self, change, resource, version, StoreError};
use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait, TransactionSession, TransactionTrait};
use semreg_importers::{
    content_hash, detect_format, Format, ImportError, ImportOptions, ImportedResource,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const ALIAS: &str = semreg_importers::codelist::terms::ALIAS;

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
    /// Non-fatal findings.
    pub warnings: Vec<WarningReport>,
    /// Every resource of the file and its outcome.
    pub resources: Vec<ResourceOutcome>,
    /// The last change-log seq this import wrote (None when nothing changed).
    pub last_seq: Option<i64>,
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
    /// The parsing task failed (a bug).
    #[error("import task failed: {0}")]
    Task(String),
}

impl From<sea_orm::DbErr> for RegistryError {
    fn from(value: sea_orm::DbErr) -> Self {
        RegistryError::Store(StoreError::Db(value))
    }
}

/// A parsed resource ready to be stored.
struct Prepared {
    id: String,
    alias: Option<String>,
    iri: String,
    kind: String,
    labels: std::collections::BTreeMap<String, String>,
    triple_count: usize,
    ntriples: String,
    hash: String,
}

/// The resource's readable alias (`semreg:alias` on the resource itself), if it has one.
fn alias_of(resource: &ImportedResource) -> Option<String> {
    resource.triples.iter().find_map(|t| {
        let is_own =
            matches!(&t.subject, oxrdf::NamedOrBlankNode::NamedNode(n) if n == &resource.iri);
        match &t.object {
            oxrdf::Term::Literal(alias) if is_own && t.predicate.as_str() == ALIAS => {
                Some(alias.value().to_owned())
            }
            _ => None,
        }
    })
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

/// Rows in chunks of `size`, moved rather than copied (a version row holds its whole N-Triples).
fn moved_chunks<T>(rows: Vec<T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        Some(rows.by_ref().take(size).collect())
    })
}

/// Imports one file as one transaction: all its resources, versions and change-log rows, or
/// nothing. Identical content gives no new version.
pub async fn import_file(
    db: &impl TransactionTrait,
    request: ImportRequest,
) -> Result<ImportReport, RegistryError> {
    let publisher = match (&request.actor, &request.publisher) {
        (Actor::Publisher(token), Some(asked)) if token != asked => {
            return Err(RegistryError::WrongPublisher {
                token: token.to_string(),
                asked: asked.to_string(),
            })
        }
        (Actor::Publisher(token), _) => Some(token.clone()),
        (Actor::Operator, asked) => asked.clone(),
    };
    let format = match request.format {
        Some(format) => format,
        None => detect_format(request.file_name.as_deref(), &request.bytes)
            .ok_or(ImportError::UnknownFormat)?,
    };
    let bytes = request.bytes;
    let options = ImportOptions {
        base_iri: None,
        file_name: request.file_name.clone(),
        params: request.params,
    };
    let started = std::time::Instant::now();
    let (batch, prepared) = tokio::task::spawn_blocking(move || {
        let mut batch = semreg_importers::import(format, &bytes, &options)?;
        tracing::debug!(
            parse_ms = started.elapsed().as_millis() as u64,
            resources = batch.resources.len(),
            "import parsed"
        );
        let prepared: Vec<Prepared> = std::mem::take(&mut batch.resources)
            .into_iter()
            .map(|r| Prepared {
                id: resource_id_for_iri(r.iri.as_str()),
                alias: alias_of(&r),
                hash: content_hash(&r.canonical),
                kind: r.kind.as_str().to_owned(),
                triple_count: r.triples.len(),
                iri: r.iri.into_string(),
                labels: r.labels,
                ntriples: r.canonical,
            })
            .collect();
        Ok::<_, ImportError>((batch, prepared))
    })
    .await
    .map_err(|e| RegistryError::Task(e.to_string()))??;

    let prepared_ms = started.elapsed().as_millis() as u64;
    let mut report = ImportReport {
        file: request.file_name,
        format: format.to_string(),
        triples: batch.triples_read,
        created: 0,
        updated: 0,
        unchanged: 0,
        retired: 0,
        warnings: batch
            .warnings
            .iter()
            .map(|w| WarningReport {
                location: w.location.clone(),
                message: w.message.clone(),
            })
            .collect(),
        resources: Vec::with_capacity(prepared.len()),
        last_seq: None,
    };

    let now = Utc::now();
    let txn = db.begin().await?;
    store::lock_for_write(&txn).await?;
    if let Some(publisher) = &publisher {
        store::ensure_publisher(&txn, publisher.as_str(), now).await?;
    }
    let ids: Vec<String> = prepared.iter().map(|p| p.id.clone()).collect();
    let existing: HashMap<String, resource::Model> = store::resources_by_ids(&txn, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();

    if let Actor::Publisher(actor) = &request.actor {
        for p in &prepared {
            if let Some(current) = existing.get(&p.id) {
                if current.publisher.as_deref() != Some(actor.as_str()) {
                    return Err(RegistryError::Forbidden {
                        iri: current.iri.clone(),
                        owner: current
                            .publisher
                            .clone()
                            .unwrap_or_else(|| "nobody".to_owned()),
                        actor: actor.to_string(),
                    });
                }
            }
        }
    }

    for p in &prepared {
        if let Some(alias) = &p.alias {
            if let Some(owner) = store::find_by_alias(&txn, alias).await? {
                if owner.id != p.id {
                    return Err(RegistryError::AliasTaken {
                        alias: alias.clone(),
                        iri: p.iri.clone(),
                        owner: owner.id,
                    });
                }
            }
        }
    }

    let mut new_resources = Vec::new();
    let mut new_versions = Vec::new();
    let mut new_changes = Vec::new();
    for p in prepared {
        let label = preferred_label(&p.labels).unwrap_or(&p.iri).to_owned();
        let labels_json = serde_json::to_string(&p.labels).unwrap_or_else(|_| "{}".to_owned());
        let kind = p.kind;
        let (outcome, number) = match existing.get(&p.id) {
            Some(current) if current.content_hash == p.hash => {
                (Outcome::Unchanged, current.current_version)
            }
            Some(current) => {
                let number = current.current_version + 1;
                let row = resource::ActiveModel {
                    id: Set(p.id.clone()),
                    kind: Set(kind.clone()),
                    label: Set(label),
                    labels: Set(labels_json),
                    alias: Set(p.alias.clone()),
                    current_version: Set(number),
                    content_hash: Set(p.hash.clone()),
                    updated_at: Set(now),
                    ..Default::default()
                };
                resource::Entity::update(row).exec(&txn).await?;
                (Outcome::Updated, number)
            }
            None => {
                let row = resource::ActiveModel {
                    id: Set(p.id.clone()),
                    iri: Set(p.iri.clone()),
                    kind: Set(kind.clone()),
                    publisher: Set(publisher.as_ref().map(|o| o.as_str().to_owned())),
                    status: Set("valid".to_owned()),
                    alias: Set(p.alias.clone()),
                    label: Set(label),
                    labels: Set(labels_json),
                    current_version: Set(1),
                    content_hash: Set(p.hash.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                };
                new_resources.push(row);
                (Outcome::Created, 1)
            }
        };
        if outcome != Outcome::Unchanged {
            new_versions.push(version::ActiveModel {
                resource_id: Set(p.id.clone()),
                version: Set(number),
                content_hash: Set(p.hash.clone()),
                ntriples: Set(p.ntriples),
                triple_count: Set(i32::try_from(p.triple_count).unwrap_or(i32::MAX)),
                created_at: Set(now),
            });
            new_changes.push(change::ActiveModel {
                resource_id: Set(p.id.clone()),
                iri: Set(p.iri.clone()),
                kind: Set(kind.clone()),
                op: Set(if outcome == Outcome::Created {
                    "created".to_owned()
                } else {
                    "updated".to_owned()
                }),
                version: Set(number),
                at: Set(now),
                ..Default::default()
            });
        }
        match outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
        }
        report.resources.push(ResourceOutcome {
            id: p.id.clone(),
            iri: p.iri,
            kind,
            outcome,
            version: number,
        });
    }
    // Chunks keep each statement under every database's bind-parameter limit. Resources first:
    // versions refer to them.
    for chunk in moved_chunks(new_resources, 200) {
        resource::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in moved_chunks(new_versions, 200) {
        version::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in moved_chunks(new_changes, 200) {
        change::Entity::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    if report.created + report.updated > 0 {
        report.last_seq = Some(store::last_seq(&txn).await?);
    }
    txn.commit().await?;
    tracing::debug!(
        prepared_ms,
        total_ms = started.elapsed().as_millis() as u64,
        "import committed"
    );
    Ok(report)
}
