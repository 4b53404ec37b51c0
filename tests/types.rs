//! Exports of types and models through the real API, on SQLite and PostgreSQL: every exported
//! JSON Schema is checked against the draft 2020-12 meta-schema with the jsonschema crate, and
//! sample instances generated from it must validate against it.

mod common;

use common::{shared_data, spawn_app, Backend, TestApp};
use semreg::types::sample::{sample, Fill};
use serde_json::Value;

const PUBLISHER: &str = "974760673";
const HVEM_ER_HVEM: &str = "seres/Kursdomene_HvemErHvem_M_2021-04-08_5742_34627_SERES.xsd";

async fn import_seres(app: &TestApp, relative: &str) -> Value {
    let token = app.token(PUBLISHER).await;
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let response = app
        .import(
            Some(&token),
            &format!("format=seres&publisher={PUBLISHER}&filename={name}"),
            std::fs::read(shared_data(relative)).expect("shared data"),
        )
        .await;
    let status = response.status();
    let report: Value = response.json().await.expect("report");
    assert_eq!(status, 200, "{relative}: {report}");
    report
}

async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app.client.get(app.url(path)).send().await.expect("GET");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, media, response.text().await.expect("body"))
}

/// Checks a schema against the 2020-12 meta-schema, compiles it, and validates a minimal and a
/// full sample instance; returns the samples.
pub fn assert_valid_schema_with_valid_samples(schema: &Value, what: &str) -> (Value, Value) {
    if let Err(error) = jsonschema::draft202012::meta::validate(schema) {
        panic!("{what}: not a valid 2020-12 schema: {error}");
    }
    let validator = jsonschema::draft202012::new(schema)
        .unwrap_or_else(|e| panic!("{what}: the schema does not compile: {e}"));
    let minimal = sample(schema, Fill::Minimal);
    let full = sample(schema, Fill::Full);
    for (name, instance) in [("minimal", &minimal), ("full", &full)] {
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .take(10)
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: the {name} sample does not validate: {errors:#?}\n{instance:#}"
        );
    }
    (minimal, full)
}

async fn a_seres_model_exports_as_a_valid_json_schema_whose_samples_validate(backend: Backend) {
    let Some(app) = spawn_app(backend, "types_model_json_schema").await else {
        return;
    };
    import_seres(&app, HVEM_ER_HVEM).await;
    let (status, media, body) = get(&app, "/api/v1/models/seres-5742-34627/json-schema").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(media, "application/schema+json");
    let schema: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["@xsdRootElement"], "melding");
    let root = schema["$ref"].as_str().expect("the root element's type");
    let root_def = &schema["$defs"][root.trim_start_matches("#/$defs/")];
    assert_eq!(
        root_def["required"],
        serde_json::json!([
            "dataFormatProvider",
            "dataFormatId",
            "dataFormatVersion",
            "Innrapportoer",
            "InnrapporterteData"
        ]),
        "{root_def:#}"
    );
    assert_eq!(root_def["properties"]["dataFormatId"]["const"], "5742");
    assert_eq!(
        root_def["properties"]["dataFormatId"]["@xsdAttribute"],
        true
    );
    let (minimal, full) = assert_valid_schema_with_valid_samples(&schema, "HvemErHvem_M");
    assert_eq!(minimal["dataFormatVersion"], "34627");
    assert!(full["InnrapporterteData"].is_object(), "{full:#}");

    // The same model in another language and unbundled still validates against the
    // meta-schema; its types are then registry URLs.
    let (status, _, body) = get(
        &app,
        "/api/v1/models/seres-5742-34627/json-schema?bundle=false&lang=en",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let unbundled: Value = serde_json::from_str(&body).expect("JSON");
    jsonschema::draft202012::meta::validate(&unbundled).expect("valid 2020-12 schema");
    assert!(
        unbundled["$ref"]
            .as_str()
            .is_some_and(|r| r.starts_with(&app.base) && r.contains("/api/v1/types/")),
        "{unbundled:#}"
    );
    assert!(unbundled.get("$defs").is_none(), "{unbundled:#}");
}
both!(a_seres_model_exports_as_a_valid_json_schema_whose_samples_validate);

async fn every_type_of_a_model_exports_as_a_valid_json_schema(backend: Backend) {
    let Some(app) = spawn_app(backend, "types_type_json_schema").await else {
        return;
    };
    import_seres(&app, HVEM_ER_HVEM).await;
    let types = app.get_json("/api/v1/resources?kind=type&limit=1000").await;
    let items = types["items"].as_array().expect("items");
    assert!(items.len() >= 5, "{types:#}");
    for item in items {
        let id = item["id"].as_str().unwrap();
        let schema = app
            .get_json(&format!("/api/v1/types/{id}/json-schema"))
            .await;
        let what = format!("type {} ({id})", item["label"]);
        assert_eq!(
            schema["$id"],
            Value::String(format!("{}/api/v1/types/{id}/json-schema", app.base)),
            "{what}"
        );
        assert_valid_schema_with_valid_samples(&schema, &what);
    }
}
both!(every_type_of_a_model_exports_as_a_valid_json_schema);

async fn exports_of_unknown_or_wrong_kinds_and_bad_options_are_problems(backend: Backend) {
    let Some(app) = spawn_app(backend, "types_errors").await else {
        return;
    };
    import_seres(&app, HVEM_ER_HVEM).await;
    let cases = [
        (
            "/api/v1/types/no-such-type/json-schema",
            404,
            "no-such-type",
        ),
        (
            "/api/v1/types/seres-5742-34627/json-schema",
            404,
            "is a model, not a type",
        ),
        (
            "/api/v1/models/seres-5742-34627/json-schema?lang=n%20b",
            400,
            "lang",
        ),
        (
            "/api/v1/models/seres-5742-34627/json-schema?bundle=perhaps",
            400,
            "bundle",
        ),
    ];
    for (path, expected, mentions) in cases {
        let (status, media, body) = get(&app, path).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(media, "application/problem+json", "{path}");
        assert!(body.contains(mentions), "{path}: {body}");
    }
}
both!(exports_of_unknown_or_wrong_kinds_and_bad_options_are_problems);
