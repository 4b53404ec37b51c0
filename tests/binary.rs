//! Tests against the real `semreg` binary: CLI import beside a running server, crash and
//! restart, and two servers sharing one PostgreSQL database.

mod common;

use common::{free_port, shared_data, Backend};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_semreg");
const PUBLISHER: &str = "974760673";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn semreg(data_dir: &Path, database_url: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env("SEMREG_DATA_DIR", data_dir)
        .env("SEMREG_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    command
}

async fn start_server(data_dir: &Path, database_url: &str) -> Server {
    start_server_with(data_dir, database_url, &[]).await
}

async fn start_server_with(data_dir: &Path, database_url: &str, extra: &[&str]) -> Server {
    let port = free_port();
    let child = semreg(data_dir, database_url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start semreg serve");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(response) = client.get(format!("{}/healthz", server.base)).send().await {
            if response.status() == 200 {
                return server;
            }
        }
        assert!(Instant::now() < deadline, "server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get_json(base: &str, path: &str) -> Value {
    reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn sparql_count(base: &str, query: &str) -> u64 {
    let json: Value = reqwest::Client::new()
        .get(format!("{base}/sparql"))
        .query(&[("query", query)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    json["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Concepts that are resources of their own (a code is a concept inside its code list's graph).
const CONCEPT_COUNT: &str = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?c { ?c a <http://www.w3.org/2004/02/skos/core#Concept> } }";
const GRAPH_COUNT: &str = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";

/// Waits until `check` holds, and returns how long it took; fails after `limit`.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn database(backend: Backend, dir: &Path, test: &str) -> Option<String> {
    common::database_url(backend, dir, test).await
}

async fn cli_import_into_the_data_dir_reaches_a_running_server(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(backend, dir.path(), "cli_import").await else {
        return;
    };
    let server = start_server(dir.path(), &url).await;
    let output = semreg(dir.path(), &url)
        .args(["import", "--publisher", PUBLISHER])
        .arg(shared_data("fdk/concepts_legacy_v1_nav_begrepskatalog.ttl"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("created"), "per-file summary: {stdout}");
    let base = server.base.clone();
    let waited = eventually(Duration::from_secs(10), || {
        let base = base.clone();
        async move {
            sparql_count(&base, CONCEPT_COUNT).await == 549
                && get_json(&base, "/api/v1/search?kind=concept&limit=1").await["total"] == 549
        }
    })
    .await;
    eprintln!(
        "CLI import visible in SPARQL and search after {} ms",
        waited.as_millis()
    );
    let listed = get_json(&server.base, "/api/v1/resources?kind=concept&limit=1").await;
    assert_eq!(listed["total"], 549);

    // A failing file is reported, the others are imported, and the exit code says so.
    let bad = dir.path().join("bad.ttl");
    std::fs::write(&bad, "<a> <b> .").unwrap();
    let output = semreg(dir.path(), &url)
        .args(["import"])
        .arg(&bad)
        .arg(shared_data("fdk/ref_eu_concept-status.ttl"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(stdout.contains("bad.ttl: failed"), "{stdout}");
    assert!(stdout.contains("line 1"), "{stdout}");
    assert!(stdout.contains("ref_eu_concept-status.ttl: "), "{stdout}");
}
both!(cli_import_into_the_data_dir_reaches_a_running_server);

async fn killing_the_server_loses_nothing_committed(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(backend, dir.path(), "crash").await else {
        return;
    };
    let token_output = semreg(dir.path(), &url)
        .args(["token", "create", "--publisher", PUBLISHER])
        .output()
        .unwrap();
    assert!(token_output.status.success());
    let token = String::from_utf8(token_output.stdout)
        .unwrap()
        .trim()
        .to_owned();
    assert!(token.starts_with("semreg_"));

    // 1. Kill during a large import through the API.
    let mut server = start_server(dir.path(), &url).await;
    let body = std::fs::read(shared_data("fdk/concepts_v2_testdata_1000.ttl")).unwrap();
    let base = server.base.clone();
    let upload = tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("{base}/api/v1/import?format=turtle"))
            .bearer_auth(token)
            .body(body)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let _ = upload.await;
    assert_consistent(dir.path(), &url).await;

    // 2. Kill during catch-up: write many changes with the server down, start it, kill it
    //    while it applies them.
    let output = semreg(dir.path(), &url)
        .args(["import", "--publisher", PUBLISHER])
        .arg(shared_data("fdk/concepts_legacy_v1_nav_begrepskatalog.ttl"))
        .arg(shared_data("fdk/concepts_v2_testdata_1000.ttl"))
        .arg(shared_data("fdk/ref_los_themes_and_words.rdf"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let port = free_port();
    let mut child = semreg(dir.path(), &url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_consistent(dir.path(), &url).await;
}
both!(killing_the_server_loses_nothing_committed);

/// Restarts the server and checks that the store of record, SPARQL and search agree.
async fn assert_consistent(dir: &Path, url: &str) {
    let server = start_server(dir, url).await;
    let listed = get_json(&server.base, "/api/v1/resources?limit=1").await["total"]
        .as_u64()
        .unwrap();
    let graphs = sparql_count(&server.base, GRAPH_COUNT).await;
    let searched = get_json(&server.base, "/api/v1/search?limit=1").await["total"]
        .as_u64()
        .unwrap();
    assert_eq!(graphs, listed, "SPARQL graphs vs store of record");
    assert_eq!(searched, listed, "search vs store of record");
    let concepts = get_json(&server.base, "/api/v1/resources?kind=concept&limit=1").await["total"]
        .as_u64()
        .unwrap();
    assert_eq!(sparql_count(&server.base, CONCEPT_COUNT).await, concepts);
    eprintln!("consistent after restart: {listed} resources");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_see_each_others_writes() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let Some(url) = common::fresh_postgres_url("two_servers").await else {
        return;
    };
    let output = semreg(dir_a.path(), &url)
        .args(["token", "create", "--publisher", PUBLISHER])
        .output()
        .unwrap();
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let a = start_server(dir_a.path(), &url).await;
    let b = start_server(dir_b.path(), &url).await;
    let client = reqwest::Client::new();
    for (writer, reader, file) in [
        (&a, &b, "fdk/concepts_legacy_v1_nav_begrepskatalog.ttl"),
        (&b, &a, "fdk/ref_eu_concept-status.ttl"),
    ] {
        let response = client
            .post(format!("{}/api/v1/import", writer.base))
            .bearer_auth(&token)
            .body(std::fs::read(shared_data(file)).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let report: Value = response.json().await.unwrap();
        let id = report["resources"][0]["id"].as_str().unwrap().to_owned();
        let expected = get_json(&writer.base, "/api/v1/resources?limit=1").await["total"]
            .as_u64()
            .unwrap();
        let base = reader.base.clone();
        let waited = eventually(Duration::from_secs(10), || {
            let base = base.clone();
            let id = id.clone();
            async move {
                let search = get_json(&base, "/api/v1/search?limit=1").await["total"].as_u64();
                search == Some(expected)
                    && sparql_count(&base, GRAPH_COUNT).await == expected
                    && reqwest::get(format!("{base}/api/v1/resources/{id}"))
                        .await
                        .unwrap()
                        .status()
                        == 200
            }
        })
        .await;
        eprintln!(
            "write through {} listed, searchable and in SPARQL on {} after {} ms",
            writer.base,
            reader.base,
            waited.as_millis()
        );
    }
    let total_a = get_json(&a.base, "/api/v1/resources?limit=1").await["total"].clone();
    let total_b = get_json(&b.base, "/api/v1/resources?limit=1").await["total"].clone();
    assert_eq!(total_a, total_b);
    assert_eq!(
        sparql_count(&a.base, GRAPH_COUNT).await,
        sparql_count(&b.base, GRAPH_COUNT).await
    );
}

/// A publisher's server for the harvest crash test: serves one file, and counts the times it
/// was served in full.
async fn serve_file(
    body: Vec<u8>,
) -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    tokio::task::JoinHandle<()>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let served = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let router = axum::Router::new().route(
        "/catalog.ttl",
        axum::routing::get(move || {
            let body = body.clone();
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                ([(axum::http::header::CONTENT_TYPE, "text/turtle")], body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (base, served, task)
}

async fn wait_for_run(base: &str, token: &str, source: &str, run: &str) -> Value {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let report: Value = client
            .get(format!("{base}/api/v1/sources/{source}/runs/{run}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if report["status"] != "running" {
            return report;
        }
        assert!(Instant::now() < deadline, "run never ended: {report}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn killing_the_server_during_a_harvest_run_applies_nothing_of_it(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(backend, dir.path(), "harvest_crash").await else {
        return;
    };
    let output = semreg(dir.path(), &url)
        .args(["token", "create", "--admin"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let body = std::fs::read(shared_data("fdk/concepts_v2_testdata_1000.ttl")).unwrap();
    let (publisher, served, _publisher_task) = serve_file(body).await;
    let args = [
        "--fetch-allow",
        "127.0.0.1",
        "--no-harvest-scheduler",
        "--harvest-lease-secs",
        "3",
    ];
    let mut server = start_server_with(dir.path(), &url, &args).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/api/v1/sources", server.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"url": format!("{publisher}/catalog.ttl"), "dataType": "concept", "dataSourceType": "SKOS-AP-NO", "publisherId": PUBLISHER}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let source = created["id"].as_str().unwrap().to_owned();
    let started: Value = client
        .post(format!("{}/api/v1/sources/{source}/runs", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first_run = started["runId"].as_str().unwrap().to_owned();
    // Kill it once the catalog was served, while the run parses and writes it.
    eventually(Duration::from_secs(30), || {
        let served = served.clone();
        async move { served.load(std::sync::atomic::Ordering::SeqCst) > 0 }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);

    let server = start_server_with(dir.path(), &url, &args).await;
    let resources = get_json(&server.base, "/api/v1/resources?limit=1").await;
    assert_eq!(
        resources["total"], 0,
        "nothing of the killed run is visible"
    );
    // Once the dead run's lease has run out, the next run takes the source and completes.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let started: Value = client
        .post(format!("{}/api/v1/sources/{source}/runs", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = started["runId"]
        .as_str()
        .expect("a new run starts")
        .to_owned();
    let done = wait_for_run(&server.base, &token, &source, &next).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["created"], 1001, "{done}");
    let dead = wait_for_run(&server.base, &token, &source, &first_run).await;
    assert_eq!(dead["status"], "error", "{dead}");
    assert!(dead["errorMessage"]
        .as_str()
        .unwrap()
        .contains("interrupted"));
    drop(server);
    assert_consistent(dir.path(), &url).await;
}
both!(killing_the_server_during_a_harvest_run_applies_nothing_of_it);

/// A CLI write while another process holds SQLite's write lock waits for it (the busy
/// timeout) instead of failing. `semreg token create` reads (is the publisher there?) before it
/// writes; begun as a deferred transaction, its write was refused at once with "database is
/// locked" whenever a server wrote at that moment (seen in tests/federation.rs under CI load).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_writes_wait_for_sqlite_s_write_lock_instead_of_failing() {
    use sea_orm::TransactionTrait;
    let dir = tempfile::tempdir().unwrap();
    let url = semreg::store::default_sqlite_url(dir.path());
    let db = semreg::store::connect(&url).await.unwrap();
    // The publisher exists, so the CLI's transaction opens with a read of it.
    semreg::store::ensure_publisher(&db, PUBLISHER, chrono::Utc::now())
        .await
        .unwrap();
    let holder = db.begin().await.unwrap();
    semreg::store::lock_for_write(&holder).await.unwrap();
    let started = Instant::now();
    let cli = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        let url = url.clone();
        move || {
            semreg(&dir, &url)
                .args(["token", "create", "--publisher", PUBLISHER])
                .output()
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !cli.is_finished(),
        "the CLI did not wait for the write lock"
    );
    holder.commit().await.unwrap();
    let output = cli.await.unwrap();
    assert!(
        output.status.success(),
        "token create beside a writer: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
    let token = String::from_utf8(output.stdout).unwrap();
    assert!(!token.trim().is_empty());
}
