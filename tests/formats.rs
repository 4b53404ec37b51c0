//! Every importer through the real API, and the runtime answers checked against the real files:
//! Altinn option lists come back exactly as Altinn wrote them.

mod common;

use common::{shared_data, spawn_app, Backend};
use serde_json::Value;

const PUBLISHER: &str = "974760673";

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(shared_data(relative)).expect("shared data file")
}

/// Reads JSON as Altinn does: `//` line comments and trailing commas allowed (the real files
/// use only these two).
fn parse_lenient(text: &str) -> Value {
    let without_comments: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut cleaned = String::new();
    let chars: Vec<char> = without_comments.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some(']') | Some('}')) {
                continue;
            }
        }
        cleaned.push(*c);
    }
    serde_json::from_str(&cleaned).expect("the real Altinn file parses once comments are gone")
}

async fn import_ok(app: &common::TestApp, token: &str, query: &str, body: Vec<u8>) -> Value {
    let response = app.import(Some(token), query, body).await;
    let status = response.status();
    let report: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{query}: {report}");
    report
}

async fn klass_municipalities_are_served_with_every_code(backend: Backend) {
    let Some(app) = spawn_app(backend, "formats_klass").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let file = "codelists/ssb-klass-131-kommuner-codesAt-2024.json";
    let expected: Value = serde_json::from_slice(&read(file)).unwrap();
    let expected_codes = expected["codes"].as_array().unwrap().len();
    import_ok(
        &app,
        &token,
        "format=klass&filename=ssb-klass-131-kommuner-codesAt-2024.json",
        read(file),
    )
    .await;
    let codes = app.get_json("/api/v1/code-lists/ssb-klass-131/codes").await;
    assert_eq!(codes["codes"].as_array().unwrap().len(), expected_codes);
    let oslo = codes["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "0301")
        .expect("Oslo is in the list");
    assert_eq!(oslo["label"], "Oslo");
    // Search finds the list by a code's label.
    let search = app.get_json("/api/v1/search?q=Oslo&kind=code-list").await;
    assert!(search["total"].as_u64().unwrap() >= 1);
}
both!(klass_municipalities_are_served_with_every_code);

async fn altinn_option_files_come_back_exactly_as_written(backend: Backend) {
    let Some(app) = spawn_app(backend, "formats_altinn").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let mut checked = 0;
    for entry in std::fs::read_dir(shared_data("altinn-options")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !(name.starts_with("app-") || name.starts_with("org-content_")) {
            continue;
        }
        let original = parse_lenient(&std::fs::read_to_string(&path).unwrap());
        let alias = format!("altinn-{}", name.trim_end_matches(".json"));
        import_ok(
            &app,
            &token,
            &format!("format=altinn-options&filename={name}&alias={alias}"),
            std::fs::read(&path).unwrap(),
        )
        .await;
        let served = app
            .get_json(&format!("/api/v1/code-lists/{alias}/altinn-options"))
            .await;
        assert_eq!(served, original, "{name} must come back unchanged");
        checked += 1;
    }
    assert!(
        checked >= 10,
        "expected the Altinn option files, checked {checked}"
    );

    // The multi-language library shape: labels per language survive.
    let name = "studio-content-library_countries_multilang.json";
    let original: Value = serde_json::from_slice(&read(&format!("altinn-options/{name}"))).unwrap();
    import_ok(
        &app,
        &token,
        &format!("format=altinn-options&filename={name}&alias=countries"),
        read(&format!("altinn-options/{name}")),
    )
    .await;
    let library = app
        .get_json("/altinn/ttd/code_lists/countries/_latest.json")
        .await;
    let labels: Vec<&Value> = library["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["label"])
        .collect();
    let expected: Vec<&Value> = original
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["label"])
        .collect();
    assert_eq!(labels, expected);
    assert_eq!(library["version"], "ttd/code_lists/countries/1.json");
}
both!(altinn_option_files_come_back_exactly_as_written);

async fn seres_csv_fhir_and_json_schema_import_through_the_api(backend: Backend) {
    let Some(app) = spawn_app(backend, "formats_more").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let report = import_ok(
        &app,
        &token,
        "filename=Kursdomene_HvemErHvem_M_2021-04-08_5742_34627_SERES.xsd",
        read("seres/Kursdomene_HvemErHvem_M_2021-04-08_5742_34627_SERES.xsd"),
    )
    .await;
    assert_eq!(report["format"], "seres");
    assert_eq!(app.resource_total("kind=model").await, 1);
    assert!(app.resource_total("kind=type").await >= 5);
    let model = app.get_json("/api/v1/resources/seres-5742-34627").await;
    assert_eq!(model["kind"], "model");

    let report = import_ok(
        &app,
        &token,
        "format=csv&filename=iso3166-all.csv&code=alpha-2&label_en=name&parent=region&alias=iso3166",
        read("codelists/iso3166-all.csv"),
    )
    .await;
    assert_eq!(report["created"], 1);
    let countries = app
        .get_json("/api/v1/code-lists/iso3166/codes?lang=en")
        .await;
    assert_eq!(countries["codes"].as_array().unwrap().len(), 249);
    let norway = countries["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "NO")
        .unwrap();
    assert_eq!(norway["label"], "Norway");

    let report = import_ok(
        &app,
        &token,
        "filename=fhir-CodeSystem-device-status-reason.json",
        read("codelists/fhir-CodeSystem-device-status-reason.json"),
    )
    .await;
    assert_eq!(report["format"], "fhir");
    let report = import_ok(
        &app,
        &token,
        "filename=apicurio-jsonschema-citizenIdentifier.json",
        read("codelists/apicurio-jsonschema-citizenIdentifier.json"),
    )
    .await;
    assert_eq!(report["format"], "jsonschema");

    // A CSV with a row missing columns names the line and imports nothing.
    let before = app.resource_total("").await;
    let response = app
        .import(
            Some(&token),
            "format=csv&filename=bad.csv",
            b"code;label_nb\n01;En\n02\n".to_vec(),
        )
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("line 3"),
        "{problem}"
    );
    assert_eq!(app.resource_total("").await, before);
}
both!(seres_csv_fhir_and_json_schema_import_through_the_api);
