//! The domain modules' errors as HTTP errors, by meaning: what both the API handlers and the
//! web pages answer when a domain call fails.

use super::ApiError;
use crate::auth::jwt::JwtError;
use crate::forms::FormsError;
use crate::mappings::MappingError;
use crate::service_models::ServiceModelError;
use crate::sync::SyncError;
use crate::types::TypesError;
use axum::http::{header, HeaderValue, StatusCode};

impl From<FormsError> for ApiError {
    fn from(error: FormsError) -> Self {
        match error {
            FormsError::ServiceModel(e) => e.into(),
            FormsError::BadOption(message) => ApiError::bad_request(message),
            FormsError::BadResponse(message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
            }
            FormsError::Unexportable(_) => ApiError::internal(&error),
        }
    }
}

impl From<MappingError> for ApiError {
    fn from(error: MappingError) -> Self {
        match error {
            MappingError::Invalid { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
            }
            MappingError::NotFound(_) | MappingError::NotAMappingSet(_) => {
                ApiError::not_found(error.to_string())
            }
            MappingError::Registry(e) => e.into(),
            MappingError::Store(e) => e.into(),
        }
    }
}

impl From<JwtError> for ApiError {
    fn from(error: JwtError) -> Self {
        match error {
            JwtError::Refused { check, detail } => ApiError::invalid_token(check, detail),
            JwtError::KeysUnavailable { issuer, reason } => {
                tracing::warn!(issuer = %issuer, reason = %reason, "JWT refused: the issuer's keys cannot be fetched");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "the signing keys of {issuer} cannot be fetched now; try again shortly"
                    ),
                )
                .with_header(header::RETRY_AFTER, HeaderValue::from_static("30"))
            }
        }
    }
}

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::NotFound(m) => ApiError::not_found(m),
            SyncError::Invalid(m) => ApiError::bad_request(m),
            SyncError::Forbidden(m) => ApiError::forbidden(m),
            SyncError::Conflict(m) => ApiError::conflict(m),
            SyncError::Registry(e) => e.into(),
            SyncError::Store(e) => e.into(),
            SyncError::Quality(e @ crate::quality::QualityError::NoShapes) => {
                ApiError::not_found(e.to_string())
            }
            SyncError::Quality(e) => ApiError::internal(&e),
        }
    }
}

impl From<TypesError> for ApiError {
    fn from(error: TypesError) -> Self {
        match error {
            TypesError::NotFound(_) => ApiError::not_found(error.to_string()),
            TypesError::WrongKind { .. } => ApiError::not_found(error.to_string()),
            TypesError::BadOption(_) => ApiError::bad_request(error.to_string()),
            TypesError::NotProjected(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
            }
            TypesError::TooLarge(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
            }
            TypesError::Store(store) => store.into(),
            TypesError::Rdf(_) | TypesError::Task(_) => ApiError::internal(&error),
        }
    }
}

impl From<ServiceModelError> for ApiError {
    fn from(error: ServiceModelError) -> Self {
        match error {
            ServiceModelError::Invalid { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
            }
            ServiceModelError::NotFound(message) => ApiError::not_found(message),
            ServiceModelError::Mapping(e) => e.into(),
            ServiceModelError::Types(e) => match e {
                TypesError::NotFound(_) => ApiError::not_found(e.to_string()),
                TypesError::WrongKind { .. } | TypesError::BadOption(_) => {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
                }
                TypesError::NotProjected(_) => {
                    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
                }
                TypesError::Store(store) => store.into(),
                other => ApiError::internal(&other),
            },
        }
    }
}
