//! Collections and schemes of concepts served as code lists, on SQLite and PostgreSQL: every
//! collection and scheme of the FDK data, the NAV catalogue, an EU authority table, validity
//! by date, status, changes flowing from a member concept into the list's version and ETag.

mod common;

use common::{shared_data, spawn_app, Backend, TestApp};
use serde_json::Value;

const PUBLISHER: &str = "974760673";

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(shared_data(relative)).expect("shared data file")
}

async fn import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Value {
    let response = app.import(Some(token), query, body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// The SPARQL rows of a query's first two variables.
async fn pairs(app: &TestApp, query: &str) -> Vec<(String, String)> {
    let response = app
        .client
        .get(app.url("/sparql"))
        .query(&[("query", query)])
        .header("accept", "application/sparql-results+json")
        .send()
        .await
        .unwrap();
    let json: Value = response.json().await.unwrap();
    let vars: Vec<String> = json["head"]["vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    json["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let get = |v: &str| b[v]["value"].as_str().unwrap_or_default().to_owned();
            (get(&vars[0]), get(&vars[1]))
        })
        .collect()
}

fn codes(json: &Value) -> Vec<String> {
    json["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

const FDK_CONCEPT_FILES: [(&str, &str); 7] = [
    (
        "fdk/concepts_v2_concept-catalog_all_collections.ttl",
        "turtle",
    ),
    (
        "fdk/concepts_v2_spec_example_all_classes_properties.ttl",
        "turtle",
    ),
    ("fdk/concepts_v2_testdata_1000.ttl", "turtle"),
    ("fdk/concepts_v2_testdata_RegSkjema.jsonld", "jsonld"),
    (
        "fdk/concepts_legacy_v1_harvester_output_collection_0.ttl",
        "turtle",
    ),
    ("fdk/concepts_legacy_v1_nav_begrepskatalog.ttl", "turtle"),
    ("fdk/ref_los_themes_and_words.rdf", "rdfxml"),
];

async fn every_collection_and_scheme_of_the_fdk_data_is_a_code_list(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_lists_fdk").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    for (file, format) in FDK_CONCEPT_FILES {
        let name = file.rsplit('/').next().unwrap();
        import(
            &app,
            &token,
            &format!("format={format}&filename={name}"),
            read(file),
        )
        .await;
    }
    for file in [
        "fdk/ref_digdir_audience-type.ttl",
        "fdk/ref_digdir_relationship-with-source-type.ttl",
    ] {
        import(&app, &token, "format=turtle", read(file)).await;
    }
    // Every collection: as many codes as members, each member's labels per language.
    let collections = app
        .get_json("/api/v1/resources?kind=collection&limit=100")
        .await;
    let collections = collections["items"].as_array().unwrap();
    assert_eq!(collections.len(), 7, "one collection per file");
    for collection in collections {
        let (id, iri) = (
            collection["id"].as_str().unwrap(),
            collection["iri"].as_str().unwrap(),
        );
        let members = pairs(
            &app,
            &format!(
                "SELECT ?m ?x WHERE {{ <{iri}> <http://www.w3.org/2004/02/skos/core#member> ?m }}"
            ),
        )
        .await;
        let list = app
            .get_json(&format!("/api/v1/code-lists/{id}/codes?status=all"))
            .await;
        assert_eq!(
            list["codes"].as_array().unwrap().len(),
            members.len(),
            "{iri}: one code per member"
        );
        // Labels as in the file, per language (SKOS or SKOS-XL).
        let labels = pairs(
            &app,
            &format!(
                "SELECT ?m ?l WHERE {{ <{iri}> <http://www.w3.org/2004/02/skos/core#member> ?m . \
                 {{ ?m <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} UNION \
                 {{ ?m <http://www.w3.org/2008/05/skos-xl#prefLabel>/<http://www.w3.org/2008/05/skos-xl#literalForm> ?l }} \
                 FILTER(lang(?l) = 'nb') }}"
            ),
        )
        .await;
        let mut expected: Vec<String> = labels.iter().map(|(_, l)| l.trim().to_owned()).collect();
        expected.sort();
        expected.dedup();
        let mut served: Vec<String> = list["codes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                let code_iri = c["code"].as_str().unwrap();
                !code_iri.is_empty()
            })
            .filter_map(|c| c["label"].as_str().map(str::to_owned))
            .filter(|l| expected.contains(l))
            .collect();
        served.sort();
        served.dedup();
        assert_eq!(served, expected, "{iri}: the nb labels of its members");
    }
    // Schemes of the same data: as many codes as concepts in them.
    let schemes = app
        .get_json("/api/v1/resources?kind=code-list&limit=100")
        .await;
    let schemes = schemes["items"].as_array().unwrap();
    assert!(
        schemes.len() >= 6,
        "LOS' four schemes and Digdir's two: {schemes:?}"
    );
    for scheme in schemes {
        let (id, iri) = (
            scheme["id"].as_str().unwrap(),
            scheme["iri"].as_str().unwrap(),
        );
        let members = pairs(
            &app,
            &format!(
                "SELECT DISTINCT ?m ?x WHERE {{ {{ ?m <http://www.w3.org/2004/02/skos/core#inScheme> <{iri}> }} UNION \
                 {{ ?m <http://www.w3.org/2004/02/skos/core#topConceptOf> <{iri}> }} }}"
            ),
        )
        .await;
        let list = app
            .get_json(&format!("/api/v1/code-lists/{id}/codes?status=all"))
            .await;
        assert_eq!(
            list["codes"].as_array().unwrap().len(),
            members.len(),
            "{iri}"
        );
    }
    app.stop().await;
}
both!(every_collection_and_scheme_of_the_fdk_data_is_a_code_list);

async fn a_concept_catalog_collection_answers_altinn_options_field_by_field(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_lists_altinn").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let report = import(
        &app,
        &token,
        "format=turtle",
        read("fdk/concepts_v2_concept-catalog_all_collections.ttl"),
    )
    .await;
    assert_eq!(report["created"], 5, "{report}");
    let id = semreg::ids::resource_id_for_iri(
        "https://concept-catalog.fellesdatakatalog.digdir.no/collections/111222333",
    );
    let options = app
        .get_json(&format!(
            "/api/v1/code-lists/{id}/altinn-options?language=nb"
        ))
        .await;
    let first = &options[0];
    assert_eq!(first["value"], "id3");
    assert_eq!(
        first["label"], "Begrep 3",
        "nn label, the only one, by fallback"
    );
    assert_eq!(first["description"], "definisjon");
    let second = &options[1];
    assert_eq!(second["value"], "id4");
    assert_eq!(second["label"], "Begrep 4");
    assert!(second.get("description").is_none());
    assert_eq!(options.as_array().unwrap().len(), 2);
    // The concept-level view: status, validity (endDate inclusive, so validTo the day after).
    let codes = app
        .get_json(&format!("/api/v1/code-lists/{id}/codes?lang=en"))
        .await;
    let id4 = codes["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "id4")
        .unwrap();
    assert_eq!(id4["validTo"], "2030-10-11");
    assert_eq!(id4["label"], "Begrep 4");
    let id3 = &codes["codes"][0];
    assert_eq!(id3["validFrom"], "2020-10-10");
    app.stop().await;
}
both!(a_concept_catalog_collection_answers_altinn_options_field_by_field);

/// The collection of `tests/fixtures/concepts/sivilstand.ttl`: validity per concept
/// (SKOS-AP-NO dates are inclusive), one deprecated concept, a hierarchy by skos:broader.
fn collection() -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/concepts/sivilstand.ttl",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

async fn dates_status_and_hierarchy_of_a_collection_of_concepts(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_lists_dates").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    import(&app, &token, "format=turtle", collection().into()).await;
    let base = "/api/v1/code-lists/demo-sivilstand/codes";
    let all = app.get_json(base).await;
    assert_eq!(
        codes(&all),
        ["GIFT", "REPA", "SEPR", "UGIF"],
        "deprecated left out"
    );
    let separert = &all["codes"][2];
    assert_eq!(
        (separert["parent"].as_str(), separert["level"].as_u64()),
        (Some("GIFT"), Some(2))
    );
    let with = app.get_json(&format!("{base}?status=deprecated")).await;
    assert_eq!(codes(&with), ["GIFT", "REGI", "REPA", "SEPR", "UGIF"]);
    assert_eq!(with["codes"][1]["status"], "deprecated");
    // euvoc:endDate is the last valid day.
    assert_eq!(
        codes(&app.get_json(&format!("{base}?date=2008-12-31")).await),
        ["GIFT", "REPA", "SEPR", "UGIF"]
    );
    assert_eq!(
        codes(&app.get_json(&format!("{base}?date=2009-01-01")).await),
        ["GIFT", "SEPR", "UGIF"]
    );
    assert_eq!(
        codes(&app.get_json(&format!("{base}?date=1993-07-31")).await),
        ["GIFT", "SEPR", "UGIF"]
    );
    let en = app.get_json(&format!("{base}?lang=en&select=GIFT")).await;
    assert_eq!(en["codes"][0]["label"], "married");
    let bad = app
        .client
        .get(app.url(&format!("{base}?status=gone")))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let problem: Value = bad.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("invalid status"),
        "{problem}"
    );
    // The library payload and the JSON Schema carry the same codes.
    let library = app
        .get_json("/altinn/ttd/code_lists/demo-sivilstand/_latest.json")
        .await;
    assert_eq!(library["codes"].as_array().unwrap().len(), 4);
    assert_eq!(
        library["codes"][0]["label"],
        serde_json::json!({"en": "married", "nb": "gift", "nn": "gift"})
    );
    let schema = app
        .get_json("/api/v1/code-lists/demo-sivilstand/json-schema")
        .await;
    assert_eq!(
        schema["enum"],
        serde_json::json!(["GIFT", "REPA", "SEPR", "UGIF"]),
        "{schema}"
    );
    app.stop().await;
}
both!(dates_status_and_hierarchy_of_a_collection_of_concepts);

async fn a_new_concept_version_changes_the_lists_version_etag_and_changes(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_lists_changes").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    import(&app, &token, "format=turtle", collection().into()).await;
    let base = "/api/v1/code-lists/demo-sivilstand/codes";
    let get = |path: String| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap() }
    };
    let first = get(base.to_owned()).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let before: Value = first.json().await.unwrap();
    let v1 = before["version"].as_i64().unwrap();
    // One member concept changes in a file of its own.
    let renamed = collection()
        .split("\nb:gift")
        .next()
        .unwrap()
        .replace("<https://example.org/samling/sivilstand> a skos:Collection ;", "<https://example.org/unused> a skos:Collection ;")
        .lines()
        .filter(|l| l.starts_with("@prefix"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\nb:ugift a skos:Concept ; skos:notation \"UGIF\" ; skos:prefLabel \"ikke gift\"@nb, \"unmarried\"@en .\n";
    let report = import(&app, &token, "format=turtle", renamed.into()).await;
    assert_eq!(report["updated"], 1, "{report}");
    let after = get(base.to_owned()).await;
    assert_ne!(
        after.headers()["etag"].to_str().unwrap(),
        etag,
        "a new ETag"
    );
    let after: Value = after.json().await.unwrap();
    let v2 = after["version"].as_i64().unwrap();
    assert!(v2 > v1, "the list's version grows: {v1} -> {v2}");
    assert_eq!(after["codes"][3]["label"], "ikke gift");
    // The old version stays what it was, pinned and cacheable.
    let pinned = get(format!("{base}?version={v1}")).await;
    assert_eq!(pinned.status(), 200);
    assert!(pinned.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let pinned: Value = pinned.json().await.unwrap();
    assert_eq!(pinned["version"].as_i64(), Some(v1));
    assert_eq!(pinned["codes"][3]["label"], "ugift");
    let changes = app
        .get_json(&format!(
            "/api/v1/code-lists/demo-sivilstand/changes?from={v1}&to={v2}"
        ))
        .await;
    assert_eq!(
        changes["changes"],
        serde_json::json!([{"change": "renamed", "oldCode": "UGIF", "oldName": "ugift",
            "newCode": "UGIF", "newName": "ikke gift", "changedOn": null}])
    );
    // 304 for the ETag of the new version.
    let new_etag = get(base.to_owned()).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let not_modified = app
        .client
        .get(app.url(base))
        .header("if-none-match", &new_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    let future = get(format!("{base}?version={}", v2 + 100)).await;
    assert_eq!(future.status(), 404);
    app.stop().await;
}
both!(a_new_concept_version_changes_the_lists_version_etag_and_changes);

/// A scheme in one file; concepts naming it (`skos:inScheme`) in another.
const SCHEME: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix semreg: <https://w3id.org/semreg/ns#> .
<https://example.org/ordning/kanal> a skos:ConceptScheme ; skos:prefLabel "Kanal"@nb ;
    semreg:alias "test-kanal" .
"#;
const SCHEME_CONCEPTS: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.org/begrep/brev> a skos:Concept ; skos:inScheme <https://example.org/ordning/kanal> ;
    dct:identifier "https://example.org/begrep/brev" ; skos:prefLabel "brev"@nb .
<https://example.org/begrep/digital> a skos:Concept ; skos:topConceptOf <https://example.org/ordning/kanal> ;
    skos:prefLabel "digital"@nb ; skos:narrower <https://example.org/begrep/epost> .
<https://example.org/begrep/epost> a skos:Concept ; skos:inScheme <https://example.org/ordning/kanal> ;
    skos:prefLabel "e-post"@nb .
"#;

async fn a_scheme_whose_concepts_come_later_is_served_with_them(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_lists_scheme").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    import(&app, &token, "format=turtle", SCHEME.into()).await;
    let empty = app.get_json("/api/v1/code-lists/test-kanal/codes").await;
    assert_eq!(codes(&empty), Vec::<String>::new());
    assert_eq!(
        empty["version"], 1,
        "a scheme of its own codes keeps its resource version"
    );
    import(&app, &token, "format=turtle", SCHEME_CONCEPTS.into()).await;
    let kinds = app.get_json("/api/v1/resources?kind=concept").await;
    assert_eq!(
        kinds["total"], 3,
        "the concepts stay resources of their own"
    );
    let list = app.get_json("/api/v1/code-lists/test-kanal/codes").await;
    assert_eq!(codes(&list), ["brev", "digital", "epost"]);
    assert_eq!(
        list["codes"][2]["parent"], "digital",
        "hierarchy from skos:narrower"
    );
    assert!(list["version"].as_i64().unwrap() > 1);
    app.stop().await;
}
both!(a_scheme_whose_concepts_come_later_is_served_with_them);

async fn the_nav_catalogue_and_an_eu_authority_table_are_lists(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_lists_nav").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    import(
        &app,
        &token,
        "format=turtle",
        read("fdk/concepts_legacy_v1_nav_begrepskatalog.ttl"),
    )
    .await;
    import(
        &app,
        &token,
        "format=turtle",
        read("codelists/eu-at-file-type.ttl"),
    )
    .await;
    let nav = semreg::ids::resource_id_for_iri("https://www.nav.no/begrepskatalog");
    let list = app
        .get_json(&format!("/api/v1/code-lists/{nav}/codes"))
        .await;
    let concepts = app
        .get_json("/api/v1/resources?kind=concept&limit=1000")
        .await;
    assert_eq!(concepts["total"], 549);
    let served: std::collections::HashSet<String> = codes(&list).into_iter().collect();
    for concept in concepts["items"].as_array().unwrap() {
        let iri = concept["iri"].as_str().unwrap();
        let code = iri.rsplit('/').next().unwrap();
        assert!(served.contains(code), "{iri} is a code of the NAV list");
    }
    assert!(
        list["codes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["level"] == 1),
        "no hierarchy"
    );
    let first = &list["codes"][0];
    assert_eq!(first["code"], "BEGREP-1000");
    assert_eq!(first["label"], "To-trinnsbehandling", "SKOS-XL label");
    assert!(first["description"]
        .as_str()
        .unwrap()
        .starts_with("en inndeling der to ulike roller"));
    let options = app
        .get_json(&format!("/api/v1/code-lists/{nav}/altinn-options"))
        .await;
    assert_eq!(
        options.as_array().unwrap().len(),
        list["codes"].as_array().unwrap().len()
    );
    let file_types = app.get_json("/api/v1/resources?kind=code-list").await;
    let id = file_types["items"][0]["id"].as_str().unwrap();
    let eu = app
        .get_json(&format!("/api/v1/code-lists/{id}/codes?select=PDF"))
        .await;
    assert_eq!(eu["codes"][0]["code"], "PDF");
    app.stop().await;
}
both!(the_nav_catalogue_and_an_eu_authority_table_are_lists);

async fn a_collection_chooses_its_codes_and_colliding_codes_are_reported(backend: Backend) {
    let Some(app) = spawn_app(backend, "concept_lists_codes").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let file = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix skosno: <https://data.norge.no/vocabulary/skosno#> .
@prefix semreg: <https://w3id.org/semreg/ns#> .
<https://example.org/samling/felt> a skos:Collection ; semreg:alias "test-felt" ;
    semreg:conceptCode skosno:dataStructureLabel ;
    skos:member <https://example.org/b/a>, <https://example.org/b/b>, <https://example.org/b/c> .
<https://example.org/b/a> a skos:Concept ; skosno:dataStructureLabel "fornavn" ; skos:notation "1" ;
    skos:prefLabel "fornavn"@nb .
<https://example.org/b/b> a skos:Concept ; skosno:dataStructureLabel "fornavn" ; skos:prefLabel "første navn"@nb .
<https://example.org/b/c> a skos:Concept ; skos:notation "3" .
"#;
    let report = import(&app, &token, "format=turtle", file.into()).await;
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("https://example.org/b/a")
            && warnings.contains("https://example.org/b/b"),
        "the collision names both concepts: {warnings}"
    );
    assert!(
        warnings.contains("no skos:prefLabel"),
        "the unlabelled member: {warnings}"
    );
    let list = app.get_json("/api/v1/code-lists/test-felt/codes").await;
    assert_eq!(codes(&list), ["3", "b", "fornavn"], "{list}");
    let c = list["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "3")
        .unwrap();
    assert_eq!(
        c["label"], "3",
        "a member without a label has its code as label"
    );
    app.stop().await;
}
both!(a_collection_chooses_its_codes_and_colliding_codes_are_reported);
