//! Import throughput: a generated catalog of concepts imported end to end (parse, skolemize,
//! split, one transaction into SQLite, the RDF and search projections fed while it is
//! written), next to oxigraph's own bulk loader on the same N-Triples, in the same run. Prints
//! numbers; asserts only that the import and both projections hold every concept.
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

    // semreg end to end, as `semreg serve` imports: the projections fed while it writes.
    let fed = runtime.block_on(async {
        let app = App::open(Config::with_data_dir(dir.path().join("fed")))
            .await
            .expect("app");
        // Committed: when the change feed hears of the commit (App::import announces it as
        // soon as the transaction commits, before the projections show it).
        let mut commits = app.commits.subscribe();
        let before = *commits.borrow_and_update();
        let started = Instant::now();
        let committed = tokio::spawn(async move {
            commits.wait_for(|seq| *seq > before).await.ok();
            started.elapsed().as_secs_f64()
        });
        // Visible: when both projections' watermarks have moved (the only write is this one).
        let projections = app.projections.clone();
        let visible = tokio::spawn(async move {
            while projections.watermarks().0.min(projections.watermarks().1) == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            started.elapsed().as_secs_f64()
        });
        let report = app
            .import(request(&app, ttl.clone()))
            .await
            .expect("import");
        let returned = started.elapsed().as_secs_f64();
        assert_eq!(report.created, concepts);
        let (graph, search) = app.projections.watermarks();
        assert_eq!(
            Some(graph.min(search)),
            report.last_seq,
            "both projections hold the import"
        );
        assert_eq!(app.projections.search.doc_count(), concepts as u64);
        (
            committed.await.expect("commit watcher"),
            visible.await.expect("visibility watcher"),
            returned,
        )
    });

    // The same import committed first, the projections reading it back from the change log
    // after (what a catch-up does: a replay, another process's import).
    let replayed = runtime.block_on(async {
        let app = App::open(Config::with_data_dir(dir.path().join("replayed")))
            .await
            .expect("app");
        let started = Instant::now();
        let report = semreg::registry::import_file(&app.db, request(&app, ttl.clone()))
            .await
            .expect("import");
        assert_eq!(report.created, concepts);
        let commit = started.elapsed().as_secs_f64();
        app.projections
            .catch_up(&app.db)
            .await
            .expect("projections");
        let visible = started.elapsed().as_secs_f64();
        app.catch_up().await.expect("code-list cache");
        (commit, visible, started.elapsed().as_secs_f64())
    });
    let rate = |seconds: f64| triples as f64 / seconds;
    let line = |what: &str, seconds: f64| {
        println!(
            "{what:<52} {seconds:7.2} s  {:>10.0} triples/s  ({:.2}x the bulk loader)",
            rate(seconds),
            bulk / seconds
        )
    };
    println!("catalog: {concepts} concepts, {triples} triples (after skolemization)");
    println!(
        "{:<52} {bulk:7.2} s  {:>10.0} triples/s",
        "oxigraph bulk loader (N-Triples):",
        rate(bulk)
    );
    line("semreg import, committed to SQLite:", fed.0);
    line("semreg import + RDF and search projections:", fed.1);
    line("semreg import + code-list cache (import returns):", fed.2);
    line("committed, without feeding the projections:", replayed.0);
    line("+ RDF and search projections read back after:", replayed.1);
    line("+ code-list cache:", replayed.2);
}

fn request(app: &App, ttl: String) -> ImportRequest {
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
    }
}
