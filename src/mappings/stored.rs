//! Mapping sets in the registry: written through the normal import path (one transaction,
//! versions, change log, projections) and read back from the store of record.

use super::{rdf, MappingError, MappingSet};
use crate::app::App;
use crate::auth::audit;
use crate::ids::OrgNr;
use crate::registry::{Actor, ImportReport, ImportRequest};
use crate::store::{self, resource};
use semreg_importers::Format;

/// The kind name of mapping sets.
pub const MAPPING_KIND: &str = "mapping";

/// Stores a set (new, or a new version when its content changed) as the actor's.
pub async fn save(
    app: &App,
    set: &MappingSet,
    actor: Actor,
    publisher: Option<OrgNr>,
    who: audit::Actor,
) -> Result<ImportReport, MappingError> {
    let triples = rdf::to_triples(set)?;
    let audit = audit::Context::new(who, audit::Action::MAPPING);
    save_triples(app, &triples, actor, publisher, "mapping-set.nt", audit).await
}

/// Stores RDF triples through the registry's import path as one N-Triples file, recorded in
/// the audit trail as `audit` says.
pub async fn save_triples(
    app: &App,
    triples: &[oxrdf::Triple],
    actor: Actor,
    publisher: Option<OrgNr>,
    file_name: &str,
    audit: audit::Context,
) -> Result<ImportReport, MappingError> {
    let report = app
        .import(ImportRequest {
            file_name: Some(file_name.to_owned()),
            format: Some(Format::NTriples),
            bytes: rdf::ntriples(triples).into_bytes(),
            publisher,
            actor,
            params: Default::default(),
            status: crate::registry::WriteStatus::Valid,
            caps: app.config.import_caps(),
            audit,
        })
        .await?;
    Ok(report)
}

/// The current version of a resource by id or alias, with its N-Triples; `None` for a draft
/// (see [`store::find_public_resource`]).
pub async fn load_current(
    app: &App,
    id_or_alias: &str,
) -> Result<Option<(resource::Model, String)>, MappingError> {
    let Some(row) = store::find_public_resource(&app.db, id_or_alias).await? else {
        return Ok(None);
    };
    let Some(version) = store::get_version(&app.db, &row.id, row.current_version).await? else {
        return Ok(None);
    };
    Ok(Some((row, version.ntriples)))
}

/// A stored mapping set by id, alias or IRI.
pub async fn load(
    app: &App,
    id_or_alias: &str,
) -> Result<(resource::Model, MappingSet), MappingError> {
    let key = if id_or_alias.contains(':') {
        crate::ids::resource_id_for_iri(id_or_alias)
    } else {
        id_or_alias.to_owned()
    };
    let (row, ntriples) = load_current(app, &key)
        .await?
        .ok_or_else(|| MappingError::NotFound(id_or_alias.to_owned()))?;
    if row.kind != MAPPING_KIND {
        return Err(MappingError::NotAMappingSet(id_or_alias.to_owned()));
    }
    let set = rdf::from_ntriples(&row.iri, &ntriples)?;
    Ok((row, set))
}

/// A stored mapping set as a composer offers it: one that fills a given target.
#[derive(Debug, Clone, PartialEq)]
pub struct SetInto {
    /// Registry id.
    pub id: String,
    /// The set's IRI.
    pub iri: String,
    /// Its alias, if it has one.
    pub alias: Option<String>,
    /// Its title, if it has one.
    pub title: Option<String>,
    /// The source API (or type) it maps from.
    pub subject_source: Option<String>,
}

/// The stored mapping sets whose `object_source` is `target` (e.g. the sets from source APIs
/// to a type), by title, from the RDF store.
pub async fn sets_into(app: &App, target: &str) -> Result<Vec<SetInto>, String> {
    let node = oxrdf::NamedNode::new(target).map_err(|e| e.to_string())?;
    let sssom = "https://w3id.org/sssom/";
    let query = format!(
        "SELECT ?set ?title ?alias ?from WHERE {{ GRAPH ?g {{ \
           ?set a <{sssom}MappingSet> ; <{sssom}object_source> {node} . \
           OPTIONAL {{ ?set <http://purl.org/dc/terms/title> ?title }} \
           OPTIONAL {{ ?set <https://w3id.org/semreg/ns#alias> ?alias }} \
           OPTIONAL {{ ?set <{sssom}subject_source> ?from }} }} }} LIMIT 200"
    );
    use oxrdf::Term;
    let solutions = app.projections.select(query).await?;
    let text = |term: Option<&Term>| match term {
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        _ => None,
    };
    let mut out: Vec<SetInto> = Vec::new();
    for solution in solutions {
        let Some(Term::NamedNode(set)) = solution.get("set") else {
            continue;
        };
        if out.iter().any(|s| s.iri == set.as_str()) {
            continue;
        }
        out.push(SetInto {
            id: crate::ids::resource_id_for_iri(set.as_str()),
            iri: set.as_str().to_owned(),
            alias: text(solution.get("alias")),
            title: text(solution.get("title")),
            subject_source: text(solution.get("from")),
        });
    }
    out.sort_by(|a, b| (&a.title, &a.iri).cmp(&(&b.title, &b.iri)));
    Ok(out)
}
