//! Web pages for people: a start page and a search page. JSON stays under `/api/v1`.

use crate::app::AppState;
use crate::projections::SearchRequest;
use crate::store;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
         li{{margin:.4rem 0}} .kind{{color:#555;font-size:.85em}}</style></head><body>\
         <h1><a href=\"/\">semreg</a></h1>\
         <form action=\"/search\"><input name=\"q\" size=\"40\" placeholder=\"person, adresse, kommune\" autofocus> \
         <button>Search</button></form>{}</body></html>",
        escape(title),
        body
    ))
}

/// The start page: what is in the registry, with links to the API.
#[utoipa::path(get, path = "/", responses((status = 200, description = "The start page", body = String, content_type = "text/html")))]
pub async fn start_page(State(app): State<AppState>) -> Html<String> {
    let mut body = String::from("<p>A registry of reusable building blocks for digital public services: concepts, code lists, types and information models.</p><ul>");
    for kind in ["concept", "collection", "code-list", "type", "model"] {
        let filter = store::ResourceFilter {
            kind: Some(kind.to_owned()),
            ..Default::default()
        };
        let total = store::list_resources(&app.db, &filter, 0, 0)
            .await
            .map(|(t, _)| t)
            .unwrap_or(0);
        body.push_str(&format!(
            "<li><a href=\"/api/v1/resources?kind={kind}\">{total} {kind}s</a></li>"
        ));
    }
    body.push_str("</ul><p>API: <a href=\"/openapi.json\">/openapi.json</a> · <a href=\"/api/v1/changes\">changes</a> · <a href=\"/sparql?query=SELECT%20%3Fs%20%3Fp%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%2010\">SPARQL</a> · <a href=\"/metrics\">metrics</a></p>");
    page("semreg", &body)
}

/// The query of the search page.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchPageQuery {
    /// The words.
    pub q: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
}

/// A search results page.
#[utoipa::path(get, path = "/search", params(SearchPageQuery),
    responses((status = 200, description = "The search results page", body = String, content_type = "text/html")))]
pub async fn search_page(
    State(app): State<AppState>,
    Query(query): Query<SearchPageQuery>,
) -> Html<String> {
    let q = query.q.unwrap_or_default();
    let kind = query
        .kind
        .filter(|k| semreg_importers::ResourceKind::parse(k).is_some());
    let request = SearchRequest {
        q: q.clone(),
        kinds: kind.iter().cloned().collect(),
        limit: 50,
        ..Default::default()
    };
    let projections = app.projections.clone();
    let results = tokio::task::spawn_blocking(move || projections.search.search(&request)).await;
    let mut body = String::new();
    match results {
        Ok(Ok(results)) => {
            body.push_str(&format!(
                "<p>{} results for “{}”{}</p><p>",
                results.total,
                escape(&q),
                kind.as_deref()
                    .map(|k| format!(" among {}s", escape(k)))
                    .unwrap_or_default()
            ));
            let encoded: String =
                serde_urlencoded::to_string([("q", q.as_str())]).unwrap_or_default();
            for (value, count) in results.facets.get("kind").into_iter().flatten() {
                body.push_str(&format!(
                    "<a href=\"/search?{encoded}&amp;kind={}\">{} ({count})</a> ",
                    escape(value),
                    escape(value)
                ));
            }
            body.push_str("</p><ul>");
            for hit in results.hits {
                // Highlights are HTML made by the index (text escaped, matches in <b>).
                let context = hit
                    .highlights
                    .get("description")
                    .or_else(|| hit.highlights.get("members"))
                    .cloned()
                    .unwrap_or_else(|| escape(hit.description.as_deref().unwrap_or("")));
                body.push_str(&format!(
                    "<li><a href=\"/api/v1/resources/{}\">{}</a> <span class=\"kind\">{} · {}</span><br><small>{}</small></li>",
                    escape(&hit.id),
                    escape(&hit.label),
                    escape(&hit.kind),
                    escape(&hit.status),
                    context
                ));
            }
            body.push_str("</ul>");
        }
        _ => body.push_str("<p>Search is unavailable right now.</p>"),
    }
    page(&format!("semreg: {q}"), &body)
}
