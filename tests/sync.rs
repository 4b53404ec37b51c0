//! Catalog sync end to end: a local HTTP server plays a publisher whose catalog changes
//! between harvest runs (and then fails in every way a source fails), ten sources with one
//! hanging, whole-catalog pushes with a dry run and concurrent If-Match, a Klass source, and
//! one instance's catalog harvested by another. On SQLite and PostgreSQL.

mod common;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::{spawn_app_with, Backend, TestApp};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PUBLISHER: &str = "974760673";
const OTHER: &str = "991825827";

/// How the publisher's server answers a path.
#[derive(Clone)]
enum Answer {
    /// The body, with an ETag; 304 on a matching If-None-Match.
    Body(String),
    /// The body, and no conditional GET.
    Unconditional(String),
    Status(u16),
    Hang,
    RedirectTo(String),
    /// The body gzip-compressed, sent with `Content-Encoding: gzip`.
    Gzip(String),
}

#[derive(Clone, Default)]
struct Publisher {
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Publisher {
    fn set(&self, path: &str, answer: Answer) {
        self.answers.lock().unwrap().insert(path.to_owned(), answer);
    }
}

async fn answer(
    State(publisher): State<Publisher>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    publisher.requests.lock().unwrap().push(path.clone());
    let found = publisher.answers.lock().unwrap().get(&path).cloned();
    match found {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap().into_response(),
        Some(Answer::Hang) => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            StatusCode::OK.into_response()
        }
        Some(Answer::RedirectTo(url)) => {
            (StatusCode::FOUND, [(header::LOCATION, url)]).into_response()
        }
        Some(Answer::Gzip(body)) => {
            use std::io::Write;
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(body.as_bytes()).unwrap();
            let compressed = encoder.finish().unwrap();
            (
                [
                    (header::CONTENT_TYPE, "text/turtle"),
                    (header::CONTENT_ENCODING, "gzip"),
                ],
                compressed,
            )
                .into_response()
        }
        Some(Answer::Unconditional(body)) => {
            ([(header::CONTENT_TYPE, content_type(&path))], body).into_response()
        }
        Some(Answer::Body(body)) => {
            let etag = format!("\"{:x}\"", md5_like(&body));
            let matches = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == etag);
            if matches {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            (
                [
                    (header::CONTENT_TYPE, content_type(&path).to_owned()),
                    (header::ETAG, etag),
                ],
                body,
            )
                .into_response()
        }
    }
}

fn content_type(path: &str) -> &'static str {
    if path.ends_with(".json") || path.contains("klass") {
        "application/json"
    } else {
        "text/turtle"
    }
}

/// A content fingerprint for the test server's ETags.
fn md5_like(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Starts the publisher's server on a loopback port; answers `/{path}` (any depth).
async fn publisher_server() -> (Publisher, String, common::AbortOnDrop) {
    let publisher = Publisher::default();
    let router = Router::new()
        .route("/{*path}", get(answer))
        .with_state(publisher.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (publisher, base, common::AbortOnDrop(Some(task)))
}

const PREFIXES: &str = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n@prefix ex: <https://begrep.example.no/> .\n";

/// A SKOS-AP-NO catalog: one collection with the given concepts (id, label).
fn concepts(collection: &str, items: &[(&str, &str)]) -> String {
    let mut ttl = PREFIXES.to_owned();
    ttl.push_str(&format!(
        "ex:{collection} a skos:Collection ; skos:prefLabel \"Samling {collection}\"@nb"
    ));
    for (id, _) in items {
        ttl.push_str(&format!(" ; skos:member ex:{id}"));
    }
    ttl.push_str(" .\n");
    for (id, label) in items {
        ttl.push_str(&format!(
            "ex:{id} a skos:Concept ; skos:prefLabel \"{label}\"@nb ; skos:definition \"Definisjon av {label}\"@nb .\n"
        ));
    }
    ttl
}

fn iri(id: &str) -> String {
    format!("https://begrep.example.no/{id}")
}

async fn sync_app(backend: Backend, test: &str, timeout: Duration) -> Option<TestApp> {
    spawn_app_with(backend, test, |config| {
        config.fetch.allow = semreg::fetch::AllowList::parse("127.0.0.1").unwrap();
        config.fetch.total_timeout = timeout;
        config.fetch.read_timeout = timeout;
        config.fetch.max_bytes = 256 * 1024;
    })
    .await
}

async fn admin_token(app: &TestApp) -> String {
    semreg::auth::tokens::create_admin_token(&app.app.db)
        .await
        .unwrap()
}

async fn add_source(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/sources"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn source(app: &TestApp, token: &str, url: &str, kind: &str) -> String {
    let response = add_source(
        app,
        token,
        json!({"url": url, "dataType": "concept", "dataSourceType": kind, "publisherId": PUBLISHER}),
    )
    .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn start(app: &TestApp, token: &str, id: &str, query: &str) -> String {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/sources/{id}/runs?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 202, "{body}");
    body["runId"].as_str().unwrap().to_owned()
}

async fn report(app: &TestApp, token: &str, id: &str, run: &str) -> Value {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/sources/{id}/runs/{run}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn wait(app: &TestApp, token: &str, id: &str, run: &str, limit: Duration) -> Value {
    let started = Instant::now();
    loop {
        let found = report(app, token, id, run).await;
        if found["status"] != "running" {
            return found;
        }
        assert!(
            started.elapsed() < limit,
            "run {run} still running after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn run(app: &TestApp, token: &str, id: &str, query: &str) -> Value {
    let run = start(app, token, id, query).await;
    wait(app, token, id, &run, Duration::from_secs(60)).await
}

fn ids(report: &Value, list: &str) -> Vec<String> {
    let mut found: Vec<String> = report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["iri"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    found
}

async fn resource(app: &TestApp, iri: &str) -> Value {
    let list = app
        .get_json(&format!("/api/v1/resources?iri={}", urlencode(iri)))
        .await;
    assert_eq!(list["total"], 1, "{iri}: {list}");
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    app.get_json(&format!("/api/v1/resources/{id}")).await
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn search_total(app: &TestApp, query: &str) -> u64 {
    app.get_json(&format!("/api/v1/search?{query}")).await["total"]
        .as_u64()
        .unwrap()
}

/// Waits (a run's projections follow its commit) until a search has `expected` hits.
async fn search_settles(app: &TestApp, query: &str, expected: u64) {
    let started = Instant::now();
    loop {
        let total = search_total(app, query).await;
        if total == expected {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "search {query} has {total} hits, not {expected}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn harvest_follows_a_publisher_through_changes_failures_and_conflicts(backend: Backend) {
    let Some(app) = sync_app(
        backend,
        "harvest_follows_a_publisher",
        Duration::from_secs(2),
    )
    .await
    else {
        return;
    };
    let (publisher, base, _server) = publisher_server().await;
    let admin = admin_token(&app).await;
    let url = format!("{base}/catalog.ttl");
    publisher.set(
        "catalog.ttl",
        Answer::Body(concepts(
            "s",
            &[("c1", "Bolig"), ("c2", "Eiendom"), ("c3", "Tomt")],
        )),
    );
    let id = source(&app, &admin, &url, "SKOS-AP-NO").await;
    // (url, dataType) is unique.
    let again = add_source(
        &app,
        &admin,
        json!({"url": url, "dataType": "concept", "dataSourceType": "SKOS-AP-NO", "publisherId": PUBLISHER}),
    )
    .await;
    assert_eq!(again.status(), 409);

    // First run: everything is new.
    let first = run(&app, &admin, &id, "").await;
    assert_eq!(first["status"], "done", "{first}");
    assert_eq!(first["created"], 4, "{first}");
    let c2_first = resource(&app, &iri("c2")).await;

    // Unchanged at the source: a conditional GET answered 304, nothing parsed.
    let unchanged = run(&app, &admin, &id, "").await;
    assert_eq!(unchanged["status"], "unchanged", "{unchanged}");
    assert_eq!(unchanged["created"], 0);

    // c1 changed, c2 removed, c4 added.
    publisher.set(
        "catalog.ttl",
        Answer::Body(concepts(
            "s",
            &[("c1", "Boligen"), ("c3", "Tomt"), ("c4", "Hytte")],
        )),
    );
    let second = run(&app, &admin, &id, "").await;
    assert_eq!(second["status"], "done", "{second}");
    assert_eq!(
        ids(&second, "changedResources"),
        vec![iri("c1"), iri("c4"), iri("s")],
        "{second}"
    );
    assert_eq!(ids(&second, "removedResources"), vec![iri("c2")]);
    assert_eq!(second["retired"], 1);
    assert_eq!(second["unchanged"], 1);
    // Retired: kept and resolvable, marked, left out of search unless asked for.
    let c2 = resource(&app, &iri("c2")).await;
    assert_eq!(c2["status"], "retired");
    search_settles(&app, "q=Eiendom", 0).await;
    search_settles(&app, "q=Eiendom&status=retired", 1).await;
    let graph = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
        iri("c2")
    );
    // The RDF store keeps a retired resource's graph (re-applied with the retirement: allow
    // the projection a moment).
    let started = Instant::now();
    while app.sparql_count(&graph).await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the retired graph is gone"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    search_settles(&app, "q=Hytte", 1).await;

    // c2 comes back unchanged: same id, original issued, active again.
    publisher.set(
        "catalog.ttl",
        Answer::Body(concepts(
            "s",
            &[
                ("c1", "Boligen"),
                ("c2", "Eiendom"),
                ("c3", "Tomt"),
                ("c4", "Hytte"),
            ],
        )),
    );
    let third = run(&app, &admin, &id, "").await;
    assert_eq!(third["reactivated"], 1, "{third}");
    assert!(ids(&third, "changedResources").contains(&iri("c2")));
    let c2 = resource(&app, &iri("c2")).await;
    assert_eq!(c2["status"], "valid");
    assert_eq!(c2["id"], c2_first["id"]);
    assert_eq!(c2["createdAt"], c2_first["createdAt"]);
    assert_eq!(
        c2["version"], c2_first["version"],
        "same content: no new version"
    );
    search_settles(&app, "q=Eiendom", 1).await;

    // Another source of another publisher delivers c1: skipped and reported as a conflict.
    publisher.set(
        "other.ttl",
        Answer::Body(concepts("o", &[("c1", "Kapret"), ("x1", "Eget")])),
    );
    let other = add_source(
        &app,
        &admin,
        json!({"url": format!("{base}/other.ttl"), "dataType": "concept", "dataSourceType": "SKOS-AP-NO", "publisherId": OTHER}),
    )
    .await;
    assert_eq!(other.status(), 201);
    let other_id = other.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c1_before = resource(&app, &iri("c1")).await;
    let conflict = run(&app, &admin, &other_id, "").await;
    assert_eq!(conflict["errorCategory"], "SOURCE_CONFLICT", "{conflict}");
    assert_eq!(conflict["conflicts"], 1);
    assert_eq!(conflict["conflictingResources"][0]["iri"], iri("c1"));
    assert_eq!(conflict["created"], 2, "the rest is applied: {conflict}");
    let c1_after = resource(&app, &iri("c1")).await;
    assert_eq!(c1_after["contentHash"], c1_before["contentHash"]);
    assert_eq!(c1_after["publisher"], PUBLISHER);

    // Failures: each writes nothing and damages nothing harvested before.
    let total = app.resource_total("").await;
    let failing: Vec<(Answer, &str, &str)> = vec![
        (Answer::Status(500), "SOURCE_UNAVAILABLE", "500"),
        (Answer::Status(404), "SOURCE_NOT_FOUND", "404"),
        (Answer::Hang, "SOURCE_UNAVAILABLE", "did not answer"),
        (
            Answer::Unconditional("x".repeat(300 * 1024)),
            "SOURCE_UNAVAILABLE",
            "size cap",
        ),
        (
            Answer::Unconditional(format!(
                "{PREFIXES}ex:c1 a skos:Concept ;\n skos:prefLabel \"x\"@nb ;;; <broken"
            )),
            "SOURCE_DATA_INVALID",
            "line",
        ),
        (
            Answer::RedirectTo(format!(
                "{}/catalog.ttl",
                base.replace("127.0.0.1", "127.0.0.2")
            )),
            "SOURCE_UNAVAILABLE",
            "127.0.0.2",
        ),
    ];
    for (answer, category, says) in failing {
        publisher.set("catalog.ttl", answer);
        let failed = run(&app, &admin, &id, "forced=true").await;
        assert_eq!(failed["status"], "error", "{failed}");
        assert_eq!(failed["errorCategory"], category, "{failed}");
        let message = failed["errorMessage"].as_str().unwrap();
        assert!(message.contains(says), "{message:?} should say {says:?}");
        assert_eq!(app.resource_total("").await, total);
        let c1 = resource(&app, &iri("c1")).await;
        assert_eq!(c1["contentHash"], c1_after["contentHash"]);
        assert_eq!(c1["status"], "valid");
    }
    // The runs list: newest first, in the list shape.
    let runs = app
        .client
        .get(app.url(&format!("/api/v1/sources/{id}/runs?limit=2")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(runs["total"], 10, "{runs}");
    assert_eq!(runs["items"].as_array().unwrap().len(), 2);
    assert_eq!(runs["items"][0]["errorCategory"], "SOURCE_UNAVAILABLE");

    // removeAll retires everything of the source, and only of that source.
    let removed = run(&app, &admin, &id, "removeAll=true").await;
    assert_eq!(removed["retired"], 5, "{removed}");
    assert_eq!(resource(&app, &iri("x1")).await["status"], "valid");
}
both!(harvest_follows_a_publisher_through_changes_failures_and_conflicts);

async fn sources_are_for_admins_and_their_own_publisher(backend: Backend) {
    let Some(app) = sync_app(backend, "sources_auth", Duration::from_secs(2)).await else {
        return;
    };
    let publisher_token = app.token(PUBLISHER).await;
    let body = json!({"url": "http://127.0.0.1:9/x.ttl", "dataType": "concept", "dataSourceType": "SKOS-AP-NO", "publisherId": OTHER, "authHeader": {"name": "X-Api-Key", "value": "supersecretvalue"}});
    let refused = add_source(&app, &publisher_token, body.clone()).await;
    assert_eq!(refused.status(), 403);
    let none = app
        .client
        .post(app.url("/api/v1/sources"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let mut own = body.clone();
    own["publisherId"] = json!(PUBLISHER);
    let created = add_source(&app, &publisher_token, own).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created["authHeader"]["value"], "supe…",
        "the secret is not echoed"
    );
    assert_eq!(created["interval"], 3600);
    let bad = add_source(
        &app,
        &publisher_token,
        json!({"url": "http://127.0.0.1:9/y.ttl", "dataType": "dataset", "dataSourceType": "SKOS-AP-NO"}),
    )
    .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("dataType"));
    // An admin token does not import resources.
    let admin = admin_token(&app).await;
    let import = app
        .import(
            Some(&admin),
            "format=turtle",
            concepts("s", &[("c1", "A")]).into(),
        )
        .await;
    assert_eq!(import.status(), 403);
    let listed = app
        .client
        .get(app.url("/api/v1/sources"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);
    assert!(!listed.to_string().contains("supersecretvalue"));
}
both!(sources_are_for_admins_and_their_own_publisher);

async fn ten_sources_one_hanging_the_other_nine_finish(backend: Backend) {
    let Some(app) = sync_app(backend, "ten_sources", Duration::from_secs(20)).await else {
        return;
    };
    let (publisher, base, _server) = publisher_server().await;
    let admin = admin_token(&app).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let path = format!("c{i}.ttl");
        if i == 3 {
            publisher.set(&path, Answer::Hang);
        } else {
            publisher.set(
                &path,
                Answer::Body(concepts(&format!("s{i}"), &[(&format!("k{i}"), "Begrep")])),
            );
        }
        ids.push(source(&app, &admin, &format!("{base}/{path}"), "SKOS-AP-NO").await);
    }
    let started = Instant::now();
    let mut runs = Vec::new();
    for id in &ids {
        runs.push(start(&app, &admin, id, "").await);
    }
    // A second run of a running source is refused.
    let busy = app
        .client
        .post(app.url(&format!("/api/v1/sources/{}/runs", ids[3])))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(busy.status(), 409);
    for (i, (id, run)) in ids.iter().zip(&runs).enumerate() {
        if i == 3 {
            continue;
        }
        let done = wait(&app, &admin, id, run, Duration::from_secs(15)).await;
        assert_eq!(done["status"], "done", "{done}");
    }
    let nine = started.elapsed();
    let hanging = report(&app, &admin, &ids[3], &runs[3]).await;
    assert_eq!(
        hanging["status"], "running",
        "the hanging source is still waiting"
    );
    assert!(nine < Duration::from_secs(15), "nine sources took {nine:?}");
    let failed = wait(&app, &admin, &ids[3], &runs[3], Duration::from_secs(40)).await;
    assert_eq!(failed["errorCategory"], "SOURCE_UNAVAILABLE");
}
both!(ten_sources_one_hanging_the_other_nine_finish);

async fn push(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    query: &str,
    body: String,
    if_match: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(
            method,
            app.url(&format!("/api/v1/publishers/{PUBLISHER}/catalog?{query}")),
        )
        .bearer_auth(token)
        .header("content-type", "text/turtle")
        .body(body);
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    request.send().await.unwrap()
}

fn outcomes(report: &Value) -> Vec<(String, String, Value)> {
    let mut found: Vec<(String, String, Value)> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["iri"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
                r.get("changed_predicates").cloned().unwrap_or(json!([])),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

async fn a_dry_run_push_reports_exactly_what_the_push_then_does(backend: Backend) {
    let Some(app) = sync_app(backend, "push_dry_run", Duration::from_secs(2)).await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let first = push(
        &app,
        &token,
        reqwest::Method::PUT,
        "",
        concepts("s", &[("c1", "Bolig"), ("c2", "Eiendom"), ("c3", "Tomt")]),
        None,
    )
    .await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    // Something imported by hand is part of the publisher's catalog too.
    let extra = format!("{PREFIXES}ex:z a skos:Concept ; skos:prefLabel \"Importert\"@nb .");
    assert_eq!(
        app.import(Some(&token), "format=turtle", extra.into())
            .await
            .status(),
        200
    );

    let next = concepts("s", &[("c1", "Boligen"), ("c3", "Tomt"), ("c4", "Hytte")]);
    let dry = push(
        &app,
        &token,
        reqwest::Method::PUT,
        "dryRun=true",
        next.clone(),
        None,
    )
    .await;
    assert_eq!(dry.status(), 200);
    let dry: Value = dry.json().await.unwrap();
    assert_eq!(dry["dry_run"], true);
    assert!(dry["run_id"].is_null());
    assert_eq!(
        resource(&app, &iri("c2")).await["status"],
        "valid",
        "a dry run writes nothing"
    );

    // The ETag moved with the import: the old one is refused.
    let stale = push(
        &app,
        &token,
        reqwest::Method::PUT,
        "",
        next.clone(),
        Some(&etag),
    )
    .await;
    assert_eq!(stale.status(), 412);
    let real = push(&app, &token, reqwest::Method::PUT, "", next, None).await;
    assert_eq!(real.status(), 200);
    let real: Value = real.json().await.unwrap();
    assert_eq!(outcomes(&dry), outcomes(&real), "dry {dry}\nreal {real}");
    let by_iri: HashMap<String, (String, Value)> = outcomes(&real)
        .into_iter()
        .map(|(i, o, p)| (i, (o, p)))
        .collect();
    assert_eq!(by_iri[&iri("c2")].0, "retired");
    assert_eq!(by_iri[&iri("z")].0, "retired");
    assert_eq!(by_iri[&iri("c4")].0, "created");
    assert_eq!(by_iri[&iri("c3")].0, "unchanged");
    assert_eq!(by_iri[&iri("c1")].0, "updated");
    assert!(by_iri[&iri("c1")]
        .1
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "http://www.w3.org/2004/02/skos/core#prefLabel"));

    // POST merges: creates and updates, retires nothing.
    let merged = push(
        &app,
        &token,
        reqwest::Method::POST,
        "",
        concepts("t", &[("c9", "Ny")]),
        None,
    )
    .await;
    let merged: Value = merged.json().await.unwrap();
    assert_eq!(merged["retired"], 0, "{merged}");
    assert_eq!(resource(&app, &iri("c4")).await["status"], "valid");

    // Two concurrent pushes conditional on the same ETag: exactly one wins.
    let current = app
        .client
        .get(app.url(&format!("/api/v1/publishers/{PUBLISHER}/catalog")))
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), 200);
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let (a, b) = tokio::join!(
        push(
            &app,
            &token,
            reqwest::Method::PUT,
            "",
            concepts("s", &[("c1", "A")]),
            Some(&etag)
        ),
        push(
            &app,
            &token,
            reqwest::Method::PUT,
            "",
            concepts("s", &[("c1", "B")]),
            Some(&etag)
        ),
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 412]);

    // A push touching another publisher's resource is refused whole.
    let other = app.token(OTHER).await;
    let foreign = app
        .client
        .put(app.url(&format!("/api/v1/publishers/{OTHER}/catalog")))
        .bearer_auth(&other)
        .header("content-type", "text/turtle")
        .body(concepts("s", &[("q1", "Q")]))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let wrong = push(
        &app,
        &other,
        reqwest::Method::PUT,
        "",
        concepts("w", &[]),
        None,
    )
    .await;
    assert_eq!(
        wrong.status(),
        403,
        "a token writes only its own publisher's catalog"
    );
}
both!(a_dry_run_push_reports_exactly_what_the_push_then_does);

async fn a_klass_source_fetches_through_the_klass_api(backend: Backend) {
    let Some(app) = sync_app(backend, "klass_source", Duration::from_secs(5)).await else {
        return;
    };
    let (publisher, base, _server) = publisher_server().await;
    let admin = admin_token(&app).await;
    let codes = std::fs::read_to_string(common::shared_data(
        "codelists/ssb-klass-104-fylker-codesAt-2024.json",
    ))
    .unwrap();
    publisher.set(
        "klass/v1/classifications/104",
        Answer::Unconditional(
            json!({"id": 104, "name": "Standard for fylkesinndeling", "versions": [{"validFrom": "2024-01-01"}, {"validFrom": "1842-01-01"}]}).to_string(),
        ),
    );
    publisher.set("klass/v1/classifications/104/codes", Answer::Body(codes));
    let response = add_source(
        &app,
        &admin,
        json!({"url": format!("{base}/klass/v1/classifications/104"), "dataType": "codelist", "dataSourceType": "Klass", "publisherId": PUBLISHER}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = run(&app, &admin, &id, "").await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["created"], 1);
    let started = Instant::now();
    let list = loop {
        let response = app
            .client
            .get(app.url("/api/v1/code-lists/ssb-klass-104/codes"))
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            break response.json::<Value>().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the list never appeared"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert!(list["codes"].as_array().unwrap().len() > 5, "{list}");
    assert!(publisher
        .requests
        .lock()
        .unwrap()
        .contains(&"klass/v1/classifications/104/codes".to_owned()));

    // Retired, the list is still served to running services, marked as retired.
    let removed = run(&app, &admin, &id, "removeAll=true").await;
    assert_eq!(removed["retired"], 1, "{removed}");
    let started = Instant::now();
    loop {
        let response = app
            .client
            .get(app.url("/api/v1/code-lists/ssb-klass-104/codes"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        if let Some(mark) = response.headers().get("deprecation") {
            assert!(mark.to_str().unwrap().starts_with('@'));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never marked retired"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // The fast lane (a fresh connection's first request, answered from the memo before hyper)
    // marks it exactly as the router does, on 200 and on 304.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for path in [
        "/api/v1/code-lists/ssb-klass-104/codes",
        "/api/v1/code-lists/ssb-klass-104/altinn-options",
    ] {
        let router = app.client.get(app.url(path)).send().await.unwrap();
        let memo = app.client.get(app.url(path)).send().await.unwrap();
        let fast = fresh.get(app.url(path)).send().await.unwrap();
        assert_eq!(fast.status(), 200, "{path}");
        let mark = router.headers().get("deprecation").cloned();
        assert!(mark.is_some(), "{path}: the router marks the retired list");
        for name in ["deprecation", "etag", "content-length", "content-type"] {
            assert_eq!(
                router.headers().get(name),
                fast.headers().get(name),
                "{path}: {name} from the fast lane"
            );
            assert_eq!(
                router.headers().get(name),
                memo.headers().get(name),
                "{path}: {name} from the memo"
            );
        }
        let etag = fast.headers()["etag"].clone();
        assert_eq!(
            router.bytes().await.unwrap(),
            fast.bytes().await.unwrap(),
            "{path}"
        );
        let not_modified = fresh
            .get(app.url(path))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(not_modified.status(), 304, "{path}");
        assert_eq!(not_modified.headers().get("deprecation"), mark.as_ref());
    }
}
both!(a_klass_source_fetches_through_the_klass_api);

async fn another_instance_harvesting_our_catalog_gets_the_same_ids_and_hashes(backend: Backend) {
    let Some(a) = sync_app(backend, "round_trip_a", Duration::from_secs(10)).await else {
        return;
    };
    let Some(b) = sync_app(backend, "round_trip_b", Duration::from_secs(10)).await else {
        return;
    };
    let token = a.token(PUBLISHER).await;
    for file in [
        "fdk/concepts_v2_concept-catalog_all_collections.ttl",
        "fdk/im_skatteetaten_SKDModellkatalog.ttl",
    ] {
        let bytes = std::fs::read(common::shared_data(file)).unwrap();
        let response = a.import(Some(&token), "format=turtle", bytes).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    let admin = admin_token(&b).await;
    let response = add_source(
        &b,
        &admin,
        json!({"url": a.url("/api/v1/catalog"), "dataType": "informationmodel", "dataSourceType": "DCAT-AP-NO", "publisherId": PUBLISHER}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = run(&b, &admin, &id, "").await;
    assert_eq!(done["status"], "done", "{done}");
    let on_a = a.get_json("/api/v1/resources?limit=1000").await;
    let on_b = b.get_json("/api/v1/resources?limit=1000").await;
    assert_eq!(on_a["total"], on_b["total"], "a {on_a}\nb {on_b}");
    for item in on_a["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let there = a.get_json(&format!("/api/v1/resources/{id}")).await;
        let here = b.get_json(&format!("/api/v1/resources/{id}")).await;
        assert_eq!(here["iri"], there["iri"]);
        assert_eq!(
            here["contentHash"], there["contentHash"],
            "{}",
            there["iri"]
        );
    }
    // Harvested again with nothing changed: a conditional GET, 304.
    let again = run(&b, &admin, &id, "").await;
    assert_eq!(again["status"], "unchanged", "{again}");
}
both!(another_instance_harvesting_our_catalog_gets_the_same_ids_and_hashes);

async fn a_compressed_catalog_is_decoded_under_the_size_cap(backend: Backend) {
    let Some(app) = sync_app(backend, "gzip_source", Duration::from_secs(5)).await else {
        return;
    };
    let (publisher, base, _server) = publisher_server().await;
    let admin = admin_token(&app).await;
    publisher.set(
        "catalog.ttl",
        Answer::Gzip(concepts("s", &[("g1", "Komprimert")])),
    );
    let id = source(&app, &admin, &format!("{base}/catalog.ttl"), "SKOS-AP-NO").await;
    let done = run(&app, &admin, &id, "").await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["created"], 2);
    // Small on the wire, past the cap once decoded: refused, nothing written.
    let mut bomb = concepts("s", &[("g1", "Komprimert")]);
    bomb.push_str(&format!("# {}\n", " ".repeat(400 * 1024)));
    publisher.set("catalog.ttl", Answer::Gzip(bomb));
    let refused = run(&app, &admin, &id, "forced=true").await;
    assert_eq!(refused["status"], "error", "{refused}");
    assert!(refused["errorMessage"]
        .as_str()
        .unwrap()
        .contains("size cap"));
    assert_eq!(app.resource_total("").await, 2);
}
both!(a_compressed_catalog_is_decoded_under_the_size_cap);
