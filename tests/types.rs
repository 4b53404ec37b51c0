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

async fn xsd_csharp_and_typescript_exports_are_served_for_models_and_types(backend: Backend) {
    let Some(app) = spawn_app(backend, "types_other_formats").await else {
        return;
    };
    import_seres(&app, HVEM_ER_HVEM).await;
    let (status, media, xsd) = get(&app, "/api/v1/models/seres-5742-34627/xsd").await;
    assert_eq!(status, 200, "{xsd}");
    assert!(media.starts_with("application/xml"), "{media}");
    assert!(
        xsd.contains("<xsd:element name=\"melding\" type=\"HvemErHvem_M\" />"),
        "{xsd}"
    );
    assert!(!xsd.contains("xsd:import") && !xsd.contains("xsd:union"));
    // The XSD is read back by our own SERES importer into the same model.
    let back = semreg_importers::import(
        semreg_importers::Format::Seres,
        xsd.as_bytes(),
        &semreg_importers::ImportOptions::default(),
    )
    .expect("the exported XSD imports");
    assert!(
        back.resources
            .iter()
            .any(|r| r.kind == semreg_importers::ResourceKind::Model),
        "a model comes back"
    );
    let (status, media, csharp) = get(&app, "/api/v1/models/seres-5742-34627/csharp").await;
    assert_eq!(status, 200, "{csharp}");
    assert!(media.starts_with("text/plain"), "{media}");
    assert!(
        csharp.contains("[XmlRoot(ElementName = \"melding\", Namespace = \"http://seres.no/xsd/Kursdomene/HvemErHvem_M/2021\")]"),
        "{csharp}"
    );
    assert!(
        csharp.contains("[JsonPropertyName(\"Innrapportoer\")]"),
        "{csharp}"
    );
    assert!(csharp.contains("public enum "), "{csharp}");
    let (status, _, typescript) = get(&app, "/api/v1/models/seres-5742-34627/typescript").await;
    assert_eq!(status, 200, "{typescript}");
    assert!(
        typescript.contains("export interface HvemErHvem_M {"),
        "{typescript}"
    );
    assert!(
        typescript.contains("dataFormatId: \"5742\";"),
        "{typescript}"
    );
    // A type has the same three.
    let types = app.get_json("/api/v1/resources?kind=type&limit=1000").await;
    let geek = types["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["iri"].as_str().is_some_and(|i| i.contains("/Geek/")))
        .expect("the Geek type");
    let id = geek["id"].as_str().unwrap();
    for format in ["xsd", "csharp", "typescript"] {
        let (status, _, body) = get(&app, &format!("/api/v1/types/{id}/{format}")).await;
        assert_eq!(status, 200, "{format}: {body}");
        assert!(body.contains("Geek"), "{format}: {body}");
    }
}
both!(xsd_csharp_and_typescript_exports_are_served_for_models_and_types);

async fn long_code_lists_are_references_bundled_or_to_the_code_lists_own_schema(backend: Backend) {
    let Some(app) = spawn_app(backend, "types_code_list_refs").await else {
        return;
    };
    import_seres(&app, HVEM_ER_HVEM).await;
    let bundled = app
        .get_json("/api/v1/models/seres-5742-34627/json-schema?enumThreshold=1")
        .await;
    let text = bundled.to_string();
    assert_eq!(
        text.matches("\"enum\":[\"frontend\"").count(),
        1,
        "only the list's own definition has the codes: {bundled:#}"
    );
    let list_def = bundled["$defs"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, d)| d.get("enum").is_some())
        .map(|(name, d)| (name.clone(), d.clone()))
        .expect("the code list in $defs");
    assert!(text.contains(&format!("\"$ref\":\"#/$defs/{}\"", list_def.0)));
    assert_eq!(list_def.1["enum"].as_array().unwrap().len(), 3);
    assert_valid_schema_with_valid_samples(&bundled, "enum threshold 1, bundled");

    // Unbundled, the model refers to its types; the simple type with the code list refers to
    // the list's own schema.
    let types = app.get_json("/api/v1/resources?kind=type&limit=1000").await;
    let geek_type = types["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["iri"].as_str().is_some_and(|i| i.contains("/GeekType/")))
        .expect("the GeekType simple type");
    let unbundled = app
        .get_json(&format!(
            "/api/v1/types/{}/json-schema?enumThreshold=1&bundle=false",
            geek_type["id"].as_str().unwrap()
        ))
        .await;
    jsonschema::draft202012::meta::validate(&unbundled).expect("a 2020-12 schema");
    let text = unbundled.to_string();
    let start = text.find("/api/v1/code-lists/").expect("a code-list URL");
    let url_start = text[..start].rfind('"').unwrap() + 1;
    let url_end = start + text[start..].find('"').unwrap();
    let list_url = &text[url_start..url_end];
    let path = list_url.trim_start_matches(&app.base).to_owned();
    let list_schema = app.get_json(&path).await;
    jsonschema::draft202012::meta::validate(&list_schema).expect("a 2020-12 schema");
    let codes: Vec<&str> = list_schema["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(codes.len(), 3, "{list_schema:#}");
    assert!(codes.contains(&"frontend"), "{codes:?}");
    let (status, media, body) = get(&app, "/api/v1/code-lists/seres-5742-34627/json-schema").await;
    assert_eq!(
        (status, media.as_str()),
        (404, "application/problem+json"),
        "{body}"
    );
}
both!(long_code_lists_are_references_bundled_or_to_the_code_lists_own_schema);

async fn fdk_information_models_export_as_valid_json_schemas(backend: Backend) {
    let Some(app) = spawn_app(backend, "types_fdk_models").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let file = "fdk/im_digdir_person_enhet_adresse_SkatvalModellkatalog.ttl";
    let response = app
        .import(
            Some(&token),
            &format!("format=turtle&publisher={PUBLISHER}"),
            std::fs::read(shared_data(file)).unwrap(),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let mut checked = 0;
    for kind in ["model", "type"] {
        let list = app
            .get_json(&format!("/api/v1/resources?kind={kind}&limit=1000"))
            .await;
        for item in list["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            let schema = app
                .get_json(&format!("/api/v1/{kind}s/{id}/json-schema?lang=en"))
                .await;
            assert_valid_schema_with_valid_samples(&schema, &format!("{kind} {}", item["label"]));
            for format in ["xsd", "csharp", "typescript"] {
                let (status, _, body) = get(&app, &format!("/api/v1/{kind}s/{id}/{format}")).await;
                assert_eq!(status, 200, "{kind} {id} {format}: {body}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} models and types");
}
both!(fdk_information_models_export_as_valid_json_schemas);

/// A model whose types form one long chain (each type's only property holds the next type):
/// every export follows the chain to its end without running out of stack (it once crashed the
/// server), and the JSON Schema defines every type and links each to the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_of_a_long_chain_of_types_exports_without_overflowing_the_stack() {
    const TYPES: usize = 2_000;
    let Some(app) = spawn_app(Backend::Sqlite, "types_long_chain").await else {
        return;
    };
    let base = "https://example.org/chain#";
    let mut ttl = String::from(
        "@prefix m: <https://data.norge.no/vocabulary/modelldcatno#> .\n\
         @prefix dct: <http://purl.org/dc/terms/> .\n",
    );
    let members: Vec<String> = (0..TYPES).map(|i| format!("<{base}T{i}>")).collect();
    ttl.push_str(&format!(
        "<{base}Chain> a m:InformationModel ; dct:title \"Kjede\"@nb ;\n  m:containsModelElement {} .\n",
        members.join(" , ")
    ));
    for i in 0..TYPES {
        ttl.push_str(&format!(
            "<{base}T{i}> a m:ObjectType ; dct:title \"T{i}\"@nb"
        ));
        if i + 1 < TYPES {
            ttl.push_str(&format!(
                " ; m:hasProperty <{base}next{i}> .\n<{base}next{i}> a m:Role ; dct:title \"next\"@nb ; m:hasObjectType <{base}T{next}> .\n",
                next = i + 1
            ));
        } else {
            ttl.push_str(" .\n");
        }
    }
    let token = app.token(PUBLISHER).await;
    let response = app
        .import(
            Some(&token),
            &format!("format=turtle&publisher={PUBLISHER}"),
            ttl.into_bytes(),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let list = app
        .get_json(&format!(
            "/api/v1/resources?kind=model&iri={}",
            urlencode(&format!("{base}Chain"))
        ))
        .await;
    let id = list["items"][0]["id"]
        .as_str()
        .expect("the model")
        .to_owned();

    let (status, _, body) = get(&app, &format!("/api/v1/models/{id}/json-schema")).await;
    assert_eq!(status, 200, "{}", &body[..body.len().min(500)]);
    let schema: Value = serde_json::from_str(&body).expect("JSON");
    let defs = schema["$defs"].as_object().expect("$defs");
    assert_eq!(defs.len(), TYPES, "one definition per type");
    let refs = |name: &str| {
        defs[name]["properties"]["next"]["$ref"]
            .as_str()
            .map(str::to_owned)
    };
    assert_eq!(refs("T0").as_deref(), Some("#/$defs/T1"));
    assert_eq!(
        refs(&format!("T{}", TYPES - 2)).as_deref(),
        Some(format!("#/$defs/T{}", TYPES - 1).as_str())
    );
    jsonschema::draft202012::meta::validate(&schema).expect("a valid 2020-12 schema");
    for format in ["xsd", "csharp", "typescript"] {
        let (status, _, body) = get(&app, &format!("/api/v1/models/{id}/{format}")).await;
        assert_eq!(status, 200, "{format}: {}", &body[..body.len().min(500)]);
        assert!(
            body.contains(&format!("T{}", TYPES - 1)),
            "{format} reaches the chain's end"
        );
    }
    // The server is still up.
    let (status, _, _) = get(&app, "/healthz").await;
    assert_eq!(status, 200);
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
