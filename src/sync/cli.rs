//! `semreg source add|list|remove|run|runs`: harvest sources from the command line, on the
//! data dir's store (as the instance's operator, with an admin's rights).

use super::harvest::Harvester;
use super::runs::RunReport;
use super::sources::{AuthHeader, IntervalInput, SourceInput, SourceView};
use crate::auth::Principal;
use crate::cli::{FetchArgs, StoreArgs};
use crate::store;
use anyhow::Context;
use clap::Subcommand;
use std::process::ExitCode;

/// Source commands.
#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Register a source (FDK's data-source fields as flags, or `--json FILE` with the
    /// registration as FDK keeps it).
    Add {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The SSRF guard the URL must pass (as `semreg serve` will fetch it).
        #[command(flatten)]
        fetch: crate::cli::FetchArgs,
        /// A JSON file with the registration (`-` reads standard input); the flags below are
        /// then not needed.
        #[arg(long, conflicts_with_all = ["url", "data_type", "data_source_type"])]
        json: Option<std::path::PathBuf>,
        /// Where the catalog is fetched from.
        #[arg(long, required_unless_present = "json")]
        url: Option<String>,
        /// concept, informationmodel or codelist.
        #[arg(long, required_unless_present = "json")]
        data_type: Option<String>,
        /// SKOS-AP-NO, DCAT-AP-NO, ModellDCAT-AP-NO, SERES, Klass, Altinn-options, CSV,
        /// JSON-Schema or FHIR.
        #[arg(long, required_unless_present = "json")]
        data_source_type: Option<String>,
        /// The publisher's organisation number.
        #[arg(long)]
        publisher: Option<String>,
        /// The Accept header to send.
        #[arg(long)]
        accept: Option<String>,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// An extra header for every fetch, `NAME: VALUE`.
        #[arg(long)]
        auth_header: Option<String>,
        /// Time between runs: seconds or `30m`, `1h`, `1d` (default 1h).
        #[arg(long)]
        interval: Option<String>,
        /// Register it inactive (the scheduler leaves it alone).
        #[arg(long)]
        inactive: bool,
    },
    /// List the sources.
    List {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Remove a source (what it harvested stays, and passes to its publisher).
    Remove {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The source's id.
        id: String,
    },
    /// Run a source now and print the run's report.
    Run {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Outbound fetches.
        #[command(flatten)]
        fetch: FetchArgs,
        /// Fetch and apply even if the source says it is unchanged.
        #[arg(long)]
        forced: bool,
        /// Retire everything this source delivered (nothing is fetched).
        #[arg(long)]
        remove_all: bool,
        /// The source's id.
        id: String,
    },
    /// List a source's runs, newest first.
    Runs {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The source's id.
        id: String,
    },
}

async fn open(store: &StoreArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let config = store.config();
    std::fs::create_dir_all(&config.data_dir)?;
    Ok(store::connect(&config.database_url()).await?)
}

fn print_source(s: &SourceView) {
    println!(
        "{}  {}  {} {}  publisher {}  every {} s{}{}",
        s.id,
        s.url,
        s.data_type,
        s.data_source_type,
        s.publisher_id,
        s.interval,
        if s.active { "" } else { "  (inactive)" },
        s.last_success_at
            .as_deref()
            .map(|t| format!("  last success {t}"))
            .unwrap_or_default()
    );
}

/// Prints a run's report as the CLI shows it.
pub fn print_run(r: &RunReport) {
    println!(
        "run {}: {}{}  created {}, updated {}, unchanged {}, retired {}, reactivated {}, conflicts {}",
        r.run_id,
        r.status,
        r.error_category
            .map(|c| format!(" ({})", c.as_str()))
            .unwrap_or_default(),
        r.created,
        r.updated,
        r.unchanged,
        r.retired,
        r.reactivated,
        r.conflicts
    );
    if let Some(message) = &r.error_message {
        println!("  {message}");
    }
    for changed in &r.lists.changed_resources {
        println!("  changed  {}  {}", changed.id, changed.iri);
    }
    for removed in &r.lists.removed_resources {
        println!("  removed  {}  {}", removed.id, removed.iri);
    }
    for conflict in &r.lists.conflicting_resources {
        println!(
            "  conflict {}  {}  (owned by {})",
            conflict.id, conflict.iri, conflict.owner
        );
    }
}

/// Runs a source command.
pub async fn run(command: SourceCommand) -> anyhow::Result<ExitCode> {
    match command {
        SourceCommand::Add {
            store,
            fetch,
            json,
            url,
            data_type,
            data_source_type,
            publisher,
            accept,
            description,
            auth_header,
            interval,
            inactive,
        } => {
            let input = match json {
                Some(path) => {
                    let text = if path.as_os_str() == "-" {
                        std::io::read_to_string(std::io::stdin())?
                    } else {
                        std::fs::read_to_string(&path)
                            .with_context(|| format!("cannot read {}", path.display()))?
                    };
                    serde_json::from_str::<SourceInput>(&text)
                        .context("the registration is not a valid data-source JSON")?
                }
                None => SourceInput {
                    url: url.unwrap_or_default(),
                    data_type: data_type.unwrap_or_default(),
                    data_source_type: data_source_type.unwrap_or_default(),
                    accept_header_value: accept,
                    publisher_id: publisher,
                    description,
                    auth_header: auth_header
                        .map(|h| {
                            h.split_once(':')
                                .map(|(n, v)| AuthHeader {
                                    name: n.trim().to_owned(),
                                    value: v.trim().to_owned(),
                                })
                                .context("--auth-header must be `NAME: VALUE`")
                        })
                        .transpose()?,
                    interval: interval.map(IntervalInput::Text),
                    active: Some(!inactive),
                    strict: None,
                    id: None,
                    publisher: None,
                },
            };
            let guard = crate::fetch::Fetcher::new(fetch.config()?)?;
            let db = open(&store).await?;
            let view = super::sources::add_source(
                &db,
                &Principal::Admin,
                &crate::auth::audit::Actor::operator(),
                input,
                &guard,
            )
            .await?;
            print_source(&view);
            eprintln!(
                "Source registered; its first run starts within {} s while `semreg serve` runs, or now with `semreg source run {}`.",
                super::sources::first_run_delay(&view.id, std::time::Duration::from_secs(view.interval as u64)).as_secs() + 1,
                view.id
            );
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::List { store } => {
            let db = open(&store).await?;
            let (total, rows) =
                super::sources::list_sources(&db, &Principal::Admin, 1000, 0).await?;
            for row in rows {
                print_source(&row.into());
            }
            eprintln!("{total} sources");
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Remove { store, id } => {
            let db = open(&store).await?;
            super::sources::remove_source(
                &db,
                &Principal::Admin,
                &crate::auth::audit::Actor::operator(),
                &id,
            )
            .await?;
            eprintln!("Source {id} removed; what it harvested stays.");
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Run {
            store,
            fetch,
            forced,
            remove_all,
            id,
        } => {
            let db = open(&store).await?;
            let harvester = Harvester {
                db,
                fetcher: crate::fetch::Fetcher::new(fetch.config()?)?,
                lease: store.config().harvest_lease,
                app: None,
                caps: store.config().import_caps(),
            };
            let spinner = indicatif::ProgressBar::new_spinner();
            spinner.set_message(format!("harvesting source {id}"));
            spinner.enable_steady_tick(std::time::Duration::from_millis(120));
            let report = super::harvest::run_now(&harvester, &id, forced, remove_all).await;
            spinner.finish_and_clear();
            let report = report?;
            print_run(&report);
            eprintln!("A running `semreg serve` on this store shows the changes within a second.");
            Ok(if report.status == "error" {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        SourceCommand::Runs { store, id } => {
            let db = open(&store).await?;
            let (total, rows) = super::runs::list_runs(&db, &id, 50, 0).await?;
            for row in rows {
                print_run(&row.into());
            }
            eprintln!("{total} runs");
            Ok(ExitCode::SUCCESS)
        }
    }
}
