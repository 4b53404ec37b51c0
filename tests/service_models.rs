//! Mappings (SSSOM), composing service models from registry types, UI hints, used-by and
//! apply — the worked example of the README ("Service models, mappings and apply") — and the
//! forms made from them ("From service model to form": Altinn app files, FHIR Questionnaire,
//! the CLI against a server and on a data dir), on SQLite and PostgreSQL.

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

    /// The problems of an expression against Altinn's expression schema's `boolean`, checked
    /// as the schema declares (draft-07, where its `prefixItems` mean nothing) and as its
    /// authors meant `prefixItems` (the same schema read as draft 2020-12).
    fn expression_problems(&self, expression: &Value) -> Vec<String> {
        let id = "https://altinncdn.no/schemas/json/layout/expression.schema.v1.json";
        let reference = json!({"$ref": format!("{id}#/definitions/boolean")});
        let mut out = Vec::new();
        let declared = self.registry();
        let mut schema = self
            .schemas
            .iter()
            .find(|(_, s)| s["$id"] == id)
            .unwrap()
            .1
            .clone();
        schema.as_object_mut().unwrap().remove("$schema");
        let meant = jsonschema::Registry::new()
            .add(id, jsonschema::Draft::Draft202012.create_resource(schema))
            .unwrap()
            .prepare()
            .unwrap();
        for (draft, registry) in [
            (jsonschema::Draft::Draft7, &declared),
            (jsonschema::Draft::Draft202012, &meant),
        ] {
            let validator = jsonschema::options()
                .with_draft(draft)
                .with_registry(registry)
                .build(&reference)
                .unwrap_or_else(|e| panic!("the expression schema compiles offline: {e}"));
            out.extend(
                validator
                    .iter_errors(expression)
                    .map(|e| format!("{draft:?} {} {e}", e.instance_path())),
            );
        }
        out
    }

    /// Altinn's schemas by `$id`.
    fn registry(&self) -> jsonschema::Registry<'static> {
        // The layout schema's number formatting (`formatting.number` of Input) refers to a
        // schema Altinn's repository does not hold; the exports never write `formatting`, and
        // the test asserts that, so it stands in as any object.
        let number_format = (
            "https://altinncdn.no/schemas/json/component/number-format.schema.v1.json".to_owned(),
            jsonschema::Resource::from_contents(json!({"type": "object"})),
        );
        jsonschema::Registry::new()
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
            .unwrap()
    }

    /// The problems of `instance` against the schema file `name` (empty: it validates).
    fn problems(&self, name: &str, instance: &Value) -> Vec<String> {
        let registry = self.registry();
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

/// Evaluates the Altinn expressions the exports write (`and`, `or`, `not`, `equals`,
/// `greaterThan`, `stringLength`, `commaContains`, `dataModel`) on a document outside any
/// repeating group, as Altinn's documentation defines them: a missing value is null, the length
/// of null is 0, `equals` compares values as text.
fn evaluate(expression: &Value, document: &Value) -> Value {
    let Value::Array(items) = expression else {
        return expression.clone();
    };
    let args: Vec<Value> = items[1..].iter().map(|a| evaluate(a, document)).collect();
    let text = |v: &Value| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    match items[0].as_str().unwrap() {
        "dataModel" => {
            let pointer = format!("/{}", args[0].as_str().unwrap().replace('.', "/"));
            document.pointer(&pointer).cloned().unwrap_or(Value::Null)
        }
        "and" => json!(args.iter().all(|a| *a == json!(true))),
        "or" => json!(args.iter().any(|a| *a == json!(true))),
        "not" => json!(args[0] != json!(true)),
        "equals" => json!(text(&args[0]) == text(&args[1])),
        "greaterThan" => json!(args[0].as_f64().unwrap() > args[1].as_f64().unwrap()),
        "stringLength" => json!(text(&args[0]).map_or(0, |t| t.chars().count())),
        "commaContains" => {
            let list = text(&args[0]).unwrap_or_default();
            let value = text(&args[1]);
            json!(list.split(',').any(|c| Some(c.trim().to_owned()) == value))
        }
        other => panic!("the exports do not write {other:?}"),
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
            "App/models/SoeknadOmBostoette.validation.json",
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
    // Expression validations: a field the model requires in the optional delivery address is
    // an error exactly when it is empty and another field of that address is filled.
    let rules = json("App/models/SoeknadOmBostoette.validation.json");
    assert_eq!(
        rules["$schema"],
        "https://altinncdn.no/toolkits/altinn-app-frontend/4/schemas/json/validation/validation.schema.v1.json"
    );
    let keys: Vec<&String> = rules["validations"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "deliveryAddress.streetAddress",
            "deliveryAddress.postalCode",
            "deliveryAddress.municipality"
        ]
    );
    let filled = |b: &str| json!(["greaterThan", ["stringLength", ["dataModel", b]], 0]);
    assert_eq!(
        rules["validations"]["deliveryAddress.postalCode"],
        json!([{
            "message": "deliveryAddress.postalCode.requiredWith",
            "severity": "error",
            "condition": ["and",
                ["equals", ["stringLength", ["dataModel", "deliveryAddress.postalCode"]], 0],
                ["or", filled("deliveryAddress.streetAddress"), filled("deliveryAddress.postalPlace"),
                       filled("deliveryAddress.municipality")]]
        }])
    );
    let en = json("App/config/texts/resource.en.json");
    assert!(
        en["resources"].as_array().unwrap().contains(&json!({
            "id": "deliveryAddress.postalCode.requiredWith",
            "value": "postal code is required when Adresse is filled in"
        })),
        "{en:#}"
    );
    // Each condition is an expression by Altinn's expression schema (as declared, draft-07,
    // and with `prefixItems` in force, draft 2020-12), and a broken one is refused.
    for rule in rules["validations"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|r| r.as_array().unwrap())
    {
        assert_eq!(
            schemas.expression_problems(&rule["condition"]),
            Vec::<String>::new()
        );
    }
    assert!(!schemas
        .expression_problems(&json!(["and", ["stringLength", {"not": "an expression"}], true]))
        .is_empty());
    // ... and means what it says (evaluated as Altinn's documentation defines the functions).
    let errors = |document: &Value| -> Vec<String> {
        rules["validations"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, r)| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .any(|rule| evaluate(&rule["condition"], document) == json!(true))
            })
            .map(|(field, _)| field.clone())
            .collect()
    };
    let mut document = register_person();
    assert!(errors(&document).is_empty());
    document["deliveryAddress"] = json!({"postalCode": "0155"});
    assert_eq!(
        errors(&document),
        [
            "deliveryAddress.streetAddress",
            "deliveryAddress.municipality"
        ]
    );
    document["deliveryAddress"] =
        json!({"streetAddress": "Storgata 1 A", "postalCode": "0155", "municipality": "0301"});
    assert!(errors(&document).is_empty());
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
    let validation = off
        .iter_mut()
        .find(|f| f.path.ends_with(".validation.json"))
        .unwrap();
    let mut broken_rules = validation.as_json().unwrap();
    broken_rules["validations"]["deliveryAddress.postalCode"][0]["condition"][1][1][1][1] =
        json!("deliveryAddress.zip");
    *validation = semreg::forms::altinn::AppFile::json(validation.path.clone(), &broken_rules);
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
            .any(|p| p.contains("the condition reads \"deliveryAddress.zip\", not in the model")),
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
    // The concept's example is the description, its usage note follows the definition in the
    // help, each in every language file.
    assert_eq!(
        component("applicant-nationalIdentityNumber")["textResourceBindings"],
        json!({"title": "applicant.nationalIdentityNumber.title",
               "description": "applicant.nationalIdentityNumber.description",
               "help": "applicant.nationalIdentityNumber.help"})
    );
    for (lang, want) in [
        ("nb", "Eksempel: 01019012345"),
        ("nn", "Døme: 01019012345"),
        ("en", "Example: 01019012345"),
    ] {
        assert_eq!(
            text(lang, "applicant.nationalIdentityNumber.description").as_deref(),
            Some(want)
        );
    }
    assert_eq!(
        text("nn", "applicant.address.postalCode.help").as_deref(),
        Some("firesifra nummer for postområdet\n\nfor ei postboksadresse gjeld postnummeret til postboksen")
    );
    // Text ids stay the same across re-exports: a second export writes the same text files.
    let again = app
        .client
        .get(app.url("/api/v1/service-models/demo-soknad/altinn-app"))
        .send()
        .await
        .unwrap();
    let again = semreg::forms::altinn::unzip(&again.bytes().await.unwrap()).unwrap();
    for lang in ["nb", "nn", "en"] {
        let path = format!("App/config/texts/resource.{lang}.json");
        let second = again.iter().find(|f| f.path == path).unwrap();
        assert_eq!(second.bytes, file(&path).bytes, "{path}");
    }
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
    // A static list's values are checked on the server too: the C# model holds a string.
    let rules = files
        .iter()
        .find(|f| f.path == "App/models/Bostoette.validation.json")
        .unwrap()
        .as_json()
        .unwrap();
    let in_list = &rules["validations"]["applicant.sex"][0];
    assert_eq!(in_list["message"], "applicant.sex.inList");
    assert_eq!(
        in_list["condition"][2],
        json!([
            "not",
            ["commaContains", "1,2", ["dataModel", "applicant.sex"]]
        ])
    );
    let mut document = register_person();
    assert_eq!(evaluate(&in_list["condition"], &document), json!(false));
    document["applicant"]["sex"] = json!("9");
    assert_eq!(evaluate(&in_list["condition"], &document), json!(true));
    assert!(files.iter().any(|f| f.path == "App/models/Bostoette.cs"));

    // Bad options and unknown models are problems naming what is wrong.
    app.assert_bad_queries(
        "/api/v1/service-models/demo-soknad/altinn-app",
        &[
            ("org=not%20an%20org", "org"),
            ("model=1abc", "model"),
            ("app=Upper", "app"),
            ("staticOptions=-1", "staticOptions"),
        ],
    )
    .await;
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
        json!([{"url": "http://hl7.org/fhir/StructureDefinition/regex", "valueString": "^(?:[0-9]{11})$"},
               {"url": "http://hl7.org/fhir/StructureDefinition/entryFormat", "valueString": "Example: 01019012345"}])
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
        stdout.contains("wrote 12 files to ")
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

/// Brønnøysundregistrene's register of beneficial owners as a real SERES model
/// (`ReelleRettighetshavere_M`): lists of objects within lists of objects (owners, their
/// positions, the grounds of each), lists of plain values (citizenships), optional objects with
/// required fields, and code lists.
const REELLE_XSD: &str =
    "seres/Bronnoysundregistrene_ReelleRettighetshavere_M_2021-04-13_6900_46449_SERES.xsd";
/// Its `Rolleinnehaver` type.
const ROLLEINNEHAVER_TYPE: &str =
    "http://seres.no/guid/Brønnøysundregistrene/Dataobjekttype/Rolleinnehaver/780384";
/// Its `ReelleRettigheter` type.
const REELLE_TYPE: &str =
    "http://seres.no/guid/Brønnøysundregistrene/Dataobjekttype/ReelleRettigheter/779896";

fn reelle_request() -> Value {
    json!({
        "name": "Melding om reelle rettighetshavere",
        "alias": "reelle-rettigheter",
        "parts": [
            {"type": REELLE_TYPE, "field": "reelleRettigheter"},
            {"type": ROLLEINNEHAVER_TYPE, "field": "kontaktpersoner", "cardinality": "1..3"}
        ]
    })
}

/// Every component of a layout, by id.
fn by_id(layout: &Value) -> std::collections::HashMap<String, Value> {
    layout["data"]["layout"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c.clone()))
        .collect()
}

/// A layout as the (older) layout schema of `../shared/data/altinn-app/schemas` knows it: that
/// schema predates the `RepeatingGroup` type of app frontend v4 and describes the same
/// component (`children`, `maxCount`, `dataModelBindings.group`) as a `Group`; `minCount` came
/// with the new type.
fn as_older_layout(layout: &Value) -> Value {
    let mut layout = layout.clone();
    for component in layout["data"]["layout"].as_array_mut().unwrap() {
        if component["type"] == "RepeatingGroup" {
            component["type"] = json!("Group");
            if let Some(map) = component.as_object_mut() {
                map.remove("minCount");
            }
        }
    }
    layout
}

const ROWS: &str = "reelleRettigheter.reellRettighetshaver";

async fn lists_of_objects_are_repeating_groups_and_repeating_items_that_come_back_as_arrays(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend, "forms_repeating").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let xsd = std::fs::read(shared_data(REELLE_XSD)).unwrap();
    ok_import(
        &app,
        &token,
        "format=seres&filename=ReelleRettighetshavere_M.xsd",
        xsd,
    )
    .await;
    let (status, bundle) = post(
        &app,
        Some(&token),
        "/api/v1/service-models",
        "application/json",
        reelle_request().to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 201, "{bundle:#}");
    let response = app
        .client
        .get(app.url(
            "/api/v1/service-models/reelle-rettigheter/altinn-app?staticOptions=10&model=ReelleRettigheter",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let files = semreg::forms::altinn::unzip(&response.bytes().await.unwrap()).unwrap();
    let (problems, _) = semreg::forms::altinn::check::check(&files);
    assert!(problems.is_empty(), "{problems:#?}");
    let schemas = AltinnSchemas::load();
    for f in &files {
        if let Some(schema) = altinn_schema_for(&f.path) {
            let content = f.as_json().unwrap();
            let content = if f.path.contains("/layouts/") {
                as_older_layout(&content)
            } else {
                content
            };
            let problems = schemas.problems(schema, &content);
            assert!(
                problems.is_empty(),
                "{} against {schema}: {problems:#?}",
                f.path
            );
        }
    }
    let layout = files
        .iter()
        .find(|f| f.path == "App/ui/Task_1/layouts/reelleRettigheter.json")
        .expect("one page for the part")
        .as_json()
        .unwrap();
    let components = by_id(&layout);
    let component = |id: &str| {
        components
            .get(id)
            .unwrap_or_else(|| panic!("no {id} in {layout:#}"))
    };
    // Lists of objects are RepeatingGroups bound to the list, nested as the model nests them;
    // the components of a row bind the path without an index.
    let owners = component("reelleRettigheter-reellRettighetshaver-group");
    assert_eq!(owners["type"], "RepeatingGroup");
    assert_eq!(owners["dataModelBindings"], json!({"group": ROWS}));
    assert!(owners.get("maxCount").is_none() && owners.get("minCount").is_none());
    assert_eq!(
        owners["children"],
        json!([
            "reelleRettigheter-reellRettighetshaver-rettighetshaver-group",
            "reelleRettigheter-reellRettighetshaver-posisjon-group"
        ])
    );
    let positions = component("reelleRettigheter-reellRettighetshaver-posisjon-group");
    assert_eq!(positions["type"], "RepeatingGroup");
    assert_eq!(
        positions["dataModelBindings"]["group"],
        format!("{ROWS}.posisjon")
    );
    let grounds = component("reelleRettigheter-reellRettighetshaver-posisjon-grunnlag-group");
    assert_eq!(grounds["type"], "RepeatingGroup");
    let position_type = component("reelleRettigheter-reellRettighetshaver-posisjon-posisjonType");
    assert_eq!(
        position_type["dataModelBindings"],
        json!({"simpleBinding": format!("{ROWS}.posisjon.posisjonType")})
    );
    // Required within its row: a row exists once added.
    assert_eq!(position_type["required"], true);
    // A list inside an optional object need not have rows (`rolleinnehavere` is optional) ...
    let roles = component("reelleRettigheter-rolleinnehavere-rolleinnehaver-group");
    assert_eq!(roles["type"], "RepeatingGroup");
    assert!(roles.get("minCount").is_none(), "{roles:#}");
    // ... a list part of 1..3 has its bounds, on a page of its own.
    let contacts = files
        .iter()
        .find(|f| f.path == "App/ui/Task_1/layouts/kontaktpersoner.json")
        .expect("a page for the list part")
        .as_json()
        .unwrap();
    let contacts = by_id(&contacts);
    let group = &contacts["kontaktpersoner-group"];
    assert_eq!(group["type"], "RepeatingGroup");
    assert_eq!(
        group["dataModelBindings"],
        json!({"group": "kontaktpersoner"})
    );
    assert_eq!(
        (&group["minCount"], &group["maxCount"]),
        (&json!(1), &json!(3))
    );
    assert_eq!(
        contacts["kontaktpersoner-fodselsdato"]["dataModelBindings"]["simpleBinding"],
        "kontaktpersoner.fodselsdato"
    );
    assert_eq!(contacts["kontaktpersoner-fodselsdato"]["required"], true);
    // A single optional object is a Group; what it requires is not required of everyone ...
    let person = component("reelleRettigheter-reellRettighetshaver-rettighetshaver-person-group");
    assert_eq!(person["type"], "Group");
    let number =
        component("reelleRettigheter-reellRettighetshaver-rettighetshaver-person-fodselsnummer");
    assert_eq!(number["required"], false);
    // ... but an expression validation, applied to every row.
    let rules = files
        .iter()
        .find(|f| f.path == "App/models/ReelleRettigheter.validation.json")
        .unwrap()
        .as_json()
        .unwrap();
    let binding = format!("{ROWS}.rettighetshaver.person.fodselsnummer");
    assert_eq!(
        rules["validations"][&binding][0]["message"],
        format!("{binding}.requiredWith")
    );
    assert_eq!(
        rules["validations"][&binding][0]["condition"][2],
        json!([
            "or",
            [
                "greaterThan",
                [
                    "stringLength",
                    ["dataModel", format!("{ROWS}.rettighetshaver.person.navn")]
                ],
                0
            ],
            [
                "greaterThan",
                [
                    "stringLength",
                    [
                        "dataModel",
                        format!("{ROWS}.rettighetshaver.person.bostedsland")
                    ]
                ],
                0
            ]
        ])
    );
    // A code list's values are checked in each row.
    let in_list = &rules["validations"][format!("{ROWS}.posisjon.posisjonType")][0];
    assert_eq!(
        in_list["condition"][2][1][1],
        "posisjontype.eier,posisjontype.kont,posisjontype.ruas,posisjontype.anne"
    );
    // Lists of plain values have no Altinn component: left off the pages and reported.
    let unbound = semreg::forms::altinn::check::unbound(&files);
    let lists = [
        format!("{ROWS}.rettighetshaver.person.statsborgerskap"),
        format!("{ROWS}.rettighetshaver.utenlandskPerson.statsborgerskap"),
        "reelleRettigheter.rolleinnehavere.rolleinnehaver.statsborgerskap".to_owned(),
        "kontaktpersoner.statsborgerskap".to_owned(),
    ];
    assert_eq!(unbound, lists);
    let options = semreg::forms::altinn::AltinnOptions {
        org: "ttd".into(),
        app: None,
        model: None,
        static_options: 10,
        pin_versions: false,
        base_url: app.base.clone(),
    };
    let exported = semreg::forms::altinn::export(&app.app, "reelle-rettigheter", &options)
        .await
        .unwrap();
    let left_out: Vec<&str> = exported
        .left_out
        .iter()
        .map(|l| l.binding.as_str())
        .collect();
    assert_eq!(left_out, lists);

    // The Questionnaire: lists repeat, groups within groups.
    let response = app
        .client
        .get(app.url("/api/v1/service-models/reelle-rettigheter/questionnaire"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let questionnaire: Value = response.json().await.unwrap();
    let items = &questionnaire["item"];
    let owner = item(items, "/reelleRettigheter/reellRettighetshaver").unwrap();
    assert_eq!(owner["type"], "group");
    assert_eq!(owner["repeats"], true);
    let citizenship = item(
        items,
        "/reelleRettigheter/reellRettighetshaver/rettighetshaver/person/statsborgerskap",
    )
    .unwrap();
    assert_eq!(citizenship["repeats"], true);
    assert_eq!(
        item(
            items,
            "/reelleRettigheter/reellRettighetshaver/posisjon/posisjonType"
        )
        .unwrap()["type"],
        "choice"
    );
    let contact = item(items, "/kontaktpersoner").unwrap();
    assert_eq!(
        (&contact["required"], &contact["repeats"]),
        (&json!(true), &json!(true))
    );
    assert!(
        contact["extension"].as_array().unwrap().contains(&json!(
            {"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs", "valueInteger": 3}
        )),
        "{contact:#}"
    );
    // Every answerValueSet resolves on the running server.
    fn value_sets(items: &Value, out: &mut Vec<String>) {
        for item in items.as_array().into_iter().flatten() {
            if let Some(url) = item["answerValueSet"].as_str() {
                out.push(url.to_owned());
            }
            value_sets(&item["item"], out);
        }
    }
    let mut urls = Vec::new();
    value_sets(items, &mut urls);
    for url in &urls {
        let path = format!(
            "/fhir/ValueSet/$expand?{}",
            serde_urlencoded::to_string([("url", url.as_str())]).unwrap()
        );
        let expanded = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(expanded.status(), 200, "{path}");
    }
    // A response with two owners, one holding two positions, comes back as arrays in the
    // order answered, and validates against the service model's schema.
    let text =
        |link: &str, value: &str| json!({"linkId": link, "answer": [{"valueString": value}]});
    let code = |link: &str, value: &str| json!({"linkId": link, "answer": [{"valueCoding": {"code": value}}]});
    let r = "/reelleRettigheter";
    let o = "/reelleRettigheter/reellRettighetshaver";
    let p = "/reelleRettigheter/reellRettighetshaver/posisjon";
    let questionnaire_response = json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire["url"],
        "status": "completed",
        "item": [{"linkId": r, "item": [
            text(&format!("{r}/rettighetId"), "r-1"),
            text(&format!("{r}/rettighetDataId"), "d-1"),
            text(&format!("{r}/endretDato"), "2021-04-13"),
            text(&format!("{r}/status"), "aktiv"),
            {"linkId": format!("{r}/registreringspliktig"), "item": [
                text(&format!("{r}/registreringspliktig/organisasjonsnummer"), "974760673")]},
            {"linkId": o, "item": [
                {"linkId": format!("{o}/rettighetshaver"), "item": [
                    {"linkId": format!("{o}/rettighetshaver/person"), "item": [
                        text(&format!("{o}/rettighetshaver/person/fodselsnummer"), "01019012345"),
                        {"linkId": format!("{o}/rettighetshaver/person/statsborgerskap"),
                         "answer": [{"valueString": "NO"}, {"valueString": "SE"}]},
                        text(&format!("{o}/rettighetshaver/person/bostedsland"), "NO")]}]},
                {"linkId": p, "item": [
                    code(&format!("{p}/posisjonType"), "posisjontype.eier"),
                    {"linkId": format!("{p}/grunnlag"), "item": [
                        code(&format!("{p}/grunnlag/grunnlagType"), "grunnlagtype.dire")]}]},
                {"linkId": p, "item": [code(&format!("{p}/posisjonType"), "posisjontype.kont")]}]},
            {"linkId": o, "item": [
                {"linkId": format!("{o}/rettighetshaver"), "item": [
                    {"linkId": format!("{o}/rettighetshaver/utenlandskPerson"), "item": [
                        {"linkId": format!("{o}/rettighetshaver/utenlandskPerson/fodselsdato"),
                         "answer": [{"valueDate": "1980-05-17"}]},
                        text(&format!("{o}/rettighetshaver/utenlandskPerson/navn"), "Sven Svensson"),
                        text(&format!("{o}/rettighetshaver/utenlandskPerson/statsborgerskap"), "SE"),
                        text(&format!("{o}/rettighetshaver/utenlandskPerson/bostedsland"), "SE")]}]},
                {"linkId": p, "item": [code(&format!("{p}/posisjonType"), "posisjontype.ruas")]}]}
        ]},
        {"linkId": "/kontaktpersoner", "item": [
            {"linkId": "/kontaktpersoner/fodselsdato", "answer": [{"valueDate": "1975-12-24"}]},
            text("/kontaktpersoner/navn", "Kari Nordmann"),
            text("/kontaktpersoner/rolle", "daglig leder"),
            text("/kontaktpersoner/statsborgerskap", "NO")]}]
    });
    if let Some(report) = fhir_js(
        "lists_of_objects_are_repeating_groups",
        app.dir.path(),
        &[
            ("Questionnaire", &questionnaire),
            ("QuestionnaireResponse", &questionnaire_response),
        ],
    ) {
        assert!(report.contains("2 valid, 0 invalid"), "{report}");
    }
    let (status, document) = post(
        &app,
        None,
        "/api/v1/service-models/reelle-rettigheter/extract",
        "application/fhir+json",
        questionnaire_response.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{document:#}");
    assert_eq!(
        document,
        json!({"reelleRettigheter": {
            "rettighetId": "r-1", "rettighetDataId": "d-1", "endretDato": "2021-04-13",
            "status": "aktiv",
            "registreringspliktig": {"organisasjonsnummer": "974760673"},
            "reellRettighetshaver": [
                {"rettighetshaver": {"person": {"fodselsnummer": "01019012345",
                                                "statsborgerskap": ["NO", "SE"], "bostedsland": "NO"}},
                 "posisjon": [
                     {"posisjonType": "posisjontype.eier",
                      "grunnlag": [{"grunnlagType": "grunnlagtype.dire"}]},
                     {"posisjonType": "posisjontype.kont"}]},
                {"rettighetshaver": {"utenlandskPerson": {"fodselsdato": "1980-05-17",
                    "navn": "Sven Svensson", "statsborgerskap": ["SE"], "bostedsland": "SE"}},
                 "posisjon": [{"posisjonType": "posisjontype.ruas"}]}
            ]
        },
        "kontaktpersoner": [{"fodselsdato": "1975-12-24", "navn": "Kari Nordmann",
                             "rolle": "daglig leder", "statsborgerskap": ["NO"]}]})
    );
    assert!(compile(&bundle["schema"]).is_valid(&document));
    // A second answer to an item that does not repeat is refused, naming where.
    let mut twice = questionnaire_response.clone();
    twice["item"][0]["item"][0]["answer"] = json!([{"valueString": "a"}, {"valueString": "b"}]);
    let (status, problem) = post(
        &app,
        None,
        "/api/v1/service-models/reelle-rettigheter/extract",
        "application/fhir+json",
        twice.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(
        problem["detail"],
        "item[0].item[0]: 2 answers to \"/reelleRettigheter/rettighetId\", which does not repeat"
    );
}
both!(lists_of_objects_are_repeating_groups_and_repeating_items_that_come_back_as_arrays);

/// Runs the `semreg` binary on a data dir; its stdout, or a failure with both streams.
fn semreg_cli(
    data_dir: &std::path::Path,
    database_url: &str,
    args: &[&std::ffi::OsStr],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_semreg"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--database-url")
        .arg(database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("semreg runs")
}

async fn the_cli_imports_composes_and_exports_forms_on_a_data_dir(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let Some(url) = common::database_url(backend, &data, "forms_cli_data_dir").await else {
        return;
    };
    std::fs::create_dir_all(&data).unwrap();
    let run = |args: &[&str]| {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        semreg_cli(&data, &url, &args)
    };
    let ok = |output: &std::process::Output| {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let xsd = shared_data(REELLE_XSD);
    ok(&run(&[
        "import",
        "--publisher",
        PUBLISHER,
        "--format",
        "seres",
        xsd.to_str().unwrap(),
    ]));
    let request = dir.path().join("request.json");
    std::fs::write(&request, reelle_request().to_string()).unwrap();
    let repo = dir.path().join("repo");
    let questionnaire = dir.path().join("questionnaire.json");
    let stdout = ok(&run(&[
        "compose",
        request.to_str().unwrap(),
        "--publisher",
        PUBLISHER,
        "--altinn-app",
        repo.to_str().unwrap(),
        "--questionnaire",
        questionnaire.to_str().unwrap(),
        "--static-options",
        "10",
    ]));
    assert!(stdout.contains("composed service model "), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "not on a page (no Altinn component binds it): {ROWS}.rettighetshaver.person.statsborgerskap"
        )),
        "{stdout}"
    );
    // What was written is what the checks pass: read back from the directory.
    let mut files = Vec::new();
    for entry in walk(&repo) {
        let path = entry
            .strip_prefix(&repo)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        files.push(semreg::forms::altinn::AppFile {
            path,
            bytes: std::fs::read(&entry).unwrap(),
        });
    }
    assert!(files
        .iter()
        .any(|f| f.path == "App/models/MeldingOmReelleRettighetshavere.validation.json"));
    let (problems, _) = semreg::forms::altinn::check::check(&files);
    assert!(problems.is_empty(), "{problems:#?}");
    let written: Value = serde_json::from_slice(&std::fs::read(&questionnaire).unwrap()).unwrap();
    assert_eq!(written["resourceType"], "Questionnaire");

    // `semreg form altinn-app` on the same data dir, with the library endpoint for code lists.
    let out = dir.path().join("again");
    let stdout = ok(&run(&[
        "form",
        "altinn-app",
        "reelle-rettigheter",
        "--out",
        out.to_str().unwrap(),
        "--base-url",
        "https://semreg.example.org",
    ]));
    assert!(stdout.contains("wrote "), "{stdout}");
    let settings: Value = serde_json::from_slice(
        &std::fs::read(out.join("App/appsettings.json")).unwrap_or_else(|_| b"null".to_vec()),
    )
    .unwrap();
    if !stdout.contains("; 0 code lists read from semreg at runtime") {
        assert_eq!(
            settings["PlatformSettings"]["Altinn3LibraryApiEndpoint"],
            "https://semreg.example.org/altinn/"
        );
    }
    let stdout = ok(&run(&[
        "form",
        "questionnaire",
        "reelle-rettigheter",
        "--lang",
        "en",
    ]));
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["language"], "en");
    assert_eq!(printed["item"][0]["linkId"], "/reelleRettigheter");
    // An unknown model fails naming it, and writes nothing.
    let none = dir.path().join("none");
    let output = run(&[
        "form",
        "altinn-app",
        "no-such-model",
        "--out",
        none.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-model"), "{stderr}");
    assert!(!none.exists());
}
both!(the_cli_imports_composes_and_exports_forms_on_a_data_dir);

/// The files under a directory, depth first.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}
