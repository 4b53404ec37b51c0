//! The bad-input corpus (`tests/bad_input/cases.json`): malformed files in every import format,
//! hostile XML, deep JSON, invalid UTF-8, bad query parameters, bad and forged tokens, and
//! writes someone may not make. Each case expects a specific 4xx with a problem JSON (an
//! `OperationOutcome` under `/fhir/`) whose detail names the problem, and the test checks after
//! every case that the store of record, SPARQL and search did not change.
//!
//! A case is `{"name", "why", "status", "detail", ...}`: `detail` is a (case-insensitive) part
//! the answer's detail must contain ("" when the status says enough); the request is
//! `method` (default POST) + `path` (`{sivilstand}` and `{person}` become the demo's ids),
//! optional `headers`, and a body from `text`, `hex`, `file` (under `tests/bad_input/files/`)
//! or `generate` (`deep_json` / `deep_xml` with a `depth`; `gzip_bomb` / `br_bomb` of `depth` MiB;
//! `huge_literal` of `depth` bytes); `auth` is `publisher` (default, a
//! token of 974760673), `admin`, `revoked`, `forged` or `none`; `must_not_contain` is text the
//! answer must not carry (what an XML external entity would have pulled in).

mod common;

use common::{Backend, TestApp};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

const PUBLISHER: &str = "974760673";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    why: String,
    status: u16,
    detail: String,
    #[serde(default)]
    method: Option<String>,
    path: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    hex: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    generate: Option<Generate>,
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    problem: Option<String>,
    #[serde(default)]
    must_not_contain: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Generate {
    kind: String,
    depth: usize,
}

#[derive(Debug, Deserialize)]
struct Corpus {
    cases: Vec<Case>,
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("tests/bad_input")
}

fn load_corpus() -> Vec<Case> {
    let path = corpus_dir().join("cases.json");
    let text = std::fs::read_to_string(&path).expect("read cases.json");
    let corpus: Corpus = serde_json::from_str(&text).expect("cases.json is a valid corpus");
    corpus.cases
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

impl Case {
    fn body(&self) -> Vec<u8> {
        if let Some(text) = &self.text {
            return text.as_bytes().to_vec();
        }
        if let Some(hex) = &self.hex {
            return hex_bytes(hex);
        }
        if let Some(file) = &self.file {
            return std::fs::read(corpus_dir().join("files").join(file)).expect("case file");
        }
        if let Some(generate) = &self.generate {
            let depth = generate.depth;
            return match generate.kind.as_str() {
                "deep_json" => format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes(),
                "deep_xml" => format!(
                    "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:ex=\"https://example.org/\"><rdf:Description rdf:about=\"https://example.org/bad/deep\">{}{}</rdf:Description></rdf:RDF>",
                    "<ex:p rdf:parseType=\"Resource\">".repeat(depth),
                    "</ex:p>".repeat(depth)
                )
                .into_bytes(),
                // `depth` MiB of one repeated comment line, gzip- or br-compressed: a small
                // body that decodes to far more than the ratio limit allows.
                "gzip_bomb" => {
                    use std::io::Write;
                    let line = "# the same line again and again and again and again and again\n";
                    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                    for _ in 0..depth * 1024 * 1024 / line.len() {
                        encoder.write_all(line.as_bytes()).unwrap();
                    }
                    encoder.finish().unwrap()
                }
                "br_bomb" => {
                    use std::io::Write;
                    let line = "# the same line again and again and again and again and again\n";
                    let mut out = Vec::new();
                    {
                        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                        for _ in 0..depth * 1024 * 1024 / line.len() {
                            writer.write_all(line.as_bytes()).unwrap();
                        }
                    }
                    out
                }
                // A concept whose definition is one literal of `depth` bytes.
                "huge_literal" => format!(
                    "<https://example.org/bad/huge> <http://www.w3.org/2004/02/skos/core#prefLabel> \"huge\"@nb .\n<https://example.org/bad/huge> <http://www.w3.org/2004/02/skos/core#definition> \"{}\"@nb .\n<https://example.org/bad/huge> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#Concept> .\n",
                    "x".repeat(depth)
                )
                .into_bytes(),
                other => panic!("{}: unknown generator {other}", self.name),
            };
        }
        Vec::new()
    }
}

/// Everything a bad request must leave as it was: every resource with its version and status,
/// the change log's end, the triples in SPARQL, what search finds, and the harvest sources.
async fn state(app: &TestApp, admin: &str) -> Value {
    let resources = app.get_json("/api/v1/resources?limit=1000").await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| serde_json::json!([r["id"], r["version"], r["status"]]))
        .collect::<Vec<_>>();
    let seq = semreg::store::last_seq(&app.app.db)
        .await
        .expect("last seq");
    let triples = app
        .sparql_count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        .await;
    let mut searched = Vec::new();
    for q in ["person", "sivilstand", "bad", "norge", "lol"] {
        searched.push(app.get_json(&format!("/api/v1/search?q={q}")).await["total"].clone());
    }
    let sources = app
        .client
        .get(app.url("/api/v1/sources?limit=200"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("sources")
        .json::<Value>()
        .await
        .expect("JSON")["items"]
        .clone();
    serde_json::json!({"resources": resources, "seq": seq, "triples": triples, "search": searched, "sources": sources})
}

async fn every_bad_input_is_refused_cleanly_and_changes_nothing(backend: Backend) {
    let cases = load_corpus();
    assert!(cases.len() >= 80, "the corpus holds {} cases", cases.len());
    let mut names = HashSet::new();
    for case in &cases {
        assert!(names.insert(case.name.clone()), "case {} twice", case.name);
        assert!(!case.why.is_empty(), "{}: say why", case.name);
    }
    let Some(app) = common::spawn_app(backend, "bad_input").await else {
        return;
    };
    let demo = app.token(semreg::demo::DEMO_PUBLISHER).await;
    let ok = app
        .import(
            Some(&demo),
            "format=turtle",
            semreg::demo::DEMO_CATALOG.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(ok.status(), 200, "the demo catalog imports");
    let publisher = app.token(PUBLISHER).await;
    let admin = semreg::auth::tokens::create_admin_token(&app.app.db)
        .await
        .expect("admin token");
    let revoked = app.token(PUBLISHER).await;
    let identity = semreg::auth::tokens::identity(&app.app.db, &revoked)
        .await
        .expect("identity")
        .expect("a token of ours");
    let semreg::auth::Credential::Token { id } = identity.credential else {
        panic!("our token has a token id");
    };
    semreg::auth::tokens::revoke(&app.app.db, &id)
        .await
        .expect("revoke")
        .expect("the token exists");
    let id_of = |iri: &str| {
        let app = &app;
        let iri = iri.to_owned();
        async move {
            let found = app
                .get_json(&format!("/api/v1/resources?iri={}", urlencode(&iri)))
                .await;
            found["items"][0]["id"].as_str().expect("id").to_owned()
        }
    };
    let sivilstand = id_of("https://example.semreg.no/demo/sivilstand").await;
    let person = id_of("https://example.semreg.no/demo/person").await;

    let mut before = state(&app, &admin).await;
    assert!(before["triples"].as_u64().unwrap() > 0, "{before}");
    let mut failures = Vec::new();
    for case in &cases {
        let path = case
            .path
            .replace("{sivilstand}", &sivilstand)
            .replace("{person}", &person);
        let method =
            reqwest::Method::from_bytes(case.method.as_deref().unwrap_or("POST").as_bytes())
                .expect("method");
        let mut request = app.client.request(method, app.url(&path));
        for (name, value) in &case.headers {
            request = request.header(name, value);
        }
        request = match case.auth.as_deref().unwrap_or("publisher") {
            "publisher" => request.bearer_auth(&publisher),
            "admin" => request.bearer_auth(&admin),
            "revoked" => request.bearer_auth(&revoked),
            "forged" => request.bearer_auth("semreg_0000000000000000000000000000000000000000"),
            "none" => request,
            other => panic!("{}: unknown auth {other}", case.name),
        };
        let body = case.body();
        if !body.is_empty() || case.text.is_some() {
            request = request.body(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.expect("body");
        let problem = check_answer(case, status, &content_type, &text);
        if let Err(why) = problem {
            failures.push(format!("{}: {why}", case.name));
        }
        let after = state(&app, &admin).await;
        if after != before {
            failures.push(format!(
                "{}: the bad input changed the state: {after}",
                case.name
            ));
            before = after;
        }
    }
    println!(
        "bad-input corpus: {} cases, {} refused as expected, state unchanged after every case",
        cases.len(),
        cases.len() - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Checks one answer: status, a problem body (or FHIR OperationOutcome) whose detail carries
/// the case's `detail`, and nothing that must not be there.
fn check_answer(case: &Case, status: u16, content_type: &str, text: &str) -> Result<(), String> {
    let short: String = text.chars().take(300).collect();
    if status != case.status {
        return Err(format!("status {status}, want {} ({short})", case.status));
    }
    if let Some(needle) = &case.must_not_contain {
        if text.contains(needle.as_str()) {
            return Err(format!("the answer carries {needle:?}"));
        }
    }
    let body: Value = serde_json::from_str(text).map_err(|_| format!("not JSON: {short}"))?;
    let detail = if case.problem.as_deref() == Some("fhir") {
        if body["resourceType"] != "OperationOutcome" {
            return Err(format!("not an OperationOutcome: {short}"));
        }
        body["issue"]
            .as_array()
            .map(|issues| {
                issues
                    .iter()
                    .map(|i| {
                        format!(
                            "{} {}",
                            i["diagnostics"].as_str().unwrap_or_default(),
                            i["details"]["text"].as_str().unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    } else {
        if content_type != "application/problem+json" {
            return Err(format!("content type {content_type:?}: {short}"));
        }
        if body["status"] != status {
            return Err(format!(
                "problem status {} for HTTP {status}",
                body["status"]
            ));
        }
        format!(
            "{} {}",
            body["title"].as_str().unwrap_or_default(),
            body["detail"].as_str().unwrap_or_default()
        )
    };
    if detail.trim().is_empty() {
        return Err(format!("the answer explains nothing: {short}"));
    }
    if !detail.to_lowercase().contains(&case.detail.to_lowercase()) {
        return Err(format!("detail lacks {:?}: {short}", case.detail));
    }
    Ok(())
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

both!(every_bad_input_is_refused_cleanly_and_changes_nothing);

/// A SPARQL `SERVICE` clause never makes semreg connect anywhere: a listener on loopback, named
/// in the query, sees no connection, and the answer is a 400 naming SERVICE.
async fn a_sparql_service_clause_never_connects(backend: Backend) {
    let Some(app) = common::spawn_app(backend, "bad_input_service").await else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let query =
        format!("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}");
    let response = app
        .client
        .get(app.url("/sparql"))
        .query(&[("query", query.as_str())])
        .send()
        .await
        .expect("SPARQL");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body");
    let detail = common::assert_problem(status, &headers, &body, 400);
    assert!(detail.contains("SERVICE"), "{detail}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        listener.accept().is_err(),
        "semreg connected to the SERVICE address"
    );
}

both!(a_sparql_service_clause_never_connects);
