//! Mappings (SSSOM), composing service models from registry types, UI hints, used-by and
//! apply — the worked example of the README ("Service models, mappings and apply"), on SQLite
//! and PostgreSQL.

mod common;

use common::{shared_data, spawn_app, Backend, TestApp};
use serde_json::{json, Value};

const PUBLISHER: &str = "974760673";
const OTHER: &str = "991825827";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures/compose")
    .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn ok_import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Value {
    let response = app.import(Some(token), query, body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "import {query}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn post(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.unwrap();
    if status >= 400 {
        assert_eq!(content_type, "application/problem+json", "{path}: {text}");
    }
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The registry of the worked example: municipalities and sex (SSB Klass), a Folkeregisteret
/// sex list with its correspondence to Klass, concepts, the Person type, and the mappings.
async fn worked_example(backend: Backend, test: &str) -> Option<(TestApp, String)> {
    let app = spawn_app(backend, test).await?;
    let token = app.token(PUBLISHER).await;
    let municipalities = std::fs::read(shared_data(
        "codelists/ssb-klass-131-kommuner-codesAt-2024.json",
    ))
    .unwrap();
    ok_import(
        &app,
        &token,
        "format=klass&filename=ssb-klass-131-kommuner-codesAt-2024.json",
        municipalities,
    )
    .await;
    let sex = std::fs::read(shared_data("altinn-options/ssb-klass_sex.json")).unwrap();
    ok_import(
        &app,
        &token,
        "format=klass&id=2&filename=ssb-klass_sex.json",
        sex,
    )
    .await;
    for file in [
        "concepts.ttl",
        "person-types.ttl",
        "folkeregisteret-kjoenn.ttl",
    ] {
        ok_import(
            &app,
            &token,
            &format!("format=turtle&filename={file}"),
            fixture(file),
        )
        .await;
    }
    ok_import(
        &app,
        &token,
        "format=correspondence&filename=kjoenn-to-klass-2.csv&source=https://example.org/folkeregisteret/kjoenn&target=2&iri=https://example.org/semreg-demo/correspondences/kjoenn-klass-2",
        fixture("kjoenn-to-klass-2.csv"),
    )
    .await;
    let (status, report) = post(
        &app,
        Some(&token),
        "/api/v1/mappings?alias=folkeregisteret-person",
        "text/tab-separated-values",
        fixture("folkeregisteret-person.sssom.tsv"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let (status, report) = post(
        &app,
        Some(&token),
        "/api/v1/mappings",
        "application/json",
        fixture("person-concepts.sssom.json"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    Some((app, token))
}

/// The service-model document of Folkeregisteret's Kari Nordmann (what apply makes of
/// `folkeregisteret-person.json`).
fn register_person() -> Value {
    json!({"applicant": {
        "nationalIdentityNumber": "01019012345",
        "givenName": "Kari",
        "familyName": "Nordmann",
        "fullName": "Kari Margrethe Nordmann",
        "birthDate": "1990-01-01",
        "sex": "2",
        "address": {"streetAddress": "Storgata 1 A", "postalCode": "0155", "postalPlace": "OSLO", "municipality": "0301"}
    }})
}

fn compose_request() -> Value {
    json!({
        "name": "Søknad om bostøtte",
        "alias": "demo-soknad",
        "parts": [
            {"type": "demo-person", "field": "applicant", "source": "folkeregisteret-person"},
            {"type": "https://example.org/semreg-demo/Adresse", "field": "deliveryAddress", "cardinality": "0..1"}
        ]
    })
}

async fn compose(app: &TestApp, token: &str) -> Value {
    let (status, bundle) = post(
        app,
        Some(token),
        "/api/v1/service-models",
        "application/json",
        compose_request().to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 201, "{bundle:#}");
    bundle
}

fn hint<'b>(bundle: &'b Value, path: &str) -> &'b Value {
    bundle["uiHints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["path"] == path)
        .unwrap_or_else(|| panic!("no UI hint for {path} in {:#}", bundle["uiHints"]))
}

fn compile(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .build(schema)
        .unwrap_or_else(|e| panic!("schema compiles: {e}\n{schema:#}"))
}

async fn compose_gives_schema_mapping_and_ui_hints_from_concepts(backend: Backend) {
    let Some((app, token)) =
        worked_example(backend, "compose_gives_schema_mapping_and_ui_hints").await
    else {
        return;
    };
    let bundle = compose(&app, &token).await;
    let schema = &bundle["schema"];
    assert!(
        jsonschema::meta::is_valid(schema),
        "the service model's schema is valid draft 2020-12: {schema:#}"
    );
    assert_eq!(schema["required"], json!(["applicant"]));
    assert!(
        schema["properties"]["applicant"]["$ref"].is_string(),
        "{schema:#}"
    );
    assert!(
        schema["properties"]["deliveryAddress"]["$ref"].is_string(),
        "{schema:#}"
    );
    compile(schema);

    // The mapping: source fields of the population register to service-model paths.
    let mappings = bundle["mappings"].as_array().unwrap();
    assert_eq!(mappings.len(), 1);
    assert_eq!(
        mappings[0]["subjectSource"],
        "https://example.org/folkeregisteret/person"
    );
    let fields = mappings[0]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 14);
    assert!(
        fields.contains(&json!({"source": "/navn/0/fornavn", "target": "/applicant/givenName"}))
    );
    assert!(fields.contains(&json!({"source": "/bostedsadresse/0/vegadresse/kommunenummer", "target": "/applicant/address/municipality"})));
    assert!(fields.iter().any(|f| f["target"] == "/applicant/sex"
        && f["transform"].as_str().unwrap().starts_with("code(")));

    // UI hints: components by type and code count, texts from the linked concepts.
    let fnr = hint(&bundle, "/applicant/nationalIdentityNumber");
    assert_eq!(fnr["component"], "Input");
    assert_eq!(fnr["pattern"], "[0-9]{11}");
    assert_eq!(fnr["required"], true);
    assert_eq!(
        fnr["label"],
        json!({"nb": "fødselsnummer", "nn": "fødselsnummer", "en": "national identity number"})
    );
    assert!(
        fnr["helpText"]["nn"]
            .as_str()
            .unwrap()
            .contains("vert tildelt"),
        "{fnr}"
    );
    let born = hint(&bundle, "/applicant/birthDate");
    assert_eq!(born["component"], "Datepicker");
    assert_eq!(born["binding"], "applicant.birthDate");
    // Linked by an SSSOM mapping (dcterms:subject), not by the type itself.
    assert_eq!(
        born["concept"],
        "https://example.org/semreg-demo/begrep/foedselsdato"
    );
    assert_eq!(born["label"]["en"], "date of birth");
    let sex = hint(&bundle, "/applicant/sex");
    assert_eq!(sex["component"], "RadioButtons");
    assert_eq!(sex["required"], false);
    assert_eq!(sex["codeList"]["codes"], 2);
    assert_eq!(
        sex["codeList"]["optionsUrl"],
        "/api/v1/code-lists/ssb-klass-2/altinn-options"
    );
    let municipality = hint(&bundle, "/applicant/address/municipality");
    assert_eq!(municipality["component"], "Dropdown");
    assert_eq!(
        municipality["codeList"]["optionsUrl"],
        "/api/v1/code-lists/ssb-klass-131/altinn-options"
    );
    // Every code of the Klass 2024 list is valid today (none has an end date).
    assert_eq!(municipality["codeList"]["codes"], 358);
    assert_eq!(municipality["codeList"]["id"], "ssb-klass-131");
    assert_eq!(municipality["label"]["nn"], "kommune");
    assert_eq!(
        municipality["helpText"]["en"],
        "the municipality the person lives in"
    );
    // The optional part's fields are not required, whatever the type says.
    assert_eq!(
        hint(&bundle, "/deliveryAddress/postalCode")["required"],
        false
    );
    // A field without a concept keeps its own description and its name as label.
    let full = hint(&bundle, "/applicant/fullName");
    assert_eq!(full["label"], json!({"nb": "fullName"}));
    assert_eq!(
        full["helpText"]["nb"],
        "Fullt navn slik det skal vises i skjemaet."
    );

    // The options URL works as given.
    let options = app
        .get_json(sex["codeList"]["optionsUrl"].as_str().unwrap())
        .await;
    assert_eq!(options.as_array().unwrap().len(), 2);

    // Stored as a resource of its own, and read back as composed.
    let stored = app.get_json("/api/v1/service-models/demo-soknad").await;
    assert_eq!(stored["schema"], bundle["schema"]);
    assert_eq!(stored["uiHints"], bundle["uiHints"]);
    assert_eq!(stored["mappings"], bundle["mappings"]);
    assert_eq!(stored["id"], bundle["id"]);
    assert_eq!(app.resource_total("kind=service-model").await, 1);
    assert_eq!(app.resource_total("kind=mapping").await, 3);

    // Used by: directly, and through another type.
    let person = app.get_json("/api/v1/types/demo-person/used-by").await;
    assert_eq!(
        person["usedBy"],
        json!([{"id": bundle["id"], "iri": bundle["iri"], "label": "Søknad om bostøtte", "direct": true}])
    );
    let address = app.get_json("/api/v1/types/demo-adresse/used-by").await;
    assert_eq!(address["usedBy"][0]["direct"], true);
    let fnr_type = app
        .get_json("/api/v1/types/demo-foedselsnummer/used-by")
        .await;
    assert_eq!(fnr_type["usedBy"][0]["direct"], false, "{fnr_type}");
    let list = app
        .client
        .get(app.url("/api/v1/types/ssb-klass-131/used-by"))
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 404);

    // Composing again with the same content makes no new version.
    let again = compose(&app, &token).await;
    assert_eq!(again["version"], bundle["version"]);
}
both!(compose_gives_schema_mapping_and_ui_hints_from_concepts);

async fn apply_turns_a_register_person_into_a_valid_service_model_document(backend: Backend) {
    let Some((app, token)) = worked_example(
        backend,
        "apply_turns_a_register_person_into_a_valid_document",
    )
    .await
    else {
        return;
    };
    let bundle = compose(&app, &token).await;
    let mapping = bundle["mappings"][0]["id"].as_str().unwrap().to_owned();
    let apply = format!("/api/v1/mappings/{mapping}/apply");
    let source: Value = serde_json::from_slice(&fixture("folkeregisteret-person.json")).unwrap();
    let (status, document) = post(
        &app,
        None,
        &apply,
        "application/json",
        source.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{document:#}");
    assert_eq!(document, register_person());
    assert!(compile(&bundle["schema"]).is_valid(&document));

    // Wrong values: each failing path is named with the reason.
    let mut bad = source.clone();
    bad["identifikasjonsnummer"][0]["foedselsEllerDNummer"] = json!("1234");
    bad["bostedsadresse"][0]["vegadresse"]["kommunenummer"] = json!("0000");
    let (status, problem) = post(
        &app,
        None,
        &apply,
        "application/json",
        bad.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    let paths: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"/applicant/nationalIdentityNumber"),
        "{problem:#}"
    );
    assert!(
        paths.contains(&"/applicant/address/municipality"),
        "{problem:#}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("/applicant/"),
        "{problem:#}"
    );

    // A code without a counterpart in the correspondence.
    let mut unknown = source.clone();
    unknown["kjoenn"][0]["kjoenn"] = json!("ukjent");
    let (status, problem) = post(
        &app,
        None,
        &apply,
        "application/json",
        unknown.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(problem["errors"][0]["path"], "/applicant/sex");
    assert_eq!(problem["errors"][0]["source"], "/kjoenn/0/kjoenn");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("ukjent"));

    // A missing required value.
    let mut missing = source.clone();
    missing["navn"][0]
        .as_object_mut()
        .unwrap()
        .remove("etternavn");
    let (status, problem) = post(
        &app,
        None,
        &apply,
        "application/json",
        missing.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "/applicant"
                && e["message"].as_str().unwrap().contains("familyName")),
        "{problem:#}"
    );

    // Not JSON, and an unknown mapping.
    let (status, _) = post(&app, None, &apply, "application/json", b"{oops".to_vec()).await;
    assert_eq!(status, 400);
    let (status, _) = post(
        &app,
        None,
        "/api/v1/mappings/nope/apply",
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(status, 404);

    // The source-to-type mapping applies too, validated against the type's own schema.
    let (status, person) = post(
        &app,
        None,
        "/api/v1/mappings/folkeregisteret-person/apply",
        "application/json",
        source.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{person:#}");
    assert_eq!(person["address"]["municipality"], "0301");
}
both!(apply_turns_a_register_person_into_a_valid_service_model_document);

async fn sssom_sets_round_trip_as_tsv_and_json_and_bad_ones_change_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend, "sssom_sets_round_trip").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let tsv = fixture("folkeregisteret-person.sssom.tsv");
    let (status, report) = post(
        &app,
        Some(&token),
        "/api/v1/mappings?alias=frg",
        "text/tab-separated-values",
        tsv.clone(),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 1);
    assert_eq!(report["resources"][0]["kind"], "mapping");
    assert_eq!(report["format"], "sssom-tsv");
    let id = report["resources"][0]["id"].as_str().unwrap().to_owned();

    // TSV out reads back as the same set; JSON out too.
    let original = semreg::mappings::sssom::read_tsv(std::str::from_utf8(&tsv).unwrap())
        .unwrap()
        .set;
    let response = app
        .client
        .get(app.url("/api/v1/mappings/frg"))
        .header("accept", "text/tab-separated-values")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/tab-separated-values"));
    let exported = response.text().await.unwrap();
    let mut back = semreg::mappings::sssom::read_tsv(&exported).unwrap().set;
    back.curie_map = original.curie_map.clone();
    back.alias = None;
    assert_eq!(back, original, "{exported}");
    let json_out = app
        .get_json(&format!("/api/v1/mappings/{id}?format=json"))
        .await;
    assert_eq!(json_out["mappings"].as_array().unwrap().len(), 14);
    assert_eq!(
        json_out["mappings"][0]["subject_id"],
        "frg:/identifikasjonsnummer/0/foedselsEllerDNummer"
    );
    assert_eq!(
        json_out["extension_definitions"][0]["property"],
        "semreg:transform"
    );
    let mut from_json = semreg::mappings::sssom::read_json(&json_out.to_string())
        .unwrap()
        .set;
    from_json.curie_map = original.curie_map.clone();
    assert_eq!(from_json, original);

    // Stored as SSSOM/RDF through the normal write path: versions, change log, SPARQL.
    let mappings = app
        .sparql_count("SELECT (COUNT(?m) AS ?n) WHERE { ?s a <https://w3id.org/sssom/MappingSet> ; <https://w3id.org/sssom/mappings> ?m . ?m <http://www.w3.org/2002/07/owl#annotatedSource> ?x }")
        .await;
    assert_eq!(mappings, 14);
    let changes = app.get_json("/api/v1/changes?since=0").await;
    assert!(changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "mapping"));
    let again = post(
        &app,
        Some(&token),
        "/api/v1/mappings?alias=frg",
        "text/tab-separated-values",
        tsv.clone(),
    )
    .await;
    assert_eq!(again.1["unchanged"], 1, "{}", again.1);

    // Bad input: a clear problem naming the place, and nothing stored.
    let before = app.resource_total("").await;
    let text = String::from_utf8(tsv.clone()).unwrap();
    let broken = text.replace(
        "frg:/navn/0/etternavn\tskos:exactMatch",
        "frg:/navn/0/etternavn\t",
    );
    let (status, problem) = post(
        &app,
        Some(&token),
        "/api/v1/mappings",
        "text/tab-separated-values",
        broken.into_bytes(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("line 17: predicate_id is required"),
        "{problem}"
    );
    let unknown_prefix = text.replace("person:/givenName", "persn:/givenName");
    let (status, problem) = post(
        &app,
        Some(&token),
        "/api/v1/mappings",
        "text/tab-separated-values",
        unknown_prefix.into_bytes(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        problem["detail"].as_str().unwrap().contains("\"persn\""),
        "{problem}"
    );
    let (status, _) = post(
        &app,
        None,
        "/api/v1/mappings",
        "text/tab-separated-values",
        tsv.clone(),
    )
    .await;
    assert_eq!(status, 401);
    // Another publisher may not overwrite the set.
    let other = app.token(OTHER).await;
    let (status, _) = post(
        &app,
        Some(&other),
        "/api/v1/mappings",
        "text/tab-separated-values",
        tsv.clone(),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(app.resource_total("").await, before);
    let not_found = app
        .client
        .get(app.url("/api/v1/mappings/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(not_found.status(), 404);
}
both!(sssom_sets_round_trip_as_tsv_and_json_and_bad_ones_change_nothing);

async fn a_wrong_compose_request_names_the_part_and_stores_nothing(backend: Backend) {
    let Some((app, token)) = worked_example(backend, "a_wrong_compose_request").await else {
        return;
    };
    let before = app.resource_total("").await;
    let cases = [
        (
            json!({"name": "x", "parts": [{"type": "nope", "field": "a"}]}),
            "parts[0].type",
        ),
        (
            json!({"name": "x", "parts": [{"type": "ssb-klass-131", "field": "a"}]}),
            "not a type",
        ),
        (
            json!({"name": "x", "parts": [{"type": "demo-person", "field": "a", "cardinality": "3..1"}]}),
            "parts[0].cardinality",
        ),
        (
            json!({"name": "x", "parts": [{"type": "demo-person", "field": "a"}, {"type": "demo-adresse", "field": "b", "source": "folkeregisteret-person"}]}),
            "parts[1].source",
        ),
        (
            json!({"name": "x", "parts": [{"type": "demo-person", "field": "a/b"}]}),
            "parts[0].field",
        ),
        (json!({"name": "x", "parts": []}), "parts"),
    ];
    for (request, needle) in cases {
        let (status, problem) = post(
            &app,
            Some(&token),
            "/api/v1/service-models",
            "application/json",
            request.to_string().into_bytes(),
        )
        .await;
        assert_eq!(status, 422, "{request}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(needle),
            "{request}: {problem}"
        );
    }
    let (status, problem) = post(
        &app,
        Some(&token),
        "/api/v1/service-models",
        "application/json",
        br#"{"name": "x", "partz": []}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("partz"),
        "{problem}"
    );
    let (status, _) = post(
        &app,
        None,
        "/api/v1/service-models",
        "application/json",
        compose_request().to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(app.resource_total("").await, before);
}
both!(a_wrong_compose_request_names_the_part_and_stores_nothing);

async fn a_seres_type_maps_to_digdirs_common_address_model(backend: Backend) {
    let Some(app) = spawn_app(backend, "a_seres_type_maps_to_digdirs_address").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let xsd = std::fs::read(shared_data("seres/gitea_krt-3221-45167.xsd")).unwrap();
    ok_import(
        &app,
        &token,
        "format=seres&filename=gitea_krt-3221-45167.xsd",
        xsd,
    )
    .await;
    let digdir = std::fs::read(shared_data(
        "fdk/im_digdir_person_enhet_adresse_SkatvalModellkatalog.ttl",
    ))
    .unwrap();
    ok_import(
        &app,
        &token,
        "format=turtle&filename=digdir-adresse.ttl",
        digdir,
    )
    .await;
    let types = app.get_json("/api/v1/resources?kind=type&limit=1000").await;
    let adresse: Vec<&str> = types["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["label"] == "Adresse")
        .map(|t| t["iri"].as_str().unwrap())
        .collect();
    let seres = *adresse
        .iter()
        .find(|i| !i.contains("Skatval"))
        .expect("SERES Adresse");
    let common = *adresse
        .iter()
        .find(|i| i.contains("Skatval"))
        .expect("Digdir Adresse");
    let set = json!({
        "curie_map": {"digdir": "https://raw.githubusercontent.com/Informasjonsforvaltning/fdk-testdata/master/testdata/SkatvalModellkatalog.ttl#"},
        "mapping_set_id": "https://example.org/semreg-demo/mappings/seres-adresse-digdir",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mappings": [{
            "subject_id": seres,
            "subject_label": "Adresse (Finanstilsynet, SERES)",
            "predicate_id": "skos:closeMatch",
            "object_id": common,
            "object_label": "Adresse (Digdir)",
            "mapping_justification": "semapv:ManualMappingCuration",
            "comment": "SERES Adresse holds a postal address; Digdir's Adresse is the common supertype"
        }]
    });
    let (status, report) = post(
        &app,
        Some(&token),
        "/api/v1/mappings?alias=seres-digdir-adresse",
        "application/json",
        set.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let tsv = app
        .text("/api/v1/mappings/seres-digdir-adresse?format=tsv")
        .await;
    assert!(tsv.contains("\tskos:closeMatch\tdigdir:Adresse\t"), "{tsv}");
    assert!(tsv.contains(seres), "{tsv}");
    // The link is queryable next to both types.
    let linked = app
        .sparql_count(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ ?m <http://www.w3.org/2002/07/owl#annotatedSource> <{seres}> ; \
             <http://www.w3.org/2002/07/owl#annotatedProperty> <http://www.w3.org/2004/02/skos/core#closeMatch> ; \
             <http://www.w3.org/2002/07/owl#annotatedTarget> ?t . ?t a <https://data.norge.no/vocabulary/modelldcatno#ObjectType> }}"
        ))
        .await;
    assert_eq!(linked, 1);
}
both!(a_seres_type_maps_to_digdirs_common_address_model);

/// Altinn's JSON Schemas (draft-07) in `../shared/data/altinn-app/schemas/`, registered by `$id`
/// so their `$ref`s resolve offline; a validator per schema file name.
struct AltinnSchemas {
    schemas: Vec<(String, Value)>,
}

impl AltinnSchemas {
    fn load() -> Self {
        let dir = shared_data("altinn-app/schemas");
        let mut schemas = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            schemas.push((name, schema));
        }
        Self { schemas }
    }

    /// The problems of `instance` against the schema file `name` (empty: it validates).
    fn problems(&self, name: &str, instance: &Value) -> Vec<String> {
        // The layout schema's number formatting (`formatting.number` of Input) refers to a
        // schema Altinn's repository does not hold; the exports never write `formatting`, and
        // the test asserts that, so it stands in as any object.
        let number_format = (
            "https://altinncdn.no/schemas/json/component/number-format.schema.v1.json".to_owned(),
            jsonschema::Resource::from_contents(json!({"type": "object"})),
        );
        let registry = jsonschema::Registry::new()
            .extend(
                self.schemas
                    .iter()
                    .map(|(_, s)| {
                        (
                            s["$id"].as_str().unwrap().to_owned(),
                            jsonschema::Resource::from_contents(s.clone()),
                        )
                    })
                    .chain([number_format]),
            )
            .unwrap()
            .prepare()
            .unwrap();
        let schema = &self.schemas.iter().find(|(n, _)| n == name).unwrap().1;
        let validator = jsonschema::draft7::options()
            .with_registry(&registry)
            .build(schema)
            .unwrap_or_else(|e| panic!("{name} compiles offline: {e}"));
        validator
            .iter_errors(instance)
            .map(|e| format!("{} {}", e.instance_path(), e))
            .collect()
    }
}

/// The schema file of Altinn's that an exported file must validate against.
fn altinn_schema_for(path: &str) -> Option<&'static str> {
    if path.contains("/layouts/") {
        Some("layout.schema.v1.json")
    } else if path.ends_with("/Settings.json") {
        Some("layoutSettings.schema.v1.json")
    } else if path.starts_with("App/config/texts/") {
        Some("text-resources.schema.v1.json")
    } else if path == "App/config/applicationmetadata.json" {
        Some("application-metadata.schema.v1.json")
    } else {
        None
    }
}

/// `(id, type, simpleBinding or group binding, optionsId)` of each component of a layout.
fn components(layout: &Value) -> Vec<(String, String, String, String)> {
    layout["data"]["layout"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let binding = c["dataModelBindings"]["simpleBinding"]
                .as_str()
                .or(c["dataModelBindings"]["group"].as_str())
                .unwrap_or("");
            (
                c["id"].as_str().unwrap().to_owned(),
                c["type"].as_str().unwrap().to_owned(),
                binding.to_owned(),
                c["optionsId"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

async fn the_person_example_exports_an_altinn_app_that_altinns_schemas_accept(backend: Backend) {
    let Some((app, token)) = worked_example(backend, "forms_altinn_app").await else {
        return;
    };
    compose(&app, &token).await;
    let response = app
        .client
        .get(app.url("/api/v1/service-models/demo-soknad/altinn-app"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"SoeknadOmBostoette-altinn-app.zip\""
    );
    let files = semreg::forms::altinn::unzip(&response.bytes().await.unwrap()).unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "App/models/SoeknadOmBostoette.schema.json",
            "App/models/SoeknadOmBostoette.xsd",
            "App/models/SoeknadOmBostoette.cs",
            "App/config/applicationmetadata.json",
            "App/config/texts/resource.nb.json",
            "App/config/texts/resource.nn.json",
            "App/config/texts/resource.en.json",
            "App/ui/Task_1/layouts/applicant.json",
            "App/ui/Task_1/layouts/deliveryAddress.json",
            "App/ui/Task_1/Settings.json",
            "App/appsettings.json",
        ],
    );
    let file = |path: &str| {
        files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
    };
    let json = |path: &str| {
        file(path)
            .as_json()
            .unwrap_or_else(|| panic!("{path}: JSON"))
    };

    // Every file Altinn has a schema for validates against it, offline.
    let schemas = AltinnSchemas::load();
    let mut checked = 0;
    for f in &files {
        if let Some(schema) = altinn_schema_for(&f.path) {
            assert!(
                !String::from_utf8_lossy(&f.bytes).contains("\"formatting\""),
                "{}",
                f.path
            );
            let problems = schemas.problems(schema, &f.as_json().unwrap());
            assert!(
                problems.is_empty(),
                "{} against {schema}: {problems:#?}",
                f.path
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 7);
    // The schema check is live: a component without its binding's type is refused.
    let mut broken = json("App/ui/Task_1/layouts/applicant.json");
    broken["data"]["layout"][1]["type"] = json!("NoSuchComponent");
    assert!(!schemas
        .problems("layout.schema.v1.json", &broken)
        .is_empty());

    // Bindings exist in the model schema, text ids in every language, options resolve.
    let (problems, library) = semreg::forms::altinn::check::check(&files);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        library.iter().collect::<Vec<_>>(),
        [
            "lib**ttd**ssb-klass-131**_latest",
            "lib**ttd**ssb-klass-2**_latest"
        ]
    );
    // ... as Altinn's library client fetches it: `{endpoint}{org}/code_lists/{id}/{version}.json`.
    let settings = json("App/appsettings.json");
    let endpoint = settings["PlatformSettings"]["Altinn3LibraryApiEndpoint"]
        .as_str()
        .unwrap();
    assert_eq!(endpoint, format!("{}/altinn/", app.base));
    let mut lists = Vec::new();
    for reference in &library {
        let (org, id, version) =
            semreg::forms::altinn::check::library_reference(reference).unwrap();
        let list = app
            .client
            .get(format!("{endpoint}{org}/code_lists/{id}/{version}.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), 200, "{reference}");
        lists.push(list.json::<Value>().await.unwrap());
    }
    assert!(
        lists[0]["codes"].as_array().unwrap().len() > 300,
        "{:#}",
        lists[0]
    );
    assert!(lists[0]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["value"] == "0301" && c["label"]["nb"] == "Oslo"));
    assert_eq!(
        lists[1]["codes"].as_array().unwrap().len(),
        2,
        "{:#}",
        lists[1]
    );
    // The check is live too: a binding off the model and a missing text are found.
    let mut off = files.clone();
    let layout = off
        .iter_mut()
        .find(|f| f.path.ends_with("/applicant.json"))
        .unwrap();
    let mut page = layout.as_json().unwrap();
    page["data"]["layout"][1]["dataModelBindings"]["simpleBinding"] = json!("applicant.shoeSize");
    page["data"]["layout"][1]["textResourceBindings"]["title"] = json!("no.such.text");
    *layout = semreg::forms::altinn::AppFile::json(layout.path.clone(), &page);
    let (problems, _) = semreg::forms::altinn::check::check(&off);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("\"applicant.shoeSize\" is not in the model schema")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("text \"no.such.text\" is not in resource.en.json")),
        "{problems:#?}"
    );

    // The hand-written expectation of the applicant page.
    let applicant = json("App/ui/Task_1/layouts/applicant.json");
    let expected: Vec<(String, String, String, String)> = [
        ("applicant-heading", "Heading", "", ""),
        (
            "applicant-nationalIdentityNumber",
            "Input",
            "applicant.nationalIdentityNumber",
            "",
        ),
        ("applicant-givenName", "Input", "applicant.givenName", ""),
        ("applicant-familyName", "Input", "applicant.familyName", ""),
        ("applicant-fullName", "Input", "applicant.fullName", ""),
        (
            "applicant-birthDate",
            "Datepicker",
            "applicant.birthDate",
            "",
        ),
        (
            "applicant-sex",
            "RadioButtons",
            "applicant.sex",
            "lib**ttd**ssb-klass-2**_latest",
        ),
        ("applicant-address-group", "Group", "", ""),
        (
            "applicant-address-streetAddress",
            "Input",
            "applicant.address.streetAddress",
            "",
        ),
        (
            "applicant-address-postalCode",
            "Input",
            "applicant.address.postalCode",
            "",
        ),
        (
            "applicant-address-postalPlace",
            "Input",
            "applicant.address.postalPlace",
            "",
        ),
        (
            "applicant-address-municipality",
            "Dropdown",
            "applicant.address.municipality",
            "lib**ttd**ssb-klass-131**_latest",
        ),
        ("applicant-navigation", "NavigationButtons", "", ""),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(components(&applicant), expected, "{applicant:#}");
    let component = |id: &str| {
        applicant["data"]["layout"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let municipality = component("applicant-address-municipality");
    assert_eq!(municipality["required"], true);
    assert_eq!(
        municipality["textResourceBindings"],
        json!({"title": "applicant.address.municipality.title", "help": "applicant.address.municipality.help"})
    );
    assert_eq!(component("applicant-birthDate")["timeStamp"], false);
    // Texts come from the concepts, in each language.
    let text = |lang: &str, id: &str| {
        json(&format!("App/config/texts/resource.{lang}.json"))["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["value"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        text("en", "applicant.address.municipality.title").as_deref(),
        Some("municipality")
    );
    assert_eq!(
        text("nn", "applicant.address.municipality.help").as_deref(),
        Some("kommunen personen er busett i")
    );
    assert_eq!(text("nb", "appName").as_deref(), Some("Søknad om bostøtte"));
    // Settings: the page order and the data type.
    assert_eq!(
        json("App/ui/Task_1/Settings.json")["pages"]["order"],
        json!(["applicant", "deliveryAddress"])
    );
    // The model files name one class: the data type's classRef.
    let metadata = json("App/config/applicationmetadata.json");
    assert_eq!(metadata["id"], "ttd/soeknad-om-bostoette");
    let data_type = &metadata["dataTypes"][1];
    assert_eq!(data_type["id"], "SoeknadOmBostoette");
    assert_eq!(
        data_type["appLogic"]["classRef"],
        "Altinn.App.Models.SoeknadOmBostoette.SoeknadOmBostoette"
    );
    let cs = String::from_utf8(file("App/models/SoeknadOmBostoette.cs").bytes.clone()).unwrap();
    assert!(
        cs.contains("namespace Altinn.App.Models.SoeknadOmBostoette"),
        "{cs}"
    );
    assert!(
        cs.contains("[XmlRoot(ElementName = \"SoeknadOmBostoette\")]"),
        "{cs}"
    );
    assert!(cs.contains("public class SoeknadOmBostoette"), "{cs}");
    let xsd = String::from_utf8(file("App/models/SoeknadOmBostoette.xsd").bytes.clone()).unwrap();
    assert!(
        xsd.contains("<xsd:element name=\"SoeknadOmBostoette\""),
        "{xsd}"
    );
    assert!(xsd.contains("<xsd:pattern value=\"[0-9]{11}\" />"), "{xsd}");
    assert!(
        cs.contains("[RegularExpression(@\"^(?:[0-9]{11})$\")]"),
        "{cs}"
    );
    // The document apply makes from the register validates against the exported model schema.
    let model_schema = json("App/models/SoeknadOmBostoette.schema.json");
    assert_eq!(model_schema["@xsdRootElement"], "SoeknadOmBostoette");
    let bundle = app.get_json("/api/v1/service-models/demo-soknad").await;
    let mapping = bundle["mappings"][0]["id"].as_str().unwrap();
    let (status, document) = post(
        &app,
        None,
        &format!("/api/v1/mappings/{mapping}/apply"),
        "application/json",
        fixture("folkeregisteret-person.json"),
    )
    .await;
    assert_eq!(status, 200, "{document:#}");
    let validator = compile(&model_schema);
    assert!(validator.is_valid(&document));

    // Small lists as static option files, on request; pinned library versions.
    let response = app
        .client
        .get(app.url("/api/v1/service-models/demo-soknad/altinn-app?staticOptions=5&pinVersions=true&org=digdir&model=Bostoette"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let files = semreg::forms::altinn::unzip(&response.bytes().await.unwrap()).unwrap();
    let (problems, library) = semreg::forms::altinn::check::check(&files);
    assert!(problems.is_empty(), "{problems:#?}");
    let pinned: Vec<&String> = library.iter().collect();
    assert_eq!(pinned.len(), 1);
    assert!(
        pinned[0].starts_with("lib**digdir**ssb-klass-131**") && !pinned[0].ends_with("_latest"),
        "{pinned:?}"
    );
    let sex = files
        .iter()
        .find(|f| f.path == "App/options/ssb-klass-2.json")
        .expect("a static option file for the sex list")
        .as_json()
        .unwrap();
    assert_eq!(
        sex,
        json!([{"value": "1", "label": "ssb-klass-2.1"}, {"value": "2", "label": "ssb-klass-2.2"}])
    );
    assert!(files.iter().any(|f| f.path == "App/models/Bostoette.cs"));

    // Bad options and unknown models are problems naming what is wrong.
    for (query, needle) in [
        ("org=not%20an%20org", "org"),
        ("model=1abc", "model"),
        ("app=Upper", "app"),
        ("staticOptions=-1", "staticOptions"),
    ] {
        let response = app
            .client
            .get(app.url(&format!(
                "/api/v1/service-models/demo-soknad/altinn-app?{query}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(needle),
            "{query}: {problem}"
        );
    }
    let response = app
        .client
        .get(app.url("/api/v1/service-models/no-such-model/altinn-app"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}
both!(the_person_example_exports_an_altinn_app_that_altinns_schemas_accept);

/// Runs FHIR.js (strict R4 validation, `tests/node/fhir/validate.mjs`) on resources; `None`
/// when the node area is missing outside CI.
fn fhir_js(test: &str, dir: &std::path::Path, resources: &[(&str, &Value)]) -> Option<String> {
    let node = common::node_area(test, "fhir")?;
    let items: Vec<Value> = resources
        .iter()
        .map(|(label, resource)| json!({"label": label, "resource": resource}))
        .collect();
    let file = dir.join("forms-fhir.json");
    std::fs::write(&file, serde_json::to_vec(&items).unwrap()).unwrap();
    let output = std::process::Command::new("node")
        .arg(node.join("validate.mjs"))
        .arg(&file)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "FHIR.js found invalid resources:\n{stdout}"
    );
    Some(stdout)
}

/// The item of a Questionnaire (or response) with a linkId, searched depth first.
fn item<'q>(items: &'q Value, link: &str) -> Option<&'q Value> {
    items.as_array()?.iter().find_map(|i| {
        if i["linkId"] == link {
            Some(i)
        } else {
            item(&i["item"], link)
        }
    })
}

async fn the_person_questionnaire_parses_strictly_and_its_answers_come_back_as_a_valid_document(
    backend: Backend,
) {
    let Some((app, token)) = worked_example(backend, "forms_questionnaire").await else {
        return;
    };
    compose(&app, &token).await;
    let response = app
        .client
        .get(app.url("/api/v1/service-models/demo-soknad/questionnaire?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/fhir+json");
    let questionnaire: Value = response.json().await.unwrap();
    let items = &questionnaire["item"];
    assert_eq!(
        questionnaire["url"],
        "urn:semreg:service-model:974760673:soknad-om-bostotte"
    );
    assert_eq!(questionnaire["language"], "en");
    // One item per field: linkId the model path, definition the registry property, texts in
    // the asked language with the others as translations, type, required, facets.
    let birth = item(items, "/applicant/birthDate").unwrap();
    assert_eq!(birth["type"], "date");
    assert_eq!(birth["required"], true);
    assert_eq!(birth["text"], "date of birth");
    assert_eq!(
        birth["definition"],
        "https://example.org/semreg-demo/Person#/birthDate"
    );
    assert_eq!(
        birth["_text"]["extension"][0],
        json!({"url": "http://hl7.org/fhir/StructureDefinition/translation", "extension": [
            {"url": "lang", "valueCode": "nb"}, {"url": "content", "valueString": "fødselsdato"}]})
    );
    let number = item(items, "/applicant/nationalIdentityNumber").unwrap();
    assert_eq!(number["type"], "string");
    assert_eq!(
        number["extension"],
        json!([{"url": "http://hl7.org/fhir/StructureDefinition/regex", "valueString": "^(?:[0-9]{11})$"}])
    );
    assert_eq!(
        item(items, "/applicant/givenName").unwrap()["maxLength"],
        50
    );
    let help = item(items, "/applicant/address/municipality#help").unwrap();
    assert_eq!(help["type"], "display");
    assert_eq!(help["text"], "the municipality the person lives in");
    let applicant = item(items, "/applicant").unwrap();
    assert_eq!(applicant["type"], "group");
    assert_eq!(
        applicant["definition"],
        "urn:semreg:service-model:974760673:soknad-om-bostotte#/applicant"
    );
    assert!(item(items, "/deliveryAddress")
        .unwrap()
        .get("required")
        .is_none());
    // Code lists are answerValueSets of semreg's FHIR terminology API, and resolve there.
    let sex = item(items, "/applicant/sex").unwrap();
    assert_eq!(sex["type"], "choice");
    assert_eq!(
        sex["answerValueSet"],
        "https://data.ssb.no/api/klass/v1/classifications/2?fhir_vs"
    );
    let municipality = item(items, "/applicant/address/municipality").unwrap();
    assert_eq!(
        municipality["answerValueSet"],
        "https://data.ssb.no/api/klass/v1/classifications/131?fhir_vs"
    );
    for value_set in [&sex["answerValueSet"], &municipality["answerValueSet"]] {
        let url = format!(
            "/fhir/ValueSet/$expand?{}",
            serde_urlencoded::to_string([("url", value_set.as_str().unwrap())]).unwrap()
        );
        let response = app.client.get(app.url(&url)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let expansion: Value = response.json().await.unwrap();
        assert!(
            expansion["expansion"]["contains"]
                .as_array()
                .is_some_and(|c| !c.is_empty()),
            "{expansion:#}"
        );
    }

    // A response for the Person example comes back, through the definitions, as the document
    // apply makes from the register, which validates against the service model's schema.
    let coding =
        |system: &str, code: &str| json!([{"valueCoding": {"system": system, "code": code}}]);
    let text = |value: &str| json!([{"valueString": value}]);
    let answer = |link: &str, answer: Value| json!({"linkId": link, "answer": answer});
    let response = json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "urn:semreg:service-model:974760673:soknad-om-bostotte",
        "status": "completed",
        "item": [{"linkId": "/applicant", "item": [
            answer("/applicant/nationalIdentityNumber", text("01019012345")),
            answer("/applicant/givenName", text("Kari")),
            answer("/applicant/familyName", text("Nordmann")),
            answer("/applicant/fullName", text("Kari Margrethe Nordmann")),
            answer("/applicant/birthDate", json!([{"valueDate": "1990-01-01"}])),
            answer("/applicant/sex", coding("https://data.ssb.no/api/klass/v1/classifications/2", "2")),
            {"linkId": "/applicant/address", "item": [
                answer("/applicant/address/streetAddress", text("Storgata 1 A")),
                answer("/applicant/address/postalCode", text("0155")),
                answer("/applicant/address/postalPlace", text("OSLO")),
                answer("/applicant/address/municipality", coding("https://data.ssb.no/api/klass/v1/classifications/131", "0301")),
            ]}
        ]}]
    });
    if let Some(report) = fhir_js(
        "the_person_questionnaire_parses_strictly",
        app.dir.path(),
        &[
            ("Questionnaire", &questionnaire),
            ("QuestionnaireResponse", &response),
        ],
    ) {
        println!("{report}");
        assert!(report.contains("2 valid, 0 invalid"), "{report}");
    }
    let extract = "/api/v1/service-models/demo-soknad/extract";
    let (status, document) = post(
        &app,
        None,
        extract,
        "application/fhir+json",
        response.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{document:#}");
    assert_eq!(document, register_person());
    let bundle = app.get_json("/api/v1/service-models/demo-soknad").await;
    assert!(compile(&bundle["schema"]).is_valid(&document));
    // A wrong answer is named by its path; an item the Questionnaire lacks by where it is.
    let mut wrong = response.clone();
    wrong["item"][0]["item"][6]["item"][1]["answer"][0]["valueString"] = json!("15");
    let (status, problem) = post(
        &app,
        None,
        extract,
        "application/fhir+json",
        wrong.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(
        problem["errors"][0]["path"], "/applicant/address/postalCode",
        "{problem:#}"
    );
    let mut unknown = response.clone();
    unknown["item"][0]["item"][0]["linkId"] = json!("/applicant/shoeSize");
    let (status, problem) = post(
        &app,
        None,
        extract,
        "application/fhir+json",
        unknown.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(
        problem["detail"],
        "item[0].item[0].linkId: \"/applicant/shoeSize\" is not an item of the Questionnaire"
    );
    let (status, _) = post(&app, None, extract, "application/fhir+json", b"{".to_vec()).await;
    assert_eq!(status, 400);
    let response = app
        .client
        .get(app.url("/api/v1/service-models/demo-soknad/questionnaire?lang=de"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
both!(the_person_questionnaire_parses_strictly_and_its_answers_come_back_as_a_valid_document);

async fn the_cli_composes_and_writes_the_forms_into_an_app_repository(backend: Backend) {
    let Some((app, token)) = worked_example(backend, "forms_cli").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let request = dir.path().join("request.json");
    std::fs::write(&request, compose_request().to_string()).unwrap();
    // An existing app made from Altinn's template: its metadata is merged, not replaced.
    let repo = dir.path().join("repo");
    let metadata = repo.join("App/config/applicationmetadata.json");
    std::fs::create_dir_all(metadata.parent().unwrap()).unwrap();
    std::fs::copy(
        shared_data("altinn-app/template-v9/config/applicationmetadata.json"),
        &metadata,
    )
    .unwrap();
    let questionnaire = dir.path().join("questionnaire.json");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_semreg"))
        .arg("compose")
        .arg(&request)
        .args(["--server", &app.base, "--token", &token, "--altinn-app"])
        .arg(&repo)
        .arg("--questionnaire")
        .arg(&questionnaire)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("composed service model "), "{stdout}");
    assert!(
        stdout.contains("wrote 11 files to ")
            && stdout.contains("; 2 code lists read from semreg at runtime"),
        "{stdout}"
    );
    let merged: Value = serde_json::from_slice(&std::fs::read(&metadata).unwrap()).unwrap();
    let ids: Vec<&str> = merged["dataTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ref-data-as-pdf", "model", "SoeknadOmBostoette"]);
    assert_eq!(merged["id"], "[ORG]/[APP]", "the app's own metadata stays");
    assert!(merged["access"]["rightDescription"]["nb"].is_string());
    for path in [
        "App/ui/Task_1/layouts/applicant.json",
        "App/models/SoeknadOmBostoette.cs",
        "App/config/texts/resource.nn.json",
    ] {
        assert!(repo.join(path).is_file(), "{path}");
    }
    let written: Value = serde_json::from_slice(&std::fs::read(&questionnaire).unwrap()).unwrap();
    assert_eq!(written["resourceType"], "Questionnaire");

    // `semreg form questionnaire` prints it, in the language asked.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_semreg"))
        .args([
            "form",
            "questionnaire",
            "demo-soknad",
            "--lang",
            "nn",
            "--server",
            &app.base,
        ])
        .output()
        .await
        .unwrap();
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["language"], "nn");
    assert_eq!(
        item(&printed["item"], "/applicant/givenName").unwrap()["text"],
        "førenamn"
    );
    // An unknown model fails with the server's reason and writes nothing.
    let empty = dir.path().join("empty");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_semreg"))
        .args([
            "form",
            "altinn-app",
            "no-such-model",
            "--server",
            &app.base,
            "--out",
        ])
        .arg(&empty)
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("404"), "{stderr}");
    assert!(!empty.exists());
}
both!(the_cli_composes_and_writes_the_forms_into_an_app_repository);
