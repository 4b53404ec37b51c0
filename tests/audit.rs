//! The audit trail end to end, on SQLite and PostgreSQL: every write path (HTTP and CLI import,
//! catalog push with its retirements and reactivations, harvest sources and runs, mappings,
//! service models, token create/revoke over the API and the CLI) leaves exactly one row naming
//! who (publisher, role, token id), what (action, resources and versions) and where (client
//! address, request id); a refused or failed write leaves none; the table refuses UPDATE and
//! DELETE in the database itself; `GET /api/v1/audit` filters, pages newest first and is for
//! admins only. A delegated Maskinporten token's supplier, `jti` and `client_id` are recorded
//! (the JWKS served by a local server, the token signed with a key made for the test).

mod common;

use common::{spawn_app_with, Backend, TestApp};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

const OWNER: &str = "974760673";
const OTHER: &str = "991825827";

fn concept_ttl(name: &str, label: &str) -> Vec<u8> {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://begrep.example.no/audit/{name}> a skos:Concept ; skos:prefLabel \"{label}\"@nb .\n"
    )
    .into_bytes()
}

fn iri(name: &str) -> String {
    format!("https://begrep.example.no/audit/{name}")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/compose")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn app(backend: Backend, test: &str) -> Option<TestApp> {
    spawn_app_with(backend, test, |config| {
        config.fetch.allow = semreg::fetch::AllowList::parse("127.0.0.1").unwrap();
        config.harvest_scheduler = false;
    })
    .await
}

/// A token of a publisher, with its id.
async fn publisher_token(app: &TestApp, org: &str) -> (String, String) {
    let created =
        semreg::auth::tokens::create(&app.app.db, Some(&semreg::ids::OrgNr::parse(org).unwrap()))
            .await
            .unwrap();
    (created.token, created.view.id)
}

async fn admin_token(app: &TestApp) -> String {
    semreg::auth::tokens::create_admin_token(&app.app.db)
        .await
        .unwrap()
}

/// `GET /api/v1/audit?{query}` as an admin.
async fn audit(app: &TestApp, admin: &str, query: &str) -> Value {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/audit?{query}")))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "audit?{query}: {body}");
    body
}

/// The one row matching `query`, asserting there is exactly one.
async fn only(app: &TestApp, admin: &str, query: &str) -> Value {
    let found = audit(app, admin, query).await;
    assert_eq!(found["total"], 1, "audit?{query}: {found}");
    found["items"][0].clone()
}

async fn rows(app: &TestApp) -> i64 {
    let row = app
        .app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Sends a write with a token and an `X-Request-Id`.
async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
    request_id: &str,
) -> (u16, Value) {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .header("x-request-id", request_id)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn ops(entry: &Value) -> Vec<(String, String, i64)> {
    entry["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["iri"].as_str().unwrap().to_owned(),
                r["op"].as_str().unwrap().to_owned(),
                r["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Runs the `semreg` binary on the test's store.
fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_semreg"))
        .args(args)
        .arg("--data-dir")
        .arg(app.dir.path().join("cli"))
        .arg("--database-url")
        .arg(&app.database_url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "semreg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

async fn every_write_path_leaves_exactly_one_row_naming_who_what_and_where(backend: Backend) {
    let Some(app) = app(backend, "audit_write_paths").await else {
        return;
    };
    let (owner, owner_id) = publisher_token(&app, OWNER).await;
    let (other, _) = publisher_token(&app, OTHER).await;
    let admin = admin_token(&app).await;
    assert_eq!(
        rows(&app).await,
        0,
        "creating test tokens directly is not audited"
    );

    // HTTP import.
    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/import?format=turtle",
        &owner,
        "text/turtle",
        concept_ttl("a", "A"),
        "req-import-1",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let entry = only(&app, &admin, &format!("resource={}", iri("a"))).await;
    assert_eq!(entry["action"], "import");
    assert_eq!(entry["publisher"], OWNER);
    assert_eq!(entry["role"], "publisher");
    assert_eq!(entry["tokenId"], owner_id.as_str());
    assert_eq!(entry["clientAddr"], "127.0.0.1");
    assert_eq!(entry["requestId"], "req-import-1");
    assert_eq!(ops(&entry), vec![(iri("a"), "created".to_owned(), 1)]);
    assert_eq!(entry["detail"]["created"], 1);
    assert_eq!(entry["detail"]["status"], "valid");
    // By the resource's id too.
    let id = body["resources"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        only(&app, &admin, &format!("resource={id}")).await["id"],
        entry["id"]
    );

    // Refused and failed writes leave nothing: another publisher's token, an admin token, a
    // malformed file, a bad status, a published resource made a draft again.
    let before = rows(&app).await;
    for (token, path, body, expected) in [
        (
            &other,
            "/api/v1/import?format=turtle",
            concept_ttl("a", "Taken"),
            403,
        ),
        (
            &admin,
            "/api/v1/import?format=turtle",
            concept_ttl("b", "B"),
            403,
        ),
        (
            &owner,
            "/api/v1/import?format=turtle",
            b"<not turtle".to_vec(),
            422,
        ),
        (
            &owner,
            "/api/v1/import?format=turtle&status=secret",
            concept_ttl("b", "B"),
            400,
        ),
        (
            &owner,
            "/api/v1/import?format=turtle&status=draft",
            concept_ttl("a", "A2"),
            409,
        ),
        (
            &other,
            &format!("/api/v1/publishers/{OWNER}/catalog?format=turtle"),
            concept_ttl("c", "C"),
            403,
        ),
    ] {
        let (status, body) = send(
            &app,
            reqwest::Method::POST,
            path,
            token,
            "text/turtle",
            body,
            "refused",
        )
        .await;
        assert_eq!(status, expected, "{path}: {body}");
    }
    assert_eq!(rows(&app).await, before, "a refused write is not audited");
    assert_eq!(audit(&app, &admin, "").await["total"], before);

    // CLI import: the operator, with no credential and no address.
    let file = app.dir.path().join("cli-import.ttl");
    std::fs::write(&file, concept_ttl("cli", "Fra CLI")).unwrap();
    cli(
        &app,
        &["import", "--publisher", OWNER, file.to_str().unwrap()],
    );
    let entry = only(&app, &admin, &format!("resource={}", iri("cli"))).await;
    assert_eq!(entry["action"], "import");
    assert_eq!(entry["role"], "operator");
    assert!(entry.get("tokenId").is_none() && entry.get("clientAddr").is_none());
    assert_eq!(entry["detail"]["catalogPublisher"], OWNER);

    // Push: a whole catalog with c; then without c (retired); then with it again (reactivated).
    let push = |body: Vec<u8>, request_id: &'static str| {
        let app = &app;
        let owner = owner.clone();
        async move {
            let (status, body) = send(
                app,
                reqwest::Method::PUT,
                &format!("/api/v1/publishers/{OWNER}/catalog?format=turtle"),
                &owner,
                "text/turtle",
                body,
                request_id,
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    let mut both = concept_ttl("a", "A");
    both.extend(concept_ttl("c", "C"));
    let mut with_cli = both.clone();
    with_cli.extend(concept_ttl("cli", "Fra CLI"));
    push(with_cli.clone(), "push-1").await;
    let entry = only(&app, &admin, "action=push").await;
    assert_eq!(ops(&entry), vec![(iri("c"), "created".to_owned(), 1)]);
    assert_eq!(entry["requestId"], "push-1");
    assert_eq!(entry["detail"]["scope"], "catalog");
    let mut without_c = concept_ttl("a", "A");
    without_c.extend(concept_ttl("cli", "Fra CLI"));
    push(without_c, "push-2").await;
    let retired = audit(&app, &admin, "action=push").await;
    assert_eq!(retired["total"], 2);
    assert_eq!(
        ops(&retired["items"][0]),
        vec![(iri("c"), "retired".to_owned(), 1)],
        "newest first"
    );
    push(with_cli, "push-3").await;
    let back = audit(&app, &admin, &format!("action=push&resource={}", iri("c"))).await;
    assert_eq!(back["total"], 3);
    assert_eq!(
        ops(&back["items"][0]),
        vec![(iri("c"), "reactivated".to_owned(), 1)]
    );

    // Mappings and service models (the compose fixtures first, as one import each).
    for file in [
        "concepts.ttl",
        "person-types.ttl",
        "folkeregisteret-kjoenn.ttl",
    ] {
        let (status, body) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/import?format=turtle",
            &owner,
            "text/turtle",
            fixture(file),
            file,
        )
        .await;
        assert_eq!(status, 200, "{file}: {body}");
    }
    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/mappings",
        &owner,
        "text/tab-separated-values",
        fixture("folkeregisteret-person.sssom.tsv"),
        "mapping-1",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let entry = only(&app, &admin, "action=mapping").await;
    assert_eq!(entry["publisher"], OWNER);
    assert_eq!(entry["requestId"], "mapping-1");
    assert_eq!(
        ops(&entry)[0].0,
        body["resources"][0]["iri"].as_str().unwrap()
    );
    let compose = json!({"name": "Søknad om bostøtte", "alias": "audit-soknad",
                         "parts": [{"type": "demo-person", "field": "applicant"}]});
    let (status, model) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/service-models",
        &owner,
        "application/json",
        compose.to_string().into_bytes(),
        "model-1",
    )
    .await;
    assert_eq!(status, 201, "{model}");
    let entry = only(&app, &admin, "action=service-model").await;
    assert!(ops(&entry)
        .iter()
        .any(|(i, _, _)| i == model["iri"].as_str().unwrap()));

    // Harvest sources and a run: registering, starting and the run itself, then removing.
    let (status, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/sources",
        &admin,
        "application/json",
        json!({"url": "http://127.0.0.1:9/catalog.ttl", "dataType": "concept",
               "dataSourceType": "SKOS-AP-NO", "publisherId": OWNER})
        .to_string()
        .into_bytes(),
        "source-1",
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let source_id = created["id"].as_str().unwrap().to_owned();
    let entry = only(&app, &admin, "action=source.add").await;
    assert_eq!(entry["role"], "admin");
    assert_eq!(entry["detail"]["sourceId"], source_id.as_str());
    let (status, started) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/sources/{source_id}/runs"),
        &owner,
        "text/plain",
        Vec::new(),
        "run-1",
    )
    .await;
    assert_eq!(status, 202, "{started}");
    let entry = only(&app, &admin, "action=run.start").await;
    assert_eq!(entry["publisher"], OWNER);
    assert_eq!(entry["detail"]["runId"], started["runId"]);
    // The run fails (nothing listens on port 9): a failed run writes no resource and so no
    // harvest row. Wait for it to end before removing the source.
    for _ in 0..400 {
        let report: Value = app
            .client
            .get(app.url(&format!(
                "/api/v1/sources/{source_id}/runs/{}",
                started["runId"].as_str().unwrap()
            )))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if report["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(audit(&app, &admin, "action=harvest").await["total"], 0);
    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/sources/{source_id}"),
        &admin,
        "text/plain",
        Vec::new(),
        "source-2",
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        only(&app, &admin, "action=source.remove").await["detail"]["sourceId"],
        source_id.as_str()
    );

    // Tokens over the API and the CLI.
    let (status, token) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/tokens",
        &admin,
        "application/json",
        json!({"publisher": OTHER}).to_string().into_bytes(),
        "token-1",
    )
    .await;
    assert_eq!(status, 201, "{token}");
    let new_id = token["id"].as_str().unwrap().to_owned();
    let entry = only(&app, &admin, "action=token.create").await;
    assert_eq!(entry["detail"]["tokenId"], new_id.as_str());
    assert_eq!(entry["detail"]["tokenPublisher"], OTHER);
    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{new_id}"),
        &admin,
        "text/plain",
        Vec::new(),
        "token-2",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        only(&app, &admin, "action=token.revoke").await["detail"]["tokenId"],
        new_id.as_str()
    );
    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/tokens/no-such-token",
        &admin,
        "text/plain",
        Vec::new(),
        "token-3",
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        audit(&app, &admin, "action=token.revoke").await["total"],
        1,
        "revoking no token is not audited"
    );
    let printed = cli(&app, &["token", "create", "--publisher", OTHER]);
    assert!(String::from_utf8_lossy(&printed.stdout).starts_with("semreg_"));
    let found = audit(&app, &admin, "action=token.create").await;
    assert_eq!(found["total"], 2);
    assert_eq!(found["items"][0]["role"], "operator");
    // Every committed write above has its row, and only those: 3 imports of the compose
    // fixtures, 1 HTTP and 1 CLI import, 3 pushes, 1 mapping set, 1 service model, 1 source
    // added, 1 run started (it failed: no harvest row), 1 source removed, 2 tokens created,
    // 1 revoked.
    let total = audit(&app, &admin, "").await["total"].as_i64().unwrap();
    assert_eq!(total, 16);
    assert_eq!(rows(&app).await, 16);
    println!(
        "audit ({backend:?}): 16 committed writes of 9 actions, one row each; refused or failed writes audited: 0/8"
    );
}

async fn a_harvest_run_is_recorded_with_its_source_and_run(backend: Backend) {
    let Some(app) = app(backend, "audit_harvest").await else {
        return;
    };
    let admin = admin_token(&app).await;
    // The publisher's catalog, served by a local server.
    let router = axum::Router::new().route(
        "/catalog.ttl",
        axum::routing::get(|| async {
            (
                [("content-type", "text/turtle")],
                String::from_utf8(concept_ttl("harvested", "Høstet")).unwrap(),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/catalog.ttl", listener.local_addr().unwrap());
    let _server = common::AbortOnDrop(Some(tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    })));
    let (status, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/sources",
        &admin,
        "application/json",
        json!({"url": url, "dataType": "concept", "dataSourceType": "SKOS-AP-NO", "publisherId": OWNER})
            .to_string()
            .into_bytes(),
        "source",
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let source_id = created["id"].as_str().unwrap().to_owned();
    let (status, started) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/sources/{source_id}/runs"),
        &admin,
        "text/plain",
        Vec::new(),
        "run",
    )
    .await;
    assert_eq!(status, 202);
    let mut harvested = Value::Null;
    for _ in 0..400 {
        harvested = audit(&app, &admin, "action=harvest").await;
        if harvested["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(harvested["total"], 1, "{harvested}");
    let entry = &harvested["items"][0];
    assert_eq!(entry["role"], "scheduler");
    assert_eq!(entry["detail"]["sourceId"], source_id.as_str());
    assert_eq!(entry["detail"]["runId"], started["runId"]);
    assert_eq!(entry["detail"]["catalogPublisher"], OWNER);
    assert_eq!(
        ops(entry),
        vec![(iri("harvested"), "created".to_owned(), 1)]
    );
}

async fn the_table_refuses_update_and_delete_in_the_database(backend: Backend) {
    let Some(app) = app(backend, "audit_append_only").await else {
        return;
    };
    let (owner, _) = publisher_token(&app, OWNER).await;
    let response = app
        .import(Some(&owner), "format=turtle", concept_ttl("kept", "Kept"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(rows(&app).await, 1);
    for sql in [
        "UPDATE audit SET action = 'nothing'",
        "UPDATE audit SET publisher = NULL WHERE id = 1",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = 1",
    ] {
        let refused = app.app.db.execute_unprepared(sql).await;
        let error = refused.expect_err(sql).to_string();
        assert!(error.contains("append-only"), "{sql}: {error}");
    }
    if backend == Backend::Postgres {
        let refused = app.app.db.execute_unprepared("TRUNCATE audit").await;
        assert!(refused.is_err(), "TRUNCATE is refused too");
    }
    assert_eq!(rows(&app).await, 1);
    let admin = admin_token(&app).await;
    assert_eq!(
        only(&app, &admin, "action=import").await["resources"][0]["iri"],
        iri("kept")
    );
}

async fn the_endpoint_filters_pages_newest_first_and_is_for_admins_only(backend: Backend) {
    let Some(app) = app(backend, "audit_endpoint").await else {
        return;
    };
    let (owner, owner_id) = publisher_token(&app, OWNER).await;
    let (other, other_id) = publisher_token(&app, OTHER).await;
    let admin = admin_token(&app).await;
    for i in 0..5 {
        let r = app
            .import(
                Some(&owner),
                "format=turtle",
                concept_ttl(&format!("o{i}"), "O"),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let between = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    for i in 0..3 {
        let r = app
            .import(
                Some(&other),
                "format=turtle",
                concept_ttl(&format!("x{i}"), "X"),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let all = audit(&app, &admin, "").await;
    assert_eq!(all["total"], 8);
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert_eq!(all["items"][0]["resources"][0]["iri"], iri("x2"));

    // Paging.
    let page = audit(&app, &admin, "limit=3&offset=2").await;
    assert_eq!(page["total"], 8);
    let paged: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, ids[2..5].to_vec());
    assert_eq!(audit(&app, &admin, "limit=0").await["items"], json!([]));

    // Filters, each alone and combined.
    assert_eq!(
        audit(&app, &admin, &format!("publisher={OWNER}")).await["total"],
        5
    );
    assert_eq!(
        audit(&app, &admin, &format!("publisher={OTHER}")).await["total"],
        3
    );
    assert_eq!(
        audit(&app, &admin, &format!("token={owner_id}")).await["total"],
        5
    );
    assert_eq!(
        audit(&app, &admin, &format!("token={other_id}")).await["total"],
        3
    );
    assert_eq!(audit(&app, &admin, "action=import").await["total"], 8);
    assert_eq!(audit(&app, &admin, "action=push").await["total"], 0);
    assert_eq!(
        audit(&app, &admin, &format!("resource={}", iri("o3"))).await["total"],
        1
    );
    // A resource filter matches whole values only: `o` is no resource.
    assert_eq!(
        audit(&app, &admin, "resource=https://begrep.example.no/audit/o").await["total"],
        0
    );
    let since = between.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let encoded: String = url::form_urlencoded::byte_serialize(since.as_bytes()).collect();
    assert_eq!(
        audit(&app, &admin, &format!("since={encoded}")).await["total"],
        3
    );
    assert_eq!(
        audit(&app, &admin, &format!("until={encoded}")).await["total"],
        5
    );
    assert_eq!(
        audit(&app, &admin, &format!("until={encoded}&publisher={OTHER}")).await["total"],
        0
    );

    // Bad parameters name the problem.
    for (query, needle) in [
        ("since=yesterday", "since"),
        ("publisher=123", "publisher"),
        ("limit=5000", "limit"),
        ("colour=red", "colour"),
        (
            "since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z",
            "until",
        ),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/audit?{query}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(needle),
            "{query}: {problem}"
        );
    }

    // Admins only: 401 without a token, 403 for a publisher's.
    let anonymous = app
        .client
        .get(app.url("/api/v1/audit"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("Bearer"),
        "{body}"
    );
    let publisher = app
        .client
        .get(app.url("/api/v1/audit"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(publisher.status(), 403);
    assert_eq!(
        publisher.headers()["content-type"],
        "application/problem+json"
    );
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
    every_write_path_leaves_exactly_one_row_naming_who_what_and_where,
    a_harvest_run_is_recorded_with_its_source_and_run,
    the_table_refuses_update_and_delete_in_the_database,
    the_endpoint_filters_pages_newest_first_and_is_for_admins_only,
);
