//! The DCAT-AP-NO catalog semreg serves (`GET /api/v1/catalog`, and per publisher), so FDK —
//! or another semreg — can harvest it: every active resource's own graph (concept collections
//! with their concepts, code lists, types, information models), and per publisher that has
//! information models a `dcat:Catalog` linking them by both `dct:hasPart` (the spec's link)
//! and `modelldcatno:model` (what FDK's harvester follows), with a `dcat:CatalogRecord` per
//! resource (`dct:identifier` = the FDK-compatible id, `foaf:primaryTopic`, `dct:issued`,
//! `dct:modified`, `dct:isPartOf`). Nodes semreg makes carry [`RECORD_MARK`] or
//! [`CATALOG_MARK`] in their IRIs so a harvesting semreg can tell them from the resources.

use super::harvest::RECORD_MARK;
use super::SyncError;
use crate::ids::OrgNr;
use crate::registry::RETIRED;
use crate::store::{self, publisher, resource};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The fragment of the catalogs semreg makes.
pub const CATALOG_MARK: &str = "#semreg-catalog";

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const DCT: &str = "http://purl.org/dc/terms/";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const MODELLDCATNO: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const XSD_DATETIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";
/// Where FDK (and Norway's registers) name an organisation by its number.
const BRREG: &str = "https://data.brreg.no/enhetsregisteret/api/enheter/";

/// The catalog as N-Triples with the ETag that identifies its state.
#[derive(Debug, Clone)]
pub struct CatalogDocument {
    /// N-Triples (resource graphs are canonical; the catalog's own lines follow).
    pub ntriples: String,
    /// Resources in it.
    pub resources: usize,
}

struct Lines(String);

impl Lines {
    fn push(&mut self, subject: &str, predicate: &str, object: oxrdf::Term) {
        let triple = oxrdf::Triple::new(
            oxrdf::NamedNode::new_unchecked(subject),
            oxrdf::NamedNode::new_unchecked(predicate),
            object,
        );
        let _ = writeln!(self.0, "{triple} .");
    }
    fn iri(&mut self, s: &str, p: &str, o: &str) {
        self.push(s, p, oxrdf::NamedNode::new_unchecked(o).into());
    }
    fn text(&mut self, s: &str, p: &str, value: &str, lang: Option<&str>) {
        let literal = match lang {
            Some(lang) => oxrdf::Literal::new_language_tagged_literal_unchecked(value, lang),
            None => oxrdf::Literal::new_simple_literal(value),
        };
        self.push(s, p, literal.into());
    }
    fn typed(&mut self, s: &str, p: &str, value: &str, datatype: &str) {
        let literal =
            oxrdf::Literal::new_typed_literal(value, oxrdf::NamedNode::new_unchecked(datatype));
        self.push(s, p, literal.into());
    }
}

/// The IRI of a publisher's catalog on an instance at `base` (e.g. `http://host:8080`).
pub fn catalog_iri(base: &str, publisher: &str) -> String {
    format!(
        "{}/api/v1/publishers/{publisher}/catalog{CATALOG_MARK}",
        base.trim_end_matches('/')
    )
}

/// The IRI of semreg's record of a resource.
pub fn record_iri(base: &str, id: &str) -> String {
    format!(
        "{}/api/v1/resources/{id}{RECORD_MARK}",
        base.trim_end_matches('/')
    )
}

/// The catalog of one publisher, or of all (`None`). Retired resources are left out.
pub async fn build(
    db: &impl ConnectionTrait,
    base: &str,
    only: Option<&OrgNr>,
) -> Result<CatalogDocument, SyncError> {
    build_with(db, base, only, true).await
}

/// The quality report of a publisher's active resources (cached per catalog ETag).
pub async fn quality(
    app: &crate::app::App,
    org: &OrgNr,
) -> Result<std::sync::Arc<crate::quality::QualityReport>, SyncError> {
    let revision = publisher::Entity::find_by_id(org.as_str().to_owned())
        .one(&app.db)
        .await?
        .map_or(0, |p| p.revision);
    let etag = crate::registry::catalog_etag(org.as_str(), revision);
    let resources = resource::Entity::find()
        .filter(resource::Column::Publisher.eq(org.as_str()))
        .filter(resource::Column::Status.ne(RETIRED))
        .count(&app.db)
        .await? as usize;
    app.quality
        .report(org.as_str(), &etag, resources, || async {
            Ok::<_, SyncError>(build_with(&app.db, "", Some(org), false).await?.ntriples)
        })
        .await
}

/// The quality line of a write's report: `None` when no shapes are configured (or the report
/// failed, which is logged: a report never fails a write).
pub async fn quality_summary(
    app: &crate::app::App,
    org: &OrgNr,
) -> Option<crate::quality::QualitySummary> {
    if !app.quality.enabled() {
        return None;
    }
    match quality(app, org).await {
        Ok(report) => Some(crate::quality::QualitySummary {
            violations: report.violations,
            warnings: report.warnings,
            report: format!("/api/v1/publishers/{org}/quality"),
        }),
        Err(error) => {
            tracing::warn!(%error, publisher = %org, "cannot make the quality report");
            None
        }
    }
}

/// The resources' graphs, and with `catalog` semreg's catalog and records around them.
async fn build_with(
    db: &impl ConnectionTrait,
    base: &str,
    only: Option<&OrgNr>,
    with_catalog: bool,
) -> Result<CatalogDocument, SyncError> {
    let mut query = resource::Entity::find().filter(resource::Column::Status.ne(RETIRED));
    if let Some(org) = only {
        query = query.filter(resource::Column::Publisher.eq(org.as_str()));
    }
    let rows = query.order_by_asc(resource::Column::Iri).all(db).await?;
    let mut by_publisher: BTreeMap<Option<String>, Vec<resource::Model>> = BTreeMap::new();
    for row in rows {
        by_publisher
            .entry(row.publisher.clone())
            .or_default()
            .push(row);
    }
    let names: BTreeMap<String, Option<String>> = publisher::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.org_nr, p.name))
        .collect();
    let mut out = Lines(String::new());
    let mut count = 0;
    for (org, rows) in by_publisher {
        for chunk in rows.chunks(500) {
            let wanted: Vec<(String, i32)> = chunk
                .iter()
                .map(|r| (r.id.clone(), r.current_version))
                .collect();
            let graphs = store::ntriples_of_versions(db, &wanted).await?;
            for row in chunk {
                if let Some(graph) = graphs.get(&row.id) {
                    out.0.push_str(graph);
                    if !graph.ends_with('\n') && !graph.is_empty() {
                        out.0.push('\n');
                    }
                }
            }
        }
        count += rows.len();
        let Some(org) = org.filter(|_| with_catalog) else {
            continue;
        };
        let models: Vec<&resource::Model> = rows
            .iter()
            .filter(|r| r.kind == "model" || r.kind == "service-model")
            .collect();
        // ModellDCAT-AP-NO requires a model catalog to hold at least one information model:
        // a publisher with none gets records without a catalog.
        let catalog = rows
            .iter()
            .any(|r| r.kind == "model")
            .then(|| catalog_iri(base, &org));
        if let Some(catalog) = &catalog {
            let name = names
                .get(&org)
                .cloned()
                .flatten()
                .unwrap_or_else(|| format!("Organisasjon {org}"));
            let agent = format!("{BRREG}{org}");
            let contact = format!("{catalog}-contact");
            out.iri(catalog, RDF_TYPE, &format!("{DCAT}Catalog"));
            out.text(
                catalog,
                &format!("{DCT}title"),
                &format!("Modellkatalog for {name}"),
                Some("nb"),
            );
            out.text(
                catalog,
                &format!("{DCT}title"),
                &format!("Model catalog of {name}"),
                Some("en"),
            );
            out.text(
                catalog,
                &format!("{DCT}description"),
                &format!("Informasjonsmodeller fra {name}, slik semreg holder dem."),
                Some("nb"),
            );
            out.text(catalog, &format!("{DCT}identifier"), catalog, None);
            out.iri(catalog, &format!("{DCT}publisher"), &agent);
            out.iri(&agent, RDF_TYPE, &format!("{FOAF}Agent"));
            out.text(&agent, &format!("{FOAF}name"), &name, None);
            out.text(&agent, &format!("{DCT}identifier"), &org, None);
            out.iri(catalog, &format!("{DCAT}contactPoint"), &contact);
            out.iri(&contact, RDF_TYPE, &format!("{VCARD}Organization"));
            out.text(&contact, &format!("{VCARD}fn"), &name, None);
            for model in &models {
                out.iri(catalog, &format!("{DCT}hasPart"), &model.iri);
                if model.kind == "model" {
                    out.iri(catalog, &format!("{MODELLDCATNO}model"), &model.iri);
                }
            }
        }
        for row in &rows {
            let record = record_iri(base, &row.id);
            out.iri(&record, RDF_TYPE, &format!("{DCAT}CatalogRecord"));
            out.text(&record, &format!("{DCT}identifier"), &row.id, None);
            out.iri(&record, &format!("{FOAF}primaryTopic"), &row.iri);
            out.typed(
                &record,
                &format!("{DCT}issued"),
                &row.created_at.to_rfc3339(),
                XSD_DATETIME,
            );
            out.typed(
                &record,
                &format!("{DCT}modified"),
                &row.updated_at.to_rfc3339(),
                XSD_DATETIME,
            );
            if let Some(catalog) = &catalog {
                out.iri(&record, &format!("{DCT}isPartOf"), catalog);
                out.iri(catalog, &format!("{DCAT}record"), &record);
            }
        }
    }
    Ok(CatalogDocument {
        ntriples: out.0,
        resources: count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_lines_are_ntriples_with_escaped_literals() {
        let mut lines = Lines(String::new());
        lines.text(
            "http://x/c",
            "http://purl.org/dc/terms/title",
            "a \"b\"\n",
            Some("nb"),
        );
        assert_eq!(
            lines.0,
            "<http://x/c> <http://purl.org/dc/terms/title> \"a \\\"b\\\"\\n\"@nb .\n"
        );
    }
}
