//! Followers: one task per peer in `semreg serve`, each following its peer's change feed from
//! the last `seq` it applied. It reads the feed as Server-Sent Events with each version's
//! content embedded (`content=true`), gathers the events that arrive together (up to a thousand)
//! into one batch, applies it as one transaction ([`super::mirror::apply_batch`]) and asks for
//! the projections to catch up (without waiting for them). A peer that does not stream (no `text/event-stream` answer) is
//! long-polled instead through the same bulk path (a page of up to a thousand changes with
//! their content per request), and tried with SSE again after a while. The follower checks the
//! peer's instance description before every stream, after every idle poll and after every
//! failure: a new epoch (the peer's log was restored) makes it resync from `seq` 0, which is
//! idempotent, and retire the copies the restored peer no longer has; a resync cut short by a
//! restart begins again (`peers.resync_until`). Failures (unreachable, timeout, garbage) are retried with exponential backoff and
//! reported on the peer's row and in metrics; each peer has its own task, so a slow peer never
//! delays the others.

use super::feed::FeedChange;
use super::mirror::{self, MirrorReport, PeerRef};
use crate::app::App;
use crate::fetch::{FetchRequest, Fetched};
use crate::store::peer;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Changes asked for per page.
const PAGE: u64 = 1000;
/// Longest pause between attempts after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long events may keep arriving before the ones gathered are applied.
const GATHER: Duration = Duration::from_millis(10);
/// A stream is closed and reopened after this long (the instance is checked in between).
const STREAM_FOR: Duration = Duration::from_secs(240);
/// A follower this many changes behind its peer reads pages rather than the stream.
const BEHIND: i64 = 100;
/// How long a peer that does not stream is long-polled before SSE is tried again.
const POLL_FOR: Duration = Duration::from_secs(600);

/// The part of a peer's `GET /api/v1/instance` a follower needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerInstance {
    id: String,
    epoch: String,
    #[serde(default)]
    last_seq: i64,
}

/// A page of a peer's feed.
#[derive(Debug, Deserialize)]
struct PeerPage {
    changes: Vec<FeedChange>,
    next: i64,
}

/// Runs the followers: every second it starts a task for each new peer and stops the tasks of
/// removed ones.
pub fn spawn(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut running: HashMap<String, tokio::task::JoinHandle<()>> = HashMap::new();
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let peers = match super::peers::all(&app.db).await {
                Ok(peers) => peers,
                Err(error) => {
                    tracing::warn!(%error, "cannot list the peers; will retry");
                    continue;
                }
            };
            let ids: std::collections::HashSet<String> =
                peers.iter().map(|p| p.id.clone()).collect();
            running.retain(|id, task| {
                let keep = ids.contains(id) && !task.is_finished();
                if !keep {
                    task.abort();
                }
                keep
            });
            for row in peers {
                if !running.contains_key(&row.id) {
                    let id = row.id.clone();
                    tracing::info!(peer = %row.url, "following peer");
                    // Followed on the background runtime (reads keep the cores); aborting
                    // this task aborts it.
                    let follower = crate::background::run(follow(Arc::clone(&app), row));
                    running.insert(id, tokio::spawn(follower));
                }
            }
        }
    })
}

/// Why one attempt failed.
#[derive(Debug, thiserror::Error)]
enum FollowError {
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error("{url} answered something that is not {what}: {reason}")]
    Garbage {
        url: String,
        what: &'static str,
        reason: String,
    },
    #[error("{0} is this instance itself")]
    Itself(String),
    #[error("{0} does not stream its change feed as Server-Sent Events")]
    NoStream(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// What a follower keeps between attempts.
struct Follower {
    app: Arc<App>,
    row: peer::Model,
    /// The next page, already asked for while the last one was applied: `since` and the fetch.
    prefetch: Option<(i64, tokio::task::JoinHandle<Result<PeerPage, FollowError>>)>,
    /// During a full resync (the peer's log was restored, `row.resync_until` is set): the ids
    /// of the peer's changes applied since it began from `seq` 0. Once the follower reaches
    /// `resync_until`, the copies that came through the peer and were not seen are retired,
    /// since the restored peer no longer has them.
    seen: std::collections::HashSet<String>,
}

/// Fetches and parses a JSON document from a peer.
async fn get_json<T: serde::de::DeserializeOwned>(
    fetcher: &crate::fetch::Fetcher,
    url: String,
    what: &'static str,
) -> Result<T, FollowError> {
    let fetched = fetcher
        .get(FetchRequest {
            accept: Some("application/json".to_owned()),
            ..FetchRequest::new(url.clone())
        })
        .await?;
    let Fetched::Body(body) = fetched else {
        return Err(FollowError::Garbage {
            url,
            what,
            reason: "304 to a request without a validator".to_owned(),
        });
    };
    serde_json::from_slice(&body.bytes).map_err(|e| FollowError::Garbage {
        url,
        what,
        reason: e.to_string(),
    })
}

impl Follower {
    /// A follower of `row`. One that stopped during a resync (a restart, a crash) begins it
    /// again from `seq` 0: the ids it had seen were in memory only, and the retirement at its
    /// end needs them all.
    fn new(app: Arc<App>, mut row: peer::Model) -> Self {
        if row.resync_until.is_some() && row.last_seq > 0 {
            tracing::warn!(peer = %row.url, "a resync of this peer was under way: it begins again");
            row.last_seq = 0;
        }
        Self {
            app,
            row,
            prefetch: None,
            seen: Default::default(),
        }
    }

    /// Reads the peer's description; a new epoch restarts from `seq` 0.
    async fn check_instance(&mut self) -> Result<PeerInstance, FollowError> {
        let url = format!("{}/api/v1/instance", self.row.url);
        let found: PeerInstance =
            get_json(&self.app.fetcher, url, "an instance description").await?;
        if found.id == self.app.instance.id {
            return Err(FollowError::Itself(self.row.url.clone()));
        }
        let epoch_changed = self
            .row
            .peer_epoch
            .as_deref()
            .is_some_and(|e| e != found.epoch);
        // A log that went back without a new epoch is treated the same way.
        let went_back = found.last_seq < self.row.last_seq;
        if epoch_changed || went_back {
            tracing::warn!(peer = %self.row.url, epoch = %found.epoch, "the peer's change log was restored: full resync");
            self.row.last_seq = 0;
            self.row.resyncs += 1;
            self.row.resync_until = Some(found.last_seq);
            self.seen.clear();
        }
        self.row.peer_instance = Some(found.id.clone());
        self.row.peer_epoch = Some(found.epoch.clone());
        self.row.peer_last_seq = found.last_seq;
        if epoch_changed || went_back {
            // Kept before any page is applied, so a restart during the resync begins it again.
            self.save().await?;
        }
        self.finish_resync().await?; // a restored log that is empty ends its resync at once
        Ok(found)
    }

    /// The URL of a page of the peer's feed after `since` (bulk path: content embedded).
    fn page_url(&self, since: i64, wait: Duration) -> String {
        format!(
            "{}/api/v1/changes?since={since}&limit={PAGE}&content=true&wait={}",
            self.row.url,
            wait.as_secs()
        )
    }

    /// One long-poll of the feed and the batch it brings; whether the page was empty. A full
    /// page (the follower is behind) has the next one asked for before it is applied, so the
    /// peer reads and sends it while this instance writes.
    async fn step(&mut self, wait: Duration) -> Result<bool, FollowError> {
        self.row.last_attempt_at = Some(Utc::now());
        let since = self.row.last_seq;
        let page = match self.prefetch.take() {
            Some((from, fetch)) if from == since => {
                fetch.await.map_err(|e| FollowError::Garbage {
                    url: self.page_url(since, wait),
                    what: "a page of the change feed",
                    reason: format!("the fetch failed: {e}"),
                })??
            }
            other => {
                if let Some((_, fetch)) = other {
                    fetch.abort();
                }
                let url = self.page_url(since, wait);
                get_json::<PeerPage>(&self.app.fetcher, url, "a page of the change feed").await?
            }
        };
        let empty = page.changes.is_empty();
        if page.changes.len() as u64 >= PAGE && page.next > since {
            let url = self.page_url(page.next, Duration::ZERO);
            let fetcher = self.app.fetcher.clone();
            self.prefetch = Some((
                page.next,
                tokio::spawn(
                    async move { get_json(&fetcher, url, "a page of the change feed").await },
                ),
            ));
        }
        self.apply(page.changes, page.next).await?;
        Ok(empty)
    }

    /// Follows the feed as Server-Sent Events until the stream ends (or has run for
    /// [`STREAM_FOR`]); events that arrive together are applied as one batch.
    async fn stream(&mut self) -> Result<(), FollowError> {
        let url = format!(
            "{}/api/v1/changes?since={}&content=true",
            self.row.url, self.row.last_seq
        );
        self.row.last_attempt_at = Some(Utc::now());
        let fetcher = self.app.fetcher.clone();
        let mut response = fetcher
            .open_stream(
                FetchRequest {
                    accept: Some("text/event-stream".to_owned()),
                    ..FetchRequest::new(url.clone())
                },
                STREAM_FOR * 2,
            )
            .await?;
        let is_stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.trim_start().starts_with("text/event-stream"));
        if !is_stream {
            return Err(FollowError::NoStream(self.row.url.clone()));
        }
        // The stream is up: the peer is reachable and streams.
        self.row.failures = 0;
        self.row.next_attempt_at = None;
        self.row.last_error = None;
        self.row.last_success_at = Some(Utc::now());
        self.save().await?;
        let opened = tokio::time::Instant::now();
        let mut events = SseParser::default();
        let mut pending: Vec<FeedChange> = Vec::new();
        loop {
            let chunk = if pending.is_empty() {
                if opened.elapsed() >= STREAM_FOR {
                    return Ok(());
                }
                Some(fetcher.next_chunk(&url, &mut response).await?)
            } else {
                match tokio::time::timeout(GATHER, fetcher.next_chunk(&url, &mut response)).await {
                    Ok(chunk) => Some(chunk?),
                    Err(_) => None,
                }
            };
            match chunk {
                // Nothing more arrived together: apply what was gathered.
                None => self.apply_gathered(&mut pending).await?,
                Some(None) => {
                    self.apply_gathered(&mut pending).await?;
                    return Ok(());
                }
                Some(Some(bytes)) => {
                    for data in events.push(&bytes) {
                        let change: FeedChange =
                            serde_json::from_str(&data).map_err(|e| FollowError::Garbage {
                                url: url.clone(),
                                what: "a change of the feed",
                                reason: e.to_string(),
                            })?;
                        pending.push(change);
                    }
                    if pending.len() as u64 >= PAGE {
                        self.apply_gathered(&mut pending).await?;
                    }
                }
            }
        }
    }

    async fn apply_gathered(&mut self, pending: &mut Vec<FeedChange>) -> Result<(), FollowError> {
        if pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(pending);
        let next = batch.last().map_or(self.row.last_seq, |c| c.seq);
        self.apply(batch, next).await?;
        self.save().await?;
        Ok(())
    }

    /// Applies a batch of the peer's changes and moves the cursor to `next`.
    async fn apply(&mut self, changes: Vec<FeedChange>, next: i64) -> Result<(), FollowError> {
        if self.row.resync_until.is_some() {
            self.seen.extend(changes.iter().map(|c| c.id.clone()));
        }
        if changes.is_empty() {
            self.row.last_error = None;
        } else {
            let report = mirror::apply_batch(
                &self.app.db,
                PeerRef {
                    own: &self.app.instance.id,
                    peer_id: &self.row.id,
                    peer_url: &self.row.url,
                },
                changes,
            )
            .await?;
            self.count(&report);
            if report.changed() {
                // Committed: the projections follow on the change poller, so the next page is
                // fetched and applied while they work, and they catch up in large steps.
                self.app.want_catch_up();
            }
            if let Some(first) = report.refused.first() {
                tracing::warn!(peer = %self.row.url, refused = report.refused.len(), first = %first, "changes of a peer refused");
                self.row.last_error = Some(format!(
                    "{} change(s) refused, e.g.: {first}",
                    report.refused.len()
                ));
            } else {
                self.row.last_error = None;
            }
        }
        self.row.last_seq = next.max(self.row.last_seq);
        self.finish_resync().await?;
        self.row.peer_last_seq = self.row.peer_last_seq.max(self.row.last_seq);
        self.row.lag = (self.row.peer_last_seq - self.row.last_seq).max(0);
        self.row.failures = 0;
        self.row.next_attempt_at = None;
        self.row.last_success_at = Some(Utc::now());
        Ok(())
    }

    /// Ends a resync that has reached its end: the copies of this peer not seen are retired.
    async fn finish_resync(&mut self) -> Result<(), FollowError> {
        match self.row.resync_until {
            Some(until) if self.row.last_seq >= until => {}
            _ => return Ok(()),
        }
        let seen = std::mem::take(&mut self.seen);
        let retired = mirror::retire_unseen(&self.app.db, &self.row.id, &seen).await?;
        // Retired first, then the resync's end is kept: a crash in between resyncs again,
        // which retires nothing more.
        self.row.resync_until = None;
        self.save().await?;
        tracing::info!(peer = %self.row.url, retired, "resync done: the copies the peer no longer has are retired");
        if retired > 0 {
            self.app
                .metrics
                .peer_changes
                .with_label_values(&["retired"])
                .inc_by(retired as u64);
            self.app.want_catch_up();
        }
        Ok(())
    }

    fn count(&self, report: &MirrorReport) {
        for (outcome, n) in [
            ("created", report.created),
            ("updated", report.updated),
            ("retired", report.retired),
            ("reactivated", report.reactivated),
            ("unchanged", report.unchanged),
            ("refused", report.refused.len()),
        ] {
            if n > 0 {
                self.app
                    .metrics
                    .peer_changes
                    .with_label_values(&[outcome])
                    .inc_by(n as u64);
            }
        }
    }

    /// Writes the follower's state to the peer's row; false if the peer was removed.
    async fn save(&self) -> Result<bool, FollowError> {
        let r = &self.row;
        let done = peer::Entity::update_many()
            .col_expr(
                peer::Column::PeerInstance,
                Expr::value(r.peer_instance.clone()),
            )
            .col_expr(peer::Column::PeerEpoch, Expr::value(r.peer_epoch.clone()))
            .col_expr(peer::Column::LastSeq, Expr::value(r.last_seq))
            .col_expr(peer::Column::PeerLastSeq, Expr::value(r.peer_last_seq))
            .col_expr(peer::Column::Lag, Expr::value(r.lag))
            .col_expr(peer::Column::LastError, Expr::value(r.last_error.clone()))
            .col_expr(peer::Column::LastSuccessAt, Expr::value(r.last_success_at))
            .col_expr(peer::Column::LastAttemptAt, Expr::value(r.last_attempt_at))
            .col_expr(peer::Column::Failures, Expr::value(r.failures))
            .col_expr(peer::Column::NextAttemptAt, Expr::value(r.next_attempt_at))
            .col_expr(peer::Column::Resyncs, Expr::value(r.resyncs))
            .col_expr(peer::Column::ResyncUntil, Expr::value(r.resync_until))
            .filter(peer::Column::Id.eq(r.id.as_str()))
            .exec(&self.app.db)
            .await?;
        let label = [r.id.as_str()];
        self.app
            .metrics
            .peer_seq
            .with_label_values(&label)
            .set(r.last_seq);
        self.app
            .metrics
            .peer_lag
            .with_label_values(&label)
            .set(r.lag);
        Ok(done.rows_affected > 0)
    }
}

/// The pause after `failures` failed attempts in a row: 0.5 s doubling, at most 30 s.
fn backoff(failures: i32) -> Duration {
    let exponent = u32::try_from(failures.clamp(1, 16) - 1).unwrap_or(0);
    (Duration::from_millis(500) * 2u32.pow(exponent)).min(MAX_BACKOFF)
}

/// How a follower reads its peer's feed.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Server-Sent Events.
    Stream,
    /// Long polls, until then (the peer did not stream).
    Poll(tokio::time::Instant),
}

/// Follows one peer until it is removed.
async fn follow(app: Arc<App>, row: peer::Model) {
    let wait = app.config.peer_poll_wait;
    let mut follower = Follower::new(app, row);
    let mut check = true;
    let mut mode = Mode::Stream;
    loop {
        if let Mode::Poll(until) = mode {
            if tokio::time::Instant::now() >= until {
                mode = Mode::Stream;
            }
        }
        let attempt = async {
            if check {
                follower.check_instance().await?;
            }
            match mode {
                // Far behind (a first sync, a resync, a long downtime): whole pages of the
                // bulk path first, then the stream once caught up.
                Mode::Stream if follower.row.peer_last_seq - follower.row.last_seq > BEHIND => {
                    follower.step(Duration::ZERO).await.map(|_| false)
                }
                Mode::Stream => follower.stream().await.map(|()| true),
                Mode::Poll(_) => follower.step(wait).await,
            }
        }
        .await;
        match attempt {
            Ok(idle) => {
                check = idle;
            }
            Err(FollowError::NoStream(url)) => {
                tracing::info!(peer = %url, "the peer does not stream its feed: long-polling it");
                mode = Mode::Poll(tokio::time::Instant::now() + POLL_FOR);
                check = false;
                continue;
            }
            Err(error) => {
                check = true;
                let r = &mut follower.row;
                r.failures += 1;
                let pause = backoff(r.failures);
                r.last_error = Some(error.to_string());
                r.last_attempt_at = Some(Utc::now());
                r.next_attempt_at = chrono::Duration::from_std(pause)
                    .ok()
                    .map(|d| Utc::now() + d);
                follower
                    .app
                    .metrics
                    .peer_errors
                    .with_label_values(&[r.id.as_str()])
                    .inc();
                tracing::warn!(peer = %r.url, failures = r.failures, %error, "following a peer failed; will retry");
                match follower.save().await {
                    Ok(false) => return,
                    Ok(true) => {}
                    Err(error) => tracing::warn!(%error, "cannot record a peer's state"),
                }
                tokio::time::sleep(pause).await;
                continue;
            }
        }
        match follower.save().await {
            Ok(false) => return,
            Ok(true) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot record a peer's state; will retry");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Splits a Server-Sent Events byte stream into the data of its `change` events (comments
/// such as heartbeats and other events are skipped).
#[derive(Debug, Default)]
struct SseParser {
    buffer: Vec<u8>,
}

impl SseParser {
    /// Adds bytes; returns the data of every event they complete.
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buffer.extend_from_slice(bytes);
        let mut found = Vec::new();
        loop {
            let end = find_blank_line(&self.buffer);
            let Some((at, len)) = end else {
                return found;
            };
            let block: Vec<u8> = self.buffer.drain(..at + len).collect();
            let text = String::from_utf8_lossy(&block[..at]);
            let mut event = "message";
            let mut data = Vec::new();
            for line in text.lines() {
                let line = line.strip_suffix('\r').unwrap_or(line);
                if line.starts_with(':') {
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => event = if value == "change" { "change" } else { "other" },
                    "data" => data.push(value.to_owned()),
                    _ => {}
                }
            }
            if event == "change" && !data.is_empty() {
                found.push(data.join("\n"));
            }
        }
    }
}

/// Where the first blank line (the end of an event) is, and its length.
fn find_blank_line(buffer: &[u8]) -> Option<(usize, usize)> {
    let lf = buffer.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    let crlf = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4));
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_up_to_thirty_seconds() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(4), Duration::from_secs(4));
        assert_eq!(backoff(12), MAX_BACKOFF);
    }

    #[test]
    fn the_sse_parser_yields_change_events_split_anywhere_and_skips_heartbeats() {
        let stream = b": heartbeat\n\nid: 1\nevent: change\ndata: {\"a\":1}\n\nevent: other\ndata: x\n\nid: 2\nevent: change\ndata: {\"b\":2}\n\n";
        for cut in 0..stream.len() {
            let mut parser = SseParser::default();
            let mut found = parser.push(&stream[..cut]);
            found.extend(parser.push(&stream[cut..]));
            assert_eq!(found, vec![r#"{"a":1}"#, r#"{"b":2}"#], "cut at {cut}");
        }
    }
}
