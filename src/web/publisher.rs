//! The publisher page: a publisher's resources by kind and status (from the search index, so
//! what a designer can find), and where its catalog and quality report are. Its harvest
//! sources and their runs are not shown: the API gives them only to the publisher's own or an
//! admin token, and the pages have no sign-in.

use super::i18n::{kind_name, status_name, Msg};
use super::layout::{self, PageRequest};
use crate::app::AppState;
use crate::http::problem::ApiError;
use crate::ids::OrgNr;
use crate::projections::SearchRequest;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::html;
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
    let lang = request.lang;
    let org = OrgNr::parse(&org)
        .map_err(|_| ApiError::not_found(format!("{org:?} is not an organisation number")))?;
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
    if counts.is_empty() {
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
    };
    Ok(layout::render(
        &request,
        &format!("{} {publisher}", lang.t(Msg::Publisher)),
        &request.canonical(&[]),
        main,
    ))
}
