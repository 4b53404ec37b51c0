//! A large import feeds the RDF store and the search index while it is written
//! (`semreg::projections::Feed`), on SQLite and on PostgreSQL: both show it as soon as it
//! commits and hold exactly what a replay of the change log gives; a write that fails leaves
//! nothing in either; a crash between the commit and the projections costs a replay at the
//! next start; writes another writer commits while the feed waits for the write lock are
//! applied first, so the watermark never runs ahead of what the projections hold.

mod common;

use common::Backend;
use sea_orm::ConnectionTrait;
use semreg::app::App;
use semreg::config::Config;
use semreg::projections::{SearchRequest, FEED_MIN};
use semreg::registry::{self, Actor, ImportRequest};
use std::fmt::Write;
use std::sync::Arc;

/// Concepts `from..to`, labelled `{word} {i}`, each with a definition node (a blank node,
/// skolemized by the import) and a broader link.
fn catalog(from: usize, to: usize, word: &str) -> Vec<u8> {
    let mut ttl = String::from(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> .\n\
         @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n",
    );
    ttl.push_str(&concept_ttl(from, to, word));
    ttl.into_bytes()
}

/// The concepts of [`catalog`], without its prefixes.
fn concept_ttl(from: usize, to: usize, word: &str) -> String {
    let mut ttl = String::new();
    for i in from..to {
        let _ = writeln!(
            ttl,
            "<https://feed.example/begrep/{i}> a skos:Concept ;\n  skos:prefLabel \"{word} {i}\"@nb ;\n  euvoc:xlDefinition [ a euvoc:XlNote ; rdf:value \"{word} forklart for sak {i}\"@nb ] ;\n  skos:broader <https://feed.example/begrep/{}> .",
            i / 10
        );
    }
    ttl
}

fn request(bytes: Vec<u8>) -> ImportRequest {
    ImportRequest {
        file_name: Some("feed.ttl".into()),
        format: Some(semreg_importers::Format::Turtle),
        bytes,
        publisher: None,
        actor: Actor::Operator,
        params: Default::default(),
        status: Default::default(),
        caps: registry::ImportCaps::DEFAULT,
        audit: semreg::auth::audit::Context::new(
            semreg::auth::audit::Actor::operator(),
            semreg::auth::audit::Action::IMPORT,
        ),
    }
}

async fn open(dir: &std::path::Path, url: &str) -> Arc<App> {
    let mut config = Config::with_data_dir(dir);
    config.database_url = Some(url.to_owned());
    App::open(config).await.expect("app opens")
}

/// Imports through the feed, commits it and returns the import's last seq. Panics unless the
/// import was fed (a feed came back and committed).
async fn fed_import(app: &Arc<App>, bytes: Vec<u8>) -> i64 {
    let (report, feed) = registry::import_file_fed(&app.db, request(bytes), Some(&app.projections))
        .await
        .expect("import");
    let last = report.last_seq.expect("the import changed something");
    let fed_before = app.projections.fed_writes();
    feed.expect("a large import is fed")
        .commit(last)
        .await
        .expect("the feed commits");
    assert_eq!(app.projections.fed_writes(), fed_before + 1);
    last
}

async fn sparql_count(app: &Arc<App>, query: &str) -> u64 {
    let solutions = app
        .projections
        .select(query.to_owned())
        .await
        .expect("SPARQL");
    let term = solutions[0].get("n").expect("a count").to_string();
    term.trim_matches('"')
        .split('"')
        .next()
        .unwrap()
        .parse()
        .expect("a number")
}

fn search_total(app: &Arc<App>, q: &str) -> usize {
    app.projections
        .search
        .search(&SearchRequest {
            q: q.to_owned(),
            limit: 5,
            ..Default::default()
        })
        .expect("search")
        .total
}

/// What a reader sees in both projections, for comparing a fed state with a replayed one.
async fn snapshot(app: &Arc<App>) -> Vec<String> {
    let mut seen = vec![
        format!("docs {}", app.projections.search.doc_count()),
        format!("graphs {}", app.projections.graph.graph_count().unwrap()),
    ];
    for q in ["feedord", "endretord", "feedord 1042", "forklart", "sak 7"] {
        let results = app
            .projections
            .search
            .search(&SearchRequest {
                q: q.to_owned(),
                limit: 5000,
                ..Default::default()
            })
            .expect("search");
        // Every hit, in IRI order: scores differ a little while replaced documents wait to be
        // merged away, so the order is not compared.
        let mut hits: Vec<String> = results
            .hits
            .iter()
            .map(|h| format!("{} {} {}", h.iri, h.label, h.status))
            .collect();
        hits.sort();
        seen.push(format!("{q}: {} {hits:?}", results.total));
    }
    for query in [
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(STRSTARTS(?l, \"endretord\")) }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c <http://www.w3.org/ns/prov#wasAttributedTo> ?agent }",
    ] {
        seen.push(format!("{query}: {}", sparql_count(app, query).await));
    }
    seen
}

async fn a_large_import_is_fed_and_equals_a_replay(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir.path(), "fed_equals_replay").await else {
        return;
    };
    let app = open(dir.path(), &url).await;
    let n = FEED_MIN + 200;
    let last = fed_import(&app, catalog(0, n, "feedord")).await;
    // Visible the moment the feed has committed: no catch-up ran in between.
    assert_eq!(app.projections.watermarks(), (last, last));
    assert_eq!(app.projections.search.doc_count(), n as u64);
    assert_eq!(search_total(&app, "feedord"), n);
    let concepts =
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> }";
    assert_eq!(sparql_count(&app, concepts).await, n as u64);

    // A second large import: 1,000 changed, the rest unchanged, 300 new. The changed graphs
    // and documents are replaced, not added to.
    let mut second = catalog(0, 1000, "endretord");
    second.extend(concept_ttl(1000, n + 300, "feedord").into_bytes());
    let last = fed_import(&app, second).await;
    assert_eq!(app.projections.watermarks(), (last, last));
    assert_eq!(app.projections.search.doc_count(), (n + 300) as u64);
    assert_eq!(search_total(&app, "endretord"), 1000);
    assert_eq!(search_total(&app, "feedord"), n + 300 - 1000);
    assert_eq!(sparql_count(&app, concepts).await, (n + 300) as u64);
    let labels_of_one = "SELECT (COUNT(*) AS ?n) WHERE { <https://feed.example/begrep/5> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }";
    assert_eq!(
        sparql_count(&app, labels_of_one).await,
        1,
        "the old graph was cleared"
    );

    // What the feed built is what a replay of the change log builds.
    let fed = snapshot(&app).await;
    app.projections.clear().await.expect("clear");
    assert_eq!(app.projections.watermarks(), (0, 0));
    app.catch_up().await.expect("replay");
    assert_eq!(app.projections.watermarks(), (last, last));
    let replayed = snapshot(&app).await;
    assert_eq!(fed, replayed);
}
both!(a_large_import_is_fed_and_equals_a_replay);

/// Makes every insert into the audit trail fail: the last statement of a write's
/// transaction, after everything the feed stages.
async fn fail_writes(app: &Arc<App>, backend: Backend, fail: bool) {
    let statements: &[&str] = match (backend, fail) {
        (Backend::Sqlite, true) => &["CREATE TRIGGER fail_writes BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'injected failure'); END"],
        (Backend::Sqlite, false) => &["DROP TRIGGER fail_writes"],
        (Backend::Postgres, true) => &[
            "CREATE FUNCTION fail_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
            "CREATE TRIGGER fail_writes BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION fail_writes()",
        ],
        (Backend::Postgres, false) => &["DROP TRIGGER fail_writes ON audit", "DROP FUNCTION fail_writes()"],
    };
    for statement in statements {
        app.db.execute_unprepared(statement).await.expect(statement);
    }
}

async fn a_failed_write_leaves_nothing_in_either_projection(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir.path(), "fed_failed_write").await else {
        return;
    };
    let app = open(dir.path(), &url).await;
    let before = fed_import(&app, catalog(0, FEED_MIN, "feedord")).await;

    fail_writes(&app, backend, true).await;
    let failed = registry::import_file_fed(
        &app.db,
        request(catalog(5000, 5000 + FEED_MIN, "endretord")),
        Some(&app.projections),
    )
    .await;
    let error = failed.err().expect("the write fails").to_string();
    assert!(error.contains("injected failure"), "{error}");
    // The feed had staged every resource when the transaction failed; none shows.
    app.catch_up().await.expect("catch-up");
    assert_eq!(app.projections.watermarks(), (before, before));
    assert_eq!(app.projections.search.doc_count(), FEED_MIN as u64);
    assert_eq!(search_total(&app, "endretord"), 0);
    let new = "SELECT (COUNT(*) AS ?n) WHERE { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(STRSTARTS(?l, \"endretord\")) }";
    assert_eq!(sparql_count(&app, new).await, 0);
    assert_eq!(app.projections.graph.graph_count().unwrap(), FEED_MIN);

    // Both projections take the next write (the index writer went back to its last commit).
    fail_writes(&app, backend, false).await;
    let last = fed_import(&app, catalog(5000, 5000 + FEED_MIN, "endretord")).await;
    assert_eq!(app.projections.watermarks(), (last, last));
    assert_eq!(search_total(&app, "endretord"), FEED_MIN);
    assert_eq!(sparql_count(&app, new).await, FEED_MIN as u64);
}
both!(a_failed_write_leaves_nothing_in_either_projection);

async fn a_crash_between_the_commit_and_the_projections_costs_a_replay(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir.path(), "fed_crash").await else {
        return;
    };
    let app = open(dir.path(), &url).await;
    let (report, feed) = registry::import_file_fed(
        &app.db,
        request(catalog(0, FEED_MIN, "feedord")),
        Some(&app.projections),
    )
    .await
    .expect("import");
    let last = report.last_seq.unwrap();
    // Committed, but the process "dies" before the feed commits: its staged work is lost.
    drop(feed.expect("fed"));
    let projections = Arc::clone(&app.projections);
    // The abandoned feed lets go of the catch-up lock once it has rolled back.
    let (graph, search) = projections.watermarks();
    assert!(
        graph < last && search < last,
        "nothing ahead of what was applied"
    );
    let db = app.db.clone();
    drop(app);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while Arc::strong_count(&projections) > 1 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    drop(projections);
    db.close().await.ok();

    let app = open(dir.path(), &url).await;
    assert_eq!(app.projections.watermarks(), (last, last));
    assert_eq!(search_total(&app, "feedord"), FEED_MIN);
    let concepts =
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> }";
    assert_eq!(sparql_count(&app, concepts).await, FEED_MIN as u64);
}
both!(a_crash_between_the_commit_and_the_projections_costs_a_replay);

async fn writes_committed_while_a_feed_waits_are_applied_first(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::database_url(backend, dir.path(), "fed_concurrent").await else {
        return;
    };
    let app = open(dir.path(), &url).await;
    let feed = app.projections.begin_feed(&app.db).await.expect("feed");
    // Another writer commits after the feed began and before the large write takes the lock.
    let small = registry::import_file(&app.db, request(catalog(9000, 9003, "annetord")))
        .await
        .expect("small import");
    let small_last = small.last_seq.unwrap();
    let parsed = registry::parse(
        Some(semreg_importers::Format::Turtle),
        None,
        catalog(0, FEED_MIN, "feedord"),
        Default::default(),
        registry::ImportCaps::DEFAULT,
    )
    .await
    .expect("parse");
    let (report, feed) = registry::apply_with(
        &app.db,
        registry::ApplyRequest {
            parsed,
            file: None,
            publisher: None,
            actor: Actor::Operator,
            scope: registry::Scope::Merge,
            dry_run: false,
            run_id: None,
            precondition: None,
            status: Default::default(),
            audit: semreg::auth::audit::Context::new(
                semreg::auth::audit::Actor::operator(),
                semreg::auth::audit::Action::IMPORT,
            ),
        },
        Some(feed),
    )
    .await
    .expect("large import");
    let last = report.last_seq.unwrap();
    assert!(last > small_last);
    feed.expect("still fed: the small write was caught up first")
        .commit(last)
        .await
        .expect("commit");
    assert_eq!(app.projections.watermarks(), (last, last));
    assert_eq!(search_total(&app, "annetord"), 3);
    assert_eq!(search_total(&app, "feedord"), FEED_MIN);
    assert_eq!(app.projections.search.doc_count(), (FEED_MIN + 3) as u64);
}
both!(writes_committed_while_a_feed_waits_are_applied_first);

async fn a_large_catalog_push_is_fed_with_its_retirements(backend: Backend) {
    let Some(server) = common::spawn_app(backend, "fed_push").await else {
        return;
    };
    const ORG: &str = "974760673";
    let token = server.token(ORG).await;
    let put = |body: Vec<u8>| {
        server
            .client
            .put(server.url(&format!("/api/v1/publishers/{ORG}/catalog")))
            .header("content-type", "text/turtle")
            .bearer_auth(&token)
            .body(body)
            .send()
    };
    let n = FEED_MIN + 200;
    let response = put(catalog(0, n, "feedord")).await.expect("PUT");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let last = server.app.projections.watermarks();
    assert_eq!(last.0, last.1);
    assert_eq!(search_total(&server.app, "feedord"), n);

    // The catalog again without its last 200 concepts and with 1,000 changed: 200 retire.
    let fed_before = server.app.projections.fed_writes();
    let response = put(catalog(0, FEED_MIN, "endretord")).await.expect("PUT");
    let body: serde_json::Value = response.json().await.expect("report");
    assert_eq!(body["retired"], 200, "{body}");
    assert_eq!(body["updated"], FEED_MIN, "{body}");
    let seq = body["last_seq"].as_i64().expect("last_seq");
    // Fed: both projections hold the push when its answer comes.
    assert_eq!(
        server.app.projections.fed_writes(),
        fed_before + 1,
        "the push was fed"
    );
    assert_eq!(server.app.projections.watermarks(), (seq, seq));
    assert_eq!(search_total(&server.app, "endretord"), FEED_MIN);
    // Retired resources are kept (and found only when asked for).
    assert_eq!(search_total(&server.app, "feedord"), 0);
    let retired = server
        .app
        .projections
        .search
        .search(&SearchRequest {
            q: "feedord".to_owned(),
            status: Some("retired".to_owned()),
            limit: 5,
            ..Default::default()
        })
        .expect("search")
        .total;
    assert_eq!(retired, 200);
    let fed = snapshot(&server.app).await;
    server.app.projections.clear().await.expect("clear");
    server.app.catch_up().await.expect("replay");
    assert_eq!(fed, snapshot(&server.app).await);
}
both!(a_large_catalog_push_is_fed_with_its_retirements);
