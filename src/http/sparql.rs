//! SPARQL 1.1 Protocol endpoint over the oxigraph projection: queries only (updates refused),
//! with a time limit and a result limit. The default graph is the union of all resource graphs.

use super::extract::ApiQuery;
use super::problem::ApiError;
use crate::app::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults};
use serde::Deserialize;
use std::time::{Duration, Instant};
use utoipa::IntoParams;

/// Header set when the result limit cut the answer short.
pub const TRUNCATED_HEADER: &str = "semreg-results-truncated";

/// Parameters of `GET /sparql` (and of a form-encoded POST).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SparqlQuery {
    /// The SPARQL query.
    #[param(required = true, schema_with = sparql_query_schema)]
    pub query: Option<String>,
    /// Updates are refused (403); read only to answer them clearly, so not documented.
    #[param(ignore)]
    pub update: Option<String>,
}

/// A SPARQL query string: format `sparql-query`, so tools that know the grammar can make valid
/// ones.
fn sparql_query_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::Custom(
            "sparql-query".to_owned(),
        )))
        .examples(["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
        .build()
}

/// The form body of a form-encoded `POST /sparql`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SparqlForm {
    /// The SPARQL query.
    #[schema(schema_with = sparql_query_schema)]
    pub query: String,
}

/// SPARQL query by GET.
#[utoipa::path(get, path = "/sparql", params(SparqlQuery), responses(SparqlResponses))]
pub async fn sparql_get(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<SparqlQuery>,
    client: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if params.update.is_some() {
        return Err(updates_refused());
    }
    let query = params
        .query
        .ok_or_else(|| ApiError::bad_request("missing the `query` parameter"))?;
    run(app, query, &headers, client.map(|c| c.0 .0.ip())).await
}

/// SPARQL query by POST (`application/sparql-query` or form-encoded `query=`).
#[utoipa::path(post, path = "/sparql",
    request_body(description = "The query, as the body or as a form field", content(
        (String = "application/sparql-query"), (SparqlForm = "application/x-www-form-urlencoded"))),
    responses(SparqlResponses))]
pub async fn sparql_post(
    State(app): State<AppState>,
    client: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let query = match content_type.as_str() {
        "application/sparql-query" => String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::bad_request("the query is not valid UTF-8"))?,
        "application/sparql-update" => return Err(updates_refused()),
        "application/x-www-form-urlencoded" => {
            let params: SparqlQuery = serde_urlencoded::from_bytes(&body)
                .map_err(|e| ApiError::bad_request(format!("bad form body: {e}")))?;
            if params.update.is_some() {
                return Err(updates_refused());
            }
            params
                .query
                .ok_or_else(|| ApiError::bad_request("missing the `query` form field"))?
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("unsupported content type {other:?}: use application/sparql-query or application/x-www-form-urlencoded"),
            ))
        }
    };
    run(app, query, &headers, client.map(|c| c.0 .0.ip())).await
}

/// The answers of both SPARQL operations, for the OpenAPI document.
struct SparqlResponses;

impl utoipa::IntoResponses for SparqlResponses {
    fn responses(
    ) -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        use super::openapi::{problem, text_response};
        [
            ("200", text_response(
                "Query results: SELECT/ASK as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE as RDF, by `Accept`. `semreg-results-truncated: true` when the result limit cut the answer",
                &["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values", "text/turtle", "application/n-triples",
                  "application/rdf+xml", "application/ld+json", "application/n-quads",
                  "application/trig", "text/n3"])),
            ("400", problem("The query is missing or is not valid SPARQL")),
            ("403", problem("An update was sent: semreg takes writes through its import API")),
            ("406", problem("None of the accepted media types can carry this query's results")),
            ("415", problem("The POST body is neither `application/sparql-query` nor a form")),
            ("503", problem("The query ran past the time limit, or too many queries are running")),
        ]
        .into_iter()
        .map(|(status, response)| (status.to_owned(), response.into()))
        .collect()
    }
}

fn updates_refused() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "SPARQL updates are not accepted here: write through POST /api/v1/import",
    )
}

/// The formats a SELECT/ASK answer can take, by `Accept`.
fn results_format(accept: Option<&str>) -> Option<QueryResultsFormat> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(QueryResultsFormat::Json);
    };
    for item in accept.split(',') {
        let media = item.split(';').next().unwrap_or_default().trim();
        if media == "*/*" || media == "application/*" || media == "application/json" {
            return Some(QueryResultsFormat::Json);
        }
        if let Some(format) = QueryResultsFormat::from_media_type(media) {
            return Some(format);
        }
    }
    None
}

/// The formats a CONSTRUCT/DESCRIBE answer can take, by `Accept`.
fn graph_format(accept: Option<&str>) -> Option<RdfFormat> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(RdfFormat::Turtle);
    };
    for item in accept.split(',') {
        let media = item.split(';').next().unwrap_or_default().trim();
        if media == "*/*" || media == "text/*" {
            return Some(RdfFormat::Turtle);
        }
        if let Some(format) = RdfFormat::from_media_type(media) {
            return Some(format);
        }
    }
    None
}

struct Answer {
    body: Vec<u8>,
    media_type: &'static str,
    truncated: bool,
}

async fn run(
    app: AppState,
    query: String,
    headers: &HeaderMap,
    client_ip: Option<std::net::IpAddr>,
) -> Result<Response, ApiError> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let timeout = app.config.sparql_timeout;
    let limit = app.config.sparql_result_limit;
    let token = CancellationToken::new();
    // The client's own slot first (its token and its address), then one of the process's.
    let client_slot = app
        .rate_limits
        .sparql_slot(client_ip, crate::request::bearer_token(headers).ok())
        .map_err(|limited| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "this {} already has {} SPARQL queries running (--sparql-per-client): try again when one ends",
                    if limited.by_token { "token" } else { "address" },
                    app.config.rate_limits.sparql_running_per_client
                ),
            )
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("1"))
        })?;
    // The permit travels with the evaluation thread: a query that ignores cancellation keeps
    // its slot until it ends, so runaway queries can never pile up past the limit.
    let permit = app.sparql_slots.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many SPARQL queries are running; try again shortly",
        )
    })?;
    // Drafts are another publisher's until published: their graphs are left out of the
    // dataset (the store of record says which; a draft's graph is never in the RDF store before
    // its row is).
    let viewer = crate::request::viewer(&app, headers).await?;
    let hidden =
        crate::store::drafts_hidden_from(&app.db, viewer.as_ref().map(|v| v.as_str())).await?;
    let projections = app.projections.clone();
    let token_for_watchdog = token.clone();
    let (answered, evaluation) = tokio::sync::oneshot::channel();
    let runner = std::thread::Builder::new()
        .name(RUNNER_NAME.to_owned())
        .spawn(move || {
            let answer = evaluate(
                &projections.graph,
                &query,
                accept.as_deref(),
                token,
                timeout,
                limit,
                &hidden,
            );
            drop((permit, client_slot));
            let _ = answered.send(answer);
        })
        .map_err(|e| ApiError::internal(&e))?;
    // The watchdog cancels the evaluation at the deadline and demotes it if it runs on (also
    // when the client has gone away meanwhile).
    let watchdog = tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        token_for_watchdog.cancel();
        tokio::time::sleep(RUNAWAY_GRACE).await;
        demote(&runner);
    });
    // Answer at the deadline even if the evaluation has not yet noticed its cancellation
    // (oxigraph checks the token only when it reads the store: a product computed in memory
    // runs on). Such a runaway is demoted to the idle scheduling class: it keeps its slot
    // until it ends, but takes only CPU time nothing else wants, so it never slows the
    // runtime path (code lists, search) down.
    let result = tokio::time::timeout(timeout + Duration::from_millis(100), evaluation).await;
    if result.is_ok() {
        watchdog.abort();
    }
    let result = result.map_err(|_| evaluation_error(QueryEvaluationError::Cancelled, timeout))?;
    let answer = result.map_err(|e| ApiError::internal(&e))??;
    let mut response = (StatusCode::OK, answer.body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.media_type),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if answer.truncated {
        h.insert(TRUNCATED_HEADER, HeaderValue::from_static("true"));
    }
    if viewer.is_some() {
        // The answer may hold the publisher's drafts: no shared cache keeps it.
        crate::request::mark_private(h);
    }
    Ok(response)
}

/// The name of the threads that evaluate SPARQL queries (one per query).
pub const RUNNER_NAME: &str = "semreg-sparql";

/// How long a cancelled evaluation may run on at its normal priority before it is demoted. A
/// query that reads the store notices its cancellation at once; one still running a second
/// later computes in memory. (Demoting it sooner starves a query that was about to stop, on
/// a busy machine, and so holds its slots longer.)
const RUNAWAY_GRACE: Duration = Duration::from_secs(1);

/// Moves a SPARQL evaluation thread that ran past its deadline to `SCHED_IDLE`, so it only
/// runs on CPU time no other thread wants. The thread ends when its evaluation does (it is not
/// a pool thread), so the demotion never outlives the query.
fn demote(runner: &std::thread::JoinHandle<()>) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::thread::JoinHandleExt;
        if runner.is_finished() {
            return;
        }
        // SAFETY: pthread_setschedparam on a thread of this process that has not been joined
        // (the handle is held, so its pthread_t is valid even if it has just ended); the
        // parameter is a plain struct on the stack.
        let done = unsafe {
            let param = libc::sched_param { sched_priority: 0 };
            libc::pthread_setschedparam(runner.as_pthread_t(), libc::SCHED_IDLE, &param)
        };
        if done == 0 {
            tracing::warn!(
                "a SPARQL query ran past its deadline; it runs on at idle priority until it ends"
            );
        } else {
            tracing::warn!(
                error = done,
                "a SPARQL query ran past its deadline and could not be demoted"
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = runner;
}

fn evaluation_error(error: QueryEvaluationError, timeout: Duration) -> ApiError {
    match error {
        QueryEvaluationError::Cancelled => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the query ran longer than the limit of {} ms",
                timeout.as_millis()
            ),
        ),
        other => ApiError::bad_request(format!("query evaluation failed: {other}")),
    }
}

/// Narrows a query's dataset to the graphs not in `hidden`: the default graph (the union, or
/// the graphs `FROM` names) and the named graphs (all, or those `FROM NAMED` names).
fn hide_graphs(
    dataset: &mut oxigraph::sparql::QueryDataset,
    store: &oxigraph::store::Store,
    hidden: &std::collections::HashSet<String>,
) -> Result<(), oxigraph::store::StorageError> {
    use oxigraph::model::{GraphName, NamedOrBlankNode};
    let shown = |g: &NamedOrBlankNode| match g {
        NamedOrBlankNode::NamedNode(n) => !hidden.contains(n.as_str()),
        NamedOrBlankNode::BlankNode(_) => true,
    };
    let visible = || -> Result<Vec<NamedOrBlankNode>, oxigraph::store::StorageError> {
        store
            .named_graphs()
            .filter(|g| g.as_ref().map_or(true, shown))
            .collect()
    };
    let default = match dataset.default_graph_graphs() {
        None => visible()?.into_iter().map(GraphName::from).collect(),
        Some(graphs) => graphs
            .iter()
            .filter(|g| match g {
                GraphName::NamedNode(n) => !hidden.contains(n.as_str()),
                _ => true,
            })
            .cloned()
            .collect(),
    };
    dataset.set_default_graph(default);
    let named = match dataset.available_named_graphs() {
        None => visible()?,
        Some(named) => named.iter().filter(|g| shown(g)).cloned().collect(),
    };
    dataset.set_available_named_graphs(named);
    Ok(())
}

fn evaluate(
    graph: &crate::projections::GraphProjection,
    query: &str,
    accept: Option<&str>,
    token: CancellationToken,
    timeout: Duration,
    limit: usize,
    hidden: &std::collections::HashSet<String>,
) -> Result<Answer, ApiError> {
    let deadline = Instant::now() + timeout;
    let mut prepared = crate::rdf::sparql_evaluator()
        .with_cancellation_token(token)
        .parse_query(query)
        .map_err(|e| {
            if crate::rdf::sparql_evaluator().parse_update(query).is_ok() {
                updates_refused()
            } else {
                ApiError::bad_request(format!("invalid SPARQL query: {e}"))
            }
        })?;
    if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    if !hidden.is_empty() {
        hide_graphs(prepared.dataset_mut(), graph.store(), hidden)
            .map_err(|e| ApiError::internal(&e))?;
    }
    let results = prepared
        .on_store(graph.store())
        .execute()
        .map_err(|e| evaluation_error(e, timeout))?;
    let not_acceptable = || {
        ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "acceptable types: application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values (SELECT/ASK); text/turtle, application/n-triples, application/rdf+xml, application/ld+json (CONSTRUCT/DESCRIBE)",
        )
    };
    let io = |e: std::io::Error| ApiError::internal(&e);
    match results {
        QueryResults::Boolean(value) => {
            let format = results_format(accept).ok_or_else(not_acceptable)?;
            let body = QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(Vec::new(), value)
                .map_err(io)?;
            Ok(Answer {
                body,
                media_type: format.media_type(),
                truncated: false,
            })
        }
        QueryResults::Solutions(solutions) => {
            let format = results_format(accept).ok_or_else(not_acceptable)?;
            let mut writer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(Vec::new(), solutions.variables().to_vec())
                .map_err(io)?;
            let mut truncated = false;
            for (n, solution) in solutions.enumerate() {
                if n >= limit {
                    truncated = true;
                    break;
                }
                if Instant::now() > deadline {
                    return Err(evaluation_error(QueryEvaluationError::Cancelled, timeout));
                }
                let solution = solution.map_err(|e| evaluation_error(e, timeout))?;
                writer.serialize(solution.iter()).map_err(io)?;
            }
            Ok(Answer {
                body: writer.finish().map_err(io)?,
                media_type: format.media_type(),
                truncated,
            })
        }
        QueryResults::Graph(triples) => {
            let format = graph_format(accept).ok_or_else(not_acceptable)?;
            let mut serializer = RdfSerializer::from_format(format);
            if format == RdfFormat::Turtle {
                for (prefix, iri) in crate::rdf::PREFIXES {
                    serializer = serializer
                        .with_prefix(*prefix, *iri)
                        .map_err(|e| ApiError::internal(&e))?;
                }
            }
            let mut writer = serializer.for_writer(Vec::new());
            let mut truncated = false;
            for (n, triple) in triples.enumerate() {
                if n >= limit {
                    truncated = true;
                    break;
                }
                if Instant::now() > deadline {
                    return Err(evaluation_error(QueryEvaluationError::Cancelled, timeout));
                }
                let triple = triple.map_err(|e| evaluation_error(e, timeout))?;
                writer.serialize_triple(triple.as_ref()).map_err(io)?;
            }
            Ok(Answer {
                body: writer.finish().map_err(io)?,
                media_type: format.media_type(),
                truncated,
            })
        }
    }
}
