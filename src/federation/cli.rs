//! `semreg peer add|list|remove`: the peers this instance follows, from the command line, on
//! the data dir's store (as the instance's operator). A running `semreg serve` on the same
//! store starts (or stops) the peer's follower within a second.

use super::peers::{self, PeerView};
use crate::auth::audit::{Action, Actor, Event};
use crate::cli::StoreArgs;
use crate::store;
use clap::Subcommand;
use std::process::ExitCode;

/// Peer commands.
#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// Follow another semreg instance (its base URL, e.g. http://127.0.0.1:8081).
    Add {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The peer's base URL.
        url: String,
    },
    /// List the peers and how far each is followed.
    List {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Stop following a peer (by id or URL); the copies already mirrored stay.
    Remove {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The peer's id or URL.
        peer: String,
    },
}

async fn open(store: &StoreArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let config = store.config();
    std::fs::create_dir_all(&config.data_dir)?;
    Ok(store::connect(&config.database_url()).await?)
}

fn print_peer(p: &PeerView) {
    println!(
        "{}  {}  instance {}  last seq {}  lag {}{}",
        p.id,
        p.url,
        p.instance.as_deref().unwrap_or("(not reached yet)"),
        p.last_seq,
        p.lag,
        p.last_error
            .as_deref()
            .map(|e| format!("  last error: {e}"))
            .unwrap_or_default()
    );
}

/// Runs a peer command.
pub async fn run(command: PeerCommand) -> anyhow::Result<ExitCode> {
    match command {
        PeerCommand::Add { store, url } => {
            let db = open(&store).await?;
            let txn = crate::store::begin_write(&db).await?;
            let added = peers::add(&txn, &url).await?;
            audit_operator(&txn, Action::PEER_ADD, &added).await?;
            txn.commit().await?;
            print_peer(&added);
            Ok(ExitCode::SUCCESS)
        }
        PeerCommand::List { store } => {
            let db = open(&store).await?;
            for p in peers::all(&db).await? {
                print_peer(&PeerView::from(p));
            }
            Ok(ExitCode::SUCCESS)
        }
        PeerCommand::Remove { store, peer } => {
            let db = open(&store).await?;
            let txn = crate::store::begin_write(&db).await?;
            let removed = peers::remove(&txn, &peer).await?;
            audit_operator(&txn, Action::PEER_REMOVE, &removed).await?;
            txn.commit().await?;
            println!("removed peer {} ({})", removed.id, removed.url);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The audit row of a peer added or removed from the command line (by the operator).
async fn audit_operator(
    txn: &sea_orm::DatabaseTransaction,
    action: Action,
    peer: &PeerView,
) -> anyhow::Result<()> {
    let detail = serde_json::json!({"peer": peer.id, "url": peer.url});
    crate::auth::audit::record(txn, &Actor::operator(), &Event::new(action, detail)).await?;
    Ok(())
}
