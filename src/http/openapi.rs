//! The OpenAPI 3.1 document at `/openapi.json`: paths come from the handlers' `utoipa::path`
//! annotations; [`finish`] then applies the rules every operation shares, so no annotation can
//! forget them: every response has a description, error responses are problem JSON (FHIR
//! `OperationOutcome`s under `/fhir`), an operation with parameters lists its 400, a secured
//! one its 401 and 403, one with a body its 413.

use serde_json::{json, Map, Value};
use utoipa::OpenApi;

/// The document's frame; most paths are added from the router's handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "semreg",
        description = "A registry of reusable building blocks for digital public services: concepts, code lists, types and information models.\n\nErrors are `application/problem+json` (RFC 9457) under `/api/`, `/sparql` and `/altinn/`; writes take `Authorization: Bearer TOKEN` (`semreg token create --publisher ORGNR`).",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        super::problem::Problem,
        super::params::Kind,
        super::params::Kinds,
        super::params::Status,
        super::code_lists::DateOrVersion,
        super::import::FormatName,
        super::mappings::SssomFormatName,
        crate::registry::WriteStatus,
        crate::web::compose::ComposeForm,
        crate::web::publisher::DryRunBody
    )),
    paths(
        super::ops::openapi_document,
        crate::web::start::start_page,
        crate::web::search::search_page,
        crate::web::assets::get_asset,
        crate::web::code_list::code_list_page,
        crate::web::code_list::download_code_list,
        crate::web::types::type_page,
        crate::web::types::model_page,
        crate::web::publisher::publisher_page,
        crate::web::publisher::dry_run,
        crate::web::compose::compose_page,
        crate::web::compose::save_composed,
        crate::web::concept::concept_page,
        crate::web::concept::download_concept,
        super::code_lists::get_codes,
        super::code_lists::get_altinn_options,
        super::code_lists::get_altinn_library_code_list
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A semreg API token (`semreg token create --publisher ORGNR` or `--admin`), or a JWT access token of a configured issuer such as Maskinporten (`SEMREG_JWT_ISSUERS`)",
                    ))
                    .build(),
            ),
        );
    }
}

/// A response whose body is in one of `media_types`: any JSON for a `json` type (SPARQL JSON
/// results, JSON-LD), text otherwise.
pub fn text_response(description: &str, media_types: &[&str]) -> utoipa::openapi::Response {
    let mut builder = utoipa::openapi::ResponseBuilder::new().description(description);
    for media_type in media_types {
        let content = if media_type.ends_with("json") {
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue),
                ))
                .build()
        } else {
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::String),
                ))
                .build()
        };
        builder = builder.content(*media_type, content);
    }
    builder.build()
}

/// An error response: problem JSON.
pub fn problem(description: &str) -> utoipa::openapi::Response {
    utoipa::openapi::ResponseBuilder::new()
        .description(description)
        .content(
            super::problem::PROBLEM_JSON,
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The serialized document with the shared rules applied.
pub fn finish(openapi: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(openapi).unwrap_or_else(|_| json!({}));
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for method in METHODS {
                if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                    document_rate_limit(method, path, operation);
                    apply_rules(path, operation);
                    operation.insert("tags".into(), json!([tag_for(path)]));
                }
            }
        }
    }
    doc
}

/// The tag an operation is grouped under (generated clients make one module per tag): the
/// area after `/api/v1/`, else the kind of path.
fn tag_for(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("/api/v1/") {
        return rest.split('/').next().unwrap_or("api");
    }
    match path.split('/').nth(1).unwrap_or_default() {
        "altinn" => "code-lists",
        "fhir" => "fhir",
        "sparql" => "sparql",
        "healthz" | "readyz" | "metrics" | "openapi.json" => "operations",
        _ => "pages",
    }
}

/// A rate-limited operation (writes, search, SPARQL) documents its 429.
fn document_rate_limit(method: &str, path: &str, operation: &mut Map<String, Value>) {
    let Ok(method) = axum::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
        return;
    };
    if crate::auth::limits::LimitClass::of(&method, path).is_none() {
        return;
    }
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        responses.entry("429").or_insert_with(|| {
            json!({
                "description": "Too many requests of this kind from this client (its address or token): try again after `Retry-After` seconds",
                "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
                "content": {super::problem::PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            })
        });
    }
}

fn apply_rules(path: &str, operation: &mut Map<String, Value>) {
    let fhir = path == "/fhir" || path.starts_with("/fhir/");
    let has_params = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        });
    let has_body = operation.contains_key("requestBody");
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    let mut implied = Vec::new();
    if has_params {
        implied.push("400");
    }
    if secured {
        implied.extend(["401", "403"]);
    }
    if has_body {
        implied.push("413");
    }
    for status in implied {
        responses.entry(status).or_insert_with(|| json!({}));
    }
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        let code: u16 = status.parse().unwrap_or(0);
        let empty = response
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if empty {
            let reason = axum::http::StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Response");
            response.insert("description".into(), Value::String(reason.into()));
        }
        if code >= 400 && !fhir {
            // Keep a more specific problem schema (e.g. one with `errors`), under the problem
            // media type; anything else becomes the plain problem.
            let schema = response
                .get("content")
                .and_then(|c| {
                    c.get(super::problem::PROBLEM_JSON)
                        .or_else(|| c.get("application/json"))
                })
                .and_then(|m| m.get("schema"))
                .cloned()
                .unwrap_or_else(|| json!({"$ref": "#/components/schemas/Problem"}));
            // A web page answers its errors as an HTML page unless `Accept` asks for JSON
            // (problem.rs, "error bodies by place").
            let content = if tag_for(path) == "pages" {
                json!({
                    super::problem::PROBLEM_JSON: {"schema": schema},
                    "text/html": {"schema": {"type": "string"}}
                })
            } else {
                json!({super::problem::PROBLEM_JSON: {"schema": schema}})
            };
            response.insert("content".into(), content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_response_is_described_problem_json() {
        let mut operation = json!({
            "parameters": [{"name": "q", "in": "query"}],
            "security": [{"bearer": []}],
            "requestBody": {"content": {"text/plain": {}}},
            "responses": {"200": {"description": "ok"}, "404": {"content": {"application/json": {}}}}
        });
        apply_rules("/api/v1/x", operation.as_object_mut().unwrap());
        let responses = &operation["responses"];
        for status in ["400", "401", "403", "404", "413"] {
            assert!(responses[status]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()));
            assert!(responses[status]["content"]["application/problem+json"].is_object());
            assert!(responses[status]["content"]["application/json"].is_null());
        }
        assert_eq!(responses["200"]["description"], "ok");
    }

    #[test]
    fn operations_are_tagged_by_area() {
        assert_eq!(tag_for("/api/v1/code-lists/{id}/codes"), "code-lists");
        assert_eq!(
            tag_for("/altinn/{org}/code_lists/{code_list_id}/{file}"),
            "code-lists"
        );
        assert_eq!(tag_for("/sparql"), "sparql");
        assert_eq!(tag_for("/healthz"), "operations");
        assert_eq!(tag_for("/concepts/{id}"), "pages");
        assert_eq!(tag_for("/"), "pages");
    }

    #[test]
    fn page_errors_are_html_or_problem_json() {
        let mut operation = json!({"responses": {"404": {}}});
        apply_rules("/code-lists/{id}", operation.as_object_mut().unwrap());
        let content = &operation["responses"]["404"]["content"];
        assert!(content["text/html"].is_object());
        assert!(content["application/problem+json"].is_object());
    }

    #[test]
    fn fhir_errors_keep_their_own_bodies() {
        let mut operation =
            json!({"responses": {"404": {"content": {"application/fhir+json": {}}}}});
        apply_rules("/fhir/CodeSystem", operation.as_object_mut().unwrap());
        assert!(operation["responses"]["404"]["content"]["application/fhir+json"].is_object());
    }
}
