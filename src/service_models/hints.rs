//! Step 3 of composing: the value fields every part reaches and a UI hint for each (component,
//! binding, code list, texts from the linked concept), and the registry types reached (what the
//! service model `dct:requires`).

use super::fields::{self, ConceptLinks, FieldValue, Graphs};
use super::parts::Resolved;
use super::ui::{self, CodeListHint, UiHint};
use super::{invalid, ServiceModelError, SKOS};
use crate::app::App;
use crate::ids::resource_id_for_iri;

/// The UI hints of the parts' value fields, and the types they reach, in order.
pub(super) async fn build(
    app: &App,
    parts: &[Resolved],
) -> Result<(Vec<UiHint>, Vec<String>), ServiceModelError> {
    let links = concept_links(app).await?;
    let mut graphs = Graphs::default();
    let mut hints = Vec::new();
    let mut requires: Vec<String> = Vec::new();
    for part in parts {
        if let Some(field) = &part.concept {
            hints.push(field.ui_hint.clone());
            if !requires.contains(&field.iri) {
                requires.push(field.iri.clone());
            }
            continue;
        }
        let (found, reached) = fields::walk(
            app,
            &mut graphs,
            &links,
            &part.type_row.iri,
            &part.prefix(),
            part.min > 0,
        )
        .await?;
        for r in reached {
            if !requires.contains(&r) {
                requires.push(r);
            }
        }
        for field in found {
            if matches!(field.value, FieldValue::Object { .. }) {
                continue;
            }
            hints.push(hint_for(app, &mut graphs, &field).await?);
        }
    }
    Ok((hints, requires))
}

pub(super) async fn hint_for(
    app: &App,
    graphs: &mut Graphs,
    field: &fields::Field,
) -> Result<UiHint, ServiceModelError> {
    let FieldValue::Value {
        builtin,
        code_list,
        max_length,
        pattern,
    } = &field.value
    else {
        return Err(invalid("parts", "an object field has no UI hint"));
    };
    let code_list = code_list.as_ref().map(|list| {
        let id = resource_id_for_iri(list);
        let cached = app.code_lists.get(&id);
        let today = chrono::Utc::now().date_naive();
        let codes = cached.as_ref().map(|c| {
            c.list
                .codes
                .iter()
                .filter(|code| code.valid_on(today))
                .count()
        });
        let key = cached.as_ref().and_then(|c| c.alias.clone()).unwrap_or(id);
        (
            CodeListHint {
                iri: list.clone(),
                options_url: format!("/api/v1/code-lists/{key}/altinn-options"),
                id: key,
                codes: codes.unwrap_or(0),
            },
            codes,
        )
    });
    let component = ui::component_for(field, code_list.as_ref().and_then(|(_, n)| *n));
    let concept_texts = match &field.concept {
        Some(concept) => Some(graphs.concept_texts(app, concept).await?),
        None => None,
    };
    let (label, help_text) = ui::texts(field, concept_texts.as_ref().map(|(l, h)| (l, h)));
    Ok(UiHint {
        path: field.path.clone(),
        binding: ui::binding(&field.path),
        component: component.to_owned(),
        required: field.required,
        data_type: builtin.clone(),
        label,
        help_text,
        concept: field.concept.clone(),
        code_list: code_list.map(|(hint, _)| hint),
        max_length: *max_length,
        pattern: pattern.clone(),
    })
}

/// Concept links made by mapping sets (`dct:subject`, `skos:exactMatch`, `skos:closeMatch`
/// from a field to a concept), from the RDF projection.
async fn concept_links(app: &App) -> Result<ConceptLinks, ServiceModelError> {
    let query = format!(
        "SELECT ?s ?o WHERE {{ ?set a <https://w3id.org/sssom/MappingSet> ; <https://w3id.org/sssom/mappings> ?m . \
         ?m <http://www.w3.org/2002/07/owl#annotatedSource> ?s ; <http://www.w3.org/2002/07/owl#annotatedProperty> ?p ; \
         <http://www.w3.org/2002/07/owl#annotatedTarget> ?o . \
         VALUES ?p {{ <{}> <{SKOS}exactMatch> <{SKOS}closeMatch> }} }}",
        fields::DCT_SUBJECT
    );
    let rows = super::sparql::select(app, query).await?;
    Ok(rows
        .into_iter()
        .filter_map(|mut row| {
            let o = row.pop()??;
            let s = row.pop()??;
            Some((s, o))
        })
        .collect())
}
