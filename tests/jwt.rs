//! Maskinporten-shaped JWT access tokens end to end: RSA keys generated for the test (the
//! `openssl` CLI), their JWKS served by a local HTTP server the test starts, tokens signed
//! with `jsonwebtoken`, and the real server checking them — writes for the consumer, admin
//! scope, delegated tokens, every refusal of the issue's list answering 401 with a problem
//! JSON naming the failed check (and nothing written), key rotation through an unknown `kid`,
//! the refresh limit under a flood of made-up key ids, and a JWKS outage.

mod common;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use common::{spawn_app_with, Backend, TestApp};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use semreg::auth::jwt::IssuerConfig;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ISSUER: &str = "https://test.maskinporten.no/";
const AUDIENCE: &str = "https://semreg.example.no/";
const CONSUMER: &str = "974760673";
const SUPPLIER: &str = "991825827";

/// An RSA key pair made by `openssl` for this test.
struct TestKey {
    kid: String,
    private_pem: Vec<u8>,
    public_pem: Vec<u8>,
    /// The JWK of the public key.
    jwk: Value,
}

fn openssl(args: &[&str], input: Option<&[u8]>) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the openssl CLI runs (.ci/run installs it)");
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl TestKey {
    fn generate(kid: &str) -> Self {
        let private_pem = openssl(
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
            None,
        );
        let public_pem = openssl(&["pkey", "-pubout"], Some(&private_pem));
        let modulus =
            String::from_utf8(openssl(&["rsa", "-noout", "-modulus"], Some(&private_pem))).unwrap();
        let hex = modulus
            .trim()
            .strip_prefix("Modulus=")
            .expect("Modulus=HEX");
        let n = hex::decode(hex).expect("hex modulus");
        let jwk = json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                         "n": b64url(&n), "e": b64url(&[1, 0, 1])});
        Self {
            kid: kid.to_owned(),
            private_pem,
            public_pem,
            jwk,
        }
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_with(Algorithm::RS256, &self.kid, claims)
    }

    fn sign_with(&self, alg: Algorithm, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        let key = EncodingKey::from_rsa_pem(&self.private_pem).expect("RSA PEM");
        jsonwebtoken::encode(&header, claims, &key).expect("sign")
    }
}

/// The issuer's JWKS endpoint: what it answers, and how often it was asked.
#[derive(Clone, Default)]
struct Jwks {
    body: Arc<Mutex<Option<Value>>>,
    requests: Arc<AtomicU64>,
}

impl Jwks {
    fn serve_keys(&self, keys: &[&TestKey]) {
        let keys: Vec<Value> = keys.iter().map(|k| k.jwk.clone()).collect();
        *self.body.lock().unwrap() = Some(json!({ "keys": keys }));
    }

    fn fail(&self) {
        *self.body.lock().unwrap() = None;
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn answer_jwks(State(jwks): State<Jwks>) -> Response {
    jwks.requests.fetch_add(1, Ordering::SeqCst);
    match jwks.body.lock().unwrap().clone() {
        Some(body) => (
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn jwks_server() -> (Jwks, String, common::AbortOnDrop) {
    let jwks = Jwks::default();
    let router = Router::new()
        .route("/jwk", get(answer_jwks))
        .with_state(jwks.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwk", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (jwks, url, common::AbortOnDrop(Some(task)))
}

/// A server trusting the test issuer, whose JWKS is at `jwks_uri`.
async fn app_trusting(jwks_uri: &str, ttl: Duration, min_refresh: Duration) -> TestApp {
    let jwks_uri = jwks_uri.to_owned();
    spawn_app_with(Backend::Sqlite, "jwt", move |config| {
        config.fetch.allow = semreg::fetch::AllowList::parse("127.0.0.1").unwrap();
        config.jwt.issuers = vec![IssuerConfig {
            issuer: ISSUER.into(),
            jwks_uri,
            audience: Some(AUDIENCE.into()),
            write_scope: "semreg:write".into(),
            admin_scope: "semreg:admin".into(),
        }];
        config.jwt.jwks_ttl = ttl;
        config.jwt.jwks_min_refresh = min_refresh;
    })
    .await
    .expect("SQLite is always there")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A Maskinporten access token's claims for the consumer, with the write scope.
fn claims() -> Value {
    json!({
        "aud": AUDIENCE,
        "scope": "semreg:write",
        "iss": ISSUER,
        "client_amr": "private_key_jwt",
        "token_type": "Bearer",
        "exp": now() + 120,
        "iat": now(),
        "client_id": "5bd1a4a3-2e8e-4c43-8a3f-1d9c3d1f3c11",
        "jti": uuid::Uuid::new_v4().to_string(),
        "consumer": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{CONSUMER}")}
    })
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

fn concept(name: &str) -> Vec<u8> {
    format!(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://begrep.example.no/jwt/{name}> a skos:Concept ; skos:prefLabel \"{name}\"@nb .\n"
    )
    .into_bytes()
}

async fn import(app: &TestApp, token: &str, name: &str) -> reqwest::Response {
    app.import(Some(token), "format=turtle", concept(name))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maskinporten_token_writes_for_its_consumer_and_admin_scope_manages() {
    let key = TestKey::generate("key-1");
    let (jwks, uri, _server) = jwks_server().await;
    jwks.serve_keys(&[&key]);
    let app = app_trusting(&uri, Duration::from_secs(86_400), Duration::from_secs(60)).await;

    // The consumer's first write creates it as a publisher and owns what it wrote.
    let token = key.sign(&claims());
    let response = import(&app, &token, "first").await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    assert_eq!(
        app.resource_total(&format!("publisher={CONSUMER}")).await,
        1
    );
    // Asking to write for another publisher is refused.
    let other = app
        .import(
            Some(&token),
            &format!("format=turtle&publisher={SUPPLIER}"),
            concept("x"),
        )
        .await;
    assert_eq!(other.status(), 403);

    // A delegated token (a supplier acting for the consumer) writes for the consumer.
    let delegated_claims = with(
        claims(),
        json!({"supplier": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{SUPPLIER}")},
               "delegation_source": "https://altinn.no"}),
    );
    let delegated = key.sign(&delegated_claims);
    let response = import(&app, &delegated, "delegated").await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    // The audit trail names the consumer it acted for, the supplier, the jti and client_id.
    let jti = delegated_claims["jti"].as_str().unwrap();
    let admin = semreg::auth::tokens::create_admin_token(&app.app.db)
        .await
        .unwrap();
    let audit: Value = app
        .client
        .get(app.url(&format!("/api/v1/audit?token={jti}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 1, "{audit}");
    let entry = &audit["items"][0];
    assert_eq!(entry["action"], "import");
    assert_eq!(entry["publisher"], CONSUMER);
    assert_eq!(entry["supplier"], SUPPLIER);
    assert_eq!(entry["jti"], jti);
    assert_eq!(entry["issuer"], ISSUER);
    assert_eq!(entry["clientId"], delegated_claims["client_id"]);
    assert_eq!(
        entry["resources"][0]["iri"],
        "https://begrep.example.no/jwt/delegated"
    );
    let by_supplier: Value = app
        .client
        .get(app.url(&format!("/api/v1/audit?publisher={SUPPLIER}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        by_supplier["total"], 1,
        "a supplier finds what it did for others"
    );
    assert_eq!(
        app.resource_total(&format!("publisher={CONSUMER}")).await,
        2
    );
    assert_eq!(
        app.resource_total(&format!("publisher={SUPPLIER}")).await,
        0
    );

    // client_id and client_orgno decide nothing: the consumer does.
    let client_orgno = key.sign(&with(claims(), json!({"client_orgno": SUPPLIER})));
    let response = import(&app, &client_orgno, "client-orgno").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        app.resource_total(&format!("publisher={SUPPLIER}")).await,
        0
    );

    // The admin scope manages sources (for any publisher) and does not write resources.
    let admin = key.sign(&with(claims(), json!({"scope": "semreg:admin"})));
    let sources = app
        .client
        .get(app.url("/api/v1/sources"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(sources.status(), 200);
    let refused = import(&app, &admin, "by-admin").await;
    assert_eq!(refused.status(), 403);
    // All of it with one JWKS fetch.
    assert_eq!(jwks.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_token_is_refused_with_401_naming_the_failed_check() {
    let key = TestKey::generate("key-1");
    let stranger = TestKey::generate("key-1");
    let (jwks, uri, _server) = jwks_server().await;
    jwks.serve_keys(&[&key]);
    let app = app_trusting(&uri, Duration::from_secs(86_400), Duration::from_secs(3600)).await;
    let good = key.sign(&claims());

    let tampered = {
        let parts: Vec<&str> = good.split('.').collect();
        let forged = with(
            claims(),
            json!({"consumer": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{SUPPLIER}")}}),
        );
        format!(
            "{}.{}.{}",
            parts[0],
            b64url(forged.to_string().as_bytes()),
            parts[2]
        )
    };
    let alg_none = format!(
        "{}.{}.",
        b64url(
            json!({"alg": "none", "typ": "JWT", "kid": "key-1"})
                .to_string()
                .as_bytes()
        ),
        b64url(claims().to_string().as_bytes())
    );
    let hs256_with_public_key = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("key-1".into());
        jsonwebtoken::encode(
            &header,
            &claims(),
            &EncodingKey::from_secret(&key.public_pem),
        )
        .unwrap()
    };
    let bad_check_digit =
        json!({"consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:974760674"}});
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            key.sign(&with(
                claims(),
                json!({"exp": now() - 600, "iat": now() - 900}),
            )),
            "exp",
        ),
        (
            "not yet valid",
            key.sign(&with(claims(), json!({"nbf": now() + 600}))),
            "nbf",
        ),
        (
            "issued in the future",
            key.sign(&with(
                claims(),
                json!({"iat": now() + 600, "exp": now() + 900}),
            )),
            "iat",
        ),
        (
            "wrong issuer",
            key.sign(&with(claims(), json!({"iss": "https://maskinporten.no/"}))),
            "issuer",
        ),
        (
            "issuer without its trailing slash",
            key.sign(&with(
                claims(),
                json!({"iss": "https://test.maskinporten.no"}),
            )),
            "issuer",
        ),
        (
            "wrong audience",
            key.sign(&with(
                claims(),
                json!({"aud": "https://elsewhere.example/"}),
            )),
            "audience",
        ),
        (
            "no audience",
            key.sign(&with(claims(), json!({"aud": null}))),
            "audience",
        ),
        (
            "missing scope",
            key.sign(&with(claims(), json!({"scope": "altinn:something"}))),
            "scope",
        ),
        (
            "unknown kid",
            key.sign_with(Algorithm::RS256, "key-9", &claims()),
            "kid",
        ),
        ("tampered payload", tampered, "signature"),
        (
            "signed by another key",
            stranger.sign(&claims()),
            "signature",
        ),
        ("alg none", alg_none, "algorithm"),
        (
            "HS256 with the public key as secret",
            hs256_with_public_key,
            "algorithm",
        ),
        (
            "consumer with a wrong check digit",
            key.sign(&with(claims(), bad_check_digit)),
            "consumer",
        ),
        (
            "no consumer",
            key.sign(&with(claims(), json!({"consumer": null}))),
            "consumer",
        ),
        (
            "no jti",
            key.sign(&with(claims(), json!({"jti": null}))),
            "claims",
        ),
        ("not a JWT at all", "abc.def.ghi".to_owned(), "token"),
    ];
    let before = app.resource_total("").await;
    let secrets = [
        String::from_utf8(key.private_pem.clone()).unwrap(),
        key.jwk["n"].as_str().unwrap().to_owned(),
    ];
    for (name, token, check) in &cases {
        let response = import(&app, token, name).await;
        assert_eq!(response.status(), 401, "{name}");
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(content_type, "application/problem+json", "{name}");
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{name}: {challenge}"
        );
        let body = response.text().await.unwrap();
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["check"], *check, "{name}: {body}");
        assert_eq!(problem["status"], 401);
        for secret in &secrets {
            assert!(!body.contains(secret.trim()), "{name} leaks key material");
        }
    }
    // Nothing was written by any of them, and the good token still works.
    assert_eq!(app.resource_total("").await, before);
    assert_eq!(import(&app, &good, "good").await.status(), 200);
    assert_eq!(app.resource_total("").await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_kid_refreshes_the_jwks_but_a_flood_of_unknown_kids_does_not() {
    let old = TestKey::generate("2026-old");
    let new = TestKey::generate("2026-new");
    let (jwks, uri, _server) = jwks_server().await;
    jwks.serve_keys(&[&old]);
    let min_refresh = Duration::from_secs(1);
    let app = app_trusting(&uri, Duration::from_secs(86_400), min_refresh).await;
    assert_eq!(
        import(&app, &old.sign(&claims()), "old").await.status(),
        200
    );
    assert_eq!(jwks.requests(), 1);

    // Fifty made-up key ids within the refresh limit: refused, and at most one more fetch.
    for i in 0..50 {
        let token = old.sign_with(Algorithm::RS256, &format!("made-up-{i}"), &claims());
        assert_eq!(import(&app, &token, "flood").await.status(), 401);
    }
    assert!(jwks.requests() <= 2, "{} JWKS requests", jwks.requests());

    // The issuer rotates its key: once the limit has passed, the new kid is fetched and works.
    jwks.serve_keys(&[&old, &new]);
    tokio::time::sleep(min_refresh + Duration::from_millis(100)).await;
    let before = jwks.requests();
    let response = import(&app, &new.sign(&claims()), "new").await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    assert_eq!(jwks.requests(), before + 1);
    // The old key still works from the cache, without a fetch.
    assert_eq!(
        import(&app, &old.sign(&claims()), "old-again")
            .await
            .status(),
        200
    );
    assert_eq!(jwks.requests(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwks_outage_keeps_the_cached_keys_working() {
    let key = TestKey::generate("key-1");
    let (jwks, uri, _server) = jwks_server().await;

    // No keys held and the JWKS down: 503 with Retry-After, not a refusal of the token.
    jwks.fail();
    let cold = app_trusting(&uri, Duration::from_millis(200), Duration::from_millis(100)).await;
    let response = import(&cold, &key.sign(&claims()), "cold").await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    drop(cold);

    jwks.serve_keys(&[&key]);
    let app = app_trusting(&uri, Duration::from_millis(200), Duration::from_millis(100)).await;
    let before = jwks.requests();
    assert_eq!(
        import(&app, &key.sign(&claims()), "before").await.status(),
        200
    );
    assert_eq!(jwks.requests(), before + 1);

    // The issuer goes down; the cache grows old and its refreshes fail, the keys stay.
    jwks.fail();
    for round in 0..5 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let response = import(&app, &key.sign(&claims()), &format!("during-{round}")).await;
        assert_eq!(response.status(), 200, "round {round}");
    }
    assert!(
        jwks.requests() >= before + 2,
        "the stale cache was refreshed in the background ({} requests)",
        jwks.requests()
    );
    assert_eq!(
        app.resource_total(&format!("publisher={CONSUMER}")).await,
        6
    );
}
