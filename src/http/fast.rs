//! The fast lane: how `semreg serve` reads a connection. A running service's GET of a code list
//! it has fetched before (`/api/v1/code-lists/{id}/codes` or `/altinn-options`, most often with
//! `If-None-Match`) is parsed with `httparse` and answered from the memo with a head written
//! into a reused buffer and the memoized body, in one vectored write for every answer that is
//! ready — pipelined requests included. No request or header map is built and nothing is
//! allocated per answer. The first request of a connection that is anything else (another path,
//! a first request for a list, a bad parameter, HTTP/1.0, a body, `Expect`, an upgrade, an
//! HTTP/2 preface, a malformed request) hands the connection, with every byte read so far, to
//! hyper and the router, which serve it from then on exactly as before. So routing, metrics,
//! ETags, 304s, content coding and every other endpoint answer as they did.
//!
//! Why: bench/codelists.sh measured hyper + axum at ≈ 0.6× nginx (Debian's sendfile config) for
//! the same pre-built bytes; what hyper spends per request (a header map, a request and a
//! response, a service call) is most of an answer that is otherwise a map lookup.

use super::code_lists::{write_memoized, HotClock, HotRequest};
use crate::app::AppState;
use bytes::{Buf, Bytes, BytesMut};
use std::io::IoSlice;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// Requests whose head is larger than this go to hyper (which has its own limits).
const MAX_HEAD: usize = 16 * 1024;
/// Headers read per request; a request with more goes to hyper.
const MAX_HEADERS: usize = 48;
/// Answers gathered before they are written (pipelined requests).
const MAX_BATCH: usize = 32;

/// The clock of one connection: `Date` and today's date, formatted once a second.
struct Clock {
    second: u64,
    http_date: [u8; 29],
    today: [u8; 10],
}

impl Clock {
    fn new() -> Self {
        let mut clock = Clock {
            second: u64::MAX,
            http_date: [b' '; 29],
            today: *b"1970-01-01",
        };
        clock.tick();
        clock
    }

    /// Brings the texts up to this second (a clock read when nothing changed).
    fn tick(&mut self) {
        let now = SystemTime::now();
        let second = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if second == self.second {
            return;
        }
        self.second = second;
        use std::fmt::Write;
        let mut date = Fixed::<29>::default();
        if write!(date, "{}", httpdate::HttpDate::from(now)).is_ok() && date.len == 29 {
            self.http_date = date.bytes;
        }
        let mut day = Fixed::<10>::default();
        let today = chrono::DateTime::<chrono::Utc>::from(now).date_naive();
        if write!(day, "{today}").is_ok() && day.len == 10 {
            self.today = day.bytes;
        }
    }
}

/// A text formatted into a fixed array (no allocation; longer text is an error).
struct Fixed<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Default for Fixed<N> {
    fn default() -> Self {
        Fixed {
            bytes: [0; N],
            len: 0,
        }
    }
}

impl<const N: usize> std::fmt::Write for Fixed<N> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        if end > N {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl HotClock for Clock {
    fn http_date(&self) -> &[u8] {
        &self.http_date
    }

    fn today(&self) -> &str {
        std::str::from_utf8(&self.today).unwrap_or("1970-01-01")
    }
}

/// What to do with a complete request at the front of the buffer.
enum Parsed {
    /// Answered from the memo: the head is in the head buffer, the body (if any) to follow.
    Answered {
        len: usize,
        body: Option<Bytes>,
        close: bool,
    },
    /// The router's: hand the connection over.
    Router,
    /// Not complete yet.
    Partial,
}

/// Reads the request at the front of `buf` and answers it from the memo if it can.
fn parse_and_answer(app: &AppState, buf: &[u8], clock: &Clock, head: &mut BytesMut) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::Router,
    };
    if request.method != Some("GET") || request.version != Some(1) {
        return Parsed::Router;
    }
    let Some(target) = request.path else {
        return Parsed::Router;
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut hot = HotRequest {
        path,
        query,
        ..Default::default()
    };
    let mut close = false;
    for header in request.headers.iter() {
        let name = header.name;
        let Ok(value) = std::str::from_utf8(header.value) else {
            return Parsed::Router;
        };
        if name.eq_ignore_ascii_case("accept") {
            hot.accept = hot.accept.or(Some(value));
        } else if name.eq_ignore_ascii_case("accept-encoding") {
            hot.accept_encoding = hot.accept_encoding.or(Some(value));
        } else if name.eq_ignore_ascii_case("if-none-match") {
            hot.if_none_match = hot.if_none_match.or(Some(value));
        } else if name.eq_ignore_ascii_case("connection") {
            if value
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("close"))
            {
                close = true;
            } else if value
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
            {
                return Parsed::Router;
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            if value.trim() != "0" {
                return Parsed::Router;
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || name.eq_ignore_ascii_case("expect")
            || name.eq_ignore_ascii_case("upgrade")
        {
            return Parsed::Router;
        }
    }
    let answer = write_memoized(app, &hot, clock, head)
        .or_else(|| super::fhir::write_memoized(app, &hot, clock, head));
    match answer {
        Some(body) => Parsed::Answered { len, body, close },
        None => Parsed::Router,
    }
}

/// Where a connection goes when the router takes it over.
#[derive(Clone)]
pub enum HandOver {
    /// On this runtime.
    Here,
    /// On another runtime (the fast lane runs on a thread of its own; the router, the store and
    /// the projections on the main runtime).
    To(tokio::runtime::Handle),
}

/// Serves one accepted connection: the fast lane while it can, then hyper and `router`.
pub async fn serve_connection(
    stream: TcpStream,
    app: AppState,
    router: super::Service,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    serve_connection_with(stream, app, router, stop, HandOver::Here).await
}

/// [`serve_connection`], handing over to the router where `hand_over` says.
pub async fn serve_connection_with(
    mut stream: TcpStream,
    app: AppState,
    router: super::Service,
    mut stop: tokio::sync::watch::Receiver<bool>,
    hand_over: HandOver,
) {
    let mut buf = BytesMut::with_capacity(4096);
    let mut head = BytesMut::with_capacity(1024);
    let mut bodies: Vec<(usize, Option<Bytes>)> = Vec::with_capacity(MAX_BATCH);
    let mut clock = Clock::new();
    // An idle connection (no complete request) is closed after this: by default 65 s, like
    // nginx's `keepalive_timeout 65` (`--idle-timeout-secs`).
    let idle = app.config.input_limits.idle_timeout;
    loop {
        // Answer every complete request in the buffer, then write them together.
        clock.tick();
        let mut close = false;
        let mut to_router = false;
        loop {
            let head_start = head.len();
            match parse_and_answer(&app, &buf, &clock, &mut head) {
                Parsed::Answered {
                    len,
                    body,
                    close: asked,
                } => {
                    buf.advance(len);
                    bodies.push((head.len() - head_start, body));
                    if asked {
                        close = true;
                        break;
                    }
                    if bodies.len() == MAX_BATCH {
                        break;
                    }
                }
                Parsed::Router => {
                    to_router = true;
                    break;
                }
                Parsed::Partial => break,
            }
        }
        if !bodies.is_empty() {
            if write_all(&mut stream, &head, &bodies).await.is_err() {
                return;
            }
            head.clear();
            bodies.clear();
        }
        if close {
            let _ = stream.shutdown().await;
            return;
        }
        if to_router || buf.len() > MAX_HEAD {
            let read = buf.freeze();
            match hand_over {
                HandOver::Here => serve_with_router(stream, read, router, stop, idle).await,
                HandOver::To(runtime) => {
                    // Move the socket to the other runtime's reactor.
                    let Ok(stream) = stream.into_std() else {
                        return;
                    };
                    runtime.spawn(async move {
                        if let Ok(stream) = TcpStream::from_std(stream) {
                            serve_with_router(stream, read, router, stop, idle).await;
                        }
                    });
                }
            }
            return;
        }
        if !buf.is_empty() && buf.capacity() - buf.len() < 1024 {
            buf.reserve(4096);
        }
        let read = tokio::select! {
            read = tokio::time::timeout(idle, stream.read_buf(&mut buf)) => read,
            _ = stop.changed() => return,
        };
        match read {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(_)) => {}
        }
    }
}

/// Writes the gathered answers: head and body of each, in order, with vectored writes.
async fn write_all(
    stream: &mut TcpStream,
    head: &[u8],
    bodies: &[(usize, Option<Bytes>)],
) -> std::io::Result<()> {
    // The pieces: each answer's head (a slice of `head`), then its body.
    let mut pieces: [&[u8]; MAX_BATCH * 2] = [&[]; MAX_BATCH * 2];
    let mut count = 0;
    let mut offset = 0;
    for (head_len, body) in bodies {
        pieces[count] = &head[offset..offset + head_len];
        offset += head_len;
        count += 1;
        if let Some(body) = body {
            pieces[count] = body;
            count += 1;
        }
    }
    let mut pieces = &mut pieces[..count];
    while !pieces.is_empty() {
        let mut slices = [IoSlice::new(&[]); MAX_BATCH * 2];
        for (slot, piece) in slices.iter_mut().zip(pieces.iter()) {
            *slot = IoSlice::new(piece);
        }
        let written = stream.write_vectored(&slices[..pieces.len()]).await?;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        // Drop what was written: whole pieces, then the front of the next.
        let mut left = written;
        while let Some(first) = pieces.first_mut() {
            if left >= first.len() {
                left -= first.len();
                pieces = &mut pieces[1..];
            } else {
                *first = &first[left..];
                break;
            }
        }
    }
    Ok(())
}

/// Hands the connection to hyper (HTTP/1.1, or HTTP/2 with prior knowledge) and the router,
/// replaying what was read so far; graceful shutdown when `stop` fires. A connection that
/// sits idle between requests, or takes longer than `idle` to send a request's head, is
/// closed (hyper's header read timeout, which also runs between keep-alive requests).
async fn serve_with_router(
    stream: TcpStream,
    read: Bytes,
    router: super::Service,
    mut stop: tokio::sync::watch::Receiver<bool>,
    idle: Duration,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tower::ServiceExt;
    // The client's address, for per-client rate limits.
    let peer = stream.peer_addr().ok();
    let service = hyper_util::service::TowerToHyperService::new(router.map_request(
        move |request: axum::http::Request<hyper::body::Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            if let Some(peer) = peer {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
            }
            request
        },
    ));
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(idle);
    builder
        .http2()
        .timer(hyper_util::rt::TokioTimer::new())
        .keep_alive_interval(Some(idle))
        .keep_alive_timeout(Duration::from_secs(20));
    let io = TokioIo::new(Replay {
        read,
        inner: stream,
    });
    let connection = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// A stream that first yields bytes already read from it.
struct Replay {
    read: Bytes,
    inner: TcpStream,
}

impl AsyncRead for Replay {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if !self.read.is_empty() {
            let n = self.read.len().min(out.remaining());
            out.put_slice(&self.read[..n]);
            self.read.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, out)
    }
}

impl AsyncWrite for Replay {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, data)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The fast lane's answer for raw request bytes, for tests: the head and body it would write,
/// or `None` when the router would answer.
pub fn answer_bytes(app: &AppState, request: &[u8]) -> Option<(BytesMut, Option<Bytes>)> {
    let mut head = BytesMut::with_capacity(1024);
    match parse_and_answer(app, request, &Clock::new(), &mut head) {
        Parsed::Answered { body, .. } => Some((head, body)),
        _ => None,
    }
}

/// Like [`answer_bytes`], but into a head buffer the caller keeps (to count allocations).
pub fn answer_into(app: &AppState, request: &[u8], head: &mut BytesMut) -> bool {
    thread_local! {
        static CLOCK: std::cell::RefCell<Option<Clock>> = const { std::cell::RefCell::new(None) };
    }
    CLOCK.with(|clock| {
        let mut clock = clock.borrow_mut();
        let clock = clock.get_or_insert_with(Clock::new);
        clock.tick();
        matches!(
            parse_and_answer(app, request, clock, head),
            Parsed::Answered { .. }
        )
    })
}
