//! The running application: configuration, the store of record, the projections and metrics,
//! shared by every handler as [`AppState`].

use crate::config::Config;
use crate::metrics::Metrics;
use crate::projections::Projections;
use crate::registry::{self, ImportReport, ImportRequest, RegistryError};
use crate::store;
use anyhow::Context;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Everything a request may need.
pub struct App {
    /// The configuration it was started with.
    pub config: Config,
    /// The store of record (a pool).
    pub db: DatabaseConnection,
    /// The RDF and search projections of this process.
    pub projections: Arc<Projections>,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Code lists in memory, for running services.
    pub code_lists: crate::code_lists::CodeListCache,
    /// Slots for concurrently running SPARQL queries.
    pub sparql_slots: Arc<tokio::sync::Semaphore>,
    /// Slots for searches run off the async workers (`search_concurrency`; by default half
    /// the cores, at least one): more wait, so costly searches never take every core from the
    /// code-list answers.
    pub search_slots: tokio::sync::Semaphore,
    /// The outbound HTTP client (harvest sources; SSRF-guarded).
    pub fetcher: crate::fetch::Fetcher,
    /// SHACL quality reports (off when no shapes are configured).
    pub quality: crate::quality::QualityService,
    /// This instance's id and the change log's epoch.
    pub instance: crate::federation::Instance,
    /// The newest committed `seq` this process has seen: readers of the change feed wait on it.
    /// It moves as soon as a commit is seen, before the projections have applied it (the feed
    /// reads the store of record).
    pub commits: tokio::sync::watch::Sender<i64>,
    /// The newest `seq` this process's projections and code lists have applied: webhook
    /// deliveries wait on it, so a service told of a change finds it served.
    pub applied: tokio::sync::watch::Sender<i64>,
    /// Wakes the change poller for a catch-up now ([`App::want_catch_up`]).
    catch_up_wanted: tokio::sync::Notify,
    /// What the web pages keep between requests.
    pub pages: crate::web::cache::PageCache,
    /// Checks JWT access tokens of the configured issuers (their JWKS through `fetcher`).
    pub jwt: crate::auth::jwt::JwtVerifier,
    /// Per-client rate limits of writes, search and SPARQL.
    pub rate_limits: crate::auth::limits::RateLimits,
    /// This app itself, for the work it hands to the background runtime ([`App::arc`]).
    me: std::sync::Weak<App>,
}

/// The axum state: a cheap handle on the [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    /// Opens the store of record (running migrations) and the projections, and brings the
    /// projections up to date with the change log.
    pub async fn open(config: Config) -> anyhow::Result<Arc<App>> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
        let url = config.database_url();
        let db = store::connect(&url)
            .await
            .with_context(|| format!("cannot open the store of record at {}", redact(&url)))?;
        let config_sparql_slots = config.sparql_concurrency.max(1);
        let search_slots = match config.search_concurrency {
            0 => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            n => n,
        };
        let data_dir = config.data_dir.clone();
        // Opened on a background thread, so the threads the stores start for themselves (the
        // RDF store's compactions, the search index's merges) run at the background's priority.
        let projections =
            crate::background::run_blocking(move || Projections::open(&data_dir)).await?;
        let fetcher = crate::fetch::Fetcher::new(config.fetch.clone())
            .context("cannot build the outbound HTTP client")?;
        let shapes = if config.shacl_shapes.is_empty() {
            None
        } else {
            let (shapes, vocabularies) = (
                config.shacl_shapes.clone(),
                config.shacl_vocabularies.clone(),
            );
            Some(
                tokio::task::spawn_blocking(move || {
                    crate::quality::Shapes::load(&shapes, &vocabularies)
                })
                .await
                .context("shape loading task failed")?
                .context("cannot load the SHACL shapes")?,
            )
        };
        let instance = crate::federation::Instance::load_or_create(&db)
            .await
            .context("cannot read the instance's id")?;
        crate::federation::mirror::backfill_own_origin(&db, &instance.id)
            .await
            .context("cannot record this instance as the origin of its resources")?;
        let last = store::last_seq(&db)
            .await
            .context("cannot read the change log")?;
        let jwt = crate::auth::jwt::JwtVerifier::new(&config.jwt, &fetcher);
        let app = Arc::new_cyclic(|me| App {
            me: me.clone(),
            instance,
            commits: tokio::sync::watch::Sender::new(last),
            applied: tokio::sync::watch::Sender::new(0),
            catch_up_wanted: tokio::sync::Notify::new(),
            rate_limits: crate::auth::limits::RateLimits::new(&config.rate_limits),
            jwt,
            quality: crate::quality::QualityService::new(shapes),
            fetcher,
            config,
            db,
            projections: Arc::new(projections),
            metrics: Metrics::new(),
            code_lists: Default::default(),
            pages: Default::default(),
            sparql_slots: Arc::new(tokio::sync::Semaphore::new(config_sparql_slots)),
            search_slots: tokio::sync::Semaphore::new(search_slots),
        });
        let applied = app
            .catch_up()
            .await
            .context("cannot bring the projections up to date")?;
        tracing::info!(changes = applied, "projections up to date");
        // Clients whose quota is full again are forgotten each minute, while the app lives.
        let weak = Arc::downgrade(&app);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(app) => app.rate_limits.forget_idle(),
                    None => break,
                }
            }
        });
        Ok(app)
    }

    /// A handle on this app (it lives in an `Arc` from [`App::open`] on).
    pub fn arc(&self) -> Arc<App> {
        self.me
            .upgrade()
            .expect("an App is only reachable through the Arc App::open made")
    }

    /// Applies every committed change to the projections and updates the lag metrics, on the
    /// background runtime ([`crate::background`]): reads keep the cores while it works.
    pub async fn catch_up(&self) -> Result<usize, crate::projections::ProjectionError> {
        let app = self.arc();
        crate::background::run(async move { app.catch_up_here().await }).await
    }

    async fn catch_up_here(&self) -> Result<usize, crate::projections::ProjectionError> {
        // Readers of the change feed hear of the commits first: the feed reads the store of
        // record, so a follower need not wait for this process's own projections (a bulk
        // import's catch-up takes seconds).
        self.announce(store::last_seq(&self.db).await?);
        let applied = self.projections.catch_up(&self.db).await?;
        // One read of the newest seq serves the code-list cache and the lag metrics.
        let last = store::last_seq(&self.db).await?;
        self.code_lists.catch_up(&self.db, last).await?;
        self.announce(last);
        let (graph, search) = self.projections.watermarks();
        let done = graph.min(search);
        self.applied.send_if_modified(|seen| {
            let newer = done > *seen;
            if newer {
                *seen = done;
            }
            newer
        });
        for (name, seq) in [("graph", graph), ("search", search)] {
            self.metrics
                .projection_seq
                .with_label_values(&[name])
                .set(seq);
            self.metrics
                .projection_lag
                .with_label_values(&[name])
                .set((last - seq).max(0));
        }
        Ok(applied)
    }

    /// Wakes the change feed's waiting readers (long polls, event streams) if `last` is newer
    /// than what they were told.
    pub(crate) fn announce(&self, last: i64) {
        self.commits.send_if_modified(|seen| {
            let newer = last > *seen;
            if newer {
                *seen = last;
            }
            newer
        });
    }

    /// Asks the change poller (`semreg serve`) for a catch-up now, without waiting for it:
    /// requests made while one runs are served by one more catch-up, so a writer that commits
    /// often (a follower applying a peer's pages) never waits for the projections and they
    /// catch up in large steps.
    pub fn want_catch_up(&self) {
        self.catch_up_wanted.notify_one();
    }

    /// Imports a file (one transaction) and then brings the projections up to date, so the
    /// caller can read its own write.
    pub async fn import(&self, request: ImportRequest) -> Result<ImportReport, RegistryError> {
        let started = std::time::Instant::now();
        // Parsed and committed on the background runtime, as its catch-up is. A large file
        // feeds the projections while it is written (crate::projections::Feed): they show it
        // as soon as it commits, instead of reading it back after.
        let app = self.arc();
        let result = crate::background::run(async move {
            let (report, feed) =
                registry::import_file_fed(&app.db, request, Some(&app.projections)).await?;
            if let (Some(feed), Some(last)) = (feed, report.last_seq) {
                app.announce(last);
                if let Err(error) = feed.commit(last).await {
                    tracing::warn!(%error, "projections not fed by an import: the catch-up applies it");
                }
            }
            Ok::<_, RegistryError>(report)
        })
        .await;
        match &result {
            Ok(report) => {
                self.metrics.imports.with_label_values(&["ok"]).inc();
                for (outcome, n) in [
                    ("created", report.created),
                    ("updated", report.updated),
                    ("unchanged", report.unchanged),
                ] {
                    self.metrics
                        .imported_resources
                        .with_label_values(&[outcome])
                        .inc_by(n as u64);
                }
                tracing::info!(
                    file = report.file.as_deref().unwrap_or("-"),
                    created = report.created,
                    updated = report.updated,
                    unchanged = report.unchanged,
                    duration_ms = started.elapsed().as_millis() as u64,
                    "imported file"
                );
                if let Err(error) = self.catch_up().await {
                    // The write is committed; the poller will retry the projections.
                    tracing::error!(%error, "projections could not catch up after an import");
                }
            }
            Err(_) => self.metrics.imports.with_label_values(&["failed"]).inc(),
        }
        result
    }

    /// Polls the change log so writes by other processes (CLI imports, other replicas) reach
    /// this process's projections within a second, and catches up at once when asked
    /// ([`App::want_catch_up`]). A second task only watches the log's end, so the change feed
    /// hears of other processes' commits within a poll interval even while a long catch-up
    /// runs.
    pub fn spawn_change_poller(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let interval = self.config.poll_interval;
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let Some(app) = weak.upgrade() else { break };
                match store::last_seq(&app.db).await {
                    Ok(last) => app.announce(last),
                    Err(error) => tracing::debug!(%error, "cannot read the end of the change log"),
                }
            }
        });
        let app = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(app.config.poll_interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    () = app.catch_up_wanted.notified() => {}
                }
                if let Err(error) = app.catch_up().await {
                    tracing::warn!(%error, "projection catch-up failed; will retry");
                }
            }
        })
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
