//! Service models as forms: `GET /api/v1/service-models/{id}/altinn-app` (a zip of Altinn app
//! files), `GET /api/v1/service-models/{id}/questionnaire` (a FHIR R4 Questionnaire) and
//! `POST /api/v1/service-models/{id}/extract` (a QuestionnaireResponse back to a document).

use super::extract::{ApiPath, ApiQuery};
use super::mappings::{invalid_document, ApplyProblem};
use super::params::Bounded;
use super::problem::ApiError;
use crate::app::AppState;
use crate::forms::altinn::{self, AltinnOptions};
use crate::forms::{extract, questionnaire};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// The FHIR JSON media type.
const FHIR_JSON: &str = "application/fhir+json";

/// Parameters of `GET /api/v1/service-models/{id}/altinn-app`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct AltinnAppQuery {
    /// The Altinn org (short name) of the app and of its code-list library references
    /// (default `ttd`).
    #[param(pattern = "^[A-Za-z0-9]{1,32}$", example = "ttd")]
    pub org: Option<String>,
    /// The app's name (default: the service model's name in lower case with dashes).
    #[param(pattern = "^[a-z][a-z0-9-]{0,63}$", example = "soknad-om-bostotte")]
    pub app: Option<String>,
    /// The data model's name: C# class, XML root element and data type id (default: the
    /// service model's name in PascalCase).
    #[param(
        pattern = "^[A-Za-z][A-Za-z0-9_]{0,63}$",
        example = "SoeknadOmBostoette"
    )]
    pub model: Option<String>,
    /// Code lists with at most this many codes valid today are written as static
    /// `App/options/<id>.json` files instead of being read from semreg at runtime (default 0).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 100000)]
    pub static_options: Option<Bounded<0, 100_000>>,
    /// Reference each code list at its current version instead of `latest` (default false).
    pub pin_versions: Option<bool>,
}

/// A service model as the files of an Altinn 3 app (`App/models`, `App/config`, `App/ui`,
/// `App/options`, `App/appsettings.json`), zipped.
#[utoipa::path(get, path = "/api/v1/service-models/{id}/altinn-app",
    params(("id" = String, Path, description = "Id, alias or IRI of the service model", example = "demo-soknad"), AltinnAppQuery),
    responses((status = 200, description = "A zip of the app files, every path starting with `App/`",
               content_type = "application/zip", body = Vec<u8>),
              (status = 400, description = "A parameter is malformed; `detail` names it"),
              (status = 404, description = "No service model with that id, alias or IRI")))]
pub async fn get_altinn_app(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<AltinnAppQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let org = altinn::parse_org(query.org.as_deref().unwrap_or("ttd"))?;
    if let Some(name) = &query.app {
        let ok = name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(ApiError::bad_request(format!(
                "app: a lower-case letter, then up to 63 lower-case letters, digits or `-`, found {name:?}"
            )));
        }
    }
    if let Some(model) = &query.model {
        altinn::parse_model_name(model)?;
    }
    let options = AltinnOptions {
        org,
        app: query.app,
        model: query.model,
        static_options: query.static_options.map_or(0, Bounded::as_usize),
        pin_versions: query.pin_versions.unwrap_or(false),
        base_url: super::types::public_base_url(&headers)
            .unwrap_or_else(|| "http://localhost".to_owned()),
    };
    let exported = altinn::export(&app, &id, &options).await?;
    let zip = exported.zip()?;
    let mut response = (StatusCode::OK, zip).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-altinn-app.zip\"",
        exported.model
    )) {
        h.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

/// Parameters of `GET /api/v1/service-models/{id}/questionnaire`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionnaireQuery {
    /// Language of the items' `text` (default nb); the other two are translation extensions.
    #[param(pattern = "^(nb|nn|en)$", example = "nb")]
    pub lang: Option<String>,
}

/// A service model as a FHIR R4 Questionnaire.
#[utoipa::path(get, path = "/api/v1/service-models/{id}/questionnaire",
    params(("id" = String, Path, description = "Id, alias or IRI of the service model", example = "demo-soknad"), QuestionnaireQuery),
    responses((status = 200, description = "The Questionnaire (FHIR R4 JSON)", content_type = "application/fhir+json", body = Object),
              (status = 400, description = "A parameter is malformed; `detail` names it"),
              (status = 404, description = "No service model with that id, alias or IRI")))]
pub async fn get_questionnaire(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<QuestionnaireQuery>,
) -> Result<Response, ApiError> {
    let lang = query.lang.as_deref().unwrap_or("nb");
    let resource = questionnaire::questionnaire(&app, &id, lang).await?;
    let mut response = (
        StatusCode::OK,
        serde_json::to_vec(&resource).unwrap_or_default(),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    Ok(response)
}

/// A QuestionnaireResponse to the service model's Questionnaire as a service-model document
/// (through the items' `definition`s), validated against the service model's schema.
#[utoipa::path(post, path = "/api/v1/service-models/{id}/extract",
    params(("id" = String, Path, description = "Id, alias or IRI of the service model", example = "demo-soknad")),
    request_body(content = Object, description = "A FHIR R4 QuestionnaireResponse", content_type = "application/fhir+json"),
    responses((status = 200, description = "The service-model document", body = Object),
              (status = 400, description = "The body is not JSON"),
              (status = 404, description = "No service model with that id, alias or IRI"),
              (status = 422, body = ApplyProblem, description = "The response does not fit the Questionnaire, or the document does not validate: `errors` names each path")))]
pub async fn extract_questionnaire_response(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let response: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body is not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    let extracted = extract::extract(&app, &id, &response).await?;
    if extracted.issues.is_empty() {
        return Ok(Json(extracted.document).into_response());
    }
    let detail = format!(
        "the extracted document does not validate against the service model's schema ({} errors)",
        extracted.issues.len()
    );
    Ok(invalid_document(detail, extracted.issues))
}
