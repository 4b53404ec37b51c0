//! The start page: one search field, what the registry holds by kind, where the API is.

use super::i18n::{kind_name, Msg};
use super::layout::{self, PageRequest};
use crate::app::AppState;
use crate::projections::SearchRequest;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::html;

/// The kinds the start page counts, in its order.
const KINDS: [&str; 5] = ["concept", "collection", "code-list", "type", "model"];

/// The start page: a search field and the registry's building blocks by kind.
#[utoipa::path(get, path = "/",
    params(("lang" = Option<String>, Query, description = "Page language: nb, nn or en (anything else: the remembered or negotiated one)")),
    responses((status = 200, description = "The start page", body = String, content_type = "text/html")))]
pub async fn start_page(State(app): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let request = PageRequest::new(&uri, &headers);
    let lang = request.lang;
    // Counts per kind from the search index's facets (what search finds, retired left out).
    let projections = app.projections.clone();
    let counts = tokio::task::spawn_blocking(move || {
        projections.search.search(&SearchRequest {
            limit: 1,
            ..Default::default()
        })
    })
    .await
    .ok()
    .and_then(Result::ok)
    .and_then(|r| r.facets.get("kind").cloned())
    .unwrap_or_default();
    let main = html! {
        div.hero {
            h1.ds-heading data-size="xl" { "semreg" }
            p.ds-paragraph data-size="lg" { (lang.t(Msg::Tagline)) }
            p.ds-paragraph { (lang.t(Msg::Intro)) }
            (layout::search_form(lang, "", "start-search"))
        }
        section aria-labelledby="in-registry" {
            h2.ds-heading data-size="md" id="in-registry" { (lang.t(Msg::InRegistry)) }
            ul.kind-grid {
                @for kind in KINDS {
                    li {
                        a.ds-card.kind-card href=(format!("/search?kind={kind}")) {
                            span.kind-card__count { (counts.get(kind).copied().unwrap_or(0)) }
                            span.kind-card__name { (kind_name(lang, kind)) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="api" {
            h2.ds-heading data-size="sm" id="api" { (lang.t(Msg::Api)) }
            p.ds-paragraph {
                a.ds-link href="/openapi.json" { "/openapi.json" } " · "
                a.ds-link href="/api/v1/search?q=adresse" { "/api/v1/search" } " · "
                a.ds-link href="/api/v1/changes" { "/api/v1/changes" } " · "
                a.ds-link href="/sparql" { "/sparql" } " · "
                a.ds-link href="/fhir/metadata" { "/fhir" }
            }
        }
    };
    let canonical = request.canonical(&[]);
    layout::render(&request, "semreg", &canonical, main)
}
