//! A resource's stored graph as a file to download (Turtle, JSON-LD, RDF/XML, N-Triples), for
//! the pages' download buttons: links cannot send `Accept`, so the format is in the file name.

use crate::app::AppState;
use crate::problem::ApiError;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{JsonLdProfileSet, RdfFormat};

/// The RDF format of a file extension (`ttl`, `jsonld`, `rdf`, `nt`).
pub fn format_of(extension: &str) -> Option<RdfFormat> {
    match extension {
        "ttl" => Some(RdfFormat::Turtle),
        "jsonld" => Some(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
        "rdf" => Some(RdfFormat::RdfXml),
        "nt" => Some(RdfFormat::NTriples),
        _ => None,
    }
}

/// Version `version` of a resource's graph in `format`.
pub async fn serialized(
    app: &AppState,
    resource_id: &str,
    version: i32,
    format: RdfFormat,
) -> Result<Vec<u8>, ApiError> {
    let row = crate::store::get_version(&app.db, resource_id, version)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("{resource_id} has no stored version {version}"))
        })?;
    crate::rdf::serialize_ntriples(&row.ntriples, format).map_err(|e| ApiError::internal(&e))
}

/// A body as an attachment named `<name>-v<version>.<extension>` (the name made safe).
pub fn attachment(
    body: Vec<u8>,
    media_type: &'static str,
    name: &str,
    version: i32,
    extension: &str,
) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{safe}-v{version}.{extension}\""
    )) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
