//! `GET /api/v1/search` and `GET /api/v1/suggest` through the real router, on SQLite and
//! PostgreSQL, over real files: filters, facets, paging, highlights, type-ahead, bad input, and
//! an index of an older schema rebuilt on start.

mod common;

use common::{shared_data, spawn_app, Backend};
use serde_json::Value;

const PUBLISHER: &str = "974760673";

async fn app_with_models_and_lists(backend: Backend, test: &str) -> Option<common::TestApp> {
    let app = spawn_app(backend, test).await?;
    let token = app.token(PUBLISHER).await;
    for (file, query) in [
        (
            "fdk/im_digdir_person_enhet_adresse_SkatvalModellkatalog.ttl",
            "format=turtle",
        ),
        ("codelists/adms-status.ttl", "format=turtle"),
        (
            "codelists/ssb-klass-131-kommuner-codesAt-2024.json",
            "format=klass&label=Kommuner&filename=ssb-klass-131-kommuner-codesAt-2024.json",
        ),
    ] {
        let body = std::fs::read(shared_data(file)).unwrap();
        let response = app.import(Some(&token), query, body).await;
        assert_eq!(response.status(), 200, "{file}");
    }
    Some(app)
}

fn labels(hits: &Value) -> Vec<String> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_filters_pages_counts_and_highlights(backend: Backend) {
    let Some(app) = app_with_models_and_lists(backend, "search_api_filters").await else {
        return;
    };
    // Types by a property: every hit is a type, Person is among them, the property is marked.
    let found = app
        .get_json("/api/v1/search?q=f%C3%B8dselsdato&kind=type")
        .await;
    let hits = found["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["kind"] == "type"));
    let person = hits
        .iter()
        .find(|h| h["label"] == "Person")
        .expect("Person");
    assert!(person["highlights"]["members"]
        .as_str()
        .unwrap()
        .contains("<b>fødselsdato</b>"));
    assert_eq!(person["status"], "valid");

    // Facet counts add up to the total; kind filter narrows to one facet value.
    let all = app.get_json("/api/v1/search?q=adresse").await;
    let total = all["total"].as_u64().unwrap();
    let by_kind: u64 = all["facets"]["kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_kind, total);
    assert!(all["facets"]["publisher"][PUBLISHER].as_u64().unwrap() > 0);
    assert!(all["facets"]["status"]["valid"].as_u64().unwrap() > 0);
    assert_eq!(labels(&all["hits"])[0], "Adresse");

    // Paging: two pages of two are disjoint and consistent with the total.
    let first = app.get_json("/api/v1/search?q=adresse&limit=2").await;
    let second = app
        .get_json("/api/v1/search?q=adresse&limit=2&offset=2")
        .await;
    assert_eq!(first["total"], second["total"]);
    let ids = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(first["hits"].as_array().unwrap().len(), 2);
    assert!(ids(&first).iter().all(|id| !ids(&second).contains(id)));

    // Language: the ADMS list has English labels, the Skatval types have none.
    let english = app.get_json("/api/v1/search?q=status&lang=en").await;
    assert!(labels(&english["hits"]).contains(&"Status".to_owned()));
    let none = app.get_json("/api/v1/search?q=adresse&lang=en").await;
    assert_eq!(none["total"], 0);

    // A code finds its list; a code label finds the list with the code marked.
    let by_code = app.get_json("/api/v1/search?q=0301").await;
    assert_eq!(labels(&by_code["hits"])[0], "Kommuner");
    let oslo = app.get_json("/api/v1/search?q=Oslo&kind=code-list").await;
    assert!(oslo["hits"][0]["highlights"]["members"]
        .as_str()
        .unwrap()
        .contains("0301 <b>Oslo</b>"));

    // Retired resources are left out unless asked for; asking for them works.
    let retired = app.get_json("/api/v1/search?status=retired").await;
    assert_eq!(retired["total"], 0);
}
both!(search_filters_pages_counts_and_highlights);

async fn suggest_completes_prefixes_and_forgives_one_typo(backend: Backend) {
    let Some(app) = app_with_models_and_lists(backend, "search_api_suggest").await else {
        return;
    };
    let suggest = |q: &'static str| {
        let app = &app;
        async move { labels(&app.get_json(&format!("/api/v1/suggest?q={q}")).await["suggestions"]) }
    };
    assert_eq!(suggest("pers").await[0], "Person");
    assert!(suggest("kommunen")
        .await
        .contains(&"Kommunenummer".to_owned()));
    assert!(suggest("kommunrn")
        .await
        .contains(&"Kommunenummer".to_owned()));
    assert!(suggest("matrikkeladr")
        .await
        .contains(&"Matrikkeladresse".to_owned()));
    assert!(suggest("xqz").await.is_empty());
    let types = app
        .get_json("/api/v1/suggest?q=kommunenummer&kind=code-list")
        .await;
    assert!(types["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "code-list"));
}
both!(suggest_completes_prefixes_and_forgives_one_typo);

async fn bad_search_parameters_get_a_problem_naming_the_parameter(backend: Backend) {
    let Some(app) = spawn_app(backend, "search_api_bad").await else {
        return;
    };
    for (query, field) in [
        ("/api/v1/search?kind=widget", "kind"),
        ("/api/v1/search?status=gone", "status"),
        ("/api/v1/search?limit=0", "limit"),
        ("/api/v1/search?offset=100000", "offset"),
        ("/api/v1/search?lang=n1", "lang"),
        ("/api/v1/suggest?q=a&limit=500", "limit"),
        ("/api/v1/suggest?q=a&kind=widget", "kind"),
    ] {
        let response = app.client.get(app.url(query)).send().await.unwrap();
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().starts_with(field),
            "{query}: {problem}"
        );
    }
}
both!(bad_search_parameters_get_a_problem_naming_the_parameter);

async fn a_search_index_of_an_older_schema_is_rebuilt_on_start(backend: Backend) {
    let Some(app) = app_with_models_and_lists(backend, "search_api_upgrade").await else {
        return;
    };
    let total = app.resource_total("").await;
    let (dir, database_url) = app.stop().await;

    // Put an index of another layout (as an older semreg wrote, without a version file) in its
    // place, with a watermark that claims everything is applied.
    let search = dir.path().join("search");
    std::fs::remove_dir_all(&search).unwrap();
    std::fs::create_dir_all(&search).unwrap();
    {
        let mut builder = tantivy::schema::Schema::builder();
        let id = builder.add_text_field("id", tantivy::schema::STRING | tantivy::schema::STORED);
        let index = tantivy::Index::create_in_dir(&search, builder.build()).unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(tantivy::doc!(id => "stale")).unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload("1000000");
        commit.commit().unwrap();
    }

    let app = common::spawn_on(dir, database_url, |_| {}).await;
    assert_eq!(
        app.get_json("/api/v1/search?limit=1").await["total"].as_u64(),
        Some(total)
    );
    let found = app.get_json("/api/v1/search?q=person").await;
    assert_eq!(labels(&found["hits"])[0], "Person");
    assert!(
        std::fs::read_to_string(app.dir.path().join("search/semreg-schema-version"))
            .unwrap()
            .starts_with(&semreg::projections::search::SCHEMA_VERSION.to_string())
    );
}
both!(a_search_index_of_an_older_schema_is_rebuilt_on_start);

async fn collections_of_concepts_are_flagged_and_found_as_usable_code_lists(backend: Backend) {
    let Some(app) = app_with_models_and_lists(backend, "search_api_usable").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let body = std::fs::read(shared_data(
        "fdk/concepts_v2_concept-catalog_all_collections.ttl",
    ))
    .unwrap();
    assert_eq!(
        app.import(Some(&token), "format=turtle", body)
            .await
            .status(),
        200
    );
    let usable = app
        .get_json("/api/v1/search?usableAsCodeList=true&limit=200")
        .await;
    let hits = usable["hits"].as_array().unwrap();
    let mut kinds: Vec<&str> = hits.iter().map(|h| h["kind"].as_str().unwrap()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["code-list", "collection"], "{usable}");
    assert!(hits.iter().all(|h| h["usableAsCodeList"] == true));
    assert_eq!(
        hits.iter().filter(|h| h["kind"] == "collection").count(),
        2,
        "both collections of the concept catalog"
    );
    // Every hit of any search carries the flag, and each flagged hit is served as a list.
    let all = app.get_json("/api/v1/search?limit=200").await;
    for hit in all["hits"].as_array().unwrap() {
        let flagged = hit["usableAsCodeList"]
            .as_bool()
            .expect("flag on every hit");
        let id = hit["id"].as_str().unwrap();
        let status = app
            .client
            .get(app.url(&format!("/api/v1/code-lists/{id}/codes")))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status == 200, flagged, "{hit}");
    }
    let concepts = app
        .get_json("/api/v1/search?kind=concept&usableAsCodeList=true")
        .await;
    assert_eq!(concepts["total"], 0, "a concept alone is no code list");
    let not = app
        .get_json("/api/v1/search?usableAsCodeList=false&limit=200")
        .await;
    assert!(not["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["usableAsCodeList"] == false));
    let bad = app
        .client
        .get(app.url("/api/v1/search?usableAsCodeList=maybe"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
    app.stop().await;
}
both!(collections_of_concepts_are_flagged_and_found_as_usable_code_lists);
