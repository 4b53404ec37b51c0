//! Drafts end to end, on SQLite and PostgreSQL: resources imported or pushed with
//! `status=draft` are seen only by their publisher's token — on `/api/v1/resources` (lists, by
//! id, versions), search and suggest (hits, totals and facets), SPARQL (union default graph,
//! `GRAPH`, `FROM`), code lists (codes, Altinn options, Altinn's library, FHIR; the fast lane and
//! the memo included), the change feed and the web pages — and hidden from anonymous clients
//! and other publishers alike; answers to the owner are `private, no-store`. A source
//! vocabulary's own status (EU concept status CANDIDATE) hides nothing. A later `status=valid`
//! write publishes a draft, which then shows everywhere.

mod common;

use common::{spawn_app, Backend, TestApp};
use serde_json::Value;

const OWNER: &str = "974760673";
const OTHER: &str = "991825827";
const CONCEPT: &str = "https://begrep.example.no/drafts/utkast";
const CANDIDATE: &str = "https://begrep.example.no/drafts/kandidat";
const LIST: &str = "https://data.example.no/drafts/kodeliste";

fn concept_ttl() -> Vec<u8> {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <{CONCEPT}> a skos:Concept ; skos:prefLabel \"Hemmeligutkast\"@nb ;\n\
           skos:definition \"Et begrep som ennå er et utkast\"@nb .\n"
    )
    .into_bytes()
}

fn candidate_ttl() -> Vec<u8> {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> .\n\
         <{CANDIDATE}> a skos:Concept ; skos:prefLabel \"Kandidatbegrep\"@nb ;\n\
           euvoc:status <http://publications.europa.eu/resource/authority/concept-status/CANDIDATE> .\n"
    )
    .into_bytes()
}

fn options_json() -> Vec<u8> {
    br#"[{"value": "1", "label": "Utkastverdi en"}, {"value": "2", "label": "Utkastverdi to"}]"#
        .to_vec()
}

/// Who asks: nobody, the owner, another publisher.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    Owner,
    Other,
}

struct Tokens {
    owner: String,
    other: String,
}

async fn get(app: &TestApp, tokens: &Tokens, who: Who, path: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    match who {
        Who::Anonymous => {}
        Who::Owner => request = request.bearer_auth(&tokens.owner),
        Who::Other => request = request.bearer_auth(&tokens.other),
    }
    request.send().await.unwrap()
}

async fn json(app: &TestApp, tokens: &Tokens, who: Who, path: &str) -> Value {
    let response = get(app, tokens, who, path).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{who:?} GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn status(app: &TestApp, tokens: &Tokens, who: Who, path: &str) -> u16 {
    get(app, tokens, who, path).await.status().as_u16()
}

async fn sparql_count(app: &TestApp, tokens: &Tokens, who: Who, query: &str) -> u64 {
    let mut request = app
        .client
        .get(app.url("/sparql"))
        .query(&[("query", query)])
        .header("accept", "application/sparql-results+json");
    match who {
        Who::Anonymous => {}
        Who::Owner => request = request.bearer_auth(&tokens.owner),
        Who::Other => request = request.bearer_auth(&tokens.other),
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// What each surface shows `who` of the draft concept and list: `true` when it is seen.
async fn seen_everywhere(
    app: &TestApp,
    tokens: &Tokens,
    who: Who,
    concept_id: &str,
    list_id: &str,
) -> Vec<(&'static str, bool)> {
    let mut seen = Vec::new();
    let listed = json(
        app,
        tokens,
        who,
        &format!("/api/v1/resources?publisher={OWNER}"),
    )
    .await;
    seen.push((
        "resource list",
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["iri"] == CONCEPT),
    ));
    let by_iri = json(
        app,
        tokens,
        who,
        &format!("/api/v1/resources?iri={}", encoded(CONCEPT)),
    )
    .await;
    seen.push(("resource by iri", by_iri["total"] == 1));
    let drafts = json(app, tokens, who, "/api/v1/resources?status=draft").await;
    seen.push((
        "resource list status=draft",
        drafts["total"].as_u64().unwrap() > 0,
    ));
    seen.push((
        "resource by id",
        status(app, tokens, who, &format!("/api/v1/resources/{concept_id}")).await == 200,
    ));
    seen.push((
        "versions",
        status(
            app,
            tokens,
            who,
            &format!("/api/v1/resources/{concept_id}/versions"),
        )
        .await
            == 200,
    ));
    seen.push((
        "version 1",
        status(
            app,
            tokens,
            who,
            &format!("/api/v1/resources/{concept_id}/versions/1"),
        )
        .await
            == 200,
    ));
    let search = json(app, tokens, who, "/api/v1/search?q=Hemmeligutkast").await;
    seen.push((
        "search hits",
        !search["hits"].as_array().unwrap().is_empty(),
    ));
    seen.push(("search total", search["total"].as_u64().unwrap() > 0));
    let facets = json(app, tokens, who, "/api/v1/search?q=Hemmeligutkast&limit=1").await;
    seen.push((
        "search facets",
        facets["facets"]["status"].get("draft").is_some(),
    ));
    let suggest = json(app, tokens, who, "/api/v1/suggest?q=Hemmelig").await;
    seen.push((
        "suggest",
        !suggest["suggestions"].as_array().unwrap().is_empty(),
    ));
    seen.push((
        "sparql union",
        sparql_count(
            app,
            tokens,
            who,
            &format!("SELECT (COUNT(*) AS ?n) WHERE {{ <{CONCEPT}> ?p ?o }}"),
        )
        .await
            > 0,
    ));
    seen.push((
        "sparql graph",
        sparql_count(
            app,
            tokens,
            who,
            &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CONCEPT}> {{ ?s ?p ?o }} }}"),
        )
        .await
            > 0,
    ));
    seen.push((
        "sparql from",
        sparql_count(
            app,
            tokens,
            who,
            &format!("SELECT (COUNT(*) AS ?n) FROM <{CONCEPT}> WHERE {{ ?s ?p ?o }}"),
        )
        .await
            > 0,
    ));
    // Twice each: the second may come from the memo or the fast lane.
    for (name, path) in [
        ("codes", format!("/api/v1/code-lists/{list_id}/codes")),
        (
            "altinn options",
            format!("/api/v1/code-lists/{list_id}/altinn-options"),
        ),
        (
            "altinn library",
            format!("/altinn/ttd/code_lists/{list_id}/_latest.json"),
        ),
    ] {
        let first = status(app, tokens, who, &path).await == 200;
        let second = status(app, tokens, who, &path).await == 200;
        assert_eq!(first, second, "{who:?} {path}: the same answer twice");
        seen.push((name, first));
    }
    seen.push((
        "fhir code system",
        status(app, tokens, who, &format!("/fhir/CodeSystem/{list_id}")).await == 200,
    ));
    let changes = json(app, tokens, who, "/api/v1/changes?since=0&limit=1000").await;
    seen.push((
        "change feed",
        changes["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["iri"] == CONCEPT),
    ));
    seen
}

async fn a_draft_is_seen_only_by_its_publisher_until_published(backend: Backend) {
    let Some(app) = spawn_app(backend, "drafts_visibility").await else {
        return;
    };
    let tokens = Tokens {
        owner: app.token(OWNER).await,
        other: app.token(OTHER).await,
    };
    let imported = app
        .import(
            Some(&tokens.owner),
            "format=turtle&status=draft",
            concept_ttl(),
        )
        .await;
    assert_eq!(imported.status(), 200);
    let report: Value = imported.json().await.unwrap();
    let concept_id = report["resources"][0]["id"].as_str().unwrap().to_owned();
    let imported = app
        .import(
            Some(&tokens.owner),
            &format!(
                "format=altinn-options&status=draft&iri={}&alias=utkastliste",
                encoded(LIST)
            ),
            options_json(),
        )
        .await;
    let text = imported.text().await.unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    let list_id = report["resources"][0]["id"]
        .as_str()
        .expect(&text)
        .to_owned();
    // A source vocabulary's own status is content: a CANDIDATE concept is public.
    let imported = app
        .import(Some(&tokens.owner), "format=turtle", candidate_ttl())
        .await;
    assert_eq!(imported.status(), 200);

    let owner_view = seen_everywhere(&app, &tokens, Who::Owner, &concept_id, &list_id).await;
    for (surface, seen) in &owner_view {
        // FHIR serves published lists only (its canonical references are public).
        if *surface != "fhir code system" {
            assert!(seen, "the owner sees its draft on {surface}");
        }
    }
    let mut checked = 0;
    for who in [Who::Anonymous, Who::Other] {
        for (surface, seen) in seen_everywhere(&app, &tokens, who, &concept_id, &list_id).await {
            assert!(!seen, "{who:?} must not see the draft on {surface}");
            checked += 1;
        }
        // The alias does not reveal it either.
        assert_eq!(
            status(&app, &tokens, who, "/api/v1/code-lists/utkastliste/codes").await,
            404
        );
    }
    println!(
        "drafts ({backend:?}): seen by others on 0/{checked} surface checks (anonymous and another publisher); by the owner on {}/{}",
        owner_view.iter().filter(|(_, seen)| *seen).count(),
        owner_view.len()
    );
    // Answers to the owner stay out of shared caches.
    for path in [
        format!("/api/v1/resources/{concept_id}"),
        format!("/api/v1/code-lists/{list_id}/codes"),
    ] {
        let response = get(&app, &tokens, Who::Owner, &path).await;
        assert_eq!(
            response.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
    }
    // The web pages are public: no draft there.
    assert_eq!(
        status(
            &app,
            &tokens,
            Who::Anonymous,
            &format!("/concepts/{concept_id}")
        )
        .await,
        404
    );
    assert_eq!(
        status(
            &app,
            &tokens,
            Who::Anonymous,
            &format!("/code-lists/{list_id}")
        )
        .await,
        404
    );
    let page = app.text("/search?q=Hemmeligutkast").await;
    assert!(
        !page.contains(&concept_id),
        "the search page shows no draft"
    );
    // What is composed from other resources is public too: a draft is not a building block
    // yet, not even for its publisher (who reads it on /api/v1/resources).
    for who in [Who::Owner, Who::Other, Who::Anonymous] {
        assert_eq!(
            status(
                &app,
                &tokens,
                who,
                &format!("/api/v1/concepts/{concept_id}/field")
            )
            .await,
            404,
            "{who:?}: a draft concept as a field"
        );
    }
    let compose = serde_json::json!({"name": "Søknad med utkast", "alias": "utkast-soknad",
        "parts": [{"concept": CONCEPT, "field": "hemmelig"}]});
    let composed = app
        .client
        .post(app.url("/api/v1/service-models"))
        .bearer_auth(&tokens.owner)
        .json(&compose)
        .send()
        .await
        .unwrap();
    let code = composed.status().as_u16();
    let problem: Value = composed.json().await.unwrap();
    assert!(
        code == 422 && problem["detail"].as_str().unwrap().contains(CONCEPT),
        "a service model with a draft concept part: {code} {problem}"
    );
    // The candidate concept is everyone's.
    let candidate = app
        .get_json(&format!("/api/v1/resources?iri={}", encoded(CANDIDATE)))
        .await;
    assert_eq!(candidate["total"], 1);
    assert_eq!(candidate["items"][0]["status"], "valid");
    let search = app.get_json("/api/v1/search?q=Kandidatbegrep").await;
    assert_eq!(search["total"], 1);
    assert_eq!(
        app.sparql_count(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ <{CANDIDATE}> ?p ?o FILTER(!STRSTARTS(STR(?p), \"http://www.w3.org/ns/prov#\")) }}"
        ))
        .await,
        3
    );

    // Publishing: the same content with status=valid (the default).
    let published = app
        .import(Some(&tokens.owner), "format=turtle", concept_ttl())
        .await;
    assert_eq!(published.status(), 200);
    let report: Value = published.json().await.unwrap();
    assert_eq!(report["resources"][0]["outcome"], "published");
    assert_eq!(report["resources"][0]["version"], 1);
    let published = app
        .import(
            Some(&tokens.owner),
            &format!(
                "format=altinn-options&iri={}&alias=utkastliste",
                encoded(LIST)
            ),
            options_json(),
        )
        .await;
    assert_eq!(published.status(), 200);
    for who in [Who::Anonymous, Who::Other, Who::Owner] {
        for (surface, seen) in seen_everywhere(&app, &tokens, who, &concept_id, &list_id).await {
            let expected = !matches!(surface, "resource list status=draft" | "search facets");
            assert_eq!(seen, expected, "{who:?} on {surface} once published");
        }
    }
    let resource = json(
        &app,
        &tokens,
        Who::Anonymous,
        &format!("/api/v1/resources/{concept_id}"),
    )
    .await;
    assert_eq!(resource["status"], "valid");
    let changes = app.get_json("/api/v1/changes?since=0&limit=1000").await;
    assert!(changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["iri"] == CONCEPT && c["op"] == "published"));
    assert_eq!(
        status(
            &app,
            &tokens,
            Who::Anonymous,
            &format!("/concepts/{concept_id}")
        )
        .await,
        200
    );
    assert_eq!(
        status(
            &app,
            &tokens,
            Who::Anonymous,
            &format!("/api/v1/concepts/{concept_id}/field")
        )
        .await,
        200,
        "a published concept as a field"
    );
    let page = app.text("/search?q=Hemmeligutkast").await;
    assert!(
        page.contains(&concept_id),
        "the search page shows it once published"
    );
}

async fn a_draft_push_stays_draft_and_a_valid_push_publishes_it(backend: Backend) {
    let Some(app) = spawn_app(backend, "drafts_push").await else {
        return;
    };
    let tokens = Tokens {
        owner: app.token(OWNER).await,
        other: app.token(OTHER).await,
    };
    let push = |query: &'static str| {
        let app = &app;
        let token = tokens.owner.clone();
        async move {
            let response = app
                .client
                .put(app.url(&format!(
                    "/api/v1/publishers/{OWNER}/catalog?format=turtle{query}"
                )))
                .bearer_auth(token)
                .body(concept_ttl())
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let pushed = push("&status=draft").await;
    assert_eq!(pushed["resources"][0]["outcome"], "created");
    let listed = |who| {
        let app = &app;
        let tokens = &tokens;
        async move {
            json(
                app,
                tokens,
                who,
                &format!("/api/v1/resources?publisher={OWNER}"),
            )
            .await["total"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(listed(Who::Owner).await, 1);
    assert_eq!(listed(Who::Anonymous).await, 0);
    assert_eq!(listed(Who::Other).await, 0);
    // A whole-catalog push that leaves the draft out does not retire it.
    let response = app
        .client
        .put(app.url(&format!("/api/v1/publishers/{OWNER}/catalog?format=turtle")))
        .bearer_auth(&tokens.owner)
        .body(candidate_ttl())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let owned = json(&app, &tokens, Who::Owner, "/api/v1/resources?status=draft").await;
    assert_eq!(owned["total"], 1);
    let published = push("").await;
    assert_eq!(published["resources"][0]["outcome"], "published");
    assert_eq!(listed(Who::Anonymous).await, 2);
    // A published resource cannot become a draft again: 409, nothing changes.
    let response = app
        .client
        .post(app.url(&format!(
            "/api/v1/publishers/{OWNER}/catalog?format=turtle&status=draft"
        )))
        .bearer_auth(&tokens.owner)
        .body(concept_ttl())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains(CONCEPT),
        "{problem}"
    );
    assert_eq!(listed(Who::Anonymous).await, 2);
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both!(
    a_draft_is_seen_only_by_its_publisher_until_published,
    a_draft_push_stays_draft_and_a_valid_push_publishes_it,
);
