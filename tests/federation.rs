//! Federation end to end: real `semreg serve` processes on loopback ports, each with its own
//! data dir (one on PostgreSQL when `SEMREG_TEST_POSTGRES_URL` is set), following each other.
//! A publish on A reaches B's search, SPARQL and code-list API (same codes, same ETag) within a
//! second, and C through B with origin A; retirements propagate; a write of a copy is 403 and
//! changes nothing; a follower that was down catches up exactly; a restored peer (new epoch)
//! is resynced; A ↔ B and A → B → C → A cycles stay clean; a peer answering garbage is
//! reported with backoff and never delays the others.

mod common;
use common::free_port;

use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_semreg");
const PUBLISHER: &str = "974760673";
const OTHER: &str = "991825827";
const THIRD: &str = "971526920";

/// One semreg instance: a data dir, a store, a fixed port (a restart keeps its URL).
struct Node {
    dir: tempfile::TempDir,
    database_url: String,
    port: u16,
    child: Option<Child>,
    admin: String,
    client: reqwest::Client,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Node {
    /// A new instance on SQLite, or on a fresh PostgreSQL database when `postgres` and the
    /// test server is configured.
    async fn new(postgres: bool, test: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let database_url = if postgres {
            match common::fresh_postgres_url(test).await {
                Some(url) => url,
                None => semreg::store::default_sqlite_url(dir.path()),
            }
        } else {
            semreg::store::default_sqlite_url(dir.path())
        };
        let mut node = Node {
            dir,
            database_url,
            port: free_port(),
            child: None,
            admin: String::new(),
            client: reqwest::Client::new(),
        };
        node.admin = node.cli(&["token", "create", "--admin"]);
        node.start().await;
        node
    }

    fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .env("SEMREG_DATA_DIR", self.dir.path())
            .env("SEMREG_DATABASE_URL", &self.database_url)
            // Peers here are on loopback: allow it, as an operator would for an intranet.
            .env("SEMREG_FETCH_ALLOW", "127.0.0.1")
            .env("SEMREG_PEER_POLL_WAIT_SECS", "2")
            .env("RUST_LOG", "warn");
        command
    }

    /// Runs a CLI command on this instance's store; its standard output, trimmed.
    fn cli(&self, args: &[&str]) -> String {
        let output = self.command().args(args).output().unwrap();
        assert!(
            output.status.success(),
            "semreg {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    async fn start(&mut self) {
        let child = self
            .command()
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = self.client.get(self.url("/healthz")).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "semreg serve did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    async fn instance_id(&self) -> String {
        self.get("/api/v1/instance").await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn last_seq(&self) -> i64 {
        self.get("/api/v1/instance").await["lastSeq"]
            .as_i64()
            .unwrap()
    }

    /// Follows `peer` through the API (admin token).
    async fn follow(&self, peer: &Node) {
        let response = self
            .client
            .post(self.url("/api/v1/peers"))
            .bearer_auth(&self.admin)
            .json(&serde_json::json!({"url": peer.base()}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }

    async fn peers(&self) -> Value {
        let response = self
            .client
            .get(self.url("/api/v1/peers"))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Waits until every peer has been reached and has nothing left to apply.
    async fn wait_idle(&self) {
        eventually(Duration::from_secs(30), || async {
            let peers = self.peers().await;
            peers["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| !p["instance"].is_null() && p["lag"] == 0 && p["lastError"].is_null())
        })
        .await;
    }

    async fn import(&self, publisher: &str, ttl: &str) -> reqwest::Response {
        let token = self.cli(&["token", "create", "--publisher", publisher]);
        self.client
            .post(self.url(&format!(
                "/api/v1/import?format=turtle&publisher={publisher}"
            )))
            .bearer_auth(token)
            .body(ttl.to_owned())
            .send()
            .await
            .unwrap()
    }

    async fn import_ok(&self, publisher: &str, ttl: &str) {
        let response = self.import(publisher, ttl).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    /// Every resource as (iri, version, hash, status, origin instance), sorted.
    async fn state(&self) -> Vec<(String, i64, String, String, String)> {
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .get(&format!("/api/v1/resources?limit=1000&offset={offset}"))
                .await;
            let items = page["items"].as_array().unwrap();
            for item in items {
                let id = item["id"].as_str().unwrap();
                let full = self.get(&format!("/api/v1/resources/{id}")).await;
                all.push((
                    item["iri"].as_str().unwrap().to_owned(),
                    item["version"].as_i64().unwrap(),
                    full["contentHash"].as_str().unwrap().to_owned(),
                    item["status"].as_str().unwrap().to_owned(),
                    item["origin"]["instance"].as_str().unwrap().to_owned(),
                ));
            }
            offset += items.len();
            if items.is_empty() || offset as u64 >= page["total"].as_u64().unwrap() {
                break;
            }
        }
        all.sort();
        all
    }

    async fn search_total(&self, query: &str) -> u64 {
        self.get(&format!("/api/v1/search?{query}")).await["total"]
            .as_u64()
            .unwrap()
    }

    async fn sparql_ask(&self, query: &str) -> bool {
        let response = self
            .client
            .get(self.url("/sparql"))
            .query(&[("query", query)])
            .header("accept", "application/sparql-results+json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.unwrap()["boolean"] == true
    }
}

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
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `n` concepts under `scheme` whose labels carry `word`.
fn concepts(scheme: &str, n: usize, word: &str) -> String {
    let mut ttl = String::from("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n");
    for i in 0..n {
        ttl.push_str(&format!(
            "<https://begrep.example.no/{scheme}/{i}> a skos:Concept ; skos:prefLabel \"{word} {i}\"@nb .\n"
        ));
    }
    ttl
}

/// A code list (a concept scheme with coded concepts) under the alias `alias`.
fn code_list(alias: &str, word: &str) -> String {
    let mut ttl = String::from(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix semreg: <https://w3id.org/semreg/ns#> .\n",
    );
    ttl.push_str(&format!(
        "<https://example.org/lists/{alias}> a skos:ConceptScheme ; skos:prefLabel \"{word}\"@nb ; semreg:alias \"{alias}\" .\n"
    ));
    for code in ["01", "02", "03"] {
        ttl.push_str(&format!(
            "<https://example.org/lists/{alias}/{code}> a skos:Concept ; skos:inScheme <https://example.org/lists/{alias}> ; skos:topConceptOf <https://example.org/lists/{alias}> ; skos:notation \"{code}\" ; skos:prefLabel \"{word} {code}\"@nb .\n"
        ));
    }
    ttl
}

/// A loopback server that answers every request with a 200 that is not JSON.
fn garbage_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let body = "<html>this is not a semreg</html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

async fn code_list_answer(node: &Node, alias: &str) -> Option<(String, Value)> {
    let response = node
        .client
        .get(node.url(&format!("/api/v1/code-lists/{alias}/codes")))
        .send()
        .await
        .unwrap();
    if response.status() != 200 {
        return None;
    }
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    Some((etag, response.json().await.unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_publish_reaches_followers_with_its_origin_and_copies_are_read_only() {
    let mut a = Node::new(false, "federation_publish").await;
    let b = Node::new(true, "federation_publish").await;
    let c = Node::new(false, "federation_publish").await;
    let a_id = a.instance_id().await;
    b.follow(&a).await;
    // B also follows a peer that answers garbage: reported, retried, and no delay for A's.
    let garbage = garbage_server();
    let response = b
        .client
        .post(b.url("/api/v1/peers"))
        .bearer_auth(&b.admin)
        .json(&serde_json::json!({ "url": garbage }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    // C follows B from the command line, beside its running server.
    let added = c.cli(&["peer", "add", &b.base()]);
    assert!(added.contains(&b.base()), "{added}");
    eventually(Duration::from_secs(30), || async {
        let peers = b.peers().await;
        let items = peers["items"].as_array().unwrap();
        items
            .iter()
            .any(|p| p["url"] == a.base() && p["instance"] == a_id.as_str())
            && items.iter().any(|p| {
                p["url"] == garbage
                    && p["failures"].as_i64().unwrap_or(0) >= 1
                    && p["lastError"]
                        .as_str()
                        .is_some_and(|e| e.contains("not an instance description"))
            })
    })
    .await;
    c.wait_idle().await;
    let listed = c.cli(&["peer", "list"]);
    assert!(
        listed.contains(&b.base()) && listed.contains("last seq"),
        "{listed}"
    );

    // Publish on A: within a second on B in search (with the origin filter and facet), in
    // SPARQL (PROV-O) and in the code-list API with the same codes and ETag.
    a.import_ok(PUBLISHER, &concepts("fed", 3, "fjellrev"))
        .await;
    a.import_ok(PUBLISHER, &code_list("fed-fylker", "Fylker"))
        .await;
    let (a_etag, a_codes) = code_list_answer(&a, "fed-fylker").await.unwrap();
    let concept_iri = "https://begrep.example.no/fed/1";
    let ask = format!(
        "ASK {{ <{concept_iri}> <http://www.w3.org/ns/prov#wasAttributedTo> <urn:uuid:{a_id}> }}"
    );
    // The goal is a second; a debug build on a loaded CI machine gets three.
    let limit = Duration::from_millis(if cfg!(debug_assertions) { 3000 } else { 1000 });
    let took = eventually(limit, || async {
        b.search_total(&format!("q=fjellrev&origin={a_id}")).await == 3
            && b.sparql_ask(&ask).await
            && code_list_answer(&b, "fed-fylker")
                .await
                .is_some_and(|(etag, body)| etag == a_etag && body == a_codes)
    })
    .await;
    eprintln!("publish on A -> searchable, in SPARQL and served as a code list on B: {took:?}");
    let search = b.get("/api/v1/search?q=fjellrev").await;
    assert_eq!(search["facets"]["origin"][&a_id], 3, "{search}");
    assert_eq!(search["hits"][0]["origin"], a_id.as_str());

    // C follows B and gets A's resources with origin A (not B), once.
    eventually(Duration::from_secs(10), || async {
        c.search_total("q=fjellrev").await == 3
    })
    .await;
    let listed = c
        .get(&format!("/api/v1/resources?iri={}", urlencode(concept_iri)))
        .await;
    assert_eq!(listed["total"], 1);
    let item = &listed["items"][0];
    assert_eq!(item["origin"]["instance"], a_id.as_str());
    assert_eq!(item["origin"]["url"], a.base().as_str());
    let id = item["id"].as_str().unwrap().to_owned();
    let on_b = b.get(&format!("/api/v1/resources/{id}")).await;
    let on_a = a.get(&format!("/api/v1/resources/{id}")).await;
    assert_eq!(on_b["origin"]["instance"], a_id.as_str());
    assert_eq!(on_b["origin"]["mirrored"], true);
    assert_eq!(on_b["origin"]["hash"], on_a["contentHash"]);
    assert_eq!(on_b["contentHash"], on_a["contentHash"]);
    assert_eq!(on_a["origin"]["instance"], a_id.as_str());
    assert_eq!(on_a["origin"]["mirrored"], false);
    assert_eq!(b.state().await, a.state().await);
    assert_eq!(c.state().await, a.state().await);
    // The resource list filters by origin: on C every resource is A's, none is C's or B's.
    let a_total = a.get("/api/v1/resources?limit=0").await["total"].clone();
    assert!(a_total.as_u64().unwrap() > 3, "{a_total}");
    let of_a = c
        .get(&format!("/api/v1/resources?origin={a_id}&limit=0"))
        .await;
    assert_eq!(of_a["total"], a_total);
    let b_id = b.instance_id().await;
    let of_b = c
        .get(&format!("/api/v1/resources?origin={b_id}&limit=0"))
        .await;
    assert_eq!(of_b["total"], 0);

    // Writing a copy on B is 403, names the origin, and changes nothing.
    let before = b.state().await;
    let b_seq = b.last_seq().await;
    let refused = b
        .import(PUBLISHER, &concepts("fed", 3, "overskrevet"))
        .await;
    assert_eq!(refused.status(), 403);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains(&a_id),
        "{problem}"
    );
    assert_eq!(b.state().await, before);
    assert_eq!(b.last_seq().await, b_seq);

    // Retire on A (a whole-catalog push without the concepts): retired on B and C; back
    // again when A delivers them again.
    let token = a.cli(&["token", "create", "--publisher", PUBLISHER]);
    let pushed = a
        .client
        .put(a.url(&format!("/api/v1/publishers/{PUBLISHER}/catalog")))
        .bearer_auth(&token)
        .header("content-type", "text/turtle")
        .body(code_list("fed-fylker", "Fylker"))
        .send()
        .await
        .unwrap();
    assert_eq!(pushed.status(), 200, "{}", pushed.text().await.unwrap());
    let status_of = |node: &Node, id: String| {
        let url = node.url(&format!("/api/v1/resources/{id}"));
        let client = node.client.clone();
        async move {
            let body: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            body["status"].as_str().unwrap().to_owned()
        }
    };
    eventually(Duration::from_secs(10), || async {
        status_of(&b, id.clone()).await == "retired" && status_of(&c, id.clone()).await == "retired"
    })
    .await;
    // B's projections follow its store of record on their own (the follower does not wait).
    eventually(Duration::from_secs(10), || async {
        b.search_total("q=fjellrev").await == 0
    })
    .await;
    a.import_ok(PUBLISHER, &concepts("fed", 3, "fjellrev"))
        .await;
    eventually(Duration::from_secs(10), || async {
        status_of(&b, id.clone()).await == "valid" && status_of(&c, id.clone()).await == "valid"
    })
    .await;
    b.wait_idle_except(&garbage).await;
    c.wait_idle().await;
    assert_eq!(b.state().await, a.state().await);
    assert_eq!(c.state().await, a.state().await);

    // The garbage peer shows in the metrics; A's changes were never held up by it.
    let metrics = b
        .client
        .get(b.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("semreg_peer_errors_total"), "{metrics}");
    assert!(metrics.contains("semreg_peer_lag_changes"));

    // Removing a peer keeps the copies.
    let peers = c.peers().await;
    let peer_id = peers["items"][0]["id"].as_str().unwrap().to_owned();
    let removed = c
        .client
        .delete(c.url(&format!("/api/v1/peers/{peer_id}")))
        .bearer_auth(&c.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(c.peers().await["total"], 0);
    assert_eq!(c.state().await, a.state().await);
    a.stop();
}

impl Node {
    /// As [`Node::wait_idle`], for every peer but `except`.
    async fn wait_idle_except(&self, except: &str) {
        eventually(Duration::from_secs(30), || async {
            let peers = self.peers().await;
            peers["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["url"] != except)
                .all(|p| !p["instance"].is_null() && p["lag"] == 0 && p["lastError"].is_null())
        })
        .await;
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_follower_catches_up_after_downtime_and_resyncs_after_a_restore() {
    let mut a = Node::new(true, "federation_catch_up").await;
    let mut b = Node::new(false, "federation_catch_up").await;
    let a_id = a.instance_id().await;
    b.follow(&a).await;
    a.import_ok(PUBLISHER, &concepts("cu", 10, "elg")).await;
    eventually(Duration::from_secs(10), || async {
        b.search_total("q=elg").await == 10
    })
    .await;
    b.wait_idle().await;

    // B is down while A changes 100 times.
    b.stop();
    for round in 0..100 {
        let i = round % 10;
        let ttl = format!(
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<https://begrep.example.no/cu/{i}> a skos:Concept ; skos:prefLabel \"elg {i} runde {round}\"@nb .\n"
        );
        a.import_ok(PUBLISHER, &ttl).await;
    }
    let a_seq = a.last_seq().await;
    b.start().await;
    eventually(Duration::from_secs(30), || async {
        let peers = b.peers().await;
        peers["items"][0]["lastSeq"] == a_seq && peers["items"][0]["lag"] == 0
    })
    .await;
    let a_state = a.state().await;
    assert_eq!(a_state.len(), 10);
    assert!(a_state.iter().all(|(_, version, ..)| *version == 11));
    assert_eq!(b.state().await, a_state);
    eventually(Duration::from_secs(10), || async {
        b.search_total("q=runde").await == 10
    })
    .await;

    // A is restored from a backup: a new epoch. B resyncs from the start, idempotently.
    a.stop();
    {
        let db = semreg::store::connect(&a.database_url).await.unwrap();
        semreg::federation::Instance::renew_epoch(&db)
            .await
            .unwrap();
        db.close().await.ok();
    }
    a.start().await;
    let b_seq = b.last_seq().await;
    eventually(Duration::from_secs(60), || async {
        let peers = b.peers().await;
        peers["items"][0]["resyncs"] == 1
            && peers["items"][0]["lastSeq"] == a_seq
            && peers["items"][0]["lag"] == 0
    })
    .await;
    assert_eq!(b.state().await, a_state);
    assert_eq!(
        b.last_seq().await,
        b_seq,
        "a resync of what B holds writes nothing"
    );
    // A real restore from a backup taken before three more concepts: B resyncs again and
    // retires its copies of the three, which the restored A no longer has.
    let backup = a.dir.path().join("before-tapt.backup");
    a.cli(&["export", "--all", "-o", backup.to_str().unwrap()]);
    a.import_ok(PUBLISHER, &concepts("tapt", 3, "tapt")).await;
    eventually(Duration::from_secs(10), || async {
        b.search_total("q=tapt").await == 3
    })
    .await;
    a.stop();
    a.cli(&["restore", "--force", backup.to_str().unwrap()]);
    a.start().await;
    eventually(Duration::from_secs(60), || async {
        let peers = b.peers().await;
        peers["items"][0]["resyncs"] == 2 && b.search_total("q=tapt").await == 0
    })
    .await;
    let b_state = b.state().await;
    let (gone, kept): (Vec<_>, Vec<_>) = b_state
        .into_iter()
        .partition(|(iri, ..)| iri.contains("/tapt/"));
    assert_eq!(kept, a_state, "B holds what the restored A holds");
    assert_eq!(gone.len(), 3);
    assert!(
        gone.iter()
            .all(|(.., status, origin)| status == "retired" && *origin == a_id),
        "the copies the restored A no longer has are retired on B: {gone:?}"
    );
    // Retired copies stay findable when asked for, with their origin.
    assert_eq!(b.search_total("q=tapt&status=retired").await, 3);

    // And B keeps following the restored A.
    a.import_ok(PUBLISHER, &concepts("cu2", 2, "jerv")).await;
    eventually(Duration::from_secs(10), || async {
        b.search_total("q=jerv").await == 2
    })
    .await;

    // A resync cut short: B is stopped after it began resyncing a restored A and applied part
    // of A's log. Started again, it begins the resync anew and still retires what A lost.
    let backup = a.dir.path().join("before-ulv.backup");
    a.cli(&["export", "--all", "-o", backup.to_str().unwrap()]);
    a.import_ok(PUBLISHER, &concepts("ulv", 3, "ulv")).await;
    eventually(Duration::from_secs(10), || async {
        b.search_total("q=ulv").await == 3
    })
    .await;
    b.wait_idle().await;
    b.stop();
    a.stop();
    a.cli(&["restore", "--force", backup.to_str().unwrap()]);
    a.start().await;
    let instance = a.get("/api/v1/instance").await;
    let restored_seq = instance["lastSeq"].as_i64().unwrap();
    {
        // What B had kept when it stopped: the new epoch seen, the resync begun (up to A's log
        // end), all of A's log but its last change applied. Going on from there, B would see
        // only that last change and take everything else for gone.
        use sea_orm::ConnectionTrait;
        let db = semreg::store::connect(&b.database_url).await.unwrap();
        let done = db
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                // B is on SQLite (`Node::new(false, ..)`).
                "UPDATE peers SET peer_epoch = ?, resync_until = ?, last_seq = ?, resyncs = resyncs + 1",
                [
                    instance["epoch"].as_str().unwrap().into(),
                    restored_seq.into(),
                    (restored_seq - 1).into(),
                ],
            ))
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 1);
        db.close().await.ok();
    }
    b.start().await;
    eventually(Duration::from_secs(60), || async {
        let peers = b.peers().await;
        peers["items"][0]["lastSeq"] == restored_seq
            && peers["items"][0]["lag"] == 0
            && b.search_total("q=ulv").await == 0
    })
    .await;
    let a_state = a.state().await;
    let (gone, kept): (Vec<_>, Vec<_>) = b
        .state()
        .await
        .into_iter()
        .filter(|(iri, ..)| !iri.contains("/tapt/"))
        .partition(|(iri, ..)| iri.contains("/ulv/"));
    assert_eq!(kept, a_state, "B holds what the restored A holds");
    assert_eq!(gone.len(), 3);
    assert!(
        gone.iter()
            .all(|(.., status, origin)| status == "retired" && *origin == a_id),
        "the copies A lost are retired on B after a resync cut short: {gone:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cycles_and_meshes_never_duplicate_ping_pong_or_re_own() {
    let a = Node::new(false, "federation_cycles").await;
    let b = Node::new(false, "federation_cycles").await;
    let c = Node::new(true, "federation_cycles").await;
    let (a_id, b_id, c_id) = (
        a.instance_id().await,
        b.instance_id().await,
        c.instance_id().await,
    );
    // A ↔ B, and A → B → C → A (each arrow: "is followed by").
    b.follow(&a).await;
    a.follow(&b).await;
    c.follow(&b).await;
    a.follow(&c).await;
    a.import_ok(PUBLISHER, &concepts("ca", 4, "oter")).await;
    b.import_ok(OTHER, &concepts("cb", 3, "grevling")).await;
    c.import_ok(THIRD, &concepts("cc", 2, "mår")).await;
    for node in [&a, &b, &c] {
        eventually(Duration::from_secs(20), || async {
            node.get("/api/v1/resources?limit=0").await["total"] == 9
        })
        .await;
    }
    for node in [&a, &b, &c] {
        node.wait_idle().await;
    }
    // Quiet for a while: no change keeps circling.
    let seqs = (a.last_seq().await, b.last_seq().await, c.last_seq().await);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        (a.last_seq().await, b.last_seq().await, c.last_seq().await),
        seqs,
        "no ping-pong"
    );
    let state = a.state().await;
    assert_eq!(state.len(), 9, "no duplicate");
    assert_eq!(b.state().await, state);
    assert_eq!(c.state().await, state);
    let owned = |who: &str| state.iter().filter(|r| r.4 == who).count();
    assert_eq!(
        (owned(&a_id), owned(&b_id), owned(&c_id)),
        (4, 3, 2),
        "no ownership change"
    );
    // Each copy was stored once, at its origin's version.
    assert!(state.iter().all(|r| r.1 == 1));
    // An update on C travels C → A → B (and back to C, which skips its own).
    c.import_ok(THIRD, &concepts("cc", 2, "mårhund")).await;
    for node in [&a, &b] {
        eventually(Duration::from_secs(20), || async {
            node.search_total("q=mårhund").await == 2
        })
        .await;
    }
    for node in [&a, &b, &c] {
        node.wait_idle().await;
    }
    let state = c.state().await;
    assert_eq!(a.state().await, state);
    assert_eq!(b.state().await, state);
    assert_eq!(state.iter().filter(|r| r.1 == 2).count(), 2);
}
