//! The RDF importer against the real FDK and code-list files in `../shared/data/`.
//!
//! `cargo test -p semreg-importers --test fdk_files -- --nocapture` prints, per file, the
//! resources by kind and the warnings (orphans, inferred code lists, kind `other`).

#[path = "support/shared_data.rs"]
mod shared_data;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use oxrdf::Triple;
use semreg_importers::{
    canonical_ntriples, detect_format, import, rdf, skolem, ImportBatch, ImportError,
    ImportOptions, ResourceKind,
};

fn data_dir(name: &str) -> PathBuf {
    shared_data::shared_data(name)
}

/// The RDF files of a data folder (by extension), sorted.
fn rdf_files(folder: &str) -> Vec<PathBuf> {
    let dir = data_dir(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("ttl" | "rdf" | "jsonld")
            )
        })
        .collect();
    files.sort();
    files
}

fn import_file(path: &Path) -> ImportBatch {
    let bytes = std::fs::read(path).expect("readable file");
    let name = path.file_name().and_then(|n| n.to_str());
    let format = detect_format(name, &bytes).expect("RDF format detected");
    import(format, &bytes, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn import_named(folder: &str, name: &str) -> ImportBatch {
    import_file(&data_dir(folder).join(name))
}

fn count(batch: &ImportBatch, kind: ResourceKind) -> usize {
    batch.resources.iter().filter(|r| r.kind == kind).count()
}

/// Counts the lines of a file that contain all the given fragments.
fn grep_count(folder: &str, name: &str, fragments: &[&str]) -> usize {
    let text = std::fs::read_to_string(data_dir(folder).join(name)).expect("text file");
    text.lines()
        .filter(|line| fragments.iter().all(|f| line.contains(f)))
        .count()
}

#[test]
fn every_fdk_and_code_list_rdf_file_imports_and_reports_its_resources() {
    let mut files = rdf_files("fdk");
    files.extend(rdf_files("codelists"));
    assert!(files.len() >= 25, "data files missing: {files:?}");
    for path in files {
        let batch = import_file(&path);
        let mut kinds: BTreeMap<ResourceKind, usize> = BTreeMap::new();
        for resource in &batch.resources {
            *kinds.entry(resource.kind).or_default() += 1;
            assert!(
                resource
                    .triples
                    .iter()
                    .all(|t| !t.subject.is_blank_node() && !t.object.is_blank_node()),
                "blank node left in {}",
                resource.iri
            );
            assert!(
                !resource.triples.is_empty(),
                "{} has no triples",
                resource.iri
            );
        }
        let summary: Vec<String> = kinds.iter().map(|(k, n)| format!("{k}={n}")).collect();
        println!(
            "{}: {} triples; {}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            batch.triples_read,
            summary.join(" ")
        );
        for warning in &batch.warnings {
            println!(
                "    warning: {}{}",
                warning
                    .location
                    .as_ref()
                    .map(|l| format!("<{l}> "))
                    .unwrap_or_default(),
                warning.message
            );
        }
    }
}

#[test]
fn every_triple_of_every_fdk_file_is_in_some_resource_graph() {
    for path in rdf_files("fdk") {
        let bytes = std::fs::read(&path).expect("readable file");
        let name = path.file_name().and_then(|n| n.to_str());
        let format = detect_format(name, &bytes).expect("format");
        let parsed = rdf::parse(format, &bytes, &ImportOptions::default()).expect("parses");
        let input = skolem::skolemize(parsed).triples;
        let batch = import(format, &bytes, &ImportOptions::default()).expect("imports");
        let union: HashSet<&Triple> = batch.resources.iter().flat_map(|r| &r.triples).collect();
        let missing: Vec<&Triple> = input.iter().filter(|t| !union.contains(t)).collect();
        assert!(
            missing.is_empty(),
            "{}: {} of {} triples in no resource, e.g. {}",
            path.display(),
            missing.len(),
            input.len(),
            missing[0]
        );
        // Resources only hold triples of the input.
        let input: HashSet<&Triple> = input.iter().collect();
        assert!(union.iter().all(|t| input.contains(t)));
    }
}

#[test]
fn nav_legacy_catalog_gives_549_concepts() {
    let batch = import_named("fdk", "concepts_legacy_v1_nav_begrepskatalog.ttl");
    assert_eq!(count(&batch, ResourceKind::Concept), 549);
    assert_eq!(count(&batch, ResourceKind::Collection), 1);
    // v1 concepts have skosxl labels: the label comes from the literal form.
    assert!(batch
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Concept)
        .all(|r| !r.labels.is_empty()));
}

#[test]
fn testdata_1000_gives_1000_concepts() {
    let batch = import_named("fdk", "concepts_v2_testdata_1000.ttl");
    assert_eq!(count(&batch, ResourceKind::Concept), 1000);
    assert_eq!(count(&batch, ResourceKind::Collection), 1);
}

#[test]
fn model_catalog_gives_the_models_and_types_it_declares() {
    let name = "im_digdir_person_enhet_adresse_SkatvalModellkatalog.ttl";
    // Each subject's types are on one `a ...` line in this file.
    let models = grep_count("fdk", name, &["modelldcatno:InformationModel"]);
    let object_types = grep_count("fdk", name, &[" a ", "modelldcatno:ObjectType"]);
    let simple_types = grep_count("fdk", name, &[" a ", "modelldcatno:SimpleType"]);
    let data_types = grep_count("fdk", name, &[" a ", "modelldcatno:DataType"]);
    let code_lists = grep_count("fdk", name, &[" a ", "modelldcatno:CodeList"]);
    assert_eq!((models, object_types), (2, 11), "file changed?");
    let batch = import_named("fdk", name);
    assert_eq!(count(&batch, ResourceKind::Model), models);
    assert_eq!(
        count(&batch, ResourceKind::Type),
        object_types + simple_types + data_types
    );
    assert_eq!(count(&batch, ResourceKind::CodeList), code_lists);
    assert_eq!(count(&batch, ResourceKind::Catalog), 1);
    assert_eq!(count(&batch, ResourceKind::Other), 0);
    // The code elements are in their lists' graphs, not resources of their own.
    let codes = grep_count("fdk", name, &["modelldcatno:CodeElement"]);
    let in_lists: usize = batch
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::CodeList)
        .map(|r| {
            r.triples
                .iter()
                .filter(|t| t.object.to_string().ends_with("#CodeElement>"))
                .count()
        })
        .sum();
    assert_eq!(in_lists, codes);
}

#[test]
fn legacy_elveg_model_gives_its_model_types_and_code_lists() {
    let name = "im_legacy_dcatnoinfo_kartverket_Elveg_2_0.ttl";
    let batch = import_named("fdk", name);
    let model_elements = grep_count("fdk", name, &["informationmodel/ModelElement>"])
        + grep_count("fdk", name, &["dcatnoinfo:ModelElement"]);
    let code_lists = grep_count("fdk", name, &["dcatnoinfo:CodeList"]);
    assert_eq!(count(&batch, ResourceKind::Model), 1);
    assert_eq!(count(&batch, ResourceKind::Type), model_elements);
    assert_eq!(count(&batch, ResourceKind::CodeList), code_lists);
    // The catalog record goes with the model it is about.
    let model = batch
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Model)
        .expect("model");
    assert!(model
        .triples
        .iter()
        .any(|t| t.predicate.as_str() == "http://xmlns.com/foaf/0.1/primaryTopic"));
}

#[test]
fn eu_file_types_give_one_code_list_holding_every_code() {
    let name = "ref_eu_file-types.ttl";
    let codes = grep_count("fdk", name, &["rdf:type", "FileType"]);
    let batch = import_named("fdk", name);
    assert_eq!(batch.resources.len(), 1, "{:?}", batch.warnings);
    let list = &batch.resources[0];
    assert_eq!(list.kind, ResourceKind::CodeList);
    assert_eq!(
        list.iri.as_str(),
        "http://publications.europa.eu/resource/authority/file-type"
    );
    let typed_codes = list
        .triples
        .iter()
        .filter(|t| t.object.to_string().ends_with("euvoc#FileType>"))
        .count();
    assert_eq!(typed_codes, codes);
}

#[test]
fn skos_code_lists_hold_their_concepts_as_codes() {
    let batch = import_named("fdk", "ref_digdir_audience-type.ttl");
    assert_eq!(count(&batch, ResourceKind::CodeList), 1);
    assert_eq!(count(&batch, ResourceKind::Concept), 0);
    let batch = import_named("codelists", "eu-at-frequency.ttl");
    assert_eq!(count(&batch, ResourceKind::CodeList), 1);
    assert_eq!(batch.resources.len(), 1);
}

#[test]
fn invalid_turtle_gives_a_syntax_error_on_the_right_line() {
    let path = data_dir("fdk").join("ref_digdir_audience-type.ttl");
    let text = std::fs::read_to_string(path).expect("text");
    let mut lines: Vec<&str> = text.lines().collect();
    let broken_line = lines.len() / 2;
    lines.insert(
        broken_line,
        "<http://example.org/a> <http://example.org/b> \"open ;",
    );
    let broken = lines.join("\n");
    match import(
        semreg_importers::Format::Turtle,
        broken.as_bytes(),
        &ImportOptions::default(),
    ) {
        Err(ImportError::Syntax { line, .. }) => {
            assert_eq!(line, u64::try_from(broken_line + 1).expect("small"));
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn importing_the_same_file_twice_gives_identical_canonical_ntriples() {
    for name in [
        "concepts_legacy_v1_harvester_output_collection_0.ttl",
        "concepts_v2_concept-catalog_all_collections.ttl",
        "im_harvester_output_all_catalogs.ttl",
        "ref_eu_file-types.ttl",
        "vocab_skos-ap-no-begrep_v2_shacl.ttl",
        "concepts_v2_testdata_RegSkjema.jsonld",
    ] {
        let first = import_named("fdk", name);
        let second = import_named("fdk", name);
        assert_eq!(first.resources.len(), second.resources.len());
        for (a, b) in first.resources.iter().zip(&second.resources) {
            assert_eq!(a.iri, b.iri);
            assert_eq!(
                canonical_ntriples(&a.triples),
                canonical_ntriples(&b.triples)
            );
        }
    }
}

#[test]
fn reserializing_a_file_keeps_every_resource_unchanged() {
    // The same graph written as N-Triples with other blank node labels and in reverse order.
    let name = "concepts_legacy_v1_nav_begrepskatalog.ttl";
    let bytes = std::fs::read(data_dir("fdk").join(name)).expect("file");
    let parsed = rdf::parse(
        semreg_importers::Format::Turtle,
        &bytes,
        &ImportOptions::default(),
    )
    .expect("parses");
    let mut lines: Vec<String> = parsed
        .iter()
        .map(|t| format!("{t} .").replace("_:", "_:relabelled"))
        .collect();
    lines.reverse();
    let ntriples = lines.join("\n");
    let original = import_named("fdk", name);
    let reserialized = import(
        semreg_importers::Format::NTriples,
        ntriples.as_bytes(),
        &ImportOptions::default(),
    )
    .expect("imports");
    assert_eq!(original.resources.len(), reserialized.resources.len());
    for (a, b) in original.resources.iter().zip(&reserialized.resources) {
        assert_eq!(a.iri, b.iri);
        assert_eq!(
            canonical_ntriples(&a.triples),
            canonical_ntriples(&b.triples)
        );
    }
}
