//! Harvest sources: registered in FDK's data-source shape (so a publisher's existing FDK
//! registration can be pasted in) plus our `interval`, `active` and `strict`.

use super::SyncError;
use crate::auth::{audit, Principal};
use crate::ids::OrgNr;
use crate::store::{self, resource, source};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use semreg_importers::Format;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

/// The default interval between runs: one hour.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(3600);
/// The shortest interval accepted.
pub const MIN_INTERVAL: Duration = Duration::from_secs(10);
/// The longest interval accepted: 30 days.
pub const MAX_INTERVAL: Duration = Duration::from_secs(30 * 24 * 3600);

/// What a source delivers (FDK's `dataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    /// Concepts (SKOS-AP-NO).
    Concept,
    /// Information models (ModellDCAT-AP-NO).
    Informationmodel,
    /// Code lists.
    Codelist,
}

impl DataType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Concept => "concept",
            DataType::Informationmodel => "informationmodel",
            DataType::Codelist => "codelist",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [Self::Concept, Self::Informationmodel, Self::Codelist]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// The shape of what a source serves (FDK's `dataSourceType`, plus semreg's importers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceType {
    /// SKOS-AP-NO (RDF, any syntax).
    SkosApNo,
    /// DCAT-AP-NO (RDF).
    DcatApNo,
    /// ModellDCAT-AP-NO (RDF).
    ModellDcatApNo,
    /// A SERES XSD.
    Seres,
    /// An SSB Klass classification, through Klass's JSON API.
    Klass,
    /// An Altinn option list.
    AltinnOptions,
    /// A CSV code list.
    Csv,
    /// A JSON Schema.
    JsonSchema,
    /// A FHIR CodeSystem or ValueSet.
    Fhir,
}

impl SourceType {
    /// Every type with its name.
    pub const ALL: [(SourceType, &'static str); 9] = [
        (SourceType::SkosApNo, "SKOS-AP-NO"),
        (SourceType::DcatApNo, "DCAT-AP-NO"),
        (SourceType::ModellDcatApNo, "ModellDCAT-AP-NO"),
        (SourceType::Seres, "SERES"),
        (SourceType::Klass, "Klass"),
        (SourceType::AltinnOptions, "Altinn-options"),
        (SourceType::Csv, "CSV"),
        (SourceType::JsonSchema, "JSON-Schema"),
        (SourceType::Fhir, "FHIR"),
    ];

    /// Parses a name (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(t, _)| *t)
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("", |(_, n)| n)
    }

    /// Whether the source serves RDF.
    pub fn is_rdf(self) -> bool {
        matches!(
            self,
            SourceType::SkosApNo | SourceType::DcatApNo | SourceType::ModellDcatApNo
        )
    }

    /// The importer format for a fetched body: fixed for non-RDF types; for RDF from the
    /// media type the server sent (else detected from the content).
    pub fn format(self, media_type: Option<&str>) -> Option<Format> {
        match self {
            SourceType::Seres => Some(Format::Seres),
            SourceType::Klass => Some(Format::Klass),
            SourceType::AltinnOptions => Some(Format::AltinnOptions),
            SourceType::Csv => Some(Format::Csv),
            SourceType::JsonSchema => Some(Format::JsonSchema),
            SourceType::Fhir => Some(Format::Fhir),
            _ => media_type.and_then(Format::from_media_type).filter(|f| {
                matches!(
                    f,
                    Format::Turtle
                        | Format::RdfXml
                        | Format::JsonLd
                        | Format::NTriples
                        | Format::NQuads
                )
            }),
        }
    }

    /// The `Accept` header sent when the source sets none.
    pub fn default_accept(self) -> &'static str {
        match self {
            SourceType::Klass | SourceType::AltinnOptions | SourceType::JsonSchema | SourceType::Fhir => {
                "application/json"
            }
            SourceType::Seres => "application/xml, text/xml",
            SourceType::Csv => "text/csv",
            _ => "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7",
        }
    }
}

/// The names of `dataSourceType` (schema only).
pub struct SourceTypeName;

impl utoipa::PartialSchema for SourceTypeName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(SourceType::ALL.iter().map(|(_, name)| *name)))
            .into()
    }
}

impl ToSchema for SourceTypeName {}

/// An extra header sent with every fetch of a source (FDK's `authHeader`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthHeader {
    /// The header's name, e.g. `X-API-Key`.
    pub name: String,
    /// Its value. Answers show only its first characters.
    pub value: String,
}

/// An interval: seconds, or a duration such as `90s`, `30m`, `1h`, `1d` (10 s to 30 days).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum IntervalInput {
    /// Seconds.
    Seconds(u64),
    /// A number with a unit: s, m, h or d.
    Text(String),
}

impl IntervalInput {
    /// The interval, bounded, or an error naming the field.
    pub fn to_duration(&self) -> Result<Duration, SyncError> {
        let seconds = match self {
            IntervalInput::Seconds(n) => Some(*n),
            IntervalInput::Text(text) => {
                let text = text.trim();
                let (number, unit) = text.split_at(
                    text.find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(text.len()),
                );
                let factor = match unit.trim() {
                    "" | "s" => Some(1),
                    "m" | "min" => Some(60),
                    "h" => Some(3600),
                    "d" => Some(86_400),
                    _ => None,
                };
                number
                    .parse::<u64>()
                    .ok()
                    .zip(factor)
                    .and_then(|(n, f)| n.checked_mul(f))
            }
        };
        let seconds = seconds.ok_or_else(|| {
            SyncError::Invalid(
                "interval: expected seconds or a duration such as \"30m\", \"1h\" or \"1d\"".into(),
            )
        })?;
        let interval = Duration::from_secs(seconds);
        if interval < MIN_INTERVAL || interval > MAX_INTERVAL {
            return Err(SyncError::Invalid(format!(
                "interval: {seconds} s is out of range ({} s to {} s)",
                MIN_INTERVAL.as_secs(),
                MAX_INTERVAL.as_secs()
            )));
        }
        Ok(interval)
    }
}

/// A source registration: FDK's data-source shape plus `interval`, `active`, `strict`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceInput {
    /// Where the catalog is fetched from (http or https).
    #[schema(format = "uri", pattern = "^https?://")]
    pub url: String,
    /// concept, informationmodel or codelist.
    #[schema(value_type = DataType)]
    pub data_type: String,
    /// SKOS-AP-NO, DCAT-AP-NO, ModellDCAT-AP-NO, SERES, Klass, Altinn-options, CSV,
    /// JSON-Schema, FHIR.
    #[schema(value_type = SourceTypeName)]
    pub data_source_type: String,
    /// The `Accept` header to send (default: by `dataSourceType`).
    pub accept_header_value: Option<String>,
    /// The publisher's organisation number (default: the token's publisher).
    #[schema(pattern = "^[0-9]{9}$")]
    pub publisher_id: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// An extra header for every fetch (e.g. an API key).
    pub auth_header: Option<AuthHeader>,
    /// Time between runs (default 1 h; 10 s to 30 days).
    pub interval: Option<IntervalInput>,
    /// Whether the scheduler runs it (default true).
    pub active: Option<bool>,
    /// Whether SHACL violations fail a run (default false).
    pub strict: Option<bool>,
    /// FDK's own field, accepted and ignored (the id is ours).
    #[serde(default)]
    #[schema(ignore)]
    pub id: Option<serde_json::Value>,
    /// FDK's own field, accepted and ignored.
    #[serde(default)]
    #[schema(ignore)]
    pub publisher: Option<serde_json::Value>,
}

/// A source as answered: secrets shortened.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceView {
    /// The source's id.
    pub id: String,
    /// Where the catalog is fetched from.
    pub url: String,
    /// concept, informationmodel or codelist.
    pub data_type: String,
    /// The shape it serves.
    pub data_source_type: String,
    /// The `Accept` header sent.
    pub accept_header_value: Option<String>,
    /// The publisher the harvested resources belong to.
    pub publisher_id: String,
    /// Free text.
    pub description: Option<String>,
    /// The extra header, its value shortened to its first characters.
    pub auth_header: Option<AuthHeader>,
    /// Seconds between runs.
    pub interval: i64,
    /// Whether the scheduler runs it.
    pub active: bool,
    /// Whether SHACL violations fail a run.
    pub strict: bool,
    /// When it was registered (RFC 3339).
    pub created_at: String,
    /// When the scheduler runs it next (RFC 3339).
    pub next_run_at: String,
    /// When a run last succeeded (RFC 3339).
    pub last_success_at: Option<String>,
    /// The run in progress, if any.
    pub running_run: Option<String>,
    /// Failed runs in a row.
    pub failures: i32,
}

/// A secret shortened for display: its first four characters, then an ellipsis.
pub fn mask_secret(value: &str) -> String {
    let shown: String = value.chars().take(4).collect();
    if value.chars().count() <= 8 {
        "****".to_owned()
    } else {
        format!("{shown}…")
    }
}

impl From<source::Model> for SourceView {
    fn from(s: source::Model) -> Self {
        let auth_header = s.auth_header_name.map(|name| AuthHeader {
            name,
            value: mask_secret(s.auth_header_value.as_deref().unwrap_or_default()),
        });
        Self {
            id: s.id,
            url: s.url,
            data_type: s.data_type,
            data_source_type: s.data_source_type,
            accept_header_value: s.accept_header,
            publisher_id: s.publisher,
            description: s.description,
            auth_header,
            interval: s.interval_seconds,
            active: s.active,
            strict: s.strict,
            created_at: s.created_at.to_rfc3339(),
            next_run_at: s.next_run_at.to_rfc3339(),
            last_success_at: s.last_success_at.map(|t| t.to_rfc3339()),
            running_run: s.running_run,
            failures: s.failures,
        }
    }
}

/// Spreads first runs so sources added together do not all start at once: up to a tenth of
/// the interval (at most a minute), fixed per source id.
pub fn first_run_delay(id: &str, interval: Duration) -> Duration {
    let window = (interval / 10).min(Duration::from_secs(60)).as_millis() as u64;
    if window == 0 {
        return Duration::ZERO;
    }
    let hash = id
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    Duration::from_millis(hash % window)
}

/// Registers a source. 409 when `(url, dataType)` is registered already. The URL must pass
/// `guard`'s SSRF check already at registration (an internal IP literal is refused here, not
/// only at the first fetch); host names are checked again, resolved, at every fetch.
pub async fn add_source(
    db: &impl TransactionTrait,
    caller: &Principal,
    actor: &audit::Actor,
    input: SourceInput,
    guard: &crate::fetch::Fetcher,
) -> Result<SourceView, SyncError> {
    // One transaction: the source and its audit row, or neither.
    let txn = crate::store::begin_write(db).await?;
    let db = &txn;
    let url = reqwest::Url::parse(input.url.trim())
        .map_err(|e| SyncError::Invalid(format!("url: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(SyncError::Invalid(
            "url: expected an http or https URL with a host".into(),
        ));
    }
    let data_type = DataType::parse(input.data_type.trim()).ok_or_else(|| {
        SyncError::Invalid(format!(
            "dataType: expected concept, informationmodel or codelist, found {:?}",
            input.data_type
        ))
    })?;
    let source_type = SourceType::parse(input.data_source_type.trim()).ok_or_else(|| {
        SyncError::Invalid(format!(
            "dataSourceType: expected one of {}, found {:?}",
            SourceType::ALL.map(|(_, n)| n).join(", "),
            input.data_source_type
        ))
    })?;
    let publisher = match (&input.publisher_id, caller) {
        (Some(p), _) => {
            OrgNr::parse(p).map_err(|e| SyncError::Invalid(format!("publisherId: {e}")))?
        }
        (None, Principal::Publisher(own)) => own.clone(),
        (None, Principal::Admin) => {
            return Err(SyncError::Invalid(
                "publisherId: an admin must say which publisher the source belongs to".into(),
            ))
        }
    };
    if !caller.acts_for(&publisher) {
        return Err(SyncError::Forbidden(format!(
            "a token of {caller} cannot register a source for publisher {publisher}"
        )));
    }
    guard
        .check_url(url.as_str())
        .map_err(|e| SyncError::Invalid(format!("url: {e}")))?;
    if let Some(header) = &input.auth_header {
        if reqwest::header::HeaderName::from_bytes(header.name.as_bytes()).is_err()
            || reqwest::header::HeaderValue::from_str(&header.value).is_err()
        {
            return Err(SyncError::Invalid(
                "authHeader: name and value must be a valid HTTP header".into(),
            ));
        }
    }
    let interval = input
        .interval
        .as_ref()
        .map(IntervalInput::to_duration)
        .transpose()?
        .unwrap_or(DEFAULT_INTERVAL);
    let url = url.to_string();
    let taken = source::Entity::find()
        .filter(source::Column::Url.eq(url.as_str()))
        .filter(source::Column::DataType.eq(data_type.as_str()))
        .one(db)
        .await?;
    if let Some(existing) = taken {
        return Err(SyncError::Conflict(format!(
            "a source for {url} with dataType {} is registered already: {}",
            data_type.as_str(),
            existing.id
        )));
    }
    let now = Utc::now();
    store::ensure_publisher(db, publisher.as_str(), now).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let next = now + chrono::Duration::from_std(first_run_delay(&id, interval)).unwrap_or_default();
    let row = source::ActiveModel {
        id: Set(id.clone()),
        url: Set(url),
        data_type: Set(data_type.as_str().to_owned()),
        data_source_type: Set(source_type.name().to_owned()),
        accept_header: Set(input.accept_header_value.filter(|a| !a.trim().is_empty())),
        publisher: Set(publisher.as_str().to_owned()),
        description: Set(input.description),
        auth_header_name: Set(input.auth_header.as_ref().map(|h| h.name.clone())),
        auth_header_value: Set(input.auth_header.map(|h| h.value)),
        interval_seconds: Set(i64::try_from(interval.as_secs()).unwrap_or(i64::MAX)),
        active: Set(input.active.unwrap_or(true)),
        strict: Set(input.strict.unwrap_or(false)),
        created_at: Set(now),
        etag: Set(None),
        last_modified: Set(None),
        next_run_at: Set(next),
        lease_until: Set(None),
        running_run: Set(None),
        failures: Set(0),
        last_success_at: Set(None),
    };
    let inserted = source::Entity::insert(row).exec_with_returning(&txn).await;
    match inserted {
        Ok(row) => {
            let event = audit::Event::new(
                audit::Action::SOURCE_ADD,
                serde_json::json!({
                    "sourceId": row.id,
                    "url": row.url,
                    "dataType": row.data_type,
                    "sourcePublisher": row.publisher,
                }),
            );
            audit::record(&txn, actor, &event).await?;
            txn.commit().await?;
            tracing::info!(source = %id, url = %row.url, publisher = %row.publisher, "source registered");
            Ok(row.into())
        }
        // A concurrent registration of the same (url, dataType) hit the unique index.
        Err(error) if error.to_string().to_lowercase().contains("unique") => Err(
            SyncError::Conflict("a source with this url and dataType is registered already".into()),
        ),
        Err(error) => Err(error.into()),
    }
}

/// A source the caller may see, or 404 (a source of another publisher is not shown).
pub async fn get_source(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: &str,
) -> Result<source::Model, SyncError> {
    let found = source::Entity::find_by_id(id.to_owned()).one(db).await?;
    match found {
        Some(s) if OrgNr::parse(&s.publisher).is_ok_and(|p| caller.acts_for(&p)) => Ok(s),
        _ => Err(SyncError::NotFound(format!("no source {id}"))),
    }
}

/// The sources the caller may see (all for an admin, its own for a publisher), oldest first.
pub async fn list_sources(
    db: &impl ConnectionTrait,
    caller: &Principal,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<source::Model>), SyncError> {
    let mut query = source::Entity::find();
    if let Principal::Publisher(own) = caller {
        query = query.filter(source::Column::Publisher.eq(own.as_str()));
    }
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_asc(source::Column::CreatedAt)
        .order_by_asc(source::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, items))
}

/// Removes a source. Its resources stay as they are and pass to the publisher (a later push of
/// the publisher's whole catalog governs them); its runs stay as history.
pub async fn remove_source(
    db: &impl TransactionTrait,
    caller: &Principal,
    actor: &audit::Actor,
    id: &str,
) -> Result<(), SyncError> {
    let txn = crate::store::begin_write(db).await?;
    let db = &txn;
    let found = get_source(db, caller, id).await?;
    if found.running_run.is_some() && found.lease_until.is_some_and(|t| t > Utc::now()) {
        return Err(SyncError::Conflict(format!(
            "source {id} is running (run {}); remove it when the run has ended",
            found.running_run.unwrap_or_default()
        )));
    }
    resource::Entity::update_many()
        .col_expr(
            resource::Column::SourceId,
            Expr::value(Option::<String>::None),
        )
        .filter(resource::Column::SourceId.eq(id))
        .exec(db)
        .await?;
    source::Entity::delete_by_id(id.to_owned()).exec(db).await?;
    let event = audit::Event::new(
        audit::Action::SOURCE_REMOVE,
        serde_json::json!({ "sourceId": id, "url": found.url, "sourcePublisher": found.publisher }),
    );
    audit::record(db, actor, &event).await?;
    txn.commit().await?;
    tracing::info!(source = %id, "source removed");
    Ok(())
}

/// The next run time after a run that started at `started`: on success one interval later;
/// after `failures` failures in a row, an exponential backoff from one minute, capped at the
/// interval.
pub fn next_run(started: DateTime<Utc>, interval_seconds: i64, failures: i32) -> DateTime<Utc> {
    let interval = interval_seconds.max(1);
    let delay = if failures == 0 {
        interval
    } else {
        let exponent = u32::try_from(failures - 1).unwrap_or(0).min(20);
        60i64.saturating_mul(1i64 << exponent).min(interval)
    };
    let next = started + chrono::Duration::seconds(delay);
    next.max(Utc::now())
}

/// How many harvest sources a publisher has (a count anyone may read; the sources themselves
/// only its own or an admin token).
pub async fn count_of_publisher(
    db: &impl ConnectionTrait,
    publisher: &str,
) -> Result<u64, SyncError> {
    Ok(source::Entity::find()
        .filter(source::Column::Publisher.eq(publisher))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_with_units_and_bounds() {
        let parse = |v: serde_json::Value| {
            serde_json::from_value::<IntervalInput>(v)
                .unwrap()
                .to_duration()
        };
        assert_eq!(
            parse(serde_json::json!("1h")).unwrap(),
            Duration::from_secs(3600)
        );
        assert_eq!(
            parse(serde_json::json!("30m")).unwrap(),
            Duration::from_secs(1800)
        );
        assert_eq!(
            parse(serde_json::json!(120)).unwrap(),
            Duration::from_secs(120)
        );
        assert!(parse(serde_json::json!("5s")).is_err());
        assert!(parse(serde_json::json!("1y")).is_err());
        assert!(parse(serde_json::json!("99999d")).is_err());
    }

    #[test]
    fn backoff_doubles_from_a_minute_and_stops_at_the_interval() {
        let t = Utc::now() + chrono::Duration::days(1);
        assert_eq!(next_run(t, 3600, 0) - t, chrono::Duration::seconds(3600));
        assert_eq!(next_run(t, 3600, 1) - t, chrono::Duration::seconds(60));
        assert_eq!(next_run(t, 3600, 3) - t, chrono::Duration::seconds(240));
        assert_eq!(next_run(t, 3600, 10) - t, chrono::Duration::seconds(3600));
    }

    #[test]
    fn secrets_are_shortened() {
        assert_eq!(mask_secret("abcdefghijkl"), "abcd…");
        assert_eq!(mask_secret("short"), "****");
    }
}
