//! The CSV code-list importer against the real ISO 3166 file and hand-made edge cases.

#[path = "support/shared_data.rs"]
mod shared_data;
use std::path::PathBuf;

use proptest::prelude::*;
use semreg_importers::{import, Format, ImportBatch, ImportError, ImportOptions, ResourceKind};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

fn data(name: &str) -> PathBuf {
    shared_data::shared_data("codelists").join(name)
}

fn options(name: &str, params: &[(&str, &str)]) -> ImportOptions {
    ImportOptions {
        file_name: Some(name.to_owned()),
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..Default::default()
    }
}

const ISO_PARAMS: &[(&str, &str)] = &[
    ("code", "alpha-2"),
    ("label_en", "name"),
    ("parent", "region"),
];

fn count(batch: &ImportBatch, predicate: &str) -> usize {
    assert_eq!(batch.resources.len(), 1, "one code list");
    assert_eq!(batch.resources[0].kind, ResourceKind::CodeList);
    batch.resources[0]
        .triples
        .iter()
        .filter(|t| t.predicate.as_str() == predicate)
        .count()
}

fn nt(batch: &ImportBatch) -> Vec<String> {
    batch.resources[0]
        .triples
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn iso_3166_imports_every_row_with_english_labels_and_regions_as_parents() {
    let bytes = std::fs::read(data("iso3166-all.csv")).expect("readable");
    let rows = ::csv::Reader::from_reader(bytes.as_slice())
        .records()
        .count();
    assert_eq!(rows, 249, "hand count");
    let batch =
        import(Format::Csv, &bytes, &options("iso3166-all.csv", ISO_PARAMS)).expect("imports");
    assert_eq!(count(&batch, &format!("{SKOS}notation")), rows);
    // Every row's label, and the list's own (its file name).
    assert_eq!(count(&batch, &format!("{SKOS}prefLabel")), rows + 1);
    // Antarctica and Taiwan have no region in the file.
    assert_eq!(count(&batch, &format!("{SKOS}broader")), rows - 2);
    let list = batch.resources[0].iri.as_str();
    assert_eq!(list, "urn:semreg:csv:iso3166-all");
    let triples = nt(&batch);
    assert!(triples
        .iter()
        .any(|t| t == &format!("<{list}/code/NO> <{SKOS}prefLabel> \"Norway\"@en")));
    assert!(triples
        .iter()
        .any(|t| t == &format!("<{list}/code/NO> <{SKOS}broader> <{list}/code/Europe>")));
    // The regions are not codes of the list: one warning says so.
    let warning = batch
        .warnings
        .iter()
        .find(|w| w.message.contains("parent values"))
        .expect("warning");
    assert!(
        warning.message.starts_with("5 parent values"),
        "{}",
        warning.message
    );
}

#[test]
fn header_named_columns_need_no_params_and_semicolons_are_detected() {
    let text = "\u{feff}code;label_nb;label_en;description_nb;parent;level;validFrom;validTo\n\
                03;Oslo;Oslo;Hovedstaden;;1;2020-01-01;\n\
                0301;Oslo kommune;Oslo municipality;;03;2;2020-01-01;2024-01-01\n";
    let batch =
        import(Format::Csv, text.as_bytes(), &options("kommuner.csv", &[])).expect("imports");
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert_eq!(count(&batch, &format!("{SKOS}notation")), 2);
    assert_eq!(count(&batch, &format!("{SKOS}prefLabel")), 4 + 1);
    assert_eq!(count(&batch, &format!("{SKOS}definition")), 1);
    assert_eq!(count(&batch, &format!("{SKOS}broader")), 1);
    assert_eq!(
        count(
            &batch,
            "http://publications.europa.eu/ontology/euvoc#startDate"
        ),
        2
    );
    assert_eq!(
        count(
            &batch,
            "http://publications.europa.eu/ontology/euvoc#endDate"
        ),
        1
    );
    assert_eq!(count(&batch, "https://w3id.org/semreg/ns#level"), 2);
}

#[test]
fn latin_1_bytes_are_decoded_with_a_warning() {
    let bytes = b"code\tlabel\n1\tBl\xe5b\xe6r\n";
    let batch = import(Format::Csv, bytes, &options("b.csv", &[("lang", "nn")])).expect("imports");
    assert!(nt(&batch).iter().any(|t| t.contains("\"Blåbær\"@nn")));
    assert!(batch
        .warnings
        .iter()
        .any(|w| w.message.contains("Windows-1252")));
}

fn invalid(bytes: &[u8], params: &[(&str, &str)]) -> (String, String) {
    match import(Format::Csv, bytes, &options("x.csv", params)) {
        Err(ImportError::Invalid { location, message }) => (location, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn a_row_with_missing_columns_is_invalid_and_names_its_line_and_the_columns() {
    let (location, message) = invalid(b"code,label_nb,parent\n1,A,\n2,B\n3,C,1\n", &[]);
    assert_eq!(location, "line 3");
    assert!(message.contains("missing parent"), "{message}");
    let mut bytes = std::fs::read(data("iso3166-all.csv")).expect("readable");
    // Cut the file inside its tenth row.
    let tenth = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(9)
        .map(|(at, _)| at)
        .expect("rows");
    bytes.truncate(tenth - 20);
    let (location, message) = invalid(&bytes, ISO_PARAMS);
    assert_eq!(location, "line 10");
    assert!(message.starts_with("expected 11 columns"), "{message}");
}

#[test]
fn unknown_params_and_missing_columns_are_invalid_and_list_what_is_allowed() {
    let (location, message) = invalid(b"code,label\n1,a\n", &[("colour", "x")]);
    assert_eq!(location, "param colour");
    assert!(
        message.contains("label_<lang>") && message.contains("iri"),
        "{message}"
    );
    let (_, message) = invalid(b"name,alpha-2\nNorway,NO\n", &[]);
    assert!(message.contains("expected a code column"), "{message}");
    let (_, message) = invalid(b"name,alpha-2\nNorway,NO\n", &[("code", "alpha-3")]);
    assert!(message.contains("\"alpha-3\""), "{message}");
    let (location, _) = invalid(b"code,label\n1,a\n,b\n", &[]);
    assert_eq!(location, "line 3, column code");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = import(Format::Csv, &bytes, &ImportOptions::default());
        let _ = import(Format::Csv, &bytes, &options("x.csv", ISO_PARAMS));
    }

    #[test]
    fn mutated_real_files_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = std::fs::read(data("iso3166-all.csv")).expect("readable");
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = import(Format::Csv, &bytes, &options("iso3166-all.csv", ISO_PARAMS));
    }
}
