//! The type and information-model pages (as FDK's information-model page): the structure as
//! property tables — name, title, multiplicity `[min..max]`, the value's type (linked),
//! restrictions (length, pattern, range, digits) and code lists —, downloads (JSON Schema, XSD,
//! C#, TypeScript), the service models that use a type, and for a model the tabs Structure |
//! Turtle | JSON-LD. The structure comes from the export model every download is written from
//! ([`crate::types`]); each type is shown once, linked by anchor, never as a recursive tree, and
//! a model's types are paged, so a model of 1,400 types is a few pages, not one huge one.

use super::i18n::{Lang, Msg};
use super::layout::{self, percent_path, PageRequest};
use crate::app::AppState;
use crate::problem::ApiError;
use crate::types::model::{Body, ExportModel, Facets, Prop, SimpleDef, TypeDef, Value};
use crate::types::{MODEL_KIND, TYPE_KIND};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use std::sync::Arc;

/// Types a model page shows at once.
pub const TYPES_PER_PAGE: usize = 50;
/// Most characters of RDF shown in a tab (the download has all of it).
const MAX_RDF_CHARS: usize = 200_000;

/// A type's page.
#[utoipa::path(get, path = "/types/{id}",
    params(
        ("id" = String, Path, description = "Type id or alias", example = "demo-person"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    responses((status = 200, description = "The type's page", body = String, content_type = "text/html"),
              (status = 404, description = "No type with that id or alias")))]
pub async fn type_page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    resource_page(&app, TYPE_KIND, &id, &uri, &headers).await
}

/// An information model's page.
#[utoipa::path(get, path = "/models/{id}",
    params(
        ("id" = String, Path, description = "Model id or alias", example = "demo-person-model"),
        ("tab" = Option<String>, Query, description = "structure (default), turtle or jsonld"),
        ("page" = Option<String>, Query, description = "Structure tab: page of the model's types, from 1 (50 a page)"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    responses((status = 200, description = "The model's page", body = String, content_type = "text/html"),
              (status = 404, description = "No model with that id or alias")))]
pub async fn model_page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    resource_page(&app, MODEL_KIND, &id, &uri, &headers).await
}

async fn resource_page(
    app: &AppState,
    kind: &'static str,
    id: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let request = PageRequest::new(uri, headers);
    let lang = request.lang;
    // The pages are public: a draft is not shown there.
    let row = crate::store::find_public_resource(&app.db, id)
        .await?
        .filter(|r| r.kind == kind)
        .ok_or_else(|| ApiError::not_found(format!("no {kind} with id or alias {id:?}")))?;
    let tab = match (kind, request.param("tab")) {
        (MODEL_KIND, Some("turtle")) => "turtle",
        (MODEL_KIND, Some("jsonld")) => "jsonld",
        _ => "structure",
    };
    let content = match tab {
        "turtle" | "jsonld" => rdf_tab(app, &row, tab).await?,
        _ => {
            let seq = app.projections.watermarks().0;
            let loaded = match app.pages.model(&row.id, lang.code(), seq) {
                Some(kept) => kept,
                None => {
                    let built =
                        Arc::new(crate::types::load_kind(app, kind, &row.id, lang.code()).await?);
                    app.pages.keep(lang.code(), seq, built.clone());
                    built
                }
            };
            let used_by = if kind == TYPE_KIND {
                crate::service_models::used_by(app, &row.iri)
                    .await
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            structure(&request, &loaded.model, &used_by)
        }
    };
    let path_id = percent_path(&row.id);
    let api = if kind == TYPE_KIND { "types" } else { "models" };
    let main = html! {
        nav.ds-breadcrumbs aria-label="Breadcrumbs" {
            ol {
                li { a.ds-link href="/" { (lang.t(Msg::Home)) } }
                li { a.ds-link href=(format!("/search?kind={kind}")) { (super::i18n::kind_name(lang, kind)) } }
            }
        }
        h1.ds-heading data-size="lg" { (row.label) }
        (layout::resource_tags(lang, kind, &row))
        dl.meta {
            dt { (lang.t(Msg::Identifier)) }
            dd { (layout::copyable_iri(lang, &row.iri)) }
        }
        h2.ds-heading data-size="xs" { (lang.t(Msg::Download)) }
        p.downloads {
            a.ds-button data-variant="secondary" href=(format!("/api/v1/{api}/{path_id}/json-schema?lang={}", lang.code())) { "JSON Schema" }
            a.ds-button data-variant="secondary" href=(format!("/api/v1/{api}/{path_id}/xsd?lang={}", lang.code())) { "XSD" }
            a.ds-button data-variant="secondary" href=(format!("/api/v1/{api}/{path_id}/csharp?lang={}", lang.code())) { "C#" }
            a.ds-button data-variant="secondary" href=(format!("/api/v1/{api}/{path_id}/typescript?lang={}", lang.code())) { "TypeScript" }
        }
        @if kind == MODEL_KIND {
            nav.kind-tabs aria-label=(lang.t(Msg::Tabs)) {
                ul {
                    @for (name, text) in [("structure", lang.t(Msg::Structure)), ("turtle", "Turtle"), ("jsonld", "JSON-LD")] {
                        li { a href=(if name == "structure" { request.path.clone() } else { format!("{}?tab={name}", request.path) })
                            aria-current=[(name == tab).then_some("page")] { (text) } }
                    }
                }
            }
        }
        (content)
    };
    Ok(layout::render(
        &request,
        &row.label,
        &request.canonical(&["tab", "page"]),
        main,
    ))
}

async fn rdf_tab(
    app: &AppState,
    row: &crate::store::entities::resource::Model,
    tab: &str,
) -> Result<Markup, ApiError> {
    let format = super::download::format_of(if tab == "turtle" { "ttl" } else { "jsonld" })
        .expect("known extensions");
    let body = super::download::serialized(app, &row.id, row.current_version, format).await?;
    let text = String::from_utf8_lossy(&body);
    let cut = text.char_indices().nth(MAX_RDF_CHARS).map(|(at, _)| at);
    Ok(html! {
        pre.rdf tabindex="0" { code { (cut.map_or(&*text, |at| &text[..at])) } }
        @if cut.is_some() { p.ds-paragraph { "…" } }
    })
}

fn structure(
    request: &PageRequest,
    model: &ExportModel,
    used_by: &[crate::service_models::UsedBy],
) -> Markup {
    let lang = request.lang;
    // A type page: the root type first, then each type it uses. A model page: its top-level
    // elements, then its types a page at a time.
    let root = model.root_type;
    let others: Vec<(usize, &TypeDef)> = model
        .types
        .iter()
        .enumerate()
        .filter(|(n, _)| Some(*n) != root)
        .collect();
    let pages = others.len().div_ceil(TYPES_PER_PAGE).max(1);
    let page = request
        .param("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(pages);
    let shown = others
        .iter()
        .skip((page - 1) * TYPES_PER_PAGE)
        .take(TYPES_PER_PAGE);
    html! {
        @if let Some(description) = &model.description {
            p.ds-paragraph { (description) }
        }
        h2.ds-heading data-size="sm" { (lang.t(Msg::Structure)) }
        @if let Some(root) = root {
            (type_section(lang, model, root, &model.types[root], true))
        }
        @if !model.roots.is_empty() {
            (props_table(lang, model, &model.roots))
        }
        @if !others.is_empty() {
            h2.ds-heading data-size="sm" { (lang.t(Msg::TypesUsed)) " (" (others.len()) ")" }
            @if pages > 1 {
                (type_pages(request, page, pages))
            }
            @for (n, def) in shown {
                (type_section(lang, model, *n, def, false))
            }
            @if pages > 1 {
                (type_pages(request, page, pages))
            }
        }
        @if !model.skipped.is_empty() {
            div.ds-alert data-color="info" { p { (lang.t(Msg::Skipped)) ": " (model.skipped.join(", ")) } }
        }
        @if model.subject == crate::types::model::Subject::Type {
            h2.ds-heading data-size="sm" { (lang.t(Msg::UsedBy)) }
            @if used_by.is_empty() {
                p.ds-paragraph { "–" }
            } @else {
                ul {
                    @for service_model in used_by {
                        li { a.ds-link href=(format!("/api/v1/service-models/{}", percent_path(&service_model.id))) { (service_model.label) } }
                    }
                }
            }
        }
    }
}

fn type_pages(request: &PageRequest, page: usize, pages: usize) -> Markup {
    let lang = request.lang;
    html! {
        nav.ds-pagination aria-label=(format!("{} – {}", lang.t(Msg::Pagination), lang.t(Msg::TypesUsed))) {
            ul {
                @for p in 1..=pages {
                    li { a.ds-button data-variant="tertiary" href=(request.with(&[("page", (p > 1).then(|| p.to_string()).as_deref())]))
                        aria-current=[(p == page).then_some("true")] aria-label=(format!("{} {p}", lang.t(Msg::PageN))) { (p) } }
                }
            }
        }
    }
}

fn type_section(lang: Lang, model: &ExportModel, n: usize, def: &TypeDef, root: bool) -> Markup {
    html! {
        section.type-def id=(format!("type-{n}")) aria-labelledby=(format!("type-{n}-name")) {
            h3.ds-heading data-size=(if root { "sm" } else { "xs" }) id=(format!("type-{n}-name")) {
                (def.title.as_deref().unwrap_or(&def.name)) " " code { (def.name) } }
            @if def.external && !root {
                p.ds-paragraph { a.ds-link href=(format!("/types/{}", percent_path(&crate::ids::resource_id_for_iri(&def.iri)))) {
                    (lang.t(Msg::OwnPage)) } }
            }
            @if let Some(description) = &def.description { p.ds-paragraph { (description) } }
            @match &def.body {
                Body::Object(object) => {
                    @if let Some(base) = object.base {
                        p.ds-paragraph { (lang.t(Msg::Extends)) " " (type_link(model, base)) }
                    }
                    (props_table(lang, model, &object.props))
                }
                Body::Simple(simple) => {
                    p.ds-paragraph { code { (simple.builtin) } " " (restrictions(lang, model, simple)) }
                }
            }
        }
    }
}

/// A link to a type: its registry page when it is a resource of its own, else its section.
fn type_link(model: &ExportModel, at: usize) -> Markup {
    let Some(def) = model.types.get(at) else {
        return html! { "?" };
    };
    // Every type of the export has a section (on this page or another page of the model);
    // one that is a registry resource of its own links to its own page.
    let href = if def.external {
        format!(
            "/types/{}",
            percent_path(&crate::ids::resource_id_for_iri(&def.iri))
        )
    } else {
        format!("#type-{at}")
    };
    html! { a.ds-link href=(href) { (def.title.as_deref().unwrap_or(&def.name)) } }
}

fn multiplicity(prop: &Prop) -> String {
    match prop.max {
        Some(max) => format!("[{}..{max}]", prop.min),
        None => format!("[{}..*]", prop.min),
    }
}

fn props_table(lang: Lang, model: &ExportModel, props: &[Prop]) -> Markup {
    html! {
        @if !props.is_empty() {
            div.table-wrap {
                table.ds-table.props-table data-border {
                    thead { tr {
                        th scope="col" { (lang.t(Msg::Name)) }
                        th scope="col" { (lang.t(Msg::Description)) }
                        th scope="col" { (lang.t(Msg::Multiplicity)) }
                        th scope="col" { (lang.t(Msg::KindType)) }
                        th scope="col" { (lang.t(Msg::Restrictions)) }
                    } }
                    tbody {
                        @for prop in props {
                            tr data-prop=(prop.name) {
                                td { code { (prop.name) } }
                                td { @if let Some(title) = &prop.title { (title) }
                                     @if let Some(description) = &prop.description { br; span.other-lang { (description) } } }
                                td { code { (multiplicity(prop)) } }
                                td { (value_type(model, &prop.value)) }
                                td { (prop_restrictions(lang, model, prop))
                                     @if let Some(fixed) = &prop.fixed { " = " code { (fixed) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn prop_restrictions(lang: Lang, model: &ExportModel, prop: &Prop) -> Markup {
    match &prop.value {
        Value::Inline(simple) => restrictions(lang, model, simple),
        Value::Simple(at) => match model.types.get(*at).map(|t| &t.body) {
            Some(Body::Simple(simple)) => restrictions(lang, model, simple),
            _ => html! {},
        },
        _ => html! {},
    }
}

fn value_type(model: &ExportModel, value: &Value) -> Markup {
    match value {
        Value::Object(at) | Value::Simple(at) => type_link(model, *at),
        Value::Inline(simple) => html! { code { (simple.builtin) } },
        Value::Any => html! { code { "any" } },
    }
}

fn restrictions(lang: Lang, model: &ExportModel, simple: &SimpleDef) -> Markup {
    let facets = facet_texts(&simple.facets);
    html! {
        @if !facets.is_empty() { code { (facets.join(", ")) } }
        @if let Some(list) = simple.list.and_then(|l| model.lists.get(l)) {
            @if !facets.is_empty() { " " }
            (lang.t(Msg::KindCodeList)) ": "
            @if list.external {
                a.ds-link href=(format!("/code-lists/{}", percent_path(&crate::ids::resource_id_for_iri(&list.iri)))) {
                    (list.title.as_deref().unwrap_or(&list.name)) }
            } @else {
                (list.title.as_deref().unwrap_or(&list.name))
            }
            " (" (list.codes.len()) ")"
        }
    }
}

fn facet_texts(f: &Facets) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push(format!("{name} {value}"));
        }
    };
    push("length", f.length.map(|v| v.to_string()));
    push("minLength", f.min_length.map(|v| v.to_string()));
    push("maxLength", f.max_length.map(|v| v.to_string()));
    push("pattern", f.pattern.clone());
    push("≥", f.min_inclusive.clone());
    push("≤", f.max_inclusive.clone());
    push(">", f.min_exclusive.clone());
    push("<", f.max_exclusive.clone());
    push("totalDigits", f.total_digits.map(|v| v.to_string()));
    push("fractionDigits", f.fraction_digits.map(|v| v.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplicity_reads_as_min_dot_dot_max() {
        let prop = |min, max| Prop {
            name: "x".into(),
            title: None,
            description: None,
            min,
            max,
            xml: crate::types::model::XmlKind::Element,
            nillable: false,
            fixed: None,
            default: None,
            value: Value::Any,
        };
        assert_eq!(multiplicity(&prop(0, Some(1))), "[0..1]");
        assert_eq!(multiplicity(&prop(1, None)), "[1..*]");
    }

    #[test]
    fn facets_read_as_restrictions() {
        let facets = Facets {
            max_length: Some(11),
            pattern: Some("[0-9]{11}".into()),
            ..Default::default()
        };
        assert_eq!(facet_texts(&facets), ["maxLength 11", "pattern [0-9]{11}"]);
    }
}
