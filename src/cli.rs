//! The command line: `serve`, `import`, `token create|list|revoke`, `reindex`, `source`,
//! `compose`, `form`.
//! Every command that opens the store takes `--data-dir` and `--database-url` (or
//! `SEMREG_DATA_DIR`, `SEMREG_DATABASE_URL`).

mod forms;

use crate::app::{App, AppState};
use crate::config::Config;
use crate::ids::OrgNr;
use crate::registry::{self, tokens, Actor, ImportReport, ImportRequest};
use crate::store;
use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use semreg_importers::Format;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// semreg: a registry of reusable building blocks for digital public services.
#[derive(Debug, Parser)]
#[command(name = "semreg", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the store is.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Data dir: the SQLite file (by default) and the RDF store and search index.
    #[arg(long, env = "SEMREG_DATA_DIR", default_value = "./semreg-data")]
    pub data_dir: PathBuf,
    /// Store of record: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: SQLite in the data dir).
    #[arg(long, env = "SEMREG_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl StoreArgs {
    /// The configuration for this store.
    pub fn config(&self) -> Config {
        let mut config = Config::with_data_dir(&self.data_dir);
        config.database_url = self.database_url.clone().filter(|u| !u.is_empty());
        config
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API and web pages.
    Serve {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on.
        #[arg(long, env = "SEMREG_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Largest accepted request body in bytes.
        #[arg(long, env = "SEMREG_BODY_LIMIT", default_value_t = 50 * 1024 * 1024)]
        body_limit: usize,
        /// Longest time one request may take, in seconds (longer ones get 503).
        #[arg(long, env = "SEMREG_REQUEST_TIMEOUT_SECS", default_value_t = 300)]
        request_timeout_secs: u64,
        /// Time limit of a SPARQL query, in milliseconds.
        #[arg(long, env = "SEMREG_SPARQL_TIMEOUT_MS", default_value_t = 10_000)]
        sparql_timeout_ms: u64,
        /// Most results of a SPARQL query.
        #[arg(long, env = "SEMREG_SPARQL_RESULT_LIMIT", default_value_t = 10_000)]
        sparql_result_limit: usize,
        /// Most SPARQL queries evaluated at once (more get 503).
        #[arg(long, env = "SEMREG_SPARQL_CONCURRENCY", default_value_t = 4)]
        sparql_concurrency: usize,
        /// Most costly searches (words found in many documents, no words, many words) run at
        /// once; more wait their turn (0: half the cores, at least one).
        #[arg(long, env = "SEMREG_SEARCH_CONCURRENCY", default_value_t = 0)]
        search_concurrency: usize,
        /// Fast-lane threads for memoized code-list answers, each with its own SO_REUSEPORT
        /// listener (0: everything on one runtime).
        #[arg(long, env = "SEMREG_SERVE_THREADS", default_value_t = 0)]
        serve_threads: usize,
        /// How many nice steps below the server the threads of imports, pushes, harvest runs
        /// and the projections' catch-up run (Linux; 0 to 19): reads get the cores first.
        #[arg(long, env = "SEMREG_BACKGROUND_NICE", default_value_t = crate::background::NICE,
              value_parser = clap::value_parser!(i32).range(0..=19))]
        background_nice: i32,
        /// Load a small example catalog first (concepts, a code list, a model), for a first look.
        #[arg(long)]
        demo: bool,
        /// Outbound fetches.
        #[command(flatten)]
        fetch: FetchArgs,
        /// JWT access tokens (Maskinporten and other issuers).
        #[command(flatten)]
        jwt: JwtArgs,
        /// Caps on compressed bodies, literals, triples, SPARQL per client, idle connections.
        #[command(flatten)]
        input_limits: InputLimitArgs,
        /// Webhook deliveries.
        #[command(flatten)]
        webhooks: crate::webhooks::WebhookArgs,
        /// Writes per minute per client address and per token (0: no limit).
        #[arg(long, env = "SEMREG_RATE_LIMIT_WRITES", default_value_t = crate::auth::limits::RateLimitConfig::default().writes_per_minute)]
        rate_limit_writes: u32,
        /// Searches and suggestions per minute per client address and per token (0: no limit).
        #[arg(long, env = "SEMREG_RATE_LIMIT_SEARCH", default_value_t = crate::auth::limits::RateLimitConfig::default().search_per_minute)]
        rate_limit_search: u32,
        /// SPARQL queries per minute per client address and per token (0: no limit).
        #[arg(long, env = "SEMREG_RATE_LIMIT_SPARQL", default_value_t = crate::auth::limits::RateLimitConfig::default().sparql_per_minute)]
        rate_limit_sparql: u32,
        /// The URL this instance is reached at (the IRIs of the catalogs it serves; default:
        /// from each request's Host).
        #[arg(long, env = "SEMREG_PUBLIC_URL")]
        public_url: Option<String>,
        /// This instance's name, as `GET /api/v1/instance` tells followers.
        #[arg(long, env = "SEMREG_INSTANCE_NAME", default_value = "semreg")]
        instance_name: String,
        /// Run no harvest scheduler in this process (sources then run only when asked).
        #[arg(long, env = "SEMREG_NO_HARVEST_SCHEDULER")]
        no_harvest_scheduler: bool,
        /// How long a harvest run holds its source without renewing, in seconds (a run whose
        /// process stopped frees its source after this).
        #[arg(long, env = "SEMREG_HARVEST_LEASE_SECS", default_value_t = 30)]
        harvest_lease_secs: u64,
        /// Run no followers of peers in this process.
        #[arg(long, env = "SEMREG_NO_FOLLOWERS")]
        no_followers: bool,
        /// How long a follower's long poll of a peer's feed waits, in seconds.
        #[arg(long, env = "SEMREG_PEER_POLL_WAIT_SECS", default_value_t = 20)]
        peer_poll_wait_secs: u64,
        /// SHACL shapes files (Turtle) for the quality reports, e.g. the official SKOS-AP-NO
        /// and ModellDCAT-AP-NO shapes; comma-separated or repeated.
        #[arg(long, env = "SEMREG_SHACL_SHAPES", value_delimiter = ',')]
        shacl_shapes: Vec<PathBuf>,
        /// Vocabularies the shapes need for `sh:class` (Turtle or RDF/XML), e.g. the EU
        /// concept-status table; comma-separated or repeated.
        #[arg(long, env = "SEMREG_SHACL_VOCABULARIES", value_delimiter = ',')]
        shacl_vocabularies: Vec<PathBuf>,
    },
    /// Import files; each file is one atomic batch.
    Import {
        /// Where the store is (ignored with --server).
        #[command(flatten)]
        store: StoreArgs,
        /// Import through a running server's API instead of the data dir.
        #[arg(long, requires = "token")]
        server: Option<String>,
        /// API token for --server.
        #[arg(long, env = "SEMREG_TOKEN")]
        token: Option<String>,
        /// The publisher (org number) new resources belong to.
        #[arg(long)]
        publisher: Option<String>,
        /// auto, turtle, rdfxml, jsonld, ntriples, nquads, seres, klass, altinn-options, csv,
        /// jsonschema, fhir.
        #[arg(long, default_value = "auto")]
        format: String,
        /// An importer setting KEY=VALUE (repeatable), e.g. `--param code=alpha-2` for CSV.
        #[arg(long = "param", value_parser = parse_param)]
        params: Vec<(String, String)>,
        /// `valid` (published, the default) or `draft` (seen only by the publisher until a
        /// later `valid` import publishes it).
        #[arg(long, default_value = "valid", value_parser = ["valid", "draft"])]
        status: String,
        /// Files to import.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Manage API tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Show the audit trail, newest first (as `GET /api/v1/audit` does for admins).
    Audit {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Only writes acting for this publisher (org number).
        #[arg(long)]
        publisher: Option<String>,
        /// Only this action (import, push, harvest, source.add, token.create, ...).
        #[arg(long)]
        action: Option<String>,
        /// Only writes that touched this resource (id or IRI).
        #[arg(long)]
        resource: Option<String>,
        /// How many rows.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Rebuild the RDF store and the search index from the store of record.
    Reindex {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Manage peers (other semreg instances this one follows).
    Peer {
        /// What to do with peers.
        #[command(subcommand)]
        command: crate::federation::cli::PeerCommand,
    },
    /// Write a backup of the whole instance: every table of the store of record and every
    /// resource version's RDF (N-Quads), with checksums (format: src/backup/mod.rs).
    Export {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Everything (the only export so far; required so that later partial exports cannot
        /// be mistaken for a backup).
        #[arg(long, required = true)]
        all: bool,
        /// Write to this file (default: standard output).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Rebuild an instance from a backup of `semreg export --all`: same ids, versions, content
    /// hashes, change-log seq and instance id; a new change-log epoch (followers resync).
    Restore {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Replace the target's data if it holds any (refused otherwise).
        #[arg(long)]
        force: bool,
        /// The backup file.
        file: PathBuf,
    },
    /// Manage harvest sources (publishers' catalogs semreg follows).
    Source {
        /// What to do with sources.
        #[command(subcommand)]
        command: crate::sync::cli::SourceCommand,
    },
    /// Compose a service model from registry types (a JSON request file), then optionally
    /// export it as an Altinn app and a FHIR Questionnaire.
    Compose(forms::ComposeArgs),
    /// A stored service model as a form: Altinn app files or a FHIR Questionnaire.
    Form {
        /// Which form.
        #[command(subcommand)]
        command: forms::FormCommand,
    },
}

/// Caps on what one request may carry or hold (`crate::config::InputLimits`).
#[derive(Debug, Clone, Args)]
pub struct InputLimitArgs {
    /// Most times its compressed size a gzip or br request body may decode to (0: no ratio
    /// limit; the decoded body is held to --body-limit too).
    #[arg(long, env = "SEMREG_MAX_COMPRESSION_RATIO", default_value_t = crate::config::InputLimits::default().max_compression_ratio)]
    pub max_compression_ratio: u64,
    /// Largest single literal one import may hold, in bytes (default 1 MiB).
    #[arg(long, env = "SEMREG_MAX_LITERAL_BYTES", default_value_t = crate::config::InputLimits::default().max_literal_bytes)]
    pub max_literal_bytes: usize,
    /// Most triples one import may hold.
    #[arg(long, env = "SEMREG_MAX_IMPORT_TRIPLES", default_value_t = crate::config::InputLimits::default().max_import_triples)]
    pub max_import_triples: usize,
    /// Most SPARQL queries one client (address or token) may have running at once (0: no
    /// per-client limit).
    #[arg(long, env = "SEMREG_SPARQL_PER_CLIENT", default_value_t = crate::auth::limits::RateLimitConfig::default().sparql_running_per_client)]
    pub sparql_per_client: u32,
    /// Seconds a connection may sit idle, or take to send a request's head, before it is
    /// closed.
    #[arg(long, env = "SEMREG_IDLE_TIMEOUT_SECS", default_value_t = crate::config::InputLimits::default().idle_timeout.as_secs())]
    pub idle_timeout_secs: u64,
}

impl InputLimitArgs {
    /// The limits.
    pub fn config(&self) -> crate::config::InputLimits {
        crate::config::InputLimits {
            max_compression_ratio: self.max_compression_ratio,
            max_literal_bytes: self.max_literal_bytes.max(1),
            max_import_triples: self.max_import_triples.max(1),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs.max(1)),
        }
    }
}

/// Outbound fetches (harvest sources).
#[derive(Debug, Clone, Args)]
pub struct FetchArgs {
    /// Internal hosts or networks that may be fetched from, comma-separated (e.g.
    /// `127.0.0.1,10.0.0.0/8,intranet.example`); loopback, private, link-local and multicast
    /// addresses are refused otherwise.
    #[arg(long, env = "SEMREG_FETCH_ALLOW", default_value = "")]
    pub fetch_allow: String,
    /// Fetch only from what --fetch-allow lists (public addresses refused too).
    #[arg(long, env = "SEMREG_FETCH_ONLY_ALLOWED")]
    pub fetch_only_allowed: bool,
    /// Time limit of one fetch, in seconds.
    #[arg(long, env = "SEMREG_FETCH_TIMEOUT_SECS", default_value_t = 300)]
    pub fetch_timeout_secs: u64,
    /// Largest body fetched, in bytes (default 75 MiB).
    #[arg(long, env = "SEMREG_FETCH_MAX_BYTES", default_value_t = crate::fetch::DEFAULT_MAX_BYTES)]
    pub fetch_max_bytes: u64,
}

impl FetchArgs {
    /// The client configuration.
    pub fn config(&self) -> anyhow::Result<crate::fetch::FetchConfig> {
        let mut allow = crate::fetch::AllowList::parse(&self.fetch_allow)?;
        allow.only_listed = self.fetch_only_allowed;
        let mut config = crate::fetch::FetchConfig {
            allow,
            max_bytes: self.fetch_max_bytes,
            ..Default::default()
        };
        config.total_timeout = Duration::from_secs(self.fetch_timeout_secs.max(1));
        config.read_timeout = config.read_timeout.min(config.total_timeout);
        Ok(config)
    }
}

/// JWT access tokens of trusted issuers.
#[derive(Debug, Clone, Args)]
pub struct JwtArgs {
    /// Trusted JWT issuers: a JSON array of `{"issuer", "jwksUri", "audience",
    /// "writeScope", "adminScope"}`, or the path of a file holding one (empty: JWTs refused).
    #[arg(long, env = "SEMREG_JWT_ISSUERS", default_value = "")]
    pub jwt_issuers: String,
    /// How long an issuer's fetched JWKS is used, in seconds.
    #[arg(long, env = "SEMREG_JWKS_CACHE_SECS", default_value_t = 24 * 60 * 60)]
    pub jwks_cache_secs: u64,
    /// The least time between two fetches of an issuer's JWKS, in seconds (a token with an
    /// unknown key id asks for one).
    #[arg(long, env = "SEMREG_JWKS_REFRESH_MIN_SECS", default_value_t = 60)]
    pub jwks_refresh_min_secs: u64,
}

impl JwtArgs {
    /// The JWT configuration.
    pub fn config(&self) -> anyhow::Result<crate::auth::jwt::JwtConfig> {
        let issuers =
            crate::auth::jwt::parse_issuers(&self.jwt_issuers).map_err(anyhow::Error::msg)?;
        Ok(crate::auth::jwt::JwtConfig {
            issuers,
            jwks_ttl: Duration::from_secs(self.jwks_cache_secs.max(1)),
            jwks_min_refresh: Duration::from_secs(self.jwks_refresh_min_secs),
            ..Default::default()
        })
    }
}

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a publisher and print it (it is shown only once).
    Create {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The publisher's organisation number (9 digits).
        #[arg(long, required_unless_present = "admin", conflicts_with = "admin")]
        publisher: Option<String>,
        /// An admin token instead: manages sources (and peers, subscriptions, tokens).
        #[arg(long)]
        admin: bool,
    },
    /// List tokens: id, role, publisher, created (never their secrets).
    List {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// List revoked tokens too.
        #[arg(long)]
        revoked: bool,
    },
    /// Revoke a token by id: it is refused from now on, on every server of this store.
    Revoke {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The token's id (from `semreg token list`).
        id: String,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            store,
            listen,
            body_limit,
            request_timeout_secs,
            sparql_timeout_ms,
            sparql_result_limit,
            sparql_concurrency,
            search_concurrency,
            serve_threads,
            background_nice,
            demo,
            fetch,
            jwt,
            input_limits,
            webhooks,
            rate_limit_writes,
            rate_limit_search,
            rate_limit_sparql,
            public_url,
            instance_name,
            no_harvest_scheduler,
            harvest_lease_secs,
            no_followers,
            peer_poll_wait_secs,
            shacl_shapes,
            shacl_vocabularies,
        } => {
            let peer_poll_wait = Duration::from_secs(peer_poll_wait_secs.clamp(1, 60));
            let mut config = store.config();
            config.fetch = fetch.config()?;
            config.jwt = jwt.config()?;
            config.input_limits = input_limits.config();
            config.webhooks = webhooks.config()?;
            config.rate_limits = crate::auth::limits::RateLimitConfig {
                writes_per_minute: rate_limit_writes,
                search_per_minute: rate_limit_search,
                sparql_per_minute: rate_limit_sparql,
                sparql_running_per_client: input_limits.sparql_per_client,
            };
            config.public_url = public_url.filter(|u| !u.is_empty());
            config.instance_name = instance_name;
            config.harvest_scheduler = !no_harvest_scheduler;
            config.harvest_lease = Duration::from_secs(harvest_lease_secs.max(3));
            config.followers = !no_followers;
            config.peer_poll_wait = peer_poll_wait;
            config.shacl_shapes = shacl_shapes;
            config.shacl_vocabularies = shacl_vocabularies;
            config.listen = listen;
            config.body_limit_bytes = body_limit;
            config.sparql_timeout = Duration::from_millis(sparql_timeout_ms);
            config.request_timeout = Duration::from_secs(request_timeout_secs.max(1));
            config.sparql_result_limit = sparql_result_limit;
            config.sparql_concurrency = sparql_concurrency;
            config.search_concurrency = search_concurrency;
            config.serve_threads = serve_threads;
            crate::background::set_nice(background_nice);
            serve(config, demo).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            store,
            server,
            token,
            publisher,
            format,
            params,
            status,
            paths,
        } => {
            let publisher = publisher.map(|p| OrgNr::parse(&p)).transpose()?;
            let format = parse_format(&format)?;
            let target = ImportTarget {
                store,
                server,
                token,
                status: registry::WriteStatus::parse(&status).unwrap_or_default(),
            };
            import(
                target,
                publisher,
                format,
                params.into_iter().collect(),
                paths,
            )
            .await
        }
        Command::Token { command } => token_command(command).await,
        Command::Audit {
            store,
            publisher,
            action,
            resource,
            limit,
        } => {
            let config = store.config();
            let db = store::connect(&config.database_url()).await?;
            let filter = crate::auth::audit::AuditFilter {
                publisher: publisher
                    .map(|p| OrgNr::parse(&p).map(|o| o.as_str().to_owned()))
                    .transpose()?,
                action,
                resource,
                ..Default::default()
            };
            let (total, items) = crate::auth::audit::list(&db, &filter, limit, 0).await?;
            for entry in &items {
                let who = entry
                    .token_id
                    .as_deref()
                    .map(|t| format!("token {t}"))
                    .or_else(|| entry.jti.as_deref().map(|j| format!("jti {j}")))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{}  {:<13}  {:<9}  {:<9}  {}  {} resources  {}",
                    entry.at.format("%Y-%m-%dT%H:%M:%SZ"),
                    entry.action,
                    entry.role,
                    entry.publisher.as_deref().unwrap_or("-"),
                    who,
                    entry.resources.len(),
                    entry.client_addr.as_deref().unwrap_or("-"),
                );
            }
            eprintln!("{total} audit rows match; {} shown", items.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Source { command } => crate::sync::cli::run(command).await,
        Command::Peer { command } => crate::federation::cli::run(command).await,
        Command::Reindex { store } => {
            reindex(store.config()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { store, all, output } => {
            debug_assert!(all);
            export(store.config(), output).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { store, force, file } => {
            restore(store.config(), &file, force).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Compose(args) => forms::compose(args).await,
        Command::Form { command } => forms::form(command).await,
    }
}

async fn token_command(command: TokenCommand) -> anyhow::Result<ExitCode> {
    let store = match &command {
        TokenCommand::Create { store, .. }
        | TokenCommand::List { store, .. }
        | TokenCommand::Revoke { store, .. } => store.clone(),
    };
    let config = store.config();
    std::fs::create_dir_all(&config.data_dir)?;
    let db = store::connect(&config.database_url()).await?;
    match command {
        TokenCommand::Create {
            publisher, admin, ..
        } => {
            let publisher = match publisher {
                Some(publisher) if !admin => Some(OrgNr::parse(&publisher)?),
                _ => None,
            };
            let created = tokens::create_audited(
                &db,
                publisher.as_ref(),
                &crate::auth::audit::Actor::operator(),
            )
            .await?;
            println!("{}", created.token);
            match publisher {
                Some(publisher) => eprintln!(
                    "Token {} for publisher {publisher} created; it is shown only this once.",
                    created.view.id
                ),
                None => eprintln!(
                    "Admin token {} created; it is shown only this once.",
                    created.view.id
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { revoked, .. } => {
            let (total, items) = tokens::list(&db, revoked, i64::MAX as u64, 0).await?;
            println!(
                "{:<36}  {:<9}  {:<9}  {:<20}  revoked",
                "id", "role", "publisher", "created"
            );
            for token in &items {
                println!(
                    "{:<36}  {:<9}  {:<9}  {:<20}  {}",
                    token.id,
                    token.role,
                    token.publisher.as_deref().unwrap_or("-"),
                    token.created_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    token
                        .revoked_at
                        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                        .unwrap_or_else(|| "-".into())
                );
            }
            eprintln!("{total} tokens");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id, .. } => {
            match tokens::revoke_audited(&db, &id, &crate::auth::audit::Actor::operator()).await? {
                Some(token) => {
                    eprintln!(
                        "Token {} ({}{}) revoked.",
                        token.id,
                        token.role,
                        token
                            .publisher
                            .as_deref()
                            .map(|p| format!(" of {p}"))
                            .unwrap_or_default()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                None => bail!("no token {id}: see `semreg token list`"),
            }
        }
    }
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("expected KEY=VALUE, got {text:?}"))
}

/// Where an import goes: the data dir's store, or a server's API.
struct ImportTarget {
    store: StoreArgs,
    server: Option<String>,
    token: Option<String>,
    status: registry::WriteStatus,
}

fn parse_format(name: &str) -> anyhow::Result<Option<Format>> {
    if name == "auto" {
        return Ok(None);
    }
    match Format::parse(name) {
        Some(format) => Ok(Some(format)),
        None => bail!(
            "unknown format {name:?}: use one of {}",
            Format::NAMES.join(", ")
        ),
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let listen = config.listen;
    let app = App::open(config).await?;
    if demo {
        let report = app
            .import(ImportRequest {
                file_name: Some("demo-catalog.ttl".into()),
                format: Some(Format::Turtle),
                bytes: crate::demo::DEMO_CATALOG.as_bytes().to_vec(),
                publisher: Some(OrgNr::parse(crate::demo::DEMO_PUBLISHER)?),
                actor: Actor::Operator,
                params: Default::default(),
                status: registry::WriteStatus::Valid,
                caps: app.config.import_caps(),
                audit: crate::auth::audit::Context::new(
                    crate::auth::audit::Actor::operator(),
                    crate::auth::audit::Action::IMPORT,
                ),
            })
            .await
            .context("cannot load the demo catalog")?;
        tracing::info!(
            created = report.created,
            unchanged = report.unchanged,
            "demo catalog loaded"
        );
    }
    app.spawn_change_poller();
    if app.config.followers {
        crate::federation::follower::spawn(app.clone());
    }
    if app.config.harvest_scheduler {
        crate::sync::scheduler::spawn(app.clone());
    }
    if app.config.webhooks.enabled {
        crate::webhooks::worker::spawn(app.clone());
    }
    let threads = app.config.serve_threads;
    if threads > 0 {
        let (local, done) =
            crate::http::serve_per_core(AppState(app), listen, threads, std::future::pending())
                .with_context(|| format!("cannot listen on {listen}"))?;
        tracing::info!(address = %local, threads, "semreg serving");
        eprintln!("semreg serving on http://{local}/ ({threads} fast-lane threads)");
        done.await;
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let local = listener.local_addr()?;
    tracing::info!(address = %local, "semreg serving");
    eprintln!("semreg serving on http://{local}/");
    crate::http::serve(AppState(app), listener).await?;
    Ok(())
}

fn print_report(path: &std::path::Path, report: &ImportReport) {
    println!(
        "{}: {} triples, {} created, {} updated, {} unchanged, {} retired, 0 errors{}",
        path.display(),
        report.triples,
        report.created,
        report.updated,
        report.unchanged,
        report.retired,
        if report.warnings.is_empty() {
            String::new()
        } else {
            format!(", {} warnings", report.warnings.len())
        }
    );
    for warning in &report.warnings {
        println!(
            "  warning: {}{}",
            warning
                .location
                .as_deref()
                .map(|l| format!("{l}: "))
                .unwrap_or_default(),
            warning.message
        );
    }
}

async fn import(
    target: ImportTarget,
    publisher: Option<OrgNr>,
    format: Option<Format>,
    params: std::collections::BTreeMap<String, String>,
    paths: Vec<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let ImportTarget {
        store: store_args,
        server,
        token,
        status,
    } = target;
    let caps = store_args.config().import_caps();
    let db = match &server {
        None => {
            let config = store_args.config();
            std::fs::create_dir_all(&config.data_dir)?;
            Some(store::connect(&config.database_url()).await?)
        }
        Some(_) => None,
    };
    let progress = ProgressBar::new(paths.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    progress.enable_steady_tick(Duration::from_millis(120));
    let mut failed = 0;
    for path in &paths {
        progress.set_message(path.display().to_string());
        let outcome = match std::fs::read(path) {
            Err(error) => Err(anyhow::anyhow!("cannot read the file: {error}")),
            Ok(bytes) => {
                let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                match (&db, &server, &token) {
                    (Some(db), _, _) => registry::import_file(
                        db,
                        ImportRequest {
                            file_name,
                            format,
                            bytes,
                            publisher: publisher.clone(),
                            actor: Actor::Operator,
                            params: params.clone(),
                            status,
                            caps,
                            audit: crate::auth::audit::Context::new(
                                crate::auth::audit::Actor::operator(),
                                crate::auth::audit::Action::IMPORT,
                            ),
                        },
                    )
                    .await
                    .map_err(anyhow::Error::from),
                    (None, Some(server), Some(token)) => {
                        let request = RemoteImport {
                            server,
                            token,
                            publisher: publisher.as_ref(),
                            format,
                            params: &params,
                            status,
                        };
                        import_remote(request, file_name, bytes).await
                    }
                    _ => Err(anyhow::anyhow!("--server needs --token")),
                }
            }
        };
        progress.suspend(|| match &outcome {
            Ok(report) => print_report(path, report),
            Err(error) => {
                println!("{}: failed, nothing imported: {error:#}", path.display());
            }
        });
        if outcome.is_err() {
            failed += 1;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if failed > 0 {
        eprintln!("{failed} of {} files failed", paths.len());
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// An import through a server's API.
struct RemoteImport<'a> {
    server: &'a str,
    token: &'a str,
    publisher: Option<&'a OrgNr>,
    format: Option<Format>,
    params: &'a std::collections::BTreeMap<String, String>,
    status: registry::WriteStatus,
}

async fn import_remote(
    request: RemoteImport<'_>,
    file_name: Option<String>,
    bytes: Vec<u8>,
) -> anyhow::Result<ImportReport> {
    let RemoteImport {
        server,
        token,
        publisher,
        format,
        params: importer_params,
        status,
    } = request;
    let mut url = format!("{}/api/v1/import?", server.trim_end_matches('/'));
    let mut params = vec![(
        "format",
        format
            .map(|f| f.to_string())
            .unwrap_or_else(|| "auto".into()),
    )];
    if let Some(p) = publisher {
        params.push(("publisher", p.to_string()));
    }
    params.push(("status", status.as_str().to_owned()));
    if let Some(name) = file_name {
        params.push(("filename", name));
    }
    for (key, value) in importer_params {
        params.push((key.as_str(), value.clone()));
    }
    url.push_str(&serde_urlencoded::to_string(&params)?);
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .with_context(|| format!("cannot reach {server}"))?;
    let status = response.status();
    let body = response.text().await?;
    if !status.is_success() {
        let detail = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
            .unwrap_or(body);
        bail!("server answered {status}: {detail}");
    }
    serde_json::from_str(&body).context("the server's import report is not valid JSON")
}

async fn export(config: Config, output: Option<PathBuf>) -> anyhow::Result<()> {
    let db = store::connect(&config.database_url()).await?;
    let progress = crate::backup::progress_bar(0, "export");
    let summary = match &output {
        Some(path) => {
            // Written next to the target and renamed when complete: a failed export leaves no
            // file that looks like a backup.
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("cannot create {}", partial.display()))?;
            let out = std::io::BufWriter::with_capacity(1 << 20, file);
            let summary = crate::backup::export(&db, out, &progress).await;
            let summary = match summary {
                Ok(summary) => summary,
                Err(error) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(error);
                }
            };
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            summary
        }
        None => {
            let out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            crate::backup::export(&db, out, &progress).await?
        }
    };
    progress.finish_and_clear();
    eprintln!(
        "exported {} tables, {} rows, {} quads ({} lines){}",
        summary.tables,
        summary.rows,
        summary.quads,
        summary.lines,
        output
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}

async fn restore(config: Config, file: &std::path::Path, force: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    let db = store::connect(&config.database_url()).await?;
    let progress = crate::backup::progress_bar(0, "restore");
    let summary = crate::backup::restore(&db, &config.data_dir, file, force, &progress).await?;
    let instance = crate::federation::instance::Instance::load_or_create(&db).await?;
    eprintln!(
        "restored {} tables, {} rows, {} quads; instance {}, new change-log epoch {}",
        summary.tables, summary.rows, summary.quads, instance.id, instance.epoch
    );
    Ok(())
}

async fn reindex(config: Config) -> anyhow::Result<()> {
    let url = config.database_url();
    let db = store::connect(&url).await?;
    let data_dir = config.data_dir.clone();
    let projections =
        tokio::task::spawn_blocking(move || crate::projections::Projections::open(&data_dir))
            .await??;
    let projections = std::sync::Arc::new(projections);
    let total = store::last_seq(&db).await?;
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(format!("rebuilding projections from {total} changes"));
    spinner.enable_steady_tick(Duration::from_millis(120));
    projections.clear().await?;
    let applied = projections.catch_up(&db).await?;
    spinner.finish_and_clear();
    println!(
        "reindexed: {applied} changes applied; {} resources in the RDF store, {} in the search index",
        projections.graph.graph_count()?,
        projections.search.doc_count()
    );
    Ok(())
}
