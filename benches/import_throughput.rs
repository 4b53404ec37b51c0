//! Import throughput: a generated catalog of concepts imported end to end (parse, skolemize,
//! split, one transaction into SQLite; then the RDF and search projections), next to oxigraph's
//! own bulk loader on the same N-Triples, in the same run. Prints numbers; asserts nothing.
//!
//!   cargo bench --bench import_throughput            # 100,000 concepts
//!   CONCEPTS=10000 cargo bench --bench import_throughput

use semreg::app::App;
use semreg::config::Config;
use semreg::registry::{Actor, ImportRequest};
use std::fmt::Write;
use std::time::Instant;

const WORDS: &[&str] = &[
    "adresse",
    "kommune",
    "person",
    "fødsel",
    "nummer",
    "skatt",
    "inntekt",
    "bolig",
    "eiendom",
    "virksomhet",
    "organisasjon",
    "barn",
    "forelder",
    "sivilstand",
    "statsborgerskap",
    "trygd",
    "pensjon",
    "arbeid",
    "lønn",
    "meldekort",
    "søknad",
    "vedtak",
    "klage",
    "frist",
    "gebyr",
];

/// A deterministic SKOS-AP-NO-like catalog: every concept with labels in nb/en, a definition in
/// a blank node (as SKOS-AP-NO v2 does), a publisher and a broader link.
fn catalog(concepts: usize) -> String {
    let mut ttl = String::from(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix dct: <http://purl.org/dc/terms/> .\n\
         @prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> .\n\
         @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n",
    );
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for i in 0..concepts {
        let a = WORDS[next() % WORDS.len()];
        let b = WORDS[next() % WORDS.len()];
        let c = WORDS[next() % WORDS.len()];
        let _ = writeln!(
            ttl,
            "<https://bench.example/begrep/{i}> a skos:Concept ;\n  skos:prefLabel \"{a}{b} {i}\"@nb, \"{a} {b} {i}\"@en ;\n  skos:altLabel \"{b}{a}\"@nb ;\n  euvoc:xlDefinition [ a euvoc:XlNote ; rdf:value \"{a} som gjelder {b} og {c} for sak {i}\"@nb ] ;\n  dct:publisher <https://data.brreg.no/enhetsregisteret/api/enheter/974760673> ;\n  skos:broader <https://bench.example/begrep/{}> .",
            i / 10
        );
    }
    ttl
}

fn main() {
    // RUST_LOG=semreg=debug shows the time of each step of an import and a catch-up batch.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let concepts: usize = std::env::var("CONCEPTS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ttl = catalog(concepts);

    // oxigraph's bulk loader on the same triples, as N-Triples (after semreg's skolemization,
    // so both load exactly the same graph).
    let batch = semreg_importers::import(
        semreg_importers::Format::Turtle,
        ttl.as_bytes(),
        &Default::default(),
    )
    .expect("the generated catalog imports");
    let ntriples: String = batch
        .resources
        .iter()
        .map(|r| semreg_importers::canonical_ntriples(&r.triples))
        .collect();
    let triples = ntriples.lines().count();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = oxigraph::store::Store::open(dir.path().join("bulk")).expect("store");
    let started = Instant::now();
    store
        .bulk_loader()
        .load_from_slice(oxigraph::io::RdfFormat::NTriples, ntriples.as_bytes())
        .expect("bulk load");
    let bulk = started.elapsed().as_secs_f64();
    drop(store);

    // semreg end to end.
    let (commit, projections) = runtime.block_on(async {
        let app = App::open(Config::with_data_dir(dir.path().join("semreg")))
            .await
            .expect("app");
        let started = Instant::now();
        let report = semreg::registry::import_file(
            &app.db,
            ImportRequest {
                file_name: Some("bench.ttl".into()),
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
        assert_eq!(report.created, concepts);
        let commit = started.elapsed().as_secs_f64();
        app.catch_up().await.expect("projections");
        (commit, started.elapsed().as_secs_f64())
    });
    let rate = |seconds: f64| triples as f64 / seconds;
    println!("catalog: {concepts} concepts, {triples} triples (after skolemization)");
    println!(
        "oxigraph bulk loader (N-Triples):             {bulk:7.2} s  {:>10.0} triples/s",
        rate(bulk)
    );
    println!(
        "semreg import, committed to SQLite:           {commit:7.2} s  {:>10.0} triples/s  ({:.2}x the bulk loader)",
        rate(commit),
        bulk / commit
    );
    println!(
        "semreg import + RDF and search projections:   {projections:7.2} s  {:>10.0} triples/s  ({:.2}x the bulk loader)",
        rate(projections),
        bulk / projections
    );
}
