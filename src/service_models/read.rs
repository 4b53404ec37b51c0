//! Reading stored service models back: the bundle of one ([`load`]), its schema (for apply) and
//! the service models that use a type ([`used_by`]).

use super::fields::{Graphs, DCT_SUBJECT};
use super::source_mappings::bundle_mapping;
use super::ui::UiHint;
use super::{invalid, Bundle, Part, ServiceModelError};
use super::{DCT_REQUIRES, DCT_TITLE, M, SEMREG, SERVICE_MODEL_KIND};
use crate::app::App;
use crate::ids::resource_id_for_iri;
use crate::mappings::stored;
use crate::mappings::MappingError;
use oxrdf::NamedNode;
use serde::Serialize;
use serde_json::Value;

/// A stored service model's bundle, by id, alias or IRI.
pub async fn load(app: &App, id_or_alias: &str) -> Result<Bundle, ServiceModelError> {
    let key = if id_or_alias.contains(':') {
        resource_id_for_iri(id_or_alias)
    } else {
        id_or_alias.to_owned()
    };
    let (row, ntriples) = stored::load_current(app, &key).await?.ok_or_else(|| {
        ServiceModelError::NotFound(format!("no service model with id or alias {id_or_alias:?}"))
    })?;
    if row.kind != SERVICE_MODEL_KIND {
        return Err(ServiceModelError::NotFound(format!(
            "resource {id_or_alias:?} is a {}, not a service model",
            row.kind
        )));
    }
    let mut graphs = Graphs::default();
    graphs.add_ntriples(&ntriples);
    let iri = row.iri.clone();
    let json_literal = |predicate: &str| -> Result<Value, ServiceModelError> {
        let text = graphs
            .value(&iri, &format!("{SEMREG}{predicate}"))
            .ok_or_else(|| {
                invalid(
                    &iri,
                    format!("stored service model lacks semreg:{predicate}"),
                )
            })?;
        serde_json::from_str(&text)
            .map_err(|e| invalid(&iri, format!("stored semreg:{predicate} unreadable: {e}")))
    };
    let schema = json_literal("jsonSchema")?;
    let ui_hints: Vec<UiHint> = serde_json::from_value(json_literal("uiHints")?)
        .map_err(|e| invalid(&iri, format!("stored semreg:uiHints unreadable: {e}")))?;
    let mut parts = Vec::new();
    let mut mapping_iris: Vec<String> = Vec::new();
    let mut props: Vec<(u64, String)> = graphs
        .nodes(&iri, &format!("{M}hasProperty"))
        .into_iter()
        .map(|p| {
            (
                graphs
                    .value(&p, &format!("{M}sequenceNumber"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0),
                p,
            )
        })
        .collect();
    props.sort();
    for (_, prop) in props {
        let concept = graphs.nodes(&prop, DCT_SUBJECT).into_iter().next();
        let type_iri = graphs
            .nodes(&prop, &format!("{M}hasObjectType"))
            .into_iter()
            .next()
            .or_else(|| concept.clone())
            .unwrap_or_default();
        let mapping = graphs
            .nodes(&prop, &format!("{SEMREG}sourceMapping"))
            .into_iter()
            .next();
        if let Some(m) = &mapping {
            if !mapping_iris.contains(m) {
                mapping_iris.push(m.clone());
            }
        }
        parts.push(Part {
            field: graphs.value(&prop, DCT_TITLE).unwrap_or_default(),
            type_id: resource_id_for_iri(&type_iri),
            type_iri,
            min: graphs
                .value(&prop, &format!("{M}minOccurs"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
            max: match graphs.value(&prop, &format!("{M}maxOccurs")).as_deref() {
                Some("*") | None => None,
                Some(n) => n.parse().ok(),
            },
            mapping: mapping.as_ref().map(|m| resource_id_for_iri(m)),
            concept,
        });
    }
    let mut mappings = Vec::new();
    for m in mapping_iris {
        let (_, set) = stored::load(app, &m).await?;
        mappings.push(bundle_mapping(&set));
    }
    Ok(Bundle {
        id: row.id.clone(),
        iri: row.iri.clone(),
        version: row.current_version,
        name: graphs
            .value(&iri, DCT_TITLE)
            .unwrap_or_else(|| row.label.clone()),
        parts,
        schema,
        mappings,
        ui_hints,
    })
}

/// The stored JSON Schema of a service model, by its IRI (for apply).
pub async fn schema_of(app: &App, iri: &str) -> Result<Option<Value>, ServiceModelError> {
    match load(app, &resource_id_for_iri(iri)).await {
        Ok(bundle) => Ok(Some(bundle.schema)),
        Err(ServiceModelError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A service model that uses a type.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsedBy {
    /// Registry id.
    pub id: String,
    /// IRI.
    pub iri: String,
    /// Label.
    pub label: String,
    /// Whether a part of it is the type itself (else it is reached through another type).
    pub direct: bool,
}

/// The service models that use a type, directly (as a part) or through a type they use.
pub async fn used_by(app: &App, type_iri: &str) -> Result<Vec<UsedBy>, ServiceModelError> {
    let type_node = NamedNode::new(type_iri).map_err(|e| invalid("id", e.to_string()))?;
    let query = format!(
        "SELECT DISTINCT ?sm ?direct WHERE {{ ?sm a <{SEMREG}ServiceModel> ; <{DCT_REQUIRES}> {type_node} . \
         BIND(EXISTS {{ ?sm <{M}hasProperty>/<{M}hasObjectType> {type_node} }} AS ?direct) }} ORDER BY ?sm"
    );
    let rows = super::sparql::select(app, query).await?;
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.first().cloned().flatten())
        .map(|iri| resource_id_for_iri(&iri))
        .collect();
    let found = crate::store::resources_by_ids(&app.db, &ids)
        .await
        .map_err(MappingError::from)?;
    let mut out = Vec::new();
    for row in rows {
        let Some(Some(iri)) = row.first().cloned() else {
            continue;
        };
        let direct = row.get(1).cloned().flatten().is_some_and(|d| d == "true");
        let id = resource_id_for_iri(&iri);
        let label = found
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.label.clone())
            .unwrap_or_else(|| iri.clone());
        out.push(UsedBy {
            id,
            iri,
            label,
            direct,
        });
    }
    Ok(out)
}
