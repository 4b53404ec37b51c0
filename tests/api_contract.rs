//! The API contract: errors are problem JSON (or HTML pages for the web pages) whatever went
//! wrong and however the answer is encoded, numbers that do not fit are 400s naming the
//! parameter, a panic is a 500 problem and never a dropped connection, and `/openapi.json` is a
//! valid OpenAPI 3.1 document that lists every status and media type the server answers with.
//! Cases Schemathesis found (`.ci/schemathesis.sh`) are kept here as regression tests.

mod common;

use common::{assert_problem, spawn_app, Backend, TestApp};
use serde_json::Value;
use std::io::Read;

/// The body of a response, decoded as its `Content-Encoding` says (reqwest is built without
/// automatic decompression, so this sees the bytes as sent and fails if the label lies).
async fn decoded_body(response: reqwest::Response) -> (u16, reqwest::header::HeaderMap, String) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let text = match headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
    {
        Some("gzip") => {
            let mut out = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut out)
                .expect("a gzip-encoded body is gzip");
            out
        }
        Some("br") => {
            let mut out = String::new();
            brotli::Decompressor::new(&bytes[..], 4096)
                .read_to_string(&mut out)
                .expect("a br-encoded body is brotli");
            out
        }
        Some(other) => panic!("unexpected content-encoding {other}"),
        None => String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    };
    (status, headers, text)
}

fn content_type(headers: &reqwest::header::HeaderMap) -> &str {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn get(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    decoded_body(request.send().await.expect("request")).await
}

async fn numbers_that_do_not_fit_are_400_problems_naming_the_parameter(backend: Backend) {
    let Some(app) = spawn_app(backend, "numbers_that_do_not_fit").await else {
        return;
    };
    for (path, parameter) in [
        // Schemathesis' first find: the connection was closed without an answer.
        ("/api/v1/resources?offset=9223372036854775808", "offset"),
        ("/api/v1/resources?offset=18446744073709551616", "offset"),
        ("/api/v1/resources?limit=1001", "limit"),
        ("/api/v1/resources?kind=nonsense", "kind"),
        ("/api/v1/resources?publisher=12345", "publisher"),
        ("/api/v1/resources?status=gone", "status"),
        ("/api/v1/changes?since=abc", "since"),
        ("/api/v1/changes?since=-1", "since"),
        ("/api/v1/changes?since=0&limit=-1", "limit"),
        ("/api/v1/changes?since=9223372036854775808", "since"),
        ("/api/v1/search?limit=0", "limit"),
        ("/api/v1/search?offset=10001", "offset"),
        ("/api/v1/search?kind=concept,", "kind"),
        ("/api/v1/suggest?q=a&limit=51", "limit"),
        (
            "/api/v1/types/x/json-schema?enumThreshold=-1",
            "enumThreshold",
        ),
        ("/api/v1/resources/x/versions/0", "path"),
        ("/api/v1/resources/x/versions/2147483648", "path"),
        ("/api/v1/resources/x/versions/abc", "path"),
    ] {
        let (status, headers, body) = get(&app, path, &[]).await;
        let detail = assert_problem(status, &headers, &body, 400);
        assert!(detail.starts_with(parameter), "{path}: {detail}");
    }
}
both!(numbers_that_do_not_fit_are_400_problems_naming_the_parameter);

async fn a_rewritten_error_body_is_never_labelled_with_the_old_encoding(backend: Backend) {
    let Some(app) = spawn_app(backend, "rewritten_error_encoding").await else {
        return;
    };
    // Schemathesis' second find: these 400s said `content-encoding: gzip` over plain JSON.
    for (path, encoding) in [
        ("/api/v1/changes?since=abc", "gzip"),
        ("/api/v1/changes?since=0&limit=-1", "gzip"),
        ("/api/v1/changes?since=abc", "gzip, br"),
        ("/api/v1/search?limit=abc", "gzip"),
        ("/no/such/route", "gzip"),
    ] {
        let (status, headers, body) = get(&app, path, &[("accept-encoding", encoding)]).await;
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert_problem(status, &headers, &body, status);
    }
    // A 405 keeps its Allow header through the rewrite.
    let response = app
        .client
        .delete(app.url("/api/v1/search"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let (status, headers, body) = decoded_body(response).await;
    assert_problem(status, &headers, &body, 405);
    assert!(headers.contains_key("allow"), "{headers:?}");
}
both!(a_rewritten_error_body_is_never_labelled_with_the_old_encoding);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_answers_a_500_in_the_body_of_its_place_and_the_connection_lives_on() {
    let Some(app) = spawn_app(Backend::Sqlite, "panicking_handler").await else {
        return;
    };
    let state = semreg::app::AppState(app.app.clone());
    let panics = || async {
        if std::hint::black_box(true) {
            panic!("deliberate panic for the test");
        }
        "unreachable"
    };
    let extra = axum::Router::new()
        .route("/api/v1/test-panic", axum::routing::get(panics))
        .route("/fhir/CodeSystem/test-panic", axum::routing::get(panics))
        .route("/concepts/test-panic", axum::routing::get(panics));
    let router = semreg::http::router_with_routes(state, extra);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    // One client, so both requests go over the same kept-alive connection.
    let client = reqwest::Client::new();
    let (status, headers, body) = decoded_body(
        client
            .get(format!("{base}/api/v1/test-panic"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_problem(status, &headers, &body, 500);
    assert!(!body.contains("deliberate"), "a 500 says little: {body}");
    // Under /fhir a FHIR client gets an OperationOutcome, as for any other FHIR error.
    let (status, headers, body) = decoded_body(
        client
            .get(format!("{base}/fhir/CodeSystem/test-panic"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 500, "{body}");
    assert!(
        content_type(&headers).starts_with("application/fhir+json"),
        "{headers:?}"
    );
    let outcome: Value = serde_json::from_str(&body).expect("OperationOutcome JSON");
    assert_eq!(outcome["resourceType"], "OperationOutcome", "{body}");
    assert_eq!(outcome["issue"][0]["code"], "exception", "{body}");
    assert!(!body.contains("deliberate"), "a 500 says little: {body}");
    // A browser on a page gets an HTML error page.
    let (status, headers, body) = decoded_body(
        client
            .get(format!("{base}/concepts/test-panic"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 500, "{body}");
    assert!(
        content_type(&headers).starts_with("text/html"),
        "{headers:?}"
    );
    assert!(!body.contains("deliberate"), "a 500 says little: {body}");
    let after = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(after.status(), 200);
    server.abort();
}

async fn error_bodies_follow_their_place(backend: Backend) {
    let Some(app) = spawn_app(backend, "error_bodies_by_place").await else {
        return;
    };
    let html = [("accept", "text/html,application/xhtml+xml,*/*;q=0.8")];
    // Pages: an HTML error page for a browser, problem JSON when JSON is asked for.
    for path in [
        "/concepts/no-such-concept",
        "/code-lists/none",
        "/no-such-page",
    ] {
        let (status, headers, body) = get(&app, path, &html).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            content_type(&headers).starts_with("text/html"),
            "{path}: {headers:?}"
        );
        assert!(body.contains("<h1>404 Not Found</h1>"), "{body}");
        let (status, headers, body) =
            get(&app, path, &[("accept", "application/problem+json")]).await;
        assert_problem(status, &headers, &body, 404);
    }
    // The API is problem JSON even for a browser.
    for path in [
        "/api/v1/nothing-here",
        "/api/v1/resources/none",
        "/altinn/x/code_lists/none/1.json",
    ] {
        let (status, headers, body) = get(&app, path, &html).await;
        assert_problem(status, &headers, &body, 404);
    }
    let (status, headers, body) = get(&app, "/sparql", &html).await;
    assert_problem(status, &headers, &body, 400);
    // An HTML error page escapes what it repeats.
    let (_, _, body) = get(&app, "/concepts/%3Cscript%3E", &html).await;
    assert!(!body.contains("<script>"), "{body}");
}
both!(error_bodies_follow_their_place);

async fn cases_schemathesis_found_stay_fixed(backend: Backend) {
    let Some(app) = spawn_app(backend, "schemathesis_findings").await else {
        return;
    };
    let token = app.token("974760673").await;
    let klass = std::fs::read(common::shared_data(
        "codelists/ssb-klass-131-kommuner-codesAt-2024.json",
    ))
    .unwrap();
    let response = app
        .import(
            Some(&token),
            "format=klass&filename=ssb-klass-131-kommuner-codesAt-2024.json",
            klass,
        )
        .await;
    assert_eq!(response.status(), 200);
    let codes = "/api/v1/code-lists/ssb-klass-131/codes";
    // `level` is documented up to u32::MAX: beyond it is a 400, not an empty list.
    let (status, headers, body) = get(&app, &format!("{codes}?level=4294967296"), &[]).await;
    assert_problem(status, &headers, &body, 400);
    let (status, _, _) = get(&app, &format!("{codes}?level=4294967295"), &[]).await;
    assert_eq!(status, 200);
    // `language` is a language tag on /codes too, although only altinn-options reads it.
    for path in [format!("{codes}?language="), format!("{codes}?language=x1")] {
        let (status, headers, body) = get(&app, &path, &[]).await;
        assert_problem(status, &headers, &body, 400);
    }
    // A date must be exactly YYYY-MM-DD.
    let (status, headers, body) = get(&app, &format!("{codes}?date=2024-1-1"), &[]).await;
    assert_problem(status, &headers, &body, 400);
    // SPARQL JSON results are JSON (the document no longer says "string").
    let (status, headers, body) = get(
        &app,
        "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type(&headers), "application/sparql-results+json");
    serde_json::from_str::<Value>(&body).expect("JSON results");
    let document = app.get_json("/openapi.json").await;
    let sparql_json = &document["paths"]["/sparql"]["get"]["responses"]["200"]["content"]
        ["application/sparql-results+json"]["schema"];
    assert!(sparql_json.get("type").is_none(), "{sparql_json}");
}
both!(cases_schemathesis_found_stay_fixed);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_documents_its_errors_as_problem_json() {
    let Some(app) = spawn_app(Backend::Sqlite, "openapi_problem_json").await else {
        return;
    };
    let document = app.get_json("/openapi.json").await;
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    // Every route of the router is in the document (the pages and the hot paths included).
    for path in [
        "/",
        "/search",
        "/openapi.json",
        "/healthz",
        "/metrics",
        "/sparql",
        "/api/v1/code-lists/{id}/codes",
        "/api/v1/code-lists/{id}/altinn-options",
        "/altinn/{org}/code_lists/{code_list_id}/{file}",
        "/api/v1/resources/{id}/versions/{version}",
    ] {
        assert!(paths.contains_key(path), "{path} is missing");
    }
    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let responses = operation["responses"].as_object().unwrap();
            for (status, response) in responses {
                let description = response["description"].as_str().unwrap_or_default();
                assert!(
                    !description.is_empty(),
                    "{method} {path} {status}: no description"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().unwrap();
                    // Error bodies by place: FHIR's are OperationOutcomes.
                    // Web pages: an HTML page, or problem JSON when `Accept` asks for it.
                    let media: &[&str] = if path.starts_with("/fhir/") {
                        &["application/fhir+json"]
                    } else if operation["tags"][0] == "pages" {
                        &["application/problem+json", "text/html"]
                    } else {
                        &["application/problem+json"]
                    };
                    assert_eq!(
                        content.keys().map(String::as_str).collect::<Vec<_>>(),
                        media,
                        "{method} {path} {status}"
                    );
                }
            }
            if operation.get("security").is_some() {
                for status in ["401", "403"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
    assert!(operations >= 30, "{operations} operations");
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_spec_validator_accepts_the_document() {
    let Some(python) = common::python_tool(
        "openapi_spec_validator_accepts_the_document",
        "openapi_spec_validator",
    ) else {
        return;
    };
    let Some(app) = spawn_app(Backend::Sqlite, "openapi_spec_validator").await else {
        return;
    };
    let path = app.dir.path().join("openapi.json");
    std::fs::write(&path, app.text("/openapi.json").await).unwrap();
    let output = std::process::Command::new(python)
        .args(["-m", "openapi_spec_validator"])
        .arg(&path)
        .output()
        .expect("run openapi-spec-validator");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("OK"),
        "openapi-spec-validator rejects /openapi.json:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
