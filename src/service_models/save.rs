//! Step 5 of composing: the service model's own graph (a `semreg:ServiceModel` with a
//! `modelldcatno:hasProperty` role per part, `dct:requires` to every type it reaches, and the
//! composed schema and hints as literals) and its mapping sets, stored as the publisher's
//! through the registry's write path.

use super::fields::DCT_SUBJECT;
use super::ui::UiHint;
use super::{invalid, ComposeRequest, Part, ServiceModelError};
use super::{DCT_DESCRIPTION, DCT_REQUIRES, DCT_TITLE, M, SEMREG};
use crate::app::App;
use crate::ids::{resource_id_for_iri, OrgNr};
use crate::mappings::stored;
use crate::mappings::{rdf as mapping_rdf, MappingSet};
use crate::registry::Actor;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Triple};
use serde_json::Value;

/// What is saved of one composed service model.
pub(super) struct Composed<'a> {
    pub(super) iri: &'a str,
    pub(super) request: &'a ComposeRequest,
    pub(super) parts: &'a [Part],
    pub(super) part_mapping: &'a [Option<String>],
    pub(super) requires: &'a [String],
    pub(super) schema: &'a Value,
    pub(super) hints: &'a [UiHint],
    pub(super) sets: &'a [MappingSet],
}

/// Stores the service model and its mapping sets in one write; returns its version number.
pub(super) async fn save(
    app: &App,
    composed: Composed<'_>,
    actor: OrgNr,
    who: crate::auth::audit::Actor,
) -> Result<i32, ServiceModelError> {
    let mut triples = model_triples(
        composed.iri,
        composed.request,
        composed.parts,
        composed.part_mapping,
        composed.requires,
        composed.schema,
        composed.hints,
    )?;
    for set in composed.sets {
        triples.extend(mapping_rdf::to_triples(set)?);
    }
    let report = stored::save_triples(
        app,
        &triples,
        Actor::Publisher(actor.clone()),
        Some(actor),
        "service-model.nt",
        crate::auth::audit::Context::new(who, crate::auth::audit::Action::SERVICE_MODEL),
    )
    .await?;
    let id = resource_id_for_iri(composed.iri);
    Ok(report
        .resources
        .iter()
        .find(|r| r.id == id)
        .map_or(1, |r| r.version))
}

fn model_triples(
    iri: &str,
    request: &ComposeRequest,
    parts: &[Part],
    part_mapping: &[Option<String>],
    requires: &[String],
    schema: &Value,
    hints: &[UiHint],
) -> Result<Vec<Triple>, ServiceModelError> {
    let node = |text: &str, field: &str| {
        NamedNode::new(text).map_err(|e| invalid(field, format!("{text:?} is not an IRI: {e}")))
    };
    let me: NamedOrBlankNode = node(iri, "iri")?.into();
    let p = |local: &str| NamedNode::new_unchecked(local);
    let mut out = vec![
        Triple::new(me.clone(), rdf::TYPE, p(&format!("{SEMREG}ServiceModel"))),
        Triple::new(
            me.clone(),
            p(DCT_TITLE),
            Literal::new_simple_literal(request.name.trim()),
        ),
        Triple::new(
            me.clone(),
            p(&format!("{SEMREG}jsonSchema")),
            Literal::new_simple_literal(schema.to_string()),
        ),
        Triple::new(
            me.clone(),
            p(&format!("{SEMREG}uiHints")),
            Literal::new_simple_literal(serde_json::to_string(hints).unwrap_or_default()),
        ),
    ];
    if let Some(description) = &request.description {
        out.push(Triple::new(
            me.clone(),
            p(DCT_DESCRIPTION),
            Literal::new_simple_literal(description),
        ));
    }
    if let Some(alias) = &request.alias {
        out.push(Triple::new(
            me.clone(),
            p(&format!("{SEMREG}alias")),
            Literal::new_simple_literal(alias),
        ));
    }
    for required in requires {
        out.push(Triple::new(
            me.clone(),
            p(DCT_REQUIRES),
            node(required, "parts")?,
        ));
    }
    for (i, (part, mapping)) in parts.iter().zip(part_mapping).enumerate() {
        let prop: NamedOrBlankNode = BlankNode::default().into();
        out.push(Triple::new(
            me.clone(),
            p(&format!("{M}hasProperty")),
            prop.clone(),
        ));
        out.push(Triple::new(prop.clone(), rdf::TYPE, p(&format!("{M}Role"))));
        out.push(Triple::new(
            prop.clone(),
            p(DCT_TITLE),
            Literal::new_simple_literal(&part.field),
        ));
        // A concept part stands for its concept; a type part holds objects of its type.
        let link = if part.concept.is_some() {
            DCT_SUBJECT.to_owned()
        } else {
            format!("{M}hasObjectType")
        };
        out.push(Triple::new(
            prop.clone(),
            p(&link),
            node(&part.type_iri, "parts")?,
        ));
        out.push(Triple::new(
            prop.clone(),
            p(&format!("{M}minOccurs")),
            Literal::new_typed_literal(part.min.to_string(), xsd::NON_NEGATIVE_INTEGER),
        ));
        out.push(Triple::new(
            prop.clone(),
            p(&format!("{M}maxOccurs")),
            match part.max {
                Some(max) => Literal::new_typed_literal(max.to_string(), xsd::NON_NEGATIVE_INTEGER),
                None => Literal::new_simple_literal("*"),
            },
        ));
        out.push(Triple::new(
            prop.clone(),
            p(&format!("{M}sequenceNumber")),
            Literal::new_typed_literal((i + 1).to_string(), xsd::NON_NEGATIVE_INTEGER),
        ));
        if let Some(mapping) = mapping {
            out.push(Triple::new(
                prop.clone(),
                p(&format!("{SEMREG}sourceMapping")),
                node(mapping, "parts")?,
            ));
        }
    }
    Ok(out)
}
