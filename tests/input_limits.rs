//! The caps of one request beyond the body limit, on a real server: gzip and br request bodies
//! are decoded (and a "zip bomb" refused by the ratio limit, an unknown coding by 415), a
//! literal over `--max-literal-bytes` and an import over `--max-import-triples` are refused
//! with 413 naming what is too large, a client gets at most `--sparql-per-client` running
//! SPARQL queries, and idle connections are closed after `--idle-timeout-secs`. Nothing
//! refused changes the store.

mod common;

use common::{assert_problem, spawn_app_with, Backend, TestApp};
use std::io::Write;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const A: &str = "974760673";
const TRIPLE_CAP: usize = 400;

/// The literal and triple caps are process-wide (the server installs its own when it opens):
/// every app of this test binary starts with the same ones.
fn caps(config: &mut semreg::config::Config) {
    config.input_limits.max_import_triples = TRIPLE_CAP;
}

fn concepts(prefix: &str, n: usize) -> String {
    let mut ttl = String::from("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n");
    for i in 0..n {
        ttl.push_str(&format!(
            "<https://begrep.example.no/caps/{prefix}{i}> a skos:Concept ; skos:prefLabel \"{prefix} {i}\"@nb .\n"
        ));
    }
    ttl
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        writer.write_all(bytes).unwrap();
    }
    out
}

async fn post(
    app: &TestApp,
    token: &str,
    coding: Option<&str>,
    body: Vec<u8>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app
        .client
        .post(app.url("/api/v1/import?format=turtle"))
        .bearer_auth(token)
        .body(body);
    if let Some(coding) = coding {
        request = request.header("content-encoding", coding);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn total(app: &TestApp) -> u64 {
    app.resource_total("limit=1").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_bodies_literals_and_triples_are_capped_and_refusals_change_nothing() {
    let app = spawn_app_with(Backend::Sqlite, "input-limits", |config| {
        caps(config);
        config.input_limits.max_compression_ratio = 50;
        config.body_limit_bytes = 4 * 1024 * 1024;
    })
    .await
    .unwrap();
    let token = app.token(A).await;

    // gzip and br bodies are read as the document they encode.
    let (status, _, body) = post(
        &app,
        &token,
        Some("gzip"),
        gzip(concepts("gz", 10).as_bytes()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = post(
        &app,
        &token,
        Some("br"),
        brotli(concepts("br", 10).as_bytes()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(total(&app).await, 20);
    assert_eq!(
        app.resource_total("iri=https://begrep.example.no/caps/br3")
            .await,
        1
    );
    let before = app
        .sparql_count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        .await;

    // A bomb: 3 MiB of one repeated line squeezes to a few KiB, far past 50 times its size.
    let line = "# padding padding padding padding padding padding padding padding\n";
    let bomb = gzip(line.repeat(3 * 1024 * 1024 / line.len()).as_bytes());
    assert!(bomb.len() < 40 * 1024, "{} bytes", bomb.len());
    let (status, headers, body) = post(&app, &token, Some("gzip"), bomb).await;
    let detail = assert_problem(status, &headers, &body, 413);
    assert!(detail.contains("--max-compression-ratio"), "{detail}");

    // Past the body limit once decoded, whatever the ratio.
    let big = concepts("big", 60_000);
    assert!(big.len() > 4 * 1024 * 1024);
    let (status, headers, body) = post(&app, &token, Some("gzip"), gzip(big.as_bytes())).await;
    let detail = assert_problem(status, &headers, &body, 413);
    assert!(detail.contains("--body-limit"), "{detail}");

    // A coding semreg does not decode, and bytes that are not gzip.
    let (status, headers, body) =
        post(&app, &token, Some("zstd"), concepts("z", 1).into_bytes()).await;
    let detail = assert_problem(status, &headers, &body, 415);
    assert!(detail.contains("zstd"), "{detail}");
    assert_eq!(headers["accept-encoding"], "gzip, br");
    let (status, headers, body) = post(
        &app,
        &token,
        Some("gzip"),
        concepts("not-gz", 1).into_bytes(),
    )
    .await;
    let detail = assert_problem(status, &headers, &body, 400);
    assert!(detail.contains("gzip"), "{detail}");

    // One literal of 1 MiB + 1 byte, in an otherwise ordinary concept.
    let huge = format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://begrep.example.no/caps/huge> a skos:Concept ; skos:prefLabel \"huge\"@nb ;\n\
         skos:definition \"{}\"@nb .\n",
        "x".repeat(1024 * 1024 + 1)
    );
    let (status, headers, body) = post(&app, &token, None, huge.into_bytes()).await;
    let detail = assert_problem(status, &headers, &body, 413);
    assert!(
        detail.contains("https://begrep.example.no/caps/huge"),
        "{detail}"
    );
    assert!(
        detail.contains("http://www.w3.org/2004/02/skos/core#definition"),
        "{detail}"
    );
    assert!(detail.contains("--max-literal-bytes"), "{detail}");
    // Just under the cap is fine.
    let fits = format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://begrep.example.no/caps/fits> a skos:Concept ; skos:prefLabel \"fits\"@nb ;\n\
         skos:definition \"{}\"@nb .\n",
        "x".repeat(1024 * 1024 - 10)
    );
    let (status, _, body) = post(&app, &token, None, fits.into_bytes()).await;
    assert_eq!(status, 200, "{body}");

    // More triples than one import may hold (two per concept).
    let (status, headers, body) = post(
        &app,
        &token,
        None,
        concepts("many", TRIPLE_CAP).into_bytes(),
    )
    .await;
    let detail = assert_problem(status, &headers, &body, 413);
    assert!(detail.contains("--max-import-triples"), "{detail}");
    assert!(detail.contains(&format!("{}", TRIPLE_CAP * 2)), "{detail}");

    // Only the concept that fit was added by all of that.
    assert_eq!(total(&app).await, 21);
    let after = app
        .sparql_count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        .await;
    assert!(after > before && after < before + 20, "{before} -> {after}");
    for name in ["huge", "many0", "z0", "not-gz0", "big0"] {
        assert_eq!(
            app.resource_total(&format!("iri=https://begrep.example.no/caps/{name}"))
                .await,
            0,
            "{name}"
        );
    }
    app.stop().await;
}

/// Linux's number for the idle scheduling class, as `/proc/…/stat` shows a thread's policy.
const SCHED_IDLE: u32 = 5;

/// The SPARQL evaluation threads of this process (the server runs in the test process): their
/// thread id and scheduling policy, from `/proc/self/task/*/stat`.
fn sparql_threads() -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue; // the thread has just ended
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if &stat[open + 1..close] != semreg::http::sparql::RUNNER_NAME {
            continue;
        }
        // After the name: field 3 (state) onwards; the policy is field 41.
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let policy = fields[41 - 3].parse().unwrap();
        found.push((task.file_name().to_string_lossy().into_owned(), policy));
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_gets_its_share_of_running_sparql_queries_and_idle_connections_close() {
    let app = spawn_app_with(Backend::Sqlite, "input-limits-sparql", |config| {
        caps(config);
        config.rate_limits.sparql_running_per_client = 1;
        config.sparql_concurrency = 8;
        config.sparql_timeout = Duration::from_secs(3);
        config.input_limits.idle_timeout = Duration::from_secs(1);
    })
    .await
    .unwrap();
    let token = app.token(A).await;
    let (status, _, body) = post(&app, &token, None, concepts("s", 60).into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    // A query that runs until the time limit: a three-way cross product of every triple,
    // each row tested against the store. oxigraph notices its cancellation only when it reads
    // the store, so the test reads it on every row: a product computed in memory alone can run
    // for minutes past the deadline, holding its slot (as designed) and failing this test.
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } GRAPH ?g3 { ?h ?i ?j } FILTER NOT EXISTS { GRAPH ?g2 { ?a ?e ?j } } }";
    let here = reqwest::Client::builder()
        .local_address("127.0.0.1".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let there = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let running = {
        let request = here.get(app.url("/sparql")).query(&[("query", slow)]);
        tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The same address has no slot left; another address has.
    let response = here
        .get(app.url("/sparql"))
        .query(&[("query", "ASK { ?s ?p ?o }")])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    let detail = assert_problem(status, &headers, &body, 429);
    assert!(detail.contains("--sparql-per-client"), "{detail}");
    assert_eq!(headers["retry-after"], "1");
    let other = there
        .get(app.url("/sparql"))
        .query(&[("query", "ASK { ?s ?p ?o }")])
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    // When the slow query ends (cut off at the time limit: the answer goes out at the
    // deadline, the slot comes back when the evaluation has stopped), the slot is free again.
    let slow_status = running.await.unwrap();
    assert!(slow_status == 503 || slow_status == 200, "{slow_status}");
    let answered = Instant::now();
    let deadline = answered + Duration::from_secs(15);
    loop {
        let again = here
            .get(app.url("/sparql"))
            .query(&[("query", "ASK { ?s ?p ?o }")])
            .send()
            .await
            .unwrap();
        match again.status().as_u16() {
            200 => break,
            429 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            other => panic!("the slot never came back: {other}"),
        }
    }
    eprintln!(
        "the slot came back {:?} after the slow query was answered",
        answered.elapsed()
    );

    // A product computed in memory alone never reads the store, so it never notices its
    // cancellation: it is answered at the deadline and its thread is moved to the idle
    // scheduling class, where it takes only CPU time nothing else wants.
    let runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";
    let before = sparql_threads();
    let status = there
        .get(app.url("/sparql"))
        .query(&[("query", runaway)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 503);
    let demoted = Instant::now() + Duration::from_secs(5);
    let idle = loop {
        let now: Vec<(String, u32)> = sparql_threads()
            .into_iter()
            .filter(|thread| !before.contains(thread))
            .collect();
        if let Some(found) = now.iter().find(|(_, policy)| *policy == SCHED_IDLE) {
            break found.clone();
        }
        assert!(
            Instant::now() < demoted,
            "the runaway query's thread was not demoted: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("runaway SPARQL thread {} runs at SCHED_IDLE", idle.0);

    // A connection that sends nothing is closed after the idle timeout (the fast lane)...
    let addr = app.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(10), idle.read(&mut buf))
        .await
        .expect("closed before 10 s")
        .unwrap_or(0);
    assert_eq!(n, 0);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    // ...and so is one that was handed to hyper and then sat idle after its answer.
    let mut kept = tokio::net::TcpStream::connect(&addr).await.unwrap();
    kept.write_all(b"GET /api/v1/resources?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let started = Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match kept.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the kept-alive connection was not closed");
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    app.stop().await;
}
