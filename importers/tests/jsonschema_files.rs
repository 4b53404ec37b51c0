//! The JSON Schema importer against the real schemas in `../shared/data/` (Apicurio's draft-07
//! examples, Altinn Studio's content-library schema and the Altinn `*.schema.json` data models).
//!
//! `cargo test -p semreg-importers --test jsonschema_files -- --nocapture` prints, per file, the
//! resources by kind and the warnings.

#[path = "support/shared_data.rs"]
mod shared_data;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use semreg_importers::{import, Format, ImportBatch, ImportError, ImportOptions, ResourceKind};

const M: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

fn data_dir(folder: &str) -> PathBuf {
    shared_data::shared_data(folder)
}

fn options(name: &str) -> ImportOptions {
    ImportOptions {
        file_name: Some(name.to_owned()),
        ..Default::default()
    }
}

/// Every JSON Schema file of the shared data.
fn schema_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in ["codelists", "altinn-options", "seres"] {
        for entry in std::fs::read_dir(data_dir(folder)).expect("readable folder") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if name.ends_with(".schema.json")
                || name.contains("jsonschema")
                || name.contains("codelist.schema")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn import_path(path: &Path) -> ImportBatch {
    let bytes = std::fs::read(path).expect("readable");
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    import(Format::JsonSchema, &bytes, &options(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn kinds(batch: &ImportBatch) -> BTreeMap<ResourceKind, usize> {
    let mut kinds = BTreeMap::new();
    for resource in &batch.resources {
        *kinds.entry(resource.kind).or_default() += 1;
    }
    kinds
}

fn resource<'b>(batch: &'b ImportBatch, iri: &str) -> &'b semreg_importers::ImportedResource {
    batch
        .resources
        .iter()
        .find(|r| r.iri.as_str() == iri)
        .unwrap_or_else(|| panic!("no {iri}"))
}

fn nt(resource: &semreg_importers::ImportedResource) -> Vec<String> {
    resource.triples.iter().map(ToString::to_string).collect()
}

#[test]
fn every_schema_file_imports_as_one_model_with_its_types() {
    let files = schema_files();
    assert_eq!(files.len(), 16, "{files:?}");
    for path in files {
        let batch = import_path(&path);
        let kinds = kinds(&batch);
        println!(
            "{}: {kinds:?}",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
        );
        for warning in &batch.warnings {
            println!("  {:?}: {}", warning.location, warning.message);
        }
        assert_eq!(
            kinds.get(&ResourceKind::Model),
            Some(&1),
            "{}",
            path.display()
        );
        assert!(
            kinds.get(&ResourceKind::Type).copied().unwrap_or(0) >= 1,
            "{}",
            path.display()
        );
        // Every named definition is a type or a code list of the model.
        let json: serde_json::Value = serde_json::from_str(
            std::fs::read_to_string(&path)
                .expect("text")
                .trim_start_matches('\u{feff}'),
        )
        .expect("JSON");
        let definitions = ["$defs", "definitions"]
            .iter()
            .filter_map(|k| json[k].as_object())
            .map(|d| d.len())
            .sum::<usize>();
        let model = batch
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::Model)
            .expect("model");
        let elements = model
            .triples
            .iter()
            .filter(|t| t.predicate.as_str() == format!("{M}containsModelElement"))
            .count();
        assert!(
            elements >= definitions,
            "{}: {elements} elements, {definitions} definitions",
            path.display()
        );
    }
}

fn property(resource: &semreg_importers::ImportedResource, title: &str) -> Vec<String> {
    let node = resource
        .triples
        .iter()
        .find(|t| {
            t.predicate.as_str() == "http://purl.org/dc/terms/title"
                && t.object.to_string() == format!("\"{title}\"")
        })
        .map(|t| t.subject.clone())
        .unwrap_or_else(|| panic!("no property {title}"));
    resource
        .triples
        .iter()
        .filter(|t| t.subject == node)
        .map(|t| {
            format!(
                "{} {}",
                t.predicate
                    .as_str()
                    .rsplit(['#', '/'])
                    .next()
                    .unwrap_or_default(),
                t.object
            )
        })
        .collect()
}

#[test]
fn apicurio_citizen_has_its_properties_with_multiplicities_and_external_types() {
    let batch =
        import_path(&data_dir("codelists").join("apicurio-jsonschema-citizen-with-ref.json"));
    let model = resource(&batch, "https://example.com/citizen.json");
    assert_eq!(model.kind, ResourceKind::Model);
    let citizen = resource(&batch, "https://example.com/citizen.json#root");
    assert_eq!(citizen.kind, ResourceKind::Type);
    assert_eq!(citizen.labels.get("").map(String::as_str), Some("Citizen"));
    let properties = citizen
        .triples
        .iter()
        .filter(|t| t.predicate.as_str() == format!("{M}hasProperty"))
        .count();
    assert_eq!(properties, 6);
    let city = property(citizen, "city");
    assert!(city.contains(&format!("type <{M}Role>")), "{city:?}");
    assert!(
        city.contains(&format!("minOccurs \"1\"^^<{XSD}nonNegativeInteger>")),
        "{city:?}"
    );
    assert!(
        city.contains(&"hasObjectType <https://example.com/types/city/city.json>".to_owned()),
        "{city:?}"
    );
    let qualifications = property(citizen, "qualifications");
    assert!(
        qualifications.contains(&"maxOccurs \"*\"".to_owned()),
        "{qualifications:?}"
    );
    assert!(qualifications.contains(&format!("minOccurs \"0\"^^<{XSD}nonNegativeInteger>")));
    let age = property(citizen, "age");
    assert!(age.contains(&format!("type <{M}Attribute>")));
    let text = nt(citizen).join("\n");
    assert!(
        text.contains(&format!("<{XSD}minInclusive> \"0\"^^<{XSD}decimal>")),
        "{text}"
    );
    assert!(text.contains(&format!(
        "<{M}typeDefinitionReference> \"{XSD}integer\"^^<{XSD}anyURI>"
    )));
    assert_eq!(
        batch
            .warnings
            .iter()
            .filter(|w| w.message.contains("external schema"))
            .count(),
        3
    );
}

#[test]
fn altinn_restrictions_give_simple_types_code_lists_and_specializations() {
    let batch =
        import_path(&data_dir("seres").join("synthetic_SeresSimpleContentRestriction.schema.json"));
    let gender = batch
        .resources
        .iter()
        .find(|r| r.iri.as_str().ends_with("#/$defs/limitedGenderType"))
        .expect("limitedGenderType");
    assert_eq!(gender.kind, ResourceKind::CodeList);
    let codes = gender
        .triples
        .iter()
        .filter(|t| t.predicate.as_str().ends_with("core#notation"))
        .count();
    assert_eq!(codes, 3);
    let person = batch
        .resources
        .iter()
        .find(|r| r.iri.as_str().ends_with("#/$defs/limitedPerson"))
        .expect("limitedPerson");
    let text = nt(person).join("\n");
    assert!(text.contains(&format!("<{M}hasGeneralConcept>")), "{text}");
    let batch = import_path(&data_dir("seres").join(
        "Bronnoysundregistrene_ReelleRettighetshavere_M_2021-04-13_6900_46449_SERES.schema.json",
    ));
    let number = batch
        .resources
        .iter()
        .find(|r| {
            r.iri
                .as_str()
                .ends_with("#/definitions/Organisasjonsnummer")
        })
        .expect("the Organisasjonsnummer alias is a type of its own");
    assert_eq!(number.kind, ResourceKind::Type);
    assert!(nt(number).join("\n").contains(&format!("<{M}SimpleType>")));
}

#[test]
fn params_set_the_model_iri_and_relative_ids_give_a_hash_iri() {
    let bytes = std::fs::read(data_dir("seres").join("synthetic_SeresArray.schema.json"))
        .expect("readable");
    let batch = import(Format::JsonSchema, &bytes, &ImportOptions::default()).expect("imports");
    assert!(batch
        .resources
        .iter()
        .any(|r| r.kind == ResourceKind::Model
            && r.iri.as_str().starts_with("urn:semreg:jsonschema:")));
    let mut options = options("array.schema.json");
    options
        .params
        .insert("iri".into(), "https://example.org/models/array".into());
    let batch = import(Format::JsonSchema, &bytes, &options).expect("imports");
    assert!(batch
        .resources
        .iter()
        .any(|r| r.iri.as_str() == "https://example.org/models/array#/$defs/main"));
}

fn invalid(bytes: &[u8]) -> (String, String) {
    match import(Format::JsonSchema, bytes, &ImportOptions::default()) {
        Err(ImportError::Invalid { location, message }) => (location, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn malformed_input_is_invalid_with_its_position() {
    let (location, message) = invalid(b"{\"type\": \"object\",\n\"title\": \"\xff\"}");
    assert_eq!(location, "line 2, column 11");
    assert!(message.contains("UTF-8"));
    assert!(invalid(b"{\"type\": \"object\",, }")
        .0
        .starts_with("line 1"));
    let (location, message) = invalid(b"[{\"type\": \"object\"}]");
    assert_eq!(location, "$");
    assert!(
        message.contains("expected a JSON Schema object"),
        "{message}"
    );
    assert_eq!(invalid(br#"{"$id": 5, "type": "object"}"#).0, "$.$id");
}

#[test]
fn cyclic_and_dangling_references_are_warnings_not_failures() {
    let bytes = br##"{"$defs": {
        "A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"},
        "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}, "gone": {"$ref": "#/$defs/Gone"}}}}}"##;
    let batch = import(Format::JsonSchema, bytes, &ImportOptions::default()).expect("imports");
    assert!(batch
        .warnings
        .iter()
        .any(|w| w.message.contains("refers to itself")));
    assert!(batch
        .warnings
        .iter()
        .any(|w| w.location.as_deref() == Some("#/$defs/Gone")));
    let node = batch
        .resources
        .iter()
        .find(|r| r.iri.as_str().ends_with("#/$defs/Node"))
        .expect("Node");
    assert!(nt(node)
        .join("\n")
        .contains("/$defs/Node> <https://data.norge.no/vocabulary/modelldcatno#hasProperty>"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = import(Format::JsonSchema, &bytes, &ImportOptions::default());
    }

    #[test]
    fn mutated_real_files_never_panic(
        which in 0..4usize,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
    ) {
        let path = match which {
            0 => data_dir("codelists").join("apicurio-jsonschema-citizen-with-ref.json"),
            1 => data_dir("seres").join("synthetic_SeresSimpleContentRestriction.schema.json"),
            2 => data_dir("seres").join("synthetic_SeresNillable.schema.json"),
            _ => data_dir("seres").join("ttd-datamodels_41111.schema.json"),
        };
        let mut bytes = std::fs::read(path).expect("readable");
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = import(Format::JsonSchema, &bytes, &ImportOptions::default());
    }
}

#[test]
#[ignore = "prints a file's resources for inspection"]
fn print_one() {
    let name = std::env::var("SCHEMA")
        .unwrap_or_else(|_| "synthetic_SeresSimpleTypeRestrictions.schema.json".into());
    let folder = if name.starts_with("apicurio") {
        "codelists"
    } else {
        "seres"
    };
    let batch = import_path(&data_dir(folder).join(&name));
    for resource in &batch.resources {
        println!(
            "== {} {:?} {:?}",
            resource.iri, resource.kind, resource.labels
        );
        for triple in nt(resource) {
            println!("   {triple}");
        }
    }
}
