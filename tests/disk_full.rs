//! Disk full: the data dir (SQLite file, RDF store, search index) on a small tmpfs that the
//! test fills. Writes then fail cleanly (507 with a problem JSON and `Retry-After`), nothing
//! acknowledged is lost, reads keep answering, and writes are taken again once space is freed,
//! without a restart. Needs root (it mounts a tmpfs), as CI and the development machine run.

mod common;

use common::spawn_on;
use std::path::Path;
use std::time::{Duration, Instant};

const PUBLISHER: &str = "974760673";

struct Mount(std::path::PathBuf);

impl Mount {
    /// Mounts a tmpfs of `mib` MiB on `dir` (needs root, as CI and the development machine run).
    fn tmpfs(dir: &Path, mib: u32) -> Self {
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir)
            .status()
            .expect("run mount");
        assert!(
            mounted.success(),
            "this test mounts a {mib} MiB tmpfs and needs root"
        );
        Mount(dir.to_owned())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

fn batch(i: usize) -> String {
    let mut ttl = String::from("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n");
    for k in 0..150 {
        ttl.push_str(&format!(
            "<https://full.example/{i}/{k}> a skos:Concept ; skos:prefLabel \"fylt {i} {k} {}\"@nb .\n",
            "x".repeat(200)
        ));
    }
    ttl
}

fn fill(dir: &Path, leave_kib: u64) -> std::path::PathBuf {
    let stat = nix_free_kib(dir);
    let filler = dir.join("filler");
    let size = stat.saturating_sub(leave_kib) * 1024;
    let file = std::fs::File::create(&filler).unwrap();
    // Written, not sparse: tmpfs counts written pages only.
    use std::io::Write;
    let mut out = std::io::BufWriter::new(file);
    let chunk = vec![0u8; 1 << 16];
    let mut written = 0u64;
    while written < size {
        if out.write_all(&chunk).is_err() {
            break;
        }
        written += chunk.len() as u64;
    }
    let _ = out.flush();
    filler
}

fn nix_free_kib(dir: &Path) -> u64 {
    let output = std::process::Command::new("df")
        .args(["-k", "--output=avail"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_fail_cleanly_on_a_full_disk_and_resume_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mount = Mount::tmpfs(dir.path(), 40);
    let data = tempfile::tempdir_in(dir.path()).unwrap();
    let url = semreg::store::default_sqlite_url(data.path());
    let app = spawn_on(data, url.clone(), |_| {}).await;
    let token = app.token(PUBLISHER).await;
    let filler = fill(dir.path(), 4_000);

    let mut acknowledged = Vec::new();
    let mut refused = 0;
    let mut consecutive = 0;
    for i in 0..200 {
        let response = app
            .import(Some(&token), "format=turtle", batch(i).into())
            .await;
        let status = response.status();
        if status == 200 {
            acknowledged.push(i);
            consecutive = 0;
            continue;
        }
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let retry = response.headers().get("retry-after").cloned();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(status, 507, "a write on a full disk: {body}");
        assert!(retry.is_some(), "507 tells when to retry");
        assert!(body["detail"].as_str().unwrap().contains("disk is full"));
        refused += 1;
        consecutive += 1;
        // Reads keep answering while the disk is full.
        assert_eq!(
            app.client
                .get(app.url("/api/v1/resources?limit=1"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(
            app.client
                .get(app.url("/api/v1/search?q=fylt"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        if consecutive >= 5 {
            break;
        }
    }
    assert!(
        refused >= 5,
        "the disk filled ({} writes taken)",
        acknowledged.len()
    );
    assert!(!acknowledged.is_empty());
    let present = |app: &common::TestApp, i: usize| {
        let url = app.url(&format!(
            "/api/v1/resources?iri=https%3A%2F%2Ffull.example%2F{i}%2F149"
        ));
        let client = app.client.clone();
        async move {
            let json: serde_json::Value =
                client.get(url).send().await.unwrap().json().await.unwrap();
            json["total"] == 1
        }
    };
    for &i in &acknowledged {
        assert!(
            present(&app, i).await,
            "acknowledged import {i} lost on a full disk"
        );
    }

    // Space returns: writes are taken again, without a restart.
    std::fs::remove_file(&filler).unwrap();
    let started = Instant::now();
    let next = 1000;
    loop {
        let response = app
            .import(Some(&token), "format=turtle", batch(next).into())
            .await;
        if response.status() == 200 {
            acknowledged.push(next);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "writes not taken again after space returned: {}",
            response.status()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The projections catch up with everything acknowledged.
    let started = Instant::now();
    loop {
        let search: serde_json::Value = app.get_json("/api/v1/search?q=fylt&limit=1").await;
        let total = app.resource_total("").await;
        if search["total"].as_u64() == Some(total) {
            assert_eq!(total as usize, acknowledged.len() * 150);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "search {} vs store {total}",
            search["total"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // And after a restart, everything acknowledged is still there.
    let (data, url) = app.stop().await;
    let app = spawn_on(data, url, |_| {}).await;
    for &i in &acknowledged {
        assert!(
            present(&app, i).await,
            "acknowledged import {i} lost after restart"
        );
    }
    eprintln!(
        "disk full: {} imports acknowledged, {refused} refused with 507, 0 lost; writes taken again after space returned",
        acknowledged.len()
    );
    app.stop().await;
    drop(mount);
}

/// The store of record has room but the projections' disk is full: the commit is kept, the
/// catch-up fails, and once space returns the next catch-up applies everything. (The test
/// above reaches this only when the disk happens to fill between the SQLite commit and the
/// search index's; tantivy's writer was then dead for good and search stayed behind.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projections_catch_up_after_their_disk_was_full() {
    use semreg::registry::{self, Actor, ImportRequest};
    let store_dir = tempfile::tempdir().unwrap();
    let db = semreg::store::connect(&semreg::store::default_sqlite_url(store_dir.path()))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mount = Mount::tmpfs(dir.path(), 24);
    let projections =
        std::sync::Arc::new(semreg::projections::Projections::open(dir.path()).unwrap());
    let config = semreg::config::Config::with_data_dir(store_dir.path());
    let import = |i: usize| ImportRequest {
        file_name: Some(format!("batch-{i}.ttl")),
        format: Some(semreg_importers::Format::Turtle),
        bytes: batch(i).into_bytes(),
        publisher: Some(semreg::ids::OrgNr::parse(PUBLISHER).unwrap()),
        actor: Actor::Operator,
        params: Default::default(),
        status: registry::WriteStatus::Valid,
        caps: config.import_caps(),
        audit: semreg::auth::audit::Context::new(
            semreg::auth::audit::Actor::operator(),
            semreg::auth::audit::Action::IMPORT,
        ),
    };
    registry::import_file(&db, import(0)).await.unwrap();
    projections.catch_up(&db).await.unwrap();
    assert_eq!(projections.search.doc_count(), 150);

    let filler = fill(dir.path(), 0);
    let mut failed = 0;
    for i in 1..=20 {
        registry::import_file(&db, import(i)).await.unwrap();
        if projections.catch_up(&db).await.is_err() {
            failed += 1;
        }
    }
    assert!(failed > 0, "the projections' disk did not fill");
    let last = semreg::store::last_seq(&db).await.unwrap();
    let (graph, search) = projections.watermarks();
    assert!(
        graph.min(search) < last,
        "a failed catch-up moved a watermark"
    );

    std::fs::remove_file(&filler).unwrap();
    projections
        .catch_up(&db)
        .await
        .expect("the projections catch up once space returns");
    assert_eq!(projections.watermarks(), (last, last));
    assert_eq!(projections.search.doc_count(), 21 * 150);
    assert_eq!(projections.graph.graph_count().unwrap(), 21 * 150);
    eprintln!(
        "projections on a full disk: {failed} catch-ups failed, all applied once space returned"
    );
    drop(projections);
    drop(mount);
}

/// PostgreSQL as the store of record and the data dir (RDF store, search index) on a tmpfs the
/// test fills: the store of record has room, so every write commits and is answered 200; reads
/// go on; SPARQL and search stay behind while the data dir is full and catch up with every
/// acknowledged write once space returns, without a restart; after a restart all is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_full_data_dir_holds_back_only_the_projections() {
    let Some(url) = common::fresh_postgres_url("disk_full on PostgreSQL").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mount = Mount::tmpfs(dir.path(), 24);
    let data = tempfile::tempdir_in(dir.path()).unwrap();
    let app = spawn_on(data, url, |_| {}).await;
    let token = app.token(PUBLISHER).await;
    let graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let searched = |app: &common::TestApp| {
        let url = app.url("/api/v1/search?q=fylt&limit=1");
        let client = app.client.clone();
        async move {
            let json: serde_json::Value =
                client.get(url).send().await.unwrap().json().await.unwrap();
            json["total"].as_u64().unwrap()
        }
    };
    let response = app
        .import(Some(&token), "format=turtle", batch(0).into())
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(searched(&app).await, 150);

    let filler = fill(dir.path(), 0);
    for i in 1..=10 {
        let response = app
            .import(Some(&token), "format=turtle", batch(i).into())
            .await;
        assert_eq!(
            response.status(),
            200,
            "the store of record has room: import {i} commits"
        );
        // Reads keep answering: the store of record's lists, search, SPARQL.
        assert_eq!(
            app.resource_total("kind=concept").await,
            (i as u64 + 1) * 150
        );
        assert!(searched(&app).await >= 150);
        assert!(app.sparql_count(graphs).await >= 150);
    }
    let behind = searched(&app).await;
    assert!(
        behind < 11 * 150,
        "the data dir did not fill: search has all {behind}"
    );

    std::fs::remove_file(&filler).unwrap();
    let started = Instant::now();
    while searched(&app).await < 11 * 150 || app.sparql_count(graphs).await < 11 * 150 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the projections did not catch up after space returned: search {}",
            searched(&app).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(searched(&app).await, 11 * 150);
    assert_eq!(app.sparql_count(graphs).await, 11 * 150);

    let (data, url) = app.stop().await;
    let app = spawn_on(data, url, |_| {}).await;
    assert_eq!(app.resource_total("kind=concept").await, 11 * 150);
    assert_eq!(searched(&app).await, 11 * 150);
    eprintln!(
        "disk full on PostgreSQL: 10 imports acknowledged while the data dir was full (search had {behind} of {}), all searchable once space returned",
        11 * 150
    );
    app.stop().await;
    drop(mount);
}
