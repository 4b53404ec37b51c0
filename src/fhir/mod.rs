//! The FHIR R4 terminology API over the code-list projection: every code list is a
//! `CodeSystem` with an implicit all-codes `ValueSet`, every correspondence a `ConceptMap`, and
//! the operations `$expand`, `$lookup`, `$validate-code`, `$subsumes` and `$translate` answer
//! from the same in-memory lists (and the same selection logic) as `/api/v1/code-lists`, so a
//! list has one truth in every format.
//!
//! The parts: [`params`] (operation and search parameters from a query string, a form or a
//! `Parameters` resource, typed and checked; unknown ones refused), [`resolve`] (canonical
//! references `url|version` and ids to list versions), [`code_system`], [`value_set`]
//! (`$expand`), [`concept_map`] (`$translate`), [`codes`] (`$lookup`, `$validate-code`,
//! `$subsumes`), [`search`] (searchset `Bundle`s), [`capability`] (`metadata`) and
//! [`outcome`] (errors as `OperationOutcome`).

pub mod capability;
pub mod code_system;
pub mod codes;
pub mod concept_map;
pub mod outcome;
pub mod params;
pub mod resolve;
pub mod search;
pub mod value_set;

use crate::store::StoreError;

/// The FHIR version served.
pub const FHIR_VERSION: &str = "4.0.1";
/// The media type of FHIR JSON.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// The FHIR issue types semreg answers with (a subset of `IssueType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueType {
    /// `invalid`: content or a parameter is not valid.
    Invalid,
    /// `not-found`: the resource or code system is not known.
    NotFound,
    /// `not-supported`: the server does not do what was asked (an unknown parameter too).
    NotSupported,
    /// `too-costly`: the answer would be too large.
    TooCostly,
    /// `too-long`: the request body is too large.
    TooLong,
    /// `exception`: an internal error.
    Exception,
    /// `transient`: the store is unavailable for a moment.
    Transient,
}

impl IssueType {
    /// The code in FHIR's `IssueType` value set.
    pub fn code(self) -> &'static str {
        match self {
            IssueType::Invalid => "invalid",
            IssueType::NotFound => "not-found",
            IssueType::NotSupported => "not-supported",
            IssueType::TooCostly => "too-costly",
            IssueType::TooLong => "too-long",
            IssueType::Exception => "exception",
            IssueType::Transient => "transient",
        }
    }
}

/// Why a FHIR request cannot be answered; shown to the client as an `OperationOutcome`.
#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    /// A parameter or body that is not valid (400, `invalid`).
    #[error("{message}")]
    Invalid {
        /// What is wrong, naming the parameter and what is allowed.
        message: String,
        /// The parameter, as the issue's `expression`.
        param: Option<String>,
    },
    /// An unknown resource, code system, value set or concept map (404, `not-found`).
    #[error("{0}")]
    NotFound(String),
    /// A parameter or feature the server does not support (400, `not-supported`).
    #[error("{message}")]
    NotSupported {
        /// What is not supported and what is.
        message: String,
        /// The parameter, as the issue's `expression`.
        param: Option<String>,
    },
    /// An answer too large to give (422, `too-costly`).
    #[error("{0}")]
    TooCostly(String),
    /// A representation the server does not write, e.g. XML (406, `not-supported`).
    #[error("{0}")]
    NotAcceptable(String),
    /// A request body of a media type the server does not read (415, `not-supported`).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A request body over the size limit (413, `too-long`).
    #[error("{0}")]
    TooLong(String),
    /// The store of record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl FhirError {
    /// An invalid parameter.
    pub fn invalid(param: &str, message: impl Into<String>) -> Self {
        FhirError::Invalid {
            message: message.into(),
            param: Some(param.to_owned()),
        }
    }

    /// An unsupported parameter.
    pub fn not_supported(param: &str, message: impl Into<String>) -> Self {
        FhirError::NotSupported {
            message: message.into(),
            param: Some(param.to_owned()),
        }
    }

    /// The issue type.
    pub fn issue(&self) -> IssueType {
        match self {
            FhirError::Invalid { .. } => IssueType::Invalid,
            FhirError::NotFound(_) => IssueType::NotFound,
            FhirError::NotSupported { .. } => IssueType::NotSupported,
            FhirError::TooCostly(_) => IssueType::TooCostly,
            FhirError::NotAcceptable(_) | FhirError::UnsupportedMediaType(_) => {
                IssueType::NotSupported
            }
            FhirError::TooLong(_) => IssueType::TooLong,
            FhirError::Store(StoreError::Db(
                sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_),
            )) => IssueType::Transient,
            FhirError::Store(_) => IssueType::Exception,
        }
    }

    /// The parameter the issue is about, if any.
    pub fn param(&self) -> Option<&str> {
        match self {
            FhirError::Invalid { param, .. } | FhirError::NotSupported { param, .. } => {
                param.as_deref()
            }
            _ => None,
        }
    }
}

/// FHIR's `instant`: seconds and a zone, as `meta.lastUpdated` and `expansion.timestamp` need.
pub fn instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The publication status of a resource with our lifecycle status: FHIR knows draft, active
/// and retired (deprecated and superseded resources should no longer be used: retired).
pub fn publication_status(status: &str) -> &'static str {
    match status {
        "draft" => "draft",
        "valid" => "active",
        "deprecated" | "superseded" | "retired" => "retired",
        _ => "unknown",
    }
}

/// A computer-friendly name (`[A-Z][A-Za-z0-9_]*`, FHIR's rule cps-0/vsd-0) made from a text:
/// its words capitalized and joined, Norwegian letters spelled out.
pub fn computable_name(text: &str) -> Option<String> {
    let mut name = String::new();
    let mut upper = true;
    for c in text.chars() {
        let spelled: &str = match c {
            'æ' => "ae",
            'Æ' => "Ae",
            'ø' => "o",
            'Ø' => "O",
            'å' => "aa",
            'Å' => "Aa",
            _ => "",
        };
        let piece: String = if !spelled.is_empty() {
            spelled.to_owned()
        } else if c.is_ascii_alphanumeric() || c == '_' {
            c.to_string()
        } else {
            upper = true;
            continue;
        };
        for p in piece.chars() {
            if upper {
                name.extend(p.to_uppercase());
                upper = false;
            } else {
                name.push(p);
            }
        }
    }
    if name.is_empty() {
        return None;
    }
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.insert_str(0, "List");
    }
    name.truncate(255);
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computable_names_are_identifiers() {
        assert_eq!(
            computable_name("ssb-klass-131").as_deref(),
            Some("SsbKlass131")
        );
        assert_eq!(
            computable_name("FHIRDeviceStatusReason").as_deref(),
            Some("FHIRDeviceStatusReason")
        );
        assert_eq!(
            computable_name("Fylker i Norge, år").as_deref(),
            Some("FylkerINorgeAar")
        );
        assert_eq!(computable_name("131").as_deref(), Some("List131"));
        assert_eq!(computable_name(" - "), None);
    }

    #[test]
    fn our_lifecycle_maps_onto_publication_status() {
        assert_eq!(publication_status("valid"), "active");
        assert_eq!(publication_status("superseded"), "retired");
        assert_eq!(publication_status("draft"), "draft");
        assert_eq!(publication_status("odd"), "unknown");
    }
}
