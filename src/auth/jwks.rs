//! One issuer's signing keys: its JWKS, fetched through the product's outbound client
//! ([`crate::fetch`]), cached for a day, refreshed when a token names a key id we do not hold
//! (at most once per `min_refresh`, so a flood of made-up key ids cannot hammer the issuer),
//! and kept when the issuer cannot be reached — a JWKS outage does not stop tokens signed with
//! keys we already hold.

use crate::fetch::{FetchRequest, Fetched, Fetcher};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Largest JWKS accepted, in bytes (Maskinporten's is a few kilobytes).
const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// Longest wait for the issuer's JWKS; a request waits on it only for a key id we do not hold.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A verification key from the JWKS.
#[derive(Clone)]
pub struct VerifyKey {
    /// The key.
    pub key: DecodingKey,
    /// The algorithm the JWK is bound to (`alg`), if it says.
    pub algorithm: Option<Algorithm>,
}

/// Why no key could be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The JWKS holds no usable signing key with this id (after a refresh, or within the
    /// refresh limit).
    #[error("the issuer's JWKS has no RSA signing key with kid {0:?}")]
    UnknownKid(String),
    /// We hold no keys at all and the JWKS cannot be fetched now.
    #[error("the issuer's JWKS cannot be fetched: {0}")]
    Unavailable(String),
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, VerifyKey>,
    fetched_at: Option<Instant>,
}

#[derive(Default)]
struct RefreshState {
    last_attempt: Option<Instant>,
    etag: Option<String>,
    last_error: Option<String>,
}

/// The cached JWKS of one issuer. Share it as `Arc<KeyCache>`.
pub struct KeyCache {
    uri: String,
    fetcher: Fetcher,
    ttl: Duration,
    min_refresh: Duration,
    keys: RwLock<Keys>,
    refresh: tokio::sync::Mutex<RefreshState>,
    fetches: std::sync::atomic::AtomicU64,
}

impl KeyCache {
    /// A cache of the JWKS at `uri`, empty until the first token asks for a key.
    pub fn new(uri: String, fetcher: Fetcher, ttl: Duration, min_refresh: Duration) -> Self {
        Self {
            uri,
            fetcher,
            ttl,
            min_refresh,
            keys: RwLock::new(Keys::default()),
            refresh: tokio::sync::Mutex::new(RefreshState::default()),
            fetches: Default::default(),
        }
    }

    /// How many times the JWKS was requested (successfully or not).
    pub fn fetch_attempts(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn cached(&self, kid: &str) -> (Option<VerifyKey>, bool, bool) {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let stale = keys.fetched_at.is_none_or(|t| t.elapsed() >= self.ttl);
        (
            keys.by_kid.get(kid).cloned(),
            stale,
            keys.fetched_at.is_some(),
        )
    }

    /// The key with id `kid`: from the cache (refreshing it in the background when it is older
    /// than the cache time), or after a refresh when the id is new to us.
    pub async fn key(self: &Arc<Self>, kid: &str) -> Result<VerifyKey, KeyError> {
        let (found, stale, _) = self.cached(kid);
        if let Some(key) = found {
            if stale {
                let cache = self.clone();
                tokio::spawn(async move { cache.refresh().await });
            }
            return Ok(key);
        }
        self.refresh().await;
        match self.cached(kid) {
            (Some(key), _, _) => Ok(key),
            (None, _, true) => Err(KeyError::UnknownKid(kid.to_owned())),
            (None, _, false) => {
                let state = self.refresh.lock().await;
                Err(KeyError::Unavailable(
                    state
                        .last_error
                        .clone()
                        .unwrap_or_else(|| "not fetched yet".into()),
                ))
            }
        }
    }

    /// Fetches the JWKS unless it was tried within `min_refresh`; a failure keeps the keys
    /// held (and is logged).
    async fn refresh(&self) {
        let mut state = self.refresh.lock().await;
        if state
            .last_attempt
            .is_some_and(|t| t.elapsed() < self.min_refresh)
        {
            return;
        }
        state.last_attempt = Some(Instant::now());
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut request = FetchRequest::new(self.uri.clone());
        request.accept = Some("application/jwk-set+json, application/json".into());
        request.if_none_match = state.etag.clone();
        let fetched = tokio::time::timeout(FETCH_TIMEOUT, self.fetcher.get(request)).await;
        let outcome = match fetched {
            Err(_) => Err(format!(
                "{} did not answer within {} s",
                self.uri,
                FETCH_TIMEOUT.as_secs()
            )),
            Ok(Err(error)) => Err(error.to_string()),
            Ok(Ok(Fetched::NotModified { etag })) => {
                if etag.is_some() {
                    state.etag = etag;
                }
                self.keys
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .fetched_at = Some(Instant::now());
                Ok(None)
            }
            Ok(Ok(Fetched::Body(body))) => {
                if body.bytes.len() > MAX_JWKS_BYTES {
                    Err(format!(
                        "{} sent a JWKS of more than {MAX_JWKS_BYTES} bytes",
                        self.uri
                    ))
                } else {
                    parse_jwks(&body.bytes)
                        .map(|keys| Some((keys, body.etag)))
                        .map_err(|e| format!("{} is not a JWKS: {e}", self.uri))
                }
            }
        };
        match outcome {
            Ok(None) => state.last_error = None,
            Ok(Some((by_kid, etag))) => {
                tracing::info!(jwks = %self.uri, keys = by_kid.len(), "JWKS fetched");
                state.etag = etag;
                state.last_error = None;
                *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Keys {
                    by_kid,
                    fetched_at: Some(Instant::now()),
                };
            }
            Err(error) => {
                tracing::warn!(jwks = %self.uri, error = %error, "JWKS refresh failed; keeping the keys held");
                state.last_error = Some(error);
            }
        }
    }
}

/// The RSA signing keys of a JWKS by key id; keys of other types, for encryption or without
/// an id are left out (semreg accepts RS256/RS384/RS512 only, chosen by `kid`).
pub fn parse_jwks(bytes: &[u8]) -> Result<HashMap<String, VerifyKey>, String> {
    let set: JwkSet = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        if !matches!(jwk.algorithm, AlgorithmParameters::RSA(_)) {
            continue;
        }
        if matches!(
            jwk.common.public_key_use,
            Some(PublicKeyUse::Encryption) | Some(PublicKeyUse::Other(_))
        ) {
            continue;
        }
        let algorithm = match jwk.common.key_algorithm {
            None => None,
            Some(KeyAlgorithm::RS256) => Some(Algorithm::RS256),
            Some(KeyAlgorithm::RS384) => Some(Algorithm::RS384),
            Some(KeyAlgorithm::RS512) => Some(Algorithm::RS512),
            // Bound to an algorithm we do not accept (PS*, RSA-OAEP...).
            Some(_) => continue,
        };
        match DecodingKey::from_jwk(jwk) {
            Ok(key) => {
                keys.insert(kid, VerifyKey { key, algorithm });
            }
            Err(error) => {
                tracing::warn!(kid = %kid, error = %error, "JWKS key skipped");
            }
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwks_keeps_only_rsa_signing_keys_with_an_id() {
        // A 2048-bit modulus (any bytes do for parsing: the key is checked when it verifies).
        let n = "w1paWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWg";
        let jwks = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "sig", "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": n, "e": "AQAB"},
            {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": n, "e": "AQAB"},
            {"kty": "RSA", "n": n, "e": "AQAB"},
            {"kty": "RSA", "kid": "any", "n": n, "e": "AQAB"},
        ]});
        let keys = parse_jwks(jwks.to_string().as_bytes()).unwrap();
        let mut kids: Vec<_> = keys.keys().cloned().collect();
        kids.sort();
        assert_eq!(kids, ["any", "sig"]);
        assert_eq!(keys["sig"].algorithm, Some(Algorithm::RS256));
        assert!(parse_jwks(b"{\"keys\": 1}").is_err());
    }
}
