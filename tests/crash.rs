//! Crash rounds: a real `semreg serve` is killed with SIGKILL at a random moment while HTTP
//! imports, CLI imports (`semreg import --data-dir`, killed too), catalog pushes and harvest runs
//! (from a catalog a local HTTP server serves) write; after each restart the store of record,
//! SPARQL, search and code lists agree, every write answered 2xx is present, and every write —
//! acknowledged or not — is all there or not there at all. On SQLite and PostgreSQL.
//! Prints the figures the README's "Reliability" table quotes.

mod common;

use common::{database_url, free_port, Backend};
use rand::Rng;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_semreg");
const ROUNDS: usize = 20;
/// HTTP imports, CLI imports, pushes and harvests each get their own publisher.
const HTTP_PUBLISHER: &str = "974760673";
const CLI_PUBLISHER: &str = "910244132";
const PUSH_PUBLISHER: &str = "889640782";
const HARVEST_PUBLISHER: &str = "971526920";

/// One write: the resources it makes, all or none.
#[derive(Debug, Clone)]
struct Batch {
    how: &'static str,
    iris: Vec<String>,
}

#[derive(Default)]
struct Ledger {
    attempted: Vec<Batch>,
    acknowledged: Vec<Batch>,
    /// The code list's largest acknowledged size.
    list_acked: usize,
    next: usize,
}

type Shared = Arc<Mutex<Ledger>>;

fn concept_ttl(iris: &[String]) -> String {
    let mut ttl = String::from("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n");
    for iri in iris {
        let n = iri.rsplit('/').next().unwrap();
        ttl.push_str(&format!(
            "<{iri}> a skos:Concept ; skos:prefLabel \"krasj {n}\"@nb ; skos:definition \"Begrep {n} i krasjtesten\"@nb .\n"
        ));
    }
    ttl
}

fn list_ttl(codes: usize) -> String {
    let mut ttl = String::from(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix semreg: <https://w3id.org/semreg/ns#> .\n<https://crash.example/list> a skos:ConceptScheme ; skos:prefLabel \"krasj liste\"@nb ; semreg:alias \"crash-list\" .\n",
    );
    for i in 0..codes {
        ttl.push_str(&format!(
            "<https://crash.example/list/{i}> skos:inScheme <https://crash.example/list> ; skos:notation \"{i}\" ; semreg:order {i} ; skos:prefLabel \"kode {i}\"@nb .\n"
        ));
    }
    ttl
}

fn new_batch(ledger: &Shared, how: &'static str, size: usize) -> Batch {
    let mut ledger = ledger.lock().unwrap();
    let start = ledger.next;
    ledger.next += size;
    let batch = Batch {
        how,
        iris: (start..start + size)
            .map(|i| format!("https://crash.example/{how}/{i}"))
            .collect(),
    };
    ledger.attempted.push(batch.clone());
    batch
}

fn ack(ledger: &Shared, batch: Batch) {
    ledger.lock().unwrap().acknowledged.push(batch);
}

async fn http_imports(base: String, token: String, ledger: Shared) {
    let client = reqwest::Client::new();
    for i in 0usize.. {
        let (body, batch, codes) = if i % 4 == 3 {
            let codes = ledger.lock().unwrap().list_acked + 1 + i % 7;
            (list_ttl(codes), None, codes)
        } else {
            let batch = new_batch(&ledger, "http", 3);
            (concept_ttl(&batch.iris), Some(batch), 0)
        };
        let Ok(response) = client
            .post(format!("{base}/api/v1/import?format=turtle"))
            .bearer_auth(&token)
            .body(body)
            .send()
            .await
            .inspect_err(|e| eprintln!("write failed: {e:?}"))
        else {
            return;
        };
        if response.status().is_success() {
            match batch {
                Some(batch) => ack(&ledger, batch),
                None => {
                    let mut l = ledger.lock().unwrap();
                    l.list_acked = l.list_acked.max(codes);
                }
            }
        } else {
            let status = response.status();
            eprintln!(
                "import answered {status}: {}",
                response.text().await.unwrap_or_default()
            );
            if status.is_server_error() {
                return;
            }
        }
    }
}

async fn cli_imports(dir: PathBuf, url: String, ledger: Shared) {
    for i in 0usize.. {
        let batch = new_batch(&ledger, "cli", 4);
        let file = dir.join(format!("cli-{i}-{}.ttl", batch.iris.len()));
        std::fs::write(&file, concept_ttl(&batch.iris)).unwrap();
        let output = tokio::process::Command::new(BIN)
            .args(["import", "--format", "turtle", "--publisher", CLI_PUBLISHER])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--database-url", &url])
            .arg(&file)
            .kill_on_drop(true)
            .output()
            .await
            .unwrap();
        if output.status.success() {
            ack(&ledger, batch);
        }
    }
}

/// The push publisher's catalog: every item ever attempted (so no push retires anything).
async fn pushes(base: String, token: String, ledger: Shared, items: Arc<Mutex<Vec<String>>>) {
    let client = reqwest::Client::new();
    loop {
        let batch = new_batch(&ledger, "push", 2);
        let body = {
            let mut items = items.lock().unwrap();
            items.extend(batch.iris.iter().cloned());
            concept_ttl(&items)
        };
        let Ok(response) = client
            .put(format!(
                "{base}/api/v1/publishers/{PUSH_PUBLISHER}/catalog?format=turtle"
            ))
            .bearer_auth(&token)
            .header("content-type", "text/turtle")
            .body(body)
            .send()
            .await
            .inspect_err(|e| eprintln!("write failed: {e:?}"))
        else {
            return;
        };
        if response.status().is_success() {
            ack(&ledger, batch);
        } else {
            let status = response.status();
            eprintln!(
                "push answered {status}: {}",
                response.text().await.unwrap_or_default()
            );
            if status.is_server_error() {
                return;
            }
        }
    }
}

/// Harvest runs of a source whose catalog (served by the test) grows by two concepts a run.
async fn harvests(
    base: String,
    token: String,
    source: String,
    ledger: Shared,
    served: Arc<Mutex<Vec<String>>>,
) {
    let client = reqwest::Client::new();
    loop {
        let batch = new_batch(&ledger, "harvest", 2);
        served.lock().unwrap().extend(batch.iris.iter().cloned());
        let run = loop {
            let Ok(response) = client
                .post(format!("{base}/api/v1/sources/{source}/runs"))
                .bearer_auth(&token)
                .send()
                .await
            else {
                return;
            };
            if response.status() == 202 {
                let body: serde_json::Value = response.json().await.unwrap();
                break body["runId"].as_str().unwrap().to_owned();
            }
            // 409: the run the last kill interrupted holds the source until its lease ends.
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        loop {
            let Ok(response) = client
                .get(format!("{base}/api/v1/sources/{source}/runs/{run}"))
                .bearer_auth(&token)
                .send()
                .await
            else {
                return;
            };
            let Ok(report) = response.json::<serde_json::Value>().await else {
                return;
            };
            match report["status"].as_str() {
                Some("running") => tokio::time::sleep(Duration::from_millis(20)).await,
                Some("done") => {
                    ack(&ledger, batch);
                    break;
                }
                _ => break,
            }
        }
    }
}

/// Serves the harvested catalog on loopback.
async fn catalog_server(served: Arc<Mutex<Vec<String>>>) -> (String, common::AbortOnDrop) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/catalog.ttl",
        axum::routing::get(move || {
            let served = served.clone();
            async move {
                let body = concept_ttl(&served.lock().unwrap());
                ([("content-type", "text/turtle")], body)
            }
        }),
    );
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (
        format!("{base}/catalog.ttl"),
        common::AbortOnDrop(Some(task)),
    )
}

struct Server {
    child: tokio::process::Child,
    base: String,
    log: PathBuf,
}

async fn start_server(dir: &Path, url: &str, round: usize) -> Server {
    let port = free_port();
    let log = dir.join(format!("serve-{round}.log"));
    let child = tokio::process::Command::new(BIN)
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--database-url", url])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--fetch-allow", "127.0.0.1", "--no-harvest-scheduler"])
        .args(["--harvest-lease-secs", "3", "--rate-limit-writes", "0"])
        .env(
            "RUST_LOG",
            std::env::var("CRASH_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("start semreg serve");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await {
            if response.status() == 200 {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "semreg serve did not get ready: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { child, base, log }
}

async fn get_json(client: &reqwest::Client, url: String) -> serde_json::Value {
    let response = client.get(&url).send().await.expect("GET");
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.expect("JSON")
}

async fn sparql_count(client: &reqwest::Client, base: &str, query: &str) -> u64 {
    let json = client
        .get(format!("{base}/sparql"))
        .query(&[("query", query)])
        .header("accept", "application/sparql-results+json")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    json["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// What a restarted server shows.
struct State {
    iris: HashSet<String>,
    disagreement: Option<String>,
}

async fn state(base: &str) -> State {
    let client = reqwest::Client::new();
    let mut iris = HashSet::new();
    let mut offset = 0;
    let total = loop {
        let page = get_json(
            &client,
            format!("{base}/api/v1/resources?limit=1000&offset={offset}"),
        )
        .await;
        let items = page["items"].as_array().unwrap();
        for item in items {
            iris.insert(item["iri"].as_str().unwrap().to_owned());
        }
        offset += items.len();
        if items.is_empty() || offset as u64 >= page["total"].as_u64().unwrap() {
            break page["total"].as_u64().unwrap();
        }
    };
    let graphs = sparql_count(
        &client,
        base,
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    )
    .await;
    let search = get_json(&client, format!("{base}/api/v1/search?q=krasj&limit=1")).await["total"]
        .as_u64()
        .unwrap();
    let mut disagreement = None;
    if graphs != total {
        disagreement = Some(format!("{total} resources, {graphs} graphs in SPARQL"));
    } else if search != total {
        disagreement = Some(format!("{total} resources, {search} found by search"));
    } else if iris.contains("https://crash.example/list") {
        let codes = get_json(
            &client,
            format!("{base}/api/v1/code-lists/crash-list/codes"),
        )
        .await["codes"]
            .as_array()
            .unwrap()
            .len() as u64;
        let in_graph = sparql_count(
            &client,
            base,
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH <https://crash.example/list> { ?c <http://www.w3.org/2004/02/skos/core#inScheme> <https://crash.example/list> } }",
        )
        .await;
        if codes != in_graph {
            disagreement = Some(format!(
                "the code list has {codes} codes, its graph {in_graph}"
            ));
        }
    }
    State { iris, disagreement }
}

#[derive(Debug, Default)]
struct Figures {
    rounds: usize,
    acknowledged: usize,
    lost: usize,
    half_visible: usize,
    crashes: usize,
    by_kind: std::collections::BTreeMap<&'static str, usize>,
}

async fn crash_rounds(backend: Backend) -> Option<Figures> {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(backend, dir.path(), "crash rounds").await?;
    let url = if backend == Backend::Sqlite {
        semreg::store::default_sqlite_url(&dir.path().join("data"))
    } else {
        url
    };
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let (http_token, push_token, admin) = {
        let db = semreg::store::connect(&url).await.unwrap();
        let org = |o: &str| semreg::ids::OrgNr::parse(o).unwrap();
        let tokens = (
            semreg::registry::tokens::create_token(&db, &org(HTTP_PUBLISHER))
                .await
                .unwrap(),
            semreg::registry::tokens::create_token(&db, &org(PUSH_PUBLISHER))
                .await
                .unwrap(),
            semreg::auth::tokens::create_admin_token(&db).await.unwrap(),
        );
        db.close().await.ok();
        tokens
    };
    let served = Arc::new(Mutex::new(Vec::new()));
    let (catalog_url, _catalog) = catalog_server(served.clone()).await;
    let ledger: Shared = Arc::default();
    let pushed = Arc::new(Mutex::new(Vec::new()));
    let mut figures = Figures::default();
    let mut source = None;
    let mut rng = rand::rng();
    for round in 0..=ROUNDS {
        let mut server = start_server(dir.path(), &url, round).await;
        // After a restart: consistent (allowing the poller a moment), nothing lost, nothing half.
        let started = Instant::now();
        let seen = loop {
            let seen = state(&server.base).await;
            match &seen.disagreement {
                None => break seen,
                Some(problem) if started.elapsed() > Duration::from_secs(10) => {
                    panic!("round {round} on {backend:?}: {problem}")
                }
                Some(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        {
            let ledger = ledger.lock().unwrap();
            for batch in &ledger.acknowledged {
                let missing = batch
                    .iris
                    .iter()
                    .filter(|i| !seen.iris.contains(*i))
                    .count();
                if missing > 0 {
                    eprintln!("round {round}: lost {} of {:?}", missing, batch);
                }
            }
            figures.lost = ledger
                .acknowledged
                .iter()
                .filter(|b| b.iris.iter().any(|i| !seen.iris.contains(i)))
                .count();
            figures.half_visible = ledger
                .attempted
                .iter()
                .filter(|b| {
                    let present = b.iris.iter().filter(|i| seen.iris.contains(*i)).count();
                    present != 0 && present != b.iris.len()
                })
                .count();
            figures.acknowledged = ledger.acknowledged.len();
            figures.by_kind.clear();
            for batch in &ledger.acknowledged {
                *figures.by_kind.entry(batch.how).or_default() += 1;
            }
            assert_eq!(
                figures.lost, 0,
                "round {round} on {backend:?}: acknowledged writes lost"
            );
            assert_eq!(
                figures.half_visible, 0,
                "round {round} on {backend:?}: a write is half visible"
            );
        }
        if round == ROUNDS {
            server.child.kill().await.ok();
            break;
        }
        let client = reqwest::Client::new();
        let source_id = match &source {
            Some(id) => id,
            None => {
                let response = client
                    .post(format!("{}/api/v1/sources", server.base))
                    .bearer_auth(&admin)
                    .json(
                        &serde_json::json!({"url": catalog_url, "dataType": "concept",
                        "dataSourceType": "SKOS-AP-NO", "publisherId": HARVEST_PUBLISHER}),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
                let body: serde_json::Value = response.json().await.unwrap();
                source.insert(body["id"].as_str().unwrap().to_owned())
            }
        };
        let writers = vec![
            tokio::spawn(http_imports(
                server.base.clone(),
                http_token.clone(),
                ledger.clone(),
            )),
            tokio::spawn(cli_imports(
                dir.path().to_owned(),
                url.clone(),
                ledger.clone(),
            )),
            tokio::spawn(pushes(
                server.base.clone(),
                push_token.clone(),
                ledger.clone(),
                pushed.clone(),
            )),
            tokio::spawn(harvests(
                server.base.clone(),
                admin.clone(),
                source_id.clone(),
                ledger.clone(),
                served.clone(),
            )),
        ];
        tokio::time::sleep(Duration::from_millis(rng.random_range(2000..8000))).await;
        if let Some(status) = server.child.try_wait().unwrap() {
            figures.crashes += 1;
            panic!(
                "semreg serve stopped by itself ({status}) in round {round}: {}",
                std::fs::read_to_string(&server.log).unwrap_or_default()
            );
        }
        if std::env::var_os("CRASH_DEBUG").is_some() && round == 2 {
            eprintln!(
                "LOG: {}",
                std::fs::read_to_string(&server.log).unwrap_or_default()
            );
        }
        server.child.start_kill().unwrap(); // SIGKILL
        for writer in &writers {
            writer.abort(); // a CLI import in flight is killed too (kill_on_drop)
        }
        for writer in writers {
            let _ = writer.await;
        }
        let status = server.child.wait().await.unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "killed by our SIGKILL, not by a crash"
        );
        figures.rounds += 1;
    }
    Some(figures)
}

fn report(backend: &str, figures: &Figures) {
    eprintln!(
        "crash rounds on {backend}: {} rounds survived, {} acknowledged writes ({:?}), {} lost, {} half visible",
        figures.rounds, figures.acknowledged, figures.by_kind, figures.lost, figures.half_visible
    );
    assert!(figures.rounds >= ROUNDS);
    assert!(figures.acknowledged > ROUNDS, "the writers wrote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crash_rounds_sqlite() {
    let figures = crash_rounds(Backend::Sqlite).await.unwrap();
    report("SQLite", &figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crash_rounds_postgres() {
    if let Some(figures) = crash_rounds(Backend::Postgres).await {
        report("PostgreSQL", &figures);
    }
}
