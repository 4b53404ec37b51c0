//! The store of record going away under a running server (PostgreSQL: the test's database
//! stops taking connections and its open ones are cut, the cluster itself stays up for the
//! other tests): code lists keep answering from memory, `/healthz` stays 200 but says
//! `degraded` and names the store, `/readyz` and writes answer 503 with `Retry-After`, and when
//! the database takes connections again semreg recovers without a restart.

mod common;

use common::{fresh_postgres_url, spawn_on};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use std::time::{Duration, Instant};

const PUBLISHER: &str = "974760673";

const CODE_LIST: &str = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
<https://example.org/outage/farger> a skos:ConceptScheme ; skos:prefLabel \"Farger\"@nb .\n\
<https://example.org/outage/farger/red> a skos:Concept ; skos:inScheme <https://example.org/outage/farger> ;\n\
  skos:notation \"red\" ; skos:prefLabel \"Rød\"@nb .\n";

fn concept(name: &str) -> Vec<u8> {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://begrep.example.no/outage/{name}> a skos:Concept ; skos:prefLabel \"{name}\"@nb .\n"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_outage_degrades_health_refuses_writes_with_503_and_recovers() {
    let Some(url) = fresh_postgres_url("a_store_outage_degrades_health").await else {
        return;
    };
    let name = url.rsplit('/').next().unwrap().to_owned();
    let admin = sea_orm::Database::connect(std::env::var("SEMREG_TEST_POSTGRES_URL").unwrap())
        .await
        .unwrap();
    let app = spawn_on(tempfile::tempdir().unwrap(), url, |_| {}).await;
    let token = app.token(PUBLISHER).await;
    let report: Value = app
        .import(Some(&token), "format=turtle", CODE_LIST.as_bytes().to_vec())
        .await
        .json()
        .await
        .unwrap();
    let list = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "code-list")
        .expect("a code list")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let codes = format!("/api/v1/code-lists/{list}/codes");
    assert_eq!(
        app.get_json("/healthz").await,
        serde_json::json!({"status": "ok"})
    );
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // The outage.
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();

    let health = app.get_json("/healthz").await;
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["down"], serde_json::json!(["store of record"]));
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    let mut reads = 0;
    for _ in 0..50 {
        let answer = app.client.get(app.url(&codes)).send().await.unwrap();
        assert_eq!(answer.status(), 200, "a code list during the outage");
        reads += 1;
    }
    let write = app
        .import(Some(&token), "format=turtle", concept("during"))
        .await;
    assert_eq!(write.status(), 503, "{}", write.text().await.unwrap());
    println!("outage: {reads}/{reads} code-list reads answered, the write answered 503");

    // The store comes back; semreg takes writes again without a restart.
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let back = Instant::now();
    loop {
        let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
        if ready.status() == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(60),
            "never ready again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "ready {} ms after the store of record took connections again",
        back.elapsed().as_millis()
    );
    let write = app
        .import(Some(&token), "format=turtle", concept("after"))
        .await;
    assert_eq!(write.status(), 200);
    assert_eq!(app.get_json("/healthz").await["status"], "ok");
    assert_eq!(
        app.resource_total("iri=https://begrep.example.no/outage/during")
            .await,
        0
    );
    drop(app);
    admin.close().await.ok();
}
