//! The web pages for people, server-rendered with maud: one file per page, handlers thin, data
//! from the domain modules (search, code lists, ...), never SQL of their own. Every page works
//! without JavaScript; its state is in its query string (`?q=`, `?kind=`, `?page=`, `?lang=`),
//! so every state has a canonical, shareable URL. The pages use the domain modules and the
//! shared [`crate::problem`] and [`crate::request`], never the API's handlers (`src/http`
//! mounts these routes, not the other way round). Styled with Digdir's Designsystemet, whose
//! CSS is embedded in the binary ([`assets`]); texts in nb, nn and en ([`i18n`]).

pub mod assets;
pub mod cache;
pub mod code_list;
pub mod compose;
pub mod concept;
pub mod download;
pub mod i18n;
pub mod layout;
pub mod publisher;
pub mod search;
pub mod start;
pub mod types;

use crate::app::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The routes of the pages and their assets.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(start::start_page))
        .route("/search", get(search::search_page))
        .route("/concepts/{id}", get(concept::concept_page))
        .route(
            "/concepts/{id}/download/{file}",
            get(concept::download_concept),
        )
        .route("/code-lists/{id}", get(code_list::code_list_page))
        .route(
            "/code-lists/{id}/download/{file}",
            get(code_list::download_code_list),
        )
        .route("/types/{id}", get(types::type_page))
        .route("/models/{id}", get(types::model_page))
        .route("/publishers/{org}", get(publisher::publisher_page))
        .route("/publishers/{org}/dry-run", post(publisher::dry_run))
        .route(
            "/compose",
            get(compose::compose_page).post(compose::save_composed),
        )
        .route("/assets/{file}", get(assets::get_asset))
}
