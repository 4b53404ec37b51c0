//! Backup and restore of a whole instance: `semreg export --all` writes every table of the store
//! of record and the RDF of every resource version into one text file, `semreg restore` rebuilds
//! an instance from it — same ids, versions, content hashes, change-log `seq` and instance id —
//! on SQLite or PostgreSQL, whichever the backup came from.
//!
//! # Format `semreg-backup v1`
//! One UTF-8 text file, one record a line:
//! - line 1: `# semreg-backup v1 {"created", "backend", "tables": [{"name", "columns": [{"name",
//!   "type"}], "rows"}]}` — the tables (parents before the tables whose foreign keys point at
//!   them), each column with its portable type (`int`, `real`, `bool`, `text`, `timestamptz`,
//!   `timestamp`, `date`, `json`, `bytes`);
//! - `# row TABLE [v1, v2, ...]`: one row, its values in the header's column order as JSON
//!   (timestamps RFC 3339, JSON columns as their text, bytes as hex, SQL NULL as `null`);
//! - after a `versions` row, whose `ntriples` value is then `null`, that version's RDF as N-Quads
//!   lines in the graph `<urn:semreg:version:RESOURCE_ID:VERSION>` (the canonical N-Triples lines
//!   with the graph name added, so the text and its content hash come back byte for byte);
//! - every 1,000 lines `# check {"line", "sha256"}`: the SHA-256 of every byte before that line;
//! - last line `# end {"lines", "rows", "quads", "sha256"}`.
//!
//! Tables and columns are discovered from the database (`sqlite_master` / `information_schema`;
//! sea-orm's `seaql_migrations` is left out: the target runs its own migrations), so a table a
//! later migration adds is in the backup without a change here.
//!
//! A restore reads the file twice: first it checks every line (checksums, structure, tables and
//! columns known to the target, content hashes) and changes nothing if one is wrong, naming the
//! line; then it replaces the target's rows in one transaction, gives the change log a new epoch
//! (followers resync) and rebuilds the RDF store and the search index.

mod schema;

use crate::federation::instance::Instance;
use crate::projections::Projections;
use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use schema::{Kind, Table};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, IsolationLevel, Statement,
    TransactionTrait, Value,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Arc;

pub use schema::{discover, Column};

/// The first word of a backup's first line.
pub const MAGIC: &str = "# semreg-backup v1 ";
/// Lines between two checksum lines.
pub const CHECK_EVERY: u64 = 1_000;
/// The graph-name prefix of a version's quads.
pub const VERSION_GRAPH: &str = "urn:semreg:version:";
/// Tables a freshly migrated (or merely opened) store already has rows in: a target holding
/// rows only there counts as empty.
pub const SEEDED_TABLES: &[&str] = &["write_lock", "settings"];

/// The header of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    /// When the backup was written (RFC 3339).
    pub created: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The tables, parents first.
    pub tables: Vec<HeaderTable>,
}

/// One table in the header.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeaderTable {
    /// Its name.
    pub name: String,
    /// Its columns.
    pub columns: Vec<HeaderColumn>,
    /// How many rows follow.
    pub rows: u64,
}

/// One column in the header.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeaderColumn {
    /// Its name.
    pub name: String,
    /// Its portable type.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The last line.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Trailer {
    lines: u64,
    rows: u64,
    quads: u64,
    sha256: String,
}

/// A checksum line.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Check {
    line: u64,
    sha256: String,
}

/// What an export or restore did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Tables written or restored.
    pub tables: usize,
    /// Rows.
    pub rows: u64,
    /// Quads of resource versions.
    pub quads: u64,
    /// Lines of the file.
    pub lines: u64,
}

/// A progress bar on stderr when it is a terminal and not under CI, else nothing.
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Lines written with a running SHA-256 and the checksum lines.
struct HashedWriter<W: Write> {
    out: W,
    hasher: Sha256,
    lines: u64,
}

impl<W: Write> HashedWriter<W> {
    fn line(&mut self, text: &str) -> std::io::Result<()> {
        debug_assert!(!text.contains('\n'));
        self.raw(text)?;
        if self.lines % CHECK_EVERY == 0 {
            let check = Check {
                line: self.lines + 1,
                sha256: hex::encode(self.hasher.clone().finalize()),
            };
            let text = format!("# check {}", serde_json::to_string(&check)?);
            self.raw(&text)?;
        }
        Ok(())
    }

    fn raw(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.hasher.update(text.as_bytes());
        self.hasher.update(b"\n");
        self.lines += 1;
        Ok(())
    }
}

/// The graph IRI of a version's quads.
pub fn version_graph(resource_id: &str, version: i64) -> String {
    let mut id = String::with_capacity(resource_id.len());
    for byte in resource_id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            id.push(char::from(byte));
        } else {
            id.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{VERSION_GRAPH}{id}:{version}")
}

/// The N-Triples lines of a version as N-Quads in its graph, if each line is a canonical one
/// (ends with ` .`); `None` otherwise (the text then stays in the row).
fn to_quads(ntriples: &str, graph: &str) -> Option<Vec<String>> {
    let mut quads = Vec::new();
    for line in ntriples.split_terminator('\n') {
        let triple = line.strip_suffix(" .")?;
        quads.push(format!("{triple} <{graph}> ."));
    }
    if !ntriples.is_empty() && !ntriples.ends_with('\n') {
        return None;
    }
    Some(quads)
}

/// Writes a backup of every table of `db` to `out`; streams, page by page, inside one read
/// transaction (a consistent snapshot while the server keeps running).
pub async fn export(
    db: &DatabaseConnection,
    out: impl Write,
    progress: &ProgressBar,
) -> anyhow::Result<Summary> {
    let backend = db.get_database_backend();
    let txn = match backend {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        _ => db.begin().await?,
    };
    let tables = schema::discover(&txn).await?;
    let mut header = Header {
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        backend: match backend {
            DbBackend::Postgres => "postgres".into(),
            _ => "sqlite".into(),
        },
        tables: Vec::new(),
    };
    let mut total = 0;
    for table in &tables {
        let rows = schema::count(&txn, &table.name).await?;
        total += rows;
        header.tables.push(HeaderTable {
            name: table.name.clone(),
            columns: table
                .columns
                .iter()
                .map(|c| HeaderColumn {
                    name: c.name.clone(),
                    kind: c.kind.portable().into(),
                })
                .collect(),
            rows,
        });
    }
    progress.set_length(total);
    let mut out = HashedWriter {
        out,
        hasher: Sha256::new(),
        lines: 0,
    };
    out.line(&format!("{MAGIC}{}", serde_json::to_string(&header)?))?;
    let mut summary = Summary {
        tables: tables.len(),
        ..Default::default()
    };
    for table in &tables {
        progress.set_message(table.name.clone());
        let split = table.version_columns();
        let page = if split.is_some() { 200 } else { 1_000 };
        let mut offset = 0u64;
        loop {
            let rows = schema::page(&txn, table, page, offset).await?;
            if rows.is_empty() {
                break;
            }
            offset += rows.len() as u64;
            for mut values in rows {
                let mut quads = None;
                if let Some((id, number, text)) = split {
                    if let (
                        Some(serde_json::Value::String(resource_id)),
                        Some(version),
                        Some(serde_json::Value::String(ntriples)),
                    ) = (
                        values.get(id).cloned(),
                        values.get(number).and_then(|v| v.as_i64()),
                        values.get(text),
                    ) {
                        if let Some(lines) =
                            to_quads(ntriples, &version_graph(&resource_id, version))
                        {
                            quads = Some(lines);
                            values[text] = serde_json::Value::Null;
                        }
                    }
                }
                out.line(&format!(
                    "# row {} {}",
                    table.name,
                    serde_json::to_string(&values)?
                ))?;
                summary.rows += 1;
                for quad in quads.unwrap_or_default() {
                    out.line(&quad)?;
                    summary.quads += 1;
                }
                progress.inc(1);
            }
        }
    }
    txn.commit().await?;
    let trailer = Trailer {
        lines: out.lines + 1,
        rows: summary.rows,
        quads: summary.quads,
        sha256: hex::encode(out.hasher.clone().finalize()),
    };
    let text = format!("# end {}", serde_json::to_string(&trailer)?);
    out.out.write_all(text.as_bytes())?;
    out.out.write_all(b"\n")?;
    out.out.flush()?;
    summary.lines = trailer.lines;
    Ok(summary)
}

/// One record of a backup file, as read.
enum Record {
    Row {
        table: String,
        values: Vec<serde_json::Value>,
    },
    Quad(String),
}

/// Reads a backup file record by record, checking its checksums as it goes. Errors name the
/// line.
struct Reader<R: BufRead> {
    input: R,
    hasher: Sha256,
    line: u64,
    last_check: u64,
    rows: u64,
    quads: u64,
    ended: bool,
    buffer: Vec<u8>,
}

impl<R: BufRead> Reader<R> {
    fn open(mut input: R) -> anyhow::Result<(Header, Self)> {
        let mut buffer = Vec::new();
        let read = input.read_until(b'\n', &mut buffer)?;
        if read == 0 {
            bail!("line 1: the file is empty, not a semreg backup");
        }
        let mut reader = Self {
            input,
            hasher: Sha256::new(),
            line: 0,
            last_check: 0,
            rows: 0,
            quads: 0,
            ended: false,
            buffer: Vec::new(),
        };
        let text = reader.take_line(&buffer)?;
        let Some(json) = text.strip_prefix(MAGIC) else {
            bail!("line 1: not a semreg backup of format v1 (it does not start with {MAGIC:?})");
        };
        let header: Header = serde_json::from_str(json)
            .with_context(|| "line 1: the backup's header is not valid".to_owned())?;
        Ok((header, reader))
    }

    /// Checks a line's end and encoding, hashes it, and returns its text.
    fn take_line(&mut self, bytes: &[u8]) -> anyhow::Result<String> {
        self.line += 1;
        let Some(body) = bytes.strip_suffix(b"\n") else {
            bail!(
                "line {}: the file ends in the middle of a line: it is truncated",
                self.line
            );
        };
        self.hasher.update(bytes);
        String::from_utf8(body.to_vec())
            .with_context(|| format!("line {}: not valid UTF-8", self.line))
    }

    fn next(&mut self) -> anyhow::Result<Option<Record>> {
        loop {
            if self.ended {
                return Ok(None);
            }
            let before = self.hasher.clone();
            let mut buffer = std::mem::take(&mut self.buffer);
            buffer.clear();
            let read = self.input.read_until(b'\n', &mut buffer)?;
            if read == 0 {
                bail!(
                    "line {}: the file ends without its `# end` line: it is truncated",
                    self.line + 1
                );
            }
            let text = self.take_line(&buffer)?;
            self.buffer = buffer;
            let line = self.line;
            if let Some(json) = text.strip_prefix("# check ") {
                let check: Check = serde_json::from_str(json)
                    .with_context(|| format!("line {line}: not a valid checksum line"))?;
                let actual = hex::encode(before.finalize());
                if check.line != line || check.sha256 != actual {
                    bail!(
                        "line {line}: checksum mismatch: lines {}-{} were altered (or lines \
                         are missing)",
                        self.last_check + 1,
                        line - 1
                    );
                }
                self.last_check = line;
                continue;
            }
            if let Some(json) = text.strip_prefix("# end ") {
                let trailer: Trailer = serde_json::from_str(json)
                    .with_context(|| format!("line {line}: not a valid end line"))?;
                let actual = hex::encode(before.finalize());
                if trailer.sha256 != actual || trailer.lines != line {
                    bail!(
                        "line {line}: checksum mismatch: lines {}-{} were altered (or lines \
                         are missing)",
                        self.last_check + 1,
                        line - 1
                    );
                }
                if trailer.rows != self.rows || trailer.quads != self.quads {
                    bail!(
                        "line {line}: the end line counts {} rows and {} quads, the file holds \
                         {} and {}",
                        trailer.rows,
                        trailer.quads,
                        self.rows,
                        self.quads
                    );
                }
                let mut rest = Vec::new();
                self.input.read_until(b'\n', &mut rest)?;
                if !rest.is_empty() {
                    bail!("line {}: text after the `# end` line", line + 1);
                }
                self.ended = true;
                return Ok(None);
            }
            if let Some(rest) = text.strip_prefix("# row ") {
                let Some((table, json)) = rest.split_once(' ') else {
                    bail!("line {line}: a row line needs a table name and its values");
                };
                let values: Vec<serde_json::Value> = serde_json::from_str(json)
                    .with_context(|| format!("line {line}: the row's values are not valid JSON"))?;
                self.rows += 1;
                return Ok(Some(Record::Row {
                    table: table.to_owned(),
                    values,
                }));
            }
            if text.starts_with('<') && text.ends_with(" .") {
                self.quads += 1;
                return Ok(Some(Record::Quad(text)));
            }
            bail!("line {line}: neither a row, a quad nor a checksum line");
        }
    }
}

/// Whether a store holds data (rows outside the tables a new store already fills).
pub async fn is_empty(db: &impl ConnectionTrait) -> anyhow::Result<bool> {
    for table in schema::discover(db).await? {
        if SEEDED_TABLES.contains(&table.name.as_str()) {
            continue;
        }
        if schema::count(db, &table.name).await? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// How the file's tables map onto the target's.
struct Plan {
    /// Per file table: the target table and, per file column, the target column's index.
    tables: Vec<(Table, Vec<usize>, HeaderTable)>,
}

impl Plan {
    fn new(header: &Header, target: &[Table]) -> anyhow::Result<Self> {
        let mut tables = Vec::new();
        for file_table in &header.tables {
            let Some(table) = target.iter().find(|t| t.name == file_table.name) else {
                bail!(
                    "line 1: the backup has a table {:?} this semreg does not know (a backup of \
                     a newer semreg?)",
                    file_table.name
                );
            };
            let mut map = Vec::new();
            for column in &file_table.columns {
                let Some(index) = table.columns.iter().position(|c| c.name == column.name) else {
                    bail!(
                        "line 1: the backup's table {} has a column {:?} this semreg does not \
                         know",
                        table.name,
                        column.name
                    );
                };
                map.push(index);
            }
            tables.push((table.clone(), map, file_table.clone()));
        }
        Ok(Self { tables })
    }

    fn table(&self, name: &str) -> Option<&(Table, Vec<usize>, HeaderTable)> {
        self.tables.iter().find(|(t, _, _)| t.name == name)
    }
}

/// A version row waiting for its quads.
struct PendingVersion {
    line: u64,
    table: String,
    values: Vec<Value>,
    graph: String,
    text_column: usize,
    hash: Option<String>,
    ntriples: String,
}

/// Reads the whole file once and applies each complete row to `sink` (nothing when checking).
async fn replay<F, Fut>(path: &Path, target: &[Table], mut sink: F) -> anyhow::Result<Summary>
where
    F: FnMut(String, Vec<Value>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the backup {}", path.display()))?;
    let (header, mut reader) = Reader::open(BufReader::with_capacity(1 << 20, file))?;
    let plan = Plan::new(&header, target)?;
    let mut pending: Option<PendingVersion> = None;
    let mut summary = Summary {
        tables: header.tables.len(),
        ..Default::default()
    };
    let mut order = header.tables.iter().map(|t| t.name.as_str());
    let mut current = order.next();
    loop {
        let record = reader.next()?;
        let line = reader.line;
        if let Some(Record::Quad(quad)) = &record {
            let Some(version) = pending.as_mut() else {
                bail!("line {line}: a quad that follows no version row");
            };
            let Some(triple) = quad.strip_suffix(&format!(" <{}> .", version.graph)) else {
                bail!(
                    "line {line}: the quad is not in its version's graph <{}>",
                    version.graph
                );
            };
            version.ntriples.push_str(triple);
            version.ntriples.push_str(" .\n");
            summary.quads += 1;
            continue;
        }
        if let Some(version) = pending.take() {
            let mut values = version.values;
            if let Some(hash) = &version.hash {
                let actual = semreg_importers::content_hash(&version.ntriples);
                if &actual != hash {
                    bail!(
                        "line {}: the version's quads do not match its content hash",
                        version.line
                    );
                }
            }
            values[version.text_column] = Value::String(Some(version.ntriples));
            sink(version.table, values).await?;
        }
        let Some(Record::Row {
            table: name,
            values,
        }) = record
        else {
            break;
        };
        while current.is_some_and(|c| c != name) {
            current = order.next();
        }
        let Some((table, map, file_table)) = plan.table(&name) else {
            bail!("line {line}: a row of table {name:?}, which the header does not list");
        };
        if current.is_none() {
            bail!("line {line}: a row of table {name} after the rows of the tables that follow it in the header");
        }
        if values.len() != map.len() {
            bail!(
                "line {line}: a row of {name} with {} values; the header lists {} columns",
                values.len(),
                map.len()
            );
        }
        let mut row = vec![None; table.columns.len()];
        for ((value, &index), column) in values.iter().zip(map).zip(&file_table.columns) {
            let target = &table.columns[index];
            let converted = target.kind.value_from_json(value).map_err(|problem| {
                anyhow::anyhow!(
                    "line {line}: column {}.{} ({}): {problem}",
                    name,
                    column.name,
                    column.kind
                )
            })?;
            row[index] = Some(converted);
        }
        let row: Vec<Value> = row
            .into_iter()
            .zip(&table.columns)
            .map(|(v, c)| v.unwrap_or_else(|| c.kind.null()))
            .collect();
        summary.rows += 1;
        match table.version_columns() {
            Some((id, number, text)) if values_null(&row, text) => {
                let resource_id = match &row[id] {
                    Value::String(Some(id)) => id.clone(),
                    _ => bail!("line {line}: a version row without its resource id"),
                };
                let version = match &row[number] {
                    Value::BigInt(Some(n)) => *n,
                    Value::Int(Some(n)) => i64::from(*n),
                    Value::SmallInt(Some(n)) => i64::from(*n),
                    _ => bail!("line {line}: a version row without its version number"),
                };
                let hash = table
                    .columns
                    .iter()
                    .position(|c| c.name == "content_hash")
                    .and_then(|i| match &row[i] {
                        Value::String(Some(h)) => Some(h.clone()),
                        _ => None,
                    });
                pending = Some(PendingVersion {
                    line,
                    table: name,
                    values: row,
                    graph: version_graph(&resource_id, version),
                    text_column: text,
                    hash,
                    ntriples: String::new(),
                });
            }
            _ => sink(name, row).await?,
        }
    }
    summary.lines = reader.line;
    Ok(summary)
}

fn values_null(row: &[Value], index: usize) -> bool {
    matches!(row.get(index), Some(Value::String(None)))
}

/// Restores a backup into `db` and rebuilds the projections under `data_dir`. Refuses a
/// target holding data unless `force` (then its rows are replaced). Nothing changes when the
/// file is invalid.
pub async fn restore(
    db: &DatabaseConnection,
    data_dir: &Path,
    path: &Path,
    force: bool,
    progress: &ProgressBar,
) -> anyhow::Result<Summary> {
    let target = schema::discover(db).await?;
    // First pass: the whole file is checked before anything changes.
    progress.set_message("checking");
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot open the backup {}", path.display()))?
        .len();
    progress.set_length(size);
    let checked = replay(path, &target, |_, _| async { Ok(()) }).await?;
    if !is_empty(db).await? && !force {
        bail!("the target store already holds data; restore replaces all of it only with --force");
    }
    // The projections are opened before the store changes: a server still using this data dir
    // stops the restore here.
    let dir = data_dir.to_owned();
    let projections = tokio::task::spawn_blocking(move || Projections::open(&dir))
        .await?
        .context("cannot open the RDF store and search index (stop semreg serve first)")?;
    progress.set_message("restoring");
    progress.set_length(checked.rows);
    let txn = crate::store::begin_write(db).await?;
    let backend = txn.get_database_backend();
    if backend == DbBackend::Sqlite {
        txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
            .await?;
    }
    // The audit trail is append-only (migration 000032) except for this transaction, which
    // says so with a `restoring` row only it can see: the trail is emptied first, then every
    // table (the marker goes with `settings`) is replaced from the backup.
    if target.iter().any(|t| t.name == "audit") {
        txn.execute_unprepared(
            "INSERT INTO settings (key, value) VALUES ('restoring', '1') \
             ON CONFLICT (key) DO UPDATE SET value = '1'",
        )
        .await?;
        txn.execute_unprepared("DELETE FROM audit").await?;
    }
    for table in target.iter().rev() {
        txn.execute_unprepared(&format!("DELETE FROM {}", schema::quote(&table.name)))
            .await?;
    }
    let txn = Arc::new(txn);
    let mut batch = schema::Batcher::default();
    {
        let txn = txn.clone();
        let target = &target;
        let batch = &mut batch;
        let restored = replay(path, target, |table, values| {
            progress.inc(1);
            let txn = txn.clone();
            let flush = batch.push(target, table, values);
            async move {
                if let Some((sql, values)) = flush {
                    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                        .await?;
                }
                Ok(())
            }
        })
        .await?;
        if restored != checked {
            bail!("the backup changed while it was restored");
        }
    }
    if let Some((sql, values)) = batch.drain(&target) {
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    schema::reset_sequences(txn.as_ref(), &target).await?;
    let epoch = Instance::renew_epoch(txn.as_ref()).await?;
    // The restore itself is the newest entry of the restored trail.
    crate::auth::audit::record(
        txn.as_ref(),
        &crate::auth::audit::Actor::operator(),
        &crate::auth::audit::Event {
            action: crate::auth::audit::Action::RESTORE,
            resources: Vec::new(),
            detail: serde_json::json!({"file": path.display().to_string(), "rows": checked.rows, "epoch": epoch}),
        },
    )
    .await?;
    let Ok(txn) = Arc::try_unwrap(txn) else {
        bail!("the restore transaction is still in use");
    };
    txn.commit().await?;
    progress.set_message("rebuilding the RDF store and search index");
    let projections = Arc::new(projections);
    projections.clear().await?;
    projections.catch_up(db).await?;
    progress.finish_and_clear();
    Ok(checked)
}

/// Checks a backup file without restoring it (the first pass of a restore).
pub async fn verify(db: &DatabaseConnection, path: &Path) -> anyhow::Result<Summary> {
    let target = schema::discover(db).await?;
    replay(path, &target, |_, _| async { Ok(()) }).await
}

/// The kinds of values, for tests.
pub fn kind_names() -> &'static [&'static str] {
    Kind::NAMES
}
