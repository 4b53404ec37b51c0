//! The SSB Klass importer against the real Klass files in `../shared/data/`.

#[path = "support/shared_data.rs"]
mod shared_data;
use std::path::PathBuf;

use proptest::prelude::*;
use semreg_importers::{import, Format, ImportBatch, ImportError, ImportOptions, ResourceKind};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

fn data(folder: &str, name: &str) -> PathBuf {
    shared_data::shared_data(folder).join(name)
}

fn options(name: &str) -> ImportOptions {
    ImportOptions {
        file_name: Some(name.to_owned()),
        ..Default::default()
    }
}

fn import_file(folder: &str, name: &str) -> ImportBatch {
    let bytes = std::fs::read(data(folder, name)).expect("readable");
    import(Format::Klass, &bytes, &options(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// How many codes (skos:Concept) the single code list of a batch has.
fn code_count(batch: &ImportBatch) -> usize {
    assert_eq!(batch.resources.len(), 1, "one code list");
    assert_eq!(batch.resources[0].kind, ResourceKind::CodeList);
    batch.resources[0]
        .triples
        .iter()
        .filter(|t| {
            t.predicate.as_str().ends_with("#type")
                && t.object.to_string() == format!("<{SKOS}Concept>")
        })
        .count()
}

fn count_predicate(batch: &ImportBatch, predicate: &str) -> usize {
    batch.resources[0]
        .triples
        .iter()
        .filter(|t| t.predicate.as_str() == predicate)
        .count()
}

/// Every Klass file: (folder, name, codes counted by hand with `python3 -c`).
const FILES: &[(&str, &str, usize)] = &[
    ("codelists", "ssb-klass-104-fylker-codesAt-2024.json", 16),
    ("codelists", "ssb-klass-131-kommuner-codesAt-2024.json", 358),
    ("altinn-options", "ssb-klass_counties.json", 12),
    ("altinn-options", "ssb-klass_countries.json", 252),
    ("altinn-options", "ssb-klass_maritalStatus.json", 9),
    ("altinn-options", "ssb-klass_municipalities.json", 357),
    ("altinn-options", "ssb-klass_sex.json", 2),
    ("altinn-options", "ssb-klass_smallGame_Variant.json", 11),
    ("altinn-options", "ssb-klass_units.json", 7),
];

#[test]
fn every_klass_file_imports_all_its_codes() {
    for &(folder, name, hand_count) in FILES {
        let bytes = std::fs::read(data(folder, name)).expect("readable");
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        let in_file = json["codes"].as_array().expect("codes").len();
        assert_eq!(in_file, hand_count, "{name}: hand count");
        let batch = import_file(folder, name);
        assert_eq!(code_count(&batch), in_file, "{name}");
        let named = json["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .filter(|c| c["name"].as_str().is_some_and(|n| !n.is_empty()))
            .count();
        assert_eq!(
            count_predicate(&batch, &format!("{SKOS}prefLabel")),
            named,
            "{name}: labels"
        );
        let parents = json["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .filter(|c| c["parentCode"].as_str().is_some_and(|p| !p.is_empty()))
            .count();
        assert_eq!(
            count_predicate(&batch, &format!("{SKOS}broader")),
            parents,
            "{name}: parents"
        );
    }
}

#[test]
fn municipalities_131_get_the_klass_iri_alias_and_nb_labels() {
    let batch = import_file("codelists", "ssb-klass-131-kommuner-codesAt-2024.json");
    let list = &batch.resources[0];
    assert_eq!(
        list.iri.as_str(),
        "https://data.ssb.no/api/klass/v1/classifications/131"
    );
    let nt: Vec<String> = list.triples.iter().map(ToString::to_string).collect();
    assert!(nt
        .iter()
        .any(|t| t.contains("<https://w3id.org/semreg/ns#alias> \"ssb-klass-131\"")));
    assert!(nt.iter().any(|t| t.starts_with("<https://data.ssb.no/api/klass/v1/classifications/131/code/0301> <http://www.w3.org/2004/02/skos/core#prefLabel> \"Oslo\"@nb")));
    assert!(nt.iter().any(|t| t.contains("/code/0301> <https://w3id.org/semreg/ns#level> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer>")));
    // Notes (merger history) are the description.
    assert_eq!(count_predicate(&batch, &format!("{SKOS}definition")), 34);
}

#[test]
fn units_keep_their_hierarchy_and_warn_about_parents_outside_the_file() {
    let batch = import_file("altinn-options", "ssb-klass_units.json");
    assert_eq!(count_predicate(&batch, &format!("{SKOS}broader")), 7);
    assert_eq!(count_predicate(&batch, &format!("{SKOS}topConceptOf")), 0);
    assert!(batch
        .warnings
        .iter()
        .any(|w| w.message.contains("parent codes are not in the file")));
}

#[test]
fn without_an_id_the_list_iri_is_a_content_hash_and_params_override() {
    let batch = import_file("altinn-options", "ssb-klass_counties.json");
    assert!(batch.resources[0]
        .iri
        .as_str()
        .starts_with("urn:semreg:klass:"));
    let bytes = std::fs::read(data("altinn-options", "ssb-klass_sex.json")).expect("readable");
    let mut options = options("sex.json");
    options.params.insert("id".into(), "2".into());
    options.params.insert("lang".into(), "en".into());
    let batch = import(Format::Klass, &bytes, &options).expect("imports");
    assert_eq!(
        batch.resources[0].iri.as_str(),
        "https://data.ssb.no/api/klass/v1/classifications/2"
    );
    assert!(batch.resources[0]
        .triples
        .iter()
        .any(|t| t.object.to_string().ends_with("@en")));
    options
        .params
        .insert("iri".into(), "https://example.org/kjonn".into());
    let batch = import(Format::Klass, &bytes, &options).expect("imports");
    assert_eq!(batch.resources[0].iri.as_str(), "https://example.org/kjonn");
}

#[test]
fn validity_dates_are_kept_and_bad_dates_are_warnings() {
    let bytes = br#"{"codes":[
        {"code":"1","parentCode":null,"level":"1","name":"A","validFrom":"2020-01-01","validTo":"2024-01-01"},
        {"code":"11","parentCode":"1","level":"2","name":"A1","validFrom":"2020-02-30x","validTo":null}]}"#;
    let batch = import(Format::Klass, bytes, &ImportOptions::default()).expect("imports");
    assert_eq!(code_count(&batch), 2);
    assert_eq!(
        count_predicate(
            &batch,
            "http://publications.europa.eu/ontology/euvoc#startDate"
        ),
        1
    );
    assert_eq!(
        count_predicate(
            &batch,
            "http://publications.europa.eu/ontology/euvoc#endDate"
        ),
        1
    );
    assert_eq!(batch.warnings.len(), 1);
    assert_eq!(
        batch.warnings[0].location.as_deref(),
        Some("$.codes[1].validFrom")
    );
}

fn invalid(bytes: &[u8]) -> (String, String) {
    match import(Format::Klass, bytes, &ImportOptions::default()) {
        Err(ImportError::Invalid { location, message }) => (location, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn malformed_input_is_invalid_with_its_position() {
    let (location, message) = invalid(b"{\"codes\":[{\"code\":\"0\xff\"}]}");
    assert_eq!(location, "line 1, column 21");
    assert!(message.contains("UTF-8"), "{message}");
    let (location, _) = invalid(b"{\"codes\": [\n  {\"code\": \"01\",\n}");
    assert!(location.starts_with("line 3"), "{location}");
    assert_eq!(invalid(br#"{"codes": {"code": "01"}}"#).0, "$.codes");
    assert_eq!(invalid(br#"[{"code": "01"}]"#).0, "$");
    let (location, message) =
        invalid(br#"{"codes": [{"code": "01", "name": "A"}, {"name": "B"}]}"#);
    assert_eq!(location, "$.codes[1].code");
    assert!(message.contains("expected a code"), "{message}");
    assert_eq!(
        invalid(br#"{"codes": [{"code": "01", "name": ["A"]}]}"#).0,
        "$.codes[0].name"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = import(Format::Klass, &bytes, &ImportOptions::default());
    }

    #[test]
    fn mutated_real_files_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = std::fs::read(data("codelists", "ssb-klass-104-fylker-codesAt-2024.json")).expect("readable");
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = import(Format::Klass, &bytes, &options("ssb-klass-104.json"));
    }
}
