//! The FHIR terminology API under `/fhir`: routes, content negotiation, caching headers and
//! `OperationOutcome` errors. Handlers are one table ([`ROUTES`]) that also writes the
//! OpenAPI description, so the two cannot drift; the work is in [`crate::fhir`].

use super::code_lists::{observe_hot, respond, write_hot_answer, HotClock, HotRequest};
use crate::app::AppState;
use crate::code_lists::{MemoKind, Rendered};
use crate::fhir::code_system::Summary;
use crate::fhir::params::{Kind, Params, Spec};
use crate::fhir::search::{Links, ResourceType};
use crate::fhir::{
    capability, codes, concept_map, outcome, resolve, search, value_set, FhirError, IssueType,
    FHIR_JSON,
};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use serde_json::Value;

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `metadata`.
    Metadata,
    /// A type search.
    Search(ResourceType),
    /// A read by id.
    Read(ResourceType),
    /// A read of one version.
    VRead(ResourceType),
    /// `ValueSet/$expand`.
    Expand,
    /// `CodeSystem/$lookup`.
    Lookup,
    /// `CodeSystem/$validate-code`.
    ValidateCodeSystem,
    /// `ValueSet/$validate-code`.
    ValidateValueSet,
    /// `CodeSystem/$subsumes`.
    Subsumes,
    /// `ConceptMap/$translate`.
    Translate,
}

const NO_PARAMS: &[Spec] = &[];
const READ: &[Spec] = &[Spec::one("_summary", Kind::Text)];

impl Op {
    fn specs(self) -> &'static [Spec] {
        match self {
            Op::Metadata => capability::METADATA,
            Op::Search(kind) => kind.specs(),
            Op::Read(_) | Op::VRead(_) => READ,
            Op::Expand => value_set::EXPAND,
            Op::Lookup => codes::LOOKUP,
            Op::ValidateCodeSystem => codes::VALIDATE_CODE_SYSTEM,
            Op::ValidateValueSet => codes::VALIDATE_VALUE_SET,
            Op::Subsumes => codes::SUBSUMES,
            Op::Translate => concept_map::TRANSLATE,
        }
    }

    fn name(self) -> String {
        match self {
            Op::Metadata => "metadata".into(),
            Op::Search(kind) => format!("a {} search", kind.name()),
            Op::Read(kind) | Op::VRead(kind) => format!("a {} read", kind.name()),
            Op::Expand => "ValueSet/$expand".into(),
            Op::Lookup => "CodeSystem/$lookup".into(),
            Op::ValidateCodeSystem => "CodeSystem/$validate-code".into(),
            Op::ValidateValueSet => "ValueSet/$validate-code".into(),
            Op::Subsumes => "CodeSystem/$subsumes".into(),
            Op::Translate => "ConceptMap/$translate".into(),
        }
    }
}

/// One route: path, method, what it does, and its summary in the OpenAPI document.
pub struct Route {
    /// The path (with `{id}`, `{vid}`).
    pub path: &'static str,
    /// GET or POST.
    pub post: bool,
    /// What it does.
    pub op: Op,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
}

const fn route(path: &'static str, post: bool, op: Op, summary: &'static str) -> Route {
    Route {
        path,
        post,
        op,
        summary,
    }
}

use ResourceType::{CodeSystem as CS, ConceptMap as CM, ValueSet as VS};

/// Every FHIR route.
pub const ROUTES: &[Route] = &[
    route(
        "/fhir/metadata",
        false,
        Op::Metadata,
        "CapabilityStatement; with mode=terminology the TerminologyCapabilities",
    ),
    route(
        "/fhir/CodeSystem",
        false,
        Op::Search(CS),
        "Search code lists as CodeSystems (searchset Bundle)",
    ),
    route(
        "/fhir/CodeSystem/_search",
        true,
        Op::Search(CS),
        "Search CodeSystems with a form body",
    ),
    route(
        "/fhir/CodeSystem/$lookup",
        false,
        Op::Lookup,
        "What is known of a code: display, designations, properties",
    ),
    route(
        "/fhir/CodeSystem/$lookup",
        true,
        Op::Lookup,
        "$lookup with a Parameters body",
    ),
    route(
        "/fhir/CodeSystem/$validate-code",
        false,
        Op::ValidateCodeSystem,
        "Whether a code is in a code system and valid on the day",
    ),
    route(
        "/fhir/CodeSystem/$validate-code",
        true,
        Op::ValidateCodeSystem,
        "$validate-code with a Parameters body",
    ),
    route(
        "/fhir/CodeSystem/$subsumes",
        false,
        Op::Subsumes,
        "How two codes of a hierarchical list relate",
    ),
    route(
        "/fhir/CodeSystem/$subsumes",
        true,
        Op::Subsumes,
        "$subsumes with a Parameters body",
    ),
    route(
        "/fhir/CodeSystem/{id}",
        false,
        Op::Read(CS),
        "A code list as a CodeSystem, by id or alias",
    ),
    route(
        "/fhir/CodeSystem/{id}/_history/{vid}",
        false,
        Op::VRead(CS),
        "One version of a CodeSystem",
    ),
    route(
        "/fhir/ValueSet",
        false,
        Op::Search(VS),
        "Search the implicit all-codes ValueSets of the code lists",
    ),
    route(
        "/fhir/ValueSet/_search",
        true,
        Op::Search(VS),
        "Search ValueSets with a form body",
    ),
    route(
        "/fhir/ValueSet/$expand",
        false,
        Op::Expand,
        "The codes of a value set, filtered, paged, as of a date",
    ),
    route(
        "/fhir/ValueSet/$expand",
        true,
        Op::Expand,
        "$expand with a Parameters body",
    ),
    route(
        "/fhir/ValueSet/$validate-code",
        false,
        Op::ValidateValueSet,
        "Whether a code is in a value set and valid on the day",
    ),
    route(
        "/fhir/ValueSet/$validate-code",
        true,
        Op::ValidateValueSet,
        "$validate-code with a Parameters body",
    ),
    route(
        "/fhir/ValueSet/{id}",
        false,
        Op::Read(VS),
        "A code list's implicit ValueSet, by id or alias",
    ),
    route(
        "/fhir/ValueSet/{id}/_history/{vid}",
        false,
        Op::VRead(VS),
        "One version of a ValueSet",
    ),
    route(
        "/fhir/ConceptMap",
        false,
        Op::Search(CM),
        "Search correspondences as ConceptMaps",
    ),
    route(
        "/fhir/ConceptMap/_search",
        true,
        Op::Search(CM),
        "Search ConceptMaps with a form body",
    ),
    route(
        "/fhir/ConceptMap/$translate",
        false,
        Op::Translate,
        "Translate a code through a correspondence",
    ),
    route(
        "/fhir/ConceptMap/$translate",
        true,
        Op::Translate,
        "$translate with a Parameters body",
    ),
    route(
        "/fhir/ConceptMap/{id}",
        false,
        Op::Read(CM),
        "A correspondence as a ConceptMap",
    ),
    route(
        "/fhir/ConceptMap/{id}/_history/{vid}",
        false,
        Op::VRead(CM),
        "One version of a ConceptMap",
    ),
    route(
        "/fhir/CodeSystem/{id}/$lookup",
        false,
        Op::Lookup,
        "$lookup in the CodeSystem with this id",
    ),
    route(
        "/fhir/CodeSystem/{id}/$lookup",
        true,
        Op::Lookup,
        "$lookup in the CodeSystem with this id, with a Parameters body",
    ),
    route(
        "/fhir/CodeSystem/{id}/$validate-code",
        false,
        Op::ValidateCodeSystem,
        "$validate-code in the CodeSystem with this id",
    ),
    route(
        "/fhir/CodeSystem/{id}/$validate-code",
        true,
        Op::ValidateCodeSystem,
        "$validate-code in the CodeSystem with this id, with a Parameters body",
    ),
    route(
        "/fhir/CodeSystem/{id}/$subsumes",
        false,
        Op::Subsumes,
        "$subsumes in the CodeSystem with this id",
    ),
    route(
        "/fhir/CodeSystem/{id}/$subsumes",
        true,
        Op::Subsumes,
        "$subsumes in the CodeSystem with this id, with a Parameters body",
    ),
    route(
        "/fhir/ValueSet/{id}/$expand",
        false,
        Op::Expand,
        "$expand of the ValueSet with this id",
    ),
    route(
        "/fhir/ValueSet/{id}/$expand",
        true,
        Op::Expand,
        "$expand of the ValueSet with this id, with a Parameters body",
    ),
    route(
        "/fhir/ValueSet/{id}/$validate-code",
        false,
        Op::ValidateValueSet,
        "$validate-code in the ValueSet with this id",
    ),
    route(
        "/fhir/ValueSet/{id}/$validate-code",
        true,
        Op::ValidateValueSet,
        "$validate-code in the ValueSet with this id, with a Parameters body",
    ),
    route(
        "/fhir/ConceptMap/{id}/$translate",
        false,
        Op::Translate,
        "$translate through the ConceptMap with this id",
    ),
    route(
        "/fhir/ConceptMap/{id}/$translate",
        true,
        Op::Translate,
        "$translate through the ConceptMap with this id, with a Parameters body",
    ),
];

/// The path the hot `$expand` is memoized under (and its metrics route).
pub const EXPAND_PATH: &str = "/fhir/ValueSet/$expand";

/// Whether a route pattern (`/fhir/CodeSystem/{id}`) matches a path.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut q) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b || (a.starts_with('{') && !b.is_empty()) => {}
            _ => return false,
        }
    }
}

/// The methods the routes of a path take, for a 405's text.
fn allowed_methods(path: &str) -> String {
    // A static segment wins over a parameter, as in the router.
    let exact: Vec<&Route> = ROUTES.iter().filter(|r| r.path == path).collect();
    let routes = if exact.is_empty() {
        ROUTES
            .iter()
            .filter(|r| pattern_matches(r.path, path))
            .collect()
    } else {
        exact
    };
    let mut methods: Vec<&str> = routes
        .iter()
        .map(|r| if r.post { "POST" } else { "GET" })
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods.join(", ")
}

/// Whether a path is under the FHIR base.
pub fn is_fhir_path(path: &str) -> bool {
    path == "/fhir" || path.starts_with("/fhir/")
}

/// The FHIR routes, for the main router.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for r in ROUTES {
        let op = r.op;
        let method = if r.post {
            post(
                move |State(app): State<AppState>,
                      path: Option<Path<Vec<(String, String)>>>,
                      request: Request| {
                    serve(app, op, path.map(|Path(p)| p).unwrap_or_default(), request)
                },
            )
        } else {
            get(
                move |State(app): State<AppState>,
                      path: Option<Path<Vec<(String, String)>>>,
                      request: Request| {
                    serve(app, op, path.map(|Path(p)| p).unwrap_or_default(), request)
                },
            )
        };
        match by_path.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, existing)) => {
                let taken = std::mem::take(existing);
                *existing = taken.merge(method);
            }
            None => by_path.push((r.path, method)),
        }
    }
    for (path, method) in by_path {
        router = router.route(path, method);
    }
    router
}

/// The `_format` values and `Accept` media types that take FHIR JSON (the first four are the
/// `_format` values).
const JSON: [&str; 6] = [
    "json",
    "application/json",
    "application/fhir+json",
    "application/json+fhir",
    "*/*",
    "application/*",
];

/// What a FHIR client may be sent: JSON, whatever `_format` or `Accept` asks.
fn negotiate(headers: &HeaderMap, format: Option<&str>) -> Result<(), FhirError> {
    let refuse = |what: &str| {
        FhirError::NotAcceptable(format!(
            "{what} cannot be given: this server writes FHIR JSON only (application/fhir+json, _format=json)"
        ))
    };
    if let Some(format) = format {
        let media = format.split(';').next().unwrap_or_default().trim();
        return if JSON[..4].contains(&media) {
            Ok(())
        } else {
            Err(refuse(&format!("_format {format:?}")))
        };
    }
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    if accepts_json(accept) {
        Ok(())
    } else {
        Err(refuse(&format!("Accept {accept:?}")))
    }
}

/// Whether an `Accept` value takes FHIR JSON (an empty one takes anything).
fn accepts_json(accept: &str) -> bool {
    accept.trim().is_empty()
        || accept.split(',').any(|item| {
            let mut parts = item.split(';');
            let media = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            JSON.iter().any(|j| j.eq_ignore_ascii_case(media)) && !refused
        })
}

/// The server's FHIR base URL as the client reached it (for Bundle links).
fn base_url(headers: &HeaderMap) -> String {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or_default().trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let proto = text("x-forwarded-proto")
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".to_owned());
    let host = text("x-forwarded-host")
        .or_else(|| text("host"))
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{proto}://{host}/fhir")
}

/// The HTTP status of an error.
fn status_of(error: &FhirError) -> StatusCode {
    match error {
        FhirError::Invalid { .. } | FhirError::NotSupported { .. } => StatusCode::BAD_REQUEST,
        FhirError::NotFound(_) => StatusCode::NOT_FOUND,
        FhirError::TooCostly(_) => StatusCode::UNPROCESSABLE_ENTITY,
        FhirError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
        FhirError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        FhirError::TooLong(_) => StatusCode::PAYLOAD_TOO_LARGE,
        FhirError::Store(_) if error.issue() == IssueType::Transient => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        FhirError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn fhir_json(status: StatusCode, body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    response
}

/// An error as an `OperationOutcome` response.
pub fn error_response(error: &FhirError) -> Response<Body> {
    let body = serde_json::to_vec(&outcome::of_error(error)).unwrap_or_default();
    fhir_json(status_of(error), body)
}

/// A request's parameters: the query string, and for POST the body (a `Parameters` resource
/// or a form).
async fn read_params(
    app: &AppState,
    op: Op,
    method: &Method,
    raw: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Params, Vec<(String, String)>), FhirError> {
    let what = op.name();
    let query_pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    if method != Method::POST {
        let params = Params::from_pairs(query_pairs.clone(), op.specs(), &what)?;
        return Ok((params, query_pairs));
    }
    let limit = app.config.body_limit_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        FhirError::TooLong(format!(
            "the request body is larger than the limit of {limit} bytes"
        ))
    })?;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let form = media.as_deref() == Some("application/x-www-form-urlencoded");
    let json = matches!(
        media.as_deref(),
        Some("application/fhir+json" | "application/json" | "application/json+fhir")
    );
    let mut pairs = query_pairs;
    if form || (media.is_none() && bytes.is_empty()) {
        pairs.extend(form_urlencoded::parse(&bytes).into_owned());
        let params = Params::from_pairs(pairs.clone(), op.specs(), &what)?;
        return Ok((params, pairs));
    }
    if !json || matches!(op, Op::Search(_)) {
        return Err(FhirError::UnsupportedMediaType(format!(
            "{what} takes {} (Content-Type {:?})",
            if matches!(op, Op::Search(_)) {
                "a form body (application/x-www-form-urlencoded)"
            } else {
                "a Parameters resource (application/fhir+json) or a form"
            },
            media.unwrap_or_default()
        )));
    }
    let document: Value = serde_json::from_slice(&bytes).map_err(|e| FhirError::Invalid {
        message: format!("the body is not JSON: {e}"),
        param: None,
    })?;
    let mut params = Params::from_parameters(&document, op.specs(), &what)?;
    let query = Params::from_pairs(pairs.clone(), NO_PARAMS, &what)?;
    params.absorb(query);
    Ok((params, pairs))
}

/// The GET answers memoized per list version: `$expand` and the two `$validate-code`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Memoized {
    Expand,
    ValidateCodeSystem,
    ValidateValueSet,
}

impl Memoized {
    fn of_path(path: &str) -> Option<Memoized> {
        match path {
            EXPAND_PATH => Some(Memoized::Expand),
            VALIDATE_CODE_SYSTEM_PATH => Some(Memoized::ValidateCodeSystem),
            VALIDATE_VALUE_SET_PATH => Some(Memoized::ValidateValueSet),
            _ => None,
        }
    }

    fn of_op(op: Op) -> Option<Memoized> {
        match op {
            Op::Expand => Some(Memoized::Expand),
            Op::ValidateCodeSystem => Some(Memoized::ValidateCodeSystem),
            Op::ValidateValueSet => Some(Memoized::ValidateValueSet),
            _ => None,
        }
    }

    fn kind(self) -> MemoKind {
        match self {
            Memoized::Expand => MemoKind::FhirExpand,
            _ => MemoKind::FhirValidate,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Memoized::Expand => EXPAND_PATH,
            Memoized::ValidateCodeSystem => VALIDATE_CODE_SYSTEM_PATH,
            Memoized::ValidateValueSet => VALIDATE_VALUE_SET_PATH,
        }
    }

    /// The parameter that pins a version (such a request is answered by the router).
    fn version_param(self) -> &'static str {
        match self {
            Memoized::ValidateCodeSystem => "version",
            _ => "valueSetVersion",
        }
    }

    /// The key an answer is kept under in its list version's memo: the raw query string (the
    /// two validations apart), and for a list whose codes have validity dates, today's date
    /// (without `date`, the answer is as of today).
    fn key(self, raw: &str, dated: bool, date_given: bool) -> std::borrow::Cow<'_, str> {
        let today = (dated && !date_given).then(|| chrono::Utc::now().date_naive());
        match (self, today) {
            (Memoized::Expand, None) => std::borrow::Cow::Borrowed(raw),
            (Memoized::Expand, Some(day)) => std::borrow::Cow::Owned(format!("{raw}#{day}")),
            (other, day) => std::borrow::Cow::Owned(format!(
                "{}?{raw}#{}",
                if other == Memoized::ValidateValueSet {
                    "vs"
                } else {
                    "cs"
                },
                day.map(|d| d.to_string()).unwrap_or_default()
            )),
        }
    }
}

/// The path of `CodeSystem/$validate-code`, memoized like `$expand`.
pub const VALIDATE_CODE_SYSTEM_PATH: &str = "/fhir/CodeSystem/$validate-code";
/// The path of `ValueSet/$validate-code`, memoized like `$expand`.
pub const VALIDATE_VALUE_SET_PATH: &str = "/fhir/ValueSet/$validate-code";

/// A GET of `$expand` or `$validate-code` (by `url`, for the current version of a list)
/// answered from the memo before routing, when the same request was answered before.
pub fn answer_before_routing(app: &AppState, request: &Request) -> Option<Response<Body>> {
    if request.method() != Method::GET {
        return None;
    }
    let memoized = Memoized::of_path(request.uri().path())?;
    let started = std::time::Instant::now();
    let raw = request.uri().query()?;
    if negotiate(request.headers(), None).is_err() {
        return None;
    }
    let (list, hit) = memo_hit(app, memoized, raw)?;
    let response = respond(&hit, request.headers(), false, None, list.retired_at);
    let result: Result<Response<Body>, FhirError> = Ok(response);
    app.metrics
        .observe("GET", memoized.path(), &result, started);
    result.ok()
}

/// The memoized answer to a GET of `memoized` with the query string `raw`, for the current
/// version of the list its `url` names: `None` when there is none (a pinned version, an unknown
/// list, a request not answered before), which the router then answers.
fn memo_hit(
    app: &AppState,
    memoized: Memoized,
    raw: &str,
) -> Option<(
    std::sync::Arc<crate::code_lists::CachedList>,
    std::sync::Arc<Rendered>,
)> {
    // The common case first, without decoding: `url=` holding a list's IRI exactly as a client
    // encodes it (and no `|version`, which would be `%7C`).
    let mut fast = None;
    let mut date_given = false;
    for pair in raw.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "url" => fast = app.code_lists.get_by_encoded_iri(value),
            "date" => date_given = true,
            n if n == memoized.version_param() => return None,
            n if n.contains(['%', '+']) => {
                fast = None;
                break;
            }
            _ => {}
        }
    }
    // (A value set's URL without `?fhir_vs` is its list's IRI, so this serves all three.)
    if let Some(list) = fast {
        let key = memoized.key(raw, list.index().is_dated(), date_given);
        let hit = app.code_lists.list_memo(&list, memoized.kind(), &key)?;
        return Some((list, hit));
    }
    let mut url = None;
    let mut date_given = false;
    for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
        match &*name {
            "url" => url = Some(value),
            "date" => date_given = true,
            n if n == memoized.version_param() => return None,
            _ => {}
        }
    }
    let url = url?;
    let (url, version) = resolve::split_canonical(&url);
    if version.is_some() {
        return None;
    }
    let iri = if memoized == Memoized::ValidateCodeSystem {
        url
    } else {
        resolve::list_iri_of_value_set(url)
    };
    let list = resolve::list_by_iri(&app.code_lists, iri)?;
    let key = memoized.key(raw, list.index().is_dated(), date_given);
    let hit = app.code_lists.list_memo(&list, memoized.kind(), &key)?;
    Some((list, hit))
}

/// The fast lane's answer to a GET of `$expand` or `$validate-code` answered before (see
/// [`super::fast`]): the head written into `head` with the same status and headers as the
/// router's answer, and the body to send after it (`None` for a 304). `None` sends the
/// request to the router.
pub fn write_memoized(
    app: &AppState,
    request: &HotRequest<'_>,
    clock: &impl HotClock,
    head: &mut bytes::BytesMut,
) -> Option<Option<axum::body::Bytes>> {
    let memoized = Memoized::of_path(request.path)?;
    let started = std::time::Instant::now();
    if request.query.is_empty() || !request.accept.is_none_or(accepts_json) {
        return None;
    }
    let (list, hit) = memo_hit(app, memoized, request.query)?;
    let body = write_hot_answer(head, &hit, request, clock, None, list.retired_at);
    observe_hot(app, memoized.path(), &body, started);
    Some(body)
}

impl crate::metrics::HasStatus for FhirError {
    fn status_code(&self) -> StatusCode {
        status_of(self)
    }
}

/// Answers one FHIR request.
async fn serve(
    app: AppState,
    op: Op,
    path: Vec<(String, String)>,
    request: Request,
) -> Response<Body> {
    let started = std::time::Instant::now();
    let instance = path.iter().any(|(name, _)| name == "id");
    let (parts, body) = request.into_parts();
    let raw = parts.uri.query().unwrap_or_default().to_owned();
    let post = parts.method == Method::POST;
    let result: Result<Response<Body>, FhirError> = async {
        let (params, pairs) = read_params(&app, op, &parts.method, &raw, &parts.headers, body).await?;
        negotiate(&parts.headers, params.text("_format"))?;
        let ids = |name: &str| path.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let base = base_url(&parts.headers);
        let today = chrono::Utc::now().date_naive();
        // Memoized answers of a GET ($expand, $validate-code), per list version.
        let mut memo: Option<(std::sync::Arc<crate::code_lists::CachedList>, String)> = None;
        let (value, pinned) = match op {
            Op::Metadata => match params.text("mode") {
                None | Some("full" | "normative") => (
                    capability::capability_statement(&base, started_at()),
                    false,
                ),
                Some("terminology") => (
                    capability::terminology_capabilities(&app.code_lists, started_at()),
                    false,
                ),
                Some(other) => {
                    return Err(FhirError::invalid(
                        "mode",
                        format!("invalid mode {other:?}: expected full, normative or terminology"),
                    ))
                }
            },
            Op::Search(kind) => {
                let links = Links { base: &base, pairs: &pairs };
                (search::search(&app.code_lists, kind, &params, &links)?, false)
            }
            Op::Read(kind) | Op::VRead(kind) => {
                let id = ids("id").unwrap_or_default();
                let summary = search::summary(&params)?;
                if summary == Summary::Count {
                    return Err(FhirError::invalid("_summary", "_summary=count is for searches"));
                }
                read(&app, kind, id, ids("vid"), summary).await?
            }
            Op::Expand => {
                let resolved = list_for(
                    &app,
                    ids("id"),
                    ResourceType::ValueSet,
                    params.text("url"),
                    params.text("valueSetVersion"),
                    ("url", "$expand needs url: the value set's canonical URL (a code list's IRI, with or without ?fhir_vs)"),
                )
                .await?;
                let request = value_set::Expand::from_params(&params)?;
                // An answer as of today changes with the day, even for a pinned version.
                let dated = resolved.list.index().is_dated();
                let pinned = resolved.pinned && (request.date.is_some() || !dated);
                if !post {
                    let key = Memoized::Expand.key(&raw, dated, request.date.is_some());
                    if let Some(hit) = app.code_lists.list_memo(&resolved.list, MemoKind::FhirExpand, &key) {
                        return Ok(respond(&hit, &parts.headers, pinned, None, resolved.list.retired_at));
                    }
                    memo = Some((resolved.list.clone(), key.into_owned()));
                }
                (value_set::expand(&resolved, &request, today)?, pinned)
            }
            Op::Lookup => {
                let coding = params.coding("coding").cloned();
                let system = params
                    .text("system")
                    .map(str::to_owned)
                    .or_else(|| coding.as_ref().and_then(|c| c.system.clone()));
                let code = params
                    .text("code")
                    .map(str::to_owned)
                    .or_else(|| coding.as_ref().and_then(|c| c.code.clone()))
                    .ok_or_else(|| FhirError::invalid("code", "$lookup needs code (or coding)"))?;
                let version = params
                    .text("version")
                    .map(str::to_owned)
                    .or_else(|| coding.as_ref().and_then(|c| c.version.clone()));
                let resolved = list_for(
                    &app,
                    ids("id"),
                    ResourceType::CodeSystem,
                    system.as_deref(),
                    version.as_deref(),
                    ("system", "$lookup needs system (or coding with a system): the code system's URL"),
                )
                .await?;
                (
                    codes::lookup(&resolved, &code, &params, params.date("date"))?,
                    resolved.pinned,
                )
            }
            Op::ValidateCodeSystem | Op::ValidateValueSet => {
                let value_set = op == Op::ValidateValueSet;
                let codings = codes::codings(&params, "system")?;
                let (resolved, container) = if value_set {
                    let resolved = list_for(&app, ids("id"), ResourceType::ValueSet, params.text("url"), params.text("valueSetVersion"), ("url", "ValueSet/$validate-code needs url: the value set's canonical URL")).await?;
                    let url = resolve::value_set_url(&resolved.list.list.iri);
                    (resolved, format!("the value set {url}"))
                } else {
                    let url = params
                        .text("url")
                        .or_else(|| params.text("system"))
                        .map(str::to_owned)
                        .or_else(|| codings.iter().find_map(|c| c.system.clone()));
                    let version = params.text("version").map(str::to_owned).or_else(|| codings.iter().find_map(|c| c.version.clone()));
                    let resolved = list_for(&app, ids("id"), ResourceType::CodeSystem, url.as_deref(), version.as_deref(), ("url", "CodeSystem/$validate-code needs url: the code system's URL")).await?;
                    let url = resolved.list.list.iri.clone();
                    (resolved, format!("the code system {url}"))
                };
                let lang = codes::display_language(&params, &resolved)?;
                let day = params.date("date").unwrap_or(today);
                let dated = resolved.list.index().is_dated();
                let pinned = resolved.pinned && (params.has("date") || !dated);
                if let Some(memoized) = Memoized::of_op(op).filter(|_| !post) {
                    let key = memoized.key(&raw, dated, params.has("date"));
                    if let Some(hit) = app.code_lists.list_memo(&resolved.list, MemoKind::FhirValidate, &key) {
                        return Ok(respond(&hit, &parts.headers, pinned, None, resolved.list.retired_at));
                    }
                    memo = Some((resolved.list.clone(), key.into_owned()));
                }
                (codes::validate(&resolved, &codings, day, &lang, &container), pinned)
            }
            Op::Subsumes => {
                let coding_a = params.coding("codingA");
                let coding_b = params.coding("codingB");
                let system = params
                    .text("system")
                    .map(str::to_owned)
                    .or_else(|| coding_a.and_then(|c| c.system.clone()));
                let code = |name: &str, coding: Option<&crate::fhir::params::Coding>| {
                    params
                        .text(name)
                        .map(str::to_owned)
                        .or_else(|| coding.and_then(|c| c.code.clone()))
                        .ok_or_else(|| FhirError::invalid(name, format!("$subsumes needs {name} (or its coding)")))
                };
                let (a, b) = (code("codeA", coding_a)?, code("codeB", coding_b)?);
                let resolved = list_for(&app, ids("id"), ResourceType::CodeSystem, system.as_deref(), params.text("version"), ("system", "$subsumes needs system (or codings with a system)")).await?;
                (codes::subsumes(&resolved, &a, &b)?, resolved.pinned)
            }
            Op::Translate => translate(&app, ids("id"), &params).await?,
        };
        let pretty = params.flag("_pretty").unwrap_or(false);
        let body = if pretty {
            serde_json::to_vec_pretty(&value)
        } else {
            serde_json::to_vec(&value)
        }
        .unwrap_or_default();
        if post {
            return Ok(fhir_json(StatusCode::OK, body));
        }
        let rendered = Rendered::new(body, FHIR_JSON);
        let rendered = match memo {
            Some((list, key)) => {
                let kind = Memoized::of_op(op).map_or(MemoKind::FhirExpand, Memoized::kind);
                app.code_lists.remember_for_list(&list, kind, &key, rendered)
            }
            None => std::sync::Arc::new(rendered),
        };
        // FHIR resources state a retired list in their own `status`; no header here.
        Ok(respond(&rendered, &parts.headers, pinned, None, None))
    }
    .await;
    let metric_path = ROUTES
        .iter()
        .find(|r| r.op == op && r.post == post && r.path.contains("{id}") == instance)
        .map_or("/fhir", |r| r.path);
    app.metrics
        .observe(parts.method.as_str(), metric_path, &result, started);
    result.unwrap_or_else(|e| error_response(&e))
}

/// When the process started serving (the CapabilityStatement's date).
fn started_at() -> chrono::DateTime<chrono::Utc> {
    static STARTED: std::sync::OnceLock<chrono::DateTime<chrono::Utc>> = std::sync::OnceLock::new();
    *STARTED.get_or_init(chrono::Utc::now)
}

async fn read(
    app: &AppState,
    kind: ResourceType,
    id: &str,
    vid: Option<&str>,
    summary: Summary,
) -> Result<(Value, bool), FhirError> {
    match kind {
        ResourceType::CodeSystem | ResourceType::ValueSet => {
            let latest = resolve::by_id(&app.code_lists, id, kind.name())?;
            let resolved = resolve::version_of(&app.code_lists, &app.db, latest, vid).await?;
            let value = if kind == ResourceType::ValueSet {
                value_set::value_set(&resolved.list, summary)
            } else {
                crate::fhir::code_system::code_system(&resolved.list, summary)
            };
            Ok((value, resolved.pinned))
        }
        ResourceType::ConceptMap => {
            let current = app
                .code_lists
                .correspondence(id)
                .ok_or_else(|| FhirError::NotFound(format!("no ConceptMap with id {id:?} here")))?;
            let (corr, pinned) = resolve::correspondence_version(&app.db, current, vid).await?;
            Ok((
                concept_map::concept_map(&app.code_lists, &corr, summary),
                pinned,
            ))
        }
    }
}

/// The list version an operation is about: by id (instance-level) or by canonical URL;
/// `missing` is the parameter that names it and what to say when it is absent.
async fn list_for(
    app: &AppState,
    id: Option<&str>,
    kind: ResourceType,
    url: Option<&str>,
    version: Option<&str>,
    missing: (&str, &str),
) -> Result<resolve::Resolved, FhirError> {
    if let Some(id) = id {
        let latest = resolve::by_id(&app.code_lists, id, kind.name())?;
        return resolve::version_of(&app.code_lists, &app.db, latest, version).await;
    }
    let url = url.ok_or_else(|| FhirError::invalid(missing.0, missing.1))?;
    if kind == ResourceType::ValueSet {
        resolve::value_set(&app.code_lists, &app.db, url, version).await
    } else {
        resolve::code_system(&app.code_lists, &app.db, url, version).await
    }
}

async fn translate(
    app: &AppState,
    id: Option<&str>,
    params: &Params,
) -> Result<(Value, bool), FhirError> {
    let mut codings = codes::codings(params, "system")?;
    if let Some(version) = params.text("version") {
        for c in &mut codings {
            c.version.get_or_insert_with(|| version.to_owned());
        }
    }
    let reverse = params.flag("reverse").unwrap_or(false);
    let date = params.date("date");
    let source = params.text("source").map(resolve::list_iri_of_value_set);
    let target = params
        .text("targetsystem")
        .or_else(|| params.text("target").map(resolve::list_iri_of_value_set));
    let by_id =
        match id {
            Some(id) => Some(app.code_lists.correspondence(id).ok_or_else(|| {
                FhirError::NotFound(format!("no ConceptMap with id {id:?} here"))
            })?),
            None => None,
        };
    let (maps, pinned) = match (by_id, params.text("url")) {
        (Some(current), _) => {
            let (corr, pinned) =
                resolve::correspondence_version(&app.db, current, params.text("conceptMapVersion"))
                    .await?;
            (vec![corr], pinned)
        }
        (None, Some(url)) => {
            let (corr, pinned) = resolve::concept_map(
                &app.code_lists,
                &app.db,
                url,
                params.text("conceptMapVersion"),
            )
            .await?;
            (vec![corr], pinned)
        }
        (None, None) => {
            let system = codings
                .iter()
                .find_map(|c| c.system.as_deref())
                .or(source)
                .ok_or_else(|| {
                    FhirError::invalid(
                        "system",
                        "$translate needs url (the concept map) or system (the code's code system)",
                    )
                })?
                .to_owned();
            let found: Vec<_> = app
                .code_lists
                .correspondences()
                .into_iter()
                .filter(|c| {
                    let (from, to) = if reverse {
                        (&c.target_list, &c.source_list)
                    } else {
                        (&c.source_list, &c.target_list)
                    };
                    *from == system && target.is_none_or(|t| t == to)
                })
                .collect();
            (found, false)
        }
    };
    let mut matches = Vec::new();
    for corr in &maps {
        for coding in &codings {
            matches.extend(concept_map::translate(
                &app.code_lists,
                corr,
                coding,
                reverse,
                date,
            ));
        }
    }
    let what = codings
        .iter()
        .map(|c| {
            format!(
                "{}{}",
                c.system
                    .as_deref()
                    .map(|s| format!("{s}|"))
                    .unwrap_or_default(),
                c.code.as_deref().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let through = if maps.is_empty() {
        " (no concept map here goes from that system)".to_owned()
    } else {
        String::new()
    };
    Ok((
        concept_map::translation(&matches, &format!("{what}{through}")),
        pinned,
    ))
}

/// Middleware: an error under `/fhir` that is not yet an `OperationOutcome` (a route miss, a
/// wrong method, the body limit, a problem JSON from elsewhere) becomes one, keeping its
/// status.
pub async fn ensure_operation_outcome(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !is_fhir_path(&path) || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_outcome = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/fhir+json"));
    if is_outcome {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .unwrap_or_default();
    let detail = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|p| p.get("detail").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or(text);
    let allow = allowed_methods(&path);
    let (issue, diagnostics) = match status {
        StatusCode::NOT_FOUND => (
            IssueType::NotFound,
            format!("no FHIR route {path}: this server serves CodeSystem, ValueSet and ConceptMap and their terminology operations (GET /fhir/metadata lists them)"),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            IssueType::NotSupported,
            format!("{method} is not allowed on {path}; allowed: {allow}"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (IssueType::TooLong, detail),
        s if s.is_server_error() => (IssueType::Exception, String::new()),
        StatusCode::NOT_ACCEPTABLE | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (IssueType::NotSupported, detail)
        }
        _ => (IssueType::Invalid, detail),
    };
    let body = serde_json::to_vec(&outcome::operation_outcome(issue, diagnostics.trim(), None))
        .unwrap_or_default();
    let mut fixed = fhir_json(status, body);
    super::problem::keep_headers(&parts.headers, &mut fixed);
    fixed
}

pub mod openapi;
