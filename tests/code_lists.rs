//! Code lists at runtime: date semantics, languages, selection, caching headers and Altinn
//! shapes, on SQLite and PostgreSQL.

mod common;

use common::{spawn_app, Backend, TestApp};
use serde_json::Value;

const PUBLISHER: &str = "974760673";

/// A small municipality-like list written for these tests: a reform on 2020-01-01 replaced
/// 0101 by 3001, and typed values as Altinn has them.
const LIST: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix semreg: <https://w3id.org/semreg/ns#> .
@prefix l: <https://example.org/lists/kommune/code/> .

<https://example.org/lists/kommune> a skos:ConceptScheme ;
    skos:prefLabel "Kommuner"@nb, "Municipalities"@en ;
    semreg:alias "test-kommuner" .

l:03 a skos:Concept ; skos:inScheme <https://example.org/lists/kommune> ;
    skos:topConceptOf <https://example.org/lists/kommune> ;
    skos:notation "03" ; semreg:order 0 ; semreg:level 1 ;
    skos:prefLabel "Oslo fylke"@nb .
l:0301 a skos:Concept ; skos:inScheme <https://example.org/lists/kommune> ;
    skos:notation "0301" ; semreg:order 1 ; semreg:level 2 ; skos:broader l:03 ;
    skos:prefLabel "Oslo"@nb, "Oslo"@en ; skos:definition "Hovedstaden"@nb ;
    skos:scopeNote "Velg Oslo om du bor i Oslo"@nb .
l:0101 a skos:Concept ; skos:inScheme <https://example.org/lists/kommune> ;
    skos:topConceptOf <https://example.org/lists/kommune> ;
    skos:notation "0101" ; semreg:order 2 ; semreg:level 1 ;
    skos:prefLabel "Halden"@nb ;
    euvoc:endDate "2020-01-01"^^xsd:date ; dct:isReplacedBy l:3001 .
l:3001 a skos:Concept ; skos:inScheme <https://example.org/lists/kommune> ;
    skos:topConceptOf <https://example.org/lists/kommune> ;
    skos:notation "3001" ; semreg:order 3 ; semreg:level 1 ;
    skos:prefLabel "Halden"@nb, "Halden"@nn ; skos:altLabel "Hald."@nb ;
    euvoc:startDate "2020-01-01"^^xsd:date .
l:1103 a skos:Concept ; skos:inScheme <https://example.org/lists/kommune> ;
    skos:topConceptOf <https://example.org/lists/kommune> ;
    skos:notation "1103" ; semreg:order 4 ; semreg:level 1 ;
    skos:prefLabel "Stavanger"@nb ; skos:prefLabel "Ståvanger-é"@en .
"#;

const TYPED: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix semreg: <https://w3id.org/semreg/ns#> .
<https://example.org/lists/typed> a skos:ConceptScheme ; semreg:alias "typed" ;
    semreg:altinnTagNames "[\"kategori\"]" .
<https://example.org/lists/typed/code/1.5> skos:inScheme <https://example.org/lists/typed> ;
    skos:notation "1.5"^^xsd:decimal ; semreg:order 0 ; skos:prefLabel "En og en halv"@nb ;
    semreg:altinnTags "[\"tall\"]" .
<https://example.org/lists/typed/code/true> skos:inScheme <https://example.org/lists/typed> ;
    skos:notation "true"^^xsd:boolean ; semreg:order 1 ; skos:prefLabel "Ja"@nb, "Yes"@en .
<https://example.org/lists/typed/code/_null> skos:inScheme <https://example.org/lists/typed> ;
    skos:notation "null"^^semreg:jsonNull ; semreg:order 2 ; skos:prefLabel "Vet ikke"@nb .
"#;

async fn with_lists(backend: Backend, test: &str) -> Option<(TestApp, String)> {
    let app = spawn_app(backend, test).await?;
    let token = app.token(PUBLISHER).await;
    for body in [LIST, TYPED] {
        let response = app.import(Some(&token), "format=turtle", body.into()).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    Some((app, token))
}

fn codes(json: &Value) -> Vec<String> {
    json["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn dates_languages_and_selection_follow_klass_semantics(backend: Backend) {
    let Some((app, _)) = with_lists(backend, "code_list_dates").await else {
        return;
    };
    let base = "/api/v1/code-lists/test-kommuner/codes";
    let all = app.get_json(base).await;
    assert_eq!(codes(&all), ["03", "0301", "0101", "3001", "1103"]);
    assert_eq!(all["version"], 1);
    assert_eq!(all["codes"][1]["parent"], "03");
    assert_eq!(all["codes"][1]["level"], 2);
    assert_eq!(all["codes"][1]["description"], "Hovedstaden");

    // validFrom inclusive, validTo exclusive.
    let before = app.get_json(&format!("{base}?date=2019-12-31")).await;
    assert_eq!(codes(&before), ["03", "0301", "0101", "1103"]);
    let after = app.get_json(&format!("{base}?date=2020-01-01")).await;
    assert_eq!(codes(&after), ["03", "0301", "3001", "1103"]);
    let range = app
        .get_json(&format!("{base}?from=2019-06-01&to=2020-06-01"))
        .await;
    assert_eq!(codes(&range).len(), 5);

    // Language with fallback: en where present, nb otherwise.
    let en = app.get_json(&format!("{base}?lang=en")).await;
    assert_eq!(en["codes"][0]["label"], "Oslo fylke");
    assert_eq!(en["codes"][4]["label"], "Ståvanger-é");
    let nn = app.get_json(&format!("{base}?lang=nn")).await;
    assert_eq!(nn["codes"][3]["label"], "Halden");

    // Hierarchy, filter, select.
    assert_eq!(
        codes(&app.get_json(&format!("{base}?level=2")).await),
        ["0301"]
    );
    assert_eq!(
        codes(&app.get_json(&format!("{base}?parent=03")).await),
        ["0301"]
    );
    assert_eq!(
        codes(
            &app.get_json(&format!("{base}?lang=en&filter=STAVANGER-E"))
                .await
        ),
        ["1103"]
    );
    assert_eq!(
        codes(&app.get_json(&format!("{base}?select=03*,1000-2000")).await),
        ["03", "0301", "1103"]
    );

    // A language the list lacks falls back (nb first), as an Altinn app asking in its user's
    // language expects; an empty range selects nothing.
    assert_eq!(
        app.get_json(&format!("{base}?lang=de")).await["codes"],
        app.get_json(&format!("{base}?lang=nb")).await["codes"]
    );
    assert!(codes(
        &app.get_json(&format!("{base}?from=2021-01-01&to=2020-01-01"))
            .await
    )
    .is_empty());

    // Errors say what is allowed.
    app.assert_bad_queries(
        base,
        &[
            ("date=2020-13-01", "YYYY-MM-DD"),
            ("date=2020-1-01", "YYYY-MM-DD"),
            ("lang=d", "language tag"),
            ("language=", "language tag"),
            ("select=3004-", "ranges"),
            ("select=30 04", "ranges"),
            ("level=zero", "positive"),
            ("level=%2B1", "positive"),
            ("version=x", "version number"),
            ("version=%2B1", "version number"),
            ("version=+1", "version number"),
        ],
    )
    .await;
    let response = app
        .client
        .get(app.url("/api/v1/code-lists/no-such-list/codes"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("no-such-list"));
}
both!(dates_languages_and_selection_follow_klass_semantics);

async fn etags_give_304_and_versions_are_cached_forever(backend: Backend) {
    let Some((app, token)) = with_lists(backend, "code_list_cache").await else {
        return;
    };
    let url = app.url("/api/v1/code-lists/test-kommuner/codes?lang=nb");
    let first = app.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"));
    assert!(first.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=60"));
    assert_eq!(first.headers()["vary"], "Accept, Accept-Encoding");
    let again = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    // A new version: the latest answer and its ETag change; version 1 stays, immutable.
    let changed = LIST.replace("\"Stavanger\"@nb", "\"Stavanger kommune\"@nb");
    let report: Value = app
        .import(Some(&token), "format=turtle", changed.into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["updated"], 1);
    let latest = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(latest.status(), 200);
    let body: Value = latest.json().await.unwrap();
    assert_eq!(body["version"], 2);
    assert_eq!(body["codes"][4]["label"], "Stavanger kommune");
    let pinned = app
        .client
        .get(app.url("/api/v1/code-lists/test-kommuner/codes?lang=nb&version=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(pinned.status(), 200);
    assert_eq!(
        pinned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let body: Value = pinned.json().await.unwrap();
    assert_eq!(body["version"], 1);
    assert_eq!(body["codes"][4]["label"], "Stavanger");
    let by_version = app
        .get_json("/api/v1/code-lists/test-kommuner/changes?from=1&to=2")
        .await;
    assert_eq!(by_version["changes"][0]["change"], "renamed");
    assert_eq!(by_version["changes"][0]["newName"], "Stavanger kommune");
    let by_date = app
        .get_json("/api/v1/code-lists/test-kommuner/changes?from=2019-01-01&to=2021-01-01")
        .await;
    let changes = by_date["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["change"] == "replaced"
        && c["oldCode"] == "0101"
        && c["newCode"] == "3001"
        && c["changedOn"] == "2020-01-01"));
    assert!(changes
        .iter()
        .any(|c| c["change"] == "added" && c["newCode"] == "3001"));

    // Compressed on request.
    let gz = app
        .client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz_etag = gz.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(gz_etag, etag, "a content coding is another representation");
    let gz_body = gz.bytes().await.unwrap();
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz_body[..]), &mut plain)
        .unwrap();
    let plain: Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(plain["version"], 2);
    let br = app
        .client
        .get(&url)
        .header("accept-encoding", "gzip, br")
        .header("if-none-match", "\"nope\"")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    let br_etag = br.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(&url)
        .header("accept-encoding", "br")
        .header("if-none-match", &br_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // Writes are refused with problem JSON on the runtime paths too.
    let response = app.client.post(&url).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}
both!(etags_give_304_and_versions_are_cached_forever);

async fn csv_output_parses_back_to_the_same_codes(backend: Backend) {
    let Some((app, _)) = with_lists(backend, "code_list_csv").await else {
        return;
    };
    let response = app
        .client
        .get(app.url("/api/v1/code-lists/test-kommuner/codes?date=2020-01-01"))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        [
            "code",
            "parent",
            "level",
            "label",
            "description",
            "validFrom",
            "validTo"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let json = app
        .get_json("/api/v1/code-lists/test-kommuner/codes?date=2020-01-01")
        .await;
    assert_eq!(rows.len(), json["codes"].as_array().unwrap().len());
    for (row, code) in rows.iter().zip(json["codes"].as_array().unwrap()) {
        assert_eq!(&row[0], code["code"].as_str().unwrap());
        assert_eq!(&row[3], code["label"].as_str().unwrap());
        assert_eq!(&row[5], code["validFrom"].as_str().unwrap_or(""));
    }
    let turtle = app
        .client
        .get(app.url("/api/v1/code-lists/test-kommuner/codes"))
        .header("accept", "text/turtle")
        .send()
        .await
        .unwrap();
    assert_eq!(turtle.status(), 200);
    assert!(turtle.text().await.unwrap().contains("skos:ConceptScheme"));
}
both!(csv_output_parses_back_to_the_same_codes);

async fn altinn_formats_keep_value_types_and_shapes(backend: Backend) {
    let Some((app, _)) = with_lists(backend, "code_list_altinn").await else {
        return;
    };
    let response = app
        .client
        .get(app.url("/api/v1/code-lists/typed/altinn-options?language=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let downstream = response.headers()["altinn-downstreamparameters"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(downstream.starts_with("version=1,date="), "{downstream}");
    let options: Value = response.json().await.unwrap();
    assert_eq!(
        options,
        serde_json::json!([
            {"value": 1.5, "label": "En og en halv"},
            {"value": true, "label": "Yes"},
            {"value": null, "label": "Vet ikke"}
        ])
    );
    let options = app
        .get_json("/api/v1/code-lists/test-kommuner/altinn-options?date=2020-01-01")
        .await;
    assert_eq!(
        options[1],
        serde_json::json!({"value": "0301", "label": "Oslo", "description": "Hovedstaden", "helpText": "Velg Oslo om du bor i Oslo"})
    );

    // The org library payload, latest and pinned.
    let library = app
        .get_json("/altinn/ttd/code_lists/typed/_latest.json")
        .await;
    assert_eq!(library["version"], "ttd/code_lists/typed/1.json");
    assert_eq!(library["tagNames"], serde_json::json!(["kategori"]));
    assert_eq!(
        library["codes"][0],
        serde_json::json!({"value": 1.5, "label": {"nb": "En og en halv"}, "tags": ["tall"]})
    );
    assert_eq!(
        library["codes"][1]["label"],
        serde_json::json!({"en": "Yes", "nb": "Ja"})
    );
    let pinned = app
        .client
        .get(app.url("/altinn/ttd/code_lists/typed/1.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(pinned.status(), 200);
    assert_eq!(
        pinned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let missing = app
        .client
        .get(app.url("/altinn/ttd/code_lists/typed/7.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
both!(altinn_formats_keep_value_types_and_shapes);

async fn correspondences_map_codes_between_lists_as_of_a_date(backend: Backend) {
    let Some((app, token)) = with_lists(backend, "code_list_corr").await else {
        return;
    };
    let new_list = r#"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix semreg: <https://w3id.org/semreg/ns#> .
<https://example.org/lists/ny> a skos:ConceptScheme ; semreg:alias "nye-kommuner" .
<https://example.org/lists/ny/code/3001> skos:inScheme <https://example.org/lists/ny> ;
    skos:notation "3001" ; skos:prefLabel "Halden"@nb .
<https://example.org/lists/ny/code/0301> skos:inScheme <https://example.org/lists/ny> ;
    skos:notation "0301" ; skos:prefLabel "Oslo"@nb ."#;
    let response = app
        .import(Some(&token), "format=turtle", new_list.into())
        .await;
    assert_eq!(response.status(), 200);
    let csv = "sourceCode;targetCode;validFrom;validTo\n0101;3001;2020-01-01;\n0301;0301;2020-01-01;2024-01-01\n";
    let response = app
        .import(
            Some(&token),
            "format=correspondence&source=https://example.org/lists/kommune&target=https://example.org/lists/ny",
            csv.into(),
        )
        .await;
    let status = response.status();
    let report: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["resources"][0]["kind"], "correspondence");

    let all = app
        .get_json("/api/v1/code-lists/test-kommuner/correspondences?target=nye-kommuner")
        .await;
    let maps = all["correspondences"][0]["maps"].as_array().unwrap();
    assert_eq!(maps.len(), 2);
    assert_eq!(maps[0]["sourceCode"], "0101");
    assert_eq!(maps[0]["sourceName"], "Halden");
    assert_eq!(maps[0]["targetCode"], "3001");
    assert_eq!(maps[0]["targetName"], "Halden");
    let on = app
        .get_json(
            "/api/v1/code-lists/test-kommuner/correspondences?target=nye-kommuner&date=2024-06-01",
        )
        .await;
    assert_eq!(
        on["correspondences"][0]["maps"].as_array().unwrap().len(),
        1
    );
    // Seen from the other side, the direction turns.
    let back = app
        .get_json("/api/v1/code-lists/nye-kommuner/correspondences?target=test-kommuner")
        .await;
    assert_eq!(back["correspondences"][0]["maps"][0]["sourceCode"], "3001");
    assert_eq!(back["correspondences"][0]["maps"][0]["targetCode"], "0101");
    let bad = app
        .client
        .get(app.url("/api/v1/code-lists/test-kommuner/correspondences?date=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}
both!(correspondences_map_codes_between_lists_as_of_a_date);

/// The first request of a kind renders through the router; later ones are answered from the
/// memo before routing. Both must be the same answer, counted the same way.
async fn memoized_answers_equal_the_first_answers(backend: Backend) {
    let Some((app, _token)) = with_lists(backend, "code_list_memo_path").await else {
        return;
    };
    let headers = [
        "etag",
        "cache-control",
        "vary",
        "content-type",
        "content-encoding",
        "altinn-downstreamparameters",
    ];
    let date = chrono::Utc::now().date_naive().to_string();
    // A fresh connection per request: a connection's first request is read by the fast lane,
    // which answers memoized ones itself (the pooled client's connection is the router's once
    // its first request went there).
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for path in [
        "/api/v1/code-lists/test-kommuner/codes",
        "/api/v1/code-lists/test-kommuner/codes?lang=en&date=2020-06-01",
        "/api/v1/code-lists/test-kommuner/altinn-options",
        "/api/v1/code-lists/test-kommuner/altinn-options?language=en",
    ] {
        let url = app.url(path);
        let first = app.client.get(&url).send().await.unwrap();
        let second = app.client.get(&url).send().await.unwrap();
        let third = fresh.get(&url).send().await.unwrap();
        assert_eq!(third.status(), 200, "{path}");
        for name in headers.iter().chain(&["content-length"]) {
            assert_eq!(
                first.headers().get(*name),
                third.headers().get(*name),
                "{path}: header {name} from the fast lane"
            );
        }
        assert!(
            third.headers().contains_key("date"),
            "{path}: the fast lane sends Date"
        );
        let gzip = fresh
            .get(&url)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        let gzip_router = app
            .client
            .get(&url)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        for name in ["etag", "content-encoding", "content-length"] {
            assert_eq!(
                gzip.headers().get(name),
                gzip_router.headers().get(name),
                "{path}: gzip {name}"
            );
        }
        assert_eq!(
            gzip.bytes().await.unwrap(),
            gzip_router.bytes().await.unwrap()
        );
        let third_etag = third.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            third.bytes().await.unwrap(),
            app.client
                .get(&url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        );
        let not_modified = fresh
            .get(&url)
            .header("if-none-match", &third_etag)
            .send()
            .await
            .unwrap();
        assert_eq!(not_modified.status(), 304, "{path}: the fast lane's 304");
        assert_eq!(
            not_modified.headers().get("etag").unwrap(),
            third_etag.as_str()
        );
        assert_eq!(first.status(), 200, "{path}");
        assert_eq!(second.status(), 200, "{path}");
        for name in headers {
            assert_eq!(
                first.headers().get(name),
                second.headers().get(name),
                "{path}: header {name}"
            );
        }
        if path.contains("altinn-options") && !path.contains("date=") {
            assert_eq!(
                second.headers()["altinn-downstreamparameters"],
                format!("version=1,date={date}").as_str()
            );
        }
        let etag = second.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(first.bytes().await.unwrap(), second.bytes().await.unwrap());
        let again = app
            .client
            .get(&url)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }
    // A memoized list still gets the router's errors.
    let bad_accept = app
        .client
        .get(app.url("/api/v1/code-lists/test-kommuner/codes"))
        .header("accept", "image/png")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_accept.status(), 406);
    let bad_method = app
        .client
        .delete(app.url("/api/v1/code-lists/test-kommuner/codes"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_method.status(), 405);
    // Answers from the memo are counted like the others: 3 × 200 and 1 × 304 per path.
    let metrics = app.text("/metrics").await;
    let count = |route: &str, status: &str| -> u64 {
        metrics
            .lines()
            .find(|l| {
                l.starts_with("semreg_http_requests_total")
                    && l.contains(&format!("route=\"{route}\""))
                    && l.contains(&format!("status=\"{status}\""))
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    // Per path: first, second, fast lane, fast lane gzip, router gzip, the body check = 6 × 200;
    // a router 304 and a fast-lane 304.
    assert_eq!(count("/api/v1/code-lists/{id}/codes", "200"), 12);
    assert_eq!(count("/api/v1/code-lists/{id}/codes", "304"), 4);
    assert_eq!(count("/api/v1/code-lists/{id}/altinn-options", "200"), 12);
    assert_eq!(count("/api/v1/code-lists/{id}/altinn-options", "304"), 4);
}
both!(memoized_answers_equal_the_first_answers);
