//! Webhook subscriptions end to end, against the real `semreg serve` binary and a receiver on
//! a loopback port started here: every delivery's signature is checked with the Standard
//! Webhooks reference library; a receiver that fails the first attempts still gets every
//! change exactly once (after de-duplication by `webhook-id`) and in `seq` order, across a
//! kill and restart of semreg; filters by kind, publisher and id; a dead receiver is retried
//! for 24 simulated hours and then paused (not deleted), and resumes; a hanging receiver delays
//! no other subscription; only an admin manages subscriptions. On SQLite and PostgreSQL.

mod common;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::{free_port, Backend};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path as FsPath;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_semreg");
const PUBLISHER: &str = "974760673";
const OTHER: &str = "991825827";
/// A secret given at registration (24 bytes, base64).
const GIVEN_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// ---------------------------------------------------------------------------------------------
// semreg

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

fn semreg(data_dir: &FsPath, database_url: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env("SEMREG_DATA_DIR", data_dir)
        .env("SEMREG_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    command
}

async fn start(data_dir: &FsPath, database_url: &str, extra: &[&str]) -> Server {
    let port = free_port();
    let child = semreg(data_dir, database_url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        // The receiver is on loopback: the SSRF guard must allow it, as an operator would.
        .args(["--fetch-allow", "127.0.0.1", "--no-harvest-scheduler"])
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

fn create_token(data_dir: &FsPath, database_url: &str, args: &[&str]) -> String {
    let output = semreg(data_dir, database_url)
        .args(["token", "create"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A SKOS file with concepts `range` of `scheme` whose labels carry `word`.
fn concepts(scheme: &str, range: std::ops::Range<usize>, word: &str) -> String {
    let mut ttl = String::from("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n");
    for i in range {
        ttl.push_str(&format!(
            "<https://begrep.example.no/{scheme}/{i}> a skos:Concept ; skos:prefLabel \"{word} {i}\"@nb .\n"
        ));
    }
    ttl
}

/// A code list (a SKOS concept scheme with two codes) whose labels carry `word`.
fn code_list(name: &str, word: &str) -> String {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://kode.example.no/{name}> a skos:ConceptScheme ; skos:prefLabel \"{word} {name}\"@nb .\n\
         <https://kode.example.no/{name}/1> a skos:Concept ; skos:inScheme <https://kode.example.no/{name}> ; skos:notation \"1\" ; skos:prefLabel \"{word} en\"@nb .\n\
         <https://kode.example.no/{name}/2> a skos:Concept ; skos:inScheme <https://kode.example.no/{name}> ; skos:notation \"2\" ; skos:prefLabel \"{word} to\"@nb .\n"
    )
}

async fn import(server: &Server, token: &str, publisher: &str, ttl: String) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/import?format=turtle&publisher={publisher}",
            server.base
        ))
        .bearer_auth(token)
        .body(ttl)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(status, 200, "{}", response.text().await.unwrap());
}

/// GET a path as JSON, with `token` (none when empty: a public read).
async fn get_json(server: &Server, token: &str, path: &str) -> Value {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base));
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn register(server: &Server, token: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/subscriptions", server.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(status, 201, "{body}: {text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/v1/subscriptions/{}", created["id"].as_str().unwrap()).as_str())
    );
    created
}

/// The seqs of the changes `GET /api/v1/changes` lists after `since` with `filter`.
async fn feed_seqs(server: &Server, since: i64, filter: &str) -> Vec<i64> {
    let page = get_json(
        server,
        "",
        &format!("/api/v1/changes?since={since}&limit=1000{filter}"),
    )
    .await;
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["seq"].as_i64().unwrap())
        .collect()
}

async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The receiver

#[derive(Clone, Debug)]
enum Mode {
    /// 200.
    Ok,
    /// This status for the next `n` requests, then 200.
    FailNext(usize, u16),
    /// Always this status.
    Always(u16),
    /// Never answers (the request times out).
    Hang,
}

#[derive(Clone, Debug)]
struct Received {
    name: String,
    headers: HeaderMap,
    body: Bytes,
    answered: u16,
    at: Instant,
}

#[derive(Clone, Default)]
struct Receiver {
    modes: Arc<Mutex<HashMap<String, Mode>>>,
    received: Arc<Mutex<Vec<Received>>>,
    base: String,
}

async fn receive(
    State(receiver): State<Receiver>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let status = {
        let mut modes = receiver.modes.lock().unwrap();
        let mode = modes.entry(name.clone()).or_insert(Mode::Ok);
        match mode.clone() {
            Mode::Ok => Some(200),
            Mode::FailNext(0, _) => {
                *mode = Mode::Ok;
                Some(200)
            }
            Mode::FailNext(n, status) => {
                *mode = Mode::FailNext(n - 1, status);
                Some(status)
            }
            Mode::Always(status) => Some(status),
            Mode::Hang => None,
        }
    };
    receiver.received.lock().unwrap().push(Received {
        name,
        headers,
        body,
        answered: status.unwrap_or(0),
        at: Instant::now(),
    });
    match status {
        Some(status) => StatusCode::from_u16(status).unwrap(),
        None => {
            tokio::time::sleep(Duration::from_secs(600)).await;
            StatusCode::OK
        }
    }
}

impl Receiver {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut receiver = Receiver {
            base: format!("http://{}", listener.local_addr().unwrap()),
            ..Default::default()
        };
        let app = Router::new()
            .route("/hooks/{name}", post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver.base.push_str("/hooks");
        receiver
    }

    fn url(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }

    fn set(&self, name: &str, mode: Mode) {
        self.modes.lock().unwrap().insert(name.to_owned(), mode);
    }

    fn requests(&self, name: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.name == name)
            .cloned()
            .collect()
    }

    /// What the receiver took (answered 2xx), de-duplicated by `webhook-id`: each batch once,
    /// in the order it first arrived.
    fn batches(&self, name: &str) -> Vec<(String, Value)> {
        let mut seen = HashSet::new();
        let mut batches = Vec::new();
        for request in self.requests(name) {
            if !(200..300).contains(&request.answered) {
                continue;
            }
            let id = header(&request, "webhook-id");
            if seen.insert(id.clone()) {
                batches.push((id, serde_json::from_slice(&request.body).unwrap()));
            }
        }
        batches
    }

    /// The changes taken, de-duplicated, in arrival order.
    fn changes(&self, name: &str) -> Vec<Value> {
        self.batches(name)
            .into_iter()
            .flat_map(|(_, body)| body["data"]["changes"].as_array().unwrap().clone())
            .collect()
    }

    fn seqs(&self, name: &str) -> Vec<i64> {
        self.changes(name)
            .iter()
            .map(|c| c["seq"].as_i64().unwrap())
            .collect()
    }
}

fn header(request: &Received, name: &str) -> String {
    request
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("a delivery without {name}"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// Checks every request to `name` with the Standard Webhooks reference library, and that a
/// tampered body or a wrong secret fails its check.
fn verify_all(receiver: &Receiver, name: &str, secret: &str) -> usize {
    let webhook = standardwebhooks::Webhook::new(secret).unwrap();
    let requests = receiver.requests(name);
    for request in &requests {
        webhook
            .verify(&request.body, &request.headers)
            .unwrap_or_else(|e| panic!("{name}: signature check failed: {e:?}"));
        let signature = header(request, "webhook-signature");
        assert!(signature.starts_with("v1,"), "{signature}");
        let mut tampered = request.body.to_vec();
        tampered.push(b' ');
        assert!(webhook.verify(&tampered, &request.headers).is_err());
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["type"], "semreg.changes");
    }
    let other = standardwebhooks::Webhook::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
    if let Some(request) = requests.first() {
        assert!(other.verify(&request.body, &request.headers).is_err());
    }
    requests.len()
}

fn strictly_increasing(seqs: &[i64]) -> bool {
    seqs.windows(2).all(|w| w[0] < w[1])
}

// ---------------------------------------------------------------------------------------------
// Tests

async fn only_an_admin_manages_subscriptions_and_bad_ones_are_refused(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir.path(), "webhooks_admin").await else {
        return;
    };
    let admin = create_token(dir.path(), &url, &["--admin"]);
    let publisher = create_token(dir.path(), &url, &["--publisher", PUBLISHER]);
    let receiver = Receiver::start().await;
    let server = start(dir.path(), &url, &[]).await;
    let created = register(&server, &admin, json!({"url": receiver.url("x")})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    let body = json!({"url": receiver.url("y")});
    for (method, path) in [
        ("POST", "/api/v1/subscriptions".to_owned()),
        ("GET", "/api/v1/subscriptions".to_owned()),
        ("GET", format!("/api/v1/subscriptions/{id}")),
        ("DELETE", format!("/api/v1/subscriptions/{id}")),
        ("POST", format!("/api/v1/subscriptions/{id}/resume")),
        ("GET", format!("/api/v1/subscriptions/{id}/deliveries")),
    ] {
        for (token, expected) in [(None, 401), (Some(&publisher), 403)] {
            let mut request =
                client.request(method.parse().unwrap(), format!("{}{path}", server.base));
            if method == "POST" {
                request = request.json(&body);
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), expected, "{method} {path}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
        }
    }
    // Nothing changed: still one subscription, and no second one was made.
    let list = get_json(&server, &admin, "/api/v1/subscriptions").await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert!(list["items"][0].get("secret").is_none(), "{list}");

    // Bad registrations: 422 naming the problem, and nothing registered.
    for (bad, words) in [
        (json!({"url": "ftp://127.0.0.1/hook"}), "http"),
        (
            json!({"url": "http://169.254.169.254/latest"}),
            "169.254.169.254",
        ),
        (json!({"url": "http://10.1.2.3:8080/hook"}), "internal"),
        (json!({"url": "not a url"}), "url"),
        (json!({"url": ""}), "url"),
        (
            json!({"url": receiver.url("z"), "filter": {"kind": ["spaceship"]}}),
            "filter.kind",
        ),
        (
            json!({"url": receiver.url("z"), "filter": {"publisher": ["123"]}}),
            "filter.publisher",
        ),
        (
            json!({"url": receiver.url("z"), "secret": "hunter2"}),
            "whsec_",
        ),
        (
            json!({"url": receiver.url("z"), "secret": "whsec_c2hvcnQ="}),
            "bytes",
        ),
        (json!({"url": receiver.url("z"), "since": 999999}), "since"),
        (json!({"url": receiver.url("z"), "colour": "red"}), "colour"),
        (json!({"filter": {}}), "url"),
    ] {
        let response = client
            .post(format!("{}/api/v1/subscriptions", server.base))
            .bearer_auth(&admin)
            .json(&bad)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(status, 422, "{bad}: {problem}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(words), "{bad}: {detail}");
    }
    let list = get_json(&server, &admin, "/api/v1/subscriptions").await;
    assert_eq!(list["total"], 1, "{list}");

    // An unknown id is 404; the admin's delete is 204 and takes the log with it.
    let response = client
        .get(format!("{}/api/v1/subscriptions/nope", server.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = client
        .delete(format!("{}/api/v1/subscriptions/{id}", server.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let list = get_json(&server, &admin, "/api/v1/subscriptions?limit=10&offset=0").await;
    assert_eq!(list, json!({"total": 0, "items": []}));
}
both!(only_an_admin_manages_subscriptions_and_bad_ones_are_refused);

async fn deliveries_are_signed_ordered_exactly_once_filtered_and_survive_a_restart(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir.path(), "webhooks_restart").await else {
        return;
    };
    let admin = create_token(dir.path(), &url, &["--admin"]);
    let token_a = create_token(dir.path(), &url, &["--publisher", PUBLISHER]);
    let token_b = create_token(dir.path(), &url, &["--publisher", OTHER]);
    let receiver = Receiver::start().await;
    // Retry delays scaled down 1000 times (5 s is 5 ms); a killed process frees its
    // subscriptions within 3 + 2 s.
    let args = [
        "--webhook-time-scale",
        "1000",
        "--webhook-lease-secs",
        "3",
        "--webhook-timeout-secs",
        "2",
    ];
    let server = start(dir.path(), &url, &args).await;
    import(&server, &token_a, PUBLISHER, concepts("a", 0..4, "før")).await;
    let before = feed_seqs(&server, 0, "").await;
    let target = get_json(&server, "", "/api/v1/changes?limit=1000").await["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["iri"] == "https://begrep.example.no/a/1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    receiver.set("all", Mode::FailNext(3, 500));
    let all = register(&server, &admin, json!({"url": receiver.url("all")})).await;
    let secret = all["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(all["state"], "active");
    let since = all["cursor"].as_i64().unwrap();
    assert_eq!(
        since,
        *before.last().unwrap(),
        "starts at the end of the log"
    );
    let all_id = all["id"].as_str().unwrap().to_owned();
    let shown = get_json(&server, &admin, &format!("/api/v1/subscriptions/{all_id}")).await;
    assert!(
        shown.get("secret").is_none(),
        "the secret is shown once: {shown}"
    );
    assert_eq!(
        shown["filter"],
        json!({"kind": [], "publisher": [], "ids": []})
    );
    let kind = register(
        &server,
        &admin,
        json!({"url": receiver.url("kind"), "filter": {"kind": ["code-list"]}, "secret": GIVEN_SECRET}),
    )
    .await;
    assert_eq!(kind["secret"], GIVEN_SECRET);
    let publisher = register(
        &server,
        &admin,
        json!({"url": receiver.url("publisher"), "filter": {"publisher": [OTHER]}}),
    )
    .await;
    let ids = register(
        &server,
        &admin,
        json!({"url": receiver.url("ids"), "filter": {"ids": [target]}}),
    )
    .await;
    let history = register(
        &server,
        &admin,
        json!({"url": receiver.url("history"), "since": 0}),
    )
    .await;

    // Changes of every kind and both publishers.
    import(&server, &token_a, PUBLISHER, concepts("a", 0..4, "etter")).await;
    import(&server, &token_b, OTHER, concepts("b", 0..3, "ny")).await;
    import(&server, &token_a, PUBLISHER, code_list("farger", "v1")).await;
    import(&server, &token_b, OTHER, code_list("former", "v1")).await;
    import(&server, &token_a, PUBLISHER, concepts("a", 1..2, "igjen")).await;
    let expected = feed_seqs(&server, since, "").await;
    // 4 updated, 3 created, 2 code lists created, 1 updated again.
    assert_eq!(expected.len(), 10, "{expected:?}");
    eventually(
        "every change at the flaky receiver",
        Duration::from_secs(30),
        || {
            let done = receiver.seqs("all") == expected;
            async move { done }
        },
    )
    .await;

    // The first batch failed three times and was then taken: four attempts, one webhook-id.
    let attempts = receiver.requests("all");
    let first_id = header(&attempts[0], "webhook-id");
    assert!(attempts.len() >= 4);
    for (n, attempt) in attempts[..4].iter().enumerate() {
        assert_eq!(header(attempt, "webhook-id"), first_id, "attempt {n}");
        assert_eq!(attempt.answered, if n < 3 { 500 } else { 200 });
    }
    let log = get_json(
        &server,
        &admin,
        &format!("/api/v1/subscriptions/{all_id}/deliveries?limit=1000"),
    )
    .await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(log["total"].as_u64().unwrap() as usize, items.len());
    assert_eq!(
        items.len(),
        attempts.len(),
        "one log entry per attempt: {log}"
    );
    let oldest: Vec<&Value> = items.iter().rev().take(4).collect();
    for (n, entry) in oldest.iter().enumerate() {
        assert_eq!(entry["webhookId"], first_id.as_str());
        assert_eq!(entry["attempt"], n as i64 + 1, "{entry}");
        assert_eq!(entry["ok"], n == 3, "{entry}");
        assert_eq!(entry["status"], if n < 3 { 500 } else { 200 });
    }
    assert!(oldest[0]["error"].as_str().unwrap().contains("500"));

    // Kill semreg with a batch failing; write while it is down (the CLI, into the same
    // store); start it again on the same data dir.
    receiver.set("all", Mode::FailNext(2, 503));
    import(&server, &token_b, OTHER, concepts("b", 3..6, "ny")).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let before_kill = receiver.requests("all").len();
    drop(server);
    let file = dir.path().join("while-down.ttl");
    std::fs::write(&file, concepts("c", 0..5, "mens nede")).unwrap();
    let output = semreg(dir.path(), &url)
        .args(["import", "--publisher", OTHER, "--format", "turtle"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let server = start(dir.path(), &url, &args).await;
    import(&server, &token_a, PUBLISHER, code_list("farger", "v2")).await;
    let expected = feed_seqs(&server, since, "").await;
    eventually(
        "every change at the receiver after the restart",
        Duration::from_secs(60),
        || {
            let done = receiver.seqs("all") == expected;
            async move { done }
        },
    )
    .await;
    assert!(receiver.requests("all").len() > before_kill);
    let seqs = receiver.seqs("all");
    assert!(strictly_increasing(&seqs), "in seq order, once: {seqs:?}");

    // Filters: each subscription got exactly what the feed lists for its filter.
    let by_kind = feed_seqs(&server, since, "&kind=code-list").await;
    let by_publisher = feed_seqs(&server, since, &format!("&publisher={OTHER}")).await;
    let by_id = feed_seqs(&server, since, &format!("&id={target}")).await;
    let everything = feed_seqs(&server, 0, "").await;
    for (name, expected) in [
        ("kind", &by_kind),
        ("publisher", &by_publisher),
        ("ids", &by_id),
        ("history", &everything),
    ] {
        assert!(!expected.is_empty(), "{name}");
        eventually(name, Duration::from_secs(30), || {
            let done = receiver.seqs(name) == *expected;
            async move { done }
        })
        .await;
    }
    assert!(by_kind.len() < expected.len() && by_publisher.len() < expected.len());
    assert!(
        by_id.len() == 2,
        "created before, then updated twice: {by_id:?}"
    );
    assert!(receiver
        .changes("kind")
        .iter()
        .all(|c| c["kind"] == "code-list"));
    assert!(receiver
        .changes("publisher")
        .iter()
        .all(|c| c["publisher"] == OTHER));
    assert!(receiver
        .changes("ids")
        .iter()
        .all(|c| c["id"] == target.as_str()));
    // A delivered change has the feed's shape.
    let feed = get_json(
        &server,
        "",
        &format!("/api/v1/changes?since={since}&limit=1"),
    )
    .await;
    assert_eq!(receiver.changes("all")[0], feed["changes"][0]);
    let (_, first_batch) = &receiver.batches("all")[0];
    assert_eq!(first_batch["data"]["subscription"], all_id.as_str());

    // Every request carried a valid signature (checked by the reference library).
    let mut checked = 0;
    for (name, secret) in [
        ("all", secret.as_str()),
        ("kind", GIVEN_SECRET),
        ("publisher", publisher["secret"].as_str().unwrap()),
        ("ids", ids["secret"].as_str().unwrap()),
        ("history", history["secret"].as_str().unwrap()),
    ] {
        checked += verify_all(&receiver, name, secret);
    }
    eprintln!("{checked} deliveries verified");

    // The state survived the restart: cursor at the end, nothing in flight, the log kept.
    let shown = get_json(&server, &admin, &format!("/api/v1/subscriptions/{all_id}")).await;
    assert_eq!(shown["cursor"], *expected.last().unwrap());
    assert!(shown["pending"].is_null(), "{shown}");
    assert_eq!(shown["attempts"], 0);
    let log = get_json(
        &server,
        &admin,
        &format!("/api/v1/subscriptions/{all_id}/deliveries?limit=1000"),
    )
    .await;
    // Every attempt, before and after the restart, is in the log — but for one that was out
    // when semreg was killed (its outcome was never recorded; the batch went out again).
    let logged = log["total"].as_u64().unwrap() as usize;
    let sent = receiver.requests("all").len();
    assert!(
        logged == sent || logged + 1 == sent,
        "{logged} logged, {sent} sent"
    );
    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("semreg_webhook_deliveries_total{outcome=\"ok\""),
        "{metrics}"
    );
    assert!(metrics.contains("semreg_webhook_delivered_changes_total"));
}
both!(deliveries_are_signed_ordered_exactly_once_filtered_and_survive_a_restart);

async fn a_dead_receiver_is_paused_after_24_simulated_hours_and_a_hanging_one_delays_no_other(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir.path(), "webhooks_pause").await else {
        return;
    };
    let admin = create_token(dir.path(), &url, &["--admin"]);
    let token = create_token(dir.path(), &url, &["--publisher", PUBLISHER]);
    let receiver = Receiver::start().await;
    // An hour of backoff in half a second; attempts time out after 5 s (real).
    const SCALE: f64 = 7200.0;
    let server = start(
        dir.path(),
        &url,
        &[
            "--webhook-time-scale",
            "7200",
            "--webhook-timeout-secs",
            "5",
        ],
    )
    .await;
    receiver.set("dead", Mode::Always(503));
    receiver.set("hanging", Mode::Hang);
    let dead = register(&server, &admin, json!({"url": receiver.url("dead")})).await;
    let dead_id = dead["id"].as_str().unwrap().to_owned();
    register(&server, &admin, json!({"url": receiver.url("hanging")})).await;
    register(&server, &admin, json!({"url": receiver.url("fine")})).await;

    import(&server, &token, PUBLISHER, concepts("d", 0..2, "en")).await;
    let first = feed_seqs(&server, 0, "").await;
    eventually(
        "the fine receiver's delivery",
        Duration::from_secs(10),
        || {
            let done = receiver.seqs("fine") == first;
            async move { done }
        },
    )
    .await;
    // The fine subscription was delivered while the hanging receiver still held its first
    // attempt (which ends only at the 5 s timeout): no attempt of it is logged yet.
    let hanging_id = get_json(&server, &admin, "/api/v1/subscriptions").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["url"] == receiver.url("hanging").as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hanging_log = format!("/api/v1/subscriptions/{hanging_id}/deliveries");
    eventually(
        "the hanging attempt is out",
        Duration::from_secs(10),
        || {
            let out = !receiver.requests("hanging").is_empty();
            async move { out }
        },
    )
    .await;
    assert_eq!(
        get_json(&server, &admin, &hanging_log).await["total"],
        0,
        "a hanging receiver must not delay another subscription"
    );

    // The dead receiver: retried with backoff until 24 h (simulated) of failures, then paused.
    let waited = eventually(
        "the dead subscription paused",
        Duration::from_secs(120),
        || {
            let server = &server;
            let (admin, id) = (&admin, &dead_id);
            async move {
                get_json(server, admin, &format!("/api/v1/subscriptions/{id}")).await["state"]
                    == "paused"
            }
        },
    )
    .await;
    eprintln!("paused after {} ms (real)", waited.as_millis());
    let shown = get_json(&server, &admin, &format!("/api/v1/subscriptions/{dead_id}")).await;
    assert!(shown["pausedAt"].is_string(), "{shown}");
    assert!(shown["failingSince"].is_string(), "{shown}");
    assert!(shown["nextAttemptAt"].is_null(), "{shown}");
    assert!(
        shown["failingForSeconds"].as_i64().unwrap() >= 24 * 3600,
        "{shown}"
    );
    assert!(
        shown["lastError"].as_str().unwrap().contains("503"),
        "{shown}"
    );
    let pending_id = shown["pending"]["webhookId"].as_str().unwrap().to_owned();
    let list = get_json(&server, &admin, "/api/v1/subscriptions").await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == dead_id.as_str() && s["state"] == "paused"),
        "paused, not deleted: {list}"
    );
    let attempts = receiver.requests("dead");
    let span = attempts.last().unwrap().at - attempts[0].at;
    let simulated = span.as_secs_f64() * SCALE;
    eprintln!(
        "{} attempts over {:.1} s real, {:.1} h simulated",
        attempts.len(),
        span.as_secs_f64(),
        simulated / 3600.0
    );
    assert!(
        simulated >= 24.0 * 3600.0,
        "retried for {simulated} s simulated"
    );
    // 5 s doubling to an hour, then hourly (±20 %): about 10 + 20 attempts in 24 h.
    assert!(attempts.len() >= 25, "{} attempts", attempts.len());
    assert!(attempts
        .iter()
        .all(|a| header(a, "webhook-id") == pending_id));
    let gaps: Vec<f64> = attempts
        .windows(2)
        .map(|w| (w[1].at - w[0].at).as_secs_f64() * SCALE)
        .collect();
    // (Each gap also holds the attempt's own real milliseconds, scaled up 7200 times.)
    let last = gaps[gaps.len() - 1];
    assert!(
        last > 2000.0 && gaps[0] < last / 4.0,
        "backoff grows: {gaps:?}"
    );
    let log = get_json(
        &server,
        &admin,
        &format!("/api/v1/subscriptions/{dead_id}/deliveries?limit=1000"),
    )
    .await;
    assert_eq!(log["total"].as_u64().unwrap() as usize, attempts.len());
    let items = log["items"].as_array().unwrap();
    assert!(items.iter().all(|d| d["ok"] == false && d["status"] == 503));
    assert_eq!(items[0]["attempt"], attempts.len() as i64);
    verify_all(&receiver, "dead", dead["secret"].as_str().unwrap());

    // While paused nothing is sent, even when there is something new.
    import(&server, &token, PUBLISHER, concepts("d", 2..3, "to")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.requests("dead").len(), attempts.len());

    // Resumed, the same batch (same webhook-id) is delivered, then the new change.
    receiver.set("dead", Mode::Ok);
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/subscriptions/{dead_id}/resume",
            server.base
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let resumed: Value = response.json().await.unwrap();
    assert_eq!(resumed["state"], "active");
    assert!(resumed["pausedAt"].is_null());
    let all = feed_seqs(&server, 0, "").await;
    eventually(
        "the resumed subscription catches up",
        Duration::from_secs(10),
        || {
            let done = receiver.seqs("dead") == all;
            async move { done }
        },
    )
    .await;
    assert_eq!(receiver.batches("dead")[0].0, pending_id);
    let shown = get_json(&server, &admin, &format!("/api/v1/subscriptions/{dead_id}")).await;
    assert!(shown["failingSince"].is_null(), "{shown}");
    assert_eq!(shown["cursor"], *all.last().unwrap());

    // The hanging receiver's attempts time out and are logged as such; the fine one has all.
    let log = get_json(&server, &admin, &hanging_log).await;
    let first_error = log["items"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(first_error.contains("did not answer within 5 s"), "{log}");
    eventually("the fine receiver has all", Duration::from_secs(10), || {
        let done = receiver.seqs("fine") == all;
        async move { done }
    })
    .await;
    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!(
            "semreg_webhook_pauses_total{{subscription=\"{dead_id}\"}} 1"
        )),
        "{metrics}"
    );
}
both!(a_dead_receiver_is_paused_after_24_simulated_hours_and_a_hanging_one_delays_no_other);

/// Replicas share a store of record only on PostgreSQL, so this runs there alone.
async fn two_replicas_on_one_database_never_both_deliver(backend: Backend) {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir_a.path(), "webhooks_replicas").await else {
        return;
    };
    let admin = create_token(dir_a.path(), &url, &["--admin"]);
    let token = create_token(dir_a.path(), &url, &["--publisher", PUBLISHER]);
    let receiver = Receiver::start().await;
    let a = start(dir_a.path(), &url, &[]).await;
    let b = start(dir_b.path(), &url, &[]).await;
    let mut secrets = Vec::new();
    for i in 0..4 {
        let name = format!("r{i}");
        let created = register(&a, &admin, json!({"url": receiver.url(&name)})).await;
        secrets.push((name, created["secret"].as_str().unwrap().to_owned()));
    }
    for round in 0..10 {
        let server = if round % 2 == 0 { &a } else { &b };
        import(
            server,
            &token,
            PUBLISHER,
            concepts("r", round..round + 3, "runde"),
        )
        .await;
    }
    let expected = feed_seqs(&a, 0, "").await;
    for (name, secret) in &secrets {
        eventually(name, Duration::from_secs(30), || {
            let done = receiver.seqs(name) == expected;
            async move { done }
        })
        .await;
        // Each batch was sent once: had both replicas delivered, ids or changes would repeat.
        let requests = receiver.requests(name);
        let ids: HashSet<String> = requests.iter().map(|r| header(r, "webhook-id")).collect();
        assert_eq!(ids.len(), requests.len(), "{name}: a batch sent twice");
        verify_all(&receiver, name, secret);
    }
}
mod two_replicas_on_one_database_never_both_deliver {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::two_replicas_on_one_database_never_both_deliver(crate::common::Backend::Postgres)
            .await
    }
}
