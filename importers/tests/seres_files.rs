//! The SERES / OR XSD importer against the real files of `../shared/data/seres/`: every file
//! imports without errors, the counts of properties, types and code lists match what the file
//! holds (counted here with a plain XML reader, independently of the importer), the types the
//! files share by SERES guid become one resource each, malformed input is refused with a location,
//! and no input makes the importer panic.

use std::collections::{BTreeMap, BTreeSet};

use oxrdf::{Term, Triple};
use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::Reader;
use semreg_importers::seres::looks_like_xsd;
use semreg_importers::{
    canonical_ntriples, import, Format, ImportBatch, ImportError, ImportOptions, ResourceKind,
};

const DATA: &str = "../../shared/data/seres";
const M: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const S: &str = "https://w3id.org/semreg/ns#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

fn xsd_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(DATA)
        .expect("the shared SERES data")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xsd"))
        .collect();
    names.sort();
    names
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{name}")).expect("read the file")
}

fn import_file(name: &str) -> ImportBatch {
    let options = ImportOptions {
        file_name: Some(name.to_owned()),
        ..ImportOptions::default()
    };
    import(Format::Seres, &read(name), &options)
        .unwrap_or_else(|e| panic!("{name} does not import: {e}"))
}

/// What a file holds, counted with a plain XML reader (local names, nesting depth only).
#[derive(Debug, Default, PartialEq)]
struct FileCounts {
    /// `element` declarations below the top level (local elements and refs): properties.
    local_elements: usize,
    /// `attribute` declarations below the top level, outside annotations, not prohibited.
    attributes: usize,
    /// Top-level named `complexType` / `simpleType` plus every anonymous `complexType`.
    types: usize,
    /// `restriction`s with at least one `enumeration`: code lists.
    enumerations: usize,
}

fn local(name: &[u8]) -> &[u8] {
    name.rsplit(|&b| b == b':').next().unwrap_or(name)
}

fn count_file(bytes: &[u8]) -> FileCounts {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(), // ISO-8859-1
    };
    let mut reader = Reader::from_str(&text);
    let mut counts = FileCounts::default();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut enumerated: Vec<bool> = Vec::new();
    loop {
        let event = reader.read_event().expect("well-formed");
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                if stack.pop().as_deref() == Some(b"restriction".as_slice())
                    && enumerated.pop() == Some(true)
                {
                    counts.enumerations += 1;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let Some(e) = start else { continue };
        let name = local(e.name().0.as_bytes()).to_vec();
        let depth = stack.len();
        let in_annotation = stack.iter().any(|n| n == b"annotation");
        let has = |key: &str| {
            e.attributes()
                .flatten()
                .find(|a| a.key.0 == key)
                .map(|a| a.value.to_string())
        };
        match name.as_slice() {
            b"element" if depth > 1 => counts.local_elements += 1,
            b"attribute"
                if depth > 1 && !in_annotation && has("use").as_deref() != Some("prohibited") =>
            {
                counts.attributes += 1
            }
            b"complexType" | b"simpleType" if depth == 1 => counts.types += 1,
            b"complexType" => counts.types += 1,
            b"enumeration" => {
                if let Some(last) = enumerated.last_mut() {
                    *last = true;
                }
            }
            _ => {}
        }
        if name == b"restriction" {
            if empty {
                continue;
            }
            enumerated.push(false);
        }
        if !empty {
            stack.push(name);
        }
    }
    counts
}

/// Triples of all resources of a batch, as (subject, predicate, object) strings.
fn all_triples(batch: &ImportBatch) -> BTreeSet<(String, String, String)> {
    batch
        .resources
        .iter()
        .flat_map(|r| &r.triples)
        .map(|t| {
            let object = match &t.object {
                Term::NamedNode(n) => n.as_str().to_owned(),
                other => other.to_string(),
            };
            (
                t.subject.to_string(),
                t.predicate.as_str().to_owned(),
                object,
            )
        })
        .collect()
}

fn imported_counts(batch: &ImportBatch) -> FileCounts {
    let triples = all_triples(batch);
    let with = |p: &str, o: &str| -> BTreeSet<&String> {
        triples
            .iter()
            .filter(|(_, tp, to)| tp == p && to == o)
            .map(|(s, _, _)| s)
            .collect()
    };
    let properties: BTreeSet<&String> = triples
        .iter()
        .filter(|(_, p, _)| p == &format!("{M}hasProperty"))
        .map(|(_, _, o)| o)
        .collect();
    let specializations = with(RDF_TYPE, &format!("{M}Specialization"));
    let attributes = with(
        &format!("{S}xmlAttribute"),
        "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>",
    );
    let texts = with(
        &format!("{S}xmlText"),
        "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>",
    );
    let property_subjects: BTreeSet<String> = properties.iter().map(|p| format!("<{p}>")).collect();
    let count = |kind| batch.resources.iter().filter(|r| r.kind == kind).count();
    FileCounts {
        local_elements: property_subjects
            .iter()
            .filter(|p| {
                !specializations.contains(p) && !attributes.contains(p) && !texts.contains(p)
            })
            .count(),
        attributes: property_subjects
            .iter()
            .filter(|p| attributes.contains(p))
            .count(),
        types: count(ResourceKind::Type),
        enumerations: count(ResourceKind::CodeList),
    }
}

#[test]
fn every_real_xsd_imports_with_the_counts_the_file_holds() {
    let files = xsd_files();
    assert!(
        files.len() >= 30,
        "expected the shared SERES files, found {}",
        files.len()
    );
    println!("| file | models | types | properties | attributes | code lists | warnings |");
    println!("|---|---|---|---|---|---|---|");
    for name in &files {
        let batch = import_file(name);
        let expected = count_file(&read(name));
        let got = imported_counts(&batch);
        let models = batch
            .resources
            .iter()
            .filter(|r| r.kind == ResourceKind::Model)
            .count();
        println!(
            "| {name} | {models} | {} | {} | {} | {} | {} |",
            got.types,
            got.local_elements,
            got.attributes,
            got.enumerations,
            batch.warnings.len()
        );
        assert_eq!(models, 1, "{name}: one information model per file");
        assert_eq!(
            got, expected,
            "{name}: imported counts differ from the file's"
        );
        let other: Vec<_> = batch
            .resources
            .iter()
            .filter(|r| {
                !matches!(
                    r.kind,
                    ResourceKind::Model | ResourceKind::Type | ResourceKind::CodeList
                )
            })
            .map(|r| r.iri.to_string())
            .collect();
        assert!(other.is_empty(), "{name}: unexpected resources {other:?}");
    }
}

#[test]
fn ra_0678_has_one_property_per_local_xs_element() {
    let bytes = read("RA-0678_M.xsd");
    let text = String::from_utf8(bytes).expect("UTF-8");
    // `grep -c '<xsd:element'`: 78 declarations, one of them the global root element `melding`.
    assert_eq!(text.matches("<xsd:element ").count(), 78);
    let got = imported_counts(&import_file("RA-0678_M.xsd"));
    assert_eq!(got.local_elements, 77);
    assert_eq!(got.types, 21 + 42);
    assert_eq!(got.enumerations, 4);
}

#[test]
fn seres_header_and_meldingsmodell_give_the_models_identity() {
    let batch = import_file("Kursdomene_HvemErHvem_M_2021-04-08_5742_34627_SERES.xsd");
    let model = batch
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Model)
        .expect("a model");
    assert_eq!(model.iri.as_str(), "urn:semreg:seres:5742-34627");
    assert_eq!(
        model.labels.get("").map(String::as_str),
        Some("HvemErHvem_M")
    );
    let nt = canonical_ntriples(&model.triples);
    assert!(
        nt.contains(&format!("<{S}alias> \"seres-5742-34627\"")),
        "{nt}"
    );
    let or = import_file("or_AFP-01_stateless.xsd");
    let model = or
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Model)
        .expect("a model");
    assert_eq!(model.iri.as_str(), "urn:semreg:seres:or-1472-9812");
    assert_eq!(
        model.labels.get("").map(String::as_str),
        Some("AFP-01: Arbeidsgiverskjema AFP")
    );
}

/// The files a type appears in, and its distinct canonical contents.
type Seen = (BTreeSet<String>, BTreeSet<String>);

#[test]
fn the_shared_seres_files_have_types_in_common() {
    // IRI -> (files, distinct canonical contents)
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for name in xsd_files() {
        let batch = import_file(&name);
        for resource in batch
            .resources
            .iter()
            .filter(|r| matches!(r.kind, ResourceKind::Type | ResourceKind::CodeList))
        {
            let entry = seen.entry(resource.iri.as_str().to_owned()).or_default();
            entry.0.insert(name.clone());
            entry.1.insert(canonical_ntriples(&resource.triples));
        }
    }
    let shared: Vec<(&String, &Seen)> = seen
        .iter()
        .filter(|(_, (files, _))| files.len() > 1)
        .collect();
    let identical = shared
        .iter()
        .filter(|(_, (_, contents))| contents.len() == 1)
        .count();
    let seres = shared
        .iter()
        .filter(|(iri, _)| iri.starts_with("http://seres.no/guid/"))
        .count();
    let or = shared
        .iter()
        .filter(|(iri, _)| iri.starts_with("urn:semreg:or:"))
        .count();
    println!(
        "{} types and code lists in all; {} appear in two or more files ({seres} by SERES guid, \
         {or} by OR id); {identical} of those have the same content in every file, {} differ \
         (a SERES message model holds a projection of a shared type)",
        seen.len(),
        shared.len(),
        shared.len() - identical
    );
    let mut by_count: BTreeMap<usize, usize> = BTreeMap::new();
    for (_, (files, _)) in &shared {
        *by_count.entry(files.len()).or_default() += 1;
    }
    for (files, types) in by_count {
        println!("  {types} shared by {files} files");
    }
    if std::env::var("SERES_SHOW_SHARED").is_ok() {
        for (iri, (files, contents)) in shared.iter().filter(|(_, (_, c))| c.len() > 1).take(12) {
            println!("\n# {iri} in {files:?}");
            let sets: Vec<BTreeSet<&str>> = contents.iter().map(|c| c.lines().collect()).collect();
            let common: BTreeSet<&str> = sets
                .iter()
                .skip(1)
                .fold(sets[0].clone(), |a, b| a.intersection(b).copied().collect());
            for (i, set) in sets.iter().enumerate() {
                for line in set.difference(&common) {
                    println!("  {i}: {line}");
                }
            }
        }
    }
    assert!(
        seres >= 250,
        "SERES guid types shared between files: {seres}"
    );
    assert!(or >= 50, "OR types shared between files: {or}");
    assert!(identical > 0);
}

fn invalid_location(bytes: &[u8]) -> String {
    match import(Format::Seres, bytes, &ImportOptions::default()) {
        Err(ImportError::Invalid { location, message }) => {
            assert!(!location.is_empty() && !message.is_empty());
            location
        }
        Err(other) => panic!("expected Invalid, got {other}"),
        Ok(batch) => panic!(
            "expected Invalid, imported {} resources",
            batch.resources.len()
        ),
    }
}

#[test]
fn truncated_xml_is_invalid_and_names_the_open_element() {
    let bytes = read("Kursdomene_HvemErHvem_M_2021-04-08_5742_34627_SERES.xsd");
    let location = invalid_location(&bytes[..bytes.len() / 2]);
    assert!(location.starts_with("line "), "{location}");
}

#[test]
fn doctypes_declaring_entities_are_refused_without_expanding_them() {
    let external = br#"<?xml version="1.0"?>
<!DOCTYPE xs:schema [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:string"><xs:annotation><xs:documentation>&secret;</xs:documentation></xs:annotation></xs:element></xs:schema>"#;
    assert_eq!(invalid_location(external), "line 2, DOCTYPE");
    let bomb = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" fixed="&lol3;"/></xs:schema>"#;
    assert_eq!(invalid_location(bomb), "line 2, DOCTYPE");
    // An undeclared entity is refused too.
    let undeclared = br#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:annotation><xs:documentation>&nbsp;</xs:documentation></xs:annotation></xs:schema>"#;
    assert!(invalid_location(undeclared).starts_with("line 1"));
}

#[test]
fn invalid_utf8_is_invalid_with_its_line() {
    let mut bytes = read("Kursdomene_HvemErHvem_M_2021-04-08_5742_34627_SERES.xsd");
    let at = bytes.len() / 3;
    bytes[at] = 0xff;
    let location = invalid_location(&bytes);
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    assert_eq!(location, format!("line {line}"));
}

#[test]
fn documents_that_are_not_schemas_are_invalid() {
    for bytes in [
        b"<html><body/></html>".as_slice(),
        b"{\"type\": \"object\"}",
        b"<schema xmlns=\"http://example.org/not-xsd\"/>",
        b"<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/><second/>",
        b"plain text",
        b"<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element name=\"a\"></xs:schema>",
    ] {
        invalid_location(bytes);
    }
}

#[test]
fn looks_like_xsd_accepts_every_real_xsd_and_nothing_else() {
    for name in xsd_files() {
        assert!(looks_like_xsd(&read(&name)), "{name}");
    }
    for name in [
        "RA-0678_M.schema.json",
        "RA-0678_M.metadata.json",
        "SOURCES.md",
    ] {
        assert!(!looks_like_xsd(&read(name)), "{name}");
    }
    assert!(!looks_like_xsd(
        b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"
    ));
    assert!(!looks_like_xsd(b"<schema/>"));
}

fn never_panics(bytes: &[u8]) {
    let _ = import(Format::Seres, bytes, &ImportOptions::default());
    let _ = looks_like_xsd(bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        never_panics(&bytes);
    }

    #[test]
    fn mutations_of_a_real_xsd_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = read("synthetic_SeresSimpleContentRestriction.xsd");
        for (at, kind, byte) in edits {
            let at = at.index(bytes.len().max(1));
            match kind {
                0 => { if at < bytes.len() { bytes[at] = byte; } }
                1 => bytes.insert(at.min(bytes.len()), byte),
                2 => { if at < bytes.len() { bytes.remove(at); } }
                _ => {
                    // Duplicate a slice: nesting, repeated declarations, broken tags.
                    let end = (at + 64).min(bytes.len());
                    let slice = bytes[at.min(end)..end].to_vec();
                    let insert_at = at.min(bytes.len());
                    bytes.splice(insert_at..insert_at, slice);
                }
            }
        }
        let cut = cut.index(bytes.len() + 1);
        never_panics(&bytes);
        never_panics(&bytes[..cut]);
    }
}

#[test]
fn deep_nesting_and_long_restriction_chains_are_handled() {
    let deep = format!(
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">{}{}</xs:schema>",
        "<xs:annotation>".repeat(5000),
        "</xs:annotation>".repeat(5000)
    );
    invalid_location(deep.as_bytes());
    let mut chain = String::from("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">");
    for i in 0..300 {
        chain.push_str(&format!(
            "<xs:simpleType name=\"t{i}\"><xs:restriction base=\"t{}\"/></xs:simpleType>",
            (i + 1) % 300
        ));
    }
    chain.push_str("<xs:element name=\"e\" type=\"t0\"/></xs:schema>");
    let batch =
        import(Format::Seres, chain.as_bytes(), &ImportOptions::default()).expect("imports");
    assert!(batch
        .warnings
        .iter()
        .any(|w| w.message.contains("circular")));
}

#[test]
fn a_base_iri_places_local_types_under_it() {
    let options = ImportOptions {
        base_iri: Some("https://example.org/models/demo".to_owned()),
        ..ImportOptions::default()
    };
    let batch =
        import(Format::Seres, &read("synthetic_SeresArray.xsd"), &options).expect("imports");
    let iris: Vec<&str> = batch.resources.iter().map(|r| r.iri.as_str()).collect();
    assert!(
        iris.contains(&"https://example.org/models/demo"),
        "{iris:?}"
    );
    assert!(
        iris.iter()
            .all(|i| i.starts_with("https://example.org/models/demo")),
        "{iris:?}"
    );
    let _: Vec<Triple> = batch
        .resources
        .into_iter()
        .flat_map(|r| r.triples)
        .collect();
}
