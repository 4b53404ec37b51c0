//! Lists made of concepts at scale: a generated collection of N concepts (default 100,000),
//! each concept a resource of its own, imported in one file; then the code-list projection's
//! catch-ups timed — the first (every concept read and the collection composed once), one after
//! a single member changes, one after 1,000 member changes in 10 files (all composed once), and
//! a cold start from the store of record. Prints numbers; asserts nothing but the counts.
//!
//!   cargo bench --bench concept_lists                 # 100,000 concepts
//!   CONCEPTS=10000 cargo bench --bench concept_lists  # compare: the cost per concept is flat

use semreg::app::App;
use semreg::config::Config;
use semreg::registry::{Actor, ImportRequest};
use std::fmt::Write;
use std::time::Instant;

const PREFIXES: &str = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
     @prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> .\n\
     @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n";

fn concept(ttl: &mut String, i: usize, label: &str) {
    let _ = writeln!(
        ttl,
        "<https://bench.example/begrep/{i}> a skos:Concept ; skos:notation \"K{i}\" ;\n  \
         skos:prefLabel \"{label} {i}\"@nb, \"{label} {i} (en)\"@en ;\n  \
         euvoc:xlDefinition [ a euvoc:XlNote ; rdf:value \"definisjon av {label} {i}\"@nb ] ;\n  \
         skos:broader <https://bench.example/begrep/{}> .",
        i / 10
    );
}

/// A collection of `n` concepts (the members named by the collection) in one file.
fn catalog(n: usize) -> String {
    let mut ttl = String::from(PREFIXES);
    ttl.push_str("<https://bench.example/samling> a skos:Collection ; skos:prefLabel \"Benk\"@nb ;\n  skos:member ");
    for i in 0..n {
        let _ = write!(
            ttl,
            "{}<https://bench.example/begrep/{i}>",
            if i == 0 { "" } else { ", " }
        );
    }
    ttl.push_str(" .\n");
    for i in 0..n {
        concept(&mut ttl, i, "begrep");
    }
    ttl
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / 1048576.0)
}

async fn import(app: &App, name: &str, ttl: String) -> usize {
    let report = semreg::registry::import_file(
        &app.db,
        ImportRequest {
            file_name: Some(name.into()),
            format: Some(semreg_importers::Format::Turtle),
            bytes: ttl.into_bytes(),
            publisher: None,
            actor: Actor::Operator,
            params: Default::default(),
            status: Default::default(),
            caps: app.config.import_caps(),
            audit: semreg::auth::audit::Context::new(
                semreg::auth::audit::Actor::operator(),
                semreg::auth::audit::Action::IMPORT,
            ),
        },
    )
    .await
    .expect("import");
    report.created + report.updated
}

async fn timed_catch_up(app: &App, what: &str, n: usize) -> f64 {
    let last = semreg::store::last_seq(&app.db).await.expect("seq");
    let started = Instant::now();
    let lists = app
        .code_lists
        .catch_up(&app.db, last)
        .await
        .expect("catch-up");
    let seconds = started.elapsed().as_secs_f64();
    let list = app
        .code_lists
        .get(&semreg::ids::resource_id_for_iri(
            "https://bench.example/samling",
        ))
        .expect("the collection is a list");
    assert_eq!(list.list.codes.len(), n);
    println!(
        "{what:<58} {seconds:8.3} s  ({lists} lists, version {}, RSS {:.0} MiB)",
        list.version,
        rss_mib()
    );
    seconds
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let n: usize = std::env::var("CONCEPTS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::with_data_dir(dir.path().join("semreg"));
    runtime.block_on(async {
        // No projections opened: the code-list projection alone is measured.
        let app = App::open(config.clone()).await.expect("app");
        let started = Instant::now();
        assert_eq!(import(&app, "bench.ttl", catalog(n)).await, n + 1);
        println!(
            "import of {n} concepts and their collection: {:.2} s",
            started.elapsed().as_secs_f64()
        );
        let first = timed_catch_up(&app, "first catch-up (every concept, composed once)", n).await;
        let mut one = String::from(PREFIXES);
        concept(&mut one, 7, "endret");
        import(&app, "one.ttl", one).await;
        timed_catch_up(&app, "catch-up after 1 member changed", n).await;
        for f in 0..10 {
            let mut file = String::from(PREFIXES);
            for i in 0..100 {
                concept(&mut file, 1000 + f * 100 + i, "batch");
            }
            import(&app, &format!("batch-{f}.ttl"), file).await;
        }
        timed_catch_up(&app, "catch-up after 1,000 members changed in 10 files", n).await;
        let mut each = 0.0;
        for f in 0..10 {
            let mut file = String::from(PREFIXES);
            concept(&mut file, 5000 + f, "hver");
            import(&app, &format!("each-{f}.ttl"), file).await;
            let last = semreg::store::last_seq(&app.db).await.expect("seq");
            let started = Instant::now();
            app.code_lists
                .catch_up(&app.db, last)
                .await
                .expect("catch-up");
            each += started.elapsed().as_secs_f64();
        }
        println!(
            "{:<58} {:8.3} s",
            "mean catch-up after a one-concept file (10 files)",
            each / 10.0
        );
        let cold = semreg::code_lists::CodeListCache::default();
        let last = semreg::store::last_seq(&app.db).await.expect("seq");
        let started = Instant::now();
        cold.catch_up(&app.db, last).await.expect("cold catch-up");
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{:<58} {seconds:8.3} s",
            "cold start of the code-list projection"
        );
        println!(
            "per concept: first catch-up {:.1} µs, cold start {:.1} µs",
            first * 1e6 / n as f64,
            seconds * 1e6 / n as f64
        );
    });
}
