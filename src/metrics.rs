//! Prometheus metrics: requests, latencies, imports, projection lag, harvests and webhook
//! deliveries.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The routes whose common answers are counted through pre-resolved handles.
pub const HOT_ROUTES: [&str; 6] = [
    "/api/v1/code-lists/{id}/codes",
    "/api/v1/code-lists/{id}/altinn-options",
    "/altinn/{org}/code_lists/{code_list_id}/{file}",
    "/fhir/ValueSet/$expand",
    "/fhir/CodeSystem/$validate-code",
    "/fhir/ValueSet/$validate-code",
];

/// The metrics of one semreg process.
pub struct Metrics {
    registry: Registry,
    /// HTTP requests by method, route and status.
    pub requests: IntCounterVec,
    /// HTTP request latency in seconds by method and route.
    pub latency: HistogramVec,
    /// Imported files by outcome (ok, failed).
    pub imports: IntCounterVec,
    /// Resources written by imports, by outcome (created, updated, unchanged).
    pub imported_resources: IntCounterVec,
    /// Changes not yet applied, per projection (graph, search).
    pub projection_lag: IntGaugeVec,
    /// Last applied seq, per projection.
    pub projection_seq: IntGaugeVec,
    /// Harvest runs by source and outcome (done, unchanged, error).
    pub harvest_runs: IntCounterVec,
    /// Unix time of each source's last successful run.
    pub harvest_last_success: IntGaugeVec,
    /// Duration of each source's last run, in milliseconds.
    pub harvest_duration_ms: IntGaugeVec,
    /// Webhook delivery attempts by subscription and outcome (ok, failed).
    pub webhook_deliveries: IntCounterVec,
    /// Changes delivered by webhooks, by subscription.
    pub webhook_changes: IntCounterVec,
    /// Subscriptions paused after failing for too long, by subscription.
    pub webhook_pauses: IntCounterVec,
    /// Duration of webhook delivery attempts, in seconds.
    pub webhook_delivery_seconds: prometheus::Histogram,
    /// A peer's changes not yet applied here, by peer id.
    pub peer_lag: IntGaugeVec,
    /// The last seq of a peer's feed applied here, by peer id.
    pub peer_seq: IntGaugeVec,
    /// Changes of peers applied (created, updated, retired, reactivated, unchanged, refused).
    pub peer_changes: IntCounterVec,
    /// Failed attempts to follow a peer, by peer id.
    pub peer_errors: IntCounterVec,
    hot: Vec<HotRoute>,
}

/// Metric handles of one hot route, resolved once.
struct HotRoute {
    route: &'static str,
    ok: prometheus::IntCounter,
    not_modified: prometheus::IntCounter,
    latency: prometheus::Histogram,
}

impl Metrics {
    /// Registers all metrics.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("semreg_http_requests_total", "HTTP requests"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "semreg_http_request_duration_seconds",
                "HTTP request latency",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        let imports = IntCounterVec::new(
            Opts::new("semreg_imports_total", "Imported files by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let imported_resources = IntCounterVec::new(
            Opts::new(
                "semreg_imported_resources_total",
                "Resources in imported files by outcome",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let projection_lag = IntGaugeVec::new(
            Opts::new(
                "semreg_projection_lag_changes",
                "Committed changes not yet applied to a projection",
            ),
            &["projection"],
        )
        .expect("valid metric");
        let projection_seq = IntGaugeVec::new(
            Opts::new("semreg_projection_seq", "Last change-log seq applied"),
            &["projection"],
        )
        .expect("valid metric");
        let harvest_runs = IntCounterVec::new(
            Opts::new(
                "semreg_harvest_runs_total",
                "Harvest runs by source and outcome",
            ),
            &["source", "outcome"],
        )
        .expect("valid metric");
        let harvest_last_success = IntGaugeVec::new(
            Opts::new(
                "semreg_harvest_last_success_timestamp_seconds",
                "Unix time of the source's last successful harvest run",
            ),
            &["source"],
        )
        .expect("valid metric");
        let harvest_duration_ms = IntGaugeVec::new(
            Opts::new(
                "semreg_harvest_last_duration_milliseconds",
                "Duration of the source's last harvest run",
            ),
            &["source"],
        )
        .expect("valid metric");
        let webhook_deliveries = IntCounterVec::new(
            Opts::new(
                "semreg_webhook_deliveries_total",
                "Webhook delivery attempts by subscription and outcome",
            ),
            &["subscription", "outcome"],
        )
        .expect("valid metric");
        let webhook_changes = IntCounterVec::new(
            Opts::new(
                "semreg_webhook_delivered_changes_total",
                "Changes delivered by webhooks, by subscription",
            ),
            &["subscription"],
        )
        .expect("valid metric");
        let webhook_pauses = IntCounterVec::new(
            Opts::new(
                "semreg_webhook_pauses_total",
                "Subscriptions paused after failing for too long",
            ),
            &["subscription"],
        )
        .expect("valid metric");
        let webhook_delivery_seconds = prometheus::Histogram::with_opts(
            HistogramOpts::new(
                "semreg_webhook_delivery_duration_seconds",
                "Duration of webhook delivery attempts",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
        )
        .expect("valid metric");
        let peer_lag = IntGaugeVec::new(
            Opts::new(
                "semreg_peer_lag_changes",
                "Changes of a followed peer not yet applied here",
            ),
            &["peer"],
        )
        .expect("valid metric");
        let peer_seq = IntGaugeVec::new(
            Opts::new("semreg_peer_seq", "Last seq of a peer's feed applied here"),
            &["peer"],
        )
        .expect("valid metric");
        let peer_changes = IntCounterVec::new(
            Opts::new(
                "semreg_peer_changes_total",
                "Changes of followed peers, by what became of them",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let peer_errors = IntCounterVec::new(
            Opts::new(
                "semreg_peer_errors_total",
                "Failed attempts to follow a peer (unreachable, timeout, garbage)",
            ),
            &["peer"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(peer_lag.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(peer_seq.clone()),
            Box::new(peer_changes.clone()),
            Box::new(peer_errors.clone()),
            Box::new(webhook_deliveries.clone()),
            Box::new(webhook_changes.clone()),
            Box::new(webhook_pauses.clone()),
            Box::new(webhook_delivery_seconds.clone()),
            Box::new(harvest_runs.clone()),
            Box::new(harvest_last_success.clone()),
            Box::new(harvest_duration_ms.clone()),
            Box::new(requests.clone()),
            Box::new(latency.clone()),
            Box::new(imports.clone()),
            Box::new(imported_resources.clone()),
            Box::new(projection_lag.clone()),
            Box::new(projection_seq.clone()),
        ] {
            registry.register(metric).expect("metric registered once");
        }
        let mut metrics = Self {
            peer_lag,
            peer_seq,
            peer_changes,
            peer_errors,
            registry,
            requests,
            latency,
            imports,
            imported_resources,
            projection_lag,
            projection_seq,
            harvest_runs,
            harvest_last_success,
            harvest_duration_ms,
            webhook_deliveries,
            webhook_changes,
            webhook_pauses,
            webhook_delivery_seconds,
            hot: Vec::new(),
        };
        for route in HOT_ROUTES {
            metrics.register_hot_route(route);
        }
        metrics
    }

    /// [`Metrics::observe`] for an answer known only by its status (the fast lane's).
    pub fn observe_status(
        &self,
        method: &str,
        route: &str,
        status: axum::http::StatusCode,
        started: std::time::Instant,
    ) {
        self.observe::<Status, Status>(method, route, &Ok(Status(status)), started);
    }

    /// Counts a request answered by a handler that records its own metrics (the hot code-list
    /// paths, which skip the metrics middleware).
    pub fn observe<T, E: HasStatus>(
        &self,
        method: &str,
        route: &str,
        result: &Result<T, E>,
        started: std::time::Instant,
    ) where
        T: HasStatus,
    {
        let status = match result {
            Ok(response) => response.status_code(),
            Err(error) => error.status_code(),
        };
        let elapsed = started.elapsed().as_secs_f64();
        // The common answers of the hot routes use handles resolved once: no label hashing.
        if let Some(hot) = self.hot.iter().find(|h| h.route == route) {
            let counter = match status.as_u16() {
                200 => Some(&hot.ok),
                304 => Some(&hot.not_modified),
                _ => None,
            };
            if let Some(counter) = counter {
                counter.inc();
                hot.latency.observe(elapsed);
                return;
            }
        }
        self.requests
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(elapsed);
    }

    /// Resolves the metric handles of a hot GET route once.
    pub fn register_hot_route(&mut self, route: &'static str) {
        self.hot.push(HotRoute {
            route,
            ok: self.requests.with_label_values(&["GET", route, "200"]),
            not_modified: self.requests.with_label_values(&["GET", route, "304"]),
            latency: self.latency.with_label_values(&["GET", route]),
        });
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let encoder = TextEncoder::new();
        if let Err(error) = encoder.encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(%error, "cannot encode metrics");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Something with an HTTP status, for [`Metrics::observe`].
pub trait HasStatus {
    /// The status it is answered with.
    fn status_code(&self) -> axum::http::StatusCode;
}

impl<B> HasStatus for axum::http::Response<B> {
    fn status_code(&self) -> axum::http::StatusCode {
        self.status()
    }
}

/// A bare status, for [`Metrics::observe_status`].
struct Status(axum::http::StatusCode);

impl HasStatus for Status {
    fn status_code(&self) -> axum::http::StatusCode {
        self.0
    }
}
