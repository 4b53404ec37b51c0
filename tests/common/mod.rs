//! Test helpers: a real app (real SQLite file or a fresh PostgreSQL database, real oxigraph
//! and tantivy in a temp dir) served on a loopback port, and a client for it.
#![allow(dead_code)] // each test binary uses a different part of this module

use semreg::app::{App, AppState};
use semreg::config::Config;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A loopback port free at the moment of asking (for a server a test starts as a process).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Which store of record a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the test's data dir.
    Sqlite,
    /// A fresh database on the server of `SEMREG_TEST_POSTGRES_URL`.
    Postgres,
}

/// A running test server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The app, for direct domain calls.
    pub app: Arc<App>,
    /// The data dir (kept alive as long as the test app).
    pub dir: tempfile::TempDir,
    /// The store-of-record URL.
    pub database_url: String,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The server and change-poller tasks, stopped when dropped.
    pub tasks: Vec<AbortOnDrop>,
}

/// A task that is aborted when this handle is dropped.
pub struct AbortOnDrop(pub Option<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}

impl AbortOnDrop {
    /// Aborts the task and waits until it has dropped what it held.
    pub async fn stop(mut self) {
        if let Some(handle) = self.0.take() {
            handle.abort();
            let _ = handle.await;
        }
    }
}

/// The shared data files, beside the checkout. The checkout's path is read when the test runs,
/// not when it is compiled: CI builds from other clones into the same cached target dir, and
/// cargo reuses a test binary built elsewhere, whose compiled-in path may be gone.
pub fn shared_data(relative: &str) -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative)
}

/// A URL for a brand-new PostgreSQL database, or `None` (with a loud message) when
/// `SEMREG_TEST_POSTGRES_URL` is not set.
pub async fn fresh_postgres_url(test: &str) -> Option<String> {
    let Ok(admin_url) = std::env::var("SEMREG_TEST_POSTGRES_URL") else {
        eprintln!(
            "SKIPPED {test} on PostgreSQL: SEMREG_TEST_POSTGRES_URL is not set (run .ci/run, or start a cluster with .ci/postgres.sh)"
        );
        return None;
    };
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(admin_url.as_str())
        .await
        .expect("connect to the test PostgreSQL server");
    let name = format!("semreg_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    admin.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .expect("URL with a database path");
    Some(format!("{base}/{name}"))
}

/// The database URL for a backend, or `None` when that backend is not available.
pub async fn database_url(backend: Backend, dir: &Path, test: &str) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(semreg::store::default_sqlite_url(dir)),
        Backend::Postgres => fresh_postgres_url(test).await,
    }
}

/// Starts an app on a loopback port, with a config adjusted by `tune`.
pub async fn spawn_app_with(
    backend: Backend,
    test: &str,
    tune: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = database_url(backend, dir.path(), test).await?;
    spawn_on(dir, database_url, tune).await.into()
}

/// Starts an app on an existing data dir and database.
pub async fn spawn_on(
    dir: tempfile::TempDir,
    database_url: String,
    tune: impl FnOnce(&mut Config),
) -> TestApp {
    let mut config = Config::with_data_dir(dir.path());
    config.database_url = Some(database_url.clone());
    tune(&mut config);
    let app = App::open(config).await.expect("app opens");
    let poller = app.spawn_change_poller();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState(app.clone());
    // The server `semreg serve` runs: the fast lane, then hyper and the router.
    let server = tokio::spawn(async move {
        semreg::http::serve_until(state, listener, std::future::pending())
            .await
            .expect("server runs");
    });
    TestApp {
        base,
        app,
        dir,
        database_url,
        client: reqwest::Client::new(),
        tasks: vec![AbortOnDrop(Some(server)), AbortOnDrop(Some(poller))],
    }
}

/// Starts an app with the default configuration.
pub async fn spawn_app(backend: Backend, test: &str) -> Option<TestApp> {
    spawn_app_with(backend, test, |_| {}).await
}

impl TestApp {
    /// Stops the server and closes the stores; gives back the data dir and database URL so a
    /// test can start again on them.
    pub async fn stop(self) -> (tempfile::TempDir, String) {
        let TestApp {
            app,
            dir,
            database_url,
            tasks,
            ..
        } = self;
        for task in tasks {
            task.stop().await;
        }
        let db = app.db.clone();
        let projections = app.projections.clone();
        drop(app);
        // Blocking tasks (a SPARQL query, a search) may hold the stores a moment longer; the
        // RDF store closes its files only when the last holder lets go.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::sync::Arc::strong_count(&projections) > 1 && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        drop(projections);
        db.close().await.ok();
        (dir, database_url)
    }

    /// A URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET a path and its body as text, whatever the status.
    pub async fn text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body")
    }

    /// GET a path and parse JSON, asserting a 200.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.client.get(self.url(path)).send().await.expect("GET");
        let status = response.status();
        let body = response.text().await.expect("body");
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).expect("JSON body")
    }

    /// Creates a token for a publisher.
    pub async fn token(&self, publisher: &str) -> String {
        semreg::registry::tokens::create_token(
            &self.app.db,
            &semreg::ids::OrgNr::parse(publisher).expect("org nr"),
        )
        .await
        .expect("token")
    }

    /// POSTs a file to the import API.
    pub async fn import(
        &self,
        token: Option<&str>,
        query: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(&format!("/api/v1/import?{query}")))
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("POST import")
    }

    /// A SPARQL SELECT whose single binding is a count.
    pub async fn sparql_count(&self, query: &str) -> u64 {
        let response = self
            .client
            .get(self.url("/sparql"))
            .query(&[("query", query)])
            .header("accept", "application/sparql-results+json")
            .send()
            .await
            .expect("SPARQL");
        assert_eq!(response.status(), 200);
        let json: serde_json::Value = response.json().await.expect("JSON");
        let binding = &json["results"]["bindings"][0];
        let (_, value) = binding
            .as_object()
            .and_then(|o| o.iter().next())
            .expect("one binding");
        value["value"].as_str().unwrap().parse().unwrap()
    }

    /// Total of `/api/v1/resources` for a query string.
    pub async fn resource_total(&self, query: &str) -> u64 {
        self.get_json(&format!("/api/v1/resources?{query}")).await["total"]
            .as_u64()
            .unwrap()
    }

    /// GETs `{path}?{query}` for each `(query, needle)` and asserts a 400 problem whose
    /// `detail` contains the needle (the parameter or what it must be).
    pub async fn assert_bad_queries(&self, path: &str, cases: &[(&str, &str)]) {
        for (query, needle) in cases {
            let response = self
                .client
                .get(self.url(&format!("{path}?{query}")))
                .send()
                .await
                .expect("GET");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.text().await.expect("body");
            let detail = assert_problem(status, &headers, &body, 400);
            assert!(detail.contains(needle), "{path}?{query}: {body}");
        }
    }
}

/// Asserts a problem JSON body (RFC 9457) with this status; returns its `detail`.
pub fn assert_problem(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &str,
    want: u16,
) -> String {
    assert_eq!(status, want, "{body}");
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(content_type, "application/problem+json", "{body}");
    let problem: serde_json::Value = serde_json::from_str(body).expect("problem JSON");
    assert_eq!(problem["status"], want, "{body}");
    problem["detail"].as_str().unwrap_or_default().to_owned()
}

/// Declares a test that runs on SQLite and on PostgreSQL: `both!(name);` needs
/// `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    };
}

/// Where `.ci/tools.sh` installs third-party test tools.
fn tools_dir() -> PathBuf {
    std::env::var_os("SEMREG_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/semreg-tools"))
}

/// Reports a missing third-party tool: a loud SKIPPED line, or a failure when `CI` is set
/// (CI installs every tool, so a missing one there is a broken run, not a skip).
fn missing_tool(test: &str, what: &str) {
    let message = format!(
        "SKIPPED {test}: {what} is missing (install it with `source .ci/tools.sh && ensure_python_tools && ensure_node_tools`)"
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") {
        panic!("{message}; CI must not skip it");
    }
    eprintln!("{message}");
}

/// The Python interpreter of the tools venv if it can import `module`, else `None` (loudly).
pub fn python_tool(test: &str, module: &str) -> Option<PathBuf> {
    let python = tools_dir().join("venv/bin/python");
    let ok = python.is_file()
        && std::process::Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        missing_tool(
            test,
            &format!("the Python package {module} ({})", python.display()),
        );
        None
    }
}

/// `tests/node/<area>` with its npm packages installed, else `None` (loudly).
pub fn node_area(test: &str, area: &str) -> Option<PathBuf> {
    let dir = Path::new(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/node")
    .join(area);
    let node = std::process::Command::new("node").arg("--version").output();
    if node.is_ok_and(|o| o.status.success()) && dir.join("node_modules").is_dir() {
        Some(dir)
    } else {
        missing_tool(
            test,
            &format!("Node.js or the npm packages of {}", dir.display()),
        );
        None
    }
}

/// Headless Chromium for the browser tests (`SEMREG_CHROMIUM`, else Debian's
/// `/usr/bin/chromium`), else `None` (loudly).
pub fn chromium(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("SEMREG_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        Some(path)
    } else {
        missing_tool(test, &format!("Chromium ({})", path.display()));
        None
    }
}

/// A directory for files a person looks at after a run (screenshots), under the target dir:
/// the test binary is `<target>/debug/deps/<name>`.
pub fn artifacts_dir(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let dir = target.join(name);
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}
