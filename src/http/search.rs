//! Search and type-ahead over the tantivy projection.

use super::extract::ApiQuery;
use super::params::{Bounded, Kinds, Status};
use super::problem::ApiError;
use crate::app::AppState;
use crate::ids::OrgNr;
use crate::projections::{
    ProjectionError, SearchHit, SearchProjection, SearchRequest, SearchResults,
};
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to look for (empty: everything).
    #[param(max_length = 500, example = "fødselsnummer")]
    pub q: Option<String>,
    /// Only these kinds, comma-separated (concept, code-list, type, model, ...).
    #[param(value_type = Option<Kinds>)]
    pub kind: Option<Kinds>,
    /// Only this publisher (org number).
    #[param(value_type = Option<String>, pattern = "^[0-9]{9}$")]
    pub publisher: Option<OrgNr>,
    /// Only this status (retired resources are left out unless asked for).
    #[param(value_type = Option<Status>)]
    pub status: Option<Status>,
    /// Only resources owned by this instance (its id, as `GET /api/v1/instance` gives it; the
    /// `origin` facet counts them).
    #[param(max_length = 64)] // MAX_ORIGIN_CHARS
    pub origin: Option<String>,
    /// Only resources with labels or definitions in this language (nb, nn, en, ...); labels
    /// and descriptions are shown in it.
    #[param(pattern = "^[A-Za-z]{2,3}$")]
    pub lang: Option<String>,
    /// `true`: only what is served as a code list (code lists, concept schemes and collections
    /// of concepts, within `kind` if given); `false`: only what is not.
    #[serde(rename = "usableAsCodeList")]
    pub usable_as_code_list: Option<bool>,
    /// Page size (default 20, at most 200).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<Bounded<1, 200>>,
    /// Page start (at most 10,000: narrow the search instead).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 10000)]
    pub offset: Option<Bounded<0, 10000>>,
}

/// Parameters of `GET /api/v1/suggest`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The typed prefix.
    #[param(max_length = 500, example = "adre")]
    pub q: String,
    /// Only these kinds, comma-separated.
    #[param(value_type = Option<Kinds>)]
    pub kind: Option<Kinds>,
    /// Most suggestions (default 10, at most 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    pub limit: Option<Bounded<1, 50>>,
}

/// Type-ahead suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// Best matches first.
    pub suggestions: Vec<SearchHit>,
}

const MAX_QUERY_CHARS: usize = 500;

/// The kinds filter with `usableAsCodeList` applied: the kinds served as code lists (or the
/// others), within those asked for. When nothing is left, a kind no resource has, so the
/// search finds nothing rather than everything.
fn code_list_kinds(kinds: Vec<String>, usable: Option<bool>) -> Vec<String> {
    let Some(usable) = usable else {
        return kinds;
    };
    let asked: Vec<String> = if kinds.is_empty() {
        semreg_importers::ResourceKind::ALL
            .map(|k| k.as_str().to_owned())
            .to_vec()
    } else {
        kinds
    };
    let kept: Vec<String> = asked
        .into_iter()
        .filter(|k| crate::code_lists::usable_as_code_list(k) == usable)
        .collect();
    if kept.is_empty() {
        vec!["-".to_owned()]
    } else {
        kept
    }
}

/// Most words of a query answered on the async worker itself. A query of a few words takes
/// well under a millisecond (about 0.2–1 ms at 110,000 documents), less than handing it to the
/// blocking pool and back costs under load (bench/search.sh: search p99 6.1 ms with every
/// query handed over, 1.9 ms with short ones answered in place). Empty queries (facets over
/// every document), long ones (up to ~10 ms at 80 words) and words found in many documents
/// ([`INLINE_MAX_MATCHES`]) go to the blocking pool, so they never hold up a worker.
const INLINE_MAX_WORDS: usize = 4;

/// Most documents a query's words may be found in ([`SearchProjection::matches_estimate`]) for
/// it to be answered on the worker: scoring and counting tens of thousands of matches takes
/// milliseconds, and a worker busy with it holds up the code-list answers queued on it
/// (bench/mixed.sh: as an import made common words match 600,000 documents, the code-list p99
/// rose with the search cost).
const INLINE_MAX_MATCHES: u64 = 10_000;

fn answered_inline(search: &SearchProjection, q: &str) -> bool {
    (1..=INLINE_MAX_WORDS).contains(&q.split_whitespace().count())
        && search
            .matches_estimate(q)
            .is_some_and(|n| n <= INLINE_MAX_MATCHES)
}

/// Runs a search on this worker (`inline`) or on the blocking pool, where at most
/// [`crate::app::App::search_slots`] run at once (the rest wait their turn): the searches
/// never take every core from the runtime that serves code lists.
async fn run<T: Send + 'static>(
    app: &AppState,
    inline: bool,
    work: impl FnOnce(&SearchProjection) -> Result<T, ProjectionError> + Send + 'static,
) -> Result<T, ApiError> {
    if inline {
        return Ok(work(&app.projections.search)?);
    }
    let _slot = app
        .search_slots
        .acquire()
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let projections = app.projections.clone();
    Ok(
        tokio::task::spawn_blocking(move || work(&projections.search))
            .await
            .map_err(|e| ApiError::internal(&e))??,
    )
}

/// The longest `origin` filter (an instance id is a UUID, 36 characters).
const MAX_ORIGIN_CHARS: usize = 64;

/// An `origin` filter (search, resource lists) is at most [`MAX_ORIGIN_CHARS`] long.
pub(super) fn check_origin(origin: Option<&str>) -> Result<(), ApiError> {
    if origin.is_some_and(|o| o.chars().count() > MAX_ORIGIN_CHARS) {
        return Err(ApiError::bad_request(format!(
            "origin: at most {MAX_ORIGIN_CHARS} characters (an instance id, as GET /api/v1/instance gives it)"
        )));
    }
    Ok(())
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
    responses((status = 200, body = SearchResults, description = "Hits, best first, with facet counts over the filtered result")))]
pub async fn search_resources(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Json<SearchResults>, ApiError> {
    let q = query.q.unwrap_or_default();
    check_q(&q)?;
    check_origin(query.origin.as_deref())?;
    let viewer = crate::request::viewer(&app, &headers).await?;
    let lang = match query.lang {
        None => None,
        Some(lang) => {
            if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(ApiError::bad_request(format!(
                    "lang: `{lang}` is not a language code such as nb, nn or en"
                )));
            }
            Some(lang.to_ascii_lowercase())
        }
    };
    let request = SearchRequest {
        q,
        kinds: code_list_kinds(
            query.kind.unwrap_or_default().names(),
            query.usable_as_code_list,
        ),
        publisher: query.publisher.map(String::from),
        origin: query.origin.filter(|o| !o.is_empty()),
        status: query.status.map(|s| s.as_str().to_owned()),
        lang,
        limit: query.limit.map_or(20, Bounded::as_usize),
        offset: query.offset.map_or(0, Bounded::as_usize),
        viewer: viewer.map(|v| v.as_str().to_owned()),
    };
    let inline = answered_inline(&app.projections.search, &request.q);
    let results = run(&app, inline, move |search| search.search(&request)).await?;
    Ok(Json(results))
}

/// Type-ahead on label prefixes, tolerant of one typo from 4 characters.
#[utoipa::path(get, path = "/api/v1/suggest", params(SuggestQuery),
    responses((status = 200, body = SuggestResponse, description = "Suggestions, best first")))]
pub async fn suggest(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Json<SuggestResponse>, ApiError> {
    let limit = query.limit.map_or(10, Bounded::as_usize);
    check_q(&query.q)?;
    let viewer = crate::request::viewer(&app, &headers).await?;
    let kinds = query.kind.unwrap_or_default().names();
    let inline = answered_inline(&app.projections.search, &query.q);
    let q = query.q;
    let suggestions = run(&app, inline, move |search| {
        search.suggest(&q, &kinds, limit, viewer.as_ref().map(OrgNr::as_str))
    })
    .await?;
    Ok(Json(SuggestResponse { suggestions }))
}
