//! The concept page (as FDK's concept page and Skosmos' concept card): terms by role and
//! language, definitions with target group and source, examples, remarks, validity, relations
//! grouped by kind, what in the registry refers to it, downloads and versions. Read by
//! [`crate::concepts`] from the concept's stored graph.

use super::i18n::{Lang, Msg};
use super::layout::{self, percent_path, PageRequest};
use crate::app::AppState;
use crate::concepts::{self, ConceptView, LangText};
use crate::problem::ApiError;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use std::collections::HashMap;

/// The resource kinds this page shows.
const KINDS: [&str; 1] = ["concept"];

/// A concept's page.
#[utoipa::path(get, path = "/concepts/{id}",
    params(
        ("id" = String, Path, description = "Concept id or alias"),
        ("lang" = Option<String>, Query, description = "Page language: nb, nn or en")),
    responses((status = 200, description = "The concept's page", body = String, content_type = "text/html"),
              (status = 404, description = "No concept with that id or alias")))]
pub async fn concept_page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = PageRequest::new(&uri, &headers);
    let lang = request.lang;
    // The pages are public: a draft is not shown there.
    let row = crate::store::find_public_resource(&app.db, &id)
        .await?
        .filter(|r| KINDS.contains(&r.kind.as_str()))
        .ok_or_else(|| ApiError::not_found(format!("no concept with id or alias {id:?}")))?;
    let version = crate::store::get_version(&app.db, &row.id, row.current_version)
        .await?
        .ok_or_else(|| ApiError::internal(&format!("version missing for {}", row.id)))?;
    let concept = concepts::read(&row.iri, &version.ntriples);
    // Labels and kinds of everything the page links to, in one query.
    let used_by = concepts::used_by(&app, &row.iri)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, concept = %row.id, "used-by query failed");
            Vec::new()
        });
    let mut ids: Vec<String> = concept
        .relations
        .iter()
        .map(|r| crate::ids::resource_id_for_iri(&r.iri))
        .chain(
            used_by
                .iter()
                .map(|(g, _)| crate::ids::resource_id_for_iri(g)),
        )
        .collect();
    ids.sort();
    ids.dedup();
    let known: HashMap<String, crate::store::entities::resource::Model> =
        crate::store::resources_by_ids(&app.db, &ids)
            .await?
            .into_iter()
            .map(|r| (r.iri.clone(), r))
            .collect();
    let versions = crate::store::list_versions(&app.db, &row.id).await?;
    let path_id = percent_path(&row.id);
    let title = pick(&concept.preferred, lang).map_or(row.label.clone(), |t| t.text.clone());
    let main = html! {
        nav.ds-breadcrumbs aria-label="Breadcrumbs" {
            ol {
                li { a.ds-link href="/" { (lang.t(Msg::Home)) } }
                li { a.ds-link href="/search?kind=concept" { (super::i18n::kind_name(lang, "concept")) } }
            }
        }
        h1.ds-heading data-size="lg" { (text(lang, pick(&concept.preferred, lang))) }
        (layout::resource_tags(lang, "concept", &row))
        dl.meta {
            dt { (lang.t(Msg::Identifier)) }
            dd { (layout::copyable_iri(lang, &row.iri)) }
            @if let Some(identifier) = &concept.identifier {
                @if identifier != &row.iri { dt { "dct:identifier" } dd { (identifier) } }
            }
            @if concept.valid_from.is_some() || concept.valid_to.is_some() {
                dt { (lang.t(Msg::Validity)) }
                dd { (concept.valid_from.as_deref().unwrap_or("…")) " – " (concept.valid_to.as_deref().unwrap_or("…")) }
            }
            @if !concept.subjects.is_empty() {
                dt { (lang.t(Msg::Subjects)) } dd { (concept.subjects.join(", ")) }
            }
        }
        h2.ds-heading data-size="sm" { (lang.t(Msg::Terms)) }
        (terms_table(lang, &concept))
        h2.ds-heading data-size="sm" { (lang.t(Msg::Definitions)) }
        @if concept.definitions.is_empty() { p.ds-paragraph { "–" } }
        @for definition in &concept.definitions {
            div.ds-card.result-card.definition {
                @for t in &definition.texts {
                    p.ds-paragraph lang=[(!t.lang.is_empty()).then_some(t.lang.as_str())] {
                        @if !t.lang.is_empty() { span.other-lang { "(" (t.lang) ") " } }
                        (t.text)
                    }
                }
                @if let Some(audience) = &definition.audience {
                    p.ds-paragraph { (lang.t(Msg::TargetGroup)) ": " (audience_name(lang, audience)) }
                }
                @if let Some(relation) = &definition.relationship_with_source {
                    p.ds-paragraph { (lang.t(Msg::Source)) ": " (source_relation_name(lang, relation))
                        @for source in &definition.sources { " · " (source) } }
                } @else if !definition.sources.is_empty() {
                    p.ds-paragraph { (lang.t(Msg::Source)) ": " (definition.sources.join(" · ")) }
                }
            }
        }
        @if !concept.examples.is_empty() {
            h2.ds-heading data-size="xs" { (lang.t(Msg::Examples)) }
            ul { @for t in &concept.examples { li lang=[(!t.lang.is_empty()).then_some(t.lang.as_str())] { (t.text) } } }
        }
        @if !concept.remarks.is_empty() {
            h2.ds-heading data-size="xs" { (lang.t(Msg::Remarks)) }
            @for t in &concept.remarks { p.ds-paragraph lang=[(!t.lang.is_empty()).then_some(t.lang.as_str())] { (t.text) } }
        }
        h2.ds-heading data-size="sm" { (lang.t(Msg::Relations)) }
        @if concept.relations.is_empty() { p.ds-paragraph { "–" } }
        @else {
            dl.meta {
                @for (kind, _) in concepts::RELATIONS {
                    @let targets: Vec<_> = concept.relations.iter().filter(|r| r.kind == kind).collect();
                    @if !targets.is_empty() {
                        dt { (relation_name(lang, kind)) }
                        dd { ul { @for target in targets { li { (resource_link(&known, &target.iri)) } } } }
                    }
                }
            }
        }
        h2.ds-heading data-size="sm" { (lang.t(Msg::UsedBy)) }
        @if used_by.is_empty() { p.ds-paragraph { "–" } }
        @else {
            ul {
                @for (graph, how) in &used_by {
                    li { (resource_link(&known, graph))
                        @if let Some(r) = known.get(graph) { " " (layout::kind_tag(lang, &r.kind)) }
                        @if *how == "member" { " (" (lang.t(Msg::Member)) ")" } }
                }
            }
        }
        h2.ds-heading data-size="xs" { (lang.t(Msg::Download)) }
        p.downloads {
            @for (ext, name) in [("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML")] {
                a.ds-button data-variant="secondary" href=(format!("/concepts/{path_id}/download/concept.{ext}")) download { (name) }
            }
        }
        h2.ds-heading data-size="xs" { (lang.t(Msg::Versions)) }
        ul {
            @for (number, _, _, at) in &versions {
                li { (lang.t(Msg::Version)) " " (number) " · " time datetime=(at.to_rfc3339()) { (at.format("%Y-%m-%d")) }
                    @if *number == row.current_version { " (" (lang.t(Msg::Latest)) ")" } }
            }
        }
    };
    Ok(layout::render(
        &request,
        &title,
        &request.canonical(&[]),
        main,
    ))
}

/// A concept's graph as a file: `concept.ttl`, `concept.jsonld`, `concept.rdf`, `concept.nt`.
#[utoipa::path(get, path = "/concepts/{id}/download/{file}",
    params(
        ("id" = String, Path, description = "Concept id or alias"),
        ("file" = String, Path, description = "concept.ttl, concept.jsonld, concept.rdf or concept.nt", example = "concept.ttl")),
    responses((status = 200, description = "The file, as an attachment", content(
                  (String = "text/turtle"), (String = "application/ld+json"),
                  (String = "application/rdf+xml"), (String = "application/n-triples"))),
              (status = 404, description = "No concept with that id or alias, or no such file")))]
pub async fn download_concept(
    State(app): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    // The pages are public: a draft is not shown there.
    let row = crate::store::find_public_resource(&app.db, &id)
        .await?
        .filter(|r| KINDS.contains(&r.kind.as_str()))
        .ok_or_else(|| ApiError::not_found(format!("no concept with id or alias {id:?}")))?;
    let Some((format, extension)) = file
        .strip_prefix("concept.")
        .and_then(|ext| super::download::format_of(ext).map(|f| (f, ext)))
    else {
        return Err(ApiError::not_found(format!(
            "no file {file:?}: concept.ttl, concept.jsonld, concept.rdf or concept.nt"
        )));
    };
    let body = super::download::serialized(&app, &row.id, row.current_version, format).await?;
    let name = row.alias.clone().unwrap_or_else(|| row.id.clone());
    Ok(super::download::attachment(
        body,
        format.media_type(),
        &name,
        row.current_version,
        extension,
    ))
}

/// The text in the page language, else the nearest.
fn pick(texts: &[LangText], lang: Lang) -> Option<&LangText> {
    lang.fallbacks()
        .iter()
        .find_map(|l| texts.iter().find(|t| t.lang == *l))
        .or_else(|| texts.first())
}

fn text(lang: Lang, t: Option<&LangText>) -> Markup {
    layout::lang_text(lang, t.map(|t| (t.lang.as_str(), t.text.as_str())))
}

fn terms_table(lang: Lang, concept: &ConceptView) -> Markup {
    let mut langs: Vec<&str> = concept
        .preferred
        .iter()
        .chain(&concept.admitted)
        .chain(&concept.discouraged)
        .map(|t| t.lang.as_str())
        .collect();
    langs.sort_by_key(|l| {
        (
            lang.fallbacks().iter().position(|f| f == l).unwrap_or(9),
            *l,
        )
    });
    langs.dedup();
    let cell = |texts: &[LangText], l: &str| -> Vec<String> {
        texts
            .iter()
            .filter(|t| t.lang == l)
            .map(|t| t.text.clone())
            .collect()
    };
    html! {
        div.table-wrap {
            table.ds-table data-border {
                thead { tr {
                    th scope="col" { (lang.t(Msg::Language)) }
                    th scope="col" { (lang.t(Msg::Preferred)) }
                    th scope="col" { (lang.t(Msg::Admitted)) }
                    th scope="col" { (lang.t(Msg::Discouraged)) }
                } }
                tbody {
                    @for l in &langs {
                        tr lang=[(!l.is_empty()).then_some(*l)] {
                            th scope="row" { @if l.is_empty() { "–" } @else { (l) } }
                            td { (cell(&concept.preferred, l).join("; ")) }
                            td { (cell(&concept.admitted, l).join("; ")) }
                            td { (cell(&concept.discouraged, l).join("; ")) }
                        }
                    }
                }
            }
        }
    }
}

/// A link to a registry resource by IRI (its page, labelled), or the IRI itself.
fn resource_link(
    known: &HashMap<String, crate::store::entities::resource::Model>,
    iri: &str,
) -> Markup {
    match known.get(iri) {
        Some(r) => html! { a.ds-link href=(layout::resource_href(&r.kind, &r.id)) { (r.label) } },
        None if iri.starts_with("http") => html! { a.ds-link href=(iri) { (iri) } },
        None => html! { (iri) },
    }
}

fn relation_name(lang: Lang, kind: &str) -> &'static str {
    let [nb, nn, en] = match kind {
        "broader" => ["Overordnet", "Overordna", "Broader"],
        "narrower" => ["Underordnet", "Underordna", "Narrower"],
        "related" => ["Se også", "Sjå òg", "Related"],
        "replacedBy" => ["Erstattet av", "Erstatta av", "Replaced by"],
        "replaces" => ["Erstatter", "Erstattar", "Replaces"],
        "inScheme" => ["Del av", "Del av", "Member of"],
        "generic" => [
            "Generisk overordnet",
            "Generisk overordna",
            "Generic broader",
        ],
        "partitive" => ["Del av helhet", "Del av heilskap", "Part of"],
        "seeAlso" => ["Se også", "Sjå òg", "See also"],
        _ => ["Samme som", "Same som", "Same as"],
    };
    match lang {
        Lang::Nb => nb,
        Lang::Nn => nn,
        Lang::En => en,
    }
}

fn audience_name(lang: Lang, audience: &str) -> String {
    let local = audience.rsplit(['#', '/']).next().unwrap_or(audience);
    let name = match (local, lang) {
        ("public", Lang::Nb) => "Allmennheten",
        ("public", Lang::Nn) => "Ålmenta",
        ("public", Lang::En) => "The public",
        ("specialist", Lang::Nb) => "Fagspesialist",
        ("specialist", Lang::Nn) => "Fagspesialist",
        ("specialist", Lang::En) => "Specialists",
        _ => return audience.to_owned(),
    };
    name.to_owned()
}

fn source_relation_name(lang: Lang, relation: &str) -> String {
    let local = relation.rsplit(['#', '/']).next().unwrap_or(relation);
    let name = match (local, lang) {
        ("self-composed" | "egendefinert", Lang::En) => "self-composed",
        ("self-composed" | "egendefinert", _) => "egendefinert",
        ("direct-from-source" | "sitatFraKilde", Lang::En) => "quoted from the source",
        ("direct-from-source" | "sitatFraKilde", Lang::Nb) => "sitat fra kilde",
        ("direct-from-source" | "sitatFraKilde", Lang::Nn) => "sitat frå kjelde",
        ("derived-from-source" | "basertPåKilde", Lang::En) => "based on the source",
        ("derived-from-source" | "basertPåKilde", Lang::Nb) => "basert på kilde",
        ("derived-from-source" | "basertPåKilde", Lang::Nn) => "basert på kjelde",
        _ => return relation.to_owned(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_iris_read_as_words() {
        assert_eq!(
            audience_name(
                Lang::Nn,
                "https://data.norge.no/vocabulary/audience-type#public"
            ),
            "Ålmenta"
        );
        assert_eq!(
            source_relation_name(Lang::En, "https://data.norge.no/vocabulary/relationship-with-source-type#derived-from-source"),
            "based on the source"
        );
        assert_eq!(audience_name(Lang::En, "barn"), "barn");
    }

    #[test]
    fn the_page_language_is_picked_first_then_the_nearest() {
        let texts = vec![
            LangText {
                lang: "en".into(),
                text: "person".into(),
            },
            LangText {
                lang: "nb".into(),
                text: "person (nb)".into(),
            },
        ];
        assert_eq!(pick(&texts, Lang::Nn).unwrap().lang, "nb");
        assert_eq!(pick(&texts, Lang::En).unwrap().lang, "en");
    }
}
