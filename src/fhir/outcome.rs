//! Errors as FHIR `OperationOutcome`s.

use super::{FhirError, IssueType};
use serde_json::{json, Map, Value};

/// An `OperationOutcome` with one error issue.
pub fn operation_outcome(issue: IssueType, diagnostics: &str, expression: Option<&str>) -> Value {
    let mut entry = Map::new();
    entry.insert("severity".into(), json!("error"));
    entry.insert("code".into(), json!(issue.code()));
    if !diagnostics.is_empty() {
        entry.insert("diagnostics".into(), json!(diagnostics));
    }
    if let Some(expression) = expression {
        entry.insert("expression".into(), json!([expression]));
    }
    json!({"resourceType": "OperationOutcome", "issue": [Value::Object(entry)]})
}

/// The `OperationOutcome` of an error; internal causes are logged here and not shown.
pub fn of_error(error: &FhirError) -> Value {
    let diagnostics = match error {
        FhirError::Store(cause) => {
            tracing::error!(error = %cause, "FHIR request failed in the store");
            if error.issue() == IssueType::Transient {
                "the store is unavailable; try again shortly".to_owned()
            } else {
                String::new()
            }
        }
        other => other.to_string(),
    };
    operation_outcome(error.issue(), &diagnostics, error.param())
}
