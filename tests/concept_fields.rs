//! A concept as a field: `GET /api/v1/concepts/{id}/field` and service models composed from
//! concepts only, on SQLite and PostgreSQL, with the fixtures of `tests/fixtures/concepts/`.

mod common;

use common::{spawn_app, Backend, TestApp};
use serde_json::{json, Value};

const PUBLISHER: &str = "974760673";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/concepts/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

async fn with_concepts(backend: Backend, test: &str) -> Option<(TestApp, String)> {
    let app = spawn_app(backend, test).await?;
    let token = app.token(PUBLISHER).await;
    for file in ["sivilstand.ttl", "soknad-begreper.ttl"] {
        let response = app
            .import(Some(&token), "format=turtle", fixture(file))
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    Some((app, token))
}

fn id(iri: &str) -> String {
    semreg::ids::resource_id_for_iri(iri)
}

async fn status_of(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_concept_is_a_field_with_its_texts_and_value_range(backend: Backend) {
    let Some((app, _)) = with_concepts(backend, "concept_field").await else {
        return;
    };
    let sivilstand = id("https://example.org/begrep/sivilstand");
    let field = app
        .get_json(&format!("/api/v1/concepts/{sivilstand}/field"))
        .await;
    assert_eq!(field["field"], "sivilstand");
    assert_eq!(
        field["valueRange"],
        json!({"kind": "codeList", "iri": "https://example.org/samling/sivilstand", "id": "demo-sivilstand"})
    );
    assert_eq!(
        field["schema"]["enum"],
        json!(["GIFT", "REPA", "SEPR", "UGIF"])
    );
    assert_eq!(field["schema"]["type"], "string");
    assert_eq!(field["schema"]["title"], "sivilstand");
    assert_eq!(
        field["schema"]["x-concept"],
        "https://example.org/begrep/sivilstand"
    );
    assert_eq!(
        field["schema"]["x-code-list"],
        "/api/v1/code-lists/demo-sivilstand/codes"
    );
    let hint = &field["uiHint"];
    assert_eq!(hint["component"], "RadioButtons");
    assert_eq!(
        hint["label"],
        json!({"nb": "sivilstand", "nn": "sivilstand", "en": "marital status"})
    );
    assert_eq!(
        hint["helpText"]["en"],
        "a person's relation to marriage and partnership"
    );
    assert_eq!(
        hint["helpText"]["nb"],
        "en persons forhold til ekteskap og partnerskap"
    );
    assert_eq!(
        hint["codeList"]["optionsUrl"],
        "/api/v1/code-lists/demo-sivilstand/altinn-options"
    );
    assert!(jsonschema::meta::is_valid(&field["schema"]));

    let date = app
        .get_json(&format!(
            "/api/v1/concepts/{}/field?lang=en",
            id("https://example.org/begrep/innflyttingsdato")
        ))
        .await;
    assert_eq!(date["field"], "innflyttingsdato");
    assert_eq!(
        (
            date["schema"]["type"].as_str(),
            date["schema"]["format"].as_str()
        ),
        (Some("string"), Some("date"))
    );
    assert_eq!(date["schema"]["title"], "date of moving in");
    assert_eq!(date["uiHint"]["component"], "Datepicker");
    assert_eq!(
        date["valueRange"],
        json!({"kind": "datatype", "name": "date"})
    );

    let text = app
        .get_json(&format!(
            "/api/v1/concepts/{}/field?cardinality=0..*",
            id("https://example.org/begrep/boligbeskrivelse")
        ))
        .await;
    assert_eq!(text["field"], "beskrivelseAvBoligen");
    assert_eq!(text["schema"]["type"], "array");
    assert_eq!(text["schema"]["items"]["type"], "string");
    assert!(
        text["schema"]["description"]
            .as_str()
            .unwrap()
            .ends_with("fritekst, inntil 500 tegn"),
        "{text}"
    );
    assert_eq!(text["valueRange"]["kind"], "text");
    assert_eq!(text["uiHint"]["required"], false);

    let typed = app
        .get_json(&format!(
            "/api/v1/concepts/{sivilstand}/field?type=string&field=status"
        ))
        .await;
    assert_eq!(typed["field"], "status");
    assert!(typed["schema"].get("enum").is_none());
    assert_eq!(typed["uiHint"]["component"], "Input");

    let collection = id("https://example.org/samling/sivilstand");
    for (path, status, names) in [
        ("/api/v1/concepts/nope/field".to_owned(), 404, "nope"),
        (
            format!("/api/v1/concepts/{collection}/field"),
            404,
            "collection",
        ),
        (
            format!("/api/v1/concepts/{sivilstand}/field?lang=N1"),
            400,
            "lang",
        ),
        (
            format!("/api/v1/concepts/{sivilstand}/field?cardinality=x"),
            400,
            "cardinality",
        ),
        (
            format!("/api/v1/concepts/{sivilstand}/field?type=widget"),
            404,
            "type",
        ),
        (
            format!("/api/v1/concepts/{sivilstand}/field?field=a/b"),
            400,
            "field",
        ),
    ] {
        let (got, problem) = status_of(&app, &path).await;
        assert_eq!(got, status, "{path}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(names),
            "{path}: {problem}"
        );
    }
    app.stop().await;
}
both!(a_concept_is_a_field_with_its_texts_and_value_range);

async fn a_service_model_of_concepts_only_validates_and_points_at_served_lists(backend: Backend) {
    let Some((app, token)) = with_concepts(backend, "concept_service_model").await else {
        return;
    };
    let mappings = app
        .client
        .post(app.url("/api/v1/mappings?alias=folkeregisteret-begreper"))
        .bearer_auth(&token)
        .header("content-type", "text/tab-separated-values")
        .body(fixture("folkeregisteret-sivilstand.sssom.tsv"))
        .send()
        .await
        .unwrap();
    assert_eq!(mappings.status(), 200, "{}", mappings.text().await.unwrap());
    let request = json!({
    "name": "Melding om flytting", "alias": "demo-flytting",
    "parts": [
        {"concept": "https://example.org/begrep/sivilstand", "field": "sivilstand", "source": "folkeregisteret-begreper"},
        {"concept": id("https://example.org/begrep/innflyttingsdato"), "field": "innflyttingsdato", "cardinality": "0..1"},
        {"concept": "https://example.org/begrep/boligbeskrivelse", "field": "bolig", "cardinality": "0..1"}
    ]});
    let response = app
        .client
        .post(app.url("/api/v1/service-models"))
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let bundle: Value = response.json().await.unwrap();
    let schema = &bundle["schema"];
    assert!(jsonschema::meta::is_valid(schema), "{schema:#}");
    let validator = jsonschema::draft202012::options()
        .build(schema)
        .expect("compiles");
    assert!(validator.is_valid(
        &json!({"sivilstand": "GIFT", "innflyttingsdato": "2024-05-01", "bolig": "tre rom"})
    ));
    assert!(
        !validator.is_valid(&json!({"sivilstand": "KANSKJE"})),
        "only the list's codes"
    );
    assert!(
        !validator.is_valid(&json!({"innflyttingsdato": "2024-05-01"})),
        "sivilstand is required"
    );
    assert_eq!(schema["required"], json!(["sivilstand"]));
    // Texts in three languages, and code-list fields pointing at lists semreg serves.
    for hint in bundle["uiHints"].as_array().unwrap() {
        for lang in ["nb", "nn", "en"] {
            assert!(hint["label"][lang].is_string(), "{lang} label of {hint}");
            assert!(
                hint["helpText"][lang].is_string(),
                "{lang} help text of {hint}"
            );
        }
    }
    let hint = &bundle["uiHints"][0];
    assert_eq!(hint["path"], "/sivilstand");
    assert_eq!(hint["concept"], "https://example.org/begrep/sivilstand");
    let options_url = hint["codeList"]["optionsUrl"].as_str().unwrap();
    let options = app.get_json(options_url).await;
    let values: Vec<&str> = options
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    let enumerated = schema["$defs"]["sivilstand"]["enum"].clone();
    assert_eq!(
        json!(values),
        enumerated,
        "the options are the schema's enum: {schema:#}"
    );
    assert_eq!(
        bundle["parts"][0]["concept"],
        "https://example.org/begrep/sivilstand"
    );
    // The source API's field mapped to the concept fills it.
    let lines = &bundle["mappings"][0]["fields"];
    assert_eq!(
        lines,
        &json!([{"source": "/sivilstand/0/sivilstand", "target": "/sivilstand"}])
    );
    let mapping = bundle["mappings"][0]["id"].as_str().unwrap();
    let applied = app
        .client
        .post(app.url(&format!("/api/v1/mappings/{mapping}/apply")))
        .json(&json!({"sivilstand": [{"sivilstand": "GIFT"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(applied.status(), 200);
    assert_eq!(
        applied.json::<Value>().await.unwrap(),
        json!({"sivilstand": "GIFT"})
    );
    // Read back as stored.
    let stored = app.get_json("/api/v1/service-models/demo-flytting").await;
    assert_eq!(stored["parts"], bundle["parts"]);
    assert_eq!(stored["uiHints"], bundle["uiHints"]);
    // A concept part naming a type that is not one, or a concept that is not there.
    for (part, field) in [
        (
            json!({"concept": "https://example.org/begrep/nope", "field": "x"}),
            "parts[0].concept",
        ),
        (
            json!({"concept": "https://example.org/begrep/sivilstand", "field": "x", "type": "widget"}),
            "parts[0].type",
        ),
        (json!({"field": "x"}), "parts[0].type"),
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/service-models"))
            .bearer_auth(&token)
            .json(&json!({"name": "Feil", "parts": [part]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().starts_with(field),
            "{problem}"
        );
    }
    app.stop().await;
}
both!(a_service_model_of_concepts_only_validates_and_points_at_served_lists);

async fn the_concept_field_endpoint_is_described_in_openapi(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_field_openapi").await else {
        return;
    };
    let openapi = app.get_json("/openapi.json").await;
    let operation = &openapi["paths"]["/api/v1/concepts/{id}/field"]["get"];
    for status in ["200", "400", "404"] {
        let response = &operation["responses"][status];
        assert!(
            response["description"].is_string(),
            "{status} has a description"
        );
        let media = if status == "200" {
            "application/json"
        } else {
            "application/problem+json"
        };
        assert!(
            response["content"][media].is_object(),
            "{status} as {media}: {operation:#}"
        );
    }
    let names: Vec<&str> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["id", "lang", "field", "cardinality", "type"]);
    let search = &openapi["paths"]["/api/v1/search"]["get"]["parameters"];
    assert!(search
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "usableAsCodeList"));
    assert!(openapi["components"]["schemas"]["ConceptField"].is_object());
    app.stop().await;
}
both!(the_concept_field_endpoint_is_described_in_openapi);
