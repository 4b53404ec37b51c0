//! `POST /api/v1/import`: a publisher pushes one file; it is stored as one atomic batch.

use super::extract::ApiQuery;
use super::problem::ApiError;
use crate::app::AppState;
use crate::auth::audit;
use crate::ids::OrgNr;
use crate::registry::{Actor, ImportReport, ImportRequest, RegistryError, WriteStatus};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use semreg_importers::Format;
use serde::Deserialize;
use utoipa::IntoParams;

/// Parameters of `POST /api/v1/import`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// auto (default: from Content-Type and content), turtle, rdfxml, jsonld, ntriples, nquads,
    /// seres, klass, altinn-options, csv, jsonschema, fhir, correspondence (or an alias).
    #[param(value_type = Option<FormatName>)]
    pub format: Option<String>,
    /// The publisher (must be the token's own; default: the token's).
    #[param(value_type = Option<String>, pattern = "^[0-9]{9}$")]
    pub publisher: Option<OrgNr>,
    /// A file name, for the report and format detection.
    pub filename: Option<String>,
    /// `valid` (published, the default) or `draft`: a draft is seen only by its publisher (with
    /// its token) until a later `valid` write of it publishes it.
    #[param(value_type = Option<WriteStatus>)]
    pub status: Option<WriteStatus>,
    /// Any other parameter is passed to the importer (e.g. CSV `code=alpha-2`).
    #[serde(flatten)]
    #[param(ignore)]
    pub importer_params: std::collections::BTreeMap<String, String>,
}

/// The settings importers take besides the format (documentation only: the handler passes
/// every parameter it does not know itself to the importer: CSV refuses one it does not know,
/// every other format reports it in the import's warnings and ignores it).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "only describes parameters in the OpenAPI document"
)]
pub struct ImporterParams {
    /// The IRI of the list or model made from a file without one (Klass, CSV, Altinn options, JSON Schema, FHIR, correspondence).
    iri: Option<String>,
    /// Klass: the classification id (`131`), giving the list's IRI and alias.
    id: Option<String>,
    /// A label for the list (Klass, CSV, Altinn options).
    label: Option<String>,
    /// A readable alias for the list.
    alias: Option<String>,
    /// The language of untagged labels (CSV, Altinn options, FHIR).
    lang: Option<String>,
    /// CSV: `;`, `,` or `tab` (default: detected).
    delimiter: Option<String>,
    /// Correspondence: the source code list (IRI, id or alias).
    source: Option<String>,
    /// Correspondence: the target code list (IRI, id or alias).
    target: Option<String>,
    /// Correspondence: a name for the table.
    name: Option<String>,
}

/// The accepted spellings of `format` (schema only).
pub struct FormatName;

impl utoipa::PartialSchema for FormatName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Format::SPELLINGS.iter().copied()))
            .into()
    }
}

impl utoipa::ToSchema for FormatName {}

/// Parses `format` as sent (the spellings of [`FormatName`]); `None` for auto.
pub fn format_param(name: Option<&str>) -> Result<Option<Format>, ApiError> {
    match name {
        None | Some("auto") => Ok(None),
        Some(name) if Format::SPELLINGS.contains(&name) => Ok(Format::parse(name)),
        Some(name) => Err(ApiError::from(RegistryError::UnknownFormat(
            name.to_owned(),
        ))),
    }
}

pub use crate::request::publisher as authenticate;

/// The format of a request body: `format` as sent, else the body's `Content-Type` (`None`:
/// detected from the file name and content).
pub fn body_format(name: Option<&str>, headers: &HeaderMap) -> Result<Option<Format>, ApiError> {
    Ok(match format_param(name)? {
        None => headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_media_type),
        format => format,
    })
}

/// Imports the request body as one file of the publisher's.
#[utoipa::path(post, path = "/api/v1/import", params(ImportQuery, ImporterParams),
    request_body(description = "The file, as bytes; its format from `format`, else from `Content-Type`, the file name and the content",
        content((String = "text/turtle"), (String = "application/rdf+xml"), (serde_json::Value = "application/ld+json"),
                (String = "application/n-triples"), (String = "application/n-quads"), (String = "application/xml"),
                (serde_json::Value = "application/json"), (String = "text/csv"), (String = "text/plain"),
                (String = "application/octet-stream"))),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport, description = "The import report: every resource of the file and what became of it",
               links(("GetImportedResource" = (operation_id = "get_resource",
                   parameters(("id" = "$response.body#/resources/0/id")),
                   description = "The first resource of the file")),
                   ("ListImportedVersions" = (operation_id = "list_versions",
                   parameters(("id" = "$response.body#/resources/0/id")),
                   description = "Its versions")))),
              (status = 400, description = "A parameter is wrong, the format is unknown or the body is empty"),
              (status = 401, description = "No valid bearer token"),
              (status = 403, description = "The file touches another publisher's resource, or the token is not the publisher's"),
              (status = 409, description = "An alias in the file is already another resource's, or `status=draft` names a published resource"),
              (status = 413, description = "The body is larger than the configured limit"),
              (status = 422, description = "The file cannot be read as its format; the detail names the file, line or element")))]
pub async fn import_file(
    State(app): State<AppState>,
    who: super::auth::Who,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let actor = super::auth::writing_publisher(&who)?;
    let publisher = query.publisher;
    let format = body_format(query.format.as_deref(), &headers)?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the request body is empty: send the file as the body",
        ));
    }
    let mut report = app
        .import(ImportRequest {
            file_name: query.filename,
            format,
            bytes: body.to_vec(),
            publisher,
            actor: Actor::Publisher(actor.clone()),
            params: query.importer_params,
            status: query.status.unwrap_or_default(),
            caps: app.config.import_caps(),
            audit: audit::Context::new(who.actor, audit::Action::IMPORT),
        })
        .await?;
    report.quality = crate::sync::catalog::quality_summary(&app, &actor).await;
    Ok(Json(report))
}
