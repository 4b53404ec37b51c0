//! The service-model composer (`/compose`): pick registry types (a type search inside the
//! page), name the fields, choose the mapping set from a source API that fills each, see the
//! JSON Schema, UI hints and mapping the service-model API would give, and save.
//!
//! Every state is in the query string (`name`, `alias`, one `type` / `field` / `card` /
//! `source` group per part, `q` for the type search, `saved` after a save), changed by plain
//! GET forms: a button's `add=ID` or `remove=N` is answered with a redirect to the new state's
//! canonical address. The preview is [`service_models::preview`], the same steps as
//! `POST /api/v1/service-models` without the write; saving is that API's own
//! [`service_models::compose`] with the publisher's token sent as a field of a POST form — never
//! in an address or a cookie (the page's script keeps it in `sessionStorage`, so it lasts for
//! the tab and no longer).

use super::i18n::{Lang, Msg};
use super::layout::{self, href, lang_text, percent_path, PageRequest};
use crate::app::AppState;
use crate::mappings::stored::{sets_into, SetInto};
use crate::problem::ApiError;
use crate::projections::{SearchHit, SearchRequest};
use crate::service_models::{self, Bundle, ComposeRequest, PartRequest};
use crate::types::TYPE_KIND;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

/// The cardinalities offered (any other `N..M` in the address is kept and offered too).
const CARDINALITIES: [&str; 4] = ["1", "0..1", "0..*", "1..*"];
/// The most parts a draft holds.
const MAX_PARTS: usize = 50;
/// Type search hits shown.
const HITS: usize = 10;

/// One part as the page holds it.
#[derive(Debug, Clone, Default, PartialEq)]
struct DraftPart {
    type_ref: String,
    field: String,
    card: String,
    source: String,
}

/// The composer's state.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    name: String,
    alias: String,
    q: String,
    parts: Vec<DraftPart>,
    saved: Option<String>,
}

/// A change asked for by a button: answered with a redirect to the changed state.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Add(String),
    Remove(usize),
    /// An action parameter that names nothing (the state is only made canonical).
    Nothing,
}

impl Draft {
    /// The state from query (or form) pairs, and the action a button asked for.
    fn from_pairs(pairs: &[(String, String)]) -> (Draft, Option<Action>) {
        let values = |name: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .collect()
        };
        let first = |name: &str| values(name).into_iter().next().unwrap_or_default();
        let (fields, cards, sources) = (values("field"), values("card"), values("source"));
        let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
        let parts = values("type")
            .into_iter()
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
            .map(|(i, type_ref)| DraftPart {
                type_ref,
                field: at(&fields, i),
                card: at(&cards, i),
                source: at(&sources, i),
            })
            .take(MAX_PARTS)
            .collect();
        let action = match values("add").into_iter().find(|v| !v.is_empty()) {
            Some(id) => Some(Action::Add(id)),
            None => values("remove")
                .first()
                .map(|n| n.parse().map_or(Action::Nothing, Action::Remove)),
        };
        let saved = Some(first("saved")).filter(|s| !s.is_empty());
        let draft = Draft {
            name: first("name"),
            alias: first("alias"),
            q: first("q"),
            parts,
            saved,
        };
        (draft, action)
    }

    /// The state's pairs in canonical order: every part's four values (empty ones too, so the
    /// groups stay aligned), then the search and the saved model.
    fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |k: &str, v: &str| out.push((k.to_owned(), v.to_owned()));
        if !self.name.is_empty() {
            push("name", &self.name);
        }
        if !self.alias.is_empty() {
            push("alias", &self.alias);
        }
        for part in &self.parts {
            push("type", &part.type_ref);
            push("field", &part.field);
            push("card", &part.card);
            push("source", &part.source);
        }
        if !self.q.is_empty() {
            push("q", &self.q);
        }
        if let Some(saved) = &self.saved {
            push("saved", saved);
        }
        out
    }

    /// This state's address in a language.
    fn href(&self, lang: Lang) -> String {
        let mut pairs = self.pairs();
        pairs.push(("lang".to_owned(), lang.code().to_owned()));
        href("/compose", &pairs)
    }

    /// The request the service-model API takes for this state.
    fn request(&self, lang: Lang) -> ComposeRequest {
        let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        ComposeRequest {
            name: self.name.clone(),
            iri: None,
            alias: some(&self.alias),
            description: None,
            lang: Some(lang.code().to_owned()),
            parts: self
                .parts
                .iter()
                .map(|p| PartRequest {
                    type_ref: Some(p.type_ref.clone()),
                    concept: None,
                    field: p.field.clone(),
                    cardinality: some(&p.card),
                    source: some(&p.source),
                })
                .collect(),
        }
    }

    /// A field name for a new part from its type's label (`Person` → `person`), not yet used.
    fn new_field_name(&self, label: &str) -> String {
        let mut base = String::new();
        let mut upper = false;
        for c in label.chars() {
            if c.is_alphanumeric() {
                if base.is_empty() {
                    base.extend(c.to_lowercase());
                } else if upper {
                    base.extend(c.to_uppercase());
                } else {
                    base.push(c);
                }
                upper = false;
            } else {
                upper = true;
            }
        }
        if base.is_empty() {
            base.push_str("field");
        }
        let taken = |name: &str| self.parts.iter().any(|p| p.field == name);
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|name| !taken(name))
            .unwrap_or(base)
    }
}

/// A registry type by id, alias or IRI (as a part names it).
async fn find_type(app: &AppState, key: &str) -> Option<crate::store::resource::Model> {
    let key = if key.contains(':') {
        crate::ids::resource_id_for_iri(key)
    } else {
        key.to_owned()
    };
    crate::store::find_public_resource(&app.db, &key)
        .await
        .ok()
        .flatten()
        .filter(|r| r.kind == TYPE_KIND)
}

/// A redirect to another page state.
fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The composer.
#[utoipa::path(get, path = "/compose",
    params(
        ("name" = Option<String>, Query, description = "The service model's name"),
        ("alias" = Option<String>, Query, description = "Its alias"),
        ("type" = Option<Vec<String>>, Query, description = "Each part's registry type (id, alias or IRI), in order"),
        ("field" = Option<Vec<String>>, Query, description = "Each part's field name, in the order of `type`"),
        ("card" = Option<Vec<String>>, Query, description = "Each part's cardinality (1, 0..1, 0..*, 1..*, N..M), in the order of `type`"),
        ("source" = Option<Vec<String>>, Query, description = "Each part's mapping set from a source API (empty: none), in the order of `type`"),
        ("q" = Option<String>, Query, description = "The type search"),
        ("add" = Option<String>, Query, description = "Adds a part of this type, then redirects to the new state"),
        ("remove" = Option<String>, Query, description = "Removes the part at this index (from 0), then redirects to the new state"),
        ("saved" = Option<String>, Query, description = "The id of the service model just saved"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    responses((status = 200, description = "The composer with the state's preview", body = String, content_type = "text/html"),
              (status = 303, description = "After `add` or `remove`: the new state's address in `Location`")))]
pub async fn compose_page(State(app): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let request = PageRequest::new(&uri, &headers);
    let (mut draft, action) = Draft::from_pairs(&request.query);
    if let Some(action) = action {
        match action {
            Action::Add(id) if draft.parts.len() < MAX_PARTS => {
                let label = find_type(&app, &id)
                    .await
                    .map_or_else(|| id.clone(), |row| row.label);
                let field = draft.new_field_name(&label);
                draft.parts.push(DraftPart {
                    type_ref: id,
                    field,
                    card: "1".to_owned(),
                    source: String::new(),
                });
            }
            Action::Remove(i) if i < draft.parts.len() => {
                draft.parts.remove(i);
            }
            _ => {}
        }
        draft.saved = None;
        return see_other(&draft.href(request.lang));
    }
    page(&app, &request, &draft, None, StatusCode::OK).await
}

/// The form body of a save (described for the OpenAPI document; the handler reads the pairs
/// in order itself, as the groups of a part repeat).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ComposeForm {
    /// The service model's name.
    name: String,
    /// Its alias.
    alias: Option<String>,
    /// Each part's type.
    #[serde(rename = "type")]
    type_ref: Vec<String>,
    /// Each part's field name.
    field: Vec<String>,
    /// Each part's cardinality.
    card: Vec<String>,
    /// Each part's source mapping set (empty: none).
    source: Vec<String>,
    /// The publisher's token.
    token: String,
}

/// Saves the composed service model (`POST /api/v1/service-models`' own steps, with the
/// publisher's token from the form), then redirects to the composer showing the saved model.
#[utoipa::path(post, path = "/compose",
    params(("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    request_body(content = ComposeForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved: the composer with `saved=ID` in `Location`"),
              (status = 400, description = "The request is not valid; the composer says why"),
              (status = 401, description = "No valid token in the form; the composer shows why"),
              (status = 403, description = "The token may not write it (another publisher's model, or an admin token)"),
              (status = 404, description = "A part names a type or mapping set that does not exist"),
              (status = 409, description = "The alias is already another resource's"),
              (status = 413, description = "The form is too large"),
              (status = 422, description = "Not a valid service model; the composer names the field"),
              (status = 503, description = "A type is not yet in the RDF store; try again shortly")))]
pub async fn save_composed(
    State(app): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = PageRequest::new(&uri, &headers);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let (mut draft, _) = Draft::from_pairs(&pairs);
    draft.saved = None;
    let token = pairs
        .iter()
        .find(|(k, _)| k == "token")
        .map_or("", |(_, v)| v.as_str());
    let saved = async {
        let identity = crate::request::identity_of_token(&app, token).await?;
        let who =
            crate::auth::audit::Actor::of(&identity, None, crate::request::request_id(&headers));
        let actor = crate::request::publisher_of_token(&app, token).await?;
        service_models::compose(&app, draft.request(request.lang), actor, who)
            .await
            .map_err(ApiError::from)
    }
    .await;
    match saved {
        Ok(bundle) => {
            draft.saved = Some(bundle.id);
            see_other(&draft.href(request.lang))
        }
        Err(error) if layout::wants_problem(&request, &headers) => error.into_response(),
        Err(error) => {
            let status = error.status();
            page(&app, &request, &draft, Some(error), status).await
        }
    }
}

/// A part with what the page shows of its type.
struct PartView<'a> {
    part: &'a DraftPart,
    row: Option<crate::store::resource::Model>,
    sets: Vec<SetInto>,
}

async fn page(
    app: &AppState,
    request: &PageRequest,
    draft: &Draft,
    save_error: Option<ApiError>,
    status: StatusCode,
) -> Response {
    let lang = request.lang;
    let hits = if draft.q.is_empty() {
        Ok(Vec::new())
    } else {
        search_types(app, &draft.q).await
    };
    let mut parts = Vec::new();
    for part in &draft.parts {
        let row = find_type(app, &part.type_ref).await;
        let sets = match &row {
            Some(row) => sets_into(app, &row.iri).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "mapping sets into a type");
                Vec::new()
            }),
            None => Vec::new(),
        };
        parts.push(PartView { part, row, sets });
    }
    let ready = !draft.name.is_empty() && !draft.parts.is_empty();
    let preview = if ready {
        Some(
            service_models::preview(app, &draft.request(lang))
                .await
                .map_err(ApiError::from),
        )
    } else {
        None
    };
    let saved = match &draft.saved {
        Some(id) => service_models::load(app, id).await.ok(),
        None => None,
    };
    let main = html! {
        h1.ds-heading data-size="lg" { (lang.t(Msg::Compose)) }
        p.ds-paragraph { (lang.t(Msg::ComposeIntro)) }
        @if let Some(bundle) = &saved { (saved_notice(request, bundle)) }
        @if let Some(error) = &save_error { (layout::error_alert(lang, Msg::NotSaved, error)) }
        form.compose-form id="compose-form" method="get" action="/compose" {
            input type="hidden" name="lang" value=(lang.code());
            div.compose-names {
                div.ds-field {
                    label.ds-label for="compose-name" { (lang.t(Msg::ModelName)) }
                    input.ds-input id="compose-name" type="text" name="name" value=(draft.name) autocomplete="off";
                }
                div.ds-field {
                    label.ds-label for="compose-alias" { (lang.t(Msg::AliasOptional)) }
                    input.ds-input id="compose-alias" type="text" name="alias" value=(draft.alias) autocomplete="off";
                }
            }
            h2.ds-heading data-size="sm" { (lang.t(Msg::FindType)) }
            div.ds-field {
                label.ds-label for="compose-q" { (lang.t(Msg::FindType)) " (" (lang.t(Msg::KindType)) ")" }
                div.search-form__row {
                    input.ds-input id="compose-q" type="search" name="q" value=(draft.q)
                        autocomplete="off" list="compose-q-suggestions" data-suggest="/api/v1/suggest?kind=type";
                    // The first submit button of the form: Enter in any field searches (and
                    // keeps the state), never removes a part.
                    button.ds-button type="submit" data-variant="secondary" { (lang.t(Msg::SearchButton)) }
                }
                datalist id="compose-q-suggestions" {}
            }
            (type_hits(lang, &draft.q, &hits))
            h2.ds-heading data-size="sm" { (lang.t(Msg::Fields)) }
            (parts_table(lang, &parts))
            p { button.ds-button id="compose-show" type="submit" data-variant="primary" { (lang.t(Msg::ShowResult)) } }
        }
        section aria-labelledby="compose-result" {
            h2.ds-heading id="compose-result" data-size="sm" { (lang.t(Msg::Result)) }
            @match &preview {
                None => p.ds-paragraph { (lang.t(Msg::NeedName)) },
                // A refused save already says what is wrong (the same request).
                Some(Err(_)) if save_error.is_some() => {},
                Some(Err(error)) => (layout::error_alert(lang, Msg::CannotCompose, error)),
                Some(Ok(bundle)) => {
                    (result(lang, bundle))
                    (save_form(lang, draft))
                }
            }
        }
    };
    let mut response = layout::render(
        request,
        &if draft.name.is_empty() {
            lang.t(Msg::Compose).to_owned()
        } else {
            format!("{} · {}", lang.t(Msg::Compose), draft.name)
        },
        &format!(
            "{}{}",
            request.base.as_deref().unwrap_or(""),
            draft.href(lang)
        ),
        main,
    );
    *response.status_mut() = status;
    response
}

/// Type search through the search index (as `/api/v1/search?kind=type`).
async fn search_types(app: &AppState, q: &str) -> Result<Vec<SearchHit>, ApiError> {
    let projections = app.projections.clone();
    let q = q.to_owned();
    let found = tokio::task::spawn_blocking(move || {
        projections.search.search(&SearchRequest {
            q,
            kinds: vec![TYPE_KIND.to_owned()],
            limit: HITS,
            ..Default::default()
        })
    })
    .await
    .map_err(|e| ApiError::internal(&e))??;
    Ok(found.hits)
}

fn type_hits(lang: Lang, q: &str, hits: &Result<Vec<SearchHit>, ApiError>) -> Markup {
    html! {
        @match hits {
            Err(_) => p.ds-paragraph { (lang.t(Msg::SearchUnavailable)) },
            Ok(hits) if hits.is_empty() && !q.is_empty() => p.ds-paragraph id="compose-hits" { (lang.t(Msg::NoHits)) },
            Ok(hits) if hits.is_empty() => {},
            Ok(hits) => ul.compose-hits id="compose-hits" {
                @for (i, hit) in hits.iter().enumerate() {
                    li.ds-card.result-card {
                        span.compose-hit__text id=(format!("hit-{i}")) {
                            a.ds-link href=(format!("/types/{}", percent_path(&hit.id))) { (hit.label) }
                            @if let Some(publisher) = &hit.publisher { " · " (lang.t(Msg::Publisher)) " " (publisher) }
                            @if let Some(description) = &hit.description { br; span.compose-hit__description { (description) } }
                        }
                        button.ds-button type="submit" name="add" value=(hit.id) data-variant="secondary"
                            data-size="sm" aria-describedby=(format!("hit-{i}")) { (lang.t(Msg::AddType)) }
                    }
                }
            },
        }
    }
}

fn parts_table(lang: Lang, parts: &[PartView<'_>]) -> Markup {
    html! {
        @if parts.is_empty() {
            p.ds-paragraph { (lang.t(Msg::NoFields)) }
        } @else {
            div.table-wrap {
                table.ds-table.compose-parts data-border {
                    caption.visually-hidden { (lang.t(Msg::Fields)) }
                    thead { tr {
                        th scope="col" { (lang.t(Msg::KindType)) }
                        th scope="col" { (lang.t(Msg::FieldName)) }
                        th scope="col" { (lang.t(Msg::Multiplicity)) }
                        th scope="col" { (lang.t(Msg::SourceApi)) }
                        th scope="col" { span.visually-hidden { (lang.t(Msg::Remove)) } }
                    } }
                    tbody {
                        @for (i, view) in parts.iter().enumerate() {
                            @let part = view.part;
                            @let label = view.row.as_ref().map_or(part.type_ref.as_str(), |r| r.label.as_str());
                            tr data-part=(i) {
                                td {
                                    input type="hidden" name="type" value=(part.type_ref);
                                    @match &view.row {
                                        Some(row) => a.ds-link href=(format!("/types/{}", percent_path(&row.id))) id=(format!("part-{i}")) { (label) },
                                        None => span id=(format!("part-{i}")) { code { (part.type_ref) } " (" (lang.t(Msg::NoHits)) ")" },
                                    }
                                }
                                td {
                                    label.visually-hidden for=(format!("field-{i}")) { (lang.t(Msg::FieldName)) " " (label) }
                                    input.ds-input id=(format!("field-{i}")) type="text" name="field" value=(part.field) autocomplete="off";
                                }
                                td {
                                    label.visually-hidden for=(format!("card-{i}")) { (lang.t(Msg::Multiplicity)) " " (label) }
                                    select.ds-input id=(format!("card-{i}")) name="card" {
                                        @let current = if part.card.is_empty() { "1" } else { part.card.as_str() };
                                        @if !CARDINALITIES.contains(&current) {
                                            option value=(current) selected { (current) }
                                        }
                                        @for card in CARDINALITIES {
                                            option value=(card) selected[card == current] { (card) }
                                        }
                                    }
                                }
                                td {
                                    label.visually-hidden for=(format!("source-{i}")) { (lang.t(Msg::SourceApi)) " " (label) }
                                    select.ds-input id=(format!("source-{i}")) name="source" {
                                        option value="" selected[part.source.is_empty()] { (lang.t(Msg::NoSource)) }
                                        @let known = view.sets.iter().any(|s| set_ref(s) == part.source || s.id == part.source || s.iri == part.source);
                                        @if !part.source.is_empty() && !known {
                                            option value=(part.source) selected { (part.source) }
                                        }
                                        @for set in &view.sets {
                                            @let value = set_ref(set);
                                            @let chosen = part.source == value || part.source == set.id || part.source == set.iri;
                                            option value=(value) selected[chosen] {
                                                (set.title.as_deref().or(set.alias.as_deref()).unwrap_or(&set.iri))
                                                @if let Some(from) = &set.subject_source { " (" (from) ")" }
                                            }
                                        }
                                    }
                                }
                                td {
                                    button.ds-button type="submit" name="remove" value=(i) data-variant="tertiary"
                                        data-size="sm" aria-describedby=(format!("part-{i}")) { (lang.t(Msg::Remove)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How the page names a mapping set in the state: its alias, else its id.
fn set_ref(set: &SetInto) -> &str {
    set.alias.as_deref().unwrap_or(&set.id)
}

fn result(lang: Lang, bundle: &Bundle) -> Markup {
    let schema = serde_json::to_string_pretty(&bundle.schema).unwrap_or_default();
    html! {
        h3.ds-heading data-size="xs" { "JSON Schema" }
        pre.rdf id="compose-schema" tabindex="0" { code { (schema) } }
        h3.ds-heading data-size="xs" { (lang.t(Msg::UiHints)) }
        // Scrolls sideways when wide: focusable, so the keyboard can scroll it.
        div.table-wrap tabindex="0" role="region" aria-label=(lang.t(Msg::UiHints)) {
            table.ds-table id="compose-hints" data-border {
                caption.visually-hidden { (lang.t(Msg::UiHints)) }
                thead { tr {
                    th scope="col" { (lang.t(Msg::Path)) }
                    th scope="col" { (lang.t(Msg::Component)) }
                    th scope="col" { (lang.t(Msg::Label)) }
                    th scope="col" { (lang.t(Msg::Required)) }
                    th scope="col" { (lang.t(Msg::KindCodeList)) }
                } }
                tbody {
                    @for hint in &bundle.ui_hints {
                        tr data-path=(hint.path) {
                            td { code { (hint.path) } }
                            td { (hint.component) }
                            td { (lang_text(lang, pick(&hint.label, lang))) }
                            td { (lang.t(if hint.required { Msg::Yes } else { Msg::No })) }
                            td {
                                @if let Some(list) = &hint.code_list {
                                    a.ds-link href=(format!("/code-lists/{}", percent_path(&list.id))) { (list.id) }
                                    " (" (list.codes) " " (lang.t(Msg::CodeCount)) ")"
                                }
                            }
                        }
                    }
                }
            }
        }
        h3.ds-heading data-size="xs" { (lang.t(Msg::Mapping)) }
        @if bundle.mappings.is_empty() { p.ds-paragraph { "–" } }
        @for (m, mapping) in bundle.mappings.iter().enumerate() {
            div.table-wrap tabindex="0" role="region" aria-label=(format!("{} {}", lang.t(Msg::Mapping), m + 1)) {
                table.ds-table.compose-mapping data-border {
                    caption { (lang.t(Msg::Source)) ": " code { (mapping.subject_source.as_deref().unwrap_or("–")) } }
                    thead { tr {
                        th scope="col" id=(format!("m{m}-source")) { (lang.t(Msg::Source)) }
                        th scope="col" { (lang.t(Msg::Target)) }
                        th scope="col" { (lang.t(Msg::Transform)) }
                    } }
                    tbody {
                        @for line in &mapping.fields {
                            tr {
                                td { code { (line.source) } }
                                td { code { (line.target) } }
                                td { @if let Some(t) = &line.transform { code { (t) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A text of a hint in the page language, else the nearest.
fn pick(texts: &crate::service_models::fields::Texts, lang: Lang) -> Option<(&str, &str)> {
    lang.fallbacks()
        .iter()
        .find_map(|l| texts.get(*l).map(|t| (*l, t.as_str())))
        .or_else(|| texts.iter().next().map(|(l, t)| (l.as_str(), t.as_str())))
}

/// The save form: the state as shown above in hidden fields, and the token.
fn save_form(lang: Lang, draft: &Draft) -> Markup {
    let mut pairs = draft.pairs();
    pairs.retain(|(k, _)| k != "q" && k != "saved");
    html! {
        form.compose-save id="save-form" method="post" action=(format!("/compose?lang={}", lang.code())) {
            h3.ds-heading data-size="xs" { (lang.t(Msg::Save)) }
            @for (k, v) in &pairs {
                input type="hidden" name=(k) value=(v);
            }
            div.ds-field {
                label.ds-label for="compose-token" { (lang.t(Msg::Token)) }
                p.ds-paragraph.compose-help id="compose-token-help" { (lang.t(Msg::SaveHelp)) }
                input.ds-input id="compose-token" type="password" name="token" autocomplete="off"
                    aria-describedby="compose-token-help" data-session-token required;
            }
            p { button.ds-button id="compose-save" type="submit" data-variant="primary" { (lang.t(Msg::Save)) } }
        }
    }
}

/// What a save gave: links to the stored model and its form exports.
fn saved_notice(request: &PageRequest, bundle: &Bundle) -> Markup {
    let lang = request.lang;
    let id = percent_path(&bundle.id);
    let server = request.base.as_deref().unwrap_or("http://127.0.0.1:8080");
    html! {
        div.ds-alert.banner data-color="success" role="status" id="compose-saved" data-id=(bundle.id) {
            h2.ds-heading data-size="xs" { (lang.t(Msg::Saved)) ": " (bundle.name) " (" (lang.t(Msg::Version)) " " (bundle.version) ")" }
            ul {
                li { a.ds-link id="saved-model" href=(format!("/api/v1/service-models/{id}")) { (lang.t(Msg::SavedModel)) } }
                li { a.ds-link href=(format!("/api/v1/service-models/{id}/altinn-app?org=ttd")) download { (lang.t(Msg::AltinnApp)) } }
                li { a.ds-link href=(format!("/api/v1/service-models/{id}/questionnaire?lang={}", lang.code())) { (lang.t(Msg::Questionnaire)) } }
            }
            p.ds-paragraph { (lang.t(Msg::FromCommandLine)) ": "
                code { "semreg form altinn-app " (bundle.id) " --server " (server) " --out my-app" } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn parts_are_read_in_order_and_written_back_aligned() {
        let (draft, action) = Draft::from_pairs(&pairs(
            "name=S%C3%B8knad&type=demo-person&field=applicant&card=1&source=frg\
             &type=adresse&field=deliveryAddress&card=0..1&source=&q=Person&lang=en",
        ));
        assert_eq!(action, None);
        assert_eq!(draft.parts.len(), 2);
        assert_eq!(draft.parts[1].field, "deliveryAddress");
        assert_eq!(draft.parts[1].source, "");
        assert_eq!(
            draft.href(Lang::En),
            "/compose?name=S%C3%B8knad&type=demo-person&field=applicant&card=1&source=frg\
             &type=adresse&field=deliveryAddress&card=0..1&source=&q=Person&lang=en"
        );
        let request = draft.request(Lang::En);
        assert_eq!(request.parts[0].source.as_deref(), Some("frg"));
        assert_eq!(request.parts[1].source, None);
        assert_eq!(request.parts[1].cardinality.as_deref(), Some("0..1"));
    }

    #[test]
    fn buttons_are_actions_and_new_fields_get_free_names() {
        let (draft, action) = Draft::from_pairs(&pairs("type=a&field=person&add=b"));
        assert_eq!(action, Some(Action::Add("b".into())));
        assert_eq!(draft.new_field_name("Person"), "person2");
        assert_eq!(draft.new_field_name("Norsk adresse"), "norskAdresse");
        assert_eq!(draft.new_field_name("–"), "field");
        let (_, action) = Draft::from_pairs(&pairs("remove=x"));
        assert_eq!(action, Some(Action::Nothing));
        let (_, action) = Draft::from_pairs(&pairs("remove=0"));
        assert_eq!(action, Some(Action::Remove(0)));
    }
}
