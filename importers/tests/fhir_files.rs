//! The FHIR CodeSystem / ValueSet importer against the real HL7 files in `../shared/data/`.

#[path = "support/shared_data.rs"]
mod shared_data;
use std::path::PathBuf;

use proptest::prelude::*;
use semreg_importers::{import, Format, ImportBatch, ImportError, ImportOptions, ResourceKind};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const CODE_SYSTEM: &str = "fhir-CodeSystem-device-status-reason.json";
const VALUE_SET: &str = "fhir-ValueSet-device-status-reason.json";

fn data(name: &str) -> PathBuf {
    shared_data::shared_data("codelists").join(name)
}

fn import_file(name: &str) -> ImportBatch {
    let bytes = std::fs::read(data(name)).expect("readable");
    import(Format::Fhir, &bytes, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn count(batch: &ImportBatch, predicate: &str) -> usize {
    assert_eq!(batch.resources.len(), 1, "one code list");
    assert_eq!(batch.resources[0].kind, ResourceKind::CodeList);
    batch.resources[0]
        .triples
        .iter()
        .filter(|t| t.predicate.as_str() == predicate)
        .count()
}

fn concepts_in(value: &serde_json::Value) -> usize {
    value.as_array().map_or(0, |items| {
        items.iter().map(|c| 1 + concepts_in(&c["concept"])).sum()
    })
}

#[test]
fn the_code_system_imports_every_concept_under_its_url() {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data(CODE_SYSTEM)).expect("readable")).expect("JSON");
    let in_file = concepts_in(&json["concept"]);
    assert_eq!(in_file, 8, "hand count");
    let batch = import_file(CODE_SYSTEM);
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert_eq!(count(&batch, &format!("{SKOS}notation")), in_file);
    assert_eq!(count(&batch, &format!("{SKOS}definition")), in_file);
    let list = &batch.resources[0];
    assert_eq!(
        list.iri.as_str(),
        "http://terminology.hl7.org/CodeSystem/device-status-reason"
    );
    assert_eq!(
        list.labels.get("en").map(String::as_str),
        Some("FHIRDeviceStatusReason")
    );
    let nt: Vec<String> = list.triples.iter().map(ToString::to_string).collect();
    assert!(nt.iter().any(|t| t.contains("versionInfo> \"0.1.0\"")));
    assert!(nt.iter().any(|t| t.contains(
        "/code/not-ready> <http://www.w3.org/2004/02/skos/core#prefLabel> \"Not Ready\"@en"
    )));
}

#[test]
fn the_value_set_of_a_whole_system_imports_as_an_empty_list_with_a_warning() {
    let batch = import_file(VALUE_SET);
    assert_eq!(count(&batch, &format!("{SKOS}notation")), 0);
    assert_eq!(
        batch.resources[0].iri.as_str(),
        "http://terminology.hl7.org/ValueSet/device-status-reason"
    );
    assert_eq!(batch.warnings.len(), 1);
    assert!(batch.warnings[0]
        .message
        .contains("http://terminology.hl7.org/CodeSystem/device-status-reason"));
}

#[test]
fn value_sets_with_concepts_or_expansions_and_nested_designations_import() {
    let bytes = br#"{"resourceType": "ValueSet", "url": "http://e.org/vs", "language": "nb",
        "compose": {"include": [{"system": "http://e.org/cs", "concept": [
            {"code": "a", "display": "A", "designation": [{"language": "en", "value": "A (en)"}]},
            {"code": "b", "display": "B"}]}]}}"#;
    let batch = import(Format::Fhir, bytes, &ImportOptions::default()).expect("imports");
    assert_eq!(count(&batch, &format!("{SKOS}notation")), 2);
    assert_eq!(count(&batch, &format!("{SKOS}prefLabel")), 3);
    let expanded = br#"{"resourceType": "ValueSet", "url": "http://e.org/vs2", "expansion": {"contains": [
        {"system": "http://e.org/cs", "code": "x", "display": "X", "contains": [{"code": "x1", "display": "X1"}]}]}}"#;
    let batch = import(Format::Fhir, expanded, &ImportOptions::default()).expect("imports");
    assert_eq!(count(&batch, &format!("{SKOS}notation")), 2);
    assert_eq!(count(&batch, &format!("{SKOS}broader")), 1);
}

fn invalid(bytes: &[u8]) -> (String, String) {
    match import(Format::Fhir, bytes, &ImportOptions::default()) {
        Err(ImportError::Invalid { location, message }) => (location, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn malformed_input_is_invalid_with_its_position() {
    let (location, message) = invalid(b"{\"resourceType\": \"CodeSystem\",\n \"title\": \"\xe6\"}");
    assert_eq!(location, "line 2, column 12");
    assert!(message.contains("UTF-8"));
    let (location, message) = invalid(br#"{"resourceType": "Patient"}"#);
    assert_eq!(location, "$.resourceType");
    assert!(message.contains("CodeSystem"), "{message}");
    assert_eq!(
        invalid(br#"{"resourceType": "CodeSystem", "concept": {"code": "a"}}"#).0,
        "$.concept"
    );
    assert_eq!(invalid(br#"{"resourceType": "CodeSystem", "concept": [{"code": "a", "concept": [{"display": "x"}]}]}"#).0, "$.concept[0].concept[0].code");
    assert_eq!(invalid(b"[1, 2]").0, "$");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = import(Format::Fhir, &bytes, &ImportOptions::default());
    }

    #[test]
    fn mutated_real_files_never_panic(
        value_set in any::<bool>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = std::fs::read(data(if value_set { VALUE_SET } else { CODE_SYSTEM })).expect("readable");
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = import(Format::Fhir, &bytes, &ImportOptions::default());
    }
}
