//! Snapshots (insta) of every export format for two real SERES files: a small message model
//! (attributes with fixed values, a code list, nested types) and Altinn Studio's fixture of
//! simple-type restrictions (lengths, patterns, bounds, digits, enumerations). The model is
//! built from the importer's output as the registry stores it, without a base URL, so the
//! snapshots do not depend on a port.

mod common;

use common::shared_data;
use semreg::types::model::{build, Subject};
use semreg::types::{csharp, graph, json_schema, typescript, xsd, ExportOptions, Loaded};
use semreg_importers::{import, Format, ImportOptions, ResourceKind};

fn loaded(relative: &str) -> Loaded {
    let bytes = std::fs::read(shared_data(relative)).expect("shared data");
    let batch = import(Format::Seres, &bytes, &ImportOptions::default()).expect("imports");
    let model = batch
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Model)
        .expect("a model");
    let iri = model.iri.as_str().to_owned();
    let graph = graph::Graph::from_imported(&batch.resources);
    Loaded {
        id: semreg::ids::resource_id_for_iri(&iri),
        kind: semreg::types::MODEL_KIND,
        model: build(&graph, &iri, Subject::Model, "nb"),
    }
}

fn snapshot_all(name: &str, relative: &str) {
    let loaded = loaded(relative);
    let options = ExportOptions::default();
    insta::assert_json_snapshot!(
        format!("{name}.schema.json"),
        json_schema::write(&loaded, &options)
    );
    insta::assert_snapshot!(format!("{name}.xsd"), xsd::write(&loaded.model, &options));
    insta::assert_snapshot!(format!("{name}.cs"), csharp::write(&loaded.model, &options));
    insta::assert_snapshot!(
        format!("{name}.ts"),
        typescript::write(&loaded.model, &options)
    );
}

#[test]
fn a_seres_message_model_exports_as_json_schema_xsd_csharp_and_typescript() {
    snapshot_all(
        "hvem_er_hvem",
        "seres/Kursdomene_HvemErHvem_M_2021-04-08_5742_34627_SERES.xsd",
    );
}

#[test]
fn simple_type_restrictions_export_as_keywords_facets_and_attributes() {
    snapshot_all(
        "simple_type_restrictions",
        "seres/synthetic_SeresSimpleTypeRestrictions.xsd",
    );
}
