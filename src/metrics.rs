//! Prometheus metrics: requests, latencies, imports and projection lag.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

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
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(imports.clone()),
            Box::new(imported_resources.clone()),
            Box::new(projection_lag.clone()),
            Box::new(projection_seq.clone()),
        ] {
            registry.register(metric).expect("metric registered once");
        }
        Self {
            registry,
            requests,
            latency,
            imports,
            imported_resources,
            projection_lag,
            projection_seq,
        }
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
