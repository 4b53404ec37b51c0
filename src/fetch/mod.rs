//! The product's one outbound HTTP client: rustls, connect and read timeouts, a size cap on the
//! (decompressed) body, gzip and brotli, at most five redirects each checked by the SSRF guard
//! ([`guard`]), conditional GET, and a `User-Agent` naming semreg. Harvest sources, JWKS
//! fetching and webhook deliveries ([`Fetcher::post`]) use it; peers are meant to use it too.
//!
//! ```no_run
//! # async fn demo(fetcher: &semreg::fetch::Fetcher) -> Result<(), semreg::fetch::FetchError> {
//! use semreg::fetch::{Fetched, FetchRequest};
//! match fetcher.get(FetchRequest::new("https://example.org/catalog.ttl")).await? {
//!     Fetched::NotModified { .. } => {}
//!     Fetched::Body(body) => println!("{} bytes", body.bytes.len()),
//! }
//! # Ok(()) }
//! ```

pub mod guard;

pub use guard::{AllowList, InvalidAllowEntry};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use std::sync::Arc;
use std::time::Duration;

/// The `User-Agent` of every outbound request.
pub const USER_AGENT: &str = concat!("semreg/", env!("CARGO_PKG_VERSION"), " (catalog harvester)");
/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 5;
/// The default size cap: 75 MiB, as FDK's harvester.
pub const DEFAULT_MAX_BYTES: u64 = 75 * 1024 * 1024;

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Internal hosts and networks that may be fetched from.
    pub allow: AllowList,
    /// Time to connect.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout: Duration,
    /// Longest time for a whole request, body included.
    pub total_timeout: Duration,
    /// Largest body accepted (after decompression), in bytes.
    pub max_bytes: u64,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            allow: AllowList::default(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(300),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// One GET.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// The URL.
    pub url: String,
    /// The `Accept` header, if any.
    pub accept: Option<String>,
    /// Extra headers (e.g. an API key); their values are never logged.
    pub headers: Vec<(String, String)>,
    /// `If-None-Match`: the ETag of the copy we hold.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since`: the `Last-Modified` of the copy we hold.
    pub if_modified_since: Option<String>,
}

impl FetchRequest {
    /// A plain GET of a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            accept: None,
            headers: Vec::new(),
            if_none_match: None,
            if_modified_since: None,
        }
    }
}

/// One POST (a webhook delivery). Redirects are not followed: a 3xx is the answer.
#[derive(Debug, Clone)]
pub struct PostRequest {
    /// The URL.
    pub url: String,
    /// The body's media type.
    pub content_type: String,
    /// Extra headers (e.g. signatures); their values are never logged.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// A time limit for this request instead of the client's total timeout.
    pub timeout: Option<Duration>,
}

/// Most bytes of a POST's answer kept (the rest is not read).
pub const MAX_POST_ANSWER_BYTES: usize = 64 * 1024;

/// The answer to a POST, whatever its status.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The status.
    pub status: u16,
    /// The start of the body (at most [`MAX_POST_ANSWER_BYTES`]).
    pub body: Vec<u8>,
}

/// A 200 answer.
#[derive(Debug, Clone)]
pub struct Body {
    /// The (decompressed) bytes.
    pub bytes: Vec<u8>,
    /// Its media type, without parameters.
    pub media_type: Option<String>,
    /// Its `ETag`.
    pub etag: Option<String>,
    /// Its `Last-Modified`.
    pub last_modified: Option<String>,
    /// The URL it came from after redirects.
    pub url: String,
}

/// What a GET gave.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: the copy we hold is current.
    NotModified {
        /// The `ETag` the server sent, if any.
        etag: Option<String>,
    },
    /// 200 with a body.
    Body(Body),
}

/// Why a GET failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL cannot be fetched (not http/https, no host, unparsable).
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The URL's address is internal and not allowed (SSRF guard).
    #[error("refused to fetch {url}: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server could not be reached, or the connection broke.
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What the network said.
        reason: String,
    },
    /// No answer in time.
    #[error("{url} did not answer within {seconds} s")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit that ran out.
        seconds: u64,
    },
    /// An answer other than 200 or 304.
    #[error("{url} answered {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The body is larger than the cap.
    #[error("{url} sent more than {limit} bytes (the size cap)")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: u64,
    },
    /// More than [`MAX_REDIRECTS`] redirects, or a redirect without a usable `Location`.
    #[error("{url}: {reason}")]
    Redirect {
        /// The URL that redirected.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The client could not be built (a bug or a broken TLS setup).
    #[error("the HTTP client cannot be built: {0}")]
    Client(String),
}

/// The outbound HTTP client. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish()
    }
}

impl Fetcher {
    /// Builds the client.
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        let allow = Arc::new(config.allow.clone());
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .no_proxy()
            .dns_resolver(Arc::new(guard::GuardedResolver { allow }))
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Self {
            client,
            config: Arc::new(config),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Checks a URL before it is requested (and when one is registered): http(s), a host, and
    /// no refused IP literal.
    pub fn check_url(&self, url: &str) -> Result<Url, FetchError> {
        let invalid = |reason: &str| FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let parsed = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid("only http and https URLs are fetched"));
        }
        let ip = match parsed.host() {
            None => return Err(invalid("the URL has no host")),
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
        };
        if let Some(ip) = ip {
            if !self.config.allow.allows_ip(ip) {
                return Err(FetchError::Refused {
                    url: url.to_owned(),
                    reason: format!(
                        "{ip} is an internal address (or not listed, with --fetch-only-allowed); allow it with --fetch-allow / SEMREG_FETCH_ALLOW"
                    ),
                });
            }
        }
        Ok(parsed)
    }

    /// Checks that a URL could be requested, as the SSRF guard will see it when it is: http(s),
    /// a host, and an address that is allowed (an IP literal, or every address a name
    /// resolves to but one that is allowed). For checking a URL when it is registered, so a
    /// bad one is refused then rather than failing at every later request.
    pub async fn check_destination(&self, url: &str) -> Result<Url, FetchError> {
        let parsed = self.check_url(url)?;
        let host = match parsed.host() {
            Some(url::Host::Domain(host)) => host.to_owned(),
            _ => return Ok(parsed),
        };
        let host = host.as_str();
        if self.config.allow.allows_host(host) {
            return Ok(parsed);
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| FetchError::Unreachable {
                url: url.to_owned(),
                reason: format!("the host {host} cannot be resolved: {e}"),
            })?
            .collect();
        if addrs.iter().any(|a| self.config.allow.allows_ip(a.ip())) {
            return Ok(parsed);
        }
        Err(FetchError::Refused {
            url: url.to_owned(),
            reason: guard::Refused {
                host: host.to_owned(),
                ip: addrs
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default(),
            }
            .to_string(),
        })
    }

    /// POSTs a body (no redirects followed; the SSRF guard checks the address) and gives the
    /// answer's status and the start of its body, whatever the status.
    pub async fn post(&self, request: PostRequest) -> Result<Posted, FetchError> {
        let url = self.check_url(&request.url)?;
        let mut headers = HeaderMap::new();
        let content_type =
            HeaderValue::from_str(&request.content_type).map_err(|_| FetchError::InvalidUrl {
                url: request.url.clone(),
                reason: format!("{:?} is not a valid media type", request.content_type),
            })?;
        headers.insert(header::CONTENT_TYPE, content_type);
        for (name, value) in &request.headers {
            let (Ok(name), Ok(mut value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                return Err(FetchError::InvalidUrl {
                    url: request.url.clone(),
                    reason: format!("header {name:?} is not a valid HTTP header"),
                });
            };
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let mut builder = self
            .client
            .post(url.clone())
            .headers(headers)
            .body(request.body);
        if let Some(timeout) = request.timeout {
            builder = builder.timeout(timeout);
        }
        let timed_out = |seconds| FetchError::Timeout {
            url: url.to_string(),
            seconds,
        };
        let seconds = request
            .timeout
            .unwrap_or(self.config.total_timeout)
            .as_secs();
        let mut response = builder.send().await.map_err(|e| {
            if e.is_timeout() {
                timed_out(seconds)
            } else {
                self.network_error(url.as_str(), &e)
            }
        })?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        // The answer matters little (its status decides); read a little of it, tolerantly.
        while body.len() < MAX_POST_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_POST_ANSWER_BYTES - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
        Ok(Posted { status, body })
    }

    /// GETs a URL, following at most [`MAX_REDIRECTS`] redirects (each checked), and reads the
    /// body up to the size cap.
    pub async fn get(&self, request: FetchRequest) -> Result<Fetched, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br"),
        );
        if let Some(accept) = &request.accept {
            if let Ok(value) = HeaderValue::from_str(accept) {
                headers.insert(header::ACCEPT, value);
            }
        }
        for (name, value) in &request.headers {
            let (Ok(name), Ok(mut value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                return Err(FetchError::InvalidUrl {
                    url: request.url.clone(),
                    reason: format!("header {name:?} is not a valid HTTP header"),
                });
            };
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        if let Some(etag) = request.if_none_match.as_deref() {
            if let Ok(value) = HeaderValue::from_str(etag) {
                headers.insert(header::IF_NONE_MATCH, value);
            }
        }
        if let Some(date) = request.if_modified_since.as_deref() {
            if let Ok(value) = HeaderValue::from_str(date) {
                headers.insert(header::IF_MODIFIED_SINCE, value);
            }
        }
        let mut url = self.check_url(&request.url)?;
        let first_host = url.host_str().map(str::to_owned);
        for hop in 0..=MAX_REDIRECTS {
            let mut hop_headers = headers.clone();
            if hop > 0 && url.host_str().map(str::to_owned) != first_host {
                // Credentials go only to the host they were registered for.
                for (name, _) in &request.headers {
                    if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                        hop_headers.remove(name);
                    }
                }
            }
            let response = self
                .client
                .get(url.clone())
                .headers(hop_headers)
                .send()
                .await
                .map_err(|e| self.network_error(url.as_str(), &e))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| FetchError::Redirect {
                        url: url.to_string(),
                        reason: format!("answered {} without a Location", status.as_u16()),
                    })?;
                let next = url.join(location).map_err(|e| FetchError::Redirect {
                    url: url.to_string(),
                    reason: format!("redirects to an invalid Location {location:?}: {e}"),
                })?;
                if hop == MAX_REDIRECTS {
                    return Err(FetchError::Redirect {
                        url: request.url.clone(),
                        reason: format!("more than {MAX_REDIRECTS} redirects"),
                    });
                }
                url = self.check_url(next.as_str())?;
                continue;
            }
            let header_text = |name: header::HeaderName| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let etag = header_text(header::ETAG);
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified { etag });
            }
            if status != StatusCode::OK {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                });
            }
            let last_modified = header_text(header::LAST_MODIFIED);
            let media_type = header_text(header::CONTENT_TYPE).map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
            let coding = header_text(header::CONTENT_ENCODING)
                .map(|c| c.trim().to_ascii_lowercase())
                .filter(|c| !c.is_empty() && c != "identity");
            let raw = self.read_capped(url.as_str(), response).await?;
            let bytes = match coding {
                None => raw,
                Some(coding) => self.decode(url.as_str(), &coding, raw).await?,
            };
            return Ok(Fetched::Body(Body {
                bytes,
                media_type,
                etag,
                last_modified,
                url: url.to_string(),
            }));
        }
        Err(FetchError::Redirect {
            url: request.url,
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// Opens a GET whose body is read as it comes (a Server-Sent Events stream): the URL is
    /// checked as for [`Fetcher::get`] (and every address it resolves to by the guard),
    /// redirects are not followed, the read timeout applies between chunks and `total`
    /// replaces the total timeout. Read it with [`Fetcher::next_chunk`].
    pub async fn open_stream(
        &self,
        request: FetchRequest,
        total: Duration,
    ) -> Result<reqwest::Response, FetchError> {
        let url = self.check_url(&request.url)?;
        let mut builder = self.client.get(url.clone()).timeout(total);
        if let Some(accept) = &request.accept {
            builder = builder.header(header::ACCEPT, accept.as_str());
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| self.network_error(url.as_str(), &e))?;
        if response.status() != StatusCode::OK {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: response.status().as_u16(),
            });
        }
        Ok(response)
    }

    /// The next bytes of a stream opened with [`Fetcher::open_stream`] (`None` at its end).
    pub async fn next_chunk(
        &self,
        url: &str,
        response: &mut reqwest::Response,
    ) -> Result<Option<bytes::Bytes>, FetchError> {
        response
            .chunk()
            .await
            .map_err(|e| self.network_error(url, &e))
    }

    async fn read_capped(
        &self,
        url: &str,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.config.max_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_owned(),
            limit,
        };
        // The cap applies to the bytes received and again to the decoded bytes.
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.network_error(url, &e))?
        {
            if bytes.len() as u64 + chunk.len() as u64 > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// Decodes a gzip or brotli body (off the async runtime), stopping at the size cap.
    async fn decode(&self, url: &str, coding: &str, raw: Vec<u8>) -> Result<Vec<u8>, FetchError> {
        use crate::decode::{decode_capped, Coding, DecodeError};
        let limit = self.config.max_bytes;
        let url = url.to_owned();
        let coding = match Coding::from_header(coding) {
            Ok(Some(coding)) => coding,
            Ok(None) => return Ok(raw),
            Err(other) => {
                return Err(FetchError::Unreachable {
                    url,
                    reason: format!("unsupported Content-Encoding {other:?}"),
                })
            }
        };
        tokio::task::spawn_blocking(move || {
            decode_capped(coding, &raw, limit).map_err(|e| match e {
                DecodeError::TooLarge { .. } => FetchError::TooLarge { url, limit },
                corrupt @ DecodeError::Corrupt { .. } => FetchError::Unreachable {
                    url,
                    reason: corrupt.to_string(),
                },
            })
        })
        .await
        .map_err(|e| FetchError::Client(e.to_string()))?
    }

    fn network_error(&self, url: &str, error: &reqwest::Error) -> FetchError {
        if error.is_timeout() {
            return FetchError::Timeout {
                url: url.to_owned(),
                seconds: self.config.total_timeout.as_secs(),
            };
        }
        // The SSRF guard's refusal comes back as a connect error; find it in the chain.
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<guard::Refused>() {
                return FetchError::Refused {
                    url: url.to_owned(),
                    reason: refused.to_string(),
                };
            }
            source = cause.source();
        }
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
            source = cause.source();
        }
        FetchError::Unreachable {
            url: url.to_owned(),
            reason,
        }
    }
}
