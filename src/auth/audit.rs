//! The audit trail: every write records who made it (the acting publisher, our token's id or
//! the JWT's `jti`, `client_id` and, for a delegated token, the supplier), what it touched (the
//! resources and versions), when, and from where (client address, request id). A row is written
//! by [`record`] in the transaction of the write it describes, so it exists if and only if the
//! write committed. The table is append-only in the database itself (triggers refuse `UPDATE`
//! and `DELETE`; see migration `m20261202_000032_audit`).
//!
//! To audit a new write path: build an [`Actor`] (from a request: `Who` in `src/http/auth.rs`;
//! locally: [`Actor::operator`]), an [`Event`] naming its [`Action`] (add a constant for a new
//! kind of write) and what it touched, and call [`record`] on the write's transaction before
//! committing it.

use super::{Credential, Identity, Principal};
use crate::ids::OrgNr;
use crate::registry::{ImportReport, Outcome};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The `audit` table.
pub mod entry {
    use sea_orm::entity::prelude::*;

    /// One audit row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit")]
    pub struct Model {
        /// Increasing id (the order of commits).
        #[sea_orm(primary_key)]
        pub id: i64,
        /// When the write committed (its transaction's time).
        pub at: DateTimeUtc,
        /// The publisher the write acted for (none for the operator or an admin's own acts).
        pub publisher: Option<String>,
        /// `publisher`, `admin`, `operator` (the CLI on the data dir), `scheduler` or
        /// `follower` (mirroring a peer).
        pub role: String,
        /// Our token's id.
        pub token_id: Option<String>,
        /// A JWT's issuer.
        pub issuer: Option<String>,
        /// A JWT's `jti`.
        pub jti: Option<String>,
        /// A JWT's `client_id`.
        pub client_id: Option<String>,
        /// A delegated JWT's supplier.
        pub supplier: Option<String>,
        /// What kind of write (see [`super::Action`]).
        pub action: String,
        /// JSON array of the resources touched: `{"id","iri","version","op"}`.
        #[sea_orm(column_type = "Text")]
        pub resources: String,
        /// JSON object with what else the write was about (file, source, token, counts).
        #[sea_orm(column_type = "Text")]
        pub detail: String,
        /// The client's address.
        pub client_addr: Option<String>,
        /// The request's id (`X-Request-Id`), when it had one.
        pub request_id: Option<String>,
    }

    /// No relations are navigated through the ORM.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A kind of write, as the audit trail names it (`import`, `source.add`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action(pub &'static str);

impl Action {
    /// A file imported (HTTP `POST /api/v1/import` or `semreg import`).
    pub const IMPORT: Action = Action("import");
    /// A whole catalog pushed (`PUT`/`POST /api/v1/publishers/{org}/catalog`).
    pub const PUSH: Action = Action("push");
    /// A harvest run applied what its source delivered.
    pub const HARVEST: Action = Action("harvest");
    /// A harvest source registered.
    pub const SOURCE_ADD: Action = Action("source.add");
    /// A harvest source removed.
    pub const SOURCE_REMOVE: Action = Action("source.remove");
    /// A harvest run started by hand.
    pub const RUN_START: Action = Action("run.start");
    /// A mapping set stored.
    pub const MAPPING: Action = Action("mapping");
    /// A service model composed and stored.
    pub const SERVICE_MODEL: Action = Action("service-model");
    /// A token created.
    pub const TOKEN_CREATE: Action = Action("token.create");
    /// A token revoked.
    pub const TOKEN_REVOKE: Action = Action("token.revoke");
    /// A peer followed (federation).
    pub const PEER_ADD: Action = Action("peer.add");
    /// A peer no longer followed.
    pub const PEER_REMOVE: Action = Action("peer.remove");
    /// Copies mirrored from a peer's change feed applied.
    pub const PEER_SYNC: Action = Action("peer.sync");
    /// A webhook subscription registered.
    pub const SUBSCRIPTION_ADD: Action = Action("subscription.add");
    /// A webhook subscription removed.
    pub const SUBSCRIPTION_REMOVE: Action = Action("subscription.remove");
    /// The instance restored from a backup.
    pub const RESTORE: Action = Action("restore");

    /// The name stored.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Who made a write, with which credential and from where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The publisher it acted for.
    pub publisher: Option<OrgNr>,
    /// `publisher`, `admin`, `operator` or `scheduler`.
    pub role: &'static str,
    /// Our token's id.
    pub token_id: Option<String>,
    /// A JWT's issuer.
    pub issuer: Option<String>,
    /// A JWT's `jti`.
    pub jti: Option<String>,
    /// A JWT's `client_id`.
    pub client_id: Option<String>,
    /// A delegated JWT's supplier.
    pub supplier: Option<OrgNr>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// The request's id.
    pub request_id: Option<String>,
}

impl Actor {
    /// The local operator: the CLI writing to the data dir (no credential).
    pub fn operator() -> Self {
        Actor {
            role: "operator",
            ..Default::default()
        }
    }

    /// The harvest scheduler running a source on its interval.
    pub fn scheduler() -> Self {
        Actor {
            role: "scheduler",
            ..Default::default()
        }
    }

    /// The federation follower applying a peer's changes.
    pub fn follower() -> Self {
        Actor {
            role: "follower",
            ..Default::default()
        }
    }

    /// A request's caller, from its checked credential, address and request id.
    pub fn of(
        identity: &Identity,
        client_addr: Option<String>,
        request_id: Option<String>,
    ) -> Self {
        let (publisher, role) = match &identity.principal {
            Principal::Publisher(org) => (Some(org.clone()), "publisher"),
            Principal::Admin => (None, "admin"),
        };
        let mut actor = Actor {
            publisher,
            role,
            client_addr,
            request_id,
            ..Default::default()
        };
        match &identity.credential {
            Credential::Token { id } => actor.token_id = Some(id.clone()),
            Credential::Jwt {
                issuer,
                jti,
                client_id,
                consumer,
                supplier,
            } => {
                actor.issuer = Some(issuer.clone());
                actor.jti = Some(jti.clone());
                actor.client_id = client_id.clone();
                actor.supplier = supplier.clone();
                // An admin JWT still names its consumer: record whom it acted as.
                actor.publisher.get_or_insert_with(|| consumer.clone());
            }
        }
        actor
    }

    /// The same actor acting for `publisher` (an admin registering a source for one).
    pub fn for_publisher(mut self, publisher: &OrgNr) -> Self {
        self.publisher = Some(publisher.clone());
        self
    }
}

/// One resource a write touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Touched {
    /// Resource id.
    pub id: String,
    /// Resource IRI.
    pub iri: String,
    /// Its version after the write.
    pub version: i32,
    /// `created`, `updated`, `retired`, `reactivated`, `published`.
    pub op: String,
}

/// What a write did, for the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// What kind of write.
    pub action: Action,
    /// The resources it changed (not those it left unchanged).
    pub resources: Vec<Touched>,
    /// Anything else worth keeping (a JSON object).
    pub detail: serde_json::Value,
}

impl Event {
    /// An event touching no resource, with details.
    pub fn new(action: Action, detail: serde_json::Value) -> Self {
        Event {
            action,
            resources: Vec::new(),
            detail,
        }
    }

    /// The event of a registry write from its report: the resources it changed, its counts.
    pub fn of_report(action: Action, report: &ImportReport, detail: serde_json::Value) -> Self {
        let resources = report
            .resources
            .iter()
            .filter_map(|r| {
                let op = match r.outcome {
                    Outcome::Created => "created",
                    Outcome::Updated => "updated",
                    Outcome::Retired => "retired",
                    Outcome::Reactivated => "reactivated",
                    Outcome::Published => "published",
                    Outcome::Unchanged => return None,
                };
                Some(Touched {
                    id: r.id.clone(),
                    iri: r.iri.clone(),
                    version: r.version,
                    op: op.to_owned(),
                })
            })
            .collect();
        let mut detail = match detail {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        for (key, n) in [
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
            ("retired", report.retired),
            ("reactivated", report.reactivated),
            ("conflicts", report.conflicts.len()),
        ] {
            detail.insert(key.to_owned(), n.into());
        }
        if let Some(file) = &report.file {
            detail.insert("file".to_owned(), file.clone().into());
        }
        detail.insert("format".to_owned(), report.format.clone().into());
        if let Some(seq) = report.last_seq {
            detail.insert("lastSeq".to_owned(), seq.into());
        }
        Event {
            action,
            resources,
            detail: serde_json::Value::Object(detail),
        }
    }
}

/// Who writes, and what kind of write it is: what a write path hands the registry so that
/// [`crate::registry::apply`] records it in the write's transaction.
#[derive(Debug, Clone)]
pub struct Context {
    /// Who.
    pub actor: Actor,
    /// What kind of write.
    pub action: Action,
    /// Extra details (a JSON object, or null).
    pub detail: serde_json::Value,
}

impl Context {
    /// A context without extra details.
    pub fn new(actor: Actor, action: Action) -> Self {
        Context {
            actor,
            action,
            detail: serde_json::Value::Null,
        }
    }

    /// The same context with extra details.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// Records a write in the audit trail. Call it on the write's own transaction, before its
/// commit: the row then exists exactly when the write does.
pub async fn record(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    event: &Event,
) -> Result<i64, StoreError> {
    let resources = serde_json::to_string(&event.resources).unwrap_or_else(|_| "[]".to_owned());
    let detail = match &event.detail {
        serde_json::Value::Null => "{}".to_owned(),
        other => other.to_string(),
    };
    let row = entry::ActiveModel {
        id: Default::default(),
        at: Set(Utc::now()),
        publisher: Set(actor.publisher.as_ref().map(|p| p.as_str().to_owned())),
        role: Set(actor.role.to_owned()),
        token_id: Set(actor.token_id.clone()),
        issuer: Set(actor.issuer.clone()),
        jti: Set(actor.jti.clone()),
        client_id: Set(actor.client_id.clone()),
        supplier: Set(actor.supplier.as_ref().map(|p| p.as_str().to_owned())),
        action: Set(event.action.as_str().to_owned()),
        resources: Set(resources),
        detail: Set(detail),
        client_addr: Set(actor.client_addr.clone()),
        request_id: Set(actor.request_id.clone()),
    };
    let inserted = entry::Entity::insert(row).exec(txn).await?;
    Ok(inserted.last_insert_id)
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only writes acting for this publisher.
    pub publisher: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only writes touching this resource (id or IRI).
    pub resource: Option<String>,
    /// Only writes at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only writes before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only writes made with this credential: our token's id or a JWT's `jti`.
    pub token: Option<String>,
}

/// An audit row as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Increasing id.
    pub id: i64,
    /// When the write committed.
    pub at: DateTime<Utc>,
    /// The publisher it acted for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// `publisher`, `admin`, `operator` or `scheduler`.
    pub role: String,
    /// Our token's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// A JWT's issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// A JWT's `jti`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// A JWT's `client_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// A delegated JWT's supplier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// What kind of write.
    pub action: String,
    /// The resources it changed.
    pub resources: Vec<Touched>,
    /// What else it was about.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The client's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_addr: Option<String>,
    /// The request's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl From<entry::Model> for AuditEntry {
    fn from(row: entry::Model) -> Self {
        AuditEntry {
            id: row.id,
            at: row.at,
            publisher: row.publisher,
            role: row.role,
            token_id: row.token_id,
            issuer: row.issuer,
            jti: row.jti,
            client_id: row.client_id,
            supplier: row.supplier,
            action: row.action,
            resources: serde_json::from_str(&row.resources).unwrap_or_default(),
            detail: serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null),
            client_addr: row.client_addr,
            request_id: row.request_id,
        }
    }
}

/// A `LIKE` pattern matching `"key":VALUE` inside the stored JSON (`!` escapes `%` and `_`).
fn json_member_pattern(key: &str, value: &str) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    let escaped = json
        .replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_");
    format!("%\"{key}\":{escaped}%")
}

/// A page of the audit trail, newest first, and how many rows match.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<AuditEntry>), StoreError> {
    use sea_orm::sea_query::LikeExpr;
    let mut query = entry::Entity::find();
    if let Some(publisher) = &filter.publisher {
        query = query.filter(
            Condition::any()
                .add(entry::Column::Publisher.eq(publisher.as_str()))
                .add(entry::Column::Supplier.eq(publisher.as_str())),
        );
    }
    if let Some(action) = &filter.action {
        query = query.filter(entry::Column::Action.eq(action.as_str()));
    }
    if let Some(resource) = &filter.resource {
        let by = |key: &str| {
            entry::Column::Resources
                .like(LikeExpr::new(json_member_pattern(key, resource)).escape('!'))
        };
        query = query.filter(Condition::any().add(by("id")).add(by("iri")));
    }
    if let Some(since) = filter.since {
        query = query.filter(entry::Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(entry::Column::At.lt(until));
    }
    if let Some(token) = &filter.token {
        query = query.filter(
            Condition::any()
                .add(entry::Column::TokenId.eq(token.as_str()))
                .add(entry::Column::Jti.eq(token.as_str())),
        );
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(entry::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, rows.into_iter().map(AuditEntry::from).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_filter_pattern_escapes_like_wildcards() {
        assert_eq!(
            json_member_pattern("iri", "http://x/a_b%c"),
            "%\"iri\":\"http://x/a!_b!%c\"%"
        );
    }
}
