//! The storage and API suite, run on SQLite and on PostgreSQL.

mod common;

use common::{shared_data, spawn_app, spawn_app_with, Backend};
use serde_json::Value;

const NAV: &str = "fdk/concepts_legacy_v1_nav_begrepskatalog.ttl";
const PUBLISHER: &str = "974760673";
const OTHER_PUBLISHER: &str = "991825827";

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(shared_data(relative)).expect("shared data file")
}

fn assert_problem(response_status: u16, content_type: Option<&str>, body: &str, status: u16) {
    assert_eq!(response_status, status, "body: {body}");
    assert_eq!(
        content_type,
        Some("application/problem+json"),
        "status {status} must be problem JSON: {body}"
    );
    let problem: Value = serde_json::from_str(body).expect("problem body is JSON");
    assert_eq!(problem["status"].as_u64(), Some(status as u64));
    assert!(problem["title"].is_string());
}

async fn problem(response: reqwest::Response, status: u16) -> Value {
    let code = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.unwrap();
    assert_problem(code, content_type.as_deref(), &body, status);
    serde_json::from_str(&body).unwrap()
}

async fn nav_catalogue_import_lists_549_concepts_in_api_sparql_and_search(backend: Backend) {
    let Some(app) = spawn_app(backend, "nav_catalogue").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let response = app.import(Some(&token), "format=turtle", read(NAV)).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["updated"], 0);
    assert_eq!(report["unchanged"], 0);
    assert!(report["created"].as_u64().unwrap() >= 549);

    assert_eq!(app.resource_total("kind=concept").await, 549);
    assert_eq!(
        app.resource_total(&format!("kind=concept&publisher={PUBLISHER}"))
            .await,
        549
    );
    let count = app
        .sparql_count(
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> }",
        )
        .await;
    assert_eq!(count, 549);
    let search = app.get_json("/api/v1/search?kind=concept&limit=1").await;
    assert_eq!(search["total"], 549);
    assert_eq!(search["facets"]["kind"]["concept"], 549);

    // Paging: total stays, pages differ.
    let page1 = app
        .get_json("/api/v1/resources?kind=concept&limit=10")
        .await;
    let page2 = app
        .get_json("/api/v1/resources?kind=concept&limit=10&offset=10")
        .await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 10);
    assert_ne!(page1["items"][0]["id"], page2["items"][0]["id"]);
}
both!(nav_catalogue_import_lists_549_concepts_in_api_sparql_and_search);

async fn reimporting_identical_content_is_unchanged_and_a_change_makes_version_2(backend: Backend) {
    let Some(app) = spawn_app(backend, "reimport").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let ttl = r#"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://example.org/c/1> a skos:Concept ; skos:prefLabel "adresse"@nb ;
  skos:definition [ a skos:Note ; skos:note "blank node"@nb ] .
<https://example.org/c/2> a skos:Concept ; skos:prefLabel "kommune"@nb ."#;
    let first: Value = app
        .import(Some(&token), "format=turtle", ttl.into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["created"], 2);
    let seq_after_first = app.get_json("/api/v1/changes?since=0").await["next"]
        .as_i64()
        .unwrap();

    let again: Value = app
        .import(Some(&token), "format=turtle", ttl.into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["created"], 0);
    assert_eq!(again["unchanged"], 2);
    let changes = app
        .get_json(&format!("/api/v1/changes?since={seq_after_first}"))
        .await;
    assert_eq!(changes["changes"].as_array().unwrap().len(), 0);

    let changed = ttl.replace("\"kommune\"@nb", "\"kommune\"@nb, \"municipality\"@en");
    let third: Value = app
        .import(Some(&token), "format=turtle", changed.into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(third["updated"], 1);
    assert_eq!(third["unchanged"], 1);

    let id = semreg::ids::resource_id_for_iri("https://example.org/c/2");
    let versions = app
        .get_json(&format!("/api/v1/resources/{id}/versions"))
        .await;
    let list = versions["versions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["version"], 2);
    assert_ne!(list[0]["contentHash"], list[1]["contentHash"]);
    let resource = app.get_json(&format!("/api/v1/resources/{id}")).await;
    assert_eq!(resource["version"], 2);
    assert_eq!(resource["labels"]["en"], "municipality");

    let feed = app
        .get_json(&format!("/api/v1/changes?since={seq_after_first}"))
        .await;
    let entries = feed["changes"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["op"], "updated");
    assert_eq!(entries[0]["id"], id.as_str());
    assert!(entries[0]["seq"].as_i64().unwrap() > seq_after_first);

    // The old version stays readable.
    let v1 = app
        .client
        .get(app.url(&format!("/api/v1/resources/{id}/versions/1")))
        .header("accept", "application/n-triples")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.status(), 200);
    let body = v1.text().await.unwrap();
    assert!(!body.contains("municipality"));
    assert!(body.contains("kommune"));
}
both!(reimporting_identical_content_is_unchanged_and_a_change_makes_version_2);

async fn a_resource_is_served_in_every_rdf_syntax_with_the_same_graph(backend: Backend) {
    let Some(app) = spawn_app(backend, "conneg").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let response = app
        .import(
            Some(&token),
            "",
            read("fdk/im_digdir_person_enhet_adresse_SkatvalModellkatalog.ttl"),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let models = app.get_json("/api/v1/resources?kind=model").await;
    let id = models["items"][0]["id"].as_str().unwrap().to_owned();
    let canonical = app
        .client
        .get(app.url(&format!("/api/v1/resources/{id}")))
        .header("accept", "application/n-triples")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(canonical.lines().count() > 3);
    for (media, format) in [
        ("text/turtle", oxigraph::io::RdfFormat::Turtle),
        ("application/rdf+xml", oxigraph::io::RdfFormat::RdfXml),
        (
            "application/ld+json",
            oxigraph::io::RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
        ),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/resources/{id}")))
            .header("accept", media)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(media));
        let body = response.bytes().await.unwrap();
        let triples: Vec<oxrdf::Triple> = oxigraph::io::RdfParser::from_format(format)
            .for_slice(&body)
            .map(|q| oxrdf::Triple::from(q.expect("valid RDF")))
            .collect();
        assert_eq!(
            semreg_importers::canonical_ntriples(&triples),
            canonical,
            "{media} must carry the same graph"
        );
    }
    let json = app.get_json(&format!("/api/v1/resources/{id}")).await;
    assert_eq!(json["kind"], "model");
    assert_eq!(json["id"], id.as_str());

    let response = app
        .client
        .get(app.url(&format!("/api/v1/resources/{id}")))
        .header("accept", "image/png")
        .send()
        .await
        .unwrap();
    problem(response, 406).await;
}
both!(a_resource_is_served_in_every_rdf_syntax_with_the_same_graph);

async fn writes_need_the_owning_publishers_token_and_failures_change_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend, "auth").await else {
        return;
    };
    let ttl = b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<https://example.org/owned> a skos:Concept ; skos:prefLabel \"eid\"@nb .\n".to_vec();
    let owner = app.token(PUBLISHER).await;
    let other = app.token(OTHER_PUBLISHER).await;

    problem(app.import(None, "format=turtle", ttl.clone()).await, 401).await;
    problem(
        app.import(
            Some("semreg_not-a-real-token"),
            "format=turtle",
            ttl.clone(),
        )
        .await,
        401,
    )
    .await;
    assert_eq!(app.resource_total("").await, 0);

    let ok = app.import(Some(&owner), "format=turtle", ttl.clone()).await;
    assert_eq!(ok.status(), 200);
    let seq = app.get_json("/api/v1/changes").await["next"]
        .as_i64()
        .unwrap();

    let changed = String::from_utf8(ttl.clone())
        .unwrap()
        .replace("eid", "overtatt");
    let p = problem(
        app.import(Some(&other), "format=turtle", changed.clone().into())
            .await,
        403,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains(PUBLISHER));
    let p = problem(
        app.import(
            Some(&other),
            &format!("format=turtle&publisher={PUBLISHER}"),
            changed.into(),
        )
        .await,
        403,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("cannot import for"));

    let feed = app.get_json(&format!("/api/v1/changes?since={seq}")).await;
    assert_eq!(feed["changes"].as_array().unwrap().len(), 0);
    let id = semreg::ids::resource_id_for_iri("https://example.org/owned");
    let resource = app.get_json(&format!("/api/v1/resources/{id}")).await;
    assert_eq!(resource["label"], "eid");
    assert_eq!(resource["publisher"], PUBLISHER);
}
both!(writes_need_the_owning_publishers_token_and_failures_change_nothing);

async fn bad_input_gets_a_specific_problem_and_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app_with(backend, "bad_input", |c| c.body_limit_bytes = 4096).await
    else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let invalid = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<https://example.org/a> a skos:Concept ;\n  skos:prefLabel \"unterminated@nb .\n";
    let p = problem(
        app.import(Some(&token), "format=turtle", invalid.into())
            .await,
        422,
    )
    .await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("line 3"),
        "the error names the line: {detail}"
    );
    assert!(detail.contains("column"), "and the column: {detail}");

    let p = problem(
        app.import(Some(&token), "format=klingon", b"x".to_vec())
            .await,
        400,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("turtle"));
    problem(
        app.import(Some(&token), "format=turtle", Vec::new()).await,
        400,
    )
    .await;
    problem(
        app.import(Some(&token), "format=turtle", vec![b' '; 10_000])
            .await,
        413,
    )
    .await;
    // Valid RDF without anything semreg stores is refused, not silently dropped.
    problem(
        app.import(
            Some(&token),
            "format=ntriples",
            b"<http://e.org/s> <http://e.org/p> <http://e.org/o> .\n".to_vec(),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(app.resource_total("").await, 0);
    assert_eq!(
        app.get_json("/api/v1/changes").await["changes"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
both!(bad_input_gets_a_specific_problem_and_changes_nothing);

async fn malformed_requests_answer_problem_json(backend: Backend) {
    let Some(app) = spawn_app(backend, "malformed").await else {
        return;
    };
    for (path, status) in [
        ("/api/v1/resources?limit=abc", 400),
        ("/api/v1/resources?limit=100000", 400),
        ("/api/v1/changes?since=x", 400),
        ("/api/v1/resources/does-not-exist", 404),
        ("/api/v1/resources/does-not-exist/versions/notanumber", 400),
        ("/no/such/route", 404),
        ("/sparql", 400),
        ("/sparql?query=SELEKT", 400),
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        problem(response, status).await;
    }
    let response = app
        .client
        .delete(app.url("/api/v1/resources"))
        .send()
        .await
        .unwrap();
    problem(response, 405).await;
}
both!(malformed_requests_answer_problem_json);

async fn sparql_protocol_answers_queries_and_refuses_updates(backend: Backend) {
    let Some(app) = spawn_app_with(backend, "sparql", |c| c.sparql_result_limit = 5).await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let response = app
        .import(Some(&token), "", read("fdk/ref_eu_data-themes.ttl"))
        .await;
    assert_eq!(response.status(), 200);
    let select = "SELECT ?s WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }";

    // GET, JSON, truncated at the limit and marked so.
    let response = app
        .client
        .get(app.url("/sparql"))
        .query(&[("query", select)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["semreg-results-truncated"]
            .to_str()
            .unwrap(),
        "true"
    );
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["results"]["bindings"].as_array().unwrap().len(), 5);

    // POST form, XML.
    let response = app
        .client
        .post(app.url("/sparql"))
        .header("accept", "application/sparql-results+xml")
        .form(&[("query", "ASK { ?s ?p ?o }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("<boolean>true</boolean>"));

    // POST sparql-query, CSV.
    let response = app
        .client
        .post(app.url("/sparql"))
        .header("content-type", "application/sparql-query")
        .header("accept", "text/csv")
        .body("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csv = response.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("n"));
    assert!(lines.next().unwrap().parse::<u64>().unwrap() > 10);

    // CONSTRUCT gives Turtle.
    let response = app
        .client
        .get(app.url("/sparql"))
        .query(&[("query", "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/turtle"));

    // Updates are refused, however they come.
    let update = "INSERT DATA { <http://e.org/s> <http://e.org/p> <http://e.org/o> }";
    let response = app
        .client
        .get(app.url("/sparql"))
        .query(&[("query", update)])
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    let response = app
        .client
        .post(app.url("/sparql"))
        .form(&[("update", update)])
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    let response = app
        .client
        .post(app.url("/sparql"))
        .header("content-type", "application/sparql-update")
        .body(update)
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    assert_eq!(
        app.sparql_count("SELECT (COUNT(*) AS ?n) WHERE { <http://e.org/s> ?p ?o }")
            .await,
        0
    );
}
both!(sparql_protocol_answers_queries_and_refuses_updates);

async fn sparql_queries_stop_at_the_time_limit(backend: Backend) {
    let Some(app) = spawn_app_with(backend, "sparql_timeout", |c| {
        c.sparql_timeout = std::time::Duration::from_millis(200)
    })
    .await
    else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    app.import(Some(&token), "", read(NAV)).await;
    // Zero-or-more paths over every predicate between all pairs of ~40k triples' nodes never
    // finish within 200 ms.
    let response = app
        .client
        .get(app.url("/sparql"))
        .query(&[(
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x:none>)* ?b }",
        )])
        .send()
        .await
        .unwrap();
    let p = problem(response, 503).await;
    assert!(p["detail"].as_str().unwrap().contains("limit"));
}
both!(sparql_queries_stop_at_the_time_limit);

async fn operations_endpoints_report_health_metrics_and_openapi(backend: Backend) {
    let Some(app) = spawn_app(backend, "ops").await else {
        return;
    };
    assert_eq!(
        app.get_json("/healthz").await,
        serde_json::json!({"status": "ok"})
    );
    let token = app.token(PUBLISHER).await;
    app.import(Some(&token), "", read("fdk/ref_eu_concept-status.ttl"))
        .await;
    let metrics = app.text("/metrics").await;
    assert!(metrics.contains("semreg_http_requests_total"));
    assert!(metrics.contains("semreg_imports_total{outcome=\"ok\"} 1"));
    assert!(metrics.contains("semreg_projection_lag_changes{projection=\"graph\"} 0"));
    assert!(metrics.contains("semreg_http_request_duration_seconds_bucket"));
    let openapi = app.get_json("/openapi.json").await;
    for path in [
        "/api/v1/resources",
        "/api/v1/resources/{id}",
        "/api/v1/changes",
        "/api/v1/search",
        "/api/v1/import",
        "/sparql",
        "/healthz",
    ] {
        assert!(openapi["paths"][path].is_object(), "openapi lacks {path}");
    }
    let start = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(start.status(), 200);
    assert!(start.text().await.unwrap().contains("concept"));
}
both!(operations_endpoints_report_health_metrics_and_openapi);

async fn every_fdk_rdf_file_imports_without_errors(backend: Backend) {
    let Some(app) = spawn_app(backend, "fdk_files").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let mut files: Vec<_> = std::fs::read_dir(shared_data("fdk"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("ttl" | "rdf" | "jsonld")
            )
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "expected the FDK files beside the checkout"
    );
    let mut concepts_expected = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap().to_owned();
        let response = app
            .import(
                Some(&token),
                &format!("filename={name}"),
                std::fs::read(file).unwrap(),
            )
            .await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 200, "{name}: {body}");
        let report: Value = serde_json::from_str(&body).unwrap();
        // Some files share resources with others (the same IRIs): those are updated or unchanged.
        assert!(
            !report["resources"].as_array().unwrap().is_empty(),
            "{name}: {body}"
        );
        if name == "concepts_v2_testdata_1000.ttl" {
            let concepts = report["resources"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["kind"] == "concept")
                .count();
            assert_eq!(concepts, 1000);
            concepts_expected += 1000;
        }
        if name == "concepts_legacy_v1_nav_begrepskatalog.ttl" {
            concepts_expected += 549;
        }
    }
    assert!(app.resource_total("kind=concept").await >= concepts_expected);
    // The RDF store and the index hold one entry per resource.
    let total = app.resource_total("").await;
    let (graph_seq, search_seq) = app.app.projections.watermarks();
    assert_eq!(graph_seq, search_seq);
    assert_eq!(
        app.app.projections.graph.graph_count().unwrap() as u64,
        total
    );
    assert_eq!(app.app.projections.search.doc_count(), total);
}
both!(every_fdk_rdf_file_imports_without_errors);

async fn projections_survive_a_restart_and_are_rebuilt_when_lost(backend: Backend) {
    let Some(app) = spawn_app(backend, "restart").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    app.import(Some(&token), "", read("fdk/ref_eu_dataset-types.ttl"))
        .await;
    let total = app.resource_total("").await;
    assert!(total > 0);
    let (dir, database_url) = app.stop().await;

    // Restart: everything committed is still in SPARQL and search.
    let app = common::spawn_on(dir, database_url, |_| {}).await;
    assert_eq!(app.resource_total("").await, total);
    let count = app
        .sparql_count("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        .await;
    assert_eq!(count, total);
    assert_eq!(
        app.get_json("/api/v1/search?limit=1").await["total"].as_u64(),
        Some(total)
    );
    let (dir, database_url) = app.stop().await;

    // Lose both projections: they are rebuilt from the change log on start.
    std::fs::remove_dir_all(dir.path().join("oxigraph")).unwrap();
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let app = common::spawn_on(dir, database_url, |_| {}).await;
    let count = app
        .sparql_count("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        .await;
    assert_eq!(count, total);
    assert_eq!(
        app.get_json("/api/v1/search?limit=1").await["total"].as_u64(),
        Some(total)
    );
}
both!(projections_survive_a_restart_and_are_rebuilt_when_lost);
