//! The live change feed, through the real API on SQLite and PostgreSQL: every change carries
//! what a follower needs (hash, publisher, origin), filters narrow the log without making a
//! follower rescan it, a long poll answers as soon as a change commits, Server-Sent Events
//! deliver writes made after the client connected and resume from `Last-Event-ID` without a
//! gap or a repeat, and `/api/v1/instance` describes the instance with an id that survives a
//! restart.

mod common;

use common::{spawn_app_with, spawn_on, Backend, TestApp};
use serde_json::Value;
use std::time::Duration;

const PUBLISHER: &str = "974760673";
const OTHER: &str = "991825827";

/// A SKOS file with `n` concepts whose labels carry `word`.
fn concepts(scheme: &str, n: usize, word: &str) -> Vec<u8> {
    let mut ttl = String::from(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix dct: <http://purl.org/dc/terms/> .\n",
    );
    for i in 0..n {
        ttl.push_str(&format!(
            "<https://begrep.example.no/{scheme}/{i}> a skos:Concept ; skos:prefLabel \"{word} {i}\"@nb .\n"
        ));
    }
    ttl.into_bytes()
}

async fn import(app: &TestApp, publisher: &str, body: Vec<u8>) {
    let token = app.token(publisher).await;
    let response = app
        .import(
            Some(&token),
            &format!("format=turtle&publisher={publisher}"),
            body,
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

async fn spawn(backend: Backend, test: &str) -> Option<TestApp> {
    spawn_app_with(backend, test, |config| {
        config.feed_heartbeat = Duration::from_millis(200);
        config.instance_name = "testinstans".to_owned();
    })
    .await
}

async fn changes_carry_what_a_follower_needs_and_filters_narrow_them(backend: Backend) {
    let Some(app) = spawn(backend, "feed_fields").await else {
        return;
    };
    import(&app, PUBLISHER, concepts("a", 3, "bolig")).await;
    import(&app, OTHER, concepts("b", 2, "skatt")).await;
    let instance = app.get_json("/api/v1/instance").await;
    let origin = instance["id"].as_str().expect("instance id").to_owned();

    let page = app.get_json("/api/v1/changes?limit=1000").await;
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 5, "{page}");
    assert_eq!(page["next"], changes[4]["seq"]);
    for change in changes {
        assert_eq!(change["op"], "created");
        assert_eq!(change["origin"], origin.as_str());
        let id = change["id"].as_str().unwrap();
        let resource = app.get_json(&format!("/api/v1/resources/{id}")).await;
        assert_eq!(change["publisher"], resource["publisher"], "{change}");
        // The hash is the version's: the same as the resource's current content hash.
        let hash = change["hash"].as_str().expect("a hash");
        assert_eq!(hash.len(), 64, "{change}");
        let versions = app
            .get_json(&format!("/api/v1/resources/{id}/versions"))
            .await;
        assert!(
            versions.to_string().contains(hash),
            "hash {hash} is not among {versions}"
        );
    }
    let last = changes[4]["seq"].as_i64().unwrap();
    assert_eq!(instance["lastSeq"], last);
    assert_eq!(instance["firstSeq"], changes[0]["seq"]);
    assert_eq!(instance["name"], "testinstans");
    assert_eq!(instance["software"]["name"], "semreg");
    assert_eq!(instance["baseUrl"], app.base.as_str());
    assert!(instance["epoch"].as_str().is_some_and(|e| e.len() == 36));

    // Filters: by publisher, by id (several), by kind, by origin.
    let other = app
        .get_json(&format!("/api/v1/changes?publisher={OTHER}"))
        .await;
    assert_eq!(other["changes"].as_array().unwrap().len(), 2, "{other}");
    assert!(other["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["publisher"] == OTHER));
    // A filtered page moves `next` past everything it looked at.
    assert_eq!(other["next"], last);
    let two = format!(
        "{},{}",
        changes[0]["id"].as_str().unwrap(),
        changes[3]["id"].as_str().unwrap()
    );
    let by_id = app.get_json(&format!("/api/v1/changes?id={two}")).await;
    let seqs: Vec<&Value> = by_id["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["seq"])
        .collect();
    assert_eq!(seqs, vec![&changes[0]["seq"], &changes[3]["seq"]]);
    let none = app.get_json("/api/v1/changes?kind=code-list").await;
    assert_eq!(none["changes"].as_array().unwrap().len(), 0);
    assert_eq!(none["next"], last);
    let mine = app
        .get_json(&format!("/api/v1/changes?origin={origin}&limit=2"))
        .await;
    assert_eq!(mine["changes"].as_array().unwrap().len(), 2);
    assert_eq!(
        mine["next"], changes[1]["seq"],
        "a full page ends at its last change"
    );
    let elsewhere = app
        .get_json("/api/v1/changes?origin=00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(elsewhere["changes"].as_array().unwrap().len(), 0);
    // Paging with `next` reads every change exactly once.
    let mut seen = Vec::new();
    let mut since = 0;
    loop {
        let page = app
            .get_json(&format!("/api/v1/changes?since={since}&limit=2"))
            .await;
        let batch = page["changes"].as_array().unwrap();
        if batch.is_empty() {
            break;
        }
        seen.extend(batch.iter().map(|c| c["seq"].as_i64().unwrap()));
        since = page["next"].as_i64().unwrap();
    }
    let all: Vec<i64> = changes.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert_eq!(seen, all);

    // Bad parameters are problems naming the parameter.
    for (query, needle) in [
        ("wait=61", "wait"),
        ("kind=cat", "kind"),
        ("since=-1", "since"),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/changes?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body = response.text().await.unwrap();
        assert!(body.contains(needle), "{query}: {body}");
    }
}
both!(changes_carry_what_a_follower_needs_and_filters_narrow_them);

async fn a_long_poll_answers_when_a_change_commits_and_empty_at_its_wait(backend: Backend) {
    let Some(app) = spawn(backend, "feed_long_poll").await else {
        return;
    };
    import(&app, PUBLISHER, concepts("a", 1, "bolig")).await;
    let last = app.get_json("/api/v1/instance").await["lastSeq"]
        .as_i64()
        .unwrap();

    // Nothing after `last` within the wait: an empty page, `next` unchanged.
    let started = std::time::Instant::now();
    let empty = app
        .get_json(&format!("/api/v1/changes?since={last}&wait=1"))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(900), "it waited");
    assert_eq!(empty["changes"].as_array().unwrap().len(), 0);
    assert_eq!(empty["next"], last);

    // A poll waiting for another publisher's change is not woken by this publisher's.
    let poll = {
        let client = app.client.clone();
        let url = app.url(&format!(
            "/api/v1/changes?since={last}&wait=30&publisher={OTHER}"
        ));
        tokio::spawn(async move {
            let response = client.get(url).send().await.expect("poll");
            response.json::<Value>().await.expect("JSON")
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    import(&app, PUBLISHER, concepts("b", 1, "tomt")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!poll.is_finished(), "a non-matching change ended the poll");
    import(&app, OTHER, concepts("c", 1, "skatt")).await;
    let page = tokio::time::timeout(Duration::from_secs(20), poll)
        .await
        .expect("the poll answers well before its wait")
        .unwrap();
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{page}");
    assert_eq!(changes[0]["publisher"], OTHER);
    assert_eq!(page["next"], changes[0]["seq"]);
}
both!(a_long_poll_answers_when_a_change_commits_and_empty_at_its_wait);

/// Reads Server-Sent Events from a response until `n` `change` events have come (or `limit`
/// passes); returns their ids and data, and how many heartbeats came between.
async fn read_events(
    response: &mut reqwest::Response,
    n: usize,
    limit: Duration,
) -> (Vec<(i64, Value)>, usize) {
    let deadline = tokio::time::Instant::now() + limit;
    let mut text = String::new();
    let mut events = Vec::new();
    let mut heartbeats = 0;
    while events.len() < n {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events came: {text}", events.len()))
            .expect("stream")
            .expect("the stream does not end");
        text.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let (mut id, mut event, mut data) = (None, None, String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().parse::<i64>().expect("numeric id"));
                } else if let Some(v) = line.strip_prefix("event:") {
                    event = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim());
                } else if line.starts_with(':') {
                    heartbeats += 1;
                }
            }
            if event.as_deref() == Some("change") {
                let data: Value = serde_json::from_str(&data).expect("JSON data");
                let id = id.expect("an id");
                assert_eq!(data["seq"], id, "the event id is the seq");
                events.push((id, data));
            }
        }
    }
    (events, heartbeats)
}

async fn server_sent_events_deliver_new_writes_and_resume_without_gaps(backend: Backend) {
    let Some(app) = spawn(backend, "feed_sse").await else {
        return;
    };
    import(&app, PUBLISHER, concepts("a", 2, "bolig")).await;
    let mut stream = app
        .client
        .get(app.url("/api/v1/changes?since=0"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    // What was there before connecting, then what is written after.
    let (before, _) = read_events(&mut stream, 2, Duration::from_secs(20)).await;
    import(&app, PUBLISHER, concepts("b", 3, "tomt")).await;
    let (after, _) = read_events(&mut stream, 3, Duration::from_secs(20)).await;
    assert!(after
        .iter()
        .all(|(_, c)| c["iri"].as_str().unwrap().contains("/b/")));
    // Idle: heartbeats keep the connection alive.
    let heartbeat = tokio::time::timeout(Duration::from_secs(5), stream.chunk())
        .await
        .expect("a heartbeat within 5 s")
        .unwrap()
        .unwrap();
    assert!(std::str::from_utf8(&heartbeat).unwrap().starts_with(':'));
    drop(stream);

    // Reconnect after the second event: the rest, once each, then new ones.
    let resume_from = before[1].0;
    let mut resumed = app
        .client
        .get(app.url("/api/v1/changes"))
        .header("accept", "text/event-stream")
        .header("last-event-id", resume_from.to_string())
        .send()
        .await
        .unwrap();
    import(&app, OTHER, concepts("c", 1, "skatt")).await;
    let (rest, _) = read_events(&mut resumed, 4, Duration::from_secs(20)).await;
    let ids: Vec<i64> = rest.iter().map(|(id, _)| *id).collect();
    let mut expected: Vec<i64> = after.iter().map(|(id, _)| *id).collect();
    expected.push(expected[2] + 1);
    assert_eq!(ids, expected, "no gap, no repeat");
    assert_eq!(rest[3].1["publisher"], OTHER);

    // Filters apply to the stream too; a bad Last-Event-ID is a problem.
    let mut filtered = app
        .client
        .get(app.url(&format!("/api/v1/changes?publisher={OTHER}")))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    let (only, _) = read_events(&mut filtered, 1, Duration::from_secs(20)).await;
    assert_eq!(only[0].1["publisher"], OTHER);
    let bad = app
        .client
        .get(app.url("/api/v1/changes"))
        .header("accept", "text/event-stream")
        .header("last-event-id", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("Last-Event-ID"));
}
both!(server_sent_events_deliver_new_writes_and_resume_without_gaps);

async fn the_instance_keeps_its_id_and_epoch_across_restarts(backend: Backend) {
    let Some(app) = spawn(backend, "feed_instance").await else {
        return;
    };
    let first = app.get_json("/api/v1/instance").await;
    assert_eq!(first["lastSeq"], 0);
    assert_eq!(first["firstSeq"], 0);
    let (dir, url) = app.stop().await;
    let again = spawn_on(dir, url, |_| {}).await;
    let second = again.get_json("/api/v1/instance").await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["epoch"], second["epoch"]);
    assert_eq!(second["name"], "semreg", "the default name");
    // A renewed epoch (as a restore makes) is what the next open reports.
    let epoch = semreg::federation::Instance::renew_epoch(&again.app.db)
        .await
        .unwrap();
    assert_ne!(Value::from(epoch.clone()), first["epoch"]);
    let (dir, url) = again.stop().await;
    let third = spawn_on(dir, url, |_| {}).await;
    let described = third.get_json("/api/v1/instance").await;
    assert_eq!(described["epoch"], epoch.as_str());
    assert_eq!(described["id"], first["id"]);
}
both!(the_instance_keeps_its_id_and_epoch_across_restarts);
