//! The Altinn option-list importer against the real Altinn files in `../shared/data/`.

#[path = "support/shared_data.rs"]
mod shared_data;
use std::path::PathBuf;

use proptest::prelude::*;
use semreg_importers::{import, Format, ImportBatch, ImportError, ImportOptions, ResourceKind};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

fn data(name: &str) -> PathBuf {
    shared_data::shared_data("altinn-options").join(name)
}

fn options(name: &str) -> ImportOptions {
    ImportOptions {
        file_name: Some(name.to_owned()),
        ..Default::default()
    }
}

fn import_bytes(bytes: &[u8], name: &str) -> ImportBatch {
    import(Format::AltinnOptions, bytes, &options(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn import_file(name: &str) -> ImportBatch {
    import_bytes(&std::fs::read(data(name)).expect("readable"), name)
}

/// The codes of the single code list, in order: (notation as N-Triples, its triples as text).
fn notations(batch: &ImportBatch) -> Vec<String> {
    assert_eq!(batch.resources.len(), 1, "one code list");
    assert_eq!(batch.resources[0].kind, ResourceKind::CodeList);
    let triples = &batch.resources[0].triples;
    let mut codes: Vec<(i64, String)> = triples
        .iter()
        .filter(|t| t.predicate.as_str() == format!("{SKOS}notation"))
        .map(|t| {
            let order = triples
                .iter()
                .find(|o| {
                    o.subject == t.subject
                        && o.predicate.as_str() == "https://w3id.org/semreg/ns#order"
                })
                .and_then(|o| match &o.object {
                    oxrdf::Term::Literal(l) => l.value().parse().ok(),
                    _ => None,
                })
                .expect("order");
            (order, t.object.to_string())
        })
        .collect();
    codes.sort();
    codes.into_iter().map(|(_, n)| n).collect()
}

/// Every Altinn option file: (name, options counted by hand).
const FILES: &[(&str, usize)] = &[
    ("app-anonymous-stateless_epostOptions.json", 2),
    ("app-api-tests_fileSourceOptions.json", 5),
    ("app-component-library_persons.json", 5),
    ("app-component-library_personsNumber.json", 5),
    ("app-component-library_reasons.json", 9),
    ("app-expression-validation_cert.json", 2),
    ("app-frontend-test_colors.json", 10),
    ("app-frontend-test_foods.json", 10),
    ("app-frontend-test_likertOptions.json", 5),
    ("app-frontend-test_pet-sort-order.json", 6),
    ("org-content_codeListBoolean.json", 2),
    ("org-content_codeListNumber.json", 3),
    ("org-content_codeListString.json", 3),
    ("studio-content-library_countries_multilang.json", 3),
];

#[test]
fn every_altinn_option_file_imports_all_its_options_in_order() {
    for &(name, hand_count) in FILES {
        let bytes = std::fs::read(data(name)).expect("readable");
        let batch = import_bytes(&bytes, name);
        let codes = notations(&batch);
        assert_eq!(codes.len(), hand_count, "{name}");
        // Cross-check with the file itself where it is plain JSON.
        if let Ok(serde_json::Value::Array(items)) =
            serde_json::from_slice::<serde_json::Value>(&bytes)
        {
            assert_eq!(items.len(), codes.len(), "{name}");
            let first = &items[0]["value"];
            if let Some(text) = first.as_str() {
                assert_eq!(codes[0], format!("\"{text}\""), "{name}: first in order");
            }
        }
        assert_eq!(
            batch.resources[0].iri.as_str(),
            format!("urn:semreg:altinn:{}", name.trim_end_matches(".json")),
            "{name}"
        );
    }
}

#[test]
fn values_keep_their_json_types() {
    let codes = notations(&import_file("app-component-library_personsNumber.json"));
    assert_eq!(codes[0], format!("\"1\"^^<{XSD}integer>"));
    let codes = notations(&import_file("org-content_codeListNumber.json"));
    assert_eq!(
        codes,
        [
            format!("\"1.05\"^^<{XSD}decimal>"),
            format!("\"2.01\"^^<{XSD}decimal>"),
            format!("\"3.1\"^^<{XSD}decimal>")
        ]
    );
    let codes = notations(&import_file("org-content_codeListBoolean.json"));
    assert_eq!(
        codes,
        [
            format!("\"true\"^^<{XSD}boolean>"),
            format!("\"false\"^^<{XSD}boolean>")
        ]
    );
    // Comments, trailing commas, and null / string / number / boolean values in one file.
    let codes = notations(&import_file("app-api-tests_fileSourceOptions.json"));
    assert_eq!(
        codes,
        [
            "\"null\"^^<https://w3id.org/semreg/ns#jsonNull>".to_owned(),
            "\"string-value\"".to_owned(),
            format!("\"3\"^^<{XSD}integer>"),
            format!("\"true\"^^<{XSD}boolean>"),
            format!("\"false\"^^<{XSD}boolean>"),
        ]
    );
}

#[test]
fn text_resource_keys_descriptions_help_texts_and_languages_are_kept() {
    let batch = import_file("app-component-library_reasons.json");
    let nt: Vec<String> = batch.resources[0]
        .triples
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(nt
        .iter()
        .any(|t| t.contains(&format!("<{SKOS}prefLabel> \"reasons.related\"@nb"))));
    assert!(nt.iter().any(|t| t.contains(&format!(
        "<{SKOS}definition> \"Dette er en beskrivelse.\"@nb"
    ))));
    assert!(nt.iter().any(|t| t.contains(&format!(
        "<{SKOS}scopeNote> \"Dette er en hjelpetekst.\"@nb"
    ))));
    let batch = import_file("studio-content-library_countries_multilang.json");
    let nt: Vec<String> = batch.resources[0]
        .triples
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(nt.iter().any(|t| t.contains("\"Norway\"@en")));
    assert!(nt.iter().any(|t| t.contains("\"Norge\"@nb")));
}

/// The org library payload of the shared-content snapshot (the `.verified.txt` holds two).
const LIBRARY: &str = r#"{
  "codes": [
    {
      "value": "value1",
      "label": { "nb": "tekst", "en": "text" },
      "description": { "nb": "Dette er en tekst", "en": "This is a text" },
      "helpText": { "nb": "Velg dette valget for å få en tekst", "en": "Choose this option to get a text" },
      "tags": [ "test-data" ]
    }
  ],
  "version": "ttd/code_lists/1.json",
  "source": { "name": "test-data-files" },
  "tagNames": [ "test-data-category" ]
}"#;

#[test]
fn the_org_library_format_keeps_version_tags_and_tag_names() {
    let verified = std::fs::read_to_string(data("shared-content_CreateCodeListFiles.verified.txt"))
        .expect("readable");
    assert!(
        verified.contains("\"tagNames\""),
        "the snapshot still holds the library format"
    );
    let batch = import_bytes(LIBRARY.as_bytes(), "countries.json");
    assert_eq!(notations(&batch), ["\"value1\""]);
    let nt: Vec<String> = batch.resources[0]
        .triples
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(nt
        .iter()
        .any(|t| t.contains("versionInfo> \"ttd/code_lists/1.json\"")));
    assert!(
        nt.iter()
            .any(|t| t.contains("altinnTags> \"[\\\"test-data\\\"]\"")),
        "{nt:#?}"
    );
    assert!(nt
        .iter()
        .any(|t| t.contains("altinnTagNames> \"[\\\"test-data-category\\\"]\"")));
    assert!(nt.iter().any(|t| t.contains("\"This is a text\"@en")));
    assert!(nt.iter().any(|t| t.contains(&format!(
        "<{SKOS}scopeNote> \"Velg dette valget for å få en tekst\"@nb"
    ))));
}

#[test]
fn params_set_the_iri_language_and_alias_and_unnamed_input_gets_a_hash_iri() {
    let mut options = options("colors.json");
    options
        .params
        .insert("iri".into(), "https://example.org/colors".into());
    options.params.insert("lang".into(), "en".into());
    options.params.insert("alias".into(), "colors".into());
    let batch = import(
        Format::AltinnOptions,
        br#"[{"value":"1","label":"Red"}]"#,
        &options,
    )
    .expect("imports");
    assert_eq!(
        batch.resources[0].iri.as_str(),
        "https://example.org/colors"
    );
    assert!(batch.resources[0]
        .triples
        .iter()
        .any(|t| t.object.to_string() == "\"Red\"@en"));
    let batch = import(
        Format::AltinnOptions,
        br#"[{"value":"1","label":"Red"}]"#,
        &ImportOptions::default(),
    )
    .expect("imports");
    assert!(batch.resources[0]
        .iri
        .as_str()
        .starts_with("urn:semreg:altinn:"));
}

fn invalid(bytes: &[u8]) -> (String, String) {
    match import(Format::AltinnOptions, bytes, &options("x.json")) {
        Err(ImportError::Invalid { location, message }) => (location, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn malformed_input_is_invalid_with_its_position() {
    let (location, message) = invalid(b"[\n  {\"value\": \"a\xc3\", \"label\": \"A\"}\n]");
    assert_eq!(location, "line 2, column 15");
    assert!(message.contains("UTF-8"));
    let (location, message) =
        invalid(br#"[{"value": "a", "label": "A"}, {"value": {"x": 1}, "label": "B"}]"#);
    assert_eq!(location, "$[1].value");
    assert!(
        message.contains("string, number, boolean or null"),
        "{message}"
    );
    assert_eq!(invalid(br#"[{"label": "A"}]"#).0, "$[0].value");
    assert_eq!(invalid(br#"{"options": []}"#).0, "$");
    assert_eq!(
        invalid(br#"{"codes": [{"value": "a", "label": 3}]}"#).0,
        "$.codes[0].label"
    );
    assert_eq!(invalid(br#""text""#).0, "$");
    assert!(invalid(b"[{\"value\": 1,, }]").0.starts_with("line 1"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = import(Format::AltinnOptions, &bytes, &ImportOptions::default());
    }

    #[test]
    fn mutated_real_files_never_panic(
        which in 0..FILES.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = std::fs::read(data(FILES[which].0)).expect("readable");
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = import(Format::AltinnOptions, &bytes, &options(FILES[which].0));
    }
}
