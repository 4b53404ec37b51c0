//! Per-client rate limits (`governor`, GCRA): writes, search and SPARQL each have a quota per
//! minute, counted per client IP and, for a request with a bearer token, per token too — a
//! client over either gets 429 with `Retry-After`. Code-list reads (and every other read) are
//! never limited: running services fetch them on every form load. The defaults are generous
//! enough that normal use, the benchmarks and the API fuzzing never meet them; 0 turns a limit
//! off.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitClass {
    /// Any write under `/api/` (POST, PUT, PATCH, DELETE).
    Write,
    /// Search and suggest (`/api/v1/search`, `/api/v1/suggest`, the `/search` page).
    Search,
    /// `/sparql`.
    Sparql,
}

impl LimitClass {
    /// The class of a request, or `None` for one that is never limited.
    pub fn of(method: &axum::http::Method, path: &str) -> Option<Self> {
        use axum::http::Method;
        if path == "/sparql" {
            return Some(LimitClass::Sparql);
        }
        if path == "/api/v1/search" || path == "/api/v1/suggest" || path == "/search" {
            return Some(LimitClass::Search);
        }
        let reads = [Method::GET, Method::HEAD, Method::OPTIONS];
        if path.starts_with("/api/") && !reads.contains(method) {
            return Some(LimitClass::Write);
        }
        None
    }

    /// Its name in answers and metrics.
    pub fn name(self) -> &'static str {
        match self {
            LimitClass::Write => "writes",
            LimitClass::Search => "search",
            LimitClass::Sparql => "SPARQL",
        }
    }
}

/// Quotas per client per minute (0: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Writes per minute per IP and per token.
    pub writes_per_minute: u32,
    /// Searches and suggestions per minute per IP and per token.
    pub search_per_minute: u32,
    /// SPARQL queries per minute per IP and per token.
    pub sparql_per_minute: u32,
    /// SPARQL queries running at once per IP and per token (0: no per-client limit; the
    /// process-wide `--sparql-concurrency` holds anyway).
    pub sparql_running_per_client: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            writes_per_minute: 6_000,
            search_per_minute: 600_000,
            sparql_per_minute: 6_000,
            sparql_running_per_client: 2,
        }
    }
}

type Limiter = DefaultKeyedRateLimiter<String>;

/// The limiters of one process.
pub struct RateLimits {
    writes: Option<Limiter>,
    search: Option<Limiter>,
    sparql: Option<Limiter>,
    clock: DefaultClock,
    sparql_running: ClientSlots,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("writes", &self.writes.is_some())
            .field("search", &self.search.is_some())
            .field("sparql", &self.sparql.is_some())
            .finish()
    }
}

/// A request over its quota: when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    /// What it counted against.
    pub class: LimitClass,
    /// Whether the token's quota (rather than the IP's) ran out.
    pub by_token: bool,
    /// How long until the next request of that kind is allowed.
    pub retry_after: Duration,
}

fn limiter(per_minute: u32) -> Option<Limiter> {
    NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

impl RateLimits {
    /// Limiters for a configuration.
    pub fn new(config: &RateLimitConfig) -> Self {
        Self {
            writes: limiter(config.writes_per_minute),
            search: limiter(config.search_per_minute),
            sparql: limiter(config.sparql_per_minute),
            clock: DefaultClock::default(),
            sparql_running: ClientSlots::new(config.sparql_running_per_client as usize),
        }
    }

    /// Counts a request of `class` from `ip` (and `token`, if it has one) and says whether it
    /// may go on.
    pub fn check(
        &self,
        class: LimitClass,
        ip: Option<IpAddr>,
        token: Option<&str>,
    ) -> Result<(), Limited> {
        let limiter = match class {
            LimitClass::Write => &self.writes,
            LimitClass::Search => &self.search,
            LimitClass::Sparql => &self.sparql,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        let over = |by_token: bool, not_until: governor::NotUntil<_>| Limited {
            class,
            by_token,
            retry_after: not_until.wait_time_from(self.clock.now()),
        };
        if let Some(token) = token {
            // The token's hash, so no secret is kept in memory longer than the request.
            limiter
                .check_key(&token_key(token))
                .map_err(|n| over(true, n))?;
        }
        if let Some(ip) = ip {
            limiter
                .check_key(&format!("ip:{ip}"))
                .map_err(|n| over(false, n))?;
        }
        Ok(())
    }

    /// Takes one of the client's SPARQL slots for as long as the returned guard lives, or
    /// says which of its quotas (token or address) has every slot in use.
    pub fn sparql_slot(
        &self,
        ip: Option<IpAddr>,
        token: Option<&str>,
    ) -> Result<ClientSlot, Limited> {
        let mut keys = Vec::with_capacity(2);
        if let Some(token) = token {
            keys.push(token_key(token));
        }
        if let Some(ip) = ip {
            keys.push(format!("ip:{ip}"));
        }
        self.sparql_running
            .acquire(keys)
            .map_err(|by_token| Limited {
                class: LimitClass::Sparql,
                by_token,
                retry_after: Duration::from_secs(1),
            })
    }

    /// Forgets clients whose quota is full again, so the key maps do not grow without bound.
    pub fn forget_idle(&self) {
        for limiter in [&self.writes, &self.search, &self.sparql]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// A token's key in the limiters: its hash, so no secret is kept in memory longer than the
/// request.
fn token_key(token: &str) -> String {
    format!("t:{}", hex::encode(&Sha256::digest(token.as_bytes())[..16]))
}

/// Slots per client key (token and address), for the per-client cap on running queries.
struct ClientSlots {
    per_client: usize,
    running: Arc<Mutex<HashMap<String, usize>>>,
}

/// A client's slot, given back when dropped.
#[derive(Debug)]
pub struct ClientSlot {
    keys: Vec<String>,
    running: Option<Arc<Mutex<HashMap<String, usize>>>>,
}

impl ClientSlots {
    fn new(per_client: usize) -> Self {
        Self {
            per_client,
            running: Arc::default(),
        }
    }

    /// Takes a slot under every key, or none (`Err(true)` when a token key is full).
    fn acquire(&self, keys: Vec<String>) -> Result<ClientSlot, bool> {
        if self.per_client == 0 {
            return Ok(ClientSlot {
                keys: Vec::new(),
                running: None,
            });
        }
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(full) = keys
            .iter()
            .find(|k| running.get(*k).copied().unwrap_or(0) >= self.per_client)
        {
            return Err(full.starts_with("t:"));
        }
        for key in &keys {
            *running.entry(key.clone()).or_insert(0) += 1;
        }
        Ok(ClientSlot {
            keys,
            running: Some(self.running.clone()),
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let Some(running) = &self.running else {
            return;
        };
        let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            if let Some(n) = running.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    running.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn code_list_reads_are_never_limited_and_writes_search_and_sparql_are() {
        assert_eq!(
            LimitClass::of(&Method::GET, "/api/v1/code-lists/x/codes"),
            None
        );
        assert_eq!(
            LimitClass::of(&Method::GET, "/altinn/o/code_lists/x/1.json"),
            None
        );
        assert_eq!(LimitClass::of(&Method::GET, "/api/v1/resources"), None);
        assert_eq!(
            LimitClass::of(&Method::POST, "/api/v1/import"),
            Some(LimitClass::Write)
        );
        assert_eq!(
            LimitClass::of(&Method::GET, "/api/v1/search"),
            Some(LimitClass::Search)
        );
        assert_eq!(
            LimitClass::of(&Method::POST, "/sparql"),
            Some(LimitClass::Sparql)
        );
    }

    #[test]
    fn a_client_over_its_quota_is_told_when_to_retry_and_others_are_not_affected() {
        let limits = RateLimits::new(&RateLimitConfig {
            writes_per_minute: 2,
            search_per_minute: 0,
            sparql_per_minute: 1,
            sparql_running_per_client: 0,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limits.check(LimitClass::Write, Some(a), None).is_ok());
        assert!(limits.check(LimitClass::Write, Some(a), None).is_ok());
        let limited = limits.check(LimitClass::Write, Some(a), None).unwrap_err();
        assert!(!limited.by_token);
        assert!(limited.retry_after > Duration::from_secs(20), "{limited:?}");
        assert!(limits.check(LimitClass::Write, Some(b), None).is_ok());
        // Search is off (0); SPARQL has its own quota.
        for _ in 0..100 {
            assert!(limits.check(LimitClass::Search, Some(a), None).is_ok());
        }
        assert!(limits.check(LimitClass::Sparql, Some(a), None).is_ok());
        // A token's quota is its own, from whichever address.
        assert!(limits
            .check(LimitClass::Sparql, Some(b), Some("t1"))
            .is_ok());
        let limited = limits
            .check(
                LimitClass::Sparql,
                Some("192.0.2.3".parse().unwrap()),
                Some("t1"),
            )
            .unwrap_err();
        assert!(limited.by_token);
    }

    #[test]
    fn a_client_has_at_most_its_share_of_running_queries_and_gets_them_back() {
        let limits = RateLimits::new(&RateLimitConfig {
            sparql_running_per_client: 2,
            ..Default::default()
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = limits.sparql_slot(Some(a), None).unwrap();
        let second = limits.sparql_slot(Some(a), Some("t1")).unwrap();
        let full = limits.sparql_slot(Some(a), None).unwrap_err();
        assert!(!full.by_token);
        // Another address is not affected; the token's count follows it there.
        let third = limits.sparql_slot(Some(b), Some("t1")).unwrap();
        assert!(
            limits
                .sparql_slot(Some(b), Some("t1"))
                .unwrap_err()
                .by_token
        );
        drop(first);
        let again = limits.sparql_slot(Some(a), None).unwrap();
        drop((second, third, again));
        assert!(limits.sparql_running.running.lock().unwrap().is_empty());
    }
}
