//! Request bodies sent with `Content-Encoding: gzip` or `br` are decoded before any handler
//! sees them, under two caps: the decoded body is held to the body limit, and to at most
//! `--max-compression-ratio` times its compressed size, so a small "zip bomb" is refused
//! (413) after producing at most that much. A coding semreg does not decode is refused with
//! 415; no handler ever reads compressed bytes as if they were the document.

use super::AppState;
use crate::decode::{decode_capped, Coding, DecodeError};
use crate::problem::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The middleware (see the module docs).
pub async fn decompress_request(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(value) = request.headers().get(header::CONTENT_ENCODING) else {
        return next.run(request).await;
    };
    let coding = match value.to_str().map(Coding::from_header) {
        Ok(Ok(Some(coding))) => coding,
        Ok(Ok(None)) => return next.run(request).await,
        Ok(Err(other)) => return unsupported(&other),
        Err(_) => return unsupported("(not text)"),
    };
    match decode_body(&app, coding, request).await {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

fn unsupported(coding: &str) -> Response {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!(
            "Content-Encoding {coding:?} is not supported: send the body as gzip, br or identity"
        ),
    )
    .with_header(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("gzip, br"),
    )
    .into_response()
}

async fn decode_body(
    app: &AppState,
    coding: Coding,
    request: Request,
) -> Result<Request, ApiError> {
    let body_limit = app.config.body_limit_bytes;
    let ratio = app.config.input_limits.max_compression_ratio;
    let (mut parts, body) = request.into_parts();
    let raw = axum::body::to_bytes(body, body_limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the {} request body is larger than {body_limit} bytes (--body-limit)",
                coding.name()
            ),
        )
    })?;
    let by_ratio = if ratio == 0 {
        u64::MAX
    } else {
        (raw.len() as u64).saturating_mul(ratio).max(64 * 1024)
    };
    let cap = (body_limit as u64).min(by_ratio);
    let compressed = raw.len();
    let decoded = tokio::task::spawn_blocking(move || decode_capped(coding, &raw, cap))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let decoded = decoded.map_err(|e| match e {
        DecodeError::TooLarge { coding, .. } if cap < body_limit as u64 => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the {coding} request body of {compressed} bytes decodes to more than {ratio} times its size (--max-compression-ratio)"),
        ),
        DecodeError::TooLarge { coding, .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the {coding} request body decodes to more than {body_limit} bytes (--body-limit)"),
        ),
        corrupt @ DecodeError::Corrupt { .. } => ApiError::bad_request(format!("{corrupt}")),
    })?;
    parts.headers.remove(header::CONTENT_ENCODING);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, decoded.len().into());
    Ok(Request::from_parts(parts, Body::from(decoded)))
}
