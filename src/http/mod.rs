//! The HTTP API: router, middleware (problem JSON, body limit, metrics, tracing) and handlers.
//! Handlers stay short: extract, call the domain, shape the response.

pub mod audit;
pub mod auth;
pub mod changes;
pub mod code_lists;
pub mod concepts;
pub mod decompress;
pub mod extract;
pub mod fast;
pub mod fhir;
pub mod forms;
pub mod import;
pub mod mappings;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod peers;
pub mod resources;
pub mod search;
pub mod service_models;
pub mod sparql;
pub mod subscriptions;
pub mod sync;
pub mod tokens;
pub mod types;

/// The error type and its places, shared with the web pages (see [`crate::problem`]).
pub use crate::problem;

use crate::app::AppState;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::time::Instant;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Builds the router with every route and middleware.
pub fn router(state: AppState) -> Router {
    router_with_routes(state, Router::new())
}

/// The router with `extra` routes added under the same middleware (problem JSON, compression,
/// metrics, tracing, panics caught) — for embedding semreg's API in a larger service, and for
/// tests that need a route of their own.
pub fn router_with_routes(state: AppState, extra: Router<AppState>) -> Router {
    let (router, openapi) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(resources::list_resources))
        .routes(routes!(resources::get_resource))
        .routes(routes!(resources::list_versions))
        .routes(routes!(resources::get_version))
        .routes(routes!(changes::list_changes))
        .routes(routes!(changes::get_instance))
        .routes(routes!(search::search_resources))
        .routes(routes!(search::suggest))
        .routes(routes!(sparql::sparql_get, sparql::sparql_post))
        .routes(routes!(import::import_file))
        .routes(routes!(code_lists::get_code_list_changes))
        .routes(routes!(code_lists::get_correspondences))
        .routes(routes!(types::get_type_json_schema))
        .routes(routes!(types::get_model_json_schema))
        .routes(routes!(mappings::import_mappings))
        .routes(routes!(mappings::get_mappings))
        .routes(routes!(mappings::apply_mappings))
        .routes(routes!(service_models::compose_service_model))
        .routes(routes!(service_models::get_service_model))
        .routes(routes!(service_models::get_type_used_by))
        .routes(routes!(forms::get_altinn_app))
        .routes(routes!(forms::get_questionnaire))
        .routes(routes!(forms::extract_questionnaire_response))
        .routes(routes!(concepts::get_concept_field))
        .routes(routes!(types::get_code_list_json_schema))
        .routes(routes!(types::get_type_xsd))
        .routes(routes!(types::get_model_xsd))
        .routes(routes!(types::get_type_csharp))
        .routes(routes!(types::get_model_csharp))
        .routes(routes!(types::get_type_typescript))
        .routes(routes!(types::get_model_typescript))
        .routes(routes!(sync::add_source, sync::list_sources))
        .routes(routes!(sync::get_source, sync::remove_source))
        .routes(routes!(sync::start_run, sync::list_runs))
        .routes(routes!(sync::get_run))
        .routes(routes!(
            sync::put_catalog,
            sync::post_catalog,
            sync::get_publisher_catalog
        ))
        .routes(routes!(sync::get_catalog))
        .routes(routes!(sync::get_quality))
        .routes(routes!(tokens::create_token, tokens::list_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(
            subscriptions::create_subscription,
            subscriptions::list_subscriptions
        ))
        .routes(routes!(
            subscriptions::get_subscription,
            subscriptions::delete_subscription
        ))
        .routes(routes!(subscriptions::resume_subscription))
        .routes(routes!(subscriptions::list_deliveries))
        .routes(routes!(audit::list_audit))
        .routes(routes!(peers::add_peer, peers::list_peers))
        .routes(routes!(peers::get_peer, peers::remove_peer))
        .split_for_parts();
    let mut openapi = openapi;
    openapi.merge(fhir::openapi::openapi());
    let openapi_json =
        serde_json::to_string(&openapi::finish(openapi)).unwrap_or_else(|_| "{}".to_owned());
    let body_limit = state.config.body_limit_bytes;
    // The runtime code-list paths are the hottest in the product: no per-request tracing, no
    // boxing middleware and no per-request compression (compressed forms are made once and
    // kept); their handlers record their own metrics and answer problem JSON themselves, and the
    // router's own 405 is problem JSON through its fallback.
    let hot = Router::new()
        .route("/api/v1/code-lists/{id}/codes", get(code_lists::get_codes))
        .route(
            "/api/v1/code-lists/{id}/altinn-options",
            get(code_lists::get_altinn_options),
        )
        .route(
            "/altinn/{org}/code_lists/{code_list_id}/{file}",
            get(code_lists::get_altinn_library_code_list),
        )
        .method_not_allowed_fallback(method_not_allowed);
    router
        .route(
            "/openapi.json",
            get(move || {
                let body = openapi_json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }
            }),
        )
        .merge(crate::web::routes())
        .merge(extra)
        .merge(fhir::routes())
        .fallback(not_found)
        // A panic in a handler is caught here, inside the layers that give an error the body
        // of its place: a 500 problem JSON under /api, an OperationOutcome under /fhir.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            problem::panic_response,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        // gzip and br request bodies decoded under the body limit and the ratio limit.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            decompress::decompress_request,
        ))
        // Inside the layers that give an error the body of its place (a page's 429 is an HTML
        // page) and inside the metrics, so a 429 is counted.
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        // Inside compression: an error body rewritten here is compressed by the next layer, so
        // its Content-Encoding always describes the bytes sent.
        .layer(middleware::from_fn(problem::ensure_problem_json))
        .layer(middleware::from_fn(fhir::ensure_operation_outcome))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .br(true),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            record_metrics,
        ))
        .layer(TraceLayer::new_for_http())
        .merge(hot)
        // A panic anywhere else (a layer, the fast lane's hand-over) is a 500 problem too,
        // logged once; never a dropped connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            problem::panic_response,
        ))
        .with_state(state)
}

async fn method_not_allowed(method: axum::http::Method) -> problem::ApiError {
    problem::ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed here; code lists are read with GET"),
    )
}

async fn not_found(uri: axum::http::Uri) -> problem::ApiError {
    problem::ApiError::not_found(format!("no route for {}", uri.path()))
}

/// Answers 503 for a request the router has spent longer than `--request-timeout-secs` on
/// (the change feed aside: its long polls and streams have limits of their own).
/// A write cut off this way is all or nothing like any other: its transaction commits whole
/// or is rolled back when dropped.
async fn request_timeout(State(app): State<AppState>, request: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    // The change feed's long polls (at most 60 s) and event streams have their own limits.
    if request.uri().path() == "/api/v1/changes" {
        return next.run(request).await;
    }
    let limit = app.config.request_timeout;
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path = %path, timeout_ms = limit.as_millis() as u64, "request timed out");
            problem::ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the request took longer than {} ms (--request-timeout-secs)",
                    limit.as_millis()
                ),
            )
            .with_header(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            )
            .into_response()
        }
    }
}

/// Counts writes, searches and SPARQL queries against their quotas per client address and per
/// token ([`crate::auth::limits`]): 429 with `Retry-After` when one runs out.
async fn rate_limit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    if let Some(class) = crate::auth::limits::LimitClass::of(request.method(), request.uri().path())
    {
        let ip = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let token = auth::bearer_token(request.headers()).ok();
        if let Err(limited) = app.rate_limits.check(class, ip, token) {
            let seconds = (limited.retry_after.as_secs_f64().ceil() as u64).max(1);
            tracing::info!(class = class.name(), by_token = limited.by_token, ip = ?ip, retry_after_s = seconds, "rate limited");
            return problem::ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many {} from this {}: try again in {seconds} s",
                    class.name(),
                    if limited.by_token { "token" } else { "address" }
                ),
            )
            .with_header(axum::http::header::RETRY_AFTER, seconds.into())
            .into_response();
        }
    }
    next.run(request).await
}

async fn record_metrics(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let response = next.run(request).await;
    let status = response.status();
    app.metrics
        .requests
        .with_label_values(&[method.as_str(), route, status.as_str()])
        .inc();
    app.metrics
        .latency
        .with_label_values(&[method.as_str(), route])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The whole HTTP service: memoized code-list answers first, then the router.
///
/// A running service's plain request for a list it has fetched before (`GET
/// /api/v1/code-lists/{id}/codes` or `/altinn-options`, often with `If-None-Match`) is answered
/// from the memo before routing: the router would add a route lookup, a boxed service clone and
/// a matched-path extension (an allocation) to an answer that is otherwise a map lookup and a
/// few headers (bench/codelists.sh: 304s at 0.80× a bare axum handler through the router).
/// Everything else — other paths, a first request, a bad parameter, an id needing
/// percent-decoding — goes to the router and its handlers, which answer the same way.
#[derive(Clone)]
pub struct Service {
    state: AppState,
    router: Router,
}

/// The service for a state.
pub fn service(state: AppState) -> Service {
    Service {
        router: router(state.clone()),
        state,
    }
}

/// The future of [`Service`]: an answer made before routing, or the router's.
pub enum ServiceFuture {
    /// Answered from the memo.
    Ready(Option<axum::response::Response>),
    /// Answered by the router.
    Routed(std::pin::Pin<Box<axum::routing::future::RouteFuture<std::convert::Infallible>>>),
}

impl std::future::Future for ServiceFuture {
    type Output = Result<axum::response::Response, std::convert::Infallible>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.get_mut() {
            ServiceFuture::Ready(response) => {
                std::task::Poll::Ready(Ok(response.take().expect("a ready answer is polled once")))
            }
            ServiceFuture::Routed(future) => future.as_mut().poll(cx),
        }
    }
}

impl tower::Service<axum::extract::Request> for Service {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = ServiceFuture;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::extract::Request) -> Self::Future {
        if let Some(response) = code_lists::answer_before_routing(&self.state, &request) {
            return ServiceFuture::Ready(Some(response));
        }
        if let Some(response) = fhir::answer_before_routing(&self.state, &request) {
            return ServiceFuture::Ready(Some(response));
        }
        ServiceFuture::Routed(Box::pin(tower::Service::<axum::extract::Request>::call(
            &mut self.router,
            request,
        )))
    }
}

/// Serves on a bound listener until ctrl-c or SIGTERM (see [`serve_until`]).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(state, listener, shutdown_signal()).await
}

/// Serves on a bound listener until `shutdown` resolves: every connection starts in the fast
/// lane ([`fast`]) and moves to hyper and the router at its first request that is not a
/// memoized code-list answer. On shutdown no connection is accepted any more, idle ones close,
/// and the router finishes what it is answering (up to 10 s). Dropping the future drops every
/// connection with it.
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let router = service(state.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: wait a moment instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        // Answers are written whole, so Nagle's algorithm would only delay small ones (a 304).
        let _ = stream.set_nodelay(true);
        connections.spawn(fast::serve_connection(
            stream,
            state.clone(),
            router.clone(),
            stopped.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drained).await;
    Ok(())
}

/// Serves with `threads` fast-lane threads (one current-thread runtime each, with a listener of
/// its own on `address` through `SO_REUSEPORT`, so the kernel spreads connections), while the
/// router, the store and the projections stay on the calling runtime: a connection that needs
/// the router is moved there. Returns the bound address once every thread listens, and a future
/// that ends when the server has shut down (on ctrl-c or SIGTERM, or when `shutdown` fires).
pub fn serve_per_core(
    state: AppState,
    address: std::net::SocketAddr,
    threads: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<(std::net::SocketAddr, impl std::future::Future<Output = ()>)> {
    let main = tokio::runtime::Handle::current();
    let router = service(state.clone());
    let mut listeners = Vec::new();
    let mut address = address;
    for _ in 0..threads.max(1) {
        let listener = reuse_port_listener(address)?;
        address = listener.local_addr()?;
        listeners.push(listener);
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut handles = Vec::new();
    for (n, listener) in listeners.into_iter().enumerate() {
        let (state, router, stopped, main) =
            (state.clone(), router.clone(), stopped.clone(), main.clone());
        let handle = std::thread::Builder::new()
            .name(format!("semreg-lane-{n}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(lane(listener, state, router, stopped, main))
            })?;
        handles.push(handle);
    }
    let done = async move {
        tokio::pin!(shutdown);
        tokio::select! {
            _ = shutdown_signal() => {},
            _ = &mut shutdown => {},
        }
        let _ = stop.send(true);
        let _ = tokio::task::spawn_blocking(move || {
            for handle in handles {
                let _ = handle.join();
            }
        })
        .await;
        // Connections the router took over finish on this runtime (up to 10 s).
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), stop.closed()).await;
    };
    Ok((address, done))
}

/// A listener with `SO_REUSEPORT`, so several threads can listen on one address.
fn reuse_port_listener(address: std::net::SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(address),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// One fast-lane thread: accepts on its listener until `stop`, serving each connection here.
async fn lane(
    listener: std::net::TcpListener,
    state: AppState,
    router: Service,
    mut stop: tokio::sync::watch::Receiver<bool>,
    main: tokio::runtime::Handle,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => break,
        };
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(fast::serve_connection_with(
            stream,
            state.clone(),
            router.clone(),
            stop.clone(),
            fast::HandOver::To(main.clone()),
        ));
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drained).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
