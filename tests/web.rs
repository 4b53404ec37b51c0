//! The web pages: HTML answers and their headers (Content-Security-Policy, the language cookie,
//! immutable assets), the search and code-list pages on real data (SSB Klass 131, NAV's concept
//! catalog, the demo catalog), and the browser suite: headless Chromium driven by
//! playwright-core, with axe-core checking accessibility, against a real server.

mod common;

use common::{shared_data, spawn_app, Backend, TestApp};
use reqwest::header;

const PUBLISHER: &str = "974760673";

/// A municipality-like list written for these tests: a county with one municipality under it,
/// and a reform on 2020-01-01 that replaced 0101 by 3001.
const REFORM_LIST: &str = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix euvoc: <http://publications.europa.eu/ontology/euvoc#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix semreg: <https://w3id.org/semreg/ns#> .
@prefix l: <https://example.org/lists/reform/code/> .

<https://example.org/lists/reform> a skos:ConceptScheme ;
    skos:prefLabel "Kommuner etter reformen"@nb, "Municipalities after the reform"@en ;
    skos:definition "Kommuner før og etter 2020"@nb ;
    semreg:alias "reform-kommuner" .
l:03 a skos:Concept ; skos:inScheme <https://example.org/lists/reform> ;
    skos:topConceptOf <https://example.org/lists/reform> ;
    skos:notation "03" ; semreg:order 0 ; semreg:level 1 ; skos:prefLabel "Oslo fylke"@nb .
l:0301 a skos:Concept ; skos:inScheme <https://example.org/lists/reform> ;
    skos:notation "0301" ; semreg:order 1 ; semreg:level 2 ; skos:broader l:03 ;
    skos:prefLabel "Oslo"@nb, "Oslo"@en .
l:0101 a skos:Concept ; skos:inScheme <https://example.org/lists/reform> ;
    skos:topConceptOf <https://example.org/lists/reform> ;
    skos:notation "0101" ; semreg:order 2 ; semreg:level 1 ; skos:prefLabel "Halden"@nb ;
    euvoc:endDate "2020-01-01"^^xsd:date ; dct:isReplacedBy l:3001 .
l:3001 a skos:Concept ; skos:inScheme <https://example.org/lists/reform> ;
    skos:topConceptOf <https://example.org/lists/reform> ;
    skos:notation "3001" ; semreg:order 3 ; semreg:level 1 ; skos:prefLabel "Halden"@nb ;
    euvoc:startDate "2020-01-01"^^xsd:date .
"#;

/// An app with Klass 131 (358 municipalities), NAV's concept catalog, Digdir's Skatval model
/// catalog, the demo catalog and the reform list.
async fn with_data(backend: Backend, test: &str) -> Option<TestApp> {
    let app = spawn_app(backend, test).await?;
    let token = app.token(PUBLISHER).await;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "format=klass&filename=ssb-klass-131-kommuner-codesAt-2024.json",
            std::fs::read(shared_data(
                "codelists/ssb-klass-131-kommuner-codesAt-2024.json",
            ))
            .unwrap(),
        ),
        (
            "format=turtle",
            std::fs::read(shared_data("fdk/concepts_legacy_v1_nav_begrepskatalog.ttl")).unwrap(),
        ),
        (
            "format=turtle",
            std::fs::read(shared_data(
                "fdk/im_digdir_person_enhet_adresse_SkatvalModellkatalog.ttl",
            ))
            .unwrap(),
        ),
        (
            "format=klass&id=2&filename=ssb-klass_sex.json",
            std::fs::read(shared_data("altinn-options/ssb-klass_sex.json")).unwrap(),
        ),
        ("format=turtle", REFORM_LIST.as_bytes().to_vec()),
    ];
    // The README's worked example: concepts, the Person type and its code list.
    let files: Vec<(&str, Vec<u8>)> = files
        .into_iter()
        .chain(
            ["concepts", "folkeregisteret-kjoenn", "person-types"].map(|name| {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("tests/fixtures/compose/{name}.ttl"));
                ("format=turtle", std::fs::read(path).unwrap())
            }),
        )
        .collect();
    for (query, body) in files {
        let response = app.import(Some(&token), query, body).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    // The worked example's correspondence and its mapping from the population register.
    let response = app
        .import(
            Some(&token),
            "format=correspondence&filename=kjoenn-to-klass-2.csv&source=https://example.org/folkeregisteret/kjoenn&target=2&iri=https://example.org/semreg-demo/correspondences/kjoenn-klass-2",
            std::fs::read(fixture("kjoenn-to-klass-2.csv")).unwrap(),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let response = app
        .client
        .post(app.url("/api/v1/mappings?alias=folkeregisteret-person"))
        .bearer_auth(&token)
        .header("content-type", "text/tab-separated-values")
        .body(std::fs::read(fixture("folkeregisteret-person.sssom.tsv")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let demo = app.token(semreg::demo::DEMO_PUBLISHER).await;
    let response = app
        .import(
            Some(&demo),
            "format=turtle",
            semreg::demo::DEMO_CATALOG.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    Some(app)
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/compose/{name}"))
}

async fn page(app: &TestApp, path: &str) -> (reqwest::StatusCode, header::HeaderMap, String) {
    page_with(app, path, &[]).await
}

async fn page_with(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (reqwest::StatusCode, header::HeaderMap, String) {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("GET page");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn header_of<'h>(headers: &'h header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The `href` of the first stylesheet link whose URL starts with `prefix`.
fn asset_href(html: &str, prefix: &str) -> String {
    let at = html
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in the page"));
    html[at..].split('"').next().unwrap().to_owned()
}

/// How many rows of the codes table a page has, and whether `code` is one.
fn rows(html: &str) -> usize {
    html.matches("<tr data-code=").count()
}

fn has_code(html: &str, code: &str) -> bool {
    html.contains(&format!("<tr data-code=\"{code}\""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_html_under_a_strict_policy_with_immutable_assets() {
    let Some(app) = spawn_app(Backend::Sqlite, "web_headers").await else {
        return;
    };
    let (status, headers, html) = page(&app, "/").await;
    assert_eq!(status, 200);
    assert!(header_of(&headers, "content-type").starts_with("text/html"));
    let csp = header_of(&headers, "content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"nb\""),
        "{}",
        &html[..80]
    );
    // Nothing inline that the policy would block: no style attributes, no inline scripts.
    assert!(!html.contains(" style="));
    for script in html.split("<script").skip(1) {
        assert!(
            script.trim_start().starts_with("src=\"/assets/"),
            "{script}"
        );
    }
    for prefix in [
        "/assets/designsystemet.",
        "/assets/semreg.",
        "/assets/semreg.",
    ] {
        let href = asset_href(&html, prefix);
        let response = app.client.get(app.url(&href)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{href}");
        assert_eq!(
            header_of(response.headers(), "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let etag = header_of(response.headers(), "etag").to_owned();
        assert!(!response.bytes().await.unwrap().is_empty());
        let again = app
            .client
            .get(app.url(&href))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{href}");
    }
    let design = asset_href(&html, "/assets/designsystemet.");
    let css = app.client.get(app.url(&design)).send().await.unwrap();
    assert!(header_of(css.headers(), "content-type").starts_with("text/css"));
    assert!(css.text().await.unwrap().contains(".ds-button"));
    let (status, headers, _) = page(&app, "/assets/designsystemet.000000000000.css").await;
    assert_eq!(status, 404);
    assert!(header_of(&headers, "content-type").starts_with("text/html"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_comes_from_the_query_then_the_cookie_then_accept_language() {
    let Some(app) = spawn_app(Backend::Sqlite, "web_language").await else {
        return;
    };
    let (_, headers, html) = page(&app, "/?lang=en").await;
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Search the registry"));
    let cookie = header_of(&headers, "set-cookie");
    assert!(cookie.starts_with("semreg_lang=en;"), "{cookie}");
    assert_eq!(header_of(&headers, "content-language"), "en");
    let (_, headers, html) = page_with(&app, "/search", &[("cookie", "semreg_lang=nn")]).await;
    assert!(html.contains("<html lang=\"nn\""));
    assert!(html.contains("Søkjeresultat"));
    assert!(header_of(&headers, "set-cookie").is_empty());
    let (_, _, html) =
        page_with(&app, "/", &[("accept-language", "en-GB,en;q=0.9,nb;q=0.8")]).await;
    assert!(html.contains("<html lang=\"en\""));
    let (_, _, html) = page_with(
        &app,
        "/?lang=nb",
        &[("cookie", "semreg_lang=en"), ("accept-language", "en")],
    )
    .await;
    assert!(html.contains("<html lang=\"nb\"") && html.contains("Søk i registeret"));
    // Every language is offered, each link keeping the page state.
    let (_, _, html) = page(&app, "/search?q=kommune&kind=code-list").await;
    for lang in ["nb", "nn", "en"] {
        assert!(
            html.contains(&format!(
                "href=\"/search?q=kommune&amp;kind=code-list&amp;lang={lang}\""
            )),
            "{lang}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_shows_cards_kind_tabs_filters_and_pages() {
    let Some(app) = with_data(Backend::Sqlite, "web_search").await else {
        return;
    };
    let api = app.get_json("/api/v1/search?q=arbeid&limit=1").await;
    let total = api["total"].as_u64().unwrap();
    assert!(
        total > 20,
        "NAV's catalog has more than a page of 'arbeid': {total}"
    );
    let (status, _, html) = page(&app, "/search?q=arbeid").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("<strong>{total}</strong> treff for “arbeid”")),
        "count"
    );
    assert_eq!(
        html.matches("<article class=\"ds-card result-card\"")
            .count(),
        20
    );
    assert!(html.contains("<b>"), "matched words are highlighted");
    assert!(
        html.contains("href=\"/search?q=arbeid&amp;page=2\""),
        "a next page"
    );
    let (_, _, second) = page(&app, "/search?q=arbeid&page=2").await;
    assert!(second.contains("<ol class=\"result-list\" start=\"21\">"));
    assert!(second.contains("rel=\"prev\""));

    // Kinds as tabs with counts, whichever is chosen; a code list links to its page.
    let (_, _, lists) = page(&app, "/search?q=oslo&kind=code-list").await;
    assert!(
        lists.contains("href=\"/code-lists/"),
        "a card links to the code-list page"
    );
    assert!(lists.contains("aria-current=\"page\">Kodeliste"));
    // Filters as chips that remove themselves.
    let (_, _, filtered) = page(&app, &format!("/search?q=arbeid&publisher={PUBLISHER}")).await;
    assert!(filtered.contains("class=\"ds-chip\" data-removable href=\"/search?q=arbeid\""));

    // The publisher's page counts its resources by kind and status, each count a search.
    let (status, _, publisher) = page(&app, &format!("/publishers/{PUBLISHER}")).await;
    assert_eq!(status, 200);
    assert!(publisher.contains(&format!(
        "href=\"/search?kind=code-list&amp;publisher={PUBLISHER}&amp;status=valid\""
    )));
    assert_eq!(page(&app, "/publishers/12345").await.0, 404);
    assert_eq!(page(&app, "/publishers/111111111").await.0, 404);

    // Values that mean nothing are ignored; no hits get help.
    let (status, _, html) = page(&app, "/search?kind=banana&page=abc&status=gone").await;
    assert_eq!(status, 200);
    assert!(html.contains("byggeklosser i registeret"));
    let (_, _, none) = page(&app, "/search?q=zzxqwv").await;
    assert!(none.contains("Ingen treff"));
    let (_, _, typo) = page(&app, "/search?q=arbeidsgivr").await;
    assert!(
        typo.contains("Ingen treff") == typo.contains("Mente du"),
        "a search that finds nothing offers what the type-ahead finds"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_list_page_shows_the_codes_valid_on_a_date() {
    let Some(app) = with_data(Backend::Sqlite, "web_code_list").await else {
        return;
    };
    let base = "/code-lists/reform-kommuner";
    let (status, headers, all) = page(&app, base).await;
    assert_eq!(status, 200);
    assert!(header_of(&headers, "content-security-policy").contains("default-src 'none'"));
    assert_eq!(rows(&all), 4);
    let (_, _, before) = page(&app, &format!("{base}?date=2019-12-31")).await;
    assert!(has_code(&before, "0101") && !has_code(&before, "3001"));
    assert_eq!(rows(&before), 3);
    let (_, _, after) = page(&app, &format!("{base}?date=2020-01-01")).await;
    assert!(!has_code(&after, "0101") && has_code(&after, "3001"));
    let (_, _, halden) = page(&app, &format!("{base}?filter=HALD")).await;
    assert_eq!(rows(&halden), 2);
    // The hierarchy: a county links to its municipalities.
    assert!(all.contains("href=\"/code-lists/reform-kommuner?parent=03\""));
    let (_, _, children) = page(&app, &format!("{base}?parent=03")).await;
    assert!(has_code(&children, "0301") && rows(&children) == 1);
    // A malformed date is explained, not an error page.
    let (status, _, bad) = page(&app, &format!("{base}?date=2020-13-01")).await;
    assert_eq!(status, 200);
    assert!(bad.contains("YYYY-MM-DD") && rows(&bad) == 4);
    // Copy buttons for the URLs a service uses.
    for url in [
        "/api/v1/code-lists/",
        "/altinn-options</code>",
        &format!("/altinn/{PUBLISHER}/code_lists/"),
    ] {
        assert!(all.contains(url), "{url}");
    }
    assert!(all.contains("data-copy=\"runtime-url\""));

    // Downloads of the page's selection and of the list's RDF.
    let csv = app
        .client
        .get(app.url(&format!("{base}/download/codes.csv?date=2020-01-01")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(header_of(csv.headers(), "content-disposition").starts_with("attachment;"));
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("code,parent,level,label"));
    assert!(csv.contains("\n3001,") && !csv.contains("\n0101,"));
    let turtle = app
        .client
        .get(app.url(&format!("{base}/download/list.ttl")))
        .send()
        .await
        .unwrap();
    assert!(header_of(turtle.headers(), "content-type").starts_with("text/turtle"));
    assert!(turtle
        .text()
        .await
        .unwrap()
        .contains("Kommuner etter reformen"));

    // The other tabs.
    let (_, _, versions) = page(&app, &format!("{base}?tab=versions")).await;
    assert!(versions.contains("<strong aria-current=\"true\">1</strong>"));
    let (_, _, changes) = page(&app, &format!("{base}?tab=changes")).await;
    assert!(changes.contains("erstattet") && changes.contains("<code>0101</code>"));
    let (_, _, about) = page(&app, &format!("{base}?tab=about&lang=en")).await;
    assert!(about.contains("https://example.org/lists/reform"));
    assert!(about.contains("lang=\"nb\">Kommuner etter reformen"));

    // Klass 131: every municipality in the table, as many as the API gives.
    let codes = app.get_json("/api/v1/code-lists/ssb-klass-131/codes").await;
    let n = codes["codes"].as_array().unwrap().len();
    assert!(n > 300);
    let (_, _, klass) = page(&app, "/code-lists/ssb-klass-131").await;
    assert_eq!(rows(&klass), n);

    // Not found: an HTML page, or problem JSON when asked for.
    let (status, headers, _) = page(&app, "/code-lists/no-such-list").await;
    assert_eq!(status, 404);
    assert!(header_of(&headers, "content-type").starts_with("text/html"));
    let (status, headers, _) = page_with(
        &app,
        "/code-lists/no-such-list",
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(status, 404);
    assert!(header_of(&headers, "content-type").starts_with("application/problem+json"));
}

async fn first_id(app: &TestApp, q: &str, kind: &str) -> String {
    let found = app
        .get_json(&format!("/api/v1/search?q={q}&kind={kind}&limit=1"))
        .await;
    found["hits"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {kind} for {q}: {found}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn type_and_model_pages_show_their_structure_and_downloads() {
    let Some(app) = with_data(Backend::Sqlite, "web_types").await else {
        return;
    };
    let person = "demo-person";
    let (status, _, html) = page(&app, &format!("/types/{person}")).await;
    assert_eq!(status, 200);
    // The worked example's Person: a required national id number of 11 digits, names of at
    // most 50 characters, sex from a code list.
    assert!(html.contains("<code>[1..1]</code>") && html.contains("<code>[0..1]</code>"));
    assert!(
        html.contains("pattern [0-9]{11}") && html.contains("maxLength 50"),
        "restrictions shown"
    );
    assert!(html.contains("href=\"/code-lists/"), "the code list linked");
    for format in ["json-schema", "xsd", "csharp", "typescript"] {
        assert!(
            html.contains("/api/v1/types/") && html.contains(&format!("/{format}?lang=nb\"")),
            "{format}"
        );
    }
    let model = first_id(&app, "Personmodell", "model").await;
    let (status, _, html) = page(&app, &format!("/models/{model}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("class=\"type-def\""), "the model's types");
    let (_, _, turtle) = page(&app, &format!("/models/{model}?tab=turtle")).await;
    assert!(turtle.contains("<pre class=\"rdf\"") && turtle.contains("modelldcatno"));
    let (_, _, jsonld) = page(&app, &format!("/models/{model}?tab=jsonld")).await;
    assert!(jsonld.contains("@id"));
    // A real model catalog: Digdir's Skatval models.
    let skatval = first_id(&app, "adresse", "model").await;
    let (status, _, html) = page(&app, &format!("/models/{skatval}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Types used"),
        "{}",
        &html[html.len().saturating_sub(2000)..]
    );
    // A model is not a type.
    let (status, _, _) = page(&app, &format!("/types/{model}")).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concept_page_shows_terms_definitions_and_relations() {
    let Some(app) = with_data(Backend::Sqlite, "web_concept").await else {
        return;
    };
    // The demo's concepts: fødselsnummer is used by the Person type's property.
    let demo = semreg::demo::DEMO_PUBLISHER;
    let id = first_id(
        &app,
        &format!("f%C3%B8dselsnummer&publisher={demo}"),
        "concept",
    )
    .await;
    let (status, _, html) = page(&app, &format!("/concepts/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Anbefalt term") && html.contains("Definisjoner"));
    assert!(
        html.contains("href=\"/types/"),
        "the type that uses it: {html}"
    );
    // NAV's catalog (SKOS-AP-NO v1): the definition with its source and remark, the
    // admitted term from SKOS-XL.
    let nav = first_id(
        &app,
        &format!("f%C3%B8dselsnummer&publisher={PUBLISHER}"),
        "concept",
    )
    .await;
    let (status, _, html) = page(&app, &format!("/concepts/{nav}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(
            "<h1 class=\"ds-heading\" data-size=\"lg\"><span lang=\"nb\">Fødselsnummer</span>"
        ),
        "the nb term, marked"
    );
    assert!(
        html.contains("Fødsels- og personnummer"),
        "the admitted term"
    );
    assert!(html.contains("en identifikator for personer som er registrert i folkeregisteret"));
    assert!(
        html.contains("FOR-2017-07-14-1201"),
        "the definition's source"
    );
    assert!(
        html.contains("Fødselsnummeret består av elleve siffer"),
        "the remark"
    );
    let turtle = app
        .client
        .get(app.url(&format!("/concepts/{nav}/download/concept.ttl")))
        .send()
        .await
        .unwrap();
    assert_eq!(turtle.status(), 200);
    assert!(header_of(turtle.headers(), "content-disposition").starts_with("attachment;"));
    assert!(turtle.text().await.unwrap().contains("skos"));
    assert_eq!(
        page(&app, &format!("/concepts/{nav}/download/x.ttl"))
            .await
            .0,
        404
    );
    // A code list is not a concept.
    assert_eq!(page(&app, "/concepts/ssb-klass-131").await.0, 404);
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    body: String,
) -> (reqwest::StatusCode, header::HeaderMap, String) {
    let response = no_redirects()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST form");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// Waits until a page contains a text (the projections follow the change log).
async fn page_until(app: &TestApp, path: &str, text: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let (_, _, html) = page(app, path).await;
        if html.contains(text) || started.elapsed() > std::time::Duration::from_secs(10) {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_composer_previews_saves_and_links_a_service_model() {
    let Some(app) = with_data(Backend::Sqlite, "web_compose").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    let person = app.get_json("/api/v1/resources/demo-person").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The type search inside the page offers the Person type with an add button.
    let (status, headers, html) = page(&app, "/compose?q=Person&lang=en").await;
    assert_eq!(status, 200);
    assert!(header_of(&headers, "content-security-policy").contains("script-src 'self'"));
    assert!(
        html.contains(&format!("name=\"add\" value=\"{person}\"")),
        "the demo Person among the hits: {html}"
    );
    // Adding is a redirect to the new state, with a field name made from the type's label.
    let response = no_redirects()
        .get(app.url(&format!(
            "/compose?name=S%C3%B8knad&q=Person&add={person}&lang=en"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        header_of(response.headers(), "location"),
        format!(
            "/compose?name=S%C3%B8knad&type={person}&field=person&card=1&source=&q=Person&lang=en"
        )
    );
    let response = no_redirects()
        .get(app.url(&format!(
            "/compose?name=S&type={person}&field=a&card=1&source=&type=x&field=b&card=1&source=&remove=0"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(
        header_of(response.headers(), "location")
            .starts_with("/compose?name=S&type=x&field=b&card=1&source=&lang="),
        "the first part removed"
    );
    // Two parts, the first filled from the population register: the preview is the API's bundle.
    let state = format!(
        "name=S%C3%B8knad+om+bost%C3%B8tte&type={person}&field=applicant&card=1&source=folkeregisteret-person\
         &type=https%3A%2F%2Fexample.org%2Fsemreg-demo%2FAdresse&field=deliveryAddress&card=0..1&source="
    );
    let (status, _, html) = page(&app, &format!("/compose?{state}&lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<option value=\"folkeregisteret-person\" selected>"),
        "the mapping set into Person is offered and chosen: {html}"
    );
    assert!(html.contains("#/$defs/Person"), "the schema: {html}");
    assert!(html.contains("data-path=\"/applicant/address/municipality\""));
    assert!(html.contains("Dropdown"));
    assert!(
        html.contains("<code>/navn/0/fornavn</code>")
            && html.contains("<code>/applicant/givenName</code>")
    );
    assert!(html.contains("id=\"compose-token\""), "the save form");
    assert!(
        html.contains("card=0..1&amp;source=&amp;lang=nb\" hreflang=\"nb\""),
        "the language switch keeps every part's values in place, empty ones too: {html}"
    );
    assert!(!html.contains(&token));
    assert_eq!(
        app.get_json("/api/v1/resources?kind=service-model").await["total"],
        0,
        "a preview stores nothing"
    );
    // A part naming no type: the API's 422 naming the part, explained in the page language.
    let (status, _, html) = page(
        &app,
        "/compose?name=X&type=no-such-type&field=a&card=1&source=&lang=nn",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Tenestemodellen kan ikkje setjast saman (422)"),
        "{html}"
    );
    assert!(html.contains("Innhaldet er ikkje gyldig."));
    assert!(html.contains("parts[0].type: no type with id, alias or IRI &quot;no-such-type&quot;"));
    // Saving without a token, or with a wrong one: 401, said in the page's language.
    let (status, _, html) = post_form(&app, "/compose?lang=en", format!("{state}&token=")).await;
    assert_eq!(status, 401);
    assert!(
        html.contains("The service model was not saved (401)"),
        "{html}"
    );
    assert!(html.contains("The token is missing or not valid."));
    let (status, _, html) = post_form(
        &app,
        "/compose?lang=nb",
        format!("{state}&token=semreg_wrong"),
    )
    .await;
    assert_eq!(status, 401);
    assert!(html.contains("Tokenet mangler eller er ugyldig."), "{html}");
    assert_eq!(
        app.get_json("/api/v1/resources?kind=service-model").await["total"],
        0
    );
    // Saved with the publisher's token: a redirect to the composer showing the saved model.
    let (status, headers, _) =
        post_form(&app, "/compose?lang=en", format!("{state}&token={token}")).await;
    assert_eq!(status, 303);
    let location = header_of(&headers, "location").to_owned();
    assert!(
        !location.contains(&token),
        "the token stays out of the address"
    );
    let id = location
        .split("saved=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("saved=ID")
        .to_owned();
    let bundle = app.get_json(&format!("/api/v1/service-models/{id}")).await;
    let fields: Vec<&str> = bundle["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["applicant", "deliveryAddress"]);
    assert!(bundle["parts"][0]["mapping"].is_string(), "{bundle}");
    assert_eq!(bundle["parts"][1]["min"], 0);
    assert_eq!(
        bundle["schema"]["properties"]["applicant"]["$ref"],
        "#/$defs/Person"
    );
    let (status, _, html) = page(&app, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("data-id=\"{id}\"")), "{html}");
    assert!(html.contains(&format!(
        "href=\"/api/v1/service-models/{id}/altinn-app?org=ttd\""
    )));
    let zip = app
        .client
        .get(app.url(&format!("/api/v1/service-models/{id}/altinn-app?org=ttd")))
        .send()
        .await
        .unwrap();
    assert_eq!(zip.status(), 200, "the form export the page links to");
    // The concept behind the municipality field now names the service model as a user.
    let kommune =
        semreg::ids::resource_id_for_iri("https://example.org/semreg-demo/begrep/kommune");
    let link = format!("href=\"/api/v1/service-models/{id}\"");
    let html = page_until(&app, &format!("/concepts/{kommune}"), &link).await;
    assert!(html.contains(&link), "used by the service model: {html}");
    assert!(html.contains("Tjenestemodell"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_publisher_page_shows_runs_and_a_dry_run_diff() {
    let Some(app) = with_data(Backend::Sqlite, "web_publisher").await else {
        return;
    };
    let token = app.token(PUBLISHER).await;
    // A harvest source (its address is the API's to show, not the page's) and a push.
    let response = app
        .client
        .post(app.url("/api/v1/sources"))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"url": "https://catalog.example.no/secret-catalog.ttl",
            "dataType": "concept", "dataSourceType": "SKOS-AP-NO", "publisherId": PUBLISHER}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let pushed = r#"<https://example.org/begrep/pushed> a <http://www.w3.org/2004/02/skos/core#Concept> ;
        <http://www.w3.org/2004/02/skos/core#prefLabel> "pushet"@nb ."#;
    let response = app
        .client
        .post(app.url(&format!(
            "/api/v1/publishers/{PUBLISHER}/catalog?format=turtle"
        )))
        .bearer_auth(&token)
        .body(pushed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let (status, _, html) = page(&app, &format!("/publishers/{PUBLISHER}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong id=\"source-count\">1</strong>"),
        "{html}"
    );
    assert!(
        !html.contains("secret-catalog"),
        "no source address on the page"
    );
    assert!(
        html.contains("<tr data-kind=\"push\" data-status=\"done\"><th scope=\"row\">Push</th>"),
        "the push run: {html}"
    );
    assert!(html.contains("id=\"dry-run-form\""));
    // A dry run of a merge: one new concept, one changed; nothing written.
    let catalog = format!(
        "{pushed}\n<https://example.org/begrep/dry> a <http://www.w3.org/2004/02/skos/core#Concept> ;\n\
         <http://www.w3.org/2004/02/skos/core#prefLabel> \"tørr\"@nb ."
    )
    .replace("\"pushet\"@nb", "\"pushet igjen\"@nb");
    let body = |token: &str| {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("catalog", &catalog)
            .append_pair("format", "turtle")
            .append_pair("mode", "merge")
            .append_pair("token", token);
        form.finish()
    };
    let path = format!("/publishers/{PUBLISHER}/dry-run?lang=en");
    let (status, _, html) = post_form(&app, &path, body(&token)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<dd data-count=\"created\">1</dd>"), "{html}");
    assert!(html.contains("<dd data-count=\"updated\">1</dd>"));
    assert!(html
        .contains("<tr data-outcome=\"created\"><td><code>https://example.org/begrep/dry</code>"));
    assert!(
        html.contains("http://www.w3.org/2004/02/skos/core#prefLabel"),
        "the changed predicate"
    );
    assert!(!html.contains(&token), "the token is not shown back");
    let dry = semreg::ids::resource_id_for_iri("https://example.org/begrep/dry");
    let response = app
        .client
        .get(app.url(&format!("/api/v1/resources/{dry}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "a dry run writes nothing");
    // Errors of the push API, in the page's language.
    let (status, _, html) =
        post_form(&app, &format!("/publishers/{PUBLISHER}/dry-run"), body("")).await;
    assert_eq!(status, 401);
    assert!(
        html.contains("Tørrkjøringen feilet (401)")
            && html.contains("Tokenet mangler eller er ugyldig."),
        "{html}"
    );
    let other = app.token(semreg::demo::DEMO_PUBLISHER).await;
    let (status, _, html) = post_form(&app, &path, body(&other)).await;
    assert_eq!(status, 403);
    assert!(html.contains("The token may not do this"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_correspondences_tab_shows_the_code_to_code_table() {
    let Some(app) = with_data(Backend::Sqlite, "web_correspondences").await else {
        return;
    };
    let (status, _, html) = page(
        &app,
        "/code-lists/demo-frg-kjoenn?tab=correspondences&lang=en",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<tr data-from=\"kvinne\" data-to=\"2\">"),
        "{html}"
    );
    assert!(html.contains("<tr data-from=\"mann\" data-to=\"1\">"));
    assert!(html.contains("2 associations"));
    // From the other side: Klass 2's codes first.
    let target =
        semreg::ids::resource_id_for_iri("https://data.ssb.no/api/klass/v1/classifications/2");
    let (status, _, html) = page(&app, &format!("/code-lists/{target}?tab=correspondences")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<tr data-from=\"2\" data-to=\"kvinne\">"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/code-lists/demo-frg-kjoenn\""),
        "the other list linked"
    );
    // A list without any: says so.
    let (_, _, html) = page(&app, "/code-lists/reform-kommuner?tab=correspondences").await;
    assert!(html.contains("Ingen korrespondanser med andre lister."));
}

/// The browser suite (tests/node/web/pages.mjs): search → results → a code list filtered by a
/// date, the language switch, the keyboard-only path, pages without JavaScript, and axe-core
/// on every page type (no WCAG 2.1 A/AA violations). Screenshots go to the target dir.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_a_real_browser_and_pass_axe() {
    let Some(node) = common::node_area("the_pages_work_in_a_real_browser_and_pass_axe", "web")
    else {
        return;
    };
    let Some(chromium) = common::chromium("the_pages_work_in_a_real_browser_and_pass_axe") else {
        return;
    };
    let Some(app) = with_data(Backend::Sqlite, "web_browser").await else {
        return;
    };
    let shots = common::artifacts_dir("web-screenshots");
    let output = tokio::process::Command::new("node")
        .arg(node.join("pages.mjs"))
        .arg(&app.base)
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .env("SEMREG_TEST_TOKEN", app.token(PUBLISHER).await)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    println!("screenshots in {}", shots.display());
    assert!(
        output.status.success(),
        "browser suite failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

/// The pages depend on the domain modules and the shared `problem` / `request` modules, never
/// on the API's handlers (`src/http` mounts the pages; the other way round would be a cycle).
#[test]
fn the_pages_do_not_reach_into_the_api_handlers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for needle in ["crate::http", "super::super::http", "semreg::http"] {
            assert!(!text.contains(needle), "{} uses {needle}", path.display());
        }
    }
}
