//! The fast lane on the wire: memoized code-list answers straight from a parsed request —
//! pipelined, split across reads, kept alive, closed on `Connection: close` — and the hand-over
//! to hyper and the router for anything else, on the same connection, with the bytes already
//! read replayed.

mod common;

use common::{spawn_app, Backend, TestApp};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KLASS: &str = "codelists/ssb-klass-131-kommuner-codesAt-2024.json";
const CODES: &str = "/api/v1/code-lists/ssb-klass-131/codes";

async fn with_municipalities(backend: Backend, test: &str) -> Option<TestApp> {
    let app = spawn_app(backend, test).await?;
    let token = app.token("974760673").await;
    let body = std::fs::read(common::shared_data(KLASS)).unwrap();
    let response = app
        .import(
            Some(&token),
            "format=klass&filename=ssb-klass-131-kommuner-codesAt-2024.json",
            body,
        )
        .await;
    assert_eq!(response.status(), 200);
    // The first request of each kind renders through the router and fills the memo.
    for accept in ["application/json", "text/csv"] {
        let r = app
            .client
            .get(app.url(CODES))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    Some(app)
}

/// One HTTP/1.1 response read off a stream: status, headers (lowercase names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one response (Content-Length bodies, or none for 304) from `pending` + the stream.
async fn read_answer(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Answer {
    read_answer_to(stream, pending, false).await
}

/// [`read_answer`]; the answer to a HEAD has no body whatever its Content-Length says.
async fn read_answer_to(
    stream: &mut TcpStream,
    pending: &mut Vec<u8>,
    head_request: bool,
) -> Answer {
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(pending[..end].to_vec()).unwrap();
            let mut lines = head.split("\r\n");
            let status: u16 = lines
                .next()
                .unwrap()
                .split(' ')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            let headers: Vec<(String, String)> = lines
                .map(|l| {
                    let (n, v) = l.split_once(':').unwrap();
                    (n.trim().to_ascii_lowercase(), v.trim().to_owned())
                })
                .collect();
            let length: usize = if head_request {
                0
            } else {
                headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .map_or(0, |(_, v)| v.parse().unwrap())
            };
            while pending.len() < end + 4 + length {
                read_more(stream, pending).await;
            }
            let body = pending[end + 4..end + 4 + length].to_vec();
            pending.drain(..end + 4 + length);
            return Answer {
                status,
                headers,
                body,
            };
        }
        read_more(stream, pending).await;
    }
}

async fn read_more(stream: &mut TcpStream, pending: &mut Vec<u8>) {
    let mut chunk = [0u8; 65536];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    assert!(n > 0, "the server closed the connection early");
    pending.extend_from_slice(&chunk[..n]);
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

fn get(path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nhost: test\r\n{extra}\r\n")
}

async fn pipelined_requests_are_answered_in_order_from_the_memo(backend: Backend) {
    let Some(app) = with_municipalities(backend, "fast_lane_pipelined").await else {
        return;
    };
    let reference = app.client.get(app.url(CODES)).send().await.unwrap();
    let etag = reference.headers()["etag"].to_str().unwrap().to_owned();
    let body = reference.bytes().await.unwrap();
    let mut stream = connect(&app).await;
    let requests = [
        get(CODES, ""),
        get(CODES, &format!("if-none-match: {etag}\r\n")),
        get(CODES, "accept: text/csv\r\n"),
        get(CODES, ""),
    ]
    .concat();
    stream.write_all(requests.as_bytes()).await.unwrap();
    let mut pending = Vec::new();
    let first = read_answer(&mut stream, &mut pending).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body, body);
    assert_eq!(first.header("etag"), Some(etag.as_str()));
    assert!(first.header("date").is_some());
    let second = read_answer(&mut stream, &mut pending).await;
    assert_eq!(second.status, 304);
    assert!(second.body.is_empty());
    let third = read_answer(&mut stream, &mut pending).await;
    assert_eq!(third.status, 200);
    assert!(third
        .header("content-type")
        .unwrap()
        .starts_with("text/csv"));
    let fourth = read_answer(&mut stream, &mut pending).await;
    assert_eq!(fourth.body, body);
}
both!(pipelined_requests_are_answered_in_order_from_the_memo);

async fn a_request_split_across_reads_is_answered_once_complete(backend: Backend) {
    let Some(app) = with_municipalities(backend, "fast_lane_split").await else {
        return;
    };
    let mut stream = connect(&app).await;
    let request = get(CODES, "accept-encoding: gzip\r\n");
    for chunk in request.as_bytes().chunks(7) {
        stream.write_all(chunk).await.unwrap();
        stream.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut pending = Vec::new();
    let answer = read_answer(&mut stream, &mut pending).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-encoding"), Some("gzip"));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&answer.body[..]),
        &mut text,
    )
    .unwrap();
    assert!(text.contains("\"0301\""), "the gzip body is the list");
}
both!(a_request_split_across_reads_is_answered_once_complete);

async fn other_requests_hand_the_connection_to_the_router(backend: Backend) {
    let Some(app) = with_municipalities(backend, "fast_lane_hand_over").await else {
        return;
    };
    let mut stream = connect(&app).await;
    // Fast lane, then the router (healthz; a list not yet memoized with this query), then a
    // memoized list again: all on one connection, pipelined, answered in order.
    let requests = [
        get(CODES, ""),
        get("/healthz", ""),
        get(&format!("{CODES}?level=1"), ""),
        get(CODES, ""),
        get("/api/v1/code-lists/no-such-list/codes", ""),
    ]
    .concat();
    stream.write_all(requests.as_bytes()).await.unwrap();
    let mut pending = Vec::new();
    let statuses = [200, 200, 200, 200, 404];
    for (n, want) in statuses.into_iter().enumerate() {
        let answer = read_answer(&mut stream, &mut pending).await;
        assert_eq!(answer.status, want, "answer {n}");
        if n == 1 {
            assert_eq!(answer.body, br#"{"status":"ok"}"#);
        }
        if n == 4 {
            assert_eq!(
                answer.header("content-type"),
                Some("application/problem+json")
            );
        }
    }
    // HTTP/1.0, HEAD and a body are the router's too.
    for request in [
        format!("GET {CODES} HTTP/1.0\r\n\r\n"),
        format!("HEAD {CODES} HTTP/1.1\r\nhost: t\r\n\r\n"),
        format!("GET {CODES} HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\n{{}}"),
    ] {
        let mut stream = connect(&app).await;
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut pending = Vec::new();
        let answer = read_answer_to(&mut stream, &mut pending, request.starts_with("HEAD")).await;
        assert_eq!(answer.status, 200, "{request}");
    }
}
both!(other_requests_hand_the_connection_to_the_router);

async fn connection_close_is_honoured_and_garbage_gets_a_400(backend: Backend) {
    let Some(app) = with_municipalities(backend, "fast_lane_close").await else {
        return;
    };
    let mut stream = connect(&app).await;
    stream
        .write_all(get(CODES, "connection: close\r\n").as_bytes())
        .await
        .unwrap();
    let mut pending = Vec::new();
    let answer = read_answer(&mut stream, &mut pending).await;
    assert_eq!(answer.status, 200);
    let mut rest = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest))
        .await
        .expect("closed")
        .unwrap();
    assert_eq!(n, 0, "nothing after the answer, then EOF");
    // Not HTTP at all: hyper answers 400 (or closes), the server lives on.
    let mut stream = connect(&app).await;
    stream
        .write_all(b"\x16\x03\x01 not http\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    assert!(
        buf.is_empty() || buf.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&buf)
    );
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
both!(connection_close_is_honoured_and_garbage_gets_a_400);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fast_lane_answers_memoized_requests_and_leaves_the_rest() {
    let Some(app) = with_municipalities(Backend::Sqlite, "fast_lane_direct").await else {
        return;
    };
    let state = semreg::app::AppState(app.app.clone());
    let answered = |request: &str| semreg::http::fast::answer_bytes(&state, request.as_bytes());
    let (head, body) = answered(&get(CODES, "")).expect("memoized");
    let head = String::from_utf8(head.to_vec()).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.ends_with("\r\n\r\n"));
    assert!(body.is_some());
    for request in [
        get("/healthz", ""),
        get(&format!("{CODES}?level=2"), ""),
        get(&format!("{CODES}?d%61te=2024-01-01"), ""),
        get(CODES, "accept: image/png\r\n"),
        get(CODES, "expect: 100-continue\r\n"),
        get(CODES, "transfer-encoding: chunked\r\n"),
        get(CODES, "connection: upgrade\r\nupgrade: h2c\r\n"),
        format!("POST {CODES} HTTP/1.1\r\nhost: t\r\n\r\n"),
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_owned(),
    ] {
        assert!(answered(&request).is_none(), "the router's: {request:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_core_lanes_answer_and_hand_over_to_the_main_runtime() {
    let Some(app) = with_municipalities(Backend::Sqlite, "fast_lane_per_core").await else {
        return;
    };
    let state = semreg::app::AppState(app.app.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (address, done) =
        semreg::http::serve_per_core(state, "127.0.0.1:0".parse().unwrap(), 2, async move {
            let _ = stopped.await;
        })
        .unwrap();
    let served = tokio::spawn(done);
    let base = format!("http://{address}");
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let reference = app
        .client
        .get(app.url(CODES))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    for _ in 0..8 {
        let answer = fresh.get(format!("{base}{CODES}")).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.bytes().await.unwrap(), reference);
        // The router's, on a connection moved to the main runtime.
        let search = fresh
            .get(format!("{base}/api/v1/search?q=oslo"))
            .send()
            .await
            .unwrap();
        assert_eq!(search.status(), 200);
    }
    let pooled = reqwest::Client::new();
    for path in ["/healthz", CODES, "/api/v1/resources?kind=code-list", CODES] {
        assert_eq!(
            pooled
                .get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "{path}"
        );
    }
    drop(pooled);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), served)
        .await
        .expect("shuts down")
        .unwrap();
    assert!(
        fresh.get(format!("{base}/healthz")).send().await.is_err(),
        "no longer listening"
    );
}

/// FHIR `$expand` and `$validate-code` answered before (by the router, which memoizes them) are
/// answered by the fast lane with exactly the router's status, headers and body; 304 on the
/// ETag; what the memo does not hold (a pinned version, another filter, XML) stays the router's.
async fn fhir_answers_from_the_memo_match_the_routers(backend: Backend) {
    let Some(app) = with_municipalities(backend, "fast_lane_fhir").await else {
        return;
    };
    let list = "https%3A%2F%2Fdata.ssb.no%2Fapi%2Fklass%2Fv1%2Fclassifications%2F131";
    let expand = format!("/fhir/ValueSet/$expand?url={list}&filter=os");
    let validate = format!("/fhir/CodeSystem/$validate-code?url={list}&code=0301");
    // The URL not percent-encoded, and encoded with a `|version`-less canonical's `?fhir_vs`.
    let plain =
        "/fhir/ValueSet/$expand?url=https://data.ssb.no/api/klass/v1/classifications/131&count=5"
            .to_owned();
    let implicit = format!("/fhir/ValueSet/$validate-code?url={list}%3Ffhir_vs&code=0301");
    let state = semreg::app::AppState(app.app.clone());
    for path in [&expand, &validate, &plain, &implicit] {
        // Not yet answered: the router's.
        let raw = get(path, "accept: application/fhir+json\r\n");
        assert!(
            semreg::http::fast::answer_bytes(&state, raw.as_bytes()).is_none(),
            "{path} before the router answered it"
        );
        let reference = app
            .client
            .get(app.url(path))
            .header("accept", "application/fhir+json")
            .send()
            .await
            .unwrap();
        assert_eq!(reference.status(), 200, "{path}");
        let headers = reference.headers().clone();
        let body = reference.bytes().await.unwrap();

        let (head, fast_body) =
            semreg::http::fast::answer_bytes(&state, raw.as_bytes()).expect("memoized");
        let head = String::from_utf8(head.to_vec()).unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert_eq!(
            fast_body.as_deref(),
            Some(&body[..]),
            "{path}: the same body"
        );
        for name in ["content-type", "etag", "cache-control", "vary"] {
            let want = headers[name].to_str().unwrap();
            assert!(
                head.contains(&format!("{name}: {want}\r\n")),
                "{path}: {name} {want:?} in {head}"
            );
        }
        // Through a real connection, pipelined: 200, then 304 on the ETag.
        let etag = headers["etag"].to_str().unwrap();
        let mut stream = connect(&app).await;
        let requests = [
            get(path, ""),
            get(path, &format!("if-none-match: {etag}\r\n")),
        ]
        .concat();
        stream.write_all(requests.as_bytes()).await.unwrap();
        let mut pending = Vec::new();
        let first = read_answer(&mut stream, &mut pending).await;
        assert_eq!((first.status, &first.body[..]), (200, &body[..]));
        let second = read_answer(&mut stream, &mut pending).await;
        assert_eq!(second.status, 304);
        assert_eq!(second.header("etag"), Some(etag));
    }
    for request in [
        get(&format!("/fhir/ValueSet/$expand?url={list}&filter=osl"), ""),
        get(
            &format!("/fhir/ValueSet/$expand?url={list}&filter=os&valueSetVersion=1"),
            "",
        ),
        get(&expand, "accept: application/fhir+xml\r\n"),
        format!("POST {expand} HTTP/1.1\r\nhost: t\r\n\r\n"),
    ] {
        assert!(
            semreg::http::fast::answer_bytes(&state, request.as_bytes()).is_none(),
            "the router's: {request:?}"
        );
    }
}
both!(fhir_answers_from_the_memo_match_the_routers);
