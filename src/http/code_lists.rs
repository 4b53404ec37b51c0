//! Code lists for running services: codes as JSON or CSV (or the list's RDF), Altinn's option
//! formats, and changes between dates. Answers come from the in-memory code-list projection;
//! repeated requests are served from memoized bytes with strong ETags (304 on a match).

use super::extract::{ApiPath, ApiQuery};
use super::problem::ApiError;
use crate::app::AppState;
use crate::code_lists::correspondence::{code_of_iri as code_of, codes_by_iri};
use crate::code_lists::query::{CodeQuery, RawCodeQuery};
use crate::code_lists::{changes, render, CachedList, Encoding, MemoKind, Rendered};
use crate::rdf::serialize_ntriples;
use crate::store;
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use chrono::NaiveDate;
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/v1/code-lists/{id}/codes` (and, with `language`, of altinn-options).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodesQuery {
    /// Language of labels (nb, nn, en or any present; falls back nb → nn → en → first).
    #[param(pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    pub lang: Option<String>,
    /// Altinn's name for `lang` (altinn-options; it wins over `lang` there).
    #[param(pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    pub language: Option<String>,
    /// Codes valid on this day (YYYY-MM-DD).
    #[param(format = Date)]
    pub date: Option<String>,
    /// Codes valid at some day from this one (with `to`; a range with `from` ≥ `to` is empty).
    #[param(format = Date)]
    pub from: Option<String>,
    /// ... up to this one (exclusive).
    #[param(format = Date)]
    pub to: Option<String>,
    /// Only codes of this level (1 = top).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 4294967295_u64)]
    pub level: Option<String>,
    /// Only children of this code.
    pub parent: Option<String>,
    /// Case- and accent-insensitive match on code and label.
    pub filter: Option<String>,
    /// Klass-style selection: codes, prefixes (`11*`), ranges (`3004-3400`), comma-separated.
    #[param(
        pattern = "^ *(?:[^-,* ]+\\*|[^-,* ]+-[^-,* ]+|[^-,* ]+) *(?:, *(?:[^-,* ]+\\*|[^-,* ]+-[^-,* ]+|[^-,* ]+) *)*$"
    )]
    pub select: Option<String>,
    /// Statuses kept besides valid codes: `all`, or e.g. `deprecated,retired` (a list made of
    /// concepts leaves deprecated and retired ones out by default; other lists keep all).
    #[param(
        pattern = "^ *(?:all|(?:valid|deprecated|retired|superseded|draft)(?: *, *(?:valid|deprecated|retired|superseded|draft))*) *$"
    )]
    pub status: Option<String>,
    /// A pinned version of the list (for a list made of concepts: a change-log seq).
    #[param(value_type = Option<i32>, minimum = 1)]
    pub version: Option<String>,
}

/// One option of Altinn's app option list (schema of the OpenAPI document).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AltinnOption {
    /// The code, keeping its JSON type (string, number or boolean).
    pub value: serde_json::Value,
    /// The label in the asked language (with fallback).
    pub label: String,
    /// The description, if the code has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A help text, if the code has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_text: Option<String>,
}

const LATEST_CACHE: &str = "public, max-age=60, must-revalidate";
const PINNED_CACHE: &str = "public, max-age=31536000, immutable";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Representation {
    Json,
    Csv,
    Rdf(RdfFormat),
}

impl Representation {
    fn memo_kind(self) -> MemoKind {
        match self {
            Representation::Json => MemoKind::CodesJson,
            Representation::Csv => MemoKind::CodesCsv,
            Representation::Rdf(RdfFormat::Turtle) => MemoKind::CodesTurtle,
            Representation::Rdf(_) => MemoKind::CodesJsonLd,
        }
    }
}

fn representation(headers: &HeaderMap) -> Result<Representation, ApiError> {
    representation_for(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
}

fn representation_for(accept: Option<&str>) -> Result<Representation, ApiError> {
    let Some(accept) = accept else {
        return Ok(Representation::Json);
    };
    for item in accept.split(',') {
        let media = item.split(';').next().unwrap_or_default().trim();
        match media {
            "application/json" | "*/*" | "application/*" => return Ok(Representation::Json),
            "text/csv" | "text/*" => return Ok(Representation::Csv),
            "text/turtle" => return Ok(Representation::Rdf(RdfFormat::Turtle)),
            "application/ld+json" => {
                return Ok(Representation::Rdf(RdfFormat::JsonLd {
                    profile: JsonLdProfileSet::empty(),
                }))
            }
            _ => {}
        }
    }
    Err(ApiError::new(
        StatusCode::NOT_ACCEPTABLE,
        "acceptable types: application/json, text/csv, text/turtle, application/ld+json",
    ))
}

fn unknown_list(id: &str) -> ApiError {
    ApiError::not_found(format!("no code list with id or alias {id:?}"))
}

/// Parses the query string; both language parameters must be language tags wherever given, as
/// the document says, even where one of them is not used.
fn parse_params(raw: Option<&str>) -> Result<CodesQuery, ApiError> {
    let params: CodesQuery = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
    for (name, value) in [("lang", &params.lang), ("language", &params.language)] {
        if let Some(value) = value {
            if !crate::code_lists::query::is_language_tag(value) {
                return Err(ApiError::bad_request(format!(
                    "{name}: {value:?} is not a language tag such as nb, nn or en"
                )));
            }
        }
    }
    Ok(params)
}

/// An answer about a draft list (only its publisher gets one) is kept by no shared cache.
fn private_if_draft(list: &CachedList, mut response: Response<Body>) -> Response<Body> {
    if list.status == crate::registry::DRAFT {
        crate::request::mark_private(response.headers_mut());
    }
    response
}

/// The list version a request asks for, and whether it was pinned. A draft list is found only
/// with its publisher's token.
async fn resolve(
    app: &AppState,
    headers: &HeaderMap,
    id: &str,
    version: Option<&str>,
) -> Result<(Arc<CachedList>, bool), ApiError> {
    let latest = match app.code_lists.get(id) {
        Some(found) => found,
        None => {
            let viewer = crate::request::viewer(app, headers).await?;
            app.code_lists
                .get_draft(id, viewer.as_ref())
                .ok_or_else(|| unknown_list(id))?
        }
    };
    let Some(version) = version else {
        return Ok((latest, false));
    };
    let number = crate::http::params::VersionNumber::parse(version)
        .map(|n| i32::try_from(n.get()).unwrap_or(i32::MAX))
        .map_err(|_| {
            ApiError::bad_request(format!(
                "invalid version {version:?}: expected a version number such as 1"
            ))
        })?;
    let found = app
        .code_lists
        .version(&app.db, &latest, number)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "code list {id} has no version {number}; the latest is {}",
                latest.version
            ))
        })?;
    Ok((found, true))
}

/// The representation of a rendering a request gets: its bytes, ETag and content coding (by
/// `Accept-Encoding`), and whether `If-None-Match` matched it.
struct Chosen<'a> {
    body: &'a axum::body::Bytes,
    etag_header: &'a HeaderValue,
    coding: Option<&'static str>,
    not_modified: bool,
}

fn choose<'a>(
    rendered: &'a Rendered,
    accept_encoding: Option<&str>,
    if_none_match: Option<&str>,
) -> Chosen<'a> {
    // Compressed forms are made once per rendering and kept, like the rendering itself.
    let encoding = Encoding::negotiate(accept_encoding);
    let (body, etag, etag_header, coding) = match rendered.encoded(encoding) {
        Some(e) => (
            &e.body,
            e.etag.as_str(),
            &e.etag_header,
            Some(if encoding == Encoding::Br {
                "br"
            } else {
                "gzip"
            }),
        ),
        None => (
            &rendered.body,
            rendered.etag.as_str(),
            &rendered.etag_header,
            None,
        ),
    };
    let not_modified =
        if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    Chosen {
        body,
        etag_header,
        coding,
        not_modified,
    }
}

/// The answer of a rendering: 304 on a matching `If-None-Match`, else the body in the best
/// coding the client accepts; strong ETag, `Cache-Control` (a year for a pinned version) and
/// `Vary` either way.
pub(super) fn respond(
    rendered: &Rendered,
    headers: &HeaderMap,
    pinned: bool,
    extra: Option<(&'static str, String)>,
    retired: Option<i64>,
) -> Response<Body> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let Chosen {
        body,
        etag_header,
        coding,
        not_modified,
    } = choose(
        rendered,
        text(header::ACCEPT_ENCODING),
        text(header::IF_NONE_MATCH),
    );
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(body.clone()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(rendered.media_type),
        );
        if let Some(coding) = coding {
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        r
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag_header.clone());
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if pinned { PINNED_CACHE } else { LATEST_CACHE }),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    if let Some((name, value)) = extra {
        if let Ok(value) = HeaderValue::from_str(&value) {
            h.insert(name, value);
        }
    }
    // A retired list is still served (running services must not break when a publisher drops
    // it), marked as RFC 9745 marks a deprecated resource: the time it was retired.
    if let Some(at) = retired {
        if let Ok(value) = HeaderValue::from_str(&format!("@{at}")) {
            h.insert("deprecation", value);
        }
    }
    response
}

fn query_of<'a>(params: &'a CodesQuery, lang: Option<&'a str>) -> RawCodeQuery<'a> {
    RawCodeQuery {
        lang,
        date: params.date.as_deref(),
        from: params.from.as_deref(),
        to: params.to.as_deref(),
        level: params.level.as_deref(),
        parent: params.parent.as_deref(),
        filter: params.filter.as_deref(),
        select: params.select.as_deref(),
        status: params.status.as_deref(),
    }
}

/// The two runtime routes answered from the memo.
#[derive(Clone, Copy)]
enum Route {
    Codes,
    AltinnOptions,
}

impl Route {
    const CODES: &'static str = "/api/v1/code-lists/{id}/codes";
    const ALTINN_OPTIONS: &'static str = "/api/v1/code-lists/{id}/altinn-options";

    fn path(self) -> &'static str {
        match self {
            Route::Codes => Self::CODES,
            Route::AltinnOptions => Self::ALTINN_OPTIONS,
        }
    }
}

/// The answer to a request for the current version of a list whose rendering is memoized.
fn memo_answer(
    app: &AppState,
    id: &str,
    route: Route,
    raw: &str,
    headers: &HeaderMap,
) -> Option<Result<Response<Body>, ApiError>> {
    match route {
        Route::Codes => {
            let kind = match representation(headers) {
                Ok(repr) => repr.memo_kind(),
                Err(e) => return Some(Err(e)),
            };
            app.code_lists.with_latest_memo(id, kind, raw, |list, hit| {
                Ok(respond(hit, headers, false, None, list.retired_at))
            })
        }
        Route::AltinnOptions => {
            app.code_lists
                .with_latest_memo(id, MemoKind::AltinnOptions, raw, |latest, hit| {
                    let date = parse_params(Some(raw))?.date;
                    let extra = downstream(latest, date.as_deref());
                    Ok(respond(hit, headers, false, Some(extra), latest.retired_at))
                })
        }
    }
}

/// The list id and route of a path answered from the memo, if it is one of the two.
fn hot_route(path: &str) -> Option<(&str, Route)> {
    let rest = path.strip_prefix("/api/v1/code-lists/")?;
    let (id, tail) = rest.split_once('/')?;
    if id.is_empty() || id.contains('%') {
        return None;
    }
    let route = match tail {
        "codes" => Route::Codes,
        "altinn-options" => Route::AltinnOptions,
        _ => return None,
    };
    Some((id, route))
}

/// A memoized answer to a plain GET of a list's codes or Altinn options, made before routing
/// (see [`crate::http::Service`]); `None` sends the request through the router.
pub fn answer_before_routing(app: &AppState, request: &Request) -> Option<Response<Body>> {
    if request.method() != axum::http::Method::GET {
        return None;
    }
    let (id, route) = hot_route(request.uri().path())?;
    let started = std::time::Instant::now();
    let raw = request.uri().query().unwrap_or_default();
    // Errors (a bad Accept or date) are the handler's to answer, with the same problem.
    let response = memo_answer(app, id, route, raw, request.headers())?.ok()?;
    let result: Result<Response<Body>, ApiError> = Ok(response);
    app.metrics.observe("GET", route.path(), &result, started);
    result.ok()
}

/// What a memoized answer depends on, as the fast lane reads it off the wire: the target
/// split at `?`, and the first `Accept`, `Accept-Encoding` and `If-None-Match` values.
#[derive(Debug, Clone, Copy, Default)]
pub struct HotRequest<'a> {
    /// The path.
    pub path: &'a str,
    /// The query string ("" without one).
    pub query: &'a str,
    /// `Accept`.
    pub accept: Option<&'a str>,
    /// `Accept-Encoding`.
    pub accept_encoding: Option<&'a str>,
    /// `If-None-Match`.
    pub if_none_match: Option<&'a str>,
}

/// The time as the fast lane's answers need it, refreshed once a second.
pub trait HotClock {
    /// The HTTP `Date` value (`Tue, 01 Dec 2026 21:00:00 GMT`).
    fn http_date(&self) -> &[u8];
    /// Today (UTC) as `YYYY-MM-DD`.
    fn today(&self) -> &str;
}

/// The fast lane's answer to a request from the memo: the response head written into `head`
/// (status line, every header the router's answer has, the blank line) and the body to send
/// after it (`None` for a 304). `None` when the request is not a plain GET of a memoized
/// rendering: the router answers it, exactly as before. Allocates nothing once `head` has grown
/// to a head's size (tests/hot_alloc.rs counts).
pub fn write_memoized(
    app: &AppState,
    request: &HotRequest<'_>,
    clock: &impl HotClock,
    head: &mut bytes::BytesMut,
) -> Option<Option<axum::body::Bytes>> {
    let started = std::time::Instant::now();
    let (id, route) = hot_route(request.path)?;
    // A query the router would percent-decode may differ from its raw form (`d%61te=`).
    if request.query.contains(['%', '+']) {
        return None;
    }
    let write = |list: &CachedList, hit: &Rendered, altinn: bool, head: &mut bytes::BytesMut| {
        let downstream = altinn.then(|| {
            (
                list.version,
                date_param(request.query).unwrap_or(clock.today()),
            )
        });
        write_hot_answer(head, hit, request, clock, downstream, list.retired_at)
    };
    let answer = match route {
        Route::Codes => {
            let kind = representation_for(request.accept).ok()?.memo_kind();
            app.code_lists
                .with_latest_memo(id, kind, request.query, |list, hit| {
                    write(list, hit, false, head)
                })
        }
        Route::AltinnOptions => app.code_lists.with_latest_memo(
            id,
            MemoKind::AltinnOptions,
            request.query,
            |list, hit| write(list, hit, true, head),
        ),
    }?;
    observe_hot(app, route.path(), &answer, started);
    Some(answer)
}

/// Counts a fast-lane answer in the metrics under its route: 200 with a body, 304 without.
pub(super) fn observe_hot(
    app: &AppState,
    route: &'static str,
    answer: &Option<axum::body::Bytes>,
    started: std::time::Instant,
) {
    let status = if answer.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_MODIFIED
    };
    app.metrics.observe_status("GET", route, status, started);
}

/// Writes the head of a memoized rendering's answer into `head` — the same status and headers as
/// [`respond`] gives the router (`downstream`: the Altinn options' version and date) — and gives
/// the body to send after it (`None` for a 304).
pub(super) fn write_hot_answer(
    head: &mut bytes::BytesMut,
    hit: &Rendered,
    request: &HotRequest<'_>,
    clock: &impl HotClock,
    downstream: Option<(i32, &str)>,
    retired_at: Option<i64>,
) -> Option<axum::body::Bytes> {
    let chosen = choose(hit, request.accept_encoding, request.if_none_match);
    let mut put = |parts: &[&[u8]]| parts.iter().for_each(|p| head.extend_from_slice(p));
    if chosen.not_modified {
        put(&[b"HTTP/1.1 304 Not Modified\r\n"]);
    } else {
        put(&[
            b"HTTP/1.1 200 OK\r\ncontent-type: ",
            hit.media_type.as_bytes(),
            b"\r\n",
        ]);
        if let Some(coding) = chosen.coding {
            put(&[b"content-encoding: ", coding.as_bytes(), b"\r\n"]);
        }
    }
    put(&[
        b"etag: ",
        chosen.etag_header.as_bytes(),
        b"\r\ncache-control: ",
        LATEST_CACHE.as_bytes(),
        b"\r\nvary: Accept, Accept-Encoding\r\n",
    ]);
    if let Some((version, date)) = downstream {
        let mut number = itoa::Buffer::new();
        put(&[
            b"altinn-downstreamparameters: version=",
            number.format(version).as_bytes(),
            b",date=",
            date.as_bytes(),
            b"\r\n",
        ]);
    }
    // The same retirement mark as the router's answer (see `respond`).
    if let Some(at) = retired_at {
        let mut at_text = itoa::Buffer::new();
        put(&[b"deprecation: @", at_text.format(at).as_bytes(), b"\r\n"]);
    }
    if !chosen.not_modified {
        let mut length = itoa::Buffer::new();
        put(&[
            b"content-length: ",
            length.format(chosen.body.len()).as_bytes(),
            b"\r\n",
        ]);
    }
    put(&[b"date: ", clock.http_date(), b"\r\n\r\n"]);
    (!chosen.not_modified).then(|| chosen.body.clone())
}

/// The `date` parameter of a query string that rendered once (so it is a valid date, which
/// never needs percent-decoding).
fn date_param(query: &str) -> Option<&str> {
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("date="))
        .next()
}

/// The codes of a list, by `Accept`: JSON (default), CSV, Turtle or JSON-LD.
#[utoipa::path(get, path = "/api/v1/code-lists/{id}/codes",
    params(("id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"), CodesQuery),
    responses((status = 200, description = "The codes (strong `ETag`; `Cache-Control` long on a pinned version)", content(
                  (render::CodesResponse = "application/json"), (String = "text/csv"), (String = "text/turtle"),
                  (serde_json::Value = "application/ld+json"))),
              (status = 304, description = "Not modified (`If-None-Match` matched the ETag)"),
              (status = 400, description = "A parameter is malformed"),
              (status = 404, description = "No code list with that id or alias, or no such version"),
              (status = 406, description = "None of the accepted media types is offered")))]
pub async fn get_codes(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let started = std::time::Instant::now();
    // The request itself rather than a `HeaderMap` extractor, which would copy the headers.
    let headers = request.headers();
    let result: Result<Response<Body>, ApiError> = async {
        let repr = representation(headers)?;
        let raw = raw.unwrap_or_default();
        let kind = repr.memo_kind();
        if let Some(response) = memo_answer(&app, &id, Route::Codes, &raw, headers) {
            return response;
        }
        let params = parse_params(Some(&raw))?;
        let (list, pinned) = resolve(&app, headers, &id, params.version.as_deref()).await?;
        if let Some(hit) = app.code_lists.list_memo(&list, kind, &raw) {
            return Ok(private_if_draft(
                &list,
                respond(&hit, headers, pinned, None, list.retired_at),
            ));
        }
        let rendered = match repr {
            Representation::Rdf(format) => {
                let version = store::get_version(&app.db, &list.id, list.resource_version)
                    .await?
                    .ok_or_else(|| {
                        ApiError::internal(&format!("version missing for {}", list.id))
                    })?;
                let body = serialize_ntriples(&version.ntriples, format)
                    .map_err(|e| ApiError::internal(&e))?;
                Rendered::new(body, format.media_type())
            }
            Representation::Json | Representation::Csv => {
                let query =
                    CodeQuery::parse(&query_of(&params, params.lang.as_deref()), &list.list)
                        .map_err(|e| ApiError::bad_request(e.to_string()))?;
                if repr == Representation::Json {
                    render::codes_json(&list, &query)
                } else {
                    render::codes_csv(&list, &query)
                }
            }
        };
        let rendered = app
            .code_lists
            .remember_for_list(&list, kind, &raw, rendered);
        Ok(private_if_draft(
            &list,
            respond(&rendered, headers, pinned, None, list.retired_at),
        ))
    }
    .await;
    app.metrics.observe("GET", Route::CODES, &result, started);
    result
}

fn downstream(list: &CachedList, date: Option<&str>) -> (&'static str, String) {
    let date = date
        .map(str::to_owned)
        .unwrap_or_else(|| chrono::Utc::now().date_naive().to_string());
    (
        "altinn-downstreamparameters",
        format!("version={},date={date}", list.version),
    )
}

/// The codes as Altinn's app option list, so an Altinn app can point at it unchanged.
#[utoipa::path(get, path = "/api/v1/code-lists/{id}/altinn-options",
    params(("id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"), CodesQuery),
    responses((status = 200, description = "Altinn's option list `[{value,label,description?,helpText?}]`, with `Altinn-DownstreamParameters`", body = [AltinnOption]),
              (status = 304, description = "Not modified (`If-None-Match` matched the ETag)"),
              (status = 400, description = "A parameter is malformed"),
              (status = 404, description = "No code list with that id or alias, or no such version")))]
pub async fn get_altinn_options(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let started = std::time::Instant::now();
    // The request itself rather than a `HeaderMap` extractor, which would copy the headers.
    let headers = request.headers();
    let result: Result<Response<Body>, ApiError> = async {
        let raw = raw.unwrap_or_default();
        if let Some(response) = memo_answer(&app, &id, Route::AltinnOptions, &raw, headers) {
            return response;
        }
        let params = parse_params(Some(&raw))?;
        let (list, pinned) = resolve(&app, headers, &id, params.version.as_deref()).await?;
        let rendered = match app
            .code_lists
            .list_memo(&list, MemoKind::AltinnOptions, &raw)
        {
            Some(hit) => hit,
            None => {
                let lang = params.language.as_deref().or(params.lang.as_deref());
                let query = CodeQuery::parse(&query_of(&params, lang), &list.list)
                    .map_err(|e| ApiError::bad_request(e.to_string()))?;
                app.code_lists.remember_for_list(
                    &list,
                    MemoKind::AltinnOptions,
                    &raw,
                    render::altinn_options(&list, &query),
                )
            }
        };
        let extra = downstream(&list, params.date.as_deref());
        Ok(private_if_draft(
            &list,
            respond(&rendered, headers, pinned, Some(extra), list.retired_at),
        ))
    }
    .await;
    app.metrics
        .observe("GET", Route::ALTINN_OPTIONS, &result, started);
    result
}

/// Altinn 3's code-list library: `/altinn/{org}/code_lists/{codeListId}/{version}.json`, with
/// `version` a number or `_latest`.
#[utoipa::path(get, path = "/altinn/{org}/code_lists/{code_list_id}/{file}",
    params(("org" = String, Path, description = "Altinn org (kept in the payload's version)", example = "ssb"),
           ("code_list_id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"),
           ("file" = String, Path, pattern = "^([1-9][0-9]{0,8}|_latest)\\.json$", description = "`N.json` or `_latest.json`", example = "_latest.json")),
    responses((status = 200, description = "Altinn 3's code-list library payload `{codes,version,source,tagNames?}`", body = Object),
              (status = 304, description = "Not modified (`If-None-Match` matched the ETag)"),
              (status = 400, description = "The version is not a number"),
              (status = 404, description = "No code list with that id or alias, no such version, or a file name other than `N.json` / `_latest.json`")))]
pub async fn get_altinn_library_code_list(
    State(app): State<AppState>,
    ApiPath((org, code_list_id, file)): ApiPath<(String, String, String)>,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let started = std::time::Instant::now();
    // The request itself rather than a `HeaderMap` extractor, which would copy the headers.
    let headers = request.headers();
    let result: Result<Response<Body>, ApiError> = async {
        let version = file.strip_suffix(".json").ok_or_else(|| {
            ApiError::not_found(format!("{file:?}: expected N.json or _latest.json"))
        })?;
        let version = (version != "_latest").then_some(version);
        let (list, pinned) = resolve(&app, headers, &code_list_id, version).await?;
        let key = format!("{}|{}|library|{org}|{code_list_id}", list.id, list.version);
        let rendered = match app.code_lists.memo(&key) {
            Some(hit) => hit,
            None => app
                .code_lists
                .remember(key, render::altinn_library(&list, &org, &code_list_id)),
        };
        Ok(private_if_draft(
            &list,
            respond(&rendered, headers, pinned, None, list.retired_at),
        ))
    }
    .await;
    app.metrics.observe(
        "GET",
        "/altinn/{org}/code_lists/{code_list_id}/{file}",
        &result,
        started,
    );
    result
}

/// Parameters of `GET /api/v1/code-lists/{id}/changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Start: a date (YYYY-MM-DD) or a version number.
    #[param(value_type = DateOrVersion)]
    pub from: String,
    /// End: a date or a version number, the same kind as `from` (default: today / the latest
    /// version). Dates with `from` ≥ `to` give no changes.
    #[param(value_type = Option<DateOrVersion>)]
    pub to: Option<String>,
    /// Language of names.
    #[param(pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    pub lang: Option<String>,
}

/// A date (`YYYY-MM-DD`) or a version number (schema only).
pub struct DateOrVersion;

impl utoipa::PartialSchema for DateOrVersion {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(i32::MAX)),
            )
            .into()
    }
}

impl utoipa::ToSchema for DateOrVersion {}

pub use crate::code_lists::changes::CodeChange;

/// The changes of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeChangesResponse {
    /// The list's id.
    pub id: String,
    /// The changes, by date then code.
    pub changes: Vec<CodeChange>,
}

/// Changes of a list between two dates (from validity) or two versions (by comparing them), as
/// Klass's `changes`.
#[utoipa::path(get, path = "/api/v1/code-lists/{id}/changes",
    params(("id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"), ChangesQuery),
    responses((status = 200, body = CodeChangesResponse, description = "The changes, by date then code"),
              (status = 400, description = "`from` or `to` is neither a date nor a version number, or they are of different kinds"),
              (status = 404, description = "No code list with that id or alias, or no such version")))]
pub async fn get_code_list_changes(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<ChangesQuery>,
) -> Result<axum::Json<CodeChangesResponse>, ApiError> {
    if let Some(lang) = params.lang.as_deref() {
        if !crate::code_lists::query::is_language_tag(lang) {
            return Err(ApiError::bad_request(format!(
                "lang: {lang:?} is not a language tag such as nb, nn or en"
            )));
        }
    }
    let latest = app.code_lists.get(&id).ok_or_else(|| unknown_list(&id))?;
    let lang = params.lang.as_deref().unwrap_or("nb");
    let as_date = |s: &str| crate::code_lists::query::parse_date("from", s).ok();
    let as_version = |s: &str| {
        crate::http::params::VersionNumber::parse(s)
            .ok()
            .and_then(|n| i32::try_from(n.get()).ok())
    };
    let changes = if let Some(from) = as_date(&params.from) {
        let to = match params.to.as_deref() {
            None => chrono::Utc::now().date_naive(),
            Some(t) => as_date(t).ok_or_else(|| {
                ApiError::bad_request(format!("invalid to {t:?}: expected YYYY-MM-DD like from"))
            })?,
        };
        changes::between_dates(&latest.list, from, to, lang)
    } else if let Some(from) = as_version(&params.from) {
        let to = match params.to.as_deref() {
            None => latest.version,
            Some(t) => as_version(t).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "invalid to {t:?}: expected a version number like from"
                ))
            })?,
        };
        let missing = |n| ApiError::not_found(format!("code list {id} has no version {n}"));
        let old = app
            .code_lists
            .version(&app.db, &latest, from)
            .await?
            .ok_or_else(|| missing(from))?;
        let new = app
            .code_lists
            .version(&app.db, &latest, to)
            .await?
            .ok_or_else(|| missing(to))?;
        changes::between_versions(&old.list, &new.list, lang)
    } else {
        return Err(ApiError::bad_request(format!(
            "invalid from {:?}: expected a date (YYYY-MM-DD) or a version number",
            params.from
        )));
    };
    Ok(axum::Json(CodeChangesResponse {
        id: latest.id.clone(),
        changes,
    }))
}

/// Parameters of `GET /api/v1/code-lists/{id}/correspondences`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CorrespondencesQuery {
    /// The other list (id or alias); without it, every correspondence of the list.
    pub target: Option<String>,
    /// Only associations valid on this day (YYYY-MM-DD).
    #[param(format = Date)]
    pub date: Option<String>,
    /// Language of code names.
    #[param(pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    pub lang: Option<String>,
}

/// One code-to-code association.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceMap {
    /// Code in this list.
    pub source_code: String,
    /// Its name.
    pub source_name: Option<String>,
    /// Code in the other list.
    pub target_code: String,
    /// Its name.
    pub target_name: Option<String>,
    /// First day valid.
    pub valid_from: Option<NaiveDate>,
    /// First day no longer valid (exclusive).
    pub valid_to: Option<NaiveDate>,
}

/// One correspondence, seen from the asked list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrespondenceResponse {
    /// The correspondence resource's id.
    pub id: String,
    /// The asked list's id.
    pub source: String,
    /// The other list's id (or IRI when it is not in this registry).
    pub target: String,
    /// The associations, from the asked list's codes to the other's.
    pub maps: Vec<CorrespondenceMap>,
}

/// The correspondences of a list with others.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrespondencesResponse {
    /// The correspondences.
    pub correspondences: Vec<CorrespondenceResponse>,
}

/// Correspondences between a list and others (e.g. before and after a reform), in either
/// direction, optionally as of a date.
#[utoipa::path(get, path = "/api/v1/code-lists/{id}/correspondences",
    params(("id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"), CorrespondencesQuery),
    responses((status = 200, body = CorrespondencesResponse, description = "The correspondences, seen from this list"),
              (status = 400, description = "A parameter is malformed"),
              (status = 404, description = "No code list with that id or alias (this one or the target)")))]
pub async fn get_correspondences(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<CorrespondencesQuery>,
) -> Result<axum::Json<CorrespondencesResponse>, ApiError> {
    if let Some(lang) = params.lang.as_deref() {
        if !crate::code_lists::query::is_language_tag(lang) {
            return Err(ApiError::bad_request(format!(
                "lang: {lang:?} is not a language tag such as nb, nn or en"
            )));
        }
    }
    let list = app.code_lists.get(&id).ok_or_else(|| unknown_list(&id))?;
    let target = match params.target.as_deref() {
        Some(t) => Some(app.code_lists.get(t).ok_or_else(|| unknown_list(t))?),
        None => None,
    };
    let date = params
        .date
        .as_deref()
        .map(|d| {
            crate::code_lists::query::parse_date("date", d)
                .map_err(|e| ApiError::bad_request(e.to_string()))
        })
        .transpose()?;
    let lang = params.lang.as_deref().unwrap_or("nb");
    let names = |l: &CachedList| codes_by_iri(l, lang);
    let own = names(&list);
    let mut out = Vec::new();
    for corr in app.code_lists.correspondences_of(&list.list.iri) {
        let forward = corr.source_list == list.list.iri;
        let other_iri = if forward {
            &corr.target_list
        } else {
            &corr.source_list
        };
        let other = app
            .code_lists
            .get(&crate::ids::resource_id_for_iri(other_iri));
        if let Some(target) = &target {
            if &target.list.iri != other_iri {
                continue;
            }
        }
        let theirs = other.as_deref().map(names).unwrap_or_default();
        let maps = corr
            .maps
            .iter()
            .filter(|m| date.is_none_or(|d| m.valid_on(d)))
            .map(|m| {
                let (mine, other_code) = if forward {
                    (&m.source, &m.target)
                } else {
                    (&m.target, &m.source)
                };
                let (source_code, source_name) = code_of(mine, &own);
                let (target_code, target_name) = code_of(other_code, &theirs);
                CorrespondenceMap {
                    source_code,
                    source_name,
                    target_code,
                    target_name,
                    valid_from: m.valid_from,
                    valid_to: m.valid_to,
                }
            })
            .collect();
        out.push(CorrespondenceResponse {
            id: corr.id.clone(),
            source: list.id.clone(),
            target: other
                .map(|o| o.id.clone())
                .unwrap_or_else(|| other_iri.clone()),
            maps,
        });
    }
    Ok(axum::Json(CorrespondencesResponse {
        correspondences: out,
    }))
}
