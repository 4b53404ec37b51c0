//! Who may write what, on every write path: another publisher's token and an admin token are
//! refused on import, catalog push, mappings, service models and harvest sources, and nothing
//! changes (resources, versions, the change log, sources); token administration (create, list,
//! revoke) over the API and the CLI, with a revoked token refused at once by a second server on
//! the same store of record. On SQLite and PostgreSQL.

mod common;

use common::{spawn_app_with, spawn_on, Backend, TestApp};
use serde_json::{json, Value};

const OWNER: &str = "974760673";
const INTRUDER: &str = "991825827";
const CONCEPT: &str = "https://begrep.example.no/authz/owned";

fn concept_ttl(label: &str) -> Vec<u8> {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <{CONCEPT}> a skos:Concept ; skos:prefLabel \"{label}\"@nb .\n"
    )
    .into_bytes()
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

/// One write attempt: method, path, content type, body.
struct Attempt {
    name: &'static str,
    method: reqwest::Method,
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Attempt {
    fn new(
        name: &'static str,
        method: reqwest::Method,
        path: impl Into<String>,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Self {
        Self {
            name,
            method,
            path: path.into(),
            content_type,
            body,
        }
    }

    async fn send(&self, app: &TestApp, token: Option<&str>) -> (u16, Value) {
        let mut request = app
            .client
            .request(self.method.clone(), app.url(&self.path))
            .header("content-type", self.content_type)
            .body(self.body.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// What must not change: every resource with its version, the change log's end, the sources.
async fn state(app: &TestApp, admin: &str) -> (Value, Value, Value) {
    let resources = app.get_json("/api/v1/resources?limit=1000").await["items"].clone();
    let next = json!(semreg::store::last_seq(&app.app.db).await.unwrap());
    let sources: Value = app
        .client
        .get(app.url("/api/v1/sources"))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (resources, next, sources["items"].clone())
}

async fn every_write_path_refuses_another_publisher_and_admins_and_changes_nothing(
    backend: Backend,
) {
    let Some(app) = app(backend, "authz_write_paths").await else {
        return;
    };
    let owner = app.token(OWNER).await;
    let intruder = app.token(INTRUDER).await;
    let admin = semreg::auth::tokens::create_admin_token(&app.app.db)
        .await
        .unwrap();

    // The owner's data: a concept, the compose fixtures, a mapping set, a service model, a
    // harvest source.
    let ok = app
        .import(Some(&owner), "format=turtle", concept_ttl("eid"))
        .await;
    assert_eq!(ok.status(), 200);
    for file in [
        "concepts.ttl",
        "person-types.ttl",
        "folkeregisteret-kjoenn.ttl",
    ] {
        let ok = app
            .import(Some(&owner), "format=turtle", fixture(file))
            .await;
        assert_eq!(ok.status(), 200, "{file}");
    }
    let sssom = fixture("folkeregisteret-person.sssom.tsv");
    let mappings = Attempt::new(
        "mappings",
        reqwest::Method::POST,
        "/api/v1/mappings",
        "text/tab-separated-values",
        sssom.clone(),
    );
    let (status, body) = mappings.send(&app, Some(&owner)).await;
    assert_eq!(status, 200, "{body}");
    let compose = json!({"name": "Søknad om bostøtte", "alias": "authz-soknad",
                         "parts": [{"type": "demo-person", "field": "applicant"}]});
    let composing = Attempt::new(
        "service model",
        reqwest::Method::POST,
        "/api/v1/service-models",
        "application/json",
        compose.to_string().into_bytes(),
    );
    let (status, model) = composing.send(&app, Some(&owner)).await;
    assert_eq!(status, 201, "{model}");
    let model_iri = model["iri"].as_str().expect("the model's IRI").to_owned();
    let source = Attempt::new(
        "source",
        reqwest::Method::POST,
        "/api/v1/sources",
        "application/json",
        json!({"url": "http://127.0.0.1:9/catalog.ttl", "dataType": "concept",
               "dataSourceType": "SKOS-AP-NO", "publisherId": OWNER})
        .to_string()
        .into_bytes(),
    );
    let (status, created) = source.send(&app, Some(&owner)).await;
    assert_eq!(status, 201, "{created}");
    let source_id = created["id"].as_str().unwrap().to_owned();

    let before = state(&app, &admin).await;
    let turtle = "text/turtle";
    let put = reqwest::Method::PUT;
    let post = reqwest::Method::POST;
    let changed = concept_ttl("taken over");
    let by_intruder = vec![
        Attempt::new("import of the owner's concept", post.clone(), "/api/v1/import?format=turtle", turtle, changed.clone()),
        Attempt::new("import for the owner", post.clone(), format!("/api/v1/import?format=turtle&publisher={OWNER}"), turtle, concept_ttl("new")),
        Attempt::new("push to the owner's catalog", put.clone(), format!("/api/v1/publishers/{OWNER}/catalog?format=turtle"), turtle, changed.clone()),
        Attempt::new("replace own catalog with the owner's concept", put.clone(), format!("/api/v1/publishers/{INTRUDER}/catalog?format=turtle"), turtle, changed.clone()),
        Attempt::new("merge the owner's concept into own catalog", post.clone(), format!("/api/v1/publishers/{INTRUDER}/catalog?format=turtle"), turtle, changed.clone()),
        Attempt::new("the owner's mapping set", post.clone(), "/api/v1/mappings", "text/tab-separated-values", sssom.clone()),
        Attempt::new("the owner's service model", post.clone(), "/api/v1/service-models", "application/json",
            json!({"name": "Overtatt", "iri": model_iri, "parts": [{"type": "demo-person", "field": "applicant"}]}).to_string().into_bytes()),
        Attempt::new("a source for the owner", post.clone(), "/api/v1/sources", "application/json",
            json!({"url": "http://127.0.0.1:9/other.ttl", "dataType": "concept", "dataSourceType": "SKOS-AP-NO", "publisherId": OWNER}).to_string().into_bytes()),
        Attempt::new("removing the owner's source", reqwest::Method::DELETE, format!("/api/v1/sources/{source_id}"), "text/plain", Vec::new()),
        Attempt::new("running the owner's source", post.clone(), format!("/api/v1/sources/{source_id}/runs"), "text/plain", Vec::new()),
    ];
    let by_admin = vec![
        Attempt::new(
            "admin import",
            post.clone(),
            format!("/api/v1/import?format=turtle&publisher={OWNER}"),
            turtle,
            changed.clone(),
        ),
        Attempt::new(
            "admin push",
            put.clone(),
            format!("/api/v1/publishers/{OWNER}/catalog?format=turtle"),
            turtle,
            changed.clone(),
        ),
        Attempt::new(
            "admin mappings",
            post.clone(),
            "/api/v1/mappings",
            "text/tab-separated-values",
            sssom.clone(),
        ),
        Attempt::new(
            "admin service model",
            post.clone(),
            "/api/v1/service-models",
            "application/json",
            compose.to_string().into_bytes(),
        ),
    ];
    let mut refused = 0;
    let total = by_intruder.len() + by_admin.len();
    for (token, attempts) in [(&intruder, &by_intruder), (&admin, &by_admin)] {
        for attempt in attempts {
            let (status, body) = attempt.send(&app, Some(token)).await;
            // Someone else's source is not shown to the intruder at all (404); every other
            // attempt is 403.
            let expected = if attempt.name.contains("owner's source") {
                404
            } else {
                403
            };
            assert_eq!(status, expected, "{}: {body}", attempt.name);
            assert!(
                body["detail"].is_string(),
                "{}: a problem JSON: {body}",
                attempt.name
            );
            refused += 1;
        }
        for attempt in attempts {
            let (status, _) = attempt.send(&app, None).await;
            assert_eq!(status, 401, "{} without a token", attempt.name);
        }
    }
    assert_eq!(
        state(&app, &admin).await,
        before,
        "a refused write changed something"
    );
    println!("cross-publisher and admin write attempts refused: {refused}/{total}");

    // The owner still writes its own.
    let ok = app.import(Some(&owner), "format=turtle", changed).await;
    assert_eq!(ok.status(), 200);
}
both!(every_write_path_refuses_another_publisher_and_admins_and_changes_nothing);

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String) {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn admins_create_list_and_revoke_tokens_and_every_replica_refuses_a_revoked_one(
    backend: Backend,
) {
    let Some(first) = app(backend, "authz_tokens").await else {
        return;
    };
    // A second server on the same store of record (its own projections).
    let second = spawn_on(
        tempfile::tempdir().unwrap(),
        first.database_url.clone(),
        |_| {},
    )
    .await;
    let admin = semreg::auth::tokens::create_admin_token(&first.app.db)
        .await
        .unwrap();
    let post = reqwest::Method::POST;

    let (status, body) = send(
        &first,
        post.clone(),
        "/api/v1/tokens",
        Some(&admin),
        Some(json!({"publisher": OWNER})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["role"], "publisher");
    assert_eq!(created["publisher"], OWNER);
    // It writes, on either server.
    for app in [&first, &second] {
        let ok = app
            .import(Some(&secret), "format=turtle", concept_ttl("eid"))
            .await;
        assert_eq!(ok.status(), 200);
    }

    // Listed without its secret; only admins list, create and revoke.
    let (status, list) = send(
        &first,
        reqwest::Method::GET,
        "/api/v1/tokens",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(!list.contains(&secret), "the list shows a secret");
    let listed: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(listed["total"], 2, "{listed}");
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == id.as_str()));
    let publisher = first.token(INTRUDER).await;
    for (method, path, body) in [
        (reqwest::Method::GET, "/api/v1/tokens".to_owned(), None),
        (
            post.clone(),
            "/api/v1/tokens".to_owned(),
            Some(json!({"admin": true})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/tokens/{id}"),
            None,
        ),
    ] {
        let (status, answer) = send(
            &first,
            method.clone(),
            &path,
            Some(&publisher),
            body.clone(),
        )
        .await;
        assert_eq!(status, 403, "{method} {path} by a publisher: {answer}");
        let (status, _) = send(&first, method.clone(), &path, None, body).await;
        assert_eq!(status, 401, "{method} {path} without a token");
    }
    for bad in [
        json!({}),
        json!({"publisher": OWNER, "admin": true}),
        json!({"publisher": "12"}),
    ] {
        let (status, body) = send(
            &first,
            post.clone(),
            "/api/v1/tokens",
            Some(&admin),
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }

    // Revoked on the first server; the second refuses it at once.
    let (status, body) = send(
        &first,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let revoked: Value = serde_json::from_str(&body).unwrap();
    assert!(revoked["revokedAt"].is_string(), "{revoked}");
    let revoked_at = std::time::Instant::now();
    for app in [&second, &first] {
        let refused = app
            .import(Some(&secret), "format=turtle", concept_ttl("after"))
            .await;
        assert_eq!(refused.status(), 401);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["check"], "token", "{problem}");
    }
    println!(
        "revoked token refused by both servers {} ms after the revocation",
        revoked_at.elapsed().as_millis()
    );
    let (_, list) = send(
        &first,
        reqwest::Method::GET,
        "/api/v1/tokens",
        Some(&admin),
        None,
    )
    .await;
    assert!(
        !list.contains(&id),
        "a revoked token is not listed by default"
    );
    let (_, list) = send(
        &first,
        reqwest::Method::GET,
        "/api/v1/tokens?revoked=true",
        Some(&admin),
        None,
    )
    .await;
    assert!(list.contains(&id), "?revoked=true lists it");
    let (status, _) = send(
        &first,
        reqwest::Method::DELETE,
        "/api/v1/tokens/no-such-token",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Nothing was written with it after the revocation.
    assert_eq!(first.resource_total(&format!("publisher={OWNER}")).await, 1);
}
both!(admins_create_list_and_revoke_tokens_and_every_replica_refuses_a_revoked_one);

#[test]
fn the_cli_creates_lists_and_revokes_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let semreg = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_semreg"))
            .env("SEMREG_DATA_DIR", dir.path())
            .env_remove("SEMREG_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .args(args)
            .output()
            .unwrap()
    };
    let created = semreg(&["token", "create", "--publisher", OWNER]);
    assert!(created.status.success());
    let secret = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert!(secret.starts_with("semreg_"));
    let note = String::from_utf8(created.stderr).unwrap();
    let id = note
        .split_whitespace()
        .nth(1)
        .expect("`Token ID for publisher ...`")
        .to_owned();
    let admin = semreg(&["token", "create", "--admin"]);
    assert!(admin.status.success());

    let list = String::from_utf8(semreg(&["token", "list"]).stdout).unwrap();
    assert!(list.contains(&id) && list.contains(OWNER), "{list}");
    assert!(!list.contains(&secret), "the list shows a secret");
    assert_eq!(list.lines().count(), 3, "a header and two tokens: {list}");

    assert!(semreg(&["token", "revoke", &id]).status.success());
    let list = String::from_utf8(semreg(&["token", "list"]).stdout).unwrap();
    assert!(!list.contains(&id), "{list}");
    let all = String::from_utf8(semreg(&["token", "list", "--revoked"]).stdout).unwrap();
    assert!(all.contains(&id), "{all}");
    let unknown = semreg(&["token", "revoke", "no-such-token"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8(unknown.stderr)
        .unwrap()
        .contains("no token no-such-token"));
}
