//! Search and type-ahead over the tantivy projection.

use super::problem::ApiError;
use crate::app::AppState;
use crate::projections::{
    ProjectionError, SearchHit, SearchProjection, SearchRequest, SearchResults,
};
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to look for (empty: everything).
    pub q: Option<String>,
    /// Only these kinds, comma-separated (concept, code-list, type, model, ...).
    pub kind: Option<String>,
    /// Only this publisher.
    pub publisher: Option<String>,
    /// Only this status (retired resources are left out unless asked for).
    pub status: Option<String>,
    /// Only resources with labels or definitions in this language (nb, nn, en, ...); labels
    /// and descriptions are shown in it.
    pub lang: Option<String>,
    /// Page size (default 20, at most 200).
    pub limit: Option<usize>,
    /// Page start.
    pub offset: Option<usize>,
}

/// Parameters of `GET /api/v1/suggest`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The typed prefix.
    pub q: String,
    /// Only these kinds, comma-separated.
    pub kind: Option<String>,
    /// Most suggestions (default 10, at most 50).
    pub limit: Option<usize>,
}

/// Type-ahead suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// Best matches first.
    pub suggestions: Vec<SearchHit>,
}

const STATUSES: [&str; 5] = ["draft", "valid", "deprecated", "superseded", "retired"];
const MAX_QUERY_CHARS: usize = 500;
const MAX_OFFSET: usize = 10_000;

fn parse_kinds(kind: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(kind) = kind else {
        return Ok(Vec::new());
    };
    kind.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| match semreg_importers::ResourceKind::parse(k) {
            Some(kind) => Ok(kind.as_str().to_owned()),
            None => Err(ApiError::bad_request(format!(
                "kind: unknown kind `{k}`; one of {}",
                semreg_importers::ResourceKind::ALL
                    .map(|k| k.as_str())
                    .join(", ")
            ))),
        })
        .collect()
}

/// Most words of a query answered on the async worker itself. A query of a few words takes
/// well under a millisecond (about 0.2–1 ms at 110,000 documents), less than handing it to the
/// blocking pool and back costs under load (bench/search.sh: search p99 6.1 ms with every
/// query handed over, 1.9 ms with short ones answered in place). Empty queries (facets over
/// every document) and long ones (up to ~10 ms at 80 words) go to the blocking pool, so they
/// never hold up a worker.
const INLINE_MAX_WORDS: usize = 4;

fn answered_inline(q: &str) -> bool {
    (1..=INLINE_MAX_WORDS).contains(&q.split_whitespace().count())
}

/// Runs a search on this worker (`inline`) or on the blocking pool.
async fn run<T: Send + 'static>(
    app: &AppState,
    inline: bool,
    work: impl FnOnce(&SearchProjection) -> Result<T, ProjectionError> + Send + 'static,
) -> Result<T, ApiError> {
    if inline {
        return Ok(work(&app.projections.search)?);
    }
    let projections = app.projections.clone();
    Ok(
        tokio::task::spawn_blocking(move || work(&projections.search))
            .await
            .map_err(|e| ApiError::internal(&e))??,
    )
}

fn check_q(q: &str) -> Result<(), ApiError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!(
            "q: at most {MAX_QUERY_CHARS} characters"
        )));
    }
    Ok(())
}

/// Full-text search over all resources.
#[utoipa::path(get, path = "/api/v1/search", params(SearchQuery),
    responses((status = 200, body = SearchResults)))]
pub async fn search_resources(
    State(app): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request("limit: must be between 1 and 200"));
    }
    let offset = query.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_request(format!(
            "offset: at most {MAX_OFFSET}; narrow the search with kind, publisher or more words"
        )));
    }
    let q = query.q.unwrap_or_default();
    check_q(&q)?;
    if let Some(status) = &query.status {
        if !STATUSES.contains(&status.as_str()) {
            return Err(ApiError::bad_request(format!(
                "status: unknown status `{status}`; one of {}",
                STATUSES.join(", ")
            )));
        }
    }
    let lang = match query
        .lang
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        None => None,
        Some(lang) => {
            let lang = lang.to_ascii_lowercase();
            if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(ApiError::bad_request(format!(
                    "lang: `{lang}` is not a language code such as nb, nn or en"
                )));
            }
            Some(lang)
        }
    };
    let request = SearchRequest {
        q,
        kinds: parse_kinds(query.kind.as_deref())?,
        publisher: query.publisher.filter(|p| !p.is_empty()),
        status: query.status,
        lang,
        limit,
        offset,
    };
    let inline = answered_inline(&request.q);
    let results = run(&app, inline, move |search| search.search(&request)).await?;
    Ok(Json(results))
}

/// Type-ahead on label prefixes, tolerant of one typo from 4 characters.
#[utoipa::path(get, path = "/api/v1/suggest", params(SuggestQuery),
    responses((status = 200, body = SuggestResponse)))]
pub async fn suggest(
    State(app): State<AppState>,
    Query(query): Query<SuggestQuery>,
) -> Result<Json<SuggestResponse>, ApiError> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::bad_request("limit: must be between 1 and 50"));
    }
    check_q(&query.q)?;
    let kinds = parse_kinds(query.kind.as_deref())?;
    let inline = answered_inline(&query.q);
    let q = query.q;
    let suggestions = run(&app, inline, move |search| {
        search.suggest(&q, &kinds, limit)
    })
    .await?;
    Ok(Json(SuggestResponse { suggestions }))
}
