//! The ceiling for bench/codelists.sh: a bare axum server (same axum, tokio, allocator and
//! socket options as semreg) that answers `GET /200` with the given file's bytes and an ETag,
//! and `GET /304` with an empty 304 and the ETag: no routing table, no lookups, no
//! negotiation, no metrics. Its 304/200 ratio is what the stack itself allows on this machine.
//!
//!     cargo run --release --example bare_bytes -- FILE 127.0.0.1:PORT

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(address)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_bytes FILE ADDRESS");
        std::process::exit(2);
    };
    let body = Bytes::from(std::fs::read(&file)?);
    let app = Router::new()
        .route(
            "/200",
            get(move || {
                let body = body.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/json"),
                            (header::ETAG, "\"bare\""),
                        ],
                        body,
                    )
                }
            }),
        )
        .route(
            "/304",
            get(|| async { (StatusCode::NOT_MODIFIED, [(header::ETAG, "\"bare\"")]) }),
        );
    let listener = tokio::net::TcpListener::bind(&address)
        .await?
        .tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
    axum::serve(listener, app).await
}
