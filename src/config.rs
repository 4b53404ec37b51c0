//! Configuration, read once at start (from CLI flags and `SEMREG_*` environment variables).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the store lives and how the server behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data dir: the SQLite file (by default) and the projections.
    pub data_dir: PathBuf,
    /// Store of record URL; `None` means the SQLite file in the data dir.
    pub database_url: Option<String>,
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Time limit of one SPARQL query.
    pub sparql_timeout: Duration,
    /// Longest time the router spends on one request (the fast lane's memoized code-list
    /// answers aside); longer ones get 503.
    pub request_timeout: Duration,
    /// Most rows (or triples) a SPARQL query returns.
    pub sparql_result_limit: usize,
    /// Most SPARQL queries evaluated at once; more get 503.
    pub sparql_concurrency: usize,
    /// Most searches run at once off the async workers (costly ones: many matches, no words,
    /// many words); more wait their turn. 0: half the cores, at least one.
    pub search_concurrency: usize,
    /// How often the server looks for changes written by other processes.
    pub poll_interval: Duration,
    /// Fast-lane threads (each its own runtime and `SO_REUSEPORT` listener); 0 serves
    /// everything on the main runtime.
    pub serve_threads: usize,
    /// The URL this instance is reached at (IRIs of the catalogs it serves); `None` takes it
    /// from each request's `Host`.
    pub public_url: Option<String>,
    /// SHACL shapes files (Turtle) the quality reports validate against.
    pub shacl_shapes: Vec<PathBuf>,
    /// Vocabularies the shapes' `sh:class` constraints need (Turtle or RDF/XML).
    pub shacl_vocabularies: Vec<PathBuf>,
    /// The outbound HTTP client: allow-list, timeouts, size cap.
    pub fetch: crate::fetch::FetchConfig,
    /// Whether `serve` runs the harvest scheduler.
    pub harvest_scheduler: bool,
    /// How often the scheduler looks for sources that are due.
    pub harvest_tick: Duration,
    /// How long a run holds its source without renewing (a crashed run frees it after this).
    pub harvest_lease: Duration,
    /// Harvest runs at once at most (per process).
    pub harvest_concurrency: usize,
    /// This instance's name, as `GET /api/v1/instance` gives it.
    pub instance_name: String,
    /// How often an idle Server-Sent Events stream of the change feed sends a heartbeat.
    pub feed_heartbeat: Duration,
    /// How long a follower's long poll of a peer's feed waits for a change.
    pub peer_poll_wait: Duration,
    /// Whether `serve` runs a follower per peer.
    pub followers: bool,
    /// JWT access tokens: trusted issuers and how their keys are cached.
    pub jwt: crate::auth::jwt::JwtConfig,
    /// Per-client quotas of writes, searches and SPARQL queries.
    pub rate_limits: crate::auth::limits::RateLimitConfig,
    /// Caps on what one request may carry or hold (compression, literals, triples, idle
    /// connections).
    pub input_limits: InputLimits,
    /// Webhook deliveries: whether `serve` runs the worker, timeouts, lease, backoff.
    pub webhooks: crate::webhooks::WebhookConfig,
}

/// Caps on what one request may carry or hold, beyond the body limit. Their defaults are far
/// above normal use, the benchmarks and the API fuzzing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Most times its compressed size a gzip or br request body may decode to (0: no ratio
    /// limit); the decoded body is held to the body limit too.
    pub max_compression_ratio: u64,
    /// Largest single literal an import may hold, in bytes.
    pub max_literal_bytes: usize,
    /// Most triples one import may hold.
    pub max_import_triples: usize,
    /// How long a connection may sit idle, or take to send a request's head, before it is
    /// closed.
    pub idle_timeout: Duration,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_compression_ratio: 200,
            max_literal_bytes: 1024 * 1024,
            max_import_triples: 10_000_000,
            idle_timeout: Duration::from_secs(65),
        }
    }
}

impl Config {
    /// What one import may hold (`--max-literal-bytes`, `--max-import-triples`).
    pub fn import_caps(&self) -> crate::registry::ImportCaps {
        crate::registry::ImportCaps {
            max_literal_bytes: self.input_limits.max_literal_bytes,
            max_triples: self.input_limits.max_import_triples,
        }
    }

    /// A configuration with defaults for everything but the data dir.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit_bytes: 50 * 1024 * 1024,
            sparql_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(300),
            sparql_result_limit: 10_000,
            sparql_concurrency: 4,
            search_concurrency: 0,
            poll_interval: Duration::from_millis(250),
            serve_threads: 0,
            public_url: None,
            shacl_shapes: Vec::new(),
            shacl_vocabularies: Vec::new(),
            fetch: crate::fetch::FetchConfig::default(),
            harvest_scheduler: true,
            harvest_tick: Duration::from_secs(1),
            harvest_lease: Duration::from_secs(30),
            harvest_concurrency: 8,
            instance_name: "semreg".to_owned(),
            feed_heartbeat: Duration::from_secs(15),
            peer_poll_wait: Duration::from_secs(20),
            followers: true,
            jwt: crate::auth::jwt::JwtConfig::default(),
            rate_limits: crate::auth::limits::RateLimitConfig::default(),
            input_limits: InputLimits::default(),
            webhooks: crate::webhooks::WebhookConfig::default(),
        }
    }

    /// The store-of-record URL to use.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| crate::store::default_sqlite_url(&self.data_dir))
    }
}
