//! `apply` on a stored mapping set: build the target document and validate it against the
//! JSON Schema of the set's `object_source` (a service model's stored schema, or a registry
//! type's export).

use super::apply::{apply, Issue};
use super::codes::CodeTables;
use super::{stored, MappingError};
use crate::app::App;
use crate::ids::resource_id_for_iri;
use serde_json::Value;

/// Why an apply gave no document.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Values could not be mapped, or the result is not valid; each issue names its path.
    #[error("the document is not valid: {}", summary(.0))]
    Invalid(Vec<Issue>),
    /// The set's object source has no schema to validate against.
    #[error("{0}")]
    NoSchema(String),
    /// The set could not be loaded.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The schema could not be made or compiled.
    #[error("{0}")]
    Schema(String),
}

fn summary(issues: &[Issue]) -> String {
    let shown: Vec<String> = issues
        .iter()
        .take(3)
        .map(|i| {
            format!(
                "{}: {}",
                if i.path.is_empty() { "/" } else { &i.path },
                i.message
            )
        })
        .collect();
    let more = issues.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} (and {more} more)", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

/// Applies a stored mapping set to a source document and validates the result.
pub async fn apply_stored(app: &App, id: &str, source: &Value) -> Result<Value, ApplyError> {
    let (_, set) = stored::load(app, id).await?;
    let object_source = set.object_source.clone().ok_or_else(|| {
        ApplyError::NoSchema(format!(
            "mapping set {} names no object_source, so there is no target document to build",
            set.iri
        ))
    })?;
    if set.subject_source.is_none() {
        return Err(ApplyError::NoSchema(format!(
            "mapping set {} names no subject_source (the source API)",
            set.iri
        )));
    }
    let schema = schema_for(app, &object_source).await?;
    let tables = CodeTables::load(app, &set).await?;
    let today = chrono::Utc::now().date_naive();
    let translate = |c: &str, code: &str, day| tables.translate(c, code, day);
    let document = apply(&set, source, &translate, today).map_err(ApplyError::Invalid)?;
    validate(&schema, &document).map_err(|issues| match issues {
        Ok(issues) => ApplyError::Invalid(issues),
        Err(message) => ApplyError::Schema(message),
    })?;
    Ok(document)
}

/// The JSON Schema of a service model (stored) or a type (exported).
async fn schema_for(app: &App, iri: &str) -> Result<Value, ApplyError> {
    let id = resource_id_for_iri(iri);
    let row = crate::store::find_public_resource(&app.db, &id)
        .await
        .map_err(MappingError::from)?
        .ok_or_else(|| {
            ApplyError::NoSchema(format!(
                "the object_source {iri} is not in the registry, so there is no schema to validate against"
            ))
        })?;
    match row.kind.as_str() {
        crate::service_models::SERVICE_MODEL_KIND => crate::service_models::load(app, &id)
            .await
            .map(|b| b.schema)
            .map_err(|e| ApplyError::Schema(e.to_string())),
        crate::types::TYPE_KIND => crate::types::json_schema(app, &id, &Default::default())
            .await
            .map_err(|e| ApplyError::Schema(e.to_string())),
        other => Err(ApplyError::NoSchema(format!(
            "the object_source {iri} is a {other}; apply builds documents of service models and types"
        ))),
    }
}

/// Validates a document against a draft 2020-12 schema; issues name the failing path.
pub fn validate(schema: &Value, document: &Value) -> Result<(), Result<Vec<Issue>, String>> {
    let validator = jsonschema::draft202012::options()
        .build(schema)
        .map_err(|e| Err(format!("the schema does not compile: {e}")))?;
    let issues: Vec<Issue> = validator
        .iter_errors(document)
        .map(|error| Issue {
            path: error.instance_path().to_string(),
            source: None,
            message: error.to_string(),
        })
        .collect();
    if issues.is_empty() {
        Ok(())
    } else {
        Err(Ok(issues))
    }
}
