//! Format detection on every real file in `../shared/data/` (reference material excepted).

#[path = "support/shared_data.rs"]
mod shared_data;
use std::path::PathBuf;

use semreg_importers::{detect_format, Format};

fn data_root() -> PathBuf {
    shared_data::shared_data("")
}

/// Files that are reference material, not input: SERES metadata, snapshot text, the Kartverket
/// API responses and the SOURCES.md files.
fn is_reference(name: &str) -> bool {
    name.ends_with(".metadata.json")
        || name.ends_with(".verified.txt")
        || name.starts_with("kartverket_")
        || name.ends_with(".md")
}

/// The format every data file must be detected as, by extension and name.
fn expected(folder: &str, name: &str) -> Option<Format> {
    let extension = name.rsplit('.').next()?;
    Some(match extension {
        "ttl" => Format::Turtle,
        "rdf" => Format::RdfXml,
        "jsonld" => Format::JsonLd,
        "xsd" => Format::Seres,
        "csv" => Format::Csv,
        "json"
            if name.ends_with(".schema.json")
                || name.contains("jsonschema")
                || name.contains("schema.v1") =>
        {
            Format::JsonSchema
        }
        "json" if name.starts_with("fhir-") => Format::Fhir,
        "json" if name.starts_with("ssb-klass") => Format::Klass,
        "json" if folder == "altinn-options" => Format::AltinnOptions,
        _ => return None,
    })
}

#[test]
fn every_data_file_is_detected_as_its_format_by_name_and_by_content() {
    let mut checked = 0;
    for folder in ["codelists", "altinn-options", "fdk", "seres"] {
        let dir = data_root().join(folder);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("file name")
                .to_owned();
            if is_reference(&name) {
                continue;
            }
            let want = expected(folder, &name)
                .unwrap_or_else(|| panic!("no expectation for {folder}/{name}"));
            let bytes = std::fs::read(&path).expect("readable");
            assert_eq!(
                detect_format(Some(&name), &bytes),
                Some(want),
                "{folder}/{name} by name"
            );
            // Without a name, content alone decides (CSV has no signature to sniff).
            if want != Format::Csv {
                assert_eq!(
                    detect_format(None, &bytes),
                    Some(want),
                    "{folder}/{name} by content"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 90, "only {checked} files checked");
}

#[test]
fn reference_json_is_not_claimed_by_any_importer() {
    for name in [
        "kartverket_fylker.json",
        "kartverket_kommuner.json",
        "kartverket_fylke46_kommuner.json",
    ] {
        let bytes = std::fs::read(data_root().join("altinn-options").join(name)).expect("readable");
        assert_eq!(detect_format(Some(name), &bytes), None, "{name}");
    }
}

#[test]
fn json_shapes_are_told_apart_by_their_structure() {
    let cases: [(&[u8], Option<Format>); 9] = [
        (
            br#"{"resourceType": "ValueSet", "url": "http://e/vs"}"#,
            Some(Format::Fhir),
        ),
        (br#"{"resourceType": "Patient"}"#, None),
        (
            br#"{"$schema": "https://json-schema.org/draft/2020-12/schema"}"#,
            Some(Format::JsonSchema),
        ),
        (
            br#"{"definitions": {"A": {"properties": {}}}}"#,
            Some(Format::JsonSchema),
        ),
        (
            br#"{"codes": [{"code": "01", "name": "A"}]}"#,
            Some(Format::Klass),
        ),
        (
            br#"{"codes": [{"value": "a", "label": {"nb": "A"}}], "version": "1"}"#,
            Some(Format::AltinnOptions),
        ),
        (
            b"[\n // note\n {\"value\": 1, \"label\": \"a\"},\n]",
            Some(Format::AltinnOptions),
        ),
        (br#"[{"@id": "http://e/a"}]"#, Some(Format::JsonLd)),
        (br#"[{"name": "x"}]"#, None),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            detect_format(Some("x.json"), bytes),
            want,
            "{}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(
            detect_format(None, bytes),
            want,
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }
    assert_eq!(
        detect_format(None, b"[ <http://e/a> <http://e/b> ] ."),
        Some(Format::Turtle)
    );
}

proptest::proptest! {
    #[test]
    fn detection_never_panics(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
        name in proptest::option::of("[a-z]{0,4}\\.(json|xml|xsd|csv|ttl|txt)"),
    ) {
        let _ = detect_format(name.as_deref(), &bytes);
    }
}
