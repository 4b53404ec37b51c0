//! The catalog semreg serves, checked against the official SHACL shapes (SKOS-AP-NO-Begrep v2,
//! ModellDCAT-AP-NO) with pySHACL, the independent reference (and the product's own report,
//! made with rudof's engine, against it): what semreg adds (the catalog,
//! its records) raises no violation but the one no data can avoid (`dcat:contactPoint`'s
//! `sh:nodeKind vcard:Organization`), and for the resources semreg's output raises no
//! violation that the publisher's own input did not already raise.

mod common;

use common::{shared_data, Backend};
use std::collections::BTreeMap;

const PUBLISHER: &str = "974760673";

/// Runs pySHACL on a Turtle data file with the shapes and the reference vocabularies; prints
/// one line per violation: focus (blank and skolem nodes as `_`), path, constraint component,
/// and whether the focus is one of semreg's own catalog nodes.
const CHECK: &str = r##"
import sys, glob
from rdflib import Graph, Namespace, URIRef, BNode, RDF
from pyshacl import validate
SH = Namespace("http://www.w3.org/ns/shacl#")
data_path, shapes_paths, ref_dir = sys.argv[1], sys.argv[2], sys.argv[3]
data = Graph().parse(data_path, format="turtle")
shapes = Graph()
for shapes_path in shapes_paths.split(","):
    shapes.parse(shapes_path, format="turtle")
vocab = Graph()
for f in sorted(glob.glob(ref_dir + "/ref_*")):
    vocab.parse(f, format="xml" if f.endswith(".rdf") else "turtle")
# As semreg does: the vocabularies' types of the terms the data refers to are added, and only
# results on the data's own subjects count.
subjects = set(data.subjects())
for o in set(data.objects()):
    if isinstance(o, URIRef) and o not in subjects:
        for t in vocab.objects(o, RDF.type):
            data.add((o, RDF.type, t))
conforms, report, _ = validate(data, shacl_graph=shapes, inference="none",
                               abort_on_first=False, allow_warnings=True)
for r in report.subjects(SH.resultSeverity, SH.Violation):
    focus = report.value(r, SH.focusNode)
    if focus not in subjects:
        continue
    path = report.value(r, SH.resultPath)
    path = path if isinstance(path, URIRef) else "_"  # a complex path is a blank node
    comp = report.value(r, SH.sourceConstraintComponent)
    text = str(focus)
    own = "#semreg-" in text
    if isinstance(focus, BNode) or "/.well-known/skolem/" in text or "/.well-known/genid/" in text or text.startswith("urn:semreg:genid:"):
        text = "_"
    print(f"{'OWN' if own else 'RES'}\t{text}\t{path}\t{comp}")
"##;

fn violations(python: &std::path::Path, data: &std::path::Path, shapes: &[&str]) -> Vec<String> {
    let script = std::env::temp_dir().join(format!("semreg-shacl-{}.py", std::process::id()));
    std::fs::write(&script, CHECK).unwrap();
    let shapes: Vec<String> = shapes
        .iter()
        .map(|s| shared_data(s).display().to_string())
        .collect();
    let output = std::process::Command::new(python)
        .arg(&script)
        .arg(data)
        .arg(shapes.join(","))
        .arg(shared_data("fdk"))
        .output()
        .expect("run pySHACL");
    assert!(
        output.status.success(),
        "pySHACL failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn counts(lines: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in lines {
        let key = line
            .split_once('\t')
            .map_or(line.as_str(), |(_, k)| k)
            .to_owned();
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

async fn our_catalog_adds_no_shacl_violation_of_its_own(backend: Backend) {
    let Some(python) =
        common::python_tool("our_catalog_adds_no_shacl_violation_of_its_own", "pyshacl")
    else {
        return;
    };
    let Some(app) = common::spawn_app_with(backend, "catalog_shacl", |config| {
        config.shacl_shapes = SHAPES.iter().map(|s| shared_data(s)).collect();
        config.shacl_vocabularies = std::fs::read_dir(shared_data("fdk"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("ref_"))
            .collect();
    })
    .await
    else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let dir = tempfile::tempdir().unwrap();
    for (file, shapes) in [
        (
            "fdk/concepts_v2_concept-catalog_all_collections.ttl",
            "fdk/vocab_skos-ap-no-begrep_v2_shacl.ttl",
        ),
        (
            "fdk/im_skatteetaten_SKDModellkatalog.ttl",
            "fdk/vocab_modelldcat-ap-no_v1_shacl.ttl",
        ),
    ] {
        let input = shared_data(file);
        let bytes = std::fs::read(&input).unwrap();
        let pushed = app
            .client
            .put(app.url(&format!("/api/v1/publishers/{PUBLISHER}/catalog")))
            .bearer_auth(&token)
            .header("content-type", "text/turtle")
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(pushed.status(), 200, "{}", pushed.text().await.unwrap());
        let ours = app
            .client
            .get(app.url(&format!("/api/v1/publishers/{PUBLISHER}/catalog")))
            .header("accept", "text/turtle")
            .send()
            .await
            .unwrap();
        assert_eq!(ours.status(), 200);
        let output = dir.path().join("ours.ttl");
        std::fs::write(&output, ours.bytes().await.unwrap()).unwrap();

        let before = violations(&python, &input, &[shapes]);
        let after = violations(&python, &output, &[shapes]);
        let own: Vec<&String> = after.iter().filter(|l| l.starts_with("OWN")).collect();
        for line in &own {
            assert!(
                line.contains("http://www.w3.org/ns/dcat#contactPoint")
                    && line.contains("NodeKindConstraintComponent"),
                "{file}: semreg's own node raises {line}"
            );
        }
        let input_counts = counts(&before);
        let resources: Vec<String> = after
            .iter()
            .filter(|l| l.starts_with("RES"))
            .cloned()
            .collect();
        for (key, n) in counts(&resources) {
            let had = input_counts.get(&key).copied().unwrap_or(0);
            assert!(
                n <= had,
                "{file}: {key} raised {n} times in our output, {had} in the input"
            );
        }
        eprintln!(
            "{file}: input {} violations, ours {} ({} on semreg's catalog)",
            before.len(),
            after.len(),
            own.len()
        );

        // The product's own report (rudof's engine, both shapes files, the resources without
        // semreg's catalog) against pySHACL on the same resources and shapes.
        let quality = app
            .get_json(&format!("/api/v1/publishers/{PUBLISHER}/quality"))
            .await;
        let reference: Vec<String> = violations(&python, &output, &SHAPES)
            .into_iter()
            .filter(|l| l.starts_with("RES"))
            .collect();
        let mut ours: BTreeMap<(String, String), usize> = BTreeMap::new();
        for finding in quality["findings"].as_array().unwrap() {
            if finding["severity"] != "Violation" {
                continue;
            }
            let path = finding["path"].as_str().unwrap_or("");
            // A complex path (sequence, alternative) is a blank node in pySHACL's report.
            let path = if path.contains(' ') || path.starts_with('(') {
                "_"
            } else {
                path
            };
            let key = (local(path), local(finding["component"].as_str().unwrap()));
            *ours.entry(key).or_insert(0) += finding["count"].as_u64().unwrap() as usize;
        }
        let mut theirs: BTreeMap<(String, String), usize> = BTreeMap::new();
        for line in &reference {
            let parts: Vec<&str> = line.split('\t').collect();
            *theirs
                .entry((local(parts[2]), local(parts[3])))
                .or_insert(0) += 1;
        }
        assert_eq!(
            ours, theirs,
            "{file}: rudof (left) and pySHACL (right) disagree; report: {quality}"
        );
        assert_eq!(
            quality["violations"].as_u64().unwrap() as usize,
            reference.len()
        );
    }
}

const SHAPES: [&str; 2] = [
    "fdk/vocab_skos-ap-no-begrep_v2_shacl.ttl",
    "fdk/vocab_modelldcat-ap-no_v1_shacl.ttl",
];

/// The last segment of an IRI (after `#` or `/`), without angle brackets.
fn local(text: &str) -> String {
    let text = text.trim().trim_start_matches('<').trim_end_matches('>');
    text.rsplit(['#', '/', ':'])
        .next()
        .unwrap_or(text)
        .to_owned()
}
both!(our_catalog_adds_no_shacl_violation_of_its_own);
