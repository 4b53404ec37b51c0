//! The code-list page (as SSB's Klass web, and more): tabs Codes | Versions | Changes |
//! Correspondences | About; the codes as of a "valid on" date, filtered by code or name, with
//! their hierarchy (a code's children one link away); copy buttons for the runtime, Altinn
//! options and Altinn library URLs; downloads; banners when the list or the version shown is
//! not the one to use today. Everything comes from the code-list projection
//! ([`crate::code_lists`]) and the store's version list.

use super::i18n::{status_name, Lang, Msg};
use super::layout::{self, lang_text, percent_path, text_in, PageRequest};
use crate::app::AppState;
use crate::code_lists::changes::{self, CodeChange};
use crate::code_lists::query::{parse_date, CodeQuery, RawCodeQuery};
use crate::code_lists::{render, CachedList};
use crate::problem::ApiError;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use std::sync::Arc;

/// The tabs, by their `?tab=` value.
const TABS: [(&str, Msg); 5] = [
    ("codes", Msg::Codes),
    ("versions", Msg::Versions),
    ("changes", Msg::Changes),
    ("correspondences", Msg::Correspondences),
    ("about", Msg::About),
];
/// The parameters of a code-list page state, in canonical order.
const PARAMS: [&str; 8] = [
    "tab", "version", "date", "filter", "parent", "level", "from", "to",
];
/// The most rows the codes table shows at once (a filter or a parent narrows it).
const MAX_ROWS: usize = 2000;

/// The list (and version) a page or download is about.
async fn resolve(
    app: &AppState,
    id: &str,
    version: Option<&str>,
) -> Result<(Arc<CachedList>, Arc<CachedList>), ApiError> {
    let latest = app
        .code_lists
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no code list with id or alias {id:?}")))?;
    let Some(number) = version
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|n| *n >= 1)
    else {
        return Ok((latest.clone(), latest));
    };
    let shown = app
        .code_lists
        .version(&app.db, &latest, number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("code list {id} has no version {number}")))?;
    Ok((latest, shown))
}

/// A code list's page.
#[utoipa::path(get, path = "/code-lists/{id}",
    params(
        ("id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"),
        ("tab" = Option<String>, Query, description = "codes (default), versions, changes, correspondences or about"),
        ("version" = Option<String>, Query, description = "A version number (default: the current version)"),
        ("date" = Option<String>, Query, description = "Codes tab: only codes valid on this day (YYYY-MM-DD)"),
        ("filter" = Option<String>, Query, description = "Codes tab: codes whose code or name contains this"),
        ("parent" = Option<String>, Query, description = "Codes tab: only the children of this code"),
        ("level" = Option<String>, Query, description = "Codes tab: only codes on this level (1 = top)"),
        ("from" = Option<String>, Query, description = "Changes tab: from this day (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Changes tab: to this day (YYYY-MM-DD)"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    responses((status = 200, description = "The code list's page (values that mean nothing are ignored or explained on the page)", body = String, content_type = "text/html"),
              (status = 404, description = "No code list with that id or alias, or no such version")))]
pub async fn code_list_page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = PageRequest::new(&uri, &headers);
    let (latest, list) = resolve(&app, &id, request.param("version")).await?;
    let lang = request.lang;
    let tab = request
        .param("tab")
        .and_then(|t| TABS.iter().find(|(name, _)| *name == t))
        .map_or("codes", |(name, _)| *name);
    let content = match tab {
        "versions" => versions_tab(&app, &request, &latest, &list).await?,
        "changes" => changes_tab(&app, &request, &latest, &list).await?,
        "correspondences" => correspondences_tab(&app, &request, &list),
        "about" => about_tab(&request, &list),
        _ => codes_tab(&request, &list),
    };
    // A list without a name of its own (a Klass `codesAt` file has none) goes by its alias.
    let fallback = list.alias.as_deref().unwrap_or(&list.id);
    let label = text_in(&list.list.labels, lang);
    let title = label.map_or_else(|| fallback.to_owned(), |(_, t)| t.to_owned());
    let today = chrono::Utc::now().date_naive();
    let valid_today = list.list.codes.iter().any(|c| c.valid_on(today));
    let main = html! {
        nav.ds-breadcrumbs aria-label="Breadcrumbs" {
            ol {
                li { a.ds-link href="/" { (lang.t(Msg::Home)) } }
                li { a.ds-link href="/search?kind=code-list" { (super::i18n::kind_name(lang, "code-list")) } }
            }
        }
        div.resource-head {
            h1.ds-heading data-size="lg" { (lang_text(lang, label.or(Some(("", fallback))))) }
        }
        p.result-card__tags {
            (layout::kind_tag(lang, "code-list")) " "
            (layout::status_tag(lang, &latest.status)) " "
            span { (lang.t(Msg::Version)) " " (list.version)
                @if list.version == latest.version { " (" (lang.t(Msg::Latest)) ")" } }
            " · " span { (list.list.codes.len()) " " (lang.t(Msg::CodeCount)) }
            @if let Some(publisher) = &list.publisher {
                " · " span { (lang.t(Msg::Publisher)) ": "
                    a.ds-link href=(format!("/publishers/{publisher}")) { (publisher) } }
            }
        }
        @if let Some(description) = text_in(&list.list.descriptions, lang) {
            p.ds-paragraph { (lang_text(lang, Some(description))) }
        }
        @if latest.status == "retired" || latest.retired_at.is_some() {
            div.ds-alert.banner data-color="danger" role="alert" { p { (lang.t(Msg::ListRetired)) } }
        } @else if !list.list.codes.is_empty() && !valid_today {
            div.ds-alert.banner data-color="warning" role="alert" { p { (lang.t(Msg::NotValidToday)) } }
        }
        @if list.version != latest.version {
            div.ds-alert.banner data-color="warning" role="alert" {
                p { (old_version_text(lang, list.version, latest.version)) " "
                    a.ds-link href=(request.with(&[("version", None)])) { (lang.t(Msg::Version)) " " (latest.version) } }
            }
        }
        nav.kind-tabs aria-label=(lang.t(Msg::Tabs)) {
            ul {
                @for (name, msg) in TABS {
                    li { a href=(tab_href(&request, name)) aria-current=[(name == tab).then_some("page")] { (lang.t(msg)) } }
                }
            }
        }
        section.tab-panel aria-label=(lang.t(TABS.iter().find(|(n, _)| *n == tab).map_or(Msg::Codes, |(_, m)| *m))) {
            (content)
        }
    };
    Ok(layout::render(
        &request,
        &title,
        &request.canonical(&PARAMS),
        main,
    ))
}

fn old_version_text(lang: Lang, shown: i32, latest: i32) -> String {
    match lang {
        Lang::Nb => format!("Du ser versjon {shown}. Gjeldende versjon er {latest}:"),
        Lang::Nn => format!("Du ser versjon {shown}. Gjeldande versjon er {latest}:"),
        Lang::En => format!("You are looking at version {shown}. The current version is {latest}:"),
    }
}

/// This page on another tab: the version kept, the other tabs' parameters dropped.
fn tab_href(request: &PageRequest, tab: &str) -> String {
    let version = request.param("version").map(str::to_owned);
    let mut pairs = Vec::new();
    if tab != "codes" {
        pairs.push(("tab".to_owned(), tab.to_owned()));
    }
    if let Some(v) = version {
        pairs.push(("version".to_owned(), v));
    }
    layout::href(&request.path, &pairs)
}

/// The API's code query for this page's parameters, and the problem with them, if any.
fn code_query(request: &PageRequest, list: &CachedList) -> (CodeQuery, Option<String>) {
    let raw = RawCodeQuery {
        lang: Some(request.lang.code()),
        date: request.param("date"),
        filter: request.param("filter"),
        parent: request.param("parent"),
        level: request.param("level"),
        status: Some("all"),
        ..Default::default()
    };
    match CodeQuery::parse(&raw, &list.list) {
        Ok(query) => (query, None),
        Err(error) => {
            // Keep the filter, drop what was malformed (a date or a level), and say so.
            let fallback = RawCodeQuery {
                date: None,
                level: None,
                ..raw
            };
            let query = CodeQuery::parse(&fallback, &list.list).unwrap_or_else(|_| {
                CodeQuery::parse(&RawCodeQuery::default(), &list.list).expect("defaults parse")
            });
            (query, Some(error.to_string()))
        }
    }
}

/// The query string the API's codes endpoint takes for this page's selection.
fn api_query(request: &PageRequest, list: &CachedList) -> Vec<(String, String)> {
    let mut pairs = vec![("lang".to_owned(), request.lang.code().to_owned())];
    for name in ["date", "filter", "parent", "level"] {
        if let Some(value) = request.param(name) {
            pairs.push((name.to_owned(), value.to_owned()));
        }
    }
    if !list.latest {
        pairs.push(("version".to_owned(), list.version.to_string()));
    }
    pairs
}

fn codes_tab(request: &PageRequest, list: &CachedList) -> Markup {
    let lang = request.lang;
    let (query, problem) = code_query(request, list);
    let selected: Vec<_> = list
        .list
        .codes
        .iter()
        .filter(|c| query.selects(c))
        .collect();
    let index = list.index();
    let hierarchical = index.is_hierarchical();
    let children = |code: &str| {
        index
            .position(code)
            .map_or(0, |at| index.children(at).len())
    };
    let id = &list.id;
    let base = request.base.clone().unwrap_or_default();
    let org = list
        .publisher
        .clone()
        .unwrap_or_else(|| "semreg".to_owned());
    let path_id = percent_path(id);
    let urls = [
        (
            "runtime-url",
            Msg::RuntimeUrl,
            format!("{base}/api/v1/code-lists/{path_id}/codes"),
        ),
        (
            "altinn-options-url",
            Msg::AltinnOptionsUrl,
            format!("{base}/api/v1/code-lists/{path_id}/altinn-options"),
        ),
        (
            "altinn-library-url",
            Msg::AltinnLibraryUrl,
            format!("{base}/altinn/{org}/code_lists/{path_id}/_latest.json"),
        ),
    ];
    let api = layout::href(
        &format!("/api/v1/code-lists/{path_id}/codes"),
        &api_query(request, list),
    );
    let download = |file: &str| {
        layout::href(
            &format!("/code-lists/{path_id}/download/{file}"),
            &api_query(request, list),
        )
    };
    html! {
        form.code-filters method="get" action=(request.path) {
            @if let Some(version) = request.param("version") {
                input type="hidden" name="version" value=(version);
            }
            @if let Some(parent) = request.param("parent") {
                input type="hidden" name="parent" value=(parent);
            }
            div.ds-field {
                label.ds-label for="valid-on" { (lang.t(Msg::ValidOn)) }
                input.ds-input id="valid-on" type="date" name="date" value=[request.param("date")];
            }
            div.ds-field {
                label.ds-label for="code-filter" { (lang.t(Msg::FilterCodes)) }
                input.ds-input id="code-filter" type="search" name="filter" value=[request.param("filter")];
            }
            button.ds-button type="submit" { (lang.t(Msg::ShowCodes)) }
            a.ds-link href=(request.with(&[("date", None), ("filter", None), ("parent", None), ("level", None)])) { (lang.t(Msg::Clear)) }
        }
        @if let Some(problem) = problem {
            div.ds-alert data-color="warning" role="alert" { p { (problem) } }
        }
        @if let Some(parent) = request.param("parent") {
            p.ds-paragraph {
                (lang.t(Msg::Parent)) ": "
                @if let Some(code) = list.code(parent) {
                    strong { (parent) " " (lang_text(lang, text_in(&code.labels, lang))) }
                } @else { strong { (parent) } }
                " · " a.ds-link href=(request.with(&[("parent", None)])) { (lang.t(Msg::AllKinds)) }
            }
        }
        p.ds-paragraph.result-count role="status" id="codes-shown" {
            strong { (selected.len()) } " " (lang.t(Msg::CodesShown))
            @if let Some(day) = query.date { " · " (lang.t(Msg::ValidOn)) " " time datetime=(day) { (day) } }
        }
        @if selected.is_empty() && query.date.is_some() {
            div.ds-alert data-color="info" { p { (lang.t(Msg::NoCodesOnDate)) } }
        }
        @if !selected.is_empty() {
            div.table-wrap {
                table.ds-table.code-table data-border aria-describedby="codes-shown" {
                    thead { tr {
                        th scope="col" { (lang.t(Msg::Code)) }
                        th scope="col" { (lang.t(Msg::Name)) }
                        @if hierarchical { th scope="col" { (lang.t(Msg::Level)) } }
                        th scope="col" { (lang.t(Msg::ValidFrom)) }
                        th scope="col" { (lang.t(Msg::ValidTo)) }
                        th scope="col" { (lang.t(Msg::Status)) }
                    } }
                    tbody {
                        @for code in selected.iter().take(MAX_ROWS) {
                            tr data-code=(code.code) {
                                td class={"level-" (code.level.min(5))} { code { (code.code) } }
                                td { (lang_text(lang, text_in(&code.labels, lang)))
                                    @let n = children(&code.code);
                                    @if n > 0 {
                                        " " a.ds-link href=(request.with(&[("parent", Some(&code.code)), ("level", None)])) {
                                            "(" (n) " " (lang.t(Msg::ShowChildren)) ")" }
                                    }
                                }
                                @if hierarchical { td { (code.level) } }
                                td { @if let Some(d) = code.valid_from { time datetime=(d) { (d) } } }
                                td { @if let Some(d) = code.valid_to { time datetime=(d) { (d) } } }
                                td { @if let Some(status) = code.status() { (layout::status_tag(lang, status)) } }
                            }
                        }
                    }
                }
            }
        }
        h2.ds-heading data-size="xs" { (lang.t(Msg::Download)) }
        p.downloads {
            a.ds-button data-variant="secondary" href=(download("codes.csv")) download { "CSV" }
            a.ds-button data-variant="secondary" href=(api) { "JSON" }
            a.ds-button data-variant="secondary" href=(download("list.ttl")) download { "Turtle" }
            a.ds-button data-variant="secondary" href=(download("list.jsonld")) download { "JSON-LD" }
            a.ds-button data-variant="secondary" href=(download("list.rdf")) download { "RDF/XML" }
        }
        h2.ds-heading data-size="xs" { "URL" }
        ul.copy-list {
            @for (dom_id, msg, url) in &urls {
                li {
                    span { (lang.t(*msg)) ": " }
                    code id=(dom_id) { (url) }
                    button.ds-button.copy-button type="button" data-variant="tertiary" data-size="sm"
                        data-copy=(dom_id) data-copied=(lang.t(Msg::Copied)) hidden { (lang.t(Msg::Copy)) }
                }
            }
        }
    }
}

async fn versions_tab(
    app: &AppState,
    request: &PageRequest,
    latest: &CachedList,
    list: &CachedList,
) -> Result<Markup, ApiError> {
    let lang = request.lang;
    let versions = crate::store::list_versions(&app.db, &latest.id).await?;
    Ok(html! {
        table.ds-table data-border {
            caption { (lang.t(Msg::Versions)) }
            thead { tr {
                th scope="col" { (lang.t(Msg::Version)) }
                th scope="col" { (lang.t(Msg::UpdatedAt)) }
                th scope="col" { "SHA-256" }
            } }
            tbody {
                @for (number, hash, _, at) in &versions {
                    tr {
                        td {
                            @if *number == list.version { strong aria-current="true" { (number) } }
                            @else { a.ds-link href=(layout::href(&request.path, &[("version".to_owned(), number.to_string())])) { (number) } }
                            @if *number == latest.version { " (" (lang.t(Msg::Latest)) ")" }
                        }
                        td { time datetime=(at.to_rfc3339()) { (at.format("%Y-%m-%d %H:%M UTC")) } }
                        td { code { (hash.get(..12).unwrap_or(hash)) } }
                    }
                }
            }
        }
    })
}

async fn changes_tab(
    app: &AppState,
    request: &PageRequest,
    latest: &Arc<CachedList>,
    list: &CachedList,
) -> Result<Markup, ApiError> {
    let lang = request.lang;
    let day = |name: &'static str| request.param(name).and_then(|d| parse_date(name, d).ok());
    let span = changes::dated_span(&list.list);
    let today = chrono::Utc::now().date_naive();
    let from = day("from")
        .or_else(|| span.map(|(a, _)| a.pred_opt().unwrap_or(a)))
        .unwrap_or(today);
    let to = day("to")
        .or_else(|| span.map(|(_, b)| b.max(today)))
        .unwrap_or(today);
    let dated = changes::between_dates(&list.list, from, to, lang.code());
    // And what the version shown changed against the one before it.
    let previous = if list.version > 1 {
        app.code_lists
            .version(&app.db, latest, list.version - 1)
            .await?
    } else {
        None
    };
    let by_version = previous.map(|p| changes::between_versions(&p.list, &list.list, lang.code()));
    Ok(html! {
        form.code-filters method="get" action=(request.path) {
            input type="hidden" name="tab" value="changes";
            @if let Some(version) = request.param("version") { input type="hidden" name="version" value=(version); }
            div.ds-field {
                label.ds-label for="changes-from" { (lang.t(Msg::ValidFrom)) }
                input.ds-input id="changes-from" type="date" name="from" value=(from);
            }
            div.ds-field {
                label.ds-label for="changes-to" { (lang.t(Msg::ValidTo)) }
                input.ds-input id="changes-to" type="date" name="to" value=(to);
            }
            button.ds-button type="submit" { (lang.t(Msg::Changes)) }
        }
        (changes_table(lang, &format!("{from} – {to}"), &dated))
        @if let Some(by_version) = by_version {
            (changes_table(lang, &format!("{} {} → {}", lang.t(Msg::Version), list.version - 1, list.version), &by_version))
        }
    })
}

fn change_name(lang: Lang, change: &str) -> &'static str {
    match (lang, change) {
        (Lang::En, c) => match c {
            "added" => "added",
            "removed" => "removed",
            "replaced" => "replaced",
            _ => "renamed",
        },
        (_, "added") => "ny",
        (Lang::Nb, "removed") => "fjernet",
        (Lang::Nn, "removed") => "fjerna",
        (Lang::Nb, "replaced") => "erstattet",
        (Lang::Nn, "replaced") => "erstatta",
        (Lang::Nb, _) => "nytt navn",
        (Lang::Nn, _) => "nytt namn",
    }
}

fn changes_table(lang: Lang, caption: &str, changes: &[CodeChange]) -> Markup {
    html! {
        table.ds-table data-border {
            caption { (lang.t(Msg::Changes)) ": " (caption) }
            thead { tr {
                th scope="col" { (lang.t(Msg::Changes)) }
                th scope="col" { (lang.t(Msg::Code)) }
                th scope="col" { (lang.t(Msg::Name)) }
                th scope="col" { "→ " (lang.t(Msg::Code)) }
                th scope="col" { "→ " (lang.t(Msg::Name)) }
                th scope="col" { (lang.t(Msg::Date)) }
            } }
            tbody {
                @if changes.is_empty() {
                    tr { td colspan="6" { "–" } }
                }
                @for change in changes {
                    tr {
                        td { (change_name(lang, change.change)) }
                        td { @if let Some(c) = &change.old_code { code { (c) } } }
                        td { (change.old_name.as_deref().unwrap_or("")) }
                        td { @if let Some(c) = &change.new_code { code { (c) } } }
                        td { (change.new_name.as_deref().unwrap_or("")) }
                        td { @if let Some(d) = change.changed_on { time datetime=(d) { (d) } } }
                    }
                }
            }
        }
    }
}

/// The correspondence tables between this list and others: each association as this list's
/// code and name against the other list's, with its validity; `date` keeps the associations
/// valid that day (as `$translate` and the `code()` transform read them).
fn correspondences_tab(app: &AppState, request: &PageRequest, list: &CachedList) -> Markup {
    use crate::code_lists::correspondence::{code_of_iri, codes_by_iri};
    let lang = request.lang;
    let found = app.code_lists.correspondences_of(&list.list.iri);
    let api = format!(
        "/api/v1/code-lists/{}/correspondences",
        percent_path(&list.id)
    );
    let day = request
        .param("date")
        .and_then(|d| parse_date("date", d).ok());
    let own_names = codes_by_iri(list, lang.code());
    html! {
        form.code-filters method="get" action=(request.path) {
            input type="hidden" name="tab" value="correspondences";
            input type="hidden" name="lang" value=(lang.code());
            div.ds-field {
                label.ds-label for="corr-date" { (lang.t(Msg::ValidOn)) }
                input.ds-input id="corr-date" type="date" name="date" value=[request.param("date")];
            }
            button.ds-button type="submit" data-variant="secondary" { (lang.t(Msg::ShowCodes)) }
        }
        @if found.is_empty() {
            p.ds-paragraph { (lang.t(Msg::NoCorrespondences)) }
        }
        @for (n, corr) in found.iter().enumerate() {
            @let forward = corr.source_list == list.list.iri;
            @let other_iri = if forward { &corr.target_list } else { &corr.source_list };
            @let other = app.code_lists.get_by_iri(other_iri);
            @let other_names = other.as_ref().map(|o| codes_by_iri(o, lang.code())).unwrap_or_default();
            @let other_name = other.as_ref().and_then(|o| text_in(&o.list.labels, lang).map(|(_, t)| t.to_owned()).or_else(|| o.alias.clone()));
            @let rows: Vec<_> = corr.maps.iter().filter(|a| day.is_none_or(|d| a.valid_on(d))).collect();
            section.correspondence data-correspondence=(corr.id) aria-labelledby=(format!("corr-{n}")) {
                h2.ds-heading data-size="xs" id=(format!("corr-{n}")) {
                    (lang_text(lang, text_in(&corr.labels, lang).or(Some(("", corr.iri.as_str())))))
                }
                p.ds-paragraph {
                    (lang.t(Msg::CorrespondenceWith)) " "
                    @match &other {
                        Some(o) => a.ds-link href=(format!("/code-lists/{}", percent_path(o.alias.as_deref().unwrap_or(&o.id)))) { (other_name.clone().unwrap_or_else(|| other_iri.clone())) },
                        None => code { (other_iri) },
                    }
                    " · " (rows.len()) " " (lang.t(Msg::Associations))
                }
                div.table-wrap {
                    table.ds-table.corr-table data-border {
                        caption.visually-hidden { (lang_text(lang, text_in(&corr.labels, lang).or(Some(("", corr.iri.as_str()))))) }
                        thead {
                            tr {
                                th scope="colgroup" colspan="2" { (lang.t(Msg::ThisList)) }
                                th scope="colgroup" colspan="2" { (other_name.clone().unwrap_or_else(|| lang.t(Msg::OtherList).to_owned())) }
                                th scope="col" rowspan="2" { (lang.t(Msg::ValidFrom)) }
                                th scope="col" rowspan="2" { (lang.t(Msg::ValidTo)) }
                            }
                            tr {
                                th scope="col" { (lang.t(Msg::Code)) }
                                th scope="col" { (lang.t(Msg::Name)) }
                                th scope="col" { (lang.t(Msg::Code)) }
                                th scope="col" { (lang.t(Msg::Name)) }
                            }
                        }
                        tbody {
                            @for assoc in rows.iter().take(MAX_ROWS) {
                                @let (mine, theirs) = if forward { (&assoc.source, &assoc.target) } else { (&assoc.target, &assoc.source) };
                                @let (my_code, my_name) = code_of_iri(mine, &own_names);
                                @let (their_code, their_name) = code_of_iri(theirs, &other_names);
                                tr data-from=(my_code) data-to=(their_code) {
                                    td { code { (my_code) } }
                                    td { (my_name.unwrap_or_default()) }
                                    td { code { (their_code) } }
                                    td { (their_name.unwrap_or_default()) }
                                    td { @if let Some(d) = assoc.valid_from { (d) } }
                                    td { @if let Some(d) = assoc.valid_to { (d) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.ds-paragraph { a.ds-link href=(api) { "JSON" } }
    }
}

fn about_tab(request: &PageRequest, list: &CachedList) -> Markup {
    let lang = request.lang;
    html! {
        dl.meta {
            dt { (lang.t(Msg::Identifier)) }
            dd { (layout::copyable_iri(lang, &list.list.iri)) }
            dt { "id" }
            dd { code { (list.id) } @if let Some(alias) = &list.alias { " · " code { (alias) } } }
            @if let Some(identifier) = &list.list.identifier {
                dt { "dct:identifier" } dd { (identifier) }
            }
            dt { (lang.t(Msg::Status)) } dd { (status_name(lang, &list.status)) }
            dt { (lang.t(Msg::Version)) } dd { (list.version)
                @if let Some(info) = &list.list.version_info { " · " (info) } }
            dt { (lang.t(Msg::UpdatedAt)) } dd { time datetime=(list.updated_at.to_rfc3339()) { (list.updated_at.format("%Y-%m-%d")) } }
            dt { (lang.t(Msg::Language)) } dd { (list.list.languages.join(", ")) }
            @for (tag, text) in list.list.labels.iter() {
                dt { (lang.t(Msg::Name)) " (" (tag) ")" } dd lang=[(!tag.is_empty()).then_some(tag)] { (text) }
            }
            @for (tag, text) in list.list.descriptions.iter() {
                dt { (lang.t(Msg::Description)) " (" (tag) ")" } dd lang=[(!tag.is_empty()).then_some(tag)] { (text) }
            }
        }
    }
}

/// A code list's codes or RDF as a file: `codes.csv` (the page's selection), `list.ttl`,
/// `list.jsonld`, `list.rdf`, `list.nt`.
#[utoipa::path(get, path = "/code-lists/{id}/download/{file}",
    params(
        ("id" = String, Path, description = "Code list id or alias", example = "ssb-klass-131"),
        ("file" = String, Path, description = "codes.csv, list.ttl, list.jsonld, list.rdf or list.nt", example = "codes.csv"),
        ("version" = Option<String>, Query, description = "A version number (default: the current version)"),
        ("date" = Option<String>, Query, description = "codes.csv: only codes valid on this day (YYYY-MM-DD)"),
        ("filter" = Option<String>, Query, description = "codes.csv: codes whose code or name contains this"),
        ("parent" = Option<String>, Query, description = "codes.csv: only the children of this code"),
        ("level" = Option<String>, Query, description = "codes.csv: only codes on this level"),
        ("lang" = Option<String>, Query, description = "codes.csv: language of the names")),
    responses((status = 200, description = "The file, as an attachment", content(
                  (String = "text/csv"), (String = "text/turtle"), (String = "application/ld+json"),
                  (String = "application/rdf+xml"), (String = "application/n-triples"))),
              (status = 404, description = "No code list with that id or alias, no such version, or no such file")))]
pub async fn download_code_list(
    State(app): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = PageRequest::new(&uri, &headers);
    let (_, list) = resolve(&app, &id, request.param("version")).await?;
    let name = list.alias.clone().unwrap_or_else(|| list.id.clone());
    if file == "codes.csv" {
        let (query, _) = code_query(&request, &list);
        let rendered = render::codes_csv(&list, &query);
        return Ok(super::download::attachment(
            rendered.body.to_vec(),
            "text/csv; charset=utf-8",
            &name,
            list.version,
            "csv",
        ));
    }
    let format = file
        .strip_prefix("list.")
        .and_then(|ext| super::download::format_of(ext).map(|f| (f, ext)));
    let Some((format, extension)) = format else {
        return Err(ApiError::not_found(format!(
            "no file {file:?}: codes.csv, list.ttl, list.jsonld, list.rdf or list.nt"
        )));
    };
    let body = super::download::serialized(&app, &list.id, list.resource_version, format).await?;
    Ok(super::download::attachment(
        body,
        format.media_type(),
        &name,
        list.version,
        extension,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_names_exist_in_every_language() {
        for lang in Lang::ALL {
            for change in ["added", "removed", "replaced", "renamed"] {
                assert!(!change_name(lang, change).is_empty());
            }
        }
        assert_eq!(change_name(Lang::Nn, "removed"), "fjerna");
    }
}
