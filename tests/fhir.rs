//! The FHIR terminology API: operations answered from the code-list projection (one truth with
//! `/api/v1/code-lists`), caching, OperationOutcome errors, the round trip of FHIR
//! CodeSystems, strict validation of every answer by FHIR.js and a run of fhir-kit-client —
//! on SQLite and PostgreSQL.

mod common;

use common::{shared_data, spawn_app, Backend, TestApp};
use serde_json::{json, Value};

const PUBLISHER: &str = "974760673";
const KLASS131: &str = "https://data.ssb.no/api/klass/v1/classifications/131";
const KLASS104: &str = "https://data.ssb.no/api/klass/v1/classifications/104";
const KOMMUNE: &str = "https://example.org/fhir-test/kommune";
const NY: &str = "https://example.org/fhir-test/ny";
const HL7: &str = "http://terminology.hl7.org/CodeSystem/device-status-reason";
const OMSORG: &str = "https://example.org/fhir/CodeSystem/omsorgsniva";
const FREQUENCY: &str = "http://publications.europa.eu/resource/authority/frequency";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fhir")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shared(name: &str) -> Vec<u8> {
    let path = shared_data(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An app with Klass 131 and 104, the HL7 CodeSystem of the shared data, our nested FHIR
/// CodeSystem, an EU authority table and the reform lists with their correspondence.
async fn with_lists(backend: Backend, test: &str) -> Option<TestApp> {
    let app = spawn_app(backend, test).await?;
    let token = app.token(PUBLISHER).await;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "format=klass&filename=ssb-klass-131-kommuner-codesAt-2024.json",
            shared("codelists/ssb-klass-131-kommuner-codesAt-2024.json"),
        ),
        (
            "format=klass&filename=ssb-klass-104-fylker-codesAt-2024.json",
            shared("codelists/ssb-klass-104-fylker-codesAt-2024.json"),
        ),
        (
            "format=fhir",
            shared("codelists/fhir-CodeSystem-device-status-reason.json"),
        ),
        ("format=fhir", fixture("CodeSystem-omsorgsniva.json")),
        ("format=turtle", shared("codelists/eu-at-frequency.ttl")),
        ("format=turtle", fixture("reform.ttl")),
        (
            "format=correspondence&source=https://example.org/fhir-test/kommune&target=https://example.org/fhir-test/ny&iri=https://example.org/fhir-test/kommune-til-ny&name=Kommunereformen",
            fixture("kommune-til-ny.csv"),
        ),
    ];
    for (query, body) in files {
        let response = app.import(Some(&token), query, body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "{query}: {text}");
    }
    Some(app)
}

fn enc(text: &str) -> String {
    text.replace('%', "%25")
        .replace('?', "%3F")
        .replace('&', "%26")
        .replace('|', "%7C")
        .replace(' ', "%20")
}

/// GET under /fhir; the status and the JSON body, whose content type must be FHIR JSON.
async fn fhir(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(&format!("/fhir{path}")))
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    let media = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    assert!(
        media.starts_with("application/fhir+json"),
        "{path}: {media} {body}"
    );
    (status, serde_json::from_str(&body).expect("JSON"))
}

async fn ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = fhir(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/fhir{path}")))
        .header("content-type", "application/fhir+json")
        .body(body.to_string())
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

fn param<'v>(parameters: &'v Value, name: &str) -> &'v Value {
    parameters["parameter"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == name))
        .unwrap_or(&Value::Null)
}

fn codes(expansion: &Value) -> Vec<String> {
    fn walk(items: &Value, out: &mut Vec<String>) {
        for c in items.as_array().into_iter().flatten() {
            out.push(c["code"].as_str().unwrap().to_owned());
            walk(&c["contains"], out);
        }
    }
    let mut out = Vec::new();
    walk(&expansion["expansion"]["contains"], &mut out);
    out
}

fn outcome_code(body: &Value) -> &str {
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    body["issue"][0]["code"].as_str().unwrap()
}

async fn expand_answers_what_the_code_list_api_answers(backend: Backend) {
    let Some(app) = with_lists(backend, "fhir_expand").await else {
        return;
    };
    // One truth: the same codes as /codes with the same filter (and today's date).
    let today = chrono::Utc::now().date_naive();
    for filter in ["os", "ÅS", "sand", ""] {
        let ours = app
            .get_json(&format!(
                "/api/v1/code-lists/ssb-klass-131/codes?filter={}&date={today}",
                enc(filter)
            ))
            .await;
        let ours: Vec<&str> = ours["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        let theirs = ok(
            &app,
            &format!("/ValueSet/$expand?url={KLASS131}&filter={}", enc(filter)),
        )
        .await;
        assert_eq!(codes(&theirs), ours, "filter {filter:?}");
        assert_eq!(theirs["expansion"]["total"], ours.len());
    }
    let all = ok(&app, &format!("/ValueSet/$expand?url={KLASS131}%3Ffhir_vs")).await;
    assert_eq!(all["expansion"]["total"], 358);
    assert_eq!(all["url"], format!("{KLASS131}?fhir_vs"));
    let counties = ok(
        &app,
        &format!("/ValueSet/$expand?url={KLASS104}&date=2024-01-01"),
    )
    .await;
    assert_eq!(counties["expansion"]["total"], 16);
    assert!(
        codes(&counties).contains(&"31".to_owned()),
        "Østfold of 2024"
    );

    // The filter matches every designation, not only the display's language.
    let en = ok(
        &app,
        &format!("/ValueSet/$expand?url={FREQUENCY}&filter=annual"),
    )
    .await;
    let hits = codes(&en);
    assert!(
        hits.contains(&"ANNUAL".to_owned()) && hits.contains(&"ANNUAL_2".to_owned()),
        "{hits:?}"
    );
    assert_eq!(
        en["expansion"]["contains"][0]["display"], "årlig",
        "display stays nb"
    );

    // A hierarchy nests; paging and excludeNested give a flat, paged list with the total.
    let nested = ok(
        &app,
        &format!("/ValueSet/$expand?url={KOMMUNE}&date=2024-01-01"),
    )
    .await;
    let top = &nested["expansion"]["contains"];
    assert_eq!(top[0]["code"], "03");
    assert_eq!(top[0]["contains"][0]["code"], "0301");
    assert_eq!(codes(&nested), ["03", "0301", "3001", "1103"]);
    let before = ok(
        &app,
        &format!("/ValueSet/$expand?url={KOMMUNE}&date=2019-12-31&excludeNested=true"),
    )
    .await;
    assert_eq!(codes(&before), ["03", "0301", "0101", "1103"]);
    assert!(before["expansion"]["contains"][1]["contains"].is_null());
    let paged = ok(
        &app,
        &format!("/ValueSet/$expand?url={KOMMUNE}&date=2024-01-01&count=2&offset=1"),
    )
    .await;
    assert_eq!(codes(&paged), ["0301", "3001"]);
    assert_eq!(paged["expansion"]["total"], 4);
    assert_eq!(paged["expansion"]["offset"], 1);
    // A deprecated code is flagged, and activeOnly leaves it out.
    assert_eq!(
        nested["expansion"]["contains"][2]["inactive"], true,
        "{nested}"
    );
    let active = ok(
        &app,
        &format!("/ValueSet/$expand?url={KOMMUNE}&activeOnly=true&date=2024-01-01"),
    )
    .await;
    assert_eq!(codes(&active), ["03", "0301", "3001"]);
    // Display language with fallback, designations on request.
    let english = ok(
        &app,
        &format!("/ValueSet/$expand?url={KOMMUNE}&displayLanguage=en&includeDesignations=true&excludeNested=true"),
    )
    .await;
    let entries = english["expansion"]["contains"].as_array().unwrap().clone();
    assert_eq!(entries[0]["display"], "Oslo county");
    let halden = entries.iter().find(|e| e["code"] == "3001").unwrap();
    assert_eq!(halden["display"], "Halden", "falls back to nb");
    assert!(halden["designation"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["value"] == "Hald." && d["use"]["code"] == "900000000000013009"));
    // A pinned version, by valueSetVersion or url|version.
    let pinned_url = |extra: &str| {
        app.url(&format!(
            "/fhir/ValueSet/$expand?url={}{extra}",
            enc(&format!("{KOMMUNE}|1"))
        ))
    };
    let pinned = app
        .client
        .get(pinned_url("&date=2024-01-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(pinned.status(), 200);
    assert_eq!(
        pinned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // As of today, a pinned version of a dated list still changes with the day.
    let today_pinned = app.client.get(pinned_url("")).send().await.unwrap();
    assert_eq!(
        today_pinned.headers()["cache-control"],
        "public, max-age=60, must-revalidate"
    );
    let (status, missing) = fhir(
        &app,
        &format!("/ValueSet/$expand?url={KOMMUNE}&valueSetVersion=7"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(outcome_code(&missing), "not-found");
}
both!(expand_answers_what_the_code_list_api_answers);

async fn expand_has_strong_etags_304_and_cache_control(backend: Backend) {
    let Some(app) = with_lists(backend, "fhir_cache").await else {
        return;
    };
    let url = app.url(&format!("/fhir/ValueSet/$expand?url={KLASS131}&filter=os"));
    let first = app.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "strong: {etag}");
    assert_eq!(
        first.headers()["cache-control"],
        "public, max-age=60, must-revalidate"
    );
    assert_eq!(first.headers()["vary"], "Accept, Accept-Encoding");
    let body = first.text().await.unwrap();
    // Again (now from the memo, before routing): the same bytes, and 304 on the ETag.
    let again = app.client.get(&url).send().await.unwrap();
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(again.text().await.unwrap(), body);
    let not_modified = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    assert!(not_modified.bytes().await.unwrap().is_empty());
    let gzip = app
        .client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_ne!(
        gzip.headers()["etag"].to_str().unwrap(),
        etag,
        "another representation"
    );
    // A read has them too.
    let read = app
        .client
        .get(app.url("/fhir/CodeSystem/ssb-klass-131"))
        .send()
        .await
        .unwrap();
    let read_etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let read_again = app
        .client
        .get(app.url("/fhir/CodeSystem/ssb-klass-131"))
        .header("if-none-match", &read_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(read_again.status(), 304);

    // $validate-code too: memoized (before routing the second time), 304 on its ETag.
    let validate = app.url(&format!(
        "/fhir/ValueSet/$validate-code?url={KOMMUNE}&code=1103&display=Stavanger"
    ));
    let first = app.client.get(&validate).send().await.unwrap();
    let validate_etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    assert_eq!(param(&first, "result")["valueBoolean"], true, "{first}");
    let again = app.client.get(&validate).send().await.unwrap();
    assert_eq!(again.headers()["etag"].to_str().unwrap(), validate_etag);
    let not_modified = app
        .client
        .get(&validate)
        .header("if-none-match", &validate_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    // The same query against the code system is another answer (its message names it).
    let of_system = ok(
        &app,
        &format!("/CodeSystem/$validate-code?url={KOMMUNE}&code=0302"),
    )
    .await;
    assert!(param(&of_system, "message")["valueString"]
        .as_str()
        .unwrap()
        .contains("code system"));

    // A new version of the list changes the answer and its ETag.
    let token = app.token(PUBLISHER).await;
    let changed = String::from_utf8(fixture("reform.ttl"))
        .unwrap()
        .replace("\"Stavanger\"@nb", "\"Stavanger kommune\"@nb");
    let kommune = format!("/ValueSet/$expand?url={KOMMUNE}&filter=stav");
    let before = ok(&app, &kommune).await;
    assert_eq!(before["expansion"]["contains"][0]["display"], "Stavanger");
    let response = app
        .import(Some(&token), "format=turtle", changed.into())
        .await;
    assert_eq!(response.status(), 200);
    let after = ok(&app, &kommune).await;
    assert_eq!(
        after["expansion"]["contains"][0]["display"],
        "Stavanger kommune"
    );
    assert_eq!(after["version"], "2");
    let renamed: Value = app
        .client
        .get(&validate)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        param(&renamed, "result")["valueBoolean"],
        false,
        "{renamed}"
    );
    let old = ok(
        &app,
        &format!("/ValueSet/$expand?url={KOMMUNE}&filter=stav&valueSetVersion=1"),
    )
    .await;
    assert_eq!(old["expansion"]["contains"][0]["display"], "Stavanger");
}
both!(expand_has_strong_etags_304_and_cache_control);

async fn lookup_validate_subsume_and_translate(backend: Backend) {
    let Some(app) = with_lists(backend, "fhir_codes").await else {
        return;
    };
    let lookup = ok(
        &app,
        &format!("/CodeSystem/$lookup?system={KOMMUNE}&code=0301"),
    )
    .await;
    assert_eq!(param(&lookup, "display")["valueString"], "Oslo");
    assert_eq!(param(&lookup, "version")["valueString"], "1");
    let props: Vec<(String, Value)> = lookup["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "property")
        .map(|p| {
            let part = p["part"].as_array().unwrap();
            (
                part[0]["valueCode"].as_str().unwrap().to_owned(),
                part[1].clone(),
            )
        })
        .collect();
    assert!(
        props
            .iter()
            .any(|(c, v)| c == "parent" && v["valueCode"] == "03"),
        "{props:?}"
    );
    assert!(props
        .iter()
        .any(|(c, v)| c == "definition" && v["valueString"] == "Hovedstaden"));
    let only = ok(
        &app,
        &format!(
            "/CodeSystem/$lookup?system={KOMMUNE}&code=0101&property=replacedBy&property=validTo"
        ),
    )
    .await;
    let names: Vec<&str> = only["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["name", "version", "display", "property", "property"],
        "{only}"
    );
    let (status, unknown) = fhir(
        &app,
        &format!("/CodeSystem/$lookup?system={KOMMUNE}&code=9999"),
    )
    .await;
    assert_eq!((status, outcome_code(&unknown)), (404, "not-found"));

    // Validation is as of today unless a date is given; a replaced code says by what.
    let check = |query: String| {
        let app = &app;
        async move { ok(app, &query).await }
    };
    let today = check(format!(
        "/CodeSystem/$validate-code?url={KOMMUNE}&code=0101"
    ))
    .await;
    assert_eq!(param(&today, "result")["valueBoolean"], false);
    let message = param(&today, "message")["valueString"].as_str().unwrap();
    assert!(
        message.contains("until 2020-01-01") && message.contains("3001"),
        "{message}"
    );
    let then = check(format!(
        "/CodeSystem/$validate-code?url={KOMMUNE}&code=0101&date=2019-12-31"
    ))
    .await;
    assert_eq!(param(&then, "result")["valueBoolean"], true);
    assert_eq!(param(&then, "display")["valueString"], "Halden");
    let display = check(format!(
        "/ValueSet/$validate-code?url={KOMMUNE}%3Ffhir_vs&system={KOMMUNE}&code=0301&display=OSLO"
    ))
    .await;
    assert_eq!(
        param(&display, "result")["valueBoolean"],
        true,
        "case-insensitive display"
    );
    let wrong = check(format!(
        "/ValueSet/$validate-code?url={KOMMUNE}&code=0301&display=Bergen"
    ))
    .await;
    assert_eq!(param(&wrong, "result")["valueBoolean"], false);
    assert!(param(&wrong, "message")["valueString"]
        .as_str()
        .unwrap()
        .contains("Bergen"));
    let other = check(format!(
        "/ValueSet/$validate-code?url={KOMMUNE}&code=0301&system={NY}"
    ))
    .await;
    assert_eq!(param(&other, "result")["valueBoolean"], false);
    let deprecated = check(format!(
        "/CodeSystem/$validate-code?url={KOMMUNE}&code=1103"
    ))
    .await;
    assert_eq!(param(&deprecated, "result")["valueBoolean"], true);
    assert!(param(&deprecated, "message")["valueString"]
        .as_str()
        .unwrap()
        .contains("deprecated"));
    let (status, concept) = post(
        &app,
        "/ValueSet/$validate-code",
        json!({"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": KOMMUNE},
            {"name": "codeableConcept", "valueCodeableConcept": {"coding": [
                {"system": NY, "code": "0301"}, {"system": KOMMUNE, "code": "3001"}]}}]}),
    )
    .await;
    assert_eq!(status, 200, "{concept}");
    assert_eq!(param(&concept, "result")["valueBoolean"], true);

    let subsumes = |a: &str, b: &str| {
        let app = &app;
        let query = format!("/CodeSystem/$subsumes?system={KOMMUNE}&codeA={a}&codeB={b}");
        async move { param(&ok(app, &query).await, "outcome")["valueCode"].clone() }
    };
    assert_eq!(subsumes("03", "0301").await, "subsumes");
    assert_eq!(subsumes("0301", "03").await, "subsumed-by");
    assert_eq!(subsumes("0301", "0301").await, "equivalent");
    assert_eq!(subsumes("1103", "0301").await, "not-subsumed");

    // Translation through the correspondence, either way, as of a date.
    let map_url = "https://example.org/fhir-test/kommune-til-ny";
    let forward = ok(
        &app,
        &format!("/ConceptMap/$translate?url={map_url}&system={KOMMUNE}&code=0101"),
    )
    .await;
    assert_eq!(param(&forward, "result")["valueBoolean"], true);
    let part = param(&forward, "match")["part"].as_array().unwrap().clone();
    assert_eq!(part[0]["valueCode"], "equivalent");
    assert_eq!(part[1]["valueCoding"]["code"], "3001");
    assert_eq!(part[1]["valueCoding"]["system"], NY);
    assert_eq!(part[1]["valueCoding"]["display"], "Halden");
    let back = ok(
        &app,
        &format!("/ConceptMap/$translate?system={NY}&code=3001&reverse=true"),
    )
    .await;
    assert_eq!(
        param(&back, "match")["part"][1]["valueCoding"]["code"],
        "0101"
    );
    let later = ok(
        &app,
        &format!("/ConceptMap/$translate?url={map_url}&code=0301&date=2024-06-01"),
    )
    .await;
    assert_eq!(
        param(&later, "result")["valueBoolean"],
        false,
        "that association ended"
    );
    let map = ok(&app, &format!("/ConceptMap?url={map_url}")).await;
    let resource = &map["entry"][0]["resource"];
    assert_eq!(resource["title"], "Kommunereformen");
    assert_eq!(
        resource["group"][0]["element"][0]["target"][0]["code"],
        "3001"
    );

    // Instance-level: the resource by id (or a list's alias) instead of url / system.
    let id = resource["id"].as_str().unwrap();
    let by_id = ok(&app, &format!("/ConceptMap/{id}/$translate?code=0101")).await;
    assert_eq!(
        param(&by_id, "match")["part"][1]["valueCoding"]["code"],
        "3001"
    );
    let expanded = ok(
        &app,
        "/ValueSet/fhir-kommuner/$expand?date=2024-01-01&excludeNested=true",
    )
    .await;
    assert_eq!(codes(&expanded), ["03", "0301", "3001", "1103"]);
    let valid = ok(&app, "/CodeSystem/fhir-kommuner/$validate-code?code=0301").await;
    assert_eq!(param(&valid, "result")["valueBoolean"], true);
    let in_vs = ok(&app, "/ValueSet/fhir-kommuner/$validate-code?code=0302").await;
    assert_eq!(param(&in_vs, "result")["valueBoolean"], false);
    let looked = ok(
        &app,
        "/CodeSystem/fhir-kommuner/$lookup?code=3001&property=designation",
    )
    .await;
    assert_eq!(param(&looked, "designation")["part"][0]["valueCode"], "nb");
    let relation = ok(
        &app,
        "/CodeSystem/fhir-kommuner/$subsumes?codeA=03&codeB=0301",
    )
    .await;
    assert_eq!(param(&relation, "outcome")["valueCode"], "subsumes");
    let (status, posted) = post(
        &app,
        "/ValueSet/fhir-kommuner/$expand",
        json!({"resourceType": "Parameters"}),
    )
    .await;
    assert_eq!(status, 200, "{posted}");
    let (status, body) = fhir(&app, "/ValueSet/no-such-list/$expand").await;
    assert_eq!((status, outcome_code(&body)), (404, "not-found"));
}
both!(lookup_validate_subsume_and_translate);

async fn errors_are_operation_outcomes_and_unknown_parameters_are_refused(backend: Backend) {
    let Some(app) = with_lists(backend, "fhir_errors").await else {
        return;
    };
    for (path, status, code, expression) in [
        (
            format!("/ValueSet/$expand?url={KLASS131}&colour=red"),
            400,
            "not-supported",
            Some("colour"),
        ),
        (
            format!("/ValueSet/$expand?url={KLASS131}&count=10001"),
            400,
            "invalid",
            Some("count"),
        ),
        (
            format!("/ValueSet/$expand?url={KLASS131}&date=2024-13-01"),
            400,
            "invalid",
            Some("date"),
        ),
        (
            format!("/ValueSet/$expand?url={KLASS131}&activeOnly=yes"),
            400,
            "invalid",
            Some("activeOnly"),
        ),
        (
            format!("/ValueSet/$expand?url={KLASS131}&context=x"),
            400,
            "not-supported",
            Some("context"),
        ),
        ("/ValueSet/$expand".to_owned(), 400, "invalid", Some("url")),
        (
            "/ValueSet/$expand?url=https://example.org/none".to_owned(),
            404,
            "not-found",
            None,
        ),
        (
            format!("/ValueSet/$expand?url={KLASS131}&_format=xml"),
            406,
            "not-supported",
            None,
        ),
        (
            "/CodeSystem?colour=red".to_owned(),
            400,
            "not-supported",
            Some("colour"),
        ),
        (
            "/CodeSystem?_count=500".to_owned(),
            400,
            "invalid",
            Some("_count"),
        ),
        (
            "/CodeSystem?_summary=maybe".to_owned(),
            400,
            "invalid",
            Some("_summary"),
        ),
        ("/CodeSystem/no-such-id".to_owned(), 404, "not-found", None),
        ("/Patient/1".to_owned(), 404, "not-found", None),
        (
            "/metadata?mode=odd".to_owned(),
            400,
            "invalid",
            Some("mode"),
        ),
    ] {
        let (got, body) = fhir(&app, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(outcome_code(&body), code, "{path}");
        match expression {
            Some(e) => assert_eq!(body["issue"][0]["expression"][0], e, "{path}"),
            None => assert!(body["issue"][0]["expression"].is_null(), "{path}"),
        }
        assert!(!body["issue"][0]["diagnostics"].as_str().unwrap().is_empty());
    }
    let xml = app
        .client
        .get(app.url(&format!("/fhir/ValueSet/$expand?url={KLASS131}")))
        .header("accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), 406);
    let put = app
        .client
        .put(app.url("/fhir/CodeSystem/ssb-klass-131"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 405);
    let body: Value = put.json().await.unwrap();
    assert_eq!(outcome_code(&body), "not-supported");
    assert!(
        body["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .contains("GET"),
        "{body}"
    );
    let (status, body) = post(
        &app,
        "/ValueSet/$expand",
        json!({"resourceType": "Patient"}),
    )
    .await;
    assert_eq!((status, outcome_code(&body)), (400, "invalid"));
    let not_json = app
        .client
        .post(app.url("/fhir/ValueSet/$expand"))
        .header("content-type", "text/plain")
        .body("url=x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);
    // The rest of the API keeps problem JSON.
    let elsewhere = app
        .client
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.headers()["content-type"],
        "application/problem+json"
    );
}
both!(errors_are_operation_outcomes_and_unknown_parameters_are_refused);

async fn search_finds_by_url_name_title_and_status_in_pages(backend: Backend) {
    let Some(app) = with_lists(backend, "fhir_search").await else {
        return;
    };
    let all = ok(&app, "/CodeSystem?_summary=true").await;
    assert_eq!(all["type"], "searchset");
    let total = all["total"].as_u64().unwrap();
    assert_eq!(total, 7, "{all}");
    assert!(
        all["entry"][0]["resource"]["concept"].is_null(),
        "summary has no concepts"
    );
    assert_eq!(
        all["entry"][0]["resource"]["meta"]["tag"][0]["code"],
        "SUBSETTED"
    );
    let by_url = ok(&app, &format!("/CodeSystem?url={HL7}")).await;
    assert_eq!(by_url["total"], 1);
    assert_eq!(
        by_url["entry"][0]["resource"]["name"],
        "FHIRDeviceStatusReason"
    );
    assert!(by_url["entry"][0]["fullUrl"]
        .as_str()
        .unwrap()
        .starts_with(&app.base));
    let by_name = ok(&app, "/CodeSystem?name=fhirdevice").await;
    assert_eq!(by_name["total"], 1, "names match by start, ignoring case");
    let by_title = ok(&app, "/CodeSystem?title=omsorgsniva").await;
    assert_eq!(
        by_title["entry"][0]["resource"]["url"], OMSORG,
        "and accents"
    );
    let exact = ok(&app, "/CodeSystem?title:exact=omsorgsniva").await;
    assert_eq!(exact["total"], 0);
    let either = ok(
        &app,
        &format!("/CodeSystem?url={HL7},{OMSORG}&status=active"),
    )
    .await;
    assert_eq!(either["total"], 2);
    let by_source_version = ok(&app, "/CodeSystem?version=2.1.0").await;
    assert_eq!(by_source_version["entry"][0]["resource"]["url"], OMSORG);
    let vs = ok(&app, &format!("/ValueSet?url={KLASS131}%3Ffhir_vs")).await;
    assert_eq!(
        vs["entry"][0]["resource"]["compose"]["include"][0]["system"],
        KLASS131
    );
    let count = ok(&app, "/CodeSystem?_summary=count").await;
    assert_eq!(count["total"], 7);
    assert!(count["entry"].is_null());
    // Pages follow the next links to the end, each entry once.
    let mut next = Some(app.url("/fhir/CodeSystem?_count=3&_summary=true"));
    let mut seen = Vec::new();
    while let Some(url) = next {
        let page: Value = app
            .client
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for e in page["entry"].as_array().into_iter().flatten() {
            seen.push(e["resource"]["url"].as_str().unwrap().to_owned());
        }
        next = page["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .map(|l| l["url"].as_str().unwrap().to_owned());
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (7, 7), "{seen:?}");
    let metadata = ok(&app, "/metadata").await;
    assert_eq!(metadata["resourceType"], "CapabilityStatement");
    let terminology = ok(&app, "/metadata?mode=terminology").await;
    assert_eq!(terminology["codeSystem"].as_array().unwrap().len(), 7);
    let openapi = app.get_json("/openapi.json").await;
    let expand = &openapi["paths"]["/fhir/ValueSet/$expand"];
    assert!(expand["get"]["responses"]["200"]["content"]["application/fhir+json"].is_object());
    let count_param = expand["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "count")
        .unwrap();
    assert_eq!(count_param["schema"]["maximum"], 10000);
}
both!(search_finds_by_url_name_title_and_status_in_pages);

/// The concepts of a FHIR CodeSystem as (code, display, definition, designations, children).
fn concepts(items: &Value) -> Vec<Value> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let mut designations: Vec<String> = c["designation"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    format!(
                        "{}|{}|{}",
                        d["language"].as_str().unwrap_or(""),
                        d["use"]["code"].as_str().unwrap_or(""),
                        d["value"].as_str().unwrap()
                    )
                })
                .collect();
            designations.sort();
            json!({"code": c["code"], "display": c["display"], "definition": c["definition"],
                   "designation": designations, "concept": concepts(&c["concept"])})
        })
        .collect()
}

async fn fhir_code_systems_round_trip_with_their_codes_designations_and_hierarchy(
    backend: Backend,
) {
    let Some(app) = with_lists(backend, "fhir_round_trip").await else {
        return;
    };
    for (file, url) in [
        (
            shared("codelists/fhir-CodeSystem-device-status-reason.json"),
            HL7,
        ),
        (fixture("CodeSystem-omsorgsniva.json"), OMSORG),
    ] {
        let original: Value = serde_json::from_slice(&file).unwrap();
        let bundle = ok(&app, &format!("/CodeSystem?url={url}")).await;
        let served = &bundle["entry"][0]["resource"];
        assert_eq!(
            concepts(&served["concept"]),
            concepts(&original["concept"]),
            "{url}"
        );
        for key in ["url", "name", "title", "description"] {
            assert_eq!(served[key], original[key], "{url}: {key}");
        }
        assert_eq!(served["content"], "complete");
        assert_eq!(served["count"], app_count(&original["concept"]));
        // Served back and imported again, it is the same list: nothing changes.
        let token = app.token(PUBLISHER).await;
        // (The served version is semreg's version number; the source's own is kept beside it.)
        let mut again = served.clone();
        again["id"] = original["id"].clone();
        again["version"] = original["version"].clone();
        let report: Value = app
            .import(Some(&token), "format=fhir", again.to_string().into())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            report["resources"][0]["outcome"], "unchanged",
            "{url}: {report}"
        );
    }
    let nested = ok(&app, &format!("/CodeSystem?url={OMSORG}")).await;
    assert_eq!(nested["entry"][0]["resource"]["hierarchyMeaning"], "is-a");
    // Klass lists and an EU table as CodeSystems, with their languages.
    let klass = ok(&app, "/CodeSystem/ssb-klass-131").await;
    assert_eq!(klass["url"], KLASS131);
    assert_eq!(klass["count"], 358);
    assert_eq!(klass["language"], "nb");
    assert_eq!(klass["concept"][0]["code"], "0301");
    assert_eq!(klass["concept"][0]["display"], "Oslo");
    let eu = ok(&app, &format!("/CodeSystem?url={FREQUENCY}")).await;
    let weekly = eu["entry"][0]["resource"]["concept"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "WEEKLY")
        .unwrap()
        .clone();
    assert_eq!(weekly["display"], "ukentlig");
    let langs: Vec<&str> = weekly["designation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["language"].as_str().unwrap())
        .collect();
    assert_eq!(langs, ["en", "nn", "no"]);
}
both!(fhir_code_systems_round_trip_with_their_codes_designations_and_hierarchy);

fn app_count(items: &Value) -> usize {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| 1 + app_count(&c["concept"]))
        .sum()
}

/// Every kind of answer the API gives, for the strict validator.
async fn answers(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    let mut add =
        |label: String, resource: Value| out.push(json!({"label": label, "resource": resource}));
    let get = [
        "/metadata".to_owned(),
        "/metadata?mode=terminology".to_owned(),
        "/CodeSystem".to_owned(),
        "/CodeSystem?_summary=true&_count=2".to_owned(),
        "/CodeSystem?_summary=count".to_owned(),
        "/CodeSystem/ssb-klass-131".to_owned(),
        "/CodeSystem/ssb-klass-104".to_owned(),
        "/CodeSystem/fhir-kommuner".to_owned(),
        "/CodeSystem/fhir-kommuner/_history/1".to_owned(),
        format!("/CodeSystem?url={HL7}"),
        format!("/CodeSystem?url={OMSORG}"),
        format!("/CodeSystem?url={FREQUENCY}"),
        "/ValueSet".to_owned(),
        "/ValueSet/fhir-kommuner?_summary=text".to_owned(),
        "/ConceptMap".to_owned(),
        format!("/ValueSet/$expand?url={KLASS131}"),
        format!("/ValueSet/$expand?url={KLASS131}&filter=os&count=5&offset=2&includeDesignations=true"),
        format!("/ValueSet/$expand?url={KOMMUNE}&includeDesignations=true&includeDefinition=true&date=2019-01-01"),
        format!("/ValueSet/$expand?url={OMSORG}&displayLanguage=en&includeDesignations=true"),
        format!("/ValueSet/$expand?url={FREQUENCY}&filter=annual"),
        format!("/CodeSystem/$lookup?system={KOMMUNE}&code=0101"),
        "/CodeSystem/fhir-kommuner/$lookup?code=0301".to_owned(),
        "/ValueSet/fhir-kommuner/$expand?activeOnly=true".to_owned(),
        format!("/CodeSystem/$lookup?system={OMSORG}&code=1"),
        format!("/CodeSystem/$validate-code?url={KOMMUNE}&code=0101"),
        format!("/ValueSet/$validate-code?url={KLASS131}&code=0301&display=Oslo"),
        format!("/CodeSystem/$subsumes?system={OMSORG}&codeA=1&codeB=1.1"),
        format!("/ConceptMap/$translate?system={KOMMUNE}&code=0101"),
        format!("/ConceptMap/$translate?system={KOMMUNE}&code=1103"),
        format!("/ValueSet/$expand?url={KLASS131}&colour=red"),
        "/ValueSet/$expand?url=https://example.org/none".to_owned(),
        "/Patient".to_owned(),
    ];
    for path in get {
        let response = app
            .client
            .get(app.url(&format!("/fhir{path}")))
            .send()
            .await
            .unwrap();
        // The last three are errors on purpose; every other answer is a success.
        let error = path.contains("colour") || path.contains("/none") || path == "/Patient";
        assert_eq!(response.status().is_success(), !error, "GET {path}");
        add(format!("GET {path}"), response.json().await.unwrap());
    }
    let put = app
        .client
        .delete(app.url("/fhir/CodeSystem/x"))
        .send()
        .await
        .unwrap();
    add("DELETE /CodeSystem/x".into(), put.json().await.unwrap());
    let (_, posted) = post(
        app,
        "/ValueSet/$expand",
        json!({"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": KOMMUNE}, {"name": "count", "valueInteger": 2}]}),
    )
    .await;
    add("POST $expand".into(), posted);
    out
}

async fn every_answer_parses_in_fhir_js_in_strict_mode(backend: Backend) {
    let Some(node) = common::node_area("every_answer_parses_in_fhir_js_in_strict_mode", "fhir")
    else {
        return;
    };
    let Some(app) = with_lists(backend, "fhir_conformance").await else {
        return;
    };
    let all = answers(&app).await;
    let file = app.dir.path().join("fhir-answers.json");
    std::fs::write(&file, serde_json::to_vec(&all).unwrap()).unwrap();
    let output = std::process::Command::new("node")
        .arg(node.join("validate.mjs"))
        .arg(&file)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "FHIR.js found invalid resources:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("{} valid, 0 invalid", all.len())),
        "{stdout}"
    );
}
both!(every_answer_parses_in_fhir_js_in_strict_mode);

async fn a_fhir_client_drives_the_api(backend: Backend) {
    let Some(node) = common::node_area("a_fhir_client_drives_the_api", "fhir") else {
        return;
    };
    let Some(app) = with_lists(backend, "fhir_client").await else {
        return;
    };
    let output = tokio::process::Command::new("node")
        .arg(node.join("client.mjs"))
        .arg(app.url("/fhir"))
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "fhir-kit-client run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("passed, 0 failed"), "{stdout}");
}
both!(a_fhir_client_drives_the_api);
