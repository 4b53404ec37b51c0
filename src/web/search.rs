//! The search page: results as cards, kinds as tabs with counts, publisher and status filters
//! as chips, paging, and help when nothing is found (did you mean, other kinds).

use super::i18n::{kind_name, status_name, Lang, Msg};
use super::layout::{self, PageRequest};
use crate::app::AppState;
use crate::projections::{SearchHit, SearchRequest, SearchResults};
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup, PreEscaped};
use std::collections::BTreeMap;

/// Hits per page.
pub const PAGE_SIZE: usize = 20;
/// The last page offered (search's `offset` stops at 10,000).
const MAX_PAGE: usize = 10_000 / PAGE_SIZE;
/// The kinds shown as tabs, in order (others are counted under "all").
const KIND_TABS: [&str; 5] = ["concept", "collection", "code-list", "type", "model"];
/// The statuses a filter may ask for.
const STATUSES: [&str; 5] = ["valid", "draft", "deprecated", "superseded", "retired"];
/// The parameters of a search page state, in canonical order.
const PARAMS: [&str; 5] = ["q", "kind", "publisher", "status", "page"];

/// The search page's query (every parameter optional; values that mean nothing are ignored, so
/// a shared link never breaks).
#[derive(Debug, Default, Clone)]
struct SearchState {
    q: String,
    kind: Option<String>,
    publisher: Option<String>,
    status: Option<String>,
    page: usize,
}

impl SearchState {
    fn of(request: &PageRequest) -> SearchState {
        let q: String = request.param("q").unwrap_or("").chars().take(500).collect();
        SearchState {
            q: q.trim().to_owned(),
            kind: request
                .param("kind")
                .filter(|k| semreg_importers::ResourceKind::parse(k).is_some())
                .map(str::to_owned),
            publisher: request
                .param("publisher")
                .filter(|p| crate::ids::OrgNr::parse(p).is_ok())
                .map(str::to_owned),
            status: request
                .param("status")
                .filter(|s| STATUSES.contains(s))
                .map(str::to_owned),
            page: request
                .param("page")
                .and_then(|p| p.parse::<usize>().ok())
                .filter(|p| *p >= 1)
                .map_or(1, |p| p.min(MAX_PAGE)),
        }
    }

    fn request(&self, with_kind: bool) -> SearchRequest {
        SearchRequest {
            q: self.q.clone(),
            kinds: if with_kind {
                self.kind.iter().cloned().collect()
            } else {
                Vec::new()
            },
            publisher: self.publisher.clone(),
            origin: None,
            status: self.status.clone(),
            lang: None,
            limit: PAGE_SIZE,
            offset: (self.page - 1) * PAGE_SIZE,
            // The pages are public: no drafts.
            viewer: None,
        }
    }
}

/// What one search page shows: the hits, the counts per kind over every kind, suggestions.
struct Found {
    results: SearchResults,
    kind_counts: BTreeMap<String, u64>,
    did_you_mean: Vec<SearchHit>,
}

fn find(app: &AppState, state: &SearchState) -> Result<Found, crate::projections::ProjectionError> {
    let search = &app.projections.search;
    let results = search.search(&state.request(true))?;
    // The tabs count every kind, whichever is chosen.
    let kind_counts = if state.kind.is_some() {
        let mut all = state.request(false);
        all.limit = 1;
        all.offset = 0;
        search
            .search(&all)?
            .facets
            .remove("kind")
            .unwrap_or_default()
    } else {
        results.facets.get("kind").cloned().unwrap_or_default()
    };
    let did_you_mean = if results.total == 0 && !state.q.is_empty() {
        search
            .suggest(&state.q, &[], 5, None)?
            .into_iter()
            .filter(|s| !s.label.eq_ignore_ascii_case(&state.q))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Found {
        results,
        kind_counts,
        did_you_mean,
    })
}

/// The search results page.
#[utoipa::path(get, path = "/search",
    params(
        ("q" = Option<String>, Query, description = "The words (empty: everything)"),
        ("kind" = Option<String>, Query, description = "Only this kind (concept, collection, code-list, type, model, ...)"),
        ("publisher" = Option<String>, Query, description = "Only this publisher (org number)"),
        ("status" = Option<String>, Query, description = "Only this status (valid, draft, deprecated, superseded, retired)"),
        ("page" = Option<String>, Query, description = "Page number, from 1 (20 hits a page)"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    responses((status = 200, description = "The search results page (values that mean nothing are ignored)", body = String, content_type = "text/html")))]
pub async fn search_page(State(app): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let request = PageRequest::new(&uri, &headers);
    let state = SearchState::of(&request);
    let found = {
        let (app, state) = (app.clone(), state.clone());
        tokio::task::spawn_blocking(move || find(&app, &state)).await
    };
    let lang = request.lang;
    let main = match found {
        Ok(Ok(found)) => results_page(&request, &state, &found),
        Ok(Err(error)) => {
            tracing::error!(%error, "search page failed");
            html! { div.ds-alert data-color="danger" { p { (lang.t(Msg::SearchUnavailable)) } } }
        }
        Err(error) => {
            tracing::error!(%error, "search page task failed");
            html! { div.ds-alert data-color="danger" { p { (lang.t(Msg::SearchUnavailable)) } } }
        }
    };
    let title = if state.q.is_empty() {
        lang.t(Msg::Search).to_owned()
    } else {
        format!("{} – {}", state.q, lang.t(Msg::Search))
    };
    layout::render(&request, &title, &request.canonical(&PARAMS), main)
}

fn results_page(request: &PageRequest, state: &SearchState, found: &Found) -> Markup {
    let lang = request.lang;
    let total = found.results.total;
    let all: u64 = found.kind_counts.values().sum();
    html! {
        h1.ds-heading data-size="lg" { (lang.t(Msg::Results)) }
        (layout::search_form(lang, &state.q, "search-q"))
        p.ds-paragraph.result-count role="status" {
            @if state.q.is_empty() {
                strong { (total) } " " (lang.t(Msg::ResultsAll))
            } @else {
                strong { (total) } " " (lang.t(Msg::ResultsFor)) " “" (state.q) "”"
            }
        }
        nav.kind-tabs aria-label=(lang.t(Msg::Tabs)) {
            ul {
                li { a href=(request.with(&[("kind", None), ("page", None)]))
                        aria-current=[state.kind.is_none().then_some("page")] {
                        (lang.t(Msg::AllKinds)) " " span.count { "(" (all) ")" } } }
                @for kind in KIND_TABS {
                    @let count = found.kind_counts.get(kind).copied().unwrap_or(0);
                    @if count > 0 || state.kind.as_deref() == Some(kind) {
                        li { a href=(request.with(&[("kind", Some(kind)), ("page", None)]))
                                aria-current=[(state.kind.as_deref() == Some(kind)).then_some("page")] {
                                (kind_name(lang, kind)) " " span.count { "(" (count) ")" } } }
                    }
                }
            }
        }
        div.search-layout {
            aside.search-filters aria-labelledby="filters-heading" {
                h2.ds-heading data-size="xs" id="filters-heading" { (lang.t(Msg::Filters)) }
                (active_filters(request, state))
                (facet(request, "status", lang.t(Msg::Status), found.results.facets.get("status"), |v| status_name(lang, v).to_owned()))
                (facet(request, "publisher", lang.t(Msg::Publisher), found.results.facets.get("publisher"), str::to_owned))
            }
            div.search-results {
                @if found.results.hits.is_empty() {
                    (no_hits(request, state, found))
                } @else {
                    ol.result-list start=((state.page - 1) * PAGE_SIZE + 1) {
                        @for hit in &found.results.hits {
                            li { (card(lang, hit)) }
                        }
                    }
                    (pagination(request, state, total))
                }
            }
        }
    }
}

fn card(lang: Lang, hit: &SearchHit) -> Markup {
    let href = if hit.usable_as_code_list {
        format!("/code-lists/{}", layout::percent_path(&hit.id))
    } else {
        layout::resource_href(&hit.kind, &hit.id)
    };
    // Highlights are HTML made by the index (text escaped, matched words in <b>).
    let context = hit
        .highlights
        .get("description")
        .or_else(|| hit.highlights.get("members"))
        .map(|h| PreEscaped(h.clone()));
    html! {
        article.ds-card.result-card data-variant="default" {
            h2.ds-heading data-size="xs" {
                a.ds-link href=(href) { (hit.label) }
            }
            p.result-card__tags {
                (layout::kind_tag(lang, &hit.kind)) " "
                (layout::status_tag(lang, &hit.status))
                @if let Some(publisher) = &hit.publisher {
                    " "
                    span.result-card__publisher { (lang.t(Msg::Publisher)) ": "
                        a.ds-link href=(format!("/publishers/{publisher}")) { (publisher) } }
                }
            }
            @if let Some(context) = context {
                p.ds-paragraph.result-card__text { (context) }
            } @else if let Some(description) = &hit.description {
                p.ds-paragraph.result-card__text { (description) }
            }
        }
    }
}

fn active_filters(request: &PageRequest, state: &SearchState) -> Markup {
    let lang = request.lang;
    let chips: Vec<(&str, String)> = [
        state
            .publisher
            .as_ref()
            .map(|p| ("publisher", format!("{}: {p}", lang.t(Msg::Publisher)))),
        state.status.as_ref().map(|s| {
            (
                "status",
                format!("{}: {}", lang.t(Msg::Status), status_name(lang, s)),
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    html! {
        @if !chips.is_empty() {
            ul.chips {
                @for (param, text) in &chips {
                    li { a.ds-chip data-removable href=(request.with(&[(*param, None), ("page", None)]))
                        aria-label=(format!("{} {text}", lang.t(Msg::RemoveFilter))) { (text) } }
                }
            }
        }
    }
}

fn facet(
    request: &PageRequest,
    param: &str,
    title: &str,
    counts: Option<&BTreeMap<String, u64>>,
    name: impl Fn(&str) -> String,
) -> Markup {
    let chosen = request.param(param);
    let mut values: Vec<(&String, &u64)> = counts.into_iter().flatten().collect();
    values.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    html! {
        @if !values.is_empty() {
            section.facet aria-label=(title) {
                h3.ds-heading data-size="2xs" { (title) }
                ul {
                    @for (value, count) in values.iter().take(12) {
                        li {
                            @if chosen == Some(value.as_str()) {
                                span aria-current="true" { (name(value)) " (" (count) ")" }
                            } @else {
                                a.ds-link href=(request.with(&[(param, Some(value)), ("page", None)])) {
                                    (name(value)) " (" (count) ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn no_hits(request: &PageRequest, state: &SearchState, found: &Found) -> Markup {
    let lang = request.lang;
    let other_kinds: Vec<(&String, &u64)> = found
        .kind_counts
        .iter()
        .filter(|(k, n)| **n > 0 && state.kind.as_deref() != Some(k.as_str()))
        .collect();
    html! {
        div.ds-alert data-color="info" {
            h2.ds-heading data-size="xs" { (lang.t(Msg::NoHits)) }
            p.ds-paragraph { (lang.t(Msg::NoHitsHelp)) }
            @if !found.did_you_mean.is_empty() {
                p.ds-paragraph.did-you-mean { (lang.t(Msg::DidYouMean)) ": "
                    @for (n, hit) in found.did_you_mean.iter().enumerate() {
                        @if n > 0 { ", " }
                        a.ds-link href=(layout::href("/search", &[("q".to_owned(), hit.label.clone())])) { (hit.label) }
                    }
                    "?"
                }
            }
            @if state.kind.is_some() && !other_kinds.is_empty() {
                p.ds-paragraph { (lang.t(Msg::TryOtherKinds)) ": "
                    @for (n, (kind, count)) in other_kinds.iter().enumerate() {
                        @if n > 0 { ", " }
                        a.ds-link href=(request.with(&[("kind", Some(kind.as_str())), ("page", None)])) {
                            (kind_name(lang, kind)) " (" (count) ")" }
                    }
                }
            }
        }
    }
}

/// Page links: first, last, and two on each side of the current page, with gaps between.
fn pagination(request: &PageRequest, state: &SearchState, total: usize) -> Markup {
    let lang = request.lang;
    let pages = total.div_ceil(PAGE_SIZE).clamp(1, MAX_PAGE);
    if pages == 1 {
        return html! {};
    }
    let current = state.page.min(pages);
    let mut shown: Vec<usize> = (1..=pages)
        .filter(|p| *p == 1 || *p == pages || p.abs_diff(current) <= 2)
        .collect();
    shown.dedup();
    let link = |p: usize| request.with(&[("page", (p > 1).then(|| p.to_string()).as_deref())]);
    html! {
        nav.ds-pagination aria-label=(lang.t(Msg::Pagination)) {
            ul {
                li {
                    @if current > 1 {
                        a.ds-button data-variant="tertiary" href=(link(current - 1)) rel="prev" { (lang.t(Msg::Previous)) }
                    } @else {
                        span.ds-button data-variant="tertiary" aria-hidden="true" { (lang.t(Msg::Previous)) }
                    }
                }
                @for (n, p) in shown.iter().enumerate() {
                    @if n > 0 && shown[n - 1] + 1 != *p { li {} }
                    li {
                        a.ds-button data-variant="tertiary" href=(link(*p))
                            aria-current=[(*p == current).then_some("true")]
                            aria-label=(format!("{} {p}", lang.t(Msg::PageN))) { (p) }
                    }
                }
                li {
                    @if current < pages {
                        a.ds-button data-variant="tertiary" href=(link(current + 1)) rel="next" { (lang.t(Msg::Next)) }
                    } @else {
                        span.ds-button data-variant="tertiary" aria-hidden="true" { (lang.t(Msg::Next)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(uri: &str) -> SearchState {
        SearchState::of(&PageRequest::new(&uri.parse().unwrap(), &HeaderMap::new()))
    }

    #[test]
    fn values_that_mean_nothing_are_ignored() {
        let s = state("/search?q=%20adresse%20&kind=banana&publisher=12&status=gone&page=-3");
        assert_eq!(s.q, "adresse");
        assert!(s.kind.is_none() && s.publisher.is_none() && s.status.is_none());
        assert_eq!(s.page, 1);
        let s = state("/search?kind=code-list&publisher=974760673&status=retired&page=999999");
        assert_eq!(s.kind.as_deref(), Some("code-list"));
        assert_eq!(s.publisher.as_deref(), Some("974760673"));
        assert_eq!(s.page, MAX_PAGE);
        assert_eq!(s.request(true).offset, (MAX_PAGE - 1) * PAGE_SIZE);
    }
}
