//! Backup and restore (`semreg export --all`, `semreg restore`) through the real binary:
//! SQLite → SQLite, SQLite → PostgreSQL and PostgreSQL → SQLite rebuild the same rows, change-log
//! seq, content hashes, SPARQL answers, search totals and code-list bytes and ETags, keep the
//! instance id and renew the epoch; truncated and tampered files and non-empty targets are
//! refused with nothing changed.

mod common;

use common::{database_url, spawn_app, spawn_on, Backend, TestApp};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_semreg");
const PUBLISHER: &str = "974760673";

const LIST: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix semreg: <https://w3id.org/semreg/ns#> .
@prefix l: <https://example.org/lists/fylke/code/> .
<https://example.org/lists/fylke> a skos:ConceptScheme ;
    skos:prefLabel "Fylker"@nb, "Counties"@en ; semreg:alias "test-fylker" .
l:03 a skos:Concept ; skos:inScheme <https://example.org/lists/fylke> ;
    skos:topConceptOf <https://example.org/lists/fylke> ;
    skos:notation "03" ; semreg:order 0 ; skos:prefLabel "Oslo"@nb .
l:11 a skos:Concept ; skos:inScheme <https://example.org/lists/fylke> ;
    skos:topConceptOf <https://example.org/lists/fylke> ;
    skos:notation "11" ; semreg:order 1 ; skos:prefLabel "Rogaland"@nb ;
    skos:definition "Fylket med \"Stavanger\"\nog Sandnes"@nb .
"#;

const CONCEPTS: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.org/begrep/inntekt> a skos:Concept ;
    skos:prefLabel "inntekt"@nb, "income"@en ; skos:definition "Penger man tjener"@nb .
<https://example.org/begrep/formue> a skos:Concept ;
    skos:prefLabel "formue"@nb ; skos:definition "Det man eier, minus gjeld"@nb .
"#;

async fn run(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .env_remove("SEMREG_DATABASE_URL")
        .env_remove("SEMREG_DATA_DIR")
        .output()
        .await
        .expect("run semreg")
}

fn store_args<'a>(dir: &'a Path, url: &'a str) -> Vec<String> {
    vec![
        "--data-dir".into(),
        dir.display().to_string(),
        "--database-url".into(),
        url.to_owned(),
    ]
}

async fn semreg(args: Vec<String>) -> std::process::Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs).await
}

/// Fills an instance: a code list in two versions, concepts, a retired resource and a token.
async fn populate(app: &TestApp) {
    let token = app.token(PUBLISHER).await;
    for body in [
        LIST.to_owned(),
        CONCEPTS.to_owned(),
        LIST.replace("Rogaland", "Rogaland fylke"),
    ] {
        let response = app.import(Some(&token), "format=turtle", body.into()).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
}

/// What a test compares between two instances, read over HTTP.
#[derive(Debug, PartialEq)]
struct Observed {
    resources: u64,
    quads: u64,
    concepts: u64,
    search_total: u64,
    code_list: Vec<u8>,
    etag: String,
    changes: serde_json::Value,
}

async fn observe(app: &TestApp) -> Observed {
    let response = app
        .client
        .get(app.url("/api/v1/code-lists/test-fylker/codes?lang=nb"))
        .send()
        .await
        .expect("code list");
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let code_list = response.bytes().await.unwrap().to_vec();
    let search = app.get_json("/api/v1/search?q=inntekt").await;
    Observed {
        resources: app.resource_total("").await,
        quads: app
            .sparql_count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            .await,
        concepts: app
            .sparql_count(
                "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?c a <http://www.w3.org/2004/02/skos/core#Concept> } }",
            )
            .await,
        search_total: search["total"].as_u64().unwrap(),
        code_list,
        etag,
        changes: micros(app.get_json("/api/v1/changes?since=0&limit=1000").await),
    }
}

/// Timestamps at microsecond precision, PostgreSQL's (SQLite keeps nanoseconds).
fn micros(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        J::String(text) => match chrono::DateTime::parse_from_rfc3339(&text) {
            Ok(t) => J::from(
                t.to_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ),
            Err(_) => J::String(text),
        },
        J::Array(items) => J::Array(items.into_iter().map(micros).collect()),
        J::Object(map) => J::Object(map.into_iter().map(|(k, v)| (k, micros(v))).collect()),
        other => other,
    }
}

/// The rows of a store, per table, sorted, timestamps at microsecond precision (PostgreSQL's),
/// the change-log epoch left out (a restore renews it).
async fn rows(url: &str) -> BTreeMap<String, Vec<String>> {
    let db = semreg::store::connect(url).await.expect("connect");
    let mut out = Vec::new();
    semreg::backup::export(&db, &mut out, &indicatif::ProgressBar::hidden())
        .await
        .expect("export");
    db.close().await.ok();
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8(out).unwrap().lines() {
        if let Some(rest) = line.strip_prefix("# row ") {
            let (table, json) = rest.split_once(' ').unwrap();
            let values: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
            let values: Vec<serde_json::Value> = values.into_iter().map(micros).collect();
            if table == "settings" && values[0] == "changes.epoch" {
                continue;
            }
            // The restore's own audit entry is the one row a restored store has more.
            if table == "audit" && values.iter().any(|v| v == "restore") {
                continue;
            }
            tables
                .entry(table.to_owned())
                .or_default()
                .push(serde_json::to_string(&values).unwrap());
        } else if !line.starts_with('#') {
            tables
                .entry("(quads)".into())
                .or_default()
                .push(line.to_owned());
        }
    }
    for rows in tables.values_mut() {
        rows.sort();
    }
    tables
}

async fn instance(app: &TestApp) -> (String, String) {
    let json = app.get_json("/api/v1/instance").await;
    (
        json["id"].as_str().expect("instance id").to_owned(),
        json["epoch"].as_str().expect("epoch").to_owned(),
    )
}

async fn export_to(dir: &Path, url: &str, file: &Path) {
    let mut args = vec!["export".to_owned(), "--all".to_owned()];
    args.extend(store_args(dir, url));
    args.extend(["-o".to_owned(), file.display().to_string()]);
    let output = semreg(args).await;
    assert!(
        output.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn restore(dir: &Path, url: &str, file: &Path, force: bool) -> std::process::Output {
    let mut args = vec!["restore".to_owned()];
    if force {
        args.push("--force".into());
    }
    args.extend(store_args(dir, url));
    args.push(file.display().to_string());
    semreg(args).await
}

async fn round_trip(from: Backend, to: Backend, test: &str) {
    let Some(source) = spawn_app(from, test).await else {
        return;
    };
    populate(&source).await;
    let before = observe(&source).await;
    let (id, epoch) = instance(&source).await;
    let (source_dir, source_url) = source.stop().await;
    let backup_dir = tempfile::tempdir().unwrap();
    let file = backup_dir.path().join("semreg.backup");
    export_to(source_dir.path(), &source_url, &file).await;
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# semreg-backup v1 "), "{}", &text[..80]);
    assert!(
        text.lines()
            .any(|l| l.ends_with(":2> .") && l.contains("<urn:semreg:version:")),
        "the second version's RDF is in the backup as N-Quads"
    );

    let target_dir = tempfile::tempdir().unwrap();
    let Some(target_url) = database_url(to, target_dir.path(), test).await else {
        return;
    };
    let output = restore(target_dir.path(), &target_url, &file, false).await;
    assert!(
        output.status.success(),
        "restore failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(rows(&source_url).await, rows(&target_url).await);

    let target = spawn_on(target_dir, target_url.clone(), |_| {}).await;
    let after = observe(&target).await;
    assert_eq!(before, after);
    assert!(before.quads > 20 && before.search_total > 0);
    let (restored_id, restored_epoch) = instance(&target).await;
    assert_eq!(restored_id, id, "the instance id is kept");
    // The restore is in the restored audit trail, by the operator.
    let admin = semreg::auth::tokens::create_admin_token(&target.app.db)
        .await
        .unwrap();
    let audit: serde_json::Value = target
        .client
        .get(target.url("/api/v1/audit?action=restore"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 1, "{audit}");
    assert_ne!(restored_epoch, epoch, "the epoch is renewed");
    // The restored instance takes writes, with seq continuing after the restored ones.
    let last = semreg::store::last_seq(&target.app.db).await.unwrap();
    let token = target.token(PUBLISHER).await;
    let response = target
        .import(
            Some(&token),
            "format=turtle",
            LIST.replace("Oslo", "Oslo by").into(),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    assert!(semreg::store::last_seq(&target.app.db).await.unwrap() > last);
    target.stop().await;
}

#[tokio::test]
async fn sqlite_to_sqlite() {
    round_trip(Backend::Sqlite, Backend::Sqlite, "backup sqlite_to_sqlite").await;
}

#[tokio::test]
async fn sqlite_to_postgres() {
    round_trip(
        Backend::Sqlite,
        Backend::Postgres,
        "backup sqlite_to_postgres",
    )
    .await;
}

#[tokio::test]
async fn postgres_to_sqlite() {
    round_trip(
        Backend::Postgres,
        Backend::Sqlite,
        "backup postgres_to_sqlite",
    )
    .await;
}

/// A backup of a populated SQLite instance, and the instance's data dir and URL.
async fn backup_of_populated(
    test: &str,
) -> (tempfile::TempDir, String, tempfile::TempDir, PathBuf) {
    let source = spawn_app(Backend::Sqlite, test).await.expect("SQLite app");
    populate(&source).await;
    let (dir, url) = source.stop().await;
    let backup_dir = tempfile::tempdir().unwrap();
    let file = backup_dir.path().join("semreg.backup");
    export_to(dir.path(), &url, &file).await;
    (dir, url, backup_dir, file)
}

async fn assert_refused(file: &Path, backend: Backend, needle: &str, test: &str) {
    let target_dir = tempfile::tempdir().unwrap();
    let Some(url) = database_url(backend, target_dir.path(), test).await else {
        return;
    };
    let output = restore(target_dir.path(), &url, file, false).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "restore of a bad file succeeded");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    let db = semreg::store::connect(&url).await.unwrap();
    assert!(
        semreg::backup::is_empty(&db).await.unwrap(),
        "nothing restored"
    );
    assert_eq!(semreg::store::last_seq(&db).await.unwrap(), 0);
    db.close().await.ok();
}

#[tokio::test]
async fn truncated_and_tampered_files_are_refused() {
    let (_dir, _url, backup_dir, file) = backup_of_populated("backup refused").await;
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    // Cut after a whole line, and in the middle of one.
    let cut = backup_dir.path().join("cut.backup");
    std::fs::write(&cut, lines[..lines.len() / 2].join("\n") + "\n").unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        assert_refused(&cut, backend, "truncated", "backup truncated").await;
    }
    std::fs::write(&cut, &text[..text.len() - 10]).unwrap();
    assert_refused(&cut, Backend::Sqlite, "truncated", "backup cut mid-line").await;

    // One label changed in a row line: the checksum names the lines.
    let tampered = backup_dir.path().join("tampered.backup");
    let row = lines
        .iter()
        .position(|l| l.starts_with("# row resources ") && l.contains("Fylker"))
        .expect("the code list's row");
    let mut altered: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    altered[row] = altered[row].replace("Fylker", "Fylket");
    std::fs::write(&tampered, altered.join("\n") + "\n").unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        assert_refused(
            &tampered,
            backend,
            "checksum mismatch: lines 1-",
            "backup tampered",
        )
        .await;
    }
    // A quad changed: refused, its version's content hash no longer matches.
    let quad = lines
        .iter()
        .position(|l| l.starts_with('<'))
        .expect("a quad");
    let mut altered: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    altered[quad] = altered[quad].replacen('<', "<x", 1);
    std::fs::write(&tampered, altered.join("\n") + "\n").unwrap();
    assert_refused(
        &tampered,
        Backend::Sqlite,
        "do not match its content hash",
        "backup quad",
    )
    .await;
    // Not a backup at all.
    std::fs::write(&tampered, "hello\n").unwrap();
    assert_refused(
        &tampered,
        Backend::Sqlite,
        "line 1: not a semreg backup",
        "backup junk",
    )
    .await;
}

#[tokio::test]
async fn non_empty_target_needs_force() {
    let (_dir, _url, _backup_dir, file) = backup_of_populated("backup force").await;
    // The target holds other data.
    let target = spawn_app(Backend::Sqlite, "backup force target")
        .await
        .unwrap();
    let token = target.token("910244132").await;
    let response = target
        .import(Some(&token), "format=turtle", CONCEPTS.into())
        .await;
    assert_eq!(response.status(), 200);
    let (target_dir, target_url) = target.stop().await;
    let before = rows(&target_url).await;
    let output = restore(target_dir.path(), &target_url, &file, false).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(before, rows(&target_url).await, "nothing changed");

    let output = restore(target_dir.path(), &target_url, &file, true).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let target = spawn_on(target_dir, target_url, |_| {}).await;
    // Only the backup's resources remain, their projections rebuilt.
    let publishers = target
        .get_json("/api/v1/resources?publisher=910244132")
        .await;
    assert_eq!(publishers["total"], 0, "{publishers}");
    assert!(target.resource_total("").await > 0);
    assert_eq!(
        target.get_json("/api/v1/search?q=inntekt").await["total"],
        1
    );
    target.stop().await;
}

/// Every table of the store of record is in a backup: the backup module discovers them, so a
/// table a later migration adds needs no change there; this fails if one is left out.
#[tokio::test]
async fn every_table_is_in_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let url = semreg::store::default_sqlite_url(dir.path());
    let db = semreg::store::connect(&url).await.unwrap();
    use sea_orm::ConnectionTrait;
    let all: Vec<String> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .filter(|n| n != "seaql_migrations")
        .collect();
    let mut out = Vec::new();
    semreg::backup::export(&db, &mut out, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let header: serde_json::Value = serde_json::from_str(
        text.lines()
            .next()
            .unwrap()
            .strip_prefix("# semreg-backup v1 ")
            .unwrap(),
    )
    .unwrap();
    let listed: Vec<&str> = header["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(all.len() >= 8, "{all:?}");
    for table in &all {
        assert!(
            listed.contains(&table.as_str()),
            "{table} missing from {listed:?}"
        );
    }
    // Parents come before the tables that refer to them.
    let position = |name: &str| listed.iter().position(|t| *t == name).unwrap();
    assert!(position("publishers") < position("resources"));
    assert!(position("resources") < position("versions"));
}
