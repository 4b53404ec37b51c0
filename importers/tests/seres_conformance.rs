//! Conformance with a real peer: every XSD of `../shared/data/seres/` with Altinn Studio's own
//! JSON Schema conversion next to it is imported, and the property paths of the imported model
//! (from the root element down), their required-ness, array-ness, max lengths, patterns, enum
//! values and fixed values are compared with Altinn's. Every difference is printed as a table per
//! file; each one must match a deliberate difference listed (with its reason) in
//! [`peer_paths::DELIBERATE`].

#[path = "support/peer_paths.rs"]
mod peer_paths;

use peer_paths::{altinn_paths, data_dir, our_paths, peers, read_json, report, roots_of, Graph};
use semreg_importers::{import, Format, ImportOptions};

#[test]
fn imported_models_match_altinn_studios_conversion_but_for_deliberate_differences() {
    let dir = data_dir();
    let pairs = peers(&dir);
    assert!(
        pairs.len() >= 10,
        "expected the Altinn peers, found {pairs:?}"
    );
    let mut unexplained = 0;
    let mut total = 0;
    for (xsd, json) in pairs {
        let bytes = std::fs::read(dir.join(&xsd)).expect("read xsd");
        let batch = import(Format::Seres, &bytes, &ImportOptions::default()).expect("imports");
        let graph = Graph::new(batch.resources.into_iter().flat_map(|r| r.triples));
        let ours = our_paths(&graph);
        let theirs = altinn_paths(&read_json(&dir.join(&json)), &roots_of(&ours));
        let (differences, unexplained_here) = report(&xsd, &json, &ours, &theirs, &[]);
        total += differences;
        unexplained += unexplained_here;
    }
    println!("\n{total} differences, {unexplained} unexplained");
    assert_eq!(
        unexplained, 0,
        "unexplained differences with Altinn's conversion (see the tables above)"
    );
}
