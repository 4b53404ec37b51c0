//! Per-client rate limits against the real server: writes, search and SPARQL each answer 429
//! with `Retry-After` and a problem JSON once a client's quota is spent — counted per token
//! (from whichever address) and per address (whichever token) — a limited write writes nothing,
//! and code-list reads are never limited.

mod common;

use common::{spawn_app_with, Backend, TestApp};
use serde_json::Value;

const A: &str = "974760673";
const B: &str = "991825827";

fn concept(name: &str) -> Vec<u8> {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://begrep.example.no/limits/{name}> a skos:Concept ; skos:prefLabel \"{name}\"@nb .\n"
    )
    .into_bytes()
}

const CODE_LIST: &str = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
<https://example.org/limits/farger> a skos:ConceptScheme ; skos:prefLabel \"Farger\"@nb .\n\
<https://example.org/limits/farger/red> a skos:Concept ; skos:inScheme <https://example.org/limits/farger> ;\n\
  skos:notation \"red\" ; skos:prefLabel \"Rød\"@nb .\n";

/// A client whose requests come from `ip` (any 127/8 address reaches the loopback listener).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn import(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/import?format=turtle"))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn assert_limited(response: reqwest::Response, by: &str) {
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "Retry-After {retry}");
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("from this {by}")), "{detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_over_their_quota_get_429_and_code_list_reads_are_never_limited() {
    let app = spawn_app_with(Backend::Sqlite, "limits", |config| {
        config.rate_limits.writes_per_minute = 4;
        config.rate_limits.search_per_minute = 5;
        config.rate_limits.sparql_per_minute = 2;
    })
    .await
    .unwrap();
    let a = app.token(A).await;
    let b = app.token(B).await;
    let here = client_from("127.0.0.1");
    let there = client_from("127.0.0.2");

    // Token A from 127.0.0.1: a code list and three concepts, then its quota is spent.
    let report: Value = import(&app, &here, &a, CODE_LIST.as_bytes().to_vec())
        .await
        .json()
        .await
        .unwrap();
    let list = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "code-list")
        .expect("a code list")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..3 {
        assert_eq!(
            import(&app, &here, &a, concept(&format!("a{i}")))
                .await
                .status(),
            200
        );
    }
    assert_limited(import(&app, &here, &a, concept("a-over")).await, "token").await;
    // The token's quota follows it to another address...
    assert_limited(import(&app, &there, &a, concept("a-there")).await, "token").await;
    // ...another token from another address is not affected...
    assert_eq!(import(&app, &there, &b, concept("b0")).await.status(), 200);
    // ...but the first address has spent its quota whatever the token.
    assert_limited(import(&app, &here, &b, concept("b-here")).await, "address").await;
    // Nothing limited was written.
    for name in ["a-over", "a-there", "b-here"] {
        let iri = format!("iri=https://begrep.example.no/limits/{name}");
        assert_eq!(app.resource_total(&iri).await, 0, "{name}");
    }
    assert_eq!(
        app.resource_total("iri=https://begrep.example.no/limits/b0")
            .await,
        1
    );

    // Code lists (and other reads) are never limited.
    for _ in 0..200 {
        let codes = here
            .get(app.url(&format!("/api/v1/code-lists/{list}/codes")))
            .send()
            .await
            .unwrap();
        assert_eq!(codes.status(), 200);
    }
    for _ in 0..20 {
        let resources = here.get(app.url("/api/v1/resources")).send().await.unwrap();
        assert_eq!(resources.status(), 200);
    }

    // Search and SPARQL have quotas of their own.
    for _ in 0..5 {
        let hit = here
            .get(app.url("/api/v1/search?q=farger"))
            .send()
            .await
            .unwrap();
        assert_eq!(hit.status(), 200);
    }
    assert_limited(
        here.get(app.url("/api/v1/search?q=farger"))
            .send()
            .await
            .unwrap(),
        "address",
    )
    .await;
    // The search page shares the quota, and its 429 is an HTML page like its other errors.
    let page = here.get(app.url("/search?q=farger")).send().await.unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    let media = page.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(media.starts_with("text/html"), "{media}");
    let query = [("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")];
    for _ in 0..2 {
        let answer = there
            .get(app.url("/sparql"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    assert_limited(
        there
            .get(app.url("/sparql"))
            .query(&query)
            .send()
            .await
            .unwrap(),
        "address",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_time_limit_gets_503_and_its_write_is_all_or_nothing() {
    let app = spawn_app_with(Backend::Sqlite, "request_timeout", |config| {
        config.request_timeout = std::time::Duration::from_millis(100);
    })
    .await
    .unwrap();
    let token = app.token(A).await;
    // A thousand concepts take far longer than 100 ms to read and write.
    let catalog = std::fs::read(common::shared_data("fdk/concepts_v2_testdata_1000.ttl")).unwrap();
    let response = app.import(Some(&token), "format=turtle", catalog).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("100 ms"),
        "{problem}"
    );
    // Quick requests are not affected, and the cut-off import is there whole or not at all.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let concepts = app.resource_total("kind=concept").await;
    assert!(
        concepts == 0 || concepts == 1000,
        "{concepts} concepts: half an import"
    );
}
