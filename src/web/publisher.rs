//! The publisher page: a publisher's resources by kind and status (from the search index, so
//! what a designer can find), where its catalog and quality report are, its harvest sources and
//! latest runs — only what is public of them: how many sources, and each run's kind, times,
//! status and counts (the API shows a source's address, settings and a run's error message only
//! to the publisher's own or an admin token, and the pages have no sign-in) — and a dry run of a
//! push: a pasted (or, with the script, chosen) catalog and the publisher's token, posted to
//! `/publishers/{org}/dry-run`, answered with the diff `?dryRun=true` reports, nothing written.

use super::i18n::{kind_name, status_name, Lang, Msg};
use super::layout::{self, PageRequest};
use crate::app::AppState;
use crate::ids::OrgNr;
use crate::problem::ApiError;
use crate::projections::SearchRequest;
use crate::registry::Outcome;
use crate::store::run;
use crate::sync::push::{PushReport, PushRequest};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use std::collections::BTreeMap;

/// The kinds counted, in order.
const KINDS: [&str; 5] = ["concept", "collection", "code-list", "type", "model"];
/// The statuses counted, in order.
const STATUSES: [&str; 5] = ["valid", "draft", "deprecated", "superseded", "retired"];

/// A publisher's page.
#[utoipa::path(get, path = "/publishers/{org}",
    params(
        ("org" = String, Path, description = "The publisher's organisation number (9 digits)", example = "974760673"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    responses((status = 200, description = "The publisher's page", body = String, content_type = "text/html"),
              (status = 404, description = "Not an organisation number, or nothing published by it")))]
pub async fn publisher_page(
    State(app): State<AppState>,
    Path(org): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = PageRequest::new(&uri, &headers);
    page(&app, &request, &org, None).await
}

/// What the dry-run form sent (the token is never shown back).
#[derive(Debug, Clone, Default)]
struct DryRunForm {
    catalog: String,
    format: String,
    mode: String,
    filename: String,
}

/// A dry run's answer: the diff, or why there is none.
enum DryRun {
    Report(Box<PushReport>),
    Failed(ApiError),
}

/// The form body of a dry run (for the OpenAPI document).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct DryRunBody {
    /// The catalog's text (Turtle, RDF/XML, JSON-LD, N-Triples).
    catalog: String,
    /// auto (default), turtle, rdfxml, jsonld or ntriples.
    format: Option<String>,
    /// replace (as `PUT`, default) or merge (as `POST`).
    mode: Option<String>,
    /// The file's name, for format detection.
    filename: Option<String>,
    /// The publisher's token.
    token: String,
}

/// The formats the form offers, by their `format` spelling.
const FORMATS: [(&str, &str); 4] = [
    ("turtle", "Turtle"),
    ("rdfxml", "RDF/XML"),
    ("jsonld", "JSON-LD"),
    ("ntriples", "N-Triples"),
];

/// What a push of the pasted catalog would change, as `?dryRun=true` reports it; writes nothing.
#[utoipa::path(post, path = "/publishers/{org}/dry-run",
    params(
        ("org" = String, Path, description = "The publisher's organisation number (9 digits)", example = "974760673"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    request_body(content = DryRunBody, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The publisher's page with the diff", body = String, content_type = "text/html"),
              (status = 400, description = "A field is invalid; the page says which"),
              (status = 401, description = "No valid token in the form; the page says why"),
              (status = 403, description = "The token is not this publisher's, or the catalog touches another publisher's resource"),
              (status = 404, description = "Not an organisation number"),
              (status = 409, description = "An alias in the catalog is taken"),
              (status = 413, description = "The catalog is too large"),
              (status = 422, description = "The catalog cannot be read as its format")))]
pub async fn dry_run(
    State(app): State<AppState>,
    Path(org): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request = PageRequest::new(&uri, &headers);
    let publisher = parse_org(&org)?;
    let mut form = DryRunForm::default();
    let mut token = String::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "catalog" => form.catalog = v.into_owned(),
            "format" => form.format = v.into_owned(),
            "mode" => form.mode = v.into_owned(),
            "filename" => form.filename = v.into_owned(),
            "token" => token = v.into_owned(),
            _ => {}
        }
    }
    let answer = async {
        let caller = crate::request::identity_of_token(&app, &token)
            .await?
            .principal;
        let format = match form.format.as_str() {
            "" | "auto" => None,
            name if FORMATS.iter().any(|(f, _)| *f == name) => {
                semreg_importers::Format::parse(name)
            }
            name => {
                return Err(ApiError::bad_request(format!(
                    "format: unknown format {name:?}"
                )))
            }
        };
        if form.catalog.trim().is_empty() {
            return Err(ApiError::bad_request("catalog: empty"));
        }
        let report = crate::sync::push::push(
            &app,
            PushRequest {
                publisher: publisher.clone(),
                caller,
                format,
                file_name: Some(form.filename.clone()).filter(|f| !f.trim().is_empty()),
                bytes: form.catalog.clone().into_bytes(),
                params: Default::default(),
                replace: form.mode != "merge",
                dry_run: true,
                precondition: None,
                status: crate::registry::WriteStatus::Valid,
                actor: crate::auth::audit::Actor::default(),
            },
        )
        .await?;
        Ok(report)
    }
    .await;
    let (status, dry) = match answer {
        Err(error) if layout::wants_problem(&request, &headers) => return Err(error),
        Ok(report) => (axum::http::StatusCode::OK, DryRun::Report(Box::new(report))),
        Err(error) => (error.status(), DryRun::Failed(error)),
    };
    let mut response = page(&app, &request, &org, Some((form, dry))).await?;
    *response.status_mut() = status;
    Ok(response)
}

fn parse_org(org: &str) -> Result<OrgNr, ApiError> {
    OrgNr::parse(org)
        .map_err(|_| ApiError::not_found(format!("{org:?} is not an organisation number")))
}

async fn page(
    app: &AppState,
    request: &PageRequest,
    org: &str,
    dry: Option<(DryRunForm, DryRun)>,
) -> Result<Response, ApiError> {
    let lang = request.lang;
    let org = parse_org(org)?;
    let publisher = org.as_str().to_owned();
    let projections = app.projections.clone();
    let for_search = publisher.clone();
    // Counts by kind and status; retired resources are counted when asked for by status.
    let counts = tokio::task::spawn_blocking(move || {
        let mut table: BTreeMap<(String, String), u64> = BTreeMap::new();
        for status in STATUSES {
            let found = projections.search.search(&SearchRequest {
                publisher: Some(for_search.clone()),
                status: Some(status.to_owned()),
                limit: 1,
                ..Default::default()
            })?;
            for (kind, n) in found.facets.get("kind").into_iter().flatten() {
                table.insert((kind.clone(), status.to_owned()), *n);
            }
        }
        Ok::<_, crate::projections::ProjectionError>(table)
    })
    .await
    .map_err(|e| ApiError::internal(&e))??;
    let sources = crate::sync::sources::count_of_publisher(&app.db, &publisher).await?;
    let runs = crate::sync::runs::latest_of_publisher(&app.db, &publisher, 10).await?;
    if counts.is_empty() && sources == 0 && runs.is_empty() && dry.is_none() {
        return Err(ApiError::not_found(format!(
            "nothing published by {publisher}"
        )));
    }
    let total: u64 = counts.values().sum();
    let main = html! {
        h1.ds-heading data-size="lg" { (lang.t(Msg::Publisher)) " " (publisher) }
        p.ds-paragraph { strong { (total) } " " (lang.t(Msg::ResultsAll)) }
        div.table-wrap {
            table.ds-table data-border {
                caption { (lang.t(Msg::InRegistry)) }
                thead { tr {
                    th scope="col" { (lang.t(Msg::KindType)) }
                    @for status in STATUSES { th scope="col" { (status_name(lang, status)) } }
                } }
                tbody {
                    @for kind in KINDS {
                        tr {
                            th scope="row" { (kind_name(lang, kind)) }
                            @for status in STATUSES {
                                td {
                                    @let n = counts.get(&(kind.to_owned(), status.to_owned())).copied().unwrap_or(0);
                                    @if n > 0 {
                                        a.ds-link href=(layout::href("/search", &[
                                            ("kind".to_owned(), kind.to_owned()),
                                            ("publisher".to_owned(), publisher.clone()),
                                            ("status".to_owned(), status.to_owned())])) { (n) }
                                    } @else { "0" }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2.ds-heading data-size="xs" { (lang.t(Msg::Api)) }
        ul {
            li { a.ds-link href=(format!("/api/v1/publishers/{publisher}/catalog")) { "DCAT-AP-NO catalog" } }
            li { a.ds-link href=(format!("/api/v1/publishers/{publisher}/quality")) { "SHACL quality report" } }
            li { a.ds-link href=(format!("/api/v1/resources?publisher={publisher}")) { "/api/v1/resources?publisher=" (publisher) } }
        }
        (sources_and_runs(lang, sources, &runs))
        (dry_run_section(lang, &publisher, dry.as_ref()))
    };
    Ok(layout::render(
        request,
        &format!("{} {publisher}", lang.t(Msg::Publisher)),
        &request.canonical(&[]),
        main,
    ))
}

fn run_status(lang: Lang, status: &str) -> &str {
    match status {
        "running" => lang.t(Msg::RunRunning),
        "done" => lang.t(Msg::RunDone),
        "error" => lang.t(Msg::RunError),
        "unchanged" => lang.t(Msg::RunUnchanged),
        other => other,
    }
}

/// The publisher's sources and latest runs: counts and times only (see the module's text).
fn sources_and_runs(lang: Lang, sources: u64, runs: &[run::Model]) -> Markup {
    html! {
        section aria-labelledby="sources-runs" {
            h2.ds-heading id="sources-runs" data-size="sm" { (lang.t(Msg::SourcesAndRuns)) }
            p.ds-paragraph { (lang.t(Msg::SourcesPublic)) }
            p.ds-paragraph { (lang.t(Msg::HarvestSources)) ": " strong id="source-count" { (sources) } }
            @if runs.is_empty() {
                p.ds-paragraph { (lang.t(Msg::NoRuns)) }
            } @else {
                div.table-wrap {
                    table.ds-table id="runs" data-border {
                        caption { (lang.t(Msg::LastRuns)) }
                        thead { tr {
                            th scope="col" { (lang.t(Msg::Run)) }
                            th scope="col" { (lang.t(Msg::Started)) }
                            th scope="col" { (lang.t(Msg::Ended)) }
                            th scope="col" { (lang.t(Msg::Status)) }
                            th scope="col" { (lang.t(Msg::Created)) }
                            th scope="col" { (lang.t(Msg::Changed)) }
                            th scope="col" { (lang.t(Msg::StatusRetired)) }
                            th scope="col" { (lang.t(Msg::Conflicts)) }
                            th scope="col" { (lang.t(Msg::Errors)) }
                        } }
                        tbody {
                            @for r in runs {
                                tr data-kind=(r.kind) data-status=(r.status) {
                                    th scope="row" { (lang.t(if r.kind == "push" { Msg::Push } else { Msg::Harvest })) }
                                    td { time datetime=(r.start_time.to_rfc3339()) { (r.start_time.format("%Y-%m-%d %H:%M")) } }
                                    td { @if let Some(end) = r.end_time { time datetime=(end.to_rfc3339()) { (end.format("%Y-%m-%d %H:%M")) } } }
                                    td { (run_status(lang, &r.status)) }
                                    td { (r.created) }
                                    td { (r.updated) }
                                    td { (r.retired) }
                                    td { (r.conflicts) }
                                    // The category only (e.g. FETCH_ERROR): the message may name a
                                    // source's address.
                                    td { @if r.status == "error" { (r.error_category.as_deref().unwrap_or("1")) } @else { "0" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn outcome_name(lang: Lang, outcome: Outcome) -> &'static str {
    lang.t(match outcome {
        Outcome::Created => Msg::Created,
        Outcome::Updated => Msg::Changed,
        Outcome::Unchanged => Msg::Unchanged,
        Outcome::Retired => Msg::StatusRetired,
        Outcome::Reactivated => Msg::Reactivated,
        Outcome::Published => Msg::Published,
    })
}

/// The dry-run form, and its answer when there is one.
fn dry_run_section(lang: Lang, publisher: &str, dry: Option<&(DryRunForm, DryRun)>) -> Markup {
    let form = dry.map(|(f, _)| f.clone()).unwrap_or_default();
    html! {
        section aria-labelledby="dry-run" {
            h2.ds-heading id="dry-run" data-size="sm" { (lang.t(Msg::DryRun)) }
            p.ds-paragraph { (lang.t(Msg::DryRunHelp)) }
            form id="dry-run-form" method="post" action=(format!("/publishers/{publisher}/dry-run?lang={}#dry-run-answer", lang.code())) {
                // Shown by the page's script, which reads the file into the field below.
                div.ds-field hidden {
                    label.ds-label for="dry-run-file" { (lang.t(Msg::ChooseFile)) }
                    input.ds-input id="dry-run-file" type="file" data-into="dry-run-catalog" data-name="dry-run-filename";
                }
                input type="hidden" id="dry-run-filename" name="filename" value=(form.filename);
                div.ds-field {
                    label.ds-label for="dry-run-catalog" { (lang.t(Msg::Catalog)) }
                    textarea.ds-input id="dry-run-catalog" name="catalog" rows="10" required { (form.catalog) }
                }
                div.compose-names {
                    div.ds-field {
                        label.ds-label for="dry-run-format" { (lang.t(Msg::Format)) }
                        select.ds-input id="dry-run-format" name="format" {
                            option value="auto" selected[form.format.is_empty() || form.format == "auto"] { (lang.t(Msg::FormatAuto)) }
                            @for (value, name) in FORMATS {
                                option value=(value) selected[form.format == value] { (name) }
                            }
                        }
                    }
                    div.ds-field {
                        label.ds-label for="dry-run-mode" { (lang.t(Msg::Mode)) }
                        select.ds-input id="dry-run-mode" name="mode" {
                            option value="replace" selected[form.mode != "merge"] { (lang.t(Msg::ModeReplace)) }
                            option value="merge" selected[form.mode == "merge"] { (lang.t(Msg::ModeMerge)) }
                        }
                    }
                }
                div.ds-field {
                    label.ds-label for="dry-run-token" { (lang.t(Msg::Token)) }
                    input.ds-input id="dry-run-token" type="password" name="token" autocomplete="off" data-session-token required;
                }
                p { button.ds-button id="dry-run-submit" type="submit" data-variant="primary" { (lang.t(Msg::ShowDiff)) } }
            }
            @if let Some((_, answer)) = dry {
                div id="dry-run-answer" {
                    @match answer {
                        DryRun::Failed(error) => (layout::error_alert(lang, Msg::DryRunFailed, error)),
                        DryRun::Report(report) => (diff(lang, report)),
                    }
                }
            }
        }
    }
}

fn diff(lang: Lang, report: &PushReport) -> Markup {
    let r = &report.report;
    html! {
        h3.ds-heading data-size="xs" { (lang.t(Msg::DiffTitle)) }
        p.ds-paragraph role="status" { (lang.t(Msg::NothingStored)) }
        dl.meta id="dry-run-counts" {
            dt { (lang.t(Msg::Created)) } dd data-count="created" { (r.created) }
            dt { (lang.t(Msg::Changed)) } dd data-count="updated" { (r.updated) }
            dt { (lang.t(Msg::Unchanged)) } dd data-count="unchanged" { (r.unchanged) }
            dt { (lang.t(Msg::StatusRetired)) } dd data-count="retired" { (r.retired) }
            dt { (lang.t(Msg::Reactivated)) } dd data-count="reactivated" { (r.reactivated) }
            dt { (lang.t(Msg::Conflicts)) } dd data-count="conflicts" { (r.conflicts.len()) }
        }
        @let changed: Vec<_> = r.resources.iter().filter(|o| o.outcome != Outcome::Unchanged).collect();
        @if !changed.is_empty() {
            div.table-wrap tabindex="0" role="region" aria-label=(lang.t(Msg::DiffTitle)) {
                table.ds-table id="dry-run-diff" data-border {
                    caption { (lang.t(Msg::DiffTitle)) }
                    thead { tr {
                        th scope="col" { "IRI" }
                        th scope="col" { (lang.t(Msg::KindType)) }
                        th scope="col" { (lang.t(Msg::Outcome)) }
                        th scope="col" { (lang.t(Msg::ChangedPredicates)) }
                    } }
                    tbody {
                        @for o in &changed {
                            tr data-outcome=(format!("{:?}", o.outcome).to_lowercase()) {
                                td { code { (o.iri) } }
                                td { (kind_name(lang, &o.kind)) }
                                td { (outcome_name(lang, o.outcome)) }
                                td { @for (i, p) in o.changed_predicates.iter().enumerate() { @if i > 0 { ", " } code { (p) } } }
                            }
                        }
                    }
                }
            }
        }
        @if !r.warnings.is_empty() {
            h4.ds-heading data-size="2xs" { (lang.t(Msg::Warnings)) }
            ul { @for w in &r.warnings { li { @if let Some(at) = &w.location { code { (at) } ": " } span lang="en" { (w.message) } } } }
        }
    }
}
