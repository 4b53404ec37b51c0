//! Round trips of the exports against real data:
//!
//! - **Altinn Studio as the peer**: for every XSD of `../shared/data/seres/` with Altinn's own
//!   JSON Schema conversion, the model is imported through the API and semreg's JSON Schema
//!   export is compared with Altinn's file: the same property paths, required-ness, arrays, max
//!   lengths, patterns, enum values and fixed values, but for the deliberate differences listed
//!   (with reasons) in `importers/tests/support/peer_paths.rs` and [`EXPORT_DELIBERATE`].
//! - **XSD back through our importer**: every XSD of the shared data is imported, exported as
//!   XSD, and the export imported again; both imports must have the same paths and facts.

mod common;

#[path = "../importers/tests/support/peer_paths.rs"]
mod peer_paths;

use common::{spawn_app, Backend};
use peer_paths::{altinn_paths, data_dir, our_paths, peers, read_json, report, Deliberate, Graph};
use semreg::types::json_schema::anchored;
use semreg::types::model::{build, Subject};
use semreg::types::{graph, xsd, ExportOptions};
use semreg_importers::{import, Format, ImportOptions, ResourceKind};
use serde_json::Value;
use std::collections::BTreeSet;

const PUBLISHER: &str = "974760673";

/// A pattern as the comparison shows it (Rust's debug form of the string).
fn shown_pattern(shown: &str) -> Option<String> {
    serde_json::from_str(shown).ok()
}

/// Differences the export makes on purpose (beyond those of the importer).
const EXPORT_DELIBERATE: &[Deliberate] = &[Deliberate {
    file: "",
    field: "pattern",
    applies: |d| match (shown_pattern(&d.altinn), shown_pattern(&d.semreg)) {
        (Some(altinn), Some(semreg)) => anchored(&altinn) == semreg,
        _ => false,
    },
    reason: "an XSD pattern matches the whole value and a JSON Schema pattern any part of it: \
             semreg anchors the pattern (^(?:...)$), Altinn copies it as it is",
}];

/// The root element names of a JSON Schema export.
fn export_roots(schema: &Value) -> BTreeSet<String> {
    match schema.get("@xsdRootElement").and_then(Value::as_str) {
        Some(root) => BTreeSet::from([root.to_owned()]),
        None => schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
    }
}

async fn json_schema_exports_match_altinn_studios_conversion_but_for_deliberate_differences(
    backend: Backend,
) {
    let dir = data_dir();
    let pairs = peers(&dir);
    assert!(
        pairs.len() >= 10,
        "expected the Altinn peers, found {pairs:?}"
    );
    let mut total = 0;
    let mut unexplained = 0;
    for (xsd_file, json_file) in pairs {
        // A fresh registry per file: SERES types shared by guid differ between files, and the
        // newest import of a shared type would win.
        let Some(app) = spawn_app(backend, "types_altinn_round_trip").await else {
            return;
        };
        let token = app.token(PUBLISHER).await;
        let response = app
            .import(
                Some(&token),
                &format!("format=seres&publisher={PUBLISHER}&filename={xsd_file}"),
                std::fs::read(dir.join(&xsd_file)).expect("xsd"),
            )
            .await;
        assert_eq!(response.status(), 200, "{xsd_file}");
        let models = app.get_json("/api/v1/resources?kind=model").await;
        assert_eq!(models["total"], 1, "{xsd_file}: {models}");
        let id = models["items"][0]["id"].as_str().unwrap().to_owned();
        let export = app
            .get_json(&format!("/api/v1/models/{id}/json-schema"))
            .await;
        jsonschema::draft202012::meta::validate(&export)
            .unwrap_or_else(|e| panic!("{xsd_file}: not a 2020-12 schema: {e}"));
        let roots = export_roots(&export);
        let ours = altinn_paths(&export, &roots);
        assert!(!ours.is_empty(), "{xsd_file}: no paths in {export:#}");
        let theirs = altinn_paths(&read_json(&dir.join(&json_file)), &roots);
        let (differences, unexplained_here) =
            report(&xsd_file, &json_file, &ours, &theirs, EXPORT_DELIBERATE);
        total += differences;
        unexplained += unexplained_here;
        app.stop().await;
    }
    println!("\n{total} differences, {unexplained} unexplained");
    assert_eq!(
        unexplained, 0,
        "unexplained differences with Altinn's conversion (see the tables above)"
    );
}
both!(json_schema_exports_match_altinn_studios_conversion_but_for_deliberate_differences);

#[test]
fn every_seres_xsd_exported_as_xsd_imports_back_to_the_same_model() {
    let dir = data_dir();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("shared SERES data")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xsd"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let bytes = std::fs::read(dir.join(file)).expect("xsd");
        let first = import(Format::Seres, &bytes, &ImportOptions::default()).expect("imports");
        let model_iri = first
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::Model)
            .map(|r| r.iri.as_str().to_owned())
            .expect("a model");
        let graph = graph::Graph::from_imported(&first.resources);
        let model = build(&graph, &model_iri, Subject::Model, "nb");
        let exported = xsd::write(&model, &ExportOptions::default());
        assert!(
            !exported.contains("xsd:import")
                && !exported.contains("xsd:include")
                && !exported.contains("xsd:union"),
            "{file}: the export must be one file without unions"
        );
        let second = match import(
            Format::Seres,
            exported.as_bytes(),
            &ImportOptions::default(),
        ) {
            Ok(batch) => batch,
            Err(error) => {
                failures.push(format!("{file}: the exported XSD does not import: {error}"));
                continue;
            }
        };
        let before = our_paths(&Graph::new(
            first.resources.into_iter().flat_map(|r| r.triples),
        ));
        let after = our_paths(&Graph::new(
            second.resources.into_iter().flat_map(|r| r.triples),
        ));
        let differences = peer_paths::compare(&after, &before);
        println!(
            "{file}: {} paths, {} differences after the XSD round trip",
            before.len(),
            differences.len()
        );
        for d in differences.iter().take(5) {
            println!("  {} {}: {} -> {}", d.path, d.field, d.altinn, d.semreg);
        }
        if !differences.is_empty() || before.is_empty() {
            failures.push(format!(
                "{file}: {} differences of {} paths",
                differences.len(),
                before.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
